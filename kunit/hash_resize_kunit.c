// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the online resize of the rcumap hash table, through its
 * public API (include/linux/rcumap_hash.h) only.
 *
 * Suites:
 *  rcumap_hash_resize        - forced resizes keep every entry, the
 *                              automatic grow and shrink, the ordered walk
 *                              across resizes, destroy while a resize is
 *                              queued or running, allocation failures.
 *  rcumap_hash_resize_stress - a thread resizes without pause while
 *                              readers, writers and an ordered walker run;
 *                              explicit resizes beside the table's own
 *                              resize worker.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/rcumap_hash.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "fail_nth.h"
#include "stress.h"

static unsigned int resize_stress_ms = 3000;
module_param(resize_stress_ms, uint, 0444);
MODULE_PARM_DESC(resize_stress_ms,
		 "Run time of each rcumap_hash_resize_stress case in ms (default 3000)");

/*
 * The resizer of that case gets through about one resize and its checks a
 * second in the debug guest (each step waits for a grace period): it runs
 * longer than the others.
 */
static unsigned int resize_worker_ms = 6000;
module_param(resize_worker_ms, uint, 0444);
MODULE_PARM_DESC(resize_worker_ms,
		 "Run time of each explicit-resizes-beside-the-worker case in ms (default 6000)");

/* Values of the tests: derived from the key, so any reader can check. */
static u64 value_of(u32 key, u32 version)
{
	return (u64)key * 0x9E3779B1ULL + version;
}

/* A table of u32 keys and u64 values; @free_value may be NULL. */
static struct rcumap_hash *resize_table(struct kunit *test, u32 max_entries,
					u32 nr_buckets, u32 flags,
					rcumap_hash_free_t free_value,
					void *free_priv)
{
	struct rcumap_hash_params p = {
		.key_size = sizeof(u32),
		.value_size = sizeof(u64),
		.max_entries = max_entries,
		.nr_buckets = nr_buckets,
		.flags = flags,
		.free_value = free_value,
		.free_priv = free_priv,
	};
	struct rcumap_hash *h = rcumap_hash_create(&p, GFP_KERNEL_ACCOUNT);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, h);
	return h;
}

static void fill(struct kunit *test, struct rcumap_hash *h, u32 from, u32 to)
{
	u32 key;
	u64 val;

	for (key = from; key < to; key++) {
		val = value_of(key, 0);
		KUNIT_ASSERT_EQ(test, rcumap_hash_update(h, &key, &val,
							 RCUMAP_NOEXIST,
							 GFP_KERNEL), 0);
	}
}

/* rcumap_hash_walk(), on past runs of empty buckets (-EAGAIN). */
static int walk_next(const struct rcumap_hash *h, u64 *pos, void *key,
		     void *value)
{
	int err;

	do {
		err = rcumap_hash_walk(h, pos, key, value);
	} while (err == -EAGAIN);
	return err;
}

/*
 * The table holds exactly the keys [@from, @to) but @except with their
 * version-0 values: count, lookups, a positional walk and an ordered walk
 * agree.
 */
static void expect_all_but(struct kunit *test, struct rcumap_hash *h, u32 from,
			   u32 to, u32 except)
{
	u8 *seen = kunit_kzalloc(test, to, GFP_KERNEL);
	u32 key, n = 0, *cur = NULL, next, from_count = from;
	u64 val, pos = 0;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	if (except >= from && except < to) {
		seen[except] = 2;
		from_count++;
	}
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), to - from_count);
	for (key = from; key < to; key++) {
		if (key == except) {
			KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &key, &val),
					-ENOENT);
			continue;
		}
		KUNIT_EXPECT_EQ(test, rcumap_hash_lookup_copy(h, &key, &val), 0);
		KUNIT_EXPECT_EQ(test, val, value_of(key, 0));
	}
	while (!walk_next(h, &pos, &key, &val)) {
		KUNIT_ASSERT_TRUE(test, key >= from && key < to);
		KUNIT_EXPECT_EQ(test, seen[key]++, 0);
		KUNIT_EXPECT_EQ(test, val, value_of(key, 0));
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, to - from_count);
	n = 0;
	while (!rcumap_hash_walk_after(h, cur, &next, &val)) {
		KUNIT_ASSERT_TRUE(test, next >= from && next < to);
		KUNIT_EXPECT_EQ(test, seen[next]++, 1);
		KUNIT_EXPECT_EQ(test, val, value_of(next, 0));
		key = next;
		cur = &key;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, to - from_count);
}

static void expect_exactly(struct kunit *test, struct rcumap_hash *h, u32 from,
			   u32 to)
{
	expect_all_but(test, h, from, to, U32_MAX);
}

