// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap per-CPU hash: a layer over the bucket-swap hash table.
 *
 * Conventions: @ph is a per-CPU table and ph->h its inner table; @key
 * points at the table's key size in bytes; @values is a buffer of
 * rcumap_percpu_hash_values_size() bytes in BPF's layout: one value per
 * possible CPU, each padded with zeroes to ph->stride (a multiple of 8)
 * bytes, in for_each_possible_cpu() order; @pptr is a key's per-CPU area.
 *
 * The inner table maps each key to its per-CPU area: the inner value is a
 * void __percpu * (sizeof(void *) bytes).  An area belongs to exactly one
 * inner value and is never reused: an update of all CPUs' values builds a
 * new area and swaps it in with the inner table's replace, so a reader
 * never sees one CPU's value half written by such an update.  The inner
 * table's free callback, rcumap_percpu_free_area(), frees an area after a
 * grace period once its value has left the table (replaced, deleted or
 * still there at destroy).
 *
 * Lifetime of an area, the argument every function below relies on: an
 * area can be reached only through the inner value that holds it, and the
 * inner table hands that value to the free callback only after a grace
 * period that starts after the value became unreachable.  So an area found
 * in an RCU read-side critical section stays allocated until that section
 * ends, whatever updates, deletes or destroys run meanwhile.  The functions
 * that copy an area out therefore hold the RCU read lock from the inner
 * lookup (or delete, or walk step) until the copy is done.
 *
 * Locking: none of our own.  The inner table takes its bucket lock for
 * updates and deletes; everything else takes only the RCU read lock.
 */
#include <linux/rcumap_hash_percpu.h>

#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

/**
 * struct rcumap_percpu_hash - A per-CPU hash table.
 * @h: The inner table: key -> void __percpu * area.
 * @value_size: Bytes of one CPU's value.
 * @stride: @value_size rounded up to 8: what one CPU's value takes in an
 *	area and in a @values buffer.
 * @rcu: Frees this struct after a grace period (readers may still hold it).
 *
 * Nothing here is written after rcumap_percpu_hash_create().
 */
struct rcumap_percpu_hash {
	struct rcumap_hash *h;
	u32 value_size;
	u32 stride;
	struct rcu_head rcu;
};

/*
 * Per-CPU areas allocated by every per-CPU table and not yet freed, split
 * per CPU so that counting costs no shared cache line: the sum over all
 * CPUs is exact whenever no update or free runs.  kmemleak cannot stand in
 * for it: it registers per-CPU objects with min_count 0 and so never
 * reports one as leaked.
 */
static DEFINE_PER_CPU(long, rcumap_percpu_live_areas);

static void __percpu *rcumap_percpu_area_alloc(const struct rcumap_percpu_hash *ph,
					       gfp_t gfp)
{
	void __percpu *pptr = __alloc_percpu_gfp(ph->stride, sizeof(u64), gfp);

	if (pptr)
		this_cpu_inc(rcumap_percpu_live_areas);
	return pptr;
}

static void rcumap_percpu_area_free(void __percpu *pptr)
{
	free_percpu(pptr);
	this_cpu_dec(rcumap_percpu_live_areas);
}

/* The per-CPU area stored in an inner value. */
static inline void __percpu *rcumap_percpu_area(const void *slot)
{
	void __percpu *pptr;

	/*
	 * Inner values are never written after publication (the inner table
	 * swaps whole buckets), so a plain copy reads a stable pointer.
	 */
	memcpy(&pptr, slot, sizeof(pptr));
	return pptr;
}

/*
 * Free callback of the inner table.  It runs after a grace period that
 * began once @value left the table, so no reader holds the area any more:
 * every reader that found it did so inside a read-side critical section
 * that has ended.  free_percpu() may be called from atomic context.
 */
static void rcumap_percpu_free_area(void *priv, const void *key, void *value)
{
	rcumap_percpu_area_free(rcumap_percpu_area(value));
}

