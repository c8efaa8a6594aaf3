// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_dev.c - selftests of /dev/rcumap against the contract in
 * include/uapi/linux/rcumap.h: CREATE and INFO, automatic and killed
 * resizes, read-only files, and how long a map lives.
 *
 * Fixture:
 *   rcumap_dev   an open file without a map
 *
 * Every test expects one documented behaviour; nothing is skipped.  The
 * binary ends with the line "N passed, N failed" (common.h).
 */
#include <signal.h>

#include "common.h"

FIXTURE(rcumap_dev) {
	int fd;
};

FIXTURE_SETUP(rcumap_dev)
{
	self->fd = rcumap_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", RCUMAP_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(rcumap_dev)
{
	close(self->fd);
}

/* ---- CREATE and INFO ------------------------------------------------------ */

/*
 * Keys and values past BPF's limits (RCUMAP_MAX_KEY_VALUE_SIZE together;
 * RCUMAP_MAX_PERCPU_VALUE_SIZE per CPU) are E2BIG, the smallest refused
 * included, and leave the file without a map; create_limits_and_info
 * takes the largest accepted.
 */
TEST_F(rcumap_dev, create_too_big_e2big)
{
	enum { H = RCUMAP_MAP_HASH, L = RCUMAP_MAP_LRU_HASH,
	       C = RCUMAP_MAP_PERCPU_HASH };
	static const struct shape big[] = {
		{ H, RCUMAP_MAX_KEY_SIZE + 1, 0, 16, 0 },
		{ H, RCUMAP_MAX_KEY_SIZE, 1, 16, 0 },
		{ H, 1, RCUMAP_MAX_KEY_VALUE_SIZE, 16, 0 },
		{ H, 4112, RCUMAP_MAX_KEY_VALUE_SIZE - 4112 + 1, 16, 0 },
		{ H, ~0U, 8, 16, 0 },
		{ H, 8, ~0U, 16, 0 },
		{ H, ~0U, ~0U, 16, 0 },
		{ L, RCUMAP_MAX_KEY_SIZE + 1, 0, 16, 0 },
		{ L, 8, RCUMAP_MAX_KEY_VALUE_SIZE - 7, 16, 0 },
		{ L, 8, ~0U, 16, 0 },
		/* Per CPU: the value rounded up to 8, at most 32 KiB. */
		{ C, 8, RCUMAP_MAX_PERCPU_VALUE_SIZE + 1, 16, 0 },
		{ C, 8, RCUMAP_MAX_PERCPU_VALUE_SIZE + 8, 16, 0 },
		{ C, 8, ~0U, 16, 0 },
		{ C, RCUMAP_MAX_KEY_VALUE_SIZE - 7, 8, 16, 0 },
		{ C, RCUMAP_MAX_KEY_SIZE, 8, 16, 0 },
		{ C, ~0U, 8, 16, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(big); i++) {
		test_err_create_shape(E2BIG, &big[i])
			TH_LOG("type %u key %u value %u", big[i].type,
			       big[i].key_size, big[i].value_size);
		EXPECT_EQ(-1, state_of(self->fd));
	}
	test_cmd_create(RCUMAP_MAP_HASH, 8, 8, 16, 0);
}

TEST_F(rcumap_dev, create_bad_params_einval)
{
	enum { H = RCUMAP_MAP_HASH, P = RCUMAP_MAP_PTAB };
	static const struct shape bad[] = {
		{ 0, 8, 8, 16, 0 },
		{ 5, 8, 8, 16, 0 },
		/* PERCPU_HASH: a value per CPU, so not 0 bytes */
		{ RCUMAP_MAP_PERCPU_HASH, 8, 0, 16, 0 },
		{ RCUMAP_MAP_PERCPU_HASH, 0, 8, 16, 0 },
		{ RCUMAP_MAP_PERCPU_HASH, 8, 8, 0, 0 },
		/* EINVAL comes before E2BIG */
		{ RCUMAP_MAP_PERCPU_HASH, ~0U, 0, 16, 0 },
		{ RCUMAP_MAP_PERCPU_HASH, ~0U, ~0U, 0, 0 },
		/* LRU_HASH: as HASH */
		{ RCUMAP_MAP_LRU_HASH, 0, 8, 16, 0 },
		{ RCUMAP_MAP_LRU_HASH, 8, 8, 0, 0 },
		{ RCUMAP_MAP_LRU_HASH, ~0U, ~0U, 0, 0 },
		{ RCUMAP_MAP_LRU_HASH, 8, 8, 16, RCUMAP_MAX_BUCKETS + 1 },
		/* LRU_HASH: no more buckets than max_entries, to a power of 2 */
		{ RCUMAP_MAP_LRU_HASH, 8, 8, 16, 17 },
		{ RCUMAP_MAP_LRU_HASH, 8, 8, 1, 2 },
		{ RCUMAP_MAP_LRU_HASH, 8, 8, 100, 256 },
		{ ~0U, 8, 8, 16, 0 },
		/* HASH: key size, entries, buckets */
		{ H, 0, 8, 16, 0 },
		{ H, 0, ~0U, 16, 0 },
		{ H, 8, 8, 0, 0 },
		{ H, ~0U, ~0U, 0, 0 },
		{ H, ~0U, 8, 16, RCUMAP_MAX_BUCKETS + 1 },
		{ H, 8, 8, RCUMAP_MAX_ENTRIES + 1, 1 },
		{ H, 8, 8, ~0U, 1 },
		{ H, 8, 8, 16, RCUMAP_MAX_BUCKETS + 1 },
		{ H, 8, 8, 16, 1U << 31 },
		{ H, 8, 8, 16, ~0U },
		/* Too few buckets to hold max_entries within the bound. */
		{ H, 8, 8, RCUMAP_BUCKET_MAX + 1, 1 },
		{ H, 8, 8, 100, 1 },
		{ H, 8, 8, RCUMAP_MAX_ENTRIES, 1 },
		{ H, 8, 8, RCUMAP_MAX_ENTRIES,
		  RCUMAP_MAX_ENTRIES / RCUMAP_BUCKET_MAX / 2 },
		{ RCUMAP_MAP_PERCPU_HASH, 8, 8, 1000, 8 },
		/* PTAB: no key, value size, capacity, no buckets */
		{ P, 8, 8, 64, 0 },
		{ P, 0, 0, 64, 0 },
		{ P, 0, RCUMAP_MAX_VALUE_SIZE + 1, 64, 0 },
		{ P, 0, 8, 0, 0 },
		{ P, 0, 8, RCUMAP_MIN_CAPACITY / 2, 0 },
		{ P, 0, 8, RCUMAP_MIN_CAPACITY - 1, 0 },
		{ P, 0, 8, RCUMAP_MIN_CAPACITY + 1, 0 },
		{ P, 0, 8, 96, 0 },
		{ P, 0, 8, RCUMAP_MAX_CAPACITY * 2, 0 },
		{ P, 0, 8, ~0U, 0 },
		{ P, 0, 8, 64, 1 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		test_err_create_shape(EINVAL, &bad[i])
			TH_LOG("type %u key %u value %u entries %u buckets %u",
			       bad[i].type, bad[i].key_size, bad[i].value_size,
			       bad[i].max_entries, bad[i].nr_buckets);
		/* A failed CREATE leaves the file without a map. */
		EXPECT_EQ(-1, state_of(self->fd));
	}
	test_cmd_create(RCUMAP_MAP_HASH, 8, 8, 16, 0);
}

/*
 * Shapes at the limits, and what INFO says of each: the sizes given, the
 * bucket count rounded up to a power of two (or one per entry), nothing
 * in it, some memory in use.
 */
TEST_F(rcumap_dev, create_limits_and_info)
{
	enum { H = RCUMAP_MAP_HASH, P = RCUMAP_MAP_PTAB };
	static const struct {
		struct shape s;
		__u32 buckets_lo, buckets_hi;	/* out_nr_buckets range */
	} good[] = {
		{ { H, 1, 0, 1, 0 }, 1, 1 },
		/* The largest keys and values, as BPF allows them. */
		{ { H, RCUMAP_MAX_KEY_SIZE, 0, 4, 0 }, 4, 7 },
		{ { H, 1, RCUMAP_MAX_KEY_VALUE_SIZE - 1, 4, 0 }, 4, 7 },
		{ { H, 4112, RCUMAP_MAX_KEY_VALUE_SIZE - 4112, 4, 0 }, 4, 7 },
		{ { H, 4112, 256 << 10, 4, 0 }, 4, 7 },
		{ { RCUMAP_MAP_LRU_HASH, 8, RCUMAP_MAX_KEY_VALUE_SIZE - 8, 4, 0 },
		  4, 7 },
		{ { RCUMAP_MAP_PERCPU_HASH, 8, RCUMAP_MAX_PERCPU_VALUE_SIZE, 4, 0 },
		  4, 7 },
		{ { RCUMAP_MAP_PERCPU_HASH, 8, RCUMAP_MAX_PERCPU_VALUE_SIZE - 7, 4,
		    0 }, 4, 7 },
		{ { RCUMAP_MAP_PERCPU_HASH, RCUMAP_MAX_KEY_VALUE_SIZE - 8, 1, 4, 0 },
		  4, 7 },
		{ { H, 8, 8, 100, 2 }, 2, 2 },
		{ { H, 8, 8, 100, 64 }, 64, 64 },
		{ { H, 8, 8, 100, 0 }, 100, 199 },
		{ { H, 8, 8, 16, 1000 }, 1024, 1024 },
		{ { H, 8, 8, RCUMAP_BUCKET_MAX, 1 }, 1, 1 },
		{ { H, 8, 8, RCUMAP_MAX_ENTRIES,
		    RCUMAP_MAX_ENTRIES / RCUMAP_BUCKET_MAX },
		  RCUMAP_MAX_ENTRIES / RCUMAP_BUCKET_MAX,
		  RCUMAP_MAX_ENTRIES / RCUMAP_BUCKET_MAX },
		{ { P, 0, 1, RCUMAP_MIN_CAPACITY, 0 }, 0, 0 },
		{ { P, 0, RCUMAP_MAX_VALUE_SIZE, RCUMAP_MIN_CAPACITY, 0 }, 0, 0 },
		{ { P, 0, 8, 4096, 0 }, 0, 0 },
	};
	struct rcumap_info info;
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_LEN(good); i++) {
		const struct shape *s = &good[i].s;

		fd = open_map(s);
		ASSERT_LE(0, fd) TH_LOG("shape %zu", i);
		ASSERT_EQ(0, _test_cmd_info(fd, &info));
		EXPECT_EQ(sizeof(info), info.size);
		EXPECT_EQ(0, info.flags);
		EXPECT_EQ(s->type, info.out_map_type);
		EXPECT_EQ(s->key_size, info.out_key_size);
		EXPECT_EQ(s->value_size, info.out_value_size);
		EXPECT_EQ(s->max_entries, info.out_max_entries);
		EXPECT_LE(good[i].buckets_lo, info.out_nr_buckets)
			TH_LOG("shape %zu", i);
		EXPECT_GE(good[i].buckets_hi, info.out_nr_buckets)
			TH_LOG("shape %zu", i);
		EXPECT_EQ(0, info.out_count);
		EXPECT_LT(0, info.out_bytes_used);
		close(fd);
	}
}

/*
 * Keys and values as large as BPF allows, through every hash ioctl: the
 * kernel's BPF map tests' 4,112-byte keys with 256 KiB values, a key and a
 * value of RCUMAP_MAX_KEY_VALUE_SIZE bytes together every way round, and
 * BPF's largest per-CPU value.  Two keys go in (each as large), come back
 * whole from LOOKUP, both walks and both batch lookups, are replaced one
 * by UPDATE and one by BATCH_UPDATE, and leave by LOOKUP_AND_DELETE and
 * BATCH_DELETE; INFO counts their memory.
 */
TEST_F_TIMEOUT(rcumap_dev, largest_keys_and_values_round_trip, 120)
{
	static const struct shape shapes[] = {
		{ RCUMAP_MAP_HASH, 4112, 256 << 10, 4, 0 },
		{ RCUMAP_MAP_LRU_HASH, 4112, 256 << 10, 2, 0 },
		{ RCUMAP_MAP_HASH, 1, RCUMAP_MAX_KEY_VALUE_SIZE - 1, 2, 1 },
		{ RCUMAP_MAP_HASH, RCUMAP_MAX_KEY_SIZE, 0, 2, 1 },
		{ RCUMAP_MAP_HASH, RCUMAP_MAX_KEY_VALUE_SIZE / 2,
		  RCUMAP_MAX_KEY_VALUE_SIZE / 2, 2, 1 },
		{ RCUMAP_MAP_PERCPU_HASH, 4112, RCUMAP_MAX_PERCPU_VALUE_SIZE, 2, 0 },
	};
	struct rcumap_info info;
	__u32 out, i, v;
	size_t sh;

	for (sh = 0; sh < ARRAY_LEN(shapes); sh++) {
		const struct shape *s = &shapes[sh];
		int fd = open_map(s);
		size_t ks = s->key_size, vs, n;
		__u8 *keys, *vals, *out_keys, *out_vals;
		__u64 cursor = 0;
		long long idx;

		ASSERT_LE(0, fd) TH_LOG("shape %zu", sh);
		ASSERT_EQ(0, _test_cmd_info(fd, &info));
		vs = info.out_value_stride;
		keys = calloc(2, ks);
		vals = calloc(2, vs + 64);
		out_keys = calloc(2, ks);
		out_vals = calloc(2, vs + 64);
		ASSERT_TRUE(keys && vals && out_keys && out_vals);
		for (i = 0; i < 2; i++) {
			make_key(keys + i * ks, ks, i + 1);
			for (v = 0; v < vs; v++)
				vals[i * vs + v] = (__u8)(i * 31 + v * 7 + 1);
			if (s->type == RCUMAP_MAP_PERCPU_HASH)
				EXPECT_EQ(0, vs % 8);
			ASSERT_EQ(0, _test_cmd_update(fd, keys + i * ks,
						      vals + i * vs,
						      RCUMAP_UPDATE_NOEXIST))
				TH_LOG("shape %zu, key %u", sh, i);
		}
		EXPECT_EQ(2, count_of(fd));
		ASSERT_EQ(0, _test_cmd_info(fd, &info));
		EXPECT_LT(2ULL * (ks + vs), info.out_bytes_used)
			TH_LOG("shape %zu: %llu bytes", sh,
			       (unsigned long long)info.out_bytes_used);

		for (i = 0; i < 2; i++) {
			memset(out_vals, 0xa5, vs + 64);
			EXPECT_EQ(0, _test_cmd_lookup(fd, keys + i * ks, out_vals));
			EXPECT_EQ(0, memcmp(out_vals, vals + i * vs, vs))
				TH_LOG("shape %zu, key %u", sh, i);
			EXPECT_TRUE(all_bytes(out_vals + vs, 0xa5, 64));
		}
		/* GET_NEXT_KEY, both modes: two keys, then ENOENT. */
		for (i = 0; i < 2; i++) {
			__u32 flags = i ? RCUMAP_WALK_ORDERED : 0;

			ASSERT_EQ(0, _test_cmd_get_next_key_flags(fd, NULL,
								  out_keys,
								  flags));
			ASSERT_EQ(0, _test_cmd_get_next_key_flags(fd, out_keys,
								  out_keys + ks,
								  flags));
			EXPECT_EQ(-ENOENT,
				  _test_cmd_get_next_key_flags(fd, out_keys + ks,
							       out_keys, flags));
			idx = key_index(out_keys + ks, ks);
			EXPECT_TRUE(idx == 1 || idx == 2) TH_LOG("shape %zu", sh);
		}
		/* Both batch lookups, one element a call. */
		for (n = 0; !_test_cmd_batch_lookup(fd, out_keys, out_vals,
						    cursor, 1, &cursor, &out);
		     n++) {
			ASSERT_EQ(1, out);
			idx = key_index(out_keys, ks);
			ASSERT_TRUE(idx == 1 || idx == 2);
			EXPECT_EQ(0, memcmp(out_vals, vals + (idx - 1) * vs, vs));
		}
		EXPECT_EQ(2, n);
		EXPECT_EQ(0, _test_cmd_batch_lookup_ordered(fd, out_keys,
							    out_vals, NULL, 2,
							    &out));
		EXPECT_EQ(2, out);

		/* Replace one by UPDATE, both by BATCH_UPDATE. */
		if (vs)
			vals[0] ^= 0xff;
		EXPECT_EQ(0, _test_cmd_update(fd, keys, vals,
					      RCUMAP_UPDATE_EXIST));
		if (vs) {
			vals[vs - 1] ^= 0x0f;
			vals[vs] ^= 0xf0;
		}
		EXPECT_EQ(0, _test_cmd_batch_update(fd, keys, vals, 2,
						    RCUMAP_UPDATE_EXIST, &out));
		EXPECT_EQ(2, out);
		EXPECT_EQ(2, count_of(fd));

		/* Out: one with its value, the other by BATCH_DELETE. */
		memset(out_vals, 0, vs);
		EXPECT_EQ(0, _test_cmd_lookup_and_delete(fd, keys + ks, out_vals));
		EXPECT_EQ(0, memcmp(out_vals, vals + vs, vs));
		EXPECT_EQ(0, _test_cmd_batch_delete(fd, keys, 1, &out));
		EXPECT_EQ(1, out);
		EXPECT_EQ(-ENOENT, _test_cmd_delete(fd, keys));
		EXPECT_EQ(-ENOENT, _test_cmd_lookup(fd, keys + ks, out_vals));
		EXPECT_EQ(0, count_of(fd));
		close(fd);
		free(keys);
		free(vals);
		free(out_keys);
		free(out_vals);
	}
}

/*
 * CREATE's flags: RESIZE and RESIZE | SHRINK make a hash map, and INFO
 * reports them, with or without a bucket count; no flags reports 0, and
 * so does a process table.
 */
TEST_F(rcumap_dev, create_flags_reported_by_info)
{
	static const __u32 flags[] = {
		0, RCUMAP_CREATE_RESIZE,
		RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK,
	};
	static const __u32 buckets[] = { 0, 64 };
	struct rcumap_info info;
	struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 8,
		.max_entries = 256,
	};
	size_t i, j;
	int fd, k;

	for (i = 0; i < ARRAY_LEN(flags); i++) {
		for (j = 0; j < ARRAY_LEN(buckets); j++) {
			s.nr_buckets = buckets[j];
			fd = open_map_flags(&s, flags[i]);
			ASSERT_LE(0, fd) TH_LOG("flags %#x buckets %u", flags[i],
						buckets[j]);
			ASSERT_EQ(0, _test_cmd_info(fd, &info));
			EXPECT_EQ(flags[i], info.out_create_flags);
			EXPECT_EQ(0, info.__reserved);
			EXPECT_EQ(RCUMAP_MAP_HASH, info.out_map_type);
			EXPECT_EQ(256, info.out_max_entries);
			if (buckets[j]) {
				EXPECT_EQ(buckets[j], info.out_nr_buckets);
			}
			/* A working map. */
			for (k = 0; k < 16; k++) {
				EXPECT_EQ(0, put(fd, &s, k, 1, RCUMAP_UPDATE_NOEXIST));
			}
			for (k = 0; k < 16; k++) {
				EXPECT_EQ(0, check(fd, &s, k, 1));
			}
			EXPECT_EQ(16, count_of(fd));
			close(fd);
		}
	}
	test_cmd_create(RCUMAP_MAP_PTAB, 0, 8, 64, 0);
	test_cmd_info(&info);
	EXPECT_EQ(0, info.out_create_flags);
}

/*
 * SHRINK needs RESIZE, and a process table takes no flags: EINVAL.  An
 * unknown bit is EOPNOTSUPP, known bits beside it or not.  Nothing is
 * made either way.
 */
TEST_F(rcumap_dev, create_flags_rejected)
{
	enum { H = RCUMAP_MAP_HASH, P = RCUMAP_MAP_PTAB };
	static const struct {
		__u32 flags, type, key_size;
		int err;
	} bad[] = {
		{ RCUMAP_CREATE_SHRINK, H, 8, EINVAL },
		{ RCUMAP_CREATE_RESIZE, P, 0, EINVAL },
		{ RCUMAP_CREATE_SHRINK, P, 0, EINVAL },
		{ RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK, P, 0, EINVAL },
		{ RCUMAP_CREATE_RESIZE | 4, H, 8, EOPNOTSUPP },
		{ RCUMAP_CREATE_SHRINK | (1U << 31), H, 8, EOPNOTSUPP },
		{ RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK | 8, H, 8,
		  EOPNOTSUPP },
		{ RCUMAP_CREATE_RESIZE | 4, P, 0, EOPNOTSUPP },
	};
	struct rcumap_info info;
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		test_err_create_flags(bad[i].err, bad[i].flags, bad[i].type,
				      bad[i].key_size, 8, 64, 0)
			TH_LOG("flags %#x type %u", bad[i].flags, bad[i].type);
		EXPECT_EQ(-1, state_of(self->fd));
	}
	test_cmd_create_flags(RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK,
			      RCUMAP_MAP_HASH, 8, 8, 64, 0);
	test_cmd_info(&info);
	EXPECT_EQ(RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK,
		  info.out_create_flags);
}

