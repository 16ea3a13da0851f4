-- Leases: signed, time-limited permission for a subject to run a
-- product, counted against the entitlement's seats.  Tenant data, under RLS.

CREATE TABLE bigpicture.leases (
	tenant_id       text NOT NULL,
	lease_id        text NOT NULL DEFAULT bigpicture.new_id('lease'),
	entitlement_id  text NOT NULL,
	product_id      text NOT NULL,
	subject         text NOT NULL CHECK (subject OPERATOR(pg_catalog.~) '^(user|machine):.{1,128}$'),
	install_id      text CHECK (pg_catalog.length(install_id) BETWEEN 1 AND 128),
	features        text[] NOT NULL DEFAULT '{}',
	issued_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
	renewed_at      timestamptz,
	expires_at      timestamptz NOT NULL,
	released_at     timestamptz,
	revoked_at      timestamptz,
	revoked_reason  text,
	seq             bigint NOT NULL CHECK (seq > 0),
	token_hash      text NOT NULL CHECK (token_hash OPERATOR(pg_catalog.~) '^[0-9a-f]{64}$'),
	PRIMARY KEY (tenant_id, lease_id),
	FOREIGN KEY (tenant_id, entitlement_id) REFERENCES bigpicture.entitlements ON DELETE CASCADE,
	CHECK (expires_at > issued_at)
);
CREATE INDEX leases_open ON bigpicture.leases (tenant_id, entitlement_id, subject)
	WHERE released_at IS NULL AND revoked_at IS NULL;
CREATE INDEX leases_history ON bigpicture.leases (tenant_id, entitlement_id, issued_at);
CREATE INDEX leases_revoked ON bigpicture.leases (tenant_id, revoked_at) WHERE revoked_at IS NOT NULL;
COMMENT ON TABLE bigpicture.leases IS
	'leases: who holds a seat of which entitlement until when; the token itself is never stored, only its SHA-256';

-- The chain of lease tokens per tenant, product and subject: every token
-- carries the next sequence number and the hash of the previous token, so a
-- client can spot a replayed or rolled-back lease.
CREATE TABLE bigpicture.lease_chains (
	tenant_id        text NOT NULL REFERENCES bigpicture.tenants ON DELETE CASCADE,
	product_id       text NOT NULL REFERENCES bigpicture.products,
	subject          text NOT NULL,
	last_seq         bigint NOT NULL,
	last_token_hash  text NOT NULL,
	updated_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (tenant_id, product_id, subject)
);
COMMENT ON TABLE bigpicture.lease_chains IS
	'per tenant, product and subject: the sequence number and SHA-256 of the last lease token issued';
SELECT pg_catalog.pg_extension_config_dump('bigpicture.leases', '');
SELECT pg_catalog.pg_extension_config_dump('bigpicture.lease_chains', '');

ALTER TABLE bigpicture.leases ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.leases FORCE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.lease_chains ENABLE ROW LEVEL SECURITY;
ALTER TABLE bigpicture.lease_chains FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON bigpicture.leases TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON bigpicture.leases FOR SELECT TO bigpicture_admin USING (true);
CREATE POLICY auditor_read ON bigpicture.leases FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.leases FOR SELECT TO bigpicture_tenant_admin
	USING (tenant_id = bigpicture.current_tenant());
CREATE POLICY owner_all ON bigpicture.lease_chains TO bigpicture_owner USING (true) WITH CHECK (true);
CREATE POLICY admin_read ON bigpicture.lease_chains FOR SELECT TO bigpicture_admin USING (true);
CREATE POLICY auditor_read ON bigpicture.lease_chains FOR SELECT TO bigpicture_auditor USING (true);
CREATE POLICY own_tenant_read ON bigpicture.lease_chains FOR SELECT TO bigpicture_tenant_admin
	USING (tenant_id = bigpicture.current_tenant());
GRANT SELECT ON bigpicture.leases, bigpicture.lease_chains TO bigpicture_admin, bigpicture_auditor,
	bigpicture_tenant_admin;

CREATE FUNCTION bigpicture.lease_state(l bigpicture.leases, at timestamptz DEFAULT pg_catalog.now()) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE WHEN l.revoked_at IS NOT NULL THEN 'revoked' WHEN l.released_at IS NOT NULL THEN 'released'
		WHEN l.expires_at <= lease_state.at THEN 'expired' ELSE 'active' END;
COMMENT ON FUNCTION bigpicture.lease_state(bigpicture.leases, timestamptz) IS 'active, expired, released or revoked';

-- ---- errors ----------------------------------------------------------------------------
-- Refusals carry SQLSTATEs that PostgREST (and bigpicture-gateway) turn into
-- HTTP statuses: PTnnn means status nnn.

