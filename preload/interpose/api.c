/*
 * api.c - the in-code API (libleak.h) and LeakSanitizer's interface
 * (<sanitizer/lsan_interface.h>), exported by libleak.so.
 *
 * Each function is a thin door into the room that does the work: checks
 * and snapshots (life/check.c, life/snapshot.c), ignored blocks and
 * disabled scopes (track/ignore.c), root regions (scan/regions.c). A
 * program built against libleak.h declares them weak and skips the calls
 * when libleak.so is not loaded. Misuse (ignoring what is no live block,
 * an enable without a disable, a region never registered) gets one line
 * on stderr and changes nothing. The program's errno is kept.
 * leak_ignore() takes the checks' lock: a check never sees the block
 * halfway moved to its ignored stack.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>

#include "base/fmt.h"
#include "interpose/hook.h"
#include "life/check.h"
#include "life/snapshot.h"
#include "life/state.h"
#include "scan/regions.h"
#include "track/ignore.h"
#define LIBLEAK_BUILDING
#include "libleak.h"

static bool
tracking(void)
{
	return state_is(STATE_ACTIVE);
}

static void
hex_line(const char *what, const void *p, const char *why)
{
	char b[24];
	struct fmtbuf f;

	fmt_init(&f, b, sizeof(b) - 1);
	fmt_str(&f, "0x");
	fmt_hex(&f, (uintptr_t)p);
	b[f.len] = '\0';
	fmt_log(what, "(", b, "): ", why, NULL);
}

/* The calling thread's live stack for a check: the exported function's
 * frame and up. CHECK_ENTRY() spills the caller's callee-saved registers
 * into that frame (__builtin_unwind_init) and names an address at its
 * bottom: libleak's deeper frames, and whatever dead frames of the program
 * left there before the call, are no roots. */
#define CHECK_ENTRY(sp)                   \
	volatile uintptr_t sp##_mark = 0; \
	__builtin_unwind_init();          \
	uintptr_t sp = (uintptr_t)&sp##_mark

LK_EXPORT int
leak_check_now(void)
{
	CHECK_ENTRY(sp);
	struct check_result r;
	int rc = check_run(false, sp, &r);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	return r.new_blocks > INT32_MAX ? INT32_MAX : (int)r.new_blocks;
}

/* Marks the live block at p ignored; `who` names the caller's API. */
static int
ignore(const void *p, const char *who)
{
	int saved = errno;
	int was_busy = lk_busy;
	int rc = -1;

	if (!tracking()) {
		errno = saved;
		return -1;
	}
	lk_busy = 1;
	check_lock();
	switch (track_ignore(p)) {
	case IGNORE_DONE:
	case IGNORE_ALREADY:
		rc = 0;
		break;
	case IGNORE_NONE:
		hex_line(who, p, "not a live heap block; nothing ignored");
		break;
	}
	check_unlock();
	lk_busy = was_busy;
	errno = saved;
	return rc;
}

LK_EXPORT int
leak_ignore(const void *p)
{
	return ignore(p, "leak_ignore");
}

LK_EXPORT void
leak_disable(void)
{
	ignore_depth++;
}

LK_EXPORT void
leak_enable(void)
{
	int saved = errno;

	if (ignore_depth > 0)
		ignore_depth--;
	else
		fmt_log("leak_enable() without a leak_disable() on this thread; ignored", NULL);
	errno = saved;
}

LK_EXPORT int
leak_register_root(const void *p, size_t n)
{
	int saved = errno;
	int rc = 0;

	if (p == NULL || n == 0) {
		hex_line("leak_register_root", p, "an empty region; nothing registered");
		rc = -1;
	} else if (!regions_add(p, n)) {
		hex_line("leak_register_root", p, "too many regions (4096); not registered");
		rc = -1;
	}
	errno = saved;
	return rc;
}

LK_EXPORT int
leak_unregister_root(const void *p, size_t n)
{
	int saved = errno;
	int rc = 0;

	if (!regions_remove(p, n)) {
		hex_line("leak_unregister_root", p,
		    "no region registered at this address and size");
		rc = -1;
	}
	errno = saved;
	return rc;
}

LK_EXPORT int
leak_snapshot(void)
{
	int saved = errno;
	int was_busy = lk_busy;

	if (!tracking())
		return -1;
	lk_busy = 1;
	snapshot_take();
	lk_busy = was_busy;
	errno = saved;
	return 0;
}

/* ---- LeakSanitizer's names, with LeakSanitizer's meaning --------------- */

LK_EXPORT void
__lsan_ignore_object(const void *p)
{
	ignore(p, "__lsan_ignore_object");
}

LK_EXPORT void
__lsan_disable(void)
{
	leak_disable();
}

LK_EXPORT void
__lsan_enable(void)
{
	leak_enable();
}

LK_EXPORT void
__lsan_register_root_region(const void *p, size_t n)
{
	leak_register_root(p, n);
}

LK_EXPORT void
__lsan_unregister_root_region(const void *p, size_t n)
{
	leak_unregister_root(p, n);
}

/* The final check: the exit dump, now; at most once, and no exit check. */
LK_EXPORT void
__lsan_do_leak_check(void)
{
	CHECK_ENTRY(sp);
	struct check_result r;

	check_run(true, sp, &r);
}

/* A check as leak_check_now(): non-zero when any block is lost. */
LK_EXPORT int
__lsan_do_recoverable_leak_check(void)
{
	CHECK_ENTRY(sp);
	struct check_result r;

	if (check_run(false, sp, &r) != 0)
		return 0;
	return r.lost_blocks != 0;
}
