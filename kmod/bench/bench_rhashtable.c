// SPDX-License-Identifier: GPL-2.0
/*
 * rhashtable under test: as a hash table (impl "rhashtable": map=hash,
 * mem, resize), and as the table of counter objects, an atomic64_t in
 * each (impl "rht-atomic", map=counter).
 */
#include "bench.h"

/* ---- The hash table --------------------------------------------------- */

/*
 * An rhashtable object: the key at @data, the value after it at the next
 * 8-byte boundary.  Readers find objects under the RCU read lock, so a
 * removed object is freed with kfree_rcu().
 */
struct bench_rht_obj {
	struct rhash_head node;
	struct rcu_head rcu;
	u8 data[] __aligned(8);
};

struct bench_rht {
	struct rhashtable ht;
	struct rhashtable_params params;
};

/*
 * With 8-byte keys (the default) the table runs on constant parameters,
 * as a kernel user with a fixed key would write it: the hash (the default,
 * jhash2()) and the key compare are inlined.  Other key sizes go through
 * the same functions with the run-time parameters.
 */
static const struct rhashtable_params bench_rht_params8 = {
	.key_len = 8,
	.key_offset = offsetof(struct bench_rht_obj, data),
	.head_offset = offsetof(struct bench_rht_obj, node),
};

static inline size_t bench_rht_obj_size(void)
{
	return sizeof(struct bench_rht_obj) + bench_key_stride() + bench_value_size;
}

static void *__bench_rht_create(u32 nr, bool shrink)
{
	struct bench_rht *r = kzalloc(sizeof(*r), GFP_KERNEL);
	int err;

	if (!r)
		return ERR_PTR(-ENOMEM);
	r->params = bench_rht_params8;
	r->params.key_len = bench_key_size;
	r->params.automatic_shrinking = shrink;
	/* A u16: 1M keys start at 64K and grow while the table fills. */
	r->params.nelem_hint = min_t(u32, nr, U16_MAX);
	err = rhashtable_init(&r->ht, &r->params);
	if (err) {
		kfree(r);
		return ERR_PTR(err);
	}
	return r;
}

static void *bench_rht_create(u32 nr)
{
	return __bench_rht_create(nr, false);
}

/* For the resize benchmark: rhashtable shrinks only if asked to. */
static void *bench_rht_create_shrinking(u32 nr)
{
	return __bench_rht_create(nr, true);
}

static void bench_rht_free_obj(void *ptr, void *arg)
{
	kfree(ptr);
}

static void bench_rht_destroy(void *map)
{
	struct bench_rht *r = map;

	/* No thread runs: no reader can hold an object any more. */
	rhashtable_free_and_destroy(&r->ht, bench_rht_free_obj, NULL);
	kfree(r);
}

static __always_inline bool
__bench_rht_lookup(struct bench_rht *r, const void *key, void *value,
		   const struct rhashtable_params params)
{
	struct bench_rht_obj *obj;

	/*
	 * rhashtable_lookup_fast() is rhashtable_lookup() in its own RCU
	 * read-side section; the value is copied out, so the section must
	 * cover the copy too.
	 */
	rcu_read_lock();
	obj = rhashtable_lookup(&r->ht, key, params);
	if (obj)
		memcpy(value, obj->data + bench_key_stride(), bench_value_size);
	rcu_read_unlock();
	return obj;
}

static __always_inline int
__bench_rht_insert(struct bench_rht *r, const void *key, const void *value,
		   const struct rhashtable_params params)
{
	struct bench_rht_obj *obj = kmalloc(bench_rht_obj_size(), GFP_KERNEL);
	int err;

	if (!obj)
		return -ENOMEM;
	memset(obj->data, 0, bench_key_stride());
	memcpy(obj->data, key, bench_key_size);
	memcpy(obj->data + bench_key_stride(), value, bench_value_size);
	err = rhashtable_lookup_insert_fast(&r->ht, &obj->node, params);
	if (err)
		kfree(obj);
	return err;
}

