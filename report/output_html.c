/*
 * output_html.c - the report as one self-contained HTML page: summary and
 * gate, a flame graph of the listed records, the records' table with each
 * stack and retention path, and for snapshots of one process the heap
 * timeline with trend's growing stacks. `leakreport trend --format html`
 * writes the same page without the report's parts.
 *
 * The summary and the table are HTML written here, so the page reads with
 * scripts off; the flame graph, the sorting and the timeline are drawn by
 * report/html/report.js from a JSON block (<script type="application/json">,
 * the technique of d3-flame-graph and memray: the data once, the boxes made
 * by the browser, so zoom, search and the kind and weight switches need no
 * second copy of the tree). The CSS and JS are embedded at build time
 * (html_assets.h, generated from report/html/ by the Makefile). Nothing is
 * loaded from anywhere: no URL of any scheme is written, and "http:" or
 * "https:" inside a name from a dump is written with its ':' escaped.
 *
 * Size: the rows, records and frames of the data are rendered in memory
 * first; once HTML_BUDGET bytes or HTML_MAX_RECORDS records are reached,
 * the remaining listed records (the smallest: the list is sorted) fold into
 * one "other" box and one line of the table, and the page says so. A frame
 * is in the data once (merged by function and module), a record's stack is
 * its list of frame numbers, root first, at most HTML_MAX_DEPTH deep.
 *
 * Called by main.c; renders struct report and struct trend, computes
 * nothing else. Every string from a dump or debug info is escaped
 * (markup.c; JSON with '<', '>' and '&' as \u escapes, so no name can end
 * the script block).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html_assets.h"
#include "markup.h"
#include "options.h"
#include "output_folded.h"
#include "output_html.h"
#include "output_json.h"
#include "output_text.h"
#include "series.h"

/* Bytes of table rows and flame graph data before records fold into
 * "other"; with the page's fixed parts (about 40 KB) it stays under 5 MB. */
#define HTML_BUDGET (4u << 20)

/* ---- escaping */

/* Length of "http:" or "https:" (any case) at s, else 0. */
static size_t
url_scheme_at(const char *s)
{
	if (strncasecmp(s, "http:", 5) == 0)
		return 5;
	if (strncasecmp(s, "https:", 6) == 0)
		return 6;
	return 0;
}

/* s as HTML text or attribute value (markup_escape), with the ':' of any
 * "http:"/"https:" as "&#58;": the page holds no URL. */
static void
html_text(FILE *f, const char *s)
{
	const char *p;

	if (s == NULL)
		return;
	for (p = s; *p != '\0'; p++) {
		size_t n = url_scheme_at(p);

		if (n == 0)
			continue;
		markup_escape_n(f, s, (size_t)(p - s) + n - 1);
		fputs("&#58;", f);
		s = p + n;
		p = s - 1;
	}
	markup_escape(f, s);
}

/* s as a JSON string for the data block: output_json_string's escaping,
 * then '<', '>', '&' and the ':' of "http:"/"https:" as \u escapes. */
static void
js_string(FILE *f, const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL)
		return;
	output_json_string(m, s);
	if (fclose(m) == EOF) {
		free(buf);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		size_t n = url_scheme_at(buf + i);

		if (n > 0) {
			fwrite(buf + i, 1, n - 1, f);
			fputs("\\u003a", f);
			i += n - 1;
		} else if (buf[i] == '<' || buf[i] == '>' || buf[i] == '&') {
			fprintf(f, "\\u%04x", (unsigned char)buf[i]);
		} else {
			fputc(buf[i], f);
		}
	}
	free(buf);
}

/* A growing buffer written through a FILE (open_memstream). */
struct mbuf {
	char *p;
	size_t len;
	FILE *f;
};

static int
mbuf_open(struct mbuf *b)
{
	b->p = NULL;
	b->len = 0;
	b->f = open_memstream(&b->p, &b->len);
	return b->f == NULL ? -1 : 0;
}

/* Current length (flushed). */
static size_t
mbuf_len(struct mbuf *b)
{
	fflush(b->f);
	return b->len;
}

