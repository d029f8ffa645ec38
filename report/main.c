/*
 * main.c - leakreport: runs the stages and picks the exit code.
 *
 *   options -> suppressions, baseline -> dump_read (every dump, those of
 *   another executable than --exe dropped) -> group (symbolize, merge,
 *   suppress, --group-by, sort, and what is listed) -> per process -> gate
 *   -> output -> write baseline
 *
 * Every output of a run renders the same report, read and symbolized once:
 * --format to stdout (or -o FILE), and each --output FORMAT=FILE. The files
 * are created (as temporary files beside their destinations) before any
 * dump is read, written, and renamed into place only when every output,
 * stdout included, was written: one destination that cannot be written
 * fails the run (exit 2) and changes nothing anywhere. The html output of
 * several dumps of one process adds their timeline: the dumps grouped again
 * in series mode (from the symbolizer's cache) and trend's flagged stacks.
 *
 * or, for the subcommands, on the dumps of one process (series.c):
 *
 *   diff:  options -> dump_read (OLD, NEW) -> same process -> group in
 *          series mode -> diff -> output_diff
 *   trend: options -> dump_read (every dump) -> same process -> order by
 *          time -> group in series mode -> trend -> output_trend
 *
 * trend exits 1 when a stack is flagged under --fail-on growth, diff never.
 *
 * The only file that prints errors or exits. Exit codes: 0 the gate passed,
 * 1 the gate failed, 2 usage error, unreadable or malformed input, or any
 * other trouble (never 1 for a tool error). Every error is one line on
 * stderr, "leakreport: <where>: <what>"; a usage error adds the synopsis.
 * Size: over the usual ~500 lines because it is the one place that runs
 * the stages and picks exit codes for the report and both subcommands, and
 * writes every --output destination atomically: one reader sees them all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "baseline.h"
#include "diff.h"
#include "dump_read.h"
#include "dumpfmt.h"
#include "gate.h"
#include "group.h"
#include "options.h"
#include "per_process.h"
#include "outfile.h"
#include "output_diff.h"
#include "output_folded.h"
#include "output_html.h"
#include "output_json.h"
#include "output_junit.h"
#include "output_sarif.h"
#include "output_text.h"
#include "output_trend.h"
#include "seen.h"
#include "series.h"
#include "srcroot.h"
#include "suppress.h"
#include "symbolize.h"
#include "trend.h"

#define EXIT_PASS    0
#define EXIT_GATE    1
#define EXIT_TROUBLE 2

/* One output of the run: a format and where it goes. */
struct dest {
	enum out_format format;
	struct outfile file; /* file.path NULL: stdout */
};

struct run {
	struct options opt;
	struct dest *dests; /* the --format output first, then every --output */
	size_t ndests;
	char *source_root;     /* sarif: the source tree (srcroot_find), or NULL */
	struct dump *tl_dumps; /* html timeline: the dumps in time order (shallow
				* copies, owned by dumps), or NULL */
	struct report tl_rep;  /* html timeline: them grouped in series mode */
	struct trend tl;       /* and the stacks trend flags */
	bool timeline;         /* tl is filled */
	size_t sarif_dropped;  /* records the sarif output left out (GitHub's limits) */
	struct suppressions *supp;
	struct baseline *base;
	struct dump *dumps;
	size_t ndumps;
	struct symbolizer *sym;
	struct report rep;
	struct per_process procs;
	struct diff diff;
	struct trend trend;
	struct err e;
};

/* One line on stderr: "leakreport: " + prefix + msg, every control byte
 * of msg (a path or value from the command line or a dump may hold a
 * newline or an ESC) written \xHH, so it is one line and moves no cursor. */
