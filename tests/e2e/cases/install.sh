# install.sh - `make install` and `make uninstall` (scripts/install.sh): what
# goes where under DESTDIR and GNU's directory variables, the manifest that
# uninstall follows, and the installed leakcheck and leakreport at work with
# the checkout out of reach: run in a mount namespace where an empty tmpfs
# covers the checkout, with a clean environment (no LD_LIBRARY_PATH, LIBLEAK
# or LEAKREPORT), on the example program the install ships. Also
# pkg-config on the installed libleak.pc, one version everywhere, and
# leakcheck's one line for a missing library or one of another dump format.

VERSION=$(make -s --no-print-directory -C "$ROOT" version)

# make_install VAR=VALUE...: make install with those variables; its output
# goes to $T/install.log.
make_install() {
	make -s --no-print-directory -C "$ROOT" install "$@" >>"$T/install.log" 2>&1 ||
		fail "make install $*: $(tail -n 3 "$T/install.log" | tr '\n' ' ')"
}

# make_uninstall VAR=VALUE...: make uninstall; output to $T/uninstall.log.
make_uninstall() {
	make -s --no-print-directory -C "$ROOT" uninstall "$@" >>"$T/uninstall.log" 2>&1 ||
		fail "make uninstall $*: $(tail -n 3 "$T/uninstall.log" | tr '\n' ' ')"
}

# files_under DIR: every file and symlink under DIR, as paths from DIR
# (starting with /), sorted.
files_under() {
	(cd "$1" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort)
}

# expected_files P: the files an install with PREFIX=P and the default
# directories makes, sorted.
expected_files() {
	{
		printf '%s\n' "$1/bin/leakreport" "$1/bin/leakcheck" "$1/lib/libleak/libleak.so" \
			"$1/lib/libleak/install-manifest" "$1/lib/pkgconfig/libleak.pc" \
			"$1/share/man/man1/leakreport.1" "$1/share/man/man1/leakcheck.1" \
			"$1/share/man/man7/libleak.7" "$1/share/doc/libleak/README.md" \
			"$1/share/doc/libleak/examples/leaky.c"
		for d in leakreport ci dump-format valgrind-comparison bench; do
			printf '%s\n' "$1/share/doc/libleak/docs/$d.md"
		done
		[ -f "$ROOT/preload/libleak.h" ] && printf '%s\n' "$1/include/libleak.h"
	} | sort
}

