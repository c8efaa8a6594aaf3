/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rcumap LRU hash: a bucket-swap hash table (include/linux/rcumap_hash.h)
 * that, when full, makes room for an insert by evicting an approximately
 * least-recently-used key instead of failing, like BPF_MAP_TYPE_LRU_HASH.
 *
 * Recency is kept in per-CPU arrays of tags: a lookup writes its CPU's tag
 * for the key only if it is not there already, so a hot key costs a few
 * per-CPU loads and no shared write.  Eviction runs a CLOCK hand over the
 * table in the inserter's context, giving a second chance to keys whose tag
 * is set on any CPU.
 *
 * See Documentation/rcumap-variants.rst for the design and the locking table.
 */
#ifndef _LINUX_RCUMAP_HASH_LRU_H
#define _LINUX_RCUMAP_HASH_LRU_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/rcumap_hash.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct rcumap_lru_hash;

/*
 * Bounds of &rcumap_lru_hash_params.nr_tags (tags per CPU, 4 bytes each).
 * The default is max_entries rounded up to a power of two, within
 * [%RCUMAP_LRU_MIN_TAGS, %RCUMAP_LRU_DEFAULT_MAX_TAGS].
 */
#define RCUMAP_LRU_MIN_TAGS		64U
#define RCUMAP_LRU_DEFAULT_MAX_TAGS	SZ_64K
#define RCUMAP_LRU_MAX_TAGS		SZ_1M

/*
 * Keys the CLOCK hand passes over (clearing their tags) before it evicts
 * one whatever its tags say, and evictions an update tries before it gives
 * up with -E2BIG because other inserters keep refilling the table.  The
 * scan limit sets the most work one eviction does when every key is in
 * use: at 32 it keeps such an insert within 20 times one that evicts the
 * first key it meets (Documentation/benchmarks-guest.rst, "Worst case
 * against typical"); 64 took it to 30 times.
 */
#define RCUMAP_LRU_SCAN_LIMIT		32U
#define RCUMAP_LRU_MAX_TRIES		8U

/*
 * Steps of the hand, each past RCUMAP_HASH_WALK_BUCKETS empty buckets, that
 * one eviction may take before it stops without a victim (the next one
 * goes on from there): so one eviction reads at most
 * (RCUMAP_LRU_SCAN_LIMIT + RCUMAP_LRU_EMPTY_STEPS + 4) walk steps of at
 * most RCUMAP_HASH_WALK_BUCKETS buckets each, whatever the keys.
 */
#define RCUMAP_LRU_EMPTY_STEPS		16U

/*
 * Keys per possible CPU by which a table may pass max_entries for a
 * moment: inserts that are in, and have not yet evicted a key to make up
 * for it (see rcumap_lru_hash_update()).
 */
#define RCUMAP_LRU_SLACK_PER_CPU	2U

/**
 * struct rcumap_lru_hash_params - shape of a new LRU hash table.
 * @hash: The table's parameters, as for rcumap_hash_create().
 *	@hash.free_value, if set, is called for evicted values too; as with
 *	rcumap_hash_create(), call rcumap_hash_barrier() before its code or
 *	@hash.free_priv goes away.
 * @nr_tags: Recently-used tags per CPU, rounded up to a power of two, from
 *	%RCUMAP_LRU_MIN_TAGS to %RCUMAP_LRU_MAX_TAGS; 0 picks the default.
 *	More tags remember more keys per CPU between two passes of the hand.
 * @flags: Must be 0.
 */
struct rcumap_lru_hash_params {
	struct rcumap_hash_params hash;
	u32 nr_tags;
	u32 flags;
};

/**
 * struct rcumap_lru_hash_stats - what eviction has done so far.
 * @evictions: Keys evicted.
 * @forced: Of those, keys evicted without a look at their tags, because
 *	the hand had already passed %RCUMAP_LRU_SCAN_LIMIT recently used keys
 *	in that eviction.
 * @second_chances: Keys the hand passed over because they had been used,
 *	clearing their tags.
 * @stopped: Evictions that ended without a victim after
 *	%RCUMAP_LRU_EMPTY_STEPS steps through empty buckets.
 */
struct rcumap_lru_hash_stats {
	u64 evictions;
	u64 forced;
	u64 second_chances;
	u64 stopped;
};

struct rcumap_lru_hash *
rcumap_lru_hash_create(const struct rcumap_lru_hash_params *params,
		       gfp_t gfp);
void rcumap_lru_hash_destroy(struct rcumap_lru_hash *lru);

void *rcumap_lru_hash_lookup(const struct rcumap_lru_hash *lru,
			     const void *key);
int __must_check rcumap_lru_hash_lookup_copy(const struct rcumap_lru_hash *lru,
					     const void *key, void *value);
u32 rcumap_lru_hash_lookup_bulk(const struct rcumap_lru_hash *lru,
				const void *keys, u32 n, void **values);
u32 rcumap_lru_hash_lookup_bulk_copy(const struct rcumap_lru_hash *lru,
				     const void *keys, u32 n, void *values,
				     unsigned long *found);
int __must_check rcumap_lru_hash_update(struct rcumap_lru_hash *lru,
					const void *key, const void *value,
					u32 mode, gfp_t gfp);

void rcumap_lru_hash_get_stats(struct rcumap_lru_hash *lru,
			       struct rcumap_lru_hash_stats *stats);
size_t rcumap_lru_hash_bytes_used(const struct rcumap_lru_hash *lru);
struct rcumap_hash *rcumap_lru_hash_keys(const struct rcumap_lru_hash *lru);
u32 rcumap_lru_hash_max_buckets(u32 max_entries);

