// SPDX-License-Identifier: GPL-2.0
/*
 * The torture of the hash table (include/linux/rcumap_hash.h): what the
 * workers and readers do to a round's table, its free callback, the
 * resizer thread and the checks at the end of a round.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "torture.h"

const struct tt_hash_shape tt_hash_shapes[] = {
	{ 8, 24, 1024, 64, 1024, 0 },	/* many keys per bucket */
	{ 4, 64, RCUMAP_HASH_BUCKET_MAX, 1, 80, 0 },	/* one bucket, at the bound, often full */
	{ 13, 40, 2048, 0, 1536, 0 },	/* odd key size, default buckets */
	{ 64, 256, 512, 16, 640, 0 },	/* long keys and values, full */
	{ 2, 24, 4096, 256, 4096, 0 },	/* two-byte keys */
	{ 8, 24, 4096, 4, 3072, TT_SHRINK },	/* grows from 4, shrinks back */
	{ 16, 32, 1024, 1, 1280, TT_GROW },	/* grows from one bucket, full */
};

const size_t tt_nr_hash_shapes = ARRAY_SIZE(tt_hash_shapes);

/*
 * Check the value at @v, found for key id @key_id, and that it does not
 * change while the caller holds it.  The caller holds the RCU read lock.
 */
void tt_check_held_value(const struct tt_round *r, u32 vs, const void *v,
			 u32 key_id, u8 *copy, bool hold)
{
	memcpy(copy, v, vs);
	if (!memchr_inv(copy, TT_POISON, min_t(u32, vs, sizeof(u64)))) {
		tt_fail("round %u: a reader holds a poisoned (freed) value of key id %u",
			r->nr, key_id);
		return;
	}
	if (!tt_value_whole(copy, vs, key_id)) {
		tt_fail("round %u: torn value for key id %u (writer %u, version %llu)",
			r->nr, key_id, ((struct tt_value *)copy)->writer,
			((struct tt_value *)copy)->version);
		return;
	}
	if (hold)
		udelay(2);
	else
		cpu_relax();
	if (memcmp(copy, v, vs))
		tt_fail("round %u: value of key id %u changed under a reader",
			r->nr, key_id);
}

/*
 * A reader's hash-table read (@op below 3: a lookup, twice as often as a
 * positional walk step), under the RCU read lock the caller holds.
 */
void tt_hash_read_once(struct tt_round *r, struct rnd_state *rnd, u32 op,
		       u8 *key, u8 *value, bool hold, const void **held)
{
	u32 ks = r->shape->key_size, vs = r->shape->value_size;
	u32 key_id;
	u64 pos;
	void *v;

	if (op < 2) {
		key_id = tt_rand(rnd, r->keys);
		tt_make_key(key, ks, r->salt, key_id);
		v = rcumap_hash_lookup(r->h, key);
		if (v) {
			WRITE_ONCE(*held, v);
			tt_check_held_value(r, r->shape->value_size, v, key_id, value, hold);
			WRITE_ONCE(*held, NULL);
		}
		return;
	}
	pos = (u64)tt_rand(rnd, 64) << 32;
	if (!tt_walk(r->h, &pos, key, value) &&
	    (!tt_key_id(key, ks, r->salt, &key_id) ||
	     key_id >= r->keys || !tt_value_whole(value, vs, key_id)))
		tt_fail("round %u: reader's walk found a bad entry", r->nr);
}

/* The k-th key id that worker @w owns. */
u32 tt_owned_id(const struct tt_worker *w, u32 k)
{
	return w->nr + k * tt.nr_workers;
}

static const char *const tt_mode_name[] = { "ANY", "NOEXIST", "EXIST" };

/* A successful update stored @value: the free callback owes it. */
void tt_owe(struct tt_owed *owed, const void *value)
{
	atomic_long_inc(&owed->stored);
	atomic64_add((s64)((const struct tt_value *)value)->check,
		     &owed->stored_sum);
}

