# resources.sh - resources besides memory (issue 15): descriptors, POSIX
# timers and threads never joined, each with the function and the stack
# that made it; what the report says of each; the gate on them; fork and
# exec; SCM_RIGHTS and close_range; LEAK_RESOURCES=0; the programs' results
# and errno unchanged. Needs jq.

# res_json DUMP [OPTIONS...]: leakreport --format json of DUMP into r.json.
res_json() {
	local d=$1
	shift
	"$LEAKREPORT" --format json "$@" "$d" >r.json 2>r.err
	local st=$?
	[ "$st" -le 1 ] || fail "leakreport exited $st: $(head -n 2 r.err | tr '\n' ' ')"
}

# res_item FUNCTION: "kind id fn description" of the resource leaked from
# FUNCTION (the first frame of its record), one a line, by id.
res_item() {
	jq -r --arg f "$1" '.resources[] | select(.frames[0].function == $f) | . as $r |
		.items[] | "\($r.kind) \(.id) \(.function) \(.description)"' r.json | sort -k2 -n
}

# want_item FUNCTION EXPECTED: fail unless res_item FUNCTION is EXPECTED.
want_item() {
	local got
	got=$(res_item "$1")
	[ "$got" = "$2" ] || fail "$1: got '$(printf '%s' "$got" | tr '\n' '|')', want '$2'"
}

# main_dump: the dump of the program's own process (its "pid N" line): its
# popen child's shell writes one too.
main_dump() {
	dump_for_pid "$(awk '$1 == "pid" { print $2; exit }' "$T/leak.out")"
}

# fd_of NAME: the descriptor the program printed as "fd NAME N".
fd_of() {
	awk -v n="$1" '$1 == "fd" && $2 == n { print $3; exit }' "$T/leak.out"
}

test_resources_each_kind_leaked_once() {
	command -v jq >/dev/null || fail "jq is not installed"
	local exe d
	exe=$(build_prog res_leaks) || exit 1
	mkdir -p files
	run_leak "$exe" "$T/files"
	expect_status 0
	d=$(main_dump) || exit 1
	res_json "$d"
	local sv1 sv2 p1 p2 port
	want_item leak_fopen "fd $(fd_of fopen) fopen file $T/files/app.log (write)"
	want_item leak_open "fd $(fd_of open) open file $T/files/data.bin (read/write)"
	read -r sv1 sv2 < <(awk '$2 == "socketpair" { print $3, $4 }' "$T/leak.out")
	want_item leak_socketpair "fd $sv1 socketpair socket UNIX (unnamed)
fd $sv2 socketpair socket UNIX (unnamed)"
	port=$(res_item leak_listen | sed -n 's/.*127\.0\.0\.1:\([0-9]*\) LISTEN$/\1/p')
	[ -n "$port" ] || fail "no listener: $(res_item leak_listen)"
	want_item leak_listen "fd $(fd_of listen) socket socket TCP 127.0.0.1:$port LISTEN"
	res_item leak_connect | grep -Eq "^fd $(fd_of connect) socket socket TCP 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:$port ESTABLISHED$" ||
		fail "connection: $(res_item leak_connect)"
	res_item leak_accept | grep -Eq "^fd $(fd_of accept) accept socket TCP 127\.0\.0\.1:$port -> 127\.0\.0\.1:[0-9]+ ESTABLISHED$" ||
		fail "accepted: $(res_item leak_accept)"
	read -r p1 p2 < <(awk '$2 == "pipe" { print $3, $4 }' "$T/leak.out")
	want_item leak_pipe "fd $p1 pipe pipe (read end)
fd $p2 pipe pipe (write end)"
	want_item leak_eventfd "fd $(fd_of eventfd) eventfd eventfd"
	want_item leak_timerfd "fd $(fd_of timerfd) timerfd_create timerfd"
	want_item leak_epoll "fd $(fd_of epoll) epoll_create1 epoll (3 fds)"
	want_item leak_dup2 "fd $(fd_of dup2) dup2 file /dev/null (read)"
	res_item leak_timer | grep -Eq '^timer [0-9]+ timer_create CLOCK_MONOTONIC, interval 0\.5s, armed$' ||
		fail "timer: $(res_item leak_timer)"
	res_item leak_thread | grep -Eq '^thread [0-9]+ pthread_create exited, never joined$' ||
		fail "thread: $(res_item leak_thread)"
	[ "$(jq -r '.resources[] | select(.frames[0].function == "leak_thread") | .items[0].start_function' r.json)" = worker_leaked ] ||
		fail "thread start routine: $(jq -c '.resources[] | select(.kind == "thread")' r.json)"
	res_item leak_thread_exit | grep -Eq '^thread [0-9]+ pthread_create exited, never joined$' ||
		fail "thread ended by pthread_exit: $(res_item leak_thread_exit)"
	# exactly these, once each: the released ones (tidy_all) are not there
	[ "$(jq '[.resources[].items[]] | length' r.json)" -eq 16 ] ||
		fail "$(jq '[.resources[].items[]] | length' r.json) resources listed, want 16: $(jq -c '[.resources[].frames[0].function]' r.json)"
	jq -e '[.resources[].frames[].function] | index("tidy_all") == null' r.json >/dev/null ||
		fail "a released resource is listed"
	[ "$(jq -r '.summary | "\(.fd.blocks) \(.fd.records) \(.timer.blocks) \(.thread.blocks)"' r.json)" = "13 11 1 2" ] ||
		fail "summary: $(jq -c '.summary' r.json)"
}

