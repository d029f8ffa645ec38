/*
 * output_text.c - the report as text, in the shape LeakSanitizer prints:
 *
 *   Direct leak of 4096 byte(s) in 16 object(s) allocated from:
 *       #0 0x55d4c0001189 in make_node src/list.c:42 (app)
 *       #1 0x55d4c00011c2 (app+0x11c2)
 *     note: 3 different stacks
 *     note: from 2 processes of test_list, test_tree
 *
 *   Still reachable: 16 byte(s) in 1 object(s) allocated from:
 *       #0 0x55d4c00011e0 in cache_entry src/cache.c:12 (app)
 *       held by global g_cache (app .bss) -> block of 64 bytes from cache_put -> this block
 *
 *   Leaked file descriptor 7 (socket TCP 127.0.0.1:40022 -> 127.0.0.1:8080
 *   ESTABLISHED) opened with socket() at:
 *       #0 0x55d4c0001201 in connect_backend src/net.c:88 (app)
 *
 *   SUMMARY: libleak: 4120 byte(s) leaked in 17 allocation(s).
 *
 * then, with --per-process, the processes that hold gated blocks, then
 * per-kind totals, every suppression rule with its hits (as JSON lists
 * them), the baseline and the gate.
 * Called by main.c after the gate; it renders struct report and computes
 * nothing. Strings from dumps and debug info are printed with control
 * bytes replaced by '?', so one record line stays one line.
 */
#include <string.h>

#include "output_text.h"

#define ORIGIN_NAMES 4 /* exe names in a "from N processes" note; the rest counted */

#define C_RED   "\033[1;31m"
#define C_GREEN "\033[1;32m"
#define C_BOLD  "\033[1m"
#define C_OFF   "\033[0m"

struct tx {
	FILE *f;
	bool color;
};

void
output_text_str(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static const char *
on(const struct tx *t, const char *code)
{
	return t->color ? code : "";
}

static const char *
off(const struct tx *t)
{
	return t->color ? C_OFF : "";
}

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Frame number i of a stack, one line (docs/leakreport.md, "Text output"). */
static void
put_frame(FILE *f, size_t i, const struct sym_frame *fr)
{
	fprintf(f, "    #%zu " ADDR_FMT, i, fr->pc);
	if (fr->function != NULL) {
		fputs(" in ", f);
		output_text_str(f, fr->function);
	}
	if (fr->function != NULL && fr->file != NULL) {
		fputc(' ', f);
		output_text_str(f, fr->file);
		if (fr->line != 0)
			fprintf(f, ":%u", fr->line);
		if (fr->module != NULL) {
			fputs(" (", f);
			output_text_str(f, fr->module);
			fputc(')', f);
		}
	} else if (fr->module != NULL) {
		fputs(" (", f);
		output_text_str(f, fr->module);
		fprintf(f, "+" ADDR_FMT ")", fr->offset);
	} else {
		fputs(" (<unknown module>)", f);
	}
	if (fr->inlined)
		fputs(" (inlined)", f);
	fputc('\n', f);
}

void
output_text_stack(FILE *f, const struct sym_frame *frames, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_frame(f, i, &frames[i]);
	if (n == 0)
		fputs("    <no stack was captured>\n", f);
}

/* n in decimal with a comma every three digits (9,995). */
static void
put_count(FILE *f, uint64_t n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n);

	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			fputc(',', f);
		fputc(buf[i], f);
	}
}

/* "held by ...": the root of a retainer. */
static void
put_root(FILE *f, const struct retainer *x)
{
	const struct retain *rt = x->rt;
	const struct sym_data *g = x->global;

	switch (rt->root) {
	case RETAIN_GLOBAL:
		fputs("held by global ", f);
		if (g != NULL && g->symbol != NULL) {
			output_text_str(f, g->symbol);
			if (g->symbol_offset != 0)
				fprintf(f, "+" ADDR_FMT, g->symbol_offset);
			fputs(" (", f);
			output_text_str(f, g->module);
			if (g->section != NULL) {
				fputc(' ', f);
				output_text_str(f, g->section);
			}
			fputc(')', f);
		} else if (g != NULL && g->module != NULL) {
			fputs("at ", f);
			output_text_str(f, g->module);
			fprintf(f, "+" ADDR_FMT, g->offset);
			if (g->section != NULL) {
				fputs(" (", f);
				output_text_str(f, g->section);
				fputc(')', f);
			}
		} else {
			fprintf(f, "at " ADDR_FMT, rt->where);
		}
		break;
	case RETAIN_THREAD:
		fprintf(f, "held by thread %u's stack or registers", rt->who);
		break;
	case RETAIN_MAPPING:
		fprintf(f, "held by anonymous mapping at " ADDR_FMT, rt->where);
		break;
	case RETAIN_LOADER:
		fputs("held as allocated by the dynamic loader", f);
		if (x->loader != NULL) {
			fputs(" (", f);
			output_text_str(f, x->loader);
			fputc(')', f);
		}
		break;
	case RETAIN_INTERNAL:
		fputs("held by memory the C library allocated while libleak ran (a thread's "
		      "pthread key values)",
		    f);
		break;
	case RETAIN_IGNORED:
		fputs("held by a block the program asked never to report (leak_ignore, "
		      "leak_disable)",
		    f);
		break;
	case RETAIN_REGION:
		fprintf(f, "held by a root region the program registered, at " ADDR_FMT, rt->where);
		break;
	}
}

