/*
 * tenancy.c — who is calling: the facts current_tenant() and current_actor()
 * are built from (src/sql/15_tenants.sql).
 *
 * Inside a SECURITY DEFINER function current_user is the function's owner,
 * so SQL cannot see the caller.  PostgreSQL still tracks the role the session
 * acts as (the "outer" user, set by login and SET ROLE, untouched by definer
 * calls); these functions expose it, and whether the login role is the HTTP
 * gateway, whose JWT claims are the only ones ever trusted.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "bigpicture.h"
#include "json.h"

/* The role the caller acts as, even inside SECURITY DEFINER functions. */
PG_FUNCTION_INFO_V1(bigpicture_calling_role);
Datum
bigpicture_calling_role(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(GetUserNameFromId(GetOuterUserId(), false)));
}

/*
 * Did this session log in as bigpicture_gateway or a member of it?  Explicit
 * membership only: a superuser is not the gateway, so its claims are not
 * trusted either.
 */
static bool
session_is_gateway(void)
{
	Oid			gateway = get_role_oid("bigpicture_gateway", true);

	return OidIsValid(gateway) && is_member_of_role_nosuper(GetSessionUserId(), gateway);
}

PG_FUNCTION_INFO_V1(bigpicture_session_is_gateway);
Datum
bigpicture_session_is_gateway(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(session_is_gateway());
}

/*
 * The tenant, the caller and the checks below run on every API call and in
 * row-level security policies, so they are C: as SQL functions their bodies
 * were planned again for every statement that called them.
 */

/* A claim of the verified JWT (request.jwt.claims), trusted only in gateway sessions. */
char *
bp_jwt_claim(const char *claim)
{
	const char *claims = GetConfigOption("request.jwt.claims", true, false);
	size_t		n_tokens;
	Jsonb	   *json;
	JsonbValue	v;

	if (claims == NULL || claims[0] == '\0' || !session_is_gateway())
		return NULL;
	/* src/core's strict reader first, so PostgreSQL's parser never raises on it. */
	if (bp_json_parse(claims, strlen(claims), NULL, 0, &n_tokens) != BP_JSON_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("request.jwt.claims is not valid JSON")));
	/*
	 * A repeated claim is refused: jsonb keeps the last of two, a JWT library
	 * may have checked the first, so "tenant_id" could mean two tenants.
	 */
	{
		bp_json_token *tokens = palloc(n_tokens * sizeof(bp_json_token));
		int			dup;

		if (bp_json_parse(claims, strlen(claims), tokens, n_tokens, &n_tokens) != BP_JSON_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("request.jwt.claims is not valid JSON")));
		dup = bp_json_find_duplicate_key(claims, tokens, n_tokens,
										 palloc((n_tokens / 2 + 1) * sizeof(int)), n_tokens / 2 + 1);
		if (dup >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("request.jwt.claims repeats the member \"%.*s\"",
							(int) Min(tokens[dup].end - tokens[dup].start, 64),
							claims + tokens[dup].start),
					 errdetail("A token that names a claim twice can be read two ways; it is refused.")));
		pfree(tokens);
	}
	json = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(claims)));
	if (!JB_ROOT_IS_OBJECT(json) ||
		getKeyJsonValueFromContainer(&json->root, claim, strlen(claim), &v) == NULL ||
		v.type == jbvNull)
		return NULL;
	if (v.type == jbvString)
		return pnstrdup(v.val.string.val, v.val.string.len);
	/* as ->> does: other values as JSON text */
	{
		Jsonb	   *value = JsonbValueToJsonb(&v);

		return JsonbToCString(NULL, &value->root, VARSIZE(value));
	}
}

PG_FUNCTION_INFO_V1(bigpicture_jwt_claim);
Datum
bigpicture_jwt_claim(PG_FUNCTION_ARGS)
{
	char	   *value = PG_ARGISNULL(0) ? NULL : bp_jwt_claim(text_to_cstring(PG_GETARG_TEXT_PP(0)));

	if (value == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(value));
}

/*
 * The tenant bound to the role the session acts as, or NULL.
 * Reads tenant_roles as the extension's owner, as a SECURITY DEFINER
 * function would; current_tenant() is not one, because fmgr's definer wrapper
 * (a user switch and a GUC save per call) would cost a policy that calls it
 * per row far more than this lookup does once per statement.
 */