/*
 * Poll INFO's bucket count, for at most @secs seconds, until it is above
 * @than (@above) or below it (!@above).  A map that resizes by itself
 * may do so later than the update that calls for it; how much later is
 * no part of the contract, so the wait is long and nothing is timed.
 * Returns the last bucket count seen, or -errno.
 */
static long long wait_buckets(int fd, bool above, __u32 than, double secs)
{
	double deadline = now_s() + secs;
	struct rcumap_info info;
	int ret;

	for (;;) {
		ret = _test_cmd_info(fd, &info);
		if (ret)
			return ret;
		if (above ? info.out_nr_buckets > than :
			    info.out_nr_buckets < than)
			return info.out_nr_buckets;
		if (now_s() > deadline)
			return info.out_nr_buckets;
		usleep(10000);
	}
}

#define AUTO_WAIT_S	60.0

/*
 * A map made with RCUMAP_CREATE_RESIZE grows by itself as keys come in,
 * and keeps every key; one made without it keeps its bucket count.
 */
TEST_F_TIMEOUT(rcumap_dev, auto_resize_grows, 180)
{
	struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 16,
		.max_entries = 1024, .nr_buckets = 4,
	};
	/* A fixed map needs 1024 / RCUMAP_BUCKET_MAX buckets: give it 64. */
	struct shape fixed = { .type = RCUMAP_MAP_HASH, .key_size = 8,
			       .value_size = 16, .max_entries = 1024,
			       .nr_buckets = 64 };
	struct rcumap_info info;
	long long nb;
	int fd, i;

	test_cmd_create_shape_flags(&s, RCUMAP_CREATE_RESIZE);
	fd = open_map(&fixed);
	ASSERT_LE(0, fd);
	for (i = 0; i < 1024; i++) {
		ASSERT_EQ(0, put(self->fd, &s, i, 2, RCUMAP_UPDATE_NOEXIST));
		ASSERT_EQ(0, put(fd, &fixed, i, 2, RCUMAP_UPDATE_NOEXIST));
	}
	nb = wait_buckets(self->fd, true, 4, AUTO_WAIT_S);
	EXPECT_LT(4, nb) TH_LOG("256 keys a bucket, and no growth");
	ksft_print_msg("%s: 1024 keys: %lld buckets (made with 4)\n",
		       _metadata->name, nb);
	test_cmd_info(&info);
	EXPECT_EQ(1024, info.out_count);
	EXPECT_EQ(RCUMAP_CREATE_RESIZE, info.out_create_flags);
	for (i = 0; i < 1024; i++) {
		EXPECT_EQ(0, check(self->fd, &s, i, 2)) TH_LOG("key %d", i);
	}
	/* The map without the flag never resizes by itself. */
	ASSERT_EQ(0, _test_cmd_info(fd, &info));
	EXPECT_EQ(64, info.out_nr_buckets);
	EXPECT_EQ(1024, info.out_count);
	close(fd);
}

