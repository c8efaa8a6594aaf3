// SPDX-License-Identifier: GPL-2.0
/*
 * Functional tests of kmod/hash.c, single-threaded, through
 * include/linux/rcumap_hash.h only.  The KUnit suites test the same API
 * in the guest; these run in a second and pin down what is easy to reach
 * only here: allocation failure at every point, odd key and value sizes,
 * and agreement with a reference model over long random sequences.
 */
#include <linux/bitrev.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/rcumap_hash.h>
#include <linux/rcupdate.h>

#include "harness.h"
#include "walk.h"

/* The largest keys the tests below put on the stack. */
#define TEST_MAX_KEY	512

/* How a table stores its entries: as their size says, or forced. */
enum layout { AUTO, INLINE, INDIRECT };

static struct rcumap_hash *make_layout(u32 key_size, u32 value_size,
				       u32 max_entries, u32 nr_buckets,
				       enum layout layout)
{
	struct rcumap_hash_params p = {
		.key_size = key_size,
		.value_size = value_size,
		.max_entries = max_entries,
		.nr_buckets = nr_buckets,
	};

	if (layout == AUTO)
		return rcumap_hash_create(&p, GFP_KERNEL);
	return rcumap_hash_kunit_create(&p, GFP_KERNEL, layout == INDIRECT);
}

static struct rcumap_hash *make(u32 key_size, u32 value_size,
				u32 max_entries, u32 nr_buckets)
{
	return make_layout(key_size, value_size, max_entries, nr_buckets, AUTO);
}

/* bytes_used, kept as updates go, against a count of every bucket. */
static void expect_bytes_exact(const struct rcumap_hash *h)
{
	u32 longest;

	EXPECT_EQ(rcumap_hash_bytes_used(h), rcumap_hash_kunit_walk_bytes(h, &longest));
	EXPECT(longest <= RCUMAP_HASH_BUCKET_HARD_MAX);
}

/* Destroy @h and check that every byte it had is freed. */
static void destroy_and_check(struct rcumap_hash *h, long live_before)
{
	rcumap_hash_destroy(h);
	native_barrier();
	if (live_before >= 0)
		EXPECT_EQ(native_allocs_live(), live_before);
}

/* Key @id spelled in @size bytes; distinct ids give distinct keys. */
static void make_key(u8 *key, u32 size, u32 id)
{
	u32 i;

	for (i = 0; i < size; i++)
		key[i] = i < 4 ? id >> (8 * i) : (u8)(i * 31 + 7);
	if (size < 4 && id >> (8 * size))
		abort();	/* the id does not fit */
}

static void make_value(u8 *value, u32 size, u32 id, u32 version)
{
	u32 i;

	for (i = 0; i < size; i++)
		value[i] = (u8)mix64(id, (u64)version << 32 | i);
}

