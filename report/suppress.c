/*
 * suppress.c - LeakSanitizer suppression files: parsing "leak:<pattern>"
 * lines and matching the patterns against symbolized stacks.
 *
 * main.c loads --suppressions FILE and $LEAK_SUPPRESSIONS with supp_load();
 * group.c asks supp_match() for every leak record and credits the rule with
 * supp_hit(); the outputs list the rules with their hits.
 *
 * Invariants: every rule is allocated on its own and never moves, so a
 * struct supp_rule pointer stays valid until supp_free(); rules keep load
 * order; a rule's pattern is never empty (an empty pattern would suppress
 * everything, which LSan does silently and we refuse). A file that fails to
 * parse leaves no rule behind.
 *
 * Matching (supp_pattern_match) splits the pattern at '*' and finds each
 * piece leftmost with memmem(). For patterns whose only wildcard is '*',
 * taking the leftmost occurrence of every piece never loses a match, so
 * there is no backtracking: O(len(pattern) * len(text)) at worst. Unlike
 * LSan's TemplateMatch, "foo$" matches "foofoo" (LSan stops at the first
 * "foo" and fails).
 *
 * Not thread-safe; leakreport is single-threaded.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readfile.h"
#include "sat.h"
#include "suppress.h"

/* Largest suppression file we read; LSan's own limit is far smaller. */
#define SUPP_MAX_FILE (64u << 20)

struct rule {
	struct supp_rule pub; /* first: supp_hit() converts back by cast */
	const struct suppressions *owner;
};

struct suppressions {
	struct rule **rules; /* nrules pointers, load order */
	size_t nrules;
	size_t cap;
	char **files; /* names of loaded files, owned; rules point here */
	size_t nfiles;
	size_t ignored; /* lines of other sanitizer types */
};

/*
 * Types of sanitizer_common's suppression format that other sanitizers
 * (ASan, TSan, UBSan) use: a shared file may hold them, we skip them.
 */
static const char *const other_types[] = {
	/* ASan */
	"interceptor_name",
	"interceptor_via_fun",
	"interceptor_via_lib",
	"odr_violation",
	/* TSan */
	"race",
	"race_top",
	"mutex",
	"thread",
	"signal",
	"called_from_lib",
	"deadlock",
	/* UBSan check names */
	"undefined",
	"alignment",
	"bool",
	"builtin",
	"bounds",
	"enum",
	"float-cast-overflow",
	"float-divide-by-zero",
	"function",
	"implicit-conversion",
	"implicit-integer-sign-change",
	"implicit-signed-integer-truncation",
	"implicit-unsigned-integer-truncation",
	"integer-divide-by-zero",
	"invalid-builtin-use",
	"nonnull-attribute",
	"null",
	"nullability-arg",
	"nullability-assign",
	"nullability-return",
	"object-size",
	"pointer-overflow",
	"return",
	"returns-nonnull-attribute",
	"shift-base",
	"shift-exponent",
	"signed-integer-overflow",
	"unreachable",
	"unsigned-integer-overflow",
	"unsigned-shift-base",
	"vla-bound",
	"vptr",
	"cfi",
};

struct suppressions *
supp_new(void)
{
	return calloc(1, sizeof(struct suppressions));
}

/* Does text[0..n) occur at text's end? */
static bool
ends_with(const char *text, size_t tlen, const char *seg, size_t n)
{
	return tlen >= n && memcmp(text + tlen - n, seg, n) == 0;
}

bool
supp_pattern_match(const char *pattern, const char *text)
{
	size_t plen = strlen(pattern);
	size_t tlen = strlen(text);
	bool start = false;
	bool end = false;
	const char *p = pattern;
	const char *t = text;

	if (tlen == 0)
		return false; /* as LSan: an empty name matches nothing */
	if (plen > 0 && p[0] == '^') {
		start = true;
		p++;
		plen--;
	}
	if (plen > 0 && p[plen - 1] == '$') {
		end = true;
		plen--;
	}
	/* p[0..plen) is now pieces separated by '*'. */
	for (;;) {
		const char *star = memchr(p, '*', plen);
		size_t n = star != NULL ? (size_t)(star - p) : plen;
		size_t left = tlen - (size_t)(t - text);

		if (star == NULL) {
			/* the last piece */
			if (start && end)
				return left == n && memcmp(t, p, n) == 0;
			if (start)
				return left >= n && memcmp(t, p, n) == 0;
			if (end)
				return ends_with(t, left, p, n);
			return n == 0 || memmem(t, left, p, n) != NULL;
		}
		if (start) {
			if (left < n || memcmp(t, p, n) != 0)
				return false;
			t += n;
		} else if (n > 0) {
			const char *at = memmem(t, left, p, n);

			if (at == NULL)
				return false;
			t = at + n;
		}
		start = false; /* after a '*' the next piece may float */
		p = star + 1;
		plen -= n + 1;
	}
}

