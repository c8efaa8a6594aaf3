// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the rcumap bucket-swap hash table, through its public API
 * (include/linux/rcumap_hash.h) only.
 *
 * Suites:
 *  rcumap_hash        - every mode and errno, limits, key sizes, walks,
 *                       out-of-line entries (large keys and values).
 *  rcumap_hash_fault  - allocation failures injected with fail-nth: the
 *                       table is unchanged after a failed update, and
 *                       delete succeeds without memory.
 *  rcumap_hash_stress - readers and writers on every CPU to a deadline.
 */
#include <kunit/test.h>
#include <linux/bitrev.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/prandom.h>
#include <linux/rcumap_hash.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>

#include "fail_nth.h"
#include "stress.h"

static unsigned int stress_ms = 3000;
module_param(stress_ms, uint, 0444);
MODULE_PARM_DESC(stress_ms, "Run time of each rcumap_hash_stress case in ms (default 3000)");

/* Fill @key (@size bytes) with a pattern unique to @i (for i < 256^size). */
static void make_key(void *key, u32 size, u32 i)
{
	u8 *p = key;
	u32 j;

	for (j = 0; j < size; j++)
		p[j] = j < 4 ? (u8)(i >> (8 * j)) : (u8)(i * 31 + j);
}

static void make_value(void *value, u32 size, u32 i, u32 version)
{
	u8 *p = value;
	u32 j;

	for (j = 0; j < size; j++)
		p[j] = (u8)(i * 7 + version * 13 + j);
}

/* Most tests update with GFP_KERNEL. */
static int update(struct rcumap_hash *h, const void *key, const void *value,
		  u32 mode)
{
	return rcumap_hash_update(h, key, value, mode, GFP_KERNEL);
}

static struct rcumap_hash *new_table(struct kunit *test, u32 key_size,
				     u32 value_size, u32 max_entries,
				     u32 nr_buckets)
{
	struct rcumap_hash_params p = {
		.key_size = key_size,
		.value_size = value_size,
		.max_entries = max_entries,
		.nr_buckets = nr_buckets,
	};
	struct rcumap_hash *h = rcumap_hash_create(&p, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	return h;
}

/*
 * Layouts the tests below run in, whatever their sizes: entries inline in
 * the buckets, or out of line, each a pointer to its element.
 */
static const bool layouts[] = { false, true };

static void layout_desc(const bool *indirect, char *desc)
{
	strscpy(desc, *indirect ? "out of line" : "inline",
		KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(layout, layouts, layout_desc);

/* A table of @p in the layout @indirect says. */
static struct rcumap_hash *create_layout(struct kunit *test,
					 const struct rcumap_hash_params *p,
					 bool indirect)
{
	struct rcumap_hash *h = rcumap_hash_kunit_create(p, GFP_KERNEL,
							 indirect);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	KUNIT_ASSERT_EQ(test, rcumap_hash_kunit_indirect(h), indirect);
	return h;
}

/* new_table() in the layout @indirect says. */
static struct rcumap_hash *new_table_layout(struct kunit *test, u32 key_size,
					    u32 value_size, u32 max_entries,
					    u32 nr_buckets, bool indirect)
{
	struct rcumap_hash_params p = {
		.key_size = key_size,
		.value_size = value_size,
		.max_entries = max_entries,
		.nr_buckets = nr_buckets,
	};

	return create_layout(test, &p, indirect);
}

struct bad_params_case {
	const char *name;
	struct rcumap_hash_params p;
	int err;
};

static const struct bad_params_case bad_params_cases[] = {
	{ "zero key size", { 0, 8, 16, 0, 0 }, -EINVAL },
	{ "zero key size, huge value", { 0, U32_MAX, 16, 0, 0 }, -EINVAL },
	/* Too big is -E2BIG, as BPF says. */
	{ "key too large", { RCUMAP_HASH_MAX_KEY_SIZE + 1, 0, 16, 0, 0 },
	  -E2BIG },
	{ "value too large", { 1, RCUMAP_HASH_MAX_VALUE_SIZE + 1, 16, 0, 0 },
	  -E2BIG },
	{ "key and value one byte too large together",
	  { 4112, RCUMAP_HASH_MAX_KEY_VALUE_SIZE - 4112 + 1, 16, 0, 0 },
	  -E2BIG },
	{ "largest key with a value", { RCUMAP_HASH_MAX_KEY_SIZE, 1, 16, 0, 0 },
	  -E2BIG },
	{ "sizes that wrap 32 bits", { U32_MAX, 2, 16, 0, 0 }, -E2BIG },
	{ "zero max_entries", { 8, 8, 0, 0, 0 }, -EINVAL },
	{ "too many entries", { 8, 8, RCUMAP_HASH_MAX_ENTRIES + 1, 0, 0 },
	  -EINVAL },
	{ "too many buckets", { 8, 8, 16, RCUMAP_HASH_MAX_BUCKETS + 1, 0 },
	  -EINVAL },
	{ "unknown flag", { 8, 8, 16, 0, BIT(2) }, -EINVAL },
	{ "shrink without resize", { 8, 8, 16, 0, RCUMAP_HASH_F_SHRINK },
	  -EINVAL },
	{ "one bucket for 65 keys", { 8, 8, RCUMAP_HASH_BUCKET_MAX + 1, 1, 0 },
	  -EINVAL },
	{ "too few buckets at the largest capacity",
	  { 8, 8, RCUMAP_HASH_MAX_ENTRIES,
	    RCUMAP_HASH_MAX_ENTRIES / RCUMAP_HASH_BUCKET_MAX / 2, 0 }, -EINVAL },
};

static void bad_params_desc(const struct bad_params_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_params, bad_params_cases, bad_params_desc);

static void hash_create_rejects_bad_params(struct kunit *test)
{
	const struct bad_params_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, PTR_ERR(rcumap_hash_create(&c->p, GFP_KERNEL)),
			c->err);
}

static void hash_update_modes(struct kunit *test)
{
	struct rcumap_hash *h = new_table(test, 8, 8, 16, 0);
	u64 key = 42, v1 = 1, v2 = 2, out = 0;

	KUNIT_EXPECT_EQ(test, update(h, &key, &v1, RCUMAP_EXIST), -ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 0U);
	KUNIT_EXPECT_EQ(test, update(h, &key, &v1, RCUMAP_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 1U);
	KUNIT_EXPECT_EQ(test, update(h, &key, &v2, RCUMAP_NOEXIST), -EEXIST);
	KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &key, &out), 0);
	KUNIT_EXPECT_EQ(test, out, v1);

	KUNIT_EXPECT_EQ(test, update(h, &key, &v2, RCUMAP_EXIST), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &key, &out), 0);
	KUNIT_EXPECT_EQ(test, out, v2);
	KUNIT_EXPECT_EQ(test, update(h, &key, &v1, RCUMAP_ANY), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &key, &out), 0);
	KUNIT_EXPECT_EQ(test, out, v1);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 1U);

	key = 43;
	KUNIT_EXPECT_EQ(test, update(h, &key, &v2, RCUMAP_ANY), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 2U);
	KUNIT_EXPECT_EQ(test, update(h, &key, &v2, RCUMAP_EXIST + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, update(h, &key, &v2, U32_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 2U);
	rcumap_hash_destroy(h);
}

static void hash_delete_and_lookup_and_delete(struct kunit *test)
{
	struct rcumap_hash *h = new_table(test, 8, 8, 16, 0);
	u64 key = 7, val = 70, out = 0;

	KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), -ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_and_delete(h, &key, &out),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, out, 0ULL);

	KUNIT_ASSERT_EQ(test, update(h, &key, &val, RCUMAP_ANY), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), -ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &key, &out), -ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 0U);

	KUNIT_ASSERT_EQ(test, update(h, &key, &val, RCUMAP_ANY), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_and_delete(h, &key, &out), 0);
	KUNIT_EXPECT_EQ(test, out, val);
	KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_and_delete(h, &key, &out),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 0U);
	rcumap_hash_destroy(h);
}

/* A full table refuses new keys with -E2BIG and changes nothing. */
static void hash_max_entries_enforced(struct kunit *test)
{
	const u32 max = 10;
	struct rcumap_hash *h = new_table(test, 4, 4, max, 4);
	u32 i, key, val, out;

	for (i = 0; i < max; i++)
		KUNIT_ASSERT_EQ(test, update(h, &i, &i, RCUMAP_ANY), 0);
	key = max;
	val = 1000;
	KUNIT_EXPECT_EQ(test, update(h, &key, &val, RCUMAP_ANY), -E2BIG);
	KUNIT_EXPECT_EQ(test, update(h, &key, &val, RCUMAP_NOEXIST), -E2BIG);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), max);
	KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &key, &out), -ENOENT);
	for (i = 0; i < max; i++) {
		KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &i, &out), 0);
		KUNIT_EXPECT_EQ(test, out, i);
	}

	/* Replacing a present key is still allowed when full. */
	key = 3;
	KUNIT_EXPECT_EQ(test, update(h, &key, &val, RCUMAP_ANY), 0);
	KUNIT_EXPECT_EQ(test, update(h, &key, &val, RCUMAP_EXIST), 0);
	/* A delete makes room for exactly one more. */
	KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), 0);
	key = max;
	KUNIT_EXPECT_EQ(test, update(h, &key, &val, RCUMAP_NOEXIST), 0);
	key = max + 1;
	KUNIT_EXPECT_EQ(test, update(h, &key, &val, RCUMAP_NOEXIST), -E2BIG);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), max);
	rcumap_hash_destroy(h);
}

static const u32 key_sizes[] = { 1, 4, 8, 16, 64 };

static void key_size_desc(const u32 *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "key_size=%u", *size);
}

KUNIT_ARRAY_PARAM(key_size, key_sizes, key_size_desc);

/*
 * Insert, look up, walk and delete keys of every supported shape; with
 * few buckets, so that buckets hold many entries.
 */
static void hash_key_sizes(struct kunit *test)
{
	const u32 ks = *(const u32 *)test->param_value, vs = 24;
	const u32 n = ks == 1 ? 256 : 500;
	struct rcumap_hash *h = new_table(test, ks, vs, n, 32);
	u8 *key = kunit_kzalloc(test, ks, GFP_KERNEL);
	u8 *next = kunit_kzalloc(test, ks, GFP_KERNEL);
	u8 *val = kunit_kzalloc(test, vs, GFP_KERNEL);
	u8 *out = kunit_kzalloc(test, vs, GFP_KERNEL);
	unsigned long *seen = kunit_kcalloc(test, BITS_TO_LONGS(n),
					    sizeof(long), GFP_KERNEL);
	u32 i, walked = 0;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	KUNIT_ASSERT_NOT_NULL(test, out);
	for (i = 0; i < n; i++) {
		make_key(key, ks, i);
		make_value(val, vs, i, 0);
		KUNIT_ASSERT_EQ(test, update(h, key, val, RCUMAP_NOEXIST), 0);
	}
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), n);
	for (i = 0; i < n; i++) {
		make_key(key, ks, i);
		make_value(val, vs, i, 0);
		KUNIT_ASSERT_EQ(test, rcumap_hash_lookup_copy(h, key, out), 0);
		KUNIT_EXPECT_EQ(test, memcmp(out, val, vs), 0);
	}

	/* A full walk returns every key exactly once. */
	for (err = rcumap_hash_get_next_key(h, NULL, next); !err;
	     err = rcumap_hash_get_next_key(h, key, next)) {
		u32 idx = 0, j;

		for (j = 0; j < min(ks, 4U); j++)
			idx |= (u32)next[j] << (8 * j);
		KUNIT_ASSERT_LT(test, idx, n);
		KUNIT_EXPECT_FALSE(test, __test_and_set_bit(idx, seen));
		memcpy(key, next, ks);
		walked++;
	}
	KUNIT_EXPECT_EQ(test, err, -ENOENT);
	KUNIT_EXPECT_EQ(test, walked, n);

	for (i = 0; i < n; i += 2) {
		make_key(key, ks, i);
		KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, key), 0);
	}
	for (i = 0; i < n; i++) {
		make_key(key, ks, i);
		KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, key, out),
				i % 2 ? 0 : -ENOENT);
	}
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), n / 2);
	rcumap_hash_destroy(h);
}

static void hash_get_next_key_edges(struct kunit *test)
{
	struct rcumap_hash *h = new_table(test, 4, 4, 8, 0);
	u32 key = 5, next;

	KUNIT_EXPECT_EQ(test, rcumap_hash_get_next_key(h, NULL, &next), -ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_hash_get_next_key(h, &key, &next), -ENOENT);
	KUNIT_ASSERT_EQ(test, update(h, &key, &key, RCUMAP_ANY), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_get_next_key(h, NULL, &next), 0);
	KUNIT_EXPECT_EQ(test, next, key);
	KUNIT_EXPECT_EQ(test, rcumap_hash_get_next_key(h, &key, &next), -ENOENT);
	rcumap_hash_destroy(h);
}

