/*
 * roots.c - where the exit scan looks for pointers: the writable segments
 * of every module, the live part of every thread's stack (with its saved
 * registers and its static TLS, which glibc keeps at the top of the stack
 * mapping), and the anonymous memory the program mapped for itself.
 *
 * Left out, each for a reason:
 *  - libleak's own segments (the anonymous tail of its .bss too) and
 *    mappings (arena.c's registry): our state holds every block's address.
 *  - glibc's main_arena inside libc's .data: its bins point at chunk
 *    headers, which lie inside the previous, live block. roots_init() finds
 *    it through a freed chunk's back link to its bin.
 *  - mappings that hold live tracked blocks (the heap itself, glibc's
 *    per-thread arenas, big mmap'd blocks): blocks are reached by marking,
 *    and free chunks in there hold stale pointers.
 *  - glibc's thread arena heaps, even empty or shrunk: found through
 *    main_arena's ring of arenas and each arena's heap_info chain
 *    (heaps_find); only when main_arena is unknown, by their look (64 MiB
 *    aligned, a heap_info whose mprotect_size is the read-write part).
 *  - thread stacks other than the live parts of live threads: a mapping
 *    right above a PROT_NONE guard is a thread stack; glibc caches the
 *    stacks of exited threads, whose stale contents are not roots.
 *  - [vvar], [vdso], [vsyscall] and every file-backed mapping that is not a
 *    module's writable segment.
 *
 * One function per root kind: roots_modules() (globals: every module's
 * writable segments), roots_regions() (what the program registered:
 * scan/regions.h), roots_moving() (a block a stopped thread's realloc had
 * out of the map), live_stacks(), own_stacks() (the whole stack of a
 * thread running on one of its own making) and program_mapping(), the
 * last three on one pass over /proc/self/maps (roots_maps()).
 * roots_modules() must run before the world is stopped (dl_iterate_phdr
 * locks); roots_maps() runs while it is stopped and only makes system calls.
 * Size: the maps parser, glibc's heap layout (main_arena, the arena heaps)
 * and the three per-line kinds read the same lines and cut the same
 * pieces; apart they would pass a dozen shared facts between files.
 * Not thread-safe: the exit dump calls these once, on one thread.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/self.h"
#include "dump/modules.h"
#include "scan/roots.h"

#define HEAP_ALIGN ((uintptr_t)64 << 20) /* glibc's HEAP_MAX_SIZE on 64-bit */
#define MAPS_FIRST ((size_t)1 << 20)     /* first buffer for /proc/self/maps */
#define MAPS_MAX   ((size_t)256 << 20)   /* most we read of it */

static uintptr_t arena_lo, arena_hi; /* glibc's main_arena, or 0 */

/* libleak.so's writable segments, page-rounded, as roots_modules() found
 * them: its .bss past the last file page is an anonymous mapping of its
 * own in /proc/self/maps (800 KiB of stack-cache and start-up state),
 * which roots_maps() must not take for the program's memory. */
#define OWN_RW_MAX 4
static struct root_region own_rw[OWN_RW_MAX];
static size_t own_rw_n;

static bool
add(struct roots *r, uintptr_t lo, uintptr_t hi, enum root_kind kind, uint32_t who)
{
	lo = (lo + 7) & ~(uintptr_t)7;
	if (lo >= hi)
		return true;
	if (r->n == r->cap)
		return false;
	r->r[r->n++] = (struct root_region){ .lo = lo, .hi = hi, .kind = kind, .who = who };
	return true;
}

/* Adds [lo, hi) minus main_arena. */
static void
add_minus_arena(struct roots *r, uintptr_t lo, uintptr_t hi, enum root_kind kind, uint32_t who)
{
	if (arena_hi > arena_lo && arena_lo < hi && arena_hi > lo) {
		add(r, lo, arena_lo, kind, who);
		add(r, arena_hi, hi, kind, who);
	} else {
		add(r, lo, hi, kind, who);
	}
}

