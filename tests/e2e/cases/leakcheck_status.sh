# leakcheck_status.sh - scripts/leakcheck around a whole `make check` of the
# tally project (projects/make): quiet processes, its output on stderr only,
# the exit-status rule (the command's failure wins, then the gate's 23, then
# 0; 125 for leakcheck's own trouble), --only, the notes of the libleak log,
# and a suite that runs a test under Valgrind with the preload inherited.

# shellcheck source=../projects/project.sh
. "$E2E_DIR/projects/project.sh"

# suite_run DIR [MAKE VARIABLES...]: `make check` of the project in DIR,
# built anew, under leakcheck --only 'tests/*'. stdout -> DIR.out, stderr
# -> DIR.err, exit status -> $LC_STATUS.
suite_run() {
	local d=$1
	shift
	make -C "$d" clean >/dev/null 2>&1
	(cd "$d" && "$LEAKCHECK" --only 'tests/*' -- make check "$@") >"$d.out" 2>"$d.err"
	LC_STATUS=$?
}

# suite_plain DIR [MAKE VARIABLES...]: the same without leakcheck: stdout ->
# DIR.plain.out, stderr -> DIR.plain.err, status -> $PLAIN_STATUS.
suite_plain() {
	local d=$1
	shift
	make -C "$d" clean >/dev/null 2>&1
	(cd "$d" && make check "$@") >"$d.plain.out" 2>"$d.plain.err"
	PLAIN_STATUS=$?
}

# The four outcomes of a suite, each with its exact status and last line;
# the command's stdout and stderr are exactly those of the plain run.
test_leakcheck_status_rule() {
	local d=$T/proj name vars want_status want_line
	project_copy make "$d"
	while IFS='|' read -r name vars want_status want_line; do
		# shellcheck disable=SC2086
		suite_plain "$d" $vars
		# shellcheck disable=SC2086
		suite_run "$d" $vars
		note "$name: exit $LC_STATUS; $(last_line "$d.err")"
		[ "$LC_STATUS" -eq "$want_status" ] ||
			fail "$name: leakcheck exited $LC_STATUS, expected $want_status: $(tail -n 3 "$d.err" | tr '\n' '|')"
		expect_last "$d.err" "$want_line"
		cmp -s "$d.out" "$d.plain.out" ||
			fail "$name: stdout differs from the plain run: $(diff "$d.plain.out" "$d.out" | head -n 4 | tr '\n' '|')"
		# The command's stderr comes first, unchanged; leakcheck's follows.
		head -c "$(wc -c <"$d.plain.err")" "$d.err" | cmp -s - "$d.plain.err" ||
			fail "$name: the command's stderr is not the plain run's: $(head -n 3 "$d.err" | tr '\n' '|')"
		! grep -q '^libleak:' "$d.err" || fail "$name: a process wrote a libleak: line: $(grep -m 1 '^libleak:' "$d.err")"
		if [ "$want_status" = 0 ] || [ "$name" = fails ]; then
			[ "$(leak_headers "$d.err")" -eq 0 ] || fail "$name: leak records listed"
		else
			expect_one_leak "$d.err" test_count
			grep -Eq '^ +[0-9]+ +exit +1 +40 +test_count$' "$d.err" ||
				fail "$name: no per-process line for test_count: $(grep -A3 '^Per process' "$d.err" | tr '\n' '|')"
		fi
	done <<'EOF'
neither||0|leakcheck: tests: exit 0; leaks: passed
leaks|INJECT_LEAK=test_count|23|leakcheck: tests: exit 0; leaks: failed, 1 record over the gate
fails|INJECT_FAIL=test_free|2|leakcheck: tests: exit 2; leaks: passed
both|INJECT_LEAK=test_count INJECT_FAIL=test_free|2|leakcheck: tests: exit 2; leaks: failed, 1 record over the gate
EOF
}

