// update_cycle.cc — the update-check cycle from C++17 with libbigpicture-client's
// agent, bringing its own transport: here it wraps the library's libcurl one
// and counts the requests, where an application would use its HTTP stack
// (proxy settings, certificate store) instead.
//
//   c++ -std=c++17 update_cycle.cc $(pkg-config --cflags --libs bigpicture-client) -o update_cycle_cxx
//   ./update_cycle_cxx URL STATE_DIR ROOT_KEY INSTALL_ID JWT PRODUCT VERSION
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include <sodium.h>

#include <bigpicture/agent.h>

namespace
{
struct AgentCloser
{
	void operator()(bp_agent *a) const { bp_agent_close(a); }
};
using Agent = std::unique_ptr<bp_agent, AgentCloser>;

struct Result : bp_agent_result
{
	Result() : bp_agent_result() {}
	~Result() { bp_agent_result_free(this); }
	Result(const Result &) = delete;
	Result &operator=(const Result &) = delete;
};

int requests = 0;

// The transport callback: any HTTP client will do, as long as it fills the response
// (body malloc'ed) and returns non-zero when there is no answer at all.
int counting_transport(void *, const bp_agent_request *req, bp_agent_response *resp)
{
	++requests;
	return bp_agent_curl_transport(nullptr, req, resp);
}

int64_t now() { return static_cast<int64_t>(std::time(nullptr)); }
}

int main(int argc, char **argv)
{
	if (argc != 8 || sodium_init() < 0)
	{
		std::fprintf(stderr, "usage: update_cycle_cxx URL STATE_DIR ROOT_KEY INSTALL_ID JWT PRODUCT VERSION\n");
		return 2;
	}
	const char *roots[] = {argv[3]};
	bp_agent_options o{};
	o.service_url = argv[1];
	o.state_dir = argv[2];
	o.roots = roots;
	o.n_roots = 1;
	o.install_id = argv[4];
	o.access_token = argv[5];
	o.platform = "linux";
	o.arch = "x86_64";
	o.timeout_ms = 2000;
	o.transport = counting_transport;

	bp_agent *raw = nullptr;
	char detail[256];
	bp_agent_status st = bp_agent_open(&o, now(), &raw, detail, sizeof detail);
	if (st != BP_AGENT_OK)
	{
		std::fprintf(stderr, "cannot open the agent: %s: %s\n", bp_agent_status_name(st), detail);
		return 1;
	}
	Agent agent(raw);
	Result r;
	st = bp_agent_check(agent.get(), argv[6], argv[7], nullptr, now(), &r);
	if (st != BP_AGENT_OK)
	{
		std::fprintf(stderr, "no answer: %s: %s\n", bp_agent_status_name(st), bp_agent_detail(agent.get()));
		return 1;
	}
	std::string payload(r.payload, r.payload_len);
	std::printf("decision (%s, %d requests): %s\n", r.source == BP_AGENT_FROM_CACHE ? "from the cache" : "from the service",
				requests, payload.c_str());
	return 0;
}
