/*
 * dl_reload.c - dlopen(argv[1]), allocate through its lib_alloc() 2,000
 * times (freed) and once more (kept: 48 bytes), dlclose() it; then the
 * same with argv[2] (kept: 40 bytes), which the loader maps at the same
 * address. Every allocation goes through call_it(), whose frame is sized
 * so that the slot where the first library's lib_alloc() frame ended holds,
 * under the second library, call_it()'s own return address into main: a
 * stack walked with the first library's rules skips call_it(). Prints
 * whether the two loaded at one address. Expected dump: two definite
 * blocks (48 and 40 bytes), each allocated from lib_alloc <- call_it <-
 * main. Exit status 0; 1 when a library cannot be loaded.
 */
#include <dlfcn.h>
#include <stdlib.h>

#include "e2e.h"

typedef void *(*alloc_fn)(size_t);

static void *kept[2];

/* 752 bytes of locals: a frame of 0x2f8 bytes at -O2, which puts its
 * return address 0x408 bytes above the small library's frame. */
NOINLINE static void *
call_it(alloc_fn f, size_t n)
{
	volatile char pad[752];

	pad[0] = 1;
	void *p = f(n);
	pad[1] = 2;
	return (char *)p + (pad[0] - 1);
}

int
main(int argc, char **argv)
{
	void *at[2] = { NULL, NULL };

	if (argc != 3)
		return 2;
	for (int r = 0; r < 2; r++) {
		void *h = dlopen(argv[1 + r], RTLD_NOW | RTLD_LOCAL);

		if (h == NULL) {
			say("dlopen failed\n");
			return 1;
		}
		alloc_fn f = (alloc_fn)dlsym(h, "lib_alloc");
		if (f == NULL)
			return 1;
		at[r] = (void *)f;
		for (int i = 0; i < 2000; i++)
			free(call_it(f, 32));
		kept[r] = call_it(f, r == 0 ? 48 : 40);
		if (dlclose(h) != 0)
			return 1;
	}
	say("same address: %d\n", at[0] == at[1]);
	return 0;
}
