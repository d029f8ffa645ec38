# preload_faults.sh - the preload under bad settings and failing resources.
#
# In every case the program must behave as without the preload (exit status
# and stdout), stderr must hold exactly one "libleak:" line saying what went
# wrong, and no partial dump or temporary file may be left. The runs use
# LEAK_QUIET=1 so that the exit summary does not count as a line.

# fault_run EXE: run EXE under the preload (caller sets LEAK_*), then check
# status, stdout and the single stderr line against a plain run.
fault_run() {
	run_both "$@"
	LIBLEAK_LINES=$(libleak_lines "$T/leak.err")
	[ "$LIBLEAK_LINES" -eq 1 ] || fail "expected 1 libleak: line on stderr, got $LIBLEAK_LINES: $(head -c 400 "$T/leak.err" | tr '\n' '|')"
	LIBLEAK_LINE=$(grep '^libleak:' "$T/leak.err")
	note "stderr: $LIBLEAK_LINE"
}

# expect_line_mentions TEXT: the libleak: line names TEXT (a path, a variable).
expect_line_mentions() {
	case "$LIBLEAK_LINE" in
	*"$1"*) ;;
	*) fail "libleak: line does not mention '$1': $LIBLEAK_LINE" ;;
	esac
}

# expect_no_files DIR: no dump and no temporary file anywhere in DIR.
expect_no_files() {
	local left
	left=$(find "$1" -type f \( -name '*.dump*' -o -name '*.tmp.*' \) 2>/dev/null | head -n 3)
	[ -z "$left" ] || fail "files left in $1: $left"
}

test_fault_output_dir_missing() {
	local exe
	exe=$(build_prog leak_plain) || exit 1
	LEAK_QUIET=1 LEAK_OUTPUT=$T/missing/leak.%p.dump fault_run "$exe"
	expect_line_mentions "$T/missing/leak."
	[ ! -e "$T/missing" ] || fail "$T/missing was created"
	expect_no_files "$T"
}

test_fault_output_dir_not_writable() {
	local exe
	exe=$(build_prog leak_plain) || exit 1
	mkdir -p "$T/ro"
	chmod 555 "$T/ro"
	if [ "$(id -u)" -eq 0 ]; then
		# root ignores the mode bits: run the program as nobody.
		command -v setpriv >/dev/null || fail "setpriv not found (needed to drop root)"
		LEAK_QUIET=1 LEAK_OUTPUT=$T/ro/leak.%p.dump \
			fault_run setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$exe"
	else
		LEAK_QUIET=1 LEAK_OUTPUT=$T/ro/leak.%p.dump fault_run "$exe"
	fi
	expect_line_mentions "$T/ro/leak."
	[ -z "$(ls -A "$T/ro")" ] || fail "files left in $T/ro: $(ls -A "$T/ro")"
}

test_fault_output_under_proc() {
	local exe
	exe=$(build_prog leak_plain) || exit 1
	LEAK_QUIET=1 LEAK_OUTPUT=/proc/self/leak.%p.dump fault_run "$exe"
	expect_line_mentions "/proc/self/leak."
}

test_fault_output_exists() {
	local exe
	exe=$(build_prog leak_plain) || exit 1
	printf 'keep me\n' >"$T/out/exists.dump"
	LEAK_QUIET=1 LEAK_OUTPUT=$T/out/exists.dump fault_run "$exe"
	expect_line_mentions "$T/out/exists.dump"
	[ "$(cat "$T/out/exists.dump")" = "keep me" ] || fail "existing file was changed"
	no_temp_left
}

test_fault_output_symlink() {
	local exe
	exe=$(build_prog leak_plain) || exit 1
	ln -s "$T/target.dump" "$T/out/link.dump"
	LEAK_QUIET=1 LEAK_OUTPUT=$T/out/link.dump fault_run "$exe"
	expect_line_mentions "$T/out/link.dump"
	[ ! -e "$T/target.dump" ] || fail "dump written through a dangling symlink"
	[ -L "$T/out/link.dump" ] || fail "symlink replaced"
	no_temp_left
	# A symlink to an existing file: the file must stay as it was.
	printf 'victim\n' >"$T/victim"
	ln -s "$T/victim" "$T/out/link2.dump"
	LEAK_QUIET=1 LEAK_OUTPUT=$T/out/link2.dump fault_run "$exe"
	[ "$(cat "$T/victim")" = victim ] || fail "file behind symlink was changed"
	[ -L "$T/out/link2.dump" ] || fail "symlink replaced"
	no_temp_left
}

