// SPDX-License-Identifier: GPL-2.0
/*
 * The torture of the per-CPU hash table
 * (include/linux/rcumap_hash_percpu.h): what the workers and readers do
 * to a round's per-CPU table, its resizes and the checks at the end of a
 * round.
 *
 * Every key is owned by one worker, which alone changes it, so it knows
 * every key's state exactly, as for the hash table.  An update writes
 * every possible CPU's value at once (rcumap_percpu_hash_update() is the
 * only way the API changes a value; in-kernel users may also write their
 * own CPU's value in place, which the torture does not do, so that every
 * copy it makes must be of one update).  The value of the i-th possible
 * CPU is a torture value whose writer field holds the worker in its low
 * 16 bits and i above: every CPU's value must be whole, be the i-th, and
 * carry the same writer and version as the others.  No free callback:
 * the module counts per-CPU areas before and after (main.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "torture.h"

const struct tt_hash_shape tt_percpu_shapes[] = {
	{ 8, 32, 512, 64, 384, 0 },
	{ 4, 24, 256, 0, 320, 0 },	/* fills up */
	{ 8, 40, 1024, 1, 768, TT_GROW },	/* grows from one bucket */
};

const size_t tt_nr_percpu_shapes = ARRAY_SIZE(tt_percpu_shapes);

#define TT_CPU_SHIFT	16

int tt_percpu_create(struct tt_round *r, const struct tt_hash_shape *s)
{
	struct rcumap_hash_params params = tt_hash_params(s, NULL, NULL);

	r->v.pc_shape = s;
	r->v.pc_owned = tt_owned_per_worker(s);
	r->v.pc_stride = round_up(s->value_size, 8);
	r->v.pc = rcumap_percpu_hash_create(&params, GFP_KERNEL);
	return PTR_ERR_OR_ZERO(r->v.pc);
}

/* Every CPU's value of key id @key_id, of one update. */
static void tt_percpu_make(struct tt_round *r, u8 *values, u32 key_id,
			   u32 writer, u64 version)
{
	u32 i, n = num_possible_cpus();

	for (i = 0; i < n; i++)
		tt_make_value(values + i * r->v.pc_stride,
			      r->v.pc_shape->value_size, key_id,
			      writer | i << TT_CPU_SHIFT, version);
}

/* Is @v whole, the value of CPU @i of the update that wrote @first? */
static bool tt_percpu_one(struct tt_round *r, const struct tt_value *v,
			  const struct tt_value *first, u32 i, u32 key_id)
{
	u32 worker = BIT(TT_CPU_SHIFT) - 1;

	return tt_value_whole(v, r->v.pc_shape->value_size, key_id) &&
	       v->writer >> TT_CPU_SHIFT == i && v->version == first->version &&
	       (v->writer & worker) == (first->writer & worker);
}

/* The version of a copy of every CPU's value, 0 if not all of one update. */
static u64 tt_percpu_version(struct tt_round *r, const u8 *values,
			     u32 key_id)
{
	const struct tt_value *first = (const void *)values;
	u32 i, n = num_possible_cpus();

	for (i = 0; i < n; i++) {
		if (!tt_percpu_one(r, (const void *)(values +
						     i * r->v.pc_stride),
				   first, i, key_id))
			return 0;
	}
	return first->version;
}

/* Read key @k of @w back and compare it with what @w knows. */
static void tt_percpu_read_back(struct tt_worker *w, u32 k, const char *after)
{
	struct tt_round *r = w->r;
	u32 key_id = tt_owned_id(w, k);
	u64 version;
	int err;

	tt_make_key(w->key, r->v.pc_shape->key_size, r->salt, key_id);
	err = rcumap_percpu_hash_lookup_copy(r->v.pc, w->key, w->values2);
	version = err ? 0 : tt_percpu_version(r, w->values2, key_id);
	if (err != (w->pc_version[k] ? 0 : -ENOENT) ||
	    (!err && version != w->pc_version[k]))
		tt_fail("round %u: worker %u: per-CPU key id %u after %s: %d, %llu, want %llu",
			r->nr, w->nr, key_id, after, err, version,
			w->pc_version[k]);
}

