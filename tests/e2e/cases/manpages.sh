# manpages.sh - the installed man pages (man/*.in, filled in by make
# install) against the code, so they cannot drift: every option of
# leakreport --help is an item of leakreport(1)'s OPTIONS, those of
# `leakreport diff --help` and `leakreport trend --help` items of their
# SUBCOMMANDS subsections, those of leakcheck --help items of leakcheck(1)'s
# OPTIONS, and no item names an option that --help does not have; every
# LEAK_* variable the preload's code names (getenv in preload/life/config.c
# and anywhere else under preload/) is an item of libleak(7)'s ENVIRONMENT,
# and no LEAK_* item there is one the preload does not read; the variables
# report/ reads with getenv and those scripts/leakcheck reads with a default
# are in their pages' ENVIRONMENT; when preload/libleak.h exists, every
# function it declares is in libleak(7)'s IN-CODE API section. Each page
# renders with `man --warnings` (as lintian runs it) without a warning and
# has the usual sections. A last test shows that the check catches drift.

# pages_install: make install into $T/dest with PREFIX=/usr/local and the
# Debian package's LIBDIR, so the paths in the pages are as long as real
# ones; sets $MAN to its man directory.
pages_install() {
	make -s --no-print-directory -C "$ROOT" install DESTDIR="$T/dest" PREFIX=/usr/local \
		LIBDIR=/usr/local/lib/x86_64-linux-gnu >"$T/install.log" 2>&1 ||
		fail "make install: $(tail -n 3 "$T/install.log" | tr '\n' ' ')"
	MAN=$T/dest/usr/local/share/man
}

# page_text PAGE: PAGE rendered as plain ASCII, 200 columns, no tabs.
page_text() {
	MANWIDTH=200 man -E ascii -l "$1" 2>/dev/null | col -bx
}

# page_tags PAGE SECTION [SUBSECTION]: the words of the item tags (the line
# after each .TP) of SECTION (.SH), or of its SUBSECTION (.SS), in the roff
# source: for an option item its leading words that start with '-' (-h,
# --help), for a variable item its name (LEAK_DEPTH of LEAK_DEPTH=n).
page_tags() {
	awk -v want_sec="$2" -v want_sub="${3:-}" '
	function plain(s) {
		gsub(/\\-/, "-", s)
		gsub(/\\f[BIRP]/, "", s)
		gsub(/\\&/, "", s)
		gsub(/"/, "", s)
		return s
	}
	/^\.SH / { sec = plain(substr($0, 5)); subsec = ""; next }
	/^\.SS / { subsec = plain(substr($0, 5)); next }
	/^\.TP/ { tag = 1; next }
	tag {
		tag = 0
		if (sec != want_sec || subsec != want_sub)
			next
		s = $0
		if (s ~ /^\.[A-Z]+ /)
			s = substr(s, index(s, " ") + 1)
		n = split(plain(s), w, /[ ,]+/)
		if (w[1] ~ /^[A-Z_][A-Z0-9_]*(=.*)?$/) {
			sub(/=.*/, "", w[1])
			print w[1]
			next
		}
		for (i = 1; i <= n && w[i] ~ /^-/; i++) {
			sub(/=.*/, "", w[i])
			print w[i]
		}
	}' "$1" | sort -u
}

# help_options CMD...: the options of CMD's help text (CMD is run as given,
# ending in --help): each [-x or [--name of its first usage line (leakreport
# --help shows the subcommands' synopses too, after its own), and the
# leading words that start with '-' of its option lines (indented, '-').
help_options() {
	"$@" >"$T/help.txt" || fail "$*: exit $?"
	{
		grep -m 1 '^usage:' "$T/help.txt" | grep -oE -- '\[--?[A-Za-z][A-Za-z0-9-]*' | tr -d '['
		awk '/^  +-/ {
			n = split($0, w, /[ ,]+/)
			for (i = 2; i <= n && w[i] ~ /^-/; i++) {
				sub(/[^A-Za-z0-9-].*/, "", w[i])
				print w[i]
			}
		}' "$T/help.txt"
	} | sort -u
}

# missing_from WANT GOT: the lines of WANT that are not lines of GOT.
missing_from() {
	comm -23 <(printf '%s\n' "$1" | sed '/^$/d' | sort -u) <(printf '%s\n' "$2" | sed '/^$/d' | sort -u)
}

