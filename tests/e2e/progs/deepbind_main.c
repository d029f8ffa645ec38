/*
 * deepbind_main.c - deepbind_main LIB deep|plain [INNER]: dlopen(LIB) with
 * RTLD_NOW, plus RTLD_DEEPBIND for "deep"; LIB may be a bare name that only
 * the program's RUNPATH finds. Then: db_leak() 3 times and db_leak_ptr()
 * once (leaks in the library), db_churn(), and db_free() of a block that
 * main_alloc() allocated here; with INNER, db_nested(INNER); dlclose(LIB),
 * so that only the library's leaks are left of what dlopen allocated.
 * Expected dump: db_leak 3 231, db_leak_ptr 1 33, inner_leak 1 19 with
 * INNER, main_alloc 0 0. Exit status 0, or 1 when a step fails.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static NOINLINE void *
main_alloc(void)
{
	return malloc(55);
}

int
main(int argc, char **argv)
{
	void *h;
	void *(*leak)(void), *(*leak_ptr)(void);
	void (*churn)(void), (*lib_free)(void *);
	int (*nested)(const char *);
	int mode = RTLD_NOW;

	if (argc < 3 || argc > 4)
		return 2;
	if (strcmp(argv[2], "deep") == 0)
		mode |= RTLD_DEEPBIND;
	h = dlopen(argv[1], mode);
	if (h == NULL) {
		say("dlopen failed\n");
		return 1;
	}
	leak = (void *(*)(void))dlsym(h, "db_leak");
	leak_ptr = (void *(*)(void))dlsym(h, "db_leak_ptr");
	churn = (void (*)(void))dlsym(h, "db_churn");
	lib_free = (void (*)(void *))dlsym(h, "db_free");
	nested = (int (*)(const char *))dlsym(h, "db_nested");
	if (!leak || !leak_ptr || !churn || !lib_free || !nested)
		return 1;
	for (int i = 0; i < 3; i++)
		e2e_sink = leak();
	e2e_sink = leak_ptr();
	e2e_sink = NULL;
	churn();
	lib_free(main_alloc());
	if (argc == 4 && nested(argv[3]) != 0) {
		say("nested dlopen failed\n");
		return 1;
	}
	if (dlclose(h) != 0)
		return 1;
	say("opened %s (%s), done\n", argv[1], argv[2]);
	return 0;
}
