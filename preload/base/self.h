/*
 * self.h - which code is the dynamic loader's, found without the loader.
 */
#ifndef LIBLEAK_SELF_H
#define LIBLEAK_SELF_H

#include <stdbool.h>
#include <stdint.h>

/* Finds ld.so's text from the auxiliary vector (AT_BASE) and its program
 * headers in memory: no lock, no allocation, no dl_iterate_phdr. Call once
 * before self_in_loader(); false when the program runs without ld.so. */
bool self_init(void);

/* Whether pc lies in ld.so's text. Lock-free, any thread. */
bool self_in_loader(uintptr_t pc);

#endif /* LIBLEAK_SELF_H */
