/*
 * group.c - dumps -> leak records, their totals and their order.
 *
 * Called by main.c, in order: group_init, group_build (once, every dump),
 * group_finish (suppressions, baseline, totals, sort), group_select, then
 * the outputs read the struct report; group_free at the end.
 *
 * Grouping is by SYMBOLIZED stack, never by address: each frame is interned
 * as (module basename, function, file, line, column, inlined), plus the
 * module offset when the function is unknown and the pc when even the
 * module is, into a 32-bit frame id; a record is keyed by (kind, frame ids).
 * So the same code path in two processes (different load addresses) or
 * reached through two return addresses on one source line is one record.
 * Frame strings belong to the symbolizer and outlive the report (sym_free
 * runs after group_free). Leading allocator frames are dropped before
 * interning, so they never split or name a record.
 *
 * A reachable or possible record also takes the retain line (why it is
 * alive) of the first of its (dump, stack) pairs that has one: the root's
 * data address symbolized when it is a global, and each listed hop named
 * by the first non-allocator frame of its stack in that dump, so the
 * outputs only render it.
 *
 * In series mode (r->series, for diff.c and trend.c) the key is the frame
 * ids alone, so every kind of one stack is one record, and each record also
 * keeps its sum per dump (points[]), so a caller can follow one stack from
 * dump to dump. group_finish and group_select are not meant for it.
 *
 * Both tables are open addressing with linear probing, at most half full,
 * doubled when they reach it; indices into r->leaks and st->frames are
 * stored + 1 so that 0 means empty. Single-threaded.
 */
#include <stdlib.h>
#include <string.h>

#include "group.h"

struct fkey {
	const char *module;
	const char *function;
	const char *file;
	uint32_t line;
	uint32_t column;
	bool inlined;
	uint64_t addr;          /* offset when function is NULL, pc when module is too */
	uint64_t hash;
};

struct group_state {
	struct fkey *frames;    /* interned frames; id = index */
	size_t nframes;
	size_t capframes;
	uint32_t *fslots;       /* frame index + 1, or 0 */
	size_t fmask;
	uint32_t *rslots;       /* record index + 1, or 0 */
	size_t rmask;
	size_t capleaks;
};

/* One stack of the dump being added, symbolized and interned on first use. */
struct stack_memo {
	bool done;
	struct sym_frame *frames;
	uint32_t *ids;
	size_t n;
};

static uint64_t
add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static void
amount_add(struct amount *a, uint64_t blocks, uint64_t bytes)
{
	a->records = add_sat(a->records, 1);
	a->blocks = add_sat(a->blocks, blocks);
	a->bytes = add_sat(a->bytes, bytes);
}

static uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ull;     /* FNV-1a */
	return h;
}

static uint64_t
hash_str(uint64_t h, const char *s)
{
	return s == NULL ? hash_bytes(h, "\377", 1) : hash_bytes(h, s, strlen(s) + 1);
}

static bool
str_eq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* NULL sorts before any string. */
static int
str_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static bool
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

bool
group_is_alloc_frame(const struct sym_frame *f)
{
	static const char *const names[] = {
		"malloc", "calloc", "realloc", "reallocarray", "free", "cfree",
		"posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc",
		"malloc_usable_size", "__libc_malloc", "__libc_calloc", "__libc_realloc",
		"__libc_free", "__libc_memalign", "__libc_valloc", "__libc_pvalloc",
		"__posix_memalign", "__libc_reallocarray",
	};
	static const char *const cxx[] = {
		"operator new", "operator delete",
	};
	static const char *const mangled[] = {
		"_Znwm", "_Znam", "_ZdlPv", "_ZdaPv", "_Znwj", "_Znaj",
	};
	const char *fn = f->function;

	if (f->module != NULL && has_prefix(f->module, "libleak.so"))
		return true;
	if (fn == NULL)
		return false;
	if (has_prefix(fn, "__GI_"))
		fn += 5;        /* glibc's internal alias, e.g. __GI___libc_malloc */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(fn, names[i]) == 0)
			return true;
	for (size_t i = 0; i < sizeof(cxx) / sizeof(cxx[0]); i++) {
		size_t len = strlen(cxx[i]);

		/* "operator new(unsigned long)", "operator new[](...)", not
		 * "operator newer_thing" */
		if (strncmp(fn, cxx[i], len) == 0 &&
		    (fn[len] == '(' || fn[len] == '[' || fn[len] == '\0'))
			return true;
	}
	for (size_t i = 0; i < sizeof(mangled) / sizeof(mangled[0]); i++)
		if (has_prefix(fn, mangled[i]))
			return true;
	return false;
}