static atomic_t freed;

static void count_free(void *priv, const void *key, void *value)
{
	atomic_inc(&freed);
}

/*
 * Forced resizes up, down and back, by several steps at once: every key
 * and value survives, the bucket count follows, and no value reaches the
 * free callback.
 */
static void resize_keeps_every_entry(struct kunit *test)
{
	/* Down to 32 buckets: 1000 keys in fewer would near the bucket bound. */
	static const u32 sizes[] = { 64, 1024, 32, 4096, 32, 100 };
	struct rcumap_hash *h = resize_table(test, 1000, 32, 0, count_free, NULL);
	size_t before;
	u32 i;

	atomic_set(&freed, 0);
	fill(test, h, 0, 1000);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_ASSERT_EQ(test, rcumap_hash_resize(h, sizes[i]), 0);
		KUNIT_EXPECT_EQ(test, rcumap_hash_nr_buckets(h),
				roundup_pow_of_two(sizes[i]));
		expect_exactly(test, h, 0, 1000);
	}
	/* More buckets, more array; the same entries. */
	KUNIT_ASSERT_EQ(test, rcumap_hash_resize(h, 1024), 0);
	before = rcumap_hash_bytes_used(h);
	KUNIT_ASSERT_EQ(test, rcumap_hash_resize(h, 2048), 0);
	KUNIT_EXPECT_GE(test, rcumap_hash_bytes_used(h),
			before + 1024 * sizeof(void *));
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&freed), 0);
	rcumap_hash_destroy(h);
	rcumap_hash_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&freed), 1000);
}

static void resize_rejects_bad_sizes(struct kunit *test)
{
	struct rcumap_hash *h = resize_table(test, 16, 4, 0, NULL, NULL);
	struct rcumap_hash_params p = {
		.key_size = 4, .value_size = 8, .max_entries = 16,
		.flags = RCUMAP_HASH_F_SHRINK,
	};

	KUNIT_EXPECT_EQ(test, rcumap_hash_resize(h, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, rcumap_hash_resize(h, RCUMAP_HASH_MAX_BUCKETS + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, rcumap_hash_nr_buckets(h), 4U);
	KUNIT_EXPECT_EQ(test, PTR_ERR(rcumap_hash_create(&p, GFP_KERNEL)),
			-EINVAL);
	p.flags = BIT(2) | RCUMAP_HASH_F_RESIZE;
	KUNIT_EXPECT_EQ(test, PTR_ERR(rcumap_hash_create(&p, GFP_KERNEL)),
			-EINVAL);
	rcumap_hash_destroy(h);
}

/*
 * Wait, a bounded number of times, for the resize worker to bring the
 * table to @want buckets; rcumap_hash_barrier() flushes the worker.
 */
static u32 wait_for_buckets(struct rcumap_hash *h, u32 want)
{
	u32 tries;

	for (tries = 0; tries < 200; tries++) {
		rcumap_hash_barrier();
		if (rcumap_hash_nr_buckets(h) == want)
			break;
		msleep(50);
	}
	return rcumap_hash_nr_buckets(h);
}

/*
 * A resizable table starts with RCUMAP_HASH_RESIZE_MIN_BUCKETS buckets,
 * grows past 2 entries per bucket, shrinks (with the flag) under one per
 * 8 buckets down to where it started; a table without flags never changes.
 */
static void resize_automatic_grow_and_shrink(struct kunit *test)
{
	struct rcumap_hash *h = resize_table(test, 4096, 0,
					     RCUMAP_HASH_F_RESIZE |
					     RCUMAP_HASH_F_SHRINK, NULL, NULL);
	struct rcumap_hash *grow_only = resize_table(test, 4096, 0,
						     RCUMAP_HASH_F_RESIZE,
						     NULL, NULL);
	/* The fewest buckets a fixed table of 4096 may have. */
	struct rcumap_hash *fixed = resize_table(test, 4096, 64, 0, NULL, NULL);
	u32 key;

	KUNIT_EXPECT_EQ(test, rcumap_hash_nr_buckets(h),
			(u32)RCUMAP_HASH_RESIZE_MIN_BUCKETS);
	fill(test, h, 0, 1000);
	fill(test, grow_only, 0, 1000);
	fill(test, fixed, 0, 1000);
	/* 1000 keys: grows while count > 2 * buckets, to 512. */
	KUNIT_EXPECT_EQ(test, wait_for_buckets(h, 512), 512U);
	KUNIT_EXPECT_EQ(test, wait_for_buckets(grow_only, 512), 512U);
	expect_exactly(test, h, 0, 1000);
	rcumap_hash_barrier();
	KUNIT_EXPECT_EQ(test, rcumap_hash_nr_buckets(fixed), 64U);
	expect_exactly(test, fixed, 0, 1000);

	/* 10 keys left: shrinks while count < buckets / 8, to 64. */
	for (key = 10; key < 1000; key++) {
		KUNIT_ASSERT_EQ(test, rcumap_hash_delete(h, &key), 0);
		KUNIT_ASSERT_EQ(test, rcumap_hash_delete(grow_only, &key), 0);
	}
	KUNIT_EXPECT_EQ(test, wait_for_buckets(h, 64), 64U);
	expect_exactly(test, h, 0, 10);
	rcumap_hash_barrier();
	KUNIT_EXPECT_EQ(test, rcumap_hash_nr_buckets(grow_only), 512U);
	expect_exactly(test, grow_only, 0, 10);
	rcumap_hash_destroy(h);
	rcumap_hash_destroy(grow_only);
	rcumap_hash_destroy(fixed);
}

/*
 * An ordered walk while the table is resized between its steps (and the
 * cursor's key deleted now and then): every key that stays comes once.
 */
static void resize_ordered_walk_across_resizes(struct kunit *test)
{
	/* 32 buckets at least: 600 keys stay far from the bucket bound. */
	static const u32 sizes[] = { 256, 32, 64, 32, 1024, 64 };
	const u32 n = 600;
	struct rcumap_hash *h = resize_table(test, n, 32, 0, NULL, NULL);
	u8 *seen = kunit_kzalloc(test, n, GFP_KERNEL);
	u32 key, cur, steps = 0;
	bool started = false;
	u64 val;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	fill(test, h, 0, n);
	while (!rcumap_hash_walk_after(h, started ? &cur : NULL, &key, &val)) {
		KUNIT_ASSERT_LT(test, key, n);
		KUNIT_ASSERT_EQ_MSG(test, seen[key]++, 0, "key %u came twice", key);
		KUNIT_EXPECT_EQ(test, val, value_of(key, 0));
		cur = key;
		started = true;
		if (key % 3 == 0)
			KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), 0);
		if (++steps % 40 == 0) {
			u32 nr = sizes[steps / 40 % ARRAY_SIZE(sizes)];

			KUNIT_ASSERT_EQ(test, rcumap_hash_resize(h, nr), 0);
		}
	}
	for (key = 0; key < n; key++)
		KUNIT_EXPECT_EQ_MSG(test, seen[key], 1, "key %u", key);
	rcumap_hash_destroy(h);
}

