/* test_add.c - adding words: distinct words are counted once each. */
#define TEST_NAME "test_add"
#include "check.h"
#include "tally.h"

int
main(void)
{
	struct tally *t = tally_new();

	CHECK(t != NULL);
	CHECK(tally_add(t, "apple") == 0);
	CHECK(tally_add(t, "pear") == 0);
	CHECK(tally_add(t, "apple") == 0);
	CHECK(tally_size(t) == 2);
	tally_free(t);
	return check_done();
}
