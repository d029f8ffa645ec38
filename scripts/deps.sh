#!/bin/sh
# deps.sh - install the Debian packages libleak needs to build and test.
#
# Called by `make demo`, `make check`, `make deps`, `make fuzz` (--fuzz) and
# `make deb` / `make check-deb` (--deb).
# Checks each package with dpkg-query; when some are missing it runs apt-get
# as root, or, as any other user, prints the exact command to run and exits 1.
# Exit 0 when all present.
set -eu

PKGS="gcc g++ make binutils pkg-config libunwind-dev check libdw-dev libelf-dev jq valgrind util-linux libglib2.0-dev clang-format libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0"
# The test-runner integrations of scripts/leakcheck, each on a small project (tests/e2e/projects/).
PKGS="$PKGS autoconf automake cmake meson ninja-build"
# The man pages' test renders them with man --warnings (man-db, and groff-base's nroff).
PKGS="$PKGS man-db groff-base"
# make deb: dpkg-shlibdeps and dpkg-architecture (dpkg-dev); make check-deb: lintian.
[ "${1:-}" = "--deb" ] && PKGS="$PKGS dpkg-dev lintian"
[ "${1:-}" = "--bench" ] && PKGS="$PKGS heaptrack valgrind liblsan0 sqlite3 perl xz-utils"
# make fuzz: clang-14 with its libFuzzer, ASan and UBSan runtimes (libclang-rt-14-dev).
[ "${1:-}" = "--fuzz" ] && PKGS="$PKGS clang-14 libclang-rt-14-dev"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "libleak: missing packages:$missing (no apt-get here; install them by hand)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "libleak: missing packages:$missing" >&2
	echo "libleak: run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "libleak: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