/*
 * Destroy a resizable table while its worker is queued or running (the
 * inserts past the threshold queue it), at different moments: every value
 * reaches the free callback exactly once, and KASAN and kmemleak see no
 * use after free and no leak.
 */
static void resize_destroy_while_resizing(struct kunit *test)
{
	u32 round, total = 0;

	atomic_set(&freed, 0);
	for (round = 1; round <= 8; round++) {
		struct rcumap_hash *h = resize_table(test, 1 << 16, 0,
						     RCUMAP_HASH_F_RESIZE,
						     count_free, NULL);

		fill(test, h, 0, round * 1000);
		total += round * 1000;
		rcumap_hash_destroy(h);
	}
	rcumap_hash_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&freed), (int)total);
}

/* ---- Allocation failures ------------------------------------------- */

struct fault_case {
	u32 from;
	u32 to;
};

static const struct fault_case fault_cases[] = {
	{ 2, 16 },	/* three splits */
	{ 16, 2 },	/* three merges */
};

static void fault_desc(const struct fault_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u to %u buckets", c->from, c->to);
}

KUNIT_ARRAY_PARAM(fault, fault_cases, fault_desc);

/*
 * Fail each allocation of a resize in turn.  A failed resize returns
 * -ENOMEM and loses nothing, even part-way; the table keeps working (an
 * update and a delete go through, wherever their bucket is); the next
 * resize finishes the job.  Dead entries (a delete without memory) reach
 * the free callback once, moved entries never.
 */
