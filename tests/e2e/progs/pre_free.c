/*
 * pre_free.c - frees and reallocs memory that may have been allocated before
 * tracking began: blocks from a linked library's constructor
 * (preinit_lib.c), and the environment arrays setenv() builds. Must not
 * crash. Expected dump: env_leak 1 19 only.
 */
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

extern void *preinit_blocks[3];

NOINLINE static void *env_leak(void) { void *p = malloc(19); NO_TAIL_CALL(); return p; }

int
main(void)
{
	free(preinit_blocks[0]);
	preinit_blocks[1] = realloc(preinit_blocks[1], 4000);
	free(preinit_blocks[1]);
	free(preinit_blocks[2]);
	for (int i = 0; i < 50; i++) {
		char name[16];

		snprintf(name, sizeof(name), "E2E_VAR_%d", i);
		if (setenv(name, "value", 1) != 0)
			return 1;
	}
	if (unsetenv("E2E_VAR_7") != 0 || getenv("E2E_VAR_8") == NULL)
		return 1;
	/* clearenv() frees the environ array setenv() allocated. */
	if (clearenv() != 0 || setenv("E2E_AFTER", "1", 1) != 0)
		return 1;
	e2e_sink = env_leak();
	e2e_sink = NULL;
	say("environment rebuilt: %s\n", getenv("E2E_AFTER"));
	return 0;
}
