# leakcheck_runners.sh - scripts/leakcheck in the test runners of the four
# build systems (docs/ci.md), each on the tally project built with it: plain
# make, Automake's parallel harness (LOG_COMPILER), CTest's memcheck
# (MEMORYCHECK_TYPE Valgrind, leakcheck --log-file) and meson test
# --wrapper. Each suite passes under leakcheck --only; built again with a
# leak injected into test_count (tests/check.h), it fails with exactly one
# leak record, which names test_count. Needs autoconf, automake, cmake,
# meson and ninja (scripts/deps.sh).

# shellcheck source=../projects/project.sh
. "$E2E_DIR/projects/project.sh"

# need TOOL...: fail unless every TOOL is installed.
need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || fail "$t is not installed (scripts/deps.sh installs it)"
	done
}

test_runner_make() {
	need make
	local d=$T/proj
	project_copy make "$d"
	(cd "$d" && "$LEAKCHECK" --only 'tests/*' -- make check) >ok.out 2>ok.err
	[ $? -eq 0 ] || fail "clean suite: exit not 0: $(tail -n 3 ok.err | tr '\n' '|')"
	[ "$(grep -c '^PASS: tests/test_' ok.out)" -eq 3 ] || fail "clean suite: $(grep -E '^(PASS|FAIL)' ok.out | tr '\n' ' ')"
	expect_last ok.err "leakcheck: tests: exit 0; leaks: passed"
	grep -q '^  3 processes with no gated leak$' ok.err || fail "no per-process line: $(grep -A2 '^Per process' ok.err)"
	make -C "$d" clean >/dev/null
	(cd "$d" && "$LEAKCHECK" --only 'tests/*' -- make check INJECT_LEAK=test_count) >leak.out 2>leak.err
	[ $? -eq 23 ] || fail "leaking suite: exit not 23: $(last_line leak.err)"
	[ "$(grep -c '^PASS: tests/test_' leak.out)" -eq 3 ] || fail "leaking suite: a test failed"
	expect_one_leak leak.err test_count
	grep -q '^  note: from process [0-9]* of test_count$' leak.err || fail "the record does not name test_count's process"
	expect_last leak.err "leakcheck: tests: exit 0; leaks: failed, 1 record over the gate"
}

test_runner_automake() {
	need autoreconf automake make
	local d=$T/proj b
	project_copy automake "$d"
	(cd "$d" && autoreconf -i) >autoreconf.log 2>&1 || fail "autoreconf: $(tail -n 3 autoreconf.log | tr '\n' '|')"
	mkdir "$d/ok" "$d/leak"
	(cd "$d/ok" && ../configure) >ok.configure.log 2>&1 || fail "configure: $(tail -n 2 ok.configure.log)"
	(cd "$d/leak" && ../configure CPPFLAGS='-DINJECT_LEAK=\"test_count\"') >leak.configure.log 2>&1 ||
		fail "configure (leak): $(tail -n 2 leak.configure.log)"
	for b in ok leak; do
		make -C "$d/$b" check LOG_COMPILER="$LEAKCHECK" LOG_FLAGS="--only 'tests/*' --" >"$b.out" 2>&1
		echo $? >"$b.status"
	done
	[ "$(cat ok.status)" -eq 0 ] || fail "clean suite: make check exited $(cat ok.status): $(grep -E '^(FAIL|ERROR)' ok.out)"
	grep -q '^# PASS:  3$' ok.out && grep -q '^# FAIL:  0$' ok.out || fail "clean suite: $(grep '^# ' ok.out | tr '\n' ' ')"
	for b in test_add test_count test_free; do
		expect_last "$d/ok/tests/$b.log" "PASS tests/$b (exit status: 0)"
		grep -qx "leakcheck: tests: exit 0; leaks: passed" "$d/ok/tests/$b.log" || fail "$b.log: no leakcheck line"
	done
	[ "$(cat leak.status)" -ne 0 ] || fail "leaking suite: make check exited 0"
	grep -q '^# PASS:  2$' leak.out && grep -q '^# FAIL:  1$' leak.out && grep -q '^FAIL: tests/test_count$' leak.out ||
		fail "leaking suite: $(grep -E '^(PASS|FAIL|# )' leak.out | tr '\n' ' ')"
	expect_one_leak "$d/leak/tests/test_count.log" test_count
	expect_last "$d/leak/tests/test_count.log" "FAIL tests/test_count (exit status: 23)"
	grep -qx "leakcheck: tests: exit 0; leaks: failed, 1 record over the gate" "$d/leak/tests/test_count.log" ||
		fail "test_count.log: no leakcheck line"
	grep -q 'test_count' "$d/leak/test-suite.log" || fail "test-suite.log does not name test_count"
}

