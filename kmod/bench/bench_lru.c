// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_lru_hash under test (map=hash, impl=lru): lookups, which mark the
 * key used on this CPU ("lru", "lookup"), and inserts of new keys into a
 * full table, each of which evicts one ("lru", "insert-evict").  It takes
 * its own locks; lookups run under the RCU read lock.
 */
#include "bench.h"

static void *bench_lru_create(u32 nr)
{
	struct rcumap_lru_hash_params params = {
		.hash = {
			.key_size = bench_key_size,
			.value_size = bench_value_size,
			.max_entries = nr,
		},
	};

	return rcumap_lru_hash_create(&params, GFP_KERNEL);
}

static void bench_lru_destroy(void *map)
{
	rcumap_lru_hash_destroy(map);
}

static __always_inline bool bench_lru_lookup(void *map, const void *key,
					     void *value)
{
	const void *v;

	rcu_read_lock();
	v = rcumap_lru_hash_lookup(map, key);
	if (v)
		memcpy(value, v, bench_value_size);
	rcu_read_unlock();
	return v;
}

static int bench_lru_insert(void *map, const void *key, const void *value)
{
	return rcumap_lru_hash_update(map, key, value, RCUMAP_NOEXIST,
				      GFP_KERNEL);
}

static int bench_lru_remove(void *map, const void *key)
{
	return rcumap_lru_hash_delete(map, key);
}

/* The loop of the "hash" tables, with lookups only (read_thresh 2^32). */
static void bench_lru_lookup_work(struct bench_thread *t)
{
	bench_hash_loop(t, bench_lru_lookup, bench_lru_insert,
			bench_lru_remove);
}

static void bench_lru_evict_work(struct bench_thread *t)
{
	struct bench_run *run = t->run;
	u32 n = run->nr_threads, k = run->key_base + t->index;
	u64 ops = 0;
	u32 i;

	do {
		for (i = 0; i < BENCH_BATCH; i++, k += n) {
			int err;

			bench_make_key(t->key, k);
			err = rcumap_lru_hash_update(run->map, t->key, t->value,
						     RCUMAP_NOEXIST, GFP_KERNEL);
			/* -E2BIG: the others took the room; see run_hash.c. */
			if (!err)
				t->hits++;
			else if (err != -E2BIG)
				t->errors++;
		}
		ops += BENCH_BATCH;
		cond_resched();
	} while (ktime_get_ns() < run->deadline_ns);
	t->ops = ops;
}

/* What the eviction did, for the log. */
static void bench_lru_report(void *map, u32 nr)
{
	struct rcumap_lru_hash_stats stats;

	rcumap_lru_hash_get_stats(map, &stats);
	pr_info("lru: %u keys: %llu evictions, %llu forced, %llu second chances, %u keys left\n",
		nr, stats.evictions, stats.forced, stats.second_chances,
		rcumap_lru_hash_count(map));
}

const struct bench_ops bench_lru_ops = {
	.name = "lru",
	.create = bench_lru_create,
	.destroy = bench_lru_destroy,
	.work = bench_lru_lookup_work,
	.insert = bench_lru_insert,
};

const struct bench_ops bench_lru_evict_ops = {
	.name = "lru",
	.create = bench_lru_create,
	.destroy = bench_lru_destroy,
	.work = bench_lru_evict_work,
	.insert = bench_lru_insert,
	.report = bench_lru_report,
};
