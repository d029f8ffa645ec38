/*
 * check_gate.c - gate.c: --fail-on and number parsing, the arithmetic of
 * the decision (thresholds, kinds, saturation at 2^64-1) and the reasons.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"

#define MAX64 18446744073709551615ull

/* ---- --fail-on */

static const struct {
	const char *in;
	unsigned mask;
} kinds_ok[] = {
	{ "definite", CLASS_BIT(CLASS_DEFINITE) },
	{ "indirect", CLASS_BIT(CLASS_INDIRECT) },
	{ "possible", CLASS_BIT(CLASS_POSSIBLE) },
	{ "reachable", CLASS_BIT(CLASS_REACHABLE) },
	{ "definite,indirect", GATE_KINDS_DEFAULT },
	{ "indirect,definite", GATE_KINDS_DEFAULT },
	{ "definite,definite", CLASS_BIT(CLASS_DEFINITE) },
	{ "possible,reachable,definite",
	    CLASS_BIT(CLASS_POSSIBLE) | CLASS_BIT(CLASS_REACHABLE) | CLASS_BIT(CLASS_DEFINITE) },
	{ "all", CLASS_MASK_ALL },
	{ "definite,indirect,possible,reachable,fd,timer,thread", CLASS_MASK_ALL },
	{ "definite,indirect,possible,reachable",
	    CLASS_MASK_ALL & ~(unsigned)CLASS_MASK_RESOURCES },
	{ "fd", CLASS_BIT(CLASS_FD) },
	{ "timer,thread", CLASS_BIT(CLASS_TIMER) | CLASS_BIT(CLASS_THREAD) },
	{ "resources", CLASS_MASK_RESOURCES },
	{ "definite,resources", CLASS_BIT(CLASS_DEFINITE) | CLASS_MASK_RESOURCES },
	{ "none", 0 },
};

START_TEST(kinds_parse_ok)
{
	struct err e = { "" };
	unsigned m = 0xdead;

	ck_assert_msg(gate_parse_kinds(kinds_ok[_i].in, &m, &e) == 0, "%s: %s", kinds_ok[_i].in,
	    e.msg);
	ck_assert_uint_eq(m, kinds_ok[_i].mask);
}
END_TEST

static const struct {
	const char *in;
	const char *msg; /* substring of the error */
} kinds_bad[] = {
	{ "", "empty list" },
	{ "definite,", "empty kind" },
	{ ",definite", "empty kind" },
	{ "definite,,indirect", "empty kind" },
	{ "Definite", "unknown kind 'Definite'" },
	{ "leaks", "unknown kind 'leaks'" },
	{ "definite, indirect", "unknown kind ' indirect'" },
	{ "all,definite", "must stand alone" },
	{ "none,definite", "must stand alone" },
	{ "definite;indirect", "unknown kind" },
};

START_TEST(kinds_parse_bad)
{
	struct err e = { "" };
	unsigned m = 0xdead;

	ck_assert_int_eq(gate_parse_kinds(kinds_bad[_i].in, &m, &e), -1);
	ck_assert_uint_eq(m, 0xdead);
	ck_assert_msg(strstr(e.msg, kinds_bad[_i].msg) != NULL, "'%s': got '%s'", kinds_bad[_i].in,
	    e.msg);
	ck_assert_msg(strncmp(e.msg, "--fail-on: ", 11) == 0, "%s", e.msg);
}
END_TEST

START_TEST(kinds_format_round_trip)
{
	char buf[GATE_KINDS_MAX];
	struct err e;

	for (unsigned m = 0; m <= CLASS_MASK_ALL; m++) {
		unsigned back = 0xdead;

		gate_kinds_format(m, buf, sizeof(buf));
		ck_assert_msg(gate_parse_kinds(buf, &back, &e) == 0, "%s: %s", buf, e.msg);
		ck_assert_uint_eq(back, m);
	}
	ck_assert_str_eq(gate_kinds_format(GATE_KINDS_DEFAULT, buf, sizeof(buf)),
	    "definite,indirect");
	ck_assert_str_eq(model_class_name(CLASS_REACHABLE), "reachable");
	ck_assert_str_eq(model_class_name((enum leak_class)42), "?");
}
END_TEST

/* ---- numbers */