test_leakcheck_leak_exitcode() {
	local d=$T/proj bad
	project_copy make "$d"
	make -C "$d" clean >/dev/null 2>&1
	(cd "$d" && "$LEAKCHECK" --only 'tests/*' --leak-exitcode 7 -- make check INJECT_LEAK=test_count) \
		>/dev/null 2>"$d.err"
	[ $? -eq 7 ] || fail "--leak-exitcode 7: exit $(tail -n 1 "$d.err")"
	expect_last "$d.err" "leakcheck: tests: exit 0; leaks: failed, 1 record over the gate"
	# the command's own failure still wins
	make -C "$d" clean >/dev/null 2>&1
	(cd "$d" && "$LEAKCHECK" --only 'tests/*' --leak-exitcode=7 -- make check INJECT_LEAK=test_count \
		INJECT_FAIL=test_add) >/dev/null 2>&1
	[ $? -eq 2 ] || fail "--leak-exitcode=7 with a failing test: not make's 2"
	# 0 lets the gate pass through (CTest then only counts the defects)
	"$LEAKCHECK" --leak-exitcode 0 -- "$d/tests/test_count" >/dev/null 2>"$T/zero.err"
	[ $? -eq 0 ] || fail "--leak-exitcode 0: exit not 0"
	for bad in 256 -1 x '' 1e2 0x10; do
		"$LEAKCHECK" --leak-exitcode "$bad" -- /bin/true >/dev/null 2>"$T/bad.err"
		[ $? -eq 125 ] || fail "--leak-exitcode '$bad': not exit 125"
		grep -q "^leakcheck: --leak-exitcode: '$bad' is not a number from 0 to 255$" "$T/bad.err" ||
			fail "--leak-exitcode '$bad': $(head -n 1 "$T/bad.err")"
	done
}

test_leakcheck_help() {
	"$LEAKCHECK" --help >help.out 2>help.err
	[ $? -eq 0 ] || fail "--help: not exit 0"
	[ ! -s help.err ] || fail "--help wrote to stderr: $(head -n 1 help.err)"
	head -n 1 help.out | grep -q '^usage: leakcheck .*--only PATTERN.*-- COMMAND' || fail "--help: $(head -n 1 help.out)"
	grep -q '125' help.out && grep -q '23' help.out && grep -q -- '--leak-exitcode' help.out ||
		fail "--help does not document the exit status"
	"$LEAKCHECK" -h >/dev/null 2>&1 || fail "-h: not exit 0"
}

