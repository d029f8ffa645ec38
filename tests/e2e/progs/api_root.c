/* api_root.c - leak_register_root(): a region the scan cannot know holds
 * pointers (here inside a block the program dropped its pointer to, as a
 * pool whose owner keeps it in a hashed form) keeps its targets alive
 * until it is unregistered. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "libleak.h"

static uintptr_t pool_hidden; /* the pool's address, disguised */

NOINLINE static void *
pool_target(void)
{
	void *p = malloc(56);

	NO_TAIL_CALL();
	return p;
}

NOINLINE static void **
pool_make(void)
{
	void **pool = malloc(128);

	NO_TAIL_CALL();
	return pool;
}

NOINLINE static int
setup(void)
{
	void **pool = pool_make();

	memset(pool, 0, 128);
	pool[3] = pool_target();
	pool_hidden = (uintptr_t)pool ^ 0x5a5a5a5a5a5aul;
	return leak_register_root(pool, 128);
}

int
main(int argc, char **argv)
{
	int r = setup();
	int n = leak_check_now(); /* the pool itself is lost; its target is not */
	int bad = leak_unregister_root((void *)0x10, 8); /* never registered */
	void **pool = (void **)(pool_hidden ^ 0x5a5a5a5a5a5aul);
	int u = argc > 1 && strcmp(argv[1], "unregister") == 0 ? leak_unregister_root(pool, 128) : 0;

	say("root %d check %d unregister %d %d\n", r, n, bad, u);
	return 0;
}
