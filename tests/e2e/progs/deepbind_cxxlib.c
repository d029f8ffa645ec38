/*
 * deepbind_cxxlib.c - deepbind_lib.c's db_* functions on operator new and
 * delete, called by their mangled names so that this stays C. Linked with
 * libstdc++ and opened with RTLD_DEEPBIND by a C program, it brings
 * libstdc++ in with it, and both bind to each other and to libc first.
 * db_leak() leaks 1 block of 77 bytes from new, db_leak_ptr() 1 block of
 * 33 bytes from new[] through a pointer taken in code, db_churn() news and
 * deletes, db_free() frees the program's block; db_nested() is not
 * supported (returns 1).
 */
#include <stddef.h>
#include <stdlib.h>

void *_Znwm(size_t n);
void *_Znam(size_t n);
void _ZdlPv(void *p);

__attribute__((noinline)) void *
db_leak(void)
{
	return _Znwm(77);
}

__attribute__((noinline)) void *
db_leak_ptr(void)
{
	void *(*volatile fn)(size_t) = _Znam;

	return fn(33);
}

void
db_churn(void)
{
	for (int i = 0; i < 20; i++)
		_ZdlPv(_Znwm(300));
}

void
db_free(void *p)
{
	free(p);
}

int
db_nested(const char *path)
{
	(void)path;
	return 1;
}
