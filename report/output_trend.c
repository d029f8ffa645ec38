/*
 * output_trend.c - renders struct trend (trend.c) as text or JSON:
 *
 *   Growing: +4096 bytes over the last 7 steps, 409.6 bytes/s, from:
 *       #0 0x55d4c0001189 in make_node src/list.c:42 (app)
 *     live bytes 1024 -> 5120 from snapshot 3 to snapshot 10, over 10.000 s
 *
 *   SUMMARY: 1 of 12 stacks grew at each of the last 5 or more steps ...
 *
 * Called by main.c; computes nothing. Frames are printed as the leak report
 * prints them. JSON follows output_json.c: its format version, 64-bit
 * integers, escaped strings; a rate is a number with three decimals, or null
 * when unknown; times are seconds with six decimals.
 */
#include <inttypes.h>

#include "output_json.h"
#include "output_text.h"
#include "output_trend.h"

/* "snapshot 3" or "exit dump". */
static void
text_point(FILE *f, const struct dump *d)
{
	if (d->snapshot)
		fprintf(f, "snapshot %" PRIu64, d->seq);
	else
		fputs("exit dump", f);
}

static void
text_item(FILE *f, const struct trend *t, const struct trend_item *x)
{
	const struct leak *l = x->leak;
	/* A resource record counts open resources, not bytes. */
	const char *unit = CLASS_IS_RESOURCE(l->cls) ? resources_noun(l->cls, true) : "bytes";

	fprintf(f, "Growing: +%" PRIu64 " %s over the last %zu steps, ", x->growth_bytes, unit,
	    x->steps);
	if (x->rate_known)
		fprintf(f, "%.1f %s/s, from:\n", x->bytes_per_second, unit);
	else
		fputs("rate unknown (no time between the dumps), from:\n", f);
	output_text_stack(f, l->frames, l->nframes);
	if (CLASS_IS_RESOURCE(l->cls))
		fprintf(f, "  open %s %" PRIu64 " -> %" PRIu64 " from ", unit, x->first_bytes,
		    x->last_bytes);
	else
		fprintf(f, "  live bytes %" PRIu64 " -> %" PRIu64 " from ", x->first_bytes,
		    x->last_bytes);
	text_point(f, &t->dumps[x->first_dump]);
	fputs(" to ", f);
	text_point(f, &t->dumps[t->ndumps - 1]);
	fprintf(f, ", over %" PRIu64 ".%03u s\n\n", x->span_usec / 1000000,
	    (unsigned)(x->span_usec % 1000000 / 1000));
}

int
output_trend_text(FILE *f, const struct trend *t)
{
	const struct dump *first = &t->dumps[0], *last = &t->dumps[t->ndumps - 1];

	for (size_t i = 0; i < t->ngrowing; i++)
		text_item(f, t, &t->growing[i]);
	fprintf(f,
	    "SUMMARY: %zu of %zu %s grew at each of the last %" PRIu64 " or more steps, "
	    "over %zu dumps of pid %" PRIu64 " from ",
	    t->ngrowing, t->nstacks, t->nstacks == 1 ? "stack" : "stacks", t->min_steps, t->ndumps,
	    first->pid);
	text_point(f, first);
	fputs(" to ", f);
	text_point(f, last);
	fprintf(f,
	    "; live %" PRIu64 " -> %" PRIu64 " bytes, RSS %" PRIu64 " -> %" PRIu64 " bytes\n",
	    first->stats.live_bytes, last->stats.live_bytes, first->stats.rss_bytes,
	    last->stats.rss_bytes);
	return ferror(f) ? -1 : 0;
}

static void
json_dumps(FILE *f, const struct trend *t)
{
	fputs("  \"dumps\": [", f);
	for (size_t i = 0; i < t->ndumps; i++) {
		const struct dump *d = &t->dumps[i];

		fprintf(f, "%s\n    {\"path\": ", i ? "," : "");
		output_json_string(f, d->path);
		fprintf(f,
		    ", \"kind\": \"%s\", \"seq\": %" PRIu64 ", \"time\": %" PRIu64 ".%06u, "
		    "\"live_bytes\": %" PRIu64 ", \"live_blocks\": %" PRIu64
		    ", \"rss_bytes\": %" PRIu64 "}",
		    model_dump_kind(d), d->seq, d->time_sec, d->time_usec, d->stats.live_bytes,
		    d->stats.live_blocks, d->stats.rss_bytes);
	}
	fputs(t->ndumps ? "\n  ],\n" : "],\n", f);
}

static void
json_item(FILE *f, const struct trend *t, const struct trend_item *x, bool comma)
{
	const struct leak *l = x->leak;
	const struct dump *d = &t->dumps[x->first_dump];

	fprintf(f,
	    "%s\n    {\"kind\": \"%s\", \"steps\": %zu, \"growth_bytes\": %" PRIu64
	    ", \"bytes_per_second\": ",
	    comma ? "," : "", CLASS_IS_RESOURCE(l->cls) ? model_class_name(l->cls) : "memory",
	    x->steps, x->growth_bytes);
	if (x->rate_known)
		fprintf(f, "%.3f", x->bytes_per_second);
	else
		fputs("null", f);
	fprintf(f,
	    ", \"first_bytes\": %" PRIu64 ", \"last_bytes\": %" PRIu64 ", \"first_seq\": %" PRIu64
	    ", \"first_time\": %" PRIu64 ".%06u, \"seconds\": %" PRIu64 ".%06u, "
	    "\"frames\": ",
	    x->first_bytes, x->last_bytes, d->seq, d->time_sec, d->time_usec,
	    x->span_usec / 1000000, (unsigned)(x->span_usec % 1000000));
	output_json_frames(f, l->frames, l->nframes);
	fputc('}', f);
}

int
output_trend_json(FILE *f, const struct trend *t)
{
	const struct dump *d0 = &t->dumps[0];

	output_json_begin(f, "trend");
	fprintf(f, "  \"pid\": %" PRIu64 ",\n  \"exe\": ", d0->pid);
	output_json_string(f, d0->exe);
	fprintf(f, ",\n  \"min_steps\": %" PRIu64 ",\n  \"stacks\": %zu,\n", t->min_steps,
	    t->nstacks);
	json_dumps(f, t);
	fputs("  \"growing\": [", f);
	for (size_t i = 0; i < t->ngrowing; i++)
		json_item(f, t, &t->growing[i], i > 0);
	fputs(t->ngrowing ? "\n  ]\n}\n" : "]\n}\n", f);
	return ferror(f) ? -1 : 0;
}
