/*
 * check_output.c - the renderers (output_text.c, output_json.c,
 * output_diff.c, output_trend.c) on reports built by hand: every line shape
 * against a golden copy (frames of every kind, each retainer root, notes,
 * heuristics, --top's line, the per-process table, suppression rules used
 * and unused, fixed baseline records, colour, escaping), the same records
 * and rules in both formats, nothing listed that group_finish did not
 * list, and a failed write reported.
 *
 * The goldens are the output of the renderers as they were when this suite
 * was written (byte-identical to leakreport before issue 12's moves), so a
 * change to any line shows here first.
 */
#define _GNU_SOURCE /* open_memstream */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "output_diff.h"
#include "output_json.h"
#include "output_text.h"
#include "output_trend.h"

/* ---- one report, built by hand */

static struct dump dumps[2];
static struct sym_frame fr_a[3], fr_b[1], fr_c[2];
static struct sym_data global_data;
static struct retainer ret_global, ret_thread;
static struct retain rt_global, rt_thread;
static struct leak_point pts_a[2], pts_b[1], pts_c[1], pts_d[1];
static const char *exes_a[2], *exes_b[1];
static struct leak leaks[5];
static const struct leak *shown[4];
static struct supp_rule rules[2];
static const struct supp_rule *rule_list[2];
static struct baseline_entry fixed[1];
static const struct baseline_entry *fixed_list[1];
static struct proc_row rows[2];
static struct per_process pp;
static struct report rep;

