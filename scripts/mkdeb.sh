#!/bin/sh
# mkdeb.sh - `make deb`: the Debian package, from the tree `make install`
# staged with PREFIX=/usr and the multiarch LIBDIR.
#
# Usage: scripts/mkdeb.sh ROOT DEB VERSION     (run from the checkout's top)
#
# ROOT is that staged tree (DESTDIR); it becomes the package as Debian
# wants it: the install manifest left out (dpkg keeps its own list), the
# ELF files stripped as dh_strip does, the man pages gzipped, a copyright
# file (scripts/deb/copyright, the years of the commits filled in) and a
# changelog.gz in /usr/share/doc/libleak, DEBIAN/control from
# scripts/deb/control.in and DEBIAN/md5sums. dpkg-deb --root-owner-group
# writes DEB (no fakeroot needed).
#
# Depends is dpkg-shlibdeps' answer for leakreport and libleak.so, plus the
# libraries libleak.so opens with dlopen, which dpkg-shlibdeps cannot see:
# every soname in a dlopen("...") of preload/ (libunwind.so.8 today). For
# those a stub goes to dpkg-shlibdeps too, linked against each soname and
# using every symbol the same files look up with dlsym on their handles, so
# the packages and versions come from the shlibs and symbols files as for
# the others, never typed here, and a symbol the library no longer has
# fails the build.
#
# Environment: SOURCE_DATE_EPOCH (default: the last commit's time) dates the
# changelog entry.
set -eu

prog=mkdeb.sh
die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

[ $# -eq 3 ] || die "usage: scripts/mkdeb.sh ROOT DEB VERSION"
root=$1
deb=$2
version=$3
[ -d "$root/usr" ] || die "no staged install in $root (make deb stages it)"
case "$root" in
/*) ;;
*) root=$PWD/$root ;;
esac
for t in dpkg-deb dpkg-shlibdeps dpkg-architecture; do
	command -v "$t" >/dev/null 2>&1 || die "no $t (scripts/deps.sh --deb installs dpkg-dev)"
done
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
pkglib=usr/lib/$multiarch/libleak
doc=$root/usr/share/doc/libleak
[ -f "$root/$pkglib/libleak.so" ] || die "no $pkglib/libleak.so in $root"
[ -f "$root/usr/bin/leakreport" ] || die "no usr/bin/leakreport in $root"
work=$(mktemp -d "${TMPDIR:-/tmp}/libleak-deb.XXXXXX") || die "cannot make a temporary directory"
trap 'rm -rf "$work"' EXIT

rm -f "$root/$pkglib/install-manifest"

# Stripped as dh_strip does: shared objects --strip-unneeded, executables
# of their symbols; .comment and .note go (the build-id note stays).
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/$pkglib/libleak.so"
strip --remove-section=.comment --remove-section=.note "$root/usr/bin/leakreport"

find "$root/usr/share/man" -type f -name '*.[0-9]' -exec gzip -9n {} +

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
fi
# The copyright years: those of the commits (first-last), else this year's.
years=$(git log --format=%ad --date=format:%Y 2>/dev/null | sort -u | sed -n '1p;$p' | uniq | paste -sd-)
[ -n "$years" ] || years=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)
sed "s|@YEARS@|$years|" scripts/deb/copyright >"$doc/copyright"
chmod 0644 "$doc/copyright"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
maintainer=$(sed -n 's/^Maintainer: //p' scripts/deb/control.in)
{
	printf 'libleak (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Built from the libleak repository at commit %s.\n\n' "$commit"
	printf ' -- %s  %s\n' "$maintainer" "$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
} >"$work/changelog"
gzip -9n -c "$work/changelog" >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

# Depends: the stub, put in the tree only while dpkg-shlibdeps looks (it
# finds a package's tree by its DEBIAN directory).
dl_files=$(grep -rlE 'dlopen\("[^"]+\.so(\.[0-9]+)*"' preload | sort)
[ -n "$dl_files" ] || die "found no dlopen(\"lib...so\") in preload/: has the unwinder's loading moved?"
# shellcheck disable=SC2086
sonames=$(grep -hoE 'dlopen\("[^"]+\.so(\.[0-9]+)*"' $dl_files | sed 's/^dlopen("//; s/"$//' | sort -u)
# shellcheck disable=SC2086
syms=$(grep -hoE 'dlsym\([A-Za-z_][A-Za-z0-9_]*, "[A-Za-z_][A-Za-z0-9_]*"\)' $dl_files |
	grep -v 'dlsym(RTLD_' | sed 's/.*, "//; s/")$//' | sort -u)
links=
for s in $sonames; do
	links="$links -l:$s"
done
{
	for y in $syms; do
		printf 'extern char %s[];\n' "$y"
	done
	printf 'void *volatile stub_refs[] = {\n'
	for y in $syms; do
		printf '\t%s,\n' "$y"
	done
	printf '\t0\n};\nint main(void) { return stub_refs[0] == 0; }\n'
} >"$work/stub.c"
stub=$root/$pkglib/dlopen-stub
# shellcheck disable=SC2086
${CC:-cc} -o "$stub" "$work/stub.c" $links 2>"$work/stub.err" ||
	die "cannot link a stub using$(printf ' %s' $syms) against$links: $(head -n 2 "$work/stub.err")"
mkdir -p "$work/src/debian"
printf 'Source: libleak\n\nPackage: libleak\nArchitecture: any\n' >"$work/src/debian/control"
mkdir -p "$root/DEBIAN"
depends=$(cd "$work/src" && dpkg-shlibdeps -O -e"$root/usr/bin/leakreport" \
	-e"$root/$pkglib/libleak.so" -e"$stub" 2>"$work/shlibdeps.err" |
	sed -n 's/^shlibs:Depends=//p') || die "dpkg-shlibdeps: $(head -n 2 "$work/shlibdeps.err")"
rm -f "$stub"
[ -n "$depends" ] || die "dpkg-shlibdeps found no dependency: $(head -n 2 "$work/shlibdeps.err")"
if [ -s "$work/shlibdeps.err" ]; then
	sed 's/^/mkdeb.sh: /' "$work/shlibdeps.err" >&2
fi

find "$root" -type d -exec chmod 0755 {} +
mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f 1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@INSTALLED_SIZE@|$size|" \
	-e "s|@DEPENDS@|$depends|" scripts/deb/control.in >"$root/DEBIAN/control"
! grep -q '@[A-Z_]*@' "$root/DEBIAN/control" || die "DEBIAN/control: a word not filled in"
(cd "$root" && find . -type f ! -path './DEBIAN/*' | sed 's|^\./||' | LC_ALL=C sort | xargs md5sum) \
	>"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

rm -f "$deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null || die "dpkg-deb failed"
printf 'mkdeb.sh: %s (Depends: %s)\n' "$deb" "$depends"
