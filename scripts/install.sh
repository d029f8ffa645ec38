#!/bin/sh
# install.sh - `make install` and `make uninstall`: what libleak installs,
# where, and the manifest that lets uninstall remove exactly that.
#
# Usage: scripts/install.sh install|uninstall NAME=VALUE...
#
# The Makefile passes every NAME (GNU's directory variables, upper case):
# DESTDIR PREFIX BINDIR LIBDIR PKGLIBDIR INCLUDEDIR MANDIR DOCDIR
# PKGCONFIGDIR, and for install also VERSION (report/options.h's), B (the
# build directory) and API_HEADER (preload/libleak.h when it exists, else
# empty: then no header is installed). Paths are final paths; every file is
# written under DESTDIR followed by its final path, and nothing else is
# written anywhere (generated files are made in a mktemp -d directory).
#
# Installed:
#   BINDIR/leakreport, BINDIR/leakcheck (its installed_ lines name the
#     installed library, leakreport and version)
#   PKGLIBDIR/libleak.so (a directory of its own: LD_PRELOAD names it by
#     path), PKGLIBDIR/install-manifest
#   INCLUDEDIR/libleak.h (when API_HEADER is set), PKGCONFIGDIR/libleak.pc
#   MANDIR/man1/leakreport.1, man1/leakcheck.1, man7/libleak.7
#   DOCDIR/README.md, DOCDIR/docs/*.md, DOCDIR/examples/leaky.c
# The templates (man/*.in, scripts/libleak.pc.in) have @NAME@ words for
# those values; a word that is not one is an error.
#
# The manifest, PKGLIBDIR/install-manifest, has one line per file ("f
# PATH") and per directory that install created ("d PATH", parents first),
# final paths. A second install adds to it. uninstall removes its files,
# then its directories deepest first when they are empty (a directory that
# existed before, such as /usr/local/bin, is never in it), refusing a
# manifest path outside the directories it is given. So an install into an
# empty DESTDIR leaves it empty again.
#
# Exit 0, or 1 with one "install.sh: ..." line.
set -eu

prog=install.sh
die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

[ $# -ge 1 ] || die "usage: scripts/install.sh install|uninstall NAME=VALUE..."
action=$1
shift
DESTDIR= PREFIX= BINDIR= LIBDIR= PKGLIBDIR= INCLUDEDIR= MANDIR= DOCDIR= PKGCONFIGDIR=
VERSION= B=build API_HEADER=
for a; do
	case "$a" in
	DESTDIR=* | PREFIX=* | BINDIR=* | LIBDIR=* | PKGLIBDIR=* | INCLUDEDIR=* | MANDIR=* | \
	DOCDIR=* | PKGCONFIGDIR=* | VERSION=* | B=* | API_HEADER=*)
		eval "${a%%=*}=\${a#*=}"
		;;
	*) die "unknown argument '$a'" ;;
	esac
done

nl='
'
# The directories must be absolute and hold nothing that the shell line of
# leakcheck or a template could not carry: no quote, backslash or newline.
for n in PREFIX BINDIR LIBDIR PKGLIBDIR INCLUDEDIR MANDIR DOCDIR PKGCONFIGDIR; do
	eval "v=\$$n"
	case "$v" in
	/*) ;;
	*) die "$n='$v' is not an absolute path" ;;
	esac
	case "$v" in
	*"'"* | *\\* | *"$nl"*) die "$n='$v' holds a quote, a backslash or a newline" ;;
	*/../* | */.. | */./* | */.) die "$n='$v' holds a . or .. component" ;;
	esac
done
case "$DESTDIR" in
*"$nl"*) die "DESTDIR holds a newline" ;;
esac
dirs="$BINDIR $PKGLIBDIR $INCLUDEDIR $PKGCONFIGDIR $MANDIR $DOCDIR"
manifest=$PKGLIBDIR/install-manifest

