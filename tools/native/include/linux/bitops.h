/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: the bit searches of linux/bitops.h that kmod/ uses, and
 * the non-atomic bit operations of the tests.
 */
#ifndef _NATIVE_LINUX_BITOPS_H
#define _NATIVE_LINUX_BITOPS_H

#include <linux/bits.h>
#include <stdbool.h>
#include <linux/types.h>

/* Index of the lowest set bit of @word, which must not be zero. */
static inline unsigned int __ffs64(u64 word)
{
	return __builtin_ctzll(word);
}

#define BITS_PER_LONG		64
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits)	unsigned long name[BITS_TO_LONGS(bits)]

static inline bool test_bit(unsigned long nr, const unsigned long *addr)
{
	return addr[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG) & 1;
}

static inline void __set_bit(unsigned long nr, unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

static inline void __clear_bit(unsigned long nr, unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] &= ~(1UL << (nr % BITS_PER_LONG));
}

static inline bool __test_and_set_bit(unsigned long nr, unsigned long *addr)
{
	bool old = test_bit(nr, addr);

	__set_bit(nr, addr);
	return old;
}

#endif /* _NATIVE_LINUX_BITOPS_H */
