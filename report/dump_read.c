/*
 * dump_read.c - a dump file (docs/dump-format.md, version 2, or 1) -> struct dump.
 *
 * main.c calls dump_read() on each dump named on the command line; the unit
 * tests and the fuzzer call dump_parse() on a buffer. The reader is strict:
 * every line is split into fields once (tokenize), and one function per
 * record checks its field count and the syntax and range of every field.
 * Anything docs/dump-format.md does not allow is an error that names the
 * file and the line: "<path>:<line>: <what>". Errors about the file itself
 * (open, read, empty, directory, too large) have no line: "<path>: <what>";
 * readfile.c reads it (any file but a directory, at most 1 GiB).
 *
 * On success the model holds what model.h promises: module and stack ids
 * unique and ascending, every rec names an existing stack (or 0), each
 * (stack, class) pair once, blocks >= 1, all stats, and end counts that
 * match. On failure *d is left zeroed, with nothing allocated. On success
 * the modules are also flattened for lookup by address (modmap.c).
 *
 * Memory is bounded by the input: no count read from the file sizes an
 * allocation. Arrays grow geometrically as records actually arrive, and a
 * string is allocated only after its escaped bytes were counted, so the
 * total is a small multiple of the bytes present. Time is linear in the
 * input: each byte is looked at a bounded number of times, and a rec finds
 * its stack by binary search in the (ascending) stack array.
 *
 * No global state: separate dumps may be parsed on separate threads.
 *
 * Size: over the usual ~500 lines because the format is one grammar: every
 * record's parser shares the tokenizer, the field parsers and the parser
 * state that the checks across records need (ids ascending, each (stack,
 * class) once, a heur or retain line only for a stack with the right rec,
 * the end line's counts). Reading the file is readfile.c's, the module
 * lookup modmap.c's.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_read.h"
#include "dumpfmt.h"
#include "modmap.h"
#include "readfile.h"

#define READ_MAX_FILE   ((size_t)1 << 30)    /* largest dump accepted: 1 GiB */
#define LINE_MAX_FIELDS (3 + DUMP_MAX_DEPTH) /* "stack <id> <n>" and n pcs */
#define FIELD_SHOWN     40                   /* most bytes of a field quoted in a message */

/* One field of the current line: points into the input, not NUL-terminated. */
struct field {
	const char *s;
	size_t n; /* >= 1: the tokenizer rejects empty fields */
};

struct parser {
	const char *name; /* for messages */
	const char *p;    /* first byte of the next line */
	const char *end;  /* one past the last input byte */
	size_t lineno;    /* 1-based number of the current line */
	struct field f[LINE_MAX_FIELDS];
	size_t nf; /* fields in the current line, 1..LINE_MAX_FIELDS */
	struct dump *d;
	struct err *e;
	size_t cap_argv; /* allocated entries of d->argv, >= d->argc */
	size_t cap_modules;
	size_t cap_stacks;
	size_t cap_recs;
	size_t cap_heurs;
	size_t cap_res;
	unsigned char *seen; /* [0] for stack id 0, [i + 1] for d->stacks[i]:
				       * one bit per class already used in a rec */
	size_t *reach_rec;   /* same slots: 1 + index of its reachable rec, or 0 */
	size_t nretains;     /* retain lines read */
	size_t retain_cap;   /* allocated entries of d->retains */
	int64_t last_retain; /* stack id of the previous retain line, -1 before */
	unsigned version;    /* of the magic line */
	size_t *lost_rec;    /* 2 per slot: 1 + index of its definite, indirect rec */
	size_t cap_suppress;
	size_t cap_owns;
	size_t nnotes;                /* heur, suppress, seen and own lines read */
	int64_t last_seen;            /* stack id * 2 + class of the previous seen line */
	uint64_t pcs[DUMP_MAX_DEPTH]; /* the current stack line's pcs */
};

/* Field text for "%.*s", cut to FIELD_SHOWN bytes. */
#define SHOW(fp) (int)((fp)->n < FIELD_SHOWN ? (fp)->n : FIELD_SHOWN), (fp)->s

static const struct {
	const char *name;
	size_t offset; /* into struct dump_stats */
} stat_fields[] = {
#define STAT_FIELD(name, what) { #name, offsetof(struct dump_stats, name) },
	DUMP_STATS(STAT_FIELD)
#undef STAT_FIELD
};

#define NSTATS (sizeof(stat_fields) / sizeof(stat_fields[0]))

/* Fills e with "<name>:<line>: <what>"; returns -1. Does not allocate. */
static int fail(struct parser *pa, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct parser *pa, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return err_set(pa->e, "%s:%zu: %s", pa->name, pa->lineno, what);
}

static bool
field_is(const struct field *f, const char *s)
{
	size_t n = strlen(s);

	return f->n == n && memcmp(f->s, s, n) == 0;
}

/*
 * Splits the line [s, nl) into pa->f. Fields are separated by exactly one
 * space and hold only bytes 0x21..0x7e. 1, or -1 with the error set.
 */
static int
tokenize(struct parser *pa, const char *s, const char *nl)
{
	const char *start = s;

	pa->nf = 0;
	for (const char *c = s;; c++) {
		if (c == nl || *c == ' ') {
			if (c == start) {
				if (c == s && c == nl)
					return fail(pa, "empty line");
				return fail(pa,
				    "empty field at column %zu (fields are separated "
				    "by one space)",
				    (size_t)(c - s) + 1);
			}
			if (pa->nf == LINE_MAX_FIELDS)
				return fail(pa, "too many fields (more than %d)", LINE_MAX_FIELDS);
			pa->f[pa->nf].s = start;
			pa->f[pa->nf].n = (size_t)(c - start);
			pa->nf++;
			if (c == nl)
				return 1;
			start = c + 1;
		} else if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e) {
			return fail(pa, "invalid byte 0x%02x at column %zu", (unsigned char)*c,
			    (size_t)(c - s) + 1);
		}
	}
}

/* Reads and splits the next line. 1, 0 at the end of the input, -1 on error. */
static int
next_line(struct parser *pa)
{
	const char *s = pa->p;
	const char *nl;

	if (s == pa->end)
		return 0;
	pa->lineno++;
	nl = memchr(s, '\n', (size_t)(pa->end - s));
	if (nl == NULL)
		return fail(pa, "last line has no newline (truncated dump)");
	pa->p = nl + 1;
	return tokenize(pa, s, nl);
}

