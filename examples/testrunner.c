/*
 * testrunner.c - a tiny test runner that checks for leaks after each test.
 *
 * Each test is a function. After each one the runner calls
 * leak_check_now(): libleak scans the heap while the program runs and
 * returns how many blocks were lost since the previous check, so a leak
 * is blamed on the test that made it, and only on that one. The check
 * writes a dump (kind `check`); when a test leaked, the runner shows
 * leakreport's view of that dump: the leaking stack.
 *
 *   cc -g -I/usr/local/include -o testrunner examples/testrunner.c
 *   leakcheck -- ./testrunner          # or LD_PRELOAD=.../libleak.so ./testrunner
 *
 * Without libleak.so loaded every check is skipped (-1) and every test
 * passes: the program is the same. Exit status: the number of tests that
 * failed (leaked), at most 100.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libleak.h"

struct node {
	struct node *next;
	char name[24];
};

static struct node *cache; /* reachable: kept on purpose, never a leak */

static void
test_list_is_freed(void)
{
	struct node *head = NULL;

	for (int i = 0; i < 10; i++) {
		struct node *n = malloc(sizeof(*n));

		n->next = head;
		head = n;
	}
	while (head != NULL) {
		struct node *next = head->next;

		free(head);
		head = next;
	}
}

static void
test_cache_is_kept(void)
{
	cache = calloc(1, sizeof(*cache));
	strcpy(cache->name, "kept");
}

static char *
make_label(const char *s)
{
	char *p = malloc(strlen(s) + 8);

	sprintf(p, "label:%s", s);
	return p;
}

static void
test_label_leaks(void)
{
	char *l = make_label("x");

	if (strlen(l) == 0)
		abort();
	/* forgot free(l) */
}

static const struct test {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "list_is_freed", test_list_is_freed },
	{ "cache_is_kept", test_cache_is_kept },
	{ "label_leaks", test_label_leaks },
};

/* The newest check dump of this process, leak.PID.N.dump, in the
 * directory of $LEAK_OUTPUT (leakcheck sets it) or else the current one
 * (libleak's default); "" when there is none. */
static void
newest_dump(char *out, size_t cap)
{
	char prefix[32], dir[256] = ".";
	const char *o = getenv("LEAK_OUTPUT");
	const char *slash = o != NULL ? strrchr(o, '/') : NULL;
	unsigned long best = 0;

	if (slash != NULL && (size_t)(slash - o) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - o), o);
	DIR *d = opendir(dir);
	struct dirent *e;

	out[0] = '\0';
	snprintf(prefix, sizeof(prefix), "leak.%d.", (int)getpid());
	while (d != NULL && (e = readdir(d)) != NULL) {
		unsigned long seq;
		char rest[8];

		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
		    sscanf(e->d_name + strlen(prefix), "%lu.%7s", &seq, rest) == 2 &&
		    strcmp(rest, "dump") == 0 && seq > best) {
			best = seq;
			snprintf(out, cap, "%s/%s", dir, e->d_name);
		}
	}
	if (d != NULL)
		closedir(d);
}

int
main(void)
{
	int failed = 0;

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		tests[i].fn();
		int lost = leak_check_now();

		if (lost <= 0) {
			printf("PASS %s\n", tests[i].name);
			continue;
		}
		printf("FAIL %s: %d block(s) leaked\n", tests[i].name, lost);
		failed++;
		char dump[512], cmd[768];

		newest_dump(dump, sizeof(dump));
		fflush(stdout);
		if (dump[0] != '\0' && getenv("LEAKREPORT") != NULL) {
			snprintf(cmd, sizeof(cmd), "\"$LEAKREPORT\" --fail-on none %s", dump);
			if (system(cmd) != 0)
				printf("  (leakreport failed on %s)\n", dump);
		} else if (dump[0] != '\0') {
			printf("  see: leakreport %s\n", dump);
		}
	}
	printf("%d of %zu tests failed\n", failed, sizeof(tests) / sizeof(tests[0]));
	return failed > 100 ? 100 : failed;
}
