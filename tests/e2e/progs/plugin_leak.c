/*
 * plugin_leak.c - a shared library for dl_main.c: plugin_leak() leaks
 * 1 block of 123 bytes, plugin_churn() allocates and frees.
 */
#include <stdlib.h>

__attribute__((noinline)) void *
plugin_leak(void)
{
	void *p = malloc(123);

	/* not a tail call: this frame must stay on the stack */
	__asm__ volatile("" ::: "memory");
	return p;
}

void
plugin_churn(void)
{
	for (int i = 0; i < 10; i++)
		free(malloc(1000));
}
