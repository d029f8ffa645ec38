/*
 * real.h - the functions libleak's hooks stand in front of: the next
 * definition of each after libleak.so in the lookup order (glibc's, unless
 * another allocator is there: life/aside.c). Filled once by
 * interpose/real.c, its only writer; any layer may call through it.
 */
#ifndef LIBLEAK_REAL_H
#define LIBLEAK_REAL_H

#include <stddef.h>

struct real_fns {
	void *(*malloc)(size_t); /* set last: non-NULL means all are set */
	void (*free)(void *);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
	void *(*memalign)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
	size_t (*malloc_usable_size)(void *);
	void (*exit_)(int) __attribute__((noreturn));
	void (*Exit_)(int) __attribute__((noreturn));
	int (*dlclose)(void *);
	void *(*libc_malloc)(size_t); /* glibc's __libc_malloc, or NULL: see aside.c */
};

extern struct real_fns real;

#endif /* LIBLEAK_REAL_H */
