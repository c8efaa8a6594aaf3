/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: a seeded pseudo-random sequence per struct rnd_state.
 * Not the kernel's generator (the tests depend only on a seed giving the
 * same sequence every time): xorshift64* on a splitmix64-mixed seed.
 */
#ifndef _NATIVE_LINUX_PRANDOM_H
#define _NATIVE_LINUX_PRANDOM_H

#include <linux/types.h>

struct rnd_state {
	u64 s;
};

static inline void prandom_seed_state(struct rnd_state *state, u64 seed)
{
	u64 z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	state->s = (z ^ (z >> 31)) | 1;
}

static inline u32 prandom_u32_state(struct rnd_state *state)
{
	state->s ^= state->s >> 12;
	state->s ^= state->s << 25;
	state->s ^= state->s >> 27;
	return (state->s * 0x2545f4914f6cdd1dULL) >> 32;
}

#endif /* _NATIVE_LINUX_PRANDOM_H */
