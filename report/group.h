/*
 * group.h - dumps -> leak records: identical symbolized stacks of one kind
 * form one record, across every dump; then suppressions, the merge that
 * --group-by asks for, the baseline, totals, the sort and what the outputs
 * list: the records, the suppression rules and the fixed baseline records,
 * decided once for every format. See group.c.
 */
#ifndef LEAKREPORT_GROUP_H
#define LEAKREPORT_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "baseline.h"
#include "dumpfmt.h"
#include "err.h"
#include "gate.h"
#include "model.h"
#include "resources.h"
#include "sat.h"
#include "suppress.h"
#include "symbolize.h"

/* The gate's decision, filled by main.c for the outputs. */
struct verdict {
	unsigned kinds; /* the gated kinds (--fail-on), a mask of CLASS_BIT(cls) */
	bool passed;
	char reason[GATE_REASON_MAX]; /* one line, from gate_decide() */
};

/* What records are keyed by (--group-by). */
enum group_by {
	GROUP_STACK,    /* kind and symbolized stack (the default) */
	GROUP_SITE,     /* kind and site frame (see struct leak.site) */
	GROUP_FUNCTION, /* kind and the site frame's function and module */
	GROUP_EXE       /* kind and executable path */
};

/* The blocks of one record that one dump holds. */
struct leak_point {
	uint32_t dump;   /* index into report.dumps */
	uint64_t blocks; /* series mode: every kind together; sums saturate */
	uint64_t bytes;
};

/* One block between a root and a record's block (struct retainer). */
struct retainer_hop {
	uint64_t bytes;
	const struct sym_frame *frame; /* the first frame of its stack that is not an
					* allocator frame (symbolizer's), or NULL: no
					* stack was captured, or only allocator frames */
};

/* Why the blocks of a reachable or possible record are alive: the retain
 * line of the first (dump, stack) of the record that has one. It describes
 * one block of that stack. */
struct retainer {
	const struct dump *dump;                  /* the dump it came from (module ids, paths) */
	const struct retain *rt;                  /* root, who, where, hops, n: in dump */
	const struct sym_data *global;            /* RETAIN_GLOBAL: the word's module, symbol and
						   * section (symbolizer's); NULL otherwise */
	const char *loader;                       /* RETAIN_LOADER: basename of the dynamic loader
						   * among the dump's modules, or NULL */
	struct retainer_hop hop[RETAIN_MAX_HOPS]; /* rt->n of them, nearest the root first */
	uint64_t unlisted;                        /* hops not in hop[]: rt->hops - rt->n */
};

struct leak {
	enum leak_class cls; /* CLASS_DEFINITE in series mode: the record holds every block
			      * class (a resource kind stays its own record) */
	uint64_t blocks;     /* summed over every dump */
	uint64_t bytes;
	struct leak_point *points; /* the dumps (processes) it came from, one each,
				    * ascending dump index; npoints >= 1 */
	size_t npoints;
	const char **exes; /* the distinct basenames of those dumps' exe, in
			    * dump order (point into the dumps); filled by
			    * group_finish */
	size_t nexes;
	uint32_t stacks;                /* distinct symbolized stacks merged into it, >= 1 (more
					 * only with --group-by site, function or exe) */
	struct sym_frame *frames;       /* of its largest stack (bytes, then blocks, then
					 * group_frames_cmp order): innermost first, allocator
					 * frames removed; pc and module path from the first
					 * dump that stack came from */
	size_t nframes;                 /* 0: no stack was captured */
	size_t site;                    /* --group-by site or function: the site frame, an index
					 * into frames (the first not matched by --ignore-frame,
					 * else the last); 0 otherwise or without frames */
	const char *exe;                /* --group-by exe: the executable's path (points into a
					 * dump); NULL otherwise */
	char *key;                      /* its baseline key (baseline.h), filled by group_finish
					 * unless suppressed; NULL otherwise */
	const struct supp_rule *supp;   /* the rule that suppressed it, or NULL */
	bool known;                     /* in the --baseline: listed, not gated */
	struct retainer *retained_by;   /* reachable and possible records of a scanned
					 * dump: why they are alive; NULL when no dump
					 * said (and in series mode) */
	struct amount heur[DUMP_NHEUR]; /* reachable records: blocks and bytes that only
					 * that heuristic (DUMP_HEURISTICS order) made
					 * reachable; records unused */
	struct leak_res *res;           /* a resource kind: each open resource (resources.h),
					 * nres of them; NULL otherwise */
	size_t nres;
	uint32_t *ids;   /* private: interned frame ids, the grouping key */
	uint32_t exe_id; /* private: --group-by exe: interned exe path */
};