/* BPF semantics: a key that is gone restarts the walk from the first key. */
static void hash_get_next_key_after_delete_restarts(struct kunit *test)
{
	struct rcumap_hash *h = new_table(test, 4, 4, 64, 4);
	u32 i, first, cur, next, again;

	for (i = 0; i < 40; i++)
		KUNIT_ASSERT_EQ(test, update(h, &i, &i, RCUMAP_ANY), 0);
	KUNIT_ASSERT_EQ(test, rcumap_hash_get_next_key(h, NULL, &first), 0);
	KUNIT_ASSERT_EQ(test, rcumap_hash_get_next_key(h, &first, &cur), 0);
	KUNIT_ASSERT_EQ(test, rcumap_hash_get_next_key(h, &cur, &next), 0);
	KUNIT_ASSERT_NE(test, next, first);

	KUNIT_ASSERT_EQ(test, rcumap_hash_delete(h, &cur), 0);
	KUNIT_ASSERT_EQ(test, rcumap_hash_get_next_key(h, &cur, &again), 0);
	KUNIT_EXPECT_EQ(test, again, first);
	rcumap_hash_destroy(h);
}

/*
 * A positional walk returns every entry once, with its value, even when
 * one bucket holds them all; and it is resumable from any position.
 */
static void hash_walk_returns_every_entry_once(struct kunit *test)
{
	const u32 n = RCUMAP_HASH_BUCKET_MAX;
	struct rcumap_hash *h = new_table(test, 4, 8, n, 1);
	unsigned long seen[BITS_TO_LONGS(RCUMAP_HASH_BUCKET_MAX)] = {};
	u32 i, key, walked = 0;
	u64 pos = 0, val, end;
	size_t empty = rcumap_hash_bytes_used(h);

	for (i = 0; i < n; i++) {
		val = i * 3ULL;
		KUNIT_ASSERT_EQ(test, update(h, &i, &val, RCUMAP_NOEXIST), 0);
	}
	KUNIT_EXPECT_GT(test, rcumap_hash_bytes_used(h),
			empty + n * (sizeof(u32) + 8 + 8));
	while (!rcumap_hash_walk(h, &pos, &key, &val)) {
		KUNIT_ASSERT_LT(test, key, n);
		KUNIT_EXPECT_EQ(test, val, key * 3ULL);
		KUNIT_EXPECT_FALSE(test, __test_and_set_bit(key, seen));
		walked++;
	}
	KUNIT_EXPECT_EQ(test, walked, n);
	end = pos;
	KUNIT_EXPECT_EQ(test, rcumap_hash_walk(h, &pos, &key, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, pos, end);
	pos = U64_MAX;
	KUNIT_EXPECT_EQ(test, rcumap_hash_walk(h, &pos, &key, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_hash_nr_buckets(h), 1U);
	rcumap_hash_destroy(h);
}

/*
 * A value found under rcu_read_lock() stays valid and unchanged while the
 * key is replaced and deleted: the old bucket is freed only after the
 * grace period (KASAN reports it if it is freed early).
 */
static void hash_reader_keeps_snapshot(struct kunit *test)
{
	struct rcumap_hash *h = new_table(test, 8, 16, 8, 1);
	u64 key = 1, other = 2, val[2] = { 11, 12 }, val2[2] = { 21, 22 };
	u64 out[2];
	u64 *seen;

	KUNIT_ASSERT_EQ(test, update(h, &key, val, RCUMAP_ANY), 0);
	KUNIT_ASSERT_EQ(test, update(h, &other, val, RCUMAP_ANY), 0);
	/* No ASSERT inside the read-side section: it would not unlock. */
	rcu_read_lock();
	seen = rcumap_hash_lookup(h, &key);
	KUNIT_EXPECT_NOT_NULL(test, seen);
	if (seen) {
		int err = rcumap_hash_update(h, &key, val2, RCUMAP_EXIST,
					     GFP_ATOMIC);

		KUNIT_EXPECT_EQ(test, err, 0);
		KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &other), 0);
		KUNIT_EXPECT_EQ(test, seen[0], val[0]);
		KUNIT_EXPECT_EQ(test, seen[1], val[1]);
		KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), 0);
		KUNIT_EXPECT_EQ(test, seen[0], val[0]);
		KUNIT_EXPECT_EQ(test, seen[1], val[1]);
		KUNIT_EXPECT_NULL(test, rcumap_hash_lookup(h, &key));
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &key, out), -ENOENT);
	rcumap_hash_destroy(h);
}

/* Destroying a table with entries frees them all (kmemleak checks). */
static void hash_destroy_nonempty(struct kunit *test)
{
	struct rcumap_hash *h = new_table(test, 16, 64, 1000, 64);
	u8 key[16], val[64];
	u32 i;

	for (i = 0; i < 1000; i++) {
		make_key(key, sizeof(key), i);
		make_value(val, sizeof(val), i, 0);
		KUNIT_ASSERT_EQ(test, update(h, key, val, RCUMAP_NOEXIST), 0);
	}
	/* Leave some updated and some deleted entries behind too. */
	for (i = 0; i + 1 < 1000; i += 3) {
		make_key(key, sizeof(key), i);
		KUNIT_ASSERT_EQ(test, rcumap_hash_delete(h, key), 0);
		make_key(key, sizeof(key), i + 1);
		KUNIT_ASSERT_EQ(test, update(h, key, val, RCUMAP_EXIST), 0);
	}
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 1000U - 333U);
	rcumap_hash_destroy(h);
}

/* ---- Ordered walks ------------------------------------------------- */

#define ORDER_KEYS	300

/*
 * 600 keys at most: 32 buckets is the fewest that keeps them far from the
 * bucket bound (about 19 keys a bucket).
 */
static const u32 order_buckets[] = { 32, 128, 1024 };

static void order_buckets_desc(const u32 *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u buckets", *n);
}

KUNIT_ARRAY_PARAM(order_buckets, order_buckets, order_buckets_desc);

/*
 * Walk a table of keys 0..ORDER_KEYS-1 from the start into @order, each
 * key once; returns how many came.
 */
static u32 walk_order(struct kunit *test, struct rcumap_hash *h, u32 *order)
{
	u32 n = 0, key, *cur = NULL;
	unsigned long *seen = kunit_kcalloc(test, BITS_TO_LONGS(ORDER_KEYS),
					    sizeof(long), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, seen);
	while (!rcumap_hash_walk_after(h, cur, &key, NULL)) {
		KUNIT_ASSERT_LT(test, key, (u32)ORDER_KEYS);
		KUNIT_ASSERT_FALSE_MSG(test, __test_and_set_bit(key, seen),
				       "key %u came twice", key);
		order[n++] = key;
		cur = &order[n - 1];
	}
	return n;
}

/*
 * The order is a strict total order of keys, the same for every cursor:
 * after deleting a random half of the keys, the key after any key (deleted
 * or not) is the next surviving key of the full walk, and walk_after()
 * returns the same keys with their values.
 */
static void hash_next_key_after_is_a_total_order(struct kunit *test)
{
	const u32 nr_buckets = *(const u32 *)test->param_value;
	struct rcumap_hash *h = new_table(test, 4, 8, ORDER_KEYS, nr_buckets);
	u32 *order = kunit_kcalloc(test, ORDER_KEYS, sizeof(u32), GFP_KERNEL);
	bool *gone = kunit_kcalloc(test, ORDER_KEYS, sizeof(bool), GFP_KERNEL);
	struct rnd_state rnd;
	u32 i, j, key, next;
	u64 val;

	KUNIT_ASSERT_NOT_NULL(test, order);
	KUNIT_ASSERT_NOT_NULL(test, gone);
	for (i = 0; i < ORDER_KEYS; i++) {
		val = i * 5ULL;
		KUNIT_ASSERT_EQ(test, update(h, &i, &val, RCUMAP_NOEXIST), 0);
	}
	KUNIT_ASSERT_EQ(test, walk_order(test, h, order), (u32)ORDER_KEYS);

	prandom_seed_state(&rnd, 42);
	for (i = 0; i < ORDER_KEYS; i++) {
		if (prandom_u32_state(&rnd) % 2)
			continue;
		gone[order[i]] = true;
		KUNIT_ASSERT_EQ(test, rcumap_hash_delete(h, &order[i]), 0);
	}
	for (i = 0; i < ORDER_KEYS; i++) {
		for (j = i + 1; j < ORDER_KEYS && gone[order[j]]; j++)
			;
		key = order[i];
		if (j == ORDER_KEYS) {
			KUNIT_EXPECT_EQ(test, rcumap_hash_walk_after(h, &key,
								     &next, NULL),
					-ENOENT);
			continue;
		}
		KUNIT_EXPECT_EQ(test, rcumap_hash_walk_after(h, &key, &next, NULL), 0);
		KUNIT_EXPECT_EQ_MSG(test, next, order[j], "after key %u", key);
		/* With the value, and into the cursor's own buffer. */
		KUNIT_EXPECT_EQ(test, rcumap_hash_walk_after(h, &key, &key, &val), 0);
		KUNIT_EXPECT_EQ(test, key, order[j]);
		KUNIT_EXPECT_EQ(test, val, order[j] * 5ULL);
	}
	/* get_next_key() follows the same order, but restarts from a gap. */
	for (i = 0; i < ORDER_KEYS && gone[order[i]]; i++)
		;
	KUNIT_ASSERT_LT(test, i, (u32)ORDER_KEYS);
	for (j = 0; j < ORDER_KEYS && !gone[order[j]]; j++)
		;
	if (j < ORDER_KEYS) {
		KUNIT_EXPECT_EQ(test, rcumap_hash_get_next_key(h, &order[j], &next), 0);
		KUNIT_EXPECT_EQ(test, next, order[i]);
	}
	rcumap_hash_destroy(h);
}

/*
 * Keys come and go between the steps of a walk, the cursor's own key
 * among them: every key that stays in the table for the whole walk comes
 * exactly once, and no key ever comes twice.
 */
static void hash_next_key_after_survives_churn(struct kunit *test)
{
	const u32 nr_buckets = *(const u32 *)test->param_value;
	const u32 stable = ORDER_KEYS / 2;	/* keys below never change */
	struct rcumap_hash *h = new_table(test, 4, 4, 2 * ORDER_KEYS,
					  nr_buckets);
	u8 *seen = kunit_kzalloc(test, 2 * ORDER_KEYS, GFP_KERNEL);
	struct rnd_state rnd;
	u32 i, key, cur, steps = 0;
	bool have_cur = false;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < ORDER_KEYS; i++)
		KUNIT_ASSERT_EQ(test, update(h, &i, &i, RCUMAP_NOEXIST), 0);
	prandom_seed_state(&rnd, 7);
	while (!(err = rcumap_hash_walk_after(h, have_cur ? &cur : NULL,
					      &key, NULL))) {
		KUNIT_ASSERT_LT(test, key, 2 * ORDER_KEYS);
		KUNIT_ASSERT_EQ_MSG(test, seen[key]++, 0, "key %u came twice",
				    key);
		cur = key;
		have_cur = true;
		KUNIT_ASSERT_LT(test, ++steps, 2 * ORDER_KEYS);
		/* Delete the cursor's own key now and then... */
		if (key >= stable && prandom_u32_state(&rnd) % 2)
			KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), 0);
		/* ... and delete or insert some unstable key. */
		key = stable + prandom_u32_state(&rnd) % (2 * ORDER_KEYS - stable);
		if (rcumap_hash_delete(h, &key) == -ENOENT)
			KUNIT_EXPECT_EQ(test, update(h, &key, &key, RCUMAP_NOEXIST),
					0);
	}
	KUNIT_EXPECT_EQ(test, err, -ENOENT);
	for (i = 0; i < stable; i++)
		KUNIT_EXPECT_EQ_MSG(test, seen[i], 1, "stable key %u", i);
	rcumap_hash_destroy(h);
}

