#!/bin/bash
# run.sh - `make check-deb`: the Debian package that `make deb` built, as a
# Debian user gets it. Run as root (it installs and removes the package);
# .ci/run runs it when it is root.
#
# Usage: tests/deb/run.sh DEB
#
# Tests: the package's name and fields (the version is leakreport's);
# lintian reports no error and no warning; Depends covers every library
# that libleak.so and leakreport load, the ones they open with dlopen
# included; `apt-get install ./DEB`, the installed tools at work from a
# directory outside the checkout (hidden under an empty tmpfs where a mount
# namespace can be had), `apt-get remove` leaving none of its files; the
# same with dpkg -i and dpkg -r. A package named libleak installed before
# the run is never touched: the run fails instead.
#
# Prints "PASS name" or "FAIL name: reason" per test, then "N passed, M
# failed". Exit 0 when nothing failed, 1 when a test failed, 2 when it
# cannot run (not root, no DEB).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEB=${1:-}
[ -n "$DEB" ] && [ -f "$DEB" ] || { echo "run.sh: no package '$DEB' (make deb)" >&2; exit 2; }
DEB=$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB")
[ "$(id -u)" -eq 0 ] || { echo "run.sh: make check-deb installs a package: run it as root" >&2; exit 2; }
for t in dpkg-deb lintian apt-get; do
	command -v "$t" >/dev/null 2>&1 || { echo "run.sh: no $t (scripts/deps.sh --deb)" >&2; exit 2; }
done
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
unset DEBUGINFOD_URLS LD_PRELOAD LD_LIBRARY_PATH LIBLEAK LEAKREPORT LEAK_OUTPUT LEAK_ONLY LEAK_LOG
VERSION=$("$ROOT/build/leakreport" --version | awk '{ print $2 }')
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
PKGLIB=/usr/lib/$MULTIARCH/libleak
WORK=$(mktemp -d "${TMPDIR:-/tmp}/libleak-deb-test.XXXXXX") || exit 2
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

# fail REASON: the test's reason; the test stops.
fail() {
	printf '%s\n' "$*" >"$T/.reason"
	exit 1
}

# run_test NAME: run the function NAME in a subshell in its own directory.
run_test() {
	T=$WORK/$1
	mkdir -p "$T"
	chmod 755 "$T"
	(cd "$T" && "$1") >"$T/log" 2>&1
	local st=$?
	if [ ! -s "$T/.reason" ] && [ "$st" -ne 0 ]; then
		echo "exited $st: $(tail -n 1 "$T/log")" >"$T/.reason"
	fi
	if [ -s "$T/.reason" ]; then
		echo "FAIL $1: $(head -n 1 "$T/.reason" | cut -c 1-600)"
		failed=$((failed + 1))
	else
		echo "PASS $1"
		passed=$((passed + 1))
	fi
}

# installed_state: libleak's dpkg status ("ii", "rc"...), empty when dpkg
# does not know it.
installed_state() {
	dpkg-query -W -f='${db:Status-Abbrev}' libleak 2>/dev/null | tr -d ' '
}

# depends_names FIELD-VALUE: the package names of a Depends value, one a
# line (versions, arch qualifiers dropped, every alternative kept).
depends_names() {
	printf '%s\n' "$1" | tr ',|' '\n\n' | sed 's/(.*//; s/:.*//; s/[[:space:]]//g' | sed '/^$/d' | sort -u
}

# closure PACKAGE...: the packages and all they depend on (Depends and
# Pre-Depends of the installed packages), one a line.
closure() {
	local todo seen p d
	todo=$(printf '%s\n' "$@")
	seen=
	while [ -n "$todo" ]; do
		p=$(printf '%s\n' "$todo" | head -n 1)
		todo=$(printf '%s\n' "$todo" | sed 1d)
		case " $seen " in *" $p "*) continue ;; esac
		seen="$seen $p"
		d=$(dpkg-query -W -f='${Depends}, ${Pre-Depends}' "$p" 2>/dev/null) || continue
		todo=$(printf '%s\n%s\n' "$todo" "$(depends_names "$d")" | sed '/^$/d')
	done
	printf '%s\n' $seen | sort -u
}

# owner FILE: the package that ships FILE (found through its real path and
# the /usr and non-/usr spellings a merged /usr gives it).
owner() {
	local r c p
	r=$(readlink -f "$1")
	for c in "$r" "$1" "/usr$r" "${r#/usr}"; do
		[ -n "$c" ] || continue
		p=$(dpkg -S "$c" 2>/dev/null | head -n 1 | sed 's/:.*//; s/, .*//')
		[ -n "$p" ] && { printf '%s\n' "$p"; return 0; }
	done
	return 1
}

# hidden CMD...: CMD with the checkout covered by an empty tmpfs (when a
# mount namespace can be had), from $T, in a clean environment.
hidden() {
	if unshare -m true 2>/dev/null; then
		unshare -m sh -c 'mount -t tmpfs -o ro,size=64k libleak-hidden "$1" || exit 97; shift; cd "$1" && shift && exec "$@"' \
			hidden "$ROOT" "$T" env -i PATH=/usr/bin:/bin HOME="$T" TMPDIR="$T" LC_ALL=C "$@"
	else
		(cd "$T" && env -i PATH=/usr/bin:/bin HOME="$T" TMPDIR="$T" LC_ALL=C "$@")
	fi
}

