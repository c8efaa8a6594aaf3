// SPDX-License-Identifier: GPL-2.0
/*
 * The torture of the process table (include/linux/rcumap_ptab.h): what
 * the workers and readers do to a round's table, and the checks and the
 * drain at the end of a round.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "torture.h"

const u32 tt_ptab_capacities[] = { 64, 256, 4096 };
const size_t tt_nr_ptab_capacities = ARRAY_SIZE(tt_ptab_capacities);

/* A process-table object found under @id must be whole and have @id. */
static void tt_check_obj(const struct tt_round *r,
			 struct rcumap_ptab_node *node, u64 id, const char *what)
{
	struct tt_obj *o = container_of(node, struct tt_obj, node);
	u64 node_id = rcumap_ptab_node_id(node);
	u64 id_copy = READ_ONCE(o->id_copy);

	if (node_id != id || o->check != tt_obj_check(o->owner, o->seq) ||
	    (id_copy != TT_ID_NONE && id_copy != id))
		tt_fail("round %u: %s of id %llu found id %llu, owner %u, id copy %llu",
			r->nr, what, id, node_id, o->owner, id_copy);
}

static u64 tt_recent_id(struct tt_round *r, struct rnd_state *rnd)
{
	return (u64)atomic64_read(&r->recent[tt_rand(rnd, TT_RECENT)]);
}

/*
 * A reader's process-table read (@op below 3: a lookup of a recent id, a
 * next from near one, a slot walk step), under the RCU read lock the
 * caller holds.
 */
void tt_ptab_read_once(struct tt_round *r, struct rnd_state *rnd, u32 op,
		       bool hold)
{
	struct rcumap_ptab_node *node;
	u64 id, start;
	u32 slot;

	switch (op) {
	case 0:
		id = tt_recent_id(r, rnd);
		node = rcumap_ptab_lookup(r->t, id);
		if (node) {
			tt_check_obj(r, node, id, "reader's lookup");
			if (hold)
				udelay(2);
			tt_check_obj(r, node, id, "reader's held lookup");
		}
		break;
	case 1:
		start = tt_recent_id(r, rnd);
		if (start == TT_ID_NONE)
			start = 0;
		start -= min_t(u64, start, tt_rand(rnd, 8));
		id = start;
		node = rcumap_ptab_next(r->t, &id);
		if (node) {
			if (id < start)
				tt_fail("round %u: next from %llu went back to %llu",
					r->nr, start, id);
			tt_check_obj(r, node, id, "reader's next");
		}
		break;
	default:
		slot = tt_rand(rnd, r->capacity);
		node = rcumap_ptab_slot_next(r->t, &slot);
		if (node)
			tt_check_obj(r, node, rcumap_ptab_node_id(node),
				     "reader's slot walk");
		break;
	}
}

static void tt_note_recent(struct tt_round *r, u64 id)
{
	u32 pos = (u32)atomic_inc_return(&r->recent_pos) % TT_RECENT;

	atomic64_set(&r->recent[pos], (s64)id);
}

struct tt_init_arg {
	struct tt_round *r;
	bool called;
};

/* Runs before the object is visible: the table must not find it yet. */
static void tt_obj_init(struct rcumap_ptab_node *node, u64 id, void *arg)
{
	struct tt_init_arg *a = arg;
	struct tt_obj *o = container_of(node, struct tt_obj, node);

	a->called = true;
	WRITE_ONCE(o->id_copy, id);
	rcu_read_lock();
	if (rcumap_ptab_node_id(node) != id ||
	    rcumap_ptab_lookup(a->r->t, id) == node)
		tt_fail("round %u: init of id %llu: node id %llu, or visible already",
			a->r->nr, id, rcumap_ptab_node_id(node));
	rcu_read_unlock();
}

static struct tt_obj *tt_obj_new(struct tt_worker *w, u32 owner)
{
	struct tt_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return NULL;
	o->owner = owner;
	o->seq = ++w->next_seq;
	o->check = tt_obj_check(owner, o->seq);
	o->id_copy = TT_ID_NONE;
	return o;
}

