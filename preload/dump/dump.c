/*
 * dump.c - the dump writer: data in, lines out (docs/dump-format.md).
 *
 * Called at exit, for snapshots and for checks (life/) with a struct dump_src: its
 * callbacks give the blocks, the stacks and the retainer chains, its
 * figures the counters, so the writer knows nothing of the tracker's or
 * the scanner's types. Blocks are summed per stack id into mmap'd arrays
 * indexed by id, so the cost is one pass over the blocks plus one over the
 * stack ids, and the output holds one line per stack, not per block. Lines
 * are formatted into a 64 KiB buffer with fmt.c and flushed through the
 * sink; the first failed write is remembered and every later write is
 * skipped.
 * Not async-signal-safe (it reads /proc and maps memory), not reentrant:
 * the caller runs it once at a time, with the guard held.
 * Size: over the usual ~500 lines because every record of the format is
 * written here, in its order, from one pass of sums: split by record, the
 * files would pass the sums and the writer's state between them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/fmt.h"
#include "base/procfs.h"
#include "dump/dump.h"
#include "dump/modules.h"
#include "dumpfmt.h"

#define BUF_SIZE       (64 * 1024)
#define LINE_MAX_BYTES (20 * 1024) /* longest line: 4096-byte string, escaped */
#define CMDLINE_MAX    (128 * 1024)

struct writer {
	dump_write_fn fn;
	void *ctx;
	struct fmtbuf f;
	int err; /* first errno, 0 while all is well */
};

struct sums {
	uint64_t *blocks[4]; /* by class, then stack id, [0, n) */
	uint64_t *bytes[4];
	uint64_t *hblocks[DUMP_NHEUR]; /* reachable by heuristic h only, by stack id */
	uint64_t *hbytes[DUMP_NHEUR];
	uint64_t *sblocks[2]; /* definite, indirect: seen at an earlier check */
	uint64_t *sbytes[2];
	size_t n;
	uint64_t total_blocks;
	uint64_t total_bytes;
	uint32_t internal;       /* blocks of this stack are not the program's */
	unsigned char *res_used; /* [0, n): a resource was made from this stack */
};