/* Closes b and writes its bytes to f. */
static int
mbuf_drain(struct mbuf *b, FILE *f)
{
	int ret = fclose(b->f) == EOF ? -1 : 0;

	b->f = NULL;
	if (ret == 0 && b->len > 0)
		fwrite(b->p, 1, b->len, f);
	free(b->p);
	b->p = NULL;
	return ret;
}

static void
mbuf_discard(struct mbuf *b)
{
	if (b->f != NULL)
		fclose(b->f);
	free(b->p);
	b->f = NULL;
	b->p = NULL;
}

/* ---- the frames of the flame graph, each once: open addressing on the
 * key "name\1module" -> index in the data's frames array */

struct frames {
	char **keys; /* cap slots, NULL: empty */
	uint32_t *idx;
	size_t cap; /* a power of two, at most half full */
	size_t n;
	struct mbuf json; /* the frames array's elements, "," separated */
};

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static int
frames_grow(struct frames *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	char **keys = calloc(cap, sizeof(*keys));
	uint32_t *idx = calloc(cap, sizeof(*idx));

	if (keys == NULL || idx == NULL) {
		free(keys);
		free(idx);
		return -1;
	}
	for (size_t i = 0; i < t->cap; i++) {
		size_t k;

		if (t->keys[i] == NULL)
			continue;
		for (k = str_hash(t->keys[i]) & (cap - 1); keys[k] != NULL; k = (k + 1) & (cap - 1))
			;
		keys[k] = t->keys[i];
		idx[k] = t->idx[i];
	}
	free(t->keys);
	free(t->idx);
	t->keys = keys;
	t->idx = idx;
	t->cap = cap;
	return 0;
}

/* The data index of frame fr (own: in the program's executable), added to
 * the frames array when new; -1 when out of memory. */
static long
frames_intern(struct frames *t, const struct sym_frame *fr, bool own)
{
	char *name = NULL, *key = NULL;
	size_t nlen = 0;
	FILE *m = open_memstream(&name, &nlen);
	size_t k;

	if (m == NULL)
		return -1;
	output_folded_name(m, fr);
	if (fclose(m) == EOF || asprintf(&key, "%s\1%s", name, fr->module ? fr->module : "") < 0) {
		free(name);
		return -1;
	}
	if ((t->n + 1) * 2 > t->cap && frames_grow(t) < 0)
		goto out_oom;
	for (k = str_hash(key) & (t->cap - 1); t->keys[k] != NULL; k = (k + 1) & (t->cap - 1))
		if (strcmp(t->keys[k], key) == 0) {
			free(key);
			free(name);
			return t->idx[k];
		}
	t->keys[k] = key;
	t->idx[k] = (uint32_t)t->n;
	fputs(t->n ? ",\n[" : "[", t->json.f);
	js_string(t->json.f, name);
	fputc(',', t->json.f);
	if (fr->file != NULL) {
		char *loc = NULL;

		if (fr->line != 0 &&
		    asprintf(&loc, "%s:%u", model_basename(fr->file), fr->line) >= 0) {
			js_string(t->json.f, loc);
			free(loc);
		} else {
			js_string(t->json.f, model_basename(fr->file));
		}
	} else {
		fputs("\"\"", t->json.f);
	}
	fputc(',', t->json.f);
	js_string(t->json.f, fr->module != NULL ? fr->module : "");
	fprintf(t->json.f, ",%d]", own ? 1 : 0);
	free(name);
	return (long)t->n++;
out_oom:
	free(key);
	free(name);
	return -1;
}

static void
frames_free(struct frames *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->keys[i]);
	free(t->keys);
	free(t->idx);
	mbuf_discard(&t->json);
}

/* ---- the page */

struct page {
	FILE *f;
	const struct report *r;       /* NULL: the trend page */
	const struct trend *t;        /* NULL: no timeline */
	const struct per_process *pp; /* NULL: no processes' table */
	struct mbuf rows;             /* table rows */
	struct mbuf recs;             /* the data's records array elements */
	struct frames frames;
	size_t kept;          /* listed records in rows and recs; the rest fold */
	struct amount other;  /* the folded ones */
	struct mbuf timeline; /* the data's timeline object, or "null" */
};

static void
put_head(struct page *pg, const char *title)
{
	FILE *f = pg->f;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"leakreport " LEAKREPORT_VERSION "\">\n<title>",
	    f);
	html_text(f, title);
	fputs("</title>\n<style>\n", f);
	fputs(html_css, f);
	fputs("</style>\n</head>\n<body>\n", f);
}