static void hash_next_key_after_edges(struct kunit *test)
{
	struct rcumap_hash *h = new_table(test, 16, 0, 8, 0);
	u8 key[16] = { 1 }, next[16], none = 0;

	KUNIT_EXPECT_EQ(test, rcumap_hash_walk_after(h, NULL, next, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_hash_walk_after(h, key, next, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_hash_walk_after(h, NULL, next, NULL),
			-ENOENT);
	KUNIT_ASSERT_EQ(test, update(h, key, &none, RCUMAP_ANY), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_walk_after(h, NULL, next, NULL), 0);
	KUNIT_EXPECT_EQ(test, memcmp(next, key, sizeof(key)), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_walk_after(h, key, next, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_hash_walk_after(h, NULL, next, NULL), 0);
	rcumap_hash_destroy(h);
}

/* ---- Walk positions ------------------------------------------------ */

#define POS_KEYS	256

/*
 * Bucket counts a table goes through after starting with 16: down to 8,
 * the fewest that hold POS_KEYS + 2 keys far from the bucket bound.
 */
static const u32 pos_sizes[] = { 8, 16, 64, 1024 };

/* A key and its rcumap_hash_key_pos(), sorted in the order of the walk. */
struct pos_key {
	u32 pos;
	u64 key;
};

static int pos_key_cmp(const void *a, const void *b)
{
	const struct pos_key *x = a, *y = b;

	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

/*
 * Keys 0 to TIE_KEYS - 1 are searched for two of equal position (their
 * 32-bit hashes collide): about 32 such pairs are expected among them,
 * the first after some 2^16 keys.  TIE_SLOTS is an open-addressing set
 * of the keys seen, at most half full.
 */
#define TIE_KEYS	BIT(19)
#define TIE_SLOTS	(2 * TIE_KEYS)

/*
 * Find two u64 keys of equal position in @h whose memcmp() order is not
 * their numeric order (about half of all pairs, on a little-endian CPU;
 * on a big-endian one, where the two orders agree, any pair): *@lo is the
 * smaller by memcmp(), *@hi the larger.  Returns false if none was found
 * or there was no memory.
 */
static bool find_tie(const struct rcumap_hash *h, u64 *lo, u64 *hi)
{
	u32 *slot = kvcalloc(TIE_SLOTS, sizeof(*slot), GFP_KERNEL);
	bool found = false;
	u64 key, other;
	u32 pos, i;
	int c;

	if (!slot)
		return false;
	for (key = 0; key < TIE_KEYS && !found; key++) {
		pos = rcumap_hash_key_pos(h, &key);
		/* Keys of equal position share a probe sequence. */
		for (i = pos % TIE_SLOTS; slot[i]; i = (i + 1) % TIE_SLOTS) {
			other = slot[i] - 1;	/* other < key */
			if (rcumap_hash_key_pos(h, &other) != pos)
				continue;
			c = memcmp(&key, &other, sizeof(key));
			if (c < 0 || IS_ENABLED(CONFIG_CPU_BIG_ENDIAN)) {
				*lo = c < 0 ? key : other;
				*hi = c < 0 ? other : key;
				found = true;
				break;
			}
		}
		slot[i] = key + 1;
		if (key % 4096 == 0)
			cond_resched();
	}
	kvfree(slot);
	return found;
}

/*
 * rcumap_hash_key_pos() sorts keys the way the ordered walk returns them,
 * at every bucket count: by increasing position, and keys of equal
 * position by memcmp() of their bytes.  A full walk must return exactly
 * the keys so sorted.  POS_KEYS keys catch a position that is not the
 * one the walk goes by (the hash itself rather than the hash with its
 * bits reversed, say).  Two keys of equal position whose numeric order is
 * not their memcmp() order, the memcmp()-larger inserted first, pin the
 * tie-break down: comparing the keys as numbers, leaving them in bucket
 * order or comparing them the wrong way round puts that pair the wrong
 * way.
 */
static void hash_key_pos_sorts_keys_like_the_walk(struct kunit *test)
{
	const u32 n = POS_KEYS + 2;
	struct rcumap_hash *h = new_table(test, sizeof(u64), 0, n, 16);
	struct pos_key *want = kunit_kcalloc(test, n, sizeof(*want), GFP_KERNEL);
	u32 i, s, nr_buckets;
	u64 key, *cur;
	u8 none = 0;

	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_TRUE_MSG(test, find_tie(h, &want[1].key, &want[0].key),
			      "no two keys of equal position among %lu",
			      TIE_KEYS);
	/* Above every key find_tie() tries. */
	for (i = 2; i < n; i++)
		want[i].key = (u64)i << 32 | i;
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, update(h, &want[i].key, &none,
					     RCUMAP_NOEXIST), 0);
		want[i].pos = rcumap_hash_key_pos(h, &want[i].key);
	}
	KUNIT_EXPECT_EQ(test, want[0].pos, want[1].pos);
	sort(want, n, sizeof(*want), pos_key_cmp, NULL);

	for (s = 0; s <= ARRAY_SIZE(pos_sizes); s++) {
		if (s)
			KUNIT_ASSERT_EQ(test, rcumap_hash_resize(h, pos_sizes[s - 1]),
					0);
		nr_buckets = rcumap_hash_nr_buckets(h);
		cur = NULL;
		for (i = 0; !rcumap_hash_walk_after(h, cur, &key, NULL); i++) {
			KUNIT_ASSERT_LT_MSG(test, i, n, "%u buckets", nr_buckets);
			KUNIT_EXPECT_EQ_MSG(test, key, want[i].key,
					    "step %u of the walk, %u buckets", i,
					    nr_buckets);
			cur = &key;
		}
		KUNIT_EXPECT_EQ_MSG(test, i, n, "%u buckets", nr_buckets);
	}
	rcumap_hash_destroy(h);
}

/*
 * A key's position depends on the table's seed alone: it is the same
 * before the key is inserted, while it is in the table, after it is
 * deleted, and at every bucket count.  A position taken from the key's
 * entry (which absent keys lack), or one that depends on the bucket count
 * or the key's bucket, fails here.
 */
static void hash_key_pos_ignores_size_and_contents(struct kunit *test)
{
	struct rcumap_hash *h = new_table(test, sizeof(u64), 0, POS_KEYS, 16);
	u32 *pos = kunit_kcalloc(test, POS_KEYS, sizeof(*pos), GFP_KERNEL);
	u32 s, nr_buckets;
	u64 key;
	u8 none = 0;

	KUNIT_ASSERT_NOT_NULL(test, pos);
	for (key = 0; key < POS_KEYS; key++)
		pos[key] = rcumap_hash_key_pos(h, &key);
	/* The even keys go in; the odd ones stay out. */
	for (key = 0; key < POS_KEYS; key += 2)
		KUNIT_ASSERT_EQ(test, update(h, &key, &none, RCUMAP_NOEXIST), 0);
	for (s = 0; s <= ARRAY_SIZE(pos_sizes); s++) {
		if (s)
			KUNIT_ASSERT_EQ(test, rcumap_hash_resize(h, pos_sizes[s - 1]),
					0);
		nr_buckets = rcumap_hash_nr_buckets(h);
		for (key = 0; key < POS_KEYS; key++)
			KUNIT_EXPECT_EQ_MSG(test, rcumap_hash_key_pos(h, &key),
					    pos[key], "key %llu (%s), %u buckets",
					    key, key % 2 ? "absent" : "present",
					    nr_buckets);
	}
	for (key = 0; key < POS_KEYS; key += 2)
		KUNIT_ASSERT_EQ(test, rcumap_hash_delete(h, &key), 0);
	for (key = 0; key < POS_KEYS; key++)
		KUNIT_EXPECT_EQ_MSG(test, rcumap_hash_key_pos(h, &key), pos[key],
				    "key %llu, after the deletes", key);
	rcumap_hash_destroy(h);
}

/* ---- Free callback -------------------------------------------------- */

#define FREE_LOG_MAX	64

/* What the free callback of a table of u64 keys and u64 values saw. */
struct free_log {
	spinlock_t lock;	/* the callback runs on any CPU */
	u32 calls;
	u64 keys[FREE_LOG_MAX];
	u64 vals[FREE_LOG_MAX];
};

static void free_log_cb(void *priv, const void *key, void *value)
{
	struct free_log *l = priv;
	unsigned long flags;

	spin_lock_irqsave(&l->lock, flags);
	if (l->calls < FREE_LOG_MAX) {
		l->keys[l->calls] = *(const u64 *)key;
		l->vals[l->calls] = *(u64 *)value;
	}
	l->calls++;
	spin_unlock_irqrestore(&l->lock, flags);
}

static u32 free_log_calls(struct free_log *l)
{
	unsigned long flags;
	u32 calls;

	spin_lock_irqsave(&l->lock, flags);
	calls = l->calls;
	spin_unlock_irqrestore(&l->lock, flags);
	return calls;
}

/* How many calls were for @key with value @val. */
static u32 free_log_count(struct free_log *l, u64 key, u64 val)
{
	u32 i, n = 0;

	for (i = 0; i < min_t(u32, l->calls, FREE_LOG_MAX); i++)
		n += l->keys[i] == key && l->vals[i] == val;
	return n;
}

static struct free_log *new_free_log(struct kunit *test)
{
	struct free_log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	spin_lock_init(&l->lock);
	return l;
}

/*
 * A table of u64 keys and values whose free callback logs into @l; its
 * entries out of line if @indirect (then the callback sees them in their
 * elements, which are freed right after it).
 */
static struct rcumap_hash *new_cb_table_layout(struct kunit *test,
					       struct free_log *l,
					       u32 max_entries, u32 nr_buckets,
					       bool indirect)
{
	struct rcumap_hash_params p = {
		.key_size = sizeof(u64),
		.value_size = sizeof(u64),
		.max_entries = max_entries,
		.nr_buckets = nr_buckets,
		.free_value = free_log_cb,
		.free_priv = l,
	};

	return create_layout(test, &p, indirect);
}

static struct rcumap_hash *new_cb_table(struct kunit *test,
					struct free_log *l, u32 max_entries,
					u32 nr_buckets)
{
	return new_cb_table_layout(test, l, max_entries, nr_buckets, false);
}

/*
 * Replace, delete and lookup_and_delete each hand exactly the value that
 * left to the callback, after the grace period; inserts and failed
 * updates hand over nothing; destroy hands over everything left.
 */
static void hash_free_callback_once_per_value(struct kunit *test)
{
	const bool indirect = *(const bool *)test->param_value;
	struct free_log *l = new_free_log(test);
	struct rcumap_hash *h = new_cb_table_layout(test, l, 32, 4, indirect);
	u64 key, val, out;

	for (key = 1; key <= 10; key++) {
		val = key * 10;
		KUNIT_ASSERT_EQ(test, update(h, &key, &val, RCUMAP_NOEXIST), 0);
	}
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, free_log_calls(l), 0U);

	key = 1;
	val = 111;
	KUNIT_EXPECT_EQ(test, update(h, &key, &val, RCUMAP_EXIST), 0);
	KUNIT_EXPECT_EQ(test, update(h, &key, &val, RCUMAP_NOEXIST), -EEXIST);
	key = 2;
	KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), -ENOENT);
	key = 3;
	KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_and_delete(h, &key, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 30ULL);
	key = 99;
	KUNIT_EXPECT_EQ(test, update(h, &key, &val, RCUMAP_EXIST), -ENOENT);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, free_log_calls(l), 3U);
	KUNIT_EXPECT_EQ(test, free_log_count(l, 1, 10), 1U);
	KUNIT_EXPECT_EQ(test, free_log_count(l, 2, 20), 1U);
	KUNIT_EXPECT_EQ(test, free_log_count(l, 3, 30), 1U);

	rcumap_hash_destroy(h);
	rcumap_hash_barrier();
	KUNIT_EXPECT_EQ(test, free_log_calls(l), 3U + 8U);
	KUNIT_EXPECT_EQ(test, free_log_count(l, 1, 111), 1U);
	for (key = 4; key <= 10; key++)
		KUNIT_EXPECT_EQ(test, free_log_count(l, key, key * 10), 1U);
}

struct barrier_waiter {
	struct completion go;
	struct completion finished;
	bool done;
};

static int barrier_waiter_fn(void *arg)
{
	struct barrier_waiter *w = arg;

	wait_for_completion(&w->go);
	synchronize_rcu();
	rcu_barrier();
	WRITE_ONCE(w->done, true);
	complete(&w->finished);
	return 0;
}

/*
 * A reader holds a value while it is replaced and another key deleted;
 * meanwhile another task waits for a grace period and for every pending
 * callback.  Neither wait may end, and no callback may run, before the
 * reader leaves its read-side critical section.
 */
static void hash_free_callback_waits_for_readers(struct kunit *test)
{
	struct free_log *l = new_free_log(test);
	struct rcumap_hash *h = new_cb_table(test, l, 8, 1);
	struct barrier_waiter *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	u64 key = 1, other = 2, val = 11, val2 = 22, *seen;
	struct task_struct *task;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, w);
	init_completion(&w->go);
	init_completion(&w->finished);
	KUNIT_ASSERT_EQ(test, update(h, &key, &val, RCUMAP_ANY), 0);
	KUNIT_ASSERT_EQ(test, update(h, &other, &val2, RCUMAP_ANY), 0);
	task = kthread_run(barrier_waiter_fn, w, "rcumap_gp");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));

	rcu_read_lock();
	seen = rcumap_hash_lookup(h, &key);
	KUNIT_EXPECT_NOT_NULL(test, seen);
	KUNIT_EXPECT_EQ(test, rcumap_hash_update(h, &key, &val2, RCUMAP_EXIST,
						 GFP_ATOMIC), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &other), 0);
	complete(&w->go);
	for (i = 0; i < 50; i++) {
		mdelay(2);
		KUNIT_EXPECT_EQ(test, free_log_calls(l), 0U);
		KUNIT_EXPECT_FALSE(test, READ_ONCE(w->done));
		if (seen)
			KUNIT_EXPECT_EQ(test, *seen, val);
	}
	rcu_read_unlock();

	wait_for_completion(&w->finished);
	KUNIT_EXPECT_EQ(test, free_log_calls(l), 2U);
	KUNIT_EXPECT_EQ(test, free_log_count(l, key, val), 1U);
	KUNIT_EXPECT_EQ(test, free_log_count(l, other, val2), 1U);
	rcumap_hash_destroy(h);
	rcumap_hash_barrier();
	KUNIT_EXPECT_EQ(test, free_log_calls(l), 3U);
	KUNIT_EXPECT_EQ(test, free_log_count(l, key, val2), 1U);
}

