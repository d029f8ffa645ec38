/*
 * check_heuristics.c - heuristics.c alone: each of Valgrind's interior-
 * pointer heuristics on blocks in the test's own memory, their look-alikes,
 * the mask, the vtable test (file-backed words, two function pointers into
 * code among the first 20), new T[0], never a word outside the readable
 * list (a PROT_NONE page next to the block would fault), and
 * LEAK_HEURISTICS parsing.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "scan/heuristics.h"

#define PAGE    ((uintptr_t)4096)
#define CODE_LO ((uintptr_t)0x10000) /* the fake executable mapping: never read */
#define CODE_HI ((uintptr_t)0x20000)

/* Three pages: [0] blocks, [1] PROT_NONE (not in the readable list),
 * [2] the "file-backed" page holding vtables. */
static char *mem;
static struct readable rd, files, code;
static struct heur_ctx ctx;

static void
setup(void)
{
	mem = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(mem != MAP_FAILED);
	ck_assert_int_eq(mprotect(mem + PAGE, PAGE, PROT_NONE), 0);
	ck_assert(readable_init(&rd, 4) && readable_init(&files, 4) && readable_init(&code, 4));
	readable_add(&rd, (uintptr_t)mem, (uintptr_t)mem + PAGE);
	readable_add(&rd, (uintptr_t)mem + 2 * PAGE, (uintptr_t)mem + 3 * PAGE);
	readable_add(&files, (uintptr_t)mem + 2 * PAGE, (uintptr_t)mem + 3 * PAGE);
	readable_add(&code, CODE_LO, CODE_HI);
	ctx =
	    (struct heur_ctx){ .readable = &rd, .files = &files, .code = &code, .mask = HEUR_ALL };
}

static void
teardown(void)
{
	readable_free(&rd);
	readable_free(&files);
	readable_free(&code);
	munmap(mem, 3 * PAGE);
}

static uintptr_t *
at(uintptr_t off)
{
	return (uintptr_t *)(mem + off);
}

static enum heur
interior(uintptr_t off, uint64_t size, uintptr_t ptr_off)
{
	return heur_interior(&ctx, (uintptr_t)mem + off, size, (uintptr_t)mem + ptr_off);
}

START_TEST(stdstring)
{
	at(0)[0] = 5;  /* length */
	at(0)[1] = 15; /* capacity: 24 + 15 + 1 bytes */
	ck_assert_int_eq(interior(0, 40, 24), HEUR_STDSTRING);
	at(0)[0] = 15; /* full */
	ck_assert_int_eq(interior(0, 40, 24), HEUR_STDSTRING);
	at(0)[0] = 16; /* longer than its capacity */
	ck_assert_int_eq(interior(0, 40, 24), HEUR_NONE);
	at(0)[0] = 0;
	ck_assert_int_eq(interior(0, 41, 24), HEUR_NONE); /* the size does not match */
	ck_assert_int_eq(interior(0, 40, 16), HEUR_NONE); /* not at the characters */
	at(0)[1] = 0;
	ck_assert_int_eq(interior(0, 25, 24), HEUR_STDSTRING); /* the empty string's rep */
	ck_assert_int_eq(interior(0, 24, 24), HEUR_NONE);      /* one past the end */
	ctx.mask = HEUR_ALL & ~(1u << HEUR_STDSTRING);
	ck_assert_int_eq(interior(0, 25, 24), HEUR_NONE);
}
END_TEST

START_TEST(length64)
{
	at(64)[0] = 32;
	ctx.mask = 1u << HEUR_LENGTH64;
	ck_assert_int_eq(interior(64, 40, 72), HEUR_LENGTH64);
	ck_assert_int_eq(interior(64, 41, 72), HEUR_NONE);
	ck_assert_int_eq(interior(64, 40, 80), HEUR_NONE);
	at(64)[0] = 0;
	ck_assert_int_eq(interior(64, 8, 72), HEUR_NONE); /* no length */
	/* length64 comes before newarray, which a length also satisfies */
	at(64)[0] = 32;
	ctx.mask = HEUR_ALL;
	ck_assert_int_eq(interior(64, 40, 72), HEUR_LENGTH64);
	ctx.mask = 1u << HEUR_NEWARRAY;
	ck_assert_int_eq(interior(64, 40, 72), HEUR_NEWARRAY);
}
END_TEST

