/*
 * check_symbolize.c - symbolize.c against real programs.
 *
 * Each fixture (tests/unit/sym_fixture*.c, built by the Makefile into
 * build/tests/) prints its load bias, range and build-id and the return
 * addresses of known call sites with the __LINE__ of each call (and of the
 * call sites of the functions inlined around it). The tests run it, build a
 * struct dump by hand from what it printed, and check what sym_resolve()
 * says: names, files, lines, the inline chain, demangling, the symbol-table
 * fallback, build-id mismatch, missing and hostile files, and speed; and
 * what sym_resolve_data() says of the data addresses the fixture prints
 * (object symbol, offset in it, section).
 * Fixtures are found under $TEST_SRCDIR/build/tests (make unit sets it), or
 * ./build/tests.
 */
#define _GNU_SOURCE
#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "symbolize.h"

#define MAX_SITES 8

struct site_line {
	char tag[32];
	uint64_t pc;
	int line[3]; /* the site's line, then its callers' (0: none) */
};

struct fixture {
	char path[PATH_MAX];
	uint64_t bias;
	uint64_t lo;
	uint64_t hi;
	char buildid[2 * 64 + 1];
	size_t nsites;
	struct site_line sites[MAX_SITES];
	size_t ndata;
	struct {
		char tag[32];
		uint64_t addr; /* run-time address */
	} data[MAX_SITES];     /* the fixture's "data" lines */
};

struct warnings {
	int n;
	char last[8192];
};

static void
on_warn(void *ctx, const char *msg)
{
	struct warnings *w = ctx;

	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

static void
fixture_path(const char *name, char *out, size_t size)
{
	const char *dir = getenv("TEST_SRCDIR");
	const char *build = getenv("TEST_BUILDDIR"); /* make's $(B) */
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/%s/tests/%s", dir != NULL ? dir : ".",
	    build != NULL ? build : "build", name);
	ck_assert_msg(realpath(rel, out) != NULL, "fixture %s missing (make it first)", rel);
	ck_assert(strlen(out) < size);
}

/* Runs $TEST_BUILDDIR/tests/<name> and parses its module and site lines. */
static void
fixture_run(const char *name, struct fixture *f)
{
	char line[512];

	memset(f, 0, sizeof(*f));
	fixture_path(name, f->path, sizeof(f->path));
	FILE *p = popen(f->path, "r");

	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		struct site_line *s = &f->sites[f->nsites];

		if (sscanf(line, "module %lx %lx %lx %128s", &f->bias, &f->lo, &f->hi,
			f->buildid) == 4)
			continue;
		if (strncmp(line, "data ", 5) == 0) {
			ck_assert_uint_lt(f->ndata, MAX_SITES);
			ck_assert_int_eq(sscanf(line, "data %31s %lx", f->data[f->ndata].tag,
					     &f->data[f->ndata].addr),
			    2);
			f->ndata++;
			continue;
		}
		ck_assert_uint_lt(f->nsites, MAX_SITES);
		ck_assert_int_eq(sscanf(line, "site %31s %lx %d %d %d", s->tag, &s->pc, &s->line[0],
				     &s->line[1], &s->line[2]),
		    5);
		f->nsites++;
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_uint_ne(f->hi, 0);
	ck_assert_uint_gt(f->nsites, 0);
}

static const struct site_line *
fixture_site(const struct fixture *f, const char *tag)
{
	for (size_t i = 0; i < f->nsites; i++)
		if (strcmp(f->sites[i].tag, tag) == 0)
			return &f->sites[i];
	ck_abort_msg("no site %s", tag);
	return NULL;
}

/* A dump of one loaded module as the fixture described it; path and
 * build-id may be overridden (NULL: the fixture's). */
static void
dump_of(struct dump *d, struct module *m, const struct fixture *f, const char *path,
    const char *buildid)
{
	memset(d, 0, sizeof(*d));
	memset(m, 0, sizeof(*m));
	m->id = 1;
	m->bias = f->bias;
	m->lo = f->lo;
	m->hi = f->hi;
	m->buildid = (char *)(buildid != NULL ? buildid :
		strcmp(f->buildid, "-") == 0  ? NULL :
						f->buildid);
	m->loaded = true;
	m->path = (char *)(path != NULL ? path : f->path);
	d->modules = m;
	d->nmodules = 1;
}

static struct symbolizer *
new_sym(struct warnings *w)
{
	struct sym_options o = { .debuginfod = false, .warn = on_warn, .warn_ctx = w };
	struct err e;
	struct symbolizer *s = sym_new(&o, &e);

	ck_assert_msg(s != NULL, "%s", e.msg);
	memset(w, 0, sizeof(*w));
	return s;
}

