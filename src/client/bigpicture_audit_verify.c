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
 * The verification is the client library's (src/client/audit_chain.h,
 * which bigpicture-verify --audit uses too); this is its command line:
 * arguments, reading lines, printing.
 *
 * Only C99, libsodium, src/core and src/client: no libpq, so a third party
 * can build it.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit_chain.h"
#include "cli_io.h"

#define PROGRAM "bigpicture_audit_verify"
#define LINE_MAX_BYTES BP_AUDIT_CHAIN_DEFAULT_MAX_LINE

#define EXIT_VERIFY_FAILED 1
#define EXIT_USAGE 2

static const struct option options[] = {
	{"help", no_argument, NULL, 'h'},
	{"checkpoint", required_argument, NULL, 'c'},
	{"key", required_argument, NULL, 'k'},
	{NULL, 0, NULL, 0}
};

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

/* "ok: …" or "FAIL seq <n>: <reason>" for where the verifier stands. */
static int
report(const bp_audit_chain *v)
{
	bp_audit_chain_result r;
	char		hex[2 * BP_AUDIT_CHAIN_HASH_BYTES + 1];

	bp_audit_chain_get_result(v, &r);
	if (r.status != BP_AUDIT_CHAIN_OK)
	{
		printf("FAIL seq %lld: %s\n", (long long) r.seq, r.reason);
		return EXIT_VERIFY_FAILED;
	}
	fputs("ok: chain ", stdout);
	print_text(r.chain_id, r.chain_id_len);
	sodium_bin2hex(hex, sizeof(hex), r.head_hash, sizeof(r.head_hash));
	printf(", %llu events, head seq %lld hash %s\n",
		   (unsigned long long) r.events, (long long) r.head_seq, hex);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *path = NULL;
	const char *token = NULL;
	const char *key = NULL;
	FILE	   *in = stdin;
	bp_audit_chain v;
	size_t		mem_len = bp_audit_chain_mem_len(LINE_MAX_BYTES);
	void	   *mem = NULL;
	char	   *line = NULL;
	unsigned long long line_no = 0;
	int			opt;
	int			rc = 0;

	opterr = 0;					/* our own messages */
	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1)
	{
		switch (opt)
		{
			case 'h':
				usage(stdout);
				return 0;
			case 'c':
				token = optarg;
				break;
			case 'k':
				key = optarg;
				break;
			case ':':
				fprintf(stderr, PROGRAM ": %s needs a value\n", argv[optind - 1]);
				usage(stderr);
				return EXIT_USAGE;
			default:
				fprintf(stderr, PROGRAM ": unknown option %s\n", argv[optind - 1]);
				usage(stderr);
				return EXIT_USAGE;
		}
	}
	if (optind < argc)
		path = argv[optind];
	if (argc - optind > 1)
	{
		fprintf(stderr, PROGRAM ": only one input file may be given\n");
		usage(stderr);
		return EXIT_USAGE;
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

	/* One line more than the limit, so that a longer line shows as such. */
	mem = malloc(mem_len);
	line = malloc(LINE_MAX_BYTES + 1);
	if (mem == NULL || line == NULL ||
		bp_audit_chain_init(&v, LINE_MAX_BYTES, mem, mem_len) != BP_AUDIT_CHAIN_OK)
	{
		fprintf(stderr, PROGRAM ": out of memory\n");
		rc = EXIT_USAGE;
		goto out;
	}

	if (token != NULL)
	{
		size_t		token_len = strlen(token);
		size_t		work_len = bp_audit_chain_checkpoint_work_len(token_len);
		void	   *work = work_len == SIZE_MAX ? NULL : malloc(work_len);
		bp_audit_chain_status st;

		if (work_len != SIZE_MAX && work == NULL)
		{
			fprintf(stderr, PROGRAM ": out of memory\n");
			rc = EXIT_USAGE;
			goto out;
		}
		st = bp_audit_chain_set_checkpoint(&v, token, token_len, key, work,
										   work == NULL ? 0 : work_len);
		free(work);
		if (st == BP_AUDIT_CHAIN_BAD_KEY)
		{
			bp_audit_chain_result r;

			bp_audit_chain_get_result(&v, &r);
			fprintf(stderr, PROGRAM ": invalid --key: %s\n", r.detail);
			rc = EXIT_USAGE;
			goto out;
		}
		if (st == BP_AUDIT_CHAIN_BAD_ARGUMENT)
		{
			fprintf(stderr, PROGRAM ": cannot check the checkpoint\n");
			rc = EXIT_USAGE;
			goto out;
		}
		if (st != BP_AUDIT_CHAIN_OK)
		{
			rc = report(&v);
			goto out;
		}
	}

	if (path != NULL && strcmp(path, "-") != 0)
	{
		in = fopen(path, "rb");
		if (in == NULL)
		{
			fprintf(stderr, PROGRAM ": cannot open %s: ", path);
			perror(NULL);
			rc = EXIT_USAGE;
			goto out;
		}
	}

	for (;;)
	{
		size_t		len = 0;
		int			r = bp_cli_read_line(in, line, LINE_MAX_BYTES + 1, &len);

		if (r == 0)
			break;
		line_no++;
		if (r == -2)
		{
			fprintf(stderr, PROGRAM ": read error on line %llu\n", line_no);
			rc = EXIT_USAGE;
			break;
		}
		/* Longer still: the verifier refuses it unread. */
		if (r == -1)
			len = LINE_MAX_BYTES + 1;
		if (bp_audit_chain_feed(&v, line, len) != BP_AUDIT_CHAIN_OK)
			break;
	}
	if (in != stdin)
		fclose(in);
	if (rc == 0)
	{
		bp_audit_chain_finish(&v);
		rc = report(&v);
	}
out:
	free(line);
	free(mem);
	return rc;
}
