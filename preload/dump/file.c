/*
 * file.c - where a dump goes: the path its pattern expands to, and a file
 * created there atomically, never replacing anything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h> /* renameat2, RENAME_NOREPLACE */
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/fmt.h"
#include "dump/dump.h"

int
dump_path(const char *pattern, const char *cwd, pid_t pid, uint64_t seq, char *out, size_t cap)
{
	struct fmtbuf f;

	fmt_init(&f, out, cap - 1);
	if (pattern[0] != '/' && cwd != NULL && cwd[0] != '\0') {
		fmt_str(&f, cwd);
		fmt_char(&f, '/');
	}
	for (const char *p = pattern; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'p') {
			fmt_u64(&f, (uint64_t)pid);
			p++;
		} else if (p[0] == '%' && p[1] == 'n') {
			fmt_u64(&f, seq);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			fmt_char(&f, '%');
			p++;
		} else {
			fmt_char(&f, *p);
		}
	}
	if (f.overflow)
		return -1;
	out[f.len] = '\0';
	return 0;
}

static ssize_t
fd_write(void *ctx, const void *buf, size_t n)
{
	return write(*(int *)ctx, buf, n);
}

/* An unpredictable suffix for a named temporary file: the kernel's random
 * bytes (getrandom(2) never blocks once the pool is ready; GRND_NONBLOCK
 * keeps it so), else the clock. */
static uint64_t
random_suffix(void)
{
	uint64_t v = 0;
	struct timespec ts;

	if (syscall(SYS_getrandom, &v, sizeof(v), GRND_NONBLOCK) == (long)sizeof(v))
		return v;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16);
}

/* The directory part of path into dir ("." when there is none). */
static int
dir_of(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);

	if (n + 2 > cap)
		return -1;
	if (n == 0)
		memcpy(dir, ".", 2);
	else {
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	return 0;
}

/* Opens an unnamed file in path's directory (O_TMPFILE): a process killed
 * while writing leaves nothing behind. -1 with errno when the filesystem
 * cannot (EOPNOTSUPP, EISDIR on old kernels, EINVAL). */
static int
open_unnamed(const char *path)
{
	char dir[PATH_MAX];

	if (dir_of(path, dir, sizeof(dir)) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
}

/* Gives the unnamed file fd the name path, never replacing anything. */
static int
link_unnamed(int fd, const char *path)
{
	char proc[64];
	struct fmtbuf f;

	fmt_init(&f, proc, sizeof(proc) - 1);
	fmt_str(&f, "/proc/self/fd/");
	fmt_u64(&f, (uint64_t)fd);
	proc[f.len] = '\0';
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno == ENOENT && linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) == 0)
		return 0; /* no /proc: needs CAP_DAC_READ_SEARCH */
	return -1;
}

int
dump_to_file(const char *path, const struct dump_src *src, struct dump_result *res)
{
	char tmp[PATH_MAX + 48];
	struct stat st;
	struct dump_result local;

	if (res == NULL)
		res = &local;
	if (lstat(path, &st) == 0) {
		fmt_log("not writing the dump: '", path, "' exists already",
		    S_ISLNK(st.st_mode) ? " (a symlink)" : "", NULL);
		return -1;
	}
	tmp[0] = '\0';
	int fd = open_unnamed(path);
	if (fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		fmt_log("cannot create the dump '", path, "': ", fmt_errno(errno), NULL);
		return -1;
	}
	/* No O_TMPFILE here: a named temporary beside the target, its name
	 * unpredictable so that nobody can make it first in a shared directory. */
	for (int tries = 0; fd < 0 && tries < 8; tries++) {
		struct fmtbuf f;

		fmt_init(&f, tmp, sizeof(tmp) - 1);
		fmt_str(&f, path);
		fmt_str(&f, ".tmp.");
		fmt_u64(&f, (uint64_t)getpid());
		fmt_char(&f, '.');
		fmt_hex(&f, random_suffix());
		if (f.overflow) {
			fmt_log("not writing the dump: path too long: '", path, "'", NULL);
			return -1;
		}
		tmp[f.len] = '\0';
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST) {
			fmt_log("cannot create the dump '", path, "': ", fmt_errno(errno), NULL);
			return -1;
		}
	}
	if (fd < 0) {
		fmt_log("cannot create the dump '", path, "': ", fmt_errno(errno), NULL);
		return -1;
	}
	int rc = dump_write(fd_write, &fd, src, res);
	int e = errno;
	const char *what = res->failed;
	if (rc == 0 && tmp[0] == '\0' && link_unnamed(fd, path) != 0) {
		rc = -1;
		e = errno;
		what = "name the dump";
	}
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		e = errno;
		what = "write the dump";
	}
	if (rc == 0 && tmp[0] != '\0' &&
	    renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) != 0) {
		e = errno;
		what = "name the dump";
		/* Filesystems without RENAME_NOREPLACE: link() refuses to replace too. */
		if ((e == EINVAL || e == ENOSYS) && link(tmp, path) == 0)
			e = 0;
		rc = e == 0 ? 0 : -1;
	}
	if (tmp[0] != '\0')
		unlink(tmp); /* after link(), or on failure; gone after a rename */
	if (rc != 0) {
		fmt_log("cannot ", what, " '", path, "': ", fmt_errno(e), NULL);
		return -1;
	}
	return 0;
}