# preload_vars: the variables the preload reads: every getenv("NAME") under
# preload/, and every LEAK_* name its code uses in a string (a variable read
# some other way, and the lines that name a bad value).
preload_vars() {
	{
		grep -rhoE 'getenv\("[A-Za-z_][A-Za-z0-9_]*"\)' "$ROOT/preload" | sed 's/getenv("//; s/")//'
		grep -rhoE '"LEAK_[A-Z0-9_]+' "$ROOT/preload" | tr -d '"'
	} | sort -u
}

# check_leakreport_page PAGE: empty output when PAGE documents exactly
# leakreport's options; else one line per difference.
check_leakreport_page() {
	local want got sub
	want=$(help_options "$LEAKREPORT" --help)
	got=$(page_tags "$1" OPTIONS)
	missing_from "$want" "$got" | sed 's/^/leakreport --help has, OPTIONS lacks: /'
	missing_from "$got" "$want" | sed 's/^/OPTIONS has, leakreport --help lacks: /'
	for sub in diff trend; do
		want=$(help_options "$LEAKREPORT" "$sub" --help)
		got=$(page_tags "$1" SUBCOMMANDS "leakreport $sub")
		[ -n "$got" ] || echo "no SUBCOMMANDS subsection 'leakreport $sub' with items"
		missing_from "$want" "$got" | sed "s/^/leakreport $sub --help has, its subsection lacks: /"
		missing_from "$got" "$want" | sed "s/^/the 'leakreport $sub' subsection has, its --help lacks: /"
		grep -qx ".SY \"leakreport $sub\"" "$1" || echo "SYNOPSIS lacks 'leakreport $sub'"
	done
	want=$(grep -rhoE 'getenv\("[A-Z_][A-Z0-9_]*"\)' "$ROOT/report" | sed 's/getenv("//; s/")//' | sort -u)
	missing_from "$want" "$(page_tags "$1" ENVIRONMENT)" | sed 's/^/report\/ reads, ENVIRONMENT lacks: /'
}

# check_leakcheck_page PAGE: the same for leakcheck's options, and the
# variables scripts/leakcheck reads with a default (${NAME:-...}), but PATH.
check_leakcheck_page() {
	local want got
	want=$(help_options "$ROOT/scripts/leakcheck" --help)
	got=$(page_tags "$1" OPTIONS)
	missing_from "$want" "$got" | sed 's/^/leakcheck --help has, OPTIONS lacks: /'
	missing_from "$got" "$want" | sed 's/^/OPTIONS has, leakcheck --help lacks: /'
	want=$(grep -oE '\$\{[A-Z_][A-Z0-9_]*:[-+]' "$ROOT/scripts/leakcheck" | sed 's/^\${//; s/:.$//' | grep -vx PATH | sort -u)
	missing_from "$want" "$(page_tags "$1" ENVIRONMENT)" | sed 's/^/leakcheck reads, ENVIRONMENT lacks: /'
}

# check_libleak_page PAGE: every LEAK_* variable of the preload is an
# ENVIRONMENT item and every LEAK_* item is one the preload reads; the
# functions of preload/libleak.h, when it exists, are in IN-CODE API.
check_libleak_page() {
	local txt=$T/libleak.txt want got fn
	page_text "$1" >"$txt"
	want=$(preload_vars)
	got=$(page_tags "$1" ENVIRONMENT | grep '^LEAK_')
	missing_from "$want" "$got" | sed 's/^/the preload reads, ENVIRONMENT lacks: /'
	missing_from "$got" "$want" | sed 's/^/ENVIRONMENT has, the preload does not read: /'
	if [ -f "$ROOT/preload/libleak.h" ]; then
		for fn in $(grep -oE '\b(leak|__lsan)_[a-z0-9_]+[[:space:]]*\(' "$ROOT/preload/libleak.h" | tr -d '( \t' | sort -u); do
			awk '/^[^ ]/ { sec = $0 } sec == "IN-CODE API"' "$txt" | grep -qw -- "$fn" ||
				echo "preload/libleak.h declares, IN-CODE API lacks: $fn"
		done
	fi
}

