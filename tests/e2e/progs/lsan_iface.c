/* lsan_iface.c - a program written for LeakSanitizer, built without
 * -fsanitize: it declares LSan's interface weak, as code that may run
 * without LSan does, and defines LSan's hooks in the executable (no
 * -rdynamic: they are only in .symtab). argv[1] picks what it does:
 *   recoverable  __lsan_do_recoverable_leak_check() before and after a leak
 *   final        __lsan_do_leak_check() twice, then a leak that no check sees
 *   suppress     leaks in suppressed_here(), named by the program's rules
 *   off          __lsan_is_turned_off() says 1: no exit check
 *   ignore       __lsan_ignore_object, __lsan_disable/enable, root regions */
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

void __lsan_ignore_object(const void *p) __attribute__((weak));
void __lsan_disable(void) __attribute__((weak));
void __lsan_enable(void) __attribute__((weak));
void __lsan_register_root_region(const void *p, size_t n) __attribute__((weak));
void __lsan_unregister_root_region(const void *p, size_t n) __attribute__((weak));
void __lsan_do_leak_check(void) __attribute__((weak));
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static const char *mode = "";

const char *
__lsan_default_suppressions(void)
{
	return "# the program's own rules\nleak:suppressed_here\n";
}

int
__lsan_is_turned_off(void)
{
	return strcmp(mode, "off") == 0;
}

const char *
__lsan_default_options(void)
{
	return "verbosity=0:malloc_context_size=20 exitcode=23";
}

NOINLINE static void
leak_here(size_t n)
{
	memset(malloc(n), 1, n);
	NO_TAIL_CALL();
}

NOINLINE static void *
child_of(size_t n)
{
	void *p = malloc(n);

	memset(p, 0, n);
	NO_TAIL_CALL();
	return p;
}

/* A suppressed leak and the block only it reaches: neither is listed. */
NOINLINE static void
suppressed_here(void)
{
	void **p = malloc(40);

	memset(p, 1, 40);
	p[0] = child_of(56);
	NO_TAIL_CALL();
}

/* A leak that is not suppressed, with its own indirect block (the same
 * allocation stack as the other's child would be: child_of). */
NOINLINE static void
listed_tree(void)
{
	void **p = malloc(48);

	memset(p, 1, 48);
	p[0] = child_of(56);
	NO_TAIL_CALL();
}

NOINLINE static void *
ignored_here(void)
{
	void *p = malloc(72);

	NO_TAIL_CALL();
	return p;
}

NOINLINE static void *
disabled_here(void)
{
	void *p = malloc(88);

	NO_TAIL_CALL();
	return p;
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		mode = argv[1];
	if (__lsan_do_recoverable_leak_check == NULL) {
		say("no lsan\n");
		return 0;
	}
	if (strcmp(mode, "recoverable") == 0) {
		int a = __lsan_do_recoverable_leak_check();
		leak_here(32);
		int b = __lsan_do_recoverable_leak_check();
		say("recoverable %d %d\n", a, b);
	} else if (strcmp(mode, "final") == 0) {
		leak_here(32);
		__lsan_do_leak_check();
		__lsan_do_leak_check(); /* does nothing */
		leak_here(64);          /* after the final check: never reported */
		say("final\n");
	} else if (strcmp(mode, "suppress") == 0 || strcmp(mode, "off") == 0) {
		suppressed_here();
		listed_tree();
		leak_here(32);
		say("%s\n", mode);
	} else if (strcmp(mode, "ignore") == 0) {
		void *p = ignored_here();
		__lsan_ignore_object(p);
		p = NULL;
		__lsan_disable();
		disabled_here();
		__lsan_enable();
		void **hidden = malloc(sizeof(void *) * 2);
		hidden[0] = malloc(24);
		__lsan_register_root_region(hidden, sizeof(void *) * 2);
		hidden = NULL;
		say("ignore\n");
	}
	return 0;
}
