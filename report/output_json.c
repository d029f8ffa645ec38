/*
 * output_json.c - the report as one JSON document, format version
 * OUTPUT_JSON_VERSION (output_json.h), and the pieces diff and trend share.
 *
 * Called by main.c after the gate; renders struct report and computes
 * nothing. The field names and their meaning are a contract documented in
 * docs/leakreport.md: adding a field keeps version 1, renaming, removing or
 * changing the type of one bumps OUTPUT_JSON_VERSION. Numbers are
 * unsigned 64-bit decimals; addresses are "0x..." strings (a JSON number
 * cannot hold 64 bits exactly in most parsers); unknown strings and line 0
 * are null. Strings are valid UTF-8: an invalid byte becomes U+FFFD.
 */
#include <string.h>

#include "options.h"
#include "output_json.h"
#include "utf8.h"

void
output_json_begin(FILE *f, const char *command)
{
	fprintf(f, "{\n  \"version\": %d,\n  \"tool\": \"leakreport %s\",\n", OUTPUT_JSON_VERSION,
	    LEAKREPORT_VERSION);
	if (command != NULL)
		fprintf(f, "  \"command\": \"%s\",\n", command);
}

void
output_json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	while (*s != '\0') {
		size_t n = utf8_len(s);

		if (n == 0) {
			fputs("\\ufffd", f);
			s++;
		} else if (*s == '"' || *s == '\\') {
			fputc('\\', f);
			fputc(*s++, f);
		} else if (*s == '\n') {
			fputs("\\n", f);
			s++;
		} else if (*s == '\t') {
			fputs("\\t", f);
			s++;
		} else if (*s == '\r') {
			fputs("\\r", f);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else {
			fwrite(s, 1, n, f);
			s += n;
		}
	}
	fputc('"', f);
}

static void
put_amount(FILE *f, const char *name, const struct amount *a, const char *end)
{
	fprintf(f, "\"%s\": {\"records\": %llu, \"blocks\": %llu, \"bytes\": %llu}%s", name,
	    (unsigned long long)a->records, (unsigned long long)a->blocks,
	    (unsigned long long)a->bytes, end);
}

static void
put_dumps(FILE *f, const struct report *r)
{
	fputs("  \"dumps\": [", f);
	for (size_t i = 0; i < r->ndumps; i++) {
		const struct dump *d = &r->dumps[i];

		fprintf(f, "%s\n    {\"pid\": %llu, \"ppid\": %llu, \"exe\": ", i ? "," : "",
		    (unsigned long long)d->pid, (unsigned long long)d->ppid);
		output_json_string(f, d->exe);
		fputs(", \"path\": ", f);
		output_json_string(f, d->path);
		fprintf(f,
		    ", \"kind\": \"%s\", \"scanned\": %s, \"allocs\": %llu, "
		    "\"peak_bytes\": %llu}",
		    model_dump_kind(d), d->scanned ? "true" : "false",
		    (unsigned long long)d->stats.allocs, (unsigned long long)d->stats.peak_bytes);
	}
	fputs(r->ndumps ? "\n  ],\n" : "],\n", f);
}

static void
put_summary(FILE *f, const struct report *r)
{
	fputs("  \"summary\": {\n", f);
	for (int c = 0; c < CLASS_COUNT; c++) {
		fputs("    ", f);
		put_amount(f, model_class_name(c), &r->cls[c], ",\n");
	}
	fputs("    ", f);
	put_amount(f, "leaked", &r->leaked, ",\n");
	fputs("    ", f);
	put_amount(f, "suppressed", &r->suppressed, ",\n");
	fputs("    ", f);
	put_amount(f, "known", &r->known, ",\n");
	fputs("    ", f);
	put_amount(f, "seen", &r->seen, ",\n");
	fprintf(f,
	    "    \"total_allocs\": %llu,\n    \"peak_bytes\": %llu,\n"
	    "    \"dropped\": %llu,\n    \"listed\": %zu,\n    \"not_listed\": %zu\n  },\n",
	    (unsigned long long)r->total_allocs, (unsigned long long)r->peak_bytes,
	    (unsigned long long)r->dropped, r->nshown, r->ncut);
}

static void
put_suppressions(FILE *f, const struct report *r)
{
	size_t n = r->nrules;

	fputs("  \"suppressions\": [", f);
	for (size_t i = 0; i < n; i++) {
		const struct supp_rule *u = r->rules[i];

		fputs(i ? ",\n    {\"pattern\": " : "\n    {\"pattern\": ", f);
		output_json_string(f, u->pattern);
		fputs(", \"file\": ", f);
		output_json_string(f, u->file);
		fprintf(f, ", \"line\": %u, \"records\": %llu, \"blocks\": %llu, \"bytes\": %llu}",
		    u->line, (unsigned long long)u->hits.records,
		    (unsigned long long)u->hits.blocks, (unsigned long long)u->hits.bytes);
	}
	fputs(n ? "\n  ],\n" : "],\n", f);
}

