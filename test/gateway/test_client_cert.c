/*
 * test_client_cert.c — the rules of a client certificate (client_cert.c):
 * its claims joining a JWT's, never overridden by one, and which requests
 * need a certificate; and the tls-* settings' checks (config.c).
 */
#include "unit.h"

#include "client_cert.h"
#include "config.h"

#include <stdlib.h>
#include <string.h>

static void
merged(const char *claims, const char *install, const char *tenant, const char *want, const char *conflict_want)
{
	gw_client_cert c = {GW_CERT_VERIFIED, NULL, NULL, (char *) install, (char *) tenant};
	const char *conflict = "unset";
	char	   *got = gw_cert_claims(claims, &c, &conflict);

	if (want)
	{
		CHECK_MSG(got != NULL, "%s: refused (%s)", claims, conflict ? conflict : "?");
		if (got)
			CHECK_STR_EQ(got, want);
		CHECK(conflict == NULL);
	}
	else
	{
		CHECK_MSG(got == NULL, "%s: merged into %s", claims, got ? got : "");
		if (conflict_want)
			CHECK_STR_EQ(conflict, conflict_want);
	}
	free(got);
}

static int
load(const char **env, gw_config *cfg, char *err)
{
	return gw_config_load(cfg, NULL, (char **) env, err, 256);
}

