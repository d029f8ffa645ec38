# report_retain.sh - leakreport's "held by" lines and JSON retained_by: why
# a reachable block is still alive (root, blocks in between), on real dumps.
# Needs jq. Symbol addresses are checked with nm, counts against the dump's
# own retain lines, so the preload's scan and the report are both checked.

# held_lines TEXT FUNC: the "held by" lines of the records whose frame #0 is
# in FUNC, in a leakreport text report.
held_lines() {
	awk -v f="$2" 'BEGIN { RS = ""; FS = "\n" }
		{
			hit = 0
			for (i = 1; i <= NF; i++)
				if (index($i, "    #0 ") == 1 && index($i, " in " f " ") > 0)
					hit = 1
			if (hit)
				for (i = 1; i <= NF; i++)
					if (index($i, "    held ") == 1)
						print $i
		}' "$1"
}

# expect_held TEXT FUNC WANT: fail unless the one record of FUNC has exactly
# the held line WANT (an extended regular expression, anchored).
expect_held() {
	local got n
	got=$(held_lines "$1" "$2")
	n=$(printf '%s' "$got" | grep -c '^')
	[ "$n" -eq 1 ] || fail "$2: $n held lines, expected 1: $(printf '%s' "$got" | head -c 300)"
	printf '%s\n' "$got" | grep -Eqx -- "$3" || fail "$2: held line '$got', expected /$3/"
}

# retain_of DUMP FUNC: the retain line of the stack whose first frame is in
# FUNC, without the tag: "<stack> <root> <who> <where> <hops> <n> <hop>...".
retain_of() {
	local f=$1 id pc
	for id in $(awk '$1 == "retain" { print $2 }' "$f"); do
		pc=$(dump_stack_pcs "$f" "$id" | head -n 1)
		if [ "$(sym_pc "$f" "$pc")" = "$2" ]; then
			awk -v id="$id" '$1 == "retain" && $2 == id { $1 = ""; print substr($0, 2) }' "$f"
			return 0
		fi
	done
	fail "no retain line for a stack of $2 in $(basename "$f")"
}

# sym_addr EXE SYMBOL: the link-time address (hex) of a data symbol, from nm.
sym_addr() {
	local a
	a=$(nm "$1" | awk -v s="$2" '$3 == s && $2 ~ /^[bBdD]$/ { print $1; exit }')
	[ -n "$a" ] || fail "nm: no data symbol $2 in $1"
	printf '%s\n' "$a"
}

# retain_run PROG: build PROG, run it under the preload (stdout compared
# with a plain run) and print its dump.
retain_run() {
	local exe
	exe=$(build_prog "$1") || exit 1
	run_both "$exe"
	expect_status 0
	dump_only
}

# report TEXT|JSON DUMP [OPTIONS...]: leakreport into r.txt or r.json; fail
# unless it exits 0.
report() {
	local fmt=$1 d=$2 out status
	shift 2
	out=r.txt
	[ "$fmt" = json ] && out=r.json
	"$LEAKREPORT" --format "$fmt" --fail-on none "$@" "$d" >"$out" 2>r.err
	status=$?
	[ "$status" -eq 0 ] || fail "leakreport --format $fmt $*: exit $status: $(head -n 2 r.err)"
}

test_retain_global_chain_text() {
	local d mod
	d=$(retain_run retain_cache) || exit 1
	mod=$(basename "$(dump_field "$d" exe)")
	report text "$d" --show reachable
	expect_held r.txt cache_entry \
		"    held by global g_cache \\($mod \\.bss\\) -> block of 64 bytes from cache_put -> this block"
	expect_held r.txt cache_put "    held by global g_cache \\($mod \\.bss\\) -> this block"
	expect_held r.txt keep_slot "    held by global slot\\.[0-9]+ \\($mod \\.bss\\) -> this block"
	expect_held r.txt keep_table "    held by global g_table\\+0x10 \\($mod \\.data\\) -> this block"
	grep -q 'Direct leak' r.txt && fail "--show reachable listed a direct leak"
	# lose_one's definite leak: listed with --show all, but never "held"
	report text "$d" --show all
	grep -q ' in lose_one ' r.txt || fail "lose_one's definite leak not listed with --show all"
	[ -z "$(held_lines r.txt lose_one)" ] || fail "a definite leak has a held line"
	[ "$(grep -c '^    held by ' r.txt)" -eq 4 ] || fail "expected 4 held lines with --show all"
	# the default lists definite leaks only here: no held line at all
	report text "$d"
	grep -q '^    held ' r.txt && fail "held line without --show reachable/all"
	return 0
}

