/*
 * check_roundtrip.c - the preload's dump writer (preload/dump/) against the
 * report's reader (report/dump_read.c): what one writes, the other reads
 * back exactly, hand-made blocks given through the writer's callbacks.
 * Also the writer's error path (a failing sink) and the dump's file.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump/dump.h"
#include "dump/modules.h"
#include "dump_read.h"
#include "model.h"

struct membuf {
	char *data;
	size_t len;
	size_t cap;
	size_t fail_after;    /* bytes accepted before writes fail; SIZE_MAX: never */
	int calls_after_fail; /* writes attempted after the first failure */
	int failed;
};

static ssize_t
mem_write(void *ctx, const void *buf, size_t n)
{
	struct membuf *m = ctx;

	if (m->failed) {
		m->calls_after_fail++;
		errno = ENOSPC;
		return -1;
	}
	if (m->len + n > m->fail_after) {
		m->failed = 1;
		errno = ENOSPC;
		return -1;
	}
	if (n > 7 && n % 3 == 0)
		n = n / 3; /* short writes: the writer must loop */
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2;
		m->data = realloc(m->data, m->cap);
	}
	memcpy(m->data + m->len, buf, n);
	m->len += n;
	return (ssize_t)n;
}

/* A hand-made set of blocks and stacks, given to the writer through its
 * callbacks (dump.h): the writer knows nothing of the tracker's types. */
#define NBLOCKS 19

struct world {
	uintptr_t a[3], b[1], c[256]; /* the pcs of stacks 1, 2, 3 */
	uint32_t ids[3];
	struct {
		uint64_t size;
		uint32_t stack;
		enum dump_class cls;
		unsigned heur;
		bool seen;
	} blk[NBLOCKS];
	bool scanned;
};

static void
world_blocks(void *ctx, dump_block_fn fn, void *fnctx)
{
	struct world *w = ctx;

	for (int i = 0; i < NBLOCKS; i++)
		fn(fnctx, w->blk[i].size, w->blk[i].stack,
		    w->scanned ? w->blk[i].cls : DUMP_DEFINITE, w->scanned ? w->blk[i].heur : 0,
		    w->scanned && w->blk[i].seen);
}

static const uintptr_t *
world_stack(void *ctx, uint32_t id, unsigned *n)
{
	struct world *w = ctx;

	switch (id) {
	case 1:
		*n = 3;
		return w->a;
	case 2:
		*n = 1;
		return w->b;
	case 3:
		*n = 256;
		return w->c;
	}
	return NULL;
}

/* Stack 2's reachable block hangs off a global of module 1, through one
 * block of stack 1. */
static bool
world_retainer(void *ctx, uint32_t id, struct dump_chain *out)
{
	(void)ctx;
	if (id != 2)
		return false;
	*out = (struct dump_chain){ .kind = DUMP_GLOBAL,
		.who = 1,
		.where = 0x601040,
		.hops = 1,
		.n = 1,
		.stack = { 1 },
		.size = { 256 } };
	return true;
}

/* 16 blocks of 256 bytes from stack 1 (definite), 24 bytes from stack 2
 * (reachable through the newarray heuristic), 7 bytes without a stack
 * (definite), 1 byte from stack 3, 256 frames deep (indirect). */
static void
make_world(struct world *w)
{
	static const uintptr_t a[] = { 0x401000, 0x401234, 0x7f0000001000 };

	memset(w, 0, sizeof(*w));
	memcpy(w->a, a, sizeof(a));
	w->b[0] = 0x402000;
	for (int i = 0; i < 256; i++)
		w->c[i] = 0x500000 + (uintptr_t)i * 16;
	w->ids[0] = 1;
	w->ids[1] = 2;
	w->ids[2] = 3;
	for (int i = 0; i < 16; i++)
		w->blk[i].size = 256, w->blk[i].stack = 1, w->blk[i].cls = DUMP_DEFINITE;
	w->blk[16].size = 24, w->blk[16].stack = 2, w->blk[16].cls = DUMP_REACHABLE,
	w->blk[16].heur = 3;
	w->blk[17].size = 7, w->blk[17].stack = 0, w->blk[17].cls = DUMP_DEFINITE;
	w->blk[18].size = 1, w->blk[18].stack = 3, w->blk[18].cls = DUMP_INDIRECT;
	modules_refresh();
}

