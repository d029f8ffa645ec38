/*
 * check_fmt.c - fmt.c: the formatters against snprintf and a model of the
 * escapes, at every buffer size (the overflow flag, and never a byte past
 * cap), and fmt_log(): its escaping of control bytes, the 1 KiB line, errno,
 * the LEAK_LOG file (fmt_log_setup), and the stderr-identity rule (nothing
 * goes to fd 2 once it is another file than at setup).
 *
 * fmt_log() writes with raw system calls, so fd 2 is captured by pointing
 * it at a file (capture.h). Every case runs in its own (forked) process:
 * fmt_log_setup() is meant to be called once. The seed comes from
 * TEST_SEED or the clock; failure messages name it.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fmt.h"
#include "seeded.h"

#define TMPDIR_TEMPLATE "/tmp/check_fmt.XXXXXX"
#include "tmpdir.h"
#include "capture.h"

#define CANARY 0x5a

/* ---- formatters, at every cap */

enum op {
	OP_CHAR,
	OP_STR,
	OP_MEM,
	OP_U64,
	OP_HEX,
	OP_ESC
};

struct step {
	enum op op;
	const char *s;
	size_t n;
	uint64_t v;
};

static void
apply(struct fmtbuf *f, const struct step *st)
{
	switch (st->op) {
	case OP_CHAR:
		fmt_char(f, (char)st->v);
		break;
	case OP_STR:
		fmt_str(f, st->s);
		break;
	case OP_MEM:
		fmt_mem(f, st->s, st->n);
		break;
	case OP_U64:
		fmt_u64(f, st->v);
		break;
	case OP_HEX:
		fmt_hex(f, st->v);
		break;
	case OP_ESC:
		fmt_esc(f, st->s, st->n);
		break;
	}
}

/* Runs steps into a buffer of every cap from 0 to the full length + 2:
 * the result is the full output's prefix, overflow is set exactly when it
 * did not fit (and then len == cap), and nothing past cap is written. */
static void
every_cap(const struct step *steps, size_t nsteps, const char *full)
{
	size_t len = strlen(full);
	char buf[4096 + 16];

	ck_assert(len + 2 <= 4096);
	for (size_t cap = 0; cap <= len + 2; cap++) {
		struct fmtbuf f;

		memset(buf, CANARY, sizeof(buf));
		fmt_init(&f, buf, cap);
		for (size_t k = 0; k < nsteps; k++)
			apply(&f, &steps[k]);
		size_t want = cap < len ? cap : len;
		size_t past = cap;

		while (past < sizeof(buf) && (unsigned char)buf[past] == CANARY)
			past++;
		/* plain tests first: a ck_assert costs a system call */
		if (f.len != want || f.overflow != (cap < len) || memcmp(buf, full, want) != 0 ||
		    past != sizeof(buf))
			ck_abort_msg(
			    "cap %zu: len %zu (expected %zu), overflow %d, prefix %s, %s byte "
			    "past cap written (\"%s\")",
			    cap, f.len, want, f.overflow,
			    memcmp(buf, full, want) == 0 ? "right" : "wrong",
			    past == sizeof(buf) ? "no" : "a", full);
		if (f.cap != cap || f.buf != buf)
			ck_abort_msg("cap %zu: the buffer moved", cap);
	}
}

START_TEST(init_is_empty)
{
	char buf[8];
	struct fmtbuf f = { .len = 99, .overflow = 1 };

	fmt_init(&f, buf, sizeof(buf));
	ck_assert_ptr_eq(f.buf, buf);
	ck_assert_uint_eq(f.cap, 8);
	ck_assert_uint_eq(f.len, 0);
	ck_assert_int_eq(f.overflow, 0);
}
END_TEST

