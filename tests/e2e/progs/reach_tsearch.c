/*
 * reach_tsearch.c - the program's own tsearch() tree, its root in a
 * global: glibc keeps a node's colour in the low bit of its pointer to the
 * left child, so every left child of a red node is held by its address
 * plus one, an interior pointer. Such nodes (and what hangs under them)
 * are possibly lost, for Valgrind and for libleak alike: only the trees
 * libc builds for itself (setenv's, libc_setenv.c) are reachable by
 * policy. 32 keys inserted in order, the nodes 24 bytes each.
 * Expected: possible 12 blocks 288 bytes, reachable 20 blocks 480 bytes.
 */
#include <search.h>

#include "e2e.h"

static int keys[32];
void *g_tree;

static int
cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

NOINLINE static void
build(void)
{
	for (int i = 0; i < 32; i++) {
		keys[i] = i;
		tsearch(&keys[i], &g_tree, cmp);
	}
	NO_TAIL_CALL();
}

int
main(void)
{
	build();
	e2e_scrub_stack();
	say("own tree\n");
	return 0;
}
