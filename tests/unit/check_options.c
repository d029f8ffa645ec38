/*
 * check_options.c - options.c: every option of every command in both forms
 * ("--x v", "--x=v"), the defaults, "--" and "-", the subcommands and the
 * options they refuse, the operand counts, every bad value as a usage
 * error with its exact message, and the synopses: each names exactly the
 * options its command accepts, and docs/leakreport.md shows the same ones.
 */
#define _GNU_SOURCE /* open_memstream */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "group.h"
#include "options.h"
#include "trend.h"

#define MAXARGS 32

/* Parses the words of line (split at spaces; "''" is an empty word) as
 * argv[1..]. Returns what options_parse returned; *o and *e are filled. */
static int
parse(const char *line, struct options *o, struct err *e)
{
	static char buf[1024];
	char *argv[MAXARGS] = { "leakreport" };
	int argc = 1;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *p = strtok(buf, " "); p != NULL; p = strtok(NULL, " ")) {
		ck_assert_int_lt(argc, MAXARGS - 1);
		argv[argc++] = strcmp(p, "''") == 0 ? p + 2 : p;
	}
	argv[argc] = NULL;
	e->msg[0] = '\0';
	return options_parse(argc, argv, o, e);
}

/* Parses line, which must succeed, into *o. */
static void
parse_ok(const char *line, struct options *o)
{
	struct err e;

	ck_assert_msg(parse(line, o, &e) == 0, "'%s': %s", line, e.msg);
}

START_TEST(defaults)
{
	struct options o;

	parse_ok("a.dump", &o);
	ck_assert_int_eq(o.command, CMD_REPORT);
	ck_assert_int_eq(o.format, FORMAT_TEXT);
	ck_assert_int_eq(o.color, COLOR_AUTO);
	ck_assert_uint_eq(o.show, CLASS_MASK_LEAKS | CLASS_MASK_RESOURCES);
	ck_assert(!o.top_set);
	ck_assert_uint_eq(o.fail_on, GATE_KINDS_DEFAULT);
	ck_assert_uint_eq(o.max_leaks, 0);
	ck_assert(!o.max_bytes_set);
	ck_assert_uint_eq(o.nsupp_files, 0);
	ck_assert_ptr_null(o.baseline);
	ck_assert_ptr_null(o.write_baseline);
	ck_assert_uint_eq(o.exe.n, 0);
	ck_assert(!o.baseline_kinds_set);
	ck_assert_int_eq(o.group_by, GROUP_STACK);
	ck_assert_uint_eq(o.nignore, 0);
	ck_assert(!o.per_process);
	ck_assert_uint_eq(o.min_steps, TREND_MIN_STEPS_DEFAULT);
	ck_assert(!o.fail_on_growth);
	ck_assert(!o.debuginfod && !o.help && !o.version);
	ck_assert_uint_eq(o.ndumps, 1);
	ck_assert_str_eq(o.dumps[0], "a.dump");
	options_free(&o);
}
END_TEST

/* Every valued option, with a value and what it must set. */
static const struct {
	const char *opt;
	const char *value;
	const char *command; /* "" for the report, else "diff " or "trend " */
} valued[] = {
	{ "--format", "json", "" },
	{ "--format", "json", "diff " },
	{ "--format", "json", "trend " },
	{ "--color", "never", "" },
	{ "--colour", "always", "" },
	{ "--show", "reachable,definite", "" },
	{ "--top", "7", "" },
	{ "--top", "7", "diff " },
	{ "--fail-on", "possible", "" },
	{ "--fail-on", "growth", "trend " },
	{ "--max-leaks", "3", "" },
	{ "--max-bytes", "4096", "" },
	{ "--suppressions", "s.supp", "" },
	{ "--baseline", "b.txt", "" },
	{ "--write-baseline", "w.txt", "" },
	{ "--exe", "test_*:/bin/x", "" },
	{ "--baseline-kinds", "reachable", "" },
	{ "--group-by", "function", "" },
	{ "--ignore-frame", "xmalloc", "" },
	{ "--min-steps", "2", "trend " },
	{ "--output", "sarif=r.sarif", "" },
	{ "--output", "html=r.html", "trend " },
	{ "--source-root", "/src", "" },
	{ "--folded-weight", "blocks", "" },
};