/* Read key @k of @w back and compare it with what @w knows. */
static void tt_hash_read_back(struct tt_worker *w, u32 k, const char *after)
{
	struct tt_round *r = w->r;
	u32 key_id = tt_owned_id(w, k);
	int err;

	err = rcumap_hash_lookup_copy(r->h, w->key, w->value2);
	if (err != (w->version[k] ? 0 : -ENOENT))
		tt_fail("round %u: worker %u: key id %u after %s: lookup %d, version %llu",
			r->nr, w->nr, key_id, after, err, w->version[k]);
	else if (!err &&
		 (!tt_value_whole(w->value2, r->shape->value_size, key_id) ||
		  ((struct tt_value *)w->value2)->version != w->version[k]))
		tt_fail("round %u: worker %u: key id %u after %s: version %llu, want %llu",
			r->nr, w->nr, key_id, after,
			((struct tt_value *)w->value2)->version, w->version[k]);
}

void tt_hash_update(struct tt_worker *w, u32 mode, bool bh)
{
	struct tt_round *r = w->r;
	u32 k = tt_rand(&w->rnd, r->owned_per_worker);
	u32 key_id = tt_owned_id(w, k);
	bool present = w->version[k];
	u64 version = ++w->next_version;
	int err, want;

	tt_make_key(w->key, r->shape->key_size, r->salt, key_id);
	tt_make_value(w->value, r->shape->value_size, key_id, w->nr, version);
	if (bh) {
		/* As from softirq: no sleeping, the allocation may fail. */
		local_bh_disable();
		err = rcumap_hash_update(r->h, w->key, w->value, mode,
					 GFP_ATOMIC | __GFP_NOWARN);
		local_bh_enable();
	} else {
		err = rcumap_hash_update(r->h, w->key, w->value, mode,
					 GFP_KERNEL);
	}
	want = tt_update_want(mode, present);
	if (!err) {
		w->version[k] = version;
		tt_owe(&r->owed, w->value);
	} else if (err == -E2BIG && !present && !want) {
		w->stats.full++;	/* the other workers filled it */
	} else if (err == -ENOSPC && !present && !want && r->shape->flags) {
		/* A full bucket of a table whose worker is behind. */
		w->stats.full++;
	} else if (err == -ENOMEM && bh) {
		w->stats.nomem++;
	} else if (err != want) {
		tt_fail("round %u: worker %u: update %s of key id %u (%s): %d, want %d",
			r->nr, w->nr, tt_mode_name[mode], key_id,
			present ? "present" : "absent", err, want);
	}
	if (!err && want)
		tt_fail("round %u: worker %u: update %s of key id %u (%s) succeeded, want %d",
			r->nr, w->nr, tt_mode_name[mode], key_id,
			present ? "present" : "absent", want);
	tt_hash_read_back(w, k, "update");
}

/* Delete owned key @k, or a random one if @k is U32_MAX. */
void tt_hash_delete(struct tt_worker *w, bool take, u32 k)
{
	struct tt_round *r = w->r;
	u32 key_id;

	if (k == U32_MAX)
		k = tt_rand(&w->rnd, r->owned_per_worker);
	key_id = tt_owned_id(w, k);
	u64 version = w->version[k];
	int err;

	tt_make_key(w->key, r->shape->key_size, r->salt, key_id);
	if (take)
		err = rcumap_hash_lookup_and_delete(r->h, w->key, w->value);
	else
		err = rcumap_hash_delete(r->h, w->key);
	if (err != (version ? 0 : -ENOENT))
		tt_fail("round %u: worker %u: %s of key id %u (version %llu): %d",
			r->nr, w->nr, take ? "lookup_and_delete" : "delete",
			key_id, version, err);
	if (!err && take &&
	    (!tt_value_whole(w->value, r->shape->value_size, key_id) ||
	     ((struct tt_value *)w->value)->version != version))
		tt_fail("round %u: worker %u: take of key id %u: version %llu, want %llu",
			r->nr, w->nr, key_id,
			((struct tt_value *)w->value)->version, version);
	if (!err)
		w->version[k] = 0;
	tt_hash_read_back(w, k, take ? "lookup_and_delete" : "delete");
}

