/*
 * check_group.c - group.c: identical symbolized stacks form one record,
 * records merge across dumps with a process count, allocator frames are
 * dropped, the sort order, --show/--top selection, suppressions and the
 * baseline.
 *
 * Dumps are built in memory (dump_parse) and point at this test binary and
 * at libc, so the real symbolizer resolves real functions: the leaf_*
 * functions below. Their pcs are "function address + k"; a second dump
 * uses another, made-up load bias for the same file, as another process
 * would after ASLR.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dlfcn.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump_read.h"
#include "group.h"
#include "suppress.h"
#include "symbolize.h"

__attribute__((noinline, used)) void *leaf_a(size_t n);
__attribute__((noinline, used)) void *leaf_b(size_t n);
__attribute__((noinline, used)) void *caller_c(size_t n);

__attribute__((noinline, used)) void *
leaf_a(size_t n)
{
	void *p = malloc(n);

	if (p != NULL)
		memset(p, 1, n);
	return p;
}

__attribute__((noinline, used)) void *
leaf_b(size_t n)
{
	void *p = calloc(1, n + 3);

	if (p != NULL)
		memset(p, 2, n);
	return p;
}

__attribute__((noinline, used)) void *
caller_c(size_t n)
{
	void *p = leaf_a(n);

	free(leaf_b(n));
	return p;
}

static char exe_path[4096];
static uint64_t exe_bias; /* real load bias of this binary */
static uint64_t exe_lo, exe_hi;
static char libc_path[4096];
static uint64_t libc_bias;

static int
find_exe(struct dl_phdr_info *info, size_t size, void *ctx)
{
	(void)size;
	(void)ctx;
	if (info->dlpi_name != NULL && info->dlpi_name[0] != '\0')
		return 0;
	exe_bias = info->dlpi_addr;
	exe_lo = UINT64_MAX;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (info->dlpi_addr + ph->p_vaddr < exe_lo)
			exe_lo = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > exe_hi)
			exe_hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	return 1;
}

static void
setup_paths(void)
{
	Dl_info di;
	ssize_t n = readlink("/proc/self/exe", exe_path, sizeof(exe_path) - 1);

	ck_assert(n > 0);
	exe_path[n] = '\0';
	dl_iterate_phdr(find_exe, NULL);
	ck_assert(exe_hi > exe_lo);
	ck_assert(dladdr((void *)&malloc, &di) != 0);
	ck_assert(realpath(di.dli_fname, libc_path) != NULL);
	libc_bias = (uint64_t)(uintptr_t)di.dli_fbase;
}

/* Link-time address of a function of this binary, plus k. */
static uint64_t
off_of(void *(*fn)(size_t), uint64_t k)
{
	return (uint64_t)(uintptr_t)fn - exe_bias + k;
}

struct dbuf {
	char text[16384];
	size_t len;
	unsigned nmod, nstack, nrec;
};

static void
put(struct dbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	b->len += (size_t)vsnprintf(b->text + b->len, sizeof(b->text) - b->len, fmt, ap);
	va_end(ap);
	ck_assert(b->len < sizeof(b->text));
}

/* Header of a dump of pid whose copy of this binary is loaded at bias. */
static void
begin(struct dbuf *b, unsigned pid, uint64_t bias)
{
	memset(b, 0, sizeof(*b));
	put(b,
	    "libleak-dump 1\npid %u\nppid 1\nexe %s\nargc 1\narg x\n"
	    "time 2.000000\nstart 1.000000\nkind exit\nseq 0\natomic 1\nscan full\n"
	    "depth 32\n",
	    pid, exe_path);
	put(b, "module 1 %llx %llx %llx - loaded %s\n", (unsigned long long)bias,
	    (unsigned long long)(exe_lo - exe_bias + bias),
	    (unsigned long long)(exe_hi - exe_bias + bias), exe_path);
	b->nmod = 1;
}

static void
add_module(struct dbuf *b, uint64_t bias, uint64_t size, const char *path)
{
	put(b, "module %u %llx %llx %llx - loaded %s\n", ++b->nmod, (unsigned long long)bias,
	    (unsigned long long)bias, (unsigned long long)(bias + size), path);
}