static const struct sym_frame *
resolve(struct symbolizer *s, const struct dump *d, uint64_t pc, size_t *n)
{
	const struct sym_frame *fr = NULL;
	struct err e;

	ck_assert_msg(sym_resolve(s, d, pc, &fr, n, &e) == 0, "%s", e.msg);
	ck_assert_ptr_nonnull(fr);
	ck_assert_uint_ge(*n, 1);
	/* Frames of a module are shared by every pc at that offset (pc 0); the
	 * frame of a pc outside every module carries it. */
	for (size_t i = 0; i < *n; i++)
		ck_assert_uint_eq(fr[i].pc, fr[i].module != NULL ? 0 : pc);
	return fr;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = s != NULL ? strlen(s) : 0;
	size_t b = strlen(suffix);

	return s != NULL && a >= b && strcmp(s + a - b, suffix) == 0;
}

/* One frame, named fn (NULL: no name), at file:line (NULL, 0: unknown). */
static void
assert_frame(const struct sym_frame *fr, const char *fn, const char *file, uint32_t line,
    bool inlined)
{
	if (fn == NULL)
		ck_assert_msg(fr->function == NULL, "function %s", fr->function);
	else
		ck_assert_msg(fr->function != NULL && strcmp(fr->function, fn) == 0,
		    "function %s, want %s", fr->function ? fr->function : "(null)", fn);
	if (file == NULL)
		ck_assert_msg(fr->file == NULL, "file %s", fr->file);
	else
		ck_assert_msg(ends_with(fr->file, file), "file %s, want */%s",
		    fr->file ? fr->file : "(null)", file);
	ck_assert_uint_eq(fr->line, line);
	ck_assert_int_eq(fr->inlined, inlined);
}

static void
assert_module(const struct sym_frame *fr, const struct fixture *f, uint64_t pc)
{
	const char *base = strrchr(f->path, '/') + 1;

	ck_assert_str_eq(fr->module, base);
	ck_assert_str_eq(fr->module_path, f->path);
	ck_assert_uint_eq(fr->offset, pc - f->bias);
}

START_TEST(o0_names_files_lines)
{
	struct fixture f;
	struct dump d;
	struct module m;
	struct warnings w;
	size_t n;

	fixture_run("sym_fixture", &f);
	dump_of(&d, &m, &f, NULL, NULL);
	struct symbolizer *s = new_sym(&w);

	for (int i = 0; i < 2; i++) {
		const struct site_line *site = fixture_site(&f, i == 0 ? "alpha" : "beta");
		const struct sym_frame *fr = resolve(s, &d, site->pc, &n);

		ck_assert_uint_eq(n, 1);
		assert_frame(&fr[0], site->tag, "tests/unit/sym_fixture.c", site->line[0], false);
		assert_module(&fr[0], &f, site->pc);
	}
	ck_assert_int_eq(w.n, 0);
	sym_free(s);
}
END_TEST

START_TEST(o2_inline_chain)
{
	struct fixture f;
	struct dump d;
	struct module m;
	struct warnings w;
	size_t n;

	fixture_run("sym_fixture_inline", &f);
	dump_of(&d, &m, &f, NULL, NULL);
	struct symbolizer *s = new_sym(&w);
	const struct site_line *site = fixture_site(&f, "inline");
	const struct sym_frame *fr = resolve(s, &d, site->pc, &n);

	/* As addr2line -i: deep at its own line, mid at the line that calls
	 * deep, outer at the line that calls mid; only outer is real. */
	ck_assert_uint_eq(n, 3);
	assert_frame(&fr[0], "deep", "tests/unit/sym_fixture_inline.c", site->line[0], true);
	assert_frame(&fr[1], "mid", "tests/unit/sym_fixture_inline.c", site->line[1], true);
	assert_frame(&fr[2], "outer", "tests/unit/sym_fixture_inline.c", site->line[2], false);
	for (size_t i = 0; i < n; i++)
		assert_module(&fr[i], &f, site->pc);
	ck_assert_int_eq(w.n, 0);
	sym_free(s);
}
END_TEST

START_TEST(cxx_method_demangled)
{
	struct fixture f;
	struct dump d;
	struct module m;
	struct warnings w;
	size_t n;

	fixture_run("sym_fixture_cxx", &f);
	dump_of(&d, &m, &f, NULL, NULL);
	struct symbolizer *s = new_sym(&w);
	const struct site_line *site = fixture_site(&f, "make");
	const struct sym_frame *fr = resolve(s, &d, site->pc, &n);

	ck_assert_uint_eq(n, 1);
	assert_frame(&fr[0], "ns::Widget::make(int)", "tests/unit/sym_fixture_cxx.cc",
	    site->line[0], false);
	sym_free(s);
}
END_TEST