static void resize_alloc_failure_loses_nothing(struct kunit *test)
{
	const struct fault_case *c = test->param_value;
	const u32 n = 64;
	u32 nth, failures = 0, key, dead;
	u64 val;
	int err;

	for (nth = 1; nth < 1000; nth++) {
		struct rcumap_hash *h = resize_table(test, n + 1, c->from, 0,
						     count_free, NULL);
		bool fired;

		atomic_set(&freed, 0);
		fill(test, h, 0, n);
		/*
		 * A key stays behind as a dead entry: the first whose delete
		 * needs memory (a key alone in its bucket needs none; it is
		 * put back).  That the armed failure fired does not say which
		 * it was: fail-nth counts every fault-injection site the task
		 * passes, and a delete that allocates nothing still passes
		 * one when its call_rcu() refills the debug-objects pool
		 * (CONFIG_DEBUG_OBJECTS_RCU_HEAD, whenever the pool runs low).
		 * The free callback says it: a removed value reaches it after
		 * a grace period, a dead entry's stays in the table.
		 */
		for (dead = 0; dead < n; dead++) {
			fail_nth_arm(1);
			KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &dead), 0);
			fired = fail_nth_fired();
			rcu_barrier();
			if (!atomic_read(&freed)) {
				KUNIT_EXPECT_TRUE(test, fired);
				break;
			}
			KUNIT_EXPECT_EQ(test, atomic_read(&freed), 1);
			atomic_set(&freed, 0);
			val = value_of(dead, 0);
			KUNIT_EXPECT_EQ(test, rcumap_hash_update(h, &dead, &val,
								 RCUMAP_NOEXIST,
								 GFP_KERNEL), 0);
		}
		KUNIT_ASSERT_LT(test, dead, n);

		fail_nth_arm(nth);
		err = rcumap_hash_resize(h, c->to);
		fired = fail_nth_fired();
		if (err) {
			KUNIT_EXPECT_EQ(test, err, -ENOMEM);
			KUNIT_EXPECT_TRUE(test, fired);
			failures++;
		}
		expect_all_but(test, h, 0, n, dead);
		/* Updates work in the half-moved table. */
		key = n;
		val = value_of(key, 0);
		KUNIT_EXPECT_EQ(test, rcumap_hash_update(h, &key, &val,
							 RCUMAP_NOEXIST,
							 GFP_KERNEL), 0);
		KUNIT_EXPECT_EQ(test, rcumap_hash_delete(h, &key), 0);
		KUNIT_EXPECT_EQ(test, rcumap_hash_resize(h, c->to), 0);
		KUNIT_EXPECT_EQ(test, rcumap_hash_nr_buckets(h), c->to);
		expect_all_but(test, h, 0, n, dead);
		rcu_barrier();
		/* The dead entry (left out by a move or an update), key n. */
		KUNIT_EXPECT_EQ(test, atomic_read(&freed), 2);
		rcumap_hash_destroy(h);
		rcumap_hash_barrier();
		KUNIT_EXPECT_EQ(test, atomic_read(&freed), 2 + (int)n - 1);
		if (!fired)
			break;
	}
	KUNIT_EXPECT_LT(test, nth, 1000U);
	KUNIT_EXPECT_GT_MSG(test, failures, 0U, "no allocation failed: %s",
			    "is failslab's ignore-gfp-wait N?");
}

static struct kunit_case rcumap_hash_resize_cases[] = {
	KUNIT_CASE(resize_keeps_every_entry),
	KUNIT_CASE(resize_rejects_bad_sizes),
	KUNIT_CASE(resize_automatic_grow_and_shrink),
	KUNIT_CASE(resize_ordered_walk_across_resizes),
	KUNIT_CASE(resize_destroy_while_resizing),
	{}
};

static struct kunit_suite rcumap_hash_resize_suite = {
	.name = "rcumap_hash_resize",
	.test_cases = rcumap_hash_resize_cases,
};

static struct kunit_case rcumap_hash_resize_fault_cases[] = {
	KUNIT_CASE_PARAM(resize_alloc_failure_loses_nothing, fault_gen_params),
	{}
};

static struct kunit_suite rcumap_hash_resize_fault_suite = {
	.name = "rcumap_hash_resize_fault",
	.init = fail_nth_suite_init,
	.test_cases = rcumap_hash_resize_fault_cases,
};

/* ---- Concurrency ----------------------------------------------------- */

/*
 * Keys below RS_STABLE are inserted first and never touched: readers
 * must always find them, with their value, and every complete ordered
 * walk must return each of them exactly once.  Writers own disjoint sets
 * of the other keys and check every return code; they count the values
 * that leave the table, which the free callback must match exactly at
 * the end.  One thread resizes without pause.
 */
#define RS_STABLE	512
#define RS_KEYS		4096

struct rs {
	struct rcumap_hash *h;
	u32 nr_writers;
	struct stress_errors err;
	atomic_t freed;
	atomic_long_t left;	/* values that left the table, per writers */
	atomic_long_t reads;
	atomic_long_t writes;
	atomic_long_t walks;
	atomic_long_t resizes;
	bool present[RS_KEYS];	/* written by the owning writer only */
	u32 version[RS_KEYS];	/* likewise */
};

