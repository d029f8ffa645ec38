/*
 * symbolize.c - return addresses from a dump -> function, file:line and
 * inline frames, through elfutils' libdwfl, with per-module and per-address
 * caches.
 *
 * Called by main.c (and group.c) after dump_read(): sym_resolve() for each pc
 * of each stack, for one or several dumps. A pc belongs to the module whose
 * run-time span [lo, hi) holds pc - 1 (a loaded module wins over an unloaded
 * one); its link-time address is pc - bias, and we look up that minus one,
 * because pcs are return addresses.
 *
 * Module files. modfile.c says which file a module of a dump is and
 * opens it for libdwfl (one Dwfl per file identity, a bounded number open
 * at a time); a file it cannot use yields module+offset frames. Without
 * DWARF, names come from .symtab/.dynsym. A pc belongs to the module that
 * modmap_find() says (a binary search in the dump's segments).
 *
 * Functions. The first lookup in a compile unit indexes its subprograms'
 * address ranges (sorted, binary-searched); a pc then walks down only its
 * own function's DIE subtree for the inlined_subroutine chain, instead of
 * the whole CU twice as dwarf_getscopes + dwarf_getscopes_die would. The
 * result matches eu-addr2line -i -f (checked on 3,000 random addresses of
 * an -O2 binary; it differs only in inter-function padding).
 *
 * Sites. Each distinct (modfile, offset) is symbolized once, whichever dump
 * it came from, and its frames are handed out to every pc that resolves to
 * it (their pc is 0; a caller that shows addresses copies them). A pc
 * outside every module gets frames of its own, keyed by the pc. Both live
 * in open-addressing tables that double at half load. All frames and
 * strings come from a pool freed only by sym_free(), so pointers handed out
 * stay valid until then, also after the image they came from was closed.
 *
 * Data. sym_resolve_data() names a data address (the word a global root
 * points from): dwfl_module_addrinfo() gives the symbol, kept only when it
 * is an object (STT_OBJECT, STT_TLS) that holds the address, so a code or
 * sizeless marker symbol (__bss_start, _edata) never names data; libdwfl
 * reads .symtab (also from a separate debug file) and else .dynsym. The
 * section comes from dwfl_module_address_section() and the main file's
 * section-name table. Each distinct (modfile, offset) is looked up once, in
 * a third site table whose sites carry a struct sym_data instead of frames.
 *
 * Network: libdw's debuginfod client reads DEBUGINFOD_URLS once per process,
 * the first time a lookup wants it. Unless sym_options.debuginfod is true,
 * sym_new() calls unsetenv("DEBUGINFOD_URLS") before its first dwfl_begin(),
 * so libdw never loads libdebuginfod and never touches the network; the
 * process keeps it unset afterwards, so a later symbolizer cannot turn it
 * back on.
 *
 * Not thread-safe: one symbolizer is used by one thread at a time.
 *
 * Size: over the usual ~500 lines because the pc and data lookups are one
 * cache: they share the site tables, the string pool every frame handed out
 * points into, and the function index hung on each open image (dropped
 * with it through modfile.c's callback). Which file a module is, and
 * keeping files open, is modfile.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdwfl.h>

#include "dumpfmt.h"
#include "modfile.h"
#include "modmap.h"
#include "symbolize.h"

/* From libstdc++ (cxxabi.h is C++ only). */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

#define POOL_CHUNK     (64 * 1024) /* bytes per ordinary pool chunk */
#define SITE_MIN_SLOTS 1024        /* power of two */
#define MAX_CHAIN      64          /* inline frames kept per pc, outer end cut */
#define MAX_NEST       32          /* namespace/class nesting searched for functions */
#define CU_BUCKETS     64          /* power of two */

struct chunk {
	struct chunk *next;
	size_t used; /* bytes handed out from data */
	size_t size; /* bytes in data */
	char data[];
};

struct fn_range {
	Dwarf_Addr lo; /* DWARF address of the first byte */
	Dwarf_Addr hi; /* one past the last */
	Dwarf_Die die; /* the subprogram; valid while its Dwfl lives */
};

/* The function index of one open image, hung on it (modfiles_user) and
 * freed when it is closed (fn_index_drop). */
struct fn_index {
	struct cu_index *cus[CU_BUCKETS]; /* built on first use */
};