# run_hidden CMD [ARGS...]: CMD with a clean environment (PATH the install's
# bin first, TMPDIR $T/tmp) in a mount namespace where the checkout is an
# empty read-only tmpfs, so nothing can fall back to it. Without the rights
# for a mount namespace (root, or an unprivileged user namespace), CMD runs
# with the checkout in place, and the log says so.
run_hidden() {
	local ns=()
	mkdir -p "$T/tmp"
	case "$T" in
	"$ROOT"/*) note "the work directory is inside the checkout: not hidden" ;;
	*)
		if unshare -m true 2>/dev/null; then
			ns=(unshare -m)
		elif unshare -rm true 2>/dev/null; then
			ns=(unshare -rm)
		else
			note "no mount namespace here: the checkout stays visible"
		fi
		;;
	esac
	if [ ${#ns[@]} -gt 0 ]; then
		"${ns[@]}" sh -c 'root=$1; shift; mount -t tmpfs -o ro,size=64k libleak-hidden "$root" || exit 97
			[ ! -e "$root/Makefile" ] || exit 98
			exec "$@"' run_hidden "$ROOT" \
			env -i PATH="$P/bin:/usr/bin:/bin" HOME="$T" TMPDIR="$T/tmp" LC_ALL=C "$@"
	else
		env -i PATH="$P/bin:/usr/bin:/bin" HOME="$T" TMPDIR="$T/tmp" LC_ALL=C "$@"
	fi
}

# A staged install stays inside DESTDIR$PREFIX, writes the final paths (not
# DESTDIR's) into leakcheck and libleak.pc, lists every file in its manifest,
# and uninstall leaves DESTDIR empty; a second install adds nothing twice.
test_install_destdir_then_uninstall_leaves_it_empty() {
	local d=$T/dest got want m
	make_install DESTDIR="$d" PREFIX=/usr/local
	got=$(files_under "$d")
	want=$(expected_files /usr/local)
	[ "$got" = "$want" ] ||
		fail "installed files differ from the expected ones: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | head -n 6 | tr '\n' ' ')"
	# Directories too: only /usr/local and its parents outside /usr/local.
	[ -z "$(cd "$d" && find . -type d | sed 's|^\.||' | grep -v -e '^$' -e '^/usr$' -e '^/usr/local$' -e '^/usr/local/')" ] ||
		fail "a directory outside /usr/local: $(cd "$d" && find . -type d | head -n 3 | tr '\n' ' ')"
	m=$d/usr/local/lib/libleak/install-manifest
	[ "$(sed -n 's/^f //p' "$m" | sort)" = "$want" ] ||
		fail "the manifest's files are not the installed ones: $(sed -n 's/^f //p' "$m" | sort | diff - <(echo "$want") | head -n 4 | tr '\n' ' ')"
	grep -qxF "installed_libleak='/usr/local/lib/libleak/libleak.so'" "$d/usr/local/bin/leakcheck" ||
		fail "the installed leakcheck does not name /usr/local/lib/libleak/libleak.so: $(grep '^installed_' "$d/usr/local/bin/leakcheck" | tr '\n' ' ')"
	grep -qxF "installed_leakreport='/usr/local/bin/leakreport'" "$d/usr/local/bin/leakcheck" ||
		fail "the installed leakcheck does not name /usr/local/bin/leakreport"
	! grep -rqF -- "$d" "$d" || fail "DESTDIR is written into an installed file: $(grep -rlF -- "$d" "$d" | head -n 2 | tr '\n' ' ')"
	[ "$(stat -c %a "$d/usr/local/lib/libleak/libleak.so")" = 644 ] || fail "libleak.so is not mode 644"
	[ "$(stat -c %a "$d/usr/local/bin/leakcheck")" = 755 ] || fail "leakcheck is not mode 755"

	make_install DESTDIR="$d" PREFIX=/usr/local
	[ "$(files_under "$d")" = "$want" ] || fail "a second install changed the files"
	[ -z "$(sort "$m" | uniq -d)" ] || fail "the manifest has a line twice after a second install: $(sort "$m" | uniq -d | head -n 2)"

	make_uninstall DESTDIR="$d" PREFIX=/usr/local
	[ -d "$d" ] || fail "uninstall removed DESTDIR itself"
	[ -z "$(find "$d" -mindepth 1 | head -n 3)" ] ||
		fail "uninstall left: $(find "$d" -mindepth 1 | head -n 5 | tr '\n' ' ')"
	# Nothing installed there any more: one line, a failure.
	if make -s --no-print-directory -C "$ROOT" uninstall DESTDIR="$d" PREFIX=/usr/local >"$T/again.out" 2>"$T/again.err"; then
		fail "a second uninstall succeeded"
	fi
	grep -q "^install.sh: no $d/usr/local/lib/libleak/install-manifest: nothing of libleak is installed there" "$T/again.err" ||
		fail "a second uninstall says: $(head -n 2 "$T/again.err" | tr '\n' ' ')"
}

# uninstall removes what install put there and nothing else: a file of
# someone else's in the same bin directory, and that directory, stay.
test_uninstall_keeps_what_was_there_before() {
	local d=$T/dest
	mkdir -p "$d/usr/local/bin" "$d/usr/local/share/man/man1"
	echo mine >"$d/usr/local/bin/other-tool"
	echo mine >"$d/usr/local/share/man/man1/other-tool.1"
	make_install DESTDIR="$d" PREFIX=/usr/local
	make_uninstall DESTDIR="$d" PREFIX=/usr/local
	[ "$(files_under "$d")" = "$(printf '%s\n' /usr/local/bin/other-tool /usr/local/share/man/man1/other-tool.1)" ] ||
		fail "after uninstall: $(files_under "$d" | tr '\n' ' ')"
	[ -z "$(cd "$d" && find . -mindepth 1 -type d | sed 's|^\.||' | grep -v -x -e /usr -e /usr/local \
		-e /usr/local/bin -e /usr/local/share -e /usr/local/share/man -e /usr/local/share/man/man1)" ] ||
		fail "uninstall left directories of its own: $(cd "$d" && find . -type d | tr '\n' ' ')"
}

# A manifest that names a path outside the install directories (tampered
# with, or another PREFIX) makes uninstall refuse before removing anything.
test_uninstall_refuses_a_path_outside_the_install() {
	local d=$T/dest m
	make_install DESTDIR="$d" PREFIX=/usr/local
	mkdir -p "$d/etc"
	echo keep >"$d/etc/passwd"
	m=$d/usr/local/lib/libleak/install-manifest
	echo "f /etc/passwd" >>"$m"
	if make -s --no-print-directory -C "$ROOT" uninstall DESTDIR="$d" PREFIX=/usr/local >"$T/u.out" 2>"$T/u.err"; then
		fail "uninstall followed a manifest naming /etc/passwd"
	fi
	grep -q "'/etc/passwd' is outside the install directories; nothing removed" "$T/u.err" ||
		fail "uninstall says: $(head -n 2 "$T/u.err" | tr '\n' ' ')"
	[ -f "$d/etc/passwd" ] && [ -f "$d/usr/local/bin/leakreport" ] || fail "uninstall removed something"
}

# Every directory variable is honoured, and the installed leakcheck and
# libleak.pc name the library where LIBDIR put it.
test_install_honours_every_directory_variable() {
	local d=$T/dest o=/opt/ll got
	make_install DESTDIR="$d" PREFIX=$o BINDIR=$o/b LIBDIR=$o/l64 INCLUDEDIR=$o/inc \
		MANDIR=$o/m DOCDIR=$o/d PKGCONFIGDIR=$o/pc
	for f in $o/b/leakreport $o/b/leakcheck $o/l64/libleak/libleak.so $o/pc/libleak.pc \
		$o/m/man1/leakreport.1 $o/m/man1/leakcheck.1 $o/m/man7/libleak.7 $o/d/README.md \
		$o/d/docs/ci.md $o/d/examples/leaky.c; do
		[ -f "$d$f" ] || fail "no $f (have: $(files_under "$d" | tr '\n' ' '))"
	done
	got=$(files_under "$d" | grep -v "^$o/" || true)
	[ -z "$got" ] || fail "files outside $o: $got"
	grep -qxF "installed_libleak='$o/l64/libleak/libleak.so'" "$d$o/b/leakcheck" ||
		fail "leakcheck: $(grep '^installed_' "$d$o/b/leakcheck" | tr '\n' ' ')"
	grep -qxF "pkglibdir=$o/l64/libleak" "$d$o/pc/libleak.pc" || fail "libleak.pc: $(head -n 9 "$d$o/pc/libleak.pc" | tr '\n' ' ')"
	grep -qF "$o/l64/libleak/libleak.so" "$d$o/m/man7/libleak.7" || fail "libleak(7) does not name $o/l64/libleak/libleak.so"
	make_uninstall DESTDIR="$d" PREFIX=$o BINDIR=$o/b LIBDIR=$o/l64 INCLUDEDIR=$o/inc \
		MANDIR=$o/m DOCDIR=$o/d PKGCONFIGDIR=$o/pc
	[ -z "$(find "$d" -mindepth 1 | head -n 3)" ] || fail "uninstall left: $(find "$d" -mindepth 1 | head -n 5 | tr '\n' ' ')"
}

# The installed leakcheck and leakreport, with the checkout hidden and a
# clean environment, on the installed examples/leaky.c: the command's output
# unchanged, its 8 leak records (3 definite, 5 indirect, 308 bytes) with
# their functions, and 23. Then the preload and leakreport by hand, JSON.
test_installed_tools_run_the_example_without_the_checkout() {
	local P=$T/prefix w=$T/work
	make_install PREFIX="$P"
	mkdir -p "$w"
	"$CC" -g -O0 -o "$w/leaky" "$P/share/doc/libleak/examples/leaky.c" 2>"$T/cc.err" ||
		fail "cc of the installed leaky.c: $(head -n 2 "$T/cc.err")"
	cat >"$w/steps.sh" <<'EOF'
cd "$1" || exit 90
leakcheck -- ./leaky >lc.out 2>lc.err
echo $? >lc.status
LD_PRELOAD=$2/lib/libleak/libleak.so LEAK_OUTPUT=$1/leaky.dump ./leaky >plain.out 2>plain.err
leakreport --format json leaky.dump >report.json 2>report.err
echo $? >report.status
leakcheck --version >lcv.out 2>&1
leakreport --version >lrv.out 2>&1
cd / && leakcheck -- "$1/leaky" >/dev/null 2>"$1/root.err"
echo $? >"$1/root.status"
EOF
	run_hidden sh "$w/steps.sh" "$w" "$P"
	local st=$?
	[ "$st" -ne 97 ] || fail "cannot mount a tmpfs over the checkout"
	[ "$st" -ne 98 ] || fail "the checkout is still visible inside the namespace"
	[ "$(cat "$w/lc.status")" = 23 ] || fail "leakcheck exited $(cat "$w/lc.status"), not 23: $(tail -n 3 "$w/lc.err" | tr '\n' '|')"
	grep -qx 'Hello from the address book' "$w/lc.out" || fail "leaky's stdout is not its own: $(head -n 2 "$w/lc.out")"
	[ "$(tail -n 1 "$w/lc.err")" = "leakcheck: tests: exit 0; leaks: failed, 8 records over the gate" ] ||
		fail "last line: $(tail -n 1 "$w/lc.err")"
	[ "$(grep -c '^Direct leak of' "$w/lc.err")" = 3 ] && [ "$(grep -c '^Indirect leak of' "$w/lc.err")" = 5 ] ||
		fail "records: $(grep -E '^(Direct|Indirect) leak' "$w/lc.err" | tr '\n' '|')"
	grep -A1 '^Direct leak of 192 byte(s) in 3 object(s) allocated from:$' "$w/lc.err" | grep -q ' in format_line .*leaky\.c:' ||
		fail "no format_line record: $(head -n 3 "$w/lc.err" | tr '\n' '|')"
	grep -qx 'SUMMARY: libleak: 308 byte(s) leaked in 10 allocation(s).' "$w/lc.err" ||
		fail "summary: $(grep SUMMARY "$w/lc.err")"
	! grep -qF -- "$ROOT" "$w/lc.err" || fail "the report names the checkout: $(grep -m 1 -F -- "$ROOT" "$w/lc.err")"
	[ "$(cat "$w/root.status")" = 23 ] || fail "leakcheck run from / exited $(cat "$w/root.status"): $(tail -n 2 "$w/root.err" | tr '\n' '|')"

	[ "$(cat "$w/report.status")" = 1 ] || fail "leakreport exited $(cat "$w/report.status"): $(head -n 2 "$w/report.err")"
	[ "$(jq -c '[.summary.definite.blocks, .summary.definite.bytes, .summary.indirect.blocks, .summary.indirect.bytes]' "$w/report.json")" = "[5,244,5,64]" ] ||
		fail "JSON summary: $(jq -c .summary "$w/report.json")"
	[ "$(jq -r '.leaks[0].frames[0].function' "$w/report.json")" = format_line ] ||
		fail "largest record from $(jq -r '.leaks[0].frames[0].function' "$w/report.json")"
	grep -q '^libleak: 10 block(s), 308 byte(s) lost' "$w/plain.err" || fail "the preload's line: $(head -n 2 "$w/plain.err")"

	[ "$(head -n 1 "$w/lcv.out")" = "leakcheck $VERSION (installed)" ] || fail "leakcheck --version: $(head -n 1 "$w/lcv.out")"
	grep -qx "library: $P/lib/libleak/libleak.so" "$w/lcv.out" || fail "leakcheck --version: $(tr '\n' '|' <"$w/lcv.out")"
	grep -qx "leakreport: $P/bin/leakreport" "$w/lcv.out" || fail "leakcheck --version: $(tr '\n' '|' <"$w/lcv.out")"
	[ "$(awk 'NR == 1 { print $1, $2 }' "$w/lrv.out")" = "leakreport $VERSION" ] || fail "leakreport --version: $(head -n 1 "$w/lrv.out")"
	make_uninstall PREFIX="$P"
	[ ! -e "$P" ] || fail "uninstall left $(find "$P" | head -n 3 | tr '\n' ' ')"
}

# One version everywhere: leakreport --version (report/options.h), make
# version, the installed leakcheck --version, libleak.pc and the man pages.
test_one_version_everywhere() {
	local P=$T/prefix
	[ -n "$VERSION" ] || fail "make version printed nothing"
	[ "$("$LEAKREPORT" --version | awk '{ print $2 }')" = "$VERSION" ] ||
		fail "leakreport --version says $("$LEAKREPORT" --version), make version $VERSION"
	[ "$("$ROOT/scripts/leakcheck" --version | head -n 1)" = "leakcheck $VERSION (checkout $ROOT)" ] ||
		fail "the checkout's leakcheck --version: $("$ROOT/scripts/leakcheck" --version | head -n 1)"
	make_install PREFIX="$P"
	[ "$(PKG_CONFIG_LIBDIR=$P/lib/pkgconfig pkg-config --modversion libleak)" = "$VERSION" ] || fail "libleak.pc's Version"
	for page in man1/leakreport.1 man1/leakcheck.1 man7/libleak.7; do
		grep -q "^\.TH [A-Z]* [17] [0-9-]* \"libleak $VERSION\"" "$P/share/man/$page" ||
			fail "$page: $(grep '^\.TH' "$P/share/man/$page")"
	done
}

# pkg-config on the installed libleak.pc: --cflags finds the header (one is
# installed: preload/libleak.h when it exists, else a stand-in given as
# API_HEADER), and --variable=preload is the installed library.
test_pkg_config_on_the_installed_pc() {
	local P=$T/prefix hdr cf
	if [ -f "$ROOT/preload/libleak.h" ]; then
		hdr=$ROOT/preload/libleak.h
	else
		mkdir -p "$T/fake"
		hdr=$T/fake/libleak.h
		printf '%s\n' '#define LIBLEAK_STAND_IN 1' 'int leak_stand_in(void) __attribute__((weak));' >"$hdr"
	fi
	make_install PREFIX="$P" API_HEADER="$hdr"
	export PKG_CONFIG_LIBDIR=$P/lib/pkgconfig PKG_CONFIG_PATH=
	cf=$(pkg-config --cflags libleak) || fail "pkg-config --cflags libleak failed"
	cf=${cf%% }         # pkg-config ends the list with a space
	[ "$cf" = "-I$P/include" ] || fail "--cflags: '$cf'"
	[ "$(pkg-config --variable=preload libleak)" = "$P/lib/libleak/libleak.so" ] ||
		fail "--variable=preload: $(pkg-config --variable=preload libleak)"
	[ -f "$(pkg-config --variable=preload libleak)" ] || fail "no file at --variable=preload"
	cmp -s "$hdr" "$P/include/libleak.h" || fail "the header is not installed as include/libleak.h"
	printf '#include <libleak.h>\nint main(void) { return 0; }\n' >"$T/uses_api.c"
	# shellcheck disable=SC2086
	"$CC" $cf -c -o "$T/uses_api.o" "$T/uses_api.c" 2>"$T/cc.err" ||
		fail "cc \$(pkg-config --cflags libleak) with #include <libleak.h>: $(head -n 2 "$T/cc.err")"
	# Without API_HEADER the header is installed only when preload/ has one.
	make_install DESTDIR="$T/plain" PREFIX=/usr
	if [ -f "$ROOT/preload/libleak.h" ]; then
		[ -f "$T/plain/usr/include/libleak.h" ] || fail "preload/libleak.h exists but was not installed"
	else
		[ ! -e "$T/plain/usr/include" ] || fail "an include directory without a header: $(ls "$T/plain/usr/include")"
	fi
}

# The library gone (or leakreport gone) from an install: one line and 125,
# before the command runs.
test_installed_leakcheck_says_the_library_is_missing() {
	local P=$T/prefix
	make_install PREFIX="$P"
	rm "$P/lib/libleak/libleak.so"
	run_hidden leakcheck -- touch "$T/ran" >"$T/lc.out" 2>"$T/lc.err"
	local st=$?
	[ "$st" = 125 ] || fail "exit $st, not 125: $(head -n 3 "$T/lc.err" | tr '\n' '|')"
	[ "$(wc -l <"$T/lc.err")" = 1 ] || fail "not one line: $(head -n 4 "$T/lc.err" | tr '\n' '|')"
	[ "$(cat "$T/lc.err")" = "leakcheck: no preload library at $P/lib/libleak/libleak.so (reinstall libleak, or set LIBLEAK)" ] ||
		fail "says: $(cat "$T/lc.err")"
	[ ! -e "$T/ran" ] || fail "the command ran"
	rm "$P/bin/leakreport"
	cp "$LIBLEAK" "$T/libleak.so"
	run_hidden env LIBLEAK="$T/libleak.so" leakcheck -- true >"$T/lc.out" 2>"$T/lc.err"
	st=$?
	[ "$st" = 125 ] && [ "$(cat "$T/lc.err")" = "leakcheck: no leakreport at $P/bin/leakreport (reinstall libleak, or set LEAKREPORT)" ] ||
		fail "without leakreport: exit $st: $(head -n 3 "$T/lc.err" | tr '\n' '|')"
}

# A library of another version, whose dump format this leakreport does not
# read: one line naming both formats, 125, and the command never runs.
test_installed_leakcheck_refuses_another_dump_format() {
	local P=$T/prefix lib st fmt
	fmt=$("$LEAKREPORT" --version | sed -n 's/.*(dump format \([0-9]*\),.*/\1/p')
	make_install PREFIX="$P"
	lib=$(build_lib old_dump_format) || exit 1
	run_hidden env LIBLEAK="$lib" leakcheck -- touch "$T/ran" >"$T/lc.out" 2>"$T/lc.err"
	st=$?
	[ "$st" = 125 ] || fail "exit $st, not 125: $(head -n 3 "$T/lc.err" | tr '\n' '|')"
	[ "$(wc -l <"$T/lc.err")" = 1 ] || fail "not one line: $(head -n 4 "$T/lc.err" | tr '\n' '|')"
	grep -qxF "leakcheck: $lib writes dump format 0 but $P/bin/leakreport reads format $fmt: use a library and a leakreport of one libleak version (set LIBLEAK and LEAKREPORT)" "$T/lc.err" ||
		fail "says: $(cat "$T/lc.err")"
	[ ! -e "$T/ran" ] || fail "the command ran"
}
