// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction counts per lookup, for valgrind --tool=callgrind (see
 * callgrind.sh): fixed lookup loops over a table of 10,000 8-byte keys
 * with 8-byte values, in rcumap's hash table and in liburcu's rculfhash
 * with the same hash function and bucket count.  Each loop is its own
 * function, so callgrind's inclusive count for it, less that of an empty
 * loop, divided by the number of lookups, is the cost of one lookup.
 *
 * "locked" loops take and drop liburcu's read lock around every lookup, as
 * a user-space caller must; "bare" loops hold it across the whole loop,
 * which is what a lookup costs a kernel caller on a non-preemptible
 * kernel, where rcu_read_lock() emits no instructions.
 *
 * Update mode (for callgrind.sh's update table): "icount update KS VS
 * UPDATES" builds a table of 10,000 keys of KS bytes with VS-byte values
 * and runs two loops, loop_update_replace (UPDATES replaces of present
 * keys, RCUMAP_EXIST) and loop_update_churn (UPDATES / 2 deletes, each
 * followed by the insert of the same key: the table keeps its shape).
 * callgrind.sh collects only inside one loop at a time
 * (--toggle-collect), so that every function's self cost in that run is
 * its share of the loop's updates.
 *
 * Usage: icount [LOOKUPS]	(default 200000)
 *        icount update KS VS UPDATES
 */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/jhash.h>
#include <linux/rcumap_hash.h>
#include <linux/rcupdate.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <urcu/rculfhash.h>

#include "bench.h"
#include "harness.h"

#define NR_KEYS		10000
#define NR_BUCKETS	32768
#define LFHT_SEED	0x5eed

struct lfht_entry {
	struct cds_lfht_node node;
	u64 key, value;
};

static int lfht_match(struct cds_lfht_node *node, const void *key)
{
	return container_of(node, struct lfht_entry, node)->key ==
	       *(const u64 *)key;
}

/*
 * One function per loop and key set, for callgrind to count apart; noipa
 * keeps GCC from folding the identical pairs into one.
 */
#ifdef __clang__
#define loop_fn noinline
#else
#define loop_fn __attribute__((__noipa__))
#endif

static loop_fn u64 empty_loop(const u64 *keys, u32 n)
{
	u64 acc = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		acc += keys[i];
		barrier();
	}
	return acc;
}

static __always_inline u64 rcumap_locked(struct rcumap_hash *h, const u64 *keys,
				  u32 n)
{
	u64 acc = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		const u64 *v;

		rcu_read_lock();
		v = rcumap_hash_lookup(h, &keys[i]);
		if (v)
			acc += *v;
		rcu_read_unlock();
	}
	return acc;
}

static __always_inline u64 rcumap_bare(struct rcumap_hash *h, const u64 *keys, u32 n)
{
	u64 acc = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		const u64 *v = rcumap_hash_lookup(h, &keys[i]);

		if (v)
			acc += *v;
		barrier();
	}
	return acc;
}

static __always_inline struct lfht_entry *lfht_find(struct cds_lfht *ht, u64 key)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	cds_lfht_lookup(ht, bench_hash(key, LFHT_SEED), lfht_match, &key, &iter);
	node = cds_lfht_iter_get_node(&iter);
	return node ? container_of(node, struct lfht_entry, node) : NULL;
}

static __always_inline u64 lfht_locked(struct cds_lfht *ht, const u64 *keys, u32 n)
{
	u64 acc = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		struct lfht_entry *e;

		rcu_read_lock();
		e = lfht_find(ht, keys[i]);
		if (e)
			acc += e->value;
		rcu_read_unlock();
	}
	return acc;
}

static __always_inline u64 lfht_bare(struct cds_lfht *ht, const u64 *keys, u32 n)
{
	u64 acc = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		struct lfht_entry *e = lfht_find(ht, keys[i]);

		if (e)
			acc += e->value;
		barrier();
	}
	return acc;
}


#define LOOP(name, table_type, body)					\
static loop_fn u64 name##_hit(table_type t, const u64 *keys, u32 n)	\
{									\
	return body(t, keys, n);					\
}									\
static loop_fn u64 name##_miss(table_type t, const u64 *keys, u32 n)	\
{									\
	return body(t, keys, n);					\
}

LOOP(loop_rcumap_locked, struct rcumap_hash *, rcumap_locked)
LOOP(loop_rcumap_bare, struct rcumap_hash *, rcumap_bare)
LOOP(loop_lfht_locked, struct cds_lfht *, lfht_locked)
LOOP(loop_lfht_bare, struct cds_lfht *, lfht_bare)

static u64 key_of(u64 i)
{
	return i * 0x9e3779b97f4a7c15ULL + 1;
}

/* @n keys, cycling through a shuffled @nr_distinct starting at @first. */
static u64 *make_keys(u32 n, u32 first, u32 nr_distinct)
{
	u64 *keys = malloc(n * sizeof(*keys)), rng = 42 + first;
	u32 i;

	for (i = 0; i < n; i++)
		keys[i] = key_of(first + i % nr_distinct);
	for (i = n - 1; i > 0; i--) {
		u32 j = rnd_below(&rng, i + 1);
		u64 t = keys[i];

		keys[i] = keys[j];
		keys[j] = t;
	}
	return keys;
}

