/*
 * regroup.c - --group-by site, function and exe: stack records -> fewer,
 * merged records, so that one library bug reached from many tests and call
 * paths is one record.
 *
 * group.c calls regroup_merge() from group_finish, after every stack
 * record was given its suppression rule and before the baseline and the
 * totals: a suppression is decided per stack, whatever the grouping, and
 * the gate, the baseline and the outputs see the merged records. Records
 * merge when they have one kind, one rule (or none) and one key: the site
 * frame (the first frame that no --ignore-frame pattern matches, else the
 * last; compared by interned frame id), the site's function and module
 * (by string), or the executable (by interned exe id). The members are
 * sorted by that, and each run becomes one record that keeps the frames,
 * site and retainer of its largest member (bytes, then blocks, then frame
 * order: deterministic whatever the input order); every other array of a
 * member is freed and the member emptied, so nothing is freed twice.
 *
 * Single-threaded; allocates.
 */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "regroup.h"
#include "sat.h"

/* The site of l's frames: the first that no --ignore-frame pattern
 * matches, else the last. */
static size_t
site_of(const struct report *r, const struct leak *l)
{
	for (size_t i = 0; i < l->nframes; i++) {
		size_t k;

		for (k = 0; k < r->nignore && !supp_frame_matches(r->ignore[k], &l->frames[i]); k++)
			;
		if (k == r->nignore)
			return i;
	}
	return l->nframes > 0 ? l->nframes - 1 : 0;
}

/* The site frame of l, or NULL without frames. */
static const struct sym_frame *
site_frame(const struct leak *l)
{
	return l->nframes > 0 ? &l->frames[l->site] : NULL;
}

struct member {
	const struct leak *l;
	size_t index; /* into r->leaks */
};

/* The order of what records merge on under group_by, besides kind and
 * rule: the site frame's interned id, the site's function and module
 * (module and offset when the function is unknown), or the exe id. A
 * record without frames has no site and sorts first. */
static int
key_cmp(const struct leak *a, const struct leak *b, enum group_by by)
{
	const struct sym_frame *fa = site_frame(a), *fb = site_frame(b);
	int c;

	if (by == GROUP_EXE)
		return a->exe_id < b->exe_id ? -1 : a->exe_id > b->exe_id;
	if (fa == NULL || fb == NULL)
		return (fa != NULL) - (fb != NULL);
	if (by == GROUP_SITE)
		return a->ids[a->site] < b->ids[b->site] ? -1 : a->ids[a->site] > b->ids[b->site];
	if ((c = group_str_cmp(fa->module, fb->module)) != 0 ||
	    (c = group_str_cmp(fa->function, fb->function)) != 0)
		return c;
	if (fa->function == NULL && fa->offset != fb->offset)
		return fa->offset < fb->offset ? -1 : 1;
	if (fa->function == NULL && fa->module == NULL && fa->pc != fb->pc)
		return fa->pc < fb->pc ? -1 : 1;
	return 0;
}

/* Kind, rule, then the key: equal members merge. */
static int
same_group_cmp(const struct member *a, const struct member *b, enum group_by by)
{
	if (a->l->cls != b->l->cls)
		return a->l->cls < b->l->cls ? -1 : 1;
	if (a->l->supp != b->l->supp)
		return (uintptr_t)a->l->supp < (uintptr_t)b->l->supp ? -1 : 1;
	return key_cmp(a->l, b->l, by);
}

static int
member_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct member *a = pa, *b = pb;
	int c = same_group_cmp(a, b, *(const enum group_by *)ctx);

	if (c != 0)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Whether a is the larger stack: bytes, then blocks, then the first in
 * group_frames_cmp order. */
static bool
larger(const struct leak *a, const struct leak *b)
{
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes;
	if (a->blocks != b->blocks)
		return a->blocks > b->blocks;
	return group_frames_cmp(a->frames, a->nframes, b->frames, b->nframes) < 0;
}

static int
point_cmp(const void *pa, const void *pb)
{
	const struct leak_point *a = pa, *b = pb;

	return a->dump < b->dump ? -1 : a->dump > b->dump;
}

