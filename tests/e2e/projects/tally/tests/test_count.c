/* test_count.c - counting: each word's count, 0 for a word never added. */
#define TEST_NAME "test_count"
#include "check.h"
#include "tally.h"

int
main(void)
{
	struct tally *t = tally_new();
	char word[16];

	CHECK(t != NULL);
	for (int i = 0; i < 100; i++) {
		snprintf(word, sizeof(word), "w%d", i % 7);
		CHECK(tally_add(t, word) == 0);
	}
	CHECK(tally_count(t, "w0") == 15);
	CHECK(tally_count(t, "w6") == 14);
	CHECK(tally_count(t, "none") == 0);
	tally_free(t);
	return check_done();
}
