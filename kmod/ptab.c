// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap generational process table.
 *
 * Conventions: @t is a table of t->capacity slots (a power of two).  An
 * @id is generation * capacity + @ix, so @ix = id & t->mask; the
 * generation is never stored, it is simply the rest of the id.  @ix is
 * the place of a slot in id order, and the bit of the slot in the free
 * bitmap; @slot is where that @ix lives in t->slots, after the cache-line
 * spreading of rcumap_ptab_spread().  @w is a word of the free bitmap (the
 * ix from 64 * @w to 64 * @w + 63), @g a group of RCUMAP_PTAB_GROUP_WORDS
 * words (4096 ix, fewer in a table of fewer slots).
 *
 * State:
 *	t->slots[slot]	the node whose id maps to @slot, or NULL
 *	t->free[w]	bit ix % 64 set: slot ix is free, no insert holds it
 *	t->group_free[g] at least the number of set bits in group @g: a
 *			remove adds one before it sets its bit, an insert
 *			takes one off after it has cleared its bit
 *	t->count	slots reserved by inserts; never above capacity
 *	t->next_id	every id handed out so far is below it
 *
 * An insert takes the free slot nearest at or after next_id in id order
 * (next-fit), so that ids advance by about one per insert, and gets the
 * smallest id at or above next_id that names that slot.
 *
 * Locking: there is none.  Lookups and iteration take nothing but the RCU
 * read lock and write nothing shared.  Inserts and removes are lock-free:
 * they change the slots, the bitmap and the counters only with atomic
 * operations, and none of them ever waits for another to finish.  Every
 * function here may be called in any context.
 */
#include <linux/rcumap_ptab.h>

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/cache.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/processor.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "hash_internal.h"

/* log2 of the slots that share a cache line. */
#define RCUMAP_PTAB_SLOT_LINE_SHIFT \
	ilog2(L1_CACHE_BYTES / sizeof(struct rcumap_ptab_node *))

/* Bits of a word of the free bitmap, and words of a group. */
#define RCUMAP_PTAB_WORD_SHIFT		6
#define RCUMAP_PTAB_WORD_BITS		BIT(RCUMAP_PTAB_WORD_SHIFT)
#define RCUMAP_PTAB_GROUP_WORDS_SHIFT	6
#define RCUMAP_PTAB_GROUP_WORDS		BIT(RCUMAP_PTAB_GROUP_WORDS_SHIFT)
#define RCUMAP_PTAB_GROUP_SHIFT \
	(RCUMAP_PTAB_WORD_SHIFT + RCUMAP_PTAB_GROUP_WORDS_SHIFT)

struct rcumap_ptab {
	/* Read by every operation; never written after creation. */
	struct rcumap_ptab_node __rcu **slots;
	atomic64_t *free;
	atomic_t *group_free;
	u32 capacity;
	u32 mask;		/* capacity - 1 */
	u32 slot_lines_shift;	/* log2 of the cache lines of t->slots */
	u32 nr_words;		/* capacity / 64 */
	u32 group_bits;		/* ix per group: min(capacity, 4096) */
	struct rcu_work free_work;

	/*
	 * Written by inserts and removes.  Each sits in a cache line of its
	 * own, away from the read-mostly fields above, so that inserts and
	 * removes running at once do not slow down lookups or each other.
	 */
	atomic_t count ____cacheline_aligned_in_smp;
	atomic64_t next_id ____cacheline_aligned_in_smp;
};

/*
 * What a walk step loaded, for the KUnit tests' cost cases; the exported
 * functions pass NULL and the compiler drops the counting.
 */
struct rcumap_ptab_cost {
	u64 groups;	/* group counters */
	u64 words;	/* bitmap words */
	u64 slots;	/* slots (and the ids of the nodes found in them) */
};

static __always_inline void rcumap_ptab_cost_add(u64 *counter)
{
	if (counter)
		(*counter)++;
}

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

static inline u32 rcumap_ptab_ix_slot(const struct rcumap_ptab *t, u32 ix)
{
	return rcumap_ptab_spread(ix, t->slot_lines_shift,
				  RCUMAP_PTAB_SLOT_LINE_SHIFT);
}

static inline u32 rcumap_ptab_slot(const struct rcumap_ptab *t, u64 id)
{
	return rcumap_ptab_ix_slot(t, (u32)id & t->mask);
}

