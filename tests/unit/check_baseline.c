/*
 * check_baseline.c - baseline.c: stack keys (format, escaping, stability when
 * only lines and addresses change), add/merge, lookup and the unseen listing
 * (also against a naive model with thousands of records), the write -> read
 * round trip, atomic writes, and malformed files.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"

#define TMPDIR_TEMPLATE "/tmp/check_baseline.XXXXXX"
#include "tmpdir.h"

#define ALL_KINDS ((1u << CLASS_COUNT) - 1)

static char *
tmp_path(const char *name)
{
	static char path[4][256];
	static int k;
	char *p = path[k++ % 4];

	snprintf(p, 256, "%s/%s", tmpdir, name);
	return p;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[1 << 16];
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
spit(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* ---- keys */

static const struct sym_frame stack_a[] = {
	{ .pc = 0x401136,
	    .module = "app",
	    .module_path = "/src/app",
	    .offset = 0x1136,
	    .function = "make_node",
	    .file = "/src/list.c",
	    .line = 42,
	    .column = 3,
	    .inlined = true },
	{ .pc = 0x401136,
	    .module = "app",
	    .module_path = "/src/app",
	    .offset = 0x1136,
	    .function = "list_push",
	    .file = "/src/list.c",
	    .line = 90 },
	{ .pc = 0x7f001234,
	    .module = "libfoo.so.1",
	    .module_path = "/usr/lib/libfoo.so.1",
	    .offset = 0x1234,
	    .function = "foo_cb" },
	{ .pc = 0x7f009999,
	    .module = "libbar.so",
	    .module_path = "/usr/lib/libbar.so",
	    .offset = 0x9999 },
	{ .pc = 0xdead0 },
};

START_TEST(key_format)
{
	char *k = baseline_key(stack_a, 5);

	ck_assert_str_eq(k, "make_node@list.c;list_push@list.c;foo_cb;?@libbar.so;?0xdead0");
	free(k);
	k = baseline_key(NULL, 0);
	ck_assert_str_eq(k, "-");
	free(k);
}
END_TEST

START_TEST(key_module_path_only)
{
	struct sym_frame f = { .pc = 1, .module_path = "/opt/x/libz.so" };
	char *k = baseline_key(&f, 1);

	ck_assert_str_eq(k, "?@libz.so");
	free(k);
}
END_TEST

START_TEST(key_escapes)
{
	struct sym_frame f[2] = {
		{ .function = "odd;name\\with\nnewline\x7f", .file = "dir/we;ird\t.c" },
		{ .function = "std::map<int, int>::operator[](int const&)" },
	};
	char *k = baseline_key(f, 2);

	ck_assert_str_eq(k,
	    "odd\\x3bname\\x5cwith\\x0anewline\\x7f@we\\x3bird\\x09.c;"
	    "std::map<int, int>::operator[](int const&)");
	ck_assert_ptr_null(strchr(k, '\n'));
	free(k);
}
END_TEST

START_TEST(key_stable_when_lines_and_addresses_change)
{
	struct sym_frame moved[5];
	char *k0 = baseline_key(stack_a, 5);
	char *k1;

	memcpy(moved, stack_a, sizeof(moved));
	for (int i = 0; i < 4; i++) {
		moved[i].pc += 0x1000; /* rebuild, ASLR */
		moved[i].offset += 0x40;
		moved[i].line += 7; /* code moved within the file */
		moved[i].column = 0;
	}
	moved[0].file = "/other/checkout/list.c"; /* another build tree */
	moved[1].module_path = "/tmp/build2/app";
	moved[3].module_path = "/usr/lib64/libbar.so";
	k1 = baseline_key(moved, 5);
	ck_assert_str_eq(k0, k1);
	free(k1);

	/* a different function is a different leak */
	moved[1].function = "list_append";
	k1 = baseline_key(moved, 5);
	ck_assert_str_ne(k0, k1);
	free(k1);
	free(k0);
}
END_TEST

/* ---- add, lookup, unseen */

