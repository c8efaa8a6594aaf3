// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_ptab.c - selftests of PTAB maps (process tables).
 *
 * Fixture:
 *   rcumap_ptab  a PTAB map, in variants of value size and capacity
 *
 * Every test expects one documented behaviour; nothing is skipped.  The
 * binary ends with the line "N passed, N failed" (common.h).
 */
#include "common.h"

/* ---- PTAB maps --------------------------------------------------------------- */

FIXTURE(rcumap_ptab) {
	int fd;
	struct shape s;
	struct badmem bad;
};

FIXTURE_VARIANT(rcumap_ptab) {
	__u32 value_size;
	__u32 capacity;
};

FIXTURE_VARIANT_ADD(rcumap_ptab, v1_c64) {
	.value_size = 1, .capacity = 64,
};

FIXTURE_VARIANT_ADD(rcumap_ptab, v8_c64) {
	.value_size = 8, .capacity = 64,
};

FIXTURE_VARIANT_ADD(rcumap_ptab, v64_c128) {
	.value_size = 64, .capacity = 128,
};

FIXTURE_VARIANT_ADD(rcumap_ptab, v4096_c64) {
	.value_size = RCUMAP_MAX_VALUE_SIZE, .capacity = 64,
};

FIXTURE_SETUP(rcumap_ptab)
{
	self->s = (struct shape){
		.type = RCUMAP_MAP_PTAB,
		.value_size = variant->value_size,
		.max_entries = variant->capacity,
	};
	self->fd = rcumap_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", RCUMAP_DEV, strerror(errno));
	test_cmd_create_shape(&self->s);
	ASSERT_EQ(0, badmem_init(&self->bad));
}

FIXTURE_TEARDOWN(rcumap_ptab)
{
	close(self->fd);
}

#define CAP	(self->s.max_entries)

TEST_F(rcumap_ptab, info_fields)
{
	struct rcumap_info info;
	__u64 bytes0, id;

	test_cmd_info(&info);
	EXPECT_EQ(RCUMAP_MAP_PTAB, info.out_map_type);
	EXPECT_EQ(0, info.out_key_size);
	EXPECT_EQ(self->s.value_size, info.out_value_size);
	EXPECT_EQ(CAP, info.out_max_entries);
	EXPECT_EQ(0, info.out_nr_buckets);
	EXPECT_EQ(0, info.out_count);
	bytes0 = info.out_bytes_used;
	EXPECT_LT(0, bytes0);
	ASSERT_EQ(0, pins(self->fd, &self->s, 0, 0, &id));
	ASSERT_EQ(0, pins(self->fd, &self->s, 1, 0, &id));
	test_cmd_info(&info);
	EXPECT_EQ(2, info.out_count);
	EXPECT_LE(bytes0 + 2 * self->s.value_size, info.out_bytes_used);
}

/* Ids grow; every entry reads back; a full table says ENOSPC. */
TEST_F(rcumap_ptab, insert_until_full)
{
	__u64 ids[4096], id;
	__u32 i;

	ASSERT_GE(ARRAY_LEN(ids), CAP);
	for (i = 0; i < CAP; i++) {
		ASSERT_EQ(0, pins(self->fd, &self->s, i, 0, &ids[i]))
			TH_LOG("entry %u", i);
		if (i) {
			EXPECT_LT(ids[i - 1], ids[i]);
		}
	}
	EXPECT_EQ(CAP, count_of(self->fd));
	EXPECT_EQ(-ENOSPC, pins(self->fd, &self->s, CAP, 0, &id));
	EXPECT_EQ(-ENOSPC, pins(self->fd, &self->s, CAP, 0, &id));
	EXPECT_EQ(CAP, count_of(self->fd));
	for (i = 0; i < CAP; i++) {
		EXPECT_EQ(0, pcheck(self->fd, &self->s, ids[i], i, 0))
			TH_LOG("entry %u", i);
	}
}

TEST_F(rcumap_ptab, remove_then_lookup_enoent)
{
	__u8 v[TEST_MAX_VALUE + 64];
	__u64 a, b;

	ASSERT_EQ(0, pins(self->fd, &self->s, 1, 4, &a));
	ASSERT_EQ(0, pins(self->fd, &self->s, 2, 4, &b));
	memset(v, 0xa5, sizeof(v));
	test_cmd_ptab_remove(a, v);
	EXPECT_TRUE(value_is(v, self->s.value_size, 1, 4));
	EXPECT_TRUE(all_bytes(v + self->s.value_size, 0xa5, 64));
	test_err_ptab_lookup(ENOENT, a, v);
	test_err_ptab_remove(ENOENT, a, v);
	test_err_ptab_remove(ENOENT, a, NULL);
	EXPECT_EQ(0, pcheck(self->fd, &self->s, b, 2, 4));
	/* Without a value pointer. */
	test_cmd_ptab_remove(b, NULL);
	test_err_ptab_lookup(ENOENT, b, v);
	EXPECT_EQ(0, count_of(self->fd));
}

