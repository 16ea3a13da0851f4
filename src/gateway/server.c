/*
 * server.c — see server.h.
 */
#include "server.h"

#include "buf.h"
#include "handler.h"
#include "log.h"
#include "tls.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct gw_server
{
	const gw_config *cfg;
	gw_pool    *pool;
	struct MHD_Daemon *main;
	struct MHD_Daemon *admin;
	atomic_int	in_flight;
};

/* Per-request state, created when MHD sees the request line. */
typedef struct request_ctx
{
	gw_server  *server;
	char	   *target;
	struct timespec start;
	bool		headers_seen;
	bool		too_large;
	gw_buf		body;
	int			status;
	char	   *method;
	char	   *path;
	char	   *role;
} request_ctx;

/* Per-connection state: the client certificate, verified at its first request. */
typedef struct connection_ctx
{
	bool		cert_checked;
	gw_client_cert cert;
} connection_ctx;

static void
on_connection(void *cls, struct MHD_Connection *con, void **socket_ctx, enum MHD_ConnectionNotificationCode code)
{
	(void) cls;
	(void) con;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_ctx = gw_xcalloc(1, sizeof(connection_ctx));
	else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_ctx)
	{
		gw_client_cert_free(&((connection_ctx *) *socket_ctx)->cert);
		free(*socket_ctx);
		*socket_ctx = NULL;
	}
}

/* The connection's client certificate, or NULL when none is asked for. */
static const gw_client_cert *
client_cert(const gw_server *s, struct MHD_Connection *con, bool admin)
{
	const union MHD_ConnectionInfo *ci;
	connection_ctx *cc;

	if (admin || s->cfg->tls_client_auth == GW_TLS_CLIENT_OFF)
		return NULL;
	ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || ci->socket_context == NULL)
		return NULL;
	cc = ci->socket_context;
	if (!cc->cert_checked)
	{
		const union MHD_ConnectionInfo *ti = MHD_get_connection_info(con, MHD_CONNECTION_INFO_GNUTLS_SESSION);

		gw_tls_peer(ti ? ti->tls_session : NULL, &cc->cert);
		cc->cert_checked = true;
	}
	return &cc->cert;
}

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
	gw_server  *s = cls;
	request_ctx *ctx = gw_xcalloc(1, sizeof *ctx);

	(void) con;
	ctx->server = s;
	ctx->target = gw_xstrdup(uri ? uri : "");
	clock_gettime(CLOCK_MONOTONIC, &ctx->start);
	atomic_fetch_add(&s->in_flight, 1);
	return ctx;
}

static void
on_completed(void *cls, struct MHD_Connection *con, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	gw_server  *s = cls;
	request_ctx *ctx = *con_cls;
	struct timespec now;

	(void) con;
	(void) toe;
	if (ctx == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	gw_log_access(ctx->method ? ctx->method : "-", ctx->path ? ctx->path : "(unparsed)",
				  ctx->status,
				  (double) (now.tv_sec - ctx->start.tv_sec) * 1000.0 +
				  (double) (now.tv_nsec - ctx->start.tv_nsec) / 1e6,
				  ctx->role);
	gw_buf_free(&ctx->body);
	free(ctx->target);
	free(ctx->method);
	free(ctx->path);
	free(ctx->role);
	free(ctx);
	*con_cls = NULL;
	atomic_fetch_sub(&s->in_flight, 1);
}

typedef struct header_list
{
	int			n,
				cap;
	const char **names;
	const char **values;
} header_list;

static enum MHD_Result
collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	header_list *h = cls;

	(void) kind;
	if (h->n == h->cap)
	{
		h->cap = h->cap ? h->cap * 2 : 16;
		h->names = realloc(h->names, (size_t) h->cap * sizeof *h->names);
		h->values = realloc(h->values, (size_t) h->cap * sizeof *h->values);
		if (h->names == NULL || h->values == NULL)
			abort();
	}
	h->names[h->n] = key ? key : "";
	h->values[h->n] = value ? value : "";
	h->n++;
	return MHD_YES;
}

