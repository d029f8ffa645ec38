/*
 * config.c - LEAK_OUTPUT, LEAK_DEPTH, LEAK_QUIET, LEAK_REACHABILITY and the
 * LEAK_FAULT_MMAP test
 * knob, parsed once by init.c's constructor.
 *
 * Values are copied into static storage: the program may change its
 * environment later, and the dump must still know where to go. No allocation,
 * no stdio: this runs while the real allocator may still be unknown.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "dumpfmt.h"
#include "fmt.h"

struct config lk_config = {
	.output = "leak.%p.dump",
	.depth = 32,
	.quiet = false,
	.reachability = true,
};

/* Strict unsigned decimal: digits only, no sign, no overflow past max. */
static bool
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

void
config_load(void)
{
	const char *s;
	unsigned long v;

	s = getenv("LEAK_OUTPUT");
	if (s != NULL) {
		size_t n = strlen(s);

		if (n == 0 || n >= sizeof(lk_config.output))
			fmt_log("LEAK_OUTPUT is empty or too long; using ",
			    lk_config.output, NULL);
		else
			memcpy(lk_config.output, s, n + 1);
	}
	s = getenv("LEAK_DEPTH");
	if (s != NULL) {
		if (parse_ulong(s, DUMP_MAX_DEPTH, &v) && v >= 1)
			lk_config.depth = (int)v;
		else
			fmt_log("LEAK_DEPTH='", s, "' is not a number from 1 to 256; using 32", NULL);
	}
	s = getenv("LEAK_QUIET");
	lk_config.quiet = s != NULL && strcmp(s, "1") == 0;
	s = getenv("LEAK_REACHABILITY");
	if (s != NULL) {
		if (strcmp(s, "0") == 0)
			lk_config.reachability = false;
		else if (strcmp(s, "1") != 0)
			fmt_log("LEAK_REACHABILITY='", s, "' is neither 0 nor 1; scanning", NULL);
	}
	s = getenv("LEAK_FAULT_MMAP");
	if (s != NULL && parse_ulong(s, 1000000, &v))
		arena_set_fault((long)v);
}
