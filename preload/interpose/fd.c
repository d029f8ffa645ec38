/*
 * fd.c - the interposed descriptor calls: every call that makes a
 * descriptor (open, openat, creat and their 64 and fortified variants,
 * socket, socketpair, accept, accept4, pipe, pipe2, dup, dup2, dup3,
 * fcntl's F_DUPFD and F_DUPFD_CLOEXEC, eventfd, timerfd_create, signalfd,
 * epoll_create, epoll_create1, inotify_init, inotify_init1, memfd_create,
 * and the SCM_RIGHTS of recvmsg and recvmmsg) and every call that closes
 * one (close, close_range).
 *
 * Each returns what the real call returns, with its errno: the record is
 * made after the real call succeeded (reshook.h keeps errno), and a close
 * forgets the descriptor before the real close, because once closed the
 * number may be another thread's at once. A close of a descriptor libleak
 * never saw is passed through; Linux frees the number even when close
 * fails (EINTR, EIO), so the record goes either way. Variadic mode and
 * argument words are forwarded as the callee reads them: open's mode only
 * with O_CREAT or O_TMPFILE, fcntl's argument always (as a pointer-sized
 * word, which is how glibc reads it for every command).
 *
 * glibc's own calls (fopen's open inside libc) never reach these hooks;
 * stdio.c hooks the stdio functions themselves. The cost is the stack of
 * the call (track_stack: the stack cache, as for malloc) and one atomic
 * exchange in the table; nothing on the malloc path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdarg.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "interpose/reshook.h"

__thread int reshook_in_stdio __attribute__((tls_model("initial-exec")));

/* Whether open's flags take a mode argument. */
static inline bool
needs_mode(int flags)
{
	return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
}

#define OPEN_MODE(flags, last)                    \
	({                                        \
		mode_t m_ = 0;                    \
		if (needs_mode(flags)) {          \
			va_list ap_;              \
			va_start(ap_, last);      \
			m_ = va_arg(ap_, mode_t); \
			va_end(ap_);              \
		}                                 \
		m_;                               \
	})

LK_EXPORT int
open(const char *path, int flags, ...)
{
	REAL_NEXT(open);
	mode_t mode = OPEN_MODE(flags, flags);
	int fd = real_open(path, flags, mode);

	RESHOOK_FD(fd, open);
	return fd;
}

LK_EXPORT int
open64(const char *path, int flags, ...)
{
	REAL_NEXT(open64);
	mode_t mode = OPEN_MODE(flags, flags);
	int fd = real_open64(path, flags, mode);

	RESHOOK_FD(fd, open);
	return fd;
}

