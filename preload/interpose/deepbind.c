/*
 * deepbind.c - keep libraries opened with RTLD_DEEPBIND on libleak's hooks,
 * and the exported dlopen() that notices them.
 *
 * Size: one mechanism (find the slots DEEPBIND took away, patch them back,
 * under one lock, with the dlopen trampoline that triggers it); its ELF
 * reading serves only it.
 *
 * The problem. dlopen(path, RTLD_DEEPBIND) makes the new library (and the
 * dependencies loaded with it) look up its undefined symbols in its own
 * scope first: itself, then its DT_NEEDED libraries, libc among them, and
 * only then the global scope where LD_PRELOAD put us. Its malloc and free
 * bind to libc directly: its blocks are never tracked, and when it frees one
 * of ours the table keeps a stale entry whose address libc hands out again.
 *
 * The fix. After such a dlopen() returns, every module of our namespace is
 * visited and each GOT slot (JUMP_SLOT, GLOB_DAT) that names a function
 * libleak exports (by the style guide exactly the hooks) and points into
 * libc or into a C++ runtime (libstdc++, libc++, libc++abi) is rewritten to
 * libleak's definition, which is what the slot holds without RTLD_DEEPBIND.
 * A slot that points anywhere else is left alone: at the exe's or the
 * module's own definition, or at an allocator the library brought along
 * (jemalloc): moving it would mix two allocators. A lazy slot not bound
 * yet (it points at the module's own PLT) is bound to libleak now. A RELRO
 * slot is written between two mprotect() calls, as ld.so itself does.
 * "dlopen" is one of our exports, so a deep-bound library's own dlopen()
 * comes back here too and its nested RTLD_DEEPBIND loads are patched.
 * libc, ld.so, libleak and the vdso are never patched. Our own definitions
 * come from a lookup in libleak's dynamic symbol table, not from &malloc,
 * which would give the executable's copy when it defines or takes the
 * address of malloc.
 *
 * dlopen() and the caller. glibc's dlopen reads its return address to find
 * the calling module: its RUNPATH/RPATH and $ORIGIN decide the search and
 * its namespace the target. A C wrapper would make every dlopen look like it
 * came from libleak.so and break plugins found through the program's
 * RUNPATH. So on x86_64 dlopen is a few instructions of top-level asm: when
 * mode lacks RTLD_DEEPBIND it jumps to the real dlopen with the stack and
 * argument registers untouched (a pure tail jump, so the real dlopen sees
 * the caller's return address); only with RTLD_DEEPBIND does it call
 * deepbind_dlopen_slow(). On other architectures dlopen is plain C and
 * every dlopen is seen as coming from libleak.so: RUNPATH and $ORIGIN of the
 * caller are not honoured there.
 * In the slow path the real dlopen is called from here, so glibc sees
 * libleak.so as the caller. That changes nothing for a file name with a
 * '/' and no '$' (no search, no DST; libleak is in the base namespace like
 * every caller that can reach it). For a bare name the caller's search is
 * redone first: names of loaded modules, then the directories glibc lists
 * for the caller (dlinfo RTLD_DI_SERINFO: its RPATHs, LD_LIBRARY_PATH, its
 * RUNPATH, with the glibc-hwcaps subdirectories), the first file there that
 * is an ELF object of our class and machine is opened by its full path; only
 * then is the bare name passed on (ld.so.cache, default directories). A
 * name with '$' is passed on unchanged: DSTs expand for libleak, not for the
 * caller (documented limit).
 *
 * Limits. Allocations made by a deep-bound library's constructors run before
 * the patch and stay untracked (freeing them later through our free is
 * harmless: it finds no entry). Data words holding &malloc (R_X86_64_64) are
 * not rewritten. A DEEPBIND dlopen that does not come through this dlopen
 * (dlmopen, a pointer from dlsym(RTLD_NEXT)) is not noticed until the next
 * one that does.
 *
 * Concurrency. The patch pass runs under patch_lock, a recursive mutex held
 * across the real dlopen and the pass: a RTLD_DEEPBIND dlopen on another
 * thread cannot be between ld.so's relocation and its RELRO mprotect while
 * we unprotect and reprotect the same pages, and two passes never race on
 * one page's protection. It is recursive because a deep-bound library's
 * constructor may itself dlopen with RTLD_DEEPBIND. The pass walks modules
 * with dl_iterate_phdr(), which holds the loader's list lock, so no module
 * is unmapped under us. A slot is one aligned word, written with a single
 * relaxed store: a thread calling through it concurrently jumps to libc or
 * to us, both valid (see deepbind_patch_all for what either means).
 * Nothing here allocates after deepbind_init(), and errno is preserved.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/dynsym.h"
#include "base/self.h"
#include "interpose/deepbind.h"
#include "interpose/real.h"
#include "base/fmt.h"

#if defined(__x86_64__)
#define DB_JUMP_SLOT R_X86_64_JUMP_SLOT
#define DB_GLOB_DAT  R_X86_64_GLOB_DAT
#define DB_MACHINE   EM_X86_64
#elif defined(__aarch64__)
#define DB_JUMP_SLOT R_AARCH64_JUMP_SLOT
#define DB_GLOB_DAT  R_AARCH64_GLOB_DAT
#define DB_MACHINE   EM_AARCH64
#endif

#define DB_MAX_CXX 4 /* C++ runtimes remembered per pass */

