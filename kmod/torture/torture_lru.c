// SPDX-License-Identifier: GPL-2.0
/*
 * The torture of the LRU hash table (include/linux/rcumap_hash_lru.h):
 * what the workers and readers do to a round's LRU table, its free
 * callback, its resizes and the checks at the end of a round.
 *
 * Every key is owned by one worker, which alone inserts, replaces and
 * deletes it; but any insert may evict it.  So the owner knows its key
 * only up to eviction: @w->lru_version[k] is 0 for a key that is absent
 * for sure (never written, deleted, or seen evicted), else the version
 * the owner last wrote, which is the key's value whenever it is present:
 * a key never comes back with an older value.  A key that the owner
 * finds absent when it thinks it present must have left by an eviction:
 * the table's eviction count (rcumap_lru_hash_get_stats()) must have
 * moved since just before that version was written.  That count is
 * bumped under the eviction lock in the same section as the eviction's
 * delete, and rcumap_lru_hash_get_stats() takes that lock, so a count
 * read after the key was seen gone includes its eviction.  The number of
 * keys may never pass max_entries + RCUMAP_LRU_SLACK_PER_CPU per possible
 * CPU.  Evicted values reach the free callback like the others, which
 * checks them as the hash table's callback does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "torture.h"

const struct tt_hash_shape tt_lru_shapes[] = {
	{ 8, 32, 32, 0, 80, 0 },	/* twice the room: evicts all the time */
	{ 16, 48, 64, 8, 96, 0 },	/* a little over the room */
	{ 8, 24, 32, 1, 64, TT_GROW },	/* grows from one bucket */
};

const size_t tt_nr_lru_shapes = ARRAY_SIZE(tt_lru_shapes);

static u64 tt_lru_evictions(struct rcumap_lru_hash *lru)
{
	struct rcumap_lru_hash_stats st;

	rcumap_lru_hash_get_stats(lru, &st);
	return st.evictions;
}

/* The count bound: max_entries plus the slack of every possible CPU. */
static void tt_lru_check_count(struct tt_round *r, const char *after)
{
	u32 bound = r->v.lru_shape->max_entries +
		    RCUMAP_LRU_SLACK_PER_CPU * num_possible_cpus();
	u32 n = rcumap_lru_hash_count(r->v.lru);

	if (n > bound)
		tt_fail("round %u: LRU count %u after %s, bound %u", r->nr, n,
			after, bound);
}

static void tt_lru_free_value(void *priv, const void *key, void *value)
{
	struct tt_round *r = priv;

	tt_owed_free(r, r->v.lru_shape, r->v.lru_owned * tt.nr_workers,
		     &r->v.lru_owed, key, value);
}

int tt_lru_create(struct tt_round *r, const struct tt_hash_shape *s)
{
	struct rcumap_lru_hash_params params = {
		.hash = tt_hash_params(s, tt_lru_free_value, r),
	};

	r->v.lru_shape = s;
	r->v.lru_owned = tt_owned_per_worker(s);
	r->v.lru = rcumap_lru_hash_create(&params, GFP_KERNEL);
	return PTR_ERR_OR_ZERO(r->v.lru);
}

/*
 * Owned key @k of @w was found absent though @w last wrote it: it must
 * have been evicted since.  Then it is absent for sure.
 */
static void tt_lru_evicted(struct tt_worker *w, u32 k, const char *after)
{
	struct tt_round *r = w->r;

	if (tt_lru_evictions(r->v.lru) == w->lru_evictions[k])
		tt_fail("round %u: worker %u: LRU key id %u (version %llu) lost after %s",
			r->nr, w->nr, tt_owned_id(w, k), w->lru_version[k],
			after);
	w->lru_version[k] = 0;
	w->stats.lru_evicted++;
}

