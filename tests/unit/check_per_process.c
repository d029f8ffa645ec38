/*
 * check_per_process.c - per_process.c: each dump's share of the gated
 * records (kinds, suppressions and the baseline respected), the order of
 * the rows and the count of clean processes. Dumps are built in memory with
 * frames in a module that does not exist, so records group by module and
 * offset.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_read.h"
#include "group.h"
#include "per_process.h"

/* A dump of pid: stack 1 leaks d_blocks definite blocks of 10 bytes, stack
 * 2 one reachable block of 1000 bytes (not gated by default). */
static void
make_dump(struct dump *d, unsigned pid, unsigned d_blocks)
{
	char text[2048];
	struct err e;
	int n;

	n = snprintf(text, sizeof(text),
	    "libleak-dump 1\npid %u\nppid 1\nexe /t/test_%u\n"
	    "argc 1\narg x\ntime 2.000000\nstart 1.000000\nkind exit\nseq 0\natomic 1\n"
	    "scan full\ndepth 32\nmodule 1 10000000 10000000 10100000 - loaded /nonexistent/t\n"
	    "stack 1 1 10000100\nstack 2 1 10000200\n",
	    pid, pid);
	if (d_blocks > 0)
		n += snprintf(text + n, sizeof(text) - n, "rec 1 definite %u %u\n", d_blocks,
		    10 * d_blocks);
	n += snprintf(text + n, sizeof(text) - n,
	    "rec 2 reachable 1 1000\n"
	    "stat allocs 1\nstat frees 0\nstat live_blocks 1\nstat live_bytes 1\n"
	    "stat peak_blocks 1\nstat peak_bytes 1\nstat peak_time_ms 0\nstat uptime_ms 1\n"
	    "stat rss_bytes 1\nstat dropped 0\nend 1 2 %u 0\n",
	    d_blocks > 0 ? 2 : 1);
	ck_assert_msg(dump_parse("mem.dump", text, (size_t)n, d, &e) == 0, "%s", e.msg);
}

static void
quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

START_TEST(rows_sum_gated_records_worst_first)
{
	struct sym_options o = { .warn = quiet };
	struct err e;
	struct symbolizer *s = sym_new(&o, &e);
	struct suppressions *sp = supp_new();
	struct dump d[4];
	struct report r;
	struct per_process pp;
	const unsigned defaults = CLASS_BIT(CLASS_DEFINITE) | CLASS_BIT(CLASS_INDIRECT);

	ck_assert(s != NULL && sp != NULL);
	make_dump(&d[0], 30, 1);
	make_dump(&d[1], 10, 0);
	make_dump(&d[2], 20, 3);
	make_dump(&d[3], 5, 1);
	group_init(&r);
	ck_assert(group_build(&r, s, d, 4, &e) == 0);
	ck_assert(group_finish(&r, sp, NULL, &e) == 0);

	ck_assert_int_eq(per_process_build(&pp, &r, defaults, &e), 0);
	ck_assert_uint_eq(pp.n, 4);
	ck_assert_uint_eq(pp.nclean, 1);
	ck_assert_uint_eq(pp.rows[0].dump->pid, 20);
	ck_assert_uint_eq(pp.rows[0].blocks, 3);
	ck_assert_uint_eq(pp.rows[0].bytes, 30);
	ck_assert_uint_eq(pp.rows[1].dump->pid, 5); /* a tie: the lower pid */
	ck_assert_uint_eq(pp.rows[2].dump->pid, 30);
	ck_assert_uint_eq(pp.rows[3].dump->pid, 10);
	ck_assert_uint_eq(pp.rows[3].bytes, 0);
	per_process_free(&pp);

	/* reachable gated: every process holds 1000 bytes more */
	ck_assert_int_eq(per_process_build(&pp, &r, CLASS_MASK_ALL, &e), 0);
	ck_assert_uint_eq(pp.nclean, 0);
	ck_assert_uint_eq(pp.rows[0].bytes, 1030);
	ck_assert_uint_eq(pp.rows[3].dump->pid, 10);
	ck_assert_uint_eq(pp.rows[3].bytes, 1000);
	per_process_free(&pp);

	/* none gated: every process clean, in pid order */
	ck_assert_int_eq(per_process_build(&pp, &r, 0, &e), 0);
	ck_assert_uint_eq(pp.nclean, 4);
	ck_assert_uint_eq(pp.rows[0].dump->pid, 5);
	per_process_free(&pp);

	/* a known (baselined) record is not gated */
	for (size_t i = 0; i < r.nleaks; i++)
		r.leaks[i].known = r.leaks[i].cls == CLASS_DEFINITE;
	ck_assert_int_eq(per_process_build(&pp, &r, defaults, &e), 0);
	ck_assert_uint_eq(pp.nclean, 4);
	per_process_free(&pp);
	group_free(&r);
	for (int i = 0; i < 4; i++)
		dump_free(&d[i]);
	supp_free(sp);
	sym_free(s);
}
END_TEST

START_TEST(suppressed_records_do_not_count)
{
	static const char rules[] = "leak:/nonexistent/t\n";
	struct sym_options o = { .warn = quiet };
	struct err e;
	struct symbolizer *s = sym_new(&o, &e);
	struct suppressions *sp = supp_new();
	struct dump d;
	struct report r;
	struct per_process pp;

	ck_assert(supp_parse(sp, "s.supp", rules, strlen(rules), &e) == 0);
	make_dump(&d, 7, 2);
	group_init(&r);
	ck_assert(group_build(&r, s, &d, 1, &e) == 0);
	ck_assert(group_finish(&r, sp, NULL, &e) == 0);
	ck_assert_int_eq(per_process_build(&pp, &r, CLASS_MASK_ALL, &e), 0);
	ck_assert_uint_eq(pp.nclean, 1);
	ck_assert_uint_eq(pp.rows[0].blocks, 0);
	per_process_free(&pp);
	group_free(&r);
	dump_free(&d);
	supp_free(sp);
	sym_free(s);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("per_process");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, rows_sum_gated_records_worst_first);
	tcase_add_test(tc, suppressed_records_do_not_count);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
