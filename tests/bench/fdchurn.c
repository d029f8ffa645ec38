/*
 * fdchurn.c - benchmark workload: descriptors opened and closed in a loop,
 * as a server opens files and connections. FDCHURN_OPS times: open
 * /dev/null and close it; one time in sixteen also a socket pair, closed.
 * Nothing is left open, so no resource leak is expected. Run by
 * scripts/bench; takes no arguments. Exit status: 0, or 2 when a call fails.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#define FDCHURN_OPS 400000

int
main(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fputs("usage: fdchurn\n", stderr);
		return 2;
	}
	for (int i = 0; i < FDCHURN_OPS; i++) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0 || close(fd) != 0)
			return 2;
		if (i % 16 == 0) {
			int sv[2];

			if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
				return 2;
			close(sv[0]);
			close(sv[1]);
		}
	}
	return 0;
}
