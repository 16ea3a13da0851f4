-- The state the hostile cases must leave as they found it: per table of the
-- schemas bigpicture and bigpicture_api, its row count and a digest of its
-- rows; each audit chain's head; each sequence's position.  One
-- "what<TAB>value" line each (run by test/hostile/run as a superuser, which
-- row-level security does not filter).
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
SELECT format('SELECT %L, count(*) || %L || md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %I.%I t',
	'table ' || n.nspname || '.' || c.relname, ' rows, digest ', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('bigpicture', 'bigpicture_api') AND c.relkind IN ('r', 'p')
ORDER BY n.nspname, c.relname \gexec
SELECT 'audit chain ' || chain_id, 'head ' || seq || ' ' || encode(hash, 'hex') FROM bigpicture.audit_heads ORDER BY chain_id;
SELECT format('SELECT %L, last_value || %L || is_called FROM %I.%I', 'sequence ' || n.nspname || '.' || c.relname,
	' called ', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('bigpicture', 'bigpicture_api') AND c.relkind = 'S'
ORDER BY c.relname \gexec
