/*
 * ownstack.c - runs a function on a stack of libleak's own, through
 * glibc's ucontext calls (makecontext, swapcontext).
 *
 * The two contexts (about 1 KB each, with the FPU state) and the call live
 * at the top of the new mapping, not in the caller's frame: the caller's
 * stack may be nearly full, which is why we are here. The mapping is arena
 * memory, so the exit scan never takes it for a root (arena.h); the
 * caller's own stack is scanned as before, from where the caller said its
 * live part starts. makecontext() passes only int arguments: the frame's
 * address goes as two halves.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <ucontext.h>

#include "base/arena.h"
#include "base/ownstack.h"

struct frame {
	ucontext_t back; /* the caller's context, resumed when fn returns */
	ucontext_t run;  /* fn's, on the new stack */
	void (*fn)(void *);
	void *arg;
};

static void
enter(unsigned hi, unsigned lo)
{
	struct frame *f = (struct frame *)(((uintptr_t)hi << 32) | (uintptr_t)lo);

	f->fn(f->arg);
	/* Returning resumes f->back (uc_link). */
}

bool
ownstack_run(void (*fn)(void *), void *arg, size_t size)
{
	char *base = size > sizeof(struct frame) + 4096 ? arena_map(size) : NULL;

	if (base == NULL)
		return false;
	/* The frame at the top, 64-aligned; the stack below it. */
	uintptr_t top = ((uintptr_t)base + size - sizeof(struct frame)) & ~(uintptr_t)63;
	struct frame *f = (struct frame *)top;

	f->fn = fn;
	f->arg = arg;
	if (getcontext(&f->run) != 0) {
		arena_unmap(base, size);
		return false;
	}
	f->run.uc_stack.ss_sp = base;
	f->run.uc_stack.ss_size = top - (uintptr_t)base;
	f->run.uc_link = &f->back;
	makecontext(&f->run, (void (*)(void))enter, 2, (unsigned)(top >> 32), (unsigned)top);
	bool ran = swapcontext(&f->back, &f->run) == 0;

	arena_unmap(base, size);
	return ran;
}