static void
build(void)
{
	memset(&rep, 0, sizeof(rep));
	memset(dumps, 0, sizeof(dumps));
	dumps[0] = (struct dump){ .path = "a.dump",
		.pid = 42,
		.ppid = 1,
		.exe = "/bin/app",
		.scanned = true,
		.stats = { .allocs = 100, .peak_bytes = 5000 } };
	dumps[1] = (struct dump){ .path = "b\001.dump",
		.pid = 43,
		.ppid = 42,
		.exe = "/bin/t\"ool",
		.snapshot = true,
		.seq = 2,
		.stats = { .allocs = 20, .peak_bytes = 9000, .dropped = 3 } };

	/* a: source, inlined, module+offset; b: no module; c: function only */
	fr_a[0] = (struct sym_frame){ .pc = 0x401122,
		.module = "app",
		.module_path = "/bin/app",
		.offset = 0x1122,
		.function = "make_node",
		.file = "src/list.c",
		.line = 42,
		.column = 7,
		.inlined = true };
	fr_a[1] = (struct sym_frame){ .pc = 0x401122,
		.module = "app",
		.module_path = "/bin/app",
		.offset = 0x1122,
		.function = "list_add",
		.file = "src/list.c",
		.line = 50 };
	fr_a[2] = (struct sym_frame){ .pc = 0x7f0000002724,
		.module = "libc.so.6",
		.module_path = "/lib/libc.so.6",
		.offset = 0x2724 };
	fr_b[0] = (struct sym_frame){ .pc = 0xdead0 };
	fr_c[0] = (struct sym_frame){ .pc = 0x401200,
		.module = "app",
		.module_path = "/bin/app",
		.offset = 0x1200,
		.function = "cache_put\033[31m" };
	fr_c[1] = (struct sym_frame){ .pc = 0x401300,
		.module = "app",
		.module_path = "/bin/app",
		.offset = 0x1300,
		.function = "main",
		.file = "src/main.c",
		.line = 9 };

	global_data = (struct sym_data){ .module = "app",
		.module_path = "/bin/app",
		.offset = 0x4010,
		.symbol = "g_cache",
		.symbol_offset = 8,
		.section = ".bss" };
	rt_global = (struct retain){ .root = RETAIN_GLOBAL,
		.who = 1,
		.where = 0x404010,
		.hops = 20000,
		.n = 2,
		.hop = { { 3, 64 }, { 0, 16 } } };
	ret_global = (struct retainer){ .dump = &dumps[0],
		.rt = &rt_global,
		.global = &global_data,
		.unlisted = 19998 };
	ret_global.hop[0] = (struct retainer_hop){ .bytes = 64, .frame = &fr_c[0] };
	ret_global.hop[1] = (struct retainer_hop){ .bytes = 16, .frame = NULL };
	rt_thread = (struct retain){ .root = RETAIN_THREAD,
		.who = 777,
		.where = 0x7ffd0010,
		.hops = 0,
		.n = 0 };
	ret_thread = (struct retainer){ .dump = &dumps[0], .rt = &rt_thread };

	pts_a[0] = (struct leak_point){ .dump = 0, .blocks = 10, .bytes = 1000 };
	pts_a[1] = (struct leak_point){ .dump = 1, .blocks = 6, .bytes = 3096 };
	exes_a[0] = "app";
	exes_a[1] = "t\"ool";
	leaks[0] = (struct leak){ .cls = CLASS_DEFINITE,
		.blocks = 16,
		.bytes = 4096,
		.points = pts_a,
		.npoints = 2,
		.exes = exes_a,
		.nexes = 2,
		.stacks = 3,
		.frames = fr_a,
		.nframes = 3,
		.known = true };
	pts_b[0] = (struct leak_point){ .dump = 1, .blocks = 2, .bytes = 200 };
	exes_b[0] = "t\"ool";
	leaks[1] = (struct leak){ .cls = CLASS_POSSIBLE,
		.blocks = 2,
		.bytes = 200,
		.points = pts_b,
		.npoints = 1,
		.exes = exes_b,
		.nexes = 1,
		.stacks = 1,
		.frames = fr_b,
		.nframes = 1,
		.retained_by = &ret_thread };
	pts_c[0] = (struct leak_point){ .dump = 0, .blocks = 1, .bytes = 64 };
	leaks[2] = (struct leak){ .cls = CLASS_REACHABLE,
		.blocks = 1,
		.bytes = 64,
		.points = pts_c,
		.npoints = 1,
		.exes = exes_a,
		.nexes = 1,
		.stacks = 1,
		.frames = fr_c,
		.nframes = 2,
		.retained_by = &ret_global };
	leaks[2].heur[2] = (struct amount){ .blocks = 1, .bytes = 64 }; /* newarray */
	pts_d[0] = (struct leak_point){ .dump = 0, .blocks = 1, .bytes = 8 };
	leaks[3] = (struct leak){ .cls = CLASS_INDIRECT,
		.blocks = 1,
		.bytes = 8,
		.points = pts_d,
		.npoints = 1,
		.exes = exes_a,
		.nexes = 1,
		.stacks = 1,
		.frames = NULL,
		.nframes = 0 };
	/* suppressed, cut: never listed */
	leaks[4] = (struct leak){ .cls = CLASS_DEFINITE,
		.blocks = 9,
		.bytes = 999,
		.points = pts_d,
		.npoints = 1,
		.exes = exes_a,
		.nexes = 1,
		.stacks = 1,
		.frames = fr_c,
		.nframes = 2,
		.supp = &rules[0] };

	rules[0] = (struct supp_rule){ .pattern = "leak:x\001y",
		.file = "ci.supp",
		.line = 3,
		.hits = { 1, 9, 999 } };
	rules[1] = (struct supp_rule){ .pattern = "stale", .file = "ci.supp", .line = 4 };
	rule_list[0] = &rules[0];
	rule_list[1] = &rules[1];
	fixed[0] = (struct baseline_entry){ .cls = CLASS_INDIRECT,
		.blocks = 2,
		.bytes = 99,
		.key = "gone@x.c;main@main.c",
		.line = 5 };
	fixed_list[0] = &fixed[0];

	rep.group_by = GROUP_SITE;
	rep.dumps = dumps;
	rep.ndumps = 2;
	rep.nexes = 2;
	rep.leaks = leaks;
	rep.nleaks = 5;
	rep.cls[CLASS_DEFINITE] = (struct amount){ 1, 16, 4096 };
	rep.cls[CLASS_INDIRECT] = (struct amount){ 2, 3, 50 };
	rep.cls[CLASS_POSSIBLE] = (struct amount){ 1, 2, 200 };
	rep.cls[CLASS_REACHABLE] = (struct amount){ 1, 1, 64 };
	rep.leaked = (struct amount){ 4, 21, 4346 };
	rep.suppressed = (struct amount){ 1, 9, 999 };
	rep.known = (struct amount){ 1, 16, 4096 };
	rep.total_allocs = 120;
	rep.peak_bytes = 9000;
	rep.dropped = 3;
	shown[0] = &leaks[0];
	shown[1] = &leaks[1];
	shown[2] = &leaks[2];
	shown[3] = &leaks[3];
	rep.shown = shown;
	rep.nshown = 4;
	rep.ncut = 1;
	rep.rules = rule_list;
	rep.nrules = 2;
	rep.baseline = true;
	rep.fixed = fixed_list;
	rep.nfixed = 1;
	rep.gate.passed = false;
	snprintf(rep.gate.reason, sizeof(rep.gate.reason), "2 leak records over --max-leaks 0");

	rows[0] = (struct proc_row){ .dump = &dumps[1], .blocks = 7, .bytes = 3104 };
	rows[1] = (struct proc_row){ .dump = &dumps[0], .blocks = 0, .bytes = 0 };
	pp = (struct per_process){ .rows = rows,
		.n = 2,
		.nleaky = 1,
		.nclean = 1,
		.kinds = CLASS_BIT(CLASS_DEFINITE) | CLASS_BIT(CLASS_INDIRECT) };
}

