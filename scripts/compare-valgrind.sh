#!/bin/bash
# compare-valgrind.sh - run programs nobody here wrote under Valgrind memcheck
# and under libleak.so, and print a markdown table of both tools' leak classes.
#
# Usage: scripts/compare-valgrind.sh [-k DIR]
#   -k DIR   keep the logs and dumps in DIR (default: a temporary directory,
#            removed at the end)
#
# The programs: Debian's /usr/bin/python3 -c pass (not a pyenv shim),
# git --version, sqlite3 :memory: 'select 1;', perl -e 1, and
# tests/e2e/progs/reach_cxx_real.cc (iostream, std::string, std::map).
# Each runs once under `valgrind --leak-check=full --show-leak-kinds=all`
# (classes from its loss records, checked against its LEAK SUMMARY) and once
# under LD_PRELOAD=libleak.so (classes summed over the dump's rec lines).
# The parsers are those of tests/e2e/cases/reach_valgrind.sh, sourced.
#
# Table cells are "blocks/bytes". "agree" compares definite and indirect
# exactly, then possible and reachable; "ld.so" is how many of our reachable
# blocks the dynamic loader allocated (policy: reachable; Valgrind calls a
# live thread's DTV possibly lost). docs/valgrind-comparison.md explains the
# differences.
#
# Missing tools are installed with scripts/deps.sh --bench (as root), which
# otherwise prints the apt-get command; then this script exits 2.
# Environment: LIBLEAK (default build/libleak.so), CXX (default g++).
# Exit status: 0 table printed (whether or not the tools agree), 2 trouble.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIBLEAK=${LIBLEAK:-$ROOT/build/libleak.so}
case "$LIBLEAK" in /*) ;; *) LIBLEAK=$ROOT/$LIBLEAK ;; esac
CXX=${CXX:-g++}
KEEP=

die() {
	echo "compare-valgrind: $*" >&2
	exit 2
}

while getopts k: opt; do
	case "$opt" in
	k) KEEP=$OPTARG ;;
	*) echo "usage: scripts/compare-valgrind.sh [-k DIR]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { echo "usage: scripts/compare-valgrind.sh [-k DIR]" >&2; exit 2; }

[ -r "$LIBLEAK" ] || die "no preload library at $LIBLEAK (run make build/libleak.so)"
for tool in valgrind git sqlite3 perl /usr/bin/python3 "$CXX"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		"$ROOT/scripts/deps.sh" --bench || die "install the packages above, then run again"
		command -v "$tool" >/dev/null 2>&1 || die "$tool is still missing"
	fi
done

if [ -n "$KEEP" ]; then
	mkdir -p "$KEEP" || die "cannot create $KEEP"
	W=$(cd "$KEEP" && pwd)
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/compare-valgrind.XXXXXX") || die "cannot create a work directory"
	trap 'rm -rf "$W"' EXIT
fi
unset LD_PRELOAD LEAK_OUTPUT LEAK_DEPTH LEAK_QUIET DEBUGINFOD_URLS
# The programs keep the caller's locale: perl, for one, leaks newlocale() blocks
# under LANG=C.UTF-8 that it does not allocate under LC_ALL=C.

# The parsers (vg_records, vg_summary, our_records, class_sum) and the
# valgrind options. The case file only defines functions and variables.
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
# shellcheck source=../tests/e2e/cases/reach_valgrind.sh
. "$ROOT/tests/e2e/cases/reach_valgrind.sh" >/dev/null

CXX_PROG=$W/reach_cxx_real
"$CXX" -g -O0 -Wall -o "$CXX_PROG" "$ROOT/tests/e2e/progs/reach_cxx_real.cc" >"$W/cxx.log" 2>&1 ||
	die "cannot compile reach_cxx_real.cc: $(head -n 3 "$W/cxx.log" | tr '\n' ' ')"

# cell RECORDS CLASS LOADER...: "blocks/bytes" over the given loader flags.
cell() {
	local recs=$1 c=$2 b=0 n=0 x y l
	shift 2
	for l in "$@"; do
		read -r x y <<<"$(class_sum "$recs" "$c" "$l")"
		b=$((b + x))
		n=$((n + y))
	done
	printf '%s/%s' "$b" "$n"
}

# vg_log SLUG TAG EXTRA_OPTS CMD...: run CMD under memcheck with the
# options of the e2e cases plus EXTRA_OPTS (one word, may be empty); its log
# goes to $W/SLUG/TAG.log.
vg_log() {
	local slug=$1 tag=$2 extra=$3
	shift 3
	(cd "$W/$slug" && LEAK_OUTPUT="$W/$slug/leak.%p.dump" timeout -k 5 "$RUN_TIMEOUT" \
		valgrind "${REACH_VG_OPTS[@]}" $extra \
		--log-file="$W/$slug/$tag.log" "$@" >"$W/$slug/$tag.out" 2>"$W/$slug/$tag.err") ||
		die "$* under valgrind ($tag) failed: $(tail -n 2 "$W/$slug/$tag.err" | tr '\n' ' ')"
	vg_records "$W/$slug/$tag.log" >"$W/$slug/$tag.records"
	[ "$(for c in $REACH_CLASSES; do printf '%s %s\n' "$c" "$(cell "$(cat "$W/$slug/$tag.records")" "$c" 0 1 | tr / ' ')"; done)" = \
		"$(vg_summary "$W/$slug/$tag.log")" ] || die "$*: valgrind's loss records do not add up to its summary"
}

# The variables valgrind's launcher (Debian's /usr/bin/valgrind wrapper)
# adds to the client's environment, LD_PRELOAD aside: the libleak run gets
# them too, and the valgrind runs get LEAK_OUTPUT, so that both programs see
# the same environment but for LD_PRELOAD's value (perl copies %ENV into
# blocks of its own; setenv sizes environ by the number of variables).
VG_ENV=()
while IFS= read -r line; do
	VG_ENV+=("$line")
done < <(comm -13 <(env -0 | tr '\n\0' '\001\n' | sort) \
	<(valgrind -q /usr/bin/env -0 2>/dev/null | tr '\n\0' '\001\n' | sort) |
	grep -v '^LD_PRELOAD=' | tr '\001' '\n')

# row NAME VG_RECORDS OUR_RECORDS: one table row.
row() {
	local name=$1 vg=$2 ours=$3 line c v o agree=
	line="| \`$name\` |"
	for c in $REACH_CLASSES; do
		line="$line $(cell "$vg" "$c" 0 1) |"
	done
	for c in $REACH_CLASSES; do
		line="$line $(cell "$ours" "$c" 0 1) |"
	done
	line="$line $(cell "$ours" reachable 1) |"
	for c in $REACH_CLASSES; do
		v=$(cell "$vg" "$c" 0 1)
		o=$(cell "$ours" "$c" 0 1)
		[ "$v" = "$o" ] || agree="$agree $c"
	done
	printf '%s %s |\n' "$line" "${agree:+no:}${agree:-yes}"
}

ROWS_DEFAULT=
ROWS_NOFREERES=

# compare NAME CMD...: run CMD under valgrind (by default, and again without
# its __libc_freeres and __gnu_cxx::__freeres calls) and under libleak.
compare() {
	local name=$1 slug dumps ours
	shift
	slug=$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '_')
	mkdir -p "$W/$slug"
	vg_log "$slug" vg "" "$@"
	vg_log "$slug" vg-nofreeres "--run-libc-freeres=no --run-cxx-freeres=no" "$@"
	(cd "$W/$slug" && timeout -k 5 "$RUN_TIMEOUT" env "${VG_ENV[@]}" LD_PRELOAD="$LIBLEAK" \
		LEAK_OUTPUT="$W/$slug/leak.%p.dump" "$@" >"$W/$slug/leak.out" 2>"$W/$slug/leak.err") ||
		die "$name under libleak failed: $(tail -n 2 "$W/$slug/leak.err" | tr '\n' ' ')"
	dumps=$(find "$W/$slug" -maxdepth 1 -name 'leak.*.dump' | wc -l)
	[ "$dumps" -eq 1 ] || die "$name: expected 1 dump, found $dumps"
	grep -q '^scan full$' "$W/$slug"/leak.*.dump || die "$name: the dump has no scan"
	ours=$(our_records "$W/$slug"/leak.*.dump)
	printf '%s\n' "$ours" >"$W/$slug/our.records"
	ROWS_DEFAULT="$ROWS_DEFAULT$(row "$name" "$(cat "$W/$slug/vg.records")" "$ours")
"
	ROWS_NOFREERES="$ROWS_NOFREERES$(row "$name" "$(cat "$W/$slug/vg-nofreeres.records")" "$ours")
"
}

compare "/usr/bin/python3 -c pass" /usr/bin/python3 -c pass
compare "git --version" git --version
compare "sqlite3 :memory: 'select 1;'" sqlite3 :memory: 'select 1;'
compare "perl -e 1" perl -e 1
compare "reach_cxx_real (C++)" "$CXX_PROG"

HEADER="| program | vg definite | vg indirect | vg possible | vg reachable | ours definite | ours indirect | ours possible | ours reachable | ours ld.so | agree |
|---|---|---|---|---|---|---|---|---|---|---|"
echo "Valgrind as is (frees libc's and libstdc++'s buffers at exit):"
echo
printf '%s\n%s' "$HEADER" "$ROWS_DEFAULT"
echo
echo "Valgrind with --run-libc-freeres=no --run-cxx-freeres=no:"
echo
printf '%s\n%s' "$HEADER" "$ROWS_NOFREERES"
echo
echo "Cells are blocks/bytes. $(date -u '+%Y-%m-%d %H:%M UTC'); $(uname -srm);" \
	"$(valgrind --version); $(. /etc/os-release && echo "$PRETTY_NAME");" \
	"$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores."
[ -n "$KEEP" ] && echo "Logs and dumps: $W"
exit 0