struct report {
	bool series;               /* set before group_build (diff, trend): records are keyed
				    * by symbolized stack alone, every kind together */
	enum group_by group_by;    /* set before group_build; not in series mode */
	const char *const *ignore; /* --ignore-frame patterns, set before group_finish:
				    * frames that cannot be a record's site */
	size_t nignore;
	struct suppressions *owners; /* set before group_build (or NULL): the indirect
				      * blocks only the definite blocks of a suppressed
				      * stack reach (own lines) are suppressed with it */
	unsigned show;               /* set before group_finish: the kinds listed (--show), a
				   * mask of CLASS_BIT(cls); 0 lists no record */
	bool top_set;                /* set before group_finish: --top given */
	uint64_t top;                /* most records listed when top_set */
	const struct dump *dumps;    /* not owned */
	size_t ndumps;
	size_t nexes;       /* distinct exe paths among the dumps */
	struct leak *leaks; /* every record; sorted by group_finish() */
	size_t nleaks;
	struct amount cls[CLASS_COUNT]; /* records not suppressed, per kind (known ones too) */
	struct amount leaked;           /* definite + indirect + possible of cls[] */
	struct amount suppressed;       /* records a rule suppressed */
	struct amount known;            /* records found in the baseline */
	struct amount seen;             /* lost blocks an earlier check reported, not listed
					 * (seen.c; filled by main.c) */
	uint64_t total_allocs;          /* allocations tracked, summed over the dumps */
	uint64_t peak_bytes;            /* the largest peak_bytes of any one dump */
	uint64_t dropped;               /* blocks the preload could not track, summed */
	uint64_t res_dropped;           /* resources the preload could not track, summed */
	const struct leak **shown;      /* the records the outputs list, in order */
	size_t nshown;
	size_t ncut;                    /* records of shown kinds left out by --top */
	const struct supp_rule **rules; /* the suppression rules the outputs list, with
					 * their hits: every leak rule, in load order */
	size_t nrules;
	bool baseline;                       /* a baseline was given: the outputs say what it did */
	const struct baseline_entry **fixed; /* its records that no longer leak (none of
					      * this run's records has their kind and key),
					      * in file order */
	size_t nfixed;
	struct verdict gate;      /* filled by main.c */
	struct group_state *priv; /* private: the interning tables */
};

/* Prepares an empty report. Does not allocate. */
void group_init(struct report *r);

/*
 * Adds every record of the dumps (n of them, kept by the caller until
 * group_free) to r: each distinct pc is symbolized with s, leading allocator
 * frames (malloc, operator new, ..., anything in libleak.so) are dropped,
 * and records whose (kind, symbolized stack) are equal are merged. Call
 * once. 0, or -1 with e filled (out of memory, symbolizer failure).
 */
int group_build(struct report *r, struct symbolizer *s, const struct dump *dumps, size_t n,
    struct err *e);

/*
 * Marks each record (one stack) suppressed by the first matching rule of
 * supp (may be NULL); with --group-by site, function or exe merges the
 * records of one kind, one rule (or none) and one site, function or exe
 * into one, which shows its largest stack; credits each resulting
 * suppressed record to its rule; gives every other one its baseline key
 * and marks it known when base (may be NULL) holds (kind, key); fills the
 * totals and sorts the records: bytes, then blocks, largest first, then
 * kind and the frames (a stable order that does not depend on addresses).
 * Then decides what every output lists: the records (group_select with
 * r->show, r->top_set, r->top), every rule of supp, and the records of base
 * that no longer leak. supp and base must outlive r. 0, or -1 with e filled
 * (out of memory).
 */
int group_finish(struct report *r, struct suppressions *supp, struct baseline *base, struct err *e);

/*
 * Selects the records to list: not suppressed, kind in show (mask of
 * CLASS_BIT(cls)), at most top of them when top_set. group_finish calls it;
 * a caller may select again. 0, or -1 (out of memory).
 */
int group_select(struct report *r, unsigned show, bool top_set, uint64_t top, struct err *e);

/*
 * Compares two symbolized stacks frame by frame (function, file, line,
 * column, module, inlined, then offset or pc where those are unknown);
 * the shorter one first when one is a prefix of the other. A stable order
 * that does not depend on load addresses. Does not allocate.
 */
int group_frames_cmp(const struct sym_frame *a, size_t na, const struct sym_frame *b, size_t nb);

/* strcmp() order, with NULL (an unknown name) before any string: how
 * records and merge keys order the frames' names. */
int group_str_cmp(const char *a, const char *b);

/* Whether l counts toward a gate on kinds (mask of CLASS_BIT): of one of
 * them, not suppressed, not known. */
bool group_is_gated(const struct leak *l, unsigned kinds);

/* Whether f is an allocator frame (malloc family, operator new/delete, or in
 * libleak.so) that leads a stack and is never shown. */
bool group_is_alloc_frame(const struct sym_frame *f);

/* The --group-by word of g ("stack", "site", "function", "exe"). */
const char *group_by_name(enum group_by g);

/* The grouping named s, or -1 when s names none. */
int group_by_parse(const char *s);

/* Frees the arrays record l owns (regroup.c merges records too). */
void group_leak_free(struct leak *l);

/* Frees everything group_build(), group_finish() and group_select() allocated. */
void group_free(struct report *r);

#endif /* LEAKREPORT_GROUP_H */
