/*
 * deny_mmap_at_exit.c - leaks a block, then, just before it exits,
 * installs a seccomp filter under which every mmap fails with EPERM (as a
 * sandbox may). The preload cannot map memory for its dump: its one line
 * must say that, not blame the dump's file. Exit status 0, or 2 when the
 * filter cannot be installed.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "e2e.h"

int
main(void)
{
	struct sock_filter deny_mmap[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = deny_mmap };

	e2e_sink = malloc(40);
	e2e_sink = NULL;
	say("sandboxed\n");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		return 2;
	return 0;
}
