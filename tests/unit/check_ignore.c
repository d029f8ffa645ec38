/*
 * check_ignore.c - track/ignore.c: an ignored block's stack is its
 * allocation stack with the tag frame appended, a stack of its own; the
 * dump gets the frames back without the tag.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "dumpfmt.h"
#include "track/ignore.h"
#include "track/stacks.h"

START_TEST(twin_is_tagged_and_distinct)
{
	struct stacks *d = stacks_new();
	uintptr_t pcs[3] = { 0x401000, 0x401234, 0x7f0000001000 };
	stack_id_t id = stacks_intern(d, pcs, 3);
	stack_id_t twin = ignore_stack(d, id);
	unsigned n;
	const uintptr_t *got = stacks_get(d, twin, &n);

	ck_assert_uint_ne(twin, id);
	ck_assert_uint_eq(n, 4);
	ck_assert(ignore_is_tagged(got, n));
	ck_assert(!ignore_is_tagged(stacks_get(d, id, &n), n));
	/* once: the same twin again, and a twin's twin is itself */
	ck_assert_uint_eq(ignore_stack(d, id), twin);
	ck_assert_uint_eq(ignore_stack(d, twin), twin);
	/* the dump's frames: the allocation stack's */
	got = ignore_frames(d, twin, &n);
	ck_assert_uint_eq(n, 3);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_uint_eq(got[i], pcs[i]);
	got = ignore_frames(d, id, &n);
	ck_assert_uint_eq(n, 3);
}
END_TEST

/* A stack as deep as the dump allows: its last frame gives way to the tag. */
START_TEST(full_depth_stack_keeps_its_depth)
{
	struct stacks *d = stacks_new();
	uintptr_t pcs[DUMP_MAX_DEPTH];

	for (unsigned i = 0; i < DUMP_MAX_DEPTH; i++)
		pcs[i] = 0x500000 + 16 * (uintptr_t)i;
	stack_id_t id = stacks_intern(d, pcs, DUMP_MAX_DEPTH);
	stack_id_t twin = ignore_stack(d, id);
	unsigned n;
	const uintptr_t *got = stacks_get(d, twin, &n);

	ck_assert_uint_eq(n, DUMP_MAX_DEPTH);
	ck_assert(ignore_is_tagged(got, n));
	ck_assert_uint_eq(got[DUMP_MAX_DEPTH - 2], pcs[DUMP_MAX_DEPTH - 2]);
	ignore_frames(d, twin, &n);
	ck_assert_uint_eq(n, DUMP_MAX_DEPTH - 1);
}
END_TEST

/* No stack (id 0): the twin is the tag alone, which the dump keeps (a
 * stack line has at least one frame). */
START_TEST(no_stack_gets_the_tag_alone)
{
	struct stacks *d = stacks_new();
	stack_id_t twin = ignore_stack(d, 0);
	unsigned n;
	const uintptr_t *got = ignore_frames(d, twin, &n);

	ck_assert_uint_ne(twin, 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(got[0], IGNORE_TAG);
	ck_assert(!ignore_is_tagged(NULL, 0));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ignore");
	TCase *tc = tcase_create("ignore");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, twin_is_tagged_and_distinct);
	tcase_add_test(tc, full_depth_stack_keeps_its_depth);
	tcase_add_test(tc, no_stack_gets_the_tag_alone);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
