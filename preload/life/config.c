/*
 * config.c - the LEAK_* environment variables, parsed once, by whichever of
 * init.c's start-up paths runs first (the first tracked allocation or our
 * constructor). LEAK_LOG is read first, so the lines about the others go
 * where it says.
 *
 * Values are copied into static storage: the program may change its
 * environment later, and the dump must still know where to go. No allocation,
 * no stdio: this runs while the real allocator may still be unknown.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "life/config.h"
#include "dumpfmt.h"
#include "base/fmt.h"
#include "scan/heuristics.h"

struct config lk_config = {
	.output = "leak.%p.dump",
	.depth = 32,
	.quiet = false,
	.reachability = true,
	.heuristics = HEUR_ALL,
	.resources = true,
};

/* LEAK_QUIET, LEAK_VERIFY_STACKS: "1" on, "0" off, anything else a line. */
static bool
parse_flag(const char *name, const char *s)
{
	if (strcmp(s, "1") == 0)
		return true;
	if (strcmp(s, "0") != 0)
		fmt_log(name, "='", s, "' is neither 0 nor 1; using 0", NULL);
	return false;
}

/* A path variable copied into dst (cap bytes); relative ones are made
 * absolute against cwd (which may be ""), since the program may chdir. */
static bool
copy_path(const char *name, const char *s, const char *cwd, char *dst, size_t cap)
{
	size_t n = strlen(s), c = s[0] == '/' || cwd[0] == '\0' ? 0 : strlen(cwd);

	if (n == 0 || c + 1 + n >= cap) {
		fmt_log(name, " is empty or too long; ignored", NULL);
		return false;
	}
	if (c != 0) {
		memcpy(dst, cwd, c);
		dst[c++] = '/';
	}
	memcpy(dst + c, s, n + 1);
	return true;
}

/* Strict unsigned decimal: digits only, no sign, no overflow past max. */
static bool
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return true;
}

/* Signal names as kill -l spells them, with or without "SIG"; RTMIN+n and
 * RTMAX-n too. Signals that must keep their meaning are refused. */
static int
parse_signal(const char *s)
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
	unsigned long n;

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].sig;
	if (strncmp(s, "RTMIN+", 6) == 0 && parse_ulong(s + 6, 64, &n) &&
	    SIGRTMIN + (int)n <= SIGRTMAX)
		return SIGRTMIN + (int)n;
	if (strcmp(s, "RTMIN") == 0)
		return SIGRTMIN;
	if (strncmp(s, "RTMAX-", 6) == 0 && parse_ulong(s + 6, 64, &n) &&
	    SIGRTMAX - (int)n >= SIGRTMIN)
		return SIGRTMAX - (int)n;
	if (strcmp(s, "RTMAX") == 0)
		return SIGRTMAX;
	return 0;
}

/* Seconds with an optional fraction ("0.1", "5", "2.25"), > 0, <= 1e6. */
static bool
parse_seconds(const char *s, uint64_t *ns)
{
	uint64_t whole = 0, frac = 0, scale = 1000000000ull;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		whole = whole * 10 + (uint64_t)(*s - '0');
		if (whole > 1000000)
			return false;
	}
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		for (; *s >= '0' && *s <= '9'; s++) {
			scale /= 10;
			frac += (uint64_t)(*s - '0') * scale;
		}
	}
	if (*s != '\0')
		return false;
	*ns = whole * 1000000000ull + frac;
	return *ns >= 1000000; /* at least 1 ms */
}

/* The snapshot pattern: LEAK_OUTPUT when it has %n; else ".%n" goes
 * before a final ".dump", or at the end. */
static void
snapshot_pattern(bool user_set)
{
	const char *o = lk_config.output;
	size_t n = strlen(o);

	if (!user_set) {
		memcpy(lk_config.snapshot_output, "leak.%p.%n.dump", 16);
		return;
	}
	if (strstr(o, "%n") != NULL || n + 4 >= sizeof(lk_config.snapshot_output)) {
		memcpy(lk_config.snapshot_output, o, n + 1);
		return;
	}
	size_t cut = n >= 5 && strcmp(o + n - 5, ".dump") == 0 ? n - 5 : n;
	memcpy(lk_config.snapshot_output, o, cut);
	memcpy(lk_config.snapshot_output + cut, ".%n", 3);
	memcpy(lk_config.snapshot_output + cut + 3, o + cut, n - cut + 1);
}

void
config_load_select(const char *cwd)
{
	const char *s;

	s = getenv("LEAK_LOG");
	if (s != NULL && copy_path("LEAK_LOG", s, cwd, lk_config.log, sizeof(lk_config.log)))
		fmt_log_setup(lk_config.log);
	else
		fmt_log_setup(NULL);
	s = getenv("LEAK_ONLY");
	if (s != NULL) {
		size_t n = strlen(s);

		if (n == 0 || n >= sizeof(lk_config.only)) {
			fmt_log("LEAK_ONLY is empty or too long; tracking every program", NULL);
		} else {
			memcpy(lk_config.only, s, n + 1);
			lk_config.only_set = true;
		}
	}
}

