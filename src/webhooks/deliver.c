/*
 * deliver.c — the HTTP side of bigpicture-webhooks: one POST per job at a
 * time over one libcurl multi handle, so a slow or failing endpoint never
 * holds up another.  Each try is signed afresh (webhook-timestamp is the
 * try's time), never follows a redirect, goes through no proxy, and
 * connects only to addresses the settings allow: the check is on the
 * address libcurl is about to connect to, after name resolution, so a
 * name that resolves to 127.0.0.1 (or is rebound to it) is refused too.
 */
#include "webhooks.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>

#include "standard_webhooks.h"

static CURLM *multi;
static int	n_transfers;		/* handles added and not yet finished */
static const wh_config *config;

int64_t
wh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool
wh_deliver_init(const wh_config *cfg)
{
	config = cfg;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return false;
	multi = curl_multi_init();
	return multi != NULL;
}

void
wh_deliver_cleanup(void)
{
	curl_multi_cleanup(multi);
	curl_global_cleanup();
}

/* ---- which addresses may be connected to -------------------------------------------------- */

static bool
v4_in(uint32_t a, const char *net, int bits)
{
	struct in_addr n;

	inet_pton(AF_INET, net, &n);
	return bits == 0 || (a >> (32 - bits)) == (ntohl(n.s_addr) >> (32 - bits));
}

/* NULL when allowed, else what kind of address it is. */
static const char *
v4_forbidden(uint32_t a)
{
	if (v4_in(a, "127.0.0.0", 8))
		return config->allow_loopback ? NULL : "loopback";
	if (v4_in(a, "0.0.0.0", 8) || v4_in(a, "224.0.0.0", 4) || v4_in(a, "240.0.0.0", 4))
		return "not a unicast host";
	if (v4_in(a, "169.254.0.0", 16))
		return config->allow_private ? NULL : "link-local";
	if (v4_in(a, "10.0.0.0", 8) || v4_in(a, "172.16.0.0", 12) || v4_in(a, "192.168.0.0", 16) ||
		v4_in(a, "100.64.0.0", 10) || v4_in(a, "192.0.0.0", 24) || v4_in(a, "198.18.0.0", 15))
		return config->allow_private ? NULL : "private";
	return NULL;
}

static const char *
address_forbidden(const struct sockaddr *sa, char *text, size_t text_len)
{
	if (sa->sa_family == AF_INET)
	{
		const struct sockaddr_in *in = (const struct sockaddr_in *) sa;

		inet_ntop(AF_INET, &in->sin_addr, text, (socklen_t) text_len);
		return v4_forbidden(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6)
	{
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
		const uint8_t *b = in6->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		inet_ntop(AF_INET6, &in6->sin6_addr, text, (socklen_t) text_len);
		static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
		static const uint8_t compat[12] = {0};

		/* an IPv4 address inside an IPv6 one (mapped, NAT64, compatible, 6to4) is judged as IPv4 */
		if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0 ||
			(memcmp(b, compat, 12) == 0 && (b[12] | b[13]) != 0))
			return v4_forbidden(((uint32_t) b[12] << 24) | ((uint32_t) b[13] << 16) | ((uint32_t) b[14] << 8) | b[15]);
		if (b[0] == 0x20 && b[1] == 0x02)
			return v4_forbidden(((uint32_t) b[2] << 24) | ((uint32_t) b[3] << 16) | ((uint32_t) b[4] << 8) | b[5]);
		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return config->allow_loopback ? NULL : "loopback";
		if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr) || b[0] == 0xff)
			return "not a unicast host";
		if (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr))
			return config->allow_private ? NULL : "link-local";
		if ((b[0] & 0xfe) == 0xfc)
			return config->allow_private ? NULL : "private";
		return NULL;
	}
	snprintf(text, text_len, "family %d", sa->sa_family);
	return "not an IP address";
}

static curl_socket_t
open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address)
{
	wh_job	   *job = clientp;
	char		text[INET6_ADDRSTRLEN + 1] = "";
	const char *why;

	(void) purpose;
	why = address_forbidden(&address->addr, text, sizeof(text));
	if (why != NULL)
	{
		job->refused_address = true;
		snprintf(job->refused, sizeof(job->refused), "refused: %s resolves to a %s address", text, why);
		return CURL_SOCKET_BAD;
	}
	return socket(address->family, address->socktype, address->protocol);
}

/* ---- one try -------------------------------------------------------------------------------- */

/* The response is read up to the cap and thrown away; past it the transfer stops. */
static size_t
read_response(char *data, size_t size, size_t n, void *clientp)
{
	wh_job	   *job = clientp;

	(void) data;
	job->response_bytes += (long) (size * n);
	if (job->response_bytes > config->max_response_bytes)
		return 0;
	return size * n;
}

