/*
 * deepbind.h - keep libraries opened with RTLD_DEEPBIND on libleak's hooks.
 *
 * deepbind.c also defines the exported dlopen() (see its header comment);
 * these are the calls other files may make.
 */
#ifndef LIBLEAK_DEEPBIND_H
#define LIBLEAK_DEEPBIND_H

/*
 * Resolves the real dlopen (dlsym(RTLD_NEXT)) and the address ranges of
 * libc, ld.so and libleak. Idempotent and thread-safe; deepbind.c calls it
 * from its own constructor, and init.c may call it earlier. dlsym() may call
 * calloc(), which boot.c serves before the hooks are ready. Not
 * async-signal-safe.
 */
void deepbind_init(void);

/*
 * Rewrites every GOT slot (JUMP_SLOT, GLOB_DAT) of a loaded module that
 * binds a hooked name (malloc family, operator new/delete, dlopen) straight
 * to libc or the C++ runtime, as RTLD_DEEPBIND does, so that it points at
 * libleak's definition instead. libc, ld.so and libleak are never patched.
 * Returns the number of slots rewritten. Never allocates, preserves errno,
 * may run on any thread (patchers are serialized by the loader's lock), not
 * async-signal-safe (it takes that lock through dl_iterate_phdr).
 */
unsigned long deepbind_patch_all(void);

/*
 * Resets the lock held across a RTLD_DEEPBIND dlopen and its patch pass;
 * init.c's fork child handler calls it, as only the forking thread survives.
 * Async-signal-safe.
 */
void deepbind_fork_child(void);

#endif /* LIBLEAK_DEEPBIND_H */