/* Copy every possible CPU's value of @pptr to @values, padding zeroed. */
static void rcumap_percpu_copy_out(const struct rcumap_percpu_hash *ph,
				   void __percpu *pptr, void *values)
{
	size_t off = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		/*
		 * In-kernel users update their own CPU's value in place, with
		 * no lock (that is the point of the map), so this copy may
		 * race with them: like BPF's, a copy is a snapshot of each
		 * CPU's value, not of all of them at one instant, and a value
		 * wider than the user's own stores may be seen half updated.
		 */
		data_race(memcpy(values + off, per_cpu_ptr(pptr, cpu),
				 ph->value_size));
		memset(values + off + ph->value_size, 0,
		       ph->stride - ph->value_size);
		off += ph->stride;
	}
}

/* Fill a new, unpublished area from @values (NULL: leave it zeroed). */
static void rcumap_percpu_copy_in(const struct rcumap_percpu_hash *ph,
				  void __percpu *pptr, const void *values)
{
	size_t off = 0;
	int cpu;

	if (!values)
		return;
	for_each_possible_cpu(cpu) {
		memcpy(per_cpu_ptr(pptr, cpu), values + off, ph->value_size);
		off += ph->stride;
	}
}

/* The largest value is the largest area the per-CPU allocator gives. */
static_assert(RCUMAP_PERCPU_HASH_MAX_VALUE_SIZE <= PCPU_MIN_UNIT_SIZE);

/**
 * rcumap_percpu_hash_create() - Create a per-CPU hash table.
 * @params: As for rcumap_hash_create(); @params->value_size is the size of
 *	one CPU's value, 1 to %RCUMAP_PERCPU_HASH_MAX_VALUE_SIZE (rounded up
 *	to 8), and @params->key_size is at most
 *	%RCUMAP_PERCPU_HASH_MAX_KEY_SIZE.  @params->free_value and
 *	@params->free_priv must be %NULL: the table uses the inner table's
 *	callback itself.
 * @gfp: Allocation flags for the table.
 *
 * The inner table stores a pointer with each key; with a key of more than
 * %RCUMAP_HASH_INLINE_MAX - 8 bytes it keeps them out of line (see
 * rcumap_hash_create()), which the per-CPU values never are.
 *
 * Context: Process context if @gfp allows sleeping.
 * Return: The new table, ERR_PTR(-EINVAL) if a parameter is out of range
 * (see rcumap_hash_create()), the value size is 0 or a callback is given,
 * ERR_PTR(-E2BIG) if the key or the value is too large, or
 * ERR_PTR(-ENOMEM).
 */
struct rcumap_percpu_hash *
rcumap_percpu_hash_create(const struct rcumap_hash_params *params, gfp_t gfp)
{
	struct rcumap_hash_params inner = *params;
	struct rcumap_percpu_hash *ph;
	struct rcumap_hash *h;

	if (!params->value_size || params->free_value || params->free_priv)
		return ERR_PTR(-EINVAL);
	/* BPF's rule, rounded: the area holds the value padded to 8. */
	if (round_up((u64)params->value_size, 8) >
	    RCUMAP_PERCPU_HASH_MAX_VALUE_SIZE)
		return ERR_PTR(-E2BIG);

	ph = kzalloc(sizeof(*ph), gfp);
	if (!ph)
		return ERR_PTR(-ENOMEM);
	inner.value_size = sizeof(void __percpu *);
	inner.free_value = rcumap_percpu_free_area;
	inner.free_priv = NULL;
	h = rcumap_hash_create(&inner, gfp);
	if (IS_ERR(h)) {
		kfree(ph);
		return ERR_CAST(h);
	}
	ph->h = h;
	ph->value_size = params->value_size;
	ph->stride = round_up(params->value_size, 8);
	return ph;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_create);

/**
 * rcumap_percpu_hash_destroy() - Destroy a per-CPU table and every entry.
 * @ph: Table, or NULL.
 *
 * As for rcumap_hash_destroy(): no update may run or start, and no new
 * reader may find @ph; readers that found it earlier may finish.  The
 * per-CPU areas are freed after a grace period from rcumap's workqueue;
 * the code that frees them is rcumap's own, so a caller need not wait for
 * it (rcumap_hash_barrier() does, e.g. for a leak check).
 *
 * Context: Any context.
 */
void rcumap_percpu_hash_destroy(struct rcumap_percpu_hash *ph)
{
	if (!ph)
		return;
	rcumap_hash_destroy(ph->h);
	/* Readers that found @ph may still load ph->h: free after them. */
	kfree_rcu(ph, rcu);
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_destroy);