# allowed PATH: PATH is one of the install directories, inside one, or one
# of their parents; nothing else may be in a manifest.
allowed() {
	case "$1" in
	/*) ;;
	*) return 1 ;;
	esac
	case "$1" in
	*/../* | */.. | */./* | */. | *//*) return 1 ;;
	esac
	for d in $dirs; do
		case "$1" in
		"$d" | "$d"/*) return 0 ;;
		esac
		case "$d" in
		"$1"/*) return 0 ;;
		esac
	done
	return 1
}

# ---- install ---------------------------------------------------------------
# add LINE: one manifest line, kept once.
add() {
	grep -qxF -- "$1" "$tmp/manifest" 2>/dev/null || printf '%s\n' "$1" >>"$tmp/manifest"
}

# makedir DIR: mkdir -p DESTDIR/DIR, mode 0755, recording each directory it
# creates, parents first.
makedir() {
	[ -d "$DESTDIR$1" ] && return 0
	parent=${1%/*}
	[ -n "$parent" ] && makedir "$parent"
	mkdir -m 0755 "$DESTDIR$1" || die "cannot create $DESTDIR$1"
	add "d $1"
}

# save: write the manifest as it is so far, so that an install that stops
# half way (a full disk, a denied directory) can still be uninstalled.
save() {
	install -m 0644 "$tmp/manifest" "$DESTDIR$manifest" || die "cannot write $DESTDIR$manifest"
}

# put MODE SRC DEST: install SRC as DESTDIR/DEST with MODE.
put() {
	makedir "${3%/*}"
	add "f $3"
	save
	install -m "$1" "$2" "$DESTDIR$3" || die "cannot install $DESTDIR$3"
	printf '  INSTALL %s\n' "$DESTDIR$3"
}

# subst TEMPLATE OUT: TEMPLATE with every @NAME@ replaced by its value.
subst() {
	S_VERSION=$VERSION S_PREFIX=$PREFIX S_BINDIR=$BINDIR S_LIBDIR=$LIBDIR \
	S_PKGLIBDIR=$PKGLIBDIR S_INCLUDEDIR=$INCLUDEDIR S_MANDIR=$MANDIR S_DOCDIR=$DOCDIR \
	S_PKGCONFIGDIR=$PKGCONFIGDIR S_LIBLEAK=$PKGLIBDIR/libleak.so \
	S_LEAKREPORT=$BINDIR/leakreport \
	awk -v tpl="$1" '
	{
		out = ""
		rest = $0
		while (match(rest, /@[A-Z]+@/)) {
			name = substr(rest, RSTART + 1, RLENGTH - 2)
			if (!(("S_" name) in ENVIRON)) {
				printf "install.sh: %s:%d: unknown @%s@\n", tpl, NR, name > "/dev/stderr"
				bad = 1
				exit 1
			}
			out = out substr(rest, 1, RSTART - 1) ENVIRON["S_" name]
			rest = substr(rest, RSTART + RLENGTH)
		}
		print out rest
	}
	END { exit bad }' "$1" >"$2" || exit 1
}

# leakcheck_installed OUT: scripts/leakcheck with its three installed_ lines
# set; each must be found exactly once.
leakcheck_installed() {
	I_LIB=$PKGLIBDIR/libleak.so I_REPORT=$BINDIR/leakreport I_VERSION=$VERSION \
	awk '
	function q(s) { return "\047" s "\047" }
	$0 == "installed_libleak=" { print $0 q(ENVIRON["I_LIB"]); n++; next }
	$0 == "installed_leakreport=" { print $0 q(ENVIRON["I_REPORT"]); n++; next }
	$0 == "installed_version=" { print $0 q(ENVIRON["I_VERSION"]); n++; next }
	{ print }
	END { if (n != 3) { print "install.sh: scripts/leakcheck: the three installed_ lines are not there" > "/dev/stderr"; exit 1 } }
	' scripts/leakcheck >"$1" || exit 1
}

do_install() {
	[ -n "$VERSION" ] || die "no VERSION (the Makefile reads it from report/options.h)"
	for f in "$B/libleak.so" "$B/leakreport"; do
		[ -f "$f" ] || die "no $f: run make first"
	done
	if [ -n "$API_HEADER" ] && [ ! -f "$API_HEADER" ]; then
		die "API_HEADER=$API_HEADER: no such file"
	fi
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/libleak-install.XXXXXX") || die "cannot make a temporary directory"
	trap 'rm -rf "$tmp"' EXIT
	: >"$tmp/manifest"
	# A second install adds to what the first one recorded.
	if [ -f "$DESTDIR$manifest" ]; then
		cp "$DESTDIR$manifest" "$tmp/manifest"
	fi
	# DESTDIR is the staging root: made when missing, never recorded.
	if [ -n "$DESTDIR" ]; then
		mkdir -p "$DESTDIR" || die "cannot create DESTDIR $DESTDIR"
	fi
	# The manifest first, naming itself, so uninstall removes it too.
	makedir "$PKGLIBDIR"
	add "f $manifest"
	save

	put 0755 "$B/leakreport" "$BINDIR/leakreport"
	leakcheck_installed "$tmp/leakcheck"
	put 0755 "$tmp/leakcheck" "$BINDIR/leakcheck"
	# 0644: a shared library needs no execute bit (Debian policy 8.1).
	put 0644 "$B/libleak.so" "$PKGLIBDIR/libleak.so"
	if [ -n "$API_HEADER" ]; then
		put 0644 "$API_HEADER" "$INCLUDEDIR/libleak.h"
	fi
	subst scripts/libleak.pc.in "$tmp/libleak.pc"
	put 0644 "$tmp/libleak.pc" "$PKGCONFIGDIR/libleak.pc"
	for page in leakreport.1 leakcheck.1 libleak.7; do
		subst "man/$page.in" "$tmp/$page"
		put 0644 "$tmp/$page" "$MANDIR/man${page##*.}/$page"
	done
	put 0644 README.md "$DOCDIR/README.md"
	for doc in leakreport ci dump-format valgrind-comparison bench; do
		put 0644 "docs/$doc.md" "$DOCDIR/docs/$doc.md"
	done
	put 0644 examples/leaky.c "$DOCDIR/examples/leaky.c"
	printf '  INSTALL %s (the list for make uninstall)\n' "$DESTDIR$manifest"
}

# ---- uninstall -------------------------------------------------------------
do_uninstall() {
	m=$DESTDIR$manifest
	[ -f "$m" ] || die "no $m: nothing of libleak is installed there (same DESTDIR, PREFIX and LIBDIR as for make install?)"
	# Check every line before removing anything.
	while IFS= read -r line; do
		case "$line" in
		"f "* | "d "*) ;;
		*) die "$m: bad line '$line'" ;;
		esac
		allowed "${line#? }" || die "$m: '${line#? }' is outside the install directories; nothing removed"
	done <"$m"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/libleak-uninstall.XXXXXX") || die "cannot make a temporary directory"
	trap 'rm -rf "$tmp"' EXIT
	cp "$m" "$tmp/manifest"
	while IFS= read -r line; do
		case "$line" in
		"f "*)
			p=$DESTDIR${line#f }
			if [ -f "$p" ] || [ -L "$p" ]; then
				rm -f "$p" || die "cannot remove $p"
				printf '  RM %s\n' "$p"
			fi
			;;
		esac
	done <"$tmp/manifest"
	# Directories deepest first: the manifest has parents first.
	grep '^d ' "$tmp/manifest" | sed 's/^d //' | awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' |
	while IFS= read -r d; do
		p=$DESTDIR$d
		[ -d "$p" ] || continue
		if rmdir "$p" 2>/dev/null; then
			printf '  RMDIR %s\n' "$p"
		else
			printf '  kept %s: not empty\n' "$p"
		fi
	done
}

case "$action" in
install) do_install ;;
uninstall) do_uninstall ;;
*) die "usage: scripts/install.sh install|uninstall NAME=VALUE..." ;;
esac
