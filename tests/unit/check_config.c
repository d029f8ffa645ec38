/*
 * check_config.c - config.c: every LEAK_* variable it reads, every form it
 * accepts, and every bad value: each gives exactly one `libleak:` line and
 * leaves the default. Lines go to fd 2 (captured into a file, capture.h)
 * or to the LEAK_LOG file. A case sets the environment, then calls
 * config_load_select(cwd) and config_load() in that order, as start.c
 * does; each runs in its own (forked) process, with every LEAK_* variable
 * unset and lk_config at its defaults first. The last case checks that
 * the suite names every variable config.c reads (TEST_SRCDIR: the tree).
 * The scratch directory is made once, in main().
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/fmt.h"
#include "life/config.h"
#include "scan/heuristics.h"

static char tmpdir[] = "/tmp/check_config.XXXXXX"; /* made once, in main() */
#include "capture.h"

extern char **environ;

static struct config defaults; /* lk_config before any case ran */

/* Every LEAK_* variable unset, lk_config at its defaults. */
static void
clean_env(void)
{
	char name[256];

	for (;;) {
		char **e;

		for (e = environ; *e != NULL; e++)
			if (strncmp(*e, "LEAK_", 5) == 0)
				break;
		if (*e == NULL)
			break;
		size_t n = strcspn(*e, "=");

		ck_assert(n < sizeof(name));
		memcpy(name, *e, n);
		name[n] = '\0';
		unsetenv(name);
	}
	lk_config = defaults;
}

/* Loads the configuration from the environment as start.c does, with
 * cwd as the start directory; returns what went to fd 2. A process loads
 * once; a case that loads again first points fmt.c back at fd 2, where
 * the lines of a process that has not loaded yet go. */
static const char *
load(const char *cwd)
{
	capture_begin();
	fmt_log_setup(NULL);
	config_load_select(cwd);
	config_load();
	return capture_end();
}

static const char *
load_with(const char *name, const char *value)
{
	clean_env();
	ck_assert_int_eq(setenv(name, value, 1), 0);
	return load("");
}

/* The line config.c writes for a bad value: "libleak: NAME='value' tail\n",
 * the value's control bytes written \xHH. */
static const char *
bad_line(const char *name, const char *value, const char *tail)
{
	static char line[16384];
	size_t o = (size_t)snprintf(line, sizeof(line), "libleak: %s='", name);

	for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			o += (size_t)snprintf(line + o, sizeof(line) - o, "\\x%02x", *p);
		else
			line[o++] = (char)*p;
	}
	snprintf(line + o, sizeof(line) - o, "' %s\n", tail);
	return line;
}

/* ---- defaults */

START_TEST(nothing_set_gives_the_defaults)
{
	clean_env();
	ck_assert_str_eq(load("/start"), "");
	ck_assert_str_eq(lk_config.output, "leak.%p.dump");
	ck_assert_str_eq(lk_config.snapshot_output, "leak.%p.%n.dump");
	ck_assert_int_eq(lk_config.depth, 32);
	ck_assert(!lk_config.quiet);
	ck_assert(lk_config.reachability);
	ck_assert_int_eq(lk_config.snapshot_signal, 0);
	ck_assert_uint_eq(lk_config.snapshot_interval_ns, 0);
	ck_assert_uint_eq(lk_config.warn_bytes, 0);
	ck_assert_uint_eq(lk_config.warn_percent, 0);
	ck_assert(!lk_config.verify_stacks);
	ck_assert_str_eq(lk_config.log, "");
	ck_assert(!lk_config.only_set);
	ck_assert_uint_eq(lk_config.heuristics, HEUR_ALL);
	/* LEAK_FAULT_MMAP unset: memory can be mapped */
	void *p = arena_map(4096);

	ck_assert_ptr_nonnull(p);
	arena_unmap(p, 4096);
}
END_TEST

/* ---- LEAK_DEPTH */

static const struct {
	const char *value;
	int depth;
} depth_good[] = {
	{ "1", 1 },
	{ "2", 2 },
	{ "32", 32 },
	{ "64", 64 },
	{ "255", 255 },
	{ "256", 256 },
	{ "007", 7 },
	{ "0256", 256 },
};

START_TEST(depth_accepted)
{
	ck_assert_str_eq(load_with("LEAK_DEPTH", depth_good[_i].value), "");
	ck_assert_int_eq(lk_config.depth, depth_good[_i].depth);
}
END_TEST

