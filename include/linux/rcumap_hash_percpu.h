/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rcumap per-CPU hash: every key has one value per possible CPU, like
 * BPF_MAP_TYPE_PERCPU_HASH.  A layer over the bucket-swap hash table
 * (include/linux/rcumap_hash.h): the inner table maps each key to a
 * void __percpu * area, and its free callback frees the area after a grace
 * period.
 *
 * In-kernel users look up the area under RCU and update their own CPU's
 * value without contention.  The "all CPUs" calls take and return BPF's
 * layout: num_possible_cpus() values, each padded to a multiple of 8 bytes,
 * in the order of for_each_possible_cpu().
 *
 * See Documentation/rcumap-variants.rst for the design and the locking table.
 */
#ifndef _LINUX_RCUMAP_HASH_PERCPU_H
#define _LINUX_RCUMAP_HASH_PERCPU_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/rcumap_hash.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct rcumap_percpu_hash;

/*
 * Largest value per CPU, in bytes, rounded up to 8: PCPU_MIN_UNIT_SIZE
 * (32 KiB with 4 KiB pages), the largest area the per-CPU allocator is
 * sure to give, and BPF's limit for its per-CPU hash maps.  Larger is
 * -E2BIG.
 */
#define RCUMAP_PERCPU_HASH_MAX_VALUE_SIZE	SZ_32K
/*
 * Largest key: the inner table stores a pointer with each key, and the
 * two together may take %RCUMAP_HASH_MAX_KEY_VALUE_SIZE bytes.
 */
#define RCUMAP_PERCPU_HASH_MAX_KEY_SIZE \
	(RCUMAP_HASH_MAX_KEY_VALUE_SIZE - sizeof(void *))

struct rcumap_percpu_hash *
rcumap_percpu_hash_create(const struct rcumap_hash_params *params, gfp_t gfp);
void rcumap_percpu_hash_destroy(struct rcumap_percpu_hash *ph);

void __percpu *rcumap_percpu_hash_lookup(const struct rcumap_percpu_hash *ph,
					 const void *key);
int __must_check
rcumap_percpu_hash_lookup_copy(const struct rcumap_percpu_hash *ph,
			       const void *key, void *values);
u32 rcumap_percpu_hash_lookup_bulk(const struct rcumap_percpu_hash *ph,
				   const void *keys, u32 n,
				   void __percpu **areas);
u32 rcumap_percpu_hash_lookup_bulk_copy(const struct rcumap_percpu_hash *ph,
					const void *keys, u32 n, void *values,
					unsigned long *found);
int __must_check rcumap_percpu_hash_update(struct rcumap_percpu_hash *ph,
					   const void *key, const void *values,
					   u32 mode, gfp_t gfp);
int rcumap_percpu_hash_lookup_and_delete(struct rcumap_percpu_hash *ph,
					 const void *key, void *values);

/* Ordered walks: see rcumap_hash_cursor_next(). */
int rcumap_percpu_hash_cursor_next(const struct rcumap_percpu_hash *ph,
				   struct rcumap_hash_cursor *c, void *key,
				   void *values);
int rcumap_percpu_hash_walk_after(const struct rcumap_percpu_hash *ph,
				  const void *after, void *key, void *values);

/* Positional walks, for batches: see rcumap_percpu_hash_walk(). */
int rcumap_percpu_hash_walk(const struct rcumap_percpu_hash *ph, u64 *pos,
			    void *key, void *values);

u32 rcumap_percpu_hash_value_size(const struct rcumap_percpu_hash *ph);
size_t rcumap_percpu_hash_values_size(const struct rcumap_percpu_hash *ph);
size_t rcumap_percpu_hash_bytes_used(const struct rcumap_percpu_hash *ph);
/* For tests: exported in the RCUMAP_TESTING symbol namespace. */
long rcumap_percpu_hash_nr_areas(void);
struct rcumap_hash *rcumap_percpu_hash_keys(const struct rcumap_percpu_hash *ph);

