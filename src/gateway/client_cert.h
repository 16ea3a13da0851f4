/*
 * client_cert.h — what a TLS client certificate says about a request, and
 * the rules that use it, independent of the TLS library (tls.c fills a
 * gw_client_cert from GnuTLS; the handler applies these rules).
 *
 * A verified certificate supplies claims (install_id, tenant_id) the way a
 * JWT does, but a JWT may not override them: a token that names another
 * value for the same claim is refused rather than merged.
 */
#ifndef GW_CLIENT_CERT_H
#define GW_CLIENT_CERT_H

#include <stdbool.h>

#include "config.h"

/* Subject alternative names of the form urn:bigpicture:<kind>:<value>. */
#define GW_CERT_URI_INSTALL "urn:bigpicture:install:"
#define GW_CERT_URI_TENANT "urn:bigpicture:tenant:"

typedef enum gw_cert_state
{
	GW_CERT_NONE = 0,			/* no certificate sent (or none asked for) */
	GW_CERT_VERIFIED,			/* chains to the client CA, in date, for client auth */
	GW_CERT_REFUSED				/* sent, and not acceptable: see problem */
} gw_cert_state;

typedef struct gw_client_cert
{
	gw_cert_state state;
	char	   *problem;		/* GW_CERT_REFUSED: why, for the error's details */
	char	   *subject;		/* the subject DN (RFC 4514), for the access log */
	char	   *install_id;		/* claims the certificate supplies, or NULL */
	char	   *tenant_id;
} gw_client_cert;

void		gw_client_cert_free(gw_client_cert *c);

/*
 * claims (a JSON object, as gw_jwt_claims_with_role makes it) with the
 * certificate's claims added.  NULL when claims already holds one of them
 * with another value (or not as a string); *conflict then names the claim.
 */
char	   *gw_cert_claims(const char *claims, const gw_client_cert *c, const char **conflict);

/*
 * Does cfg require a verified client certificate for a request to path
 * (percent-decoded, "/rpc/lease") executing as role?
 */
bool		gw_cert_required(const gw_config *cfg, const char *path, const char *role);

#endif							/* GW_CLIENT_CERT_H */
