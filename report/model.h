/*
 * model.h - one dump in memory, as dump_read.c builds it and the later
 * stages (symbolize, group, output) read it, and the names of its kinds.
 *
 * Every array is owned by the struct dump and freed by dump_free(). After
 * dump_read() succeeds the model is valid: ids are unique and ascending,
 * every rec names a stack that exists (or 0), every count fits.
 *
 * model.c is the one place that names a kind of record ("definite"...), a
 * retainer's root ("global"...) and a kind of dump ("exit", "snapshot", "check"):
 * the reader, the options, the gate, the baseline and every output take
 * the words from there. A set of kinds is a mask of CLASS_BIT(cls). Every
 * address or offset leakreport shows (text, JSON, a baseline key) is written
 * with ADDR_FMT.
 */
#ifndef LEAKREPORT_MODEL_H
#define LEAKREPORT_MODEL_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dumpfmt.h"

enum leak_class {
	CLASS_DEFINITE,
	CLASS_INDIRECT,
	CLASS_POSSIBLE,
	CLASS_REACHABLE,
	CLASS_FD,     /* resources (res lines, version 2): an open descriptor */
	CLASS_TIMER,  /* a POSIX timer never deleted */
	CLASS_THREAD, /* a thread that exited and was never joined or detached */
	CLASS_COUNT
};

/* Whether cls is a resource kind (fd, timer, thread), not a block class. */
#define CLASS_IS_RESOURCE(cls) ((cls) >= CLASS_FD && (cls) < CLASS_COUNT)

/* A set of kinds: --show, --fail-on, --baseline-kinds. */
#define CLASS_BIT(cls) (1u << (cls))
#define CLASS_MASK_ALL ((1u << CLASS_COUNT) - 1)
#define CLASS_MASK_LEAKS \
	(CLASS_BIT(CLASS_DEFINITE) | CLASS_BIT(CLASS_INDIRECT) | CLASS_BIT(CLASS_POSSIBLE))
#define CLASS_MASK_RESOURCES \
	(CLASS_BIT(CLASS_FD) | CLASS_BIT(CLASS_TIMER) | CLASS_BIT(CLASS_THREAD))

/* The kinds' names in order, for the messages that list them; check_model
 * checks them against model_class_name(). */
#define CLASS_NAMES    "definite, indirect, possible, reachable, fd, timer, thread"
#define CLASS_NAMES_OR "definite, indirect, possible, reachable, fd, timer or thread"

/* An address or an offset as leakreport shows it: "0x" and lower-case hex
 * without leading zeros, for a uint64_t ("0x55d4c0001189"). */
#define ADDR_FMT "0x%" PRIx64

struct module {
	uint32_t id;
	uint64_t bias; /* load bias: run-time = link-time + bias */
	uint64_t lo;   /* first run-time address of its PT_LOAD span */
	uint64_t hi;   /* one past the last; lo < hi */
	char *buildid; /* lower-case hex, or NULL when the dump has '-' */
	bool loaded;   /* false: dlclose'd before the dump */
	char *path;    /* unescaped */
};

/* A stretch of addresses that one module holds (modmap.c). */
struct modmap_seg {
	uint64_t lo;     /* first address */
	uint64_t hi;     /* one past the last; segments are sorted, disjoint */
	uint32_t module; /* index into dump.modules */
};

struct stack {
	uint32_t id;   /* non-zero, ascending in dump->stacks */
	uint32_t n;    /* 1..DUMP_MAX_DEPTH */
	uint64_t *pcs; /* n return addresses, innermost first */
};

struct rec {
	uint32_t stack_id; /* 0: no stack was captured */
	enum leak_class cls;
	uint64_t blocks;      /* >= 1; a resource kind: how many are open */
	uint64_t bytes;       /* 0 for a resource kind */
	uint64_t seen_blocks; /* of a lost rec, those an earlier check reported */
	uint64_t seen_bytes;  /* (a seen line); seen.c takes them out */
};

/* res <stack-id> <kind> <id> <fn> <aux> <desc>: one open resource. The
 * reader makes one rec per (stack, kind) of them, after the rec lines, so
 * every later stage sees them as records (model_find_resources() finds a
 * rec's own). */
struct resource {
	uint32_t stack_id;   /* 0: no stack was captured */
	enum leak_class cls; /* CLASS_FD, CLASS_TIMER or CLASS_THREAD */
	uint64_t id;         /* descriptor number, timer id or tid */
	const char *fn;      /* what made it ("fopen"): dumpfmt.h's static name */
	uint64_t aux;        /* a thread's start routine (run-time address), else 0 */
	char *desc;          /* what it is at the dump ("socket TCP ..."), unescaped */
};

/* heur <stack-id> <heuristic> <blocks> <bytes>: of the reachable blocks of
 * one stack, those only an interior-pointer heuristic made reachable. */
struct heur_rec {
	uint32_t stack_id; /* has a reachable rec */
	uint32_t heur;     /* index into DUMP_HEURISTICS, < DUMP_NHEUR */
	uint64_t blocks;   /* >= 1, <= that rec's blocks */
	uint64_t bytes;
};

