// SPDX-License-Identifier: GPL-2.0
/*
 * The cost floor under test (map=hash and mem, impl "floor"), measured
 * with one thread only.
 */
#include "bench.h"

/*
 * Open addressing with linear probing, at most half full, no locks, no
 * RCU: what a lookup costs when nothing is shared.  Only ever used by one
 * thread.  A slot is a tag (the hash with the top bit set; 0 is empty),
 * then the key and the value, each 8-byte aligned.  Deletion shifts the
 * rest of the probe run back, so there are no tombstones.
 */
struct bench_open {
	u8 *slots;
	size_t slot_size;
	u32 mask;
	u32 seed;
	u32 count;
};

#define BENCH_OPEN_USED		0x80000000U

static inline u32 *bench_open_tag(const struct bench_open *o, u32 i)
{
	return (u32 *)(o->slots + (size_t)i * o->slot_size);
}

static inline u8 *bench_open_key(const struct bench_open *o, u32 i)
{
	return o->slots + (size_t)i * o->slot_size + 8;
}

static void *bench_open_create(u32 nr)
{
	struct bench_open *o = kzalloc(sizeof(*o), GFP_KERNEL);
	u32 nr_slots = roundup_pow_of_two(max(2 * nr, 2U));

	if (!o)
		return ERR_PTR(-ENOMEM);
	o->slot_size = 8 + bench_key_stride() + ALIGN(bench_value_size, 8);
	o->slots = kvcalloc(nr_slots, o->slot_size, GFP_KERNEL);
	if (!o->slots) {
		kfree(o);
		return ERR_PTR(-ENOMEM);
	}
	o->mask = nr_slots - 1;
	o->seed = get_random_u32();
	return o;
}

static void bench_open_destroy(void *map)
{
	struct bench_open *o = map;

	kvfree(o->slots);
	kfree(o);
}

/* The slot of @key, or the empty slot that ends its probe run. */
static __always_inline u32 bench_open_find(const struct bench_open *o,
					   const void *key, u32 tag,
					   bool *found)
{
	u32 i = tag & o->mask;

	for (;; i = (i + 1) & o->mask) {
		u32 t = *bench_open_tag(o, i);

		if (!t) {
			*found = false;
			return i;
		}
		if (t == tag && bench_key_equal(bench_open_key(o, i), key)) {
			*found = true;
			return i;
		}
	}
}

static __always_inline bool bench_open_lookup(void *map, const void *key,
					      void *value)
{
	const struct bench_open *o = map;
	u32 tag = bench_hash(key, o->seed) | BENCH_OPEN_USED;
	bool found;
	u32 i = bench_open_find(o, key, tag, &found);

	if (found)
		memcpy(value, bench_open_key(o, i) + bench_key_stride(),
		       bench_value_size);
	return found;
}

static int bench_open_insert(void *map, const void *key, const void *value)
{
	struct bench_open *o = map;
	u32 tag = bench_hash(key, o->seed) | BENCH_OPEN_USED;
	bool found;
	u32 i = bench_open_find(o, key, tag, &found);

	if (found)
		return -EEXIST;
	if (o->count >= (o->mask + 1) / 2)
		return -E2BIG;
	*bench_open_tag(o, i) = tag;
	memcpy(bench_open_key(o, i), key, bench_key_size);
	memcpy(bench_open_key(o, i) + bench_key_stride(), value, bench_value_size);
	o->count++;
	return 0;
}

static int bench_open_remove(void *map, const void *key)
{
	struct bench_open *o = map;
	u32 tag = bench_hash(key, o->seed) | BENCH_OPEN_USED;
	bool found;
	u32 hole = bench_open_find(o, key, tag, &found);
	u32 j = hole;

	if (!found)
		return -ENOENT;
	/*
	 * Move back every later entry of the run that may live in the
	 * hole: one whose home slot is not cyclically in (hole, j].
	 */
	for (;;) {
		u32 t, home;

		j = (j + 1) & o->mask;
		t = *bench_open_tag(o, j);
		if (!t)
			break;
		home = t & o->mask;
		if (((j - home) & o->mask) < ((j - hole) & o->mask))
			continue;
		memcpy(bench_open_tag(o, hole), bench_open_tag(o, j),
		       o->slot_size);
		hole = j;
	}
	*bench_open_tag(o, hole) = 0;
	o->count--;
	return 0;
}

static size_t bench_open_bytes(void *map, u32 nr)
{
	struct bench_open *o = map;
	size_t size = ((size_t)o->mask + 1) * o->slot_size;

	return kmalloc_size_roundup(sizeof(*o)) + bench_kv_bytes(o->slots, size);
}

static void bench_open_work(struct bench_thread *t)
{
	bench_hash_loop(t, bench_open_lookup, bench_open_insert,
			bench_open_remove);
}

const struct bench_ops bench_floor_ops = {
	.name = "floor",
	.single = true,
	.create = bench_open_create,
	.destroy = bench_open_destroy,
	.work = bench_open_work,
	.insert = bench_open_insert,
	.bytes = bench_open_bytes,
};