static const struct {
	const char *in;
	unsigned long long v;
} nums_ok[] = {
	{ "0", 0 },
	{ "1", 1 },
	{ "007", 7 },
	{ "1024", 1024 },
	{ "4294967296", 4294967296ull },
	{ "18446744073709551615", MAX64 },
	{ "000000000000000000000018446744073709551615", MAX64 },
};

START_TEST(number_ok)
{
	struct err e = { "" };
	uint64_t v = 12345;

	ck_assert_msg(gate_parse_u64("--max-bytes", nums_ok[_i].in, &v, &e) == 0, "%s: %s",
	    nums_ok[_i].in, e.msg);
	ck_assert_uint_eq(v, nums_ok[_i].v);
}
END_TEST

static const struct {
	const char *in;
	const char *msg;
} nums_bad[] = {
	{ "", "not a non-negative decimal integer" },
	{ "12k", "not a non-negative decimal integer" },
	{ "-1", "not a non-negative decimal integer" },
	{ "+1", "not a non-negative decimal integer" },
	{ " 1", "not a non-negative decimal integer" },
	{ "1 ", "not a non-negative decimal integer" },
	{ "1e3", "not a non-negative decimal integer" },
	{ "0x10", "not a non-negative decimal integer" },
	{ "1.5", "not a non-negative decimal integer" },
	{ "abc", "not a non-negative decimal integer" },
	{ "18446744073709551616", "out of range" },
	{ "99999999999999999999999", "out of range" },
};

START_TEST(number_bad)
{
	struct err e = { "" };
	uint64_t v = 12345;

	ck_assert_int_eq(gate_parse_u64("--max-bytes", nums_bad[_i].in, &v, &e), -1);
	ck_assert_uint_eq(v, 12345);
	ck_assert_msg(strstr(e.msg, nums_bad[_i].msg) != NULL, "'%s': got '%s'", nums_bad[_i].in,
	    e.msg);
	ck_assert_msg(strncmp(e.msg, "--max-bytes: ", 13) == 0, "%s", e.msg);
}
END_TEST

/* ---- decisions */

START_TEST(defaults)
{
	struct gate g;
	char why[GATE_REASON_MAX];

	gate_init(&g);
	ck_assert_uint_eq(g.kinds, GATE_KINDS_DEFAULT);
	ck_assert_uint_eq(g.max_leaks, 0);
	ck_assert(!g.bytes_limited);
	ck_assert(gate_decide(&g, why, sizeof(why)));
	ck_assert_str_eq(why, "no definite,indirect leak records");
	/* reachable and possible are not gated by default */
	gate_add(&g, CLASS_REACHABLE, 5, 500);
	gate_add(&g, CLASS_POSSIBLE, 1, 8);
	ck_assert(gate_decide(&g, why, sizeof(why)));
	gate_add(&g, CLASS_DEFINITE, 1, 16);
	ck_assert(!gate_decide(&g, why, sizeof(why)));
	ck_assert_str_eq(why, "1 definite leak record (16 bytes) over --max-leaks 0");
}
END_TEST

START_TEST(max_leaks_counts_records_not_blocks)
{
	struct gate g;
	char why[GATE_REASON_MAX];

	gate_init(&g);
	g.max_leaks = 3;
	gate_add(&g, CLASS_DEFINITE, 100, 1000);
	gate_add(&g, CLASS_DEFINITE, 100, 24);
	gate_add(&g, CLASS_DEFINITE, 1, 0);
	ck_assert(gate_decide(&g, why, sizeof(why)));
	ck_assert_str_eq(why, "3 definite leak records (1024 bytes), within --max-leaks 3");
	gate_add(&g, CLASS_DEFINITE, 1, 0);
	ck_assert(!gate_decide(&g, why, sizeof(why)));
	ck_assert_str_eq(why, "4 definite leak records (1024 bytes) over --max-leaks 3");
	ck_assert_uint_eq(g.blocks[CLASS_DEFINITE], 202);
}
END_TEST

START_TEST(example_reason)
{
	struct gate g;
	char why[GATE_REASON_MAX];

	gate_init(&g);
	gate_add(&g, CLASS_DEFINITE, 1, 1000);
	gate_add(&g, CLASS_DEFINITE, 2, 16);
	gate_add(&g, CLASS_DEFINITE, 1, 8);
	ck_assert(!gate_decide(&g, why, sizeof(why)));
	ck_assert_str_eq(why, "3 definite leak records (1024 bytes) over --max-leaks 0");
}
END_TEST