static void create_rejects_bad_params(void)
{
	/* Too big: -E2BIG, as BPF says. */
	static const struct rcumap_hash_params too_big[] = {
		{ .key_size = RCUMAP_HASH_MAX_KEY_SIZE + 1, .max_entries = 1 },
		{ .key_size = 1, .value_size = RCUMAP_HASH_MAX_VALUE_SIZE + 1,
		  .max_entries = 1 },
		{ .key_size = RCUMAP_HASH_MAX_KEY_SIZE, .value_size = 1,
		  .max_entries = 1 },
		{ .key_size = 4096, .value_size = RCUMAP_HASH_MAX_KEY_VALUE_SIZE -
						  4096 + 1, .max_entries = 1 },
		{ .key_size = U32_MAX, .value_size = 1, .max_entries = 1 },
		{ .key_size = 1, .value_size = U32_MAX, .max_entries = 1 },
		{ .key_size = U32_MAX, .value_size = U32_MAX, .max_entries = 1 },
	};
	static const struct rcumap_hash_params bad[] = {
		{ .key_size = 0, .value_size = 8, .max_entries = 1 },
		{ .key_size = 0, .value_size = U32_MAX, .max_entries = 1 },
		{ .key_size = 4, .max_entries = 0 },
		{ .key_size = 4, .max_entries = RCUMAP_HASH_MAX_ENTRIES + 1 },
		{ .key_size = 4, .max_entries = 1,
		  .nr_buckets = RCUMAP_HASH_MAX_BUCKETS + 1 },
		{ .key_size = 4, .max_entries = 1, .flags = 1U << 2 },
		{ .key_size = 4, .max_entries = 1,
		  .flags = RCUMAP_HASH_F_SHRINK },
		/* Fewer buckets than max_entries needs within the bound. */
		{ .key_size = 4, .max_entries = RCUMAP_HASH_BUCKET_MAX + 1,
		  .nr_buckets = 1 },
		{ .key_size = 4, .max_entries = 1000, .nr_buckets = 8 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT(rcumap_hash_create(&bad[i], GFP_KERNEL) ==
		       ERR_PTR(-EINVAL));
	for (i = 0; i < ARRAY_SIZE(too_big); i++)
		EXPECT(rcumap_hash_create(&too_big[i], GFP_KERNEL) ==
		       ERR_PTR(-E2BIG));
}

static void create_picks_buckets(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h;

	h = make(RCUMAP_HASH_MAX_KEY_SIZE, 0, 100, 0);
	ASSERT(!IS_ERR(h));
	EXPECT_EQ(rcumap_hash_nr_buckets(h), 128);
	EXPECT_EQ(rcumap_hash_key_size(h), RCUMAP_HASH_MAX_KEY_SIZE);
	EXPECT_EQ(rcumap_hash_value_size(h), 0);
	EXPECT_EQ(rcumap_hash_max_entries(h), 100);
	EXPECT_EQ(rcumap_hash_count(h), 0);
	destroy_and_check(h, live);

	h = make(1, RCUMAP_HASH_MAX_VALUE_SIZE, 100, 0);
	ASSERT(!IS_ERR(h));
	EXPECT_EQ(rcumap_hash_value_size(h), RCUMAP_HASH_MAX_VALUE_SIZE);
	destroy_and_check(h, live);

	/* 4 buckets (3 rounded up) hold 4 * RCUMAP_HASH_BUCKET_MAX keys. */
	h = make(4, 0, 4 * RCUMAP_HASH_BUCKET_MAX, 3);
	ASSERT(!IS_ERR(h));
	EXPECT_EQ(rcumap_hash_nr_buckets(h), 4);
	destroy_and_check(h, live);
}

/*
 * Key ids whose keys fall in bucket @bucket of a table of 2^@order
 * buckets: the bucket index is the low bits of the hash, which are the
 * high bits of the key's walk position.
 */
static u32 keys_in_bucket(const struct rcumap_hash *h, u32 order, u32 bucket,
			  u32 *ids, u32 nr, u32 first_id)
{
	u32 id, n = 0;

	for (id = first_id; n < nr; id++) {
		u32 pos = rcumap_hash_key_pos(h, &id);

		if (bitrev32(pos) % (1U << order) == bucket)
			ids[n++] = id;
	}
	return id;
}

/*
 * The bound on bucket length: the 65th key of one bucket is refused with
 * -ENOSPC and changes nothing, while other buckets, replaces and, after
 * a delete, a new key of the full bucket still go in.
 */
static void full_bucket_refuses_new_keys_only(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h = make(4, 4, 2 * RCUMAP_HASH_BUCKET_MAX, 2);
	u32 ids[RCUMAP_HASH_BUCKET_MAX + 1], other, v, out, i, next;
	size_t bytes;

	ASSERT(!IS_ERR(h));
	next = keys_in_bucket(h, 1, 0, ids, ARRAY_SIZE(ids), 0);
	keys_in_bucket(h, 1, 1, &other, 1, next);
	for (i = 0; i < RCUMAP_HASH_BUCKET_MAX; i++)
		EXPECT_EQ(rcumap_hash_update(h, &ids[i], &ids[i], RCUMAP_NOEXIST,
					     GFP_KERNEL), 0);
	bytes = rcumap_hash_bytes_used(h);
	EXPECT_EQ(rcumap_hash_update(h, &ids[i], &v, RCUMAP_ANY, GFP_KERNEL),
		  -ENOSPC);
	EXPECT_EQ(rcumap_hash_update(h, &ids[i], &v, RCUMAP_NOEXIST, GFP_KERNEL),
		  -ENOSPC);
	/* Nothing changed. */
	EXPECT_EQ(rcumap_hash_count(h), RCUMAP_HASH_BUCKET_MAX);
	EXPECT_EQ(rcumap_hash_bytes_used(h), bytes);
	EXPECT_EQ(rcumap_hash_lookup_copy(h, &ids[i], &out), -ENOENT);
	for (i = 0; i < RCUMAP_HASH_BUCKET_MAX; i++) {
		EXPECT_EQ(rcumap_hash_lookup_copy(h, &ids[i], &out), 0);
		EXPECT_EQ(out, ids[i]);
	}
	/* A replace in the full bucket, and a key of the other bucket. */
	v = 7;
	EXPECT_EQ(rcumap_hash_update(h, &ids[3], &v, RCUMAP_EXIST, GFP_KERNEL), 0);
	EXPECT_EQ(rcumap_hash_update(h, &other, &v, RCUMAP_NOEXIST, GFP_KERNEL), 0);
	/* A delete makes room for exactly one more. */
	EXPECT_EQ(rcumap_hash_delete(h, &ids[0]), 0);
	i = RCUMAP_HASH_BUCKET_MAX;
	EXPECT_EQ(rcumap_hash_update(h, &ids[i], &v, RCUMAP_NOEXIST, GFP_KERNEL), 0);
	EXPECT_EQ(rcumap_hash_update(h, &ids[0], &v, RCUMAP_NOEXIST, GFP_KERNEL),
		  -ENOSPC);
	destroy_and_check(h, live);
}

static void create_fails_cleanly_without_memory(void)
{
	long live = native_allocs_live();
	unsigned int nth;
	struct rcumap_hash *h;

	for (nth = 1; nth <= 8; nth++) {
		native_fail_alloc_nth(nth);
		h = make(8, 8, 64, 0);
		native_fail_alloc_nth(0);
		if (!IS_ERR(h)) {
			destroy_and_check(h, live);
			break;
		}
		EXPECT(h == ERR_PTR(-ENOMEM));
		if (live >= 0)
			EXPECT_EQ(native_allocs_live(), live);
	}
	EXPECT(nth > 1);
}

static void update_modes(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h = make(4, 8, 16, 0);
	u32 key = 42;
	u64 v = 1, out = 0;

	ASSERT(!IS_ERR(h));
	EXPECT_EQ(rcumap_hash_update(h, &key, &v, RCUMAP_EXIST, GFP_KERNEL),
		  -ENOENT);
	EXPECT_EQ(rcumap_hash_count(h), 0);
	EXPECT_EQ(rcumap_hash_update(h, &key, &v, RCUMAP_NOEXIST, GFP_KERNEL), 0);
	v = 2;
	EXPECT_EQ(rcumap_hash_update(h, &key, &v, RCUMAP_NOEXIST, GFP_KERNEL),
		  -EEXIST);
	EXPECT_EQ(rcumap_hash_lookup_copy(h, &key, &out), 0);
	EXPECT_EQ(out, 1);
	EXPECT_EQ(rcumap_hash_update(h, &key, &v, RCUMAP_EXIST, GFP_KERNEL), 0);
	EXPECT_EQ(rcumap_hash_lookup_copy(h, &key, &out), 0);
	EXPECT_EQ(out, 2);
	v = 3;
	EXPECT_EQ(rcumap_hash_update(h, &key, &v, RCUMAP_ANY, GFP_KERNEL), 0);
	EXPECT_EQ(rcumap_hash_update(h, &key, &v, RCUMAP_EXIST + 1, GFP_KERNEL),
		  -EINVAL);
	EXPECT_EQ(rcumap_hash_lookup_copy(h, &key, &out), 0);
	EXPECT_EQ(out, 3);
	EXPECT_EQ(rcumap_hash_count(h), 1);
	key = 43;
	EXPECT_EQ(rcumap_hash_update(h, &key, &v, RCUMAP_ANY, GFP_KERNEL), 0);
	EXPECT_EQ(rcumap_hash_count(h), 2);
	EXPECT_EQ(rcumap_hash_lookup_copy(h, &key, &out), 0);
	EXPECT_EQ(out, 3);
	destroy_and_check(h, live);
}

static void lookup_value_outlives_update_in_read_section(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h = make(8, 16, 16, 1);
	u64 key = 7, v[2] = { 11, 12 }, w[2] = { 21, 22 };
	u64 *seen;

	ASSERT(!IS_ERR(h));
	EXPECT_EQ(rcumap_hash_update(h, &key, v, RCUMAP_ANY, GFP_KERNEL), 0);
	rcu_read_lock();
	seen = rcumap_hash_lookup(h, &key);
	ASSERT(seen);
	/* Inside a read-side section only a non-sleeping update is allowed. */
	EXPECT_EQ(rcumap_hash_update(h, &key, w, RCUMAP_ANY, GFP_NOWAIT), 0);
	EXPECT_EQ(rcumap_hash_delete(h, &key), 0);
	EXPECT_EQ(seen[0], 11);
	EXPECT_EQ(seen[1], 12);
	EXPECT(rcumap_hash_lookup(h, &key) == NULL);
	rcu_read_unlock();
	destroy_and_check(h, live);
}

static void full_table_refuses_new_keys_only(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h = make(4, 4, 8, 2);
	u32 k, v = 0;

	ASSERT(!IS_ERR(h));
	for (k = 0; k < 8; k++)
		EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_ANY, GFP_KERNEL), 0);
	EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_ANY, GFP_KERNEL), -E2BIG);
	EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_NOEXIST, GFP_KERNEL),
		  -E2BIG);
	k = 3;
	v = 33;
	EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_ANY, GFP_KERNEL), 0);
	EXPECT_EQ(rcumap_hash_count(h), 8);
	EXPECT_EQ(rcumap_hash_delete(h, &k), 0);
	EXPECT_EQ(rcumap_hash_delete(h, &k), -ENOENT);
	k = 100;
	EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_NOEXIST, GFP_KERNEL), 0);
	EXPECT_EQ(rcumap_hash_count(h), 8);
	destroy_and_check(h, live);
}