static void
say(const char *prefix, const char *msg)
{
	fputs("leakreport: ", stderr);
	fputs(prefix, stderr);
	for (const unsigned char *p = (const unsigned char *)msg; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
}

static void
warn_cb(void *ctx, const char *msg)
{
	(void)ctx;
	say("warning: ", msg);
}

/* $LEAK_SUPPRESSIONS (if set and not empty), then every --suppressions. */
static int
load_suppressions(struct run *r)
{
	const char *env = getenv("LEAK_SUPPRESSIONS");

	r->supp = supp_new();
	if (r->supp == NULL)
		return err_set(&r->e, "out of memory");
	if (env != NULL && *env != '\0' && supp_load(r->supp, env, &r->e) < 0)
		return -1;
	for (size_t i = 0; i < r->opt.nsupp_files; i++)
		if (supp_load(r->supp, r->opt.supp_files[i], &r->e) < 0)
			return -1;
	return 0;
}

/* Every DUMP operand, in command-line order, but for those of an
 * executable no --exe pattern matches: those are read (a malformed one is
 * still an error) and dropped before anything counts them. */
static int
load_dumps(struct run *r)
{
	r->dumps = calloc(r->opt.ndumps, sizeof(*r->dumps));
	if (r->dumps == NULL)
		return err_set(&r->e, "out of memory");
	for (size_t i = 0; i < r->opt.ndumps; i++) {
		struct dump *d = &r->dumps[r->ndumps];

		if (dump_read(r->opt.dumps[i], d, &r->e) < 0)
			return -1;
		if (exe_filter_match(&r->opt.exe, d->exe))
			r->ndumps++;
		else
			dump_free(d);
	}
	if (r->opt.ndumps > 0 && r->ndumps == 0) {
		char msg[128];

		snprintf(msg, sizeof(msg),
		    "--exe: no dump is of a matching executable (%zu %s "
		    "given); nothing to report",
		    r->opt.ndumps, r->opt.ndumps == 1 ? "dump" : "dumps");
		say("warning: ", msg);
	}
	return 0;
}

static int
load_inputs(struct run *r)
{
	if (load_suppressions(r) < 0)
		return -1;
	if (r->opt.baseline != NULL) {
		r->base = baseline_new();
		if (r->base == NULL)
			return err_set(&r->e, "out of memory");
		if (baseline_load(r->base, r->opt.baseline, &r->e) < 0)
			return -1;
	}
	if (load_dumps(r) < 0)
		return -1;
	return supp_from_dumps(r->supp, r->dumps, r->ndumps, &r->e);
}

/* Feeds the gate every record that is neither suppressed nor known. */
static void
decide(struct run *r)
{
	struct gate g;

	gate_init(&g);
	g.kinds = r->opt.fail_on;
	g.max_leaks = r->opt.max_leaks;
	g.bytes_limited = r->opt.max_bytes_set;
	g.max_bytes = r->opt.max_bytes;
	r->rep.gate.kinds = r->opt.fail_on;
	for (size_t i = 0; i < r->rep.nleaks; i++) {
		const struct leak *l = &r->rep.leaks[i];

		/* every kind: the gate counts the others for its reason line */
		if (group_is_gated(l, CLASS_MASK_ALL))
			gate_add(&g, l->cls, l->blocks, l->bytes);
	}
	r->rep.gate.passed = gate_decide(&g, r->rep.gate.reason, sizeof(r->rep.gate.reason));
}

/* --write-baseline: every record not suppressed, of the --baseline-kinds,
 * else of the gated kinds (under --fail-on none, a recording run, of the
 * default gated kinds). */
static int
write_baseline(struct run *r)
{
	struct baseline *b = baseline_new();
	unsigned kinds = r->opt.baseline_kinds_set ? r->opt.baseline_kinds :
	    r->opt.fail_on != 0                    ? r->opt.fail_on :
						     GATE_KINDS_DEFAULT;
	int ret = -1;

	if (b == NULL)
		return err_set(&r->e, "out of memory");
	for (size_t i = 0; i < r->rep.nleaks; i++) {
		const struct leak *l = &r->rep.leaks[i];

		if (l->supp == NULL &&
		    baseline_add(b, l->cls, l->blocks, l->bytes, l->key, &r->e) < 0)
			goto out_free;
	}
	ret = baseline_write(b, r->opt.write_baseline, kinds, &r->e);
out_free:
	baseline_free(b);
	return ret;
}

static bool
use_color(enum color_mode m)
{
	const char *nc = getenv("NO_COLOR");

	if (m != COLOR_AUTO)
		return m == COLOR_ALWAYS;
	return isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

/* Module files hold descriptors while the symbolizer has them open: the
 * soft limit goes up to the hard one, so fewer are closed and reopened
 * (the symbolizer keeps within whatever limit there is). */
static void
raise_fd_limit(void)
{
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &lim); /* best effort */
	}
}