/* Fails unless got is want, naming the first line that differs (a whole
 * report is too long for one check message). */
#define ck_assert_golden(got, want) assert_golden(got, want, __LINE__)

static void
assert_golden(const char *got, const char *want, int line)
{
	size_t i = 0, start = 0;

	while (got[i] != '\0' && got[i] == want[i]) {
		if (got[i] == '\n')
			start = i + 1;
		i++;
	}
	if (got[i] == want[i])
		return;
	ck_abort_msg("line %d: output differs at byte %zu:\n got: %.200s\nwant: %.200s", line, i,
	    got + start, want + start);
}

/* What f wrote, as a malloc'd string: the renderer r on the report. */
enum which {
	TEXT,
	TEXT_COLOR,
	JSON
};

static char *
render(enum which w, const struct per_process *p)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int r;

	ck_assert_ptr_nonnull(f);
	if (w == JSON)
		r = output_json(f, &rep, p);
	else
		r = output_text(f, &rep, p, w == TEXT_COLOR);
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(fclose(f), 0);
	return out;
}

static const char text_golden[] =
    "Direct leak of 4096 byte(s) in 16 object(s) allocated from:\n"
    "    #0 0x401122 in make_node src/list.c:42 (app) (inlined)\n"
    "    #1 0x401122 in list_add src/list.c:50 (app)\n"
    "    #2 0x7f0000002724 (libc.so.6+0x2724)\n"
    "  note: 3 different stacks\n"
    "  note: from 2 processes of app, t\"ool\n"
    "  note: known leak (in the baseline), not gated\n"
    "\n"
    "Possible leak of 200 byte(s) in 2 object(s) allocated from:\n"
    "    #0 0xdead0 (<unknown module>)\n"
    "    held by thread 777's stack or registers -> this block\n"
    "  note: from process 43 of t\"ool\n"
    "\n"
    "Still reachable: 64 byte(s) in 1 object(s) allocated from:\n"
    "    #0 0x401200 in cache_put?[31m (app+0x1200)\n"
    "    #1 0x401300 in main src/main.c:9 (app)\n"
    "    held by global g_cache+0x8 (app .bss) -> block of 64 bytes from cache_put?[31m"
    " -> block of 16 bytes (no stack) -> ... (19,998 more blocks) -> this block\n"
    "  note: 1 of them (64 bytes) reachable only through the newarray heuristic\n"
    "  note: from process 42 of app\n"
    "\n"
    "Indirect leak of 8 byte(s) in 1 object(s) allocated from:\n"
    "    <no stack was captured>\n"
    "  note: from process 42 of app\n"
    "\n"
    "(1 more record not listed, see --top)\n"
    "\n"
    "Per process (gated kinds definite,indirect, after suppressions and baseline):\n"
    "         pid  kind          blocks         bytes  exe\n"
    "          43  snapshot           7          3104  t\"ool\n"
    "  and 1 process with no gated leak\n"
    "\n"
    "SUMMARY: libleak: 4346 byte(s) leaked in 21 allocation(s).\n"
    "  definite   4096 byte(s) in 16 allocation(s), 1 record\n"
    "  indirect   50 byte(s) in 3 allocation(s), 2 records\n"
    "  possible   200 byte(s) in 2 allocation(s), 1 record\n"
    "  reachable  64 byte(s) in 1 allocation(s), 1 record\n"
    "  fd         0 open in 0 records\n"
    "  timer      0 left in 0 records\n"
    "  thread     0 left in 0 records\n"
    "  tracked    120 allocation(s), peak 9000 byte(s) live, 2 dumps\n"
    "  warning: 3 block(s) were not tracked (the preload ran out of memory)\n"
    "Suppressed: 999 byte(s) in 9 allocation(s), 1 record:\n"
    "  1 record, 9 block(s), 999 byte(s) by leak:leak:x?y (ci.supp:3)\n"
    "  0 records, 0 block(s), 0 byte(s) by leak:stale (ci.supp:4)\n"
    "Baseline: 1 known record (4096 byte(s)) not gated; 1 baseline record no longer leaks.\n"
    "  fixed: indirect 99 byte(s) in 2 allocation(s): gone@x.c;main@main.c\n"
    "Gate: FAILED: 2 leak records over --max-leaks 0\n";

