/*
 * output_diff.c - renders struct diff (diff.c) as text or JSON:
 *
 *   Grown:
 *   +4096 bytes (+16 blocks) from:
 *       #0 0x55d4c0001189 in make_node src/list.c:42 (app)
 *     was 1024 bytes in 4 blocks, now 5120 bytes in 20 blocks
 *
 *   Shrunk or freed:
 *   -512 bytes (-2 blocks) from:
 *       ...
 *
 *   Grown:
 *   +55 file descriptors from:
 *       #0 0x55d4c00011a0 in accept_conn src/server.c:20 (app)
 *     was 15 open, now 70 open; opened since: fd 20 (socket UNIX (unnamed)), ...
 *
 *   SUMMARY: live 8192 -> 12288 bytes (+4096), 32 -> 46 blocks (+14), RSS ...
 *
 * Called by main.c; computes nothing. Frames are printed as the leak report
 * prints them (output_text_stack, output_json_frames). JSON follows the rules
 * of output_json.c: its format version, unsigned and signed 64-bit integers,
 * strings escaped, times as seconds with six decimals.
 */
#include <inttypes.h>

#include "output_diff.h"
#include "output_json.h"
#include "output_text.h"

#define OPENED_LISTED 10 /* resources an "opened since" line names */

/* Whether resource x of a record is new in df->new: the old dump has none
 * of its kind and number in the record. */
static bool
opened_since(const struct diff *df, const struct leak *l, const struct leak_res *x)
{
	if (x->d != df->new)
		return false;
	for (size_t i = 0; i < l->nres; i++)
		if (l->res[i].d == df->old && l->res[i].r->id == x->r->id)
			return false;
	return true;
}

/* A record of a resource kind: counts, and what was opened since. */
static void
text_resource(FILE *f, const struct diff *df, const struct diff_entry *x)
{
	const struct leak *l = x->leak;
	size_t listed = 0, more = 0;

	fprintf(f, "%+" PRId64 " %s from:\n", x->delta_blocks,
	    resources_noun(l->cls, x->delta_blocks != 1 && x->delta_blocks != -1));
	output_text_stack(f, l->frames, l->nframes);
	fprintf(f, "  was %" PRIu64 " open, now %" PRIu64 " open", x->blocks_before,
	    x->blocks_after);
	for (size_t i = 0; i < l->nres; i++) {
		const struct leak_res *r = &l->res[i];

		if (!opened_since(df, l, r))
			continue;
		if (listed == OPENED_LISTED) {
			more++;
			continue;
		}
		fprintf(f, "%s%s %" PRIu64 " (",
		    listed ? ", " : "; opened since: ", model_class_name(r->r->cls), r->r->id);
		output_text_str(f, r->r->desc);
		fputc(')', f);
		listed++;
	}
	if (more > 0)
		fprintf(f, " and %zu more", more);
	fputs("\n\n", f);
}

static void
text_entry(FILE *f, const struct diff *df, const struct diff_entry *x)
{
	const struct leak *l = x->leak;

	if (CLASS_IS_RESOURCE(l->cls)) {
		text_resource(f, df, x);
		return;
	}
	fprintf(f, "%+" PRId64 " bytes (%+" PRId64 " blocks) from:\n", x->delta_bytes,
	    x->delta_blocks);
	output_text_stack(f, l->frames, l->nframes);
	fprintf(f,
	    "  was %" PRIu64 " bytes in %" PRIu64 " blocks, now %" PRIu64 " bytes in %" PRIu64
	    " blocks%s\n\n",
	    x->bytes_before, x->blocks_before, x->bytes_after, x->blocks_after,
	    x->blocks_before == 0    ? " (new)" :
		x->blocks_after == 0 ? " (all freed)" :
				       "");
}

static void
text_side(FILE *f, const char *name, const struct dump *d)
{
	fprintf(f, "  %s: ", name);
	output_text_str(f, d->path);
	fprintf(f, ", pid %" PRIu64 ", %s %" PRIu64 ", time %" PRIu64 ".%06u\n", d->pid,
	    d->snapshot ? "snapshot" : "exit dump, seq", d->seq, d->time_sec, d->time_usec);
}