/* What one valued option set in o, as a string, to compare the forms. */
static void
describe(const struct options *o, const char *opt, char *buf, size_t len)
{
	if (strcmp(opt, "--format") == 0)
		snprintf(buf, len, "%d", o->format);
	else if (strcmp(opt, "--color") == 0 || strcmp(opt, "--colour") == 0)
		snprintf(buf, len, "%d", o->color);
	else if (strcmp(opt, "--show") == 0)
		snprintf(buf, len, "%x", o->show);
	else if (strcmp(opt, "--top") == 0)
		snprintf(buf, len, "%d %llu", o->top_set, (unsigned long long)o->top);
	else if (strcmp(opt, "--fail-on") == 0)
		snprintf(buf, len, "%x %d", o->fail_on, o->fail_on_growth);
	else if (strcmp(opt, "--max-leaks") == 0)
		snprintf(buf, len, "%llu", (unsigned long long)o->max_leaks);
	else if (strcmp(opt, "--max-bytes") == 0)
		snprintf(buf, len, "%d %llu", o->max_bytes_set, (unsigned long long)o->max_bytes);
	else if (strcmp(opt, "--suppressions") == 0)
		snprintf(buf, len, "%zu %s", o->nsupp_files, o->supp_files[0]);
	else if (strcmp(opt, "--baseline") == 0)
		snprintf(buf, len, "%s", o->baseline);
	else if (strcmp(opt, "--write-baseline") == 0)
		snprintf(buf, len, "%s", o->write_baseline);
	else if (strcmp(opt, "--exe") == 0)
		snprintf(buf, len, "%zu %s %s", o->exe.n, o->exe.patterns[0], o->exe.patterns[1]);
	else if (strcmp(opt, "--baseline-kinds") == 0)
		snprintf(buf, len, "%d %x", o->baseline_kinds_set, o->baseline_kinds);
	else if (strcmp(opt, "--group-by") == 0)
		snprintf(buf, len, "%d", o->group_by);
	else if (strcmp(opt, "--ignore-frame") == 0)
		snprintf(buf, len, "%zu %s", o->nignore, o->ignore[0]);
	else if (strcmp(opt, "--min-steps") == 0)
		snprintf(buf, len, "%llu", (unsigned long long)o->min_steps);
	else if (strcmp(opt, "--output") == 0)
		snprintf(buf, len, "%zu %d %s", o->noutputs, o->outputs[0].format,
		    o->outputs[0].path);
	else if (strcmp(opt, "--source-root") == 0)
		snprintf(buf, len, "%s", o->source_root);
	else if (strcmp(opt, "--folded-weight") == 0)
		snprintf(buf, len, "%d", o->folded_blocks);
	else
		ck_abort_msg("no description of %s", opt);
}

/* Operands that command (a prefix of valued[]) takes with its defaults. */
static const char *
operands(const char *command)
{
	if (strcmp(command, "diff ") == 0)
		return "a b";
	if (strcmp(command, "trend ") == 0)
		return "a b c d e f";
	return "a";
}

