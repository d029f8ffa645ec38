/*
 * leaky.c - the program `make demo` runs under libleak.
 *
 * It keeps a small address book. Three mistakes are left in on purpose:
 *   - load_greeting() returns a copy nobody frees            (1 block)
 *   - add_contact() builds a list that main() drops;
 *     each node owns a name, so the names leak with it       (3 + 3 blocks)
 *   - format_line() leaks its buffer on every call           (3 blocks)
 * The scratch buffer in count_letters() is freed and must not be reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct contact {
	char *name;                     /* owned, from strdup() */
	int age;
	struct contact *next;
};

static char *
load_greeting(void)
{
	return strdup("Hello from the address book");
}

static struct contact *
add_contact(struct contact *head, const char *name, int age)
{
	struct contact *c = malloc(sizeof(*c));

	if (c == NULL)
		return head;
	c->name = strdup(name);
	c->age = age;
	c->next = head;
	return c;
}

static char *
format_line(const struct contact *c)
{
	char *line = malloc(64);

	if (line != NULL)
		snprintf(line, 64, "%-8s %3d", c->name, c->age);
	return line;
}

static size_t
count_letters(const struct contact *head)
{
	char *scratch = calloc(256, 1);
	size_t n = 0;

	for (const struct contact *c = head; c != NULL; c = c->next)
		for (const char *p = c->name; *p != '\0'; p++)
			scratch[(unsigned char)*p]++;
	for (int i = 0; i < 256; i++)
		n += (size_t)scratch[i];
	free(scratch);
	return n;
}

int
main(void)
{
	struct contact *book = NULL;
	char *greeting = load_greeting();

	puts(greeting);
	book = add_contact(book, "ada", 36);
	book = add_contact(book, "linus", 54);
	book = add_contact(book, "grace", 85);
	for (const struct contact *c = book; c != NULL; c = c->next)
		puts(format_line(c));
	printf("%zu letters in all names\n", count_letters(book));
	book = NULL;                    /* the whole list is lost here */
	greeting = NULL;
	return 0;
}
