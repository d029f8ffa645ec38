/*
 * report_leaks.c - leak shapes for the leakreport e2e cases.
 *
 * direct_leaks(): 16 blocks of 256 bytes from make_buf(), lost.
 * list_leak(): a 4-node list from make_node(), head lost (1 definite, 3
 * indirect when the preload scans). helper_leak(): 1 block of 77 bytes,
 * allocated in a function whose source file is report_helper.c (#line), for
 * suppression by file. keep_global(): 1 block of 64 bytes kept in a global
 * (reachable). With the argument "extra", new_leak() also leaks 1 block of
 * 99 bytes. Lines the tests look up are marked "MARK:<name>".
 */
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

struct node {
	struct node *next;
	char pad[40];
};

void *report_global;

NOINLINE static char *
make_buf(void)
{
	return malloc(256);     /* MARK:make_buf */
}

NOINLINE static void
direct_leaks(void)
{
	for (int i = 0; i < 16; i++)
		e2e_sink = make_buf();  /* MARK:direct_leaks */
	e2e_sink = NULL;
}

NOINLINE static struct node *
make_node(struct node *next)
{
	struct node *n = malloc(sizeof(*n));    /* MARK:make_node */

	memset(n, 0, sizeof(*n));
	n->next = next;
	return n;
}

NOINLINE static void
list_leak(void)
{
	struct node *head = NULL;

	for (int i = 0; i < 4; i++)
		head = make_node(head);
	e2e_sink = head;
	head = NULL;
	e2e_sink = NULL;
}

NOINLINE static void
keep_global(void)
{
	report_global = malloc(64);
}

NOINLINE static void
new_leak(void)
{
	e2e_sink = malloc(99);  /* MARK:new_leak */
	e2e_sink = NULL;
}

void helper_leak(void);

int
main(int argc, char **argv)
{
	direct_leaks();
	list_leak();
	keep_global();
	helper_leak();
	if (argc > 1 && strcmp(argv[1], "extra") == 0)
		new_leak();
	say("report_leaks done\n");
	return 0;
}

#line 1 "report_helper.c"
NOINLINE void
helper_leak(void)
{
	e2e_sink = malloc(77);
	e2e_sink = NULL;
}