START_TEST(add_merges_and_lookup_marks_seen)
{
	struct baseline *b = baseline_new();
	struct err e = { "" };
	const struct baseline_entry *x;

	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 1, 16, "f@a.c;main@m.c", &e), 0);
	ck_assert_int_eq(baseline_add(b, CLASS_INDIRECT, 2, 64, "f@a.c;main@m.c", &e), 0);
	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 3, 48, "f@a.c;main@m.c", &e), 0);
	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 1, UINT64_MAX, "g", &e), 0);
	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 1, 1, "g", &e), 0);
	ck_assert_uint_eq(baseline_count(b), 3);
	x = baseline_entry(b, 0);
	ck_assert_uint_eq(x->blocks, 4);
	ck_assert_uint_eq(x->bytes, 64);
	ck_assert_uint_eq(baseline_entry(b, 2)->bytes, UINT64_MAX); /* saturates */
	ck_assert_ptr_null(baseline_entry(b, 3));

	ck_assert_uint_eq(baseline_unseen(b), 3);
	ck_assert_ptr_eq(baseline_lookup(b, CLASS_INDIRECT, "f@a.c;main@m.c"),
	    baseline_entry(b, 1));
	ck_assert_ptr_null(baseline_lookup(b, CLASS_POSSIBLE, "f@a.c;main@m.c"));
	ck_assert_ptr_null(baseline_lookup(b, CLASS_DEFINITE, "f@a.c"));
	ck_assert_ptr_null(baseline_lookup(b, (enum leak_class)9, "g"));
	ck_assert(baseline_entry(b, 1)->seen);
	ck_assert(!baseline_entry(b, 0)->seen);
	ck_assert_uint_eq(baseline_unseen(b), 2);
	baseline_free(b);
	baseline_free(NULL);
}
END_TEST

START_TEST(add_rejects_bad_keys)
{
	struct baseline *b = baseline_new();
	struct err e = { "" };

	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 1, 1, "", &e), -1);
	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 1, 1, " x", &e), -1);
	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 1, 1, "a\nb", &e), -1);
	ck_assert_str_eq(e.msg, "baseline: key holds a control byte");
	ck_assert_int_eq(baseline_add(b, (enum leak_class) - 1, 1, 1, "a", &e), -1);
	ck_assert_uint_eq(baseline_count(b), 0);
	baseline_free(b);
}
END_TEST

/* Thousands of records against a plain array: every lookup agrees. */
START_TEST(many_records_against_model)
{
	enum {
		N = 20000
	};
	unsigned seed = 0xba5e0000u + (unsigned)_i;
	struct baseline *b = baseline_new();
	static bool present[N][CLASS_COUNT];
	static bool seen[N][CLASS_COUNT];
	struct err e = { "" };
	size_t want_count = 0;
	size_t want_unseen;

	memset(present, 0, sizeof(present));
	memset(seen, 0, sizeof(seen));
	srand(seed);
	for (int i = 0; i < N; i++) {
		int k = rand() % N;
		int c = rand() % CLASS_COUNT;
		char key[64];

		snprintf(key, sizeof(key), "fn%d@file%d.c;main@main.c", k, k % 7);
		ck_assert_int_eq(baseline_add(b, (enum leak_class)c, 1, (uint64_t)k, key, &e), 0);
		if (!present[k][c])
			want_count++;
		present[k][c] = true;
	}
	ck_assert_msg(baseline_count(b) == want_count, "seed %u", seed);
	want_unseen = want_count;
	for (int i = 0; i < 3 * N; i++) {
		int k = rand() % N;
		int c = rand() % CLASS_COUNT;
		char key[64];
		const struct baseline_entry *x;

		snprintf(key, sizeof(key), "fn%d@file%d.c;main@main.c", k, k % 7);
		x = baseline_lookup(b, (enum leak_class)c, key);
		ck_assert_msg((x != NULL) == present[k][c], "seed %u: %s", seed, key);
		if (x != NULL) {
			ck_assert_str_eq(x->key, key);
			ck_assert_int_eq(x->cls, c);
			if (!seen[k][c])
				want_unseen--;
			seen[k][c] = true;
		}
	}
	ck_assert_msg(baseline_unseen(b) == want_unseen, "seed %u", seed);
	baseline_free(b);
}
END_TEST

