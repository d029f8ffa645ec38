/*
 * res_misc.c - the descriptor calls that are not a plain open: descriptors
 * received with SCM_RIGHTS (leaked, from recv_fd and, with recvmmsg,
 * recv_fd_mm), descriptors closed by
 * close_range (must not appear), popen and opendir left open, a signalfd,
 * an inotify and a memfd leaked; and the calls' results and errno, which
 * must be the same with and without the preload: an open that fails
 * (ENOENT), a close of a descriptor never opened (EBADF), accept and
 * recvmsg interrupted by a signal (EINTR), running out of descriptors
 * (EMFILE under a low RLIMIT_NOFILE), O_TMPFILE with its mode.
 * Prints what it saw, one line each.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "e2e.h"

static NOINLINE int
recv_fd(int s)
{
	char data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf) };
	int fd = -1;

	if (recvmsg(s, &msg, 0) < 0)
		return -1;
	NO_TAIL_CALL();
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (c != NULL && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

static NOINLINE int
recv_fd_mm(int s)
{
	char data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct mmsghdr mm = { .msg_hdr = { .msg_iov = &iov,
				  .msg_iovlen = 1,
				  .msg_control = u.buf,
				  .msg_controllen = sizeof(u.buf) } };
	int fd = -1;

	if (recvmmsg(s, &mm, 1, 0, NULL) != 1)
		return -1;
	NO_TAIL_CALL();
	struct cmsghdr *c = CMSG_FIRSTHDR(&mm.msg_hdr);
	if (c != NULL && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

static void
send_fd(int s, int fd)
{
	char data = 'x';
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	sendmsg(s, &msg, 0);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/* accept and recvmsg interrupted by a signal without SA_RESTART: -1 and
 * EINTR, as without the preload. */
static void
interrupted(void)
{
	struct sigaction sa;
	struct itimerval it = { .it_value = { 0, 50000 } };
	int ls = socket(AF_UNIX, SOCK_STREAM, 0), sv[2];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	bind(ls, (struct sockaddr *)&a, sizeof(sa_family_t)); /* autobind */
	listen(ls, 1);
	setitimer(ITIMER_REAL, &it, NULL);
	errno = 0;
	int r = accept(ls, NULL, NULL);
	say("accept interrupted %d %s\n", r, strerror(errno));
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	setitimer(ITIMER_REAL, &it, NULL);
	errno = 0;
	r = (int)recvmsg(sv[0], &msg, 0);
	say("recvmsg interrupted %d %s\n", r, strerror(errno));
	close(sv[0]);
	close(sv[1]);
	close(ls);
}

static NOINLINE FILE *
leak_popen(void)
{
	FILE *f = popen("cat", "w");
	NO_TAIL_CALL();
	return f;
}

static NOINLINE DIR *
leak_opendir(void)
{
	DIR *d = opendir("/");
	NO_TAIL_CALL();
	return d;
}

static NOINLINE int
leak_signalfd(void)
{
	sigset_t m;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	int fd = signalfd(-1, &m, 0);
	NO_TAIL_CALL();
	return fd;
}

static NOINLINE int
leak_inotify(void)
{
	int fd = inotify_init1(IN_CLOEXEC);
	NO_TAIL_CALL();
	return fd;
}

static NOINLINE int
leak_memfd(void)
{
	int fd = memfd_create("scratch", 0);
	NO_TAIL_CALL();
	return fd;
}

int
main(int argc, char **argv)
{
	int sv[2];
	const char *dir = argc > 1 ? argv[1] : "/tmp";

	say("pid %d\n", (int)getpid());
	/* SCM_RIGHTS: our own descriptor comes back as a new number. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	int orig = open("/dev/zero", O_RDONLY);
	send_fd(sv[0], orig);
	int got = recv_fd(sv[1]);
	close(orig);
	close(sv[0]);
	close(sv[1]);
	say("fd recvmsg %d\n", got);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	orig = open("/dev/urandom", O_RDONLY);
	send_fd(sv[0], orig);
	say("fd recvmmsg %d\n", recv_fd_mm(sv[1]));
	close(orig);
	close(sv[0]);
	close(sv[1]);

	/* close_range: three in a row, closed at once. */
	int a = open("/dev/null", O_RDONLY), b = dup(a), c = dup(a);
	int lo = a < b ? a : b, hi = a > b ? a : b;
	lo = lo < c ? lo : c;
	hi = hi > c ? hi : c;
	say("close_range %d\n", close_range((unsigned)lo, (unsigned)hi, 0));

	say("fd popen %d\n", fileno(leak_popen()));
	say("fd opendir %d\n", dirfd(leak_opendir()));
	say("fd signalfd %d\n", leak_signalfd());
	say("fd inotify %d\n", leak_inotify());
	say("fd memfd %d\n", leak_memfd());

	/* Results and errno as without the preload. */
	interrupted();
	errno = 0;
	int r = open("/nonexistent/x", O_RDONLY);
	say("open missing %d %s\n", r, strerror(errno));
	errno = 0;
	r = close(999);
	say("close 999 %d %s\n", r, strerror(errno));
	r = openat(AT_FDCWD, dir, O_TMPFILE | O_RDWR, 0640);
	if (r >= 0) {
		struct stat st;

		fstat(r, &st);
		say("tmpfile mode %o\n", (unsigned)(st.st_mode & 0777) & ~0022u);
		close(r);
	}
	struct rlimit rl = { 64, 64 };
	int fds[64], n = 0;

	setrlimit(RLIMIT_NOFILE, &rl);
	for (;;) {
		if (n == 64) { /* the limit was not applied (Valgrind keeps its own) */
			say("no EMFILE within 64 descriptors\n");
			break;
		}
		int fd = open("/dev/null", O_RDONLY);

		if (fd < 0) {
			say("out of descriptors: %s\n", strerror(errno));
			break;
		}
		fds[n++] = fd;
	}
	while (n > 0)
		close(fds[--n]);
	return 0;
}
