/*
 * output_sarif.c - the report as a SARIF 2.1.0 log (OASIS), the format
 * GitHub code scanning uploads (github/codeql-action/upload-sarif) and
 * Microsoft's SARIF Multitool validates:
 *
 *   runs[0].tool.driver.rules   leak/definite, leak/indirect, leak/possible,
 *                               and leak/reachable when --show lists it;
 *                               each with short and full descriptions and help
 *   runs[0].results[]           one per listed record, in the report's order
 *     ruleId, level             error for a record that counts toward the
 *                               gate, warning for another leak, note for a
 *                               reachable one
 *     message                   kind, bytes, blocks, the allocating function
 *     locations[0]              the first frame whose source file is under
 *                               the source root (uri relative to SRCROOT),
 *                               else the top frame (an absolute file: uri, or
 *                               the module's file without a region, or when
 *                               neither is known the executable's)
 *     stacks[0].frames          the whole stack, innermost first
 *     partialFingerprints       from the record's baseline key, the same
 *                               rebuild-proof key --baseline uses
 *                               (baseline_key(), via struct leak.key)
 *   runs[0].originalUriBaseIds  SRCROOT = the source root as a file: URI
 *
 * Called by main.c; it renders struct report and computes nothing but what
 * the format needs: the URI spelling and a hash of the key. Strings are
 * written by output_json_string (valid UTF-8, escaped). GitHub's limits are
 * kept: results past SARIF_MAX_RESULTS, or past SARIF_MAX_RAW bytes of
 * results, are left out, and the run says how many in its properties and in
 * a notification.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "options.h"
#include "output_json.h"
#include "output_sarif.h"
#include "output_text.h"
#include "srcroot.h"

static const struct {
	const char *name;
	const char *shortd;
	const char *fulld;
	const char *help;
} rules[CLASS_COUNT] = {
	{ "DefinitelyLostMemory", "Heap memory definitely lost",
	    "Heap blocks still allocated when the program exited, with no pointer to them "
	    "anywhere in the program's memory: nothing can free them.",
	    "A block allocated at this stack was never freed, and at exit no pointer to it was "
	    "left in any global, thread stack, register or other live block. Free it when it "
	    "is no longer used, on every path (error paths too), or keep a pointer to it if it "
	    "is meant to live until exit. The stack in the result is where it was allocated." },
	{ "IndirectlyLostMemory", "Heap memory lost through a lost block",
	    "Heap blocks reachable only from blocks that are themselves lost: they are freed "
	    "when their owner is.",
	    "A block allocated at this stack is pointed to only by blocks that were lost (a "
	    "node of a list whose head leaked, say). Fixing the definite leak that owns it "
	    "usually fixes this one; free the owner with everything it points to." },
	{ "PossiblyLostMemory", "Heap memory possibly lost",
	    "Heap blocks that only interior pointers (into the middle of the block) point to: "
	    "the program may no longer be able to free them.",
	    "A block allocated at this stack is referenced only by pointers into its middle, "
	    "not to its start. It may be a leak, or a data structure that keeps pointers past "
	    "a header. The result's retention path says which root holds the interior pointer." },
	{ "StillReachableMemory", "Heap memory still reachable at exit",
	    "Heap blocks still allocated at exit that a global, a thread or another reachable "
	    "block points to: not lost, but never freed.",
	    "A block allocated at this stack was still referenced at exit (a cache, a "
	    "registry, a global buffer). It is not a leak in the strict sense; free it at exit "
	    "if the program should end with an empty heap. The retention path names the root." },
	{ "LeakedFileDescriptor", "File descriptor left open at exit",
	    "A descriptor the program opened (a file, socket, pipe, eventfd, timerfd, epoll "
	    "set...) was still open when it exited.",
	    "A descriptor opened at this stack was never closed. Close it on every path (error "
	    "paths too); a descriptor meant to live until exit (a log file) belongs in the "
	    "baseline or a suppression. The message says what it was at exit." },
	{ "LeakedPosixTimer", "POSIX timer never deleted",
	    "A timer from timer_create() was never deleted with timer_delete().",
	    "A timer created at this stack was still there at exit. Delete it with "
	    "timer_delete() when it is no longer needed." },
	{ "UnjoinedThread", "Thread finished but never joined",
	    "A joinable thread ended and was never joined nor detached: its stack and "
	    "result stay allocated until the process exits.",
	    "A thread created at this stack finished and nobody called pthread_join() or "
	    "pthread_detach() on it. Join it, detach it, or create it detached." },
};

/* Whether a record of kind cls is listed. */
static bool
listed(const struct report *r, enum leak_class cls)
{
	for (size_t i = 0; i < r->nshown; i++)
		if (r->shown[i]->cls == cls)
			return true;
	return false;
}

