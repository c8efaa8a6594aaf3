/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: the C library's string functions, and the kernel's own
 * that the tests use.
 */
#ifndef _NATIVE_LINUX_STRING_H
#define _NATIVE_LINUX_STRING_H

#include <string.h>
#include <sys/types.h>

/* Copy @src, truncated and always terminated: length, or -E2BIG if cut. */
static inline ssize_t strscpy(char *dst, const char *src, size_t size)
{
	size_t i;

	if (!size)
		return -7;	/* E2BIG */
	for (i = 0; i < size - 1 && src[i]; i++)
		dst[i] = src[i];
	dst[i] = 0;
	return src[i] ? -7 : (ssize_t)i;
}

/* The first byte of @start[0, @bytes) that is not @c, or NULL. */
static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const unsigned char *p = start;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (p[i] != (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

#endif /* _NATIVE_LINUX_STRING_H */
