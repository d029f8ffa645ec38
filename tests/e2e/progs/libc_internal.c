/*
 * libc_internal.c - blocks libc allocates on the program's behalf and the
 * program never frees. argv[1] is a directory holding exactly the files
 * f1 f2 f3, argv[2] a readable text file.
 * Expected dump, naming the first frame inside this program
 * (function: blocks [bytes]):
 *   li_strdup 1 13, li_strndup 1 5, li_asprintf 1, li_getline 1,
 *   li_fopen 2 (FILE and its buffer), li_memstream 1, li_scandir 4
 *   (three entries and the array).
 * The byte counts of the last five are glibc's business; the test takes
 * them from mtrace(), which this program enables when MALLOC_TRACE is set
 * and libc_malloc_debug.so is preloaded (a no-op otherwise).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <mcheck.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static void *keep[16];
static int nkeep;

NOINLINE static void li_strdup(void) { keep[nkeep++] = strdup("hello, world"); }
NOINLINE static void li_strndup(void) { keep[nkeep++] = strndup("abcdefghij", 4); }

NOINLINE static void
li_asprintf(void)
{
	char *s = NULL;

	if (asprintf(&s, "%d-%s", 42, "forty-two") < 0)
		s = NULL;
	keep[nkeep++] = s;
}

NOINLINE static void
li_getline(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	if (f == NULL)
		return;
	if (getline(&line, &cap, f) > 0)
		say("first line: %s", line);
	keep[nkeep++] = line;
	fclose(f);
}

NOINLINE static void
li_fopen(const char *path)
{
	FILE *f = fopen(path, "r");

	/* The first read allocates the stream's buffer; no fclose. */
	if (f != NULL)
		say("first char: %c\n", fgetc(f));
	keep[nkeep++] = f;
}

NOINLINE static void
li_memstream(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return;
	fprintf(f, "memstream %d", 7);
	fclose(f);
	say("memstream: %s (%zu)\n", buf, len);
	keep[nkeep++] = buf;
}

static int
pick_f(const struct dirent *d)
{
	return d->d_name[0] == 'f';
}

NOINLINE static void
li_scandir(const char *dir)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, pick_f, alphasort);

	say("scandir: %d entries\n", n);
	for (int i = 0; i < n; i++)
		say("  %s\n", names[i]->d_name);
	keep[nkeep++] = names;
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		say("usage: libc_internal DIR FILE\n");
		return 2;
	}
	mtrace();
	li_strdup();
	li_strndup();
	li_asprintf();
	li_getline(argv[2]);
	li_fopen(argv[2]);
	li_memstream();
	li_scandir(argv[1]);
	muntrace();
	say("kept %d\n", nkeep);
	return 0;
}