/* Read owned key @k back: its last version, or absent if evicted. */
static void tt_lru_read_back(struct tt_worker *w, u32 k, const char *after)
{
	struct tt_round *r = w->r;
	const struct tt_value *v = (const void *)w->value2;
	u32 key_id = tt_owned_id(w, k);
	int err;

	tt_make_key(w->key, r->v.lru_shape->key_size, r->salt, key_id);
	err = rcumap_lru_hash_lookup_copy(r->v.lru, w->key, w->value2);
	if (!err && (!w->lru_version[k] || v->version != w->lru_version[k] ||
		     !tt_value_whole(v, r->v.lru_shape->value_size, key_id)))
		tt_fail("round %u: worker %u: LRU key id %u after %s: version %llu, want %llu",
			r->nr, w->nr, key_id, after, v->version,
			w->lru_version[k]);
	else if (err == -ENOENT && w->lru_version[k])
		tt_lru_evicted(w, k, after);
	else if (err && err != -ENOENT)
		tt_fail("round %u: worker %u: LRU lookup of key id %u after %s: %d",
			r->nr, w->nr, key_id, after, err);
}

/*
 * An update of an owned key.  The owner knows a key of version 0 is
 * absent; a key of another version is present or was evicted, and only
 * the return code tells which (then the eviction count must have moved).
 */
static void tt_lru_update(struct tt_worker *w, u32 mode, bool bh)
{
	struct tt_round *r = w->r;
	const struct tt_hash_shape *s = r->v.lru_shape;
	u32 k = tt_rand(&w->rnd, r->v.lru_owned);
	u32 key_id = tt_owned_id(w, k);
	u64 known = w->lru_version[k], version = ++w->next_version;
	u64 evictions = tt_lru_evictions(r->v.lru);
	int err;

	tt_make_key(w->key, s->key_size, r->salt, key_id);
	tt_make_value(w->value, s->value_size, key_id, w->nr, version);
	if (bh) {
		local_bh_disable();
		err = rcumap_lru_hash_update(r->v.lru, w->key, w->value, mode,
					     GFP_ATOMIC | __GFP_NOWARN);
		local_bh_enable();
	} else {
		err = rcumap_lru_hash_update(r->v.lru, w->key, w->value, mode,
					     GFP_KERNEL);
	}
	if (!err) {
		if (mode == RCUMAP_EXIST && !known)
			tt_fail("round %u: worker %u: LRU update EXIST of absent key id %u: 0",
				r->nr, w->nr, key_id);
		/* An insert over a key we wrote: it was evicted. */
		if (mode == RCUMAP_NOEXIST && known)
			tt_lru_evicted(w, k, "update NOEXIST");
		w->lru_version[k] = version;
		w->lru_evictions[k] = evictions;
		tt_owe(&r->v.lru_owed, w->value);
	} else if (err == -EEXIST && mode == RCUMAP_NOEXIST && known) {
		/* Present. */
	} else if (err == -ENOENT && mode == RCUMAP_EXIST) {
		if (known)
			tt_lru_evicted(w, k, "update EXIST");
	} else if ((err == -E2BIG ||
		    (err == -ENOSPC && s->flags)) && mode != RCUMAP_EXIST) {
		/* Inserts that kept the table full, or a worker behind. */
		w->stats.full++;
	} else if (err == -ENOMEM && bh) {
		w->stats.nomem++;
	} else {
		tt_fail("round %u: worker %u: LRU update %u of key id %u (version %llu): %d",
			r->nr, w->nr, mode, key_id, known, err);
	}
	tt_lru_read_back(w, k, "update");
	tt_lru_check_count(r, "update");
}

static void tt_lru_delete(struct tt_worker *w, bool take)
{
	struct tt_round *r = w->r;
	const struct tt_value *v = (const void *)w->value;
	u32 k = tt_rand(&w->rnd, r->v.lru_owned);
	u32 key_id = tt_owned_id(w, k);
	u64 known = w->lru_version[k];
	int err;

	tt_make_key(w->key, r->v.lru_shape->key_size, r->salt, key_id);
	if (take)
		err = rcumap_lru_hash_lookup_and_delete(r->v.lru, w->key,
							w->value);
	else
		err = rcumap_lru_hash_delete(r->v.lru, w->key);
	if (!err && (!known ||
		     (take && (v->version != known ||
			       !tt_value_whole(v, r->v.lru_shape->value_size,
					       key_id)))))
		tt_fail("round %u: worker %u: LRU %s of key id %u (version %llu) took version %llu",
			r->nr, w->nr, take ? "lookup_and_delete" : "delete",
			key_id, known, take ? v->version : 0);
	else if (err == -ENOENT && known)
		tt_lru_evicted(w, k, "delete");
	else if (err && err != -ENOENT)
		tt_fail("round %u: worker %u: LRU delete of key id %u: %d",
			r->nr, w->nr, key_id, err);
	w->lru_version[k] = 0;
	tt_lru_read_back(w, k, "delete");
}

