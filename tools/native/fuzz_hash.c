// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/hash.c: the input picks a table shape, then
 * is read as a sequence of operations, each checked against a plain array
 * of keys.  Allocation failures are part of the input, so every
 * -ENOMEM path and the dead-entry path of delete get fuzzed too.
 *
 * Input: shape byte (key and value size), capacity byte (its top two
 * bits: entries as their size says, inline, out of line, as their size
 * says), buckets byte, seed byte, then per operation an opcode byte, a
 * key byte and an argument byte.  Values of MAX_VALUE bytes go out of
 * line by size (RCUMAP_HASH_INLINE_MAX); the capacity byte forces either
 * layout on any shape.
 */
#include <linux/bitmap.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/rcumap_hash.h>
#include <linux/rcupdate.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "walk.h"

#define NR_IDS		48
#define MAX_VALUE	200

static const u32 key_sizes[8] = { 1, 2, 4, 5, 8, 12, 16, 33 };
static const u32 value_sizes[8] = { 0, 1, 4, 8, 13, 24, 64, MAX_VALUE };
static const u32 bucket_counts[8] = { 0, 1, 2, 4, 8, 16, 64, 256 };

struct model {
	bool present[NR_IDS];
	u8 value[NR_IDS][MAX_VALUE];
	u32 count;
};

static u32 key_size, value_size, max_entries;

static void make_key(u8 *key, u32 id)
{
	fuzz_make_key(key, key_size, id);
}

static int key_id(const u8 *key)
{
	return fuzz_key_id(key, key_size, NR_IDS);
}

static void make_value(u8 *value, u32 id, u8 arg)
{
	u32 i;

	for (i = 0; i < value_size; i++)
		value[i] = (u8)(arg + i * 13 + id * 7);
}

static int hash_get_next_key(const void *map, const void *key, void *next)
{
	return rcumap_hash_get_next_key(map, key, next);
}

static int hash_walk(const void *map, u64 *pos, void *key, void *value)
{
	return rcumap_hash_walk(map, pos, key, value);
}

static const struct fuzz_walks hash_walks = {
	.get_next_key = hash_get_next_key,
	.walk = hash_walk,
};

/*
 * Every present key exactly once, by both walks; the count agrees, and so
 * does the memory, counted as updates go and the slow way.
 */
static void check_all(struct rcumap_hash *h, const struct model *m)
{
	const struct fuzz_model fm = {
		.nr_ids = NR_IDS, .count = m->count, .key_size = key_size,
		.present = m->present, .values = &m->value[0][0],
		.stride = MAX_VALUE, .value_size = value_size,
	};
	u8 value[MAX_VALUE];
	u32 n;

	CHECK(rcumap_hash_count(h) == m->count);
	fuzz_check_walks(&hash_walks, h, &fm, value);
	CHECK(rcumap_hash_bytes_used(h) == rcumap_hash_kunit_walk_bytes(h, &n));
	CHECK(n <= RCUMAP_HASH_BUCKET_HARD_MAX);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	native_fuzz_init();
	return 0;
}

/*
 * A bulk lookup of the @n ids from @first on (wrapping, so some repeat):
 * what the model says, key by key, in both forms.
 */
#define MAX_BULK	32

