/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: bitrev32(), by swapping ever smaller halves. */
#ifndef _NATIVE_LINUX_BITREV_H
#define _NATIVE_LINUX_BITREV_H

#include <linux/types.h>

static inline u32 bitrev32(u32 x)
{
	x = (x >> 16) | (x << 16);
	x = ((x >> 8) & 0x00ff00ffU) | ((x & 0x00ff00ffU) << 8);
	x = ((x >> 4) & 0x0f0f0f0fU) | ((x & 0x0f0f0f0fU) << 4);
	x = ((x >> 2) & 0x33333333U) | ((x & 0x33333333U) << 2);
	return ((x >> 1) & 0x55555555U) | ((x & 0x55555555U) << 1);
}

#endif /* _NATIVE_LINUX_BITREV_H */
