/*
 * tenancy.c — who is calling: the facts current_tenant() and current_actor()
 * are built from (src/sql/30_tenants.sql).
 *
 * Inside a SECURITY DEFINER function current_user is the function's owner,
 * so SQL cannot see the caller.  PostgreSQL still tracks the role the session
 * acts as (the "outer" user, set by login and SET ROLE, untouched by definer
 * calls); these functions expose it, and whether the login role is the HTTP
 * gateway, whose JWT claims are the only ones ever trusted.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

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
PG_FUNCTION_INFO_V1(bigpicture_session_is_gateway);
Datum
bigpicture_session_is_gateway(PG_FUNCTION_ARGS)
{
	Oid			gateway = get_role_oid("bigpicture_gateway", true);

	PG_RETURN_BOOL(OidIsValid(gateway) &&
				   is_member_of_role_nosuper(GetSessionUserId(), gateway));
}
