/*
 * helper.h - a second thread for the exit scan, made with clone() alone.
 */
#ifndef LIBLEAK_HELPER_H
#define LIBLEAK_HELPER_H

#include <stdbool.h>

struct helper;

/* Starts a helper thread, or returns NULL when it cannot (one CPU only,
 * clone or mmap refused). Never calls malloc; takes no lock of libc's. */
struct helper *helper_start(void);

/* Runs fn(arg) on the helper; returns at once. One job at a time. */
void helper_run(struct helper *h, void (*fn)(void *), void *arg);

/* Waits until the job helper_run() started has returned. */
void helper_wait(struct helper *h);

/* Ends the helper thread, waits until it is gone, frees its stack. */
void helper_stop(struct helper *h);

#endif /* LIBLEAK_HELPER_H */