static struct dump_src
world_src(struct world *w, int depth, bool scanned)
{
	w->scanned = scanned;
	return (struct dump_src){ .depth = depth,
		.atomic = true,
		.scanned = scanned,
		.nstacks = 4,
		.ctx = w,
		.blocks = world_blocks,
		.stack = world_stack,
		.retainer = scanned ? world_retainer : NULL,
		.counts = { .allocs = 16,
		    .frees = 2,
		    .uptime_ms = 5,
		    .start_sec = 1700000000,
		    .start_usec = 42 } };
}

static const struct rec *
find_rec(const struct dump *d, uint32_t stack)
{
	for (size_t i = 0; i < d->nrecs; i++)
		if (d->recs[i].stack_id == stack)
			return &d->recs[i];
	return NULL;
}

START_TEST(write_then_read_gives_the_same_blocks)
{
	struct world w;
	struct membuf m = { .fail_after = SIZE_MAX };
	struct dump_src src;
	struct dump_result res;
	struct dump d = { 0 };
	struct err e;

	make_world(&w);
	src = world_src(&w, 32, false);
	ck_assert_int_eq(dump_write(mem_write, &m, &src, &res), 0);
	ck_assert_uint_eq(res.blocks, 19);
	ck_assert_uint_eq(res.bytes, 16 * 256 + 24 + 7 + 1);
	ck_assert_uint_eq(res.stacks, 3);
	if (dump_parse("mem", m.data, m.len, &d, &e) != 0)
		ck_abort_msg("reader rejected the writer's dump: %s", e.msg);
	ck_assert_uint_eq(d.pid, (uint64_t)getpid());
	ck_assert_uint_eq(d.ppid, (uint64_t)getppid());
	ck_assert_uint_eq(d.depth, 32);
	ck_assert(!d.snapshot);
	ck_assert(!d.scanned);
	ck_assert(d.argc >= 1);
	ck_assert_uint_eq(d.nstacks, 3);
	ck_assert_uint_eq(d.nrecs, 4);
	ck_assert(d.nmodules >= 2); /* the test binary and libc at least */

	const struct rec *r = find_rec(&d, w.ids[0]);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->cls, CLASS_DEFINITE);
	ck_assert_uint_eq(r->blocks, 16);
	ck_assert_uint_eq(r->bytes, 4096);
	r = find_rec(&d, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->blocks, 1);
	ck_assert_uint_eq(r->bytes, 7);

	for (size_t i = 0; i < d.nstacks; i++) {
		unsigned n;
		const uintptr_t *pcs = world_stack(&w, d.stacks[i].id, &n);

		ck_assert_ptr_nonnull(pcs);
		ck_assert_uint_eq(d.stacks[i].n, n);
		for (unsigned k = 0; k < n; k++)
			ck_assert_uint_eq(d.stacks[i].pcs[k], pcs[k]);
	}
	ck_assert_uint_eq(d.stats.live_blocks, 19);
	ck_assert_uint_eq(d.stats.live_bytes, 16 * 256 + 32);
	ck_assert_uint_eq(d.stats.allocs, 16);
	ck_assert(d.stats.rss_bytes > 0);
	dump_free(&d);
	free(m.data);
}
END_TEST

/* Open resources: a descriptor from a stack no block holds (it gets its
 * stack line), two from stack 1, a timer without a stack, a thread with
 * its start routine; a stack id past nstacks is written as 0; the
 * descriptions come back as they were (spaces, '%', UTF-8). The writer
 * calls the callback twice, describing only the second time. */
static int res_passes, res_described;

