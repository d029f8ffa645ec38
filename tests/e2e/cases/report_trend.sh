# report_trend.sh - leakreport diff and trend on snapshot dumps of one
# process. The snapshots are written here by hand (dump format v1, kind
# snapshot, seq 1.., increasing time) and point at a real -O0 -g program
# compiled here, so their frames symbolize to its functions:
#   leak_grow    1024 bytes more at every snapshot (a leak)
#   cache_fill   grows for 3 snapshots, then stays at its cap (not a leak)
#   temp_buffer  live in the first two snapshots only, then freed
# trend must flag leak_grow alone; diff must show both growing stacks and
# the freed one; bad input exits 2 with one clear line. Needs jq.

# trend_prog, setup_app, snap and series are in lib.sh (report_html.sh
# draws their timeline too).

test_trend_flags_only_the_leak() {
	command -v jq >/dev/null || fail "jq is not installed"
	setup_app
	series
	"$LEAKREPORT" trend --format json s5.dump s1.dump s8.dump s3.dump s2.dump s7.dump \
		s4.dump s6.dump >t.json 2>e.txt
	[ $? -eq 0 ] || fail "trend exited $?: $(cat e.txt)"
	[ ! -s e.txt ] || fail "trend wrote to stderr: $(cat e.txt)"
	jq -e '.version == 1 and .command == "trend" and .pid == 4242 and .min_steps == 5 and
		.stacks == 3 and ([.dumps[].seq] == [1,2,3,4,5,6,7,8])' t.json >/dev/null ||
		fail "header: $(jq -c '{version, command, pid, min_steps, stacks, s: [.dumps[].seq]}' t.json)"
	[ "$(jq -r '[.growing[].frames[0].function] | join(",")' t.json)" = leak_grow ] ||
		fail "flagged: $(jq -c '[.growing[].frames[0].function]' t.json), want [leak_grow]"
	# 7 steps from s1 (1024) to s8 (8192) over 70 s
	jq -e '.growing[0] | .steps == 7 and .growth_bytes == 7168 and
		.bytes_per_second == 102.4 and .first_bytes == 1024 and .last_bytes == 8192 and
		.first_seq == 1 and .seconds == 70 and .frames[1].function == "main" and
		(.frames[0].file | endswith("trend_app.c"))' t.json >/dev/null ||
		fail "leak_grow item: $(jq -c '.growing[0] | del(.frames)' t.json)"
	# text: one Growing record, naming leak_grow, not cache_fill
	"$LEAKREPORT" trend s*.dump >t.txt || fail "trend text exited $?"
	[ "$(grep -c '^Growing: ' t.txt)" -eq 1 ] || fail "text: $(head -n 5 t.txt)"
	grep -q '^Growing: +7168 bytes over the last 7 steps, 102.4 bytes/s, from:$' t.txt ||
		fail "text head: $(head -n 1 t.txt)"
	grep -q ' in leak_grow .*trend_app.c:' t.txt || fail "text frames: $(head -n 3 t.txt)"
	grep -q 'cache_fill' t.txt && fail "cache_fill flagged: $(cat t.txt)"
	grep -q '^SUMMARY: 1 of 3 stacks ' t.txt || fail "text summary: $(tail -n 1 t.txt)"
	# the run must reach the last snapshot: without s8... still 6 steps;
	# --min-steps 8 needs 9 dumps; --min-steps 7 flags (7 steps), so does 1
	"$LEAKREPORT" trend --min-steps 7 --format json s*.dump | jq -e '.growing | length == 1' \
		>/dev/null || fail "--min-steps 7 does not flag the 7-step run"
	"$LEAKREPORT" trend --min-steps=1 --format json s*.dump |
		jq -e '[.growing[].frames[0].function] == ["leak_grow"]' >/dev/null ||
		fail "--min-steps 1 flags the flat cache"
}

test_trend_fail_on_growth() {
	setup_app
	series
	"$LEAKREPORT" trend --fail-on growth s*.dump >/dev/null 2>e.txt
	[ $? -eq 1 ] || fail "--fail-on growth with a leak: exit $?, want 1 ($(cat e.txt))"
	"$LEAKREPORT" trend --fail-on none s*.dump >/dev/null || fail "--fail-on none: exit $?"
	# the leak stops growing at s8: nothing is flagged, exit 0
	snap s8.dump 8 1080.250000 7168 12288 0
	"$LEAKREPORT" trend --fail-on growth s*.dump >o.txt 2>e.txt
	[ $? -eq 0 ] || fail "--fail-on growth, flat at the end: exit $? ($(cat e.txt))"
	grep -q '^Growing' o.txt && fail "flagged though flat at the end: $(head -n 3 o.txt)"
	grep -q '^SUMMARY: 0 of 3 stacks ' o.txt || fail "summary: $(tail -n 1 o.txt)"
}

