/*
 * fuzz_semver_range.c — bp_semver_range_parse and what uses a parsed range:
 * satisfies, covers, is_empty, format.
 *
 * Input: a range, then optionally '\n' and versions, one per line.
 * Properties:
 *   - on error: error_pos is within the text, the range is left empty;
 *   - on success: the structure is sound (sets, set_end monotonic and
 *     within the limits, comparator versions with no build metadata);
 *   - format is snprintf-like and canonical: when the canonical text is
 *     within BP_RANGE_MAX_LEN it parses again to the same text, and the
 *     reparsed range matches the same versions;
 *   - satisfies implies covers (the prerelease rule only removes);
 *   - is_empty means nothing is covered: checked on the versions given
 *     and on every comparator's own version;
 *   - a range that is one plain version covers and satisfies it;
 *   - a version line that parses as a version parses as a range too.
 */
#include <stdint.h>
#include <string.h>

#include "semver.h"
#include "fuzz.h"

#define MAX_VERSIONS 8
#define FORMAT_CAP (BP_RANGE_MAX_COMPARATORS * (BP_SEMVER_MAX_LEN + 8) + BP_RANGE_MAX_SETS * 8)

static char fmt1[FORMAT_CAP];
static char fmt2[FORMAT_CAP];

static void
check_structure(const bp_semver_range *r)
{
	size_t		start = 0;

	FUZZ_ASSERT(r->n_sets >= 1 && r->n_sets <= BP_RANGE_MAX_SETS);
	FUZZ_ASSERT(r->n_comparators <= BP_RANGE_MAX_COMPARATORS);
	for (size_t i = 0; i < r->n_sets; i++)
	{
		FUZZ_ASSERT(r->set_end[i] >= start);
		start = r->set_end[i];
	}
	FUZZ_ASSERT(start == r->n_comparators);
	for (size_t j = 0; j < r->n_comparators; j++)
	{
		const bp_comparator *c = &r->comparators[j];

		FUZZ_ASSERT(c->op >= BP_OP_EQ && c->op <= BP_OP_GE);
		FUZZ_ASSERT(c->version.build_len == 0);
		FUZZ_ASSERT(c->version.pre_len == 0 || c->version.pre != NULL);
	}
}

