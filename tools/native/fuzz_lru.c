// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/hash_lru.c: the input picks a table shape,
 * then is read as a sequence of operations on the LRU hash table, each
 * checked against a plain array of keys.  Eviction makes the model loose
 * in one place only: an insert may take other keys out (never the one it
 * inserts), and the table may pass max_entries by at most its slack; no
 * other operation may lose a key, and a key still there keeps its value.
 * Allocation failures are part of the input.
 *
 * Input: shape byte (key and value size), capacity byte (max_entries),
 * buckets byte (nr_buckets, nr_tags), seed byte, then per operation an
 * opcode byte, a key byte and an argument byte.
 */
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/rcumap_hash_lru.h>
#include <linux/rcupdate.h>

#include "fuzz.h"

#define NR_IDS		48
#define MAX_VALUE	64

static const u32 key_sizes[8] = { 1, 2, 4, 5, 8, 12, 16, 33 };
static const u32 value_sizes[8] = { 0, 1, 4, 8, 13, 24, 40, MAX_VALUE };
static const u32 bucket_counts[8] = { 0, 1, 2, 4, 8, 16, 64, 256 };

struct model {
	bool present[NR_IDS];
	u8 value[NR_IDS][MAX_VALUE];
	u32 count;
};

static u32 key_size, value_size, max_entries;

static void make_value(u8 *value, u32 id, u8 arg)
{
	u32 i;

	for (i = 0; i < value_size; i++)
		value[i] = (u8)(arg + i * 13 + id * 7);
}

/*
 * Bring the model to the table: a key of the model that is gone must be
 * one an insert was allowed to evict (@may_evict, and not @keep); a key
 * that is there has its value.  Then the count and the bound.
 */
static void sync_model(struct rcumap_lru_hash *lru, struct model *m, bool may_evict,
		 int keep)
{
	u8 key[64], got[MAX_VALUE];
	u32 id;
	int err;

	for (id = 0; id < NR_IDS; id++) {
		if (!m->present[id])
			continue;
		fuzz_make_key(key, key_size, id);
		err = rcumap_lru_hash_lookup_copy(lru, key, got);
		if (err) {
			CHECK(err == -ENOENT && may_evict && (int)id != keep);
			m->present[id] = false;
			m->count--;
			continue;
		}
		CHECK(!memcmp(got, m->value[id], value_size));
	}
	CHECK(rcumap_lru_hash_count(lru) == m->count);
	CHECK(m->count <= max_entries +
	      RCUMAP_LRU_SLACK_PER_CPU * num_possible_cpus());
}

static int lru_get_next_key(const void *map, const void *key, void *next)
{
	return rcumap_lru_hash_get_next_key(map, key, next);
}

static int lru_walk(const void *map, u64 *pos, void *key, void *value)
{
	return rcumap_lru_hash_walk(map, pos, key, value);
}

static const struct fuzz_walks lru_walks = {
	.get_next_key = lru_get_next_key,
	.walk = lru_walk,
};

/* Every key of the model once, by both walks, and nothing else. */
static void check_all(struct rcumap_lru_hash *lru, const struct model *m)
{
	const struct fuzz_model fm = {
		.nr_ids = NR_IDS, .count = m->count, .key_size = key_size,
		.present = m->present, .values = &m->value[0][0],
		.stride = MAX_VALUE, .value_size = value_size,
	};
	u8 value[MAX_VALUE];

	fuzz_check_walks(&lru_walks, lru, &fm, value);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	native_fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct model m;
	struct rcumap_lru_hash_params p = { 0 };
	struct rcumap_lru_hash *lru;
	size_t i;

	if (size < 4)
		return 0;
	key_size = key_sizes[data[0] & 7];
	value_size = value_sizes[(data[0] >> 3) & 7];
	max_entries = 1 + (data[1] & 63);
	p.hash.key_size = key_size;
	p.hash.value_size = value_size;
	p.hash.max_entries = max_entries;
	p.hash.nr_buckets = bucket_counts[data[2] & 7];
	p.nr_tags = (data[2] >> 3) & 1 ? RCUMAP_LRU_MIN_TAGS : 0;
	/* Now and then, a bad flag. */
	p.flags = (data[2] & 0xf0) == 0xf0;
	native_random_seed(data[3]);

	lru = rcumap_lru_hash_create(&p, GFP_KERNEL);
	if (p.flags) {
		CHECK(lru == ERR_PTR(-EINVAL));
		return 0;
	}
	CHECK(!IS_ERR(lru));
	memset(&m, 0, sizeof(m));

	for (i = 4; i + 3 <= size; i += 3) {
		u8 op = data[i], id = data[i + 1] % NR_IDS, arg = data[i + 2];
		u8 key[64], value[MAX_VALUE], got[MAX_VALUE];
		bool may_fail = false, insert;
		int err, want;
		u32 mode;

		fuzz_make_key(key, key_size, id);
		if (op & 0x80) {
			native_fail_alloc_nth(1 + (arg & 3));
			may_fail = true;
		}
		switch (op % 8) {
		case 0: case 1: case 2: case 3:
			mode = op % 8 == 3 ? 3 + (arg & 7) : op % 8;
			make_value(value, id, arg);
			insert = (mode == RCUMAP_ANY ||
				  mode == RCUMAP_NOEXIST) && !m.present[id];
			err = rcumap_lru_hash_update(lru, key, value, mode,
						     GFP_KERNEL);
			want = fuzz_update_want(mode, m.present[id], false);
			if (err == -ENOMEM && may_fail && !want) {
				sync_model(lru, &m, insert, -1);
				break;
			}
			CHECK(err == want);
			if (!err) {
				m.count += !m.present[id];
				m.present[id] = true;
				memcpy(m.value[id], value, value_size);
			}
			sync_model(lru, &m, insert && !err, id);
			break;
		case 4:
			err = rcumap_lru_hash_delete(lru, key);
			CHECK(err == (m.present[id] ? 0 : -ENOENT));
			m.count -= m.present[id];
			m.present[id] = false;
			break;
		case 5:
			err = rcumap_lru_hash_lookup_and_delete(lru, key, got);
			CHECK(err == (m.present[id] ? 0 : -ENOENT));
			CHECK(err || !memcmp(got, m.value[id], value_size));
			m.count -= m.present[id];
			m.present[id] = false;
			break;
		case 6: {
			const u8 *v;

			/* A lookup marks the key used; a second one finds it. */
			rcu_read_lock();
			v = rcumap_lru_hash_lookup(lru, key);
			CHECK(!v == !m.present[id]);
			CHECK(!v || !memcmp(v, m.value[id], value_size));
			v = rcumap_lru_hash_lookup(lru, key);
			CHECK(!v == !m.present[id]);
			rcu_read_unlock();
			break;
		}
		default:
			if (arg & 0x40) {
				err = rcumap_lru_hash_resize(lru, 1U << (arg & 7));
				CHECK(!err || (err == -ENOMEM && may_fail));
			}
			check_all(lru, &m);
			break;
		}
		native_fail_alloc_nth(0);
	}
	sync_model(lru, &m, false, -1);
	check_all(lru, &m);
	rcumap_lru_hash_destroy(lru);
	native_fuzz_reclaim();
	return 0;
}
