// SPDX-License-Identifier: GPL-2.0
/*
 * The differential check of the LRU hash table
 * (include/linux/rcumap_hash_lru.h) against the reference hash table of
 * diff.c, which has no bound of its own.
 *
 * The table may evict any key but the one an insert just put in, so the
 * reference follows the table: after an update that inserted a key, the
 * keys the table no longer has leave the reference too: one at most, not
 * the key inserted, and only if the insert took the table past
 * max_entries (a replace, a failed update or any other operation may
 * evict nothing).  Then the reference and the table hold
 * the same keys again, and every other operation compares exactly, as
 * for the hash table.  After every update the key updated must be there
 * with the value just written, and the count at most max_entries (see
 * df_lru_bound()); every full compare
 * walks the table in order with rcumap_lru_hash_cursor_next() and finds
 * the reference's latest value for every key.
 *
 * Which key an insert evicts depends on the recency tags, which are
 * per-CPU: a mismatch's "op N" is reproduced by the same seed only if
 * the stream's thread runs on the same CPUs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "torture.h"

static const struct tt_hash_shape df_lru_shapes[] = {
	{ 4, 8, 64, 0, 128, 0 },	/* twice the room */
	{ 8, 16, 128, 16, 200, 0 },
	{ 3, 13, 32, 1, 48, 0 },	/* one bucket */
	{ 8, 8, 96, 4, 160, TT_GROW },	/* grows from four buckets */
};

/*
 * The count bound of @s.  Only inserts in progress may take a table past
 * max_entries (by RCUMAP_LRU_SLACK_PER_CPU per possible CPU), and a
 * stream's table has one caller: between two operations it holds at
 * most max_entries keys.  (An eviction may stop without a victim after
 * RCUMAP_LRU_EMPTY_STEPS runs of RCUMAP_HASH_WALK_BUCKETS empty buckets,
 * 1024 buckets; these tables have at most twice max_entries buckets,
 * 256, as df_lru_resize() leaves them.)
 */
static u32 df_lru_bound(const struct tt_hash_shape *s)
{
	return s->max_entries;
}

static void df_lru_free_value(void *priv, const void *key, void *value)
{
	struct df *d = priv;

	atomic_long_inc(&d->freed);
}

/*
 * The keys the table has lost since the reference was last in step: out
 * of the reference, if @may_evict (the last update inserted @kept, which
 * must stay), else each is a mismatch.  Stops when the counts agree, so
 * it looks at the keys in the reference's order only until it has found
 * as many as are missing: at most the reference's count of lookups.
 */
static void df_lru_follow(struct df *d, const struct tt_hash_shape *s,
			  struct rcumap_lru_hash *lru, struct ref_hash *ref,
			  const u8 *kept, bool may_evict)
{
	const struct rcumap_hash *h = rcumap_lru_hash_table(lru);
	u32 ks = s->key_size, n = rcumap_lru_hash_count(lru);
	struct rb_node *node, *next;
	struct ref_entry *e;
	u32 evicted = 0;
	bool gone;

	if (n > df_lru_bound(s))
		tt_fail("diff %u lru op %lu: count %u, bound %u", d->nr,
			d->op, n, df_lru_bound(s));
	mutex_lock(&ref->lock);
	for (node = rb_first(&ref->order); node && ref->count > n;
	     node = next) {
		next = rb_next(node);
		e = rb_entry(node, struct ref_entry, order);
		/* The inner table's lookup: it marks nothing used. */
		rcu_read_lock();
		gone = !rcumap_hash_lookup(h, e->data);
		rcu_read_unlock();
		if (!gone)
			continue;
		if (!may_evict || (kept && !memcmp(e->data, kept, ks)))
			tt_fail("diff %u lru op %lu: key %*phN left the table%s",
				d->nr, d->op, (int)min(ks, 16U), e->data,
				may_evict ? ", the one just inserted" :
					    " with no insert");
		hlist_del(&e->node);
		rb_erase(&e->order, &ref->order);
		kfree(e);
		ref->count--;
		evicted++;
	}
	/* One insert evicts one key, and only from a table over the room. */
	if (evicted > 1 || (evicted && n < s->max_entries))
		tt_fail("diff %u lru op %lu: %u keys evicted, leaving %u of %u",
			d->nr, d->op, evicted, n, s->max_entries);
	d->evicted += evicted;
	if (ref->count != n)
		tt_fail("diff %u lru op %lu: count %u, the reference %u",
			d->nr, d->op, n, ref->count);
	mutex_unlock(&ref->lock);
}