test_diff_shows_growth_and_frees() {
	command -v jq >/dev/null || fail "jq is not installed"
	setup_app
	series
	"$LEAKREPORT" diff --format json s1.dump s8.dump >d.json 2>e.txt
	[ $? -eq 0 ] || fail "diff exited $?: $(cat e.txt)"
	jq -e '.version == 1 and .command == "diff" and .old.path == "s1.dump" and
		.old.pid == 4242 and .old.seq == 1 and .old.time == 1010.25 and
		.new.seq == 8 and .new.time == 1080.25 and .old.live_bytes == 7168 and
		.new.live_bytes == 20480 and .old.rss_bytes == 1055744 and
		.new.rss_bytes == 1069056 and .totals.delta_live_bytes == 13312 and
		.totals.delta_rss_bytes == 13312' d.json >/dev/null ||
		fail "header: $(jq -c 'del(.grown, .shrunk)' d.json)"
	# grown, largest first: cache_fill +8192, then leak_grow +7168
	[ "$(jq -r '[.grown[] | "\(.frames[0].function) \(.delta_bytes) \(.delta_blocks) \(.bytes_before) \(.bytes_after) \(.blocks_before) \(.blocks_after)"] | join(";")' d.json)" = \
		"cache_fill 8192 8 4096 12288 4 12;leak_grow 7168 7 1024 8192 1 8" ] ||
		fail "grown: $(jq -c '[.grown[] | del(.frames)]' d.json)"
	[ "$(jq -r '[.shrunk[] | "\(.frames[0].function) \(.delta_bytes) \(.delta_blocks) \(.bytes_after)"] | join(";")' d.json)" = \
		"temp_buffer -2048 -2 0" ] || fail "shrunk: $(jq -c '[.shrunk[] | del(.frames)]' d.json)"
	jq -e '.grown[0].frames[0] | has("addr") and has("module") and has("offset") and
		has("file") and has("line") and has("inlined")' d.json >/dev/null ||
		fail "frame object: $(jq -c '.grown[0].frames[0]' d.json)"
	# text
	"$LEAKREPORT" diff s1.dump s8.dump >d.txt || fail "diff text exited $?"
	grep -n '^+8192 bytes (+8 blocks) from:$' d.txt | grep -q '^2:' ||
		fail "text: first change: $(head -n 3 d.txt)"
	grep -q '^+7168 bytes (+7 blocks) from:$' d.txt || fail "text: no leak_grow growth"
	grep -q '^-2048 bytes (-2 blocks) from:$' d.txt || fail "text: no freed stack"
	grep -q '(all freed)$' d.txt || fail "text: no (all freed) note"
	grep -q '^SUMMARY: live 7168 -> 20480 bytes (+13312), 7 -> 20 blocks (+13); RSS 1055744 -> 1069056 bytes (+13312)$' d.txt ||
		fail "text summary: $(grep SUMMARY d.txt)"
	# --top 1 keeps the largest change of each list
	"$LEAKREPORT" diff --top 1 --format json s1.dump s8.dump |
		jq -e '(.grown | length) == 1 and .grown[0].frames[0].function == "cache_fill" and
		(.shrunk | length) == 1 and .totals.not_listed == 1' >/dev/null ||
		fail "--top 1"
	# reversed: growth becomes shrinkage
	"$LEAKREPORT" diff --format json s8.dump s1.dump |
		jq -e '[.shrunk[].frames[0].function] == ["cache_fill", "leak_grow"] and
		[.grown[].frames[0].function] == ["temp_buffer"]' >/dev/null || fail "reversed diff"
}