/* ---- files */

START_TEST(write_read_round_trip)
{
	struct baseline *b = baseline_new();
	struct baseline *r = baseline_new();
	struct err e = { "" };
	char *path = tmp_path("rt.baseline");
	char *k = baseline_key(stack_a, 5);
	char *first;

	ck_assert_int_eq(baseline_add(b, CLASS_REACHABLE, 1, 8, "z@z.c", &e), 0);
	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 2, 64, k, &e), 0);
	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 1, 18446744073709551615ull,
			     "a@a.c;std::vector<int, std::allocator<int> >::push_back(int const&)",
			     &e),
	    0);
	ck_assert_int_eq(baseline_add(b, CLASS_INDIRECT, 5, 0, "-", &e), 0);
	ck_assert_msg(baseline_write(b, path, ALL_KINDS, &e) == 0, "%s", e.msg);

	/* sorted by class, then key; exact text */
	ck_assert_str_eq(slurp(path),
	    "libleak-baseline 1\n"
	    "# <class> <blocks> <bytes> <stack key: function@file per frame, innermost first>\n"
	    "# classes: definite indirect possible reachable fd timer thread\n"
	    "definite 1 18446744073709551615 a@a.c;std::vector<int, std::allocator<int> "
	    ">::push_back(int const&)\n"
	    "definite 2 64 make_node@list.c;list_push@list.c;foo_cb;?@libbar.so;?0xdead0\n"
	    "indirect 5 0 -\n"
	    "reachable 1 8 z@z.c\n");

	ck_assert_msg(baseline_load(r, path, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(baseline_count(r), 4);
	for (size_t i = 0; i < baseline_count(b); i++) {
		const struct baseline_entry *x = baseline_entry(b, i);
		const struct baseline_entry *y = baseline_lookup(r, x->cls, x->key);

		ck_assert_ptr_nonnull(y);
		ck_assert_uint_eq(y->blocks, x->blocks);
		ck_assert_uint_eq(y->bytes, x->bytes);
		ck_assert_uint_gt(y->line, 2);
	}
	ck_assert_uint_eq(baseline_unseen(r), 0);
	/* written again, the same bytes: the format is deterministic */
	first = strdup(slurp(path));
	ck_assert_int_eq(baseline_write(r, tmp_path("rt2.baseline"), ALL_KINDS, &e), 0);
	ck_assert_str_eq(slurp(tmp_path("rt2.baseline")), first);
	free(first);
	free(k);
	baseline_free(b);
	baseline_free(r);
}
END_TEST

/* A leak that was fixed shows up as unseen; a moved one is still found. */
START_TEST(unseen_listing)
{
	struct baseline *b = baseline_new();
	struct baseline *r = baseline_new();
	struct err e = { "" };
	char *path = tmp_path("unseen.baseline");
	struct sym_frame moved[5];
	char *k0 = baseline_key(stack_a, 5);
	char *k1;

	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 1, 16, k0, &e), 0);
	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 1, 32, "fixed_leak@old.c", &e), 0);
	ck_assert_int_eq(baseline_add(b, CLASS_INDIRECT, 1, 32, "fixed_leak@old.c", &e), 0);
	ck_assert_int_eq(baseline_write(b, path, ALL_KINDS, &e), 0);
	ck_assert_int_eq(baseline_load(r, path, &e), 0);

	memcpy(moved, stack_a, sizeof(moved));
	moved[0].line = 1000;
	moved[1].pc = 0x555555;
	k1 = baseline_key(moved, 5);
	ck_assert_ptr_nonnull(baseline_lookup(r, CLASS_DEFINITE, k1));
	ck_assert_ptr_null(baseline_lookup(r, CLASS_DEFINITE, "new_leak@new.c"));
	ck_assert_uint_eq(baseline_unseen(r), 2);
	for (size_t i = 0; i < baseline_count(r); i++) {
		const struct baseline_entry *x = baseline_entry(r, i);

		if (!x->seen)
			ck_assert_str_eq(x->key, "fixed_leak@old.c");
		else
			ck_assert_str_eq(x->key, k0);
	}
	free(k0);
	free(k1);
	baseline_free(b);
	baseline_free(r);
}
END_TEST

