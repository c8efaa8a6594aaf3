// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the bulk lookups of the hash-like tables:
 * rcumap_hash_lookup_bulk() and its _copy(), per-CPU and LRU twins (the
 * LRU's marking is tested with the other ways of marking, in
 * hash_lru_kunit.c).  The one property they pin down is that a bulk lookup
 * of N keys finds exactly what N single lookups find, in every layout,
 * for every key-size path, and in a table a resize has left half moved.
 *
 * Suites:
 *  rcumap_hash_bulk        - against single lookups, every layout and path.
 *  rcumap_hash_bulk_fault  - in tables that a failed resize left half moved.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rcumap_hash.h>
#include <linux/rcumap_hash_percpu.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "fail_nth.h"

/*
 * Queries per call: not a multiple of the table's group of 16, so the
 * last group of each call is a partial one.
 */
#define BULK_N		53

/* Fill @key (@size bytes) with a pattern unique to @i. */
static void bulk_key(u8 *key, u32 size, u32 i)
{
	u32 j;

	for (j = 0; j < size; j++)
		key[j] = j < 4 ? (u8)(i >> (8 * j)) : (u8)(i * 29 + j);
}

static void bulk_value(u8 *value, u32 size, u32 i)
{
	u32 j;

	for (j = 0; j < size; j++)
		value[j] = (u8)(i * 11 + j + 1);
}

struct bulk_case {
	const char *name;
	u32 key_size;
	u32 value_size;
	bool indirect;
};

/* Each path rcumap_hash_lookup_bulk() picks, in each layout. */
static const struct bulk_case bulk_cases[] = {
	{ "8-byte keys, inline", 8, 8, false },
	{ "4-byte keys, inline", 4, 16, false },
	{ "12-byte keys, inline", 12, 4, false },
	{ "8-byte keys, out of line", 8, 8, true },
	{ "12-byte keys, 200-byte values, out of line", 12, 200, true },
	{ "8-byte keys, no value", 8, 0, false },
};

static void bulk_desc(const struct bulk_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bulk, bulk_cases, bulk_desc);

static struct rcumap_hash *bulk_table(struct kunit *test,
				      const struct bulk_case *c, u32 max,
				      u32 nr_buckets)
{
	struct rcumap_hash_params p = {
		.key_size = c->key_size,
		.value_size = c->value_size,
		.max_entries = max,
		.nr_buckets = nr_buckets,
	};
	struct rcumap_hash *h = rcumap_hash_kunit_create(&p, GFP_KERNEL,
							 c->indirect);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	return h;
}

/* Insert keys 0, 2, 4, ... (@n of them): odd keys are misses. */
static void bulk_fill(struct kunit *test, struct rcumap_hash *h, u32 n)
{
	u32 ks = rcumap_hash_key_size(h), vs = rcumap_hash_value_size(h);
	u8 *key = kunit_kzalloc(test, ks, GFP_KERNEL);
	u8 *value = kunit_kzalloc(test, vs + 1, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, key);
	KUNIT_ASSERT_NOT_NULL(test, value);
	for (i = 0; i < n; i++) {
		bulk_key(key, ks, 2 * i);
		bulk_value(value, vs, 2 * i);
		KUNIT_ASSERT_EQ(test, rcumap_hash_update(h, key, value,
							 RCUMAP_NOEXIST,
							 GFP_KERNEL), 0);
	}
}

/*
 * Queries for round @r: keys from 0 to about 2 * @n, present and absent
 * mixed, with a key repeated (query 7 asks for query 3's key).
 */
static u32 bulk_queries(u8 *keys, u32 ks, u32 n, u32 r)
{
	u32 i;

	for (i = 0; i < BULK_N; i++)
		bulk_key(keys + i * ks, ks, (r * BULK_N + i * 13) % (2 * n + 3));
	memcpy(keys + 7 * ks, keys + 3 * ks, ks);
	return BULK_N;
}

/*
 * Compare a bulk lookup with single lookups of the same keys: the same
 * entry (the same pointer), or a miss, for each; the count of hits.
 */
static void bulk_check_against_single(struct kunit *test,
				      const struct rcumap_hash *h,
				      const u8 *keys, u32 nq)
{
	u32 ks = rcumap_hash_key_size(h), i, hits = 0, found;
	void **v = kunit_kcalloc(test, nq, sizeof(*v), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, v);
	rcu_read_lock();
	found = rcumap_hash_lookup_bulk(h, keys, nq, v);
	for (i = 0; i < nq; i++) {
		void *one = rcumap_hash_lookup(h, keys + i * ks);

		KUNIT_EXPECT_TRUE_MSG(test, v[i] == one, "query %u", i);
		hits += !!one;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, found, hits);
	kunit_kfree(test, v);
}