/* The per-CPU use: the value is a pointer that the callback frees. */
static atomic_t percpu_freed;

static void free_percpu_cb(void *priv, const void *key, void *value)
{
	void __percpu *p;

	memcpy(&p, value, sizeof(p));
	free_percpu(p);
	atomic_inc(&percpu_freed);
}

static void hash_free_callback_frees_percpu_values(struct kunit *test)
{
	struct rcumap_hash_params p = {
		.key_size = sizeof(u32),
		.value_size = sizeof(void __percpu *),
		.max_entries = 64,
		.free_value = free_percpu_cb,
	};
	struct rcumap_hash *h = rcumap_hash_create(&p, GFP_KERNEL);
	u64 __percpu *pcpu;
	u32 key;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	atomic_set(&percpu_freed, 0);
	/* Keys 0..63 inserted, then 0..15 replaced and 16..31 deleted. */
	for (key = 0; key < 64 + 16; key++) {
		u32 k = key % 64;

		pcpu = alloc_percpu(u64);
		KUNIT_ASSERT_FALSE(test, !pcpu);
		if (update(h, &k, &pcpu, key < 64 ? RCUMAP_NOEXIST : RCUMAP_EXIST)) {
			free_percpu(pcpu);
			KUNIT_FAIL(test, "update of key %u failed", k);
		}
	}
	for (key = 16; key < 32; key++)
		KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 48U);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&percpu_freed), 32);
	rcumap_hash_destroy(h);
	rcumap_hash_barrier();
	/* 64 + 16 allocated; kmemleak reports any that were not freed. */
	KUNIT_EXPECT_EQ(test, atomic_read(&percpu_freed), 80);
}

/* ---- The bound on bucket length ------------------------------------ */

/*
 * Fill @ids with @nr key ids (u32 keys counted up from @first) that fall
 * in bucket @bucket of a table of 2^@order buckets: the bucket index is
 * the low bits of the hash, the high bits of the walk position reversed.
 * Returns the id after the last one tried.
 */
static u32 keys_in_bucket(const struct rcumap_hash *h, u32 order, u32 bucket,
			  u32 *ids, u32 nr, u32 first)
{
	u32 id, n = 0;

	for (id = first; n < nr; id++) {
		if ((bitrev32(rcumap_hash_key_pos(h, &id)) &
		     ((1U << order) - 1)) == bucket)
			ids[n++] = id;
	}
	return id;
}

/*
 * The 65th key of one bucket is refused with -ENOSPC, in every mode that
 * inserts, and changes nothing (count, bytes, every key and value);
 * replaces in the full bucket, keys of other buckets and, after a delete,
 * one more key of the full bucket still go in.
 */
static void hash_full_bucket_refuses_new_keys(struct kunit *test)
{
	struct rcumap_hash *h = new_table(test, 4, 4,
					  2 * RCUMAP_HASH_BUCKET_MAX, 2);
	u32 *ids = kunit_kcalloc(test, RCUMAP_HASH_BUCKET_MAX + 1, sizeof(u32),
				 GFP_KERNEL);
	u32 other, v = 1, out, i, longest;
	size_t bytes;

	KUNIT_ASSERT_NOT_NULL(test, ids);
	keys_in_bucket(h, 1, 1, &other,	1,
		       keys_in_bucket(h, 1, 0, ids, RCUMAP_HASH_BUCKET_MAX + 1, 0));
	for (i = 0; i < RCUMAP_HASH_BUCKET_MAX; i++)
		KUNIT_ASSERT_EQ(test, update(h, &ids[i], &ids[i], RCUMAP_NOEXIST), 0);
	bytes = rcumap_hash_bytes_used(h);
	KUNIT_EXPECT_EQ(test, update(h, &ids[i], &v, RCUMAP_ANY), -ENOSPC);
	KUNIT_EXPECT_EQ(test, update(h, &ids[i], &v, RCUMAP_NOEXIST), -ENOSPC);
	KUNIT_EXPECT_EQ(test, rcumap_hash_update(h, &ids[i], &v, RCUMAP_ANY,
						 GFP_ATOMIC), -ENOSPC);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), RCUMAP_HASH_BUCKET_MAX);
	KUNIT_EXPECT_EQ(test, rcumap_hash_bytes_used(h), bytes);
	KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &ids[i], &out), -ENOENT);
	for (i = 0; i < RCUMAP_HASH_BUCKET_MAX; i++) {
		KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &ids[i], &out), 0);
		KUNIT_EXPECT_EQ(test, out, ids[i]);
	}
	KUNIT_EXPECT_EQ(test, update(h, &ids[5], &v, RCUMAP_EXIST), 0);
	KUNIT_EXPECT_EQ(test, update(h, &other, &v, RCUMAP_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &ids[0]), 0);
	i = RCUMAP_HASH_BUCKET_MAX;
	KUNIT_EXPECT_EQ(test, update(h, &ids[i], &v, RCUMAP_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, update(h, &ids[0], &v, RCUMAP_NOEXIST), -ENOSPC);
	KUNIT_EXPECT_EQ(test, rcumap_hash_kunit_walk_bytes(h, &longest),
			rcumap_hash_bytes_used(h));
	KUNIT_EXPECT_EQ(test, longest, RCUMAP_HASH_BUCKET_MAX);
	rcumap_hash_destroy(h);
}

/*
 * RESIZE keeps the bound: a table without automatic resize cannot go
 * below max_entries / 64 buckets (-EINVAL); a shrink whose merged pair
 * would hold more than 64 keys is refused (-ENOSPC) before anything
 * moves; once the pair fits, the same shrink succeeds.
 */
static void hash_resize_keeps_the_bound(struct kunit *test)
{
	const u32 per = 40;	/* keys in each of buckets 0 and 2 of 4 */
	struct rcumap_hash *h = new_table(test, 4, 4,
					  4 * RCUMAP_HASH_BUCKET_MAX, 4);
	u32 *ids = kunit_kcalloc(test, 2 * per, sizeof(u32), GFP_KERNEL);
	u32 i, v = 3, out, longest;
	size_t bytes;

	KUNIT_ASSERT_NOT_NULL(test, ids);
	KUNIT_EXPECT_EQ(test, rcumap_hash_resize(h, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, rcumap_hash_resize(h, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, rcumap_hash_nr_buckets(h), 4U);
	rcumap_hash_destroy(h);

	/* A table whose capacity 2 buckets can hold. */
	h = new_table(test, 4, 4, 2 * RCUMAP_HASH_BUCKET_MAX, 4);
	/* Buckets 0 and 2 of 4 merge into bucket 0 of 2. */
	keys_in_bucket(h, 2, 2, ids + per, per,
		       keys_in_bucket(h, 2, 0, ids, per, 0));
	for (i = 0; i < 2 * per; i++)
		KUNIT_ASSERT_EQ(test, update(h, &ids[i], &v, RCUMAP_NOEXIST), 0);
	bytes = rcumap_hash_bytes_used(h);
	KUNIT_EXPECT_EQ(test, rcumap_hash_resize(h, 2), -ENOSPC);
	KUNIT_EXPECT_EQ(test, rcumap_hash_nr_buckets(h), 4U);
	KUNIT_EXPECT_EQ(test, rcumap_hash_bytes_used(h), bytes);
	KUNIT_EXPECT_EQ(test, rcumap_hash_kunit_walk_bytes(h, &longest), bytes);
	for (i = 0; i < 2 * per; i++)
		KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &ids[i], &out), 0);
	/* 2 * per - 64 deletes later the pair fits. */
	for (i = 0; i < 2 * per - RCUMAP_HASH_BUCKET_MAX; i++)
		KUNIT_ASSERT_EQ(test, rcumap_hash_delete(h, &ids[i]), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_resize(h, 2), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_nr_buckets(h), 2U);
	KUNIT_EXPECT_EQ(test, rcumap_hash_kunit_walk_bytes(h, &longest),
			rcumap_hash_bytes_used(h));
	KUNIT_EXPECT_EQ(test, longest, RCUMAP_HASH_BUCKET_MAX);
	for (; i < 2 * per; i++)
		KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &ids[i], &out), 0);
	rcumap_hash_destroy(h);
}

/*
 * A resizable table created with one bucket takes 2,000 keys inserted
 * as fast as the caller can, whether or not the resize worker keeps up:
 * an insert that meets a full bucket grows the table itself.  No insert
 * fails, and no bucket ever exceeds the bound.
 */
static void hash_resizable_table_grows_past_a_full_bucket(struct kunit *test)
{
	struct rcumap_hash_params p = {
		.key_size = 4,
		.value_size = 4,
		.max_entries = 4096,
		.nr_buckets = 1,
		.flags = RCUMAP_HASH_F_RESIZE,
	};
	struct rcumap_hash *h = rcumap_hash_create(&p, GFP_KERNEL);
	u32 i, longest;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	for (i = 0; i < 2000; i++) {
		KUNIT_ASSERT_EQ(test, update(h, &i, &i, RCUMAP_NOEXIST), 0);
		if (!(i % 100)) {
			rcumap_hash_kunit_walk_bytes(h, &longest);
			KUNIT_ASSERT_LE(test, longest, RCUMAP_HASH_BUCKET_MAX);
		}
	}
	rcumap_hash_barrier();
	rcumap_hash_kunit_walk_bytes(h, &longest);
	KUNIT_EXPECT_LE(test, longest, RCUMAP_HASH_BUCKET_MAX);
	rcumap_hash_destroy(h);
}

/*
 * bytes_used is kept as updates go, not counted: after inserts,
 * replaces, deletes (some without memory, leaving dead entries) and
 * resizes it equals the sum over every bucket and every element.
 */
static void hash_bytes_used_matches_the_buckets(struct kunit *test)
{
	const bool indirect = *(const bool *)test->param_value;
	struct rcumap_hash *h = new_table_layout(test, 8, 24, 1024, 64,
						 indirect);
	struct rnd_state rnd;
	u8 val[24] = {};
	u32 i, longest;
	u64 key;

	prandom_seed_state(&rnd, 42);
	for (i = 0; i < 20000; i++) {
		u32 r = prandom_u32_state(&rnd);

		key = r % 1024;
		val[0] = r >> 24;
		if (r & BIT(20)) {
			/* One in 8 finds no memory: a dead entry, if any. */
			fail_nth_arm(!(r & (BIT(21) | BIT(22) | BIT(23))));
			rcumap_hash_delete(h, &key);
			fail_nth_fired();
		} else {
			KUNIT_ASSERT_EQ(test, update(h, &key, val, RCUMAP_ANY), 0);
		}
		if (!(i % 2000)) {
			/* A shrink may find a pair that does not fit. */
			int err = rcumap_hash_resize(h, 16 << (r % 6));

			KUNIT_ASSERT_TRUE(test, !err || err == -ENOSPC);
		}
		if (!(i % 500))
			KUNIT_ASSERT_EQ(test, rcumap_hash_bytes_used(h),
					rcumap_hash_kunit_walk_bytes(h, &longest));
	}
	KUNIT_EXPECT_EQ(test, rcumap_hash_bytes_used(h),
			rcumap_hash_kunit_walk_bytes(h, &longest));
	KUNIT_EXPECT_LE(test, longest, RCUMAP_HASH_BUCKET_MAX);
	rcumap_hash_destroy(h);
}

/*
 * An ordered walk step crosses at most RCUMAP_HASH_WALK_BUCKETS buckets in
 * one RCU read-side section: in a table of 4096 buckets holding two keys,
 * one in the first bucket of the walk order and one in the last, the step
 * after the first key returns -EAGAIN with the cursor exactly that many
 * buckets further on, again and again, and the walk still returns both
 * keys once each, then -ENOENT.  The one-call forms walk the same way.
 */
