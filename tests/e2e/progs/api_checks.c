/* api_checks.c - leak_check_now() after each "test": a leak is reported
 * by the check after it happens and by no later one. Built with libleak.h
 * and nothing else: without the preload every call is skipped (-1). */
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "libleak.h"

static void *kept;

NOINLINE static void
test_leaks_once(void)
{
	char *p = malloc(48);

	memset(p, 'a', 48);
	e2e_sink = NULL;
	NO_TAIL_CALL();
}

NOINLINE static void
test_keeps(void)
{
	kept = malloc(64); /* reachable: never a leak */
	NO_TAIL_CALL();
}

NOINLINE static void
test_leaks_twice(void)
{
	for (int i = 0; i < 2; i++)
		memset(malloc(80), 'b', 80);
	NO_TAIL_CALL();
}

int
main(void)
{
	int n[4];

	test_leaks_once();
	n[0] = leak_check_now();
	test_keeps();
	n[1] = leak_check_now();
	test_leaks_twice();
	n[2] = leak_check_now();
	n[3] = leak_check_now();
	say("checks %d %d %d %d\n", n[0], n[1], n[2], n[3]);
	return 0;
}
