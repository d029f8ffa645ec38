/*
 * baseline.h - known leaks, recorded by symbolized stack: --write-baseline
 * FILE writes the current leak records, --baseline FILE loads them so the
 * report and the gate skip them and list the ones that no longer leak.
 * See baseline.c.
 *
 * A record is identified by (class, key). The key is built from the frames
 * of its stack by baseline_key(), never from addresses or line numbers, so
 * it survives rebuilds, ASLR and code moving within a file. Per frame,
 * innermost first, joined by ';':
 *   "function@file.c"   function and source file basename known
 *   "function"          function known, no source file
 *   "?@libfoo.so"       no function: module basename (no offset: it moves
 *                       with every rebuild)
 *   "?0x401a2c"         neither: the raw pc, the last resort
 * An empty stack (no stack captured) has the key "-". ';', '\' and bytes
 * below 0x20 or 0x7f inside names are written as \xHH, so a key is one line.
 * With --group-by site or function a record's key is that of its site frame
 * alone; with --group-by exe it is "?exe:NAME", NAME the executable's
 * basename (a path moves with the checkout).
 *
 * File format (text, written atomically: tmp file + rename):
 *   libleak-baseline 1
 *   # comment lines and blank lines are allowed
 *   <class> <blocks> <bytes> <key>
 * class is definite|indirect|possible|reachable, blocks >= 1 and bytes are
 * decimal, single spaces between fields, the key is the rest of the line.
 * Lines are written sorted by class, then key; (class, key) is unique.
 */
#ifndef LEAKREPORT_BASELINE_H
#define LEAKREPORT_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"
#include "symbolize.h"

#define BASELINE_MAGIC   "libleak-baseline"
#define BASELINE_VERSION 1

struct baseline_entry {
	enum leak_class cls;
	uint64_t blocks; /* >= 1; sums saturate */
	uint64_t bytes;
	char *key;     /* see above; owned by the baseline */
	unsigned line; /* line in the loaded file; 0 when added */
	bool seen;     /* set by baseline_lookup() */
};

struct baseline;

/* An empty baseline, or NULL when out of memory. */
struct baseline *baseline_new(void);

/*
 * The key of a stack (see above) in a new malloc'd string, or NULL when out
 * of memory. frames are the sym_resolve() frames of every pc, concatenated,
 * innermost first; n may be 0.
 */
char *baseline_key(const struct sym_frame *frames, size_t n);

/* The key of a --group-by exe record of executable path (see above), in a
 * new malloc'd string; NULL when out of memory. */
char *baseline_key_exe(const char *path);

/*
 * Adds a record. A record with the same (cls, key) is merged: blocks and
 * bytes are summed (two stacks that differ only by address or line give the
 * same key). 0, or -1 with e filled when out of memory or when key is empty
 * or holds a byte below 0x20. Copies key.
 */
int baseline_add(struct baseline *b, enum leak_class cls, uint64_t blocks, uint64_t bytes,
    const char *key, struct err *e);

/*
 * Loads the file at path into b (which should be empty). 0, or -1 with e
 * filled as "<path>:<line>: <what>" (or "<path>: <what>"); strict: bad
 * magic or version, unknown class, bad number, blocks 0, empty key, control
 * bytes and duplicate (class, key) are errors.
 */
int baseline_load(struct baseline *b, const char *path, struct err *e);

/* Same from a buffer; name is used in messages. For tests. */
int baseline_parse(struct baseline *b, const char *name, const char *buf, size_t len,
    struct err *e);

/*
 * Writes the entries of b whose class is in kinds (mask of CLASS_BIT(class))
 * to path atomically: a temporary file in the same directory, fsync,
 * rename; a comment line names the classes. 0, or -1 with e filled
 * ("<path>: <what>"); on error path is untouched and the temporary file
 * removed.
 */
int baseline_write(const struct baseline *b, const char *path, unsigned kinds, struct err *e);

/*
 * The entry for (cls, key), marked seen, or NULL when the baseline does not
 * hold it. Expected O(1); does not allocate.
 */
const struct baseline_entry *baseline_lookup(struct baseline *b, enum leak_class cls,
    const char *key);

/* Number of entries; entries are 0..baseline_count()-1 in file (or add) order. */
size_t baseline_count(const struct baseline *b);

/* Entry i (< baseline_count()). After the run, the entries with !seen are
 * the baseline records that no longer leak. */
const struct baseline_entry *baseline_entry(const struct baseline *b, size_t i);

/* Number of entries not seen by baseline_lookup(). */
size_t baseline_unseen(const struct baseline *b);

/* Frees b; NULL is fine. */
void baseline_free(struct baseline *b);

#endif /* LEAKREPORT_BASELINE_H */