test_resources_text_and_gate() {
	local exe d st
	exe=$(build_prog res_leaks) || exit 1
	mkdir -p files
	run_leak "$exe" "$T/files"
	d=$(main_dump) || exit 1
	"$LEAKREPORT" "$d" >r.txt 2>r.err
	st=$?
	# listed by default, not gated by default
	[ "$st" -eq 0 ] || fail "default gate exited $st: $(tail -n 1 r.txt)"
	grep -q "^Leaked file descriptor $(fd_of fopen) (file $T/files/app.log (write)) opened with fopen() at:$" r.txt ||
		fail "no fopen heading: $(grep '^Leaked' r.txt | head -n 3 | tr '\n' '|')"
	grep -A1 "opened with fopen() at:" r.txt | grep -q ' in leak_fopen ' || fail "fopen's stack"
	grep -q '^Leaked 2 file descriptors opened with pipe() at:$' r.txt || fail "no pipe heading"
	grep -q '^Leaked thread [0-9]* (start routine worker_leaked; exited, never joined) created with pthread_create() at:$' r.txt ||
		fail "no thread heading: $(grep '^Leaked thread' r.txt)"
	grep -q '^  fd         13 open in 11 records$' r.txt || fail "no fd total: $(grep '^  fd' r.txt)"
	for kinds in fd timer thread resources all; do
		"$LEAKREPORT" --fail-on "$kinds" "$d" >/dev/null 2>&1
		st=$?
		[ "$st" -eq 1 ] || fail "--fail-on $kinds exited $st, want 1"
	done
	"$LEAKREPORT" --fail-on fd --max-leaks 11 "$d" >/dev/null 2>&1 || fail "11 fd records over --max-leaks 11"
	"$LEAKREPORT" --show definite "$d" | grep -q '^Leaked' && fail "--show definite lists resources"
	"$LEAKREPORT" --show timer "$d" | grep -c '^Leaked' | grep -qx 1 || fail "--show timer"
	# suppressions and baselines take them as they take blocks
	printf 'leak:leak_fopen\n' >s.supp
	"$LEAKREPORT" --suppressions s.supp "$d" | grep -q 'opened with fopen' && fail "fopen not suppressed"
	"$LEAKREPORT" --fail-on resources --write-baseline b.txt "$d" >/dev/null 2>&1
	grep -q '^fd 1 0 leak_fopen@' b.txt || fail "baseline: $(grep '^fd' b.txt | head -n 2)"
	"$LEAKREPORT" --fail-on resources --baseline b.txt "$d" >/dev/null 2>&1 || fail "baseline does not pass the gate"
	# scripts/leakcheck gates them too
	"$ROOT/scripts/leakcheck" -- "$exe" "$T/files" >lc.out 2>lc.err || fail "leakcheck without --fail-on: $?"
	"$ROOT/scripts/leakcheck" --fail-on fd -- "$exe" "$T/files" >lc.out 2>lc.err
	st=$?
	[ "$st" -eq 23 ] || fail "leakcheck --fail-on fd exited $st: $(tail -n 1 lc.err)"
}

