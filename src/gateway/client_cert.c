/*
 * client_cert.c — see client_cert.h.
 */
#include "client_cert.h"

#include "buf.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

void
gw_client_cert_free(gw_client_cert *c)
{
	if (c == NULL)
		return;
	free(c->problem);
	free(c->subject);
	free(c->install_id);
	free(c->tenant_id);
	memset(c, 0, sizeof *c);
}

/*
 * Add "name":value to the object b holds (its closing brace not yet
 * written) unless the claims have it; false when they have it otherwise.
 */
static bool
add_claim(gw_buf *b, const char *claims, const bp_json_token *t, size_t n, const char *name, const char *value)
{
	int			v;

	if (value == NULL)
		return true;
	v = t ? bp_json_object_get(claims, t, n, 0, name) : -1;
	if (v >= 0)
		return t[v].type == BP_JSON_STRING && bp_json_string_equals(claims, &t[v], value, strlen(value));
	gw_buf_putc(b, ',');
	gw_buf_json_cstr(b, name);
	gw_buf_putc(b, ':');
	gw_buf_json_cstr(b, value);
	return true;
}

char *
gw_cert_claims(const char *claims, const gw_client_cert *c, const char **conflict)
{
	size_t		len = strlen(claims),
				n = 0;
	bp_json_token *t = NULL;
	gw_buf		b = GW_BUF_INIT;
	const char *bad = NULL;

	*conflict = NULL;
	if (bp_json_parse(claims, len, NULL, 0, &n) == BP_JSON_OK && n > 0)
	{
		t = gw_xcalloc(n, sizeof *t);
		bp_json_parse(claims, len, t, n, &n);
	}
	/* claims is always an object ending in '}': gw_jwt_claims_with_role's */
	if (t == NULL || t[0].type != BP_JSON_OBJECT || len < 2 || claims[len - 1] != '}')
	{
		free(t);
		*conflict = "(claims)";
		return NULL;
	}
	gw_buf_append(&b, claims, len - 1);
	if (!add_claim(&b, claims, t, n, "install_id", c->install_id))
		bad = "install_id";
	else if (!add_claim(&b, claims, t, n, "tenant_id", c->tenant_id))
		bad = "tenant_id";
	free(t);
	if (bad)
	{
		gw_buf_free(&b);
		*conflict = bad;
		return NULL;
	}
	gw_buf_putc(&b, '}');
	return gw_buf_steal(&b);
}

bool
gw_cert_required(const gw_config *cfg, const char *path, const char *role)
{
	if (cfg->tls_client_auth == GW_TLS_CLIENT_REQUIRED)
		return true;
	for (int i = 0; path && i < cfg->n_tls_required_routes; i++)
		if (strcmp(cfg->tls_required_routes[i], path) == 0)
			return true;
	for (int i = 0; role && i < cfg->n_tls_required_roles; i++)
		if (strcmp(cfg->tls_required_roles[i], role) == 0)
			return true;
	return false;
}