enum rs_role { RS_READER, RS_WRITER, RS_WALKER, RS_RESIZER };

struct rs_thread {
	struct rs *s;
	enum rs_role role;
	u32 id;
};

static void rs_count_free(void *priv, const void *key, void *value)
{
	struct rs *s = priv;

	atomic_inc(&s->freed);
}

static void rs_read(struct rs *s, struct rnd_state *rnd)
{
	u32 key = prandom_u32_state(rnd) % RS_STABLE;
	u64 *v, val;

	rcu_read_lock();
	v = rcumap_hash_lookup(s->h, &key);
	if (!v || *v != value_of(key, 0))
		stress_fail(&s->err, "stable key %u: %s", key,
			    v ? "wrong value" : "missing");
	rcu_read_unlock();
	if (rcumap_hash_lookup_copy(s->h, &key, &val) || val != value_of(key, 0))
		stress_fail(&s->err, "stable key %u: lookup_copy failed", key);
	atomic_long_inc(&s->reads);
}

static void rs_write(struct rs *s, u32 writer, struct rnd_state *rnd)
{
	u32 span = (RS_KEYS - RS_STABLE) / s->nr_writers;
	u32 key = RS_STABLE + writer * span + prandom_u32_state(rnd) % span;
	bool present = s->present[key];
	u32 version = s->version[key] + 1;
	u64 val = value_of(key, version), out;
	int err, want;

	switch (prandom_u32_state(rnd) % 4) {
	case 0:
		err = rcumap_hash_update(s->h, &key, &val, RCUMAP_ANY, GFP_KERNEL);
		want = 0;
		break;
	case 1:
		err = rcumap_hash_update(s->h, &key, &val, RCUMAP_NOEXIST,
					 GFP_KERNEL);
		want = present ? -EEXIST : 0;
		break;
	case 2:
		err = rcumap_hash_delete(s->h, &key);
		want = present ? 0 : -ENOENT;
		if (!err) {
			atomic_long_inc(&s->left);
			s->present[key] = false;
		}
		goto check;
	default:
		err = rcumap_hash_lookup_and_delete(s->h, &key, &out);
		want = present ? 0 : -ENOENT;
		if (!err && out != value_of(key, s->version[key]))
			stress_fail(&s->err, "lookup_and_delete %u: wrong value",
				    key);
		if (!err) {
			atomic_long_inc(&s->left);
			s->present[key] = false;
		}
		goto check;
	}
	if (!err) {
		if (present)
			atomic_long_inc(&s->left);	/* replaced */
		s->present[key] = true;
		s->version[key] = version;
	}
check:
	if (err != want)
		stress_fail(&s->err, "writer %u key %u: got %d, want %d",
			    writer, key, err, want);
	err = rcumap_hash_lookup_copy(s->h, &key, &out);
	if (err != (s->present[key] ? 0 : -ENOENT) ||
	    (!err && out != value_of(key, s->version[key])))
		stress_fail(&s->err, "writer %u reads back key %u wrong (%d)",
			    writer, key, err);
	atomic_long_inc(&s->writes);
}

/* One whole ordered walk: each stable key once, no key twice. */
static void rs_walk(struct rs *s, unsigned long *seen)
{
	u32 key, cur, stable = 0;
	bool started = false;
	u64 val;

	bitmap_zero(seen, RS_KEYS);
	while (!rcumap_hash_walk_after(s->h, started ? &cur : NULL, &key, &val)) {
		if (key >= RS_KEYS || __test_and_set_bit(key, seen)) {
			stress_fail(&s->err, "ordered walk: key %u %s", key,
				    key >= RS_KEYS ? "unknown" : "came twice");
			return;
		}
		if (key < RS_STABLE) {
			stable++;
			if (val != value_of(key, 0))
				stress_fail(&s->err, "ordered walk: stable key %u: wrong value",
					    key);
		}
		cur = key;
		started = true;
		cond_resched();
	}
	if (stable != RS_STABLE)
		stress_fail(&s->err, "ordered walk found %u of %u stable keys",
			    stable, RS_STABLE);
	atomic_long_inc(&s->walks);
}

/*
 * One step up or down (128 to 4096 buckets: fewer would bring RS_KEYS
 * near the bucket bound), or now and then a jump.  A shrink the bound
 * refuses (-ENOSPC) changes nothing.
 */