/*
 * With RCUMAP_CREATE_SHRINK too, a map that grew shrinks back once most
 * keys are gone, never below the bucket count it was made with, and
 * keeps the keys that are left.
 */
TEST_F_TIMEOUT(rcumap_dev, auto_resize_shrinks, 180)
{
	struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 16,
		.max_entries = 1024, .nr_buckets = 4,
	};
	long long grown, nb;
	int i;

	test_cmd_create_shape_flags(&s,
				    RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK);
	for (i = 0; i < 1024; i++) {
		ASSERT_EQ(0, put(self->fd, &s, i, 3, RCUMAP_UPDATE_NOEXIST));
	}
	grown = wait_buckets(self->fd, true, 4, AUTO_WAIT_S);
	ASSERT_LT(4, grown) TH_LOG("256 keys a bucket, and no growth");
	/* Let it finish growing: at most two keys a bucket. */
	grown = wait_buckets(self->fd, true, 1024 / 2 - 1, AUTO_WAIT_S);
	for (i = 4; i < 1024; i++) {
		ASSERT_EQ(0, del(self->fd, &s, i));
	}
	nb = wait_buckets(self->fd, false, grown, AUTO_WAIT_S);
	EXPECT_GT(grown, nb) TH_LOG("4 keys in %lld buckets, and no shrink", nb);
	EXPECT_LE(4, nb);
	ksft_print_msg("%s: 1024 keys: %lld buckets; 4 keys: %lld buckets\n",
		       _metadata->name, grown, nb);
	EXPECT_EQ(4, count_of(self->fd));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, check(self->fd, &s, i, 3)) TH_LOG("key %d", i);
	}
}