CREATE FUNCTION bigpicture._refuse_entitlement(state text, p_product_id text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	CASE state
		WHEN 'expired' THEN
			RAISE EXCEPTION 'the entitlement to % has expired', p_product_id USING ERRCODE = 'PT402',
				HINT = 'Renew the license.';
		WHEN 'suspended' THEN
			RAISE EXCEPTION 'the entitlement to % is suspended', p_product_id USING ERRCODE = 'PT423',
				HINT = 'Ask the vendor to resume it.';
		WHEN 'revoked' THEN
			RAISE EXCEPTION 'the entitlement to % is revoked', p_product_id USING ERRCODE = 'PT410';
		WHEN 'not_started' THEN
			RAISE EXCEPTION 'the entitlement to % has not started yet', p_product_id USING ERRCODE = 'PT425';
		ELSE
			RAISE EXCEPTION 'no entitlement to %', p_product_id USING ERRCODE = 'PT404',
				HINT = 'The tenant holds no license for this product.';
	END CASE;
END
$$;

CREATE FUNCTION bigpicture._bad_lease_request(field text, problem text, got jsonb DEFAULT NULL) RETURNS void
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RAISE EXCEPTION 'invalid lease request: "%" %', field, problem USING ERRCODE = '22023',
		DETAIL = CASE WHEN got IS NULL THEN format('The request has no %s.', field)
			ELSE format('It is %s.', left(got::text, 100)) END,
		HINT = 'See docs/licensing.md for the request format.';
END
$$;

-- Check a lease request's fields (those present); returns the subject "type:id".
CREATE FUNCTION bigpicture._check_lease_request(req jsonb, allowed text[], required text[]) RETURNS text
	LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	k text;
BEGIN
	IF req IS NULL OR jsonb_typeof(req) <> 'object' THEN
		PERFORM bigpicture._bad_lease_request('request', 'must be a JSON object', req);
	END IF;
	FOR k IN SELECT jsonb_object_keys(req) LOOP
		IF NOT k = ANY (allowed) THEN
			PERFORM bigpicture._bad_lease_request(k, 'is not a field of this request', req -> k);
		END IF;
	END LOOP;
	FOREACH k IN ARRAY required LOOP
		IF jsonb_typeof(req -> k) IS NULL OR jsonb_typeof(req -> k) = 'null' THEN
			PERFORM bigpicture._bad_lease_request(k, 'is required');
		END IF;
	END LOOP;
	-- An optional field sent as JSON null counts as absent.
	FOREACH k IN ARRAY ARRAY['product_id', 'subject_id', 'install_id', 'lease_id', 'tenant_id'] LOOP
		IF jsonb_typeof(req -> k) <> 'null' AND (jsonb_typeof(req -> k) <> 'string' OR length(req ->> k) NOT BETWEEN 1 AND 128) THEN
			PERFORM bigpicture._bad_lease_request(k, 'must be a string of 1 to 128 characters', req -> k);
		END IF;
	END LOOP;
	IF jsonb_typeof(req -> 'subject_type') <> 'null' AND (jsonb_typeof(req -> 'subject_type') <> 'string' OR req ->> 'subject_type' NOT IN ('user', 'machine')) THEN
		PERFORM bigpicture._bad_lease_request('subject_type', 'must be user or machine', req -> 'subject_type');
	END IF;
	IF jsonb_typeof(req -> 'duration') <> 'null' AND (jsonb_typeof(req -> 'duration') <> 'number' OR (req ->> 'duration')::numeric <= 0
		OR (req ->> 'duration')::numeric > 31622400 OR (req ->> 'duration')::numeric <> trunc((req ->> 'duration')::numeric)) THEN
		PERFORM bigpicture._bad_lease_request('duration', 'must be a whole number of seconds, at most a year', req -> 'duration');
	END IF;
	RETURN CASE WHEN req ? 'subject_type' THEN (req ->> 'subject_type') || ':' || (req ->> 'subject_id') END;
END
$$;

-- ---- signing -------------------------------------------------------------------------------

-- Sign the next token of a subject's chain for a lease (its row not yet
-- written, so that each change is one row write, and one audit event) and
-- move the chain on.  The caller stores seq and token_hash with the row.
CREATE FUNCTION bigpicture._sign_lease(l bigpicture.leases, e bigpicture.entitlements, offline_grace interval,
	OUT token text, OUT seq bigint, OUT token_hash text)
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	chain bigpicture.lease_chains;
BEGIN
	SELECT * INTO chain FROM bigpicture.lease_chains c
	 WHERE c.tenant_id = l.tenant_id AND c.product_id = l.product_id AND c.subject = l.subject FOR UPDATE;
	seq := COALESCE(chain.last_seq, 0) + 1;
	token := bigpicture._sign('lease', l.tenant_id, jsonb_build_object(
		'lease_id', l.lease_id,
		'entitlement_id', l.entitlement_id,
		'tenant_id', l.tenant_id,
		'product_id', l.product_id,
		'sub', l.subject,
		'install_id', l.install_id,
		'license_type', e.type,
		'features', to_jsonb(l.features),
		'offline_grace', extract(epoch FROM offline_grace)::bigint,
		'seq', seq,
		'prev_hash', COALESCE(chain.last_token_hash, '')), l.expires_at, now());
	token_hash := encode(sha256(convert_to(token, 'UTF8')), 'hex');
	INSERT INTO bigpicture.lease_chains AS c (tenant_id, product_id, subject, last_seq, last_token_hash)
	VALUES (l.tenant_id, l.product_id, l.subject, seq, token_hash)
	ON CONFLICT (tenant_id, product_id, subject) DO UPDATE
		SET last_seq = EXCLUDED.last_seq, last_token_hash = EXCLUDED.last_token_hash, updated_at = EXCLUDED.updated_at;
