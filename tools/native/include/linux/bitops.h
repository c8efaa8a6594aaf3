/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: the bit searches of linux/bitops.h that kmod/ uses. */
#ifndef _NATIVE_LINUX_BITOPS_H
#define _NATIVE_LINUX_BITOPS_H

#include <linux/bits.h>
#include <linux/types.h>

/* Index of the lowest set bit of @word, which must not be zero. */
static inline unsigned int __ffs64(u64 word)
{
	return __builtin_ctzll(word);
}

#define BITS_PER_LONG		64
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define BITS_TO_LONGS(nr)	(((nr) + BITS_PER_LONG - 1) / BITS_PER_LONG)

/* The non-atomic bit operations on a bitmap of unsigned longs. */
static inline void __set_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= 1UL << (nr % BITS_PER_LONG);
}

static inline void __clear_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~(1UL << (nr % BITS_PER_LONG));
}

static inline bool test_bit(unsigned long nr, const unsigned long *addr)
{
	return addr[BIT_WORD(nr)] >> (nr % BITS_PER_LONG) & 1;
}

#endif /* _NATIVE_LINUX_BITOPS_H */