static void
fkey_of(const struct sym_frame *f, struct fkey *k)
{
	uint64_t h = 0xcbf29ce484222325ull;

	k->module = f->module;
	k->function = f->function;
	k->file = f->file;
	k->line = f->line;
	k->column = f->column;
	k->inlined = f->inlined;
	k->addr = f->function != NULL ? 0 : f->module != NULL ? f->offset : f->pc;
	h = hash_str(h, k->module);
	h = hash_str(h, k->function);
	h = hash_str(h, k->file);
	h = hash_bytes(h, &k->line, sizeof(k->line));
	h = hash_bytes(h, &k->column, sizeof(k->column));
	h = hash_bytes(h, &k->inlined, sizeof(k->inlined));
	k->hash = hash_bytes(h, &k->addr, sizeof(k->addr));
}

static bool
fkey_eq(const struct fkey *a, const struct fkey *b)
{
	return a->hash == b->hash && a->line == b->line && a->column == b->column &&
	    a->inlined == b->inlined && a->addr == b->addr && str_eq(a->module, b->module) &&
	    str_eq(a->function, b->function) && str_eq(a->file, b->file);
}

/* Rebuilds a slot table of 2 * (mask + 1) slots from scratch. */
static int
slots_grow(uint32_t **slots, size_t *mask, size_t n, uint64_t (*hash_of)(void *, size_t),
    void *ctx)
{
	size_t size = *slots == NULL ? 64 : 2 * (*mask + 1);
	uint32_t *s = calloc(size, sizeof(*s));

	if (s == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t j = hash_of(ctx, i) & (size - 1);

		while (s[j] != 0)
			j = (j + 1) & (size - 1);
		s[j] = (uint32_t)(i + 1);
	}
	free(*slots);
	*slots = s;
	*mask = size - 1;
	return 0;
}

static uint64_t
frame_hash(void *ctx, size_t i)
{
	return ((struct group_state *)ctx)->frames[i].hash;
}

/* The id of frame f, interning it on first sight. */
static int
intern_frame(struct group_state *st, const struct sym_frame *f, uint32_t *id)
{
	struct fkey k;
	size_t j;

	fkey_of(f, &k);
	if (st->fslots == NULL || 2 * (st->nframes + 1) > st->fmask + 1)
		if (slots_grow(&st->fslots, &st->fmask, st->nframes, frame_hash, st) < 0)
			return -1;
	for (j = k.hash & st->fmask; st->fslots[j] != 0; j = (j + 1) & st->fmask) {
		if (fkey_eq(&st->frames[st->fslots[j] - 1], &k)) {
			*id = st->fslots[j] - 1;
			return 0;
		}
	}
	if (st->nframes == st->capframes) {
		size_t cap = st->capframes == 0 ? 256 : 2 * st->capframes;
		struct fkey *a = realloc(st->frames, cap * sizeof(*a));

		if (a == NULL)
			return -1;
		st->frames = a;
		st->capframes = cap;
	}
	st->frames[st->nframes] = k;
	st->fslots[j] = (uint32_t)(st->nframes + 1);
	*id = (uint32_t)st->nframes++;
	return 0;
}

/* Symbolizes and interns stack st of dump d into m; allocator frames that
 * lead it are dropped. */
static int
memo_fill(struct report *r, struct symbolizer *s, const struct dump *d, const struct stack *sk,
    struct stack_memo *m, struct err *e)
{
	size_t cap = sk->n, n = 0, skip = 0;
	struct sym_frame *fr = malloc(cap * sizeof(*fr));