static enum MHD_Result
send_result(struct MHD_Connection *con, gw_tx_result *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(r->has_body ? r->body.len : 0,
										   r->has_body && r->body.data ? r->body.data : (void *) "",
										   MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	for (int i = 0; i < r->n_headers; i++)
		if (MHD_add_response_header(resp, r->header_name[i], r->header_value[i]) != MHD_YES)
			gw_log(GW_LOG_WARN, "dropped a response header that HTTP cannot carry");
	if (r->status >= 400 && r->n_headers > 0)
	{
		/* PostgREST's Proxy-Status names the error code */
		const char *code = strstr(gw_buf_str(&r->body), "\"code\":\"");

		if (code)
		{
			char		v[96];
			const char *c = code + 8;
			size_t		n = strcspn(c, "\"");

			snprintf(v, sizeof v, "PostgREST; error=%.*s", (int) (n > 40 ? 40 : n), c);
			MHD_add_response_header(resp, "Proxy-Status", v);
		}
	}
	ret = MHD_queue_response(con, (unsigned) r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
		   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls,
		   bool admin)
{
	gw_server  *s = cls;
	request_ctx *ctx = *con_cls;
	gw_http_request req;
	header_list h = {0};
	gw_tx_result result;
	enum MHD_Result ret;

	(void) url;
	(void) version;
	if (ctx == NULL)
		return MHD_NO;
	if (!ctx->headers_seen)
	{
		const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

		ctx->headers_seen = true;
		ctx->method = gw_xstrdup(method);
		if (cl && strtoull(cl, NULL, 10) > s->cfg->max_body)
			ctx->too_large = true;	/* answer 413 now rather than read it all */
		else
			return MHD_YES;
	}
	else if (*upload_data_size > 0)
	{
		/* keep reading an oversized body, but do not keep it */
		if (!ctx->too_large && ctx->body.len + *upload_data_size > s->cfg->max_body)
		{
			ctx->too_large = true;
			gw_buf_free(&ctx->body);
		}
		if (!ctx->too_large)
			gw_buf_append(&ctx->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}

	MHD_get_connection_values(con, MHD_HEADER_KIND, collect_header, &h);
	memset(&req, 0, sizeof req);
	req.method = method;
	req.target = ctx->target;
	req.target_len = strlen(ctx->target);
	req.body = ctx->body.data;
	req.body_len = ctx->body.len;
	req.body_too_large = ctx->too_large;
	req.n_headers = h.n;
	req.header_names = h.names;
	req.header_values = h.values;
	req.client_cert = client_cert(s, con, admin);
	gw_handle(s->cfg, s->pool, &req, admin, &result, &ctx->role, &ctx->path);
	free(h.names);
	free(h.values);
	ctx->status = (int) result.status;
	ret = send_result(con, &result);
	gw_tx_result_free(&result);
	return ret;
}

static enum MHD_Result
on_main_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
				const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	return on_request(cls, con, url, method, version, upload_data, upload_data_size, con_cls, false);
}

static enum MHD_Result
on_admin_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	return on_request(cls, con, url, method, version, upload_data, upload_data_size, con_cls, true);
}

/*
 * PostgREST's server-host: "!4"/"*4" any IPv4, "!6"/"*6" any IPv6, "*" any,
 * otherwise a host name or address.
 */
static int
resolve(const char *host, int port, struct sockaddr_storage *ss, unsigned *flags, char *err, size_t errcap)
{
	struct addrinfo hints = {0},
			   *res = NULL;
	char		portstr[16];
	int			rc;

	memset(ss, 0, sizeof *ss);
	if (!strcmp(host, "!4") || !strcmp(host, "*4") || !strcmp(host, "*"))
	{
		struct sockaddr_in *in = (struct sockaddr_in *) ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t) port);
		in->sin_addr.s_addr = htonl(INADDR_ANY);
		return 0;
	}
	if (!strcmp(host, "!6") || !strcmp(host, "*6"))
	{
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t) port);
		in6->sin6_addr = in6addr_any;
		*flags |= MHD_USE_IPv6;
		return 0;
	}
	snprintf(portstr, sizeof portstr, "%d", port);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0 || res == NULL)
	{
		snprintf(err, errcap, "cannot resolve server-host %s: %s", host, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	if (res->ai_family == AF_INET6)
		*flags |= MHD_USE_IPv6;
	freeaddrinfo(res);
	return 0;
}

static struct MHD_Daemon *
start_daemon(gw_server *s, const char *host, int port, unsigned threads, bool admin, char *err, size_t errcap)
{
	struct sockaddr_storage ss;
	unsigned	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
	struct MHD_Daemon *d;

	if (resolve(host, port, &ss, &flags, err, errcap) < 0)
		return NULL;
	if (gw_log_get_level() >= GW_LOG_DEBUG)
		flags |= MHD_USE_ERROR_LOG;
	{
		struct MHD_OptionItem tls[4];
		int			n = 0;

		memset(tls, 0, sizeof tls);
		if (!admin && s->cfg->tls_cert_file)
		{
			flags |= MHD_USE_TLS;
			tls[n++] = (struct MHD_OptionItem) {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *) GW_TLS_PRIORITIES};
			tls[n++] = (struct MHD_OptionItem) {MHD_OPTION_HTTPS_CERT_CALLBACK, 0, gw_tls_cert_callback()};
			/* a trust list makes libmicrohttpd ask for client certificates; tls.c verifies them */
			if (s->cfg->tls_client_auth != GW_TLS_CLIENT_OFF)
				tls[n++] = (struct MHD_OptionItem) {MHD_OPTION_HTTPS_MEM_TRUST, 0, (void *) gw_tls_client_ca_pem()};
		}
		tls[n] = (struct MHD_OptionItem) {MHD_OPTION_END, 0, NULL};
		d = MHD_start_daemon(flags, (uint16_t) port, NULL, NULL,
							 admin ? on_admin_request : on_main_request, s,
							 MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &ss,
							 MHD_OPTION_THREAD_POOL_SIZE, threads,
							 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) s->cfg->connection_timeout_s,
							 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) 64 * 1024,
							 MHD_OPTION_CONNECTION_LIMIT, (unsigned) 1000,
							 MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
							 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
							 MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
							 MHD_OPTION_ARRAY, tls,
							 MHD_OPTION_END);
	}
	if (d == NULL)
		snprintf(err, errcap, "cannot listen on %s port %d (in use, or not allowed)", host, port);
	return d;
}

