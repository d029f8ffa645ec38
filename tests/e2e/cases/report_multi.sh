# report_multi.sh - several dumps in one report (a forking program) and
# scripts/leakcheck around a whole run. Needs jq.

LEAKCHECK=$ROOT/scripts/leakcheck

test_report_fork_merge() {
	command -v jq >/dev/null || fail "jq is not installed"
	local exe parent child pp cp
	exe=$(build_prog report_fork) || exit 1
	run_both "$exe"
	expect_status 0
	[ "$(dump_list | wc -l)" -eq 2 ] || fail "expected 2 dumps, got: $(ls out)"
	for f in $(dump_list); do
		if [ "$(dump_field "$f" ppid)" = "$(dump_field "$(dump_list | grep -v "^$f$")" pid)" ]; then
			child=$f
		else
			parent=$f
		fi
	done
	[ -n "$child" ] && [ -n "$parent" ] || fail "cannot tell parent and child dumps apart"
	"$LEAKREPORT" --format json "$parent" "$child" >r.json
	[ $? -eq 1 ] || fail "leaks did not fail the gate"
	pp=$(dump_field "$parent" pid)
	cp=$(dump_field "$child" pid)
	jq -e --argjson p "$pp" --argjson c "$cp" '.pid == $p and [.dumps[].pid] == [$p, $c]' r.json \
		>/dev/null || fail "pids: $(jq -c '{pid, d: [.dumps[].pid]}' r.json), want $pp $cp"
	# leak_both: one record from both processes with the blocks of both
	[ "$(jq -r '[.leaks[] | select(.frames[0].function == "leak_both")] |
		map("\(.processes) \(.blocks) \(.bytes)") | join(";")' r.json)" = "2 5 200" ] ||
		fail "leak_both: $(jq -c '[.leaks[] | select(.frames[0].function == "leak_both") | {kind, processes, blocks, bytes}]' r.json)"
	[ "$(jq -r '[.leaks[] | select(.frames[0].function == "child_only")] |
		map("\(.processes) \(.blocks) \(.bytes)") | join(";")' r.json)" = "1 1 13" ] ||
		fail "child_only: $(jq -c '[.leaks[] | select(.frames[0].function == "child_only")]' r.json)"
	"$LEAKREPORT" "$parent" "$child" | grep -q "^  note: from 2 processes of $(basename "$exe")$" ||
		fail "no 'from 2 processes of $(basename "$exe")' note"
}

test_leakcheck_runs_and_reports() {
	local exe status
	exe=$(build_prog report_fork) || exit 1
	"$LEAKCHECK" --format json --report-file r.json -- "$exe" >r.out 2>r.err
	status=$?
	[ "$status" -eq 23 ] || fail "leakcheck exited $status, expected 23 (gate): $(head -n 2 r.err)"
	jq -e '(.dumps | length) == 2 and .dumps[0].pid == .dumps[1].ppid' r.json >/dev/null ||
		fail "dumps: $(jq -c .dumps r.json) (the program's own dump must come first)"
	# two dumps: --per-process is on by default
	jq -e '(.processes | length) == 2' r.json >/dev/null || fail "no processes[]: $(jq -c .processes r.json)"
	[ ! -s r.out ] || fail "leakcheck wrote on stdout: $(head -n 1 r.out)"
	local gated
	gated=$(jq '.summary.definite.records + .summary.indirect.records' r.json)
	[ "$(tail -n 1 r.err)" = "leakcheck: tests: exit 0; leaks: failed, $gated records over the gate" ] ||
		fail "last line: $(tail -n 1 r.err), $gated gated records in the report"
	"$LEAKCHECK" --fail-on none -- "$exe" >r.out 2>r.txt
	status=$?
	[ "$status" -eq 0 ] || fail "--fail-on none: exit $status"
	[ ! -s r.out ] || fail "--fail-on none: leakcheck wrote on stdout: $(head -n 1 r.out)"
	grep -q '^SUMMARY: libleak: ' r.txt || fail "no SUMMARY in leakcheck's stderr"
	grep -q '^Per process ' r.txt || fail "no per-process table for 2 dumps"
	# the program's own failure wins
	"$LEAKCHECK" --fail-on none -- "$exe" 7 >/dev/null 2>&1
	status=$?
	[ "$status" -eq 7 ] || fail "program exit 7: leakcheck exited $status"
	# no temporary directory left behind, unless --keep-dumps
	TMPDIR=$T/tmp
	export TMPDIR
	mkdir -p "$TMPDIR"
	"$LEAKCHECK" --fail-on none -- "$exe" >/dev/null 2>&1 || fail "leakcheck in TMPDIR failed"
	[ -z "$(ls "$TMPDIR")" ] || fail "left behind: $(ls "$TMPDIR")"
	"$LEAKCHECK" --keep-dumps --fail-on none -- "$exe" >/dev/null 2>keep.err || fail "--keep-dumps failed"
	[ "$(find "$TMPDIR" -name 'leak.*.dump' | wc -l)" -eq 2 ] || fail "--keep-dumps: $(find "$TMPDIR")"
	grep -q "^leakcheck: dumps kept in $TMPDIR/" keep.err || fail "--keep-dumps does not say where"
}

test_leakcheck_errors() {
	local status
	"$LEAKCHECK" -- /no/such/program >/dev/null 2>err.txt
	status=$?
	[ "$status" -eq 127 ] || fail "missing program: exit $status"
	[ "$(wc -l <err.txt)" -eq 1 ] || fail "missing program: $(cat err.txt)"
	"$LEAKCHECK" /bin/true >/dev/null 2>err.txt
	[ $? -eq 125 ] || fail "no '--': not exit 125"
	# killed by a signal: 128 + N
	"$LEAKCHECK" -- sh -c 'kill -TERM $$' >/dev/null 2>&1
	status=$?
	[ "$status" -eq 143 ] || fail "killed by SIGTERM: exit $status, expected 143"
	# a run that writes no dump: a library that is not libleak
	"$CC" -shared -fPIC -o notleak.so -x c - <<<'int not_leak;' || fail "cannot build notleak.so"
	LIBLEAK=$T/notleak.so "$LEAKCHECK" -- /bin/true >/dev/null 2>err.txt
	status=$?
	[ "$status" -eq 125 ] || fail "no dump: exit $status"
	[ "$(wc -l <err.txt)" -eq 1 ] && grep -q '^leakcheck: .*wrote no dump' err.txt ||
		fail "no dump message: $(cat err.txt)"
}