/* A lookup of an owned key, holding the value under the RCU read lock. */
void tt_hash_lookup_owned(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 k = tt_rand(&w->rnd, r->owned_per_worker);
	u32 key_id = tt_owned_id(w, k);
	struct tt_value *v;

	tt_make_key(w->key, r->shape->key_size, r->salt, key_id);
	rcu_read_lock();
	v = rcumap_hash_lookup(r->h, w->key);
	WRITE_ONCE(*tt_held_slot(TT_HELD_WORKER, w->nr), v);
	if (!v != !w->version[k])
		tt_fail("round %u: worker %u: lookup of key id %u: %s, version %llu",
			r->nr, w->nr, key_id, v ? "found" : "not found",
			w->version[k]);
	else if (v && v->version != w->version[k])
		tt_fail("round %u: worker %u: lookup of key id %u: version %llu, want %llu",
			r->nr, w->nr, key_id, v->version, w->version[k]);
	if (v)
		tt_check_held_value(r, r->shape->value_size, v, key_id, w->value, true);
	WRITE_ONCE(*tt_held_slot(TT_HELD_WORKER, w->nr), NULL);
	rcu_read_unlock();
}

/* Contested keys: any worker inserts, replaces and deletes them. */
void tt_hash_contested(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 key_id = r->owned_keys + tt_rand(&w->rnd, r->keys - r->owned_keys);
	u32 ks = r->shape->key_size, vs = r->shape->value_size;
	u32 op = tt_rand(&w->rnd, 5);
	int err;

	if (r->owned_keys == r->keys)
		return;		/* a shrinking shape: no contested keys */
	tt_make_key(w->key, ks, r->salt, key_id);
	tt_make_value(w->value, vs, key_id, w->nr, ++w->next_version);
	switch (op) {
	case 0:
	case 1:
		err = rcumap_hash_update(r->h, w->key, w->value,
					 op ? RCUMAP_NOEXIST : RCUMAP_EXIST,
					 GFP_KERNEL);
		if (!err)
			tt_owe(&r->owed, w->value);
		if (!err && op)
			atomic_long_inc(&r->contested_in);
		else if ((err == -E2BIG ||
			  (err == -ENOSPC && r->shape->flags)) && op)
			w->stats.full++;
		else if (err && err != (op ? -EEXIST : -ENOENT))
			tt_fail("round %u: worker %u: contested update of key id %u: %d",
				r->nr, w->nr, key_id, err);
		break;
	case 2:
		err = rcumap_hash_delete(r->h, w->key);
		if (!err)
			atomic_long_inc(&r->contested_out);
		else if (err != -ENOENT)
			tt_fail("round %u: worker %u: contested delete of key id %u: %d",
				r->nr, w->nr, key_id, err);
		break;
	case 3:
		err = rcumap_hash_lookup_and_delete(r->h, w->key, w->value2);
		if (!err) {
			atomic_long_inc(&r->contested_out);
			if (!tt_value_whole(w->value2, vs, key_id))
				tt_fail("round %u: worker %u: contested take of key id %u: torn",
					r->nr, w->nr, key_id);
		} else if (err != -ENOENT) {
			tt_fail("round %u: worker %u: contested lookup_and_delete of key id %u: %d",
				r->nr, w->nr, key_id, err);
		}
		break;
	default:
		err = rcumap_hash_lookup_copy(r->h, w->key, w->value2);
		if (!err && !tt_value_whole(w->value2, vs, key_id))
			tt_fail("round %u: worker %u: contested lookup of key id %u: torn value",
				r->nr, w->nr, key_id);
		else if (err && err != -ENOENT)
			tt_fail("round %u: worker %u: contested lookup of key id %u: %d",
				r->nr, w->nr, key_id, err);
		break;
	}
}

