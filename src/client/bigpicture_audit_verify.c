/*
 * bigpicture_audit_verify.c — verify an exported audit chain offline.
 *
 *   bigpicture_audit_verify [--checkpoint TOKEN --key k4.public.…] [FILE | -]
 *
 * Reads one event per line (JSON, format v 1) from FILE or stdin and checks
 * that the chain is whole: one chain_id, seq rising by exactly 1, each
 * prev_hash equal to the hash before it (32 zero bytes for seq 1; an export
 * that starts later takes its first prev_hash as given), and every hash
 * recomputed with the audit-chain hash (src/core/audit_hash.h).  With a
 * checkpoint (a PASETO v4.public token signed by the audit key, payload
 * {"typ":"checkpoint","chain_id":…,"seq":n,"hash":"<hex>",…}) it also checks
 * the signature, that the export holds that seq with that hash, and so that
 * the export does not end before it: a cut-off tail is detected.
 *
 * Output, on stdout: "ok: chain <id>, <n> events, head seq <s> hash <hex>"
 * and exit 0, or one line "FAIL seq <n>: <reason>" and exit 1 (seq 0 when no
 * seq is known yet).  Usage and I/O errors go to stderr with exit 2.
 *
 * Only C99, libsodium and src/core: no libpq, so a third party can build it.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit_hash.h"
#include "bp_client.h"
#include "json.h"
#include "paserk.h"
#include "paseto.h"

#define PROGRAM "bigpicture_audit_verify"
#define LINE_MAX_BYTES (1024 * 1024)
/* An event has 15 members: 31 tokens.  Anything bigger is not an event. */
#define EVENT_TOKENS 64
#define CHECKPOINT_TOKENS 1024

#define EXIT_VERIFY_FAILED 1
#define EXIT_USAGE 2

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

typedef struct checkpoint
{
	bool		present;
	char	   *chain_id;
	size_t		chain_id_len;
	int64_t		seq;
	uint8_t		hash[32];
} checkpoint;

/* What verification has seen so far. */
typedef struct chain_state
{
	uint64_t	events;
	uint64_t	line_no;
	int64_t		first_seq;
	int64_t		head_seq;
	uint8_t		head_hash[32];
	char	   *chain_id;		/* LINE_MAX_BYTES buffer, set by the first line */
	size_t		chain_id_len;
	bool		checkpoint_seen;
} chain_state;

/* Big buffers live here rather than on the stack. */
static char line_buf[LINE_MAX_BYTES + 1];
static char text_buf[LINE_MAX_BYTES];
static char chain_id_buf[LINE_MAX_BYTES];
static bp_json_token event_tokens[EVENT_TOKENS];
static bp_json_token checkpoint_tokens[CHECKPOINT_TOKENS];

static void
usage(FILE *to)
{
	fprintf(to,
			"usage: " PROGRAM " [--checkpoint TOKEN --key k4.public.KEY] [FILE | -]\n"
			"Verify an exported audit chain (JSON lines) read from FILE or stdin.\n"
			"Exit status: 0 the chain verifies, 1 it does not, 2 usage or I/O error.\n");
}

/* Print text with control characters replaced, so output stays one line. */
static void
print_text(const char *s, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		putchar(c < 0x20 || c == 0x7F ? '?' : c);
	}
}

static void
print_hex(const uint8_t *h)
{
	char		hex[65];

	sodium_bin2hex(hex, sizeof(hex), h, 32);
	fputs(hex, stdout);
}

/* "FAIL seq <n>: <reason>" and the exit status for it. */
#ifdef __GNUC__
static int	fail(int64_t seq, const char *fmt,...) __attribute__((format(printf, 2, 3)));
#endif

static int
fail(int64_t seq, const char *fmt,...)
{
	va_list		ap;

	printf("FAIL seq %lld: ", (long long) seq);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return EXIT_VERIFY_FAILED;
}

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

/*
 * Read one line without its '\n' into buf (cap bytes).  1: a line; 0: end
 * of input; -1: line longer than cap (the rest is not read); -2: I/O error.
 * NUL bytes are kept: the JSON parser then rejects the line.
 */
static int
read_line(FILE *in, char *buf, size_t cap, size_t *len)
{
	size_t		n = 0;
	int			c;

	while ((c = getc(in)) != EOF)
	{
		if (c == '\n')
		{
			*len = n;
			return 1;
		}
		if (n == cap)
			return -1;
		buf[n++] = (char) c;
	}
	if (ferror(in))
		return -2;
	*len = n;
	return n > 0 ? 1 : 0;
}

