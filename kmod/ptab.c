// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap generational process table.
 *
 * Conventions: @t is a table of t->capacity slots (a power of two).  An
 * @id is generation * capacity + @ix, so @ix = id & t->mask; the
 * generation is never stored, it is simply the rest of the id.  @ix is
 * the order in which the ring first hands out the slots; @slot is where
 * that @ix lives in t->slots, after the cache-line spreading of
 * rcumap_ptab_spread().  @pos is a ring cursor value (it counts up for
 * ever and wraps at 2^32); the ring entry it names is again spread over
 * cache lines.
 *
 * State:
 *	t->slots[slot]	the node whose id maps to @slot, or NULL
 *	t->ring[]	the next id of every free slot, in no particular
 *			place, except while an insert holds it or a remove
 *			is putting it back; %RCUMAP_PTAB_RING_EMPTY elsewhere
 *	t->count	slots reserved by inserts; never above capacity
 *	t->alloc_pos	ring cursor of inserts
 *	t->free_pos	ring cursor of removes
 *	t->next_id	every id handed out so far is below it
 *
 * Locking: there is none.  Lookups and iteration take nothing but the RCU
 * read lock and write nothing shared.  Inserts and removes are lock-free:
 * they change the slot, ring and counters only with atomic operations,
 * and none of them ever waits for another to finish.  Every function here
 * may be called in any context.
 */
#include <linux/rcumap_ptab.h>

#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/cache.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <linux/processor.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "internal.h"

/* A ring entry that holds no id: taken by an insert, not yet refilled. */
#define RCUMAP_PTAB_RING_EMPTY	(-1LL)

/* log2 of the slots, and of the ring entries, that share a cache line. */
#define RCUMAP_PTAB_SLOT_LINE_SHIFT \
	ilog2(L1_CACHE_BYTES / sizeof(struct rcumap_ptab_node *))
#define RCUMAP_PTAB_RING_LINE_SHIFT \
	ilog2(L1_CACHE_BYTES / sizeof(atomic64_t))

struct rcumap_ptab {
	/* Read by every operation; never written after creation. */
	struct rcumap_ptab_node __rcu **slots;
	atomic64_t *ring;
	u32 capacity;
	u32 mask;		/* capacity - 1 */
	u32 slot_lines_shift;	/* log2 of the cache lines of t->slots */
	u32 ring_lines_shift;	/* log2 of the cache lines of t->ring */
	struct rcu_work free_work;

	/*
	 * Written by inserts and removes.  Each sits in a cache line of its
	 * own, away from the read-mostly fields above, so that inserts and
	 * removes running at once do not slow down lookups or each other.
	 */
	atomic_t count ____cacheline_aligned_in_smp;
	atomic_t alloc_pos ____cacheline_aligned_in_smp;
	atomic_t free_pos ____cacheline_aligned_in_smp;
	atomic64_t next_id ____cacheline_aligned_in_smp;
};

/*
 * Spread consecutive indices over cache lines (Erlang's ix_to_pix): with
 * 2^line_shift entries per cache line and 2^lines_shift lines, index @ix
 * goes to line ix mod lines, at position ix / lines within it.  So the
 * indices lines apart share a line, and any run of "lines" consecutive
 * indices touches "lines" different cache lines.  A bijection on
 * [0, 2^(lines_shift + line_shift)).
 */
static inline u32 rcumap_ptab_spread(u32 ix, u32 lines_shift, u32 line_shift)
{
	return ((ix & ((1U << lines_shift) - 1)) << line_shift) |
	       (ix >> lines_shift);
}

static inline u32 rcumap_ptab_lines_shift(u32 capacity, u32 line_shift)
{
	return ilog2(capacity) - line_shift;
}

static inline u32 rcumap_ptab_slot(const struct rcumap_ptab *t, u64 id)
{
	return rcumap_ptab_spread((u32)id & t->mask, t->slot_lines_shift,
				  RCUMAP_PTAB_SLOT_LINE_SHIFT);
}

static inline atomic64_t *rcumap_ptab_ring_entry(const struct rcumap_ptab *t,
						 u32 pos)
{
	return &t->ring[rcumap_ptab_spread(pos & t->mask, t->ring_lines_shift,
					   RCUMAP_PTAB_RING_LINE_SHIFT)];
}

