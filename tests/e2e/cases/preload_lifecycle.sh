# preload_lifecycle.sh - threads, fork, exec, the ways a process ends,
# frees at exit, dlopen/dlclose, and frees of blocks older than tracking.

test_threads_300() {
	local exe d funcs
	exe=$(build_prog threads) || exit 1
	run_both "$exe" 300
	expect_status 0
	d=$(dump_only) || exit 1
	funcs=$(dump_funcs "$d")
	note "$funcs"
	expect_func "$funcs" thread_leak 300 19200
	expect_func "$funcs" thread_churn 0 0
	# Whatever else is live (thread bookkeeping of ld.so or libc) must not
	# be attributed to the program's own functions.
	funcs=$(dump_funcs "$d" exe | awk '$1 == "thread_churn" || $1 == "worker"')
	[ -z "$funcs" ] || fail "unexpected blocks: $(printf '%s' "$funcs" | tr '\n' ';')"
}

test_threads_O2_no_frame_pointer() {
	local exe d
	exe=$(build_prog threads -O2 -fomit-frame-pointer) || exit 1
	run_both "$exe" 100
	d=$(dump_only) || exit 1
	expect_func "$(dump_funcs "$d")" thread_leak 100 6400
}

test_exit_from_other_thread() {
	local exe d funcs
	exe=$(build_prog thread_exit) || exit 1
	run_both "$exe"
	expect_status 5
	d=$(dump_only) || exit 1
	funcs=$(dump_funcs "$d")
	expect_func "$funcs" worker_leak 1 77
	expect_func "$funcs" main_leak 1 66
}

test_fork_child_and_parent_dumps() {
	local exe child parent dc dp funcs
	exe=$(build_prog fork) || exit 1
	run_both "$exe" "$T/childpid"
	expect_status 0
	child=$(cat "$T/childpid")
	[ "$(dump_list | wc -l)" -eq 2 ] || fail "expected 2 dumps, have: $(ls "$T/out" | tr '\n' ' ')"
	dc=$(dump_for_pid "$child") || exit 1
	dp=$(dump_list | grep -v "/leak\.$child\.dump$")
	dump_valid "$dp"
	parent=$(dump_field "$dp" pid)
	[ "$(dump_field "$dc" pid)" = "$child" ] || fail "child dump says pid $(dump_field "$dc" pid), expected $child"
	[ "$(dump_field "$dc" ppid)" = "$parent" ] || fail "child dump says ppid $(dump_field "$dc" ppid), expected $parent"
	funcs=$(dump_funcs "$dc")
	expect_func "$funcs" before_fork 1 11
	expect_func "$funcs" child_leak 2 44
	expect_func "$funcs" parent_leak 0 0
	expect_sum "$dc" 3 55
	funcs=$(dump_funcs "$dp")
	expect_func "$funcs" before_fork 1 11
	expect_func "$funcs" parent_leak 3 99
	expect_func "$funcs" child_leak 0 0
	expect_sum "$dp" 4 110
}

test_exec_image_writes_dump() {
	local outer inner d funcs
	outer=$(build_prog exec_outer) || exit 1
	inner=$(build_prog leak_plain) || exit 1
	run_both "$outer" "$inner"
	expect_status 3
	d=$(dump_only) || exit 1
	[ "$(dump_field "$d" exe)" = "$inner" ] || fail "dump exe $(dump_field "$d" exe), expected the exec'd $inner"
	funcs=$(dump_funcs "$d")
	expect_func "$funcs" leak_one 1 100
	expect_sum "$d" 1 100
}

# check_exit_kind HOW: exit_kinds.c ending through HOW still dumps.
check_exit_kind() {
	local exe d
	exe=$(build_prog exit_kinds) || exit 1
	run_both "$exe" "$1"
	expect_status 9
	d=$(dump_only) || exit 1
	expect_func "$(dump_funcs "$d")" leak_before_exit 1 55
	expect_sum "$d" 1 55
}

test_exit_return() { check_exit_kind return; }
test_exit_exit() { check_exit_kind exit; }
test_exit__exit() { check_exit_kind _exit; }
test_exit__Exit() { check_exit_kind _Exit; }

test_atexit_free_not_reported() {
	local exe d funcs
	exe=$(build_prog atexit_free) || exit 1
	run_both "$exe"
	expect_status 0
	d=$(dump_only) || exit 1
	funcs=$(dump_funcs "$d")
	expect_func "$funcs" alloc_global 0 0
	expect_func "$funcs" real_leak 1 8
	expect_sum "$d" 1 8
}

test_cxx_static_destructor_not_reported() {
	local exe d funcs
	exe=$(build_prog static_dtor) || exit 1
	run_both "$exe"
	expect_status 0
	d=$(dump_only) || exit 1
	funcs=$(dump_funcs "$d" exe)
	note "$funcs"
	expect_func "$funcs" holder_fill 0 0
	expect_func "$funcs" main 0 0
	expect_func "$funcs" real_leak 1 12
	expect_func "$(dump_funcs "$d")" real_leak 1 12
}

test_dlclose_module_unloaded() {
	local exe lib d funcs stack pc line lo hi
	exe=$(build_prog dl_main) || exit 1
	lib=$(build_lib plugin_leak) || exit 1
	run_both "$exe" "$lib"
	expect_status 0
	d=$(dump_only) || exit 1
	funcs=$(dump_funcs "$d")
	note "$funcs"
	expect_func "$funcs" plugin_leak 1 123
	expect_func "$funcs" plugin_churn 0 0
	line=$(awk -v p="$lib" '$1 == "module" && $8 == p' "$d")
	[ "$(printf '%s\n' "$line" | grep -c .)" -eq 1 ] || fail "expected one module line for $lib, got: $line"
	[ "$(printf '%s' "$line" | cut -d' ' -f7)" = unloaded ] || fail "module not marked unloaded: $line"
	lo=$(printf '%s' "$line" | cut -d' ' -f4)
	hi=$(printf '%s' "$line" | cut -d' ' -f5)
	stack=$(awk '$1 == "rec" && $5 == 123 { print $2; exit }' "$d")
	[ -n "$stack" ] || fail "no rec of 123 bytes"
	pc=$(dump_stack_pcs "$d" "$stack" | head -n 1)
	[ $((16#$pc)) -ge $((16#$lo)) ] && [ $((16#$pc)) -lt $((16#$hi)) ] ||
		fail "first pc $pc of the plugin's leak is outside $lo..$hi"
}

test_free_of_blocks_older_than_tracking() {
	local lib exe d
	lib=$(build_lib preinit_lib) || exit 1
	exe=$(build_prog pre_free -O0 "$lib" "-Wl,-rpath,$T") || exit 1
	run_both "$exe"
	expect_status 0
	d=$(dump_only) || exit 1
	expect_func "$(dump_funcs "$d")" env_leak 1 19
	expect_func "$(dump_funcs "$d")" preinit_alloc 0 0
}