static void rs_resize(struct rs *s, struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd), nr = rcumap_hash_nr_buckets(s->h);
	u32 before = nr;
	int err;

	if (r % 8 == 0)
		nr = 128U << (r / 8 % 6);
	else if ((r % 2 && nr < 4096) || nr == 128)
		nr *= 2;
	else
		nr /= 2;
	err = rcumap_hash_resize(s->h, nr);
	if (err == -ENOSPC && nr < before)
		err = 0;

	if (err)
		stress_fail(&s->err, "resize to %u: %d", nr, err);
	atomic_long_inc(&s->resizes);
}

static int rs_thread_fn(void *arg)
{
	struct rs_thread *t = arg;
	unsigned long *seen = NULL;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, 0x9876543ULL * (t->id + 1));
	if (t->role == RS_WALKER) {
		seen = bitmap_zalloc(RS_KEYS, GFP_KERNEL);
		if (!seen)
			stress_fail(&t->s->err, "walker: no memory");
	}
	while (!kthread_should_stop()) {
		switch (t->role) {
		case RS_READER:
			rs_read(t->s, &rnd);
			break;
		case RS_WRITER:
			rs_write(t->s, t->id, &rnd);
			break;
		case RS_WALKER:
			if (seen)
				rs_walk(t->s, seen);
			break;
		case RS_RESIZER:
			rs_resize(t->s, &rnd);
			break;
		}
		cond_resched();
	}
	bitmap_free(seen);
	return 0;
}

static const u32 rs_writers[] = { 1, 4 };

static void rs_desc(const u32 *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE,
		 "%u writers, 2 readers, a walker, a resizer", *n);
}

KUNIT_ARRAY_PARAM(rs_writers, rs_writers, rs_desc);

static void resize_under_load_loses_nothing(struct kunit *test)
{
	const u32 writers = *(const u32 *)test->param_value;
	const u32 nr = writers + 4;
	struct rs *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct rs_thread *t = kunit_kcalloc(test, nr, sizeof(*t), GFP_KERNEL);
	u32 i, present = 0;
	u64 out;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, t);
	s->h = resize_table(test, RS_KEYS, 128, 0, rs_count_free, s);
	s->nr_writers = writers;
	fill(test, s->h, 0, RS_STABLE);
	for (i = 0; i < nr; i++) {
		t[i].s = s;
		t[i].id = i;
		t[i].role = i < writers ? RS_WRITER :
			    i < writers + 2 ? RS_READER :
			    i == writers + 2 ? RS_WALKER : RS_RESIZER;
	}
	/* Not bound to CPUs: the scheduler places and moves them. */
	stress_run(test, &(struct stress_run){
		.name = "rcumap_rs", .fn = rs_thread_fn,
		.args = t, .size = sizeof(*t), .nr = nr,
		.ms = resize_stress_ms, .err = &s->err,
	});
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->resizes), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->writes), 0L);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->reads), 0L);
	for (i = 0; i < RS_KEYS; i++) {
		bool want = i < RS_STABLE || s->present[i];
		int err = rcumap_hash_lookup_copy(s->h, &i, &out);

		present += want;
		KUNIT_EXPECT_EQ_MSG(test, err, want ? 0 : -ENOENT, "key %u", i);
		if (!err)
			KUNIT_EXPECT_EQ(test, out,
					value_of(i, i < RS_STABLE ? 0 : s->version[i]));
	}
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(s->h), present);
	kunit_info(test, "%ld resizes, %ld writes, %ld reads, %ld walks\n",
		   atomic_long_read(&s->resizes), atomic_long_read(&s->writes),
		   atomic_long_read(&s->reads), atomic_long_read(&s->walks));
	rcumap_hash_destroy(s->h);
	rcumap_hash_barrier();
	/* Every value that left, and every one left at destroy, once. */
	KUNIT_EXPECT_EQ(test, (long)atomic_read(&s->freed),
			atomic_long_read(&s->left) + present);
}

/*
 * Explicit resizes beside the resize worker.  Churners insert and then
 * delete their own keys (RW_CHURNERS * RW_KEYS in all), so that the load
 * of a table that resizes itself keeps crossing both thresholds and their
 * updates keep queueing the worker; a resizer calls rcumap_hash_resize()
 * to a power of two from 1 to 4096, mostly from a few buckets to thousands
 * and back (several steps, begun while the worker is busy at one end).
 * After each resize that returned 0, and until its next one, it checks
 * what the worker may do (see rcumap_hash_resize()):
 *
 *  floor:   the table never has fewer buckets than the resize asked for;
 *  load:    it grows past that only under load: the worker doubles n
 *           buckets only over 2n entries, so it makes at most RW_GROWN;
 *  no F_SHRINK: it never loses buckets.
 *
 * It looks at once, a few times while the churners go on, and, after a
 * resize to more than RW_GROWN buckets, once more after
 * rcumap_hash_barrier(), which waits for a worker run queued before it:
 * one that was waiting for the mutex during the resize, say.  After a
 * resize to a few buckets it goes on at once, so that the next resize
 * begins while the worker is still growing the table under load.
 */
