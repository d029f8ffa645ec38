/*
 * sat.h - saturating sums: every count of records, blocks and bytes in
 * report/ stops at UINT64_MAX instead of wrapping. The one statement of
 * that rule, and the one type for such a triple (struct amount: the
 * report's totals, a suppression rule's hits, a heuristic's share); the
 * gate also wants to know when a sum saturated.
 */
#ifndef LEAKREPORT_SAT_H
#define LEAKREPORT_SAT_H

#include <stdbool.h>
#include <stdint.h>

/* a + b, or UINT64_MAX when that does not fit. */
static inline uint64_t
sat_add(uint64_t a, uint64_t b)
{
	uint64_t s;

	return __builtin_add_overflow(a, b, &s) ? UINT64_MAX : s;
}

/* *sum += x, saturating; true when it saturated. */
static inline bool
sat_add_over(uint64_t *sum, uint64_t x)
{
	if (!__builtin_add_overflow(*sum, x, sum))
		return false;
	*sum = UINT64_MAX;
	return true;
}

/* Records, blocks and bytes, summed. */
struct amount {
	uint64_t records; /* leak records; every sum saturates at UINT64_MAX */
	uint64_t blocks;
	uint64_t bytes;
};

/* *a += (records, blocks, bytes), each saturating. */
static inline void
sat_amount_add(struct amount *a, uint64_t records, uint64_t blocks, uint64_t bytes)
{
	a->records = sat_add(a->records, records);
	a->blocks = sat_add(a->blocks, blocks);
	a->bytes = sat_add(a->bytes, bytes);
}

#endif /* LEAKREPORT_SAT_H */