/* ---- occurred_at ------------------------------------------------------- */

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
static bool
parse_rfc3339_us(const char *s, size_t len, int64_t *us)
{
	int64_t		y, mo, d, h, mi, sec;
	int64_t		frac = 0;
	size_t		p = 19;
	size_t		k;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

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

/* ---- one event --------------------------------------------------------- */

/* The seq the next line must have; 0 (never valid) before the first line. */
static int64_t
next_seq(const chain_state *cs)
{
	if (cs->events == 0 || cs->head_seq == INT64_MAX)
		return 0;
	return cs->head_seq + 1;
}

/*
 * Unescape a string token into text_buf at *used, as an audit text; a JSON
 * null gives a NULL text where nullable.  false when the type is wrong.
 */
static bool
take_text(const char *line, const bp_json_token *tok, bool nullable,
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
	/* Unescaped text is never longer than the line, so text_buf suffices. */
	if (bp_json_unescape(line, tok, text_buf + *used, sizeof(text_buf) - *used,
						 &len) != BP_JSON_OK)
		return false;
	out->ptr = text_buf + *used;
	out->len = len;
	*used += len;
	return true;
}

static int
check_event(chain_state *cs, const checkpoint *cp, const char *line,
			size_t len)
{
	int64_t		expect = next_seq(cs);
	int			member_tok[N_MEMBERS];
	size_t		n;
	size_t		used = 0;
	size_t		off;
	bp_json_status js;
	bp_audit_event ev;
	bp_audit_text prev_hex;
	bp_audit_text hash_hex;
	bp_audit_text occurred_at;
	uint8_t		prev[32];
	uint8_t		claimed[32];
	uint8_t		computed[32];
	int64_t		seq;
	int64_t		v;
	int64_t		occurred_at_us;
	int64_t		occurred_check;
	int			i;
	int			m;

	js = bp_json_parse_at(line, len, event_tokens, EVENT_TOKENS, &n, &off);
	if (js == BP_JSON_TOO_MANY_TOKENS)
		return fail(expect, "bad line %llu: too many values for an event",
					(unsigned long long) cs->line_no);
	if (js != BP_JSON_OK)
		return fail(expect, "bad line %llu: invalid JSON at byte %zu: %s",
					(unsigned long long) cs->line_no, off + 1, bp_json_strerror(js));
	if (event_tokens[0].type != BP_JSON_OBJECT)
		return fail(expect, "bad line %llu: not a JSON object",
					(unsigned long long) cs->line_no);

	/*
	 * Every member exactly once and nothing else: with a duplicate, another
	 * reader could see a different event than the one verified here.
	 */
	for (m = 0; m < N_MEMBERS; m++)
		member_tok[m] = -1;
	for (i = 1; i > 0 && (size_t) i < n; i = bp_json_skip(event_tokens, n, i + 1))
	{
		for (m = 0; m < N_MEMBERS; m++)
			if (bp_json_string_equals(line, &event_tokens[i], member_names[m],
									  strlen(member_names[m])))
				break;
		if (m == N_MEMBERS)
		{
			printf("FAIL seq %lld: bad line %llu: unknown member \"", (long long) expect,
				   (unsigned long long) cs->line_no);
			print_text(line + event_tokens[i].start,
					   event_tokens[i].end - event_tokens[i].start);
			puts("\"");
			return EXIT_VERIFY_FAILED;
		}
		if (member_tok[m] >= 0)
			return fail(expect, "bad line %llu: duplicate member \"%s\"",
						(unsigned long long) cs->line_no, member_names[m]);
		member_tok[m] = i + 1;
	}
	for (m = 0; m < N_MEMBERS; m++)
		if (member_tok[m] < 0)
			return fail(expect, "bad line %llu: missing member \"%s\"",
						(unsigned long long) cs->line_no, member_names[m]);

	if (event_tokens[member_tok[M_V]].type != BP_JSON_NUMBER ||
		bp_json_int64(line, &event_tokens[member_tok[M_V]], &v) != BP_JSON_OK ||
		v != 1)
		return fail(expect, "wrong version: line %llu is not format v 1",
					(unsigned long long) cs->line_no);

	if (event_tokens[member_tok[M_SEQ]].type != BP_JSON_NUMBER ||
		bp_json_int64(line, &event_tokens[member_tok[M_SEQ]], &seq) != BP_JSON_OK ||
		seq < 1)
		return fail(expect, "bad line %llu: seq is not a positive integer",
					(unsigned long long) cs->line_no);
	if (event_tokens[member_tok[M_OCCURRED_AT_US]].type != BP_JSON_NUMBER ||
		bp_json_int64(line, &event_tokens[member_tok[M_OCCURRED_AT_US]],
					  &occurred_at_us) != BP_JSON_OK)
		return fail(seq, "bad line %llu: occurred_at_us is not a 64-bit integer",
					(unsigned long long) cs->line_no);

	ev.seq = (uint64_t) seq;
	ev.occurred_at_us = occurred_at_us;
	{
		/* The hashed texts; the last four may be null. */
		const int	text_member[] = {
			M_CHAIN_ID, M_EVENT_ID, M_ACTOR, M_EVENT_TYPE, M_OBJECT_TYPE,
			M_OBJECT_ID, M_BEFORE, M_AFTER, M_CONTEXT
		};
		bp_audit_text *text_field[] = {
			&ev.chain_id, &ev.event_id, &ev.actor, &ev.event_type,
			&ev.object_type, &ev.object_id, &ev.before, &ev.after, &ev.context
		};
		int			t;

		for (t = 0; t < 9; t++)
		{
			bool		nullable = t >= 5;

			if (!take_text(line, &event_tokens[member_tok[text_member[t]]],
						   nullable, &used, text_field[t]))
				return fail(seq, "bad line %llu: %s must be a string%s",
							(unsigned long long) cs->line_no,
							member_names[text_member[t]],
							nullable ? " or null" : "");
		}
	}
	if (!take_text(line, &event_tokens[member_tok[M_OCCURRED_AT]], false,
				   &used, &occurred_at) ||
		!take_text(line, &event_tokens[member_tok[M_PREV_HASH]], false,
				   &used, &prev_hex) ||
		!take_text(line, &event_tokens[member_tok[M_HASH]], false,
				   &used, &hash_hex))
		return fail(seq, "bad line %llu: occurred_at, prev_hash and hash must be strings",
					(unsigned long long) cs->line_no);
	if (!decode_hash(prev_hex.ptr, prev_hex.len, prev) ||
		!decode_hash(hash_hex.ptr, hash_hex.len, claimed))
		return fail(seq, "bad line %llu: prev_hash and hash must be 64 hex digits",
					(unsigned long long) cs->line_no);

	/* Where this line belongs in the chain. */
	if (cs->events == 0)
	{
		memcpy(cs->chain_id, ev.chain_id.ptr, ev.chain_id.len);
		cs->chain_id_len = ev.chain_id.len;
		cs->first_seq = seq;
		if (cp->present &&
			(cp->chain_id_len != ev.chain_id.len ||
			 memcmp(cp->chain_id, ev.chain_id.ptr, ev.chain_id.len) != 0))
		{
			printf("FAIL seq %lld: checkpoint mismatch: the checkpoint is for chain ",
				   (long long) cp->seq);
			print_text(cp->chain_id, cp->chain_id_len);
			fputs(", the export is chain ", stdout);
			print_text(ev.chain_id.ptr, ev.chain_id.len);
			putchar('\n');
			return EXIT_VERIFY_FAILED;
		}
		if (cp->present && seq > cp->seq)
			return fail(cp->seq, "checkpoint mismatch: the export starts after the checkpoint, at seq %lld",
						(long long) seq);
		if (seq == 1 && !sodium_is_zero(prev, 32))
			return fail(seq, "broken link: prev_hash of seq 1 is not 32 zero bytes");
	}
	else
	{
		if (ev.chain_id.len != cs->chain_id_len ||
			memcmp(ev.chain_id.ptr, cs->chain_id, cs->chain_id_len) != 0)
		{
			printf("FAIL seq %lld: chain mismatch: chain_id ", (long long) expect);
			print_text(ev.chain_id.ptr, ev.chain_id.len);
			fputs(" differs from ", stdout);
			print_text(cs->chain_id, cs->chain_id_len);
			putchar('\n');
			return EXIT_VERIFY_FAILED;
		}
		/* Report the first seq that is missing, not the one found. */
		if (seq != expect)
			return fail(expect, "gap: found seq %lld after seq %lld",
						(long long) seq, (long long) cs->head_seq);
		if (memcmp(prev, cs->head_hash, 32) != 0)
			return fail(seq, "broken link: prev_hash is not the hash of seq %lld",
						(long long) cs->head_seq);
	}

	if (bp_audit_hash(prev, &ev, computed) != BP_AUDIT_OK)
		return fail(seq, "bad line %llu: the event cannot be hashed",
					(unsigned long long) cs->line_no);
	if (memcmp(computed, claimed, 32) != 0)
	{
		printf("FAIL seq %lld: hash mismatch: the event hashes to ", (long long) seq);
		print_hex(computed);
		putchar('\n');
		return EXIT_VERIFY_FAILED;
	}
	if (cp->present && seq == cp->seq)
	{
		if (memcmp(computed, cp->hash, 32) != 0)
			return fail(seq, "checkpoint mismatch: the checkpoint signs another hash for this seq");
		cs->checkpoint_seen = true;
	}
	/* Last, so that an edited occurred_at_us reports as a hash mismatch. */
	if (!parse_rfc3339_us(occurred_at.ptr, occurred_at.len, &occurred_check) ||
		occurred_check != occurred_at_us)
		return fail(seq, "bad line %llu: occurred_at does not name the instant occurred_at_us gives",
					(unsigned long long) cs->line_no);

	cs->events++;
	cs->head_seq = seq;
	memcpy(cs->head_hash, computed, 32);
	return 0;
}

/* ---- checkpoint --------------------------------------------------------- */

/*
 * Verify the token and read its payload.  Returns 0, EXIT_VERIFY_FAILED
 * (after printing FAIL) or EXIT_USAGE (after printing to stderr).
 */
static int
load_checkpoint(const char *token, const char *key, checkpoint *cp)
{
	uint8_t		pk[BP_PASERK_K4_PUBLIC_KEY_BYTES];
	size_t		token_len = strlen(token);
	size_t		scratch_len = bp_paseto_v4_verify_scratch_len(token_len, 0);
	size_t		payload_cap = bp_paseto_v4_payload_max_len(token_len);
	uint8_t    *scratch;
	char	   *payload;
	size_t		payload_len;
	size_t		n;
	bp_paserk_status ks;
	bp_paseto_status ps;
	bp_json_status js;
	int			t;
	int			rc = EXIT_VERIFY_FAILED;

	ks = bp_paserk_k4_public_decode(key, strlen(key), pk);
	if (ks != BP_PASERK_OK)
	{
		fprintf(stderr, PROGRAM ": invalid --key: %s\n", bp_paserk_strerror(ks));
		return EXIT_USAGE;
	}
	if (scratch_len == SIZE_MAX || payload_cap == SIZE_MAX)
		return fail(0, "checkpoint signature: %s", bp_paseto_strerror(BP_PASETO_TOO_LARGE));
	scratch = malloc(scratch_len ? scratch_len : 1);
	payload = malloc(payload_cap ? payload_cap : 1);
	if (scratch == NULL || payload == NULL)
	{
		free(scratch);
		free(payload);
		fprintf(stderr, PROGRAM ": out of memory\n");
		return EXIT_USAGE;
	}

	/* Any footer (it carries the kid); no implicit assertion. */
	ps = bp_paseto_v4_verify(token, token_len, pk, sizeof(pk), NULL, 0, NULL, 0,
							 scratch, scratch_len, (uint8_t *) payload,
							 payload_cap, &payload_len);
	free(scratch);
	if (ps != BP_PASETO_OK)
	{
		fail(0, "checkpoint signature: %s", bp_paseto_strerror(ps));
		goto out;
	}

	js = bp_json_parse(payload, payload_len, checkpoint_tokens, CHECKPOINT_TOKENS, &n);
	if (js != BP_JSON_OK || checkpoint_tokens[0].type != BP_JSON_OBJECT)
	{
		fail(0, "checkpoint mismatch: the payload is not a JSON object");
		goto out;
	}
	t = bp_json_object_get(payload, checkpoint_tokens, n, 0, "typ");
	if (t < 0 || !bp_json_string_equals(payload, &checkpoint_tokens[t], "checkpoint", 10))
	{
		fail(0, "checkpoint mismatch: the token's typ is not \"checkpoint\"");
		goto out;
	}
	t = bp_json_object_get(payload, checkpoint_tokens, n, 0, "seq");
	if (t < 0 || checkpoint_tokens[t].type != BP_JSON_NUMBER ||
		bp_json_int64(payload, &checkpoint_tokens[t], &cp->seq) != BP_JSON_OK ||
		cp->seq < 1)
	{
		fail(0, "checkpoint mismatch: the checkpoint has no valid seq");
		goto out;
	}
	t = bp_json_object_get(payload, checkpoint_tokens, n, 0, "hash");
	{
		char		hex[64];
		size_t		hex_len;

		if (t < 0 ||
			checkpoint_tokens[t].type != BP_JSON_STRING ||
			bp_json_unescape(payload, &checkpoint_tokens[t], hex, sizeof(hex),
							 &hex_len) != BP_JSON_OK ||
			!decode_hash(hex, hex_len, cp->hash))
		{
			fail(cp->seq, "checkpoint mismatch: the checkpoint's hash is not 64 hex digits");
			goto out;
		}
	}
	t = bp_json_object_get(payload, checkpoint_tokens, n, 0, "chain_id");
	if (t < 0 || checkpoint_tokens[t].type != BP_JSON_STRING)
	{
		fail(cp->seq, "checkpoint mismatch: the checkpoint has no chain_id");
		goto out;
	}
	/* Unescaping never lengthens, so the payload's size is enough. */
	cp->chain_id = malloc(payload_len ? payload_len : 1);
	if (cp->chain_id == NULL ||
		bp_json_unescape(payload, &checkpoint_tokens[t], cp->chain_id,
						 payload_len, &cp->chain_id_len) != BP_JSON_OK)
	{
		fprintf(stderr, PROGRAM ": out of memory\n");
		rc = EXIT_USAGE;
		goto out;
	}
	cp->present = true;
	rc = 0;
out:
	free(payload);
	return rc;
}

/* ---- main --------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	const char *path = NULL;
	const char *token = NULL;
	const char *key = NULL;
	FILE	   *in = stdin;
	checkpoint	cp;
	chain_state cs;
	bool		options_done = false;
	int			i;
	int			rc;

	for (i = 1; i < argc; i++)
	{
		const char *a = argv[i];

		if (!options_done && strcmp(a, "--") == 0)
			options_done = true;
		else if (!options_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0))
		{
			usage(stdout);
			return 0;
		}
		else if (!options_done && (strcmp(a, "--checkpoint") == 0 || strcmp(a, "--key") == 0))
		{
			if (i + 1 >= argc)
			{
				fprintf(stderr, PROGRAM ": %s needs a value\n", a);
				usage(stderr);
				return EXIT_USAGE;
			}
			if (a[2] == 'c')
				token = argv[++i];
			else
				key = argv[++i];
		}
		else if (!options_done && a[0] == '-' && a[1] != '\0')
		{
			fprintf(stderr, PROGRAM ": unknown option %s\n", a);
			usage(stderr);
			return EXIT_USAGE;
		}
		else if (path == NULL)
			path = a;
		else
		{
			fprintf(stderr, PROGRAM ": only one input file may be given\n");
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if ((token == NULL) != (key == NULL))
	{
		fprintf(stderr, PROGRAM ": --checkpoint and --key go together\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (sodium_init() < 0)
	{
		fprintf(stderr, PROGRAM ": cannot initialise libsodium\n");
		return EXIT_USAGE;
	}

	memset(&cp, 0, sizeof(cp));
	if (token != NULL && (rc = load_checkpoint(token, key, &cp)) != 0)
		return rc;

	if (path != NULL && strcmp(path, "-") != 0)
	{
		in = fopen(path, "rb");
		if (in == NULL)
		{
			fprintf(stderr, PROGRAM ": cannot open %s: ", path);
			perror(NULL);
			free(cp.chain_id);
			return EXIT_USAGE;
		}
	}

	memset(&cs, 0, sizeof(cs));
	cs.chain_id = chain_id_buf;
	rc = 0;
	for (;;)
	{
		size_t		len = 0;
		int			r = read_line(in, line_buf, LINE_MAX_BYTES, &len);
		int64_t		expect = next_seq(&cs);

		if (r == 0)
			break;
		cs.line_no++;
		if (r == -2)
		{
			fprintf(stderr, PROGRAM ": read error on line %llu\n",
					(unsigned long long) cs.line_no);
			rc = EXIT_USAGE;
			break;
		}
		if (r == -1)
		{
			rc = fail(expect, "bad line %llu: longer than %d bytes",
					  (unsigned long long) cs.line_no, LINE_MAX_BYTES);
			break;
		}
		if ((rc = check_event(&cs, &cp, line_buf, len)) != 0)
			break;
	}
	if (in != stdin)
		fclose(in);

	if (rc == 0 && cs.events == 0 && cp.present)
		rc = fail(cp.seq, "chain ends before the checkpoint: the export holds no events");
	else if (rc == 0 && cs.events == 0)
		rc = fail(0, "bad line: the export holds no events");
	else if (rc == 0 && cp.present && !cs.checkpoint_seen)
		rc = fail(cp.seq, "chain ends before the checkpoint: the export ends at seq %lld",
				  (long long) cs.head_seq);
	if (rc == 0)
	{
		fputs("ok: chain ", stdout);
		print_text(cs.chain_id, cs.chain_id_len);
		printf(", %llu events, head seq %lld hash ",
			   (unsigned long long) cs.events, (long long) cs.head_seq);
		print_hex(cs.head_hash);
		putchar('\n');
	}
	free(cp.chain_id);
	return rc;
}