# check_installed: the installed package's tools at work: leakcheck on the
# documentation's leaky.c (23, its 8 records), --version, pkg-config, man.
check_installed() {
	local lib=$PKGLIB/libleak.so st
	[ "$(installed_state)" = ii ] || fail "libleak is not installed: $(installed_state)"
	[ "$(command -v leakcheck)" = /usr/bin/leakcheck ] || fail "leakcheck is $(command -v leakcheck)"
	cc -g -O0 -o "$T/leaky" /usr/share/doc/libleak/examples/leaky.c 2>"$T/cc.err" ||
		fail "cc leaky.c: $(head -n 2 "$T/cc.err")"
	hidden leakcheck -- ./leaky >"$T/lc.out" 2>"$T/lc.err"
	st=$?
	[ "$st" = 23 ] || fail "leakcheck -- ./leaky exited $st: $(tail -n 3 "$T/lc.err" | tr '\n' '|')"
	[ "$(tail -n 1 "$T/lc.err")" = "leakcheck: tests: exit 0; leaks: failed, 8 records over the gate" ] ||
		fail "last line: $(tail -n 1 "$T/lc.err")"
	grep -A1 '^Direct leak of 192 byte(s) in 3 object(s)' "$T/lc.err" | grep -q ' in format_line ' ||
		fail "no format_line record: $(head -n 3 "$T/lc.err" | tr '\n' '|')"
	hidden leakcheck --version >"$T/v.out" 2>&1
	[ "$(head -n 1 "$T/v.out")" = "leakcheck $VERSION (installed)" ] || fail "leakcheck --version: $(head -n 1 "$T/v.out")"
	grep -qx "library: $lib" "$T/v.out" || fail "leakcheck --version: $(tr '\n' '|' <"$T/v.out")"
	[ "$(leakreport --version | awk '{ print $2 }')" = "$VERSION" ] || fail "leakreport --version: $(leakreport --version)"
	[ "$(pkg-config --variable=preload libleak)" = "$lib" ] || fail "pkg-config --variable=preload: $(pkg-config --variable=preload libleak)"
	pkg-config --cflags libleak >/dev/null || fail "pkg-config --cflags libleak failed"
	[ "$(pkg-config --modversion libleak)" = "$VERSION" ] || fail "pkg-config --modversion: $(pkg-config --modversion libleak)"
	[ "$(man -w leakreport)" = /usr/share/man/man1/leakreport.1.gz ] || fail "man -w leakreport: $(man -w leakreport 2>&1)"
	[ "$(man -w leakcheck)" = /usr/share/man/man1/leakcheck.1.gz ] || fail "man -w leakcheck: $(man -w leakcheck 2>&1)"
	[ "$(man -w 7 libleak)" = /usr/share/man/man7/libleak.7.gz ] || fail "man -w 7 libleak: $(man -w 7 libleak 2>&1)"
	man 7 libleak 2>&1 | grep -q 'LEAK_DEPTH' || fail "man 7 libleak does not show LEAK_DEPTH"
}

# check_removed: the package gone, and every file it shipped with it.
check_removed() {
	local f left=
	case "$(installed_state)" in
	'' | un) ;;
	*) fail "after removal dpkg says: $(installed_state)" ;;
	esac
	while read -r f; do
		[ -e "/$f" ] || [ -L "/$f" ] && left="$left /$f"
	done < <(dpkg-deb --fsys-tarfile "$DEB" | tar -t | grep -v '/$' | sed 's|^\./||')
	[ -z "$left" ] || fail "left after removal:$left"
	for f in "$PKGLIB" /usr/share/doc/libleak; do
		[ ! -e "$f" ] || fail "left after removal: $f"
	done
}

