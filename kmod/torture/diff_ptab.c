// SPDX-License-Identifier: GPL-2.0
/*
 * The differential check of the process table
 * (include/linux/rcumap_ptab.h) against an array of slots under a mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "torture.h"

struct ref_slot {
	void *obj;	/* the live object of this slot, or NULL */
	u64 id;		/* its id, or the last id the slot had */
	bool used;	/* the slot has had an id */
	u32 seen;
};

/*
 * The process table's reference: an array of slots under a mutex, id
 * modulo capacity giving the slot, and the id rules of the contract.
 */
struct ref_ptab {
	struct mutex lock;	/* serialises every operation */
	u32 capacity;
	u32 count;
	u64 inserts;
	u64 next_id;	/* every id handed out is below */
	u32 *live;	/* slots of live objects, @count of them */
	u32 *live_pos;	/* where each slot is in @live */
	struct ref_slot slot[];
};

static const u32 df_ptab_capacities[] = { 64, 128, 1024 };

struct df_obj {
	struct rcumap_ptab_node node;
	struct rcu_head rcu;
	u64 tag;
};

struct df_init_arg {
	struct rcumap_ptab *t;
	u64 id;
	bool called;
	bool visible;
};

static void df_obj_init(struct rcumap_ptab_node *node, u64 id, void *arg)
{
	struct df_init_arg *a = arg;

	a->called = true;
	a->id = id;
	rcu_read_lock();
	a->visible = rcumap_ptab_lookup(a->t, id) == node ||
		     rcumap_ptab_node_id(node) != id;
	rcu_read_unlock();
}

static void ref_ptab_add(struct ref_ptab *ref, u32 slot, void *obj, u64 id)
{
	ref->slot[slot].obj = obj;
	ref->slot[slot].id = id;
	ref->slot[slot].used = true;
	ref->live_pos[slot] = ref->count;
	ref->live[ref->count++] = slot;
	ref->next_id = max(ref->next_id, id + 1);
	ref->inserts++;
}

static void ref_ptab_del(struct ref_ptab *ref, u32 slot)
{
	u32 at = ref->live_pos[slot], last = ref->live[--ref->count];

	ref->live[at] = last;
	ref->live_pos[last] = at;
	ref->slot[slot].obj = NULL;
}

static bool ref_ptab_live(const struct ref_ptab *ref, u64 id)
{
	const struct ref_slot *rs = &ref->slot[id & (ref->capacity - 1)];

	return rs->obj && rs->id == id;
}

/* The smallest live id in [@start, @end), which next_below() must find. */
static const struct ref_slot *ref_ptab_next(const struct ref_ptab *ref,
					    u64 start, u64 end)
{
	const struct ref_slot *best = NULL;
	u32 i;

	for (i = 0; i < ref->capacity; i++) {
		const struct ref_slot *rs = &ref->slot[i];

		if (rs->obj && rs->id >= start && rs->id < end &&
		    (!best || rs->id < best->id))
			best = rs;
	}
	return best;
}

/* @got and @want are nodes (or NULL); they are told apart by their ids. */
static void df_ptab_fail(struct df *d, struct ref_ptab *ref, const char *op,
			 u64 id, const void *got, const void *want)
{
	tt_fail("diff %u ptab op %lu (cap %u): %s of id %llu: got id %lld, want %lld%s",
		d->nr, d->op, ref->capacity, op, id, tt_node_id(got),
		tt_node_id(want), got && got == want ? " (same node)" : "");
}

static void df_ptab_insert(struct df *d, struct rcumap_ptab *t,
			   struct ref_ptab *ref)
{
	struct df_init_arg arg = { .t = t };
	bool with = tt_rand(&d->rnd, 3) == 0;
	u64 id = TT_ID_NONE, end = rcumap_ptab_id_end(t);
	struct ref_slot *rs;
	struct df_obj *o;
	u32 slot;
	int err;

	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return;
	o->tag = tt_rand64(&d->rnd);
	if (with)
		err = rcumap_ptab_insert_with(t, &o->node, df_obj_init, &arg,
					      &id);
	else
		err = rcumap_ptab_insert(t, &o->node, &id);