static void
world_resources(void *ctx, bool describe, dump_res_fn fn, void *fnctx)
{
	static const struct dump_res rs[] = {
		{ DUMP_RES_KIND_FD, 3, 7, 4 /* socket */, 0,
		    "socket TCP 127.0.0.1:40022 -> 127.0.0.1:8080 ESTABLISHED" },
		{ DUMP_RES_KIND_FD, 1, 5, 22 /* fopen */, 0,
		    "file /var/log/50% \xc3\xa9t\xc3\xa9.log (write)" },
		{ DUMP_RES_KIND_FD, 1, 6, 22, 0, "file /tmp/b (read)" },
		{ DUMP_RES_KIND_TIMER, 0, 2, 28 /* timer_create */, 0,
		    "CLOCK_MONOTONIC, one-shot, armed" },
		{ DUMP_RES_KIND_THREAD, 99, 4321, 29 /* pthread_create */, 0x401500,
		    "exited, never joined" },
	};

	(void)ctx;
	res_passes++;
	for (size_t i = 0; i < sizeof(rs) / sizeof(rs[0]); i++) {
		struct dump_res r = rs[i];

		if (!describe)
			r.desc = NULL;
		else
			res_described++;
		fn(fnctx, &r);
	}
}

START_TEST(resources_round_trip)
{
	struct world w;
	struct membuf m = { .fail_after = SIZE_MAX };
	struct dump_src src;
	struct dump_result res;
	struct dump d = { 0 };
	struct err e;

	ck_assert_str_eq(dump_res_fn_name(4), "socket");
	ck_assert_str_eq(dump_res_fn_name(22), "fopen");
	ck_assert_str_eq(dump_res_fn_name(28), "timer_create");
	ck_assert_str_eq(dump_res_fn_name(29), "pthread_create");
	ck_assert_ptr_null(dump_res_fn_name(0));
	ck_assert_ptr_null(dump_res_fn_name(DUMP_RES_FN_COUNT + 1));
	make_world(&w);
	for (int i = 0; i < 16; i++)
		w.blk[i].stack = 2; /* stack 1 is held by resources only */
	src = world_src(&w, 32, false);
	src.resources = world_resources;
	res_passes = res_described = 0;
	ck_assert_int_eq(dump_write(mem_write, &m, &src, &res), 0);
	ck_assert_int_eq(res_passes, 2);
	ck_assert_int_eq(res_described, 5);
	ck_assert_uint_eq(res.resources, 5);
	if (dump_parse("mem", m.data, m.len, &d, &e) != 0)
		ck_abort_msg("reader rejected the writer's dump: %s", e.msg);
	ck_assert_uint_eq(d.version, DUMP_VERSION);
	ck_assert_uint_eq(d.nresources, 5);
	ck_assert_ptr_nonnull(model_find_stack(&d, 1)); /* written for the resources */
	size_t n;
	const struct resource *r = model_find_resources(&d, CLASS_FD, 1, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(r[0].id, 5);
	ck_assert_str_eq(r[0].fn, "fopen");
	ck_assert_str_eq(r[0].desc, "file /var/log/50% \xc3\xa9t\xc3\xa9.log (write)");
	ck_assert_uint_eq(r[1].id, 6);
	r = model_find_resources(&d, CLASS_FD, 3, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(r->desc, "socket TCP 127.0.0.1:40022 -> 127.0.0.1:8080 ESTABLISHED");
	r = model_find_resources(&d, CLASS_TIMER, 0, &n);
	ck_assert(n == 1 && r->id == 2 && r->aux == 0);
	r = model_find_resources(&d, CLASS_THREAD, 0, &n); /* 99 >= nstacks: no stack */
	ck_assert(n == 1 && r->id == 4321 && r->aux == 0x401500);
	ck_assert_str_eq(r->fn, "pthread_create");
	const struct rec *rc = find_rec(&d, 1);
	ck_assert(rc != NULL && rc->cls == CLASS_FD && rc->blocks == 2 && rc->bytes == 0);
	dump_free(&d);
	free(m.data);
}
END_TEST

/* With a scan: classes, a heur line and a retain line come back too. */
START_TEST(scanned_dump_round_trips_classes_and_retainers)
{
	struct world w;
	struct membuf m = { .fail_after = SIZE_MAX };
	struct dump d = { 0 };
	struct err e;

	make_world(&w);
	struct dump_src src = world_src(&w, 32, true);
	ck_assert_int_eq(dump_write(mem_write, &m, &src, NULL), 0);
	if (dump_parse("mem", m.data, m.len, &d, &e) != 0)
		ck_abort_msg("reader rejected the writer's dump: %s", e.msg);
	ck_assert(d.scanned);
	const struct rec *r = find_rec(&d, 2);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->cls, CLASS_REACHABLE);
	r = find_rec(&d, 3);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->cls, CLASS_INDIRECT);
	ck_assert_uint_eq(d.nheurs, 1);
	ck_assert_uint_eq(d.heurs[0].stack_id, 2);
	ck_assert_str_eq(dump_heur_name((int)d.heurs[0].heur), "newarray");
	ck_assert_uint_eq(d.heurs[0].bytes, 24);
	ck_assert_uint_eq(d.nretains, 1);
	ck_assert_uint_eq(d.retains[0].stack_id, 2);
	ck_assert_int_eq(d.retains[0].root, RETAIN_GLOBAL);
	ck_assert_uint_eq(d.retains[0].where, 0x601040);
	ck_assert_uint_eq(d.retains[0].n, 1);
	ck_assert_uint_eq(d.retains[0].hop[0].stack_id, 1);
	ck_assert_uint_eq(d.retains[0].hop[0].bytes, 256);
	ck_assert_uint_eq(d.stats.frees, 2);
	ck_assert_uint_eq(d.start_sec, 1700000000);
	ck_assert_uint_eq(d.start_usec, 42);
	dump_free(&d);
	free(m.data);
}
END_TEST

