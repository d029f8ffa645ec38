# reach_valgrind.sh - the exit scan's classes (definite, indirect, possible,
# reachable) against Valgrind memcheck's, program by program.
#
# Each test builds one progs/reach_*.c (or .cc), runs it under libleak.so and
# under `valgrind --leak-check=full --show-leak-kinds=all`, and compares the
# blocks and bytes of every class exactly, and with the figures the program's
# header promises (so two tools that both see nothing cannot agree by
# accident). Valgrind's side comes from its loss records, which must add up
# to its LEAK SUMMARY; ours from the dump's rec lines, read with awk.
#
# Blocks the dynamic loader allocated (a thread's DTV, 272-400 bytes) are
# left out of the exact comparison, on both sides, by design: we count them
# as reachable (a policy, as LeakSanitizer's), Valgrind says "possibly lost"
# for a live thread's (the thread pointer points into it) and nothing for a
# joined thread's (its __libc_freeres frees the cached stacks). For those the
# tests assert our side: every loader block is reachable, one per thread.
# See docs/valgrind-comparison.md.
#
# Without valgrind the tests pass without running and the case file prints
# a NOTE line.

REACH_VG_OPTS=(--leak-check=full --show-leak-kinds=all --num-callers=30)
REACH_CLASSES="definite indirect possible reachable"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "NOTE reach_valgrind.sh: valgrind is not installed; its tests are skipped"
fi

# reach_have_valgrind: true when valgrind can run; otherwise notes the skip.
reach_have_valgrind() {
	command -v valgrind >/dev/null 2>&1 && return 0
	note "valgrind is not installed: skipped"
	return 1
}

# vg_run EXE [ARGS...]: run under memcheck. Its log -> $T/vg.log, stdout ->
# $T/vg.out, exit status -> $VG_STATUS. Fails when no leak summary was written.
vg_run() {
	timeout -k 5 "$RUN_TIMEOUT" valgrind "${REACH_VG_OPTS[@]}" --log-file="$T/vg.log" "$@" \
		>"$T/vg.out" 2>"$T/vg.err"
	VG_STATUS=$?
	[ "$VG_STATUS" -eq 124 ] && fail "valgrind $*: timed out after ${RUN_TIMEOUT}s"
	grep -Eq 'LEAK SUMMARY|no leaks are possible' "$T/vg.log" ||
		fail "valgrind wrote no leak summary: $(tail -n 3 "$T/vg.log" | tr '\n' ' ')"
	return 0
}

# vg_records LOG: "class blocks bytes loader" per loss record. For a definite
# record with indirect children the direct bytes count (the children have
# records of their own). loader is 1 when the allocator's caller (the first
# "by" frame) lies in ld.so, by its source file (rtld*, dl-*) or its name.
vg_records() {
	awk '
		function flush() { if (inrec) print cls, blocks, bytes, loader; inrec = 0 }
		{ sub(/^==[0-9]+== ?/, "") }
		/ are (definitely lost|indirectly lost|possibly lost|still reachable) in loss record / {
			flush()
			line = $0
			gsub(/,/, "", line)
			n = split(line, w, " ")
			bytes = w[1]
			if (substr(w[2], 1, 1) == "(")
				bytes = substr(w[2], 2)
			for (i = 1; i <= n; i++)
				if (w[i] == "blocks")
					blocks = w[i - 1]
			cls = line ~ /definitely lost/ ? "definite" : line ~ /indirectly lost/ ? "indirect" : \
			    line ~ /possibly lost/ ? "possible" : "reachable"
			inrec = 1; nframe = 0; loader = 0
			next
		}
		inrec && /^ +(at|by) 0x/ {
			if (++nframe == 2 && $0 ~ /\((rtld[-a-z]*|dl-[-a-z]*)\.[ch]:[0-9]+\)|ld-linux/)
				loader = 1
			next
		}
		inrec && /^ *$/ { flush() }
		END { flush() }' "$1"
}

# vg_summary LOG: "class blocks bytes" for the four classes of the LEAK
# SUMMARY (all zero when Valgrind says every block was freed).
vg_summary() {
	awk '
		{ sub(/^==[0-9]+== ?/, ""); gsub(/,/, "") }
		/^ *definitely lost: / { d = $6 " " $3 }
		/^ *indirectly lost: / { i = $6 " " $3 }
		/^ *possibly lost: / { p = $6 " " $3 }
		/^ *still reachable: / { r = $6 " " $3 }
		END {
			print "definite", (d == "" ? "0 0" : d)
			print "indirect", (i == "" ? "0 0" : i)
			print "possible", (p == "" ? "0 0" : p)
			print "reachable", (r == "" ? "0 0" : r)
		}' "$1"
}