static void
finish(struct dbuf *b, struct dump *d, uint64_t allocs, uint64_t peak)
{
	struct err e;

	put(b,
	    "stat allocs %llu\nstat frees 0\nstat live_blocks 1\nstat live_bytes 1\n"
	    "stat peak_blocks 1\nstat peak_bytes %llu\nstat peak_time_ms 0\n"
	    "stat uptime_ms 1\nstat rss_bytes 1\nstat dropped 0\n",
	    (unsigned long long)allocs, (unsigned long long)peak);
	put(b, "end %u %u %u 0\n", b->nmod, b->nstack, b->nrec);
	if (dump_parse("mem.dump", b->text, b->len, d, &e) < 0)
		ck_abort_msg("dump_parse: %s\n%s", e.msg, b->text);
}

static void
quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static struct symbolizer *
symbolizer(void)
{
	struct sym_options o = { .debuginfod = false, .warn = quiet };
	struct err e;
	struct symbolizer *s = sym_new(&o, &e);

	ck_assert_msg(s != NULL, "sym_new: %s", e.msg);
	return s;
}

static void
build(struct report *r, struct symbolizer *s, struct dump *d, size_t n)
{
	struct err e;

	group_init(r);
	ck_assert_msg(group_build(r, s, d, n, &e) == 0, "group_build: %s", e.msg);
	ck_assert_msg(group_finish(r, NULL, NULL, &e) == 0, "group_finish: %s", e.msg);
}

/* Finds k >= 1 such that leaf_a+k and leaf_a+k+1 (return addresses) resolve
 * to the same function and line: two call sites on one source line. */
static uint64_t
same_line_pair(struct symbolizer *s, const struct dump *d)
{
	for (uint64_t k = 1; k < 64; k++) {
		const struct sym_frame *f1, *f2;
		size_t n1, n2;
		struct err e;

		ck_assert(sym_resolve(s, d, exe_bias + off_of(leaf_a, k), &f1, &n1, &e) == 0);
		ck_assert(sym_resolve(s, d, exe_bias + off_of(leaf_a, k + 1), &f2, &n2, &e) == 0);
		if (n1 == 1 && n2 == 1 && f1->function != NULL && f2->function != NULL &&
		    strcmp(f1->function, "leaf_a") == 0 && strcmp(f2->function, "leaf_a") == 0 &&
		    f1->line != 0 && f1->line == f2->line && f1->column == f2->column &&
		    f1->file != NULL && f2->file != NULL && strcmp(f1->file, f2->file) == 0)
			return k;
	}
	ck_abort_msg("no two addresses of leaf_a on one line");
	return 0;
}

START_TEST(identical_symbolized_stacks_form_one_record)
{
	struct symbolizer *s = symbolizer();
	struct dbuf b;
	struct dump d;
	struct report r;
	uint64_t k;

	setup_paths();
	begin(&b, 100, exe_bias);
	finish(&b, &d, 1, 1); /* only to probe the symbolizer */
	k = same_line_pair(s, &d);
	dump_free(&d);

	begin(&b, 100, exe_bias);
	put(&b, "stack 1 2 %llx %llx\n", (unsigned long long)(exe_bias + off_of(leaf_a, k)),
	    (unsigned long long)(exe_bias + off_of(caller_c, 1)));
	put(&b, "stack 2 2 %llx %llx\n", (unsigned long long)(exe_bias + off_of(leaf_a, k + 1)),
	    (unsigned long long)(exe_bias + off_of(caller_c, 1)));
	put(&b, "stack 3 2 %llx %llx\n", (unsigned long long)(exe_bias + off_of(leaf_b, 1)),
	    (unsigned long long)(exe_bias + off_of(caller_c, 1)));
	put(&b,
	    "rec 1 definite 2 32\nrec 2 definite 3 48\nrec 3 definite 1 100\n"
	    "rec 1 reachable 1 16\n");
	b.nstack = 3;
	b.nrec = 4;
	finish(&b, &d, 10, 500);
	build(&r, s, &d, 1);

	/* stacks 1 and 2 differ only by address on one line: one record;
	 * the reachable blocks of stack 1 are a record of their own. */
	ck_assert_uint_eq(r.nleaks, 3);
	ck_assert_uint_eq(r.leaks[0].blocks, 1);
	ck_assert_uint_eq(r.leaks[0].bytes, 100);
	ck_assert_str_eq(r.leaks[0].frames[0].function, "leaf_b");
	ck_assert_uint_eq(r.leaks[1].blocks, 5);
	ck_assert_uint_eq(r.leaks[1].bytes, 80);
	ck_assert_int_eq(r.leaks[1].cls, CLASS_DEFINITE);
	ck_assert_uint_eq(r.leaks[1].npoints, 1);
	ck_assert_uint_eq(r.leaks[1].nframes, 2);
	ck_assert_str_eq(r.leaks[1].frames[0].function, "leaf_a");
	ck_assert_str_eq(r.leaks[1].frames[1].function, "caller_c");
	ck_assert_uint_eq(r.leaks[1].frames[0].pc, exe_bias + off_of(leaf_a, k));
	ck_assert_int_eq(r.leaks[2].cls, CLASS_REACHABLE);
	ck_assert_uint_eq(r.leaks[2].bytes, 16);
	ck_assert_uint_eq(r.cls[CLASS_DEFINITE].records, 2);
	ck_assert_uint_eq(r.cls[CLASS_DEFINITE].bytes, 180);
	ck_assert_uint_eq(r.cls[CLASS_REACHABLE].blocks, 1);
	ck_assert_uint_eq(r.leaked.blocks, 6);
	ck_assert_uint_eq(r.total_allocs, 10);
	ck_assert_uint_eq(r.peak_bytes, 500);
	group_free(&r);
	dump_free(&d);
	sym_free(s);
}
END_TEST