/*
 * A RESIZE whose caller is killed part-way.  A child resizes a map of
 * 2^20 buckets down to 16 (the fewest its 1000 keys may have) and back
 * up, without end, and is killed 1 s in.
 * RESIZE is killable, so the child dies inside a call, between two
 * buckets, and the map is left part-way: at a bucket count strictly
 * between the two, or at 2^20 with a second array being filled.  A RESIZE
 * that could not be interrupted would always finish its call first and
 * leave the map exactly at 16 or 2^20 buckets with one array.  (Each call
 * takes some 10-20 s in the debug guest and well under a second on real
 * hardware; the child spends all but a few microseconds of its life in
 * one, so the kill lands in one at any speed.)  The map, which the parent
 * shares, keeps every key and value, takes updates, and the next RESIZE
 * finishes the step under way.
 */
TEST_F_TIMEOUT(rcumap_dev, resize_killed_keeps_every_key, 300)
{
	const __u32 from = 1U << 20, to = 16;
	struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 16,
		.max_entries = 1000, .nr_buckets = from,
	};
	struct rcumap_info info;
	__u64 whole, second = from / 2 * sizeof(void *);
	int status, i, go[2];
	char c = 0;
	pid_t pid;

	test_cmd_create_shape(&s);
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, put(self->fd, &s, i, 4, RCUMAP_UPDATE_NOEXIST));
	}
	test_cmd_info(&info);
	whole = info.out_bytes_used;
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct rcumap_resize r = { .size = sizeof(r) };

		if (write(go[1], &c, 1) != 1)
			_exit(1);
		for (;;) {
			r.nr_buckets = r.nr_buckets == to ? from : to;
			ioctl(self->fd, RCUMAP_IOC_RESIZE, &r);
		}
	}
	ASSERT_EQ(1, read(go[0], &c, 1));
	usleep(1000 * 1000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(go[0]);
	close(go[1]);

	test_cmd_info(&info);
	ksft_print_msg("%s: killed at %u buckets, %llu bytes (%llu whole)\n",
		       _metadata->name, info.out_nr_buckets,
		       (unsigned long long)info.out_bytes_used,
		       (unsigned long long)whole);
	EXPECT_TRUE((info.out_nr_buckets > to && info.out_nr_buckets < from) ||
		    (info.out_nr_buckets == from &&
		     info.out_bytes_used >= whole + second))
		TH_LOG("not part-way: the RESIZE ran to its end after SIGKILL");
	EXPECT_EQ(1000, info.out_count);
	for (i = 0; i < 1000; i++) {
		EXPECT_EQ(0, check(self->fd, &s, i, 4)) TH_LOG("key %d", i);
	}
	/*
	 * BUCKET_STATS counts the buckets of the array being left, and in
	 * those already moved the keys that came from them: still every
	 * bucket and every key once.
	 */
	stats_check_still(_metadata, self->fd, RCUMAP_STATS_MAX_BUDGET);
	/* Updates and deletes work in the half-moved map. */
	EXPECT_EQ(0, del(self->fd, &s, 7));
	EXPECT_EQ(0, put(self->fd, &s, 7, 5, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(0, check(self->fd, &s, 7, 5));
	/* The next RESIZE finishes the step under way, then goes on. */
	test_cmd_resize(from);
	test_cmd_info(&info);
	EXPECT_EQ(from, info.out_nr_buckets);
	EXPECT_GT(whole + second, info.out_bytes_used)
		TH_LOG("a second array is still held");
	EXPECT_EQ(1000, info.out_count);
	for (i = 0; i < 1000; i++) {
		EXPECT_EQ(0, check(self->fd, &s, i, i == 7 ? 5 : 4))
			TH_LOG("key %d", i);
	}
}

/* ---- Read-only files, statistics, walks, CREATE races ------------------- */

/*
 * The map lives as long as any file that holds it: the owner closed, two
 * read-only files still read every key; the last one closed frees it
 * (kmemleak in the debug guest would see a map that outlived them).  A
 * read-only file cannot make more (EPERM), nor can a file without a map
 * (EINVAL).
 */
TEST_F(rcumap_dev, dup_rdonly_outlives_owner)
{
	const struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 16,
		.max_entries = 64,
	};
	int ro[2], fd, i, j;

	test_err_dup_rdonly(EINVAL, &fd);
	EXPECT_EQ(-1, fd);
	test_cmd_create_shape(&s);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, put(self->fd, &s, i, 3, RCUMAP_UPDATE_NOEXIST));
	}
	test_cmd_dup_rdonly(&ro[0]);
	test_cmd_dup_rdonly(&ro[1]);
	EXPECT_NE(ro[0], ro[1]);
	EXPECT_EQ(-EPERM, _test_cmd_dup_rdonly(ro[0], &fd));
	EXPECT_EQ(-1, fd);

	close(self->fd);
	self->fd = rcumap_open();
	for (j = 0; j < 2; j++) {
		EXPECT_EQ(10, count_of(ro[j]));
		for (i = 0; i < 10; i++) {
			EXPECT_EQ(0, check(ro[j], &s, i, 3)) TH_LOG("key %d", i);
		}
		EXPECT_EQ(-EPERM, del(ro[j], &s, 0));
		close(ro[j]);
	}
}