/* A lookup of an owned key, holding the value under the RCU read lock. */
static void tt_lru_lookup_owned(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 k = tt_rand(&w->rnd, r->v.lru_owned);
	u32 key_id = tt_owned_id(w, k);
	const void **held = tt_held_slot(TT_HELD_WORKER, w->nr);
	struct tt_value *v;

	tt_make_key(w->key, r->v.lru_shape->key_size, r->salt, key_id);
	rcu_read_lock();
	v = rcumap_lru_hash_lookup(r->v.lru, w->key);
	WRITE_ONCE(*held, v);
	if (v && v->version != w->lru_version[k])
		tt_fail("round %u: worker %u: LRU lookup of key id %u: version %llu, want %llu",
			r->nr, w->nr, key_id, v->version, w->lru_version[k]);
	if (v)
		tt_check_held_value(r, r->v.lru_shape->value_size, v, key_id,
				    w->value2, true);
	WRITE_ONCE(*held, NULL);
	rcu_read_unlock();
	if (!v && w->lru_version[k])
		tt_lru_evicted(w, k, "lookup");
}

static int tt_lru_step(const void *map, struct rcumap_hash_cursor *c,
		       void *key, void *value)
{
	return rcumap_lru_hash_cursor_next(map, c, key, value);
}

/*
 * A key an ordered walk returned, with its value: whole, and for a key
 * of @w (of any worker if @w is NULL: they are stopped) of the version
 * its owner last wrote, never a key its owner knows absent.
 */
static bool tt_lru_walk_check(struct tt_worker *w, u32 key_id,
			      const void *value)
{
	struct tt_worker *o = w ?: &tt.workers[key_id % tt.nr_workers];
	const struct tt_value *v = value;
	struct tt_round *r = o->r;
	u32 k = key_id / tt.nr_workers;

	if (!tt_value_whole(v, r->v.lru_shape->value_size, key_id) ||
	    (key_id % tt.nr_workers == o->nr &&
	     v->version != o->lru_version[k])) {
		tt_fail("round %u: LRU walk: key id %u version %llu, its owner's %llu",
			r->nr, key_id, v->version,
			key_id % tt.nr_workers == o->nr ? o->lru_version[k] : 0);
		return false;
	}
	return true;
}

static void tt_lru_walk_init(struct tt_round *r, struct tt_cursor_walk *cw,
			     void *value)
{
	*cw = (struct tt_cursor_walk){
		.step = tt_lru_step,
		.check = tt_lru_walk_check,
		.map = r->v.lru,
		.h = rcumap_lru_hash_table(r->v.lru),
		.ks = r->v.lru_shape->key_size,
		.salt = r->salt,
		.keys = r->v.lru_owned * tt.nr_workers,
		.value = value,
	};
}

/*
 * A whole ordered walk (one in eight) or a few steps from a random key,
 * while the others update, evict and resize: every key once, in order,
 * none that its owner knows absent (tt_cursor_walk()).  Keys may be
 * evicted during the walk, so ours may be missing from it.
 */
static void tt_lru_walk(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	struct tt_cursor_walk cw;
	bool whole = !tt_rand(&w->rnd, 8);
	long n;

	tt_lru_walk_init(r, &cw, w->value);
	if (whole) {
		n = tt_cursor_walk(w, &cw, NULL, U32_MAX, "LRU whole walk");
		w->stats.cursor_walks++;
		w->stats.cursor_keys += max(n, 0L);
		return;
	}
	tt_make_key(w->prev_key, cw.ks, r->salt, tt_rand(&w->rnd, cw.keys));
	tt_cursor_walk(w, &cw, w->prev_key, 1 + tt_rand(&w->rnd, 16),
		       "LRU walk steps");
}

