/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rcumap bucket-swap hash table: lock-free readers, per-bucket writers.
 *
 * Every bucket is an immutable array of entries reached through one
 * __rcu pointer.  A writer builds a replacement bucket under the bucket
 * lock, publishes it with rcu_assign_pointer() and frees the old one after
 * an RCU grace period.  A reader loads the bucket pointer once under
 * rcu_read_lock() and scans that snapshot; it writes no shared memory.
 *
 * See Documentation/rcumap.rst for the design and the locking table.
 */
#ifndef _LINUX_RCUMAP_HASH_H
#define _LINUX_RCUMAP_HASH_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/gfp.h>
#include <linux/math.h>
#include <linux/sizes.h>
#include <linux/string.h>

struct rcumap_hash;

/*
 * Largest key and value a table accepts, in bytes, BPF's limit: a key and
 * a value of at most %RCUMAP_HASH_MAX_KEY_VALUE_SIZE bytes together (BPF
 * hash maps take any whose sum stays below KMALLOC_MAX_SIZE less their
 * element header, 4 MiB - 48 bytes on x86_64).  Larger is -E2BIG.
 */
#define RCUMAP_HASH_MAX_KEY_VALUE_SIZE	SZ_4M
#define RCUMAP_HASH_MAX_KEY_SIZE	RCUMAP_HASH_MAX_KEY_VALUE_SIZE
#define RCUMAP_HASH_MAX_VALUE_SIZE	(RCUMAP_HASH_MAX_KEY_VALUE_SIZE - 1)

/*
 * Entries whose key and value, each rounded up to 8 bytes, take more than
 * this many bytes are kept out of line: the bucket holds a pointer to an
 * element with the key and value, so that an update copies 12 bytes per
 * neighbour (hash word and pointer) instead of its neighbours' keys and
 * values.  See Documentation/rcumap.rst, "Out-of-line entries", for how
 * the threshold was chosen.
 */
#define RCUMAP_HASH_INLINE_MAX		128
/* Largest max_entries and bucket count a table accepts. */
#define RCUMAP_HASH_MAX_ENTRIES		SZ_16M
#define RCUMAP_HASH_MAX_BUCKETS		SZ_4M

/*
 * The bound on bucket length (Documentation/rcumap.rst, "Bucket length"):
 * an insert never makes a bucket hold more than %RCUMAP_HASH_BUCKET_MAX
 * keys, and a shrinking resize, which merges two buckets, starts only if
 * every pair fits in that many; so no bucket ever holds more than
 * %RCUMAP_HASH_BUCKET_HARD_MAX entries, live or dead, whatever the keys.
 * A table without %RCUMAP_HASH_F_RESIZE needs enough buckets to hold
 * max_entries within the bound: rcumap_hash_buckets_for().
 */
#define RCUMAP_HASH_BUCKET_MAX		64
#define RCUMAP_HASH_BUCKET_HARD_MAX	(2 * RCUMAP_HASH_BUCKET_MAX)

/* Fewest buckets that hold @max_entries keys within the bound. */
static inline u32 rcumap_hash_buckets_for(u32 max_entries)
{
	return DIV_ROUND_UP(max_entries, RCUMAP_HASH_BUCKET_MAX);
}

/*
 * Flags of struct rcumap_hash_params: online resize (see
 * Documentation/rcumap.rst, "Online resize").
 */
/* Grow (x2) in a worker when there are more than 2 entries per bucket. */
#define RCUMAP_HASH_F_RESIZE		BIT(0)
/*
 * Also shrink (/2) under 1 entry per 8 buckets, never below the initial
 * size or that of the last rcumap_hash_resize().
 */
#define RCUMAP_HASH_F_SHRINK		BIT(1)
/* Initial bucket count of a resizable table created with nr_buckets 0. */
#define RCUMAP_HASH_RESIZE_MIN_BUCKETS	64

/**
 * typedef rcumap_hash_free_t - Called for a value that has left a table.
 * @priv: The table's &rcumap_hash_params.free_priv.
 * @key: The key the value was stored under (the table's key size).
 * @value: The value (the table's value size).
 *
 * Runs once for every value that leaves the table (replaced, deleted, or
 * still there at destroy), after a grace period: no reader can still see
 * @value.  @key and @value point into memory (the retired bucket, or the
 * entry's element) that is freed when the callback returns; a value that
 * holds a pointer (e.g. a ``void __percpu *``) is freed through it here.
 *
 * Context: Softirq (an RCU callback) or a workqueue, BH possibly disabled.
 * Must not sleep and must not touch the table.
 */