static int df_lru_step(const void *map, struct rcumap_hash_cursor *c,
		       void *key, void *value)
{
	return rcumap_lru_hash_cursor_next(map, c, key, value);
}

static struct df_cursor_map df_lru_cursor(struct df *d,
					  const struct tt_hash_shape *s,
					  struct rcumap_lru_hash *lru)
{
	return (struct df_cursor_map){
		.name = "lru",
		.step = df_lru_step,
		.map = lru,
		.s = s,
		.vs = s->value_size,
		.value = d->value,
	};
}

/* Every key, in order, with the reference's latest value (diff.c). */
static void df_lru_compare(struct df *d, const struct tt_hash_shape *s,
			   struct rcumap_lru_hash *lru, struct ref_hash *ref)
{
	struct df_cursor_map m = df_lru_cursor(d, s, lru);

	df_cursor_compare(d, &m, ref, rcumap_lru_hash_count(lru));
}

/*
 * An update in any mode (or an invalid one).  The return code is exact:
 * an insert never fails for room, it evicts.  Then the key must be there
 * with the value written (or, after a failure, as before), and the
 * reference follows the table's evictions.
 */
static void df_lru_update(struct df *d, const struct tt_hash_shape *s,
			  u32 salt, struct rcumap_lru_hash *lru,
			  struct ref_hash *ref)
{
	u32 vs = s->value_size, mode = tt_rand(&d->rnd, 100);
	u8 *value = d->value + tt_rand(&d->rnd, DF_MISALIGN);
	u8 *key = df_pick_key(d, s, salt, d->key);
	bool present = !ref_lookup(ref, key, d->value3);
	int err, want;

	mode = mode < 2 ? 3 + tt_rand(&d->rnd, 1000) :
	       mode < 50 ? RCUMAP_ANY :
	       mode < 75 ? RCUMAP_NOEXIST : RCUMAP_EXIST;
	prandom_bytes_state(&d->rnd, value, vs);
	err = rcumap_lru_hash_update(lru, key, value, mode, GFP_KERNEL);
	want = mode > RCUMAP_EXIST ? -EINVAL : tt_update_want(mode, present);
	if (err != want)
		df_fail(d, "lru", s, "update", key, err, want);
	if (!err) {
		d->stored++;
		/* The reference has no bound: this never fails for room. */
		if (ref_update(ref, key, value, RCUMAP_ANY))
			tt_fail("diff %u lru op %lu: the reference is out of memory",
				d->nr, d->op);
	}
	df_lru_follow(d, s, lru, ref, key, !err && !present);
	err = rcumap_lru_hash_lookup_copy(lru, key, d->value2);
	if (err != (!want || present ? 0 : -ENOENT) ||
	    (!err && memcmp(d->value2, !want ? value : d->value3, vs)))
		df_fail(d, "lru", s, "lookup after the update", key, err,
			!want || present ? 0 : -ENOENT);
}

/*
 * A resize to a random power of two up to four times larger or smaller
 * (one bucket to twice max_entries), then a full compare: a resize
 * changes nothing a user can see but the bucket count.
 */
static void df_lru_resize(struct df *d, const struct tt_hash_shape *s,
			  struct rcumap_lru_hash *lru, struct ref_hash *ref)
{
	const struct rcumap_hash *h = rcumap_lru_hash_table(lru);
	u32 max_order = ilog2(roundup_pow_of_two(2 * s->max_entries));
	int order = ilog2(rcumap_hash_nr_buckets(h)) + tt_rand(&d->rnd, 5) - 2;
	u32 target = 1U << clamp_t(int, order, tt_roomy_order(s), max_order);
	int err;

	err = rcumap_lru_hash_resize(lru, target);
	if (err && err != -ENOMEM &&
	    !(err == -ENOSPC && target < rcumap_hash_nr_buckets(h)))
		tt_fail("diff %u lru op %lu: resize to %u buckets: %d", d->nr,
			d->op, target, err);
	else if (!err && !s->flags && rcumap_hash_nr_buckets(h) != target)
		tt_fail("diff %u lru op %lu: resized to %u buckets, has %u",
			d->nr, d->op, target, rcumap_hash_nr_buckets(h));
	d->resizes += !err;
	df_lru_follow(d, s, lru, ref, NULL, false);
	df_lru_compare(d, s, lru, ref);
}

