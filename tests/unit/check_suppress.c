/*
 * check_suppress.c - suppress.c: the pattern matcher (table + a naive
 * backtracking model on seeded random input + a worst case that must stay
 * fast), matching against frame fields, LSan-style files, malformed files,
 * several files, and the per-rule hit counters.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "suppress.h"

/* ---- the matcher */

static const struct {
	const char *pat;
	const char *text;
	bool match;
} pats[] = {
	/* substring */
	{ "foo", "foo", true },
	{ "foo", "xfooy", true },
	{ "foo", "fo", false },
	{ "foo", "FOO", false },
	{ "foo", "", false }, /* an empty name matches nothing */
	/* anchors */
	{ "^foo", "foobar", true },
	{ "^foo", "xfoo", false },
	{ "foo$", "barfoo", true },
	{ "foo$", "foox", false },
	{ "foo$", "foofoo", true }, /* LSan's TemplateMatch gets this wrong */
	{ "^foo$", "foo", true },
	{ "^foo$", "foox", false },
	{ "^foo$", "xfoo", false },
	{ "^", "anything", true },
	{ "$", "anything", true },
	{ "^$", "x", false },
	/* wildcards */
	{ "*", "x", true },
	{ "**", "x", true },
	{ "a*b", "ab", true },
	{ "a*b", "a---b", true },
	{ "a*b", "b---a", false },
	{ "^a*b$", "a---b", true },
	{ "^a*b$", "a---bc", false },
	{ "^a*b$", "xa---b", false },
	{ "a*a$", "a", false },
	{ "a*a$", "aa", true },
	{ "^*foo", "barfoo", true },
	{ "foo*$", "xfooy", true },
	{ "^*$", "x", true },
	{ "*libfoo*", "/usr/lib/libfoo.so.1", true },
	{ "lib*.so", "/lib/libc.so.6", true },
	{ "^lib*.so$", "libc.so.6", false },
	{ "std::*::push_back", "std::vector<int, std::allocator<int> >::push_back", true },
	{ "^operator new", "operator new(unsigned long)", true },
	{ "a*b*c*d", "xxaxxbxxcxxd", true },
	{ "a*b*c*d", "xxaxxcxxbxxd", false },
	{ "ab*ba", "aba", false }, /* pieces may not overlap */
	{ "ab*ba", "abba", true },
	/* ^ and $ elsewhere are literal */
	{ "a^b", "a^b", true },
	{ "a$b", "xa$by", true },
	{ "a$b", "ab", false },
	{ "$x", "a$x", true },
	{ "^^x", "^x", true },
	{ "^^x", "x", false },
};

START_TEST(pattern_table)
{
	ck_assert_msg(supp_pattern_match(pats[_i].pat, pats[_i].text) == pats[_i].match,
	    "'%s' vs '%s': expected %d", pats[_i].pat, pats[_i].text, pats[_i].match);
}
END_TEST

/* Naive backtracking glob over the same syntax: the reference model. */
static bool
glob_at(const char *p, const char *pend, const char *t, bool end)
{
	if (p == pend)
		return !end || *t == '\0';
	if (*p == '*') {
		for (const char *u = t;; u++) {
			if (glob_at(p + 1, pend, u, end))
				return true;
			if (*u == '\0')
				return false;
		}
	}
	return *t == *p && glob_at(p + 1, pend, t + 1, end);
}

static bool
model_match(const char *pat, const char *text)
{
	const char *p = pat;
	const char *pend = pat + strlen(pat);
	bool start = false;
	bool end = false;

	if (*text == '\0')
		return false;
	if (p < pend && *p == '^') {
		start = true;
		p++;
	}
	if (p < pend && pend[-1] == '$') {
		end = true;
		pend--;
	}
	if (start)
		return glob_at(p, pend, text, end);
	for (const char *t = text;; t++) {
		if (glob_at(p, pend, t, end))
			return true;
		if (*t == '\0')
			return false;
	}
}