#define RW_CHURNERS	2
#define RW_KEYS		512
/* The largest n with more than 2n of the 1024 keys is 511: 512 at most. */
#define RW_GROWN	512

struct rw {
	struct rcumap_hash *h;
	u32 flags;
	struct stress_errors err;
	bool present[RW_CHURNERS];	/* each churner's keys, at a turn */
	atomic_long_t resizes;
	atomic_long_t looks;
	atomic_long_t moved;	/* looks that found the worker had moved it */
	atomic_long_t churn;
};

struct rw_thread {
	struct rw *s;
	u32 id;		/* RW_CHURNERS: the resizer */
};

/* A whole pass over churner @id's keys: insert them all, or delete them. */
static void rw_churn(struct rw *s, u32 id)
{
	bool insert = !s->present[id];
	u32 key;
	u64 val;
	int err;

	for (key = id * RW_KEYS; key < (id + 1) * RW_KEYS; key++) {
		val = value_of(key, 0);
		err = insert ? rcumap_hash_update(s->h, &key, &val,
						  RCUMAP_NOEXIST, GFP_KERNEL) :
			       rcumap_hash_delete(s->h, &key);
		/*
		 * An insert into a full bucket grows the table once and tries
		 * again; the resizer may shrink it to a few buckets in
		 * between, and then the insert says -ENOSPC, as documented.
		 * Try again: the resizer goes back to 1024 buckets or more
		 * every other resize, and once it has stopped the insert's
		 * own growth succeeds.
		 */
		while (insert && err == -ENOSPC) {
			cond_resched();
			err = rcumap_hash_update(s->h, &key, &val,
						 RCUMAP_NOEXIST, GFP_KERNEL);
		}
		if (err)
			stress_fail(&s->err, "churner %u: %s key %u: %d", id,
				    insert ? "insert" : "delete", key, err);
		cond_resched();
	}
	s->present[id] = insert;
	atomic_long_add(RW_KEYS, &s->churn);
}

/* The table after a resize to @asked returned 0; @last: the previous look. */
static u32 rw_look(struct rw *s, u32 asked, u32 last, const char *when)
{
	u32 n = rcumap_hash_nr_buckets(s->h);

	atomic_long_inc(&s->looks);
	if (n != asked)
		atomic_long_inc(&s->moved);
	if (n < asked)
		stress_fail(&s->err, "%s: resized to %u, the worker left %u buckets",
			    when, asked, n);
	if (n > asked && n > RW_GROWN)
		stress_fail(&s->err, "%s: resized to %u, the worker grew it to %u without load",
			    when, asked, n);
	if (!(s->flags & RCUMAP_HASH_F_SHRINK) && n < last)
		stress_fail(&s->err, "%s: no F_SHRINK, but the worker shrank %u buckets to %u",
			    when, last, n);
	return n;
}

static void rw_resize(struct rw *s, struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd), asked, n;
	long nr = atomic_long_inc_return(&s->resizes);
	int err, i;

	if (r % 4 == 0)
		asked = 1U << (r / 4 % 13);
	else if (nr % 2)
		asked = 1U << (r / 4 % 5);
	else
		asked = 1024U << (r / 4 % 3);
	n = rcumap_hash_nr_buckets(s->h);
	err = rcumap_hash_resize(s->h, asked);
	/*
	 * A shrink the bucket bound refuses changes nothing, floor included;
	 * a shrink of the table as it is now, too: the worker may have
	 * grown it since @n was read.
	 */
	if (err == -ENOSPC &&
	    (asked < n || asked < rcumap_hash_nr_buckets(s->h)))
		return;
	if (err) {
		stress_fail(&s->err, "resize to %u: %d", asked, err);
		return;
	}
	n = rw_look(s, asked, asked, "at once");
	for (i = 0; i < 8; i++) {
		usleep_range(100, 200);
		n = rw_look(s, asked, n, "with churn");
	}
	/*
	 * Not after a resize to a few buckets: the next one should start
	 * while the worker is still growing the table, not after it.
	 */
	if (asked > RW_GROWN) {
		rcumap_hash_barrier();
		rw_look(s, asked, n, "after the worker");
	}
}

