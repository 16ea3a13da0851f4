/*
 * agent_curl.c — the agent's default transport (bp_agent_curl_transport,
 * agent.h) on libcurl: one easy handle per request, no redirects (an answer
 * must come from the service asked), HTTP and HTTPS only, the request's time
 * left as the whole transfer's timeout, answers longer than max_body refused.
 */
#include "agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

typedef struct sink
{
	bp_agent_response *resp;
	size_t		max;
	bool		too_long;
} sink;

static size_t
on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	sink	   *s = arg;
	size_t		n = size * nmemb;
	char	   *grown;

	if (s->resp->body_len + n > s->max)
	{
		s->too_long = true;
		return 0;
	}
	grown = realloc(s->resp->body, s->resp->body_len + n + 1);
	if (grown == NULL)
		return 0;
	memcpy(grown + s->resp->body_len, data, n);
	s->resp->body = grown;
	s->resp->body_len += n;
	grown[s->resp->body_len] = '\0';
	return n;
}

int
bp_agent_curl_transport(void *arg, const bp_agent_request *req, bp_agent_response *resp)
{
	static bool initialised;
	CURL	   *c;
	CURLcode	rc;
	struct curl_slist *headers = NULL;
	char		auth[8192] = "";
	sink		s = {resp, req->max_body, false};

	(void) arg;
	if (!initialised)
	{
		/* not thread-safe before curl 7.84; the agent documents one thread per agent */
		curl_global_init(CURL_GLOBAL_DEFAULT);
		initialised = true;
	}
	c = curl_easy_init();
	if (c == NULL)
	{
		snprintf(resp->error, sizeof(resp->error), "libcurl could not start");
		return -1;
	}
	headers = curl_slist_append(headers, "Accept: application/json");
	if (req->body != NULL)
		headers = curl_slist_append(headers, "Content-Type: application/json");
	if (req->authorization != NULL)
	{
		snprintf(auth, sizeof(auth), "Authorization: %s", req->authorization);
		headers = curl_slist_append(headers, auth);
	}
	curl_easy_setopt(c, CURLOPT_URL, req->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	if (strcmp(req->method, "POST") == 0)
	{
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long) req->body_len);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	else
		snprintf(resp->error, sizeof(resp->error), "%s", s.too_long ? "the answer is too long" : curl_easy_strerror(rc));
	if (auth[0] != '\0' && req->authorization != NULL)
		memset(auth, 0, sizeof(auth));
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
	{
		free(resp->body);
		resp->body = NULL;
		resp->body_len = 0;
		return -1;
	}
	return 0;
}