	if (fr == NULL)
		return err_set(e, "out of memory");
	for (uint32_t i = 0; i < sk->n; i++) {
		const struct sym_frame *got;
		size_t ng;

		if (sym_resolve(s, d, sk->pcs[i], &got, &ng, e) < 0)
			goto out_free;
		if (n + ng > cap) {
			struct sym_frame *a;

			cap = 2 * (n + ng);
			a = realloc(fr, cap * sizeof(*fr));
			if (a == NULL)
				goto out_oom;
			fr = a;
		}
		for (size_t j = 0; j < ng; j++) {
			fr[n] = got[j];
			fr[n++].pc = sk->pcs[i];        /* the cache may hold another dump's pc */
		}
	}
	while (skip < n && group_is_alloc_frame(&fr[skip]))
		skip++;
	memmove(fr, fr + skip, (n - skip) * sizeof(*fr));
	n -= skip;
	m->ids = malloc((n ? n : 1) * sizeof(*m->ids));
	if (m->ids == NULL)
		goto out_oom;
	for (size_t i = 0; i < n; i++)
		if (intern_frame(r->priv, &fr[i], &m->ids[i]) < 0)
			goto out_oom;
	m->frames = fr;
	m->n = n;
	m->done = true;
	return 0;
out_oom:
	err_set(e, "out of memory");
out_free:
	free(m->ids);
	m->ids = NULL;
	free(fr);
	return -1;
}

static uint64_t
record_key_hash(enum leak_class cls, const uint32_t *ids, size_t n)
{
	uint64_t h = hash_bytes(0xcbf29ce484222325ull, &cls, sizeof(cls));

	return hash_bytes(h, ids, n * sizeof(*ids));
}

static uint64_t
leak_hash(void *ctx, size_t i)
{
	const struct leak *l = &((struct report *)ctx)->leaks[i];

	return record_key_hash(l->cls, l->ids, l->nframes);
}

/* Series mode: adds rc, of dump number di, to l's point for di. Dumps are
 * added in index order, so the point is the last one or a new one; the
 * array's capacity is the next power of two of npoints. */
static int
add_point(struct leak *l, const struct rec *rc, uint32_t di)
{
	struct leak_point *p;

	if (l->npoints == 0 || l->points[l->npoints - 1].dump != di) {
		if ((l->npoints & (l->npoints - 1)) == 0) {
			size_t cap = l->npoints == 0 ? 1 : 2 * l->npoints;
			struct leak_point *a = realloc(l->points, cap * sizeof(*a));

			if (a == NULL)
				return -1;
			l->points = a;
		}
		l->points[l->npoints++] = (struct leak_point){ .dump = di };
	}
	p = &l->points[l->npoints - 1];
	p->blocks = add_sat(p->blocks, rc->blocks);
	p->bytes = add_sat(p->bytes, rc->bytes);
	return 0;
}

/* Adds rec of dump number di (whose stack is memo m) to its record, which
 * *out then points to (until the next add_rec). */
static int
add_rec(struct report *r, const struct rec *rc, struct stack_memo *m, uint32_t di,
    struct leak **out)
{
	struct group_state *st = r->priv;
	enum leak_class cls = r->series ? CLASS_DEFINITE : rc->cls;
	uint64_t h = record_key_hash(cls, m->ids, m->n);
	struct leak *l;
	size_t j;

	if (st->rslots == NULL || 2 * (r->nleaks + 1) > st->rmask + 1)
		if (slots_grow(&st->rslots, &st->rmask, r->nleaks, leak_hash, r) < 0)
			return -1;
	for (j = h & st->rmask; st->rslots[j] != 0; j = (j + 1) & st->rmask) {
		l = &r->leaks[st->rslots[j] - 1];
		if (l->cls == cls && l->nframes == m->n &&
		    memcmp(l->ids, m->ids, m->n * sizeof(*m->ids)) == 0)
			goto found;
	}
	if (r->nleaks == st->capleaks) {
		size_t cap = st->capleaks == 0 ? 64 : 2 * st->capleaks;
		struct leak *a = realloc(r->leaks, cap * sizeof(*a));

		if (a == NULL)
			return -1;
		r->leaks = a;
		st->capleaks = cap;
	}
	l = &r->leaks[r->nleaks];
	memset(l, 0, sizeof(*l));
	l->cls = cls;
	l->nframes = m->n;
	l->frames = malloc((m->n ? m->n : 1) * sizeof(*l->frames));
	l->ids = malloc((m->n ? m->n : 1) * sizeof(*l->ids));
	if (l->frames == NULL || l->ids == NULL) {
		free(l->frames);
		free(l->ids);
		return -1;
	}
	if (m->n != 0) {        /* a stack-less record has no frames to copy */
		memcpy(l->frames, m->frames, m->n * sizeof(*l->frames));
		memcpy(l->ids, m->ids, m->n * sizeof(*l->ids));
	}
	l->first_dump = di;
	l->last_dump = di;
	l->processes = 1;
	st->rslots[j] = (uint32_t)(++r->nleaks);
found:
	if (l->last_dump != di) {
		l->last_dump = di;
		l->processes++;
	}
	l->blocks = add_sat(l->blocks, rc->blocks);
	l->bytes = add_sat(l->bytes, rc->bytes);
	*out = l;
	return r->series ? add_point(l, rc, di) : 0;
}

