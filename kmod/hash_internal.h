/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between the maps of rcumap.ko (kmod/hash.c and its LRU and
 * per-CPU layers, kmod/ptab.c) and the module's set-up (kmod/main.c),
 * never seen by their users nor by the device.
 */
#ifndef _RCUMAP_HASH_INTERNAL_H
#define _RCUMAP_HASH_INTERNAL_H

#include <linux/jhash.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <asm/unaligned.h>

struct rcumap_hash;

/*
 * Tables are freed from this workqueue after a grace period
 * (queue_rcu_work()), in process context so that a large table does not
 * hold up softirq.  Module exit waits for it with rcu_barrier() followed by
 * destroy_workqueue().
 */
extern struct workqueue_struct *rcumap_wq;

/* ---- Between the hash table and its layers ------------------------- */

/*
 * jhash() of a key of @ks bytes, keys of 4 and 8 bytes (the common sizes)
 * as one jhash_1word() or jhash_2words() of their unaligned words.  The
 * hash table's bucket hash and the LRU layer's recency tag; inline, so
 * that a caller that specialises on a constant @ks gets the one case.
 */
static __always_inline u32 rcumap_jhash_key(const void *key, u32 ks, u32 seed)
{
	switch (ks) {
	case 4:
		return jhash_1word(get_unaligned((const u32 *)key), seed);
	case 8:
		return jhash_2words(get_unaligned((const u32 *)key),
				    get_unaligned((const u32 *)key + 1), seed);
	default:
		return jhash(key, ks, seed);
	}
}

int rcumap_hash_update_slack(struct rcumap_hash *h, const void *key,
			     const void *value, u32 mode, gfp_t gfp, u32 extra);

#endif /* _RCUMAP_HASH_INTERNAL_H */
