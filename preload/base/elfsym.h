/*
 * elfsym.h - a function of the executable, by name, from its .symtab.
 */
#ifndef LIBLEAK_ELFSYM_H
#define LIBLEAK_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

/* Looks up each of the n names among the defined functions of the running
 * executable's symbol tables (.symtab: what a program has without
 * -rdynamic, which dlsym cannot see; and .dynsym) and stores its run-time address in
 * addr[i], or 0. Maps /proc/self/exe read-only for the look-up; no
 * malloc. Returns how many were found. */
size_t elfsym_exe_funcs(const char *const *names, uintptr_t *addr, size_t n);

#endif /* LIBLEAK_ELFSYM_H */
