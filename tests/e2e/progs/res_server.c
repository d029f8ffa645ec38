/*
 * res_server.c - a server-like program whose descriptors grow: for about a
 * second it handles "requests"; each opens a connection (a socket pair)
 * and closes one end of it but forgets the other (accept_conn, the leak),
 * and reads a file it closes again (read_config, no leak). trend over its
 * snapshots must flag accept_conn alone, and diff name the descriptors it
 * opened since.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

__attribute__((noinline)) static void
accept_conn(void)
{
	int sv[2];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[0]); /* sv[1] is never closed: the leak */
}

__attribute__((noinline)) static void
read_config(void)
{
	char buf[16];
	int fd = open("/proc/self/stat", O_RDONLY);

	(void)!read(fd, buf, sizeof(buf));
	close(fd);
}

int
main(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 }; /* 10 ms a request */

	for (int i = 0; i < 120; i++) {
		accept_conn();
		read_config();
		nanosleep(&tick, NULL);
	}
	(void)!write(1, "served\n", 7);
	return 0;
}