static const struct stack *
find_stack(const struct dump *d, uint32_t id)
{
	size_t lo = 0, hi = d->nstacks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->stacks[mid].id == id)
			return &d->stacks[mid];
		if (d->stacks[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

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
hop_frame(struct symbolizer *s, const struct dump *d, uint32_t id,
    const struct sym_frame **out, struct err *e)
{
	const struct stack *sk = id != 0 ? find_stack(d, id) : NULL;

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
		const char *slash = p != NULL ? strrchr(p, '/') : NULL;
		const char *base = slash != NULL ? slash + 1 : p;

		for (size_t k = 0; base != NULL && k < sizeof(names) / sizeof(names[0]); k++)
			if (has_prefix(base, names[k]))
				return base;
	}
	return NULL;
}

/* Gives l (of dump d, rec rc) the retainer of rc's stack when l has none
 * yet, rc is reachable or possible and d has a retain line for it.
 * Allocates; -1 with e filled (out of memory, symbolizer failure). */
static int
attach_retainer(struct symbolizer *s, const struct dump *d, const struct rec *rc,
    struct leak *l, struct err *e)
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

/* Adds every rec of dump d (number di) to r. */
static int
add_dump(struct report *r, struct symbolizer *s, const struct dump *d, uint32_t di,
    struct err *e)
{
	struct stack_memo *memo = calloc(d->nstacks + 1, sizeof(*memo));
	struct stack_memo none = { .done = true };
	uint32_t no_id = 0;
	int ret = -1;

	if (memo == NULL)
		return err_set(e, "out of memory");
	none.ids = &no_id;
	for (size_t i = 0; i < d->nrecs; i++) {
		const struct rec *rc = &d->recs[i];
		struct stack_memo *m = &none;
		struct leak *l;

		if (rc->stack_id != 0) {
			const struct stack *sk = find_stack(d, rc->stack_id);

			if (sk == NULL) {
				err_set(e, "%s: rec names stack %u, which does not exist",
				    d->path, rc->stack_id);
				goto out_free;
			}
			m = &memo[sk - d->stacks];
			if (!m->done && memo_fill(r, s, d, sk, m, e) < 0)
				goto out_free;
		}
		if (add_rec(r, rc, m, di, &l) < 0) {
			err_set(e, "out of memory");
			goto out_free;
		}
		/* Series mode has no use for it: diff and trend never show it. */
		if (!r->series && d->nretains > 0 && attach_retainer(s, d, rc, l, e) < 0)
			goto out_free;
	}
	ret = 0;
out_free:
	for (size_t i = 0; i < d->nstacks; i++) {
		free(memo[i].frames);
		free(memo[i].ids);
	}
	free(memo);
	return ret;
}

void
group_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
}

int
group_build(struct report *r, struct symbolizer *s, const struct dump *dumps, size_t n,
    struct err *e)
{
	r->priv = calloc(1, sizeof(*r->priv));
	if (r->priv == NULL)
		return err_set(e, "out of memory");
	r->dumps = dumps;
	r->ndumps = n;
	for (size_t i = 0; i < n; i++) {
		const struct dump_stats *t = &dumps[i].stats;

		r->total_allocs = add_sat(r->total_allocs, t->allocs);
		r->dropped = add_sat(r->dropped, t->dropped);
		if (t->peak_bytes > r->peak_bytes)
			r->peak_bytes = t->peak_bytes;
		if (add_dump(r, s, &dumps[i], (uint32_t)i, e) < 0)
			return -1;
	}
	return 0;
}