# leakcheck's own trouble is 125, with one line saying what (and the
# synopsis for bad usage); a command that cannot run is 127 or 126.
test_leakcheck_own_errors() {
	local status
	LIBLEAK=/nonexistent "$LEAKCHECK" -- /bin/true >lc.out 2>err
	[ $? -eq 125 ] || fail "LIBLEAK=/nonexistent: not exit 125"
	[ "$(cat err)" = "leakcheck: no preload library at /nonexistent (run make, or set LIBLEAK)" ] ||
		fail "LIBLEAK=/nonexistent: $(cat err)"
	LEAKREPORT=/nonexistent "$LEAKCHECK" -- /bin/true >/dev/null 2>err
	[ $? -eq 125 ] && grep -q '^leakcheck: no leakreport at /nonexistent' err || fail "LEAKREPORT=/nonexistent: $(cat err)"
	"$LEAKCHECK" /bin/true >/dev/null 2>err
	[ $? -eq 125 ] || fail "no '--': not exit 125"
	[ "$(wc -l <err)" -eq 2 ] && grep -q "^leakcheck: missing '--' before the command$" err &&
		grep -q '^usage: leakcheck ' err || fail "no '--': $(cat err)"
	"$LEAKCHECK" --only >/dev/null 2>err
	[ $? -eq 125 ] && grep -q '^leakcheck: --only: missing value$' err || fail "--only without value: $(cat err)"
	"$LEAKCHECK" --only '' -- /bin/true >/dev/null 2>err
	[ $? -eq 125 ] && grep -q '^leakcheck: --only: empty pattern$' err || fail "--only '': $(cat err)"
	"$LEAKCHECK" -- >/dev/null 2>err
	[ $? -eq 125 ] || fail "nothing after '--': not exit 125"
	# a leakreport option it refuses stops leakcheck before the command runs
	"$LEAKCHECK" --fromat json -- sh -c ': >ran' >/dev/null 2>err
	status=$?
	[ "$status" -eq 125 ] || fail "--fromat: exit $status"
	[ ! -e ran ] || fail "--fromat: the command ran"
	grep -q '^leakreport: .*--fromat' err || fail "--fromat: leakreport's message not shown: $(cat err)"
	"$LEAKCHECK" --log-file=x.log --format json -- /bin/true >/dev/null 2>err
	[ $? -eq 125 ] || fail "--log-file with --format json: not exit 125"
	# a library that is not libleak writes no dump: found before the command runs
	"$CC" -shared -fPIC -o notleak.so -x c - <<<'int not_leak;' || fail "cannot build notleak.so"
	LIBLEAK=$T/notleak.so "$LEAKCHECK" -- sh -c ': >ran' >/dev/null 2>err
	[ $? -eq 125 ] || fail "not libleak: not exit 125"
	[ "$(wc -l <err)" -eq 1 ] && grep -q '^leakcheck: .*notleak.so wrote no dump' err || fail "not libleak: $(cat err)"
	[ ! -e ran ] || fail "not libleak: the command ran"
	# commands that cannot be run, as env(1) says
	"$LEAKCHECK" -- /no/such/program >/dev/null 2>err
	[ $? -eq 127 ] && [ "$(wc -l <err)" -eq 1 ] || fail "missing program: $(cat err)"
	"$LEAKCHECK" -- no-such-command-anywhere >/dev/null 2>err
	[ $? -eq 127 ] || fail "command not in PATH: $(cat err)"
	: >notexec
	"$LEAKCHECK" -- ./notexec >/dev/null 2>err
	[ $? -eq 126 ] || fail "not executable: $(cat err)"
	# leakreport failing after the run (the baseline it read at the start
	# is gone): 125, unless the command failed
	"$LEAKCHECK" --fail-on none --write-baseline b.txt -- /bin/true >/dev/null 2>&1 || fail "cannot write b.txt"
	[ -s b.txt ] || fail "no baseline written"
	cp b.txt b2.txt
	"$LEAKCHECK" --baseline b.txt -- sh -c 'rm b.txt' >/dev/null 2>err
	[ $? -eq 125 ] || fail "leakreport failing: not exit 125: $(tail -n 2 err)"
	last_line err | grep -q '^leakcheck: tests: exit 0; leaks: not checked (leakreport: b.txt' ||
		fail "leakreport failing: $(last_line err)"
	"$LEAKCHECK" --baseline b2.txt -- sh -c 'rm b2.txt; exit 3' >/dev/null 2>err
	[ $? -eq 3 ] || fail "leakreport failing, command exit 3: $(last_line err)"
}

# --only: only the project's programs write dumps, make and sh do not; a run
# in which nothing matched is not an error; the command itself matching but
# writing no dump is.
test_leakcheck_only() {
	local d=$T/proj
	project_copy make "$d"
	suite_run "$d"
	"$LEAKCHECK" --keep-dumps --only 'tests/*' -- make -C "$d" check >/dev/null 2>keep.err ||
		fail "--keep-dumps run failed: $(last_line keep.err)"
	local kept
	kept=$(sed -n 's/^leakcheck: dumps kept in //p' keep.err)
	[ -d "$kept" ] || fail "--keep-dumps: no directory named: $(cat keep.err)"
	[ "$(grep -l '^exe .*/tests/test_' "$kept"/leak.*.dump | wc -l)" -eq 3 ] &&
		[ "$(find "$kept" -name 'leak.*.dump' | wc -l)" -eq 3 ] ||
		fail "--only 'tests/*': dumps of $(grep -h '^exe ' "$kept"/leak.*.dump | tr '\n' ' ')"
	rm -rf "$kept"
	# two patterns, given twice: both tracked
	"$LEAKCHECK" --keep-dumps --only test_add --only='*/test_free' -- make -C "$d" check >/dev/null 2>keep.err
	kept=$(sed -n 's/^leakcheck: dumps kept in //p' keep.err)
	[ "$(grep -h '^exe ' "$kept"/leak.*.dump | sed 's|.*/||' | sort | tr '\n' ' ')" = "test_add test_free " ] ||
		fail "--only test_add --only '*/test_free': $(grep -h '^exe ' "$kept"/leak.*.dump | tr '\n' ' ')"
	rm -rf "$kept"
	# nothing matched: not an error, and said so
	"$LEAKCHECK" --only 'no_such_program' -- make -C "$d" check >/dev/null 2>none.err
	[ $? -eq 0 ] || fail "no match: exit not 0"
	expect_last none.err "leakcheck: tests: exit 0; leaks: none tracked (no process matched --only)"
	"$LEAKCHECK" --only 'no_such_program' -- sh -c 'exit 4' >/dev/null 2>none.err
	[ $? -eq 4 ] || fail "no match, exit 4: not 4"
	# the command matches (dash is sh's real file) but its pid execs a
	# program that does not: it wrote no dump where one was due
	"$LEAKCHECK" --only "$(basename "$(readlink -f /bin/sh)")" -- sh -c 'exec true' >/dev/null 2>own.err
	[ $? -eq 125 ] || fail "own dump missing: exit not 125: $(last_line own.err)"
	last_line own.err | grep -q '^leakcheck: tests: exit 0; leaks: not checked (sh wrote no dump)$' ||
		fail "own dump missing: $(last_line own.err)"
}

