/*
 * procnet.h - a socket's description from the text of /proc/net/tcp,
 * tcp6, udp, udp6 or unix, found by its inode. See procnet.c.
 */
#ifndef LIBLEAK_PROCNET_H
#define LIBLEAK_PROCNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum procnet_table {
	PROCNET_TCP,
	PROCNET_TCP6,
	PROCNET_UDP,
	PROCNET_UDP6,
	PROCNET_UNIX,
	PROCNET_COUNT
};

/* "/proc/net/tcp" ... for table t. */
const char *procnet_path(enum procnet_table t);

/*
 * Looks for the socket with inode in text[0..len) (the whole file, header
 * line first, as table t prints it) and writes its description to out
 * (cap bytes, NUL-terminated, cut when longer):
 *   "TCP 127.0.0.1:40022 -> 127.0.0.1:8080 ESTABLISHED", "TCP 0.0.0.0:8080
 *   LISTEN", "UDP6 [::1]:53", "UNIX /run/app.sock", "UNIX @abstract",
 *   "UNIX (unnamed)".
 * True when found. Pure: no allocation, no system call, async-signal-safe.
 * Malformed lines are skipped.
 */
bool procnet_find(enum procnet_table t, const char *text, size_t len, uint64_t inode, char *out,
    size_t cap);

#endif /* LIBLEAK_PROCNET_H */
