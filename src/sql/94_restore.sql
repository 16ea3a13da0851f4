-- Backup and restore (docs/backup.md).  pg_dump dumps the extension's
-- tables (pg_extension_config_dump), but their rows cannot be replayed
-- through the guards that protect them: a release arrives "published", an
-- audit event arrives without going through the chain, a certificate
-- arrives already signed.  So, as TimescaleDB brackets a restore with
-- timescaledb_pre_restore() / _post_restore(), a restore here runs with
-- every trigger off and ends with bigpicture.post_restore():
--
--   createdb d;  pg_restore -d d dump;  psql -d d -c 'SELECT bigpicture.post_restore()'
--
-- The install script, run by pg_restore (a session with row_security and
-- check_function_bodies off, as pg_restore and pg_dump's scripts set them),
-- puts the new database in restore mode itself: session_replication_role
-- = replica for this session and, as a database setting, for the sessions
-- pg_restore -j opens; bigpicture.restoring = on, which stops signing and
-- the background worker.  pre_restore() does the same for a data-only
-- restore into a database where the extension exists.  post_restore()
-- checks what arrived — every foreign key, every audit chain, that the
-- master key opens the signing keys — and only then turns guards, signing
-- and the worker back on.  A data-only restore without pre_restore() fails
-- at its first row with an error naming it (the audit trigger).

-- Is the database being restored?  The setting of this session, or of the
-- database (what the long-lived background worker's session cannot see
-- in its own settings).
CREATE FUNCTION bigpicture._restoring() RETURNS boolean
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
	RETURN current_setting('bigpicture.restoring', true) = 'on' OR EXISTS (
		SELECT 1 FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
		WHERE d.datname = current_database() AND s.setrole = 0 AND 'bigpicture.restoring=on' = ANY (s.setconfig));

CREATE FUNCTION bigpicture._require_superuser(what text) RETURNS void
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
		RAISE EXCEPTION '% needs a superuser', what USING ERRCODE = '42501',
			DETAIL = 'Restoring writes every table of the extension with its guards off.';
	END IF;
END
$$;

-- The database setting of this database: on, or reset.
CREATE FUNCTION bigpicture._set_restoring(on_ boolean) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF on_ THEN
		EXECUTE format('ALTER DATABASE %I SET session_replication_role = replica', current_database());
		EXECUTE format('ALTER DATABASE %I SET bigpicture.restoring = on', current_database());
	ELSE
		EXECUTE format('ALTER DATABASE %I RESET session_replication_role', current_database());
		EXECUTE format('ALTER DATABASE %I RESET bigpicture.restoring', current_database());
	END IF;
	-- This session too, until it ends (set_config's false: not transaction-local).
	PERFORM set_config('session_replication_role', CASE WHEN on_ THEN 'replica' ELSE 'origin' END, false);
	PERFORM set_config('bigpicture.restoring', on_::text, false);
END
$$;

CREATE FUNCTION bigpicture.pre_restore() RETURNS text
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t regclass;
	n bigint;
BEGIN
	PERFORM bigpicture._require_superuser('pre_restore()');
	IF bigpicture._restoring() THEN
		RAISE EXCEPTION 'the database is already being restored' USING ERRCODE = 'PT409',
			HINT = 'Run pg_restore, then SELECT bigpicture.post_restore().';
	END IF;
	-- Only into a new database: the restore brings every row, and mixing them
	-- with rows of this one would mix two audit chains and two key histories.
	FOR t IN SELECT unnest(e.extconfig)::regclass FROM pg_extension e WHERE e.extname = 'bigpicture' LOOP
		CONTINUE WHEN t = 'bigpicture.worker_jobs'::regclass OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t) = 'S';
		EXECUTE format('SELECT count(*) FROM %s', t) INTO n;
		IF n > 0 THEN
			RAISE EXCEPTION 'pre_restore() is for a new database, and % has % rows', t, n USING ERRCODE = 'PT409',
				HINT = 'CREATE DATABASE a new one, CREATE EXTENSION bigpicture in it, and run pre_restore() there.';
		END IF;
	END LOOP;
	-- The jobs come with the dump (a dump of 0.1.0 has none: post_restore() adds them).
	DELETE FROM bigpicture.worker_jobs;
	PERFORM bigpicture._set_restoring(true);
	RETURN format('database %s is ready for pg_restore; then run SELECT bigpicture.post_restore()',
		current_database());
END
$$;
COMMENT ON FUNCTION bigpicture.pre_restore() IS
	'prepare a new database for pg_restore: triggers off for its sessions, signing and the worker stopped (docs/backup.md)';

CREATE FUNCTION bigpicture.post_restore() RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	t regclass;
	n bigint;
	fk record;
	v record;
	chain text;
	rows_by_table jsonb := '{}';
	chains int := 0;
	fks int := 0;
	key record;
BEGIN
	PERFORM bigpicture._require_superuser('post_restore()');
	IF NOT bigpicture._restoring() THEN
		RAISE EXCEPTION 'the database is not being restored' USING ERRCODE = 'PT409',
			HINT = 'post_restore() finishes what SELECT bigpicture.pre_restore() started; see docs/backup.md.';
	END IF;
	-- Checks run with the guards of this session on again, but as one
	-- transaction: any failure leaves the database in restore mode.
	PERFORM set_config('session_replication_role', 'origin', true);
	PERFORM set_config('bigpicture.restoring', 'off', true);

	FOR t IN SELECT unnest(e.extconfig)::regclass FROM pg_extension e WHERE e.extname = 'bigpicture' ORDER BY 1 LOOP
		CONTINUE WHEN (SELECT c.relkind FROM pg_class c WHERE c.oid = t) = 'S';
		EXECUTE format('SELECT count(*) FROM %s', t) INTO n;
		rows_by_table := rows_by_table || jsonb_build_object(regexp_replace(t::text, '^bigpicture\.', ''), n);
	END LOOP;

	-- 1. Every foreign key between the extension's tables (not checked while
	--    the triggers were off), as MATCH SIMPLE: rows with a NULL are exempt.
	FOR fk IN SELECT c.conname, c.conrelid::regclass AS child, c.confrelid::regclass AS parent,
			(SELECT string_agg(format('x.%I IS NOT NULL', a.attname), ' AND ')
			 FROM unnest(c.conkey) k(n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS not_null,
			(SELECT string_agg(format('p.%I = x.%I', pa.attname, ca.attname), ' AND ')
			 FROM unnest(c.conkey, c.confkey) k(cn, pn)
			 JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = k.cn
			 JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.pn) AS joined
		FROM pg_constraint c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.conrelid
			AND d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'bigpicture')
		WHERE c.contype = 'f' ORDER BY c.conname LOOP
		EXECUTE format('SELECT count(*) FROM %s x WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)',
			fk.child, fk.not_null, fk.parent, fk.joined) INTO n;
		IF n > 0 THEN
			RAISE EXCEPTION 'the restored data breaks foreign key %: % rows of % have no row in %',
				fk.conname, n, fk.child, fk.parent USING ERRCODE = '23503',
				HINT = 'The dump is incomplete (a table left out with -t/-T?). Restore the whole dump into a new database.';
		END IF;
		fks := fks + 1;
	END LOOP;

	-- 2. Every audit chain recomputes and matches its head and checkpoint.
	FOR chain IN SELECT h.chain_id FROM bigpicture.audit_heads h UNION SELECT e.chain_id FROM bigpicture.audit_events e
			ORDER BY 1 LOOP
		SELECT * INTO v FROM bigpicture.verify_audit_chain(chain);
		IF NOT v.ok THEN
			RAISE EXCEPTION 'audit chain "%" does not verify after the restore: %', chain, v.problem
				USING ERRCODE = 'XX001', DETAIL = format('First bad event: %s.', v.first_bad_seq),
				HINT = 'Restore from another dump; the database stays in restore mode, so nothing is signed.';
		END IF;
		chains := chains + 1;
	END LOOP;

	-- 3. The master key of this server opens the restored keys: every active
	--    key signs a probe (a token of a kind of its purpose, thrown away).
	FOR key IN SELECT s.kid, s.purpose FROM bigpicture.signing_keys s WHERE s.state = 'active' ORDER BY s.kid LOOP
		PERFORM bigpicture._sign_with_key(key.kid, CASE key.purpose WHEN 'root' THEN 'keyset' WHEN 'lease' THEN 'lease'
			WHEN 'audit' THEN 'checkpoint' ELSE key.purpose END, '{}', now() + interval '1 minute');
	END LOOP;

	-- 4. Jobs: the defaults a 0.1.0 dump does not carry, and a re-signing run soon.
	PERFORM bigpicture._install_worker_jobs();
	PERFORM bigpicture._refresh_signatures_soon();

	PERFORM bigpicture._set_restoring(false);
	RETURN jsonb_build_object('rows', rows_by_table, 'foreign_keys_checked', fks, 'audit_chains_verified', chains,
		'keys_opened', (SELECT count(*) FROM bigpicture.signing_keys s WHERE s.state = 'active'));
END
$$;
COMMENT ON FUNCTION bigpicture.post_restore() IS
	'finish a restore: check foreign keys, audit chains and keys, then turn guards, signing and the worker back on (docs/backup.md)';

REVOKE ALL ON FUNCTION bigpicture._restoring(), bigpicture._require_superuser(text), bigpicture._set_restoring(boolean),
	bigpicture.pre_restore(), bigpicture.post_restore() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bigpicture._restoring() TO bigpicture_owner;

-- pg_restore installing the extension: enter restore mode (see the top).
DO $restore$
BEGIN
	IF current_setting('row_security') = 'off' AND current_setting('check_function_bodies') = 'off' THEN
		DELETE FROM bigpicture.worker_jobs;
		PERFORM bigpicture._set_restoring(true);
		RAISE WARNING 'bigpicture: installed by a restore, so database % is in restore mode: guards and signing are off',
			current_database()
			USING HINT = 'When the restore has finished, run SELECT bigpicture.post_restore(); see docs/backup.md.';
	END IF;
END
$restore$;