void
roots_init(void *(*real_malloc)(size_t), void (*real_free)(void *))
{
	/* Too big for the tcache and the fastbins, kept off the top chunk by
	 * `fence`: once freed it sits alone at the head of the unsorted bin,
	 * and its back link points at that bin, inside main_arena. Freeing the
	 * fence, next to the top chunk, then merges both back into it, so the
	 * heap is left as it was: the program sees the same addresses and
	 * malloc_usable_size() values as without us. */
	void **a = real_malloc(1500);
	void *fence = real_malloc(1500);

	if (a != NULL && fence != NULL) {
		real_free(a);
		uintptr_t bin = (uintptr_t)a[1];
		/* struct malloc_state on x86_64 glibc: bins[] starts at 112 and
		 * the bin pointer is &bins[0] - 16; the struct is 2200 bytes. */
		arena_lo = bin + 16 - 112;
		arena_hi = arena_lo + 2200;
		real_free(fence);
		return;
	}
	real_free(a);
	real_free(fence);
}

static int
visit_module(struct dl_phdr_info *info, size_t size, void *ctx)
{
	struct roots *r = ctx;
	bool libc = self_is_libc(info);

	(void)size;
	if (self_is_libleak(info)) {
		/* our own state is no root */
		uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

		for (int i = 0; i < info->dlpi_phnum && own_rw_n < OWN_RW_MAX; i++) {
			const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

			if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
				continue;
			uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
			own_rw[own_rw_n++] = (struct root_region){ .lo = lo & ~(page - 1),
				.hi = (lo + ph->p_memsz + page - 1) & ~(page - 1) };
		}
		return 0;
	}
	uint32_t id = modules_find(info->dlpi_addr);
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		uintptr_t hi = lo + ph->p_memsz;
		if (libc) {
			/* main_arena must lie in libc's data, or our guess was wrong. */
			if (!(arena_lo >= lo && arena_hi <= hi)) {
				if (arena_lo != 0 && arena_lo < lo)
					arena_lo = arena_hi = 0;
			}
			add_minus_arena(r, lo, hi, ROOT_GLOBAL, id);
		} else {
			add(r, lo, hi, ROOT_GLOBAL, id);
		}
	}
	return 0;
}

int
roots_modules(struct roots *r)
{
	size_t before = r->n;

	own_rw_n = 0; /* visit_module() notes them anew */
	dl_iterate_phdr(visit_module, r);
	return (int)(r->n - before);
}

int
roots_moving(struct roots *r, const struct sw_thread *th, int nth)
{
	size_t before = r->n;

	for (int i = 0; i < nth; i++) {
		if (th[i].tid <= 0 || th[i].moving_hi <= th[i].moving_lo)
			continue;
		/* the block, and its first words as they were (the slots live
		 * until the world resumes) */
		if (!add(r, th[i].moving_lo, th[i].moving_hi, ROOT_THREAD, (uint32_t)th[i].tid) ||
		    !add(r, (uintptr_t)th[i].moving_words, (uintptr_t)(th[i].moving_words + 4),
			ROOT_THREAD, (uint32_t)th[i].tid))
			break;
	}
	return (int)(r->n - before);
}

int
roots_regions(struct roots *r, const uintptr_t *lo, const uintptr_t *hi, size_t n)
{
	size_t before = r->n;

	for (size_t i = 0; i < n; i++)
		if (!add(r, lo[i], hi[i], ROOT_REGION, 0))
			break;
	return (int)(r->n - before);
}

/* ---- /proc/self/maps -------------------------------------------------- */

struct mapping {
	uintptr_t lo;
	uintptr_t hi;
	char perms[5];
	bool anon;       /* no file (inode 0), not a [special] one */
	bool special;    /* [heap], [stack], [vvar], [vdso], [vsyscall] */
	bool main_stack; /* [stack] */
	bool file;       /* backed by a file: a non-zero inode */
};

static uintptr_t
hex(const char **pp)
{
	uintptr_t v = 0;
	const char *p = *pp;

	for (;; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else
			break;
		v = v * 16 + (uintptr_t)d;
	}
	*pp = p;
	return v;
}

