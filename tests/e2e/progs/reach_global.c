/*
 * reach_global.c - blocks held from module data: a global pointer to a
 * 100-byte block that points to a 24-byte child, and a function-static
 * pointer to a 200-byte block. Expected (both tools): reachable 3 blocks,
 * 328 bytes; nothing lost.
 */
#include <stdlib.h>

#include "e2e.h"

struct node {
	struct node *child;
	char pad[96];
};

struct node *g_root;

NOINLINE static void
keep_static(void)
{
	static char *held;

	if (held == NULL)
		held = malloc(200);
	NO_TAIL_CALL();
}

int
main(void)
{
	g_root = malloc(sizeof(*g_root));
	g_root->child = malloc(24);
	keep_static();
	say("global and static\n");
	return 0;
}