test_package_fields() {
	local f
	[ "$(basename "$DEB")" = "libleak_${VERSION}_$(dpkg --print-architecture).deb" ] || fail "named $(basename "$DEB")"
	[ "$(dpkg-deb -f "$DEB" Package)" = libleak ] || fail "Package: $(dpkg-deb -f "$DEB" Package)"
	[ "$(dpkg-deb -f "$DEB" Version)" = "$VERSION" ] || fail "Version: $(dpkg-deb -f "$DEB" Version), leakreport says $VERSION"
	[ "$(dpkg-deb -f "$DEB" Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture: $(dpkg-deb -f "$DEB" Architecture)"
	dpkg-deb -c "$DEB" | awk '{ print $6 }' >"$T/files"
	for f in ./usr/bin/leakreport ./usr/bin/leakcheck ".$PKGLIB/libleak.so" ./usr/lib/$MULTIARCH/pkgconfig/libleak.pc \
		./usr/share/man/man1/leakreport.1.gz ./usr/share/man/man7/libleak.7.gz ./usr/share/doc/libleak/copyright \
		./usr/share/doc/libleak/changelog.gz; do
		grep -qxF "$f" "$T/files" || fail "the package lacks $f"
	done
	! grep -q 'install-manifest\|dlopen-stub' "$T/files" || fail "the package holds $(grep 'install-manifest\|dlopen-stub' "$T/files")"
}

test_lintian_finds_no_error_or_warning() {
	lintian --fail-on error,warning "$DEB" >"$T/lintian.out" 2>"$T/lintian.err"
	local st=$?
	cat "$T/lintian.out"
	[ "$st" = 0 ] || fail "lintian exited $st: $(grep -E '^[EW]:' "$T/lintian.out" | head -n 3 | tr '\n' '|')$(head -n 2 "$T/lintian.err" | tr '\n' '|')"
}

# Every library a run loads, libleak.so under a program and leakreport on
# its dump (LD_DEBUG=libs: "calling init" names each one, those opened with
# dlopen too), belongs to a package in the closure of Depends; those they
# load themselves (DT_NEEDED, and the dlopen sonames of preload/) to one
# named in Depends.
test_depends_covers_every_loaded_library() {
	local x=$T/x dep direct all lib p missing= soname
	dpkg-deb -x "$DEB" "$x"
	dep=$(dpkg-deb -f "$DEB" Depends)
	direct=$(depends_names "$dep")
	all=$(closure $direct)
	cc -g -O0 -o "$T/leaky" "$x/usr/share/doc/libleak/examples/leaky.c" || fail "cc leaky.c"
	LD_DEBUG=libs LD_DEBUG_OUTPUT=$T/ld.preload LD_PRELOAD=$x$PKGLIB/libleak.so LEAK_OUTPUT=$T/leaky.dump \
		LEAK_QUIET=1 "$T/leaky" >/dev/null
	LD_DEBUG=libs LD_DEBUG_OUTPUT=$T/ld.report "$x/usr/bin/leakreport" "$T/leaky.dump" >/dev/null
	cat "$T"/ld.preload.* "$T"/ld.report.* | sed -n 's/.*calling init: //p' | sort -u >"$T/loaded"
	grep -q 'libunwind' "$T/loaded" || fail "no libunwind among the loaded libraries: $(tr '\n' ' ' <"$T/loaded")"
	while read -r lib; do
		case "$lib" in
		"$x"/*) continue ;;     # libleak.so itself
		"$T"/*) continue ;;
		esac
		p=$(owner "$lib") || { missing="$missing $lib (no package)"; continue; }
		printf '%s\n' "$all" | grep -qx "$p" || missing="$missing $lib ($p)"
	done <"$T/loaded"
	[ -z "$missing" ] || fail "loaded but not covered by Depends ($dep):$missing"
	# The direct ones are named in Depends itself.
	for soname in $(readelf -d "$x/usr/bin/leakreport" "$x$PKGLIB/libleak.so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u) \
		$(grep -rhoE 'dlopen\("[^"]+\.so(\.[0-9]+)*"' "$ROOT/preload" | sed 's/^dlopen("//; s/"$//' | sort -u); do
		lib=$(grep -m 1 "/$soname\$" "$T/loaded" || true)
		[ -n "$lib" ] || lib=$(ldconfig -p | awk -v s="$soname" '$1 == s && /x86-64/ { print $NF; exit }')
		[ -n "$lib" ] || fail "cannot find $soname"
		case "$soname" in
		ld-linux*) p=libc6 ;;
		*) p=$(owner "$lib") || fail "no package ships $lib" ;;
		esac
		printf '%s\n' "$direct" | grep -qx "$p" || fail "$soname ($p) is loaded directly but not in Depends: $dep"
	done
}

test_apt_install_run_remove() {
	apt-get install -y -q --no-install-recommends "$DEB" >"$T/apt.log" 2>&1 ||
		fail "apt-get install $DEB: $(tail -n 3 "$T/apt.log" | tr '\n' '|')"
	(check_installed)
	local st=$?
	apt-get remove -y -q libleak >"$T/remove.log" 2>&1 || fail "apt-get remove libleak: $(tail -n 3 "$T/remove.log" | tr '\n' '|')"
	[ "$st" = 0 ] || exit 1
	check_removed
}

test_dpkg_install_run_remove() {
	dpkg -i "$DEB" >"$T/dpkg.log" 2>&1 || fail "dpkg -i: $(tail -n 3 "$T/dpkg.log" | tr '\n' '|')"
	(check_installed)
	local st=$?
	dpkg -r libleak >"$T/remove.log" 2>&1 || fail "dpkg -r libleak: $(tail -n 3 "$T/remove.log" | tr '\n' '|')"
	[ "$st" = 0 ] || exit 1
	check_removed
}

run_test test_package_fields
run_test test_lintian_finds_no_error_or_warning
run_test test_depends_covers_every_loaded_library
if [ -n "$(installed_state)" ] && [ "$(installed_state)" != un ]; then
	echo "FAIL test_apt_install_run_remove: a libleak package is installed already ($(installed_state)); not touching it"
	echo "FAIL test_dpkg_install_run_remove: a libleak package is installed already"
	failed=$((failed + 2))
else
	run_test test_apt_install_run_remove
	run_test test_dpkg_install_run_remove
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
