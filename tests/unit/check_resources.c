/*
 * check_resources.c - track/resources.c: the descriptor table against a
 * plain array under seeded random open/close/dup2/close_range sequences,
 * the live count, descriptors 0-2 and past the table; timers and threads
 * (claim, name, exit, forget, abandon; only exited ones listed); the fork
 * child's reset; and threads opening and closing at once.
 */
#include <check.h>
#include <pthread.h>
#include <string.h>

#include "seeded.h"
#include "track/resources.h"

#define NFD 512

struct seen {
	int fds;
	uint32_t stack[NFD];
	int fn[NFD];
	bool open[NFD];
	int timers, threads;
	uint64_t tid;
	uintptr_t start;
};

static void
collect(void *ctx, const struct res_item *it)
{
	struct seen *s = ctx;

	switch (it->kind) {
	case RES_FD:
		ck_assert_uint_lt(it->id, NFD);
		ck_assert(!s->open[it->id]);
		s->open[it->id] = true;
		s->stack[it->id] = it->stack;
		s->fn[it->id] = it->fn;
		s->fds++;
		break;
	case RES_TIMER:
		s->timers++;
		break;
	case RES_THREAD:
		s->threads++;
		s->tid = it->id;
		s->start = it->aux;
		break;
	}
}

static void
setup(void)
{
	static bool done;

	if (!done)
		ck_assert(res_init(true));
	done = true;
	res_fork_child(); /* every case starts empty */
}

START_TEST(fd_table_matches_a_plain_array)
{
	struct seen s;
	uint32_t model[NFD] = { 0 };
	bool open[NFD] = { false };
	uint64_t r = seed;
	int live = 0;

	setup();
	for (int step = 0; step < 20000; step++) {
		int fd = (int)(rng_next(&r) % NFD);
		uint32_t st = (uint32_t)(rng_next(&r) % 1000);

		switch (rng_next(&r) % 4) {
		case 0:
		case 1: /* open, or dup2 over whatever is there */
			res_fd_open(fd, RES_FN_open, st);
			if (fd >= 3) {
				live += !open[fd];
				open[fd] = true;
				model[fd] = st;
			}
			break;
		case 2:
			res_fd_close(fd);
			if (fd >= 3 && open[fd]) {
				open[fd] = false;
				live--;
			}
			break;
		case 3:
			if (rng_next(&r) % 50 == 0) {
				unsigned hi = (unsigned)fd + (unsigned)(rng_next(&r) % 40);

				res_fd_close_range((unsigned)fd, hi);
				for (unsigned k = (unsigned)fd; k <= hi && k < NFD; k++)
					if (k >= 3 && open[k]) {
						open[k] = false;
						live--;
					}
			}
			break;
		}
		ck_assert_msg(res_fd_count() == (uint64_t)live, SEEDED("step %d", step));
	}
	memset(&s, 0, sizeof(s));
	res_foreach(collect, &s);
	ck_assert_int_eq(s.fds, live);
	for (int fd = 0; fd < NFD; fd++) {
		ck_assert_msg(s.open[fd] == open[fd], SEEDED("fd %d", fd));
		if (open[fd])
			ck_assert_msg(s.stack[fd] == model[fd] && s.fn[fd] == RES_FN_open,
			    SEEDED("fd %d", fd));
	}
}
END_TEST

START_TEST(fd_edges)
{
	struct seen s;

	setup();
	res_fd_open(0, RES_FN_open, 1); /* 0, 1, 2: open before the program */
	res_fd_open(2, RES_FN_dup2, 1);
	res_fd_open(-1, RES_FN_open, 1);
	uint64_t dropped = res_dropped();
	res_fd_open(1 << 30, RES_FN_open, 1); /* past any table */
	ck_assert_uint_eq(res_dropped(), dropped + 1);
	res_fd_close(1 << 30);
	res_fd_close(-5);
	ck_assert_uint_eq(res_fd_count(), 0);
	res_fd_open(7, RES_FN_socket, 0); /* stack 0: none captured, still a record */
	res_fd_open(7, RES_FN_accept, 9); /* replaced: one record */
	ck_assert_uint_eq(res_fd_count(), 1);
	memset(&s, 0, sizeof(s));
	res_foreach(collect, &s);
	ck_assert(s.fds == 1 && s.open[7] && s.stack[7] == 9 && s.fn[7] == RES_FN_accept);
	res_fd_close_range(0, ~0u);
	ck_assert_uint_eq(res_fd_count(), 0);
	ck_assert_str_eq(dump_res_fn_name(RES_FN_accept), "accept");
	ck_assert_str_eq(dump_res_fn_name(RES_FN_pthread_create), "pthread_create");
}
END_TEST