static void tt_percpu_update(struct tt_worker *w, u32 mode, bool bh)
{
	struct tt_round *r = w->r;
	u32 k = tt_rand(&w->rnd, r->v.pc_owned);
	u32 key_id = tt_owned_id(w, k);
	bool present = w->pc_version[k];
	u64 version = ++w->next_version;
	int err, want;

	tt_make_key(w->key, r->v.pc_shape->key_size, r->salt, key_id);
	tt_percpu_make(r, w->values, key_id, w->nr, version);
	if (bh) {
		local_bh_disable();
		err = rcumap_percpu_hash_update(r->v.pc, w->key, w->values,
						mode, GFP_ATOMIC | __GFP_NOWARN);
		local_bh_enable();
	} else {
		err = rcumap_percpu_hash_update(r->v.pc, w->key, w->values,
						mode, GFP_KERNEL);
	}
	want = tt_update_want(mode, present);
	if (!err && !want) {
		w->pc_version[k] = version;
	} else if ((err == -E2BIG || (err == -ENOSPC && r->v.pc_shape->flags)) &&
		   !present && !want) {
		w->stats.full++;
	} else if (err == -ENOMEM && bh) {
		w->stats.nomem++;
	} else if (err != want) {
		tt_fail("round %u: worker %u: per-CPU update %u of key id %u (%s): %d, want %d",
			r->nr, w->nr, mode, key_id,
			present ? "present" : "absent", err, want);
		if (!err)
			w->pc_version[k] = version;
	}
	tt_percpu_read_back(w, k, "update");
}

static void tt_percpu_delete(struct tt_worker *w, bool take)
{
	struct tt_round *r = w->r;
	u32 k = tt_rand(&w->rnd, r->v.pc_owned);
	u32 key_id = tt_owned_id(w, k);
	u64 known = w->pc_version[k];
	int err;

	tt_make_key(w->key, r->v.pc_shape->key_size, r->salt, key_id);
	if (take)
		err = rcumap_percpu_hash_lookup_and_delete(r->v.pc, w->key,
							   w->values);
	else
		err = rcumap_percpu_hash_delete(r->v.pc, w->key);
	if (err != (known ? 0 : -ENOENT) ||
	    (!err && take && tt_percpu_version(r, w->values, key_id) != known))
		tt_fail("round %u: worker %u: per-CPU %s of key id %u (version %llu): %d",
			r->nr, w->nr, take ? "lookup_and_delete" : "delete",
			key_id, known, err);
	if (!err)
		w->pc_version[k] = 0;
	tt_percpu_read_back(w, k, "delete");
}

/*
 * Check the area @pptr found for key id @key_id, CPU by CPU, and that no
 * CPU's value changes while the caller holds it (under its RCU read
 * lock); @copy holds one CPU's value.  Every value of an area is written
 * before the area is published and never again, so plain reads are
 * right here.
 */
static void tt_percpu_check_area(struct tt_round *r, void __percpu *pptr,
				 u32 key_id, u64 want, u8 *copy, bool hold)
{
	u32 vs = r->v.pc_shape->value_size, i = 0;
	u8 first[TT_MAX_VALUE] __aligned(8);
	int cpu;

	for_each_possible_cpu(cpu) {
		const void *v = per_cpu_ptr(pptr, cpu);

		memcpy(copy, v, vs);
		if (!i)
			memcpy(first, copy, vs);
		if (!tt_percpu_one(r, (const void *)copy, (const void *)first,
				   i, key_id) ||
		    (want && ((struct tt_value *)copy)->version != want)) {
			tt_fail("round %u: per-CPU key id %u: CPU %d: torn or mixed, %llu, %llu",
				r->nr, key_id, cpu,
				((struct tt_value *)copy)->version, want);
			return;
		}
		if (hold)
			udelay(1);
		if (memcmp(copy, v, vs))
			tt_fail("round %u: per-CPU key id %u: CPU %d's value changed",
				r->nr, key_id, cpu);
		i++;
	}
}

/* A lookup of an owned key, holding its area under the RCU read lock. */
static void tt_percpu_lookup_owned(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 k = tt_rand(&w->rnd, r->v.pc_owned);
	u32 key_id = tt_owned_id(w, k);
	void __percpu *pptr;

	tt_make_key(w->key, r->v.pc_shape->key_size, r->salt, key_id);
	rcu_read_lock();
	pptr = rcumap_percpu_hash_lookup(r->v.pc, w->key);
	if (!pptr != !w->pc_version[k])
		tt_fail("round %u: worker %u: per-CPU lookup of key id %u: %s, version %llu",
			r->nr, w->nr, key_id, pptr ? "found" : "not found",
			w->pc_version[k]);
	else if (pptr)
		tt_percpu_check_area(r, pptr, key_id, w->pc_version[k],
				     w->value2, true);
	rcu_read_unlock();
}

