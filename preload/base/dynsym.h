/*
 * dynsym.h - a loaded module's dynamic section, read in memory: its
 * dynamic symbols (found through its hash table) and its relocations.
 */
#ifndef LIBLEAK_DYNSYM_H
#define LIBLEAK_DYNSYM_H

#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one loaded module's dynamic section says, all at run time. */
struct dyn {
	const ElfW(Sym) * symtab;
	const char *strtab;
	size_t strsz;  /* bytes in strtab */
	size_t soname; /* DT_SONAME offset in strtab, 0 if none */
	const ElfW(Rela) * jmprel;
	size_t jmprelsz; /* bytes at jmprel */
	const ElfW(Rela) * rela;
	size_t relasz;             /* bytes at rela */
	const uint32_t *gnu_hash;  /* DT_GNU_HASH or NULL */
	const uint32_t *sysv_hash; /* DT_HASH or NULL */
};

/* Fills *d from the module's PT_DYNAMIC; false when it has none usable
 * (no symbol or string table, or REL relocations, which our targets do not
 * use). Reads memory only: no lock, no allocation. */
bool dyn_read(const struct dl_phdr_info *info, struct dyn *d);

/* sym's name, or NULL when its offset lies outside the string table. */
const char *dyn_name(const struct dyn *d, const ElfW(Sym) * sym);

/* The symbol `name` of the module described by d, through its GNU or SysV
 * hash table; NULL when it has neither or no such symbol. Never allocates. */
const ElfW(Sym) * dyn_lookup(const struct dyn *d, const char *name);

#endif /* LIBLEAK_DYNSYM_H */
