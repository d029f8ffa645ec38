/*
 * lsan.c - the hooks a program written for LeakSanitizer defines for it:
 *  - __lsan_default_suppressions(): rules ("leak:pattern" lines) that go
 *    into every dump as `suppress` lines, which leakreport applies and
 *    names as the program's own;
 *  - __lsan_is_turned_off(): non-zero means no leak check, asked at the
 *    time of each check;
 *  - __lsan_default_options(): LSan's option string. The options with a
 *    libleak meaning are read: detect_leaks (0: no check at all),
 *    leak_check_at_exit (0: no exit check; the program's own checks still
 *    run), malloc_context_size (LEAK_DEPTH, which wins when set) and
 *    suppressions (a file of rules, read now). The others (exitcode,
 *    report_objects, use_stacks, log_path, ...) mean nothing here: the
 *    gate is leakreport's (--fail-on), and docs/api.md lists them.
 * The hooks are looked up in the executable's symbol tables (base/elfsym.c):
 * most programs define them there without -rdynamic, where dlsym() cannot
 * see them, and a failed dlsym() would malloc its error string (the
 * program's heap must not change). A hook defined in a shared library is
 * not seen. lsan_init() runs once, from the constructor; the rest reads
 * what it stored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/elfsym.h"
#include "base/fmt.h"
#include "life/config.h"
#include "life/lsan.h"
#include "track/track.h"

#define RULES_MAX (64 * 1024)

enum {
	HOOK_SUPPRESSIONS,
	HOOK_TURNED_OFF,
	HOOK_OPTIONS,
	NHOOKS
};

static const char *const hook_names[NHOOKS] = {
	"__lsan_default_suppressions",
	"__lsan_is_turned_off",
	"__lsan_default_options",
};

static int (*turned_off_fn)(void);
static char *rules;   /* RULES_MAX + 1 bytes, or NULL: none */
static size_t nrules; /* bytes used */
static bool detect_off, exit_off;

/* Appends n bytes of rules and a newline, within RULES_MAX. */
static void
rules_add(const char *s, size_t n)
{
	if (rules == NULL)
		rules = arena_map(RULES_MAX + 1);
	if (rules == NULL || n + 1 > RULES_MAX - nrules) {
		if (rules != NULL)
			fmt_log("the program's suppressions pass 64 KiB; the rest are ignored",
			    NULL);
		return;
	}
	memcpy(rules + nrules, s, n);
	nrules += n;
	rules[nrules++] = '\n';
	rules[nrules] = '\0';
}

/* The rules of the file at path (the suppressions= option). */
static void
rules_file(const char *path, size_t n)
{
	char name[4096], buf[RULES_MAX];
	ssize_t got, len = 0;

	if (n >= sizeof(name))
		return;
	memcpy(name, path, n);
	name[n] = '\0';
	int fd = open(name, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fmt_log("cannot read the suppressions file '", name,
		    "' of __lsan_default_options: ", fmt_errno(errno), NULL);
		return;
	}
	while (len < (ssize_t)sizeof(buf) && (got = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += got;
	close(fd);
	if (len > 0)
		rules_add(buf, (size_t)len);
}

/* Whether the n bytes at v are LSan's "true" for a flag. */
static bool
flag_on(const char *v, size_t n)
{
	return !(n == 1 && v[0] == '0') && !(n == 5 && memcmp(v, "false", 5) == 0) &&
	    !(n == 2 && memcmp(v, "no", 2) == 0);
}

/* LSan's option string: name=value pairs separated by spaces, colons,
 * commas, tabs or newlines. */
static void
options_parse(const char *s)
{
	while (*s != '\0') {
		size_t n = strcspn(s, " :,\t\n");
		const char *eq = memchr(s, '=', n);

		if (eq != NULL) {
			size_t k = (size_t)(eq - s);
			const char *v = eq + 1;
			size_t vn = n - k - 1;

			if (k == 12 && memcmp(s, "detect_leaks", k) == 0)
				detect_off = !flag_on(v, vn);
			else if (k == 18 && memcmp(s, "leak_check_at_exit", k) == 0)
				exit_off = !flag_on(v, vn);
			else if (k == 12 && memcmp(s, "suppressions", k) == 0 && vn > 0)
				rules_file(v, vn);
			else if (k == 19 && memcmp(s, "malloc_context_size", k) == 0 &&
			    getenv("LEAK_DEPTH") == NULL) {
				int d = 0;

				for (size_t i = 0; i < vn && v[i] >= '0' && v[i] <= '9' && d < 1000;
				     i++)
					d = d * 10 + (v[i] - '0');
				if (d >= 1 && d <= 256) {
					lk_config.depth = d;
					track_set_depth(d);
				}
			}
		}
		s += n;
		s += strspn(s, " :,\t\n");
	}
}

void
lsan_init(void)
{
	uintptr_t addr[NHOOKS];

	/* Not dlsym(): a name it cannot find costs a malloc'd error string,
	 * and the program's heap must look as it does without us. */
	elfsym_exe_funcs(hook_names, addr, NHOOKS);
	turned_off_fn = (int (*)(void))addr[HOOK_TURNED_OFF];
	if (addr[HOOK_OPTIONS] != 0) {
		const char *o = ((const char *(*)(void))addr[HOOK_OPTIONS])();

		if (o != NULL)
			options_parse(o);
	}
	if (addr[HOOK_SUPPRESSIONS] != 0) {
		const char *s = ((const char *(*)(void))addr[HOOK_SUPPRESSIONS])();

		if (s != NULL)
			rules_add(s, strlen(s));
	}
}

const char *
lsan_suppressions(void)
{
	return nrules > 0 ? rules : NULL;
}

bool
lsan_turned_off(void)
{
	return detect_off || (turned_off_fn != NULL && turned_off_fn() != 0);
}

bool
lsan_check_at_exit(void)
{
	return !exit_off && !lsan_turned_off();
}