struct cu_index {             /* the functions of one CU, for binary search */
	Dwarf_Off off;        /* the CU DIE's offset: the key */
	struct fn_range *fns; /* sorted by lo */
	size_t n;
	struct cu_index *next; /* bucket chain */
};

struct site {
	const struct modfile *mf; /* NULL: pc outside every module */
	uint64_t offset;          /* link-time return address; 0 when mf is NULL */
	uint64_t pc;              /* 0 in the per-offset and data tables */
	struct sym_frame *frames; /* NULL in the data table */
	size_t n;                 /* >= 1; 0 in the data table */
	struct sym_data *data;    /* in the data table only, else NULL */
};

struct sitetab {
	struct site **slots; /* NULL or a site */
	size_t mask;         /* slots - 1, slots a power of two */
	size_t used;         /* < slots / 2 */
};

struct symbolizer {
	struct sym_options opt;
	struct chunk *pool;
	struct modfiles *files; /* the module files, opened as needed */
	struct sitetab byoff;   /* (modfile, offset) -> frames with pc 0 */
	struct sitetab bypc;    /* (NULL, 0, pc) -> frames of a pc outside every module */
	struct sitetab bydata;  /* (modfile or NULL, offset or address, 0) -> data */
};

/* Returns size bytes, 8-aligned, from the pool, or NULL when out of memory. */
static void *
pool_alloc(struct symbolizer *s, size_t size)
{
	size = (size + 7) & ~(size_t)7;
	if (s->pool == NULL || s->pool->size - s->pool->used < size) {
		size_t cap = size > POOL_CHUNK ? size : POOL_CHUNK;
		struct chunk *c = malloc(sizeof(*c) + cap);

		if (c == NULL)
			return NULL;
		c->used = 0;
		c->size = cap;
		c->next = s->pool;
		s->pool = c;
	}
	void *p = s->pool->data + s->pool->used;

	s->pool->used += size;
	return p;
}

/* Copies str (may be NULL -> NULL) into the pool; *oom set on failure. */
static const char *
pool_strdup(struct symbolizer *s, const char *str, bool *oom)
{
	if (str == NULL)
		return NULL;
	size_t len = strlen(str) + 1;
	char *p = pool_alloc(s, len);

	if (p == NULL) {
		*oom = true;
		return NULL;
	}
	return memcpy(p, str, len);
}

static uint64_t
hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static uint64_t
site_hash(const struct modfile *mf, uint64_t offset, uint64_t pc)
{
	return hash_mix((uint64_t)(uintptr_t)mf ^ hash_mix(offset ^ hash_mix(pc)));
}

static struct site *
sitetab_find(const struct sitetab *t, const struct modfile *mf, uint64_t offset, uint64_t pc)
{
	if (t->slots == NULL)
		return NULL;
	for (size_t i = site_hash(mf, offset, pc) & t->mask;; i = (i + 1) & t->mask) {
		struct site *x = t->slots[i];

		if (x == NULL)
			return NULL; /* load < 1/2, so an empty slot always ends the probe */
		if (x->mf == mf && x->offset == offset && x->pc == pc)
			return x;
	}
}

/* Adds x (not present yet). 0, or -1 when out of memory (t unchanged). */
static int
sitetab_add(struct sitetab *t, struct site *x)
{
	if (t->slots == NULL || (t->used + 1) * 2 > t->mask + 1) {
		size_t n = t->slots == NULL ? SITE_MIN_SLOTS : (t->mask + 1) * 2;
		struct site **slots = calloc(n, sizeof(*slots));

		if (slots == NULL)
			return -1;
		for (size_t i = 0; t->slots != NULL && i <= t->mask; i++) {
			struct site *y = t->slots[i];

			if (y == NULL)
				continue;
			size_t j = site_hash(y->mf, y->offset, y->pc) & (n - 1);

			while (slots[j] != NULL)
				j = (j + 1) & (n - 1);
			slots[j] = y;
		}
		free(t->slots);
		t->slots = slots;
		t->mask = n - 1;
	}
	size_t i = site_hash(x->mf, x->offset, x->pc) & t->mask;

	while (t->slots[i] != NULL)
		i = (i + 1) & t->mask;
	t->slots[i] = x;
	t->used++;
	return 0;
}

