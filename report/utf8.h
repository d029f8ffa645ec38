/*
 * utf8.h - which bytes of a string from a dump or from debug info are valid
 * UTF-8: the one test that every output escaping strings uses (JSON writes
 * \ufffd for a byte that is not, HTML and XML U+FFFD).
 */
#ifndef LEAKREPORT_UTF8_H
#define LEAKREPORT_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (NUL-terminated), or 0 when it
 * is not one (overlong forms, surrogates and code points above U+10FFFF
 * are not). Does not allocate. */
static inline size_t
utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

#endif /* LEAKREPORT_UTF8_H */
