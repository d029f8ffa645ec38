/*
 * dynsym.c - a loaded module's dynamic section, read in memory (the
 * program headers dl_iterate_phdr() gives): what the deepbind patcher
 * (interpose/deepbind.c) and the exit scan's view of libc's tsearch
 * (scan/libctree.c) look up. No lock, no allocation.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <string.h>

#include "base/dynsym.h"

/*
 * ld.so adds the load bias to the d_ptr entries it uses, except where the
 * dynamic section is read-only (the vdso); a value below the bias has not
 * been adjusted.
 */
static const void *
dyn_ptr(const struct dl_phdr_info *info, ElfW(Addr) v)
{
	if (v < info->dlpi_addr)
		v += info->dlpi_addr;
	return (const void *)v;
}

bool
dyn_read(const struct dl_phdr_info *info, struct dyn *d)
{
	const ElfW(Dyn) *dp = NULL;

	memset(d, 0, sizeof(*d));
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dp = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	if (dp == NULL)
		return false;
	for (; dp->d_tag != DT_NULL; dp++) {
		switch (dp->d_tag) {
		case DT_SYMTAB:
			d->symtab = dyn_ptr(info, dp->d_un.d_ptr);
			break;
		case DT_STRTAB:
			d->strtab = dyn_ptr(info, dp->d_un.d_ptr);
			break;
		case DT_STRSZ:
			d->strsz = dp->d_un.d_val;
			break;
		case DT_SONAME:
			d->soname = dp->d_un.d_val;
			break;
		case DT_JMPREL:
			d->jmprel = dyn_ptr(info, dp->d_un.d_ptr);
			break;
		case DT_PLTRELSZ:
			d->jmprelsz = dp->d_un.d_val;
			break;
		case DT_PLTREL:
			if (dp->d_un.d_val != DT_RELA)
				return false; /* REL is not used on our targets */
			break;
		case DT_RELA:
			d->rela = dyn_ptr(info, dp->d_un.d_ptr);
			break;
		case DT_RELASZ:
			d->relasz = dp->d_un.d_val;
			break;
		case DT_RELAENT:
			if (dp->d_un.d_val != sizeof(ElfW(Rela)))
				return false;
			break;
		case DT_GNU_HASH:
			d->gnu_hash = dyn_ptr(info, dp->d_un.d_ptr);
			break;
		case DT_HASH:
			d->sysv_hash = dyn_ptr(info, dp->d_un.d_ptr);
			break;
		default:
			break;
		}
	}
	return d->symtab != NULL && d->strtab != NULL;
}

const char *
dyn_name(const struct dyn *d, const ElfW(Sym) * sym)
{
	return sym->st_name < d->strsz ? d->strtab + sym->st_name : NULL;
}

static uint32_t
hash_gnu(const char *s)
{
	uint32_t h = 5381;

	for (; *s != '\0'; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static uint32_t
hash_sysv(const char *s)
{
	uint32_t h = 0;

	for (; *s != '\0'; s++) {
		h = (h << 4) + (unsigned char)*s;
		h ^= (h >> 24) & 0xf0;
	}
	return h & 0x0fffffff;
}

const ElfW(Sym) * dyn_lookup(const struct dyn *d, const char *name)
{
	if (d->gnu_hash != NULL) {
		const uint32_t *ht = d->gnu_hash;
		uint32_t nbuckets = ht[0], symoffset = ht[1], bloom_words = ht[2];
		const uint32_t *buckets =
		    (const uint32_t *)((const ElfW(Addr) *)&ht[4] + bloom_words);
		const uint32_t *chain = buckets + nbuckets;
		uint32_t h = hash_gnu(name);

		if (nbuckets == 0)
			return NULL;
		for (uint32_t i = buckets[h % nbuckets]; i >= symoffset && i != 0; i++) {
			uint32_t h2 = chain[i - symoffset];
			const char *n = dyn_name(d, &d->symtab[i]);

			if ((h | 1) == (h2 | 1) && n != NULL && strcmp(n, name) == 0)
				return &d->symtab[i];
			if (h2 & 1)
				break; /* last entry of this bucket's chain */
		}
		return NULL;
	}
	if (d->sysv_hash != NULL) {
		uint32_t nbucket = d->sysv_hash[0], nchain = d->sysv_hash[1];
		const uint32_t *bucket = &d->sysv_hash[2], *chain = bucket + nbucket;

		if (nbucket == 0)
			return NULL;
		for (uint32_t i = bucket[hash_sysv(name) % nbucket]; i != STN_UNDEF && i < nchain;
		     i = chain[i]) {
			const char *n = dyn_name(d, &d->symtab[i]);

			if (n != NULL && strcmp(n, name) == 0)
				return &d->symtab[i];
		}
	}
	return NULL;
}
