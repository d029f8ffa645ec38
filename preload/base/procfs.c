/*
 * procfs.c - whole small files from /proc and /sys, without stdio: the
 * dump's command line and statm, the snapshot thread's cgroup limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "base/procfs.h"

ssize_t
procfs_read(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -1;
	while (len < cap) {
		ssize_t r = read(fd, buf + len, cap - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	return (ssize_t)len;
}