# Every page renders without a warning, as lintian checks it (80 columns),
# and has the usual sections.
test_pages_render_without_warnings() {
	local page sec
	pages_install
	for page in man1/leakreport.1 man1/leakcheck.1 man7/libleak.7; do
		man --warnings -E UTF-8 -l -Tutf8 -Z "$MAN/$page" >/dev/null 2>"$T/warn" ||
			fail "$page: man exited $?: $(head -n 2 "$T/warn")"
		[ ! -s "$T/warn" ] || fail "$page: $(head -n 3 "$T/warn" | tr '\n' '|')"
		page_text "$MAN/$page" >"$T/page.txt"
		for sec in NAME SYNOPSIS DESCRIPTION ENVIRONMENT "EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
			grep -qx "$sec" "$T/page.txt" || fail "$page has no $sec section"
		done
		case "$page" in
		man1/*) grep -qx OPTIONS "$T/page.txt" || fail "$page has no OPTIONS section" ;;
		esac
		! grep -q '@[A-Z]*@' "$MAN/$page" || fail "$page: a word not filled in: $(grep -o '@[A-Z]*@' "$MAN/$page" | head -n 1)"
	done
}

test_leakreport_page_has_every_option() {
	local why
	pages_install
	why=$(check_leakreport_page "$MAN/man1/leakreport.1")
	[ -z "$why" ] || fail "$(printf '%s\n' "$why" | head -n 4 | tr '\n' '|')"
}

test_leakcheck_page_has_every_option() {
	local why
	pages_install
	why=$(check_leakcheck_page "$MAN/man1/leakcheck.1")
	[ -z "$why" ] || fail "$(printf '%s\n' "$why" | head -n 4 | tr '\n' '|')"
}

test_libleak_page_has_every_variable() {
	local why
	pages_install
	[ "$(preload_vars | wc -l)" -ge 10 ] || fail "found only $(preload_vars | wc -l) LEAK_* names under preload/"
	why=$(check_libleak_page "$MAN/man7/libleak.7")
	[ -z "$why" ] || fail "$(printf '%s\n' "$why" | head -n 4 | tr '\n' '|')"
	[ -f "$ROOT/preload/libleak.h" ] || note "no preload/libleak.h yet: the IN-CODE API check has nothing to check"
}

# The check itself: a page that lost an option's item, renamed one, or lost
# a variable's item fails, naming it.
test_drift_is_caught() {
	local why
	pages_install
	sed 's/^\.B \\-\\-per\\-process$/.B \\-\\-per\\-proc/' "$MAN/man1/leakreport.1" >"$T/lr.1"
	cmp -s "$T/lr.1" "$MAN/man1/leakreport.1" && fail "the stand-in edit of leakreport.1 changed nothing"
	why=$(check_leakreport_page "$T/lr.1")
	printf '%s\n' "$why" | grep -qx 'leakreport --help has, OPTIONS lacks: --per-process' ||
		fail "a lost --per-process item is not caught: $why"
	printf '%s\n' "$why" | grep -qx 'OPTIONS has, leakreport --help lacks: --per-proc' ||
		fail "an item of no option is not caught: $why"
	awk '/^\.BI \\-\\-min\\-steps/ { skip = 1; next } skip && /^\.TP/ { skip = 0 } !skip' "$MAN/man1/leakreport.1" >"$T/lr2.1"
	why=$(check_leakreport_page "$T/lr2.1")
	printf '%s\n' "$why" | grep -qx 'leakreport trend --help has, its subsection lacks: --min-steps' ||
		fail "a lost trend --min-steps item is not caught: $why"
	awk '/^\.BI LEAK_DEPTH=/ { skip = 1; prev = ""; next } skip && /^\.TP/ { skip = 0 } !skip' "$MAN/man7/libleak.7" >"$T/ll.7"
	why=$(check_libleak_page "$T/ll.7")
	printf '%s\n' "$why" | grep -qx 'the preload reads, ENVIRONMENT lacks: LEAK_DEPTH' ||
		fail "a lost LEAK_DEPTH item is not caught: $why"
	sed 's/^\.BR \\-h ", " \\-\\-help$/.B \\-\\-help/' "$MAN/man1/leakcheck.1" >"$T/lc.1"
	why=$(check_leakcheck_page "$T/lc.1")
	printf '%s\n' "$why" | grep -qx 'leakcheck --help has, OPTIONS lacks: -h' ||
		fail "a lost leakcheck -h is not caught: $why"
}
