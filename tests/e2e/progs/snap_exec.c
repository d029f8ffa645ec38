/*
 * snap_exec.c - snapshots before and after exec, same pid. Run with
 * LEAK_SNAPSHOT_SIGNAL=USR2 and LEAK_OUTPUT=DIR/leak.%p.dump: asks for two
 * snapshots (raising SIGUSR2, waiting for each file to appear in DIR),
 * then execs itself with "again", and the new image asks for two more.
 * All four must be written, none refused: the new image's sequence must
 * not reuse the old image's file names. Usage: snap_exec DIR [again].
 */
#include <dirent.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

/* How many snapshot files of this pid are in dir. */
static int
snapshots(const char *dir)
{
	char prefix[32];
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	snprintf(prefix, sizeof(prefix), "leak.%d.", (int)getpid());
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && strchr(e->d_name + strlen(prefix), '.') != NULL &&
		    strstr(e->d_name, ".tmp") == NULL)
			n++;
	closedir(d);
	return n;
}

static int
snap(const char *dir)
{
	int before = snapshots(dir);
	struct timespec ms = { 0, 1000000 };

	raise(SIGUSR2);
	for (int i = 0; i < 5000; i++) {
		if (snapshots(dir) > before)
			return 0;
		nanosleep(&ms, NULL);
	}
	return 1;
}

int
main(int argc, char **argv)
{
	if (argc < 2 || snap(argv[1]) != 0 || snap(argv[1]) != 0)
		return 3;
	if (argc == 3) {
		say("%d snapshots\n", snapshots(argv[1]));
		return 0;
	}
	execl("/proc/self/exe", argv[0], argv[1], "again", (char *)NULL);
	return 4;
}
