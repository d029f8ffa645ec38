/*
 * fuzz_dump_read.c - libFuzzer harness for report/dump_read.c.
 *
 * Feeds each input to dump_parse() and checks its contract, not only that it
 * does not crash: on failure a one-line "fuzz:..." message and an empty dump;
 * on success the promises of model.h. A broken contract aborts, so libFuzzer
 * saves the input. Built and run by `make fuzz` (clang-14, ASan, UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dump_read.h"
#include "dumpfmt.h"

#define REQUIRE(cond) do { if (!(cond)) abort(); } while (0)

static volatile uint64_t touch;

static void
check_model(const struct dump *d)
{
	REQUIRE(d->path != NULL && strcmp(d->path, "fuzz") == 0 && d->exe != NULL);
	REQUIRE(d->depth >= 1 && d->depth <= DUMP_MAX_DEPTH);
	REQUIRE(d->snapshot == (d->seq != 0));
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
		REQUIRE(d->scanned || r->cls == CLASS_DEFINITE);
		while (r->stack_id != 0 && lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (d->stacks[mid].id < r->stack_id)
				lo = mid + 1;
			else
				hi = mid;
		}
		REQUIRE(r->stack_id == 0 || (lo < d->nstacks && d->stacks[lo].id == r->stack_id));
	}
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
		dump_free(&d);
		REQUIRE(memcmp(&d, &zero, sizeof(d)) == 0);
	} else {
		REQUIRE(strncmp(e.msg, "fuzz:", 5) == 0 && strlen(e.msg) > 8);
		REQUIRE(strchr(e.msg, '\n') == NULL);
		REQUIRE(memcmp(&d, &zero, sizeof(d)) == 0);
	}
	return 0;
}
