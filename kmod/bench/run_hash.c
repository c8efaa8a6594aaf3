// SPDX-License-Identifier: GPL-2.0
/*
 * The hash table scenarios of rcumap_bench.ko: every mix of lookups and
 * updates at every size and thread count, and the memory each table takes
 * (map=hash, mem); lookups while the table resizes (map=resize); and the
 * hash variants (map=hash, impl=counter and lru).
 */
#include "bench.h"

/* Hash tables, in the order they are measured and reported. */
static const struct bench_ops *const bench_hash_tables[] = {
	&bench_rcumap_ops,
	&bench_rcumap_bulk_ops,
	&bench_rht_ops,
	&bench_spinlock_ops,
	&bench_rwlock_ops,
	&bench_bucketlock_ops,
	&bench_floor_ops,
};

#define BENCH_NR_HASH	ARRAY_SIZE(bench_hash_tables)

/* ---- Hash: driving it ------------------------------------------------- */

static const char *bench_mix_name(u32 pct, char *buf, size_t len)
{
	if (pct >= 100)
		return "lookup";
	snprintf(buf, len, "%u-%u", pct, 100 - pct);
	return buf;
}

/*
 * Measure every table in @maps with one mix (@pct percent lookups) and
 * @n threads, one table after the other.
 */
static int bench_hash_point(void **maps, struct bench_run *run,
			    struct bench_thread *t, u32 pct, u32 n, u32 round,
			    u64 *errors)
{
	const char *mix_name;
	char buf[16];
	int i, err;

	mix_name = bench_mix_name(pct, buf, sizeof(buf));
	run->read_thresh = div_u64((u64)min(pct, 100U) << 32, 100);
	for (i = 0; i < BENCH_NR_HASH; i++) {
		const struct bench_ops *hi = bench_hash_tables[i];

		if (!maps[i] || (hi->single && n > 1))
			continue;
		bench_threads_init(run, t, n);
		run->map = maps[i];
		run->work = hi->work;
		err = bench_run_threads(run);
		if (err)
			return err;
		*errors += bench_report(run, "hash", mix_name, hi->name, round,
					pct >= 100);
	}
	return 0;
}

/* Fill every table of @nr keys, print its memory, run every mix on it. */
int bench_hash_size(u32 nr, bool timed, struct bench_thread *t)
{
	void *maps[BENCH_NR_HASH] = {};
	struct bench_run run = {};
	u64 errors = 0;
	int i, mix, tc, err = 0;
	u32 round;

	for (i = 0; i < BENCH_NR_HASH; i++) {
		const struct bench_ops *hi = bench_hash_tables[i];
		u64 start = ktime_get_ns();

		if (!bench_listed(bench_impls, hi->name))
			continue;
		maps[i] = bench_hash_fill(hi, hi->create, nr);
		if (IS_ERR(maps[i])) {
			err = PTR_ERR(maps[i]);
			maps[i] = NULL;
			goto out_destroy;
		}
		pr_info("RCUMAP_MEM,hash,%s,%u,%zu\n", hi->name, nr,
			hi->bytes(maps[i], nr));
		pr_info("filled %s with %u keys in %llu ms\n", hi->name, nr,
			div_u64(ktime_get_ns() - start, NSEC_PER_MSEC));
	}
	if (!timed)
		goto out_destroy;

	run.entries = nr;
	/* Rounds outermost: a burst of load on the host hits one round. */
	for (round = 0; round < bench_rounds && !err; round++) {
		for (mix = 0; mix < bench_nr_read_pct && !err; mix++) {
			for (tc = 0; tc < bench_nr_thread_counts() && !err;
			     tc++)
				err = bench_hash_point(maps, &run, t,
						       bench_read_pct[mix],
						       bench_thread_count(tc),
						       round, &errors);
		}
	}
out_destroy:
	for (i = 0; i < BENCH_NR_HASH; i++) {
		if (maps[i])
			bench_hash_tables[i]->destroy(maps[i]);
	}
	/* Let the freed tables go before the next size is filled. */
	rcu_barrier();
	if (!err && errors)
		err = -EIO;
	return err;
}

/* ---- Hash: lookups while the table resizes ---------------------------- */

/*
 * Thread 0 resizes the table (or, for the baseline, sleeps to the
 * deadline); threads 1 to N-1 look up present keys.  Only the lookups
 * are reported, so both measurements have the same readers on the same
 * CPUs.
 *
 * rcumap: rcumap_hash_resize() back and forth between N/4 and 4N
 * buckets, without a pause: each call is four x2 or /2 steps, each
 * moving every entry.  rhashtable cannot be told to resize: its own
 * worker (on system_wq) grows it above 75% load and, with
 * automatic_shrinking, shrinks it below 30%.  So thread 0 inserts 3N
 * keys that no reader looks up and deletes them again, without a pause;
 * the table goes from 2N to 8N buckets and back each time (nelem_hint N
 * makes it 2N to start with).  Its readers also pay for that churn
 * (longer chains until the worker catches up, the shared count), which
 * rcumap's readers do not: the two "with resize" numbers are each
 * table's lookups under continuous resizing, driven the only way each
 * can be, not the same work.
 */