/* Insert @o, plainly or with an init callback; 0 or the error. */
static int tt_obj_insert(struct tt_worker *w, struct tt_obj *o, u64 *id)
{
	struct tt_init_arg arg = { .r = w->r };
	struct tt_round *r = w->r;
	bool with = tt_rand(&w->rnd, 2);
	int err;

	if (with)
		err = rcumap_ptab_insert_with(r->t, &o->node, tt_obj_init, &arg,
					      id);
	else
		err = rcumap_ptab_insert(r->t, &o->node, id);
	if (err) {
		if (err != -ENOSPC || arg.called)
			tt_fail("round %u: worker %u: insert: %d%s", r->nr,
				w->nr, err, arg.called ? ", init called" : "");
		w->stats.full++;
		return err;
	}
	if (with != arg.called || rcumap_ptab_node_id(&o->node) != *id)
		tt_fail("round %u: worker %u: insert of id %llu: init %s, node id %llu",
			r->nr, w->nr, *id, arg.called ? "called" : "not called",
			rcumap_ptab_node_id(&o->node));
	/* Ids of one thread's inserts increase; never handed out twice. */
	if (w->last_id != TT_ID_NONE && *id <= w->last_id)
		tt_fail("round %u: worker %u: id %llu after id %llu", r->nr,
			w->nr, *id, w->last_id);
	w->last_id = *id;
	if (!with)
		WRITE_ONCE(o->id_copy, *id);
	tt_note_recent(r, *id);
	return 0;
}

static void tt_ptab_remember_stale(struct tt_worker *w, u64 id)
{
	w->stale[w->nr_stale++ % TT_STALE] = id;
}

static void tt_ptab_check_stale(struct tt_worker *w, u64 id)
{
	struct tt_round *r = w->r;
	struct rcumap_ptab_node *node;

	rcu_read_lock();
	node = rcumap_ptab_lookup(r->t, id);
	if (node)
		tt_fail("round %u: worker %u: removed id %llu found again (node id %llu)",
			r->nr, w->nr, id, rcumap_ptab_node_id(node));
	rcu_read_unlock();
	node = rcumap_ptab_remove(r->t, id);
	if (node)
		tt_fail("round %u: worker %u: removed id %llu removed again (node id %llu)",
			r->nr, w->nr, id, rcumap_ptab_node_id(node));
}

/* Try one of the ids this worker removed again: it must miss. */
void tt_ptab_stale_again(struct tt_worker *w)
{
	u32 nr = min_t(u32, w->nr_stale, TT_STALE);

	tt_ptab_check_stale(w, w->stale[tt_rand(&w->rnd, nr)]);
}

void tt_ptab_remove_owned(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 i = tt_rand(&w->rnd, w->nr_objs);
	struct tt_obj *o = w->objs[i];
	u64 id = rcumap_ptab_node_id(&o->node);
	struct rcumap_ptab_node *node;

	node = rcumap_ptab_remove(r->t, id);
	w->objs[i] = w->objs[--w->nr_objs];
	w->objs[i]->index = i;
	if (node != &o->node) {
		/* It may still be in the table: leak it rather than free it. */
		tt_fail("round %u: worker %u: remove of its id %llu returned id %lld",
			r->nr, w->nr, id, tt_node_id(node));
		return;
	}
	kfree_rcu(o, rcu);
	tt_ptab_remember_stale(w, id);
	tt_ptab_check_stale(w, id);
}

void tt_ptab_insert_owned(struct tt_worker *w)
{
	struct tt_obj *o;
	u64 id;

	if (w->nr_objs == w->r->ptab_quota) {
		tt_ptab_remove_owned(w);
		return;
	}
	o = tt_obj_new(w, w->nr);
	if (!o)
		return;
	if (tt_obj_insert(w, o, &id)) {
		kfree(o);	/* never visible */
		return;
	}
	o->index = w->nr_objs;
	w->objs[w->nr_objs++] = o;
}

void tt_ptab_lookup_owned(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	struct tt_obj *o = w->objs[tt_rand(&w->rnd, w->nr_objs)];
	u64 id = rcumap_ptab_node_id(&o->node);
	struct rcumap_ptab_node *node;

	rcu_read_lock();
	node = rcumap_ptab_lookup(r->t, id);
	if (node != &o->node)
		tt_fail("round %u: worker %u: lookup of its id %llu returned id %lld",
			r->nr, w->nr, id, tt_node_id(node));
	else
		tt_check_obj(r, node, id, "owner's lookup");
	rcu_read_unlock();
}