int
output_diff_text(FILE *f, const struct diff *df)
{
	const struct dump_stats *o = &df->old->stats, *n = &df->new->stats;

	if (df->ngrown > 0)
		fputs("Grown:\n", f);
	for (size_t i = 0; i < df->ngrown; i++)
		text_entry(f, df, &df->grown[i]);
	if (df->nshrunk > 0)
		fputs("Shrunk or freed:\n", f);
	for (size_t i = 0; i < df->nshrunk; i++)
		text_entry(f, df, &df->shrunk[i]);
	if (df->not_listed > 0)
		fprintf(f, "(%zu grown and %zu shrunk stacks not listed, see --top)\n\n",
		    df->grown_cut, df->shrunk_cut);
	fprintf(f,
	    "SUMMARY: live %" PRIu64 " -> %" PRIu64 " bytes (%+" PRId64 "), %" PRIu64 " -> %" PRIu64
	    " blocks (%+" PRId64 "); RSS %" PRIu64 " -> %" PRIu64 " bytes (%+" PRId64 ")\n",
	    o->live_bytes, n->live_bytes, df->delta_live_bytes, o->live_blocks, n->live_blocks,
	    df->delta_live_blocks, o->rss_bytes, n->rss_bytes, df->delta_rss_bytes);
	fprintf(f, "  stacks: %zu grown, %zu shrunk or freed, %zu unchanged\n", df->grown_stacks,
	    df->shrunk_stacks, df->unchanged);
	text_side(f, "old", df->old);
	text_side(f, "new", df->new);
	return ferror(f) ? -1 : 0;
}

static void
json_side(FILE *f, const char *name, const struct dump *d)
{
	fprintf(f, "  \"%s\": {\"path\": ", name);
	output_json_string(f, d->path);
	fprintf(f,
	    ", \"pid\": %" PRIu64 ", \"kind\": \"%s\", \"seq\": %" PRIu64 ", \"time\": %" PRIu64
	    ".%06u, \"live_bytes\": %" PRIu64 ", \"live_blocks\": %" PRIu64
	    ", \"rss_bytes\": %" PRIu64 "},\n",
	    d->pid, model_dump_kind(d), d->seq, d->time_sec, d->time_usec, d->stats.live_bytes,
	    d->stats.live_blocks, d->stats.rss_bytes);
}

static void
json_list(FILE *f, const struct diff *df, const char *name, const struct diff_entry *v, size_t n,
    const char *end)
{
	fprintf(f, "  \"%s\": [", name);
	for (size_t i = 0; i < n; i++) {
		const struct diff_entry *x = &v[i];
		const struct leak *l = x->leak;

		fprintf(f,
		    "%s\n    {\"delta_bytes\": %" PRId64 ", \"delta_blocks\": %" PRId64
		    ", \"bytes_before\": %" PRIu64 ", \"bytes_after\": %" PRIu64
		    ", \"blocks_before\": %" PRIu64 ", \"blocks_after\": %" PRIu64 ", \"frames\": ",
		    i ? "," : "", x->delta_bytes, x->delta_blocks, x->bytes_before, x->bytes_after,
		    x->blocks_before, x->blocks_after);
		output_json_frames(f, l->frames, l->nframes);
		if (CLASS_IS_RESOURCE(l->cls)) {
			bool first = true;

			fprintf(f, ", \"kind\": \"%s\", \"opened\": [", model_class_name(l->cls));
			for (size_t k = 0; k < l->nres; k++) {
				if (!opened_since(df, l, &l->res[k]))
					continue;
				fprintf(f,
				    "%s{\"id\": %" PRIu64 ", \"description\": ", first ? "" : ", ",
				    l->res[k].r->id);
				output_json_string(f, l->res[k].r->desc);
				fputc('}', f);
				first = false;
			}
			fputc(']', f);
		}
		fputc('}', f);
	}
	fprintf(f, "%s%s\n", n ? "\n  ]" : "]", end);
}

int
output_diff_json(FILE *f, const struct diff *df)
{
	output_json_begin(f, "diff");
	json_side(f, "old", df->old);
	json_side(f, "new", df->new);
	fprintf(f,
	    "  \"totals\": {\"delta_live_bytes\": %" PRId64 ", \"delta_live_blocks\": %" PRId64
	    ", \"delta_rss_bytes\": %" PRId64 ", \"grown\": %zu, \"shrunk\": %zu, "
	    "\"unchanged\": %zu, \"not_listed\": %zu},\n",
	    df->delta_live_bytes, df->delta_live_blocks, df->delta_rss_bytes, df->grown_stacks,
	    df->shrunk_stacks, df->unchanged, df->not_listed);
	json_list(f, df, "grown", df->grown, df->ngrown, ",");
	json_list(f, df, "shrunk", df->shrunk, df->nshrunk, "");
	fputs("}\n", f);
	return ferror(f) ? -1 : 0;
}