/* Parses one line; returns the next line or NULL at the end. */
static const char *
parse_line(const char *p, const char *end, struct mapping *m)
{
	const char *eol = memchr(p, '\n', (size_t)(end - p));

	if (eol == NULL)
		return NULL;
	m->lo = hex(&p);
	p++; /* '-' */
	m->hi = hex(&p);
	p++;
	memcpy(m->perms, p, 4);
	m->perms[4] = '\0';
	/* offset dev inode path: skip to the inode (4th field after perms). */
	int field = 0;
	const char *inode = NULL, *path = NULL;
	for (const char *q = p + 4; q < eol; q++) {
		if (*q == ' ' && q + 1 < eol && q[1] != ' ') {
			field++;
			if (field == 3)
				inode = q + 1;
			else if (field == 4)
				path = q + 1;
		}
	}
	bool zero_inode = inode != NULL && inode[0] == '0' && (inode[1] == ' ' || inode + 1 == eol);
	m->special = path != NULL && path[0] == '[' && strncmp(path, "[anon:", 6) != 0;
	m->main_stack = path != NULL && eol - path >= 7 && memcmp(path, "[stack]", 7) == 0;
	m->anon = zero_inode && !m->special;
	m->file = inode != NULL && !zero_inode;
	return eol + 1;
}

/*
 * glibc's thread arenas and their heaps, by what glibc guarantees: the
 * arenas form a ring through malloc_state.next from main_arena; the top
 * chunk of an arena lies in its newest heap, which starts HEAP_ALIGN
 * aligned with a heap_info (ar_ptr, prev, size, mprotect_size) naming the
 * arena; prev links the arena's older heaps. A heap spans
 * max(size, mprotect_size) bytes: once glibc shrinks it, size drops below
 * mprotect_size, and the pages in between are still mapped read-write.
 * Every word is read only after readable_has() says it may be. False when
 * main_arena is unknown.
 */
#define ARENA_TOP  96   /* offsetof(struct malloc_state, top) */
#define ARENA_NEXT 2160 /* offsetof(struct malloc_state, next) */

static bool
heaps_find(struct roots *r)
{
	const struct readable *rd = r->readable;

	r->nheaps = 0;
	if (arena_lo == 0 || rd == NULL || !readable_has(rd, arena_lo, arena_hi))
		return false;
	uintptr_t a = *(const uintptr_t *)(arena_lo + ARENA_NEXT);
	for (int arenas = 0; a != arena_lo && arenas < 1024; arenas++) {
		if (!readable_has(rd, a, a + (arena_hi - arena_lo)))
			break;
		uintptr_t h = *(const uintptr_t *)(a + ARENA_TOP) & ~(HEAP_ALIGN - 1);
		for (int hops = 0; h != 0 && hops < 1024 && readable_has(rd, h, h + 32); hops++) {
			const uintptr_t *info = (const uintptr_t *)h;
			uintptr_t span = info[2] > info[3] ? info[2] : info[3];

			if (info[0] != a || span > HEAP_ALIGN || r->nheaps == ROOTS_MAX_HEAPS)
				break;
			r->heap_lo[r->nheaps] = h;
			r->heap_hi[r->nheaps++] = h + span;
			h = info[1];
		}
		a = *(const uintptr_t *)(a + ARENA_NEXT);
	}
	return true;
}

/* Not instrumented by ASan (unit tests): these read the first words of any
 * writable mapping, ASan's own shadow among them, whose shadow is unmapped. */
#define READS_ANY_MAPPING __attribute__((no_sanitize_address))

/* Without main_arena: a heap_info whose mprotect_size is the read-write
 * part of the mapping, and its size no larger (a shrunk heap is missed). */
static READS_ANY_MAPPING bool
is_arena_heap(const struct mapping *m)
{
	const uintptr_t *hi = (const uintptr_t *)m->lo;

	if ((m->lo & (HEAP_ALIGN - 1)) != 0 || m->hi - m->lo > HEAP_ALIGN)
		return false;
	return hi[3] == m->hi - m->lo && hi[2] >= hi[3] && hi[2] <= HEAP_ALIGN;
}

#define PIECES_MAX     256
#define MAX_BLOCKS_CUT 64

