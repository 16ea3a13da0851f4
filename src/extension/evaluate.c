/*
 * evaluate.c — the decision engine: a tenant's merged policy for
 * a product and platform, and one product's update decision.
 *
 * A decision is the call the product serves most, so this is C over three
 * prepared queries per product — the product with its entitlements and
 * channels, the policy rows, the candidate releases newest first — where the
 * PL/pgSQL version ran about 25 statements.  Candidates are read through a
 * cursor so a large catalogue is read only down to the target.  The SQL
 * declarations are in src/sql/55_policies.sql and 65_decisions.sql;
 * test/pgtap/decisions.sql and policies.sql pin the behaviour.
 *
 * Every function here runs inside an SPI connection made by its caller and
 * allocates in the SPI procedure context.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/lsyscache.h"
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "common/hashfn.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "bigpicture.h"
#include "evaluate.h"

/* ---- prepared plans ------------------------------------------------------------ */

/* Run a read-only plan; the rows are in SPI_tuptable. */
static void
run_plan(SPIPlanPtr plan, Datum *values, const char *nulls)
{
	int			rc = SPI_execute_plan(plan, values, nulls, true, 0);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

static char *
col_text(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static bool
col_bool(HeapTuple tup, TupleDesc desc, int col, bool if_null)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? if_null : DatumGetBool(d);
}


/* The strings of a text[] column (NULL elements are skipped). */
static char **
col_text_array(HeapTuple tup, TupleDesc desc, int col, int *n)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);
	Datum	   *elems;
	bool	   *elem_nulls;
	char	  **out;
	int			count;

	*n = 0;
	if (isnull)
		return NULL;
	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &elems, &elem_nulls, &count);
	out = palloc(sizeof(char *) * (count + 1));
	for (int i = 0; i < count; i++)
		if (!elem_nulls[i])
			out[(*n)++] = TextDatumGetCString(elems[i]);
	return out;
}

/* ---- capabilities ---------------------------------------------------------------- */

void
bp_caps_from_jsonb(Jsonb *json, bp_caps *caps)
{
	static Jsonb *empty;		/* {} for requests without capabilities, made once */
	JsonbValue	v;

	if (empty == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		empty = DatumGetJsonbPCopy(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));
		MemoryContextSwitchTo(old);
	}
	memset(caps, 0, sizeof(*caps));
	caps->json = json ? json : empty;
	if (!JB_ROOT_IS_OBJECT(caps->json))
		return;
	if (getKeyJsonValueFromContainer(&caps->json->root, "can_elevate", 11, &v) && v.type == jbvBool)
		caps->can_elevate = v.val.boolean;
	if (getKeyJsonValueFromContainer(&caps->json->root, "install_scope", 13, &v) && v.type == jbvString)
		caps->install_scope = pnstrdup(v.val.string.val, v.val.string.len);
	if (getKeyJsonValueFromContainer(&caps->json->root, "installer_types", 15, &v))
	{
		caps->has_installer_types = true;
		if (v.type == jbvBinary && JsonContainerIsArray(v.val.binary.data))
		{
			JsonbIterator *it = JsonbIteratorInit(v.val.binary.data);
			JsonbValue	e;
			JsonbIteratorToken tok;

			caps->installer_types = palloc(sizeof(char *) * (JsonContainerSize(v.val.binary.data) + 1));
			while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
				if (tok == WJB_ELEM && e.type == jbvString)
					caps->installer_types[caps->n_installer_types++] = pnstrdup(e.val.string.val, e.val.string.len);
		}
	}
	caps->rules.can_elevate = caps->can_elevate;
	caps->rules.install_scope = caps->install_scope == NULL ? BP_SCOPE_UNKNOWN
		: strcmp(caps->install_scope, "user") == 0 ? BP_SCOPE_USER
		: strcmp(caps->install_scope, "machine") == 0 ? BP_SCOPE_MACHINE : BP_SCOPE_UNKNOWN;
	caps->rules.has_installer_types = caps->has_installer_types;
	caps->rules.installer_types = (const char *const *) caps->installer_types;
	caps->rules.n_installer_types = (size_t) caps->n_installer_types;
}

/* ---- effective policy -------------------------------------------------------------- */

/*
 * The policy rows that apply, with their scope (bp_policy_scope: 1 tenant
 * product, 2 product, 3 tenant, 4 global).  Merged in src/core/decide.c, not
 * sorted here: a sort node costs more to start than the rows cost.
 */
#define POLICY_TENANT_SQL \
"SELECT CASE WHEN p.product_id IS NULL THEN 3 ELSE 1 END, p.platform, p.mode, p.channel, p.pinned_range::text, " \
"       p.blocked::text[], p.maintenance_window, p.allow_prerelease, p.expired_entitlement_updates " \
"  FROM bigpicture.tenant_policies p " \
" WHERE p.tenant_id = $1 AND (p.product_id = $2 OR p.product_id IS NULL) " \
"   AND (p.platform IS NULL OR p.platform = $3) "
#define POLICY_VENDOR_SQL \
"SELECT CASE WHEN p.product_id IS NULL THEN 4 ELSE 2 END, p.platform, p.mode, p.channel, p.pinned_range::text, " \
"       p.blocked::text[], p.maintenance_window, p.allow_prerelease, p.expired_entitlement_updates " \
"  FROM bigpicture.vendor_policies p " \
" WHERE (p.product_id = $2 OR p.product_id IS NULL) AND (p.platform IS NULL OR p.platform = $3)"
static const char policy_sql[] = POLICY_TENANT_SQL "UNION ALL " POLICY_VENDOR_SQL;
/* Citus cannot plan the UNION ALL of a distributed and a reference table with parameters: two queries there. */
static const char policy_tenant_sql[] = POLICY_TENANT_SQL;
static const char policy_vendor_sql[] = POLICY_VENDOR_SQL;
static SPIPlanPtr policy_tenant_plan;
static SPIPlanPtr policy_vendor_plan;
static SPIPlanPtr policy_plan;

static void
set_field(bp_policy *pol, int f, char *json, const char *source)
{
	pol->value_json[f] = json;
	pol->source[f] = pstrdup(source);
}

static char *
json_string(const char *s)
{
	StringInfoData b;

	initStringInfo(&b);
	escape_json(&b, s);
	return b.data;
}