/*
 * What a per-CPU table does as its inner table (rcumap_percpu_hash_keys())
 * does, touching no value: the call of include/linux/rcumap_hash.h of the
 * same name, with its context, cost and return values.
 */

/**
 * rcumap_percpu_hash_table() - The inner table, for reads only.
 * @ph: Table.
 *
 * For sizes, the bucket count and rcumap_hash_bucket_stats(): its values
 * are per-CPU area pointers.  Const, because an update through it would
 * bypass the areas.
 *
 * Return: The inner table, which lives as long as @ph.
 */
static inline const struct rcumap_hash *
rcumap_percpu_hash_table(const struct rcumap_percpu_hash *ph)
{
	return rcumap_percpu_hash_keys(ph);
}

/**
 * rcumap_percpu_hash_delete() - rcumap_hash_delete() of the inner table.
 * @ph: Table.
 * @key: Key to delete; its area is freed after a grace period.
 *
 * Return: 0, or -ENOENT if @key was not in the table.
 */
static inline int rcumap_percpu_hash_delete(struct rcumap_percpu_hash *ph,
					    const void *key)
{
	return rcumap_hash_delete(rcumap_percpu_hash_keys(ph), key);
}

/**
 * rcumap_percpu_hash_get_next_key() - rcumap_hash_get_next_key().
 * @ph: Table.
 * @key: Current key, or %NULL to start the walk.
 * @next_key: Buffer of the table's key size for the key after @key.
 *
 * Return: 0, or -ENOENT if @key was the last key.
 */
static inline int
rcumap_percpu_hash_get_next_key(const struct rcumap_percpu_hash *ph,
				const void *key, void *next_key)
{
	return rcumap_hash_get_next_key(rcumap_percpu_hash_table(ph), key,
					next_key);
}

/**
 * rcumap_percpu_hash_resize() - rcumap_hash_resize(); areas stay put.
 * @ph: Table; must not race with rcumap_percpu_hash_destroy().
 * @nr_buckets: New bucket count.
 *
 * Return: As rcumap_hash_resize().
 */
static inline int __must_check
rcumap_percpu_hash_resize(struct rcumap_percpu_hash *ph, u32 nr_buckets)
{
	return rcumap_hash_resize(rcumap_percpu_hash_keys(ph), nr_buckets);
}

/**
 * rcumap_percpu_hash_count() - rcumap_hash_count().
 * @ph: Table.
 *
 * Return: The number of keys (a snapshot).
 */
static inline u32 rcumap_percpu_hash_count(const struct rcumap_percpu_hash *ph)
{
	return rcumap_hash_count(rcumap_percpu_hash_table(ph));
}

/**
 * rcumap_percpu_hash_key_size() - rcumap_hash_key_size().
 * @ph: Table.
 *
 * Return: The key size in bytes.
 */
static inline u32
rcumap_percpu_hash_key_size(const struct rcumap_percpu_hash *ph)
{
	return rcumap_hash_key_size(rcumap_percpu_hash_table(ph));
}

/**
 * rcumap_percpu_hash_max_entries() - rcumap_hash_max_entries().
 * @ph: Table.
 *
 * Return: The most keys the table holds.
 */
static inline u32
rcumap_percpu_hash_max_entries(const struct rcumap_percpu_hash *ph)
{
	return rcumap_hash_max_entries(rcumap_percpu_hash_table(ph));
}

/**
 * rcumap_percpu_hash_nr_buckets() - rcumap_hash_nr_buckets().
 * @ph: Table.
 *
 * Return: The number of buckets of the inner table.
 */
static inline u32
rcumap_percpu_hash_nr_buckets(const struct rcumap_percpu_hash *ph)
{
	return rcumap_hash_nr_buckets(rcumap_percpu_hash_table(ph));
}

#endif /* _LINUX_RCUMAP_HASH_PERCPU_H */