static int
frame_cmp(const struct sym_frame *a, const struct sym_frame *b)
{
	int c;

	if ((c = str_cmp(a->function, b->function)) != 0 || (c = str_cmp(a->file, b->file)) != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	if ((c = str_cmp(a->module, b->module)) != 0)
		return c;
	if (a->inlined != b->inlined)
		return a->inlined ? 1 : -1;
	if (a->function == NULL && a->offset != b->offset)
		return a->offset < b->offset ? -1 : 1;
	if (a->module == NULL && a->pc != b->pc)
		return a->pc < b->pc ? -1 : 1;
	return 0;
}

int
group_frames_cmp(const struct sym_frame *a, size_t na, const struct sym_frame *b, size_t nb)
{
	for (size_t i = 0; i < na && i < nb; i++) {
		int c = frame_cmp(&a[i], &b[i]);

		if (c != 0)
			return c;
	}
	if (na != nb)
		return na < nb ? -1 : 1;
	return 0;
}

/* Bytes, blocks (largest first), kind, then the frames: no two records of
 * one report compare equal, since they differ in kind or some frame key. */
static int
leak_cmp(const void *pa, const void *pb)
{
	const struct leak *a = pa, *b = pb;

	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (a->blocks != b->blocks)
		return a->blocks > b->blocks ? -1 : 1;
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	return group_frames_cmp(a->frames, a->nframes, b->frames, b->nframes);
}

int
group_finish(struct report *r, struct suppressions *supp, struct baseline *base, struct err *e)
{
	for (size_t i = 0; i < r->nleaks; i++) {
		struct leak *l = &r->leaks[i];

		l->supp = supp != NULL ? supp_match(supp, l->frames, l->nframes) : NULL;
		if (l->supp != NULL) {
			supp_hit(supp, l->supp, 1, l->blocks, l->bytes);
			amount_add(&r->suppressed, l->blocks, l->bytes);
			continue;
		}
		if (base != NULL) {
			char *key = baseline_key(l->frames, l->nframes);

			if (key == NULL)
				return err_set(e, "out of memory");
			l->known = baseline_lookup(base, l->cls, key) != NULL;
			free(key);
		}
		if (l->known)
			amount_add(&r->known, l->blocks, l->bytes);
		amount_add(&r->cls[l->cls], l->blocks, l->bytes);
		if (l->cls != CLASS_REACHABLE)
			amount_add(&r->leaked, l->blocks, l->bytes);
	}
	/* The hash slots index r->leaks; sorting moves the records, so the
	 * tables are done with. */
	if (r->priv != NULL) {
		free(r->priv->rslots);
		r->priv->rslots = NULL;
	}
	if (r->nleaks > 1)
		qsort(r->leaks, r->nleaks, sizeof(*r->leaks), leak_cmp);
	return 0;
}

int
group_select(struct report *r, unsigned show, bool top_set, uint64_t top, struct err *e)
{
	free(r->shown);
	r->nshown = 0;
	r->ncut = 0;
	r->shown = malloc((r->nleaks ? r->nleaks : 1) * sizeof(*r->shown));
	if (r->shown == NULL)
		return err_set(e, "out of memory");
	for (size_t i = 0; i < r->nleaks; i++) {
		const struct leak *l = &r->leaks[i];

		if (l->supp != NULL || !(show & (1u << l->cls)))
			continue;
		if (top_set && r->nshown >= top)
			r->ncut++;
		else
			r->shown[r->nshown++] = l;
	}
	return 0;
}

void
group_free(struct report *r)
{
	for (size_t i = 0; i < r->nleaks; i++) {
		free(r->leaks[i].frames);
		free(r->leaks[i].ids);
		free(r->leaks[i].points);
		free(r->leaks[i].retained_by);
	}
	free(r->leaks);
	free(r->shown);
	if (r->priv != NULL) {
		free(r->priv->frames);
		free(r->priv->fslots);
		free(r->priv->rslots);
		free(r->priv);
	}
	memset(r, 0, sizeof(*r));
}