void
bp_effective_policy(const char *tenant_id, const char *product_id, const char *platform,
					const char *requested_channel, bp_policy *pol)
{
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	char		nulls[3];
	bp_policy_layer *layers;
	char	  **sources;
	int			from[BP_POLICY_FIELDS];
	TupleDesc	desc;
	HeapTuple  *rows;
	uint64		n_rows;

	memset(pol, 0, sizeof(*pol));
	values[0] = bp_text_or_null(tenant_id, &nulls[0]);
	values[1] = bp_text_or_null(product_id, &nulls[1]);
	values[2] = bp_text_or_null(platform, &nulls[2]);
	if (bp_citus_loaded())
	{
		SPITupleTable *tenant_rows;
		uint64		n_tenant;

		run_plan(bp_prepare_once(&policy_tenant_plan, policy_tenant_sql, 3, types), values, nulls);
		tenant_rows = SPI_tuptable;
		n_tenant = SPI_processed;
		run_plan(bp_prepare_once(&policy_vendor_plan, policy_vendor_sql, 3, types), values, nulls);
		n_rows = n_tenant + SPI_processed;
		rows = palloc(sizeof(HeapTuple) * (n_rows + 1));
		memcpy(rows, tenant_rows->vals, sizeof(HeapTuple) * n_tenant);
		memcpy(rows + n_tenant, SPI_tuptable->vals, sizeof(HeapTuple) * SPI_processed);
	}
	else
	{
		run_plan(bp_prepare_once(&policy_plan, policy_sql, 3, types), values, nulls);
		rows = SPI_tuptable->vals;
		n_rows = SPI_processed;
	}
	desc = SPI_tuptable->tupdesc;

	/* Which fields each row sets; src/core merges them. */
	layers = palloc0(sizeof(bp_policy_layer) * (n_rows + 1));
	sources = palloc0(sizeof(char *) * (n_rows + 1));
	for (uint64 r = 0; r < n_rows; r++)
	{
		HeapTuple	tup = rows[r];
		bool		isnull;
		bool		platform_wide;

		layers[r].scope = (bp_policy_scope) DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
		(void) SPI_getbinval(tup, desc, 2, &platform_wide);
		layers[r].platform = !platform_wide;
		for (int f = 0; f < BP_POLICY_FIELDS; f++)
		{
			Datum		v = SPI_getbinval(tup, desc, 3 + f, &isnull);

			layers[r].set[f] = !isnull;
			/* A JSON null window counts as unset, as it does in to_jsonb(row). */
			if (!isnull && f == BP_POLICY_MAINTENANCE_WINDOW)
			{
				Jsonb	   *w = DatumGetJsonbP(v);
				JsonbValue	scalar;

				if (JB_ROOT_IS_SCALAR(w) && JsonbExtractScalar(&w->root, &scalar) && scalar.type == jbvNull)
					layers[r].set[f] = false;
			}
		}
	}
	if (!bp_decide_merge_policy(layers, n_rows, from))
		elog(ERROR, "unexpected policy rows for tenant %s, product %s", tenant_id, product_id);

	for (int f = 0; f < BP_POLICY_FIELDS; f++)
	{
		HeapTuple	tup;
		char	   *source;
		int			col = 3 + f;
		bool		isnull;

		if (from[f] < 0)
			continue;
		tup = rows[from[f]];
		/* "scope" or "scope:platform", once per row that supplies a field */
		if (sources[from[f]] == NULL)
		{
			const char *scope = bp_policy_scope_name(layers[from[f]].scope);
			char	   *plat = col_text(tup, desc, 2);

			sources[from[f]] = plat ? psprintf("%s:%s", scope, plat) : pstrdup(scope);
		}
		source = sources[from[f]];
		switch ((bp_policy_field) f)
		{
			case BP_POLICY_MODE:
				pol->mode = col_text(tup, desc, col);
				set_field(pol, f, json_string(pol->mode), source);
				break;
			case BP_POLICY_CHANNEL:
				pol->channel = col_text(tup, desc, col);
				set_field(pol, f, json_string(pol->channel), source);
				break;
			case BP_POLICY_PINNED_RANGE:
				pol->pinned_range = col_text(tup, desc, col);
				set_field(pol, f, json_string(pol->pinned_range), source);
				break;
			case BP_POLICY_BLOCKED:
				{
					StringInfoData b;

					pol->has_blocked = true;
					pol->blocked = col_text_array(tup, desc, col, &pol->n_blocked);
					initStringInfo(&b);
					appendStringInfoChar(&b, '[');
					for (int i = 0; i < pol->n_blocked; i++)
					{
						if (i > 0)
							appendStringInfoChar(&b, ',');
						escape_json(&b, pol->blocked[i]);
					}
					appendStringInfoChar(&b, ']');
					set_field(pol, f, b.data, source);
					break;
				}
			case BP_POLICY_MAINTENANCE_WINDOW:
				pol->window = DatumGetJsonbPCopy(SPI_getbinval(tup, desc, col, &isnull));
				set_field(pol, f, JsonbToCString(NULL, &pol->window->root, VARSIZE(pol->window)), source);
				break;
			case BP_POLICY_ALLOW_PRERELEASE:
				pol->allow_prerelease = col_bool(tup, desc, col, false);
				set_field(pol, f, pstrdup(pol->allow_prerelease ? "true" : "false"), source);
				break;
			case BP_POLICY_EXPIRED_UPDATES:
				pol->expired_rule = col_text(tup, desc, col);
				set_field(pol, f, json_string(pol->expired_rule), source);
				break;
			case BP_POLICY_FIELDS:
				break;
		}
	}
	SPI_freetuptable(SPI_tuptable);

	/* Defaults (src/core/decide.h): where no scope set a field. */
	if (pol->mode == NULL)
	{
		pol->mode = bp_mode_name(BP_POLICY_DEFAULT_MODE);
		set_field(pol, BP_POLICY_MODE, json_string(pol->mode), "default");
	}
	if (pol->channel == NULL)
	{
		pol->channel = pstrdup(requested_channel ? requested_channel : BP_POLICY_DEFAULT_CHANNEL);
		set_field(pol, BP_POLICY_CHANNEL, json_string(pol->channel), requested_channel ? "request" : "default");
	}
	if (pol->value_json[BP_POLICY_ALLOW_PRERELEASE] == NULL)
	{
		pol->allow_prerelease = BP_POLICY_DEFAULT_ALLOW_PRERELEASE;
		set_field(pol, BP_POLICY_ALLOW_PRERELEASE, pstrdup(pol->allow_prerelease ? "true" : "false"), "default");
	}
	if (pol->expired_rule == NULL)
	{
		pol->expired_rule = bp_expired_rule_name(BP_POLICY_DEFAULT_EXPIRED_RULE);
		set_field(pol, BP_POLICY_EXPIRED_UPDATES, json_string(pol->expired_rule), "default");
	}
}

/* {"policy": {...}, "sources": {...}} or one of the two objects. */
void
bp_policy_append_json(StringInfo out, const bp_policy *pol, bool sources)
{
	bool		first = true;

	appendStringInfoChar(out, '{');
	for (int f = 0; f < BP_POLICY_FIELDS; f++)
	{
		if (pol->value_json[f] == NULL)
			continue;
		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		escape_json(out, bp_policy_field_name((bp_policy_field) f));
		appendStringInfoChar(out, ':');
		if (sources)
			escape_json(out, pol->source[f]);
		else
			appendStringInfoString(out, pol->value_json[f]);
	}
	appendStringInfoChar(out, '}');
}

