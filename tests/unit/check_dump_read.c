/*
 * check_dump_read.c - report/dump_read.c against hand-written dumps,
 * truncations, random mutations and random bytes.
 *
 * Fixtures live in tests/fixtures/{valid,bad}/ and fuzz regressions in
 * tests/fuzz/regressions/, found through TEST_SRCDIR (the repository root;
 * `make unit` sets it, "." otherwise). Random cases take their seed from
 * DUMP_READ_SEED, or from the clock, and every failure message prints it.
 * DUMP_READ_NO_TIMING=1 skips the speed bound (for valgrind runs).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dump_read.h"
#include "dumpfmt.h"

static unsigned seed;

static const char *
srcdir(void)
{
	const char *s = getenv("TEST_SRCDIR");

	return s != NULL && *s != '\0' ? s : ".";
}

static char *
fixture_path(const char *rel)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", srcdir(), rel);
	return path;
}

/* Whole file into a malloc'd buffer of exactly its size (at least 1 byte allocated). */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
	ck_assert(fseek(f, 0, SEEK_END) == 0);
	n = ftell(f);
	ck_assert(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert(buf != NULL);
	ck_assert(fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static bool
dump_is_empty(const struct dump *d)
{
	static const struct dump zero;

	return memcmp(d, &zero, sizeof(zero)) == 0;
}

/* The promises of model.h, checked on a dump that parsed. */
static void
assert_model_valid(const struct dump *d, const char *ctx)
{
	ck_assert_msg(d->path != NULL && d->exe != NULL, "%s", ctx);
	ck_assert_msg(d->depth >= 1 && d->depth <= DUMP_MAX_DEPTH, "%s", ctx);
	ck_assert_msg(d->snapshot == (d->seq != 0), "%s", ctx);
	ck_assert_msg(strlen(d->exe) <= DUMP_MAX_STR, "%s", ctx);
	for (size_t i = 0; i < d->argc; i++)
		ck_assert_msg(d->argv[i] != NULL && strlen(d->argv[i]) <= DUMP_MAX_STR, "%s", ctx);
	for (size_t i = 0; i < d->nmodules; i++) {
		const struct module *m = &d->modules[i];

		ck_assert_msg(i == 0 || m->id > d->modules[i - 1].id, "%s", ctx);
		ck_assert_msg(m->lo < m->hi, "%s", ctx);
		ck_assert_msg(m->path != NULL && *m->path != '\0', "%s", ctx);
		ck_assert_msg(strlen(m->path) <= DUMP_MAX_STR, "%s", ctx);
	}
	for (size_t i = 0; i < d->nstacks; i++) {
		const struct stack *s = &d->stacks[i];

		ck_assert_msg(s->id != 0 && (i == 0 || s->id > d->stacks[i - 1].id), "%s", ctx);
		ck_assert_msg(s->n >= 1 && s->n <= DUMP_MAX_DEPTH && s->pcs != NULL, "%s", ctx);
	}
	for (size_t i = 0; i < d->nrecs; i++) {
		const struct rec *r = &d->recs[i];
		bool found = r->stack_id == 0;

		ck_assert_msg(r->blocks >= 1 && r->cls < CLASS_COUNT, "%s", ctx);
		ck_assert_msg(d->scanned || r->cls == CLASS_DEFINITE || CLASS_IS_RESOURCE(r->cls),
		    "%s", ctx);
		for (size_t j = 0; j < d->nstacks && !found; j++)
			found = d->stacks[j].id == r->stack_id;
		ck_assert_msg(found, "%s: rec stack %u missing", ctx, r->stack_id);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(d->recs[j].stack_id != r->stack_id ||
				d->recs[j].cls != r->cls,
			    "%s: duplicate pair", ctx);
	}
}

/*
 * Parses len bytes from an exact-size copy (so a read past the end shows up
 * under ASan and valgrind) and checks the contract either way. Returns the
 * result of dump_parse.
 */
static int
parse_checked(const char *buf, size_t len, const char *ctx)
{
	char *copy = malloc(len ? len : 1);
	struct dump d;
	struct err e;
	int r;

	ck_assert(copy != NULL);
	memcpy(copy, buf, len);
	memset(&e, 0, sizeof(e));
	r = dump_parse("mem", copy, len, &d, &e);
	ck_assert_msg(r == 0 || r == -1, "%s: result %d", ctx, r);
	if (r == 0) {
		assert_model_valid(&d, ctx);
		dump_free(&d);
		ck_assert(dump_is_empty(&d));
	} else {
		ck_assert_msg(strncmp(e.msg, "mem:", 4) == 0, "%s: message '%s'", ctx, e.msg);
		ck_assert_msg(strchr(e.msg, '\n') == NULL, "%s: two lines '%s'", ctx, e.msg);
		ck_assert_msg(strlen(e.msg) > 8, "%s: message '%s'", ctx, e.msg);
		ck_assert_msg(dump_is_empty(&d), "%s: dump not left empty", ctx);
	}
	free(copy);
	return r;
}

static void
read_ok(const char *rel, struct dump *d)
{
	struct err e;
	const char *path = fixture_path(rel);

	ck_assert_msg(dump_read(path, d, &e) == 0, "%s: %s", rel, e.msg);
	ck_assert_str_eq(d->path, path);
	assert_model_valid(d, rel);
}

static void
assert_stats(const struct dump_stats *s, const uint64_t want[10])
{
	const uint64_t got[10] = {
		s->allocs,
		s->frees,
		s->live_blocks,
		s->live_bytes,
		s->peak_blocks,
		s->peak_bytes,
		s->peak_time_ms,
		s->uptime_ms,
		s->rss_bytes,
		s->dropped,
	};

	for (int i = 0; i < 10; i++)
		ck_assert_msg(got[i] == want[i], "stat %d: %llu != %llu", i,
		    (unsigned long long)got[i], (unsigned long long)want[i]);
}

/* Version 2's res lines: sorted by kind, stack, id, one rec per (kind,
 * stack) after the rec lines, pointing at its first resource. */
START_TEST(valid_resources)
{
	struct dump d;

	read_ok("tests/fixtures/valid/resources.dump", &d);
	ck_assert_uint_eq(d.version, 2);
	ck_assert_uint_eq(d.nresources, 5);
	ck_assert_uint_eq(d.nrecs, 1 + 4);
	const struct resource *r = d.resources;
	ck_assert(r[0].cls == CLASS_FD && r[0].stack_id == 1 && r[0].id == 5);
	ck_assert_str_eq(r[0].fn, "fopen");
	ck_assert_str_eq(r[0].desc, "file /var/log/app.log (write)");
	ck_assert(r[1].cls == CLASS_FD && r[1].stack_id == 2 && r[1].id == 7);
	ck_assert(r[2].cls == CLASS_FD && r[2].stack_id == 2 && r[2].id == 9);
	ck_assert_str_eq(r[2].desc, "socket UNIX /run/app.sock");
	ck_assert(r[3].cls == CLASS_TIMER && r[3].stack_id == 3 && r[3].id == 0);
	ck_assert(r[4].cls == CLASS_THREAD && r[4].stack_id == 0 && r[4].id == 4250);
	ck_assert_uint_eq(r[4].aux, 0x55d4c0001400);
	/* the recs made from them */
	ck_assert(d.recs[0].cls == CLASS_DEFINITE);
	ck_assert(d.recs[1].cls == CLASS_FD && d.recs[1].stack_id == 1 && d.recs[1].blocks == 1);
	ck_assert(d.recs[2].cls == CLASS_FD && d.recs[2].stack_id == 2 && d.recs[2].blocks == 2 &&
	    d.recs[2].bytes == 0);
	ck_assert(d.recs[3].cls == CLASS_TIMER && d.recs[3].blocks == 1);
	ck_assert(d.recs[4].cls == CLASS_THREAD && d.recs[4].stack_id == 0);
	size_t n = 0;
	ck_assert_ptr_eq(model_find_resources(&d, CLASS_FD, 2, &n), &r[1]);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_eq(model_find_resources(&d, CLASS_THREAD, 0, &n), &r[4]);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_null(model_find_resources(&d, CLASS_TIMER, 2, &n));
	ck_assert_uint_eq(n, 0);
	dump_free(&d);
}
END_TEST

START_TEST(valid_minimal)
{
	static const uint64_t stats[10] = { 0 };
	struct dump d;

	read_ok("tests/fixtures/valid/minimal.dump", &d);
	ck_assert_uint_eq(d.pid, 1);
	ck_assert_uint_eq(d.ppid, 0);
	ck_assert_str_eq(d.exe, "/bin/true");
	ck_assert_uint_eq(d.argc, 1);
	ck_assert_str_eq(d.argv[0], "/bin/true");
	ck_assert_uint_eq(d.time_sec, 1732240000);
	ck_assert_uint_eq(d.time_usec, 0);
	ck_assert_uint_eq(d.start_sec, 1732240000);
	ck_assert_uint_eq(d.start_usec, 0);
	ck_assert(!d.snapshot);
	ck_assert_uint_eq(d.seq, 0);
	ck_assert(d.atomic);
	ck_assert(!d.scanned);
	ck_assert_uint_eq(d.depth, 32);
	ck_assert_uint_eq(d.nmodules, 0);
	ck_assert_uint_eq(d.nstacks, 0);
	ck_assert_uint_eq(d.nrecs, 0);
	assert_stats(&d.stats, stats);
	dump_free(&d);
	ck_assert(dump_is_empty(&d));
}
END_TEST

START_TEST(valid_full)
{
	static const uint64_t stats[10] = { 120, 93, 27, 4484, 40, 9000, 17, 1123, 3518464, 0 };
	static const struct rec recs[6] = {
		{ 1, CLASS_DEFINITE, 16, 4096, 0, 0 },
		{ 0, CLASS_DEFINITE, 1, 24, 0, 0 },
		{ 5, CLASS_INDIRECT, 2, 0, 0, 0 },
		{ 1, CLASS_POSSIBLE, 3, 300, 0, 0 },
		{ 9, CLASS_REACHABLE, 1, 1, 0, 0 },
		{ 5, CLASS_DEFINITE, 4, 64, 0, 0 },
	};
	struct dump d;

	read_ok("tests/fixtures/valid/full.dump", &d);
	ck_assert_uint_eq(d.pid, 4242);
	ck_assert_uint_eq(d.ppid, 4100);
	ck_assert_str_eq(d.exe, "/home/u/my app");
	ck_assert_uint_eq(d.argc, 3);
	ck_assert_str_eq(d.argv[0], "./app");
	ck_assert_str_eq(d.argv[1], "--name with space");
	ck_assert_str_eq(d.argv[2], "100%\ndone\xff");
	ck_assert_uint_eq(d.time_sec, 1732240000);
	ck_assert_uint_eq(d.time_usec, 123456);
	ck_assert_uint_eq(d.start_sec, 1732239999);
	ck_assert_uint_eq(d.start_usec, 1);
	ck_assert(!d.snapshot);
	ck_assert_uint_eq(d.seq, 0);
	ck_assert(d.atomic);
	ck_assert(d.scanned);
	ck_assert_uint_eq(d.depth, 32);

	ck_assert_uint_eq(d.nmodules, 3);
	ck_assert_uint_eq(d.modules[0].id, 1);
	ck_assert_uint_eq(d.modules[0].bias, 0x55d4c0000000);
	ck_assert_uint_eq(d.modules[0].lo, 0x55d4c0000000);
	ck_assert_uint_eq(d.modules[0].hi, 0x55d4c0004000);
	ck_assert_str_eq(d.modules[0].buildid, "3f2a0b9c");
	ck_assert(d.modules[0].loaded);
	ck_assert_str_eq(d.modules[0].path, "/home/u/my app");
	ck_assert_uint_eq(d.modules[1].id, 2);
	ck_assert_uint_eq(d.modules[1].bias, 0x7f0a10000000);
	ck_assert_uint_eq(d.modules[1].lo, 0x7f0a10028000);
	ck_assert_uint_eq(d.modules[1].hi, 0x7f0a101bd000);
	ck_assert_ptr_null(d.modules[1].buildid);
	ck_assert(d.modules[1].loaded);
	ck_assert_str_eq(d.modules[1].path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	ck_assert_uint_eq(d.modules[2].id, 7);
	ck_assert_uint_eq(d.modules[2].bias, 0);
	ck_assert_uint_eq(d.modules[2].lo, 0x7f0a20001000);
	ck_assert_uint_eq(d.modules[2].hi, 0x7f0a20003000);
	ck_assert_str_eq(d.modules[2].buildid, "ab12");
	ck_assert(!d.modules[2].loaded);
	ck_assert_str_eq(d.modules[2].path, "/tmp/plugin.so");

	ck_assert_uint_eq(d.nstacks, 3);
	ck_assert_uint_eq(d.stacks[0].id, 1);
	ck_assert_uint_eq(d.stacks[0].n, 3);
	ck_assert_uint_eq(d.stacks[0].pcs[0], 0x55d4c0001189);
	ck_assert_uint_eq(d.stacks[0].pcs[1], 0x55d4c00011c2);
	ck_assert_uint_eq(d.stacks[0].pcs[2], 0x7f0a1002724a);
	ck_assert_uint_eq(d.stacks[1].id, 5);
	ck_assert_uint_eq(d.stacks[1].n, 1);
	ck_assert_uint_eq(d.stacks[1].pcs[0], 0x7f0a20001234);
	ck_assert_uint_eq(d.stacks[2].id, 9);
	ck_assert_uint_eq(d.stacks[2].n, 2);
	ck_assert_uint_eq(d.stacks[2].pcs[0], 0x55d4c00011d0);
	ck_assert_uint_eq(d.stacks[2].pcs[1], 0);

	ck_assert_uint_eq(d.nrecs, 6);
	for (int i = 0; i < 6; i++) {
		ck_assert_uint_eq(d.recs[i].stack_id, recs[i].stack_id);
		ck_assert_int_eq(d.recs[i].cls, recs[i].cls);
		ck_assert_uint_eq(d.recs[i].blocks, recs[i].blocks);
		ck_assert_uint_eq(d.recs[i].bytes, recs[i].bytes);
	}
	assert_stats(&d.stats, stats);
	dump_free(&d);
	ck_assert(dump_is_empty(&d));
}
END_TEST

START_TEST(valid_snapshot)
{
	static const uint64_t stats[10] = { 10, 5, 5, 80, 6, 96, 100, 200, 4096, 2 };
	struct dump d;

	read_ok("tests/fixtures/valid/snapshot.dump", &d);
	ck_assert_uint_eq(d.pid, 77);
	ck_assert_uint_eq(d.ppid, 1);
	ck_assert_str_eq(d.exe, "/usr/bin/server");
	ck_assert_uint_eq(d.argc, 0);
	ck_assert_uint_eq(d.time_sec, 1700000000);
	ck_assert_uint_eq(d.time_usec, 999999);
	ck_assert_uint_eq(d.start_sec, 1699999000);
	ck_assert_uint_eq(d.start_usec, 500000);
	ck_assert(d.snapshot);
	ck_assert_uint_eq(d.seq, 2);
	ck_assert(!d.atomic);
	ck_assert(!d.scanned);
	ck_assert_uint_eq(d.depth, 1);
	ck_assert_uint_eq(d.nmodules, 1);
	ck_assert_uint_eq(d.modules[0].id, 3);
	ck_assert_uint_eq(d.modules[0].bias, 0);
	ck_assert_uint_eq(d.modules[0].lo, 0x400000);
	ck_assert_uint_eq(d.modules[0].hi, 0x401000);
	ck_assert_ptr_null(d.modules[0].buildid);
	ck_assert(d.modules[0].loaded);
	ck_assert_str_eq(d.modules[0].path, "/usr/bin/server");
	ck_assert_uint_eq(d.nstacks, 1);
	ck_assert_uint_eq(d.stacks[0].id, 2);
	ck_assert_uint_eq(d.stacks[0].n, 1);
	ck_assert_uint_eq(d.stacks[0].pcs[0], 0x400123);
	ck_assert_uint_eq(d.nrecs, 1);
	ck_assert_uint_eq(d.recs[0].stack_id, 2);
	ck_assert_int_eq(d.recs[0].cls, CLASS_DEFINITE);
	ck_assert_uint_eq(d.recs[0].blocks, 5);
	ck_assert_uint_eq(d.recs[0].bytes, 80);
	assert_stats(&d.stats, stats);
	dump_free(&d);
}
END_TEST

START_TEST(valid_limits)
{
	const uint64_t max = UINT64_MAX;
	const uint64_t stats[10] = { max, max, max, max, max, max, max, max, max, max };
	char want[DUMP_MAX_STR + 1];
	struct dump d;

	read_ok("tests/fixtures/valid/limits.dump", &d);
	ck_assert_uint_eq(d.pid, max);
	ck_assert_uint_eq(d.ppid, max);
	memset(want, 0x7f, DUMP_MAX_STR);
	want[DUMP_MAX_STR] = '\0';
	ck_assert_str_eq(d.exe, want);
	ck_assert_uint_eq(d.argc, 2);
	memset(want, 'a', DUMP_MAX_STR);
	ck_assert_str_eq(d.argv[0], want);
	ck_assert_str_eq(d.argv[1], "\x01");
	ck_assert_uint_eq(d.time_sec, max);
	ck_assert_uint_eq(d.time_usec, 999999);
	ck_assert_uint_eq(d.start_sec, 0);
	ck_assert_uint_eq(d.start_usec, 0);
	ck_assert(d.snapshot);
	ck_assert_uint_eq(d.seq, max);
	ck_assert(d.scanned);
	ck_assert_uint_eq(d.depth, DUMP_MAX_DEPTH);
	ck_assert_uint_eq(d.nmodules, 1);
	ck_assert_uint_eq(d.modules[0].id, UINT32_MAX);
	ck_assert_uint_eq(d.modules[0].bias, max);
	ck_assert_uint_eq(d.modules[0].lo, 0);
	ck_assert_uint_eq(d.modules[0].hi, max);
	ck_assert_uint_eq(strlen(d.modules[0].buildid), 2 * DUMP_MAX_BUILDID);
	ck_assert(!d.modules[0].loaded);
	ck_assert_str_eq(d.modules[0].path, "%");
	ck_assert_uint_eq(d.nstacks, 1);
	ck_assert_uint_eq(d.stacks[0].id, UINT32_MAX);
	ck_assert_uint_eq(d.stacks[0].n, DUMP_MAX_DEPTH);
	for (int i = 0; i < DUMP_MAX_DEPTH; i++)
		ck_assert_uint_eq(d.stacks[0].pcs[i], max);
	ck_assert_uint_eq(d.nrecs, 3);
	ck_assert_uint_eq(d.recs[0].stack_id, UINT32_MAX);
	ck_assert_uint_eq(d.recs[0].blocks, max);
	ck_assert_uint_eq(d.recs[0].bytes, max);
	ck_assert_int_eq(d.recs[1].cls, CLASS_INDIRECT);
	ck_assert_uint_eq(d.recs[2].stack_id, 0);
	ck_assert_int_eq(d.recs[2].cls, CLASS_POSSIBLE);
	assert_stats(&d.stats, stats);
	dump_free(&d);
}
END_TEST

/* Each bad fixture, the line its message names (0: none), and a part of the message. */
static const struct bad_case {
	const char *file;
	unsigned line;
	const char *what;
} bad_cases[] = {
	{ "argc-huge", 7, "expected 'arg', found 'time'" },
	{ "argc-too-big", 9, "expected 'arg', found 'time'" },
	{ "argc-too-small", 8, "expected 'time', found 'arg'" },
	{ "atomic-2", 11, "bad atomic '2'" },
	{ "bad-magic", 1, "not a libleak dump" },
	{ "crlf", 3, "invalid byte 0x0d" },
	{ "data-after-end", 25, "data after the 'end' line" },
	{ "depth-0", 13, "depth 0 out of range" },
	{ "depth-257", 13, "depth 257 out of range" },
	{ "double-space", 2, "empty field at column 5" },
	{ "empty-line-after-end", 25, "data after the 'end' line" },
	{ "empty-line", 16, "empty line" },
	{ "empty", 0, "empty file" },
	{ "end-before-stats", 30, "'end' line out of order" },
	{ "end-count-overflow", 40, "does not fit in 64 bits" },
	{ "end-mismatch", 40, "end counts 3 3 5 2 do not match" },
	{ "end-retain-count-mismatch", 40, "6 rec and 2 retain lines" },
	{ "end-too-few-fields", 40, "'end' line has 4 fields, expected 5" },
	{ "escape-lower-case", 6, "bad escape at byte 1" },
	{ "escape-not-hex", 6, "bad escape at byte 1" },
	{ "escape-nul", 6, "escaped NUL" },
	{ "escape-short", 6, "bad escape at byte 3" },
	{ "escaped-too-long", 6, "longer than 4096 bytes" },
	{ "exe-two-fields", 4, "'exe' line has 3 fields, expected 2" },
	{ "header-tag-in-body", 17, "'pid' line out of order" },
	{ "kind-bad", 9, "bad kind 'crash'" },
	{ "leading-space", 2, "empty field at column 1" },
	{ "magic-only", 2, "unexpected end of file, expected 'pid'" },
	{ "missing-end", 40, "expected 'end' (truncated dump)" },
	{ "module-7-fields", 16, "'module' line has 7 fields, expected 8" },
	{ "module-after-stack", 20, "'module' line after a 'stack' line" },
	{ "module-buildid-odd", 18, "bad build-id 'ab1'" },
	{ "module-buildid-too-long", 18, "bad build-id" },
	{ "module-buildid-upper", 18, "bad build-id 'AB12' (not lower-case hex)" },
	{ "module-hex-0x", 17, "module bias '0x7f0a10000000' is not lower-case hex" },
	{ "module-hex-17-digits", 17, "more than 16 hex digits" },
	{ "module-hex-leading-zero", 18, "module bias '00' has a leading zero" },
	{ "module-hex-upper", 16, "module bias '55D4C0000000' is not lower-case hex" },
	{ "module-id-descending", 17, "module id 0 not above the previous one, 1" },
	{ "module-id-duplicate", 17, "module id 1 not above the previous one, 1" },
	{ "module-id-over-32-bits", 18, "module id 4294967296 out of range" },
	{ "module-lo-not-below-hi", 17, "not below hi" },
	{ "module-path-bad-escape", 18, "module path has a bad escape" },
	{ "module-path-empty", 18, "empty module path (%00)" },
	{ "module-state-bad", 18, "bad module state 'closed'" },
	{ "no-final-newline", 24, "last line has no newline" },
	{ "no-stats", 30, "'end' line out of order" },
	{ "nul-byte", 2, "invalid byte 0x00 at column 6" },
	{ "pid-21-digits", 2, "does not fit in 64 bits" },
	{ "pid-hex", 2, "pid '0x10' is not a decimal number" },
	{ "pid-leading-zero", 2, "pid '01' has a leading zero" },
	{ "pid-minus", 2, "pid '-1' is not a decimal number" },
	{ "pid-overflow", 2, "pid '18446744073709551616' does not fit in 64 bits" },
	{ "pid-plus", 2, "pid '+1' is not a decimal number" },
	{ "pid-ppid-swapped", 2, "expected 'pid', found 'ppid'" },
	{ "ppid-no-value", 3, "'ppid' line has 1 fields, expected 2" },
	{ "raw-utf8", 4, "invalid byte 0xc3 at column 13" },
	{ "rec-4-fields", 23, "'rec' line has 4 fields, expected 5" },
	{ "rec-bytes-overflow", 23, "bytes '99999999999999999999' does not fit in 64 bits" },
	{ "rec-class-bad", 24, "bad class 'lost'" },
	{ "rec-class-without-scan", 15, "class reachable in a dump without a scan" },
	{ "rec-duplicate-pair", 25, "second rec for stack 1, class definite" },
	{ "rec-stack-id-over-32-bits", 23, "rec stack id 4294967296 out of range" },
	{ "rec-unknown-stack", 22, "rec names stack 2, which no stack line defines" },
	{ "rec-zero-blocks", 24, "rec with 0 blocks" },
	{ "rec-after-retain", 29, "'rec' line after a 'retain' line" },
	{ "retain-6-fields", 29, "'retain' line has 6 fields, expected at least 7" },
	{ "retain-bad-root", 28, "bad retain root 'heap'" },
	{ "retain-for-definite-stack", 28, "stack 5, which has no reachable or possible rec" },
	{ "retain-hop-count-9", 28, "retain hop count 9 out of range" },
	{ "retain-hop-count-mismatch", 28, "retain has 1 hops listed, its count says 2" },
	{ "retain-hop-empty-bytes", 28, "retain hop '9:' is not <stack-id>:<bytes>" },
	{ "retain-hop-no-colon", 28, "retain hop '9-128' is not <stack-id>:<bytes>" },
	{ "retain-hop-unknown-stack", 28, "retain hop names stack 4" },
	{ "retain-lists-more-than-hops", 28, "retain lists 1 hops of 0" },
	{ "retain-loader-where", 29, "retain root loader with who 0, where 10" },
	{ "retain-mapping-who", 29, "retain root mapping with who 7" },
	{ "retain-not-ascending", 29, "retain stack id 1 not above the previous one, 1" },
	{ "retain-without-scan", 16, "retain line in a dump without a scan" },
	{ "scan-bad", 12, "bad scan 'partial'" },
	{ "seq-exit-nonzero", 10, "seq 1 does not fit kind exit" },
	{ "seq-snapshot-zero", 9, "seq 0 does not fit kind snapshot" },
	{ "stack-after-rec", 22, "'stack' line after a 'rec' line" },
	{ "stack-after-retain", 29, "'stack' line after a 'retain' line" },
	{ "stack-id-0", 19, "stack id 0" },
	{ "stack-id-descending", 20, "stack id 1 not above the previous one, 1" },
	{ "stack-n-0", 20, "'stack' line has 3 fields, expected at least 4" },
	{ "stack-n-257", 20, "frame count 257 out of range" },
	{ "stack-n-mismatch", 19, "stack 1 has 3 pcs, its count says 4" },
	{ "stack-no-pcs", 20, "'stack' line has 3 fields" },
	{ "stack-pc-upper", 19, "pc '55D4C00011C2' is not lower-case hex" },
	{ "stack-too-many-fields", 19, "too many fields" },
	{ "start-leading-zero", 8, "seconds '01' has a leading zero" },
	{ "stat-3-fields-more", 31, "'stat' line has 4 fields, expected 3" },
	{ "stat-duplicate", 31, "expected 'stat frees', found 'stat allocs'" },
	{ "stat-extra", 40, "expected 'stat unreadable', found 'stat dropped'" },
	{ "stat-missing", 31, "expected 'stat frees', found 'stat live_blocks'" },
	{ "stat-swapped", 32, "expected 'stat live_blocks', found 'stat live_bytes'" },
	{ "stat-unknown", 38, "expected 'stat rss_bytes', found 'stat rss'" },
	{ "stat-value-sign", 31, "frees '-93' is not a decimal number" },
	{ "string-too-long", 6, "arg is longer than 4096 bytes" },
	{ "tab", 2, "invalid byte 0x09 at column 4" },
	{ "time-bad-usec", 7, "bad microseconds part" },
	{ "time-no-seconds", 7, "is not <seconds>.<6-digit microseconds>" },
	{ "time-no-usec", 7, "is not <seconds>.<6-digit microseconds>" },
	{ "time-seconds-overflow", 7, "does not fit in 64 bits" },
	{ "time-short-usec", 7, "is not <seconds>.<6-digit microseconds>" },
	{ "trailing-space", 2, "empty field at column 7" },
	{ "unknown-record", 21, "unknown record 'thread'" },
	{ "version-3", 1, "unsupported dump version 3" },
	{ "api-check-in-version-1", 9, "bad kind 'check'" },
	{ "api-check-seq-0", 10, "seq 0 does not fit kind check" },
	{ "api-end-notes-mismatch", 40, "end counts 0 notes, the dump has 1" },
	{ "api-own-more-than-rec", 33, "own with 2 blocks, 112 bytes: more than its indirect rec" },
	{ "api-own-out-of-order", 34, "own line for stack 3, owner 2 out of order" },
	{ "api-own-owner-not-definite", 33, "own names owner stack 3, which has no definite rec" },
	{ "api-own-stack-not-indirect", 33, "own for stack 2, which has no indirect rec" },
	{ "api-seen-bad-class", 26, "bad seen class 'possible' (definite or indirect)" },
	{ "api-seen-more-than-rec", 26, "seen with 2 blocks, 96 bytes: more than its rec" },
	{ "api-seen-no-lost-rec", 26, "seen for stack 3, which has no definite rec" },
	{ "api-suppress-after-module", 17, "'suppress' line after a 'module' line" },
	{ "res-6-fields", 22, "'res' line has 6 fields, expected 7" },
	{ "res-aux-not-hex", 23, "res aux '0x55d4c0001400' is not lower-case hex" },
	{ "res-bad-function", 22, "bad resource function 'timer_new'" },
	{ "res-bad-kind", 22, "bad resource kind 'socket'" },
	{ "res-before-rec", 23, "'rec' line after a 'res' line" },
	{ "res-desc-empty", 23, "res description is empty" },
	{ "res-in-version-1", 19, "'res' line in a version 1 dump" },
	{ "res-unknown-stack", 22, "res names stack 4, which no stack line defines" },
	{ "end-res-count-mismatch", 35,
	    "end counts 4 notes, the dump has 5 heur, suppress, seen, own and res lines" },
	{ "end-version-2-four-counts", 35, "'end' line has 5 fields, expected 6" },
	{ "version-leading-zero", 1, "version '01' has a leading zero" },
};

#define NBAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

START_TEST(bad_fixture)
{
	const struct bad_case *c = &bad_cases[_i];
	char rel[256];
	char want[4200];
	const char *path;
	struct dump d;
	struct err e;

	snprintf(rel, sizeof(rel), "tests/fixtures/bad/%s.dump", c->file);
	path = fixture_path(rel);
	ck_assert_msg(dump_read(path, &d, &e) == -1, "%s parsed", rel);
	ck_assert(dump_is_empty(&d));
	if (c->line != 0)
		snprintf(want, sizeof(want), "%s:%u: ", path, c->line);
	else
		snprintf(want, sizeof(want), "%s: ", path);
	ck_assert_msg(strncmp(e.msg, want, strlen(want)) == 0, "%s: '%s' lacks prefix '%s'", rel,
	    e.msg, want);
	ck_assert_msg(strstr(e.msg, c->what) != NULL, "%s: '%s' lacks '%s'", rel, e.msg, c->what);
	ck_assert(strchr(e.msg, '\n') == NULL);
}
END_TEST

/* Every file in bad/ has a row above, so no fixture goes untested. */
START_TEST(bad_fixtures_all_listed)
{
	DIR *dir = opendir(fixture_path("tests/fixtures/bad"));
	struct dirent *de;
	size_t files = 0;

	ck_assert(dir != NULL);
	while ((de = readdir(dir)) != NULL) {
		size_t n = strlen(de->d_name);
		bool listed = false;

		if (de->d_name[0] == '.')
			continue;
		files++;
		ck_assert_msg(n > 5 && strcmp(de->d_name + n - 5, ".dump") == 0, "%s", de->d_name);
		for (size_t i = 0; i < NBAD && !listed; i++)
			listed = strlen(bad_cases[i].file) == n - 5 &&
			    strncmp(bad_cases[i].file, de->d_name, n - 5) == 0;
		ck_assert_msg(listed, "bad/%s has no row in bad_cases", de->d_name);
	}
	closedir(dir);
	ck_assert_uint_eq(files, NBAD);
}
END_TEST

static const char *const valid_files[] = {
	"tests/fixtures/valid/minimal.dump",
	"tests/fixtures/valid/resources.dump",
	"tests/fixtures/valid/full.dump",
	"tests/fixtures/valid/snapshot.dump",
	"tests/fixtures/valid/limits.dump",
};

#define NVALID (sizeof(valid_files) / sizeof(valid_files[0]))

START_TEST(truncated_everywhere)
{
	size_t len;
	char *buf = slurp(fixture_path(valid_files[_i]), &len);
	char ctx[128];

	ck_assert_int_eq(parse_checked(buf, len, valid_files[_i]), 0);
	for (size_t k = 0; k < len; k++) {
		snprintf(ctx, sizeof(ctx), "%s cut at %zu", valid_files[_i], k);
		ck_assert_msg(parse_checked(buf, k, ctx) == -1, "%s parsed", ctx);
	}
	free(buf);
}
END_TEST

/* Bytes a mutation inserts: mostly ones that mean something in a dump. */
static unsigned char
interesting_byte(void)
{
	static const char pick[] = " \n%0123456789abcdefABCDEF.-+";

	if (rand() % 4 == 0)
		return (unsigned char)rand();
	return (unsigned char)pick[rand() % (int)(sizeof(pick) - 1)];
}

START_TEST(random_mutations)
{
	size_t lens[NVALID];
	char *bases[NVALID];
	size_t parsed = 0;

	srand(seed);
	for (size_t i = 0; i < NVALID; i++)
		bases[i] = slurp(fixture_path(valid_files[i]), &lens[i]);
	for (int iter = 0; iter < 2000; iter++) {
		size_t b = (size_t)rand() % NVALID;
		size_t len = lens[b];
		char *buf = malloc(len + 64);
		int ops = 1 + rand() % 4;
		char ctx[128];

		memcpy(buf, bases[b], len);
		for (int op = 0; op < ops; op++) {
			size_t at = len ? (size_t)rand() % len : 0;

			switch (rand() % 4) {
			case 0: /* flip one bit */
				if (len)
					buf[at] ^= (char)(1 << (rand() % 8));
				break;
			case 1: /* overwrite a byte */
				if (len)
					buf[at] = (char)interesting_byte();
				break;
			case 2: /* insert a byte */
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = (char)interesting_byte();
				len++;
				break;
			default: /* delete up to 8 bytes */
			{
				size_t n = 1 + (size_t)rand() % 8;

				if (n > len - at)
					n = len - at;
				memmove(buf + at, buf + at + n, len - at - n);
				len -= n;
			}
			}
		}
		snprintf(ctx, sizeof(ctx), "seed %u, mutation %d of %s", seed, iter,
		    valid_files[b]);
		parsed += parse_checked(buf, len, ctx) == 0;
		free(buf);
	}
	/* Most mutations must be caught; a few (a digit changed) stay valid. */
	ck_assert_msg(parsed < 1000, "seed %u: %zu of 2000 mutations parsed", seed, parsed);
	for (size_t i = 0; i < NVALID; i++)
		free(bases[i]);
}
END_TEST

START_TEST(random_bytes)
{
	char buf[4096];
	char ctx[64];

	srand(seed);
	for (int iter = 0; iter < 1000; iter++) {
		size_t len = (size_t)rand() % sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = (char)(iter % 2 ? interesting_byte() : rand());
		snprintf(ctx, sizeof(ctx), "seed %u, random buffer %d", seed, iter);
		ck_assert_msg(parse_checked(buf, len, ctx) == -1, "%s parsed", ctx);
	}
}
END_TEST

/* minimal.dump with its line `lineno` (1-based) replaced by `line`. */
static char *
minimal_with(unsigned lineno, const char *line, size_t *outlen)
{
	size_t len;
	char *base = slurp(fixture_path("tests/fixtures/valid/minimal.dump"), &len);
	char *out = malloc(len + strlen(line) + 2);
	size_t o = 0;
	unsigned cur = 1;

	ck_assert(out != NULL);
	for (size_t i = 0; i < len; i++) {
		if (cur == lineno) {
			size_t n = strlen(line);

			memcpy(out + o, line, n);
			o += n;
			out[o++] = '\n';
			while (base[i] != '\n')
				i++;
			cur++;
			continue;
		}
		out[o++] = base[i];
		if (base[i] == '\n')
			cur++;
	}
	free(base);
	*outlen = o;
	return out;
}

/* Parses minimal.dump with one line replaced; -1 must carry `what`. */
static int
try_line(unsigned lineno, const char *line, const char *what)
{
	size_t len;
	char *buf = minimal_with(lineno, line, &len);
	struct dump d;
	struct err e;
	int r = dump_parse("mem", buf, len, &d, &e);

	if (r == 0)
		dump_free(&d);
	else if (what != NULL)
		ck_assert_msg(strstr(e.msg, what) != NULL, "'%s': '%s' lacks '%s'", line, e.msg,
		    what);
	free(buf);
	return r;
}

START_TEST(wrong_version)
{
	ck_assert_int_eq(try_line(1, "libleak-dump 1", NULL), 0);
	ck_assert_int_eq(try_line(1, "libleak-dump 0", "unsupported dump version 0"), -1);
	/* version 2 is read, and its end line counts the notes too */
	ck_assert_int_eq(try_line(1, "libleak-dump 2", "expected 6"), -1);
	ck_assert_int_eq(try_line(1, "libleak-dump 3", "unsupported dump version 3"), -1);
	ck_assert_int_eq(try_line(1, "libleak-dump 18446744073709551615",
			     "unsupported dump version 18446744073709551615"),
	    -1);
	ck_assert_int_eq(
	    try_line(1, "libleak-dump 18446744073709551616", "does not fit in 64 bits"), -1);
	ck_assert_int_eq(try_line(1, "libleak-dump 1.0", "not a decimal number"), -1);
	ck_assert_int_eq(try_line(1, "libleak-dump", "not a libleak dump"), -1);
	ck_assert_int_eq(try_line(1, "libleak-dump 1 1", "not a libleak dump"), -1);
	ck_assert_int_eq(try_line(1, "LIBLEAK-DUMP 1", "not a libleak dump"), -1);
}
END_TEST

START_TEST(overflowing_numbers)
{
	/* Each decimal field: the largest value passes, one more fails. */
	ck_assert_int_eq(try_line(2, "pid 18446744073709551615", NULL), 0);
	ck_assert_int_eq(try_line(2, "pid 18446744073709551616", "does not fit"), -1);
	ck_assert_int_eq(try_line(2, "pid 18446744073709551620", "does not fit"), -1);
	ck_assert_int_eq(try_line(2, "pid 99999999999999999999", "does not fit"), -1);
	ck_assert_int_eq(try_line(2, "pid 184467440737095516150", "does not fit"), -1);
	ck_assert_int_eq(try_line(3, "ppid 18446744073709551616", "does not fit"), -1);
	ck_assert_int_eq(try_line(5, "argc 18446744073709551616", "does not fit"), -1);
	ck_assert_int_eq(try_line(7, "time 18446744073709551615.000000", NULL), 0);
	ck_assert_int_eq(try_line(7, "time 18446744073709551616.000000", "does not fit"), -1);
	ck_assert_int_eq(try_line(7, "time 1.1234567", "6-digit"), -1);
	ck_assert_int_eq(try_line(10, "seq 18446744073709551616", "does not fit"), -1);
	ck_assert_int_eq(try_line(13, "depth 256", NULL), 0);
	ck_assert_int_eq(try_line(13, "depth 4294967297", "out of range"), -1);
	ck_assert_int_eq(try_line(13, "depth 18446744073709551616", "does not fit"), -1);
	ck_assert_int_eq(try_line(14, "stat allocs 18446744073709551615", NULL), 0);
	ck_assert_int_eq(try_line(14, "stat allocs 18446744073709551616", "does not fit"), -1);
	ck_assert_int_eq(try_line(23, "stat dropped 18446744073709551616", "does not fit"), -1);
	ck_assert_int_eq(try_line(24, "end 18446744073709551616 0 0 0", "does not fit"), -1);
	ck_assert_int_eq(try_line(24, "end 0 0 0 18446744073709551615", "do not match"), -1);
	/* 32-bit ids and 64-bit addresses, on a body line in front of the stats. */
	ck_assert_int_eq(
	    try_line(13, "depth 1\nmodule 4294967295 0 0 1 - loaded /m", "do not match"), -1);
	ck_assert_int_eq(
	    try_line(13, "depth 1\nmodule 4294967296 0 0 1 - loaded /m", "out of range"), -1);
	ck_assert_int_eq(try_line(13, "depth 1\nstack 1 1 ffffffffffffffff", "do not match"), -1);
	ck_assert_int_eq(
	    try_line(13, "depth 1\nstack 1 1 1ffffffffffffffff", "more than 16 hex digits"), -1);
	ck_assert_int_eq(try_line(13, "depth 1\nstack 4294967296 1 1", "out of range"), -1);
	ck_assert_int_eq(try_line(13, "depth 1\nstack 1 18446744073709551616 1", "does not fit"),
	    -1);
}
END_TEST

START_TEST(regressions_replay)
{
	char dirpath[4200];
	DIR *dir;
	struct dirent *de;
	size_t n = 0;

	snprintf(dirpath, sizeof(dirpath), "%s/tests/fuzz/regressions", srcdir());
	dir = opendir(dirpath);
	ck_assert_msg(dir != NULL, "%s: %s", dirpath, strerror(errno));
	while ((de = readdir(dir)) != NULL) {
		char path[8400];
		struct stat st;
		size_t len;
		char *buf;

		snprintf(path, sizeof(path), "%s/%s", dirpath, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		buf = slurp(path, &len);
		parse_checked(buf, len, path);
		free(buf);
		n++;
	}
	closedir(dir);
	ck_assert_msg(n > 0, "no regression inputs in %s", dirpath);
}
END_TEST

static void
assert_read_fails(const char *path, const char *want_suffix)
{
	struct dump d;
	struct err e;
	char want[4200];

	ck_assert_int_eq(dump_read(path, &d, &e), -1);
	ck_assert(dump_is_empty(&d));
	snprintf(want, sizeof(want), "%s: %s", path, want_suffix);
	ck_assert_msg(strncmp(e.msg, want, strlen(want)) == 0, "'%s' is not '%s...'", e.msg, want);
}

START_TEST(file_errors)
{
	char dir[] = "/tmp/check_dump_read.XXXXXX";
	char path[128];
	int fd;

	ck_assert(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/missing.dump", dir);
	assert_read_fails(path, "cannot open: No such file or directory");
	assert_read_fails(dir, "is a directory");
	snprintf(path, sizeof(path), "%s/empty.dump", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert(fd >= 0);
	assert_read_fails(path, "empty file");
	/* A sparse file one byte over 1 GiB: refused before anything is read. */
	ck_assert_int_eq(ftruncate(fd, ((off_t)1 << 30) + 1), 0);
	assert_read_fails(path, "too large");
	close(fd);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	assert_read_fails("/dev/null", "empty file");
}
END_TEST

/* 100,000 stacks of 32 frames and a rec for each parse in well under a second. */
START_TEST(large_dump)
{
	const size_t nstacks = 100000;
	size_t cap = nstacks * (32 * 13 + 64) + 4096;
	char *buf = malloc(cap);
	size_t o = 0;
	struct timespec t0;
	struct timespec t1;
	struct dump d;
	struct err e;
	double secs;

	ck_assert(buf != NULL);
	o += (size_t)sprintf(buf + o,
	    "libleak-dump 1\npid 1\nppid 1\nexe /x\nargc 0\n"
	    "time 1.000000\nstart 1.000000\nkind exit\nseq 0\natomic 1\nscan none\n"
	    "depth 32\nmodule 1 0 1000 7fffffffffff - loaded /x\n");
	for (size_t i = 1; i <= nstacks; i++) {
		o += (size_t)sprintf(buf + o, "stack %zu 32", i);
		for (int f = 0; f < 32; f++)
			o += (size_t)sprintf(buf + o, " %zx", 0x7f0000000000 + i * 64 + (size_t)f);
		buf[o++] = '\n';
	}
	for (size_t i = 1; i <= nstacks; i++)
		o += (size_t)sprintf(buf + o, "rec %zu definite %zu %zu\n", i, i, i * 16);
	for (int i = 0; i < 10; i++)
		o += (size_t)sprintf(buf + o, "stat %s 0\n",
		    (const char *[]){ "allocs", "frees", "live_blocks", "live_bytes", "peak_blocks",
			"peak_bytes", "peak_time_ms", "uptime_ms", "rss_bytes", "dropped" }[i]);
	o += (size_t)sprintf(buf + o, "end 1 %zu %zu 0\n", nstacks, nstacks);
	ck_assert(o < cap);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_msg(dump_parse("big", buf, o, &d, &e) == 0, "%s", e.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_uint_eq(d.nstacks, nstacks);
	ck_assert_uint_eq(d.nrecs, nstacks);
	ck_assert_uint_eq(d.stacks[nstacks - 1].pcs[31], 0x7f0000000000 + nstacks * 64 + 31);
	ck_assert_uint_eq(d.recs[nstacks - 1].bytes, nstacks * 16);
	dump_free(&d);
	free(buf);
	/* A figure, not a gate: speed targets live in make bench. */
	if (getenv("DUMP_READ_NO_TIMING") == NULL)
		fprintf(stderr, "check_dump_read: %zu bytes parsed in %.3f s\n", o, secs);
}
END_TEST

static Suite *
dump_read_suite(void)
{
	Suite *s = suite_create("dump_read");
	TCase *tc = tcase_create("fixtures");
	TCase *tr = tcase_create("robustness");

	tcase_add_test(tc, valid_minimal);
	tcase_add_test(tc, valid_resources);
	tcase_add_test(tc, valid_full);
	tcase_add_test(tc, valid_snapshot);
	tcase_add_test(tc, valid_limits);
	tcase_add_loop_test(tc, bad_fixture, 0, (int)NBAD);
	tcase_add_test(tc, bad_fixtures_all_listed);
	tcase_add_test(tc, wrong_version);
	tcase_add_test(tc, overflowing_numbers);
	tcase_add_test(tc, file_errors);
	suite_add_tcase(s, tc);

	tcase_set_timeout(tr, 600);
	tcase_add_loop_test(tr, truncated_everywhere, 0, (int)NVALID);
	tcase_add_test(tr, random_mutations);
	tcase_add_test(tr, random_bytes);
	tcase_add_test(tr, regressions_replay);
	tcase_add_test(tr, large_dump);
	suite_add_tcase(s, tr);
	return s;
}

int
main(void)
{
	const char *env = getenv("DUMP_READ_SEED");
	SRunner *sr;
	int failed;

	seed = env != NULL ? (unsigned)strtoul(env, NULL, 10) :
			     (unsigned)time(NULL) ^ (unsigned)getpid();
	sr = srunner_create(dump_read_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	if (failed != 0)
		fprintf(stderr,
		    "check_dump_read: random seed was %u (set DUMP_READ_SEED to "
		    "repeat)\n",
		    seed);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