static void lookup_and_delete_returns_the_value(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h = make(4, 8, 8, 0);
	u32 k = 5;
	u64 v = 55, out = 0;

	ASSERT(!IS_ERR(h));
	EXPECT_EQ(rcumap_hash_lookup_and_delete(h, &k, &out), -ENOENT);
	EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_ANY, GFP_KERNEL), 0);
	EXPECT_EQ(rcumap_hash_lookup_and_delete(h, &k, &out), 0);
	EXPECT_EQ(out, 55);
	EXPECT_EQ(rcumap_hash_count(h), 0);
	EXPECT_EQ(rcumap_hash_lookup_copy(h, &k, &out), -ENOENT);
	destroy_and_check(h, live);
}

/* Walk with get_next_key() and walk(): each present key exactly once. */
static void expect_walks_match(struct rcumap_hash *h, const bool *present,
			       u32 nr_ids, u32 key_size)
{
	u8 key[TEST_MAX_KEY], prev[TEST_MAX_KEY];
	u32 nr_present = 0, seen_gnk = 0, seen_walk = 0, id;
	u8 *seen = calloc(nr_ids, 1);
	u64 pos = 0;
	int err;

	for (id = 0; id < nr_ids; id++)
		nr_present += present[id];
	EXPECT_EQ(rcumap_hash_count(h), nr_present);

	err = rcumap_hash_get_next_key(h, NULL, key);
	while (!err) {
		memcpy(&id, key, 4);
		if (key_size < 4)
			id &= (1U << (8 * key_size)) - 1;
		EXPECT(id < nr_ids && present[id] && !(seen[id] & 1));
		if (id < nr_ids)
			seen[id] |= 1;
		seen_gnk++;
		if (seen_gnk > nr_present)
			break;
		memcpy(prev, key, key_size);
		err = rcumap_hash_get_next_key(h, prev, key);
	}
	EXPECT_EQ(seen_gnk, nr_present);

	while (!walk_next(h, &pos, key, NULL)) {
		memcpy(&id, key, 4);
		if (key_size < 4)
			id &= (1U << (8 * key_size)) - 1;
		EXPECT(id < nr_ids && present[id] && !(seen[id] & 2));
		if (id < nr_ids)
			seen[id] |= 2;
		if (++seen_walk > nr_present)
			break;
	}
	EXPECT_EQ(seen_walk, nr_present);
	free(seen);
}

