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

# dlclose() of a library and dlopen() of another at the same address, with
# the same return address in front of a smaller frame: the rules, the
# distances and the chains learned for the first must not be used for the
# second (nor libunwind's cached recipes). Without that, the second
# library's leak was reported without call_it, libunwind agreeing.
test_stack_cache_library_reloaded_at_same_address() {
	local exe big small d line stack pcs second
	exe=$(build_prog dl_reload -O2 -fomit-frame-pointer) || exit 1
	big=$(build_lib dl_frames_lib -O2 -fomit-frame-pointer -DFRAME=1024) || exit 1
	mv "$big" "$T/libframes_big.so" && big=$T/libframes_big.so
	small=$(build_lib dl_frames_lib -O2 -fomit-frame-pointer -DFRAME=256) || exit 1
	mv "$small" "$T/libframes_small.so" && small=$T/libframes_small.so
	LEAK_VERIFY_STACKS=1 LEAK_QUIET=1 run_both "$exe" "$big" "$small"
	expect_status 0
	grep -q '^same address: 1$' "$T/leak.out" ||
		fail "the loader mapped the two libraries at different addresses: the case cannot be made ($(cat "$T/leak.out"))"
	line=$(grep 'stack cache:' "$T/leak.err") || fail "no verification line: $(head -c 300 "$T/leak.err")"
	note "$line"
	[ "$(printf '%s\n' "$line" | awk '{ print $7 }')" = 0 ] || fail "stacks differed from unwinding: $line"
	d=$(dump_only) || exit 1
	# Both kept blocks, one of each library; the same return addresses
	# make them one stack when both are walked right.
	[ "$(awk '$1 == "rec" && $3 == "definite" { b += $4; n += $5 } END { print b + 0, n + 0 }' "$d")" = "2 88" ] ||
		fail "expected 2 definite blocks of 88 bytes: $(grep '^rec' "$d" | tr '\n' ';')"
	for stack in $(awk '$1 == "rec" && $3 == "definite" { print $2 }' "$d"); do
		pcs=$(dump_stack_pcs "$d" "$stack")
		second=$(printf '%s\n' "$pcs" | sed -n 2p)
		[ "$(sym_pc "$d" "$second")" = call_it ] ||
			fail "a kept block's second frame is $(sym_pc "$d" "$second"), not call_it (pcs: $(printf '%s' "$pcs" | tr '\n' ' '))"
	done
}