/* "--x v" and "--x=v" set the same, and what the option is for. */
START_TEST(both_forms_set_the_same)
{
	static const char *const want[] = {
		"1",
		"1",
		"1",
		"2",
		"1",
		"9",
		"1 7",
		"1 7",
		"4 0",
		"3 1",
		"3",
		"1 4096",
		"1 s.supp",
		"b.txt",
		"w.txt",
		"2 test_* /bin/x",
		"1 8",
		"2",
		"1 xmalloc",
		"2",
		"1 3 r.sarif",
		"1 2 r.html",
		"/src",
		"1",
	};
	char line[256];
	char spaced[128], joined[128];
	struct options o;

	ck_assert_uint_eq(sizeof(want) / sizeof(want[0]), sizeof(valued) / sizeof(valued[0]));
	snprintf(line, sizeof(line), "%s%s %s %s", valued[_i].command, valued[_i].opt,
	    valued[_i].value, operands(valued[_i].command));
	parse_ok(line, &o);
	describe(&o, valued[_i].opt, spaced, sizeof(spaced));
	options_free(&o);
	snprintf(line, sizeof(line), "%s%s=%s %s", valued[_i].command, valued[_i].opt,
	    valued[_i].value, operands(valued[_i].command));
	parse_ok(line, &o);
	describe(&o, valued[_i].opt, joined, sizeof(joined));
	options_free(&o);
	ck_assert_str_eq(spaced, joined);
	ck_assert_str_eq(spaced, want[_i]);
}
END_TEST

START_TEST(flags)
{
	struct options o;

	parse_ok("--per-process --debuginfod a", &o);
	ck_assert(o.per_process && o.debuginfod);
	options_free(&o);
	parse_ok("diff --debuginfod a b", &o);
	ck_assert(o.debuginfod);
	options_free(&o);
	/* --help and --version need no dump, in every command */
	parse_ok("--help", &o);
	ck_assert(o.help && o.ndumps == 0);
	options_free(&o);
	parse_ok("-h", &o);
	ck_assert(o.help);
	options_free(&o);
	parse_ok("-V", &o);
	ck_assert(o.version);
	options_free(&o);
	parse_ok("trend --version", &o);
	ck_assert(o.version && o.command == CMD_TREND);
	options_free(&o);
	parse_ok("diff -h", &o);
	ck_assert(o.help && o.command == CMD_DIFF);
	options_free(&o);
}
END_TEST

START_TEST(repeated_options_keep_their_order)
{
	struct options o;

	parse_ok("--suppressions a --suppressions=b --ignore-frame x --ignore-frame y --exe p "
		 "--exe q:r --top 1 --top 9 --format json --format text d1 d2",
	    &o);
	ck_assert_uint_eq(o.nsupp_files, 2);
	ck_assert_str_eq(o.supp_files[0], "a");
	ck_assert_str_eq(o.supp_files[1], "b");
	ck_assert_uint_eq(o.nignore, 2);
	ck_assert_str_eq(o.ignore[1], "y");
	ck_assert_uint_eq(o.exe.n, 3);
	ck_assert_str_eq(o.exe.patterns[2], "r");
	ck_assert_uint_eq(o.top, 9); /* the last one wins */
	ck_assert_int_eq(o.format, FORMAT_TEXT);
	ck_assert_uint_eq(o.ndumps, 2);
	options_free(&o);
}
END_TEST