START_TEST(several_kinds_reason)
{
	struct gate g;
	char why[GATE_REASON_MAX];

	gate_init(&g);
	gate_add(&g, CLASS_DEFINITE, 1, 10);
	gate_add(&g, CLASS_INDIRECT, 1, 1);
	gate_add(&g, CLASS_INDIRECT, 1, 1);
	gate_add(&g, CLASS_REACHABLE, 1, 1000);
	ck_assert(!gate_decide(&g, why, sizeof(why)));
	ck_assert_str_eq(why,
	    "3 leak records (1 definite, 2 indirect; 12 bytes) over --max-leaks 0");
}
END_TEST

START_TEST(max_bytes_boundary)
{
	struct gate g;
	char why[GATE_REASON_MAX];

	gate_init(&g);
	g.max_leaks = 100;
	g.bytes_limited = true;
	g.max_bytes = 100;
	gate_add(&g, CLASS_INDIRECT, 1, 60);
	gate_add(&g, CLASS_DEFINITE, 1, 40);
	ck_assert(gate_decide(&g, why, sizeof(why))); /* 100 is not over 100 */
	ck_assert_str_eq(why,
	    "2 leak records (1 definite, 1 indirect; 100 bytes), "
	    "within --max-leaks 100 and --max-bytes 100");
	gate_add(&g, CLASS_DEFINITE, 1, 1);
	ck_assert(!gate_decide(&g, why, sizeof(why)));
	ck_assert_str_eq(why,
	    "3 leak records (2 definite, 1 indirect; 101 bytes) "
	    "over --max-bytes 100");
	/* --max-bytes 0 with zero-byte records passes; the leak count decides */
	gate_init(&g);
	g.max_leaks = 5;
	g.bytes_limited = true;
	g.max_bytes = 0;
	gate_add(&g, CLASS_DEFINITE, 1, 0);
	ck_assert(gate_decide(&g, NULL, 0));
	gate_add(&g, CLASS_DEFINITE, 1, 1);
	ck_assert(!gate_decide(&g, NULL, 0));
}
END_TEST

START_TEST(max_leaks_2_64_minus_1)
{
	struct gate g;

	gate_init(&g);
	g.max_leaks = MAX64;
	for (int i = 0; i < 1000; i++)
		gate_add(&g, CLASS_DEFINITE, 1, MAX64 / 2000);
	ck_assert(gate_decide(&g, NULL, 0));
	g.bytes_limited = true;
	g.max_bytes = MAX64;
	ck_assert(gate_decide(&g, NULL, 0));
	g.max_bytes = (MAX64 / 2000) * 1000 - 1;
	ck_assert(!gate_decide(&g, NULL, 0));
}
END_TEST

START_TEST(byte_overflow_saturates_and_fails)
{
	struct gate g;
	char why[GATE_REASON_MAX];

	gate_init(&g);
	g.max_leaks = 10;
	g.bytes_limited = true;
	g.max_bytes = MAX64;
	gate_add(&g, CLASS_DEFINITE, 1, MAX64);
	ck_assert(gate_decide(&g, why, sizeof(why))); /* exactly 2^64-1: not over */
	gate_add(&g, CLASS_DEFINITE, 1, 1);           /* 2^64: over any limit */
	ck_assert_uint_eq(g.bytes[CLASS_DEFINITE], MAX64);
	ck_assert(g.bytes_over);
	ck_assert(!gate_decide(&g, why, sizeof(why)));
	ck_assert_str_eq(why,
	    "2 definite leak records (more than 18446744073709551615 bytes) "
	    "over --max-bytes 18446744073709551615");
	/* overflow across two gated classes, each below 2^64 */
	gate_init(&g);
	g.max_leaks = 10;
	g.bytes_limited = true;
	g.max_bytes = MAX64;
	gate_add(&g, CLASS_DEFINITE, 1, MAX64 - 5);
	gate_add(&g, CLASS_INDIRECT, 1, 6);
	ck_assert(!g.bytes_over);
	ck_assert(!gate_decide(&g, why, sizeof(why)));
	ck_assert_msg(strstr(why, "more than 18446744073709551615 bytes") != NULL, "%s", why);
}
END_TEST

