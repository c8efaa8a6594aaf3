// SPDX-License-Identifier: GPL-2.0
/*
 * The rcumap-only scenarios of rcumap_bench.ko, map=worst: the process
 * table's costs after churn, and the latency of single hash table
 * operations in a table of the worst geometry beside the default one.
 */
#include "bench.h"

/*
 * The cost of rcumap_ptab after churn with random frees, one thread: ids
 * used per insert, and a whole walk in id order per object returned (in
 * ns, and in loads of group counters, bitmap words and slots where the
 * KUnit hook that counts them is built in; -1 otherwise), once right
 * after the table was filled (every live id of one generation: the
 * typical walk) and once after the churn.  Reported, not judged;
 * kunit/ptab_kunit.c asserts the targets.  Part of map=worst.
 */
#define BENCH_PTAB_COST_CHURN	8	/* warm-up: this many x capacity */

struct bench_cost_obj {
	struct rcumap_ptab_node node;
};

/* Replace @times random objects: remove one, insert it again. */
static int bench_ptab_churn(struct rcumap_ptab *pt, struct bench_cost_obj *objs,
			    u64 *ids, u32 n, u64 times, u64 *rng)
{
	u64 i;

	for (i = 0; i < times; i++) {
		u32 j = bench_rand(rng) % n;

		/* No reader anywhere: the node may go back in at once. */
		if (rcumap_ptab_remove(pt, ids[j]) != &objs[j].node ||
		    rcumap_ptab_insert(pt, &objs[j].node, &ids[j]))
			return -EIO;
		if (!(i % 4096))
			cond_resched();
	}
	return 0;
}

/*
 * Walk all of @pt in id order, as a caller would, one rcumap_ptab_next()
 * per object; set *@ns_per_obj and *@loads_x100 (loads per object x 100,
 * or -1 without the KUnit hook).  Return: the objects walked.
 */
static u32 bench_ptab_walk(struct rcumap_ptab *pt, u64 *ns_per_obj,
			   s64 *loads_x100)
{
	struct rcumap_ptab_node *node;
	u32 walked = 0;
	u64 id, ns;

	ns = ktime_get_ns();
	for (id = 0;; id++) {
		rcu_read_lock();
		node = rcumap_ptab_next(pt, &id);
		rcu_read_unlock();
		if (!node)
			break;
		walked++;
	}
	ns = ktime_get_ns() - ns;
	*ns_per_obj = div_u64(ns, max(walked, 1U));
	*loads_x100 = -1;
#if IS_ENABLED(CONFIG_KUNIT)
	{
		u64 loads = 0;

		rcu_read_lock();
		for (id = 0;
		     rcumap_ptab_kunit_next_below(pt, &id, U64_MAX, &loads);
		     id++)
			;
		rcu_read_unlock();
		*loads_x100 = div_u64(loads * 100, max(walked, 1U));
	}
#endif
	return walked;
}

int bench_ptab_cost(u32 capacity, u32 pct)
{
	u32 n = (u32)div_u64((u64)capacity * pct, 100), i;
	s64 loads_x100, fresh_loads_x100;
	struct bench_cost_obj *objs;
	struct rcumap_ptab *pt;
	u64 rng = 0x9e3779b97f4a7c15ULL, *ids, before, used, ns, fresh_ns;
	int err = -ENOMEM;

	pt = rcumap_ptab_create(capacity, GFP_KERNEL);
	if (IS_ERR(pt))
		return PTR_ERR(pt);
	objs = kvcalloc(n, sizeof(*objs), GFP_KERNEL);
	ids = kvcalloc(n, sizeof(*ids), GFP_KERNEL);
	if (!objs || !ids)
		goto out_free;
	memset(ids, 0xff, n * sizeof(*ids));	/* U64_MAX: not inserted */
	for (i = 0; i < n; i++) {
		err = rcumap_ptab_insert(pt, &objs[i].node, &ids[i]);
		if (err)
			goto out_drain;
	}
	if (bench_ptab_walk(pt, &fresh_ns, &fresh_loads_x100) != n) {
		err = -EIO;
		goto out_drain;
	}
	err = bench_ptab_churn(pt, objs, ids, n,
			       (u64)BENCH_PTAB_COST_CHURN * capacity, &rng);
	if (err)
		goto out_drain;
	before = rcumap_ptab_id_end(pt);
	err = bench_ptab_churn(pt, objs, ids, n, capacity, &rng);
	if (err)
		goto out_drain;
	used = rcumap_ptab_id_end(pt) - before;

	if (bench_ptab_walk(pt, &ns, &loads_x100) != n)
		err = -EIO;
	pr_info("RCUMAP_PTAB_COST,%u,%u,%llu,%llu,%lld,%llu,%lld\n", capacity,
		pct, div_u64(used * 100, capacity), ns, loads_x100, fresh_ns,
		fresh_loads_x100);
out_drain:
	for (i = 0; i < n; i++) {
		if (ids[i] != U64_MAX && !rcumap_ptab_remove(pt, ids[i]))
			err = -EIO;
	}
out_free:
	kvfree(ids);
	kvfree(objs);
	rcumap_ptab_destroy(pt);
	return err;
}