/* A few steps of a walk, positional or BPF style, while others update. */
void tt_hash_walk(struct tt_worker *w, bool positional)
{
	struct tt_round *r = w->r;
	u32 ks = r->shape->key_size, vs = r->shape->value_size;
	u32 i, key_id, steps = 1 + tt_rand(&w->rnd, 32);
	u64 pos = 0, before;
	bool from_key = tt_rand(&w->rnd, 2);
	int err = 0;

	if (positional && from_key)
		pos = (u64)tt_rand(&w->rnd, 2 * rcumap_hash_nr_buckets(r->h))
		      << 32 | tt_rand(&w->rnd, 4);
	if (!positional && from_key)
		tt_make_key(w->key, ks, r->salt, tt_rand(&w->rnd, r->keys));
	for (i = 0; i < steps && !err; i++) {
		if (positional) {
			before = pos;
			err = tt_walk(r->h, &pos, w->key, w->value);
			if (!err && pos <= before)
				tt_fail("round %u: walk went from %llx back to %llx",
					r->nr, before, pos);
		} else {
			err = rcumap_hash_get_next_key(r->h,
						       i || from_key ? w->key :
						       NULL, w->value2);
			if (!err)
				memcpy(w->key, w->value2, ks);
		}
		if (err) {
			if (err != -ENOENT)
				tt_fail("round %u: walk step: %d", r->nr, err);
			break;
		}
		if (!tt_key_id(w->key, ks, r->salt, &key_id) ||
		    key_id >= r->keys)
			tt_fail("round %u: walk returned a key never inserted",
				r->nr);
		else if (positional && !tt_value_whole(w->value, vs, key_id))
			tt_fail("round %u: walk returned a torn value for key id %u",
				r->nr, key_id);
	}
}

/*
 * A few steps of an ordered walk from a random key id's key, present or
 * not, while others update and resize: every key returned comes strictly
 * after the one before, the first strictly after the cursor (a walk from
 * a key that is absent must go on from where it would be, not restart).
 */
void tt_hash_ordered_steps(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 ks = r->shape->key_size, vs = r->shape->value_size;
	u32 i, key_id, steps = 1 + tt_rand(&w->rnd, 16);
	bool with_value = tt_rand(&w->rnd, 2);
	int err;

	tt_make_key(w->prev_key, ks, r->salt, tt_rand(&w->rnd, r->keys));
	for (i = 0; i < steps; i++) {
		err = rcumap_hash_walk_after(r->h, w->prev_key, w->key,
					     with_value ? w->value : NULL);
		if (err) {
			if (err != -ENOENT)
				tt_fail("round %u: ordered walk step: %d",
					r->nr, err);
			return;
		}
		if (!tt_key_id(w->key, ks, r->salt, &key_id) ||
		    key_id >= r->keys) {
			tt_fail("round %u: ordered walk returned a key never inserted",
				r->nr);
			return;
		}
		if (!tt_key_after(r->h, w->prev_key, w->key, ks))
			tt_fail("round %u: ordered walk step %u went back to key id %u",
				r->nr, i, key_id);
		if (with_value && !tt_value_whole(w->value, vs, key_id))
			tt_fail("round %u: ordered walk returned a torn value for key id %u",
				r->nr, key_id);
		memcpy(w->prev_key, w->key, ks);
	}
}

/*
 * A whole ordered walk, from NULL to -ENOENT, while the other workers
 * update and the table is resized.  Our own keys are frozen for the walk
 * (only we change them), so each one present must come exactly once and
 * none absent may come; no key at all may come twice (w->seen), and each
 * comes strictly after the one before.  Now and then the walk deletes an
 * owned key it has just returned and goes on from it, absent.
 */