/* The module of d that holds the call before return address pc, preferring
 * a loaded one; NULL when none does. */
static const struct module *
module_find(const struct dump *d, uint64_t pc)
{
	return pc == 0 ? NULL : modmap_find(d, pc - 1);
}

/* Pool copy of name, demangled when it is a C++ mangled name. */
static const char *
sym_name(struct symbolizer *s, const char *name, bool *oom)
{
	if (name != NULL && name[0] == '_' && name[1] == 'Z') {
		int status = -1;
		char *dem = __cxa_demangle(name, NULL, NULL, &status);

		if (status == 0 && dem != NULL) {
			const char *p = pool_strdup(s, dem, oom);

			free(dem);
			return p;
		}
		free(dem);
	}
	return pool_strdup(s, name, oom);
}

/* The name of a subprogram or inlined_subroutine DIE: linkage name first
 * (to demangle C++ with its parameters), else DW_AT_name; NULL if none. */
static const char *
die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) ?:
		dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));

	return name != NULL ? name : dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
}

static uint32_t
die_udata(Dwarf_Die *die, int name)
{
	Dwarf_Attribute attr;
	Dwarf_Word w;

	if (dwarf_formudata(dwarf_attr(die, name, &attr), &w) != 0 || w > UINT32_MAX)
		return 0;
	return (uint32_t)w;
}

/* Pool copy of file, made absolute with the CU's DW_AT_comp_dir when it is
 * relative (as eu-addr2line prints it). */
static const char *
file_name(struct symbolizer *s, Dwarf_Die *cu, const char *file, bool *oom)
{
	Dwarf_Attribute attr;
	const char *dir;

	if (file == NULL || file[0] == '/' ||
	    (dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr))) == NULL)
		return pool_strdup(s, file, oom);
	size_t a = strlen(dir);
	size_t b = strlen(file);
	char *p = pool_alloc(s, a + b + 2);

	if (p == NULL) {
		*oom = true;
		return NULL;
	}
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, file, b + 1);
	return p;
}

/* Appends the ranges of every subprogram under parent (through namespaces
 * and classes, depth-bounded) to *v. -1 when out of memory. */