# reach_dump: print the path of the one dump in $T/out; fail unless it is a
# complete dump of format 1 with a scan: "scan full" and a last line
# "end <modules> <stacks> <recs> <retains> <res>" that matches the records.
reach_dump() {
	local n f why
	n=$(dump_list | wc -l)
	[ "$n" -eq 1 ] || fail "expected 1 dump in $T/out, found $n (stderr: $(head -c 300 "$T/leak.err" | tr '\n' ' '))"
	f=$(dump_list)
	why=$(awk '
		NR == 1 && $0 != "libleak-dump 2" { print "bad first line: " $0; bad = 1; exit }
		$1 == "scan" { scan = $2 }
		$1 == "module" { m++ }
		$1 == "stack" { s++ }
		$1 == "rec" { r++ }
		$1 == "retain" { k++ }
		$1 == "heur" || $1 == "suppress" || $1 == "seen" || $1 == "own" || $1 == "res" { n++ }
		{ last = $0 }
		END {
			if (bad) exit
			if (scan != "full") { print "scan is \"" scan "\", not full"; exit }
			want = "end " m + 0 " " s + 0 " " r + 0 " " k + 0 " " n + 0
			if (last != want) print "last line \"" last "\", counted \"" want "\""
		}' "$f")
	[ -z "$why" ] || fail "invalid dump $(basename "$f"): $why"
	printf '%s\n' "$f"
}

# our_records DUMP: "class blocks bytes loader" per rec line; loader is 1
# when the stack's first pc (the allocator's caller) lies in ld.so's range.
# Addresses are compared as zero-padded hex strings (mawk has no strtonum).
our_records() {
	awk '
		function pad(h) { return substr("0000000000000000", 1, 16 - length(h)) h }
		$1 == "module" && $8 ~ /\/ld-linux/ { lo[++nl] = pad($4); hi[nl] = pad($5) }
		$1 == "stack" { first[$2] = pad($4) }
		$1 == "rec" {
			ld = 0
			if ($2 in first)
				for (i = 1; i <= nl; i++)
					if (first[$2] >= lo[i] && first[$2] < hi[i])
						ld = 1
			print $3, $4, $5, ld
		}' "$1"
}

# class_sum RECORDS CLASS LOADER: "blocks bytes" of the records of CLASS
# whose loader flag is LOADER (0 or 1).
class_sum() {
	printf '%s\n' "$1" | awk -v c="$2" -v l="$3" 'NF == 4 && $1 == c && $4 == l { b += $2; n += $3 }
		END { print b + 0, n + 0 }'
}

# reach_compare PROG WANT_STDOUT LOADER_BLOCKS DEFINITE INDIRECT POSSIBLE REACHABLE
# Runs progs/PROG under both tools; each of the last four arguments is the
# "blocks bytes" that both must report for the program's own blocks. With
# REACH_LIB=NAME, progs/NAME.c (or .cc) is built as a shared library and
# linked into PROG; REACH_FLAGS are more compiler flags for PROG.
# LOADER_BLOCKS is how many ld.so blocks (one DTV per thread) we must report
# as reachable, each 256..512 bytes; Valgrind's must all be "possibly lost".
reach_compare() {
	local prog=$1 want=$2 loader=$3 exe lib d vg ours sum c want_c v o i
	shift 3
	reach_have_valgrind || return 0
	if [ -n "${REACH_LIB:-}" ]; then
		lib=$(build_lib "$REACH_LIB") || exit 1
		exe=$(build_prog "$prog" -O0 "$lib" "-Wl,-rpath,$T") || exit 1
	else
		# shellcheck disable=SC2086
		exe=$(build_prog "$prog" -O0 ${REACH_FLAGS:-}) || exit 1
	fi
	run_leak "$exe"
	expect_status 0
	[ "$(cat "$T/leak.out")" = "$want" ] || fail "stdout under libleak: $(head -c 200 "$T/leak.out")"
	vg_run "$exe"
	[ "$VG_STATUS" -eq 0 ] || fail "exit status $VG_STATUS under valgrind"
	[ "$(cat "$T/vg.out")" = "$want" ] || fail "stdout under valgrind: $(head -c 200 "$T/vg.out")"

	vg=$(vg_records "$T/vg.log")
	d=$(reach_dump) || exit 1
	ours=$(our_records "$d")
	note "valgrind records (class blocks bytes loader):" $vg
	note "our records (class blocks bytes loader):" $ours
	# Valgrind's records must add up to its summary, or the parser is wrong.
	sum=$(for c in $REACH_CLASSES; do
		printf '%s %s\n' "$c" "$(printf '%s\n' "$vg" | awk -v c="$c" 'NF == 4 && $1 == c {
			b += $2; n += $3 } END { print b + 0, n + 0 }')"
	done)
	[ "$sum" = "$(vg_summary "$T/vg.log")" ] ||
		fail "valgrind loss records ($(printf '%s' "$sum" | tr '\n' ';')) do not add up to its summary ($(vg_summary "$T/vg.log" | tr '\n' ';'))"

	i=0
	for c in $REACH_CLASSES; do
		i=$((i + 1))
		want_c=${!i}
		v=$(class_sum "$vg" "$c" 0)
		o=$(class_sum "$ours" "$c" 0)
		[ "$v" = "$o" ] ||
			fail "$prog: $c: valgrind $v, libleak $o (blocks bytes); valgrind's records: $(printf '%s' "$vg" | tr '\n' ';'); ours: $(printf '%s' "$ours" | tr '\n' ';')"
		[ "$o" = "$want_c" ] || fail "$prog: $c: both tools say $o, the program promises $want_c"
	done

	# Loader blocks: ours reachable, one per thread; Valgrind's possibly lost.
	for c in definite indirect possible; do
		o=$(class_sum "$ours" "$c" 1)
		[ "$o" = "0 0" ] || fail "$prog: ld.so blocks counted $c by libleak: $o"
	done
	read -r v o <<<"$(class_sum "$ours" reachable 1)"
	[ "$v" -eq "$loader" ] || fail "$prog: $v reachable ld.so blocks, expected $loader"
	[ "$o" -ge $((256 * loader)) ] && [ "$o" -le $((512 * loader)) ] ||
		fail "$prog: $loader ld.so blocks of $o bytes (expected 256..512 each)"
	for c in definite indirect reachable; do
		v=$(class_sum "$vg" "$c" 1)
		[ "$v" = "0 0" ] || fail "$prog: valgrind counts ld.so blocks $c: $v"
	done
}