struct shape {
	u32 key_size, value_size, nr_buckets;
	enum layout layout;
};

static const struct shape shapes[] = {
	/*
	 * Up to 300 keys: 8 buckets are long ones (about 28 keys each, far
	 * from the bound of 64, which no random sequence here reaches).
	 * Entries of more than RCUMAP_HASH_INLINE_MAX bytes go out of line
	 * by themselves; the forced layouts try both at small and large
	 * sizes, on both sides of the threshold.
	 */
	{ 1, 8, 8, AUTO }, { 3, 0, 16, AUTO }, { 4, 4, 8, AUTO },
	{ 4, 1, 64, AUTO }, { 5, 13, 8, AUTO }, { 8, 8, 8, AUTO },
	{ 8, 24, 256, AUTO }, { 12, 8, 8, AUTO }, { 13, 100, 32, AUTO },
	{ 64, 4096, 8, AUTO }, { 256, 3, 16, AUTO },
	{ 8, RCUMAP_HASH_INLINE_MAX - 8, 8, AUTO },
	{ 8, RCUMAP_HASH_INLINE_MAX - 7, 8, AUTO },
	{ 1, 8, 8, INDIRECT }, { 4, 4, 8, INDIRECT }, { 8, 8, 8, INDIRECT },
	{ 3, 0, 16, INDIRECT }, { 13, 100, 32, INDIRECT },
	{ 256, 3, 16, INLINE }, { 4, 1000, 8, INLINE },
	{ 500, 0, 8, AUTO }, { 33, 65536, 8, AUTO },
};