static int
new_symbolizer(struct run *r)
{
	struct sym_options so = { .debuginfod = r->opt.debuginfod, .warn = warn_cb };

	raise_fd_limit();
	r->sym = sym_new(&so, &r->e);
	return r->sym == NULL ? -1 : 0;
}

static int
stdout_error(struct run *r)
{
	err_set(&r->e, "stdout: %s", strerror(errno));
	return EXIT_TROUBLE;
}

/*
 * The dumps of one process, each stack's live blocks per dump: reads them,
 * checks they are one process, orders them by time when ordered (trend;
 * diff keeps OLD NEW as given) and groups in series mode.
 */
static int
load_series(struct run *r, bool ordered)
{
	if (load_dumps(r) < 0 || series_check_process(r->dumps, r->ndumps, &r->e) < 0)
		return -1;
	if (ordered && series_order(r->dumps, r->ndumps, &r->e) < 0)
		return -1;
	if (new_symbolizer(r) < 0)
		return -1;
	r->rep.series = true;
	return group_build(&r->rep, r->sym, r->dumps, r->ndumps, &r->e);
}

/* leakreport diff OLD NEW; 0 or 2 as the exit code. */
static int
run_diff(struct run *r)
{
	int ret;

	if (load_series(r, false) < 0 ||
	    diff_compute(&r->diff, &r->rep, r->opt.top_set, r->opt.top, &r->e) < 0)
		return EXIT_TROUBLE;
	if (r->opt.format == FORMAT_JSON)
		ret = output_diff_json(stdout, &r->diff);
	else
		ret = output_diff_text(stdout, &r->diff);
	if (ret < 0 || fflush(stdout) == EOF)
		return stdout_error(r);
	return EXIT_PASS;
}

/*
 * The destinations: the --format output (stdout, or -o FILE), then every
 * --output FORMAT=FILE, each file opened as its temporary file. Called
 * before any input is read. 0, or -1 with e filled and nothing left.
 */
static int
open_dests(struct run *r)
{
	r->dests = calloc(r->opt.noutputs + 1, sizeof(*r->dests));
	if (r->dests == NULL)
		return err_set(&r->e, "out of memory");
	r->dests[0].format = r->opt.format;
	r->ndests = 1;
	if (r->opt.output_file != NULL &&
	    outfile_open(&r->dests[0].file, r->opt.output_file, &r->e) < 0)
		return -1;
	for (size_t i = 0; i < r->opt.noutputs; i++) {
		struct dest *d = &r->dests[r->ndests];

		d->format = r->opt.outputs[i].format;
		if (outfile_open(&d->file, r->opt.outputs[i].path, &r->e) < 0)
			return -1;
		r->ndests++;
	}
	return 0;
}

static bool
wants(const struct run *r, enum out_format f)
{
	for (size_t i = 0; i < r->ndests; i++)
		if (r->dests[i].format == f)
			return true;
	return false;
}

/* Removes every temporary file not yet renamed. */
static void
abort_dests(struct run *r)
{
	for (size_t i = 0; i < r->ndests; i++)
		outfile_abort(&r->dests[i].file);
}

/*
 * Renders every destination with render (the report's or trend's), the
 * files first, then stdout, then renames the files into place. 0, or -1
 * with e filled: the files are then removed.
 */
