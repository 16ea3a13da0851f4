/*
 * token_kinds.c — the rule table of signed tokens: see token_kinds.h.
 */
#include <string.h>

#include "token_kinds.h"

#define DAY 86400

/*
 * Lifetimes: a decision lives for its tenant's decision_ttl (at most 7
 * days); a lease until the end its entitlement allows.  Everything else is
 * re-signed before it expires (the extension's background worker), so exp
 * only bounds how long a frozen copy could be replayed: 400 days at most for
 * key sets, key certificates, snapshots, release metadata and checkpoints,
 * 31 days for a lease revocation list.  The defaults are settings
 * (docs/keys.md).  Every kind carries exp, so stock PASETO verifiers accept
 * every token with their default options.
 */
const bp_token_kind bp_token_kinds[] = {
	{"keyset", BP_PURPOSE_ROOT, true, 400 * DAY},
	{"key_certificate", BP_PURPOSE_ROOT, true, 400 * DAY},
	{"decision", BP_PURPOSE_DECISION, true, 7 * DAY},
	{"release", BP_PURPOSE_DECISION, true, 400 * DAY},
	{"lease", BP_PURPOSE_LEASE, true, 0},
	{"lease_revocations", BP_PURPOSE_LEASE, true, 31 * DAY},
	{"snapshot", BP_PURPOSE_SNAPSHOT, true, 400 * DAY},
	{"checkpoint", BP_PURPOSE_AUDIT, true, 400 * DAY},
};

const size_t bp_n_token_kinds = sizeof(bp_token_kinds) / sizeof(bp_token_kinds[0]);

static const char *const purpose_names[] = {
	"none", "root", "decision", "lease", "snapshot", "audit"
};

static bool
text_is(const char *s, size_t len, const char *lit)
{
	size_t		n = strlen(lit);

	return len == n && memcmp(s, lit, n) == 0;
}

const bp_token_kind *
bp_token_kind_of(const char *typ, size_t len)
{
	size_t		i;

	if (typ == NULL)
		return NULL;
	for (i = 0; i < bp_n_token_kinds; i++)
		if (text_is(typ, len, bp_token_kinds[i].typ))
			return &bp_token_kinds[i];
	return NULL;
}

bp_purpose
bp_purpose_from_name(const char *name, size_t len)
{
	int			p;

	if (name == NULL)
		return BP_PURPOSE_NONE;
	for (p = BP_PURPOSE_FIRST; p <= BP_PURPOSE_LAST; p++)
		if (text_is(name, len, purpose_names[p]))
			return (bp_purpose) p;
	return BP_PURPOSE_NONE;
}

const char *
bp_purpose_name(bp_purpose purpose)
{
	if (purpose < BP_PURPOSE_FIRST || purpose > BP_PURPOSE_LAST)
		return purpose_names[BP_PURPOSE_NONE];
	return purpose_names[purpose];
}