START_TEST(symtab_without_dwarf)
{
	struct fixture f;
	struct dump d;
	struct module m;
	struct warnings w;
	size_t n;

	fixture_run("sym_fixture_nodebug", &f);
	dump_of(&d, &m, &f, NULL, NULL);
	struct symbolizer *s = new_sym(&w);

	/* .symtab names static beta too; no file or line without DWARF. */
	for (int i = 0; i < 2; i++) {
		const struct site_line *site = fixture_site(&f, i == 0 ? "alpha" : "beta");
		const struct sym_frame *fr = resolve(s, &d, site->pc, &n);

		ck_assert_uint_eq(n, 1);
		assert_frame(&fr[0], site->tag, NULL, 0, false);
		assert_module(&fr[0], &f, site->pc);
	}
	ck_assert_int_eq(w.n, 0);
	sym_free(s);
}
END_TEST

START_TEST(stripped_dynsym_or_offset)
{
	struct fixture f;
	struct dump d;
	struct module m;
	struct warnings w;
	size_t n;

	fixture_run("sym_fixture_stripped", &f);
	dump_of(&d, &m, &f, NULL, NULL);
	struct symbolizer *s = new_sym(&w);
	const struct site_line *a = fixture_site(&f, "alpha");
	const struct site_line *b = fixture_site(&f, "beta");
	const struct sym_frame *fr = resolve(s, &d, a->pc, &n);

	/* alpha is exported, so .dynsym still names it; static beta is just
	 * module+offset (binutils addr2line wrongly says alpha). */
	ck_assert_uint_eq(n, 1);
	assert_frame(&fr[0], "alpha", NULL, 0, false);
	assert_module(&fr[0], &f, a->pc);
	fr = resolve(s, &d, b->pc, &n);
	ck_assert_uint_eq(n, 1);
	assert_frame(&fr[0], NULL, NULL, 0, false);
	assert_module(&fr[0], &f, b->pc);
	ck_assert_str_eq(fr[0].module, "sym_fixture_stripped");
	ck_assert_int_eq(w.n, 0);
	sym_free(s);
}
END_TEST

START_TEST(debuglink_separate_file)
{
	struct fixture f;
	struct dump d;
	struct module m;
	struct warnings w;
	size_t n;

	fixture_run("sym_fixture_dbglink", &f);
	dump_of(&d, &m, &f, NULL, NULL);
	struct symbolizer *s = new_sym(&w);
	const struct site_line *site = fixture_site(&f, "beta");
	const struct sym_frame *fr = resolve(s, &d, site->pc, &n);

	ck_assert_uint_eq(n, 1);
	assert_frame(&fr[0], "beta", "tests/unit/sym_fixture.c", site->line[0], false);
	ck_assert_str_eq(fr[0].module, "sym_fixture_dbglink");
	sym_free(s);
}
END_TEST

START_TEST(buildid_mismatch_warns_once)
{
	struct fixture f;
	struct dump d;
	struct module m;
	struct warnings w;
	char want[PATH_MAX + 64];
	size_t n;

	fixture_run("sym_fixture", &f);
	dump_of(&d, &m, &f, NULL, "00112233445566778899aabbccddeeff00112233");
	struct symbolizer *s = new_sym(&w);

	for (size_t i = 0; i < f.nsites; i++) {
		const struct sym_frame *fr = resolve(s, &d, f.sites[i].pc, &n);

		ck_assert_uint_eq(n, 1);
		assert_frame(&fr[0], NULL, NULL, 0, false);
		assert_module(&fr[0], &f, f.sites[i].pc);
	}
	ck_assert_int_eq(w.n, 1);
	snprintf(want, sizeof(want), "%s: build-id differs from the one that ran; showing offsets",
	    f.path);
	ck_assert_str_eq(w.last, want);

	/* The right build-id is another module file: symbolized, no warning. */
	struct dump d2;
	struct module m2;

	dump_of(&d2, &m2, &f, NULL, NULL);
	const struct sym_frame *fr = resolve(s, &d2, f.sites[0].pc, &n);

	assert_frame(&fr[0], "alpha", "tests/unit/sym_fixture.c", f.sites[0].line[0], false);
	ck_assert_int_eq(w.n, 1);
	sym_free(s);
}
END_TEST

START_TEST(missing_file_warns_once)
{
	struct fixture f;
	struct dump d;
	struct module m;
	struct warnings w;
	size_t n;

	fixture_run("sym_fixture", &f);
	dump_of(&d, &m, &f, "/nonexistent/dir/libgone.so.1", NULL);
	struct symbolizer *s = new_sym(&w);

	for (size_t i = 0; i < f.nsites; i++) {
		const struct sym_frame *fr = resolve(s, &d, f.sites[i].pc, &n);

		ck_assert_uint_eq(n, 1);
		assert_frame(&fr[0], NULL, NULL, 0, false);
		ck_assert_str_eq(fr[0].module, "libgone.so.1");
		ck_assert_str_eq(fr[0].module_path, "/nonexistent/dir/libgone.so.1");
		ck_assert_uint_eq(fr[0].offset, f.sites[i].pc - f.bias);
	}
	ck_assert_int_eq(w.n, 1);
	ck_assert_str_eq(w.last,
	    "/nonexistent/dir/libgone.so.1: cannot open: "
	    "No such file or directory; showing offsets");
	sym_free(s);
}
END_TEST

