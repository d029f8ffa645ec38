/*
 * srcroot.c - where the user's sources are: --source-root DIR, else the git
 * top level of the current directory (found as git finds it, by the nearest
 * ".git" at or above it, without running git), else the current directory.
 * main.c finds it once for the sarif output, which gives each result the
 * first frame whose source file is under it. Paths are compared as the
 * debug info spells them: a file outside the root (a system header, libc)
 * or with a relative name is not the user's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "srcroot.h"

/* Strips the last component of the absolute path p in place; false at "/". */
static bool
up(char *p)
{
	char *slash = strrchr(p, '/');

	if (slash == NULL || (slash == p && p[1] == '\0'))
		return false;
	if (slash == p)
		slash[1] = '\0';
	else
		*slash = '\0';
	return true;
}

static bool
has_git(const char *dir)
{
	char path[PATH_MAX + 8];
	struct stat st;

	snprintf(path, sizeof(path), "%s/.git", strcmp(dir, "/") == 0 ? "" : dir);
	return stat(path, &st) == 0;
}

char *
srcroot_find(const char *given, struct err *e)
{
	char *cwd, *p;
	struct stat st;

	if (given != NULL) {
		p = realpath(given, NULL);
		if (p == NULL) {
			err_set(e, "--source-root: '%.200s': %s", given, strerror(errno));
			return NULL;
		}
		if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
			err_set(e, "--source-root: '%.200s': Not a directory", given);
			free(p);
			return NULL;
		}
		return p;
	}
	cwd = getcwd(NULL, 0);
	if (cwd == NULL) {
		err_set(e, "cannot get the current directory: %s", strerror(errno));
		return NULL;
	}
	p = strdup(cwd);
	if (p == NULL) {
		free(cwd);
		err_set(e, "out of memory");
		return NULL;
	}
	do {
		if (has_git(p)) {
			free(cwd);
			return p;
		}
	} while (up(p));
	free(p);
	return cwd;
}

const char *
srcroot_relative(const char *root, const char *file)
{
	size_t n = strlen(root);

	if (file == NULL || file[0] != '/')
		return NULL;
	if (strcmp(root, "/") == 0)
		return file[1] != '\0' ? file + 1 : NULL;
	if (strncmp(file, root, n) != 0 || file[n] != '/' || file[n + 1] == '\0')
		return NULL;
	return file + n + 1;
}
