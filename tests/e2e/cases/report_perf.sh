# report_perf.sh - leakreport on a big dump: 1,000 distinct stacks (16
# frames each, 2,000 distinct pcs of a real -O0 -g binary) holding 1,000,000
# blocks are read, symbolized, grouped and reported with the right totals.
# The time is noted, not gated (the < 1 s target lives in make bench); the
# 30 s limit only catches a hang. REPORT_PERF_LIMIT_MS overrides it. The
# dump is generated (no preload needed); its pcs are return addresses taken
# from objdump.

test_report_perf_1000_stacks() {
	local exe bias=555555554000 best=999999 t0 t1 ms run limit=${REPORT_PERF_LIMIT_MS:-30000}
	command -v objdump >/dev/null || fail "objdump is not installed"
	awk 'BEGIN {
		print "#include <stdlib.h>"
		print "void *volatile sink;"
		for (i = 0; i < 1000; i++)
			printf "__attribute__((noinline)) void f%d(void) { sink = malloc(%d); }\n", i, i + 1
		print "int main(void) {"
		for (i = 0; i < 1000; i++)
			printf "\tf%d();\n", i
		print "\treturn 0;\n}"
	}' >many.c
	"$CC" -O0 -g -o many many.c || fail "cannot build many.c"
	exe=$T/many
	# "f<i> <return address>" for the malloc call in f<i>, "main <ra> <i>"
	# for main's call of f<i>; addresses are link-time (PIE: from 0).
	objdump -d --no-show-raw-insn many | awk '
		/^[0-9a-f]+ <[^>]+>:$/ { fn = substr($2, 2, length($2) - 3); next }
		want != "" { a = $1; sub(":", "", a); print want, a; want = "" }
		/call.*<malloc@plt>/ && fn ~ /^f[0-9]+$/ { want = fn; next }
		/call.*<f[0-9]+>/ && fn == "main" { match($0, /<f[0-9]+>/)
			want = "main" substr($0, RSTART + 2, RLENGTH - 3); next }
	' >ras.txt
	[ "$(grep -c '^f' ras.txt)" -eq 1000 ] && [ "$(grep -c '^main' ras.txt)" -eq 1000 ] ||
		fail "objdump gave $(wc -l <ras.txt) return addresses, expected 2000"
	awk -v exe="$exe" -v bias="$bias" '
		function hex(s,   i, v) { v = 0; for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
		# mawk'"'"'s %x stops at 32 bits; addresses need 48
		function x(v,   s, d) { s = ""; do { d = v % 16; s = substr("0123456789abcdef", d + 1, 1) s
			v = (v - d) / 16 } while (v > 0); return s }
		{ ra[$1] = hex($2) }
		END {
			b = hex(bias)
			print "libleak-dump 1\npid 1234\nppid 1\nexe " exe "\nargc 1\narg many"
			print "time 2.000000\nstart 1.000000\nkind exit\nseq 0\natomic 1\nscan full\ndepth 16"
			print "module 1 " x(b) " " x(b) " " x(b + 16777216) " - loaded " exe
			for (i = 0; i < 1000; i++) {
				line = "stack " (i + 1) " 16 " x(b + ra["f" i])
				for (k = 1; k <= 14; k++)
					line = line " " x(b + ra["f" ((i * 7 + k) % 1000)])
				print line " " x(b + ra["main" i])
			}
			for (i = 0; i < 1000; i++)
				printf "rec %d definite 1000 %d\n", i + 1, 1000 * (i + 1)
			print "stat allocs 1000000\nstat frees 0\nstat live_blocks 1000000"
			print "stat live_bytes 500500000\nstat peak_blocks 1000000\nstat peak_bytes 500500000"
			print "stat peak_time_ms 1\nstat uptime_ms 2\nstat rss_bytes 1\nstat dropped 0"
			print "end 1 1000 1000 0"
		}' ras.txt >big.dump
	for run in 1 2 3; do
		t0=$(date +%s%N)
		"$LEAKREPORT" --format json --fail-on none big.dump >r.json 2>r.err ||
			fail "leakreport failed: $(head -n 1 r.err)"
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		[ "$ms" -lt "$best" ] && best=$ms
	done
	"$LEAKREPORT" --fail-on none big.dump >/dev/null || fail "text output failed"
	note "1000 stacks, 1000000 blocks: best of 3 runs ${best} ms (limit ${limit} ms)"
	echo "report_perf: ${best} ms" >"$E2E_WORK/results/report_perf.txt"
	jq -e '(.leaks | length) == 1000 and .summary.definite.blocks == 1000000 and
		.summary.definite.bytes == 500500000' r.json >/dev/null ||
		fail "wrong totals: $(jq -c '.summary.definite' r.json)"
	jq -e '.leaks[0].bytes == 1000000 and .leaks[0].frames[0].function == "f999" and
		.leaks[0].frames[15].function == "main" and (.leaks[0].frames | length) == 16' r.json \
		>/dev/null || fail "largest record: $(jq -c '.leaks[0] | {bytes, f: [.frames[].function]}' r.json)"
	[ "$best" -lt "$limit" ] || fail "took ${best} ms, limit ${limit} ms"
}