START_TEST(u64_edges)
{
	uint64_t v[64];
	size_t n = 0;

	v[n++] = 0;
	v[n++] = UINT64_MAX;
	v[n++] = UINT64_MAX - 1;
	for (uint64_t p = 1; p <= UINT64_MAX / 10; p *= 10) {
		v[n++] = p - 1;
		v[n++] = p;
	}
	v[n++] = (uint64_t)1 << 63;
	ck_assert(n <= 64);
	for (size_t i = 0; i < n; i++) {
		char want[32];
		struct step st = { .op = OP_U64, .v = v[i] };

		snprintf(want, sizeof(want), "%" PRIu64, v[i]);
		every_cap(&st, 1, want);

		char out[FMT_U64_LEN];

		memset(out, 'x', sizeof(out));
		ck_assert_ptr_eq(fmt_u64_str(out, v[i]), out);
		ck_assert_str_eq(out, want); /* UINT64_MAX's 20 digits fit, NUL too */
	}
}
END_TEST

START_TEST(hex_edges)
{
	static const uint64_t v[] = {
		0,
		1,
		9,
		10,
		15,
		16,
		0xff,
		0x100,
		0xdeadbeef,
		0x7fffffffffff,
		(uint64_t)1 << 63,
		UINT64_MAX,
		UINT64_MAX - 1,
		0x0123456789abcdefull,
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char want[32];
		struct step st = { .op = OP_HEX, .v = v[i] };

		snprintf(want, sizeof(want), "%" PRIx64, v[i]);
		every_cap(&st, 1, want);
	}
}
END_TEST

START_TEST(numbers_match_snprintf)
{
	uint64_t rng = seed + (uint64_t)_i;

	for (int k = 0; k < 20000; k++) {
		uint64_t v = rng_next(&rng) >> (rng_next(&rng) % 64);
		char want[32], got[32];
		struct fmtbuf f;

		fmt_init(&f, got, sizeof(got));
		fmt_u64(&f, v);
		snprintf(want, sizeof(want), "%" PRIu64, v);
		if (f.len != strlen(want) || memcmp(got, want, f.len) != 0 || f.overflow)
			ck_abort_msg(SEEDED("u64 %" PRIu64, v));
		fmt_init(&f, got, sizeof(got));
		fmt_hex(&f, v);
		snprintf(want, sizeof(want), "%" PRIx64, v);
		if (f.len != strlen(want) || memcmp(got, want, f.len) != 0 || f.overflow)
			ck_abort_msg(SEEDED("hex %" PRIx64, v));
	}
}
END_TEST

/* The escape model: bytes below 0x21, above 0x7e and '%' become %XX. */
static size_t
esc_model(const unsigned char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '%')
			o += (size_t)sprintf(out + o, "%%%02X", s[i]);
		else
			out[o++] = (char)s[i];
	}
	out[o] = '\0';
	return o;
}

START_TEST(esc_every_byte)
{
	char want[8];

	for (int c = 0; c < 256; c++) {
		unsigned char b = (unsigned char)c;
		struct step st = { .op = OP_ESC, .s = (const char *)&b, .n = 1 };

		esc_model(&b, 1, want);
		every_cap(&st, 1, want);
	}
	/* the classes by name */
	struct {
		const char *in;
		size_t n;
		const char *out;
	} named[] = {
		{ "a b", 3, "a%20b" },
		{ "100%", 4, "100%25" },
		{ "\t\n\r", 3, "%09%0A%0D" },
		{ "\x7f\x80\xff", 3, "%7F%80%FF" },
		{ "!~", 2, "!~" },
		{ "", 0, "" },
		{ "x\0y", 3, "x%00y" },
		{ "/tmp/a b/%p", 11, "/tmp/a%20b/%25p" },
	};

	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		struct step st = { .op = OP_ESC, .s = named[i].in, .n = named[i].n };

		every_cap(&st, 1, named[i].out);
	}
}
END_TEST