/* Error for a dump that ends where a `tag` line should be. Returns -1. */
static int
fail_eof(struct parser *pa, const char *tag)
{
	pa->lineno++;
	return fail(pa, "unexpected end of file, expected '%s' (truncated dump)", tag);
}

/* Reads the next line, which must be `tag` with nf fields in all. 0 or -1. */
static int
expect(struct parser *pa, const char *tag, size_t nf)
{
	int r = next_line(pa);

	if (r < 0)
		return -1;
	if (r == 0)
		return fail_eof(pa, tag);
	if (!field_is(&pa->f[0], tag))
		return fail(pa, "expected '%s', found '%.*s'", tag, SHOW(&pa->f[0]));
	if (pa->nf != nf)
		return fail(pa, "'%s' line has %zu fields, expected %zu", tag, pa->nf, nf);
	return 0;
}

/*
 * Decimal count: digits only, no leading zero (except "0"), at most max.
 * 0, or -1 naming `what`.
 */
static int
parse_dec(struct parser *pa, const struct field *f, uint64_t max, const char *what, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < f->n; i++) {
		unsigned d = (unsigned char)f->s[i] - '0';

		if (d > 9)
			return fail(pa, "%s '%.*s' is not a decimal number", what, SHOW(f));
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v))
			return fail(pa, "%s '%.*s' does not fit in 64 bits", what, SHOW(f));
	}
	if (f->s[0] == '0' && f->n > 1)
		return fail(pa, "%s '%.*s' has a leading zero", what, SHOW(f));
	if (v > max)
		return fail(pa, "%s %llu out of range (most %llu)", what, (unsigned long long)v,
		    (unsigned long long)max);
	*out = v;
	return 0;
}

/* Address: 1..16 lower-case hex digits, no leading zero (except "0"). 0 or -1. */
static int
parse_hex(struct parser *pa, const struct field *f, const char *what, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < f->n; i++) {
		unsigned char c = (unsigned char)f->s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return fail(pa, "%s '%.*s' is not lower-case hex", what, SHOW(f));
		if (i == 16)
			return fail(pa, "%s '%.*s' has more than 16 hex digits", what, SHOW(f));
		v = v << 4 | d;
	}
	if (f->s[0] == '0' && f->n > 1)
		return fail(pa, "%s '%.*s' has a leading zero", what, SHOW(f));
	*out = v;
	return 0;
}

static int
hex_upper(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Escaped string -> new NUL-terminated string in *out: "%XX" (upper-case
 * hex, not %00) is one byte, any other byte stands for itself; the whole
 * field "%00" is the empty string; at most
 * DUMP_MAX_STR bytes result. Allocates; 0, or -1 with nothing allocated.
 */
static int
unescape(struct parser *pa, const struct field *f, const char *what, char **out)
{
	size_t n = 0;
	char *s;

	if (f->n == 3 && memcmp(f->s, "%00", 3) == 0) {
		s = malloc(1); /* the whole field "%00": the empty string */
		if (s == NULL)
			return fail(pa, "out of memory");
		s[0] = '\0';
		*out = s;
		return 0;
	}
	for (size_t i = 0; i < f->n; i++, n++) {
		if (f->s[i] != '%')
			continue;
		if (i + 2 >= f->n || hex_upper(f->s[i + 1]) < 0 || hex_upper(f->s[i + 2]) < 0)
			return fail(pa,
			    "%s has a bad escape at byte %zu (want %%XX, "
			    "upper-case hex)",
			    what, i + 1);
		if (f->s[i + 1] == '0' && f->s[i + 2] == '0')
			return fail(pa, "%s has an escaped NUL (%%00) at byte %zu", what, i + 1);
		i += 2;
	}
	if (n > DUMP_MAX_STR)
		return fail(pa, "%s is longer than %d bytes", what, DUMP_MAX_STR);
	s = malloc(n + 1);
	if (s == NULL)
		return fail(pa, "out of memory");
	n = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (f->s[i] == '%') {
			s[n++] = (char)(hex_upper(f->s[i + 1]) << 4 | hex_upper(f->s[i + 2]));
			i += 2;
		} else {
			s[n++] = f->s[i];
		}
	}
	s[n] = '\0';
	*out = s;
	return 0;
}

/*
 * Makes room for one more element in *arr (n in use, *cap allocated),
 * doubling. 0, or -1 with the error set and *arr unchanged.
 */
static int
grow(struct parser *pa, void **arr, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	size_t bytes;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if (__builtin_mul_overflow(ncap, elem, &bytes))
		return fail(pa, "out of memory");
	p = realloc(*arr, bytes);
	if (p == NULL)
		return fail(pa, "out of memory");
	*arr = p;
	*cap = ncap;
	return 0;
}

/* "<sec>.<usec>": decimal seconds, '.', exactly six digits. 0 or -1. */
static int
parse_time(struct parser *pa, const struct field *f, uint64_t *sec, uint32_t *usec)
{
	const char *dot = memchr(f->s, '.', f->n);
	struct field whole;
	uint32_t u = 0;

	if (dot == NULL || dot == f->s || (size_t)(f->s + f->n - dot) != 7)
		return fail(pa, "%.*s '%.*s' is not <seconds>.<6-digit microseconds>",
		    SHOW(&pa->f[0]), SHOW(f));
	for (int i = 1; i <= 6; i++) {
		unsigned d = (unsigned char)dot[i] - '0';

		if (d > 9)
			return fail(pa, "%.*s '%.*s' has a bad microseconds part", SHOW(&pa->f[0]),
			    SHOW(f));
		u = u * 10 + d;
	}
	whole.s = f->s;
	whole.n = (size_t)(dot - f->s);
	if (parse_dec(pa, &whole, UINT64_MAX, "seconds", sec) < 0)
		return -1;
	*usec = u;
	return 0;
}

/* Returns the index of the word f in words[n], or -1. */
static int
pick(const struct field *f, const char *const *words, int n)
{
	for (int i = 0; i < n; i++)
		if (field_is(f, words[i]))
			return i;
	return -1;
}

/* Reads a header line "<tag> <word>" with word one of words[n]; *out its index. */
static int
parse_word(struct parser *pa, const char *tag, const char *const *words, int n, int *out)
{
	if (expect(pa, tag, 2) < 0)
		return -1;
	*out = pick(&pa->f[1], words, n);
	if (*out < 0)
		return fail(pa, "bad %s '%.*s'", tag, SHOW(&pa->f[1]));
	return 0;
}