static const char json_golden[] =
    "{\n"
    "  \"version\": 1,\n"
    "  \"tool\": \"leakreport " LEAKREPORT_VERSION "\",\n"
    "  \"pid\": 42,\n"
    "  \"exe\": \"/bin/app\",\n"
    "  \"group_by\": \"site\",\n"
    "  \"dumps\": [\n"
    "    {\"pid\": 42, \"ppid\": 1, \"exe\": \"/bin/app\", \"path\": \"a.dump\", \"kind\": "
    "\"exit\", \"scanned\": true, \"allocs\": 100, \"peak_bytes\": 5000},\n"
    "    {\"pid\": 43, \"ppid\": 42, \"exe\": \"/bin/t\\\"ool\", \"path\": \"b\\u0001.dump\", "
    "\"kind\": \"snapshot\", \"scanned\": false, \"allocs\": 20, \"peak_bytes\": 9000}\n"
    "  ],\n"
    "  \"summary\": {\n"
    "    \"definite\": {\"records\": 1, \"blocks\": 16, \"bytes\": 4096},\n"
    "    \"indirect\": {\"records\": 2, \"blocks\": 3, \"bytes\": 50},\n"
    "    \"possible\": {\"records\": 1, \"blocks\": 2, \"bytes\": 200},\n"
    "    \"reachable\": {\"records\": 1, \"blocks\": 1, \"bytes\": 64},\n"
    "    \"fd\": {\"records\": 0, \"blocks\": 0, \"bytes\": 0},\n"
    "    \"timer\": {\"records\": 0, \"blocks\": 0, \"bytes\": 0},\n"
    "    \"thread\": {\"records\": 0, \"blocks\": 0, \"bytes\": 0},\n"
    "    \"leaked\": {\"records\": 4, \"blocks\": 21, \"bytes\": 4346},\n"
    "    \"suppressed\": {\"records\": 1, \"blocks\": 9, \"bytes\": 999},\n"
    "    \"known\": {\"records\": 1, \"blocks\": 16, \"bytes\": 4096},\n"
    "    \"seen\": {\"records\": 0, \"blocks\": 0, \"bytes\": 0},\n"
    "    \"total_allocs\": 120,\n"
    "    \"peak_bytes\": 9000,\n"
    "    \"dropped\": 3,\n"
    "    \"listed\": 4,\n"
    "    \"not_listed\": 1\n"
    "  },\n"
    "  \"suppressions\": [\n"
    "    {\"pattern\": \"leak:x\\u0001y\", \"file\": \"ci.supp\", \"line\": 3, \"records\": 1, "
    "\"blocks\": 9, \"bytes\": 999},\n"
    "    {\"pattern\": \"stale\", \"file\": \"ci.supp\", \"line\": 4, \"records\": 0, "
    "\"blocks\": 0, \"bytes\": 0}\n"
    "  ],\n"
    "  \"baseline\": {\"fixed\": [\n"
    "    {\"kind\": \"indirect\", \"blocks\": 2, \"bytes\": 99, \"key\": "
    "\"gone@x.c;main@main.c\"}\n"
    "  ]},\n"
    "  \"leaks\": [\n"
    "    {\"kind\": \"definite\", \"blocks\": 16, \"bytes\": 4096, \"processes\": 2, "
    "\"stacks\": 3, \"known\": true,\n"
    "     \"dumps\": [{\"pid\": 42, \"exe\": \"/bin/app\"}, {\"pid\": 43, \"exe\": "
    "\"/bin/t\\\"ool\"}],\n"
    "     \"frames\": [\n"
    "        {\"addr\": \"0x401122\", \"module\": \"app\", \"module_path\": \"/bin/app\", "
    "\"offset\": \"0x1122\", \"function\": \"make_node\", \"file\": \"src/list.c\", "
    "\"line\": 42, \"column\": 7, \"inlined\": true},\n"
    "        {\"addr\": \"0x401122\", \"module\": \"app\", \"module_path\": \"/bin/app\", "
    "\"offset\": \"0x1122\", \"function\": \"list_add\", \"file\": \"src/list.c\", "
    "\"line\": 50, \"column\": null, \"inlined\": false},\n"
    "        {\"addr\": \"0x7f0000002724\", \"module\": \"libc.so.6\", \"module_path\": "
    "\"/lib/libc.so.6\", \"offset\": \"0x2724\", \"function\": null, \"file\": null, "
    "\"line\": null, \"column\": null, \"inlined\": false}\n"
    "      ],\n"
    "     \"retained_by\": null, \"heuristics\": {}},\n"
    "    {\"kind\": \"possible\", \"blocks\": 2, \"bytes\": 200, \"processes\": 1, "
    "\"stacks\": 1, \"known\": false,\n"
    "     \"dumps\": [{\"pid\": 43, \"exe\": \"/bin/t\\\"ool\"}],\n"
    "     \"frames\": [\n"
    "        {\"addr\": \"0xdead0\", \"module\": null, \"module_path\": null, \"offset\": "
    "null, \"function\": null, \"file\": null, \"line\": null, \"column\": null, "
    "\"inlined\": false}\n"
    "      ],\n"
    "     \"retained_by\": {\"root\": \"thread\", \"module\": null, \"symbol\": null, "
    "\"section\": null, \"offset\": null, \"tid\": 777, \"address\": \"0x7ffd0010\", "
    "\"hops\": 0, \"chain\": []}, \"heuristics\": {}},\n"
    "    {\"kind\": \"reachable\", \"blocks\": 1, \"bytes\": 64, \"processes\": 1, "
    "\"stacks\": 1, \"known\": false,\n"
    "     \"dumps\": [{\"pid\": 42, \"exe\": \"/bin/app\"}],\n"
    "     \"frames\": [\n"
    "        {\"addr\": \"0x401200\", \"module\": \"app\", \"module_path\": \"/bin/app\", "
    "\"offset\": \"0x1200\", \"function\": \"cache_put\\u001b[31m\", \"file\": null, "
    "\"line\": null, \"column\": null, \"inlined\": false},\n"
    "        {\"addr\": \"0x401300\", \"module\": \"app\", \"module_path\": \"/bin/app\", "
    "\"offset\": \"0x1300\", \"function\": \"main\", \"file\": \"src/main.c\", "
    "\"line\": 9, \"column\": null, \"inlined\": false}\n"
    "      ],\n"
    "     \"retained_by\": {\"root\": \"global\", \"module\": \"app\", \"symbol\": "
    "\"g_cache\", \"section\": \".bss\", \"offset\": \"0x8\", \"tid\": null, \"address\": "
    "\"0x404010\", \"hops\": 20000, \"chain\": [{\"bytes\": 64, \"function\": "
    "\"cache_put\\u001b[31m\", \"module\": \"app\", \"offset\": \"0x1200\"}, {\"bytes\": 16, "
    "\"function\": null, \"module\": null, \"offset\": null}]}, \"heuristics\": "
    "{\"newarray\": {\"blocks\": 1, \"bytes\": 64}}},\n"
    "    {\"kind\": \"indirect\", \"blocks\": 1, \"bytes\": 8, \"processes\": 1, "
    "\"stacks\": 1, \"known\": false,\n"
    "     \"dumps\": [{\"pid\": 42, \"exe\": \"/bin/app\"}],\n"
    "     \"frames\": [], \"retained_by\": null, \"heuristics\": {}}\n"
    "  ],\n"
    "  \"resources\": [],\n"
    "  \"processes\": [\n"
    "    {\"pid\": 43, \"exe\": \"/bin/t\\\"ool\", \"path\": \"b\\u0001.dump\", \"kind\": "
    "\"snapshot\", \"blocks\": 7, \"bytes\": 3104},\n"
    "    {\"pid\": 42, \"exe\": \"/bin/app\", \"path\": \"a.dump\", \"kind\": \"exit\", "
    "\"blocks\": 0, \"bytes\": 0}\n"
    "  ],\n"
    "  \"gate\": {\"passed\": false, \"reason\": \"2 leak records over --max-leaks 0\"}\n"
    "}\n";

