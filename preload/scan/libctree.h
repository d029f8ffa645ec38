/*
 * libctree.h - the nodes of glibc's own tsearch() trees (setenv's table of
 * the strings it allocated), which a tagged pointer holds.
 */
#ifndef LIBLEAK_LIBCTREE_H
#define LIBLEAK_LIBCTREE_H

#include <stdbool.h>
#include <stdint.h>

/* Where glibc's tsearch() and the rest of libc's code are; all 0 when
 * libc's tsearch is not found. */
struct libctree {
	uintptr_t fn_lo, fn_hi;     /* tsearch's code */
	uintptr_t libc_lo, libc_hi; /* libc's executable segment */
};

/* Fills t. Takes the loader's lock (dl_iterate_phdr): before the world is
 * stopped. */
void libctree_find(struct libctree *t);

/* Whether a block allocated at stack pcs[0..n) is a node that libc's own
 * code had tsearch() allocate: pcs[0] (the return address into malloc's
 * caller) in tsearch, pcs[1] in libc. Pure; any thread. */
bool libctree_is_node(const struct libctree *t, const uintptr_t *pcs, unsigned n);

#endif /* LIBLEAK_LIBCTREE_H */
