/*
 * check_self.c - self.c: which module is libleak (here: this test's
 * executable, whose ELF header __ehdr_start names), the C library (by
 * gnu_get_libc_version's code) and ld.so (by AT_BASE), each found by
 * identity. The test looks the modules up by name to compare; self.c
 * never does. Each case runs in its own (forked) process, so the one
 * before self_init() sees it not yet called.
 */
#define _GNU_SOURCE
#include <check.h>
#include <gnu/libc-version.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "base/self.h"

struct seen {
	unsigned modules;
	unsigned libleak, libc, loader;
	const char *libc_name, *loader_name;
	uintptr_t loader_text, libc_text, exe_text;
	uintptr_t loader_lo, loader_hi, exe_lo, exe_hi; /* their executable segments */
	bool exe_is_libleak;
	bool loader_base_ok;
};

/* The first executable segment's start, plus 16. */
static uintptr_t
text_of(const struct dl_phdr_info *info)
{
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD && (info->dlpi_phdr[i].p_flags & PF_X))
			return info->dlpi_addr + info->dlpi_phdr[i].p_vaddr + 16;
	return 0;
}

/* The union of the executable segments. */
static void
text_range(const struct dl_phdr_info *info, uintptr_t *lo, uintptr_t *hi)
{
	*lo = UINTPTR_MAX;
	*hi = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		*lo = a < *lo ? a : *lo;
		*hi = a + ph->p_memsz > *hi ? a + ph->p_memsz : *hi;
	}
}

static int
visit(struct dl_phdr_info *info, size_t size, void *ctx)
{
	struct seen *s = ctx;
	const char *name = info->dlpi_name != NULL ? info->dlpi_name : "";

	(void)size;
	s->modules++;
	if (self_is_libleak(info)) {
		s->libleak++;
		s->exe_is_libleak = name[0] == '\0'; /* the executable's entry has no name */
		s->exe_text = text_of(info);
		text_range(info, &s->exe_lo, &s->exe_hi);
	}
	if (self_is_libc(info)) {
		s->libc++;
		s->libc_name = name;
		s->libc_text = text_of(info);
	}
	if (self_is_loader(info)) {
		s->loader++;
		s->loader_name = name;
		s->loader_text = text_of(info);
		text_range(info, &s->loader_lo, &s->loader_hi);
		s->loader_base_ok = info->dlpi_addr == getauxval(AT_BASE);
	}
	return 0;
}

static int
here(void)
{
	return 42;
}

START_TEST(each_module_found_once)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	ck_assert(self_init());
	ck_assert(self_init()); /* idempotent */
	dl_iterate_phdr(visit, &s);
	ck_assert_uint_ge(s.modules, 3);
	ck_assert_uint_eq(s.libleak, 1);
	ck_assert_uint_eq(s.libc, 1);
	ck_assert_uint_eq(s.loader, 1);
	ck_assert(s.exe_is_libleak);
	ck_assert_msg(strstr(s.libc_name, "libc.so") != NULL, "libc is %s", s.libc_name);
	ck_assert_msg(strstr(s.loader_name, "ld-linux") != NULL ||
		strstr(s.loader_name, "ld.so") != NULL,
	    "ld.so is %s", s.loader_name);
	ck_assert(s.loader_base_ok);
}
END_TEST

START_TEST(code_addresses)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	ck_assert(self_init());
	dl_iterate_phdr(visit, &s);
	ck_assert(self_in_loader(s.loader_text));
	ck_assert(!self_in_libleak(s.loader_text));
	ck_assert(self_in_libleak((uintptr_t)here));
	ck_assert(self_in_libleak(s.exe_text));
	ck_assert(!self_in_loader((uintptr_t)here));
	ck_assert(!self_in_loader(s.libc_text));
	ck_assert(!self_in_libleak(s.libc_text));
	ck_assert(!self_in_libleak((uintptr_t)&gnu_get_libc_version));
	ck_assert(!self_in_loader(0));
	ck_assert(!self_in_libleak(0));
	ck_assert(!self_in_loader(UINTPTR_MAX));
	ck_assert(!self_in_loader((uintptr_t)&s)); /* the stack */
	/* the ends of the ranges */
	ck_assert(self_in_loader(s.loader_lo));
	ck_assert(self_in_loader(s.loader_hi - 1));
	ck_assert(!self_in_loader(s.loader_hi));
	ck_assert(!self_in_loader(s.loader_lo - 1));
	ck_assert(self_in_libleak(s.exe_lo));
	ck_assert(self_in_libleak(s.exe_hi - 1));
	ck_assert(!self_in_libleak(s.exe_hi));
	ck_assert(!self_in_libleak(s.exe_lo - 1));
	ck_assert_int_eq(here(), 42);
}
END_TEST

/* Before self_init() nothing is anyone's. */
START_TEST(nothing_before_init)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	ck_assert(!self_in_libleak((uintptr_t)here));
	ck_assert(!self_in_loader((uintptr_t)here));
	dl_iterate_phdr(visit, &s);
	ck_assert_uint_eq(s.libleak, 0);
	ck_assert_uint_eq(s.loader, 0);
	ck_assert_uint_eq(s.libc, 1); /* by a function's address: always known */
}
END_TEST

static Suite *
self_suite(void)
{
	Suite *s = suite_create("self");
	TCase *tc = tcase_create("self");

	tcase_add_test(tc, each_module_found_once);
	tcase_add_test(tc, code_addresses);
	tcase_add_test(tc, nothing_before_init);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(self_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