static void
write_file(const char *path, const void *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(buf, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

/* The first len bytes of the fixture (len 0: all), for truncated copies. */
static char *
read_prefix(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	static char buf[1 << 20];

	ck_assert_ptr_nonnull(fp);
	*len = fread(buf, 1, sizeof(buf), fp);
	ck_assert_uint_gt(*len, 0);
	fclose(fp);
	return buf;
}

START_TEST(hostile_files)
{
	struct fixture f;
	struct warnings w;
	char dir[] = "/tmp/check_symbolize.XXXXXX";
	char path[7][PATH_MAX];
	size_t len;

	fixture_run("sym_fixture", &f);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	const char *elf = read_prefix(f.path, &len);

	snprintf(path[0], PATH_MAX, "%s", dir); /* a directory */
	snprintf(path[1], PATH_MAX, "%s/text.so", dir);
	write_file(path[1], "this is not an ELF file\n", 24);
	snprintf(path[2], PATH_MAX, "%s/empty.so", dir);
	write_file(path[2], "", 0);
	snprintf(path[3], PATH_MAX, "%s/head.so", dir); /* ELF header, cut */
	write_file(path[3], elf, 40);
	snprintf(path[4], PATH_MAX, "%s/phdrs.so", dir); /* headers, no sections */
	write_file(path[4], elf, 4096);
	snprintf(path[5], PATH_MAX, "%s/half.so", dir);
	write_file(path[5], elf, len / 2);
	snprintf(path[6], PATH_MAX, "%s/fifo.so", dir);
	ck_assert_int_eq(mkfifo(path[6], 0600), 0);

	struct symbolizer *s = new_sym(&w);

	for (int i = 0; i < 7; i++) {
		struct dump d;
		struct module m;
		size_t n;
		int before = w.n;

		/* No build-id claimed: nothing to compare, so the file itself
		 * must be rejected or survive being read. */
		dump_of(&d, &m, &f, path[i], "-");
		m.buildid = NULL;
		for (size_t k = 0; k < f.nsites; k++) {
			const struct sym_frame *fr = resolve(s, &d, f.sites[k].pc, &n);

			ck_assert_uint_eq(n, 1);
			ck_assert_ptr_null(fr[0].file);
			ck_assert_uint_eq(fr[0].offset, f.sites[k].pc - f.bias);
			ck_assert_str_eq(fr[0].module_path, path[i]);
		}
		/* Truncated ELF may open and simply know nothing; the others
		 * must say why, once. */
		if (i <= 3 || i == 6)
			ck_assert_msg(w.n == before + 1, "%s: %d warnings", path[i], w.n - before);
		else
			ck_assert_int_le(w.n, before + 1);
	}
	sym_free(s);
	for (int i = 1; i < 7; i++)
		unlink(path[i]);
	rmdir(dir);
}
END_TEST

START_TEST(pc_outside_modules)
{
	struct fixture f;
	struct dump d;
	struct module m;
	struct warnings w;
	size_t n;

	fixture_run("sym_fixture", &f);
	dump_of(&d, &m, &f, NULL, NULL);
	struct symbolizer *s = new_sym(&w);
	uint64_t pcs[] = { 0, 1, f.lo, f.hi + 1, f.hi + 0x100000, UINT64_MAX };

	for (size_t i = 0; i < sizeof(pcs) / sizeof(pcs[0]); i++) {
		const struct sym_frame *fr = resolve(s, &d, pcs[i], &n);

		ck_assert_uint_eq(n, 1);
		ck_assert_ptr_null(fr[0].module);
		ck_assert_ptr_null(fr[0].function);
	}
	/* pc == hi is a return address whose call is the module's last byte. */
	const struct sym_frame *fr = resolve(s, &d, f.hi, &n);

	ck_assert_str_eq(fr[0].module, "sym_fixture");
	ck_assert_int_eq(w.n, 0);
	sym_free(s);
}
END_TEST

START_TEST(loaded_module_preferred)
{
	struct fixture f;
	struct dump d;
	struct module m[3];
	struct warnings w;
	size_t n;

	fixture_run("sym_fixture", &f);
	dump_of(&d, &m[1], &f, NULL, NULL);
	m[0] = m[1];
	m[0].id = 1;
	m[0].loaded = false;
	m[0].path = "/nonexistent/unloaded.so";
	m[1].id = 2;
	m[2] = m[0];
	m[2].id = 3;
	d.modules = m;
	d.nmodules = 3;
	struct symbolizer *s = new_sym(&w);
	const struct site_line *site = fixture_site(&f, "alpha");
	const struct sym_frame *fr = resolve(s, &d, site->pc, &n);

	assert_frame(&fr[0], "alpha", "tests/unit/sym_fixture.c", site->line[0], false);
	ck_assert_int_eq(w.n, 0);

	/* With only unloaded modules over it, the first unloaded one is used. */
	d.modules = &m[2];
	d.nmodules = 1;
	fr = resolve(s, &d, site->pc, &n);
	ck_assert_str_eq(fr[0].module, "unloaded.so");
	ck_assert_int_eq(w.n, 1);
	sym_free(s);
}
END_TEST

START_TEST(cache_across_dumps)
{
	struct fixture f1;
	struct fixture f2;
	struct dump d1;
	struct dump d2;
	struct module m1;
	struct module m2;
	struct warnings w;
	size_t n1;
	size_t n2;

	fixture_run("sym_fixture_inline", &f1);
	fixture_run("sym_fixture_inline", &f2);
	dump_of(&d1, &m1, &f1, NULL, NULL);
	dump_of(&d2, &m2, &f2, NULL, NULL);
	struct symbolizer *s = new_sym(&w);
	const struct sym_frame *a = resolve(s, &d1, f1.sites[0].pc, &n1);
	const struct sym_frame *b = resolve(s, &d2, f2.sites[0].pc, &n2);
	const struct sym_frame *again = resolve(s, &d1, f1.sites[0].pc, &n1);

	/* Same module file and offset: one symbolization, the very same
	 * frames for both dumps. */
	ck_assert_uint_eq(n1, 3);
	ck_assert_uint_eq(n2, 3);
	ck_assert_ptr_eq(again, a);
	ck_assert_uint_eq(a[0].offset, b[0].offset);
	for (size_t i = 0; i < n1; i++) {
		ck_assert_ptr_eq(a[i].function, b[i].function);
		ck_assert_ptr_eq(a[i].file, b[i].file);
		ck_assert_uint_eq(a[i].line, b[i].line);
	}
	sym_free(s);
}
END_TEST

/* A file named in many ways is one image: 60 spellings (./ and // inside,
 * a symlink) open it once and name the same function. */
START_TEST(spellings_share_one_image)
{
	struct fixture f;
	struct warnings w;
	char dir[PATH_MAX];
	char link[] = "/tmp/check_symbolize_link.XXXXXX";
	const char *slash;
	const char *want = NULL;

	fixture_run("sym_fixture", &f);
	slash = strrchr(f.path, '/');
	ck_assert_ptr_nonnull(slash);
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - f.path), f.path);
	ck_assert_ptr_nonnull(mkdtemp(link));
	struct symbolizer *s = new_sym(&w);

	for (int k = 0; k < 60; k++) {
		char path[PATH_MAX * 2];
		struct dump d;
		struct module m;
		size_t n;
		int len;

		if (k == 59) {
			len = snprintf(path, sizeof(path), "%s/sym", link);
			ck_assert_int_eq(symlink(f.path, path), 0);
		} else {
			len = snprintf(path, sizeof(path), "%s/", dir);
			for (int j = 0; j < k; j++)
				len += snprintf(path + len, sizeof(path) - (size_t)len,
				    j % 3 == 2 ? "/" : "./");
			snprintf(path + len, sizeof(path) - (size_t)len, "%s", slash + 1);
		}
		dump_of(&d, &m, &f, path, NULL);
		const struct sym_frame *fr = resolve(s, &d, f.sites[0].pc, &n);

		ck_assert_ptr_nonnull(fr[n - 1].function);
		if (want == NULL)
			want = fr[n - 1].function;
		ck_assert_str_eq(fr[n - 1].function, want);
		ck_assert_str_eq(fr[0].module_path, path); /* each spelling as given */
	}
	ck_assert_uint_eq(sym_open_images(s), 1);
	ck_assert_int_eq(w.n, 0);
	sym_free(s);
	snprintf(dir, sizeof(dir), "%s/sym", link);
	unlink(dir);
	rmdir(link);
}
END_TEST