START_TEST(write_is_atomic)
{
	struct baseline *b = baseline_new();
	struct err e = { "" };
	char *path = tmp_path("atomic.baseline");
	char bad[300];
	DIR *d;
	struct dirent *de;

	spit(path, "old contents\n", 13);
	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 1, 1, "x", &e), 0);
	ck_assert_int_eq(baseline_write(b, path, ALL_KINDS, &e), 0);
	ck_assert_str_eq(slurp(path),
	    "libleak-baseline 1\n# <class> <blocks> <bytes> "
	    "<stack key: function@file per frame, innermost first>\n"
	    "# classes: definite indirect possible reachable fd timer thread\ndefinite 1 1 x\n");
	/* no temporary file left behind */
	d = opendir(tmpdir);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		ck_assert_msg(strstr(de->d_name, ".tmp.") == NULL, "left %s", de->d_name);
	closedir(d);

	snprintf(bad, sizeof(bad), "%s/no/such/dir/x.baseline", tmpdir);
	ck_assert_int_eq(baseline_write(b, bad, ALL_KINDS, &e), -1);
	ck_assert_msg(strncmp(e.msg, bad, strlen(bad)) == 0, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, "cannot create") != NULL, "%s", e.msg);
	/* rename onto a directory fails; the temporary file is removed */
	snprintf(bad, sizeof(bad), "%s/adir", tmpdir);
	ck_assert_int_eq(mkdir(bad, 0755), 0);
	spit(tmp_path("adir/keep"), "x", 1);
	ck_assert_int_eq(baseline_write(b, bad, ALL_KINDS, &e), -1);
	ck_assert_msg(strstr(e.msg, "cannot rename") != NULL, "%s", e.msg);
	d = opendir(tmpdir);
	while ((de = readdir(d)) != NULL)
		ck_assert_msg(strstr(de->d_name, ".tmp.") == NULL, "left %s", de->d_name);
	closedir(d);
	baseline_free(b);
}
END_TEST

/* --write-baseline keeps the gated kinds: only the classes asked for are
 * written, and the file says which. */
