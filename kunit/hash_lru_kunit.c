// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the rcumap LRU hash table, through its public API
 * (include/linux/rcumap_hash_lru.h) only.
 *
 * Suites:
 *  rcumap_lru_hash        - modes and walks, inserts past max_entries evict
 *                           and never fail, recently looked-up keys survive
 *                           eviction, the free callback sees every evicted
 *                           value once.
 *  rcumap_lru_hash_fault  - allocation failures injected with fail-nth.
 *  rcumap_lru_hash_stress - inserters, readers and deleters on every CPU,
 *                           checking the count, the values and that keys
 *                           go only by eviction.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/rcumap_hash_lru.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "fail_nth.h"
#include "stress.h"

static unsigned int lru_stress_ms = 3000;
module_param(lru_stress_ms, uint, 0444);
MODULE_PARM_DESC(lru_stress_ms, "Run time of each rcumap_lru_hash_stress case in ms (default 3000)");

/*
 * Values of most tests: the key, a version and a check word, so that a
 * value found (or freed) can be told to be whole and to belong to its key.
 */
struct lru_value {
	u64 key;
	u64 version;
	u64 check;
};

static u64 lru_check(u64 key, u64 version)
{
	return (key * 0x9E3779B97F4A7C15ULL) ^ (version << 9) ^ 0xc2b2ae35;
}

static void lru_make(struct lru_value *v, u64 key, u64 version)
{
	v->key = key;
	v->version = version;
	v->check = lru_check(key, version);
}

static bool lru_whole(const struct lru_value *v, u64 key)
{
	return v->key == key && v->check == lru_check(key, v->version);
}

/*
 * What the free callback saw: calls in all, values that were not whole or
 * not their key's, and per key (below @nr_keys) how many values were
 * freed and the highest version freed.
 */
struct lru_free_log {
	atomic_long_t calls;
	atomic_t bad;
	u32 nr_keys;
	atomic_t *freed;
	atomic64_t *max_version;
};

static void lru_free_cb(void *priv, const void *key, void *value)
{
	struct lru_free_log *l = priv;
	const struct lru_value *v = value;
	u64 k = *(const u64 *)key;
	s64 old;

	atomic_long_inc(&l->calls);
	if (!lru_whole(v, k) || k >= l->nr_keys) {
		atomic_inc(&l->bad);
		return;
	}
	atomic_inc(&l->freed[k]);
	old = atomic64_read(&l->max_version[k]);
	while (old < (s64)v->version &&
	       !atomic64_try_cmpxchg(&l->max_version[k], &old, v->version))
		;
}

static struct lru_free_log *new_free_log(struct kunit *test, u32 nr_keys)
{
	struct lru_free_log *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	l->nr_keys = nr_keys;
	l->freed = kunit_kcalloc(test, nr_keys, sizeof(*l->freed), GFP_KERNEL);
	l->max_version = kunit_kcalloc(test, nr_keys, sizeof(*l->max_version),
				       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l->freed);
	KUNIT_ASSERT_NOT_NULL(test, l->max_version);
	return l;
}

static struct rcumap_lru_hash *new_lru(struct kunit *test, u32 max_entries,
				       u32 nr_tags, struct lru_free_log *l)
{
	struct rcumap_lru_hash_params p = {
		.hash = {
			.key_size = sizeof(u64),
			.value_size = sizeof(struct lru_value),
			.max_entries = max_entries,
			.free_value = l ? lru_free_cb : NULL,
			.free_priv = l,
		},
		.nr_tags = nr_tags,
	};
	struct rcumap_lru_hash *lru = rcumap_lru_hash_create(&p, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, lru);
	return lru;
}

static int lru_put(struct rcumap_lru_hash *lru, u64 key, u64 version,
		   u32 mode)
{
	struct lru_value v;

	lru_make(&v, key, version);
	return rcumap_lru_hash_update(lru, &key, &v, mode, GFP_KERNEL);
}

/* Is @key there?  Looks through the inner table: marks nothing used. */
static bool lru_peek(struct rcumap_lru_hash *lru, u64 key)
{
	struct lru_value v;

	return !rcumap_hash_lookup_copy(rcumap_lru_hash_table(lru), &key, &v);
}

struct bad_lru_case {
	const char *name;
	struct rcumap_lru_hash_params p;
};

static const struct bad_lru_case bad_lru_cases[] = {
	{ "unknown flag", { .hash = { .key_size = 8, .value_size = 8,
	  .max_entries = 8 }, .flags = 1 } },
	{ "too many tags", { .hash = { .key_size = 8, .value_size = 8,
	  .max_entries = 8 }, .nr_tags = RCUMAP_LRU_MAX_TAGS + 1 } },
	{ "key size 0", { .hash = { .key_size = 0, .value_size = 8,
	  .max_entries = 8 } } },
	{ "max_entries 0", { .hash = { .key_size = 8, .value_size = 8,
	  .max_entries = 0 } } },
	{ "inner flag", { .hash = { .key_size = 8, .value_size = 8,
	  .max_entries = 8, .flags = 1U << 31 } } },
};

