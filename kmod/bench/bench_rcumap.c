// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_hash under test: as a hash table (impl "rcumap": map=hash, mem,
 * resize, and the plain lookups of map=lru), and as the table of an
 * atomic64_t counter per key (impl "atomic", map=counter).  It takes its
 * own locks; lookups run under the RCU read lock.
 */
#include "bench.h"

/* ---- The hash table --------------------------------------------------- */

static void *bench_rcumap_create(u32 nr)
{
	struct rcumap_hash_params params = {
		.key_size = bench_key_size,
		.value_size = bench_value_size,
		.max_entries = nr,
	};

	return rcumap_hash_create(&params, GFP_KERNEL);
}

static void bench_rcumap_destroy(void *map)
{
	rcumap_hash_destroy(map);
}

static __always_inline bool bench_rcumap_lookup(void *map, const void *key,
						void *value)
{
	const void *v;

	rcu_read_lock();
	v = rcumap_hash_lookup(map, key);
	if (v)
		memcpy(value, v, bench_value_size);
	rcu_read_unlock();
	return v;
}

static int bench_rcumap_insert(void *map, const void *key, const void *value)
{
	return rcumap_hash_update(map, key, value, RCUMAP_NOEXIST, GFP_KERNEL);
}

static int bench_rcumap_remove(void *map, const void *key)
{
	return rcumap_hash_delete(map, key);
}

static size_t bench_rcumap_bytes(void *map, u32 nr)
{
	return rcumap_hash_bytes_used(map);
}

static void bench_rcumap_work(struct bench_thread *t)
{
	bench_hash_loop(t, bench_rcumap_lookup, bench_rcumap_insert,
			bench_rcumap_remove);
}

/* Resize benchmark, thread 0: back and forth between N/4 and 4N buckets. */
static void bench_rcumap_resizer(struct bench_thread *t)
{
	struct bench_run *run = t->run;
	u32 lo = max(run->entries / 4, 1U);
	u32 hi = min_t(u32, run->entries * 4, RCUMAP_HASH_MAX_BUCKETS);
	bool up = true;

	do {
		if (rcumap_hash_resize(run->map, up ? hi : lo))
			t->errors++;
		else
			t->ops++;
		up = !up;
	} while (ktime_get_ns() < run->deadline_ns);
}

/*
 * What a resize costs rcumap: from N to 2N buckets and back, four times,
 * with nothing else running; every step moves all N entries, and its
 * time includes the synchronize_rcu() before the old array is freed.
 */
static int bench_rcumap_resize_cost(void *map, u32 nr, u32 round)
{
	u64 start, ns, moved = 8ULL * nr;
	int i, err;

	err = rcumap_hash_resize(map, nr);
	start = ktime_get_ns();
	for (i = 0; i < 4 && !err; i++) {
		err = rcumap_hash_resize(map, 2 * nr);
		if (!err)
			err = rcumap_hash_resize(map, nr);
	}
	ns = ktime_get_ns() - start;
	if (err) {
		pr_err("resize cost: %d\n", err);
		return err;
	}
	pr_info("RCUMAP_BENCH,hash,resize-cost,rcumap,%u,1,%u,%llu,%llu,%llu,0\n",
		nr, round, moved, ns, div64_u64(moved * NSEC_PER_SEC, ns ?: 1));
	return 0;
}

const struct bench_ops bench_rcumap_ops = {
	.name = "rcumap",
	.create = bench_rcumap_create,
	.destroy = bench_rcumap_destroy,
	.work = bench_rcumap_work,
	.insert = bench_rcumap_insert,
	.bytes = bench_rcumap_bytes,
	.resize = bench_rcumap_resizer,
	.resize_what = "resizes",
	.resize_cost = bench_rcumap_resize_cost,
};

/* ---- The same table, looked up in bulk -------------------------------- */

/* Keys a bulk lookup takes at once: rcumap_hash_lookup_bulk()'s group. */
#define BENCH_BULK	16

/*
 * bench_hash_loop() with the lookups gathered: BENCH_BULK random keys,
 * then one rcumap_hash_lookup_bulk() of them and a copy of each value
 * found, in one RCU read-side section.  An operation is still one key
 * looked up (or one update), so the throughput compares with "rcumap".
 */