static void bench_idle(struct bench_thread *t)
{
	while (ktime_get_ns() < t->run->deadline_ns)
		usleep_range(1000, 2000);
}

static void bench_resize_work(struct bench_thread *t)
{
	struct bench_run *run = t->run;

	if (t->index)
		run->lookups(t);
	else
		run->side(t);
}

/*
 * For each round and each table: fill @nr keys, measure lookups with
 * thread 0 idle ("lookup-still"), then with thread 0 resizing
 * ("lookup-resize"), then (rcumap) the cost of a resize.
 */
int bench_resize_size(u32 nr, struct bench_thread *t)
{
	u32 n = num_online_cpus(), round;
	struct bench_run run = {}, view;
	u64 errors = 0;
	int i, mode, err = 0;

	if (n < 2) {
		pr_info("resize benchmark: needs 2 CPUs\n");
		return 0;
	}
	run.entries = nr;
	run.ms = bench_resize_ms;
	run.read_thresh = 1ULL << 32;
	run.work = bench_resize_work;
	for (round = 0; round < bench_rounds && !err; round++) {
		for (i = 0; i < BENCH_NR_HASH && !err; i++) {
			const struct bench_ops *hi = bench_hash_tables[i];
			void *map;

			if (!hi->resize || !bench_listed(bench_impls, hi->name))
				continue;
			map = bench_hash_fill(hi, hi->create_resizing ?:
					      hi->create, nr);
			if (IS_ERR(map)) {
				err = PTR_ERR(map);
				break;
			}
			run.map = map;
			run.lookups = hi->work;
			for (mode = 0; mode < 2 && !err; mode++) {
				bench_threads_init(&run, t, n);
				run.side = mode ? hi->resize : bench_idle;
				err = bench_run_threads(&run);
				if (err)
					break;
				/* Report the readers only: threads 1 to n-1. */
				view = run;
				view.t = run.t + 1;
				view.nr_threads = n - 1;
				errors += bench_report(&view, "hash",
						       mode ? "lookup-resize" :
						       "lookup-still", hi->name,
						       round, true);
				errors += t[0].errors;
				if (mode)
					pr_info("resize: %s, %u keys, round %u: thread 0 did %llu %s in %u ms, %llu errors\n",
						hi->name, nr, round, t[0].ops,
						hi->resize_what,
						bench_resize_ms, t[0].errors);
			}
			if (!err && hi->settle)
				hi->settle(map);
			if (!err && hi->resize_cost)
				err = hi->resize_cost(map, nr, round);
			hi->destroy(map);
			rcu_barrier();
		}
	}
	if (!err && errors)
		err = -EIO;
	return err;
}

/* ---- Hash variants: per-CPU counters ---------------------------------- */

/*
 * Every thread increments the counter of a random key of a small hot set
 * (counter_keys keys, 8 bytes each, whatever key_size says), each key
 * shared by all CPUs:
 *
 * "percpu" (rcumap_percpu_hash, this_cpu_inc()), "atomic" (rcumap_hash,
 * an atomic64_t the value points to) and "rht-atomic" (rhashtable, an
 * atomic64_t in the object); see their files.
 *
 * No key is added or removed while the threads run; after each
 * measurement the counters must sum to the increments the threads made.
 */
static const struct bench_ops *const bench_counter_tables[] = {
	&bench_percpu_ops,
	&bench_atomic_ops,
	&bench_rht_atomic_ops,
};

#define BENCH_NR_COUNTER	ARRAY_SIZE(bench_counter_tables)

/*
 * Make every counter table, then, in each round and at each thread
 * count, measure them one after the other ("counter", "inc").
 */
