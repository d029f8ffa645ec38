# report_gate.sh - suppressions (by function, by file, from $LEAK_SUPPRESSIONS)
# and the baseline: write it, pass the gate with it, fail on a new leak, and
# list the baseline records that no longer leak. Needs jq.

# run_leaks [ARGS...]: run report_leaks in a fresh out dir; print its dump.
run_leaks() {
	local exe
	exe=$(build_prog report_leaks) || exit 1
	rm -rf "$T/out" && mkdir -p "$T/out"
	run_leak "$exe" "$@"
	expect_status 0
	dump_only
}

test_report_suppress_by_function() {
	command -v jq >/dev/null || fail "jq is not installed"
	local d status want
	d=$(run_leaks) || exit 1
	want=$(func_sum "$(dump_funcs "$d")" make_node)
	printf '# known\nleak:make_node\n\nleak:no_such_function\n' >s.supp
	"$LEAKREPORT" --format json --suppressions s.supp --fail-on none "$d" >r.json 2>r.err
	status=$?
	[ "$status" -eq 0 ] || fail "exited $status: $(head -n 1 r.err)"
	jq -e '[.leaks[].frames[].function] | index("make_node") == null' r.json >/dev/null ||
		fail "make_node still listed"
	[ "$(jq -r '.suppressions[0] | "\(.pattern) \(.blocks) \(.bytes) \(.line)"' r.json)" = "make_node $want 2" ] ||
		fail "rule 1 hits: $(jq -c '.suppressions[0]' r.json), want $want"
	[ "$(jq -r '.suppressions[1].records' r.json)" = 0 ] || fail "unused rule has hits"
	[ "$(jq -r '"\(.summary.suppressed.blocks) \(.summary.suppressed.bytes)"' r.json)" = "$want" ] ||
		fail "summary.suppressed: $(jq -c .summary.suppressed r.json)"
	# the text output names the rule
	"$LEAKREPORT" --suppressions s.supp "$d" >r.txt
	grep -Eq '^  [0-9]+ records?, 4 block\(s\), 192 byte\(s\) by leak:make_node \(s\.supp:2\)$' r.txt ||
		fail "no per-rule line: $(grep -A3 '^Suppressed' r.txt | tr '\n' '|')"
}

test_report_suppress_by_file() {
	local d before after
	d=$(run_leaks) || exit 1
	printf 'leak:report_helper.c\n' >f.supp
	before=$("$LEAKREPORT" --format json --fail-on none "$d" | jq '[.leaks[] | select(.frames[0].function == "helper_leak")] | length')
	[ "$before" -eq 1 ] || fail "helper_leak listed $before times without suppressions"
	LEAK_SUPPRESSIONS=$T/f.supp "$LEAKREPORT" --format json --fail-on none "$d" >r.json ||
		fail "leakreport with LEAK_SUPPRESSIONS failed"
	after=$(jq '[.leaks[] | select(.frames[0].function == "helper_leak")] | length' r.json)
	[ "$after" -eq 0 ] || fail "helper_leak not suppressed by file pattern"
	[ "$(jq -r '.summary.suppressed | "\(.records) \(.bytes)"' r.json)" = "1 77" ] ||
		fail "suppressed: $(jq -c .summary.suppressed r.json)"
	# other records stay
	jq -e '[.leaks[] | select(.frames[0].function == "make_buf")] | length == 1' r.json >/dev/null ||
		fail "make_buf was suppressed too"
	# a broken suppression file is an input error: exit 2, one line
	printf 'leak:ok\nbogus line\n' >bad.supp
	"$LEAKREPORT" --suppressions bad.supp "$d" >/dev/null 2>err.txt
	[ $? -eq 2 ] || fail "bad suppression file: not exit 2"
	[ "$(wc -l <err.txt)" -eq 1 ] && grep -q '^leakreport: bad.supp:2: ' err.txt ||
		fail "bad suppression file message: $(cat err.txt)"
}

test_report_baseline_gate() {
	local d1 d2 d3 status
	d1=$(run_leaks) || exit 1
	cp "$d1" first.dump
	"$LEAKREPORT" --write-baseline base.txt --fail-on none first.dump >/dev/null 2>err.txt
	status=$?
	[ "$status" -eq 0 ] || fail "--write-baseline exited $status: $(cat err.txt)"
	head -n 1 base.txt | grep -q '^libleak-baseline 1$' || fail "baseline file: $(head -n 2 base.txt)"
	# another run of the same program: same leaks at other addresses
	d2=$(run_leaks) || exit 1
	cp "$d2" second.dump
	"$LEAKREPORT" --baseline base.txt --format json second.dump >r2.json
	status=$?
	[ "$status" -eq 0 ] || fail "known leaks failed the gate ($status): $(jq -c .gate r2.json)"
	jq -e '[.leaks[].known] | all' r2.json >/dev/null || fail "a record is not known"
	jq -e '.summary.known.records > 0 and (.baseline.fixed | length) == 0' r2.json >/dev/null ||
		fail "baseline summary: $(jq -c '{k: .summary.known, b: .baseline}' r2.json)"
	# a new leak fails the gate, and only it counts
	d3=$(run_leaks extra) || exit 1
	cp "$d3" third.dump
	"$LEAKREPORT" --baseline base.txt --format json third.dump >r3.json
	status=$?
	[ "$status" -eq 1 ] || fail "new leak: exit $status, expected 1"
	[ "$(jq -r '[.leaks[] | select(.known == false) | .frames[0].function] | join(",")' r3.json)" = new_leak ] ||
		fail "new records: $(jq -c '[.leaks[] | select(.known == false)]' r3.json)"
	"$LEAKREPORT" --baseline base.txt third.dump >r3.txt
	grep -q '^Gate: FAILED: 1 ' r3.txt || fail "gate line: $(grep '^Gate' r3.txt)"
	# baseline from the run with the extra leak: the plain run fixed it
	"$LEAKREPORT" --write-baseline extra.txt --fail-on none third.dump >/dev/null || fail "write extra baseline"
	"$LEAKREPORT" --baseline extra.txt --format json second.dump >r4.json
	status=$?
	[ "$status" -eq 0 ] || fail "baseline superset: exit $status"
	jq -e '(.baseline.fixed | length) == 1 and (.baseline.fixed[0].key | startswith("new_leak")) and
		.baseline.fixed[0].bytes == 99' r4.json >/dev/null ||
		fail "fixed list: $(jq -c .baseline r4.json)"
	"$LEAKREPORT" --baseline extra.txt second.dump | grep -q '^  fixed: definite 99 byte(s) in 1 allocation(s): new_leak' ||
		fail "text output does not list the fixed record"
}
