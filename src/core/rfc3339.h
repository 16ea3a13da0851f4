/*
 * rfc3339.h — RFC 3339 date-times, as every signed payload carries them
 * ("2026-11-26T17:00:00Z"), to and from Unix seconds, without locale or
 * time zone functions.  Pure C99, no allocation.
 */
#ifndef BP_RFC3339_H
#define BP_RFC3339_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

/* "YYYY-MM-DDTHH:MM:SSZ": what bp_rfc3339_format writes (no NUL counted). */
#define BP_RFC3339_LEN 20

/*
 * "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" to Unix seconds (fraction
 * truncated toward the earlier second).  'T' and 'Z' may be lower case; a
 * leap second :60 is accepted and counts as the next minute's :00.  false on
 * anything else, including impossible dates (2026-02-29) and trailing text.
 */
bool		bp_rfc3339_parse(const char *s, size_t len, int64_t *out);

/*
 * Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" into out (BP_RFC3339_LEN + 1 bytes,
 * NUL-terminated).  false for years outside 0000-9999.
 */
bool		bp_rfc3339_format(int64_t t, char out[BP_RFC3339_LEN + 1]);

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
int64_t		bp_days_from_civil(int64_t y, unsigned m, unsigned d);

#ifdef __cplusplus
}
#endif

#endif							/* BP_RFC3339_H */