/* ---- Worst case: the bucket bound at work ----------------------------- */

/*
 * map=worst: the latency of single operations in a table of the worst
 * geometry a caller can create, beside the same operations in a table of
 * the default geometry, interleaved in one run: one thread on one CPU,
 * the others idle.  8-byte keys; the value size is worst_value_size.
 *
 * Typical: max_entries N (worst_entries), one bucket per entry (the
 * default), filled with N random keys.  Worst: the fewest buckets the
 * bound allows, rcumap_hash_buckets_for(N) = N / 64, filled by inserting
 * random keys and skipping those refused with -ENOSPC until it holds N:
 * then every bucket holds %RCUMAP_HASH_BUCKET_MAX keys and every operation
 * meets a bucket at the bound.  Any caller that may insert can do that;
 * it needs no test hook.
 *
 * The LRU tables: typical, max_entries N with the default geometry and
 * tags; worst, max_entries N - 1 in the same N / 64 buckets, so that the
 * one free place is the one the last eviction left, and a caller finds it
 * by trying keys until one is not refused with -ENOSPC (only the insert
 * that goes in is timed).  Two tables of each: "lru", whose keys are
 * never looked up (the hand evicts the first key it meets), and
 * "lru-used", with 16 N tags per CPU and every key looked up again before
 * the hand comes round (the new key at once, all of them every
 * N / 130 inserts), so that every eviction first passes
 * %RCUMAP_LRU_SCAN_LIMIT used keys, clearing their tags: the most work
 * one eviction does.
 *
 * Each operation is timed alone, ktime_get_ns() before and after.  Two
 * controls show what the measurement adds: "clock" times nothing, the
 * cost of the clock included in every sample, and "delay" times
 * udelay(worst_delay_us), a busy wait of a fixed length with no variance
 * of its own, so that its tail is what interrupts and the host (which
 * may deschedule the vCPU's thread) add to an operation of that length.
 * A sample is flagged if the thread was switched out during it (its
 * context switch counts moved: preempted by a worker, or asleep in an
 * allocation), and if its CPU took an interrupt or ran softirqs (the
 * CPU's counts moved; the thread is bound to it); each cell also reports
 * the p99, p99.9 and maximum of its quiet samples, those with neither.
 * What is left in a quiet sample is the operation and whatever the host
 * took from the vCPU meanwhile, which the guest cannot see.
 *
 * The operations run in passes: in each, a chunk of BENCH_WORST_CHUNK
 * samples of every operation, in the typical and then in the worst table,
 * until worst_samples samples or worst_ms have gone by; both geometries of
 * an operation have the same number of samples.
 */
/* Present and new keys have bit 63 clear, keys that must miss have it set. */
#define BENCH_WORST_ABSENT	BIT_ULL(63)

enum bench_worst_op {
	BENCH_WORST_CLOCK,
	BENCH_WORST_DELAY,
	BENCH_WORST_HIT,
	BENCH_WORST_MISS,
	BENCH_WORST_REPLACE,
	BENCH_WORST_DELETE,
	BENCH_WORST_INSERT,	/* sampled with BENCH_WORST_DELETE */
	BENCH_WORST_LRU,
	BENCH_WORST_LRU_USED,
	BENCH_WORST_NR_OPS,
};