/* Reads a header line "<tag> <count>" with the count at most max. */
static int
parse_count_line(struct parser *pa, const char *tag, uint64_t max, uint64_t *out)
{
	if (expect(pa, tag, 2) < 0)
		return -1;
	return parse_dec(pa, &pa->f[1], max, tag, out);
}

static int
parse_magic(struct parser *pa)
{
	uint64_t v;
	int r = next_line(pa);

	if (r < 0)
		return -1;
	if (pa->nf != 2 || !field_is(&pa->f[0], DUMP_MAGIC))
		return fail(pa, "not a libleak dump (the first line must be '%s %d')", DUMP_MAGIC,
		    DUMP_VERSION);
	if (parse_dec(pa, &pa->f[1], UINT64_MAX, "version", &v) < 0)
		return -1;
	if (v < DUMP_VERSION_MIN || v > DUMP_VERSION)
		return fail(pa,
		    "unsupported dump version %llu (this leakreport reads versions %d to %d)",
		    (unsigned long long)v, DUMP_VERSION_MIN, DUMP_VERSION);
	pa->version = (unsigned)v;
	pa->d->version = (uint32_t)v;
	return 0;
}

/* argc line and its arg lines. */
static int
parse_args(struct parser *pa)
{
	struct dump *d = pa->d;
	uint64_t argc;

	if (parse_count_line(pa, DUMP_TAG_ARGC, UINT64_MAX, &argc) < 0)
		return -1;
	/* argv grows as arg lines arrive: argc itself sizes nothing. */
	while (d->argc < argc) {
		if (expect(pa, DUMP_TAG_ARG, 2) < 0)
			return -1;
		if (grow(pa, (void **)&d->argv, &pa->cap_argv, d->argc, sizeof(*d->argv)) < 0)
			return -1;
		if (unescape(pa, &pa->f[1], "arg", &d->argv[d->argc]) < 0)
			return -1;
		d->argc++;
	}
	return 0;
}

/* Everything from the magic line to the depth line. */
static int
parse_header(struct parser *pa)
{
	static const char *const kinds[] = { DUMP_KIND_EXIT, DUMP_KIND_SNAPSHOT, DUMP_KIND_CHECK };
	static const char *const scans[] = { DUMP_SCAN_NONE, DUMP_SCAN_FULL };
	static const char *const bools[] = { "0", "1" };
	struct dump *d = pa->d;
	uint64_t v;
	int w;

	if (parse_magic(pa) < 0 || parse_count_line(pa, DUMP_TAG_PID, UINT64_MAX, &d->pid) < 0 ||
	    parse_count_line(pa, DUMP_TAG_PPID, UINT64_MAX, &d->ppid) < 0 ||
	    expect(pa, DUMP_TAG_EXE, 2) < 0 || unescape(pa, &pa->f[1], "exe", &d->exe) < 0 ||
	    parse_args(pa) < 0)
		return -1;
	if (expect(pa, DUMP_TAG_TIME, 2) < 0 ||
	    parse_time(pa, &pa->f[1], &d->time_sec, &d->time_usec) < 0 ||
	    expect(pa, DUMP_TAG_START, 2) < 0 ||
	    parse_time(pa, &pa->f[1], &d->start_sec, &d->start_usec) < 0)
		return -1;
	if (parse_word(pa, DUMP_TAG_KIND, kinds, pa->version >= 2 ? 3 : 2, &w) < 0)
		return -1;
	d->snapshot = w == 1;
	d->check = w == 2;
	if (parse_count_line(pa, DUMP_TAG_SEQ, UINT64_MAX, &d->seq) < 0)
		return -1;
	/* The exit dump is seq 0; snapshots and checks count from 1. */
	if ((w != 0) == (d->seq == 0))
		return fail(pa, "seq %llu does not fit kind %s", (unsigned long long)d->seq,
		    kinds[w]);
	if (parse_word(pa, DUMP_TAG_ATOMIC, bools, 2, &w) < 0)
		return -1;
	d->atomic = w == 1;
	if (parse_word(pa, DUMP_TAG_SCAN, scans, 2, &w) < 0)
		return -1;
	d->scanned = w == 1;
	if (parse_count_line(pa, DUMP_TAG_DEPTH, DUMP_MAX_DEPTH, &v) < 0)
		return -1;
	if (v == 0)
		return fail(pa, "depth 0 out of range (1..%d)", DUMP_MAX_DEPTH);
	d->depth = (uint32_t)v;
	return 0;
}

/* suppress <str>: the program's own rules, zero or more after depth
 * (version 2). Reads ahead: 1 when the current line is one (and it was
 * taken), 0 when it is not (left for the body). */
static int
parse_suppress(struct parser *pa)
{
	struct dump *d = pa->d;

	if (pa->nf != 2)
		return fail(pa, "'suppress' line has %zu fields, expected 2", pa->nf);
	if (pa->version < 2)
		return fail(pa, "'suppress' line in a version %u dump", pa->version);
	if (grow(pa, (void **)&d->suppress, &pa->cap_suppress, d->nsuppress, sizeof(*d->suppress)) <
	    0)
		return -1;
	if (unescape(pa, &pa->f[1], "suppress", &d->suppress[d->nsuppress]) < 0)
		return -1;
	d->nsuppress++;
	pa->nnotes++;
	return 0;
}

/* build-id: "-", or an even number (2..2*DUMP_MAX_BUILDID) of lower-case hex digits. */
static int
parse_buildid(struct parser *pa, const struct field *f, char **out)
{
	*out = NULL;
	if (field_is(f, "-"))
		return 0;
	if (f->n % 2 != 0 || f->n > 2 * DUMP_MAX_BUILDID)
		return fail(pa,
		    "bad build-id '%.*s' (want an even number of hex digits, "
		    "at most %d)",
		    SHOW(f), 2 * DUMP_MAX_BUILDID);
	for (size_t i = 0; i < f->n; i++) {
		unsigned char c = (unsigned char)f->s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return fail(pa, "bad build-id '%.*s' (not lower-case hex)", SHOW(f));
	}
	*out = strndup(f->s, f->n);
	if (*out == NULL)
		return fail(pa, "out of memory");
	return 0;
}

