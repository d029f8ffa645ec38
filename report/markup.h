/*
 * markup.h - strings from dumps and debug info inside HTML and XML (the
 * html and junit outputs). See markup.c.
 */
#ifndef LEAKREPORT_MARKUP_H
#define LEAKREPORT_MARKUP_H

#include <stdio.h>

/*
 * Writes s as character data or an attribute value (either quote): '&',
 * '<', '>', '"' and '\'' as entities, bytes that are not valid UTF-8 as
 * U+FFFD, control bytes other than tab and newline (XML 1.0 allows no other)
 * as '?'. NULL writes nothing. Does not allocate.
 */
void markup_escape(FILE *f, const char *s);

/* The same for the first n bytes of s (a string that may hold NULs is cut
 * at the first). */
void markup_escape_n(FILE *f, const char *s, size_t n);

#endif /* LEAKREPORT_MARKUP_H */