static void
flush(struct writer *w)
{
	size_t off = 0;

	while (w->err == 0 && off < w->f.len) {
		ssize_t r = w->fn(w->ctx, w->f.buf + off, w->f.len - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			w->err = r < 0 ? errno : EIO;
		else
			off += (size_t)r;
	}
	w->f.len = 0;
}

/* Makes room for one more line. */
static struct fmtbuf *
line(struct writer *w)
{
	if (w->f.cap - w->f.len < LINE_MAX_BYTES)
		flush(w);
	return &w->f;
}

static void
put_tag_u64(struct writer *w, const char *tag, uint64_t v)
{
	struct fmtbuf *f = line(w);

	fmt_str(f, tag);
	fmt_char(f, ' ');
	fmt_u64(f, v);
	fmt_char(f, '\n');
}

static void
put_tag_str(struct writer *w, const char *tag, const char *s, size_t n)
{
	struct fmtbuf *f = line(w);

	if (n > DUMP_MAX_STR)
		n = DUMP_MAX_STR;
	fmt_str(f, tag);
	fmt_char(f, ' ');
	if (n == 0)
		fmt_str(f, "%00"); /* never an empty field; readers reject NUL */
	else
		fmt_esc(f, s, n);
	fmt_char(f, '\n');
}

static void
put_time(struct writer *w, const char *tag, uint64_t sec, uint32_t usec)
{
	struct fmtbuf *f = line(w);
	char digits[6];

	fmt_str(f, tag);
	fmt_char(f, ' ');
	fmt_u64(f, sec);
	fmt_char(f, '.');
	for (int i = 5; i >= 0; i--, usec /= 10)
		digits[i] = (char)('0' + usec % 10);
	fmt_mem(f, digits, 6);
	fmt_char(f, '\n');
}

/* "<tag> <id> <word> <blocks> <bytes>": a rec, heur or seen line. */
static void
put_counted(struct writer *w, const char *tag, uint64_t id, const char *word, uint64_t blocks,
    uint64_t bytes)
{
	struct fmtbuf *f = line(w);

	fmt_str(f, tag);
	fmt_char(f, ' ');
	fmt_u64(f, id);
	fmt_char(f, ' ');
	fmt_str(f, word);
	fmt_char(f, ' ');
	fmt_u64(f, blocks);
	fmt_char(f, ' ');
	fmt_u64(f, bytes);
	fmt_char(f, '\n');
}

/* The suppress lines; returns how many. */
static uint64_t
write_suppress(struct writer *w, const struct dump_src *src)
{
	uint64_t n = 0;

	for (const char *p = src->suppress; p != NULL && *p != '\0';) {
		const char *e = strchr(p, '\n');
		size_t rule = e != NULL ? (size_t)(e - p) : strlen(p);

		if (rule > 0) {
			put_tag_str(w, DUMP_TAG_SUPPRESS, p, rule);
			n++;
		}
		p += rule + (e != NULL);
	}
	return n;
}

static void
write_header(struct writer *w, const struct dump_src *src, char *scratch)
{
	struct fmtbuf *f = line(w);
	struct timeval now;

	fmt_str(f, DUMP_MAGIC " ");
	fmt_u64(f, DUMP_VERSION);
	fmt_char(f, '\n');
	put_tag_u64(w, DUMP_TAG_PID, (uint64_t)getpid());
	put_tag_u64(w, DUMP_TAG_PPID, (uint64_t)getppid());
	ssize_t n = readlink("/proc/self/exe", scratch, PATH_MAX);
	put_tag_str(w, DUMP_TAG_EXE, scratch, n > 0 ? (size_t)n : 0);

	ssize_t len = procfs_read("/proc/self/cmdline", scratch, CMDLINE_MAX);
	size_t argc = 0;
	for (ssize_t i = 0; i < len; i++)
		argc += scratch[i] == '\0';
	if (len > 0 && scratch[len - 1] != '\0')
		argc++; /* cut short at CMDLINE_MAX: count the partial one */
	put_tag_u64(w, DUMP_TAG_ARGC, argc);
	for (ssize_t i = 0; i < len;) {
		size_t a = strnlen(scratch + i, (size_t)(len - i));

		put_tag_str(w, DUMP_TAG_ARG, scratch + i, a);
		i += (ssize_t)a + 1;
	}
	gettimeofday(&now, NULL);
	put_time(w, DUMP_TAG_TIME, (uint64_t)now.tv_sec, (uint32_t)now.tv_usec);
	put_time(w, DUMP_TAG_START, src->counts.start_sec, src->counts.start_usec);
	f = line(w);
	fmt_str(f, DUMP_TAG_KIND " ");
	fmt_str(f,
	    src->kind == DUMP_SNAPSHOT  ? DUMP_KIND_SNAPSHOT :
		src->kind == DUMP_CHECK ? DUMP_KIND_CHECK :
					  DUMP_KIND_EXIT);
	fmt_char(f, '\n');
	put_tag_u64(w, DUMP_TAG_SEQ, src->seq);
	put_tag_u64(w, DUMP_TAG_ATOMIC, src->atomic);
	f = line(w);
	fmt_str(f,
	    src->scanned ? DUMP_TAG_SCAN " " DUMP_SCAN_FULL "\n" :
			   DUMP_TAG_SCAN " " DUMP_SCAN_NONE "\n");
	put_tag_u64(w, DUMP_TAG_DEPTH, (uint64_t)src->depth);
}

struct mod_ctx {
	struct writer *w;
	uint64_t count;
};

static void
write_module(void *ctx, unsigned id, const struct module_info *m)
{
	struct mod_ctx *mc = ctx;
	struct fmtbuf *f = line(mc->w);
	static const char hex[] = "0123456789abcdef";

	fmt_str(f, DUMP_TAG_MODULE " ");
	fmt_u64(f, id);
	fmt_char(f, ' ');
	fmt_hex(f, m->bias);
	fmt_char(f, ' ');
	fmt_hex(f, m->lo);
	fmt_char(f, ' ');
	fmt_hex(f, m->hi);
	fmt_char(f, ' ');
	if (m->buildid_len == 0)
		fmt_char(f, '-');
	for (unsigned i = 0; i < m->buildid_len; i++) {
		fmt_char(f, hex[m->buildid[i] >> 4]);
		fmt_char(f, hex[m->buildid[i] & 15]);
	}
	fmt_str(f, m->loaded ? " " DUMP_MOD_LOADED " " : " " DUMP_MOD_UNLOADED " ");
	fmt_esc(f, m->path, strnlen(m->path, DUMP_MAX_STR));
	fmt_char(f, '\n');
	mc->count++;
}

static void
sum_block(void *ctx, uint64_t size, uint32_t stack, enum dump_class cls, unsigned heur, bool seen)
{
	struct sums *s = ctx;

	if (s->internal != 0 && stack == s->internal)
		return; /* libc's, for libleak: never reported */
	if (stack >= s->n)
		stack = 0; /* published after we sized the arrays */
	s->blocks[cls][stack]++;
	s->bytes[cls][stack] += size;
	if (heur >= 1 && heur <= DUMP_NHEUR) {
		s->hblocks[heur - 1][stack]++;
		s->hbytes[heur - 1][stack] += size;
	}
	if (seen && cls <= DUMP_INDIRECT) {
		s->sblocks[cls][stack]++;
		s->sbytes[cls][stack] += size;
	}
	s->total_blocks++;
	s->total_bytes += size;
}

/* The writer's first pass over the resources: their stacks get lines. */
static void
mark_res(void *ctx, const struct dump_res *r)
{
	struct sums *s = ctx;

	if (r->stack < s->n)
		s->res_used[r->stack] = 1;
}

struct res_ctx {
	struct writer *w;
	const struct sums *s;
	uint64_t count;
};

static const char *const res_kinds[3] = {
	DUMP_RES_FD,
	DUMP_RES_TIMER,
	DUMP_RES_THREAD,
};

/* One res line. A stack the first pass did not see (the resource was
 * made in between, in a snapshot) has no stack line: written as 0. */
static void
write_res(void *ctx, const struct dump_res *r)
{
	struct res_ctx *rc = ctx;
	const char *fn = dump_res_fn_name(r->fn);
	const char *desc = r->desc != NULL && r->desc[0] != '\0' ? r->desc : "?";

	if (fn == NULL || (unsigned)r->kind > DUMP_RES_KIND_THREAD)
		return;
	struct fmtbuf *f = line(rc->w);
	fmt_str(f, DUMP_TAG_RES " ");
	fmt_u64(f, r->stack < rc->s->n && rc->s->res_used[r->stack] ? r->stack : 0);
	fmt_char(f, ' ');
	fmt_str(f, res_kinds[r->kind]);
	fmt_char(f, ' ');
	fmt_u64(f, r->id);
	fmt_char(f, ' ');
	fmt_str(f, fn);
	fmt_char(f, ' ');
	fmt_hex(f, r->aux);
	fmt_char(f, ' ');
	fmt_esc(f, desc, strnlen(desc, DUMP_MAX_STR));
	fmt_char(f, '\n');
	rc->count++;
}

static const char *const class_names[4] = {
	DUMP_CLASS_DEFINITE,
	DUMP_CLASS_INDIRECT,
	DUMP_CLASS_POSSIBLE,
	DUMP_CLASS_REACHABLE,
};
static const char *const root_names[7] = {
	DUMP_ROOT_GLOBAL,
	DUMP_ROOT_THREAD,
	DUMP_ROOT_MAPPING,
	DUMP_ROOT_LOADER,
	DUMP_ROOT_INTERNAL,
	DUMP_ROOT_IGNORED,
	DUMP_ROOT_REGION,
};

struct own_ctx {
	struct writer *w;
	size_t n;       /* stack ids below it have a stack line */
	uint64_t lines; /* own lines written */
};

static void
write_own(void *ctx, uint32_t stack, uint32_t owner, uint64_t blocks, uint64_t bytes)
{
	struct own_ctx *oc = ctx;

	if (stack >= oc->n || owner >= oc->n)
		return; /* published after we sized the arrays: its rec is stack 0's */
	struct fmtbuf *f = line(oc->w);
	fmt_str(f, DUMP_TAG_OWN " ");
	fmt_u64(f, stack);
	fmt_char(f, ' ');
	fmt_u64(f, owner);
	fmt_char(f, ' ');
	fmt_u64(f, blocks);
	fmt_char(f, ' ');
	fmt_u64(f, bytes);
	fmt_char(f, '\n');
	oc->lines++;
}

/* One retain line for a stack with reached blocks. */
static bool
write_retain(struct writer *w, const struct dump_src *src, uint32_t id)
{
	struct dump_chain ch;
	uint32_t internal = src->internal;

	if (!src->retainer(src->ctx, id, &ch))
		return false;
	struct fmtbuf *f = line(w);
	fmt_str(f, DUMP_TAG_RETAIN " ");
	fmt_u64(f, id);
	fmt_char(f, ' ');
	fmt_str(f, root_names[ch.kind]);
	fmt_char(f, ' ');
	fmt_u64(f, ch.who);
	fmt_char(f, ' ');
	fmt_hex(f, ch.where);
	fmt_char(f, ' ');
	fmt_u64(f, ch.hops);
	fmt_char(f, ' ');
	fmt_u64(f, ch.n);
	for (size_t k = 0; k < ch.n; k++) {
		fmt_char(f, ' ');
		/* an internal block has no stack line: written as "none" */
		fmt_u64(f, internal != 0 && ch.stack[k] == internal ? 0 : ch.stack[k]);
		fmt_char(f, ':');
		fmt_u64(f, ch.size[k]);
	}
	fmt_char(f, '\n');
	return true;
}

static void
write_stats(struct writer *w, const struct sums *s, const struct dump_src *src, char *scratch)
{
	struct dump_counts c = src->counts;
	uint64_t rss = 0;

	/* statm: "size resident shared ..." in pages; we want the second. */
	ssize_t n = procfs_read("/proc/self/statm", scratch, 256);
	ssize_t j = 0;
	while (j < n && scratch[j] != ' ')
		j++;
	for (j++; j < n && scratch[j] >= '0' && scratch[j] <= '9'; j++)
		rss = rss * 10 + (uint64_t)(scratch[j] - '0');
	rss *= (uint64_t)sysconf(_SC_PAGESIZE);
	/* The peak is exact to within a threshold per thread (counters.c);
	 * it is never below what the table holds now. */
	if (c.peak_blocks < s->total_blocks)
		c.peak_blocks = s->total_blocks;
	if (c.peak_bytes < s->total_bytes) {
		c.peak_bytes = s->total_bytes;
		c.peak_time_ms = c.uptime_ms;
	}
	const uint64_t values[] = {
		c.allocs,
		c.frees,
		s->total_blocks,
		s->total_bytes,
		c.peak_blocks,
		c.peak_bytes,
		c.peak_time_ms,
		c.uptime_ms,
		rss,
		c.dropped,
		c.unreadable,
		c.res_dropped,
		c.scan_us,
	};
	const char *names[] = {
#define NAME(n, doc) #n,
		DUMP_STATS(NAME)
#undef NAME
	};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct fmtbuf *f = line(w);

		fmt_str(f, DUMP_TAG_STAT " ");
		fmt_str(f, names[i]);
		fmt_char(f, ' ');
		fmt_u64(f, values[i]);
		fmt_char(f, '\n');
	}
}