	mutex_lock(&ref->lock);
	if (ref->count == ref->capacity) {
		if (err != -ENOSPC || arg.called || id != TT_ID_NONE)
			tt_fail("diff %u ptab op %lu (capacity %u): insert into a full table: %d",
				d->nr, d->op, ref->capacity, err);
		d->full++;
		goto out_unlock;
	}
	if (err) {
		tt_fail("diff %u ptab op %lu (capacity %u): insert: %d", d->nr, d->op,
			ref->capacity, err);
		goto out_unlock;
	}
	slot = id & (ref->capacity - 1);
	rs = &ref->slot[slot];
	/*
	 * The contract: ids increase; the first capacity inserts get 0, 1,
	 * 2, ...; an id goes to a free slot, and a reused slot's id is at
	 * least its last id plus the capacity; init sees the id first; the
	 * id is at or above the id end read before.
	 */
	if (id < ref->next_id || id < end || rs->obj ||
	    (ref->inserts < ref->capacity && id != ref->inserts) ||
	    (rs->used && id < rs->id + ref->capacity) ||
	    rcumap_ptab_node_id(&o->node) != id ||
	    with != arg.called || (with && (arg.id != id || arg.visible)))
		tt_fail("diff %u ptab op %lu: insert %llu: %llu, %s, %llu < %llu, %d%d",
			d->nr, d->op, ref->inserts, id,
			rs->obj ? "taken" : "free", rs->id, ref->next_id,
			arg.called, arg.visible);
	if (rs->obj) {
		/* Keep the reference sane: forget the one it had. */
		ref_ptab_del(ref, slot);
	}
	ref_ptab_add(ref, slot, o, id);
	o = NULL;
out_unlock:
	mutex_unlock(&ref->lock);
	kfree(o);	/* never visible */
}

/* Remember removed ids, to try them again later. */
#define DF_STALE	64

static void df_ptab_remove(struct df *d, struct rcumap_ptab *t,
			   struct ref_ptab *ref, u64 *stale, u32 *nr_stale)
{
	struct rcumap_ptab_node *node;
	void *want = NULL;
	u64 id;

	mutex_lock(&ref->lock);
	if (ref->count && tt_rand(&d->rnd, 5))
		id = ref->slot[ref->live[tt_rand(&d->rnd, ref->count)]].id;
	else if (*nr_stale && tt_rand(&d->rnd, 2))
		id = stale[tt_rand(&d->rnd, min_t(u32, *nr_stale, DF_STALE))];
	else
		id = tt_rand64(&d->rnd) % (ref->next_id + 2 * ref->capacity);
	if (ref_ptab_live(ref, id)) {
		want = ref->slot[id & (ref->capacity - 1)].obj;
		ref_ptab_del(ref, id & (ref->capacity - 1));
		stale[(*nr_stale)++ % DF_STALE] = id;
	}
	mutex_unlock(&ref->lock);

	node = rcumap_ptab_remove(t, id);
	if ((void *)node != want) {
		df_ptab_fail(d, ref, "remove", id, node, want);
		return;	/* leak rather than free what may be in a table */
	}
	if (node)
		kfree_rcu(container_of(node, struct df_obj, node), rcu);
}

static u64 df_ptab_any_id(struct df *d, struct ref_ptab *ref, u64 *stale,
			  u32 nr_stale)
{
	switch (tt_rand(&d->rnd, 6)) {
	case 0:
		if (!nr_stale)
			return 0;
		return stale[tt_rand(&d->rnd, min_t(u32, nr_stale, DF_STALE))];
	case 1:
		return tt_rand64(&d->rnd);
	case 2:
		return RCUMAP_PTAB_ID_MAX + tt_rand(&d->rnd, 3) - 1;
	case 3:
		return ref->count ?
		       ref->slot[ref->live[tt_rand(&d->rnd, ref->count)]].id +
		       ref->capacity * (u64)(1 + tt_rand(&d->rnd, 2)) : 0;
	default:
		return tt_rand64(&d->rnd) % (ref->next_id + 2 * ref->capacity);
	}
}

