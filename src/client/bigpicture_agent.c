/*
 * bigpicture_agent.c — the update-check cycle from the command line, for
 * scripts and IT tooling: the same bp_agent API an application links.
 *
 *   bigpicture-agent OPTIONS check --product P --version V [--channel C]
 *   bigpicture-agent OPTIONS lease --product P --subject-type user|machine --subject-id S
 *   bigpicture-agent OPTIONS verify-file --product P FILE
 *   bigpicture-agent OPTIONS status
 *   bigpicture-agent OPTIONS refresh-keys
 *
 *   OPTIONS: --state DIR --root k4.public.…|@FILE [--root …]... --install-id ID
 *            [--url URL] [--token JWT|@FILE] [--platform P] [--arch A]
 *            [--timeout MS] [--keyset-grace SECONDS] [--now UNIXSECONDS]
 *
 * check and lease print the verified payload on stdout; status prints what
 * the state directory holds, verified again, as JSON; refresh-keys fetches
 * the key set now (check and lease do when it is past half its life, or a
 * token names a key it does not know) and prints the status.  An answer from the
 * state directory (the service could not be asked) is still verified and
 * valid, but exits 3 with "answered from the cache: why" on stderr, so a
 * script can tell.  Exit codes (docs/client.md):
 *
 *    0  OK             verified, from the service (verify-file: the file matches)
 *    1  INTERNAL       out of memory or an unexpected status
 *    2  USAGE          bad command line, unreadable argument file
 *    3  CACHED         verified and valid, from the state directory
 *   10-31              the token did not verify (bigpicture-verify's codes)
 *   40  UNREACHABLE    the service could not be asked and nothing valid is cached
 *   41  SERVER_ERROR   the service answered with an error (e.g. 409 no seat)
 *   42  BAD_RESPONSE   the answer is not what the API documents
 *   43  STATE_ERROR    the state directory cannot be read or written
 *   44  CLOCK_BACK     the clock is earlier than a time already seen
 *   45  NO_CACHE       verify-file: no decision cached for the product
 *   46  NO_ARTIFACT    verify-file: the decision names no artifact
 *   47  ARTIFACT_SIZE  verify-file: the file's size differs
 *   48  ARTIFACT_HASH  verify-file: the file's SHA-256 differs
 *   49  FILE_ERROR     verify-file: the file cannot be read
 */
#define _POSIX_C_SOURCE 200809L

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "agent.h"
#include "cli_io.h"

#define PROGRAM "bigpicture-agent"
#define EXIT_INTERNAL 1
#define EXIT_USAGE 2
#define EXIT_CACHED 3
#define MAX_ROOTS 16

static const char usage_text[] =
	"usage: " PROGRAM " OPTIONS check --product P --version V [--channel C]\n"
	"       " PROGRAM " OPTIONS lease --product P --subject-type user|machine --subject-id S\n"
	"       " PROGRAM " OPTIONS verify-file --product P FILE\n"
	"       " PROGRAM " OPTIONS status\n"
	"       " PROGRAM " OPTIONS refresh-keys\n"
	"OPTIONS: --state DIR --root k4.public.…|@FILE [--root …]... --install-id ID\n"
	"         [--url URL] [--token JWT|@FILE] [--platform P] [--arch A]\n"
	"         [--timeout MS] [--keyset-grace SECONDS] [--now UNIXSECONDS]\n"
	"The URL and token may also come from BIGPICTURE_URL and BIGPICTURE_TOKEN.\n"
	"Exit 0: verified, from the service; 3: verified, from the cache; see docs/client.md.\n";

static int
usage_error(const char *what, const char *arg)
{
	return bp_cli_usage_error(PROGRAM, what, arg);
}

static int
exit_code(bp_agent_status st)
{
	switch (st)
	{
		case BP_AGENT_OK:
			return 0;
		case BP_AGENT_UNREACHABLE:
			return 40;
		case BP_AGENT_SERVER_ERROR:
			return 41;
		case BP_AGENT_BAD_RESPONSE:
			return 42;
		case BP_AGENT_STATE_ERROR:
			return 43;
		case BP_AGENT_CLOCK_BACK:
			return 44;
		case BP_AGENT_NO_CACHE:
			return 45;
		case BP_AGENT_NO_ARTIFACT:
			return 46;
		case BP_AGENT_ARTIFACT_SIZE:
			return 47;
		case BP_AGENT_ARTIFACT_HASH:
			return 48;
		case BP_AGENT_FILE_ERROR:
			return 49;
		case BP_AGENT_BAD_OPTION:
			return EXIT_USAGE;
		default:
			return st > 0 && st < BP_CLIENT_N_STATUS ? bp_cli_exit_code((bp_client_status) st) : EXIT_INTERNAL;
	}
}