test_retain_global_chain_json() {
	command -v jq >/dev/null || fail "jq is not installed"
	local d exe mod bias want got
	d=$(retain_run retain_cache) || exit 1
	exe=$(dump_field "$d" exe)
	mod=$(basename "$exe")
	bias=$(dump_exe_bias "$d")
	report json "$d" --show all
	jq -e . r.json >/dev/null || fail "output is not JSON"
	# the address is the word of g_cache at run time, as nm and the dump say
	want=$(printf '0x%x' $((16#$bias + 16#$(sym_addr "$exe" g_cache))))
	got=$(jq -c '.leaks[] | select(.frames[0].function == "cache_entry") | .retained_by' r.json)
	[ "$got" = "{\"root\":\"global\",\"module\":\"$mod\",\"symbol\":\"g_cache\",\"section\":\".bss\",\"offset\":\"0x0\",\"tid\":null,\"address\":\"$want\",\"hops\":1,\"chain\":[{\"bytes\":64,\"function\":\"cache_put\",\"module\":\"$mod\",\"offset\":$(jq -c '.leaks[] | select(.frames[0].function == "cache_put") | .frames[0].offset' r.json)}]}" ] ||
		fail "cache_entry retained_by: $got (g_cache at $want)"
	[ "0x$(retain_of "$d" cache_entry | cut -d' ' -f4)" = "$want" ] ||
		fail "dump's retain where $(retain_of "$d" cache_entry) is not g_cache ($want)"
	want=$(printf '0x%x' $((16#$bias + 16#$(sym_addr "$exe" g_table) + 16)))
	got=$(jq -r '.leaks[] | select(.frames[0].function == "keep_table") | .retained_by |
		"\(.root) \(.symbol) \(.section) \(.offset) \(.address) \(.hops) \(.chain | length)"' r.json)
	[ "$got" = "global g_table .data 0x10 $want 0 0" ] || fail "keep_table retained_by: $got"
	jq -e '.leaks[] | select(.frames[0].function == "keep_slot") | .retained_by |
		(.symbol | test("^slot\\.[0-9]+$")) and .section == ".bss" and .tid == null' r.json \
		>/dev/null || fail "keep_slot retained_by: $(jq -c '.leaks[] | select(.frames[0].function == "keep_slot") | .retained_by' r.json)"
	# every record has the field; exactly the definite one has null
	got=$(jq -r '[.leaks[] | "\(.kind):\(.retained_by == null)"] | sort | join(" ")' r.json)
	[ "$got" = "definite:true reachable:false reachable:false reachable:false reachable:false" ] ||
		fail "retained_by per kind: $got"
	return 0
}

test_retain_long_list_elided() {
	command -v jq >/dev/null || fail "jq is not installed"
	local d mod hop8 rt hops n more
	d=$(retain_run retain_list) || exit 1
	mod=$(basename "$(dump_field "$d" exe)")
	# the payload hangs off the far end: all 20,000 nodes lie in between
	rt=$(retain_of "$d" make_payload) || exit 1
	read -r _ root _ _ hops n _ <<<"$rt"
	[ "$root $hops $n" = "global 20000 8" ] || fail "dump's retain for make_payload: $rt"
	report text "$d" --show reachable
	hop8=$(printf ' -> block of 16 bytes from push_node%.0s' 1 2 3 4 5 6 7 8)
	expect_held r.txt make_payload \
		"    held by global g_list \\($mod \\.bss\\)$hop8 -> \\.\\.\\. \\(19,992 more blocks\\) -> this block"
	# the nodes' own line: its elided count is what the dump says
	rt=$(retain_of "$d" push_node) || exit 1
	read -r _ root _ _ hops n _ <<<"$rt"
	[ "$root" = global ] || fail "push_node root $root"
	if [ "$hops" -gt "$n" ]; then
		more=$(printf '%d' $((hops - n)) | sed ':a; s/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta')
		held_lines r.txt push_node | grep -Fq -- "-> ... ($more more block" ||
			fail "push_node: '$(held_lines r.txt push_node)' lacks '($more more block'"
	else
		held_lines r.txt push_node | grep -Fq -- "..." && fail "push_node: elision with $hops hops"
	fi
	report json "$d" --show reachable
	jq -e '.leaks[] | select(.frames[0].function == "make_payload") | .retained_by |
		.root == "global" and .symbol == "g_list" and .hops == 20000 and
		(.chain | length) == 8 and
		([.chain[] | .bytes == 16 and .function == "push_node"] | all)' r.json >/dev/null ||
		fail "make_payload retained_by: $(jq -c '.leaks[] | select(.frames[0].function == "make_payload") | .retained_by' r.json | head -c 400)"
	[ "$(jq -r '.leaks[] | select(.frames[0].function == "push_node") | "\(.blocks) \(.retained_by.hops)"' r.json)" = "20000 $hops" ] ||
		fail "push_node record: $(jq -c '.leaks[] | select(.frames[0].function == "push_node") | {blocks, h: .retained_by.hops}' r.json)"
	return 0
}

test_retain_thread_stack() {
	command -v jq >/dev/null || fail "jq is not installed"
	local exe d tid got
	exe=$(build_prog retain_thread) || exit 1
	run_leak "$exe"     # not run_both: the tid it prints differs per run
	expect_status 0
	d=$(dump_only) || exit 1
	tid=$(awk '$1 == "tid" { print $2 }' "$T/leak.out")
	[ -n "$tid" ] || fail "the program printed no tid: $(head -c 200 "$T/leak.out")"
	report text "$d" --show all
	expect_held r.txt thread_keep "    held by thread $tid's stack or registers -> this block"
	report json "$d" --show reachable
	got=$(jq -r '.leaks[] | select(.frames[0].function == "thread_keep") | .retained_by |
		"\(.root) \(.tid) \(.module) \(.symbol) \(.hops) \(.address | test("^0x[0-9a-f]+$"))"' r.json)
	[ "$got" = "thread $tid null null 0 true" ] || fail "thread_keep retained_by: $got"
	return 0
}
