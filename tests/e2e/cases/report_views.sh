# report_views.sh - the folded and junit outputs, and --output: folded
# weights sum to the report's leaked bytes (blocks with --folded-weight
# blocks); JUnit XML parses (python3's xml.etree) with a suite per dump and
# a failure per gated record; one run writes every format to its file, each
# the same as its own run; a destination that cannot be written, a bad dump
# or a bad --format leave nothing behind and say so in one line (exit 2).
# Needs jq.

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

views_dump() {
	local exe
	exe=$(build_prog report_leaks) || exit 1
	run_leak "$exe" extra
	expect_status 0
	dump_only
}

test_folded_weights_sum_to_the_leaked_bytes() {
	command -v jq >/dev/null || fail "jq is not installed"
	local d got want
	d=$(views_dump) || exit 1
	"$LEAKREPORT" --format json "$d" >r.json
	"$LEAKREPORT" --format folded "$d" >r.folded
	[ $? -eq 1 ] || fail "exit status, expected 1 (the gate)"
	awk '!/^[^ ;][^;]*(;[^;]+)* [0-9]+$/ { print "bad line: " $0; exit 1 }' r.folded >bad.txt ||
		fail "$(cat bad.txt)"
	got=$(awk '{ s += $NF } END { print s + 0 }' r.folded)
	want=$(jq .summary.leaked.bytes r.json)
	[ "$got" = "$want" ] || fail "folded bytes sum to $got, the report leaked $want"
	[ "$(wc -l <r.folded)" -eq "$(jq '.leaks | length' r.json)" ] || fail "not a line per record"
	# root first: make_buf's line ends in ...;main;direct_leaks;make_buf
	grep -q ';main;direct_leaks;make_buf 4096$' r.folded || fail "no root-first make_buf line: $(head -n 1 r.folded)"
	"$LEAKREPORT" --format folded --folded-weight blocks "$d" >b.folded
	[ "$(awk '{ s += $NF } END { print s + 0 }' b.folded)" = "$(jq .summary.leaked.blocks r.json)" ] ||
		fail "folded blocks do not sum to the leaked blocks"
}

# junit_facts FILE: "suites N", "tests N", "failures N", and per suite
# "suite NAME TESTS FAILURES PID"; fails when FILE is not XML.
junit_facts() {
	"$PY" - "$1" <<'EOF'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites"
suites = root.findall("testsuite")
print("suites", len(suites))
print("tests", sum(len(s.findall("testcase")) for s in suites))
print("failures", sum(len(s.findall("testcase/failure")) for s in suites))
print("attr", root.get("tests"), root.get("failures"))
for s in suites:
    props = {p.get("name"): p.get("value") for p in s.find("properties")}
    n = len(s.findall("testcase"))
    f = len(s.findall("testcase/failure"))
    assert s.get("tests") == str(n) and s.get("failures") == str(f), "suite counts"
    print("suite", s.get("name").replace(" ", "_"), n, f, props["pid"])
for c in root.iter("failure"):
    assert "#0 0x" in c.text, "failure without a stack"
EOF
}

