# report_formats.sh - text and JSON list the same things: on one dump, with
# suppressions (used and unused), a baseline (known and fixed records), --top
# and several kinds, both formats list the same records in the same order,
# the same suppression rules with the same hits, the same fixed baseline
# records and the same count left out by --top. Needs jq.

# text_records FILE: "kind bytes blocks function known" per listed record of
# a text report, in order.
text_records() {
	awk '
		function flush() { if (kind != "") print kind, bytes, blocks, fn, known; kind = "" }
		/^(Direct leak of|Indirect leak of|Possible leak of|Still reachable:) [0-9]+ byte\(s\) in [0-9]+ object\(s\) allocated from:$/ {
			flush()
			kind = $1 == "Direct" ? "definite" : $1 == "Indirect" ? "indirect" : $1 == "Possible" ? "possible" : "reachable"
			bytes = $(NF - 6); blocks = $(NF - 3); fn = "?"; known = "false"; first = 1
			next
		}
		kind != "" && first && /^    #0 / { fn = ($3 == "in") ? $4 : "?"; first = 0; next }
		kind != "" && /^  note: known leak/ { known = "true"; next }
		/^SUMMARY: / { flush() }
		END { flush() }' "$1"
}

# json_records FILE: the same from a JSON report.
json_records() {
	jq -r '.leaks[] | "\(.kind) \(.bytes) \(.blocks) \(.frames[0].function // "?") \(.known)"' "$1"
}

# text_rules FILE: "pattern file line records blocks bytes" per rule listed.
text_rules() {
	sed -n 's/^  \([0-9]*\) records\{0,1\}, \([0-9]*\) block(s), \([0-9]*\) byte(s) by leak:\(.*\) (\(.*\):\([0-9]*\))$/\4 \5 \6 \1 \2 \3/p' "$1"
}

json_rules() {
	jq -r '.suppressions[] | "\(.pattern) \(.file) \(.line) \(.records) \(.blocks) \(.bytes)"' "$1"
}

# text_fixed FILE / json_fixed FILE: "kind bytes blocks key" per fixed record.
text_fixed() {
	sed -n 's/^  fixed: \([a-z]*\) \([0-9]*\) byte(s) in \([0-9]*\) allocation(s): \(.*\)$/\1 \2 \3 \4/p' "$1"
}

json_fixed() {
	jq -r '(.baseline.fixed // [])[] | "\(.kind) \(.bytes) \(.blocks) \(.key)"' "$1"
}

# text_cut FILE: the number of records --top left out (0 without the line).
text_cut() {
	sed -n 's/^(\([0-9]*\) more records\{0,1\} not listed, see --top)$/\1/p' "$1" | grep . || echo 0
}

# same_lists WHAT ARGS...: run leakreport with ARGS in both formats and fail
# unless they list the same records, rules, fixed records and cut count.
same_lists() {
	local what=$1 got want
	shift
	"$LEAKREPORT" "$@" >r.txt 2>r.err || [ $? -eq 1 ] || fail "$what: text: $(head -n 2 r.err)"
	"$LEAKREPORT" --format json "$@" >r.json 2>r.err || [ $? -eq 1 ] || fail "$what: json: $(head -n 2 r.err)"
	got=$(text_records r.txt) want=$(json_records r.json)
	[ "$got" = "$want" ] || fail "$what: records differ: text '$(echo $got)', json '$(echo $want)'"
	got=$(text_rules r.txt) want=$(json_rules r.json)
	[ "$got" = "$want" ] || fail "$what: suppression rules differ: text '$(echo $got)', json '$(echo $want)'"
	got=$(text_fixed r.txt) want=$(json_fixed r.json)
	[ "$got" = "$want" ] || fail "$what: fixed records differ: text '$(echo $got)', json '$(echo $want)'"
	got=$(text_cut r.txt) want=$(jq -r .summary.not_listed r.json)
	[ "$got" = "$want" ] || fail "$what: left out by --top: text $got, json $want"
}

test_report_text_and_json_list_the_same() {
	command -v jq >/dev/null || fail "jq is not installed"
	local exe d dx
	exe=$(build_prog report_leaks) || exit 1
	run_leak "$exe"
	expect_status 0
	d=$(dump_only) || exit 1
	mv "$d" plain.dump
	run_leak "$exe" extra
	expect_status 0
	dx=$(dump_only) || exit 1
	[ "$(dump_field "$dx" scan)" = full ] || fail "the dump has no scan: one kind only"
	"$LEAKREPORT" --write-baseline base.txt --fail-on none plain.dump >/dev/null 2>r.err ||
		fail "--write-baseline: $(cat r.err)"
	printf 'leak:make_buf\nleak:no_such_function\n# by file\nleak:report_helper.c\n' >s.supp
	printf 'leak:nothing_matches_this\n' >unused.supp

	same_lists "suppressions, baseline, --top 3" --show all --top 3 --suppressions s.supp \
		--baseline base.txt "$dx"
	# what the lists hold, so the comparison above compared something
	[ "$(json_records r.json | cut -d' ' -f1 | sort -u | wc -l)" -ge 2 ] ||
		fail "fewer than two kinds listed: $(json_records r.json | tr '\n' ';')"
	jq -e '.summary.not_listed >= 1 and ([.leaks[] | select(.known)] | length) >= 1 and
		(.baseline.fixed | length) >= 1 and ([.suppressions[] | select(.records == 0)] | length) == 1 and
		([.suppressions[] | select(.records > 0)] | length) == 2' r.json >/dev/null ||
		fail "the case lost its shape: $(jq -c '{s: .summary, r: .suppressions, b: .baseline}' r.json)"

	same_lists "only an unused rule" --suppressions unused.supp "$dx"
	[ "$(json_rules r.json | wc -l)" -eq 1 ] || fail "the unused rule is not listed"
	same_lists "--group-by function, --top 1, two files" --group-by function --show all --top 1 \
		--suppressions unused.supp --suppressions s.supp --baseline base.txt plain.dump "$dx"
	same_lists "--top 0, no suppressions" --top 0 --baseline base.txt "$dx"
}
