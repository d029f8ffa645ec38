/*
 * modfile.c - the module files the dumps name, for the symbolizer.
 *
 * symbolize.c asks modfiles_get() for the module of each pc and
 * modfiles_open() for its Dwfl before it looks anything up. Each distinct
 * (path, build-id) of the dumps gets one struct modfile; the file it names
 * is checked with O_PATH and fstat before anything opens it (a device node,
 * a FIFO or a directory in a module line is never opened: no read from a
 * tty, no hang), and its (device, inode) picks one struct image, shared by
 * every spelling of the file (/lib/libc.so.6, /usr/lib/../lib/libc.so.6,
 * ...): one Dwfl per file, however a dump names it. An image is reported
 * offline with dwfl_report_elf(base 0, add_p_vaddr), so that libdwfl
 * addresses are the file's link-time addresses. Separate debug files are
 * found the standard way (dwfl_standard_find_debuginfo: build-id under
 * /usr/lib/debug/.build-id, then .gnu_debuglink beside the file, in .debug/
 * and under /usr/lib/debug). A file that is missing, not a regular file,
 * not ELF, or whose build-id is not the one in the dump has no image: one
 * warning, and its frames get module+offset only. A dump module without a
 * build-id ('-') is trusted as it is.
 *
 * Open images are bounded: each holds up to IMAGE_FDS descriptors (the
 * file, its separate debug file, a dwz file) and its debug data, so at
 * most s->max_open are open at once (from RLIMIT_NOFILE, never more than
 * IMAGE_MAX_OPEN); past that the least recently used one is closed (with
 * the symbolizer's data about it, through the drop callback) and opened
 * again when a pc needs it. An open that fails with EMFILE or ENFILE closes
 * one more and retries. So symbolization never stops at the descriptor
 * limit, and memory is bounded by the open images, not by how many
 * spellings of a path the dumps hold.
 *
 * A small direct-mapped memo gives a dump module's modfile without hashing
 * its path again: consecutive pcs of a stack fall in a few modules.
 *
 * Not thread-safe: used by one symbolizer, on one thread.
 */
#define _GNU_SOURCE /* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dumpfmt.h"
#include "modfile.h"

#define MODFILE_BUCKETS 256 /* power of two */
#define IMAGE_BUCKETS   256 /* power of two */
#define IMAGE_FDS       4   /* descriptors an open image may hold */
#define IMAGE_MAX_OPEN  256 /* open images at most, whatever the fd limit */
#define FD_RESERVE      32  /* descriptors left to the rest of leakreport */
#define MEMO_SLOTS      64  /* power of two */

/* One module file on disk, whatever path spelled it: the Dwfl and the
 * function index, while open. */
struct image {
	dev_t dev; /* identity of the file: (dev, ino) */
	ino_t ino;
	char *path;          /* the spelling it was first opened through */
	bool bad;            /* not a usable ELF file: never opened again */
	char *buildid;       /* of the file, lower-case hex, or NULL (none, or not
			      * opened yet) */
	Dwfl *dwfl;          /* NULL: closed (or bad) */
	Dwfl_Module *mod;    /* the one module of dwfl, or NULL */
	void *user;          /* the symbolizer's data about the open file (its
			      * function index), dropped on close; NULL at first */
	struct image *newer; /* open images, most recently used first */
	struct image *older;
	struct image *next; /* bucket chain */
};

/* A module of a dump and its modfile, remembered for the next pc. */
struct memo {
	const struct module *m; /* NULL: empty */
	const char *path;       /* m->path and m->buildid when it was filled: with a */
	const char *buildid;    /* string compare, proof that m still means mf */
	struct modfile *mf;
};

struct modfiles {
	void (*warn)(void *ctx, const char *msg); /* may be NULL */
	void *warn_ctx;
	void (*drop)(void *user); /* frees an image's user data on close */
	struct modfile *modfiles[MODFILE_BUCKETS];
	struct image *images[IMAGE_BUCKETS];
	struct image *newest; /* open images, most recently used first */
	struct image *oldest;
	size_t nopen;    /* open images, <= max_open */
	size_t max_open; /* >= 1 */
	struct memo memo[MEMO_SLOTS];
};

/* ":" is the main file's directory, ".debug" beside it, then /usr/lib/debug
 * (also searched by build-id, being absolute). */
static char *debuginfo_path = ":.debug:/usr/lib/debug";

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

