/*
 * ignore.c - blocks never to be reported (leak_disable() scopes and
 * leak_ignore()): an ignored block keeps its allocation stack with a tag
 * frame appended (ignore.h), so no map entry grows and nothing on the
 * allocation path changes but one thread-local test (track.c). The scan
 * reads an ignored block as a root by policy (scan/mark.c): it is never
 * lost, and neither is what it reaches; the dump writes its stack without
 * the tag, its retain line naming the root `ignored`.
 *
 * Concurrency: ignore_stack() is stacks_intern(): lock-free, any thread.
 * Moving a live block to its twin is the tracker's (track_ignore()).
 */
#include <string.h>

#include "dumpfmt.h"
#include "track/ignore.h"

__thread int ignore_depth __attribute__((tls_model("initial-exec")));

stack_id_t
ignore_stack(struct stacks *d, stack_id_t id)
{
	uintptr_t pcs[DUMP_MAX_DEPTH];
	unsigned n = 0;
	const uintptr_t *have = stacks_get(d, id, &n);

	if (ignore_is_tagged(have, n))
		return id;
	if (have == NULL)
		n = 0; /* no stack: the tag alone */
	if (n == DUMP_MAX_DEPTH)
		n--;
	if (n > 0)
		memcpy(pcs, have, n * sizeof(pcs[0])); /* have may be NULL */
	pcs[n++] = IGNORE_TAG;
	stack_id_t twin = stacks_intern(d, pcs, n);

	return twin != 0 ? twin : id;
}

const uintptr_t *
ignore_frames(struct stacks *d, stack_id_t id, unsigned *n)
{
	const uintptr_t *pcs = stacks_get(d, id, n);

	if (ignore_is_tagged(pcs, *n) && *n > 1)
		(*n)--;
	return pcs;
}