/* ---- one product's decision ------------------------------------------------------ */

/* The product, its channels, and whether the running version has been revoked. */
static const char product_sql[] =
"SELECT p.requires_entitlement, ch.names, ch.prerelease, "
"       $2::bigpicture.semver IS NOT NULL AND EXISTS ( "
"           SELECT 1 FROM bigpicture.releases r WHERE r.product_id = p.product_id "
"              AND r.version OPERATOR(bigpicture.=) $2::bigpicture.semver AND r.status = 'revoked') "
"  FROM bigpicture.products p "
" CROSS JOIN LATERAL ( "
"       SELECT array_agg(c.channel) AS names, array_agg(c.allows_prerelease) AS prerelease "
"         FROM bigpicture.channels c WHERE c.product_id = p.product_id) ch "
" WHERE p.product_id = $1";
static SPIPlanPtr product_plan;

/* Whether the tenant holds a live entitlement to the product, and when its
 * latest expired one ended (only asked of products that need one). */
static const char entitlement_sql[] =
"SELECT COALESCE(bool_or(bigpicture.entitlement_state(e) = 'active'), false), "
"       max(e.ends_at) FILTER (WHERE bigpicture.entitlement_state(e) = 'expired') "
"  FROM bigpicture.entitlements e WHERE e.tenant_id = $1 AND e.product_id = $2";
/*
 * The same under Citus, from the columns: the query runs on a shard, whose
 * row type is not bigpicture.entitlements.  (One node keeps the row form, so
 * this library still decides against 0.1.0's SQL before ALTER EXTENSION UPDATE.)
 */
static const char entitlement_citus_sql[] =
"SELECT COALESCE(bool_or(bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at) = 'active'), false), "
"       max(e.ends_at) FILTER (WHERE bigpicture.entitlement_state_of(e.status, e.starts_at, e.ends_at) = 'expired') "
"  FROM bigpicture.entitlements e WHERE e.tenant_id = $1 AND e.product_id = $2";
static SPIPlanPtr entitlement_plan;
static SPIPlanPtr entitlement_citus_plan;

/*
 * Published releases of the channel newer than the running version, newest
 * first, one row per artifact for this platform and arch and rollout row
 * that applies (platform's own or platform-wide).  A release's rows are
 * consecutive: versions are unique within a product.  Which artifact and
 * rollout apply is chosen in C (choose_artifact), so the plan is plain
 * joins down an index, cheap to start and read only down to the target.
 */
static const char candidates_sql[] =
"SELECT r.release_id, r.version, r.critical, r.published_at, "
"       x.url, x.sha256, x.size, x.installer_type, x.requires_admin, x.install_scope, "
"       o.platform, o.percentage, o.salt, o.paused, o.halted_at IS NOT NULL, o.max_new_per_hour, "
"       o.release_id IS NOT NULL AND EXISTS (SELECT 1 FROM bigpicture.rollout_members m "
"         WHERE m.release_id = r.release_id AND m.tenant_id = $6 AND m.install_id = $7) "
"  FROM bigpicture.releases r "
"  JOIN bigpicture.release_artifacts ra ON ra.release_id = r.release_id AND ra.platform = $3 AND ra.arch = $4 "
"  JOIN bigpicture.artifacts x ON x.artifact_id = ra.artifact_id "
"  LEFT JOIN bigpicture.rollouts o ON o.release_id = r.release_id AND (o.platform IS NULL OR o.platform = $3) "
" WHERE r.product_id = $1 AND r.channel = $2 AND r.status = 'published' "
"   AND ($5::bigpicture.semver IS NULL OR r.version OPERATOR(bigpicture.>) $5::bigpicture.semver) "
" ORDER BY r.version DESC";
static SPIPlanPtr candidates_plan;

/*
 * The same for a database still at 0.1.0 (before ALTER EXTENSION UPDATE):
 * the library serves both, and 0.1.0 has no halts, velocity or members.
 */
static const char candidates_sql_0_1_0[] =
"SELECT r.release_id, r.version, r.critical, r.published_at, "
"       x.url, x.sha256, x.size, x.installer_type, x.requires_admin, x.install_scope, "
"       o.platform, o.percentage, o.salt, o.paused, false, NULL::integer, false "
"  FROM bigpicture.releases r "
"  JOIN bigpicture.release_artifacts ra ON ra.release_id = r.release_id AND ra.platform = $3 AND ra.arch = $4 "
"  JOIN bigpicture.artifacts x ON x.artifact_id = ra.artifact_id "
"  LEFT JOIN bigpicture.rollouts o ON o.release_id = r.release_id AND (o.platform IS NULL OR o.platform = $3) "
" WHERE r.product_id = $1 AND r.channel = $2 AND r.status = 'published' "
"   AND ($5::bigpicture.semver IS NULL OR r.version OPERATOR(bigpicture.>) $5::bigpicture.semver) "
" ORDER BY r.version DESC";
static SPIPlanPtr candidates_plan_0_1_0;

/* Has this database's schema the rollout members (0.2.0 on)?  A syscache lookup. */
bool
bp_schema_has_rollout_members(void)
{
	Oid			ns = get_namespace_oid("bigpicture", true);

	return OidIsValid(ns) && OidIsValid(get_relname_relid("rollout_members", ns));
}

static const char window_sql[] = "SELECT bigpicture.in_maintenance_window($1, pg_catalog.now())";
static SPIPlanPtr window_plan;

/* Candidate columns, 1-based. */
enum
{
	C_RELEASE = 1, C_VERSION, C_CRITICAL, C_PUBLISHED, C_URL, C_SHA256, C_SIZE, C_INSTALLER, C_ADMIN,
	C_SCOPE, C_ROLLOUT_PLATFORM, C_PERCENT, C_SALT, C_PAUSED, C_HALTED, C_MAX_NEW_PER_HOUR, C_MEMBER
};

#define CANDIDATE_BATCH 16

/* One release being considered, gathered from its rows. */
typedef struct candidate
{
	char	   *release_id;
	bp_semver	version;		/* points into version_datum */
	Datum		version_datum;
	bool		critical;
	bool		has_published;
	TimestampTz published_at;
	/* the artifact chosen so far and its rank */
	bp_artifact artifact;
	bp_artifact_rank rank;
	/* the rollout: the platform's own row wins over a platform-wide one */
	bool		has_rollout;
	bool		rollout_is_platforms;
	int			percentage;
	bytea	   *salt;
	bool		paused;
	bool		halted;			/* no new install enters */
	int			max_new_per_hour;	/* 0: no limit */
	bool		member;			/* this install entered the rollout before */
} candidate;