/* A check's dump: its kind and seq, the program's suppression rules, the
 * lost blocks an earlier check reported (seen lines), the new roots. */
START_TEST(check_dump_round_trips_seen_and_suppressions)
{
	struct world w;
	struct membuf m = { .fail_after = SIZE_MAX };
	struct dump d = { 0 };
	struct dump_result res;
	struct err e;

	make_world(&w);
	for (int i = 0; i < 5; i++)
		w.blk[i].seen = true; /* 5 of stack 1's 16 definite blocks */
	w.blk[18].seen = true;        /* stack 3's indirect block */
	struct dump_src src = world_src(&w, 32, true);
	src.kind = DUMP_CHECK;
	src.seq = 7;
	src.suppress = "leak:foo\n\nleak:bar baz\n# a comment";
	ck_assert_int_eq(dump_write(mem_write, &m, &src, &res), 0);
	ck_assert_uint_eq(res.seen_blocks, 6);
	ck_assert_uint_eq(res.seen_bytes, 5 * 256 + 1);
	if (dump_parse("mem", m.data, m.len, &d, &e) != 0)
		ck_abort_msg("reader rejected the writer's dump: %s", e.msg);
	ck_assert(d.check);
	ck_assert(!d.snapshot);
	ck_assert_uint_eq(d.seq, 7);
	ck_assert_str_eq(model_dump_kind(&d), "check");
	ck_assert_uint_eq(d.nsuppress, 3);
	ck_assert_str_eq(d.suppress[0], "leak:foo");
	ck_assert_str_eq(d.suppress[1], "leak:bar baz");
	ck_assert_str_eq(d.suppress[2], "# a comment");
	const struct rec *r = find_rec(&d, 1);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->blocks, 16);
	ck_assert_uint_eq(r->seen_blocks, 5);
	ck_assert_uint_eq(r->seen_bytes, 5 * 256);
	r = find_rec(&d, 3);
	ck_assert_uint_eq(r->seen_blocks, 1);
	r = find_rec(&d, 0);
	ck_assert_uint_eq(r->seen_blocks, 0);
	dump_free(&d);
	free(m.data);
}
END_TEST

