-- Privileges, last so that nothing created above escapes them.  PostgreSQL
-- grants EXECUTE on new functions to PUBLIC; we take that back from every
-- function of the extension except the pure value functions below, which
-- anyone who can reach the schema may call (schema USAGE is itself granted
-- only to the bigpicture_* roles).  Everything else is granted role by role
-- in the file that creates it.

DO $privileges$
DECLARE
	f record;
BEGIN
	FOR f IN
		SELECT p.oid::regprocedure AS sig, p.proname
		FROM pg_catalog.pg_proc p
		JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass
			AND d.objid = p.oid AND d.deptype = 'e'
		JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'bigpicture'
	LOOP
		IF f.proname OPERATOR(pg_catalog.~) '^semver_'
			OR f.proname IN ('max', 'min', 'paserk_public', 'paserk_pid', 'paseto_verify',
							 'paseto_footer', 'rfc3339', 'key_purpose_of', 'new_id', 'is_valid_id', 'rollout_bucket') THEN
			EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f.sig);
		ELSE
			EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f.sig);
		END IF;
	END LOOP;
END
$privileges$;

-- Ownership: tables, sequences, views and functions belong to the NOLOGIN
-- role bigpicture_owner, so SECURITY DEFINER functions never run as the
-- superuser who installed the extension.  Types and operators stay with the
-- installer; they grant nothing.
-- Then a GRANT the new owner already holds: pg_dump compares privileges with
-- pg_init_privs, which a GRANT in this script records and a change of owner
-- does not.  Without it every dump would restate the owner's privileges of
-- every object (~250 statements), which fail on a restore into a later
-- version that renamed a function (docs/backup.md).
DO $ownership$
DECLARE
	o record;
BEGIN
	FOR o IN
		SELECT CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' END AS kind,
			CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS grant_kind, c.oid::regclass::text AS name
		FROM pg_catalog.pg_class c
		WHERE c.relnamespace IN ('bigpicture'::regnamespace, 'bigpicture_api'::regnamespace) AND c.relkind IN ('r', 'S', 'v')
		UNION ALL
		SELECT CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, 'FUNCTION', p.oid::regprocedure::text
		FROM pg_catalog.pg_proc p
		WHERE p.pronamespace IN ('bigpicture'::regnamespace, 'bigpicture_api'::regnamespace)
	LOOP
		EXECUTE pg_catalog.format('ALTER %s %s OWNER TO bigpicture_owner', o.kind, o.name);
		EXECUTE pg_catalog.format('GRANT ALL ON %s %s TO bigpicture_owner', o.grant_kind, o.name);
	END LOOP;
END
$ownership$;


-- Functions bigpicture_owner creates later (a job added by a DBA, say) are
-- not executable by PUBLIC either: PostgreSQL's default grants EXECUTE to
-- PUBLIC on every new function.  The default can be taken back only for all
-- of a role's functions in the database (a per-schema default adds to the
-- global one), so this is done for our own role, not for the installer's;
-- what an upgrade script creates as the installer gets the loops above.
ALTER DEFAULT PRIVILEGES FOR ROLE bigpicture_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
