# stop_blocked.sh - threads that block every signal (liblzma's workers,
# many thread pools) cannot take the exit scan's stop signal: the scan must
# not wait for them, and their stacks still count as roots (scanned from
# the stack pointer of the system call they sit in; their registers are
# not seen).

check_sigblock_workers() {
	local exe d f t0 t1 ms
	exe=$(build_prog sigblock_workers "$@") || exit 1
	run_plain "$exe"
	t0=$(date +%s%N)
	run_leak "$exe"
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	note "$*: ${ms} ms under libleak"
	expect_status 0
	[ "$(cat "$T/leak.out")" = "workers parked" ] || fail "stdout: $(head -c 200 "$T/leak.out")"
	# The old stop waited 2 s per round for threads that could never answer.
	[ "$ms" -lt 1000 ] || fail "$*: the run took ${ms} ms: the exit scan waited for the workers"
	grep -q 'did not answer' "$T/leak.err" &&
		fail "$*: a wait was reported: $(grep 'did not answer' "$T/leak.err")"
	d=$(dump_only) || exit 1
	f=$(dump_funcs "$d") || exit 1
	[ "$(printf '%s\n' "$f" | awk '$1 == "held_leak" && $2 == "definite" { b += $3; n += $4 }
		END { print b + 0, n + 0 }')" = "2 80" ] ||
		fail "$*: held_leak's blocks are not 2 definite, 80 bytes: $(funcs_brief "$f")"
	[ "$(printf '%s\n' "$f" | awk '$1 == "held_block" && $2 == "reachable" { b += $3; n += $4 }
		END { print b + 0, n + 0 }')" = "2 144" ] ||
		fail "$*: held_block's blocks are not 2 reachable, 144 bytes: $(funcs_brief "$f")"
}

test_sigblock_workers_O0() {
	check_sigblock_workers -O0
}

test_sigblock_workers_O2() {
	check_sigblock_workers -O2 -fomit-frame-pointer
}