static void
put_amount_row(FILE *f, const char *cls, const char *name, const struct amount *a)
{
	fprintf(f,
	    "<tr><td class=\"lk-kind %s\">%s</td><td class=\"lk-num\">%" PRIu64
	    "</td><td class=\"lk-num\">%" PRIu64 "</td><td class=\"lk-num\">%" PRIu64
	    "</td></tr>\n",
	    cls, name, a->records, a->blocks, a->bytes);
}

static void
put_summary(struct page *pg)
{
	const struct report *r = pg->r;
	FILE *f = pg->f;
	const char *exe = r->ndumps > 0 ? model_basename(r->dumps[0].exe) : "no dump";

	fputs("<header><h1>Leak report: ", f);
	html_text(f, exe);
	fprintf(f, "</h1>\n<p class=\"lk-sub\">leakreport " LEAKREPORT_VERSION " &middot; %zu %s",
	    r->ndumps, r->ndumps == 1 ? "dump" : "dumps");
	if (r->ndumps == 1)
		fprintf(f, " of pid %" PRIu64, r->dumps[0].pid);
	fprintf(f, " &middot; one record per %s</p></header>\n", group_by_name(r->group_by));
	fputs("<section id=\"lk-summary\">\n<h2>Summary</h2>\n<table>\n<thead><tr><th>Kind</th>"
	      "<th class=\"lk-num\">Records</th><th class=\"lk-num\">Blocks</th>"
	      "<th class=\"lk-num\">Bytes</th></tr></thead>\n<tbody>\n",
	    f);
	for (int c = 0; c < CLASS_COUNT; c++) {
		char cls[32];

		snprintf(cls, sizeof(cls), "lk-kind-%s", model_class_name(c));
		put_amount_row(f, cls, model_class_name(c), &r->cls[c]);
	}
	put_amount_row(f, "", "leaked (definite, indirect, possible)", &r->leaked);
	if (r->suppressed.blocks > 0)
		put_amount_row(f, "", "suppressed", &r->suppressed);
	if (r->seen.blocks > 0)
		put_amount_row(f, "", "seen (reported by an earlier check; --seen lists them)",
		    &r->seen);
	if (r->baseline)
		put_amount_row(f, "", "known (in the baseline)", &r->known);
	fprintf(f,
	    "</tbody>\n</table>\n<p id=\"lk-facts\">Allocations tracked: <b>%" PRIu64
	    "</b> &middot; peak live heap: <b>%" PRIu64 "</b> bytes &middot; processes: <b>%zu</b>",
	    r->total_allocs, r->peak_bytes, r->ndumps);
	if (r->dropped > 0)
		fprintf(f, " &middot; blocks not tracked (out of memory): <b>%" PRIu64 "</b>",
		    r->dropped);
	fprintf(f, "</p>\n<p id=\"lk-gate\" class=\"lk-gate lk-gate-%s\">Gate: %s: ",
	    r->gate.passed ? "passed" : "failed", r->gate.passed ? "passed" : "FAILED");
	html_text(f, r->gate.reason);
	fputs("</p>\n</section>\n", f);
}

/* The site frame's name and location, for a row's summary line. */
static void
put_site(FILE *f, const struct leak *l)
{
	const struct sym_frame *fr;

	if (l->nframes == 0) {
		fputs("<b>no stack was captured</b>", f);
		return;
	}
	fr = &l->frames[l->site];
	fputs("<b>", f);
	if (fr->function != NULL) {
		html_text(f, fr->function);
	} else {
		char *s = NULL;
		size_t n = 0;
		FILE *m = open_memstream(&s, &n);

		if (m != NULL) {
			output_folded_name(m, fr);
			fclose(m);
			html_text(f, s);
			free(s);
		}
	}
	fputs("</b>", f);
	if (fr->file != NULL) {
		fputs(" <span class=\"lk-loc\">", f);
		html_text(f, model_basename(fr->file));
		if (fr->line != 0)
			fprintf(f, ":%u", fr->line);
		fputs("</span>", f);
	}
}

