/*
 * self.c - libleak's, libc's and ld.so's code, found by identity.
 *
 * ld.so: the kernel maps the interpreter and passes its load address as
 * AT_BASE; its ELF header and program headers lie in its first mapping.
 * libleak.so: the linker defines __ehdr_start at its own ELF header, the
 * start of its first mapping. Both are read straight from memory, so
 * nothing here takes the loader's lock: track/ asks from inside malloc,
 * which the loader itself may be calling with its locks held.
 * libc: the module whose executable segment holds gnu_get_libc_version(),
 * a function only glibc defines and no allocator or sanitizer replaces
 * (the address libleak sees is libc's own: libleak does not define it).
 * The ranges are written once by self_init(), before tracking starts, and
 * only read afterwards (the same value if two threads race to write).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <gnu/libc-version.h>
#include <link.h>
#include <sys/auxv.h>

#include "base/self.h"

extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));

struct range {
	uintptr_t lo, hi; /* [lo, hi); 0, 0 when unknown */
};

static struct range ldso, libleak;

/* The executable segments of the ELF image loaded at base, as one range. */
static struct range
text_of(uintptr_t base)
{
	struct range r = { 0, 0 };
	const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)base;

	if (base == 0 || eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 ||
	    eh->e_ident[EI_MAG2] != ELFMAG2 || eh->e_ident[EI_MAG3] != ELFMAG3 ||
	    eh->e_phentsize != sizeof(ElfW(Phdr)))
		return r;
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(base + eh->e_phoff);
	/* The first PT_LOAD starts at base: that is the load bias, for a
	 * linked address of 0 (as every shared object has) or any other. */
	uintptr_t bias = base;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD) {
			bias = base - (ph[i].p_vaddr & ~(uintptr_t)4095);
			break;
		}
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_X))
			continue;
		uintptr_t lo = bias + ph[i].p_vaddr, hi = lo + ph[i].p_memsz;

		if (r.hi == 0 || lo < r.lo)
			r.lo = lo;
		if (hi > r.hi)
			r.hi = hi;
	}
	return r;
}

bool
self_init(void)
{
	libleak = text_of((uintptr_t)&__ehdr_start);
	ldso = text_of((uintptr_t)getauxval(AT_BASE));
	return ldso.hi != 0;
}

bool
self_in_loader(uintptr_t pc)
{
	return pc >= ldso.lo && pc < ldso.hi;
}

bool
self_in_libleak(uintptr_t pc)
{
	return pc >= libleak.lo && pc < libleak.hi;
}

void
self_libleak_text(uintptr_t *lo, uintptr_t *hi)
{
	*lo = libleak.lo;
	*hi = libleak.hi;
}

/* Whether one of info's executable segments holds addr. */
static bool
holds(const struct dl_phdr_info *info, uintptr_t addr)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && addr >= lo &&
		    addr < lo + ph->p_memsz)
			return true;
	}
	return false;
}

bool
self_is_libleak(const struct dl_phdr_info *info)
{
	return libleak.hi != 0 && holds(info, libleak.lo);
}

bool
self_is_libc(const struct dl_phdr_info *info)
{
	return holds(info, (uintptr_t)&gnu_get_libc_version);
}

bool
self_is_loader(const struct dl_phdr_info *info)
{
	return ldso.hi != 0 && holds(info, ldso.lo);
}