static void
check_version_against(const bp_semver_range *r, const bp_semver_range *again,
					  const bp_semver *v, bool empty)
{
	bool		covers = bp_semver_range_covers(r, v);
	bool		satisfies = bp_semver_range_satisfies(r, v);

	FUZZ_ASSERT(!satisfies || covers);
	FUZZ_ASSERT(!empty || !covers);
	if (again != NULL)
	{
		FUZZ_ASSERT(bp_semver_range_covers(again, v) == covers);
		FUZZ_ASSERT(bp_semver_range_satisfies(again, v) == satisfies);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		range_len;
	const uint8_t *rest;
	size_t		rest_len;
	char	   *text;
	static bp_semver_range r;
	static bp_semver_range again;
	bool		have_again = false;
	size_t		err = (size_t) -1;
	bp_range_status st;
	bp_semver	as_version;
	char	   *lines[MAX_VERSIONS];
	size_t		n_lines = 0;
	bp_semver	versions[MAX_VERSIONS];
	bool		version_ok[MAX_VERSIONS];

	fuzz_split(data, size, '\n', &range_len, &rest, &rest_len);
	text = fuzz_dup(data, range_len);
	memset(&r, 0xA5, sizeof(r));
	st = bp_semver_range_parse(text, range_len, &r, &err);
	FUZZ_ASSERT(bp_semver_range_strerror(st) != NULL);

	/* the versions, parsed whatever the range did */
	while (rest != NULL && n_lines < MAX_VERSIONS)
	{
		size_t		head;
		const uint8_t *tail;
		size_t		tail_len;

		fuzz_split(rest, rest_len, '\n', &head, &tail, &tail_len);
		lines[n_lines] = fuzz_dup(rest, head);
		version_ok[n_lines] = bp_semver_parse(lines[n_lines], head, &versions[n_lines]) == BP_SEMVER_OK;
		if (version_ok[n_lines])
		{
			/* a version is a range ("=v") */
			static bp_semver_range single;

			FUZZ_ASSERT(bp_semver_range_parse(lines[n_lines], head, &single, NULL) == BP_RANGE_OK);
			FUZZ_ASSERT(bp_semver_range_covers(&single, &versions[n_lines]));
			FUZZ_ASSERT(bp_semver_range_satisfies(&single, &versions[n_lines]));
		}
		n_lines++;
		rest = tail;
		rest_len = tail_len;
	}

	if (st != BP_RANGE_OK)
	{
		FUZZ_ASSERT(err <= range_len || (st == BP_RANGE_TOO_LONG && err == BP_RANGE_MAX_LEN));
		FUZZ_ASSERT(r.n_sets == 0 && r.n_comparators == 0);
		goto out;
	}
	check_structure(&r);

	{
		size_t		len = bp_semver_range_format(&r, fmt1, sizeof(fmt1));

		FUZZ_ASSERT(len < sizeof(fmt1) && strlen(fmt1) == len && len > 0);
		/* snprintf-like at a few capacities */
		for (size_t cap = 0; cap <= len + 1; cap += 1 + cap / 2)
		{
			char	   *small = cap ? fuzz_malloc(cap) : NULL;

			FUZZ_ASSERT(bp_semver_range_format(&r, small, cap) == len);
			if (cap > 0)
			{
				size_t		kept = cap - 1 < len ? cap - 1 : len;

				FUZZ_ASSERT(memcmp(small, fmt1, kept) == 0 && small[kept] == '\0');
			}
			free(small);
		}
		/* canonical text is a fixed point */
		if (len <= BP_RANGE_MAX_LEN)
		{
			char	   *copy = fuzz_dup(fmt1, len);
			size_t		err2 = 0;
			bp_range_status st2 = bp_semver_range_parse(copy, len, &again, &err2);

			FUZZ_ASSERT_MSG(st2 == BP_RANGE_OK, "canonical \"%s\" of \"%.*s\" does not parse: %s at %zu",
							fmt1, (int) range_len, text, bp_semver_range_strerror(st2), err2);
			check_structure(&again);
			bp_semver_range_format(&again, fmt2, sizeof(fmt2));
			FUZZ_ASSERT_MSG(strcmp(fmt1, fmt2) == 0, "\"%.*s\" -> \"%s\" -> \"%s\"",
							(int) range_len, text, fmt1, fmt2);
			FUZZ_ASSERT(bp_semver_range_is_empty(&again) == bp_semver_range_is_empty(&r));
			have_again = true;
			/* "again" points into copy, which must live while it is used */
			{
				bool		empty = bp_semver_range_is_empty(&r);

				for (size_t i = 0; i < n_lines; i++)
					if (version_ok[i])
						check_version_against(&r, &again, &versions[i], empty);
				for (size_t j = 0; j < r.n_comparators; j++)
					check_version_against(&r, &again, &r.comparators[j].version, empty);
			}
			free(copy);
		}
	}

	if (!have_again)
	{
		bool		empty = bp_semver_range_is_empty(&r);

		for (size_t i = 0; i < n_lines; i++)
			if (version_ok[i])
				check_version_against(&r, NULL, &versions[i], empty);
		for (size_t j = 0; j < r.n_comparators; j++)
			check_version_against(&r, NULL, &r.comparators[j].version, empty);
	}

	/* a range that is exactly one version matches it */
	if (bp_semver_parse(text, range_len, &as_version) == BP_SEMVER_OK)
	{
		FUZZ_ASSERT(bp_semver_range_covers(&r, &as_version));
		FUZZ_ASSERT(bp_semver_range_satisfies(&r, &as_version));
	}

out:
	for (size_t i = 0; i < n_lines; i++)
		free(lines[i]);
	free(text);
	return 0;
}