/* The stack as the text report prints it, and the retention path. */
static void
put_stack_pre(FILE *f, const struct sym_frame *frames, size_t n, const struct retainer *x)
{
	char *s = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&s, &len);

	if (m == NULL)
		return;
	output_text_stack(m, frames, n);
	if (x != NULL) {
		fputs("    ", m);
		output_text_retainer(m, x);
		fputc('\n', m);
	}
	fclose(m);
	fputs("<pre>", f);
	html_text(f, s);
	fputs("</pre>", f);
	free(s);
}

static void
put_row(FILE *f, const struct report *r, const struct leak *l)
{
	const char *kind = model_class_name(l->cls);

	fprintf(f,
	    "<tr data-kind=\"%d\" data-bytes=\"%" PRIu64 "\" data-blocks=\"%" PRIu64
	    "\" data-procs=\"%zu\"><td class=\"lk-kind lk-kind-%s\">%s</td><td class=\"lk-num\">%" PRIu64
	    "</td><td class=\"lk-num\">%" PRIu64 "</td><td class=\"lk-num\">%zu</td><td><details>"
	    "<summary>",
	    (int)l->cls, l->bytes, l->blocks, l->npoints, kind, kind, l->bytes, l->blocks,
	    l->npoints);
	put_site(f, l);
	if (l->known)
		fputs(" <span class=\"lk-note\">known (in the baseline), not gated</span>", f);
	if (l->stacks > 1)
		fprintf(f, " <span class=\"lk-note\">%u stacks merged</span>", l->stacks);
	fputs("</summary>", f);
	put_stack_pre(f, l->frames, l->nframes, l->retained_by);
	/* A resource record: each one, by number, with what it was. */
	for (size_t k = 0; k < l->nres && k < 20; k++) {
		const struct resource *x = l->res[k].r;

		fprintf(f, "%s%s %" PRIu64 ": ", k ? "<br>" : "<p class=\"lk-loc\">",
		    model_class_name(x->cls), x->id);
		html_text(f, x->desc);
		fprintf(f, " (%s)", x->fn);
		if (l->res[k].start != NULL) {
			fputs(", start routine ", f);
			html_text(f, l->res[k].start);
		}
	}
	if (l->nres > 20)
		fprintf(f, "<br>and %zu more", l->nres - 20);
	if (l->nres > 0)
		fputs("</p>", f);
	if (l->npoints > 1 || r->nexes > 1) {
		fputs("<p class=\"lk-loc\">from", f);
		for (size_t k = 0; k < l->npoints && k < 8; k++) {
			const struct dump *d = &r->dumps[l->points[k].dump];

			fprintf(f, "%s pid %" PRIu64 " (", k ? "," : "", d->pid);
			html_text(f, model_basename(d->exe));
			fputc(')', f);
		}
		if (l->npoints > 8)
			fprintf(f, " and %zu more processes", l->npoints - 8);
		fputs("</p>", f);
	}
	fputs("</details></td></tr>\n", f);
}

/* The data record of l: kind, bytes, blocks, frame numbers root first; of
 * a stack deeper than HTML_MAX_DEPTH, its innermost frames. */
static int
put_record(struct page *pg, const struct leak *l)
{
	const char *exe = pg->r->dumps[l->points[0].dump].exe;
	size_t depth = l->nframes > HTML_MAX_DEPTH ? HTML_MAX_DEPTH : l->nframes;
	FILE *f = pg->recs.f;

	fprintf(f, "%s{\"k\":%d,\"b\":%" PRIu64 ",\"n\":%" PRIu64 ",\"s\":[", pg->kept ? ",\n" : "",
	    (int)l->cls, l->bytes, l->blocks);
	if (l->nframes == 0) {
		static const struct sym_frame none = { .function = "[no stack]" };
		long id = frames_intern(&pg->frames, &none, false);

		if (id < 0)
			return -1;
		fprintf(f, "%ld", id);
	}
	for (size_t k = depth; k-- > 0;) {
		const struct sym_frame *fr = &l->frames[k];
		bool own =
		    fr->module_path != NULL && exe != NULL && strcmp(fr->module_path, exe) == 0;
		long id = frames_intern(&pg->frames, fr, own);

		if (id < 0)
			return -1;
		fprintf(f, "%s%ld", k + 1 == depth ? "" : ",", id);
	}
	fputs("]}", f);
	return 0;
}