static void df_lru_op(struct df *d, const struct tt_hash_shape *s, u32 salt,
		      struct rcumap_lru_hash *lru, struct ref_hash *ref)
{
	u32 vs = s->value_size, op = tt_rand(&d->rnd, 1000);
	u8 *value = d->value + tt_rand(&d->rnd, DF_MISALIGN);
	u8 *key;
	int err, want;
	void *v;

	if (!tt_rand(&d->rnd, DF_RESIZE_EVERY))
		df_lru_resize(d, s, lru, ref);
	if (op < 400 && tt_rand(&d->rnd, 100) < d->fill) {
		df_lru_update(d, s, salt, lru, ref);
		return;
	}
	key = df_pick_key(d, s, salt, d->key);
	if (op < 400 && tt_rand(&d->rnd, 2)) {
		want = ref_take(ref, key, NULL);
		err = rcumap_lru_hash_delete(lru, key);
		if (err != want)
			df_fail(d, "lru", s, "delete", key, err, want);
	} else if (op < 400) {
		want = ref_take(ref, key, d->value2);
		err = rcumap_lru_hash_lookup_and_delete(lru, key, value);
		if (err != want || (!err && memcmp(value, d->value2, vs)))
			df_fail(d, "lru", s, "lookup_and_delete", key, err, want);
	} else if (op < 650) {
		want = ref_lookup(ref, key, d->value2);
		err = rcumap_lru_hash_lookup_copy(lru, key, value);
		if (err != want || (!err && memcmp(value, d->value2, vs)))
			df_fail(d, "lru", s, "lookup_copy", key, err, want);
	} else if (op < 850) {
		want = ref_lookup(ref, key, d->value2);
		rcu_read_lock();
		v = rcumap_lru_hash_lookup(lru, key);
		err = v ? (memcmp(v, d->value2, vs) ? 1 : 0) : -ENOENT;
		rcu_read_unlock();
		if (err != want)
			df_fail(d, "lru", s, "lookup", key, err, want);
	} else {
		struct df_cursor_map m = df_lru_cursor(d, s, lru);

		df_cursor_ordered(d, &m, ref, tt_rand(&d->rnd, 8) ? key : NULL);
	}
	/* Nothing but an insert evicts. */
	df_lru_follow(d, s, lru, ref, NULL, false);
}

/*
 * One table's life: create, @ops operations, compare, destroy; then every
 * value a successful update stored, evicted ones too, must have reached
 * the free callback.
 */
void df_lru_table(struct df *d, unsigned long ops)
{
	const struct tt_hash_shape *s =
		&df_lru_shapes[tt_rand(&d->rnd, ARRAY_SIZE(df_lru_shapes))];
	struct rcumap_lru_hash_params params = {
		.hash = tt_hash_params(s, df_lru_free_value, d),
	};
	u32 salt = prandom_u32_state(&d->rnd);
	unsigned long end = d->op + ops, phase_end = 0;
	struct rcumap_lru_hash *lru;
	struct ref_hash *ref;

	if (!df_shape_fits(s)) {
		d->op = end;
		return;
	}
	ref = ref_hash_new(s->key_size, s->value_size, U32_MAX, NULL);
	if (!ref) {
		tt_fail("diff: no memory for the reference");
		d->op = end;
		return;
	}
	lru = rcumap_lru_hash_create(&params, GFP_KERNEL);
	if (IS_ERR(lru)) {
		tt_fail("diff: LRU create: %ld", PTR_ERR(lru));
		d->op = end;
		goto out_free_ref;
	}
	ref->h = rcumap_lru_hash_table(lru);
	d->stored = 0;
	atomic_long_set(&d->freed, 0);
	d->lru_tables++;
	for (; d->op < end; d->op++) {
		if (d->op >= phase_end) {
			if (phase_end)
				df_lru_compare(d, s, lru, ref);
			df_new_phase(d, &phase_end);
		}
		df_lru_op(d, s, salt, lru, ref);
		d->lru_ops++;
		cond_resched();
	}
	df_lru_compare(d, s, lru, ref);
	rcumap_lru_hash_destroy(lru);
	rcumap_hash_barrier();
	if (atomic_long_read(&d->freed) != d->stored)
		tt_fail("diff %u lru op %lu: %lu values stored, %ld freed",
			d->nr, d->op, d->stored, atomic_long_read(&d->freed));
	d->values_freed += atomic_long_read(&d->freed);
out_free_ref:
	ref_hash_free(ref);
}