/* module <id> <bias> <lo> <hi> <buildid|-> <loaded|unloaded> <path> */
static int
parse_module(struct parser *pa)
{
	static const char *const states[] = { DUMP_MOD_UNLOADED, DUMP_MOD_LOADED };
	struct dump *d = pa->d;
	struct module m;
	uint64_t id;
	int loaded;

	if (pa->nf != 8)
		return fail(pa, "'module' line has %zu fields, expected 8", pa->nf);
	if (parse_dec(pa, &pa->f[1], UINT32_MAX, "module id", &id) < 0)
		return -1;
	if (d->nmodules > 0 && id <= d->modules[d->nmodules - 1].id)
		return fail(pa, "module id %llu not above the previous one, %u",
		    (unsigned long long)id, d->modules[d->nmodules - 1].id);
	m.id = (uint32_t)id;
	if (parse_hex(pa, &pa->f[2], "module bias", &m.bias) < 0 ||
	    parse_hex(pa, &pa->f[3], "module lo", &m.lo) < 0 ||
	    parse_hex(pa, &pa->f[4], "module hi", &m.hi) < 0)
		return -1;
	if (m.lo >= m.hi)
		return fail(pa, "module lo %llx not below hi %llx", (unsigned long long)m.lo,
		    (unsigned long long)m.hi);
	loaded = pick(&pa->f[6], states, 2);
	if (loaded < 0)
		return fail(pa, "bad module state '%.*s' (want loaded or unloaded)",
		    SHOW(&pa->f[6]));
	m.loaded = loaded == 1;
	/* "%00" is the empty string, which only an arg may be: the preload
	 * leaves modules without a file name out. */
	if (field_is(&pa->f[7], "%00"))
		return fail(pa, "empty module path (%%00)");
	if (grow(pa, (void **)&d->modules, &pa->cap_modules, d->nmodules, sizeof(m)) < 0)
		return -1;
	if (parse_buildid(pa, &pa->f[5], &m.buildid) < 0)
		return -1;
	if (unescape(pa, &pa->f[7], "module path", &m.path) < 0) {
		free(m.buildid);
		return -1;
	}
	d->modules[d->nmodules++] = m;
	return 0;
}

/* stack <id> <n> <pc>... */
static int
parse_stack(struct parser *pa)
{
	struct dump *d = pa->d;
	struct stack st;
	uint64_t id;
	uint64_t n;

	if (pa->nf < 4)
		return fail(pa, "'stack' line has %zu fields, expected at least 4", pa->nf);
	if (parse_dec(pa, &pa->f[1], UINT32_MAX, "stack id", &id) < 0)
		return -1;
	if (id == 0)
		return fail(pa, "stack id 0 (ids start at 1)");
	if (d->nstacks > 0 && id <= d->stacks[d->nstacks - 1].id)
		return fail(pa, "stack id %llu not above the previous one, %u",
		    (unsigned long long)id, d->stacks[d->nstacks - 1].id);
	if (parse_dec(pa, &pa->f[2], DUMP_MAX_DEPTH, "frame count", &n) < 0)
		return -1;
	if (n == 0)
		return fail(pa, "frame count 0 out of range (1..%d)", DUMP_MAX_DEPTH);
	if (pa->nf - 3 != n)
		return fail(pa, "stack %llu has %zu pcs, its count says %llu",
		    (unsigned long long)id, pa->nf - 3, (unsigned long long)n);
	for (size_t i = 0; i < n; i++)
		if (parse_hex(pa, &pa->f[3 + i], "pc", &pa->pcs[i]) < 0)
			return -1;
	if (grow(pa, (void **)&d->stacks, &pa->cap_stacks, d->nstacks, sizeof(st)) < 0)
		return -1;
	st.id = (uint32_t)id;
	st.n = (uint32_t)n;
	st.pcs = malloc(n * sizeof(*st.pcs));
	if (st.pcs == NULL)
		return fail(pa, "out of memory");
	memcpy(st.pcs, pa->pcs, n * sizeof(*st.pcs));
	d->stacks[d->nstacks++] = st;
	return 0;
}

/* Index + 1 of stack id in the ascending d->stacks, 0 for id 0, -1 if absent. */
static ptrdiff_t
stack_slot(const struct dump *d, uint32_t id)
{
	const struct stack *s;

	if (id == 0)
		return 0;
	s = model_find_stack(d, id);
	return s != NULL ? s - d->stacks + 1 : -1;
}

/* rec <stack-id> <class> <blocks> <bytes> */
static int
parse_rec(struct parser *pa)
{
	struct dump *d = pa->d;
	struct rec r = { 0 };
	uint64_t id;
	ptrdiff_t slot;
	int cls;

	if (pa->nf != 5)
		return fail(pa, "'rec' line has %zu fields, expected 5", pa->nf);
	if (parse_dec(pa, &pa->f[1], UINT32_MAX, "rec stack id", &id) < 0)
		return -1;
	slot = stack_slot(d, (uint32_t)id);
	if (slot < 0)
		return fail(pa, "rec names stack %llu, which no stack line defines",
		    (unsigned long long)id);
	cls = model_class_parse(pa->f[2].s, pa->f[2].n);
	if (cls < 0 || CLASS_IS_RESOURCE(cls)) /* resources come in res lines */
		return fail(pa, "bad class '%.*s'", SHOW(&pa->f[2]));
	if (!d->scanned && cls != CLASS_DEFINITE)
		return fail(pa, "class %s in a dump without a scan (scan none)",
		    model_class_name(cls));
	if (pa->seen[slot] & CLASS_BIT(cls))
		return fail(pa, "second rec for stack %llu, class %s", (unsigned long long)id,
		    model_class_name(cls));
	if (parse_dec(pa, &pa->f[3], UINT64_MAX, "blocks", &r.blocks) < 0 ||
	    parse_dec(pa, &pa->f[4], UINT64_MAX, "bytes", &r.bytes) < 0)
		return -1;
	if (r.blocks == 0)
		return fail(pa, "rec with 0 blocks");
	if (grow(pa, (void **)&d->recs, &pa->cap_recs, d->nrecs, sizeof(r)) < 0)
		return -1;
	pa->seen[slot] |= (unsigned char)CLASS_BIT(cls);
	if (cls == CLASS_REACHABLE)
		pa->reach_rec[slot] = d->nrecs + 1;
	if (cls == CLASS_DEFINITE || cls == CLASS_INDIRECT)
		pa->lost_rec[2 * slot + cls] = d->nrecs + 1;
	r.stack_id = (uint32_t)id;
	r.cls = (enum leak_class)cls;
	d->recs[d->nrecs++] = r;
	return 0;
}

