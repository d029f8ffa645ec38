/*
 * dump_read.h - dump file -> struct dump (model.h), validating everything.
 */
#ifndef LEAKREPORT_DUMP_READ_H
#define LEAKREPORT_DUMP_READ_H

#include <stddef.h>

#include "err.h"
#include "model.h"

/* Reads and validates the dump at path into *d. 0, or -1 with e filled as
 * "<path>:<line>: <what>" (or "<path>: <what>" for open/read errors), and *d
 * left empty. Bounded memory: never more than a small multiple of the file. */
int dump_read(const char *path, struct dump *d, struct err *e);

/* Same, from a buffer; name is used in messages. For tests and the fuzzer. */
int dump_parse(const char *name, const char *buf, size_t len, struct dump *d, struct err *e);

/* Frees what a successful dump_read/dump_parse filled in; safe on a zeroed dump. */
void dump_free(struct dump *d);

#endif /* LEAKREPORT_DUMP_READ_H */
