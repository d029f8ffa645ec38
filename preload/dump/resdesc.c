/*
 * resdesc.c - describes an open resource for a res line: what a descriptor
 * is (its /proc/self/fd link, its access mode, for a socket the line of
 * /proc/net that holds its inode, for an epoll set the count of its
 * /proc/self/fdinfo "tfd:" lines) and a POSIX timer's clock and interval.
 *
 * Called by life/dumpsrc.c while a dump is written (with the guard held:
 * the descriptors opened here are libleak's and never recorded). The
 * /proc/net tables are read into one mapping each, on first need, once per
 * dump, so a dump with many sockets reads each table once. Not
 * async-signal-safe (it reads /proc), one thread at a time, no malloc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/fmt.h"
#include "base/procfs.h"
#include "base/procnet.h"
#include "dump/resdesc.h"

#define TABLE_MAX ((size_t)8 << 20) /* bytes read of one /proc/net table */

struct resdesc {
	char *text[PROCNET_COUNT];  /* TABLE_MAX bytes each, mapped on first need */
	ssize_t len[PROCNET_COUNT]; /* -1: not read (or unreadable) */
	char fdinfo[4096];
};

struct resdesc *
resdesc_open(void)
{
	struct resdesc *c =
	    mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (c == MAP_FAILED)
		return NULL;
	for (int t = 0; t < PROCNET_COUNT; t++)
		c->len[t] = -1;
	return c;
}

void
resdesc_close(struct resdesc *c)
{
	if (c == NULL)
		return;
	for (int t = 0; t < PROCNET_COUNT; t++)
		if (c->text[t] != NULL)
			munmap(c->text[t], TABLE_MAX);
	munmap(c, sizeof(*c));
}

