#!/bin/bash
# modules_dump.sh EXE OUT MODULES FRAMES - writes a dump to OUT whose
# MODULES module lines all name EXE (a real ELF file), loaded side by side
# 64 KiB apart, and whose stacks hold FRAMES return addresses in all, 250
# per stack: each pc is a function of EXE (from nm) plus one, in a module
# drawn at random (seeded, so every run writes the same dump). Used by the
# e2e test of the sorted module lookup (tests/e2e/cases/report_hostile.sh)
# and by scripts/bench (workload "modules"). EXE must fit in 64 KiB of
# address space.
set -eu
exe=$1 out=$2 nmod=$3 nframes=$4
nm --defined-only "$exe" | awk '$2 ~ /^[tT]$/ { print $1 }' >"$out.fns"
[ -s "$out.fns" ] || { echo "modules_dump.sh: no functions in $exe" >&2; exit 2; }
awk -v exe="$exe" -v nmod="$nmod" -v nframes="$nframes" '
	function hex(s,   i, v) { v = 0; for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
	# mawk'"'"'s %x stops at 32 bits
	function x(v,   s, d) { s = ""; do { d = v % 16; s = substr("0123456789abcdef", d + 1, 1) s
		v = (v - d) / 16 } while (v > 0); return s }
	{ fn[nfn++] = hex($1) }
	END {
		srand(42)
		base = 4294967296      # 0x100000000
		print "libleak-dump 1\npid 4242\nppid 1\nexe " exe "\nargc 1\narg x"
		print "time 2.000000\nstart 1.000000\nkind exit\nseq 0\natomic 1\nscan none\ndepth 256"
		for (m = 0; m < nmod; m++)
			print "module " (m + 1) " " x(base + m * 65536) " " x(base + m * 65536) " " \
			    x(base + m * 65536 + 65536) " - loaded " exe
		nst = int((nframes + 249) / 250)
		left = nframes
		for (s = 1; s <= nst; s++) {
			k = left < 250 ? left : 250
			left -= k
			line = "stack " s " " k
			for (i = 0; i < k; i++)
				line = line " " x(base + int(rand() * nmod) * 65536 + fn[int(rand() * nfn)] + 1)
			print line
		}
		for (s = 1; s <= nst; s++)
			print "rec " s " definite 1 " s
		print "stat allocs 1\nstat frees 0\nstat live_blocks 1\nstat live_bytes 1"
		print "stat peak_blocks 1\nstat peak_bytes 1\nstat peak_time_ms 0\nstat uptime_ms 1"
		print "stat rss_bytes 1\nstat dropped 0"
		print "end " nmod " " nst " " nst " 0"
	}' "$out.fns" >"$out"
rm -f "$out.fns"
