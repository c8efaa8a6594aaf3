// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_lru.c - selftests of LRU_HASH maps.
 *
 * Fixture:
 *   rcumap_lru   an LRU_HASH map, in variants of key and value size
 *
 * Every test expects one documented behaviour; nothing is skipped.  The
 * binary ends with the line "N passed, N failed" (common.h).
 */
#include "common.h"

/* ---- LRU_HASH maps ---------------------------------------------------------- */

FIXTURE(rcumap_lru) {
	int fd;
	struct shape s;
};

FIXTURE_VARIANT(rcumap_lru) {
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 nr_buckets;
	__u32 flags;
};

FIXTURE_VARIANT_ADD(rcumap_lru, k8v8) {
	.key_size = 8, .value_size = 8, .max_entries = 64,
};

FIXTURE_VARIANT_ADD(rcumap_lru, k4v0_b8) {
	.key_size = 4, .value_size = 0, .max_entries = 64, .nr_buckets = 8,
};

FIXTURE_VARIANT_ADD(rcumap_lru, k16v64_resize) {
	.key_size = 16, .value_size = 64, .max_entries = 128,
	.flags = RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK,
};

FIXTURE_SETUP(rcumap_lru)
{
	self->s = (struct shape){
		.type = RCUMAP_MAP_LRU_HASH,
		.key_size = variant->key_size,
		.value_size = variant->value_size,
		.max_entries = variant->max_entries,
		.nr_buckets = variant->nr_buckets,
	};
	self->fd = rcumap_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", RCUMAP_DEV, strerror(errno));
	test_cmd_create_shape_flags(&self->s, variant->flags);
}

FIXTURE_TEARDOWN(rcumap_lru)
{
	close(self->fd);
}