/*
 * What an LRU table does as its inner table (rcumap_lru_hash_keys()) does:
 * the call of include/linux/rcumap_hash.h of the same name, with its
 * context, cost and return values.  None marks a key used or evicts one;
 * a key evicted meanwhile is a key deleted meanwhile.
 */

/**
 * rcumap_lru_hash_table() - The inner table, for reads only.
 * @lru: Table.
 *
 * For lookups that mark nothing used, walks, sizes and the bucket count;
 * const, because an update through it would bypass eviction.
 *
 * Return: The inner table, which lives as long as @lru.
 */
static inline const struct rcumap_hash *
rcumap_lru_hash_table(const struct rcumap_lru_hash *lru)
{
	return rcumap_lru_hash_keys(lru);
}

/**
 * rcumap_lru_hash_delete() - rcumap_hash_delete() of the inner table.
 * @lru: Table.
 * @key: Key to delete; its tags stay until overwritten or cleared.
 *
 * Return: 0, or -ENOENT if @key was not in the table.
 */
static inline int rcumap_lru_hash_delete(struct rcumap_lru_hash *lru,
					 const void *key)
{
	return rcumap_hash_delete(rcumap_lru_hash_keys(lru), key);
}

/**
 * rcumap_lru_hash_lookup_and_delete() - rcumap_hash_lookup_and_delete().
 * @lru: Table.
 * @key: Key to delete.
 * @value: Buffer of the table's value size for the deleted value.
 *
 * Return: 0, or -ENOENT if @key was not in the table.
 */
static inline int
rcumap_lru_hash_lookup_and_delete(struct rcumap_lru_hash *lru,
				  const void *key, void *value)
{
	return rcumap_hash_lookup_and_delete(rcumap_lru_hash_keys(lru), key,
					     value);
}

/**
 * rcumap_lru_hash_get_next_key() - rcumap_hash_get_next_key().
 * @lru: Table.
 * @key: Current key, or %NULL to start the walk.
 * @next_key: Buffer of the table's key size for the key after @key.
 *
 * Return: 0, or -ENOENT if @key was the last key.
 */
static inline int
rcumap_lru_hash_get_next_key(const struct rcumap_lru_hash *lru,
			     const void *key, void *next_key)
{
	return rcumap_hash_get_next_key(rcumap_lru_hash_table(lru), key,
					next_key);
}

/**
 * rcumap_lru_hash_cursor_next() - rcumap_hash_cursor_next().
 * @lru: Table.
 * @c: Cursor.
 * @key: Buffer of the table's key size: the cursor's key, then the next.
 * @value: Buffer of the table's value size, or %NULL.
 *
 * Return: 0, -ENOENT at the end of the walk, or -EAGAIN.
 */
static inline int
rcumap_lru_hash_cursor_next(const struct rcumap_lru_hash *lru,
			    struct rcumap_hash_cursor *c, void *key,
			    void *value)
{
	return rcumap_hash_cursor_next(rcumap_lru_hash_table(lru), c, key,
				       value);
}

/**
 * rcumap_lru_hash_walk_after() - rcumap_hash_walk_after().
 * @lru: Table.
 * @after: Cursor: the last key returned, or %NULL to start.
 * @key: Buffer of the table's key size; may be @after.
 * @value: Buffer of the table's value size, or %NULL for the key alone.
 *
 * Return: 0, or -ENOENT if no key follows @after.
 */
static inline int
rcumap_lru_hash_walk_after(const struct rcumap_lru_hash *lru,
			   const void *after, void *key, void *value)
{
	return rcumap_hash_walk_after(rcumap_lru_hash_table(lru), after, key,
				      value);
}

/**
 * rcumap_lru_hash_walk() - rcumap_hash_walk(), for batches.
 * @lru: Table.
 * @pos: Walk position: 0 to start.  Advanced past the entry returned.
 * @key: Buffer of the table's key size.
 * @value: Buffer of the table's value size, or %NULL.
 *
 * Return: 0, -ENOENT at the end of the table, or -EAGAIN.
 */
static inline int rcumap_lru_hash_walk(const struct rcumap_lru_hash *lru,
				       u64 *pos, void *key, void *value)
{
	return rcumap_hash_walk(rcumap_lru_hash_table(lru), pos, key, value);
}

/**
 * rcumap_lru_hash_resize() - rcumap_hash_resize(); evictions may go on.
 * @lru: Table; must not race with rcumap_lru_hash_destroy().
 * @nr_buckets: New bucket count; max_entries does not change.
 *
 * Return: As rcumap_hash_resize().
 */
static inline int __must_check
rcumap_lru_hash_resize(struct rcumap_lru_hash *lru, u32 nr_buckets)
{
	return rcumap_hash_resize(rcumap_lru_hash_keys(lru), nr_buckets);
}

/**
 * rcumap_lru_hash_count() - rcumap_hash_count(): exact, evictions delete.
 * @lru: Table.
 *
 * Past max_entries only while inserts that went past it have not yet
 * evicted (by at most %RCUMAP_LRU_SLACK_PER_CPU per possible CPU).
 *
 * Return: The number of keys (a snapshot).
 */
static inline u32 rcumap_lru_hash_count(const struct rcumap_lru_hash *lru)
{
	return rcumap_hash_count(rcumap_lru_hash_table(lru));
}

#endif /* _LINUX_RCUMAP_HASH_LRU_H */