# The lines of the libleak log: one per distinct line, with the number of
# processes that wrote it; the processes themselves print nothing.
test_leakcheck_log_notes() {
	local d=$T/proj
	project_copy make "$d"
	make -C "$d" tests/test_add tests/test_count >/dev/null 2>&1 || fail "cannot build the tests"
	# sh and its two tests: 3 processes, each with the same complaint
	(cd "$d" && LEAK_DEPTH=999 "$LEAKCHECK" -- sh -c 'tests/test_add; tests/test_count') >lc.out 2>err
	[ $? -eq 0 ] || fail "exit not 0: $(last_line err)"
	! grep -q '^libleak:' err || fail "a process wrote on stderr: $(grep -m 1 '^libleak:' err)"
	[ "$(grep -c LEAK_DEPTH err)" -eq 1 ] ||
		fail "LEAK_DEPTH note not once: $(grep LEAK_DEPTH err | tr '\n' '|')"
	grep -q "^leakcheck: 3 processes: libleak: LEAK_DEPTH='999' is not a number from 1 to 256; using 32$" err ||
		fail "LEAK_DEPTH note: $(grep '^leakcheck: ' err | tr '\n' '|')"
	[ "$(cat lc.out)" = "$(printf 'test_add: ok\ntest_count: ok')" ] || fail "stdout: $(cat lc.out)"
	expect_last err "leakcheck: tests: exit 0; leaks: passed"
}

# A suite that runs its test under Valgrind, the preload inherited into the
# guest: the test passes, memcheck finds no error (its --error-exitcode
# would say), and the guest's stand-aside note is shown once.
test_leakcheck_valgrind_inherited() {
	command -v valgrind >/dev/null || fail "valgrind is not installed"
	local d=$T/proj n_lc n_raw
	project_copy make "$d"
	make -C "$d" tests/test_add >/dev/null 2>&1 || fail "cannot build test_add"
	(cd "$d" && "$LEAKCHECK" -- sh -c 'valgrind -q --error-exitcode=9 tests/test_add') >lc.out 2>err
	[ $? -eq 0 ] || fail "exit not 0: $(tail -n 3 err | tr '\n' '|')"
	[ "$(cat lc.out)" = "test_add: ok" ] || fail "stdout: $(cat lc.out)"
	! grep -q '^==[0-9]*==' err || fail "memcheck reported: $(grep -m 3 '^==' err | tr '\n' '|')"
	expect_last err "leakcheck: tests: exit 0; leaks: passed"
	n_lc=$(grep -c '^leakcheck: 1 process: libleak: running under Valgrind; not tracking (every call passes through)$' err)
	n_raw=$(grep -c '^libleak: running under Valgrind; not tracking (every call passes through)$' err)
	[ "$n_lc" -eq 1 ] && [ "$n_raw" -eq 0 ] ||
		fail "stand-aside note: $n_lc from leakcheck, $n_raw raw: $(grep -i valgrind err | tr '\n' '|')"
}