static const char *const depth_bad[] = {
	"0",
	"257",
	"1000",
	"",
	"-1",
	"+5",
	" 5",
	"5 ",
	"12k",
	"0x10",
	"3.5",
	"99999999999999999999999",
	"18446744073709551617",
	"abc",
	"\x1b[31m",
	"1\n2",
};

START_TEST(depth_refused)
{
	const char *v = depth_bad[_i];

	ck_assert_str_eq(load_with("LEAK_DEPTH", v),
	    bad_line("LEAK_DEPTH", v, "is not a number from 1 to 256; using 32"));
	ck_assert_int_eq(lk_config.depth, 32);
}
END_TEST

/* ---- the 0/1 flags */

struct flag {
	const char *name;
	bool on_default; /* the default, also what a bad value gives */
	const char *bad_tail;
};

static const struct flag flags[] = {
	{ "LEAK_QUIET", false, "is neither 0 nor 1; using 0" },
	{ "LEAK_VERIFY_STACKS", false, "is neither 0 nor 1; using 0" },
	{ "LEAK_REACHABILITY", true, "is neither 0 nor 1; scanning" },
};

static bool
flag_value(const char *name)
{
	if (strcmp(name, "LEAK_QUIET") == 0)
		return lk_config.quiet;
	if (strcmp(name, "LEAK_VERIFY_STACKS") == 0)
		return lk_config.verify_stacks;
	return lk_config.reachability;
}

static const char *const flag_bad[] = { "", "2", "yes", "no", "true", "01", "1 ", " 0", "-1",
	"\x7f" };

START_TEST(flags_good_and_bad)
{
	const struct flag *f = &flags[_i];

	ck_assert_str_eq(load_with(f->name, "1"), "");
	ck_assert_msg(flag_value(f->name), "%s=1", f->name);
	ck_assert_str_eq(load_with(f->name, "0"), "");
	ck_assert_msg(!flag_value(f->name), "%s=0", f->name);
	for (size_t k = 0; k < sizeof(flag_bad) / sizeof(flag_bad[0]); k++) {
		const char *out = load_with(f->name, flag_bad[k]);

		ck_assert_str_eq(out, bad_line(f->name, flag_bad[k], f->bad_tail));
		ck_assert_msg(flag_value(f->name) == f->on_default, "%s='%s'", f->name,
		    flag_bad[k]);
	}
}
END_TEST

/* ---- LEAK_OUTPUT and the snapshot pattern */

static const struct {
	const char *value;
	const char *snapshot;
} outputs[] = {
	{ "x.dump", "x.%n.dump" },
	{ "/tmp/leak.%p.dump", "/tmp/leak.%p.%n.dump" },
	{ "out", "out.%n" },
	{ "a.%n.dump", "a.%n.dump" },
	{ "%n", "%n" },
	{ ".dump", ".%n.dump" },
	{ "dump", "dump.%n" },
	{ "a.dump.gz", "a.dump.gz.%n" },
	{ "%%p", "%%p.%n" },
	{ "a b/c d.dump", "a b/c d.%n.dump" },
};

START_TEST(output_good)
{
	ck_assert_str_eq(load_with("LEAK_OUTPUT", outputs[_i].value), "");
	ck_assert_str_eq(lk_config.output, outputs[_i].value);
	ck_assert_str_eq(lk_config.snapshot_output, outputs[_i].snapshot);
}
END_TEST

START_TEST(output_bad)
{
	static char big[CONFIG_PATH_MAX + 1];
	const char *v = _i == 0 ? "" : big;

	memset(big, 'o', CONFIG_PATH_MAX); /* CONFIG_PATH_MAX bytes: no room for its NUL */
	ck_assert_str_eq(load_with("LEAK_OUTPUT", v),
	    "libleak: LEAK_OUTPUT is empty or too long; using leak.%p.dump\n");
	ck_assert_str_eq(lk_config.output, "leak.%p.dump");
	ck_assert_str_eq(lk_config.snapshot_output, "leak.%p.%n.dump");
}
END_TEST

/* The longest pattern that fits; and one too long for ".%n" to be added,
 * which the snapshots then take as it is. */