void
output_text_retainer(FILE *f, const struct retainer *x)
{
	const struct retain *rt = x->rt;

	put_root(f, x);
	for (uint32_t i = 0; i < rt->n; i++) {
		const struct retainer_hop *h = &x->hop[i];
		const struct sym_frame *fr = h->frame;

		fprintf(f, " -> block of %llu %s", (unsigned long long)h->bytes,
		    plural(h->bytes, "byte", "bytes"));
		if (fr == NULL) {
			fputs(" (no stack)", f);
		} else if (fr->function != NULL) {
			fputs(" from ", f);
			output_text_str(f, fr->function);
		} else if (fr->module != NULL) {
			fputs(" from ", f);
			output_text_str(f, fr->module);
			fprintf(f, "+" ADDR_FMT, fr->offset);
		} else {
			fprintf(f, " from " ADDR_FMT, fr->pc);
		}
	}
	if (x->unlisted > 0) {
		fputs(" -> ... (", f);
		put_count(f, x->unlisted);
		fprintf(f, " more %s)", plural(x->unlisted, "block", "blocks"));
	}
	fputs(" -> this block", f);
}

static void
put_retainer(FILE *f, const struct retainer *x)
{
	fputs("    ", f);
	output_text_retainer(f, x);
	fputc('\n', f);
}

/* "note: 2 of them (48 bytes) reachable only through the newarray
 * heuristic", per heuristic that made some of a record's blocks reachable. */
static void
put_heuristics(FILE *f, const struct leak *l)
{
	for (int h = 0; h < DUMP_NHEUR; h++)
		if (l->heur[h].blocks != 0)
			fprintf(f,
			    "  note: %llu of them (%llu bytes) reachable only through the %s "
			    "heuristic\n",
			    (unsigned long long)l->heur[h].blocks,
			    (unsigned long long)l->heur[h].bytes, dump_heur_name(h));
}

/* "note: from 3 processes of a, b, c, d and 7 more", or, for one process
 * when the dumps are of several executables, "note: from process 42 of a". */
static void
put_origin(const struct tx *t, const struct report *r, const struct leak *l)
{
	if (l->npoints == 1) {
		if (r->nexes < 2)
			return;
		fprintf(t->f, "  note: from process %llu of ",
		    (unsigned long long)r->dumps[l->points[0].dump].pid);
		output_text_str(t->f, l->exes[0]);
		fputc('\n', t->f);
		return;
	}
	fprintf(t->f, "  note: from %zu processes of ", l->npoints);
	for (size_t i = 0; i < l->nexes && i < ORIGIN_NAMES; i++) {
		if (i > 0)
			fputs(", ", t->f);
		output_text_str(t->f, l->exes[i]);
	}
	if (l->nexes > ORIGIN_NAMES)
		fprintf(t->f, " and %zu more", l->nexes - ORIGIN_NAMES);
	fputc('\n', t->f);
}

/* "fd 7: socket UNIX (unnamed)", one line per resource of a record with
 * more than one, at most RES_LISTED of them. */
#define RES_LISTED 20

/* What resource x is, in the heading's parentheses: its description, for a
 * thread its start routine first. */
static void
put_res_what(FILE *f, const struct leak_res *x)
{
	if (x->r->cls == CLASS_THREAD) {
		fputs("start routine ", f);
		if (x->start != NULL)
			output_text_str(f, x->start);
		else
			fprintf(f, ADDR_FMT, x->r->aux);
		fputs("; ", f);
	}
	output_text_str(f, x->r->desc);
}

/* A record of a resource kind: "Leaked file descriptor 7 (file /x (write))
 * opened with fopen() at:", or, for several, "Leaked 3 file descriptors
 * opened with open() at:" and one line each after the stack. */