/* Take this row's artifact and rollout into the candidate where they rank first. */
static void
gather_row(const bp_caps *caps, HeapTuple tup, TupleDesc desc, candidate *c, bool first)
{
	bool		isnull;
	char	   *installer_type = col_text(tup, desc, C_INSTALLER);
	bool		requires_admin = col_bool(tup, desc, C_ADMIN, false);
	char	   *install_scope = col_text(tup, desc, C_SCOPE);
	bp_artifact_rank rank;

	bp_decide_rank_artifact(&caps->rules, installer_type, requires_admin,
							strcmp(install_scope, "machine") == 0 ? BP_SCOPE_MACHINE : BP_SCOPE_USER, &rank);
	if (first || bp_decide_ranks_before(&rank, &c->rank))
	{
		c->artifact.url = col_text(tup, desc, C_URL);
		c->artifact.sha256 = col_text(tup, desc, C_SHA256);
		c->artifact.size = DatumGetInt64(SPI_getbinval(tup, desc, C_SIZE, &isnull));
		c->artifact.installer_type = installer_type;
		c->artifact.requires_admin = requires_admin;
		c->artifact.install_scope = install_scope;
		c->rank = rank;
	}
	{
		Datum		salt = SPI_getbinval(tup, desc, C_SALT, &isnull);
		bool		platform_wide;

		(void) SPI_getbinval(tup, desc, C_ROLLOUT_PLATFORM, &platform_wide);
		if (!isnull && (!c->has_rollout || (!c->rollout_is_platforms && !platform_wide)))
		{
			c->has_rollout = true;
			c->rollout_is_platforms = !platform_wide;
			c->salt = DatumGetByteaPCopy(salt);
			c->percentage = DatumGetInt32(SPI_getbinval(tup, desc, C_PERCENT, &isnull));
			c->paused = col_bool(tup, desc, C_PAUSED, false);
			c->halted = col_bool(tup, desc, C_HALTED, false);
			{
				Datum		m = SPI_getbinval(tup, desc, C_MAX_NEW_PER_HOUR, &isnull);

				c->max_new_per_hour = isnull ? 0 : DatumGetInt32(m);
			}
			c->member = col_bool(tup, desc, C_MEMBER, false);
		}
	}
}

static void
start_candidate(HeapTuple tup, TupleDesc desc, candidate *c)
{
	bool		isnull;
	Datum		published;
	Form_pg_attribute att = TupleDescAttr(desc, C_VERSION - 1);

	memset(c, 0, sizeof(*c));
	c->release_id = col_text(tup, desc, C_RELEASE);
	c->version_datum = datumCopy(SPI_getbinval(tup, desc, C_VERSION, &isnull), att->attbyval, att->attlen);
	c->version = bp_semver_from_datum(c->version_datum);
	c->critical = col_bool(tup, desc, C_CRITICAL, false);
	published = SPI_getbinval(tup, desc, C_PUBLISHED, &isnull);
	c->has_published = !isnull;
	if (!isnull)
		c->published_at = DatumGetTimestampTz(published);
}

/* Is the maintenance window open now (in the active snapshot's time)? */
static bool
window_is_open(Jsonb *window)
{
	static Oid	types[1] = {JSONBOID};
	Datum		values[1] = {JsonbPGetDatum(window)};
	bool		isnull;
	bool		open;

	run_plan(bp_prepare_once(&window_plan, window_sql, 1, types), values, NULL);
	open = SPI_processed != 1 ||
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) || isnull;
	SPI_freetuptable(SPI_tuptable);
	return open;
}

/* What the evaluation of one product needs to judge its candidates. */
typedef struct judge
{
	const bp_eval_input *in;
	bp_decide_rules rules;
	bp_semver_range pinned;
	Jsonb	   *window;			/* the policy's maintenance window, or NULL */
	int		   *window_open;	/* -1 until asked, then 0 or 1 (kept by a group) */
	bp_eval_cache *cache;		/* a batch's caches, or NULL for one decision */
} judge;

/* A candidate being judged, with the evaluation it belongs to. */
typedef struct judging
{
	const judge *j;
	const candidate *c;
} judging;

/* bp_decide_action's question: the policy's window, asked only when an install is due (once per group) */
static bool
policy_window_open(void *ctx)
{
	const judge *j = ctx;

	if (*j->window_open < 0)
		*j->window_open = window_is_open(j->window) ? 1 : 0;
	return *j->window_open == 1;
}

/*
 * Has the rollout let max installs in during the last hour?  Asked only for
 * an install that would enter it, and reads at most max index entries.
 */
static bool
rollout_hour_full(const char *release_id, int max);

static bool cached_rollout_full(bp_eval_cache *cache, const char *release_id, int max);

/* bp_decide_drop's question, asked of the candidate being judged */
static bool
candidate_rollout_full(void *ctx, const bp_decide_candidate *dc)
{
	const judging *g = ctx;

	if (g->j->cache)
		return cached_rollout_full(g->j->cache, g->c->release_id, dc->max_new_per_hour);
	return rollout_hour_full(g->c->release_id, dc->max_new_per_hour);
}