/* The fortified entry points (-D_FORTIFY_SOURCE) for calls without a mode. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

LK_EXPORT int
__open_2(const char *path, int flags)
{
	REAL_NEXT(__open_2);
	int fd = real___open_2(path, flags);

	RESHOOK_FD(fd, open);
	return fd;
}

LK_EXPORT int
__open64_2(const char *path, int flags)
{
	REAL_NEXT(__open64_2);
	int fd = real___open64_2(path, flags);

	RESHOOK_FD(fd, open);
	return fd;
}

LK_EXPORT int
openat(int dirfd, const char *path, int flags, ...)
{
	REAL_NEXT(openat);
	mode_t mode = OPEN_MODE(flags, flags);
	int fd = real_openat(dirfd, path, flags, mode);

	RESHOOK_FD(fd, openat);
	return fd;
}

LK_EXPORT int
openat64(int dirfd, const char *path, int flags, ...)
{
	REAL_NEXT(openat64);
	mode_t mode = OPEN_MODE(flags, flags);
	int fd = real_openat64(dirfd, path, flags, mode);

	RESHOOK_FD(fd, openat);
	return fd;
}

LK_EXPORT int
__openat_2(int dirfd, const char *path, int flags)
{
	REAL_NEXT(__openat_2);
	int fd = real___openat_2(dirfd, path, flags);

	RESHOOK_FD(fd, openat);
	return fd;
}

LK_EXPORT int
__openat64_2(int dirfd, const char *path, int flags)
{
	REAL_NEXT(__openat64_2);
	int fd = real___openat64_2(dirfd, path, flags);

	RESHOOK_FD(fd, openat);
	return fd;
}

LK_EXPORT int
creat(const char *path, mode_t mode)
{
	REAL_NEXT(creat);
	int fd = real_creat(path, mode);

	RESHOOK_FD(fd, creat);
	return fd;
}

LK_EXPORT int
creat64(const char *path, mode_t mode)
{
	REAL_NEXT(creat64);
	int fd = real_creat64(path, mode);

	RESHOOK_FD(fd, creat);
	return fd;
}

LK_EXPORT int
socket(int domain, int type, int protocol)
{
	REAL_NEXT(socket);
	int fd = real_socket(domain, type, protocol);

	RESHOOK_FD(fd, socket);
	return fd;
}

LK_EXPORT int
socketpair(int domain, int type, int protocol, int sv[2])
{
	REAL_NEXT(socketpair);
	int r = real_socketpair(domain, type, protocol, sv);

	if (r == 0) {
		RESHOOK_FD(sv[0], socketpair);
		RESHOOK_FD(sv[1], socketpair);
	}
	return r;
}

LK_EXPORT int
accept(int s, struct sockaddr *addr, socklen_t *len)
{
	REAL_NEXT(accept);
	int fd = real_accept(s, addr, len);

	RESHOOK_FD(fd, accept);
	return fd;
}

LK_EXPORT int
accept4(int s, struct sockaddr *addr, socklen_t *len, int flags)
{
	REAL_NEXT(accept4);
	int fd = real_accept4(s, addr, len, flags);

	RESHOOK_FD(fd, accept4);
	return fd;
}

LK_EXPORT int
pipe(int p[2])
{
	REAL_NEXT(pipe);
	int r = real_pipe(p);

	if (r == 0) {
		RESHOOK_FD(p[0], pipe);
		RESHOOK_FD(p[1], pipe);
	}
	return r;
}

/* A pipe libleak's own code made (libunwind opens one to validate
 * addresses when it starts): moved up, near the descriptor limit, so the
 * program's descriptors are numbered as they are without libleak (its
 * first open() is 3, not 5). Only system calls; errno is the caller's. */
static void
park_high(int p[2])
{
	struct rlimit lim;
	int saved = errno;
	long low = 64;

	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
	    lim.rlim_cur > 128)
		low = (long)lim.rlim_cur - 64;
	for (int i = 0; i < 2; i++) {
		long h = syscall(SYS_fcntl, p[i], F_DUPFD_CLOEXEC, low);

		if (h >= 0) {
			syscall(SYS_close, p[i]);
			p[i] = (int)h;
		}
	}
	errno = saved;
}

LK_EXPORT int
pipe2(int p[2], int flags)
{
	REAL_NEXT(pipe2);
	int r = real_pipe2(p, flags);

	if (r == 0 && lk_busy && (flags & O_CLOEXEC) != 0)
		park_high(p);
	if (r == 0) {
		RESHOOK_FD(p[0], pipe2);
		RESHOOK_FD(p[1], pipe2);
	}
	return r;
}

LK_EXPORT int
dup(int old)
{
	REAL_NEXT(dup);
	int fd = real_dup(old);

	RESHOOK_FD(fd, dup);
	return fd;
}

LK_EXPORT int
dup2(int old, int new)
{
	REAL_NEXT(dup2);
	int fd = real_dup2(old, new);

	/* dup2(fd, fd) changes nothing: the record keeps its first stack. */
	if (old != new)
		RESHOOK_FD(fd, dup2);
	return fd;
}

LK_EXPORT int
dup3(int old, int new, int flags)
{
	REAL_NEXT(dup3);
	int fd = real_dup3(old, new, flags);

	RESHOOK_FD(fd, dup3);
	return fd;
}

LK_EXPORT int
fcntl(int fd, int cmd, ...)
{
	REAL_NEXT(fcntl);
	va_list ap;

	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	int r = real_fcntl(fd, cmd, arg);

	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		RESHOOK_FD(r, fcntl);
	return r;
}

LK_EXPORT int
fcntl64(int fd, int cmd, ...)
{
	REAL_NEXT(fcntl64);
	va_list ap;

	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	int r = real_fcntl64(fd, cmd, arg);

	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		RESHOOK_FD(r, fcntl);
	return r;
}

