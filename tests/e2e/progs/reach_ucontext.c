/*
 * reach_ucontext.c - a thread that is running on a stack of its own making
 * when the process exits: main switches (swapcontext) to a coroutine whose
 * stack is a heap block, and the coroutine calls exit(). main's real stack
 * still holds, in a local, the only pointer to a 4096-byte block; the
 * coroutine's stack holds the only pointer to a 48-byte one. Expected (both
 * tools): nothing lost; reachable 4 blocks, 69712 bytes (the 64 KiB stack
 * block, held by a global, the two blocks, and the 32-byte ucontext holder).
 */
#include <stdlib.h>
#include <ucontext.h>

#include "e2e.h"

#define STACK_BYTES (64 * 1024)

static ucontext_t main_ctx, co_ctx;
static void *co_stack;
static void **g_holder;

NOINLINE static void
coroutine(void)
{
	void *volatile on_co_stack = malloc(48);

	say("coroutine exits\n");
	(void)on_co_stack;
	exit(0);
}

int
main(void)
{
	void *volatile on_main_stack = malloc(4096);

	g_holder = malloc(32);          /* a block of its own, held by a global */
	g_holder[0] = NULL;
	co_stack = malloc(STACK_BYTES);
	if (getcontext(&co_ctx) != 0)
		return 1;
	co_ctx.uc_stack.ss_sp = co_stack;
	co_ctx.uc_stack.ss_size = STACK_BYTES;
	co_ctx.uc_link = &main_ctx;
	makecontext(&co_ctx, coroutine, 0);
	if (swapcontext(&main_ctx, &co_ctx) != 0)
		return 1;
	(void)on_main_stack;
	return 2;                       /* not reached: the coroutine exits */
}