test_resources_misc_calls_unchanged() {
	command -v jq >/dev/null || fail "jq is not installed"
	local exe d
	exe=$(build_prog res_misc) || exit 1
	run_plain "$exe" "$T"
	run_leak "$exe" "$T"
	[ "$PLAIN_STATUS" -eq "$LEAK_STATUS" ] || fail "status $PLAIN_STATUS without, $LEAK_STATUS with"
	# libleak holds descriptors of its own, so the numbers may differ;
	# every other line (results, errno, EMFILE) must be the same
	diff <(grep -Ev '^(fd|pid) ' "$T/plain.out") <(grep -Ev '^(fd|pid) ' "$T/leak.out") >diff.out ||
		fail "output differs: $(head -n 4 diff.out | tr '\n' '|')"
	grep -q '^out of descriptors: Too many open files$' "$T/leak.out" || fail "no EMFILE"
	grep -q '^open missing -1 No such file or directory$' "$T/leak.out" || fail "open's errno"
	grep -q '^close 999 -1 Bad file descriptor$' "$T/leak.out" || fail "close's errno"
	grep -q '^accept interrupted -1 Interrupted system call$' "$T/leak.out" || fail "accept's EINTR"
	grep -q '^recvmsg interrupted -1 Interrupted system call$' "$T/leak.out" || fail "recvmsg's EINTR"
	d=$(dump_for_pid "$(awk '$1 == "pid" { print $2 }' "$T/leak.out")") || exit 1
	res_json "$d"
	want_item recv_fd "fd $(fd_of recvmsg) recvmsg file /dev/zero (read)"
	want_item recv_fd_mm "fd $(fd_of recvmmsg) recvmmsg file /dev/urandom (read)"
	want_item leak_popen "fd $(fd_of popen) popen pipe (write end)"
	want_item leak_opendir "fd $(fd_of opendir) opendir file / (read)"
	want_item leak_signalfd "fd $(fd_of signalfd) signalfd signalfd"
	want_item leak_inotify "fd $(fd_of inotify) inotify_init1 inotify"
	want_item leak_memfd "fd $(fd_of memfd) memfd_create memfd scratch"
	# close_range closed its three; nothing of main's is left
	[ "$(jq '[.resources[].items[]] | length' r.json)" -eq 7 ] ||
		fail "listed: $(jq -c '[.resources[] | .frames[0].function]' r.json)"
}

test_resources_fork_and_exec() {
	command -v jq >/dev/null || fail "jq is not installed"
	local exe parent child
	exe=$(build_prog res_fork) || exit 1
	run_leak "$exe"
	expect_status 0
	parent=$(awk '$1 == "pid" && $2 == "parent" { print $3 }' "$T/leak.out")
	child=$(awk '$1 == "pid" && $2 == "child" { print $3 }' "$T/leak.out")
	# the child lists what it opened itself, not the parent's
	res_json "$(dump_for_pid "$child")"
	[ "$(jq -c '[.resources[] | .frames[0].function]' r.json)" = '["child_open"]' ] ||
		fail "child: $(jq -c '[.resources[] | .frames[0].function]' r.json)"
	want_item child_open "fd $(fd_of child) open file /dev/zero (read)"
	# after exec the new image lists only its own: what the old image
	# opened (inherited, or closed by O_CLOEXEC) is not its
	res_json "$(dump_for_pid "$parent")"
	[ "$(jq -c '[.resources[] | .frames[0].function]' r.json)" = '["image_open"]' ] ||
		fail "image: $(jq -c '[.resources[] | .frames[0].function]' r.json)"
	want_item image_open "fd $(fd_of image) open file /dev/zero (read)"
}

test_resources_off() {
	local exe d
	exe=$(build_prog res_leaks) || exit 1
	mkdir -p files
	LEAK_RESOURCES=0 run_leak "$exe" "$T/files"
	expect_status 0
	d=$(main_dump) || exit 1
	grep -q '^res ' "$d" && fail "res lines with LEAK_RESOURCES=0"
	[ ! -s "$T/leak.err" ] || ! grep -q 'LEAK_RESOURCES' "$T/leak.err" || fail "a line about LEAK_RESOURCES=0"
}

