/*
 * procnet.c - parses the text of /proc/net/{tcp,tcp6,udp,udp6,unix} to
 * describe one socket, found by its inode (the number in the
 * "socket:[N]" link of /proc/self/fd/N).
 *
 * Called by dump/resdesc.c with a whole file it read; tested alone by
 * tests/unit/check_procnet.c. The kernel prints an IPv4 address as one
 * 32-bit word in hex in host order (little-endian here: "0100007F" is
 * 127.0.0.1), an IPv6 address as four such words, and a port as 16 bits
 * in hex, big-endian. Pure: no allocation, no system call, no state;
 * writes through fmt.c.
 */
#include <string.h>

#include "base/fmt.h"
#include "base/procnet.h"

static const char *const paths[PROCNET_COUNT] = {
	"/proc/net/tcp",
	"/proc/net/tcp6",
	"/proc/net/udp",
	"/proc/net/udp6",
	"/proc/net/unix",
};

const char *
procnet_path(enum procnet_table t)
{
	return (unsigned)t < PROCNET_COUNT ? paths[t] : "";
}

/* Field i (0-based, separated by blanks) of the line [p, end): its start
 * and length, or NULL. */
static const char *
field(const char *p, const char *end, int i, size_t *n)
{
	for (int k = 0; p < end; k++) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		const char *s = p;

		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if (p == s)
			return NULL;
		if (k == i) {
			*n = (size_t)(p - s);
			return s;
		}
	}
	return NULL;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0..n) as hex, into *v; false when it is not all hex digits. */
static bool
parse_hex(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = hexval(s[i]);

		if (d < 0)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return true;
}

static bool
parse_dec(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return true;
}

/* A 32-bit word as the kernel printed it, into the 4 bytes of memory
 * order it stands for (host order: little-endian). */
static void
word_bytes(uint64_t w, unsigned char *b)
{
	b[0] = (unsigned char)w;
	b[1] = (unsigned char)(w >> 8);
	b[2] = (unsigned char)(w >> 16);
	b[3] = (unsigned char)(w >> 24);
}

static void
put_v4(struct fmtbuf *f, const unsigned char *b)
{
	for (int i = 0; i < 4; i++) {
		if (i > 0)
			fmt_char(f, '.');
		fmt_u64(f, b[i]);
	}
}

/* An IPv6 address in the usual short form: the longest run of zero
 * groups (two or more) as "::", groups in lower-case hex; a v4-mapped one
 * as ::ffff:a.b.c.d. */
static void
put_v6(struct fmtbuf *f, const unsigned char *b)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	unsigned g[8];
	int best = -1, best_len = 0;

	if (memcmp(b, mapped, 12) == 0) {
		fmt_str(f, "::ffff:");
		put_v4(f, b + 12);
		return;
	}
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			fmt_str(f, "::");
			i += best_len - 1;
			continue;
		}
		if (i > 0 && i != best + best_len)
			fmt_char(f, ':');
		fmt_hex(f, g[i]);
	}
}

/* "ADDR:PORT" of the kernel's form into f; false when malformed. */
static bool
put_endpoint(struct fmtbuf *f, const char *s, size_t n, bool v6)
{
	size_t alen = v6 ? 32 : 8;
	unsigned char b[16];
	uint64_t port, w;

	if (n != alen + 5 || s[alen] != ':' || !parse_hex(s + alen + 1, 4, &port))
		return false;
	for (size_t i = 0; i < alen / 8; i++) {
		if (!parse_hex(s + 8 * i, 8, &w))
			return false;
		word_bytes(w, b + 4 * i);
	}
	if (v6) {
		fmt_char(f, '[');
		put_v6(f, b);
		fmt_char(f, ']');
	} else {
		put_v4(f, b);
	}
	fmt_char(f, ':');
	fmt_u64(f, port);
	return true;
}

/* Whether an endpoint is all zeros (an unconnected peer). */
static bool
endpoint_zero(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '0' && s[i] != ':')
			return false;
	return true;
}

static const char *const tcp_states[] = {
	"?",
	"ESTABLISHED",
	"SYN_SENT",
	"SYN_RECV",
	"FIN_WAIT1",
	"FIN_WAIT2",
	"TIME_WAIT",
	"CLOSE",
	"CLOSE_WAIT",
	"LAST_ACK",
	"LISTEN",
	"CLOSING",
	"NEW_SYN_RECV",
};

/* One line of tcp, tcp6, udp or udp6: "sl local rem st ... uid timeout
 * inode". */
static bool
inet_line(enum procnet_table t, const char *p, const char *end, uint64_t inode, struct fmtbuf *f)
{
	size_t ln = 0, rn = 0, sn = 0, in = 0;
	const char *lo = field(p, end, 1, &ln);
	const char *rem = field(p, end, 2, &rn);
	const char *st = field(p, end, 3, &sn);
	const char *ino = field(p, end, 9, &in);
	uint64_t v, state;
	bool v6 = t == PROCNET_TCP6 || t == PROCNET_UDP6;
	bool tcp = t == PROCNET_TCP || t == PROCNET_TCP6;

	if (lo == NULL || rem == NULL || st == NULL || ino == NULL || !parse_dec(ino, in, &v) ||
	    v != inode || !parse_hex(st, sn, &state))
		return false;
	fmt_str(f, tcp ? "TCP" : "UDP");
	if (v6)
		fmt_char(f, '6');
	fmt_char(f, ' ');
	if (!put_endpoint(f, lo, ln, v6))
		return false;
	if (!endpoint_zero(rem, rn)) {
		fmt_str(f, " -> ");
		if (!put_endpoint(f, rem, rn, v6))
			return false;
	}
	if (tcp) {
		fmt_char(f, ' ');
		fmt_str(f,
		    state < sizeof(tcp_states) / sizeof(tcp_states[0]) ? tcp_states[state] : "?");
	}
	return true;
}

/* One line of unix: "Num RefCount Protocol Flags Type St Inode [Path]". */
static bool
unix_line(const char *p, const char *end, uint64_t inode, struct fmtbuf *f)
{
	size_t in = 0, pn = 0;
	const char *ino = field(p, end, 6, &in);
	const char *path = field(p, end, 7, &pn);
	uint64_t v;

	if (ino == NULL || !parse_dec(ino, in, &v) || v != inode)
		return false;
	fmt_str(f, "UNIX ");
	if (path == NULL)
		fmt_str(f, "(unnamed)");
	else
		fmt_mem(f, path, (size_t)(end - path)); /* a path may hold blanks */
	return true;
}

bool
procnet_find(enum procnet_table t, const char *text, size_t len, uint64_t inode, char *out,
    size_t cap)
{
	const char *p = text, *end = text + len;
	bool header = true;

	if (cap == 0 || (unsigned)t >= PROCNET_COUNT)
		return false;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end;
		struct fmtbuf f;
		bool ok;

		if (header) {
			header = false; /* the first line names the columns */
			p = eol + 1;
			continue;
		}
		fmt_init(&f, out, cap - 1);
		ok = t == PROCNET_UNIX ? unix_line(p, eol, inode, &f) :
					 inet_line(t, p, eol, inode, &f);
		if (ok) {
			out[f.len] = '\0';
			return true;
		}
		p = eol + 1;
	}
	out[0] = '\0';
	return false;
}