START_TEST(newarray)
{
	at(128)[0] = 5; /* new T[5], T of 8 bytes */
	ck_assert_int_eq(interior(128, 48, 136), HEUR_NEWARRAY);
	ck_assert_int_eq(interior(128, 8 + 5 * 24, 136), HEUR_NEWARRAY);
	ck_assert_int_eq(interior(128, 8 + 5 * 24 + 1, 136), HEUR_NONE);
	ck_assert_int_eq(interior(128, 48, 144), HEUR_NONE); /* the second element */
	at(128)[0] = 0;
	ck_assert_int_eq(interior(128, 48, 136), HEUR_NONE);
	at(128)[0] = 1;
	ck_assert_int_eq(interior(128, 11, 136), HEUR_NEWARRAY); /* three byte-sized elements */
	ck_assert_int_eq(interior(128, 9, 136), HEUR_LENGTH64);  /* one: its length too */
	ctx.mask = HEUR_ALL & ~(1u << HEUR_NEWARRAY);
	ck_assert_int_eq(interior(128, 11, 136), HEUR_NONE);
}
END_TEST

/* A vtable at page 2 + voff with functions at slots `fns` (the rest 0). */
static uintptr_t
vtable(uintptr_t voff, const unsigned *fns, size_t n)
{
	uintptr_t *v = at(2 * PAGE + voff);

	memset(v, 0, 24 * 8 < PAGE - voff ? 24 * 8 : PAGE - voff);
	for (size_t k = 0; k < n; k++)
		v[fns[k]] = CODE_LO + 0x40 * (k + 1);
	return (uintptr_t)v;
}

START_TEST(multiple_inheritance)
{
	static const unsigned two[] = { 2, 3 }, late[] = { 0, 19 }, too_late[] = { 0, 20 },
			      one[] = { 2 };
	uintptr_t primary = vtable(0, two, 2), second = vtable(256, late, 2);

	at(256)[0] = primary;
	at(256)[2] = second;
	ck_assert_int_eq(interior(256, 64, 272), HEUR_MULTIPLE);
	ck_assert_int_eq(interior(256, 64, 276), HEUR_NONE); /* unaligned */
	ck_assert_int_eq(interior(256, 64, 264), HEUR_NONE); /* no vtable there */
	at(256)[2] = vtable(512, too_late, 2);               /* second function at slot 20 */
	ck_assert_int_eq(interior(256, 64, 272), HEUR_NONE);
	at(256)[2] = vtable(768, one, 1);
	ck_assert_int_eq(interior(256, 64, 272), HEUR_NONE);
	at(256)[2] = second;
	at(256)[0] = 0x1234; /* the block's start holds none */
	ck_assert_int_eq(interior(256, 64, 272), HEUR_NONE);
	at(256)[0] = primary;
	/* a function pointer that is not code */
	uintptr_t *v = (uintptr_t *)second;

	v[19] = (uintptr_t)mem;
	ck_assert_int_eq(interior(256, 64, 272), HEUR_NONE);
	v[19] = CODE_HI; /* one past the code */
	ck_assert_int_eq(interior(256, 64, 272), HEUR_NONE);
	v[19] = CODE_HI - 1;
	ck_assert_int_eq(interior(256, 64, 272), HEUR_MULTIPLE);
	/* a vtable pointer into anonymous (not file-backed) memory */
	memcpy(at(512), (void *)second, 24 * 8);
	at(256)[2] = (uintptr_t)at(512);
	ck_assert_int_eq(interior(256, 64, 272), HEUR_NONE);
	/* low addresses are never vtables */
	at(256)[2] = 8;
	ck_assert_int_eq(interior(256, 64, 272), HEUR_NONE);
	ctx.mask = HEUR_ALL & ~(1u << HEUR_MULTIPLE);
	at(256)[2] = second;
	ck_assert_int_eq(interior(256, 64, 272), HEUR_NONE);
}
END_TEST

/* A vtable at the end of the file-backed page: its scan stops at the end
 * of the mapping rather than read past it. */
START_TEST(vtable_at_the_end_of_its_mapping)
{
	static const unsigned first[] = { 0 };
	uintptr_t v = vtable(PAGE - 16, first, 1); /* two words left */

	at(0)[0] = v;
	at(0)[1] = v;
	ck_assert_int_eq(interior(0, 32, 8), HEUR_NONE);
	((uintptr_t *)v)[1] = CODE_LO + 8; /* two functions: it is one */
	ck_assert_int_eq(interior(0, 32, 8), HEUR_MULTIPLE);
}
END_TEST

/* Only readable words are read: a block whose words lie on the PROT_NONE
 * page is refused without a fault. */