int
dump_write(dump_write_fn fn, void *ctx, const struct dump_src *src, struct dump_result *res)
{
	struct writer w = { .fn = fn, .ctx = ctx, .err = 0 };
	struct sums s = { .internal = src->internal };
	size_t scratch_len = BUF_SIZE + CMDLINE_MAX + PATH_MAX;
	char *mem =
	    mmap(NULL, scratch_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (res != NULL)
		res->failed = "map memory for the dump";
	if (mem == MAP_FAILED)
		return -1;
	char *scratch = mem + BUF_SIZE;
	fmt_init(&w.f, mem, BUF_SIZE);

	s.n = src->nstacks;
	size_t arr = s.n * sizeof(uint64_t);
	size_t narr = 13 + 2 * DUMP_NHEUR; /* the last: res_used, bytes used of it */
	char *acc =
	    mmap(NULL, narr * arr, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (acc == MAP_FAILED) {
		int e = errno;

		munmap(mem, scratch_len);
		errno = e;
		return -1;
	}
	if (res != NULL)
		res->failed = "write the dump";
	for (int c = 0; c < 4; c++) {
		s.blocks[c] = (uint64_t *)(acc + (size_t)c * arr);
		s.bytes[c] = (uint64_t *)(acc + (size_t)(4 + c) * arr);
	}
	for (int h = 0; h < DUMP_NHEUR; h++) {
		s.hblocks[h] = (uint64_t *)(acc + (size_t)(8 + 2 * h) * arr);
		s.hbytes[h] = (uint64_t *)(acc + (size_t)(9 + 2 * h) * arr);
	}
	for (int c = 0; c < 2; c++) {
		s.sblocks[c] = (uint64_t *)(acc + (size_t)(8 + 2 * DUMP_NHEUR + c) * arr);
		s.sbytes[c] = (uint64_t *)(acc + (size_t)(10 + 2 * DUMP_NHEUR + c) * arr);
	}
	s.res_used = (unsigned char *)(acc + (size_t)(12 + 2 * DUMP_NHEUR) * arr);
	src->blocks(src->ctx, sum_block, &s);
	if (src->resources != NULL)
		src->resources(src->ctx, false, mark_res, &s);

	write_header(&w, src, scratch);
	uint64_t nnotes = write_suppress(&w, src);
	modules_refresh();
	struct mod_ctx mc = { .w = &w, .count = 0 };
	modules_foreach(write_module, &mc);

	uint64_t nstacks = 0, nrecs = 0, nretains = 0;
	for (size_t id = 1; id < s.n; id++) {
		unsigned n;
		const uintptr_t *pcs;
		uint64_t any = 0;

		for (int c = 0; c < 4; c++)
			any |= s.blocks[c][id];
		if (any == 0 && !s.res_used[id])
			continue;
		pcs = src->stack(src->ctx, (uint32_t)id, &n);
		if (pcs == NULL) { /* cannot happen for an id a block holds */
			s.res_used[id] = 0;
			for (int c = 0; c < 4; c++) {
				s.blocks[c][0] += s.blocks[c][id];
				s.bytes[c][0] += s.bytes[c][id];
				s.blocks[c][id] = 0;
			}
			continue;
		}
		struct fmtbuf *f = line(&w);
		fmt_str(f, DUMP_TAG_STACK " ");
		fmt_u64(f, id);
		fmt_char(f, ' ');
		fmt_u64(f, n);
		for (unsigned i = 0; i < n; i++) {
			fmt_char(f, ' ');
			fmt_hex(f, pcs[i]);
		}
		fmt_char(f, '\n');
		nstacks++;
	}
	for (size_t id = 0; id < s.n; id++) {
		for (int c = 0; c < 4; c++) {
			if (s.blocks[c][id] == 0)
				continue;
			put_counted(&w, DUMP_TAG_REC, id, class_names[c], s.blocks[c][id],
			    s.bytes[c][id]);
			nrecs++;
		}
	}
	/* Which of the reachable blocks only a heuristic made so. */
	for (size_t id = 1; src->scanned && id < s.n; id++) {
		for (int h = 0; h < DUMP_NHEUR; h++) {
			if (s.hblocks[h][id] == 0)
				continue;
			put_counted(&w, DUMP_TAG_HEUR, id, dump_heur_name(h), s.hblocks[h][id],
			    s.hbytes[h][id]);
			nnotes++;
		}
	}
	/* Which of the lost blocks an earlier check reported. */
	for (size_t id = 0; src->scanned && id < s.n; id++) {
		for (int c = 0; c < 2; c++) {
			if (s.sblocks[c][id] == 0)
				continue;
			put_counted(&w, DUMP_TAG_SEEN, id, class_names[c], s.sblocks[c][id],
			    s.sbytes[c][id]);
			nnotes++;
		}
	}
	/* Whose the indirect blocks are. */
	struct own_ctx oc = { .w = &w, .n = s.n };
	if (src->scanned && src->owned != NULL)
		src->owned(src->ctx, write_own, &oc);
	nnotes += oc.lines;
	for (size_t id = 1; src->scanned && src->retainer != NULL && id < s.n; id++)
		if ((s.blocks[DUMP_REACHABLE][id] | s.blocks[DUMP_POSSIBLE][id]) != 0 &&
		    write_retain(&w, src, (uint32_t)id))
			nretains++;
	struct res_ctx rc = { .w = &w, .s = &s, .count = 0 };
	if (src->resources != NULL)
		src->resources(src->ctx, true, write_res, &rc);
	write_stats(&w, &s, src, scratch);
	struct fmtbuf *f = line(&w);
	fmt_str(f, DUMP_TAG_END " ");
	fmt_u64(f, mc.count);
	fmt_char(f, ' ');
	fmt_u64(f, nstacks);
	fmt_char(f, ' ');
	fmt_u64(f, nrecs);
	fmt_char(f, ' ');
	fmt_u64(f, nretains);
	fmt_char(f, ' ');
	fmt_u64(f, nnotes + rc.count); /* res lines are notes too */
	fmt_char(f, '\n');
	flush(&w);

	if (res != NULL) {
		res->blocks = s.total_blocks;
		res->bytes = s.total_bytes;
		res->stacks = nstacks;
		res->resources = rc.count;
		res->lost_blocks = res->lost_bytes = 0;
		res->seen_blocks = res->seen_bytes = 0;
		for (size_t id = 0; id < s.n; id++) {
			for (int c = DUMP_DEFINITE; c <= DUMP_INDIRECT; c++) {
				res->lost_blocks += s.blocks[c][id];
				res->lost_bytes += s.bytes[c][id];
				res->seen_blocks += s.sblocks[c][id];
				res->seen_bytes += s.sbytes[c][id];
			}
		}
	}
	munmap(acc, narr * arr);
	munmap(mem, scratch_len);
	if (w.err != 0) {
		errno = w.err;
		return -1;
	}
	return 0;
}
