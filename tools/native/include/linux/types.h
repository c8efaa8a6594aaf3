/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: the kernel's integer types on top of the UAPI ones.
 */
#ifndef _NATIVE_LINUX_TYPES_H
#define _NATIVE_LINUX_TYPES_H

#include_next <linux/types.h>	/* __u32 and friends, from the UAPI */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

typedef unsigned int gfp_t;

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

typedef struct {
	long counter;
} atomic_long_t;

#endif /* _NATIVE_LINUX_TYPES_H */