/* The text of table t, read on first need; its length or -1. */
static ssize_t
table(struct resdesc *c, enum procnet_table t, const char **text)
{
	if (c->text[t] == NULL) {
		void *p = mmap(NULL, TABLE_MAX, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			return -1;
		c->text[t] = p;
		c->len[t] = procfs_read(procnet_path(t), c->text[t], TABLE_MAX);
	}
	*text = c->text[t];
	return c->len[t];
}

static void
finish(struct fmtbuf *f, char *out)
{
	out[f->len] = '\0';
}

/* " (read)", " (write)", " (read/write)" from the descriptor's flags. */
static void
put_mode(struct fmtbuf *f, long fl)
{
	switch (fl & O_ACCMODE) {
	case O_RDONLY:
		fmt_str(f, " (read)");
		break;
	case O_WRONLY:
		fmt_str(f, " (write)");
		break;
	default:
		fmt_str(f, " (read/write)");
		break;
	}
}

/* The number of "tfd:" lines of /proc/self/fdinfo/fd: an epoll set's size. */
static long
epoll_count(struct resdesc *c, int fd, char *scratch, size_t cap)
{
	char path[64];
	struct fmtbuf f;
	long n = 0;

	fmt_init(&f, path, sizeof(path) - 1);
	fmt_str(&f, "/proc/self/fdinfo/");
	fmt_u64(&f, (uint64_t)fd);
	path[f.len] = '\0';
	(void)c;
	ssize_t len = procfs_read(path, scratch, cap);

	if (len < 0)
		return -1;
	for (ssize_t i = 0; i + 4 <= len; i++)
		if ((i == 0 || scratch[i - 1] == '\n') && memcmp(scratch + i, "tfd:", 4) == 0)
			n++;
	return n;
}

bool
resdesc_fd_open(int fd)
{
	int saved = errno;
	/* syscall, not fcntl(): our own hook is no business of the dump's. */
	bool open = syscall(SYS_fcntl, fd, F_GETFD) >= 0 || errno != EBADF;

	errno = saved;
	return open;
}

void
resdesc_fd(struct resdesc *c, int fd, char *out, size_t cap)
{
	char path[64], link[RESDESC_MAX];
	struct fmtbuf f;

	fmt_init(&f, path, sizeof(path) - 1);
	fmt_str(&f, "/proc/self/fd/");
	fmt_u64(&f, (uint64_t)fd);
	path[f.len] = '\0';
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	/* syscall, not fcntl(): our own hook is no business of the dump's. */
	long fl = syscall(SYS_fcntl, fd, F_GETFL);

	fmt_init(&f, out, cap - 1);
	if (n <= 0 || fl < 0) {
		fmt_str(&f, fl < 0 ? "closed" : "unknown");
		finish(&f, out);
		return;
	}
	link[n] = '\0';
	if (strncmp(link, "socket:[", 8) == 0) {
		uint64_t ino = 0;
		char sock[RESDESC_MAX];

		for (char *p = link + 8; *p >= '0' && *p <= '9'; p++)
			ino = ino * 10 + (uint64_t)(*p - '0');
		fmt_str(&f, "socket ");
		for (int t = 0; c != NULL && t < PROCNET_COUNT; t++) {
			const char *text;
			ssize_t len = table(c, t, &text);

			if (len > 0 &&
			    procnet_find(t, text, (size_t)len, ino, sock, sizeof(sock))) {
				fmt_str(&f, sock);
				finish(&f, out);
				return;
			}
		}
		fmt_str(&f, "inode ");
		fmt_u64(&f, ino);
	} else if (strncmp(link, "pipe:[", 6) == 0) {
		fmt_str(&f, (fl & O_ACCMODE) == O_WRONLY ? "pipe (write end)" : "pipe (read end)");
	} else if (strcmp(link, "anon_inode:[eventfd]") == 0) {
		fmt_str(&f, "eventfd");
	} else if (strcmp(link, "anon_inode:[timerfd]") == 0) {
		fmt_str(&f, "timerfd");
	} else if (strcmp(link, "anon_inode:[signalfd]") == 0) {
		fmt_str(&f, "signalfd");
	} else if (strcmp(link, "anon_inode:inotify") == 0) {
		fmt_str(&f, "inotify");
	} else if (strcmp(link, "anon_inode:[eventpoll]") == 0) {
		long k = c != NULL ? epoll_count(c, fd, c->fdinfo, sizeof(c->fdinfo)) : -1;

		fmt_str(&f, "epoll");
		if (k >= 0) {
			fmt_str(&f, " (");
			fmt_u64(&f, (uint64_t)k);
			fmt_str(&f, k == 1 ? " fd)" : " fds)");
		}
	} else if (strncmp(link, "anon_inode:", 11) == 0) {
		fmt_str(&f, "anon_inode ");
		fmt_str(&f, link + 11);
	} else if (strncmp(link, "/memfd:", 7) == 0) {
		char *d = strstr(link, " (deleted)");

		if (d != NULL)
			*d = '\0';
		fmt_str(&f, "memfd ");
		fmt_str(&f, link + 7);
	} else if (link[0] == '/') {
		fmt_str(&f, "file ");
		fmt_str(&f, link);
		put_mode(&f, fl);
	} else {
		fmt_str(&f, link);
	}
	finish(&f, out);
}

static const char *const clock_names[] = {
	"CLOCK_REALTIME",
	"CLOCK_MONOTONIC",
	"CLOCK_PROCESS_CPUTIME_ID",
	"CLOCK_THREAD_CPUTIME_ID",
	"CLOCK_MONOTONIC_RAW",
	"CLOCK_REALTIME_COARSE",
	"CLOCK_MONOTONIC_COARSE",
	"CLOCK_BOOTTIME",
	"CLOCK_REALTIME_ALARM",
	"CLOCK_BOOTTIME_ALARM",
	"10",
	"CLOCK_TAI",
};

/* Seconds and nanoseconds as "0.5s", "2s", "0.000001s". */
static void
put_seconds(struct fmtbuf *f, const struct timespec *ts)
{
	char frac[9];
	long ns = ts->tv_nsec;
	int n = 9;

	fmt_u64(f, (uint64_t)ts->tv_sec);
	for (int i = 8; i >= 0; i--, ns /= 10)
		frac[i] = (char)('0' + ns % 10);
	while (n > 0 && frac[n - 1] == '0')
		n--;
	if (n > 0) {
		fmt_char(f, '.');
		fmt_mem(f, frac, (size_t)n);
	}
	fmt_char(f, 's');
}

void
resdesc_timer(uintptr_t t, int clk, char *out, size_t cap)
{
	struct fmtbuf f;
	struct itimerspec its;

	fmt_init(&f, out, cap - 1);
	if (clk >= 0 && (size_t)clk < sizeof(clock_names) / sizeof(clock_names[0]) &&
	    clock_names[clk][0] == 'C') {
		fmt_str(&f, clock_names[clk]);
	} else {
		fmt_str(&f, "clock ");
		fmt_u64(&f, (uint64_t)(unsigned)clk);
	}
	if (timer_gettime((timer_t)t, &its) == 0) {
		bool armed = its.it_value.tv_sec != 0 || its.it_value.tv_nsec != 0;

		if (its.it_interval.tv_sec != 0 || its.it_interval.tv_nsec != 0) {
			fmt_str(&f, ", interval ");
			put_seconds(&f, &its.it_interval);
		} else {
			fmt_str(&f, ", one-shot");
		}
		fmt_str(&f, armed ? ", armed" : ", disarmed");
	}
	finish(&f, out);
}