bool
supp_frame_matches(const char *pat, const struct sym_frame *f)
{
	return (f->function != NULL && supp_pattern_match(pat, f->function)) ||
	    (f->file != NULL && supp_pattern_match(pat, f->file)) ||
	    (f->module != NULL && supp_pattern_match(pat, f->module)) ||
	    (f->module_path != NULL && supp_pattern_match(pat, f->module_path));
}

static bool
rule_matches_frame(const struct rule *r, const struct sym_frame *f)
{
	return supp_frame_matches(r->pub.pattern, f);
}

const struct supp_rule *
supp_match_frame(const struct suppressions *s, const struct sym_frame *f)
{
	for (size_t i = 0; i < s->nrules; i++)
		if (rule_matches_frame(s->rules[i], f))
			return &s->rules[i]->pub;
	return NULL;
}

const struct supp_rule *
supp_match(const struct suppressions *s, const struct sym_frame *frames, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct supp_rule *r = supp_match_frame(s, &frames[i]);

		if (r != NULL)
			return r;
	}
	return NULL;
}

void
supp_hit(struct suppressions *s, const struct supp_rule *r, uint64_t records, uint64_t blocks,
    uint64_t bytes)
{
	/* The cast is sound: pub is the first member of a struct rule that s
	 * allocated and owns (checked by owner). */
	struct rule *rr = (struct rule *)r;

	if (r == NULL || rr->owner != s)
		return;
	sat_amount_add(&rr->pub.hits, records, blocks, bytes);
}

size_t
supp_count(const struct suppressions *s)
{
	return s->nrules;
}

const struct supp_rule *
supp_rule(const struct suppressions *s, size_t i)
{
	return i < s->nrules ? &s->rules[i]->pub : NULL;
}

