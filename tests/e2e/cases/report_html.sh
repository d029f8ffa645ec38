# report_html.sh - leakreport --format html in a real browser: Debian's
# chromium, headless, --dump-dom gives the DOM after the page's script ran.
# The flame graph has a box per function with widths in the ratio of their
# bytes, the table a row per listed record; the URL fragment's search and
# zoom work; with scripts off the summary and table are still there; names
# from the dump are escaped; the page holds no http: or https: at all; the
# timeline of snapshots has a point per dump of each series; a dump of
# 30,000 records gives a page under 5 MB that says what it folded. The
# screenshot of the first test is kept as build/report.png (docs/report.png
# is a copy of it). Needs chromium and jq; python3 parses the DOM.

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# browser OUT URL [ARGS...]: chromium --headless on URL with ARGS, the DOM
# (or nothing, with --screenshot) to OUT; fails after 60 s.
browser() {
	local out=$1 url=$2
	shift 2
	command -v chromium >/dev/null || fail "chromium is not installed (scripts/deps.sh installs it)"
	timeout 60 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$T/chromium" \
		--window-size=1280,900 "$@" "$url" >"$out" 2>"$T/chromium.err" ||
		fail "chromium on $url: exit $?: $(grep -v -e dbus -e 'Fontconfig' "$T/chromium.err" | tail -n 2 | tr '\n' ' ')"
}

# dom_facts DOM: one line per fact of the page, for the asserts:
#   box FUNCTION BYTES BLOCKS WIDTH% CLASSES   a flame graph box
#   row KIND BYTES BLOCKS SITE                 a row of the records table
#   pt SERIES INDEX VALUE                      a point of the timeline
#   summary KIND RECORDS BLOCKS BYTES          a row of the summary table
#   gate TEXT / info TEXT / h1 TEXT
dom_facts() {
	"$PY" - "$1" <<'EOF'
import sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []
        self.text = None
        self.cells = None
        self.where = None
    def handle_starttag(self, tag, a):
        a = dict(a)
        cls = a.get("class", "") or ""
        if tag == "div" and "lk-box" in cls.split():
            w = [s for s in a.get("style", "").split(";") if s.strip().startswith("width")]
            width = w[0].split(":")[1].strip().rstrip("%") if w else "?"
            print("box", a.get("data-fn", "?").replace(" ", "_"), a.get("data-bytes"),
                  a.get("data-blocks"), width, ",".join(cls.split()))
        if tag == "circle" and "lk-pt" in cls.split():
            print("pt", a.get("data-series", "?").replace(" ", "_"), a.get("data-i"), a.get("data-v"))
        if tag == "tr":
            self.cells = []
            self.where = "records" if "data-bytes" in a and "data-kind" in a else self.where
            self.row = a
        if tag in ("td", "th", "h1", "p", "b"):
            self.text = []
            self.cur = (tag, a)
        if tag == "section":
            self.section = a.get("id")
    def handle_data(self, d):
        if self.text is not None:
            self.text.append(d)
    def handle_endtag(self, tag):
        t = " ".join("".join(self.text or []).split())
        if tag == "td" and self.cells is not None:
            self.cells.append(t)
        if tag == "tr" and self.cells:
            if "data-kind" in self.row:
                site = self.cells[4].split(" ")[0] if len(self.cells) > 4 else "?"
                print("row", self.cells[0], self.row["data-bytes"], self.row["data-blocks"], site)
            elif getattr(self, "section", None) == "lk-summary" and len(self.cells) == 4:
                print("summary", self.cells[0].replace(" ", "_"), *self.cells[1:])
            self.cells = None
        if tag == "h1":
            print("h1", t)
        if tag == "p" and self.cur[1].get("id") == "lk-gate":
            print("gate", t)
        if tag == "p" and self.cur[1].get("id") == "lk-flame-info":
            print("info", t)
        if tag in ("td", "th", "h1", "p"):
            self.text = None

P().feed(open(sys.argv[1], encoding="utf-8").read())
EOF
}

# html_dump: run report_leaks (with its "extra" leak) under the preload;
# print its dump.
html_dump() {
	local exe
	exe=$(build_prog report_leaks) || exit 1
	run_leak "$exe" extra
	expect_status 0
	dump_only
}

# no_urls FILE: fail if FILE holds http: or https: anywhere (any case).
no_urls() {
	! grep -aiq 'https\?:' "$1" || fail "$(basename "$1") holds a URL: $(grep -aio '.\{20\}https\{0,1\}:.\{20\}' "$1" | head -n 2 | tr '\n' ' ')"
}

