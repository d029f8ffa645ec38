/*
 * check_roots.c - which memory the exit scan reads as roots (roots.c), on
 * this test process itself.
 *
 * Linked into the test executable, self.c takes the executable for
 * libleak (its own ELF header is __ehdr_start), so the executable's
 * writable segments are "our state": never a root. Its .bss past the last
 * file page is an anonymous mapping of its own in /proc/self/maps, which
 * roots_maps() once took for the program's memory (libleak.so's 800 KiB of
 * start-up and stack-cache state, scanned at every exit). The controls: an
 * anonymous mapping the test makes is a root, and so is the live stack.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/self.h"
#include "scan/roots.h"

#define CAP          4096
#define OWN_BSS      ((size_t)1 << 20)
#define READABLE_CAP 4096

/* The module id of a segment: this test has no module registry. */
uint32_t
modules_find(uintptr_t bias)
{
	(void)bias;
	return 0;
}

/* Big enough to reach past the last file page into a mapping of its own. */
static char own_bss[OWN_BSS];

static size_t
no_blocks(void *ctx, uintptr_t lo, uintptr_t hi, uintptr_t *spans, size_t max)
{
	(void)ctx, (void)lo, (void)hi, (void)spans, (void)max;
	return 0;
}

static bool
overlaps(const struct roots *r, uintptr_t lo, uintptr_t hi, enum root_kind *kind)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->r[i].lo < hi && r->r[i].hi > lo) {
			*kind = r->r[i].kind;
			return true;
		}
	return false;
}

static struct roots *
find_roots(void)
{
	struct roots *r = calloc(1, sizeof(*r));
	static struct readable rd, files, code;

	ck_assert_ptr_nonnull(r);
	self_init(); /* false only without ld.so; the executable is found either way */
	r->r = calloc(CAP, sizeof(r->r[0]));
	ck_assert_ptr_nonnull(r->r);
	r->cap = CAP;
	ck_assert(readable_init(&rd, READABLE_CAP) && readable_init(&files, READABLE_CAP) &&
	    readable_init(&code, READABLE_CAP));
	r->readable = &rd;
	r->files = &files;
	r->code = &code;
	roots_modules(r);
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	ck_assert_int_ge(roots_maps(r, NULL, 0, sp, (pid_t)syscall(SYS_gettid),
			     (uintptr_t)__builtin_thread_pointer(), no_blocks, NULL),
	    0);
	return r;
}

START_TEST(own_bss_is_no_root)
{
	volatile char *touch = own_bss;
	enum root_kind kind = ROOT_GLOBAL;

	for (size_t i = 0; i < OWN_BSS; i += 4096)
		touch[i] = 1; /* resident, as libleak's is once it runs */
	struct roots *r = find_roots();

	ck_assert_msg(!overlaps(r, (uintptr_t)own_bss, (uintptr_t)own_bss + OWN_BSS, &kind),
	    "our own .bss is a root of kind %d", (int)kind);
	free(r->r);
	free(r);
}
END_TEST

START_TEST(program_mapping_and_stack_are_roots)
{
	char *m = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile uintptr_t here = 1;
	enum root_kind kind = ROOT_GLOBAL;

	ck_assert(m != MAP_FAILED);
	m[0] = 1;
	struct roots *r = find_roots();

	ck_assert(overlaps(r, (uintptr_t)m, (uintptr_t)m + (1 << 16), &kind));
	ck_assert_int_eq(kind, ROOT_MAPPING);
	ck_assert(overlaps(r, (uintptr_t)&here, (uintptr_t)&here + sizeof(here), &kind));
	ck_assert_int_eq(kind, ROOT_THREAD);
	free(r->r);
	free(r);
	munmap(m, 1 << 16);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("roots");
	TCase *tc = tcase_create("roots");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, own_bss_is_no_root);
	tcase_add_test(tc, program_mapping_and_stack_are_roots);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