static void hash_cursor_stops_in_empty_runs(struct kunit *test)
{
	const u32 order = 12, range = 1U << (32 - order);
	struct rcumap_hash *h = new_table(test, 4, 4, 1U << order, 1U << order);
	struct rcumap_hash_cursor c = { .state = RCUMAP_CURSOR_START };
	u32 first, last, key, v = 7, pos = 0, stops = 0, found = 0;
	int err;

	keys_in_bucket(h, order, 0, &first, 1, 0);
	keys_in_bucket(h, order, (1U << order) - 1, &last, 1, 0);
	KUNIT_ASSERT_EQ(test, update(h, &first, &v, RCUMAP_NOEXIST), 0);
	KUNIT_ASSERT_EQ(test, update(h, &last, &v, RCUMAP_NOEXIST), 0);

	while ((err = rcumap_hash_cursor_next(h, &c, &key, NULL)) != -ENOENT) {
		if (err == -EAGAIN) {
			KUNIT_ASSERT_EQ(test, c.state, (u32)RCUMAP_CURSOR_AT_POS);
			KUNIT_ASSERT_EQ(test, c.pos - pos,
					RCUMAP_HASH_WALK_BUCKETS * range);
			pos = c.pos;
			stops++;
			continue;
		}
		KUNIT_ASSERT_EQ(test, err, 0);
		KUNIT_ASSERT_EQ(test, key, found ? last : first);
		pos = c.pos & ~(range - 1);
		found++;
	}
	KUNIT_EXPECT_EQ(test, found, 2U);
	/* 4094 empty buckets between the two keys, 64 at a time. */
	KUNIT_EXPECT_EQ(test, stops,
			((1U << order) - 2) / RCUMAP_HASH_WALK_BUCKETS);
	KUNIT_EXPECT_EQ(test, c.state, (u32)RCUMAP_CURSOR_END);
	KUNIT_EXPECT_EQ(test, rcumap_hash_cursor_next(h, &c, &key, NULL),
			-ENOENT);

	KUNIT_EXPECT_EQ(test, rcumap_hash_walk_after(h, &first, &key, NULL), 0);
	KUNIT_EXPECT_EQ(test, key, last);
	KUNIT_EXPECT_EQ(test, rcumap_hash_get_next_key(h, &first, &key), 0);
	KUNIT_EXPECT_EQ(test, key, last);
	/* BPF style: a cursor key that is gone starts the walk again. */
	KUNIT_ASSERT_EQ(test, rcumap_hash_delete(h, &first), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_get_next_key(h, &first, &key), 0);
	KUNIT_EXPECT_EQ(test, key, last);
	KUNIT_EXPECT_EQ(test, rcumap_hash_get_next_key(h, &last, &key), -ENOENT);
	rcumap_hash_destroy(h);
}

/* ---- Out-of-line entries ------------------------------------------- */

/*
 * Entries whose key and value, each rounded up to 8, take more than
 * RCUMAP_HASH_INLINE_MAX bytes go out of line by themselves, and only
 * those; a per-CPU map's inner table counts its 8-byte pointer as value.
 */
static void hash_layout_follows_entry_size(struct kunit *test)
{
	static const struct { u32 ks, vs; bool indirect; } c[] = {
		{ 8, RCUMAP_HASH_INLINE_MAX - 8, false },
		{ 8, RCUMAP_HASH_INLINE_MAX - 15, false },
		{ 8, RCUMAP_HASH_INLINE_MAX - 7, true },
		{ RCUMAP_HASH_INLINE_MAX, 0, false },
		{ RCUMAP_HASH_INLINE_MAX + 1, 0, true },
		{ 1, 1, false },
		{ 4112, SZ_256K, true },
		{ 1, RCUMAP_HASH_MAX_VALUE_SIZE, true },
		{ RCUMAP_HASH_MAX_KEY_SIZE, 0, true },
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct rcumap_hash *h = new_table(test, c[i].ks, c[i].vs, 4, 0);

		KUNIT_EXPECT_EQ_MSG(test, rcumap_hash_kunit_indirect(h),
				    c[i].indirect, "key %u, value %u", c[i].ks,
				    c[i].vs);
		rcumap_hash_destroy(h);
	}
}

struct big_shape {
	const char *name;
	u32 key_size, value_size, nr_keys, nr_buckets;
	bool force;	/* out of line although small */
};

/*
 * Shapes that BPF's own map tests use (4,112-byte keys, 256 KiB values)
 * and BPF's limits allow, which go out of line by size, and small entries
 * forced out of line.  Few keys of the largest: each is megabytes.
 */
static const struct big_shape big_shapes[] = {
	{ "4112-byte keys, 256 KiB values", 4112, SZ_256K, 6, 2, false },
	{ "8-byte keys, 4 KiB values", 8, 4096, 200, 16, false },
	{ "300-byte keys, no value", 300, 0, 200, 8, false },
	{ "1-byte keys, values of 4 MiB - 1", 1, RCUMAP_HASH_MAX_VALUE_SIZE, 2, 1,
	  false },
	{ "4 MiB keys, no value", RCUMAP_HASH_MAX_KEY_SIZE, 0, 2, 1, false },
	{ "8-byte keys and values, forced out of line", 8, 8, 300, 8, true },
	{ "key and value of 2 MiB each", RCUMAP_HASH_MAX_KEY_VALUE_SIZE / 2,
	  RCUMAP_HASH_MAX_KEY_VALUE_SIZE / 2, 2, 1, false },
};

static void big_shape_desc(const struct big_shape *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(big_shape, big_shapes, big_shape_desc);

/* The id of a key made by make_key(): its first (up to) 4 bytes. */
static u32 key_id(const u8 *key, u32 size)
{
	u32 id = 0, j;

	for (j = 0; j < min(size, 4U); j++)
		id |= (u32)key[j] << (8 * j);
	return id;
}

/* Every key exactly once, by the three walks, with version @ver[id]. */
static void big_walks(struct kunit *test, struct rcumap_hash *h,
		      const struct big_shape *c, const u8 *ver, u8 *key,
		      u8 *val, u8 *out)
{
	u32 n = 0, id, present = 0;
	unsigned long *seen = kunit_kcalloc(test, BITS_TO_LONGS(c->nr_keys) * 3,
					    sizeof(long), GFP_KERNEL);
	bool started = false;
	u64 pos = 0;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (id = 0; id < c->nr_keys; id++)
		present += ver[id] != 0xff;
	while (!(err = rcumap_hash_walk_after(h, started ? key : NULL, key,
					      out))) {
		started = true;
		id = key_id(key, c->key_size);
		KUNIT_ASSERT_LT(test, id, c->nr_keys);
		KUNIT_EXPECT_FALSE(test, __test_and_set_bit(id, seen));
		make_value(val, c->value_size, id, ver[id]);
		KUNIT_EXPECT_EQ(test, memcmp(out, val, c->value_size), 0);
		KUNIT_ASSERT_LE(test, ++n, present);
	}
	KUNIT_EXPECT_EQ(test, err, -ENOENT);
	KUNIT_EXPECT_EQ(test, n, present);
	for (n = 0; !rcumap_hash_walk(h, &pos, key, out); n++) {
		id = key_id(key, c->key_size);
		KUNIT_ASSERT_LT(test, id, c->nr_keys);
		KUNIT_EXPECT_FALSE(test, __test_and_set_bit(c->nr_keys + id, seen));
		KUNIT_ASSERT_LE(test, n, present);
	}
	KUNIT_EXPECT_EQ(test, n, present);
	for (err = rcumap_hash_get_next_key(h, NULL, key), n = 0; !err;
	     err = rcumap_hash_get_next_key(h, key, key), n++) {
		id = key_id(key, c->key_size);
		KUNIT_ASSERT_LT(test, id, c->nr_keys);
		KUNIT_EXPECT_FALSE(test,
				   __test_and_set_bit(2 * c->nr_keys + id, seen));
		KUNIT_ASSERT_LE(test, n, present);
	}
	KUNIT_EXPECT_EQ(test, n, present);
	kunit_kfree(test, seen);
}

/*
 * Every operation on keys and values that go out of line: insert, the
 * modes, replace, the three walks, a resize there and back, delete and
 * lookup_and_delete; the memory kept as updates go matches every bucket
 * and element at each step, and kmemleak sees no element left behind.
 */
static void hash_big_entries(struct kunit *test)
{
	const struct big_shape *c = test->param_value;
	struct rcumap_hash_params p = {
		.key_size = c->key_size,
		.value_size = c->value_size,
		.max_entries = c->nr_keys,
		.nr_buckets = c->nr_buckets,
	};
	struct rcumap_hash *h;
	u8 *key, *val, *out, *ver;
	u32 id, longest, present;

	h = c->force ? rcumap_hash_kunit_create(&p, GFP_KERNEL, true) :
		       rcumap_hash_create(&p, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	KUNIT_EXPECT_TRUE(test, rcumap_hash_kunit_indirect(h));
	key = kvmalloc(c->key_size, GFP_KERNEL);
	val = kvmalloc(c->value_size + 1, GFP_KERNEL);
	out = kvmalloc(c->value_size + 1, GFP_KERNEL);
	ver = kunit_kzalloc(test, c->nr_keys, GFP_KERNEL);
	if (!key || !val || !out || !ver) {
		KUNIT_FAIL(test, "no memory for the buffers");
		goto out;
	}

	for (id = 0; id < c->nr_keys; id++) {
		make_key(key, c->key_size, id);
		make_value(val, c->value_size, id, 0);
		KUNIT_ASSERT_EQ(test, update(h, key, val, RCUMAP_NOEXIST), 0);
		KUNIT_EXPECT_EQ(test, update(h, key, val, RCUMAP_NOEXIST), -EEXIST);
	}
	/* Full: a new key is refused, a present one replaced. */
	make_key(key, c->key_size, c->nr_keys);
	KUNIT_EXPECT_EQ(test, update(h, key, val, RCUMAP_ANY), -E2BIG);
	for (id = 0; id < c->nr_keys; id += 2) {
		make_key(key, c->key_size, id);
		make_value(val, c->value_size, id, 1);
		KUNIT_ASSERT_EQ(test, update(h, key, val, RCUMAP_EXIST), 0);
		ver[id] = 1;
	}
	for (id = 0; id < c->nr_keys; id++) {
		make_key(key, c->key_size, id);
		make_value(val, c->value_size, id, ver[id]);
		KUNIT_ASSERT_EQ(test, rcumap_hash_lookup_copy(h, key, out), 0);
		KUNIT_EXPECT_EQ(test, memcmp(out, val, c->value_size), 0);
	}
	KUNIT_EXPECT_EQ(test, rcumap_hash_kunit_walk_bytes(h, &longest),
			rcumap_hash_bytes_used(h));
	KUNIT_EXPECT_GT(test, (u64)rcumap_hash_bytes_used(h),
			(u64)c->nr_keys * (c->key_size + c->value_size));
	big_walks(test, h, c, ver, key, val, out);

	/* There and back: the elements move as pointers. */
	KUNIT_EXPECT_EQ(test, rcumap_hash_resize(h, c->nr_buckets * 4), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_resize(h, c->nr_buckets), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_kunit_walk_bytes(h, &longest),
			rcumap_hash_bytes_used(h));
	big_walks(test, h, c, ver, key, val, out);

	/* One in three taken with its value, one in three deleted. */
	present = c->nr_keys;
	for (id = 0; id < c->nr_keys; id++) {
		make_key(key, c->key_size, id);
		if (id % 3 == 1) {
			make_value(val, c->value_size, id, ver[id]);
			KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_and_delete(h, key,
									    out), 0);
			KUNIT_EXPECT_EQ(test, memcmp(out, val, c->value_size), 0);
		} else if (id % 3 == 2) {
			KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, key), 0);
		} else {
			continue;
		}
		KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, key), -ENOENT);
		ver[id] = 0xff;
		present--;
	}
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), present);
	KUNIT_EXPECT_EQ(test, rcumap_hash_kunit_walk_bytes(h, &longest),
			rcumap_hash_bytes_used(h));
	big_walks(test, h, c, ver, key, val, out);
out:
	rcumap_hash_destroy(h);
	kvfree(key);
	kvfree(val);
	kvfree(out);
}

/*
 * A replace in an out-of-line table copies its neighbours' pointers, not
 * their keys and values: every other key of the bucket (64 of them, the
 * bound) keeps its value at the same address, and only the replaced
 * key's moves.  Inline, every value moves with the bucket; that is what
 * the test tells apart, so it runs in both layouts.
 */
static void hash_replace_copies_pointers_only(struct kunit *test)
{
	const bool indirect = *(const bool *)test->param_value;
	const u32 n = RCUMAP_HASH_BUCKET_MAX, vs = 256;
	struct rcumap_hash *h = new_table_layout(test, 4, vs, n, 1, indirect);
	const void **before = kunit_kcalloc(test, n, sizeof(*before), GFP_KERNEL);
	u8 *val = kunit_kzalloc(test, vs, GFP_KERNEL);
	u32 k, moved = 0;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, val);
	for (k = 0; k < n; k++) {
		make_value(val, vs, k, 0);
		KUNIT_ASSERT_EQ(test, update(h, &k, val, RCUMAP_NOEXIST), 0);
	}
	/* No ASSERT inside the read-side section: it would not unlock. */
	rcu_read_lock();
	for (k = 0; k < n; k++)
		before[k] = rcumap_hash_lookup(h, &k);
	/* Still inside: no address can be freed and reused meanwhile. */
	k = n / 3;
	make_value(val, vs, k, 1);
	err = rcumap_hash_update(h, &k, val, RCUMAP_EXIST, GFP_ATOMIC);
	for (k = 0; k < n; k++)
		moved += rcumap_hash_lookup(h, &k) != before[k];
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, moved, indirect ? 1U : n);
	rcumap_hash_destroy(h);
}