int
main(void)
{
	char		err[256];
	gw_config	cfg;

	/* ---- claims ---- */
	merged("{\"role\":\"c\"}", "pc-1", "t1", "{\"role\":\"c\",\"install_id\":\"pc-1\",\"tenant_id\":\"t1\"}", NULL);
	merged("{\"role\":\"c\"}", NULL, NULL, "{\"role\":\"c\"}", NULL);
	merged("{\"role\":\"c\",\"tenant_id\":\"t1\"}", "pc-1", "t1",
		   "{\"role\":\"c\",\"tenant_id\":\"t1\",\"install_id\":\"pc-1\"}", NULL);
	/* the same value, escaped, agrees */
	merged("{\"role\":\"c\",\"tenant_id\":\"\\u00741\"}", NULL, "t1",
		   "{\"role\":\"c\",\"tenant_id\":\"\\u00741\"}", NULL);
	merged("{\"role\":\"c\",\"tenant_id\":\"t2\"}", "pc-1", "t1", NULL, "tenant_id");
	merged("{\"role\":\"c\",\"install_id\":\"pc-2\"}", "pc-1", NULL, NULL, "install_id");
	/* a claim of another type never equals the certificate's string */
	merged("{\"role\":\"c\",\"install_id\":1}", "1", NULL, NULL, "install_id");
	merged("{\"role\":\"c\",\"tenant_id\":null}", NULL, "t1", NULL, "tenant_id");
	merged("{\"role\":\"c\",\"tenant_id\":[\"t1\"]}", NULL, "t1", NULL, "tenant_id");
	/* the JWT's own claims the certificate does not name stay as they are */
	merged("{\"role\":\"c\",\"install_id\":\"pc-9\"}", NULL, "t1",
		   "{\"role\":\"c\",\"install_id\":\"pc-9\",\"tenant_id\":\"t1\"}", NULL);
	/* values are JSON-escaped */
	merged("{\"role\":\"c\"}", "a\"b", NULL, "{\"role\":\"c\",\"install_id\":\"a\\\"b\"}", NULL);
	merged("not json", "pc-1", NULL, NULL, "(claims)");

	/* ---- settings, and which requests need a certificate ---- */
	{
		const char *env[] = {"BIGPICTURE_GATEWAY_TLS_CERT_FILE=/c.pem", "BIGPICTURE_GATEWAY_TLS_KEY_FILE=/k.pem",
			"BIGPICTURE_GATEWAY_TLS_CLIENT_CA_FILE=/ca.pem",
			"BIGPICTURE_GATEWAY_TLS_CLIENT_REQUIRED_ROUTES=/rpc/lease, /rpc/lease_renew",
		"BIGPICTURE_GATEWAY_TLS_CLIENT_REQUIRED_ROLES=bigpicture_mirror", NULL};

		CHECK_INT_EQ(load(env, &cfg, err), 0);
		CHECK_INT_EQ(cfg.tls_client_auth, GW_TLS_CLIENT_OPTIONAL);	/* the default with a CA */
		CHECK_INT_EQ(cfg.n_tls_required_routes, 2);
		CHECK(gw_cert_required(&cfg, "/rpc/lease", "bigpicture_client"));
		CHECK(gw_cert_required(&cfg, "/rpc/lease_renew", "bigpicture_client"));
		CHECK(!gw_cert_required(&cfg, "/rpc/lease_release", "bigpicture_client"));
		CHECK(!gw_cert_required(&cfg, "/rpc/leas", "bigpicture_client"));
		CHECK(gw_cert_required(&cfg, "/rpc/decision", "bigpicture_mirror"));
		CHECK(!gw_cert_required(&cfg, "/rpc/decision", "bigpicture_client"));
		CHECK(!gw_cert_required(&cfg, NULL, NULL));
		gw_config_free(&cfg);
	}
	{
		const char *env[] = {"BIGPICTURE_GATEWAY_TLS_CERT_FILE=/c.pem", "BIGPICTURE_GATEWAY_TLS_KEY_FILE=/k.pem",
		"BIGPICTURE_GATEWAY_TLS_CLIENT_CA_FILE=/ca.pem", "BIGPICTURE_GATEWAY_TLS_CLIENT_AUTH=required", NULL};

		CHECK_INT_EQ(load(env, &cfg, err), 0);
		CHECK(gw_cert_required(&cfg, "/rpc/decision", "bigpicture_client"));
		CHECK(gw_cert_required(&cfg, NULL, NULL));
		gw_config_free(&cfg);
	}
	{
		const char *plain[] = {NULL};
		const char *tls_only[] = {"BIGPICTURE_GATEWAY_TLS_CERT_FILE=/c.pem", "BIGPICTURE_GATEWAY_TLS_KEY_FILE=/k.pem", NULL};

		CHECK_INT_EQ(load(plain, &cfg, err), 0);
		CHECK(cfg.tls_cert_file == NULL);
		CHECK_INT_EQ(cfg.tls_client_auth, GW_TLS_CLIENT_OFF);
		CHECK(!gw_cert_required(&cfg, "/rpc/lease", "bigpicture_client"));
		gw_config_free(&cfg);
		CHECK_INT_EQ(load(tls_only, &cfg, err), 0);
		CHECK_INT_EQ(cfg.tls_client_auth, GW_TLS_CLIENT_OFF);
		gw_config_free(&cfg);
	}
	{
		static const char *const bad[][4] = {
			{"BIGPICTURE_GATEWAY_TLS_CERT_FILE=/c.pem", NULL},
			{"BIGPICTURE_GATEWAY_TLS_CLIENT_CA_FILE=/ca.pem", NULL},
			{"BIGPICTURE_GATEWAY_TLS_CERT_FILE=/c.pem", "BIGPICTURE_GATEWAY_TLS_KEY_FILE=/k.pem",
			"BIGPICTURE_GATEWAY_TLS_CLIENT_AUTH=optional", NULL},
			{"BIGPICTURE_GATEWAY_TLS_CERT_FILE=/c.pem", "BIGPICTURE_GATEWAY_TLS_KEY_FILE=/k.pem",
			"BIGPICTURE_GATEWAY_TLS_CLIENT_ROLE=bigpicture_client", NULL},
			{"BIGPICTURE_GATEWAY_TLS_CERT_FILE=/c.pem", "BIGPICTURE_GATEWAY_TLS_KEY_FILE=/k.pem",
			"BIGPICTURE_GATEWAY_TLS_CLIENT_AUTH=yes", NULL},
			{"BIGPICTURE_GATEWAY_TLS_CERT_FILE=/c.pem", "BIGPICTURE_GATEWAY_TLS_KEY_FILE=/k.pem",
			"BIGPICTURE_GATEWAY_TLS_CLIENT_REQUIRED_ROUTES=/rpc/lease", NULL},
		};

		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		{
			int			rc = load((const char **) bad[i], &cfg, err);

			CHECK_MSG(rc == -1, "bad tls settings %zu accepted", i);
			if (rc == 0)
				gw_config_free(&cfg);
		}
	}
	return unit_summary("gateway-client-cert");
}