static bool
rollout_hour_full(const char *release_id, int max)
{
	static SPIPlanPtr plan;
	Oid			types[2] = {TEXTOID, INT4OID};
	Datum		values[2];
	bool		isnull;
	int64		n;

	values[0] = CStringGetTextDatum(release_id);
	values[1] = Int32GetDatum(max);
	if (SPI_execute_plan(bp_prepare_once(&plan, "SELECT count(*) FROM (SELECT 1 FROM bigpicture.rollout_members m "
										 "WHERE m.release_id = $1 AND m.entered_at > pg_catalog.now() - interval '1 hour' "
										 "LIMIT $2) s", 2, types),
						 values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not count a rollout's new installs");
	n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return n >= max;
}

/*
 * 3.–5. Keep or drop one candidate, newest first; the first one kept is the
 * target.  Returns true when the evaluation needs no more candidates.
 */
static bool
consider(const judge *j, bp_decision *d, const candidate *c)
{
	const bp_eval_input *in = j->in;
	const char *bucket_key = in->install_id ? in->install_id : in->tenant_id;
	int			bucket = c->has_rollout ? bp_rollout_bucket_of(c->salt, bucket_key) : 0;
	bp_decide_candidate dc = {
		.version = &c->version, .has_published = c->has_published, .published_at = c->published_at,
		.has_rollout = c->has_rollout, .bucket = bucket, .percentage = c->percentage, .paused = c->paused,
		.halted = c->halted, .member = c->member, .max_new_per_hour = c->max_new_per_hour,
	};
	judging		g = {j, c};
	bp_reason	why = bp_decide_drop(&j->rules, &dc, d->have_target, candidate_rollout_full, &g);
	const char *drop = why == BP_REASON_NONE ? NULL : bp_reason_name(why);

	if (in->with_trace)
	{
		appendStringInfoString(d->trace, d->trace->len == 0 ? "[" : ",");
		appendStringInfoString(d->trace, "{\"release_id\":");
		escape_json(d->trace, c->release_id);
		appendStringInfoString(d->trace, ",\"version\":");
		escape_json(d->trace, bp_semver_text(&c->version));
		appendStringInfo(d->trace, ",\"kept\":%s,\"reason\":", drop ? "false" : "true");
		if (drop)
			escape_json(d->trace, drop);
		else
			appendStringInfoString(d->trace, "null");
		if (c->has_rollout)
			appendStringInfo(d->trace, ",\"rollout\":{\"percentage\":%d,\"paused\":%s,\"halted\":%s,"
							 "\"member\":%s,\"bucket\":%d}}",
							 c->percentage, c->paused ? "true" : "false", c->halted ? "true" : "false",
							 c->member ? "true" : "false", bucket);
		else
			appendStringInfoString(d->trace, ",\"rollout\":null}");
	}
	if (drop == NULL)
	{
		d->have_target = true;
		d->release_id = c->release_id;
		d->version = bp_semver_text(&c->version);
		d->critical = c->critical;
		d->has_bucket = c->has_rollout;
		d->bucket = bucket;
		d->enters_rollout = bp_decide_enters_rollout(&dc);
		d->artifact = c->artifact;
		return !in->with_trace;
	}
	bp_reasons_add(&d->reasons, why);
	return false;
}

/* Called with each complete candidate, newest first; true: no more are needed. */
typedef bool (*candidate_fn) (void *arg, candidate *c);

/*
 * Read the candidates of in's product on channel through a cursor, a
 * release at a time, until fn says done.
 */
static void
for_each_candidate(const bp_eval_input *in, const char *channel, candidate_fn fn, void *arg)
{
	Oid			types[7] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	Portal		portal;
	candidate	c;
	bool		have = false;
	bool		done = false;

	values[0] = CStringGetTextDatum(in->product_id);
	values[1] = CStringGetTextDatum(channel);
	values[2] = CStringGetTextDatum(in->platform);
	values[3] = CStringGetTextDatum(in->arch);
	values[4] = bp_text_or_null(in->current_version, &nulls[4]);
	values[5] = CStringGetTextDatum(in->tenant_id);
	values[6] = bp_text_or_null(in->install_id, &nulls[6]);
	/* Read newest first and in part: a plan that starts fast, down the index, without a sort. */
	portal = SPI_cursor_open(NULL, bp_schema_has_rollout_members()
							 ? bp_prepare_cursor_once(&candidates_plan, candidates_sql, 7, types, CURSOR_OPT_FAST_PLAN)
							 : bp_prepare_cursor_once(&candidates_plan_0_1_0, candidates_sql_0_1_0, 7, types,
													  CURSOR_OPT_FAST_PLAN),
							 values, nulls, true);
	while (!done)
	{
		SPITupleTable *batch;
		uint64		n_batch;

		SPI_cursor_fetch(portal, true, CANDIDATE_BATCH);
		/* kept aside: judging a candidate may run a query of its own */
		batch = SPI_tuptable;
		n_batch = SPI_processed;
		if (n_batch == 0)
			break;
		for (uint64 r = 0; r < n_batch && !done; r++)
		{
			HeapTuple	tup = batch->vals[r];
			TupleDesc	desc = batch->tupdesc;
			char	   *release_id = col_text(tup, desc, C_RELEASE);

			if (have && strcmp(release_id, c.release_id) != 0)
			{
				done = fn(arg, &c);
				have = false;
			}
			if (done)
				break;
			if (!have)
				start_candidate(tup, desc, &c);
			gather_row(in->caps, tup, desc, &c, !have);
			have = true;
		}
		SPI_freetuptable(batch);
	}
	if (have && !done)
		(void) fn(arg, &c);
	SPI_cursor_close(portal);
}

typedef struct considering
{
	const judge *j;
	bp_decision *d;
} considering;

static bool
consider_one(void *arg, candidate *c)
{
	considering *k = arg;

	return consider(k->j, k->d, c);
}

/* How far a product's evaluation got before its candidates. */
typedef enum group_state
{
	GROUP_HIDDEN,				/* tenant suspended or product not visible: d has the one reason */
	GROUP_UNKNOWN_CHANNEL,		/* visible, but the policy's channel is not the product's */
	GROUP_CANDIDATES			/* candidates are to be judged on d->channel */
} group_state;

/*
 * 1.–2. Everything one product's decision needs besides its candidates:
 * the tenant, the product, the entitlement and the merged policy.  Only
 * *current_revoked depends on in->current_version.
 */
static group_state
load_group(const bp_eval_input *in, judge *j, bp_decision *d, bool *current_revoked)
{
	Oid			types[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char		nulls[2] = {' ', ' '};
	char	  **channels;
	int			n_channels;
	bool	   *channel_prerelease = NULL;
	bool		isnull;
	int			channel = -1;

	d->product_id = in->product_id;
	d->action = BP_ACTION_NONE;
	d->channel = in->requested_channel;
	*current_revoked = false;

	/* 1. Tenant active, product visible.  Never an error that tells whether a product exists. */
	if (!in->tenant_active)
	{
		bp_reasons_add(&d->reasons, BP_REASON_TENANT_SUSPENDED);
		return GROUP_HIDDEN;
	}
	values[0] = CStringGetTextDatum(in->product_id);
	values[1] = bp_text_or_null(in->current_version, &nulls[1]);
	run_plan(bp_prepare_once(&product_plan, product_sql, 2, types), values, nulls);
	if (SPI_processed != 1)
	{
		SPI_freetuptable(SPI_tuptable);
		bp_reasons_add(&d->reasons, BP_REASON_NOT_ENTITLED);
		return GROUP_HIDDEN;
	}
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		Datum		pre = SPI_getbinval(tup, desc, 3, &isnull);

		j->rules.requires_entitlement = col_bool(tup, desc, 1, false);
		channels = col_text_array(tup, desc, 2, &n_channels);
		if (!isnull)
		{
			Datum	   *elems;
			bool	   *elem_nulls;
			int			count;

			deconstruct_array(DatumGetArrayTypeP(pre), BOOLOID, 1, true, TYPALIGN_CHAR,
							  &elems, &elem_nulls, &count);
			channel_prerelease = palloc0(sizeof(bool) * (count + 1));
			for (int i = 0; i < count; i++)
				channel_prerelease[i] = !elem_nulls[i] && DatumGetBool(elems[i]);
		}
		*current_revoked = col_bool(tup, desc, 4, false);
	}
	SPI_freetuptable(SPI_tuptable);
	if (j->rules.requires_entitlement)
	{
		Datum		cutoff;
		bool		have_cutoff;

		values[0] = CStringGetTextDatum(in->tenant_id);
		values[1] = CStringGetTextDatum(in->product_id);
		nulls[1] = ' ';
		run_plan(bp_citus_loaded() ? bp_prepare_once(&entitlement_citus_plan, entitlement_citus_sql, 2, types)
				 : bp_prepare_once(&entitlement_plan, entitlement_sql, 2, types), values, nulls);
		j->rules.entitlement_active = col_bool(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, false);
		cutoff = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
		have_cutoff = !isnull;
		if (have_cutoff)
			j->rules.cutoff = DatumGetTimestampTz(cutoff);
		j->rules.has_cutoff = have_cutoff;
		SPI_freetuptable(SPI_tuptable);
		if (!j->rules.entitlement_active && !have_cutoff)
		{
			bp_reasons_add(&d->reasons, BP_REASON_NOT_ENTITLED);
			return GROUP_HIDDEN;
		}
	}
	d->visible = true;

	/* 2. Effective policy. */
	bp_effective_policy(in->tenant_id, in->product_id, in->platform, in->requested_channel, &d->policy);
	d->mode = d->policy.mode;
	d->channel = d->policy.channel;
	j->window = d->policy.window;
	if (d->policy.pinned_range)
	{
		bp_semver_range_from_text(d->policy.pinned_range, &j->pinned);
		j->rules.pinned = &j->pinned;
	}
	if (d->policy.n_blocked > 0)
	{
		bp_semver_range *blocked = palloc(sizeof(bp_semver_range) * d->policy.n_blocked);

		for (int i = 0; i < d->policy.n_blocked; i++)
			bp_semver_range_from_text(d->policy.blocked[i], &blocked[i]);
		j->rules.blocked = blocked;
		j->rules.n_blocked = (size_t) d->policy.n_blocked;
	}

	for (int i = 0; i < n_channels; i++)
		if (strcmp(channels[i], d->channel) == 0)
			channel = i;
	if (channel < 0)
	{
		bp_reasons_add(&d->reasons, BP_REASON_UNKNOWN_CHANNEL);
		return GROUP_UNKNOWN_CHANNEL;
	}
	j->rules.allow_prerelease = (channel_prerelease && channel_prerelease[channel]) || d->policy.allow_prerelease;
	if (!bp_expired_rule_from_name(d->policy.expired_rule, &j->rules.expired_rule))
		elog(ERROR, "unknown expired_entitlement_updates %s", d->policy.expired_rule);
	return GROUP_CANDIDATES;
}

/* 6.–7. The target's action and the reasons, once the candidates are judged. */
static void
conclude(const judge *j, bp_decision *d, bool current_revoked)
{
	bp_mode		mode;
	bp_decide_target target = {
		.requires_admin = d->artifact.requires_admin,
		.install_scope = d->artifact.install_scope && strcmp(d->artifact.install_scope, "machine") == 0
		? BP_SCOPE_MACHINE : BP_SCOPE_USER,
		.installer_type = d->artifact.installer_type,
		.has_window = d->policy.window != NULL,
	};

	if (d->trace != NULL && d->trace->len > 0)
		appendStringInfoChar(d->trace, ']');
	if (current_revoked)
		bp_reasons_prepend(&d->reasons, BP_REASON_CURRENT_VERSION_REVOKED);
	if (d->have_target && !bp_mode_from_name(d->mode, &mode))
		elog(ERROR, "unknown policy mode %s", d->mode);
	d->action = bp_decide_action(d->have_target ? mode : BP_MODE_NOTIFY_ONLY, &j->in->caps->rules,
								 d->have_target ? &target : NULL, &d->reasons, policy_window_open,
								 (void *) j);
}

void
bp_evaluate(const bp_eval_input *in, bp_decision *d)
{
	judge		j = {0};
	int			window_open = -1;
	bool		current_revoked;
	group_state st;

	memset(d, 0, sizeof(*d));
	if (in->with_trace)
		d->trace = makeStringInfo();
	j.in = in;
	j.window_open = &window_open;
	st = load_group(in, &j, d, &current_revoked);
	if (st == GROUP_HIDDEN)
		return;
	if (st == GROUP_CANDIDATES)
	{
		considering k = {&j, d};

		for_each_candidate(in, d->channel, consider_one, &k);
	}
	conclude(&j, d, current_revoked);
}

/* ---- many decisions in one snapshot (the dry run) ---------------------------------- */

/*
 * Hash tables keyed by a pointer to a string the entry keeps (dynahash
 * compares the strings): keys of any length, entries as small as they are.
 */
static uint32
strptr_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, (int) strlen(s));
}