/* Shared objects: one worker inserts, any worker may remove. */
void tt_ptab_shared(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 i = tt_rand(&w->rnd, TT_SHARED);
	struct rcumap_ptab_node *node;
	struct tt_obj *o;
	u64 id;

	id = (u64)atomic64_read(&r->shared[i]);
	if (id == TT_ID_NONE) {
		o = tt_obj_new(w, TT_SHARED_OWNER);
		if (!o)
			return;
		if (tt_obj_insert(w, o, &id)) {
			kfree(o);
			return;
		}
		o->index = i;
		if (atomic64_cmpxchg(&r->shared[i], (s64)TT_ID_NONE, (s64)id) ==
		    (s64)TT_ID_NONE) {
			atomic_long_inc(&r->shared_in);
			return;
		}
		/* Someone else filled the place: nobody else knows @id. */
		node = rcumap_ptab_remove(r->t, id);
		if (node != &o->node) {
			tt_fail("round %u: worker %u: remove of unshared id %llu returned id %lld",
				r->nr, w->nr, id, tt_node_id(node));
			return;
		}
		kfree_rcu(o, rcu);
		return;
	}
	/* Of all the workers that try this, exactly one gets the object. */
	node = rcumap_ptab_remove(r->t, id);
	if (!node)
		return;
	o = container_of(node, struct tt_obj, node);
	tt_check_obj(r, node, id, "shared remove");
	if (o->owner != TT_SHARED_OWNER ||
	    atomic64_cmpxchg(&r->shared[i], (s64)id,
			     (s64)TT_ID_NONE) != (s64)id)
		tt_fail("round %u: worker %u: shared id %llu: owner %u, or removed twice",
			r->nr, w->nr, id, o->owner);
	atomic_long_inc(&r->shared_out);
	kfree_rcu(o, rcu);
}

/*
 * A few steps of a walk by slot, or by id (up to rcumap_ptab_id_end() or
 * without a bound), or, in a small table, a whole rcumap_ptab_for_each().
 */
void tt_ptab_walk(struct tt_worker *w, bool by_slot)
{
	struct tt_round *r = w->r;
	struct rcumap_ptab_node *node;
	u64 id, prev = 0, end;
	u32 i, slot;

	rcu_read_lock();
	if (by_slot) {
		slot = tt_rand(&w->rnd, r->capacity);
		for (i = 0; i < 8 && slot < r->capacity; i++, slot++) {
			u32 before = slot;

			node = rcumap_ptab_slot_next(r->t, &slot);
			if (!node)
				break;
			if (slot < before || slot >= r->capacity)
				tt_fail("round %u: slot walk from %u to %u",
					r->nr, before, slot);
			tt_check_obj(r, node, rcumap_ptab_node_id(node),
				     "slot walk");
		}
	} else if (r->capacity <= 256 && !tt_rand(&w->rnd, 8)) {
		/*
		 * A whole walk: it ends however many inserts run meanwhile,
		 * below the id end it read when it started, which is below
		 * the one we read after it.
		 */
		i = 0;
		rcumap_ptab_for_each(r->t, id, node) {
			if (i++ && id <= prev)
				tt_fail("round %u: for_each: id %llu after %llu",
					r->nr, id, prev);
			tt_check_obj(r, node, id, "for_each");
			prev = id;
		}
		end = rcumap_ptab_id_end(r->t);
		if (i && prev >= end)
			tt_fail("round %u: for_each returned id %llu, id end %llu",
				r->nr, prev, end);
	} else {
		id = tt_recent_id(r, &w->rnd);
		id = id == TT_ID_NONE ? 0 : id - min_t(u64, id, 4);
		end = tt_rand(&w->rnd, 2) ? rcumap_ptab_id_end(r->t) : U64_MAX;
		prev = 0;
		for (i = 0; i < 8; i++, id++) {
			u64 start = id;

			node = rcumap_ptab_next_below(r->t, &id, end);
			if (!node)
				break;
			if (id < start || id >= end || (i && id <= prev))
				tt_fail("round %u: id walk from %llu: %llu after %llu, end %llu",
					r->nr, start, id, prev, end);
			tt_check_obj(r, node, id, "id walk");
			prev = id;
		}
	}
	rcu_read_unlock();
}

