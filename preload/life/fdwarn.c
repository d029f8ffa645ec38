/*
 * fdwarn.c - the descriptor warning: the first time the program's open
 * descriptors (those the table holds: never 0, 1, 2, inherited ones or
 * libleak's) pass LEAK_WARN_FDS, or LEAK_WARN_FDS_PERCENT of the soft
 * RLIMIT_NOFILE, one line with the count and the stack that opened the
 * most of them. Polled by the snapshot writer thread (snapshot.c) with the
 * heap warnings, never from a hook; one thread.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/resource.h>

#include "base/fmt.h"
#include "life/config.h"
#include "life/fdwarn.h"
#include "life/warn.h"
#include "track/resources.h"
#include "track/track.h"

static bool warned;

bool
fdwarn_wanted(void)
{
	return lk_config.resources && (lk_config.warn_fds != 0 || lk_config.warn_fds_percent != 0);
}

uint64_t
fdwarn_threshold(uint64_t fds, unsigned percent, uint64_t nofile)
{
	uint64_t t = fds;

	if (percent != 0 && nofile != 0) {
		uint64_t p = nofile / 100 * percent + nofile % 100 * percent / 100;

		if (t == 0 || p < t)
			t = p;
	}
	return t;
}

struct per_stack {
	uint64_t *count; /* by stack id, [0, n) */
	size_t n;
};

static void
count_fd(void *ctx, const struct res_item *it)
{
	struct per_stack *p = ctx;

	if (it->kind == RES_FD && it->stack < p->n)
		p->count[it->stack]++;
}

void
fdwarn_check(void)
{
	struct rlimit rl;
	uint64_t nofile = 0;

	if (warned || !fdwarn_wanted())
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		nofile = rl.rlim_cur;
	uint64_t limit = fdwarn_threshold(lk_config.warn_fds, lk_config.warn_fds_percent, nofile);
	uint64_t open = res_fd_count();

	if (limit == 0 || open <= limit)
		return;
	warned = true;

	char line[900];
	struct fmtbuf f;
	struct per_stack p = { .n = stacks_limit(lk_stacks) };
	size_t len = p.n * sizeof(uint64_t);
	void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	fmt_init(&f, line, sizeof(line) - 1);
	fmt_str(&f, "open descriptors passed ");
	if (lk_config.warn_fds != 0 && limit == lk_config.warn_fds) {
		fmt_str(&f, "LEAK_WARN_FDS=");
		fmt_u64(&f, lk_config.warn_fds);
	} else {
		fmt_str(&f, "LEAK_WARN_FDS_PERCENT=");
		fmt_u64(&f, lk_config.warn_fds_percent);
		fmt_str(&f, "% of RLIMIT_NOFILE ");
		fmt_u64(&f, nofile);
	}
	fmt_str(&f, ": ");
	fmt_u64(&f, open);
	fmt_str(&f, " open");
	if (mem != MAP_FAILED) {
		size_t best = 0;

		p.count = mem;
		res_foreach(count_fd, &p);
		for (size_t i = 1; i < p.n; i++)
			if (p.count[i] > p.count[best])
				best = i;
		fmt_str(&f, "; most (");
		fmt_u64(&f, p.count[best]);
		fmt_str(&f, ") opened from");
		warn_put_stack(&f, (stack_id_t)best);
		munmap(mem, len);
	}
	line[f.len] = '\0';
	fmt_log(line, NULL);
}