static void
put_resource(const struct tx *t, const struct report *r, const struct leak *l)
{
	const struct leak_res *x0 = l->nres > 0 ? &l->res[0] : NULL;
	const char *verb = l->cls == CLASS_FD ? "opened" : "created";

	fputs(on(t, C_RED), t->f);
	if (l->nres == 1) {
		fprintf(t->f, "Leaked %s %llu (", resources_noun(l->cls, false),
		    (unsigned long long)x0->r->id);
		put_res_what(t->f, x0);
		fputc(')', t->f);
	} else {
		fprintf(t->f, "Leaked %llu %s", (unsigned long long)l->blocks,
		    resources_noun(l->cls, l->blocks != 1));
	}
	if (x0 != NULL)
		fprintf(t->f, " %s with %s()", verb, x0->r->fn);
	fprintf(t->f, " at:%s\n", off(t));
	output_text_stack(t->f, l->frames, l->nframes);
	for (size_t i = 0; l->nres > 1 && i < l->nres && i < RES_LISTED; i++) {
		const struct leak_res *x = &l->res[i];

		fprintf(t->f, "  %s %llu: ", model_class_name(x->r->cls),
		    (unsigned long long)x->r->id);
		put_res_what(t->f, x);
		if (l->npoints > 1)
			fprintf(t->f, " (process %llu)", (unsigned long long)x->d->pid);
		fputc('\n', t->f);
	}
	if (l->nres > RES_LISTED)
		fprintf(t->f, "  ... and %zu more\n", l->nres - RES_LISTED);
	if (l->stacks > 1)
		fprintf(t->f, "  note: %u different stacks\n", l->stacks);
	put_origin(t, r, l);
	if (l->known)
		fputs("  note: known leak (in the baseline), not gated\n", t->f);
	fputc('\n', t->f);
}

static void
put_leak(const struct tx *t, const struct report *r, const struct leak *l)
{
	static const char *const heads[CLASS_COUNT] = { "Direct leak of", "Indirect leak of",
		"Possible leak of", "Still reachable:" };
	const char *color = l->cls == CLASS_REACHABLE ? C_BOLD : C_RED;

	if (CLASS_IS_RESOURCE(l->cls)) {
		put_resource(t, r, l);
		return;
	}
	fprintf(t->f, "%s%s %llu byte(s) in %llu object(s) allocated from:%s\n", on(t, color),
	    heads[l->cls], (unsigned long long)l->bytes, (unsigned long long)l->blocks, off(t));
	output_text_stack(t->f, l->frames, l->nframes);
	if (l->retained_by != NULL)
		put_retainer(t->f, l->retained_by);
	put_heuristics(t->f, l);
	if (l->stacks > 1)
		fprintf(t->f, "  note: %u different stacks\n", l->stacks);
	put_origin(t, r, l);
	if (l->known)
		fputs("  note: known leak (in the baseline), not gated\n", t->f);
	fputc('\n', t->f);
}

/* The --per-process table: the processes with gated blocks, worst first,
 * then one line for the others. */
static void
put_processes(const struct tx *t, const struct per_process *pp)
{
	char kinds[GATE_KINDS_MAX];
	size_t leaky = pp->nleaky;

	fprintf(t->f, "Per process (gated kinds %s, after suppressions and baseline):\n",
	    gate_kinds_format(pp->kinds, kinds, sizeof(kinds)));
	if (leaky > 0)
		fprintf(t->f, "  %10s  %-8s  %10s  %12s  %s\n", "pid", "kind", "blocks", "bytes",
		    "exe");
	for (size_t i = 0; i < leaky; i++) {
		const struct proc_row *row = &pp->rows[i];

		fprintf(t->f, "  %10llu  %-8s  %10llu  %12llu  ",
		    (unsigned long long)row->dump->pid, model_dump_kind(row->dump),
		    (unsigned long long)row->blocks, (unsigned long long)row->bytes);
		output_text_str(t->f, model_basename(row->dump->exe));
		fputc('\n', t->f);
	}
	if (pp->nclean > 0)
		fprintf(t->f, "  %s%zu %s with no gated leak\n", leaky > 0 ? "and " : "",
		    pp->nclean, plural(pp->nclean, "process", "processes"));
	fputc('\n', t->f);
}

