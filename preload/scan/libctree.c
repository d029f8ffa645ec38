/*
 * libctree.c - the nodes of glibc's own tsearch() trees.
 *
 * glibc's tsearch() keeps a node's colour in the low bit of the node's
 * pointer to its left child, so a left child is held only by its address
 * plus one: an interior pointer, and the exit scan would call the node
 * "possibly lost", with the subtree under it. setenv() and putenv() keep
 * such a tree (the strings they allocated, so that a later call can
 * reuse them) in a static of libc for the process's life. Valgrind's
 * default run frees it before its leak check (__libc_freeres) and
 * LeakSanitizer takes interior pointers for references, so neither
 * reports it; libleak takes the tagged pointer for a start pointer when
 * the node is one that libc's own code had tsearch() allocate (the
 * caller of tsearch is in libc), so the tree is reachable from its root,
 * the static. Trees a program builds with tsearch() are the program's
 * and stay as Valgrind calls them (possibly lost, when only tagged
 * pointers reach a node).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <search.h>
#include <stddef.h>

#include "base/self.h"
#include "scan/libctree.h"

static int
visit(struct dl_phdr_info *info, size_t size, void *ctx)
{
	struct libctree *t = ctx;

	(void)size;
	if (!self_is_libc(info))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			t->libc_lo = info->dlpi_addr + ph->p_vaddr;
			t->libc_hi = t->libc_lo + ph->p_memsz;
			break;
		}
	}
	return 1;
}

void
libctree_find(struct libctree *t)
{
	Dl_info dli;
	const ElfW(Sym) *sym = NULL;
	/* The tsearch the program's calls reach: libc's unless the program
	 * (or a library before libc) defines its own, which is then no libc
	 * code and turns this off. */
	uintptr_t fn = (uintptr_t)&tsearch;

	*t = (struct libctree){ 0 };
	dl_iterate_phdr(visit, t);
	if (fn < t->libc_lo || fn >= t->libc_hi ||
	    dladdr1((void *)fn, &dli, (void **)&sym, RTLD_DL_SYMENT) == 0 || sym == NULL ||
	    (uintptr_t)dli.dli_saddr != fn || sym->st_size == 0) {
		*t = (struct libctree){ 0 };
		return;
	}
	t->fn_lo = fn;
	t->fn_hi = fn + sym->st_size;
}

bool
libctree_is_node(const struct libctree *t, const uintptr_t *pcs, unsigned n)
{
	return t->fn_lo != 0 && pcs != NULL && n >= 2 && pcs[0] >= t->fn_lo && pcs[0] < t->fn_hi &&
	    pcs[1] >= t->libc_lo && pcs[1] < t->libc_hi;
}