START_TEST(output_longest)
{
	static char big[CONFIG_PATH_MAX];

	memset(big, 'o', CONFIG_PATH_MAX - 1);
	ck_assert_str_eq(load_with("LEAK_OUTPUT", big), "");
	ck_assert_str_eq(lk_config.output, big);
	ck_assert_str_eq(lk_config.snapshot_output, big);
	big[CONFIG_PATH_MAX - 5] = '\0'; /* n + 4 == CONFIG_PATH_MAX - 1: room for .%n */
	ck_assert_str_eq(load_with("LEAK_OUTPUT", big), "");
	ck_assert_uint_eq(strlen(lk_config.snapshot_output), CONFIG_PATH_MAX - 2);
	ck_assert(strcmp(lk_config.snapshot_output + CONFIG_PATH_MAX - 5, ".%n") == 0);
	big[CONFIG_PATH_MAX - 5] = 'o';
	big[CONFIG_PATH_MAX - 4] = '\0'; /* n + 4 == CONFIG_PATH_MAX: kept as it is */
	ck_assert_str_eq(load_with("LEAK_OUTPUT", big), "");
	ck_assert_str_eq(lk_config.snapshot_output, big);
}
END_TEST

/* ---- LEAK_HEURISTICS */

static const struct {
	const char *value;
	unsigned mask;
} heur_good[] = {
	{ "all", HEUR_ALL },
	{ "none", 0 },
	{ "stdstring", 1u << HEUR_STDSTRING },
	{ "length64", 1u << HEUR_LENGTH64 },
	{ "newarray", 1u << HEUR_NEWARRAY },
	{ "multipleinheritance", 1u << HEUR_MULTIPLE },
	{ "length64,newarray", 1u << HEUR_LENGTH64 | 1u << HEUR_NEWARRAY },
	{ "newarray,length64", 1u << HEUR_LENGTH64 | 1u << HEUR_NEWARRAY },
	{ "stdstring,length64,newarray,multipleinheritance", HEUR_ALL },
	{ "stdstring,stdstring", 1u << HEUR_STDSTRING },
};

START_TEST(heuristics_good)
{
	ck_assert_str_eq(load_with("LEAK_HEURISTICS", heur_good[_i].value), "");
	ck_assert_uint_eq(lk_config.heuristics, heur_good[_i].mask);
}
END_TEST

static const char *const heur_bad[] = {
	"",
	"ALL",
	"None",
	"bogus",
	"stdstring,",
	",stdstring",
	"stdstring,,newarray",
	"std",
	"stdstrings",
	"all,none",
	"newarray, length64",
	"length64,all",
	",",
};

START_TEST(heuristics_bad)
{
	const char *v = heur_bad[_i];

	ck_assert_str_eq(load_with("LEAK_HEURISTICS", v),
	    bad_line("LEAK_HEURISTICS", v,
		"is not all, none or a comma list of stdstring, length64, newarray, "
		"multipleinheritance; using all"));
	ck_assert_uint_eq(lk_config.heuristics, HEUR_ALL);
}
END_TEST

/* ---- LEAK_SNAPSHOT_SIGNAL */

START_TEST(signal_good)
{
	static const struct {
		const char *name;
		int sig;
	} names[] = {
		{ "HUP", SIGHUP },
		{ "INT", SIGINT },
		{ "QUIT", SIGQUIT },
		{ "USR1", SIGUSR1 },
		{ "USR2", SIGUSR2 },
		{ "PIPE", SIGPIPE },
		{ "ALRM", SIGALRM },
		{ "TERM", SIGTERM },
		{ "CHLD", SIGCHLD },
		{ "CONT", SIGCONT },
		{ "TTIN", SIGTTIN },
		{ "TTOU", SIGTTOU },
		{ "URG", SIGURG },
		{ "XCPU", SIGXCPU },
		{ "XFSZ", SIGXFSZ },
		{ "VTALRM", SIGVTALRM },
		{ "PROF", SIGPROF },
		{ "WINCH", SIGWINCH },
		{ "IO", SIGIO },
		{ "SYS", SIGSYS },
	};
	char v[64];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_str_eq(load_with("LEAK_SNAPSHOT_SIGNAL", names[i].name), "");
		ck_assert_int_eq(lk_config.snapshot_signal, names[i].sig);
		snprintf(v, sizeof(v), "SIG%s", names[i].name);
		ck_assert_str_eq(load_with("LEAK_SNAPSHOT_SIGNAL", v), "");
		ck_assert_int_eq(lk_config.snapshot_signal, names[i].sig);
	}
	int span = SIGRTMAX - SIGRTMIN;

	for (int k = 0; k <= span; k++) {
		snprintf(v, sizeof(v), "RTMIN+%d", k);
		ck_assert_str_eq(load_with("LEAK_SNAPSHOT_SIGNAL", v), "");
		ck_assert_int_eq(lk_config.snapshot_signal, SIGRTMIN + k);
		snprintf(v, sizeof(v), "SIGRTMAX-%d", k);
		ck_assert_str_eq(load_with("LEAK_SNAPSHOT_SIGNAL", v), "");
		ck_assert_int_eq(lk_config.snapshot_signal, SIGRTMAX - k);
	}
	ck_assert_str_eq(load_with("LEAK_SNAPSHOT_SIGNAL", "RTMIN"), "");
	ck_assert_int_eq(lk_config.snapshot_signal, SIGRTMIN);
	ck_assert_str_eq(load_with("LEAK_SNAPSHOT_SIGNAL", "SIGRTMAX"), "");
	ck_assert_int_eq(lk_config.snapshot_signal, SIGRTMAX);
}
END_TEST