static void bad_lru_desc(const struct bad_lru_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_lru, bad_lru_cases, bad_lru_desc);

static void lru_create_rejects_bad_params(struct kunit *test)
{
	const struct bad_lru_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, PTR_ERR(rcumap_lru_hash_create(&c->p, GFP_KERNEL)),
			-EINVAL);
}

/* Below max_entries the table behaves like a plain rcumap_hash. */
static void lru_update_modes_and_walks(struct kunit *test)
{
	struct rcumap_lru_hash *lru = new_lru(test, 64, 0, NULL);
	const struct rcumap_hash *h = rcumap_lru_hash_table(lru);
	struct lru_value v, *p;
	u64 key, *prev, pos = 0;
	u32 n, seen[4] = {};
	int err;

	key = 1;
	KUNIT_EXPECT_EQ(test, lru_put(lru, key, 1, RCUMAP_EXIST), -ENOENT);
	KUNIT_EXPECT_EQ(test, lru_put(lru, key, 1, RCUMAP_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, lru_put(lru, key, 2, RCUMAP_NOEXIST), -EEXIST);
	KUNIT_EXPECT_EQ(test, lru_put(lru, key, 3, RCUMAP_EXIST), 0);
	KUNIT_EXPECT_EQ(test, lru_put(lru, key, 4, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, rcumap_lru_hash_lookup_copy(lru, &key, &v), 0);
	KUNIT_EXPECT_EQ(test, v.version, 3ULL);
	rcu_read_lock();
	p = rcumap_lru_hash_lookup(lru, &key);
	KUNIT_EXPECT_NOT_NULL(test, p);
	if (p)
		KUNIT_EXPECT_TRUE(test, lru_whole(p, key) && p->version == 3);
	rcu_read_unlock();

	for (key = 2; key <= 32; key++)
		KUNIT_EXPECT_EQ(test, lru_put(lru, key, 1, RCUMAP_ANY), 0);
	KUNIT_EXPECT_EQ(test, rcumap_lru_hash_count(lru), 32U);
	KUNIT_EXPECT_EQ(test, rcumap_hash_count(h), 32U);
	key = 5;
	KUNIT_EXPECT_EQ(test, rcumap_lru_hash_delete(lru, &key), 0);
	KUNIT_EXPECT_EQ(test, rcumap_lru_hash_delete(lru, &key), -ENOENT);
	key = 6;
	KUNIT_EXPECT_EQ(test, rcumap_lru_hash_lookup_and_delete(lru, &key, &v), 0);
	KUNIT_EXPECT_TRUE(test, lru_whole(&v, 6));
	KUNIT_EXPECT_EQ(test, rcumap_lru_hash_lookup_copy(lru, &key, &v), -ENOENT);
	KUNIT_EXPECT_EQ(test, rcumap_lru_hash_count(lru), 30U);

	n = 0;
	while (!rcumap_lru_hash_walk(lru, &pos, &key, &v)) {
		KUNIT_EXPECT_TRUE(test, lru_whole(&v, key));
		n++;
	}
	seen[0] = n;
	n = 0;
	prev = NULL;
	while (!rcumap_lru_hash_walk_after(lru, prev, &key, &v)) {
		KUNIT_EXPECT_TRUE(test, lru_whole(&v, key));
		prev = &key;
		n++;
	}
	seen[1] = n;
	n = 0;
	for (err = rcumap_lru_hash_get_next_key(lru, NULL, &key); !err;
	     err = rcumap_lru_hash_get_next_key(lru, &key, &key))
		n++;
	seen[2] = n;
	n = 0;
	for (err = rcumap_lru_hash_walk_after(lru, NULL, &key, NULL); !err;
	     err = rcumap_lru_hash_walk_after(lru, &key, &key, NULL))
		n++;
	seen[3] = n;
	for (n = 0; n < 4; n++)
		KUNIT_EXPECT_EQ_MSG(test, seen[n], 30U, "walk %u", n);
	KUNIT_EXPECT_GT(test, rcumap_lru_hash_bytes_used(lru),
			rcumap_hash_bytes_used(h));
	rcumap_lru_hash_destroy(lru);
}

/*
 * Inserting past max_entries evicts and never fails; the count never
 * passes max_entries; the free callback gets every evicted value exactly
 * once, and destroy hands over the rest.
 */
static void lru_insert_past_max_entries_evicts(struct kunit *test)
{
	const u32 max = 64, nr = 1000;
	struct lru_free_log *l = new_free_log(test, nr);
	struct rcumap_lru_hash *lru = new_lru(test, max, 0, l);
	struct rcumap_lru_hash_stats st;
	u32 i, present = 0, failed = 0;

	for (i = 0; i < nr; i++) {
		failed += lru_put(lru, i, 1, RCUMAP_NOEXIST) != 0;
		KUNIT_EXPECT_EQ(test, rcumap_lru_hash_count(lru), min(i + 1, max));
		/* The key just inserted is there. */
		KUNIT_EXPECT_TRUE(test, lru_peek(lru, i));
	}
	KUNIT_EXPECT_EQ(test, failed, 0U);
	rcumap_lru_hash_get_stats(lru, &st);
	KUNIT_EXPECT_EQ(test, st.evictions, (u64)(nr - max));

	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&l->calls), (long)(nr - max));
	for (i = 0; i < nr; i++) {
		bool here = lru_peek(lru, i);

		present += here;
		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&l->freed[i]), here ? 0 : 1,
				    "key %u", i);
	}
	KUNIT_EXPECT_EQ(test, present, max);
	rcumap_lru_hash_destroy(lru);
	rcumap_hash_barrier();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&l->calls), (long)nr);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->bad), 0);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ(test, atomic_read(&l->freed[i]), 1);
}