/*
 * The accessors report the shape asked for, and the bucket count is
 * max_entries rounded up to a power of two unless nr_buckets says
 * otherwise (itself rounded up).
 */
static void hash_create_picks_buckets(struct kunit *test)
{
	struct rcumap_hash *h;

	h = new_table(test, RCUMAP_HASH_MAX_KEY_SIZE, 0, 100, 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_nr_buckets(h), 128U);
	KUNIT_EXPECT_EQ(test, rcumap_hash_key_size(h), RCUMAP_HASH_MAX_KEY_SIZE);
	KUNIT_EXPECT_EQ(test, rcumap_hash_value_size(h), 0U);
	KUNIT_EXPECT_EQ(test, rcumap_hash_max_entries(h), 100U);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 0U);
	rcumap_hash_destroy(h);

	h = new_table(test, 1, RCUMAP_HASH_MAX_VALUE_SIZE, 100, 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_value_size(h),
			RCUMAP_HASH_MAX_VALUE_SIZE);
	rcumap_hash_destroy(h);

	/* 4 buckets (3 rounded up) hold 4 * RCUMAP_HASH_BUCKET_MAX keys. */
	h = new_table(test, 4, 0, 4 * RCUMAP_HASH_BUCKET_MAX, 3);
	KUNIT_EXPECT_EQ(test, rcumap_hash_nr_buckets(h), 4U);
	rcumap_hash_destroy(h);
}

/* A positional walk without a value buffer returns every key once. */
static void hash_walk_without_values(struct kunit *test)
{
	const u32 n = 100;
	struct rcumap_hash *h = new_table(test, 4, 8, n, 0);
	DECLARE_BITMAP(seen, 100) = {};
	u32 key, walked = 0;
	u64 pos = 0, val;
	int err;

	for (key = 0; key < n; key++) {
		val = key;
		KUNIT_ASSERT_EQ(test, update(h, &key, &val, RCUMAP_NOEXIST), 0);
	}
	while ((err = rcumap_hash_walk(h, &pos, &key, NULL)) != -ENOENT) {
		if (err == -EAGAIN)
			continue;
		KUNIT_ASSERT_EQ(test, err, 0);
		KUNIT_ASSERT_LT(test, key, n);
		KUNIT_EXPECT_FALSE(test, __test_and_set_bit(key, seen));
		walked++;
	}
	KUNIT_EXPECT_EQ(test, walked, n);
	rcumap_hash_destroy(h);
}

/*
 * A bucket-length histogram taken in chunks counts every bucket and every
 * key once, its longest bucket is one it counted, and a cursor past the
 * end visits nothing.
 */
static void hash_bucket_stats_count_every_key(struct kunit *test)
{
	const u32 n = 300, nr_hist = RCUMAP_HASH_BUCKET_MAX + 1;
	struct rcumap_hash *h = new_table(test, 4, 4, n, 64);
	u32 *hist = kunit_kcalloc(test, nr_hist, sizeof(*hist), GFP_KERNEL);
	u32 key, len, cursor = 0, longest = 0, buckets = 0, keys = 0;
	int nr;

	KUNIT_ASSERT_NOT_NULL(test, hist);
	for (key = 0; key < n; key++)
		KUNIT_ASSERT_EQ(test, update(h, &key, &key, RCUMAP_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_bucket_stats(h, &cursor, 8, hist, 0,
						       &longest), -EINVAL);
	do {
		nr = rcumap_hash_bucket_stats(h, &cursor, 7, hist, nr_hist,
					      &longest);
		KUNIT_ASSERT_EQ(test, nr, 64);
	} while (cursor < nr);
	KUNIT_EXPECT_EQ(test, cursor, 64U);
	for (len = 0; len < nr_hist; len++) {
		buckets += hist[len];
		keys += len * hist[len];
		if (hist[len])
			KUNIT_EXPECT_LE(test, len, longest);
	}
	KUNIT_EXPECT_EQ(test, buckets, 64U);
	KUNIT_EXPECT_EQ(test, keys, n);
	KUNIT_EXPECT_GT(test, hist[longest], 0U);
	KUNIT_EXPECT_EQ(test, rcumap_hash_bucket_stats(h, &cursor, 8, hist,
						       nr_hist, &longest), 64);
	KUNIT_EXPECT_EQ(test, cursor, 64U);
	for (len = 0, buckets = 0; len < nr_hist; len++)
		buckets += hist[len];
	KUNIT_EXPECT_EQ(test, buckets, 64U);
	rcumap_hash_destroy(h);
}

/* Keys need no alignment: at any address they find the same entry. */
static void hash_keys_may_be_unaligned(struct kunit *test)
{
	struct rcumap_hash *h = new_table(test, 8, 4, 64, 8);
	u64 k = 0x1122334455667788ULL;
	u32 v = 77, out = 0, off;
	u8 buf[32];

	memcpy(buf + 1, &k, 8);
	KUNIT_EXPECT_EQ(test, update(h, buf + 1, &v, RCUMAP_ANY), 0);
	for (off = 0; off < 8; off++) {
		memcpy(buf + off, &k, 8);
		KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, buf + off,
							      &out), 0);
		KUNIT_EXPECT_EQ(test, out, 77U);
	}
	KUNIT_EXPECT_EQ(test, rcumap_hash_get_next_key(h, NULL, buf + 3), 0);
	KUNIT_EXPECT_EQ(test, memcmp(buf + 3, &k, 8), 0);
	rcumap_hash_destroy(h);
}

/* A positional walk, resumed from a position it never returned. */
static int walk_on(struct rcumap_hash *h, u64 *pos, void *key, void *value)
{
	int err;

	do {
		err = rcumap_hash_walk(h, pos, key, value);
	} while (err == -EAGAIN);
	return err;
}

/*
 * A positional walk takes any position: past the last bucket it ends,
 * and past a bucket's last entry it goes on with the next bucket.
 */
static void hash_walk_accepts_any_position(struct kunit *test)
{
	struct rcumap_hash *h = new_table(test, 4, 4, 64, 16);
	u32 k, v = 0;
	u64 pos;

	for (k = 0; k < 10; k++)
		KUNIT_EXPECT_EQ(test, update(h, &k, &v, RCUMAP_ANY), 0);
	pos = U64_MAX;
	KUNIT_EXPECT_EQ(test, walk_on(h, &pos, &k, &v), -ENOENT);
	pos = 16ULL << 32;
	KUNIT_EXPECT_EQ(test, walk_on(h, &pos, &k, &v), -ENOENT);
	pos = 3ULL << 32 | 0xffffffffU;
	KUNIT_EXPECT_TRUE(test, walk_on(h, &pos, &k, NULL) == 0 ||
			  pos >= 16ULL << 32);
	rcumap_hash_destroy(h);
}

/*
 * A positional walk of a sparse table: each call visits at most
 * RCUMAP_HASH_WALK_BUCKETS buckets, and says -EAGAIN with the position
 * moved past exactly that many empty ones, until it finds the one key.
 */
static void hash_walk_pauses_in_empty_runs(struct kunit *test)
{
	struct rcumap_hash *h = new_table(test, 4, 4, 4096, 4096);
	u32 k, v = 1, got, bucket = 0, calls = 0, found = 0;
	u64 pos = 0, before;
	int err;

	/* A key in one of the last buckets. */
	for (k = 0; bucket < 4000; k++)
		bucket = bitrev32(rcumap_hash_key_pos(h, &k)) & 4095;
	k--;
	KUNIT_EXPECT_EQ(test, update(h, &k, &v, RCUMAP_NOEXIST), 0);
	do {
		before = pos;
		err = rcumap_hash_walk(h, &pos, &got, NULL);
		calls++;
		/* Exactly the bucket budget further, at its first entry. */
		if (err == -EAGAIN)
			KUNIT_EXPECT_EQ(test, pos,
					((before >> 32) +
					 RCUMAP_HASH_WALK_BUCKETS) << 32);
		if (!err) {
			KUNIT_EXPECT_EQ(test, got, k);
			KUNIT_EXPECT_EQ(test, pos >> 32, (u64)bucket);
			found++;
		}
	} while (err != -ENOENT && calls < 1000);
	KUNIT_EXPECT_EQ(test, found, 1U);
	KUNIT_EXPECT_EQ(test, pos, 4096ULL << 32);
	/* No call visited more than its budget of buckets. */
	KUNIT_EXPECT_GE(test, calls, 4096U / RCUMAP_HASH_WALK_BUCKETS);
	rcumap_hash_destroy(h);
}

/* A table shape for random operations; @layout: 0 as sizes say, 1, 2. */
struct random_shape {
	u32 key_size, value_size, nr_buckets, layout;
};

#define SHAPE_AUTO	0
#define SHAPE_INLINE	1
#define SHAPE_INDIRECT	2

/*
 * Up to 300 keys: 8 buckets are long ones (about 28 keys each, far from
 * the bound, which no random sequence here reaches).  Entries of more
 * than RCUMAP_HASH_INLINE_MAX bytes go out of line by themselves; the
 * forced layouts try both at small and large sizes, on both sides of the
 * threshold.
 */
static const struct random_shape random_shapes[] = {
	{ 1, 8, 8 }, { 3, 0, 16 }, { 4, 4, 8 }, { 4, 1, 64 }, { 5, 13, 8 },
	{ 8, 8, 8 }, { 8, 24, 256 }, { 12, 8, 8 }, { 13, 100, 32 },
	{ 64, 4096, 8 }, { 256, 3, 16 },
	{ 8, RCUMAP_HASH_INLINE_MAX - 8, 8 },
	{ 8, RCUMAP_HASH_INLINE_MAX - 7, 8 },
	{ 1, 8, 8, SHAPE_INDIRECT }, { 4, 4, 8, SHAPE_INDIRECT },
	{ 8, 8, 8, SHAPE_INDIRECT }, { 3, 0, 16, SHAPE_INDIRECT },
	{ 13, 100, 32, SHAPE_INDIRECT },
	{ 256, 3, 16, SHAPE_INLINE }, { 4, 1000, 8, SHAPE_INLINE },
	{ 500, 0, 8 }, { 33, 65536, 8 },
};

static void random_shape_desc(const struct random_shape *s, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "key %u value %u buckets %u%s",
		 s->key_size, s->value_size, s->nr_buckets,
		 s->layout == SHAPE_INLINE ? " inline" :
		 s->layout == SHAPE_INDIRECT ? " out of line" : "");
}

KUNIT_ARRAY_PARAM(random_shape, random_shapes, random_shape_desc);

/* The id of a key made by make_key() for a table of @nr_ids keys. */
static u32 random_key_id(const void *key, u32 key_size)
{
	u32 id = 0;

	memcpy(&id, key, min(key_size, 4U));
	return id;
}

/*
 * Both walks return each key of @present once, the count agrees, and the
 * memory counted as updates go is what the buckets hold.
 */
static void expect_walks_match(struct kunit *test, struct rcumap_hash *h,
			       const bool *present, u32 nr_ids, u8 *key,
			       u8 *prev)
{
	u32 key_size = rcumap_hash_key_size(h), nr_present = 0, n = 0, id;
	u8 *seen = kunit_kzalloc(test, nr_ids, GFP_KERNEL);
	u64 pos = 0;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (id = 0; id < nr_ids; id++)
		nr_present += present[id];
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), nr_present);
	err = rcumap_hash_get_next_key(h, NULL, key);
	while (!err && n++ <= nr_present) {
		id = random_key_id(key, key_size);
		KUNIT_ASSERT_LT(test, id, nr_ids);
		KUNIT_EXPECT_TRUE(test, present[id] && !(seen[id] & 1));
		seen[id] |= 1;
		memcpy(prev, key, key_size);
		err = rcumap_hash_get_next_key(h, prev, key);
	}
	KUNIT_EXPECT_EQ(test, n, nr_present);
	n = 0;
	while ((err = rcumap_hash_walk(h, &pos, key, NULL)) != -ENOENT &&
	       n <= nr_present) {
		if (err == -EAGAIN)
			continue;
		id = random_key_id(key, key_size);
		KUNIT_ASSERT_LT(test, id, nr_ids);
		KUNIT_EXPECT_TRUE(test, present[id] && !(seen[id] & 2));
		seen[id] |= 2;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, nr_present);
	KUNIT_EXPECT_EQ(test, rcumap_hash_bytes_used(h),
			rcumap_hash_kunit_walk_bytes(h, &n));
	KUNIT_EXPECT_LE(test, n, RCUMAP_HASH_BUCKET_HARD_MAX);
	kunit_kfree(test, seen);
}

