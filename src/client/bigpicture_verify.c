/*
 * bigpicture_verify.c — verify a Big Picture token offline (libbigpicture-client).
 *
 *   bigpicture-verify [--root k4.public.…]... [--key PURPOSE=k4.public.…]...
 *                     [--keyset TOKEN|@FILE]... [--typ TYP] [--now UNIXSECONDS]
 *                     [--prev-lease TOKEN|@FILE] [--revocations TOKEN|@FILE]
 *                     [--install-id ID] [--nonce N] TOKEN|@FILE|-
 *   bigpicture-verify [--root …]... [--key audit=k4.public.…]... [--keyset …]...
 *                     [--now UNIXSECONDS] --audit FILE|- [--checkpoint TOKEN|@FILE]
 *
 * Pins the root keys and purpose keys given, loads each key set (verified
 * against a pinned root key, in order, so a newer one may follow an older
 * one), verifies the token (signature, key purpose, state and validity
 * window, typ, exp / nbf, tenant) at --now (default: the clock) and prints
 * its payload JSON on stdout, exit 0.  With --prev-lease the token must be
 * a lease that follows that previous lease (seq + 1, prev_hash = hex
 * SHA-256 of the previous token's text); the previous lease is verified
 * too, except for its exp / nbf.  With --revocations the token must be a
 * lease and the tenant's signed lease revocation list (typ
 * lease_revocations, verified with the same keys at the same --now, and
 * refused when expired) must be of the lease's tenant and must not list
 * its lease_id (LEASE_REVOKED).  With --install-id and --nonce the payload
 * must carry that install_id and nonce (bp_client_check_binding): a token
 * replayed from another install or to another request is refused.  "@FILE"
 * reads a token from a file, "-"
 * from stdin; surrounding white space is ignored.
 *
 * With --audit it verifies an exported audit chain (JSON lines, from
 * bigpicture.export_audit_chain) instead of a token, as
 * bigpicture-audit-verify does (src/client/audit_chain.h): one chain_id,
 * seq rising by 1, prev_hash links and every hash recomputed.  With
 * --checkpoint the signed checkpoint must verify with a known audit key (a
 * pinned --key audit=…, or one from a key set; retired keys still count,
 * revoked ones do not) and the export must hold its seq with its hash, so
 * a cut-off tail shows.  It prints "ok: chain <id>, <n> events, head seq
 * <s> hash <hex>" on stdout, or "bigpicture-verify: <NAME>: FAIL seq <n>:
 * <reason>" on stderr with the exit code below (a checkpoint that does not
 * verify exits with the token codes 10-27).
 *
 * On failure one line "bigpicture-verify: <NAME>: <sentence>" on stderr and
 * a distinct exit code:
 *
 *    0  OK               the token is valid; payload on stdout
 *    2  USAGE            bad command line, or a file cannot be read
 *   10  MALFORMED        token, footer or payload not well formed
 *   11  BAD_SIGNATURE    the signature does not verify
 *   12  UNKNOWN_KEY      no pinned or key set key has the token's kid
 *   13  WRONG_PURPOSE    the key's purpose may not sign this typ
 *   14  WRONG_TYPE       typ is not the --typ asked for
 *   15  EXPIRED          exp <= now
 *   16  NOT_YET_VALID    nbf > now, or iat more than 300 s ahead of now
 *   17  KEY_REVOKED      the signing key is revoked
 *   18  KEY_NOT_VALID    the key is pending, retired or outside its window
 *   19  WRONG_TENANT     a tenant key signed another tenant's token
 *   20  ROLLBACK         key set version or lease seq went backwards
 *   21  CHAIN_BROKEN     lease seq skipped or prev_hash differs
 *   22  BAD_KEY          a --root / --key value is not a k4.public key
 *   23  BUFFER_TOO_SMALL internal buffer too small (should not happen)
 *   24  CAPACITY         more keys than the client holds (64)
 *   25  BAD_ARGUMENT     e.g. one key pinned for two purposes
 *   26  CERT_INVALID     a mirror's key certificate is not valid
 *   27  CERT_EXPIRED     a mirror's key certificate has expired
 *   28  AUDIT_CHAIN_BROKEN  --audit: the export is not a whole chain (an
 *                       event altered, missing, reordered or malformed, a
 *                       link broken, another chain_id, no events)
 *   29  AUDIT_CHECKPOINT_MISMATCH  --audit: the export ends before the
 *                       checkpoint (a cut-off tail) or disagrees with it
 *                       (another chain, another hash at its seq)
 *   30  NOT_FOR_US       --install-id / --nonce: the payload's differ
 *   31  LEASE_REVOKED    --revocations: the list names the lease
 *
 * Only C99, libsodium and src/core + src/client.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "audit_chain.h"
#include "bp_client.h"
#include "cli_io.h"
#include "json.h"

#define PROGRAM "bigpicture-verify"
#define EXIT_USAGE 2
#define EXIT_AUDIT_CHAIN_BROKEN 28
#define EXIT_AUDIT_CHECKPOINT_MISMATCH 29
#define MAX_KEYSETS 16
#define AUDIT_MAX_LINE BP_AUDIT_CHAIN_DEFAULT_MAX_LINE


static const char usage_text[] =
"usage: " PROGRAM " [--root k4.public.…]... [--key PURPOSE=k4.public.…]...\n"
"                         [--keyset TOKEN|@FILE]... [--typ TYP] [--now UNIXSECONDS]\n"
"                         [--prev-lease TOKEN|@FILE] [--revocations TOKEN|@FILE]\n"
"                         [--install-id ID] [--nonce N] TOKEN|@FILE|-\n"
"       " PROGRAM " [--root …]... [--key audit=k4.public.…]... [--keyset …]...\n"
"                         [--now UNIXSECONDS] --audit FILE|- [--checkpoint TOKEN|@FILE]\n"
"\n"
"Verify a Big Picture PASETO v4.public token offline and print its payload,\n"
"or with --audit an exported audit chain (JSON lines) and print \"ok: …\".\n"
"  --root K          pin a root key (verifies --keyset)\n"
"  --key P=K         pin a purpose key: root, decision, lease, snapshot, audit\n"
"  --keyset T        load a key set signed by a pinned root (repeatable, in order)\n"
"  --typ TYP         require this typ (decision, lease, release, snapshot, ...)\n"
"  --now SECONDS     verify at this Unix time instead of the clock\n"
"  --prev-lease T    the token is a lease that must follow this lease\n"
"  --revocations T   the token is a lease not on this revocation list of its tenant\n"
"  --install-id ID   the payload must be for this install (install_id)\n"
"  --nonce N         the payload must answer the request with this nonce\n"
"  --audit FILE      verify an exported audit chain (- for stdin), not a token\n"
"  --checkpoint T    with --audit: a signed checkpoint the export must reach,\n"
"                    verified with the audit key (--key audit=K, or a key set)\n"
"A token is given as text, as @FILE, or as - for stdin.\n"
"\n"
"Exit codes: 0 OK, 2 USAGE, 10 MALFORMED, 11 BAD_SIGNATURE, 12 UNKNOWN_KEY,\n"
"13 WRONG_PURPOSE, 14 WRONG_TYPE, 15 EXPIRED, 16 NOT_YET_VALID, 17 KEY_REVOKED,\n"
"18 KEY_NOT_VALID, 19 WRONG_TENANT, 20 ROLLBACK, 21 CHAIN_BROKEN, 22 BAD_KEY,\n"
"23 BUFFER_TOO_SMALL, 24 CAPACITY, 25 BAD_ARGUMENT, 26 CERT_INVALID,\n"
"27 CERT_EXPIRED, 28 AUDIT_CHAIN_BROKEN, 29 AUDIT_CHECKPOINT_MISMATCH, 30 NOT_FOR_US,\n"
"31 LEASE_REVOKED.\n";

enum
{
	OPT_ROOT = 256, OPT_KEY, OPT_KEYSET, OPT_TYP, OPT_NOW, OPT_PREV_LEASE,
	OPT_INSTALL_ID, OPT_NONCE, OPT_AUDIT, OPT_CHECKPOINT, OPT_REVOCATIONS
};

static const struct option options[] = {
	{"help", no_argument, NULL, 'h'},
	{"root", required_argument, NULL, OPT_ROOT},
	{"key", required_argument, NULL, OPT_KEY},
	{"keyset", required_argument, NULL, OPT_KEYSET},
	{"typ", required_argument, NULL, OPT_TYP},
	{"now", required_argument, NULL, OPT_NOW},
	{"prev-lease", required_argument, NULL, OPT_PREV_LEASE},
	{"install-id", required_argument, NULL, OPT_INSTALL_ID},
	{"nonce", required_argument, NULL, OPT_NONCE},
	{"audit", required_argument, NULL, OPT_AUDIT},
	{"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
	{"revocations", required_argument, NULL, OPT_REVOCATIONS},
	{NULL, 0, NULL, 0}
};

static int
usage_error(const char *what, const char *arg)
{
	return bp_cli_usage_error(PROGRAM, what, arg);
}

static int
fail(bp_client_status st, const char *context)
{
	fprintf(stderr, "%s: %s: %s%s%s\n", PROGRAM, bp_client_status_name(st),
			context ? context : "", context ? ": " : "", bp_client_strerror(st));
	if ((int) st <= 0 || (int) st >= BP_CLIENT_N_STATUS)
		return 1;
	return bp_cli_exit_code(st);
}


/* ---- --revocations ------------------------------------------------------ */