END
$$;

CREATE FUNCTION bigpicture._lease_response(l bigpicture.leases, token text) RETURNS jsonb
	LANGUAGE sql STABLE
	RETURN jsonb_build_object('lease_id', l.lease_id, 'entitlement_id', l.entitlement_id, 'product_id', l.product_id,
		'subject', l.subject, 'expires_at', bigpicture.rfc3339(l.expires_at), 'token', token);

-- The lease duration: requested (or the entitlement's default), at most the
-- entitlement's maximum and never past the entitlement's end.
CREATE FUNCTION bigpicture._lease_expiry(e bigpicture.entitlements, requested_seconds numeric) RETURNS timestamptz
	LANGUAGE sql STABLE
	RETURN LEAST(now() + LEAST(COALESCE(make_interval(secs => requested_seconds::double precision), e.default_lease_duration),
		e.max_lease_duration), COALESCE(e.ends_at, 'infinity'));

-- ---- issue, renew, release, revoke -----------------------------------------------------------

CREATE FUNCTION bigpicture.issue_lease(request jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	subj text := bigpicture._check_lease_request(request,
		'{tenant_id,product_id,subject_type,subject_id,install_id,duration}', '{product_id,subject_type,subject_id}');
	t bigpicture.tenants := bigpicture._request_tenant(request ->> 'tenant_id');
	product text := request ->> 'product_id';
	install text := bigpicture._bound_install_id(request ->> 'install_id');
	e bigpicture.entitlements;
	l bigpicture.leases;
	signed record;
	best_state text;
	used integer;
BEGIN
	IF t.status <> 'active' THEN
		RAISE EXCEPTION 'tenant % is suspended', t.tenant_id USING ERRCODE = 'PT423';
	END IF;
	-- Entitlements to this product, locked in a fixed order so that parallel
	-- requests queue instead of over-subscribing (or deadlocking).
	PERFORM 1 FROM bigpicture.entitlements x
	 WHERE x.tenant_id = t.tenant_id AND x.product_id = product ORDER BY x.entitlement_id FOR UPDATE;
	-- The same subject asking again renews its lease, under whichever active
	-- entitlement holds it, instead of taking a second seat (concurrent and
	-- feature-based leases are per install).
	SELECT x.* INTO l FROM bigpicture.leases x JOIN bigpicture.entitlements y
	    ON y.tenant_id = x.tenant_id AND y.entitlement_id = x.entitlement_id
	 WHERE x.tenant_id = t.tenant_id AND x.product_id = product AND x.subject = subj
	   AND x.released_at IS NULL AND x.revoked_at IS NULL AND x.expires_at > now()
	   AND bigpicture.entitlement_state_of(y.status, y.starts_at, y.ends_at) = 'active'
	   AND (y.type IN ('per_user', 'per_machine') OR x.install_id IS NOT DISTINCT FROM install)
	 ORDER BY x.issued_at DESC LIMIT 1;
	IF FOUND THEN
		SELECT * INTO e FROM bigpicture.entitlements y WHERE y.tenant_id = l.tenant_id AND y.entitlement_id = l.entitlement_id;
		l.expires_at := bigpicture._lease_expiry(e, (request ->> 'duration')::numeric);
		l.install_id := COALESCE(install, l.install_id);
		l.features := e.features;
		signed := bigpicture._sign_lease(l, e, t.offline_grace);
		UPDATE bigpicture.leases x SET expires_at = l.expires_at, renewed_at = now(), install_id = l.install_id,
			features = l.features, seq = signed.seq, token_hash = signed.token_hash
		 WHERE x.tenant_id = l.tenant_id AND x.lease_id = l.lease_id RETURNING * INTO l;
		RETURN bigpicture._lease_response(l, signed.token) || '{"renewed": true}';
	END IF;
	FOR e IN
		SELECT * FROM bigpicture.entitlements x
		WHERE x.tenant_id = t.tenant_id AND x.product_id = product
		ORDER BY x.entitlement_id
	LOOP
		IF bigpicture.entitlement_state(e) <> 'active' THEN
			best_state := COALESCE(best_state, bigpicture.entitlement_state(e));
			CONTINUE;
		END IF;
		IF e.type = 'per_user' AND subj NOT LIKE 'user:%' OR e.type = 'per_machine' AND subj NOT LIKE 'machine:%' THEN
			IF best_state IS DISTINCT FROM 'active' THEN
				best_state := 'wrong_subject_type';
			END IF;
			CONTINUE;
		END IF;
		best_state := 'active';
		IF e.type <> 'feature_based' THEN
			SELECT count(*) INTO used FROM bigpicture.leases x
			 WHERE x.tenant_id = t.tenant_id AND x.entitlement_id = e.entitlement_id
			   AND x.released_at IS NULL AND x.revoked_at IS NULL AND x.expires_at > now();
			IF used >= e.max_seats THEN
				CONTINUE;
			END IF;
		END IF;
		l := ROW(t.tenant_id, bigpicture.new_id('lease'), e.entitlement_id, product, subj, install, e.features,
			now(), NULL, bigpicture._lease_expiry(e, (request ->> 'duration')::numeric), NULL, NULL, NULL, 1,
			repeat('0', 64))::bigpicture.leases;
		signed := bigpicture._sign_lease(l, e, t.offline_grace);
		INSERT INTO bigpicture.leases (tenant_id, lease_id, entitlement_id, product_id, subject, install_id, features,
			issued_at, expires_at, seq, token_hash)
		VALUES (l.tenant_id, l.lease_id, l.entitlement_id, l.product_id, l.subject, l.install_id, l.features,
			l.issued_at, l.expires_at, signed.seq, signed.token_hash)
		RETURNING * INTO l;
		-- on Citus the trigger ran on a worker's shard (87_events.sql)
		IF bigpicture._citus_distributed() THEN
			PERFORM bigpicture._seats_exhausted_event(l.tenant_id, l.entitlement_id, l.lease_id);
		END IF;
		RETURN bigpicture._lease_response(l, signed.token) || '{"renewed": false}';
	END LOOP;
	IF best_state = 'wrong_subject_type' THEN
		RAISE EXCEPTION 'no entitlement to % licenses % subjects', product, split_part(subj, ':', 1)
			USING ERRCODE = 'PT404',
			HINT = 'per_user entitlements take user subjects, per_machine ones machine subjects.';
	END IF;
	IF best_state = 'active' THEN
		-- the refusal rolls back whatever it writes; it is counted instead (87_events.sql)
		PERFORM bigpicture._note_seat_refusal(t.tenant_id, product);
		RAISE EXCEPTION 'no seat available for %', product USING ERRCODE = 'PT409',
			DETAIL = 'Every seat of the tenant''s entitlements to this product is taken.',
			HINT = 'Release a lease, wait for one to expire, or add seats.';
	END IF;
	PERFORM bigpicture._refuse_entitlement(best_state, product);
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION bigpicture.issue_lease(jsonb) IS
	'take (or renew) a seat: {"product_id", "subject_type": "user"|"machine", "subject_id", "install_id", "duration": seconds}; returns the signed lease';

-- The caller's lease, locked, or an error.  Locks are always taken in one
-- order — the product's entitlements by id, then the lease — as issue_lease
-- takes them, so a renewal racing the same subject's new request queues
-- instead of deadlocking.
CREATE FUNCTION bigpicture._lock_lease(request jsonb) RETURNS bigpicture.leases
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t bigpicture.tenants := bigpicture._request_tenant(request ->> 'tenant_id');
	l bigpicture.leases;
BEGIN
	PERFORM 1 FROM bigpicture.entitlements x
	 WHERE x.tenant_id = t.tenant_id AND x.product_id = (SELECT y.product_id FROM bigpicture.leases y
			WHERE y.tenant_id = t.tenant_id AND y.lease_id = request ->> 'lease_id')
	 ORDER BY x.entitlement_id FOR UPDATE;
	SELECT * INTO l FROM bigpicture.leases x
	 WHERE x.tenant_id = t.tenant_id AND x.lease_id = request ->> 'lease_id' FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'lease "%" does not exist', request ->> 'lease_id' USING ERRCODE = 'PT404';
	END IF;
	RETURN l;
END
$$;

CREATE FUNCTION bigpicture.renew_lease(request jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	ignored text := bigpicture._check_lease_request(request, '{tenant_id,lease_id,duration}', '{lease_id}');
	l bigpicture.leases := bigpicture._lock_lease(request);
	t bigpicture.tenants;
	e bigpicture.entitlements;
	signed record;
	st text;
BEGIN
	SELECT * INTO e FROM bigpicture.entitlements x
	 WHERE x.tenant_id = l.tenant_id AND x.entitlement_id = l.entitlement_id FOR UPDATE;
	st := bigpicture.lease_state(l);
	IF st <> 'active' THEN
		RAISE EXCEPTION 'lease % is %', l.lease_id, st USING ERRCODE = 'PT410',
			HINT = 'Issue a new lease with issue_lease.';
	END IF;
	IF bigpicture.entitlement_state(e) <> 'active' THEN
		PERFORM bigpicture._refuse_entitlement(bigpicture.entitlement_state(e), l.product_id);
	END IF;
	SELECT * INTO t FROM bigpicture.tenants x WHERE x.tenant_id = l.tenant_id;
	IF t.status <> 'active' THEN
		RAISE EXCEPTION 'tenant % is suspended', t.tenant_id USING ERRCODE = 'PT423';
	END IF;
	l.expires_at := bigpicture._lease_expiry(e, (request ->> 'duration')::numeric);
	l.features := e.features;
	signed := bigpicture._sign_lease(l, e, t.offline_grace);
	UPDATE bigpicture.leases x SET expires_at = l.expires_at, renewed_at = now(), features = l.features,
		seq = signed.seq, token_hash = signed.token_hash
	 WHERE x.tenant_id = l.tenant_id AND x.lease_id = l.lease_id RETURNING * INTO l;
	RETURN bigpicture._lease_response(l, signed.token);
END
$$;
COMMENT ON FUNCTION bigpicture.renew_lease(jsonb) IS
	'extend an active lease: {"lease_id", "duration": seconds}; returns a new signed token, next in the subject''s chain';

CREATE FUNCTION bigpicture.release_lease(request jsonb) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	ignored text := bigpicture._check_lease_request(request, '{tenant_id,lease_id}', '{lease_id}');
	l bigpicture.leases := bigpicture._lock_lease(request);
BEGIN
	IF bigpicture.lease_state(l) = 'active' THEN
		UPDATE bigpicture.leases x SET released_at = now()
		 WHERE x.tenant_id = l.tenant_id AND x.lease_id = l.lease_id RETURNING * INTO l;
	END IF;
	RETURN jsonb_build_object('lease_id', l.lease_id, 'state', bigpicture.lease_state(l));
END
$$;
COMMENT ON FUNCTION bigpicture.release_lease(jsonb) IS
	'give a seat back: {"lease_id"}; releasing a lease that is no longer active changes nothing';

CREATE FUNCTION bigpicture.revoke_lease(lease_id text, reason text, tenant_id text DEFAULT NULL) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	l bigpicture.leases := bigpicture._lock_lease(jsonb_build_object('lease_id', revoke_lease.lease_id,
		'tenant_id', revoke_lease.tenant_id));
BEGIN
	IF reason IS NULL OR reason !~ '[^[:space:]]' THEN
		RAISE EXCEPTION 'a revocation needs a reason' USING ERRCODE = '22023';
	END IF;
	IF l.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'lease % is already revoked', l.lease_id USING ERRCODE = 'PT409';
	END IF;
	UPDATE bigpicture.leases x SET revoked_at = now(), revoked_reason = reason
	 WHERE x.tenant_id = l.tenant_id AND x.lease_id = l.lease_id;
END
$$;
COMMENT ON FUNCTION bigpicture.revoke_lease(text, text, text) IS
	'take a seat away now; clients that check the signed revocation list (bigpicture.lease_revocations) refuse its token at once, others when it expires';

-- The signed list of a tenant's revoked leases that have not expired (so
-- it stays small), signed by the key that signs its leases.  version is the
-- time of the tenant's latest revocation in microseconds (0: none), so it
-- grows with every revocation; a client refuses a list with a lower version
-- (or the same version and an earlier iat) than one it has seen
-- (docs/client.md).
CREATE FUNCTION bigpicture.lease_revocations(tenant_id text DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text := bigpicture._resolve_tenant(lease_revocations.tenant_id);
BEGIN
	RETURN bigpicture._sign('lease_revocations', t, jsonb_build_object(
		'tenant_id', t,
		'version', COALESCE((SELECT (extract(epoch FROM max(l.revoked_at)) * 1000000)::bigint
			FROM bigpicture.leases l WHERE l.tenant_id = t AND l.revoked_at IS NOT NULL), 0),
		'leases', COALESCE((SELECT jsonb_agg(l.lease_id ORDER BY l.lease_id) FROM bigpicture.leases l
			WHERE l.tenant_id = t AND l.revoked_at IS NOT NULL AND l.expires_at > now()), '[]')),
		now() + bigpicture._setting_interval('revocations_ttl', 86400));
END
$$;
COMMENT ON FUNCTION bigpicture.lease_revocations(text) IS
	'the signed list (typ lease_revocations) of the tenant''s revoked leases not yet expired, with a version that grows with every revocation';

CREATE FUNCTION bigpicture.license_status(request jsonb) RETURNS jsonb
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	subj text := bigpicture._check_lease_request(request, '{tenant_id,product_id,subject_type,subject_id,install_id}',
		'{product_id}');
	t bigpicture.tenants := bigpicture._request_tenant(request ->> 'tenant_id');
BEGIN
	RETURN jsonb_build_object(
		'tenant_id', t.tenant_id,
		'product_id', request ->> 'product_id',
		'entitlements', COALESCE((
			SELECT jsonb_agg(jsonb_build_object(
				'entitlement_id', e.entitlement_id, 'type', e.type, 'state', bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at),
				'features', to_jsonb(e.features), 'ends_at', bigpicture.rfc3339(e.ends_at),
				'max_seats', e.max_seats, 'seats_used', u.used,
				'seats_available', CASE WHEN e.max_seats IS NOT NULL THEN greatest(e.max_seats - u.used, 0) END,
				'lease', (SELECT jsonb_build_object('lease_id', l.lease_id, 'expires_at', bigpicture.rfc3339(l.expires_at),
						'install_id', l.install_id)
					FROM bigpicture.leases l
					WHERE l.tenant_id = e.tenant_id AND l.entitlement_id = e.entitlement_id AND l.subject = subj
					  AND l.revoked_at IS NULL AND l.released_at IS NULL AND l.expires_at > now()
					ORDER BY l.issued_at DESC LIMIT 1)) ORDER BY e.entitlement_id)
			FROM bigpicture.entitlements e
			CROSS JOIN LATERAL (SELECT count(*)::integer AS used FROM bigpicture.leases l
				WHERE l.tenant_id = e.tenant_id AND l.entitlement_id = e.entitlement_id
				  AND l.released_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > now()) u
			WHERE e.tenant_id = t.tenant_id AND e.product_id = request ->> 'product_id'), '[]'::jsonb));
END
$$;
COMMENT ON FUNCTION bigpicture.license_status(jsonb) IS
	'the tenant''s entitlements to a product with their state and seats, and the subject''s active lease: {"product_id", "subject_type", "subject_id"}';

-- ---- entitlement administration -------------------------------------------------------------

CREATE FUNCTION bigpicture._lock_entitlement(p_entitlement_id text) RETURNS bigpicture.entitlements
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	e bigpicture.entitlements;
BEGIN
	SELECT * INTO e FROM bigpicture.entitlements x WHERE x.entitlement_id = p_entitlement_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'entitlement "%" does not exist', p_entitlement_id USING ERRCODE = 'PT404';
	END IF;
	RETURN e;
END
$$;

CREATE FUNCTION bigpicture.update_entitlement(entitlement_id text, ends_at timestamptz DEFAULT NULL,
	max_seats integer DEFAULT NULL, features text[] DEFAULT NULL, auto_renew boolean DEFAULT NULL,
	clear_ends_at boolean DEFAULT false) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	e bigpicture.entitlements := bigpicture._lock_entitlement(update_entitlement.entitlement_id);
BEGIN
	IF e.status = 'revoked' THEN
		RAISE EXCEPTION 'entitlement % is revoked and cannot change', e.entitlement_id USING ERRCODE = 'PT409';
	END IF;
	IF max_seats IS NOT NULL AND max_seats <= 0 THEN
		RAISE EXCEPTION 'max_seats must be greater than zero' USING ERRCODE = '22023';
	END IF;
	IF ends_at IS NOT NULL AND ends_at <= e.starts_at THEN
		RAISE EXCEPTION 'ends_at must be after starts_at' USING ERRCODE = '22023';
	END IF;
	UPDATE bigpicture.entitlements x SET
		ends_at = CASE WHEN clear_ends_at THEN NULL ELSE COALESCE(update_entitlement.ends_at, x.ends_at) END,
		max_seats = COALESCE(update_entitlement.max_seats, x.max_seats),
		features = COALESCE(update_entitlement.features, x.features),
		auto_renew = COALESCE(update_entitlement.auto_renew, x.auto_renew),
		updated_at = now()
	 WHERE x.tenant_id = e.tenant_id AND x.entitlement_id = e.entitlement_id;
END
$$;
COMMENT ON FUNCTION bigpicture.update_entitlement(text, timestamptz, integer, text[], boolean, boolean) IS
	'change an entitlement''s end (or clear it), seats, features or auto-renewal; fewer seats never evicts active leases';

CREATE FUNCTION bigpicture.set_entitlement_status(entitlement_id text, status text, reason text DEFAULT NULL) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	e bigpicture.entitlements := bigpicture._lock_entitlement(set_entitlement_status.entitlement_id);
BEGIN
	IF status IS NULL OR status NOT IN ('active', 'suspended', 'revoked') THEN
		RAISE EXCEPTION 'invalid entitlement status "%"', status USING ERRCODE = '22023',
			HINT = 'Use active, suspended or revoked.';
	END IF;
	IF e.status = 'revoked' THEN
		RAISE EXCEPTION 'entitlement % is revoked; revocation is final', e.entitlement_id USING ERRCODE = 'PT409';
	END IF;
	IF status = 'revoked' AND (reason IS NULL OR reason !~ '[^[:space:]]') THEN
		RAISE EXCEPTION 'a revocation needs a reason' USING ERRCODE = '22023';
	END IF;
	UPDATE bigpicture.entitlements x SET status = set_entitlement_status.status, updated_at = now(),
		revoked_at = CASE WHEN set_entitlement_status.status = 'revoked' THEN now() END,
		revoked_reason = CASE WHEN set_entitlement_status.status = 'revoked' THEN reason END
	 WHERE x.tenant_id = e.tenant_id AND x.entitlement_id = e.entitlement_id;
	-- Revoking an entitlement revokes its active leases.
	IF status = 'revoked' THEN
		UPDATE bigpicture.leases l SET revoked_at = now(), revoked_reason = 'entitlement revoked: ' || reason
		 WHERE l.tenant_id = e.tenant_id AND l.entitlement_id = e.entitlement_id
		   AND l.released_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > now();
	END IF;
END
$$;
COMMENT ON FUNCTION bigpicture.set_entitlement_status(text, text, text) IS
	'suspend, resume (active) or revoke an entitlement; revoking is final and revokes its active leases';

CREATE FUNCTION bigpicture.list_entitlements(tenant_id text DEFAULT NULL, product_id text DEFAULT NULL,
	expiring_within_days integer DEFAULT NULL, state text DEFAULT NULL)
	RETURNS TABLE (tenant_id text, entitlement_id text, product_id text, type text, state text, max_seats integer,
		seats_used integer, features text[], starts_at timestamptz, ends_at timestamptz, auto_renew boolean)
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT e.tenant_id, e.entitlement_id, e.product_id, e.type, bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at), e.max_seats,
		(SELECT count(*)::integer FROM bigpicture.leases l WHERE l.tenant_id = e.tenant_id
		   AND l.entitlement_id = e.entitlement_id AND l.released_at IS NULL AND l.revoked_at IS NULL
		   AND l.expires_at > now()),
		e.features, e.starts_at, e.ends_at, e.auto_renew
	FROM bigpicture.entitlements e
	WHERE (e.tenant_id = bigpicture.current_tenant()
		   OR bigpicture.current_tenant() IS NULL AND bigpicture.acts_for_all_tenants())
	  AND (list_entitlements.tenant_id IS NULL OR e.tenant_id = bigpicture._resolve_tenant(list_entitlements.tenant_id))
	  AND (list_entitlements.product_id IS NULL OR e.product_id = list_entitlements.product_id)
	  AND (list_entitlements.expiring_within_days IS NULL
		   OR e.ends_at <= now() + make_interval(days => list_entitlements.expiring_within_days) AND e.ends_at > now())
	  AND (list_entitlements.state IS NULL OR bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at) = list_entitlements.state)
	ORDER BY e.tenant_id, e.product_id, e.entitlement_id;
