/*
 * audit_hash.h — the hash that links one audit event to the previous one
 * (format version 1).
 *
 *   hash = SHA-256(prev_hash ‖ 0x01 ‖ field 1 ‖ … ‖ field 11)
 *
 * prev_hash is the previous event's hash, 32 zero bytes before the first
 * event of a chain.  Each field is a u32 big-endian byte length followed by
 * the bytes; a NULL field is the length 0xFFFFFFFF with no bytes, so NULL
 * and the empty string differ.  Fields, in order:
 *
 *    1 chain_id      UTF-8 text
 *    2 seq           8 bytes, unsigned 64-bit big-endian
 *    3 event_id      UTF-8 text
 *    4 occurred_at   8 bytes, signed 64-bit big-endian (two's complement):
 *                    microseconds since 1970-01-01T00:00:00Z
 *    5 actor         UTF-8 text
 *    6 event_type    UTF-8 text
 *    7 object_type   UTF-8 text
 *    8 object_id     UTF-8 text, may be NULL
 *    9 before        JSON text exactly as exported, may be NULL
 *   10 after         same
 *   11 context       same
 *
 * Fields 2 and 4 are framed like the others, with length 8.  Texts are
 * hashed as the bytes given; their encoding is not checked here.
 *
 * Pure C99 + libsodium, no allocation, no global state.  sodium_init()
 * must have been called.
 */
#ifndef BP_AUDIT_HASH_H
#define BP_AUDIT_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

#define BP_AUDIT_FORMAT_VERSION 1
#define BP_AUDIT_HASH_BYTES 32
/* Longest text field: 0xFFFFFFFF is the NULL marker. */
#define BP_AUDIT_MAX_FIELD_LEN 0xFFFFFFFEu

/* A text field: ptr may be NULL when len is 0 or is_null is set. */
typedef struct bp_audit_text
{
	const char *ptr;
	size_t		len;
	bool		is_null;
} bp_audit_text;

typedef struct bp_audit_event
{
	bp_audit_text chain_id;
	uint64_t	seq;
	bp_audit_text event_id;
	int64_t		occurred_at_us;
	bp_audit_text actor;
	bp_audit_text event_type;
	bp_audit_text object_type;
	bp_audit_text object_id;	/* may be NULL */
	bp_audit_text before;		/* may be NULL */
	bp_audit_text after;		/* may be NULL */
	bp_audit_text context;		/* may be NULL */
} bp_audit_event;

typedef enum bp_audit_status
{
	BP_AUDIT_OK = 0,
	BP_AUDIT_BAD_ARGUMENT,		/* NULL pointer where data is required */
	BP_AUDIT_REQUIRED_NULL,		/* chain_id, event_id, actor, event_type or object_type is NULL */
	BP_AUDIT_FIELD_TOO_LONG		/* a text longer than BP_AUDIT_MAX_FIELD_LEN */
} bp_audit_status;

/* A short English sentence describing a status, for error details. */
const char *bp_audit_strerror(bp_audit_status status);

/*
 * Hash ev chained to prev (32 zero bytes for the first event) into out.
 * The fields are streamed into SHA-256, never copied.  On error out is
 * untouched.
 */
bp_audit_status bp_audit_hash(const uint8_t prev[BP_AUDIT_HASH_BYTES],
							  const bp_audit_event *ev,
							  uint8_t out[BP_AUDIT_HASH_BYTES]);

#ifdef __cplusplus
}
#endif

#endif							/* BP_AUDIT_HASH_H */