TEST_F(rcumap_lru, info_and_update_modes)
{
	struct rcumap_info info;

	test_cmd_info(&info);
	EXPECT_EQ(RCUMAP_MAP_LRU_HASH, info.out_map_type);
	EXPECT_EQ(KS, info.out_key_size);
	EXPECT_EQ(VS, info.out_value_size);
	EXPECT_EQ(VS, info.out_value_stride);
	EXPECT_EQ(MAXE, info.out_max_entries);
	EXPECT_EQ(variant->flags, info.out_create_flags);
	EXPECT_LT(0, info.out_bytes_used);

	EXPECT_EQ(0, put(self->fd, &self->s, 1, 0, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(-EEXIST, put(self->fd, &self->s, 1, 1, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(-ENOENT, put(self->fd, &self->s, 2, 1, RCUMAP_UPDATE_EXIST));
	EXPECT_EQ(0, put(self->fd, &self->s, 1, 2, RCUMAP_UPDATE_EXIST));
	EXPECT_EQ(0, check(self->fd, &self->s, 1, 2));
	EXPECT_EQ(1, count_of(self->fd));
	EXPECT_EQ(0, del(self->fd, &self->s, 1));
	EXPECT_EQ(-ENOENT, del(self->fd, &self->s, 1));
	EXPECT_EQ(0, count_of(self->fd));
}

/*
 * 4 * max_entries new keys, by UPDATE then by BATCH_UPDATE: no insert
 * fails, the count never exceeds max_entries and stays there once
 * reached, and the key just inserted is always there (eviction never
 * takes the key its own insert put in).  Which older key goes is the
 * CLOCK hand's choice: a batch may evict keys of its own.
 */
TEST_F(rcumap_lru, insert_four_times_max_never_fails)
{
	__u64 n;

	for (n = 0; n < 4 * MAXE; n++) {
		ASSERT_EQ(0, put(self->fd, &self->s, n, 0,
				 RCUMAP_UPDATE_NOEXIST)) TH_LOG("key %llu",
								(unsigned long long)n);
		ASSERT_EQ(n < MAXE ? n + 1 : MAXE, count_of(self->fd));
		EXPECT_EQ(0, check(self->fd, &self->s, n, 0));
	}
	/* Batches evict too. */
	{
		__u8 keys[8][TEST_MAX_KEY], vals[8][64];
		__u8 *kp = malloc(8 * KS), *vp = malloc(8 * (VS ? VS : 1));
		__u32 out, i;

		ASSERT_TRUE(kp && vp);
		for (i = 0; i < 8; i++) {
			make_key(keys[i], KS, 10000 + i);
			make_value(vals[i], VS, 10000 + i, 0);
			memcpy(kp + i * KS, keys[i], KS);
			memcpy(vp + i * VS, vals[i], VS);
		}
		test_cmd_batch_update(kp, VS ? vp : NULL, 8, 0, &out);
		EXPECT_EQ(8, out);
		EXPECT_EQ(MAXE, count_of(self->fd));
		EXPECT_EQ(0, check(self->fd, &self->s, 10000 + 7, 0));
		free(kp);
		free(vp);
	}
}

#define LRU_HOT_EVERY	16

/*
 * How many of the first fill's keys 0 to max_entries - 1 are still in the
 * map: the hot ones (every LRU_HOT_EVERY-th, the keys a test looked up)
 * into *@hot, the others into *@cold.
 */
static void lru_keys_left(int fd, const struct shape *s, __u32 *hot,
			  __u32 *cold)
{
	__u64 n;

	*hot = *cold = 0;
	for (n = 0; n < s->max_entries; n++) {
		bool left = !check(fd, s, n, 0);

		if (n % LRU_HOT_EVERY)
			*cold += left;
		else
			*hot += left;
	}
}

/*
 * Fill the map, then insert 4 * max_entries new keys, looking up every
 * 16th key of the first fill before each insert (as the KUnit case
 * lru_recently_used_keys_survive does in the kernel).  Deterministic: the
 * looked-up keys have their tags set at every eviction, the CLOCK hand
 * passes at most max_entries / 16 of them in a row (fewer than its scan
 * limit of 64), so it always evicts a key never looked up; after its
 * first turn, well within 4 * max_entries evictions, no key of the first
 * fill but the looked-up ones is left.  Walks (GET_NEXT_KEY, both
 * BATCH_LOOKUPs) over the whole map before each insert mark nothing.
 */
TEST_F(rcumap_lru, looked_up_keys_survive_walked_keys_do_not)
{
	__u8 k[TEST_MAX_KEY], nk[TEST_MAX_KEY];
	__u8 *keys = malloc((size_t)MAXE * KS);
	__u8 *vals = malloc((size_t)MAXE * (VS ? VS : 1));
	__u32 out, hot_left = 0, cold_left = 0;
	__u64 n, i, cursor;
	int ret;

	ASSERT_TRUE(keys && vals);
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, MAXE, 0));
	for (i = 0; i < 4 * MAXE; i++) {
		for (n = 0; n < MAXE; n += LRU_HOT_EVERY)
			ASSERT_EQ(0, check(self->fd, &self->s, n, 0));
		if (!(i % 8)) {
			/* Touch every key by every walk: no mark. */
			ret = _test_cmd_get_next_key(self->fd, NULL, nk);
			while (!ret) {
				memcpy(k, nk, KS);
				ret = _test_cmd_get_next_key(self->fd, k, nk);
			}
			ASSERT_EQ(-ENOENT, ret);
			test_cmd_batch_lookup_ordered(keys, VS ? vals : NULL,
						      NULL, MAXE, &out);
			ASSERT_EQ(MAXE, out);
			cursor = 0;
			do {
				ret = _test_cmd_batch_lookup(self->fd, keys,
							     VS ? vals : NULL,
							     cursor, MAXE,
							     &cursor, &out);
			} while (!ret);
			ASSERT_EQ(-ENOENT, ret);
		}
		ASSERT_EQ(0, put(self->fd, &self->s, 100000 + i, 0,
				 RCUMAP_UPDATE_NOEXIST));
		ASSERT_EQ(MAXE, count_of(self->fd));
	}
	lru_keys_left(self->fd, &self->s, &hot_left, &cold_left);
	EXPECT_EQ(0, cold_left);
	EXPECT_EQ(MAXE / LRU_HOT_EVERY, hot_left);
	free(keys);
	free(vals);
}

/*
 * LOOKUP_BULK marks the keys it finds used, as LOOKUP does: keys looked
 * up only in bulk survive four times max_entries inserts, the others go.
 * A missing key in the same call costs nothing.
 */
TEST_F(rcumap_lru, bulk_looked_up_keys_survive)
{
	__u32 nh = MAXE / LRU_HOT_EVERY + 1, status[64 + 1], out, found;
	__u8 *keys = calloc(nh, KS), *vals = malloc((size_t)nh * (VS ? VS : 1));
	__u32 hot_left, cold_left, j;
	__u64 i;

	ASSERT_TRUE(keys && vals);
	ASSERT_GE(ARRAY_LEN(status), nh);
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, MAXE, 0));
	for (j = 0; j + 1 < nh; j++)
		make_key(keys + (size_t)j * KS, KS, (__u64)j * LRU_HOT_EVERY);
	/* And one key that is never in the map. */
	make_key(keys + (size_t)j * KS, KS, 1ULL << 20);
	for (i = 0; i < 4 * MAXE; i++) {
		test_cmd_lookup_bulk(keys, VS ? vals : NULL, status, nh, &out,
				     &found);
		ASSERT_EQ(nh, out);
		ASSERT_EQ(nh - 1, found);
		ASSERT_EQ(ENOENT, status[nh - 1]);
		ASSERT_EQ(0, put(self->fd, &self->s, 100000 + i, 0,
				 RCUMAP_UPDATE_NOEXIST));
		ASSERT_EQ(MAXE, count_of(self->fd));
	}
	lru_keys_left(self->fd, &self->s, &hot_left, &cold_left);
	EXPECT_EQ(0, cold_left);
	EXPECT_EQ(MAXE / LRU_HOT_EVERY, hot_left);
	free(keys);
	free(vals);
}

