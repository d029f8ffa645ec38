/* api_ignore.c - leak_ignore() and leak_disable()/leak_enable(): what the
 * program asked never to report, and what only that reaches, is not
 * reported; a block of a disabled scope still keeps its targets alive. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>

#include "e2e.h"
#include "libleak.h"

struct node {
	struct node *next;
	char pad[40];
};

NOINLINE static struct node *
ignored_head(void)
{
	struct node *n = malloc(sizeof(*n));

	NO_TAIL_CALL();
	return n;
}

NOINLINE static struct node *
ignored_child(void)
{
	struct node *n = malloc(sizeof(*n));

	NO_TAIL_CALL();
	return n;
}

NOINLINE static struct node *
in_disabled_scope(void)
{
	struct node *n = malloc(sizeof(*n));

	NO_TAIL_CALL();
	return n;
}

NOINLINE static struct node *
kept_by_disabled(void)
{
	struct node *n = malloc(sizeof(*n));

	NO_TAIL_CALL();
	return n;
}

NOINLINE static void
plain_leak(void)
{
	memset(malloc(24), 0, 24);
	NO_TAIL_CALL();
}

NOINLINE static void
setup(int *rc)
{
	struct node *h = ignored_head();

	h->next = ignored_child();
	h->next->next = NULL;
	rc[0] = leak_ignore((char *)h + 17); /* an interior pointer */
	rc[1] = leak_ignore(h);              /* again: still fine */
	int local;
	rc[2] = leak_ignore(&local); /* not a heap block: one line, nothing */

	struct node *target = kept_by_disabled();
	leak_disable();
	leak_disable(); /* nested */
	struct node *d = in_disabled_scope();
	int fd = open("/dev/null", O_RDONLY); /* a descriptor of the scope: never reported */
	leak_enable();
	struct node *d2 = in_disabled_scope(); /* still disabled */
	leak_enable();
	d->next = target;
	target->next = NULL;
	d2->next = NULL;
	e2e_sink = NULL;
	rc[2] += fd < 0; /* -1 either way; -2 if open failed */
}

int
main(void)
{
	int rc[3];

	setup(rc);
	plain_leak();
	leak_enable(); /* one too many: one line, nothing else */
	say("ignore %d %d %d\n", rc[0], rc[1], rc[2]);
	return 0;
}
