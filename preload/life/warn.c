/*
 * warn.c - the live-heap warnings: the first time live heap bytes pass
 * LEAK_WARN_BYTES, or LEAK_WARN_PERCENT of the process's memory limit (the
 * cgroup's memory.max, else RLIMIT_AS), one line with the figures and the
 * stack holding the most live bytes. Polled by the snapshot writer thread
 * (snapshot.c), never from inside malloc; one thread.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "base/fmt.h"
#include "base/procfs.h"
#include "life/config.h"
#include "life/warn.h"
#include "track/counters.h"
#include "track/track.h"

#define WARN_FRAMES 4

static uint64_t mem_limit; /* bytes, for LEAK_WARN_PERCENT; 0: none */
static bool warned_bytes, warned_percent;

/* Reads a small file into buf, NUL-terminated; false if empty or unreadable. */
static bool
slurp(const char *path, char *buf, size_t cap)
{
	ssize_t n = procfs_read(path, buf, cap - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n > 0;
}

/* The cgroup v2 memory.max of this process, else RLIMIT_AS; 0 if neither. */
static uint64_t
memory_limit(void)
{
	char cg[PATH_MAX], path[PATH_MAX + 64], val[64];

	if (slurp("/proc/self/cgroup", cg, sizeof(cg))) {
		char *p = strstr(cg, "0::"); /* the v2 line: "0::/some/path" */
		if (p != NULL) {
			p += 3;
			char *nl = strchr(p, '\n');
			if (nl != NULL)
				*nl = '\0';
			struct fmtbuf f;
			fmt_init(&f, path, sizeof(path) - 1);
			fmt_str(&f, "/sys/fs/cgroup");
			fmt_str(&f, p);
			fmt_str(&f, "/memory.max");
			path[f.len] = '\0';
			if (!f.overflow && slurp(path, val, sizeof(val)) && val[0] >= '0' &&
			    val[0] <= '9') {
				uint64_t v = 0;

				for (char *c = val; *c >= '0' && *c <= '9'; c++)
					v = v * 10 + (uint64_t)(*c - '0');
				return v;
			}
		}
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		return rl.rlim_cur;
	return 0;
}

struct top {
	uint64_t *bytes; /* by stack id */
	uint64_t *blocks;
	size_t n;
};

static void
sum_stack(void *ctx, uintptr_t addr, uint64_t size, stack_id_t stack)
{
	struct top *t = ctx;

	(void)addr;
	if (stack < t->n && stack != lk_internal_stack) { /* libc's, not the program's */
		t->bytes[stack] += size;
		t->blocks[stack]++;
	}
}

static void
append_u64(struct fmtbuf *f, uint64_t v)
{
	fmt_u64(f, v);
}

void
warn_put_stack(struct fmtbuf *f, stack_id_t id)
{
	unsigned n = 0;
	const uintptr_t *pcs = stacks_get(lk_stacks, id, &n);

	for (unsigned i = 0; pcs != NULL && i < n && i < WARN_FRAMES; i++) {
		Dl_info di;

		fmt_str(f, i == 0 ? " " : " <- ");
		if (dladdr((void *)(pcs[i] - 1), &di) == 0 || di.dli_fname == NULL) {
			fmt_str(f, "0x");
			fmt_hex(f, pcs[i]);
			continue;
		}
		const char *base = strrchr(di.dli_fname, '/');
		base = base != NULL ? base + 1 : di.dli_fname;
		if (di.dli_sname != NULL) { /* exported: name (module) */
			fmt_str(f, di.dli_sname);
			fmt_str(f, " (");
			fmt_str(f, base);
			fmt_str(f, ")");
		} else { /* static: module+offset */
			fmt_str(f, base);
			fmt_str(f, "+0x");
			fmt_hex(f, pcs[i] - (uintptr_t)di.dli_fbase);
		}
	}
}

/* One stderr line: what was crossed, the live figures, the top stack. */
static void
warn(const char *what, uint64_t live, uint64_t blocks)
{
	char line[900];
	struct fmtbuf f;
	struct top t = { .n = stacks_limit(lk_stacks) };
	size_t len = t.n * 2 * sizeof(uint64_t);
	char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	fmt_init(&f, line, sizeof(line));
	fmt_str(&f, what);
	fmt_str(&f, ": ");
	append_u64(&f, live);
	fmt_str(&f, " bytes live in ");
	append_u64(&f, blocks);
	fmt_str(&f, " blocks");
	if (mem != MAP_FAILED) {
		t.bytes = (uint64_t *)mem;
		t.blocks = (uint64_t *)(mem + len / 2);
		addrmap_foreach(lk_blocks, sum_stack, &t);
		size_t best = 0;
		for (size_t i = 1; i < t.n; i++)
			if (t.bytes[i] > t.bytes[best])
				best = i;
		fmt_str(&f, "; most (");
		append_u64(&f, t.bytes[best]);
		fmt_str(&f, " bytes in ");
		append_u64(&f, t.blocks[best]);
		fmt_str(&f, " blocks) allocated from");
		warn_put_stack(&f, (stack_id_t)best);
		munmap(mem, len);
	}
	line[f.len < sizeof(line) ? f.len : sizeof(line) - 1] = '\0';
	fmt_log(line, NULL);
}

void
warn_check(void)
{
	struct counters_snap c;

	counters_read(&c);
	if (lk_config.warn_bytes != 0 && !warned_bytes && c.live_bytes > lk_config.warn_bytes) {
		char what[64];
		struct fmtbuf f;

		warned_bytes = true;
		fmt_init(&f, what, sizeof(what) - 1);
		fmt_str(&f, "live heap passed LEAK_WARN_BYTES=");
		fmt_u64(&f, lk_config.warn_bytes);
		what[f.len] = '\0';
		warn(what, c.live_bytes, c.live_blocks);
	}
	if (lk_config.warn_percent != 0 && !warned_percent && mem_limit != 0 &&
	    c.live_bytes / lk_config.warn_percent > mem_limit / 100) {
		char what[96];
		struct fmtbuf f;

		warned_percent = true;
		fmt_init(&f, what, sizeof(what) - 1);
		fmt_str(&f, "live heap passed LEAK_WARN_PERCENT=");
		fmt_u64(&f, lk_config.warn_percent);
		fmt_str(&f, "% of the memory limit of ");
		fmt_u64(&f, mem_limit);
		fmt_str(&f, " bytes");
		what[f.len] = '\0';
		warn(what, c.live_bytes, c.live_blocks);
	}
}

void
warn_init(void)
{
	if (lk_config.warn_percent == 0)
		return;
	mem_limit = memory_limit();
	if (mem_limit == 0)
		fmt_log("LEAK_WARN_PERCENT is set but the process has no memory limit "
			"(cgroup memory.max or RLIMIT_AS); no warning",
		    NULL);
}

bool
warn_wanted(void)
{
	return lk_config.warn_bytes != 0 || (lk_config.warn_percent != 0 && mem_limit != 0);
}
