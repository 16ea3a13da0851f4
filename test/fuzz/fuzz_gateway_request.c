/*
 * fuzz_gateway_request.c — the gateway's parsing of what a client sends
 * (src/gateway/request.c): the request target, form bodies and query
 * strings, the Authorization, Content-Type and Accept header values.
 *
 * The input is split at the first two NUL bytes into a target, a header
 * value and a form body.  Properties: parsing never fails; a target's
 * query string is always a JSON object that src/core's strict reader
 * accepts, with as many distinct keys as reported; a routed target has a
 * decoded path that is valid UTF-8 (the strict reader accepts it as a JSON
 * string), an RPC route a non-empty name; a form body gives valid JSON the
 * same way; a bearer token found lies inside the header value; content type
 * and Accept answers are in range.
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "json.h"
#include "request.h"

/* Is s valid UTF-8 without control characters?  (As a JSON string body.) */
static bool
json_string_ok(const char *s)
{
	gw_buf		b = {0};
	size_t		n = 0;
	bool		ok;

	gw_buf_json_string(&b, s, strlen(s));
	ok = bp_json_parse(gw_buf_str(&b), b.len, NULL, 0, &n) == BP_JSON_OK;
	gw_buf_free(&b);
	return ok;
}

static void
check_object(const char *json, size_t len, int keys)
{
	size_t		n = 0;
	bp_json_token tok[1];
	bp_json_status st;

	FUZZ_ASSERT_MSG(bp_json_parse(json, len, NULL, 0, &n) == BP_JSON_OK, "%.*s", (int) (len > 200 ? 200 : len), json);
	st = bp_json_parse(json, len, tok, 1, &n);
	FUZZ_ASSERT(st == BP_JSON_OK || st == BP_JSON_TOO_MANY_TOKENS);
	FUZZ_ASSERT(tok[0].type == BP_JSON_OBJECT);
	FUZZ_ASSERT(keys >= 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *z1 = memchr(data, '\0', size);
	size_t		tlen = z1 ? (size_t) (z1 - data) : size;
	const uint8_t *rest = z1 ? z1 + 1 : data + size;
	size_t		rlen = size - tlen - (z1 ? 1 : 0);
	const uint8_t *z2 = memchr(rest, '\0', rlen);
	size_t		hlen = z2 ? (size_t) (z2 - rest) : rlen;
	const uint8_t *body = z2 ? z2 + 1 : rest + rlen;
	size_t		blen = rlen - hlen - (z2 ? 1 : 0);
	char	   *target = fuzz_dup(data, tlen);
	char	   *header = fuzz_dupz(rest, hlen);
	char	   *form = fuzz_dup(body, blen);
	gw_target	t;
	gw_buf		out = {0};
	int			keys;

	memset(&t, 0, sizeof(t));
	gw_target_parse(target, tlen, &t);
	FUZZ_ASSERT(t.route >= GW_ROUTE_ROOT && t.route <= GW_ROUTE_INVALID);
	if (t.route != GW_ROUTE_INVALID)
	{
		FUZZ_ASSERT(t.path != NULL && json_string_ok(t.path));
		if (t.route == GW_ROUTE_RPC || t.route == GW_ROUTE_TABLE)
			FUZZ_ASSERT(t.name != NULL && t.name[0] != '\0' && json_string_ok(t.name));
		FUZZ_ASSERT(t.query_json != NULL);
		check_object(t.query_json, strlen(t.query_json), t.n_query_keys);
	}
	gw_target_free(&t);

	keys = gw_form_to_json(form, blen, &out);
	check_object(gw_buf_str(&out), out.len, keys);
	gw_buf_free(&out);

	{
		const char *token = NULL;
		size_t		len = 0;
		int			found = gw_bearer_token(header, &token, &len);

		FUZZ_ASSERT(found == 0 || found == 1);
		if (found)
			FUZZ_ASSERT(token >= header && token + len <= header + hlen);
	}
	{
		gw_body_type bt = gw_content_type(header);

		FUZZ_ASSERT(bt >= GW_BODY_JSON && bt <= GW_BODY_OTHER);
		(void) gw_accepts_json(header, "application/openapi+json");
		(void) gw_accepts_json(header, NULL);
	}
	free(target);
	free(header);
	free(form);
	return 0;
}