static void check_bulk(struct rcumap_hash *h, const struct model *m,
		       u32 first, u32 n)
{
	static u8 keys[MAX_BULK * 64], values[MAX_BULK * MAX_VALUE];
	DECLARE_BITMAP(found, MAX_BULK);
	void *v[MAX_BULK];
	u32 i, hits, want = 0;

	for (i = 0; i < n; i++) {
		make_key(keys + i * key_size, (first + i) % NR_IDS);
		want += m->present[(first + i) % NR_IDS];
	}
	hits = rcumap_hash_lookup_bulk_copy(h, keys, n, values, found);
	CHECK(hits == want);
	for (i = 0; i < n; i++) {
		u32 id = (first + i) % NR_IDS;

		CHECK(test_bit(i, found) == m->present[id]);
		CHECK(!m->present[id] ||
		      !memcmp(values + i * value_size, m->value[id], value_size));
	}
	rcu_read_lock();
	CHECK(rcumap_hash_lookup_bulk(h, keys, n, v) == want);
	for (i = 0; i < n; i++) {
		u32 id = (first + i) % NR_IDS;

		CHECK(!v[i] == !m->present[id]);
		CHECK(!v[i] || !memcmp(v[i], m->value[id], value_size));
	}
	rcu_read_unlock();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct model m;
	struct rcumap_hash_params p = { 0 };
	struct rcumap_hash *h;
	size_t i;

	if (size < 4)
		return 0;
	key_size = key_sizes[data[0] & 7];
	value_size = value_sizes[(data[0] >> 3) & 7];
	max_entries = 1 + (data[1] & 63);
	p.key_size = key_size;
	p.value_size = value_size;
	p.max_entries = max_entries;
	p.nr_buckets = bucket_counts[data[2] & 7];
	/* Now and then, a bad flag. */
	p.flags = (data[2] & 0xf8) == 0xf8 ? 1U << 2 : 0;
	native_random_seed(data[3]);

	switch (data[1] >> 6) {
	case 1:
	case 2:
		h = rcumap_hash_kunit_create(&p, GFP_KERNEL, data[1] >> 6 == 2);
		break;
	default:
		h = rcumap_hash_create(&p, GFP_KERNEL);
		break;
	}
	if (p.flags) {
		CHECK(h == ERR_PTR(-EINVAL));
		return 0;
	}
	CHECK(!IS_ERR(h));
	memset(&m, 0, sizeof(m));

	for (i = 4; i + 3 <= size; i += 3) {
		u8 op = data[i], id = data[i + 1] % NR_IDS, arg = data[i + 2];
		u8 key[64], value[MAX_VALUE], got[MAX_VALUE];
		bool may_fail = false;
		int err, want;
		u32 mode;

		make_key(key, id);
		if (op & 0x80) {
			/* Fail the arg-th allocation of this operation. */
			native_fail_alloc_nth(1 + (arg & 3));
			may_fail = true;
		}
		switch (op % 10) {
		case 0: case 1: case 2: case 3:
			mode = op % 10 == 3 ? 3 + (arg & 7) : op % 10;
			make_value(value, id, arg);
			err = rcumap_hash_update(h, key, value, mode, GFP_KERNEL);
			want = fuzz_update_want(mode, m.present[id],
						m.count == max_entries);
			if (err == -ENOMEM && may_fail &&
			    (want == 0 || want == -E2BIG))
				break;
			CHECK(err == want);
			if (!err) {
				m.count += !m.present[id];
				m.present[id] = true;
				memcpy(m.value[id], value, value_size);
			}
			break;
		case 4:
			err = rcumap_hash_delete(h, key);
			CHECK(err == (m.present[id] ? 0 : -ENOENT));
			m.count -= m.present[id];
			m.present[id] = false;
			break;
		case 5:
			err = rcumap_hash_lookup_and_delete(h, key, got);
			CHECK(err == (m.present[id] ? 0 : -ENOENT));
			CHECK(err || !memcmp(got, m.value[id], value_size));
			m.count -= m.present[id];
			m.present[id] = false;
			break;
		case 6: {
			const u8 *v;

			rcu_read_lock();
			v = rcumap_hash_lookup(h, key);
			CHECK(!v == !m.present[id]);
			CHECK(!v || !memcmp(v, m.value[id], value_size));
			rcu_read_unlock();
			err = rcumap_hash_lookup_copy(h, key, got);
			CHECK(err == (m.present[id] ? 0 : -ENOENT));
			CHECK(err || !memcmp(got, m.value[id], value_size));
			check_bulk(h, &m, id, 1 + arg % MAX_BULK);
			break;
		}
		case 7: {
			u8 next[64];
			int k;

			err = rcumap_hash_get_next_key(h, arg & 1 ? key : NULL,
						       next);
			if (err) {
				CHECK(err == -ENOENT);
				CHECK(!m.count || (arg & 1 && m.present[id]));
			} else {
				k = key_id(next);
				CHECK(k >= 0 && m.present[k]);
			}
			break;
		}
		case 8: {
			/* A walk from an arbitrary position. */
			u64 pos = (u64)(arg >> 4) << 32 | (arg & 15);
			int k;

			err = walk_next(h, &pos, key, arg & 1 ? NULL : got);
			if (!err) {
				k = key_id(key);
				CHECK(k >= 0 && m.present[k]);
				CHECK(arg & 1 ||
				      !memcmp(got, m.value[k], value_size));
			} else {
				CHECK(err == -ENOENT);
			}
			break;
		}
		default:
			/* A resize, maybe cut short by a failure; then all. */
			if (arg & 0x40) {
				err = rcumap_hash_resize(h, 1U << (arg & 7));
				CHECK(!err || (err == -ENOMEM && may_fail));
			}
			check_all(h, &m);
			break;
		}
		native_fail_alloc_nth(0);
	}
	check_all(h, &m);
	rcumap_hash_destroy(h);
	native_fuzz_reclaim();
	return 0;
}