static int
fail(bp_agent_status st, const char *detail)
{
	fprintf(stderr, "%s: %s: %s\n", PROGRAM, bp_agent_status_name(st),
			detail != NULL && detail[0] != '\0' ? detail : bp_agent_strerror(st));
	return exit_code(st);
}

/* A result on stdout; a cached one said on stderr, exit 3. */
static int
print_result(bp_agent *agent, const bp_agent_result *r)
{
	fwrite(r->payload, 1, r->payload_len, stdout);
	fputc('\n', stdout);
	if (r->source == BP_AGENT_FROM_CACHE)
	{
		fprintf(stderr, "%s: CACHED: %s\n", PROGRAM, bp_agent_detail(agent));
		return EXIT_CACHED;
	}
	return 0;
}

/* Arguments read from files: freed at exit, whatever path main takes. */
static bp_cli_text roots[MAX_ROOTS];
static size_t n_roots;
static bp_cli_text token;

static void
free_args(void)
{
	for (size_t i = 0; i < n_roots; i++)
		free(roots[i].s);
	if (token.s != NULL)
		sodium_memzero(token.s, token.len);
	free(token.s);
}

enum
{
	OPT_STATE = 256, OPT_ROOT, OPT_INSTALL, OPT_URL, OPT_TOKEN, OPT_PLATFORM, OPT_ARCH, OPT_TIMEOUT,
	OPT_GRACE, OPT_NOW, OPT_PRODUCT, OPT_VERSION, OPT_CHANNEL, OPT_SUBJECT_TYPE, OPT_SUBJECT_ID, OPT_HELP
};

static const struct option long_options[] = {
	{"state", required_argument, NULL, OPT_STATE},
	{"root", required_argument, NULL, OPT_ROOT},
	{"install-id", required_argument, NULL, OPT_INSTALL},
	{"url", required_argument, NULL, OPT_URL},
	{"token", required_argument, NULL, OPT_TOKEN},
	{"platform", required_argument, NULL, OPT_PLATFORM},
	{"arch", required_argument, NULL, OPT_ARCH},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"keyset-grace", required_argument, NULL, OPT_GRACE},
	{"now", required_argument, NULL, OPT_NOW},
	{"product", required_argument, NULL, OPT_PRODUCT},
	{"version", required_argument, NULL, OPT_VERSION},
	{"channel", required_argument, NULL, OPT_CHANNEL},
	{"subject-type", required_argument, NULL, OPT_SUBJECT_TYPE},
	{"subject-id", required_argument, NULL, OPT_SUBJECT_ID},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0}
};