/*
 * Merges the members m[0..n) (one run of equal keys) into *out: the frames,
 * ids and site of the largest, the retainer of the largest that has one,
 * the sums, the union of the points, stacks = n. The members' own arrays
 * are freed or moved. -1 when out of memory (nothing freed then).
 */
static int
merge_run(struct report *r, const struct member *m, size_t n, struct leak *out)
{
	struct leak *big = &r->leaks[m[0].index];
	struct leak *held = NULL;
	size_t np = 0;
	struct leak_point *pts;

	for (size_t i = 0; i < n; i++) {
		struct leak *l = &r->leaks[m[i].index];

		np += l->npoints;
		if (larger(l, big))
			big = l;
	}
	pts = malloc(np * sizeof(*pts));
	if (pts == NULL)
		return -1;
	*out = *big;
	out->blocks = 0;
	out->bytes = 0;
	np = 0;
	for (size_t i = 0; i < n; i++) {
		struct leak *l = &r->leaks[m[i].index];

		out->blocks = sat_add(out->blocks, l->blocks);
		out->bytes = sat_add(out->bytes, l->bytes);
		for (int h = 0; h < DUMP_NHEUR; h++) {
			if (l == big)
				continue; /* *out started as a copy of big's */
			sat_amount_add(&out->heur[h], 0, l->heur[h].blocks, l->heur[h].bytes);
		}
		memcpy(pts + np, l->points, l->npoints * sizeof(*pts));
		np += l->npoints;
		if (l->retained_by != NULL && (held == NULL || larger(l, held)))
			held = l;
	}
	qsort(pts, np, sizeof(*pts), point_cmp);
	out->npoints = 0;
	for (size_t i = 0; i < np; i++) {
		struct leak_point *last = out->npoints > 0 ? &pts[out->npoints - 1] : NULL;

		if (last != NULL && last->dump == pts[i].dump) {
			last->blocks = sat_add(last->blocks, pts[i].blocks);
			last->bytes = sat_add(last->bytes, pts[i].bytes);
		} else {
			pts[out->npoints++] = pts[i];
		}
	}
	out->points = pts;
	out->stacks = (uint32_t)n;
	struct leak *res_of[n];
	for (size_t i = 0; i < n; i++)
		res_of[i] = &r->leaks[m[i].index];
	if (resources_merge(out, res_of, n) < 0)
		return -1;
	out->retained_by = held != NULL ? held->retained_by : NULL;
	/* Each member's arrays now belong to *out or are freed; the member is
	 * emptied so that nothing is freed twice. */
	for (size_t i = 0; i < n; i++) {
		struct leak *l = &r->leaks[m[i].index];

		free(l->points);
		if (l != big) {
			free(l->frames);
			free(l->ids);
		}
		if (l != held)
			free(l->retained_by);
		memset(l, 0, sizeof(*l));
	}
	return 0;
}

int
regroup_merge(struct report *r, struct err *e)
{
	struct member *m = malloc((r->nleaks ? r->nleaks : 1) * sizeof(*m));
	struct leak *merged = NULL;
	size_t n = 0;

	if (m == NULL)
		return err_set(e, "out of memory");
	for (size_t i = 0; i < r->nleaks; i++) {
		if (r->group_by != GROUP_EXE)
			r->leaks[i].site = site_of(r, &r->leaks[i]);
		m[i] = (struct member){ .l = &r->leaks[i], .index = i };
	}
	qsort_r(m, r->nleaks, sizeof(*m), member_cmp, &r->group_by);
	merged = malloc((r->nleaks ? r->nleaks : 1) * sizeof(*merged));
	if (merged == NULL)
		goto out_oom;
	for (size_t i = 0, j; i < r->nleaks; i = j) {
		for (j = i + 1; j < r->nleaks && same_group_cmp(&m[i], &m[j], r->group_by) == 0;
		     j++)
			;
		if (merge_run(r, m + i, j - i, &merged[n]) < 0)
			goto out_oom;
		n++;
	}
	free(r->leaks);
	r->leaks = merged;
	r->nleaks = n;
	free(m);
	return 0;
out_oom:
	/* The members of the runs merged so far were emptied: group_free
	 * frees what r->leaks still holds, and the merged records go here. */
	for (size_t i = 0; i < n; i++)
		group_leak_free(&merged[i]);
	free(merged);
	free(m);
	return err_set(e, "out of memory");
}