static void
put_baseline(FILE *f, const struct report *r)
{
	if (!r->baseline) {
		fputs("  \"baseline\": null,\n", f);
		return;
	}
	fputs("  \"baseline\": {\"fixed\": [", f);
	for (size_t i = 0; i < r->nfixed; i++) {
		const struct baseline_entry *be = r->fixed[i];

		fprintf(f,
		    "%s\n    {\"kind\": \"%s\", \"blocks\": %llu, \"bytes\": %llu, \"key\": ",
		    i ? "," : "", model_class_name(be->cls), (unsigned long long)be->blocks,
		    (unsigned long long)be->bytes);
		output_json_string(f, be->key);
		fputc('}', f);
	}
	fputs(r->nfixed ? "\n  ]},\n" : "]},\n", f);
}

/* One frame object on its own line, indented 8, followed by ',' unless last. */
static void
put_frame(FILE *f, const struct sym_frame *fr, bool last)
{
	fprintf(f, "        {\"addr\": \"" ADDR_FMT "\", \"module\": ", fr->pc);
	output_json_string(f, fr->module);
	fputs(", \"module_path\": ", f);
	output_json_string(f, fr->module_path);
	if (fr->module != NULL)
		fprintf(f, ", \"offset\": \"" ADDR_FMT "\"", fr->offset);
	else
		fputs(", \"offset\": null", f);
	fputs(", \"function\": ", f);
	output_json_string(f, fr->function);
	fputs(", \"file\": ", f);
	output_json_string(f, fr->file);
	if (fr->line != 0)
		fprintf(f, ", \"line\": %u", fr->line);
	else
		fputs(", \"line\": null", f);
	if (fr->column != 0)
		fprintf(f, ", \"column\": %u", fr->column);
	else
		fputs(", \"column\": null", f);
	fprintf(f, ", \"inlined\": %s}%s\n", fr->inlined ? "true" : "false", last ? "" : ",");
}

void
output_json_frames(FILE *f, const struct sym_frame *frames, size_t n)
{
	fputs(n ? "[\n" : "[", f);
	for (size_t i = 0; i < n; i++)
		put_frame(f, &frames[i], i + 1 == n);
	fputs(n ? "      ]" : "]", f);
}

static void
put_hex_or_null(FILE *f, bool known, uint64_t v)
{
	if (known)
		fprintf(f, "\"" ADDR_FMT "\"", v);
	else
		fputs("null", f);
}

/* ", "heuristics": {"newarray": {"blocks": 2, "bytes": 48}}": of a
 * reachable record's blocks, those only a heuristic made reachable. */
static void
put_heuristics(FILE *f, const struct leak *l)
{
	bool first = true;

	fputs(", \"heuristics\": {", f);
	for (int h = 0; h < DUMP_NHEUR; h++) {
		if (l->heur[h].blocks == 0)
			continue;
		fprintf(f, "%s\"%s\": {\"blocks\": %llu, \"bytes\": %llu}", first ? "" : ", ",
		    dump_heur_name(h), (unsigned long long)l->heur[h].blocks,
		    (unsigned long long)l->heur[h].bytes);
		first = false;
	}
	fputc('}', f);
}

/* The retained_by object of a leak (x may be NULL: null), on one line. */
static void
put_retainer(FILE *f, const struct retainer *x)
{
	const struct sym_data *g = x != NULL ? x->global : NULL;

	if (x == NULL) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"root\": \"%s\", \"module\": ", model_root_name(x->rt->root));
	output_json_string(f, g != NULL ? g->module : x->loader);
	fputs(", \"symbol\": ", f);
	output_json_string(f, g != NULL ? g->symbol : NULL);
	fputs(", \"section\": ", f);
	output_json_string(f, g != NULL ? g->section : NULL);
	fputs(", \"offset\": ", f);
	put_hex_or_null(f, g != NULL && g->module != NULL,
	    g != NULL && g->symbol != NULL ? g->symbol_offset :
		g != NULL                  ? g->offset :
					     0);
	if (x->rt->root == RETAIN_THREAD)
		fprintf(f, ", \"tid\": %u", x->rt->who);
	else
		fputs(", \"tid\": null", f);
	fputs(", \"address\": ", f);
	put_hex_or_null(f,
	    x->rt->root != RETAIN_LOADER && x->rt->root != RETAIN_INTERNAL &&
		x->rt->root != RETAIN_IGNORED,
	    x->rt->where);
	fprintf(f, ", \"hops\": %llu, \"chain\": [", (unsigned long long)x->rt->hops);
	for (uint32_t i = 0; i < x->rt->n; i++) {
		const struct sym_frame *fr = x->hop[i].frame;

		fprintf(f, "%s{\"bytes\": %llu, \"function\": ", i ? ", " : "",
		    (unsigned long long)x->hop[i].bytes);
		output_json_string(f, fr != NULL ? fr->function : NULL);
		fputs(", \"module\": ", f);
		output_json_string(f, fr != NULL ? fr->module : NULL);
		fputs(", \"offset\": ", f);
		put_hex_or_null(f, fr != NULL && fr->module != NULL, fr != NULL ? fr->offset : 0);
		fputc('}', f);
	}
	fputs("]}", f);
}