static void bulk_finds_what_single_lookups_find(struct kunit *test)
{
	const struct bulk_case *c = test->param_value;
	const u32 n = 300;
	struct rcumap_hash *h = bulk_table(test, c, n, 64);
	u8 *keys = kunit_kcalloc(test, BULK_N, c->key_size, GFP_KERNEL);
	u32 r, nq;

	KUNIT_ASSERT_NOT_NULL(test, keys);
	bulk_fill(test, h, n);
	for (r = 0; r < 24; r++) {
		nq = bulk_queries(keys, c->key_size, n, r);
		bulk_check_against_single(test, h, keys, nq);
		/* Fewer than a group, and none at all. */
		bulk_check_against_single(test, h, keys, r % 16);
	}
	rcumap_hash_destroy(h);
}

/*
 * The copy variant: each hit's value is copied and its bit set; a miss
 * clears its bit and leaves its buffer as it was.
 */
static void bulk_copy_fills_hits_and_leaves_misses(struct kunit *test)
{
	const struct bulk_case *c = test->param_value;
	const u32 n = 200, ks = c->key_size, vs = c->value_size;
	struct rcumap_hash *h = bulk_table(test, c, n, 32);
	u8 *keys = kunit_kcalloc(test, BULK_N, ks, GFP_KERNEL);
	u8 *values = kunit_kcalloc(test, BULK_N, vs + 1, GFP_KERNEL);
	u8 *one = kunit_kzalloc(test, vs + 1, GFP_KERNEL);
	unsigned long *found = kunit_kcalloc(test, BITS_TO_LONGS(BULK_N),
					     sizeof(*found), GFP_KERNEL);
	u32 r, i, hits;

	KUNIT_ASSERT_NOT_NULL(test, keys);
	KUNIT_ASSERT_NOT_NULL(test, values);
	KUNIT_ASSERT_NOT_NULL(test, one);
	KUNIT_ASSERT_NOT_NULL(test, found);
	bulk_fill(test, h, n);
	for (r = 0; r < 8; r++) {
		bulk_queries(keys, ks, n, r);
		memset(values, 0xa5, BULK_N * vs);
		bitmap_fill(found, BULK_N);
		hits = rcumap_hash_lookup_bulk_copy(h, keys, BULK_N, values,
						    found);
		KUNIT_EXPECT_EQ(test, hits, bitmap_weight(found, BULK_N));
		KUNIT_EXPECT_GT(test, hits, 0U);
		KUNIT_EXPECT_LT(test, hits, (u32)BULK_N);
		for (i = 0; i < BULK_N; i++) {
			int err = rcumap_hash_lookup_copy(h, keys + i * ks, one);

			KUNIT_EXPECT_EQ_MSG(test, test_bit(i, found), !err,
					    "query %u", i);
			if (err)
				memset(one, 0xa5, vs);
			KUNIT_EXPECT_EQ_MSG(test, memcmp(values + i * vs, one,
							 vs), 0, "query %u", i);
		}
	}
	rcumap_hash_destroy(h);
}

