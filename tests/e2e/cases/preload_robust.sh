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
