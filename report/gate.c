/*
 * gate.c - the CI gate: parses --fail-on and the --max-* numbers, adds up the
 * leak records main.c feeds it, and decides pass or fail with a one-line
 * reason. main.c turns the decision into the exit code (see gate.h).
 *
 * Invariants: g->kinds only holds bits below CLASS_COUNT; the per-class sums
 * saturate at UINT64_MAX and set records_over/bytes_over, so an overflowing
 * total always counts as over any limit. Pure: no I/O, no allocation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "sat.h"

void
gate_init(struct gate *g)
{
	memset(g, 0, sizeof(*g));
	g->kinds = GATE_KINDS_DEFAULT;
	g->max_leaks = 0;
	g->bytes_limited = false;
}

int
gate_parse_kinds(const char *s, unsigned *mask, struct err *e)
{
	return gate_parse_kinds_opt("--fail-on", s, mask, e);
}

int
gate_parse_kinds_opt(const char *opt, const char *s, unsigned *mask, struct err *e)
{
	unsigned m = 0;
	const char *p = s;

	if (strcmp(s, "all") == 0) {
		*mask = CLASS_MASK_ALL;
		return 0;
	}
	if (strcmp(s, "none") == 0) {
		*mask = 0;
		return 0;
	}
	if (*s == '\0')
		return err_set(e,
		    "%s: empty list (expected " CLASS_NAMES ", resources, all or none)", opt);
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		int c = model_class_parse(p, n);

		if (n == 0)
			return err_set(e, "%s: empty kind in '%s'", opt, s);
		if (c < 0 && n == 9 && memcmp(p, "resources", 9) == 0) {
			m |= CLASS_MASK_RESOURCES; /* fd, timer and thread */
		} else if (c < 0) {
			if ((n == 3 && memcmp(p, "all", 3) == 0) ||
			    (n == 4 && memcmp(p, "none", 4) == 0))
				return err_set(e,
				    "%s: '%.*s' must stand alone, "
				    "not in a list ('%s')",
				    opt, (int)n, p, s);
			return err_set(e,
			    "%s: unknown kind '%.*s' (expected " CLASS_NAMES
			    ", resources, all or none)",
			    opt, (int)(n > 64 ? 64 : n), p);
		} else
			m |= CLASS_BIT(c);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*mask = m;
	return 0;
}

int
gate_parse_u64(const char *opt, const char *s, uint64_t *v, struct err *e)
{
	char *end;
	unsigned long long x;

	/* strtoull alone would accept " 1", "+1" and wrap "-1" to 2^64-1. */
	if (s[0] < '0' || s[0] > '9')
		return err_set(e, "%s: '%.64s' is not a non-negative decimal integer", opt, s);
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return err_set(e, "%s: '%.64s' is out of range (at most %llu)", opt, s,
		    (unsigned long long)UINT64_MAX);
	if (*end != '\0')
		return err_set(e, "%s: '%.64s' is not a non-negative decimal integer", opt, s);
	*v = (uint64_t)x;
	return 0;
}

/* *sum += x, saturating; sets *over when it would pass UINT64_MAX. */
static void
add_sat(uint64_t *sum, uint64_t x, bool *over)
{
	if (sat_add_over(sum, x))
		*over = true;
}

void
gate_add(struct gate *g, enum leak_class cls, uint64_t blocks, uint64_t bytes)
{
	bool ignored = false;

	if ((unsigned)cls >= CLASS_COUNT)
		return;
	add_sat(&g->records[cls], 1, &g->records_over);
	add_sat(&g->blocks[cls], blocks, &ignored);
	add_sat(&g->bytes[cls], bytes, &g->bytes_over);
}

/* Gated totals. A total that overflowed, here or in gate_add, sets *over. */
struct totals {
	uint64_t records;
	uint64_t bytes;
	bool records_over;
	bool bytes_over;
	int nkinds; /* gated kinds that have records */
	int only;   /* the kind, when nkinds == 1 */
};

