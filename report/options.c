/*
 * options.c - leakreport's command line -> struct options.
 *
 * Called once by main.c. Every problem is returned as a usage error in a
 * struct err ("--top: '12k' is not an unsigned decimal number"); this file
 * never prints except options_help(), and never exits. Long options only,
 * plus -h and -V; a value follows as the next argument or after '='. Numbers
 * and the --fail-on kinds are parsed by gate.c, so the gate and the command
 * line agree on what a number is.
 *
 * A first argument "diff" or "trend" picks a subcommand (a dump of that name
 * is given as ./diff or after --). Every option belongs to some commands
 * (the table in find_opt()); another command's option is a usage error, so
 * nothing is silently ignored. The operand counts are checked here too:
 * diff takes two dumps, trend at least --min-steps + 1 (and 2).
 * Size: over the usual ~500 lines because it holds every option of the
 * three commands, their help text and their checks: one table, one owner
 * of what leakreport accepts.
 */
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "group.h"
#include "trend.h"
#include "model.h"
#include "options.h"

static const char synopsis_report[] =
    "usage: leakreport [--format text|json|html|sarif|folded|junit] [-o FILE] "
    "[--output FORMAT=FILE]... [--source-root DIR] [--folded-weight bytes|blocks] "
    "[--color auto|always|never] [--show KINDS] "
    "[--top N] [--fail-on KINDS] [--max-leaks N] [--max-bytes N] [--suppressions FILE]... "
    "[--baseline FILE] [--write-baseline FILE] [--baseline-kinds KINDS] [--exe PATTERN]... "
    "[--group-by stack|site|function|exe] [--ignore-frame PATTERN]... [--per-process] [--seen] "
    "[--debuginfod] DUMP...";
static const char synopsis_diff[] =
    "usage: leakreport diff [--format text|json] [--top N] [--debuginfod] OLD NEW";
static const char synopsis_trend[] =
    "usage: leakreport trend [--min-steps N] [--fail-on growth|none] [--format text|json|html] "
    "[-o FILE] [--output FORMAT=FILE]... [--debuginfod] DUMP...";

const char *
options_synopsis(enum command c)
{
	return c == CMD_DIFF ? synopsis_diff : c == CMD_TREND ? synopsis_trend : synopsis_report;
}

