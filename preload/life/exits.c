/*
 * exits.c - the first thread to leave the process owns its exit.
 *
 * glibc 2.36 lets several threads run exit() at once: they share the exit
 * handlers among them, and whichever reaches _exit() first ends the process.
 * Our dump is the last handler and takes milliseconds, so another exiting
 * thread would end the process in the middle of it (the dump lost), or with
 * its own status (a late worker's exit(5) winning over main's return 0).
 * So the first thread to start exiting (exit(), or main returning) claims
 * the exit, and any other thread that tries later parks for good, as newer
 * glibc does itself: the owner ends the process with its own status. The
 * owner is a thread id; a CAS from 0 elects it (acq_rel, and the loser's
 * acquire sees the winner), and it is never released: only the end of the
 * process follows. A fork child starts afresh (it has one thread).
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "life/exits.h"

static _Atomic long owner;      /* tid of the exiting thread, 0 before */
static _Atomic pid_t owner_pid; /* the process it belongs to */

void
exits_park(void)
{
	for (;;)
		pause();
}

void
exits_claim(void)
{
	long me = syscall(SYS_gettid);
	pid_t pid = getpid();
	long expect = 0;

	/* A fork child inherits the parent's owner, which is no thread of its.
	 * acquire/release: owner_pid's store publishes the reset of owner to a
	 * thread of the child that loads owner_pid with acquire (both are
	 * this child's: the parent's threads are gone). */
	if (atomic_load_explicit(&owner_pid, memory_order_acquire) != pid) {
		atomic_store_explicit(&owner, 0, memory_order_relaxed);
		atomic_store_explicit(&owner_pid, pid, memory_order_release);
	}
	/* acq_rel: elects the owner; the failure's acquire reads the winner. */
	if (atomic_compare_exchange_strong_explicit(&owner, &expect, me, memory_order_acq_rel,
		memory_order_acquire) ||
	    expect == me)
		return;
	exits_park();
}