static __always_inline int
__bench_rht_remove(struct bench_rht *r, const void *key,
		   const struct rhashtable_params params)
{
	struct bench_rht_obj *obj;
	int err = -ENOENT;

	rcu_read_lock();
	obj = rhashtable_lookup(&r->ht, key, params);
	if (obj)
		err = rhashtable_remove_fast(&r->ht, &obj->node, params);
	rcu_read_unlock();
	/*
	 * Unlinked: no new lookup finds @obj.  Lookups that found it are in
	 * RCU read-side sections that began before the removal, and
	 * kfree_rcu() waits for them.
	 */
	if (!err)
		kfree_rcu(obj, rcu);
	return err;
}

static __always_inline bool bench_rht_lookup8(void *map, const void *key,
					      void *value)
{
	return __bench_rht_lookup(map, key, value, bench_rht_params8);
}

static int bench_rht_insert8(void *map, const void *key, const void *value)
{
	return __bench_rht_insert(map, key, value, bench_rht_params8);
}

static int bench_rht_remove8(void *map, const void *key)
{
	return __bench_rht_remove(map, key, bench_rht_params8);
}

static __always_inline bool bench_rht_lookup(void *map, const void *key,
					     void *value)
{
	struct bench_rht *r = map;

	return __bench_rht_lookup(r, key, value, r->params);
}

static int bench_rht_insert(void *map, const void *key, const void *value)
{
	struct bench_rht *r = map;

	return __bench_rht_insert(r, key, value, r->params);
}

static int bench_rht_remove(void *map, const void *key)
{
	struct bench_rht *r = map;

	return __bench_rht_remove(r, key, r->params);
}

static void bench_rht_work(struct bench_thread *t)
{
	if (bench_key_size == 8)
		bench_hash_loop(t, bench_rht_lookup8, bench_rht_insert8,
				bench_rht_remove8);
	else
		bench_hash_loop(t, bench_rht_lookup, bench_rht_insert,
				bench_rht_remove);
}

static int bench_rht_fill_insert(void *map, const void *key,
				 const void *value)
{
	return bench_key_size == 8 ? bench_rht_insert8(map, key, value) :
			       bench_rht_insert(map, key, value);
}

/* Wait until the table has grown to its size: resizing runs in a work. */
static void bench_rht_settle(void *map)
{
	struct bench_rht *r = map;

	while (flush_work(&r->ht.run_work))
		;
}

static size_t bench_rht_bytes(void *map, u32 nr)
{
	struct bench_rht *r = map;
	const struct bucket_table *tbl;
	size_t size, bytes;

	/*
	 * The bucket table as rhashtable allocates it (kvzalloc() of the
	 * header and the bucket pointers), then one object per entry.
	 */
	rcu_read_lock();
	tbl = rcu_dereference(r->ht.tbl);
	size = struct_size(tbl, buckets, tbl->size);
	bytes = bench_kv_bytes(tbl, size);
	rcu_read_unlock();
	return bytes + kmalloc_size_roundup(sizeof(*r)) +
	       (size_t)atomic_read(&r->ht.nelems) *
	       kmalloc_size_roundup(bench_rht_obj_size());
}

/*
 * Resize benchmark, thread 0: rhashtable cannot be told to resize, so
 * insert 3N keys no reader looks up and delete them again, and let its
 * worker grow and shrink the table (see run_hash.c).
 */
