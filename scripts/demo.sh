#!/bin/bash
# demo.sh - `make demo`: run examples/leaky.c under libleak and show the leaks.
#
# Builds examples/leaky.c with -O0 -g, runs it with LD_PRELOAD=libleak.so
# into a temporary directory (removed at the end), then shows the report of
# build/leakreport. When leakreport is missing or fails on the dump (exit 2),
# it prints the dump itself instead: each record with its stack, symbolized
# by addr2line. Exit 0 when a dump was shown, 1 when none was written, 2 when
# something needed is missing.
#
# Environment: LIBLEAK (default build/libleak.so), LEAKREPORT (default
# build/leakreport), CC (default gcc).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIBLEAK=${LIBLEAK:-$ROOT/build/libleak.so}
LEAKREPORT=${LEAKREPORT:-$ROOT/build/leakreport}
CC=${CC:-gcc}
unset DEBUGINFOD_URLS LEAK_QUIET LEAK_DEPTH LEAK_OUTPUT

if [ ! -r "$LIBLEAK" ]; then
	echo "demo: no $LIBLEAK; run make first" >&2
	exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/libleak-demo.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

# show_dump DUMP: print each record of DUMP with its stack, symbolized.
show_dump() {
	local dump=$1 stack class blocks bytes pc
	awk '$1 == "module" { print $2, $3, $4, $5, $7, $8 }' "$dump" >"$work/modules"
	echo "== $(basename "$dump"): $(awk '$1 == "stat" && $2 == "live_blocks" { print $3 }' "$dump") blocks," \
		"$(awk '$1 == "stat" && $2 == "live_bytes" { print $3 }' "$dump") bytes live at exit"
	awk '$1 == "rec" { print $2, $3, $4, $5 }' "$dump" | sort -k4,4nr |
	while read -r stack class blocks bytes; do
		echo
		echo "$bytes bytes in $blocks blocks ($class)"
		awk -v id="$stack" '$1 == "stack" && $2 == id { for (i = 4; i <= NF; i++) print $i }' "$dump" |
		while read -r pc; do
			echo "    $(symbolize "$pc")"
		done
	done
}

# symbolize PC: "function at file:line (module)" for return address PC, from
# the module whose lo..hi holds it, looking up PC - 1 - bias.
symbolize() {
	local pc=$((16#$1)) id bias lo hi state path where
	while read -r id bias lo hi state path; do
		if [ "$pc" -ge $((16#$lo)) ] && [ "$pc" -lt $((16#$hi)) ]; then
			where=$(addr2line -f -C -p -e "$path" "$(printf '%x' $((pc - 1 - 16#$bias)))" 2>/dev/null)
			printf '%s  [%s]\n' "${where:-??}" "$(basename "$path")"
			return
		fi
	done <"$work/modules"
	printf '0x%s  [?]\n' "$1"
}

echo "demo: building examples/leaky.c"
"$CC" -std=gnu11 -O0 -g -Wall -o "$work/leaky" "$ROOT/examples/leaky.c" || exit 2
echo "demo: running it under $LIBLEAK"
echo "----"
LD_PRELOAD=$LIBLEAK LEAK_OUTPUT=$work/leaky.%p.dump "$work/leaky"
echo "---- exit status $?"
dump=$(find "$work" -maxdepth 1 -name 'leaky.*.dump' | head -n 1)
if [ -z "$dump" ]; then
	echo "demo: the run wrote no dump" >&2
	exit 1
fi

if [ -x "$LEAKREPORT" ]; then
	echo "demo: $(basename "$LEAKREPORT") $(basename "$dump")"
	echo
	"$LEAKREPORT" "$dump"
	rc=$?
	# 0 and 1 are the gate's answers; 2 means the report itself failed.
	if [ "$rc" -le 1 ]; then
		echo
		echo "demo: leakreport exit status $rc (1: the leaks fail the default gate)"
		exit 0
	fi
	echo "demo: leakreport failed (exit $rc); listing the dump instead" >&2
else
	echo "demo: no $LEAKREPORT; listing the dump with addr2line"
fi
echo
show_dump "$dump"
exit 0