/* More module files than may be open at once: every one still symbolizes,
 * the least recently used is closed, and none is opened needlessly. */
START_TEST(open_images_bounded)
{
	struct fixture f;
	struct warnings w;
	struct sym_options o = { .debuginfod = false,
		.warn = on_warn,
		.warn_ctx = &w,
		.max_open = 2 };
	struct err e;
	char dir[] = "/tmp/check_symbolize.XXXXXX";
	char path[6][PATH_MAX];
	size_t len;
	const char *want = NULL;

	fixture_run("sym_fixture", &f);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	const char *elf = read_prefix(f.path, &len);

	for (int i = 0; i < 6; i++) {
		snprintf(path[i], PATH_MAX, "%s/copy%d", dir, i);
		write_file(path[i], elf, len); /* 6 files, 6 identities */
	}
	memset(&w, 0, sizeof(w));
	struct symbolizer *s = sym_new(&o, &e);

	ck_assert_ptr_nonnull(s);
	/* Copy by copy for each site: every copy is closed and opened again
	 * for each new site. */
	for (int round = 0; round < 2; round++) {
		for (size_t k = 0; k < f.nsites; k++) {
			for (int i = 0; i < 6; i++) {
				struct dump d;
				struct module m;
				size_t n;

				dump_of(&d, &m, &f, path[i], NULL);
				const struct sym_frame *fr = resolve(s, &d, f.sites[k].pc, &n);

				ck_assert_ptr_nonnull(fr[n - 1].function);
				if (k == 0 && want == NULL)
					want = fr[n - 1].function;
				if (k == 0)
					ck_assert_str_eq(fr[n - 1].function, want);
				ck_assert_uint_le(sym_open_images(s), 2);
			}
		}
	}
	ck_assert_msg(w.n == 0, "%s", w.last);
	sym_free(s);
	for (int i = 0; i < 6; i++)
		unlink(path[i]);
	rmdir(dir);
}
END_TEST