typedef void (*rcumap_hash_free_t)(void *priv, const void *key, void *value);

/**
 * struct rcumap_hash_params - shape of a new hash table.
 * @key_size: Bytes per key, 1 to %RCUMAP_HASH_MAX_KEY_SIZE.
 * @value_size: Bytes per value, 0 to %RCUMAP_HASH_MAX_VALUE_SIZE; with
 *	@key_size, at most %RCUMAP_HASH_MAX_KEY_VALUE_SIZE.
 * @max_entries: Most entries the table holds, 1 to %RCUMAP_HASH_MAX_ENTRIES.
 * @nr_buckets: Number of buckets, rounded up to a power of two, at most
 *	%RCUMAP_HASH_MAX_BUCKETS; 0 picks one bucket per entry of @max_entries
 *	(capped at %RCUMAP_HASH_MAX_BUCKETS), or, with %RCUMAP_HASH_F_RESIZE,
 *	%RCUMAP_HASH_RESIZE_MIN_BUCKETS (fewer if @max_entries is smaller).
 *	Without %RCUMAP_HASH_F_RESIZE, at least
 *	rcumap_hash_buckets_for(@max_entries) (after rounding).
 * @flags: 0, %RCUMAP_HASH_F_RESIZE, or %RCUMAP_HASH_F_RESIZE |
 *	%RCUMAP_HASH_F_SHRINK.  Without flags the bucket count changes only
 *	through rcumap_hash_resize().
 * @free_value: Called for every value that leaves the table, after a grace
 *	period (see &rcumap_hash_free_t), or %NULL.  A table with a callback
 *	must be followed by rcumap_hash_barrier() before @free_value's code
 *	or @free_priv goes away.
 * @free_priv: Passed to @free_value.
 */
struct rcumap_hash_params {
	u32 key_size;
	u32 value_size;
	u32 max_entries;
	u32 nr_buckets;
	u32 flags;
	rcumap_hash_free_t free_value;	/* may be NULL */
	void *free_priv;
};

/**
 * enum rcumap_update_mode - what rcumap_hash_update() may do.
 * @RCUMAP_ANY: Insert the key or replace its value.
 * @RCUMAP_NOEXIST: Insert only; fail with -EEXIST if the key is present.
 * @RCUMAP_EXIST: Replace only; fail with -ENOENT if the key is absent.
 *
 * The values match BPF_ANY, BPF_NOEXIST and BPF_EXIST.
 */
enum rcumap_update_mode {
	RCUMAP_ANY = 0,
	RCUMAP_NOEXIST = 1,
	RCUMAP_EXIST = 2,
};

struct rcumap_hash *rcumap_hash_create(const struct rcumap_hash_params *params,
				       gfp_t gfp);
void rcumap_hash_destroy(struct rcumap_hash *h);
void rcumap_hash_barrier(void);

void *rcumap_hash_lookup(const struct rcumap_hash *h, const void *key);
int __must_check rcumap_hash_lookup_copy(const struct rcumap_hash *h,
					 const void *key, void *value);
u32 rcumap_hash_lookup_bulk(const struct rcumap_hash *h, const void *keys,
			    u32 n, void **values);
u32 rcumap_hash_lookup_bulk_copy(const struct rcumap_hash *h, const void *keys,
				 u32 n, void *values, unsigned long *found);
int __must_check rcumap_hash_update(struct rcumap_hash *h, const void *key,
				    const void *value, u32 mode, gfp_t gfp);
int rcumap_hash_delete(struct rcumap_hash *h, const void *key);
int rcumap_hash_lookup_and_delete(struct rcumap_hash *h, const void *key,
				  void *value);
int rcumap_hash_get_next_key(const struct rcumap_hash *h, const void *key,
			     void *next_key);

/*
 * Ordered walks: a cursor is a key, the table's order does not depend on
 * its size, and a walk neither restarts nor repeats a key when keys are
 * deleted or the table is resized between steps.
 */