/* heur <stack-id> <heuristic> <blocks> <bytes> */
static int
parse_heur(struct parser *pa)
{
	const char *names[DUMP_NHEUR];
	struct dump *d = pa->d;
	struct heur_rec h;
	uint64_t id;
	ptrdiff_t slot;
	int k;

	for (int i = 0; i < DUMP_NHEUR; i++)
		names[i] = dump_heur_name(i);
	if (pa->nf != 5)
		return fail(pa, "'heur' line has %zu fields, expected 5", pa->nf);
	if (parse_dec(pa, &pa->f[1], UINT32_MAX, "heur stack id", &id) < 0)
		return -1;
	slot = stack_slot(d, (uint32_t)id);
	if (slot < 0 || (pa->seen[slot] & CLASS_BIT(CLASS_REACHABLE)) == 0)
		return fail(pa, "heur for stack %llu, which has no reachable rec",
		    (unsigned long long)id);
	k = pick(&pa->f[2], names, DUMP_NHEUR);
	if (k < 0)
		return fail(pa, "bad heuristic '%.*s'", SHOW(&pa->f[2]));
	if (d->nheurs > 0 &&
	    (d->heurs[d->nheurs - 1].stack_id > id ||
		(d->heurs[d->nheurs - 1].stack_id == id &&
		    d->heurs[d->nheurs - 1].heur >= (uint32_t)k)))
		return fail(pa, "heur line for stack %llu, %s out of order", (unsigned long long)id,
		    names[k]);
	if (parse_dec(pa, &pa->f[3], UINT64_MAX, "blocks", &h.blocks) < 0 ||
	    parse_dec(pa, &pa->f[4], UINT64_MAX, "bytes", &h.bytes) < 0)
		return -1;
	const struct rec *rc = &d->recs[pa->reach_rec[slot] - 1];
	if (h.blocks == 0 || h.blocks > rc->blocks || h.bytes > rc->bytes)
		return fail(pa,
		    "heur with %llu blocks, %llu bytes: more than the reachable rec, or 0",
		    (unsigned long long)h.blocks, (unsigned long long)h.bytes);
	if (grow(pa, (void **)&d->heurs, &pa->cap_heurs, d->nheurs, sizeof(h)) < 0)
		return -1;
	h.stack_id = (uint32_t)id;
	h.heur = (uint32_t)k;
	d->heurs[d->nheurs++] = h;
	pa->nnotes++;
	return 0;
}

/* seen <stack-id> <class> <blocks> <bytes> (version 2) */
static int
parse_seen(struct parser *pa)
{
	struct dump *d = pa->d;
	uint64_t id, blocks, bytes;
	ptrdiff_t slot;
	int cls;

	if (pa->version < 2)
		return fail(pa, "'seen' line in a version %u dump", pa->version);
	if (pa->nf != 5)
		return fail(pa, "'seen' line has %zu fields, expected 5", pa->nf);
	if (parse_dec(pa, &pa->f[1], UINT32_MAX, "seen stack id", &id) < 0)
		return -1;
	cls = model_class_parse(pa->f[2].s, pa->f[2].n);
	if (cls != CLASS_DEFINITE && cls != CLASS_INDIRECT)
		return fail(pa, "bad seen class '%.*s' (definite or indirect)", SHOW(&pa->f[2]));
	slot = stack_slot(d, (uint32_t)id);
	if (slot < 0 || pa->lost_rec[2 * slot + cls] == 0)
		return fail(pa, "seen for stack %llu, which has no %s rec", (unsigned long long)id,
		    model_class_name(cls));
	if ((int64_t)(2 * id + (uint64_t)cls) <= pa->last_seen)
		return fail(pa, "seen line for stack %llu, %s out of order", (unsigned long long)id,
		    model_class_name(cls));
	pa->last_seen = (int64_t)(2 * id + (uint64_t)cls);
	if (parse_dec(pa, &pa->f[3], UINT64_MAX, "blocks", &blocks) < 0 ||
	    parse_dec(pa, &pa->f[4], UINT64_MAX, "bytes", &bytes) < 0)
		return -1;
	struct rec *rc = &d->recs[pa->lost_rec[2 * slot + cls] - 1];
	if (blocks == 0 || blocks > rc->blocks || bytes > rc->bytes)
		return fail(pa, "seen with %llu blocks, %llu bytes: more than its rec, or 0",
		    (unsigned long long)blocks, (unsigned long long)bytes);
	rc->seen_blocks = blocks;
	rc->seen_bytes = bytes;
	pa->nnotes++;
	return 0;
}

/* own <stack-id> <owner-stack-id> <blocks> <bytes> (version 2) */
static int
parse_own(struct parser *pa)
{
	struct dump *d = pa->d;
	struct own_rec o;
	uint64_t id, owner;
	ptrdiff_t slot, oslot;

	if (pa->version < 2)
		return fail(pa, "'own' line in a version %u dump", pa->version);
	if (pa->nf != 5)
		return fail(pa, "'own' line has %zu fields, expected 5", pa->nf);
	if (parse_dec(pa, &pa->f[1], UINT32_MAX, "own stack id", &id) < 0 ||
	    parse_dec(pa, &pa->f[2], UINT32_MAX, "own owner stack id", &owner) < 0)
		return -1;
	slot = stack_slot(d, (uint32_t)id);
	oslot = stack_slot(d, (uint32_t)owner);
	if (slot < 0 || pa->lost_rec[2 * slot + CLASS_INDIRECT] == 0)
		return fail(pa, "own for stack %llu, which has no indirect rec",
		    (unsigned long long)id);
	if (oslot < 0 || pa->lost_rec[2 * oslot + CLASS_DEFINITE] == 0)
		return fail(pa, "own names owner stack %llu, which has no definite rec",
		    (unsigned long long)owner);
	if (d->nowns > 0 &&
	    (d->owns[d->nowns - 1].stack_id > id ||
		(d->owns[d->nowns - 1].stack_id == id && d->owns[d->nowns - 1].owner >= owner)))
		return fail(pa, "own line for stack %llu, owner %llu out of order",
		    (unsigned long long)id, (unsigned long long)owner);
	if (parse_dec(pa, &pa->f[3], UINT64_MAX, "blocks", &o.blocks) < 0 ||
	    parse_dec(pa, &pa->f[4], UINT64_MAX, "bytes", &o.bytes) < 0)
		return -1;
	const struct rec *rc = &d->recs[pa->lost_rec[2 * slot + CLASS_INDIRECT] - 1];
	if (o.blocks == 0 || o.blocks > rc->blocks || o.bytes > rc->bytes)
		return fail(pa,
		    "own with %llu blocks, %llu bytes: more than its indirect rec, or 0",
		    (unsigned long long)o.blocks, (unsigned long long)o.bytes);
	if (grow(pa, (void **)&d->owns, &pa->cap_owns, d->nowns, sizeof(o)) < 0)
		return -1;
	o.stack_id = (uint32_t)id;
	o.owner = (uint32_t)owner;
	d->owns[d->nowns++] = o;
	pa->nnotes++;
	return 0;
}