size_t
supp_ignored(const struct suppressions *s)
{
	return s->ignored;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool
is_other_type(const char *t, size_t n)
{
	for (size_t i = 0; i < sizeof(other_types) / sizeof(other_types[0]); i++)
		if (strlen(other_types[i]) == n && memcmp(other_types[i], t, n) == 0)
			return true;
	return false;
}

/* Appends a rule for pattern p[0..n). 0, or -1 when out of memory. */
static int
rule_append(struct suppressions *s, const char *file, unsigned line, const char *p, size_t n)
{
	struct rule *r;
	char *pat;

	if (s->nrules == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct rule **v = realloc(s->rules, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		s->rules = v;
		s->cap = cap;
	}
	r = calloc(1, sizeof(*r));
	pat = strndup(p, n);
	if (r == NULL || pat == NULL) {
		free(r);
		free(pat);
		return -1;
	}
	r->pub.pattern = pat;
	r->pub.file = file;
	r->pub.line = line;
	r->owner = s;
	s->rules[s->nrules++] = r;
	return 0;
}

static void
rules_truncate(struct suppressions *s, size_t n)
{
	while (s->nrules > n) {
		struct rule *r = s->rules[--s->nrules];

		free((char *)r->pub.pattern);
		free(r);
	}
}

/*
 * Parses one trimmed, non-empty, non-comment line l[0..n). Adds a rule or
 * counts an ignored line in *ignored. 0, or -1 with e filled.
 */
static int
parse_line(struct suppressions *s, const char *name, unsigned lineno, const char *l, size_t n,
    size_t *ignored, struct err *e)
{
	const char *colon = memchr(l, ':', n);
	size_t tlen;
	const char *p;
	size_t plen;

	if (colon == NULL)
		return err_set(e,
		    "%s:%u: expected '<type>:<pattern>' such as 'leak:foo', "
		    "got '%.*s'",
		    name, lineno, (int)(n > 64 ? 64 : n), l);
	tlen = (size_t)(colon - l);
	p = colon + 1;
	plen = n - tlen - 1;
	while (plen > 0 && is_space(*p)) {
		p++;
		plen--;
	}
	if (tlen == 4 && memcmp(l, "leak", 4) == 0) {
		if (plen == 0)
			return err_set(e,
			    "%s:%u: empty pattern after 'leak:' (it would "
			    "suppress every leak; use 'leak:*' to mean that)",
			    name, lineno);
		if (rule_append(s, name, lineno, p, plen) < 0)
			return err_set(e, "%s:%u: out of memory", name, lineno);
		return 0;
	}
	if (is_other_type(l, tlen)) {
		(*ignored)++;
		return 0;
	}
	return err_set(e,
	    "%s:%u: unknown suppression type '%.*s' (expected 'leak:' or "
	    "another sanitizer's type)",
	    name, lineno, (int)(tlen > 64 ? 64 : tlen), l);
}

/* Keeps a copy of name for the rules to point at; NULL when out of memory. */
static const char *
file_intern(struct suppressions *s, const char *name)
{
	char **v = realloc(s->files, (s->nfiles + 1) * sizeof(*v));
	char *copy;

	if (v == NULL)
		return NULL;
	s->files = v;
	copy = strdup(name);
	if (copy == NULL)
		return NULL;
	s->files[s->nfiles++] = copy;
	return copy;
}

int
supp_parse(struct suppressions *s, const char *name, const char *buf, size_t len, struct err *e)
{
	size_t first = s->nrules;
	size_t ignored = 0;
	unsigned lineno = 0;
	const char *file;
	size_t i = 0;

	if (memchr(buf, '\0', len) != NULL)
		return err_set(e, "%s: holds a NUL byte; not a suppression file", name);
	file = file_intern(s, name);
	if (file == NULL)
		return err_set(e, "%s: out of memory", name);
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len;
		const char *l = buf + i;
		size_t n = end - i;

		lineno++;
		i = end + 1;
		while (n > 0 && is_space(*l)) {
			l++;
			n--;
		}
		while (n > 0 && is_space(l[n - 1]))
			n--;
		if (n == 0 || l[0] == '#')
			continue;
		if (parse_line(s, file, lineno, l, n, &ignored, e) < 0) {
			rules_truncate(s, first);
			return -1;
		}
	}
	s->ignored += ignored;
	return 0;
}

int
supp_load(struct suppressions *s, const char *path, struct err *e)
{
	static const struct readfile_opts supps = { .max = SUPP_MAX_FILE };
	char *buf;
	size_t len;
	int rc;

	if (readfile(path, &supps, &buf, &len, e) < 0)
		return -1;
	rc = supp_parse(s, path, buf, len, e);
	free(buf);
	return rc;
}

void
supp_free(struct suppressions *s)
{
	if (s == NULL)
		return;
	rules_truncate(s, 0);
	free(s->rules);
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	free(s);
}

/* Whether dump j < k shipped the same rules as dump k, from the same exe. */
static bool
same_rules(const struct dump *a, const struct dump *b)
{
	if (a->nsuppress != b->nsuppress || strcmp(a->exe, b->exe) != 0)
		return false;
	for (size_t i = 0; i < a->nsuppress; i++)
		if (strcmp(a->suppress[i], b->suppress[i]) != 0)
			return false;
	return true;
}

int
supp_from_dumps(struct suppressions *s, const struct dump *dumps, size_t n, struct err *e)
{
	for (size_t k = 0; k < n; k++) {
		const struct dump *d = &dumps[k];
		bool again = false;

		if (d->nsuppress == 0)
			continue;
		for (size_t j = 0; j < k && !again; j++)
			again = same_rules(&dumps[j], d);
		if (again)
			continue;
		size_t len = 0;

		for (size_t i = 0; i < d->nsuppress; i++)
			len += strlen(d->suppress[i]) + 1;
		char *buf = malloc(len + 1), *name = NULL;
		size_t at = 0;

		if (buf == NULL ||
		    asprintf(&name, "%s's __lsan_default_suppressions", model_basename(d->exe)) <
			0) {
			free(buf);
			return err_set(e, "out of memory");
		}
		for (size_t i = 0; i < d->nsuppress; i++) {
			size_t m = strlen(d->suppress[i]);

			memcpy(buf + at, d->suppress[i], m);
			at += m;
			buf[at++] = '\n';
		}
		int r = supp_parse(s, name, buf, at, e);

		free(buf);
		free(name);
		if (r < 0)
			return -1;
	}
	return 0;
}