static const char *const bench_worst_ops[] = {
	[BENCH_WORST_CLOCK] = "clock",
	[BENCH_WORST_DELAY] = "delay",
	[BENCH_WORST_HIT] = "hit",
	[BENCH_WORST_MISS] = "miss",
	[BENCH_WORST_REPLACE] = "replace",
	[BENCH_WORST_DELETE] = "delete",
	[BENCH_WORST_INSERT] = "insert",
	[BENCH_WORST_LRU] = "lru",
	[BENCH_WORST_LRU_USED] = "lru-used",
};

static const char *const bench_worst_geos[] = { "typical", "worst" };

/*
 * A sample's flags: the thread was switched out during the operation; its
 * CPU took an interrupt or ran softirqs.  The rest is the latency in ns.
 */
#define BENCH_WORST_SWITCHED	BIT(31)
#define BENCH_WORST_INTERRUPTED	BIT(30)
#define BENCH_WORST_FLAGS	(BENCH_WORST_SWITCHED | BENCH_WORST_INTERRUPTED)
#define BENCH_WORST_NS_MASK	(BENCH_WORST_INTERRUPTED - 1)

/**
 * struct bench_worst_cell - The samples of one operation in one geometry.
 * @ns: Latencies in ns (at most %BENCH_WORST_NS_MASK), each with its
 *	%BENCH_WORST_FLAGS.
 * @n: Samples taken.
 * @switched: Samples with %BENCH_WORST_SWITCHED.
 * @interrupted: Samples with %BENCH_WORST_INTERRUPTED.
 * @quiet: Samples with neither.
 * @errors: Operations that failed, and lookups that did not find what
 *	they had to.
 */
struct bench_worst_cell {
	u32 *ns;
	u32 n;
	u32 switched;
	u32 interrupted;
	u32 quiet;
	u64 errors;
};

/*
 * When a sample started: the clock, the thread's context switches and its
 * CPU's interrupts and softirqs.
 */
struct bench_worst_stamp {
	u64 t0;
	unsigned long csw;
	unsigned long irqs;
};

/**
 * struct bench_worst_geo - The tables of one geometry.
 * @h: Hash table, full.
 * @keys: The keys in @h (always the same ones).
 * @lru: LRU tables, full: [0] keys never looked up, [1] all looked up.
 * @since_mark: Inserts into @lru[1] since all its keys were looked up.
 */
struct bench_worst_geo {
	struct rcumap_hash *h;
	u64 *keys;
	struct rcumap_lru_hash *lru[2];
	u32 since_mark;
};

/**
 * struct bench_worst - One value size of the worst-case benchmark.
 * @geo: [0] typical, [1] worst.
 * @cell: Samples, per operation and geometry.
 * @value_size: Bytes per value.
 * @value: A value to store.
 * @out: Where lookups copy the value.
 * @rng: Random numbers, for keys.
 */
struct bench_worst {
	struct bench_worst_geo geo[2];
	struct bench_worst_cell cell[BENCH_WORST_NR_OPS][2];
	u32 value_size;
	u8 *value;
	u8 *out;
	u64 rng;
};

static inline u64 bench_worst_key(struct bench_worst *w)
{
	return bench_rand(&w->rng) & ~BENCH_WORST_ABSENT;
}

/*
 * Random keys to try for one insert: in the worst LRU table one bucket in
 * N / 64 has room, so 64 times that many fail with probability e^-64.
 */
static inline u32 bench_worst_tries(void)
{
	return 64 * rcumap_hash_buckets_for(bench_worst_entries);
}

static inline unsigned long bench_worst_csw(void)
{
	return READ_ONCE(current->nvcsw) + READ_ONCE(current->nivcsw);
}

/*
 * Interrupts and softirqs this CPU has handled: the generic counts, and on
 * x86 the local APIC's timer, rescheduling and call-function vectors,
 * which bypass them.  The thread is bound to its CPU, so the CPU is the
 * same before and after an operation.
 */
static unsigned long bench_worst_irqs(void)
{
	unsigned int cpu = raw_smp_processor_id(), i;
	unsigned long sum = kstat_cpu_irqs_sum(cpu);

	for (i = 0; i < NR_SOFTIRQS; i++)
		sum += kstat_softirqs_cpu(i, cpu);
#ifdef CONFIG_X86_LOCAL_APIC
	sum += per_cpu(irq_stat, cpu).apic_timer_irqs;
#endif
#if defined(CONFIG_X86) && defined(CONFIG_SMP)
	sum += per_cpu(irq_stat, cpu).irq_resched_count +
	       per_cpu(irq_stat, cpu).irq_call_count;
#endif
	return sum;
}

