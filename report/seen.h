/*
 * seen.h - leaks an earlier check reported: taken out of the listed
 * records unless --seen asks for them.
 */
#ifndef LEAKREPORT_SEEN_H
#define LEAKREPORT_SEEN_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "sat.h"

/* Takes the seen blocks (seen lines) out of every lost rec of the n dumps,
 * dropping a rec they leave empty, and adds them to *out (records: the
 * recs that had any). Not with --seen: the caller lists them then. */
void seen_take_out(struct dump *dumps, size_t n, struct amount *out);

#endif /* LEAKREPORT_SEEN_H */
