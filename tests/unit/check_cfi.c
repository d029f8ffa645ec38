/*
 * check_cfi.c - cfi.c: the unwind rule at a return address, against
 * libunwind's cursor walk (the naive model) over this test's own frames.
 *
 * A recursion of functions with different frame sizes, built with the
 * suite's -O2 (no frame pointers), walks its own stack with libunwind at
 * the bottom; for every frame whose return address cfi_rule() calls
 * CFI_SP, the distance it gives must be the distance libunwind saw between
 * the slots of that return address and the next. The test's own frames
 * must all be CFI_SP, and the walk must end on a CFI_END frame (_start).
 * Also: a frame sized at run time (alloca: its CFA comes from RBP) is
 * CFI_OTHER, and so is an address in no module.
 */
#define _GNU_SOURCE
#include <alloca.h>
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "track/cfi.h"

#define WALK_MAX 256

struct walk {
	unsigned n;
	uintptr_t ip[WALK_MAX];
	uintptr_t sp[WALK_MAX]; /* the callee's CFA: the slot of ip plus 8 */
};

static void
walk_here(struct walk *w)
{
	unw_context_t uc;
	unw_cursor_t cur;

	w->n = 0;
	ck_assert(unw_getcontext(&uc) == 0);
	ck_assert(unw_init_local(&cur, &uc) == 0);
	while (w->n < WALK_MAX && unw_step(&cur) > 0) {
		unw_word_t ip, sp;

		unw_get_reg(&cur, UNW_REG_IP, &ip);
		unw_get_reg(&cur, UNW_REG_SP, &sp);
		w->ip[w->n] = ip;
		w->sp[w->n] = sp;
		w->n++;
	}
}

static volatile uintptr_t sink;

typedef void (*step_fn)(struct walk *, int);
static step_fn steps[3];

#define STEP(k, words)                                                          \
	static __attribute__((noinline)) void step##k(struct walk *w, int left) \
	{                                                                       \
		volatile uintptr_t pad[words];                                  \
                                                                                \
		pad[0] = (uintptr_t)left;                                       \
		if (left == 0)                                                  \
			walk_here(w);                                           \
		else                                                            \
			steps[left % 3](w, left - 1);                           \
		sink = pad[0];                                                  \
	}
STEP(0, 3)
STEP(1, 17)
STEP(2, 64)

/* Counts the frames of w that cfi_rule() answers with `want`, checking
 * every CFI_SP distance against libunwind's. */
static unsigned
check_walk(const struct walk *w, int want)
{
	unsigned got = 0;

	for (unsigned k = 0; k + 1 < w->n; k++) {
		int32_t off = 0;
		int rule = cfi_rule(w->ip[k], &off);

		if (rule == CFI_SP)
			ck_assert_msg((uintptr_t)off == w->sp[k + 1] - w->sp[k],
			    "frame %u (ip %#lx): cfi says %d, libunwind %ld", k,
			    (unsigned long)w->ip[k], off, (long)(w->sp[k + 1] - w->sp[k]));
		else
			ck_assert_msg(rule != CFI_END, "frame %u of %u: CFI_END before the last", k,
			    w->n);
		got += rule == want;
	}
	return got;
}

START_TEST(sp_rules_match_libunwind)
{
	static struct walk w;

	steps[0] = step0;
	steps[1] = step1;
	steps[2] = step2;
	step0(&w, 40);
	ck_assert_msg(w.n > 40, "libunwind walked %u frames", w.n);
	/* The 40 steps and walk_here's caller are ours: all CFI_SP. */
	ck_assert_msg(check_walk(&w, CFI_SP) >= 40, "only %u CFI_SP frames",
	    check_walk(&w, CFI_SP));
	int32_t off;
	ck_assert_msg(cfi_rule(w.ip[w.n - 1], &off) == CFI_END,
	    "the outermost frame (%#lx) is not CFI_END", (unsigned long)w.ip[w.n - 1]);
}
END_TEST

static __attribute__((noinline)) void
sized_at_run_time(struct walk *w, int n)
{
	volatile char *p = alloca((size_t)n);

	p[0] = 1;
	walk_here(w);
	sink = (uintptr_t)p[0];
}

START_TEST(alloca_frame_is_other)
{
	static struct walk w;
	int32_t off;

	sized_at_run_time(&w, 100 + (int)(sink & 1));
	ck_assert(w.n > 2);
	/* w.ip[0] returns into sized_at_run_time, whose CFA is RBP-based. */
	ck_assert_int_eq(cfi_rule(w.ip[0], &off), CFI_OTHER);
	check_walk(&w, CFI_SP);
}
END_TEST

START_TEST(no_module_is_other)
{
	int32_t off;
	void *heap = malloc(64);

	ck_assert_int_eq(cfi_rule((uintptr_t)heap + 8, &off), CFI_OTHER);
	ck_assert_int_eq(cfi_rule(0x1000, &off), CFI_OTHER);
	free(heap);
}
END_TEST

static Suite *
cfi_suite(void)
{
	Suite *s = suite_create("cfi");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, sp_rules_match_libunwind);
	tcase_add_test(tc, alloca_frame_is_other);
	tcase_add_test(tc, no_module_is_other);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(cfi_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