/* Inserts that evict from BH-disabled context, with GFP_ATOMIC. */
static void lru_evicts_in_atomic_context(struct kunit *test)
{
	struct rcumap_lru_hash *lru = new_lru(test, 16, 0, NULL);
	struct lru_value v;
	u32 failed = 0;
	u64 key;

	for (key = 0; key < 200; key++) {
		lru_make(&v, key, 1);
		local_bh_disable();
		failed += rcumap_lru_hash_update(lru, &key, &v, RCUMAP_ANY,
						 GFP_ATOMIC) != 0;
		local_bh_enable();
	}
	KUNIT_EXPECT_EQ(test, failed, 0U);
	KUNIT_EXPECT_EQ(test, rcumap_lru_hash_count(lru), 16U);
	rcumap_lru_hash_destroy(lru);
}

/* ---- Recency ---------------------------------------------------------- */

enum lru_touch {
	LRU_TOUCH_LOOKUP,	/* rcumap_lru_hash_lookup() */
	LRU_TOUCH_COPY,		/* rcumap_lru_hash_lookup_copy() */
	LRU_TOUCH_PEEK,		/* the inner table: marks nothing */
	LRU_TOUCH_RESIZE,	/* lookup, in a table resized all along */
	LRU_TOUCH_BULK,		/* rcumap_lru_hash_lookup_bulk() */
	LRU_TOUCH_BULK_COPY,	/* rcumap_lru_hash_lookup_bulk_copy() */
};

static const enum lru_touch lru_touches[] = {
	LRU_TOUCH_LOOKUP, LRU_TOUCH_COPY, LRU_TOUCH_PEEK, LRU_TOUCH_RESIZE,
	LRU_TOUCH_BULK, LRU_TOUCH_BULK_COPY,
};