START_TEST(operands_dashes_and_subcommands)
{
	struct options o;

	/* "--" ends the options; "-" is an operand; operands may come first */
	parse_ok("x.dump --top 2 -- --top -h -", &o);
	ck_assert(o.top_set && o.top == 2 && !o.help);
	ck_assert_uint_eq(o.ndumps, 4);
	ck_assert_str_eq(o.dumps[0], "x.dump");
	ck_assert_str_eq(o.dumps[1], "--top");
	ck_assert_str_eq(o.dumps[2], "-h");
	ck_assert_str_eq(o.dumps[3], "-");
	options_free(&o);
	/* only the first word picks a subcommand */
	parse_ok("a diff trend", &o);
	ck_assert_int_eq(o.command, CMD_REPORT);
	ck_assert_uint_eq(o.ndumps, 3);
	options_free(&o);
	parse_ok("./diff", &o);
	ck_assert_int_eq(o.command, CMD_REPORT);
	options_free(&o);
	parse_ok("-- diff", &o);
	ck_assert_int_eq(o.command, CMD_REPORT);
	ck_assert_str_eq(o.dumps[0], "diff");
	options_free(&o);
	parse_ok("diff old new", &o);
	ck_assert_int_eq(o.command, CMD_DIFF);
	ck_assert_str_eq(o.dumps[0], "old");
	ck_assert_str_eq(o.dumps[1], "new");
	options_free(&o);
	parse_ok("trend --min-steps 1 a b", &o);
	ck_assert_int_eq(o.command, CMD_TREND);
	ck_assert_uint_eq(o.min_steps, 1);
	options_free(&o);
	parse_ok("trend a b c d e f", &o); /* 6 dumps: the default 5 steps */
	options_free(&o);
	parse_ok("trend --fail-on none a b c d e f", &o);
	ck_assert(!o.fail_on_growth);
	options_free(&o);
	/* an empty value is a value */
	parse_ok("--baseline '' a", &o);
	ck_assert_str_eq(o.baseline, "");
	options_free(&o);
}
END_TEST

