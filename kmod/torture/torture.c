// SPDX-License-Identifier: GPL-2.0
/*
 * The torture's machinery: rounds, readers, workers and the controller.
 * What each of them does to a map is in torture_<map>.c.
 *
 * A round's tables are reached by workers through @w->r, set before the
 * workers are created and valid until they are stopped, and by readers
 * through tt.cur (tt_round_rcu()) under the RCU read lock; a round is
 * freed with kfree_rcu() after tt.cur stops pointing to it, and after
 * rcumap_hash_barrier() has run the free callbacks of its tables.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "torture.h"

struct tt_state tt;

/*
 * The current round, loaded by a reader inside an RCU read-side critical
 * section (a thread's, or its timer's in softirq); only the controller
 * changes tt.cur, between rounds.
 */
static struct tt_round *tt_round_rcu(void)
{
	return rcu_dereference_check(tt.cur, rcu_read_lock_any_held());
}

static u32 tt_cpu(u32 i)
{
	return cpumask_nth(i % num_online_cpus(), cpu_online_mask);
}

/*
 * One read of the current round, under the RCU read lock the caller
 * holds: a hash lookup, a walk step, a process-table lookup or walk step,
 * an LRU or a per-CPU lookup.
 * @hold says whether the caller may spin a little while holding what it
 * found (not from the timer); *@held says which value it holds.
 */
static void tt_read_once(struct tt_round *r, struct rnd_state *rnd, u8 *key,
			 u8 *value, bool hold, const void **held)
{
	u32 op = tt_rand(rnd, 8);

	if (op < 3)
		tt_hash_read_once(r, rnd, op, key, value, hold, held);
	else if (op < 6)
		tt_ptab_read_once(r, rnd, op - 3, hold);
	else if (op == 6)
		tt_lru_read_once(r, rnd, key, value, hold, held);
	else
		tt_percpu_read_once(r, rnd, key, value, hold);
}

static void tt_timer_fn(struct timer_list *timer)
{
	struct tt_reader *rd = from_timer(rd, timer, timer);
	u8 key[TT_MAX_KEY] __aligned(8);
	u8 value[TT_MAX_VALUE] __aligned(8);
	struct tt_round *r;
	int i;

	rcu_read_lock();
	r = tt_round_rcu();
	for (i = 0; r && i < 4; i++)
		tt_read_once(r, &rd->timer_rnd, key, value, false,
			     tt_held_slot(TT_HELD_TIMER, rd->nr));
	rcu_read_unlock();
	rd->timer_reads++;
	if (!READ_ONCE(tt.stop_timers))
		mod_timer(&rd->timer, jiffies + 1);
}

static int tt_reader_fn(void *arg)
{
	struct tt_reader *rd = arg;
	u8 key[TT_MAX_KEY] __aligned(8);
	u8 value[TT_MAX_VALUE] __aligned(8);
	struct tt_round *r;

	mod_timer(&rd->timer, jiffies + 1);
	while (!kthread_should_stop()) {
		rcu_read_lock();
		r = tt_round_rcu();
		if (r)
			tt_read_once(r, &rd->rnd, key, value, true,
				     tt_held_slot(TT_HELD_READER, rd->nr));
		rcu_read_unlock();
		rd->reads++;
		cond_resched();
	}
	return 0;
}

/* ---- Torture: the worker loop --------------------------------------- */

/*
 * In a round of a shrinking shape, a worker alternates between filling
 * its keys and draining them: while it drains, its updates and deletes
 * all become deletes of its next present key.  Returns true if it did
 * one.
 */
static bool tt_hash_drain(struct tt_worker *w, u32 op)
{
	struct tt_round *r = w->r;
	u32 i;

	if (!(r->shape->flags & RCUMAP_HASH_F_SHRINK))
		return false;
	if (!w->phase_ops--) {
		w->phase_ops = TT_PHASE_OPS;
		w->draining = !w->draining;
	}
	if (!w->draining || op >= 28)
		return false;
	for (i = 0; i < r->owned_per_worker; i++) {
		u32 k = w->sweep++ % r->owned_per_worker;

		if (w->version[k]) {
			tt_hash_delete(w, op & 1, k);
			break;
		}
	}
	return true;
}

