/*
 * gate.h - the CI gate: --fail-on KINDS, --max-leaks N, --max-bytes N ->
 * pass or fail with a one-line reason. See gate.c.
 *
 * main.c feeds the gate every leak record that survives suppressions and the
 * baseline (gate_add), then asks gate_decide(), and turns the decision into
 * the exit code (main.c defines them: a failed gate is the only 1).
 *
 * Semantics:
 *   --fail-on   comma list of definite, indirect, possible, reachable; or
 *               "all" or "none" alone. Default definite,indirect.
 *   --max-leaks the gate fails when the number of leak RECORDS of the gated
 *               kinds is greater than N. Default 0.
 *   --max-bytes the gate fails when the total bytes of those records is
 *               greater than N. Default unlimited.
 * Records of kinds not gated are counted (for the reason line) but never fail.
 */
#ifndef LEAKREPORT_GATE_H
#define LEAKREPORT_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"

/* A set of kinds is a mask of CLASS_BIT(cls) (model.h). */
#define GATE_KINDS_DEFAULT (CLASS_BIT(CLASS_DEFINITE) | CLASS_BIT(CLASS_INDIRECT))

/* Longest reason gate_decide() writes, including the NUL. */
#define GATE_REASON_MAX 256

struct gate {
	unsigned kinds;     /* mask of CLASS_BIT(cls); 0 = --fail-on none */
	uint64_t max_leaks; /* records allowed; default 0 */
	bool bytes_limited; /* false: no --max-bytes */
	uint64_t max_bytes; /* bytes allowed when bytes_limited */
	/* Totals per class of what gate_add() saw; sums saturate, and
	 * *_over records that a sum passed UINT64_MAX. */
	uint64_t records[CLASS_COUNT];
	uint64_t blocks[CLASS_COUNT];
	uint64_t bytes[CLASS_COUNT];
	bool records_over;
	bool bytes_over;
};

/* Sets the defaults (definite,indirect; --max-leaks 0; no byte limit) and
 * zero totals. */
void gate_init(struct gate *g);

/*
 * Parses a --fail-on value into *mask. 0, or -1 with e filled
 * ("--fail-on: unknown kind 'x' ..."), *mask untouched. Does not allocate.
 */
int gate_parse_kinds(const char *s, unsigned *mask, struct err *e);

/* The same for another option taking a kind list (--baseline-kinds), named
 * opt in the messages. */
int gate_parse_kinds_opt(const char *opt, const char *s, unsigned *mask, struct err *e);

/*
 * Strict unsigned decimal: first character a digit, base 10, no trailing
 * characters, no overflow; "12k", "-1", "", " 1", "1e3", "0x10" are errors.
 * opt names the option in the message ("--max-bytes: '12k' is not ...").
 * 0, or -1 with e filled, *v untouched. Does not allocate.
 */
int gate_parse_u64(const char *opt, const char *s, uint64_t *v, struct err *e);

/* Counts one leak record of class cls with its blocks and bytes. */
void gate_add(struct gate *g, enum leak_class cls, uint64_t blocks, uint64_t bytes);

/*
 * true when the gate passes. reason (len bytes, GATE_REASON_MAX is enough)
 * gets one line, e.g. "3 definite leak records (1024 bytes) over --max-leaks 0"
 * or "1 definite leak record (16 bytes), within --max-leaks 1". reason may be
 * NULL when len is 0. Does not allocate.
 */
bool gate_decide(const struct gate *g, char *reason, size_t len);

/* Writes mask as a --fail-on value ("definite,indirect", "all", "none")
 * into buf (truncating; GATE_KINDS_MAX bytes are enough). Returns buf. */
char *gate_kinds_format(unsigned mask, char *buf, size_t len);

#define GATE_KINDS_MAX 64 /* a buffer gate_kinds_format() never cuts */

#endif /* LEAKREPORT_GATE_H */