void tt_hash_ordered_walk(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 ks = r->shape->key_size, vs = r->shape->value_size;
	bool with_value = tt_rand(&w->rnd, 2);
	bool deletes = !tt_rand(&w->rnd, 4);
	u32 n = 0, key_id, k;
	int err;

	bitmap_zero(w->seen, r->keys);
	err = rcumap_hash_walk_after(r->h, NULL, w->key,
				     with_value ? w->value : NULL);
	while (!err) {
		bool own;

		if (!tt_key_id(w->key, ks, r->salt, &key_id) ||
		    key_id >= r->keys) {
			tt_fail("round %u: worker %u: whole walk: a key never inserted",
				r->nr, w->nr);
			return;
		}
		if (test_and_set_bit(key_id, w->seen)) {
			tt_fail("round %u: worker %u: whole walk: key id %u twice",
				r->nr, w->nr, key_id);
			return;
		}
		if (n && !tt_key_after(r->h, w->prev_key, w->key, ks))
			tt_fail("round %u: worker %u: whole walk went back at key id %u",
				r->nr, w->nr, key_id);
		own = key_id < r->owned_keys && key_id % tt.nr_workers == w->nr;
		k = key_id / tt.nr_workers;
		if (own && !w->version[k])
			tt_fail("round %u: worker %u: whole walk: its absent key id %u",
				r->nr, w->nr, key_id);
		if (with_value &&
		    (!tt_value_whole(w->value, vs, key_id) ||
		     (own && ((struct tt_value *)w->value)->version !=
			     w->version[k])))
			tt_fail("round %u: worker %u: whole walk: wrong value, key id %u",
				r->nr, w->nr, key_id);
		memcpy(w->prev_key, w->key, ks);
		/* The cursor's own key gone: the walk goes on from its place. */
		if (deletes && own && w->version[k] && !tt_rand(&w->rnd, 8))
			tt_hash_delete(w, false, k);
		if (++n > r->keys) {
			tt_fail("round %u: worker %u: whole walk does not end",
				r->nr, w->nr);
			return;
		}
		err = rcumap_hash_walk_after(r->h, w->prev_key, w->key,
					     with_value ? w->value : NULL);
		if (!(n % 32))
			cond_resched();
	}
	if (err != -ENOENT)
		tt_fail("round %u: worker %u: whole walk: %d", r->nr,
			w->nr, err);
	for (k = 0; k < r->owned_per_worker; k++) {
		key_id = tt_owned_id(w, k);
		if (w->version[k] && !test_bit(key_id, w->seen))
			tt_fail("round %u: worker %u: whole walk skipped its key id %u",
				r->nr, w->nr, key_id);
	}
	w->stats.ordered_walks++;
	w->stats.ordered_keys += n;
}

/*
 * The accessors.  The bucket count is fixed only in a table that does
 * not resize itself and has no resizer: else it is a power of two, never
 * below the initial count if only the table's own worker resizes it.
 * The worker's grows and shrinks are counted where they are seen.
 */
void tt_hash_info(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 nr = rcumap_hash_nr_buckets(r->h);
	u32 lo = r->resizer ? 1 : r->init_buckets;
	u32 hi = r->resizer || r->shape->flags ? RCUMAP_HASH_MAX_BUCKETS :
						 r->init_buckets;

	if (rcumap_hash_count(r->h) > r->shape->max_entries ||
	    !is_power_of_2(nr) || nr < lo || nr > hi ||
	    rcumap_hash_bytes_used(r->h) < lo * sizeof(void *) ||
	    rcumap_hash_key_size(r->h) != r->shape->key_size ||
	    rcumap_hash_value_size(r->h) != r->shape->value_size ||
	    rcumap_hash_max_entries(r->h) != r->shape->max_entries)
		tt_fail("round %u: info: count %u, buckets %u (%u to %u), bytes %zu",
			r->nr, rcumap_hash_count(r->h), nr, lo, hi,
			rcumap_hash_bytes_used(r->h));
	if (r->shape->flags && !r->resizer && w->last_buckets) {
		w->stats.grew += nr > w->last_buckets;
		w->stats.shrank += nr < w->last_buckets;
	}
	w->last_buckets = nr;
}

