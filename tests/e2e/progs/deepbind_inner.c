/*
 * deepbind_inner.c - opened with RTLD_DEEPBIND by deepbind_lib.c's
 * db_nested(): inner_leak() leaks 1 block of 19 bytes.
 */
#include <stdlib.h>

__attribute__((noinline)) void *
inner_leak(void)
{
	return malloc(19);
}