/*
 * Compare the whole contents: a walk by slot and, if @by_id, a walk by id
 * must each return exactly the reference's objects; the counts must
 * agree.  The walk by id costs O(objects * capacity) in a table whose ids
 * are far apart: it is not done at every phase of a large table.
 */
static void df_ptab_compare(struct df *d, struct rcumap_ptab *t,
			    struct ref_ptab *ref, bool by_id)
{
	struct rcumap_ptab_node *node;
	u32 n = 0, slot;
	u64 id, prev = 0;

	d->compares++;
	mutex_lock(&ref->lock);
	if (!by_id)
		goto by_slot;
	rcu_read_lock();
	rcumap_ptab_for_each(t, id, node) {
		if ((n && id <= prev) || !ref_ptab_live(ref, id) ||
		    ref->slot[id & (ref->capacity - 1)].obj != (void *)node) {
			df_ptab_fail(d, ref, "for_each", id, node, NULL);
			break;
		}
		prev = id;
		n++;
	}
	rcu_read_unlock();
	if (n != ref->count)
		tt_fail("diff %u ptab op %lu: id walk found %u of %u", d->nr, d->op, n,
			ref->count);

by_slot:
	d->pass++;
	n = 0;
	rcu_read_lock();
	for (slot = 0; (node = rcumap_ptab_slot_next(t, &slot)); slot++) {
		u64 nid = rcumap_ptab_node_id(node);
		struct ref_slot *rs = &ref->slot[nid & (ref->capacity - 1)];

		if (!ref_ptab_live(ref, nid) || rs->obj != (void *)node ||
		    rs->seen == d->pass) {
			df_ptab_fail(d, ref, "slot walk", nid, node, rs->obj);
			break;
		}
		rs->seen = d->pass;
		n++;
	}
	rcu_read_unlock();
	if (n != ref->count || rcumap_ptab_count(t) != ref->count)
		tt_fail("diff %u ptab op %lu: slot walk found %u, count %u, want %u",
			d->nr, d->op, n, rcumap_ptab_count(t), ref->count);
	mutex_unlock(&ref->lock);
}

static void df_ptab_op(struct df *d, struct rcumap_ptab *t,
		       struct ref_ptab *ref, u64 *stale, u32 *nr_stale)
{
	u32 op = tt_rand(&d->rnd, 1000);
	struct rcumap_ptab_node *node;
	const struct ref_slot *rs;
	u64 id, start, end;
	void *want;
	u32 slot;

	if (op < 550) {
		if (tt_rand(&d->rnd, 100) < d->fill)
			df_ptab_insert(d, t, ref);
		else
			df_ptab_remove(d, t, ref, stale, nr_stale);
	} else if (op < 900) {
		mutex_lock(&ref->lock);
		id = df_ptab_any_id(d, ref, stale, *nr_stale);
		if (ref->count && tt_rand(&d->rnd, 2))
			id = ref->slot[ref->live[tt_rand(&d->rnd,
							 ref->count)]].id;
		want = ref_ptab_live(ref, id) ?
		       ref->slot[id & (ref->capacity - 1)].obj : NULL;
		mutex_unlock(&ref->lock);
		rcu_read_lock();
		node = rcumap_ptab_lookup(t, id);
		rcu_read_unlock();
		if ((void *)node != want)
			df_ptab_fail(d, ref, "lookup", id, node, want);
	} else if (op < 950) {
		mutex_lock(&ref->lock);
		start = df_ptab_any_id(d, ref, stale, *nr_stale);
		if (tt_rand(&d->rnd, 2))
			start -= min_t(u64, start, tt_rand(&d->rnd, 3));
		/* No bound, the bound of the ids handed out, or any. */
		switch (tt_rand(&d->rnd, 3)) {
		case 0:
			end = U64_MAX;
			break;
		case 1:
			end = rcumap_ptab_id_end(t);
			break;
		default:
			end = start + tt_rand(&d->rnd, 2 * ref->capacity);
			break;
		}
		rs = ref_ptab_next(ref, start, end);
		id = start;
		rcu_read_lock();
		node = end == U64_MAX ? rcumap_ptab_next(t, &id) :
		       rcumap_ptab_next_below(t, &id, end);
		rcu_read_unlock();
		if ((void *)node != (rs ? rs->obj : NULL) ||
		    id != (rs ? rs->id : start))
			df_ptab_fail(d, ref, end == U64_MAX ? "next" :
				     "next_below", start, node,
				     rs ? rs->obj : NULL);
		mutex_unlock(&ref->lock);
	} else {
		mutex_lock(&ref->lock);
		slot = tt_rand(&d->rnd, ref->capacity + 1);
		rcu_read_lock();
		node = rcumap_ptab_slot_next(t, &slot);
		rcu_read_unlock();
		if (node && !ref_ptab_live(ref, rcumap_ptab_node_id(node)))
			df_ptab_fail(d, ref, "slot_next", slot, node, NULL);
		mutex_unlock(&ref->lock);
	}
	if (rcumap_ptab_count(t) != ref->count)
		tt_fail("diff %u ptab op %lu: count %u, want %u", d->nr, d->op,
			rcumap_ptab_count(t), ref->count);
	/* Every id handed out is below the bound. */
	if (rcumap_ptab_id_end(t) < ref->next_id)
		tt_fail("diff %u ptab op %lu: id end %llu, but id %llu was handed out",
			d->nr, d->op, rcumap_ptab_id_end(t), ref->next_id - 1);
}

