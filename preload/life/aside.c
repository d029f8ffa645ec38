/*
 * aside.c - whether another tool or allocator owns malloc in this process.
 *
 * libleak's exit scan knows glibc's heap (chunk headers, main_arena, the
 * per-thread heaps), and its hooks must be the ones the program calls. So
 * it stands aside (init.c turns tracking off and every hook passes through)
 * when:
 *  - the process runs under Valgrind: memcheck replaces malloc in the
 *    guest, and our probes of glibc's layout would be reported as its
 *    errors;
 *  - the malloc our hooks forward to (the next one after libleak.so in the
 *    lookup order) is not glibc's: jemalloc, tcmalloc or mimalloc preloaded
 *    after us, or a sanitizer runtime linked as a shared library;
 *  - the program's own calls do not reach our malloc: the executable or a
 *    library preloaded before us defines malloc (a statically linked
 *    sanitizer runtime, a custom allocator). hooks.c finds that out by
 *    calling the malloc a global lookup gives (an executable that takes
 *    malloc's address makes its own PLT entry that address, so comparing
 *    addresses would not do) and seeing whether our hook ran.
 * Before our constructor (from inside the first malloc) only what costs no
 * lock is asked: Valgrind's client request, and whether the next malloc is
 * the function behind `__libc_malloc`, which glibc exports as an alias of
 * its malloc (jemalloc, mimalloc and the sanitizer runtimes do not define
 * it). Our constructor then asks the loader: whether the next malloc lies
 * in the module that defines gnu_get_libc_version(), a function only glibc
 * has and no allocator or sanitizer replaces (tcmalloc defines
 * __libc_malloc too), and whether the program's calls reach our hooks.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <stddef.h>
#include <string.h>
#include <valgrind/valgrind.h>

#include "life/aside.h"
#include "base/fmt.h"

const char *
aside_early(void *(*real_malloc)(size_t), void *(*libc_malloc)(size_t))
{
	if (RUNNING_ON_VALGRIND)
		return "running under Valgrind";
	if (libc_malloc != NULL && real_malloc != libc_malloc)
		return "malloc is not glibc's";
	return NULL;
}

/* The sanitizer whose runtime is in the process, or NULL. */
static const char *
sanitizer(void)
{
	static const struct {
		const char *sym;
		const char *name;
	} rt[] = {
		{ "__asan_init", "AddressSanitizer" },
		{ "__tsan_init", "ThreadSanitizer" },
		{ "__msan_init", "MemorySanitizer" },
		{ "__hwasan_init", "HWAddressSanitizer" },
		{ "__lsan_init", "LeakSanitizer" },
	};

	for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++)
		if (dlsym(RTLD_DEFAULT, rt[i].sym) != NULL)
			return rt[i].name;
	return NULL;
}

/* "<what> (<module file name>)" of the module holding addr. */
static void
name_owner(struct fmtbuf *f, const char *what, const void *addr)
{
	Dl_info di;

	fmt_str(f, what);
	if (dladdr(addr, &di) != 0 && di.dli_fname != NULL && di.dli_fname[0] != '\0') {
		const char *base = strrchr(di.dli_fname, '/');

		fmt_str(f, " (");
		fmt_str(f, base != NULL ? base + 1 : di.dli_fname);
		fmt_str(f, ")");
	}
}

/* Whether addr lies in glibc's libc.so (by identity, not by name). */
static bool
in_libc(const void *addr)
{
	Dl_info a, l;

	if (dladdr(addr, &a) == 0 || dladdr((const void *)&gnu_get_libc_version, &l) == 0)
		return true; /* cannot tell: take it at its word */
	return a.dli_fbase == l.dli_fbase;
}

bool
aside_late(bool reached, void *(*real_malloc)(size_t), void *(*libc_malloc)(size_t), char *buf,
    unsigned cap)
{
	struct fmtbuf f;
	void *global = dlsym(RTLD_DEFAULT, "malloc");
	const char *san = sanitizer();

	fmt_init(&f, buf, cap - 1);
	if (RUNNING_ON_VALGRIND) {
		fmt_str(&f, "running under Valgrind");
	} else if (!reached) {
		/* Someone before us in the lookup order defines malloc. */
		if (san != NULL) {
			fmt_str(&f, "the program is built with ");
			fmt_str(&f, san);
		} else {
			name_owner(&f, "malloc is defined before libleak.so", global);
		}
	} else if ((libc_malloc != NULL && real_malloc != libc_malloc) ||
	    !in_libc((const void *)real_malloc)) {
		if (san != NULL) {
			fmt_str(&f, "malloc is ");
			fmt_str(&f, san);
			fmt_str(&f, "'s");
		} else {
			name_owner(&f, "malloc is another allocator's", (const void *)real_malloc);
		}
	} else {
		buf[0] = '\0';
		return false;
	}
	buf[f.len] = '\0';
	return true;
}
