/*
 * retain.h - a record's retainer: why its blocks are alive. See retain.c.
 */
#ifndef LEAKREPORT_RETAIN_H
#define LEAKREPORT_RETAIN_H

#include "err.h"
#include "group.h"
#include "model.h"
#include "symbolize.h"

/*
 * Gives l (a record of dump d, which rec rc is added to) the retainer of
 * rc's stack, when l has none yet, rc is reachable or possible and d has a
 * retain line for that stack; otherwise does nothing. Symbolizes with s.
 * Allocates the retainer (group_leak_free frees it). 0, or -1 with e filled
 * (out of memory, symbolizer failure), l unchanged.
 */
int retain_attach(struct symbolizer *s, const struct dump *d, const struct rec *rc, struct leak *l,
    struct err *e);

#endif /* LEAKREPORT_RETAIN_H */