# check_bad_depth VALUE: one line names LEAK_DEPTH, the default is used.
check_bad_depth() {
	local exe d
	exe=$(build_prog leak_plain) || exit 1
	LEAK_QUIET=1 LEAK_DEPTH=$1 fault_run "$exe"
	expect_line_mentions LEAK_DEPTH
	no_temp_left
	d=$(dump_only) || exit 1
	[ "$(dump_field "$d" depth)" -ge 1 ] && [ "$(dump_field "$d" depth)" -le 256 ] ||
		fail "depth line $(dump_field "$d" depth) with LEAK_DEPTH=$1"
	expect_func "$(dump_funcs "$d")" leak_one 1 100
}

test_fault_depth_zero() { check_bad_depth 0; }
test_fault_depth_999() { check_bad_depth 999; }
test_fault_depth_abc() { check_bad_depth abc; }
test_fault_depth_empty() { check_bad_depth ""; }

# LEAK_FAULT_MMAP=N makes the preload's Nth internal mmap and all later ones
# fail. The program must not notice; the dump, if written, is complete and
# counts what was dropped; if not written, one line says why. 100000 leaked
# blocks make the tables grow, so some N must lead to dropped blocks. N up
# to 40 reaches the exit scan's own maps, past the point where the address
# map gave its blocks up (scan_blind: the scan's copy is the dump's).
test_fault_mmap() {
	local exe n d got dropped lines saw_drop=0
	exe=$(build_prog leak_loop) || exit 1
	for n in $(seq 0 40); do
		rm -f "$T"/out/*
		LEAK_QUIET=1 LEAK_FAULT_MMAP=$n run_both "$exe" 100000
		no_temp_left
		lines=$(libleak_lines "$T/leak.err")
		if [ -z "$(dump_list)" ]; then
			[ "$lines" -eq 1 ] || fail "LEAK_FAULT_MMAP=$n: no dump and $lines libleak: lines: $(head -c 300 "$T/leak.err" | tr '\n' '|')"
			note "LEAK_FAULT_MMAP=$n: no dump: $(cat "$T/leak.err")"
			continue
		fi
		[ "$lines" -le 1 ] || fail "LEAK_FAULT_MMAP=$n: $lines libleak: lines: $(head -c 300 "$T/leak.err" | tr '\n' '|')"
		d=$(dump_only) || exit 1
		# Blocks whose stack could not be stored count under stack 0.
		got=$(dump_funcs "$d" | awk '$1 == "leak_many" || $1 == "?" { b += $3; n += $4 }
			END { print b + 0, n + 0 }')
		dropped=$(dump_stat "$d" dropped)
		note "LEAK_FAULT_MMAP=$n: leak_many $got, dropped $dropped, stderr: $(cat "$T/leak.err")"
		[ "${got% *}" -le 100000 ] || fail "LEAK_FAULT_MMAP=$n: leak_many $got, more than leaked"
		if [ "$dropped" -gt 0 ]; then
			saw_drop=1
		elif [ "$got" != "100000 2400000" ]; then
			fail "LEAK_FAULT_MMAP=$n: leak_many $got (of 100000 2400000) but stat dropped 0"
		fi
	done
	[ "$saw_drop" = 1 ] || fail "no LEAK_FAULT_MMAP value led to dropped blocks; is the knob honoured?"
}

test_summary_line() {
	local exe d
	exe=$(build_prog leak_plain) || exit 1
	run_both "$exe"
	d=$(dump_only) || exit 1
	[ "$(libleak_lines "$T/leak.err")" -eq 1 ] || fail "expected one summary line, stderr: $(head -c 300 "$T/leak.err" | tr '\n' '|')"
	LIBLEAK_LINE=$(grep '^libleak:' "$T/leak.err")
	expect_line_mentions "$d"
	expect_line_mentions "stack"
	printf '%s\n' "$LIBLEAK_LINE" | grep -Eq '(^|[^0-9])100([^0-9]|$)' || fail "summary does not give the 100 bytes: $LIBLEAK_LINE"
	[ "$(wc -l <"$T/leak.err")" -eq 1 ] || fail "stderr has more than the summary: $(head -c 300 "$T/leak.err" | tr '\n' '|')"
}

test_quiet_no_stderr() {
	local exe
	exe=$(build_prog leak_plain) || exit 1
	LEAK_QUIET=1 run_both "$exe"
	dump_only >/dev/null || exit 1
	[ ! -s "$T/leak.err" ] || fail "LEAK_QUIET=1 but stderr: $(head -c 300 "$T/leak.err" | tr '\n' '|')"
}

test_dump_mode_0600() {
	local exe d
	exe=$(build_prog leak_plain) || exit 1
	(umask 000 && run_leak "$exe") || exit 1
	d=$(dump_only) || exit 1
	[ "$(stat -c %a "$d")" = 600 ] || fail "dump mode $(stat -c %a "$d"), expected 600"
}