test_junit_parses_and_fails_the_gated_records() {
	command -v jq >/dev/null || fail "jq is not installed"
	local d facts gated exe
	d=$(views_dump) || exit 1
	"$LEAKREPORT" --format junit --show all "$d" >r.xml
	[ $? -eq 1 ] || fail "exit status, expected 1 (the gate)"
	"$LEAKREPORT" --format json --show all "$d" >r.json
	facts=$(junit_facts r.xml) || fail "r.xml does not parse as JUnit XML"
	note "$facts"
	gated=$(jq '[.leaks[] | select((.kind == "definite" or .kind == "indirect") and (.known | not))] | length' r.json)
	printf '%s\n' "$facts" | grep -qx "failures $gated" || fail "failures: $(printf '%s\n' "$facts" | grep failures), gated records $gated"
	printf '%s\n' "$facts" | grep -qx "tests $(jq '.leaks | length' r.json)" || fail "not a testcase per record"
	printf '%s\n' "$facts" | grep -qx "suite report_leaks-O0_(pid_$(dump_field "$d" pid)) $(jq '.leaks | length' r.json) $gated $(dump_field "$d" pid)" ||
		fail "the suite: $(printf '%s\n' "$facts" | grep '^suite')"
	grep -q '<failure type="leak/definite" message="definite leak of 4096 bytes in 16 blocks allocated in make_buf">' r.xml ||
		fail "no failure for make_buf"
	# the gate passed: no failure; --fail-on none
	"$LEAKREPORT" --format junit --fail-on none "$d" >p.xml || fail "--fail-on none exited $?"
	junit_facts p.xml | grep -qx 'failures 0' || fail "failures with the gate passed"
	# several processes: a suite per dump
	exe=$(build_prog report_fork) || exit 1
	rm -f out/*.dump
	run_leak "$exe"
	# shellcheck disable=SC2046
	"$LEAKREPORT" --format junit $(dump_list) >f.xml
	facts=$(junit_facts f.xml) || fail "f.xml does not parse"
	printf '%s\n' "$facts" | grep -qx 'suites 2' || fail "not a suite per dump: $facts"
}

test_output_writes_every_format_from_one_run() {
	command -v jq >/dev/null || fail "jq is not installed"
	local d st f
	d=$(views_dump) || exit 1
	"$LEAKREPORT" --show all --output sarif=r.sarif --output junit=r.xml --output html=r.html \
		--output folded=r.folded --output json=r.json "$d" >r.txt 2>e.txt
	st=$?
	[ "$st" -eq 1 ] || fail "exit $st: $(cat e.txt)"
	[ ! -s e.txt ] || fail "stderr: $(cat e.txt)"
	"$LEAKREPORT" --show all "$d" >want.txt
	cmp -s r.txt want.txt || fail "stdout is not the text report"
	for f in sarif junit html folded json; do
		"$LEAKREPORT" --show all --format "$f" "$d" >"want.$f"
	done
	cmp -s r.sarif want.sarif || fail "r.sarif differs from --format sarif"
	cmp -s r.xml want.junit || fail "r.xml differs from --format junit"
	cmp -s r.html want.html || fail "r.html differs from --format html"
	cmp -s r.folded want.folded || fail "r.folded differs from --format folded"
	cmp -s r.json want.json || fail "r.json differs from --format json"
	# -o: the --format output to a file, nothing on stdout
	"$LEAKREPORT" --show all --format junit -o o.xml "$d" >o.out
	[ ! -s o.out ] && cmp -s o.xml want.junit || fail "-o o.xml"
	ls | grep -q '\.tmp\.' && fail "a temporary file is left: $(ls | grep '\.tmp\.')"
	true
}

# expect_trouble WHAT: the last run exited 2 with one line on stderr and
# nothing on stdout, and left no file but those listed in keep.txt.
expect_trouble() {
	[ "$ST" -eq 2 ] || fail "$1: exit $ST, expected 2"
	[ "$(wc -l <e.txt)" -eq 1 ] || [ "$(wc -l <e.txt)" -eq 2 ] && grep -q '^leakreport: ' e.txt ||
		fail "$1: stderr: $(cat e.txt)"
	[ ! -s o.txt ] || fail "$1: stdout: $(head -n 2 o.txt)"
	ls -A dest | grep . && fail "$1: left in dest: $(ls -A dest | tr '\n' ' ')"
	true
}

test_output_failures_change_nothing() {
	local d
	d=$(views_dump) || exit 1
	mkdir dest ro
	chmod 555 ro
	# an unwritable destination among good ones: nothing written anywhere
	"$LEAKREPORT" --output sarif=dest/r.sarif --output junit=/nonexistent/dir/r.xml \
		--write-baseline dest/base.txt -o dest/r.txt "$d" >o.txt 2>e.txt
	ST=$?
	expect_trouble "unwritable --output"
	[ "$(wc -l <e.txt)" -eq 1 ] || fail "more than one line: $(cat e.txt)"
	grep -q "^leakreport: /nonexistent/dir/r.xml: cannot create " e.txt || fail "message: $(cat e.txt)"
	# a directory as the destination
	"$LEAKREPORT" --output "html=dest" "$d" >o.txt 2>e.txt
	ST=$?
	expect_trouble "a directory"
	grep -qx 'leakreport: dest: is a directory' e.txt || fail "message: $(cat e.txt)"
	# a read-only directory, when not root (root writes anyway)
	if [ "$(id -u)" -ne 0 ]; then
		"$LEAKREPORT" --output "json=ro/r.json" "$d" >o.txt 2>e.txt
		ST=$?
		expect_trouble "read-only directory"
	fi
	# a bad dump: the destinations are removed again
	printf 'libleak-dump 1\nbroken\n' >bad.dump
	"$LEAKREPORT" --output sarif=dest/r.sarif --output html=dest/r.html bad.dump >o.txt 2>e.txt
	ST=$?
	expect_trouble "bad dump"
	[ "$(wc -l <e.txt)" -eq 1 ] || fail "bad dump: $(cat e.txt)"
	# usage errors: unknown formats, a malformed --output, one file twice
	for args in "--format xml" "--output xml=dest/x" "--output sarif" "--output json=dest/a --output html=dest/a" \
		"-o dest/a --output json=dest/a"; do
		# shellcheck disable=SC2086
		"$LEAKREPORT" $args "$d" >o.txt 2>e.txt
		ST=$?
		expect_trouble "$args"
		head -n 1 e.txt | grep -q '^leakreport: \(--format\|--output\): ' || fail "$args: $(head -n 1 e.txt)"
		sed -n 2p e.txt | grep -q '^usage: leakreport ' || fail "$args: no synopsis line"
	done
	# trend takes text, json and html only; diff text and json
	"$LEAKREPORT" trend --format sarif a b c d e f >o.txt 2>e.txt
	ST=$?
	expect_trouble "trend --format sarif"
	grep -q "^leakreport: --format: 'sarif' is not text, json or html$" e.txt || fail "trend: $(head -n 1 e.txt)"
	ls | grep -q '\.tmp\.' && fail "a temporary file is left: $(ls | grep '\.tmp\.')"
	true
}

test_leakcheck_passes_output_through() {
	local exe st
	exe=$(build_prog report_leaks) || exit 1
	mkdir run
	(cd run && "$ROOT/scripts/leakcheck" --output sarif=r.sarif --output=junit=r.xml -o r.txt -- "$exe") \
		>lc.out 2>lc.err
	st=$?
	[ "$st" -eq 23 ] || fail "leakcheck exited $st: $(tail -n 2 lc.err)"
	[ -s run/r.sarif ] && [ -s run/r.xml ] && grep -q '^Direct leak of' run/r.txt ||
		fail "files: $(ls run | tr '\n' ' ')"
	[ "$(ls run | wc -l)" -eq 3 ] || fail "more files than asked for: $(ls run | tr '\n' ' ')"
	"$PY" -c 'import json, sys; json.load(open(sys.argv[1]))' run/r.sarif || fail "r.sarif is not JSON"
	grep -q '^leakcheck: tests: exit 0; leaks: failed' lc.err || fail "last line: $(tail -n 1 lc.err)"
}
