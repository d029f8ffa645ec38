/*
 * old_dump_format.c - a stand-in for the libleak.so of another version: a
 * preload library whose exit dump (at LEAK_OUTPUT, %p the pid) starts
 * "libleak-dump 0", a format no leakreport of today reads. leakcheck must
 * refuse it before the command runs, in one line (cases/install.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((destructor)) static void
old_dump_write(void)
{
	const char *o = getenv("LEAK_OUTPUT");
	char path[4096];
	size_t n = 0;

	if (o == NULL)
		o = "leak.%p.dump";
	for (; *o != '\0' && n < sizeof(path) - 24; o++) {
		if (o[0] == '%' && o[1] == 'p') {
			n += (size_t)snprintf(path + n, sizeof(path) - n, "%ld", (long)getpid());
			o++;
		} else {
			path[n++] = *o;
		}
	}
	path[n] = '\0';

	FILE *f = fopen(path, "w");

	if (f == NULL)
		return;
	fprintf(f, "libleak-dump 0\npid %ld\n", (long)getpid());
	fclose(f);
}