START_TEST(pattern_random_against_model)
{
	static const char alpha[] = "ab*";
	unsigned seed = 0xabc00u + (unsigned)_i;

	srand(seed);
	for (int round = 0; round < 5000; round++) {
		char pat[12];
		char text[12];
		int pn = rand() % 8;
		int tn = 1 + rand() % 9;
		int k = 0;

		if (rand() % 3 == 0)
			pat[k++] = '^';
		for (int i = 0; i < pn; i++)
			pat[k++] = alpha[rand() % 3];
		if (rand() % 3 == 0)
			pat[k++] = '$';
		pat[k] = '\0';
		for (int i = 0; i < tn; i++)
			text[i] = "ab"[rand() % 2];
		text[tn] = '\0';
		ck_assert_msg(supp_pattern_match(pat, text) == model_match(pat, text),
		    "seed %u round %d: '%s' vs '%s'", seed, round, pat, text);
	}
}
END_TEST

START_TEST(pattern_no_exponential_backtracking)
{
	size_t n = 200000;
	char *text = malloc(n + 1);
	clock_t t0 = clock();

	ck_assert_ptr_nonnull(text);
	memset(text, 'a', n);
	text[n] = '\0';
	/* 2^k paths for a backtracking matcher; a few memmem calls here */
	for (int i = 0; i < 50; i++) {
		ck_assert(!supp_pattern_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
		ck_assert(!supp_pattern_match("^a*a*a*a*a*a*a*a*a*a*a*a*a*a*ab$", text));
		ck_assert(supp_pattern_match("^a*a*a*a*a*a*a*a*a*a*a*a*a*a*a$", text));
	}
	/* Backtracking would take exponential time: the tcase timeout (a hang
	 * guard, not a speed target) catches it; the figure goes to stderr. */
	fprintf(stderr, "check_suppress: worst-case pattern matched in %.3f s\n",
	    (double)(clock() - t0) / CLOCKS_PER_SEC);
	free(text);
}
END_TEST

/* ---- frames */

static struct suppressions *
parse_ok(const char *text)
{
	struct suppressions *s = supp_new();
	struct err e = { "" };

	ck_assert_ptr_nonnull(s);
	ck_assert_msg(supp_parse(s, "t.supp", text, strlen(text), &e) == 0, "%s", e.msg);
	return s;
}

static const struct sym_frame frame_app = {
	.pc = 0x401136,
	.module = "app",
	.module_path = "/home/u/src/app",
	.offset = 0x1136,
	.function = "make_widget",
	.file = "/home/u/src/widget.c",
	.line = 42,
};
static const struct sym_frame frame_lib = {
	.pc = 0x7f0012345678,
	.module = "libfoo.so.1",
	.module_path = "/usr/lib/x86_64/libfoo.so.1",
	.offset = 0x5678,
	.function = "foo_init",
	.file = "foo/init.c",
	.line = 7,
};
static const struct sym_frame frame_bare = {
	.pc = 0x7f00deadbeef,
	.module = "libbar.so",
	.module_path = "/opt/bar/lib/libbar.so",
	.offset = 0xbeef,
};
static const struct sym_frame frame_nothing = { .pc = 0x1234 };

START_TEST(match_fields)
{
	static const struct {
		const char *rule;
		const struct sym_frame *f;
		bool match;
	} cases[] = {
		{ "leak:make_widget", &frame_app, true }, /* function */
		{ "leak:^make_widget$", &frame_app, true },
		{ "leak:widget.c", &frame_app, true }, /* file */
		{ "leak:/home/u/src/widget.c$", &frame_app, true },
		{ "leak:^/home/u/src/", &frame_app, true }, /* file (and module path) */
		{ "leak:^app$", &frame_app, true },         /* module basename */
		{ "leak:libfoo.so", &frame_lib, true }, { "leak:^libfoo.so.1$", &frame_lib, true },
		{ "leak:^/usr/lib/*/libfoo", &frame_lib, true }, /* module full path */
		{ "leak:foo/init.c", &frame_lib, true },
		{ "leak:libbar", &frame_bare, true }, /* no function, no file */
		{ "leak:/opt/bar", &frame_bare, true }, { "leak:^widget", &frame_app, false },
		{ "leak:make_widget", &frame_lib, false },
		{ "leak:42", &frame_app, false },     /* line numbers are not matched */
		{ "leak:401136", &frame_app, false }, /* nor addresses */
		{ "leak:*", &frame_nothing, false },  /* nothing to match against */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct suppressions *s = parse_ok(cases[i].rule);
		const struct supp_rule *r = supp_match(s, cases[i].f, 1);

		ck_assert_msg((r != NULL) == cases[i].match, "%s: expected %d", cases[i].rule,
		    cases[i].match);
		if (r != NULL)
			ck_assert_str_eq(r->pattern, cases[i].rule + 5);
		supp_free(s);
	}
}
END_TEST

START_TEST(match_stack_first_rule)
{
	struct suppressions *s = parse_ok("leak:nomatch\nleak:foo_init\nleak:app\nleak:make_\n");
	struct sym_frame stack[3] = { frame_bare, frame_app, frame_lib };
	const struct supp_rule *r;

	/* innermost frame that any rule matches wins; then load order */
	r = supp_match(s, stack, 3);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->pattern, "app");
	ck_assert_uint_eq(r->line, 3);
	ck_assert_str_eq(r->file, "t.supp");
	r = supp_match(s, stack + 2, 1);
	ck_assert_str_eq(r->pattern, "foo_init");
	ck_assert_ptr_null(supp_match(s, stack, 1));
	ck_assert_ptr_null(supp_match(s, stack, 0));
	ck_assert_ptr_eq(supp_match_frame(s, &frame_app), supp_rule(s, 2));
	supp_free(s);
}
END_TEST