/* Usage errors: the whole message. */
static const struct {
	const char *line;
	const char *msg;
} bad[] = {
	{ "", "no dump given" },
	{ "--top 3", "no dump given" },
	{ "diff", "no dump given" },
	{ "diff a", "diff: takes exactly two dumps, OLD and NEW; 1 given" },
	{ "diff a b c", "diff: takes exactly two dumps, OLD and NEW; 3 given" },
	{ "trend a", "trend: 1 dump given; --min-steps 5 needs at least 6" },
	{ "trend a b c", "trend: 3 dumps given; --min-steps 5 needs at least 6" },
	{ "trend --min-steps 1 a", "trend: 1 dump given; --min-steps 1 needs at least 2" },
	{ "trend --min-steps 2 a b", "trend: 2 dumps given; --min-steps 2 needs at least 3" },
	{ "--bogus a", "unknown option '--bogus'" },
	{ "-x a", "unknown option '-x'" },
	{ "--bogus=1 a", "unknown option '--bogus=1'" },
	{ "-h=1", "unknown option '-h=1'" },
	{ "--this-option-name-is-far-too-long-to-be-any-option-of-leakreport-at-all=1 a",
	    "unknown option '--this-option-name-is-far-too-long-to-be-any-option-of-leakrepor'" },
	{ "--debuginfod=yes a", "--debuginfod: takes no value" },
	{ "--per-process=1 a", "--per-process: takes no value" },
	{ "--help=1", "--help: takes no value" },
	{ "--top", "--top: missing value" },
	{ "a --format", "--format: missing value" },
	{ "--format xml a", "--format: 'xml' is not text, json, html, sarif, folded or junit" },
	{ "--format= a", "--format: '' is not text, json, html, sarif, folded or junit" },
	{ "diff --format html a b", "--format: 'html' is not text or json" },
	{ "trend --format sarif a b c d e f", "--format: 'sarif' is not text, json or html" },
	{ "--output sarif a", "--output: 'sarif' is not FORMAT=FILE" },
	{ "--output sarif= a", "--output: 'sarif=' is not FORMAT=FILE" },
	{ "--output xml=r.xml a",
	    "--output: 'xml' is not text, json, html, sarif, folded or junit" },
	{ "--output json=r --output html=r a", "--output: 'r' given twice" },
	{ "-o r --output json=r a", "--output: 'r' is also the -o file" },
	{ "-o '' a", "-o: empty file name" },
	{ "diff -o r a b", "-o: not an option of 'leakreport diff'" },
	{ "--source-root '' a", "--source-root: empty directory name" },
	{ "--folded-weight pages a", "--folded-weight: 'pages' is not bytes or blocks" },
	{ "--color sometimes a", "--color: 'sometimes' is not auto, always or never" },
	{ "--colour=x a", "--color: 'x' is not auto, always or never" },
	{ "--show '' a", "--show: empty list of kinds" },
	{ "--show nothing a",
	    "--show: unknown kind 'nothing' (definite, indirect, possible, "
	    "reachable, fd, timer, thread, leaks, resources, all)" },
	{ "--show definite,,possible a",
	    "--show: unknown kind '' (definite, indirect, possible, "
	    "reachable, fd, timer, thread, leaks, resources, all)" },
	{ "--show none a",
	    "--show: unknown kind 'none' (definite, indirect, possible, "
	    "reachable, fd, timer, thread, leaks, resources, all)" },
	{ "--top 12k a", "--top: '12k' is not a non-negative decimal integer" },
	{ "--top -1 a", "--top: '-1' is not a non-negative decimal integer" },
	{ "--top '' a", "--top: '' is not a non-negative decimal integer" },
	{ "--top 1e3 a", "--top: '1e3' is not a non-negative decimal integer" },
	{ "--top 0x10 a", "--top: '0x10' is not a non-negative decimal integer" },
	{ "--top +1 a", "--top: '+1' is not a non-negative decimal integer" },
	{ "--top 18446744073709551616 a",
	    "--top: '18446744073709551616' is out of range "
	    "(at most 18446744073709551615)" },
	{ "--max-leaks 1.5 a", "--max-leaks: '1.5' is not a non-negative decimal integer" },
	{ "--max-bytes 12k a", "--max-bytes: '12k' is not a non-negative decimal integer" },
	{ "--fail-on bogus a",
	    "--fail-on: unknown kind 'bogus' (expected definite, indirect, "
	    "possible, reachable, fd, timer, thread, resources, all or none)" },
	{ "--fail-on definite,,indirect a", "--fail-on: empty kind in 'definite,,indirect'" },
	{ "--fail-on all,definite a",
	    "--fail-on: 'all' must stand alone, not in a list "
	    "('all,definite')" },
	{ "--fail-on '' a",
	    "--fail-on: empty list (expected definite, indirect, possible, "
	    "reachable, fd, timer, thread, resources, all or none)" },
	{ "--fail-on growth a",
	    "--fail-on: unknown kind 'growth' (expected definite, indirect, "
	    "possible, reachable, fd, timer, thread, resources, all or none)" },
	{ "trend --fail-on definite a b c d e f", "--fail-on: 'definite' is not growth or none" },
	{ "--baseline-kinds none,all a",
	    "--baseline-kinds: 'none' must stand alone, not in a "
	    "list ('none,all')" },
	{ "--baseline-kinds x a",
	    "--baseline-kinds: unknown kind 'x' (expected definite, "
	    "indirect, possible, reachable, fd, timer, thread, resources, all or none)" },
	{ "--group-by nothing a", "--group-by: 'nothing' is not stack, site, function or exe" },
	{ "--group-by '' a", "--group-by: '' is not stack, site, function or exe" },
	{ "--ignore-frame '' a", "--ignore-frame: empty pattern" },
	{ "--exe '' a", "--exe: empty pattern in ''" },
	{ "--exe a::b a", "--exe: empty pattern in 'a::b'" },
	{ "--exe a: a", "--exe: empty pattern in 'a:'" },
	{ "trend --min-steps 0 a b", "--min-steps: '0' is not a positive integer" },
	{ "trend --min-steps -1 a b", "--min-steps: '-1' is not a positive integer" },
	{ "trend --min-steps 5k a b", "--min-steps: '5k' is not a positive integer" },
	{ "trend --min-steps '' a b", "--min-steps: '' is not a positive integer" },
	/* another command's options */
	{ "--min-steps 2 a", "--min-steps: not an option of 'leakreport'" },
	{ "diff --show all a b", "--show: not an option of 'leakreport diff'" },
	{ "diff --fail-on none a b", "--fail-on: not an option of 'leakreport diff'" },
	{ "diff --min-steps=2 a b", "--min-steps: not an option of 'leakreport diff'" },
	{ "trend --top 1 a b c d e f", "--top: not an option of 'leakreport trend'" },
	{ "trend --show all a b c d e f", "--show: not an option of 'leakreport trend'" },
	{ "trend --per-process a b c d e f", "--per-process: not an option of 'leakreport trend'" },
	{ "diff --suppressions s a b", "--suppressions: not an option of 'leakreport diff'" },
	{ "diff --color=never a b", "--color: not an option of 'leakreport diff'" },
};