START_TEST(merge_across_dumps_counts_processes)
{
	struct symbolizer *s = symbolizer();
	const uint64_t other_bias = 0x7e5500000000ull; /* the "second process" */
	struct dbuf b;
	struct dump d[2];
	struct report r;

	setup_paths();
	for (int i = 0; i < 2; i++) {
		uint64_t bias = i == 0 ? exe_bias : other_bias;

		begin(&b, 200 + i, bias);
		add_module(&b, 0x10000000ull * (i + 1), 0x100000, "/nonexistent/libfoo.so");
		put(&b, "stack 1 2 %llx %llx\n", (unsigned long long)(bias + off_of(leaf_a, 1)),
		    (unsigned long long)(bias + off_of(caller_c, 1)));
		/* unknown module: grouped by module + offset, not address */
		put(&b, "stack 2 1 %llx\n", (unsigned long long)(0x10000000ull * (i + 1) + 0x1234));
		put(&b, "stack 3 1 %llx\n", (unsigned long long)(bias + off_of(leaf_b, 1)));
		b.nstack = 3;
		if (i == 0) {
			put(&b, "rec 0 definite 1 8\nrec 1 definite 2 20\nrec 2 indirect 1 7\n");
			b.nrec = 3;
		} else {
			put(&b,
			    "rec 0 definite 1 8\nrec 1 definite 3 30\nrec 2 indirect 4 28\n"
			    "rec 3 possible 1 1\n");
			b.nrec = 4;
		}
		b.nmod = 2;
		finish(&b, &d[i], 5 + i, 100 * (i + 1));
	}
	build(&r, s, d, 2);

	ck_assert_uint_eq(r.nleaks, 4);
	ck_assert_uint_eq(r.leaks[0].bytes, 50); /* leaf_a, both */
	ck_assert_uint_eq(r.leaks[0].blocks, 5);
	ck_assert_uint_eq(r.leaks[0].npoints, 2);
	ck_assert_str_eq(r.leaks[0].frames[0].function, "leaf_a");
	ck_assert_uint_eq(r.leaks[0].frames[0].pc, exe_bias + off_of(leaf_a, 1));
	ck_assert_uint_eq(r.leaks[1].bytes, 35); /* libfoo+0x1234 */
	ck_assert_int_eq(r.leaks[1].cls, CLASS_INDIRECT);
	ck_assert_uint_eq(r.leaks[1].npoints, 2);
	ck_assert_ptr_null(r.leaks[1].frames[0].function);
	ck_assert_str_eq(r.leaks[1].frames[0].module, "libfoo.so");
	ck_assert_uint_eq(r.leaks[1].frames[0].offset, 0x1234);
	ck_assert_uint_eq(r.leaks[2].bytes, 16); /* no stack, both */
	ck_assert_uint_eq(r.leaks[2].nframes, 0);
	ck_assert_uint_eq(r.leaks[2].npoints, 2);
	ck_assert_uint_eq(r.leaks[3].bytes, 1); /* leaf_b, second only */
	ck_assert_uint_eq(r.leaks[3].npoints, 1);
	/* each dump's share, in dump order */
	ck_assert_uint_eq(r.leaks[0].points[0].dump, 0);
	ck_assert_uint_eq(r.leaks[0].points[0].blocks, 2);
	ck_assert_uint_eq(r.leaks[0].points[1].dump, 1);
	ck_assert_uint_eq(r.leaks[0].points[1].bytes, 30);
	ck_assert_uint_eq(r.leaks[3].points[0].dump, 1);
	/* one executable: one name */
	ck_assert_uint_eq(r.nexes, 1);
	ck_assert_uint_eq(r.leaks[0].nexes, 1);
	ck_assert_str_eq(r.leaks[0].exes[0], strrchr(exe_path, '/') + 1);
	ck_assert_uint_eq(r.total_allocs, 11);
	ck_assert_uint_eq(r.peak_bytes, 200);
	group_free(&r);
	dump_free(&d[0]);
	dump_free(&d[1]);
	sym_free(s);
}
END_TEST