static char *
bound_tenant(void)
{
	static SPIPlanPtr plan;
	Oid			saved_user;
	int			saved_context;
	int			save_nestlevel;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	MemoryContext outer = CurrentMemoryContext;
	char	   *volatile tenant = NULL;
	bool		isnull;

	values[0] = CStringGetTextDatum(GetUserNameFromId(GetOuterUserId(), false));
	GetUserIdAndSecContext(&saved_user, &saved_context);
	SetUserIdAndSecContext(get_role_oid("bigpicture_owner", false),
						   saved_context | SECURITY_LOCAL_USERID_CHANGE);
	save_nestlevel = NewGUCNestLevel();
	/*
	 * Under Citus a policy runs on a worker, inside a shard's query, where
	 * Citus refuses a nested query unless allowed: tenant_roles is a reference
	 * table, so the read is of this node's own copy, in this transaction.
	 */
	if (bp_citus_loaded())
		(void) set_config_option("citus.allow_nested_distributed_execution", "on", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	PG_TRY();
	{
		SPI_connect();
		if (SPI_execute_plan(bp_prepare_once(&plan, "SELECT r.tenant_id FROM bigpicture.tenant_roles r "
											 "WHERE r.role_name OPERATOR(pg_catalog.=) $1", 1, types),
							 values, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read tenant_roles");
		if (SPI_processed == 1)
		{
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
				tenant = MemoryContextStrdup(outer, TextDatumGetCString(d));
		}
		SPI_finish();
	}
	PG_FINALLY();
	{
		AtEOXact_GUC(true, save_nestlevel);
		SetUserIdAndSecContext(saved_user, saved_context);
	}
	PG_END_TRY();
	return tenant;
}

/*
 * The caller's tenant, answered once per statement.  Policies call
 * current_tenant() in their qual (Citus refuses subqueries in policies on
 * distributed tables), where a filter evaluates it per row; one lookup per
 * statement keeps that as cheap as the InitPlan it replaced.  The answer may
 * change only between statements (a STABLE function's promise), with the
 * role the session acts as, or with the gateway's claims: all in the key.
 */
static struct
{
	bool		valid;
	LocalTransactionId lxid;
	CommandId	cid;
	TimestampTz statement_start;
	Oid			outer_user;
	Oid			session_user;
	bool		gateway;		/* then the claims are part of the key */
	char	   *claims;
	text	   *tenant;			/* NULL: no tenant */
}			tenant_cache;

static bool
tenant_cache_hit(void)
{
	const char *claims;

	if (!tenant_cache.valid ||
		tenant_cache.lxid != MyProc->lxid ||
		tenant_cache.cid != GetCurrentCommandId(false) ||
		tenant_cache.statement_start != GetCurrentStatementStartTimestamp() ||
		tenant_cache.outer_user != GetOuterUserId() ||
		tenant_cache.session_user != GetSessionUserId())
		return false;
	if (!tenant_cache.gateway)
		return true;
	claims = GetConfigOption("request.jwt.claims", true, false);
	return strcmp(tenant_cache.claims, claims ? claims : "") == 0;
}

/*
 * The caller's tenant (in TopMemoryContext, NULL for none), looked up on a
 * miss: the tenant_id claim in a gateway session; otherwise the tenant bound
 * to the role the session acts as.
 */
static text *
cached_tenant(void)
{
	const char *claims;
	bool		gateway;
	char	   *tenant;

	if (tenant_cache_hit())
		return tenant_cache.tenant;
	claims = GetConfigOption("request.jwt.claims", true, false);
	gateway = session_is_gateway();
	tenant = gateway ? bp_jwt_claim("tenant_id") : bound_tenant();
	tenant_cache.valid = false;
	if (tenant_cache.claims)
		pfree(tenant_cache.claims);
	if (tenant_cache.tenant)
		pfree(tenant_cache.tenant);
	tenant_cache.claims = MemoryContextStrdup(TopMemoryContext, claims ? claims : "");
	tenant_cache.tenant = NULL;
	if (tenant)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		tenant_cache.tenant = cstring_to_text(tenant);
		MemoryContextSwitchTo(old);
	}
	tenant_cache.gateway = gateway;
	tenant_cache.lxid = MyProc->lxid;
	tenant_cache.cid = GetCurrentCommandId(false);
	tenant_cache.statement_start = GetCurrentStatementStartTimestamp();
	tenant_cache.outer_user = GetOuterUserId();
	tenant_cache.session_user = GetSessionUserId();
	tenant_cache.valid = true;
	return tenant_cache.tenant;
}

char *
bp_current_tenant(void)
{
	text	   *tenant = cached_tenant();

	return tenant ? text_to_cstring(tenant) : NULL;
}

/* Who is acting, for audit columns: the JWT subject through the gateway, else the role. */
PG_FUNCTION_INFO_V1(bigpicture_current_actor);
Datum
bigpicture_current_actor(PG_FUNCTION_ARGS)
{
	char	   *sub = bp_jwt_claim("sub");

	PG_RETURN_TEXT_P(cstring_to_text(sub ? sub : GetUserNameFromId(GetOuterUserId(), false)));
}

PG_FUNCTION_INFO_V1(bigpicture_current_tenant);
Datum
bigpicture_current_tenant(PG_FUNCTION_ARGS)
{
	text	   *tenant = cached_tenant();

	if (tenant == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(datumCopy(PointerGetDatum(tenant), false, -1));
}

/* May the caller act on any tenant?  (Members of bigpicture_admin or bigpicture_auditor.) */
bool
bp_acts_for_all_tenants(void)
{
	Oid			caller = GetOuterUserId();

	return has_privs_of_role(caller, get_role_oid("bigpicture_admin", false)) ||
		has_privs_of_role(caller, get_role_oid("bigpicture_auditor", false));
}

PG_FUNCTION_INFO_V1(bigpicture_acts_for_all_tenants);
Datum
bigpicture_acts_for_all_tenants(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(bp_acts_for_all_tenants());
}

/*
 * The tenant an API call acts on: the caller's own; an admin or auditor must
 * name one.  Tenant-scoped callers naming another tenant are refused.
 */
char *
bp_resolve_tenant(const char *requested)
{
	char	   *own = bp_current_tenant();

	if (own != NULL)
	{
		if (requested != NULL && strcmp(requested, own) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("tenant_id does not match the caller's tenant"),
					 errdetail("A tenant-scoped caller can act only on its own tenant.")));
		return own;
	}
	if (requested != NULL && bp_acts_for_all_tenants())
		return pstrdup(requested);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("no tenant for this caller"),
			 errhint("%s", bp_acts_for_all_tenants() ? "Pass tenant_id explicitly." :
					 "Bind the role to a tenant with bigpicture.bind_role(), or call through the "
					 "gateway with a tenant_id claim.")));
	return NULL;				/* not reached */
}

