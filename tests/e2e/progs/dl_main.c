/*
 * dl_main.c - dlopen(argv[1]), call its plugin_leak() and plugin_churn(),
 * keep the leaked block, dlclose() the library.
 * Expected dump: plugin_leak 1 123, with its first frame inside the library,
 * whose module line says "unloaded".
 */
#include <dlfcn.h>
#include <stdlib.h>

#include "e2e.h"

static void *kept;

int
main(int argc, char **argv)
{
	void *h;
	void *(*leak)(void);
	void (*churn)(void);

	if (argc != 2)
		return 2;
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		say("dlopen failed\n");
		return 1;
	}
	leak = (void *(*)(void))dlsym(h, "plugin_leak");
	churn = (void (*)(void))dlsym(h, "plugin_churn");
	if (leak == NULL || churn == NULL)
		return 1;
	kept = leak();
	churn();
	if (dlclose(h) != 0)
		return 1;
	say("plugin unloaded, block kept: %d\n", kept != NULL);
	kept = NULL;
	return 0;
}
