/*
 * fuzz_dump_read.c - libFuzzer harness for report/dump_read.c.
 *
 * Feeds each input to dump_parse() and checks its contract, not only that it
 * does not crash: on failure a one-line "fuzz:..." message and an empty dump;
 * on success the promises of model.h, the module lookup of modmap.c against
 * the linear search, and that the input is the canonical writing of what was
 * read. A broken contract aborts, so libFuzzer saves the input. Built and
 * run by `make fuzz` (clang-14, ASan, UBSan); the corpus holds real dumps
 * of threads, snapshots, fork, C++ and dlopen programs besides the fixtures.
 */
#define _GNU_SOURCE             /* open_memstream */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_read.h"
#include "dumpfmt.h"
#include "modmap.h"

#define REQUIRE(cond) do { if (!(cond)) abort(); } while (0)

static volatile uint64_t touch;

static void
check_model(const struct dump *d)
{
	REQUIRE(d->path != NULL && strcmp(d->path, "fuzz") == 0 && d->exe != NULL);
	REQUIRE(d->depth >= 1 && d->depth <= DUMP_MAX_DEPTH);
	REQUIRE(!(d->snapshot && d->check));
	REQUIRE((d->snapshot || d->check) == (d->seq != 0));
	REQUIRE(d->version == 2 || (!d->check && d->nsuppress == 0 && d->nowns == 0));
	for (size_t i = 0; i < d->nsuppress; i++)
		REQUIRE(d->suppress[i] != NULL && strlen(d->suppress[i]) <= DUMP_MAX_STR);
	for (size_t i = 0; i < d->nowns; i++)
		REQUIRE(d->owns[i].blocks >= 1 &&
		    (i == 0 || d->owns[i - 1].stack_id < d->owns[i].stack_id ||
			(d->owns[i - 1].stack_id == d->owns[i].stack_id &&
			    d->owns[i - 1].owner < d->owns[i].owner)));
	REQUIRE(strlen(d->exe) <= DUMP_MAX_STR);
	for (size_t i = 0; i < d->argc; i++)
		REQUIRE(strlen(d->argv[i]) <= DUMP_MAX_STR);
	for (size_t i = 0; i < d->nmodules; i++) {
		const struct module *m = &d->modules[i];

		REQUIRE(i == 0 || m->id > d->modules[i - 1].id);
		REQUIRE(m->lo < m->hi && m->path != NULL && *m->path != '\0');
		REQUIRE(m->buildid == NULL || strlen(m->buildid) <= 2 * DUMP_MAX_BUILDID);
	}
	for (size_t i = 0; i < d->nstacks; i++) {
		const struct stack *s = &d->stacks[i];

		REQUIRE(s->id != 0 && (i == 0 || s->id > d->stacks[i - 1].id));
		REQUIRE(s->n >= 1 && s->n <= DUMP_MAX_DEPTH);
		for (uint32_t j = 0; j < s->n; j++)
			touch = s->pcs[j];      /* ASan: all n pcs are allocated */
	}
	for (size_t i = 0; i < d->nrecs; i++) {
		const struct rec *r = &d->recs[i];
		size_t lo = 0;
		size_t hi = d->nstacks;

		REQUIRE(r->blocks >= 1 && r->cls < CLASS_COUNT);
		REQUIRE(r->seen_blocks <= r->blocks && r->seen_bytes <= r->bytes);
		REQUIRE(r->seen_blocks == 0 || r->cls == CLASS_DEFINITE || r->cls == CLASS_INDIRECT);
		REQUIRE(d->scanned || r->cls == CLASS_DEFINITE || CLASS_IS_RESOURCE(r->cls));
		while (r->stack_id != 0 && lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (d->stacks[mid].id < r->stack_id)
				lo = mid + 1;
			else
				hi = mid;
		}
		REQUIRE(r->stack_id == 0 || (lo < d->nstacks && d->stacks[lo].id == r->stack_id));
	}
	/* Resources: sorted by kind, stack, id; each (kind, stack) is one rec. */
	for (size_t i = 0; i < d->nresources; i++) {
		const struct resource *r = &d->resources[i];
		size_t n = 0;

		REQUIRE(CLASS_IS_RESOURCE(r->cls) && r->fn != NULL && r->desc != NULL && *r->desc);
		REQUIRE(model_find_resources(d, r->cls, r->stack_id, &n) != NULL && n >= 1);
		REQUIRE(i == 0 || d->resources[i - 1].cls < r->cls ||
		    (d->resources[i - 1].cls == r->cls &&
			d->resources[i - 1].stack_id <= r->stack_id));
	}
	REQUIRE(d->version == 2 || d->nresources == 0);
	/* The segments answer as the linear search does, at every edge. */
	REQUIRE(d->nmodules == 0 || d->segs != NULL);
	for (size_t i = 0; i < d->nmodules; i++) {
		const uint64_t at[] = { d->modules[i].lo, d->modules[i].hi, d->modules[i].lo - 1,
			d->modules[i].hi - 1, d->modules[i].lo + (d->modules[i].hi - d->modules[i].lo) / 2 };

		for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++)
			REQUIRE(modmap_find(d, at[k]) == modmap_find_linear(d, at[k]));
	}
}