/*
 * The one accessor for the __rcu slots: the occupant of @slot, loaded by
 * a reader (or by remove, which reads the same way) inside an RCU
 * read-side critical section.  The section keeps the node from being
 * freed, and keeps @t alive, until it ends.
 */
static inline struct rcumap_ptab_node *
rcumap_ptab_slot_rcu(const struct rcumap_ptab *t, u32 slot)
{
	return rcu_dereference_check(t->slots[slot], rcu_read_lock_any_held());
}

/*
 * Take an id out of the ring.  The caller holds a reservation in t->count,
 * which leaves at least one id in the ring at every moment (every id
 * outside it belongs to some other reservation).  An entry found empty is
 * one whose id was taken and whose refill has not landed yet: skip it.
 * Some insert succeeds within one lap of the ring, so this is lock-free,
 * though one unlucky call may take up to a lap.
 */
static u64 rcumap_ptab_ring_take(struct rcumap_ptab *t)
{
	for (;;) {
		u32 pos = atomic_fetch_inc(&t->alloc_pos);
		s64 id = atomic64_xchg(rcumap_ptab_ring_entry(t, pos),
				       RCUMAP_PTAB_RING_EMPTY);

		if (id != RCUMAP_PTAB_RING_EMPTY)
			return id;
		cpu_relax();
	}
}

/*
 * Put @id, the next id of a free slot, back into the ring.  The caller
 * still holds its reservation and the ring lacks its id, so at least one
 * entry is empty at every moment.  An entry found full is one whose id an
 * insert has not yet taken: skip it.  Lock-free like rcumap_ptab_ring_take().
 */
static void rcumap_ptab_ring_put(struct rcumap_ptab *t, u64 id)
{
	for (;;) {
		u32 pos = atomic_fetch_inc(&t->free_pos);
		s64 empty = RCUMAP_PTAB_RING_EMPTY;

		if (atomic64_try_cmpxchg(rcumap_ptab_ring_entry(t, pos), &empty,
					 id))
			return;
		cpu_relax();
	}
}

/*
 * Turn @ring_id, taken from the ring, into the id this insert returns:
 * the smallest id at or above t->next_id that maps to the same slot, and
 * move t->next_id past it.  This makes ids increase across all CPUs: an
 * insert that starts after another has returned reads a t->next_id above
 * that one's id.  Usually @ring_id is already large enough and this is one
 * cmpxchg, but it is a cmpxchg on a line every insert writes.
 *
 * Return: false if the id would be above %RCUMAP_PTAB_ID_MAX.
 */
static bool rcumap_ptab_claim_id(struct rcumap_ptab *t, u64 ring_id, u64 *id)
{
	s64 next = atomic64_read(&t->next_id);
	u64 new;

	do {
		new = ring_id;
		if (new < (u64)next)
			new += round_up((u64)next - new, (u64)t->capacity);
		if (new > RCUMAP_PTAB_ID_MAX)
			return false;
	} while (!atomic64_try_cmpxchg(&t->next_id, &next, (s64)(new + 1)));
	*id = new;
	return true;
}

/**
 * rcumap_ptab_create() - Create a process table.
 * @capacity: Number of slots: a power of two from %RCUMAP_PTAB_MIN_CAPACITY
 *	to %RCUMAP_PTAB_MAX_CAPACITY.
 * @gfp: Allocation flags for the table (e.g. %GFP_KERNEL_ACCOUNT).
 *
 * The table uses 16 bytes per slot on 64-bit (a slot pointer and a ring
 * entry) plus a few cache lines; see rcumap_ptab_bytes_used().  The first
 * @capacity inserts into a new table get the ids 0, 1, 2, ... in order.
 *
 * Context: Process context if @gfp allows sleeping.
 * Return: The new table, ERR_PTR(-EINVAL) if @capacity is out of range or
 * not a power of two, or ERR_PTR(-ENOMEM).
 */
struct rcumap_ptab *rcumap_ptab_create(u32 capacity, gfp_t gfp)
{
	struct rcumap_ptab *t;
	u32 pos;

	BUILD_BUG_ON(RCUMAP_PTAB_MIN_CAPACITY <
		     L1_CACHE_BYTES / sizeof(struct rcumap_ptab_node *));
	BUILD_BUG_ON(RCUMAP_PTAB_MIN_CAPACITY <
		     L1_CACHE_BYTES / sizeof(atomic64_t));
	if (capacity < RCUMAP_PTAB_MIN_CAPACITY ||
	    capacity > RCUMAP_PTAB_MAX_CAPACITY || !is_power_of_2(capacity))
		return ERR_PTR(-EINVAL);

