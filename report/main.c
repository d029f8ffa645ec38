/*
 * main.c - leakreport: runs the stages and picks the exit code.
 *
 *   options -> suppressions, baseline -> dump_read (every dump, those of
 *   another executable than --exe dropped) -> group (symbolize, merge,
 *   suppress, --group-by, sort, and what is listed) -> per process -> gate
 *   -> output -> write baseline
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
#include "output_diff.h"
#include "output_json.h"
#include "output_text.h"
#include "output_trend.h"
#include "seen.h"
#include "series.h"
#include "suppress.h"
#include "symbolize.h"
#include "trend.h"

#define EXIT_PASS    0
#define EXIT_GATE    1
#define EXIT_TROUBLE 2

struct run {
	struct options opt;
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

/* leakreport trend DUMP...; 0, 1 (a stack is flagged under --fail-on
 * growth) or 2 as the exit code. */
static int
run_trend(struct run *r)
{
	int ret;

	if (load_series(r, true) < 0 ||
	    trend_compute(&r->trend, &r->rep, r->opt.min_steps, &r->e) < 0)
		return EXIT_TROUBLE;
	if (r->opt.format == FORMAT_JSON)
		ret = output_trend_json(stdout, &r->trend);
	else
		ret = output_trend_text(stdout, &r->trend);
	if (ret < 0 || fflush(stdout) == EOF)
		return stdout_error(r);
	return r->opt.fail_on_growth && r->trend.ngrowing > 0 ? EXIT_GATE : EXIT_PASS;
}

/* The leak report; 0, 1 or 2 as the exit code. */
static int
run_report(struct run *r)
{
	int ret;

	if (load_inputs(r) < 0 || new_symbolizer(r) < 0)
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
	decide(r);
	if (r->opt.format == FORMAT_JSON)
		ret = output_json(stdout, &r->rep, r->opt.per_process ? &r->procs : NULL);
	else
		ret = output_text(stdout, &r->rep, r->opt.per_process ? &r->procs : NULL,
		    use_color(r->opt.color));
	if (ret < 0 || fflush(stdout) == EOF)
		return stdout_error(r);
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
	/* sym_free last: the records point at the symbolizer's strings. */
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