static inline atomic_t *rcumap_ptab_group(const struct rcumap_ptab *t, u32 w)
{
	return &t->group_free[w >> RCUMAP_PTAB_GROUP_WORDS_SHIFT];
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
 * The bits of the word visited @k-th in a lap of the bitmap that starts
 * at @from: the lap visits the word of @from first (from @from up), every
 * other word once, and the word of @from again last (below @from), so it
 * covers each ix exactly once, in the order from, from + 1, ... (mod
 * capacity).
 */
static inline u64 rcumap_ptab_lap_mask(const struct rcumap_ptab *t, u32 from,
				       u32 k)
{
	u64 low = BIT_ULL(from % RCUMAP_PTAB_WORD_BITS) - 1;

	if (k == 0)
		return ~low;
	return k == t->nr_words ? low : ~0ULL;
}

/* Bits of @mask above bit @b. */
static inline u64 rcumap_ptab_above(u64 mask, u32 b)
{
	return mask & ~(BIT_ULL(b) * 2 - 1);
}

/*
 * Give slot @ix back to the bitmap; the caller holds its bit and a
 * reservation in t->count.  The group's counter goes up first, so that it
 * never counts fewer free slots than its group has: an insert that skips
 * a group whose counter is zero skips no free slot.  The value-returning
 * fetch_or is fully ordered, after the counter and before whatever the
 * caller does next (giving the reservation back).  O(1).
 */
static void rcumap_ptab_free_ix(struct rcumap_ptab *t, u32 ix)
{
	u32 w = ix >> RCUMAP_PTAB_WORD_SHIFT;
	u64 bit = BIT_ULL(ix % RCUMAP_PTAB_WORD_BITS);

	atomic_inc(rcumap_ptab_group(t, w));
	WARN_ON_ONCE(atomic64_fetch_or(bit, &t->free[w]) & bit);
}

/*
 * Claim the free slot nearest at or after @from in id order (next-fit):
 * one lap of the bitmap, skipping the groups whose counter says they have
 * no free slot, clearing the first free bit found with an atomic
 * test-and-clear (fetch_andnot).  A bit another insert cleared first is
 * just passed over.
 *
 * Worst case, one lap: capacity / 4096 + 1 group counters and at most
 * 129 bitmap words (64 in the group of @from, whose free slots may all be
 * below @from, then 64 in the first group whose counter is not zero,
 * then the word of @from again), plus 64 words for each insert or remove
 * in flight, whose counter change runs ahead of its bit, and one failed
 * fetch_andnot for each slot another insert claimed under our eyes.
 * Measured: 1.3 us for a full lap at capacity 2^22, 155 us at 2^27.  With
 * random frees it usually stops about 1.25 slots on at 50% occupancy (see
 * Documentation/rcumap-ptab.rst).
 *
 * Return: false if the lap found no free slot.
 */
static bool rcumap_ptab_claim_ix(struct rcumap_ptab *t, u32 from, u32 *ix)
{
	u32 w = from >> RCUMAP_PTAB_WORD_SHIFT, k = 0;

	while (k <= t->nr_words) {
		u64 mask = rcumap_ptab_lap_mask(t, from, k);
		u64 word;

		if ((k == 0 || w % RCUMAP_PTAB_GROUP_WORDS == 0) &&
		    atomic_read(rcumap_ptab_group(t, w)) <= 0) {
			u32 skip = RCUMAP_PTAB_GROUP_WORDS -
				   w % RCUMAP_PTAB_GROUP_WORDS;

			k += skip;
			w = (w + skip) & (t->nr_words - 1);
			continue;
		}
		word = atomic64_read(&t->free[w]) & mask;
		while (word) {
			u32 b = __ffs64(word);
			u64 bit = BIT_ULL(b);

			/* Fully ordered, like the remove's fetch_or. */
			if (atomic64_fetch_andnot(bit, &t->free[w]) & bit) {
				atomic_dec(rcumap_ptab_group(t, w));
				*ix = (w << RCUMAP_PTAB_WORD_SHIFT) | b;
				return true;
			}
			word = atomic64_read(&t->free[w]) &
			       rcumap_ptab_above(mask, b);
		}
		k++;
		w = (w + 1) & (t->nr_words - 1);
	}
	return false;
}

/*
 * Take a free slot and the id to hand out with it, the smallest id at or
 * above t->next_id that names the slot, and move t->next_id past that id.
 * The caller holds a reservation in t->count.
 *
 * The slot is the nearest free one at or after t->next_id, so the id
 * advances t->next_id by the distance to it plus one.  If another insert
 * moves t->next_id meanwhile, the id stands as long as t->next_id has not
 * passed it (the cmpxchg is simply tried again); if it has, the slot goes
 * back and the search starts again from the new t->next_id, rather than
 * keep the slot at the price of a whole generation of ids.
 *
 * Ids increase: t->next_id only grows, and the id is at or above the value
 * of t->next_id that the successful cmpxchg replaced.  An insert that
 * starts after another has returned reads a t->next_id above that one's id.
 *
 * Lock-free: a cmpxchg fails, or the slot goes back, only because another
 * insert's cmpxchg succeeded.  A lap finds no free slot only if every
 * slot free when it began was claimed by another insert before the lap
 * reached it: the reservation leaves at least one free slot that nobody
 * holds at every moment (every cleared bit belongs to some reservation,
 * and a remove sets its bit before it gives its reservation back), and no
 * group counter hides it.  So every retry means that another insert took a
 * slot.  A preempted insert or remove holds nobody up: it holds at most
 * one bit, which the others skip.  One call is not wait-free: under
 * contention it may go round again for each insert that overtakes it.
 *
 * Return: false if the nearest free slot's id would be above
 * %RCUMAP_PTAB_ID_MAX; no slot is held then.
 */
static bool rcumap_ptab_claim(struct rcumap_ptab *t, u64 *id)
{
	u64 next = (u64)atomic64_read(&t->next_id);
	s64 seen;
	u64 new;
	u32 ix;

	for (;;) {
		if (!rcumap_ptab_claim_ix(t, (u32)next & t->mask, &ix)) {
			cpu_relax();
			next = (u64)atomic64_read(&t->next_id);
			continue;
		}
		new = next + ((ix - (u32)next) & t->mask);
		if (new > RCUMAP_PTAB_ID_MAX) {
			rcumap_ptab_free_ix(t, ix);
			return false;
		}
		seen = (s64)next;
		while (!atomic64_try_cmpxchg(&t->next_id, &seen, (s64)(new + 1)))
			if ((u64)seen > new)
				break;
		if ((u64)seen <= new)
			break;
		/* Overtaken: an id above ours was handed out meanwhile. */
		rcumap_ptab_free_ix(t, ix);
		next = (u64)seen;
	}
	*id = new;
	return true;
}

/**
 * rcumap_ptab_create() - Create a process table.
 * @capacity: Number of slots: a power of two from %RCUMAP_PTAB_MIN_CAPACITY
 *	to %RCUMAP_PTAB_MAX_CAPACITY.
 * @gfp: Allocation flags for the table (e.g. %GFP_KERNEL_ACCOUNT).
 *
 * The table uses a slot pointer and a bit per slot, a counter per 4096
 * slots and a few cache lines; see rcumap_ptab_bytes_used().  The first
 * @capacity inserts into a new table get the ids 0, 1, 2, ... in order.
 *
 * Context: Process context if @gfp allows sleeping.
 * Return: The new table, ERR_PTR(-EINVAL) if @capacity is out of range or
 * not a power of two, or ERR_PTR(-ENOMEM).
 */
struct rcumap_ptab *rcumap_ptab_create(u32 capacity, gfp_t gfp)
{
	struct rcumap_ptab *t;
	u32 w, g;

	BUILD_BUG_ON(RCUMAP_PTAB_MIN_CAPACITY <
		     L1_CACHE_BYTES / sizeof(struct rcumap_ptab_node *));
	/* Whole bitmap words. */
	BUILD_BUG_ON(RCUMAP_PTAB_MIN_CAPACITY < RCUMAP_PTAB_WORD_BITS);
	if (capacity < RCUMAP_PTAB_MIN_CAPACITY ||
	    capacity > RCUMAP_PTAB_MAX_CAPACITY || !is_power_of_2(capacity))
		return ERR_PTR(-EINVAL);

	t = kzalloc(sizeof(*t), gfp);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->capacity = capacity;
	t->mask = capacity - 1;
	t->slot_lines_shift =
		rcumap_ptab_lines_shift(capacity, RCUMAP_PTAB_SLOT_LINE_SHIFT);
	t->nr_words = capacity >> RCUMAP_PTAB_WORD_SHIFT;
	t->group_bits = min_t(u32, capacity, BIT(RCUMAP_PTAB_GROUP_SHIFT));
	/*
	 * The slot array is a power of two in size, so kvmalloc() returns
	 * it aligned at least to a cache line, as the spreading assumes.
	 */
	t->slots = kvcalloc(capacity, sizeof(*t->slots), gfp);
	if (!t->slots)
		goto out_free_table;
	t->free = kvmalloc_array(t->nr_words, sizeof(*t->free), gfp);
	if (!t->free)
		goto out_free_slots;
	t->group_free = kvmalloc_array(capacity / t->group_bits,
				       sizeof(*t->group_free), gfp);
	if (!t->group_free)
		goto out_free_bitmap;

	/* Every slot free: the first inserts get ids 0, 1, 2, ... */
	for (w = 0; w < t->nr_words; w++)
		atomic64_set(&t->free[w], -1LL);
	for (g = 0; g < capacity / t->group_bits; g++)
		atomic_set(&t->group_free[g], t->group_bits);
	atomic_set(&t->count, 0);
	atomic64_set(&t->next_id, 0);
	return t;

out_free_bitmap:
	kvfree(t->free);
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
	kvfree(t->group_free);
	kvfree(t->free);
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
 * out twice.  When a slot is reused, its new id is the old id plus a
 * multiple of the capacity, at least one.
 *
 * The insert takes the free slot nearest after the last id handed out, in
 * id order (next-fit), so ids advance by about one per insert: on average
 * 1.25 with random frees at 50% occupancy, 5 at 90%.
 *
 * Worst case, without contention: one lap of the free bitmap, capacity /
 * 4096 + 1 group counters and at most 129 words (155 us at the maximum
 * capacity, 1.3 us at 2^22).  Under contention, lock-free: the insert goes
 * round again only when another insert took a slot, never because another
 * CPU was preempted; a preempted insert or remove costs it at most 64
 * more words.
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
	u64 new_id;

	/* count never passes capacity, so "unless equal" is "unless full". */
	if (!atomic_add_unless(&t->count, 1, t->capacity))
		return -ENOSPC;
	if (!rcumap_ptab_claim(t, &new_id)) {
		atomic_dec(&t->count);
		return -EOVERFLOW;
	}

	/*
	 * The slot is ours alone: we cleared its free bit, and the remove
	 * that set that bit had already emptied the slot (its cmpxchg is
	 * ordered before its fetch_or, which is ordered before our
	 * fetch_andnot).  Until rcu_assign_pointer() no reader can reach
	 * @node through @t.
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
 * of one id, exactly one returns the object.  The slot goes back to the
 * free bitmap.  O(1): a cmpxchg and three atomic operations.
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
	 * The slot is empty before its free bit is set (cmpxchg is fully
	 * ordered), and the bit is set before the reservation is given back
	 * (fetch_or is fully ordered), so an insert that gets either finds
	 * the slot free.
	 */
	rcumap_ptab_free_ix(t, (u32)id & t->mask);
	atomic_dec(&t->count);
	return node;

out_miss:
	rcu_read_unlock();
	return NULL;
}
EXPORT_SYMBOL_GPL(rcumap_ptab_remove);

/*
 * rcumap_ptab_next_below(), counting its loads into @cost if not NULL.
 *
 * Visits the slots in the order of the ids @id, @id + 1, ... (one lap of
 * the bitmap from @id's ix, as rcumap_ptab_claim_ix() does), but loads
 * only the slots whose free bit is clear, and skips whole groups whose
 * counter says they are all free.  It stops at the first slot that holds
 * exactly the id it stands for.
 */
static __always_inline struct rcumap_ptab_node *
__rcumap_ptab_next_below(const struct rcumap_ptab *t, u64 *id, u64 end,
			 struct rcumap_ptab_cost *cost)
{
	struct rcumap_ptab_node *best = NULL;
	u64 start = *id, best_id = U64_MAX;
	u32 from, w, k = 0;

	if (start > RCUMAP_PTAB_ID_MAX)
		return NULL;
	from = (u32)start & t->mask;
	w = from >> RCUMAP_PTAB_WORD_SHIFT;
	while (k <= t->nr_words) {
		u64 used;

		/*
		 * A group counter never counts fewer free slots than its
		 * group has, and the insert of an object takes its slot off
		 * the counter before publishing it: while the object is in
		 * the table, its group's counter is below group_bits.
		 */
		if (k == 0 || w % RCUMAP_PTAB_GROUP_WORDS == 0) {
			rcumap_ptab_cost_add(cost ? &cost->groups : NULL);
			if (atomic_read(rcumap_ptab_group(t, w)) >=
			    (int)t->group_bits) {
				k += RCUMAP_PTAB_GROUP_WORDS -
				     w % RCUMAP_PTAB_GROUP_WORDS;
				w = (w + RCUMAP_PTAB_GROUP_WORDS -
				     w % RCUMAP_PTAB_GROUP_WORDS) &
				    (t->nr_words - 1);
				continue;
			}
		}
		rcumap_ptab_cost_add(cost ? &cost->words : NULL);
		/* An object's bit is clear from before it is published. */
		used = ~(u64)atomic64_read(&t->free[w]) &
		       rcumap_ptab_lap_mask(t, from, k);
		while (used) {
			u32 ix = (w << RCUMAP_PTAB_WORD_SHIFT) | __ffs64(used);
			u64 want = start + ((ix - from) & t->mask);
			struct rcumap_ptab_node *node =
				rcumap_ptab_slot_rcu(t, rcumap_ptab_ix_slot(t, ix));
			u64 node_id;

			used &= used - 1;
			rcumap_ptab_cost_add(cost ? &cost->slots : NULL);
			if (!node)
				continue;
			node_id = READ_ONCE(node->id);
			if (node_id < start || node_id >= best_id ||
			    node_id >= end)
				continue;
			best = node;
			best_id = node_id;
			/*
			 * Every slot visited so far held an id below @start
			 * or of the form want' + n * capacity with want' <
			 * want and n > 0, so larger than @want; every slot
			 * not yet visited holds ids of the form want'' + n *
			 * capacity with want'' > want.
			 */
			if (node_id == want)
				goto out;
		}
		k++;
		w = (w + 1) & (t->nr_words - 1);
	}
out:
	if (best)
		*id = best_id;
	return best;
}

/**
 * rcumap_ptab_next_below() - Find the object with the smallest id at or
 * above a given one and below a bound.
 * @t: Table.
 * @id: Smallest id to consider; set to the id of the object found.
 * @end: Ids at or above @end are not considered.
 *
 * The building block of rcumap_ptab_for_each().  Visits the occupied slots
 * in the order of the ids @id, @id + 1, ..., found in the free bitmap, and
 * stops at the first that holds exactly the id it stands for; if none
 * does, after one lap.
 *
 * Worst case of a call, one lap: capacity / 4096 + 1 group counters,
 * capacity / 64 + 1 bitmap words and one slot per object in the table.
 * A call that returns the object next in id order costs, besides the
 * words, one slot per object whose ix lies between the two: objects of
 * other generations.  So a whole walk loads about (id span of the objects
 * / capacity) slots per object returned, plus the bitmap words, whatever
 * the churn before it; with the next-fit allocator the id span stays a few
 * capacities (measured in Documentation/rcumap-ptab.rst).
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
	return __rcumap_ptab_next_below(t, id, end, NULL);
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
 * time) costs O(capacity) slot loads in all, however the ids are spread.
 * Every object present for the whole walk is returned exactly once.
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
	return sizeof(*t) + (size_t)t->capacity * sizeof(*t->slots) +
	       (size_t)t->nr_words * sizeof(*t->free) +
	       (size_t)(t->capacity / t->group_bits) * sizeof(*t->group_free);
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

/*
 * For the KUnit tests only: rcumap_ptab_next_below(), adding to @loads
 * the group counters, bitmap words and slots it loaded.
 */
struct rcumap_ptab_node *
rcumap_ptab_kunit_next_below(const struct rcumap_ptab *t, u64 *id, u64 end,
			     u64 *loads)
{
	struct rcumap_ptab_cost cost = {};
	struct rcumap_ptab_node *node;

	node = __rcumap_ptab_next_below(t, id, end, &cost);
	*loads += cost.groups + cost.words + cost.slots;
	return node;
}
EXPORT_SYMBOL_GPL(rcumap_ptab_kunit_next_below);
#endif