static inline void bench_worst_start(struct bench_worst_stamp *s)
{
	s->csw = bench_worst_csw();
	s->irqs = bench_worst_irqs();
	s->t0 = ktime_get_ns();
}

/* Take the sample begun at @s; the counters are read outside the timing. */
static void bench_worst_record(struct bench_worst_cell *c,
			       const struct bench_worst_stamp *s)
{
	u64 ns = ktime_get_ns() - s->t0;
	u32 sample = min_t(u64, ns, BENCH_WORST_NS_MASK);

	if (bench_worst_csw() != s->csw) {
		sample |= BENCH_WORST_SWITCHED;
		c->switched++;
	}
	if (bench_worst_irqs() != s->irqs) {
		sample |= BENCH_WORST_INTERRUPTED;
		c->interrupted++;
	}
	if (!(sample & BENCH_WORST_FLAGS))
		c->quiet++;
	c->ns[c->n++] = sample;
}

static int bench_worst_hash_insert(void *map, const void *key,
				   const void *value)
{
	return rcumap_hash_update(map, key, value, RCUMAP_NOEXIST, GFP_KERNEL);
}

static u32 bench_worst_hash_count(void *map)
{
	return rcumap_hash_count(map);
}

static int bench_worst_lru_insert(void *map, const void *key,
				  const void *value)
{
	return rcumap_lru_hash_update(map, key, value, RCUMAP_NOEXIST,
				      GFP_KERNEL);
}

static u32 bench_worst_lru_count(void *map)
{
	return rcumap_lru_hash_count(map);
}

/*
 * Insert random keys into @map until it holds @target, skipping keys
 * whose bucket is full (-ENOSPC) and, unlikely, keys already there;
 * store them in @keys if not NULL.
 */
static int bench_worst_fill(struct bench_worst *w, void *map,
			    int (*insert)(void *map, const void *key,
					  const void *value),
			    u32 (*count)(void *map), u32 target, u64 *keys)
{
	u64 tries = 0, key;
	u32 n = 0;
	int err;

	while (count(map) < target) {
		if (++tries > (u64)bench_worst_tries() * target)
			return -ENOSPC;
		key = bench_worst_key(w);
		err = insert(map, &key, w->value);
		if (err == -ENOSPC || err == -EEXIST)
			continue;
		if (err)
			return err;
		if (keys)
			keys[n] = key;
		if (!(++n % 256))
			cond_resched();
	}
	return 0;
}

/* The longest bucket of @h; *@at_bound: buckets of RCUMAP_HASH_BUCKET_MAX keys. */
static noinline_for_stack u32
bench_worst_longest(const struct rcumap_hash *h, u32 *at_bound)
{
	u32 hist[RCUMAP_HASH_BUCKET_MAX + 1] = {}, cursor = 0, longest = 0;
	int nr;

	do {
		nr = rcumap_hash_bucket_stats(h, &cursor, 1024, hist,
					      ARRAY_SIZE(hist), &longest);
		cond_resched();
	} while (nr > 0 && cursor < nr);
	*at_bound = hist[RCUMAP_HASH_BUCKET_MAX];
	return longest;
}

/* Look up every key of @lru: each is marked used on this CPU. */
static void bench_worst_mark_all(struct rcumap_lru_hash *lru)
{
	u64 key;
	u32 n = 0;
	int err;

	for (err = rcumap_lru_hash_walk_after(lru, NULL, &key, NULL); !err;
	     err = rcumap_lru_hash_walk_after(lru, &key, &key, NULL)) {
		rcu_read_lock();
		rcumap_lru_hash_lookup(lru, &key);
		rcu_read_unlock();
		if (!(++n % 256))
			cond_resched();
	}
}