int
main(int argc, char **argv)
{
	bp_agent_options o;
	const char *root_ptrs[MAX_ROOTS];
	const char *product = NULL;
	const char *version = NULL;
	const char *channel = NULL;
	const char *subject_type = NULL;
	const char *subject_id = NULL;
	const char *command;
	int64_t		now = 0;
	bool		now_given = false;
	int64_t		v;
	int			c;
	int			rc;
	bp_agent   *agent = NULL;
	bp_agent_status st;
	bp_agent_result r = {0};
	char		detail[512];

	memset(&o, 0, sizeof(o));
	atexit(free_args);
	o.service_url = getenv("BIGPICTURE_URL");
	if (getenv("BIGPICTURE_TOKEN") != NULL && getenv("BIGPICTURE_TOKEN")[0] != '\0')
		o.access_token = getenv("BIGPICTURE_TOKEN");
	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1)
	{
		switch (c)
		{
			case OPT_STATE:
				o.state_dir = optarg;
				break;
			case OPT_ROOT:
				if (n_roots == MAX_ROOTS)
					return usage_error("too many --root keys", NULL);
				if (!bp_cli_read_arg(PROGRAM, optarg, &roots[n_roots]))
					return EXIT_USAGE;
				root_ptrs[n_roots] = roots[n_roots].s;
				n_roots++;
				break;
			case OPT_INSTALL:
				o.install_id = optarg;
				break;
			case OPT_URL:
				o.service_url = optarg;
				break;
			case OPT_TOKEN:
				free(token.s);
				token.s = NULL;
				if (!bp_cli_read_arg(PROGRAM, optarg, &token))
					return EXIT_USAGE;
				o.access_token = token.s;
				break;
			case OPT_PLATFORM:
				o.platform = optarg;
				break;
			case OPT_ARCH:
				o.arch = optarg;
				break;
			case OPT_TIMEOUT:
				if (!bp_cli_parse_int64(optarg, &v) || v <= 0 || v > 3600000)
					return usage_error("--timeout must be milliseconds, 1 to 3600000", optarg);
				o.timeout_ms = (long) v;
				break;
			case OPT_GRACE:
				if (!bp_cli_parse_int64(optarg, &v) || v <= 0)
					return usage_error("--keyset-grace must be seconds, more than 0", optarg);
				o.keyset_grace = v;
				break;
			case OPT_NOW:
				if (!bp_cli_parse_int64(optarg, &now))
					return usage_error("--now must be Unix seconds", optarg);
				now_given = true;
				break;
			case OPT_PRODUCT:
				product = optarg;
				break;
			case OPT_VERSION:
				version = optarg;
				break;
			case OPT_CHANNEL:
				channel = optarg;
				break;
			case OPT_SUBJECT_TYPE:
				subject_type = optarg;
				break;
			case OPT_SUBJECT_ID:
				subject_id = optarg;
				break;
			case OPT_HELP:
				fputs(usage_text, stdout);
				return 0;
			default:
				return usage_error("unknown option", NULL);
		}
	}
	if (optind >= argc)
		return usage_error("a command is required (check, lease, verify-file, status, refresh-keys)", NULL);
	command = argv[optind];
	if (o.state_dir == NULL || o.install_id == NULL || n_roots == 0)
		return usage_error("--state, --install-id and at least one --root are required", NULL);
	if (strcmp(command, "check") == 0 && (product == NULL || version == NULL || optind + 1 != argc))
		return usage_error("check takes --product and --version", NULL);
	if (strcmp(command, "lease") == 0 &&
		(product == NULL || subject_type == NULL || subject_id == NULL || optind + 1 != argc))
		return usage_error("lease takes --product, --subject-type and --subject-id", NULL);
	if (strcmp(command, "verify-file") == 0 && (product == NULL || optind + 2 != argc))
		return usage_error("verify-file takes --product and one FILE", NULL);
	if ((strcmp(command, "status") == 0 || strcmp(command, "refresh-keys") == 0) && optind + 1 != argc)
		return usage_error("status and refresh-keys take no arguments", NULL);
	if (strcmp(command, "check") != 0 && strcmp(command, "lease") != 0 &&
		strcmp(command, "verify-file") != 0 && strcmp(command, "status") != 0 &&
		strcmp(command, "refresh-keys") != 0)
		return usage_error("unknown command", command);
	o.roots = root_ptrs;
	o.n_roots = n_roots;
	if (sodium_init() < 0)
		return fail(BP_AGENT_NO_MEMORY, "libsodium could not start");

/* the clock when each step starts, unless --now fixes it */
#define NOW() (now_given ? now : (int64_t) time(NULL))
	st = bp_agent_open(&o, NOW(), &agent, detail, sizeof(detail));
	if (st != BP_AGENT_OK)
		rc = fail(st, detail);
	else if (strcmp(command, "check") == 0)
	{
		st = bp_agent_check(agent, product, version, channel, NOW(), &r);
		rc = st == BP_AGENT_OK ? print_result(agent, &r) : fail(st, bp_agent_detail(agent));
	}
	else if (strcmp(command, "lease") == 0)
	{
		st = bp_agent_lease(agent, product, subject_type, subject_id, NOW(), &r);
		rc = st == BP_AGENT_OK ? print_result(agent, &r) : fail(st, bp_agent_detail(agent));
	}
	else if (strcmp(command, "verify-file") == 0)
	{
		st = bp_agent_verify_file(agent, product, argv[optind + 1], NOW());
		if (st == BP_AGENT_OK)
		{
			printf("ok: %s is the artifact of the decision for %s\n", argv[optind + 1], product);
			rc = 0;
		}
		else
			rc = fail(st, bp_agent_detail(agent));
	}
	else
	{
		char	   *json = NULL;

		st = strcmp(command, "refresh-keys") == 0 ? bp_agent_refresh_keys(agent, NOW()) : BP_AGENT_OK;
		if (st == BP_AGENT_OK)
			st = bp_agent_status_json(agent, NOW(), &json);
		if (st == BP_AGENT_OK)
		{
			printf("%s\n", json);
			rc = 0;
		}
		else
			rc = fail(st, bp_agent_detail(agent));
		free(json);
	}
	bp_agent_result_free(&r);
	bp_agent_close(agent);
	return rc;
}