/* Renders the rows and the data of the listed records into memory, until
 * the budget; the rest are summed into pg->other. */
static int
build_records(struct page *pg)
{
	const struct report *r = pg->r;

	for (size_t i = 0; i < r->nshown; i++) {
		const struct leak *l = r->shown[i];

		if (pg->kept >= HTML_MAX_RECORDS ||
		    mbuf_len(&pg->rows) + mbuf_len(&pg->recs) + mbuf_len(&pg->frames.json) >
			HTML_BUDGET) {
			sat_amount_add(&pg->other, 1, l->blocks, l->bytes);
			continue;
		}
		put_row(pg->rows.f, r, l);
		if (put_record(pg, l) < 0)
			return -1;
		pg->kept++;
	}
	return 0;
}

static void
put_flame(struct page *pg)
{
	FILE *f = pg->f;

	fputs("<section id=\"lk-flame-section\">\n<h2>Flame graph of the listed records</h2>\n"
	      "<noscript><p>The flame graph, sorting and the timeline need JavaScript; the summary "
	      "and the records do not.</p></noscript>\n"
	      "<div class=\"lk-controls\" id=\"lk-flame-controls\" hidden>\n"
	      "<label>Kinds <select id=\"lk-kind\"><option value=\"leaks\">leaks</option>"
	      "<option value=\"reachable\">reachable</option><option value=\"all\">all</option>"
	      "</select></label>\n<label>Width <select id=\"lk-weight\"><option value=\"bytes\">"
	      "bytes</option><option value=\"blocks\">blocks</option></select></label>\n"
	      "<input type=\"search\" id=\"lk-search\" placeholder=\"highlight functions\" "
	      "aria-label=\"highlight functions\">\n<button type=\"button\" id=\"lk-reset\">Reset "
	      "zoom</button>\n<span id=\"lk-legend\"><span style=\"background:hsl(25,85%,62%)\">"
	      "</span>the program's code<span style=\"background:hsl(205,55%,66%)\"></span>"
	      "libraries</span>\n</div>\n<div id=\"lk-tip\">Root at the bottom, callers below "
	      "callees; width in proportion to the bytes. Hover a box for its details, click to "
	      "zoom.</div>\n<div id=\"lk-flame\"></div>\n<p id=\"lk-flame-info\" class=\"lk-note\">"
	      "</p>\n",
	    f);
	if (!(pg->r->show & CLASS_BIT(CLASS_REACHABLE)))
		fputs("<p class=\"lk-note\">Reachable records are counted in the summary but not "
		      "listed: run leakreport with --show all to have them here.</p>\n",
		    f);
	if (pg->other.records > 0)
		fprintf(f,
		    "<p id=\"lk-folded\" class=\"lk-note\">The %" PRIu64
		    " smallest listed records (%" PRIu64 " bytes in %" PRIu64
		    " blocks) are folded into one &ldquo;other&rdquo; box and one table line, to "
		    "keep the page small; the text, JSON and SARIF outputs list them.</p>\n",
		    pg->other.records, pg->other.bytes, pg->other.blocks);
	fputs("</section>\n", f);
}

static int
put_records(struct page *pg)
{
	const struct report *r = pg->r;
	FILE *f = pg->f;

	fprintf(f,
	    "<section id=\"lk-records-section\">\n<h2>Records</h2>\n<p class=\"lk-sub\">%zu listed "
	    "(kinds shown by --show)",
	    r->nshown);
	if (r->ncut > 0)
		fprintf(f, "; %zu more left out by --top", r->ncut);
	fputs(". Click a row for its stack.</p>\n<table id=\"lk-records\" class=\"lk-sortable\">\n"
	      "<thead><tr><th data-sort=\"kind\">Kind</th><th data-sort=\"bytes\" "
	      "class=\"lk-num\">Bytes</th><th data-sort=\"blocks\" class=\"lk-num\">Blocks</th>"
	      "<th data-sort=\"procs\" class=\"lk-num\">Processes</th><th>Allocated in</th></tr>"
	      "</thead>\n<tbody>\n",
	    f);
	if (mbuf_drain(&pg->rows, f) < 0)
		return -1;
	fputs("</tbody>\n", f);
	if (pg->other.records > 0)
		fprintf(f,
		    "<tfoot><tr><td>other</td><td class=\"lk-num\">%" PRIu64
		    "</td><td class=\"lk-num\">%" PRIu64 "</td><td></td><td>%" PRIu64
		    " smallest records, folded</td></tr></tfoot>\n",
		    pg->other.bytes, pg->other.blocks, pg->other.records);
	fputs("</table>\n</section>\n", f);
	return 0;
}