/* A string field: "%00" for the empty string, else every byte below 0x21,
 * above 0x7e and '%' as %XX. */
static void
put_esc(FILE *f, const char *s)
{
	if (*s == '\0') {
		fputs("%00", f);
		return;
	}
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x21 || c > 0x7e || c == '%')
			fprintf(f, "%%%02X", c);
		else
			fputc(c, f);
	}
}

/*
 * The dump as the format's one canonical writing: a second, independent
 * statement of docs/dump-format.md. Returns a malloc'd buffer.
 */
static char *
serialize(const struct dump *d, size_t *len)
{
	static const char *const classes[] = { "definite", "indirect", "possible", "reachable" };
	const uint64_t stats[] = {
		d->stats.allocs, d->stats.frees, d->stats.live_blocks, d->stats.live_bytes,
		d->stats.peak_blocks, d->stats.peak_bytes, d->stats.peak_time_ms,
		d->stats.uptime_ms, d->stats.rss_bytes, d->stats.dropped, d->stats.unreadable,
		d->stats.res_dropped,
	};
	static const char *const names[] = { "allocs", "frees", "live_blocks", "live_bytes",
		"peak_blocks", "peak_bytes", "peak_time_ms", "uptime_ms", "rss_bytes", "dropped",
		"unreadable", "res_dropped" };
	static const char *const heurs[] = { "stdstring", "length64", "newarray",
		"multipleinheritance" };
	size_t nnotes = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	REQUIRE(f != NULL);
	fprintf(f, "libleak-dump %u\npid %llu\nppid %llu\nexe ", d->version, (unsigned long long)d->pid,
	    (unsigned long long)d->ppid);
	put_esc(f, d->exe);
	fprintf(f, "\nargc %zu\n", d->argc);
	for (size_t i = 0; i < d->argc; i++) {
		fputs("arg ", f);
		put_esc(f, d->argv[i]);
		fputc('\n', f);
	}
	fprintf(f, "time %llu.%06u\nstart %llu.%06u\nkind %s\nseq %llu\natomic %d\n"
	    "scan %s\ndepth %u\n", (unsigned long long)d->time_sec, d->time_usec,
	    (unsigned long long)d->start_sec, d->start_usec,
	    d->snapshot ? "snapshot" : d->check ? "check" : "exit", (unsigned long long)d->seq,
	    d->atomic, d->scanned ? "full" : "none", d->depth);
	for (size_t i = 0; i < d->nsuppress; i++, nnotes++) {
		fputs("suppress ", f);
		put_esc(f, d->suppress[i]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < d->nmodules; i++) {
		const struct module *m = &d->modules[i];

		fprintf(f, "module %u %llx %llx %llx %s %s ", m->id, (unsigned long long)m->bias,
		    (unsigned long long)m->lo, (unsigned long long)m->hi,
		    m->buildid ? m->buildid : "-", m->loaded ? "loaded" : "unloaded");
		put_esc(f, m->path);
		fputc('\n', f);
	}
	for (size_t i = 0; i < d->nstacks; i++) {
		fprintf(f, "stack %u %u", d->stacks[i].id, d->stacks[i].n);
		for (uint32_t j = 0; j < d->stacks[i].n; j++)
			fprintf(f, " %llx", (unsigned long long)d->stacks[i].pcs[j]);
		fputc('\n', f);
	}
	size_t nrecs = 0;

	for (size_t i = 0; i < d->nrecs && !CLASS_IS_RESOURCE(d->recs[i].cls); i++, nrecs++)
		fprintf(f, "rec %u %s %llu %llu\n", d->recs[i].stack_id, classes[d->recs[i].cls],
		    (unsigned long long)d->recs[i].blocks, (unsigned long long)d->recs[i].bytes);
	for (size_t i = 0; i < d->nheurs; i++, nnotes++)
		fprintf(f, "heur %u %s %llu %llu\n", d->heurs[i].stack_id, heurs[d->heurs[i].heur],
		    (unsigned long long)d->heurs[i].blocks, (unsigned long long)d->heurs[i].bytes);
	for (size_t i = 0; i < nrecs; i++)
		if (d->recs[i].seen_blocks != 0 && nnotes++ >= 0)
			fprintf(f, "seen %u %s %llu %llu\n", d->recs[i].stack_id,
			    classes[d->recs[i].cls], (unsigned long long)d->recs[i].seen_blocks,
			    (unsigned long long)d->recs[i].seen_bytes);
	for (size_t i = 0; i < d->nowns; i++, nnotes++)
		fprintf(f, "own %u %u %llu %llu\n", d->owns[i].stack_id, d->owns[i].owner,
		    (unsigned long long)d->owns[i].blocks, (unsigned long long)d->owns[i].bytes);
	for (size_t i = 0; i < d->nretains; i++) {
		static const char *const roots[] = { "global", "thread", "mapping", "loader",
			"internal", "ignored", "region" };
		const struct retain *r = &d->retains[i];

		fprintf(f, "retain %u %s %u %llx %llu %u", r->stack_id, roots[r->root], r->who,
		    (unsigned long long)r->where, (unsigned long long)r->hops, r->n);
		for (uint32_t k = 0; k < r->n; k++)
			fprintf(f, " %u:%llu", r->hop[k].stack_id, (unsigned long long)r->hop[k].bytes);
		fputc('\n', f);
	}
	for (int i = 0; i < (d->version >= 2 ? 12 : 10); i++)
		fprintf(f, "stat %s %llu\n", names[i], (unsigned long long)stats[i]);
	if (d->version >= 2)
		fprintf(f, "end %zu %zu %zu %zu %zu\n", d->nmodules, d->nstacks, nrecs, d->nretains,
		    nnotes);
	else
		fprintf(f, "end %zu %zu %zu %zu\n", d->nmodules, d->nstacks, nrecs, d->nretains);
	REQUIRE(fclose(f) == 0);
	return buf;
}

/* True if the input escapes a byte that needs no escape (%41 for 'A'):
 * the reader accepts it, but the canonical writing differs. */
static bool
has_needless_escape(const uint8_t *data, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i + 2 < size; i++) {
		const char *hi;
		const char *lo;
		unsigned v;

		if (data[i] != '%' || data[i + 1] == 0 || data[i + 2] == 0)
			continue;
		hi = strchr(hex, data[i + 1]);
		lo = strchr(hex, data[i + 2]);
		if (hi == NULL || lo == NULL)
			continue;
		v = (unsigned)(hi - hex) << 4 | (unsigned)(lo - hex);
		if (v >= 0x21 && v <= 0x7e && v != '%')
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct dump zero;
	struct dump d;
	struct err e;

	memset(&e, 0, sizeof(e));
	if (dump_parse("fuzz", (const char *)data, size, &d, &e) == 0) {
		check_model(&d);
		/* An accepted dump is the canonical writing of what was read;
		 * res lines come in any order and are read sorted, so a dump
		 * with any has no one canonical writing. */
		if (!has_needless_escape(data, size) && d.nresources == 0) {
			size_t len;
			char *again = serialize(&d, &len);

			REQUIRE(len == size && memcmp(again, data, size) == 0);
			free(again);
		}
		dump_free(&d);
		REQUIRE(memcmp(&d, &zero, sizeof(d)) == 0);
	} else {
		REQUIRE(strncmp(e.msg, "fuzz:", 5) == 0 && strlen(e.msg) > 8);
		REQUIRE(strchr(e.msg, '\n') == NULL);
		REQUIRE(memcmp(&d, &zero, sizeof(d)) == 0);
	}
	return 0;
}