test_reach_global_and_static() {
	reach_compare reach_global "global and static" 0 "0 0" "0 0" "0 0" "3 328"
}

test_reach_indirect_chain() {
	reach_compare reach_indirect "chain lost" 0 "1 48" "2 144" "0 0" "0 0"
}

test_reach_cycles() {
	reach_compare reach_cycles "cycles lost" 0 "2 72" "3 112" "0 0" "0 0"
}

test_reach_xor_hidden() {
	reach_compare reach_xor "hidden 1" 0 "1 56" "0 0" "0 0" "0 0"
}

test_reach_live_thread_stack() {
	reach_compare reach_thread_stack "thread holds it" 1 "0 0" "0 0" "0 0" "1 88"
}

test_reach_live_thread_tls() {
	reach_compare reach_thread_tls "tls holds it" 1 "0 0" "0 0" "0 0" "2 168"
}

test_reach_exited_thread() {
	reach_compare reach_thread_exited "thread exited" 1 "1 104" "0 0" "0 0" "0 0"
}

test_reach_atexit_free() {
	reach_compare reach_atexit "freed at exit" 0 "0 0" "0 0" "0 0" "0 0"
}

test_reach_key_destructor() {
	reach_compare reach_tls_dtor "key destructor ran" 1 "0 0" "0 0" "0 0" "0 0"
}

test_reach_thread_local_destructor() {
	reach_compare reach_tls_dtor_cxx "thread_local freed" 1 "0 0" "0 0" "0 0" "0 0"
}

# Blocks allocated by a library's constructor, which ld.so runs before
# libleak's: tracked from the first allocation, so what the program stores
# in them is reachable, not lost.
test_reach_constructor_registry() {
	REACH_LIB=ctor_registry_lib reach_compare ctor_registry "registered" 0 "0 0" "0 0" "0 0" "4 275"
}

# The same for a C++ library whose static initialisers fill a registry.
test_reach_cxx_static_registry() {
	REACH_LIB=cxx_registry_lib reach_compare cxx_registry "3 registered" 0 "0 0" "0 0" "0 0" "7 336"
}