test_resources_trend_and_diff() {
	command -v jq >/dev/null || fail "jq is not installed"
	local exe n first last
	exe=$(build_prog res_server) || exit 1
	LEAK_SNAPSHOT_INTERVAL=0.1 run_leak "$exe"
	expect_status 0
	n=$(ls "$T"/out/leak.*.*.dump | wc -l)
	[ "$n" -ge 6 ] || fail "only $n snapshots"
	"$LEAKREPORT" trend --format json "$T"/out/leak.*.*.dump >t.json || fail "trend exited $?"
	[ "$(jq -c '[.growing[] | [.kind, .frames[0].function]]' t.json)" = '[["fd","accept_conn"]]' ] ||
		fail "trend flagged: $(jq -c '[.growing[] | [.kind, .frames[0].function]]' t.json)"
	"$LEAKREPORT" trend "$T"/out/leak.*.*.dump | grep -Eq '^Growing: \+[0-9]+ file descriptors over the last [0-9]+ steps' ||
		fail "trend text: $("$LEAKREPORT" trend "$T"/out/leak.*.*.dump | head -n 1)"
	first=$(ls "$T"/out/leak.*.*.dump | sort -t. -k3 -n | head -n 1)
	last=$(ls "$T"/out/leak.*.*.dump | sort -t. -k3 -n | tail -n 1)
	"$LEAKREPORT" diff "$first" "$last" >d.txt || fail "diff exited $?"
	grep -Eq '^  was [0-9]+ open, now [0-9]+ open; opened since: fd [0-9]+ \(socket UNIX \(unnamed\)\)' d.txt ||
		fail "diff: $(grep -A6 'file descriptors from' d.txt | tr '\n' '|')"
	grep -q 'read_config' d.txt && fail "diff lists read_config"
	return 0
}

test_resources_warn_fds_once() {
	local exe n
	exe=$(build_prog res_server) || exit 1
	LEAK_WARN_FDS=50 run_leak "$exe"
	expect_status 0
	n=$(grep -c 'open descriptors passed LEAK_WARN_FDS=50' "$T/leak.err")
	[ "$n" -eq 1 ] || fail "$n warnings: $(head -c 300 "$T/leak.err")"
	grep -Eq 'LEAK_WARN_FDS=50: [5-9][0-9] open; most \([5-9][0-9]\) opened from res_server[^ ]*\+0x' "$T/leak.err" ||
		fail "warning: $(grep 'LEAK_WARN_FDS' "$T/leak.err")"
	# a percentage of RLIMIT_NOFILE: 10% of 256 is 25
	(ulimit -n 256 && LEAK_WARN_FDS_PERCENT=10 run_leak "$exe" && cp "$T/leak.err" pct.err)
	grep -q 'LEAK_WARN_FDS_PERCENT=10% of RLIMIT_NOFILE 256: [2-9][0-9] open' pct.err ||
		fail "percent warning: $(cat pct.err)"
	LEAK_WARN_FDS=12k run_leak "$exe"
	grep -q "LEAK_WARN_FDS='12k' is not a positive number of descriptors; no warning" "$T/leak.err" ||
		fail "bad value: $(head -n 2 "$T/leak.err")"
}

# libleak's own descriptors (libunwind's validation pipe) sit near the
# limit: the program's first descriptors are numbered as without it.
test_program_descriptors_numbered_as_without_libleak() {
	local exe
	exe=$(build_prog first_fd) || exit 1
	run_both "$exe" # the same stdout: the same numbers
	expect_status 0
}

# A descriptor closed behind the hooks' back (syscall(SYS_close), as libuv
# does) is not open at exit, so it is no leak; the one left open is.
test_resources_raw_close_not_leaked() {
	command -v jq >/dev/null || fail "jq is not installed"
	local exe d
	exe=$(build_prog res_raw_close) || exit 1
	run_both "$exe"
	expect_status 0
	d=$(dump_only) || exit 1
	res_json "$d"
	want_item keep_open "fd $(fd_of kept) open file /dev/null (read)"
	want_item raw_closed ""
	[ "$(jq '[.resources[].items[]] | length' r.json)" = 1 ] ||
		fail "descriptors listed: $(jq -c '[.resources[].items[]]' r.json)"
}