/**
 * enum rcumap_hash_cursor_state - Where an ordered walk stands.
 * @RCUMAP_CURSOR_START: Before the first key.
 * @RCUMAP_CURSOR_AFTER_KEY: After the key in the caller's key buffer.
 * @RCUMAP_CURSOR_AFTER_KEY_OR_START: As %RCUMAP_CURSOR_AFTER_KEY, but if
 *	that key is not in the table the walk starts again from the first
 *	key (BPF's get_next_key).
 * @RCUMAP_CURSOR_AT_POS: Before the first key at or after position @pos of
 *	struct rcumap_hash_cursor: a step stopped in a run of empty buckets.
 * @RCUMAP_CURSOR_END: After the last key.
 */
enum rcumap_hash_cursor_state {
	RCUMAP_CURSOR_START,
	RCUMAP_CURSOR_AFTER_KEY,
	RCUMAP_CURSOR_AFTER_KEY_OR_START,
	RCUMAP_CURSOR_AT_POS,
	RCUMAP_CURSOR_END,
};

/**
 * struct rcumap_hash_cursor - An ordered walk's position between steps.
 * @state: An &enum rcumap_hash_cursor_state.
 * @pos: With %RCUMAP_CURSOR_AT_POS, where the walk goes on; otherwise the
 *	position of the last key returned, if any (see rcumap_hash_key_pos()).
 *
 * The key itself lives in the caller's key buffer, which each step reads
 * as the cursor and overwrites with the next key.
 */
struct rcumap_hash_cursor {
	u32 state;
	u32 pos;
};

/**
 * rcumap_hash_cursor_init() - Start an ordered walk at a key or the start.
 * @c: Cursor to set.
 * @after: The walk's first key is the one after this key; %NULL: the
 *	table's first key.
 * @key: The caller's key buffer for the walk, which holds the cursor's
 *	key between steps; @after is copied into it, and may be it.
 * @key_size: The table's key size.
 * @state: %RCUMAP_CURSOR_AFTER_KEY, or %RCUMAP_CURSOR_AFTER_KEY_OR_START
 *	for BPF's get_next_key, which starts again when @after is gone.
 *
 * Context: Any context.
 */
static inline void rcumap_hash_cursor_init(struct rcumap_hash_cursor *c,
					   const void *after, void *key,
					   u32 key_size, u32 state)
{
	c->state = after ? state : RCUMAP_CURSOR_START;
	c->pos = 0;
	if (after && after != key)
		memcpy(key, after, key_size);
}

/*
 * One step of an ordered walk visits at most RCUMAP_HASH_WALK_BUCKETS
 * buckets, then says -EAGAIN: see rcumap_hash_cursor_next().
 */
#define RCUMAP_HASH_WALK_BUCKETS	64
int rcumap_hash_cursor_next(const struct rcumap_hash *h,
			    struct rcumap_hash_cursor *c, void *key,
			    void *value);
int rcumap_hash_walk_after(const struct rcumap_hash *h, const void *after,
			   void *key, void *value);
/* For tests: exported in the RCUMAP_TESTING symbol namespace. */
u32 rcumap_hash_key_pos(const struct rcumap_hash *h, const void *key);

/*
 * Positional walks, for batches: see rcumap_hash_walk().  One call visits
 * at most RCUMAP_HASH_WALK_BUCKETS buckets, then says -EAGAIN.
 */
int rcumap_hash_walk(const struct rcumap_hash *h, u64 *pos, void *key,
		     void *value);

int __must_check rcumap_hash_resize(struct rcumap_hash *h, u32 nr_buckets);

u32 rcumap_hash_count(const struct rcumap_hash *h);
u32 rcumap_hash_key_size(const struct rcumap_hash *h);
u32 rcumap_hash_value_size(const struct rcumap_hash *h);
u32 rcumap_hash_max_entries(const struct rcumap_hash *h);
u32 rcumap_hash_nr_buckets(const struct rcumap_hash *h);
size_t rcumap_hash_bytes_used(const struct rcumap_hash *h);
int rcumap_hash_bucket_stats(const struct rcumap_hash *h, u32 *cursor,
			     u32 budget, u32 *hist, u32 nr_hist, u32 *longest);

/* ---- For the KUnit tests only --------------------------------------- */

#if IS_ENABLED(CONFIG_KUNIT)
size_t rcumap_hash_kunit_walk_bytes(const struct rcumap_hash *h, u32 *longest);
struct rcumap_hash *
rcumap_hash_kunit_create(const struct rcumap_hash_params *params, gfp_t gfp,
			 bool indirect);
bool rcumap_hash_kunit_indirect(const struct rcumap_hash *h);
#endif

#endif /* _LINUX_RCUMAP_HASH_H */
