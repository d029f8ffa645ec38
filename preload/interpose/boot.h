/*
 * boot.h - a static arena for allocations made before the real allocator
 * is known (dlsym may call calloc while we resolve it).
 */
#ifndef LIBLEAK_BOOT_H
#define LIBLEAK_BOOT_H

#include <stdbool.h>
#include <stddef.h>

/* 16-byte aligned, zeroed memory from the static arena, or NULL (errno
 * ENOMEM) when it is exhausted. Lock-free. */
void *boot_alloc(size_t n);
/* Same with a stronger alignment (a power of two up to 4096). */
void *boot_alloc_aligned(size_t align, size_t n);
#define BOOT_SIZE (256 * 1024)

extern char boot_arena[BOOT_SIZE] __attribute__((visibility("hidden")));

/* Whether p came from boot_alloc; such blocks are never freed. Inline:
 * every free() asks. */
static inline bool
boot_owns(const void *p)
{
	return (const char *)p >= boot_arena && (const char *)p < boot_arena + BOOT_SIZE;
}
/* The size boot_alloc was asked for. */
size_t boot_size(const void *p);

#endif /* LIBLEAK_BOOT_H */