/*
 * A table of 2^15 buckets, two calls at the largest budget: every bucket
 * and every key counted once.
 */
TEST_F(rcumap_dev, bucket_stats_max_budget)
{
	const struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 8,
		.max_entries = 1000, .nr_buckets = 1U << 15,
	};
	struct stats st;
	int i;

	test_cmd_create_shape(&s);
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, put(self->fd, &s, i, 0, RCUMAP_UPDATE_NOEXIST));
	}
	st = stats_check_still(_metadata, self->fd, RCUMAP_STATS_MAX_BUDGET);
	EXPECT_EQ(2, st.calls);
}

/*
 * Ordered walks across the sparsest map there is: one key in
 * RCUMAP_MAX_BUCKETS buckets.  The kernel crosses the empty buckets in
 * steps of 64, each in its own RCU read-side section, carrying a position
 * between steps; every walk still finds the key once and ends with ENOENT.
 */
TEST_F(rcumap_dev, ordered_walks_cross_a_sparse_map)
{
	const struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 8,
		.max_entries = 4, .nr_buckets = RCUMAP_MAX_BUCKETS,
	};
	__u8 key[8], next[8], keys[4 * 8], vals[4 * 8];
	__u32 out;

	test_cmd_create_shape(&s);
	ASSERT_EQ(0, put(self->fd, &s, 7, 1, RCUMAP_UPDATE_NOEXIST));
	make_key(key, 8, 7);
	test_cmd_get_next_key(NULL, next);
	EXPECT_EQ(0, memcmp(key, next, 8));
	test_err_get_next_key(ENOENT, key, next);
	test_cmd_next_key_ordered(NULL, next);
	EXPECT_EQ(0, memcmp(key, next, 8));
	test_err_next_key_ordered(ENOENT, key, next);
	/* BPF style: a key that is not there starts the walk again. */
	make_key(next, 8, 8);
	test_cmd_get_next_key(next, next);
	EXPECT_EQ(0, memcmp(key, next, 8));
	test_cmd_batch_lookup_ordered(keys, vals, NULL, 4, &out);
	ASSERT_EQ(1, out);
	EXPECT_EQ(0, memcmp(key, keys, 8));
	test_err_batch_lookup_ordered(ENOENT, keys, vals, key, 4, &out);
	EXPECT_EQ(0, out);
}

