/*
 * test_base64url.c — strict unpadded base64url (RFC 4648 §5).
 */
#include <stdint.h>
#include <string.h>

#include "base64url.h"
#include "unit.h"

static const char alphabet[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Encode a C string, return NUL-terminated text in a static buffer. */
static const char *
enc(const char *s)
{
	static char out[256];
	size_t		n = 0;
	bp_b64url_status st;

	st = bp_b64url_encode((const uint8_t *) s, strlen(s), out, sizeof(out) - 1, &n);
	out[st == BP_B64URL_OK ? n : 0] = '\0';
	return st == BP_B64URL_OK ? out : "(error)";
}

static bp_b64url_status
dec(const char *s, uint8_t *out, size_t cap, size_t *n)
{
	return bp_b64url_decode(s, strlen(s), out, cap, n);
}

static void
test_rfc4648(void)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const coded[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	size_t		k;

	for (k = 0; k < 7; k++)
	{
		uint8_t		buf[16];
		size_t		n = 99;

		CHECK_STR_EQ(enc(plain[k]), coded[k]);
		CHECK_INT_EQ(bp_b64url_encoded_len(strlen(plain[k])), strlen(coded[k]));
		CHECK_INT_EQ(bp_b64url_decoded_len(strlen(coded[k])), strlen(plain[k]));
		CHECK_INT_EQ(dec(coded[k], buf, sizeof(buf), &n), BP_B64URL_OK);
		CHECK_INT_EQ(n, strlen(plain[k]));
		CHECK(memcmp(buf, plain[k], n) == 0);
	}
}

static void
test_url_alphabet(void)
{
	static const uint8_t bytes[] = {0xfb, 0xff, 0xbf};
	char		out[8];
	uint8_t		back[8];
	size_t		n;

	/* Standard base64 would give "+/+/"; base64url uses '-' and '_'. */
	CHECK_INT_EQ(bp_b64url_encode(bytes, 3, out, sizeof(out), &n), BP_B64URL_OK);
	CHECK_INT_EQ(n, 4);
	CHECK(memcmp(out, "-_-_", 4) == 0);
	CHECK_INT_EQ(bp_b64url_decode("-_-_", 4, back, sizeof(back), &n), BP_B64URL_OK);
	CHECK(n == 3 && memcmp(back, bytes, 3) == 0);
	CHECK_INT_EQ(dec("+/+/", back, sizeof(back), &n), BP_B64URL_BAD_CHAR);
}

static void
test_rejects(void)
{
	uint8_t		buf[16];
	size_t		n = 99;

	CHECK_INT_EQ(dec("Zg==", buf, sizeof(buf), &n), BP_B64URL_PADDING);
	CHECK_INT_EQ(n, 0);
	CHECK_INT_EQ(dec("Zg=", buf, sizeof(buf), &n), BP_B64URL_PADDING);
	CHECK_INT_EQ(dec("Zm8=", buf, sizeof(buf), &n), BP_B64URL_PADDING);
	CHECK_INT_EQ(dec("Zg=x", buf, sizeof(buf), &n), BP_B64URL_PADDING);
	CHECK_INT_EQ(dec("Z", buf, sizeof(buf), &n), BP_B64URL_BAD_LENGTH);
	CHECK_INT_EQ(dec("Zm9vY", buf, sizeof(buf), &n), BP_B64URL_BAD_LENGTH);
	CHECK_INT_EQ(dec("Zm 9", buf, sizeof(buf), &n), BP_B64URL_BAD_CHAR);
	CHECK_INT_EQ(dec("Zm9v\n", buf, sizeof(buf), &n), BP_B64URL_BAD_LENGTH);
	CHECK_INT_EQ(dec("Zm9\n", buf, sizeof(buf), &n), BP_B64URL_BAD_CHAR);
	CHECK_INT_EQ(bp_b64url_decode("Zm\0v", 4, buf, sizeof(buf), &n), BP_B64URL_BAD_CHAR);
	CHECK_INT_EQ(dec("Zm\xc3\xa9", buf, sizeof(buf), &n), BP_B64URL_BAD_CHAR);
	/* Unused low bits set: "Zh" and "Zm9" are the only-bit-flipped "Zg", "Zm8". */
	CHECK_INT_EQ(dec("Zh", buf, sizeof(buf), &n), BP_B64URL_NONCANONICAL);
	CHECK_INT_EQ(dec("Zv", buf, sizeof(buf), &n), BP_B64URL_NONCANONICAL);
	CHECK_INT_EQ(dec("Zm9", buf, sizeof(buf), &n), BP_B64URL_NONCANONICAL);
	CHECK_INT_EQ(dec("Zm-", buf, sizeof(buf), &n), BP_B64URL_NONCANONICAL);
	CHECK_INT_EQ(dec("Zm9vZm9vYh", buf, sizeof(buf), &n), BP_B64URL_NONCANONICAL);
}

static void
test_buffers(void)
{
	uint8_t		buf[8];
	char		out[8];
	size_t		n = 99;

	memset(buf, 0xAA, sizeof(buf));
	CHECK_INT_EQ(dec("Zm9vYmFy", buf, 5, &n), BP_B64URL_BUFFER_TOO_SMALL);
	CHECK_INT_EQ(n, 0);
	CHECK(buf[0] == 0xAA);		/* nothing written on error */
	CHECK_INT_EQ(dec("Zm9vYmFy", buf, 6, &n), BP_B64URL_OK);
	CHECK_INT_EQ(n, 6);
	CHECK_INT_EQ(bp_b64url_encode((const uint8_t *) "foo", 3, out, 3, &n),
				 BP_B64URL_BUFFER_TOO_SMALL);
	CHECK_INT_EQ(bp_b64url_encode((const uint8_t *) "foo", 3, out, 4, NULL), BP_B64URL_OK);
	/* Validate-only mode. */
	CHECK_INT_EQ(dec("Zm9vYmE", NULL, 0, &n), BP_B64URL_OK);
	CHECK_INT_EQ(n, 5);
	CHECK_INT_EQ(dec("Zm9vYmF", NULL, 0, &n), BP_B64URL_NONCANONICAL);
	/* Size arithmetic saturates instead of wrapping. */
	CHECK(bp_b64url_encoded_len(SIZE_MAX) == SIZE_MAX);
	CHECK(bp_b64url_encoded_len(SIZE_MAX / 4 * 3) == SIZE_MAX / 4 * 4);
}

/* Every 2- and 3-character text: accepted exactly when canonical. */
static void
test_exhaustive_tails(void)
{
	char		s[3];
	uint8_t		buf[4];
	char		back[4];
	size_t		n;
	size_t		m;
	int			a,
				b,
				c;
	long		accepted2 = 0,
				accepted3 = 0,
				wrong = 0;

	for (a = 0; a < 64; a++)
		for (b = 0; b < 64; b++)
		{
			s[0] = alphabet[a];
			s[1] = alphabet[b];
			if (bp_b64url_decode(s, 2, buf, sizeof(buf), &n) == BP_B64URL_OK)
			{
				accepted2++;
				bp_b64url_encode(buf, n, back, sizeof(back), &m);
				if (n != 1 || m != 2 || memcmp(back, s, 2) != 0)
					wrong++;
			}
			else if ((b & 0x0F) == 0)
				wrong++;
			for (c = 0; c < 64; c++)
			{
				s[2] = alphabet[c];
				if (bp_b64url_decode(s, 3, buf, sizeof(buf), &n) == BP_B64URL_OK)
				{
					accepted3++;
					bp_b64url_encode(buf, n, back, sizeof(back), &m);
					if (n != 2 || m != 3 || memcmp(back, s, 3) != 0)
						wrong++;
				}
				else if ((c & 0x03) == 0)
					wrong++;
			}
		}
	CHECK_INT_EQ(accepted2, 256);
	CHECK_INT_EQ(accepted3, 65536);
	CHECK_INT_EQ(wrong, 0);
}

/* Every byte value in every position of a group: alphabet only. */
static void
test_every_char(void)
{
	char		s[4] = {'A', 'A', 'A', 'A'};
	uint8_t		buf[3];
	int			ch,
				pos;
	long		wrong = 0;

	for (pos = 0; pos < 4; pos++)
		for (ch = 0; ch < 256; ch++)
		{
			bool		in_alpha = ch != 0 && memchr(alphabet, ch, 64) != NULL;
			bp_b64url_status st;
			bp_b64url_status want;

			s[pos] = (char) ch;
			st = bp_b64url_decode(s, 4, buf, sizeof(buf), NULL);
			want = in_alpha ? BP_B64URL_OK : ch == '=' ? BP_B64URL_PADDING : BP_B64URL_BAD_CHAR;
			if (st != want)
				wrong++;
			s[pos] = 'A';
		}
	CHECK_INT_EQ(wrong, 0);
}

/* Round trip of every length 0..100 over varied bytes. */
static void
test_round_trip(void)
{
	uint8_t		in[100];
	uint8_t		back[100];
	char		text[140];
	size_t		len,
				n,
				m;
	long		wrong = 0;

	for (len = 0; len < sizeof(in); len++)
		in[len] = (uint8_t) (len * 151 + 7);
	for (len = 0; len <= sizeof(in); len++)
	{
		if (bp_b64url_encode(in, len, text, sizeof(text), &n) != BP_B64URL_OK ||
			n != bp_b64url_encoded_len(len) ||
			bp_b64url_decode(text, n, back, sizeof(back), &m) != BP_B64URL_OK ||
			m != len || memcmp(in, back, len) != 0)
			wrong++;
	}
	CHECK_INT_EQ(wrong, 0);
}

static void
test_strerror(void)
{
	int			s;

	for (s = BP_B64URL_OK; s <= BP_B64URL_NONCANONICAL; s++)
	{
		const char *msg = bp_b64url_strerror((bp_b64url_status) s);

		CHECK(msg[0] >= 'A' && msg[0] <= 'Z' && msg[strlen(msg) - 1] == '.');
	}
}

/* The table decoder for public text agrees with the constant-time one: every character in every position of a group. */
static void
test_public_decoder_agrees(void)
{
	for (int c = 0; c < 256; c++)
		for (int pos = 0; pos < 4; pos++)
		{
			char		text[4] = {'Q', 'Q', 'Q', 'Q'};
			uint8_t		a[3] = {0},
						b[3] = {0};
			size_t		na = 99,
						nb = 99;

			text[pos] = (char) c;
			CHECK_INT_EQ(bp_b64url_decode_public(text, 4, a, 3, &na), bp_b64url_decode(text, 4, b, 3, &nb));
			CHECK(na == nb && memcmp(a, b, 3) == 0);
			/* and a two- and three-character tail */
			CHECK_INT_EQ(bp_b64url_decode_public(text, (size_t) (pos < 2 ? 2 : 3), a, 3, &na),
						 bp_b64url_decode(text, (size_t) (pos < 2 ? 2 : 3), b, 3, &nb));
			CHECK(na == nb && memcmp(a, b, 3) == 0);
		}
}

int
main(void)
{
	test_rfc4648();
	test_url_alphabet();
	test_rejects();
	test_buffers();
	test_exhaustive_tails();
	test_every_char();
	test_round_trip();
	test_strerror();
	test_public_decoder_agrees();
	return unit_summary("base64url");
}