/* "<stack-id>:<bytes>", one block of a retain chain, into r->hop[i]. */
static int
parse_hop(struct parser *pa, const struct field *f, struct retain *r, size_t i)
{
	const char *colon = memchr(f->s, ':', f->n);
	struct field id;
	struct field bytes;
	uint64_t v;

	if (colon == NULL || colon == f->s || colon == f->s + f->n - 1)
		return fail(pa, "retain hop '%.*s' is not <stack-id>:<bytes>", SHOW(f));
	id.s = f->s;
	id.n = (size_t)(colon - f->s);
	bytes.s = colon + 1;
	bytes.n = f->n - id.n - 1;
	if (parse_dec(pa, &id, UINT32_MAX, "retain hop stack id", &v) < 0)
		return -1;
	if (v != 0 && stack_slot(pa->d, (uint32_t)v) < 0)
		return fail(pa, "retain hop names stack %llu, which no stack line defines",
		    (unsigned long long)v);
	r->hop[i].stack_id = (uint32_t)v;
	if (parse_dec(pa, &bytes, UINT64_MAX, "retain hop bytes", &v) < 0)
		return -1;
	r->hop[i].bytes = v;
	return 0;
}

/*
 * retain <stack-id> <root> <who> <where> <hops> <n> <stack-id>:<bytes>...
 */
static int
parse_retain(struct parser *pa)
{
	const unsigned reached = CLASS_BIT(CLASS_POSSIBLE) | CLASS_BIT(CLASS_REACHABLE);
	uint64_t id;
	uint64_t who;
	uint64_t where;
	uint64_t hops;
	uint64_t n;
	ptrdiff_t slot;
	int root;

	if (pa->nf < 7)
		return fail(pa, "'retain' line has %zu fields, expected at least 7", pa->nf);
	if (!pa->d->scanned)
		return fail(pa, "retain line in a dump without a scan (scan none)");
	if (parse_dec(pa, &pa->f[1], UINT32_MAX, "retain stack id", &id) < 0)
		return -1;
	if ((int64_t)id <= pa->last_retain)
		return fail(pa, "retain stack id %llu not above the previous one, %lld",
		    (unsigned long long)id, (long long)pa->last_retain);
	slot = stack_slot(pa->d, (uint32_t)id);
	if (slot < 0 || (pa->seen[slot] & reached) == 0)
		return fail(pa, "retain for stack %llu, which has no reachable or possible rec",
		    (unsigned long long)id);
	root = model_root_parse(pa->f[2].s, pa->f[2].n);
	if (root < 0)
		return fail(pa, "bad retain root '%.*s'", SHOW(&pa->f[2]));
	if (parse_dec(pa, &pa->f[3], UINT32_MAX, "retain who", &who) < 0 ||
	    parse_hex(pa, &pa->f[4], "retain where", &where) < 0 ||
	    parse_dec(pa, &pa->f[5], UINT64_MAX, "retain hops", &hops) < 0 ||
	    parse_dec(pa, &pa->f[6], DUMP_MAX_RETAIN_HOPS, "retain hop count", &n) < 0)
		return -1;
	/* mapping, region: who is 0; loader, internal, ignored: who and where are 0. */
	if ((root >= RETAIN_MAPPING && who != 0) ||
	    (root >= RETAIN_LOADER && root <= RETAIN_IGNORED && where != 0))
		return fail(pa, "retain root %s with who %llu, where %llx", model_root_name(root),
		    (unsigned long long)who, (unsigned long long)where);
	if (n > hops)
		return fail(pa, "retain lists %llu hops of %llu", (unsigned long long)n,
		    (unsigned long long)hops);
	if (pa->nf - 7 != n)
		return fail(pa, "retain has %zu hops listed, its count says %llu", pa->nf - 7,
		    (unsigned long long)n);
	struct retain r = {
		.stack_id = (uint32_t)id,
		.root = (enum retain_root)root,
		.who = (uint32_t)who,
		.where = where,
		.hops = hops,
		.n = (uint32_t)n,
	};
	for (size_t i = 0; i < n; i++)
		if (parse_hop(pa, &pa->f[7 + i], &r, i) < 0)
			return -1;
	if (grow(pa, (void **)&pa->d->retains, &pa->retain_cap, pa->d->nretains,
		sizeof(*pa->d->retains)) < 0)
		return -1;
	pa->d->retains[pa->d->nretains++] = r;
	pa->last_retain = (int64_t)id;
	pa->nretains++;
	return 0;
}

/* res <stack-id> <kind> <id> <fn> <aux> <desc> (version 2) */
static int
parse_res(struct parser *pa)
{
	static const char *const kinds[] = { DUMP_RES_FD, DUMP_RES_TIMER, DUMP_RES_THREAD };
	const char *fns[DUMP_RES_FN_COUNT];
	struct dump *d = pa->d;
	struct resource r = { 0 };
	uint64_t id;
	int k, fn;

	for (int i = 0; i < DUMP_RES_FN_COUNT; i++)
		fns[i] = dump_res_fn_name((unsigned)i + 1);
	if (pa->version < 2)
		return fail(pa, "'res' line in a version %u dump", pa->version);
	if (pa->nf != 7)
		return fail(pa, "'res' line has %zu fields, expected 7", pa->nf);
	if (parse_dec(pa, &pa->f[1], UINT32_MAX, "res stack id", &id) < 0)
		return -1;
	if (stack_slot(d, (uint32_t)id) < 0)
		return fail(pa, "res names stack %llu, which no stack line defines",
		    (unsigned long long)id);
	k = pick(&pa->f[2], kinds, 3);
	if (k < 0)
		return fail(pa, "bad resource kind '%.*s'", SHOW(&pa->f[2]));
	fn = pick(&pa->f[4], fns, DUMP_RES_FN_COUNT);
	if (fn < 0)
		return fail(pa, "bad resource function '%.*s'", SHOW(&pa->f[4]));
	if (parse_dec(pa, &pa->f[3], UINT64_MAX, "res id", &r.id) < 0 ||
	    parse_hex(pa, &pa->f[5], "res aux", &r.aux) < 0)
		return -1;
	if (grow(pa, (void **)&d->resources, &pa->cap_res, d->nresources, sizeof(r)) < 0)
		return -1;
	if (field_is(&pa->f[6], "%00"))
		return fail(pa, "res description is empty");
	if (unescape(pa, &pa->f[6], "res description", &r.desc) < 0)
		return -1;
	r.stack_id = (uint32_t)id;
	r.cls = (enum leak_class)(CLASS_FD + k);
	r.fn = fns[fn];
	d->resources[d->nresources++] = r;
	pa->nnotes++;
	return 0;
}

