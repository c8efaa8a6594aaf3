/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: jhash, Bob Jenkins' lookup3 hash (public domain), written
 * afresh for this shim.  It computes the same values as the kernel's
 * linux/jhash.h for the same arguments on a little-endian machine: the
 * known answers in tools/native/test_shim.c pin that down.
 */
#ifndef _NATIVE_LINUX_JHASH_H
#define _NATIVE_LINUX_JHASH_H

#include <linux/types.h>
#include <asm/unaligned.h>

#define JHASH_INITVAL		0xdeadbeef

static inline u32 __native_jhash_rot(u32 w, unsigned int s)
{
	return (w << s) | (w >> ((32 - s) & 31));
}

/* lookup3's mix(): three words in, three words stirred. */
#define __jhash_mix(a, b, c) do {					\
	a -= c; a ^= __native_jhash_rot(c, 4);  c += b;			\
	b -= a; b ^= __native_jhash_rot(a, 6);  a += c;			\
	c -= b; c ^= __native_jhash_rot(b, 8);  b += a;			\
	a -= c; a ^= __native_jhash_rot(c, 16); c += b;			\
	b -= a; b ^= __native_jhash_rot(a, 19); a += c;			\
	c -= b; c ^= __native_jhash_rot(b, 4);  b += a;			\
} while (0)

/* lookup3's final(): the last avalanche into c. */
#define __jhash_final(a, b, c) do {					\
	c ^= b; c -= __native_jhash_rot(b, 14);				\
	a ^= c; a -= __native_jhash_rot(c, 11);				\
	b ^= a; b -= __native_jhash_rot(a, 25);				\
	c ^= b; c -= __native_jhash_rot(b, 16);				\
	a ^= c; a -= __native_jhash_rot(c, 4);				\
	b ^= a; b -= __native_jhash_rot(a, 14);				\
	c ^= b; c -= __native_jhash_rot(b, 24);				\
} while (0)

/* Hash @length bytes at @key; whole words are read in CPU byte order. */
static inline u32 jhash(const void *key, u32 length, u32 initval)
{
	const u8 *k = key;
	u32 a, b, c;

	a = b = c = JHASH_INITVAL + length + initval;
	for (; length > 12; length -= 12, k += 12) {
		a += get_unaligned((const u32 *)k);
		b += get_unaligned((const u32 *)(k + 4));
		c += get_unaligned((const u32 *)(k + 8));
		__jhash_mix(a, b, c);
	}
	/* The last 1 to 12 bytes, least significant byte first. */
	switch (length) {
	case 12: c += (u32)k[11] << 24; __attribute__((__fallthrough__));
	case 11: c += (u32)k[10] << 16; __attribute__((__fallthrough__));
	case 10: c += (u32)k[9] << 8;   __attribute__((__fallthrough__));
	case 9:  c += k[8];             __attribute__((__fallthrough__));
	case 8:  b += (u32)k[7] << 24;  __attribute__((__fallthrough__));
	case 7:  b += (u32)k[6] << 16;  __attribute__((__fallthrough__));
	case 6:  b += (u32)k[5] << 8;   __attribute__((__fallthrough__));
	case 5:  b += k[4];             __attribute__((__fallthrough__));
	case 4:  a += (u32)k[3] << 24;  __attribute__((__fallthrough__));
	case 3:  a += (u32)k[2] << 16;  __attribute__((__fallthrough__));
	case 2:  a += (u32)k[1] << 8;   __attribute__((__fallthrough__));
	case 1:  a += k[0];
		__jhash_final(a, b, c);
		break;
	default:	/* 0: nothing left, and no final mix */
		break;
	}
	return c;
}

/* Hash @length 32-bit words at @k. */
static inline u32 jhash2(const u32 *k, u32 length, u32 initval)
{
	u32 a, b, c;

	a = b = c = JHASH_INITVAL + (length << 2) + initval;
	for (; length > 3; length -= 3, k += 3) {
		a += k[0];
		b += k[1];
		c += k[2];
		__jhash_mix(a, b, c);
	}
	switch (length) {
	case 3: c += k[2]; __attribute__((__fallthrough__));
	case 2: b += k[1]; __attribute__((__fallthrough__));
	case 1: a += k[0];
		__jhash_final(a, b, c);
		break;
	default:
		break;
	}
	return c;
}

/* One, two or three words: the seed absorbs the length, then one final(). */
static inline u32 __jhash_nwords(u32 a, u32 b, u32 c, u32 initval)
{
	a += initval;
	b += initval;
	c += initval;
	__jhash_final(a, b, c);
	return c;
}

static inline u32 jhash_3words(u32 a, u32 b, u32 c, u32 initval)
{
	return __jhash_nwords(a, b, c, initval + JHASH_INITVAL + (3 << 2));
}

static inline u32 jhash_2words(u32 a, u32 b, u32 initval)
{
	return __jhash_nwords(a, b, 0, initval + JHASH_INITVAL + (2 << 2));
}

static inline u32 jhash_1word(u32 a, u32 initval)
{
	return __jhash_nwords(a, 0, 0, initval + JHASH_INITVAL + (1 << 2));
}

#endif /* _NATIVE_LINUX_JHASH_H */