# expect_bad WHAT LINES ARGS...: leakreport ARGS must exit 2, print nothing
# on stdout and LINES lines on stderr (2: a usage error, with the synopsis),
# the first "leakreport: ...".
expect_bad() {
	local what=$1 lines=$2 status
	shift 2
	"$LEAKREPORT" "$@" >o.txt 2>e.txt
	status=$?
	[ "$status" -eq 2 ] || fail "$what: exit $status, expected 2 ($(head -c 300 e.txt))"
	[ -s o.txt ] && fail "$what: output on stdout: $(head -c 200 o.txt)"
	[ "$(wc -l <e.txt)" -eq "$lines" ] || fail "$what: stderr: $(tr '\n' '|' <e.txt)"
	head -n 1 e.txt | grep -Eq '^leakreport: [^ ]' || fail "$what: $(head -n 1 e.txt)"
	if [ "$lines" -eq 2 ]; then
		sed -n 2p e.txt | grep -q '^usage: leakreport ' || fail "$what: no synopsis"
	fi
	note "$what: $(head -n 1 e.txt)"
	return 0
}

test_trend_diff_bad_input() {
	setup_app
	series
	expect_bad "trend, 3 dumps, default --min-steps" 2 trend s1.dump s2.dump s3.dump
	grep -q 'needs at least 6' e.txt || fail "too few dumps: $(head -n 1 e.txt)"
	expect_bad "trend, 1 dump" 2 trend --min-steps 1 s1.dump
	expect_bad "trend, no dump" 2 trend
	expect_bad "trend, --min-steps 3 with 3 dumps" 2 trend --min-steps 3 s1.dump s2.dump s3.dump
	"$LEAKREPORT" trend --min-steps 2 s1.dump s2.dump s3.dump >/dev/null ||
		fail "--min-steps 2 with 3 dumps rejected"
	for v in 0 -1 abc '' 1.5 5k ' 5' 99999999999999999999999; do
		expect_bad "--min-steps '$v'" 2 trend --min-steps "$v" s*.dump
		grep -q 'is not a positive integer' e.txt || fail "--min-steps '$v': $(head -n 1 e.txt)"
	done
	expect_bad "--fail-on definite in trend" 2 trend --fail-on definite s*.dump
	expect_bad "--show in trend" 2 trend --show all s*.dump
	expect_bad "--min-steps in diff" 2 diff --min-steps 2 s1.dump s2.dump
	expect_bad "--min-steps in the report" 2 --min-steps 2 s1.dump
	expect_bad "diff, 1 dump" 2 diff s1.dump
	expect_bad "diff, 3 dumps" 2 diff s1.dump s2.dump s3.dump
	grep -q 'exactly two dumps' e.txt || fail "diff, 3 dumps: $(head -n 1 e.txt)"
	# another process: another pid, or the same pid started at another time
	snap other.dump 9 1090.250000 9216 12288 0 4243
	expect_bad "trend, another pid" 1 trend s*.dump other.dump
	grep -q '^leakreport: other.dump: pid 4243 .*not the process of' e.txt ||
		fail "another pid: $(cat e.txt)"
	expect_bad "diff, another pid" 1 diff s1.dump other.dump
	snap restarted.dump 9 1090.250000 9216 12288 0 4242 1005.000000
	expect_bad "trend, same pid, another start" 1 trend s*.dump restarted.dump
	# the same snapshot twice
	cp s4.dump again.dump
	expect_bad "trend, a snapshot twice" 1 trend s*.dump again.dump
	grep -q 'same snapshot (seq 4)' e.txt || fail "duplicate: $(cat e.txt)"
	# unreadable and malformed dumps: the reader's message
	head -n 12 s5.dump >trunc.dump
	expect_bad "trend, truncated dump" 1 trend s1.dump s2.dump s3.dump s4.dump s6.dump trunc.dump
	grep -q '^leakreport: trunc.dump:[0-9]*: ' e.txt || fail "truncated: $(cat e.txt)"
	expect_bad "diff, missing dump" 1 diff s1.dump missing.dump
	grep -q '^leakreport: missing.dump: ' e.txt || fail "missing: $(cat e.txt)"
	# a dump named like a subcommand is a dump after --, not a subcommand
	cp s1.dump diff
	"$LEAKREPORT" --fail-on none -- diff >/dev/null || fail "a dump named 'diff' after --"
	"$LEAKREPORT" diff --help | head -n 1 | grep -q '^usage: leakreport diff ' ||
		fail "diff --help"
	"$LEAKREPORT" trend --help | grep -q -- '--min-steps N' || fail "trend --help"
}
