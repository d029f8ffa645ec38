# api.sh - the in-code API (libleak.h) and LeakSanitizer's interface.
#
# Every program is built without sanitizer flags and runs unchanged
# without the preload (each call skipped, exit 0); with it, the dumps and
# leakreport's view of them say what each call asked for.

# build_api NAME: progs/NAME built against preload/libleak.h.
build_api() {
	build_prog "$1" -O0 -I"$ROOT/preload"
}

# report_json DUMP... : leakreport --format json --show all --fail-on none.
report_json() {
	"$LEAKREPORT" --format json --show all --fail-on none "$@"
}

# exit_dump: the exit dump in $T/out (leak.PID.dump, not a check's
# leak.PID.N.dump).
exit_dump() {
	local d
	d=$(find "$T/out" -maxdepth 1 -name 'leak.*.dump' | grep -E '/leak\.[0-9]+\.dump$')
	[ "$(printf '%s\n' "$d" | grep -c .)" -eq 1 ] ||
		fail "expected one exit dump: $(ls "$T/out" | tr '\n' ' ') (stderr: $(head -c 300 "$T/leak.err" | tr '\n' ' '))"
	dump_valid "$d"
	printf '%s\n' "$d"
}

# leaks_of JSON FUNC: "kind blocks bytes root" per record whose first frame
# is FUNC.
leaks_of() {
	printf '%s\n' "$1" | jq -r --arg f "$2" '.leaks[] | select(.frames[0].function == $f) |
		"\(.kind) \(.blocks) \(.bytes) \(.retained_by.root // "-")"'
}

