# preload_basic.sh - leak shapes and every allocation entry point.
#
# Each test runs a program from progs/ with and without the preload, checks
# that stdout and the exit status are the same, and asserts the exact blocks
# and bytes of the dump, per function that called the allocator.

# check_plain EXE: the leak_plain assertions, shared by -O0 and -O2 builds.
check_plain() {
	local d funcs
	run_both "$1"
	expect_status 3
	d=$(dump_only) || exit 1
	funcs=$(dump_funcs "$d")
	expect_func "$funcs" leak_one 1 100
	expect_func "$funcs" keep_freed 0 0
	expect_sum "$d" 1 100
	[ "$(dump_field "$d" pid)" -gt 1 ] || fail "pid line: $(dump_field "$d" pid)"
	[ "$(dump_field "$d" exe)" = "$1" ] || fail "exe line '$(dump_field "$d" exe)', expected $1"
	[ "$(dump_field "$d" kind)" = exit ] || fail "kind line: $(dump_field "$d" kind)"
	[ -n "$(dump_exe_bias "$d")" ] || fail "no module line for the executable"
	[ "$(dump_stat "$d" live_blocks)" = 1 ] || fail "stat live_blocks $(dump_stat "$d" live_blocks), expected 1"
	[ "$(dump_stat "$d" live_bytes)" = 100 ] || fail "stat live_bytes $(dump_stat "$d" live_bytes), expected 100"
	[ "$(dump_stat "$d" allocs)" -ge 2 ] || fail "stat allocs $(dump_stat "$d" allocs), expected >= 2"
	[ "$(dump_stat "$d" frees)" -ge 1 ] || fail "stat frees $(dump_stat "$d" frees), expected >= 1"
}

test_plain_leak() {
	local exe
	exe=$(build_prog leak_plain) || exit 1
	check_plain "$exe"
}

test_plain_leak_O2_no_frame_pointer() {
	local exe
	exe=$(build_prog leak_plain -O2 -fomit-frame-pointer) || exit 1
	check_plain "$exe"
}

test_plain_leak_depth() {
	local exe d n
	exe=$(build_prog leak_plain) || exit 1
	LEAK_DEPTH=2 run_leak "$exe"
	expect_status 3
	d=$(dump_only) || exit 1
	[ "$(dump_field "$d" depth)" = 2 ] || fail "depth line $(dump_field "$d" depth), expected 2"
	n=$(awk '$1 == "stack" && $3 > 2' "$d" | wc -l)
	[ "$n" -eq 0 ] || fail "$n stack lines deeper than LEAK_DEPTH=2"
	expect_func "$(dump_funcs "$d")" leak_one 1 100
}

test_loop_leak_one_stack() {
	local exe d
	exe=$(build_prog leak_loop) || exit 1
	run_both "$exe" 5000
	expect_status 0
	d=$(dump_only) || exit 1
	[ "$(dump_recs "$d" | cut -d' ' -f1 | sort -u | wc -l)" -eq 1 ] ||
		fail "expected one stack, got recs: $(dump_recs "$d" | head -n 5 | tr '\n' ';')"
	expect_func "$(dump_funcs "$d")" leak_many 5000 120000
	expect_sum "$d" 5000 120000
	# Only the head of the chain is lost directly; the rest hang off it.
	[ "$(dump_sum "$d" definite)" = "1 24" ] || fail "definite: $(dump_sum "$d" definite), expected 1 24"
	[ "$(dump_sum "$d" indirect)" = "4999 119976" ] || fail "indirect: $(dump_sum "$d" indirect), expected 4999 119976"
}

test_loop_leak_O2_no_frame_pointer() {
	local exe d
	exe=$(build_prog leak_loop -O2 -fomit-frame-pointer) || exit 1
	run_both "$exe" 300
	d=$(dump_only) || exit 1
	expect_func "$(dump_funcs "$d")" leak_many 300 7200
	expect_sum "$d" 300 7200
}

test_no_leak() {
	local exe d
	exe=$(build_prog no_leak) || exit 1
	run_both "$exe"
	expect_status 0
	d=$(dump_only) || exit 1
	[ "$(dump_recs "$d" | wc -l)" -eq 0 ] || fail "expected no rec, got: $(dump_funcs "$d" | tr '\n' ';')"
	[ "$(dump_stat "$d" live_blocks)" = 0 ] || fail "stat live_blocks $(dump_stat "$d" live_blocks)"
	# 11 allocations per round, 10 rounds; realloc counts as one of each.
	[ "$(dump_stat "$d" allocs)" -ge 110 ] || fail "stat allocs $(dump_stat "$d" allocs), expected >= 110"
	[ "$(dump_stat "$d" frees)" = "$(dump_stat "$d" allocs)" ] ||
		fail "stat frees $(dump_stat "$d" frees) != allocs $(dump_stat "$d" allocs) with nothing live"
}

# check_allocators EXE: one leak per entry point, nothing from the freed ones.
check_allocators() {
	local d funcs f
	run_both "$1"
	expect_status 0
	d=$(dump_only) || exit 1
	funcs=$(dump_funcs "$d")
	expect_func "$funcs" a_malloc 1 11
	expect_func "$funcs" a_calloc 1 21
	expect_func "$funcs" a_realloc_null 1 13
	expect_func "$funcs" a_realloc_grow 1 4000
	expect_func "$funcs" a_realloc_shrink 1 10
	expect_func "$funcs" a_reallocarray 1 45
	expect_func "$funcs" a_posix_memalign 1 33
	expect_func "$funcs" a_aligned_alloc 1 256
	expect_func "$funcs" a_memalign 1 40
	expect_func "$funcs" a_valloc 1 300
	expect_func "$funcs" a_pvalloc 1 8192
	for f in a_src_grow a_src_shrink a_src_zero a_realloc_zero; do
		expect_func "$funcs" $f 0 0
	done
	expect_sum "$d" 11 12921
}