test_html_flame_graph_and_table_in_chromium() {
	command -v jq >/dev/null || fail "jq is not installed"
	local d st facts want got buf_w help_w ratio
	d=$(html_dump) || exit 1
	"$LEAKREPORT" --format html -o r.html "$d" 2>r.err
	st=$?
	[ "$st" -eq 1 ] || fail "--format html -o exited $st, expected 1 (the gate): $(cat r.err)"
	[ -s r.html ] || fail "no r.html"
	[ ! -s r.err ] || fail "stderr: $(head -n 2 r.err)"
	no_urls r.html
	grep -q '<script src\|<link ' r.html && fail "the page loads something from outside"
	"$LEAKREPORT" --format json "$d" >r.json
	browser dom.html "file://$T/r.html" --dump-dom
	facts=$(dom_facts dom.html) || fail "cannot parse the DOM"
	note "$facts"
	# a box per function of the listed records, with their bytes
	for f in make_buf make_node helper_leak new_leak direct_leaks list_leak main; do
		want=$(jq -r --arg f "$f" '[.leaks[] | select(any(.frames[]; .function == $f)) | .bytes] | add' r.json)
		got=$(printf '%s\n' "$facts" | awk -v f="$f" '$1 == "box" && $2 == f { print $3; exit }')
		[ "$got" = "$want" ] || fail "flame box $f: $got bytes, the report lists $want"
	done
	# widths in the ratio of their bytes (siblings over one parent: main's)
	buf_w=$(printf '%s\n' "$facts" | awk '$1 == "box" && $2 == "direct_leaks" { print $5; exit }')
	help_w=$(printf '%s\n' "$facts" | awk '$1 == "box" && $2 == "list_leak" { print $5; exit }')
	ratio=$(awk -v a="$buf_w" -v b="$help_w" -v ba="$(jq '[.leaks[] | select(any(.frames[]; .function == "direct_leaks")) | .bytes] | add' r.json)" \
		-v bb="$(jq '[.leaks[] | select(any(.frames[]; .function == "list_leak")) | .bytes] | add' r.json)" \
		'BEGIN { r = (a / b) / (ba / bb); print (r > 0.99 && r < 1.01) ? "ok" : r }')
	[ "$ratio" = ok ] || fail "widths direct_leaks $buf_w%, list_leak $help_w%: not in the ratio of their bytes ($ratio)"
	printf '%s\n' "$facts" | awk '$1 == "box" && $2 == "all" && $5 + 0 == 100' | grep -q . ||
		fail "the root box is not full width"
	# the records table: the report's records, in its order
	got=$(printf '%s\n' "$facts" | awk '$1 == "row" { print $2, $3, $4, $5 }')
	want=$(jq -r '.leaks[] | "\(.kind) \(.bytes) \(.blocks) \(.frames[0].function)"' r.json)
	[ "$got" = "$want" ] || fail "table rows '$(echo $got)', report '$(echo $want)'"
	# summary and gate
	printf '%s\n' "$facts" | grep -qx "summary definite $(jq -r '.summary.definite | "\(.records) \(.blocks) \(.bytes)"' r.json)" ||
		fail "summary's definite row differs from the report"
	printf '%s\n' "$facts" | grep -q "^gate Gate: FAILED: $(jq -r .gate.reason r.json)" || fail "no gate verdict"
	# the stack of a row
	grep -q 'in make_buf .*report_leaks\.c:[0-9]* (report_leaks' dom.html || fail "no stack in the rows"
	browser shot.out "file://$T/r.html" --screenshot="$T/report.png"
	[ "$(head -c 8 report.png | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "no PNG screenshot"
	mkdir -p "$ROOT/build" && cp report.png "$ROOT/build/report.png"
}

test_html_search_zoom_and_kinds_from_the_fragment() {
	local d facts
	d=$(html_dump) || exit 1
	"$LEAKREPORT" --format html --show all --fail-on none "$d" >r.html || fail "leakreport failed"
	browser dom0.html "file://$T/r.html#search=make_" --dump-dom
	facts=$(dom_facts dom0.html)
	# search: make_buf and make_node highlighted, nothing else
	[ "$(printf '%s\n' "$facts" | awk '$1 == "box" && $6 ~ /lk-hl/ { print $2 }' | sort -u | tr '\n' ' ')" = "make_buf make_node " ] ||
		fail "highlighted: $(printf '%s\n' "$facts" | awk '$1 == "box" && $6 ~ /lk-hl/ { print $2 }' | tr '\n' ' ')"
	printf '%s\n' "$facts" | grep -q '^info .*matched: [0-9.]*% of bytes' || fail "no match share"
	browser dom.html "file://$T/r.html#search=make_&zoom=list_leak" --dump-dom
	facts=$(dom_facts dom.html)
	note "$facts"
	# zoom: list_leak spans the view, its callee too (still highlighted);
	# direct_leaks is not drawn
	printf '%s\n' "$facts" | awk '$1 == "box" && $2 == "list_leak" && $5 + 0 == 100' | grep -q . ||
		fail "zoomed box list_leak is not full width"
	printf '%s\n' "$facts" | awk '$1 == "box" && $2 == "make_node" && $5 + 0 == 100 && $6 ~ /lk-hl/' | grep -q . ||
		fail "make_node, under the zoomed box, is not full width and highlighted"
	printf '%s\n' "$facts" | awk '$1 == "box" && $2 == "direct_leaks"' | grep -q . &&
		fail "direct_leaks drawn while zoomed on list_leak"
	printf '%s\n' "$facts" | grep -q '^info .*Zoomed on list_leak' || fail "no zoom note"
	# the kind switch: reachable alone shows keep_global, and no make_buf
	browser dom2.html "file://$T/r.html#kind=reachable&weight=blocks" --dump-dom
	facts=$(dom_facts dom2.html)
	printf '%s\n' "$facts" | awk '$1 == "box" && $2 == "keep_global"' | grep -q . || fail "kind=reachable: no keep_global box"
	# sorting, from the fragment too: smallest bytes first, then by blocks
	browser dom3.html "file://$T/r.html#sort=-bytes" --dump-dom
	[ "$(dom_facts dom3.html | awk '$1 == "row" { printf "%s ", $3 }')" = \
		"$(dom_facts dom.html | awk '$1 == "row" { print $3 }' | sort -n | tr '\n' ' ')" ] ||
		fail "sort=-bytes: $(dom_facts dom3.html | awk '$1 == "row" { printf "%s ", $3 }')"
	browser dom4.html "file://$T/r.html#sort=blocks" --dump-dom
	[ "$(dom_facts dom4.html | awk '$1 == "row" { print $4; exit }')" = 16 ] || fail "sort=blocks: make_buf's 16 blocks not first"
	# --per-process: the processes' table
	"$LEAKREPORT" --format html --per-process --fail-on none "$d" >p.html
	[ "$(grep -c '<tr data-pid=' p.html)" -eq 1 ] || fail "--per-process: no row for the process"
	# the reachable record's row holds its retention path
	grep -q 'held by global report_global (report_leaks[^ ]* .bss) -&gt; this block' r.html ||
		fail "no retention path in the reachable record's row"
	printf '%s\n' "$facts" | awk '$1 == "box" && $2 == "make_buf"' | grep -q . && fail "kind=reachable: make_buf drawn"
	true
}

# chromium's --dump-dom and --screenshot need scripts themselves (with
# --blink-settings=scriptEnabled=false they give nothing), so the page
# without scripts is checked as the page with its <script> elements removed:
# what a browser with scripts off builds.
test_html_without_scripts() {
	local d facts
	d=$(html_dump) || exit 1
	"$LEAKREPORT" --format html "$d" >r.html
	"$PY" -c 'import re, sys
sys.stdout.write(re.sub(r"<script\b.*?</script>", "", open(sys.argv[1]).read(), flags=re.S))' r.html >noscript.html
	grep -q '<script' noscript.html && fail "a script is left"
	browser dom.html "file://$T/noscript.html" --dump-dom
	browser shot.out "file://$T/noscript.html" --screenshot="$T/noscript.png"
	[ -s noscript.png ] || fail "no screenshot with scripts off"
	mkdir -p "$ROOT/build" && cp noscript.png "$ROOT/build/report-noscript.png"
	facts=$(dom_facts dom.html)
	printf '%s\n' "$facts" | grep -q '^summary definite ' || fail "no summary with scripts off"
	[ "$(printf '%s\n' "$facts" | grep -c '^row ')" -eq "$("$LEAKREPORT" --format json "$d" | jq '.leaks | length')" ] ||
		fail "not every record in the table with scripts off"
	printf '%s\n' "$facts" | grep -q '^gate Gate: FAILED' || fail "no gate with scripts off"
	printf '%s\n' "$facts" | grep -q '^box ' && fail "flame boxes without scripts?"
	true
}

test_html_escapes_names_from_the_dump() {
	local d facts
	d=$(html_dump) || exit 1
	# exe: a tag, an ampersand, quotes, a URL, a control byte, an invalid byte
	sed 's|^exe .*|exe /tmp/x%3Cb%3E%26%22q%27%20http:e.x%01%FF|' "$d" >esc.dump
	"$LEAKREPORT" --format html --fail-on none esc.dump >r.html || fail "leakreport failed"
	no_urls r.html
	grep -q '<b>&' r.html && fail "the exe's tag is in the page unescaped"
	browser dom.html "file://$T/r.html" --dump-dom
	facts=$(dom_facts dom.html)
	printf '%s\n' "$facts" | grep -qF "h1 Leak report: x<b>&\"q' http:e.x?"$'\xef\xbf\xbd' ||
		fail "h1 does not read the exe back: $(printf '%s\n' "$facts" | grep '^h1')"
	printf '%s\n' "$facts" | grep -q '^box make_buf ' || fail "the script broke on the escaped data"
}

test_html_timeline_of_snapshots() {
	local facts n
	setup_app
	series
	"$LEAKREPORT" --format html --fail-on none s*.dump >r.html || fail "leakreport failed"
	"$LEAKREPORT" trend --format html s*.dump >t.html || fail "trend --format html failed"
	no_urls r.html
	no_urls t.html
	for page in r t; do
		browser "$page.dom" "file://$T/$page.html" --dump-dom
		facts=$(dom_facts "$page.dom")
		note "$page: $(printf '%s\n' "$facts" | grep '^pt ' | head -n 3)"
		for s in live_heap_bytes RSS leak_grow; do
			n=$(printf '%s\n' "$facts" | awk -v s="$s" '$1 == "pt" && $2 == s' | wc -l)
			[ "$n" -eq 8 ] || fail "$page.html: $n points of $s, expected 8 (one per dump)"
		done
		# leak_grow's points are its live bytes per dump, in time order
		[ "$(printf '%s\n' "$facts" | awk '$1 == "pt" && $2 == "leak_grow" { printf "%s ", $4 }')" = \
			"1024 2048 3072 4096 5120 6144 7168 8192 " ] || fail "$page.html: leak_grow's series is wrong"
		printf '%s\n' "$facts" | awk '$1 == "pt" && $2 == "cache_fill"' | grep -q . &&
			fail "$page.html: cache_fill is flagged as growing"
	done
	true
}

test_html_size_is_bounded() {
	local n=30000 size
	# a dump of 30,000 records, each from a stack of its own outside every
	# module (so each frame is its own name)
	awk -v n="$n" 'BEGIN {
		print "libleak-dump 1"; print "pid 7"; print "ppid 1"; print "exe /bin/big"
		print "argc 1"; print "arg big"; print "time 1000.000000"; print "start 999.000000"
		print "kind exit"; print "seq 0"; print "atomic 1"; print "scan none"; print "depth 32"
		for (i = 1; i <= n; i++) printf "stack %d 4 %x %x %x %x\n", i, 4096 * i + 17, 4096 * i + 33, 4096 * (i % 97) + 49, 65
		for (i = 1; i <= n; i++) printf "rec %d definite 1 %d\n", i, 16 + i % 4000
		print "stat allocs " n; print "stat frees 0"; print "stat live_blocks " n
		print "stat live_bytes 0"; print "stat peak_blocks 0"; print "stat peak_bytes 0"
		print "stat peak_time_ms 0"; print "stat uptime_ms 0"; print "stat rss_bytes 0"
		print "stat dropped 0"; print "end 0 " n " " n " 0"
	}' >big.dump
	"$LEAKREPORT" --format html -o big.html big.dump 2>e.txt
	[ $? -eq 1 ] || fail "leakreport on big.dump: $(cat e.txt)"
	size=$(stat -c %s big.html)
	note "page of $n records: $size bytes"
	[ "$size" -lt 5000000 ] || fail "the page of $n records is $size bytes (limit 5 MB)"
	grep -q 'id="lk-folded"' big.html || fail "the page does not say what it folded"
	"$PY" -c 'import json, re, sys
t = open(sys.argv[1]).read()
d = json.loads(re.search(r"<script type=\"application/json\" id=\"lk-data\">(.*?)</script>", t, re.S).group(1))
assert d["other"]["records"] + len(d["records"]) == int(sys.argv[2]), "records lost"' big.html "$n" ||
		fail "the data block does not account for every record"
}