/*
 * Is the verified lease of the list's tenant?  The library lets another
 * tenant's list pass (a client holds one per tenant); here the list was
 * given for this lease, so one that cannot apply is a mistake to report.
 */
static bool
lease_of_list_tenant(const char *payload, size_t len, const bp_client_revocations *rev)
{
	static bp_json_token tok[BP_REVOCATIONS_LEASE_MAX_TOKENS];
	size_t		n;
	int			v;

	if (bp_json_parse(payload, len, tok, BP_REVOCATIONS_LEASE_MAX_TOKENS, &n) != BP_JSON_OK ||
		tok[0].type != BP_JSON_OBJECT)
		return false;
	v = bp_json_object_get(payload, tok, n, 0, "tenant_id");
	return v >= 0 && tok[v].type == BP_JSON_STRING &&
		bp_json_string_equals(payload, &tok[v], rev->tenant, rev->tenant_len);
}

/* ---- --audit ------------------------------------------------------------ */

/* The verifier's failure on stderr, and its exit code. */
static int
audit_fail(const bp_audit_chain_result *r)
{
	const char *name;
	int			code;

	switch (r->status)
	{
		case BP_AUDIT_CHAIN_CHECKPOINT_INVALID:
			/* The checkpoint is a token: the token codes say why. */
			name = bp_client_status_name(r->client_status);
			code = (int) r->client_status > 0 && (int) r->client_status < BP_CLIENT_N_STATUS ?
				bp_cli_exit_code(r->client_status) : 1;
			break;
		case BP_AUDIT_CHAIN_CHECKPOINT_MALFORMED:
			name = bp_client_status_name(BP_CLIENT_MALFORMED);
			code = bp_cli_exit_code(BP_CLIENT_MALFORMED);
			break;
		case BP_AUDIT_CHAIN_CHECKPOINT_MISMATCH:
		case BP_AUDIT_CHAIN_TRUNCATED:
			name = "AUDIT_CHECKPOINT_MISMATCH";
			code = EXIT_AUDIT_CHECKPOINT_MISMATCH;
			break;
		case BP_AUDIT_CHAIN_BAD_ARGUMENT:
		case BP_AUDIT_CHAIN_BAD_KEY:
			name = "USAGE";
			code = EXIT_USAGE;
			break;
		default:
			name = "AUDIT_CHAIN_BROKEN";
			code = EXIT_AUDIT_CHAIN_BROKEN;
			break;
	}
	fprintf(stderr, "%s: %s: FAIL seq %lld: %s\n", PROGRAM, name, (long long) r->seq,
			r->reason != NULL ? r->reason : "");
	return code;
}