static int
strptr_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

HTAB *
bp_string_table(const char *name, Size entrysize, MemoryContext cxt)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(char *);
	ctl.entrysize = entrysize;
	ctl.hash = strptr_hash;
	ctl.match = strptr_match;
	ctl.hcxt = cxt;
	return hash_create(name, 256, &ctl, HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

/* Find key in table; a new entry is zeroed and keeps a copy of the key. */
void *
bp_string_table_enter(HTAB *table, Size size, MemoryContext cxt, const char *key, bool *found)
{
	char	  **entry = hash_search(table, &key, HASH_ENTER, found);

	if (!*found)
	{
		memset(entry, 0, size);
		*entry = MemoryContextStrdup(cxt, key);
	}
	return entry;
}

#define strptr_lookup(table, type, cxt, key, found) \
	((type *) bp_string_table_enter(table, sizeof(type), cxt, key, found))

typedef struct group_entry
{
	char	   *key;			/* tenant, product, platform, arch */
	group_state state;
	judge		j;				/* without in */
	int			window_open;
	bp_decision proto;			/* what load_group set */
	struct candidate_list *list;
	struct revoked_entry *revoked;	/* the product's revoked versions, once asked */
} group_entry;

typedef struct candidate_list
{
	char	   *key;			/* product, channel, platform, arch */
	int			n;
	int			cap;
	candidate  *c;
} candidate_list;

typedef struct revoked_entry
{
	char	   *key;			/* product */
	int			n;
	bp_semver  *versions;
} revoked_entry;

typedef struct members_entry
{
	char	   *key;			/* release */
	HTAB	   *members;		/* tenant, install */
} members_entry;

typedef struct velocity_entry
{
	char	   *key;			/* release, max */
	bool		full;
} velocity_entry;

struct bp_eval_cache
{
	MemoryContext cxt;
	Snapshot	snapshot;
	HTAB	   *groups;
	HTAB	   *lists;
	HTAB	   *revoked;
	HTAB	   *members;
	HTAB	   *velocity;
	StringInfoData key;
};

bp_eval_cache *
bp_eval_cache_create(Snapshot snapshot, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "bigpicture dry run cache", ALLOCSET_DEFAULT_SIZES);
	bp_eval_cache *cache = MemoryContextAllocZero(cxt, sizeof(bp_eval_cache));
	MemoryContext old = MemoryContextSwitchTo(cxt);

	cache->cxt = cxt;
	cache->snapshot = snapshot;
	cache->groups = bp_string_table("bigpicture groups", sizeof(group_entry), cxt);
	cache->lists = bp_string_table("bigpicture candidates", sizeof(candidate_list), cxt);
	cache->revoked = bp_string_table("bigpicture revoked", sizeof(revoked_entry), cxt);
	cache->members = bp_string_table("bigpicture members", sizeof(members_entry), cxt);
	cache->velocity = bp_string_table("bigpicture velocity", sizeof(velocity_entry), cxt);
	initStringInfo(&cache->key);
	MemoryContextSwitchTo(old);
	return cache;
}

