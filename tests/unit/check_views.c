/*
 * check_views.c - the pieces of the views outputs that can be tested alone:
 * markup.c's escaping (entities, invalid UTF-8, control bytes), srcroot.c
 * (inside or outside a root, the default root), outfile.c (a file appears
 * whole on commit, not at all on abort or a failed open), and the folded,
 * junit, sarif and html renderers on a report built by hand (root-first
 * stacks and weights, a failure per gated record, fingerprints, no URL and
 * no unescaped name in the page, and an "other" box past the budget).
 */
#define _GNU_SOURCE /* open_memstream */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "markup.h"
#include "outfile.h"
#include "output_folded.h"
#include "output_html.h"
#include "output_junit.h"
#include "output_sarif.h"
#include "srcroot.h"

/* Runs fn into a string; the caller frees it. */
#define CAPTURE(buf, call)                               \
	do {                                             \
		size_t len_ = 0;                         \
		FILE *f = open_memstream(&(buf), &len_); \
		ck_assert_ptr_nonnull(f);                \
		call;                                    \
		fclose(f);                               \
	} while (0)

START_TEST(markup_escapes_specials_and_bad_bytes)
{
	char *s = NULL;

	CAPTURE(s, markup_escape(f, "a<b>&\"c'\x01\xff\xe2\x82\xac\tz"));
	ck_assert_str_eq(s, "a&lt;b&gt;&amp;&quot;c&#39;?\xef\xbf\xbd\xe2\x82\xac\tz");
	free(s);
	s = NULL;
	CAPTURE(s, markup_escape(f, NULL));
	ck_assert_str_eq(s, "");
	free(s);
	s = NULL;
	/* a sequence cut by the length is not valid */
	CAPTURE(s, markup_escape_n(f, "x\xe2\x82\xac", 3));
	ck_assert_str_eq(s, "x\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
}
END_TEST

START_TEST(srcroot_inside_and_outside)
{
	char *root;
	struct err e;

	ck_assert_str_eq(srcroot_relative("/src/p", "/src/p/a/b.c"), "a/b.c");
	ck_assert_ptr_null(srcroot_relative("/src/p", "/src/pq/b.c"));
	ck_assert_ptr_null(srcroot_relative("/src/p", "/src/p"));
	ck_assert_ptr_null(srcroot_relative("/src/p", "/src/p/"));
	ck_assert_ptr_null(srcroot_relative("/src/p", "p/b.c"));
	ck_assert_ptr_null(srcroot_relative("/src/p", NULL));
	ck_assert_str_eq(srcroot_relative("/", "/usr/x.h"), "usr/x.h");
	root = srcroot_find("/", &e);
	ck_assert_ptr_nonnull(root);
	ck_assert_str_eq(root, "/");
	free(root);
	ck_assert_ptr_null(srcroot_find("/no/such/dir", &e));
	ck_assert_str_eq(e.msg, "--source-root: '/no/such/dir': No such file or directory");
	ck_assert_ptr_null(srcroot_find("/etc/passwd", &e));
	ck_assert_str_eq(e.msg, "--source-root: '/etc/passwd': Not a directory");
	root = srcroot_find(NULL, &e); /* the git top level or the cwd */
	ck_assert_ptr_nonnull(root);
	ck_assert(root[0] == '/');
	free(root);
}
END_TEST

START_TEST(outfile_whole_or_nothing)
{
	char dir[] = "/tmp/check_views.XXXXXX", path[64], tmp[96];
	struct outfile o;
	struct err e;
	struct stat st;
	FILE *f;
	char buf[16] = "";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	ck_assert_int_eq(outfile_open(&o, path, &e), 0);
	fputs("hello\n", o.f);
	ck_assert_int_eq(stat(path, &st), -1); /* not there before commit */
	ck_assert_int_eq(outfile_commit(&o, &e), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "hello\n");
	/* abort: the old file stays, the temporary one goes */
	ck_assert_int_eq(outfile_open(&o, path, &e), 0);
	snprintf(tmp, sizeof(tmp), "%s", o.tmp);
	fputs("other\n", o.f);
	outfile_abort(&o);
	outfile_abort(&o); /* twice is fine */
	ck_assert_int_eq(stat(tmp, &st), -1);
	ck_assert_int_eq((int)stat(path, &st), 0);
	ck_assert_int_eq((int)st.st_size, 6);
	/* a directory, a missing directory */
	ck_assert_int_eq(outfile_open(&o, dir, &e), -1);
	ck_assert(strstr(e.msg, ": is a directory") != NULL);
	ck_assert_int_eq(outfile_open(&o, "/no/such/dir/x", &e), -1);
	ck_assert(strstr(e.msg, "cannot create '/no/such/dir/x.tmp.") != NULL);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ---- a report by hand: two records of one dump */

static struct dump dump;
static struct sym_frame fr_a[3], fr_b[1];
static struct leak_point pt_a, pt_b;
static struct leak leaks[2];
static const struct leak *shown[2];
static struct report rep;

static void
build(void)
{
	memset(&rep, 0, sizeof(rep));
	dump = (struct dump){ .path = "a.dump", .pid = 42, .ppid = 1, .exe = "/src/p/app" };
	fr_a[0] = (struct sym_frame){ .pc = 0x1010,
		.module = "app",
		.module_path = "/src/p/app",
		.offset = 0x10,
		.function = "make<int, &x>",
		.file = "/src/p/lib/make.c",
		.line = 7 };
	fr_a[1] = (struct sym_frame){ .pc = 0x1020,
		.module = "app",
		.module_path = "/src/p/app",
		.offset = 0x20,
		.function = "http://evil;main",
		.file = "/usr/include/x.h",
		.line = 9 };
	fr_a[2] = (struct sym_frame){ .pc = 0x2030, .module = "libc.so.6", .offset = 0x30 };
	fr_b[0] = (struct sym_frame){ .pc = 0x9999 };
	pt_a = (struct leak_point){ .dump = 0, .blocks = 3, .bytes = 300 };
	pt_b = (struct leak_point){ .dump = 0, .blocks = 1, .bytes = 7 };
	leaks[0] = (struct leak){ .cls = CLASS_DEFINITE,
		.blocks = 3,
		.bytes = 300,
		.points = &pt_a,
		.npoints = 1,
		.stacks = 1,
		.frames = fr_a,
		.nframes = 3,
		.key = "make<int, &x>@make.c;http://evil\\x3bmain@x.h;?@libc.so.6" };
	leaks[1] = (struct leak){ .cls = CLASS_POSSIBLE,
		.blocks = 1,
		.bytes = 7,
		.points = &pt_b,
		.npoints = 1,
		.stacks = 1,
		.frames = fr_b,
		.nframes = 1,
		.key = "?0x9999" };
	shown[0] = &leaks[0];
	shown[1] = &leaks[1];
	rep.dumps = &dump;
	rep.ndumps = 1;
	rep.leaks = leaks;
	rep.nleaks = 2;
	rep.shown = shown;
	rep.nshown = 2;
	rep.show = CLASS_MASK_LEAKS;
	rep.leaked = (struct amount){ 2, 4, 307 };
	rep.cls[CLASS_DEFINITE] = (struct amount){ 1, 3, 300 };
	rep.cls[CLASS_POSSIBLE] = (struct amount){ 1, 1, 7 };
	rep.gate.kinds = CLASS_BIT(CLASS_DEFINITE) | CLASS_BIT(CLASS_INDIRECT);
	rep.gate.passed = false;
	snprintf(rep.gate.reason, sizeof(rep.gate.reason), "1 definite leak record <300 bytes>");
}

START_TEST(folded_is_root_first)
{
	char *s = NULL;

	build();
	CAPTURE(s, ck_assert_int_eq(output_folded(f, &rep, false), 0));
	ck_assert_str_eq(s, "libc.so.6+0x30;http://evil:main;make<int, &x> 300\n0x9999 7\n");
	free(s);
	s = NULL;
	CAPTURE(s, output_folded(f, &rep, true));
	ck_assert_str_eq(s, "libc.so.6+0x30;http://evil:main;make<int, &x> 3\n0x9999 1\n");
	free(s);
}
END_TEST

START_TEST(junit_fails_the_gated_records)
{
	char *s = NULL;

	build();
	CAPTURE(s, ck_assert_int_eq(output_junit(f, &rep), 0));
	ck_assert(strstr(s, "<testsuites name=\"leakreport\" tests=\"2\" failures=\"1\"") != NULL);
	ck_assert(
	    strstr(s, "name=\"definite leak: make&lt;int, &amp;x&gt; &lt;- http://evil:main") !=
	    NULL);
	ck_assert(strstr(s, "<failure type=\"leak/definite\"") != NULL);
	ck_assert(strstr(s, "<failure type=\"leak/possible\"") == NULL);
	free(s);
	s = NULL;
	rep.gate.passed = true;
	CAPTURE(s, output_junit(f, &rep));
	ck_assert(strstr(s, "failures=\"0\"") != NULL);
	ck_assert(strstr(s, "<failure") == NULL);
	free(s);
}
END_TEST

START_TEST(sarif_locations_and_levels)
{
	char *s = NULL;
	size_t dropped = 1;

	build();
	CAPTURE(s, ck_assert_int_eq(output_sarif(f, &rep, "/src/p", &dropped), 0));
	ck_assert_uint_eq(dropped, 0);
	ck_assert(strstr(s,
		      "\"uri\": \"lib/make.c\", \"uriBaseId\": \"SRCROOT\"}, \"region\": "
		      "{\"startLine\": 7}") != NULL);
	ck_assert(strstr(s, "\"uri\": \"file:///usr/include/x.h\"") != NULL);
	ck_assert(
	    strstr(s, "\"ruleId\": \"leak/definite\", \"ruleIndex\": 0, \"level\": \"error\"") !=
	    NULL);
	ck_assert(
	    strstr(s, "\"ruleId\": \"leak/possible\", \"ruleIndex\": 2, \"level\": \"warning\"") !=
	    NULL);
	ck_assert(strstr(s, "leak/reachable") == NULL);
	ck_assert(strstr(s, "\"SRCROOT\": {\"uri\": \"file:///src/p/\"}") != NULL);
	ck_assert(strstr(s, "\"partialFingerprints\": {\"libleakKey/v1\": \"definite:") != NULL);
	free(s);
}
END_TEST

START_TEST(html_has_no_url_and_escapes)
{
	char *s = NULL;

	build();
	CAPTURE(s, ck_assert_int_eq(output_html(f, &rep, NULL, NULL), 0));
	ck_assert(strcasestr(s, "http:") == NULL);
	ck_assert(strcasestr(s, "https:") == NULL);
	ck_assert(strstr(s, "make<int") == NULL);
	ck_assert(strstr(s, "<b>make&lt;int, &amp;x&gt;</b>") != NULL);
	ck_assert(strstr(s, "make\\u003cint, \\u0026x\\u003e") != NULL);
	ck_assert(strstr(s, "Gate: FAILED: 1 definite leak record &lt;300 bytes&gt;") != NULL);
	ck_assert(strstr(s, "\"other\":null") != NULL);
	free(s);
}
END_TEST

START_TEST(html_folds_past_the_limit)
{
	size_t n = HTML_MAX_RECORDS + 3;
	const struct leak **many = calloc(n, sizeof(*many));
	char *s = NULL;

	build();
	ck_assert_ptr_nonnull(many);
	for (size_t i = 0; i < n; i++)
		many[i] = &leaks[1];
	rep.shown = many;
	rep.nshown = n;
	CAPTURE(s, output_html(f, &rep, NULL, NULL));
	ck_assert(strstr(s, "\"other\":{\"b\":21,\"n\":3,\"records\":3}") != NULL);
	ck_assert(strstr(s, "id=\"lk-folded\"") != NULL);
	free(s);
	free(many);
}
END_TEST

static Suite *
views_suite(void)
{
	Suite *s = suite_create("views");
	TCase *tc = tcase_create("views");

	tcase_add_test(tc, markup_escapes_specials_and_bad_bytes);
	tcase_add_test(tc, srcroot_inside_and_outside);
	tcase_add_test(tc, outfile_whole_or_nothing);
	tcase_add_test(tc, folded_is_root_first);
	tcase_add_test(tc, junit_fails_the_gated_records);
	tcase_add_test(tc, sarif_locations_and_levels);
	tcase_add_test(tc, html_has_no_url_and_escapes);
	tcase_add_test(tc, html_folds_past_the_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(views_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
