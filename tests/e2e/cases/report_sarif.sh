# report_sarif.sh - leakreport --format sarif through Microsoft's SARIF
# Multitool (`validate --rule-kind "Gh;Sarif"`: SARIF 2.1.0 and GitHub code
# scanning's rules) with no error, on a dump whose records point into and
# out of the source root, on the dumps of several processes and on an empty
# report; rules, levels, locations, stacks and fingerprints (the baseline's
# key); GitHub's limit of 25,000 results. The Multitool is installed by
# scripts/deps.sh into .cache/node. Needs jq.

MULTITOOL=$ROOT/.cache/node/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool

# validate FILE: the Multitool on FILE; fail on any error it reports.
validate() {
	[ -x "$MULTITOOL" ] || fail "no SARIF Multitool at $MULTITOOL (scripts/deps.sh installs it)"
	rm -f "$1.check"
	DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 timeout 120 "$MULTITOOL" validate \
		--rule-kind "Gh;Sarif" "$1" --output "$1.check" >"$1.log" 2>&1 ||
		fail "Multitool on $(basename "$1"): exit $?: $(grep -m 2 -i error "$1.log" | tr '\n' ' ')"
	[ -s "$1.check" ] || fail "Multitool wrote no result for $(basename "$1"): $(tail -n 2 "$1.log")"
	local n
	n=$(jq '[.runs[].results[]? | select(.level == "error")] | length' "$1.check")
	[ "$n" = 0 ] || fail "Multitool: $n errors in $(basename "$1"): $(grep -m 3 ': error ' "$1.log" | tr '\n' ' ')"
}

sarif_dump() {
	local exe
	exe=$(build_prog report_leaks) || exit 1
	run_leak "$exe" extra
	expect_status 0
	dump_only
}

test_sarif_in_and_out_of_the_source_root() {
	command -v jq >/dev/null || fail "jq is not installed"
	local d st
	d=$(sarif_dump) || exit 1
	# the program's sources are in $PROGS; report_helper.c (a #line name)
	# is relative to the build directory, outside it
	"$LEAKREPORT" --format sarif --show all --source-root "$PROGS" "$d" >in.sarif 2>e.txt
	st=$?
	[ "$st" -eq 1 ] || fail "exit $st, expected 1 (the gate): $(cat e.txt)"
	validate in.sarif
	jq -e 'all(.runs[0].results[]; .locations[0].physicalLocation.artifactLocation.uri != null)' in.sarif \
		>/dev/null || fail "a result without a physical location"
	"$LEAKREPORT" --format json --show all "$d" >r.json
	jq -e '.version == "2.1.0" and (.runs | length) == 1' in.sarif >/dev/null || fail "not one SARIF 2.1.0 run"
	[ "$(jq -r '.runs[0].originalUriBaseIds.SRCROOT.uri' in.sarif)" = "file://$PROGS/" ] ||
		fail "SRCROOT is $(jq -r '.runs[0].originalUriBaseIds.SRCROOT.uri' in.sarif)"
	# one result per listed record, in order, with its rule and level
	[ "$(jq -r '.runs[0].results[] | "\(.ruleId) \(.properties.bytes)"' in.sarif)" = \
		"$(jq -r '.leaks[] | "leak/\(.kind) \(.bytes)"' r.json)" ] || fail "results differ from the report's records"
	jq -e '[.runs[0].tool.driver.rules[].id] == ["leak/definite", "leak/indirect", "leak/possible", "leak/reachable"] and
		all(.runs[0].tool.driver.rules[]; .help.text != null and .shortDescription.text != null and .fullDescription.text != null)' \
		in.sarif >/dev/null || fail "rules: $(jq -c '[.runs[0].tool.driver.rules[].id]' in.sarif)"
	jq -e 'all(.runs[0].results[]; (.ruleId | test("definite|indirect")) == (.level == "error")) and
		all(.runs[0].results[] | select(.ruleId == "leak/reachable"); .level == "note")' in.sarif >/dev/null ||
		fail "levels: $(jq -c '[.runs[0].results[] | [.ruleId, .level]]' in.sarif)"
	# make_buf: in the root, relative, at its line; message with bytes, blocks, function
	jq -e '.runs[0].results[0] | .locations[0].physicalLocation |
		.artifactLocation.uri == "report_leaks.c" and .artifactLocation.uriBaseId == "SRCROOT" and .region.startLine > 0' \
		in.sarif >/dev/null || fail "make_buf's location: $(jq -c '.runs[0].results[0].locations[0]' in.sarif)"
	jq -e '.runs[0].results[0].message.text | test("4096 bytes in 16 blocks allocated in make_buf")' in.sarif \
		>/dev/null || fail "message: $(jq -r '.runs[0].results[0].message.text' in.sarif)"
	# helper_leak: its own file is outside the root, so main's frame is the location
	jq -e '[.runs[0].results[] | select(.stacks[0].frames[0].location.message.text == "helper_leak")][0] |
		.locations[0].logicalLocations[0].fullyQualifiedName == "main" and
		(.stacks[0].frames[0].location.physicalLocation.artifactLocation.uri | startswith("file:///"))' \
		in.sarif >/dev/null || fail "helper_leak's location is not main's frame in the root"
	# the whole stack; fingerprints from the baseline's key
	jq -e '.runs[0].results[0].stacks[0].frames | length == (input.leaks[0].frames | length)' in.sarif r.json \
		>/dev/null || fail "stack length differs"
	"$LEAKREPORT" --write-baseline base.txt --fail-on none --baseline-kinds all "$d" >/dev/null
	jq -r '.runs[0].results[] | "\(.ruleId | sub("leak/"; "")) \(.properties.key)"' in.sarif | while read -r k key; do
		awk -v k="$k" -v key="$key" '$1 == k && substr($0, index($0, $4)) == key { f = 1 } END { exit !f }' base.txt ||
			fail "key of a $k result is not in the baseline: $key"
	done || exit 1
	jq -e '[.runs[0].results[].partialFingerprints["libleakKey/v1"]] | length == (unique | length)' in.sarif \
		>/dev/null || fail "fingerprints are not distinct"
	# a root no frame is in: every location is a top frame, absolute
	mkdir empty
	"$LEAKREPORT" --format sarif --source-root empty "$d" >out.sarif
	validate out.sarif
	jq -e 'all(.runs[0].results[].locations[0].physicalLocation.artifactLocation; (.uri | startswith("file:///")) and .uriBaseId == null)' \
		out.sarif >/dev/null || fail "a location relative to an empty root"
	# the default root: the git top level of the current directory
	(cd "$ROOT/tests" && "$LEAKREPORT" --format sarif "$d") >git.sarif
	[ "$(jq -r '.runs[0].originalUriBaseIds.SRCROOT.uri' git.sarif)" = "file://$ROOT/" ] ||
		fail "default root $(jq -r '.runs[0].originalUriBaseIds.SRCROOT.uri' git.sarif), expected the checkout"
	"$LEAKREPORT" --format sarif --source-root /no/such/dir "$d" >x.sarif 2>e.txt
	[ $? -eq 2 ] && [ "$(wc -l <e.txt)" -eq 1 ] && [ ! -s x.sarif ] || fail "bad --source-root: $(cat e.txt)"
}

