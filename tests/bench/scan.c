/*
 * scan.c - benchmark workload: a million live blocks at exit, most reachable.
 *
 * Allocates SCAN_BLOCKS blocks of 64 bytes and stores SCAN_BLOCKS - 1 in 100
 * of them in a global array (a root in .bss); the rest are dropped (definite
 * leaks). Nothing is freed. The exit-time reachability scan has to mark a
 * million blocks from the globals, which is what scripts/bench measures by
 * comparing LEAK_REACHABILITY=0 with the default. With BENCH_CHECK_NOW=1 in
 * the environment it also calls leak_check_now() once before it returns:
 * the same scan while the program runs (scripts/bench times it against the
 * exit scan). Run by scripts/bench; no arguments. Exit status: 0, or 2 on
 * bad usage or a failed allocation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_BLOCKS 1000000

/* Not static: the compiler must keep a global that is only written to. */
void *scan_roots[SCAN_BLOCKS];
static volatile uintptr_t scan_sink;

/* libleak.h's, declared here: without libleak.so it is NULL. */
int leak_check_now(void) __attribute__((weak));

int
main(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "scan: usage: scan (no arguments)\n");
		return 2;
	}
	for (size_t i = 0; i < SCAN_BLOCKS; i++) {
		char *p = malloc(64);

		if (p == NULL) {
			fprintf(stderr, "scan: allocation failed\n");
			return 2;
		}
		memset(p, 0, 64);
		if (i % 100 == 99)
			scan_sink = (uintptr_t)p;       /* dropped: a definite leak */
		else
			scan_roots[i] = p;
	}
	scan_sink = 0;
	if (getenv("BENCH_CHECK_NOW") != NULL && leak_check_now != NULL && leak_check_now() < 0) {
		fprintf(stderr, "scan: leak_check_now() failed\n");
		return 2;
	}
	return 0;
}
