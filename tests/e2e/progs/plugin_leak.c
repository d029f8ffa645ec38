/*
 * plugin_leak.c - a shared library for dl_main.c: plugin_leak() leaks
 * 1 block of 123 bytes, plugin_churn() allocates and frees.
 */
#include <stdlib.h>

__attribute__((noinline)) void *
plugin_leak(void)
{
	return malloc(123);
}

void
plugin_churn(void)
{
	for (int i = 0; i < 10; i++)
		free(malloc(1000));
}
