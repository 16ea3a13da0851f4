/*
 * semver_node.c — the C side of test/unit/semver_node.sh: for each line
 * "RANGE<TAB>VERSION" of stdin, print "RANGE<TAB>VERSION<TAB>ok<TAB>
 * satisfies<TAB>canonical" (satisfies is 1 or 0), or "...<TAB>error" when
 * the range does not parse, in the format semver_node.mjs prints for
 * node-semver, so that the two outputs can be compared line by line.
 */
#include <stdio.h>
#include <string.h>

#include "semver.h"

static char line[4 * BP_RANGE_MAX_LEN];
static char canonical[BP_RANGE_MAX_COMPARATORS * (BP_SEMVER_MAX_LEN + 8) + BP_RANGE_MAX_SETS * 8];

int
main(void)
{
	while (fgets(line, sizeof(line), stdin) != NULL)
	{
		size_t		len = strcspn(line, "\n");
		char	   *tab = memchr(line, '\t', len);
		bp_semver_range range;
		bp_semver	version;

		line[len] = '\0';
		if (tab == NULL)
		{
			fprintf(stderr, "semver_node: no tab in \"%s\"\n", line);
			return 2;
		}
		*tab = '\0';
		if (bp_semver_parse(tab + 1, strlen(tab + 1), &version) != BP_SEMVER_OK)
		{
			fprintf(stderr, "semver_node: bad version \"%s\"\n", tab + 1);
			return 2;
		}
		if (bp_semver_range_parse(line, (size_t) (tab - line), &range, NULL) != BP_RANGE_OK)
			printf("%s\t%s\terror\n", line, tab + 1);
		else
		{
			bp_semver_range_format(&range, canonical, sizeof(canonical));
			printf("%s\t%s\tok\t%d\t%s\n", line, tab + 1,
				   bp_semver_range_satisfies(&range, &version) ? 1 : 0, canonical);
		}
	}
	return 0;
}