/* Random operations on every shape, checked against a plain array. */
static void random_ops_match_reference(void)
{
	size_t s;

	for (s = 0; s < ARRAY_SIZE(shapes); s++) {
		const struct shape *sh = &shapes[s];
		u32 nr_ids = sh->key_size == 1 ? 256 : 300;
		u32 max_entries = nr_ids * 3 / 4;
		long live = native_allocs_live();
		struct rcumap_hash *h = make_layout(sh->key_size, sh->value_size,
						    max_entries, sh->nr_buckets,
						    sh->layout);
		bool *present = calloc(nr_ids, sizeof(*present));
		u32 *version = calloc(nr_ids, sizeof(*version));
		u8 key[TEST_MAX_KEY];
		u8 *value = malloc(sh->value_size + 1);
		u8 *want = malloc(sh->value_size + 1);
		u32 count = 0, i;
		u64 rng = 0x1234567 + s;

		ASSERT(!IS_ERR(h));
		EXPECT_EQ(rcumap_hash_kunit_indirect(h),
			  sh->layout == AUTO ?
			  ALIGN(sh->key_size, 8) + ALIGN(sh->value_size, 8) >
			  RCUMAP_HASH_INLINE_MAX : sh->layout == INDIRECT);
		u32 nr_ops = sh->value_size >= 1024 ? 2000 : 20000;

		for (i = 0; i < nr_ops; i++) {
			u32 id = rnd_below(&rng, nr_ids), op = rnd_below(&rng, 10);
			u32 mode = rnd_below(&rng, 3);
			int err, expect;

			make_key(key, sh->key_size, id);
			/* The element's allocation, or the bucket's. */
			if (rnd_below(&rng, 50) == 0)
				native_fail_alloc_nth(1 + rnd_below(&rng, 2));
			switch (op) {
			case 0 ... 4:
				make_value(value, sh->value_size, id, version[id] + 1);
				err = rcumap_hash_update(h, key, value, mode,
							 GFP_KERNEL);
				if (mode == RCUMAP_NOEXIST && present[id])
					expect = -EEXIST;
				else if (mode == RCUMAP_EXIST && !present[id])
					expect = -ENOENT;
				else if (!present[id] && count == max_entries)
					expect = -E2BIG;
				else
					expect = 0;
				if (err == -ENOMEM && expect == 0)
					break;	/* the injected failure */
				EXPECT_EQ(err, expect);
				if (!err) {
					version[id]++;
					count += !present[id];
					present[id] = true;
				}
				break;
			case 5 ... 6:
				err = rcumap_hash_delete(h, key);
				EXPECT_EQ(err, present[id] ? 0 : -ENOENT);
				count -= present[id];
				present[id] = false;
				break;
			case 7:
				err = rcumap_hash_lookup_and_delete(h, key, value);
				EXPECT_EQ(err, present[id] ? 0 : -ENOENT);
				if (!err) {
					make_value(want, sh->value_size, id,
						   version[id]);
					EXPECT(!memcmp(value, want, sh->value_size));
				}
				count -= present[id];
				present[id] = false;
				break;
			default:
				err = rcumap_hash_lookup_copy(h, key, value);
				EXPECT_EQ(err, present[id] ? 0 : -ENOENT);
				if (!err) {
					make_value(want, sh->value_size, id,
						   version[id]);
					EXPECT(!memcmp(value, want, sh->value_size));
				}
				break;
			}
			native_fail_alloc_nth(0);
			if (i % 5000 == 4999) {
				expect_walks_match(h, present, nr_ids,
						   sh->key_size);
				expect_bytes_exact(h);
			}
		}
		expect_walks_match(h, present, nr_ids, sh->key_size);
		expect_bytes_exact(h);
		EXPECT(rcumap_hash_bytes_used(h) > count * (u64)sh->key_size);
		destroy_and_check(h, live);
		free(present);
		free(version);
		free(value);
		free(want);
	}
}

static void delete_without_memory_marks_entry_dead(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h = make(4, 4, 16, 1);
	size_t before, after;
	u32 k, v = 9, out;
	u8 key[4];
	bool present[4] = { true, true, true, false };

	ASSERT(!IS_ERR(h));
	for (k = 0; k < 3; k++)
		EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_ANY, GFP_KERNEL), 0);
	before = rcumap_hash_bytes_used(h);
	k = 1;
	native_fail_alloc_nth(1);
	EXPECT_EQ(rcumap_hash_delete(h, &k), 0);
	native_fail_alloc_nth(0);
	present[1] = false;
	EXPECT_EQ(rcumap_hash_lookup_copy(h, &k, &out), -ENOENT);
	EXPECT_EQ(rcumap_hash_delete(h, &k), -ENOENT);
	EXPECT_EQ(rcumap_hash_bytes_used(h), before);	/* nothing rebuilt */
	expect_walks_match(h, present, 4, 4);

	/* Deleting the next-to-last key also fails to allocate, then ... */
	k = 2;
	native_fail_alloc_nth(1);
	EXPECT_EQ(rcumap_hash_lookup_and_delete(h, &k, &out), 0);
	native_fail_alloc_nth(0);
	EXPECT_EQ(out, 9);
	present[2] = false;
	expect_walks_match(h, present, 4, 4);

	/* ... the next update rebuilds the bucket without the dead entries. */
	k = 3;
	EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_NOEXIST, GFP_KERNEL), 0);
	present[3] = true;
	after = rcumap_hash_bytes_used(h);
	EXPECT(after <= before);
	expect_walks_match(h, present, 4, 4);
	make_key(key, 4, 0);
	EXPECT_EQ(rcumap_hash_lookup_copy(h, key, &out), 0);
	destroy_and_check(h, live);
}