# A C++ library's static objects, whose destructors its static initialisers
# registered before libleak's constructor ran, and 40 exit handlers from its
# constructor: glibc's second list of handlers, allocated then, is freed
# while the handlers run, before the exit scan looks (the scan's handler is
# registered first, so it runs last; registered from libleak's constructor,
# it ran before that list was freed: 1 block, 1,040 bytes reachable, where
# Valgrind saw none).
test_reach_cxx_static_destructors() {
	REACH_LIB=cxx_static_lib reach_compare cxx_static "5 names" 0 "0 0" "0 0" "0 0" "0 0"
}

# A thread running on a stack of its own making (a makecontext coroutine
# on a heap block) at exit: its own stack is scanned whole, as in LSan.
test_reach_thread_on_coroutine_stack() {
	reach_compare reach_ucontext "coroutine exits" 0 "0 0" "0 0" "0 0" "4 69712"
}

# Leaks from a thread whose arena heap glibc shrank (heap_info.size below
# mprotect_size): the heap is found from main_arena's ring of arenas, not
# taken for the program's own memory, so its freed chunks hold no roots.
test_reach_shrunk_arena_heap() {
	reach_compare reach_arena_shrink "arena shrunk" 1 "50 100000" "0 0" "0 0" "0 0"
}

# Valgrind's default interior-pointer heuristics (newarray, stdstring,
# length64, multipleinheritance): each shape reachable in both tools, and
# possible in both with the heuristics off.
test_reach_heuristics_on() {
	REACH_FLAGS=-D_GLIBCXX_USE_CXX11_ABI=0 reach_compare reach_heuristics "heuristic shapes 0 100 2" 0 \
		"0 0" "0 0" "0 0" "5 265"
	d=$(reach_dump) || exit 1
	for h in newarray stdstring length64 multipleinheritance; do
		grep -q "^heur [0-9]* $h 1 " "$d" || fail "no heur line for $h: $(grep '^heur' "$d" | tr '\n' ';')"
	done
}

test_reach_heuristics_off() {
	local REACH_VG_OPTS=(--leak-check=full --show-leak-kinds=all --num-callers=30 --leak-check-heuristics=none)
	LEAK_HEURISTICS=none REACH_FLAGS=-D_GLIBCXX_USE_CXX11_ABI=0 reach_compare reach_heuristics \
		"heuristic shapes 0 100 2" 0 "0 0" "0 0" "4 257" "1 8"
	grep -q '^heur' "$(reach_dump)" && fail "heur lines with LEAK_HEURISTICS=none"
	return 0
}

# The program's own tsearch() tree: glibc's colour bit in each left-child
# pointer makes nodes possibly lost, in both tools alike (the policy of
# preload/scan/libctree.c is for the trees libc builds for itself only).
test_reach_own_tsearch_tree() {
	reach_compare reach_tsearch "own tree" 0 "0 0" "0 0" "12 288" "20 480"
}

# setenv()'s tree is libc's own: reachable for us, no block possible, where
# Valgrind with freeres off (its default run frees the tree) calls some of
# its nodes possibly lost. The same blocks either way: ours reachable are
# Valgrind's possible and reachable together.
test_reach_libc_setenv_tree() {
	local REACH_VG_OPTS=(--leak-check=full --show-leak-kinds=all --num-callers=30 --run-libc-freeres=no)
	local exe d ours vg c
	reach_have_valgrind || return 0
	exe=$(build_prog libc_setenv) || exit 1
	run_leak "$exe"
	expect_status 0
	d=$(reach_dump) || exit 1
	ours=$(our_records "$d")
	vg_run "$exe"
	[ "$VG_STATUS" -eq 0 ] || fail "exit status $VG_STATUS under valgrind"
	vg=$(vg_records "$T/vg.log")
	note "valgrind records (class blocks bytes loader):" $vg
	note "our records (class blocks bytes loader):" $ours
	blocks() { printf '%s\n' "$1" | awk -v c="$2" 'NF == 4 && $1 == c { n += $2 } END { print n + 0 }'; }
	[ "$(blocks "$vg" possible)" -gt 0 ] || fail "valgrind found no possible block: the test proves nothing"
	[ "$(blocks "$ours" possible)" -eq 0 ] || fail "possible blocks: $(blocks "$ours" possible)"
	for c in definite indirect; do
		[ "$(blocks "$ours" $c)" -eq 0 ] && [ "$(blocks "$vg" $c)" -eq 0 ] || fail "$c blocks"
	done
	[ "$(blocks "$ours" reachable)" -eq $(($(blocks "$vg" possible) + $(blocks "$vg" reachable))) ] ||
		fail "reachable $(blocks "$ours" reachable), valgrind possible + reachable $(($(blocks "$vg" possible) + $(blocks "$vg" reachable)))"
}

