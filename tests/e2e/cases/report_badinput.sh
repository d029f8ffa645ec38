# report_badinput.sh - leakreport on bad input: every broken dump, missing or
# unreadable file and bad option exits 2 with nothing on stdout and one line
# on stderr (usage errors: that line plus the synopsis).

# good_dump: run report_leaks under the preload and print its dump.
good_dump() {
	local exe
	exe=$(build_prog report_leaks) || exit 1
	run_leak "$exe"
	expect_status 0
	dump_only
}

# expect_input_error FILE WHAT...: leakreport FILE must exit 2, print nothing
# on stdout, and one line "leakreport: FILE[:LINE]: ..." on stderr.
expect_input_error() {
	local f=$1 status re
	shift
	"$LEAKREPORT" "$f" >o.txt 2>e.txt
	status=$?
	[ "$status" -eq 2 ] || fail "$*: exit $status, expected 2 ($(head -c 200 e.txt))"
	[ -s o.txt ] && fail "$*: output on stdout: $(head -c 200 o.txt)"
	[ "$(wc -l <e.txt)" -eq 1 ] || fail "$*: stderr has $(wc -l <e.txt) lines: $(head -c 300 e.txt | tr '\n' '|')"
	re="^leakreport: $(printf '%s' "$f" | sed 's/[][\.*^$/]/\\&/g')(:[0-9]+)?: [^ ]"
	grep -Eq "$re" e.txt || fail "$*: message does not name the file: $(cat e.txt)"
	return 0
}

test_report_bad_dumps() {
	local d len off n i seed
	d=$(good_dump) || exit 1
	cp "$d" good.dump
	"$LEAKREPORT" --fail-on none good.dump >/dev/null 2>&1 || fail "the good dump is rejected"
	len=$(wc -c <good.dump)
	n=0

	: >empty.dump
	expect_input_error empty.dump "empty file"
	# truncated: the first and last 40 offsets and about 80 in between
	for off in $(seq 0 $((len - 1)) | awk -v l="$len" -v step=$((len / 80 + 1)) \
		'$1 < 40 || $1 >= l - 40 || $1 % step == 0'); do
		head -c "$off" good.dump >trunc.dump
		expect_input_error trunc.dump "truncated at $off of $len"
		n=$((n + 1))
	done
	note "$n truncations rejected"
	# each line deleted in turn (the end counts or the order must catch it),
	# but for the stats added after format 1's first writers, which older
	# dumps lack: without one the dump is still read
	i=1
	# the last stat is one added after format 1's: a dump may end its
	# stats before it (any earlier one missing is an error)
	last_stat=$(grep -n '^stat ' good.dump | tail -n 1 | cut -d: -f1)
	while [ "$i" -le "$(wc -l <good.dump)" ]; do
		sed "${i}d" good.dump >del.dump
		if [ "$i" -eq "$last_stat" ]; then
			"$LEAKREPORT" del.dump >/dev/null 2>"$T/del.err"
			[ $? -le 1 ] || fail "a dump without its last stat line is refused: $(cat "$T/del.err")"
		else
			expect_input_error del.dump "line $i deleted: $(sed -n "${i}p" good.dump)"
		fi
		i=$((i + 1))
	done
	# random bytes, alone and after a valid first line
	for seed in 1 2 3 4 5 6 7 8; do
		awk -v s="$seed" 'BEGIN { srand(s); n = int(rand() * 3000) + 1
			for (i = 0; i < n; i++) printf "%c", int(rand() * 255) + 1 }' >rand.dump
		expect_input_error rand.dump "random bytes, seed $seed"
		{ head -n 1 good.dump; cat rand.dump; } >rand2.dump
		expect_input_error rand2.dump "header + random bytes, seed $seed"
	done
	sed '1s/ [0-9]*$/ 3/' good.dump >v3.dump
	expect_input_error v3.dump "version 3"
	sed '1s/^libleak-dump/libleak-dumb/' good.dump >magic.dump
	expect_input_error magic.dump "bad magic"
	mkdir dir.dump
	expect_input_error dir.dump "a directory"
	expect_input_error missing.dump "a missing file"
	# one bad dump among good ones: still exit 2, nothing on stdout
	"$LEAKREPORT" good.dump trunc.dump >o.txt 2>e.txt
	[ $? -eq 2 ] && [ ! -s o.txt ] && [ "$(wc -l <e.txt)" -eq 1 ] ||
		fail "good + bad dump: $(cat e.txt)"
	# unreadable (only when not root: root reads anything)
	if [ "$(id -u)" -ne 0 ]; then
		cp good.dump noread.dump
		chmod 000 noread.dump
		expect_input_error noread.dump "unreadable"
	fi
}

