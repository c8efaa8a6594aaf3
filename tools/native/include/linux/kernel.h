/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: the everyday macros of linux/kernel.h, minmax.h, align.h,
 * container_of.h and math.h.  The kernel's versions add type
 * checks; these compute the same values.
 */
#ifndef _NATIVE_LINUX_KERNEL_H
#define _NATIVE_LINUX_KERNEL_H

#include_next <linux/kernel.h>	/* the UAPI one, which libc needs */
#include <stddef.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/limits.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define min(a, b) ({ __auto_type __a = (a); __auto_type __b = (b); \
		     __a < __b ? __a : __b; })
#define max(a, b) ({ __auto_type __a = (a); __auto_type __b = (b); \
		     __a > __b ? __a : __b; })
#define min_t(type, a, b)	min((type)(a), (type)(b))
#define max_t(type, a, b)	max((type)(a), (type)(b))
#define clamp(v, lo, hi)	min(max(v, lo), hi)

/* @a must be a power of two, as in the kernel. */
#define ALIGN(x, a)	(((x) + ((__typeof__(x))(a) - 1)) & \
			 ~((__typeof__(x))(a) - 1))
#define round_up(x, y)		ALIGN(x, y)
#define round_down(x, y)	((x) & ~((__typeof__(x))(y) - 1))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))

#endif /* _NATIVE_LINUX_KERNEL_H */