typedef void *(*dlopen_fn)(const char *, int);

/* An address range [lo, hi) of a module's PT_LOAD segments at run time. */
struct span {
	uintptr_t lo;
	uintptr_t hi;
};

/* One pass over the modules; lives on the stack of deepbind_patch_all. */
struct pass {
	struct span cxx[DB_MAX_CXX]; /* C++ runtimes of our namespace */
	int ncxx;                    /* used entries of cxx, 0..DB_MAX_CXX */
	unsigned long patched;       /* slots rewritten */
	unsigned long failed;        /* slots we could not make writable */
};

/* Read or called by the asm in dlopen(): hidden, so a rip-relative load
 * reaches them; used, so that link-time optimisation, which cannot see
 * into the asm, neither drops nor renames them. */
__attribute__((visibility("hidden"), used)) dlopen_fn deepbind_real_dlopen;

void *deepbind_dlopen_slow(const char *file, int mode, const void *caller)
    __attribute__((visibility("hidden"), used));
dlopen_fn deepbind_resolve(void) __attribute__((visibility("hidden"), used));

/* Set once by init_once() under `once`; read-only afterwards. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct span self_span; /* libleak.so */
static uintptr_t self_bias;   /* libleak.so's load bias */
static struct span libc_span; /* glibc (base/self.c) */
static struct span ldso_span; /* ld.so (base/self.c) */
static struct dyn self_dyn;   /* libleak.so's dynamic symbols */
static bool ready;            /* all of the above were found */
static pthread_mutex_t patch_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

static bool
span_has(const struct span *s, uintptr_t a)
{
	return a >= s->lo && a < s->hi;
}

static struct span
span_of(const struct dl_phdr_info *info)
{
	struct span s = { UINTPTR_MAX, 0 };

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (info->dlpi_addr + ph->p_vaddr < s.lo)
			s.lo = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > s.hi)
			s.hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	if (s.hi == 0)
		s.lo = 0;
	return s;
}

/*
 * libleak's definition of `name` if libleak exports it as a function, else
 * 0. _init and _fini are exported by every shared object and are no hooks.
 */
static uintptr_t
self_export(const char *name)
{
	const ElfW(Sym) *s = dyn_lookup(&self_dyn, name);

	if (s == NULL || s->st_shndx == SHN_UNDEF || s->st_value == 0)
		return 0;
	if (ELF64_ST_TYPE(s->st_info) != STT_FUNC)
		return 0;
	if (ELF64_ST_BIND(s->st_info) != STB_GLOBAL && ELF64_ST_BIND(s->st_info) != STB_WEAK)
		return 0;
	if (strcmp(name, "_init") == 0 || strcmp(name, "_fini") == 0)
		return 0;
	return self_bias + s->st_value;
}

/* ---- start-up ---------------------------------------------------------- */

/* What init_once() finds among the modules. */
struct init_ctx {
	bool self_dyn_ok;
};

/* libleak, libc (the allocator our hooks forward to: slots bound straight
 * to it are the ones RTLD_DEEPBIND took away from us; when another
 * allocator is there, libleak stood aside) and ld.so, by identity
 * (base/self.c). */