void tt_lru_op(struct tt_worker *w)
{
	u32 op = tt_rand(&w->rnd, 16);

	w->stats.lru_ops++;
	if (op < 3)
		tt_lru_update(w, RCUMAP_ANY, false);
	else if (op < 5)
		tt_lru_update(w, RCUMAP_NOEXIST, false);
	else if (op < 6)
		tt_lru_update(w, RCUMAP_EXIST, false);
	else if (op < 7)
		tt_lru_update(w, tt_rand(&w->rnd, 3), true);
	else if (op < 9)
		tt_lru_delete(w, op & 1);
	else if (op < 14)
		tt_lru_lookup_owned(w);
	else
		tt_lru_walk(w);
}

/* A reader's lookup of a random key, under the caller's RCU read lock. */
void tt_lru_read_once(struct tt_round *r, struct rnd_state *rnd, u8 *key,
		      u8 *value, bool hold, const void **held)
{
	const struct tt_hash_shape *s = r->v.lru_shape;
	u32 key_id = tt_rand(rnd, r->v.lru_owned * tt.nr_workers);
	void *v;

	tt_make_key(key, s->key_size, r->salt, key_id);
	v = rcumap_lru_hash_lookup(r->v.lru, key);
	if (v) {
		WRITE_ONCE(*held, v);
		tt_check_held_value(r, s->value_size, v, key_id, value, hold);
		WRITE_ONCE(*held, NULL);
	}
}

/*
 * A resize to a random power of two up to four times larger or smaller,
 * from 8 keys a bucket at max_entries to twice as many buckets as keys.
 * Only the round's one resizer resizes a table without flags: its bucket
 * count is then exactly the one asked for.
 */
int tt_lru_resize(struct tt_round *r, struct rnd_state *rnd)
{
	const struct tt_hash_shape *s = r->v.lru_shape;
	const struct rcumap_hash *h = rcumap_lru_hash_table(r->v.lru);
	int order = ilog2(rcumap_hash_nr_buckets(h)) + tt_rand(rnd, 5) - 2;
	u32 target = 1U << clamp_t(int, order, tt_roomy_order(s),
				   ilog2(roundup_pow_of_two(2 * s->keys)));
	int err;

	err = rcumap_lru_hash_resize(r->v.lru, target);
	if (err == -ENOMEM ||
	    (err == -ENOSPC && target < rcumap_hash_nr_buckets(h)))
		return err;
	if (err)
		tt_fail("round %u: LRU resize to %u buckets: %d", r->nr,
			target, err);
	else if (!s->flags && rcumap_hash_nr_buckets(h) != target)
		tt_fail("round %u: LRU resized to %u buckets, has %u", r->nr,
			target, rcumap_hash_nr_buckets(h));
	tt_lru_check_count(r, "resize");
	return err;
}

/*
 * With the workers and the resizer stopped: every owned key is present
 * with its owner's last version or was evicted, the count is what is
 * present and within the bound, and a whole ordered walk returns exactly
 * the keys present.
 */
void tt_round_check_lru(struct tt_round *r)
{
	struct tt_cursor_walk cw;
	long present = 0, n;
	u32 i, k;

	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_worker *w = &tt.workers[i];

		for (k = 0; k < r->v.lru_owned; k++) {
			tt_lru_read_back(w, k, "the round");
			present += !!w->lru_version[k];
		}
	}
	tt_lru_check_count(r, "the round");
	if (rcumap_lru_hash_count(r->v.lru) != present)
		tt_fail("round %u: LRU count %u, want %ld", r->nr,
			rcumap_lru_hash_count(r->v.lru), present);
	tt_lru_walk_init(r, &cw, tt.workers[0].value);
	n = tt_cursor_walk(NULL, &cw, NULL, U32_MAX, "LRU round walk");
	if (n != present)
		tt_fail("round %u: LRU walk found %ld keys, want %ld", r->nr,
			n, present);
	tt.lru_evictions += tt_lru_evictions(r->v.lru);
}