static void tt_worker_op(struct tt_worker *w)
{
	u32 op = tt_rand(&w->rnd, 100);

	w->stats.ops++;
	/* One op in six is on the LRU or the per-CPU table. */
	if (!tt_rand(&w->rnd, 6)) {
		if (tt_rand(&w->rnd, 2))
			tt_lru_op(w);
		else
			tt_percpu_op(w);
		return;
	}
	if (op < 55)
		w->stats.hash_ops++;
	else
		w->stats.ptab_ops++;

	if (tt_hash_drain(w, op))
		return;
	if (op < 8)
		tt_hash_update(w, RCUMAP_ANY, false);
	else if (op < 13)
		tt_hash_update(w, RCUMAP_NOEXIST, false);
	else if (op < 17)
		tt_hash_update(w, RCUMAP_EXIST, false);
	else if (op < 19)
		tt_hash_update(w, tt_rand(&w->rnd, 3), true);
	else if (op < 24)
		tt_hash_delete(w, false, U32_MAX);
	else if (op < 28)
		tt_hash_delete(w, true, U32_MAX);
	else if (op < 37)
		tt_hash_lookup_owned(w);
	else if (op < 46)
		tt_hash_contested(w);
	else if (op < 49 && !tt_rand(&w->rnd, 12))
		tt_hash_ordered_walk(w);
	else if (op < 49 && tt_rand(&w->rnd, 2))
		tt_hash_ordered_steps(w);
	else if (op < 49)
		tt_hash_walk(w, false);
	else if (op < 52)
		tt_hash_walk(w, true);
	else if (op < 55)
		tt_hash_info(w);
	else if (op < 67)
		tt_ptab_insert_owned(w);
	else if (op < 77 && w->nr_objs)
		tt_ptab_remove_owned(w);
	else if (op < 77)
		tt_ptab_insert_owned(w);
	else if (op < 80 && w->nr_stale)
		tt_ptab_stale_again(w);
	else if (op < 85 && w->nr_objs)
		tt_ptab_lookup_owned(w);
	else if (op < 89)
		tt_ptab_lookup_other(w);
	else if (op < 94)
		tt_ptab_shared(w);
	else if (op < 97)
		tt_ptab_walk(w, false);
	else
		tt_ptab_walk(w, true);
}

static int tt_worker_fn(void *arg)
{
	struct tt_worker *w = arg;

	while (!kthread_should_stop()) {
		tt_worker_op(w);
		cond_resched();
	}
	return 0;
}

/*
 * Walk @cw's table in order with its cursor_next() from the key @from
 * (NULL: from the start), for @max_keys keys or to the end: each key one
 * the round uses, none twice (@w->seen), each strictly after the one
 * before (the first after @from), each passed to @cw->check.  -EAGAIN
 * steps (runs of empty buckets) each move the cursor on, so there are at
 * most as many as runs of RCUMAP_HASH_WALK_BUCKETS buckets in the largest
 * table, on top of one step a key.  Returns the number of keys, or -1
 * after a mismatch.  @w is NULL for the controller's walk at the end of a
 * round, which uses worker 0's buffers (the workers are stopped).
 */
