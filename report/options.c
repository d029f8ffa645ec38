/*
 * options.c - leakreport's command line -> struct options.
 *
 * Called once by main.c. Every problem is returned as a usage error in a
 * struct err ("--top: '12k' is not an unsigned decimal number"); this file
 * never prints except options_help(), and never exits. Long options only,
 * plus -h and -V; a value follows as the next argument or after '='. Numbers
 * and the --fail-on kinds are parsed by gate.c, so the gate and the command
 * line agree on what a number is.
 */
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "model.h"
#include "options.h"

const char options_synopsis[] =
	"usage: leakreport [--format text|json] [--color auto|always|never] [--show KINDS] "
	"[--top N] [--fail-on KINDS] [--max-leaks N] [--max-bytes N] [--suppressions FILE]... "
	"[--baseline FILE] [--write-baseline FILE] [--debuginfod] DUMP...";

#define SHOW_LEAKS      ((1u << CLASS_DEFINITE) | (1u << CLASS_INDIRECT) | (1u << CLASS_POSSIBLE))
#define SHOW_ALL        ((1u << CLASS_COUNT) - 1)

void
options_help(FILE *f)
{
	fprintf(f, "%s\n\n%s", options_synopsis,
	    "Reads libleak dumps, groups identical symbolized stacks and reports the leaks.\n"
	    "\n"
	    "  --format text|json     output format (default text)\n"
	    "  --color auto|always|never\n"
	    "                         colour the text output (auto: stdout is a terminal\n"
	    "                         and NO_COLOR is unset)\n"
	    "  --show KINDS           record kinds to list: comma list of definite, indirect,\n"
	    "                         possible, reachable, or 'leaks' (the first three, the\n"
	    "                         default) or 'all'; every kind is always counted\n"
	    "  --top N                list only the N largest records\n"
	    "  --fail-on KINDS        kinds that fail the gate: comma list, 'all' or 'none'\n"
	    "                         (default definite,indirect)\n"
	    "  --max-leaks N          fail when more than N records of those kinds (default 0)\n"
	    "  --max-bytes N          fail when they hold more than N bytes (default no limit)\n"
	    "  --suppressions FILE    LeakSanitizer suppression file (leak:PATTERN lines);\n"
	    "                         repeatable; $LEAK_SUPPRESSIONS names one more, read first\n"
	    "  --baseline FILE        known leaks: reported, but not counted by the gate\n"
	    "  --write-baseline FILE  write the current leak records as a baseline\n"
	    "  --debuginfod           let the symbolizer fetch debug info (DEBUGINFOD_URLS)\n"
	    "  -h, --help             this text\n"
	    "  -V, --version          the version\n"
	    "\n"
	    "Exit status: 0 the gate passed, 1 the gate failed, 2 usage error, unreadable\n"
	    "or malformed input, or any other trouble.\n");
}

/* Parses a --show value ("definite,reachable", "leaks", "all") into *mask. */
static int
parse_show(const char *s, unsigned *mask, struct err *e)
{
	static const char *const names[CLASS_COUNT] = {
		"definite", "indirect", "possible", "reachable"
	};
	unsigned m = 0;
	const char *p = s;

	if (*s == '\0')
		return err_set(e, "--show: empty list of kinds");
	for (;;) {
		size_t len = strcspn(p, ",");
		unsigned bit = 0;

		for (int c = 0; c < CLASS_COUNT; c++)
			if (strlen(names[c]) == len && strncmp(p, names[c], len) == 0)
				bit = 1u << c;
		if (len == 5 && strncmp(p, "leaks", 5) == 0)
			bit = SHOW_LEAKS;
		if (len == 3 && strncmp(p, "all", 3) == 0)
			bit = SHOW_ALL;
		if (bit == 0)
			return err_set(e, "--show: unknown kind '%.*s' (definite, indirect, "
			    "possible, reachable, leaks, all)", (int)(len > 64 ? 64 : len), p);
		m |= bit;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*mask = m;
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
	if (strcmp(name, "--format") == 0) {
		if (strcmp(v, "text") == 0)
			o->format = FORMAT_TEXT;
		else if (strcmp(v, "json") == 0)
			o->format = FORMAT_JSON;
		else
			return err_set(e, "--format: '%.64s' is not text or json", v);
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
	if (strcmp(name, "--fail-on") == 0)
		return gate_parse_kinds(v, &o->fail_on, e);
	if (strcmp(name, "--max-leaks") == 0)
		return gate_parse_u64("--max-leaks", v, &o->max_leaks, e);
	if (strcmp(name, "--max-bytes") == 0) {
		o->max_bytes_set = true;
		return gate_parse_u64("--max-bytes", v, &o->max_bytes, e);
	}
	if (strcmp(name, "--suppressions") == 0)
		return push(&o->supp_files, &o->nsupp_files, v, e);
	if (strcmp(name, "--baseline") == 0) {
		o->baseline = v;
		return 0;
	}
	o->write_baseline = v;  /* the only valued option left, see takes_value() */
	return 0;
}

/* Whether name is an option that takes a value. */
static bool
takes_value(const char *name)
{
	static const char *const valued[] = {
		"--format", "--color", "--colour", "--show", "--top", "--fail-on",
		"--max-leaks", "--max-bytes", "--suppressions", "--baseline",
		"--write-baseline",
	};

	for (size_t i = 0; i < sizeof(valued) / sizeof(valued[0]); i++)
		if (strcmp(name, valued[i]) == 0)
			return true;
	return false;
}

/* Handles a flag (an option without value); -1 when name is none. */
static int
apply_flag(struct options *o, const char *name, struct err *e)
{
	if (strcmp(name, "--debuginfod") == 0)
		o->debuginfod = true;
	else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		o->help = true;
	else if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		o->version = true;
	else
		return err_set(e, "unknown option '%.64s'", name);
	return 0;
}

int
options_parse(int argc, char **argv, struct options *o, struct err *e)
{
	bool operands_only = false;

	memset(o, 0, sizeof(*o));
	o->show = SHOW_LEAKS;
	o->fail_on = GATE_KINDS_DEFAULT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

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
			if (!takes_value(name))
				return err_set(e, "unknown option '%.64s'", a);
			if (apply(o, name, eq + 1, e) < 0)
				return -1;
			continue;
		}
		if (!takes_value(a)) {
			if (apply_flag(o, a, e) < 0)
				return -1;
			continue;
		}
		if (i + 1 >= argc)
			return err_set(e, "%s: missing value", a);
		if (apply(o, a, argv[++i], e) < 0)
			return -1;
	}
	if (o->ndumps == 0 && !o->help && !o->version)
		return err_set(e, "no dump given");
	return 0;
}

void
options_free(struct options *o)
{
	free(o->supp_files);
	free(o->dumps);
	o->supp_files = NULL;
	o->dumps = NULL;
}
