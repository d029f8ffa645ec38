/*
 * dumpfmt.h - the dump format: record tags, their order and the version.
 *
 * The preload (dump.c) writes it and leakreport (report/dump_read.c) reads
 * it; this header is the one place both take the names from, and
 * docs/dump-format.md is its full description. The format is line-oriented
 * text: one record per line, fields separated by one space, no field empty.
 * Strings are escaped so that they hold no space, newline or '%': every byte
 * below 0x21, above 0x7e, and '%' itself is written as %XX (two upper-case
 * hex digits). Addresses are lower-case hex without "0x"; counts are decimal.
 *
 * Any change a version-1 reader would misread bumps DUMP_VERSION.
 */
#ifndef LIBLEAK_DUMPFMT_H
#define LIBLEAK_DUMPFMT_H

#define DUMP_MAGIC       "libleak-dump" /* first token of the first line */
#define DUMP_VERSION     2              /* second token of the first line */
#define DUMP_VERSION_MIN 1              /* the oldest a reader still reads */

/* Header records, each exactly once, in this order. */
#define DUMP_TAG_PID    "pid"    /* pid <dec> */
#define DUMP_TAG_PPID   "ppid"   /* ppid <dec> */
#define DUMP_TAG_EXE    "exe"    /* exe <str> (from /proc/self/exe) */
#define DUMP_TAG_ARGC   "argc"   /* argc <dec>, then that many arg lines */
#define DUMP_TAG_ARG    "arg"    /* arg <str> */
#define DUMP_TAG_TIME   "time"   /* time <sec>.<6-digit usec> wall clock of the dump */
#define DUMP_TAG_START  "start"  /* start <sec>.<usec> wall clock when tracking began */
#define DUMP_TAG_KIND   "kind"   /* kind exit|snapshot|check */
#define DUMP_TAG_SEQ    "seq"    /* seq <dec>: 0 for the exit dump, 1.. for snapshots, checks */
#define DUMP_TAG_ATOMIC "atomic" /* atomic 1|0: 0 when threads ran while it was copied */
#define DUMP_TAG_SCAN   "scan"   /* scan none|full: whether classes come from a root scan */
#define DUMP_TAG_DEPTH  "depth"  /* depth <dec>: LEAK_DEPTH in force, 1..256 */
#define DUMP_TAG_SUPPRESS \
	"suppress" /* suppress <str>: a rule of the program's __lsan_default_suppressions
		    * (version 2; zero or more, after depth) */

/* Body records, in this order, each group possibly empty. */
#define DUMP_TAG_MODULE \
	"module" /* module <id> <bias> <lo> <hi> <buildid|-> <loaded|unloaded> <path> */
#define DUMP_TAG_STACK "stack" /* stack <id> <n> <pc>... (n return addresses, caller first) */
#define DUMP_TAG_REC   "rec"   /* rec <stack-id> <class> <blocks> <bytes> */
#define DUMP_TAG_HEUR \
	"heur" /* heur <stack-id> <heuristic> <blocks> <bytes>: of its reachable
		* blocks, those only that heuristic made so */
#define DUMP_TAG_SEEN \
	"seen" /* seen <stack-id> <class> <blocks> <bytes>: of its lost blocks,
		* those an earlier check reported (version 2) */
#define DUMP_TAG_OWN \
	"own" /* own <stack-id> <owner-stack-id> <blocks> <bytes>: of its indirect blocks,
	       * those only definite blocks of the owner's stack reach (version 2) */
#define DUMP_TAG_RETAIN \
	"retain" /* retain <stack-id> <root> <who> <where> <hops> <n> <stack-id>:<bytes>... */
#define DUMP_TAG_RES  "res"  /* res <stack-id> <kind> <id> <fn> <aux> <desc> (version 2) */
#define DUMP_TAG_STAT "stat" /* stat <name> <dec>, every name of DUMP_STATS once, in order */
#define DUMP_TAG_END \
	"end" /* end <modules> <stacks> <recs> <retains> <notes>: counts, proves no
	       * truncation; notes: heur, suppress, seen, own and res lines (version 2) */

/* Roots of a retain line. */
#define DUMP_ROOT_GLOBAL  "global"  /* who: module id; where: address of the word */
#define DUMP_ROOT_THREAD  "thread"  /* who: tid; where: address in its stack or TLS */
#define DUMP_ROOT_MAPPING "mapping" /* who: 0; where: address in an anonymous mapping */
#define DUMP_ROOT_LOADER  "loader"  /* who: 0, where: 0: allocated by ld.so */
#define DUMP_ROOT_INTERNAL \
	"internal"                     /* who: 0, where: 0: allocated by the C library
					* while libleak ran (a pthread key array) */
#define DUMP_ROOT_IGNORED    "ignored" /* who: 0, where: 0: the program asked never to report it */
#define DUMP_ROOT_REGION     "region"  /* who: 0; where: in a region the program registered */
#define DUMP_MAX_RETAIN_HOPS 8         /* most blocks listed in one retain line */

#define DUMP_KIND_EXIT     "exit"
#define DUMP_KIND_SNAPSHOT "snapshot"
#define DUMP_KIND_CHECK    "check" /* leak_check_now() (version 2) */
#define DUMP_SCAN_NONE     "none"
#define DUMP_SCAN_FULL     "full"
#define DUMP_MOD_LOADED    "loaded"
#define DUMP_MOD_UNLOADED  "unloaded"