static void bench_rht_churner(struct bench_thread *t)
{
	struct bench_run *run = t->run;
	u32 n = run->entries, i, done;

	do {
		for (done = 0, i = n; i < 4 * n; i++, done++) {
			bench_make_key(t->key, i);
			if (bench_rht_fill_insert(run->map, t->key, t->value)) {
				t->errors++;
				break;
			}
			if (!(i % 64))
				cond_resched();
		}
		/* Always delete them all: the table goes back to N keys. */
		for (i = n; i < n + done; i++) {
			bench_make_key(t->key, i);
			if (bench_key_size == 8 ?
			    bench_rht_remove8(run->map, t->key) :
			    bench_rht_remove(run->map, t->key))
				t->errors++;
			if (!(i % 64))
				cond_resched();
		}
		t->ops++;
	} while (ktime_get_ns() < run->deadline_ns && !t->errors);
}

const struct bench_ops bench_rht_ops = {
	.name = "rhashtable",
	.create = bench_rht_create,
	.destroy = bench_rht_destroy,
	.work = bench_rht_work,
	.insert = bench_rht_fill_insert,
	.bytes = bench_rht_bytes,
	.settle = bench_rht_settle,
	.resize = bench_rht_churner,
	.resize_what = "insert/delete cycles",
	.create_resizing = bench_rht_create_shrinking,
};

/* ---- Counters: rhashtable objects with an atomic64_t ------------------ */

/*
 * rhashtable_lookup() under the RCU read lock, then atomic64_inc() of the
 * counter embedded in the object (one cache line per object), the usual
 * rhashtable pattern.
 */
struct bench_rht_ctr {
	struct rhash_head node;
	u64 key;
	atomic64_t count;
} ____cacheline_aligned_in_smp;

static const struct rhashtable_params bench_rht_ctr_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct bench_rht_ctr, key),
	.head_offset = offsetof(struct bench_rht_ctr, node),
};

static void bench_rht_ctr_destroy(void *map)
{
	struct rhashtable *ht = map;

	/* No thread runs: no reader can hold an object any more. */
	rhashtable_free_and_destroy(ht, bench_rht_free_obj, NULL);
	kfree(ht);
}

static void *bench_rht_ctr_create(u32 nr)
{
	struct rhashtable *ht = kzalloc(sizeof(*ht), GFP_KERNEL);
	u64 key;
	int err;

	if (!ht)
		return ERR_PTR(-ENOMEM);
	err = rhashtable_init(ht, &bench_rht_ctr_params);
	if (err) {
		kfree(ht);
		return ERR_PTR(err);
	}
	for (key = 0; key < nr && !err; key++) {
		struct bench_rht_ctr *obj = kzalloc(sizeof(*obj), GFP_KERNEL);

		if (!obj) {
			err = -ENOMEM;
			break;
		}
		obj->key = key;
		err = rhashtable_lookup_insert_fast(ht, &obj->node,
						    bench_rht_ctr_params);
		if (err)
			kfree(obj);
	}
	if (err) {
		bench_rht_ctr_destroy(ht);
		return ERR_PTR(err);
	}
	return ht;
}

static u64 bench_rht_ctr_sum(void *map, u32 nr)
{
	struct bench_rht_ctr *obj;
	u64 key, sum = 0;

	rcu_read_lock();
	for (key = 0; key < nr; key++) {
		obj = rhashtable_lookup(map, &key, bench_rht_ctr_params);
		if (obj)
			sum += atomic64_read(&obj->count);
	}
	rcu_read_unlock();
	return sum;
}

static __always_inline bool bench_rht_ctr_inc(void *map, u64 key)
{
	struct bench_rht_ctr *obj;

	rcu_read_lock();
	obj = rhashtable_lookup(map, &key, bench_rht_ctr_params);
	if (obj)
		atomic64_inc(&obj->count);
	rcu_read_unlock();
	return obj;
}

static void bench_rht_ctr_work(struct bench_thread *t)
{
	bench_counter_loop(t, bench_rht_ctr_inc);
}

const struct bench_ops bench_rht_atomic_ops = {
	.name = "rht-atomic",
	.create = bench_rht_ctr_create,
	.destroy = bench_rht_ctr_destroy,
	.work = bench_rht_ctr_work,
	.sum = bench_rht_ctr_sum,
};