START_TEST(allocator_frames_are_dropped)
{
	struct symbolizer *s = symbolizer();
	const uint64_t leak_lib = 0x20000000ull;
	struct dbuf b;
	struct dump d;
	struct report r;
	uint64_t malloc_pc;

	setup_paths();
	malloc_pc = (uint64_t)(uintptr_t)&malloc + 1;
	begin(&b, 300, exe_bias);
	add_module(&b, leak_lib, 0x10000, "/nonexistent/build/libleak.so");
	add_module(&b, libc_bias, 0x1000000, libc_path);
	b.nmod = 3;
	/* libleak.so, then libc's malloc, then the caller */
	put(&b, "stack 1 4 %llx %llx %llx %llx\n", (unsigned long long)(leak_lib + 0x100),
	    (unsigned long long)malloc_pc, (unsigned long long)(exe_bias + off_of(leaf_a, 1)),
	    (unsigned long long)(exe_bias + off_of(caller_c, 1)));
	/* the same without the allocator frames: the same record */
	put(&b, "stack 2 2 %llx %llx\n", (unsigned long long)(exe_bias + off_of(leaf_a, 1)),
	    (unsigned long long)(exe_bias + off_of(caller_c, 1)));
	/* allocator frames only lead: malloc in the middle stays */
	put(&b, "stack 3 3 %llx %llx %llx\n", (unsigned long long)(exe_bias + off_of(leaf_b, 1)),
	    (unsigned long long)malloc_pc, (unsigned long long)(exe_bias + off_of(caller_c, 1)));
	put(&b, "rec 1 definite 1 10\nrec 2 definite 1 10\nrec 3 definite 1 5\n");
	b.nstack = 3;
	b.nrec = 3;
	finish(&b, &d, 1, 1);
	build(&r, s, &d, 1);

	ck_assert_uint_eq(r.nleaks, 2);
	ck_assert_uint_eq(r.leaks[0].bytes, 20);
	ck_assert_uint_eq(r.leaks[0].nframes, 2);
	ck_assert_str_eq(r.leaks[0].frames[0].function, "leaf_a");
	ck_assert_uint_eq(r.leaks[1].nframes, 3);
	ck_assert_str_eq(r.leaks[1].frames[0].function, "leaf_b");
	ck_assert(group_is_alloc_frame(&r.leaks[1].frames[1]));
	group_free(&r);
	dump_free(&d);
	sym_free(s);
}
END_TEST