START_TEST(bad_values_are_usage_errors)
{
	struct options o;
	struct err e;

	ck_assert_msg(parse(bad[_i].line, &o, &e) == -1, "'%s' was accepted", bad[_i].line);
	ck_assert_str_eq(e.msg, bad[_i].msg);
	options_free(&o);
}
END_TEST

/* The command a usage error is of is known, for its synopsis. */
START_TEST(command_set_on_error)
{
	struct options o;
	struct err e;

	ck_assert_int_eq(parse("diff --bogus", &o, &e), -1);
	ck_assert_int_eq(o.command, CMD_DIFF);
	options_free(&o);
	ck_assert_int_eq(parse("trend --top 1", &o, &e), -1);
	ck_assert_int_eq(o.command, CMD_TREND);
	options_free(&o);
	ck_assert_str_eq(options_synopsis(CMD_DIFF),
	    "usage: leakreport diff [--format text|json] [--top N] [--debuginfod] OLD NEW");
	ck_assert(strncmp(options_synopsis(CMD_TREND), "usage: leakreport trend ", 24) == 0);
	ck_assert(strncmp(options_synopsis(CMD_REPORT), "usage: leakreport [", 19) == 0);
}
END_TEST

/* Every option the parser knows, and a value it takes. */
static const struct {
	const char *opt;
	const char *value; /* NULL: a flag */
} all_opts[] = {
	{ "--format", "text" },
	{ "--color", "never" },
	{ "--show", "all" },
	{ "--top", "1" },
	{ "--fail-on", "none" },
	{ "--max-leaks", "1" },
	{ "--max-bytes", "1" },
	{ "--suppressions", "s" },
	{ "--baseline", "b" },
	{ "--write-baseline", "w" },
	{ "--exe", "e" },
	{ "--baseline-kinds", "all" },
	{ "--group-by", "site" },
	{ "--ignore-frame", "f" },
	{ "--per-process", NULL },
	{ "--min-steps", "1" },
	{ "--debuginfod", NULL },
	{ "-o", "r" },
	{ "--output", "json=r" },
	{ "--source-root", "/src" },
	{ "--folded-weight", "blocks" },
};

/* Whether command c accepts option i (a parse of it alone succeeds). */
static bool
accepts(enum command c, size_t i)
{
	static const char *const prefix[] = { "", "diff ", "trend " };
	const char *value = all_opts[i].value;
	char line[128];
	struct options o;
	struct err e;
	int r;

	if (c == CMD_TREND && strcmp(all_opts[i].opt, "--fail-on") == 0)
		value = "growth";
	snprintf(line, sizeof(line), "%s%s%s%s %s", prefix[c], all_opts[i].opt,
	    value != NULL ? " " : "", value != NULL ? value : "", operands(prefix[c]));
	r = parse(line, &o, &e);
	options_free(&o);
	if (r < 0 && strstr(e.msg, "not an option of") == NULL)
		ck_abort_msg("'%s': %s", line, e.msg);
	return r == 0;
}

/* Whether text holds opt as a word after lead: "[--top N]", "[--per-process]",
 * "  --top N    ...", never "[--baseline" for "[--baseline-kinds". */