START_TEST(esc_all_bytes_at_once)
{
	unsigned char all[256];
	char want[1024];

	for (int c = 0; c < 256; c++)
		all[c] = (unsigned char)c;
	esc_model(all, 256, want);
	struct step st = { .op = OP_ESC, .s = (const char *)all, .n = 256 };

	every_cap(&st, 1, want);
}
END_TEST

START_TEST(chars_strings_and_mem)
{
	static const struct step steps[] = {
		{ .op = OP_STR, .s = "size " },
		{ .op = OP_U64, .v = 4096 },
		{ .op = OP_CHAR, .v = ' ' },
		{ .op = OP_STR, .s = "" },
		{ .op = OP_MEM, .s = "0x??", .n = 2 },
		{ .op = OP_HEX, .v = 0x7f00 },
		{ .op = OP_MEM, .s = "", .n = 0 },
		{ .op = OP_ESC, .s = "a%b", .n = 3 },
		{ .op = OP_CHAR, .v = '\n' },
	};

	every_cap(steps, sizeof(steps) / sizeof(steps[0]), "size 4096 0x7f00a%25b\n");
}
END_TEST

/* Random sequences of every formatter, against the same done with
 * snprintf and the escape model into a big buffer. */
START_TEST(random_sequences)
{
	uint64_t rng = seed * 13 + (uint64_t)_i;
	static char pool[64];

	for (size_t i = 0; i < sizeof(pool); i++)
		pool[i] = (char)rng_next(&rng);
	for (int round = 0; round < 300; round++) {
		struct step st[12];
		char full[4096];
		size_t o = 0, n = 1 + (size_t)(rng_next(&rng) % 12);

		for (size_t k = 0; k < n; k++) {
			uint64_t r = rng_next(&rng);
			size_t off = (size_t)(r >> 8) % 32, len = (size_t)(r >> 16) % 32;

			st[k] = (struct step){ .op = (enum op)(r % 6),
				.v = rng_next(&rng) >> (r >> 58),
				.s = pool + off,
				.n = len };
			switch (st[k].op) {
			case OP_CHAR:
				st[k].v = 0x20 + st[k].v % 0x5f;
				full[o++] = (char)st[k].v;
				break;
			case OP_STR:
				st[k].s = "libleak";
				o += (size_t)sprintf(full + o, "libleak");
				break;
			case OP_MEM:
				memcpy(full + o, st[k].s, len);
				/* every_cap compares with strlen: keep NULs out */
				for (size_t j = 0; j < len; j++)
					if (full[o + j] == '\0')
						st[k].n = len = j;
				o += len;
				break;
			case OP_U64:
				o += (size_t)sprintf(full + o, "%" PRIu64, st[k].v);
				break;
			case OP_HEX:
				o += (size_t)sprintf(full + o, "%" PRIx64, st[k].v);
				break;
			case OP_ESC:
				o += esc_model((const unsigned char *)st[k].s, len, full + o);
				break;
			}
		}
		full[o] = '\0';
		every_cap(st, n, full);
	}
}
END_TEST

START_TEST(errno_names)
{
	ck_assert_str_eq(fmt_errno(ENOENT), "No such file or directory");
	ck_assert_str_eq(fmt_errno(EACCES), "Permission denied");
	ck_assert_str_eq(fmt_errno(EEXIST), "File exists");
	ck_assert_str_eq(fmt_errno(99999), "unknown error");
	ck_assert_str_eq(fmt_errno(-1), "unknown error");
}
END_TEST

/* ---- fmt_log */

static void
log_path(char *dst, size_t cap, const char *name)
{
	snprintf(dst, cap, "%s/%s.%d", tmpdir, name, (int)getpid());
}

START_TEST(log_line_to_stderr)
{
	capture_begin();
	fmt_log_setup(NULL);
	fmt_log("one", NULL);
	fmt_log("a", "", "b", " c", NULL);
	fmt_log("", NULL);
	ck_assert_str_eq(capture_end(), "libleak: one\nlibleak: ab c\nlibleak: \n");
}
END_TEST

