/*
 * libleak.h - libleak's in-code API: check for leaks now, ignore an
 * object, allocate in a scope without reporting it, register a root
 * region, write a snapshot.
 *
 * Every function is declared weak: a program built with this header runs
 * unchanged without libleak.so preloaded, and each call below, written as
 * usual, is skipped then (the macros test the function's address first),
 * returning -1 where it returns a value. Link nothing: the functions live
 * in libleak.so, found at run time under LD_PRELOAD (scripts/leakcheck,
 * or `pkg-config --variable=preload libleak`).
 *
 *   #include <libleak.h>
 *
 *   for (each test) {
 *           run(test);
 *           if (leak_check_now() > 0)
 *                   printf("%s leaked\n", test->name);
 *   }
 *
 * LeakSanitizer's interface (<sanitizer/lsan_interface.h>: __lsan_ignore_object,
 * __lsan_disable, __lsan_enable, __lsan_register_root_region,
 * __lsan_unregister_root_region, __lsan_do_leak_check,
 * __lsan_do_recoverable_leak_check) is exported by libleak.so too, with
 * LSan's meaning, and the program's own __lsan_default_suppressions,
 * __lsan_is_turned_off and __lsan_default_options are read. docs/api.md
 * has the whole story; libleak(7) the reference.
 *
 * None of these may be called from a signal handler. Define
 * LIBLEAK_NO_MACROS to get the bare declarations only.
 */
#ifndef LIBLEAK_H
#define LIBLEAK_H

#include <stddef.h>

#ifdef LIBLEAK_BUILDING
#define LIBLEAK_WEAK /* libleak.so's own definitions are strong */
#else
#define LIBLEAK_WEAK __attribute__((weak))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Stops the other threads, scans the heap, classifies every live block as
 * at exit, writes a dump of kind `check` (the snapshot file pattern, with
 * the next %n), prints one summary line, and lets the program go on.
 * Returns the number of blocks definitely or indirectly lost since the
 * previous check: a block lost at one check and still lost at the next is
 * the same leak, counted (and reported) once. 0 when leak checking is off
 * (__lsan_default_options, __lsan_is_turned_off), -1 when the scan could
 * not run or libleak.so is not loaded. */
int leak_check_now(void) LIBLEAK_WEAK;

/* The live heap block p points to (its start or its interior), and what
 * only it reaches, is never reported as a leak. 0, or -1 with one line on
 * stderr when p is in no live block (nothing changes). */
int leak_ignore(const void *p) LIBLEAK_WEAK;

/* Blocks this thread allocates between leak_disable() and the matching
 * leak_enable() (they nest) are never reported as leaks; they still count
 * as live and still keep what they point to alive. */
void leak_disable(void) LIBLEAK_WEAK;
void leak_enable(void) LIBLEAK_WEAK;

/* [p, p + n) is read as a root by every scan until unregistered (with
 * the same p and n): memory libleak cannot know holds pointers. 0, or -1
 * with one line on stderr (empty region, 4096 registered already, or no
 * such region to unregister). */
int leak_register_root(const void *p, size_t n) LIBLEAK_WEAK;
int leak_unregister_root(const void *p, size_t n) LIBLEAK_WEAK;

/* Writes a snapshot dump now, as the snapshot signal does. 0, or -1 when
 * the process is not tracked. */
int leak_snapshot(void) LIBLEAK_WEAK;

#ifdef __cplusplus
}
#endif

#if !defined(LIBLEAK_NO_MACROS) && !defined(LIBLEAK_BUILDING)
#define leak_check_now()           (leak_check_now ? (leak_check_now)() : -1)
#define leak_ignore(p)             (leak_ignore ? (leak_ignore)(p) : -1)
#define leak_disable()             (leak_disable ? (leak_disable)() : (void)0)
#define leak_enable()              (leak_enable ? (leak_enable)() : (void)0)
#define leak_register_root(p, n)   (leak_register_root ? (leak_register_root)(p, n) : -1)
#define leak_unregister_root(p, n) (leak_unregister_root ? (leak_unregister_root)(p, n) : -1)
#define leak_snapshot()            (leak_snapshot ? (leak_snapshot)() : -1)

#ifdef __cplusplus
/* LeakSanitizer's ScopedDisabler, ours: nothing this thread allocates in
 * the object's scope is reported. */
class LeakScopedDisable
{
      public:
	LeakScopedDisable()
	{
		leak_disable();
	}
	~LeakScopedDisable()
	{
		leak_enable();
	}
	LeakScopedDisable(const LeakScopedDisable &) = delete;
	LeakScopedDisable &operator=(const LeakScopedDisable &) = delete;
};
#endif
#endif

#endif /* LIBLEAK_H */
