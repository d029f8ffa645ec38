/*
 * cfi.h - the unwind rule at a return address, from .eh_frame.
 */
#ifndef LIBLEAK_CFI_H
#define LIBLEAK_CFI_H

#include <stdint.h>

enum {
	CFI_OTHER = 1, /* anything else: libunwind's to follow */
	CFI_SP = 2,    /* CFA = RSP + *off, return address at CFA - 8 */
	CFI_END = 3    /* the return address is undefined: the outermost frame */
};

/* The rule of the frame that return address ra returns into: CFI_SP with
 * *off the distance from the slot that held ra to the slot of that frame's
 * own return address (the CFA offset: 8..2^20, a multiple of 8), CFI_END
 * when that frame is the outermost one (_start, a thread's clone), else
 * CFI_OTHER. No allocation, no lock; any thread. Microseconds: cache it. */
int cfi_rule(uintptr_t ra, int32_t *off);

#endif /* LIBLEAK_CFI_H */