test_check_now_reports_each_leak_once() {
	local exe j n
	exe=$(build_api api_checks) || exit 1
	run_plain "$exe"
	[ "$PLAIN_STATUS" -eq 0 ] || fail "without the preload: exit $PLAIN_STATUS"
	grep -qx 'checks -1 -1 -1 -1' "$T/plain.out" || fail "without the preload: $(cat "$T/plain.out")"
	run_leak "$exe"
	expect_status 0
	grep -qx 'checks 1 0 2 0' "$T/leak.out" || fail "check results: $(cat "$T/leak.out")"
	[ "$(grep -c '^libleak: leak check: ' "$T/leak.err")" -eq 4 ] ||
		fail "expected 4 check lines: $(head -c 400 "$T/leak.err")"
	n=$(ls "$T"/out/leak.*.[1-4].dump | wc -l)
	[ "$n" -eq 4 ] || fail "expected 4 check dumps, found $n: $(ls "$T/out")"
	for d in "$T"/out/leak.*.[1-4].dump; do
		dump_valid "$d"
		[ "$(dump_field "$d" kind)" = check ] || fail "$(basename "$d"): kind $(dump_field "$d" kind)"
	done
	# the second check saw the first leak again: a seen line, no new block
	d=$(ls "$T"/out/leak.*.2.dump)
	[ "$(awk '$1 == "seen"' "$d" | wc -l)" -eq 1 ] || fail "check 2: seen lines: $(grep '^seen' "$d")"
	# over every dump, each leak is listed once
	j=$(report_json "$T"/out/*.dump) || fail "leakreport failed"
	[ "$(leaks_of "$j" test_leaks_once)" = "definite 1 48 -" ] ||
		fail "test_leaks_once: $(leaks_of "$j" test_leaks_once)"
	[ "$(leaks_of "$j" test_leaks_twice)" = "definite 2 160 -" ] ||
		fail "test_leaks_twice: $(leaks_of "$j" test_leaks_twice)"
	[ "$(printf '%s' "$j" | jq '.summary.seen.blocks')" -eq 8 ] ||
		fail "seen blocks: $(printf '%s' "$j" | jq -c '.summary.seen')"
	# seen again by checks 2, 3 (1 each), 4 and the exit (3 each); --seen
	# lists them in every dump that found them: 1 + 1 + 3 + 3 + 3
	j=$("$LEAKREPORT" --format json --seen --fail-on none "$T"/out/*.dump)
	[ "$(printf '%s' "$j" | jq '.summary.definite.blocks')" -eq 11 ] ||
		fail "--seen: definite $(printf '%s' "$j" | jq -c '.summary.definite')"
	# the gate fails on each leak once, in the text report too
	"$LEAKREPORT" "$T"/out/*.dump >r.txt && fail "the gate passed"
	grep -q 'seen .*reported by an earlier check, not listed' r.txt || fail "no seen line: $(tail -n 4 r.txt)"
}

test_ignore_and_disabled_scope() {
	local exe j
	exe=$(build_api api_ignore) || exit 1
	run_plain "$exe"
	grep -qx 'ignore -1 -1 -1' "$T/plain.out" || fail "without the preload: $(cat "$T/plain.out")"
	run_leak "$exe"
	expect_status 0
	grep -qx 'ignore 0 0 -1' "$T/leak.out" || fail "results: $(cat "$T/leak.out")"
	grep -q '^libleak: leak_ignore(0x[0-9a-f]*): not a live heap block; nothing ignored$' "$T/leak.err" ||
		fail "no misuse line: $(cat "$T/leak.err")"
	grep -q '^libleak: leak_enable() without a leak_disable() on this thread; ignored$' "$T/leak.err" ||
		fail "no enable line: $(cat "$T/leak.err")"
	d=$(dump_only) || exit 1
	j=$(report_json "$d") || fail "leakreport failed"
	# the one real leak is there; nothing else is lost
	[ "$(printf '%s' "$j" | jq '.summary.leaked.blocks')" -eq 1 ] ||
		fail "leaked: $(printf '%s' "$j" | jq -c '.summary.leaked')"
	[ "$(leaks_of "$j" plain_leak)" = "definite 1 24 -" ] || fail "plain_leak: $(leaks_of "$j" plain_leak)"
	# ignored through an interior pointer, and what only it reaches
	[ "$(leaks_of "$j" ignored_head)" = "reachable 1 48 ignored" ] || fail "ignored_head: $(leaks_of "$j" ignored_head)"
	[ "$(leaks_of "$j" ignored_child)" = "reachable 1 48 ignored" ] || fail "ignored_child: $(leaks_of "$j" ignored_child)"
	# both blocks of the nested disabled scope, and the block one of them keeps
	[ "$(leaks_of "$j" in_disabled_scope | sort | uniq -c | awk '{print $1, $2, $5}')" = "2 reachable ignored" ] ||
		fail "in_disabled_scope: $(leaks_of "$j" in_disabled_scope | tr '\n' ';')"
	[ "$(leaks_of "$j" kept_by_disabled)" = "reachable 1 48 ignored" ] ||
		fail "kept_by_disabled: $(leaks_of "$j" kept_by_disabled)"
	# the descriptor the disabled scope opened and never closed is not listed
	[ "$(printf '%s' "$j" | jq '[.resources[]?] | length')" -eq 0 ] ||
		fail "resources: $(printf '%s' "$j" | jq -c '[.resources[]? | .kind]')"
}

test_registered_root() {
	local exe j d
	exe=$(build_api api_root) || exit 1
	run_plain "$exe"
	grep -qx 'root -1 check -1 unregister -1 0' "$T/plain.out" || fail "without the preload: $(cat "$T/plain.out")"
	run_leak "$exe"
	grep -qx 'root 0 check 1 unregister -1 0' "$T/leak.out" || fail "results: $(cat "$T/leak.out")"
	grep -q '^libleak: leak_unregister_root(0x10): no region registered' "$T/leak.err" || fail "no misuse line"
	d=$(exit_dump) || exit 1
	j=$(report_json "$d") || fail "leakreport failed"
	# the region keeps its target alive; the pool block itself is lost
	[ "$(leaks_of "$j" pool_target)" = "reachable 1 56 region" ] || fail "pool_target: $(leaks_of "$j" pool_target)"
	# unregistered, the target is lost at exit
	rm -f "$T"/out/*
	run_leak "$exe" unregister
	grep -qx 'root 0 check 1 unregister -1 0' "$T/leak.out" || fail "results: $(cat "$T/leak.out")"
	d=$(exit_dump) || exit 1
	j=$("$LEAKREPORT" --format json --seen --show all --fail-on none "$d")
	[ "$(leaks_of "$j" pool_target)" = "indirect 1 56 -" ] || fail "unregistered: $(leaks_of "$j" pool_target)"
}

test_check_now_with_threads_running() {
	local exe d bad
	exe=$(build_api api_stress) || exit 1
	run_plain "$exe"
	grep -qx 'ok 25' "$T/plain.out" || fail "without the preload: $(cat "$T/plain.out")"
	LEAK_QUIET=1 run_leak "$exe"
	expect_status 0
	grep -qx 'ok 25' "$T/leak.out" || fail "$(cat "$T/leak.out")"
	# every check's lost blocks are leak_known's: 3 new, 3 more each time
	for d in "$T"/out/leak.*.*.dump; do
		bad=$(dump_funcs "$d" | awk '$2 == "definite" || $2 == "indirect"' | grep -v '^leak_known ')
		[ -z "$bad" ] || fail "$(basename "$d"): lost blocks not leak_known's: $bad"
	done
	[ "$(ls "$T"/out/leak.*.*.dump | wc -l)" -eq 25 ] || fail "expected 25 check dumps"
}

test_cxx_scoped_disable() {
	local exe j d
	exe=$(build_api api_scoped) || exit 1
	run_both "$exe"
	expect_status 0
	d=$(dump_only) || exit 1
	j=$(report_json "$d")
	[ "$(leaks_of "$j" real_leak)" = "definite 1 24 -" ] || fail "real_leak: $(leaks_of "$j" real_leak)"
	[ "$(leaks_of "$j" cache_fill)" = "reachable 1 96 ignored" ] || fail "cache_fill: $(leaks_of "$j" cache_fill)"
}

# ---- LeakSanitizer's interface and hooks -----------------------------------

test_lsan_without_preload() {
	local exe
	exe=$(build_prog lsan_iface) || exit 1
	run_plain "$exe" recoverable
	[ "$PLAIN_STATUS" -eq 0 ] && grep -qx 'no lsan' "$T/plain.out" || fail "without the preload: $(cat "$T/plain.out")"
	# the hooks are in .symtab only, as in most programs built for LSan
	nm -D "$exe" | grep -q ' T __lsan_default_suppressions' && fail "the hook is a dynamic symbol"
	nm "$exe" | grep -q ' T __lsan_default_suppressions' || fail "no hook in .symtab"
}

test_lsan_recoverable_check() {
	local exe d
	exe=$(build_prog lsan_iface) || exit 1
	run_leak "$exe" recoverable
	expect_status 0
	grep -qx 'recoverable 0 1' "$T/leak.out" || fail "returns: $(cat "$T/leak.out")"
	d=$(ls "$T"/out/leak.*.2.dump)
	dump_valid "$d"
	expect_func "$(dump_funcs "$d")" leak_here 1 32
	# __lsan_default_options: malloc_context_size=20 is LEAK_DEPTH
	[ "$(dump_field "$d" depth)" = 20 ] || fail "depth $(dump_field "$d" depth)"
}

test_lsan_final_check_once() {
	local exe d
	exe=$(build_prog lsan_iface) || exit 1
	run_leak "$exe" final
	expect_status 0
	[ "$(grep -c 'final leak check' "$T/leak.err")" -eq 1 ] || fail "final checks: $(cat "$T/leak.err")"
	d=$(dump_only) || exit 1
	[ "$(dump_field "$d" kind)" = exit ] || fail "kind $(dump_field "$d" kind)"
	funcs=$(dump_funcs "$d")
	expect_func "$funcs" leak_here 1 32 # the 64-byte leak after it is never checked
}

test_lsan_default_suppressions() {
	local exe d
	exe=$(build_prog lsan_iface) || exit 1
	run_leak "$exe" suppress
	d=$(dump_only) || exit 1
	grep -qx 'suppress leak:suppressed_here' "$d" || fail "no suppress line: $(grep '^suppress' "$d")"
	"$LEAKREPORT" "$d" >r.txt && fail "the gate passed (leak_here still leaks)"
	grep -q "by leak:suppressed_here (lsan_iface[^ ]*'s __lsan_default_suppressions:2)" r.txt ||
		fail "rule not named as the program's: $(grep -A3 '^Suppressed' r.txt)"
	grep -q 'in suppressed_here' r.txt && fail "the suppressed leak is listed"
	grep -q 'in leak_here' r.txt || fail "leak_here not listed"
	# the block only the suppressed leak reaches is not listed either; the
	# other tree's is (both come from child_of, from different callers)
	j=$(report_json "$d")
	[ "$(printf '%s' "$j" | jq '[.leaks[] | select(.kind == "indirect")] | length')" -eq 1 ] ||
		fail "indirect records: $(printf '%s' "$j" | jq -c '[.leaks[] | select(.kind == "indirect") | .frames[1].function]')"
	[ "$(printf '%s' "$j" | jq -r '.leaks[] | select(.kind == "indirect") | "\(.frames[1].function) \(.blocks)"')" = "listed_tree 1" ] ||
		fail "the indirect record is not listed_tree's"
	[ "$(printf '%s' "$j" | jq '.summary.suppressed.bytes')" -eq 96 ] ||
		fail "suppressed: $(printf '%s' "$j" | jq -c '.summary.suppressed')"
	grep -q '^own ' "$d" || fail "no own lines in the dump"
}

test_lsan_turned_off() {
	local exe
	exe=$(build_prog lsan_iface) || exit 1
	run_leak "$exe" off
	expect_status 0
	grep -qx off "$T/leak.out" || fail "$(cat "$T/leak.out")"
	[ -z "$(dump_list)" ] || fail "a dump was written: $(ls "$T/out")"
	grep -q 'turned the exit leak check off' "$T/leak.err" || fail "no line: $(cat "$T/leak.err")"
}

test_lsan_ignore_disable_root_region() {
	local exe d j
	exe=$(build_prog lsan_iface) || exit 1
	run_leak "$exe" ignore
	expect_status 0
	d=$(dump_only) || exit 1
	j=$(report_json "$d")
	[ "$(printf '%s' "$j" | jq '.summary.leaked.blocks')" -eq 1 ] || fail "leaked $(printf '%s' "$j" | jq -c '.summary.leaked')"
	[ "$(leaks_of "$j" ignored_here)" = "reachable 1 72 ignored" ] || fail "ignored_here: $(leaks_of "$j" ignored_here)"
	[ "$(leaks_of "$j" disabled_here)" = "reachable 1 88 ignored" ] || fail "disabled_here: $(leaks_of "$j" disabled_here)"
	[ "$(leaks_of "$j" main | awk '$4 == "region"' | wc -l)" -eq 1 ] || fail "main: $(leaks_of "$j" main | tr '\n' ';')"
}

# ---- examples/testrunner.c: a test runner that checks after each test -------

test_example_testrunner() {
	local exe
	exe=$T/testrunner
	$CC -g -O0 -Wall -I"$ROOT/preload" -o "$exe" "$ROOT/examples/testrunner.c" 2>build.log ||
		fail "build: $(head -n 3 build.log)"
	run_plain "$exe"
	[ "$PLAIN_STATUS" -eq 0 ] || fail "without the preload: exit $PLAIN_STATUS: $(cat "$T/plain.out")"
	grep -qx '0 of 3 tests failed' "$T/plain.out" || fail "without the preload: $(cat "$T/plain.out")"
	LEAKREPORT=$LEAKREPORT LIBLEAK=$LIBLEAK "$ROOT/scripts/leakcheck" -- "$exe" >out.txt 2>err.txt
	[ $? -eq 1 ] || fail "leakcheck: exit $?, expected the runner's 1: $(tail -n 2 err.txt)"
	grep -qx 'PASS list_is_freed' out.txt && grep -qx 'PASS cache_is_kept' out.txt ||
		fail "the clean tests: $(head -n 5 out.txt)"
	grep -qx 'FAIL label_leaks: 1 block(s) leaked' out.txt || fail "the leaking test: $(cat out.txt)"
	# the runner names the leaking stack (leakreport on that check's dump)
	grep -A2 '^Direct leak of 9 byte(s)' out.txt | grep -q 'in make_label .*testrunner.c' ||
		fail "no stack for the leak: $(head -n 12 out.txt)"
	# and leakcheck's gate counts it once, from the check's dump
	grep -q 'leaks: failed, 1 record over the gate' err.txt || fail "gate: $(tail -n 1 err.txt)"
}

test_leakcheck_turned_off_program() {
	local exe
	exe=$(build_prog lsan_iface) || exit 1
	LEAKREPORT=$LEAKREPORT LIBLEAK=$LIBLEAK "$ROOT/scripts/leakcheck" -- "$exe" off >out.txt 2>err.txt ||
		fail "leakcheck: exit $?: $(tail -n 2 err.txt)"
	grep -q 'leaks: none checked (the program turned leak checking off)' err.txt || fail "$(tail -n 1 err.txt)"
}

# A check while another thread reallocs the one block that points to a
# child (the block out of the map inside realloc, or running with every
# signal blocked inside libunwind): the child is never lost.
test_check_now_while_a_thread_reallocs() {
	local exe
	exe=$(build_api api_realloc_race) || exit 1
	run_plain "$exe"
	grep -qx 'lost 0' "$T/plain.out" || fail "without the preload: $(cat "$T/plain.out")"
	for i in 1 2 3; do
		run_leak "$exe"
		expect_status 0
		grep -qx 'lost 0' "$T/leak.out" ||
			fail "run $i: $(cat "$T/leak.out"): $(grep -v ' 0 new block' "$T/leak.err" | head -n 2 | tr '\n' ' ')"
		rm -f "$T"/out/*
	done
}