/* The export's chain_id with control characters replaced, one line. */
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

/*
 * --audit FILE|- [--checkpoint TOKEN|@FILE]: verify the export with the
 * client library's audit-chain verifier, the checkpoint with ctx's keys.
 */
static int
verify_audit(const bp_client_ctx *ctx, const char *path, const char *checkpoint_arg)
{
	FILE	   *in = stdin;
	bp_audit_chain v;
	bp_audit_chain_result r;
	size_t		mem_len = bp_audit_chain_mem_len(AUDIT_MAX_LINE);
	void	   *mem = malloc(mem_len);
	char	   *line = malloc(AUDIT_MAX_LINE + 1);
	unsigned long long line_no = 0;
	bp_cli_text	cp = {NULL, 0};
	char		hex[2 * BP_AUDIT_CHAIN_HASH_BYTES + 1];
	bp_audit_chain_status st;
	int			rc = 0;

	if (mem == NULL || line == NULL ||
		bp_audit_chain_init(&v, AUDIT_MAX_LINE, mem, mem_len) != BP_AUDIT_CHAIN_OK)
	{
		fprintf(stderr, "%s: USAGE: out of memory.\n", PROGRAM);
		rc = EXIT_USAGE;
		goto out;
	}
	if (checkpoint_arg != NULL && !bp_cli_read_arg(PROGRAM, checkpoint_arg, &cp))
	{
		rc = EXIT_USAGE;
		goto out;
	}
	if (strcmp(path, "-") != 0 && (in = fopen(path, "rb")) == NULL)
	{
		fprintf(stderr, "%s: USAGE: cannot open %s: %s.\n", PROGRAM, path, strerror(errno));
		rc = EXIT_USAGE;
		goto out;
	}

	if (cp.s != NULL)
	{
		size_t		work_len = bp_audit_chain_checkpoint_work_len(cp.len);
		void	   *work = work_len == SIZE_MAX ? NULL : malloc(work_len);

		if (work_len != SIZE_MAX && work == NULL)
		{
			fprintf(stderr, "%s: USAGE: out of memory.\n", PROGRAM);
			rc = EXIT_USAGE;
			goto out;
		}
		st = bp_audit_chain_set_checkpoint_ctx(&v, ctx, cp.s, cp.len, work,
											   work == NULL ? 0 : work_len);
		free(work);
		if (st == BP_AUDIT_CHAIN_BAD_ARGUMENT)
		{
			fprintf(stderr, "%s: USAGE: the checkpoint cannot be checked.\n", PROGRAM);
			rc = EXIT_USAGE;
			goto out;
		}
	}

	for (;;)
	{
		size_t		len = 0;
		int			got;

		bp_audit_chain_get_result(&v, &r);
		if (r.status != BP_AUDIT_CHAIN_OK)
			break;
		got = bp_cli_read_line(in, line, AUDIT_MAX_LINE + 1, &len);
		if (got == 0)
			break;
		line_no++;
		if (got == -2)
		{
			fprintf(stderr, "%s: USAGE: cannot read %s at line %llu.\n", PROGRAM, path, line_no);
			rc = EXIT_USAGE;
			goto out;
		}
		/* Longer still: the verifier refuses it unread. */
		if (got == -1)
			len = AUDIT_MAX_LINE + 1;
		bp_audit_chain_feed(&v, line, len);
	}
	bp_audit_chain_finish(&v);
	bp_audit_chain_get_result(&v, &r);
	if (r.status != BP_AUDIT_CHAIN_OK)
	{
		rc = audit_fail(&r);
		goto out;
	}
	sodium_bin2hex(hex, sizeof(hex), r.head_hash, sizeof(r.head_hash));
	fputs("ok: chain ", stdout);
	print_text(r.chain_id, r.chain_id_len);
	printf(", %llu events, head seq %lld hash %s\n",
		   (unsigned long long) r.events, (long long) r.head_seq, hex);
	if (fflush(stdout) != 0)
	{
		fprintf(stderr, "%s: USAGE: cannot write the result.\n", PROGRAM);
		rc = EXIT_USAGE;
	}
out:
	if (in != stdin && in != NULL)
		fclose(in);
	free(cp.s);
	free(line);
	free(mem);
	return rc;
}