void
config_load(void)
{
	const char *s;
	unsigned long v;

	s = getenv("LEAK_OUTPUT");
	bool output_set = false;
	if (s != NULL) {
		size_t n = strlen(s);

		if (n == 0 || n >= sizeof(lk_config.output))
			fmt_log("LEAK_OUTPUT is empty or too long; using ", lk_config.output, NULL);
		else {
			memcpy(lk_config.output, s, n + 1);
			output_set = true;
		}
	}
	snapshot_pattern(output_set);
	s = getenv("LEAK_DEPTH");
	if (s != NULL) {
		if (parse_ulong(s, DUMP_MAX_DEPTH, &v) && v >= 1)
			lk_config.depth = (int)v;
		else
			fmt_log("LEAK_DEPTH='", s, "' is not a number from 1 to 256; using 32",
			    NULL);
	}
	s = getenv("LEAK_QUIET");
	lk_config.quiet = s != NULL && parse_flag("LEAK_QUIET", s);
	s = getenv("LEAK_REACHABILITY");
	if (s != NULL) {
		if (strcmp(s, "0") == 0)
			lk_config.reachability = false;
		else if (strcmp(s, "1") != 0)
			fmt_log("LEAK_REACHABILITY='", s, "' is neither 0 nor 1; scanning", NULL);
	}
	s = getenv("LEAK_HEURISTICS");
	if (s != NULL) {
		int m = heur_parse(s);

		if (m >= 0)
			lk_config.heuristics = (unsigned)m;
		else
			fmt_log("LEAK_HEURISTICS='", s,
			    "' is not all, none or a comma list of stdstring, "
			    "length64, newarray, multipleinheritance; using all",
			    NULL);
	}
	s = getenv("LEAK_SNAPSHOT_SIGNAL");
	if (s != NULL && (lk_config.snapshot_signal = parse_signal(s)) == 0)
		fmt_log("LEAK_SNAPSHOT_SIGNAL='", s,
		    "' is not a signal name such as USR2; "
		    "no snapshots on a signal",
		    NULL);
	s = getenv("LEAK_SNAPSHOT_INTERVAL");
	if (s != NULL && !parse_seconds(s, &lk_config.snapshot_interval_ns)) {
		lk_config.snapshot_interval_ns = 0;
		fmt_log("LEAK_SNAPSHOT_INTERVAL='", s,
		    "' is not a positive number of seconds; "
		    "no timed snapshots",
		    NULL);
	}
	s = getenv("LEAK_WARN_BYTES");
	if (s != NULL && (!parse_ulong(s, ~0ul, &v) || v == 0))
		fmt_log("LEAK_WARN_BYTES='", s, "' is not a positive number of bytes; no warning",
		    NULL);
	else if (s != NULL)
		lk_config.warn_bytes = v;
	s = getenv("LEAK_WARN_PERCENT");
	if (s != NULL && (!parse_ulong(s, 100, &v) || v == 0))
		fmt_log("LEAK_WARN_PERCENT='", s, "' is not a percentage from 1 to 100; no warning",
		    NULL);
	else if (s != NULL)
		lk_config.warn_percent = (unsigned)v;
	s = getenv("LEAK_RESOURCES");
	if (s != NULL) {
		if (strcmp(s, "0") == 0)
			lk_config.resources = false;
		else if (strcmp(s, "1") != 0)
			fmt_log("LEAK_RESOURCES='", s, "' is neither 0 nor 1; tracking resources",
			    NULL);
	}
	s = getenv("LEAK_WARN_FDS");
	if (s != NULL && (!parse_ulong(s, ~0ul, &v) || v == 0))
		fmt_log("LEAK_WARN_FDS='", s,
		    "' is not a positive number of descriptors; no warning", NULL);
	else if (s != NULL)
		lk_config.warn_fds = v;
	s = getenv("LEAK_WARN_FDS_PERCENT");
	if (s != NULL && (!parse_ulong(s, 100, &v) || v == 0))
		fmt_log("LEAK_WARN_FDS_PERCENT='", s,
		    "' is not a percentage from 1 to 100; no warning", NULL);
	else if (s != NULL)
		lk_config.warn_fds_percent = (unsigned)v;
	s = getenv("LEAK_VERIFY_STACKS");
	lk_config.verify_stacks = s != NULL && parse_flag("LEAK_VERIFY_STACKS", s);
	s = getenv("LEAK_FAULT_MMAP");
	if (s != NULL && parse_ulong(s, 1000000, &v))
		arena_set_fault((long)v);
	else if (s != NULL)
		fmt_log("LEAK_FAULT_MMAP='", s, "' is not a number from 0 to 1000000; ignored",
		    NULL);
}