START_TEST(text_golden_copy)
{
	char *out;

	build();
	out = render(TEXT, &pp);
	ck_assert_golden(out, text_golden);
	free(out);
}
END_TEST

START_TEST(json_golden_copy)
{
	char *out;

	build();
	out = render(JSON, &pp);
	ck_assert_golden(out, json_golden);
	free(out);
}
END_TEST

/* The same records, rules and fixed records in both formats, and nothing
 * group_finish did not list: the suppressed and the cut record's 999 bytes
 * appear only in the totals. */
START_TEST(formats_list_the_same)
{
	char *text, *json;
	char word[64];

	build();
	text = render(TEXT, NULL);
	json = render(JSON, NULL);
	for (size_t i = 0; i < rep.nshown; i++) {
		snprintf(word, sizeof(word), " %llu byte(s) in %llu object(s)",
		    (unsigned long long)rep.shown[i]->bytes,
		    (unsigned long long)rep.shown[i]->blocks);
		ck_assert_msg(strstr(text, word) != NULL, "text lacks record %zu", i);
		snprintf(word, sizeof(word), "\"kind\": \"%s\", \"blocks\": %llu, \"bytes\": %llu,",
		    model_class_name(rep.shown[i]->cls), (unsigned long long)rep.shown[i]->blocks,
		    (unsigned long long)rep.shown[i]->bytes);
		ck_assert_msg(strstr(json, word) != NULL, "json lacks record %zu", i);
	}
	for (size_t i = 0; i < rep.nrules; i++) {
		snprintf(word, sizeof(word), "(%s:%u)\n", rep.rules[i]->file, rep.rules[i]->line);
		ck_assert_msg(strstr(text, word) != NULL, "text lacks rule %zu", i);
		snprintf(word, sizeof(word), "\"line\": %u, \"records\": %llu", rep.rules[i]->line,
		    (unsigned long long)rep.rules[i]->hits.records);
		ck_assert_msg(strstr(json, word) != NULL, "json lacks rule %zu", i);
	}
	ck_assert_ptr_null(strstr(text, "in 9 object(s)"));
	ck_assert_ptr_null(strstr(json, "\"blocks\": 9, \"bytes\": 999,"));
	ck_assert_ptr_null(strstr(text, "Per process")); /* pp NULL */
	ck_assert_ptr_null(strstr(json, "\"processes\": ["));
	free(text);
	free(json);
	/* what is listed is what the lists say: fewer of them, fewer lines */
	rep.nshown = 1;
	rep.nrules = 1;
	rep.nfixed = 0;
	text = render(TEXT, NULL);
	json = render(JSON, NULL);
	ck_assert_ptr_null(strstr(text, "Possible leak"));
	ck_assert_ptr_null(strstr(json, "\"possible\", \"blocks\": 2"));
	ck_assert_ptr_null(strstr(text, "leak:stale"));
	ck_assert_ptr_null(strstr(json, "\"stale\""));
	ck_assert_ptr_null(strstr(text, "fixed:"));
	ck_assert_ptr_nonnull(strstr(json, "\"baseline\": {\"fixed\": []},"));
	free(text);
	free(json);
	/* no rules, no baseline: text leaves the sections out, JSON says so */
	rep.nrules = 0;
	rep.baseline = false;
	text = render(TEXT, NULL);
	json = render(JSON, NULL);
	ck_assert_ptr_null(strstr(text, "Suppressed:"));
	ck_assert_ptr_null(strstr(text, "Baseline:"));
	ck_assert_ptr_nonnull(strstr(json, "\"suppressions\": [],\n  \"baseline\": null,\n"));
	free(text);
	free(json);
}
END_TEST

