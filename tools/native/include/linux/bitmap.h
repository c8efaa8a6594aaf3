/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: the bitmap helpers the tests use. */
#ifndef _NATIVE_LINUX_BITMAP_H
#define _NATIVE_LINUX_BITMAP_H

#include <string.h>
#include <linux/bitops.h>
#include <linux/slab.h>

static inline void bitmap_zero(unsigned long *map, unsigned int nbits)
{
	memset(map, 0, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline void bitmap_fill(unsigned long *map, unsigned int nbits)
{
	memset(map, 0xff, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline unsigned int bitmap_weight(const unsigned long *map,
					 unsigned int nbits)
{
	unsigned int i, w = 0;

	for (i = 0; i < nbits; i++)
		w += test_bit(i, map);
	return w;
}

static inline bool bitmap_full(const unsigned long *map, unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < nbits; i++)
		if (!test_bit(i, map))
			return false;
	return true;
}

static inline unsigned long *bitmap_zalloc(unsigned int nbits, gfp_t gfp)
{
	return kcalloc(BITS_TO_LONGS(nbits), sizeof(long), gfp);
}

static inline void bitmap_free(const unsigned long *map)
{
	kfree(map);
}

#endif /* _NATIVE_LINUX_BITMAP_H */
