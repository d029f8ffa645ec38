/*
 * resources.h - the program's open resources besides memory: file
 * descriptors, POSIX timers and threads never joined, each with the stack
 * that made it. See resources.c.
 */
#ifndef LIBLEAK_RESOURCES_H
#define LIBLEAK_RESOURCES_H

#include <stdbool.h>
#include <stdint.h>

#include "dumpfmt.h"
#include "track/stacks.h"

/* The function that made a resource: index into DUMP_RES_FNS, from 1. */
enum res_fn {
	RES_FN_NONE,
#define RES_FN_ENUM(n, doc) RES_FN_##n,
	DUMP_RES_FNS(RES_FN_ENUM)
#undef RES_FN_ENUM
	RES_FN_COUNT
};

enum res_kind {
	RES_FD,
	RES_TIMER,
	RES_THREAD
};

/* One open resource, as res_foreach() hands it out. */
struct res_item {
	enum res_kind kind;
	enum res_fn fn;
	stack_id_t stack; /* the stack that made it; 0: none captured */
	uint64_t id;      /* fd number, timer id, or thread id (tid) */
	uintptr_t aux;    /* thread: its start routine; timer: the timer_t; else 0 */
	int clock;        /* timer: its clockid; else 0 */
};

/* Maps the descriptor table (sized by RLIMIT_NOFILE's hard limit, at most
 * 1 << 20 slots; descriptors past it are counted as dropped) and the timer
 * and thread tables. count: keep the live descriptor count (res_fd_count;
 * it costs an atomic add per open and close). Only system calls. False
 * when memory cannot be mapped (resources are then not tracked). From
 * start-up, before ACTIVE. */
bool res_init(bool count);

/* Whether res_init() succeeded: the hooks record nothing otherwise. */
bool res_ready(void);

/* Records descriptor fd (>= 3), made by fn from stack (replacing whatever
 * the slot held: dup2 over an open descriptor). Lock-free, async-signal-safe,
 * no allocation. */
void res_fd_open(int fd, enum res_fn fn, stack_id_t stack);

/* Forgets descriptor fd (closed, or one of libleak's own). Same rules. */
void res_fd_close(int fd);

/* Forgets every descriptor in [lo, hi] (close_range). Same rules. */
void res_fd_close_range(unsigned lo, unsigned hi);

/* Descriptors recorded now (LEAK_WARN_FDS), when res_init was asked to
 * count them; else 0. Relaxed: a figure. */
uint64_t res_fd_count(void);

/* Records POSIX timer t (clock clk) from stack; forgets it. Lock-free. */
void res_timer_add(uintptr_t t, int clk, stack_id_t stack);
void res_timer_del(uintptr_t t);

/* A thread record: claimed before pthread_create (start routine fn), then
 * named by its pthread_t, marked exited by the thread itself, dropped by a
 * join or detach. NULL when the table is full (the thread is then not
 * tracked). */
struct res_thread;
struct res_thread *res_thread_claim(uintptr_t fn, uintptr_t arg, stack_id_t stack);
/* pthread_create failed: gives the record back. */
void res_thread_abandon(struct res_thread *t);
/* Names the record by the thread's pthread_t (both the creator and the
 * thread call it; the first wins). */
void res_thread_name(struct res_thread *t, uintptr_t self);
/* From the new thread, first thing: notes its tid and hands back the start
 * routine and its argument (the record keeps no copy of the argument: a
 * copy would hold the program's block alive for the exit scan). */
void res_thread_started(struct res_thread *t, uint64_t tid, uintptr_t *fn, uintptr_t *arg);
/* From the thread, when its start routine returned or it exited. */
void res_thread_exited(struct res_thread *t);
/* Joined or detached: forgets the thread named self. */
void res_thread_forget(uintptr_t self);

/* Calls fn for every open descriptor, live timer and exited thread that
 * was never joined or detached. Lock-free reads: records added or removed
 * meanwhile may be seen or missed. No allocation. */
void res_foreach(void (*fn)(void *ctx, const struct res_item *it), void *ctx);

/* Fork child: the parent's records are not the child's (it reports what
 * it opened itself); timers and threads do not survive fork. */
void res_fork_child(void);

/* Descriptors and records that could not be recorded (past the table). */
uint64_t res_dropped(void);

#endif /* LIBLEAK_RESOURCES_H */
