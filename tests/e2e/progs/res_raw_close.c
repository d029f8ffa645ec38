/*
 * res_raw_close.c - a descriptor closed with syscall(SYS_close), where no
 * hook sees it (libuv closes so), and one left open. Expected: one
 * descriptor leaked, from keep_open(); none from raw_closed(). Prints
 * "fd kept N" and "fd raw 100".
 */
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "e2e.h"

NOINLINE static int
keep_open(void)
{
	return open("/dev/null", O_RDONLY);
}

/* Moved to descriptor 100 first, so that the dump's own files, which
 * take the lowest free numbers, do not reuse it. */
NOINLINE static int
raw_closed(void)
{
	int fd = open("/dev/null", O_RDONLY);
	int hi = fd >= 0 ? dup2(fd, 100) : -1;

	if (fd >= 0)
		close(fd);
	if (hi >= 0)
		syscall(SYS_close, hi);
	return hi;
}

int
main(void)
{
	int kept = keep_open();
	int raw = raw_closed();

	if (kept < 0 || raw < 0)
		return 1;
	say("fd kept %d\nfd raw %d\n", kept, raw);
	return 0;
}
