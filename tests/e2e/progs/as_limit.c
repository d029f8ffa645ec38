/*
 * as_limit.c - allocates COUNT blocks of 1,000 bytes and keeps them, under
 * whatever address-space limit (ulimit -v) it was given. Prints "ok" and
 * its peak address space (VmPeak, kB), or "malloc failed at I" and exits
 * 1. Usage: as_limit COUNT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

int
main(int argc, char **argv)
{
	long n = argc == 2 ? atol(argv[1]) : 0;
	char **keep = malloc((size_t)(n > 0 ? n : 1) * sizeof(*keep));
	char line[256];
	FILE *f;

	if (keep == NULL) {
		say("malloc failed at the array\n");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		keep[i] = malloc(1000);
		if (keep[i] == NULL) {
			say("malloc failed at %ld\n", i);
			return 1;
		}
		memset(keep[i], 1, 16);
	}
	f = fopen("/proc/self/status", "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmPeak:", 7) == 0)
			say("ok %ld\n", atol(line + 7));
	return 0;
}