/* The cache's key buffer holding the parts joined by a unit separator. */
static const char *
cache_key(bp_eval_cache *cache, int n, const char *const *parts)
{
	resetStringInfo(&cache->key);
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(&cache->key, '\x1f');
		appendStringInfoString(&cache->key, parts[i] ? parts[i] : "");
	}
	return cache->key.data;
}

/* Reads for the cache: in its snapshot, allocating in its context. */
#define CACHE_READ_BEGIN(cache) \
	do { \
		MemoryContext cache_old_cxt_ = MemoryContextSwitchTo((cache)->cxt); \
		PushActiveSnapshot((cache)->snapshot)
#define CACHE_READ_END() \
		PopActiveSnapshot(); \
		MemoryContextSwitchTo(cache_old_cxt_); \
	} while (0)

static bool
collect_candidate(void *arg, candidate *c)
{
	candidate_list *list = arg;

	if (list->n == list->cap)
	{
		list->cap = list->cap ? 2 * list->cap : 16;
		list->c = list->c ? repalloc(list->c, sizeof(candidate) * list->cap) : palloc(sizeof(candidate) * list->cap);
	}
	list->c[list->n] = *c;
	/* the version points into its datum, which moves with the copy */
	list->c[list->n].version = bp_semver_from_datum(list->c[list->n].version_datum);
	list->n++;
	return false;
}

/* Every published candidate of the product's channel for the platform and arch, newest first. */
static candidate_list *
cached_candidates(bp_eval_cache *cache, const bp_eval_input *in, const char *channel)
{
	const char *parts[4] = {in->product_id, channel, in->platform, in->arch};
	bool		found;
	candidate_list *list = strptr_lookup(cache->lists, candidate_list, cache->cxt, cache_key(cache, 4, parts), &found);

	if (!found)
	{
		bp_eval_input all = *in;

		all.current_version = NULL;
		all.install_id = NULL;
		CACHE_READ_BEGIN(cache);
		for_each_candidate(&all, channel, collect_candidate, list);
		CACHE_READ_END();
	}
	return list;
}

static revoked_entry *
cached_revoked_versions(bp_eval_cache *cache, const char *product_id)
{
	bool		found;
	revoked_entry *e = strptr_lookup(cache->revoked, revoked_entry, cache->cxt, product_id, &found);

	if (!found)
	{
		static SPIPlanPtr plan;
		Oid			types[1] = {TEXTOID};
		Datum		values[1];

		CACHE_READ_BEGIN(cache);
		values[0] = CStringGetTextDatum(product_id);
		run_plan(bp_prepare_once(&plan, "SELECT r.version FROM bigpicture.releases r "
								 "WHERE r.product_id = $1 AND r.status = 'revoked'", 1, types), values, NULL);
		e->versions = palloc(sizeof(bp_semver) * (SPI_processed + 1));
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			bool		isnull;
			Form_pg_attribute att = TupleDescAttr(SPI_tuptable->tupdesc, 0);
			Datum		v = datumCopy(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull),
									  att->attbyval, att->attlen);

			e->versions[e->n++] = bp_semver_from_datum(v);
		}
		SPI_freetuptable(SPI_tuptable);
		CACHE_READ_END();
	}
	return e;
}

static bool
is_revoked(const revoked_entry *e, const bp_semver *current)
{
	for (int i = 0; i < e->n; i++)
		if (bp_semver_compare(&e->versions[i], current) == 0)
			return true;
	return false;
}

/* Did this install enter the release's rollout?  A release's members are read once. */
static bool
cached_member(bp_eval_cache *cache, const char *release_id, const char *tenant_id, const char *install_id)
{
	bool		found;
	members_entry *e;
	const char *parts[2] = {tenant_id, install_id};

	if (install_id == NULL)
		return false;
	e = strptr_lookup(cache->members, members_entry, cache->cxt, release_id, &found);
	if (!found)
	{
		static SPIPlanPtr plan;
		Oid			types[1] = {TEXTOID};
		Datum		values[1];
		Portal		portal;

		e->members = bp_string_table("bigpicture rollout members", sizeof(char *), cache->cxt);
		CACHE_READ_BEGIN(cache);
		values[0] = CStringGetTextDatum(release_id);
		portal = SPI_cursor_open(NULL, bp_prepare_cursor_once(&plan, "SELECT m.tenant_id, m.install_id "
															  "FROM bigpicture.rollout_members m WHERE m.release_id = $1",
															  1, types, 0),
								 values, NULL, true);
		for (;;)
		{
			SPI_cursor_fetch(portal, true, 1000);
			if (SPI_processed == 0)
				break;
			for (uint64 r = 0; r < SPI_processed; r++)
			{
				const char *m[2] = {col_text(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1),
				col_text(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2)};
				bool		had;

				(void) strptr_lookup(e->members, char *, cache->cxt, cache_key(cache, 2, m), &had);
			}
			SPI_freetuptable(SPI_tuptable);
		}
		SPI_cursor_close(portal);
		CACHE_READ_END();
	}
	{
		const char *key = cache_key(cache, 2, parts);

		return hash_search(e->members, &key, HASH_FIND, NULL) != NULL;
	}
}

static bool
cached_rollout_full(bp_eval_cache *cache, const char *release_id, int max)
{
	char		max_text[16];
	const char *parts[2] = {release_id, max_text};
	bool		found;
	velocity_entry *e;

	snprintf(max_text, sizeof(max_text), "%d", max);
	e = strptr_lookup(cache->velocity, velocity_entry, cache->cxt, cache_key(cache, 2, parts), &found);
	if (!found)
	{
		CACHE_READ_BEGIN(cache);
		e->full = rollout_hour_full(release_id, max);
		CACHE_READ_END();
	}
	return e->full;
}