long tt_cursor_walk(struct tt_worker *w, const struct tt_cursor_walk *cw,
		    const u8 *from, u32 max_keys, const char *what)
{
	struct tt_worker *b = w ?: &tt.workers[0];
	u32 again = 0, key_id, ks = cw->ks;
	struct rcumap_hash_cursor c;
	long n = 0;
	int err;

	bitmap_zero(b->seen, cw->keys);
	rcumap_hash_cursor_init(&c, from, b->key, ks, RCUMAP_CURSOR_AFTER_KEY);
	while (n < max_keys) {
		err = cw->step(cw->map, &c, b->key, cw->value);
		if (err == -EAGAIN) {
			if (++again > RCUMAP_HASH_MAX_BUCKETS /
				      RCUMAP_HASH_WALK_BUCKETS) {
				tt_fail("%s: -EAGAIN without end", what);
				return -1;
			}
			continue;
		}
		if (err == -ENOENT)
			break;
		if (err) {
			tt_fail("%s: %d", what, err);
			return -1;
		}
		if (!tt_key_id(b->key, ks, cw->salt, &key_id) ||
		    key_id >= cw->keys) {
			tt_fail("%s: a key never inserted", what);
			return -1;
		}
		if (test_and_set_bit(key_id, b->seen)) {
			tt_fail("%s: key id %u twice", what, key_id);
			return -1;
		}
		if ((n || from) && !tt_key_after(cw->h, n ? b->prev_key : from,
						 b->key, ks)) {
			tt_fail("%s: went back at key id %u", what, key_id);
			return -1;
		}
		if (!cw->check(w, key_id, cw->value))
			return -1;
		memcpy(b->prev_key, b->key, ks);
		if (!(++n % 32))
			cond_resched();
	}
	return n;
}

/*
 * Force resizes of the round's LRU and per-CPU tables, in turn, until
 * stopped (see tt_lru_resize()).
 */
static int tt_vresizer_fn(void *arg)
{
	struct tt_round *r = arg;
	struct rnd_state rnd;
	u32 i = 0;
	int err;

	tt_seed(&rnd, tt.seed, 5000 + r->nr);
	while (!kthread_should_stop()) {
		if (i++ & 1)
			err = tt_lru_resize(r, &rnd);
		else
			err = tt_percpu_resize(r, &rnd);
		r->v.resizes += !err;
		cond_resched();
	}
	return 0;
}

/* ---- Torture: rounds ------------------------------------------------ */

/*
 * Keys each worker owns: seven eighths of the keys are owned, the rest
 * contested; in a shrinking shape all are owned, so that a drain can
 * empty the table.
 */
u32 tt_owned_per_worker(const struct tt_hash_shape *s)
{
	u32 owned = s->flags & RCUMAP_HASH_F_SHRINK ? s->keys : s->keys * 7 / 8;

	return owned / tt.nr_workers;
}

static struct tt_round *tt_round_new(u32 nr)
{
	const struct tt_hash_shape *s =
		&tt_hash_shapes[tt_rand(&tt.rnd, tt_nr_hash_shapes)];
	struct rcumap_hash_params params;
	struct tt_round *r;
	u32 i;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return ERR_PTR(-ENOMEM);
	params = tt_hash_params(s, tt_free_value, r);
	r->nr = nr;
	r->shape = s;
	r->salt = prandom_u32_state(&tt.rnd);
	r->owned_per_worker = tt_owned_per_worker(s);
	r->owned_keys = r->owned_per_worker * tt.nr_workers;
	r->keys = s->keys;
	r->capacity = tt_ptab_capacities[tt_rand(&tt.rnd,
					tt_nr_ptab_capacities)];
	/* A little more than a fair share: the table fills up sometimes. */
	r->ptab_quota = max(1U, r->capacity * 5 / 4 / tt.nr_workers);
	for (i = 0; i < TT_SHARED; i++)
		atomic64_set(&r->shared[i], (s64)TT_ID_NONE);
	for (i = 0; i < TT_RECENT; i++)
		atomic64_set(&r->recent[i], (s64)TT_ID_NONE);
	/*
	 * Two rounds in three of a fixed shape have a resizer, one in two of
	 * the growing shape (whose worker must be seen at work alone, too),
	 * none of the shrinking one, where the worker alone grows and
	 * shrinks the table as the workers fill and drain it; up to twice as
	 * many buckets as keys.
	 */
	if (!s->flags)
		r->resizer = tt_rand(&tt.rnd, 3);
	else if (!(s->flags & RCUMAP_HASH_F_SHRINK))
		r->resizer = tt_rand(&tt.rnd, 2);
	r->resize_order = ilog2(roundup_pow_of_two(2 * s->keys));

