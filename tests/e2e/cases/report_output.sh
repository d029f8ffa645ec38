# report_output.sh - leakreport on real dumps: JSON function names, files and
# lines, counts that match the dump, and the text output's shape.
# Needs jq. Lines are looked up by their "MARK:<name>" comment, never typed in.

# mark_line PROG NAME: the line of progs/PROG.c holding "MARK:NAME".
mark_line() {
	local n
	n=$(grep -n "MARK:$2\b" "$PROGS/$1.c" | head -n 1 | cut -d: -f1)
	[ -n "$n" ] || fail "no MARK:$2 in $1.c"
	printf '%s\n' "$n"
}

# leaks_dump: build and run report_leaks under the preload; print its dump.
leaks_dump() {
	local exe
	exe=$(build_prog report_leaks) || exit 1
	run_both "$exe" "$@"
	expect_status 0
	dump_only
}

test_report_json_functions_and_lines() {
	command -v jq >/dev/null || fail "jq is not installed"
	local d funcs line got status
	d=$(leaks_dump) || exit 1
	"$LEAKREPORT" --format json --show all --fail-on none "$d" >r.json 2>r.err
	status=$?
	[ "$status" -eq 0 ] || fail "leakreport exited $status: $(head -n 2 r.err)"
	jq -e . r.json >/dev/null || fail "output is not JSON"
	jq -e '.version == 1 and (.pid | type) == "number" and (.dumps | length) == 1' r.json \
		>/dev/null || fail "version/pid/dumps wrong: $(jq -c '{version, pid, dumps}' r.json)"
	[ "$(jq -r .pid r.json)" = "$(dump_field "$d" pid)" ] || fail "pid differs from the dump"
	[ "$(jq -r '.dumps[0].path' r.json)" = "$d" ] || fail "dumps[0].path is not $d"
	funcs=$(dump_funcs "$d")

	# make_buf: every record of it names make_buf first, at the MARK line,
	# called from direct_leaks at its MARK line.
	line=$(mark_line report_leaks make_buf) || exit 1
	got=$(jq -r --argjson l "$line" '[.leaks[] | select(.frames[0].function == "make_buf")] |
		(map(.blocks) | add | tostring) + " " + (map(.bytes) | add | tostring) + " " +
		(map(.frames[0].line == $l and (.frames[0].file | endswith("report_leaks.c")) and
		     (.frames[0].module | startswith("report_leaks")) and
		     (.frames[0].addr | test("^0x[0-9a-f]+$")) and
		     .frames[1].function == "direct_leaks") | all | tostring)' r.json)
	[ "$got" = "$(func_sum "$funcs" make_buf) true" ] ||
		fail "make_buf records: got '$got', dump has $(func_sum "$funcs" make_buf) at line $line"
	line=$(mark_line report_leaks direct_leaks) || exit 1
	jq -e --argjson l "$line" '[.leaks[] | select(.frames[0].function == "make_buf") |
		.frames[1].line == $l] | all' r.json >/dev/null || fail "direct_leaks line is not $line"

	# make_node: 4 blocks of 48 bytes over all kinds, at its MARK line.
	line=$(mark_line report_leaks make_node) || exit 1
	got=$(jq -r --argjson l "$line" '[.leaks[] | select(.frames[0].function == "make_node")] |
		(map(.blocks) | add | tostring) + " " + (map(.bytes) | add | tostring) + " " +
		(map(.frames[0].line == $l and .frames[1].function == "list_leak") | all | tostring)' r.json)
	[ "$got" = "4 192 true" ] || fail "make_node records: got '$got' (dump: $(func_sum "$funcs" make_node))"

	# kinds and counts per record agree with the dump's rec lines
	for f in make_buf make_node keep_global helper_leak; do
		want=$(printf '%s\n' "$funcs" | awk -v f="$f" '$1 == f { print $2, $3, $4 }' | sort)
		got=$(jq -r --arg f "$f" '.leaks[] | select(.frames[0].function == $f) |
			"\(.kind) \(.blocks) \(.bytes)"' r.json | sort)
		[ "$got" = "$want" ] || fail "$f: leakreport '$got', dump '$want'"
	done
	# helper_leak comes from the #line file
	jq -e '[.leaks[] | select(.frames[0].function == "helper_leak") |
		.frames[0].file | endswith("report_helper.c")] | (length == 1 and all)' r.json \
		>/dev/null || fail "helper_leak not attributed to report_helper.c"

	# the summary adds up to the dump
	got=$(jq -r '[.summary.definite, .summary.indirect, .summary.possible, .summary.reachable] |
		"\(map(.blocks) | add) \(map(.bytes) | add)"' r.json)
	[ "$got" = "$(dump_sum "$d")" ] || fail "summary $got, dump $(dump_sum "$d")"
	[ "$(jq -r .summary.total_allocs r.json)" = "$(dump_stat "$d" allocs)" ] || fail "total_allocs"
	[ "$(jq -r .summary.peak_bytes r.json)" = "$(dump_stat "$d" peak_bytes)" ] || fail "peak_bytes"
	# no allocator frame is ever shown
	jq -e '[.leaks[].frames[] | .function // "" |
		test("^(malloc|calloc|realloc|free|__libc_malloc|__GI___libc_malloc)$") | not] | all' \
		r.json >/dev/null || fail "an allocator frame is shown"
	jq -e '[.leaks[].frames[] | .module // "" | startswith("libleak") | not] | all' r.json \
		>/dev/null || fail "a libleak.so frame is shown"
	# sorted by bytes, largest first
	jq -e '[.leaks[].bytes] as $b | $b == ($b | sort | reverse)' r.json >/dev/null ||
		fail "records not sorted by bytes: $(jq -c '[.leaks[].bytes]' r.json)"
	jq -e '.gate.passed == true and (.gate.reason | type) == "string"' r.json >/dev/null ||
		fail "gate: $(jq -c .gate r.json)"
}

test_report_text_shape() {
	local d status line sum reach
	d=$(leaks_dump) || exit 1
	"$LEAKREPORT" "$d" >r.txt 2>r.err
	status=$?
	[ "$status" -eq 1 ] || fail "leakreport exited $status, expected 1 (leaks over the gate)"
	[ -s r.err ] && fail "stderr not empty: $(head -n 2 r.err)"
	grep -q $'\033' r.txt && fail "colour codes although stdout is not a terminal"
	grep -Eq '^Direct leak of 4096 byte\(s\) in 16 object\(s\) allocated from:$' r.txt ||
		fail "no 'Direct leak of 4096 byte(s) in 16 object(s)' header: $(head -n 3 r.txt)"
	line=$(mark_line report_leaks make_buf) || exit 1
	grep -Eq "^    #0 0x[0-9a-f]+ in make_buf .*report_leaks\.c:$line \(report_leaks[^)]*\)$" r.txt ||
		fail "no '#0 ... in make_buf ...report_leaks.c:$line (report_leaks)' line"
	grep -Eq '^    #1 0x[0-9a-f]+ in direct_leaks ' r.txt || fail "no '#1 ... in direct_leaks'"
	# every line is a header, a frame, a note, blank or part of the summary
	awk '
		/^(Direct leak of|Indirect leak of|Possible leak of|Still reachable:) [0-9]+ byte\(s\) in [0-9]+ object\(s\) allocated from:$/ { next }
		/^    #[0-9]+ 0x[0-9a-f]+ (in [^ ].*|\(.*\))$/ { next }
		/^  note: / || /^$/ { next }
		/^SUMMARY: libleak: [0-9]+ byte\(s\) leaked in [0-9]+ allocation\(s\)\.$/ { s = 1; next }
		s { next }
		{ print "unexpected line: " $0; exit 1 }
		END { if (!s) { print "no SUMMARY line"; exit 1 } }' r.txt >shape.err ||
		fail "$(cat shape.err)"
	# reachable records are counted, not listed, by default (the dump has
	# them only when the preload scanned: "scan full")
	reach=$(dump_sum "$d" reachable)
	grep -q '^Still reachable:' r.txt && fail "reachable listed without --show"
	grep -Eq "^  reachable +${reach#* } byte\(s\) in ${reach% *} allocation\(s\), " r.txt ||
		fail "reachable total is not the dump's $reach: $(grep reachable r.txt)"
	"$LEAKREPORT" --show all "$d" >all.txt 2>&1
	if [ "${reach% *}" -gt 0 ]; then
		grep -Eq '^Still reachable: 64 byte\(s\) in 1 object\(s\) allocated from:$' all.txt ||
			fail "--show all does not list the reachable block"
	else
		note "no reachable blocks in the dump ($(dump_field "$d" scan) scan)"
		grep -q '^Still reachable:' all.txt && fail "reachable listed, dump has none"
	fi
	# SUMMARY counts definite + indirect + possible, as the dump does
	sum=$(awk '$1 == "rec" && $3 != "reachable" { b += $4; n += $5 } END { print n + 0, b + 0 }' "$d")
	grep -q "^SUMMARY: libleak: ${sum% *} byte(s) leaked in ${sum#* } allocation(s).$" r.txt ||
		fail "SUMMARY wrong, dump has $sum: $(grep SUMMARY r.txt)"
	grep -q '^Gate: FAILED: ' r.txt || fail "no gate verdict"
	# colour only on request
	"$LEAKREPORT" --color=always "$d" >c.txt
	grep -q $'^\033\[1;31mDirect leak of' c.txt || fail "--color=always gives no colour"
	NO_COLOR=1 "$LEAKREPORT" --color always "$d" | grep -q $'\033' || fail "--color always must win over NO_COLOR"
	# --top 1 lists one record and says how many are left out
	"$LEAKREPORT" --top 1 "$d" >top.txt
	[ "$(grep -Ec '^(Direct|Indirect|Possible) leak of' top.txt)" -eq 1 ] || fail "--top 1 lists more than one"
	grep -Eq '^\([0-9]+ more records? not listed, see --top\)$' top.txt || fail "--top: no 'more records' line"
}

test_report_gate_thresholds() {
	local d status leaked want
	d=$(leaks_dump) || exit 1
	"$LEAKREPORT" --fail-on none "$d" >/dev/null; status=$?
	[ "$status" -eq 0 ] || fail "--fail-on none exited $status"
	"$LEAKREPORT" --max-leaks 1000 "$d" >/dev/null; status=$?
	[ "$status" -eq 0 ] || fail "--max-leaks 1000 exited $status"
	leaked=$(awk '$1 == "rec" && ($3 == "definite" || $3 == "indirect") { n += $5 } END { print n + 0 }' "$d")
	"$LEAKREPORT" --max-leaks 1000 --max-bytes "$leaked" "$d" >/dev/null; status=$?
	[ "$status" -eq 0 ] || fail "--max-bytes $leaked (exactly the leaked bytes) exited $status"
	"$LEAKREPORT" --max-leaks 1000 --max-bytes $((leaked - 1)) "$d" >/dev/null; status=$?
	[ "$status" -eq 1 ] || fail "--max-bytes $((leaked - 1)) exited $status, expected 1"
	# --fail-on reachable: fails exactly when the dump has reachable blocks
	want=0
	[ "$(dump_sum "$d" reachable)" != "0 0" ] && want=1
	"$LEAKREPORT" --fail-on reachable --format json "$d" >r.json; status=$?
	[ "$status" -eq "$want" ] || fail "--fail-on reachable exited $status, expected $want"
	jq -e --argjson w "$want" '.gate.passed == ($w == 0)' r.json >/dev/null || fail "gate.passed wrong"
	"$LEAKREPORT" --fail-on definite --max-leaks 1000 --max-bytes 0 --format json "$d" >r.json
	[ $? -eq 1 ] || fail "--max-bytes 0 with definite leaks passed"
}

test_report_json_escaping() {
	command -v jq >/dev/null || fail "jq is not installed"
	local d want
	d=$(leaks_dump) || exit 1
	# exe: control byte, invalid byte, quote, backslash, a valid euro sign,
	# then a UTF-8-encoded surrogate (invalid: three bytes, three U+FFFD)
	sed 's|^exe .*|exe /tmp/a%01%FF%22%5Cb%E2%82%AC%ED%A0%80|' "$d" >esc.dump
	"$LEAKREPORT" --format json --fail-on none esc.dump >r.json || fail "leakreport failed"
	grep -Fq '"exe": "/tmp/a\u0001\ufffd\"\\b€\ufffd\ufffd\ufffd",' r.json ||
		fail "escaping: $(grep -m1 '"exe"' r.json)"
	want=$(printf '/tmp/a\001\357\277\275"\\b\342\202\254\357\277\275\357\277\275\357\277\275')
	[ "$(jq -r .exe r.json)" = "$want" ] || fail "jq reads .exe as $(jq .exe r.json)"
}

# Two malloc call sites in one function are two records, as in Valgrind and
# LeakSanitizer, also in a binary without line information (libyaml's
# test-reader, built without -g, had its eight sites in one record); the
# two calls through each site stay one record.
test_report_call_sites_without_lines() {
	command -v jq >/dev/null || fail "jq is not installed"
	local exe bare d got
	exe=$(build_prog report_two_sites) || exit 1
	bare=$T/report_two_sites_nodebug
	objcopy --strip-debug "$exe" "$bare" || fail "objcopy --strip-debug failed"
	for prog in "$exe" "$bare"; do
		rm -f "$T"/out/*.dump
		run_leak "$prog"
		expect_status 0
		d=$(dump_only) || exit 1
		"$LEAKREPORT" --format json --fail-on none "$d" >r.json 2>r.err ||
			fail "leakreport: $(head -n 2 r.err)"
		got=$(jq -r '[.leaks[] | select(.kind == "definite") |
			"\(.frames[0].function) \(.blocks) \(.bytes) \(.frames[0].line != null)"] | sort | join(";")' r.json)
		if [ "$prog" = "$exe" ]; then
			[ "$got" = "make_two 2 200 true;make_two 2 400 true" ] ||
				fail "with line information: $got"
		else
			[ "$got" = "make_two 2 200 false;make_two 2 400 false" ] ||
				fail "without line information: $got"
			[ "$(jq -r '[.leaks[] | select(.kind == "definite") | .frames[0].offset] | unique | length' r.json)" = 2 ] ||
				fail "the two records do not name two call sites: $(jq -c '[.leaks[].frames[0]]' r.json)"
		fi
	done
}