START_TEST(log_before_setup_goes_to_fd2)
{
	capture_begin();
	fmt_log("early", NULL);
	ck_assert_str_eq(capture_end(), "libleak: early\n");
}
END_TEST

/* Control bytes become \xHH (lower case); the rest, bytes above 0x7e
 * too, pass as they are. */
START_TEST(log_escapes_control_bytes)
{
	char in[2] = { (char)_i, '\0' }, want[32];

	if (_i == 0)
		return; /* NUL ends the string */
	capture_begin();
	fmt_log_setup(NULL);
	fmt_log("v='", in, "'", NULL);
	if (_i < 0x20 || _i == 0x7f)
		snprintf(want, sizeof(want), "libleak: v='\\x%02x'\n", _i);
	else
		snprintf(want, sizeof(want), "libleak: v='%c'\n", _i);
	ck_assert_str_eq(capture_end(), want);
}
END_TEST

START_TEST(log_escapes_a_terminal_sequence)
{
	capture_begin();
	fmt_log_setup("");
	fmt_log("LEAK_DEPTH='\x1b[2J\r\nlibleak: fake", "' bad", NULL);
	ck_assert_str_eq(capture_end(),
	    "libleak: LEAK_DEPTH='\\x1b[2J\\x0d\\x0alibleak: fake' bad\n");
}
END_TEST

/* A line is cut at 1 KiB, newline included. */
START_TEST(log_truncates_at_1k)
{
	static char big[3000];
	const char *out;

	memset(big, (_i == 0) ? 'x' : '\x01', sizeof(big) - 1);
	capture_begin();
	fmt_log_setup(NULL);
	fmt_log(big, NULL);
	fmt_log("after", NULL);
	out = capture_end();
	const char *nl = strchr(out, '\n');

	ck_assert_ptr_nonnull(nl);
	ck_assert_uint_eq((size_t)(nl - out) + 1, 1024);
	ck_assert(strncmp(out, "libleak: ", 9) == 0);
	for (const char *p = out + 9; p < nl; p++)
		ck_assert(_i == 0 ? *p == 'x' : strchr("\\x01", *p) != NULL);
	ck_assert_str_eq(nl + 1, "libleak: after\n");
}
END_TEST

START_TEST(log_preserves_errno)
{
	char path[512];

	capture_begin();
	fmt_log_setup(NULL);
	errno = 1234;
	fmt_log("x", NULL);
	ck_assert_int_eq(errno, 1234);
	capture_end();
	/* and when the LEAK_LOG file cannot be opened */
	snprintf(path, sizeof(path), "%s/no/such/dir/log", tmpdir);
	capture_begin();
	fmt_log_setup(path);
	errno = EILSEQ;
	fmt_log("y", NULL);
	ck_assert_int_eq(errno, EILSEQ);
	ck_assert_str_eq(capture_end(), ""); /* not to stderr instead */
}
END_TEST

/* LEAK_LOG: lines are appended to the file, created 0600, opened for each
 * line and closed again; nothing goes to fd 2. */
START_TEST(log_to_file)
{
	static char path[512];
	struct stat st;

	log_path(path, sizeof(path), "log");
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "before\n", 7), 7);
	close(fd);
	capture_begin();
	fmt_log_setup(path);
	int probe = open("/dev/null", O_RDONLY);

	close(probe);
	fmt_log("first", NULL);
	fmt_log("second", "\x01", NULL);
	int probe2 = open("/dev/null", O_RDONLY);

	close(probe2);
	ck_assert_int_eq(probe, probe2); /* no descriptor left open */
	ck_assert_str_eq(capture_end(), "");
	ck_assert_str_eq(slurp(path), "before\nlibleak: first\nlibleak: second\\x01\n");
	/* a new file is 0600 */
	log_path(path, sizeof(path), "fresh");
	fmt_log_setup(path);
	umask(0);
	fmt_log("x", NULL);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_str_eq(slurp(path), "libleak: x\n");
}
END_TEST