static void lru_touch_desc(const enum lru_touch *t, char *desc)
{
	static const char * const names[] = {
		"rcumap_lru_hash_lookup", "rcumap_lru_hash_lookup_copy",
		"inner table lookup (no mark)",
		"rcumap_lru_hash_lookup, resizing between inserts",
		"rcumap_lru_hash_lookup_bulk",
		"rcumap_lru_hash_lookup_bulk_copy",
	};

	strscpy(desc, names[*t], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(lru_touch, lru_touches, lru_touch_desc);

#define LRU_HOT_MAX	256
#define LRU_HOT_EVERY	16
#define LRU_HOT_INSERTS	(4 * LRU_HOT_MAX)
#define LRU_HOT_KEYS	(LRU_HOT_MAX / LRU_HOT_EVERY)

/* Look the hot keys up in one bulk call: how many were missing. */
static u32 lru_touch_bulk(struct lru_value *v, struct rcumap_lru_hash *lru,
			  bool copy)
{
	u64 keys[LRU_HOT_KEYS];
	void *values[LRU_HOT_KEYS];
	DECLARE_BITMAP(found, LRU_HOT_KEYS);
	u32 i, hits;

	for (i = 0; i < LRU_HOT_KEYS; i++)
		keys[i] = i * LRU_HOT_EVERY;
	if (copy)
		return LRU_HOT_KEYS -
		       rcumap_lru_hash_lookup_bulk_copy(lru, keys, LRU_HOT_KEYS,
							v, found);
	rcu_read_lock();
	hits = rcumap_lru_hash_lookup_bulk(lru, keys, LRU_HOT_KEYS, values);
	rcu_read_unlock();
	return LRU_HOT_KEYS - hits;
}

/*
 * Fill the table, then insert 4 * max_entries new keys, looking up one key
 * in 16 of the first fill before each insert.  Deterministic, not a
 * matter of timing:
 *
 *  - Before every eviction each looked-up key has its tag set, and the
 *    hand never passes more than 16 tagged keys in a row (only they are
 *    ever looked up, and updates mark nothing), far fewer than
 *    RCUMAP_LRU_SCAN_LIMIT: so no eviction is forced and every one takes
 *    an untouched key.  A looked-up key loses its tag only to a set of 4
 *    ways holding 5 of the 16 keys: 4096 tags (1024 sets) make that a
 *    chance of about 4e-9.
 *  - The hand visits every key of the table in one turn and evicts every
 *    untouched one it visits, so the untouched keys of the first fill are
 *    gone once the first turn ends.  A turn ends after the keys of the
 *    fill plus the new keys that landed ahead of the hand: about twice 240
 *    evictions; 1024 leave no room for chance.
 *
 * Looking keys up through the inner table marks nothing: then the "hot"
 * keys go like the rest.  Resizes between inserts change nothing: the
 * hand's ordered walk neither skips nor repeats keys across them.
 */
static void lru_recently_used_keys_survive(struct kunit *test)
{
	const enum lru_touch touch = *(const enum lru_touch *)test->param_value;
	struct rcumap_lru_hash *lru = new_lru(test, LRU_HOT_MAX, 4096, NULL);
	struct rcumap_lru_hash_stats st;
	u32 i, hot_left = 0, cold_left = 0, failed = 0;
	struct lru_value v, *bulk_v;
	u64 key;

	bulk_v = kunit_kcalloc(test, LRU_HOT_KEYS, sizeof(*bulk_v), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bulk_v);

	for (key = 0; key < LRU_HOT_MAX; key++)
		KUNIT_ASSERT_EQ(test, lru_put(lru, key, 1, RCUMAP_NOEXIST), 0);
	for (i = 0; i < LRU_HOT_INSERTS; i++) {
		if (touch == LRU_TOUCH_BULK || touch == LRU_TOUCH_BULK_COPY)
			failed += lru_touch_bulk(bulk_v, lru,
						 touch == LRU_TOUCH_BULK_COPY);
		for (key = 0; key < LRU_HOT_MAX; key += LRU_HOT_EVERY) {
			switch (touch) {
			case LRU_TOUCH_LOOKUP:
			case LRU_TOUCH_RESIZE:
				rcu_read_lock();
				if (!rcumap_lru_hash_lookup(lru, &key))
					failed++;
				rcu_read_unlock();
				break;
			case LRU_TOUCH_COPY:
				failed += rcumap_lru_hash_lookup_copy(lru, &key,
								      &v) != 0;
				break;
			case LRU_TOUCH_BULK:
			case LRU_TOUCH_BULK_COPY:
				break;
			default:
				lru_peek(lru, key);
				break;
			}
		}
		KUNIT_ASSERT_EQ(test, lru_put(lru, 1000 + i, 1, RCUMAP_NOEXIST), 0);
		KUNIT_ASSERT_EQ(test, rcumap_lru_hash_count(lru), LRU_HOT_MAX);
		if (touch == LRU_TOUCH_RESIZE && !(i % 16)) {
			/* 16 to 512: far from the bound at LRU_HOT_MAX keys. */
			u32 buckets = 1U << (4 + (i / 16) % 6);

			KUNIT_ASSERT_EQ(test, rcumap_lru_hash_resize(lru, buckets), 0);
		}
		cond_resched();
	}
	for (key = 0; key < LRU_HOT_MAX; key++) {
		if (key % LRU_HOT_EVERY)
			cold_left += lru_peek(lru, key);
		else
			hot_left += lru_peek(lru, key);
	}
	rcumap_lru_hash_get_stats(lru, &st);
	kunit_info(test, "%llu evictions, %llu forced, %llu second chances\n",
		   st.evictions, st.forced, st.second_chances);
	KUNIT_EXPECT_EQ(test, st.evictions, (u64)LRU_HOT_INSERTS);
	KUNIT_EXPECT_EQ(test, cold_left, 0U);
	if (touch == LRU_TOUCH_PEEK) {
		KUNIT_EXPECT_EQ(test, hot_left, 0U);
		KUNIT_EXPECT_EQ(test, st.second_chances, 0ULL);
	} else {
		KUNIT_EXPECT_EQ(test, failed, 0U);
		KUNIT_EXPECT_EQ(test, hot_left, LRU_HOT_KEYS);
		KUNIT_EXPECT_EQ(test, st.forced, 0ULL);
		KUNIT_EXPECT_GT(test, st.second_chances, 0ULL);
	}
	rcumap_lru_hash_destroy(lru);
}

/*
 * Every key looked up: the hand passes RCUMAP_LRU_SCAN_LIMIT of them and
 * then evicts anyway, so the insert still succeeds.
 */
static void lru_evicts_when_every_key_is_used(struct kunit *test)
{
	const u32 max = 2 * RCUMAP_LRU_SCAN_LIMIT;
	/* 16384 sets of 4: no key loses its tag to the others but by ~2e-9. */
	struct rcumap_lru_hash *lru = new_lru(test, max, SZ_64K, NULL);
	struct rcumap_lru_hash_stats st;
	struct lru_value v;
	u64 key;

	for (key = 0; key < max; key++)
		KUNIT_ASSERT_EQ(test, lru_put(lru, key, 1, RCUMAP_NOEXIST), 0);
	for (key = 0; key < max; key++)
		KUNIT_EXPECT_EQ(test, rcumap_lru_hash_lookup_copy(lru, &key, &v), 0);
	KUNIT_EXPECT_EQ(test, lru_put(lru, max, 1, RCUMAP_NOEXIST), 0);
	KUNIT_EXPECT_EQ(test, rcumap_lru_hash_count(lru), max);
	rcumap_lru_hash_get_stats(lru, &st);
	KUNIT_EXPECT_EQ(test, st.evictions, 1ULL);
	KUNIT_EXPECT_EQ(test, st.forced, 1ULL);
	KUNIT_EXPECT_EQ(test, st.second_chances, (u64)RCUMAP_LRU_SCAN_LIMIT);
	rcumap_lru_hash_destroy(lru);
}

/*
 * What marking costs a hit: the same lookups of 64 hot keys through the
 * inner table and through the LRU layer (whose tags are then all set, so
 * it stores nothing).  Reported, not judged: under TCG and the debug or
 * KCSAN instrumentation only the ratio means anything.
 */
static void lru_lookup_cost(struct kunit *test)
{
	struct rcumap_lru_hash *lru = new_lru(test, 1024, 0, NULL);
	const struct rcumap_hash *h = rcumap_lru_hash_table(lru);
	const u32 rounds = 1000;
	u64 key, t0, t1, t2, hits = 0;
	u32 r;

	for (key = 0; key < 1024; key++)
		KUNIT_ASSERT_EQ(test, lru_put(lru, key, 1, RCUMAP_NOEXIST), 0);
	/* Warm up: every hot key tagged on this CPU. */
	preempt_disable();
	for (key = 0; key < 64; key++)
		hits += !!rcumap_lru_hash_lookup(lru, &key);
	t0 = ktime_get_ns();
	for (r = 0; r < rounds; r++)
		for (key = 0; key < 64; key++)
			hits += !!rcumap_hash_lookup(h, &key);
	t1 = ktime_get_ns();
	for (r = 0; r < rounds; r++)
		for (key = 0; key < 64; key++)
			hits += !!rcumap_lru_hash_lookup(lru, &key);
	t2 = ktime_get_ns();
	preempt_enable();
	KUNIT_EXPECT_EQ(test, hits, 64ULL + 2 * 64 * rounds);
	kunit_info(test, "hit: inner %llu ns, LRU %llu ns (%llu%%)\n",
		   (t1 - t0) / (64 * rounds), (t2 - t1) / (64 * rounds),
		   (t2 - t1) * 100 / max(t1 - t0, 1ULL));
	rcumap_lru_hash_destroy(lru);
}

/*
 * Eviction is bounded whatever keys the table holds.  Keys that all fall
 * in the first sixteenth of the walk order (256 keys over the first 256 of
 * 4096 buckets) leave a run of 3840 empty buckets that the hand crosses on
 * every turn: an eviction that has taken RCUMAP_LRU_EMPTY_STEPS steps of
 * RCUMAP_HASH_WALK_BUCKETS empty buckets stops there without a victim
 * (stats.stopped), and the next one goes on from where it stopped.  The
 * count never passes max_entries by more than the slack, every insert
 * still succeeds (four stopped evictions cross the whole run, so the eight
 * an insert may make always find a victim), and every key that left was
 * evicted.
 */
static void lru_eviction_stops_in_empty_runs(struct kunit *test)
{
	const u32 max = 256, nr = 8 * max, order = 12;
	struct rcumap_lru_hash_params p = {
		.hash = {
			.key_size = sizeof(u64),
			.value_size = sizeof(struct lru_value),
			.max_entries = max,
			.nr_buckets = 1U << order,
		},
	};
	u32 slack = RCUMAP_LRU_SLACK_PER_CPU * num_possible_cpus();
	struct rcumap_lru_hash_stats st;
	struct rcumap_lru_hash *lru;
	const struct rcumap_hash *h;
	u64 key = 0;
	u32 i;

	lru = rcumap_lru_hash_create(&p, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, lru);
	h = rcumap_lru_hash_table(lru);
	for (i = 0; i < nr; i++) {
		do {
			key++;
		} while (rcumap_hash_key_pos(h, &key) >= 1U << (32 - 4));
		KUNIT_ASSERT_EQ(test, lru_put(lru, key, 1, RCUMAP_NOEXIST), 0);
		KUNIT_ASSERT_LE(test, rcumap_lru_hash_count(lru), max + slack);
	}
	rcumap_lru_hash_get_stats(lru, &st);
	kunit_info(test, "%llu evictions, %llu stopped\n", st.evictions,
		   st.stopped);
	KUNIT_EXPECT_GT(test, st.stopped, 0ULL);
	KUNIT_EXPECT_EQ(test, st.evictions,
			(u64)(nr - rcumap_lru_hash_count(lru)));
	rcumap_lru_hash_destroy(lru);
}

static struct kunit_case rcumap_lru_hash_cases[] = {
	KUNIT_CASE_PARAM(lru_create_rejects_bad_params, bad_lru_gen_params),
	KUNIT_CASE(lru_update_modes_and_walks),
	KUNIT_CASE(lru_insert_past_max_entries_evicts),
	KUNIT_CASE(lru_evicts_in_atomic_context),
	KUNIT_CASE_PARAM(lru_recently_used_keys_survive, lru_touch_gen_params),
	KUNIT_CASE(lru_evicts_when_every_key_is_used),
	KUNIT_CASE(lru_lookup_cost),
	KUNIT_CASE(lru_eviction_stops_in_empty_runs),
	{}
};

static struct kunit_suite rcumap_lru_hash_suite = {
	.name = "rcumap_lru_hash",
	.test_cases = rcumap_lru_hash_cases,
};

/* ---- Allocation failures ------------------------------------------- */

#define LRU_FAULT_MAX	16

/*
 * Sweep fail-nth over an insert into a full table.  An insert that fails
 * (-ENOMEM: its bucket could not be allocated) leaves the table exactly as
 * it was: the new key out, every other key in with its value, the count
 * at max_entries, nothing evicted, because the insert comes before the
 * eviction.  One that succeeds is in, and evicted exactly one other key.
 * After each step the table is filled up again.
 */
static void lru_insert_alloc_failure(struct kunit *test)
{
	const u32 nr_keys = 2048;
	struct lru_free_log *l = new_free_log(test, nr_keys);
	struct rcumap_lru_hash *lru = new_lru(test, LRU_FAULT_MAX, 0, l);
	unsigned long *was = kunit_kcalloc(test, BITS_TO_LONGS(nr_keys),
					   sizeof(long), GFP_KERNEL);
	struct rcumap_lru_hash_stats st;
	u32 nth, failures = 0, inserted = 0;
	u64 key, next = 0;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, was);
	for (; next < LRU_FAULT_MAX; next++, inserted++)
		KUNIT_ASSERT_EQ(test, lru_put(lru, next, 1, RCUMAP_NOEXIST), 0);
	for (nth = 1; nth < 500; nth++) {
		u32 before = rcumap_lru_hash_count(lru), left = 0, gone = 0;
		struct lru_value v;
		u64 k;

		KUNIT_ASSERT_LT(test, next, (u64)nr_keys);
		bitmap_zero(was, nr_keys);
		for (k = 0; k < next; k++)
			if (lru_peek(lru, k))
				__set_bit(k, was);
		key = next++;
		lru_make(&v, key, 1);
		fail_nth_arm(nth);
		err = rcumap_lru_hash_update(lru, &key, &v, RCUMAP_NOEXIST,
					     GFP_KERNEL);
		if (!fail_nth_fired()) {
			KUNIT_EXPECT_EQ(test, err, 0);
			inserted++;
			break;
		}
		KUNIT_EXPECT_EQ(test, rcumap_lru_hash_count(lru), before);
		if (err) {
			KUNIT_EXPECT_EQ(test, err, -ENOMEM);
			KUNIT_EXPECT_FALSE(test, lru_peek(lru, key));
			failures++;
		} else {
			KUNIT_EXPECT_TRUE(test, lru_peek(lru, key));
			inserted++;
		}
		for (k = 0; k < key; k++) {
			if (rcumap_hash_lookup_copy(rcumap_lru_hash_table(lru),
						    &k, &v)) {
				gone += test_bit(k, was);
				continue;
			}
			KUNIT_EXPECT_TRUE_MSG(test, test_bit(k, was),
					      "key %llu came back", k);
			KUNIT_EXPECT_TRUE(test, lru_whole(&v, k) &&
					  v.version == 1);
			left++;
		}
		KUNIT_EXPECT_EQ_MSG(test, gone, err ? 0U : 1U, "nth %u", nth);
		KUNIT_EXPECT_EQ(test, left + !err, before);
		/* Refill. */
		while (rcumap_lru_hash_count(lru) < LRU_FAULT_MAX) {
			KUNIT_ASSERT_EQ(test, lru_put(lru, next++, 1,
						      RCUMAP_NOEXIST), 0);
			inserted++;
		}
	}
	KUNIT_EXPECT_LT(test, nth, 500U);
	KUNIT_EXPECT_GT_MSG(test, failures, 0U, "no allocation failed: %s",
			    "is failslab's ignore-gfp-wait N?");
	rcumap_lru_hash_get_stats(lru, &st);
	KUNIT_EXPECT_EQ(test, (u64)inserted,
			st.evictions + rcumap_lru_hash_count(lru));
	rcumap_lru_hash_destroy(lru);
	rcumap_hash_barrier();
	/* Every value that got in was freed once; the failed ones never got in. */
	KUNIT_EXPECT_EQ(test, atomic_long_read(&l->calls), (long)inserted);
	KUNIT_EXPECT_EQ(test, atomic_read(&l->bad), 0);
}

/*
 * Sweep fail-nth over create: every injected failure gives -ENOMEM and
 * leaks nothing (kmemleak checks), the table finally created works, and
 * destroying NULL does nothing.  The smallest tag array: a larger one
 * takes per-CPU chunks of 32 KiB, whose failure pcpu_alloc() reports
 * with a stack dump.
 */
static void lru_create_alloc_failure_is_clean(struct kunit *test)
{
	struct rcumap_lru_hash_params p = {
		.hash = {
			.key_size = sizeof(u64),
			.value_size = sizeof(struct lru_value),
			.max_entries = 64,
		},
		.nr_tags = RCUMAP_LRU_MIN_TAGS,
	};
	struct rcumap_lru_hash *lru = NULL;
	u32 nth, failures = 0;

	for (nth = 1; nth < 100; nth++) {
		fail_nth_arm(nth);
		lru = rcumap_lru_hash_create(&p, GFP_KERNEL);
		if (!fail_nth_fired())
			break;
		if (IS_ERR(lru)) {
			KUNIT_EXPECT_EQ(test, PTR_ERR(lru), -ENOMEM);
			failures++;
		} else {
			rcumap_lru_hash_destroy(lru);
		}
		lru = NULL;
	}
	KUNIT_EXPECT_GT(test, failures, 0U);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, lru);
	KUNIT_EXPECT_EQ(test, lru_put(lru, 1, 1, RCUMAP_NOEXIST), 0);
	KUNIT_EXPECT_TRUE(test, lru_peek(lru, 1));
	rcumap_lru_hash_destroy(lru);
	rcumap_lru_hash_destroy(NULL);
}