END;
COMMENT ON FUNCTION bigpicture.list_entitlements(text, text, integer, text) IS
	'entitlements (the caller''s tenant''s; any for admins and auditors) by tenant, product, expiring within N days, or state';

-- For pg_cron or any scheduler: extend auto-renewing entitlements that end
-- within a day by their renewal period.
CREATE FUNCTION bigpicture.renew_due_entitlements() RETURNS integer
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	due timestamptz := now() + interval '1 day';
	r record;
	n integer := 0;
BEGIN
	-- The new end is computed in a query and written by key: Citus refuses a
	-- STABLE function (timestamptz + interval) next to a column in SET.  The
	-- UPDATE matches the end it read, so two runs never renew twice.
	-- As many renewal periods as it takes to run past tomorrow, so an
	-- entitlement the scheduler missed catches up in one run.
	FOR r IN SELECT e.tenant_id, e.entitlement_id, e.ends_at,
				e.ends_at + make_interval(days => e.renewal_days * greatest(1, ceil(
					extract(epoch FROM due - e.ends_at) / (e.renewal_days * 86400.0))::integer)) AS new_end
			 FROM bigpicture.entitlements e
			 WHERE e.auto_renew AND e.status = 'active' AND e.ends_at IS NOT NULL AND e.ends_at <= due LOOP
		UPDATE bigpicture.entitlements e SET ends_at = r.new_end, updated_at = now()
		 WHERE e.tenant_id = r.tenant_id AND e.entitlement_id = r.entitlement_id AND e.ends_at = r.ends_at
		   AND e.auto_renew AND e.status = 'active';
		IF FOUND THEN
			n := n + 1;
		END IF;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION bigpicture.renew_due_entitlements() IS
	'extend active auto-renewing entitlements that end within a day by renewal_days; returns how many (run daily, e.g. from pg_cron)';