static uint64_t
fixture_data(const struct fixture *f, const char *tag)
{
	for (size_t i = 0; i < f->ndata; i++)
		if (strcmp(f->data[i].tag, tag) == 0)
			return f->data[i].addr;
	ck_abort_msg("no data %s", tag);
	return 0;
}

static const struct sym_data *
resolve_data(struct symbolizer *s, const struct dump *d, uint32_t id, uint64_t addr)
{
	const struct sym_data *v = NULL;
	struct err e;

	ck_assert_msg(sym_resolve_data(s, d, id, addr, &v, &e) == 0, "%s", e.msg);
	ck_assert_ptr_nonnull(v);
	return v;
}

/* v names fixture f's data at addr: symbol sym (NULL: none) + off, in
 * section sec. */
static void
assert_data(const struct sym_data *v, const struct fixture *f, uint64_t addr, const char *sym,
    uint64_t off, const char *sec)
{
	ck_assert_str_eq(v->module, strrchr(f->path, '/') + 1);
	ck_assert_str_eq(v->module_path, f->path);
	ck_assert_uint_eq(v->offset, addr - f->bias);
	if (sym == NULL) {
		ck_assert_msg(v->symbol == NULL, "symbol %s, want none", v->symbol);
	} else {
		/* gcc names a function-static "name.N" */
		size_t len = strlen(sym);

		ck_assert_msg(v->symbol != NULL && strncmp(v->symbol, sym, len) == 0 &&
			(v->symbol[len] == '\0' || v->symbol[len] == '.'),
		    "symbol %s, want %s", v->symbol ? v->symbol : "(null)", sym);
		ck_assert_uint_eq(v->symbol_offset, off);
	}
	ck_assert_msg(v->section != NULL && strcmp(v->section, sec) == 0, "section %s, want %s",
	    v->section ? v->section : "(null)", sec);
}

START_TEST(data_symbols_and_sections)
{
	struct fixture f;
	struct fixture g;
	struct dump d;
	struct dump d2;
	struct module m;
	struct module m2;
	struct warnings w;

	fixture_run("sym_fixture", &f);
	dump_of(&d, &m, &f, NULL, NULL);
	struct symbolizer *s = new_sym(&w);
	uint64_t table = fixture_data(&f, "table+8");
	const struct sym_data *v = resolve_data(s, &d, 1, table);

	assert_data(v, &f, table, "fixture_table", 8, ".data");
	/* by address when the id is 0 or unknown; cached: the same answer */
	ck_assert_ptr_eq(resolve_data(s, &d, 0, table), v);
	ck_assert_ptr_eq(resolve_data(s, &d, 7, table), v);
	assert_data(resolve_data(s, &d, 1, fixture_data(&f, "counter")), &f,
	    fixture_data(&f, "counter"), "fixture_counter", 0, ".bss");
	assert_data(resolve_data(s, &d, 1, fixture_data(&f, "counter") + 31), &f,
	    fixture_data(&f, "counter") + 31, "fixture_counter", 31, ".bss");
	assert_data(resolve_data(s, &d, 1, fixture_data(&f, "hidden")), &f,
	    fixture_data(&f, "hidden"), "fixture_hidden", 0, ".bss");
	assert_data(resolve_data(s, &d, 1, fixture_data(&f, "calls")), &f,
	    fixture_data(&f, "calls"), "calls", 0, ".bss");
	assert_data(resolve_data(s, &d, 1, fixture_data(&f, "names+8")), &f,
	    fixture_data(&f, "names+8"), "fixture_names", 8, ".data.rel.ro");
	/* code is not data: no object symbol there, but its section */
	assert_data(resolve_data(s, &d, 1, fixture_site(&f, "alpha")->pc - 1), &f,
	    fixture_site(&f, "alpha")->pc - 1, NULL, 0, ".text");
	/* outside every module: nothing but the address */
	v = resolve_data(s, &d, 0, 0x10);
	ck_assert_ptr_null(v->module);
	ck_assert_ptr_null(v->symbol);
	ck_assert_ptr_null(v->section);
	/* another run of the same file (another bias): the same cached answer */
	fixture_run("sym_fixture", &g);
	dump_of(&d2, &m2, &g, NULL, NULL);
	v = resolve_data(s, &d, 1, table);
	ck_assert_ptr_eq(resolve_data(s, &d2, 1, fixture_data(&g, "table+8")), v);
	ck_assert_int_eq(w.n, 0);
	sym_free(s);
}
END_TEST

