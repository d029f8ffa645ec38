/*
 * tmpdir.h - a private scratch directory for a check suite: made by the
 * tcase's checked fixture, removed with everything in it afterwards.
 * Include once per suite, after defining TMPDIR_TEMPLATE.
 */
#ifndef CHECK_TMPDIR_H
#define CHECK_TMPDIR_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

static char tmpdir[] = TMPDIR_TEMPLATE;

static void
make_tmpdir(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
remove_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

#endif /* CHECK_TMPDIR_H */