/**
 * rcumap_percpu_hash_lookup() - Find the per-CPU area of a key.
 * @ph: Table.
 * @key: Key to look for.
 *
 * The caller updates its own CPU's value with this_cpu_ptr() (with
 * preemption disabled) or this_cpu_add() and friends, and may read any
 * CPU's value with per_cpu_ptr().  The area stays allocated until the
 * caller leaves its RCU read-side critical section, even if the key is
 * replaced or deleted meanwhile (then writes to it are lost with the old
 * area, as if they had happened just before the update).
 *
 * Context: Any context.  The caller must hold an RCU read lock
 * (rcu_read_lock(), rcu_read_lock_bh() or preemption disabled).
 * Return: The key's per-CPU area, or %NULL if @key is not in the table.
 */
void __percpu *rcumap_percpu_hash_lookup(const struct rcumap_percpu_hash *ph,
					 const void *key)
{
	const void *slot = rcumap_hash_lookup(ph->h, key);

	/*
	 * @slot is in a bucket that stays allocated until our caller's
	 * read-side critical section ends, and so is the area it names
	 * (see the top of this file).
	 */
	return slot ? rcumap_percpu_area(slot) : NULL;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_lookup);

/**
 * rcumap_percpu_hash_lookup_copy() - Copy out every CPU's value of a key.
 * @ph: Table.
 * @key: Key to look for.
 * @values: Buffer of rcumap_percpu_hash_values_size() bytes.
 *
 * Each CPU's value is copied as it is at the moment of its copy: values
 * that in-kernel users update concurrently are not a snapshot of one
 * instant (as with BPF).  Padding is zeroed.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: 0 if @values was filled in, -ENOENT if @key is not in the table.
 */
int rcumap_percpu_hash_lookup_copy(const struct rcumap_percpu_hash *ph,
				   const void *key, void *values)
{
	void __percpu *pptr;
	int err = -ENOENT;

	rcu_read_lock();
	pptr = rcumap_percpu_hash_lookup(ph, key);
	if (pptr) {
		/* Allocated until rcu_read_unlock(): see the top of the file. */
		rcumap_percpu_copy_out(ph, pptr, values);
		err = 0;
	}
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_lookup_copy);

/* Groups of keys of rcumap_percpu_hash_lookup_bulk*(), as the inner table's. */
#define RCUMAP_PERCPU_BULK_GROUP	16

/**
 * rcumap_percpu_hash_lookup_bulk() - Find the per-CPU areas of several keys.
 * @ph: Table.
 * @keys: @n keys, as rcumap_hash_lookup_bulk() takes them.
 * @n: How many keys.
 * @areas: Array of @n pointers: @areas[i] is set to the per-CPU area of
 *	the i-th key, or to %NULL if it is not in the table.
 *
 * As @n calls of rcumap_percpu_hash_lookup(), with the cache misses of
 * many keys overlapped (see rcumap_hash_lookup_bulk()).  The areas stay
 * allocated until the caller leaves its read-side critical section.  Its
 * cost is @n lookups in that section: the caller bounds @n.
 *
 * Context: Any context.  The caller must hold an RCU read lock
 * (rcu_read_lock(), rcu_read_lock_bh() or preemption disabled).
 * Return: How many of the @n keys were found.
 */
u32 rcumap_percpu_hash_lookup_bulk(const struct rcumap_percpu_hash *ph,
				   const void *keys, u32 n,
				   void __percpu **areas)
{
	void *slots[RCUMAP_PERCPU_BULK_GROUP];
	u32 ks = rcumap_hash_key_size(ph->h), found = 0;

	while (n) {
		u32 i, g = min_t(u32, n, RCUMAP_PERCPU_BULK_GROUP);

		found += rcumap_hash_lookup_bulk(ph->h, keys, g, slots);
		/* Each slot, and its area, lives as long as our caller's section. */
		for (i = 0; i < g; i++)
			areas[i] = slots[i] ? rcumap_percpu_area(slots[i]) : NULL;
		keys += (size_t)g * ks;
		areas += g;
		n -= g;
	}
	return found;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_lookup_bulk);