TEST_F(rcumap_dev, create_twice_ebusy)
{
	struct rcumap_info info;
	int fd2;

	test_cmd_create(RCUMAP_MAP_HASH, 8, 16, 16, 0);
	test_err_create(EBUSY, RCUMAP_MAP_HASH, 8, 16, 16, 0);
	test_err_create(EBUSY, RCUMAP_MAP_HASH, 4, 4, 32, 0);
	test_err_create(EBUSY, RCUMAP_MAP_PTAB, 0, 8, 64, 0);
	test_cmd_info(&info);
	EXPECT_EQ(RCUMAP_MAP_HASH, info.out_map_type);
	EXPECT_EQ(16, info.out_value_size);

	fd2 = rcumap_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, _test_cmd_create(fd2, RCUMAP_MAP_PTAB, 0, 8, 64, 0));
	EXPECT_EQ(-EBUSY, _test_cmd_create(fd2, RCUMAP_MAP_PTAB, 0, 8, 64, 0));
	EXPECT_EQ(-EBUSY, _test_cmd_create(fd2, RCUMAP_MAP_HASH, 8, 8, 16, 0));
	ASSERT_EQ(0, _test_cmd_info(fd2, &info));
	EXPECT_EQ(RCUMAP_MAP_PTAB, info.out_map_type);
	close(fd2);
}