# new T[0]: LeakSanitizer's special case, which libleak follows (Valgrind
# calls the 8-byte block lost): reachable by the newarray heuristic.
test_reach_new_of_none() {
	local exe d
	exe=$(build_prog reach_new0) || exit 1
	run_both "$exe"
	d=$(reach_dump) || exit 1
	[ "$(dump_sum "$d" reachable)" = "1 8" ] || fail "reachable: $(dump_sum "$d" reachable); $(dump_recs "$d" | tr '\n' ';')"
	grep -q "^heur [0-9]* newarray 1 8$" "$d" || fail "no newarray heur line"
	rm -f "$T"/out/*
	LEAK_HEURISTICS=none run_both "$exe"
	d=$(reach_dump) || exit 1
	[ "$(dump_sum "$d" definite)" = "1 8" ] || fail "heuristics off: definite $(dump_sum "$d" definite)"
}

test_reach_mmap_region() {
	reach_compare reach_mmap "mapping holds it" 0 "0 0" "0 0" "0 0" "1 144"
}

test_reach_interior_pointer() {
	reach_compare reach_interior "interior only" 0 "0 0" "0 0" "1 160" "0 0"
}

test_reach_no_leak() {
	reach_compare reach_none "nothing left" 0 "0 0" "0 0" "0 0" "0 0"
}

test_reach_exit_below_dead_frames() {
	reach_compare reach_exit_deep "left through exit" 0 "64 10752" "0 0" "0 0" "0 0"
}

test_reach_far_apart_clusters() {
	reach_compare reach_clusters "clusters" 1 "1 524288" "1 48" "1 1048576" "4 307336"
}

# The dump says what the exit scan took (stat scan_us), stopping the world
# included: more than nothing for 12,000 blocks, under the run's own time;
# 0 when there was no scan.
test_reach_scan_time_in_the_dump() {
	local exe d us up
	exe=$(build_prog reach_big) || exit 1
	run_leak "$exe"
	expect_status 0
	d=$(reach_dump) || exit 1
	us=$(awk '$1 == "stat" && $2 == "scan_us" { print $3 }' "$d")
	up=$(awk '$1 == "stat" && $2 == "uptime_ms" { print $3 }' "$d")
	[ -n "$us" ] && [ "$us" -gt 0 ] || fail "scan_us '$us' after a scan of 12,000 blocks"
	[ "$us" -le $(((up + 1) * 1000)) ] || fail "scan_us $us, longer than the run's $up ms"
	rm -f "$T"/out/*
	LEAK_REACHABILITY=0 run_leak "$exe"
	d=$(dump_list)
	[ -n "$d" ] || fail "no dump without the scan"
	grep -q '^stat scan_us 0$' "$d" || fail "without the scan: $(grep scan_us "$d")"
}

# Levels of thousands of blocks and megabytes: the scan splits them with its
# helper thread; the classes must still be Valgrind's, block for block.
test_reach_big_parallel_levels() {
	reach_compare reach_big "big heap" 0 "1000 1024000" "1000 96000" "4000 1120000" "6000 5248000"
}

# Under a seccomp filter the scan makes no helper thread; the classes of the
# same heap come out the same on one thread.
test_reach_big_under_seccomp() {
	local exe wrap d ours c
	exe=$(build_prog reach_big) || exit 1
	wrap=$(build_prog seccomp_allow) || exit 1
	run_leak "$wrap" "$exe"
	expect_status 0
	[ "$(cat "$T/leak.out")" = "big heap" ] || fail "stdout: $(head -c 200 "$T/leak.out")"
	d=$(reach_dump) || exit 1
	ours=$(our_records "$d")
	for c in "definite 1000 1024000" "indirect 1000 96000" "possible 4000 1120000" "reachable 6000 5248000"; do
		set -- $c
		[ "$(class_sum "$ours" "$1" 0)" = "$2 $3" ] || fail "$1: $(class_sum "$ours" "$1" 0), expected $2 $3"
	done
}