int bench_counter_run(u32 nr, struct bench_thread *t)
{
	void *maps[BENCH_NR_COUNTER] = {};
	struct bench_run run = {};
	u64 errors = 0, expect[BENCH_NR_COUNTER] = {};
	int i, tc, err = 0;
	u32 round, j;

	for (i = 0; i < BENCH_NR_COUNTER; i++) {
		maps[i] = bench_counter_tables[i]->create(nr);
		if (IS_ERR(maps[i])) {
			err = PTR_ERR(maps[i]);
			maps[i] = NULL;
			pr_err("counter %s: %d\n", bench_counter_tables[i]->name,
			       err);
			goto out_destroy;
		}
	}
	run.entries = nr;
	for (round = 0; round < bench_rounds && !err; round++) {
		for (tc = 0; tc < bench_nr_thread_counts() && !err; tc++) {
			for (i = 0; i < BENCH_NR_COUNTER; i++) {
				bench_threads_init(&run, t,
						   bench_thread_count(tc));
				run.map = maps[i];
				run.work = bench_counter_tables[i]->work;
				err = bench_run_threads(&run);
				if (err)
					break;
				errors += bench_report(&run, "counter", "inc",
						       bench_counter_tables[i]->name,
						       round, true);
				for (j = 0; j < run.nr_threads; j++)
					expect[i] += t[j].hits;
			}
		}
	}
	/* Every increment made must be in the counters. */
	for (i = 0; i < BENCH_NR_COUNTER && !err; i++) {
		u64 sum = bench_counter_tables[i]->sum(maps[i], nr);

		if (sum != expect[i]) {
			pr_err("counter %s: counters sum to %llu, %llu increments made\n",
			       bench_counter_tables[i]->name, sum, expect[i]);
			errors++;
		}
	}
out_destroy:
	for (i = 0; i < BENCH_NR_COUNTER; i++) {
		if (maps[i])
			bench_counter_tables[i]->destroy(maps[i]);
	}
	rcu_barrier();
	if (!err && errors)
		err = -EIO;
	return err;
}

/* ---- Hash variants: LRU ----------------------------------------------- */

/*
 * Lookups ("lru", "lookup"): random keys of a full table of N keys, by
 * rcumap_lru_hash_lookup() ("lru"), which marks the key used on this CPU,
 * and by rcumap_hash_lookup() on an rcumap_hash of the same shape
 * ("rcumap"); both run bench_hash_loop() with lookups only and copy the
 * value out under the RCU read lock, as the "hash" lookups do.  The ratio
 * is the cost of the recency tags.
 *
 * Inserts with eviction ("lru", "insert-evict", "lru"): every thread
 * inserts keys never inserted before (from @run->key_base up, disjoint per
 * thread) with rcumap_lru_hash_update() into a second LRU table of N keys,
 * kept full, so that each insert evicts a key.
 * With more inserters between their insert and their eviction than the
 * LRU's slack, an insert may fail with -E2BIG, as documented, if the other
 * inserters take the room of each of its evictions; such inserts count as
 * operations, not as errors, and are printed apart.
 */

int bench_lru_run(u32 nr, struct bench_thread *t)
{
	const struct bench_ops *hi = &bench_rcumap_ops;
	const struct bench_ops *lo = &bench_lru_ops;
	const struct bench_ops *eo = &bench_lru_evict_ops;
	struct bench_run run = {};
	void *lru, *evict, *plain;
	u64 errors = 0, most, full;
	int tc, err = 0;
	u32 round, j;

	lru = bench_hash_fill(lo, lo->create, nr);
	if (IS_ERR(lru))
		return PTR_ERR(lru);
	evict = bench_hash_fill(eo, eo->create, nr);
	if (IS_ERR(evict)) {
		err = PTR_ERR(evict);
		goto out_destroy_lru;
	}
	plain = bench_hash_fill(hi, hi->create, nr);
	if (IS_ERR(plain)) {
		err = PTR_ERR(plain);
		goto out_destroy_evict;
	}
	run.entries = nr;
	run.key_base = nr;
	/* Both lookup loops: lookups only. */
	run.read_thresh = 1ULL << 32;
	for (round = 0; round < bench_rounds && !err; round++) {
		for (tc = 0; tc < bench_nr_thread_counts() && !err; tc++) {
			u32 n = bench_thread_count(tc);

			bench_threads_init(&run, t, n);
			run.map = lru;
			run.work = lo->work;
			err = bench_run_threads(&run);
			if (err)
				break;
			errors += bench_report(&run, "lru", "lookup", lo->name,
					       round, true);

			bench_threads_init(&run, t, n);
			run.map = plain;
			run.work = hi->work;
			err = bench_run_threads(&run);
			if (err)
				break;
			errors += bench_report(&run, "lru", "lookup", hi->name,
					       round, true);

			/* A table of its own: the lookups' keys stay. */
			bench_threads_init(&run, t, n);
			run.map = evict;
			run.work = eo->work;
			err = bench_run_threads(&run);
			if (err)
				break;
			errors += bench_report(&run, "lru", "insert-evict",
					       eo->name, round, false);
			for (j = 0, full = 0; j < n; j++)
				full += t[j].ops - t[j].hits - t[j].errors;
			if (full)
				pr_info("lru insert-evict, %u thr, round %u: %llu inserts gave up with -E2BIG\n",
					n, round, full);
			/* Thread j inserted key_base + j + i * n, i < ops. */
			for (j = 0, most = 0; j < n; j++)
				most = max(most, t[j].ops);
			run.key_base += (u32)most * n;
		}
	}
	eo->report(evict, nr);
	hi->destroy(plain);
out_destroy_evict:
	eo->destroy(evict);
out_destroy_lru:
	lo->destroy(lru);
	rcu_barrier();
	if (!err && errors)
		err = -EIO;
	return err;
}