/* Processes sharing one file race to CREATE: one wins, the rest EBUSY. */
TEST_F(rcumap_dev, create_race_one_wins)
{
	enum { NPROC = 4 };
	struct rcumap_info info;
	int go[2], i, status, won = 0, busy = 0;
	pid_t pid[NPROC];
	char c = 0;

	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < NPROC; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			int ret;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(3);
			/* Child i asks for value size 8 * (i + 1). */
			ret = _test_cmd_create(self->fd, RCUMAP_MAP_HASH, 8,
					       8 * (i + 1), 16, 0);
			_exit(ret == 0 ? 0 : ret == -EBUSY ? 1 : 2);
		}
	}
	close(go[0]);
	close(go[1]);		/* EOF: all go */
	for (i = 0; i < NPROC; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_GE(1, WEXITSTATUS(status)) TH_LOG("child %d", i);
		if (WEXITSTATUS(status) == 0)
			won = i + 1;
		busy += WEXITSTATUS(status) == 1;
	}
	EXPECT_EQ(NPROC - 1, busy);
	ASSERT_NE(0, won);
	test_cmd_info(&info);
	EXPECT_EQ(8 * won, info.out_value_size);
}

/* ---- Lifetime -------------------------------------------------------------- */

/* The map lives while any file reference does: the child keeps it. */
TEST_F(rcumap_dev, map_outlives_parent_close)
{
	static const struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 32,
		.max_entries = 64,
	};
	int go[2], status, i;
	pid_t pid;
	char c;

	test_cmd_create_shape(&s);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, put(self->fd, &s, i, 1, RCUMAP_UPDATE_NOEXIST));
	}
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int bad = 0;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(10);
		/* The parent has closed its reference now. */
		for (i = 0; i < 10; i++)
			bad += check(self->fd, &s, i, 1) != 0;
		bad += put(self->fd, &s, 10, 1, RCUMAP_UPDATE_NOEXIST) != 0;
		bad += del(self->fd, &s, 0) != 0;
		bad += count_of(self->fd) != 10;
		close(self->fd);
		_exit(bad ? 11 : 0);
	}
	close(go[0]);
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
	/* The parent's file is gone; a new one has no map. */
	c = 1;
	ASSERT_EQ(1, write(go[1], &c, 1));
	close(go[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(rcumap_dev, map_follows_dup)
{
	static const struct shape s = {
		.type = RCUMAP_MAP_PTAB, .value_size = 24, .max_entries = 64,
	};
	__u8 v[24], out[24];
	__u64 id;
	int fd2;

	test_cmd_create_shape(&s);
	make_value(v, s.value_size, 7, 3);
	test_cmd_ptab_insert(v, &id);
	fd2 = dup(self->fd);
	ASSERT_LE(0, fd2);
	close(self->fd);
	self->fd = fd2;
	test_cmd_ptab_lookup(id, out);
	EXPECT_TRUE(value_is(out, s.value_size, 7, 3));
	EXPECT_EQ(1, count_of(self->fd));
}

/* Each open() is its own map. */
TEST_F(rcumap_dev, maps_are_per_open)
{
	static const struct shape a = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 8,
		.max_entries = 16,
	};
	static const struct shape b = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 16,
		.max_entries = 16,
	};
	int fd2 = rcumap_open();

	ASSERT_LE(0, fd2);
	test_cmd_create_shape(&a);
	EXPECT_EQ(-1, state_of(fd2));
	ASSERT_EQ(0, _test_cmd_create_shape(fd2, &b));
	ASSERT_EQ(0, put(self->fd, &a, 1, 1, RCUMAP_UPDATE_ANY));
	ASSERT_EQ(0, put(fd2, &b, 2, 2, RCUMAP_UPDATE_ANY));
	EXPECT_EQ(0, check(self->fd, &a, 1, 1));
	EXPECT_EQ(-ENOENT, check(self->fd, &a, 2, 2));
	EXPECT_EQ(0, check(fd2, &b, 2, 2));
	EXPECT_EQ(-ENOENT, check(fd2, &b, 1, 1));
	close(fd2);
	EXPECT_EQ(0, check(self->fd, &a, 1, 1));
}

