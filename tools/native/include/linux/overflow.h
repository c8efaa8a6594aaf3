/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: size arithmetic that saturates at SIZE_MAX, so that an
 * overflowing size makes the allocation fail, as in the kernel.
 */
#ifndef _NATIVE_LINUX_OVERFLOW_H
#define _NATIVE_LINUX_OVERFLOW_H

#include <stddef.h>
#include <stdint.h>

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

static inline size_t size_mul(size_t a, size_t b)
{
	size_t r;

	return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}

static inline size_t size_add(size_t a, size_t b)
{
	size_t r;

	return __builtin_add_overflow(a, b, &r) ? SIZE_MAX : r;
}

#define array_size(a, b)	size_mul(a, b)
#define struct_size(p, member, count)					\
	size_add(sizeof(*(p)), size_mul(sizeof(*(p)->member), (count)))

#endif /* _NATIVE_LINUX_OVERFLOW_H */
