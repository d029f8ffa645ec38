/*
 * tally.c - a tiny word counter (see tally.h): a list of distinct words,
 * each copied into a block of its own, with its count.
 */
#include <stdlib.h>
#include <string.h>

#include "tally.h"

struct word {
	struct word *next;
	unsigned count;
	char *text;             /* owned, NUL-terminated */
};

struct tally {
	struct word *head;
	size_t size;            /* words in the list */
};

struct tally *
tally_new(void)
{
	return calloc(1, sizeof(struct tally));
}

static struct word *
find(const struct tally *t, const char *word)
{
	for (struct word *w = t->head; w != NULL; w = w->next)
		if (strcmp(w->text, word) == 0)
			return w;
	return NULL;
}

int
tally_add(struct tally *t, const char *word)
{
	struct word *w = find(t, word);

	if (w == NULL) {
		w = malloc(sizeof(*w));
		if (w == NULL)
			return -1;
		w->text = strdup(word);
		if (w->text == NULL) {
			free(w);
			return -1;
		}
		w->count = 0;
		w->next = t->head;
		t->head = w;
		t->size++;
	}
	w->count++;
	return 0;
}

unsigned
tally_count(const struct tally *t, const char *word)
{
	const struct word *w = find(t, word);

	return w != NULL ? w->count : 0;
}

size_t
tally_size(const struct tally *t)
{
	return t->size;
}

void
tally_free(struct tally *t)
{
	if (t == NULL)
		return;
	for (struct word *w = t->head, *next; w != NULL; w = next) {
		next = w->next;
		free(w->text);
		free(w);
	}
	free(t);
}
