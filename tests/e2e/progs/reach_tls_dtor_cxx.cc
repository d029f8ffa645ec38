/*
 * reach_tls_dtor_cxx.cc - a C++ thread_local object owns a 136-byte
 * buffer that its destructor frees; a worker thread and the main thread
 * (which leaves through exit()) each construct one. Expected: no leak,
 * apart from the joined thread's dynamic-loader blocks, not compared.
 */
#include <pthread.h>
#include <cstdlib>
#include <unistd.h>

struct owner {
	char *buf;
	owner() : buf(new char[136]) { buf[0] = 1; }
	~owner() { delete[] buf; }
};

static thread_local owner t_owner;

static void *
worker(void *)
{
	t_owner.buf[1] = 2;
	return nullptr;
}

int
main()
{
	pthread_t t;

	if (pthread_create(&t, nullptr, worker, nullptr) != 0 || pthread_join(t, nullptr) != 0)
		return 1;
	t_owner.buf[1] = 3;
	if (write(1, "thread_local freed\n", 19) != 19)
		return 1;
	exit(0);
}