test_report_bad_options() {
	local d status args
	d=$(good_dump) || exit 1
	cp "$d" good.dump
	while IFS= read -r args; do
		# shellcheck disable=SC2086
		eval "\"\$LEAKREPORT\" $args" >o.txt 2>e.txt
		status=$?
		[ "$status" -eq 2 ] || fail "leakreport $args: exit $status, expected 2"
		[ -s o.txt ] && fail "leakreport $args: output on stdout"
		[ "$(wc -l <e.txt)" -eq 2 ] || fail "leakreport $args: stderr: $(tr '\n' '|' <e.txt)"
		head -n 1 e.txt | grep -Eq '^leakreport: [^ ]' || fail "leakreport $args: $(head -n 1 e.txt)"
		sed -n 2p e.txt | grep -q '^usage: leakreport ' || fail "leakreport $args: no synopsis"
	done <<'ARGS'

--top 12k good.dump
--top -1 good.dump
--top '' good.dump
--top 1e3 good.dump
--top 0x10 good.dump
--top 99999999999999999999999 good.dump
--top
--max-bytes 12k good.dump
--max-leaks -1 good.dump
--max-leaks=' 1' good.dump
--fail-on bogus good.dump
--fail-on definite,,indirect good.dump
--show nothing good.dump
--format xml good.dump
--color sometimes good.dump
--bogus good.dump
-x good.dump
--debuginfod=yes good.dump
--help=1
--top 5
ARGS
	"$LEAKREPORT" --help >h.txt 2>&1 || fail "--help exit $?"
	head -n 1 h.txt | grep -q '^usage: leakreport ' || fail "--help: $(head -n 1 h.txt)"
	grep -q -- '--max-bytes N' h.txt || fail "--help does not list --max-bytes"
	"$LEAKREPORT" --version | grep -Eq '^leakreport [0-9]' || fail "--version"
	# strict numbers that are fine
	"$LEAKREPORT" --top 0 --max-leaks=0 --fail-on=none good.dump >/dev/null || fail "--top 0 rejected"
	# input errors of the other files: one line, exit 2
	for args in "--suppressions missing.supp" "--baseline missing.base"; do
		# shellcheck disable=SC2086
		"$LEAKREPORT" $args good.dump >/dev/null 2>e.txt
		[ $? -eq 2 ] && [ "$(wc -l <e.txt)" -eq 1 ] || fail "$args: $(cat e.txt)"
	done
	printf 'libleak-baseline 1\nweird 1 1 x\n' >bad.base
	"$LEAKREPORT" --baseline bad.base good.dump >/dev/null 2>e.txt
	[ $? -eq 2 ] && grep -q '^leakreport: bad.base:2: ' e.txt || fail "bad baseline: $(cat e.txt)"
	"$LEAKREPORT" --write-baseline /no/such/dir/b.txt --fail-on none good.dump >/dev/null 2>e.txt
	[ $? -eq 2 ] && [ "$(wc -l <e.txt)" -eq 1 ] || fail "unwritable baseline: $(cat e.txt)"
}

# A path holding a newline or an ESC reaches stderr escaped, as one line.
test_report_escapes_control_bytes() {
	"$LEAKREPORT" "$T/bad"$'\033[31m\n'"name.dump" >/dev/null 2>"$T/err"
	[ $? -eq 2 ] || fail "exit status"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "$(wc -l <"$T/err") lines: $(od -c "$T/err" | head -n 3)"
	grep -q $'\033' "$T/err" && fail "an ESC reached stderr"
	grep -qF 'bad\x1b[31m\x0aname.dump' "$T/err" || fail "stderr: $(cat "$T/err")"
}
