/*
 * audit_chain.c — libbigpicture-client: verify an exported audit chain.
 * See audit_chain.h; the export format and the hash are in docs/audit.md
 * and src/core/audit_hash.h.
 *
 * The reasons are the exact texts bigpicture-audit-verify has always
 * printed after "FAIL seq N: "; texts from the input (chain ids, a member
 * name) are quoted in full with control characters replaced by '?', so a
 * reason is one line.  mem is laid out as
 *
 *   chain_id [max_line] | text [max_line] | cp_chain_id [max_line] |
 *   reason [2 * max_line + REASON_EXTRA + 1]
 *
 * which holds the longest reason: two quoted chain ids (each at most
 * max_line bytes, since a line's unescaped text is never longer than the
 * line) and fixed text.
 *
 * test/unit/test_audit_chain.c includes this file and bp_client.c in one
 * translation unit, so static names here differ from bp_client.c's.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "audit_chain.h"
#include "audit_hash.h"
#include "bp_client.h"
#include "json.h"
#include "paserk.h"
#include "paseto.h"

/* An event has 15 members: 31 tokens.  Anything bigger is not an event. */
#define EVENT_TOKENS 64
#define CHECKPOINT_TOKENS 1024
/* Fixed text, numbers and library sentences of a reason: well under this. */
#define REASON_EXTRA 512

/* Members of an exported event, in export order. */
enum member
{
	M_V,
	M_CHAIN_ID,
	M_SEQ,
	M_EVENT_ID,
	M_OCCURRED_AT_US,
	M_OCCURRED_AT,
	M_ACTOR,
	M_EVENT_TYPE,
	M_OBJECT_TYPE,
	M_OBJECT_ID,
	M_BEFORE,
	M_AFTER,
	M_CONTEXT,
	M_PREV_HASH,
	M_HASH,
	N_MEMBERS
};

static const char *const member_names[N_MEMBERS] = {
	"v", "chain_id", "seq", "event_id", "occurred_at_us", "occurred_at",
	"actor", "event_type", "object_type", "object_id", "before", "after",
	"context", "prev_hash", "hash"
};

static const char *const chain_status_names[BP_AUDIT_CHAIN_N_STATUS] = {
	"OK", "BAD_ARGUMENT", "BAD_KEY", "CHECKPOINT_INVALID", "CHECKPOINT_MALFORMED",
	"CHECKPOINT_MISMATCH", "TRUNCATED", "BAD_LINE", "WRONG_VERSION", "CHAIN_MISMATCH",
	"GAP", "BROKEN_LINK", "HASH_MISMATCH", "EMPTY"
};

static const char *const chain_status_sentences[BP_AUDIT_CHAIN_N_STATUS] = {
	"The audit chain verifies.",
	"A required argument is missing or not acceptable.",
	"The audit key is not a valid PASERK k4.public key.",
	"The checkpoint token does not verify.",
	"The checkpoint token is not a checkpoint (typ, seq, hash or chain_id).",
	"The export does not match the checkpoint (another chain, or another hash at its seq).",
	"The export ends before the checkpoint: its tail was cut off.",
	"A line is not a well-formed audit event.",
	"A line is not in export format version 1.",
	"A line belongs to another chain.",
	"A sequence number is missing.",
	"An event's prev_hash is not the hash of the event before it.",
	"An event does not hash to its hash: it was altered.",
	"The export holds no events."
};

const char *
bp_audit_chain_status_name(bp_audit_chain_status status)
{
	if ((int) status < 0 || (int) status >= BP_AUDIT_CHAIN_N_STATUS)
		return "UNKNOWN_STATUS";
	return chain_status_names[status];
}

const char *
bp_audit_chain_strerror(bp_audit_chain_status status)
{
	if ((int) status < 0 || (int) status >= BP_AUDIT_CHAIN_N_STATUS)
		return "Unknown status.";
	return chain_status_sentences[status];
}

/* ---- sizes -------------------------------------------------------------- */

