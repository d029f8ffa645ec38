# report_suite.sh - leakreport on the dumps of a small test suite (issue 10):
# --exe filters dumps by executable, each record says which programs it came
# from, --group-by site turns one library bug reached from many call paths
# into one record, --per-process names the test that leaked, and
# --write-baseline keeps only what is gated. The suite is suite_test.c
# linked with suite_lib.c, copied under two names (test_alpha in bin/,
# tool_beta in tools/). Needs jq.

# suite_build: build the library and the program; set ALPHA and BETA.
suite_build() {
	local lib exe
	command -v jq >/dev/null || fail "jq is not installed"
	lib=$(build_lib suite_lib) || exit 1
	exe=$(build_prog suite_test -O0 -L"$T" -lsuite_lib -Wl,-rpath,"$T") || exit 1
	mkdir -p "$T/bin" "$T/tools"
	ALPHA=$T/bin/test_alpha
	BETA=$T/tools/tool_beta
	cp "$exe" "$ALPHA" && cp "$exe" "$BETA" || fail "cannot copy $exe"
}

# suite_run EXE ARGS...: one run under the preload into $T/out; fails unless
# it exits 0.
suite_run() {
	run_leak "$@"
	expect_status 0
}

test_report_exe_filter() {
	local status
	suite_build
	suite_run "$ALPHA" 2 1
	suite_run "$ALPHA" 3 0
	suite_run "$BETA" 1 2
	[ "$(dump_list | wc -l)" -eq 3 ] || fail "expected 3 dumps, got $(ls out)"
	for pat in test_alpha 'test_?lpha' 'bin/*' "$T/bin/test_alpha" 'test_*:nothing'; do
		"$LEAKREPORT" --format json --fail-on none --exe "$pat" out/*.dump >r.json 2>r.err ||
			fail "--exe $pat: exit $?: $(head -n 1 r.err)"
		[ -s r.err ] && fail "--exe $pat: stderr: $(head -n 1 r.err)"
		[ "$(jq -r '[.dumps[].exe] | unique | join(" ")' r.json)" = "$ALPHA" ] &&
			[ "$(jq '.dumps | length' r.json)" -eq 2 ] ||
			fail "--exe $pat: dumps $(jq -c '[.dumps[].exe]' r.json)"
		# not counted either: the totals are alpha's alone (5 lib_buggy blocks)
		[ "$(jq '[.leaks[] | select(.frames[0].function == "lib_buggy") | .blocks] | add' r.json)" -eq 5 ] ||
			fail "--exe $pat: lib_buggy blocks $(jq -c '[.leaks[] | select(.frames[0].function == "lib_buggy") | .blocks]' r.json)"
	done
	# '*' crosses '/': a suffix pattern reaches into subdirectories
	"$LEAKREPORT" --format json --fail-on none --exe "${T##*/}/*" out/*.dump >r.json ||
		fail "--exe dir/*: exit $?"
	[ "$(jq '.dumps | length' r.json)" -eq 3 ] || fail "--exe dir/*: $(jq -c '[.dumps[].exe]' r.json)"
	# --exe twice: either
	"$LEAKREPORT" --format json --fail-on none --exe tool_beta --exe /no/such out/*.dump >r.json ||
		fail "--exe tool_beta: exit $?"
	[ "$(jq -r '[.dumps[].exe] | join(" ")' r.json)" = "$BETA" ] || fail "--exe tool_beta: $(jq -c '[.dumps[].exe]' r.json)"
	# a directory name alone is not a basename
	"$LEAKREPORT" --exe bin out/*.dump >r.txt 2>r.err
	status=$?
	[ "$status" -eq 0 ] || fail "no dump matching: exit $status, expected 0"
	[ "$(wc -l <r.err)" -eq 1 ] && grep -q '^leakreport: warning: --exe: no dump is of a matching executable (3 dumps given)' r.err ||
		fail "no match: stderr $(cat r.err)"
	grep -Eq '^(Direct|Indirect) leak' r.txt && fail "no match, yet records listed"
	grep -q '^  tracked    0 allocation(s), peak 0 byte(s) live, 0 dumps$' r.txt ||
		fail "no match: $(grep tracked r.txt)"
	"$LEAKREPORT" --exe 'a::b' out/*.dump >/dev/null 2>r.err
	[ $? -eq 2 ] && grep -q "^leakreport: --exe: empty pattern in 'a::b'$" r.err ||
		fail "empty pattern: $(head -n 1 r.err)"
}

test_report_says_which_programs() {
	local pids
	suite_build
	suite_run "$ALPHA" 1 0
	suite_run "$ALPHA" 1 0
	suite_run "$BETA" 1 1
	"$LEAKREPORT" --format json out/*.dump >r.json
	[ $? -eq 1 ] || fail "the leaks did not fail the gate"
	# alpha's path_0 stack comes from both alpha processes
	pids=$(for f in $(grep -l "^exe $ALPHA$" out/*.dump); do dump_field "$f" pid; done |
		sort -n | tr '\n' ' ')
	[ "$(jq -r '.leaks[] | select(.frames[1].function == "path_0" and
		(.frames[1].module | startswith("test_alpha"))) |
		"\(.processes) \([.dumps[].pid] | sort | map(tostring) | join(" ")) "' r.json)" = "2 $pids" ] ||
		fail "path_0 dumps: $(jq -c '[.leaks[] | select(.frames[1].function == "path_0") | {processes, dumps}]' r.json), want $pids"
	"$LEAKREPORT" out/*.dump >r.txt
	grep -q '^  note: from 2 processes of test_alpha$' r.txt ||
		fail "no 'from 2 processes of test_alpha': $(grep note r.txt | head -n 3 | tr '\n' '|')"
	# by site, the library's bug is one record of all three processes
	"$LEAKREPORT" --format json --group-by site out/*.dump >s.json
	jq -e --arg a "$ALPHA" --arg b "$BETA" '.leaks[] | select(.frames[0].function == "lib_buggy") |
		.processes == 3 and ([.dumps[].exe] | sort == ([$a, $a, $b] | sort))' s.json >/dev/null ||
		fail "site record dumps: $(jq -c '[.leaks[] | select(.frames[0].function == "lib_buggy") | .dumps]' s.json)"
	"$LEAKREPORT" --group-by site out/*.dump |
		grep -q '^  note: from 3 processes of test_alpha, tool_beta$' ||
		fail "no 'from 3 processes of test_alpha, tool_beta' note"
	# own_a leaked in beta alone: one process, named because the dumps are of two programs
	grep -q "^  note: from process $(dump_field "$(grep -l "^exe $BETA$" out/*.dump)" pid) of tool_beta$" r.txt ||
		fail "no 'from process N of tool_beta' note: $(grep note r.txt | tr '\n' '|')"
	# one program, one process: no note
	"$LEAKREPORT" "$(grep -l "^exe $BETA$" out/*.dump)" | grep -q 'note: from' && fail "note for a single dump"
	return 0
}

test_report_group_by_site() {
	local n
	suite_build
	suite_run "$ALPHA" 12 4
	suite_run "$BETA" 5 0
	"$LEAKREPORT" --format json --fail-on none out/*.dump >stack.json
	n=$(jq '[.leaks[] | select(.frames[0].function == "lib_buggy")] | length' stack.json)
	# 12 paths of alpha, 5 of beta: another module in the frames, another stack
	[ "$n" -eq 17 ] || fail "--group-by stack: $n lib_buggy records, expected 17"
	"$LEAKREPORT" --format json --fail-on none --group-by site out/*.dump >site.json
	jq -e '.group_by == "site"' site.json >/dev/null || fail "group_by not site"
	[ "$(jq -r '[.leaks[] | select(.frames[0].function == "lib_buggy")] |
		"\(length) \(.[0].stacks) \(.[0].blocks) \(.[0].processes)"' site.json)" = "1 17 17 2" ] ||
		fail "--group-by site: $(jq -c '[.leaks[] | select(.frames[0].function == "lib_buggy") | {stacks, blocks, processes}]' site.json)"
	# the shown stack is the largest member's: of one block each, paths 10
	# and 11 hold 8 bytes ("path 10"), the others 7; the tie goes to the
	# first in frame order
	jq -e '.leaks[] | select(.frames[0].function == "lib_buggy") | .frames[1].function ==
		"path_10"' site.json >/dev/null ||
		fail "largest member: $(jq -c '.leaks[] | select(.frames[0].function == "lib_buggy") | .frames[1]' site.json)"
	# the totals do not change
	[ "$(jq -c .summary.definite stack.json | jq .bytes)" = "$(jq -c .summary.definite site.json | jq .bytes)" ] ||
		fail "definite bytes differ between stack and site grouping"
	"$LEAKREPORT" --group-by site out/*.dump >site.txt
	grep -A9 'in lib_buggy ' site.txt | grep -q '^  note: 17 different stacks$' ||
		fail "no '17 different stacks' note: $(grep note site.txt | tr '\n' '|')"
	# lib_xmalloc is the site of own_a and own_b; --ignore-frame gives
	# each its own record again
	[ "$(jq '[.leaks[] | select(.frames[0].function == "lib_xmalloc")] | length' site.json)" -eq 1 ] ||
		fail "own_a/own_b: not one record under --group-by site"
	"$LEAKREPORT" --format json --fail-on none --group-by site --ignore-frame lib_xmalloc \
		out/*.dump >ign.json
	[ "$(jq -r '[.leaks[] | select(.frames[0].function == "lib_xmalloc") | .frames[1].function] | sort | join(" ")' ign.json)" = "own_a own_b" ] ||
		fail "--ignore-frame lib_xmalloc: $(jq -c '[.leaks[] | select(.frames[0].function == "lib_xmalloc") | {stacks, f: .frames[1].function}]' ign.json)"
	# --group-by function: the same for lib_buggy (one line of one function)
	"$LEAKREPORT" --format json --fail-on none --group-by function out/*.dump >fn.json
	[ "$(jq '[.leaks[] | select(.frames[0].function == "lib_buggy")] | .[0].stacks' fn.json)" -eq 17 ] ||
		fail "--group-by function: $(jq -c '[.leaks[] | select(.frames[0].function == "lib_buggy") | .stacks]' fn.json)"
	# --group-by exe: one definite record per program
	"$LEAKREPORT" --format json --fail-on none --group-by exe out/*.dump >exe.json
	[ "$(jq -r '[.leaks[] | select(.kind == "definite") | "\(.dumps[0].exe) \(.processes)"] | sort | join(",")' exe.json)" = "$ALPHA 1,$BETA 1" ] ||
		fail "--group-by exe: $(jq -c '[.leaks[] | {kind, stacks, e: .dumps[0].exe}]' exe.json)"
	"$LEAKREPORT" --group-by nope out/*.dump >/dev/null 2>r.err
	[ $? -eq 2 ] && grep -q "^leakreport: --group-by: 'nope' is not stack, site, function or exe$" r.err ||
		fail "bad --group-by: $(cat r.err)"
}

test_report_group_by_site_suppress_and_baseline() {
	suite_build
	suite_run "$ALPHA" 6 0
	# a suppression is decided per stack: path_3's stack leaves the merged record
	printf 'leak:path_3\n' >s.supp
	"$LEAKREPORT" --format json --fail-on none --group-by site --suppressions s.supp \
		out/*.dump >r.json
	[ "$(jq -r '.leaks[] | select(.frames[0].function == "lib_buggy") | "\(.stacks) \(.blocks)"' r.json)" = "5 5" ] ||
		fail "suppressed member: $(jq -c '[.leaks[] | select(.frames[0].function == "lib_buggy") | {stacks, blocks}]' r.json)"
	[ "$(jq -r '.suppressions[0] | "\(.records) \(.blocks)"' r.json)" = "1 1" ] ||
		fail "rule hits: $(jq -c '.suppressions[0]' r.json)"
	# the baseline key of a merged record is its site: a run with other
	# paths is still known
	"$LEAKREPORT" --fail-on none --group-by site --write-baseline b.txt out/*.dump >/dev/null ||
		fail "--write-baseline failed"
	grep -q '^definite 6 [0-9]* lib_buggy@suite_lib.c$' b.txt || fail "site key: $(cat b.txt)"
	rm -f out/*.dump
	suite_run "$ALPHA" 9 0
	"$LEAKREPORT" --group-by site --baseline b.txt out/*.dump >r.txt
	[ $? -eq 0 ] || fail "known site record failed the gate: $(grep -A2 Gate r.txt)"
	"$LEAKREPORT" --baseline b.txt out/*.dump >/dev/null
	[ $? -eq 1 ] || fail "with --group-by stack the site key must not match"
}

test_report_per_process() {
	local big
	suite_build
	suite_run "$ALPHA" 1 0
	suite_run "$ALPHA" 16 6
	big=$(dump_field "$(dump_list | tail -n 1)" pid)
	for i in 1 2 3; do suite_run "$BETA" 1 0 1; done
	"$LEAKREPORT" --per-process out/*.dump >r.txt
	[ $? -eq 1 ] || fail "the leaks did not fail the gate"
	awk '/^Per process/ { p = 1 } p { print } /with no gated leak/ { exit }' r.txt >table.txt
	[ "$(head -n 1 table.txt)" = "Per process (gated kinds definite,indirect, after suppressions and baseline):" ] ||
		fail "table header: $(head -n 2 table.txt)"
	# the worst process first: 16 paths (10 of 7 bytes, 6 of 8) and 6 x 100 bytes
	[ "$(sed -n 3p table.txt | awk '{ print $1, $2, $3, $4, $5 }')" = "$big exit 22 718 test_alpha" ] ||
		fail "first row: $(sed -n 3p table.txt)"
	sed -n 4p table.txt | grep -Eq '^ +[0-9]+  exit +1 +7  test_alpha$' || fail "second row: $(sed -n 4p table.txt)"
	[ "$(sed -n 5p table.txt)" = "  and 3 processes with no gated leak" ] || fail "last line: $(sed -n 5p table.txt)"
	# JSON: every process, worst first; a baseline takes a record out
	"$LEAKREPORT" --format json --per-process out/*.dump >r.json
	[ "$(jq -r '[.processes[] | "\(.blocks)/\(.bytes)"] | join(" ")' r.json)" = "22/718 1/7 0/0 0/0 0/0" ] ||
		fail "processes: $(jq -c .processes r.json)"
	[ "$(jq -r '.processes[0] | "\(.pid) \(.exe) \(.kind)"' r.json)" = "$big $ALPHA exit" ] ||
		fail "processes[0]: $(jq -c '.processes[0]' r.json)"
	"$LEAKREPORT" --fail-on none --write-baseline b.txt out/*.dump >/dev/null
	"$LEAKREPORT" --format json --per-process --baseline b.txt out/*.dump >r.json
	[ "$(jq '[.processes[] | .blocks] | add' r.json)" -eq 0 ] || fail "known records still counted: $(jq -c .processes r.json)"
	# a suppressed record is not counted either, and under --fail-on none nothing is
	printf 'leak:own_a\nleak:own_b\n' >s.supp
	"$LEAKREPORT" --format json --per-process --suppressions s.supp out/*.dump >r.json
	[ "$(jq -r '[.processes[] | "\(.blocks)/\(.bytes)"] | join(" ")' r.json)" = "16/118 1/7 0/0 0/0 0/0" ] ||
		fail "suppressed: $(jq -c '[.processes[] | {blocks, bytes}]' r.json)"
	"$LEAKREPORT" --per-process --fail-on none out/*.dump | grep -q '^  5 processes with no gated leak$' ||
		fail "--fail-on none: not every process clean"
	"$LEAKREPORT" --format json out/*.dump | jq -e 'has("processes") | not' >/dev/null ||
		fail "processes without --per-process"
}

test_report_baseline_of_gated_kinds() {
	suite_build
	suite_run "$ALPHA" 2 1
	# the default: the gated kinds; under --fail-on none the default gated kinds
	for opts in "" "--fail-on none" "--fail-on definite,indirect"; do
		# shellcheck disable=SC2086
		"$LEAKREPORT" $opts --write-baseline b.txt out/*.dump >/dev/null
		grep -q '^reachable ' b.txt && fail "'$opts': reachable record in the baseline"
		grep -q '^definite ' b.txt || fail "'$opts': no definite record in the baseline"
		grep -q '^# classes: definite indirect$' b.txt || fail "'$opts': $(sed -n 3p b.txt)"
	done
	"$LEAKREPORT" --fail-on reachable --write-baseline b.txt out/*.dump >/dev/null
	[ "$(grep -vc '^#\|^libleak-baseline' b.txt)" -eq "$(grep -c '^reachable ' b.txt)" ] &&
		grep -q '^reachable 1 24 lib_cache@suite_lib.c;main@suite_test.c' b.txt ||
		fail "--fail-on reachable: $(cat b.txt)"
	"$LEAKREPORT" --fail-on none --baseline-kinds all --write-baseline b.txt out/*.dump >/dev/null
	grep -q '^reachable ' b.txt && grep -q '^definite ' b.txt || fail "--baseline-kinds all: $(cat b.txt)"
	"$LEAKREPORT" --baseline-kinds bogus --write-baseline b.txt out/*.dump >/dev/null 2>r.err
	[ $? -eq 2 ] && grep -q "^leakreport: --baseline-kinds: unknown kind 'bogus'" r.err ||
		fail "bad --baseline-kinds: $(head -n 1 r.err)"
}