	r->h = rcumap_hash_create(&params, GFP_KERNEL);
	if (IS_ERR(r->h))
		goto out_free_round;
	r->init_buckets = rcumap_hash_nr_buckets(r->h);
	r->t = rcumap_ptab_create(r->capacity, GFP_KERNEL);
	if (IS_ERR(r->t))
		goto out_destroy_hash;
	/* An LRU and a per-CPU table; a resizer for both in half the rounds. */
	r->v.resizer = tt_rand(&tt.rnd, 2);
	if (tt_lru_create(r, &tt_lru_shapes[tt_rand(&tt.rnd,
						    tt_nr_lru_shapes)]))
		goto out_destroy_ptab;
	i = tt_rand(&tt.rnd, tt_nr_percpu_shapes);
	if (tt_percpu_create(r, &tt_percpu_shapes[i]))
		goto out_destroy_lru;
	return r;

out_destroy_lru:
	rcumap_lru_hash_destroy(r->v.lru);
out_destroy_ptab:
	rcumap_ptab_destroy(r->t);
out_destroy_hash:
	rcumap_hash_destroy(r->h);
	r->h = NULL;
out_free_round:
	tt_fail("round %u: cannot create the tables", nr);
	kfree(r);
	return ERR_PTR(-ENOMEM);
}

static void tt_stop_workers(u32 started)
{
	u32 i;

	for (i = 0; i < started; i++)
		kthread_stop(tt.workers[i].task);
}

/* After the barrier: what @owed's table stored, it freed; returns that. */
static long tt_owed_check(struct tt_round *r, struct tt_owed *owed,
			  const char *what)
{
	long stored = atomic_long_read(&owed->stored);
	long freed = atomic_long_read(&owed->freed);

	if (stored != freed ||
	    atomic64_read(&owed->stored_sum) != atomic64_read(&owed->freed_sum))
		tt_fail("round %u: %ld values stored, %ld freed%s (sums %llx, %llx)",
			r->nr, stored, freed, what,
			(u64)atomic64_read(&owed->stored_sum),
			(u64)atomic64_read(&owed->freed_sum));
	return freed;
}

/*
 * Every value a destroyed round stored has been handed to the free
 * callback once: as the old value of a replace, by a delete, or by the
 * destroy.  After rcumap_hash_barrier() no callback of those rounds runs
 * any more, and the rounds (the callbacks' @priv) may go.  One barrier
 * for several rounds: it waits for every pending RCU callback, which in
 * a debug guest can take most of a second.
 */
static void tt_rounds_settle(void)
{
	u32 i;

	if (!tt.nr_pending)
		return;
	rcumap_hash_barrier();
	for (i = 0; i < tt.nr_pending; i++) {
		struct tt_round *r = tt.pending[i];

		tt.values_freed += tt_owed_check(r, &r->owed, "");
		tt.lru_values_freed += tt_owed_check(r, &r->v.lru_owed,
						     " by the LRU table");
		kfree_rcu(r, rcu);
	}
	tt.nr_pending = 0;
}