test_allocators_every_entry() {
	local exe
	exe=$(build_prog allocators) || exit 1
	check_allocators "$exe"
}

test_allocators_O2_no_frame_pointer() {
	local exe
	exe=$(build_prog allocators -O2 -fomit-frame-pointer) || exit 1
	check_allocators "$exe"
}

# Results, errno and alignment are the same with and without the preload
# (run_both compares the program's report of them), and nothing leaks.
test_behaviour_unchanged() {
	local exe d
	exe=$(build_prog behaviour -O2) || exit 1
	run_both "$exe"
	expect_status 7
	grep -q 'malloc(SIZE_MAX) *NULL errno=ENOMEM' "$T/leak.out" || fail "malloc(SIZE_MAX) not NULL/ENOMEM: $(head -n 1 "$T/leak.out")"
	grep -q 'posix_memalign(3): rc=EINVAL p unchanged=1' "$T/leak.out" || fail "posix_memalign(3) not EINVAL"
	grep -q 'posix_memalign(huge): rc=ENOMEM' "$T/leak.out" || fail "posix_memalign(huge) not ENOMEM"
	grep -q 'BAD' "$T/leak.out" && fail "misaligned block: $(grep BAD "$T/leak.out" | head -n 1)"
	d=$(dump_only) || exit 1
	expect_sum "$d" 0 0
}

# mtrace_live LOG: "blocks bytes" still live at the end of an mtrace log.
mtrace_live() {
	local blocks=0 bytes=0 size
	while read -r size; do
		blocks=$((blocks + 1))
		bytes=$((bytes + 16#${size#0x}))
	done < <(awk '
		$1 == "@" { op = $3; addr = $4; size = $5 }
		$1 != "@" { next }
		op == "+" || op == ">" { live[addr] = size }
		op == "-" || op == "<" { delete live[addr] }
		END { for (a in live) print live[a] }' "$1")
	echo "$blocks $bytes"
}

test_libc_internal_allocations() {
	local exe d funcs dbg want got f
	exe=$(build_prog libc_internal) || exit 1
	mkdir -p "$T/dir" && touch "$T/dir/f1" "$T/dir/f2" "$T/dir/f3" "$T/dir/other"
	printf 'first line\nsecond line\n' >"$T/text"
	run_both "$exe" "$T/dir" "$T/text"
	expect_status 0
	d=$(dump_only) || exit 1
	funcs=$(dump_funcs "$d" exe)
	note "$funcs"
	expect_func "$funcs" li_strdup 1 13
	expect_func "$funcs" li_strndup 1 5
	for f in li_asprintf:1 li_getline:1 li_fopen:2 li_memstream:1 li_scandir:4; do
		got=$(func_sum "$funcs" "${f%:*}")
		[ "${got% *}" = "${f#*:}" ] || fail "${f%:*}: expected ${f#*:} blocks, dump has $got; recs: $(printf '%s' "$funcs" | tr '\n' ';')"
	done
	# Byte counts: glibc's own allocation trace of the same run is the oracle.
	dbg=$(ls /lib/x86_64-linux-gnu/libc_malloc_debug.so.0 /usr/lib/*/libc_malloc_debug.so.0 2>/dev/null | head -n 1)
	[ -n "$dbg" ] || fail "libc_malloc_debug.so.0 not found (needed as oracle)"
	LD_PRELOAD=$dbg MALLOC_TRACE=$T/mtrace.log "$exe" "$T/dir" "$T/text" >/dev/null 2>&1
	want=$(mtrace_live "$T/mtrace.log")
	got=$(printf '%s\n' "$funcs" | awk '$1 ~ /^li_/ { b += $3; n += $4 } END { print b + 0, n + 0 }')
	[ "$got" = "$want" ] || fail "li_* total $got, glibc mtrace says $want"
}

test_cxx_new_delete_variants() {
	local exe d funcs
	exe=$(build_prog cxx_new) || exit 1
	run_both "$exe"
	expect_status 0
	grep -q ': 0$' "$T/leak.out" && fail "misaligned or failed: $(grep ': 0$' "$T/leak.out" | head -n 1)"
	d=$(dump_only) || exit 1
	funcs=$(dump_funcs "$d")
	note "$funcs"
	expect_func "$funcs" n_plain 1 24
	expect_func "$funcs" n_array 1 40
	expect_func "$funcs" n_nothrow 1 32
	expect_func "$funcs" n_array_nothrow 1 48
	expect_func "$funcs" n_aligned 1 128
	expect_func "$funcs" n_aligned_array 1 256
	expect_func "$funcs" n_aligned_nothrow 1 200
	expect_func "$funcs" n_aligned_array_nothrow 1 192
	expect_func "$funcs" f_all 0 0
	# Anything else must have no frame in the program (libstdc++'s own
	# emergency exception pool, allocated before main, is such a block).
	funcs=$(dump_funcs "$d" exe | awk '$1 != "?" && $1 !~ /^n_/')
	[ -z "$funcs" ] || fail "unexpected blocks from the program: $(printf '%s' "$funcs" | tr '\n' ';')"
}

test_cxx_new_O2() {
	local exe d funcs
	exe=$(build_prog cxx_new -O2 -fomit-frame-pointer) || exit 1
	run_both "$exe"
	d=$(dump_only) || exit 1
	funcs=$(dump_funcs "$d")
	expect_func "$funcs" n_plain 1 24
	expect_func "$funcs" n_aligned_array_nothrow 1 192
	expect_func "$funcs" f_all 0 0
}