START_TEST(data_stripped_and_debuglink)
{
	struct fixture f;
	struct dump d;
	struct module m;
	struct warnings w;
	struct symbolizer *s = new_sym(&w);

	/* stripped: no symbol (fixture_table is not in .dynsym), but module,
	 * offset and section */
	fixture_run("sym_fixture_stripped", &f);
	dump_of(&d, &m, &f, NULL, NULL);
	assert_data(resolve_data(s, &d, 1, fixture_data(&f, "table+8")), &f,
	    fixture_data(&f, "table+8"), NULL, 0, ".data");
	assert_data(resolve_data(s, &d, 1, fixture_data(&f, "hidden")), &f,
	    fixture_data(&f, "hidden"), NULL, 0, ".bss");
	/* the .symtab of the separate debug file names it again */
	fixture_run("sym_fixture_dbglink", &f);
	dump_of(&d, &m, &f, NULL, NULL);
	assert_data(resolve_data(s, &d, 1, fixture_data(&f, "table+8")), &f,
	    fixture_data(&f, "table+8"), "fixture_table", 8, ".data");
	/* a file that cannot be opened: module and offset only, one warning */
	dump_of(&d, &m, &f, "/nonexistent/sym_fixture", NULL);
	const struct sym_data *v = resolve_data(s, &d, 1, fixture_data(&f, "hidden"));

	ck_assert_str_eq(v->module, "sym_fixture");
	ck_assert_uint_eq(v->offset, fixture_data(&f, "hidden") - f.bias);
	ck_assert_ptr_null(v->symbol);
	ck_assert_ptr_null(v->section);
	ck_assert_int_eq(w.n, 1);
	sym_free(s);
}
END_TEST

START_TEST(debuginfod_off_by_default)
{
	struct warnings w;
	struct fixture f;
	struct dump d;
	struct module m;
	size_t n;

	/* A server that would hang a connect if libdw tried it. */
	setenv("DEBUGINFOD_URLS", "http://192.0.2.1:8002/", 1);
	struct symbolizer *s = new_sym(&w);

	ck_assert_ptr_null(getenv("DEBUGINFOD_URLS"));
	fixture_run("sym_fixture_stripped", &f);
	dump_of(&d, &m, &f, NULL, NULL);
	const struct sym_frame *fr = resolve(s, &d, fixture_site(&f, "beta")->pc, &n);

	ck_assert_ptr_null(fr[0].function);
	sym_free(s);
}
END_TEST

struct self_mods {
	struct module m[2];  /* this test program, libc */
	uint64_t text_lo[2]; /* executable PT_LOAD, run-time */
	uint64_t text_hi[2];
	char buildid[2][129];
	char path[2][PATH_MAX];
	int n;
};

/* Hex of the NT_GNU_BUILD_ID note among the notes at p, if there is one. */
static bool
note_buildid(const char *p, size_t len, char *hex)
{
	const char *end = p + len;

	while (p + sizeof(ElfW(Nhdr)) <= end) {
		const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
		const char *name = (const char *)(nh + 1);
		const unsigned char *desc =
		    (const unsigned char *)name + ((nh->n_namesz + 3) & ~3u);

		if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
		    memcmp(name, "GNU", 4) == 0 && nh->n_descsz <= 64) {
			for (unsigned j = 0; j < nh->n_descsz; j++)
				sprintf(hex + 2 * j, "%02x", desc[j]);
			return true;
		}
		p = (const char *)desc + ((nh->n_descsz + 3) & ~3u);
	}
	return false;
}