static const char *const signal_bad_fixed[] = {
	"",
	"SIG",
	"KILL",
	"SIGKILL",
	"STOP",
	"SEGV",
	"SIGSEGV",
	"BUS",
	"FPE",
	"ILL",
	"ABRT",
	"TRAP",
	"9",
	"10",
	"usr2",
	"SIGusr2",
	"USR2 ",
	" USR2",
	"SIGSIGUSR2",
	"RTMIN+",
	"RTMAX-",
	"RTMIN+-1",
	"RTMIN+x",
	"RTMIN-1",
	"RTMAX+1",
	"RTMIN+65",
	"RTMAX-65",
	"RTMIN+99999999999",
};
#define NFIXED (sizeof(signal_bad_fixed) / sizeof(signal_bad_fixed[0]))

/* The fixed names, then RTMIN past RTMAX and RTMAX below RTMIN. */
START_TEST(signal_bad)
{
	char v[64];
	const char *value = v;

	if ((size_t)_i < NFIXED)
		value = signal_bad_fixed[_i];
	else if ((size_t)_i == NFIXED)
		snprintf(v, sizeof(v), "RTMIN+%d", SIGRTMAX - SIGRTMIN + 1);
	else
		snprintf(v, sizeof(v), "RTMAX-%d", SIGRTMAX - SIGRTMIN + 1);
	ck_assert_str_eq(load_with("LEAK_SNAPSHOT_SIGNAL", value),
	    bad_line("LEAK_SNAPSHOT_SIGNAL", value,
		"is not a signal name such as USR2; no snapshots on a signal"));
	ck_assert_int_eq(lk_config.snapshot_signal, 0);
}
END_TEST

/* ---- LEAK_SNAPSHOT_INTERVAL */

static const struct {
	const char *value;
	uint64_t ns;
} interval_good[] = {
	{ "5", 5000000000ull },
	{ "1", 1000000000ull },
	{ "0.1", 100000000ull },
	{ "2.25", 2250000000ull },
	{ "0.001", 1000000ull },
	{ "1000000", 1000000000000000ull },
	{ "1000000.5", 1000000500000000ull },
	{ "0.123456789", 123456789ull },
	{ "1.0000000001", 1000000000ull },
	{ "007", 7000000000ull },
	{ "0.0010", 1000000ull },
};

START_TEST(interval_accepted)
{
	ck_assert_str_eq(load_with("LEAK_SNAPSHOT_INTERVAL", interval_good[_i].value), "");
	ck_assert_uint_eq(lk_config.snapshot_interval_ns, interval_good[_i].ns);
}
END_TEST

static const char *const interval_bad[] = {
	"0",
	"0.0",
	"0.0009",
	"0.0009999",
	"1000001",
	"99999999999",
	"1.",
	".5",
	"-1",
	"+1",
	"1e3",
	"",
	"abc",
	"1.5x",
	"1,5",
	" 1",
	"1 ",
	"0.0000000001",
};

START_TEST(interval_refused)
{
	const char *v = interval_bad[_i];

	ck_assert_str_eq(load_with("LEAK_SNAPSHOT_INTERVAL", v),
	    bad_line("LEAK_SNAPSHOT_INTERVAL", v,
		"is not a positive number of seconds; no timed snapshots"));
	ck_assert_uint_eq(lk_config.snapshot_interval_ns, 0);
}
END_TEST

/* ---- LEAK_WARN_BYTES, LEAK_WARN_PERCENT */

START_TEST(warn_good)
{
	static const struct {
		const char *v;
		uint64_t n;
	} bytes[] = {
		{ "1", 1 }, { "4096", 4096 }, { "18446744073709551615", UINT64_MAX }, { "01", 1 },
	}, pct[] = {
		{ "1", 1 }, { "50", 50 }, { "100", 100 }, { "099", 99 },
	};

	for (size_t i = 0; i < 4; i++) {
		ck_assert_str_eq(load_with("LEAK_WARN_BYTES", bytes[i].v), "");
		ck_assert_uint_eq(lk_config.warn_bytes, bytes[i].n);
		ck_assert_str_eq(load_with("LEAK_WARN_PERCENT", pct[i].v), "");
		ck_assert_uint_eq(lk_config.warn_percent, pct[i].n);
	}
}
END_TEST