/* One round: create, run the workers for @ms, stop, check, destroy. */
static int tt_round_run(u32 nr, unsigned int ms)
{
	struct tt_round *r;
	u32 i, started;
	int err = 0;

	r = tt_round_new(nr);
	if (IS_ERR(r))
		return PTR_ERR(r);
	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_worker *w = &tt.workers[i];

		w->r = r;
		w->nr_objs = 0;
		w->nr_stale = 0;
		w->last_id = TT_ID_NONE;
		memset(w->version, 0, tt.max_owned * sizeof(*w->version));
		memset(w->lru_version, 0,
		       tt.max_lru_owned * sizeof(*w->lru_version));
		memset(w->pc_version, 0,
		       tt.max_pc_owned * sizeof(*w->pc_version));
		w->last_buckets = 0;
		w->phase_ops = TT_PHASE_OPS;
		w->draining = false;
		w->sweep = 0;
	}
	/* Readers find the new round from here on (tt.cur was NULL). */
	rcu_assign_pointer(tt.cur, r);

	for (started = 0; started < tt.nr_workers; started++) {
		struct tt_worker *w = &tt.workers[started];

		w->task = kthread_create(tt_worker_fn, w, "rcumap_tw/%u",
					 started);
		if (IS_ERR(w->task)) {
			err = PTR_ERR(w->task);
			tt_fail("round %u: cannot start worker %u", nr, started);
			break;
		}
		kthread_bind(w->task, tt_cpu(started));
	}
	if (!err && r->resizer) {
		r->resizer_task = kthread_create(tt_resizer_fn, r,
						 "rcumap_tz/%u", nr);
		if (IS_ERR(r->resizer_task)) {
			err = PTR_ERR(r->resizer_task);
			r->resizer_task = NULL;
			tt_fail("round %u: cannot start the resizer", nr);
		}
	}
	if (!err && r->v.resizer) {
		r->v.resizer_task = kthread_create(tt_vresizer_fn, r,
						   "rcumap_tv/%u", nr);
		if (IS_ERR(r->v.resizer_task)) {
			err = PTR_ERR(r->v.resizer_task);
			r->v.resizer_task = NULL;
			tt_fail("round %u: cannot start the LRU and per-CPU resizer",
				nr);
		}
	}
	if (!err) {
		for (i = 0; i < tt.nr_workers; i++)
			wake_up_process(tt.workers[i].task);
		if (r->resizer_task)
			wake_up_process(r->resizer_task);
		if (r->v.resizer_task)
			wake_up_process(r->v.resizer_task);
		msleep(ms);
	}
	/* Joins the workers: everything they did is visible from here. */
	tt_stop_workers(started);
	if (r->resizer_task) {
		kthread_stop(r->resizer_task);
		tt.resizes += r->resizes;
		tt.resize_nomem += r->resize_nomem;
		tt.resize_nofit += r->resize_nofit;
		tt.resize_rounds++;
	}
	if (r->v.resizer_task) {
		kthread_stop(r->v.resizer_task);
		tt.vresizes += r->v.resizes;
	}

	if (!err) {
		tt_round_check_hash(r);
		tt_round_check_ptab(r);
		tt_round_check_lru(r);
		tt_round_check_percpu(r);
	}

	/*
	 * Destroy with readers possibly inside: first make the round
	 * unreachable, then destroy the tables, whose memory the maps free
	 * after a grace period, as the objects and the round are freed.
	 */
	rcu_assign_pointer(tt.cur, NULL);
	tt_round_drain(r);
	rcumap_ptab_destroy(r->t);
	rcumap_hash_destroy(r->h);
	rcumap_lru_hash_destroy(r->v.lru);
	rcumap_percpu_hash_destroy(r->v.pc);
	tt.pending[tt.nr_pending++] = r;
	if (tt.nr_pending == TT_PENDING)
		tt_rounds_settle();
	return err;
}

static void tt_free_workers(void)
{
	u32 i;

	for (i = 0; tt.workers && i < tt.nr_workers; i++) {
		kfree(tt.workers[i].version);
		kfree(tt.workers[i].lru_version);
		kfree(tt.workers[i].lru_evictions);
		kfree(tt.workers[i].pc_version);
		kfree(tt.workers[i].values);
		kfree(tt.workers[i].values2);
		kfree(tt.workers[i].objs);
		bitmap_free(tt.workers[i].seen);
	}
	kfree(tt.workers);
	tt.workers = NULL;
	kfree(tt.held);
	tt.held = NULL;
}

/*
 * Does shape @s fit the workers' buffers and the key ids' bitmaps?  Also
 * the largest number of keys a worker owns, in *@max_owned.
 */
