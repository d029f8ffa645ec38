/*
 * regroup.h - --group-by site, function and exe: the stack records of a
 * report merged into fewer records. See regroup.c.
 */
#ifndef LEAKREPORT_REGROUP_H
#define LEAKREPORT_REGROUP_H

#include "err.h"
#include "group.h"

/*
 * Replaces r->leaks (stack records, each given its suppression rule) by
 * the records of r->group_by (not GROUP_STACK): those of one kind, one rule
 * or none, and one site frame, site function or exe become one, with the
 * frames and retainer of its largest member, the sums, the union of the
 * points and stacks = the number of members; each record's site is set.
 * 0, or -1 with e filled when out of memory (r->leaks is then still valid
 * for group_free). Allocates.
 */
int regroup_merge(struct report *r, struct err *e);

#endif /* LEAKREPORT_REGROUP_H */