/* The stat lines, the current line being the first; then the end line. */
static int
parse_tail(struct parser *pa)
{
	struct dump *d = pa->d;
	uint64_t counts[4];

	/* Stats past DUMP_STATS_REQUIRED are newer than format 1's first
	 * writers: a dump may end its stats before them (they read 0). */
	for (size_t i = 0;; i++) {
		uint64_t *val;

		if (i > 0) {
			int r = next_line(pa);

			if (r < 0)
				return -1;
			if (r == 0)
				return fail_eof(pa,
				    i < DUMP_STATS_REQUIRED ? DUMP_TAG_STAT : DUMP_TAG_END);
		}
		if (i == NSTATS || (i >= DUMP_STATS_REQUIRED && field_is(&pa->f[0], DUMP_TAG_END)))
			break;
		if (!field_is(&pa->f[0], DUMP_TAG_STAT))
			return fail(pa, "expected '%s', found '%.*s'", DUMP_TAG_STAT,
			    SHOW(&pa->f[0]));
		if (pa->nf != 3)
			return fail(pa, "'stat' line has %zu fields, expected 3", pa->nf);
		if (!field_is(&pa->f[1], stat_fields[i].name))
			return fail(pa, "expected 'stat %s', found 'stat %.*s'",
			    stat_fields[i].name, SHOW(&pa->f[1]));
		val = (uint64_t *)((char *)&d->stats + stat_fields[i].offset);
		if (parse_dec(pa, &pa->f[2], UINT64_MAX, stat_fields[i].name, val) < 0)
			return -1;
	}
	if (!field_is(&pa->f[0], DUMP_TAG_END))
		return fail(pa, "expected '%s', found '%.*s'", DUMP_TAG_END, SHOW(&pa->f[0]));
	size_t want = pa->version >= 2 ? 6 : 5; /* version 2 counts the notes too */
	uint64_t notes = 0;

	if (pa->nf != want)
		return fail(pa, "'%s' line has %zu fields, expected %zu", DUMP_TAG_END, pa->nf,
		    want);
	if (want == 6 && parse_dec(pa, &pa->f[5], UINT64_MAX, "note count", &notes) < 0)
		return -1;
	if (want == 6 && notes != pa->nnotes)
		return fail(pa,
		    "end counts %llu notes, the dump has %zu heur, suppress, seen, own and res lines",
		    (unsigned long long)notes, pa->nnotes);
	if (parse_dec(pa, &pa->f[1], UINT64_MAX, "module count", &counts[0]) < 0 ||
	    parse_dec(pa, &pa->f[2], UINT64_MAX, "stack count", &counts[1]) < 0 ||
	    parse_dec(pa, &pa->f[3], UINT64_MAX, "rec count", &counts[2]) < 0 ||
	    parse_dec(pa, &pa->f[4], UINT64_MAX, "retain count", &counts[3]) < 0)
		return -1;
	if (counts[0] != d->nmodules || counts[1] != d->nstacks || counts[2] != d->nrecs ||
	    counts[3] != pa->nretains)
		return fail(pa,
		    "end counts %llu %llu %llu %llu do not match the %zu module, "
		    "%zu stack, %zu rec and %zu retain lines",
		    (unsigned long long)counts[0], (unsigned long long)counts[1],
		    (unsigned long long)counts[2], (unsigned long long)counts[3], d->nmodules,
		    d->nstacks, d->nrecs, pa->nretains);
	if (pa->p != pa->end) {
		pa->lineno++;
		return fail(pa, "data after the 'end' line");
	}
	return 0;
}

static bool
is_header_tag(const struct field *f)
{
	static const char *const tags[] = {
		DUMP_MAGIC,
		DUMP_TAG_PID,
		DUMP_TAG_PPID,
		DUMP_TAG_EXE,
		DUMP_TAG_ARGC,
		DUMP_TAG_ARG,
		DUMP_TAG_TIME,
		DUMP_TAG_START,
		DUMP_TAG_KIND,
		DUMP_TAG_SEQ,
		DUMP_TAG_ATOMIC,
		DUMP_TAG_SCAN,
		DUMP_TAG_DEPTH,
		DUMP_TAG_END,
	};

	return pick(f, tags, (int)(sizeof(tags) / sizeof(tags[0]))) >= 0;
}

/* Makes pa->seen, sized by the stack lines read before the first rec. */
static int
begin_recs(struct parser *pa)
{
	if (pa->seen != NULL)
		return 0;
	pa->seen = calloc(pa->d->nstacks + 1, 1);
	pa->reach_rec = calloc(pa->d->nstacks + 1, sizeof(*pa->reach_rec));
	pa->lost_rec = calloc(2 * (pa->d->nstacks + 1), sizeof(*pa->lost_rec));
	if (pa->seen == NULL || pa->reach_rec == NULL || pa->lost_rec == NULL)
		return fail(pa, "out of memory");
	return 0;
}