# --log-file: every line of leakcheck's output in the file, prefixed with
# the command's pid as Valgrind does, nothing on stderr; each record that
# counts toward the gate announced in Valgrind's words (which CTest counts),
# known baseline records and ungated kinds not.
test_leakcheck_log_file() {
	command -v jq >/dev/null || fail "jq is not installed"
	local exe pid n_def n_ind n_reach k
	exe=$(build_prog report_leaks) || exit 1
	"$LEAKCHECK" --log-file=v.log --show all --fail-on definite,indirect,reachable -- "$exe" >lc.out 2>lc.err
	[ $? -eq 23 ] || fail "exit not 23: $(tail -n 1 v.log)"
	run_plain "$exe"
	[ ! -s lc.err ] && cmp -s lc.out plain.out || fail "output outside the log: $(head -n 2 lc.err lc.out | tr '\n' '|')"
	pid=$(sed -n '1s/^==\([0-9][0-9]*\)== .*/\1/p' v.log)
	[ -n "$pid" ] || fail "first line of the log: $(head -n 1 v.log)"
	grep -qv "^==$pid== " v.log && fail "a line without the ==$pid== prefix: $(grep -v "^==$pid== " v.log | head -n 1)"
	# the same figures as the JSON report of the same run
	"$LEAKCHECK" --report-file r.json --format json --show all -- "$exe" >/dev/null 2>&1
	n_def=$(jq '.summary.definite.records' r.json)
	n_ind=$(jq '.summary.indirect.records' r.json)
	n_reach=$(jq '.summary.reachable.records' r.json)
	k=$((n_def + n_ind + n_reach))
	[ "$n_def" -ge 2 ] && [ "$n_ind" -ge 1 ] && [ "$n_reach" -ge 1 ] || fail "report_leaks: $(jq -c .summary r.json)"
	[ "$(grep -cE "^==$pid== [0-9]+ bytes in [0-9]+ blocks are definitely lost in loss record [0-9]+ of $k$" v.log)" -eq "$n_def" ] ||
		fail "definitely lost lines: $(grep -c 'definitely lost' v.log), want $n_def"
	[ "$(grep -cE "^==$pid== [0-9]+ bytes in [0-9]+ blocks are indirectly lost in loss record [0-9]+ of $k$" v.log)" -eq "$n_ind" ] ||
		fail "indirectly lost lines: $(grep -c 'indirectly lost' v.log), want $n_ind"
	[ "$(grep -cE "^==$pid== [0-9]+ bytes in [0-9]+ blocks are still reachable in loss record [0-9]+ of $k$" v.log)" -eq "$n_reach" ] ||
		fail "still reachable lines: $(grep -c 'still reachable' v.log), want $n_reach"
	grep -q "^==$pid== 4096 bytes in 16 blocks are definitely lost in loss record 1 of $k$" v.log ||
		fail "make_buf's record (the largest) is not loss record 1"
	grep -q "^==$pid== Direct leak of 4096 byte(s) in 16 object(s) allocated from:$" v.log || fail "the report is not in the log"
	expect_last v.log "==$pid== leakcheck: tests: exit 0; leaks: failed, $k records over the gate"
	# the default gate: reachable records are listed with --show all but not announced
	"$LEAKCHECK" --log-file v2.log --show all -- "$exe" >/dev/null 2>&1
	! grep -q 'still reachable in loss record' v2.log || fail "an ungated reachable record was announced"
	grep -q '^==[0-9]*== Still reachable: ' v2.log || fail "the reachable record is not listed"
	# known leaks (a baseline of the run) are not announced, and pass
	"$LEAKCHECK" --fail-on none --write-baseline b.txt -- "$exe" >/dev/null 2>&1 || fail "cannot write b.txt"
	"$LEAKCHECK" --log-file v3.log --baseline b.txt -- "$exe" >/dev/null 2>&1
	[ $? -eq 0 ] || fail "with the baseline: exit not 0: $(tail -n 1 v3.log)"
	! grep -q 'in loss record' v3.log || fail "a known record was announced: $(grep -m 1 'loss record' v3.log)"
	grep -q 'note: known leak (in the baseline), not gated' v3.log || fail "no known records in v3.log"
	# ctest's default Valgrind options, when MEMORYCHECK_COMMAND_OPTIONS is empty
	"$LEAKCHECK" --log-file=v4.log -q --tool=memcheck --leak-check=yes "$exe" >/dev/null 2>lc.err
	[ $? -eq 125 ] && grep -q "^leakcheck: '--tool=memcheck' is a Valgrind option: set MEMORYCHECK_COMMAND_OPTIONS" lc.err &&
		grep -q "is a Valgrind option" v4.log || fail "Valgrind's options: $(cat lc.err)"
}