static struct kunit_case rcumap_lru_hash_fault_cases[] = {
	KUNIT_CASE(lru_insert_alloc_failure),
	KUNIT_CASE(lru_create_alloc_failure_is_clean),
	{}
};

static struct kunit_suite rcumap_lru_hash_fault_suite = {
	.name = "rcumap_lru_hash_fault",
	.init = fail_nth_suite_init,
	.test_cases = rcumap_lru_hash_fault_cases,
};

/* ---- Concurrency ----------------------------------------------------- */

/*
 * Threads own disjoint keys (key % nr == id) in a key space four times
 * max_entries, and insert, replace, look up, delete and lookup_and_delete
 * them at random, while every lookup they make of any key checks that the
 * value is whole and its key's.  Only eviction removes a key its owner
 * thinks present; at the end each such key must have had its latest
 * version handed to the free callback.  The count is sampled after every
 * operation and must never pass max_entries by more than the slack that
 * inserts between their insert and their eviction may take (a hard limit
 * of the inner table), must be at most max_entries once every thread has
 * stopped, and every value that got in must reach the free callback
 * exactly once by the end.
 */
#define LRU_STRESS_SLACK	(num_possible_cpus() * RCUMAP_LRU_SLACK_PER_CPU)
#define LRU_STRESS_MAX	128
#define LRU_STRESS_KEYS	(4 * LRU_STRESS_MAX)

