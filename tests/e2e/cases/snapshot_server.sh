# snapshot_server.sh - snapshots of a running program (LEAK_SNAPSHOT_INTERVAL,
# LEAK_SNAPSHOT_SIGNAL), their live figures, and leakreport trend/diff on
# them: the leaking stack is flagged, the cache that fills to a cap is not.

snap_run() {
	local exe
	exe=$(build_prog snap_server) || exit 1
	run_plain "$exe"
	LEAK_SNAPSHOT_INTERVAL=0.1 run_leak "$exe"
	[ "$PLAIN_STATUS" -eq "$LEAK_STATUS" ] || fail "exit status $PLAIN_STATUS vs $LEAK_STATUS"
	cmp -s "$T/plain.out" "$T/leak.out" || fail "stdout differs with the preload"
}

test_snapshot_files_and_live_figures() {
	local n f pid
	snap_run
	n=$(ls "$T"/out/leak.*.*.dump 2>/dev/null | wc -l)
	[ "$n" -ge 8 ] || fail "expected >= 8 snapshots in 1.5 s at 0.1 s, got $n"
	pid=$(dump_field "$(dump_list | grep -Ev '\.[0-9]+\.[0-9]+\.dump$' | head -n 1)" pid)
	for f in "$T"/out/leak."$pid".*.dump; do
		dump_valid "$f"
		[ "$(dump_field "$f" kind)" = snapshot ] || fail "$f: kind is not snapshot"
		[ "$(dump_field "$f" atomic)" = 0 ] || fail "$f: a snapshot must say atomic 0"
		[ "$(dump_field "$f" scan)" = none ] || fail "$f: snapshots are not scanned"
		[ "$(dump_stat "$f" rss_bytes)" -gt 0 ] || fail "$f: no rss_bytes"
		[ "$(dump_stat "$f" uptime_ms)" -gt 0 ] || fail "$f: no uptime_ms"
		[ "$(dump_stat "$f" peak_bytes)" -ge "$(dump_stat "$f" live_bytes)" ] ||
			fail "$f: peak below live"
	done
	# seq numbers are 1..n with no gap, and match the file names
	for i in $(seq 1 "$n"); do
		[ "$(dump_field "$T/out/leak.$pid.$i.dump" seq)" = "$i" ] || fail "snapshot $i has the wrong seq"
	done
}

test_snapshot_trend_flags_only_the_leak() {
	local out
	snap_run
	out=$("$LEAKREPORT" trend --format json "$T"/out/leak.*.*.dump) || fail "trend exited $?"
	printf '%s' "$out" | grep -q '"handle_request"' || fail "trend did not flag handle_request: $(printf '%s' "$out" | head -c 400)"
	printf '%s' "$out" | grep -q '"cache_put"' && fail "trend flagged the cache: $(printf '%s' "$out" | head -c 400)"
	"$LEAKREPORT" trend --fail-on growth "$T"/out/leak.*.*.dump >/dev/null
	[ $? -eq 1 ] || fail "--fail-on growth did not exit 1"
	return 0
}

test_snapshot_diff_shows_leak_and_cache() {
	local first last out
	snap_run
	first=$(ls "$T"/out/leak.*.1.dump)
	last=$(ls "$T"/out/leak.*.*.dump | sort -t. -k3 -n | tail -n 1)
	out=$("$LEAKREPORT" diff "$first" "$last") || fail "diff exited $?"
	printf '%s' "$out" | grep -q handle_request || fail "diff lacks handle_request"
	printf '%s' "$out" | grep -q cache_put || fail "diff lacks cache_put (it grew between the first snapshots)"
}

