/*
 * behaviour.c - results and errno of the allocator, which the preload must
 * not change: failures (ENOMEM, EINVAL), errno left alone on success,
 * alignment, usable size. Everything is freed. Exits 7.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static void
show(const char *what, void *p, int err)
{
	say("%-28s %s errno=%s\n", what, p == NULL ? "NULL" : "ptr",
	    err == 0 ? "0" : err == ENOMEM ? "ENOMEM" : err == EINVAL ? "EINVAL" :
	    err == 1234 ? "kept" : "other");
}

/* volatile: the compiler must not fold the failing calls away. */
static volatile size_t huge = SIZE_MAX;

int
main(void)
{
	size_t big = huge;
	void *p;
	int rc;

	errno = 0;
	p = malloc(big);
	show("malloc(SIZE_MAX)", p, errno);
	errno = 0;
	p = calloc(big / 2, 4);
	show("calloc overflow", p, errno);
	errno = 0;
	p = realloc(NULL, big - 64);
	show("realloc(NULL, huge)", p, errno);
	p = malloc(32);
	memset(p, 'k', 32);
	errno = 0;
	void *q = realloc(p, big - 64);
	show("realloc(p, huge)", q, errno);
	if (q == NULL) {
		say("old block intact: %d\n", ((char *)p)[31] == 'k');
		free(p);
	} else {
		free(q);
	}
	errno = 0;
	p = reallocarray(NULL, big / 2, 3);
	show("reallocarray overflow", p, errno);

	p = (void *)0x1;
	rc = posix_memalign(&p, 3, 16);
	say("posix_memalign(3): rc=%s p unchanged=%d\n", rc == EINVAL ? "EINVAL" : "other",
	    p == (void *)0x1);
	rc = posix_memalign(&p, 0, 16);
	say("posix_memalign(0): rc=%s\n", rc == EINVAL ? "EINVAL" : "other");
	rc = posix_memalign(&p, 64, big - 4096);
	say("posix_memalign(huge): rc=%s\n", rc == ENOMEM ? "ENOMEM" : "other");
	errno = 0;
	p = aligned_alloc(64, big - 4096);
	show("aligned_alloc(huge)", p, errno);
	errno = 0;
	p = memalign(64, big - 4096);
	show("memalign(huge)", p, errno);
	errno = 0;
	p = valloc(big - 4096);
	show("valloc(huge)", p, errno);
	errno = 0;
	p = pvalloc(big - 4096);
	show("pvalloc(huge)", p, errno);

	/* Success leaves errno alone, and so does free(). */
	errno = 1234;
	p = malloc(100);
	show("malloc(100) errno kept", p, errno);
	errno = 1234;
	free(p);
	show("free errno kept", NULL, errno);
	errno = 1234;
	p = calloc(10, 10);
	show("calloc errno kept", p, errno);
	free(p);

	for (size_t align = 8; align <= 65536; align *= 2) {
		int ok = 1;

		for (int i = 0; i < 4; i++) {
			void *a = NULL;
			void *b = aligned_alloc(align, align * 3);
			void *c = memalign(align, 24);

			if (posix_memalign(&a, align < sizeof(void *) ? sizeof(void *) : align, 40) != 0)
				ok = 0;
			ok &= a != NULL && b != NULL && c != NULL;
			ok &= (uintptr_t)a % align == 0 && (uintptr_t)b % align == 0 &&
			    (uintptr_t)c % align == 0;
			ok &= malloc_usable_size(b) >= align * 3;
			free(a);
			free(b);
			free(c);
		}
		say("align %zu: %s\n", align, ok ? "ok" : "BAD");
	}
	for (size_t n = 1; n <= 1 << 20; n *= 7) {
		char *m = malloc(n);

		memset(m, 0xab, n);
		say("malloc(%zu) usable %zu\n", n, malloc_usable_size(m));
		free(m);
	}
	say("malloc_usable_size(NULL) %zu\n", malloc_usable_size(NULL));
	return 7;
}