/* --per-process: every process with its blocks and bytes in the gated
 * records, in per_process.c's order. */
static void
put_processes(struct page *pg)
{
	const struct per_process *pp = pg->pp;
	char kinds[40];
	FILE *f = pg->f;

	fprintf(f,
	    "<section id=\"lk-processes\">\n<h2>Processes</h2>\n<p class=\"lk-sub\">Blocks and "
	    "bytes of each process in the gated records (%s, after suppressions and the "
	    "baseline); %zu with none.</p>\n<table id=\"lk-procs\" class=\"lk-sortable\">\n"
	    "<thead><tr><th data-sort=\"pid\" class=\"lk-num\">Pid</th><th>Kind</th><th "
	    "data-sort=\"blocks\" class=\"lk-num\">Blocks</th><th data-sort=\"bytes\" "
	    "class=\"lk-num\">Bytes</th><th>Executable</th></tr></thead>\n<tbody>\n",
	    gate_kinds_format(pp->kinds, kinds, sizeof(kinds)), pp->nclean);
	for (size_t i = 0; i < pp->n; i++) {
		const struct proc_row *row = &pp->rows[i];

		fprintf(f,
		    "<tr data-pid=\"%" PRIu64 "\" data-blocks=\"%" PRIu64 "\" data-bytes=\"%" PRIu64
		    "\"><td class=\"lk-num\">%" PRIu64
		    "</td><td>%s</td><td class=\"lk-num\">%" PRIu64
		    "</td><td class=\"lk-num\">%" PRIu64 "</td><td>",
		    row->dump->pid, row->blocks, row->bytes, row->dump->pid,
		    model_dump_kind(row->dump), row->blocks, row->bytes);
		html_text(f, row->dump->exe);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n</section>\n", f);
}

/* "snapshot 3" or "exit dump". */
static void
point_name(FILE *f, const struct dump *d)
{
	if (d->snapshot)
		fprintf(f, "snapshot %" PRIu64, d->seq);
	else
		fputs("exit dump", f);
}

/* The data's timeline object: per dump its label, seconds since the first,
 * live bytes, RSS; per growing stack its live bytes in each dump. */
static int
build_timeline(struct page *pg)
{
	const struct trend *t = pg->t;
	FILE *f = pg->timeline.f;
	uint64_t *bytes;

	if (t == NULL) {
		fputs("null", f);
		return 0;
	}
	fputs("{\"labels\":[", f);
	for (size_t i = 0; i < t->ndumps; i++) {
		char *s = NULL;
		size_t n = 0;
		FILE *m = open_memstream(&s, &n);

		if (m == NULL)
			return -1;
		point_name(m, &t->dumps[i]);
		fclose(m);
		fputs(i ? "," : "", f);
		js_string(f, s);
		free(s);
	}
	fputs("],\"t\":[", f);
	for (size_t i = 0; i < t->ndumps; i++) {
		uint64_t us = series_usec_between(&t->dumps[0], &t->dumps[i]);

		fprintf(f, "%s%" PRIu64 ".%06u", i ? "," : "", us / 1000000,
		    (unsigned)(us % 1000000));
	}
	fputs("],\"live\":[", f);
	for (size_t i = 0; i < t->ndumps; i++)
		fprintf(f, "%s%" PRIu64, i ? "," : "", t->dumps[i].stats.live_bytes);
	fputs("],\"rss\":[", f);
	for (size_t i = 0; i < t->ndumps; i++)
		fprintf(f, "%s%" PRIu64, i ? "," : "", t->dumps[i].stats.rss_bytes);
	fputs("],\"series\":[", f);
	bytes = calloc(t->ndumps, sizeof(*bytes));
	if (bytes == NULL)
		return -1;
	for (size_t g = 0; g < t->ngrowing; g++) {
		const struct leak *l = t->growing[g].leak;
		char *s = NULL;
		size_t n = 0;
		FILE *m = open_memstream(&s, &n);

		if (m == NULL) {
			free(bytes);
			return -1;
		}
		if (l->nframes > 0)
			output_folded_name(m, &l->frames[0]);
		else
			fputs("[no stack]", m);
		fclose(m);
		fputs(g ? ",{\"name\":" : "{\"name\":", f);
		js_string(f, s);
		free(s);
		series_amounts(l, t->ndumps, bytes, NULL);
		fputs(",\"b\":[", f);
		for (size_t i = 0; i < t->ndumps; i++)
			fprintf(f, "%s%" PRIu64, i ? "," : "", bytes[i]);
		fputs("]}", f);
	}
	free(bytes);
	fputs("]}", f);
	return 0;
}

static void
put_timeline(struct page *pg)
{
	const struct trend *t = pg->t;
	const struct dump *first = &t->dumps[0], *last = &t->dumps[t->ndumps - 1];
	FILE *f = pg->f;

	fprintf(f,
	    "<section id=\"lk-timeline\">\n<h2>Heap timeline</h2>\n<p class=\"lk-sub\">%zu dumps "
	    "of pid %" PRIu64 " from ",
	    t->ndumps, first->pid);
	point_name(f, first);
	fputs(" to ", f);
	point_name(f, last);
	fprintf(f,
	    "; live heap %" PRIu64 " &rarr; %" PRIu64 " bytes, RSS %" PRIu64 " &rarr; %" PRIu64
	    " bytes; %zu of %zu stacks grew at each of the last %" PRIu64
	    " or more steps.</p>\n<div id=\"lk-heap-chart\"></div>\n<div id=\"lk-growth-chart\">"
	    "</div>\n",
	    first->stats.live_bytes, last->stats.live_bytes, first->stats.rss_bytes,
	    last->stats.rss_bytes, t->ngrowing, t->nstacks, t->min_steps);
	fputs("<table id=\"lk-dumps\">\n<thead><tr><th>Dump</th><th class=\"lk-num\">Seconds</th>"
	      "<th class=\"lk-num\">Live bytes</th><th class=\"lk-num\">Live blocks</th>"
	      "<th class=\"lk-num\">RSS</th><th>File</th></tr></thead>\n<tbody>\n",
	    f);
	for (size_t i = 0; i < t->ndumps; i++) {
		const struct dump *d = &t->dumps[i];
		uint64_t us = series_usec_between(first, d);

		fputs("<tr><td>", f);
		point_name(f, d);
		fprintf(f,
		    "</td><td class=\"lk-num\">%" PRIu64 ".%03u</td><td class=\"lk-num\">%" PRIu64
		    "</td><td class=\"lk-num\">%" PRIu64 "</td><td class=\"lk-num\">%" PRIu64
		    "</td><td>",
		    us / 1000000, (unsigned)(us % 1000000 / 1000), d->stats.live_bytes,
		    d->stats.live_blocks, d->stats.rss_bytes);
		html_text(f, d->path);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n<h3>Growing stacks</h3>\n", f);
	if (t->ngrowing == 0)
		fputs("<p class=\"lk-note\">No stack grew at each of the last steps.</p>\n", f);
	else
		fputs(
		    "<table id=\"lk-growing\" class=\"lk-sortable\">\n<thead><tr><th "
		    "data-sort=\"growth\" class=\"lk-num\">Growth (bytes)</th><th data-sort=\"steps\" "
		    "class=\"lk-num\">Steps</th><th class=\"lk-num\">Bytes/s</th><th>Stack</th></tr>"
		    "</thead>\n<tbody>\n",
		    f);
	for (size_t g = 0; g < t->ngrowing; g++) {
		const struct trend_item *x = &t->growing[g];
		const struct leak *l = x->leak;

		fprintf(f,
		    "<tr data-growth=\"%" PRIu64
		    "\" data-steps=\"%zu\"><td class=\"lk-num\">+%" PRIu64
		    "</td><td class=\"lk-num\">%zu</td><td class=\"lk-num\">",
		    x->growth_bytes, x->steps, x->growth_bytes, x->steps);
		if (x->rate_known)
			fprintf(f, "%.1f", x->bytes_per_second);
		else
			fputs("unknown", f);
		fputs("</td><td><details><summary>", f);
		put_site(f, l);
		fprintf(f, " <span class=\"lk-loc\">%" PRIu64 " &rarr; %" PRIu64 " bytes</span>",
		    x->first_bytes, x->last_bytes);
		fputs("</summary>", f);
		put_stack_pre(f, l->frames, l->nframes, NULL);
		fputs("</details></td></tr>\n", f);
	}
	if (t->ngrowing > 0)
		fputs("</tbody>\n</table>\n", f);
	fputs("</section>\n", f);
}

static void
put_trend_header(struct page *pg)
{
	const struct trend *t = pg->t;
	FILE *f = pg->f;

	fputs("<header><h1>Heap trend: ", f);
	html_text(f, model_basename(t->dumps[0].exe));
	fprintf(f,
	    "</h1>\n<p class=\"lk-sub\">leakreport " LEAKREPORT_VERSION
	    " trend &middot; pid %" PRIu64 " &middot; --min-steps %" PRIu64 "</p></header>\n",
	    t->dumps[0].pid, t->min_steps);
	fprintf(f,
	    "<section id=\"lk-summary\">\n<h2>Summary</h2>\n<p id=\"lk-facts\">Dumps: <b>%zu</b> "
	    "&middot; stacks: <b>%zu</b> &middot; growing: <b>%zu</b></p>\n</section>\n",
	    t->ndumps, t->nstacks, t->ngrowing);
}

static int
put_data(struct page *pg)
{
	FILE *f = pg->f;

	fputs("<script type=\"application/json\" id=\"lk-data\">\n{\"kinds\":[", f);
	for (int c = 0; c < CLASS_COUNT; c++)
		fprintf(f, "%s\"%s\"", c ? "," : "", model_class_name(c));
	fputs("],\n\"frames\":[", f);
	if (mbuf_drain(&pg->frames.json, f) < 0)
		return -1;
	fputs("],\n\"records\":[", f);
	if (mbuf_drain(&pg->recs, f) < 0)
		return -1;
	fputs("],\n\"other\":", f);
	if (pg->other.records > 0)
		fprintf(f, "{\"b\":%" PRIu64 ",\"n\":%" PRIu64 ",\"records\":%" PRIu64 "}",
		    pg->other.bytes, pg->other.blocks, pg->other.records);
	else
		fputs("null", f);
	fputs(",\n\"timeline\":", f);
	if (mbuf_drain(&pg->timeline, f) < 0)
		return -1;
	fputs("}\n</script>\n<script>\n", f);
	fputs(html_js, f);
	fputs("</script>\n</body>\n</html>\n", f);
	return 0;
}

int
output_html(FILE *f, const struct report *r, const struct per_process *pp, const struct trend *t)
{
	struct page pg;
	int ret = -1;

	memset(&pg, 0, sizeof(pg));
	pg.f = f;
	pg.r = r;
	pg.t = t;
	pg.pp = pp;
	if (mbuf_open(&pg.rows) < 0 || mbuf_open(&pg.recs) < 0 || mbuf_open(&pg.frames.json) < 0 ||
	    mbuf_open(&pg.timeline) < 0)
		goto out;
	if ((r != NULL && build_records(&pg) < 0) || build_timeline(&pg) < 0)
		goto out;
	if (r != NULL) {
		char *title = NULL;

		if (asprintf(&title, "Leak report: %s",
			r->ndumps > 0 ? model_basename(r->dumps[0].exe) : "no dump") < 0)
			goto out;
		put_head(&pg, title);
		free(title);
		put_summary(&pg);
		put_flame(&pg);
		if (t != NULL)
			put_timeline(&pg);
		if (put_records(&pg) < 0)
			goto out;
		if (pp != NULL)
			put_processes(&pg);
	} else {
		put_head(&pg, "Heap trend");
		put_trend_header(&pg);
		put_timeline(&pg);
	}
	ret = put_data(&pg);
out:
	mbuf_discard(&pg.rows);
	mbuf_discard(&pg.recs);
	mbuf_discard(&pg.timeline);
	frames_free(&pg.frames);
	return ret < 0 || ferror(f) ? -1 : 0;
}
