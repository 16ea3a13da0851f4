/*
 * tls.c — see tls.h.
 */
#include "tls.h"

#include "buf.h"
#include "log.h"

#include <errno.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_CHAIN 16			/* certificates in a chain we read or verify */
#define MAX_FILE (1024 * 1024)

/*
 * What one load read.  Superseded materials are kept until shutdown: a
 * handshake in progress may still use the certificate GnuTLS was handed,
 * and reloads are rare.
 */
typedef struct material
{
	gnutls_pcert_st pcert[MAX_CHAIN];
	unsigned	n_pcert;
	gnutls_privkey_t key;
	gnutls_x509_trust_list_t trust;	/* NULL: no client CA */
	struct material *older;
} material;

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static material *current;
static const gw_config *config;
static char *ca_pem_at_start;

static void
datum_free(gnutls_datum_t *d)
{
	free(d->data);
	d->data = NULL;
	d->size = 0;
}

/* A whole regular file of at most MAX_FILE bytes, NUL-terminated. */
static int
read_file(const char *what, const char *path, gnutls_datum_t *out, char *err, size_t errcap)
{
	FILE	   *f = fopen(path, "rb");
	struct stat st;
	size_t		n;

	out->data = NULL;
	out->size = 0;
	if (f == NULL)
	{
		snprintf(err, errcap, "%s: cannot read %.200s: %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE || st.st_size == 0)
	{
		fclose(f);
		snprintf(err, errcap, "%s: %.200s is not a non-empty regular file of at most 1 MiB", what, path);
		return -1;
	}
	out->data = gw_xmalloc((size_t) st.st_size + 1);
	n = fread(out->data, 1, (size_t) st.st_size, f);
	fclose(f);
	out->data[n] = '\0';
	out->size = (unsigned) n;
	return 0;
}

static void
material_free(material *m)
{
	for (unsigned i = 0; i < m->n_pcert; i++)
		gnutls_pcert_deinit(&m->pcert[i]);
	if (m->key)
		gnutls_privkey_deinit(m->key);
	if (m->trust)
		gnutls_x509_trust_list_deinit(m->trust, 1);
	free(m);
}

/* Does the private key belong to the certificate's public key? */
static bool
key_matches(gnutls_privkey_t key, gnutls_pubkey_t cert_key)
{
	gnutls_pubkey_t pk = NULL;
	gnutls_datum_t a = {0},
				b = {0};
	bool		same = false;

	if (gnutls_pubkey_init(&pk) == 0 &&
		gnutls_pubkey_import_privkey(pk, key, 0, 0) == 0 &&
		gnutls_pubkey_export2(pk, GNUTLS_X509_FMT_DER, &a) == 0 &&
		gnutls_pubkey_export2(cert_key, GNUTLS_X509_FMT_DER, &b) == 0)
		same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
	gnutls_free(a.data);
	gnutls_free(b.data);
	if (pk)
		gnutls_pubkey_deinit(pk);
	return same;
}

static material *
load(const gw_config *cfg, char **ca_pem, char *err, size_t errcap)
{
	material   *m = gw_xcalloc(1, sizeof *m);
	gnutls_datum_t cert = {0},
				key = {0},
				ca = {0};
	int			rc;

	if (read_file("tls-cert-file", cfg->tls_cert_file, &cert, err, errcap) < 0 ||
		read_file("tls-key-file", cfg->tls_key_file, &key, err, errcap) < 0 ||
		(cfg->tls_client_ca_file &&
		 read_file("tls-client-ca-file", cfg->tls_client_ca_file, &ca, err, errcap) < 0))
		goto fail;
	m->n_pcert = MAX_CHAIN;
	rc = gnutls_pcert_list_import_x509_raw(m->pcert, &m->n_pcert, &cert, GNUTLS_X509_FMT_PEM, 0);
	if (rc < 0 || m->n_pcert == 0)
	{
		m->n_pcert = 0;
		snprintf(err, errcap, "tls-cert-file: %.200s holds no PEM certificate chain of at most %d: %s",
				 cfg->tls_cert_file, MAX_CHAIN, gnutls_strerror(rc));
		goto fail;
	}
	if ((rc = gnutls_privkey_init(&m->key)) < 0 ||
		(rc = gnutls_privkey_import_x509_raw(m->key, &key, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
	{
		snprintf(err, errcap, "tls-key-file: %.200s holds no unencrypted PEM private key: %s",
				 cfg->tls_key_file, gnutls_strerror(rc));
		goto fail;
	}
	if (!key_matches(m->key, m->pcert[0].pubkey))
	{
		snprintf(err, errcap, "tls-key-file: the key in %.200s is not the key of the certificate in %.200s",
				 cfg->tls_key_file, cfg->tls_cert_file);
		goto fail;
	}
	{
		gnutls_x509_crt_t crt;

		if (gnutls_x509_crt_init(&crt) == 0)
		{
			if (gnutls_x509_crt_import(crt, &m->pcert[0].cert, GNUTLS_X509_FMT_DER) == 0 &&
				gnutls_x509_crt_get_expiration_time(crt) < time(NULL))
				gw_log(GW_LOG_WARN, "tls-cert-file: the certificate in %s has expired; clients will refuse it",
					   cfg->tls_cert_file);
			gnutls_x509_crt_deinit(crt);
		}
	}
	if (ca.data)
	{
		if (gnutls_x509_trust_list_init(&m->trust, 0) < 0)
		{
			snprintf(err, errcap, "tls-client-ca-file: out of memory");
			goto fail;
		}
		rc = gnutls_x509_trust_list_add_trust_mem(m->trust, &ca, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
		if (rc <= 0)
		{
			snprintf(err, errcap, "tls-client-ca-file: %.200s holds no PEM certificate%s%s",
					 cfg->tls_client_ca_file, rc < 0 ? ": " : "", rc < 0 ? gnutls_strerror(rc) : "");
			goto fail;
		}
		if (ca_pem)
			*ca_pem = gw_xstrdup((char *) ca.data);
	}
	memset(key.data, 0, key.size);
	datum_free(&key);
	datum_free(&cert);
	datum_free(&ca);
	return m;
fail:
	if (key.data)
		memset(key.data, 0, key.size);
	datum_free(&key);
	datum_free(&cert);
	datum_free(&ca);
	material_free(m);
	return NULL;
}

int
gw_tls_load(const gw_config *cfg, char *err, size_t errcap)
{
	material   *m;

	if (cfg->tls_cert_file == NULL)
		return 0;
	if (gnutls_global_init() < 0)
	{
		snprintf(err, errcap, "cannot initialise GnuTLS");
		return -1;
	}
	m = load(cfg, &ca_pem_at_start, err, errcap);
	if (m == NULL)
		return -1;
	config = cfg;
	current = m;
	return 0;
}

int
gw_tls_reload(char *err, size_t errcap)
{
	material   *m;

	if (config == NULL)
	{
		snprintf(err, errcap, "TLS is not in use");
		return -1;
	}
	m = load(config, NULL, err, errcap);
	if (m == NULL)
		return -1;
	pthread_rwlock_wrlock(&lock);
	m->older = current;
	current = m;
	pthread_rwlock_unlock(&lock);
	return 0;
}

const char *
gw_tls_client_ca_pem(void)
{
	return ca_pem_at_start;
}

static int
retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
		 const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
		 gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *privkey)
{
	(void) session;
	(void) req_ca_rdn;
	(void) nreqs;
	(void) pk_algos;
	(void) pk_algos_length;
	pthread_rwlock_rdlock(&lock);
	*pcert = current->pcert;
	*pcert_length = current->n_pcert;
	*privkey = current->key;
	pthread_rwlock_unlock(&lock);
	return 0;
}

void *
gw_tls_cert_callback(void)
{
	return (void *) (gnutls_certificate_retrieve_function2 *) retrieve;
}

static void
refuse(gw_client_cert *out, const char *fmt, const char *arg)
{
	gw_buf		b = GW_BUF_INIT;

	gw_buf_printf(&b, fmt, arg);
	free(out->problem);
	out->problem = gw_buf_steal(&b);
	out->state = GW_CERT_REFUSED;
}

/* Set *claim to value; refuse a certificate that names two different ones. */
static void
take_claim(gw_client_cert *out, char **claim, const char *name, const char *value)
{
	size_t		len = strlen(value);

	if (out->state == GW_CERT_REFUSED)
		return;
	if (len == 0 || len > 128)
	{
		refuse(out, "the certificate's %s is empty or longer than 128 characters", name);
		return;
	}
	for (const char *p = value; *p; p++)
		if ((unsigned char) *p < 0x21 || (unsigned char) *p > 0x7e)
		{
			refuse(out, "the certificate's %s has a character other than printable ASCII", name);
			return;
		}
	if (*claim && strcmp(*claim, value) != 0)
	{
		refuse(out, "the certificate names two different values of %s", name);
		return;
	}
	if (*claim == NULL)
		*claim = gw_xstrdup(value);
}

static void
read_claims(gnutls_x509_crt_t crt, gw_client_cert *out)
{
	char		buf[1024];
	size_t		size;
	gnutls_datum_t dn = {0};
	int			type;

	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0)
		out->subject = gw_xstrndup((char *) dn.data, dn.size);
	gnutls_free(dn.data);
	for (unsigned seq = 0;; seq++)
	{
		size = sizeof buf - 1;
		type = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf, &size, NULL);
		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (type == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;			/* too long to be one of ours */
		if (type < 0)
		{
			refuse(out, "cannot read the certificate's subject alternative names: %s", gnutls_strerror(type));
			return;
		}
		if (type != GNUTLS_SAN_URI)
			continue;
		buf[size] = '\0';
		if (strncmp(buf, GW_CERT_URI_INSTALL, strlen(GW_CERT_URI_INSTALL)) == 0)
			take_claim(out, &out->install_id, "install_id", buf + strlen(GW_CERT_URI_INSTALL));
		else if (strncmp(buf, GW_CERT_URI_TENANT, strlen(GW_CERT_URI_TENANT)) == 0)
			take_claim(out, &out->tenant_id, "tenant_id", buf + strlen(GW_CERT_URI_TENANT));
	}
	if (config->tls_client_cn_claim)
	{
		size = sizeof buf - 1;
		if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buf, &size) == 0)
		{
			buf[size] = '\0';
			if (strcmp(config->tls_client_cn_claim, "install_id") == 0)
				take_claim(out, &out->install_id, "install_id", buf);
			else
				take_claim(out, &out->tenant_id, "tenant_id", buf);
		}
	}
}

void
gw_tls_peer(void *session, gw_client_cert *out)
{
	unsigned	n = 0,
				status = 0;
	const gnutls_datum_t *raw;
	gnutls_x509_crt_t crts[MAX_CHAIN];
	unsigned	n_crts = 0;
	gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID, (unsigned char *) GNUTLS_KP_TLS_WWW_CLIENT, 0};
	int			rc;

	memset(out, 0, sizeof *out);
	if (session == NULL || config == NULL || config->tls_client_auth == GW_TLS_CLIENT_OFF)
		return;
	raw = gnutls_certificate_get_peers((gnutls_session_t) session, &n);
	if (raw == NULL || n == 0)
		return;
	if (n > MAX_CHAIN)
	{
		refuse(out, "the certificate chain is longer than %s", "16");
		return;
	}
	for (; n_crts < n; n_crts++)
	{
		if (gnutls_x509_crt_init(&crts[n_crts]) < 0)
		{
			refuse(out, "%s", "out of memory reading the certificate chain");
			goto done;
		}
		if (gnutls_x509_crt_import(crts[n_crts], &raw[n_crts], GNUTLS_X509_FMT_DER) < 0)
		{
			refuse(out, "%s", "a certificate in the chain cannot be read");
			n_crts++;
			goto done;
		}
	}
	pthread_rwlock_rdlock(&lock);
	rc = gnutls_x509_trust_list_verify_crt2(current->trust, crts, n_crts, &purpose, 1, 0, &status, NULL);
	pthread_rwlock_unlock(&lock);
	if (rc < 0 || status != 0)
	{
		gnutls_datum_t why = {0};

		if (rc < 0)
			refuse(out, "it cannot be verified: %s", gnutls_strerror(rc));
		else if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &why, 0) == 0)
			refuse(out, "%s", (char *) why.data);
		else
			refuse(out, "%s", "it does not chain to tls-client-ca-file");
		gnutls_free(why.data);
		goto done;
	}
	out->state = GW_CERT_VERIFIED;
	read_claims(crts[0], out);
done:
	for (unsigned i = 0; i < n_crts; i++)
		gnutls_x509_crt_deinit(crts[i]);
}

void
gw_tls_shutdown(void)
{
	while (current)
	{
		material   *older = current->older;

		material_free(current);
		current = older;
	}
	free(ca_pem_at_start);
	ca_pem_at_start = NULL;
	if (config)
		gnutls_global_deinit();
	config = NULL;
}