/* Classes of a rec line. Without a scan every block is "definite". */
#define DUMP_CLASS_DEFINITE  "definite"
#define DUMP_CLASS_INDIRECT  "indirect"
#define DUMP_CLASS_POSSIBLE  "possible"
#define DUMP_CLASS_REACHABLE "reachable"

/* Kinds of a res line. */
#define DUMP_RES_FD     "fd"     /* id: the descriptor's number */
#define DUMP_RES_TIMER  "timer"  /* id: the POSIX timer's id */
#define DUMP_RES_THREAD "thread" /* id: the thread's tid; aux: its start routine */

/*
 * The functions that make a resource, as a res line names them (its <fn>):
 * what the program called, so fopen, not the openat inside it. X(name, doc).
 */
#define DUMP_RES_FNS(X)                                            \
	X(open, "open, open64, __open_2, __open64_2")              \
	X(openat, "openat, openat64, __openat_2, __openat64_2")    \
	X(creat, "creat, creat64")                                 \
	X(socket, "socket")                                        \
	X(socketpair, "socketpair")                                \
	X(accept, "accept")                                        \
	X(accept4, "accept4")                                      \
	X(pipe, "pipe")                                            \
	X(pipe2, "pipe2")                                          \
	X(dup, "dup")                                              \
	X(dup2, "dup2")                                            \
	X(dup3, "dup3")                                            \
	X(fcntl, "fcntl, fcntl64 with F_DUPFD or F_DUPFD_CLOEXEC") \
	X(eventfd, "eventfd")                                      \
	X(timerfd_create, "timerfd_create")                        \
	X(signalfd, "signalfd")                                    \
	X(epoll_create, "epoll_create")                            \
	X(epoll_create1, "epoll_create1")                          \
	X(inotify_init, "inotify_init")                            \
	X(inotify_init1, "inotify_init1")                          \
	X(memfd_create, "memfd_create")                            \
	X(fopen, "fopen, fopen64")                                 \
	X(freopen, "freopen, freopen64")                           \
	X(opendir, "opendir")                                      \
	X(popen, "popen")                                          \
	X(tmpfile, "tmpfile, tmpfile64")                           \
	X(recvmsg, "a descriptor an SCM_RIGHTS message brought")   \
	X(timer_create, "a POSIX timer")                           \
	X(pthread_create, "a joinable thread")                     \
	X(recvmmsg, "a descriptor an SCM_RIGHTS message of recvmmsg brought")

#define DUMP_RES_FN_COUNT       (0 DUMP_RES_FNS(DUMP_RES_FN_ONE))
#define DUMP_RES_FN_ONE(n, doc) +1

/* The name of function fn (1 .. DUMP_RES_FN_COUNT), NULL past them. */
static inline const char *
dump_res_fn_name(unsigned fn)
{
#define DUMP_RES_FN_NAME(n, doc) #n,
	static const char *const names[] = { DUMP_RES_FNS(DUMP_RES_FN_NAME) };
#undef DUMP_RES_FN_NAME
	return fn >= 1 && fn <= sizeof(names) / sizeof(names[0]) ? names[fn - 1] : NULL;
}

/*
 * The interior-pointer heuristics a heur line may name, in order (the
 * preload's enum heur is this order, from 1). X(name).
 */
#define DUMP_HEURISTICS(X) X(stdstring) X(length64) X(newarray) X(multipleinheritance)
#define DUMP_NHEUR         4

/* The name of heuristic h (0 .. DUMP_NHEUR - 1), NULL past them. */
static inline const char *
dump_heur_name(int h)
{
#define DUMP_HEUR_NAME(n) #n,
	static const char *const names[DUMP_NHEUR] = { DUMP_HEURISTICS(DUMP_HEUR_NAME) };
#undef DUMP_HEUR_NAME
	return h >= 0 && h < DUMP_NHEUR ? names[h] : NULL;
}

#define DUMP_MAX_DEPTH   256  /* most frames in one stack line */
#define DUMP_MAX_STR     4096 /* most bytes in one unescaped string */
#define DUMP_MAX_BUILDID 64   /* most bytes in a build-id (128 hex digits) */

/*
 * The stat names, in the order they are written. X(name, meaning). The
 * first DUMP_STATS_REQUIRED are in every dump; a reader takes the later ones
 * (added since) as 0 when a dump ends its stats before them.
 */
#define DUMP_STATS_REQUIRED 10
#define DUMP_STATS(X)                                                                              \
	X(allocs, "allocations tracked since start")                                               \
	X(frees, "frees of tracked blocks since start")                                            \
	X(live_blocks, "blocks live at the dump")                                                  \
	X(live_bytes, "bytes live at the dump")                                                    \
	X(peak_blocks, "most blocks live at once")                                                 \
	X(peak_bytes, "most bytes live at once")                                                   \
	X(peak_time_ms, "ms after start when peak_bytes was reached")                              \
	X(uptime_ms, "ms from start to this dump")                                                 \
	X(rss_bytes, "resident set size at the dump, from /proc/self/statm")                       \
	X(dropped, "blocks not tracked because internal memory ran out")                           \
	X(unreadable, "bytes of blocks and roots the exit scan skipped: not readable (PROT_NONE)") \
	X(res_dropped, "descriptors, timers and threads not tracked: past their tables")           \
	X(scan_us,                                                                                 \
	    "microseconds the exit scan (or check) took, stopping the world included; 0: none")

#endif /* LIBLEAK_DUMPFMT_H */