START_TEST(colour_only_when_asked)
{
	char *out;

	build();
	out = render(TEXT_COLOR, NULL);
	ck_assert(strncmp(out, "\033[1;31mDirect leak of 4096", 26) == 0);
	ck_assert_ptr_nonnull(strstr(out, "\033[1mStill reachable: 64"));
	ck_assert_ptr_nonnull(strstr(out, "\033[1mSUMMARY: libleak:"));
	ck_assert_ptr_nonnull(strstr(out, "Gate: \033[1;31mFAILED\033[0m: 2 leak"));
	ck_assert_ptr_null(strstr(out, "\033[31m")); /* the function's ESC became '?' */
	free(out);
	rep.gate.passed = true;
	out = render(TEXT_COLOR, NULL);
	ck_assert_ptr_nonnull(strstr(out, "Gate: \033[1;32mpassed\033[0m: "));
	free(out);
	out = render(TEXT, NULL);
	ck_assert_ptr_null(strchr(out, '\033'));
	free(out);
}
END_TEST

START_TEST(a_failed_write_is_reported)
{
	FILE *f = fopen("/dev/full", "w");

	if (f == NULL)
		return; /* no /dev/full here */
	setvbuf(f, NULL, _IONBF, 0);
	build();
	ck_assert_int_eq(output_text(f, &rep, &pp, false), -1);
	clearerr(f);
	ck_assert_int_eq(output_json(f, &rep, &pp), -1);
	fclose(f);
}
END_TEST

/* ---- diff and trend */

static struct dump sdumps[3];
static struct leak sleaks[2];
static struct sym_frame sfr[1];

static void
build_series(void)
{
	memset(sdumps, 0, sizeof(sdumps));
	for (int i = 0; i < 3; i++)
		sdumps[i] = (struct dump){ .path = i == 0 ? "s1.dump" :
			    i == 1                        ? "s2.dump" :
							    "x.dump",
			.pid = 4242,
			.exe = "/src/app",
			.snapshot = i < 2,
			.seq = i < 2 ? i + 1 : 0,
			.time_sec = 1010 + 10 * i,
			.time_usec = 250000,
			.stats = { .live_bytes = 1000 * (i + 1),
			    .live_blocks = 10 * (i + 1),
			    .rss_bytes = 100000 + i } };
	sfr[0] = (struct sym_frame){ .pc = 0x55000000116b,
		.module = "app",
		.offset = 0x116b,
		.function = "cache_fill",
		.file = "/src/app.c",
		.line = 4 };
	sleaks[0] = (struct leak){ .frames = sfr, .nframes = 1 };
	sleaks[1] = (struct leak){ .frames = NULL, .nframes = 0 };
}