START_TEST(warn_bad)
{
	static const char *const bytes[] = {
		"0",
		"",
		"-1",
		"1k",
		"18446744073709551616",
		"99999999999999999999",
		"0x10",
		" 1",
		"1.0",
	};
	static const char *const pct[] = { "0", "101", "", "50%", "-5", "1000",
		"99999999999999999999", "0.5", " 1" };

	for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
		ck_assert_str_eq(load_with("LEAK_WARN_BYTES", bytes[i]),
		    bad_line("LEAK_WARN_BYTES", bytes[i],
			"is not a positive number of bytes; no warning"));
		ck_assert_uint_eq(lk_config.warn_bytes, 0);
	}
	for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		ck_assert_str_eq(load_with("LEAK_WARN_PERCENT", pct[i]),
		    bad_line("LEAK_WARN_PERCENT", pct[i],
			"is not a percentage from 1 to 100; no warning"));
		ck_assert_uint_eq(lk_config.warn_percent, 0);
	}
}
END_TEST

/* ---- LEAK_FAULT_MMAP */

START_TEST(fault_mmap_good)
{
	void *p;

	ck_assert_str_eq(load_with("LEAK_FAULT_MMAP", "0"), "");
	ck_assert_ptr_null(arena_map(4096));
	arena_set_fault(-1);
	ck_assert_str_eq(load_with("LEAK_FAULT_MMAP", "2"), "");
	ck_assert_ptr_nonnull(p = arena_map(4096));
	ck_assert_ptr_nonnull(arena_map(4096));
	ck_assert_ptr_null(arena_map(4096));
	arena_set_fault(-1);
	arena_unmap(p, 4096);
	ck_assert_str_eq(load_with("LEAK_FAULT_MMAP", "1000000"), "");
	ck_assert_ptr_nonnull(p = arena_map(4096));
	arena_set_fault(-1);
}
END_TEST

START_TEST(fault_mmap_bad)
{
	static const char *const bad[] = { "", "-1", "1000001", "x", "1k", "99999999999999999999" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_str_eq(load_with("LEAK_FAULT_MMAP", bad[i]),
		    bad_line("LEAK_FAULT_MMAP", bad[i],
			"is not a number from 0 to 1000000; ignored"));
		void *p = arena_map(4096);

		ck_assert_msg(p != NULL, "LEAK_FAULT_MMAP='%s' made mmap fail", bad[i]);
		arena_unmap(p, 4096);
	}
}
END_TEST

/* ---- LEAK_ONLY */

START_TEST(only_good_and_bad)
{
	static char big[CONFIG_PATH_MAX + 1];

	ck_assert_str_eq(load_with("LEAK_ONLY", "test_*:/usr/bin/make"), "");
	ck_assert(lk_config.only_set);
	ck_assert_str_eq(lk_config.only, "test_*:/usr/bin/make");
	memset(big, 'p', CONFIG_PATH_MAX - 1);
	ck_assert_str_eq(load_with("LEAK_ONLY", big), "");
	ck_assert(lk_config.only_set);
	ck_assert_str_eq(lk_config.only, big);
	big[CONFIG_PATH_MAX - 1] = 'p';
	ck_assert_str_eq(load_with("LEAK_ONLY", big),
	    "libleak: LEAK_ONLY is empty or too long; tracking every program\n");
	ck_assert(!lk_config.only_set);
	ck_assert_str_eq(load_with("LEAK_ONLY", ""),
	    "libleak: LEAK_ONLY is empty or too long; tracking every program\n");
	ck_assert(!lk_config.only_set);
}
END_TEST

/* ---- LEAK_LOG */

START_TEST(log_absolute_path_gets_the_lines)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/log.%d", tmpdir, (int)getpid());
	clean_env();
	setenv("LEAK_LOG", path, 1);
	setenv("LEAK_DEPTH", "0", 1);
	setenv("LEAK_QUIET", "2", 1);
	ck_assert_str_eq(load("/elsewhere"), "");
	ck_assert_str_eq(lk_config.log, path);
	ck_assert_str_eq(slurp(path),
	    "libleak: LEAK_DEPTH='0' is not a number from 1 to 256; using 32\n"
	    "libleak: LEAK_QUIET='2' is neither 0 nor 1; using 0\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 077, 0);
}
END_TEST

