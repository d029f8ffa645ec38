# preload_start.sh - when and whether the preload tracks: allocations made
# before its constructor (a real GLib and a real LLVM program), LEAK_ONLY,
# standing aside for Valgrind, sanitizers and other allocators, LEAK_LOG,
# and where its lines may go.

# start_gate DUMP...: leakreport's gate on the dumps must pass (no definite
# or indirect record); prints the report on failure.
start_gate() {
	"$LEAKREPORT" "$@" >"$T/report.txt" 2>&1 ||
		fail "leakreport gate failed: $(grep -E '^(Direct|Indirect)' "$T/report.txt" | sort | uniq -c | head -n 3 | tr '\n' ' ')"
}

# vg_lost EXE [ARGS]: "definite indirect" bytes Valgrind reports lost.
vg_lost() {
	timeout -k 5 "$RUN_TIMEOUT" valgrind --leak-check=full --log-file="$T/vg.log" "$@" \
		>"$T/vg.out" 2>&1 || true
	awk '{ gsub(/,/, "") } / definitely lost:/ { d = $4 } / indirectly lost:/ { i = $4 }
		END { print d + 0, i + 0 }' "$T/vg.log"
}

test_start_gobject_program() {
	local exe d
	pkg-config --exists gobject-2.0 || fail "gobject-2.0 not installed (scripts/deps.sh installs libglib2.0-dev)"
	# shellcheck disable=SC2046
	exe=$(build_prog gobject_thing -O0 $(pkg-config --cflags --libs gobject-2.0)) || exit 1
	run_both "$exe"
	[ "$(cat "$T/leak.out")" = "thing made" ] || fail "stdout: $(head -c 200 "$T/leak.out")"
	d=$(dump_only) || exit 1
	[ "$(dump_sum "$d" definite)" = "0 0" ] || fail "definite: $(dump_sum "$d" definite)"
	[ "$(dump_sum "$d" indirect)" = "0 0" ] || fail "indirect: $(dump_sum "$d" indirect)"
	start_gate "$d"
	[ "$(vg_lost "$exe")" = "0 0" ] || fail "valgrind says lost: $(vg_lost "$exe")"
}

# clang-format links LLVM, whose static option registry is built by
# library constructors that run before ours.
test_start_llvm_program() {
	local exe d
	exe=$(command -v clang-format) || fail "clang-format not installed (scripts/deps.sh installs it)"
	run_both "$exe" --version
	d=$(dump_only) || exit 1
	[ "$(dump_sum "$d" definite)" = "0 0" ] || fail "definite: $(dump_sum "$d" definite)"
	[ "$(dump_sum "$d" indirect)" = "0 0" ] || fail "indirect: $(dump_sum "$d" indirect)"
	read -r blocks _ <<<"$(dump_sum "$d" reachable)"
	[ "$blocks" -gt 1000 ] || fail "only $blocks reachable blocks: the registry was not tracked"
	start_gate "$d"
}