START_TEST(diff_golden_copy)
{
	struct diff_entry grown = { .leak = &sleaks[0],
		.blocks_before = 4,
		.blocks_after = 12,
		.bytes_before = 4096,
		.bytes_after = 12288,
		.delta_bytes = 8192,
		.delta_blocks = 8 };
	struct diff_entry shrunk = { .leak = &sleaks[1],
		.blocks_before = 2,
		.blocks_after = 0,
		.bytes_before = 2048,
		.bytes_after = 0,
		.delta_bytes = -2048,
		.delta_blocks = -2 };
	struct diff df;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	build_series();
	memset(&df, 0, sizeof(df));
	df.old = &sdumps[0];
	df.new = &sdumps[2];
	df.grown = &grown;
	df.ngrown = 1;
	df.grown_cut = 2;
	df.shrunk = &shrunk;
	df.nshrunk = 1;
	df.unchanged = 5;
	df.grown_stacks = 3;
	df.shrunk_stacks = 1;
	df.not_listed = 2;
	df.delta_live_bytes = 2000;
	df.delta_live_blocks = 20;
	df.delta_rss_bytes = 2;
	f = open_memstream(&out, &len);
	ck_assert_int_eq(output_diff_text(f, &df), 0);
	fclose(f);
	ck_assert_golden(out,
	    "Grown:\n"
	    "+8192 bytes (+8 blocks) from:\n"
	    "    #0 0x55000000116b in cache_fill /src/app.c:4 (app)\n"
	    "  was 4096 bytes in 4 blocks, now 12288 bytes in 12 blocks\n"
	    "\n"
	    "Shrunk or freed:\n"
	    "-2048 bytes (-2 blocks) from:\n"
	    "    <no stack was captured>\n"
	    "  was 2048 bytes in 2 blocks, now 0 bytes in 0 blocks (all freed)\n"
	    "\n"
	    "(2 grown and 0 shrunk stacks not listed, see --top)\n"
	    "\n"
	    "SUMMARY: live 1000 -> 3000 bytes (+2000), 10 -> 30 blocks (+20); RSS 100000 -> "
	    "100002 bytes (+2)\n"
	    "  stacks: 3 grown, 1 shrunk or freed, 5 unchanged\n"
	    "  old: s1.dump, pid 4242, snapshot 1, time 1010.250000\n"
	    "  new: x.dump, pid 4242, exit dump, seq 0, time 1030.250000\n");
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	ck_assert_int_eq(output_diff_json(f, &df), 0);
	fclose(f);
	ck_assert_golden(out,
	    "{\n"
	    "  \"version\": 1,\n"
	    "  \"tool\": \"leakreport " LEAKREPORT_VERSION "\",\n"
	    "  \"command\": \"diff\",\n"
	    "  \"old\": {\"path\": \"s1.dump\", \"pid\": 4242, \"kind\": \"snapshot\", \"seq\": 1, "
	    "\"time\": 1010.250000, \"live_bytes\": 1000, \"live_blocks\": 10, \"rss_bytes\": "
	    "100000},\n"
	    "  \"new\": {\"path\": \"x.dump\", \"pid\": 4242, \"kind\": \"exit\", \"seq\": 0, "
	    "\"time\": 1030.250000, \"live_bytes\": 3000, \"live_blocks\": 30, \"rss_bytes\": "
	    "100002},\n"
	    "  \"totals\": {\"delta_live_bytes\": 2000, \"delta_live_blocks\": 20, "
	    "\"delta_rss_bytes\": 2, \"grown\": 3, \"shrunk\": 1, \"unchanged\": 5, "
	    "\"not_listed\": 2},\n"
	    "  \"grown\": [\n"
	    "    {\"delta_bytes\": 8192, \"delta_blocks\": 8, \"bytes_before\": 4096, "
	    "\"bytes_after\": 12288, \"blocks_before\": 4, \"blocks_after\": 12, \"frames\": [\n"
	    "        {\"addr\": \"0x55000000116b\", \"module\": \"app\", \"module_path\": null, "
	    "\"offset\": \"0x116b\", \"function\": \"cache_fill\", \"file\": \"/src/app.c\", "
	    "\"line\": 4, \"column\": null, \"inlined\": false}\n"
	    "      ]}\n"
	    "  ],\n"
	    "  \"shrunk\": [\n"
	    "    {\"delta_bytes\": -2048, \"delta_blocks\": -2, \"bytes_before\": 2048, "
	    "\"bytes_after\": 0, \"blocks_before\": 2, \"blocks_after\": 0, \"frames\": []}\n"
	    "  ]\n"
	    "}\n");
	free(out);
}
END_TEST

