#!/bin/bash
# run.sh - run the end-to-end tests: real programs under LD_PRELOAD=libleak.so.
#
# Usage: tests/e2e/run.sh [FILTER]
#
# Every tests/e2e/cases/*.sh defines shell functions named test_*. Each case
# file is sourced in its own subshell after lib.sh, and each of its test_*
# functions runs in a further subshell, in its own directory $T under one
# mktemp -d work directory that is removed at the end. A test fails when it
# calls fail(), or when it exits nonzero. FILTER, if given, is an extended
# regular expression; only tests for which "<case file> <test name>" (e.g.
# "preload_basic test_plain_leak") matches it run.
#
# Prints "PASS name" or "FAIL name: reason" per test, then the line
# "N passed, M failed" alone. Exit 0 when nothing failed, 1 when a test
# failed, 2 when the environment is unusable (no libleak.so, no compiler).
#
# Environment: LIBLEAK (default build/libleak.so), LEAKREPORT (default
# build/leakreport), CC (default gcc), CXX (default g++), E2E_KEEP=1 keeps
# the work directory and prints its path, E2E_VERBOSE=1 prints the log of a
# failed test.
set -u

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$E2E_DIR/../.." && pwd)
FILTER=${1:-}

abspath() {
	case "$1" in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$ROOT/$1" ;;
	esac
}

LIBLEAK=$(abspath "${LIBLEAK:-build/libleak.so}")
LEAKREPORT=$(abspath "${LEAKREPORT:-build/leakreport}")
CC=${CC:-gcc}
CXX=${CXX:-g++}
unset DEBUGINFOD_URLS
# The tests set these per run; values from the caller's shell would change
# what the programs do.
unset LD_PRELOAD LEAK_OUTPUT LEAK_DEPTH LEAK_QUIET LEAK_FAULT_MMAP MALLOC_TRACE
export LIBLEAK LEAKREPORT CC CXX ROOT E2E_DIR LC_ALL=C

if [ ! -r "$LIBLEAK" ]; then
	echo "run.sh: no preload library at $LIBLEAK (run make build/libleak.so)" >&2
	exit 2
fi
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "run.sh: compiler '$CC' not found" >&2
	exit 2
fi

E2E_WORK=$(mktemp -d "${TMPDIR:-/tmp}/libleak-e2e.XXXXXX") || exit 2
# Programs run as an unprivileged user in some tests must reach their files.
chmod 755 "$E2E_WORK"
if [ "${E2E_KEEP:-0}" = 1 ]; then
	echo "run.sh: work directory $E2E_WORK kept"
else
	trap 'rm -rf "$E2E_WORK"' EXIT
fi
trap 'exit 130' INT TERM
export E2E_WORK
mkdir -p "$E2E_WORK/bin" "$E2E_WORK/results"

# run_case FILE: source one case file and run its tests; one result line per
# test goes to stdout, and "P" or "F" per test to the tally file.
run_case() {
	local file=$1 name t status reason
	# shellcheck source=lib.sh
	. "$E2E_DIR/lib.sh"
	# shellcheck disable=SC1090
	. "$file" || { echo "FAIL $(basename "$file"): cannot source"; echo F >>"$E2E_WORK/tally"; return; }
	for name in $(declare -F | awk '$3 ~ /^test_/ { print $3 }'); do
		if [ -n "$FILTER" ] &&
		    ! printf '%s %s\n' "$(basename "$file" .sh)" "$name" | grep -Eq -- "$FILTER"; then
			continue
		fi
		t=$E2E_WORK/t/$name
		mkdir -p "$t/out"
		chmod 755 "$E2E_WORK/t" "$t"
		(
			T=$t
			export T
			cd "$T" || exit 1
			"$name"
		) >"$t/log" 2>&1
		status=$?
		if [ -s "$t/.reason" ]; then
			reason=$(head -n 1 "$t/.reason" | cut -c 1-600)
		elif [ "$status" -ne 0 ]; then
			reason="exited $status: $(tail -n 1 "$t/log" | cut -c 1-300)"
		else
			reason=
		fi
		if [ -z "$reason" ]; then
			echo "PASS $name"
			echo P >>"$E2E_WORK/tally"
		else
			echo "FAIL $name: $reason"
			echo F >>"$E2E_WORK/tally"
			if [ "${E2E_VERBOSE:-0}" = 1 ]; then
				sed 's/^/    | /' "$t/log"
			fi
		fi
	done
}

: >"$E2E_WORK/tally"
for file in "$E2E_DIR"/cases/*.sh; do
	[ -e "$file" ] || continue
	( run_case "$file" )
done

passed=$(grep -c '^P$' "$E2E_WORK/tally")
failed=$(grep -c '^F$' "$E2E_WORK/tally")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
exit 0