/* The file is opened again for each line: removed in between, it comes
 * back; a program's own fd 2 is never involved. */
START_TEST(log_file_reopened_per_line)
{
	static char path[512];

	log_path(path, sizeof(path), "log");
	capture_begin();
	fmt_log_setup(path);
	fmt_log("1", NULL);
	ck_assert_int_eq(unlink(path), 0);
	close(2);
	fmt_log("2", NULL);
	ck_assert_str_eq(slurp(path), "libleak: 2\n");
	capture_end();
}
END_TEST

/* The stderr-identity rule: once fd 2 is another file than at setup, no
 * line goes there; back to the same file, lines go again. */
START_TEST(stderr_replaced_gets_nothing)
{
	char other[512];

	capture_begin();
	fmt_log_setup(NULL);
	fmt_log("ours", NULL);
	log_path(other, sizeof(other), "data");
	int mine = dup(2);
	int fd = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(dup2(fd, 2), 2); /* the program reuses fd 2 for data */
	close(fd);
	fmt_log("must not appear", NULL);
	ck_assert_str_eq(slurp(other), "");
	close(2); /* closed: nowhere, and no fault */
	fmt_log("nor this", NULL);
	ck_assert_int_eq(dup2(mine, 2), 2); /* the same file again */
	close(mine);
	fmt_log("back", NULL);
	ck_assert_str_eq(capture_end(), "libleak: ours\nlibleak: back\n");
	ck_assert_str_eq(slurp(other), "");
}
END_TEST

/* fd 2 closed at setup: no line ever goes to whatever is opened there. */
START_TEST(stderr_closed_at_setup_gets_nothing)
{
	char other[512];
	int saved = dup(2);

	close(2);
	fmt_log_setup(NULL);
	log_path(other, sizeof(other), "data");
	int fd = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_eq(fd, 2);
	fmt_log("must not appear", NULL);
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
	ck_assert_str_eq(slurp(other), "");
}
END_TEST

/* A LEAK_LOG path wins over fd 2 whatever fd 2 is. */
START_TEST(log_file_ignores_stderr_identity)
{
	static char path[512];
	char other[512];

	log_path(path, sizeof(path), "log");
	fmt_log_setup(path);
	log_path(other, sizeof(other), "data");
	capture_begin(); /* fd 2 is now another file */
	fmt_log("to the log", NULL);
	ck_assert_str_eq(capture_end(), "");
	ck_assert_str_eq(slurp(path), "libleak: to the log\n");
}
END_TEST

static Suite *
fmt_suite(void)
{
	Suite *s = suite_create("fmt");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, init_is_empty);
	tcase_add_test(tc, u64_edges);
	tcase_add_test(tc, hex_edges);
	tcase_add_loop_test(tc, numbers_match_snprintf, 0, 2);
	tcase_add_test(tc, esc_every_byte);
	tcase_add_test(tc, esc_all_bytes_at_once);
	tcase_add_test(tc, chars_strings_and_mem);
	tcase_add_loop_test(tc, random_sequences, 0, 3);
	tcase_add_test(tc, errno_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_unchecked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, log_line_to_stderr);
	tcase_add_test(tc, log_before_setup_goes_to_fd2);
	tcase_add_loop_test(tc, log_escapes_control_bytes, 0, 256);
	tcase_add_test(tc, log_escapes_a_terminal_sequence);
	tcase_add_loop_test(tc, log_truncates_at_1k, 0, 2);
	tcase_add_test(tc, log_preserves_errno);
	tcase_add_test(tc, log_to_file);
	tcase_add_test(tc, log_file_reopened_per_line);
	tcase_add_test(tc, stderr_replaced_gets_nothing);
	tcase_add_test(tc, stderr_closed_at_setup_gets_nothing);
	tcase_add_test(tc, log_file_ignores_stderr_identity);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return seeded_run(fmt_suite(), "check_fmt");
}