static int bench_worst_setup(struct bench_worst *w, int g)
{
	struct bench_worst_geo *geo = &w->geo[g];
	u32 n = bench_worst_entries, buckets = rcumap_hash_buckets_for(n), used;
	struct rcumap_lru_hash_params lp = {
		.hash = {
			.key_size = sizeof(u64),
			.value_size = w->value_size,
			.max_entries = g ? n - 1 : n,
			.nr_buckets = g ? buckets : 0,
		},
	};
	struct rcumap_hash_params hp = lp.hash;
	u32 longest, at_bound;
	int err;

	hp.max_entries = n;
	geo->keys = kvcalloc(n, sizeof(*geo->keys), GFP_KERNEL);
	if (!geo->keys)
		return -ENOMEM;
	geo->h = rcumap_hash_create(&hp, GFP_KERNEL);
	if (IS_ERR(geo->h)) {
		err = PTR_ERR(geo->h);
		geo->h = NULL;
		return err;
	}
	err = bench_worst_fill(w, geo->h, bench_worst_hash_insert,
			       bench_worst_hash_count, n, geo->keys);
	if (err)
		return err;
	for (used = 0; used < 2; used++) {
		lp.nr_tags = used ? min_t(u32, 16 * n, RCUMAP_LRU_MAX_TAGS) : 0;
		geo->lru[used] = rcumap_lru_hash_create(&lp, GFP_KERNEL);
		if (IS_ERR(geo->lru[used])) {
			err = PTR_ERR(geo->lru[used]);
			geo->lru[used] = NULL;
			return err;
		}
		err = bench_worst_fill(w, geo->lru[used],
				       bench_worst_lru_insert,
				       bench_worst_lru_count,
				       lp.hash.max_entries, NULL);
		if (err)
			return err;
		if (used)
			bench_worst_mark_all(geo->lru[used]);
	}
	longest = bench_worst_longest(geo->h, &at_bound);
	pr_info("worst: %s, %u-byte values: %u keys in %u buckets, longest %u, %u at the bound\n",
		bench_worst_geos[g], w->value_size, rcumap_hash_count(geo->h),
		rcumap_hash_nr_buckets(geo->h), longest, at_bound);
	return 0;
}

static void bench_worst_teardown(struct bench_worst *w)
{
	struct rcumap_lru_hash_stats st;
	int g, used;

	for (g = 0; g < 2; g++) {
		struct bench_worst_geo *geo = &w->geo[g];

		for (used = 0; used < 2; used++) {
			if (!geo->lru[used])
				continue;
			rcumap_lru_hash_get_stats(geo->lru[used], &st);
			pr_info("worst: %s %s, %u-byte values: %llu evictions, %llu forced, %llu second chances\n",
				bench_worst_geos[g],
				bench_worst_ops[BENCH_WORST_LRU + used],
				w->value_size, st.evictions, st.forced,
				st.second_chances);
			rcumap_lru_hash_destroy(geo->lru[used]);
		}
		rcumap_hash_destroy(geo->h);
		kvfree(geo->keys);
	}
}

/* One lookup of @key in @h, timed into @c; must find it iff @present. */
static void bench_worst_lookup(struct bench_worst *w, struct bench_worst_cell *c,
			       struct rcumap_hash *h, u64 key, bool present)
{
	struct bench_worst_stamp st;
	const void *v;

	bench_worst_start(&st);
	rcu_read_lock();
	v = rcumap_hash_lookup(h, &key);
	if (v)
		memcpy(w->out, v, w->value_size);
	rcu_read_unlock();
	bench_worst_record(c, &st);
	if (!v != !present)
		c->errors++;
}

/* An insert of a new key into a full LRU table, timed into @c. */
static void bench_worst_lru(struct bench_worst *w, struct bench_worst_cell *c,
			    struct bench_worst_geo *geo, bool used)
{
	struct rcumap_lru_hash *lru = geo->lru[used];
	struct bench_worst_stamp st = {};
	int err = -ENOSPC;
	u32 tries;
	u64 key;