static int
emit(struct run *r, int (*render)(struct run *, enum out_format, FILE *))
{
	struct dest *out = NULL;

	for (size_t i = 0; i < r->ndests; i++) {
		struct dest *d = &r->dests[i];

		if (d->file.path == NULL) {
			out = d;
			continue;
		}
		if (render(r, d->format, d->file.f) < 0 || fflush(d->file.f) == EOF) {
			err_set(&r->e, "%s: cannot write '%s': %s", d->file.path, d->file.tmp,
			    strerror(errno));
			return -1;
		}
	}
	if (out != NULL && (render(r, out->format, stdout) < 0 || fflush(stdout) == EOF)) {
		stdout_error(r);
		return -1;
	}
	for (size_t i = 0; i < r->ndests; i++)
		if (r->dests[i].file.path != NULL && outfile_commit(&r->dests[i].file, &r->e) < 0)
			return -1;
	return 0;
}

static int
render_trend(struct run *r, enum out_format f, FILE *out)
{
	if (f == FORMAT_JSON)
		return output_trend_json(out, &r->trend);
	if (f == FORMAT_HTML)
		return output_html(out, NULL, NULL, &r->trend);
	return output_trend_text(out, &r->trend);
}

/* leakreport trend DUMP...; 0, 1 (a stack is flagged under --fail-on
 * growth) or 2 as the exit code. */
static int
run_trend(struct run *r)
{
	if (open_dests(r) < 0 || load_series(r, true) < 0 ||
	    trend_compute(&r->trend, &r->rep, r->opt.min_steps, &r->e) < 0 ||
	    emit(r, render_trend) < 0)
		return EXIT_TROUBLE;
	return r->opt.fail_on_growth && r->trend.ngrowing > 0 ? EXIT_GATE : EXIT_PASS;
}

static int
render_report(struct run *r, enum out_format f, FILE *out)
{
	const struct per_process *pp = r->opt.per_process ? &r->procs : NULL;

	switch (f) {
	case FORMAT_JSON:
		return output_json(out, &r->rep, pp);
	case FORMAT_HTML:
		return output_html(out, &r->rep, pp, r->timeline ? &r->tl : NULL);
	case FORMAT_SARIF:
		return output_sarif(out, &r->rep, r->source_root, &r->sarif_dropped);
	case FORMAT_FOLDED:
		return output_folded(out, &r->rep, r->opt.folded_blocks);
	case FORMAT_JUNIT:
		return output_junit(out, &r->rep);
	case FORMAT_TEXT:
	case FORMAT_COUNT:
		break;
	}
	return output_text(out, &r->rep, pp,
	    use_color(r->opt.color) && (out == stdout || r->opt.color == COLOR_ALWAYS));
}

/*
 * The html timeline of the report's dumps when they are two or more dumps
 * of one process: a copy of the dumps in time order, grouped in series
 * mode, and the stacks trend flags (with --min-steps lowered to what the
 * dumps allow). Dumps of several processes have none: that is no error.
 */
static int
build_timeline(struct run *r)
{
	struct err ignored;
	uint64_t steps = TREND_MIN_STEPS_DEFAULT;

	if (r->ndumps < 2 || series_check_process(r->dumps, r->ndumps, &ignored) < 0)
		return 0;
	r->tl_dumps = malloc(r->ndumps * sizeof(*r->tl_dumps));
	if (r->tl_dumps == NULL)
		return err_set(&r->e, "out of memory");
	memcpy(r->tl_dumps, r->dumps, r->ndumps * sizeof(*r->tl_dumps));
	if (series_order(r->tl_dumps, r->ndumps, &ignored) < 0)
		return 0; /* the same snapshot twice: no timeline */
	if (steps >= r->ndumps)
		steps = r->ndumps - 1;
	r->tl_rep.series = true;
	if (group_build(&r->tl_rep, r->sym, r->tl_dumps, r->ndumps, &r->e) < 0 ||
	    trend_compute(&r->tl, &r->tl_rep, steps, &r->e) < 0)
		return -1;
	r->timeline = true;
	return 0;
}