/* module, stack, rec and retain lines, in that order, up to the first stat line. */
static int
parse_body(struct parser *pa)
{
	enum {
		IN_MODULES,
		IN_STACKS,
		IN_RECS,
		IN_HEURS,
		IN_SEEN,
		IN_OWNS,
		IN_RETAINS,
		IN_RES
	} phase = IN_MODULES;
	static const char *const phase_tags[] = {
		DUMP_TAG_MODULE,
		DUMP_TAG_STACK,
		DUMP_TAG_REC,
		DUMP_TAG_HEUR,
		DUMP_TAG_SEEN,
		DUMP_TAG_OWN,
		DUMP_TAG_RETAIN,
		DUMP_TAG_RES,
	};

	for (;;) {
		const struct field *tag;
		int r = next_line(pa);

		if (r < 0)
			return -1;
		if (r == 0)
			return fail_eof(pa, DUMP_TAG_STAT);
		tag = &pa->f[0];
		if (field_is(tag, DUMP_TAG_SUPPRESS)) {
			if (phase != IN_MODULES || pa->d->nmodules > 0)
				return fail(pa, "'suppress' line after a '%s' line",
				    phase_tags[phase]);
			r = parse_suppress(pa);
		} else if (field_is(tag, DUMP_TAG_MODULE)) {
			if (phase != IN_MODULES)
				return fail(pa, "'module' line after a '%s' line",
				    phase_tags[phase]);
			r = parse_module(pa);
		} else if (field_is(tag, DUMP_TAG_STACK)) {
			if (phase > IN_STACKS)
				return fail(pa, "'stack' line after a '%s' line",
				    phase_tags[phase]);
			phase = IN_STACKS;
			r = parse_stack(pa);
		} else if (field_is(tag, DUMP_TAG_REC)) {
			if (phase > IN_RECS)
				return fail(pa, "'rec' line after a '%s' line", phase_tags[phase]);
			if (begin_recs(pa) < 0)
				return -1;
			phase = IN_RECS;
			r = parse_rec(pa);
		} else if (field_is(tag, DUMP_TAG_HEUR)) {
			if (phase > IN_HEURS)
				return fail(pa, "'heur' line after a '%s' line", phase_tags[phase]);
			if (begin_recs(pa) < 0)
				return -1;
			phase = IN_HEURS;
			r = parse_heur(pa);
		} else if (field_is(tag, DUMP_TAG_SEEN)) {
			if (phase > IN_SEEN)
				return fail(pa, "'seen' line after a '%s' line", phase_tags[phase]);
			if (begin_recs(pa) < 0)
				return -1;
			phase = IN_SEEN;
			r = parse_seen(pa);
		} else if (field_is(tag, DUMP_TAG_OWN)) {
			if (phase > IN_OWNS)
				return fail(pa, "'own' line after a 'retain' line");
			if (begin_recs(pa) < 0)
				return -1;
			phase = IN_OWNS;
			r = parse_own(pa);
		} else if (field_is(tag, DUMP_TAG_RETAIN)) {
			if (phase > IN_RETAINS)
				return fail(pa, "'retain' line after a 'res' line");
			if (begin_recs(pa) < 0)
				return -1;
			phase = IN_RETAINS;
			r = parse_retain(pa);
		} else if (field_is(tag, DUMP_TAG_RES)) {
			phase = IN_RES;
			r = parse_res(pa);
		} else if (field_is(tag, DUMP_TAG_STAT)) {
			return parse_tail(pa);
		} else if (is_header_tag(tag)) {
			return fail(pa, "'%.*s' line out of order", SHOW(tag));
		} else {
			return fail(pa, "unknown record '%.*s'", SHOW(tag));
		}
		if (r < 0)
			return -1;
	}
}

/* Resources in the order of model.h: kind, stack, id. */
static int
res_cmp(const void *pa, const void *pb)
{
	const struct resource *a = pa, *b = pb;

	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	if (a->stack_id != b->stack_id)
		return a->stack_id < b->stack_id ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* One rec per (kind, stack) of the resources, after the rec lines. */
static int
res_recs(struct parser *pa)
{
	struct dump *d = pa->d;

	if (d->nresources == 0)
		return 0;
	qsort(d->resources, d->nresources, sizeof(*d->resources), res_cmp);
	for (size_t i = 0; i < d->nresources;) {
		size_t j = i + 1;

		while (j < d->nresources && d->resources[j].cls == d->resources[i].cls &&
		    d->resources[j].stack_id == d->resources[i].stack_id)
			j++;
		if (grow(pa, (void **)&d->recs, &pa->cap_recs, d->nrecs, sizeof(*d->recs)) < 0)
			return -1;
		d->recs[d->nrecs++] = (struct rec){
			.stack_id = d->resources[i].stack_id,
			.cls = d->resources[i].cls,
			.blocks = j - i,
			.bytes = 0,
		};
		i = j;
	}
	return 0;
}

int
dump_parse(const char *name, const char *buf, size_t len, struct dump *d, struct err *e)
{
	struct parser *pa;
	int r = -1;

	memset(d, 0, sizeof(*d));
	if (len == 0)
		return err_set(e, "%s: empty file", name);
	/* The parser holds a line's fields and pcs (about 6 KiB): keep it off the stack. */
	pa = calloc(1, sizeof(*pa));
	if (pa == NULL)
		return err_set(e, "%s: out of memory", name);
	pa->name = name;
	pa->p = buf;
	pa->end = buf + len;
	pa->d = d;
	pa->e = e;
	pa->last_retain = -1;
	pa->last_seen = -1;
	d->path = strdup(name);
	if (d->path == NULL) {
		err_set(e, "%s: out of memory", name);
		goto out;
	}
	if (parse_header(pa) < 0 || parse_body(pa) < 0 || res_recs(pa) < 0)
		goto out;
	if (modmap_build(d) < 0) {
		err_set(e, "%s: out of memory", name);
		goto out;
	}
	r = 0;
out:
	if (r < 0)
		dump_free(d);
	free(pa->seen);
	free(pa->reach_rec);
	free(pa->lost_rec);
	free(pa);
	return r;
}

int
dump_read(const char *path, struct dump *d, struct err *e)
{
	static const struct readfile_opts dumps = {
		.max = READ_MAX_FILE,
		.any_type = true,
		.name_call = true,
	};
	char *buf;
	size_t len;
	int r;

	memset(d, 0, sizeof(*d));
	if (readfile(path, &dumps, &buf, &len, e) < 0)
		return -1;
	r = dump_parse(path, buf, len, d, e);
	free(buf);
	return r;
}

void
dump_free(struct dump *d)
{
	free(d->path);
	free(d->exe);
	for (size_t i = 0; i < d->argc; i++)
		free(d->argv[i]);
	free(d->argv);
	for (size_t i = 0; i < d->nmodules; i++) {
		free(d->modules[i].buildid);
		free(d->modules[i].path);
	}
	free(d->modules);
	free(d->segs);
	for (size_t i = 0; i < d->nstacks; i++)
		free(d->stacks[i].pcs);
	free(d->stacks);
	free(d->recs);
	free(d->heurs);
	free(d->retains);
	free(d->owns);
	for (size_t i = 0; i < d->nsuppress; i++)
		free(d->suppress[i]);
	free(d->suppress);
	for (size_t i = 0; i < d->nresources; i++)
		free(d->resources[i].desc);
	free(d->resources);
	memset(d, 0, sizeof(*d));
}
