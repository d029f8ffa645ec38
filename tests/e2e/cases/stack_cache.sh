# stack_cache.sh - the differential test of the stack cache: with
# LEAK_VERIFY_STACKS=1 every cache hit is unwound again with libunwind and
# compared; any difference fails. Deep, varied and recursive paths, frames
# sized by alloca, two threads; built -O0, -O2 with frame pointers and -O2
# without, as distributions build.

check_stack_cache() {
	local exe line hits diffs
	exe=$(build_prog stack_paths "$@") || exit 1
	LEAK_VERIFY_STACKS=1 LEAK_QUIET=1 run_both "$exe"
	expect_status 0
	line=$(grep 'stack cache:' "$T/leak.err") || fail "no verification line: $(head -c 300 "$T/leak.err")"
	hits=$(printf '%s\n' "$line" | awk '{ print $4 }')
	diffs=$(printf '%s\n' "$line" | awk '{ print $7 }')
	note "$*: $line"
	[ "$diffs" = 0 ] || fail "$*: $diffs cache hits named another stack than unwinding: $line"
	[ "$hits" -gt 1000 ] || fail "$*: only $hits hits: the cache was not exercised"
	dump_only >/dev/null || exit 1
}

test_stack_cache_O0() {
	check_stack_cache -O0
}

test_stack_cache_O2_frame_pointers() {
	check_stack_cache -O2 -fno-omit-frame-pointer
}

test_stack_cache_O2_no_frame_pointers() {
	check_stack_cache -O2 -fomit-frame-pointer
}

# The dump of a run with the cache and of one that unwinds every time name
# the same stacks for the same blocks.
test_stack_cache_same_dump_as_unwinding() {
	local exe a b
	exe=$(build_prog leak_loop -O2 -fomit-frame-pointer) || exit 1
	LEAK_QUIET=1 run_leak "$exe" 2000
	a=$(dump_funcs "$(dump_only)" | sort) || exit 1
	rm -f "$T"/out/*
	LEAK_QUIET=1 LEAK_VERIFY_STACKS=1 run_leak "$exe" 2000
	b=$(dump_funcs "$(dump_only)" | sort) || exit 1
	[ "$a" = "$b" ] || fail "records differ: [$a] vs [$b]"
}

# Allocations in a signal handler on an alternate stack, among cached ones.
test_stack_cache_signal_frames() {
	local exe line
	for o in -O0 -O2; do
		rm -f "$T"/out/*
		exe=$(build_prog stack_signal "$o") || exit 1
		LEAK_VERIFY_STACKS=1 LEAK_QUIET=1 run_both "$exe"
		line=$(grep 'stack cache:' "$T/leak.err") || fail "no verification line"
		[ "$(printf '%s\n' "$line" | awk '{ print $7 }')" = 0 ] || fail "$o: $line"
		[ "$(printf '%s\n' "$line" | awk '{ print $4 }')" -gt 1000 ] || fail "$o: too few hits: $line"
		[ "$(func_sum "$(dump_funcs "$(dump_only)")" on_usr1)" = "1000 24000" ] ||
			fail "$o: the handler's 1000 blocks are not all attributed to on_usr1"
	done
}

# Short-lived threads take over the stack caches of the dead threads whose
# stack blocks they reuse; no hit may name another stack than unwinding.
test_stack_cache_thread_takeover() {
	local exe line
	for o in -O0 -O2; do
		rm -f "$T"/out/*
		exe=$(build_prog stack_threads "$o") || exit 1
		LEAK_VERIFY_STACKS=1 LEAK_QUIET=1 run_both "$exe"
		expect_status 0
		line=$(grep 'stack cache:' "$T/leak.err") || fail "no verification line"
		note "$o: $line"
		[ "$(printf '%s\n' "$line" | awk '{ print $7 }')" = 0 ] || fail "$o: $line"
		[ "$(printf '%s\n' "$line" | awk '{ print $4 }')" -gt 10000 ] || fail "$o: too few hits: $line"
		[ "$(func_sum "$(dump_funcs "$(dump_only)")" leak_in_thread)" = "400 16000" ] ||
			fail "$o: the 400 leaked blocks are not all attributed to leak_in_thread"
	done
}