/*
 * Close maps that still hold entries, many of them: the release path
 * frees them (the guest's kmemleak scan and KASAN watch it), and a new
 * map afterwards works.
 */
TEST_F(rcumap_dev, close_full_maps)
{
	static const struct shape h = {
		.type = RCUMAP_MAP_HASH, .key_size = 16, .value_size = 100,
		.max_entries = 512, .nr_buckets = 64,
	};
	static const struct shape p = {
		.type = RCUMAP_MAP_PTAB, .value_size = 100, .max_entries = 512,
	};
	__u8 v[100];
	int round, fd, i;
	__u64 id;

	for (round = 0; round < 3; round++) {
		fd = open_map(&h);
		ASSERT_LE(0, fd);
		for (i = 0; i < 512; i++) {
			ASSERT_EQ(0, put(fd, &h, i, round, RCUMAP_UPDATE_ANY));
		}
		EXPECT_EQ(512, count_of(fd));
		close(fd);

		fd = open_map(&p);
		ASSERT_LE(0, fd);
		for (i = 0; i < 512; i++) {
			make_value(v, sizeof(v), i, round);
			ASSERT_EQ(0, _test_cmd_ptab_insert(fd, v, &id));
		}
		EXPECT_EQ(512, count_of(fd));
		close(fd);
	}
	test_cmd_create_shape(&h);
	EXPECT_EQ(0, count_of(self->fd));
}

RCUMAP_SELFTEST_MAIN