/* A relative LEAK_LOG is taken against the start directory; with none
 * known (""), against the current one. */
START_TEST(log_relative_path)
{
	char want[512], rel[64];

	snprintf(rel, sizeof(rel), "rel.%d.log", (int)getpid());
	snprintf(want, sizeof(want), "%s/%s", tmpdir, rel);
	clean_env();
	setenv("LEAK_LOG", rel, 1);
	setenv("LEAK_WARN_PERCENT", "101", 1);
	ck_assert_str_eq(load(tmpdir), "");
	ck_assert_str_eq(lk_config.log, want);
	ck_assert_str_eq(slurp(want),
	    "libleak: LEAK_WARN_PERCENT='101' is not a percentage from 1 to 100; no warning\n");
	ck_assert_int_eq(unlink(want), 0);
	/* no start directory: relative to the current one */
	ck_assert_int_eq(chdir(tmpdir), 0);
	clean_env();
	setenv("LEAK_LOG", rel, 1);
	setenv("LEAK_DEPTH", "x", 1);
	ck_assert_str_eq(load(""), "");
	ck_assert_str_eq(lk_config.log, rel);
	ck_assert_str_eq(slurp(want),
	    "libleak: LEAK_DEPTH='x' is not a number from 1 to 256; using 32\n");
}
END_TEST

/* An empty or too long LEAK_LOG: one line on stderr, and the lines stay
 * there. */
START_TEST(log_bad)
{
	static char big[CONFIG_PATH_MAX + 1];
	char cwd[CONFIG_PATH_MAX];
	const char *v = big;

	memset(cwd, 'c', 2000);
	cwd[0] = '/';
	cwd[2000] = '\0';
	memset(big, 'l', CONFIG_PATH_MAX);
	if (_i == 0)
		v = "";
	else if (_i == 2)
		big[CONFIG_PATH_MAX - 2000 - 1] = '\0'; /* fits alone, not after the start dir */
	clean_env();
	setenv("LEAK_LOG", v, 1);
	setenv("LEAK_DEPTH", "300", 1);
	ck_assert_str_eq(load(_i == 2 ? cwd : ""),
	    "libleak: LEAK_LOG is empty or too long; ignored\n"
	    "libleak: LEAK_DEPTH='300' is not a number from 1 to 256; using 32\n");
	ck_assert_str_eq(lk_config.log, "");
}
END_TEST

/* The longest relative LEAK_LOG that fits after the start directory. */
START_TEST(log_longest)
{
	static char rel[CONFIG_PATH_MAX];
	size_t c = strlen(tmpdir);

	memset(rel, 'l', CONFIG_PATH_MAX - c - 2); /* c + 1 + n == CONFIG_PATH_MAX - 1 */
	clean_env();
	setenv("LEAK_LOG", rel, 1);
	ck_assert_str_eq(load(tmpdir), "");
	ck_assert_uint_eq(strlen(lk_config.log), CONFIG_PATH_MAX - 1);
	ck_assert(strncmp(lk_config.log, tmpdir, c) == 0 && lk_config.log[c] == '/');
	rel[CONFIG_PATH_MAX - c - 2] = 'l';
	clean_env();
	setenv("LEAK_LOG", rel, 1);
	ck_assert_str_eq(load(tmpdir), "libleak: LEAK_LOG is empty or too long; ignored\n");
}
END_TEST

/* LEAK_LOG is read first: the line about a bad LEAK_ONLY goes there too. */
START_TEST(log_first_then_only)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/log.%d", tmpdir, (int)getpid());
	clean_env();
	setenv("LEAK_ONLY", "", 1);
	setenv("LEAK_LOG", path, 1);
	ck_assert_str_eq(load(""), "");
	ck_assert_str_eq(slurp(path),
	    "libleak: LEAK_ONLY is empty or too long; tracking every program\n");
}
END_TEST

/* ---- several at once */

/* Every variable bad at once: one line each, in the order config.c reads
 * them, and every default kept. */