-- ---- usage ---------------------------------------------------------------------------------------

CREATE VIEW bigpicture.entitlement_usage WITH (security_barrier) AS
SELECT e.tenant_id, e.entitlement_id, e.product_id, e.type, bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at) AS state, e.max_seats,
	u.used AS seats_used,
	CASE WHEN e.max_seats IS NOT NULL THEN greatest(e.max_seats - u.used, 0) END AS seats_available,
	CASE WHEN e.max_seats IS NOT NULL THEN round(u.used::numeric / e.max_seats, 4) END AS utilisation
FROM bigpicture.entitlements e
CROSS JOIN LATERAL (SELECT count(*)::integer AS used FROM bigpicture.leases l
	WHERE l.tenant_id = e.tenant_id AND l.entitlement_id = e.entitlement_id
	  AND l.released_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > pg_catalog.now()) u
WHERE e.tenant_id = (SELECT bigpicture.current_tenant())
   OR (SELECT bigpicture.current_tenant()) IS NULL AND (SELECT bigpicture.acts_for_all_tenants());
COMMENT ON VIEW bigpicture.entitlement_usage IS
	'seats used and available per entitlement now, and utilisation (used / max), for the caller''s tenant (all for admins and auditors)';

CREATE VIEW bigpicture.product_usage WITH (security_barrier) AS
SELECT tenant_id, product_id, count(*)::integer AS entitlements, sum(max_seats)::integer AS max_seats,
	sum(seats_used)::integer AS seats_used