void
options_help(FILE *f, enum command c)
{
	if (c == CMD_DIFF) {
		fprintf(f, "%s\n\n%s", synopsis_diff,
		    "Compares two dumps of one process (snapshots or the exit dump): per symbolized\n"
		    "stack, the change of its live blocks and bytes, every kind together. Stacks\n"
		    "that grew come first, largest growth first; then those that shrank or were\n"
		    "freed, largest decrease first; then the live bytes, blocks and RSS of both.\n"
		    "\n"
		    "  --format text|json     output format (default text)\n"
		    "  --top N                list only the N largest changes of each list\n"
		    "  --debuginfod           let the symbolizer fetch debug info (DEBUGINFOD_URLS)\n"
		    "\n"
		    "Exit status: 0 done; 2 usage error, unreadable or malformed dump, dumps of\n"
		    "two processes, or any other trouble.\n");
		return;
	}
	if (c == CMD_TREND) {
		fprintf(f, "%s\n\n%s", synopsis_trend,
		    "Orders the dumps of one process by time and flags every symbolized stack\n"
		    "whose live bytes grew strictly at each of the last N steps (pairs of\n"
		    "consecutive dumps) or more, up to the last dump: a leak that keeps growing\n"
		    "is flagged, a cache that filled up and stays flat is not.\n"
		    "\n"
		    "  --min-steps N          N, a positive integer (default 5); needs N + 1 dumps\n"
		    "  --fail-on growth|none  growth: exit 1 when a stack is flagged (default none)\n"
		    "  --format text|json|html\n"
		    "                         output format (default text); html: one page with\n"
		    "                         the heap timeline and the growing stacks\n"
		    "  -o FILE                write the --format output to FILE, not stdout\n"
		    "  --output FORMAT=FILE   also write FORMAT (text, json, html) to FILE;\n"
		    "                         repeatable\n"
		    "  --debuginfod           let the symbolizer fetch debug info (DEBUGINFOD_URLS)\n"
		    "\n"
		    "Exit status: 0 done; 1 a stack is flagged under --fail-on growth; 2 usage\n"
		    "error, too few dumps, unreadable or malformed dump, dumps of several\n"
		    "processes, or any other trouble.\n");
		return;
	}
	fprintf(f, "%s\n%s\n%s\n\n%s", synopsis_report, synopsis_diff, synopsis_trend,
	    "Reads libleak dumps, groups identical symbolized stacks and reports the leaks.\n"
	    "\n"
	    "  --format text|json|html|sarif|folded|junit\n"
	    "                         output format (default text): html one self-contained\n"
	    "                         page (flame graph, records, timeline), sarif SARIF\n"
	    "                         2.1.0 for code scanning, folded collapsed stacks for\n"
	    "                         flame graph tools, junit JUnit XML\n"
	    "  -o FILE                write the --format output to FILE, not stdout\n"
	    "  --output FORMAT=FILE   also write FORMAT to FILE, from the same run;\n"
	    "                         repeatable; every file is written whole or not at all\n"
	    "  --source-root DIR      sarif: the source tree results point into (default\n"
	    "                         the git top level of the current directory, else it)\n"
	    "  --folded-weight bytes|blocks\n"
	    "                         folded: weigh each stack by bytes (default) or blocks\n"
	    "  --color auto|always|never\n"
	    "                         colour the text output (auto: stdout is a terminal\n"
	    "                         and NO_COLOR is unset)\n"
	    "  --show KINDS           record kinds to list: comma list of definite, indirect,\n"
	    "                         possible, reachable, fd, timer, thread, or 'leaks' (the\n"
	    "                         first three), 'resources' (the last three) or 'all';\n"
	    "                         default leaks,resources; every kind is always counted\n"
	    "  --top N                list only the N largest records\n"
	    "  --fail-on KINDS        kinds that fail the gate: comma list (a kind, or\n"
	    "                         'resources'), 'all' or 'none' (default definite,indirect)\n"
	    "  --max-leaks N          fail when more than N records of those kinds (default 0)\n"
	    "  --max-bytes N          fail when they hold more than N bytes (default no limit)\n"
	    "  --suppressions FILE    LeakSanitizer suppression file (leak:PATTERN lines);\n"
	    "                         repeatable; $LEAK_SUPPRESSIONS names one more, read first\n"
	    "  --baseline FILE        known leaks: reported, but not counted by the gate\n"
	    "  --write-baseline FILE  write the current records of the gated kinds as a\n"
	    "                         baseline (under --fail-on none: definite,indirect)\n"
	    "  --baseline-kinds KINDS the kinds --write-baseline writes instead: comma list,\n"
	    "                         'all' or 'none'\n"
	    "  --exe PATTERN          read only the dumps of executables matching PATTERN\n"
	    "                         (repeatable; several patterns may be joined by ':'):\n"
	    "                         '*' any run, '/' too, '?' one character; '/...' the\n"
	    "                         whole path, no '/' the basename, else a path suffix\n"
	    "  --group-by stack|site|function|exe\n"
	    "                         one record per kind and symbolized stack (default), per\n"
	    "                         site frame (the first frame not matched by\n"
	    "                         --ignore-frame), per site function, or per executable\n"
	    "  --ignore-frame PATTERN a frame that is never a site (suppression pattern syntax,\n"
	    "                         matched as a suppression is); repeatable\n"
	    "  --per-process          list each process's gated blocks and bytes\n"
	    "  --seen                 also list the leaks an earlier leak_check_now() reported\n"
	    "                         (by default each leak is listed in the dump that first\n"
	    "                         found it)\n"
	    "  --debuginfod           let the symbolizer fetch debug info (DEBUGINFOD_URLS)\n"
	    "  -h, --help             this text\n"
	    "  -V, --version          the version\n"
	    "\n"
	    "Exit status: 0 the gate passed, 1 the gate failed, 2 usage error, unreadable\n"
	    "or malformed input, or any other trouble.\n"
	    "\n"
	    "'leakreport diff --help' and 'leakreport trend --help' describe the subcommands.\n");
}