static int
init_visit(struct dl_phdr_info *info, size_t size, void *data)
{
	struct init_ctx *c = data;
	struct span s = span_of(info);

	(void)size;
	if (self_is_libleak(info)) {
		self_span = s;
		self_bias = info->dlpi_addr;
		c->self_dyn_ok = dyn_read(info, &self_dyn);
	}
	if (self_is_libc(info))
		libc_span = s;
	if (self_is_loader(info))
		ldso_span = s;
	return 0;
}

static void
init_once(void)
{
	struct init_ctx c = { 0 };

	deepbind_resolve();
	self_init();
	dl_iterate_phdr(init_visit, &c);
	ready = c.self_dyn_ok && (self_dyn.gnu_hash != NULL || self_dyn.sysv_hash != NULL) &&
	    self_span.hi != 0 && libc_span.hi != 0 && ldso_span.hi != 0;
	if (!ready)
		fmt_log("cannot find libc, ld.so or libleak.so among the loaded modules; "
			"libraries opened with RTLD_DEEPBIND will not be tracked",
		    NULL);
}

/*
 * The real dlopen, looked up on first use. Called by the asm in dlopen()
 * when deepbind_init() has not run yet (a constructor that ran before ours).
 * dlsym() may call calloc(); boot.c serves it.
 */
dlopen_fn
deepbind_resolve(void)
{
	/* relaxed: the value is a code address that every thread computes the
	 * same; the code behind it was mapped before anyone could look it up. */
	dlopen_fn f = __atomic_load_n(&deepbind_real_dlopen, __ATOMIC_RELAXED);

	if (f == NULL) {
		f = (dlopen_fn)real_next("dlopen");
		__atomic_store_n(&deepbind_real_dlopen, f, __ATOMIC_RELAXED);
	}
	return f;
}

void
deepbind_init(void)
{
	int saved = errno;

	pthread_once(&once, init_once);
	errno = saved;
}

/* Early, so that a DEEPBIND dlopen from another library's constructor finds
 * everything resolved; init.c may have called deepbind_init() already. */
__attribute__((constructor(101))) static void
deepbind_ctor(void)
{
	deepbind_init();
}

void
deepbind_fork_child(void)
{
	/* Only the forking thread exists in the child; a holder that vanished
	 * would leave the lock taken forever. */
	pthread_mutex_t fresh = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

	memcpy(&patch_lock, &fresh, sizeof(fresh));
}

/* ---- the patch pass ---------------------------------------------------- */

/* The module being patched in one patch_visit() call. */
struct target {
	const struct dl_phdr_info *info;
	struct span span;
	struct dyn dyn;
	uintptr_t relro_lo; /* pages ld.so made read-only, as   */
	uintptr_t relro_hi; /* _dl_protect_relro rounds them    */
	bool relro_open;    /* we made them writable            */
	bool relro_failed;  /* mprotect refused                 */
};

static bool
is_cxx_runtime(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b != NULL ? b + 1 : path;
	return strncmp(b, "libstdc++.so", 12) == 0 || strncmp(b, "libc++.so", 9) == 0 ||
	    strncmp(b, "libc++abi.so", 12) == 0;
}

static int
cxx_visit(struct dl_phdr_info *info, size_t size, void *data)
{
	struct pass *p = data;

	(void)size;
	if (info->dlpi_name != NULL && is_cxx_runtime(info->dlpi_name) && p->ncxx < DB_MAX_CXX)
		p->cxx[p->ncxx++] = span_of(info);
	return 0;
}

static bool
module_skipped(const struct dl_phdr_info *info, const struct span *s)
{
	const char *n = info->dlpi_name != NULL ? info->dlpi_name : "";

	if (s->hi == 0)
		return true;
	if (s->lo == self_span.lo || s->lo == libc_span.lo || s->lo == ldso_span.lo)
		return true;
	/* The vdso's dynamic section is read-only and was never relocated. */
	return strncmp(n, "linux-vdso", 10) == 0 || strncmp(n, "linux-gate", 10) == 0;
}

/*
 * Whether slot value v of symbol sym is one RTLD_DEEPBIND took from us:
 * bound to libc or a C++ runtime (not the module's own copy), or a lazy
 * slot still aiming at the module's own PLT for a symbol it does not define.
 */
static bool
slot_wanted(const struct pass *p, const struct target *t, uint32_t type, const ElfW(Sym) * sym,
    uintptr_t v)
{
	if (span_has(&t->span, v))
		return type == DB_JUMP_SLOT && sym->st_shndx == SHN_UNDEF;
	if (span_has(&libc_span, v))
		return true;
	for (int i = 0; i < p->ncxx; i++)
		if (span_has(&p->cxx[i], v))
			return true;
	return false;
}

