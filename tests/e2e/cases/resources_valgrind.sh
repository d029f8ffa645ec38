# resources_valgrind.sh - libleak's descriptor records against Valgrind's
# --track-fds=yes on the same programs (res_leaks, res_misc): the same
# descriptors, from the same functions of the program, opened with the same
# call (ours names what the program called, fopen; Valgrind the system call
# under it, open, with fopen's frames above it: the name must be among
# Valgrind's frames above the program's). Valgrind exits 0 whatever leaks;
# libleak's gate can fail on them. Timers and threads Valgrind does not
# track. Needs jq and valgrind. docs/valgrind-comparison.md has a run.

# vg_fds LOG: "function call" per descriptor Valgrind lists as open at exit,
# one a line, sorted: the first frame in the program (a leak_* or recv_fd*
# function) and every function above it ("at" first), joined by '<'.
vg_fds() {
	awk '
		/== Open (file descriptor|AF_[A-Z0-9]+ socket) [0-9]+/ { inrec = 1; chain = ""; next }
		inrec && /<inherited from parent>/ { inrec = 0; next }
		inrec && /==    (at|by) 0x[0-9A-F]+: / {
			f = $0
			sub(/.*: /, "", f)
			sub(/ \(.*/, "", f)
			sub(/@.*/, "", f)
			if (f ~ /^(leak_|recv_fd$|recv_fd_mm$)/) {
				print f, chain
				inrec = 0
			} else {
				chain = chain == "" ? f : chain "<" f
			}
			next
		}
		inrec && !/==    / { inrec = 0 }
	' "$1" | sort
}

# ours_fds DUMP: "function call" per descriptor of libleak's report, sorted.
ours_fds() {
	"$LEAKREPORT" --format json --show fd "$1" |
		jq -r '.resources[] | . as $r | .items[] | "\($r.frames[0].function) \(.function)"' | sort
}

# compare PROG: run it under both and compare.
compare() {
	local exe=$1 d vg ours
	mkdir -p files
	valgrind --track-fds=yes --leak-check=no --log-file=vg.log "$exe" "$T/files" >vg.out 2>&1
	[ $? -eq 0 ] || fail "$(basename "$exe") under valgrind failed: $(tail -n 3 vg.log | tr '\n' '|')"
	run_leak "$exe" "$T/files"
	expect_status 0
	d=$(dump_for_pid "$(awk '$1 == "pid" { print $2; exit }' "$T/leak.out")") || exit 1
	vg_fds vg.log >vg.fds
	ours_fds "$d" >ours.fds
	[ -s vg.fds ] || fail "no descriptors in Valgrind's log: $(grep -c 'Open' vg.log) Open lines"
	# the same descriptors, from the same functions
	diff <(cut -d' ' -f1 vg.fds) <(cut -d' ' -f1 ours.fds) >fns.diff ||
		fail "$(basename "$exe"): functions differ (< valgrind, > libleak): $(tr '\n' ' ' <fns.diff)"
	# the same call: ours is the system call Valgrind saw, or one of the
	# functions above it (fopen above open, popen above pipe2)
	paste -d' ' vg.fds ours.fds | while read -r fn chain fn2 call; do
		case "<$chain<" in
		*"<$call<"* | *"<_IO_new_$call<"* | *"<__${call}_internal<"*) ;;
		*) echo "$fn: libleak says $call, valgrind's frames: $chain" ;;
		esac
	done >calls.diff
	[ ! -s calls.diff ] || fail "$(basename "$exe"): $(tr '\n' ' ' <calls.diff)"
	note "$(basename "$exe"): $(wc -l <ours.fds) descriptors, the same in both"
}

test_resources_same_descriptors_as_valgrind() {
	command -v valgrind >/dev/null || fail "valgrind is not installed"
	command -v jq >/dev/null || fail "jq is not installed"
	local exe
	exe=$(build_prog res_leaks) || exit 1
	compare "$exe"
	# Valgrind exits 0 with the descriptors open; libleak's gate need not
	grep -q 'FILE DESCRIPTORS: [0-9]* open' vg.log || fail "no FILE DESCRIPTORS line"
	"$LEAKREPORT" --fail-on fd "$(dump_for_pid "$(awk '$1 == "pid" { print $2; exit }' "$T/leak.out")")" >/dev/null 2>&1
	[ $? -eq 1 ] || fail "--fail-on fd does not fail"
}

test_resources_same_descriptors_as_valgrind_misc() {
	command -v valgrind >/dev/null || fail "valgrind is not installed"
	command -v jq >/dev/null || fail "jq is not installed"
	local exe
	exe=$(build_prog res_misc) || exit 1
	compare "$exe"
}