static int
fns_collect(Dwarf_Die *parent, struct fn_range **v, size_t *n, size_t *cap, int depth)
{
	Dwarf_Die child;

	if (depth > MAX_NEST || dwarf_child(parent, &child) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&child);
		Dwarf_Addr base;
		Dwarf_Addr lo;
		Dwarf_Addr hi;
		ptrdiff_t off = 0;

		if (tag == DW_TAG_namespace || tag == DW_TAG_class_type ||
		    tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
		    tag == DW_TAG_module) {
			if (fns_collect(&child, v, n, cap, depth + 1) != 0)
				return -1;
			continue;
		}
		if (tag != DW_TAG_subprogram)
			continue;
		while ((off = dwarf_ranges(&child, off, &base, &lo, &hi)) > 0) {
			if (*n == *cap) {
				size_t c = *cap != 0 ? *cap * 2 : 64;
				struct fn_range *nv = realloc(*v, c * sizeof(*nv));

				if (nv == NULL)
					return -1;
				*v = nv;
				*cap = c;
			}
			(*v)[(*n)++] = (struct fn_range){ .lo = lo, .hi = hi, .die = child };
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

static int
fn_cmp(const void *a, const void *b)
{
	const struct fn_range *x = a;
	const struct fn_range *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Frees the function index of an image that modfile.c closes. */
static void
fn_index_drop(void *user)
{
	struct fn_index *fx = user;

	for (size_t c = 0; c < CU_BUCKETS; c++) {
		while (fx->cus[c] != NULL) {
			struct cu_index *ci = fx->cus[c];

			fx->cus[c] = ci->next;
			free(ci->fns);
			free(ci);
		}
	}
	free(fx);
}

/* The subprogram index of cu, built on first use; NULL when out of memory. */
static struct cu_index *
cu_index_get(struct image *img, Dwarf_Die *cu)
{
	Dwarf_Off off = dwarf_dieoffset(cu);
	size_t b = hash_mix(off) & (CU_BUCKETS - 1);
	struct fn_index **fx = (struct fn_index **)modfiles_user(img);

	if (*fx == NULL && (*fx = calloc(1, sizeof(**fx))) == NULL)
		return NULL;
	for (struct cu_index *ci = (*fx)->cus[b]; ci != NULL; ci = ci->next)
		if (ci->off == off)
			return ci;
	struct cu_index *ci = calloc(1, sizeof(*ci));
	size_t cap = 0;

	if (ci == NULL)
		return NULL;
	if (fns_collect(cu, &ci->fns, &ci->n, &cap, 0) != 0) {
		free(ci->fns);
		free(ci);
		return NULL;
	}
	qsort(ci->fns, ci->n, sizeof(*ci->fns), fn_cmp);
	ci->off = off;
	ci->next = (*fx)->cus[b];
	(*fx)->cus[b] = ci;
	return ci;
}

/* The subprogram of ci whose ranges hold a, or NULL. */
static Dwarf_Die *
cu_index_find(struct cu_index *ci, Dwarf_Addr a)
{
	size_t lo = 0;
	size_t hi = ci->n;

	while (lo < hi) { /* first entry with fns[].lo > a */
		size_t mid = lo + (hi - lo) / 2;

		if (ci->fns[mid].lo <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Ranges of distinct functions do not overlap in sane DWARF; look a
	 * little further back in case they do. */
	for (size_t i = lo, k = 0; i > 0 && k < 16; i--, k++)
		if (a < ci->fns[i - 1].hi)
			return &ci->fns[i - 1].die;
	return NULL;
}

/* Fills chain[0..] with sub and the inlined_subroutine DIEs holding a
 * under it, outermost first, the physical nesting that eu-addr2line -i
 * prints. Returns the count, >= 1. */
static size_t
inline_chain(Dwarf_Die *sub, Dwarf_Addr a, Dwarf_Die *chain, size_t max)
{
	Dwarf_Die cur = *sub;
	size_t n = 0;

	chain[n++] = cur;
	/* Each step goes one level deeper in the DIE tree, so this ends. */
	for (;;) {
		Dwarf_Die child;
		int tag = 0;
		bool found = false;

		if (dwarf_child(&cur, &child) == 0) {
			do {
				tag = dwarf_tag(&child);
				found = (tag == DW_TAG_inlined_subroutine ||
					    tag == DW_TAG_lexical_block ||
					    tag == DW_TAG_try_block || tag == DW_TAG_catch_block) &&
				    dwarf_haspc(&child, a) == 1;
			} while (!found && dwarf_siblingof(&child, &child) == 0);
		}
		if (!found)
			return n;
		if (tag == DW_TAG_inlined_subroutine && n < max)
			chain[n++] = child;
		cur = child;
	}
}

/*
 * Fills fr[0..max) with the function chain at module address addr from
 * DWARF, innermost inlined first, as eu-addr2line -i -f: frame 0 takes
 * file:line from the line table, each outer frame the call site recorded on
 * the inlined instance inside it. Returns the count; 0 without DWARF for
 * addr. A single frame with function NULL means line info but no function.
 */
static size_t
dwarf_chain(struct symbolizer *s, struct image *img, Dwfl_Module *mod, Dwarf_Addr addr,
    struct sym_frame *fr, size_t max, bool *oom)
{
	Dwarf_Addr bias = 0;
	Dwarf_Die *cu = dwfl_module_addrdie(mod, addr, &bias);
	Dwarf_Die chain[MAX_CHAIN];
	Dwarf_Files *files = NULL;
	size_t nfiles = 0;
	size_t n = 0;

	if (cu == NULL)
		return 0;
	struct cu_index *ci = cu_index_get(img, cu);

	if (ci == NULL) {
		*oom = true;
		return 0;
	}
	Dwarf_Die *sub = cu_index_find(ci, addr - bias);
	size_t depth = sub != NULL ? inline_chain(sub, addr - bias, chain, max) : 0;

	if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0)
		nfiles = 0;
	Dwfl_Line *line = dwfl_module_getsrc(mod, addr);
	int lineno = 0;
	int col = 0;
	const char *file =
	    line != NULL ? dwfl_lineinfo(line, NULL, &lineno, &col, NULL, NULL) : NULL;

	if (depth == 0 && file == NULL)
		return 0;
	do {
		Dwarf_Die *die = depth > 0 ? &chain[depth - 1] : NULL;

		fr[n].function = die != NULL ? sym_name(s, die_name(die), oom) : NULL;
		fr[n].file = file_name(s, cu, file, oom);
		fr[n].line = lineno > 0 ? (uint32_t)lineno : 0;
		fr[n].column = col > 0 ? (uint32_t)col : 0;
		fr[n].inlined = depth > 1;
		n++;
		if (depth <= 1)
			break;
		/* The caller's position is this inlined instance's call site. */
		Dwarf_Attribute attr;
		Dwarf_Word idx;

		file = NULL;
		if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &idx) == 0 &&
		    idx < nfiles)
			file = dwarf_filesrc(files, idx, NULL, NULL);
		lineno = (int)die_udata(die, DW_AT_call_line);
		col = (int)die_udata(die, DW_AT_call_column);
		depth--;
	} while (n < max);
	return n;
}

/* Frames for (mf, offset) with pc 0, from DWARF, else the symbol table,
 * else module+offset only. NULL when out of memory. Allocates. */
static struct site *
site_symbolize(struct symbolizer *s, struct modfile *mf, uint64_t offset)
{
	struct sym_frame tmp[MAX_CHAIN];
	size_t n = 0;
	bool oom = false;

	/* Opened now if it was closed; nothing closes it before we return. */
	Dwfl_Module *mod = mf->img != NULL ? modfiles_open(s->files, mf->img) : NULL;

	memset(tmp, 0, sizeof(tmp));
	if (mod != NULL && offset > 0) {
		Dwarf_Addr addr = offset - 1;

		n = dwarf_chain(s, mf->img, mod, addr, tmp, sizeof(tmp) / sizeof(tmp[0]), &oom);
		if (n == 0 || tmp[n - 1].function == NULL) {
			/* No DWARF function: the symbol table may still name it. */
			GElf_Off off;
			GElf_Sym sym;
			const char *name =
			    dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);

			if (n == 0)
				n = 1;
			tmp[n - 1].function = sym_name(s, name, &oom);
		}
	}
	if (n == 0)
		n = 1;
	struct site *x = pool_alloc(s, sizeof(*x));
	struct sym_frame *fr = pool_alloc(s, n * sizeof(*fr));

	if (x == NULL || fr == NULL || oom)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		fr[i] = tmp[i];
		fr[i].module = mf->base;
		fr[i].module_path = mf->path;
		fr[i].offset = offset;
	}
	*x = (struct site){ .mf = mf, .offset = offset, .pc = 0, .frames = fr, .n = n };
	return x;
}