START_TEST(match_inlined_frame)
{
	/* sym_resolve gives inlined frames first; each is matched on its own */
	struct sym_frame stack[2] = { frame_app, frame_app };
	struct suppressions *s = parse_ok("leak:^helper_inline$\n");

	stack[0].function = "helper_inline";
	stack[0].inlined = true;
	ck_assert_ptr_nonnull(supp_match(s, stack, 2));
	ck_assert_ptr_null(supp_match(s, stack + 1, 1));
	supp_free(s);
}
END_TEST

START_TEST(empty_set_matches_nothing)
{
	struct suppressions *s = supp_new();

	ck_assert_ptr_null(supp_match(s, &frame_app, 1));
	ck_assert_uint_eq(supp_count(s), 0);
	ck_assert_ptr_null(supp_rule(s, 0));
	supp_free(s);
	supp_free(NULL);
}
END_TEST

/* ---- files */

/* From the LeakSanitizer and sanitizer_common documentation and a typical
 * project file; must load unchanged. */
static const char lsan_doc[] = "# This is a comment\n"
			       "leak:FooBar\n"
			       "leak:*libfoo*\n"
			       "leak:^bar$\n";
static const char lsan_project[] = "# Suppress leaks in libcurl\n"
				   "leak:libcurl.so\n"
				   "\n"
				   "   # indented comment\n"
				   "\t leak:third_party/openssl/*   \r\n"
				   "interceptor_via_fun:NameOfCFunctionToSuppress\n"
				   "interceptor_via_lib:libsomething.so\n"
				   "called_from_lib:libfoo.so\n"
				   "odr_violation:^Foo::bar$\n"
				   "race:SomeRacyThing\n"
				   "leak:std::__cxx11::basic_string<*>::_M_create\n"
				   "leak:  g_type_register_static"; /* no final newline */

