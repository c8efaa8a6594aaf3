/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: kmalloc() and kvmalloc() on top of the C library.
 *
 * Sizes and alignment follow SLUB's kmalloc caches: a request is served
 * from the cache of kmalloc_size_roundup(size) bytes, whose objects are
 * aligned to the largest power of two dividing that size (so power-of-two
 * sizes are naturally aligned), pages above two pages.  Only @size bytes
 * are handed out, so ASan sees any overrun.  Debug builds count live
 * allocations and can make chosen allocations fail (see native.h).
 */
#ifndef _NATIVE_LINUX_SLAB_H
#define _NATIVE_LINUX_SLAB_H

#include <stddef.h>
#include <linux/gfp.h>
#include <linux/overflow.h>

#define KMALLOC_MAX_CACHE_SIZE	8192UL
#define KMALLOC_MAX_SIZE	(4UL << 20)

void *native_kmalloc(size_t size, gfp_t gfp, size_t max_size);
void native_kfree(const void *ptr);
size_t kmalloc_size_roundup(size_t size);

static inline void *kmalloc(size_t size, gfp_t gfp)
{
	return native_kmalloc(size, gfp, KMALLOC_MAX_SIZE);
}

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc(size_mul(n, size), gfp);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}

static inline void kfree(const void *ptr)
{
	native_kfree(ptr);
}

/* kvmalloc() falls back to vmalloc(), which takes anything up to INT_MAX. */
static inline void *kvmalloc(size_t size, gfp_t gfp)
{
	return native_kmalloc(size, gfp, 0x7fffffffUL);
}

static inline void *kvzalloc(size_t size, gfp_t gfp)
{
	return kvmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kvmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	return kvmalloc(size_mul(n, size), gfp);
}

static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kvmalloc_array(n, size, gfp | __GFP_ZERO);
}

static inline void kvfree(const void *ptr)
{
	native_kfree(ptr);
}

#endif /* _NATIVE_LINUX_SLAB_H */
