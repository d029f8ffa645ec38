/*
 * prot_none.c - makes a page of a live heap block PROT_NONE (a guard
 * page, as sigsetjmp/SIGSEGV recovery schemes and some allocators' debug
 * modes do) and keeps it until exit. The block (3 pages, page-aligned) is
 * held by a global and holds, in its readable first page, the only
 * pointer to a 48-byte child; a 24-byte block is leaked. The exit scan must
 * not fault: exit status 0, a dump with 1 definite block of 24 bytes,
 * reachable 2 blocks (12336 bytes), and 4096 bytes the scan could not read.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "e2e.h"

static char *g_guarded;

int
main(void)
{
	void *p;

	if (posix_memalign(&p, 4096, 3 * 4096) != 0)
		return 1;
	g_guarded = p;
	memset(g_guarded, 0, 3 * 4096);
	*(void **)g_guarded = malloc(48);
	if (mprotect(g_guarded + 4096, 4096, PROT_NONE) != 0)
		return 2;
	e2e_sink = malloc(24);
	e2e_sink = NULL;
	say("guarded\n");
	return 0;
}
