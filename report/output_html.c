#include "output_html.h"

int
output_html(FILE *f, const struct report *r, const struct trend *t)
{
	(void)r;
	(void)t;
	fputs("<!DOCTYPE html>\n", f);
	return ferror(f) ? -1 : 0;
}