/* Makes the word at slot writable if it is not; false when it cannot. */
static bool
slot_writable(struct target *t, uintptr_t slot)
{
	const struct dl_phdr_info *info = t->info;

	if (slot >= t->relro_lo && slot < t->relro_hi) {
		if (!t->relro_open && !t->relro_failed) {
			if (mprotect((void *)t->relro_lo, t->relro_hi - t->relro_lo,
				PROT_READ | PROT_WRITE) == 0)
				t->relro_open = true;
			else
				t->relro_failed = true;
		}
		return t->relro_open;
	}
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W) && slot >= lo &&
		    slot + sizeof(uintptr_t) <= lo + ph->p_memsz)
			return true;
	}
	return false;
}

static void
patch_relocs(struct pass *p, struct target *t, const ElfW(Rela) * r, size_t bytes)
{
	for (size_t i = 0; i < bytes / sizeof(*r); i++) {
		uint32_t type = ELF64_R_TYPE(r[i].r_info);
		size_t symi = ELF64_R_SYM(r[i].r_info);
		uintptr_t slot = t->info->dlpi_addr + r[i].r_offset;
		const ElfW(Sym) * sym;
		const char *name;
		uintptr_t v, ours;

		if ((type != DB_JUMP_SLOT && type != DB_GLOB_DAT) || symi == 0 ||
		    r[i].r_addend != 0)
			continue;
		sym = &t->dyn.symtab[symi];
		/* relaxed: only this pass (under patch_lock) writes the slot after
		 * ld.so finished with it; see the header for racing callers. */
		v = __atomic_load_n((uintptr_t *)slot, __ATOMIC_RELAXED);
		if (!slot_wanted(p, t, type, sym, v))
			continue;
		name = dyn_name(&t->dyn, sym);
		if (name == NULL || (ours = self_export(name)) == 0 || ours == v)
			continue;
		if (!slot_writable(t, slot)) {
			p->failed++;
			continue;
		}
		__atomic_store_n((uintptr_t *)slot, ours, __ATOMIC_RELAXED);
		p->patched++;
	}
}

static int
patch_visit(struct dl_phdr_info *info, size_t size, void *data)
{
	struct pass *p = data;
	struct target t = { .info = info };
	uintptr_t page = getauxval(AT_PAGESZ);

	(void)size;
	t.span = span_of(info);
	if (module_skipped(info, &t.span) || !dyn_read(info, &t.dyn))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_GNU_RELRO || page == 0)
			continue;
		/* The same rounding as glibc's _dl_protect_relro: a last partial
		 * page shares .data and stays writable. */
		t.relro_lo = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
		t.relro_hi = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz) & ~(page - 1);
	}
	if (t.dyn.jmprel != NULL)
		patch_relocs(p, &t, t.dyn.jmprel, t.dyn.jmprelsz);
	if (t.dyn.rela != NULL)
		patch_relocs(p, &t, t.dyn.rela, t.dyn.relasz);
	if (t.relro_open && mprotect((void *)t.relro_lo, t.relro_hi - t.relro_lo, PROT_READ) != 0)
		fmt_log("cannot restore RELRO protection of ", info->dlpi_name, ": ",
		    fmt_errno(errno), NULL);
	return 0;
}

/* Runs both inner walks while dl_iterate_phdr holds the loader's list lock
 * (it is recursive), so the C++ runtimes found stay loaded for the patch. */
static int
outer_visit(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)info;
	(void)size;
	dl_iterate_phdr(cxx_visit, data);
	dl_iterate_phdr(patch_visit, data);
	return 1;
}

