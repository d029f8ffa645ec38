/*
 * baseline.c - known leak records keyed by symbolized stack: building keys,
 * reading and writing baseline files, lookup, and the unseen listing. The
 * key scheme and the file format are described in baseline.h.
 *
 * main.c (--write-baseline) builds a baseline from the current records with
 * baseline_add() and writes it; with --baseline it loads one, group.c or
 * main.c asks baseline_lookup() per record, and the outputs list the entries
 * left !seen.
 *
 * Invariants: each entry is allocated on its own and never moves, so the
 * pointers lookup returns stay valid until baseline_free(); (cls, key) is
 * unique; the index is open addressing with linear probing over entry
 * numbers + 1 (0 = empty), a power-of-two size at most half full, and no
 * deletions (a failed load rebuilds it).
 *
 * Not thread-safe; leakreport is single-threaded.
 *
 * Size: over the usual ~500 lines because the key scheme, the file format
 * and the index are one contract (a key written here must be found by a
 * later lookup); splitting them would spread that contract over files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "readfile.h"
#include "sat.h"

/* Largest baseline file we read. */
#define BASELINE_MAX_FILE (256u << 20)

struct baseline {
	struct baseline_entry **ents; /* n entries, file or add order */
	size_t n;
	size_t cap;
	uint32_t *index; /* mask + 1 slots: entry number + 1, or 0 */
	size_t mask;
};

/* ---- growable string; an allocation failure is sticky (oom) */

struct sbuf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

static void
sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (np == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* Appends s with ';', '\' and control bytes as \xHH. */
static void
sb_escaped(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char hex[5];

		if (c == ';' || c == '\\' || c < 0x20 || c == 0x7f) {
			snprintf(hex, sizeof(hex), "\\x%02x", c);
			sb_put(b, hex, 4);
		} else {
			sb_put(b, s, 1);
		}
	}
}

