/*
 * check_libctree.c - libctree.c: finds glibc's tsearch() and libc's text,
 * and takes a block for a node of libc's own tree only when tsearch
 * allocated it for a caller inside libc. The tree itself (setenv's, the
 * colour bit in its left pointers) is tests/e2e's reach_libc_setenv_tree.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <stdint.h>
#include <stdlib.h>

#include "scan/libctree.h"

static Suite *libctree_suite(void); /* its address: code outside libc */

START_TEST(finds_tsearch_in_libc)
{
	struct libctree t;
	Dl_info a, b;

	libctree_find(&t);
	/* The loader's answer for libc's own tsearch (a sanitizer's runtime
	 * may interpose the name: libc's handle asks libc first). */
	ck_assert(dladdr((void *)&gnu_get_libc_version, &b) != 0);
	void *libc = dlopen(b.dli_fname, RTLD_NOLOAD | RTLD_LAZY);
	ck_assert_ptr_nonnull(libc);
	void *fn = dlsym(libc, "tsearch");
	ck_assert(fn != NULL && dladdr(fn, &a) != 0);
	ck_assert_ptr_eq(a.dli_fbase, b.dli_fbase);
	ck_assert_uint_eq(t.fn_lo, (uintptr_t)fn);
	ck_assert_uint_gt(t.fn_hi, t.fn_lo + 16); /* a function, not a stub */
	ck_assert_uint_le(t.libc_lo, t.fn_lo);
	ck_assert_uint_le(t.fn_hi, t.libc_hi);
	ck_assert_uint_ge((uintptr_t)&gnu_get_libc_version, t.libc_lo);
	ck_assert_uint_lt((uintptr_t)&gnu_get_libc_version, t.libc_hi);
	dlclose(libc);
}
END_TEST

START_TEST(libc_caller_only)
{
	struct libctree t;

	libctree_find(&t);
	uintptr_t in_fn = t.fn_lo + 8, in_libc = (uintptr_t)&gnu_get_libc_version + 4;
	uintptr_t in_test = (uintptr_t)&libctree_suite;
	uintptr_t libc_node[] = { in_fn, in_libc, in_test };
	uintptr_t program_node[] = { in_fn, in_test };
	uintptr_t other[] = { in_libc, in_libc };
	uintptr_t past[] = { t.fn_hi, in_libc };

	ck_assert(libctree_is_node(&t, libc_node, 3));
	ck_assert(libctree_is_node(&t, libc_node, 2));
	ck_assert(!libctree_is_node(&t, libc_node, 1)); /* the caller unknown */
	ck_assert(!libctree_is_node(&t, program_node, 2));
	ck_assert(!libctree_is_node(&t, other, 2));
	ck_assert(!libctree_is_node(&t, past, 2));
	ck_assert(!libctree_is_node(&t, NULL, 0));
	struct libctree off = { 0 };
	ck_assert(!libctree_is_node(&off, libc_node, 3)); /* not found: never */
}
END_TEST

static Suite *
libctree_suite(void)
{
	Suite *s = suite_create("libctree");
	TCase *tc = tcase_create("libctree");

	tcase_add_test(tc, finds_tsearch_in_libc);
	tcase_add_test(tc, libc_caller_only);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(libctree_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
