/*
 * markup.c - escapes strings for HTML and XML (output_html.c,
 * output_junit.c): the five special characters become entities, so a C++
 * template argument list or a function name with '&' cannot open a tag or
 * end an attribute; invalid UTF-8 becomes U+FFFD and control bytes '?', so
 * an XML parser accepts every document. Renders; computes nothing.
 */
#include <string.h>

#include "markup.h"
#include "utf8.h"

void
markup_escape_n(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *end;

	if (s == NULL)
		return;
	end = s + strnlen(str, len);
	while (s < end) {
		size_t n = utf8_len(s);

		if (n == 0 || s + n > end) {
			fputs("\xef\xbf\xbd", f);
			s++;
			continue;
		}
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if ((*s < 0x20 && *s != '\t' && *s != '\n') || *s == 0x7f)
				fputc('?', f);
			else
				fwrite(s, 1, n, f);
		}
		s += n;
	}
}

void
markup_escape(FILE *f, const char *s)
{
	if (s != NULL)
		markup_escape_n(f, s, strlen(s));
}