# only_case PATTERN WANT EXE: run EXE with LEAK_ONLY=PATTERN; WANT is 1 when
# it must be tracked (a dump), 0 when it must run untouched (no dump, no
# libleak line, same stdout and status).
only_case() {
	local n
	rm -f "$T"/out/*
	LEAK_ONLY=$1 run_both "$3"
	n=$(dump_list | wc -l)
	[ "$n" -eq "$2" ] || fail "LEAK_ONLY='$1' on $3: $n dumps, expected $2"
	if [ "$2" -eq 0 ] && [ -s "$T/leak.err" ]; then
		fail "LEAK_ONLY='$1': stderr of an untracked run: $(head -c 200 "$T/leak.err")"
	fi
	return 0
}

test_only_patterns() {
	local exe dir
	exe=$(build_prog leak_plain) || exit 1
	dir=$(dirname "$exe")
	only_case 'leak_plain*' 1 "$exe"              # basename
	only_case 'leak_p?ain*' 1 "$exe"
	only_case 'leak_plain' 0 "$exe"               # the name has a flags suffix
	only_case 'bin/leak_*' 1 "$exe"               # a suffix after a '/'
	only_case 'in/leak_*' 0 "$exe"                # not at a '/'
	only_case "$dir/*" 1 "$exe"                   # absolute
	only_case "${dir#/}/*" 1 "$exe"
	only_case "/nowhere/*:$dir/leak*" 1 "$exe"    # a list
	only_case "/nowhere/*" 0 "$exe"
	LEAK_DEPTH=abc only_case "/nowhere/*" 0 "$exe"   # says nothing, not even of bad values
	only_case "*" 1 "$exe"
	only_case ":" 0 "$exe"
}

# A suite: the shell and the tools it runs stay untracked; only the
# program the pattern names writes a dump.
test_only_in_a_process_tree() {
	local exe d
	exe=$(build_prog leak_plain) || exit 1
	LEAK_ONLY='leak_plain*' run_leak sh -c 'sort </dev/null; "$1" | cat; ls / >/dev/null' sh "$exe"
	expect_status 0
	d=$(dump_only) || exit 1
	[ "$(dump_field "$d" exe)" = "$exe" ] || fail "the dump is of $(dump_field "$d" exe)"
}

test_log_file_takes_the_lines() {
	local exe
	exe=$(build_prog leak_plain) || exit 1
	LEAK_LOG=$T/lk.log LEAK_DEPTH=abc run_both "$exe"
	[ ! -s "$T/leak.err" ] || fail "stderr not empty: $(head -c 200 "$T/leak.err")"
	grep -q "^libleak: LEAK_DEPTH='abc'" "$T/lk.log" || fail "no LEAK_DEPTH line in the log: $(head -c 300 "$T/lk.log")"
	grep -q "^libleak: .* lost" "$T/lk.log" || fail "no summary line in the log"
	[ "$(stat -c %a "$T/lk.log")" = 600 ] || fail "log mode $(stat -c %a "$T/lk.log")"
	# Appended, never truncated: a second run adds its lines.
	LEAK_LOG=$T/lk.log LEAK_DEPTH=abc run_both "$exe"
	[ "$(grep -c "LEAK_DEPTH" "$T/lk.log")" -eq 2 ] || fail "the log was not appended to"
}

test_line_not_written_into_reopened_stderr() {
	local exe
	exe=$(build_prog stderr_reopen) || exit 1
	run_leak "$exe" "$T/data.txt"
	expect_status 0
	[ "$(cat "$T/data.txt")" = "data" ] || fail "the program's file holds: $(head -c 300 "$T/data.txt" | tr '\n' '|')"
	dump_only >/dev/null || exit 1
}

test_line_escapes_control_bytes() {
	local exe
	exe=$(build_prog leak_plain) || exit 1
	LEAK_QUIET=1 LEAK_DEPTH=$'7\n\033[31mred' run_both "$exe"
	[ "$(wc -l <"$T/leak.err")" -eq 1 ] || fail "stderr has $(wc -l <"$T/leak.err") lines: $(head -c 200 "$T/leak.err" | od -c | head -n 3)"
	grep -q $'\033' "$T/leak.err" && fail "an ESC byte reached stderr"
	grep -qF "LEAK_DEPTH='7\\x0a\\x1b[31mred'" "$T/leak.err" || fail "line: $(cat "$T/leak.err")"
}

test_bad_flag_values_say_so() {
	local exe v
	exe=$(build_prog leak_plain) || exit 1
	for v in LEAK_QUIET=yes LEAK_VERIFY_STACKS=2 LEAK_FAULT_MMAP=lots LEAK_FAULT_MMAP=-1; do
		env "$v" LD_PRELOAD="$LIBLEAK" LEAK_OUTPUT="$T/out/leak.%p.dump" "$exe" >/dev/null 2>"$T/err"
		grep -q "^libleak: ${v%%=*}='${v#*=}'" "$T/err" || fail "$v: no line saying so: $(head -c 200 "$T/err")"
	done
}

# aside_case WHY EXE [ARGS]: under another tool or allocator the preload
# says so in one line (naming WHY) and writes no dump; stdout and status
# are the program's own.
aside_case() {
	local why=$1
	shift
	rm -f "$T"/out/*
	run_both "$@"
	[ "$(libleak_lines "$T/leak.err")" -eq 1 ] || fail "$why: $(libleak_lines "$T/leak.err") libleak: lines: $(head -c 300 "$T/leak.err")"
	grep -q "^libleak: .*$why.*; not tracking (every call passes through)$" "$T/leak.err" ||
		fail "line does not name $why: $(grep '^libleak:' "$T/leak.err")"
	[ "$(dump_list | wc -l)" -eq 0 ] || fail "$why: a dump was written"
}

test_aside_other_allocators() {
	local exe lib so
	exe=$(build_prog leak_plain) || exit 1
	for so in libjemalloc.so.2 libtcmalloc_minimal.so.4 libmimalloc.so.2; do
		lib=/usr/lib/x86_64-linux-gnu/$so
		[ -r "$lib" ] || fail "$lib missing (scripts/deps.sh installs it)"
		# after us in the lookup order: our hooks forward to it
		aside_case "another allocator's ($so)" \
			env LD_PRELOAD="$LIBLEAK:$lib" "$exe"
		# before us: the program's calls never reach our hooks
		aside_case "defined before libleak.so ($so)" env LD_PRELOAD="$lib:$LIBLEAK" "$exe"
	done
}

test_aside_valgrind() {
	local exe
	exe=$(build_prog leak_plain) || exit 1
	aside_case "running under Valgrind" valgrind -q --leak-check=full --log-file="$T/vg.log" "$exe"
	grep -q "Invalid" "$T/vg.log" && fail "memcheck errors in the guest: $(grep -m1 -A3 Invalid "$T/vg.log" | tr '\n' ' ')"
	grep -q "definitely lost" "$T/vg.log" || fail "memcheck did not report the program's leak"
}

test_aside_sanitizers() {
	local exe san
	for san in address thread leak undefined; do
		exe=$(build_prog leak_plain -O0 -fsanitize=$san) || exit 1
		case $san in
		undefined)
			# UBSan leaves malloc alone: tracked as usual
			rm -f "$T"/out/*
			run_both "$exe"
			dump_only >/dev/null || exit 1
			continue ;;
		address) ASAN_OPTIONS=verify_asan_link_order=0 aside_case AddressSanitizer "$exe" ;;
		thread) aside_case ThreadSanitizer "$exe" ;;
		leak) aside_case LeakSanitizer "$exe" ;;
		esac
	done
}