/* What is left of one maps line once memory that is no root is cut out. */
struct pieces {
	uintptr_t lo[PIECES_MAX];
	uintptr_t hi[PIECES_MAX];
	size_t n;
};

static void
pieces_cut(struct pieces *p, uintptr_t a, uintptr_t b)
{
	size_t n = p->n;

	for (size_t i = 0; i < n; i++) {
		if (b <= p->lo[i] || a >= p->hi[i])
			continue;
		if (a > p->lo[i] && b < p->hi[i] && p->n < PIECES_MAX) {
			p->lo[p->n] = b; /* split in two */
			p->hi[p->n] = p->hi[i];
			p->n++;
			p->hi[i] = a;
		} else if (a > p->lo[i]) {
			p->hi[i] = a;
		} else if (b < p->hi[i]) {
			p->lo[i] = b;
		} else {
			p->hi[i] = p->lo[i]; /* wholly cut */
		}
	}
}

/*
 * The kernel merges adjacent anonymous mappings into one maps line, so one
 * line may hold a thread's stack or the program's own memory next to ours,
 * next to a big malloc'd block, or next to a glibc arena heap. Cut those
 * out instead of dropping the line. Returns false when the line is heap
 * (too many live blocks to cut around).
 */
static READS_ANY_MAPPING bool
cut_non_roots(struct pieces *p, const struct roots *r, size_t nglobals,
    size_t (*blocks_in)(void *ctx, uintptr_t lo, uintptr_t hi, uintptr_t *spans, size_t max),
    void *ctx)
{
	uintptr_t lo = p->lo[0], hi = p->hi[0];
	uintptr_t spans[2 * MAX_BLOCKS_CUT];

	for (size_t i = 0; i < r->nours; i++)
		pieces_cut(p, r->ours[i].lo, r->ours[i].hi);
	for (size_t i = 0; i < nglobals; i++)
		if (r->r[i].kind == ROOT_GLOBAL)
			pieces_cut(p, r->r[i].lo, r->r[i].hi);
	for (size_t i = 0; i < r->nheaps; i++)
		pieces_cut(p, r->heap_lo[i], r->heap_hi[i]);
	for (uintptr_t a = (lo + HEAP_ALIGN - 1) & ~(HEAP_ALIGN - 1);
	     !r->heaps_known && a + 64 <= hi; a += HEAP_ALIGN) {
		struct mapping m = { .lo = a, .hi = hi };
		const uintptr_t *info = (const uintptr_t *)a;

		if (info[3] <= hi - a && info[3] >= 4096 && (m.hi = a + info[3], is_arena_heap(&m)))
			pieces_cut(p, a, a + info[3]);
	}
	size_t nb = blocks_in(ctx, lo, hi, spans, MAX_BLOCKS_CUT);
	if (nb > MAX_BLOCKS_CUT)
		return false;
	for (size_t i = 0; i < nb; i++)
		pieces_cut(p, spans[2 * i], spans[2 * i + 1]);
	return true;
}

static void
add_pieces(struct roots *r, const struct pieces *p, enum root_kind kind, uint32_t who)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->lo[i] < p->hi[i])
			add(r, p->lo[i], p->hi[i], kind, who);
}

static void
note_ours(void *ctx, uintptr_t lo, uintptr_t hi)
{
	struct roots *r = ctx;

	if (r->nours < ROOTS_MAX_OURS)
		r->ours[r->nours++] = (struct root_region){ .lo = lo, .hi = hi };
}

struct maps_ctx {
	struct roots *r;
	size_t nglobals;
	size_t (*blocks_in)(void *ctx, uintptr_t lo, uintptr_t hi, uintptr_t *spans, size_t max);
	void *ctx;
	struct pieces p;
};

/* A live stack from `from` to the end of its maps line. */
static void
add_stack(struct maps_ctx *mc, uintptr_t from, uintptr_t hi, pid_t tid)
{
	mc->p.n = 1;
	mc->p.lo[0] = from;
	mc->p.hi[0] = hi;
	if (cut_non_roots(&mc->p, mc->r, mc->nglobals, mc->blocks_in, mc->ctx))
		add_pieces(mc->r, &mc->p, ROOT_THREAD, (uint32_t)tid);
}

