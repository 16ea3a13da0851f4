/*
 * update_cycle.c — the whole update-check cycle of a desktop app with the
 * agent of libbigpicture-client (agent.h): ask, verify, keep, fall back,
 * and check the download before installing it.
 *
 *   cc update_cycle.c $(pkg-config --cflags --libs bigpicture-client) -o update_cycle
 *   ./update_cycle URL STATE_DIR ROOT_KEY INSTALL_ID JWT PRODUCT VERSION [DOWNLOADED_FILE]
 *
 * It prints what to do and where the answer came from; with a downloaded
 * file, whether it is the artifact the signed decision names.  Exit 0 when
 * there is a verified answer (from the service or, offline, the cache).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include <bigpicture/agent.h>

int
main(int argc, char **argv)
{
	const char *roots[1];
	bp_agent_options o = {0};
	bp_agent   *agent;
	bp_agent_result r;
	bp_agent_status st;
	char		detail[256];

	if (argc < 8 || argc > 9 || sodium_init() < 0)
	{
		fprintf(stderr, "usage: update_cycle URL STATE_DIR ROOT_KEY INSTALL_ID JWT PRODUCT VERSION [FILE]\n");
		return 2;
	}
	roots[0] = argv[3];
	o.service_url = argv[1];
	o.state_dir = argv[2];		/* the app's own directory, e.g. ~/.local/state/acme-editor */
	o.roots = roots;			/* the vendor's root key, shipped inside the app */
	o.n_roots = 1;
	o.install_id = argv[4];
	o.access_token = argv[5];
	o.platform = "linux";
	o.arch = "x86_64";
	o.timeout_ms = 2000;		/* start-up never waits longer than this for the service */

	st = bp_agent_open(&o, (int64_t) time(NULL), &agent, detail, sizeof(detail));
	if (st != BP_AGENT_OK)
	{
		fprintf(stderr, "cannot open the agent: %s: %s\n", bp_agent_status_name(st), detail);
		return 1;
	}
	st = bp_agent_check(agent, argv[6], argv[7], NULL, (int64_t) time(NULL), &r);
	if (st != BP_AGENT_OK)
	{
		/* nothing verified: run the installed version, ask again later */
		fprintf(stderr, "no answer: %s: %s\n", bp_agent_status_name(st), bp_agent_detail(agent));
		bp_agent_close(agent);
		return 1;
	}
	/* r.payload is the verified decision: act on it alone */
	printf("decision (%s): %.*s\n", r.source == BP_AGENT_FROM_CACHE ? "from the cache" : "from the service",
		   (int) r.payload_len, r.payload);
	if (argc == 9)
	{
		st = bp_agent_check_artifact(r.payload, r.payload_len, argv[8], detail, sizeof(detail));
		printf("download: %s%s%s\n", bp_agent_status_name(st), st == BP_AGENT_OK ? "" : ": ",
			   st == BP_AGENT_OK ? "" : detail);
	}
	bp_agent_result_free(&r);
	bp_agent_close(agent);
	return 0;
}