/*
 * Random updates, deletes, lookups and lookup_and_deletes on one shape,
 * each checked against a plain array, with now and then an allocation
 * failure (with fault injection); the walks, count and memory checked
 * along the way.
 */
static void hash_random_ops_match_reference(struct kunit *test)
{
	const struct random_shape *sh = test->param_value;
	const u32 nr_ids = sh->key_size == 1 ? 256 : 300;
	const u32 max_entries = nr_ids * 3 / 4;
	const u32 nr_ops = sh->value_size >= 1024 ? 1000 : 5000;
	struct rcumap_hash_params p = {
		.key_size = sh->key_size,
		.value_size = sh->value_size,
		.max_entries = max_entries,
		.nr_buckets = sh->nr_buckets,
	};
	bool *present = kunit_kcalloc(test, nr_ids, sizeof(*present),
				      GFP_KERNEL);
	u32 *version = kunit_kcalloc(test, nr_ids, sizeof(*version),
				     GFP_KERNEL);
	u8 *key = kunit_kzalloc(test, sh->key_size, GFP_KERNEL);
	u8 *prev = kunit_kzalloc(test, sh->key_size, GFP_KERNEL);
	u8 *value = kunit_kzalloc(test, sh->value_size + 1, GFP_KERNEL);
	u8 *want = kunit_kzalloc(test, sh->value_size + 1, GFP_KERNEL);
	struct rnd_state rnd;
	struct rcumap_hash *h;
	u32 count = 0, i;

	KUNIT_ASSERT_TRUE(test, present && version && key && prev && value &&
			  want);
	if (sh->layout == SHAPE_AUTO)
		h = rcumap_hash_create(&p, GFP_KERNEL);
	else
		h = rcumap_hash_kunit_create(&p, GFP_KERNEL,
					     sh->layout == SHAPE_INDIRECT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	KUNIT_EXPECT_EQ(test, rcumap_hash_kunit_indirect(h),
			sh->layout == SHAPE_AUTO ?
			ALIGN(sh->key_size, 8) + ALIGN(sh->value_size, 8) >
			RCUMAP_HASH_INLINE_MAX : sh->layout == SHAPE_INDIRECT);
	prandom_seed_state(&rnd, 0x1234567 + sh->key_size * 1000 +
			   sh->value_size + sh->layout);
	for (i = 0; i < nr_ops; i++) {
		u32 id = prandom_u32_state(&rnd) % nr_ids;
		u32 op = prandom_u32_state(&rnd) % 10;
		u32 mode = prandom_u32_state(&rnd) % 3;
		int err, expect;

		make_key(key, sh->key_size, id);
		/* The element's allocation, or the bucket's. */
		if (prandom_u32_state(&rnd) % 50 == 0)
			fail_nth_arm(1 + prandom_u32_state(&rnd) % 2);
		if (op < 5) {
			make_value(value, sh->value_size, id, version[id] + 1);
			err = update(h, key, value, mode);
			if (mode == RCUMAP_NOEXIST && present[id])
				expect = -EEXIST;
			else if (mode == RCUMAP_EXIST && !present[id])
				expect = -ENOENT;
			else if (!present[id] && count == max_entries)
				expect = -E2BIG;
			else
				expect = 0;
			if (!(err == -ENOMEM && expect == 0)) {
				KUNIT_EXPECT_EQ(test, err, expect);
				if (!err) {
					version[id]++;
					count += !present[id];
					present[id] = true;
				}
			}
		} else if (op < 7) {
			err = rcumap_hash_delete(h, key);
			KUNIT_EXPECT_EQ(test, err, present[id] ? 0 : -ENOENT);
			count -= present[id];
			present[id] = false;
		} else {
			if (op == 7)
				err = rcumap_hash_lookup_and_delete(h, key, value);
			else
				err = rcumap_hash_lookup_copy(h, key, value);
			KUNIT_EXPECT_EQ(test, err, present[id] ? 0 : -ENOENT);
			make_value(want, sh->value_size, id, version[id]);
			if (!err)
				KUNIT_EXPECT_EQ(test, memcmp(value, want,
							     sh->value_size), 0);
			if (op == 7) {
				count -= present[id];
				present[id] = false;
			}
		}
		fail_nth_fired();
		if (i % 1000 == 999)
			expect_walks_match(test, h, present, nr_ids, key, prev);
		cond_resched();
	}
	expect_walks_match(test, h, present, nr_ids, key, prev);
	KUNIT_EXPECT_GT(test, rcumap_hash_bytes_used(h),
			count * (size_t)sh->key_size);
	rcumap_hash_destroy(h);
}

static struct kunit_case rcumap_hash_cases[] = {
	KUNIT_CASE_PARAM(hash_create_rejects_bad_params, bad_params_gen_params),
	KUNIT_CASE(hash_update_modes),
	KUNIT_CASE(hash_delete_and_lookup_and_delete),
	KUNIT_CASE(hash_max_entries_enforced),
	KUNIT_CASE_PARAM(hash_key_sizes, key_size_gen_params),
	KUNIT_CASE(hash_get_next_key_edges),
	KUNIT_CASE(hash_get_next_key_after_delete_restarts),
	KUNIT_CASE(hash_walk_returns_every_entry_once),
	KUNIT_CASE(hash_reader_keeps_snapshot),
	KUNIT_CASE(hash_destroy_nonempty),
	KUNIT_CASE_PARAM(hash_next_key_after_is_a_total_order,
			 order_buckets_gen_params),
	KUNIT_CASE_PARAM(hash_next_key_after_survives_churn,
			 order_buckets_gen_params),
	KUNIT_CASE(hash_next_key_after_edges),
	KUNIT_CASE(hash_key_pos_sorts_keys_like_the_walk),
	KUNIT_CASE(hash_key_pos_ignores_size_and_contents),
	KUNIT_CASE_PARAM(hash_free_callback_once_per_value, layout_gen_params),
	KUNIT_CASE(hash_free_callback_waits_for_readers),
	KUNIT_CASE(hash_free_callback_frees_percpu_values),
	KUNIT_CASE(hash_full_bucket_refuses_new_keys),
	KUNIT_CASE(hash_resize_keeps_the_bound),
	KUNIT_CASE(hash_resizable_table_grows_past_a_full_bucket),
	KUNIT_CASE_PARAM(hash_bytes_used_matches_the_buckets, layout_gen_params),
	KUNIT_CASE(hash_cursor_stops_in_empty_runs),
	KUNIT_CASE(hash_layout_follows_entry_size),
	KUNIT_CASE_PARAM(hash_big_entries, big_shape_gen_params),
	KUNIT_CASE_PARAM(hash_replace_copies_pointers_only, layout_gen_params),
	KUNIT_CASE(hash_create_picks_buckets),
	KUNIT_CASE(hash_walk_without_values),
	KUNIT_CASE(hash_bucket_stats_count_every_key),
	KUNIT_CASE_PARAM(hash_random_ops_match_reference,
			 random_shape_gen_params),
	KUNIT_CASE(hash_keys_may_be_unaligned),
	KUNIT_CASE(hash_walk_accepts_any_position),
	KUNIT_CASE(hash_walk_pauses_in_empty_runs),
	{}
};

static struct kunit_suite rcumap_hash_suite = {
	.name = "rcumap_hash",
	.test_cases = rcumap_hash_cases,
};

/* ---- Allocation failures ------------------------------------------- */

#define FAULT_KEYS	12

/*
 * Everything a caller can observe of a small table: its count and, in walk
 * order, every key and value.
 */
struct snapshot {
	u32 count;
	u32 nr;
	u32 keys[FAULT_KEYS + 1];
	u32 vals[FAULT_KEYS + 1];
};

static void take_snapshot(struct kunit *test, struct rcumap_hash *h,
			  struct snapshot *s)
{
	u32 *prev = NULL;

	memset(s, 0, sizeof(*s));
	s->count = rcumap_hash_count(h);
	while (s->nr <= FAULT_KEYS &&
	       !rcumap_hash_get_next_key(h, prev, &s->keys[s->nr])) {
		KUNIT_ASSERT_EQ(test, rcumap_hash_lookup_copy(h, &s->keys[s->nr],
							      &s->vals[s->nr]), 0);
		prev = &s->keys[s->nr++];
	}
}

enum fault_op { FAULT_INSERT, FAULT_REPLACE, FAULT_DELETE };

/*
 * Sweep fail-nth over one update (nth = 1, 2, ... until the update no
 * longer reaches an injected failure).  Every failed update must leave the
 * table exactly as it was; every successful one is undone, so that each
 * step starts from the same table.
 */
static void fault_sweep(struct kunit *test, enum fault_op op)
{
	/*
	 * Out of line, an update allocates an element, then a bucket.  Which
	 * fault-injection sites fail depends on the slab's state too (and
	 * kmemleak's own allocations), so the sweep asks only that some
	 * update failed; tools/native/test_hash.c fails the element's and
	 * the bucket's allocation by number.
	 */
	const bool indirect = *(const bool *)test->param_value;
	struct rcumap_hash *h = new_table_layout(test, 4, 4, 64, 2, indirect);
	struct snapshot *before = kunit_kzalloc(test, sizeof(*before), GFP_KERNEL);
	struct snapshot *after = kunit_kzalloc(test, sizeof(*after), GFP_KERNEL);
	u32 i, key, val, nth, failures = 0;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, before);
	KUNIT_ASSERT_NOT_NULL(test, after);
	for (i = 0; i < FAULT_KEYS; i++)
		KUNIT_ASSERT_EQ(test, update(h, &i, &i, RCUMAP_ANY), 0);
	take_snapshot(test, h, before);
	key = op == FAULT_INSERT ? FAULT_KEYS : FAULT_KEYS / 2;
	val = 1000;

	for (nth = 1; nth < 1000; nth++) {
		fail_nth_arm(nth);
		if (op == FAULT_DELETE)
			err = rcumap_hash_delete(h, &key);
		else
			err = rcumap_hash_update(h, &key, &val, op == FAULT_INSERT ?
						 RCUMAP_NOEXIST : RCUMAP_EXIST,
						 GFP_KERNEL);
		if (!fail_nth_fired()) {
			KUNIT_EXPECT_EQ(test, err, 0);
			break;
		}
		if (err) {
			KUNIT_EXPECT_EQ(test, err, -ENOMEM);
			KUNIT_EXPECT_NE(test, op, FAULT_DELETE);
			failures++;
		} else if (op == FAULT_INSERT) {
			KUNIT_ASSERT_EQ(test, rcumap_hash_delete(h, &key), 0);
		} else if (op == FAULT_REPLACE) {
			KUNIT_ASSERT_EQ(test, update(h, &key, &key, RCUMAP_EXIST), 0);
		} else {
			KUNIT_ASSERT_EQ(test, update(h, &key, &key, RCUMAP_NOEXIST), 0);
		}
		take_snapshot(test, h, after);
		if (op != FAULT_DELETE) {
			KUNIT_ASSERT_EQ_MSG(test, memcmp(before, after,
							 sizeof(*before)), 0,
					    "table changed after nth=%u", nth);
		} else {
			KUNIT_ASSERT_EQ(test, after->count, before->count);
		}
	}
	KUNIT_EXPECT_LT(test, nth, 1000U);
	if (op != FAULT_DELETE)
		KUNIT_EXPECT_GT_MSG(test, failures, 0U,
				    "no allocation failed: %s",
				    "is failslab's ignore-gfp-wait N?");
	rcumap_hash_destroy(h);
}

static void hash_insert_alloc_failure_changes_nothing(struct kunit *test)
{
	fault_sweep(test, FAULT_INSERT);
}

static void hash_replace_alloc_failure_changes_nothing(struct kunit *test)
{
	fault_sweep(test, FAULT_REPLACE);
}

static void hash_delete_never_fails_for_memory(struct kunit *test)
{
	fault_sweep(test, FAULT_DELETE);
}

/*
 * Delete when no memory at all can be had: the entry is marked dead in
 * place.  Every other key of the (single) bucket stays visible, the key
 * is gone, and the next update reclaims the dead entry.
 */
