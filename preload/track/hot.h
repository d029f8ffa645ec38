/*
 * hot.h - marks the functions of the hit path (a malloc or free whose
 * stack the cache knows): the stack cache's lookup, the address map's
 * insert and remove, the counters' adds, and track.c's two steps that
 * call them.
 *
 * They live in four files, one owner each, but together they are the cost
 * of every malloc/free pair; the Makefile builds libleak.so with link-time
 * optimisation, and HOT_INLINE has that inline them into each hook, so
 * the pair pays no call between them. Measured side by side (A/B, 11
 * rounds, medians of per-round ratios to the uninstrumented run): 2-thread
 * churn 1.62x -> 1.47x, deep 1.38x -> 1.30x, sqlite3 1.140x -> 1.114x,
 * perl 1.157x -> 1.131x, python3 1.172x -> 1.167x (three other runs:
 * python3 -0.5% to -3%, perl -2.3% to +1.5%: perl's cost is mostly the
 * map's cache misses and the exit scan). Without link-time optimisation
 * (the unit tests, or PRELOAD_LTO= on make's command line) they are
 * plain external functions.
 * Plain LTO without the mark inlined none of them (gcc 12, -O2).
 */
#ifndef LIBLEAK_HOT_H
#define LIBLEAK_HOT_H

#define HOT_INLINE __attribute__((always_inline)) inline

#endif /* LIBLEAK_HOT_H */