struct lru_stress {
	struct rcumap_lru_hash *lru;
	struct lru_free_log *log;
	u32 nr;
	struct stress_errors err;
	atomic_long_t values_in;	/* successful updates */
	atomic_long_t ops;
	atomic_long_t e2big;
	u64 version[LRU_STRESS_KEYS];	/* written by the owner only */
	bool present[LRU_STRESS_KEYS];	/* likewise: what the owner did */
};

struct lru_stress_thread {
	struct lru_stress *s;
	u32 id;
};

static void lru_stress_step(struct lru_stress *s, u32 id, struct rnd_state *rnd)
{
	u64 key = prandom_u32_state(rnd) % (LRU_STRESS_KEYS / s->nr) * s->nr + id;
	u64 any = prandom_u32_state(rnd) % LRU_STRESS_KEYS;
	u64 version = s->version[key] + 1;
	struct lru_value v, *p;
	u32 count;
	int err;

	/* Any key, anyone's: whatever is found is whole. */
	rcu_read_lock();
	p = rcumap_lru_hash_lookup(s->lru, &any);
	if (p && !lru_whole(p, any))
		stress_fail(&s->err, "torn value for key %llu", any);
	rcu_read_unlock();

	lru_make(&v, key, version);
	switch (prandom_u32_state(rnd) % 6) {
	case 0:
	case 1:
		err = rcumap_lru_hash_update(s->lru, &key, &v, RCUMAP_ANY,
					     GFP_KERNEL);
		goto updated;
	case 2:
		err = rcumap_lru_hash_update(s->lru, &key, &v, RCUMAP_NOEXIST,
					     GFP_KERNEL);
		if (err == -EEXIST && !s->present[key])
			stress_fail(&s->err, "key %llu exists, never inserted",
				    key);
		goto updated;
	case 3:
		err = rcumap_lru_hash_delete(s->lru, &key);
		if (!err && !s->present[key])
			stress_fail(&s->err, "deleted key %llu never inserted",
				    key);
		s->present[key] = false;
		break;
	case 4:
		err = rcumap_lru_hash_lookup_and_delete(s->lru, &key, &v);
		if (!err && (!s->present[key] || !lru_whole(&v, key) ||
			     v.version != s->version[key]))
			stress_fail(&s->err, "lookup_and_delete of %llu: version %llu, want %llu",
				    key, v.version, s->version[key]);
		s->present[key] = false;
		break;
	default:
		err = rcumap_lru_hash_lookup_copy(s->lru, &key, &v);
		if (!err && (!s->present[key] || !lru_whole(&v, key) ||
			     v.version != s->version[key]))
			stress_fail(&s->err, "lookup of %llu: version %llu, want %llu (present %d)",
				    key, v.version, s->version[key],
				    s->present[key]);
		if (err)
			s->present[key] = false;	/* evicted */
		break;
	}
	goto counted;

updated:
	if (!err) {
		atomic_long_inc(&s->values_in);
		s->version[key] = version;
		s->present[key] = true;
	} else if (err == -E2BIG) {
		atomic_long_inc(&s->e2big);
	} else if (err != -EEXIST && err != -ENOENT) {
		stress_fail(&s->err, "update of %llu: %d", key, err);
	}
counted:
	count = rcumap_lru_hash_count(s->lru);
	if (count > LRU_STRESS_MAX + LRU_STRESS_SLACK)
		stress_fail(&s->err, "count %u > max_entries + slack", count);
	atomic_long_inc(&s->ops);
}