/* Parses a --show value ("definite,reachable", "leaks", "all") into *mask. */
static int
parse_show(const char *s, unsigned *mask, struct err *e)
{
	unsigned m = 0;
	const char *p = s;

	if (*s == '\0')
		return err_set(e, "--show: empty list of kinds");
	for (;;) {
		size_t len = strcspn(p, ",");
		int c = model_class_parse(p, len);
		unsigned bit = c >= 0 ? CLASS_BIT(c) : 0;

		if (len == 5 && strncmp(p, "leaks", 5) == 0)
			bit = CLASS_MASK_LEAKS;
		if (len == 9 && strncmp(p, "resources", 9) == 0)
			bit = CLASS_MASK_RESOURCES;
		if (len == 3 && strncmp(p, "all", 3) == 0)
			bit = CLASS_MASK_ALL;
		if (bit == 0)
			return err_set(e,
			    "--show: unknown kind '%.*s' (" CLASS_NAMES ", leaks, resources, all)",
			    (int)(len > 64 ? 64 : len), p);
		m |= bit;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*mask = m;
	return 0;
}

static const char *const format_names[FORMAT_COUNT] = { "text", "json", "html", "sarif", "folded",
	"junit" };

const char *
options_format_name(enum out_format f)
{
	return f < FORMAT_COUNT ? format_names[f] : "?";
}

/* The formats each command writes, a mask of 1u << enum out_format, and
 * how its messages list them. */
static unsigned
command_formats(enum command c, const char **names)
{
	if (c == CMD_DIFF) {
		*names = "text or json";
		return 1u << FORMAT_TEXT | 1u << FORMAT_JSON;
	}
	if (c == CMD_TREND) {
		*names = "text, json or html";
		return 1u << FORMAT_TEXT | 1u << FORMAT_JSON | 1u << FORMAT_HTML;
	}
	*names = "text, json, html, sarif, folded or junit";
	return (1u << FORMAT_COUNT) - 1;
}

/* The format named w[0..n) into *f, when command c writes it. */
static int
parse_format(const char *opt, enum command c, const char *w, size_t n, enum out_format *f,
    struct err *e)
{
	const char *names;
	unsigned ok = command_formats(c, &names);

	for (int i = 0; i < FORMAT_COUNT; i++)
		if ((ok & 1u << i) && strlen(format_names[i]) == n &&
		    strncmp(w, format_names[i], n) == 0) {
			*f = (enum out_format)i;
			return 0;
		}
	return err_set(e, "%s: '%.*s' is not %s", opt, (int)(n > 64 ? 64 : n), w, names);
}

/* --output FORMAT=FILE, appended to o->outputs. */
static int
parse_output(struct options *o, const char *v, struct err *e)
{
	const char *eq = strchr(v, '=');
	struct out_dest d;
	struct out_dest *a;

	if (eq == NULL || eq[1] == '\0')
		return err_set(e, "--output: '%.64s' is not FORMAT=FILE", v);
	if (parse_format("--output", o->command, v, (size_t)(eq - v), &d.format, e) < 0)
		return -1;
	d.path = eq + 1;
	a = realloc(o->outputs, (o->noutputs + 1) * sizeof(*a));
	if (a == NULL)
		return err_set(e, "out of memory");
	a[o->noutputs++] = d;
	o->outputs = a;
	return 0;
}

/* Appends s to a growing array of strings. */
static int
push(const char ***arr, size_t *n, const char *s, struct err *e)
{
	const char **a = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (a == NULL)
		return err_set(e, "out of memory");
	a[(*n)++] = s;
	*arr = a;
	return 0;
}

/* Applies option name (without its value) with value v to o. */
static int
apply(struct options *o, const char *name, const char *v, struct err *e)
{
	if (strcmp(name, "--format") == 0)
		return parse_format("--format", o->command, v, strlen(v), &o->format, e);
	if (strcmp(name, "--output") == 0)
		return parse_output(o, v, e);
	if (strcmp(name, "-o") == 0) {
		if (*v == '\0')
			return err_set(e, "-o: empty file name");
		o->output_file = v;
		return 0;
	}
	if (strcmp(name, "--source-root") == 0) {
		if (*v == '\0')
			return err_set(e, "--source-root: empty directory name");
		o->source_root = v;
		return 0;
	}
	if (strcmp(name, "--folded-weight") == 0) {
		if (strcmp(v, "bytes") != 0 && strcmp(v, "blocks") != 0)
			return err_set(e, "--folded-weight: '%.64s' is not bytes or blocks", v);
		o->folded_blocks = strcmp(v, "blocks") == 0;
		return 0;
	}
	if (strcmp(name, "--color") == 0 || strcmp(name, "--colour") == 0) {
		if (strcmp(v, "auto") == 0)
			o->color = COLOR_AUTO;
		else if (strcmp(v, "always") == 0)
			o->color = COLOR_ALWAYS;
		else if (strcmp(v, "never") == 0)
			o->color = COLOR_NEVER;
		else
			return err_set(e, "--color: '%.64s' is not auto, always or never", v);
		return 0;
	}
	if (strcmp(name, "--show") == 0)
		return parse_show(v, &o->show, e);
	if (strcmp(name, "--top") == 0) {
		o->top_set = true;
		return gate_parse_u64("--top", v, &o->top, e);
	}
	if (strcmp(name, "--fail-on") == 0 && o->command == CMD_TREND) {
		if (strcmp(v, "growth") != 0 && strcmp(v, "none") != 0)
			return err_set(e, "--fail-on: '%.64s' is not growth or none", v);
		o->fail_on_growth = strcmp(v, "growth") == 0;
		return 0;
	}
	if (strcmp(name, "--fail-on") == 0)
		return gate_parse_kinds(v, &o->fail_on, e);
	if (strcmp(name, "--min-steps") == 0) {
		if (gate_parse_u64("--min-steps", v, &o->min_steps, e) < 0 || o->min_steps == 0)
			return err_set(e, "--min-steps: '%.64s' is not a positive integer", v);
		return 0;
	}
	if (strcmp(name, "--max-leaks") == 0)
		return gate_parse_u64("--max-leaks", v, &o->max_leaks, e);
	if (strcmp(name, "--max-bytes") == 0) {
		o->max_bytes_set = true;
		return gate_parse_u64("--max-bytes", v, &o->max_bytes, e);
	}
	if (strcmp(name, "--suppressions") == 0)
		return push(&o->supp_files, &o->nsupp_files, v, e);
	if (strcmp(name, "--exe") == 0)
		return exe_filter_add(&o->exe, v, e);
	if (strcmp(name, "--ignore-frame") == 0) {
		if (*v == '\0')
			return err_set(e, "--ignore-frame: empty pattern");
		return push(&o->ignore, &o->nignore, v, e);
	}
	if (strcmp(name, "--baseline-kinds") == 0) {
		o->baseline_kinds_set = true;
		return gate_parse_kinds_opt("--baseline-kinds", v, &o->baseline_kinds, e);
	}
	if (strcmp(name, "--group-by") == 0) {
		o->group_by = group_by_parse(v);
		if (o->group_by < 0)
			return err_set(e, "--group-by: '%.64s' is not stack, site, function or exe",
			    v);
		return 0;
	}
	if (strcmp(name, "--baseline") == 0) {
		o->baseline = v;
		return 0;
	}
	o->write_baseline = v; /* the only valued option left, see find_opt() */
	return 0;
}

#define ON_REPORT (1u << CMD_REPORT)
#define ON_DIFF   (1u << CMD_DIFF)
#define ON_TREND  (1u << CMD_TREND)
#define ON_ALL    (ON_REPORT | ON_DIFF | ON_TREND)

struct opt_def {
	const char *name;
	bool valued;       /* takes a value */
	unsigned commands; /* mask of 1u << enum command that accept it */
};

/* The option called name, or NULL when there is none. */
static const struct opt_def *
find_opt(const char *name)
{
	static const struct opt_def defs[] = {
		{ "--format", true, ON_ALL },
		{ "-o", true, ON_REPORT | ON_TREND },
		{ "--output", true, ON_REPORT | ON_TREND },
		{ "--source-root", true, ON_REPORT },
		{ "--folded-weight", true, ON_REPORT },
		{ "--color", true, ON_REPORT },
		{ "--colour", true, ON_REPORT },
		{ "--show", true, ON_REPORT },
		{ "--top", true, ON_REPORT | ON_DIFF },
		{ "--fail-on", true, ON_REPORT | ON_TREND },
		{ "--max-leaks", true, ON_REPORT },
		{ "--max-bytes", true, ON_REPORT },
		{ "--suppressions", true, ON_REPORT },
		{ "--baseline", true, ON_REPORT },
		{ "--write-baseline", true, ON_REPORT },
		{ "--exe", true, ON_REPORT },
		{ "--baseline-kinds", true, ON_REPORT },
		{ "--group-by", true, ON_REPORT },
		{ "--ignore-frame", true, ON_REPORT },
		{ "--per-process", false, ON_REPORT },
		{ "--seen", false, ON_REPORT },
		{ "--min-steps", true, ON_TREND },
		{ "--debuginfod", false, ON_ALL },
		{ "--help", false, ON_ALL },
		{ "-h", false, ON_ALL },
		{ "--version", false, ON_ALL },
		{ "-V", false, ON_ALL },
	};

	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
		if (strcmp(name, defs[i].name) == 0)
			return &defs[i];
	return NULL;
}

static const char *
command_name(enum command c)
{
	return c == CMD_DIFF ? "leakreport diff" :
	    c == CMD_TREND   ? "leakreport trend" :
			       "leakreport";
}

/* The definition of option name for o's command; NULL with e filled when
 * there is none or it belongs to another command. */
static const struct opt_def *
lookup(const struct options *o, const char *name, const char *arg, struct err *e)
{
	const struct opt_def *d = find_opt(name);

	if (d == NULL) {
		err_set(e, "unknown option '%.64s'", arg);
		return NULL;
	}
	if (!(d->commands & (1u << o->command))) {
		err_set(e, "%s: not an option of '%s'", name, command_name(o->command));
		return NULL;
	}
	return d;
}

/* Handles a flag (an option without value); -1 when name is none. */
static int
apply_flag(struct options *o, const char *name, struct err *e)
{
	if (strcmp(name, "--debuginfod") == 0)
		o->debuginfod = true;
	else if (strcmp(name, "--per-process") == 0)
		o->per_process = true;
	else if (strcmp(name, "--seen") == 0)
		o->seen = true;
	else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		o->help = true;
	else if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		o->version = true;
	else
		return err_set(e, "unknown option '%.64s'", name);
	return 0;
}

/* The operand counts: diff takes two dumps, trend min_steps + 1 and 2. */
static int
check_operands(const struct options *o, struct err *e)
{
	if (o->help || o->version)
		return 0;
	for (size_t i = 0; i < o->noutputs; i++) {
		if (o->output_file != NULL && strcmp(o->outputs[i].path, o->output_file) == 0)
			return err_set(e, "--output: '%.64s' is also the -o file", o->output_file);
		for (size_t k = 0; k < i; k++)
			if (strcmp(o->outputs[i].path, o->outputs[k].path) == 0)
				return err_set(e, "--output: '%.64s' given twice",
				    o->outputs[i].path);
	}
	if (o->ndumps == 0)
		return err_set(e, "no dump given");
	if (o->command == CMD_DIFF && o->ndumps != 2)
		return err_set(e, "diff: takes exactly two dumps, OLD and NEW; %zu given",
		    o->ndumps);
	if (o->command == CMD_TREND && (o->ndumps < 2 || o->ndumps <= o->min_steps))
		return err_set(e, "trend: %zu %s given; --min-steps %llu needs at least %llu",
		    o->ndumps, o->ndumps == 1 ? "dump" : "dumps", (unsigned long long)o->min_steps,
		    (unsigned long long)(o->min_steps < 2 ? 2 : o->min_steps + 1));
	return 0;
}

int
options_parse(int argc, char **argv, struct options *o, struct err *e)
{
	bool operands_only = false;
	int i = 1;

	memset(o, 0, sizeof(*o));
	o->show = CLASS_MASK_LEAKS | CLASS_MASK_RESOURCES; /* listed, not gated */
	o->fail_on = GATE_KINDS_DEFAULT;
	o->min_steps = TREND_MIN_STEPS_DEFAULT;
	if (argc > 1 && strcmp(argv[1], "diff") == 0) {
		o->command = CMD_DIFF;
		i = 2;
	} else if (argc > 1 && strcmp(argv[1], "trend") == 0) {
		o->command = CMD_TREND;
		i = 2;
	}
	for (; i < argc; i++) {
		const char *a = argv[i];
		const struct opt_def *d;

		if (operands_only || a[0] != '-' || strcmp(a, "-") == 0) {
			if (push(&o->dumps, &o->ndumps, a, e) < 0)
				return -1;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			operands_only = true;
			continue;
		}
		const char *eq = strchr(a, '=');
		char name[64];

		if (eq != NULL && a[1] == '-') {
			size_t len = (size_t)(eq - a);

			if (len >= sizeof(name))
				return err_set(e, "unknown option '%.64s'", a);
			memcpy(name, a, len);
			name[len] = '\0';
			if ((d = lookup(o, name, a, e)) == NULL)
				return -1;
			if (!d->valued)
				return err_set(e, "%s: takes no value", name);
			if (apply(o, name, eq + 1, e) < 0)
				return -1;
			continue;
		}
		if ((d = lookup(o, a, a, e)) == NULL)
			return -1;
		if (!d->valued) {
			if (apply_flag(o, a, e) < 0)
				return -1;
			continue;
		}
		if (i + 1 >= argc)
			return err_set(e, "%s: missing value", a);
		if (apply(o, a, argv[++i], e) < 0)
			return -1;
	}
	return check_operands(o, e);
}

void
options_free(struct options *o)
{
	free(o->supp_files);
	free(o->dumps);
	free(o->ignore);
	free(o->outputs);
	exe_filter_free(&o->exe);
	o->supp_files = NULL;
	o->dumps = NULL;
	o->ignore = NULL;
	o->outputs = NULL;
}
