-- Fixture for test/gateway/protocol: its own schemas and roles, created in
-- the database under test and dropped again by teardown.sql.  Most RPCs
-- take one unnamed jsonb argument (the body of a POST); those that GET
-- reaches take named parameters or none, as PostgREST's calling rules want.
\set ON_ERROR_STOP 1
CREATE ROLE gw_test_login LOGIN NOINHERIT PASSWORD NULL;
CREATE ROLE gw_test_anon NOLOGIN;
CREATE ROLE gw_test_user NOLOGIN;
CREATE ROLE gw_test_other NOLOGIN;    -- exists, but not granted to the login role
GRANT gw_test_anon, gw_test_user TO gw_test_login;

CREATE SCHEMA gw_test;
CREATE SCHEMA gw_test2;
GRANT USAGE ON SCHEMA gw_test, gw_test2 TO gw_test_anon, gw_test_user;

CREATE TABLE gw_test.written (id serial PRIMARY KEY, v jsonb UNIQUE);
GRANT SELECT, INSERT ON gw_test.written TO gw_test_user;
GRANT USAGE ON SEQUENCE gw_test.written_id_seq TO gw_test_user;

CREATE FUNCTION gw_test.echo(jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$ SELECT $1 $$;
CREATE FUNCTION gw_test.echo_json(json) RETURNS json LANGUAGE sql STABLE AS $$ SELECT $1 $$;
CREATE FUNCTION gw_test.hello() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'hello' $$;
COMMENT ON FUNCTION gw_test.hello() IS 'says hello';
CREATE FUNCTION gw_test.nothing() RETURNS void LANGUAGE sql STABLE AS $$ SELECT $$;
CREATE FUNCTION gw_test.numbers(n int DEFAULT 3) RETURNS SETOF int LANGUAGE sql STABLE
  AS $$ SELECT generate_series(1, n) $$;
CREATE FUNCTION gw_test.pairs() RETURNS TABLE (k int, v text) LANGUAGE sql STABLE
  AS $$ SELECT i, 'v' || i FROM generate_series(1, 2) i $$;
CREATE FUNCTION gw_test.no_rows() RETURNS TABLE (k int) LANGUAGE sql STABLE
  AS $$ SELECT 1 WHERE false $$;
CREATE FUNCTION gw_test.write(jsonb) RETURNS int LANGUAGE sql VOLATILE
  AS $$ INSERT INTO gw_test.written (v) VALUES ($1) RETURNING id $$;
CREATE FUNCTION gw_test.count_written(jsonb) RETURNS bigint LANGUAGE sql STABLE
  AS $$ SELECT count(*) FROM gw_test.written $$;
CREATE FUNCTION gw_test.sleep(jsonb) RETURNS int LANGUAGE sql VOLATILE
  AS $$ SELECT 1 FROM pg_sleep(coalesce(($1->>'s')::float8, 0.05)) $$;
-- raise a chosen SQLSTATE with message, detail and hint
CREATE FUNCTION gw_test.fail(jsonb) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = $1->>'code', MESSAGE = coalesce($1->>'message', 'failed'),
    DETAIL = coalesce($1->>'detail', 'some detail'), HINT = coalesce($1->>'hint', 'some hint');
END $$;
-- everything the gateway told the database about the request
CREATE FUNCTION gw_test.whoami(jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'current_user', current_user,
    'session_user', session_user,
    'claims', current_setting('request.jwt.claims', true)::jsonb,
    'headers', current_setting('request.headers', true)::jsonb,
    'cookies', current_setting('request.cookies', true)::jsonb,
    'method', current_setting('request.method', true),
    'path', current_setting('request.path', true),
    'search_path', current_setting('search_path'),
    'read_only', current_setting('transaction_read_only'),
    'pre', current_setting('gw_test.pre', true),
    'arg', $1)
$$;
-- the same for GET and POST {}: the no-argument overload
CREATE FUNCTION gw_test.whoami() RETURNS jsonb LANGUAGE sql STABLE AS $$ SELECT gw_test.whoami(NULL::jsonb) $$;
CREATE FUNCTION gw_test.custom_response(jsonb) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM set_config('response.headers',
    coalesce($1->>'headers', '[{"X-Gw-Test": "yes"}, {"Cache-Control": "no-store"}]'), true);
  PERFORM set_config('response.status', coalesce($1->>'status', '201'), true);
  RETURN '{"ok": true}';
END $$;
CREATE FUNCTION gw_test.pre_request() RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM set_config('gw_test.pre', 'ran', true);
  IF current_setting('request.headers', true)::jsonb ->> 'x-block' = 'yes' THEN
    RAISE EXCEPTION 'blocked by pre-request' USING ERRCODE = 'PT418';
  END IF;
END $$;
CREATE FUNCTION gw_test.root_spec() RETURNS json LANGUAGE sql STABLE
  AS $$ SELECT '{"openapi": "3.0.3", "info": {"title": "gw_test root spec", "version": "1"}, "paths": {}}'::json $$;
CREATE FUNCTION gw_test.big(jsonb) RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT repeat('x', coalesce(($1->>'n')::int, 100000)) $$;
-- anon may only call these two
CREATE FUNCTION gw_test.public_info(jsonb) RETURNS jsonb LANGUAGE sql STABLE
  AS $$ SELECT '{"public": true}'::jsonb $$;
CREATE FUNCTION gw_test.named(a int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a $$;

-- PostgREST's calling rules (docs "Functions as RPC"): named parameters,
-- defaults, types the values are cast to, reserved words as names.
CREATE FUNCTION gw_test.add(a int, b int DEFAULT 10) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
CREATE FUNCTION gw_test.typed(n int, flag boolean DEFAULT false, at timestamptz DEFAULT NULL,
                              tags text[] DEFAULT '{}', label text DEFAULT 'none', doc jsonb DEFAULT NULL)
  RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('n', n, 'n_plus_1', n + 1, 'flag', flag, 'not_flag', NOT flag,
    'at_epoch', extract(epoch FROM at), 'tags', to_jsonb(tags), 'n_tags', cardinality(tags),
    'label', label, 'doc', doc)
$$;
CREATE FUNCTION gw_test.span("from" timestamptz, "to" timestamptz DEFAULT NULL, "limit" int DEFAULT 100,
                             "user" text DEFAULT NULL, "Mixed Case" text DEFAULT NULL, "q""uote" text DEFAULT NULL)
  RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('from', extract(epoch FROM "from"), 'to', extract(epoch FROM "to"),
    'limit', "limit", 'user', "user", 'mixed', "Mixed Case", 'quote', "q""uote")
$$;
-- overloads told apart by their parameter names
CREATE FUNCTION gw_test.over() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'none' $$;
CREATE FUNCTION gw_test.over(x int) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'x:' || x $$;
CREATE FUNCTION gw_test.over(y text, z text DEFAULT 'z') RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'y:' || y || z $$;
CREATE FUNCTION gw_test.over(jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'json:' || $1::text $$;
-- two overloads that both match no arguments: PostgREST cannot choose
CREATE FUNCTION gw_test.amb(a int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a $$;
CREATE FUNCTION gw_test.amb(b text DEFAULT 'b') RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT b $$;
-- VARIADIC: a repeated query key gives the array (PostgREST's only use of repeats)
CREATE FUNCTION gw_test.vsum(VARIADIC v int[]) RETURNS int LANGUAGE sql IMMUTABLE
  AS $$ SELECT sum(x)::int FROM unnest(v) x $$;
-- a writer with a named parameter: GET runs it read-only
CREATE FUNCTION gw_test.write_named(w int) RETURNS int LANGUAGE sql VOLATILE
  AS $$ INSERT INTO gw_test.written (v) VALUES (jsonb_build_object('named', w)) RETURNING id $$;
-- rows, for limit and offset
CREATE FUNCTION gw_test.series(n int DEFAULT 5) RETURNS TABLE (i int) LANGUAGE sql STABLE
  AS $$ SELECT generate_series(1, n) $$;

CREATE FUNCTION gw_test2.where_am_i() RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'gw_test2' $$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA gw_test, gw_test2 FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA gw_test, gw_test2 TO gw_test_user;
GRANT EXECUTE ON FUNCTION gw_test.public_info(jsonb), gw_test.whoami(jsonb), gw_test.whoami(), gw_test.pre_request(),
  gw_test.root_spec(), gw_test.hello() TO gw_test_anon;