START_TEST(write_only_the_kinds_asked)
{
	struct baseline *b = baseline_new();
	struct baseline *r = baseline_new();
	struct err e = { "" };
	char *path = tmp_path("kinds.baseline");

	ck_assert_int_eq(baseline_add(b, CLASS_DEFINITE, 1, 16, "d@d.c", &e), 0);
	ck_assert_int_eq(baseline_add(b, CLASS_INDIRECT, 2, 32, "i@i.c", &e), 0);
	ck_assert_int_eq(baseline_add(b, CLASS_POSSIBLE, 3, 48, "p@p.c", &e), 0);
	ck_assert_int_eq(baseline_add(b, CLASS_REACHABLE, 4, 702000, "r@r.c", &e), 0);
	ck_assert_int_eq(baseline_write(b, path, 1u << CLASS_DEFINITE | 1u << CLASS_INDIRECT, &e),
	    0);
	ck_assert_str_eq(slurp(path),
	    "libleak-baseline 1\n"
	    "# <class> <blocks> <bytes> <stack key: function@file per frame, innermost first>\n"
	    "# classes: definite indirect\n"
	    "definite 1 16 d@d.c\n"
	    "indirect 2 32 i@i.c\n");
	ck_assert_msg(baseline_load(r, path, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(baseline_count(r), 2);
	ck_assert_ptr_null(baseline_lookup(r, CLASS_REACHABLE, "r@r.c"));
	baseline_free(r);
	r = baseline_new();
	ck_assert_int_eq(baseline_write(b, path, 1u << CLASS_REACHABLE, &e), 0);
	ck_assert_msg(baseline_load(r, path, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(baseline_count(r), 1);
	ck_assert_ptr_nonnull(baseline_lookup(r, CLASS_REACHABLE, "r@r.c"));
	baseline_free(r);
	r = baseline_new();
	ck_assert_int_eq(baseline_write(b, path, 0, &e), 0);
	ck_assert(strstr(slurp(path), "# classes: none\n") != NULL);
	ck_assert_msg(baseline_load(r, path, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(baseline_count(r), 0);
	baseline_free(r);
	baseline_free(b);
}
END_TEST

START_TEST(exe_keys)
{
	char *k = baseline_key_exe("/home/u/build/tests/test_a;b");

	ck_assert_str_eq(k, "?exe:test_a\\x3bb");
	free(k);
	k = baseline_key_exe("/x/");
	ck_assert_str_eq(k, "?exe:-");
	free(k);
}
END_TEST

START_TEST(empty_baseline_round_trip)
{
	struct baseline *b = baseline_new();
	struct err e = { "" };
	char *path = tmp_path("empty.baseline");

	ck_assert_int_eq(baseline_write(b, path, ALL_KINDS, &e), 0);
	baseline_free(b);
	b = baseline_new();
	ck_assert_msg(baseline_load(b, path, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(baseline_count(b), 0);
	baseline_free(b);
}
END_TEST

START_TEST(load_errors)
{
	struct baseline *b = baseline_new();
	struct err e = { "" };
	char want[400];

	ck_assert_int_eq(baseline_load(b, tmp_path("missing"), &e), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", tmp_path("missing"));
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(baseline_load(b, tmpdir, &e), -1);
	snprintf(want, sizeof(want), "%s: not a regular file", tmpdir);
	ck_assert_str_eq(e.msg, want);
	baseline_free(b);
}
END_TEST

static const struct {
	const char *text;
	const char *msg; /* the whole error, after "b.txt" */
} bad_files[] = {
	{ "", ": empty file; not a libleak baseline" },
	{ "\n", ":1: not a libleak baseline (the first line must be 'libleak-baseline 1')" },
	{ "libleak-dump 1\n",
	    ":1: not a libleak baseline (the first line must be "
	    "'libleak-baseline 1')" },
	{ "libleak-baseline\n",
	    ":1: not a libleak baseline (the first line must be "
	    "'libleak-baseline 1')" },
	{ "libleak-baseline 2\n",
	    ":1: unsupported baseline version 2 (this leakreport "
	    "reads version 1)" },
	{ "libleak-baseline 1x\n", ":1: bad version '1x'" },
	{ "libleak-baseline  1\n", ":1: bad version ' 1'" },
	{ "# comment first\nlibleak-baseline 1\n",
	    ":1: not a libleak baseline (the first "
	    "line must be 'libleak-baseline 1')" },
	{ "libleak-baseline 1\ndefinite 1 16\n",
	    ":2: expected '<class> <blocks> <bytes> "
	    "<key>'" },
	{ "libleak-baseline 1\ndefinite 1 16 \n", ":2: empty key" },
	{ "libleak-baseline 1\ndefinite 1 16  f\n", ":2: expected one space between fields" },
	{ "libleak-baseline 1\ndefinite  1 16 f\n",
	    ":2: blocks '' is not a decimal number "
	    ">= 1" },
	{ "libleak-baseline 1\n\n# c\nleaked 1 16 f\n",
	    ":4: unknown class 'leaked' "
	    "(expected definite, indirect, possible, reachable, fd, timer or thread)" },
	{ "libleak-baseline 1\ndefinite 0 16 f\n",
	    ":2: blocks '0' is not a decimal number "
	    ">= 1" },
	{ "libleak-baseline 1\ndefinite -1 16 f\n",
	    ":2: blocks '-1' is not a decimal number "
	    ">= 1" },
	{ "libleak-baseline 1\ndefinite 1 16k f\n",
	    ":2: bytes '16k' is not a decimal "
	    "number" },
	{ "libleak-baseline 1\ndefinite 1 18446744073709551616 f\n",
	    ":2: bytes "
	    "'18446744073709551616' is not a decimal number" },
	{ "libleak-baseline 1\ndefinite 1 1e3 f\n",
	    ":2: bytes '1e3' is not a decimal "
	    "number" },
	{ "libleak-baseline 1\ndefinite 1 1 a\tb\n", ":2: control byte 0x09 in key" },
	{ "libleak-baseline 1\ndefinite 1 1 f\nindirect 1 1 f\ndefinite 2 2 f\n",
	    ":4: duplicate record (same class and key as line 2)" },
};

START_TEST(malformed_files)
{
	struct baseline *b = baseline_new();
	struct err e = { "" };
	char want[300];

	/* an entry added before stays; the bad file's entries are all dropped */
	ck_assert_int_eq(baseline_add(b, CLASS_POSSIBLE, 1, 1, "kept", &e), 0);
	ck_assert_int_eq(
	    baseline_parse(b, "b.txt", bad_files[_i].text, strlen(bad_files[_i].text), &e), -1);
	snprintf(want, sizeof(want), "b.txt%s", bad_files[_i].msg);
	ck_assert_str_eq(e.msg, want);
	ck_assert_uint_eq(baseline_count(b), 1);
	ck_assert_ptr_null(baseline_lookup(b, CLASS_DEFINITE, "f"));
	ck_assert_ptr_nonnull(baseline_lookup(b, CLASS_POSSIBLE, "kept"));
	baseline_free(b);
}
END_TEST

START_TEST(nul_byte_and_crlf)
{
	static const char nul[] = "libleak-baseline 1\ndefinite 1 1 a\0b\n";
	static const char crlf[] = "libleak-baseline 1\r\ndefinite 1 1 a b\r\n# x\r\n"
				   "possible 1 1 c"; /* and no final newline */
	struct baseline *b = baseline_new();
	struct err e = { "" };

	ck_assert_int_eq(baseline_parse(b, "n", nul, sizeof(nul) - 1, &e), -1);
	ck_assert_str_eq(e.msg, "n:2: NUL byte");
	ck_assert_msg(baseline_parse(b, "c", crlf, sizeof(crlf) - 1, &e) == 0, "%s", e.msg);
	ck_assert_ptr_nonnull(baseline_lookup(b, CLASS_DEFINITE, "a b"));
	ck_assert_ptr_nonnull(baseline_lookup(b, CLASS_POSSIBLE, "c"));
	ck_assert_uint_eq(baseline_entry(b, 1)->line, 4);
	baseline_free(b);
}
END_TEST

static Suite *
baseline_suite(void)
{
	Suite *s = suite_create("baseline");
	TCase *t = tcase_create("key");

	tcase_add_test(t, key_format);
	tcase_add_test(t, key_module_path_only);
	tcase_add_test(t, key_escapes);
	tcase_add_test(t, key_stable_when_lines_and_addresses_change);
	suite_add_tcase(s, t);

	t = tcase_create("table");
	tcase_add_test(t, add_merges_and_lookup_marks_seen);
	tcase_add_test(t, add_rejects_bad_keys);
	tcase_add_loop_test(t, many_records_against_model, 0, 3);
	suite_add_tcase(s, t);

	t = tcase_create("files");
	tcase_add_unchecked_fixture(t, make_tmpdir, remove_tmpdir);
	tcase_add_test(t, write_read_round_trip);
	tcase_add_test(t, unseen_listing);
	tcase_add_test(t, write_is_atomic);
	tcase_add_test(t, write_only_the_kinds_asked);
	tcase_add_test(t, exe_keys);
	tcase_add_test(t, empty_baseline_round_trip);
	tcase_add_test(t, load_errors);
	tcase_add_loop_test(t, malformed_files, 0, sizeof(bad_files) / sizeof(bad_files[0]));
	tcase_add_test(t, nul_byte_and_crlf);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(baseline_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