/* Ids never handed out find nothing. */
TEST_F(rcumap_ptab, unknown_id_enoent)
{
	__u8 v[TEST_MAX_VALUE];
	const __u64 probe[] = { 1, 2, 1000, 1ULL << 32, 1ULL << 63, ~0ULL };
	__u64 id, got;
	size_t i;

	ASSERT_EQ(0, pins(self->fd, &self->s, 1, 0, &id));
	for (i = 0; i < ARRAY_LEN(probe); i++) {
		if (probe[i] == id)
			continue;
		test_err_ptab_lookup(ENOENT, probe[i], v)
			TH_LOG("id %#llx", (unsigned long long)probe[i]);
		test_err_ptab_remove(ENOENT, probe[i], v)
			TH_LOG("id %#llx", (unsigned long long)probe[i]);
	}
	for (i = 1; i <= 3; i++) {
		test_err_ptab_lookup(ENOENT, id + i, v);
		test_err_ptab_lookup(ENOENT, id + i * CAP, v);
		if (id >= i) {
			test_err_ptab_lookup(ENOENT, id - i, v);
		}
	}
	test_err_ptab_next(ENOENT, id + 1, v, &got);
	EXPECT_EQ(1, count_of(self->fd));
}

/*
 * A slot freed and taken again: the new entry has a new, larger id, and
 * the old id finds nothing (it does not see the slot's new tenant).
 */
TEST_F(rcumap_ptab, stale_id_misses_after_reuse)
{
	__u8 v[TEST_MAX_VALUE];
	__u64 ids[4096], old, fresh, last;
	__u32 i, round;

	for (i = 0; i < CAP; i++) {
		ASSERT_EQ(0, pins(self->fd, &self->s, i, 0, &ids[i]));
	}
	last = ids[CAP - 1];
	for (round = 0; round < 3 * CAP; round++) {
		i = (round * 7) % CAP;
		old = ids[i];
		test_cmd_ptab_remove(old, NULL);
		ASSERT_EQ(0, pins(self->fd, &self->s, i, round + 1, &fresh))
			TH_LOG("round %u", round);
		EXPECT_LT(last, fresh);
		last = fresh;
		ids[i] = fresh;
		test_err_ptab_lookup(ENOENT, old, v) TH_LOG("round %u", round);
		test_err_ptab_remove(ENOENT, old, v) TH_LOG("round %u", round);
		EXPECT_EQ(0, pcheck(self->fd, &self->s, fresh, i, round + 1));
		EXPECT_EQ(-ENOSPC, pins(self->fd, &self->s, 0, 0, &fresh));
	}
	EXPECT_EQ(CAP, count_of(self->fd));
}

/* PTAB_NEXT returns exactly the live entries, in increasing id order. */
TEST_F(rcumap_ptab, next_walks_live_set)
{
	__u8 v[TEST_MAX_VALUE + 64];
	__u64 ids[4096], id, got;
	bool live[4096];
	__u32 i, found, steps;

	test_err_ptab_next(ENOENT, 0, v, &got);
	for (i = 0; i < CAP; i++) {
		ASSERT_EQ(0, pins(self->fd, &self->s, i, 3, &ids[i]));
		live[i] = true;
	}
	for (i = 0; i < CAP; i += 3) {
		test_cmd_ptab_remove(ids[i], NULL);
		live[i] = false;
	}

	/* With values, then without. */
	for (int pass = 0; pass < 2; pass++) {
		id = 0;
		found = 0;
		steps = 0;
		i = 0;
		for (;;) {
			memset(v, 0xa5, sizeof(v));
			if (_test_cmd_ptab_next(self->fd, id, pass ? NULL : v,
						&got))
				break;
			ASSERT_GE(CAP, ++steps);
			ASSERT_LE(id, got);
			/* The next live entry, in insertion (id) order. */
			while (i < CAP && !live[i])
				i++;
			ASSERT_GT(CAP, i);
			EXPECT_EQ(ids[i], got);
			if (!pass) {
				EXPECT_TRUE(value_is(v, self->s.value_size, i, 3));
				EXPECT_TRUE(all_bytes(v + self->s.value_size,
						      0xa5, 64));
			}
			found++;
			i++;
			id = got + 1;
		}
		test_err_ptab_next(ENOENT, id, v, &got);
		EXPECT_EQ(CAP - (CAP + 2) / 3, found);
	}

	/* From a removed id: the next live one. */
	test_cmd_ptab_next(ids[3], v, &got);
	EXPECT_EQ(ids[4], got);
	test_err_ptab_next(ENOENT, ids[CAP - 1] + 1, v, &got);
	test_err_ptab_next(ENOENT, ~0ULL, v, &got);
}

TEST_F(rcumap_ptab, user_pointers_efault)
{
	__u8 *vstr = badmem_straddle(&self->bad, self->s.value_size);
	void *bad_vals[] = { NULL, self->bad.unmapped, vstr, self->bad.ro };
	__u64 id, got;
	size_t i;

	ASSERT_EQ(0, pins(self->fd, &self->s, 5, 0, &id));
	/* Inputs: a read-only value is fine. */
	for (i = 0; i < ARRAY_LEN(bad_vals) - 1; i++) {
		test_err_ptab_insert(EFAULT, bad_vals[i], &got)
			TH_LOG("value %zu", i);
	}
	EXPECT_EQ(1, count_of(self->fd));
	test_cmd_ptab_insert(self->bad.ro, &got);
	test_cmd_ptab_remove(got, NULL);

	/* Outputs; NULL means "no value" for PTAB_NEXT. */
	for (i = 0; i < ARRAY_LEN(bad_vals); i++) {
		test_err_ptab_lookup(EFAULT, id, bad_vals[i]) TH_LOG("value %zu", i);
		if (bad_vals[i]) {
			test_err_ptab_next(EFAULT, 0, bad_vals[i], &got)
				TH_LOG("value %zu", i);
		}
	}
	EXPECT_EQ(1, count_of(self->fd));
	EXPECT_EQ(0, pcheck(self->fd, &self->s, id, 5, 0));
}

RCUMAP_SELFTEST_MAIN