START_TEST(trend_golden_copy)
{
	struct trend_item items[2] = {
		{ .leak = &sleaks[0],
		    .steps = 2,
		    .first_dump = 0,
		    .first_bytes = 1024,
		    .last_bytes = 8192,
		    .growth_bytes = 7168,
		    .span_usec = 20000000,
		    .rate_known = true,
		    .bytes_per_second = 358.4 },
		{ .leak = &sleaks[1],
		    .steps = 1,
		    .first_dump = 1,
		    .first_bytes = 0,
		    .last_bytes = 16,
		    .growth_bytes = 16,
		    .span_usec = 0,
		    .rate_known = false },
	};
	struct trend t;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	build_series();
	t = (struct trend){ .dumps = sdumps,
		.ndumps = 3,
		.min_steps = 1,
		.nstacks = 7,
		.growing = items,
		.ngrowing = 2 };
	f = open_memstream(&out, &len);
	ck_assert_int_eq(output_trend_text(f, &t), 0);
	fclose(f);
	ck_assert_golden(out,
	    "Growing: +7168 bytes over the last 2 steps, 358.4 bytes/s, from:\n"
	    "    #0 0x55000000116b in cache_fill /src/app.c:4 (app)\n"
	    "  live bytes 1024 -> 8192 from snapshot 1 to exit dump, over 20.000 s\n"
	    "\n"
	    "Growing: +16 bytes over the last 1 steps, rate unknown (no time between the dumps), "
	    "from:\n"
	    "    <no stack was captured>\n"
	    "  live bytes 0 -> 16 from snapshot 2 to exit dump, over 0.000 s\n"
	    "\n"
	    "SUMMARY: 2 of 7 stacks grew at each of the last 1 or more steps, over 3 dumps of pid "
	    "4242 from snapshot 1 to exit dump; live 1000 -> 3000 bytes, RSS 100000 -> 100002 "
	    "bytes\n");
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	ck_assert_int_eq(output_trend_json(f, &t), 0);
	fclose(f);
	ck_assert_golden(out,
	    "{\n"
	    "  \"version\": 1,\n"
	    "  \"tool\": \"leakreport " LEAKREPORT_VERSION "\",\n"
	    "  \"command\": \"trend\",\n"
	    "  \"pid\": 4242,\n"
	    "  \"exe\": \"/src/app\",\n"
	    "  \"min_steps\": 1,\n"
	    "  \"stacks\": 7,\n"
	    "  \"dumps\": [\n"
	    "    {\"path\": \"s1.dump\", \"kind\": \"snapshot\", \"seq\": 1, \"time\": 1010.250000, "
	    "\"live_bytes\": 1000, \"live_blocks\": 10, \"rss_bytes\": 100000},\n"
	    "    {\"path\": \"s2.dump\", \"kind\": \"snapshot\", \"seq\": 2, \"time\": 1020.250000, "
	    "\"live_bytes\": 2000, \"live_blocks\": 20, \"rss_bytes\": 100001},\n"
	    "    {\"path\": \"x.dump\", \"kind\": \"exit\", \"seq\": 0, \"time\": 1030.250000, "
	    "\"live_bytes\": 3000, \"live_blocks\": 30, \"rss_bytes\": 100002}\n"
	    "  ],\n"
	    "  \"growing\": [\n"
	    "    {\"kind\": \"memory\", \"steps\": 2, \"growth_bytes\": 7168, \"bytes_per_second\": 358.400, "
	    "\"first_bytes\": 1024, \"last_bytes\": 8192, \"first_seq\": 1, \"first_time\": "
	    "1010.250000, \"seconds\": 20.000000, \"frames\": [\n"
	    "        {\"addr\": \"0x55000000116b\", \"module\": \"app\", \"module_path\": null, "
	    "\"offset\": \"0x116b\", \"function\": \"cache_fill\", \"file\": \"/src/app.c\", "
	    "\"line\": 4, \"column\": null, \"inlined\": false}\n"
	    "      ]},\n"
	    "    {\"kind\": \"memory\", \"steps\": 1, \"growth_bytes\": 16, \"bytes_per_second\": null, \"first_bytes\": 0, "
	    "\"last_bytes\": 16, \"first_seq\": 2, \"first_time\": 1020.250000, \"seconds\": "
	    "0.000000, \"frames\": []}\n"
	    "  ]\n"
	    "}\n");
	free(out);
}
END_TEST

static Suite *
output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("output");

	tcase_add_test(tc, text_golden_copy);
	tcase_add_test(tc, json_golden_copy);
	tcase_add_test(tc, formats_list_the_same);
	tcase_add_test(tc, colour_only_when_asked);
	tcase_add_test(tc, a_failed_write_is_reported);
	tcase_add_test(tc, diff_golden_copy);
	tcase_add_test(tc, trend_golden_copy);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(output_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