/*
 * Each thread's own stack: the main thread's is [stack]; another's is the
 * mapping that holds its thread pointer (glibc puts the thread's TCB and
 * static TLS at the top of its stack block). A thread whose stack pointers
 * all lie elsewhere runs on a stack of its own making (a makecontext()
 * coroutine on a heap block, a green thread): then its whole own stack is
 * scanned, as LeakSanitizer does, since the frames it will return to are
 * there.
 */
struct home {
	pid_t tid;
	uintptr_t tp;     /* 0 for the main thread: [stack] */
	uintptr_t sp[2];  /* its stack pointers, 0 if unknown */
	uintptr_t lo, hi; /* its own stack's mapping, once found */
};

static bool
home_holds(const struct home *h, uintptr_t a)
{
	return a != 0 && a >= h->lo && a < h->hi;
}

/* Pass 1: finds each thread's own stack mapping, and notes every readable
 * mapping in rd, the file-backed ones in files, the executable file-backed
 * ones in code (each may be NULL). */
static void
homes_find(struct home *hs, int n, struct readable *rd, struct readable *files,
    struct readable *code, const char *buf, const char *end)
{
	struct mapping m;

	for (const char *q = buf; q != NULL && q < end;) {
		q = parse_line(q, end, &m);
		if (q == NULL)
			break;
		if (m.perms[0] == 'r' && rd != NULL)
			readable_add(rd, m.lo, m.hi);
		if (m.file && m.perms[0] == 'r' && files != NULL)
			readable_add(files, m.lo, m.hi);
		if (m.file && m.perms[2] == 'x' && code != NULL)
			readable_add(code, m.lo, m.hi);
		for (int i = 0; i < n; i++) {
			if (hs[i].hi != 0)
				continue;
			if (hs[i].tp == 0 ? m.main_stack : hs[i].tp >= m.lo && hs[i].tp < m.hi) {
				hs[i].lo = m.lo;
				hs[i].hi = m.hi;
			}
		}
	}
}

/*
 * /proc/self/maps whole, in a buffer of its own (*cap bytes, *len of text),
 * with room left past the text for every thread's struct home: a buffer
 * that filled up is dropped and one twice as big read again. Small at
 * first: under an address-space limit a big mapping may be refused. NULL
 * when it cannot be read or mapped.
 */
static char *
read_maps(size_t *cap, size_t *len)
{
	for (size_t n = MAPS_FIRST; n <= MAPS_MAX; n *= 2) {
		char *buf =
		    mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		size_t got = 0;

		if (buf == MAP_FAILED)
			return NULL;
		int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			munmap(buf, n);
			return NULL;
		}
		for (;;) {
			ssize_t r = read(fd, buf + got, n - got);

			if (r <= 0)
				break;
			got += (size_t)r;
		}
		close(fd);
		if (got + n / 4 < n) { /* all of it, and a quarter to spare */
			*cap = n;
			*len = got;
			return buf;
		}
		munmap(buf, n);
	}
	return NULL;
}

/* Live stacks: ours and the stopped threads', from their sp up (and from
 * the handler's frame, which holds the saved registers). True when m held
 * one. */
static bool
live_stacks(struct maps_ctx *mc, const struct mapping *m, const struct sw_thread *th, int nth,
    uintptr_t my_sp, pid_t my_tid)
{
	bool stack = false;

	if (my_sp >= m->lo && my_sp < m->hi) {
		add_stack(mc, my_sp, m->hi, my_tid);
		stack = true;
	}
	for (int i = 0; i < nth; i++) {
		uintptr_t at[2] = { th[i].handler_sp, th[i].sp };

		if (th[i].tid <= 0)
			continue;
		for (int k = 0; k < 2; k++) {
			if (at[k] == 0 || at[k] < m->lo || at[k] >= m->hi)
				continue;
			if (k == 1 && th[i].handler_sp >= m->lo && th[i].handler_sp < m->hi)
				continue; /* same stack: the handler frame covers it */
			add_stack(mc, at[k], m->hi, th[i].tid);
			stack = true;
		}
	}
	return stack;
}