void tt_ptab_lookup_other(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	struct rcumap_ptab_node *node;
	u64 id = tt_recent_id(r, &w->rnd);

	if (tt_rand(&w->rnd, 4) == 0)
		id += (u64)r->capacity * (1 + tt_rand(&w->rnd, 3));
	rcu_read_lock();
	node = rcumap_ptab_lookup(r->t, id);
	if (node)
		tt_check_obj(r, node, id, "worker's lookup");
	rcu_read_unlock();
}

/* Mark @node seen in this pass; false if it is not one we know of. */
static bool tt_round_mark(struct tt_round *r, struct rcumap_ptab_node *node)
{
	struct tt_obj *o = container_of(node, struct tt_obj, node);
	u64 id = rcumap_ptab_node_id(node);

	if (o->seen == tt.pass)
		return false;
	o->seen = tt.pass;
	if (o->owner == TT_SHARED_OWNER)
		return o->index < TT_SHARED &&
		       (u64)atomic64_read(&r->shared[o->index]) == id;
	return o->owner < tt.nr_workers &&
	       o->index < tt.workers[o->owner].nr_objs &&
	       tt.workers[o->owner].objs[o->index] == o;
}

void tt_round_check_ptab(struct tt_round *r)
{
	u32 i, owned = 0, shared = 0, expected, found, slot;
	struct rcumap_ptab_node *node;
	u64 id, prev;

	for (i = 0; i < tt.nr_workers; i++)
		owned += tt.workers[i].nr_objs;
	for (i = 0; i < TT_SHARED; i++)
		shared += atomic64_read(&r->shared[i]) != (s64)TT_ID_NONE;
	expected = owned + shared;
	if (rcumap_ptab_count(r->t) != expected)
		tt_fail("round %u: ptab count %u, want %u", r->nr,
			rcumap_ptab_count(r->t), expected);
	if (atomic_long_read(&r->shared_in) -
	    atomic_long_read(&r->shared_out) != shared)
		tt_fail("round %u: %u shared objects, but %ld inserted and %ld removed",
			r->nr, shared, atomic_long_read(&r->shared_in),
			atomic_long_read(&r->shared_out));

	tt.pass++;
	found = 0;
	prev = 0;
	rcu_read_lock();
	rcumap_ptab_for_each(r->t, id, node) {
		if ((found && id <= prev) || !tt_round_mark(r, node)) {
			tt_fail("round %u: id walk: id %llu unknown, repeated or out of order",
				r->nr, id);
			break;
		}
		prev = id;
		found++;
	}
	rcu_read_unlock();
	if (found != expected)
		tt_fail("round %u: id walk found %u objects, want %u", r->nr,
			found, expected);

	tt.pass++;
	found = 0;
	rcu_read_lock();
	for (slot = 0; (node = rcumap_ptab_slot_next(r->t, &slot)); slot++) {
		if (!tt_round_mark(r, node)) {
			tt_fail("round %u: slot walk: object unknown or repeated",
				r->nr);
			break;
		}
		found++;
	}
	rcu_read_unlock();
	if (found != expected)
		tt_fail("round %u: slot walk found %u objects, want %u", r->nr,
			found, expected);
}

/* Take every object out of @r's process table; free them after readers. */
void tt_round_drain(struct tt_round *r)
{
	struct rcumap_ptab_node *node;
	struct tt_obj *o;
	u32 i, j;
	u64 id;

	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_worker *w = &tt.workers[i];

		for (j = 0; j < w->nr_objs; j++) {
			o = w->objs[j];
			node = rcumap_ptab_remove(r->t,
						  rcumap_ptab_node_id(&o->node));
			if (node != &o->node)
				tt_fail("round %u: drain of worker %u's object failed",
					r->nr, i);
			else
				kfree_rcu(o, rcu);
		}
		w->nr_objs = 0;
	}
	for (i = 0; i < TT_SHARED; i++) {
		id = (u64)atomic64_read(&r->shared[i]);
		if (id == TT_ID_NONE)
			continue;
		node = rcumap_ptab_remove(r->t, id);
		if (!node) {
			tt_fail("round %u: drain of shared id %llu failed",
				r->nr, id);
			continue;
		}
		kfree_rcu(container_of(node, struct tt_obj, node), rcu);
	}
	if (rcumap_ptab_count(r->t))
		tt_fail("round %u: %u objects left after the drain", r->nr,
			rcumap_ptab_count(r->t));
}