/* An update-mode key or value of @size bytes made from @i. */
static void fill_bytes(u8 *buf, u32 size, u64 i)
{
	u32 j;

	for (j = 0; j < size; j++)
		buf[j] = (u8)(key_of(i) >> (8 * (j % 8))) ^ (u8)j;
}

/* UPDATES replaces of present keys, in shuffled order. */
static loop_fn u64 loop_update_replace(struct rcumap_hash *h, const u8 *keys,
				       const u32 *order, u32 ks, const u8 *v,
				       u32 n)
{
	u64 bad = 0;
	u32 i;

	for (i = 0; i < n; i++)
		bad += !!rcumap_hash_update(h, keys + (size_t)order[i] * ks, v,
					    RCUMAP_EXIST, GFP_KERNEL);
	return bad;
}

/* UPDATES / 2 delete-and-insert pairs of present keys. */
static loop_fn u64 loop_update_churn(struct rcumap_hash *h, const u8 *keys,
				     const u32 *order, u32 ks, const u8 *v,
				     u32 n)
{
	u64 bad = 0;
	u32 i;

	for (i = 0; i < n / 2; i++) {
		const u8 *k = keys + (size_t)order[i] * ks;

		bad += !!rcumap_hash_delete(h, k);
		bad += !!rcumap_hash_update(h, k, v, RCUMAP_NOEXIST,
					    GFP_KERNEL);
	}
	return bad;
}

static int update_mode(u32 ks, u32 vs, u32 n)
{
	struct rcumap_hash_params p = {
		.key_size = ks,
		.value_size = vs,
		.max_entries = 2 * NR_KEYS,
		.nr_buckets = NR_BUCKETS,
	};
	u8 *keys = malloc((size_t)NR_KEYS * ks), *v = calloc(1, vs + 1);
	u32 *order = malloc(n * sizeof(*order)), i;
	u64 rng = 42, bad = 0;
	struct rcumap_hash *h;

	native_random_seed(1);	/* the same buckets every run */
	native_init();
	h = rcumap_hash_create(&p, GFP_KERNEL);
	if (IS_ERR(h) || !keys || !v || !order)
		abort();
	for (i = 0; i < NR_KEYS; i++) {
		fill_bytes(keys + (size_t)i * ks, ks, i);
		if (rcumap_hash_update(h, keys + (size_t)i * ks, v,
				       RCUMAP_NOEXIST, GFP_KERNEL))
			abort();
	}
	for (i = 0; i < n; i++)
		order[i] = rnd_below(&rng, NR_KEYS);
	bad += loop_update_replace(h, keys, order, ks, v, n);
	bad += loop_update_churn(h, keys, order, ks, v, n);
	rcumap_hash_destroy(h);
	rcumap_hash_barrier();
	printf("updates per loop: %u, %u-byte keys, %u-byte values (failed %llu)\n",
	       n, ks, vs, (unsigned long long)bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	u32 n, i;
	struct rcumap_hash_params p = {
		.key_size = 8,
		.value_size = 8,
		.max_entries = 2 * NR_KEYS,
		.nr_buckets = NR_BUCKETS,
	};
	struct rcumap_hash *h;
	struct cds_lfht *ht;
	u64 *hits, *misses, sum = 0;

	if (argc == 5 && !strcmp(argv[1], "update"))
		return update_mode(atoi(argv[2]), atoi(argv[3]),
				   atoi(argv[4]));
	n = argc > 1 ? atoi(argv[1]) : 200000;
	native_random_seed(1);	/* the same buckets every run */
	native_init();
	h = rcumap_hash_create(&p, GFP_KERNEL);
	ht = cds_lfht_new_flavor(NR_BUCKETS, NR_BUCKETS, NR_BUCKETS, 0,
				 &urcu_memb_flavor, NULL);
	if (IS_ERR(h) || !ht)
		abort();
	for (i = 0; i < NR_KEYS; i++) {
		struct lfht_entry *e = malloc(sizeof(*e));
		u64 key = key_of(i), value = i;

		if (rcumap_hash_update(h, &key, &value, RCUMAP_NOEXIST,
				       GFP_KERNEL))
			abort();
		e->key = key;
		e->value = value;
		cds_lfht_node_init(&e->node);
		rcu_read_lock();
		cds_lfht_add(ht, bench_hash(key, LFHT_SEED), &e->node);
		rcu_read_unlock();
	}
	hits = make_keys(n, 0, NR_KEYS);
	misses = make_keys(n, NR_KEYS, NR_KEYS);

	sum += empty_loop(hits, n);
	sum += loop_rcumap_locked_hit(h, hits, n);
	sum += loop_rcumap_locked_miss(h, misses, n);
	sum += loop_lfht_locked_hit(ht, hits, n);
	sum += loop_lfht_locked_miss(ht, misses, n);
	rcu_read_lock();
	sum += loop_rcumap_bare_hit(h, hits, n);
	sum += loop_rcumap_bare_miss(h, misses, n);
	sum += loop_lfht_bare_hit(ht, hits, n);
	sum += loop_lfht_bare_miss(ht, misses, n);
	rcu_read_unlock();
	printf("lookups per loop: %u (checksum %llx)\n", n,
	       (unsigned long long)sum);
	return 0;
}
