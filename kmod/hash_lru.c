// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap LRU hash: a layer over the bucket-swap hash table that evicts an
 * approximately least-recently-used key to make room for an insert.
 *
 * Conventions: @lru is an LRU table and lru->h its inner table, which holds
 * the keys and values exactly as a plain rcumap_hash would; @key points at
 * the table's key size in bytes; @tag is a key's recency tag, a 32-bit
 * keyed hash of the key that is never 0 (0 marks a free way).
 *
 * Recency.  Every possible CPU has an array of lru->nr_tags tags, split
 * into sets of %RCUMAP_LRU_WAYS ways (16 bytes, within one cache line);
 * a key's set is its tag's low bits.  A lookup that finds the key stores
 * its tag in its CPU's set, unless the tag is there already (updates do
 * not: a key written and never read is not in use): a key used over
 * and over on one CPU costs four per-CPU loads and no store, and no lookup
 * ever writes memory another CPU writes, except when eviction clears a tag
 * (once per key per turn of the hand).  The arrays are chunks of at most
 * PCPU_MIN_UNIT_SIZE bytes, the largest per-CPU allocation there is.
 *
 * Eviction is a CLOCK hand: a cursor lru->hand_cursor over the inner table's
 * ordered walk (rcumap_hash_cursor_next()), which neither skips nor repeats
 * keys when keys are deleted (the hand's own victims included) or the
 * table is resized between steps.  The hand clears the tags of a key that
 * has them on any CPU and moves on (its second chance), and deletes the
 * first key that has none, or the next key once it has passed
 * %RCUMAP_LRU_SCAN_LIMIT used ones.  It runs in the context of an insert
 * that took the table past max_entries, under lru->evict_lock, after the
 * insert: an insert that fails (no memory for its bucket) has evicted
 * nothing.  The inner table lets inserts go lru->slack keys past
 * max_entries for that; only when the slack is used up does an insert
 * evict first.
 *
 * Locking: lookups take the RCU read lock (the caller's, or their own).
 * Updates and deletes take the inner table's bucket lock.  Eviction takes
 * lru->evict_lock (BH-disabling spinlock), and under it the inner table's
 * bucket lock through rcumap_hash_delete(); nothing takes them the other
 * way round.  Tags are written locally with this_cpu ops and remotely only
 * by eviction, with cmpxchg().
 */
#include <linux/rcumap_hash_lru.h>

#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "hash_internal.h"

/* Ways per set: 16 bytes of tags, never straddling a cache line. */
#define RCUMAP_LRU_WAYS		4U
/* Tags per per-CPU chunk: PCPU_MIN_UNIT_SIZE (32 KiB) of them. */
#define RCUMAP_LRU_CHUNK_SHIFT	13
#define RCUMAP_LRU_CHUNK_TAGS	BIT(RCUMAP_LRU_CHUNK_SHIFT)

/**
 * struct rcumap_lru_hash - An LRU hash table.
 * @h: The inner table, holding the keys and values.
 * @seed: Seed of the tag hash (independent of the inner table's).
 * @key_size: The inner table's key size (read by every tag computation).
 * @set_mask: Sets per CPU, minus one.
 * @nr_tags: Tags per CPU.
 * @slack: Keys an insert may take the inner table past its max_entries
 *	before it evicts (%RCUMAP_LRU_SLACK_PER_CPU per possible CPU).
 * @rotor: Per-CPU counter that picks the way a tag replaces when its set
 *	is full, so that two keys of one set do not keep evicting each other
 *	from the same way.
 * @evict_lock: Serialises evictions: protects @hand_cursor, @hand and
 *	@stats.
 * @hand_cursor: Where the CLOCK hand stands in the inner table's ordered
 *	walk: at the start, after the key in @hand, or at a position.
 * @hand: The key the hand last visited (the inner table's key size).
 * @stats: Eviction counters, written under @evict_lock.
 * @rcu: Frees the tags and this struct after a grace period.
 * @nr_chunks: Entries of @chunks.
 * @chunks: Per-CPU tag arrays of up to %RCUMAP_LRU_CHUNK_TAGS tags each.
 *
 * Everything above @evict_lock is written only at creation.
 */
struct rcumap_lru_hash {
	struct rcumap_hash *h;
	u32 seed;
	u32 key_size;
	u32 set_mask;
	u32 nr_tags;
	u32 slack;
	u32 __percpu *rotor;

	spinlock_t evict_lock ____cacheline_aligned_in_smp;
	struct rcumap_hash_cursor hand_cursor;
	void *hand;
	struct rcumap_lru_hash_stats stats;

	struct rcu_head rcu;
	u32 nr_chunks;
	u32 __percpu *chunks[];
};

/* The tag of @key: a keyed hash, never 0. */
static inline u32 rcumap_lru_tag(const struct rcumap_lru_hash *lru,
				 const void *key)
{
	return rcumap_jhash_key(key, lru->key_size, lru->seed) ?: 1;
}

/* The first way of @tag's set, in every CPU's array. */
static inline u32 __percpu *rcumap_lru_set(const struct rcumap_lru_hash *lru,
					   u32 tag)
{
	u32 first = (tag & lru->set_mask) * RCUMAP_LRU_WAYS;

	return lru->chunks[first >> RCUMAP_LRU_CHUNK_SHIFT] +
	       (first & (RCUMAP_LRU_CHUNK_TAGS - 1));
}

/*
 * Mark @key used on this CPU.  Reads only this CPU's set unless the tag is
 * missing, and writes only this CPU's set.  this_cpu ops are safe with
 * preemption enabled; if the task moves between the reads and the write,
 * the tag lands in its new CPU's set, which is just as good.
 */
static void rcumap_lru_touch(const struct rcumap_lru_hash *lru,
			     const void *key)
{
	u32 tag = rcumap_lru_tag(lru, key);
	u32 __percpu *set = rcumap_lru_set(lru, tag);
	u32 w;

	for (w = 0; w < RCUMAP_LRU_WAYS; w++)
		if (this_cpu_read(set[w]) == tag)
			return;
	for (w = 0; w < RCUMAP_LRU_WAYS; w++)
		if (!this_cpu_read(set[w]))
			break;
	if (w == RCUMAP_LRU_WAYS)
		w = this_cpu_inc_return(*lru->rotor) % RCUMAP_LRU_WAYS;
	this_cpu_write(set[w], tag);
}

/*
 * Clear @key's tag on every CPU; true if it was set on any.  A CPU may
 * store a tag in the same way at the same time: cmpxchg() clears only our
 * tag, never one that a lookup has just stored over it.
 */
static bool rcumap_lru_clear(struct rcumap_lru_hash *lru, const void *key)
{
	u32 tag = rcumap_lru_tag(lru, key);
	u32 __percpu *set = rcumap_lru_set(lru, tag);
	bool used = false;
	int cpu;
	u32 w;

	for_each_possible_cpu(cpu) {
		u32 *ways = per_cpu_ptr(set, cpu);

		for (w = 0; w < RCUMAP_LRU_WAYS; w++) {
			if (READ_ONCE(ways[w]) != tag)
				continue;
			used = true;
			cmpxchg(&ways[w], tag, 0);
		}
	}
	return used;
}

/*
 * Take the table back to max_entries after an insert went past it: move
 * the hand to the next key, giving used keys a second chance, and delete
 * the first unused one other than @spare (the key just inserted, which has
 * no tags yet and would otherwise be the likeliest victim).  Deleting goes
 * through the inner table, so the count stays exact and the free callback
 * gets the evicted value.  The key the hand copied out may be deleted (or
 * deleted and inserted again) by someone else before we delete it: then
 * either our delete fails and someone else's made room, or we evict the
 * newer key, which is as good a victim (it has no tags either).
 *
 * Ends with a victim, or when there is nothing to evict: no room is
 * needed any more, or a whole turn of the hand met no key but @spare; or
 * after %RCUMAP_LRU_EMPTY_STEPS steps through empty buckets, with the hand
 * left where it stopped for the next eviction.
 *
 * Cost, under the BH-disabling @evict_lock: every step of the hand visits
 * at most %RCUMAP_HASH_WALK_BUCKETS buckets (rcumap_hash_cursor_next()).
 * Each step either meets a key, which ends the search or takes one of the
 * %RCUMAP_LRU_SCAN_LIMIT second chances, or is @spare (once a turn), or
 * ends a turn (at most two), or crosses empty buckets (at most
 * %RCUMAP_LRU_EMPTY_STEPS): a bound set by constants, not by the keys or
 * the table's size.  Without the last limit, a hand in a sparse stretch
 * of the table (keys that cluster in walk order) would read every empty
 * bucket of it with BHs off.
 */
static void rcumap_lru_evict(struct rcumap_lru_hash *lru, const void *spare)
{
	u32 max = rcumap_hash_max_entries(lru->h);
	u32 scanned = 0, wraps = 0, empty = 0;
	bool met_other = false;
	int err;

	spin_lock_bh(&lru->evict_lock);
	/* Another eviction or a delete may have made room meanwhile. */
	while (rcumap_hash_count(lru->h) > max) {
		/* The step writes the next key over the cursor: one buffer. */
		err = rcumap_hash_cursor_next(lru->h, &lru->hand_cursor,
					      lru->hand, NULL);
		if (err == -EAGAIN) {
			if (++empty < RCUMAP_LRU_EMPTY_STEPS)
				continue;
			lru->stats.stopped++;
			break;
		}
		if (err) {
			/*
			 * End of the table: a new turn, unless the last whole
			 * turn met nobody but @spare (or nobody at all).
			 */
			if (wraps++ && !met_other)
				break;
			lru->hand_cursor.state = RCUMAP_CURSOR_START;
			met_other = false;
			continue;
		}
		if (!memcmp(lru->hand, spare, lru->key_size))
			continue;
		met_other = true;
		if (scanned < RCUMAP_LRU_SCAN_LIMIT &&
		    rcumap_lru_clear(lru, lru->hand)) {
			scanned++;
			lru->stats.second_chances++;
			continue;
		}
		if (!rcumap_hash_delete(lru->h, lru->hand)) {
			lru->stats.evictions++;
			if (scanned >= RCUMAP_LRU_SCAN_LIMIT)
				lru->stats.forced++;
		}
		break;
	}
	spin_unlock_bh(&lru->evict_lock);
}

static void rcumap_lru_free(struct rcumap_lru_hash *lru)
{
	u32 i;

	for (i = 0; i < lru->nr_chunks; i++)
		free_percpu(lru->chunks[i]);
	free_percpu(lru->rotor);
	kvfree(lru->hand);
	kfree(lru);
}

/*
 * After a grace period from rcumap_lru_hash_destroy(): every reader that
 * found @lru, and so may still store a tag, has left its read-side
 * critical section.  free_percpu() may be called from softirq.
 */
static void rcumap_lru_free_rcu(struct rcu_head *head)
{
	rcumap_lru_free(container_of(head, struct rcumap_lru_hash, rcu));
}

/**
 * rcumap_lru_hash_create() - Create an LRU hash table.
 * @params: The inner table's parameters, tags per CPU and flags.
 * @gfp: Allocation flags for the table and its per-CPU tags.
 *
 * Costs the inner table plus 4 bytes per tag per possible CPU.
 *
 * Context: Process context if @gfp allows sleeping.
 * Return: The new table, ERR_PTR(-EINVAL) if @params->flags is not 0,
 * @params->nr_tags is out of range or the inner table rejects
 * @params->hash (see rcumap_hash_create()), or ERR_PTR(-ENOMEM).
 */
struct rcumap_lru_hash *
rcumap_lru_hash_create(const struct rcumap_lru_hash_params *params, gfp_t gfp)
{
	u32 nr_tags = params->nr_tags, chunk_tags, i;
	struct rcumap_lru_hash *lru;
	struct rcumap_hash *h;
	int err = -ENOMEM;

	if (params->flags || nr_tags > RCUMAP_LRU_MAX_TAGS)
		return ERR_PTR(-EINVAL);
	if (!nr_tags)
		nr_tags = min_t(u32, params->hash.max_entries,
				RCUMAP_LRU_DEFAULT_MAX_TAGS);
	nr_tags = roundup_pow_of_two(max(nr_tags, RCUMAP_LRU_MIN_TAGS));
	chunk_tags = min_t(u32, nr_tags, RCUMAP_LRU_CHUNK_TAGS);

	lru = kzalloc(struct_size(lru, chunks, nr_tags / chunk_tags), gfp);
	if (!lru)
		return ERR_PTR(-ENOMEM);
	lru->nr_tags = nr_tags;
	lru->set_mask = nr_tags / RCUMAP_LRU_WAYS - 1;
	lru->slack = num_possible_cpus() * RCUMAP_LRU_SLACK_PER_CPU;
	lru->seed = get_random_u32();
	spin_lock_init(&lru->evict_lock);
	lru->rotor = alloc_percpu_gfp(u32, gfp);
	if (!lru->rotor)
		goto out_free_lru;
	for (i = 0; i < nr_tags / chunk_tags; i++) {
		/* Aligned to a set, so that no set straddles a cache line. */
		lru->chunks[i] = __alloc_percpu_gfp(chunk_tags * sizeof(u32),
						    RCUMAP_LRU_WAYS * sizeof(u32),
						    gfp);
		if (!lru->chunks[i])
			goto out_free_lru;
		lru->nr_chunks++;
	}
	h = rcumap_hash_create(&params->hash, gfp);
	if (IS_ERR(h)) {
		err = PTR_ERR(h);
		goto out_free_lru;
	}
	/* A key of up to RCUMAP_HASH_MAX_KEY_SIZE (4 MiB) bytes. */
	lru->hand = kvmalloc(params->hash.key_size, gfp | __GFP_NOWARN);
	if (!lru->hand) {
		rcumap_hash_destroy(h);
		goto out_free_lru;
	}
	lru->h = h;
	lru->key_size = params->hash.key_size;
	return lru;

out_free_lru:
	rcumap_lru_free(lru);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(rcumap_lru_hash_create);

/**
 * rcumap_lru_hash_destroy() - Destroy an LRU table and every entry in it.
 * @lru: Table, or NULL.
 *
 * As for rcumap_hash_destroy(): no update may run or start and no new
 * reader may find @lru; readers that found it earlier may finish.  The
 * free callback, if any, runs for every value still in the table after a
 * grace period; rcumap_hash_barrier() waits for it.
 *
 * Context: Any context.
 */
void rcumap_lru_hash_destroy(struct rcumap_lru_hash *lru)
{
	if (!lru)
		return;
	rcumap_hash_destroy(lru->h);
	/*
	 * Readers that found @lru may still store tags: the tags and @lru
	 * are freed after them.  rcumap's module exit waits for this
	 * callback with rcu_barrier().
	 */
	call_rcu(&lru->rcu, rcumap_lru_free_rcu);
}
EXPORT_SYMBOL_GPL(rcumap_lru_hash_destroy);

/**
 * rcumap_lru_hash_lookup() - Find the value of a key and mark it used.
 * @lru: Table.
 * @key: Key to look for.
 *
 * As rcumap_hash_lookup(): the value must not be written and stays valid,
 * unchanged, until the caller leaves its RCU read-side critical section,
 * even if the key is evicted meanwhile.  A hit marks the key used on this
 * CPU, which costs a store only if it is not marked already.  To look
 * without marking (e.g. to dump the table), use rcumap_hash_lookup() on
 * rcumap_lru_hash_table().
 *
 * Context: Any context.  The caller must hold an RCU read lock
 * (rcu_read_lock(), rcu_read_lock_bh() or preemption disabled).
 * Return: The value for @key, or %NULL if @key is not in the table.
 */
void *rcumap_lru_hash_lookup(const struct rcumap_lru_hash *lru,
			     const void *key)
{
	void *value = rcumap_hash_lookup(lru->h, key);

	if (value)
		rcumap_lru_touch(lru, key);
	return value;
}
EXPORT_SYMBOL_GPL(rcumap_lru_hash_lookup);

/**
 * rcumap_lru_hash_lookup_copy() - Copy out the value of a key, marking it.
 * @lru: Table.
 * @key: Key to look for.
 * @value: Buffer of the table's value size.
 *
 * Marks the key used, as rcumap_lru_hash_lookup().  To copy without
 * marking, use rcumap_hash_lookup_copy() on rcumap_lru_hash_table().
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: 0 if @value was filled in, -ENOENT if @key is not in the table.
 */
int rcumap_lru_hash_lookup_copy(const struct rcumap_lru_hash *lru,
				const void *key, void *value)
{
	int err = rcumap_hash_lookup_copy(lru->h, key, value);

	if (!err)
		rcumap_lru_touch(lru, key);
	return err;
}
EXPORT_SYMBOL_GPL(rcumap_lru_hash_lookup_copy);

/**
 * rcumap_lru_hash_lookup_bulk() - Find the values of several keys, marking
 *	each one found.
 * @lru: Table.
 * @keys: @n keys, as rcumap_hash_lookup_bulk() takes them.
 * @n: How many keys.
 * @values: Array of @n pointers, set as rcumap_hash_lookup_bulk() sets
 *	them.
 *
 * As rcumap_hash_lookup_bulk() on the table's keys, and marks every key
 * found used, as rcumap_lru_hash_lookup() does.  Its cost is @n lookups in
 * the caller's read-side critical section: the caller bounds @n.
 *
 * Context: Any context.  The caller must hold an RCU read lock
 * (rcu_read_lock(), rcu_read_lock_bh() or preemption disabled).
 * Return: How many of the @n keys were found.
 */
u32 rcumap_lru_hash_lookup_bulk(const struct rcumap_lru_hash *lru,
				const void *keys, u32 n, void **values)
{
	u32 i, found = rcumap_hash_lookup_bulk(lru->h, keys, n, values);

	for (i = 0; i < n; i++)
		if (values[i])
			rcumap_lru_touch(lru, keys + (size_t)i * lru->key_size);
	return found;
}
EXPORT_SYMBOL_GPL(rcumap_lru_hash_lookup_bulk);

/**
 * rcumap_lru_hash_lookup_bulk_copy() - Copy out the values of several
 *	keys, marking each one found.
 * @lru: Table.
 * @keys: @n keys, as rcumap_hash_lookup_bulk() takes them.
 * @n: How many keys.
 * @values: Buffer of @n values, as rcumap_hash_lookup_bulk_copy() fills it.
 * @found: Bitmap of @n bits, as rcumap_hash_lookup_bulk_copy() sets it.
 *
 * As rcumap_hash_lookup_bulk_copy(), and marks every key found used.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: How many of the @n keys were found.
 */
u32 rcumap_lru_hash_lookup_bulk_copy(const struct rcumap_lru_hash *lru,
				     const void *keys, u32 n, void *values,
				     unsigned long *found)
{
	u32 i, hits = rcumap_hash_lookup_bulk_copy(lru->h, keys, n, values,
						   found);

	/* Marking needs no RCU read lock: it touches only @lru's own tags. */
	for (i = 0; i < n; i++)
		if (test_bit(i, found))
			rcumap_lru_touch(lru, keys + (size_t)i * lru->key_size);
	return hits;
}
EXPORT_SYMBOL_GPL(rcumap_lru_hash_lookup_bulk_copy);

/**
 * rcumap_lru_hash_update() - Insert a key or replace its value, evicting.
 * @lru: Table.
 * @key: Key.
 * @value: Value of the table's value size; copied into the table.
 * @mode: %RCUMAP_ANY, %RCUMAP_NOEXIST or %RCUMAP_EXIST.
 * @gfp: Allocation flags for the key's new bucket.
 *
 * As rcumap_hash_update(), except that an insert into a full table
 * evicts an approximately least recently used key (whose value goes to the
 * free callback, if any) instead of failing.  An update does not mark the
 * key used: only lookups do, so that keys written and never read are the
 * first to go.
 *
 * The insert comes first and the eviction after it, so an update that
 * fails (-ENOMEM, -EEXIST, ...) has evicted nothing and the table is as it
 * was.  Meanwhile the count may pass max_entries by one per insert between
 * the two steps, up to %RCUMAP_LRU_SLACK_PER_CPU per possible CPU.  Only
 * when that many inserters are between the two steps at once does an
 * insert evict first and try again, up to %RCUMAP_LRU_MAX_TRIES times;
 * then -E2BIG, or an -ENOMEM on the try after an eviction, leaves the
 * evicted keys out.  An eviction may also stop without a victim after
 * %RCUMAP_LRU_EMPTY_STEPS steps through empty buckets, the next one going
 * on from there: that bounds the cost of every update, whatever keys the
 * table holds.
 *
 * Cost: that of rcumap_hash_update(), plus at most
 * %RCUMAP_LRU_MAX_TRIES + 1 evictions, each of a bounded number of walk
 * steps (see %RCUMAP_LRU_EMPTY_STEPS).
 *
 * Context: Process or softirq context, interrupts enabled; may sleep if
 * @gfp allows.  Takes and releases the RCU read lock, the bucket lock and,
 * to evict, the eviction lock.
 * Return: 0 on success, -EINVAL if @mode is unknown, -EEXIST if @mode is
 * %RCUMAP_NOEXIST and @key is present, -ENOENT if @mode is %RCUMAP_EXIST
 * and @key is absent, -E2BIG if the table stayed full through
 * %RCUMAP_LRU_MAX_TRIES evictions, -ENOSPC if @key is new and its bucket
 * holds %RCUMAP_HASH_BUCKET_MAX keys (nothing is evicted), -ENOMEM if the
 * key's new bucket (or, out of line, its element) cannot be allocated.
 */
int rcumap_lru_hash_update(struct rcumap_lru_hash *lru, const void *key,
			   const void *value, u32 mode, gfp_t gfp)
{
	u32 tries;
	int err;

	for (tries = 0;; tries++) {
		err = rcumap_hash_update_slack(lru->h, key, value, mode, gfp,
					       lru->slack);
		if (err != -E2BIG || tries == RCUMAP_LRU_MAX_TRIES)
			break;
		/* The slack is used up: make room first (see above). */
		rcumap_lru_evict(lru, key);
	}
	if (err < 0)
		return err;
	/* An insert (not a replace) that took the table past max_entries. */
	if (err && rcumap_hash_count(lru->h) > rcumap_hash_max_entries(lru->h))
		rcumap_lru_evict(lru, key);
	return 0;
}
EXPORT_SYMBOL_GPL(rcumap_lru_hash_update);

/**
 * rcumap_lru_hash_get_stats() - Eviction counters of an LRU table.
 * @lru: Table.
 * @stats: Filled in with the counters since creation.
 *
 * Context: Process or softirq context.  Takes and releases the eviction
 * lock.
 */
void rcumap_lru_hash_get_stats(struct rcumap_lru_hash *lru,
			       struct rcumap_lru_hash_stats *stats)
{
	spin_lock_bh(&lru->evict_lock);
	*stats = lru->stats;
	spin_unlock_bh(&lru->evict_lock);
}
EXPORT_SYMBOL_GPL(rcumap_lru_hash_get_stats);

/**
 * rcumap_lru_hash_bytes_used() - Memory an LRU table uses.
 * @lru: Table.
 *
 * rcumap_hash_bytes_used() of the inner table plus this struct, the hand
 * and the tags of every possible CPU.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: The number of bytes.
 */
size_t rcumap_lru_hash_bytes_used(const struct rcumap_lru_hash *lru)
{
	return rcumap_hash_bytes_used(lru->h) +
	       kmalloc_size_roundup(struct_size(lru, chunks, lru->nr_chunks)) +
	       (is_vmalloc_addr(lru->hand) ? PAGE_ALIGN(lru->key_size) :
		kmalloc_size_roundup(lru->key_size)) +
	       (size_t)num_possible_cpus() *
	       (lru->nr_tags * sizeof(u32) + sizeof(u32));
}
EXPORT_SYMBOL_GPL(rcumap_lru_hash_bytes_used);

/**
 * rcumap_lru_hash_keys() - The inner table of an LRU table, for writes.
 * @lru: Table.
 *
 * The table that holds @lru's keys and values, for the calls of
 * include/linux/rcumap_hash.h that an LRU table makes no different:
 * those of rcumap_lru_hash_table(), and rcumap_hash_delete(),
 * rcumap_hash_lookup_and_delete() and rcumap_hash_resize().  Never
 * rcumap_hash_update() through it: an insert into a full table would
 * fail with -E2BIG instead of evicting.  It lives as long as @lru.
 *
 * Context: Any context.
 * Return: The inner table.
 */
struct rcumap_hash *rcumap_lru_hash_keys(const struct rcumap_lru_hash *lru)
{
	return lru->h;
}
EXPORT_SYMBOL_GPL(rcumap_lru_hash_keys);

/**
 * rcumap_lru_hash_max_buckets() - The most buckets an LRU map should have.
 * @max_entries: The map's max_entries.
 *
 * @max_entries rounded up to a power of two.  Eviction moves the CLOCK
 * hand by ordered walk steps, each costing a load per empty bucket it
 * skips, under the BH-disabling eviction lock; a full map with at least
 * one key per bucket keeps that short.  A map of one key in
 * %RCUMAP_HASH_MAX_BUCKETS buckets would scan millions of buckets for
 * every insert.  /dev/rcumap refuses to create or resize an LRU map past
 * it; the table itself does not enforce it.
 *
 * Context: Any context.
 * Return: The bucket count.
 */
u32 rcumap_lru_hash_max_buckets(u32 max_entries)
{
	return roundup_pow_of_two(max_entries);
}
EXPORT_SYMBOL_GPL(rcumap_lru_hash_max_buckets);