	/* Worst geometry: one bucket has room; try keys until one fits. */
	for (tries = 0; tries < bench_worst_tries(); tries++) {
		key = bench_worst_key(w);
		bench_worst_start(&st);
		err = rcumap_lru_hash_update(lru, &key, w->value,
					     RCUMAP_NOEXIST, GFP_KERNEL);
		if (err != -ENOSPC && err != -EEXIST)
			break;
	}
	if (err) {
		c->errors++;
		return;
	}
	bench_worst_record(c, &st);
	if (!used)
		return;
	/* Keep every key ahead of the hand used (see above). */
	rcu_read_lock();
	rcumap_lru_hash_lookup(lru, &key);
	rcu_read_unlock();
	if (++geo->since_mark >= max(bench_worst_entries / 130, 1U)) {
		bench_worst_mark_all(lru);
		geo->since_mark = 0;
	}
}

/* One sample of @op in geometry @g (two for a delete and its insert). */
static void bench_worst_step(struct bench_worst *w, int op, int g)
{
	struct bench_worst_cell *c = &w->cell[op][g];
	struct bench_worst_geo *geo = &w->geo[g];
	u64 key = geo->keys[bench_below(bench_rand(&w->rng), bench_worst_entries)];
	struct bench_worst_stamp st;

	switch (op) {
	case BENCH_WORST_CLOCK:
		bench_worst_start(&st);
		bench_worst_record(c, &st);
		break;
	case BENCH_WORST_DELAY:
		bench_worst_start(&st);
		udelay(bench_worst_delay_us);
		bench_worst_record(c, &st);
		break;
	case BENCH_WORST_HIT:
		bench_worst_lookup(w, c, geo->h, key, true);
		break;
	case BENCH_WORST_MISS:
		bench_worst_lookup(w, c, geo->h,
				   bench_rand(&w->rng) | BENCH_WORST_ABSENT,
				   false);
		break;
	case BENCH_WORST_REPLACE:
		w->value[0]++;
		bench_worst_start(&st);
		if (rcumap_hash_update(geo->h, &key, w->value, RCUMAP_EXIST,
				       GFP_KERNEL))
			c->errors++;
		bench_worst_record(c, &st);
		break;
	case BENCH_WORST_DELETE:
		bench_worst_start(&st);
		if (rcumap_hash_delete(geo->h, &key))
			c->errors++;
		bench_worst_record(c, &st);
		c = &w->cell[BENCH_WORST_INSERT][g];
		bench_worst_start(&st);
		if (rcumap_hash_update(geo->h, &key, w->value, RCUMAP_NOEXIST,
				       GFP_KERNEL))
			c->errors++;
		bench_worst_record(c, &st);
		break;
	case BENCH_WORST_LRU:
	case BENCH_WORST_LRU_USED:
		bench_worst_lru(w, c, geo, op == BENCH_WORST_LRU_USED);
		break;
	}
}

/* Order samples by latency, whatever their flag. */
static int bench_worst_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a & BENCH_WORST_NS_MASK;
	u32 y = *(const u32 *)b & BENCH_WORST_NS_MASK;

	return x < y ? -1 : x > y;
}

/*
 * The sample of rank ceil(@q / 1000 * m) among the m samples of the
 * sorted @c, all of them or (@quiet) those without flags; 0 if there are
 * none.  O(n).
 */
static u32 bench_worst_pct(const struct bench_worst_cell *c, u32 q, bool quiet)
{
	u32 m = quiet ? c->quiet : c->n, rank, i;
	u32 skip = quiet ? BENCH_WORST_FLAGS : 0;

	if (!m)
		return 0;
	rank = clamp_t(u32, DIV_ROUND_UP_ULL((u64)m * q, 1000), 1, m);
	for (i = 0; i < c->n; i++) {
		if (c->ns[i] & skip)
			continue;
		if (!--rank)
			return c->ns[i] & BENCH_WORST_NS_MASK;
	}
	return 0;
}