/* The module of d with id id (ids ascend in a dump), else the one whose
 * span holds data address addr (a loaded one first); NULL when none. */
static const struct module *
module_of_data(const struct dump *d, uint32_t id, uint64_t addr)
{
	size_t lo = 0, hi = d->nmodules;

	while (id != 0 && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->modules[mid].id == id)
			return &d->modules[mid];
		if (d->modules[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return modmap_find(d, addr);
}

/* The name of the section of mod's main file that holds module address
 * addr, or NULL. The string belongs to libelf (valid while the Dwfl is). */
static const char *
section_name(Dwfl_Module *mod, Dwarf_Addr addr)
{
	Dwarf_Addr bias;
	Elf_Scn *scn = dwfl_module_address_section(mod, &addr, &bias);
	Elf *elf = dwfl_module_getelf(mod, &bias);
	GElf_Shdr mem;
	GElf_Shdr *sh;
	size_t ndx;

	/* dwfl_module_address_section() looks in the main file, as getelf. */
	if (scn == NULL || elf == NULL || elf_getshdrstrndx(elf, &ndx) != 0 ||
	    (sh = gelf_getshdr(scn, &mem)) == NULL)
		return NULL;
	return elf_strptr(elf, ndx, sh->sh_name);
}

/* Data for (mf, offset); mf NULL: an address outside every module, kept
 * in offset. Allocates; NULL when out of memory. */
static struct site *
data_symbolize(struct symbolizer *s, struct modfile *mf, uint64_t offset)
{
	struct site *x = pool_alloc(s, sizeof(*x));
	struct sym_data *v = pool_alloc(s, sizeof(*v));
	Dwfl_Module *mod = mf != NULL && mf->img != NULL ? modfiles_open(s->files, mf->img) : NULL;
	bool oom = false;

	if (x == NULL || v == NULL)
		return NULL;
	memset(v, 0, sizeof(*v));
	if (mf != NULL) {
		v->module = mf->base;
		v->module_path = mf->path;
		v->offset = offset;
	}
	if (mod != NULL) {
		GElf_Off off = 0;
		GElf_Sym sym;
		const char *name = dwfl_module_addrinfo(mod, offset, &off, &sym, NULL, NULL, NULL);
		int type = name != NULL ? GELF_ST_TYPE(sym.st_info) : STT_NOTYPE;

		/* libdwfl may answer with the nearest sizeless symbol before addr
		 * (a section marker); only an object that holds it names it. */
		if ((type == STT_OBJECT || type == STT_TLS) &&
		    (sym.st_size == 0 ? off == 0 : off < sym.st_size)) {
			v->symbol = sym_name(s, name, &oom);
			v->symbol_offset = off;
		}
		v->section = pool_strdup(s, section_name(mod, offset), &oom);
	}
	if (oom)
		return NULL;
	*x = (struct site){ .mf = mf, .offset = offset, .pc = 0, .data = v };
	return x;
}

int
sym_resolve_data(struct symbolizer *s, const struct dump *d, uint32_t module_id, uint64_t addr,
    const struct sym_data **data, struct err *e)
{
	const struct module *m = module_of_data(d, module_id, addr);
	struct modfile *mf = NULL;
	uint64_t offset = addr;

	if (m != NULL) {
		mf = modfiles_get(s->files, m);
		if (mf == NULL)
			return err_set(e, "symbolize: out of memory");
		offset = addr - m->bias;
	}
	struct site *x = sitetab_find(&s->bydata, mf, offset, 0);

	if (x == NULL) {
		x = data_symbolize(s, mf, offset);
		if (x == NULL || sitetab_add(&s->bydata, x) != 0)
			return err_set(e, "symbolize: out of memory");
	}
	*data = x->data;
	return 0;
}

struct symbolizer *
sym_new(const struct sym_options *o, struct err *e)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		err_set(e, "symbolize: out of memory");
		return NULL;
	}
	s->opt = *o;
	s->files = modfiles_new(o->max_open, o->warn, o->warn_ctx, fn_index_drop);
	if (s->files == NULL) {
		free(s);
		err_set(e, "symbolize: out of memory");
		return NULL;
	}
	if (!o->debuginfod)
		unsetenv("DEBUGINFOD_URLS"); /* see the header comment */
	return s;
}