static void
gated_totals(const struct gate *g, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	t->only = -1;
	for (int c = 0; c < CLASS_COUNT; c++) {
		if (!(g->kinds & CLASS_BIT(c)))
			continue;
		add_sat(&t->records, g->records[c], &t->records_over);
		add_sat(&t->bytes, g->bytes[c], &t->bytes_over);
		if (g->records[c] > 0) {
			t->nkinds++;
			t->only = c;
		}
	}
	/* The per-class flags do not say which class overflowed; a saturated
	 * gated sum is over any limit either way. */
	if (g->records_over && t->records == UINT64_MAX)
		t->records_over = true;
	if (g->bytes_over && t->bytes == UINT64_MAX)
		t->bytes_over = true;
}

/*
 * "3 definite leak records (1024 bytes)" or, with several kinds,
 * "3 leak records (2 definite, 1 indirect; 1024 bytes)".
 */
static void
describe(const struct gate *g, const struct totals *t, char *buf, size_t len)
{
	char bytes[48];
	char kinds[128] = "";
	size_t k = 0;

	snprintf(bytes, sizeof(bytes), "%s%llu byte%s", t->bytes_over ? "more than " : "",
	    (unsigned long long)t->bytes, t->bytes == 1 && !t->bytes_over ? "" : "s");
	if (t->nkinds == 1) {
		snprintf(buf, len, "%s%llu %s leak record%s (%s)",
		    t->records_over ? "more than " : "", (unsigned long long)t->records,
		    model_class_name(t->only), t->records == 1 ? "" : "s", bytes);
		return;
	}
	for (int c = 0; c < CLASS_COUNT; c++) {
		if (!(g->kinds & CLASS_BIT(c)) || g->records[c] == 0 || k >= sizeof(kinds))
			continue;
		k += (size_t)snprintf(kinds + k, sizeof(kinds) - k, "%s%llu %s", k > 0 ? ", " : "",
		    (unsigned long long)g->records[c], model_class_name(c));
	}
	snprintf(buf, len, "%s%llu leak records (%s; %s)", t->records_over ? "more than " : "",
	    (unsigned long long)t->records, kinds, bytes);
}

bool
gate_decide(const struct gate *g, char *reason, size_t len)
{
	struct totals t;
	char what[320]; /* describe() needs at most ~230 */
	char kinds[GATE_KINDS_MAX];

	if (g->kinds == 0) {
		if (len > 0)
			snprintf(reason, len, "--fail-on none");
		return true;
	}
	gated_totals(g, &t);
	if (t.records == 0) {
		if (len > 0)
			snprintf(reason, len, "no %s leak records",
			    gate_kinds_format(g->kinds, kinds, sizeof(kinds)));
		return true;
	}
	describe(g, &t, what, sizeof(what));
	if (t.records_over || t.records > g->max_leaks) {
		if (len > 0)
			snprintf(reason, len, "%s over --max-leaks %llu", what,
			    (unsigned long long)g->max_leaks);
		return false;
	}
	if (g->bytes_limited && (t.bytes_over || t.bytes > g->max_bytes)) {
		if (len > 0)
			snprintf(reason, len, "%s over --max-bytes %llu", what,
			    (unsigned long long)g->max_bytes);
		return false;
	}
	if (len > 0) {
		if (g->bytes_limited)
			snprintf(reason, len, "%s, within --max-leaks %llu and --max-bytes %llu",
			    what, (unsigned long long)g->max_leaks,
			    (unsigned long long)g->max_bytes);
		else
			snprintf(reason, len, "%s, within --max-leaks %llu", what,
			    (unsigned long long)g->max_leaks);
	}
	return true;
}

char *
gate_kinds_format(unsigned mask, char *buf, size_t len)
{
	size_t k = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	mask &= CLASS_MASK_ALL;
	if (mask == 0) {
		snprintf(buf, len, "none");
		return buf;
	}
	if (mask == CLASS_MASK_ALL) {
		snprintf(buf, len, "all");
		return buf;
	}
	for (int c = 0; c < CLASS_COUNT && k < len; c++)
		if (mask & CLASS_BIT(c))
			k += (size_t)snprintf(buf + k, len - k, "%s%s", k > 0 ? "," : "",
			    model_class_name(c));
	return buf;
}