START_TEST(modules_round_trip_with_build_ids)
{
	struct world w;
	struct membuf m = { .fail_after = SIZE_MAX };
	struct dump d = { 0 };
	struct err e;

	make_world(&w);
	struct dump_src src = world_src(&w, 8, false);
	ck_assert_int_eq(dump_write(mem_write, &m, &src, NULL), 0);
	ck_assert_int_eq(dump_parse("mem", m.data, m.len, &d, &e), 0);
	int libc = 0;
	for (size_t i = 0; i < d.nmodules; i++) {
		const struct module *mod = &d.modules[i];

		ck_assert(mod->lo < mod->hi);
		ck_assert(mod->loaded);
		ck_assert(mod->path[0] == '/');
		if (strstr(mod->path, "libc.so") != NULL) {
			libc = 1;
			ck_assert_ptr_nonnull(mod->buildid);
			ck_assert_uint_eq(strlen(mod->buildid), 40);
		}
	}
	ck_assert(libc);
	dump_free(&d);
	free(m.data);
}
END_TEST

START_TEST(failing_sink_fails_once_and_stops_writing)
{
	struct world w;
	struct membuf m = { .fail_after = 100 };

	make_world(&w);
	struct dump_src src = world_src(&w, 32, false);
	errno = 0;
	ck_assert_int_eq(dump_write(mem_write, &m, &src, NULL), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(m.calls_after_fail, 0); /* sticky: no write after the failure */
	free(m.data);
}
END_TEST

START_TEST(file_is_atomic_private_and_never_replaces)
{
	struct world w;
	char dir[] = "/tmp/check_roundtrip.XXXXXX";
	char path[256], link_path[256];
	struct stat st;

	make_world(&w);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.dump", dir);
	struct dump_src src = world_src(&w, 32, false);
	ck_assert_int_eq(dump_to_file(path, &src, NULL), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* existing file: refused, left as it was */
	ck_assert_int_eq(dump_to_file(path, &src, NULL), -1);
	/* symlink: refused, target untouched */
	snprintf(link_path, sizeof(link_path), "%s/link.dump", dir);
	ck_assert_int_eq(symlink("/tmp/never-written-by-libleak", link_path), 0);
	ck_assert_int_eq(dump_to_file(link_path, &src, NULL), -1);
	ck_assert_int_ne(access("/tmp/never-written-by-libleak", F_OK), 0);
	/* missing directory: refused, nothing left behind */
	snprintf(link_path, sizeof(link_path), "%s/nodir/x.dump", dir);
	ck_assert_int_eq(dump_to_file(link_path, &src, NULL), -1);

	struct dump d = { 0 };
	struct err e;
	ck_assert_int_eq(dump_read(path, &d, &e), 0);
	dump_free(&d);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 2", dir); /* out.dump, link.dump */
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(expand_pattern)
{
	char out[64];

	ck_assert_int_eq(dump_path("leak.%p.dump", NULL, 42, 0, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "leak.42.dump");
	ck_assert_int_eq(dump_path("a%%b%p", "", 7, 0, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a%b7");
	ck_assert_int_eq(dump_path("x.%p.%n.dump", "/tmp", 7, 12, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/tmp/x.7.12.dump");
	ck_assert_int_eq(dump_path("/abs/%n", "/tmp", 7, 3, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/abs/3");
	ck_assert_int_eq(dump_path("%p%p%p%p%p%p%p%p%p%p%p%p", NULL, 1234567, 0, out, 16), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("roundtrip");
	TCase *tc = tcase_create("roundtrip");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, write_then_read_gives_the_same_blocks);
	tcase_add_test(tc, scanned_dump_round_trips_classes_and_retainers);
	tcase_add_test(tc, check_dump_round_trips_seen_and_suppressions);
	tcase_add_test(tc, modules_round_trip_with_build_ids);
	tcase_add_test(tc, resources_round_trip);
	tcase_add_test(tc, failing_sink_fails_once_and_stops_writing);
	tcase_add_test(tc, file_is_atomic_private_and_never_replaces);
	tcase_add_test(tc, expand_pattern);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
