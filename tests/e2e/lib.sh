# lib.sh - helpers for the e2e case files; sourced by run.sh, never run.
#
# A test runs in its own directory $T (the current directory) with $T/out
# empty. Helpers that detect a problem call fail(), which records the reason
# in $T/.reason and leaves the test's subshell; run.sh reports the first
# reason. Helpers that print a value and may fail are used as
#	x=$(helper ...) || exit 1
# because fail() inside $(...) only leaves the command substitution (the
# reason is still recorded, so the test fails either way).
#
# Dumps are read with awk and symbolized with addr2line on (pc - 1 - bias),
# independently of leakreport, so these tests check the preload alone.

PROGS=$E2E_DIR/progs
RUN_TIMEOUT=${RUN_TIMEOUT:-60}

# fail REASON...: record why the test failed and leave the test.
fail() {
	printf '%s\n' "$*" >>"$T/.reason"
	exit 1
}

# note TEXT...: a line for the test's log (shown with E2E_VERBOSE=1).
note() {
	printf '# %s\n' "$*"
}

# build_prog NAME [FLAGS...]: compile progs/NAME.c (gcc) or progs/NAME.cc
# (g++) and print the executable's path. FLAGS replace the default -O0 and
# go after the source, so they may name libraries; -g is always on. Builds
# are cached per (name, flags) for the whole run.
build_prog() {
	local name=$1 src comp key out
	shift
	local flags=("$@")
	[ ${#flags[@]} -eq 0 ] && flags=(-O0)
	if [ -r "$PROGS/$name.c" ]; then
		src=$PROGS/$name.c
		comp=$CC
	elif [ -r "$PROGS/$name.cc" ]; then
		src=$PROGS/$name.cc
		comp=$CXX
	else
		fail "build_prog: no source progs/$name.c or progs/$name.cc"
	fi
	key=$(printf '%s' "${flags[*]}" | tr -c 'A-Za-z0-9_-' '_')
	out=$E2E_WORK/bin/$name$key
	if [ ! -x "$out" ]; then
		"$comp" -g -Wall -pthread -o "$out.tmp" "$src" "${flags[@]}" -ldl \
			>"$out.log" 2>&1 || fail "build_prog $name: $(head -n 3 "$out.log" | tr '\n' ' ')"
		mv "$out.tmp" "$out"
	fi
	printf '%s\n' "$out"
}

# build_lib NAME [FLAGS...]: compile progs/NAME.c (gcc) or progs/NAME.cc
# (g++) into a shared library ($T/libNAME.so, so each test owns its copy)
# and print its path.
build_lib() {
	local name=$1 out=$T/lib$1.so src comp
	shift
	if [ -r "$PROGS/$name.c" ]; then
		src=$PROGS/$name.c
		comp=$CC
	elif [ -r "$PROGS/$name.cc" ]; then
		src=$PROGS/$name.cc
		comp=$CXX
	else
		fail "build_lib: no source progs/$name.c or progs/$name.cc"
	fi
	"$comp" -g -O0 "$@" -Wall -shared -fPIC -o "$out" "$src" \
		>"$T/build_$name.log" 2>&1 || fail "build_lib $name: $(head -n 3 "$T/build_$name.log" | tr '\n' ' ')"
	printf '%s\n' "$out"
}

# run_plain EXE [ARGS...]: run without the preload. stdout -> $T/plain.out,
# stderr -> $T/plain.err, exit status -> $PLAIN_STATUS.
run_plain() {
	timeout -k 5 "$RUN_TIMEOUT" "$@" >"$T/plain.out" 2>"$T/plain.err"
	PLAIN_STATUS=$?
	[ "$PLAIN_STATUS" -eq 124 ] && fail "run_plain $*: timed out after ${RUN_TIMEOUT}s"
	return 0
}

# run_leak EXE [ARGS...]: run under LD_PRELOAD=$LIBLEAK with LEAK_OUTPUT
# defaulting to $T/out/leak.%p.dump (set LEAK_OUTPUT, LEAK_DEPTH... in front
# of the call to change them). stdout -> $T/leak.out, stderr -> $T/leak.err,
# exit status -> $LEAK_STATUS.
run_leak() {
	# env sets the preload after timeout, which must not write a dump of
	# its own; env itself execs the program, so it writes none either.
	timeout -k 5 "$RUN_TIMEOUT" env LD_PRELOAD="$LIBLEAK" \
		LEAK_OUTPUT="${LEAK_OUTPUT-$T/out/leak.%p.dump}" "$@" >"$T/leak.out" 2>"$T/leak.err"
	LEAK_STATUS=$?
	[ "$LEAK_STATUS" -eq 124 ] && fail "run_leak $*: timed out after ${RUN_TIMEOUT}s"
	return 0
}

# run_both EXE [ARGS...]: run_plain, then run_leak; fail unless stdout and
# exit status are the same.
run_both() {
	run_plain "$@"
	run_leak "$@"
	if [ "$PLAIN_STATUS" -ne "$LEAK_STATUS" ]; then
		fail "$(basename "$1"): exit status $PLAIN_STATUS without preload, $LEAK_STATUS with (stderr: $(head -c 300 "$T/leak.err" | tr '\n' ' '))"
	fi
	if ! cmp -s "$T/plain.out" "$T/leak.out"; then
		fail "$(basename "$1"): stdout differs with preload: $(diff "$T/plain.out" "$T/leak.out" | head -n 6 | tr '\n' ' ')"
	fi
	return 0
}

# expect_status WANT: fail unless the last run_leak exited with WANT.
expect_status() {
	[ "$LEAK_STATUS" -eq "$1" ] || fail "exit status $LEAK_STATUS, expected $1"
}

# dump_list [DIR]: the finished dumps in DIR (default $T/out), one a line.
dump_list() {
	find "${1:-$T/out}" -maxdepth 1 -type f -name '*.dump' | sort
}

# dump_only [DIR]: print the path of the one dump in DIR; fail if there is
# none or more than one, or it is not a complete dump.
dump_only() {
	local dir=${1:-$T/out} n
	n=$(dump_list "$dir" | wc -l)
	[ "$n" -eq 1 ] || fail "expected 1 dump in $dir, found $n: $(ls "$dir" | tr '\n' ' ') (stderr: $(head -c 300 "$T/leak.err" | tr '\n' ' '))"
	dump_valid "$(dump_list "$dir")"
	dump_list "$dir"
}

# dump_for_pid PID [DIR]: print the path of the dump of process PID.
dump_for_pid() {
	local f=${2:-$T/out}/leak.$1.dump
	[ -f "$f" ] || fail "no dump for pid $1 (have: $(ls "${2:-$T/out}" | tr '\n' ' '))"
	dump_valid "$f"
	printf '%s\n' "$f"
}

# no_temp_left [DIR]: fail if a temporary dump file is left in DIR.
no_temp_left() {
	local left
	left=$(find "${1:-$T/out}" -maxdepth 1 -name '*.tmp.*' | head -n 3)
	[ -z "$left" ] || fail "temporary file left behind: $left"
}

# dump_valid FILE: fail unless FILE starts with the version line, has every
# header record, and ends with an "end" line whose counts (module, stack, rec,
# retain and note lines: heur, suppress, seen, own, res) match.
dump_valid() {
	local why
	why=$(awk '
		NR == 1 { if ($0 != "libleak-dump 2") { print "bad first line: " $0; bad = 1; exit } }
		$1 == "module" { m++ }
		$1 == "stack" { s++; if ($3 != NF - 3) { print "stack " $2 ": n=" $3 " but " NF - 3 " pcs"; bad = 1; exit } }
		$1 == "rec" { r++; if (NF != 5) { print "rec with " NF " fields"; bad = 1; exit } }
		$1 == "retain" { k++ }
		$1 == "heur" || $1 == "suppress" || $1 == "seen" || $1 == "own" || $1 == "res" { n++ }
		$1 == "pid" || $1 == "exe" || $1 == "kind" || $1 == "depth" { h[$1] = 1 }
		{ last = $0 }
		END {
			if (bad) exit
			if (!h["pid"] || !h["exe"] || !h["kind"] || !h["depth"]) { print "header records missing"; exit }
			want = "end " m + 0 " " s + 0 " " r + 0 " " k + 0 " " n + 0
			if (last != want) print "last line \"" last "\", expected \"" want "\""
		}' "$1")
	[ -z "$why" ] || fail "invalid dump $(basename "$1"): $why"
}

# dump_field FILE TAG: the value of a header record (pid, exe, depth...).
dump_field() {
	awk -v t="$2" '$1 == t { print $2; exit }' "$1"
}

# dump_stat FILE NAME: the value of "stat NAME".
dump_stat() {
	awk -v n="$2" '$1 == "stat" && $2 == n { print $3; exit }' "$1"
}

# dump_sum FILE [CLASS]: "blocks bytes" summed over the rec lines (of CLASS).
dump_sum() {
	awk -v c="${2:-}" '$1 == "rec" && (c == "" || $3 == c) { b += $4; n += $5 }
		END { print b + 0, n + 0 }' "$1"
}

# dump_recs FILE: "stack class blocks bytes" per rec line.
dump_recs() {
	awk '$1 == "rec" { print $2, $3, $4, $5 }' "$1"
}

# dump_stack_pcs FILE STACK: the pcs of one stack, innermost first, one a line.
dump_stack_pcs() {
	awk -v id="$2" '$1 == "stack" && $2 == id { for (i = 4; i <= NF; i++) print $i; exit }' "$1"
}

# dump_modules FILE: "id bias lo hi state path" per module line.
dump_modules() {
	awk '$1 == "module" { print $2, $3, $4, $5, $7, $8 }' "$1"
}

# dump_exe_bias FILE: the load bias of the main executable (hex).
dump_exe_bias() {
	local exe
	exe=$(dump_field "$1" exe)
	awk -v e="$exe" '$1 == "module" && $8 == e { print $3; exit }' "$1"
}

# pc_module FILE PC: "bias path state" of the module whose lo..hi holds PC
# (a loaded one before an unloaded one); nothing when none does.
pc_module() {
	local id bias lo hi state path pcv=$((16#$2)) best=
	while read -r id bias lo hi state path; do
		if [ "$pcv" -ge $((16#$lo)) ] && [ "$pcv" -lt $((16#$hi)) ]; then
			if [ "$state" = loaded ]; then
				printf '%s %s %s\n' "$bias" "$path" "$state"
				return 0
			fi
			[ -z "$best" ] && best="$bias $path $state"
		fi
	done < <(dump_modules "$1")
	[ -n "$best" ] && printf '%s\n' "$best"
	return 0
}

# sym_pc FILE PC: the function holding return address PC, from addr2line on
# (PC - 1 - bias) in the module that holds PC; "?" when it is unknown.
sym_pc() {
	local mod bias path state fn
	mod=$(pc_module "$1" "$2")
	[ -n "$mod" ] || { echo "?"; return 0; }
	read -r bias path state <<<"$mod"
	path=$(printf '%b' "$(printf '%s' "$path" | sed 's/%\([0-9A-F][0-9A-F]\)/\\x\1/g')")
	fn=$(addr2line -f -e "$path" "$(printf '%x' $((16#$2 - 1 - 16#$bias)))" 2>/dev/null | head -n 1)
	[ -n "$fn" ] && [ "$fn" != "??" ] || fn="?"
	printf '%s\n' "$fn"
}

# first_frame_in FILE STACK PATH: the first pc of STACK inside the module
# whose path is PATH (the executable by default); nothing when none is.
first_frame_in() {
	local f=$1 id=$2 want=${3:-} pc mod
	[ -n "$want" ] || want=$(dump_field "$f" exe)
	while read -r pc; do
		mod=$(pc_module "$f" "$pc")
		if [ "$(printf '%s' "$mod" | cut -d' ' -f2)" = "$want" ]; then
			printf '%s\n' "$pc"
			return 0
		fi
	done < <(dump_stack_pcs "$f" "$id")
	return 0
}

# dump_funcs FILE [MODE]: "function class blocks bytes" per rec. MODE first
# (default) names the function of the first frame, the one that called the
# allocator; MODE exe names the first frame inside the executable, for blocks
# that libc allocated on the program's behalf (strdup, fopen...).
dump_funcs() {
	local f=$1 mode=${2:-first} stack class blocks bytes pc fn
	while read -r stack class blocks bytes; do
		if [ "$stack" = 0 ]; then
			pc=
		elif [ "$mode" = exe ]; then
			pc=$(first_frame_in "$f" "$stack")
		else
			pc=$(dump_stack_pcs "$f" "$stack" | head -n 1)
		fi
		if [ -n "$pc" ]; then
			fn=$(sym_pc "$f" "$pc")
		else
			fn="?"
		fi
		printf '%s %s %s %s\n' "$fn" "$class" "$blocks" "$bytes"
	done < <(dump_recs "$f")
}

# func_sum FUNCS FUNC: "blocks bytes" of FUNC in a dump_funcs listing.
func_sum() {
	printf '%s\n' "$1" | awk -v f="$2" '$1 == f { b += $3; n += $4 } END { print b + 0, n + 0 }'
}

# funcs_brief FUNCS: a dump_funcs listing summed per function, on one line,
# for failure messages.
funcs_brief() {
	printf '%s\n' "$1" | awk 'NF == 4 { b[$1] += $3; n[$1] += $4 }
		END { for (f in b) printf "%s %d/%d; ", f, b[f], n[f] }' | cut -c 1-400
}

# expect_func FUNCS FUNC BLOCKS BYTES: fail unless FUNC holds exactly BLOCKS
# blocks and BYTES bytes (all classes) in a dump_funcs listing.
expect_func() {
	local got
	got=$(func_sum "$1" "$2")
	[ "$got" = "$3 $4" ] || fail "$2: expected $3 blocks $4 bytes, dump has $got; blocks/bytes per function: $(funcs_brief "$1")"
}

# expect_sum FILE BLOCKS BYTES: fail unless the dump's recs total exactly so.
expect_sum() {
	local got
	got=$(dump_sum "$1")
	[ "$got" = "$2 $3" ] || fail "$(basename "$1"): expected $2 blocks $3 bytes, dump has $got; blocks/bytes per function: $(funcs_brief "$(dump_funcs "$1")")"
}

# libleak_lines FILE: the number of lines starting with "libleak:" in FILE.
libleak_lines() {
	grep -c '^libleak:' "$1"
}

# ---- hand-written snapshot dumps of one process (report_trend.sh,
# report_html.sh): they point at a real -O0 -g program compiled here, so
# their frames symbolize to its functions leak_grow (1024 bytes more at every
# snapshot), cache_fill (grows for 3 snapshots, then stays) and temp_buffer
# (live in the first two only).

# trend_prog: compile the program the snapshots point at; print its path.
trend_prog() {
	cat >"$T/trend_app.c" <<'EOF'
#include <stdlib.h>

__attribute__((noinline)) void *leak_grow(size_t n) { return malloc(n); }
__attribute__((noinline)) void *cache_fill(size_t n) { return malloc(n); }
__attribute__((noinline)) void *temp_buffer(size_t n) { return malloc(n); }

int
main(void)
{
	free(leak_grow(1));
	free(cache_fill(1));
	free(temp_buffer(1));
	return 0;
}
EOF
	"$CC" -O0 -g -o "$T/trend_app" "$T/trend_app.c" >"$T/cc.log" 2>&1 ||
		fail "cannot compile trend_app: $(head -n 3 "$T/cc.log" | tr '\n' ' ')"
	printf '%s\n' "$T/trend_app"
}

BIAS=555555554000

# func_pc FUNC: a return address inside FUNC of $APP (run time, hex): the
# function's link-time address + 8 + the load bias.
func_pc() {
	local a
	a=$(nm "$APP" | awk -v f="$1" '$3 == f { print $1; exit }')
	[ -n "$a" ] || fail "no symbol $1 in $APP"
	printf '%x\n' $((16#$a + 8 + 16#$BIAS))
}

# setup_app: compile, and set APP, LO, HI (its PT_LOAD span at run time)
# and the pcs of the three allocating functions and of main.
setup_app() {
	APP=$(trend_prog) || exit 1
	local v m lo= hi=0
	# "LOAD off vaddr paddr filesz memsz flags align", hex with 0x
	while read -r v m; do
		[ -z "$lo" ] || [ $((v)) -lt "$lo" ] && lo=$((v))
		[ $((v + m)) -gt "$hi" ] && hi=$((v + m))
	done < <(readelf -lW "$APP" | awk '$1 == "LOAD" { print $3, $6 }')
	[ -n "$lo" ] && [ "$hi" -gt 0 ] || fail "cannot read the PT_LOAD segments of $APP"
	LO=$(printf '%x' $((16#$BIAS + lo)))
	HI=$(printf '%x' $((16#$BIAS + hi)))
	PC_LEAK=$(func_pc leak_grow) || exit 1
	PC_CACHE=$(func_pc cache_fill) || exit 1
	PC_TEMP=$(func_pc temp_buffer) || exit 1
	PC_MAIN=$(func_pc main) || exit 1
}

# snap FILE SEQ TIME LEAK CACHE TEMP [PID] [START]: write a snapshot with
# those live bytes of the three stacks (blocks of 1024 bytes; a stack with
# 0 bytes has no rec and no stack line).
snap() {
	local f=$1 seq=$2 time=$3 leak=$4 cache=$5 temp=$6 pid=${7:-4242} start=${8:-1000.000000}
	awk -v seq="$seq" -v time="$time" -v pid="$pid" -v start="$start" -v exe="$APP" \
		-v lo="$LO" -v hi="$HI" -v bias="$BIAS" -v pm="$PC_MAIN" \
		-v b1="$leak" -v b2="$cache" -v b3="$temp" \
		-v p1="$PC_LEAK" -v p2="$PC_CACHE" -v p3="$PC_TEMP" 'BEGIN {
		print "libleak-dump 1"; print "pid " pid; print "ppid 1"; print "exe " exe
		print "argc 1"; print "arg " exe; print "time " time; print "start " start
		print "kind snapshot"; print "seq " seq; print "atomic 0"; print "scan none"
		print "depth 32"
		print "module 1 " bias " " lo " " hi " - loaded " exe
		b[1] = b1; b[2] = b2; b[3] = b3; p[1] = p1; p[2] = p2; p[3] = p3
		for (i = 1; i <= 3; i++) if (b[i] > 0) { print "stack " i " 2 " p[i] " " pm; ns++ }
		for (i = 1; i <= 3; i++) if (b[i] > 0) {
			print "rec " i " definite " b[i] / 1024 " " b[i]; nr++; bl += b[i] / 1024; by += b[i]
		}
		print "stat allocs " 100 * seq; print "stat frees " 100 * seq - bl
		print "stat live_blocks " bl + 0; print "stat live_bytes " by + 0
		print "stat peak_blocks " bl + 0; print "stat peak_bytes " by + 0
		print "stat peak_time_ms " (time - start) * 1000; print "stat uptime_ms " (time - start) * 1000
		print "stat rss_bytes " 1048576 + by; print "stat dropped 0"
		print "end 1 " ns + 0 " " nr + 0 " 0"
	}' >"$f"
}

# series: eight snapshots s1..s8, 10 s apart, given in shuffled order.
series() {
	local s cache temp
	for s in 1 2 3 4 5 6 7 8; do
		cache=$((s < 3 ? s * 4096 : 12288))
		temp=$((s <= 2 ? 2048 : 0))
		snap "s$s.dump" "$s" "$((1000 + 10 * s)).250000" $((1024 * s)) "$cache" "$temp"
	done
	"$LEAKREPORT" --fail-on none s1.dump >/dev/null 2>e.txt ||
		fail "the reader rejects a hand-written snapshot: $(cat e.txt)"
}
