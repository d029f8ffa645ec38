/*
 * suppress.h - LeakSanitizer-compatible suppression files ("leak:<pattern>")
 * and matching them against symbolized stacks. See suppress.c.
 *
 * An existing LSan suppression file works unchanged: "leak:PATTERN" lines,
 * '#' comments, blank lines, surrounding whitespace ignored. Lines of the
 * other sanitizer types (called_from_lib:, interceptor_via_fun:, race:, ...)
 * are accepted, ignored and counted (supp_ignored()). Anything else is an
 * error "<file>:<line>: <what>".
 *
 * Pattern syntax, as LSan: '*' matches any run of characters (also empty),
 * a leading '^' anchors at the start, a trailing '$' at the end; without
 * anchors the pattern matches anywhere (substring). '^' elsewhere than first
 * and '$' elsewhere than last are literal characters. Matching is
 * O(len(pattern) * len(text)) at worst, never exponential.
 */
#ifndef LEAKREPORT_SUPPRESS_H
#define LEAKREPORT_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model.h"
#include "sat.h"
#include "symbolize.h"

struct supp_rule {
	const char *pattern; /* as written after "leak:", trimmed; never empty */
	const char *file;    /* the file it came from, as passed to supp_load() */
	unsigned line;       /* 1-based line in that file */
	struct amount hits;  /* leak records (groups) it suppressed, their blocks and
			      * bytes; updated by supp_hit() */
};

struct suppressions;

/* Returns an empty set of rules, or NULL when out of memory. */
struct suppressions *supp_new(void);

/*
 * Appends the leak rules of the file at path (call once per file: rules keep
 * load order across files). 0, or -1 with e filled as "<path>:<line>: <what>"
 * (or "<path>: <what>" when it cannot be read); on error no rule of that
 * file is kept. Allocates.
 */
int supp_load(struct suppressions *s, const char *path, struct err *e);

/* Same from a buffer (need not be NUL-terminated); name is used in messages
 * and as supp_rule.file. For tests. */
int supp_parse(struct suppressions *s, const char *name, const char *buf, size_t len,
    struct err *e);

/* Appends the rules each program shipped in its dumps (suppress lines:
 * its __lsan_default_suppressions), named "<exe>'s
 * __lsan_default_suppressions" in messages and the list of rules; the
 * rules of one executable are loaded once however many dumps repeat them.
 * They apply to every dump of the report. 0, or -1 with e filled. */
int supp_from_dumps(struct suppressions *s, const struct dump *dumps, size_t n, struct err *e);

/*
 * The first rule that matches the stack, or NULL. Frames are tested in
 * order (innermost first, the caller concatenates the sym_resolve() frames
 * of every pc); for each frame, rules are tried in load order against its
 * function name, source file (full path), module basename and module full
 * path; NULL fields are skipped. Does not allocate; the rule stays valid
 * until supp_free().
 */
const struct supp_rule *supp_match(const struct suppressions *s, const struct sym_frame *frames,
    size_t n);

/* The first rule (load order) matching one frame, or NULL. */
const struct supp_rule *supp_match_frame(const struct suppressions *s, const struct sym_frame *f);

/* Adds records/blocks/bytes to the hits of r, a rule of s. Does not allocate. */
void supp_hit(struct suppressions *s, const struct supp_rule *r, uint64_t records, uint64_t blocks,
    uint64_t bytes);

/* Number of leak rules; rules are 0..supp_count()-1 in load order. */
size_t supp_count(const struct suppressions *s);

/* Rule i (< supp_count()), with its hits, for the "suppressed N records,
 * B blocks, X bytes by 'pattern'" lines. */
const struct supp_rule *supp_rule(const struct suppressions *s, size_t i);

/* Number of lines of other sanitizer types that were accepted and ignored. */
size_t supp_ignored(const struct suppressions *s);

/* Whether pattern matches frame f the way a rule does: its function, source
 * file, module basename or module path (NULL fields skipped). group.c uses
 * it for --ignore-frame. Does not allocate. */
bool supp_frame_matches(const char *pattern, const struct sym_frame *f);

/* The bare pattern matcher, as described above. For tests and reuse. */
bool supp_pattern_match(const char *pattern, const char *text);

/* Frees s and its rules; NULL is fine. */
void supp_free(struct suppressions *s);

#endif /* LEAKREPORT_SUPPRESS_H */
