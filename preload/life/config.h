/*
 * config.h - the preload's settings, read once from the environment.
 */
#ifndef LIBLEAK_CONFIG_H
#define LIBLEAK_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define CONFIG_PATH_MAX 4096

struct config {
	char output[CONFIG_PATH_MAX];          /* LEAK_OUTPUT pattern; %p -> pid, %% -> % */
	int depth;                             /* LEAK_DEPTH: frames kept, 1..256, default 32 */
	bool quiet;                            /* LEAK_QUIET=1: no summary line at exit */
	bool reachability;                     /* LEAK_REACHABILITY=0 turns the exit scan off */
	char snapshot_output[CONFIG_PATH_MAX]; /* pattern for snapshots; has %n */
	int snapshot_signal;                   /* LEAK_SNAPSHOT_SIGNAL; 0: off */
	uint64_t snapshot_interval_ns;         /* LEAK_SNAPSHOT_INTERVAL; 0: off */
	uint64_t warn_bytes;                   /* LEAK_WARN_BYTES; 0: off */
	unsigned warn_percent;                 /* LEAK_WARN_PERCENT, 1..100; 0: off */
	bool verify_stacks;                    /* LEAK_VERIFY_STACKS=1: unwind on cache hits too */
	char log[CONFIG_PATH_MAX];             /* LEAK_LOG, absolute; "": stderr */
	char only[CONFIG_PATH_MAX];            /* LEAK_ONLY patterns (pathglob.h) */
	bool only_set;                         /* LEAK_ONLY given: track matching programs only */
	unsigned heuristics;       /* LEAK_HEURISTICS: 1 << enum heur each; default all */
	bool resources;            /* LEAK_RESOURCES=0: no descriptors, timers, threads */
	uint64_t warn_fds;         /* LEAK_WARN_FDS: open descriptors; 0: off */
	unsigned warn_fds_percent; /* LEAK_WARN_FDS_PERCENT of RLIMIT_NOFILE, 1..100; 0: off */
};

extern struct config lk_config;

/* Parses what decides where lines go and whether this process is tracked
 * at all: LEAK_LOG (a relative path is taken against cwd, the start
 * directory or "") and LEAK_ONLY. Does not allocate (getenv only), takes no
 * lock, makes no libc call a sanitizer intercepts: it may run from inside
 * the first malloc, before the real allocator is known. */
void config_load_select(const char *cwd);

/* Parses every other LEAK_* variable into lk_config, only for a process
 * that is tracked. Bad values get one line and the default. Same rules. */
void config_load(void);

#endif /* LIBLEAK_CONFIG_H */
