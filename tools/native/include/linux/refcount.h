/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: refcount_t, for kmod/internal.h's struct rcumap_file,
 * which the maps never touch.  The type and the calls the device code
 * makes, on atomic_t, without the kernel's saturation checks.
 */
#ifndef _NATIVE_LINUX_REFCOUNT_H
#define _NATIVE_LINUX_REFCOUNT_H

#include <linux/atomic.h>

typedef struct {
	atomic_t refs;
} refcount_t;

static inline void refcount_set(refcount_t *r, int n)
{
	atomic_set(&r->refs, n);
}

static inline void refcount_inc(refcount_t *r)
{
	atomic_inc(&r->refs);
}

static inline bool refcount_dec_and_test(refcount_t *r)
{
	return atomic_dec_and_test(&r->refs);
}

#endif /* _NATIVE_LINUX_REFCOUNT_H */