	t = kzalloc(sizeof(*t), gfp);
	if (!t)
		return ERR_PTR(-ENOMEM);
	/*
	 * Both arrays are a power of two in size, so kvmalloc() returns them
	 * aligned at least to a cache line, as the spreading assumes.
	 */
	t->slots = kvcalloc(capacity, sizeof(*t->slots), gfp);
	if (!t->slots)
		goto out_free_table;
	t->ring = kvmalloc_array(capacity, sizeof(*t->ring), gfp);
	if (!t->ring)
		goto out_free_slots;

	t->capacity = capacity;
	t->mask = capacity - 1;
	t->slot_lines_shift =
		rcumap_ptab_lines_shift(capacity, RCUMAP_PTAB_SLOT_LINE_SHIFT);
	t->ring_lines_shift =
		rcumap_ptab_lines_shift(capacity, RCUMAP_PTAB_RING_LINE_SHIFT);
	/* The insert that moves the alloc cursor to @pos gets id @pos. */
	for (pos = 0; pos < capacity; pos++)
		atomic64_set(rcumap_ptab_ring_entry(t, pos), pos);
	atomic_set(&t->count, 0);
	atomic_set(&t->alloc_pos, 0);
	atomic_set(&t->free_pos, 0);
	atomic64_set(&t->next_id, 0);
	return t;

out_free_slots:
	kvfree(t->slots);
out_free_table:
	kfree(t);
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_GPL(rcumap_ptab_create);

static void rcumap_ptab_free_work(struct work_struct *work)
{
	struct rcumap_ptab *t = container_of(to_rcu_work(work),
					     struct rcumap_ptab, free_work);

	/*
	 * A grace period has passed since rcumap_ptab_destroy(), whose
	 * caller guaranteed that nothing could find @t any more: every
	 * reader that had found it has left its read-side critical section.
	 */
	kvfree(t->ring);
	kvfree(t->slots);
	kfree(t);
}

/**
 * rcumap_ptab_destroy() - Destroy an empty process table.
 * @t: Table, or NULL.
 *
 * The table never owns the objects in it, and destroy does not touch
 * them: the caller must have removed every object first (for example with
 * rcumap_ptab_for_each() and rcumap_ptab_remove()).  Destroying a table
 * that still holds objects is a bug; it warns once, and the objects stay
 * the caller's.
 *
 * The caller must make sure that no insert or remove is running or will
 * start and that no new reader can find @t.  Readers that found @t earlier
 * may still be inside their RCU read-side critical sections: @t is freed
 * only after a grace period, from a workqueue.
 *
 * Context: Any context.
 */
void rcumap_ptab_destroy(struct rcumap_ptab *t)
{
	if (!t)
		return;
	WARN_ON_ONCE(atomic_read(&t->count));
	INIT_RCU_WORK(&t->free_work, rcumap_ptab_free_work);
	queue_rcu_work(rcumap_wq, &t->free_work);
}
EXPORT_SYMBOL_GPL(rcumap_ptab_destroy);

/**
 * rcumap_ptab_insert_with() - Insert an object, initialising it first.
 * @t: Table.
 * @node: Node of the object to insert; not in any table.
 * @init: Called with @node, its new id and @arg once the id is known and
 *	before any lookup can find @node; may be NULL.  It runs in the
 *	caller's context (so must not sleep if the caller may not) and may
 *	use @t, where @node is not yet visible.
 * @arg: Passed to @init.
 * @id: Set to the new id before @node becomes visible.
 *
 * Ids increase in insert order across all CPUs: if one insert returns
 * before another starts, the first id is smaller.  An id is never handed
 * out twice.  When a slot is reused, its new id is at least the old id
 * plus the capacity (exactly that when ids from other slots did not
 * overtake it), and it is always the old id modulo the capacity.
 *
 * A node that was removed from a table may only be inserted again, into
 * any table, after a grace period has passed since its removal.
 *
 * Context: Any context.
 * Return: 0 on success, -ENOSPC if every slot is taken, -EOVERFLOW if the
 * table has run out of ids (above %RCUMAP_PTAB_ID_MAX).  On error nothing
 * is inserted, @node and @id are untouched and @init was not called.
 */
int rcumap_ptab_insert_with(struct rcumap_ptab *t,
			    struct rcumap_ptab_node *node,
			    void (*init)(struct rcumap_ptab_node *node, u64 id,
					 void *arg),
			    void *arg, u64 *id)
{
	u64 ring_id, new_id;

	/* count never passes capacity, so "unless equal" is "unless full". */
	if (!atomic_add_unless(&t->count, 1, t->capacity))
		return -ENOSPC;
	ring_id = rcumap_ptab_ring_take(t);
	if (!rcumap_ptab_claim_id(t, ring_id, &new_id)) {
		rcumap_ptab_ring_put(t, ring_id);
		atomic_dec(&t->count);
		return -EOVERFLOW;
	}

	/*
	 * The slot is ours alone: its one ring id is in our hands, and the
	 * remove that put it into the ring had already emptied the slot
	 * (its cmpxchg is ordered before its ring put, which is ordered
	 * before our ring take).  Until rcu_assign_pointer() no reader can
	 * reach @node through @t.
	 */
	WRITE_ONCE(node->id, new_id);
	if (init)
		init(node, new_id, arg);
	*id = new_id;
	/*
	 * Publish: the release ordering of rcu_assign_pointer() makes the
	 * id and everything @init wrote visible to any reader whose
	 * rcu_dereference() of the slot loads @node.
	 */
	rcu_assign_pointer(t->slots[rcumap_ptab_slot(t, new_id)], node);
	return 0;
}
EXPORT_SYMBOL_GPL(rcumap_ptab_insert_with);

/**
 * rcumap_ptab_insert() - Insert an object.
 * @t: Table.
 * @node: Node of the object to insert; not in any table.
 * @id: Set to the new id before @node becomes visible.
 *
 * rcumap_ptab_insert_with() without an init callback; see there for the
 * properties of ids and the rule on re-inserting a node.
 *
 * Context: Any context.
 * Return: 0 on success, -ENOSPC if every slot is taken, -EOVERFLOW if the
 * table has run out of ids.
 */
int rcumap_ptab_insert(struct rcumap_ptab *t, struct rcumap_ptab_node *node,
		       u64 *id)
{
	return rcumap_ptab_insert_with(t, node, NULL, NULL, id);
}
EXPORT_SYMBOL_GPL(rcumap_ptab_insert);

/**
 * rcumap_ptab_lookup() - Find the object with an id.
 * @t: Table.
 * @id: Id to look for.
 *
 * One load of the slot and one of the node's id; writes nothing shared.
 * A stale id, whose object has been removed, misses even when its slot
 * has been reused: the new occupant has a different id.
 *
 * The returned node stays valid until the caller leaves its RCU read-side
 * critical section, even if it is removed meanwhile (its owner frees it
 * only after a grace period).  The table does not stop it from being
 * removed; to keep it longer, take a reference the object provides.
 *
 * Context: Any context.  The caller must hold an RCU read lock
 * (rcu_read_lock(), rcu_read_lock_bh() or preemption disabled).
 * Return: The node inserted under @id, or %NULL if there is none.
 */
struct rcumap_ptab_node *rcumap_ptab_lookup(const struct rcumap_ptab *t,
					    u64 id)
{
	struct rcumap_ptab_node *node =
		rcumap_ptab_slot_rcu(t, rcumap_ptab_slot(t, id));

	if (node && READ_ONCE(node->id) == id)
		return node;
	return NULL;
}
EXPORT_SYMBOL_GPL(rcumap_ptab_lookup);

/**
 * rcumap_ptab_remove() - Remove the object with an id.
 * @t: Table.
 * @id: Id of the object to remove.
 *
 * Removes the object only if @id is still its id; a stale id removes
 * nothing, even when its slot has a new occupant.  Of concurrent removes
 * of one id, exactly one returns the object.  The slot's next id, @id plus
 * the capacity, goes back into the ring.
 *
 * The object is the caller's again, but readers may still be using it:
 * the caller must not free it, reuse it or insert it again (into any
 * table) until a grace period has passed, e.g. with kfree_rcu() or
 * call_rcu().  The table itself never frees objects.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: The removed node, or %NULL if no object has id @id.
 */
struct rcumap_ptab_node *rcumap_ptab_remove(struct rcumap_ptab *t, u64 id)
{
	u32 slot = rcumap_ptab_slot(t, id);
	struct rcumap_ptab_node *node;

