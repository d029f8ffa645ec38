/* test_free.c - freeing: an empty tally, a full one, and NULL. */
#define TEST_NAME "test_free"
#include "check.h"
#include "tally.h"

int
main(void)
{
	struct tally *t = tally_new();

	CHECK(t != NULL);
	tally_free(t);
	t = tally_new();
	CHECK(t != NULL);
	for (int i = 0; i < 50; i++)
		CHECK(tally_add(t, i % 2 ? "odd" : "even") == 0);
	CHECK(tally_size(t) == 2);
	tally_free(t);
	tally_free(NULL);
	return check_done();
}
