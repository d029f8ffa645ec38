/*
 * check.h - leak checks while the program runs (leak_check_now and
 * LeakSanitizer's __lsan_do_*leak_check), and the lock they share with the
 * exit dump.
 */
#ifndef LIBLEAK_CHECK_H
#define LIBLEAK_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "scan/scan.h"

struct check_result {
	uint64_t new_blocks; /* lost, and not reported by an earlier check */
	uint64_t new_bytes;
	uint64_t lost_blocks; /* lost in all (definite and indirect) */
	uint64_t lost_bytes;
};

/*
 * Stops the other threads, scans, classifies as at exit, writes a dump of
 * kind `check` (the snapshot pattern's next %n), prints one summary line,
 * and lets the program go on. A lost block still lost, at the same address
 * with the same size and stack, is the one an earlier check reported: the
 * dump marks it `seen`, and it does not count as new.
 * caller_sp: where the calling thread's live stack starts (the API
 * function's frame, its caller's callee-saved registers spilled in it).
 * final: LeakSanitizer's __lsan_do_leak_check(): the dump is the exit dump
 * (LEAK_OUTPUT, kind exit), written now, once; later final checks do
 * nothing and the exit writes no dump.
 * 0 with *out filled; 1 when checks are off (the program's LSan options)
 * or a final check was done already; -1 when the scan could not run or
 * the process is not tracked (a line says which). Any thread but a
 * signal handler's; checks, and the exit dump, run one at a time.
 */
int check_run(bool final, uintptr_t caller_sp, struct check_result *out);

/* The exit dump's part: marks the blocks of sc that checks reported (they
 * are written as `seen`) and counts them into *r; when no check reported
 * any, there is nothing to mark and *r is all zero (no pass over the lost
 * blocks). Under the lock. */
void check_seen_apply(struct scan *sc, struct check_result *r);

/* Whether a final check wrote the exit dump already. */
bool check_final_done(void);

/* The lock checks and the exit dump hold while they scan and write. */
void check_lock(void);
void check_unlock(void);

/* In a fork child: the lock is free (its holder did not come along) and
 * the blocks reported so far are the parent's, no longer ours. */
void check_fork_child(void);

#endif /* LIBLEAK_CHECK_H */