static void update_without_memory_changes_nothing(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h = make(8, 8, 16, 4);
	u64 k = 1, v = 10, out;

	ASSERT(!IS_ERR(h));
	EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_ANY, GFP_KERNEL), 0);
	v = 20;
	native_fail_alloc_nth(1);
	EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_ANY, GFP_KERNEL), -ENOMEM);
	native_fail_alloc_nth(0);
	EXPECT_EQ(rcumap_hash_lookup_copy(h, &k, &out), 0);
	EXPECT_EQ(out, 10);
	k = 2;
	native_fail_alloc_nth(1);
	EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_NOEXIST, GFP_KERNEL),
		  -ENOMEM);
	native_fail_alloc_nth(0);
	EXPECT_EQ(rcumap_hash_count(h), 1);
	EXPECT_EQ(rcumap_hash_lookup_copy(h, &k, &out), -ENOENT);
	destroy_and_check(h, live);
}

static void keys_may_be_unaligned(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h = make(8, 4, 64, 8);
	u8 buf[32];
	u32 v = 77, out = 0, off;
	u64 k = 0x1122334455667788ULL;

	ASSERT(!IS_ERR(h));
	memcpy(buf + 1, &k, 8);
	EXPECT_EQ(rcumap_hash_update(h, buf + 1, &v, RCUMAP_ANY, GFP_KERNEL), 0);
	for (off = 0; off < 8; off++) {
		memcpy(buf + off, &k, 8);
		EXPECT_EQ(rcumap_hash_lookup_copy(h, buf + off, &out), 0);
		EXPECT_EQ(out, 77);
	}
	EXPECT_EQ(rcumap_hash_get_next_key(h, NULL, buf + 3), 0);
	EXPECT(!memcmp(buf + 3, &k, 8));
	destroy_and_check(h, live);
}

static void get_next_key_restarts_after_a_missing_key(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h = make(4, 4, 64, 16);
	u32 k, first, next, v = 0;

	ASSERT(!IS_ERR(h));
	EXPECT_EQ(rcumap_hash_get_next_key(h, NULL, &next), -ENOENT);
	for (k = 0; k < 10; k++)
		EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_ANY, GFP_KERNEL), 0);
	EXPECT_EQ(rcumap_hash_get_next_key(h, NULL, &first), 0);
	k = 1000;
	EXPECT_EQ(rcumap_hash_get_next_key(h, &k, &next), 0);
	EXPECT_EQ(next, first);
	destroy_and_check(h, live);
}

static void walk_accepts_any_position(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h = make(4, 4, 64, 16);
	u32 k, v = 0;
	u64 pos;

	ASSERT(!IS_ERR(h));
	for (k = 0; k < 10; k++)
		EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_ANY, GFP_KERNEL), 0);
	pos = U64_MAX;
	EXPECT_EQ(walk_next(h, &pos, &k, &v), -ENOENT);
	pos = 16ULL << 32;
	EXPECT_EQ(walk_next(h, &pos, &k, &v), -ENOENT);
	pos = 3ULL << 32 | 0xffffffffU;
	EXPECT(walk_next(h, &pos, &k, NULL) == 0 || pos >= 16ULL << 32);
	destroy_and_check(h, live);
}

/*
 * A positional walk of a sparse table: each call visits at most
 * RCUMAP_HASH_WALK_BUCKETS buckets, and says -EAGAIN with the position
 * moved past exactly that many empty ones, until it finds the one key.
 */
static void walk_pauses_in_empty_runs(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h = make(4, 4, 4096, 4096);
	u32 k, v = 1, got, bucket = 0, calls = 0, found = 0;
	u64 pos = 0, before;
	int err;

	ASSERT(!IS_ERR(h));
	/* A key in one of the last buckets. */
	for (k = 0; bucket < 4000; k++)
		bucket = bitrev32(rcumap_hash_key_pos(h, &k)) & 4095;
	k--;
	EXPECT_EQ(rcumap_hash_update(h, &k, &v, RCUMAP_NOEXIST, GFP_KERNEL), 0);
	do {
		before = pos;
		err = rcumap_hash_walk(h, &pos, &got, NULL);
		calls++;
		/* Exactly the bucket budget further, at its first entry. */
		if (err == -EAGAIN)
			EXPECT_EQ(pos, ((before >> 32) + RCUMAP_HASH_WALK_BUCKETS) << 32);
		if (!err) {
			EXPECT_EQ(got, k);
			EXPECT_EQ(pos >> 32, bucket);
			found++;
		}
	} while (err != -ENOENT && calls < 1000);
	EXPECT_EQ(found, 1);
	EXPECT_EQ(pos, 4096ULL << 32);
	/* No call visited more than its budget of buckets. */
	EXPECT(calls >= 4096 / RCUMAP_HASH_WALK_BUCKETS);
	destroy_and_check(h, live);
}

/* ---- Out-of-line entries ----------------------------------------- */

/*
 * A replace in an indirect table copies its neighbours' pointers, not
 * their keys and values: every other key of the bucket keeps its value at
 * the same address (its element), and only the replaced key's moves.  In
 * an inline table every value moves (the bucket is copied), which is what
 * this tells apart.  The bucket holds RCUMAP_HASH_BUCKET_MAX keys.
 */
