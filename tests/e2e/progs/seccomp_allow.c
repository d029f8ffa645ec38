/*
 * seccomp_allow.c - runs a program under a seccomp filter that allows
 * every system call: usage seccomp_allow PROG [ARGS...]. The exit scan
 * must then not make its helper thread (a real filter might kill the
 * process for the clone) and must classify the same without it.
 * Exit status: PROG's, or 2 when the filter cannot be installed.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog prog = { .len = 1, .filter = allow };

	if (argc < 2 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
		return 2;
	execvp(argv[1], argv + 1);
	return 2;
}