FROM bigpicture.entitlement_usage GROUP BY tenant_id, product_id;
COMMENT ON VIEW bigpicture.product_usage IS 'seats per tenant and product, summed over entitlements';

CREATE VIEW bigpicture.tenant_usage WITH (security_barrier) AS
SELECT tenant_id, count(DISTINCT product_id)::integer AS products, sum(max_seats)::integer AS max_seats,
	sum(seats_used)::integer AS seats_used
FROM bigpicture.entitlement_usage GROUP BY tenant_id;
COMMENT ON VIEW bigpicture.tenant_usage IS 'seats per tenant, summed over products';

-- Peak and time-weighted average concurrency, and lease counts, per
-- entitlement over [from, to), from the lease history.  A lease holds a seat
-- from issued_at until it is released, revoked or expires.
CREATE FUNCTION bigpicture.license_usage_report(tenant_id text, from_time timestamptz, to_time timestamptz)
	RETURNS TABLE (entitlement_id text, product_id text, type text, max_seats integer, leases integer,
		peak_concurrency integer, average_concurrency numeric)
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t text := bigpicture._resolve_tenant(license_usage_report.tenant_id);
BEGIN
	IF from_time IS NULL OR to_time IS NULL OR to_time <= from_time THEN
		RAISE EXCEPTION 'the report needs from_time before to_time' USING ERRCODE = '22023';
	END IF;
	RETURN QUERY
	WITH spans AS (
		SELECT l.entitlement_id, greatest(l.issued_at, from_time) AS s,
			   least(COALESCE(l.released_at, 'infinity'), COALESCE(l.revoked_at, 'infinity'), l.expires_at, to_time) AS e
		FROM bigpicture.leases l
		WHERE l.tenant_id = t AND l.issued_at < to_time
		  AND least(COALESCE(l.released_at, 'infinity'), COALESCE(l.revoked_at, 'infinity'), l.expires_at) > from_time),
	events AS (
		SELECT x.entitlement_id, x.at, sum(x.delta) AS delta
		FROM (SELECT sp.entitlement_id, sp.s AS at, 1 AS delta FROM spans sp WHERE sp.e > sp.s
			  UNION ALL SELECT sp.entitlement_id, sp.e, -1 FROM spans sp WHERE sp.e > sp.s) x
		GROUP BY x.entitlement_id, x.at),
	running AS (
		SELECT ev.entitlement_id, sum(ev.delta) OVER (PARTITION BY ev.entitlement_id ORDER BY ev.at) AS level
		FROM events ev)
	SELECT en.entitlement_id, en.product_id, en.type, en.max_seats,
		(SELECT count(*)::integer FROM spans sp WHERE sp.entitlement_id = en.entitlement_id),
		COALESCE((SELECT max(r.level)::integer FROM running r WHERE r.entitlement_id = en.entitlement_id), 0),
		round(COALESCE((SELECT sum(extract(epoch FROM sp.e - sp.s)) FROM spans sp
			WHERE sp.entitlement_id = en.entitlement_id AND sp.e > sp.s), 0)
			/ extract(epoch FROM to_time - from_time), 4)
	FROM bigpicture.entitlements en
	WHERE en.tenant_id = t
	ORDER BY en.entitlement_id;