/**
 * rcumap_percpu_hash_lookup_bulk_copy() - Copy out every CPU's value of
 *	several keys.
 * @ph: Table.
 * @keys: @n keys, as rcumap_hash_lookup_bulk() takes them.
 * @n: How many keys.
 * @values: Buffer of @n times rcumap_percpu_hash_values_size() bytes: the
 *	i-th key's values, in rcumap_percpu_hash_lookup_copy()'s layout, are
 *	filled in if it is found, else left alone.
 * @found: Bitmap of @n bits: bit i is set if the i-th key was found,
 *	cleared if not.
 *
 * As @n calls of rcumap_percpu_hash_lookup_copy().  The RCU read lock is
 * taken for one group of keys at a time.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: How many of the @n keys were found.
 */
u32 rcumap_percpu_hash_lookup_bulk_copy(const struct rcumap_percpu_hash *ph,
					const void *keys, u32 n, void *values,
					unsigned long *found)
{
	void __percpu *areas[RCUMAP_PERCPU_BULK_GROUP];
	size_t vs = rcumap_percpu_hash_values_size(ph);
	u32 ks = rcumap_hash_key_size(ph->h), done, hits = 0;

	for (done = 0; done < n; ) {
		u32 i, g = min_t(u32, n - done, RCUMAP_PERCPU_BULK_GROUP);

		rcu_read_lock();
		hits += rcumap_percpu_hash_lookup_bulk(ph, keys +
						       (size_t)done * ks, g,
						       areas);
		for (i = 0; i < g; i++) {
			if (!areas[i]) {
				__clear_bit(done + i, found);
				continue;
			}
			/* Allocated until rcu_read_unlock(): see the top. */
			rcumap_percpu_copy_out(ph, areas[i],
					       values + (done + i) * vs);
			__set_bit(done + i, found);
		}
		rcu_read_unlock();
		done += g;
	}
	return hits;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_lookup_bulk_copy);

/**
 * rcumap_percpu_hash_update() - Set every CPU's value of a key.
 * @ph: Table.
 * @key: Key.
 * @values: Buffer of rcumap_percpu_hash_values_size() bytes, or %NULL to
 *	set every CPU's value to zeroes.
 * @mode: %RCUMAP_ANY, %RCUMAP_NOEXIST or %RCUMAP_EXIST.
 * @gfp: Allocation flags for the new per-CPU area and the key's bucket.
 *
 * Allocates a new per-CPU area, fills it and swaps it in: a reader sees
 * either every CPU's old value or every CPU's new value.  The old area is
 * freed after a grace period; in-kernel writes still going to it are
 * lost, as if they had come before the update.  On any error the table is
 * unchanged.
 *
 * Context: Process or softirq context, interrupts enabled; may sleep if
 * @gfp allows.  Takes and releases the RCU read lock and the bucket lock.
 * Return: 0 on success, -EINVAL if @mode is unknown, -EEXIST if @mode is
 * %RCUMAP_NOEXIST and @key is present, -ENOENT if @mode is %RCUMAP_EXIST
 * and @key is absent, -E2BIG if @key is new and the table is full,
 * -ENOSPC if @key is new and its bucket holds %RCUMAP_HASH_BUCKET_MAX keys
 * (see rcumap_hash_update()), -ENOMEM if the area, the bucket or (for a
 * key the inner table keeps out of line) its element cannot be allocated.
 */
int rcumap_percpu_hash_update(struct rcumap_percpu_hash *ph, const void *key,
			      const void *values, u32 mode, gfp_t gfp)
{
	void __percpu *pptr;
	bool present;
	int err;

	if (mode > RCUMAP_EXIST)
		return -EINVAL;
	/*
	 * A per-CPU allocation is dear: answer what a look at the table
	 * already decides before making one.  The inner update checks again
	 * under its lock.
	 */
	rcu_read_lock();
	present = rcumap_hash_lookup(ph->h, key);
	rcu_read_unlock();
	if (present && mode == RCUMAP_NOEXIST)
		return -EEXIST;
	if (!present && mode == RCUMAP_EXIST)
		return -ENOENT;

	pptr = rcumap_percpu_area_alloc(ph, gfp);
	if (!pptr)
		return -ENOMEM;
	rcumap_percpu_copy_in(ph, pptr, values);
	/*
	 * Publish: the inner update copies @pptr into a new bucket and
	 * publishes it with rcu_assign_pointer(), whose release orders our
	 * stores into the area before it; a reader reaches the area only
	 * through the pointer it loads from that bucket (an address
	 * dependency), so it sees the values written here.
	 */
	err = rcumap_hash_update(ph->h, key, &pptr, mode, gfp);
	if (err) {
		/* Never published: nobody else can have seen the area. */
		rcumap_percpu_area_free(pptr);
	}
	return err;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_update);