START_TEST(all_bad_one_line_each)
{
	static const char *const order[][2] = {
		{ "LEAK_ONLY", "" },
		{ "LEAK_OUTPUT", "" },
		{ "LEAK_DEPTH", "0" },
		{ "LEAK_QUIET", "q" },
		{ "LEAK_REACHABILITY", "r" },
		{ "LEAK_HEURISTICS", "h" },
		{ "LEAK_SNAPSHOT_SIGNAL", "s" },
		{ "LEAK_SNAPSHOT_INTERVAL", "i" },
		{ "LEAK_WARN_BYTES", "b" },
		{ "LEAK_WARN_PERCENT", "p" },
		{ "LEAK_RESOURCES", "2" },
		{ "LEAK_WARN_FDS", "0" },
		{ "LEAK_WARN_FDS_PERCENT", "101" },
		{ "LEAK_VERIFY_STACKS", "v" },
		{ "LEAK_FAULT_MMAP", "f" },
	};
	const char *out;

	clean_env();
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		setenv(order[i][0], order[i][1], 1);
	out = load("/");
	ck_assert_uint_eq(count_lines(out), sizeof(order) / sizeof(order[0]));
	const char *p = out;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ck_assert_msg(strncmp(p, "libleak: ", 9) == 0 &&
			strncmp(p + 9, order[i][0], strlen(order[i][0])) == 0,
		    "line %zu is not about %s: %.60s", i + 1, order[i][0], p);
		p = strchr(p, '\n') + 1;
	}
	ck_assert_str_eq(p, "");
	lk_config.log[0] = '\0';
	ck_assert_mem_eq(&lk_config, &defaults, offsetof(struct config, snapshot_output));
	ck_assert_int_eq(lk_config.depth, 32);
	ck_assert_str_eq(lk_config.snapshot_output, "leak.%p.%n.dump");
	ck_assert_int_eq(lk_config.snapshot_signal, 0);
	ck_assert_uint_eq(lk_config.snapshot_interval_ns, 0);
	ck_assert_uint_eq(lk_config.warn_bytes, 0);
	ck_assert_uint_eq(lk_config.warn_percent, 0);
	ck_assert(!lk_config.verify_stacks && !lk_config.quiet && lk_config.reachability);
	ck_assert(!lk_config.only_set);
	ck_assert_uint_eq(lk_config.heuristics, HEUR_ALL);
	ck_assert(lk_config.resources);
	ck_assert_uint_eq(lk_config.warn_fds, 0);
	ck_assert_uint_eq(lk_config.warn_fds_percent, 0);
}
END_TEST

START_TEST(all_good_no_line)
{
	clean_env();
	setenv("LEAK_OUTPUT", "/tmp/x.dump", 1);
	setenv("LEAK_DEPTH", "8", 1);
	setenv("LEAK_QUIET", "1", 1);
	setenv("LEAK_REACHABILITY", "0", 1);
	setenv("LEAK_HEURISTICS", "none", 1);
	setenv("LEAK_SNAPSHOT_SIGNAL", "USR2", 1);
	setenv("LEAK_SNAPSHOT_INTERVAL", "0.5", 1);
	setenv("LEAK_WARN_BYTES", "1000", 1);
	setenv("LEAK_WARN_PERCENT", "90", 1);
	setenv("LEAK_RESOURCES", "0", 1);
	setenv("LEAK_WARN_FDS", "500", 1);
	setenv("LEAK_WARN_FDS_PERCENT", "80", 1);
	setenv("LEAK_VERIFY_STACKS", "1", 1);
	setenv("LEAK_FAULT_MMAP", "1000000", 1);
	setenv("LEAK_ONLY", "*", 1);
	ck_assert_str_eq(load("/"), "");
	arena_set_fault(-1);
	ck_assert_str_eq(lk_config.output, "/tmp/x.dump");
	ck_assert_str_eq(lk_config.snapshot_output, "/tmp/x.%n.dump");
	ck_assert_int_eq(lk_config.depth, 8);
	ck_assert(lk_config.quiet && !lk_config.reachability && lk_config.verify_stacks);
	ck_assert_uint_eq(lk_config.heuristics, 0);
	ck_assert_int_eq(lk_config.snapshot_signal, SIGUSR2);
	ck_assert_uint_eq(lk_config.snapshot_interval_ns, 500000000ull);
	ck_assert_uint_eq(lk_config.warn_bytes, 1000);
	ck_assert_uint_eq(lk_config.warn_percent, 90);
	ck_assert(!lk_config.resources);
	ck_assert_uint_eq(lk_config.warn_fds, 500);
	ck_assert_uint_eq(lk_config.warn_fds_percent, 80);
	ck_assert(lk_config.only_set);
	ck_assert_str_eq(lk_config.only, "*");
}
END_TEST

