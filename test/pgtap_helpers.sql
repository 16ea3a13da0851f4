-- Helpers shared by the pgTAP suites, loaded by test/run-tests into each test
-- database after pgtap and bigpicture.  To run one suite by hand:
--   psql -d DB -c 'CREATE EXTENSION pgtap; CREATE EXTENSION bigpicture' -f test/pgtap_helpers.sql
--   pg_prove -d DB test/pgtap/keys.sql

-- The SQLSTATE a statement fails with, or NULL when it succeeds.
CREATE FUNCTION public.sqlstate_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END
$$;

-- "message | detail | hint" of the error a statement fails with, or NULL.
CREATE FUNCTION public.error_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	m text;
	d text;
	h text;
BEGIN
	EXECUTE stmt;
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
	RETURN concat_ws(' | ', m, d, h);
END
$$;

-- "SQLSTATE message" of the error a statement fails with, or NULL.
CREATE FUNCTION public.failure_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;