static bool tt_shapes_fit(const struct tt_hash_shape *shapes, size_t n,
			  u32 *max_owned)
{
	size_t i;

	*max_owned = 0;
	for (i = 0; i < n; i++) {
		const struct tt_hash_shape *s = &shapes[i];

		if (s->key_size > TT_MAX_KEY || s->value_size > TT_MAX_VALUE ||
		    s->value_size < sizeof(struct tt_value) ||
		    s->keys > TT_MAX_KEYS ||
		    (s->key_size < 4 && s->keys > 1U << (8 * s->key_size)))
			return false;
		*max_owned = max(*max_owned, tt_owned_per_worker(s));
	}
	return true;
}

static int tt_alloc_workers(void)
{
	size_t values = num_possible_cpus() * round_up(TT_MAX_VALUE, 8);
	u32 i;

	if (!tt_shapes_fit(tt_hash_shapes, tt_nr_hash_shapes, &tt.max_owned) ||
	    !tt_shapes_fit(tt_lru_shapes, tt_nr_lru_shapes,
			   &tt.max_lru_owned) ||
	    !tt_shapes_fit(tt_percpu_shapes, tt_nr_percpu_shapes,
			   &tt.max_pc_owned))
		return -EINVAL;
	tt.max_quota = 0;
	for (i = 0; i < tt_nr_ptab_capacities; i++)
		tt.max_quota = max(tt.max_quota, max(1U, tt_ptab_capacities[i] *
						     5 / 4 / tt.nr_workers));
	tt.workers = kcalloc(tt.nr_workers, sizeof(*tt.workers), GFP_KERNEL);
	if (!tt.workers)
		return -ENOMEM;
	tt.nr_held = 2 * tt.nr_readers + tt.nr_workers;
	tt.held = kcalloc(tt.nr_held, sizeof(*tt.held), GFP_KERNEL);
	if (!tt.held) {
		tt_free_workers();
		return -ENOMEM;
	}
	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_worker *w = &tt.workers[i];

		w->nr = i;
		tt_seed(&w->rnd, tt.seed, 1000 + i);
		w->version = kcalloc(max(tt.max_owned, 1U), sizeof(u64),
				     GFP_KERNEL);
		w->objs = kcalloc(tt.max_quota, sizeof(*w->objs), GFP_KERNEL);
		w->seen = bitmap_zalloc(TT_MAX_KEYS, GFP_KERNEL);
		w->lru_version = kcalloc(max(tt.max_lru_owned, 1U),
					 sizeof(u64), GFP_KERNEL);
		w->lru_evictions = kcalloc(max(tt.max_lru_owned, 1U),
					   sizeof(u64), GFP_KERNEL);
		w->pc_version = kcalloc(max(tt.max_pc_owned, 1U), sizeof(u64),
					GFP_KERNEL);
		w->values = kmalloc(values, GFP_KERNEL);
		w->values2 = kmalloc(values, GFP_KERNEL);
		if (!w->version || !w->objs || !w->seen || !w->lru_version ||
		    !w->lru_evictions || !w->pc_version || !w->values ||
		    !w->values2) {
			tt_free_workers();
			return -ENOMEM;
		}
	}
	return 0;
}

static void tt_stop_readers(u32 started)
{
	u32 i;

	WRITE_ONCE(tt.stop_timers, true);
	for (i = 0; i < started; i++) {
		kthread_stop(tt.readers[i].task);
		del_timer_sync(&tt.readers[i].timer);
	}
}

static int tt_start_readers(void)
{
	u32 i;

	tt.readers = kcalloc(tt.nr_readers, sizeof(*tt.readers), GFP_KERNEL);
	if (!tt.readers)
		return -ENOMEM;
	for (i = 0; i < tt.nr_readers; i++) {
		struct tt_reader *rd = &tt.readers[i];

		rd->nr = i;
		tt_seed(&rd->rnd, tt.seed, 2000 + i);
		tt_seed(&rd->timer_rnd, tt.seed, 3000 + i);
		timer_setup(&rd->timer, tt_timer_fn, 0);
		rd->task = kthread_create(tt_reader_fn, rd, "rcumap_tr/%u", i);
		if (IS_ERR(rd->task)) {
			int err = PTR_ERR(rd->task);

			tt_stop_readers(i);
			kfree(tt.readers);
			return err;
		}
		kthread_bind(rd->task, tt_cpu(i));
		wake_up_process(rd->task);
	}
	return 0;
}

