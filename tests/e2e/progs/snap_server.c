/*
 * snap_server.c - a small server-like program for the snapshot scenario:
 * it handles "requests" in a loop for about 1.5 s; each request leaks one
 * 48-byte object from handle_request(), while cache_put() fills a cache of
 * 64 entries of 128 bytes during the first requests and then stays at its
 * cap. trend over its snapshots must flag handle_request alone. An
 * argument sets the size of each leaked request (default 48 bytes).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CACHE_CAP 64

static void *cache[CACHE_CAP];
static int ncache;

static size_t req_size = 48;           /* argv[1] may change it */

__attribute__((noinline)) static void
handle_request(int i)
{
	char *req = malloc(req_size);   /* never freed: the leak */

	memset(req, i, req_size);
}

__attribute__((noinline)) static void
cache_put(void)
{
	if (ncache < CACHE_CAP)
		cache[ncache++] = calloc(1, 128);
}

int
main(int argc, char **argv)
{
	struct timespec tick = { 0, 5 * 1000 * 1000 };  /* 5 ms a request */

	if (argc > 1)
		req_size = (size_t)strtoul(argv[1], NULL, 10);
	for (int i = 0; i < 300; i++) {
		handle_request(i);
		if (i % 2 == 0)
			cache_put();
		nanosleep(&tick, NULL);
	}
	(void)!write(1, "served\n", 7);
	return 0;
}