/**
 * rcumap_percpu_hash_lookup_and_delete() - Delete a key, copying its values.
 * @ph: Table.
 * @key: Key to delete.
 * @values: Buffer of rcumap_percpu_hash_values_size() bytes.
 *
 * Of two concurrent calls for the same key, exactly one returns the
 * values.  In-kernel users that found the area before the delete may
 * still write to it while it is copied (see
 * rcumap_percpu_hash_lookup_copy()).
 *
 * Context: Process or softirq context, interrupts enabled.  Takes and
 * releases the RCU read lock and the bucket lock.
 * Return: 0 if @key was deleted and @values filled in, -ENOENT if @key was
 * not in the table.
 */
int rcumap_percpu_hash_lookup_and_delete(struct rcumap_percpu_hash *ph,
					 const void *key, void *values)
{
	void __percpu *pptr;
	int err;

	/*
	 * The inner delete retires the bucket holding @pptr inside our
	 * read-side critical section, so the free callback of the area waits
	 * for a grace period that cannot end before rcu_read_unlock().
	 */
	rcu_read_lock();
	err = rcumap_hash_lookup_and_delete(ph->h, key, &pptr);
	if (!err)
		rcumap_percpu_copy_out(ph, pptr, values);
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_lookup_and_delete);

/**
 * rcumap_percpu_hash_cursor_next() - One bounded step of an ordered walk.
 * @ph: Table.
 * @c: Cursor (see rcumap_hash_cursor_next()).
 * @key: Buffer of the table's key size: the cursor's key, then the next.
 * @values: Buffer of rcumap_percpu_hash_values_size() bytes, or %NULL.
 *
 * As rcumap_hash_cursor_next(), with every CPU's value of the key.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: 0 if @key (and @values) were filled in, -ENOENT at the end of
 * the walk, -EAGAIN if the step stopped in a run of empty buckets.
 */
int rcumap_percpu_hash_cursor_next(const struct rcumap_percpu_hash *ph,
				   struct rcumap_hash_cursor *c, void *key,
				   void *values)
{
	void __percpu *pptr;
	int err;

	/* As in rcumap_percpu_hash_walk(): the area outlives the copy. */
	rcu_read_lock();
	err = rcumap_hash_cursor_next(ph->h, c, key, &pptr);
	if (!err && values)
		rcumap_percpu_copy_out(ph, pptr, values);
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_cursor_next);

/**
 * rcumap_percpu_hash_walk_after() - Ordered walk with values, for batches.
 * @ph: Table.
 * @after: Cursor: the last key returned, or %NULL to start.
 * @key: Buffer of the table's key size; may be @after.
 * @values: Buffer of rcumap_percpu_hash_values_size() bytes, or %NULL.
 *
 * As rcumap_hash_walk_after(), with every CPU's value of the key.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: 0 if @key (and @values) were filled in, -ENOENT if no key
 * follows @after.
 */
int rcumap_percpu_hash_walk_after(const struct rcumap_percpu_hash *ph,
				  const void *after, void *key, void *values)
{
	struct rcumap_hash_cursor c;
	int err;

	rcumap_hash_cursor_init(&c, after, key, rcumap_hash_key_size(ph->h),
				RCUMAP_CURSOR_AFTER_KEY);
	do {
		err = rcumap_percpu_hash_cursor_next(ph, &c, key, values);
	} while (err == -EAGAIN);
	return err;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_walk_after);

/**
 * rcumap_percpu_hash_walk() - Copy out the next entry of a positional walk.
 * @ph: Table.
 * @pos: Walk position: 0 to start.  Advanced past the entry returned.
 * @key: Buffer of the table's key size.
 * @values: Buffer of rcumap_percpu_hash_values_size() bytes, or %NULL.
 *
 * As rcumap_hash_walk(), with every CPU's value of the key.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: 0 if @key (and @values) were filled in, -ENOENT at the end of
 * the table, -EAGAIN after a run of empty buckets (as rcumap_hash_walk():
 * call again from @pos).
 */