START_TEST(lsan_files_load)
{
	struct suppressions *s = parse_ok(lsan_doc);
	struct sym_frame f = frame_app;

	ck_assert_uint_eq(supp_count(s), 3);
	ck_assert_uint_eq(supp_ignored(s), 0);
	ck_assert_str_eq(supp_rule(s, 0)->pattern, "FooBar");
	ck_assert_uint_eq(supp_rule(s, 0)->line, 2);
	f.function = "ns::FooBarBaz";
	ck_assert_ptr_eq(supp_match(s, &f, 1), supp_rule(s, 0));
	f.function = "bar";
	ck_assert_ptr_eq(supp_match(s, &f, 1), supp_rule(s, 2));
	f.function = "bar2";
	ck_assert_ptr_null(supp_match(s, &f, 1));
	ck_assert_ptr_eq(supp_match(s, &frame_lib, 1), supp_rule(s, 1));
	supp_free(s);

	s = parse_ok(lsan_project);
	ck_assert_uint_eq(supp_count(s), 4);
	ck_assert_uint_eq(supp_ignored(s), 5);
	ck_assert_str_eq(supp_rule(s, 1)->pattern, "third_party/openssl/*");
	ck_assert_uint_eq(supp_rule(s, 1)->line, 5);
	ck_assert_str_eq(supp_rule(s, 3)->pattern, "g_type_register_static");
	ck_assert_uint_eq(supp_rule(s, 3)->line, 12);
	f = frame_lib;
	f.file = "/build/third_party/openssl/crypto/mem.c";
	f.function = "CRYPTO_malloc";
	ck_assert_ptr_eq(supp_match(s, &f, 1), supp_rule(s, 1));
	f.function = "std::__cxx11::basic_string<char, std::char_traits<char>, "
		     "std::allocator<char> >::_M_create(unsigned long&, unsigned long)";
	f.file = NULL;
	ck_assert_ptr_eq(supp_match(s, &f, 1), supp_rule(s, 2));
	supp_free(s);
}
END_TEST

static const struct {
	const char *text;
	const char *msg; /* the whole error */
} bad_files[] = {
	{ "leak:ok\nfoo\n", "t.supp:2: expected '<type>:<pattern>' such as 'leak:foo', got 'foo'" },
	{ "leak:\n",
	    "t.supp:1: empty pattern after 'leak:' (it would suppress every leak; "
	    "use 'leak:*' to mean that)" },
	{ "\n\nleak:   \t\n",
	    "t.supp:3: empty pattern after 'leak:' (it would suppress "
	    "every leak; use 'leak:*' to mean that)" },
	{ "# ok\nlaek:foo\n",
	    "t.supp:2: unknown suppression type 'laek' (expected 'leak:' "
	    "or another sanitizer's type)" },
	{ "Leak:foo\n",
	    "t.supp:1: unknown suppression type 'Leak' (expected 'leak:' or "
	    "another sanitizer's type)" },
	{ "leak :foo\n",
	    "t.supp:1: unknown suppression type 'leak ' (expected 'leak:' or "
	    "another sanitizer's type)" },
	{ ":foo\n",
	    "t.supp:1: unknown suppression type '' (expected 'leak:' or another "
	    "sanitizer's type)" },
	{ "leak:a\nleak:b\n  src:foo.c\n",
	    "t.supp:3: unknown suppression type 'src' "
	    "(expected 'leak:' or another sanitizer's type)" },
};

START_TEST(malformed_files)
{
	struct suppressions *s = supp_new();
	struct err e = { "" };

	ck_assert_int_eq(
	    supp_parse(s, "t.supp", bad_files[_i].text, strlen(bad_files[_i].text), &e), -1);
	ck_assert_str_eq(e.msg, bad_files[_i].msg);
	ck_assert_uint_eq(supp_count(s), 0); /* nothing of a bad file is kept */
	ck_assert_uint_eq(supp_ignored(s), 0);
	supp_free(s);
}
END_TEST

START_TEST(nul_byte_rejected)
{
	struct suppressions *s = supp_new();
	struct err e = { "" };

	ck_assert_int_eq(supp_parse(s, "t.supp", "leak:a\0b\n", 9, &e), -1);
	ck_assert_str_eq(e.msg, "t.supp: holds a NUL byte; not a suppression file");
	supp_free(s);
}
END_TEST

#define TMPDIR_TEMPLATE "/tmp/check_suppress.XXXXXX"
#include "tmpdir.h"