START_TEST(alloc_frame_names)
{
	static const char *const yes[] = {
		"malloc",
		"calloc",
		"realloc",
		"free",
		"posix_memalign",
		"aligned_alloc",
		"__libc_malloc",
		"__GI___libc_malloc",
		"__GI___libc_free",
		"operator new(unsigned long)",
		"operator new[](unsigned long)",
		"operator new(unsigned long, std::nothrow_t const&)",
		"operator delete(void*)",
		"_Znwm",
		"_ZnamRKSt9nothrow_t",
	};
	static const char *const no[] = {
		"malloc_wrapper",
		"xmalloc",
		"my_free",
		"operator newline()",
		"main",
		"strdup",
	};
	struct sym_frame f = { .module = "app" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		f.function = yes[i];
		ck_assert_msg(group_is_alloc_frame(&f), "%s", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		f.function = no[i];
		ck_assert_msg(!group_is_alloc_frame(&f), "%s", no[i]);
	}
	f.function = NULL;
	ck_assert(!group_is_alloc_frame(&f));
	f.module = "libleak.so";
	ck_assert(group_is_alloc_frame(&f));
}
END_TEST

/* Four records with one frame each in an unknown module, so that only
 * their amounts and kinds differ. */
static void
sort_fixture(struct symbolizer *s, struct dump *d, struct report *r)
{
	struct dbuf b;

	setup_paths();
	begin(&b, 400, exe_bias);
	add_module(&b, 0x30000000ull, 0x100000, "/nonexistent/libbar.so");
	b.nmod = 2;
	for (int i = 1; i <= 5; i++)
		put(&b, "stack %d 1 %llx\n", i, (unsigned long long)(0x30000000ull + 0x100 * i));
	put(&b,
	    "rec 1 definite 1 100\nrec 2 definite 5 100\nrec 3 reachable 1 200\n"
	    "rec 4 indirect 1 100\nrec 5 possible 2 7\nrec 4 definite 1 100\n");
	b.nstack = 5;
	b.nrec = 6;
	finish(&b, d, 1, 1);
	build(r, s, d, 1);
}

START_TEST(sort_by_bytes_then_blocks_then_key)
{
	struct symbolizer *s = symbolizer();
	struct dump d;
	struct report r;

	sort_fixture(s, &d, &r);
	ck_assert_uint_eq(r.nleaks, 6);
	ck_assert_uint_eq(r.leaks[0].bytes, 200);
	ck_assert_uint_eq(r.leaks[1].blocks, 5);
	/* 100 bytes in 1 block three times: definite before indirect, then by
	 * offset within the definite ones */
	ck_assert_int_eq(r.leaks[2].cls, CLASS_DEFINITE);
	ck_assert_uint_eq(r.leaks[2].frames[0].offset, 0x100);
	ck_assert_int_eq(r.leaks[3].cls, CLASS_DEFINITE);
	ck_assert_uint_eq(r.leaks[3].frames[0].offset, 0x400);
	ck_assert_int_eq(r.leaks[4].cls, CLASS_INDIRECT);
	ck_assert_uint_eq(r.leaks[5].bytes, 7);
	group_free(&r);
	dump_free(&d);
	sym_free(s);
}
END_TEST

START_TEST(select_show_and_top)
{
	struct symbolizer *s = symbolizer();
	struct dump d;
	struct report r;
	struct err e;
	const unsigned leaks = 1u << CLASS_DEFINITE | 1u << CLASS_INDIRECT | 1u << CLASS_POSSIBLE;

	sort_fixture(s, &d, &r);
	ck_assert_int_eq(group_select(&r, leaks, false, 0, &e), 0);
	ck_assert_uint_eq(r.nshown, 5); /* no reachable */
	ck_assert_uint_eq(r.shown[0]->bytes, 100);
	ck_assert_uint_eq(r.shown[0]->blocks, 5);
	ck_assert_uint_eq(r.ncut, 0);
	ck_assert_int_eq(group_select(&r, leaks, true, 2, &e), 0);
	ck_assert_uint_eq(r.nshown, 2);
	ck_assert_uint_eq(r.ncut, 3);
	ck_assert_ptr_eq(r.shown[1], &r.leaks[2]);
	ck_assert_int_eq(group_select(&r, 1u << CLASS_REACHABLE, true, 0, &e), 0);
	ck_assert_uint_eq(r.nshown, 0);
	ck_assert_uint_eq(r.ncut, 1);
	ck_assert_int_eq(group_select(&r, (1u << CLASS_COUNT) - 1, false, 0, &e), 0);
	ck_assert_uint_eq(r.nshown, 6);
	/* the totals count every kind whatever is shown */
	ck_assert_uint_eq(r.cls[CLASS_REACHABLE].bytes, 200);
	ck_assert_uint_eq(r.leaked.records, 5);
	group_free(&r);
	dump_free(&d);
	sym_free(s);
}
END_TEST

/* A dump of three stacks: leaf_a definite 64 bytes, leaf_b definite 2
 * blocks of 32, caller_c indirect 8. */
static void
three_stacks(struct dump *d)
{
	struct dbuf b;

	setup_paths();
	begin(&b, 500, exe_bias);
	put(&b, "stack 1 2 %llx %llx\n", (unsigned long long)(exe_bias + off_of(leaf_a, 1)),
	    (unsigned long long)(exe_bias + off_of(caller_c, 1)));
	put(&b, "stack 2 2 %llx %llx\n", (unsigned long long)(exe_bias + off_of(leaf_b, 1)),
	    (unsigned long long)(exe_bias + off_of(caller_c, 1)));
	put(&b, "stack 3 1 %llx\n", (unsigned long long)(exe_bias + off_of(caller_c, 1)));
	put(&b, "rec 1 definite 1 64\nrec 2 definite 2 32\nrec 3 indirect 1 8\n");
	b.nstack = 3;
	b.nrec = 3;
	finish(&b, d, 1, 1);
}

START_TEST(suppressed_and_known_records)
{
	static const char rules[] = "leak:leaf_b\nleak:libbar.so\nleak:never_matches\n";
	struct symbolizer *s = symbolizer();
	struct suppressions *sp = supp_new();
	struct baseline *base = baseline_new();
	struct dump d;
	struct report r;
	struct err e;
	char *key;

	three_stacks(&d);
	ck_assert(sp != NULL && base != NULL);
	ck_assert_msg(supp_parse(sp, "s.supp", rules, strlen(rules), &e) == 0, "%s", e.msg);

	group_init(&r);
	ck_assert(group_build(&r, s, &d, 1, &e) == 0);
	/* the baseline knows caller_c's indirect record */
	key = baseline_key(r.leaks[2].frames, r.leaks[2].nframes);
	ck_assert(key != NULL);
	ck_assert(baseline_add(base, CLASS_INDIRECT, 1, 8, key, &e) == 0);
	ck_assert(baseline_add(base, CLASS_DEFINITE, 1, 1, "gone@x.c", &e) == 0);
	free(key);
	ck_assert(group_finish(&r, sp, base, &e) == 0);
	ck_assert(group_select(&r, 0xf, false, 0, &e) == 0);

	ck_assert_uint_eq(r.suppressed.records, 1);
	ck_assert_uint_eq(r.suppressed.bytes, 32);
	ck_assert_uint_eq(supp_rule(sp, 0)->hits.records, 1);
	ck_assert_uint_eq(supp_rule(sp, 0)->hits.blocks, 2);
	ck_assert_uint_eq(supp_rule(sp, 2)->hits.records, 0);
	ck_assert_uint_eq(r.known.records, 1);
	ck_assert_uint_eq(r.known.bytes, 8);
	ck_assert_uint_eq(baseline_unseen(base), 1);
	ck_assert_uint_eq(r.cls[CLASS_DEFINITE].records, 1); /* suppressed not counted */
	ck_assert_uint_eq(r.cls[CLASS_INDIRECT].records, 1); /* known still counted */
	ck_assert_uint_eq(r.nshown, 2);
	ck_assert_str_eq(r.shown[0]->frames[0].function, "leaf_a");
	ck_assert(!r.shown[0]->known);
	ck_assert(r.shown[1]->known);
	group_free(&r);
	baseline_free(base);
	supp_free(sp);
	dump_free(&d);
	sym_free(s);
}
END_TEST

/* group_finish alone decides what every output lists: the records (--show,
 * --top), every suppression rule (used or not) and the baseline's fixed
 * records. */
START_TEST(finish_decides_what_is_listed)
{
	static const char rules[] = "leak:leaf_b\nleak:never_matches\n";
	struct symbolizer *s = symbolizer();
	struct suppressions *sp = supp_new();
	struct baseline *base = baseline_new();
	struct dump d;
	struct report r;
	struct err e;

	three_stacks(&d);
	ck_assert(sp != NULL && base != NULL);
	ck_assert_msg(supp_parse(sp, "s.supp", rules, strlen(rules), &e) == 0, "%s", e.msg);
	ck_assert(baseline_add(base, CLASS_DEFINITE, 1, 1, "gone@x.c", &e) == 0);
	ck_assert(baseline_add(base, CLASS_REACHABLE, 2, 2, "also_gone@y.c", &e) == 0);
	group_init(&r);
	r.show = CLASS_MASK_ALL;
	r.top_set = true;
	r.top = 1;
	ck_assert(group_build(&r, s, &d, 1, &e) == 0);
	ck_assert(group_finish(&r, sp, base, &e) == 0);
	ck_assert_uint_eq(r.nshown, 1); /* leaf_a; leaf_b suppressed */
	ck_assert_str_eq(r.shown[0]->frames[0].function, "leaf_a");
	ck_assert_uint_eq(r.ncut, 1);   /* caller_c's indirect record */
	ck_assert_uint_eq(r.nrules, 2); /* the unused rule too */
	ck_assert_ptr_eq(r.rules[0], supp_rule(sp, 0));
	ck_assert_ptr_eq(r.rules[1], supp_rule(sp, 1));
	ck_assert_uint_eq(r.rules[0]->hits.records, 1);
	ck_assert_uint_eq(r.rules[1]->hits.records, 0);
	ck_assert(r.baseline);
	ck_assert_uint_eq(r.nfixed, 2); /* in file order */
	ck_assert_str_eq(r.fixed[0]->key, "gone@x.c");
	ck_assert_str_eq(r.fixed[1]->key, "also_gone@y.c");
	group_free(&r);

	/* no rules, no baseline, nothing shown: nothing listed */
	group_init(&r);
	ck_assert(group_build(&r, s, &d, 1, &e) == 0);
	ck_assert(group_finish(&r, NULL, NULL, &e) == 0);
	ck_assert_uint_eq(r.nshown, 0);
	ck_assert_uint_eq(r.ncut, 0);
	ck_assert_uint_eq(r.nrules, 0);
	ck_assert(!r.baseline);
	ck_assert_uint_eq(r.nfixed, 0);
	group_free(&r);
	baseline_free(base);
	supp_free(sp);
	dump_free(&d);
	sym_free(s);
}
END_TEST

/* Records with frames only in an unknown module, libbar.so at 0x30000000
 * (grouped by module and offset): stack i is "0x100 + caller", see below. */
static void
site_fixture(struct dump *d, unsigned pid, const char *exe)
{
	struct dbuf b;

	setup_paths();
	begin(&b, pid, exe_bias);
	b.len = 0;
	put(&b,
	    "libleak-dump 1\npid %u\nppid 1\nexe %s\nargc 1\narg x\n"
	    "time 2.000000\nstart 1.000000\nkind exit\nseq 0\natomic 1\nscan full\n"
	    "depth 32\n",
	    pid, exe);
	b.nmod = 0;
	add_module(&b, 0x30000000ull, 0x100000, "/nonexistent/libbar.so");
	put(&b,
	    "stack 1 2 30000100 30000200\nstack 2 2 30000100 30000300\n"
	    "stack 3 2 30000100 30000400\nstack 4 2 30000500 30000200\n");
	put(&b,
	    "rec 1 definite 1 10\nrec 2 definite 2 30\nrec 3 definite 1 20\n"
	    "rec 4 definite 1 5\nrec 1 reachable 1 8\n");
	b.nstack = 4;
	b.nrec = 5;
	finish(&b, d, 1, 1);
}

static void
build_by(struct report *r, struct symbolizer *s, struct dump *d, size_t n, enum group_by by,
    const char *const *ignore, size_t nignore, struct suppressions *sp)
{
	struct err e;

	group_init(r);
	r->group_by = by;
	r->ignore = ignore;
	r->nignore = nignore;
	ck_assert_msg(group_build(r, s, d, n, &e) == 0, "group_build: %s", e.msg);
	ck_assert_msg(group_finish(r, sp, NULL, &e) == 0, "group_finish: %s", e.msg);
}

START_TEST(group_by_site_merges_and_shows_the_largest)
{
	static const char *const ignore_all[] = { "libbar.so" };
	struct symbolizer *s = symbolizer();
	struct dump d[2];
	struct report r;

	site_fixture(&d[0], 600, "/p/build/test_one");
	site_fixture(&d[1], 601, "/p/build/test_two");
	build_by(&r, s, d, 2, GROUP_STACK, NULL, 0, NULL);
	ck_assert_uint_eq(r.nleaks, 5);
	ck_assert_uint_eq(r.nexes, 2);
	ck_assert_uint_eq(r.leaks[0].nexes, 2);
	ck_assert_str_eq(r.leaks[0].exes[0], "test_one");
	ck_assert_str_eq(r.leaks[0].exes[1], "test_two");
	ck_assert_str_eq(r.leaks[0].key, "?@libbar.so;?@libbar.so");
	group_free(&r);

	/* site 0x100: stacks 1-3 of both dumps, the frames of stack 2 (60 of
	 * its 120 bytes); site 0x500: stack 4; the reachable one apart */
	build_by(&r, s, d, 2, GROUP_SITE, NULL, 0, NULL);
	ck_assert_uint_eq(r.nleaks, 3);
	ck_assert_uint_eq(r.leaks[0].bytes, 120);
	ck_assert_uint_eq(r.leaks[0].blocks, 8);
	ck_assert_uint_eq(r.leaks[0].stacks, 3);
	ck_assert_uint_eq(r.leaks[0].npoints, 2);
	ck_assert_uint_eq(r.leaks[0].points[1].bytes, 60);
	ck_assert_uint_eq(r.leaks[0].frames[1].offset, 0x300);
	ck_assert_uint_eq(r.leaks[0].site, 0);
	ck_assert_str_eq(r.leaks[0].key, "?@libbar.so"); /* the site frame alone */
	ck_assert_int_eq(r.leaks[1].cls, CLASS_REACHABLE);
	ck_assert_uint_eq(r.leaks[1].bytes, 16);
	ck_assert_int_eq(r.leaks[2].cls, CLASS_DEFINITE);
	ck_assert_uint_eq(r.leaks[2].frames[0].offset, 0x500);
	ck_assert_uint_eq(r.cls[CLASS_DEFINITE].bytes, 130);
	ck_assert_uint_eq(r.cls[CLASS_DEFINITE].records, 2);
	group_free(&r);

	/* every frame ignored: the last is the site, so 0x200 joins stacks 1
	 * and 4 */
	build_by(&r, s, d, 2, GROUP_SITE, ignore_all, 1, NULL);
	ck_assert_uint_eq(r.nleaks, 4);
	ck_assert_uint_eq(r.leaks[0].frames[1].offset, 0x300);
	ck_assert_uint_eq(r.leaks[0].stacks, 1);
	ck_assert_uint_eq(r.leaks[1].bytes, 40); /* 0x400 */
	ck_assert_uint_eq(r.leaks[2].bytes, 30); /* 0x200: 10 + 5, twice */
	ck_assert_uint_eq(r.leaks[2].stacks, 2);
	ck_assert_uint_eq(r.leaks[2].site, 1);
	ck_assert_uint_eq(r.leaks[2].frames[0].offset, 0x100); /* stack 1, the larger */
	group_free(&r);

	/* function: unknown functions key by module and offset, as site */
	build_by(&r, s, d, 2, GROUP_FUNCTION, NULL, 0, NULL);
	ck_assert_uint_eq(r.nleaks, 3);
	ck_assert_uint_eq(r.leaks[0].stacks, 3);
	group_free(&r);

	/* exe: one record per kind and program */
	build_by(&r, s, d, 2, GROUP_EXE, NULL, 0, NULL);
	ck_assert_uint_eq(r.nleaks, 4);
	ck_assert_uint_eq(r.leaks[0].bytes, 65);
	ck_assert_uint_eq(r.leaks[0].stacks, 4);
	ck_assert_uint_eq(r.leaks[0].npoints, 1);
	ck_assert_str_eq(r.leaks[0].exe, "/p/build/test_one");
	ck_assert_str_eq(r.leaks[0].key, "?exe:test_one");
	ck_assert_str_eq(r.leaks[1].exe, "/p/build/test_two");
	ck_assert_int_eq(r.leaks[2].cls, CLASS_REACHABLE);
	group_free(&r);
	dump_free(&d[0]);
	dump_free(&d[1]);
	sym_free(s);
}
END_TEST

/* A suppression is decided per stack before the merge: it takes its
 * stack out of the merged record, and the suppressed stacks merge apart. */
START_TEST(group_by_site_suppresses_per_stack)
{
	static const char rules[] = "leak:^/nonexistent/libbar.so$\n";
	struct symbolizer *s = symbolizer();
	struct suppressions *sp = supp_new();
	struct dump d;
	struct report r;
	struct err e;

	site_fixture(&d, 700, "/p/t");
	ck_assert_msg(supp_parse(sp, "s.supp", rules, strlen(rules), &e) == 0, "%s", e.msg);
	build_by(&r, s, &d, 1, GROUP_SITE, NULL, 0, sp);
	/* the rule matches every frame: one suppressed record per site and kind */
	ck_assert_uint_eq(r.suppressed.records, 3);
	ck_assert_uint_eq(supp_rule(sp, 0)->hits.records, 3);
	ck_assert_uint_eq(r.suppressed.bytes, 73);
	ck_assert_ptr_null(r.leaks[0].key);
	group_free(&r);
	dump_free(&d);
	supp_free(sp);
	sym_free(s);
}
END_TEST

static Suite *
group_suite(void)
{
	Suite *s = suite_create("group");
	TCase *tc = tcase_create("core");

#ifndef __SANITIZE_ADDRESS__
	/* These build dumps from this binary's own code and libc's malloc;
	 * under ASan malloc is the sanitizer's and the code is instrumented,
	 * so make check-asan leaves them to make check. */
	tcase_add_test(tc, identical_symbolized_stacks_form_one_record);
	tcase_add_test(tc, merge_across_dumps_counts_processes);
	tcase_add_test(tc, allocator_frames_are_dropped);
#endif
	tcase_add_test(tc, alloc_frame_names);
	tcase_add_test(tc, group_by_site_merges_and_shows_the_largest);
	tcase_add_test(tc, group_by_site_suppresses_per_stack);
	tcase_add_test(tc, sort_by_bytes_then_blocks_then_key);
	tcase_add_test(tc, select_show_and_top);
	tcase_add_test(tc, suppressed_and_known_records);
	tcase_add_test(tc, finish_decides_what_is_listed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(group_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
