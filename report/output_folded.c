/*
 * output_folded.c - the listed records in the collapsed-stack format that
 * flamegraph.pl, inferno and speedscope read:
 *
 *   main;list_leak;make_node 192
 *   main;direct_leaks;make_buf 4096
 *
 * one line per listed record (group.c decides which, as for every format),
 * in the report's order; frames root (outermost) first, inlined frames as
 * frames of their own; the weight is the record's bytes, or its blocks with
 * --folded-weight blocks. A record without a stack is "[no stack]". Tools
 * sum lines with equal stacks, so records that differ only in lines or
 * modules add up there. Called by main.c; renders, computes nothing.
 */
#include <inttypes.h>

#include "output_folded.h"

static void
put_clean(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc(*s == ';' ? ':' : (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

void
output_folded_name(FILE *f, const struct sym_frame *fr)
{
	if (fr->function != NULL) {
		put_clean(f, fr->function);
	} else if (fr->module != NULL) {
		put_clean(f, fr->module);
		fprintf(f, "+" ADDR_FMT, fr->offset);
	} else {
		fprintf(f, ADDR_FMT, fr->pc);
	}
}

int
output_folded(FILE *f, const struct report *r, bool blocks)
{
	for (size_t i = 0; i < r->nshown; i++) {
		const struct leak *l = r->shown[i];

		if (CLASS_IS_RESOURCE(l->cls))
			continue; /* a flame graph of memory: descriptors weigh no bytes */
		for (size_t k = l->nframes; k-- > 0;) {
			output_folded_name(f, &l->frames[k]);
			if (k > 0)
				fputc(';', f);
		}
		if (l->nframes == 0)
			fputs("[no stack]", f);
		fprintf(f, " %" PRIu64 "\n", blocks ? l->blocks : l->bytes);
	}
	return ferror(f) ? -1 : 0;
}
