# deepbind.sh - dlopen under the preload: RTLD_DEEPBIND libraries stay on
# libleak's hooks, and a plain dlopen still searches the caller's RUNPATH.
#
# deepbind_main opens progs/deepbind_lib.c (see deepbind_main.c for what it
# calls). With RTLD_DEEPBIND the library's malloc/calloc/free/dlopen bind to
# libc first; deepbind.c rewrites those GOT slots, so its leaks are in the
# dump and its free of the program's block removes that block.

# check_deepbind_dump DUMP INNER: the leaks deepbind_main leaves; INNER is 1
# when db_nested() ran. No total is asserted: the first dlopen of a process
# leaves a block of glibc's own (2304 bytes on glibc 2.36) after dlclose.
check_deepbind_dump() {
	local d=$1 funcs
	funcs=$(dump_funcs "$d")
	expect_func "$funcs" db_leak 3 231
	expect_func "$funcs" db_leak_ptr 1 33
	expect_func "$funcs" db_churn 0 0
	expect_func "$funcs" main_alloc 0 0
	if [ "$2" = 1 ]; then
		expect_func "$funcs" inner_leak 1 19
	else
		expect_func "$funcs" inner_leak 0 0
	fi
}

test_deepbind_leaks_tracked() {
	local exe lib d
	exe=$(build_prog deepbind_main) || exit 1
	lib=$(build_lib deepbind_lib) || exit 1
	run_both "$exe" "$lib" deep
	expect_status 0
	grep -q '^opened .* (deep), done$' "$T/leak.out" || fail "unexpected output: $(head -c 200 "$T/leak.out")"
	d=$(dump_only) || exit 1
	check_deepbind_dump "$d" 0
	! grep -Eq '^libleak: .*(DEEPBIND|GOT|RELRO)' "$T/leak.err" || fail "libleak complained: $(grep '^libleak:' "$T/leak.err" | head -n 3 | tr '\n' ' ')"
	# The 20 blocks of db_churn and main_alloc's block were freed in the library.
	[ "$(dump_stat "$d" frees)" -ge 21 ] || fail "stat frees $(dump_stat "$d" frees), expected >= 21"
}

test_deepbind_nested_dlopen() {
	local exe lib inner d
	exe=$(build_prog deepbind_main) || exit 1
	lib=$(build_lib deepbind_lib) || exit 1
	inner=$(build_lib deepbind_inner) || exit 1
	run_both "$exe" "$lib" deep "$inner"
	expect_status 0
	d=$(dump_only) || exit 1
	check_deepbind_dump "$d" 1
}

test_deepbind_same_as_plain_dlopen() {
	local exe lib
	exe=$(build_prog deepbind_main -O2 -fomit-frame-pointer) || exit 1
	lib=$(build_lib deepbind_lib) || exit 1
	run_leak "$exe" "$lib" plain
	expect_status 0
	check_deepbind_dump "$(dump_only)" 0
}

# runpath_setup: the program as $T/app with RUNPATH $ORIGIN/lib and the
# library as $T/lib/libdbplug.so, found by its bare name only through it.
runpath_setup() {
	local exe lib
	exe=$(build_prog deepbind_main -O0 '-Wl,-rpath,$ORIGIN/lib' -Wl,--enable-new-dtags) || exit 1
	lib=$(build_lib deepbind_lib) || exit 1
	mkdir -p "$T/lib" && cp "$exe" "$T/app" && mv "$lib" "$T/lib/libdbplug.so" || fail "cannot lay out $T"
	readelf -d "$T/app" | grep -q 'RUNPATH.*\[\$ORIGIN/lib\]' || fail "app has no RUNPATH \$ORIGIN/lib: $(readelf -d "$T/app" | grep -i path)"
}

# runpath_run MODE: run the app from / by the bare name, with and without
# the preload; both must find the library.
runpath_run() {
	cd / || exit 1
	run_both "$T/app" libdbplug.so "$1"
	expect_status 0
	grep -q "^opened libdbplug.so ($1), done\$" "$T/leak.out" || fail "unexpected output: $(head -c 200 "$T/leak.out")"
	check_deepbind_dump "$(dump_only)" 0
}

test_dlopen_runpath_origin() {
	runpath_setup
	runpath_run plain
}

test_deepbind_runpath_origin() {
	runpath_setup
	runpath_run deep
}

# -z now: every GOT slot of the library is in RELRO, read-only once loaded.
test_deepbind_bind_now_relro() {
	local exe lib
	exe=$(build_prog deepbind_main) || exit 1
	lib=$(build_lib deepbind_lib -Wl,-z,now -Wl,-z,relro) || exit 1
	readelf -d "$lib" | grep -q 'BIND_NOW\|FLAGS.*NOW' || fail "$lib is not BIND_NOW"
	run_both "$exe" "$lib" deep
	expect_status 0
	check_deepbind_dump "$(dump_only)" 0
}

# operator new/delete from a C program's deep-bound library, which brings
# libstdc++ into the process with RTLD_DEEPBIND scope.
test_deepbind_cxx_operators() {
	local exe lib
	exe=$(build_prog deepbind_main) || exit 1
	lib=$(build_lib deepbind_cxxlib -Wl,--no-as-needed -lstdc++) || exit 1
	readelf -d "$lib" | grep -q 'NEEDED.*libstdc++' || fail "$lib does not need libstdc++"
	run_both "$exe" "$lib" deep
	expect_status 0
	check_deepbind_dump "$(dump_only)" 0
}
