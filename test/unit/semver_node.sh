#!/usr/bin/env bash
# SemVer ranges, ours (src/core/semver.c) against npm's node-semver, the
# reference our range syntax follows (docs/semver.md).  For every range below
# and every version below: whether the range parses, whether the version
# satisfies it, and the canonical comparator text must be node's.  The
# ranges node accepts and we refuse on purpose (docs/semver.md) are checked
# to still be exactly that.  node-semver is installed with npm into
# build/semver-node/ (needs the npm registry the first time).
# Last line: "semver-node: N passed, N failed" (one check per range).
set -uo pipefail
cd "$(dirname "$0")/../.."
node_semver_version=7.8.6
pkg=build/semver-node
passed=0 failed=0

tmp=$(mktemp -d /tmp/bigpicture-semver-node.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ "$(node -p "require('./$pkg/node_modules/semver/package.json').version" 2>/dev/null)" != "$node_semver_version" ]; then
	mkdir -p "$pkg"
	npm install --silent --no-audit --no-fund --no-save --prefix "$pkg" "semver@$node_semver_version" >"$tmp/npm.log" 2>&1 ||
		{ cat "$tmp/npm.log"; echo "semver-node: 0 passed, 1 failed"; exit 1; }
fi
${CC:-cc} -std=c99 -Wall -Wextra -Werror -Isrc/core -o "$tmp/ours" test/unit/semver_node.c src/core/semver.c ||
	{ echo "semver-node: 0 passed, 1 failed"; exit 1; }

# Ranges on which we agree with node, one a line (no tabs); refusals count.
cat >"$tmp/agree" <<'RANGES'

  
*
x
vx
v*
1.2.3
=1.2.3
v1.2.3
=v1.2.3
= v1.2.3
>= v1.2.3
v1.2.3+build
~v1.2.3
~>v1.2
~v1
^v1.2
^v1.2.3
^v0.0.3
^v0.1.2
>=v1.0.0 <v2
v1.2.3 - v2
v1 - v2.3
1.2.3 - v2.3.4
<=v1.2.3-rc.1
>v1.2
<v1
v1.x
v2 || v3.1
>=v2.0.0-beta.1 <v3
^1.2.3
~1.2.3
~=1.2.3
1.x || >=3
>=1.2.0 <2.0.0
1.2 - 2.3.4
>1.2.3-alpha
^1.2.3-beta.2
~1.2.3-beta.2
>=2.0.0-beta.1
<2.0.0
2.x.x
^0.0.1
^0.1.2
<=1.2
* || 1.2.3-beta
vv1.2.3
V1.2.3
v 1.2.3
v
>=v
1.2.3 - v
v1.02
=1.2.3 - 2
>==1.2.3
=>1.2.3
RANGES
# Ranges node accepts and we refuse, on purpose.
cat >"$tmp/differ" <<'RANGES'
^vv1.2
^=1.2.3
>==1.2
==1.2
1.2.3 ||
|| 1.2.3
||
RANGES
versions=(0.0.0 0.0.3 0.0.4 0.1.2 0.1.9 0.2.0 1.0.0 1.0.0-rc.1 1.1.9 1.2.0 1.2.2 1.2.3 1.2.3-alpha
	1.2.3-beta 1.2.3-beta.3 1.2.3-rc.1 1.2.3+build.1 1.2.4 1.2.9 1.3.0 1.3.0-alpha 1.9.9 2.0.0
	2.0.0-beta.1 2.0.0-beta.2 2.3.4 2.3.5 2.4.0 2.9.9 3.0.0 3.1.0 3.4.5 4.0.0)

pairs() { while IFS= read -r r; do for v in "${versions[@]}"; do printf '%s\t%s\n' "$r" "$v"; done; done <"$1"; }
for set in agree differ; do
	pairs "$tmp/$set" >"$tmp/$set.pairs"
	"$tmp/ours" <"$tmp/$set.pairs" >"$tmp/$set.ours" || { echo "semver-node: 0 passed, 1 failed"; exit 1; }
	node test/unit/semver_node.mjs "$pkg/node_modules/semver" "$tmp/$set.pairs" >"$tmp/$set.node" ||
		{ echo "semver-node: 0 passed, 1 failed"; exit 1; }
done

while IFS= read -r r; do
	ours=$(grep -F -- "$(printf '%s\t' "$r")" "$tmp/agree.ours" | awk -F'\t' -v r="$r" '$1 == r')
	node=$(grep -F -- "$(printf '%s\t' "$r")" "$tmp/agree.node" | awk -F'\t' -v r="$r" '$1 == r')
	if [ -n "$ours" ] && [ "$ours" = "$node" ]; then
		echo "ok - \"$r\": $(printf '%s\n' "$ours" | head -n 1 | cut -f3,5 | tr '\t' ' '), same on ${#versions[@]} versions"
		passed=$((passed + 1))
	else
		echo "not ok - \"$r\" differs from node-semver $node_semver_version (ours < > node):"
		diff <(printf '%s\n' "$ours") <(printf '%s\n' "$node") | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done <"$tmp/agree"

while IFS= read -r r; do
	ours=$(awk -F'\t' -v r="$r" '$1 == r { print $3 }' "$tmp/differ.ours" | sort -u)
	node=$(awk -F'\t' -v r="$r" '$1 == r { print $3 }' "$tmp/differ.node" | sort -u)
	if [ "$ours" = error ] && [ "$node" = ok ]; then
		echo "ok - \"$r\": refused by us on purpose, accepted by node-semver"
		passed=$((passed + 1))
	else
		echo "not ok - \"$r\": expected ours error and node ok, got ours $ours, node $node"
		failed=$((failed + 1))
	fi
done <"$tmp/differ"

echo "semver-node: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
