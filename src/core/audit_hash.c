/*
 * audit_hash.c — audit-chain hash, format version 1 (see audit_hash.h).
 *
 * Every field is checked before anything is hashed, so an invalid event
 * never yields a hash, not even a partial one.
 */
#include "audit_hash.h"

#include <sodium.h>

#define NULL_MARKER 0xFFFFFFFFu

static void
store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

static void
store_be64(uint8_t *p, uint64_t v)
{
	int			k;

	for (k = 0; k < 8; k++)
		p[k] = (uint8_t) (v >> (56 - 8 * k));
}

static bp_audit_status
check_text(const bp_audit_text *t, bool nullable)
{
	if (t->is_null)
		return nullable ? BP_AUDIT_OK : BP_AUDIT_REQUIRED_NULL;
	if (t->ptr == NULL && t->len > 0)
		return BP_AUDIT_BAD_ARGUMENT;
	/* Compared as uint64_t so the test means the same with a 32-bit size_t. */
	if ((uint64_t) t->len > BP_AUDIT_MAX_FIELD_LEN)
		return BP_AUDIT_FIELD_TOO_LONG;
	return BP_AUDIT_OK;
}

static void
hash_text(crypto_hash_sha256_state *st, const bp_audit_text *t)
{
	uint8_t		len[4];

	store_be32(len, t->is_null ? NULL_MARKER : (uint32_t) t->len);
	crypto_hash_sha256_update(st, len, sizeof(len));
	if (!t->is_null && t->len > 0)
		crypto_hash_sha256_update(st, (const unsigned char *) t->ptr,
								  (unsigned long long) t->len);
}

/* A fixed 8-byte field, framed like a text of length 8. */
static void
hash_u64(crypto_hash_sha256_state *st, uint64_t v)
{
	uint8_t		buf[12];

	store_be32(buf, 8);
	store_be64(buf + 4, v);
	crypto_hash_sha256_update(st, buf, sizeof(buf));
}

bp_audit_status
bp_audit_hash(const uint8_t prev[BP_AUDIT_HASH_BYTES],
			  const bp_audit_event *ev, uint8_t out[BP_AUDIT_HASH_BYTES])
{
	crypto_hash_sha256_state st;
	const uint8_t version = BP_AUDIT_FORMAT_VERSION;
	bp_audit_status s;

	if (prev == NULL || ev == NULL || out == NULL)
		return BP_AUDIT_BAD_ARGUMENT;
	if ((s = check_text(&ev->chain_id, false)) != BP_AUDIT_OK ||
		(s = check_text(&ev->event_id, false)) != BP_AUDIT_OK ||
		(s = check_text(&ev->actor, false)) != BP_AUDIT_OK ||
		(s = check_text(&ev->event_type, false)) != BP_AUDIT_OK ||
		(s = check_text(&ev->object_type, false)) != BP_AUDIT_OK ||
		(s = check_text(&ev->object_id, true)) != BP_AUDIT_OK ||
		(s = check_text(&ev->before, true)) != BP_AUDIT_OK ||
		(s = check_text(&ev->after, true)) != BP_AUDIT_OK ||
		(s = check_text(&ev->context, true)) != BP_AUDIT_OK)
		return s;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, prev, BP_AUDIT_HASH_BYTES);
	crypto_hash_sha256_update(&st, &version, 1);
	hash_text(&st, &ev->chain_id);
	hash_u64(&st, ev->seq);
	hash_text(&st, &ev->event_id);
	/* Two's complement, as the format says, whatever the host does. */
	hash_u64(&st, (uint64_t) ev->occurred_at_us);
	hash_text(&st, &ev->actor);
	hash_text(&st, &ev->event_type);
	hash_text(&st, &ev->object_type);
	hash_text(&st, &ev->object_id);
	hash_text(&st, &ev->before);
	hash_text(&st, &ev->after);
	hash_text(&st, &ev->context);
	crypto_hash_sha256_final(&st, out);
	return BP_AUDIT_OK;
}

const char *
bp_audit_strerror(bp_audit_status status)
{
	switch (status)
	{
		case BP_AUDIT_OK:
			return "No error.";
		case BP_AUDIT_BAD_ARGUMENT:
			return "A required argument is missing.";
		case BP_AUDIT_REQUIRED_NULL:
			return "A required audit event field is NULL.";
		case BP_AUDIT_FIELD_TOO_LONG:
			return "An audit event field is longer than the format allows.";
	}
	return "Unknown audit hash error.";
}
