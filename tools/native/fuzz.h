/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer targets: set-up, reclaim and CHECK().
 *
 * Tables a fuzz input destroys are freed after a grace period.  Waiting
 * for one after every input would cap the fuzzers at a hundred or so
 * inputs a second (a call_rcu thread sleeps 10 ms between batches), so
 * native_barrier() runs every NATIVE_FUZZ_RECLAIM inputs,
 * and then nothing may be left allocated: a leak check that, unlike
 * libFuzzer's own (run them with -detect_leaks=0), understands deferred
 * frees.
 */
#ifndef _NATIVE_FUZZ_H
#define _NATIVE_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rcupdate.h>

#include "native.h"

#define NATIVE_FUZZ_RECLAIM	4096

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
			__LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

static long fuzz_live_at_start;

static inline void native_fuzz_init(void)
{
	native_init();
	native_warn_fatal = true;
	fuzz_live_at_start = native_allocs_live();
}

static inline void native_fuzz_reclaim(void)
{
	static unsigned int inputs;

	if (++inputs % NATIVE_FUZZ_RECLAIM)
		return;
	native_barrier();
	if (fuzz_live_at_start >= 0 &&
	    native_allocs_live() != fuzz_live_at_start) {
		fprintf(stderr, "%ld allocations leaked over the last %d inputs\n",
			native_allocs_live() - fuzz_live_at_start,
			NATIVE_FUZZ_RECLAIM);
		abort();
	}
}

/*
 * The keys of the fuzzers: key @id (below 256) is @id followed by fixed
 * bytes, so that a key read back from a table names its id, or is not a
 * key that was ever written (-1).
 */
static inline void fuzz_make_key(u8 *key, u32 key_size, u32 id)
{
	u32 i;

	key[0] = id;
	for (i = 1; i < key_size; i++)
		key[i] = (u8)(i * 29 + 3);
}

static inline int fuzz_key_id(const u8 *key, u32 key_size, u32 nr_ids)
{
	u8 want[64];

	fuzz_make_key(want, key_size, key[0]);
	if (key[0] >= nr_ids || memcmp(key, want, key_size))
		return -1;
	return key[0];
}

#endif /* _NATIVE_FUZZ_H */
