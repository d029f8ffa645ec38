# project.sh - helpers for the case files that run scripts/leakcheck on the
# small projects of this folder; sourced after lib.sh, never run.
#
# tally/ holds the library and its three tests (test_add, test_count,
# test_free); make/, automake/, cmake/ and meson/ hold one build description
# each. project_copy puts tally/ and one of them together in a directory of
# the test, so every test builds a project of its own.

PROJECTS=$E2E_DIR/projects
LEAKCHECK=$ROOT/scripts/leakcheck

# The outer `make check` must not reach the projects' own make runs.
unset MAKEFLAGS MAKELEVEL MFLAGS

# project_copy SYSTEM DIR: tally's sources and SYSTEM's build files in DIR.
project_copy() {
	mkdir -p "$2" || fail "cannot make $2"
	cp -R "$PROJECTS/tally/." "$PROJECTS/$1/." "$2/" || fail "cannot copy the $1 project to $2"
}

# last_line FILE: the last line of FILE.
last_line() {
	tail -n 1 "$1"
}

# expect_last FILE LINE: fail unless the last line of FILE is LINE.
expect_last() {
	[ "$(last_line "$1")" = "$2" ] || fail "$(basename "$1"): last line '$(last_line "$1")', expected '$2'"
}

# leak_headers FILE: how many leak records (of any kind but reachable) a
# text report in FILE lists.
leak_headers() {
	grep -cE '^(==[0-9]+== )?(Direct|Indirect|Possible) leak of [0-9]+ byte\(s\) in [0-9]+ object\(s\) allocated from:$' "$1"
}

# expect_one_leak FILE TEST: fail unless the report in FILE lists exactly
# one leak record, and it is the block tests/check.h's injected_leak() lost
# in the program TEST (its module name in the frames).
expect_one_leak() {
	local n
	n=$(leak_headers "$1")
	[ "$n" -eq 1 ] || fail "$(basename "$1"): $n leak records, expected 1: $(grep -E 'leak of' "$1" | head -n 3 | tr '\n' '|')"
	grep -Eq '^(==[0-9]+== )?Direct leak of 40 byte\(s\) in 1 object\(s\) allocated from:$' "$1" ||
		fail "$(basename "$1"): the record is not the 40-byte block: $(grep -E 'leak of' "$1")"
	grep -Eq " in injected_leak .*\\($2\\)$" "$1" ||
		fail "$(basename "$1"): no frame of injected_leak in $2: $(grep -E '#[0-9]' "$1" | head -n 3 | tr '\n' '|')"
}
