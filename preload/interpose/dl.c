/*
 * dl.c - the interposed dl_iterate_phdr() and dlclose(). (dlopen, with
 * its RTLD_DEEPBIND rebinding, is deepbind.c's.)
 *
 * dl_iterate_phdr() holds the loader's lock while it calls the callback:
 * the tracker must not enter libunwind for what the callback allocates
 * (track/track.c). dlclose(): the module map remembers the module before
 * it goes, so stacks through it still symbolize; after it, the stack
 * caches forget what they learned of its code (another library may be
 * mapped at its addresses next).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <stddef.h>

#include "dump/modules.h"
#include "interpose/hook.h"
#include "interpose/real.h"

typedef int (*phdr_cb)(struct dl_phdr_info *, size_t, void *);

LK_EXPORT int
dl_iterate_phdr(phdr_cb cb, void *data)
{
	static int (*real_iterate)(phdr_cb, void *);
	/* relaxed: a code address that every thread computes the same. */
	int (*f)(phdr_cb, void *) = __atomic_load_n(&real_iterate, __ATOMIC_RELAXED);

	if (f == NULL) {
		f = (int (*)(phdr_cb, void *))real_next("dl_iterate_phdr");
		__atomic_store_n(&real_iterate, f, __ATOMIC_RELAXED);
	}
	track_loader_enter();
	int rc = f(cb, data);
	track_loader_leave();
	return rc;
}

LK_EXPORT int
dlclose(void *handle)
{
	if (!real_ready() || real.dlclose == NULL)
		return -1;
	if (state_is(STATE_ACTIVE) && guard_enter()) {
		modules_refresh(); /* remember it before it goes */
		guard_leave();
	}
	int rc = real.dlclose(handle);
	if (rc == 0 && state_is(STATE_ACTIVE)) {
		int saved = errno;

		track_code_unloaded();
		errno = saved;
	}
	return rc;
}