# Snapshots a process wrote (LEAK_SNAPSHOT_INTERVAL from the environment)
# are left out of the report: each process's exit dump holds all it knows.
test_leakcheck_snapshots_left_out() {
	command -v jq >/dev/null || fail "jq is not installed"
	local exe kept
	exe=$(build_prog leak_loop) || exit 1
	LEAK_SNAPSHOT_INTERVAL=0.01 "$LEAKCHECK" --keep-dumps --fail-on none --format json --report-file r.json \
		-- sh -c "sleep 0.2; $exe" >/dev/null 2>lc.err || fail "exit not 0: $(last_line lc.err)"
	kept=$(sed -n 's/^leakcheck: dumps kept in //p' lc.err)
	[ "$(find "$kept" -name 'leak.*.*.dump' | wc -l)" -gt 0 ] || fail "no snapshot was written: $(ls "$kept")"
	jq -e '[.dumps[] | select(.kind == "exit")] | length == 3' r.json >/dev/null &&
		jq -e '.dumps | length == 3' r.json >/dev/null ||
		fail "dumps in the report: $(jq -c '[.dumps[] | {pid, kind}]' r.json)"
	rm -rf "$kept"
}

# leakcheck's own reading of the --only rules (whether the command is due
# to be tracked) against the preload's: for each pattern, the preload under
# LEAK_ONLY tracks sh (its real file, dash) exactly when leakcheck, running
# an sh that execs true (which none of the patterns matches), says it wrote
# no dump where one was due (125) rather than that nothing matched.
test_leakcheck_only_rules_agree() {
	local real p tracked said n=0
	real=$(readlink -f /bin/sh)
	while IFS= read -r p; do
		rm -rf "$T/out" && mkdir -p "$T/out"
		LEAK_ONLY=$p LD_PRELOAD="$LIBLEAK" LEAK_OUTPUT="$T/out/leak.%p.dump" LEAK_QUIET=1 sh -c : ||
			fail "sh under LEAK_ONLY='$p' failed"
		tracked=$(find "$T/out" -name 'leak.*.dump' | wc -l)
		"$LEAKCHECK" --only "$p" -- sh -c 'exec true' >/dev/null 2>lc.err
		said=$?
		case "$tracked $said" in
		"1 125" | "0 0") n=$((n + 1)) ;;
		*) fail "pattern '$p' on $real: the preload wrote $tracked dumps, leakcheck exited $said: $(last_line lc.err)" ;;
		esac
	done <<EOF2
$(basename "$real")
$(basename "$real" | sed 's/.$/?/')
d*
*a*
*sh
$(dirname "$real" | sed 's|^/||')/d*
$real
/usr/*a*
bin/$(basename "$real")
in/$(basename "$real")
$(basename "$real")x
/bin/nothing
no_match:$(basename "$real")
tests/*
EOF2
	note "$n patterns agree"
	[ "$n" -eq 14 ] || fail "only $n patterns checked"
}

# Another allocator preloaded before libleak's turn (jemalloc): libleak
# stands aside in the command, which writes no dump; that is not leakcheck's
# trouble: "none tracked", the command's status, the note once.
test_leakcheck_stood_aside() {
	local d=$T/proj je=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 status n_lc n_raw
	[ -r "$je" ] || fail "no $je (scripts/deps.sh installs libjemalloc2)"
	project_copy make "$d"
	make -C "$d" tests/test_add >/dev/null 2>&1 || fail "cannot build test_add"
	LD_PRELOAD=$je "$LEAKCHECK" -- "$d/tests/test_add" >lc.out 2>err
	status=$?
	[ "$(cat lc.out)" = "test_add: ok" ] || fail "stdout: $(cat lc.out)"
	n_lc=$(grep -c "^leakcheck: 1 process: libleak: malloc is another allocator's (libjemalloc.so.2); not tracking (every call passes through)$" err)
	n_raw=$(grep -c "^libleak: malloc is another allocator's (libjemalloc.so.2); not tracking" err)
	[ "$status" -eq 0 ] || fail "exit $status: $(tail -n 2 err | tr '\n' '|')"
	[ "$n_lc" -eq 1 ] && [ "$n_raw" -eq 0 ] || fail "stand-aside note: $n_lc from leakcheck, $n_raw raw"
	expect_last err "leakcheck: tests: exit 0; leaks: none tracked (libleak stood aside: malloc is another allocator's (libjemalloc.so.2))"
}
