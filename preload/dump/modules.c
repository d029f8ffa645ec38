/*
 * modules.c - module map (dl_iterate_phdr, dlclose) for the dump.
 *
 * The registry is an append-only list in arena memory: a module seen once
 * is never forgotten, so stacks into a library that was dlclose'd before
 * exit still symbolize (hooks.c calls modules_refresh() before the real
 * dlclose). A module is identified by its path and load bias; its build-id
 * is read from its PT_NOTE segments in memory while it is loaded.
 * Concurrency: every function takes `lock`, a spinlock; callers are
 * dlclose(), start-up and the dump, never malloc or free.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <limits.h>
#include <sched.h>
#include <link.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "dump/modules.h"

struct mod {
	struct mod *next;
	struct module_info info;
	unsigned seen_gen; /* refresh pass that last saw it loaded */
};

static struct mod *head, *tail;
static unsigned nmods;
static unsigned gen;
static atomic_flag lock = ATOMIC_FLAG_INIT;

static void
read_buildid(const struct dl_phdr_info *info, struct module_info *m)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_NOTE)
			continue;
		const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		const char *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			size_t namesz = (nh->n_namesz + 3) & ~3u;
			size_t descsz = (nh->n_descsz + 3) & ~3u;
			const char *name = p + sizeof(*nh);
			const char *desc = name + namesz;

			if (desc + descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    memcmp(name, "GNU", 4) == 0 && nh->n_descsz <= sizeof(m->buildid)) {
				memcpy(m->buildid, desc, nh->n_descsz);
				m->buildid_len = nh->n_descsz;
				return;
			}
			p = desc + descsz;
		}
	}
}

static const char *
copy_path(const char *name)
{
	char buf[PATH_MAX];
	const char *src = name;

	if (name[0] == '\0') {
		ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

		if (n <= 0)
			return NULL;
		buf[n] = '\0';
		src = buf;
	} else if (name[0] != '/') {
		if (strchr(name, '/') == NULL || realpath(name, buf) == NULL)
			return NULL; /* the vdso, or a file that is gone */
		src = buf;
	}
	size_t len = strlen(src);
	char *p = arena_alloc(len + 1);
	if (p != NULL)
		memcpy(p, src, len + 1);
	return p;
}

static int
visit(struct dl_phdr_info *info, size_t size, void *ctx)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0;

	(void)size;
	(void)ctx;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t a = info->dlpi_addr + ph->p_vaddr;
		if (a < lo)
			lo = a;
		if (a + ph->p_memsz > hi)
			hi = a + ph->p_memsz;
	}
	if (lo >= hi)
		return 0;
	for (struct mod *m = head; m != NULL; m = m->next) {
		if (m->info.bias == info->dlpi_addr && m->info.lo == lo && m->info.hi == hi &&
		    m->info.loaded) {
			m->seen_gen = gen;
			return 0;
		}
	}
	const char *path = copy_path(info->dlpi_name);
	if (path == NULL)
		return 0;
	struct mod *m = arena_alloc(sizeof(*m));
	if (m == NULL)
		return 0;
	m->info.bias = info->dlpi_addr;
	m->info.lo = lo;
	m->info.hi = hi;
	m->info.path = path;
	m->info.loaded = true;
	m->seen_gen = gen;
	read_buildid(info, &m->info);
	if (tail != NULL)
		tail->next = m;
	else
		head = m;
	tail = m;
	nmods++;
	return 0;
}

static void
lock_take(void)
{
	/* acquire: pairs with the release in lock_drop(); the list is as the
	 * last holder left it. */
	while (atomic_flag_test_and_set_explicit(&lock, memory_order_acquire))
		sched_yield();
}

static void
lock_drop(void)
{
	atomic_flag_clear_explicit(&lock, memory_order_release);
}

void
modules_fork_prepare(void)
{
	lock_take(); /* so the child never inherits it held by a thread it lacks */
}

void
modules_fork_done(void)
{
	lock_drop();
}

void
modules_refresh(void)
{
	lock_take();
	gen++;
	dl_iterate_phdr(visit, NULL);
	for (struct mod *m = head; m != NULL; m = m->next)
		if (m->seen_gen != gen)
			m->info.loaded = false;
	lock_drop();
}

void
modules_foreach(modules_visit_fn fn, void *ctx)
{
	unsigned id = 0;

	lock_take();
	for (struct mod *m = head; m != NULL; m = m->next)
		fn(ctx, ++id, &m->info);
	lock_drop();
}

uint32_t
modules_find(uintptr_t bias)
{
	uint32_t id = 0, found = 0;

	lock_take();
	for (struct mod *m = head; m != NULL; m = m->next) {
		id++;
		if (m->info.loaded && m->info.bias == bias)
			found = id;
	}
	lock_drop();
	return found;
}
