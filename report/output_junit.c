/*
 * output_junit.c - the report as JUnit XML, the test report that GitLab
 * (artifacts:reports:junit), Jenkins and most CI systems show:
 *
 *   <testsuites name="leakreport" tests="3" failures="2">
 *     <testsuite name="test_list (pid 4242)" tests="3" failures="2" ...>
 *       <properties><property name="pid" value="4242"/>...</properties>
 *       <testcase classname="libleak.test_list" name="definite leak: make_node &lt;- main">
 *         <failure type="leak/definite" message="192 bytes in 4 blocks ...">stack</failure>
 *       </testcase>
 *
 * One <testsuite> per dump (process), in command-line order, named by its
 * executable and pid, with pid, ppid, exe, dump and kind as properties. One
 * <testcase> per listed record (the records every format lists) in the
 * suite of each dump the record came from, with that dump's blocks and
 * bytes: CI then says which test leaked it. A record that counts toward the
 * gate (group_is_gated on the --fail-on kinds: not suppressed, not in the
 * baseline) has a <failure> when the gate failed; the others pass and carry
 * their stack in <system-out>. A testcase's name is the record's kind and
 * its first three functions, stable across runs. The failure's text is the
 * stack as the text report prints it, and the retention path when there is
 * one. Called by main.c; renders, computes nothing.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "markup.h"
#include "model.h"
#include "output_folded.h"
#include "output_junit.h"
#include "output_text.h"

#define NAME_FRAMES 3 /* functions in a testcase's name */

static bool
is_failure(const struct report *r, const struct leak *l)
{
	return !r->gate.passed && group_is_gated(l, r->gate.kinds);
}

/* The listed records that dump d holds a share of, and how many fail. */
static void
count_suite(const struct report *r, size_t d, size_t *tests, size_t *failures)
{
	*tests = 0;
	*failures = 0;
	for (size_t i = 0; i < r->nshown; i++) {
		const struct leak *l = r->shown[i];

		for (size_t k = 0; k < l->npoints; k++)
			if (l->points[k].dump == d) {
				++*tests;
				*failures += is_failure(r, l);
			}
	}
}

/* "definite leak: make_node <- list_leak <- main", escaped. */
static void
put_case_name(FILE *f, const struct leak *l)
{
	char *s = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&s, &len);

	if (m == NULL)
		return;
	fprintf(m, "%s leak: ", model_class_name(l->cls));
	for (size_t k = l->site; k < l->nframes && k < l->site + NAME_FRAMES; k++) {
		if (k > l->site)
			fputs(" <- ", m);
		output_folded_name(m, &l->frames[k]);
	}
	if (l->nframes == 0)
		fputs("no stack", m);
	fclose(m);
	markup_escape(f, s);
	free(s);
}

/* The stack (and retention path) as text, escaped. */
static void
put_stack(FILE *f, const struct leak *l)
{
	char *s = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&s, &len);

	if (m == NULL)
		return;
	output_text_stack(m, l->frames, l->nframes);
	if (l->retained_by != NULL) {
		fputs("    ", m);
		output_text_retainer(m, l->retained_by);
		fputc('\n', m);
	}
	fclose(m);
	markup_escape(f, s);
	free(s);
}

static void
put_case(FILE *f, const struct report *r, const struct leak *l, const struct leak_point *p,
    const char *exe)
{
	const struct sym_frame *site = l->nframes > 0 ? &l->frames[l->site] : NULL;

	fputs("    <testcase classname=\"libleak.", f);
	markup_escape(f, exe);
	fputs("\" name=\"", f);
	put_case_name(f, l);
	fputs("\" time=\"0\">\n", f);
	if (is_failure(r, l)) {
		fprintf(f,
		    "      <failure type=\"leak/%s\" message=\"%s leak of %" PRIu64
		    " bytes in %" PRIu64 " blocks",
		    model_class_name(l->cls), model_class_name(l->cls), p->bytes, p->blocks);
		if (site != NULL && site->function != NULL) {
			fputs(" allocated in ", f);
			markup_escape(f, site->function);
		}
		fputs("\">", f);
		put_stack(f, l);
		fputs("</failure>\n", f);
	} else {
		fprintf(f, "      <system-out>%s %" PRIu64 " bytes in %" PRIu64 " blocks%s\n",
		    model_class_name(l->cls), p->bytes, p->blocks,
		    l->known ? " (known: in the baseline)" : "");
		put_stack(f, l);
		fputs("</system-out>\n", f);
	}
	fputs("    </testcase>\n", f);
}

static void
put_property(FILE *f, const char *name, const char *value)
{
	fprintf(f, "      <property name=\"%s\" value=\"", name);
	markup_escape(f, value);
	fputs("\"/>\n", f);
}

static void
put_suite(FILE *f, const struct report *r, size_t d)
{
	const struct dump *dp = &r->dumps[d];
	const char *exe = model_basename(dp->exe);
	char num[32];
	size_t tests, failures;

	count_suite(r, d, &tests, &failures);
	fputs("  <testsuite name=\"", f);
	markup_escape(f, exe);
	fprintf(f,
	    " (pid %" PRIu64 ")\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" "
	    "time=\"0\">\n    <properties>\n",
	    dp->pid, tests, failures);
	snprintf(num, sizeof(num), "%" PRIu64, dp->pid);
	put_property(f, "pid", num);
	snprintf(num, sizeof(num), "%" PRIu64, dp->ppid);
	put_property(f, "ppid", num);
	put_property(f, "exe", dp->exe);
	put_property(f, "dump", dp->path);
	put_property(f, "kind", model_dump_kind(dp));
	fputs("    </properties>\n", f);
	for (size_t i = 0; i < r->nshown; i++) {
		const struct leak *l = r->shown[i];

		for (size_t k = 0; k < l->npoints; k++)
			if (l->points[k].dump == d)
				put_case(f, r, l, &l->points[k], exe);
	}
	fputs("  </testsuite>\n", f);
}

int
output_junit(FILE *f, const struct report *r)
{
	size_t tests = 0, failures = 0;

	for (size_t d = 0; d < r->ndumps; d++) {
		size_t t, n;

		count_suite(r, d, &t, &n);
		tests += t;
		failures += n;
	}
	fprintf(f,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"leakreport\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
	    tests, failures);
	for (size_t d = 0; d < r->ndumps; d++)
		put_suite(f, r, d);
	fputs("</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}