/* The leak report; 0, 1 or 2 as the exit code. */
static int
run_report(struct run *r)
{
	if (open_dests(r) < 0 || load_inputs(r) < 0 || new_symbolizer(r) < 0)
		return EXIT_TROUBLE;
	if (wants(r, FORMAT_SARIF) &&
	    (r->source_root = srcroot_find(r->opt.source_root, &r->e)) == NULL)
		return EXIT_TROUBLE;
	r->rep.group_by = (enum group_by)r->opt.group_by;
	r->rep.ignore = r->opt.ignore;
	r->rep.nignore = r->opt.nignore;
	r->rep.show = r->opt.show;
	r->rep.owners = r->supp;
	r->rep.top_set = r->opt.top_set;
	r->rep.top = r->opt.top;
	if (!r->opt.seen)
		seen_take_out(r->dumps, r->ndumps, &r->rep.seen);
	if (group_build(&r->rep, r->sym, r->dumps, r->ndumps, &r->e) < 0 ||
	    group_finish(&r->rep, r->supp, r->base, &r->e) < 0)
		return EXIT_TROUBLE;
	if (r->opt.per_process && per_process_build(&r->procs, &r->rep, r->opt.fail_on, &r->e) < 0)
		return EXIT_TROUBLE;
	if (wants(r, FORMAT_HTML) && build_timeline(r) < 0)
		return EXIT_TROUBLE;
	decide(r);
	if (emit(r, render_report) < 0)
		return EXIT_TROUBLE;
	if (r->sarif_dropped > 0) {
		char msg[160];

		snprintf(msg, sizeof(msg),
		    "sarif: %zu of %zu records left out (GitHub code scanning takes at most %d "
		    "results, %u MiB gzipped); the largest are kept",
		    r->sarif_dropped, r->rep.nshown, SARIF_MAX_RESULTS, SARIF_MAX_GZIP >> 20);
		say("warning: ", msg);
	}
	if (r->opt.write_baseline != NULL && write_baseline(r) < 0)
		return EXIT_TROUBLE;
	return r->rep.gate.passed ? EXIT_PASS : EXIT_GATE;
}

int
main(int argc, char **argv)
{
	struct run r;
	int code;

	memset(&r, 0, sizeof(r));
	group_init(&r.rep);
	group_init(&r.tl_rep);
	if (options_parse(argc, argv, &r.opt, &r.e) < 0) {
		say("", r.e.msg);
		fprintf(stderr, "%s\n", options_synopsis(r.opt.command));
		options_free(&r.opt);
		return EXIT_TROUBLE;
	}
	if (r.opt.help || r.opt.version) {
		if (r.opt.help)
			options_help(stdout, r.opt.command);
		else
			printf("leakreport %s (dump format %d, report format %d)\n",
			    LEAKREPORT_VERSION, DUMP_VERSION, OUTPUT_JSON_VERSION);
		options_free(&r.opt);
		return fflush(stdout) == EOF ? EXIT_TROUBLE : EXIT_PASS;
	}
	if (r.opt.command == CMD_DIFF)
		code = run_diff(&r);
	else if (r.opt.command == CMD_TREND)
		code = run_trend(&r);
	else
		code = run_report(&r);
	if (code == EXIT_TROUBLE)
		say("", r.e.msg);
	abort_dests(&r);
	free(r.dests);
	free(r.source_root);
	/* sym_free last: the records point at the symbolizer's strings. */
	trend_free(&r.tl);
	group_free(&r.tl_rep);
	free(r.tl_dumps);
	diff_free(&r.diff);
	trend_free(&r.trend);
	per_process_free(&r.procs);
	group_free(&r.rep);
	if (r.sym != NULL)
		sym_free(r.sym);
	for (size_t i = 0; i < r.ndumps; i++)
		dump_free(&r.dumps[i]);
	free(r.dumps);
	baseline_free(r.base);
	supp_free(r.supp);
	options_free(&r.opt);
	return code;
}