/* own <stack-id> <owner-stack-id> <blocks> <bytes>: of the indirect blocks
 * of one stack, those that only definite blocks of the owner's stack reach. */
struct own_rec {
	uint32_t stack_id; /* has an indirect rec */
	uint32_t owner;    /* has a definite rec */
	uint64_t blocks;   /* >= 1, <= that indirect rec's blocks */
	uint64_t bytes;
};

enum retain_root {
	RETAIN_GLOBAL,   /* who: module id; where: run-time address of the word */
	RETAIN_THREAD,   /* who: tid; where: address in its stack, registers or TLS */
	RETAIN_MAPPING,  /* who: 0; where: address in an anonymous mapping */
	RETAIN_LOADER,   /* who, where: 0; a block the dynamic loader allocated */
	RETAIN_INTERNAL, /* who, where: 0; a block libc allocated while libleak ran */
	RETAIN_IGNORED,  /* who, where: 0; a block the program asked never to report */
	RETAIN_REGION,   /* who: 0; where: in a region the program registered */
};

#define RETAIN_COUNT (RETAIN_REGION + 1) /* not in the enum: switches stay exhaustive */

#define RETAIN_MAX_HOPS DUMP_MAX_RETAIN_HOPS /* most hops a retain line lists */

/* Why the reached blocks of one stack are alive: a root, then blocks. */
struct retain {
	uint32_t stack_id; /* a stack with reachable or possible blocks */
	enum retain_root root;
	uint32_t who;
	uint64_t where;
	uint64_t hops; /* blocks between the root and the stack's block */
	uint32_t n;    /* of which listed in hop[], nearest the root first; <= hops */
	struct {
		uint32_t stack_id; /* 0: allocated where no stack was captured */
		uint64_t bytes;
	} hop[RETAIN_MAX_HOPS];
};

struct dump_stats {
	uint64_t allocs;
	uint64_t frees;
	uint64_t live_blocks;
	uint64_t live_bytes;
	uint64_t peak_blocks;
	uint64_t peak_bytes;
	uint64_t peak_time_ms;
	uint64_t uptime_ms;
	uint64_t rss_bytes;
	uint64_t dropped;
	uint64_t unreadable;
	uint64_t res_dropped; /* 0 in a dump that predates it */
	uint64_t scan_us;     /* what the scan took; 0 without one, or in a dump that predates it */
};

struct dump {
	char *path; /* the file it was read from */
	uint64_t pid;
	uint64_t ppid;
	char *exe;
	size_t argc;
	char **argv;       /* argc strings */
	uint64_t time_sec; /* when it was written */
	uint32_t time_usec;
	uint64_t start_sec; /* when tracking began */
	uint32_t start_usec;
	bool snapshot; /* kind snapshot */
	bool check;    /* kind check (leak_check_now); neither: exit */
	uint64_t seq;
	bool atomic;
	bool scanned; /* scan full */
	uint32_t depth;
	struct module *modules;
	size_t nmodules;
	struct modmap_seg *segs; /* the modules flattened for lookup (modmap.c), or NULL
				  * in a dump built by hand: lookups are linear then */
	size_t nsegs;
	struct stack *stacks; /* sorted by id */
	size_t nstacks;
	struct rec *recs;
	size_t nrecs;
	struct heur_rec *heurs; /* sorted by stack_id, then heur */
	size_t nheurs;
	struct retain *retains; /* sorted by stack_id */
	size_t nretains;
	struct own_rec *owns; /* sorted by stack_id, then owner */
	size_t nowns;
	char **suppress; /* the program's own suppression rules (suppress lines) */
	size_t nsuppress;
	struct resource *resources; /* sorted by kind, stack_id, id: a rec's are together */
	size_t nresources;
	uint32_t version; /* of the format it was written in */
	struct dump_stats stats;
};

/* "definite", "indirect", "possible", "reachable" (the dump's words too);
 * "?" past them. Does not allocate. */
const char *model_class_name(enum leak_class cls);

/* The kind named by w[0..n) (not NUL-terminated), or -1. */
int model_class_parse(const char *w, size_t n);

/* "global", "thread", "mapping", "loader", "internal", "ignored", "region" (the dump's words);
 * "?" past them. */
const char *model_root_name(enum retain_root root);

/* The root named by w[0..n), or -1. */
int model_root_parse(const char *w, size_t n);

/* "snapshot", "check" or "exit": the dump's kind line. */
const char *model_dump_kind(const struct dump *d);

/* The file name of path: what follows its last '/', or path itself. Points
 * into path; does not allocate. A module's and an executable's short name. */
const char *model_basename(const char *path);

/* The stack of d with id (d->stacks is sorted by id), or NULL: binary
 * search, does not allocate. */
const struct stack *model_find_stack(const struct dump *d, uint32_t id);

/* The resources of kind cls made from stack id in d (d->resources is
 * sorted): the first, and their number in *n; NULL and 0 when none. Binary
 * search, does not allocate. */
const struct resource *model_find_resources(const struct dump *d, enum leak_class cls, uint32_t id,
    size_t *n);

#endif /* LEAKREPORT_MODEL_H */
