/*
 * elfsym.c - functions of the executable found in its .symtab.
 *
 * A program's own hooks (LeakSanitizer's __lsan_default_suppressions and
 * friends) are usually defined in an executable linked without -rdynamic:
 * they are not dynamic symbols, so dlsym() cannot find them, but a
 * non-stripped executable lists them in .symtab (and a stripped one that
 * exports them, in .dynsym: both are searched). The file is mapped
 * read-only (/proc/self/exe: the very image that runs), the section
 * headers give .symtab and its string table, and the load bias is the
 * distance between where the kernel put the program headers (AT_PHDR) and
 * where the file says they go (PT_PHDR, else the first PT_LOAD). Every
 * offset read from the file is checked against its size. Called once,
 * from the constructor; only system calls.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/elfsym.h"

/* Whether [off, off + len) lies in a file of size n. */
static int
fits(uint64_t off, uint64_t len, uint64_t n)
{
	return off <= n && len <= n - off;
}

/* The load bias of the running executable, from its program headers. */
static int
exe_bias(const unsigned char *f, uint64_t n, const Elf64_Ehdr *eh, uintptr_t *bias)
{
	uintptr_t at_phdr = (uintptr_t)getauxval(AT_PHDR);

	if (at_phdr == 0 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !fits(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), n))
		return -1;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(f + eh->e_phoff);

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_PHDR) {
			*bias = at_phdr - ph[i].p_vaddr;
			return 0;
		}
	}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset <= eh->e_phoff &&
		    eh->e_phoff - ph[i].p_offset < ph[i].p_filesz) {
			*bias = at_phdr - (ph[i].p_vaddr + (eh->e_phoff - ph[i].p_offset));
			return 0;
		}
	}
	return -1;
}

static size_t
lookup(const unsigned char *f, uint64_t n, const char *const *names, uintptr_t *addr, size_t count)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
	uintptr_t bias;
	size_t found = 0;

	if (n < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !fits(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), n) ||
	    exe_bias(f, n, eh, &bias) < 0)
		return 0;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(f + eh->e_shoff);

	for (unsigned s = 0; s < eh->e_shnum; s++) {
		if ((sh[s].sh_type != SHT_SYMTAB && sh[s].sh_type != SHT_DYNSYM) ||
		    sh[s].sh_entsize != sizeof(Elf64_Sym) || sh[s].sh_link >= eh->e_shnum ||
		    !fits(sh[s].sh_offset, sh[s].sh_size, n))
			continue;
		const Elf64_Shdr *str = &sh[sh[s].sh_link];

		if (!fits(str->sh_offset, str->sh_size, n))
			continue;
		const Elf64_Sym *sym = (const Elf64_Sym *)(f + sh[s].sh_offset);
		const char *strs = (const char *)f + str->sh_offset;
		size_t nsym = sh[s].sh_size / sizeof(Elf64_Sym);

		for (size_t k = 0; k < nsym; k++) {
			if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC ||
			    sym[k].st_shndx == SHN_UNDEF || sym[k].st_value == 0 ||
			    sym[k].st_name >= str->sh_size)
				continue;
			const char *nm = strs + sym[k].st_name;
			size_t room = str->sh_size - sym[k].st_name;

			for (size_t i = 0; i < count; i++) {
				size_t len = strlen(names[i]);

				if (addr[i] == 0 && len < room &&
				    memcmp(nm, names[i], len + 1) == 0) {
					addr[i] = bias + sym[k].st_value;
					found++;
				}
			}
		}
	}
	return found;
}

size_t
elfsym_exe_funcs(const char *const *names, uintptr_t *addr, size_t n)
{
	struct stat st;
	size_t found = 0;

	for (size_t i = 0; i < n; i++)
		addr[i] = 0;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		void *f = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (f != MAP_FAILED) {
			found = lookup(f, (uint64_t)st.st_size, names, addr, n);
			munmap(f, (size_t)st.st_size);
		}
	}
	close(fd);
	return found;
}
