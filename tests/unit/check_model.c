/*
 * check_model.c - model.c: the names of the kinds, roots and dump kinds
 * (the dump format's words, both ways), the kind masks, a path's file name,
 * and finding a stack by id (against a linear search, seeded).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dumpfmt.h"
#include "model.h"
#include "seeded.h"

START_TEST(class_names_both_ways)
{
	static const char *const want[CLASS_COUNT] = {
		"definite",
		"indirect",
		"possible",
		"reachable",
		"fd",
		"timer",
		"thread",
	};

	for (int c = 0; c < CLASS_COUNT; c++) {
		ck_assert_str_eq(model_class_name((enum leak_class)c), want[c]);
		ck_assert_int_eq(model_class_parse(want[c], strlen(want[c])), c);
	}
	ck_assert_str_eq(model_class_name(CLASS_DEFINITE), DUMP_CLASS_DEFINITE);
	ck_assert_str_eq(model_class_name(CLASS_REACHABLE), DUMP_CLASS_REACHABLE);
	ck_assert_str_eq(model_class_name(CLASS_COUNT), "?");
	ck_assert_str_eq(model_class_name((enum leak_class) - 1), "?");
	/* the length counts: a prefix, a longer word, another case are none */
	ck_assert_int_eq(model_class_parse("definite", 5), -1);
	ck_assert_int_eq(model_class_parse("definitely", 10), -1);
	ck_assert_int_eq(model_class_parse("definitely", 8), CLASS_DEFINITE);
	ck_assert_int_eq(model_class_parse("Definite", 8), -1);
	ck_assert_int_eq(model_class_parse("", 0), -1);
	ck_assert_int_eq(model_class_parse("leaks", 5), -1);
	ck_assert_int_eq(model_class_parse("resources", 9), -1);
	/* the resource kinds are the dump's res words */
	ck_assert_str_eq(model_class_name(CLASS_FD), DUMP_RES_FD);
	ck_assert_str_eq(model_class_name(CLASS_THREAD), DUMP_RES_THREAD);
	ck_assert(!CLASS_IS_RESOURCE(CLASS_REACHABLE) && CLASS_IS_RESOURCE(CLASS_FD) &&
	    CLASS_IS_RESOURCE(CLASS_THREAD) && !CLASS_IS_RESOURCE(CLASS_COUNT));
}
END_TEST

/* The lists in messages name the kinds of the table, in its order. */
START_TEST(class_names_in_messages)
{
	char list[128], list_or[128];

	snprintf(list, sizeof(list), "%s, %s, %s, %s, %s, %s, %s", model_class_name(0),
	    model_class_name(1), model_class_name(2), model_class_name(3), model_class_name(4),
	    model_class_name(5), model_class_name(6));
	snprintf(list_or, sizeof(list_or), "%s, %s, %s, %s, %s, %s or %s", model_class_name(0),
	    model_class_name(1), model_class_name(2), model_class_name(3), model_class_name(4),
	    model_class_name(5), model_class_name(6));
	ck_assert_int_eq(CLASS_COUNT, 7);
	ck_assert_str_eq(CLASS_NAMES, list);
	ck_assert_str_eq(CLASS_NAMES_OR, list_or);
}
END_TEST

START_TEST(root_names_both_ways)
{
	static const char *const want[RETAIN_COUNT] = {
		DUMP_ROOT_GLOBAL,
		DUMP_ROOT_THREAD,
		DUMP_ROOT_MAPPING,
		DUMP_ROOT_LOADER,
		DUMP_ROOT_INTERNAL,
		DUMP_ROOT_IGNORED,
		DUMP_ROOT_REGION,
	};

	ck_assert_int_eq(RETAIN_COUNT, 7);
	for (int r = 0; r < RETAIN_COUNT; r++) {
		ck_assert_str_eq(model_root_name((enum retain_root)r), want[r]);
		ck_assert_int_eq(model_root_parse(want[r], strlen(want[r])), r);
	}
	ck_assert_str_eq(model_root_name(RETAIN_GLOBAL), "global");
	ck_assert_str_eq(model_root_name(RETAIN_INTERNAL), "internal");
	ck_assert_str_eq(model_root_name((enum retain_root)RETAIN_COUNT), "?");
	ck_assert_int_eq(model_root_parse("glob", 4), -1);
	ck_assert_int_eq(model_root_parse("stack", 5), -1);
}
END_TEST

START_TEST(masks_and_dump_kinds)
{
	struct dump d;

	ck_assert_uint_eq(CLASS_BIT(CLASS_INDIRECT), 2);
	ck_assert_uint_eq(CLASS_MASK_ALL, 0x7f);
	ck_assert_uint_eq(CLASS_MASK_LEAKS,
	    CLASS_MASK_ALL & ~CLASS_BIT(CLASS_REACHABLE) & ~(unsigned)CLASS_MASK_RESOURCES);
	ck_assert_uint_eq(CLASS_MASK_RESOURCES, 0x70);
	memset(&d, 0, sizeof(d));
	ck_assert_str_eq(model_dump_kind(&d), "exit");
	d.snapshot = true;
	ck_assert_str_eq(model_dump_kind(&d), "snapshot");
	ck_assert_str_eq(model_dump_kind(&d), DUMP_KIND_SNAPSHOT);
	ck_assert_uint_eq(RETAIN_MAX_HOPS, DUMP_MAX_RETAIN_HOPS);
}
END_TEST

START_TEST(basename_of_a_path)
{
	static const char *const cases[][2] = {
		{ "/usr/lib/libc.so.6", "libc.so.6" },
		{ "libc.so.6", "libc.so.6" },
		{ "./a.out", "a.out" },
		{ "/", "" },
		{ "dir/", "" },
		{ "", "" },
		{ "/a//b", "b" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_str_eq(model_basename(cases[i][0]), cases[i][1]);
	/* it points into the path */
	const char *p = "/x/y";

	ck_assert_ptr_eq(model_basename(p), p + 3);
}
END_TEST

START_TEST(find_stack_matches_a_linear_search)
{
	uint64_t rs = seed;
	struct stack st[64];

	for (int round = 0; round < 2000; round++) {
		struct dump d;
		size_t n = (size_t)(rng_next(&rs) % 65);
		uint32_t id = 0;

		memset(&d, 0, sizeof(d));
		for (size_t i = 0; i < n; i++) {
			id += 1 + (uint32_t)(rng_next(&rs) % 3); /* ascending, gaps */
			st[i] = (struct stack){ .id = id };
		}
		d.stacks = n ? st : NULL;
		d.nstacks = n;
		for (uint32_t want = 0; want <= id + 2; want++) {
			const struct stack *lin = NULL;

			for (size_t i = 0; i < n; i++)
				if (st[i].id == want)
					lin = &st[i];
			ck_assert_msg(model_find_stack(&d, want) == lin,
			    SEEDED("round %d: id %u of %zu stacks", round, want, n));
		}
	}
}
END_TEST

static Suite *
model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, class_names_both_ways);
	tcase_add_test(tc, class_names_in_messages);
	tcase_add_test(tc, root_names_both_ways);
	tcase_add_test(tc, masks_and_dump_kinds);
	tcase_add_test(tc, basename_of_a_path);
	tcase_add_test(tc, find_stack_matches_a_linear_search);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(model_suite(), "check_model");
}