static bool
names(const char *text, const char *lead, const char *opt)
{
	char word[64];
	size_t n = (size_t)snprintf(word, sizeof(word), "%s%s", lead, opt);

	for (const char *p = strstr(text, word); p != NULL; p = strstr(p + 1, word))
		if (p[n] == ' ' || p[n] == ']')
			return true;
	return false;
}

/* Each synopsis names exactly the options its command accepts (besides
 * --help, --version and --colour, which no synopsis shows), and --help
 * describes each of them. */
START_TEST(synopsis_names_what_is_accepted)
{
	for (int c = CMD_REPORT; c <= CMD_TREND; c++) {
		const char *syn = options_synopsis((enum command)c);
		char *help = NULL;
		size_t hlen = 0;
		FILE *f = open_memstream(&help, &hlen);

		ck_assert_ptr_nonnull(f);
		options_help(f, (enum command)c);
		fclose(f);
		for (size_t i = 0; i < sizeof(all_opts) / sizeof(all_opts[0]); i++) {
			bool in_syn = names(syn, "[", all_opts[i].opt);
			bool in_help = names(help, "  ", all_opts[i].opt);

			ck_assert_msg(in_syn == accepts((enum command)c, i),
			    "%s: %s %s the synopsis but %s accepted", syn, all_opts[i].opt,
			    in_syn ? "is in" : "is not in", in_syn ? "is not" : "is");
			ck_assert_msg(in_syn == in_help, "%s: %s in the synopsis %d, in --help %d",
			    syn, all_opts[i].opt, in_syn, in_help);
		}
		free(help);
	}
}
END_TEST

/* The synopses of docs/leakreport.md's "## Synopsis" block, each joined
 * into one line and prefixed "usage: ", are options_synopsis()'s. */
START_TEST(docs_show_the_same_synopsis)
{
	const char *src = getenv("TEST_SRCDIR");
	char path[4096], line[512], doc[3][1024] = { "", "", "" };
	int cur = -1, in_block = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/docs/leakreport.md", src != NULL ? src : ".");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s (set TEST_SRCDIR)", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line;

		line[strcspn(line, "\n")] = '\0';
		if (in_block == 0 && strcmp(line, "## Synopsis") == 0)
			in_block = 1;
		else if (in_block == 1 && strcmp(line, "```") == 0)
			in_block = 2;
		else if (in_block == 2 && strcmp(line, "```") == 0)
			break;
		else if (in_block == 2 && line[0] != ' ')
			cur = strncmp(line, "leakreport diff ", 16) == 0 ? CMD_DIFF :
			    strncmp(line, "leakreport trend ", 17) == 0  ? CMD_TREND :
			    strncmp(line, "leakreport ", 11) == 0        ? CMD_REPORT :
									   -1;
		else if (in_block == 2)
			while (*p == ' ')
				p++; /* a continuation line */
		if (in_block != 2 || cur < 0 || strcmp(line, "```") == 0)
			continue;
		if (doc[cur][0] == '\0')
			snprintf(doc[cur], sizeof(doc[cur]), "usage: %s", p);
		else
			snprintf(doc[cur] + strlen(doc[cur]), sizeof(doc[cur]) - strlen(doc[cur]),
			    " %s", p);
	}
	fclose(f);
	for (int c = CMD_REPORT; c <= CMD_TREND; c++)
		ck_assert_str_eq(doc[c], options_synopsis((enum command)c));
}
END_TEST

static Suite *
options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("options");

	tcase_add_test(tc, defaults);
	tcase_add_loop_test(tc, both_forms_set_the_same, 0, sizeof(valued) / sizeof(valued[0]));
	tcase_add_test(tc, flags);
	tcase_add_test(tc, repeated_options_keep_their_order);
	tcase_add_test(tc, operands_dashes_and_subcommands);
	tcase_add_loop_test(tc, bad_values_are_usage_errors, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, command_set_on_error);
	tcase_add_test(tc, synopsis_names_what_is_accepted);
	tcase_add_test(tc, docs_show_the_same_synopsis);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(options_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
