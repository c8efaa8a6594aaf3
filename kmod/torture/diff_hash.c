// SPDX-License-Identifier: GPL-2.0
/*
 * The differential check of the hash table (include/linux/rcumap_hash.h)
 * against the reference hash table of diff.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "torture.h"

static const struct tt_hash_shape df_hash_shapes[] = {
	{ 4, 8, 64, 1, 80, 0 },
	{ 8, 0, 512, 0, 640, 0 },
	{ 3, 13, 300, 16, 400, 0 },
	{ 16, 64, 1024, 64, 1200, 0 },	/* the bucket bound wants 16 at least */
	{ 1, 1, 200, 8, 256, 0 },
	{ 256, 4096, 24, 2, 32, 0 },
	{ 12, 24, 2000, 2048, 2500, 0 },
	{ 8, 8, 4096, 256, 4096, 0 },
	{ 8, 16, 2048, 2, 2560, TT_SHRINK },
	{ 5, 8, 512, 0, 640, TT_GROW },
};

/*
 * Compare the whole contents: a positional walk, a get_next_key() walk,
 * and a walk_after() walk of keys alone or with values (in turns) must each
 * return every key of the reference exactly once, with its value where
 * they give it, the last two in the reference's walk order; the counts
 * must agree.
 * A table with flags may be resized by its worker at any moment, and a
 * positional walk is exact only while the table keeps its size: there it
 * is left out.
 */
static void df_hash_compare(struct df *d, const struct tt_hash_shape *s,
			    struct rcumap_hash *h, struct ref_hash *ref)
{
	static const char *const names[] = {
		"positional", "get_next_key", "walk_after keys", "walk_after",
	};
	u32 ks = s->key_size, vs = s->value_size;
	struct ref_entry *e, *want;
	struct rb_node *next;
	u32 n, steps;
	u64 pos = 0;
	int err, walk;

	d->compares++;
	mutex_lock(&ref->lock);
	for (walk = s->flags ? 1 : 0; walk < 4; walk++) {
		bool values = walk == 0 || walk == 3;

		/* The two ordered walks take turns: each costs a seek a key. */
		if (walk == 2 + (d->compares & 1))
			continue;
		d->pass++;
		n = 0;
		steps = 0;
		next = rb_first(&ref->order);
		switch (walk) {
		case 0:
			err = tt_walk(h, &pos, d->key, d->value);
			break;
		case 1:
			err = rcumap_hash_get_next_key(h, NULL, d->key);
			break;
		case 2:
			err = rcumap_hash_walk_after(h, NULL, d->key, NULL);
			break;
		default:
			err = rcumap_hash_walk_after(h, NULL, d->key, d->value);
			break;
		}
		while (!err) {
			e = ref_find(ref, d->key);
			want = next ? rb_entry(next, struct ref_entry, order) :
				      NULL;
			if (!e || e->seen == d->pass ||
			    (values && memcmp(e->data + ks, d->value, vs)) ||
			    (walk && e != want)) {
				tt_fail("diff %u hash op %lu: %s walk: key %*phN %s",
					d->nr, d->op, names[walk],
					(int)min(ks, 16U), d->key,
					!e ? "is not in the reference" :
					e->seen == d->pass ? "came twice" :
					e != want && walk ? "is out of order" :
					"has the wrong value");
				break;
			}
			e->seen = d->pass;
			n++;
			if (walk)
				next = rb_next(next);
			if (++steps > ref->count)
				break;
			memcpy(d->key2, d->key, ks);
			switch (walk) {
			case 0:
				err = tt_walk(h, &pos, d->key, d->value);
				break;
			case 1:
				err = rcumap_hash_get_next_key(h, d->key2,
							       d->key);
				break;
			case 2:
				err = rcumap_hash_walk_after(h, d->key2, d->key,
							     NULL);
				break;
			default:
				err = rcumap_hash_walk_after(h, d->key2, d->key,
							     d->value);
				break;
			}
		}
		if (n != ref->count || (err && err != -ENOENT))
			tt_fail("diff %u hash op %lu: %s walk returned %u of %u keys (%d)",
				d->nr, d->op, names[walk], n, ref->count, err);
	}
	if (rcumap_hash_count(h) != ref->count)
		tt_fail("diff %u hash op %lu: count %u, want %u", d->nr, d->op,
			rcumap_hash_count(h), ref->count);
	mutex_unlock(&ref->lock);
}

