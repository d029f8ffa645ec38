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
