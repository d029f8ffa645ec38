/*
 * ownstack.h - runs a function on a stack of libleak's own.
 */
#ifndef LIBLEAK_OWNSTACK_H
#define LIBLEAK_OWNSTACK_H

#include <stdbool.h>
#include <stddef.h>

/* Calls fn(arg) on a fresh stack of `size` bytes (arena memory, unmapped
 * again when fn returns) and returns true; false, without calling fn, when
 * the stack cannot be mapped (the caller then calls fn itself). For work
 * that needs more stack than the calling thread may have: the exit dump
 * and leak_check_now() can start on any thread, and a thread the program
 * gave a 16 KiB stack has too little for them. fn runs on the same thread
 * (its thread pointer, TLS, signal mask and thread id unchanged) and must
 * return. Not async-signal-safe (getcontext saves the signal mask). */
bool ownstack_run(void (*fn)(void *), void *arg, size_t size);

#endif /* LIBLEAK_OWNSTACK_H */
