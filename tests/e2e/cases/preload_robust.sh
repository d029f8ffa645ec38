# preload_robust.sh - the preload never hangs, crashes or changes the
# program: lock orders the program can invert, memory it makes unreadable,
# racing exits.

# The deadlock of a malloc inside a dl_iterate_phdr() callback (the loader's
# lock held) against a thread whose unwind held libunwind's lock and waited
# for the loader's: 300 runs, each under a timeout.
test_no_deadlock_in_loader_callbacks() {
	local exe i hung=0 bad=0
	exe=$(build_prog dl_race -O1) || exit 1
	for i in $(seq 1 300); do
		rm -f "$T"/out/*
		timeout -k 2 10 env LD_PRELOAD="$LIBLEAK" LEAK_QUIET=1 LEAK_OUTPUT="$T/out/leak.%p.dump" \
			"$exe" >"$T/race.out" 2>"$T/race.err"
		case $? in
		0) [ "$(cat "$T/race.out")" = done ] || bad=$((bad + 1)) ;;
		124 | 137) hung=$((hung + 1)) ;;
		*) bad=$((bad + 1)) ;;
		esac
	done
	[ "$hung" -eq 0 ] || fail "$hung of 300 runs hung"
	[ "$bad" -eq 0 ] || fail "$bad of 300 runs failed: $(head -c 200 "$T/race.err")"
	dump_only >/dev/null || exit 1
}

# A heap block with a PROT_NONE page at exit: the scan skips the page, never
# faults, and the dump says how much it skipped. Valgrind agrees on the
# classes.
test_scan_skips_prot_none_memory() {
	local exe d
	exe=$(build_prog prot_none) || exit 1
	run_both "$exe"
	expect_status 0
	d=$(dump_only) || exit 1
	[ "$(dump_sum "$d" definite)" = "1 24" ] || fail "definite: $(dump_sum "$d" definite)"
	[ "$(dump_sum "$d" reachable)" = "2 12336" ] || fail "reachable: $(dump_sum "$d" reachable)"
	[ "$(dump_stat "$d" unreadable)" = 4096 ] || fail "unreadable: $(dump_stat "$d" unreadable)"
	if command -v valgrind >/dev/null 2>&1; then
		valgrind --leak-check=full --show-leak-kinds=all --log-file="$T/vg.log" "$exe" >/dev/null 2>&1
		grep -q "definitely lost: 24 bytes in 1 blocks" "$T/vg.log" || fail "valgrind: $(grep 'lost:' "$T/vg.log" | tr '\n' ' ')"
		grep -q "still reachable: 12,336 bytes in 2 blocks" "$T/vg.log" || fail "valgrind: $(grep 'reachable:' "$T/vg.log")"
	fi
}

# exit_runs MODE RUNS STATUS: RUNS runs of exit_race MODE must each end with
# STATUS and write exactly one complete dump holding the one leaked block.
exit_runs() {
	local exe i st n bad=0 why=
	exe=$(build_prog exit_race) || exit 1
	for i in $(seq 1 "$2"); do
		rm -rf "$T/out" && mkdir -p "$T/out"
		timeout -k 2 10 env LD_PRELOAD="$LIBLEAK" LEAK_QUIET=1 LEAK_OUTPUT="$T/out/leak.%p.dump" \
			"$exe" "$1" >/dev/null 2>"$T/exit.err"
		st=$?
		n=$(dump_list | wc -l)
		if [ "$st" -ne "$3" ] || [ "$n" -ne 1 ]; then
			bad=$((bad + 1))
			why="status $st, $n dumps"
			continue
		fi
		[ "$(dump_sum "$(dump_list)" definite)" = "1 32" ] || { bad=$((bad + 1)); why="definite: $(dump_sum "$(dump_list)" definite)"; }
	done
	[ "$bad" -eq 0 ] || fail "exit_race $1: $bad of $2 runs wrong (last: $why)"
}

test_exit_two_threads_at_once() { exit_runs two 200 7; }
test_exit_main_returns_while_worker_exits() { exit_runs main 100 3; }
test_exit_late_worker_keeps_main_status() { exit_runs late 20 0; }
test_exit_two_threads_underscore_exit() { exit_runs underscore 50 9; }

# After exec the new image (same pid) numbers its snapshots past the old
# image's files instead of colliding with them.
test_snapshots_across_exec() {
	local exe
	exe=$(build_prog snap_exec) || exit 1
	LEAK_SNAPSHOT_SIGNAL=USR2 run_leak "$exe" "$T/out"
	expect_status 0
	[ "$(cat "$T/leak.out")" = "4 snapshots" ] || fail "stdout: $(cat "$T/leak.out"); stderr: $(head -c 300 "$T/leak.err")"
	grep -q "exists already" "$T/leak.err" && fail "a snapshot was refused: $(grep -m1 exists "$T/leak.err")"
	[ "$(dump_list | wc -l)" -eq 5 ] || fail "$(dump_list | wc -l) dumps: $(ls "$T/out" | tr '\n' ' ')"
}

# Under an address-space limit (ulimit -v) 15% above what the program needs,
# the program still gets its memory: libleak reserves no sparse maps there,
# takes at most a sixteenth of the limit, then stops tracking (one line;
# the dump counts the dropped blocks).
test_address_space_limit_program_first() {
	local exe peak limit d
	exe=$(build_prog as_limit) || exit 1
	run_plain "$exe" 100000
	peak=$(awk '$1 == "ok" { print $2 }' "$T/plain.out")
	[ -n "$peak" ] || fail "plain run: $(cat "$T/plain.out")"
	limit=$((peak * 115 / 100))
	( ulimit -v "$limit" && exec "$exe" 100000 ) >"$T/lim_plain.out" 2>&1
	grep -q '^ok' "$T/lim_plain.out" || fail "plain run under ulimit -v $limit: $(cat "$T/lim_plain.out")"
	( ulimit -v "$limit" && LD_PRELOAD="$LIBLEAK" LEAK_OUTPUT="$T/out/leak.%p.dump" exec "$exe" 100000 ) \
		>"$T/lim.out" 2>"$T/lim.err"
	grep -q '^ok' "$T/lim.out" || fail "under libleak and ulimit -v $limit: $(cat "$T/lim.out") $(head -c 300 "$T/lim.err")"
	grep -q "address-space limit (ulimit -v) is near" "$T/lim.err" || fail "no line about the limit: $(head -c 300 "$T/lim.err")"
	d=$(dump_only) || exit 1
	[ "$(dump_stat "$d" dropped)" -gt 0 ] || fail "nothing dropped"
}

# Values of pthread keys past 31 live in a per-thread array glibc callocs
# on first use; when that first use is libleak's own (libunwind's key), the
# array is tracked as internal: read as a root, never reported.
test_keys_past_31_keep_their_values() {
	local lib exe d blocks bytes c
	lib=$(build_lib keys_lib) || exit 1
	exe=$(build_prog keys_past_32 -O0 "$lib" "-Wl,-rpath,$T") || exit 1
	run_both "$exe"
	d=$(dump_only) || exit 1
	for c in definite indirect possible; do
		[ "$(dump_sum "$d" "$c")" = "0 0" ] || fail "$c: $(dump_sum "$d" "$c"); recs: $(dump_recs "$d" | tr '\n' ';')"
	done
	# reachable: the 4 program blocks (704 bytes) and the DTVs of the two
	# threads, which ld.so allocates (256..512 bytes each)
	read -r blocks bytes <<<"$(dump_sum "$d" reachable)"
	[ "$blocks" -eq 6 ] && [ $((bytes - 704)) -ge 512 ] && [ $((bytes - 704)) -le 1024 ] ||
		fail "reachable: $blocks $bytes, expected 6 blocks, 704 bytes and two DTVs; recs: $(dump_recs "$d" | tr '\n' ';')"
	if command -v valgrind >/dev/null 2>&1; then
		valgrind --leak-check=full --log-file="$T/vg.log" "$exe" >/dev/null 2>&1
		grep -q "definitely lost: 0 bytes" "$T/vg.log" || fail "valgrind: $(grep 'lost:' "$T/vg.log" | tr '\n' ' ')"
	fi
}

# A process killed while it writes its dump leaves nothing behind: the dump
# is written to an unnamed file (O_TMPFILE) and linked in when complete.
test_kill_during_dump_leaves_nothing() {
	local exe i pid left complete=0
	exe=$(build_prog dump_many -O1) || exit 1
	for i in 1 2 3 4 5 6 7 8; do
		rm -rf "$T/out" && mkdir -p "$T/out"
		: >"$T/many.out"
		env LD_PRELOAD="$LIBLEAK" LEAK_QUIET=1 LEAK_OUTPUT="$T/out/leak.%p.dump" "$exe" \
			>"$T/many.out" 2>/dev/null &
		pid=$!
		while ! grep -q exiting "$T/many.out" 2>/dev/null; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.01
		done
		sleep "0.0$((i * 3))"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		left=$(ls -A "$T/out")
		case "$left" in
		"") ;;
		leak.*.dump) dump_valid "$T/out/$left"; complete=$((complete + 1)) ;;
		*) fail "run $i: left behind: $left" ;;
		esac
	done
	note "$complete of 8 runs finished their dump before the kill"
}

# Every mmap denied (a seccomp sandbox) when the dump is due: the one line
# says what failed, the program's status is its own.
test_dump_denied_memory_says_so() {
	local exe
	exe=$(build_prog deny_mmap_at_exit) || exit 1
	run_both "$exe"
	expect_status 0
	grep -q "^libleak: cannot map memory for the dump '.*': Operation not permitted$" "$T/leak.err" ||
		fail "stderr: $(cat "$T/leak.err")"
	[ "$(dump_list | wc -l)" -eq 0 ] || fail "a dump was written"
}

# A file in the dump's directory named as the old temporary name
# (<target>.tmp.<pid>, made first by someone else in a shared directory)
# does not stop the dump. Shell builtins only: a child would write a dump.
test_precreated_temporary_name_is_harmless() {
	local exe
	exe=$(build_prog leak_plain) || exit 1
	run_leak sh -c ': >"$1/leak.$$.dump.tmp.$$"; exec "$2"' sh "$T/out" "$exe"
	expect_status 3         # leak_plain's own
	[ "$(ls "$T/out" | grep -c '\.dump$')" -eq 1 ] || fail "no dump: $(ls "$T/out"; cat "$T/leak.err")"
	dump_valid "$(ls "$T"/out/*.dump)"
}

# small_run PROG OUTPUT FUNC BLOCKS BYTES: PROG (built -O0, frame pointers:
# a stack-cache miss walks with libunwind) runs as without libleak, exits
# 0, prints OUTPUT, and its one dump has FUNC leaking BLOCKS and BYTES.
small_run() {
	local exe d
	exe=$(build_prog "$1" -O0) || exit 1
	run_both "$exe"
	expect_status 0
	[ "$(cat "$T/leak.out")" = "$2" ] || fail "output: $(cat "$T/leak.out")"
	d=$(dump_only) || exit 1
	expect_func "$(dump_funcs "$d")" "$3" "$4" "$5"
}

# Threads on 16 KiB stacks that allocate through frames libunwind must walk:
# no crash, the same output, and their leaks reported with their stack.
test_threads_on_smallest_stacks() {
	small_run small_stack "small stacks done" leak_small 4 160
}

# The exit dump and leak_check_now() on a thread with a 16 KiB stack: they
# run on a stack of libleak's own; the status, the output and the leaks
# are as on a big stack.
test_exit_and_check_on_smallest_stack() {
	local exe d
	exe=$(build_prog small_stack -O0) || exit 1
	run_both "$exe" exit
	expect_status 3
	d=$(dump_only) || exit 1
	expect_func "$(dump_funcs "$d")" leak_small 4 160
	rm -f "$T"/out/*
	run_leak "$exe" check
	expect_status 0
	grep -qx "check 4" "$T/leak.out" || fail "leak_check_now() on the small stack: $(cat "$T/leak.out")"
}

# dlopen with RTLD_DEEPBIND on a thread with a 16 KiB stack: libleak's
# deepbind path keeps its scratch off the stack.
test_deepbind_dlopen_on_smallest_stack() {
	local exe
	exe=$(build_prog small_stack -O0) || exit 1
	run_both "$exe" deepbind
	expect_status 0
	grep -qx "deepbind 1" "$T/leak.out" || fail "output: $(cat "$T/leak.out")"
}

# A handler on an 8 KiB signal stack that allocates: a stack-cache miss
# there does not call libunwind (about 7 KB), which ran off the stack.
test_allocation_on_small_signal_stack() {
	small_run alt_stack "handled 3" leak_in_handler 3 72
}
