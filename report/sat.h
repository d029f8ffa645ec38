/*
 * sat.h - saturating sums: every count of records, blocks and bytes in
 * report/ stops at UINT64_MAX instead of wrapping. The one statement of
 * that rule; the gate also wants to know when a sum saturated.
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

#endif /* LEAKREPORT_SAT_H */
