/*
 * aside.h - when libleak must stand aside: another tool or allocator owns
 * malloc, so every call passes straight through and nothing is tracked.
 */
#ifndef LIBLEAK_ASIDE_H
#define LIBLEAK_ASIDE_H

#include <stdbool.h>

/* Why libleak cannot track in this process, decided from what costs no
 * lock: running under Valgrind, or `real_malloc` (what our hooks forward
 * to) is not glibc's malloc. NULL when neither. No allocation, no lock,
 * only pointer compares and Valgrind's client request; any thread. */
const char *aside_early(void *(*real_malloc)(size_t), void *(*libc_malloc)(size_t));

/* The same question asked once the loader may be used (our constructor):
 * also whether the program's calls reach our malloc at all (`reached`, from
 * hook_probe(): false when the program or an earlier preload defines
 * malloc: a statically linked sanitizer runtime, a custom allocator), and
 * which sanitizer or module it is.
 * Writes a phrase such as "malloc is AddressSanitizer's" into buf (cap
 * bytes) and returns true when libleak must stand aside. May call dlsym
 * and dladdr, which take the loader's lock: not from inside malloc. */
bool aside_late(bool reached, void *(*real_malloc)(size_t), void *(*libc_malloc)(size_t), char *buf,
    unsigned cap);

#endif /* LIBLEAK_ASIDE_H */
