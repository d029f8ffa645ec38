/*
 * cxx_new.cc - every operator new and delete variant, leaked from one
 * function each (n_*) and freed from others (f_*).
 * Expected dump (function: blocks bytes): n_plain 1 24, n_array 1 40,
 * n_nothrow 1 32, n_array_nothrow 1 48, n_aligned 1 128,
 * n_aligned_array 1 256, n_aligned_nothrow 1 200,
 * n_aligned_array_nothrow 1 192; nothing from any f_*.
 */
#include <cstddef>
#include <cstdint>
#include <new>

#include "e2e.h"

struct s24 { char b[24]; };
struct s32 { char b[32]; };
struct alignas(64) a128 { char b[128]; };

#define ALIGNED(p, a) (reinterpret_cast<std::uintptr_t>(p) % (a) == 0)

extern "C" {
NOINLINE void *n_plain() { void *p = new s24; NO_TAIL_CALL(); return p; }
NOINLINE void *n_array() { void *p = new char[40]; NO_TAIL_CALL(); return p; }
NOINLINE void *n_nothrow() { void *p = new (std::nothrow) s32; NO_TAIL_CALL(); return p; }
NOINLINE void *n_array_nothrow() { void *p = new (std::nothrow) char[48]; NO_TAIL_CALL(); return p; }
NOINLINE void *n_aligned() { void *p = new a128; NO_TAIL_CALL(); return p; }
NOINLINE void *n_aligned_array() { void *p = new a128[2]; NO_TAIL_CALL(); return p; }
NOINLINE void *
n_aligned_nothrow()
{
	void *p = ::operator new(200, std::align_val_t(128), std::nothrow);
	NO_TAIL_CALL();
	return p;
}
NOINLINE void *
n_aligned_array_nothrow()
{
	void *p = ::operator new[](192, std::align_val_t(256), std::nothrow);
	NO_TAIL_CALL();
	return p;
}

NOINLINE void
f_all()
{
	s24 *a = new s24;
	delete a;                               /* sized delete (C++14) */
	char *b = new char[40];
	delete[] b;
	s32 *c = new (std::nothrow) s32;
	::operator delete(c, std::nothrow);
	char *d = new (std::nothrow) char[48];
	::operator delete[](d, std::nothrow);
	a128 *e = new a128;
	say("aligned new: %d\n", ALIGNED(e, 64));
	delete e;                               /* sized, aligned delete */
	a128 *g = new a128[3];
	say("aligned new[]: %d\n", ALIGNED(g, 64));
	delete[] g;
	void *h = ::operator new(100);
	::operator delete(h, 100);
	void *i = ::operator new[](100);
	::operator delete[](i, 100);
	void *j = ::operator new(100, std::align_val_t(512));
	say("align_val_t 512: %d\n", ALIGNED(j, 512));
	::operator delete(j, std::align_val_t(512));
	void *k = ::operator new[](300, std::align_val_t(1024));
	say("align_val_t[] 1024: %d\n", ALIGNED(k, 1024));
	::operator delete[](k, 300, std::align_val_t(1024));
	void *l = ::operator new(64, std::align_val_t(128), std::nothrow);
	::operator delete(l, std::align_val_t(128), std::nothrow);
	void *m = ::operator new(64, std::align_val_t(4096));
	::operator delete(m, 64, std::align_val_t(4096));
	void *n = ::operator new[](80, std::align_val_t(64), std::nothrow);
	::operator delete[](n, std::align_val_t(64), std::nothrow);
	void *o = ::operator new[](80, std::align_val_t(64));
	::operator delete[](o, std::align_val_t(64));
}
}

static void *keep[8];

int
main()
{
	f_all();
	keep[0] = n_plain();
	keep[1] = n_array();
	keep[2] = n_nothrow();
	keep[3] = n_array_nothrow();
	keep[4] = n_aligned();
	say("n_aligned: %d\n", ALIGNED(keep[4], 64));
	keep[5] = n_aligned_array();
	say("n_aligned_array: %d\n", ALIGNED(keep[5], 64));
	keep[6] = n_aligned_nothrow();
	say("n_aligned_nothrow: %d\n", ALIGNED(keep[6], 128));
	keep[7] = n_aligned_array_nothrow();
	say("n_aligned_array_nothrow: %d\n", ALIGNED(keep[7], 256));
	for (auto &p : keep)
		p = nullptr;
	bool threw = false;
	try {
		volatile std::size_t big = SIZE_MAX / 2;
		e2e_sink = ::operator new(big);
	} catch (const std::bad_alloc &) {
		threw = true;
	}
	say("bad_alloc: %d\n", threw);
	volatile std::size_t big2 = SIZE_MAX / 2;
	say("nothrow huge: %s\n", ::operator new(big2, std::nothrow) == nullptr ? "null" : "ptr");
	return 0;
}