LK_EXPORT int
eventfd(unsigned int initval, int flags)
{
	REAL_NEXT(eventfd);
	int fd = real_eventfd(initval, flags);

	RESHOOK_FD(fd, eventfd);
	return fd;
}

LK_EXPORT int
timerfd_create(int clockid, int flags)
{
	REAL_NEXT(timerfd_create);
	int fd = real_timerfd_create(clockid, flags);

	RESHOOK_FD(fd, timerfd_create);
	return fd;
}

LK_EXPORT int
signalfd(int fd, const sigset_t *mask, int flags)
{
	REAL_NEXT(signalfd);
	int r = real_signalfd(fd, mask, flags);

	if (fd == -1) /* else it changed the mask of an existing one */
		RESHOOK_FD(r, signalfd);
	return r;
}

LK_EXPORT int
epoll_create(int size)
{
	REAL_NEXT(epoll_create);
	int fd = real_epoll_create(size);

	RESHOOK_FD(fd, epoll_create);
	return fd;
}

LK_EXPORT int
epoll_create1(int flags)
{
	REAL_NEXT(epoll_create1);
	int fd = real_epoll_create1(flags);

	RESHOOK_FD(fd, epoll_create1);
	return fd;
}

LK_EXPORT int
inotify_init(void)
{
	REAL_NEXT(inotify_init);
	int fd = real_inotify_init();

	RESHOOK_FD(fd, inotify_init);
	return fd;
}

LK_EXPORT int
inotify_init1(int flags)
{
	REAL_NEXT(inotify_init1);
	int fd = real_inotify_init1(flags);

	RESHOOK_FD(fd, inotify_init1);
	return fd;
}

LK_EXPORT int
memfd_create(const char *name, unsigned int flags)
{
	REAL_NEXT(memfd_create);
	int fd = real_memfd_create(name, flags);

	RESHOOK_FD(fd, memfd_create);
	return fd;
}

/* Every descriptor an SCM_RIGHTS message brought. The header lies in the
 * caller's buffer, which the kernel filled and cut (MSG_CTRUNC) as it had
 * to: CMSG_NXTHDR stays within msg_controllen. */
LK_EXPORT ssize_t
recvmsg(int s, struct msghdr *msg, int flags)
{
	REAL_NEXT(recvmsg);
	ssize_t r = real_recvmsg(s, msg, flags);

	if (r < 0 || msg == NULL || msg->msg_control == NULL)
		return r;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		const unsigned char *data = CMSG_DATA(c);

		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, data + i * sizeof(int), sizeof(fd));
			RESHOOK_FD(fd, recvmsg);
		}
	}
	return r;
}

/* recvmsg for a vector: each message the call filled (its return value). */
LK_EXPORT int
recvmmsg(int s, struct mmsghdr *vec, unsigned int n, int flags, struct timespec *timeout)
{
	REAL_NEXT(recvmmsg);
	int r = real_recvmmsg(s, vec, n, flags, timeout);

	for (int k = 0; k < r && vec != NULL; k++) {
		struct msghdr *msg = &vec[k].msg_hdr;

		if (msg->msg_control == NULL)
			continue;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
			    c->cmsg_len < CMSG_LEN(0))
				continue;
			size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			const unsigned char *data = CMSG_DATA(c);

			for (size_t i = 0; i < nfd; i++) {
				int fd;

				memcpy(&fd, data + i * sizeof(int), sizeof(fd));
				RESHOOK_FD(fd, recvmmsg);
			}
		}
	}
	return r;
}

LK_EXPORT int
close(int fd)
{
	REAL_NEXT(close);
	res_fd_close(fd); /* before: once closed, the number is anyone's */
	return real_close(fd);
}

LK_EXPORT int
close_range(unsigned int first, unsigned int last, int flags)
{
	REAL_NEXT(close_range);

	/* Before, as close: a number it frees is anyone's at once. Only a
	 * call the kernel refuses outright (first > last, a flag it does not
	 * know) closes nothing, and CLOSE_RANGE_CLOEXEC closes nothing now. */
	if (first <= last && (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) == 0 &&
	    (flags & CLOSE_RANGE_CLOEXEC) == 0)
		res_fd_close_range(first, last);
	return real_close_range(first, last, flags);
}
