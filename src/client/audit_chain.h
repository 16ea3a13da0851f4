/*
 * audit_chain.h — libbigpicture-client: verify an exported audit chain
 * offline (docs/audit.md), one line at a time.
 *
 * An export (bigpicture.export_audit_chain) is one JSON object per line,
 * format v 1, with exactly the members v, chain_id, seq, event_id,
 * occurred_at_us, occurred_at, actor, event_type, object_type, object_id,
 * before, after, context, prev_hash and hash.  The verifier checks that the
 * lines form a whole chain: one chain_id, seq rising by exactly 1, each
 * prev_hash equal to the hash before it (32 zero bytes for seq 1; an export
 * that starts later takes its first prev_hash as given), every hash
 * recomputed with the audit-chain hash (audit_hash.h), and occurred_at
 * naming the instant occurred_at_us gives.  With a checkpoint (a PASETO
 * v4.public token of the audit key, payload {"typ":"checkpoint",
 * "chain_id":…,"seq":n,"hash":"<hex>",…}) it also checks the signature and
 * that the export holds that seq with that hash, so an export that ends
 * before it (a cut-off tail) fails.
 *
 *   bp_audit_chain v;
 *   void *mem = malloc(bp_audit_chain_mem_len(max_line));
 *   bp_audit_chain_init(&v, max_line, mem, bp_audit_chain_mem_len(max_line));
 *   bp_audit_chain_set_checkpoint(&v, token, token_len, "k4.public.…", work, work_len);  (optional)
 *   for each line (without its '\n'): if (bp_audit_chain_feed(&v, line, len)) break;
 *   bp_audit_chain_finish(&v);
 *   bp_audit_chain_get_result(&v, &r);   r.status, r.seq, r.reason / r.chain_id, r.events, …
 *
 * Failures are sticky: the first one is kept, and every later feed and
 * finish returns it (a checkpoint can then no longer be given).  A failure names the seq it concerns (the first seq missing
 * for a gap, the checkpoint's seq for a checkpoint problem, 0 when no seq
 * is known yet) and a one-line reason, the exact text bigpicture-audit-verify
 * prints after "FAIL seq N: ".
 *
 * Memory: the caller provides it all.  mem (bp_audit_chain_mem_len bytes)
 * holds the chain_id, the unescaped texts of the current line, the
 * checkpoint's chain_id and the reason; it must outlive the verifier, and
 * the result's pointers point into it.  A checkpoint is verified in a work
 * buffer the caller may reuse afterwards.  Nothing here allocates, reads
 * a clock or touches global state: verifiers are independent, so threads
 * may each run their own.  C99 + libsodium (sodium_init() first).
 */
#ifndef BP_AUDIT_CHAIN_H
#define BP_AUDIT_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp_client.h"

