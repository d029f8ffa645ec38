/*
 * dump.h - writes the dump (docs/dump-format.md) of the live blocks.
 */
#ifndef LIBLEAK_DUMP_H
#define LIBLEAK_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dumpfmt.h"

/* A block's class, in the order of dumpfmt.h's DUMP_CLASS_* names. */
enum dump_class {
	DUMP_DEFINITE,
	DUMP_INDIRECT,
	DUMP_POSSIBLE,
	DUMP_REACHABLE
};

/* A retainer chain's root, in the order of dumpfmt.h's DUMP_ROOT_* names. */
enum dump_root {
	DUMP_GLOBAL,
	DUMP_THREAD,
	DUMP_MAPPING,
	DUMP_LOADER,
	DUMP_INTERNAL,
	DUMP_IGNORED,
	DUMP_REGION
};

/* What a dump is of: the exit, a snapshot, a leak_check_now(). */
enum dump_kind {
	DUMP_EXIT,
	DUMP_SNAPSHOT,
	DUMP_CHECK
};

#define DUMP_CHAIN_MAX 8 /* hops a retain line lists */

/* Why the first reached block of a stack is alive: a retain line. */
struct dump_chain {
	enum dump_root kind;
	uint32_t who;    /* module id, tid or 0 */
	uintptr_t where; /* address of the root word; 0 for loader, internal */
	size_t hops;     /* blocks between the root and this block */
	size_t n;        /* of which listed below (<= DUMP_CHAIN_MAX),
			  * nearest the root first */
	uint32_t stack[DUMP_CHAIN_MAX];
	uint64_t size[DUMP_CHAIN_MAX];
};

/* The process's figures, for the stat lines. */
struct dump_counts {
	uint64_t allocs, frees;
	uint64_t peak_blocks, peak_bytes, peak_time_ms;
	uint64_t uptime_ms;   /* from the start of tracking to now */
	uint64_t dropped;     /* blocks that could not be tracked */
	uint64_t unreadable;  /* bytes the scan could not read */
	uint64_t res_dropped; /* resources past their tables, not tracked */
	uint64_t scan_us;     /* what the scan took; 0 without one */
	uint64_t start_sec;   /* wall clock when tracking began */
	uint32_t start_usec;
};

/* One live block: its size, stack id (< nstacks), class, the heuristic
 * (1..DUMP_NHEUR, DUMP_HEURISTICS order) that alone made a reachable one
 * so, else 0, and for a lost one whether an earlier check reported it. */
typedef void (*dump_block_fn)(void *fnctx, uint64_t size, uint32_t stack, enum dump_class cls,
    unsigned heur, bool seen);

/* The indirect blocks of stack that only definite blocks of stack owner
 * reach: blocks, bytes. */
typedef void (
    *dump_owned_fn)(void *fnctx, uint32_t stack, uint32_t owner, uint64_t blocks, uint64_t bytes);

/* A resource's kind, in the order of dumpfmt.h's DUMP_RES_* names. */
enum dump_res_kind {
	DUMP_RES_KIND_FD,
	DUMP_RES_KIND_TIMER,
	DUMP_RES_KIND_THREAD
};

/* One open resource: a res line. */
struct dump_res {
	enum dump_res_kind kind;
	uint32_t stack;   /* the stack that made it; 0: none */
	uint64_t id;      /* fd number, timer id or tid */
	unsigned fn;      /* what made it: 1.. in DUMP_RES_FNS order */
	uint64_t aux;     /* thread: its start routine; else 0 */
	const char *desc; /* what it is, never empty (escaped when written) */
};

/* One open resource, for the writer. */
typedef void (*dump_res_fn)(void *fnctx, const struct dump_res *r);

/* What a dump is written from: figures, and callbacks on ctx. */
struct dump_src {
	int depth; /* LEAK_DEPTH in force */
	enum dump_kind kind;
	uint64_t seq;         /* 0 for the exit dump */
	bool atomic;          /* no other thread ran while copying */
	bool scanned;         /* classes come from a root scan (scan full) */
	uint32_t nstacks;     /* every stack id is below it */
	uint32_t internal;    /* stack of libc's internal blocks, left out; 0: none */
	const char *suppress; /* the program's suppression rules, one a line; or NULL */
	struct dump_counts counts;
	void *ctx;
	/* Calls fn(fnctx, ...) for every live block. */
	void (*blocks)(void *ctx, dump_block_fn fn, void *fnctx);
	/* The pcs of stack id (n of them), or NULL when there is none. */
	const uintptr_t *(*stack)(void *ctx, uint32_t id, unsigned *n);
	/* Calls fn for every (stack, owner) pair of indirect blocks, ascending
	 * (NULL without a scan). */
	void (*owned)(void *ctx, dump_owned_fn fn, void *fnctx);
	/* The chain of stack id's first reached block; false when none (and
	 * NULL without a scan). */
	bool (*retainer)(void *ctx, uint32_t id, struct dump_chain *out);
	/* Calls fn(fnctx, ...) for every open resource; with describe false
	 * its desc may be NULL (the writer's first pass only wants the
	 * stacks). NULL: none. */
	void (*resources)(void *ctx, bool describe, dump_res_fn fn, void *fnctx);
};

/* What a dump held, for the stderr summary. */
struct dump_result {
	uint64_t seen_blocks; /* of the lost ones, those an earlier check reported */
	uint64_t seen_bytes;
	const char *failed; /* on failure: what could not be done
			     * ("map memory for the dump", "write the dump") */
	uint64_t blocks;    /* every live block */
	uint64_t bytes;
	uint64_t stacks;
	uint64_t lost_blocks; /* definite and indirect */
	uint64_t lost_bytes;
	uint64_t resources; /* res lines written */
};

/* The sink: writes up to n bytes, returns how many (> 0) or -1 with errno.
 * Injectable so tests can make writing fail. */
typedef ssize_t (*dump_write_fn)(void *ctx, const void *buf, size_t n);

/* Writes the whole dump to fn. 0, or -1 with errno from the first failed
 * write (the error is sticky: nothing is written after it). Maps scratch
 * memory with mmap; never calls malloc itself (libc may, under the guard). */
int dump_write(dump_write_fn fn, void *ctx, const struct dump_src *src, struct dump_result *res);

/* Expands pattern (%p -> pid, %n -> seq, %% -> %) into out, prefixed with
 * cwd + '/' when the pattern is relative and cwd is not NULL or empty. -1
 * when it does not fit in cap bytes. No allocation, async-signal-safe. */
int dump_path(const char *pattern, const char *cwd, pid_t pid, uint64_t seq, char *out, size_t cap);

/* Writes the dump to the file `path`, atomically and without replacing
 * anything (an existing file or symlink at path is refused): an unnamed
 * file in its directory (O_TMPFILE, mode 0600), linked in when complete, so
 * a process killed meanwhile leaves nothing; where the filesystem has no
 * O_TMPFILE, a temporary beside it with an unpredictable name (O_EXCL,
 * O_NOFOLLOW), renamed into place. On failure, one "libleak: cannot <what
 * failed> '<path>': <error>" line, the temporary file removed, -1. */
int dump_to_file(const char *path, const struct dump_src *src, struct dump_result *res);

#endif /* LIBLEAK_DUMP_H */