test_runner_ctest() {
	need cmake ctest make
	local d=$T/proj b n
	project_copy cmake "$d"
	for b in ok leak; do
		mkdir "$d/$b"
		(cd "$d/$b" && cmake -DCMAKE_BUILD_TYPE=Debug -DMEMORYCHECK_COMMAND="$LEAKCHECK" \
			-DMEMORYCHECK_TYPE=Valgrind "-DMEMORYCHECK_COMMAND_OPTIONS=--only test_* --" \
			$([ "$b" = leak ] && echo -DINJECT_LEAK=test_count) .. && make) >"$b.build.log" 2>&1 ||
			fail "cmake/make ($b): $(tail -n 3 "$b.build.log" | tr '\n' '|')"
		(cd "$d/$b" && ctest -T memcheck) >"$b.out" 2>&1
		echo $? >"$b.status"
	done
	[ "$(cat ok.status)" -eq 0 ] || fail "clean suite: ctest exited $(cat ok.status): $(grep -E 'Failed|Defects|Memory' ok.out | tr '\n' '|')"
	grep -q '^100% tests passed, 0 tests failed out of 3$' ok.out || fail "clean suite: $(grep 'tests passed' ok.out)"
	! grep -q 'Defects:' ok.out || fail "clean suite: defects: $(grep Defects ok.out)"
	for n in 1 2 3; do
		expect_last "$d/ok/Testing/Temporary/MemoryChecker.$n.log" "==$(sed -n '1s/^==\([0-9]*\)==.*/\1/p' \
			"$d/ok/Testing/Temporary/MemoryChecker.$n.log")== leakcheck: tests: exit 0; leaks: passed"
	done
	[ "$(cat leak.status)" -ne 0 ] || fail "leaking suite: ctest exited 0"
	# CTest's own summary counts the leak, for test_count alone
	grep -Eq '^Memory Leak - 1$' leak.out || fail "no 'Memory Leak - 1' in ctest's summary: $(sed -n '/Memory checking results/,$p' leak.out | tr '\n' '|')"
	[ "$(grep -c 'Defects:' leak.out)" -eq 1 ] && grep -Eq 'MemCheck: #2: test_count .* Defects: 1$' leak.out ||
		fail "defects: $(grep Defects leak.out | tr '\n' '|')"
	grep -Eq 'MemCheck #2: test_count .*Failed' leak.out || fail "test_count not failed: $(grep 'MemCheck #' leak.out | tr '\n' '|')"
	[ "$(grep -c 'MemCheck #.*Passed' leak.out)" -eq 2 ] || fail "the other tests did not pass"
	expect_one_leak "$d/leak/Testing/Temporary/MemoryChecker.2.log" test_count
	grep -Eq '^==[0-9]+== 40 bytes in 1 blocks are definitely lost in loss record 1 of 1$' \
		"$d/leak/Testing/Temporary/MemoryChecker.2.log" || fail "no Valgrind-style line in MemoryChecker.2.log"
}

test_runner_meson() {
	need meson ninja
	local d=$T/proj b
	project_copy meson "$d"
	for b in ok leak; do
		(cd "$d" && meson setup "$b" $([ "$b" = leak ] && echo -Dinject_leak=test_count) &&
			ninja -C "$b") >"$b.build.log" 2>&1 || fail "meson setup/ninja ($b): $(tail -n 3 "$b.build.log" | tr '\n' '|')"
		(cd "$d" && meson test -C "$b" --wrapper="$LEAKCHECK --only '$d/$b/*' --") >"$b.out" 2>&1
		echo $? >"$b.status"
	done
	[ "$(cat ok.status)" -eq 0 ] || fail "clean suite: meson test exited $(cat ok.status): $(grep -E 'FAIL' ok.out | tr '\n' '|')"
	grep -Eq '^Ok: +3 *$' ok.out && grep -Eq '^Fail: +0 *$' ok.out || fail "clean suite: $(grep -E '^(Ok|Fail):' ok.out | tr '\n' ' ')"
	[ "$(grep -c '^leakcheck: tests: exit 0; leaks: passed$' "$d/ok/meson-logs/testlog-leakcheck.txt")" -eq 3 ] ||
		fail "clean suite: leakcheck lines in the log: $(grep -c '^leakcheck: tests' "$d/ok/meson-logs/testlog-leakcheck.txt")"
	[ "$(cat leak.status)" -ne 0 ] || fail "leaking suite: meson test exited 0"
	grep -Eq '^Ok: +2 *$' leak.out && grep -Eq '^Fail: +1 *$' leak.out &&
		grep -Eq '^ *[0-9]+/3 test_count +FAIL .*exit status 23$' leak.out ||
		fail "leaking suite: $(grep -E '(^Ok|^Fail|FAIL)' leak.out | tr '\n' '|')"
	# the log's section of test_count holds its report
	awk '/^test: +test_count$/ { on = 1 } on { print } on && /^=+$/ { exit }' \
		"$d/leak/meson-logs/testlog-leakcheck.txt" >count.log
	expect_one_leak count.log test_count
	[ "$(leak_headers "$d/leak/meson-logs/testlog-leakcheck.txt")" -eq 1 ] || fail "other tests have leak records"
}
