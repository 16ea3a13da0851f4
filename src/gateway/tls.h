/*
 * tls.h — TLS on the gateway's main port, with GnuTLS under libmicrohttpd.
 *
 * The server certificate and key, and the CA that client certificates must
 * chain to, are read from files at start and again on SIGHUP.  A reload that
 * fails (a missing file, a key that does not match the certificate) keeps
 * what was loaded before and says why.  Handshakes take the current
 * certificate through GnuTLS's retrieve callback, so new connections see a
 * reload at once and open ones are not cut.  Only TLS 1.2 and 1.3 are
 * offered.
 */
#ifndef GW_TLS_H
#define GW_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "client_cert.h"
#include "config.h"

/* GnuTLS priorities: its defaults, limited to TLS 1.2 and 1.3. */
#define GW_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/*
 * Load cfg's tls-* files.  0, or -1 with a one-line message in err.  Call
 * once, before the server starts; nothing to do when cfg has no TLS.
 */
int			gw_tls_load(const gw_config *cfg, char *err, size_t errcap);

/* Re-read the files (SIGHUP); on failure the old ones stay in use. */
int			gw_tls_reload(char *err, size_t errcap);

/* The CA file as read at start (PEM), for libmicrohttpd to ask for client certificates. */
const char *gw_tls_client_ca_pem(void);

/* For MHD_OPTION_HTTPS_CERT_CALLBACK: a gnutls_certificate_retrieve_function2. */
void	   *gw_tls_cert_callback(void);

/*
 * Verify the peer certificate of a connection's GnuTLS session (a
 * gnutls_session_t) and read its claims into out.
 */
void		gw_tls_peer(void *session, gw_client_cert *out);

/* Free what gw_tls_load kept. */
void		gw_tls_shutdown(void);

#endif							/* GW_TLS_H */