START_TEST(timers_and_threads)
{
	struct seen s;

	setup();
	res_timer_add(0, 1, 5); /* timer id 0 is a key */
	res_timer_add(0x1234, 0, 6);
	res_timer_del(0x1234);
	res_timer_del(0x9999); /* never added */
	struct res_thread *t = res_thread_claim(0x401000, 0x5000, 7);
	struct res_thread *u = res_thread_claim(0x402000, 0, 8);
	struct res_thread *v = res_thread_claim(0x403000, 0, 9);
	uintptr_t fn, arg;

	ck_assert(t != NULL && u != NULL && v != NULL);
	res_thread_name(t, 0xaaaa);
	res_thread_name(t, 0xbbbb); /* the first name wins */
	res_thread_started(t, 4242, &fn, &arg);
	ck_assert(fn == 0x401000 && arg == 0x5000);
	res_thread_started(t, 4242, &fn, &arg);
	ck_assert_uint_eq(arg, 0); /* the record keeps no copy */
	res_thread_name(u, 0xcccc);
	res_thread_abandon(v); /* pthread_create failed */
	memset(&s, 0, sizeof(s));
	res_foreach(collect, &s);
	ck_assert_int_eq(s.timers, 1);
	ck_assert_int_eq(s.threads, 0); /* running: not listed */
	res_thread_exited(t);
	res_thread_exited(u);
	res_thread_forget(0xcccc); /* joined */
	res_thread_forget(0xbbbb); /* no such thread */
	memset(&s, 0, sizeof(s));
	res_foreach(collect, &s);
	ck_assert(s.threads == 1 && s.tid == 4242 && s.start == 0x401000);
	res_thread_forget(0xaaaa);
	res_fd_open(9, RES_FN_pipe, 1);
	res_fork_child();
	memset(&s, 0, sizeof(s));
	res_foreach(collect, &s);
	ck_assert(s.fds == 0 && s.timers == 0 && s.threads == 0);
	ck_assert_uint_eq(res_fd_count(), 0);
}
END_TEST

/* A pool: 3000 threads from one stack and start routine, named, exited,
 * then joined in another order; the ones never joined stay listed. The
 * table then takes new ones again (tombstones are reused). */
START_TEST(thread_pool)
{
	static struct res_thread *t[3000];
	struct seen s;
	uintptr_t fn, arg;

	setup();
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 3000; i++) {
			t[i] = res_thread_claim(0x401000, (uintptr_t)i, 7);
			ck_assert_msg(t[i] != NULL, "round %d, thread %d", round, i);
			res_thread_name(t[i], 0x7f0000000000 + (uintptr_t)i * 0x800000);
			res_thread_started(t[i], 1000 + (uint64_t)i, &fn, &arg);
			ck_assert_uint_eq(arg, (uintptr_t)i);
			res_thread_exited(t[i]);
		}
		for (int i = 2999; i >= 10; i--)
			res_thread_forget(0x7f0000000000 + (uintptr_t)i * 0x800000);
		memset(&s, 0, sizeof(s));
		res_foreach(collect, &s);
		ck_assert_int_eq(s.threads, 10);
		for (int i = 0; i < 10; i++)
			res_thread_forget(0x7f0000000000 + (uintptr_t)i * 0x800000);
	}
}
END_TEST

/* Each thread opens and closes its own stripe of descriptors: the count
 * and the table agree at the end, whatever the interleaving. */
static void *
stripe(void *arg)
{
	int base = 3 + (int)(intptr_t)arg * 100;

	for (int round = 0; round < 2000; round++) {
		for (int k = 0; k < 100; k++)
			res_fd_open(base + k, RES_FN_open, (uint32_t)round);
		for (int k = 0; k < 100; k += 2)
			res_fd_close(base + k);
		for (int k = 1; k < 100; k += 2)
			if (round + 1 < 2000)
				res_fd_close(base + k);
	}
	return NULL;
}

START_TEST(threads_at_once)
{
	pthread_t th[4];
	struct seen s;

	setup();
	for (intptr_t i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, stripe, (void *)i);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	ck_assert_uint_eq(res_fd_count(), 4 * 50);
	memset(&s, 0, sizeof(s));
	res_foreach(collect, &s);
	ck_assert_int_eq(s.fds, 4 * 50);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("resources");
	TCase *tc = tcase_create("resources");

	tcase_add_test(tc, fd_table_matches_a_plain_array);
	tcase_add_test(tc, fd_edges);
	tcase_add_test(tc, timers_and_threads);
	tcase_add_test(tc, thread_pool);
	tcase_add_test(tc, threads_at_once);
	suite_add_tcase(s, tc);
	return seeded_run(s, "check_resources");
}