static char *
write_tmp(const char *name, const char *text)
{
	static char path[4][256];
	static int k;
	char *p = path[k++ % 4];
	FILE *f;

	snprintf(p, 256, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return p;
}

START_TEST(load_several_files_keeps_order)
{
	struct suppressions *s = supp_new();
	struct err e = { "" };
	char *a = write_tmp("a.supp", "leak:make_widget\ncalled_from_lib:x.so\n");
	char *b = write_tmp("b.supp", "leak:app\nleak:make_widget\n");
	char *bad = write_tmp("bad.supp", "leak:zzz\nnonsense\n");
	char want[300];

	ck_assert_msg(supp_load(s, a, &e) == 0, "%s", e.msg);
	ck_assert_msg(supp_load(s, b, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(supp_load(s, bad, &e), -1);
	snprintf(want, sizeof(want),
	    "%s:2: expected '<type>:<pattern>' such as 'leak:foo', "
	    "got 'nonsense'",
	    bad);
	ck_assert_str_eq(e.msg, want);
	ck_assert_uint_eq(supp_count(s), 3);
	ck_assert_uint_eq(supp_ignored(s), 1);
	ck_assert_str_eq(supp_rule(s, 0)->file, a);
	ck_assert_str_eq(supp_rule(s, 2)->file, b);
	ck_assert_uint_eq(supp_rule(s, 2)->line, 2);
	/* the first file's rule comes first */
	ck_assert_ptr_eq(supp_match(s, &frame_app, 1), supp_rule(s, 0));
	supp_free(s);
}
END_TEST

START_TEST(load_errors)
{
	struct suppressions *s = supp_new();
	struct err e = { "" };
	char path[300];

	snprintf(path, sizeof(path), "%s/missing.supp", tmpdir);
	ck_assert_int_eq(supp_load(s, path, &e), -1);
	ck_assert_msg(strstr(e.msg, "missing.supp: No such file or directory") != NULL, "%s",
	    e.msg);
	ck_assert_int_eq(supp_load(s, tmpdir, &e), -1);
	ck_assert_msg(strstr(e.msg, ": not a regular file") != NULL, "%s", e.msg);
	ck_assert_int_eq(supp_load(s, write_tmp("empty.supp", ""), &e), 0);
	ck_assert_uint_eq(supp_count(s), 0);
	supp_free(s);
}
END_TEST

START_TEST(hits_accumulate_and_saturate)
{
	struct suppressions *s = parse_ok("leak:a\nleak:b\n");
	struct suppressions *other = parse_ok("leak:a\n");
	const struct supp_rule *a = supp_rule(s, 0);
	const struct supp_rule *b = supp_rule(s, 1);

	supp_hit(s, a, 1, 3, 100);
	supp_hit(s, a, 2, 1, 28);
	supp_hit(s, b, 1, 1, UINT64_MAX - 1);
	supp_hit(s, b, 1, 1, 5);
	supp_hit(s, supp_rule(other, 0), 1, 1, 1); /* not s's rule: ignored */
	supp_hit(s, NULL, 1, 1, 1);
	ck_assert_uint_eq(a->hits.records, 3);
	ck_assert_uint_eq(a->hits.blocks, 4);
	ck_assert_uint_eq(a->hits.bytes, 128);
	ck_assert_uint_eq(b->hits.records, 2);
	ck_assert_uint_eq(b->hits.bytes, UINT64_MAX);
	ck_assert_uint_eq(supp_rule(other, 0)->hits.records, 0);
	supp_free(s);
	supp_free(other);
}
END_TEST

static Suite *
suppress_suite(void)
{
	Suite *s = suite_create("suppress");
	TCase *t = tcase_create("pattern");

	tcase_add_loop_test(t, pattern_table, 0, sizeof(pats) / sizeof(pats[0]));
	tcase_add_loop_test(t, pattern_random_against_model, 0, 4);
	tcase_add_test(t, pattern_no_exponential_backtracking);
	suite_add_tcase(s, t);

	t = tcase_create("match");
	tcase_add_test(t, match_fields);
	tcase_add_test(t, match_stack_first_rule);
	tcase_add_test(t, match_inlined_frame);
	tcase_add_test(t, empty_set_matches_nothing);
	tcase_add_test(t, hits_accumulate_and_saturate);
	suite_add_tcase(s, t);

	t = tcase_create("files");
	tcase_add_unchecked_fixture(t, make_tmpdir, remove_tmpdir);
	tcase_add_test(t, lsan_files_load);
	tcase_add_loop_test(t, malformed_files, 0, sizeof(bad_files) / sizeof(bad_files[0]));
	tcase_add_test(t, nul_byte_rejected);
	tcase_add_test(t, load_several_files_keeps_order);
	tcase_add_test(t, load_errors);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(suppress_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
