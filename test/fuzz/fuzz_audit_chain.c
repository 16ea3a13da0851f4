/*
 * fuzz_audit_chain.c — the audit export reader of the client library
 * (src/client/audit_chain.h), which bigpicture-audit-verify and
 * bigpicture-verify --audit use: bp_audit_chain_feed (one JSON line of an
 * export at a time), bp_audit_chain_set_checkpoint(_ctx) (a checkpoint
 * token and its payload), bp_audit_chain_finish and
 * bp_audit_chain_parse_time (occurred_at).
 *
 * Input: two bytes, then a body.  Byte 0: mode (bits 0-1), bit 2 check
 * the checkpoint with the client context of fuzz_client.h instead of the
 * audit key alone, bits 3-6 the key that signs in mode 1 (index into
 * fuzz_keys).  Byte 1: the line limit, 0 for 16384 bytes (more than any
 * input), else 4 times its value.
 *   mode 0: LINE ['\n' LINE]...            an export, fed line by line (none
 *                                          when the body is empty)
 *   mode 1: PAYLOAD ['\n' LINE]...         a checkpoint payload, signed here
 *                                          with the key, then lines
 *   mode 2: TOKEN ['\n' LINE]...           a checkpoint token as is, then lines
 *   mode 3: TEXT                           occurred_at alone
 *
 * Properties:
 *   - every buffer is exactly the size the header asks for (mem of
 *     bp_audit_chain_mem_len, work of bp_audit_chain_checkpoint_work_len);
 *   - a line that is OK moves the chain on by one event: head_seq is the
 *     line's seq, head_hash its hash, first_seq and chain_id those of the
 *     first line; a failure leaves the events as they were and is sticky
 *     (every later feed and finish returns it, the result does not move);
 *   - a failure's reason is one NUL-terminated line without control
 *     characters, reason_len long, and names a line no later than the last;
 *   - a checkpoint is refused (BAD_ARGUMENT, verifier unchanged) once a
 *     line was fed, after a failure, or a second time; one signed here
 *     with the audit key never fails its signature; with the client
 *     context, a known key that is not revoked never fails for its state
 *     or window (a checkpoint records the past), an unknown key is
 *     UNKNOWN_KEY, a revoked one KEY_REVOKED, a checkpoint it accepts is
 *     accepted by the signing key alone as the same checkpoint, and a chain
 *     checkpointed by a tenant's audit key is that tenant's;
 *   - finish: OK exactly when there were events and the checkpoint's seq
 *     (if any) was among them; afterwards feeding is BAD_ARGUMENT;
 *   - an occurred_at that parse_time accepts is accepted by
 *     bp_client_parse_rfc3339 too, naming the same second.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "audit_chain.h"
#include "bp_client.h"
#include "json.h"
#include "fuzz.h"
#include "fuzz_client.h"

#define DEFAULT_MAX_LINE 16384

static bp_client_ctx ctx;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	if (sodium_init() < 0)
		abort();
	fuzz_client_keys_init();
	fuzz_client_ctx(&ctx, true);
	return 0;
}

static void
check_time(const uint8_t *data, size_t size)
{
	char	   *s = fuzz_dup(data, size);
	int64_t		us = 0;
	int64_t		sec = 0;

	if (bp_audit_chain_parse_time(s, size, &us))
	{
		int64_t		floor_sec = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);

		FUZZ_ASSERT_MSG(bp_client_parse_rfc3339(s, size, &sec) && sec == floor_sec,
						"\"%.*s\": %lld us, client %lld s", (int) size, s, (long long) us,
						(long long) sec);
	}
	free(s);
}

static bool
same_result(const bp_audit_chain_result *a, const bp_audit_chain_result *b)
{
	return a->status == b->status && a->seq == b->seq && a->line == b->line &&
		a->reason_len == b->reason_len && strcmp(a->reason, b->reason) == 0 &&
		a->events == b->events && a->first_seq == b->first_seq && a->head_seq == b->head_seq &&
		memcmp(a->head_hash, b->head_hash, 32) == 0 && a->chain_id_len == b->chain_id_len &&
		a->checkpoint == b->checkpoint && a->checkpoint_seq == b->checkpoint_seq;
}

static void
check_result(size_t max_line, uint64_t lines, const bp_audit_chain_result *r)
{
	FUZZ_ASSERT(bp_audit_chain_status_name(r->status) != NULL &&
				bp_audit_chain_strerror(r->status) != NULL);
	FUZZ_ASSERT(r->reason != NULL && strlen(r->reason) == r->reason_len);
	for (size_t i = 0; i < r->reason_len; i++)
		FUZZ_ASSERT_MSG((unsigned char) r->reason[i] >= 0x20 && r->reason[i] != 0x7F,
						"control character in reason \"%s\"", r->reason);
	FUZZ_ASSERT(r->reason_len + 1 <= bp_audit_chain_mem_len(max_line));
	if (r->status == BP_AUDIT_CHAIN_OK)
		FUZZ_ASSERT(r->reason_len == 0);
	else
		FUZZ_ASSERT(r->reason_len > 0 && r->seq >= 0 && r->line <= lines);
	if (r->events > 0)
		FUZZ_ASSERT(r->first_seq >= 1 && r->head_seq >= r->first_seq &&
					(uint64_t) (r->head_seq - r->first_seq) + 1 == r->events);
}

/* The integer or 64-hex member name of an accepted line, read again. */
static void
check_accepted_line(const char *line, size_t len, const bp_audit_chain_result *r)
{
	bp_json_token tok[64];
	size_t		n = 0;
	int			v;
	int64_t		seq = 0;
	char		hex[64];
	size_t		hex_len = 0;
	uint8_t		hash[32];
	size_t		bin_len = 0;

	FUZZ_ASSERT(bp_json_parse(line, len, tok, 64, &n) == BP_JSON_OK);
	v = bp_json_object_get(line, tok, n, 0, "seq");
	FUZZ_ASSERT(v > 0 && bp_json_int64(line, &tok[v], &seq) == BP_JSON_OK && seq == r->head_seq);
	v = bp_json_object_get(line, tok, n, 0, "hash");
	FUZZ_ASSERT(v > 0 && bp_json_unescape(line, &tok[v], hex, sizeof(hex), &hex_len) == BP_JSON_OK);
	FUZZ_ASSERT(sodium_hex2bin(hash, 32, hex, hex_len, NULL, &bin_len, NULL) == 0 && bin_len == 32);
	FUZZ_ASSERT(memcmp(hash, r->head_hash, 32) == 0);
	if (r->events == 1)
	{
		char	   *cid;
		size_t		cid_len = 0;

		v = bp_json_object_get(line, tok, n, 0, "chain_id");
		FUZZ_ASSERT(v > 0);
		cid = fuzz_malloc(len);
		FUZZ_ASSERT(bp_json_unescape(line, &tok[v], cid, len, &cid_len) == BP_JSON_OK);
		FUZZ_ASSERT(cid_len == r->chain_id_len && memcmp(cid, r->chain_id, cid_len) == 0);
		FUZZ_ASSERT(r->first_seq == seq);
		free(cid);
	}
}