int rcumap_percpu_hash_walk(const struct rcumap_percpu_hash *ph, u64 *pos,
			    void *key, void *values)
{
	void __percpu *pptr;
	int err;

	/*
	 * The walk step copies the area pointer out of its bucket; our
	 * read-side critical section, which encloses the walk's own, keeps
	 * the area allocated until the copy below is done.
	 */
	rcu_read_lock();
	err = rcumap_hash_walk(ph->h, pos, key, &pptr);
	if (!err && values)
		rcumap_percpu_copy_out(ph, pptr, values);
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_walk);

/**
 * rcumap_percpu_hash_value_size() - Size of one CPU's value.
 * @ph: Table.
 *
 * Context: Any context.
 * Return: The value size per CPU in bytes, as passed at creation.
 */
u32 rcumap_percpu_hash_value_size(const struct rcumap_percpu_hash *ph)
{
	return ph->value_size;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_value_size);

/**
 * rcumap_percpu_hash_values_size() - Size of an all-CPUs values buffer.
 * @ph: Table.
 *
 * Context: Any context.
 * Return: num_possible_cpus() times the value size rounded up to 8.
 */
size_t rcumap_percpu_hash_values_size(const struct rcumap_percpu_hash *ph)
{
	return (size_t)num_possible_cpus() * ph->stride;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_values_size);

/**
 * rcumap_percpu_hash_bytes_used() - Memory a per-CPU table uses.
 * @ph: Table.
 *
 * rcumap_hash_bytes_used() of the inner table, plus this struct, plus one
 * area of the value size rounded up to 8 per possible CPU for every key
 * counted (areas waiting for their grace period are not counted).
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: The number of bytes.
 */
size_t rcumap_percpu_hash_bytes_used(const struct rcumap_percpu_hash *ph)
{
	return rcumap_hash_bytes_used(ph->h) + kmalloc_size_roundup(sizeof(*ph)) +
	       (size_t)rcumap_hash_count(ph->h) *
	       rcumap_percpu_hash_values_size(ph);
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_bytes_used);

/**
 * rcumap_percpu_hash_nr_areas() - Per-CPU areas of all per-CPU tables.
 *
 * Every value of every per-CPU table is one per-CPU area, allocated by an
 * update and freed after a grace period once the value has left its table
 * (replaced, deleted or destroyed).  This counts the areas allocated and
 * not yet freed, over all tables: after rcumap_hash_barrier(), with no
 * update running, it is exactly the number of keys in the per-CPU tables
 * that exist, plus the entries that deletes marked dead for lack of memory
 * and that no insert, delete or resize of their bucket has dropped yet.
 * For statistics and leak checks (kmemleak never reports a per-CPU
 * object): exported in the RCUMAP_TESTING namespace, for tests.
 *
 * Context: Any context.
 * Return: The number of areas (a snapshot while updates run).
 */
long rcumap_percpu_hash_nr_areas(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*per_cpu_ptr(&rcumap_percpu_live_areas, cpu));
	return sum;
}
EXPORT_SYMBOL_NS_GPL(rcumap_percpu_hash_nr_areas, RCUMAP_TESTING);

/**
 * rcumap_percpu_hash_keys() - The inner table of a per-CPU table, for writes.
 * @ph: Table.
 *
 * The table that maps @ph's keys to their per-CPU areas, for the calls of
 * include/linux/rcumap_hash.h that do not read or write a value: those of
 * rcumap_percpu_hash_table(), and rcumap_hash_delete() and
 * rcumap_hash_resize() (its free callback frees the areas of the values
 * that leave it).  Never an update through it: its values are area
 * pointers.  It lives as long as @ph.
 *
 * Context: Any context.
 * Return: The inner table.
 */
struct rcumap_hash *rcumap_percpu_hash_keys(const struct rcumap_percpu_hash *ph)
{
	return ph->h;
}
EXPORT_SYMBOL_GPL(rcumap_percpu_hash_keys);