/*
 * One step of an ordered walk, walk_after() with or without a value, from
 * NULL, a present key or an absent one (random bytes, or a key id's key
 * with a byte changed): it must return exactly the reference's first key
 * after the cursor in walk order (never the first key, as a restart
 * would), and its value.  Sometimes the cursor and the result share the
 * buffer, as the API allows.
 */
static void df_hash_ordered(struct df *d, const struct tt_hash_shape *s,
			    u32 salt, struct rcumap_hash *h,
			    struct ref_hash *ref)
{
	u32 ks = s->key_size, vs = s->value_size;
	bool from_null = !tt_rand(&d->rnd, 8);
	u8 *key = from_null ? NULL : df_pick_key(d, s, salt, d->key);
	bool with_value = tt_rand(&d->rnd, 2);
	u8 *out = d->key2;
	struct ref_entry *want;
	int err;

	u8 cursor[16];
	char shape[64];

	mutex_lock(&ref->lock);
	want = ref_order_next(ref, key);
	if (key)
		memcpy(cursor, key, min(ks, 16U));
	if (key && !tt_rand(&d->rnd, 4)) {
		memcpy(out, key, ks);
		key = out;
	}
	err = rcumap_hash_walk_after(h, key, out, with_value ? d->value : NULL);
	if (err != (want ? 0 : -ENOENT) ||
	    (want && memcmp(out, want->data, ks)) ||
	    (want && with_value && memcmp(d->value, want->data + ks, vs)))
		tt_fail("diff %u hash op %lu (%s): %s from %s%*phN: %d, key %*phN, want %*phN%s",
			d->nr, d->op, df_shape_str(s, shape, sizeof(shape)),
			with_value ? "walk_after" : "walk_after keys",
			key ? "key " : "NULL", key ? (int)min(ks, 16U) : 0,
			cursor, err, err ? 0 : (int)min(ks, 16U), out,
			want ? (int)min(ks, 16U) : 0, want ? want->data : out,
			want ? "" : " (-ENOENT)");
	mutex_unlock(&ref->lock);
}

/*
 * Resize to a random power of two up to four times larger or smaller
 * than now (one to twice max_entries buckets), or try a bad size, then
 * compare the whole contents: a resize changes nothing a user can see
 * but the bucket count.
 */
static void df_hash_resize(struct df *d, const struct tt_hash_shape *s,
			   struct rcumap_hash *h, struct ref_hash *ref)
{
	u32 max_order = ilog2(roundup_pow_of_two(2 * s->max_entries));
	int order = ilog2(rcumap_hash_nr_buckets(h)) + tt_rand(&d->rnd, 5) - 2;
	u32 target = 1U << clamp_t(int, order, tt_roomy_order(s), max_order);
	int err, want = 0;

	switch (tt_rand(&d->rnd, 16)) {
	case 0:
		target = 0;
		want = -EINVAL;
		break;
	case 1:
		target = RCUMAP_HASH_MAX_BUCKETS + 1;
		want = -EINVAL;
		break;
	case 2:
		/* Below what holds max_entries within the bucket bound. */
		if (tt_min_order(s)) {
			target = (1U << tt_min_order(s)) / 2;
			want = -EINVAL;
		}
		break;
	}
	err = rcumap_hash_resize(h, target);
	if (err == -ENOMEM && !want)
		return;
	/* A shrink that two buckets would not fit in is refused, changing nothing. */
	if (err == -ENOSPC && !want && target < rcumap_hash_nr_buckets(h)) {
		df_hash_compare(d, s, h, ref);
		return;
	}
	if (err != want)
		tt_fail("diff %u hash op %lu: resize to %u buckets: %d, want %d",
			d->nr, d->op, target, err, want);
	else if (!err && !s->flags && rcumap_hash_nr_buckets(h) != target)
		tt_fail("diff %u hash op %lu: resized to %u buckets, has %u",
			d->nr, d->op, target, rcumap_hash_nr_buckets(h));
	d->resizes += !err;
	df_hash_compare(d, s, h, ref);
}

