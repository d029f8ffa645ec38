/*
 * retain_list.c - a singly linked list of 20,000 16-byte nodes (push_node)
 * held from the global g_list; the node at the far end points to one
 * 100-byte payload block (make_payload). Expected: the nodes and the
 * payload reachable; the payload's retainer is g_list (.bss) with all
 * 20,000 nodes in between: the 8 nearest the root listed as blocks of 16
 * bytes from push_node, 19,992 elided.
 */
#include <stdlib.h>

#include "e2e.h"

#define NODES 20000

struct node {
	struct node *next;
	void *data;
};

struct node *g_list;

NOINLINE static struct node *
push_node(struct node *after)
{
	struct node *n = malloc(sizeof(*n));

	n->next = NULL;
	n->data = NULL;
	if (after != NULL)
		after->next = n;
	NO_TAIL_CALL();
	return n;
}

NOINLINE static void *
make_payload(void)
{
	void *p = malloc(100);

	NO_TAIL_CALL();
	return p;
}

int
main(void)
{
	struct node *tail = NULL;

	for (int i = 0; i < NODES; i++) {
		tail = push_node(tail);
		if (g_list == NULL)
			g_list = tail;
	}
	tail->data = make_payload();
	tail = NULL;
	say("list of %d\n", NODES);
	return 0;
}
