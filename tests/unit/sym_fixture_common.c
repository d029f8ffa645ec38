/*
 * sym_fixture_common.c - shared half of the check_symbolize fixture
 * programs: prints what the test needs to build a dump by hand.
 *
 *   module <bias> <lo> <hi> <buildid|->   the main program, from dl_iterate_phdr
 *   site <tag> <pc> <l0> <l1> <l2>         one call of fixture_site()
 *   data <tag> <addr>                      one call of fixture_data(): a data address
 *
 * pc is fixture_site()'s return address, l0..l2 are the __LINE__ values the
 * caller passed (0 when unused). Hex without 0x, like the dump format.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

void fixture_module(void);
void fixture_site(const char *tag, int l0, int l1, int l2);
void fixture_data(const char *tag, const void *addr);

static void
print_buildid(const struct dl_phdr_info *info)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_NOTE)
			continue;
		const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		const char *end = p + ph->p_memsz;

		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			const unsigned char *name = (const unsigned char *)(nh + 1);
			const unsigned char *desc = name + ((nh->n_namesz + 3) & ~3u);

			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    memcmp(name, "GNU", 4) == 0) {
				for (unsigned j = 0; j < nh->n_descsz; j++)
					printf("%02x", desc[j]);
				return;
			}
			p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	printf("-");
}

static int
main_program(struct dl_phdr_info *info, size_t size, void *arg)
{
	ElfW(Addr) lo = (ElfW(Addr)) - 1;
	ElfW(Addr) hi = 0;

	(void)size;
	(void)arg;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (info->dlpi_addr + ph->p_vaddr < lo)
			lo = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
			hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	printf("module %lx %lx %lx ", (unsigned long)info->dlpi_addr, (unsigned long)lo,
	    (unsigned long)hi);
	print_buildid(info);
	printf("\n");
	return 1; /* the first entry is the main program */
}

void
fixture_module(void)
{
	dl_iterate_phdr(main_program, NULL);
}

__attribute__((noinline)) void
fixture_site(const char *tag, int l0, int l1, int l2)
{
	printf("site %s %lx %d %d %d\n", tag, (unsigned long)__builtin_return_address(0), l0, l1,
	    l2);
}

void
fixture_data(const char *tag, const void *addr)
{
	printf("data %s %lx\n", tag, (unsigned long)addr);
}
