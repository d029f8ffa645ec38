/*
 * hooks.h - the real allocator functions, as hooks.c resolves them.
 */
#ifndef LIBLEAK_HOOKS_H
#define LIBLEAK_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct real_fns {
	void *(*malloc)(size_t);        /* set last: non-NULL means all are set */
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
	void *(*libc_malloc)(size_t);   /* glibc's __libc_malloc, or NULL: see aside.c */
};

extern struct real_fns real;

/* Whether the program's calls to malloc reach our hook: calls the malloc a
 * global lookup finds (the executable's PLT entry, an earlier preload's)
 * and sees whether track() ran. Takes the loader's lock (dlsym): from our
 * constructor only. */
bool hooks_probe(void);

/* Looks the real functions up with dlsym(RTLD_NEXT). True once they are
 * known; false while another call is resolving them (the caller then
 * uses the boot arena). Aborts if libc has no malloc. */
bool hooks_resolve(void);

/* With LEAK_VERIFY_STACKS=1: stack-cache hits checked, and how many
 * named a stack other than the one unwinding found. */
void hooks_verify_counts(uint64_t *hits, uint64_t *diffs);

#endif /* LIBLEAK_HOOKS_H */
