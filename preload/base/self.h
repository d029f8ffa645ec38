/*
 * self.h - which code is libleak's, the C library's and the dynamic
 * loader's, by identity (where their code is), never by file name.
 */
#ifndef LIBLEAK_SELF_H
#define LIBLEAK_SELF_H

#include <stdbool.h>
#include <stdint.h>

struct dl_phdr_info; /* <link.h>, with _GNU_SOURCE */

/* Finds libleak.so's text (from its own ELF header, __ehdr_start) and
 * ld.so's (from the auxiliary vector's AT_BASE and its program headers in
 * memory): no lock, no allocation, no dl_iterate_phdr, so it may run
 * inside the first malloc while the loader holds its locks. Idempotent.
 * False when the program runs without ld.so. */
bool self_init(void);

/* Whether pc lies in ld.so's text, in libleak.so's. Lock-free, any thread,
 * valid after self_init(). */
bool self_in_loader(uintptr_t pc);
bool self_in_libleak(uintptr_t pc);

/* libleak.so's text as [*lo, *hi), for a caller that tests many pcs in a
 * loop (self_in_libleak() inline); both 0 before self_init(). */
void self_libleak_text(uintptr_t *lo, uintptr_t *hi);

/* Which module a dl_iterate_phdr() entry is, by what its executable
 * segments hold: libleak (its own text), libc (the code of
 * gnu_get_libc_version(), which only glibc has and nobody interposes), or
 * ld.so (its text from AT_BASE). */
bool self_is_libleak(const struct dl_phdr_info *info);
bool self_is_libc(const struct dl_phdr_info *info);
bool self_is_loader(const struct dl_phdr_info *info);

#endif /* LIBLEAK_SELF_H */
