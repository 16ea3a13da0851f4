-- The extension as the catalogue sees it, one line per object and property,
-- in a stable order: what an upgraded database must share with a fresh
-- install (test/upgrade/run, scripts/upgrade-draft).  Objects are the
-- extension's members (pg_depend deptype 'e') and what hangs off its
-- tables (columns, constraints, indexes, triggers, policies); for each, its
-- definition as PostgreSQL prints it, owner, privileges, initial privileges
-- (pg_init_privs, what pg_dump compares against) and comment.
\pset format unaligned
\pset tuples_only on
\pset fieldsep '|'
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'bigpicture'),
member AS (
	SELECT d.classid, d.objid FROM pg_depend d, ext WHERE d.refclassid = 'pg_extension'::regclass
		AND d.refobjid = ext.oid AND d.deptype = 'e'),
rel AS (SELECT c.* FROM pg_class c JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid),
fn AS (SELECT p.* FROM pg_proc p JOIN member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid),
typ AS (SELECT t.* FROM pg_type t JOIN member m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid),
lines(kind, ident, prop, val) AS (
	-- functions, procedures and aggregates
	SELECT 'function', p.oid::regprocedure::text, 'definition',
		CASE WHEN p.prokind = 'a' THEN format('aggregate sfunc=%s stype=%s', a.aggtransfn, a.aggtranstype::regtype)
			 ELSE pg_get_functiondef(p.oid) END
	FROM fn p LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
	UNION ALL SELECT 'function', p.oid::regprocedure::text, 'owner', p.proowner::regrole::text FROM fn p
	UNION ALL SELECT 'function', p.oid::regprocedure::text, 'acl', (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(p.proacl) x) FROM fn p
	UNION ALL SELECT 'function', p.oid::regprocedure::text, 'comment', obj_description(p.oid, 'pg_proc') FROM fn p
	-- tables, views, sequences, indexes, composite types
	UNION ALL SELECT 'relation', c.oid::regclass::text, 'kind',
		concat_ws(' ', c.relkind::text, 'rls=' || c.relrowsecurity, 'force=' || c.relforcerowsecurity, c.reloptions::text)
	FROM rel c
	UNION ALL SELECT 'relation', c.oid::regclass::text, 'owner', c.relowner::regrole::text FROM rel c
	UNION ALL SELECT 'relation', c.oid::regclass::text, 'acl', (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(c.relacl) x) FROM rel c
	UNION ALL SELECT 'relation', c.oid::regclass::text, 'comment', obj_description(c.oid, 'pg_class') FROM rel c
	UNION ALL SELECT 'relation', c.oid::regclass::text, 'view', pg_get_viewdef(c.oid) FROM rel c WHERE c.relkind = 'v'
	UNION ALL SELECT 'relation', c.oid::regclass::text, 'sequence',
		concat_ws(' ', s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcycle)
	FROM rel c JOIN pg_sequence s ON s.seqrelid = c.oid
	-- columns in order (dropped ones left out: an upgrade may have them)
	UNION ALL SELECT 'relation', c.oid::regclass::text, 'columns', string_agg(concat_ws(' ', quote_ident(a.attname),
		format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 'not null' END,
		'default ' || pg_get_expr(ad.adbin, ad.adrelid), CASE a.attidentity WHEN 'a' THEN 'identity always'
		WHEN 'd' THEN 'identity by default' END, CASE WHEN a.attgenerated = 's' THEN 'generated' END,
		'comment ' || col_description(c.oid, a.attnum), 'acl ' || (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(a.attacl) x)), ', ' ORDER BY a.attnum)
	FROM rel c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
	WHERE c.relkind IN ('r', 'v', 'c', 'p') GROUP BY c.oid
	UNION ALL SELECT 'constraint', con.conrelid::regclass::text || ' ' || con.conname, 'definition',
		pg_get_constraintdef(con.oid) || CASE WHEN con.condeferrable THEN ' deferrable' ELSE '' END
	FROM pg_constraint con JOIN rel c ON c.oid = con.conrelid
	UNION ALL SELECT 'index', i.indexrelid::regclass::text, 'definition', pg_get_indexdef(i.indexrelid)
	FROM pg_index i JOIN rel c ON c.oid = i.indrelid
	UNION ALL SELECT 'trigger', t.tgrelid::regclass::text || ' ' || t.tgname, 'definition',
		pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
	FROM pg_trigger t JOIN rel c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
	UNION ALL SELECT 'policy', pol.polrelid::regclass::text || ' ' || pol.polname, 'definition',
		concat_ws(' ', pol.polcmd::text, pol.polpermissive, (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END,
		',' ORDER BY 1) FROM unnest(pol.polroles) r), 'using ' || pg_get_expr(pol.polqual, pol.polrelid),
		'check ' || pg_get_expr(pol.polwithcheck, pol.polrelid))
	FROM pg_policy pol JOIN rel c ON c.oid = pol.polrelid
	-- types, operators, casts, schemas, operator classes
	UNION ALL SELECT 'type', t.oid::regtype::text, 'definition', concat_ws(' ', t.typtype::text, t.typinput, t.typoutput,
		t.typreceive, t.typsend, t.typlen, t.typalign, t.typstorage, t.typcategory,
		(SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
		(SELECT string_agg(pg_get_constraintdef(dc.oid), ' ' ORDER BY dc.conname) FROM pg_constraint dc WHERE dc.contypid = t.oid),
		t.typowner::regrole::text, (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(t.typacl) x), obj_description(t.oid, 'pg_type'))
	FROM typ t
	UNION ALL SELECT 'operator', o.oid::regoperator::text, 'definition', concat_ws(' ', o.oprcode, o.oprcom::regoperator,
		o.oprnegate::regoperator, o.oprrest, o.oprjoin, o.oprcanhash, o.oprcanmerge)
	FROM pg_operator o JOIN member m ON m.classid = 'pg_operator'::regclass AND m.objid = o.oid
	UNION ALL SELECT 'opclass', oc.opcname || ' ' || am.amname, 'definition', concat_ws(' ', oc.opcintype::regtype,
		oc.opcdefault, (SELECT string_agg(ao.amopstrategy || ':' || ao.amopopr::regoperator, ' ' ORDER BY ao.amopstrategy)
		FROM pg_amop ao WHERE ao.amopfamily = oc.opcfamily), (SELECT string_agg(ap.amprocnum || ':' || ap.amproc::regproc, ' '
		ORDER BY ap.amprocnum) FROM pg_amproc ap WHERE ap.amprocfamily = oc.opcfamily))
	FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
	JOIN member m ON m.classid = 'pg_opclass'::regclass AND m.objid = oc.oid
	UNION ALL SELECT 'cast', ca.castsource::regtype || ' as ' || ca.casttarget::regtype, 'definition',
		concat_ws(' ', ca.castfunc::regprocedure, ca.castcontext, ca.castmethod)
	FROM pg_cast ca JOIN member m ON m.classid = 'pg_cast'::regclass AND m.objid = ca.oid
	UNION ALL SELECT 'schema', n.nspname, 'definition', concat_ws(' ', n.nspowner::regrole, (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(n.nspacl) x),
		obj_description(n.oid, 'pg_namespace'))
	FROM pg_namespace n JOIN member m ON m.classid = 'pg_namespace'::regclass AND m.objid = n.oid
	-- what pg_dump leaves out of a dump: the initial privileges of members
	UNION ALL SELECT 'initprivs', CASE ip.classoid WHEN 'pg_proc'::regclass THEN ip.objoid::regprocedure::text
		WHEN 'pg_class'::regclass THEN ip.objoid::regclass::text WHEN 'pg_type'::regclass THEN ip.objoid::regtype::text
		WHEN 'pg_namespace'::regclass THEN ip.objoid::regnamespace::text ELSE ip.classoid::regclass || ' ' || ip.objoid END
		|| CASE WHEN ip.objsubid <> 0 THEN ' column ' || ip.objsubid ELSE '' END, ip.privtype::text, (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(ip.initprivs) x)
	FROM pg_init_privs ip JOIN member m ON m.classid = ip.classoid AND m.objid = ip.objoid
	-- default privileges (not members, but set by the install)
	UNION ALL SELECT 'defaultacl', da.defaclrole::regrole || ' ' || da.defaclobjtype::text
		|| COALESCE(' in ' || da.defaclnamespace::regnamespace::text, ''), 'acl',
		(SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(da.defaclacl) x)
	FROM pg_default_acl da WHERE da.defaclrole = 'bigpicture_owner'::regrole
	-- the extension itself: its configuration tables (what pg_dump dumps)
	UNION ALL SELECT 'extension', 'bigpicture', 'config', (SELECT string_agg(x.c::regclass || ' ' || COALESCE(NULLIF(x.w, ''), '-'),
		', ' ORDER BY x.c::regclass::text) FROM pg_extension e, unnest(e.extconfig, e.extcondition) x(c, w)
		WHERE e.extname = 'bigpicture')
	UNION ALL SELECT 'extension', 'bigpicture', 'version', (SELECT extversion FROM pg_extension WHERE extname = 'bigpicture')
	-- the rows an install seeds
	UNION ALL SELECT 'seed', 'worker_jobs', j.job, concat_ws(' ', j.description, j.every, j.enabled)
	FROM bigpicture.worker_jobs j
)
SELECT kind, ident, prop, replace(replace(COALESCE(val, '<null>'), '\', '\\'), E'\n', '\n')
FROM lines ORDER BY kind, ident, prop, val;