bool
wh_deliver_start(wh_job *job, wh_result *result)
{
	wh_event   *ev = &job->events[job->next];
	CURL	   *easy = curl_easy_init();
	struct curl_slist *h = NULL;
	char		line[BP_SWH_SIGNATURE_LEN * 2 + 64];
	char		sigs[(BP_SWH_SIGNATURE_LEN + 1) * 2 + 1] = "";
	time_t		now = time(NULL);

	memset(result, 0, sizeof(*result));
	if (easy == NULL)
	{
		snprintf(result->error, sizeof(result->error), "could not start a transfer");
		return false;
	}
	for (int i = 0; i < job->n_secrets; i++)
	{
		char		sig[BP_SWH_SIGNATURE_LEN + 1];

		snprintf(line, sizeof(line), "evt_%lld", (long long) ev->event_id);
		if (bp_swh_sign(job->secrets[i], line, (int64_t) now, ev->body, strlen(ev->body), sig) != BP_SWH_OK)
		{
			curl_easy_cleanup(easy);
			snprintf(result->error, sizeof(result->error), "the subscription's secret is not a valid whsec_ secret");
			return false;
		}
		if (i > 0)
			strcat(sigs, " ");
		strcat(sigs, sig);
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	snprintf(line, sizeof(line), "webhook-id: evt_%lld", (long long) ev->event_id);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "webhook-timestamp: %lld", (long long) now);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "webhook-signature: %s", sigs);
	h = curl_slist_append(h, line);
	h = curl_slist_append(h, "Expect:");	/* no 100-continue round trip */
	h = curl_slist_append(h, "User-Agent: bigpicture-webhooks");

	job->easy = easy;
	job->headers = h;
	job->response_bytes = 0;
	job->refused_address = false;
	job->refused[0] = '\0';
	job->started_ms = wh_now_ms();
	curl_easy_setopt(easy, CURLOPT_URL, job->url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, ev->body);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long) strlen(ev->body));
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long) config->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long) config->connect_timeout_ms);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, job);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, read_response);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, job);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, job);
	curl_multi_add_handle(multi, easy);
	n_transfers++;
	return true;
}

void
wh_deliver_wait(int fd, int timeout_ms)
{
	int			running = 0;
	struct curl_waitfd extra = {.fd = fd, .events = CURL_WAIT_POLLIN};

	curl_multi_perform(multi, &running);
	/*
	 * A transfer that finished in that perform (a local endpoint answers
	 * within it) has nothing left to poll for: waiting now would hold its
	 * result, and the subscription's next event, for the whole timeout.
	 */
	if (running < n_transfers)
		return;
	curl_multi_poll(multi, fd >= 0 ? &extra : NULL, fd >= 0 ? 1 : 0, timeout_ms, NULL);
	curl_multi_perform(multi, &running);
}

static void
finish(wh_job *job)
{
	curl_multi_remove_handle(multi, job->easy);
	n_transfers--;
	curl_easy_cleanup(job->easy);
	curl_slist_free_all(job->headers);
	job->easy = NULL;
	job->headers = NULL;
}

wh_job *
wh_deliver_done(wh_result *result)
{
	int			left;
	CURLMsg    *m;

	while ((m = curl_multi_info_read(multi, &left)) != NULL)
	{
		wh_job	   *job;
		long		status = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **) &job);
		curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		memset(result, 0, sizeof(*result));
		result->http_status = (int) status;
		result->duration_ms = (int) (wh_now_ms() - job->started_ms);
		/*
		 * A refused address is the error only when no address of the name
		 * could be connected to: a name that resolves to a refused and an
		 * allowed address is posted to the allowed one, and how that went
		 * (a 2xx, a timeout) is the outcome.
		 */
		if (job->refused_address && m->data.result == CURLE_COULDNT_CONNECT)
			snprintf(result->error, sizeof(result->error), "%s", job->refused);
		else if (m->data.result == CURLE_WRITE_ERROR && job->response_bytes > config->max_response_bytes)
		{
			/* the status came before the body: a 2xx with a long body is delivered */
			if (status < 200 || status > 299)
				snprintf(result->error, sizeof(result->error), "HTTP %ld (response cut at %ld bytes)", status,
						 config->max_response_bytes);
		}
		else if (m->data.result != CURLE_OK)
		{
			result->http_status = 0;
			snprintf(result->error, sizeof(result->error), "%s", curl_easy_strerror(m->data.result));
		}
		else if (status < 200 || status > 299)
			snprintf(result->error, sizeof(result->error), "HTTP %ld", status);
		finish(job);
		return job;
	}
	return NULL;
}

void
wh_deliver_abandon(wh_job *job)
{
	if (job->easy != NULL)
		finish(job);
}