void df_ptab_table(struct df *d, unsigned long ops)
{
	u32 cap = df_ptab_capacities[tt_rand(&d->rnd,
					     ARRAY_SIZE(df_ptab_capacities))];
	unsigned long end = d->op + ops, phase_end = 0;
	struct rcumap_ptab_node *node;
	struct rcumap_ptab *t;
	struct ref_ptab *ref;
	u32 nr_stale = 0;
	u64 *stale;

	ref = kvzalloc(struct_size(ref, slot, cap), GFP_KERNEL);
	stale = kcalloc(DF_STALE, sizeof(*stale), GFP_KERNEL);
	if (ref) {
		ref->live = kcalloc(cap, sizeof(u32), GFP_KERNEL);
		ref->live_pos = kcalloc(cap, sizeof(u32), GFP_KERNEL);
	}
	if (!ref || !stale || !ref->live || !ref->live_pos) {
		tt_fail("diff: no memory for the reference");
		d->op = end;
		goto out_free_ref;
	}
	mutex_init(&ref->lock);
	ref->capacity = cap;

	t = rcumap_ptab_create(cap, GFP_KERNEL);
	if (IS_ERR(t)) {
		tt_fail("diff: ptab create: %ld", PTR_ERR(t));
		d->op = end;
		goto out_destroy_mutex;
	}
	d->ptab_tables++;
	for (; d->op < end; d->op++) {
		if (d->op >= phase_end) {
			if (phase_end)
				df_ptab_compare(d, t, ref, cap <= 128);
			df_new_phase(d, &phase_end);
		}
		df_ptab_op(d, t, ref, stale, &nr_stale);
		d->ptab_ops++;
		cond_resched();
	}
	df_ptab_compare(d, t, ref, true);

	/* Empty it through the reference, then destroy. */
	while (ref->count) {
		u32 slot = ref->live[ref->count - 1];
		u64 id = ref->slot[slot].id;
		void *want = ref->slot[slot].obj;

		ref_ptab_del(ref, slot);
		node = rcumap_ptab_remove(t, id);
		if ((void *)node != want)
			df_ptab_fail(d, ref, "drain", id, node, want);
		else
			kfree_rcu(container_of(node, struct df_obj, node), rcu);
	}
	if (rcumap_ptab_count(t))
		tt_fail("diff ptab: %u objects left after the drain",
			rcumap_ptab_count(t));
	else
		rcumap_ptab_destroy(t);
out_destroy_mutex:
	mutex_destroy(&ref->lock);
out_free_ref:
	if (ref) {
		kfree(ref->live);
		kfree(ref->live_pos);
	}
	kvfree(ref);
	kfree(stale);
}