char *
baseline_key(const struct sym_frame *frames, size_t n)
{
	struct sbuf b = { 0 };

	if (n == 0)
		return strdup("-");
	for (size_t i = 0; i < n; i++) {
		const struct sym_frame *f = &frames[i];

		if (i > 0)
			sb_put(&b, ";", 1);
		if (f->function != NULL && f->function[0] != '\0') {
			sb_escaped(&b, f->function);
			if (f->file != NULL && model_basename(f->file)[0] != '\0') {
				sb_put(&b, "@", 1);
				sb_escaped(&b, model_basename(f->file));
			}
		} else if (f->module != NULL && f->module[0] != '\0') {
			sb_put(&b, "?@", 2);
			sb_escaped(&b, model_basename(f->module));
		} else if (f->module_path != NULL && model_basename(f->module_path)[0] != '\0') {
			sb_put(&b, "?@", 2);
			sb_escaped(&b, model_basename(f->module_path));
		} else {
			char pc[24];

			snprintf(pc, sizeof(pc), "?" ADDR_FMT, f->pc);
			sb_str(&b, pc);
		}
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

char *
baseline_key_exe(const char *path)
{
	struct sbuf b = { 0 };

	sb_str(&b, "?exe:");
	sb_escaped(&b, model_basename(path)[0] != '\0' ? model_basename(path) : "-");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* ---- the index */

static uint64_t
hash_rec(enum leak_class cls, const char *key)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)cls; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

/* The slot holding (cls, key), or the empty slot where it would go. */
static size_t
index_probe(const struct baseline *b, enum leak_class cls, const char *key)
{
	size_t i = (size_t)hash_rec(cls, key) & b->mask;

	/* Terminates: the table is never more than half full. */
	for (;; i = (i + 1) & b->mask) {
		uint32_t v = b->index[i];
		const struct baseline_entry *x;

		if (v == 0)
			return i;
		x = b->ents[v - 1];
		if (x->cls == cls && strcmp(x->key, key) == 0)
			return i;
	}
}

/* Rebuilds the index for n entries with at least 2n slots. 0, or -1 (oom). */
static int
index_rebuild(struct baseline *b, size_t want)
{
	size_t size = 16;
	uint32_t *idx;

	while (size < 2 * want)
		size *= 2;
	idx = calloc(size, sizeof(*idx));
	if (idx == NULL)
		return -1;
	free(b->index);
	b->index = idx;
	b->mask = size - 1;
	for (size_t k = 0; k < b->n; k++) {
		const struct baseline_entry *x = b->ents[k];

		b->index[index_probe(b, x->cls, x->key)] = (uint32_t)(k + 1);
	}
	return 0;
}

struct baseline *
baseline_new(void)
{
	struct baseline *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	if (index_rebuild(b, 0) < 0) {
		free(b);
		return NULL;
	}
	return b;
}

/* The first byte of key that may not appear in a key, or NULL. */
static const char *
key_bad_byte(const char *key, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
			return key + i;
	return NULL;
}

/*
 * Appends a new entry for key[0..klen) (not yet in b). Returns it, or NULL
 * when out of memory.
 */
static struct baseline_entry *
entry_append(struct baseline *b, enum leak_class cls, uint64_t blocks, uint64_t bytes,
    const char *key, size_t klen, unsigned line)
{
	struct baseline_entry *x;

	if (b->n >= UINT32_MAX - 1)
		return NULL;
	if (2 * (b->n + 1) > b->mask + 1 && index_rebuild(b, b->n + 1) < 0)
		return NULL;
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		struct baseline_entry **v = realloc(b->ents, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		b->ents = v;
		b->cap = cap;
	}
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	x->key = strndup(key, klen);
	if (x->key == NULL) {
		free(x);
		return NULL;
	}
	x->cls = cls;
	x->blocks = blocks;
	x->bytes = bytes;
	x->line = line;
	b->ents[b->n++] = x;
	b->index[index_probe(b, cls, x->key)] = (uint32_t)b->n;
	return x;
}

int
baseline_add(struct baseline *b, enum leak_class cls, uint64_t blocks, uint64_t bytes,
    const char *key, struct err *e)
{
	size_t slot;

	if ((unsigned)cls >= CLASS_COUNT)
		return err_set(e, "baseline: invalid leak class %d", (int)cls);
	if (key[0] == '\0' || key[0] == ' ')
		return err_set(e, "baseline: empty key or key starting with a space");
	if (key_bad_byte(key, strlen(key)) != NULL)
		return err_set(e, "baseline: key holds a control byte");
	slot = index_probe(b, cls, key);
	if (b->index[slot] != 0) {
		struct baseline_entry *x = b->ents[b->index[slot] - 1];

		x->blocks = sat_add(x->blocks, blocks);
		x->bytes = sat_add(x->bytes, bytes);
		return 0;
	}
	if (entry_append(b, cls, blocks, bytes, key, strlen(key), 0) == NULL)
		return err_set(e, "baseline: out of memory");
	return 0;
}

const struct baseline_entry *
baseline_lookup(struct baseline *b, enum leak_class cls, const char *key)
{
	size_t slot;
	struct baseline_entry *x;

	if ((unsigned)cls >= CLASS_COUNT)
		return NULL;
	slot = index_probe(b, cls, key);
	if (b->index[slot] == 0)
		return NULL;
	x = b->ents[b->index[slot] - 1];
	x->seen = true;
	return x;
}

size_t
baseline_count(const struct baseline *b)
{
	return b->n;
}

const struct baseline_entry *
baseline_entry(const struct baseline *b, size_t i)
{
	return i < b->n ? b->ents[i] : NULL;
}

size_t
baseline_unseen(const struct baseline *b)
{
	size_t k = 0;

	for (size_t i = 0; i < b->n; i++)
		k += !b->ents[i]->seen;
	return k;
}

/* Drops entries from n on, e.g. after a failed load. */
static void
entries_truncate(struct baseline *b, size_t n)
{
	if (b->n == n)
		return;
	while (b->n > n) {
		struct baseline_entry *x = b->ents[--b->n];

		free(x->key);
		free(x);
	}
	/* No deletion in the index: rebuild it. The current size is enough,
	 * so the rebuild needs no more memory than it frees. */
	memset(b->index, 0, (b->mask + 1) * sizeof(*b->index));
	for (size_t k = 0; k < b->n; k++)
		b->index[index_probe(b, b->ents[k]->cls, b->ents[k]->key)] = (uint32_t)(k + 1);
}

void
baseline_free(struct baseline *b)
{
	if (b == NULL)
		return;
	entries_truncate(b, 0);
	free(b->ents);
	free(b->index);
	free(b);
}

/* ---- reading */

/* Strict decimal over s[0..n): digits only, no overflow. 0 or -1. */
static int
parse_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (__builtin_mul_overflow(x, 10, &x) ||
		    __builtin_add_overflow(x, (uint64_t)(s[i] - '0'), &x))
			return -1;
	}
	*v = x;
	return 0;
}