static uint64_t
hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static uint64_t
hash_str(uint64_t h, const char *str)
{
	for (; str != NULL && *str != '\0'; str++)
		h = (h ^ (unsigned char)*str) * 0x100000001b3ULL;
	return h;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void warn(struct modfiles *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
warn(struct modfiles *s, const char *fmt, ...)
{
	char msg[DUMP_MAX_STR + 256]; /* a whole path plus the reason */
	va_list ap;

	if (s->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->warn(s->warn_ctx, msg);
}

/* Unlinks img from the list of open images. */
static void
lru_unlink(struct modfiles *s, struct image *img)
{
	if (img->newer != NULL)
		img->newer->older = img->older;
	else
		s->newest = img->older;
	if (img->older != NULL)
		img->older->newer = img->newer;
	else
		s->oldest = img->newer;
	img->newer = img->older = NULL;
}

/* Makes img the most recently used open image. */
static void
lru_front(struct modfiles *s, struct image *img)
{
	img->older = s->newest;
	img->newer = NULL;
	if (s->newest != NULL)
		s->newest->newer = img;
	s->newest = img;
	if (s->oldest == NULL)
		s->oldest = img;
}

/* Closes img: its Dwfl, descriptors and the symbolizer's data about it
 * (through s->drop). */
static void
image_close(struct modfiles *s, struct image *img)
{
	if (img->dwfl == NULL)
		return;
	if (img->user != NULL && s->drop != NULL)
		s->drop(img->user);
	img->user = NULL;
	dwfl_end(img->dwfl);
	img->dwfl = NULL;
	img->mod = NULL;
	lru_unlink(s, img);
	s->nopen--;
}

/* Closes the least recently used open image; false when none is open. */
static bool
image_evict(struct modfiles *s)
{
	if (s->oldest == NULL)
		return false;
	image_close(s, s->oldest);
	return true;
}

/* open() of the file named path, for reading, never as a controlling tty
 * and never blocking on a FIFO swapped in since the O_PATH check; EMFILE
 * and ENFILE close an open image and try again. */
static int
image_open_fd(struct modfiles *s, const char *path)
{
	for (;;) {
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

		if (fd >= 0 || (errno != EMFILE && errno != ENFILE) || !image_evict(s))
			return fd;
	}
}

/*
 * Opens img for libdwfl (its first use, or again after it was closed) and
 * reads its build-id; makes room under s->max_open first. On failure one
 * warning names the file and img stays closed: bad when the file is not a
 * usable ELF file (it is never tried again). Never fails on bad input;
 * allocates.
 */
static void
image_open(struct modfiles *s, struct image *img)
{
	struct stat st;
	int fd;

	while (s->nopen >= s->max_open && image_evict(s))
		;
	fd = image_open_fd(s, img->path);
	if (fd < 0) {
		warn(s, "%s: cannot open: %s; showing offsets", img->path, strerror(errno));
		return;
	}
	/* The file checked by O_PATH must be the one opened. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != img->dev ||
	    st.st_ino != img->ino) {
		close(fd);
		warn(s, "%s: changed while it was opened; showing offsets", img->path);
		return;
	}
	Dwfl *dwfl = dwfl_begin(&offline_callbacks);

	if (dwfl == NULL) {
		close(fd);
		warn(s, "%s: %s; showing offsets", img->path, dwfl_errmsg(-1));
		return;
	}
	dwfl_report_begin(dwfl);
	/* base 0 + add_p_vaddr: module addresses are link-time addresses. */
	Dwfl_Module *mod = dwfl_report_elf(dwfl, model_basename(img->path), img->path, fd, 0, true);

	if (mod == NULL) {
		close(fd); /* consumed only on success */
		warn(s, "%s: not a usable ELF file (%s); showing offsets", img->path,
		    dwfl_errmsg(-1));
		img->bad = true;
		dwfl_end(dwfl);
		return;
	}
	dwfl_report_end(dwfl, NULL, NULL);
	if (img->buildid == NULL) {
		const unsigned char *bits;
		GElf_Addr vaddr;
		int len = dwfl_module_build_id(mod, &bits, &vaddr);
		char hex[2 * DUMP_MAX_BUILDID + 1];

		hex[0] = '\0';
		for (int i = 0; i < len && i < DUMP_MAX_BUILDID; i++)
			snprintf(hex + 2 * i, 3, "%02x", bits[i]);
		if (len > 0 && len <= DUMP_MAX_BUILDID)
			img->buildid = strdup(hex); /* NULL: compared as "none" */
	}
	img->dwfl = dwfl;
	img->mod = mod;
	lru_front(s, img);
	s->nopen++;
}

Dwfl_Module *
modfiles_open(struct modfiles *s, struct image *img)
{
	if (img->dwfl == NULL && !img->bad)
		image_open(s, img);
	if (img->dwfl != NULL && s->newest != img) {
		lru_unlink(s, img);
		lru_front(s, img);
	}
	return img->mod;
}

/* The image of the file with identity st, created (closed) on first sight
 * with path as its name; NULL when out of memory. */
static struct image *
image_get(struct modfiles *s, const struct stat *st, const char *path)
{
	size_t b = hash_mix((uint64_t)st->st_dev * 0x9e3779b97f4a7c15ULL ^ (uint64_t)st->st_ino) &
	    (IMAGE_BUCKETS - 1);
	struct image *img;

	for (img = s->images[b]; img != NULL; img = img->next)
		if (img->dev == st->st_dev && img->ino == st->st_ino)
			return img;
	img = calloc(1, sizeof(*img));
	if (img == NULL)
		return NULL;
	img->path = strdup(path);
	if (img->path == NULL) {
		free(img);
		return NULL;
	}
	img->dev = st->st_dev;
	img->ino = st->st_ino;
	img->next = s->images[b];
	s->images[b] = img;
	return img;
}

/*
 * Finds mf's image: the file its path names, checked with O_PATH and fstat
 * (so a device node or a FIFO is never opened), then its build-id against
 * the dump's. On any problem one warning and mf->img stays NULL. 0, or -1
 * when out of memory.
 */
static int
modfile_attach(struct modfiles *s, struct modfile *mf)
{
	struct stat st;
	struct image *img;
	int fd = open(mf->path, O_PATH | O_CLOEXEC);

	if (fd < 0 && (errno == EMFILE || errno == ENFILE) && image_evict(s))
		fd = open(mf->path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		warn(s, "%s: cannot open: %s; showing offsets", mf->path, strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		warn(s, "%s: not a regular file; showing offsets", mf->path);
		return 0;
	}
	close(fd);
	img = image_get(s, &st, mf->path);
	if (img == NULL)
		return -1;
	if (modfiles_open(s, img) == NULL)
		return 0; /* warned */
	if (mf->buildid != NULL && !str_eq(img->buildid, mf->buildid)) {
		warn(s, "%s: build-id differs from the one that ran; showing offsets", mf->path);
		return 0;
	}
	mf->img = img;
	return 0;
}

/* The modfile for m, created and attached on first use; NULL when out of
 * memory. */
static struct modfile *
modfile_get(struct modfiles *s, const struct module *m)
{
	const char *path = m->path != NULL ? m->path : "";
	size_t b =
	    hash_str(hash_str(0xcbf29ce484222325ULL, path), m->buildid) & (MODFILE_BUCKETS - 1);

	for (struct modfile *mf = s->modfiles[b]; mf != NULL; mf = mf->next)
		if (strcmp(mf->path, path) == 0 && str_eq(mf->buildid, m->buildid))
			return mf;
	struct modfile *mf = calloc(1, sizeof(*mf));

	if (mf == NULL)
		return NULL;
	mf->path = strdup(path);
	mf->buildid = m->buildid != NULL ? strdup(m->buildid) : NULL;
	if (mf->path == NULL || (m->buildid != NULL && mf->buildid == NULL)) {
		free(mf->path);
		free(mf->buildid);
		free(mf);
		return NULL;
	}
	mf->base = model_basename(mf->path);
	mf->next = s->modfiles[b];
	s->modfiles[b] = mf;
	if (modfile_attach(s, mf) < 0)
		return NULL;
	return mf;
}

/* modfile_get() through the memo: consecutive pcs of a stack mostly fall in
 * a few modules, and the memo spares hashing their paths. A slot is trusted
 * only when the module's strings still say what they said. */
struct modfile *
modfiles_get(struct modfiles *s, const struct module *m)
{
	struct memo *x = &s->memo[hash_mix((uint64_t)(uintptr_t)m) & (MEMO_SLOTS - 1)];

	if (x->m == m && x->path == m->path && x->buildid == m->buildid && x->mf != NULL &&
	    strcmp(x->mf->path, m->path != NULL ? m->path : "") == 0 &&
	    str_eq(x->mf->buildid, m->buildid))
		return x->mf;
	*x = (struct memo){ .m = m,
		.path = m->path,
		.buildid = m->buildid,
		.mf = modfile_get(s, m) };
	return x->mf;
}

struct modfiles *
modfiles_new(size_t max_open, void (*warn_fn)(void *ctx, const char *msg), void *warn_ctx,
    void (*drop)(void *user))
{
	struct modfiles *s = calloc(1, sizeof(*s));
	struct rlimit lim;

	if (s == NULL)
		return NULL;
	s->warn = warn_fn;
	s->warn_ctx = warn_ctx;
	s->drop = drop;
	s->max_open = max_open != 0 ? max_open : IMAGE_MAX_OPEN;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
		rlim_t room = lim.rlim_cur > FD_RESERVE + IMAGE_FDS ?
		    (lim.rlim_cur - FD_RESERVE) / IMAGE_FDS :
		    1;

		if (room < s->max_open)
			s->max_open = (size_t)room;
	}
	return s;
}

void **
modfiles_user(struct image *img)
{
	return &img->user;
}

size_t
modfiles_nopen(const struct modfiles *s)
{
	return s->nopen;
}

void
modfiles_free(struct modfiles *s)
{
	if (s == NULL)
		return;
	for (size_t b = 0; b < MODFILE_BUCKETS; b++) {
		while (s->modfiles[b] != NULL) {
			struct modfile *mf = s->modfiles[b];

			s->modfiles[b] = mf->next;
			free(mf->path);
			free(mf->buildid);
			free(mf);
		}
	}
	for (size_t b = 0; b < IMAGE_BUCKETS; b++) {
		while (s->images[b] != NULL) {
			struct image *img = s->images[b];

			s->images[b] = img->next;
			image_close(s, img);
			free(img->path);
			free(img->buildid);
			free(img);
		}
	}
	free(s);
}