static void df_hash_get_next_key(struct df *d, const struct tt_hash_shape *s,
				 u32 salt, struct rcumap_hash *h,
				 struct ref_hash *ref)
{
	bool from_null = !tt_rand(&d->rnd, 8);
	u8 *key = from_null ? NULL : df_pick_key(d, s, salt, d->key);
	bool present = key && !ref_lookup(ref, key, NULL);
	int err, err0;

	err = rcumap_hash_get_next_key(h, key, d->key2);
	if (!ref->count) {
		if (err != -ENOENT)
			df_fail(d, "hash", s, "get_next_key (empty)",
				key ?: d->key2, err, -ENOENT);
		return;
	}
	if (!present) {
		/* From an absent key, as from NULL: the first key. */
		err0 = rcumap_hash_get_next_key(h, NULL, d->value3);
		if (err || err0 || memcmp(d->key2, d->value3, s->key_size) ||
		    ref_lookup(ref, d->key2, NULL))
			df_fail(d, "hash", s, "get_next_key (from absent)",
				key ?: d->key2, err ?: err0, 0);
		return;
	}
	if (err == -ENOENT)
		return;		/* the last key: the full compare checks it */
	if (err || !memcmp(d->key2, key, s->key_size) ||
	    ref_lookup(ref, d->key2, NULL))
		df_fail(d, "hash", s, "get_next_key (from present)", key, err, 0);
}

static void df_hash_walk_at(struct df *d, const struct tt_hash_shape *s,
			    struct rcumap_hash *h, struct ref_hash *ref)
{
	u32 buckets = rcumap_hash_nr_buckets(h);
	bool with_value = tt_rand(&d->rnd, 4);
	u64 pos, before;
	int err;

	switch (tt_rand(&d->rnd, 3)) {
	case 0:
		pos = tt_rand64(&d->rnd);
		break;
	case 1:
		pos = (u64)tt_rand(&d->rnd, buckets + 2) << 32;
		break;
	default:
		pos = (u64)tt_rand(&d->rnd, buckets) << 32 |
		      tt_rand(&d->rnd, 4);
		break;
	}
	before = pos;
	err = tt_walk(h, &pos, d->key2, with_value ? d->value : NULL);
	if (err == -ENOENT) {
		/*
		 * Resuming where a walk ended ends it again, unless the
		 * table's worker grew it meanwhile.
		 */
		if (s->flags)
			return;
		before = pos;
		err = tt_walk(h, &pos, d->key2, NULL);
		if (err != -ENOENT)
			tt_fail("diff %u hash op %lu: walk resumed at its end %llx: %d",
				d->nr, d->op, before, err);
		return;
	}
	if (err || pos <= before ||
	    ref_lookup(ref, d->key2, d->value2) ||
	    (with_value && memcmp(d->value, d->value2, s->value_size)))
		tt_fail("diff %u hash op %lu: walk from %llx to %llx: %d, key %*phN",
			d->nr, d->op, before, pos, err,
			(int)min(s->key_size, 16U), d->key2);
}

static void df_hash_op(struct df *d, const struct tt_hash_shape *s, u32 salt,
		       struct rcumap_hash *h, struct ref_hash *ref)
{
	u32 vs = s->value_size, op = tt_rand(&d->rnd, 1000);
	u8 *value = d->value + tt_rand(&d->rnd, DF_MISALIGN);
	u8 *key;
	u32 mode;
	int err, want;
	void *v;

