-- Interop, step 3: the extension checks the keys and tokens made by the npm library.
-- usage: psql -At -v npmfile=OUT.json -f check-npm-tokens.sql  (OUT.json from verify.mjs)
-- Prints one "ok - ..." / "not ok - ..." line per check.
\set ON_ERROR_STOP on
\set npm `cat :'npmfile'`

-- paseto_verify, with any error caught and returned as its SQLSTATE and message.
CREATE FUNCTION pg_temp.try_verify(token text, key text, OUT state text, OUT message text, OUT payload jsonb)
	LANGUAGE plpgsql AS $$
BEGIN
	payload := bigpicture.paseto_verify(token, key);
	state := '00000';
EXCEPTION WHEN OTHERS THEN
	state := SQLSTATE;
	message := SQLERRM;
END
$$;

-- The npm key's PASERK and k4.pid, recomputed from its raw bytes by the extension.
SELECT CASE WHEN c.mine = c.theirs THEN 'ok' ELSE 'not ok' END
	   || format(' - extension computes the same %s for the %s', c.what, k ->> 'name')
	   || CASE WHEN c.mine = c.theirs THEN '' ELSE format(' (%s, npm %s)', c.mine, c.theirs) END
FROM jsonb_array_elements(:'npm'::jsonb -> 'keys') WITH ORDINALITY AS j(k, n),
	 LATERAL decode(k ->> 'raw_hex', 'hex') AS raw,
	 LATERAL (VALUES (1, 'PASERK k4.public', bigpicture.paserk_public(raw), k ->> 'paserk'),
					 (2, 'k4.pid', bigpicture.paserk_pid(raw), k ->> 'pid')) AS c(ord, what, mine, theirs)
ORDER BY j.n, c.ord;

-- Each npm-made token: accepted with the same payload (jsonb equality is semantic:
-- key order and number spelling do not matter), or rejected with SQLSTATE 22023.
SELECT CASE WHEN r.good THEN 'ok' ELSE 'not ok' END
	   || format(' - extension %s npm token: %s', CASE x ->> 'expect' WHEN 'accept' THEN 'accepts' ELSE 'rejects' END,
				 x ->> 'name')
	   || CASE WHEN r.good THEN ''
			   WHEN v.state = '00000' THEN format(' (accepted, payload %s)', left(v.payload::text, 200))
			   ELSE format(' (SQLSTATE %s: %s)', v.state, v.message) END
FROM jsonb_array_elements(:'npm'::jsonb -> 'cases') WITH ORDINALITY AS j(x, n),
	 LATERAL pg_temp.try_verify(x ->> 'token', x ->> 'key') AS v,
	 LATERAL (SELECT CASE x ->> 'expect'
						 WHEN 'accept' THEN v.state = '00000' AND v.payload = x -> 'payload'
						 ELSE v.state = '22023' END IS TRUE AS good) AS r
ORDER BY j.n;