END
$$;
COMMENT ON FUNCTION bigpicture.license_usage_report(text, timestamptz, timestamptz) IS
	'per entitlement over [from_time, to_time): leases held, peak and time-weighted average concurrency';

-- ---- grants --------------------------------------------------------------------------------------

GRANT SELECT ON bigpicture.entitlement_usage, bigpicture.product_usage, bigpicture.tenant_usage
	TO bigpicture_admin, bigpicture_auditor, bigpicture_tenant_admin;
GRANT EXECUTE ON FUNCTION bigpicture.issue_lease(jsonb), bigpicture.renew_lease(jsonb), bigpicture.release_lease(jsonb),
	bigpicture.license_status(jsonb), bigpicture.lease_revocations(text)
	TO bigpicture_client, bigpicture_tenant_admin, bigpicture_admin, bigpicture_mirror;
GRANT EXECUTE ON FUNCTION bigpicture.revoke_lease(text, text, text), bigpicture.list_entitlements(text, text, integer, text),
	bigpicture.license_usage_report(text, timestamptz, timestamptz), bigpicture.lease_state(bigpicture.leases, timestamptz)
	TO bigpicture_tenant_admin, bigpicture_admin;
GRANT EXECUTE ON FUNCTION bigpicture.list_entitlements(text, text, integer, text),
	bigpicture.license_usage_report(text, timestamptz, timestamptz), bigpicture.lease_state(bigpicture.leases, timestamptz)
	TO bigpicture_auditor;
GRANT EXECUTE ON FUNCTION bigpicture.update_entitlement(text, timestamptz, integer, text[], boolean, boolean),
	bigpicture.set_entitlement_status(text, text, text), bigpicture.renew_due_entitlements()
	TO bigpicture_admin;