#ifdef __cplusplus
extern "C"
{
#endif

/* The line limit bigpicture-audit-verify and bigpicture-verify use. */
#define BP_AUDIT_CHAIN_DEFAULT_MAX_LINE (1024u * 1024u)
#define BP_AUDIT_CHAIN_HASH_BYTES 32

typedef enum bp_audit_chain_status
{
	BP_AUDIT_CHAIN_OK = 0,
	BP_AUDIT_CHAIN_BAD_ARGUMENT,	/* misuse: NULL, buffer too small, wrong order;
									 * the verifier is left unchanged */
	BP_AUDIT_CHAIN_BAD_KEY,		/* the audit key is not a k4.public PASERK */
	BP_AUDIT_CHAIN_CHECKPOINT_INVALID,	/* the checkpoint token does not verify */
	BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED,	/* it verifies, but is not a checkpoint
											 * (typ, seq, hash, chain_id) */
	BP_AUDIT_CHAIN_CHECKPOINT_MISMATCH, /* the export is of another chain, starts
										 * after the checkpoint, or has another
										 * hash at its seq */
	BP_AUDIT_CHAIN_TRUNCATED,	/* the export ends before the checkpoint */
	BP_AUDIT_CHAIN_BAD_LINE,	/* a line is not a well-formed v 1 event (JSON,
								 * members, types, length, occurred_at) */
	BP_AUDIT_CHAIN_WRONG_VERSION,	/* a line is not format v 1 */
	BP_AUDIT_CHAIN_CHAIN_MISMATCH,	/* a line of another chain_id */
	BP_AUDIT_CHAIN_GAP,			/* a seq missing (or repeated, or out of order) */
	BP_AUDIT_CHAIN_BROKEN_LINK, /* prev_hash is not the hash before it */
	BP_AUDIT_CHAIN_HASH_MISMATCH,	/* the event does not hash to its hash:
									 * it was altered */
	BP_AUDIT_CHAIN_EMPTY		/* no events at all (without a checkpoint) */
} bp_audit_chain_status;

#define BP_AUDIT_CHAIN_N_STATUS (BP_AUDIT_CHAIN_EMPTY + 1)

/* Distinct names ("HASH_MISMATCH") and sentences for each status. */
const char *bp_audit_chain_status_name(bp_audit_chain_status status);
const char *bp_audit_chain_strerror(bp_audit_chain_status status);

/*
 * The verifier's state.  Its members are private (they may change): read
 * it through bp_audit_chain_get_result.  Its size does not depend on the
 * line limit; the big buffers are in the caller's mem.
 */
typedef struct bp_audit_chain
{
	size_t		max_line;
	char	   *chain_id;		/* mem: the chain's id, from the first line */
	size_t		chain_id_len;
	char	   *text;			/* mem: the current line's unescaped texts */
	char	   *cp_chain_id;	/* mem: the checkpoint's chain_id */
	size_t		cp_chain_id_len;
	char	   *reason;			/* mem: the failure, NUL-terminated */
	size_t		reason_len;
	size_t		reason_cap;
	uint64_t	events;
	uint64_t	line_no;
	int64_t		first_seq;
	int64_t		head_seq;
	uint8_t		head_hash[BP_AUDIT_CHAIN_HASH_BYTES];
	bool		cp_present;
	bool		cp_seen;
	int64_t		cp_seq;
	uint8_t		cp_hash[BP_AUDIT_CHAIN_HASH_BYTES];
	bool		finished;
	bp_audit_chain_status status;	/* the first failure, or OK */
	int64_t		fail_seq;
	uint64_t	fail_line;
	bp_client_status client_status;
	const char *detail;
} bp_audit_chain;

typedef struct bp_audit_chain_result
{
	bp_audit_chain_status status;	/* OK, or the first failure */
	/* On failure: */
	int64_t		seq;			/* the seq it concerns; 0 when none is known */
	uint64_t	line;			/* the line it is about (1, 2, …), 0 for none */
	const char *reason;			/* one line, NUL-terminated, no control
								 * characters: "hash mismatch: …" */
	size_t		reason_len;
	bp_client_status client_status; /* CHECKPOINT_INVALID: why (BAD_SIGNATURE,
									 * UNKNOWN_KEY, KEY_REVOKED, MALFORMED, …);
									 * otherwise BP_CLIENT_OK */
	const char *detail;			/* BAD_KEY, CHECKPOINT_INVALID: the underlying
								 * sentence (bp_paserk_strerror,
								 * bp_paseto_strerror or bp_client_strerror);
								 * else NULL */
	/* The events accepted so far; after a successful finish, the chain: */
	const char *chain_id;		/* not NUL-terminated, may hold any byte */
	size_t		chain_id_len;
	uint64_t	events;
	int64_t		first_seq;
	int64_t		head_seq;		/* seq of the last event */
	uint8_t		head_hash[BP_AUDIT_CHAIN_HASH_BYTES];	/* its hash */
	bool		checkpoint;		/* a checkpoint was given (and verified) */
	int64_t		checkpoint_seq;
} bp_audit_chain_result;

/*
 * Bytes of mem a verifier for lines of at most max_line bytes needs:
 * 5 * max_line + 513 (SIZE_MAX when that overflows).
 */
size_t		bp_audit_chain_mem_len(size_t max_line);

/*
 * Start verifying an export whose lines are at most max_line (>= 1) bytes,
 * in mem[0, mem_len).  BAD_ARGUMENT when mem is too small.
 */
bp_audit_chain_status bp_audit_chain_init(bp_audit_chain *v, size_t max_line,
										  void *mem, size_t mem_len);

/*
 * Bytes of work that verifying a checkpoint token of token_len characters
 * needs (either set_checkpoint function); SIZE_MAX when it is too large.
 */
size_t		bp_audit_chain_checkpoint_work_len(size_t token_len);

/*
 * Give a checkpoint, before the first line, checked against the audit key
 * audit_key (PASERK "k4.public.…", NUL-terminated): the signature only, any
 * footer (as bigpicture-audit-verify --key does).  Failures: BAD_KEY,
 * CHECKPOINT_INVALID, CHECKPOINT_MALFORMED (and CHECKPOINT_MISMATCH when its
 * chain_id is longer than max_line, so that no line can match it).
 */
bp_audit_chain_status bp_audit_chain_set_checkpoint(bp_audit_chain *v,
													const char *token, size_t token_len,
													const char *audit_key,
													void *work, size_t work_len);

/*
 * The same with the keys of a client context (pinned, or from a loaded key
 * set): bp_client_verify_ex with typ "checkpoint" and the flags
 * BP_CLIENT_SIGNED_EARLIER | BP_CLIENT_SKIP_TIME, so the footer's kid must
 * name a known audit key that is not revoked (a checkpoint stays valid
 * after its key is retired, as in verify_audit_chain), and a tenant's own
 * audit key only signs its tenant's chain.  A key set lists every key that
 * is not retired: for a checkpoint of a retired key, pin that key.  Why the
 * token failed is in the result's client_status.
 */
bp_audit_chain_status bp_audit_chain_set_checkpoint_ctx(bp_audit_chain *v,
														const bp_client_ctx *ctx,
														const char *token, size_t token_len,
														void *work, size_t work_len);

/*
 * Check the next line (without its '\n'; a trailing '\r' is white space).
 * A line longer than max_line fails unread, so a reader may pass the first
 * max_line + 1 bytes of a longer line.  OK moves the chain on by one event;
 * a failure leaves the events accepted so far as they were.
 */
bp_audit_chain_status bp_audit_chain_feed(bp_audit_chain *v, const char *line, size_t len);

/*
 * The end of the export: fails when there were no events (EMPTY, or
 * TRUNCATED with a checkpoint) or the checkpoint's seq was never reached
 * (TRUNCATED).  Further lines are then refused with BAD_ARGUMENT.
 */
bp_audit_chain_status bp_audit_chain_finish(bp_audit_chain *v);

/* Where the verifier stands: the first failure, or the chain so far. */
void		bp_audit_chain_get_result(const bp_audit_chain *v, bp_audit_chain_result *out);

/*
 * An export's occurred_at, "YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|+00:00)", to
 * microseconds since 1970-01-01T00:00:00Z (UTC only, no leap second);
 * false for anything else.
 */
bool		bp_audit_chain_parse_time(const char *s, size_t len, int64_t *us);

#ifdef __cplusplus
}
#endif

#endif							/* BP_AUDIT_CHAIN_H */
