/*
 * res_leaks.c - resources besides memory: each kind leaked once from a
 * function of its own (leak_*), and each also made and released properly
 * (tidy_*), which must not appear. Prints its pid ("pid N": its popen's
 * shell writes a dump too) and the descriptor numbers it leaked ("fd NAME
 * N") so the test can match them.
 *
 * Kinds: a file (fopen), a file (open), a socket pair, a TCP listener and a
 * connection on 127.0.0.1, a pipe, an eventfd, a timerfd, an epoll set of
 * three, a POSIX timer, a finished thread never joined (one returned, one
 * called pthread_exit); dup2 over an open descriptor.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

static char dir[256];

static NOINLINE FILE *
leak_fopen(void)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/app.log", dir);
	FILE *f = fopen(path, "w");
	NO_TAIL_CALL();
	return f;
}

static NOINLINE int
leak_open(void)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/data.bin", dir);
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	NO_TAIL_CALL();
	return fd;
}

static NOINLINE void
leak_socketpair(int sv[2])
{
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	NO_TAIL_CALL();
}

static NOINLINE int
leak_listen(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	NO_TAIL_CALL();
	bind(s, (struct sockaddr *)&a, sizeof(a));
	listen(s, 4);
	getsockname(s, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return s;
}

static NOINLINE int
leak_connect(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	NO_TAIL_CALL();
	connect(s, (struct sockaddr *)&a, sizeof(a));
	return s;
}

static NOINLINE int
leak_accept(int ls)
{
	int c = accept(ls, NULL, NULL);
	NO_TAIL_CALL();
	return c;
}

static NOINLINE void
leak_pipe(int p[2])
{
	pipe(p);
	NO_TAIL_CALL();
}

static NOINLINE int
leak_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	NO_TAIL_CALL();
	return fd;
}

static NOINLINE int
leak_timerfd(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	NO_TAIL_CALL();
	return fd;
}

static NOINLINE int
leak_epoll(int a, int b, int c)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };

	NO_TAIL_CALL();
	epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev);
	epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev);
	epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
	return ep;
}

static NOINLINE timer_t
leak_timer(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec its = { .it_interval = { 0, 500000000 }, .it_value = { 10, 0 } };
	timer_t t;

	timer_create(CLOCK_MONOTONIC, &sev, &t);
	NO_TAIL_CALL();
	timer_settime(t, 0, &its, NULL);
	return t;
}

static void *
worker_leaked(void *arg)
{
	return arg;
}

static void *
worker_exits(void *arg)
{
	pthread_exit(arg); /* ends it as a return does: still never joined */
}

static void *
worker_joined(void *arg)
{
	return arg;
}

static NOINLINE void
leak_thread(void)
{
	pthread_t th;

	pthread_create(&th, NULL, worker_leaked, NULL);
	NO_TAIL_CALL();
}

static NOINLINE void
leak_thread_exit(void)
{
	pthread_t th;

	pthread_create(&th, NULL, worker_exits, NULL);
	NO_TAIL_CALL();
}

static NOINLINE int
leak_dup2(int over)
{
	int fd = dup2(0, over);
	NO_TAIL_CALL();
	return fd;
}

/* The same, released. */
static NOINLINE void
tidy_all(void)
{
	char path[300];
	int p[2], sv[2];
	pthread_t th, th2;
	pthread_attr_t attr;
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	timer_t t;

	snprintf(path, sizeof(path), "%s/tidy.log", dir);
	FILE *f = fopen(path, "w");
	fclose(f);
	close(open(path, O_RDONLY));
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[0]);
	close(sv[1]);
	pipe(p);
	close(p[0]);
	close(p[1]);
	close(eventfd(0, 0));
	close(timerfd_create(CLOCK_MONOTONIC, 0));
	close(epoll_create1(0));
	close(dup(0));
	close(fcntl(0, F_DUPFD_CLOEXEC, 10));
	timer_create(CLOCK_REALTIME, &sev, &t);
	timer_delete(t);
	pthread_create(&th, NULL, worker_joined, NULL);
	pthread_join(th, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_create(&th2, &attr, worker_joined, NULL);
	pthread_attr_destroy(&attr);
	DIR *d = opendir(dir);
	closedir(d);
	FILE *pp = popen("true", "r");
	pclose(pp);
}



int
main(int argc, char **argv)
{
	int sv[2], p[2], port;

	snprintf(dir, sizeof(dir), "%s", argc > 1 ? argv[1] : "/tmp");
	say("pid %d\n", (int)getpid());
	tidy_all();
	FILE *f = leak_fopen();
	say("fd fopen %d\n", fileno(f));
	say("fd open %d\n", leak_open());
	leak_socketpair(sv);
	say("fd socketpair %d %d\n", sv[0], sv[1]);
	int ls = leak_listen(&port);
	say("fd listen %d\n", ls);
	int c = leak_connect(port);
	say("fd connect %d\n", c);
	say("fd accept %d\n", leak_accept(ls));
	leak_pipe(p);
	say("fd pipe %d %d\n", p[0], p[1]);
	int e = leak_eventfd();
	say("fd eventfd %d\n", e);
	int tf = leak_timerfd();
	say("fd timerfd %d\n", tf);
	say("fd epoll %d\n", leak_epoll(e, tf, p[0]));
	leak_timer();
	leak_thread();
	leak_thread_exit();
	/* dup2 over an open descriptor: the record is dup2's now. */
	int over = open("/dev/null", O_RDONLY);
	say("fd dup2 %d\n", leak_dup2(over));
	usleep(100000); /* the leaked thread has finished by now */
	return 0;
}