test_snapshot_on_signal() {
	local exe pid n
	exe=$(build_prog snap_server) || exit 1
	LEAK_SNAPSHOT_SIGNAL=USR2 LD_PRELOAD="$LIBLEAK" LEAK_OUTPUT="$T/out/leak.%p.dump" \
		"$exe" >"$T/leak.out" 2>"$T/leak.err" &
	pid=$!
	sleep 0.4
	kill -USR2 "$pid"
	sleep 0.3
	kill -USR2 "$pid"
	wait "$pid" || fail "program failed with status $?"
	n=$(ls "$T"/out/leak."$pid".*.dump 2>/dev/null | wc -l)
	[ "$n" -eq 2 ] || fail "expected 2 snapshots from 2 signals, got $n"
	grep -q served "$T/leak.out" || fail "the program did not finish its work"
}

test_snapshot_bad_settings() {
	local exe
	exe=$(build_prog snap_server) || exit 1
	for bad in "LEAK_SNAPSHOT_SIGNAL=NOPE" "LEAK_SNAPSHOT_SIGNAL=KILL" "LEAK_SNAPSHOT_INTERVAL=0" \
	    "LEAK_SNAPSHOT_INTERVAL=-1" "LEAK_SNAPSHOT_INTERVAL=abc" "LEAK_WARN_BYTES=12k" \
	    "LEAK_WARN_PERCENT=0" "LEAK_WARN_PERCENT=101"; do
		rm -f "$T"/out/*
		LEAK_QUIET=1 run_leak env "$bad" "$exe"
		expect_status 0
		[ "$(libleak_lines "$T/leak.err")" -eq 1 ] || fail "$bad: want one libleak: line, got: $(tr '\n' '|' <"$T/leak.err")"
		[ "$(ls "$T"/out/*.*.*.dump 2>/dev/null | wc -l)" -eq 0 ] || fail "$bad: snapshots were written"
	done
}

test_warn_bytes_once() {
	local exe
	exe=$(build_prog snap_server) || exit 1
	LEAK_QUIET=1 LEAK_WARN_BYTES=4000 run_leak "$exe"
	expect_status 0
	[ "$(grep -c 'LEAK_WARN_BYTES' "$T/leak.err")" -eq 1 ] || fail "want one warning: $(tr '\n' '|' <"$T/leak.err")"
	grep 'LEAK_WARN_BYTES' "$T/leak.err" | grep -q 'snap_server' || fail "the warning names no stack in the program: $(cat "$T/leak.err")"
}

test_warn_percent_rlimit() {
	local exe
	exe=$(build_prog snap_server) || exit 1
	# 1% of a 1 GiB address-space limit is ~10 MB: never reached, no line;
	# 0.001% is not allowed (integers 1..100). Check the limit is seen:
	( ulimit -v 1048576; LEAK_QUIET=1 LEAK_WARN_PERCENT=1 run_leak "$exe"; exit "$LEAK_STATUS" ) ||
		fail "program failed under ulimit -v"
	[ "$(libleak_lines "$T/leak.err")" -eq 0 ] || fail "unexpected line: $(cat "$T/leak.err")"
	LEAK_QUIET=1 LEAK_WARN_PERCENT=50 run_leak "$exe"
	grep -q "no memory limit" "$T/leak.err" || [ -n "$(cat /sys/fs/cgroup/memory.max 2>/dev/null | grep -v max)" ] ||
		fail "no 'no memory limit' line without a limit: $(cat "$T/leak.err")"
}

test_warn_percent_fires_once() {
	local exe
	exe=$(build_prog snap_server) || exit 1
	# 300 requests of 32 KiB: ~9.6 MiB live; 1% of a 512 MiB limit is ~5 MiB.
	( ulimit -v 524288; LEAK_QUIET=1 LEAK_WARN_PERCENT=1 run_leak "$exe" 32768; exit "$LEAK_STATUS" ) ||
		fail "program failed under ulimit -v"
	[ "$(grep -c 'LEAK_WARN_PERCENT=1%' "$T/leak.err")" -eq 1 ] ||
		fail "want one LEAK_WARN_PERCENT line: $(tr '\n' '|' <"$T/leak.err")"
	grep 'LEAK_WARN_PERCENT' "$T/leak.err" | grep -q '536870912 bytes' ||
		fail "the line does not give the limit: $(cat "$T/leak.err")"
}