START_TEST(never_reads_outside_the_readable_list)
{
	uintptr_t start = PAGE - 8; /* its second word is unreadable */

	at(start)[0] = 15;
	ck_assert_int_eq(interior(start, 40, start + 24), HEUR_NONE);
	ck_assert_int_eq(interior(PAGE, 48, PAGE + 8), HEUR_NONE);
	ck_assert_int_eq(interior(PAGE, 64, PAGE + 16), HEUR_NONE);
	ck_assert(!heur_new_zero(&ctx, (uintptr_t)mem + PAGE, 8, (uintptr_t)mem + PAGE + 8));
	/* a vtable pointer to the unreadable page */
	at(0)[0] = (uintptr_t)mem + PAGE;
	at(0)[2] = (uintptr_t)mem + PAGE;
	ck_assert_int_eq(interior(0, 64, 16), HEUR_NONE);
}
END_TEST

START_TEST(new_zero)
{
	uintptr_t z = (uintptr_t)mem + 512;

	at(512)[0] = 0;
	ck_assert(heur_new_zero(&ctx, z, 8, z + 8));
	ck_assert(!heur_new_zero(&ctx, z, 8, z + 7));
	ck_assert(!heur_new_zero(&ctx, z, 16, z + 16)); /* only an 8-byte block */
	at(512)[0] = 1;
	ck_assert(!heur_new_zero(&ctx, z, 8, z + 8));
	at(512)[0] = 0;
	ctx.mask = HEUR_ALL & ~(1u << HEUR_NEWARRAY);
	ck_assert(!heur_new_zero(&ctx, z, 8, z + 8));
	ctx.mask = 1u << HEUR_NEWARRAY;
	ck_assert(heur_new_zero(&ctx, z, 8, z + 8));
}
END_TEST

START_TEST(mask_zero_accepts_nothing)
{
	static const unsigned two[] = { 2, 3 };

	ctx.mask = 0;
	at(0)[0] = 5;
	at(0)[1] = 15;
	ck_assert_int_eq(interior(0, 40, 24), HEUR_NONE);
	at(64)[0] = 32;
	ck_assert_int_eq(interior(64, 40, 72), HEUR_NONE);
	at(256)[0] = at(256)[2] = vtable(0, two, 2);
	ck_assert_int_eq(interior(256, 64, 272), HEUR_NONE);
	at(512)[0] = 0;
	ck_assert(!heur_new_zero(&ctx, (uintptr_t)mem + 512, 8, (uintptr_t)mem + 520));
}
END_TEST

START_TEST(parse)
{
	ck_assert_int_eq(heur_parse("all"), (int)HEUR_ALL);
	ck_assert_int_eq(heur_parse("none"), 0);
	ck_assert_int_eq(heur_parse("stdstring"), 1 << HEUR_STDSTRING);
	ck_assert_int_eq(heur_parse("length64"), 1 << HEUR_LENGTH64);
	ck_assert_int_eq(heur_parse("newarray"), 1 << HEUR_NEWARRAY);
	ck_assert_int_eq(heur_parse("multipleinheritance"), 1 << HEUR_MULTIPLE);
	ck_assert_int_eq(heur_parse("multipleinheritance,stdstring"),
	    1 << HEUR_MULTIPLE | 1 << HEUR_STDSTRING);
	ck_assert_int_eq(heur_parse("stdstring,length64,newarray,multipleinheritance"),
	    (int)HEUR_ALL);
	ck_assert_int_eq(heur_parse(""), -1);
	ck_assert_int_eq(heur_parse(","), -1);
	ck_assert_int_eq(heur_parse("newarray,"), -1);
	ck_assert_int_eq(heur_parse(",newarray"), -1);
	ck_assert_int_eq(heur_parse("newarray,,length64"), -1);
	ck_assert_int_eq(heur_parse("new"), -1);
	ck_assert_int_eq(heur_parse("newarrays"), -1);
	ck_assert_int_eq(heur_parse("NewArray"), -1);
	ck_assert_int_eq(heur_parse("all,newarray"), -1);
	ck_assert_int_eq(heur_parse("none,newarray"), -1);
	ck_assert_int_eq(heur_parse(" newarray"), -1);
}
END_TEST

static Suite *
heuristics_suite(void)
{
	Suite *s = suite_create("heuristics");
	TCase *tc = tcase_create("heuristics");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, stdstring);
	tcase_add_test(tc, length64);
	tcase_add_test(tc, newarray);
	tcase_add_test(tc, multiple_inheritance);
	tcase_add_test(tc, vtable_at_the_end_of_its_mapping);
	tcase_add_test(tc, never_reads_outside_the_readable_list);
	tcase_add_test(tc, new_zero);
	tcase_add_test(tc, mask_zero_accepts_nothing);
	tcase_add_test(tc, parse);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(heuristics_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