/* The SARIF words of each kind's level when the record is not gated. */
static const char *
level_of(const struct report *r, const struct leak *l)
{
	if (group_is_gated(l, r->gate.kinds))
		return "error";
	return l->cls == CLASS_REACHABLE ? "note" : "warning";
}

/* path as URI path characters: unreserved and '/' as they are, every other
 * byte %XX (RFC 3986). */
static void
put_uri_path(FILE *f, const char *path)
{
	for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p) != NULL)
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
	}
}

/* "physicalLocation": {...} of a frame, or nothing (false) when the frame
 * has neither a source file nor a module file. */
static bool
put_physical(FILE *f, const struct sym_frame *fr, const char *root)
{
	const char *rel = srcroot_relative(root, fr->file);

	if (rel != NULL) {
		fputs("\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"", f);
		put_uri_path(f, rel);
		fputs("\", \"uriBaseId\": \"SRCROOT\"}", f);
	} else if (fr->file != NULL && fr->file[0] == '/') {
		fputs("\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"file://", f);
		put_uri_path(f, fr->file);
		fputs("\"}", f);
	} else if (fr->module_path != NULL && fr->module_path[0] == '/') {
		fputs("\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"file://", f);
		put_uri_path(f, fr->module_path);
		fputs("\"}}", f);
		return true; /* a module has no lines: no region */
	} else {
		return false;
	}
	if (fr->line != 0) {
		fprintf(f, ", \"region\": {\"startLine\": %u", fr->line);
		if (fr->column != 0)
			fprintf(f, ", \"startColumn\": %u", fr->column);
		fputc('}', f);
	}
	fputc('}', f);
	return true;
}

/* The name a frame shows: its function, or "module+0xOFF", or its pc. */
static void
put_frame_name(FILE *f, const struct sym_frame *fr)
{
	char buf[64];

	if (fr->function != NULL) {
		output_json_string(f, fr->function);
		return;
	}
	if (fr->module != NULL) {
		char *s = NULL;

		if (asprintf(&s, "%s+" ADDR_FMT, fr->module, fr->offset) >= 0) {
			output_json_string(f, s);
			free(s);
			return;
		}
	}
	snprintf(buf, sizeof(buf), ADDR_FMT, fr->pc);
	output_json_string(f, buf);
}

/* One location object of a frame: physical location (if any; else, when
 * fallback is not NULL, that file: GitHub wants one on every result), its
 * function as a logical location, and a message naming it. */
static void
put_location(FILE *f, const struct sym_frame *fr, const char *root, const char *fallback)
{
	fputc('{', f);
	if (put_physical(f, fr, root)) {
		fputs(", ", f);
	} else if (fallback != NULL) {
		fputs("\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"file://", f);
		put_uri_path(f, fallback);
		fputs("\"}}, ", f);
	}
	fputs("\"message\": {\"text\": ", f);
	put_frame_name(f, fr);
	fputc('}', f);
	if (fr->function != NULL) {
		fputs(", \"logicalLocations\": [{\"fullyQualifiedName\": ", f);
		output_json_string(f, fr->function);
		fputs(", \"kind\": \"function\"}]", f);
	}
	fputc('}', f);
}

/* The result's one location: the first frame in the source root, else the
 * site (top) frame; a record without frames points at its executable. */
static void
put_primary(FILE *f, const struct report *r, const struct leak *l, const char *root)
{
	const struct sym_frame *pick = NULL;
	const char *exe = r->dumps[l->points[0].dump].exe;

	for (size_t k = l->site; k < l->nframes && pick == NULL; k++)
		if (srcroot_relative(root, l->frames[k].file) != NULL && l->frames[k].line != 0)
			pick = &l->frames[k];
	if (pick == NULL && l->nframes > 0)
		pick = &l->frames[l->site];
	if (pick != NULL) {
		put_location(f, pick, root, exe);
		return;
	}
	fputs("{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"file://", f);
	put_uri_path(f, exe);
	fputs("\"}}, \"message\": {\"text\": \"no stack was captured\"}}", f);
}

/* FNV-1a, 64 bits: the fingerprint of a baseline key (a key can be long;
 * a fingerprint is compared, never read). */
static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* "Definitely lost: 4096 bytes in 16 blocks allocated in make_buf, from 2
 * processes of a, b." */
static void
put_message(FILE *f, const struct leak *l)
{
	static const char *const heads[CLASS_COUNT] = { "Definitely lost", "Indirectly lost",
		"Possibly lost", "Still reachable", "File descriptors left open",
		"POSIX timers never deleted", "Threads never joined" };
	const struct sym_frame *site = l->nframes > 0 ? &l->frames[l->site] : NULL;
	char *s = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&s, &len);

	if (m == NULL)
		return;
	if (CLASS_IS_RESOURCE(l->cls))
		fprintf(m, "%s: %" PRIu64 " made with %s() in ", heads[l->cls], l->blocks,
		    l->nres > 0 ? l->res[0].r->fn : "?");
	else
		fprintf(m, "%s: %" PRIu64 " bytes in %" PRIu64 " blocks allocated in ",
		    heads[l->cls], l->bytes, l->blocks);
	if (site == NULL)
		fputs("an unknown function (no stack was captured)", m);
	else if (site->function != NULL)
		fputs(site->function, m);
	else if (site->module != NULL)
		fprintf(m, "%s+" ADDR_FMT, site->module, site->offset);
	else
		fprintf(m, ADDR_FMT, site->pc);
	if (l->npoints > 1)
		fprintf(m, ", from %zu processes", l->npoints);
	if (l->known)
		fputs(" (a known leak, in the baseline: not gated)", m);
	if (l->retained_by != NULL) {
		fputs("; ", m);
		output_text_retainer(m, l->retained_by);
	}
	for (size_t i = 0; i < l->nres && i < 8; i++)
		fprintf(m, "%s%s %" PRIu64 ": %s", i ? ", " : "; ",
		    model_class_name(l->res[i].r->cls), l->res[i].r->id, l->res[i].r->desc);
	if (l->nres > 8)
		fprintf(m, " and %zu more", l->nres - 8);
	fputc('.', m);
	fclose(m);
	output_json_string(f, s);
	free(s);
}

static void
put_result(FILE *f, const struct report *r, const struct leak *l, int rule, const char *root)
{
	fprintf(f, "        {\"ruleId\": \"leak/%s\", \"ruleIndex\": %d, \"level\": \"%s\",\n",
	    model_class_name(l->cls), rule, level_of(r, l));
	fputs("         \"message\": {\"text\": ", f);
	put_message(f, l);
	fputs("},\n         \"locations\": [", f);
	put_primary(f, r, l, root);
	fputs("],\n         \"stacks\": [{\"message\": {\"text\": \"allocated at\"}, \"frames\": [",
	    f);
	for (size_t k = 0; k < l->nframes; k++) {
		const struct sym_frame *fr = &l->frames[k];

		fputs(k ? ",\n           {\"location\": " : "\n           {\"location\": ", f);
		put_location(f, fr, root, NULL);
		if (fr->module != NULL) {
			fputs(", \"module\": ", f);
			output_json_string(f, fr->module);
		}
		fprintf(f, ", \"properties\": {\"address\": \"" ADDR_FMT "\", \"inlined\": %s}}",
		    fr->pc, fr->inlined ? "true" : "false");
	}
	fprintf(f,
	    "]}],\n         \"partialFingerprints\": {\"libleakKey/v1\": \"%s:%016" PRIx64 "\"},\n",
	    model_class_name(l->cls), fnv1a(l->key != NULL ? l->key : "-"));
	fprintf(f,
	    "         \"properties\": {\"blocks\": %" PRIu64 ", \"bytes\": %" PRIu64
	    ", \"processes\": %zu, \"known\": %s, \"key\": ",
	    l->blocks, l->bytes, l->npoints, l->known ? "true" : "false");
	output_json_string(f, l->key);
	fputs("}}", f);
}

static void
put_rules(FILE *f, const struct report *r, int *index)
{
	int n = 0;

	fputs("          \"rules\": [", f);
	for (int c = 0; c < CLASS_COUNT; c++) {
		const char *dl = (r->gate.kinds & CLASS_BIT(c)) ? "error" :
		    c == CLASS_REACHABLE                        ? "note" :
								  "warning";

		index[c] = -1;
		if (c == CLASS_REACHABLE && !(r->show & CLASS_BIT(CLASS_REACHABLE)))
			continue;
		if (CLASS_IS_RESOURCE(c) && !listed(r, (enum leak_class)c))
			continue; /* a resource kind's rule only when one is listed */
		index[c] = n;
		fprintf(f, "%s\n            {\"id\": \"leak/%s\", \"name\": \"%s\",", n ? "," : "",
		    model_class_name(c), rules[c].name);
		fputs("\n             \"shortDescription\": {\"text\": ", f);
		output_json_string(f, rules[c].shortd);
		fputs("},\n             \"fullDescription\": {\"text\": ", f);
		output_json_string(f, rules[c].fulld);
		fputs("},\n             \"help\": {\"text\": ", f);
		output_json_string(f, rules[c].help);
		fprintf(f,
		    "},\n             \"defaultConfiguration\": {\"level\": \"%s\"},\n"
		    "             \"properties\": {\"tags\": [\"memory\", \"leak\"], "
		    "\"precision\": \"high\", \"problem.severity\": \"%s\"}}",
		    dl, strcmp(dl, "note") == 0 ? "recommendation" : dl);
		n++;
	}
	fputs("]\n", f);
}

/* The results, as many as GitHub takes: each is rendered into memory first
 * to know its size. *kept gets how many were written. */
static int
put_results(FILE *f, const struct report *r, const int *index, const char *root, size_t *kept)
{
	size_t raw = 0;

	*kept = 0;
	fputs("      \"results\": [", f);
	for (size_t i = 0; i < r->nshown && *kept < SARIF_MAX_RESULTS; i++) {
		const struct leak *l = r->shown[i];
		char *s = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&s, &len);

		if (m == NULL)
			return -1;
		put_result(m, r, l, index[l->cls], root);
		if (fclose(m) == EOF) {
			free(s);
			return -1;
		}
		if (raw + len > SARIF_MAX_RAW) {
			free(s);
			break;
		}
		raw += len;
		fputs(*kept ? ",\n" : "\n", f);
		fwrite(s, 1, len, f);
		free(s);
		++*kept;
	}
	fputs(*kept ? "\n      ],\n" : "],\n", f);
	return 0;
}

int
output_sarif(FILE *f, const struct report *r, const char *root, size_t *dropped)
{
	int index[CLASS_COUNT];
	char kinds[40];
	size_t kept;
	char *results = NULL;
	size_t rlen = 0;
	FILE *m = open_memstream(&results, &rlen);

	*dropped = 0;
	if (m == NULL)
		return -1;
	/* the rules first: results name them by index */
	fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	      "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n"
	      "      \"tool\": {\n        \"driver\": {\n"
	      "          \"name\": \"libleak\",\n",
	    f);
	fprintf(f,
	    "          \"fullName\": \"libleak leakreport %s\",\n"
	    "          \"version\": \"%s\",\n",
	    LEAKREPORT_VERSION, LEAKREPORT_VERSION);
	put_rules(f, r, index);
	fputs(
	    "        }\n      },\n      \"originalUriBaseIds\": {\"SRCROOT\": {\"uri\": \"file://",
	    f);
	put_uri_path(f, root);
	fputs(strcmp(root, "/") == 0 ? "\"}},\n" : "/\"}},\n", f);
	if (put_results(m, r, index, root, &kept) < 0 || fclose(m) == EOF) {
		free(results);
		return -1;
	}
	*dropped = r->nshown - kept;
	fputs("      \"invocations\": [{\"executionSuccessful\": true", f);
	if (*dropped > 0)
		fprintf(f,
		    ", \"toolExecutionNotifications\": [{\"level\": \"warning\", "
		    "\"message\": {\"text\": \"%zu of %zu records left out: GitHub code scanning "
		    "takes at most %d results and %u MiB gzipped per run; the largest are "
		    "kept\"}}]",
		    *dropped, r->nshown, SARIF_MAX_RESULTS, SARIF_MAX_GZIP >> 20);
	fputs("}],\n", f);
	fwrite(results, 1, rlen, f);
	free(results);
	fprintf(f,
	    "      \"properties\": {\"gate\": {\"passed\": %s, \"kinds\": \"%s\", \"reason\": ",
	    r->gate.passed ? "true" : "false",
	    gate_kinds_format(r->gate.kinds, kinds, sizeof(kinds)));
	output_json_string(f, r->gate.reason);
	fprintf(f,
	    "}, \"listed\": %zu, \"results_dropped\": %zu, \"not_listed\": %zu, "
	    "\"leaked_bytes\": %" PRIu64 ", \"leaked_blocks\": %" PRIu64 ", \"dumps\": %zu}\n",
	    r->nshown, *dropped, r->ncut, r->leaked.bytes, r->leaked.blocks, r->ndumps);
	fputs("    }\n  ]\n}\n", f);
	return ferror(f) ? -1 : 0;
}