START_TEST(fail_on_none_and_all)
{
	struct gate g;
	char why[GATE_REASON_MAX];

	gate_init(&g);
	g.kinds = 0;
	gate_add(&g, CLASS_DEFINITE, 9, 9999);
	ck_assert(gate_decide(&g, why, sizeof(why)));
	ck_assert_str_eq(why, "--fail-on none");

	gate_init(&g);
	g.kinds = CLASS_MASK_ALL;
	gate_add(&g, CLASS_REACHABLE, 1, 32);
	ck_assert(!gate_decide(&g, why, sizeof(why)));
	ck_assert_str_eq(why, "1 reachable leak record (32 bytes) over --max-leaks 0");

	gate_init(&g);
	g.kinds = CLASS_BIT(CLASS_POSSIBLE);
	gate_add(&g, CLASS_DEFINITE, 1, 32);
	ck_assert(gate_decide(&g, why, sizeof(why)));
	ck_assert_str_eq(why, "no possible leak records");
}
END_TEST

START_TEST(reason_truncates)
{
	struct gate g;
	char why[10];

	gate_init(&g);
	gate_add(&g, CLASS_DEFINITE, 1, 1);
	ck_assert(!gate_decide(&g, why, sizeof(why)));
	ck_assert_uint_eq(strlen(why), sizeof(why) - 1);
	ck_assert_str_eq(why, "1 definit");
}
END_TEST

/* Compares gate_decide with a naive model on seeded random inputs. */
START_TEST(random_against_model)
{
	unsigned seed = 0x5eed0000u + (unsigned)_i;

	srand(seed);
	for (int round = 0; round < 200; round++) {
		struct gate g;
		unsigned long long recs = 0;
		unsigned long long bytes = 0;
		int n = rand() % 12;
		bool expect;

		gate_init(&g);
		g.kinds = (unsigned)rand() % (CLASS_MASK_ALL + 1);
		g.max_leaks = (uint64_t)(rand() % 6);
		g.bytes_limited = rand() % 2;
		g.max_bytes = (uint64_t)(rand() % 4000);
		for (int k = 0; k < n; k++) {
			enum leak_class c = (enum leak_class)(rand() % CLASS_COUNT);
			uint64_t b = (uint64_t)(rand() % 1000);

			gate_add(&g, c, 1 + (uint64_t)(rand() % 3), b);
			if (g.kinds & CLASS_BIT(c)) {
				recs++;
				bytes += b;
			}
		}
		expect = g.kinds == 0 ||
		    (recs <= g.max_leaks && (!g.bytes_limited || bytes <= g.max_bytes));
		ck_assert_msg(gate_decide(&g, NULL, 0) == expect, "seed %u round %d", seed, round);
	}
}
END_TEST

static Suite *
gate_suite(void)
{
	Suite *s = suite_create("gate");
	TCase *t = tcase_create("parse");

	tcase_add_loop_test(t, kinds_parse_ok, 0, sizeof(kinds_ok) / sizeof(kinds_ok[0]));
	tcase_add_loop_test(t, kinds_parse_bad, 0, sizeof(kinds_bad) / sizeof(kinds_bad[0]));
	tcase_add_test(t, kinds_format_round_trip);
	tcase_add_loop_test(t, number_ok, 0, sizeof(nums_ok) / sizeof(nums_ok[0]));
	tcase_add_loop_test(t, number_bad, 0, sizeof(nums_bad) / sizeof(nums_bad[0]));
	suite_add_tcase(s, t);

	t = tcase_create("decide");
	tcase_add_test(t, defaults);
	tcase_add_test(t, max_leaks_counts_records_not_blocks);
	tcase_add_test(t, example_reason);
	tcase_add_test(t, several_kinds_reason);
	tcase_add_test(t, max_bytes_boundary);
	tcase_add_test(t, max_leaks_2_64_minus_1);
	tcase_add_test(t, byte_overflow_saturates_and_fails);
	tcase_add_test(t, fail_on_none_and_all);
	tcase_add_test(t, reason_truncates);
	tcase_add_loop_test(t, random_against_model, 0, 8);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(gate_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