/* The whole torture: rounds until @duration seconds have passed. */
int tt_run(u64 seed, unsigned int duration, unsigned int threads)
{
	unsigned long end = jiffies + duration * HZ;
	struct tt_stats sum = {};
	unsigned long reads = 0, timer_reads = 0;
	int err;
	u32 i;

	tt.seed = seed;
	tt.nr_workers = threads ?: 2 * num_online_cpus();
	tt.nr_readers = num_online_cpus();
	tt_seed(&tt.rnd, tt.seed, 1);
	err = tt_alloc_workers();
	if (err)
		return err;
	err = tt_start_readers();
	if (err)
		goto out_free_workers;

	while (time_before(jiffies, end)) {
		unsigned int left = jiffies_to_msecs(end - jiffies);
		unsigned int ms = min(left, 200 + tt_rand(&tt.rnd, 800));

		err = tt_round_run(tt.rounds, max(ms, 50U));
		if (err)
			break;
		tt.rounds++;
	}
	tt_rounds_settle();

	tt_stop_readers(tt.nr_readers);
	for (i = 0; i < tt.nr_readers; i++) {
		reads += tt.readers[i].reads;
		timer_reads += tt.readers[i].timer_reads;
	}
	kfree(tt.readers);
	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_stats *s = &tt.workers[i].stats;

		sum.ops += s->ops;
		sum.hash_ops += s->hash_ops;
		sum.ptab_ops += s->ptab_ops;
		sum.full += s->full;
		sum.nomem += s->nomem;
		sum.ordered_walks += s->ordered_walks;
		sum.ordered_keys += s->ordered_keys;
		sum.grew += s->grew;
		sum.shrank += s->shrank;
		sum.lru_ops += s->lru_ops;
		sum.lru_evicted += s->lru_evicted;
		sum.pc_ops += s->pc_ops;
		sum.cursor_walks += s->cursor_walks;
		sum.cursor_keys += s->cursor_keys;
	}
	pr_info("torture: %u rounds, %u workers and %u readers, %lu ops (%lu hash, %lu ptab; %lu full, %lu atomic -ENOMEM), %lu reads, %lu timer reads\n",
		tt.rounds, tt.nr_workers, tt.nr_readers, sum.ops, sum.hash_ops,
		sum.ptab_ops, sum.full, sum.nomem, reads, timer_reads);
	pr_info("torture: %lu forced resizes in %lu rounds (%lu -ENOMEM, %lu shrinks refused by the bucket bound), resize worker seen growing %lu and shrinking %lu times, %lu whole ordered walks of %lu keys, %lu values freed by the callback\n",
		tt.resizes, tt.resize_rounds, tt.resize_nomem, tt.resize_nofit,
		sum.grew,
		sum.shrank, sum.ordered_walks, sum.ordered_keys,
		tt.values_freed);
	pr_info("torture: %lu LRU ops (%lu own keys found evicted, %lu evictions, %lu values freed by the callback), %lu per-CPU ops, %lu LRU and per-CPU forced resizes, %lu whole cursor walks of %lu keys\n",
		sum.lru_ops, sum.lru_evicted, tt.lru_evictions,
		tt.lru_values_freed, sum.pc_ops, tt.vresizes,
		sum.cursor_walks, sum.cursor_keys);
	if (!err && (!sum.hash_ops || !sum.ptab_ops || !sum.lru_ops ||
		     !sum.pc_ops || !reads || !tt.rounds))
		tt_fail("torture: some kind of operation never ran");
out_free_workers:
	tt_free_workers();
	return err;
}