/*
 * A value given to the free callback of a round's table of shape @s with
 * @keys key ids (@priv of the callbacks is the round, which is freed only
 * after rcumap_hash_barrier()).  The value must be one that a successful
 * update stored, whole, and no reader, timer or worker may hold it: a
 * grace period has passed since it left the table, so every one that
 * found it has left its read-side section and cleared its slot.  Then it
 * is poisoned, for a reader that still looks to see.
 */
void tt_owed_free(struct tt_round *r, const struct tt_hash_shape *s, u32 keys,
		  struct tt_owed *owed, const void *key, void *value)
{
	u32 ks = s->key_size, vs = s->value_size, key_id = U32_MAX, i;

	if (!tt_key_id(key, ks, r->salt, &key_id) || key_id >= keys ||
	    !tt_value_whole(value, vs, key_id)) {
		tt_fail("round %u: free callback: bad key or torn value",
			r->nr);
	} else {
		atomic_long_inc(&owed->freed);
		atomic64_add((s64)((struct tt_value *)value)->check,
			     &owed->freed_sum);
	}
	for (i = 0; i < tt.nr_held; i++) {
		if (READ_ONCE(tt.held[i]) == value)
			tt_fail("round %u: free callback for key id %u while holder %u holds it",
				r->nr, key_id, i);
	}
	memset(value, TT_POISON, vs);
}

/* The free callback of the round's hash table. */
void tt_free_value(void *priv, const void *key, void *value)
{
	struct tt_round *r = priv;

	tt_owed_free(r, r->shape, r->keys, &r->owed, key, value);
}

/*
 * Force resizes until stopped: each to a random power of two up to four
 * times larger or smaller than now (so that each resize is a few steps,
 * and stopping the thread does not wait for a long one), between 1 and
 * 2^@r->resize_order buckets.
 */
int tt_resizer_fn(void *arg)
{
	struct tt_round *r = arg;
	struct rnd_state rnd;
	u32 order, target;
	int err;

	tt_seed(&rnd, tt.seed, 4000 + r->nr);
	while (!kthread_should_stop()) {
		order = ilog2(rcumap_hash_nr_buckets(r->h)) + tt_rand(&rnd, 5);
		order = clamp_t(int, (int)order - 2, tt_roomy_order(r->shape),
				r->resize_order);
		target = 1U << order;
		err = rcumap_hash_resize(r->h, target);
		if (err == -ENOMEM) {
			r->resize_nomem++;
		} else if (err == -ENOSPC &&
			   target < rcumap_hash_nr_buckets(r->h)) {
			/* Two buckets to merge do not fit in one: refused. */
			r->resize_nofit++;
		} else if (err) {
			tt_fail("round %u: resize to %u buckets: %d", r->nr,
				target, err);
		} else {
			r->resizes++;
			/* Nobody else resizes a table without flags. */
			if (!r->shape->flags &&
			    rcumap_hash_nr_buckets(r->h) != target)
				tt_fail("round %u: resized to %u buckets, has %u",
					r->nr, target,
					rcumap_hash_nr_buckets(r->h));
		}
		cond_resched();
	}
	return 0;
}

/*
 * Check a round's tables against what its stopped workers know: every
 * owned key and object, the contested counts, walks that must return
 * exactly the live set.  Readers may still be reading.
 */
