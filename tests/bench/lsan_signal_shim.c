/*
 * lsan_signal_shim.c - signal() and sysv_signal()/bsd_signal() for programs
 * run under gcc's standalone LeakSanitizer (LD_PRELOAD=liblsan.so.0).
 *
 * Preloaded liblsan.so.0 (gcc 12) intercepts signal() but its wrapper calls
 * a real-function pointer it never resolved, so the first signal() jumps to
 * address 0 and the program dies with SIGSEGV. scripts/bench preloads this
 * file's library in front of liblsan (LD_PRELOAD=shim.so:liblsan.so.0), so
 * the program's signal() lands here and goes straight to sigaction(), which
 * liblsan handles correctly. Semantics are glibc's BSD signal(): SA_RESTART,
 * handler not reset, the signal blocked while its handler runs.
 * Used only by the benchmark; never linked into libleak.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>

static sighandler_t
shim_install(int sig, sighandler_t handler, int flags)
{
	struct sigaction sa;
	struct sigaction old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, &old) != 0)
		return SIG_ERR;         /* errno set by sigaction */
	return old.sa_handler;
}

__attribute__((visibility("default"))) sighandler_t
signal(int sig, sighandler_t handler)
{
	return shim_install(sig, handler, SA_RESTART);
}

__attribute__((visibility("default"))) sighandler_t
bsd_signal(int sig, sighandler_t handler)
{
	return shim_install(sig, handler, SA_RESTART);
}

__attribute__((visibility("default"))) sighandler_t
sysv_signal(int sig, sighandler_t handler)
{
	return shim_install(sig, handler, SA_RESETHAND | SA_NODEFER);
}