static void replace_copies_pointers_not_values(void)
{
	enum layout layout;

	for (layout = INLINE; layout <= INDIRECT; layout++) {
		long live = native_allocs_live();
		struct rcumap_hash *h = make_layout(4, 256, RCUMAP_HASH_BUCKET_MAX,
						    1, layout);
		const void *before[RCUMAP_HASH_BUCKET_MAX];
		u8 value[256], out[256];
		u32 k, moved = 0;

		ASSERT(!IS_ERR(h));
		EXPECT_EQ(rcumap_hash_kunit_indirect(h), layout == INDIRECT);
		for (k = 0; k < RCUMAP_HASH_BUCKET_MAX; k++) {
			make_value(value, sizeof(value), k, 0);
			EXPECT_EQ(rcumap_hash_update(h, &k, value, RCUMAP_NOEXIST,
						     GFP_KERNEL), 0);
		}
		rcu_read_lock();
		for (k = 0; k < RCUMAP_HASH_BUCKET_MAX; k++)
			before[k] = rcumap_hash_lookup(h, &k);
		/* Inside the section, so that no address can be reused. */
		k = 17;
		make_value(value, sizeof(value), k, 1);
		EXPECT_EQ(rcumap_hash_update(h, &k, value, RCUMAP_EXIST,
					     GFP_NOWAIT), 0);
		for (k = 0; k < RCUMAP_HASH_BUCKET_MAX; k++) {
			const void *now = rcumap_hash_lookup(h, &k);

			ASSERT(now);
			if (now != before[k])
				moved++;
			else
				EXPECT(layout == INDIRECT && k != 17);
		}
		rcu_read_unlock();
		EXPECT_EQ(moved, layout == INDIRECT ? 1 : RCUMAP_HASH_BUCKET_MAX);
		for (k = 0; k < RCUMAP_HASH_BUCKET_MAX; k++) {
			make_value(value, sizeof(value), k, k == 17);
			EXPECT_EQ(rcumap_hash_lookup_copy(h, &k, out), 0);
			EXPECT(!memcmp(out, value, sizeof(value)));
		}
		expect_bytes_exact(h);
		destroy_and_check(h, live);
	}
}

/*
 * Every allocation of an insert and of a replace into an indirect table
 * fails in turn (the element's, then the bucket's): -ENOMEM, and the
 * table, its memory and the allocator are as they were.  A delete that
 * cannot allocate marks its entry dead and keeps the element until the
 * bucket is rebuilt; then it is freed.
 */
static void indirect_alloc_failures_change_nothing(void)
{
	long live = native_allocs_live();
	struct rcumap_hash *h = make_layout(8, 64, 64, 2, INDIRECT);
	bool present[20] = { false };
	u64 k, v[8] = { 0 }, out[8];
	unsigned int nth, failures = 0;
	long allocs;
	size_t bytes;
	int err;

	ASSERT(!IS_ERR(h));
	for (k = 0; k < 16; k++) {
		v[0] = k;
		EXPECT_EQ(rcumap_hash_update(h, &k, v, RCUMAP_NOEXIST, GFP_KERNEL), 0);
		present[k] = true;
	}
	for (k = 16; k < 18; k++) {
		for (nth = 1;; nth++) {
			bytes = rcumap_hash_bytes_used(h);
			allocs = native_allocs_live();
			v[0] = 1000 + k;
			native_fail_alloc_nth(nth);
			/* Key 16 goes in, key 17 replaces key 5's value. */
			err = rcumap_hash_update(h, k == 16 ? &k : &(u64){ 5 }, v,
						 k == 16 ? RCUMAP_NOEXIST : RCUMAP_EXIST,
						 GFP_KERNEL);
			native_fail_alloc_nth(0);
			if (!err)
				break;
			EXPECT_EQ(err, -ENOMEM);
			failures++;
			EXPECT_EQ(rcumap_hash_bytes_used(h), bytes);
			if (allocs >= 0)
				EXPECT_EQ(native_allocs_live(), allocs);
			expect_walks_match(h, present, 20, 8);
			ASSERT(nth < 10);
		}
		EXPECT_EQ(nth, 3);	/* the element, the bucket, then none */
		present[16] = true;
		expect_bytes_exact(h);
	}
	EXPECT_EQ(failures, 4);
	EXPECT_EQ(rcumap_hash_lookup_copy(h, &(u64){ 5 }, out), 0);
	EXPECT_EQ(out[0], 1017);

	/* A delete without memory: dead in place, element kept, counted. */
	k = 3;
	bytes = rcumap_hash_bytes_used(h);
	native_fail_alloc_nth(1);
	EXPECT_EQ(rcumap_hash_lookup_and_delete(h, &k, out), 0);
	native_fail_alloc_nth(0);
	EXPECT_EQ(out[0], 3);
	present[3] = false;
	EXPECT_EQ(rcumap_hash_bytes_used(h), bytes);
	expect_bytes_exact(h);
	expect_walks_match(h, present, 20, 8);
	/* Every bucket rebuilt by an insert and a delete: dead ones drop. */
	for (k = 100; k < 140; k++)
		EXPECT_EQ(rcumap_hash_update(h, &k, v, RCUMAP_NOEXIST, GFP_KERNEL), 0);
	for (k = 100; k < 140; k++)
		EXPECT_EQ(rcumap_hash_delete(h, &k), 0);
	expect_bytes_exact(h);
	EXPECT(rcumap_hash_bytes_used(h) < bytes);
	native_barrier();
	expect_walks_match(h, present, 20, 8);
	destroy_and_check(h, live);
}

