/*
 * unit.h — a minimal assertion harness for the C unit tests of src/core.
 *
 * Each test_*.c is its own program: it includes this header once, calls the
 * CHECK macros, and returns unit_summary("name") from main().  The summary line
 * "name: N passed, N failed" is what the test driver reads and adds up.
 */
#ifndef BP_UNIT_H
#define BP_UNIT_H

#include <stdio.h>
#include <string.h>

static int	unit_passed;
static int	unit_failed;

#define CHECK_MSG(cond, ...) \
	do { \
		if (cond) \
			unit_passed++; \
		else \
		{ \
			unit_failed++; \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
		} \
	} while (0)

#define CHECK(cond) CHECK_MSG((cond), "%s", #cond)

#define CHECK_INT_EQ(got, want) \
	do { \
		long long unit_g_ = (long long) (got), unit_w_ = (long long) (want); \
		CHECK_MSG(unit_g_ == unit_w_, "%s == %lld, expected %lld", #got, unit_g_, unit_w_); \
	} while (0)

#define CHECK_STR_EQ(got, want) \
	do { \
		const char *unit_g_ = (got), *unit_w_ = (want); \
		CHECK_MSG(unit_g_ != NULL && strcmp(unit_g_, unit_w_) == 0, \
				  "%s == \"%s\", expected \"%s\"", #got, unit_g_ ? unit_g_ : "(null)", unit_w_); \
	} while (0)

static inline int
unit_summary(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed == 0 && unit_passed > 0 ? 0 : 1;
}

#endif							/* BP_UNIT_H */