PG_FUNCTION_INFO_V1(bigpicture_resolve_tenant);
Datum
bigpicture_resolve_tenant(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(bp_resolve_tenant(PG_ARGISNULL(0) ? NULL :
													   text_to_cstring(PG_GETARG_TEXT_PP(0)))));
}

/* The tenants row an API call acts on (a composite datum in the caller's context). */
Datum
bp_request_tenant(const char *requested)
{
	static SPIPlanPtr plan;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char	   *id = bp_resolve_tenant(requested);
	bool		isnull;
	Datum		row;

	values[0] = CStringGetTextDatum(id);
	SPI_connect();
	if (SPI_execute_plan(bp_prepare_once(&plan, "SELECT t FROM bigpicture.tenants t "
										 "WHERE t.tenant_id OPERATOR(pg_catalog.=) $1", 1, types),
						 values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read tenants");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("tenant \"%s\" does not exist", id)));
	row = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
	SPI_finish();
	return row;
}

/*
 * The install a request acts for.  When a gateway session's claims name an
 * install_id (a verified client certificate supplies one, and so may a
 * token), the request may act for that install only: it is the default, and
 * naming another is refused.
 */
char *
bp_bound_install_id(const char *requested)
{
	char	   *bound = bp_jwt_claim("install_id");

	if (bound == NULL)
		return requested ? pstrdup(requested) : NULL;
	if (requested != NULL && strcmp(requested, bound) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("install_id \"%.128s\" is not the install this request is bound to", requested),
				 errdetail("The client certificate or token names install \"%.128s\".", bound),
				 errhint("Leave install_id out, or send the one the credentials name.")));
	return bound;
}

PG_FUNCTION_INFO_V1(bigpicture_bound_install_id);
Datum
bigpicture_bound_install_id(PG_FUNCTION_ARGS)
{
	char	   *install = bp_bound_install_id(PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0)));

	if (install == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(install));
}

PG_FUNCTION_INFO_V1(bigpicture_request_tenant);
Datum
bigpicture_request_tenant(PG_FUNCTION_ARGS)
{
	return bp_request_tenant(PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0)));
}
