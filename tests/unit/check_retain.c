/*
 * check_retain.c - retain.c: a reachable or possible record gets the retain
 * line of its stack, its root resolved (a global's module and offset, the
 * loader's name), each listed hop named by the first frame of its stack that
 * is not an allocator's, the unlisted hops counted; a definite record, a
 * stack without a retain line and a record that already has a retainer get
 * nothing. Dumps are parsed from text, with modules that do not exist on
 * disk, so frames are module+offset.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_read.h"
#include "retain.h"

/*
 * Module 1 /nonexistent/app at 0x10000000, module 2 /nonexistent/libleak.so
 * (an allocator module) at 0x20000000, module 3 the loader at 0x30000000.
 * Stack 1: app+0x100. Stack 2: libleak.so+0x10 then app+0x200. Stack 3:
 * libleak.so+0x20 alone. Stack 4: app+0x400.
 */
static void
make_dump(struct dump *d, const char *recs, const char *retains, unsigned nrecs, unsigned nretains)
{
	char text[4096];
	struct err e;
	int n;

	n = snprintf(text, sizeof(text),
	    "libleak-dump 1\npid 7\nppid 1\nexe /nonexistent/app\nargc 0\n"
	    "time 2.000000\nstart 1.000000\nkind exit\nseq 0\natomic 1\nscan full\ndepth 32\n"
	    "module 1 10000000 10000000 10100000 - loaded /nonexistent/app\n"
	    "module 2 20000000 20000000 20100000 - loaded /nonexistent/libleak.so\n"
	    "module 3 30000000 30000000 30100000 - loaded /lib64/ld-linux-x86-64.so.2\n"
	    "stack 1 1 10000100\nstack 2 2 20000010 10000200\nstack 3 1 20000020\n"
	    "stack 4 1 10000400\n%s%s"
	    "stat allocs 1\nstat frees 0\nstat live_blocks 1\nstat live_bytes 1\n"
	    "stat peak_blocks 1\nstat peak_bytes 1\nstat peak_time_ms 0\nstat uptime_ms 1\n"
	    "stat rss_bytes 1\nstat dropped 0\nend 3 4 %u %u\n",
	    recs, retains, nrecs, nretains);
	ck_assert_msg(dump_parse("mem.dump", text, (size_t)n, d, &e) == 0, "%s\n%s", e.msg, text);
}

static void
quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static struct symbolizer *
symbolizer(void)
{
	struct sym_options o = { .warn = quiet };
	struct err e;
	struct symbolizer *s = sym_new(&o, &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	return s;
}

START_TEST(global_root_and_hops)
{
	struct symbolizer *s = symbolizer();
	struct leak l;
	struct dump d;
	struct err e;
	const struct retainer *x;

	/* stack 1's block is held by a global of app (the word at app+0x5008)
	 * through 20000 blocks, three of them listed: one allocated from
	 * stack 2 (its allocator frame skipped), one with no stack, one whose
	 * stack has allocator frames only */
	make_dump(&d, "rec 1 reachable 1 64\nrec 2 definite 1 8\n",
	    "retain 1 global 1 10005008 20000 3 2:128 0:16 3:32\n", 2, 1);
	memset(&l, 0, sizeof(l));
	ck_assert_msg(retain_attach(s, &d, &d.recs[0], &l, &e) == 0, "%s", e.msg);
	x = l.retained_by;
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_eq(x->dump, &d);
	ck_assert_ptr_eq(x->rt, &d.retains[0]);
	ck_assert_int_eq(x->rt->root, RETAIN_GLOBAL);
	ck_assert_ptr_nonnull(x->global);
	ck_assert_str_eq(x->global->module, "app");
	ck_assert_uint_eq(x->global->offset, 0x5008);
	ck_assert_ptr_null(x->global->symbol); /* no file: no symbol */
	ck_assert_ptr_null(x->loader);
	ck_assert_uint_eq(x->unlisted, 20000 - 3);
	ck_assert_uint_eq(x->hop[0].bytes, 128);
	ck_assert_ptr_nonnull(x->hop[0].frame);
	ck_assert_str_eq(x->hop[0].frame->module, "app");
	ck_assert_uint_eq(x->hop[0].frame->offset, 0x200);
	ck_assert_uint_eq(x->hop[1].bytes, 16);
	ck_assert_ptr_null(x->hop[1].frame); /* no stack captured */
	ck_assert_uint_eq(x->hop[2].bytes, 32);
	ck_assert_ptr_null(x->hop[2].frame); /* allocator frames only */
	/* a record that has one keeps it */
	ck_assert_int_eq(retain_attach(s, &d, &d.recs[0], &l, &e), 0);
	ck_assert_ptr_eq(l.retained_by, x);
	free(l.retained_by);
	/* a definite record gets none, even for a stack with a retain line */
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(retain_attach(s, &d, &d.recs[1], &l, &e), 0);
	ck_assert_ptr_null(l.retained_by);
	dump_free(&d);
	sym_free(s);
}
END_TEST

START_TEST(thread_loader_and_missing)
{
	struct symbolizer *s = symbolizer();
	struct leak l;
	struct dump d;
	struct err e;

	make_dump(&d, "rec 1 possible 1 64\nrec 2 reachable 1 8\nrec 4 reachable 2 16\n",
	    "retain 1 thread 4242 7ffd0010 0 0\nretain 4 loader 0 0 1 0\n", 3, 2);
	memset(&l, 0, sizeof(l));
	ck_assert_msg(retain_attach(s, &d, &d.recs[0], &l, &e) == 0, "%s", e.msg);
	ck_assert_ptr_nonnull(l.retained_by);
	ck_assert_int_eq(l.retained_by->rt->root, RETAIN_THREAD);
	ck_assert_uint_eq(l.retained_by->rt->who, 4242);
	ck_assert_ptr_null(l.retained_by->global);
	ck_assert_uint_eq(l.retained_by->unlisted, 0);
	free(l.retained_by);
	/* a reachable stack without a retain line */
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(retain_attach(s, &d, &d.recs[1], &l, &e), 0);
	ck_assert_ptr_null(l.retained_by);
	/* the loader is named by its module's file name */
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(retain_attach(s, &d, &d.recs[2], &l, &e), 0);
	ck_assert_ptr_nonnull(l.retained_by);
	ck_assert_str_eq(l.retained_by->loader, "ld-linux-x86-64.so.2");
	ck_assert_uint_eq(l.retained_by->unlisted, 1);
	free(l.retained_by);
	dump_free(&d);
	sym_free(s);
}
END_TEST

static Suite *
retain_suite(void)
{
	Suite *s = suite_create("retain");
	TCase *tc = tcase_create("retain");

	tcase_add_test(tc, global_root_and_hops);
	tcase_add_test(tc, thread_loader_and_missing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(retain_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