/* Sort and print one cell; return its errors. */
static u64 bench_worst_report(struct bench_worst *w, int op, int g)
{
	struct bench_worst_cell *c = &w->cell[op][g];
	u64 sum = 0;
	u32 i;

	if (!c->n)
		return c->errors + 1;
	sort(c->ns, c->n, sizeof(*c->ns), bench_worst_cmp, NULL);
	for (i = 0; i < c->n; i++)
		sum += c->ns[i] & BENCH_WORST_NS_MASK;
	pr_info("RCUMAP_LAT,%s,%s,%u,%u,%u,%llu,%u,%u,%u,%u,%llu,%u,%u,%u,%u,%u,%u\n",
		bench_worst_ops[op], bench_worst_geos[g], bench_worst_entries,
		w->value_size, c->n, div_u64(sum, c->n),
		bench_worst_pct(c, 500, false), bench_worst_pct(c, 990, false),
		bench_worst_pct(c, 999, false), bench_worst_pct(c, 1000, false),
		c->errors, c->switched, c->interrupted, c->quiet,
		bench_worst_pct(c, 990, true), bench_worst_pct(c, 999, true),
		bench_worst_pct(c, 1000, true));
	pr_info("RCUMAP_BENCH,worst,%s-v%u,%s,%u,1,0,%u,%llu,%llu,%llu\n",
		bench_worst_ops[op], w->value_size, bench_worst_geos[g],
		bench_worst_entries, c->n, sum,
		div64_u64((u64)c->n * NSEC_PER_SEC, sum ?: 1), c->errors);
	if (c->errors)
		pr_err("worst %s %s: %llu errors\n", bench_worst_ops[op],
		       bench_worst_geos[g], c->errors);
	return c->errors;
}

/* The thread: passes over every operation, until the samples or time end. */
static void bench_worst_work(struct bench_thread *t)
{
	struct bench_worst *w = t->run->map;
	u64 deadline = ktime_get_ns() + (u64)bench_worst_ms * NSEC_PER_MSEC;
	int op, g, i;

	while (w->cell[0][0].n + BENCH_WORST_CHUNK <= bench_worst_samples &&
	       ktime_get_ns() < deadline) {
		for (op = 0; op < BENCH_WORST_NR_OPS; op++) {
			if (op == BENCH_WORST_INSERT)
				continue;
			for (g = 0; g < 2; g++) {
				for (i = 0; i < BENCH_WORST_CHUNK; i++)
					bench_worst_step(w, op, g);
				cond_resched();
			}
		}
		t->ops++;
		/* Large values: let the retired buckets go. */
		if (w->value_size > 512)
			synchronize_rcu();
	}
}

int bench_worst_size(u32 vsize, struct bench_thread *t)
{
	struct bench_run run = {};
	struct bench_worst *w;
	u64 errors = 0, start = ktime_get_ns();
	int op, g, err = -ENOMEM;

	w = kvzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->value_size = vsize;
	w->rng = get_random_u64() | 1;
	w->value = kzalloc(vsize + 1, GFP_KERNEL);
	w->out = kzalloc(vsize + 1, GFP_KERNEL);
	if (!w->value || !w->out)
		goto out_free;
	for (op = 0; op < BENCH_WORST_NR_OPS; op++) {
		for (g = 0; g < 2; g++) {
			w->cell[op][g].ns = kvcalloc(bench_worst_samples, sizeof(u32),
						     GFP_KERNEL);
			if (!w->cell[op][g].ns)
				goto out_free;
		}
	}
	err = 0;
	for (g = 0; g < 2 && !err; g++) {
		err = bench_worst_setup(w, g);
		if (err)
			pr_err("worst: %s setup, %u-byte values: %d\n",
			       bench_worst_geos[g], vsize, err);
	}
	if (err)
		goto out_teardown;
	pr_info("worst: %u-byte values: tables filled in %llu ms\n", vsize,
		div_u64(ktime_get_ns() - start, NSEC_PER_MSEC));

	run.entries = bench_worst_entries;
	run.map = w;
	run.work = bench_worst_work;
	bench_threads_init(&run, t, 1);
	start = ktime_get_ns();
	err = bench_run_threads(&run);
	if (err)
		goto out_teardown;
	pr_info("worst: %u-byte values: %llu passes in %llu ms\n", vsize,
		t[0].ops, div_u64(ktime_get_ns() - start, NSEC_PER_MSEC));
	for (op = 0; op < BENCH_WORST_NR_OPS; op++) {
		for (g = 0; g < 2; g++)
			errors += bench_worst_report(w, op, g);
	}
	if (errors)
		err = -EIO;
out_teardown:
	bench_worst_teardown(w);
out_free:
	for (op = 0; op < BENCH_WORST_NR_OPS; op++) {
		for (g = 0; g < 2; g++)
			kvfree(w->cell[op][g].ns);
	}
	kfree(w->out);
	kfree(w->value);
	kvfree(w);
	rcu_barrier();
	return err;
}
