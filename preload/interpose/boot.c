/*
 * boot.c - static arena for allocations made before the real allocator is
 * known.
 *
 * hooks.c serves malloc/calloc/... from here while real.malloc is still
 * NULL: dlsym() may allocate while we look the real functions up. Each block
 * has a 16-byte header holding its size, so realloc and malloc_usable_size
 * work on it. Blocks are never reused: free() of one is a no-op, which is
 * harmless for the few small blocks dlsym makes. A lock-free bump pointer
 * (relaxed fetch_add: the offset orders no other memory) serves threads
 * that race here during start-up.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

#include "interpose/boot.h"

#define HDR 16

char boot_arena[BOOT_SIZE] __attribute__((aligned(4096), visibility("hidden")));
static _Atomic size_t used;

void *
boot_alloc_aligned(size_t align, size_t n)
{
	if (align < HDR)
		align = HDR;
	if (n > BOOT_SIZE || align > 4096) {
		errno = ENOMEM;
		return NULL;
	}
	size_t need = (n + HDR - 1) / HDR * HDR + HDR + align;
	size_t off = atomic_fetch_add_explicit(&used, need, memory_order_relaxed);
	if (off + need > BOOT_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	uintptr_t p = ((uintptr_t)boot_arena + off + HDR + align - 1) & ~(uintptr_t)(align - 1);
	((size_t *)p)[-1] = n; /* the header word right before the block */
	return (void *)p;
}

void *
boot_alloc(size_t n)
{
	return boot_alloc_aligned(HDR, n);
}

size_t
boot_size(const void *p)
{
	return ((const size_t *)p)[-1];
}
