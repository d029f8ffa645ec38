/*
 * resdesc.h - what an open resource is, in words, read at dump time from
 * /proc/self/fd, /proc/self/fdinfo and /proc/net. See resdesc.c.
 */
#ifndef LIBLEAK_RESDESC_H
#define LIBLEAK_RESDESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RESDESC_MAX 512 /* longest description, with its NUL */

/* The /proc/net tables, read once per dump on first need. */
struct resdesc;

/* A cache for one dump, or NULL when memory cannot be mapped (then every
 * socket is described by its inode only). mmap only. */
struct resdesc *resdesc_open(void);
void resdesc_close(struct resdesc *c);

/* Whether descriptor fd is open now. A recorded descriptor that is not was
 * closed where no hook saw it (libuv closes with syscall(SYS_close): every
 * descriptor of its test suite looked leaked) and is no leak. errno kept. */
bool resdesc_fd_open(int fd);

/* Descriptor fd: "file /var/log/app.log (write)", "socket TCP 127.0.0.1:40022
 * -> 127.0.0.1:8080 ESTABLISHED", "socket UNIX /run/app.sock", "pipe (read
 * end)", "eventfd", "timerfd", "epoll (3 fds)", "signalfd", "inotify",
 * "memfd name", "closed" when it is no longer open (closed meanwhile), or
 * "unknown" when /proc/self/fd cannot tell. c may be NULL.
 * Into out (cap bytes, NUL-terminated, never empty). */
void resdesc_fd(struct resdesc *c, int fd, char *out, size_t cap);

/* POSIX timer t of clock clk: "CLOCK_MONOTONIC, interval 0.5s, armed". */
void resdesc_timer(uintptr_t t, int clk, char *out, size_t cap);

#endif /* LIBLEAK_RESDESC_H */