void tt_round_check_hash(struct tt_round *r)
{
	u32 ks = r->shape->key_size, vs = r->shape->value_size;
	u8 *key = tt.workers[0].key, *value = tt.workers[0].value;
	u8 *prev = tt.workers[0].prev_key;
	unsigned long *seen;
	long contested = 0, expected = 0, found;
	u32 i, k, key_id, tries, walk;
	u64 pos;
	int err;

	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_worker *w = &tt.workers[i];

		for (k = 0; k < r->owned_per_worker; k++) {
			tt_make_key(w->key, ks, r->salt, tt_owned_id(w, k));
			tt_hash_read_back(w, k, "the round");
			expected += !!w->version[k];
		}
	}
	for (key_id = r->owned_keys; key_id < r->keys; key_id++) {
		tt_make_key(key, ks, r->salt, key_id);
		err = rcumap_hash_lookup_copy(r->h, key, value);
		if (!err && !tt_value_whole(value, vs, key_id))
			tt_fail("round %u: contested key id %u torn", r->nr,
				key_id);
		contested += !err;
	}
	if (contested != atomic_long_read(&r->contested_in) -
			 atomic_long_read(&r->contested_out))
		tt_fail("round %u: %ld contested keys, but %ld inserted and %ld deleted",
			r->nr, contested, atomic_long_read(&r->contested_in),
			atomic_long_read(&r->contested_out));
	expected += contested;
	if (rcumap_hash_count(r->h) != expected)
		tt_fail("round %u: count %u, want %ld", r->nr,
			rcumap_hash_count(r->h), expected);

	seen = bitmap_zalloc(r->keys, GFP_KERNEL);
	if (!seen)
		return;
	/*
	 * Positional walk: every key exactly once.  Not across a resize,
	 * though, and the table's own resize worker may still be at work
	 * (a delete at the end of the round queued it): in a table with
	 * flags, a walk that fails is tried again, after a pause, up to ten
	 * times, until the worker has reached its size.
	 */
	for (tries = 0; tries < 10; tries++) {
		bool bad = false;

		if (tries)
			msleep(20 * tries);
		bitmap_zero(seen, r->keys);
		found = 0;
		pos = 0;
		while (!tt_walk(r->h, &pos, key, value)) {
			if (!tt_key_id(key, ks, r->salt, &key_id) ||
			    key_id >= r->keys ||
			    !tt_value_whole(value, vs, key_id)) {
				tt_fail("round %u: walk: bad key", r->nr);
				break;
			}
			if (test_and_set_bit(key_id, seen)) {
				bad = true;
				break;
			}
			found++;
		}
		if (!bad && found == expected)
			break;
		if (!r->shape->flags || tries == 9) {
			tt_fail("round %u: walk found %ld keys, want %ld%s",
				r->nr, found, expected,
				bad ? ", and a key twice" : "");
			break;
		}
	}
	/* Ordered walks, of keys or of keys and values: exact in any case. */
	for (walk = 0; walk < 2; walk++) {
		bitmap_zero(seen, r->keys);
		found = 0;
		err = rcumap_hash_walk_after(r->h, NULL, key,
					     walk ? value : NULL);
		while (!err) {
			if (!tt_key_id(key, ks, r->salt, &key_id) ||
			    key_id >= r->keys ||
			    test_and_set_bit(key_id, seen) ||
			    (walk && !tt_value_whole(value, vs, key_id)) ||
			    (found && !tt_key_after(r->h, prev, key, ks))) {
				tt_fail("round %u: ordered walk: bad, repeated or backward key",
					r->nr);
				break;
			}
			found++;
			memcpy(prev, key, ks);
			err = rcumap_hash_walk_after(r->h, prev, key,
						     walk ? value : NULL);
		}
		if (found != expected)
			tt_fail("round %u: ordered walk%s found %ld keys, want %ld",
				r->nr, walk ? " with values" : "", found,
				expected);
	}
	/* And the same with get_next_key(). */
	bitmap_zero(seen, r->keys);
	found = 0;
	err = rcumap_hash_get_next_key(r->h, NULL, key);
	while (!err) {
		if (!tt_key_id(key, ks, r->salt, &key_id) ||
		    key_id >= r->keys || test_and_set_bit(key_id, seen)) {
			tt_fail("round %u: get_next_key: bad or repeated key",
				r->nr);
			break;
		}
		found++;
		err = rcumap_hash_get_next_key(r->h, key, value);
		memcpy(key, value, ks);
	}
	if (found != expected)
		tt_fail("round %u: get_next_key found %ld keys, want %ld",
			r->nr, found, expected);
	bitmap_free(seen);
}
