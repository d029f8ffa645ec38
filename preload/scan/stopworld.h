/*
 * stopworld.h - stop the process's other threads for the exit scan.
 */
#ifndef LIBLEAK_STOPWORLD_H
#define LIBLEAK_STOPWORLD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SW_MAX_THREADS 16384

struct sw_thread {
	pid_t tid;         /* -1: exited before it could be signalled */
	_Atomic int state; /* SENT, then STOPPED once its handler ran */
	uintptr_t
	    handler_sp; /* live stack from here up (handler frame, saved registers); 0 if it never stopped */
	uintptr_t sp;     /* the interrupted stack pointer; 0 if unknown */
	uintptr_t tp;     /* its thread pointer (TCB); 0 if unknown */
	bool was_running; /* stopworld.c's: skipped while it blocked the
			   * signal and ran; asked again */
};

/* Stops every other thread. Returns the number of slots in *threads (some
 * may have tid -1 or state != STOPPED), or -1 when it cannot map memory.
 * Between this and stopworld_resume() the caller must not take any lock
 * (no malloc, stdio, dl_iterate_phdr). Not reentrant. */
int stopworld_stop(struct sw_thread **threads);

/* Lets them all run again and puts the program's signal action back. */
void stopworld_resume(void);

/* What the last stopworld_stop() could not stop: *ms it waited (0 unless a
 * signalled thread never answered; at most 250), *threads signalled that
 * never answered, *unsignalled not signalled at all (they block the stop
 * signal, or exit). Their stacks were scanned from the stack pointer of the
 * system call they sit in, without their registers. */
void stopworld_waited(unsigned *ms, int *threads, int *unsignalled);

#endif /* LIBLEAK_STOPWORLD_H */
