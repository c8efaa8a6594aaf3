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

#endif /* _NATIVE_LINUX_BITOPS_H */
