/*
 * fuzz.h — shared by the libFuzzer harnesses in test/fuzz (and by
 * gen_seeds.c, which writes the structure-aware seeds with the same keys).
 *
 * Harnesses check properties, not just "does not crash": a property that
 * fails calls FUZZ_ASSERT, which prints the condition and aborts, and
 * libFuzzer saves the input as a crash.  Every piece of the input a
 * harness hands to the code under test is first copied into its own heap
 * block of exactly its length, so AddressSanitizer sees a read past it.
 *
 * Header-only, test-only.
 */
#ifndef BP_FUZZ_H
#define BP_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ASSERT(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

#define FUZZ_ASSERT_MSG(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "%s:%d: property failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

/* malloc that never returns NULL (a fuzz run cannot go on without memory). */
static inline void *
fuzz_malloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	return p;
}

/* A heap copy of data[0, n) in a block of exactly n bytes. */
static inline char *
fuzz_dup(const void *data, size_t n)
{
	char	   *p = fuzz_malloc(n);

	if (n > 0)
		memcpy(p, data, n);
	return p;
}

/* The same, NUL-terminated (n + 1 bytes), for APIs that take C strings. */
static inline char *
fuzz_dupz(const void *data, size_t n)
{
	char	   *p = fuzz_malloc(n + 1);

	if (n > 0)
		memcpy(p, data, n);
	p[n] = '\0';
	return p;
}

/*
 * Split data[0, n) at the first sep: *head_len is the part before it, and
 * *tail / *tail_len the part after it (NULL / 0 when there is no sep).
 */
static inline void
fuzz_split(const uint8_t *data, size_t n, uint8_t sep,
		   size_t *head_len, const uint8_t **tail, size_t *tail_len)
{
	const uint8_t *at = n > 0 ? memchr(data, sep, n) : NULL;

	if (at == NULL)
	{
		*head_len = n;
		*tail = NULL;
		*tail_len = 0;
		return;
	}
	*head_len = (size_t) (at - data);
	*tail = at + 1;
	*tail_len = n - *head_len - 1;
}

static inline int
fuzz_hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Lower-case hex to bytes (for keys written in the harnesses). */
static inline void
fuzz_unhex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		int			hi = fuzz_hex_nibble(hex[2 * i]);
		int			lo = fuzz_hex_nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			abort();
		out[i] = (uint8_t) (hi << 4 | lo);
	}
}

/*
 * The official PASETO v4.public vector key pair (4-S-1 .. 4-S-3), so the
 * official tokens in the seed corpus verify.
 */
#define FUZZ_VECTOR_SK "b4cbfb43df4ce210727d953e4a713307fa19bb7d9f85041438d9e11b942a3774" \
	"1eb9dbbbbc047c03fd70604e0071f0987e16b28b757225c11f00415d0e20b1a2"
#define FUZZ_VECTOR_PK "1eb9dbbbbc047c03fd70604e0071f0987e16b28b757225c11f00415d0e20b1a2"

#endif							/* BP_FUZZ_H */
