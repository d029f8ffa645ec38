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
 * libc's tsearch is looked up in libc's own dynamic symbol table (its GNU
 * hash table, in memory), not by the address the name resolves to: a
 * library that interposes tsearch (a sanitizer's runtime) would give its
 * own function. No malloc, no lock but dl_iterate_phdr's.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stddef.h>
#include <string.h>

#include "base/self.h"
#include "scan/libctree.h"

static uint32_t
gnu_hash(const char *s)
{
	uint32_t h = 5381;

	for (; *s != '\0'; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

/* A dynamic-section address: ld.so has relocated it in place on x86_64,
 * not where the dynamic section is read-only. */
static uintptr_t
dyn_addr(const struct dl_phdr_info *info, ElfW(Addr) v)
{
	return v < info->dlpi_addr ? info->dlpi_addr + v : v;
}

/* The function `name` of the module, by its GNU hash table: its address
 * and size into *lo and *hi, or false. */
static bool
dynsym_func(const struct dl_phdr_info *info, const char *name, uintptr_t *lo, uintptr_t *hi)
{
	const ElfW(Dyn) *dyn = NULL;
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	const uint32_t *gh = NULL;

	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	for (; dyn != NULL && dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			symtab = (const ElfW(Sym) *)dyn_addr(info, dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			strtab = (const char *)dyn_addr(info, dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_GNU_HASH)
			gh = (const uint32_t *)dyn_addr(info, dyn->d_un.d_ptr);
	}
	if (symtab == NULL || strtab == NULL || gh == NULL || gh[0] == 0)
		return false;
	uint32_t nbuckets = gh[0], symoffset = gh[1], bloom_words = gh[2];
	const uint32_t *buckets = gh + 4 + bloom_words * (sizeof(ElfW(Addr)) / 4);
	const uint32_t *chain = buckets + nbuckets;
	uint32_t h = gnu_hash(name);

	for (uint32_t i = buckets[h % nbuckets]; i >= symoffset; i++) {
		uint32_t ch = chain[i - symoffset];
		const ElfW(Sym) *s = &symtab[i];

		if ((ch | 1) == (h | 1) && strcmp(strtab + s->st_name, name) == 0 &&
		    ELF64_ST_TYPE(s->st_info) == STT_FUNC && s->st_shndx != SHN_UNDEF &&
		    s->st_size != 0) {
			*lo = info->dlpi_addr + s->st_value;
			*hi = *lo + s->st_size;
			return true;
		}
		if (ch & 1)
			break; /* the chain's last */
	}
	return false;
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
	if (!dynsym_func(info, "tsearch", &t->fn_lo, &t->fn_hi) || t->fn_lo < t->libc_lo ||
	    t->fn_hi > t->libc_hi)
		*t = (struct libctree){ 0 };
	return 1;
}

void
libctree_find(struct libctree *t)
{
	*t = (struct libctree){ 0 };
	dl_iterate_phdr(visit, t);
	if (t->fn_lo == 0)
		*t = (struct libctree){ 0 };
}

bool
libctree_is_node(const struct libctree *t, const uintptr_t *pcs, unsigned n)
{
	return t->fn_lo != 0 && pcs != NULL && n >= 2 && pcs[0] >= t->fn_lo && pcs[0] < t->fn_hi &&
	    pcs[1] >= t->libc_lo && pcs[1] < t->libc_hi;
}