static size_t
size_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t
size_mul(size_t a, size_t b)
{
	return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/* Alignment that bp_json_token needs, without C11's alignof. */
struct chain_token_align
{
	char		c;
	bp_json_token t;
};
#define CHAIN_TOKEN_ALIGN offsetof(struct chain_token_align, t)

size_t
bp_audit_chain_mem_len(size_t max_line)
{
	return size_add(size_mul(max_line, 5), REASON_EXTRA + 1);
}

/* The start of work: room for the payload (at its start) and verifying. */
static size_t
checkpoint_verify_len(size_t token_len)
{
	size_t		pmax = bp_paseto_v4_payload_max_len(token_len);
	size_t		scratch = bp_paseto_v4_verify_scratch_len(token_len, 0);
	size_t		raw;
	size_t		ctx;

	if (pmax == SIZE_MAX || scratch == SIZE_MAX)
		return SIZE_MAX;
	raw = size_add(pmax, scratch);
	ctx = bp_client_work_len(token_len);
	return raw > ctx ? raw : ctx;
}

size_t
bp_audit_chain_checkpoint_work_len(size_t token_len)
{
	size_t		front = checkpoint_verify_len(token_len);

	if (front == SIZE_MAX)
		return SIZE_MAX;
	return size_add(size_add(front, CHAIN_TOKEN_ALIGN),
					size_mul(CHECKPOINT_TOKENS, sizeof(bp_json_token)));
}

bp_audit_chain_status
bp_audit_chain_init(bp_audit_chain *v, size_t max_line, void *mem, size_t mem_len)
{
	char	   *m = mem;
	size_t		need = bp_audit_chain_mem_len(max_line);

	if (v == NULL || mem == NULL || max_line == 0 || need == SIZE_MAX || mem_len < need)
		return BP_AUDIT_CHAIN_BAD_ARGUMENT;
	memset(v, 0, sizeof(*v));
	v->max_line = max_line;
	v->chain_id = m;
	v->text = m + max_line;
	v->cp_chain_id = m + 2 * max_line;
	v->reason = m + 3 * max_line;
	v->reason_cap = need - 3 * max_line;
	v->reason[0] = '\0';
	v->status = BP_AUDIT_CHAIN_OK;
	v->client_status = BP_CLIENT_OK;
	return BP_AUDIT_CHAIN_OK;
}

/* ---- reasons ------------------------------------------------------------ */

/* Append printf-style text to the reason (bounded; never overflows). */
#ifdef __GNUC__
static void reason_printf(bp_audit_chain *v, const char *fmt,...) __attribute__((format(printf, 2, 3)));
#endif

static void
reason_printf(bp_audit_chain *v, const char *fmt,...)
{
	va_list		ap;
	size_t		room = v->reason_cap - v->reason_len;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(v->reason + v->reason_len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		v->reason[v->reason_len] = '\0';
	else
		v->reason_len += (size_t) n < room ? (size_t) n : room - 1;
}

/* Append input text, control characters (and NUL) replaced by '?'. */
static void
reason_text(bp_audit_chain *v, const char *s, size_t len)
{
	size_t		i;

	for (i = 0; i < len && v->reason_len + 1 < v->reason_cap; i++)
	{
		unsigned char c = (unsigned char) s[i];

		v->reason[v->reason_len++] = (char) (c < 0x20 || c == 0x7F ? '?' : c);
	}
	v->reason[v->reason_len] = '\0';
}

static void
reason_hex(bp_audit_chain *v, const uint8_t h[32])
{
	char		hex[65];

	sodium_bin2hex(hex, sizeof(hex), h, 32);
	reason_printf(v, "%s", hex);
}

/* Record the failure status at seq, with an empty reason to append to. */
static bp_audit_chain_status
fail_start(bp_audit_chain *v, bp_audit_chain_status status, int64_t seq, uint64_t line)
{
	v->status = status;
	v->fail_seq = seq;
	v->fail_line = line;
	v->reason_len = 0;
	v->reason[0] = '\0';
	return status;
}

/* A failure with a printf-style reason. */
#ifdef __GNUC__
static bp_audit_chain_status fail(bp_audit_chain *v, bp_audit_chain_status status, int64_t seq,
								  uint64_t line, const char *fmt,...) __attribute__((format(printf, 5, 6)));
#endif

static bp_audit_chain_status
fail(bp_audit_chain *v, bp_audit_chain_status status, int64_t seq, uint64_t line,
	 const char *fmt,...)
{
	va_list		ap;
	size_t		room = v->reason_cap;
	int			n;

	fail_start(v, status, seq, line);
	va_start(ap, fmt);
	n = vsnprintf(v->reason, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		v->reason[0] = '\0';
	else
		v->reason_len = (size_t) n < room ? (size_t) n : room - 1;
	return status;
}

/* ---- helpers ------------------------------------------------------------ */

/* Exactly 64 hex digits (either case) to 32 bytes. */
static bool
decode_hash(const char *hex, size_t len, uint8_t out[32])
{
	size_t		bin_len = 0;
	const char *end = NULL;

	if (len != 64)
		return false;
	return sodium_hex2bin(out, 32, hex, len, NULL, &bin_len, &end) == 0 &&
		bin_len == 32 && end == hex + 64;
}

static bool
digits(const char *s, size_t n, int64_t *out)
{
	size_t		i;
	int64_t		v = 0;

	for (i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * occurred_at is not hashed: it is there for people.  So that nobody is
 * misled by an edited one, it must name the same instant as occurred_at_us:
 * YYYY-MM-DDTHH:MM:SS, then up to six fraction digits, then Z or +00:00.
 */
bool
bp_audit_chain_parse_time(const char *s, size_t len, int64_t *us)
{
	int64_t		y, mo, d, h, mi, sec;
	int64_t		frac = 0;
	size_t		p = 19;
	size_t		k;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (s == NULL || us == NULL)
		return false;
	if (len < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
		s[13] != ':' || s[16] != ':' ||
		!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
		!digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
		(mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) ||
		h > 23 || mi > 59 || sec > 59)
		return false;
	if (s[p] == '.')
	{
		for (k = 0, p++; k < 6 && p < len && s[p] >= '0' && s[p] <= '9'; k++, p++)
			frac = frac * 10 + (s[p] - '0');
		if (k == 0)
			return false;
		for (; k < 6; k++)
			frac *= 10;
	}
	if (!((len - p == 1 && s[p] == 'Z') ||
		  (len - p == 6 && memcmp(s + p, "+00:00", 6) == 0)))
		return false;
	*us = ((bp_client_days_from_civil(y, (unsigned) mo, (unsigned) d) * 86400 + h * 3600 + mi * 60 + sec) *
		   INT64_C(1000000)) + frac;
	return true;
}

/* The seq the next line must have; 0 (never valid) before the first line. */
static int64_t
next_seq(const bp_audit_chain *v)
{
	if (v->events == 0 || v->head_seq == INT64_MAX)
		return 0;
	return v->head_seq + 1;
}

/*
 * Unescape a string token into v->text at *used, as an audit text; a JSON
 * null gives a NULL text where nullable.  false when the type is wrong.
 */
static bool
take_text(bp_audit_chain *v, const char *line, const bp_json_token *tok, bool nullable,
		  size_t *used, bp_audit_text *out)
{
	size_t		len;

	out->ptr = NULL;
	out->len = 0;
	out->is_null = false;
	if (tok->type == BP_JSON_NULL && nullable)
	{
		out->is_null = true;
		return true;
	}
	if (tok->type != BP_JSON_STRING)
		return false;
	/* Unescaped texts are never longer than the line, so text suffices. */
	if (bp_json_unescape(line, tok, v->text + *used, v->max_line - *used,
						 &len) != BP_JSON_OK)
		return false;
	out->ptr = v->text + *used;
	out->len = len;
	*used += len;
	return true;
}

/* ---- one line ----------------------------------------------------------- */

static bp_audit_chain_status
check_event(bp_audit_chain *v, const char *line, size_t len)
{
	int64_t		expect = next_seq(v);
	unsigned long long line_no = (unsigned long long) v->line_no;
	bp_json_token tok[EVENT_TOKENS];
	int			member_tok[N_MEMBERS];
	size_t		n = 0;
	size_t		used = 0;
	size_t		off = 0;
	bp_json_status js;
	bp_audit_event ev;
	bp_audit_text prev_hex;
	bp_audit_text hash_hex;
	bp_audit_text occurred_at;
	uint8_t		prev[32];
	uint8_t		claimed[32];
	uint8_t		computed[32];
	int64_t		seq;
	int64_t		ver;
	int64_t		occurred_at_us;
	int64_t		occurred_check;
	int			i;
	int			m;

	if (len > v->max_line)
		return fail(v, BP_AUDIT_CHAIN_BAD_LINE, expect, v->line_no,
					"bad line %llu: longer than %zu bytes", line_no, v->max_line);

	js = bp_json_parse_at(line, len, tok, EVENT_TOKENS, &n, &off);
	if (js == BP_JSON_TOO_MANY_TOKENS)
		return fail(v, BP_AUDIT_CHAIN_BAD_LINE, expect, v->line_no,
					"bad line %llu: too many values for an event", line_no);
	if (js != BP_JSON_OK)
		return fail(v, BP_AUDIT_CHAIN_BAD_LINE, expect, v->line_no,
					"bad line %llu: invalid JSON at byte %zu: %s",
					line_no, off + 1, bp_json_strerror(js));
	if (tok[0].type != BP_JSON_OBJECT)
		return fail(v, BP_AUDIT_CHAIN_BAD_LINE, expect, v->line_no,
					"bad line %llu: not a JSON object", line_no);

	/*
	 * Every member exactly once and nothing else: with a duplicate, another
	 * reader could see a different event than the one verified here.
	 */
	for (m = 0; m < N_MEMBERS; m++)
		member_tok[m] = -1;
	for (i = 1; i > 0 && (size_t) i < n; i = bp_json_skip(tok, n, i + 1))
	{
		for (m = 0; m < N_MEMBERS; m++)
			if (bp_json_string_equals(line, &tok[i], member_names[m],
									  strlen(member_names[m])))
				break;
		if (m == N_MEMBERS)
		{
			fail(v, BP_AUDIT_CHAIN_BAD_LINE, expect, v->line_no,
				 "bad line %llu: unknown member \"", line_no);
			reason_text(v, line + tok[i].start, tok[i].end - tok[i].start);
			reason_printf(v, "\"");
			return v->status;
		}
		if (member_tok[m] >= 0)
			return fail(v, BP_AUDIT_CHAIN_BAD_LINE, expect, v->line_no,
						"bad line %llu: duplicate member \"%s\"", line_no, member_names[m]);
		member_tok[m] = i + 1;
	}
	for (m = 0; m < N_MEMBERS; m++)
		if (member_tok[m] < 0)
			return fail(v, BP_AUDIT_CHAIN_BAD_LINE, expect, v->line_no,
						"bad line %llu: missing member \"%s\"", line_no, member_names[m]);

	if (tok[member_tok[M_V]].type != BP_JSON_NUMBER ||
		bp_json_int64(line, &tok[member_tok[M_V]], &ver) != BP_JSON_OK ||
		ver != 1)
		return fail(v, BP_AUDIT_CHAIN_WRONG_VERSION, expect, v->line_no,
					"wrong version: line %llu is not format v 1", line_no);

	if (tok[member_tok[M_SEQ]].type != BP_JSON_NUMBER ||
		bp_json_int64(line, &tok[member_tok[M_SEQ]], &seq) != BP_JSON_OK ||
		seq < 1)
		return fail(v, BP_AUDIT_CHAIN_BAD_LINE, expect, v->line_no,
					"bad line %llu: seq is not a positive integer", line_no);
	if (tok[member_tok[M_OCCURRED_AT_US]].type != BP_JSON_NUMBER ||
		bp_json_int64(line, &tok[member_tok[M_OCCURRED_AT_US]],
					  &occurred_at_us) != BP_JSON_OK)
		return fail(v, BP_AUDIT_CHAIN_BAD_LINE, seq, v->line_no,
					"bad line %llu: occurred_at_us is not a 64-bit integer", line_no);

	ev.seq = (uint64_t) seq;
	ev.occurred_at_us = occurred_at_us;
	{
		/* The hashed texts; the last four may be null. */
		const int	text_member[] = {
			M_CHAIN_ID, M_EVENT_ID, M_ACTOR, M_EVENT_TYPE, M_OBJECT_TYPE,
			M_OBJECT_ID, M_BEFORE, M_AFTER, M_CONTEXT
		};
		bp_audit_text *text_field[9];
		int			t;

		text_field[0] = &ev.chain_id;
		text_field[1] = &ev.event_id;
		text_field[2] = &ev.actor;
		text_field[3] = &ev.event_type;
		text_field[4] = &ev.object_type;
		text_field[5] = &ev.object_id;
		text_field[6] = &ev.before;
		text_field[7] = &ev.after;
		text_field[8] = &ev.context;
		for (t = 0; t < 9; t++)
		{
			bool		nullable = t >= 5;

			if (!take_text(v, line, &tok[member_tok[text_member[t]]], nullable,
						   &used, text_field[t]))
				return fail(v, BP_AUDIT_CHAIN_BAD_LINE, seq, v->line_no,
							"bad line %llu: %s must be a string%s", line_no,
							member_names[text_member[t]], nullable ? " or null" : "");
		}
	}
	if (!take_text(v, line, &tok[member_tok[M_OCCURRED_AT]], false, &used, &occurred_at) ||
		!take_text(v, line, &tok[member_tok[M_PREV_HASH]], false, &used, &prev_hex) ||
		!take_text(v, line, &tok[member_tok[M_HASH]], false, &used, &hash_hex))
		return fail(v, BP_AUDIT_CHAIN_BAD_LINE, seq, v->line_no,
					"bad line %llu: occurred_at, prev_hash and hash must be strings", line_no);
	if (!decode_hash(prev_hex.ptr, prev_hex.len, prev) ||
		!decode_hash(hash_hex.ptr, hash_hex.len, claimed))
		return fail(v, BP_AUDIT_CHAIN_BAD_LINE, seq, v->line_no,
					"bad line %llu: prev_hash and hash must be 64 hex digits", line_no);

	/* Where this line belongs in the chain. */
	if (v->events == 0)
	{
		if (v->cp_present &&
			(v->cp_chain_id_len != ev.chain_id.len ||
			 memcmp(v->cp_chain_id, ev.chain_id.ptr, ev.chain_id.len) != 0))
		{
			fail(v, BP_AUDIT_CHAIN_CHECKPOINT_MISMATCH, v->cp_seq, v->line_no,
				 "checkpoint mismatch: the checkpoint is for chain ");
			reason_text(v, v->cp_chain_id, v->cp_chain_id_len);
			reason_printf(v, ", the export is chain ");
			reason_text(v, ev.chain_id.ptr, ev.chain_id.len);
			return v->status;
		}
		if (v->cp_present && seq > v->cp_seq)
			return fail(v, BP_AUDIT_CHAIN_CHECKPOINT_MISMATCH, v->cp_seq, v->line_no,
						"checkpoint mismatch: the export starts after the checkpoint, at seq %lld",
						(long long) seq);
		if (seq == 1 && !sodium_is_zero(prev, 32))
			return fail(v, BP_AUDIT_CHAIN_BROKEN_LINK, seq, v->line_no,
						"broken link: prev_hash of seq 1 is not 32 zero bytes");
	}
	else
	{
		if (ev.chain_id.len != v->chain_id_len ||
			memcmp(ev.chain_id.ptr, v->chain_id, v->chain_id_len) != 0)
		{
			fail(v, BP_AUDIT_CHAIN_CHAIN_MISMATCH, expect, v->line_no, "chain mismatch: chain_id ");
			reason_text(v, ev.chain_id.ptr, ev.chain_id.len);
			reason_printf(v, " differs from ");
			reason_text(v, v->chain_id, v->chain_id_len);
			return v->status;
		}
		/* Report the first seq that is missing, not the one found. */
		if (seq != expect)
			return fail(v, BP_AUDIT_CHAIN_GAP, expect, v->line_no,
						"gap: found seq %lld after seq %lld",
						(long long) seq, (long long) v->head_seq);
		if (memcmp(prev, v->head_hash, 32) != 0)
			return fail(v, BP_AUDIT_CHAIN_BROKEN_LINK, seq, v->line_no,
						"broken link: prev_hash is not the hash of seq %lld",
						(long long) v->head_seq);
	}

	if (bp_audit_hash(prev, &ev, computed) != BP_AUDIT_OK)
		return fail(v, BP_AUDIT_CHAIN_BAD_LINE, seq, v->line_no,
					"bad line %llu: the event cannot be hashed", line_no);
	if (memcmp(computed, claimed, 32) != 0)
	{
		fail(v, BP_AUDIT_CHAIN_HASH_MISMATCH, seq, v->line_no,
			 "hash mismatch: the event hashes to ");
		reason_hex(v, computed);
		return v->status;
	}
	if (v->cp_present && seq == v->cp_seq && memcmp(computed, v->cp_hash, 32) != 0)
		return fail(v, BP_AUDIT_CHAIN_CHECKPOINT_MISMATCH, seq, v->line_no,
					"checkpoint mismatch: the checkpoint signs another hash for this seq");
	/* Last, so that an edited occurred_at_us reports as a hash mismatch. */
	if (!bp_audit_chain_parse_time(occurred_at.ptr, occurred_at.len, &occurred_check) ||
		occurred_check != occurred_at_us)
		return fail(v, BP_AUDIT_CHAIN_BAD_LINE, seq, v->line_no,
					"bad line %llu: occurred_at does not name the instant occurred_at_us gives",
					line_no);

	/* The line fits: the chain moves on. */
	if (v->events == 0)
	{
		memcpy(v->chain_id, ev.chain_id.ptr, ev.chain_id.len);
		v->chain_id_len = ev.chain_id.len;
		v->first_seq = seq;
	}
	if (v->cp_present && seq == v->cp_seq)
		v->cp_seen = true;
	v->events++;
	v->head_seq = seq;
	memcpy(v->head_hash, computed, 32);
	return BP_AUDIT_CHAIN_OK;
}

bp_audit_chain_status
bp_audit_chain_feed(bp_audit_chain *v, const char *line, size_t len)
{
	if (v == NULL || v->reason == NULL || (line == NULL && len > 0))
		return BP_AUDIT_CHAIN_BAD_ARGUMENT;
	if (v->status != BP_AUDIT_CHAIN_OK)
		return v->status;
	if (v->finished)
		return BP_AUDIT_CHAIN_BAD_ARGUMENT;
	v->line_no++;
	return check_event(v, line != NULL ? line : "", len);
}

bp_audit_chain_status
bp_audit_chain_finish(bp_audit_chain *v)
{
	if (v == NULL || v->reason == NULL)
		return BP_AUDIT_CHAIN_BAD_ARGUMENT;
	if (v->status != BP_AUDIT_CHAIN_OK)
		return v->status;
	v->finished = true;
	if (v->events == 0 && v->cp_present)
		return fail(v, BP_AUDIT_CHAIN_TRUNCATED, v->cp_seq, 0,
					"chain ends before the checkpoint: the export holds no events");
	if (v->events == 0)
		return fail(v, BP_AUDIT_CHAIN_EMPTY, 0, 0, "bad line: the export holds no events");
	if (v->cp_present && !v->cp_seen)
		return fail(v, BP_AUDIT_CHAIN_TRUNCATED, v->cp_seq, 0,
					"chain ends before the checkpoint: the export ends at seq %lld",
					(long long) v->head_seq);
	return BP_AUDIT_CHAIN_OK;
}

void
bp_audit_chain_get_result(const bp_audit_chain *v, bp_audit_chain_result *out)
{
	if (out == NULL)
		return;
	memset(out, 0, sizeof(*out));
	if (v == NULL || v->reason == NULL)
	{
		out->status = BP_AUDIT_CHAIN_BAD_ARGUMENT;
		out->reason = "";
		return;
	}
	out->status = v->status;
	out->client_status = v->client_status;
	out->detail = v->detail;
	out->reason = v->reason;
	out->reason_len = v->reason_len;
	if (v->status != BP_AUDIT_CHAIN_OK)
	{
		out->seq = v->fail_seq;
		out->line = v->fail_line;
	}
	out->chain_id = v->chain_id;
	out->chain_id_len = v->chain_id_len;
	out->events = v->events;
	out->first_seq = v->first_seq;
	out->head_seq = v->head_seq;
	memcpy(out->head_hash, v->head_hash, sizeof(out->head_hash));
	out->checkpoint = v->cp_present;
	out->checkpoint_seq = v->cp_seq;
}

/* ---- checkpoint --------------------------------------------------------- */

/* The checkpoint's tokens, after the verification area of work. */
static bp_json_token *
checkpoint_tokens(void *work, size_t token_len)
{
	uint8_t    *w = work;
	size_t		off = checkpoint_verify_len(token_len);
	uintptr_t	addr = (uintptr_t) (w + off);

	off += (CHAIN_TOKEN_ALIGN - addr % CHAIN_TOKEN_ALIGN) % CHAIN_TOKEN_ALIGN;
	return (bp_json_token *) (void *) (w + off);
}

/* Read a verified payload's typ, seq, hash and chain_id into v. */
static bp_audit_chain_status
read_checkpoint(bp_audit_chain *v, const char *payload, size_t payload_len,
				bp_json_token *tok)
{
	size_t		n = 0;
	int64_t		seq = 0;
	uint8_t		hash[32];
	size_t		cid_len = 0;
	bp_json_status js;
	int			t;

	js = bp_json_parse(payload, payload_len, tok, CHECKPOINT_TOKENS, &n);
	if (js != BP_JSON_OK || tok[0].type != BP_JSON_OBJECT)
		return fail(v, BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED, 0, 0,
					"checkpoint mismatch: the payload is not a JSON object");
	t = bp_json_object_get(payload, tok, n, 0, "typ");
	if (t < 0 || !bp_json_string_equals(payload, &tok[t], "checkpoint", 10))
		return fail(v, BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED, 0, 0,
					"checkpoint mismatch: the token's typ is not \"checkpoint\"");
	t = bp_json_object_get(payload, tok, n, 0, "seq");
	if (t < 0 || tok[t].type != BP_JSON_NUMBER ||
		bp_json_int64(payload, &tok[t], &seq) != BP_JSON_OK || seq < 1)
		return fail(v, BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED, 0, 0,
					"checkpoint mismatch: the checkpoint has no valid seq");
	t = bp_json_object_get(payload, tok, n, 0, "hash");
	{
		char		hex[64];
		size_t		hex_len;

		if (t < 0 || tok[t].type != BP_JSON_STRING ||
			bp_json_unescape(payload, &tok[t], hex, sizeof(hex), &hex_len) != BP_JSON_OK ||
			!decode_hash(hex, hex_len, hash))
			return fail(v, BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED, seq, 0,
						"checkpoint mismatch: the checkpoint's hash is not 64 hex digits");
	}
	t = bp_json_object_get(payload, tok, n, 0, "chain_id");
	if (t < 0 || tok[t].type != BP_JSON_STRING)
		return fail(v, BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED, seq, 0,
					"checkpoint mismatch: the checkpoint has no chain_id");
	/* Longer than a line can be: no export could match it. */
	if (bp_json_unescape(payload, &tok[t], v->cp_chain_id, v->max_line, &cid_len) != BP_JSON_OK)
		return fail(v, BP_AUDIT_CHAIN_CHECKPOINT_MISMATCH, seq, 0,
					"checkpoint mismatch: the checkpoint's chain_id is longer than a line may be");
	v->cp_chain_id_len = cid_len;
	v->cp_seq = seq;
	memcpy(v->cp_hash, hash, 32);
	v->cp_present = true;
	return BP_AUDIT_CHAIN_OK;
}

/* May a checkpoint be given now?  (Before any line, once, after no failure.) */
static bool
checkpoint_allowed(const bp_audit_chain *v, const char *token, void *work, size_t work_len,
				   size_t token_len)
{
	if (v == NULL || v->reason == NULL || token == NULL)
		return false;
	if (v->status != BP_AUDIT_CHAIN_OK || v->line_no > 0 || v->finished || v->cp_present)
		return false;
	/* Too large is a token failure, reported by the caller, not misuse. */
	if (bp_audit_chain_checkpoint_work_len(token_len) == SIZE_MAX)
		return true;
	return work != NULL && work_len >= bp_audit_chain_checkpoint_work_len(token_len);
}

static bp_client_status
client_status_of_paseto(bp_paseto_status st)
{
	switch (st)
	{
		case BP_PASETO_OK:
			return BP_CLIENT_OK;
		case BP_PASETO_BAD_SIGNATURE:
			return BP_CLIENT_BAD_SIGNATURE;
		case BP_PASETO_BUFFER_TOO_SMALL:
			return BP_CLIENT_BUFFER_TOO_SMALL;
		default:
			return BP_CLIENT_MALFORMED;
	}
}

bp_audit_chain_status
bp_audit_chain_set_checkpoint(bp_audit_chain *v, const char *token, size_t token_len,
							  const char *audit_key, void *work, size_t work_len)
{
	uint8_t		pk[BP_PASERK_K4_PUBLIC_KEY_BYTES];
	size_t		pmax = bp_paseto_v4_payload_max_len(token_len);
	size_t		scratch = bp_paseto_v4_verify_scratch_len(token_len, 0);
	size_t		payload_len = 0;
	bp_paserk_status ks;
	bp_paseto_status ps;
	uint8_t    *w = work;

	if (audit_key == NULL || !checkpoint_allowed(v, token, work, work_len, token_len))
		return BP_AUDIT_CHAIN_BAD_ARGUMENT;
	ks = bp_paserk_k4_public_decode(audit_key, strlen(audit_key), pk);
	if (ks != BP_PASERK_OK)
	{
		v->detail = bp_paserk_strerror(ks);
		return fail(v, BP_AUDIT_CHAIN_BAD_KEY, 0, 0, "invalid audit key: %s", v->detail);
	}
	if (bp_audit_chain_checkpoint_work_len(token_len) == SIZE_MAX)
	{
		v->client_status = BP_CLIENT_MALFORMED;
		v->detail = bp_paseto_strerror(BP_PASETO_TOO_LARGE);
		return fail(v, BP_AUDIT_CHAIN_CHECKPOINT_INVALID, 0, 0, "checkpoint signature: %s", v->detail);
	}

	/* Any footer (it carries the kid); no implicit assertion. */
	ps = bp_paseto_v4_verify(token, token_len, pk, sizeof(pk), NULL, 0, NULL, 0,
							 w + pmax, scratch, w, pmax, &payload_len);
	if (ps != BP_PASETO_OK)
	{
		v->client_status = client_status_of_paseto(ps);
		v->detail = bp_paseto_strerror(ps);
		return fail(v, BP_AUDIT_CHAIN_CHECKPOINT_INVALID, 0, 0, "checkpoint signature: %s", v->detail);
	}
	return read_checkpoint(v, (const char *) w, payload_len, checkpoint_tokens(work, token_len));
}

bp_audit_chain_status
bp_audit_chain_set_checkpoint_ctx(bp_audit_chain *v, const bp_client_ctx *ctx,
								  const char *token, size_t token_len,
								  void *work, size_t work_len)
{
	size_t		payload_len = 0;
	bp_client_status st;

	if (ctx == NULL || !checkpoint_allowed(v, token, work, work_len, token_len))
		return BP_AUDIT_CHAIN_BAD_ARGUMENT;
	if (bp_audit_chain_checkpoint_work_len(token_len) == SIZE_MAX)
		st = BP_CLIENT_MALFORMED;
	else
		st = bp_client_verify_ex(ctx, token, token_len, "checkpoint", 0,
								 BP_CLIENT_SIGNED_EARLIER | BP_CLIENT_SKIP_TIME,
								 work, checkpoint_verify_len(token_len), &payload_len);
	if (st != BP_CLIENT_OK)
	{
		v->client_status = st;
		v->detail = bp_client_strerror(st);
		return fail(v, BP_AUDIT_CHAIN_CHECKPOINT_INVALID, 0, 0, "checkpoint signature: %s", v->detail);
	}
	return read_checkpoint(v, (const char *) work, payload_len, checkpoint_tokens(work, token_len));
}
