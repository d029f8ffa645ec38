/*
 * deepbind_lib.c - a library that deepbind_main.c opens with RTLD_DEEPBIND,
 * so that its malloc, calloc, free and dlopen bind to libc first.
 * db_leak() leaks 1 block of 77 bytes, db_leak_ptr() 1 block of 33 bytes
 * through a pointer to calloc taken in code (a GLOB_DAT slot, not a PLT
 * one), db_churn() allocates and frees, db_free() frees a block the program
 * allocated, and db_nested() opens another library with RTLD_DEEPBIND, calls
 * its inner_leak() and closes it.
 */
#include <dlfcn.h>
#include <stdlib.h>

__attribute__((noinline)) void *
db_leak(void)
{
	return malloc(77);
}

__attribute__((noinline)) void *
db_leak_ptr(void)
{
	void *(*volatile fn)(size_t, size_t) = calloc;

	return fn(1, 33);
}

void
db_churn(void)
{
	for (int i = 0; i < 20; i++)
		free(malloc(500));
}

void
db_free(void *p)
{
	free(p);
}

/* 0 when the inner library opened, leaked and closed; 1 otherwise. */
int
db_nested(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_DEEPBIND);
	void *(*leak)(void);
	int bad;

	if (h == NULL)
		return 1;
	leak = (void *(*)(void))dlsym(h, "inner_leak");
	bad = leak == NULL || leak() == NULL;
	return dlclose(h) != 0 || bad;
}