static void bench_rcumap_bulk_work(struct bench_thread *t)
{
	struct bench_run *run = t->run;
	u32 ks = bench_key_size, nk = 0, i, j;
	void *values[BENCH_BULK];
	u64 ops = 0;
	u8 *keys;

	/* Zeroed: bench_make_key() writes a key's first 8 bytes only. */
	keys = kcalloc(BENCH_BULK, ks, GFP_KERNEL);
	if (!keys) {
		t->errors++;
		return;
	}
	do {
		for (i = 0; i < BENCH_BATCH; i++) {
			u64 r = bench_rand(&t->rng);

			if ((u32)r < run->read_thresh) {
				bench_make_key(keys + nk * ks,
					       bench_below(r >> 32, run->entries));
				if (++nk < BENCH_BULK)
					continue;
				rcu_read_lock();
				t->hits += rcumap_hash_lookup_bulk(run->map, keys,
								   nk, values);
				for (j = 0; j < nk; j++)
					if (values[j])
						memcpy(t->value, values[j],
						       bench_value_size);
				rcu_read_unlock();
				nk = 0;
				continue;
			}
			bench_hash_write(t, r, bench_rcumap_insert,
					 bench_rcumap_remove);
		}
		ops += BENCH_BATCH;
		cond_resched();
	} while (ktime_get_ns() < run->deadline_ns);
	/* Keys gathered but not looked up were not done. */
	t->ops = ops - nk;
	kfree(keys);

	bench_hash_put_back(t, bench_rcumap_insert);
}

const struct bench_ops bench_rcumap_bulk_ops = {
	.name = "rcumap-bulk",
	.create = bench_rcumap_create,
	.destroy = bench_rcumap_destroy,
	.work = bench_rcumap_bulk_work,
	.insert = bench_rcumap_insert,
	.bytes = bench_rcumap_bytes,
};

/* ---- Counters: rcumap_hash + atomic64_t ------------------------------- */

/*
 * rcumap_hash_lookup() under the RCU read lock, then atomic64_inc() of
 * the key's counter.  rcumap_hash values must not be written, so the value
 * is a pointer to the counter, which has a cache line of its own; all CPUs
 * write that line.
 */
struct bench_counter {
	atomic64_t count;
} ____cacheline_aligned_in_smp;

/* rcumap_hash + atomic64_t: the table and the counters its values name. */
struct bench_atomic {
	struct rcumap_hash *h;
	struct bench_counter *c;
	u32 nr;
};

static void bench_atomic_destroy(void *map)
{
	struct bench_atomic *a = map;

	/* No thread runs: nothing can reach a counter any more. */
	rcumap_hash_destroy(a->h);
	kfree(a->c);
	kfree(a);
}

static void *bench_atomic_create(u32 nr)
{
	struct rcumap_hash_params params = {
		.key_size = sizeof(u64),
		.value_size = sizeof(struct bench_counter *),
		.max_entries = nr,
	};
	struct bench_atomic *a = kzalloc(sizeof(*a), GFP_KERNEL);
	u64 key;
	int err = 0;

	if (!a)
		return ERR_PTR(-ENOMEM);
	a->nr = nr;
	a->c = kcalloc(nr, sizeof(*a->c), GFP_KERNEL);
	a->h = rcumap_hash_create(&params, GFP_KERNEL);
	if (IS_ERR(a->h)) {
		err = PTR_ERR(a->h);
		a->h = NULL;
	} else if (!a->c) {
		err = -ENOMEM;
	}
	for (key = 0; key < nr && !err; key++) {
		struct bench_counter *c = &a->c[key];

		err = rcumap_hash_update(a->h, &key, &c, RCUMAP_NOEXIST,
					 GFP_KERNEL);
	}
	if (!err)
		return a;
	if (a->h)
		rcumap_hash_destroy(a->h);
	kfree(a->c);
	kfree(a);
	return ERR_PTR(err);
}

static u64 bench_atomic_sum(void *map, u32 nr)
{
	struct bench_atomic *a = map;
	u64 sum = 0;
	u32 i;

	for (i = 0; i < a->nr; i++)
		sum += atomic64_read(&a->c[i].count);
	return sum;
}

static __always_inline bool bench_atomic_inc(void *map, u64 key)
{
	struct bench_atomic *a = map;
	struct bench_counter *c;
	const void *v;

	rcu_read_lock();
	v = rcumap_hash_lookup(a->h, &key);
	if (v) {
		memcpy(&c, v, sizeof(c));
		atomic64_inc(&c->count);
	}
	rcu_read_unlock();
	return v;
}

static void bench_atomic_work(struct bench_thread *t)
{
	bench_counter_loop(t, bench_atomic_inc);
}

const struct bench_ops bench_atomic_ops = {
	.name = "atomic",
	.create = bench_atomic_create,
	.destroy = bench_atomic_destroy,
	.work = bench_atomic_work,
	.sum = bench_atomic_sum,
};