static int rw_thread_fn(void *arg)
{
	struct rw_thread *t = arg;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, 0x5eedULL * (t->id + 1));
	while (!kthread_should_stop()) {
		if (t->id < RW_CHURNERS)
			rw_churn(t->s, t->id);
		else
			rw_resize(t->s, &rnd);
		cond_resched();
	}
	return 0;
}

static const u32 rw_flags[] = {
	RCUMAP_HASH_F_RESIZE,
	RCUMAP_HASH_F_RESIZE | RCUMAP_HASH_F_SHRINK,
};

static void rw_desc(const u32 *flags, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, 2 churners, a resizer",
		 *flags & RCUMAP_HASH_F_SHRINK ? "grow and shrink" : "grow only");
}

KUNIT_ARRAY_PARAM(rw_flags, rw_flags, rw_desc);

static void resize_worker_never_undoes_an_explicit_resize(struct kunit *test)
{
	const u32 nr = RW_CHURNERS + 1;
	struct rw *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct rw_thread *t = kunit_kcalloc(test, nr, sizeof(*t), GFP_KERNEL);
	u32 i, key, present = 0;
	u64 out;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, t);
	s->flags = *(const u32 *)test->param_value;
	s->h = resize_table(test, RW_CHURNERS * RW_KEYS, 0, s->flags, NULL,
			    NULL);
	for (i = 0; i < nr; i++) {
		t[i].s = s;
		t[i].id = i;
	}
	stress_run(test, &(struct stress_run){
		.name = "rcumap_rw", .fn = rw_thread_fn,
		.args = t, .size = sizeof(*t), .nr = nr,
		.ms = resize_worker_ms, .err = &s->err,
	});
	/*
	 * On a loaded machine the deadline may leave the worker no turn
	 * between two resizes.  So, whatever the run did, one more round,
	 * alone: 64 buckets asked for under the load of a churner's 512
	 * keys, then a delete and an insert, which queue the worker.  Under
	 * that load the worker must grow the table, and the checks of
	 * rw_look() must hold.  A worker that backed off after a refused
	 * shrink during the run is already queued, with at most
	 * RCUMAP_RESIZE_BACKOFF_MAX (10 s) to wait: wait for it, as long as
	 * it takes, with a barrier after each look (no deadline here: a
	 * worker that never grows the table ends the case by KUnit's
	 * timeout, which fails it).
	 */
	if (!s->present[0])
		rw_churn(s, 0);
	KUNIT_ASSERT_EQ(test, rcumap_hash_resize(s->h, 64), 0);
	key = 0;
	out = value_of(key, 0);
	KUNIT_ASSERT_EQ(test, rcumap_hash_delete(s->h, &key), 0);
	KUNIT_ASSERT_EQ(test, rcumap_hash_update(s->h, &key, &out,
						 RCUMAP_NOEXIST, GFP_KERNEL), 0);
	do {
		rcumap_hash_barrier();
		msleep(20);
	} while (rw_look(s, 64, 64, "alone, after the worker") == 64);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->err.count), 0, "%s",
			    s->err.first);
	/* Or the worker never ran beside a resize: nothing was tried. */
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->moved), 0L);
	for (key = 0; key < RW_CHURNERS * RW_KEYS; key++) {
		bool want = s->present[key / RW_KEYS];
		int err = rcumap_hash_lookup_copy(s->h, &key, &out);

		present += want;
		KUNIT_EXPECT_EQ_MSG(test, err, want ? 0 : -ENOENT, "key %u", key);
		if (!err)
			KUNIT_EXPECT_EQ(test, out, value_of(key, 0));
	}
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(s->h), present);
	kunit_info(test, "%ld resizes, %ld looks, %ld found the worker's moves, %ld churn ops\n",
		   atomic_long_read(&s->resizes), atomic_long_read(&s->looks),
		   atomic_long_read(&s->moved), atomic_long_read(&s->churn));
	rcumap_hash_destroy(s->h);
	rcumap_hash_barrier();
}

static struct kunit_case rcumap_hash_resize_stress_cases[] = {
	KUNIT_CASE_PARAM(resize_under_load_loses_nothing, rs_writers_gen_params),
	KUNIT_CASE_PARAM(resize_worker_never_undoes_an_explicit_resize,
			 rw_flags_gen_params),
	{}
};

static struct kunit_suite rcumap_hash_resize_stress_suite = {
	.name = "rcumap_hash_resize_stress",
	.test_cases = rcumap_hash_resize_stress_cases,
};

kunit_test_suites(&rcumap_hash_resize_suite, &rcumap_hash_resize_fault_suite,
		  &rcumap_hash_resize_stress_suite);