	rcu_read_lock();
	node = rcumap_ptab_slot_rcu(t, slot);
	if (!node || READ_ONCE(node->id) != id)
		goto out_miss;
	/*
	 * Retire: the cmpxchg empties the slot only if it still holds
	 * @node, and @node still has id @id then: its id could only have
	 * changed by being removed and inserted again, which its owner does
	 * only a grace period after the removal, and this read-side
	 * critical section began before that removal could have happened.
	 * From here no new reader can reach @node through @t; readers that
	 * found it earlier are inside read-side critical sections that
	 * began before this cmpxchg, and the caller frees @node only after
	 * a grace period, which waits for all of them.
	 */
	if (unrcu_pointer(cmpxchg(&t->slots[slot], RCU_INITIALIZER(node),
				  NULL)) != node)
		goto out_miss;
	rcu_read_unlock();
	WARN_ON_ONCE(READ_ONCE(node->id) != id);

	/*
	 * The slot is empty before its next id is in the ring (cmpxchg is
	 * fully ordered), and the id is in the ring before the reservation
	 * is given back, so an insert that gets either finds the slot free.
	 */
	rcumap_ptab_ring_put(t, id + t->capacity);
	atomic_dec(&t->count);
	return node;

out_miss:
	rcu_read_unlock();
	return NULL;
}
EXPORT_SYMBOL_GPL(rcumap_ptab_remove);

/**
 * rcumap_ptab_next_below() - Find the object with the smallest id at or
 * above a given one and below a bound.
 * @t: Table.
 * @id: Smallest id to consider; set to the id of the object found.
 * @end: Ids at or above @end are not considered.
 *
 * The building block of rcumap_ptab_for_each().  Scans the slots in the
 * order of the ids @id, @id + 1, ..., and stops at the first slot that
 * holds exactly the id it stands for; if none does, after one pass over
 * all slots.  A call therefore costs O(distance to the next id), at most
 * O(capacity), and a whole walk at most O(number of objects * capacity).
 *
 * Weakly consistent: an object that is in the table for the whole call is
 * found if its id is the smallest at or above @id; objects inserted or
 * removed during the call may or may not be.  A walk that continues from
 * the returned id plus one therefore returns, in increasing id order,
 * every object that is in the table for the whole walk exactly once.
 *
 * Context: Any context.  The caller must hold an RCU read lock, as for
 * rcumap_ptab_lookup(); the returned node is valid until it drops it.
 * Return: The node found, or %NULL (and @id unchanged) if no object has
 * an id at or above @id and below @end.
 */
struct rcumap_ptab_node *rcumap_ptab_next_below(const struct rcumap_ptab *t,
						u64 *id, u64 end)
{
	struct rcumap_ptab_node *best = NULL;
	u64 start = *id, best_id = U64_MAX;
	u32 k;

	if (start > RCUMAP_PTAB_ID_MAX)
		return NULL;
	for (k = 0; k < t->capacity; k++) {
		u64 want = start + k;
		struct rcumap_ptab_node *node =
			rcumap_ptab_slot_rcu(t, rcumap_ptab_slot(t, want));
		u64 node_id;

		if (!node)
			continue;
		node_id = READ_ONCE(node->id);
		if (node_id < start || node_id >= best_id || node_id >= end)
			continue;
		best = node;
		best_id = node_id;
		/*
		 * Every slot visited so far held an id below @start or of
		 * the form want' + n * capacity with want' < want and n > 0,
		 * so larger than @want; every slot not yet visited holds
		 * ids of the form want'' + n * capacity with want'' > want.
		 */
		if (node_id == want)
			break;
	}
	if (best)
		*id = best_id;
	return best;
}
EXPORT_SYMBOL_GPL(rcumap_ptab_next_below);

/**
 * rcumap_ptab_next() - Find the object with the smallest id at or above
 * a given one.
 * @t: Table.
 * @id: Smallest id to consider; set to the id of the object found.
 *
 * rcumap_ptab_next_below() without a bound.  A walk made of these calls
 * may go on for as long as inserts keep coming; rcumap_ptab_for_each()
 * bounds its walk with rcumap_ptab_id_end().
 *
 * Context: Any context.  The caller must hold an RCU read lock; the
 * returned node is valid until it drops it.
 * Return: The node found, or %NULL (and @id unchanged) if no object has
 * an id at or above @id.
 */
struct rcumap_ptab_node *rcumap_ptab_next(const struct rcumap_ptab *t,
					  u64 *id)
{
	return rcumap_ptab_next_below(t, id, U64_MAX);
}
EXPORT_SYMBOL_GPL(rcumap_ptab_next);

/**
 * rcumap_ptab_id_end() - Bound of the ids handed out so far.
 * @t: Table.
 *
 * Every id handed out before the call is below the value returned; ids
 * handed out later are at or above it.  A walk that stops there ends even
 * if inserts never stop.
 *
 * Context: Any context.
 * Return: The bound.
 */
u64 rcumap_ptab_id_end(const struct rcumap_ptab *t)
{
	return atomic64_read(&t->next_id);
}
EXPORT_SYMBOL_GPL(rcumap_ptab_id_end);

/**
 * rcumap_ptab_slot_next() - Find the first object at or after a slot.
 * @t: Table.
 * @slot: Slot to start at; set to the slot of the object returned.
 *
 * A walk in slot order, not id order: a whole walk (0, then @slot + 1 each
 * time) costs O(capacity) in all, however sparse the ids are, where a walk
 * with rcumap_ptab_next() may cost O(capacity) per object.  Every object
 * present for the whole walk is returned exactly once.
 *
 * Context: Any context.  The caller must hold the RCU read lock; the
 * object is only valid until it drops it.
 * Return: The object, or %NULL if no slot at or after @slot holds one.
 */
struct rcumap_ptab_node *rcumap_ptab_slot_next(const struct rcumap_ptab *t,
					       u32 *slot)
{
	u32 i;

	for (i = *slot; i < t->capacity; i++) {
		struct rcumap_ptab_node *node = rcumap_ptab_slot_rcu(t, i);

		if (node) {
			*slot = i;
			return node;
		}
	}
	return NULL;
}
EXPORT_SYMBOL_GPL(rcumap_ptab_slot_next);

/**
 * rcumap_ptab_count() - Number of objects in a table.
 * @t: Table.
 *
 * O(1).  Counts inserts and removes that are still in progress too.  With
 * updates running concurrently the answer is a snapshot that may already
 * be out of date.
 *
 * Context: Any context.
 * Return: The number of objects, at most the capacity.
 */
u32 rcumap_ptab_count(const struct rcumap_ptab *t)
{
	return atomic_read(&t->count);
}
EXPORT_SYMBOL_GPL(rcumap_ptab_count);

/**
 * rcumap_ptab_capacity() - Capacity of a table.
 * @t: Table.
 *
 * Context: Any context.
 * Return: The number of slots, as passed to rcumap_ptab_create().
 */
u32 rcumap_ptab_capacity(const struct rcumap_ptab *t)
{
	return t->capacity;
}
EXPORT_SYMBOL_GPL(rcumap_ptab_capacity);

/**
 * rcumap_ptab_bytes_used() - Memory a table takes.
 * @t: Table.
 *
 * Counts the table's own allocations as requested (the allocator may
 * round them up), not the objects in it, which belong to the caller.
 *
 * Context: Any context.
 * Return: The size of the table in bytes.
 */
size_t rcumap_ptab_bytes_used(const struct rcumap_ptab *t)
{
	return sizeof(*t) +
	       (size_t)t->capacity * (sizeof(*t->slots) + sizeof(*t->ring));
}
EXPORT_SYMBOL_GPL(rcumap_ptab_bytes_used);

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * For the KUnit tests only: the slot that rcumap_ptab_slot() gives id @ix
 * in a table of @capacity slots, so that the tests can check the spreading
 * without a table.
 */
u32 rcumap_ptab_kunit_ix_to_slot(u32 capacity, u32 ix)
{
	u32 lines_shift = rcumap_ptab_lines_shift(capacity,
						  RCUMAP_PTAB_SLOT_LINE_SHIFT);

	return rcumap_ptab_spread(ix & (capacity - 1), lines_shift,
				  RCUMAP_PTAB_SLOT_LINE_SHIFT);
}
EXPORT_SYMBOL_GPL(rcumap_ptab_kunit_ix_to_slot);

/*
 * For the KUnit tests only: make the next insert's id at least @next_id,
 * as if that many inserts had happened, to reach the end of the id space.
 * The table must be quiescent.
 */
void rcumap_ptab_kunit_set_next_id(struct rcumap_ptab *t, u64 next_id)
{
	atomic64_set(&t->next_id, (s64)next_id);
}
EXPORT_SYMBOL_GPL(rcumap_ptab_kunit_set_next_id);
#endif