static void
put_leaks(FILE *f, const struct report *r)
{
	size_t listed = 0;

	fputs("  \"leaks\": [", f);
	for (size_t i = 0; i < r->nshown; i++) {
		const struct leak *l = r->shown[i];

		if (CLASS_IS_RESOURCE(l->cls))
			continue; /* in "resources" */
		fprintf(f,
		    "%s\n    {\"kind\": \"%s\", \"blocks\": %llu, \"bytes\": %llu, "
		    "\"processes\": %zu, \"stacks\": %u, \"known\": %s,\n     \"dumps\": [",
		    listed++ ? "," : "", model_class_name(l->cls), (unsigned long long)l->blocks,
		    (unsigned long long)l->bytes, l->npoints, l->stacks,
		    l->known ? "true" : "false");
		for (size_t k = 0; k < l->npoints; k++) {
			const struct dump *d = &r->dumps[l->points[k].dump];

			fprintf(f, "%s{\"pid\": %llu, \"exe\": ", k ? ", " : "",
			    (unsigned long long)d->pid);
			output_json_string(f, d->exe);
			fputc('}', f);
		}
		fputs("],\n     \"frames\": ", f);
		output_json_frames(f, l->frames, l->nframes);
		fputs(l->nframes ? ",\n     \"retained_by\": " : ", \"retained_by\": ", f);
		put_retainer(f, l->retained_by);
		put_heuristics(f, l);
		fputc('}', f);
	}
	fputs(listed ? "\n  ],\n" : "],\n", f);
}

/* "resources": the listed records of kinds fd, timer and thread, each with
 * its open resources ("items"). */
static void
put_resources(FILE *f, const struct report *r)
{
	size_t k = 0;

	fputs("  \"resources\": [", f);
	for (size_t i = 0; i < r->nshown; i++) {
		const struct leak *l = r->shown[i];

		if (!CLASS_IS_RESOURCE(l->cls))
			continue;
		fprintf(f,
		    "%s\n    {\"kind\": \"%s\", \"count\": %llu, \"processes\": %zu, "
		    "\"stacks\": %u, \"known\": %s,\n     \"items\": [",
		    k++ ? "," : "", model_class_name(l->cls), (unsigned long long)l->blocks,
		    l->npoints, l->stacks, l->known ? "true" : "false");
		for (size_t j = 0; j < l->nres; j++) {
			const struct leak_res *x = &l->res[j];

			fprintf(f, "%s{\"id\": %llu, \"pid\": %llu, \"function\": ", j ? ", " : "",
			    (unsigned long long)x->r->id, (unsigned long long)x->d->pid);
			output_json_string(f, x->r->fn);
			fputs(", \"description\": ", f);
			output_json_string(f, x->r->desc);
			if (x->r->cls == CLASS_THREAD) {
				fprintf(f, ", \"start\": \"" ADDR_FMT "\", \"start_function\": ",
				    x->r->aux);
				output_json_string(f, x->start);
			}
			fputc('}', f);
		}
		fputs("],\n     \"frames\": ", f);
		output_json_frames(f, l->frames, l->nframes);
		fputc('}', f);
	}
	fputs(k ? "\n  ],\n" : "],\n", f);
}

/* "processes": every dump with its gated blocks and bytes, worst first. */
static void
put_processes(FILE *f, const struct per_process *pp)
{
	fputs("  \"processes\": [", f);
	for (size_t i = 0; i < pp->n; i++) {
		const struct proc_row *row = &pp->rows[i];

		fprintf(f, "%s\n    {\"pid\": %llu, \"exe\": ", i ? "," : "",
		    (unsigned long long)row->dump->pid);
		output_json_string(f, row->dump->exe);
		fputs(", \"path\": ", f);
		output_json_string(f, row->dump->path);
		fprintf(f, ", \"kind\": \"%s\", \"blocks\": %llu, \"bytes\": %llu}",
		    model_dump_kind(row->dump), (unsigned long long)row->blocks,
		    (unsigned long long)row->bytes);
	}
	fputs(pp->n ? "\n  ],\n" : "],\n", f);
}

int
output_json(FILE *f, const struct report *r, const struct per_process *pp)
{
	const struct dump *d0 = r->ndumps > 0 ? &r->dumps[0] : NULL;

	output_json_begin(f, NULL);
	if (d0 != NULL)
		fprintf(f, "  \"pid\": %llu,\n  \"exe\": ", (unsigned long long)d0->pid);
	else
		fputs("  \"pid\": null,\n  \"exe\": ", f);
	output_json_string(f, d0 != NULL ? d0->exe : NULL);
	fprintf(f, ",\n  \"group_by\": \"%s\",\n", group_by_name(r->group_by));
	put_dumps(f, r);
	put_summary(f, r);
	put_suppressions(f, r);
	put_baseline(f, r);
	put_leaks(f, r);
	put_resources(f, r);
	if (pp != NULL)
		put_processes(f, pp);
	fprintf(f, "  \"gate\": {\"passed\": %s, \"reason\": ", r->gate.passed ? "true" : "false");
	output_json_string(f, r->gate.reason);
	fputs("}\n}\n", f);
	return ferror(f) ? -1 : 0;
}