static int
self_module(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct self_mods *sm = arg;
	int i = sm->n;

	(void)size;
	if (i > 0 && strstr(info->dlpi_name, "/libc.so") == NULL)
		return 0;
	if (i == 0)
		ck_assert_ptr_nonnull(realpath("/proc/self/exe", sm->path[0]));
	else
		ck_assert_ptr_nonnull(realpath(info->dlpi_name, sm->path[1]));
	struct module *m = &sm->m[i];

	m->id = i + 1;
	m->bias = info->dlpi_addr;
	m->lo = UINT64_MAX;
	m->loaded = true;
	m->path = sm->path[i];
	for (int k = 0; k < info->dlpi_phnum; k++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[k];
		uint64_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_NOTE && m->buildid == NULL &&
		    note_buildid((const char *)lo, ph->p_memsz, sm->buildid[i]))
			m->buildid = sm->buildid[i];
		if (ph->p_type != PT_LOAD)
			continue;
		if (lo < m->lo)
			m->lo = lo;
		if (lo + ph->p_memsz > m->hi)
			m->hi = lo + ph->p_memsz;
		if (ph->p_flags & PF_X) {
			sm->text_lo[i] = lo;
			sm->text_hi[i] = lo + ph->p_memsz;
		}
	}
	sm->n++;
	return sm->n == 2;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Symbolizes 1,000 stacks x 32 frames drawn from `distinct` addresses in
 * this program (DWARF) and libc (symbol table); returns seconds. */
static double
time_stacks(size_t distinct, unsigned seed)
{
	struct self_mods sm;
	struct dump d;
	struct warnings w;
	uint64_t *pool = calloc(distinct, sizeof(*pool));

	memset(&sm, 0, sizeof(sm));
	dl_iterate_phdr(self_module, &sm);
	ck_assert_int_eq(sm.n, 2);
	memset(&d, 0, sizeof(d));
	d.modules = sm.m;
	d.nmodules = 2;
	srand(seed);
	for (size_t i = 0; i < distinct; i++) {
		int k = i % 2;
		uint64_t span = sm.text_hi[k] - sm.text_lo[k];

		pool[i] = sm.text_lo[k] + 1 + ((uint64_t)rand() * RAND_MAX + rand()) % (span - 1);
	}
	uint64_t *pcs = calloc(32000, sizeof(*pcs));

	for (size_t i = 0; i < 32000; i++)
		pcs[i] = pool[(size_t)rand() % distinct];
	struct symbolizer *s = new_sym(&w);
	size_t named = 0;
	size_t bad = 0;
	double t0 = now();

	/* No ck_assert in the timed loop: each one costs check a write(). */
	for (size_t i = 0; i < 32000; i++) {
		const struct sym_frame *fr;
		size_t n;
		struct err e;

		if (sym_resolve(s, &d, pcs[i], &fr, &n, &e) != 0 || n == 0 ||
		    fr[0].module == NULL || fr[0].pc != 0)
			bad++;
		else
			named += fr[n - 1].function != NULL;
	}
	double t = now() - t0;

	ck_assert_msg(bad == 0, "seed %u: %zu pcs failed", seed, bad);
	ck_assert_msg(w.n == 0, "seed %u: %s", seed, w.last);
	free(pcs);
	ck_assert_msg(named > 32000 * 9 / 10, "seed %u: only %zu of 32000 named", seed, named);
	sym_free(s);
	free(pool);
	return t;
}

START_TEST(many_stacks)
{
	/* Leak stacks share most frames: 32,000 pcs, 2,000 distinct. */
	double t = time_stacks(2000, 12345);

	/* Figures, not gates: speed targets live in make bench (the tcase
	 * timeout still catches a lookup that never ends). */
	fprintf(stderr, "check_symbolize: 1000 stacks x 32 frames (2000 distinct pcs): %.3f s\n",
	    t);
	/* Worst case, every pc new: each costs a real DWARF lookup. */
	t = time_stacks(32000, 777);
	fprintf(stderr, "check_symbolize: 1000 stacks x 32 frames (all distinct): %.3f s\n", t);
}
END_TEST

static Suite *
symbolize_suite(void)
{
	Suite *s = suite_create("symbolize");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, o0_names_files_lines);
	tcase_add_test(tc, o2_inline_chain);
	tcase_add_test(tc, cxx_method_demangled);
	tcase_add_test(tc, symtab_without_dwarf);
	tcase_add_test(tc, stripped_dynsym_or_offset);
	tcase_add_test(tc, debuglink_separate_file);
	tcase_add_test(tc, buildid_mismatch_warns_once);
	tcase_add_test(tc, missing_file_warns_once);
	tcase_add_test(tc, hostile_files);
	tcase_add_test(tc, pc_outside_modules);
	tcase_add_test(tc, loaded_module_preferred);
	tcase_add_test(tc, cache_across_dumps);
	tcase_add_test(tc, spellings_share_one_image);
	tcase_add_test(tc, open_images_bounded);
	tcase_add_test(tc, data_symbols_and_sections);
	tcase_add_test(tc, data_stripped_and_debuglink);
	tcase_add_test(tc, debuginfod_off_by_default);
	tcase_add_test(tc, many_stacks);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(symbolize_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);

	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
