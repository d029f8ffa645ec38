/*
 * options.h - leakreport's command line -> struct options. See options.c.
 */
#ifndef LEAKREPORT_OPTIONS_H
#define LEAKREPORT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "exe_match.h"

#define LEAKREPORT_VERSION "1.0" /* --version, and "tool" in the JSON */

/* What leakreport does: the first operand "diff" or "trend" picks a subcommand. */
enum command {
	CMD_REPORT, /* the leak report of every dump (no subcommand) */
	CMD_DIFF,   /* leakreport diff OLD NEW */
	CMD_TREND   /* leakreport trend DUMP... */
};

/* The formats of --format and --output; output.c names them and knows
 * which command writes which. */
enum out_format {
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_HTML,   /* one self-contained page (output_html.c) */
	FORMAT_SARIF,  /* SARIF 2.1.0 for code scanning (output_sarif.c) */
	FORMAT_FOLDED, /* collapsed stacks for flame graph tools (output_folded.c) */
	FORMAT_JUNIT,  /* JUnit XML for CI test reports (output_junit.c) */
	FORMAT_COUNT
};

/* One destination: a format and the file it goes to. */
struct out_dest {
	enum out_format format;
	const char *path; /* points into argv; never empty */
};

enum color_mode {
	COLOR_AUTO, /* colour when stdout is a terminal and NO_COLOR is unset */
	COLOR_ALWAYS,
	COLOR_NEVER
};

struct options {
	enum command command;
	enum out_format format;
	enum color_mode color;
	unsigned show;      /* mask of CLASS_BIT(cls) listed; default CLASS_MASK_LEAKS */
	bool top_set;       /* --top given */
	uint64_t top;       /* most records listed when top_set */
	unsigned fail_on;   /* gated kinds, a mask of CLASS_BIT(cls) */
	uint64_t max_leaks; /* --max-leaks, default 0 */
	bool max_bytes_set; /* --max-bytes given */
	uint64_t max_bytes;
	const char **supp_files; /* --suppressions, in command-line order */
	size_t nsupp_files;
	const char *baseline;       /* --baseline FILE, or NULL */
	const char *write_baseline; /* --write-baseline FILE, or NULL */
	struct exe_filter exe;      /* every --exe pattern; none: every dump is read */
	unsigned baseline_kinds;    /* --baseline-kinds, a mask of CLASS_BIT(cls) */
	bool baseline_kinds_set;    /* given; else --write-baseline writes the gated kinds */
	int group_by;               /* enum group_by (group.h); default GROUP_STACK */
	const char **ignore;        /* --ignore-frame patterns, in command-line order */
	size_t nignore;
	bool per_process;         /* --per-process */
	bool seen;                /* --seen: list what earlier checks reported too */
	uint64_t min_steps;       /* trend --min-steps, >= 1; default TREND_MIN_STEPS_DEFAULT */
	bool fail_on_growth;      /* trend --fail-on growth */
	bool debuginfod;          /* --debuginfod */
	const char *output_file;  /* -o FILE: the --format output goes there, not stdout */
	struct out_dest *outputs; /* every --output FORMAT=FILE, in command-line order */
	size_t noutputs;
	const char *source_root; /* --source-root DIR, or NULL: the git top level or cwd */
	bool folded_blocks;      /* --folded-weight blocks (else bytes) */
	bool help;               /* --help: print usage, exit 0 */
	bool version;            /* --version: print version, exit 0 */
	const char **dumps;      /* the DUMP operands, >= 1 unless help/version */
	size_t ndumps;
};

/*
 * Parses argv (argv[0] is skipped) into *o. A first argument "diff" or
 * "trend" picks the subcommand; each accepts only its own options. Options
 * take their value as the next argument or after '=' ("--top 5",
 * "--top=5"); "--" ends the options. Numbers are strict unsigned decimal.
 * Checks the number of dumps each command needs. 0, or -1 with e filled as
 * "<option>: <what>" (a usage error; o->command is set even then). Never
 * prints or exits. Allocates the arrays and the --exe patterns; the other
 * strings point into argv. Call options_free() either way.
 */
int options_parse(int argc, char **argv, struct options *o, struct err *e);

/* The --format word of f ("text", "json", "html", ...). */
const char *options_format_name(enum out_format f);

/* The one-line synopsis of command c, printed after a usage error. */
const char *options_synopsis(enum command c);

/* Writes the --help text of command c to f (for CMD_REPORT, with the
 * synopses of the subcommands). */
void options_help(FILE *f, enum command c);

/* Frees what options_parse() allocated; safe on a zeroed struct. */
void options_free(struct options *o);

#endif /* LEAKREPORT_OPTIONS_H */