/* The per-CPU table's bulk calls, against its single ones. */
static void percpu_bulk_matches_single_lookups(struct kunit *test)
{
	struct rcumap_hash_params p = {
		.key_size = 4, .value_size = 12, .max_entries = 128,
	};
	struct rcumap_percpu_hash *ph = rcumap_percpu_hash_create(&p, GFP_KERNEL);
	void __percpu **areas = kunit_kcalloc(test, BULK_N, sizeof(*areas),
					      GFP_KERNEL);
	u32 *keys = kunit_kcalloc(test, BULK_N, sizeof(*keys), GFP_KERNEL);
	DECLARE_BITMAP(found, BULK_N);
	u32 i, hits, ref = 0;
	u8 *values, *one;
	size_t vs;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ph);
	KUNIT_ASSERT_NOT_NULL(test, areas);
	KUNIT_ASSERT_NOT_NULL(test, keys);
	vs = rcumap_percpu_hash_values_size(ph);
	values = kunit_kcalloc(test, BULK_N, vs, GFP_KERNEL);
	one = kunit_kzalloc(test, vs, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, values);
	KUNIT_ASSERT_NOT_NULL(test, one);
	for (i = 0; i < 128; i += 2) {
		memset(one, i + 1, vs);
		KUNIT_ASSERT_EQ(test, rcumap_percpu_hash_update(ph, &i, one,
								RCUMAP_NOEXIST,
								GFP_KERNEL), 0);
	}
	for (i = 0; i < BULK_N; i++)
		keys[i] = (i * 37) % 150;

	rcu_read_lock();
	hits = rcumap_percpu_hash_lookup_bulk(ph, keys, BULK_N, areas);
	for (i = 0; i < BULK_N; i++) {
		void __percpu *a = rcumap_percpu_hash_lookup(ph, &keys[i]);

		KUNIT_EXPECT_TRUE_MSG(test, areas[i] == a, "query %u", i);
		ref += !!a;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, hits, ref);
	KUNIT_EXPECT_GT(test, hits, 0U);

	bitmap_fill(found, BULK_N);
	memset(values, 0x5a, BULK_N * vs);
	KUNIT_EXPECT_EQ(test, rcumap_percpu_hash_lookup_bulk_copy(ph, keys, BULK_N,
								  values, found),
			ref);
	for (i = 0; i < BULK_N; i++) {
		int err = rcumap_percpu_hash_lookup_copy(ph, &keys[i], one);

		KUNIT_EXPECT_EQ_MSG(test, test_bit(i, found), !err, "query %u", i);
		if (err)
			memset(one, 0x5a, vs);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(values + i * vs, one, vs), 0,
				    "query %u", i);
	}
	rcumap_percpu_hash_destroy(ph);
}

static struct kunit_case rcumap_hash_bulk_cases[] = {
	KUNIT_CASE_PARAM(bulk_finds_what_single_lookups_find, bulk_gen_params),
	KUNIT_CASE_PARAM(bulk_copy_fills_hits_and_leaves_misses,
			 bulk_gen_params),
	KUNIT_CASE(percpu_bulk_matches_single_lookups),
	{}
};

static struct kunit_suite rcumap_hash_bulk_suite = {
	.name = "rcumap_hash_bulk",
	.test_cases = rcumap_hash_bulk_cases,
};

/*
 * A resize that fails part-way leaves a table whose moved buckets hold
 * the forwarding marker: a bulk lookup must follow it for the keys it
 * hashes there, in the same group as keys whose buckets have not moved.
 * Fail each allocation of a growing and of a shrinking resize in turn,
 * and compare with single lookups (which follow the marker too, and which
 * the resize suites check against the keys inserted) each time.
 */
static void bulk_follows_a_half_moved_table(struct kunit *test)
{
	/*
	 * Small, so that a sweep is short: each bucket of a growing resize
	 * splits into 16, each of a shrinking one merges 16, about 70
	 * allocations to fail in turn, with 64 keys refilled before each.
	 */
	static const u32 sizes[][2] = { { 4, 64 }, { 64, 4 } };
	const struct bulk_case *c = test->param_value;
	const u32 n = 64;
	u8 *keys = kunit_kcalloc(test, BULK_N, c->key_size, GFP_KERNEL);
	u32 s, nth, r, failures = 0;

	KUNIT_ASSERT_NOT_NULL(test, keys);
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (nth = 1; nth < 1000; nth++) {
			struct rcumap_hash *h = bulk_table(test, c, n,
							   sizes[s][0]);
			bool fired;
			int err;

			bulk_fill(test, h, n);
			fail_nth_arm(nth);
			err = rcumap_hash_resize(h, sizes[s][1]);
			fired = fail_nth_fired();
			if (err) {
				KUNIT_EXPECT_EQ(test, err, -ENOMEM);
				failures++;
			}
			for (r = 0; r < 8; r++) {
				bulk_queries(keys, c->key_size, n, r);
				bulk_check_against_single(test, h, keys, BULK_N);
			}
			rcumap_hash_destroy(h);
			if (!fired)
				break;
		}
		KUNIT_EXPECT_LT(test, nth, 1000U);
	}
	KUNIT_EXPECT_GT_MSG(test, failures, 0U, "no allocation failed: %s",
			    "is failslab's ignore-gfp-wait N?");
}

static struct kunit_case rcumap_hash_bulk_fault_cases[] = {
	KUNIT_CASE_PARAM(bulk_follows_a_half_moved_table, bulk_gen_params),
	{}
};

static struct kunit_suite rcumap_hash_bulk_fault_suite = {
	.name = "rcumap_hash_bulk_fault",
	.init = fail_nth_suite_init,
	.test_cases = rcumap_hash_bulk_fault_cases,
};

kunit_test_suites(&rcumap_hash_bulk_suite, &rcumap_hash_bulk_fault_suite);
