/*
 * retain.c - why a reachable or possible record is alive: the retain line
 * of its stack (a root, then the blocks between), resolved for the outputs.
 *
 * group.c calls retain_attach() for each rec it adds to a record, in dump
 * order, so a record keeps the retainer of the first (dump, stack) of it
 * that has one (regroup.c then keeps the largest member's). A global root's
 * word is named by the symbolizer (module, data symbol, section); each
 * listed hop by the first frame of its stack, in the same dump, that is
 * not an allocator frame, as a record is named; a loader root by the
 * loader's module. The outputs only render the result. Single-threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "retain.h"

/* The retain line of stack id in d, or NULL (d->retains is sorted by id). */
static const struct retain *
find_retain(const struct dump *d, uint32_t id)
{
	size_t lo = 0, hi = d->nretains;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->retains[mid].stack_id == id)
			return &d->retains[mid];
		if (d->retains[mid].stack_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The first frame of stack id of d that is not an allocator frame, as the
 * grouping names a record: *out, or NULL for stack 0, a stack d lacks or
 * one of allocator frames only. -1 with e filled when the symbolizer
 * fails. */
static int
hop_frame(struct symbolizer *s, const struct dump *d, uint32_t id, const struct sym_frame **out,
    struct err *e)
{
	const struct stack *sk = id != 0 ? model_find_stack(d, id) : NULL;

	*out = NULL;
	for (uint32_t i = 0; sk != NULL && i < sk->n; i++) {
		const struct sym_frame *got;
		size_t ng;

		if (sym_resolve(s, d, sk->pcs[i], &got, &ng, e) < 0)
			return -1;
		for (size_t j = 0; j < ng; j++) {
			if (!group_is_alloc_frame(&got[j])) {
				*out = &got[j];
				return 0;
			}
		}
	}
	return 0;
}

/* The basename of d's dynamic loader module (ld-linux*, ld.so*, ld64.so*,
 * ld-musl*), or NULL. Points into d. */
static const char *
loader_name(const struct dump *d)
{
	static const char *const names[] = { "ld-linux", "ld.so", "ld64.so", "ld-musl" };

	for (size_t i = 0; i < d->nmodules; i++) {
		const char *p = d->modules[i].path;
		const char *base = p != NULL ? model_basename(p) : NULL;

		for (size_t k = 0; base != NULL && k < sizeof(names) / sizeof(names[0]); k++)
			if (strncmp(base, names[k], strlen(names[k])) == 0)
				return base;
	}
	return NULL;
}

int
retain_attach(struct symbolizer *s, const struct dump *d, const struct rec *rc, struct leak *l,
    struct err *e)
{
	const struct retain *rt;
	struct retainer *x;

	if (l->retained_by != NULL || (rc->cls != CLASS_REACHABLE && rc->cls != CLASS_POSSIBLE))
		return 0;
	rt = find_retain(d, rc->stack_id);
	if (rt == NULL)
		return 0;
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return err_set(e, "out of memory");
	x->dump = d;
	x->rt = rt;
	x->unlisted = rt->hops - rt->n; /* n <= hops: dump_read checks */
	if (rt->root == RETAIN_GLOBAL &&
	    sym_resolve_data(s, d, rt->who, rt->where, &x->global, e) < 0)
		goto out_free;
	if (rt->root == RETAIN_LOADER)
		x->loader = loader_name(d);
	for (uint32_t i = 0; i < rt->n; i++) {
		x->hop[i].bytes = rt->hop[i].bytes;
		if (hop_frame(s, d, rt->hop[i].stack_id, &x->hop[i].frame, e) < 0)
			goto out_free;
	}
	l->retained_by = x;
	return 0;
out_free:
	free(x);
	return -1;
}