unsigned long
deepbind_patch_all(void)
{
	static int warned; /* 1 after the one "cannot patch" line */
	int saved = errno;
	struct pass p = { .ncxx = 0 };

#if defined(DB_JUMP_SLOT)
	pthread_once(&once, init_once);
	if (ready) {
		pthread_mutex_lock(&patch_lock);
		dl_iterate_phdr(outer_visit, &p);
		pthread_mutex_unlock(&patch_lock);
	}
	/* relaxed: the flag only keeps the line from repeating */
	if (p.failed != 0 && !__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
		fmt_log("cannot make GOT slots of an RTLD_DEEPBIND library writable; "
			"some of its allocations are not tracked",
		    NULL);
#endif
	errno = saved;
	return p.patched;
}

/* ---- dlopen ------------------------------------------------------------ */

/* Copies the path of a loaded module whose DT_SONAME is `name`. */
struct soname_ctx {
	const char *name;
	char *path;
	size_t cap; /* bytes at path */
	bool found;
};

static int
soname_visit(struct dl_phdr_info *info, size_t size, void *data)
{
	struct soname_ctx *c = data;
	struct dyn d;
	size_t n;

	(void)size;
	if (info->dlpi_name == NULL || info->dlpi_name[0] != '/' || !dyn_read(info, &d) ||
	    d.soname == 0 || d.soname >= d.strsz || strcmp(d.strtab + d.soname, c->name) != 0)
		return 0;
	n = strlen(info->dlpi_name);
	if (n >= c->cap)
		return 0;
	memcpy(c->path, info->dlpi_name, n + 1);
	c->found = true;
	return 1;
}

/* Whether path names an ELF shared object of our class and machine, the
 * part of ld.so's open_verify() that makes it go on to the next directory. */
static bool
elf_ok(const char *path)
{
	ElfW(Ehdr) eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	do
		n = read(fd, &eh, sizeof(eh));
	while (n < 0 && errno == EINTR);
	close(fd);
	return n == (ssize_t)sizeof(eh) && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
	    eh.e_ident[EI_CLASS] == (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) &&
	    eh.e_type == ET_DYN
#if defined(DB_MACHINE)
	    && eh.e_machine == DB_MACHINE
#endif
	    ;
}

/*
 * The first file named `name` in the directories ld.so would search for
 * the module holding `caller` before its cache: RPATHs, LD_LIBRARY_PATH,
 * RUNPATH (RTLD_DI_SERINFO lists them, glibc-hwcaps subdirectories
 * included, and marks the default directories that come after the cache).
 */
/* The scratch of one deepbind dlopen, mapped per call rather than on the
 * caller's stack (12.5 KB there: a thread with a 16 KiB stack that called
 * dlopen with RTLD_DEEPBIND crashed on its guard page). Per call, not
 * static: a library's constructor may dlopen with RTLD_DEEPBIND again
 * (patch_lock is recursive). */
struct open_scratch {
	char path[PATH_MAX];
	union {
		Dl_serinfo si;
		char bytes[8192];
	} serinfo;
};

static bool
caller_search(const char *name, const void *caller, char *path, size_t cap, struct open_scratch *sc)
{
	Dl_serinfo size;
	Dl_info dli;
	struct link_map *lm = NULL;
	size_t nlen = strlen(name);

	if (dladdr1(caller, &dli, (void **)&lm, RTLD_DL_LINKMAP) == 0 || lm == NULL)
		return false;
	if (dlinfo(lm, RTLD_DI_SERINFOSIZE, &size) != 0 || size.dls_size > sizeof(sc->serinfo))
		return false;
	sc->serinfo.si.dls_size = size.dls_size;
	sc->serinfo.si.dls_cnt = size.dls_cnt;
	if (dlinfo(lm, RTLD_DI_SERINFO, &sc->serinfo.si) != 0)
		return false;
	for (unsigned i = 0; i < sc->serinfo.si.dls_cnt; i++) {
		const char *dir = sc->serinfo.si.dls_serpath[i].dls_name;
		size_t dlen = strlen(dir);

		if (sc->serinfo.si.dls_serpath[i].dls_flags & LA_SER_DEFAULT)
			break; /* ld.so.cache comes first, then these */
		while (dlen > 1 && dir[dlen - 1] == '/')
			dlen--;
		if (dlen + 1 + nlen >= cap)
			continue;
		memcpy(path, dir, dlen);
		path[dlen] = '/';
		memcpy(path + dlen + 1, name, nlen + 1);
		if (elf_ok(path))
			return true;
	}
	return false;
}

/*
 * real(file, mode) as if `caller` had called it; see the header comment for
 * what "as if" covers. Calls only async-signal-safe functions and the loader.
 */
static void *
open_as_caller(dlopen_fn open_real, const char *file, int mode, const void *caller)
{
	if (file == NULL || file[0] == '\0' || strchr(file, '/') != NULL ||
	    strchr(file, '$') != NULL)
		return open_real(file, mode);
	struct open_scratch *sc = arena_map(sizeof(*sc));
	if (sc == NULL)
		return open_real(file, mode); /* no scratch: the plain search */
	char *path = sc->path;
	struct soname_ctx c = { .name = file, .path = path, .cap = sizeof(sc->path) };
	void *h;

	dl_iterate_phdr(soname_visit, &c);
	if (c.found)
		h = open_real(path, mode); /* already loaded: ld.so reuses it */
	else if (caller != NULL && caller_search(file, caller, path, sizeof(sc->path), sc))
		h = open_real(path, mode);
	else
		h = open_real(file, mode);
	int saved = errno;

	arena_unmap(sc, sizeof(*sc));
	errno = saved;
	return h;
}

/*
 * dlopen(file, mode) with RTLD_DEEPBIND, called by the asm below with the
 * caller's return address. Opens the library, then patches the modules.
 */
void *
deepbind_dlopen_slow(const char *file, int mode, const void *caller)
{
	dlopen_fn open_real = deepbind_resolve();
	void *h;
	int saved;

	if (open_real == NULL)
		return NULL;
	deepbind_init();
	/* Held across the open_real dlopen: see "Concurrency" above. */
	pthread_mutex_lock(&patch_lock);
	h = open_as_caller(open_real, file, mode, caller);
	saved = errno;
	if (h != NULL)
		deepbind_patch_all();
	pthread_mutex_unlock(&patch_lock);
	errno = saved;
	return h;
}

#if defined(__x86_64__)
#define DB_STR2(x) #x
#define DB_STR(x)  DB_STR2(x)
/*
 * dlopen(file=%rdi, mode=%esi). Without RTLD_DEEPBIND: jmp to the real
 * dlopen with the stack as the caller left it, so its return address is
 * the caller's. Before the real one is known (a constructor that ran before
 * ours): resolve it, keeping %rdi/%rsi, then the same jmp. With
 * RTLD_DEEPBIND: tail-call deepbind_dlopen_slow(file, mode, return address).
 * endbr64 is a no-op without CET and makes dlopen a valid indirect target
 * with it.
 */
__asm__("	.text\n"
	"	.globl	dlopen\n"
	"	.type	dlopen, @function\n"
	"	.p2align 4\n"
	"dlopen:\n"
	"	.cfi_startproc\n"
	"	endbr64\n"
	"	testl	$" DB_STR(RTLD_DEEPBIND) ", %esi\n"
						 "	jnz	2f\n"
						 "	movq	deepbind_real_dlopen(%rip), %rax\n"
						 "	testq	%rax, %rax\n"
						 "	jz	1f\n"
						 "	jmp	*%rax\n"
						 "1:	pushq	%rdi\n"
						 "	.cfi_adjust_cfa_offset 8\n"
						 "	pushq	%rsi\n"
						 "	.cfi_adjust_cfa_offset 8\n"
						 "	subq	$8, %rsp\n"
						 "	.cfi_adjust_cfa_offset 8\n"
						 "	call	deepbind_resolve\n"
						 "	addq	$8, %rsp\n"
						 "	.cfi_adjust_cfa_offset -8\n"
						 "	popq	%rsi\n"
						 "	.cfi_adjust_cfa_offset -8\n"
						 "	popq	%rdi\n"
						 "	.cfi_adjust_cfa_offset -8\n"
						 "	testq	%rax, %rax\n"
						 "	jz	3f\n"
						 "	jmp	*%rax\n"
						 "3:	ret\n"
						 "2:	movq	(%rsp), %rdx\n"
						 "	jmp	deepbind_dlopen_slow\n"
						 "	.cfi_endproc\n"
						 "	.size	dlopen, .-dlopen\n");
#else
/*
 * No tail jump written for this architecture: unless the compiler happens
 * to turn the call below into a tail call (nothing guarantees it), every
 * dlopen is seen by glibc as coming from libleak.so, and the caller's
 * RUNPATH and $ORIGIN are lost.
 */
__attribute__((visibility("default"))) void *
dlopen(const char *file, int mode)
{
	dlopen_fn open_real;

	if (mode & RTLD_DEEPBIND)
		return deepbind_dlopen_slow(file, mode, __builtin_return_address(0));
	open_real = deepbind_resolve();
	return open_real != NULL ? open_real(file, mode) : NULL;
}
#endif