/*
 * The largest sizes BPF takes, and more: a key and a value of
 * RCUMAP_HASH_MAX_KEY_VALUE_SIZE bytes together, every way round, and
 * the kernel's BPF map tests' 4,112-byte keys with 256 KiB values.  Each
 * goes in, is found, replaced, walked and taken out whole.
 */
static void largest_sizes_round_trip(void)
{
	static const struct { u32 ks, vs; } sizes[] = {
		{ 1, RCUMAP_HASH_MAX_VALUE_SIZE },
		{ RCUMAP_HASH_MAX_KEY_SIZE, 0 },
		{ RCUMAP_HASH_MAX_KEY_VALUE_SIZE / 2,
		  RCUMAP_HASH_MAX_KEY_VALUE_SIZE / 2 },
		{ 4112, 256 << 10 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u32 ks = sizes[i].ks, vs = sizes[i].vs, n;
		long live = native_allocs_live();
		struct rcumap_hash *h = make(ks, vs, 4, 1);
		u8 *key = malloc(ks), *key2 = malloc(ks), *next = malloc(ks);
		u8 *value = malloc(vs + 1), *out = malloc(vs + 1);
		u64 pos = 0;

		ASSERT(!IS_ERR(h) && key && key2 && next && value && out);
		EXPECT(rcumap_hash_kunit_indirect(h));
		memset(key, 0x5a, ks);
		memset(key2, 0x5a, ks);
		key2[ks - 1] ^= 1;	/* differs in the last byte only */
		make_value(value, vs, 1, 0);
		EXPECT_EQ(rcumap_hash_update(h, key, value, RCUMAP_NOEXIST,
					     GFP_KERNEL), 0);
		EXPECT_EQ(rcumap_hash_update(h, key2, value, RCUMAP_NOEXIST,
					     GFP_KERNEL), 0);
		make_value(value, vs, 1, 1);
		EXPECT_EQ(rcumap_hash_update(h, key, value, RCUMAP_EXIST,
					     GFP_KERNEL), 0);
		EXPECT_EQ(rcumap_hash_lookup_copy(h, key, out), 0);
		EXPECT(!memcmp(out, value, vs));
		for (n = 0; !walk_next(h, &pos, next, out); n++)
			EXPECT(!memcmp(next, key, ks) || !memcmp(next, key2, ks));
		EXPECT_EQ(n, 2);
		EXPECT_EQ(rcumap_hash_walk_after(h, NULL, next, NULL), 0);
		expect_bytes_exact(h);
		EXPECT(rcumap_hash_bytes_used(h) > 2ULL * (ks + vs));
		EXPECT_EQ(rcumap_hash_lookup_and_delete(h, key, out), 0);
		EXPECT(!memcmp(out, value, vs));
		EXPECT_EQ(rcumap_hash_lookup_copy(h, key, out), -ENOENT);
		EXPECT_EQ(rcumap_hash_delete(h, key2), 0);
		EXPECT_EQ(rcumap_hash_count(h), 0);
		expect_bytes_exact(h);
		destroy_and_check(h, live);
		free(key);
		free(key2);
		free(next);
		free(value);
		free(out);
	}
}

int main(void)
{
	native_init();
	RUN(create_rejects_bad_params);
	RUN(create_picks_buckets);
	RUN(create_fails_cleanly_without_memory);
	RUN(update_modes);
	RUN(lookup_value_outlives_update_in_read_section);
	RUN(full_table_refuses_new_keys_only);
	RUN(full_bucket_refuses_new_keys_only);
	RUN(lookup_and_delete_returns_the_value);
	RUN(random_ops_match_reference);
	RUN(delete_without_memory_marks_entry_dead);
	RUN(update_without_memory_changes_nothing);
	RUN(keys_may_be_unaligned);
	RUN(get_next_key_restarts_after_a_missing_key);
	RUN(walk_accepts_any_position);
	RUN(walk_pauses_in_empty_runs);
	RUN(replace_copies_pointers_not_values);
	RUN(indirect_alloc_failures_change_nothing);
	RUN(largest_sizes_round_trip);
	native_exit();
	return harness_done("test_hash");
}