/* Cuts the next space-terminated field off *l (length *n). -1 if no space. */
static int
next_field(const char **l, size_t *n, const char **f, size_t *fn)
{
	const char *sp = memchr(*l, ' ', *n);

	if (sp == NULL)
		return -1;
	*f = *l;
	*fn = (size_t)(sp - *l);
	*n -= *fn + 1;
	*l = sp + 1;
	return 0;
}

static int
parse_record(struct baseline *b, const char *name, unsigned lineno, const char *l, size_t n,
    struct err *e)
{
	const char *f[3];
	size_t fn[3];
	int cls = -1;
	uint64_t blocks;
	uint64_t bytes;
	const char *bad;
	size_t slot;
	char *key;

	for (int i = 0; i < 3; i++)
		if (next_field(&l, &n, &f[i], &fn[i]) < 0)
			return err_set(e, "%s:%u: expected '<class> <blocks> <bytes> <key>'", name,
			    lineno);
	cls = model_class_parse(f[0], fn[0]);
	if (cls < 0)
		return err_set(e, "%s:%u: unknown class '%.*s' (expected " CLASS_NAMES_OR ")", name,
		    lineno, (int)(fn[0] > 32 ? 32 : fn[0]), f[0]);
	if (parse_u64(f[1], fn[1], &blocks) < 0 || blocks == 0)
		return err_set(e, "%s:%u: blocks '%.*s' is not a decimal number >= 1", name, lineno,
		    (int)(fn[1] > 32 ? 32 : fn[1]), f[1]);
	if (parse_u64(f[2], fn[2], &bytes) < 0)
		return err_set(e, "%s:%u: bytes '%.*s' is not a decimal number", name, lineno,
		    (int)(fn[2] > 32 ? 32 : fn[2]), f[2]);
	if (n == 0 || l[0] == ' ')
		return err_set(e, "%s:%u: %s", name, lineno,
		    n == 0 ? "empty key" : "expected one space between fields");
	bad = key_bad_byte(l, n);
	if (bad != NULL)
		return err_set(e, "%s:%u: control byte 0x%02x in key", name, lineno,
		    (unsigned char)*bad);
	key = strndup(l, n);
	if (key == NULL)
		return err_set(e, "%s:%u: out of memory", name, lineno);
	slot = index_probe(b, (enum leak_class)cls, key);
	free(key);
	if (b->index[slot] != 0)
		return err_set(e, "%s:%u: duplicate record (same class and key as line %u)", name,
		    lineno, b->ents[b->index[slot] - 1]->line);
	if (entry_append(b, (enum leak_class)cls, blocks, bytes, l, n, lineno) == NULL)
		return err_set(e, "%s:%u: out of memory", name, lineno);
	return 0;
}

/* Checks the first line l[0..n). */
static int
parse_magic(const char *name, const char *l, size_t n, struct err *e)
{
	size_t m = strlen(BASELINE_MAGIC);
	uint64_t v;

	if (n < m + 2 || memcmp(l, BASELINE_MAGIC " ", m + 1) != 0)
		return err_set(e, "%s:1: not a libleak baseline (the first line must be '%s %d')",
		    name, BASELINE_MAGIC, BASELINE_VERSION);
	if (parse_u64(l + m + 1, n - m - 1, &v) < 0)
		return err_set(e, "%s:1: bad version '%.*s'", name,
		    (int)(n - m - 1 > 32 ? 32 : n - m - 1), l + m + 1);
	if (v != BASELINE_VERSION)
		return err_set(e,
		    "%s:1: unsupported baseline version %llu (this leakreport "
		    "reads version %d)",
		    name, (unsigned long long)v, BASELINE_VERSION);
	return 0;
}

