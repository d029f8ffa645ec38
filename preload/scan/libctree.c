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
 *
 * libc's tsearch is looked up in libc's own dynamic symbol table (base/
 * dynsym.h, in memory), not by the address the name resolves to: a
 * library that interposes tsearch (a sanitizer's runtime) would give its
 * own function. No malloc, no lock but dl_iterate_phdr's.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>

#include "base/dynsym.h"
#include "base/self.h"
#include "scan/libctree.h"

/* Libc's own function `name` (not an interposer's), in its dynamic symbol
 * table: its code as [*lo, *hi), or false. */
static bool
libc_func(const struct dl_phdr_info *info, const char *name, uintptr_t *lo, uintptr_t *hi)
{
	struct dyn d;
	const ElfW(Sym) *s = dyn_read(info, &d) ? dyn_lookup(&d, name) : NULL;

	if (s == NULL || s->st_shndx == SHN_UNDEF || ELF64_ST_TYPE(s->st_info) != STT_FUNC ||
	    s->st_size == 0)
		return false;
	*lo = info->dlpi_addr + s->st_value;
	*hi = *lo + s->st_size;
	return true;
}

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
	if (!libc_func(info, "tsearch", &t->fn_lo, &t->fn_hi) || t->fn_lo < t->libc_lo ||
	    t->fn_hi > t->libc_hi)
		*t = (struct libctree){ 0 };
	return 1;
}

void
libctree_find(struct libctree *t)
{
	*t = (struct libctree){ 0 };
	dl_iterate_phdr(visit, t);
}

bool
libctree_is_node(const struct libctree *t, const uintptr_t *pcs, unsigned n)
{
	return t->fn_lo != 0 && pcs != NULL && n >= 2 && pcs[0] >= t->fn_lo && pcs[0] < t->fn_hi &&
	    pcs[1] >= t->libc_lo && pcs[1] < t->libc_hi;
}