/* The own stack of a thread whose stack pointers all lie elsewhere (see
 * struct home): the whole mapping. True when m was one. */
static bool
own_stacks(struct maps_ctx *mc, const struct mapping *m, const struct home *hs, size_t nhomes)
{
	for (size_t i = 0; i < nhomes; i++) {
		if (hs[i].lo != m->lo || hs[i].hi != m->hi || home_holds(&hs[i], hs[i].sp[0]) ||
		    home_holds(&hs[i], hs[i].sp[1]) || (hs[i].sp[0] == 0 && hs[i].sp[1] == 0))
			continue;
		add_stack(mc, m->lo, m->hi, hs[i].tid);
		return true;
	}
	return false;
}

/* The program's own anonymous read-write memory (Python's arenas, a GC
 * heap), less what is no root (cut_non_roots); never a thread stack, live
 * or cached (a mapping right above a PROT_NONE guard). */
static void
program_mapping(struct maps_ctx *mc, const struct mapping *m, const struct mapping *prev)
{
	if (!m->anon || m->perms[0] != 'r' || m->perms[1] != 'w')
		return;
	if (prev->hi == m->lo && prev->anon && prev->perms[0] == '-' && prev->perms[1] == '-')
		return;
	mc->p.n = 1;
	mc->p.lo[0] = m->lo;
	mc->p.hi[0] = m->hi;
	if (cut_non_roots(&mc->p, mc->r, mc->nglobals, mc->blocks_in, mc->ctx))
		add_pieces(mc->r, &mc->p, ROOT_MAPPING, 0);
}

int
roots_maps(struct roots *r, const struct sw_thread *th, int nth, uintptr_t my_sp, pid_t my_tid,
    uintptr_t my_tp,
    size_t (*blocks_in)(void *ctx, uintptr_t lo, uintptr_t hi, uintptr_t *spans, size_t max),
    void *ctx)
{
	size_t cap = 0, len = 0;
	char *buf = read_maps(&cap, &len);
	struct maps_ctx mc = { .r = r, .blocks_in = blocks_in, .ctx = ctx };

	if (buf == NULL)
		return -1;
	r->nours = 0;
	arena_foreach_map(note_ours, r);
	note_ours(r, (uintptr_t)buf, (uintptr_t)buf + cap);
	for (size_t i = 0; i < own_rw_n; i++)
		note_ours(r, own_rw[i].lo, own_rw[i].hi);

	mc.nglobals = r->n;
	const char *end = buf + len;
	struct mapping prev = { 0 }, m;

	/* The homes array lives in the maps buffer's spare room past the text
	 * (64 MiB hold far more than maps and every thread). */
	size_t off = (len + 63) & ~(size_t)63;
	size_t nhomes = 0, room = off < cap ? (cap - off) / sizeof(struct home) : 0;
	struct home *hs = (struct home *)(buf + off);
	pid_t pid = getpid();
	if (room > 0)
		hs[nhomes++] = (struct home){ .tid = my_tid,
			.tp = my_tid == pid ? 0 : my_tp,
			.sp = { my_sp, 0 } };
	for (int i = 0; i < nth && nhomes < room; i++)
		if (th[i].tid > 0)
			hs[nhomes++] = (struct home){ .tid = th[i].tid,
				.tp = th[i].tid == pid ? 0 : th[i].tp,
				.sp = { th[i].handler_sp, th[i].sp } };
	homes_find(hs, (int)nhomes, r->readable, r->files, r->code, buf, end);
	r->heaps_known = heaps_find(r);
	for (const char *q = buf; q != NULL && q < end; prev = m) {
		q = parse_line(q, end, &m);
		if (q == NULL)
			break;
		/* One root kind a line: a live stack, else a stack of a thread
		 * that runs elsewhere, else the program's own memory. */
		if (!live_stacks(&mc, &m, th, nth, my_sp, my_tid) &&
		    !own_stacks(&mc, &m, hs, nhomes))
			program_mapping(&mc, &m, &prev);
	}
	munmap(buf, cap);
	return (int)(r->n - mc.nglobals);
}