/*
 * Replace an owned key's values while holding its area under the RCU
 * read lock (GFP_ATOMIC, as a reader that updates): the area we hold must
 * not change, since an update publishes a new area and the old one stays
 * as it was until a grace period after.
 */
static void tt_percpu_update_held(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 k = tt_rand(&w->rnd, r->v.pc_owned);
	u32 key_id = tt_owned_id(w, k);
	u64 version = ++w->next_version;
	void __percpu *pptr;
	int err;

	if (!w->pc_version[k])
		return;
	tt_make_key(w->key, r->v.pc_shape->key_size, r->salt, key_id);
	tt_percpu_make(r, w->values, key_id, w->nr, version);
	rcu_read_lock();
	pptr = rcumap_percpu_hash_lookup(r->v.pc, w->key);
	if (!pptr) {
		rcu_read_unlock();
		tt_fail("round %u: worker %u: per-CPU key id %u not found",
			r->nr, w->nr, key_id);
		return;
	}
	err = rcumap_percpu_hash_update(r->v.pc, w->key, w->values,
					RCUMAP_EXIST,
					GFP_ATOMIC | __GFP_NOWARN);
	tt_percpu_check_area(r, pptr, key_id, w->pc_version[k], w->value2,
			     false);
	rcu_read_unlock();
	if (!err)
		w->pc_version[k] = version;
	else if (err == -ENOMEM)
		w->stats.nomem++;
	else
		tt_fail("round %u: worker %u: per-CPU update of held key id %u: %d",
			r->nr, w->nr, key_id, err);
	tt_percpu_read_back(w, k, "update of a held key");
}

static int tt_percpu_step(const void *map, struct rcumap_hash_cursor *c,
			  void *key, void *value)
{
	return rcumap_percpu_hash_cursor_next(map, c, key, value);
}

/*
 * A key an ordered walk returned, with every CPU's value: of one update,
 * and for a key of @w (of any worker if @w is NULL: they are stopped)
 * present and of its owner's version.
 */
static bool tt_percpu_walk_check(struct tt_worker *w, u32 key_id,
				 const void *values)
{
	struct tt_worker *o = w ?: &tt.workers[key_id % tt.nr_workers];
	struct tt_round *r = o->r;
	u64 version = tt_percpu_version(r, values, key_id);
	bool own = key_id % tt.nr_workers == o->nr;

	if (!version || (own && version != o->pc_version[key_id /
							  tt.nr_workers])) {
		tt_fail("round %u: per-CPU walk: key id %u: mixed or not its owner's (%llu)",
			r->nr, key_id, version);
		return false;
	}
	return true;
}

static void tt_percpu_walk_init(struct tt_round *r, struct tt_cursor_walk *cw,
				void *values)
{
	*cw = (struct tt_cursor_walk){
		.step = tt_percpu_step,
		.check = tt_percpu_walk_check,
		.map = r->v.pc,
		.h = rcumap_percpu_hash_table(r->v.pc),
		.ks = r->v.pc_shape->key_size,
		.salt = r->salt,
		.keys = r->v.pc_owned * tt.nr_workers,
		.value = values,
	};
}

/*
 * Every owned key of @w (of every worker if @w is NULL) that is present
 * came in the walk that set @seen: exactly once, since no key may come
 * twice.  None absent came: tt_percpu_walk_check().
 */
static void tt_percpu_walk_saw_all(struct tt_round *r, struct tt_worker *w,
				   const unsigned long *seen)
{
	u32 i, k;

	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_worker *o = &tt.workers[i];

		if (w && o != w)
			continue;
		for (k = 0; k < r->v.pc_owned; k++) {
			if (o->pc_version[k] && !test_bit(tt_owned_id(o, k), seen))
				tt_fail("round %u: per-CPU whole walk skipped key id %u",
					r->nr, tt_owned_id(o, k));
		}
	}
}

/*
 * A whole ordered walk (one in eight) or a few steps from a random key,
 * while the others update and resize.  Our keys are frozen for the walk:
 * each one present must come.
 */