void
bp_evaluate_cached(bp_eval_cache *cache, const bp_eval_input *in, bp_decision *d)
{
	const char *parts[4] = {in->tenant_id, in->product_id, in->platform, in->arch};
	bool		found;
	group_entry *g = strptr_lookup(cache->groups, group_entry, cache->cxt, cache_key(cache, 4, parts), &found);
	judge		j;
	bool		current_revoked = false;
	bp_semver	current;
	bool		have_current = false;

	if (!found)
	{
		bp_eval_input gi = *in;
		bool		unused;

		gi.current_version = NULL;
		gi.install_id = NULL;
		gi.with_trace = false;
		g->window_open = -1;
		g->j.window_open = &g->window_open;
		CACHE_READ_BEGIN(cache);
		g->state = load_group(&gi, &g->j, &g->proto, &unused);
		CACHE_READ_END();
	}
	*d = g->proto;
	if (g->state == GROUP_HIDDEN)
		return;
	j = g->j;
	j.in = in;
	j.cache = cache;
	if (in->current_version)
	{
		if (bp_semver_parse(in->current_version, strlen(in->current_version), &current) != BP_SEMVER_OK)
			elog(ERROR, "invalid current version \"%s\"", in->current_version);
		have_current = true;
		if (g->revoked == NULL)
			g->revoked = cached_revoked_versions(cache, in->product_id);
		current_revoked = is_revoked(g->revoked, &current);
	}
	if (g->state == GROUP_CANDIDATES)
	{
		if (g->list == NULL)
			g->list = cached_candidates(cache, in, d->channel);
		for (int i = 0; i < g->list->n; i++)
		{
			candidate	c = g->list->c[i];

			if (have_current && bp_semver_compare(&c.version, &current) <= 0)
				break;
			if (c.has_rollout)
				c.member = cached_member(cache, c.release_id, in->tenant_id, in->install_id);
			if (consider(&j, d, &c))
				break;
		}
	}
	conclude(&j, d, current_revoked);
}

/* ---- rendering ------------------------------------------------------------------- */

/* Why, in words: "No update: …." or "Install 2.0.0 on stable: …." */
void
bp_decision_append_rationale(StringInfo out, const bp_decision *d)
{
	StringInfoData r;

	initStringInfo(&r);
	if (d->have_target)
	{
		/* initcap of an upper-case action word */
		const char *action = bp_action_name(d->action);

		appendStringInfoChar(&r, action[0]);
		for (const char *p = action + 1; *p; p++)
			appendStringInfoChar(&r, (char) (*p - 'A' + 'a'));
		appendStringInfo(&r, " %s on %s: ", d->version, d->channel);
	}
	else
		appendStringInfoString(&r, "No update: ");
	/* A product that is not visible gives its one reason. */
	for (int i = 0; i < (d->visible ? d->reasons.n : Min(d->reasons.n, 1)); i++)
	{
		if (i > 0)
			appendStringInfoString(&r, "; ");
		appendStringInfoString(&r, bp_reason_text(d->reasons.r[i]));
	}
	appendStringInfoChar(&r, '.');
	escape_json(out, r.data);
	pfree(r.data);
}

/* s as a JSON string, or null */
void
bp_append_json_string_or_null(StringInfo out, const char *s)
{
	if (s)
		escape_json(out, s);
	else
		appendStringInfoString(out, "null");
}

static void
append_artifact(StringInfo out, const bp_decision *d, bool with_scope)
{
	if (!d->have_target)
	{
		appendStringInfoString(out, "null");
		return;
	}
	appendStringInfoString(out, "{\"url\":");
	escape_json(out, d->artifact.url);
	appendStringInfoString(out, ",\"sha256\":");
	escape_json(out, d->artifact.sha256);
	appendStringInfo(out, ",\"size\":" INT64_FORMAT ",\"installer_type\":", d->artifact.size);
	escape_json(out, d->artifact.installer_type);
	appendStringInfo(out, ",\"requires_admin\":%s", d->artifact.requires_admin ? "true" : "false");
	if (with_scope)
	{
		appendStringInfoString(out, ",\"install_scope\":");
		escape_json(out, d->artifact.install_scope);
	}
	appendStringInfoChar(out, '}');
}

void
bp_decision_append_reasons(StringInfo out, const bp_decision *d)
{
	appendStringInfoChar(out, '[');
	for (int i = 0; i < d->reasons.n; i++)
	{
		if (i > 0)
			appendStringInfoChar(out, ',');
		escape_json(out, bp_reason_name(d->reasons.r[i]));
	}
	appendStringInfoChar(out, ']');
}

/*
 * The fields a signed decision carries about the evaluation, each as
 * ',"key":value': channel, mode, action, version, artifact (signed
 * decisions leave out install_scope, which only served the choice),
 * critical, reasons, rationale, policy_sources, bucket.
 */
void
bp_decision_append_claims(StringInfo out, const bp_decision *d, bool full_artifact)
{
	appendStringInfoString(out, ",\"channel\":");
	bp_append_json_string_or_null(out, d->channel);
	appendStringInfoString(out, ",\"mode\":");
	bp_append_json_string_or_null(out, d->mode);
	appendStringInfoString(out, ",\"action\":");
	escape_json(out, bp_action_name(d->action));
	appendStringInfoString(out, ",\"version\":");
	bp_append_json_string_or_null(out, d->version);
	appendStringInfoString(out, ",\"artifact\":");
	append_artifact(out, d, full_artifact);
	appendStringInfo(out, ",\"critical\":%s,\"reasons\":", d->critical ? "true" : "false");
	bp_decision_append_reasons(out, d);
	appendStringInfoString(out, ",\"rationale\":");
	bp_decision_append_rationale(out, d);
	appendStringInfoString(out, ",\"policy_sources\":");
	if (d->visible)
		bp_policy_append_json(out, &d->policy, true);
	else
		appendStringInfoString(out, "{}");
	if (d->has_bucket)
		appendStringInfo(out, ",\"bucket\":%d", d->bucket);
	else
		appendStringInfoString(out, ",\"bucket\":null");
}

/* The whole evaluation as _evaluate() returns it (explain_decision shows it). */
void
bp_decision_append_json(StringInfo out, const bp_decision *d, bool with_trace)
{
	appendStringInfoString(out, "{\"product_id\":");
	escape_json(out, d->product_id);
	appendStringInfo(out, ",\"visible\":%s", d->visible ? "true" : "false");
	/* explain_decision shows the artifact as chosen, with its install scope */
	bp_decision_append_claims(out, d, true);
	appendStringInfoString(out, ",\"release_id\":");
	bp_append_json_string_or_null(out, d->release_id);
	if (d->visible)
	{
		appendStringInfoString(out, ",\"policy\":");
		bp_policy_append_json(out, &d->policy, false);
	}
	appendStringInfoString(out, ",\"trace\":");
	if (!with_trace)
		appendStringInfoString(out, "null");
	else if (d->trace == NULL || d->trace->len == 0)
		appendStringInfoString(out, "[]");
	else
		appendStringInfoString(out, d->trace->data);
	appendStringInfoChar(out, '}');
}
