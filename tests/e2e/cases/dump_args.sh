# dump_args.sh - the dump's command line survives any argument: empty ones,
# spaces, newlines, '%' and bytes outside ASCII; leakreport reads it back.

test_dump_odd_arguments() {
	local exe d n
	exe=$(build_prog leak_plain) || exit 1
	run_leak "$exe" "" "two words" "$(printf 'new\nline')" "100%" "$(printf '\xff\xfe')" ""
	d=$(dump_only) || exit 1
	n=$(awk '$1 == "argc" { print $2 }' "$d")
	[ "$n" = 7 ] || fail "argc $n, expected 7"
	grep -qx 'arg %00' "$d" || fail "the empty argument is not written as %00"
	grep -qx 'arg two%20words' "$d" || fail "spaces are not escaped"
	grep -qx 'arg 100%25' "$d" || fail "'%' is not escaped"
	grep -qx 'arg %FF%FE' "$d" || fail "high bytes are not escaped"
	"$LEAKREPORT" --format json --fail-on none "$d" >"$T/r.json" 2>"$T/r.err" ||
		fail "leakreport rejected the dump: $(cat "$T/r.err")"
}

# LEAK_REACHABILITY=0: no scan; the dump says so and every block is definite,
# even one a global still points to; the default run calls it reachable.
test_reachability_off() {
	local exe d
	exe=$(build_prog reach_global) || exit 1
	LEAK_QUIET=1 run_leak "$exe"
	d=$(dump_only) || exit 1
	[ "$(dump_field "$d" scan)" = full ] || fail "the default run did not scan"
	awk '$1 == "rec" && $3 == "reachable" { r = 1 } END { exit !r }' "$d" ||
		fail "nothing reachable in the default run"
	rm -f "$T"/out/*
	LEAK_QUIET=1 LEAK_REACHABILITY=0 run_leak "$exe"
	d=$(dump_only) || exit 1
	[ "$(dump_field "$d" scan)" = none ] || fail "LEAK_REACHABILITY=0 still scanned"
	awk '$1 == "rec" && $3 != "definite" { bad = 1 } END { exit bad }' "$d" ||
		fail "a record other than definite without a scan"
	[ "$(grep -c '^retain ' "$d")" -eq 0 ] || fail "retain lines without a scan"
	LEAK_REACHABILITY=maybe run_leak "$exe"
	grep -q "LEAK_REACHABILITY='maybe'" "$T/leak.err" || fail "no line for a bad value"
}
