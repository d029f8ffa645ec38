/*
 * dump.h - writes the dump (docs/dump-format.md) of the live blocks.
 */
#ifndef LIBLEAK_DUMP_H
#define LIBLEAK_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scan/scan.h"
#include "track/stacks.h"
#include "track/addrmap.h"

struct dump_src {
	struct addrmap *blocks;
	struct stacks *stacks;
	int depth;                      /* LEAK_DEPTH in force */
	bool snapshot;                  /* kind snapshot, else exit */
	uint64_t seq;                   /* 0 for the exit dump */
	bool atomic;                    /* no other thread ran while copying */
	const struct scan *scan;        /* classes and retainers, or NULL: all definite */
	stack_id_t internal;            /* stack of libc's internal blocks, left out; 0: none */
};

/* What a dump held, for the stderr summary. */
struct dump_result {
	const char *failed;             /* on failure: what could not be done
					 * ("map memory for the dump", "write the dump") */
	uint64_t blocks;                /* every live block */
	uint64_t bytes;
	uint64_t stacks;
	uint64_t lost_blocks;           /* definite and indirect */
	uint64_t lost_bytes;
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