static void
put_totals(const struct tx *t, const struct report *r)
{
	fprintf(t->f, "%sSUMMARY: libleak: %llu byte(s) leaked in %llu allocation(s).%s\n",
	    on(t, C_BOLD), (unsigned long long)r->leaked.bytes,
	    (unsigned long long)r->leaked.blocks, off(t));
	for (int c = 0; c < CLASS_COUNT; c++) {
		const struct amount *a = &r->cls[c];

		if (CLASS_IS_RESOURCE(c)) {
			fprintf(t->f, "  %-9s  %llu %s in %llu %s\n", model_class_name(c),
			    (unsigned long long)a->blocks, c == CLASS_FD ? "open" : "left",
			    (unsigned long long)a->records,
			    plural(a->records, "record", "records"));
			continue;
		}
		fprintf(t->f, "  %-9s  %llu byte(s) in %llu allocation(s), %llu %s\n",
		    model_class_name(c), (unsigned long long)a->bytes,
		    (unsigned long long)a->blocks, (unsigned long long)a->records,
		    plural(a->records, "record", "records"));
	}
	fprintf(t->f, "  tracked    %llu allocation(s), peak %llu byte(s) live, %zu %s\n",
	    (unsigned long long)r->total_allocs, (unsigned long long)r->peak_bytes, r->ndumps,
	    plural(r->ndumps, "dump", "dumps"));
	if (r->dropped > 0)
		fprintf(t->f,
		    "  warning: %llu block(s) were not tracked (the preload ran out "
		    "of memory)\n",
		    (unsigned long long)r->dropped);
	if (r->res_dropped > 0)
		fprintf(t->f,
		    "  warning: %llu descriptor(s), timer(s) or thread(s) were not tracked (past "
		    "the preload's tables)\n",
		    (unsigned long long)r->res_dropped);
	if (r->seen.blocks > 0)
		fprintf(t->f,
		    "  seen       %llu byte(s) in %llu allocation(s) lost but reported by an "
		    "earlier check, not listed (--seen lists them)\n",
		    (unsigned long long)r->seen.bytes, (unsigned long long)r->seen.blocks);
}

static void
put_suppressions(const struct tx *t, const struct report *r)
{
	if (r->nrules == 0)
		return;
	fprintf(t->f, "Suppressed: %llu byte(s) in %llu allocation(s), %llu %s:\n",
	    (unsigned long long)r->suppressed.bytes, (unsigned long long)r->suppressed.blocks,
	    (unsigned long long)r->suppressed.records,
	    plural(r->suppressed.records, "record", "records"));
	for (size_t i = 0; i < r->nrules; i++) {
		const struct supp_rule *u = r->rules[i];

		fprintf(t->f, "  %llu %s, %llu block(s), %llu byte(s) by leak:",
		    (unsigned long long)u->hits.records,
		    plural(u->hits.records, "record", "records"),
		    (unsigned long long)u->hits.blocks, (unsigned long long)u->hits.bytes);
		output_text_str(t->f, u->pattern);
		fputs(" (", t->f);
		output_text_str(t->f, u->file);
		fprintf(t->f, ":%u)\n", u->line);
	}
}

static void
put_baseline(const struct tx *t, const struct report *r)
{
	if (!r->baseline)
		return;
	fprintf(t->f,
	    "Baseline: %llu known %s (%llu byte(s)) not gated; %zu baseline %s no "
	    "longer %s\n",
	    (unsigned long long)r->known.records, plural(r->known.records, "record", "records"),
	    (unsigned long long)r->known.bytes, r->nfixed, plural(r->nfixed, "record", "records"),
	    plural(r->nfixed, "leaks.", "leak."));
	for (size_t i = 0; i < r->nfixed; i++) {
		const struct baseline_entry *be = r->fixed[i];

		fprintf(t->f,
		    "  fixed: %s %llu byte(s) in %llu allocation(s): ", model_class_name(be->cls),
		    (unsigned long long)be->bytes, (unsigned long long)be->blocks);
		output_text_str(t->f, be->key);
		fputc('\n', t->f);
	}
}

int
output_text(FILE *f, const struct report *r, const struct per_process *pp, bool color)
{
	struct tx t = { .f = f, .color = color };

	for (size_t i = 0; i < r->nshown; i++)
		put_leak(&t, r, r->shown[i]);
	if (r->ncut > 0)
		fprintf(f, "(%zu more %s not listed, see --top)\n\n", r->ncut,
		    plural(r->ncut, "record", "records"));
	if (pp != NULL)
		put_processes(&t, pp);
	put_totals(&t, r);
	put_suppressions(&t, r);
	put_baseline(&t, r);
	if (r->gate.passed)
		fprintf(f, "Gate: %spassed%s: ", on(&t, C_GREEN), off(&t));
	else
		fprintf(f, "Gate: %sFAILED%s: ", on(&t, C_RED), off(&t));
	output_text_str(f, r->gate.reason);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}