	if (!tt_rand(&d->rnd, DF_RESIZE_EVERY))
		df_hash_resize(d, s, h, ref);
	/* Inserts and deletes in proportion to the phase's fill rate. */
	if (op < 400) {
		key = df_pick_key(d, s, salt, d->key);
		if (tt_rand(&d->rnd, 100) < d->fill) {
			mode = tt_rand(&d->rnd, 100);
			mode = mode < 2 ? 3 + tt_rand(&d->rnd, 1000) :
			       mode < 50 ? RCUMAP_ANY :
			       mode < 75 ? RCUMAP_NOEXIST : RCUMAP_EXIST;
			prandom_bytes_state(&d->rnd, value, vs);
			want = ref_update(ref, key, value, mode);
			err = rcumap_hash_update(h, key, value, mode,
						 GFP_KERNEL);
			d->full += want == -E2BIG;
			d->stored += !err;
			if (err != want)
				df_fail(d, "hash", s, "update", key, err, want);
		} else if (tt_rand(&d->rnd, 2)) {
			want = ref_take(ref, key, NULL);
			err = rcumap_hash_delete(h, key);
			if (err != want)
				df_fail(d, "hash", s, "delete", key, err, want);
		} else {
			want = ref_take(ref, key, d->value2);
			err = rcumap_hash_lookup_and_delete(h, key, value);
			if (err != want ||
			    (!err && memcmp(value, d->value2, vs)))
				df_fail(d, "hash", s, "lookup_and_delete", key,
					err, want);
		}
	} else if (op < 650) {
		key = df_pick_key(d, s, salt, d->key);
		want = ref_lookup(ref, key, d->value2);
		err = rcumap_hash_lookup_copy(h, key, value);
		if (err != want || (!err && memcmp(value, d->value2, vs)))
			df_fail(d, "hash", s, "lookup_copy", key, err, want);
	} else if (op < 800) {
		key = df_pick_key(d, s, salt, d->key);
		want = ref_lookup(ref, key, d->value2);
		rcu_read_lock();
		v = rcumap_hash_lookup(h, key);
		err = v ? (memcmp(v, d->value2, vs) ? 1 : 0) : -ENOENT;
		rcu_read_unlock();
		if (err != want)
			df_fail(d, "hash", s, "lookup", key, err, want);
	} else if (op < 860) {
		df_hash_get_next_key(d, s, salt, h, ref);
	} else if (op < 920) {
		df_hash_ordered(d, s, salt, h, ref);
	} else if (op < 999) {
		df_hash_walk_at(d, s, h, ref);
	} else {
		/* O(buckets): rarely.  The worker may resize meanwhile. */
		u32 nr = s->flags ? 1 : rcumap_hash_nr_buckets(h);

		if (rcumap_hash_bytes_used(h) < (size_t)nr * sizeof(void *))
			tt_fail("diff %u hash op %lu: bytes_used %zu", d->nr, d->op,
				rcumap_hash_bytes_used(h));
	}
	if (rcumap_hash_count(h) != ref->count)
		tt_fail("diff %u hash op %lu: count %u, want %u", d->nr, d->op,
			rcumap_hash_count(h), ref->count);
}

/* A new phase: how full the table is to get, from empty to overfull. */

static void df_free_value(void *priv, const void *key, void *value)
{
	struct df *d = priv;

	atomic_long_inc(&d->freed);
}

/*
 * One table's life: create, @ops operations, compare, destroy; then every
 * value a successful update stored must have reached the free callback.
 */
void df_hash_table(struct df *d, unsigned long ops)
{
	const struct tt_hash_shape *s =
		&df_hash_shapes[tt_rand(&d->rnd, ARRAY_SIZE(df_hash_shapes))];
	struct rcumap_hash_params params = tt_hash_params(s, df_free_value, d);
	u32 salt = prandom_u32_state(&d->rnd);
	unsigned long end = d->op + ops, phase_end = 0;
	struct rcumap_hash *h;
	struct ref_hash *ref;

	if (!df_shape_fits(s)) {
		d->op = end;
		return;
	}
	ref = ref_hash_new(s->key_size, s->value_size, s->max_entries, NULL);
	if (!ref) {
		tt_fail("diff: no memory for the reference");
		d->op = end;
		return;
	}
	h = rcumap_hash_create(&params, GFP_KERNEL);
	if (IS_ERR(h)) {
		tt_fail("diff: hash create: %ld", PTR_ERR(h));
		d->op = end;
		goto out_free_ref;
	}
	ref->h = h;
	d->stored = 0;
	atomic_long_set(&d->freed, 0);
	d->hash_tables++;
	for (; d->op < end; d->op++) {
		if (d->op >= phase_end) {
			if (phase_end)
				df_hash_compare(d, s, h, ref);
			df_new_phase(d, &phase_end);
		}
		df_hash_op(d, s, salt, h, ref);
		d->hash_ops++;
		cond_resched();
	}
	df_hash_compare(d, s, h, ref);
	rcumap_hash_destroy(h);
	rcumap_hash_barrier();
	if (atomic_long_read(&d->freed) != d->stored)
		tt_fail("diff %u hash op %lu: %lu values stored, %ld freed",
			d->nr, d->op, d->stored, atomic_long_read(&d->freed));
	d->values_freed += atomic_long_read(&d->freed);
out_free_ref:
	ref_hash_free(ref);
}