/*
 * PTAB ops: EINVAL, as on HASH.  RESIZE works and keeps every key, up to
 * max_entries rounded up to a power of two buckets.
 */
TEST_F(rcumap_lru, ptab_ops_einval_resize_works)
{
	__u8 v[8] = { 0 };
	__u64 id, n;

	test_err_ptab_insert(EINVAL, v, &id);
	test_err_ptab_lookup(EINVAL, 0, v);
	test_err_ptab_remove(EINVAL, 0, NULL);
	test_err_ptab_next(EINVAL, 0, NULL, &id);
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, MAXE, 1));
	/* Few buckets, but far from the bucket bound for MAXE keys. */
	test_cmd_resize(MAXE / 16);
	/* max_entries is a power of two here: the most buckets allowed. */
	test_cmd_resize(MAXE);
	test_err_resize(EINVAL, MAXE + 1);
	test_err_resize(EINVAL, RCUMAP_MAX_BUCKETS);
	test_err_resize(EINVAL, 0);
	for (n = 0; n < MAXE; n++)
		EXPECT_EQ(0, check(self->fd, &self->s, n, 1));
	EXPECT_EQ(MAXE, count_of(self->fd));
}

TEST_F(rcumap_lru, bucket_stats_count_every_bucket_and_key)
{
	__u32 i;

	/* No more than max_entries: nothing is evicted meanwhile. */
	for (i = 0; i < self->s.max_entries; i++) {
		ASSERT_EQ(0, put(self->fd, &self->s, i, 0, RCUMAP_UPDATE_NOEXIST));
	}
	stats_check_still(_metadata, self->fd, 5);
}

RCUMAP_SELFTEST_MAIN
