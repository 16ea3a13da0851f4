/*
 * test_standard_webhooks.c — the Standard Webhooks signature against the
 * example of the specification (and its reference libraries' tests).
 */
#include <string.h>

#include <sodium.h>

#include "standard_webhooks.h"
#include "unit.h"

static void
test_spec_example(void)
{
	char		sig[BP_SWH_SIGNATURE_LEN + 1];
	const char *body = "{\"test\": 2432232314}";

	CHECK_INT_EQ(bp_swh_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
							 body, strlen(body), sig), BP_SWH_OK);
	CHECK_STR_EQ(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	/* the prefix is optional */
	CHECK_INT_EQ(bp_swh_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
							 body, strlen(body), sig), BP_SWH_OK);
	CHECK_STR_EQ(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
	/* every part is signed */
	CHECK_INT_EQ(bp_swh_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331,
							 body, strlen(body), sig), BP_SWH_OK);
	CHECK(strcmp(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") != 0);
	CHECK_INT_EQ(bp_swh_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJeK", 1614265330,
							 body, strlen(body), sig), BP_SWH_OK);
	CHECK(strcmp(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") != 0);
	CHECK_INT_EQ(bp_swh_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
							 body, strlen(body) - 1, sig), BP_SWH_OK);
	CHECK(strcmp(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") != 0);
}

static void
test_bad_input(void)
{
	char		sig[BP_SWH_SIGNATURE_LEN + 1];

	CHECK_INT_EQ(bp_swh_sign("whsec_not base64!", "m", 1, "x", 1, sig), BP_SWH_BAD_SECRET);
	CHECK_INT_EQ(bp_swh_sign("whsec_", "m", 1, "x", 1, sig), BP_SWH_BAD_SECRET);
	/* more than 64 bytes */
	{
		unsigned char big[65];
		char		text[6 + sodium_base64_ENCODED_LEN(65, sodium_base64_VARIANT_ORIGINAL)];

		memset(big, 'A', sizeof(big));
		memcpy(text, "whsec_", 6);
		sodium_bin2base64(text + 6, sizeof(text) - 6, big, sizeof(big), sodium_base64_VARIANT_ORIGINAL);
		CHECK_INT_EQ(bp_swh_sign(text, "m", 1, "x", 1, sig), BP_SWH_BAD_SECRET);
		sodium_bin2base64(text + 6, sizeof(text) - 6, big, 64, sodium_base64_VARIANT_ORIGINAL);
		CHECK_INT_EQ(bp_swh_sign(text, "m", 1, "x", 1, sig), BP_SWH_OK);
	}
	CHECK_INT_EQ(bp_swh_sign(NULL, "m", 1, "x", 1, sig), BP_SWH_BAD_ARGUMENT);
	CHECK_INT_EQ(bp_swh_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", NULL, 1, "x", 1, sig), BP_SWH_BAD_ARGUMENT);
	/* an empty body is a body */
	CHECK_INT_EQ(bp_swh_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, NULL, 0, sig), BP_SWH_OK);
	CHECK_INT_EQ((int) strlen(sig), BP_SWH_SIGNATURE_LEN);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_spec_example();
	test_bad_input();
	return unit_summary("standard_webhooks");
}
