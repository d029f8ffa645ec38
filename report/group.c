/*
 * group.c - dumps -> leak records, their totals and their order.
 *
 * Called by main.c, in order: group_init, group_build (once, every dump),
 * group_finish (suppressions, baseline, totals, sort, and what the outputs
 * list: records, suppression rules, fixed baseline records), then the
 * outputs read the struct report; group_free at the end. group_finish is
 * the one place that decides what is listed, so every format lists the
 * same.
 *
 * Grouping is by SYMBOLIZED stack, never by address: each frame is interned
 * as (module basename, function, file, line, column, inlined), plus the
 * module offset when the line is unknown and the pc when even the module
 * is, into a 32-bit frame id; a record is keyed by (kind, frame ids).
 * So the same code path in two processes (different load addresses) or
 * reached through two return addresses on one source line is one record,
 * and two call sites in one function of a binary without line information
 * are two, as in Valgrind and LeakSanitizer (libyaml's test-reader, built
 * without -g: eight malloc sites in yaml_parser_initialize, which had been
 * one record under the first site's address).
 * Frame strings belong to the symbolizer and outlive the report (sym_free
 * runs after group_free). Leading allocator frames are dropped before
 * interning, so they never split or name a record.
 *
 * A reachable or possible record also takes the retain line (why it is
 * alive) of the first of its (dump, stack) pairs that has one (retain.c).
 *
 * Every record keeps its sum per dump (points[], ascending dump index):
 * which processes it came from, and what each holds (--per-process). In
 * series mode (r->series, for diff.c and trend.c) the key is the frame ids
 * alone, so every kind of one stack is one record that a caller can follow
 * from dump to dump. group_finish and group_select are not meant for it.
 * With --group-by exe the key also holds the dump's exe path, so that each
 * stack record belongs to one executable.
 *
 * --group-by site, function and exe merge in group_finish (regroup.c),
 * after each stack record was given its suppression rule, so a suppression
 * is decided per stack whatever the grouping; a merged record's baseline
 * key comes from what it is keyed by (the site frame, the exe), not from
 * whichever member is largest this run.
 *
 * Both tables are open addressing with linear probing, at most half full,
 * doubled when they reach it; indices into r->leaks and st->frames are
 * stored + 1 so that 0 means empty. Single-threaded.
 *
 * Size: over the usual ~500 lines because the frame and record tables are
 * one structure with one life: group_build fills them, and group_finish
 * merges, sorts and lists the records they index and then drops them. The
 * merge (regroup.c) and the retainers (retain.c) are their own files.
 */
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "regroup.h"
#include "retain.h"
#include "sat.h"

struct fkey {
	const char *module;
	const char *function;
	const char *file;
	uint32_t line;
	uint32_t column;
	bool inlined;
	uint64_t addr; /* offset when function is NULL, pc when module is too */
	uint64_t hash;
};

/* A frame of the symbolizer's cache and its interned id. The symbolizer
 * hands one frame array to every pc at one module offset and never changes
 * it, so its address stands for its key: most frames of a suite's dumps are
 * found here without hashing their strings. */
struct pslot {
	const struct sym_frame *frame; /* NULL: empty */
	uint32_t id;
};

struct group_state {
	uint32_t *dump_exe;  /* per dump: its exe path's id (distinct paths, in dump order) */
	uint32_t *dump_base; /* per dump: its exe basename's id, an index into bases */
	const char **bases;  /* distinct exe basenames, in dump order; point into the dumps */
	size_t nbases;
	uint32_t *stamp;     /* per basename: last record that listed it, + 1 */
	struct fkey *frames; /* interned frames; id = index */
	size_t nframes;
	size_t capframes;
	uint32_t *fslots; /* frame index + 1, or 0 */
	size_t fmask;
	struct pslot *pslots; /* symbolizer frame -> its frame id, see frame_id() */
	size_t pmask;
	size_t npslots;
	uint32_t *rslots; /* record index + 1, or 0 */
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
hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ull; /* FNV-1a */
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

int
group_str_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* A dump built by hand (the unit tests) may have no exe. */
static const char *
exe_of(const struct dump *d)
{
	return d->exe != NULL ? d->exe : "";
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
		"malloc",
		"calloc",
		"realloc",
		"reallocarray",
		"free",
		"cfree",
		"posix_memalign",
		"aligned_alloc",
		"memalign",
		"valloc",
		"pvalloc",
		"malloc_usable_size",
		"__libc_malloc",
		"__libc_calloc",
		"__libc_realloc",
		"__libc_free",
		"__libc_memalign",
		"__libc_valloc",
		"__libc_pvalloc",
		"__posix_memalign",
		"__libc_reallocarray",
	};
	static const char *const cxx[] = {
		"operator new",
		"operator delete",
	};
	static const char *const mangled[] = {
		"_Znwm",
		"_Znam",
		"_ZdlPv",
		"_ZdaPv",
		"_Znwj",
		"_Znaj",
	};
	const char *fn = f->function;

