/* first_fd.c - prints the descriptor numbers its first open() and pipe()
 * get, after an allocation (which starts libleak's unwinder): the same
 * with the preload as without it. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "e2e.h"

int
main(void)
{
	int p[2];

	e2e_sink = malloc(64);
	free(e2e_sink);
	int fd = open("/dev/null", O_RDONLY);
	if (pipe(p) != 0)
		return 2;
	say("open %d pipe %d %d\n", fd, p[0], p[1]);
	close(p[0]);
	close(p[1]);
	close(fd);
	return 0;
}