gw_server *
gw_server_start(const gw_config *cfg, gw_pool *pool, char *err, size_t errcap)
{
	gw_server  *s = gw_xcalloc(1, sizeof *s);

	s->cfg = cfg;
	s->pool = pool;
	atomic_init(&s->in_flight, 0);
	s->main = start_daemon(s, cfg->server_host, cfg->server_port, (unsigned) cfg->db_pool, false, err, errcap);
	if (s->main == NULL)
	{
		free(s);
		return NULL;
	}
	if (cfg->admin_server_port)
	{
		s->admin = start_daemon(s, cfg->admin_server_host, cfg->admin_server_port, 1, true, err, errcap);
		if (s->admin == NULL)
		{
			MHD_stop_daemon(s->main);
			free(s);
			return NULL;
		}
	}
	return s;
}

void
gw_server_stop(gw_server *s)
{
	struct timespec nap = {0, 50 * 1000000L};
	int			waited_ms = 0;
	MHD_socket	fd;

	if (s == NULL)
		return;
	fd = MHD_quiesce_daemon(s->main);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	while (atomic_load(&s->in_flight) > 0 && waited_ms < s->cfg->shutdown_timeout_s * 1000)
	{
		nanosleep(&nap, NULL);
		waited_ms += 50;
	}
	MHD_stop_daemon(s->main);
	if (s->admin)
		MHD_stop_daemon(s->admin);
	free(s);
}