static void hash_delete_without_memory_keeps_neighbours(struct kunit *test)
{
	const bool indirect = *(const bool *)test->param_value;
	struct rcumap_hash *h = new_table_layout(test, 4, 4, 16, 1, indirect);
	u32 i, out, walked = 0, key, longest;
	size_t bytes;
	int err;

	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, update(h, &i, &i, RCUMAP_ANY), 0);
	bytes = rcumap_hash_bytes_used(h);
	for (i = 0; i < 8; i += 2) {
		fail_nth_arm(1);
		KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &i), 0);
		KUNIT_EXPECT_TRUE_MSG(test, fail_nth_fired(),
				      "delete of %u did not try to allocate", i);
	}
	/* Dead entries, and their elements, stay until a rebuild. */
	KUNIT_EXPECT_EQ(test, rcumap_hash_bytes_used(h), bytes);
	KUNIT_EXPECT_EQ(test, rcumap_hash_kunit_walk_bytes(h, &longest), bytes);
	KUNIT_EXPECT_EQ(test, longest, 8U);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 4U);
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &i, &out),
				i % 2 ? 0 : -ENOENT);
	for (err = rcumap_hash_get_next_key(h, NULL, &key); !err;
	     err = rcumap_hash_get_next_key(h, &key, &key)) {
		KUNIT_EXPECT_EQ(test, key % 2, 1U);
		walked++;
	}
	KUNIT_EXPECT_EQ(test, walked, 4U);

	/* Deleted keys can come back; dead entries are dropped meanwhile. */
	for (i = 0; i < 8; i += 2)
		KUNIT_EXPECT_EQ(test, update(h, &i, &i, RCUMAP_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 8U);
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &i, &out), 0);
		KUNIT_EXPECT_EQ(test, out, i);
	}
	KUNIT_EXPECT_EQ(test, rcumap_hash_kunit_walk_bytes(h, &longest),
			rcumap_hash_bytes_used(h));
	KUNIT_EXPECT_EQ(test, longest, 8U);
	rcumap_hash_destroy(h);
}

/*
 * Entries deleted by marking them dead in place reach the free callback
 * when the bucket that holds them is retired (by the next update of that
 * bucket), or at destroy; once each.
 */
static void hash_free_callback_after_dead_entries(struct kunit *test)
{
	const bool indirect = *(const bool *)test->param_value;
	struct free_log *l = new_free_log(test);
	struct rcumap_hash *h = new_cb_table_layout(test, l, 16, 1, indirect);
	u64 key, val;

	for (key = 0; key < 8; key++) {
		val = key + 100;
		KUNIT_ASSERT_EQ(test, update(h, &key, &val, RCUMAP_ANY), 0);
	}
	for (key = 0; key < 4; key += 2) {
		fail_nth_arm(1);
		KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), 0);
		KUNIT_EXPECT_TRUE(test, fail_nth_fired());
	}
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, free_log_calls(l), 0U);

	/* The next update rebuilds the bucket without its dead entries. */
	key = 50;
	KUNIT_EXPECT_EQ(test, update(h, &key, &key, RCUMAP_NOEXIST), 0);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, free_log_calls(l), 2U);
	KUNIT_EXPECT_EQ(test, free_log_count(l, 0, 100), 1U);
	KUNIT_EXPECT_EQ(test, free_log_count(l, 2, 102), 1U);

	/* A dead entry still there at destroy is handed over then. */
	key = 4;
	fail_nth_arm(1);
	KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), 0);
	KUNIT_EXPECT_TRUE(test, fail_nth_fired());
	rcumap_hash_destroy(h);
	rcumap_hash_barrier();
	KUNIT_EXPECT_EQ(test, free_log_calls(l), 2U + 1U + 6U);
	for (key = 1; key < 8; key++)
		if (key != 2)
			KUNIT_EXPECT_EQ(test, free_log_count(l, key, key + 100), 1U);
	KUNIT_EXPECT_EQ(test, free_log_count(l, 50, 50), 1U);
}

/*
 * Sweep fail-nth over create: every injected failure gives -ENOMEM and
 * leaks nothing (kmemleak checks), and the table finally created works.
 */
static void hash_create_alloc_failure_is_clean(struct kunit *test)
{
	struct rcumap_hash_params p = {
		.key_size = 8, .value_size = 8, .max_entries = 64,
	};
	struct rcumap_hash *h = NULL;
	u32 nth, failures = 0;
	u64 key = 1, val = 2, out;

	for (nth = 1; nth < 100; nth++) {
		fail_nth_arm(nth);
		h = rcumap_hash_create(&p, GFP_KERNEL);
		if (!fail_nth_fired())
			break;
		if (IS_ERR(h)) {
			KUNIT_EXPECT_EQ(test, PTR_ERR(h), -ENOMEM);
			failures++;
		} else {
			rcumap_hash_destroy(h);
		}
		h = NULL;
	}
	KUNIT_EXPECT_GT(test, failures, 0U);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	KUNIT_EXPECT_EQ(test, update(h, &key, &val, RCUMAP_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &key, &out), 0);
	KUNIT_EXPECT_EQ(test, out, val);
	rcumap_hash_destroy(h);
}

static struct kunit_case rcumap_hash_fault_cases[] = {
	KUNIT_CASE_PARAM(hash_insert_alloc_failure_changes_nothing,
			 layout_gen_params),
	KUNIT_CASE_PARAM(hash_replace_alloc_failure_changes_nothing,
			 layout_gen_params),
	KUNIT_CASE_PARAM(hash_delete_never_fails_for_memory, layout_gen_params),
	KUNIT_CASE_PARAM(hash_delete_without_memory_keeps_neighbours,
			 layout_gen_params),
	KUNIT_CASE_PARAM(hash_free_callback_after_dead_entries,
			 layout_gen_params),
	KUNIT_CASE(hash_create_alloc_failure_is_clean),
	{}
};

static struct kunit_suite rcumap_hash_fault_suite = {
	.name = "rcumap_hash_fault",
	.init = fail_nth_suite_init,
	.test_cases = rcumap_hash_fault_cases,
};

/* ---- Concurrency ----------------------------------------------------- */

/*
 * Writers own disjoint key sets (key % nr_writers == writer), so each one
 * knows the exact state of its keys and checks every return code and
 * value against it.  Readers look up every key and check that whatever
 * they find is whole: it names its key, carries a version, a checksum of
 * both and a fill pattern derived from both, and it does not change while
 * they hold it.
 */
#define STRESS_KEYS	1024
#define STRESS_FILL	40

struct stress_value {
	u64 key;
	u64 version;
	u64 check;
	u8 fill[STRESS_FILL];
};

struct stress {
	struct rcumap_hash *h;
	u32 nr_writers;
	struct stress_errors err;
	atomic_long_t reads_hit;
	atomic_long_t writes;
	u64 version[STRESS_KEYS];	/* written by the owning writer only */
	bool present[STRESS_KEYS];	/* likewise */
};

struct stress_thread {
	struct stress *s;
	u32 id;
	bool writer;
};

static u64 stress_check(u64 key, u64 version)
{
	return (key * 0x9E3779B97F4A7C15ULL) ^ (version << 7) ^ 0x5bd1e995;
}

static void stress_make(struct stress_value *v, u64 key, u64 version)
{
	v->key = key;
	v->version = version;
	v->check = stress_check(key, version);
	memset(v->fill, (u8)(key ^ version), sizeof(v->fill));
}

static bool stress_whole(const struct stress_value *v, u64 key)
{
	return v->key == key && v->check == stress_check(key, v->version) &&
	       !memchr_inv(v->fill, (u8)(key ^ v->version), sizeof(v->fill));
}

static void stress_read(struct stress *s, struct rnd_state *rnd)
{
	u64 key = prandom_u32_state(rnd) % STRESS_KEYS;
	struct stress_value first, *v;

	rcu_read_lock();
	v = rcumap_hash_lookup(s->h, &key);
	if (v) {
		first = *v;
		if (!stress_whole(&first, key))
			stress_fail(&s->err, "torn value for key %llu", key);
		/* The snapshot must not change while we hold it. */
		cpu_relax();
		if (memcmp(&first, v, sizeof(first)))
			stress_fail(&s->err, "value of key %llu changed under a reader",
				    key);
		atomic_long_inc(&s->reads_hit);
	}
	rcu_read_unlock();

	if (!(key % 64)) {
		u64 next;

		if (!rcumap_hash_get_next_key(s->h, &key, &next) &&
		    next >= STRESS_KEYS)
			stress_fail(&s->err, "walk returned unknown key %llu",
				    next);
	}
}

static void stress_write(struct stress *s, u32 writer, struct rnd_state *rnd)
{
	u64 key = prandom_u32_state(rnd) % (STRESS_KEYS / s->nr_writers) *
		  s->nr_writers + writer;
	bool present = s->present[key];
	u64 version = s->version[key] + 1;
	struct stress_value v, out;
	int err, want;

	stress_make(&v, key, version);
	switch (prandom_u32_state(rnd) % 5) {
	case 0:
		err = update(s->h, &key, &v, RCUMAP_NOEXIST);
		want = present ? -EEXIST : 0;
		break;
	case 1:
		err = update(s->h, &key, &v, RCUMAP_EXIST);
		want = present ? 0 : -ENOENT;
		break;
	case 2:
		err = update(s->h, &key, &v, RCUMAP_ANY);
		want = 0;
		break;
	case 3:
		err = rcumap_hash_delete(s->h, &key);
		want = present ? 0 : -ENOENT;
		if (!err)
			present = false;
		goto check;
	default:
		err = rcumap_hash_lookup_and_delete(s->h, &key, &out);
		want = present ? 0 : -ENOENT;
		if (!err && (!stress_whole(&out, key) ||
			     out.version != s->version[key]))
			stress_fail(&s->err, "lookup_and_delete of %llu: version %llu, want %llu",
				    key, out.version, s->version[key]);
		if (!err)
			present = false;
		goto check;
	}
	if (!err) {
		present = true;
		s->version[key] = version;
	}
check:
	if (err != want)
		stress_fail(&s->err, "writer %u, key %llu: got %d, want %d",
			    writer, key, err, want);
	s->present[key] = present;

	err = rcumap_hash_lookup_copy(s->h, &key, &out);
	if (err != (present ? 0 : -ENOENT) ||
	    (present && (!stress_whole(&out, key) ||
			 out.version != s->version[key])))
		stress_fail(&s->err, "writer %u reads back key %llu wrong (%d)",
			    writer, key, err);
	atomic_long_inc(&s->writes);
}

static int stress_thread_fn(void *arg)
{
	struct stress_thread *t = arg;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, 0x1234567ULL * (t->id + 1));
	while (!kthread_should_stop()) {
		if (t->writer)
			stress_write(t->s, t->id, &rnd);
		else
			stress_read(t->s, &rnd);
		cond_resched();
	}
	return 0;
}

struct stress_shape {
	u32 per_cpu;
	bool indirect;	/* entries out of line: readers hold elements */
};

static const struct stress_shape stress_shapes[] = {
	{ 2, false }, { 4, false }, { 2, true },
};

static void stress_desc(const struct stress_shape *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE,
		 "%u threads per CPU, half writers%s", c->per_cpu,
		 c->indirect ? ", out of line" : "");
}

KUNIT_ARRAY_PARAM(stress_threads, stress_shapes, stress_desc);

static void hash_readers_never_see_torn_or_freed_values(struct kunit *test)
{
	const struct stress_shape *c = test->param_value;
	const u32 per_cpu = c->per_cpu;
	const u32 nr = per_cpu * num_online_cpus();
	struct stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct stress_thread *t = kunit_kcalloc(test, nr, sizeof(*t), GFP_KERNEL);
	u32 i, present = 0;
	struct stress_value out;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, t);
	/* Few buckets for many keys: writers collide on bucket locks. */
	s->h = new_table_layout(test, sizeof(u64), sizeof(struct stress_value),
				STRESS_KEYS, 64, c->indirect);
	s->nr_writers = nr / 2;
	for (i = 0; i < nr; i++) {
		t[i].s = s;
		t[i].writer = i % 2 == 0;
		t[i].id = t[i].writer ? i / 2 : i;
	}
	stress_run(test, &(struct stress_run){
		.name = "rcumap_st", .fn = stress_thread_fn,
		.args = t, .size = sizeof(*t), .nr = nr,
		.ms = stress_ms, .bind = true, .err = &s->err,
	});

	KUNIT_EXPECT_GT(test, atomic_long_read(&s->writes), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->reads_hit), 0L);
	for (i = 0; i < STRESS_KEYS; i++) {
		u64 key = i;
		int err = rcumap_hash_lookup_copy(s->h, &key, &out);

		present += s->present[i];
		KUNIT_EXPECT_EQ(test, err, s->present[i] ? 0 : -ENOENT);
		if (!err)
			KUNIT_EXPECT_EQ(test, out.version, s->version[i]);
	}
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(s->h), present);
	kunit_info(test, "%ld writes, %ld read hits\n",
		   atomic_long_read(&s->writes), atomic_long_read(&s->reads_hit));
	rcumap_hash_destroy(s->h);
}

static struct kunit_case rcumap_hash_stress_cases[] = {
	KUNIT_CASE_PARAM(hash_readers_never_see_torn_or_freed_values,
			 stress_threads_gen_params),
	{}
};

static struct kunit_suite rcumap_hash_stress_suite = {
	.name = "rcumap_hash_stress",
	.test_cases = rcumap_hash_stress_cases,
};

kunit_test_suites(&rcumap_hash_suite, &rcumap_hash_fault_suite,
		  &rcumap_hash_stress_suite);

MODULE_DESCRIPTION("KUnit tests for the rcumap hash table and process table");
MODULE_LICENSE("GPL");
/* rcumap_hash_key_pos(), rcumap_percpu_hash_nr_areas(): test hooks. */
MODULE_IMPORT_NS(RCUMAP_TESTING);
