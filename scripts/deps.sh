#!/bin/sh
# deps.sh - install the Debian packages libleak needs to build and test.
#
# Called by `make demo`, `make check`, `make deps`, `make fuzz` (--fuzz) and
# `make deb` / `make check-deb` (--deb).
# Then, but for --deb and --fuzz, npm installs Microsoft's SARIF Multitool
# (the sarif output's validator in make check) into .cache/node of the
# checkout, pinned, once (SARIF_MULTITOOL_VERSION).
# Checks each package with dpkg-query; when some are missing it runs apt-get
# as root, or, as any other user, prints the exact command to run and exits 1.
# Exit 0 when all present.
set -eu

PKGS="gcc g++ make binutils pkg-config libunwind-dev check libdw-dev libelf-dev jq valgrind util-linux libglib2.0-dev clang-format libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0"
# The test-runner integrations of scripts/leakcheck, each on a small project (tests/e2e/projects/).
PKGS="$PKGS autoconf automake cmake meson ninja-build"
# The man pages' test renders them with man --warnings (man-db, and groff-base's nroff).
PKGS="$PKGS man-db groff-base"
# The html output's test opens the page in a real browser, headless.
PKGS="$PKGS chromium"
# The HTML test reads the DOM, the JUnit test parses the XML, with Debian's python3.
PKGS="$PKGS python3"
# npm installs the SARIF Multitool; Debian's nodejs and npm when there is no npm.
command -v npm >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"
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

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SARIF_MULTITOOL_VERSION=5.7.0
NODE_DIR=$ROOT/.cache/node
MULTITOOL=$NODE_DIR/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool

# npm_tools: the SARIF Multitool, a self-contained .NET program that the npm
# package ships (no runtime to install); its postinstall's chmod is done here,
# as npm may not run install scripts.
npm_tools() {
	case "${1:-}" in --deb | --fuzz) return 0 ;; esac
	if [ ! -f "$MULTITOOL" ] ||
	    ! grep -q "\"version\": \"$SARIF_MULTITOOL_VERSION\"" \
		"$NODE_DIR/node_modules/@microsoft/sarif-multitool/package.json" 2>/dev/null; then
		echo "libleak: npm install @microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION into $NODE_DIR" >&2
		mkdir -p "$NODE_DIR"
		npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error \
			"@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION" >&2
	fi
	chmod u+x "$MULTITOOL"
}

if [ -z "$missing" ]; then
	npm_tools "${1:-}"
	exit 0
fi

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
npm_tools "${1:-}"