test_sarif_many_processes_and_empty() {
	command -v jq >/dev/null || fail "jq is not installed"
	local exe n
	exe=$(build_prog report_fork) || exit 1
	run_leak "$exe"
	expect_status 0
	n=$(dump_list | wc -l)
	[ "$n" -eq 2 ] || fail "expected 2 dumps, got $n"
	# shellcheck disable=SC2046
	"$LEAKREPORT" --format sarif $(dump_list) >many.sarif
	validate many.sarif
	jq -e '[.runs[0].results[] | select(.properties.processes == 2)] | length >= 1' many.sarif >/dev/null ||
		fail "no result from both processes"
	jq -e '.runs[0].results[] | select(.properties.processes == 2) | .message.text | test("from 2 processes")' \
		many.sarif >/dev/null || fail "the message does not say 2 processes"
	exe=$(build_prog no_leak) || exit 1
	rm -f out/*.dump
	run_leak "$exe"
	"$LEAKREPORT" --format sarif "$(dump_only)" >empty.sarif || fail "exit $? on a dump without leaks"
	validate empty.sarif
	jq -e '.runs[0].results == [] and (.runs[0].tool.driver.rules | length) == 3' empty.sarif >/dev/null ||
		fail "empty report: $(jq -c '.runs[0] | {r: .results, n: (.tool.driver.rules | length)}' empty.sarif)"
}

test_sarif_keeps_to_githubs_limits() {
	command -v jq >/dev/null || fail "jq is not installed"
	local n=25010
	awk -v n="$n" 'BEGIN {
		print "libleak-dump 1"; print "pid 7"; print "ppid 1"; print "exe /bin/big"
		print "argc 1"; print "arg big"; print "time 1000.000000"; print "start 999.000000"
		print "kind exit"; print "seq 0"; print "atomic 1"; print "scan none"; print "depth 32"
		for (i = 1; i <= n; i++) printf "stack %d 1 %x\n", i, 4096 * i + 17
		for (i = 1; i <= n; i++) printf "rec %d definite 1 %d\n", i, 16 + i
		print "stat allocs " n; print "stat frees 0"; print "stat live_blocks " n
		print "stat live_bytes 0"; print "stat peak_blocks 0"; print "stat peak_bytes 0"
		print "stat peak_time_ms 0"; print "stat uptime_ms 0"; print "stat rss_bytes 0"
		print "stat dropped 0"; print "end 0 " n " " n " 0"
	}' >big.dump
	"$LEAKREPORT" --format sarif big.dump >big.sarif 2>e.txt
	[ $? -eq 1 ] || fail "exit $?: $(cat e.txt)"
	[ "$(jq '.runs[0].results | length' big.sarif)" = 25000 ] || fail "$(jq '.runs[0].results | length' big.sarif) results"
	[ "$(jq '.runs[0].properties.results_dropped' big.sarif)" = 10 ] || fail "results_dropped is not 10"
	jq -e '.runs[0].invocations[0].toolExecutionNotifications[0].message.text | test("10 of 25010 records left out")' \
		big.sarif >/dev/null || fail "no notification"
	grep -q '^leakreport: warning: sarif: 10 of 25010 records left out' e.txt || fail "stderr: $(cat e.txt)"
	[ "$(gzip -c big.sarif | wc -c)" -lt 10485760 ] || fail "over 10 MB gzipped"
	# frames outside every module: the executable is the artifact (GitHub
	# wants a physical location on every result)
	jq -e 'all(.runs[0].results[]; .locations[0].physicalLocation.artifactLocation.uri == "file:///bin/big")' \
		big.sarif >/dev/null || fail "a result without a physical location"
}