int
baseline_parse(struct baseline *b, const char *name, const char *buf, size_t len, struct err *e)
{
	size_t first = b->n;
	unsigned lineno = 0;
	size_t i = 0;

	if (len == 0)
		return err_set(e, "%s: empty file; not a libleak baseline", name);
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len;
		const char *l = buf + i;
		size_t n = end - i;
		int rc = 0;

		lineno++;
		i = end + 1;
		if (memchr(l, '\0', n) != NULL) {
			rc = err_set(e, "%s:%u: NUL byte", name, lineno);
			goto out_fail;
		}
		if (n > 0 && l[n - 1] == '\r')
			n--; /* CRLF from an editor; a key never ends in CR */
		if (lineno == 1)
			rc = parse_magic(name, l, n, e);
		else if (n > 0 && l[0] != '#')
			rc = parse_record(b, name, lineno, l, n, e);
		if (rc < 0)
			goto out_fail;
	}
	return 0;
out_fail:
	entries_truncate(b, first);
	return -1;
}

int
baseline_load(struct baseline *b, const char *path, struct err *e)
{
	static const struct readfile_opts baselines = { .max = BASELINE_MAX_FILE };
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (readfile(path, &baselines, &buf, &len, e) < 0)
		return -1;
	rc = baseline_parse(b, path, buf, len, e);
	free(buf);
	return rc;
}

/* ---- writing */

static int
entry_cmp(const void *a, const void *b)
{
	const struct baseline_entry *x = *(const struct baseline_entry *const *)a;
	const struct baseline_entry *y = *(const struct baseline_entry *const *)b;

	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Renders the entries of b of the classes in kinds, sorted, into s. */
static void
render(const struct baseline *b, unsigned kinds, struct baseline_entry **sorted, struct sbuf *s)
{
	char head[80];

	snprintf(head, sizeof(head), "%s %d\n", BASELINE_MAGIC, BASELINE_VERSION);
	sb_str(s, head);
	sb_str(s,
	    "# <class> <blocks> <bytes> <stack key: function@file per frame, "
	    "innermost first>\n# classes:");
	for (int c = 0; c < CLASS_COUNT; c++) {
		if (kinds & CLASS_BIT(c)) {
			sb_put(s, " ", 1);
			sb_str(s, model_class_name(c));
		}
	}
	sb_str(s, kinds & CLASS_MASK_ALL ? "\n" : " none\n");
	if (b->n > 0) /* b->ents may be NULL */
		memcpy(sorted, b->ents, b->n * sizeof(*sorted));
	qsort(sorted, b->n, sizeof(*sorted), entry_cmp);
	for (size_t i = 0; i < b->n; i++) {
		char nums[64];

		if (!(kinds & CLASS_BIT(sorted[i]->cls)))
			continue;
		snprintf(nums, sizeof(nums), " %llu %llu ", (unsigned long long)sorted[i]->blocks,
		    (unsigned long long)sorted[i]->bytes);
		sb_str(s, model_class_name(sorted[i]->cls));
		sb_str(s, nums);
		sb_str(s, sorted[i]->key);
		sb_put(s, "\n", 1);
	}
}

/* Writes all of p[0..n) to fd, retrying on EINTR and short writes. */
static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
baseline_write(const struct baseline *b, const char *path, unsigned kinds, struct err *e)
{
	struct baseline_entry **sorted = malloc((b->n ? b->n : 1) * sizeof(*sorted));
	struct sbuf s = { 0 };
	char *tmp = NULL;
	int fd;
	int rc = -1;

	if (sorted == NULL || asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		tmp = NULL;
		err_set(e, "%s: out of memory", path);
		goto out_free;
	}
	render(b, kinds, sorted, &s);
	if (s.oom) {
		err_set(e, "%s: out of memory", path);
		goto out_free;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0) {
		err_set(e, "%s: cannot create '%s': %s", path, tmp, strerror(errno));
		goto out_free;
	}
	if (write_all(fd, s.p, s.len) < 0 || fsync(fd) < 0) {
		err_set(e, "%s: cannot write '%s': %s", path, tmp, strerror(errno));
		close(fd);
		goto out_unlink;
	}
	if (close(fd) < 0) {
		err_set(e, "%s: cannot write '%s': %s", path, tmp, strerror(errno));
		goto out_unlink;
	}
	if (rename(tmp, path) < 0) {
		err_set(e, "%s: cannot rename '%s' to it: %s", path, tmp, strerror(errno));
		goto out_unlink;
	}
	rc = 0;
	goto out_free;
out_unlink:
	unlink(tmp);
out_free:
	free(tmp);
	free(s.p);
	free(sorted);
	return rc;
}
