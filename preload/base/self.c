/*
 * self.c - ld.so's text, found from AT_BASE.
 *
 * The kernel maps the interpreter and passes its load address as AT_BASE;
 * its ELF header and program headers lie in its first mapping, so the
 * executable segments are read straight from memory. Nothing here takes
 * the loader's lock: init.c asks it from inside malloc, which the loader
 * itself may be calling with its locks held. The range is written once
 * by self_init() before tracking starts and only read afterwards.
 */
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>

#include "base/self.h"

static uintptr_t ldso_lo, ldso_hi;      /* [lo, hi); 0, 0 when unknown */

bool
self_init(void)
{
	uintptr_t base = (uintptr_t)getauxval(AT_BASE);

	if (base == 0)
		return false;
	const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)base;
	if (eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 ||
	    eh->e_ident[EI_MAG2] != ELFMAG2 || eh->e_ident[EI_MAG3] != ELFMAG3 ||
	    eh->e_phentsize != sizeof(ElfW(Phdr)))
		return false;
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(base + eh->e_phoff);
	/* The first PT_LOAD starts at AT_BASE: that is the load bias, for a
	 * linked address of 0 (as every ld.so has) or any other. */
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

		if (ldso_hi == 0 || lo < ldso_lo)
			ldso_lo = lo;
		if (hi > ldso_hi)
			ldso_hi = hi;
	}
	return ldso_hi != 0;
}

bool
self_in_loader(uintptr_t pc)
{
	return pc >= ldso_lo && pc < ldso_hi;
}