int
sym_resolve(struct symbolizer *s, const struct dump *d, uint64_t pc,
    const struct sym_frame **frames, size_t *n, struct err *e)
{
	const struct module *m = module_find(d, pc);
	struct site *v;

	if (m != NULL) {
		struct modfile *mf = modfiles_get(s->files, m);
		uint64_t offset = pc - m->bias;

		if (mf == NULL)
			return err_set(e, "symbolize: out of memory");
		v = sitetab_find(&s->byoff, mf, offset, 0);
		if (v == NULL) {
			v = site_symbolize(s, mf, offset);
			if (v == NULL || sitetab_add(&s->byoff, v) != 0)
				return err_set(e, "symbolize: out of memory");
		}
	} else {
		v = sitetab_find(&s->bypc, NULL, 0, pc);
		if (v == NULL) {
			struct sym_frame *fr = pool_alloc(s, sizeof(*fr));

			v = pool_alloc(s, sizeof(*v));
			if (v == NULL || fr == NULL)
				return err_set(e, "symbolize: out of memory");
			*fr = (struct sym_frame){ .pc = pc };
			*v = (struct site){ .pc = pc, .frames = fr, .n = 1 };
			if (sitetab_add(&s->bypc, v) != 0)
				return err_set(e, "symbolize: out of memory");
		}
	}
	*frames = v->frames;
	*n = v->n;
	return 0;
}

void
sym_free(struct symbolizer *s)
{
	if (s == NULL)
		return;
	modfiles_free(s->files);
	while (s->pool != NULL) {
		struct chunk *next = s->pool->next;

		free(s->pool);
		s->pool = next;
	}
	free(s->byoff.slots);
	free(s->bypc.slots);
	free(s->bydata.slots);
	free(s);
}

size_t
sym_open_images(const struct symbolizer *s)
{
	return modfiles_nopen(s->files);
}
