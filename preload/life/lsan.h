/*
 * lsan.h - the program's own LeakSanitizer hooks: __lsan_default_options,
 * __lsan_default_suppressions and __lsan_is_turned_off, as LSan reads them.
 */
#ifndef LIBLEAK_LSAN_H
#define LIBLEAK_LSAN_H

#include <stdbool.h>

/* Finds the program's hooks (dynamic symbols first, then the executable's
 * .symtab), reads its options and its suppressions. From our constructor,
 * guard held: the hooks are the program's code and may allocate. */
void lsan_init(void);

/* The program's suppression rules, one a line (__lsan_default_suppressions
 * and the suppressions= file of its options), or NULL. */
const char *lsan_suppressions(void);

/* Whether the program turned leak checking off: detect_leaks=0 in its
 * options, or its __lsan_is_turned_off() returning non-zero now. */
bool lsan_turned_off(void);

/* Whether the exit check is wanted: not turned off, and not
 * leak_check_at_exit=0 in the program's options. */
bool lsan_check_at_exit(void);

#endif /* LIBLEAK_LSAN_H */
