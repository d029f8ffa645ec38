/*
 * exits.h - one exit at a time: the first thread that starts to leave the
 * process owns the exit, and the exit dump is written by it alone.
 */
#ifndef LIBLEAK_EXITS_H
#define LIBLEAK_EXITS_H

/* Called by exit() and by main's return, before anything else: makes this
 * thread the one that exits, or, when another thread is exiting already,
 * never returns (that thread ends the process, with its status). A thread
 * that already owns the exit (exit() from an exit handler) returns.
 * Lock-free; async-signal-safe. */
void exits_claim(void);

/* Never returns: parks this thread until another ends the process.
 * Async-signal-safe. */
void exits_park(void) __attribute__((noreturn));

#endif /* LIBLEAK_EXITS_H */