/* What set_checkpoint_ctx must say about a checkpoint signed by k. */
static void
check_ctx_checkpoint(const fuzz_key *k, const bp_audit_chain_result *r)
{
	const bp_client_key *ck = NULL;

	for (size_t i = 0; i < ctx.n_keys; i++)
		if (memcmp(ctx.keys[i].pk, k->pk, 32) == 0)
			ck = &ctx.keys[i];
	if (ck == NULL)
		FUZZ_ASSERT(r->status == BP_AUDIT_CHAIN_CHECKPOINT_INVALID &&
					r->client_status == BP_CLIENT_UNKNOWN_KEY);
	else if (ck->state == BP_CLIENT_STATE_REVOKED)
		FUZZ_ASSERT(r->status == BP_AUDIT_CHAIN_CHECKPOINT_INVALID &&
					r->client_status == BP_CLIENT_KEY_REVOKED);
	else
		FUZZ_ASSERT_MSG(r->client_status != BP_CLIENT_KEY_NOT_VALID &&
						r->client_status != BP_CLIENT_BAD_SIGNATURE &&
						r->client_status != BP_CLIENT_BUFFER_TOO_SMALL &&
						r->client_status != BP_CLIENT_EXPIRED &&
						r->client_status != BP_CLIENT_NOT_YET_VALID,
						"%s: %s", k->name, bp_client_status_name(r->client_status));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			mode;
	bool		with_ctx;
	const fuzz_key *signer;
	size_t		max_line;
	size_t		mem_len;
	void	   *mem;
	bp_audit_chain v;
	bp_audit_chain_result r;
	bp_audit_chain_result before;
	bp_audit_chain_status st;
	const uint8_t *rest;
	size_t		rest_len;
	uint64_t	lines = 0;
	bool		tenant_checkpoint = false;

	if (size < 2)
		return 0;
	mode = data[0] & 3;
	with_ctx = (data[0] >> 2) & 1;
	signer = &fuzz_keys[((data[0] >> 3) & 15) % FK_N];
	max_line = data[1] == 0 ? DEFAULT_MAX_LINE : 4 * (size_t) data[1];
	data += 2;
	size -= 2;
	if (mode == 3)
	{
		check_time(data, size);
		return 0;
	}

	mem_len = bp_audit_chain_mem_len(max_line);
	mem = fuzz_malloc(mem_len);
	FUZZ_ASSERT(bp_audit_chain_init(&v, max_line, mem, mem_len - 1) == BP_AUDIT_CHAIN_BAD_ARGUMENT);
	FUZZ_ASSERT(bp_audit_chain_init(&v, max_line, mem, mem_len) == BP_AUDIT_CHAIN_OK);
	/* an empty body is an export without lines */
	rest = size > 0 ? data : NULL;
	rest_len = size;

	if (mode != 0)
	{
		size_t		first_len;
		char	   *token;
		size_t		token_len;
		size_t		work_len;
		void	   *work;

		fuzz_split(data, size, '\n', &first_len, &rest, &rest_len);
		if (mode == 1)
			token = fuzz_sign_kid(signer, data, first_len, &token_len);
		else
		{
			token = fuzz_dup(data, first_len);
			token_len = first_len;
		}
		work_len = bp_audit_chain_checkpoint_work_len(token_len);
		FUZZ_ASSERT(work_len != SIZE_MAX);
		work = fuzz_malloc(work_len);
		/* one byte short: misuse, nothing changes */
		FUZZ_ASSERT(bp_audit_chain_set_checkpoint(&v, token, token_len, fuzz_keys[FK_AUDIT].pub,
												  work, work_len - 1) == BP_AUDIT_CHAIN_BAD_ARGUMENT);
		if (with_ctx)
			st = bp_audit_chain_set_checkpoint_ctx(&v, &ctx, token, token_len, work, work_len);
		else
			st = bp_audit_chain_set_checkpoint(&v, token, token_len, fuzz_keys[FK_AUDIT].pub,
											   work, work_len);
		bp_audit_chain_get_result(&v, &r);
		check_result(max_line, lines, &r);
		FUZZ_ASSERT(r.status == st && st != BP_AUDIT_CHAIN_BAD_ARGUMENT && st != BP_AUDIT_CHAIN_BAD_KEY);
		FUZZ_ASSERT((st == BP_AUDIT_CHAIN_OK) == r.checkpoint);
		if (st == BP_AUDIT_CHAIN_OK)
			FUZZ_ASSERT(r.checkpoint_seq >= 1);
		if (mode == 1 && with_ctx)
		{
			check_ctx_checkpoint(signer, &r);
			if (st == BP_AUDIT_CHAIN_OK)
			{
				/* the signing key alone accepts it too, as the same checkpoint */
				bp_audit_chain v2;
				bp_audit_chain_result r2;
				void	   *mem2 = fuzz_malloc(mem_len);

				FUZZ_ASSERT(bp_audit_chain_init(&v2, max_line, mem2, mem_len) == BP_AUDIT_CHAIN_OK);
				FUZZ_ASSERT(bp_audit_chain_set_checkpoint(&v2, token, token_len, signer->pub,
														  work, work_len) == BP_AUDIT_CHAIN_OK);
				bp_audit_chain_get_result(&v2, &r2);
				FUZZ_ASSERT(r2.checkpoint && r2.checkpoint_seq == r.checkpoint_seq);
				free(mem2);
			}
		}
		else if (mode == 1 && signer == &fuzz_keys[FK_AUDIT])
			FUZZ_ASSERT(st != BP_AUDIT_CHAIN_CHECKPOINT_INVALID);
		if (st != BP_AUDIT_CHAIN_CHECKPOINT_INVALID)
			FUZZ_ASSERT(r.client_status == BP_CLIENT_OK);
		if (mode == 1 && with_ctx && signer == &fuzz_keys[FK_TENANT_AUDIT] && st == BP_AUDIT_CHAIN_OK)
			tenant_checkpoint = true;
		/* only one checkpoint, and none after a failure */
		before = r;
		FUZZ_ASSERT(bp_audit_chain_set_checkpoint(&v, token, token_len, fuzz_keys[FK_AUDIT].pub,
												  work, work_len) == BP_AUDIT_CHAIN_BAD_ARGUMENT);
		bp_audit_chain_get_result(&v, &r);
		FUZZ_ASSERT(same_result(&before, &r));
		free(work);
		free(token);
	}

	/* the lines */
	while (rest != NULL)
	{
		size_t		len;
		const uint8_t *tail;
		size_t		tail_len;
		char	   *line;

		fuzz_split(rest, rest_len, '\n', &len, &tail, &tail_len);
		line = fuzz_dup(rest, len);
		bp_audit_chain_get_result(&v, &before);
		st = bp_audit_chain_feed(&v, line, len);
		lines++;
		bp_audit_chain_get_result(&v, &r);
		check_result(max_line, lines, &r);
		FUZZ_ASSERT(r.status == st && st != BP_AUDIT_CHAIN_BAD_ARGUMENT);
		if (st == BP_AUDIT_CHAIN_OK)
		{
			FUZZ_ASSERT(r.events == before.events + 1);
			check_accepted_line(line, len, &r);
		}
		else if (before.status != BP_AUDIT_CHAIN_OK)
			FUZZ_ASSERT(st == before.status && same_result(&before, &r));
		else
			FUZZ_ASSERT(r.events == before.events && r.head_seq == before.head_seq &&
						memcmp(r.head_hash, before.head_hash, 32) == 0);
		free(line);
		rest = tail;
		rest_len = tail_len;
	}
	if (lines > 0)
	{
		/* no checkpoint once lines have come */
		const char *token = "v4.public.AAAA";
		size_t		work_len = bp_audit_chain_checkpoint_work_len(14);
		void	   *work = fuzz_malloc(work_len);

		bp_audit_chain_get_result(&v, &before);
		FUZZ_ASSERT(bp_audit_chain_set_checkpoint(&v, token, 14, fuzz_keys[FK_AUDIT].pub,
												  work, work_len) == BP_AUDIT_CHAIN_BAD_ARGUMENT);
		bp_audit_chain_get_result(&v, &r);
		FUZZ_ASSERT(same_result(&before, &r));
		free(work);
	}

	/* the end */
	bp_audit_chain_get_result(&v, &before);
	st = bp_audit_chain_finish(&v);
	bp_audit_chain_get_result(&v, &r);
	check_result(max_line, lines, &r);
	FUZZ_ASSERT(st == r.status);
	if (before.status != BP_AUDIT_CHAIN_OK)
		FUZZ_ASSERT(st == before.status && same_result(&before, &r));
	else
	{
		bool		complete = before.events > 0 &&
			(!before.checkpoint || (before.checkpoint_seq >= before.first_seq &&
									before.checkpoint_seq <= before.head_seq));

		FUZZ_ASSERT_MSG((st == BP_AUDIT_CHAIN_OK) == complete, "finish: %s",
						bp_audit_chain_status_name(st));
		if (st == BP_AUDIT_CHAIN_OK)
			FUZZ_ASSERT(bp_audit_chain_feed(&v, "{}", 2) == BP_AUDIT_CHAIN_BAD_ARGUMENT);
		/* a tenant's audit key checkpoints its own chain only */
		if (st == BP_AUDIT_CHAIN_OK && tenant_checkpoint)
			FUZZ_ASSERT(r.chain_id_len == 4 && memcmp(r.chain_id, "acme", 4) == 0);
	}
	free(mem);
	return 0;
}