/* Values are copied: the program may change its environment later. */
START_TEST(values_are_copied)
{
	char out[] = "mine.dump";

	clean_env();
	setenv("LEAK_OUTPUT", out, 1);
	setenv("LEAK_ONLY", "a:b", 1);
	ck_assert_str_eq(load(""), "");
	setenv("LEAK_OUTPUT", "other.dump", 1);
	unsetenv("LEAK_ONLY");
	ck_assert_str_eq(lk_config.output, "mine.dump");
	ck_assert_str_eq(lk_config.only, "a:b");
}
END_TEST

/* ---- the suite covers every variable config.c reads */

static const char *const covered[] = {
	"LEAK_LOG",
	"LEAK_ONLY",
	"LEAK_OUTPUT",
	"LEAK_DEPTH",
	"LEAK_QUIET",
	"LEAK_REACHABILITY",
	"LEAK_HEURISTICS",
	"LEAK_SNAPSHOT_SIGNAL",
	"LEAK_SNAPSHOT_INTERVAL",
	"LEAK_WARN_BYTES",
	"LEAK_WARN_PERCENT",
	"LEAK_RESOURCES",
	"LEAK_WARN_FDS",
	"LEAK_WARN_FDS_PERCENT",
	"LEAK_VERIFY_STACKS",
	"LEAK_FAULT_MMAP",
};

START_TEST(every_variable_is_covered)
{
	const char *dir = getenv("TEST_SRCDIR");
	char path[PATH_MAX];
	unsigned found = 0;

	snprintf(path, sizeof(path), "%s/preload/life/config.c", dir != NULL ? dir : ".");
	const char *src = slurp(path);

	ck_assert_msg(src[0] != '\0', "cannot read %s (set TEST_SRCDIR to the tree)", path);
	for (const char *p = src; (p = strstr(p, "getenv(\"")) != NULL; p += 8) {
		char name[64];
		size_t n = strcspn(p + 8, "\"");
		bool ok = false;

		ck_assert(n < sizeof(name));
		memcpy(name, p + 8, n);
		name[n] = '\0';
		for (size_t i = 0; i < sizeof(covered) / sizeof(covered[0]); i++)
			ok |= strcmp(covered[i], name) == 0;
		ck_assert_msg(ok, "config.c reads %s, which check_config.c does not test", name);
		found++;
	}
	ck_assert_uint_eq(found, sizeof(covered) / sizeof(covered[0]));
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("values");

	tcase_add_test(tc, nothing_set_gives_the_defaults);
	tcase_add_loop_test(tc, depth_accepted, 0, sizeof(depth_good) / sizeof(depth_good[0]));
	tcase_add_loop_test(tc, depth_refused, 0, sizeof(depth_bad) / sizeof(depth_bad[0]));
	tcase_add_loop_test(tc, flags_good_and_bad, 0, sizeof(flags) / sizeof(flags[0]));
	tcase_add_loop_test(tc, output_good, 0, sizeof(outputs) / sizeof(outputs[0]));
	tcase_add_loop_test(tc, output_bad, 0, 2);
	tcase_add_test(tc, output_longest);
	tcase_add_loop_test(tc, heuristics_good, 0, sizeof(heur_good) / sizeof(heur_good[0]));
	tcase_add_loop_test(tc, heuristics_bad, 0, sizeof(heur_bad) / sizeof(heur_bad[0]));
	tcase_add_test(tc, signal_good);
	tcase_add_loop_test(tc, signal_bad, 0, NFIXED + 2);
	tcase_add_loop_test(tc, interval_accepted, 0,
	    sizeof(interval_good) / sizeof(interval_good[0]));
	tcase_add_loop_test(tc, interval_refused, 0,
	    sizeof(interval_bad) / sizeof(interval_bad[0]));
	tcase_add_test(tc, warn_good);
	tcase_add_test(tc, warn_bad);
	tcase_add_test(tc, fault_mmap_good);
	tcase_add_test(tc, fault_mmap_bad);
	tcase_add_test(tc, only_good_and_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_test(tc, log_absolute_path_gets_the_lines);
	tcase_add_test(tc, log_relative_path);
	tcase_add_loop_test(tc, log_bad, 0, 3);
	tcase_add_test(tc, log_longest);
	tcase_add_test(tc, log_first_then_only);
	tcase_add_test(tc, all_bad_one_line_each);
	tcase_add_test(tc, all_good_no_line);
	tcase_add_test(tc, values_are_copied);
	tcase_add_test(tc, every_variable_is_covered);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *r;
	int failed;
	char cmd[128];

	defaults = lk_config;
	if (mkdtemp(tmpdir) == NULL) {
		perror("check_config: mkdtemp");
		return EXIT_FAILURE;
	}
	r = srunner_create(config_suite());
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "check_config: cannot remove %s\n", tmpdir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