static void tt_percpu_walk(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	struct tt_cursor_walk cw;
	long n;

	tt_percpu_walk_init(r, &cw, w->values);
	if (!tt_rand(&w->rnd, 8)) {
		n = tt_cursor_walk(w, &cw, NULL, U32_MAX,
				   "per-CPU whole walk");
		if (n >= 0)
			tt_percpu_walk_saw_all(r, w, w->seen);
		w->stats.cursor_walks++;
		w->stats.cursor_keys += max(n, 0L);
		return;
	}
	tt_make_key(w->prev_key, cw.ks, r->salt, tt_rand(&w->rnd, cw.keys));
	tt_cursor_walk(w, &cw, w->prev_key, 1 + tt_rand(&w->rnd, 16),
		       "per-CPU walk steps");
}

void tt_percpu_op(struct tt_worker *w)
{
	u32 op = tt_rand(&w->rnd, 16);

	w->stats.pc_ops++;
	if (op < 3)
		tt_percpu_update(w, RCUMAP_ANY, false);
	else if (op < 5)
		tt_percpu_update(w, RCUMAP_NOEXIST, false);
	else if (op < 6)
		tt_percpu_update(w, RCUMAP_EXIST, false);
	else if (op < 7)
		tt_percpu_update(w, tt_rand(&w->rnd, 3), true);
	else if (op < 9)
		tt_percpu_delete(w, op & 1);
	else if (op < 10)
		tt_percpu_update_held(w);
	else if (op < 14)
		tt_percpu_lookup_owned(w);
	else
		tt_percpu_walk(w);
}

/* A reader's lookup of a random key, under the caller's RCU read lock. */
void tt_percpu_read_once(struct tt_round *r, struct rnd_state *rnd, u8 *key,
			 u8 *value, bool hold)
{
	u32 key_id = tt_rand(rnd, r->v.pc_owned * tt.nr_workers);
	void __percpu *pptr;

	tt_make_key(key, r->v.pc_shape->key_size, r->salt, key_id);
	pptr = rcumap_percpu_hash_lookup(r->v.pc, key);
	if (pptr)
		tt_percpu_check_area(r, pptr, key_id, 0, value, hold);
}

/* As tt_lru_resize(). */
int tt_percpu_resize(struct tt_round *r, struct rnd_state *rnd)
{
	const struct tt_hash_shape *s = r->v.pc_shape;
	u32 nr = rcumap_percpu_hash_nr_buckets(r->v.pc);
	int order = ilog2(nr) + tt_rand(rnd, 5) - 2;
	u32 target = 1U << clamp_t(int, order, tt_roomy_order(s),
				   ilog2(roundup_pow_of_two(2 * s->keys)));
	int err;

	err = rcumap_percpu_hash_resize(r->v.pc, target);
	if (err == -ENOMEM ||
	    (err == -ENOSPC && target < rcumap_percpu_hash_nr_buckets(r->v.pc)))
		return err;
	if (err)
		tt_fail("round %u: per-CPU resize to %u buckets: %d", r->nr,
			target, err);
	else if (!s->flags && rcumap_percpu_hash_nr_buckets(r->v.pc) != target)
		tt_fail("round %u: per-CPU resized to %u buckets, has %u",
			r->nr, target, rcumap_percpu_hash_nr_buckets(r->v.pc));
	return err;
}

/*
 * With the workers and the resizer stopped: every owned key is as its
 * owner knows, the count is exact, and a whole ordered walk returns each
 * present key exactly once.
 */
void tt_round_check_percpu(struct tt_round *r)
{
	struct tt_cursor_walk cw;
	long present = 0, n;
	u32 i, k;

	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_worker *w = &tt.workers[i];

		for (k = 0; k < r->v.pc_owned; k++) {
			tt_percpu_read_back(w, k, "the round");
			present += !!w->pc_version[k];
		}
	}
	if (rcumap_percpu_hash_count(r->v.pc) != present)
		tt_fail("round %u: per-CPU count %u, want %ld", r->nr,
			rcumap_percpu_hash_count(r->v.pc), present);
	tt_percpu_walk_init(r, &cw, tt.workers[0].values);
	n = tt_cursor_walk(NULL, &cw, NULL, U32_MAX, "per-CPU round walk");
	if (n != present)
		tt_fail("round %u: per-CPU walk found %ld keys, want %ld",
			r->nr, n, present);
	else
		tt_percpu_walk_saw_all(r, NULL, tt.workers[0].seen);
}