int
main(int argc, char **argv)
{
	static bp_client_ctx ctx;
	static bp_client_revocations rev;
	const char *keysets[MAX_KEYSETS];
	int			n_keysets = 0;
	const char *typ = NULL;
	const char *prev_arg = NULL;
	const char *install_id = NULL;
	const char *nonce = NULL;
	const char *token_arg = NULL;
	const char *audit_arg = NULL;
	const char *checkpoint_arg = NULL;
	const char *revocations_arg = NULL;
	int64_t		now = (int64_t) time(NULL);
	bp_cli_text	token;
	bp_cli_text	prev;
	void	   *work;
	void	   *prev_work = NULL;
	size_t		payload_len = 0;
	size_t		prev_payload_len = 0;
	bp_client_status st;
	int			i;
	int			opt;

	if (sodium_init() < 0)
	{
		fprintf(stderr, "%s: USAGE: libsodium could not be initialised.\n", PROGRAM);
		return EXIT_USAGE;
	}
	bp_client_init(&ctx);

	opterr = 0;					/* our own messages, in our format */
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1)
	{
		const char *v = optarg;

		switch (opt)
		{
			case 'h':
				fputs(usage_text, stdout);
				return 0;
			case OPT_ROOT:
				st = bp_client_pin_key(&ctx, BP_CLIENT_PURPOSE_ROOT, v);
				if (st != BP_CLIENT_OK)
					return fail(st, "--root");
				break;
			case OPT_KEY:
				{
					const char *eq = strchr(v, '=');
					bp_client_purpose p;

					if (eq == NULL)
						return usage_error("--key wants PURPOSE=k4.public.…", v);
					p = bp_client_purpose_from_name(v, (size_t) (eq - v));
					if (p == BP_CLIENT_PURPOSE_NONE)
						return usage_error("unknown key purpose (root, decision, lease, snapshot, audit)", v);
					st = bp_client_pin_key(&ctx, p, eq + 1);
					if (st != BP_CLIENT_OK)
						return fail(st, "--key");
				}
				break;
			case OPT_KEYSET:
				if (n_keysets == MAX_KEYSETS)
					return usage_error("too many --keyset options", NULL);
				keysets[n_keysets++] = v;
				break;
			case OPT_TYP:
				if (bp_client_purpose_of_typ(v, strlen(v)) == BP_CLIENT_PURPOSE_NONE)
					return usage_error("unknown typ (keyset, key_certificate, decision, release, lease, lease_revocations, snapshot, checkpoint)", v);
				typ = v;
				break;
			case OPT_NOW:
				if (!bp_cli_parse_int64(v, &now))
					return usage_error("--now wants Unix seconds", v);
				break;
			case OPT_PREV_LEASE:
				prev_arg = v;
				break;
			case OPT_INSTALL_ID:
				install_id = v;
				break;
			case OPT_NONCE:
				nonce = v;
				break;
			case OPT_AUDIT:
				audit_arg = v;
				break;
			case OPT_CHECKPOINT:
				checkpoint_arg = v;
				break;
			case OPT_REVOCATIONS:
				revocations_arg = v;
				break;
			case ':':
				return usage_error("option needs a value", argv[optind - 1]);
			default:
				return usage_error("unknown option", argv[optind - 1]);
		}
	}
	for (i = optind; i < argc; i++)
	{
		if (token_arg != NULL)
			return usage_error("more than one token given", argv[i]);
		token_arg = argv[i];
	}
	if (audit_arg != NULL)
	{
		if (token_arg != NULL)
			return usage_error("--audit verifies an export, not a token", token_arg);
		if (typ != NULL || prev_arg != NULL || revocations_arg != NULL || install_id != NULL || nonce != NULL)
			return usage_error("--typ, --prev-lease, --revocations, --install-id and --nonce are for tokens, not --audit",
							   NULL);
		if (strcmp(audit_arg, "-") == 0)
		{
			if (checkpoint_arg != NULL && strcmp(checkpoint_arg, "-") == 0)
				return usage_error("--audit and --checkpoint cannot both read stdin", NULL);
			for (i = 0; i < n_keysets; i++)
				if (strcmp(keysets[i], "-") == 0)
					return usage_error("--audit and --keyset cannot both read stdin", NULL);
		}
	}
	else if (checkpoint_arg != NULL)
		return usage_error("--checkpoint goes with --audit", NULL);
	else if (token_arg == NULL)
		return usage_error("no token given", NULL);
	if (prev_arg != NULL)
	{
		if (typ != NULL && strcmp(typ, "lease") != 0)
			return usage_error("--prev-lease needs --typ lease", typ);
		typ = "lease";
	}
	/* A revocation list only says something about leases. */
	if (revocations_arg != NULL)
	{
		if (typ != NULL && strcmp(typ, "lease") != 0)
			return usage_error("--revocations needs --typ lease", typ);
		typ = "lease";
	}

	/* Key sets, in order. */
	for (i = 0; i < n_keysets; i++)
	{
		bp_cli_text	ks;
		size_t		cap;

		if (!bp_cli_read_arg(PROGRAM, keysets[i], &ks))
			return EXIT_USAGE;
		cap = bp_client_work_len(ks.len);
		work = cap == SIZE_MAX ? NULL : malloc(cap);
		if (work == NULL)
			return fail(BP_CLIENT_MALFORMED, "key set");
		st = bp_client_load_keyset(&ctx, ks.s, ks.len, now, work, cap);
		free(work);
		free(ks.s);
		if (st != BP_CLIENT_OK)
			return fail(st, "key set");
	}

	if (audit_arg != NULL)
		return verify_audit(&ctx, audit_arg, checkpoint_arg);

	/* The tenant's revocation list, with the same keys and clock. */
	bp_client_revocations_init(&rev);
	if (revocations_arg != NULL)
	{
		bp_cli_text	list;
		size_t		cap;

		if (!bp_cli_read_arg(PROGRAM, revocations_arg, &list))
			return EXIT_USAGE;
		cap = bp_client_work_len(list.len);
		work = cap == SIZE_MAX ? NULL : malloc(cap);
		if (work == NULL)
			return fail(BP_CLIENT_MALFORMED, "revocation list");
		st = bp_client_load_revocations(&rev, &ctx, list.s, list.len, now, work, cap);
		free(work);
		free(list.s);
		if (st != BP_CLIENT_OK)
			return fail(st, "revocation list");
	}

	/* The token. */
	if (!bp_cli_read_arg(PROGRAM, token_arg, &token))
		return EXIT_USAGE;
	{
		size_t		cap = bp_client_work_len(token.len);

		work = cap == SIZE_MAX ? NULL : malloc(cap);
		if (work == NULL)
			return fail(BP_CLIENT_MALFORMED, NULL);
		st = bp_client_verify(&ctx, token.s, token.len, typ, now, work, cap, &payload_len);
		if (st != BP_CLIENT_OK)
			return fail(st, NULL);
	}

	/* Revoked? */
	if (revocations_arg != NULL)
	{
		if (!lease_of_list_tenant(work, payload_len, &rev))
		{
			fprintf(stderr, "%s: %s: revocation list: The list is of another tenant than the lease.\n", PROGRAM,
					bp_client_status_name(BP_CLIENT_WRONG_TENANT));
			return bp_cli_exit_code(BP_CLIENT_WRONG_TENANT);
		}
		st = bp_client_check_lease_revoked(&rev, work, payload_len);
		if (st != BP_CLIENT_OK)
			return fail(st, NULL);
	}

	/* The lease chain. */
	if (prev_arg != NULL)
	{
		size_t		cap;

		if (!bp_cli_read_arg(PROGRAM, prev_arg, &prev))
			return EXIT_USAGE;
		cap = bp_client_work_len(prev.len);
		prev_work = cap == SIZE_MAX ? NULL : malloc(cap);
		if (prev_work == NULL)
			return fail(BP_CLIENT_MALFORMED, "previous lease");
		st = bp_client_verify_ex(&ctx, prev.s, prev.len, "lease", now, BP_CLIENT_SKIP_TIME,
								 prev_work, cap, &prev_payload_len);
		if (st != BP_CLIENT_OK)
			return fail(st, "previous lease");
		st = bp_client_check_lease_chain(prev.s, prev.len, prev_work, prev_payload_len,
										 work, payload_len);
		if (st != BP_CLIENT_OK)
			return fail(st, "lease chain");
	}

	/* The install and the request it answers. */
	if (install_id != NULL || nonce != NULL)
	{
		st = bp_client_check_binding(work, payload_len, install_id, nonce);
		if (st != BP_CLIENT_OK)
			return fail(st, NULL);
	}

	fwrite(work, 1, payload_len, stdout);
	fputc('\n', stdout);
	if (fflush(stdout) != 0)
	{
		fprintf(stderr, "%s: USAGE: cannot write the payload.\n", PROGRAM);
		return EXIT_USAGE;
	}
	free(work);
	free(prev_work);
	free(token.s);
	return 0;
}