	if (f->module != NULL && has_prefix(f->module, "libleak.so"))
		return true;
	if (fn == NULL)
		return false;
	if (has_prefix(fn, "__GI_"))
		fn += 5; /* glibc's internal alias, e.g. __GI___libc_malloc */
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
	k->addr = f->line != 0 ? 0 : f->module != NULL ? f->offset : f->pc;
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
slots_grow(uint32_t **slots, size_t *mask, size_t n, uint64_t (*hash_of)(void *, size_t), void *ctx)
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

static uint64_t
ptr_hash(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;

	return h ^ (h >> 29);
}

/* The id of f, a frame of the symbolizer's cache: from its address when
 * seen before, else interned by value and remembered. Open addressing, at
 * most half full. */
static int
frame_id(struct group_state *st, const struct sym_frame *f, uint32_t *id)
{
	size_t j;

	if (st->pslots == NULL || 2 * (st->npslots + 1) > st->pmask + 1) {
		size_t size = st->pslots == NULL ? 1024 : 2 * (st->pmask + 1);
		struct pslot *t = calloc(size, sizeof(*t));

		if (t == NULL)
			return -1;
		for (size_t i = 0; st->pslots != NULL && i <= st->pmask; i++) {
			if (st->pslots[i].frame == NULL)
				continue;
			for (j = ptr_hash(st->pslots[i].frame) & (size - 1); t[j].frame != NULL;
			     j = (j + 1) & (size - 1))
				;
			t[j] = st->pslots[i];
		}
		free(st->pslots);
		st->pslots = t;
		st->pmask = size - 1;
	}
	for (j = ptr_hash(f) & st->pmask; st->pslots[j].frame != NULL; j = (j + 1) & st->pmask) {
		if (st->pslots[j].frame == f) {
			*id = st->pslots[j].id;
			return 0;
		}
	}
	if (intern_frame(st, f, id) < 0)
		return -1;
	st->pslots[j] = (struct pslot){ .frame = f, .id = *id };
	st->npslots++;
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
	const struct sym_frame **src = malloc(cap * sizeof(*src));

	if (fr == NULL || src == NULL) {
		free(fr);
		free(src);
		return err_set(e, "out of memory");
	}
	for (uint32_t i = 0; i < sk->n; i++) {
		const struct sym_frame *got;
		size_t ng;

		if (sym_resolve(s, d, sk->pcs[i], &got, &ng, e) < 0)
			goto out_free;
		if (n + ng > cap) {
			struct sym_frame *a;
			const struct sym_frame **b;

			cap = 2 * (n + ng);
			a = realloc(fr, cap * sizeof(*fr));
			if (a == NULL)
				goto out_oom;
			fr = a;
			b = realloc(src, cap * sizeof(*src));
			if (b == NULL)
				goto out_oom;
			src = b;
		}
		for (size_t j = 0; j < ng; j++) {
			src[n] = &got[j];
			fr[n] = got[j];
			fr[n++].pc = sk->pcs[i]; /* shared frames have pc 0 */
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
		if (frame_id(r->priv, src[skip + i], &m->ids[i]) < 0)
			goto out_oom;
	free(src);
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
	free(src);
	return -1;
}

static uint64_t
record_key_hash(enum leak_class cls, uint32_t exe_id, const uint32_t *ids, size_t n)
{
	uint64_t h = hash_bytes(0xcbf29ce484222325ull, &cls, sizeof(cls));

	h = hash_bytes(h, &exe_id, sizeof(exe_id));
	return hash_bytes(h, ids, n * sizeof(*ids));
}

static uint64_t
leak_hash(void *ctx, size_t i)
{
	const struct leak *l = &((struct report *)ctx)->leaks[i];

	return record_key_hash(l->cls, l->exe_id, l->ids, l->nframes);
}

/* Adds rc, of dump number di, to l's point for di. Dumps are added in index
 * order, so the point is the last one or a new one; the array's capacity is
 * the next power of two of npoints. */
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
	p->blocks = sat_add(p->blocks, rc->blocks);
	p->bytes = sat_add(p->bytes, rc->bytes);
	return 0;
}

/* Adds rec of dump number di (whose stack is memo m) to its record, which
 * *out then points to (until the next add_rec). */
static int
add_rec(struct report *r, const struct rec *rc, struct stack_memo *m, uint32_t di,
    struct leak **out)
{
	struct group_state *st = r->priv;
	enum leak_class cls = r->series && !CLASS_IS_RESOURCE(rc->cls) ? CLASS_DEFINITE : rc->cls;
	uint32_t exe_id = r->group_by == GROUP_EXE && !r->series ? st->dump_exe[di] : 0;
	uint64_t h = record_key_hash(cls, exe_id, m->ids, m->n);
	struct leak *l;
	size_t j;

	if (st->rslots == NULL || 2 * (r->nleaks + 1) > st->rmask + 1)
		if (slots_grow(&st->rslots, &st->rmask, r->nleaks, leak_hash, r) < 0)
			return -1;
	for (j = h & st->rmask; st->rslots[j] != 0; j = (j + 1) & st->rmask) {
		l = &r->leaks[st->rslots[j] - 1];
		if (l->cls == cls && l->exe_id == exe_id && l->nframes == m->n &&
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
	if (m->n != 0) { /* a stack-less record has no frames to copy */
		memcpy(l->frames, m->frames, m->n * sizeof(*l->frames));
		memcpy(l->ids, m->ids, m->n * sizeof(*l->ids));
	}
	l->stacks = 1;
	l->exe_id = exe_id;
	if (r->group_by == GROUP_EXE && !r->series)
		l->exe = exe_of(&r->dumps[di]);
	st->rslots[j] = (uint32_t)(++r->nleaks);
found:
	l->blocks = sat_add(l->blocks, rc->blocks);
	l->bytes = sat_add(l->bytes, rc->bytes);
	*out = l;
	return add_point(l, rc, di);
}

/* Adds the heur lines of stack id (d->heurs is sorted by stack id) to l. */
static void
add_heurs(struct leak *l, const struct dump *d, uint32_t id)
{
	size_t lo = 0, hi = d->nheurs;

	while (lo < hi) { /* the first heur line of a stack >= id */
		size_t mid = lo + (hi - lo) / 2;

		if (d->heurs[mid].stack_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < d->nheurs && d->heurs[lo].stack_id == id; lo++) {
		const struct heur_rec *h = &d->heurs[lo];

		sat_amount_add(&l->heur[h->heur], 0, h->blocks, h->bytes);
	}
}

/* The memo of stack id of d, filled; NULL with e set on error. */
static struct stack_memo *
memo_of(struct report *r, struct symbolizer *s, const struct dump *d, struct stack_memo *memo,
    uint32_t id, struct err *e)
{
	const struct stack *sk = model_find_stack(d, id);

	if (sk == NULL) {
		err_set(e, "%s: stack %u does not exist", d->path, id);
		return NULL;
	}
	struct stack_memo *m = &memo[sk - d->stacks];
	if (!m->done && memo_fill(r, s, d, sk, m, e) < 0)
		return NULL;
	return m;
}

/* The indirect blocks of d that only the definite blocks of a suppressed
 * stack reach (own lines), per stack slot, into hidden[]; they count as
 * suppressed by the owner's rule (no record of their own). */
static int
owned_by_suppressed(struct report *r, struct symbolizer *s, const struct dump *d,
    struct stack_memo *memo, struct amount *hidden, struct err *e)
{
	for (size_t i = 0; i < d->nowns; i++) {
		const struct own_rec *o = &d->owns[i];
		struct stack_memo *m = memo_of(r, s, d, memo, o->owner, e);

		if (m == NULL)
			return -1;
		const struct supp_rule *rule = supp_match(r->owners, m->frames, m->n);
		if (rule == NULL)
			continue;
		const struct stack *sk = model_find_stack(d, o->stack_id);
		if (sk == NULL)
			return err_set(e, "%s: own names stack %u, which does not exist", d->path,
			    o->stack_id);
		sat_amount_add(&hidden[sk - d->stacks], 0, o->blocks, o->bytes);
		supp_hit(r->owners, rule, 0, o->blocks, o->bytes);
		sat_amount_add(&r->suppressed, 0, o->blocks, o->bytes);
	}
	return 0;
}

/* Adds every rec of dump d (number di) to r. */
static int
add_dump(struct report *r, struct symbolizer *s, const struct dump *d, uint32_t di, struct err *e)
{
	struct stack_memo *memo = calloc(d->nstacks + 1, sizeof(*memo));
	struct amount *hidden = NULL;
	struct stack_memo none = { .done = true };
	uint32_t no_id = 0;
	int ret = -1;

	if (memo == NULL)
		return err_set(e, "out of memory");
	none.ids = &no_id;
	if (r->owners != NULL && d->nowns > 0) {
		hidden = calloc(d->nstacks + 1, sizeof(*hidden));
		if (hidden == NULL) {
			err_set(e, "out of memory");
			goto out_free;
		}
		if (owned_by_suppressed(r, s, d, memo, hidden, e) < 0)
			goto out_free;
	}
	for (size_t i = 0; i < d->nrecs; i++) {
		const struct rec *rc = &d->recs[i];
		struct stack_memo *m = &none;
		struct leak *l;
		struct rec less;

		if (rc->stack_id != 0) {
			const struct stack *sk = model_find_stack(d, rc->stack_id);

			if (sk == NULL) {
				err_set(e, "%s: rec names stack %u, which does not exist", d->path,
				    rc->stack_id);
				goto out_free;
			}
			m = &memo[sk - d->stacks];
			if (!m->done && memo_fill(r, s, d, sk, m, e) < 0)
				goto out_free;
			const struct amount *h = hidden != NULL ? &hidden[sk - d->stacks] : NULL;
			if (h != NULL && h->blocks > 0 && rc->cls == CLASS_INDIRECT) {
				less = *rc;
				less.blocks -= h->blocks < less.blocks ? h->blocks : less.blocks;
				less.bytes -= h->bytes < less.bytes ? h->bytes : less.bytes;
				if (less.blocks == 0)
					continue; /* all of it suppressed with its owners */
				rc = &less;
			}
		}
		if (add_rec(r, rc, m, di, &l) < 0) {
			err_set(e, "out of memory");
			goto out_free;
		}
		/* Series mode has no use for it: diff and trend never show it. */
		if (!r->series && d->nretains > 0 && retain_attach(s, d, rc, l, e) < 0)
			goto out_free;
		if (!r->series && rc->cls == CLASS_REACHABLE)
			add_heurs(l, d, rc->stack_id);
		if (CLASS_IS_RESOURCE(rc->cls) && resources_attach(s, d, rc, l, e) < 0)
			goto out_free;
	}
	ret = 0;
out_free:
	for (size_t i = 0; i < d->nstacks; i++) {
		free(memo[i].frames);
		free(memo[i].ids);
	}
	free(memo);
	free(hidden);
	return ret;
}

static const char *const group_names[] = {
	[GROUP_STACK] = "stack",
	[GROUP_SITE] = "site",
	[GROUP_FUNCTION] = "function",
	[GROUP_EXE] = "exe",
};

const char *
group_by_name(enum group_by g)
{
	return (unsigned)g < sizeof(group_names) / sizeof(group_names[0]) ? group_names[g] : "?";
}

int
group_by_parse(const char *s)
{
	for (int g = 0; g < (int)(sizeof(group_names) / sizeof(group_names[0])); g++)
		if (strcmp(s, group_names[g]) == 0)
			return g;
	return -1;
}

void
group_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
}

/* Numbers the dumps' exe paths and basenames, each distinct one in dump
 * order (st->dump_exe, st->dump_base, st->bases), and counts the paths. A
 * suite has few executables, so a linear search per dump is enough. */
static int
intern_exes(struct report *r, struct group_state *st)
{
	size_t n = r->ndumps ? r->ndumps : 1;

	st->dump_exe = malloc(n * sizeof(*st->dump_exe));
	st->dump_base = malloc(n * sizeof(*st->dump_base));
	st->bases = malloc(n * sizeof(*st->bases));
	st->stamp = calloc(n, sizeof(*st->stamp));
	if (st->dump_exe == NULL || st->dump_base == NULL || st->bases == NULL || st->stamp == NULL)
		return -1;
	for (size_t i = 0; i < r->ndumps; i++) {
		const char *exe = exe_of(&r->dumps[i]);
		const char *base = model_basename(exe);
		size_t k;

		for (k = 0; k < i && strcmp(exe_of(&r->dumps[k]), exe) != 0; k++)
			;
		st->dump_exe[i] = k < i ? st->dump_exe[k] : (uint32_t)r->nexes++;
		for (k = 0; k < st->nbases && strcmp(st->bases[k], base) != 0; k++)
			;
		if (k == st->nbases)
			st->bases[st->nbases++] = base;
		st->dump_base[i] = (uint32_t)k;
	}
	return 0;
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
	if (intern_exes(r, r->priv) < 0)
		return err_set(e, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct dump_stats *t = &dumps[i].stats;

		r->total_allocs = sat_add(r->total_allocs, t->allocs);
		r->dropped = sat_add(r->dropped, t->dropped);
		r->res_dropped = sat_add(r->res_dropped, t->res_dropped);
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

	if ((c = group_str_cmp(a->function, b->function)) != 0 ||
	    (c = group_str_cmp(a->file, b->file)) != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	if ((c = group_str_cmp(a->module, b->module)) != 0)
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

/* Bytes, blocks (largest first), kind, the frames, then the exe: no two
 * records of one report compare equal, since they differ in kind, some
 * frame key or (--group-by exe) the executable. */
static int
leak_cmp(const void *pa, const void *pb)
{
	const struct leak *a = pa, *b = pb;
	int c;

	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (a->blocks != b->blocks)
		return a->blocks > b->blocks ? -1 : 1;
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if ((c = group_frames_cmp(a->frames, a->nframes, b->frames, b->nframes)) != 0)
		return c;
	return group_str_cmp(a->exe, b->exe);
}

bool
group_is_gated(const struct leak *l, unsigned kinds)
{
	return l->supp == NULL && !l->known && (kinds & CLASS_BIT(l->cls)) != 0;
}

void
group_leak_free(struct leak *l)
{
	free(l->frames);
	free(l->ids);
	free(l->points);
	free(l->exes);
	free(l->key);
	free(l->retained_by);
	free(l->res);
}

/* The distinct exe basenames of l's dumps, in dump order. */
static int
fill_exes(struct report *r, struct leak *l, uint32_t stamp)
{
	struct group_state *st = r->priv;

	l->exes = malloc(l->npoints * sizeof(*l->exes));
	if (l->exes == NULL)
		return -1;
	l->nexes = 0;
	for (size_t i = 0; i < l->npoints; i++) {
		uint32_t b = st->dump_base[l->points[i].dump];

		if (st->stamp[b] == stamp)
			continue;
		st->stamp[b] = stamp;
		l->exes[l->nexes++] = st->bases[b];
	}
	return 0;
}

/* l's baseline key, from what l is keyed by (see baseline.h). */
static char *
leak_key(const struct report *r, const struct leak *l)
{
	if (r->group_by == GROUP_EXE)
		return baseline_key_exe(l->exe);
	if (r->group_by == GROUP_STACK || l->nframes == 0)
		return baseline_key(l->frames, l->nframes);
	return baseline_key(&l->frames[l->site], 1);
}

/* Every leak rule of supp (may be NULL), in load order: the outputs list
 * the rules that matched nothing too, so a stale one shows. */
static int
list_rules(struct report *r, const struct suppressions *supp)
{
	size_t n = supp != NULL ? supp_count(supp) : 0;

	free(r->rules);
	r->nrules = 0;
	r->rules = malloc((n ? n : 1) * sizeof(*r->rules));
	if (r->rules == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		r->rules[r->nrules++] = supp_rule(supp, i);
	return 0;
}

/* The records of base (may be NULL) that no record of this run was found
 * as (baseline_lookup marked the others seen), in file order. */
static int
list_fixed(struct report *r, const struct baseline *base)
{
	size_t n = base != NULL ? baseline_count(base) : 0;

	free(r->fixed);
	r->nfixed = 0;
	r->baseline = base != NULL;
	r->fixed = malloc((n ? n : 1) * sizeof(*r->fixed));
	if (r->fixed == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct baseline_entry *be = baseline_entry(base, i);

		if (!be->seen)
			r->fixed[r->nfixed++] = be;
	}
	return 0;
}

int
group_finish(struct report *r, struct suppressions *supp, struct baseline *base, struct err *e)
{
	for (size_t i = 0; i < r->nleaks; i++)
		r->leaks[i].supp =
		    supp != NULL ? supp_match(supp, r->leaks[i].frames, r->leaks[i].nframes) : NULL;
	/* The hash slots index r->leaks; merging and sorting move the
	 * records, so the tables are done with. */
	if (r->priv != NULL) {
		free(r->priv->rslots);
		r->priv->rslots = NULL;
	}
	if (r->group_by != GROUP_STACK) {
		if (regroup_merge(r, e) < 0)
			return -1;
		r->priv->capleaks = r->nleaks; /* r->leaks is a new array */
	}
	for (size_t i = 0; i < r->nleaks; i++) {
		struct leak *l = &r->leaks[i];

		if (fill_exes(r, l, (uint32_t)i + 1) < 0)
			return err_set(e, "out of memory");
		if (l->supp != NULL) {
			supp_hit(supp, l->supp, 1, l->blocks, l->bytes);
			sat_amount_add(&r->suppressed, 1, l->blocks, l->bytes);
			continue;
		}
		l->key = leak_key(r, l);
		if (l->key == NULL)
			return err_set(e, "out of memory");
		l->known = base != NULL && baseline_lookup(base, l->cls, l->key) != NULL;
		if (l->known)
			sat_amount_add(&r->known, 1, l->blocks, l->bytes);
		sat_amount_add(&r->cls[l->cls], 1, l->blocks, l->bytes);
		if (l->cls != CLASS_REACHABLE && !CLASS_IS_RESOURCE(l->cls))
			sat_amount_add(&r->leaked, 1, l->blocks, l->bytes);
	}
	if (r->nleaks > 1)
		qsort(r->leaks, r->nleaks, sizeof(*r->leaks), leak_cmp);
	if (group_select(r, r->show, r->top_set, r->top, e) < 0 || list_rules(r, supp) < 0 ||
	    list_fixed(r, base) < 0)
		return err_set(e, "out of memory");
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

		if (l->supp != NULL || !(show & CLASS_BIT(l->cls)))
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
	for (size_t i = 0; i < r->nleaks; i++)
		group_leak_free(&r->leaks[i]);
	free(r->leaks);
	free(r->shown);
	free(r->rules);
	free(r->fixed);
	if (r->priv != NULL) {
		free(r->priv->dump_exe);
		free(r->priv->dump_base);
		free(r->priv->bases);
		free(r->priv->stamp);
		free(r->priv->frames);
		free(r->priv->fslots);
		free(r->priv->pslots);
		free(r->priv->rslots);
		free(r->priv);
	}
	memset(r, 0, sizeof(*r));
}
