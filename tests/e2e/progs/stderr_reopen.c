/*
 * stderr_reopen.c - closes its stderr and opens a data file, which gets
 * descriptor 2, then leaks a block and exits. Nothing but the program's
 * own "data" line may end up in that file. Usage: stderr_reopen FILE.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "e2e.h"

int
main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	close(2);
	if (open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644) != 2)
		return 3;
	if (write(2, "data\n", 5) != 5)
		return 4;
	e2e_sink = malloc(40);
	say("reopened\n");
	return 0;
}