static int lru_stress_fn(void *arg)
{
	struct lru_stress_thread *t = arg;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, 0x5eed1ULL * (t->id + 1));
	while (!kthread_should_stop()) {
		lru_stress_step(t->s, t->id, &rnd);
		cond_resched();
	}
	return 0;
}

static const u32 lru_stress_threads_per_cpu[] = { 1, 3 };

static void lru_stress_desc(const u32 *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u threads per CPU", *n);
}

KUNIT_ARRAY_PARAM(lru_stress_threads, lru_stress_threads_per_cpu,
		  lru_stress_desc);

static void lru_stress_keys_go_only_by_eviction(struct kunit *test)
{
	const u32 per_cpu = *(const u32 *)test->param_value;
	const u32 nr = per_cpu * num_online_cpus();
	struct lru_stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct lru_stress_thread *t = kunit_kcalloc(test, nr, sizeof(*t),
						    GFP_KERNEL);
	struct rcumap_lru_hash_stats st;
	u32 i, here = 0, evicted = 0;
	struct lru_value v;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, t);
	s->log = new_free_log(test, LRU_STRESS_KEYS);
	s->lru = new_lru(test, LRU_STRESS_MAX, 0, s->log);
	s->nr = nr;
	for (i = 0; i < nr; i++) {
		t[i].s = s;
		t[i].id = i;
	}
	stress_run(test, &(struct stress_run){
		.name = "rcumap_lru", .fn = lru_stress_fn,
		.args = t, .size = sizeof(*t), .nr = nr,
		.ms = lru_stress_ms, .bind = true, .err = &s->err,
	});

	/* Quiescent: every owner's view against the table and the log. */
	rcu_barrier();
	KUNIT_EXPECT_LE(test, rcumap_lru_hash_count(s->lru), LRU_STRESS_MAX);
	for (i = 0; i < LRU_STRESS_KEYS; i++) {
		u64 key = i;
		int err = rcumap_hash_lookup_copy(rcumap_lru_hash_table(s->lru),
						  &key, &v);

		if (!err) {
			here++;
			KUNIT_EXPECT_TRUE_MSG(test, s->present[i],
					      "key %u there, owner deleted it", i);
			KUNIT_EXPECT_EQ(test, v.version, s->version[i]);
		} else if (s->present[i]) {
			/* Gone while its owner holds it: evicted, and freed. */
			evicted++;
			KUNIT_EXPECT_GE_MSG(test,
					    atomic64_read(&s->log->max_version[i]),
					    (s64)s->version[i],
					    "key %u lost, not by eviction", i);
		}
	}
	KUNIT_EXPECT_EQ(test, rcumap_lru_hash_count(s->lru), here);
	KUNIT_EXPECT_LE(test, here, (u32)LRU_STRESS_MAX);
	rcumap_lru_hash_get_stats(s->lru, &st);
	KUNIT_EXPECT_GT(test, st.evictions, 0ULL);
	kunit_info(test, "%ld ops, %ld values, %llu evictions (%llu forced), %ld -E2BIG, %u evicted keys held\n",
		   atomic_long_read(&s->ops), atomic_long_read(&s->values_in),
		   st.evictions, st.forced, atomic_long_read(&s->e2big),
		   evicted);
	rcumap_lru_hash_destroy(s->lru);
	rcumap_hash_barrier();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->log->calls),
			atomic_long_read(&s->values_in));
	KUNIT_EXPECT_EQ(test, atomic_read(&s->log->bad), 0);
}

static struct kunit_case rcumap_lru_hash_stress_cases[] = {
	KUNIT_CASE_PARAM(lru_stress_keys_go_only_by_eviction,
			 lru_stress_threads_gen_params),
	{}
};

static struct kunit_suite rcumap_lru_hash_stress_suite = {
	.name = "rcumap_lru_hash_stress",
	.test_cases = rcumap_lru_hash_stress_cases,
};

kunit_test_suites(&rcumap_lru_hash_suite, &rcumap_lru_hash_fault_suite,
		  &rcumap_lru_hash_stress_suite);
