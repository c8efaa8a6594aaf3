// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap ioctls: one dispatch table, one common path, a handler per op.
 *
 * Conventions: @rf is the struct rcumap_file of the open file; @ucmd the
 * ioctl in progress: the user's struct pointer, the size user space gave,
 * and the struct as copied in (@ucmd->cmd, a zeroed union buffer on the
 * stack).  @rf->ops are the ops of the map's type (struct
 * rcumap_map_ops).  A hash-like map (plain, per-CPU or LRU hash) keeps
 * its keys in @rf->keys (a per-CPU or LRU map: in its inner table, and
 * the map is @rf->percpu or @rf->lru); every handler serves all three,
 * calling @rf->keys for what they do alike and @rf->ops for what the
 * type's layer does its own way.  A process table is @rf->ptab.  A bounce
 * buffer is kernel memory that keys and values pass through between user
 * memory and a map; a value takes @rf->value_stride bytes there and in
 * user memory (every CPU's value, for a per-CPU map).
 * User pointers are u64 in the structs and become pointers only through
 * u64_to_user_ptr().
 *
 * Locking: only RCUMAP_IOC_CREATE takes a lock of its own, @rf's
 * create_lock (a mutex), and the deletes of keys of more than 256 bytes
 * @rf's del_lock (a mutex, around the copy-in of the key and the delete;
 * see rcumap_del_key_get()).  Every other op reads @rf's map type with acquire
 * ordering and calls into the map (a hash-like map: @rf->keys, or through
 * @rf->ops),
 * which takes its own locks (hash: the RCU read lock and a bucket
 * spinlock, and for RESIZE the table's resize mutex; per-CPU and LRU hash:
 * the same through their inner table, and for an LRU insert into a full
 * map its eviction lock; process table: the RCU read lock).
 * The code here takes the RCU read lock itself only around a
 * process-table lookup or walk, and never touches user memory inside it:
 * a fault there could not sleep.  Every function here runs in process
 * context and may sleep.
 *
 * Lifetimes: an ioctl holds a reference to its file, and the file one to
 * its @rf (shared with the read-only files RCUMAP_IOC_DUP_RDONLY made), so
 * the map is not destroyed under a handler (see rcumap_file_destroy_map()).
 * Whether the file may write is its f_mode's FMODE_WRITE, fixed at open.
 */
#include <linux/rcumap_hash.h>
#include <linux/rcumap_hash_lru.h>
#include <linux/rcumap_hash_percpu.h>
#include <linux/rcumap_ptab.h>
#include <uapi/linux/rcumap.h>

#include <linux/bitmap.h>
#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "dev.h"

/*
 * The device's limits are the maps' or tighter, and its update modes are
 * the hash table's.  Its key and value limits are the maps' own, which
 * are BPF's: the UAPI gives them as numbers that do not depend on the
 * kernel's configuration (a per-CPU map's pointer is 8 bytes there).
 */
static_assert(RCUMAP_MAX_KEY_SIZE == RCUMAP_HASH_MAX_KEY_SIZE);
static_assert(RCUMAP_MAX_KEY_VALUE_SIZE == RCUMAP_HASH_MAX_KEY_VALUE_SIZE);
static_assert(RCUMAP_MAX_KEY_VALUE_SIZE - 1 == RCUMAP_HASH_MAX_VALUE_SIZE);
static_assert(RCUMAP_MAX_PERCPU_VALUE_SIZE ==
	      RCUMAP_PERCPU_HASH_MAX_VALUE_SIZE);
static_assert(RCUMAP_MAX_KEY_VALUE_SIZE - 8 <= RCUMAP_PERCPU_HASH_MAX_KEY_SIZE);
static_assert(RCUMAP_MAX_ENTRIES <= RCUMAP_HASH_MAX_ENTRIES);
static_assert(RCUMAP_MAX_BUCKETS <= RCUMAP_HASH_MAX_BUCKETS);
static_assert(RCUMAP_BUCKET_MAX == RCUMAP_HASH_BUCKET_MAX);
static_assert(RCUMAP_MIN_CAPACITY >= RCUMAP_PTAB_MIN_CAPACITY);
static_assert(RCUMAP_MAX_CAPACITY <= RCUMAP_PTAB_MAX_CAPACITY);
static_assert((int)RCUMAP_UPDATE_ANY == (int)RCUMAP_ANY);
static_assert((int)RCUMAP_UPDATE_NOEXIST == (int)RCUMAP_NOEXIST);
static_assert((int)RCUMAP_UPDATE_EXIST == (int)RCUMAP_EXIST);
/*
 * A per-CPU value buffer, NR_CPUS values of at most
 * RCUMAP_MAX_PERCPU_VALUE_SIZE bytes (a multiple of 8), fits in the u32
 * @value_stride of the file, and a batch array of U32_MAX of them in 64
 * bits; so do other maps' values, of less than RCUMAP_MAX_KEY_VALUE_SIZE.
 */
static_assert((u64)CONFIG_NR_CPUS * RCUMAP_MAX_PERCPU_VALUE_SIZE <= U32_MAX);
static_assert(RCUMAP_MAX_PERCPU_VALUE_SIZE % 8 == 0);

/*
 * Bounce buffers of keys and values: up to 4 MiB each (a per-CPU value
 * buffer, nr_cpus * 32 KiB), so kvmalloc()ed without a warning when that
 * fails (the ioctl says ENOMEM), and charged to the caller's memory cgroup
 * as every allocation on its behalf is.
 */
#define RCUMAP_BOUNCE_GFP	(GFP_KERNEL_ACCOUNT | __GFP_NOWARN)

/*
 * Deletes never fail for lack of memory (see rcumap_del_key_get()): keys
 * of up to this many bytes pass through the stack, as all keys did when
 * this was the largest; longer ones through rcumap_file.del_key.
 */
#define RCUMAP_STACK_KEY_SIZE	256

/*
 * A LOOKUP_AND_DELETE value buffer of up to this many bytes is allocated
 * with __GFP_NOFAIL (an order-1 allocation at worst, where that is
 * allowed); a larger one may fail, before anything is deleted.
 */
#define RCUMAP_NOFAIL_VALUE_SIZE	4096

/*
 * A process-table entry made by RCUMAP_IOC_PTAB_INSERT.  @value is written
 * before the insert publishes @node and never changes after, so readers
 * may copy it under nothing but the RCU read lock.  Whoever removes the
 * entry from the table frees it with kfree_rcu().
 */
struct rcumap_ptab_obj {
	struct rcumap_ptab_node node;
	struct rcu_head rcu;
	u8 value[];
};

static inline struct rcumap_ptab_obj *
rcumap_ptab_obj(struct rcumap_ptab_node *node)
{
	return container_of(node, struct rcumap_ptab_obj, node);
}

static inline size_t rcumap_ptab_obj_size(const struct rcumap_file *rf)
{
	/* value_size is at most RCUMAP_MAX_VALUE_SIZE: no overflow. */
	return sizeof(struct rcumap_ptab_obj) + rf->value_size;
}

struct rcumap_ucmd {
	void __user *ubuffer;	/* the user's struct */
	u32 user_size;		/* its size, as user space gave it */
	u32 kernel_size;	/* the size of the struct we know */
	void *cmd;		/* our copy of it */
};

union rcumap_ucmd_buffer {
	struct rcumap_create create;
	struct rcumap_info info;
	struct rcumap_elem elem;
	struct rcumap_get_next_key get_next_key;
	struct rcumap_batch batch;
	struct rcumap_ptab_insert ptab_insert;
	struct rcumap_ptab_elem ptab_elem;
	struct rcumap_ptab_next ptab_next;
	struct rcumap_resize resize;
	struct rcumap_bucket_stats bucket_stats;
	struct rcumap_dup_rdonly dup_rdonly;
	struct rcumap_lookup_bulk lookup_bulk;
};

/*
 * Copy @ucmd->cmd back to user space, as far as both the user's size and
 * ours reach.  Handlers with out_* fields call this once they are set.
 */
static int rcumap_ucmd_respond(const struct rcumap_ucmd *ucmd)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min(ucmd->user_size, ucmd->kernel_size)))
		return -EFAULT;
	return 0;
}

/* ---- User memory ---------------------------------------------------- */

static int rcumap_copy_in(void *dst, u64 uptr, u32 size)
{
	if (size && copy_from_user(dst, u64_to_user_ptr(uptr), size))
		return -EFAULT;
	return 0;
}

static int rcumap_copy_out(u64 uptr, const void *src, u32 size)
{
	if (size && copy_to_user(u64_to_user_ptr(uptr), src, size))
		return -EFAULT;
	return 0;
}

/*
 * Make sure that @size bytes at @uptr can be written before an op that
 * cannot be undone, so that a bad pointer fails the op before it has
 * changed the map.  Writes nothing.  Only a concurrent munmap() can still
 * make the final copy fail.
 */
static int rcumap_probe_writable(u64 uptr, u32 size)
{
	void __user *p = u64_to_user_ptr(uptr);

	if (!size)
		return 0;
	if (!access_ok(p, size) || fault_in_safe_writeable(p, size))
		return -EFAULT;
	return 0;
}

/*
 * Check the arrays of a batch of @count elements of @size bytes each at
 * @uptr: -EOVERFLOW if their length does not fit in 64 bits, -EFAULT if
 * they would wrap around the address space.
 */
static int rcumap_check_array(u64 uptr, u32 count, u32 size)
{
	u64 len, end;

	if (check_mul_overflow((u64)count, (u64)size, &len))
		return -EOVERFLOW;
	if (check_add_overflow(uptr, len, &end))
		return -EFAULT;
	return 0;
}

/*
 * A key and a value bounce buffer of @rf's sizes (a hash-like map's: the
 * key size is not 0), in one allocation, the value 8-byte aligned: one
 * element, up to 4 MiB (a per-CPU map's value buffer holds every possible
 * CPU's value: up to NR_CPUS * RCUMAP_MAX_PERCPU_VALUE_SIZE bytes), hence
 * kvmalloc().  Charged to the caller's memory cgroup; freed by kvfree() of
 * the key.  The batches use one for the whole batch, element after
 * element, so that a call holds one element's worth whatever its count.
 */
static void *rcumap_kv_alloc(const struct rcumap_file *rf, void **value)
{
	size_t stride = ALIGN(rf->key_size, 8);
	void *key = kvmalloc(stride + rf->value_stride, RCUMAP_BOUNCE_GFP);

	if (key)
		*value = key + stride;
	return key;
}

/*
 * LOOKUP and UPDATE bounce their key and value through the stack when
 * both, the key padded to 8 bytes, fit in this many bytes (8-byte keys
 * and values up to 248 bytes, say), and through rcumap_kv_alloc()
 * otherwise: a small element costs the call no allocation of its own.
 */
#define RCUMAP_STACK_KV_SIZE	256

struct rcumap_kv {
	u8 stack[RCUMAP_STACK_KV_SIZE] __aligned(8);
	void *key;	/* @stack, or from rcumap_kv_alloc() */
	void *value;
};

/* Point @kv at a key and a value buffer of @rf's sizes: 0 or -ENOMEM. */
static int rcumap_kv_get(const struct rcumap_file *rf, struct rcumap_kv *kv)
{
	size_t stride = ALIGN(rf->key_size, 8);

	if (stride + rf->value_stride <= sizeof(kv->stack)) {
		kv->key = kv->stack;
		kv->value = kv->stack + stride;
		return 0;
	}
	kv->key = rcumap_kv_alloc(rf, &kv->value);
	return kv->key ? 0 : -ENOMEM;
}

static void rcumap_kv_put(struct rcumap_kv *kv)
{
	if (kv->key != kv->stack)
		kvfree(kv->key);
}

/* ---- Map types: the ops of each ------------------------------------- */

/**
 * struct rcumap_map_ops - What each map type does for the device.
 * @check: Check the fields of a CREATE that the type gives a meaning to,
 *	once its flags and __reserved have passed; -EINVAL for a bad value.
 * @create: Make the map of a CREATE that @check passed and point @rf at
 *	it (a hash-like type: @rf->keys too); a type whose values user space
 *	passes wider than @rf->value_size sets @rf->value_stride.  Publishes
 *	nothing.
 * @info: Fill in what INFO reports that depends on the type:
 *	out_max_entries, out_nr_buckets, out_count and out_bytes_used.
 * @destroy: Free the map; see rcumap_file_destroy_map().
 * @bytes_used: What INFO reports as out_bytes_used of a hash-like map.
 * @lookup: Copy the value of a key into a bounce buffer.
 * @update: Insert or replace a key as the enum rcumap_update_mode says.
 * @lookup_and_delete: Remove a key and copy out the value it had.
 * @lookup_bulk: Copy out the values of @n keys, packed, into @n value
 *	buffers, packed, setting a bit of @found for each key found, as
 *	rcumap_hash_lookup_bulk_copy() does; returns how many were found.
 * @cursor_next: One bounded step of the map's ordered walk, for
 *	GET_NEXT_KEY (BPF style or RCUMAP_WALK_ORDERED) and ordered batches
 *	(see rcumap_hash_cursor_next()).
 * @walk: Copy out the entry at a walk position, and advance the position
 *	past it.
 * @max_buckets: The most buckets a map of max_entries keys may have, or
 *	%NULL for no limit but the device's: RESIZE past it is -EINVAL.
 * @wide_values: A value is every possible CPU's: LOOKUP_AND_DELETE
 *	allocates its buffer with kvmalloc(), which may fail, however small.
 *
 * CREATE picks the ops of its map type, and they stay the file's for good
 * (@rf->ops, published with the map).  Each element op, @lookup to @walk,
 * calls the function of the same name in the type's layer (for @lookup the
 * one that copies the value out: rcumap_hash_lookup_copy() and its per-CPU
 * and LRU twins), which says what it returns.  What every hash-like type
 * does alike, on the table that holds its keys (@rf->keys), has no op: the
 * ioctls call rcumap_hash_delete(), rcumap_hash_resize() and
 * rcumap_hash_bucket_stats() on it directly.  A bounce buffer of a value
 * is @rf->value_stride bytes, and a walk's value buffer is NULL when
 * values have no bytes.  @update's layer says -E2BIG when the map is full
 * (an LRU map: when eviction gave up).  The process table has no element
 * ops: its own ioctls (PTAB_*) call it, and rcumap_check_needs() lets no
 * hash ioctl reach it.
 */
struct rcumap_map_ops {
	int (*check)(const struct rcumap_create *cmd);
	int (*create)(struct rcumap_file *rf, const struct rcumap_create *cmd);
	void (*info)(const struct rcumap_file *rf, struct rcumap_info *cmd);
	void (*destroy)(struct rcumap_file *rf);
	size_t (*bytes_used)(const struct rcumap_file *rf);

	int (*lookup)(const struct rcumap_file *rf, const void *key,
		      void *value);
	int (*update)(const struct rcumap_file *rf, const void *key,
		      const void *value, u32 mode);
	int (*lookup_and_delete)(const struct rcumap_file *rf, const void *key,
				 void *value);
	u32 (*lookup_bulk)(const struct rcumap_file *rf, const void *keys,
			   u32 n, void *values, unsigned long *found);
	int (*cursor_next)(const struct rcumap_file *rf,
			   struct rcumap_hash_cursor *c, void *key,
			   void *value);
	int (*walk)(const struct rcumap_file *rf, u64 *pos, void *key,
		    void *value);
	u32 (*max_buckets)(u32 max_entries);
	bool wide_values;
};

#define RCUMAP_CREATE_FLAGS	(RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK)

/*
 * The checks of a CREATE that every hash-like type makes: -EINVAL for a
 * bad value, before any -E2BIG of the sizes, as BPF orders them.
 */
static int rcumap_hash_like_check(const struct rcumap_create *cmd)
{
	if ((cmd->flags & RCUMAP_CREATE_SHRINK) &&
	    !(cmd->flags & RCUMAP_CREATE_RESIZE))
		return -EINVAL;
	if (!cmd->key_size ||
	    !cmd->max_entries || cmd->max_entries > RCUMAP_MAX_ENTRIES ||
	    cmd->nr_buckets > RCUMAP_MAX_BUCKETS)
		return -EINVAL;
	return 0;
}

/* The sizes of a HASH or LRU_HASH map: BPF's limit, -E2BIG above. */
static int rcumap_kv_size_check(const struct rcumap_create *cmd)
{
	if (cmd->key_size > RCUMAP_MAX_KEY_SIZE ||
	    (u64)cmd->key_size + cmd->value_size > RCUMAP_MAX_KEY_VALUE_SIZE)
		return -E2BIG;
	return 0;
}

/* The hash table's flags for the RCUMAP_CREATE_* of a CREATE. */
static u32 rcumap_create_hash_flags(u32 flags)
{
	return (flags & RCUMAP_CREATE_RESIZE ? RCUMAP_HASH_F_RESIZE : 0) |
	       (flags & RCUMAP_CREATE_SHRINK ? RCUMAP_HASH_F_SHRINK : 0);
}

/* The table parameters of a checked CREATE of a hash-like type. */
static struct rcumap_hash_params
rcumap_create_params(const struct rcumap_create *cmd)
{
	return (struct rcumap_hash_params) {
		.key_size = cmd->key_size,
		.value_size = cmd->value_size,
		.max_entries = cmd->max_entries,
		.nr_buckets = cmd->nr_buckets,
		.flags = rcumap_create_hash_flags(cmd->flags),
	};
}

/*
 * What every hash-like type does on the table that holds its keys.  INFO's
 * numbers are that table's: a per-CPU or LRU map's count is its inner
 * table's, exact, and so are its capacity and bucket count; the bytes
 * are the type's.  The element ops below are the plain table's, and serve
 * the LRU map too where it adds nothing to its inner table: its walks and
 * LOOKUP_AND_DELETE mark nothing used and evict nothing.
 */
static void rcumap_keys_info(const struct rcumap_file *rf,
			     struct rcumap_info *cmd)
{
	cmd->out_max_entries = rcumap_hash_max_entries(rf->keys);
	cmd->out_nr_buckets = rcumap_hash_nr_buckets(rf->keys);
	cmd->out_count = rcumap_hash_count(rf->keys);
	cmd->out_bytes_used = rf->ops->bytes_used(rf);
}

static int rcumap_keys_lookup(const struct rcumap_file *rf, const void *key,
			      void *value)
{
	return rcumap_hash_lookup_copy(rf->keys, key, value);
}

static int rcumap_keys_update(const struct rcumap_file *rf, const void *key,
			      const void *value, u32 mode)
{
	return rcumap_hash_update(rf->keys, key, value, mode,
				  GFP_KERNEL_ACCOUNT);
}

static int rcumap_keys_lookup_and_delete(const struct rcumap_file *rf,
					 const void *key, void *value)
{
	return rcumap_hash_lookup_and_delete(rf->keys, key, value);
}

static int rcumap_keys_cursor_next(const struct rcumap_file *rf,
				   struct rcumap_hash_cursor *c, void *key,
				   void *value)
{
	return rcumap_hash_cursor_next(rf->keys, c, key, value);
}

static int rcumap_keys_walk(const struct rcumap_file *rf, u64 *pos,
			    void *key, void *value)
{
	return rcumap_hash_walk(rf->keys, pos, key, value);
}

static u32 rcumap_keys_lookup_bulk(const struct rcumap_file *rf,
				   const void *keys, u32 n, void *values,
				   unsigned long *found)
{
	return rcumap_hash_lookup_bulk_copy(rf->keys, keys, n, values, found);
}

/* RCUMAP_MAP_HASH: the bucket-swap hash table itself. */

static int rcumap_hash_map_check(const struct rcumap_create *cmd)
{
	return rcumap_hash_like_check(cmd) ?: rcumap_kv_size_check(cmd);
}

static int rcumap_hash_map_create(struct rcumap_file *rf,
				  const struct rcumap_create *cmd)
{
	struct rcumap_hash_params params = rcumap_create_params(cmd);
	struct rcumap_hash *h;

	h = rcumap_hash_create(&params, GFP_KERNEL_ACCOUNT);
	if (IS_ERR(h))
		return PTR_ERR(h);
	rf->keys = h;
	return 0;
}

static void rcumap_hash_map_destroy(struct rcumap_file *rf)
{
	rcumap_hash_destroy(rf->keys);
}

static size_t rcumap_hash_map_bytes_used(const struct rcumap_file *rf)
{
	return rcumap_hash_bytes_used(rf->keys);
}

static const struct rcumap_map_ops rcumap_hash_map_ops = {
	.check = rcumap_hash_map_check,
	.create = rcumap_hash_map_create,
	.info = rcumap_keys_info,
	.destroy = rcumap_hash_map_destroy,
	.bytes_used = rcumap_hash_map_bytes_used,
	.lookup = rcumap_keys_lookup,
	.update = rcumap_keys_update,
	.lookup_and_delete = rcumap_keys_lookup_and_delete,
	.lookup_bulk = rcumap_keys_lookup_bulk,
	.cursor_next = rcumap_keys_cursor_next,
	.walk = rcumap_keys_walk,
};

/*
 * RCUMAP_MAP_PERCPU_HASH: every possible CPU's value, passed as one.  Its
 * inner table holds area pointers, not values: every op that reads or
 * writes a value goes through its layer.
 */

static int rcumap_percpu_map_check(const struct rcumap_create *cmd)
{
	int err;

	/* A per-CPU value of 0 bytes would be no value at all. */
	if (!cmd->value_size)
		return -EINVAL;
	err = rcumap_hash_like_check(cmd);
	if (err)
		return err;
	/*
	 * BPF's per-CPU limit, and the inner table's with its 8-byte
	 * pointer (whatever the kernel's pointer size: the UAPI's numbers
	 * are the same everywhere).
	 */
	if (cmd->key_size > RCUMAP_MAX_KEY_VALUE_SIZE - 8 ||
	    round_up((u64)cmd->value_size, 8) > RCUMAP_MAX_PERCPU_VALUE_SIZE)
		return -E2BIG;
	return 0;
}

static int rcumap_percpu_map_create(struct rcumap_file *rf,
				    const struct rcumap_create *cmd)
{
	struct rcumap_hash_params params = rcumap_create_params(cmd);
	struct rcumap_percpu_hash *ph;

	ph = rcumap_percpu_hash_create(&params, GFP_KERNEL_ACCOUNT);
	if (IS_ERR(ph))
		return PTR_ERR(ph);
	/* At most U32_MAX: see the static_assert()s at the top. */
	rf->value_stride = rcumap_percpu_hash_values_size(ph);
	rf->percpu = ph;
	rf->keys = rcumap_percpu_hash_keys(ph);
	return 0;
}

static void rcumap_percpu_map_destroy(struct rcumap_file *rf)
{
	rcumap_percpu_hash_destroy(rf->percpu);
}

static size_t rcumap_percpu_map_bytes_used(const struct rcumap_file *rf)
{
	return rcumap_percpu_hash_bytes_used(rf->percpu);
}

static int rcumap_percpu_map_lookup(const struct rcumap_file *rf,
				    const void *key, void *value)
{
	return rcumap_percpu_hash_lookup_copy(rf->percpu, key, value);
}

static int rcumap_percpu_map_update(const struct rcumap_file *rf,
				    const void *key, const void *value,
				    u32 mode)
{
	return rcumap_percpu_hash_update(rf->percpu, key, value, mode,
					 GFP_KERNEL_ACCOUNT);
}

static int rcumap_percpu_map_lookup_and_delete(const struct rcumap_file *rf,
					       const void *key, void *value)
{
	return rcumap_percpu_hash_lookup_and_delete(rf->percpu, key, value);
}

static u32 rcumap_percpu_map_lookup_bulk(const struct rcumap_file *rf,
					 const void *keys, u32 n, void *values,
					 unsigned long *found)
{
	return rcumap_percpu_hash_lookup_bulk_copy(rf->percpu, keys, n, values,
						   found);
}

static int rcumap_percpu_map_cursor_next(const struct rcumap_file *rf,
					 struct rcumap_hash_cursor *c, void *key,
					 void *value)
{
	return rcumap_percpu_hash_cursor_next(rf->percpu, c, key, value);
}

static int rcumap_percpu_map_walk(const struct rcumap_file *rf, u64 *pos,
				  void *key, void *value)
{
	return rcumap_percpu_hash_walk(rf->percpu, pos, key, value);
}

static const struct rcumap_map_ops rcumap_percpu_map_ops = {
	.check = rcumap_percpu_map_check,
	.create = rcumap_percpu_map_create,
	.info = rcumap_keys_info,
	.destroy = rcumap_percpu_map_destroy,
	.bytes_used = rcumap_percpu_map_bytes_used,
	.lookup = rcumap_percpu_map_lookup,
	.update = rcumap_percpu_map_update,
	.lookup_and_delete = rcumap_percpu_map_lookup_and_delete,
	.lookup_bulk = rcumap_percpu_map_lookup_bulk,
	.cursor_next = rcumap_percpu_map_cursor_next,
	.walk = rcumap_percpu_map_walk,
	.wide_values = true,
};

/*
 * RCUMAP_MAP_LRU_HASH: a hash table that evicts to make room.  Its lookup
 * marks the key used and its update evicts; everything else is its inner
 * table's.  Its bucket count stays within rcumap_lru_hash_max_buckets().
 */

static int rcumap_lru_map_check(const struct rcumap_create *cmd)
{
	int err = rcumap_hash_like_check(cmd);

	if (err)
		return err;
	/* Only now is max_entries known to be in range. */
	if (cmd->nr_buckets > rcumap_lru_hash_max_buckets(cmd->max_entries))
		return -EINVAL;
	return rcumap_kv_size_check(cmd);
}

static int rcumap_lru_map_create(struct rcumap_file *rf,
				 const struct rcumap_create *cmd)
{
	struct rcumap_lru_hash_params params = {
		.hash = rcumap_create_params(cmd),
	};
	struct rcumap_lru_hash *lru;

	lru = rcumap_lru_hash_create(&params, GFP_KERNEL_ACCOUNT);
	if (IS_ERR(lru))
		return PTR_ERR(lru);
	rf->lru = lru;
	rf->keys = rcumap_lru_hash_keys(lru);
	return 0;
}

static void rcumap_lru_map_destroy(struct rcumap_file *rf)
{
	rcumap_lru_hash_destroy(rf->lru);
}

static size_t rcumap_lru_map_bytes_used(const struct rcumap_file *rf)
{
	return rcumap_lru_hash_bytes_used(rf->lru);
}

static int rcumap_lru_map_lookup(const struct rcumap_file *rf,
				 const void *key, void *value)
{
	return rcumap_lru_hash_lookup_copy(rf->lru, key, value);
}

static int rcumap_lru_map_update(const struct rcumap_file *rf,
				 const void *key, const void *value, u32 mode)
{
	return rcumap_lru_hash_update(rf->lru, key, value, mode,
				      GFP_KERNEL_ACCOUNT);
}

/* The LRU's own: it marks each key it finds used. */
static u32 rcumap_lru_map_lookup_bulk(const struct rcumap_file *rf,
				      const void *keys, u32 n, void *values,
				      unsigned long *found)
{
	return rcumap_lru_hash_lookup_bulk_copy(rf->lru, keys, n, values,
						found);
}

static const struct rcumap_map_ops rcumap_lru_map_ops = {
	.check = rcumap_lru_map_check,
	.create = rcumap_lru_map_create,
	.info = rcumap_keys_info,
	.destroy = rcumap_lru_map_destroy,
	.bytes_used = rcumap_lru_map_bytes_used,
	.lookup = rcumap_lru_map_lookup,
	.update = rcumap_lru_map_update,
	.lookup_and_delete = rcumap_keys_lookup_and_delete,
	.lookup_bulk = rcumap_lru_map_lookup_bulk,
	.cursor_next = rcumap_keys_cursor_next,
	.walk = rcumap_keys_walk,
	.max_buckets = rcumap_lru_hash_max_buckets,
};

/*
 * RCUMAP_MAP_PTAB: ids the kernel picks, values in entries of ours (struct
 * rcumap_ptab_obj).  Only the type's life cycle goes through its ops.
 */

static int rcumap_ptab_map_check(const struct rcumap_create *cmd)
{
	if (cmd->flags)
		return -EINVAL;
	if (cmd->key_size || !cmd->value_size ||
	    cmd->value_size > RCUMAP_MAX_VALUE_SIZE ||
	    cmd->max_entries < RCUMAP_MIN_CAPACITY ||
	    cmd->max_entries > RCUMAP_MAX_CAPACITY ||
	    !is_power_of_2(cmd->max_entries) || cmd->nr_buckets)
		return -EINVAL;
	return 0;
}

static int rcumap_ptab_map_create(struct rcumap_file *rf,
				  const struct rcumap_create *cmd)
{
	struct rcumap_ptab *t;

	t = rcumap_ptab_create(cmd->max_entries, GFP_KERNEL_ACCOUNT);
	if (IS_ERR(t))
		return PTR_ERR(t);
	rf->ptab = t;
	return 0;
}

static void rcumap_ptab_map_info(const struct rcumap_file *rf,
				 struct rcumap_info *cmd)
{
	u32 count = rcumap_ptab_count(rf->ptab);

	cmd->out_max_entries = rcumap_ptab_capacity(rf->ptab);
	cmd->out_nr_buckets = 0;
	cmd->out_count = count;
	/* The table, and the entries it points to, which are ours. */
	cmd->out_bytes_used =
		rcumap_ptab_bytes_used(rf->ptab) +
		(u64)count * kmalloc_size_roundup(rcumap_ptab_obj_size(rf));
}

/*
 * Remove and free every entry of @t; nothing else may use @t now.  Walks
 * slots, not ids, so the cost is O(capacity) however sparse the ids are.
 */
static void rcumap_ptab_drain(struct rcumap_ptab *t)
{
	struct rcumap_ptab_node *node;
	u32 slot;
	u64 id;

	for (slot = 0; ; slot++) {
		rcu_read_lock();
		node = rcumap_ptab_slot_next(t, &slot);
		if (node)
			id = rcumap_ptab_node_id(node);
		rcu_read_unlock();
		/* Only @id is used from here: @node may be freed any time. */
		if (!node)
			break;
		node = rcumap_ptab_remove(t, id);
		/* Readers of the table may still hold it: wait a grace period. */
		if (node)
			kfree_rcu(rcumap_ptab_obj(node), rcu);
		cond_resched();
	}
}

/* The table is emptied first: its entries are ours to free, not its. */
static void rcumap_ptab_map_destroy(struct rcumap_file *rf)
{
	rcumap_ptab_drain(rf->ptab);
	rcumap_ptab_destroy(rf->ptab);
}

static const struct rcumap_map_ops rcumap_ptab_map_ops = {
	.check = rcumap_ptab_map_check,
	.create = rcumap_ptab_map_create,
	.info = rcumap_ptab_map_info,
	.destroy = rcumap_ptab_map_destroy,
};

/* The ops of each enum rcumap_map_type; 0 is no type. */
static const struct rcumap_map_ops *const rcumap_map_types[] = {
	[RCUMAP_MAP_HASH] = &rcumap_hash_map_ops,
	[RCUMAP_MAP_PTAB] = &rcumap_ptab_map_ops,
	[RCUMAP_MAP_PERCPU_HASH] = &rcumap_percpu_map_ops,
	[RCUMAP_MAP_LRU_HASH] = &rcumap_lru_map_ops,
};

/* The ops of the map type a CREATE asks for, or NULL if there is none. */
static const struct rcumap_map_ops *rcumap_map_ops_of(u32 type)
{
	if (type >= ARRAY_SIZE(rcumap_map_types))
		return NULL;
	/* @type comes from user space: no speculative load past the end. */
	type = array_index_nospec(type, ARRAY_SIZE(rcumap_map_types));
	return rcumap_map_types[type];
}

/* ---- CREATE and INFO ------------------------------------------------ */

static int rcumap_ioc_create(struct rcumap_file *rf, struct rcumap_ucmd *ucmd)
{
	const struct rcumap_create *cmd = ucmd->cmd;
	const struct rcumap_map_ops *ops;
	int err;

	if ((cmd->flags & ~RCUMAP_CREATE_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	ops = rcumap_map_ops_of(cmd->map_type);
	if (!ops)
		return -EINVAL;
	/* Before the lock: a bad CREATE is -EINVAL even on a file in use. */
	err = ops->check(cmd);
	if (err)
		return err;

	mutex_lock(&rf->create_lock);
	/* Only this function writes map_type, always under create_lock. */
	if (rf->map_type) {
		err = -EBUSY;
		goto out_unlock;
	}
	/*
	 * The buffer that deletes pass long keys through, so that they
	 * never fail for lack of memory (see rcumap_del_key_get()).
	 */
	if (cmd->key_size > RCUMAP_STACK_KEY_SIZE) {
		rf->del_key = kvmalloc(cmd->key_size, RCUMAP_BOUNCE_GFP);
		if (!rf->del_key) {
			err = -ENOMEM;
			goto out_unlock;
		}
	}
	/* Nothing is published yet: a per-CPU map's create widens this. */
	rf->value_stride = cmd->value_size;
	err = ops->create(rf, cmd);
	if (err) {
		kvfree(rf->del_key);
		rf->del_key = NULL;
		goto out_unlock;
	}
	rf->ops = ops;
	rf->key_size = cmd->key_size;
	rf->value_size = cmd->value_size;
	rf->create_flags = cmd->flags;
	/*
	 * Publish: the map pointer, its ops and the sizes are written before
	 * the type, and the release pairs with the acquire in
	 * rcumap_file_map_type(), so an ioctl that sees the type sees them.
	 */
	smp_store_release(&rf->map_type, cmd->map_type);
out_unlock:
	mutex_unlock(&rf->create_lock);
	return err;
}

static int rcumap_ioc_info(struct rcumap_file *rf, struct rcumap_ucmd *ucmd)
{
	struct rcumap_info *cmd = ucmd->cmd;
	u32 type = rcumap_file_map_type(rf);

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	cmd->out_map_type = type;
	cmd->out_key_size = rf->key_size;
	cmd->out_value_size = rf->value_size;
	cmd->out_create_flags = rf->create_flags;
	cmd->out_nr_cpus = num_possible_cpus();
	cmd->out_value_stride = rf->value_stride;
	rf->ops->info(rf, cmd);
	return rcumap_ucmd_respond(ucmd);
}

/* ---- Hash maps: one element ----------------------------------------- */

/* The hash table says -E2BIG when it is full; the UAPI says ENOSPC. */
static int rcumap_hash_errno(int err)
{
	return err == -E2BIG ? -ENOSPC : err;
}

static int rcumap_ioc_lookup(struct rcumap_file *rf, struct rcumap_ucmd *ucmd)
{
	const struct rcumap_elem *cmd = ucmd->cmd;
	struct rcumap_kv kv;
	int err;

	if (cmd->flags)
		return -EOPNOTSUPP;
	err = rcumap_kv_get(rf, &kv);
	if (err)
		return err;
	err = rcumap_copy_in(kv.key, cmd->key, rf->key_size);
	if (err)
		goto out_put_kv;
	err = rf->ops->lookup(rf, kv.key, kv.value);
	if (err)
		goto out_put_kv;
	err = rcumap_copy_out(cmd->value, kv.value, rf->value_stride);
out_put_kv:
	rcumap_kv_put(&kv);
	return err;
}

static int rcumap_ioc_update(struct rcumap_file *rf, struct rcumap_ucmd *ucmd)
{
	const struct rcumap_elem *cmd = ucmd->cmd;
	struct rcumap_kv kv;
	int err;

	if (cmd->flags > RCUMAP_UPDATE_EXIST)
		return -EOPNOTSUPP;
	err = rcumap_kv_get(rf, &kv);
	if (err)
		return err;
	err = rcumap_copy_in(kv.key, cmd->key, rf->key_size);
	if (err)
		goto out_put_kv;
	err = rcumap_copy_in(kv.value, cmd->value, rf->value_stride);
	if (err)
		goto out_put_kv;
	err = rf->ops->update(rf, kv.key, kv.value, cmd->flags);
	err = rcumap_hash_errno(err);
out_put_kv:
	rcumap_kv_put(&kv);
	return err;
}

/*
 * DELETE, LOOKUP_AND_DELETE and BATCH_DELETE never fail for lack of
 * memory (the UAPI says so: deleting is how a full map, or a memory cgroup
 * at its limit, makes room).  Their key passes through the stack when it
 * is short, else through the buffer CREATE set aside for the map
 * (rf->del_key), one caller at a time; the value buffer of
 * LOOKUP_AND_DELETE cannot fail when it is small (see below).
 */
struct rcumap_del_key {
	u8 stack[RCUMAP_STACK_KEY_SIZE] __aligned(8);
	void *bytes;	/* @stack, or rf->del_key under rf->del_lock */
};

/*
 * Copy the key at @ukey into @k->bytes: 0, or -EFAULT, or -EINTR if a
 * fatal signal came while we waited for rf->del_key, with nothing to put
 * back.  On 0 the caller calls rcumap_del_key_put() once done with it.
 */
static int rcumap_del_key_get(struct rcumap_file *rf, struct rcumap_del_key *k,
			      u64 ukey)
{
	int err;

	k->bytes = k->stack;
	if (rf->key_size > RCUMAP_STACK_KEY_SIZE) {
		/* Another deleter may be stuck in a fault: be killable. */
		if (mutex_lock_killable(&rf->del_lock))
			return -EINTR;
		k->bytes = rf->del_key;
	}
	err = rcumap_copy_in(k->bytes, ukey, rf->key_size);
	if (err && k->bytes != k->stack)
		mutex_unlock(&rf->del_lock);
	return err;
}

static void rcumap_del_key_put(struct rcumap_file *rf,
			       const struct rcumap_del_key *k)
{
	if (k->bytes != k->stack)
		mutex_unlock(&rf->del_lock);
}

static int rcumap_ioc_delete(struct rcumap_file *rf, struct rcumap_ucmd *ucmd)
{
	const struct rcumap_elem *cmd = ucmd->cmd;
	struct rcumap_del_key key;
	int err;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->value)
		return -EINVAL;
	err = rcumap_del_key_get(rf, &key, cmd->key);
	if (err)
		return err;
	err = rcumap_hash_delete(rf->keys, key.bytes);
	rcumap_del_key_put(rf, &key);
	return err;
}

static int rcumap_ioc_lookup_and_delete(struct rcumap_file *rf,
					struct rcumap_ucmd *ucmd)
{
	const struct rcumap_elem *cmd = ucmd->cmd;
	struct rcumap_del_key key;
	void *value = NULL;
	int err;

	if (cmd->flags)
		return -EOPNOTSUPP;
	/* A value deleted but not delivered would be lost: check first. */
	err = rcumap_probe_writable(cmd->value, rf->value_stride);
	if (err)
		return err;
	if (rf->ops->wide_values || rf->value_size > RCUMAP_NOFAIL_VALUE_SIZE) {
		/*
		 * Every CPU's value (up to NR_CPUS * 32 KiB), or a value of
		 * up to 4 MiB: too much to ask of __GFP_NOFAIL.  The UAPI
		 * lets this one fail, before anything is deleted.
		 */
		value = kvmalloc(rf->value_stride, RCUMAP_BOUNCE_GFP);
		if (!value)
			return -ENOMEM;
	} else if (rf->value_size) {
		/*
		 * At most RCUMAP_NOFAIL_VALUE_SIZE bytes, an order-1
		 * allocation at worst, where __GFP_NOFAIL is allowed; a
		 * memory cgroup at its limit lets it through rather than
		 * fail it.
		 */
		value = kmalloc(rf->value_size, GFP_KERNEL_ACCOUNT | __GFP_NOFAIL);
	}
	err = rcumap_del_key_get(rf, &key, cmd->key);
	if (err)
		goto out_free_value;
	err = rf->ops->lookup_and_delete(rf, key.bytes, value);
	rcumap_del_key_put(rf, &key);
	if (!err)
		err = rcumap_copy_out(cmd->value, value, rf->value_stride);
out_free_value:
	kvfree(value);
	return err;
}

/*
 * A whole step of the map's ordered walk: the bounded steps of
 * rcumap_hash_cursor_next() until one says more than -EAGAIN (a run of
 * empty buckets), rescheduling between them, so that no RCU read-side
 * critical section crosses more than RCUMAP_HASH_WALK_BUCKETS buckets.
 * Stops with -EINTR if the caller is being killed.
 */
static int rcumap_walk_step(const struct rcumap_file *rf,
			    struct rcumap_hash_cursor *c, void *key,
			    void *value)
{
	int err;

	while ((err = rf->ops->cursor_next(rf, c, key, value)) == -EAGAIN) {
		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return err;
}

static int rcumap_ioc_get_next_key(struct rcumap_file *rf,
				   struct rcumap_ucmd *ucmd)
{
	const struct rcumap_get_next_key *cmd = ucmd->cmd;
	struct rcumap_hash_cursor c;
	void *key;
	int err;

	if (cmd->flags & ~RCUMAP_WALK_ORDERED)
		return -EOPNOTSUPP;
	/* The cursor's key, then the next key written over it. */
	key = kvmalloc(rf->key_size, RCUMAP_BOUNCE_GFP);
	if (!key)
		return -ENOMEM;
	if (cmd->key) {
		err = rcumap_copy_in(key, cmd->key, rf->key_size);
		if (err)
			goto out_free_key;
	}
	rcumap_hash_cursor_init(&c, cmd->key ? key : NULL, key, rf->key_size,
				cmd->flags & RCUMAP_WALK_ORDERED ?
				RCUMAP_CURSOR_AFTER_KEY :
				RCUMAP_CURSOR_AFTER_KEY_OR_START);
	err = rcumap_walk_step(rf, &c, key, NULL);
	if (!err)
		err = rcumap_copy_out(cmd->next_key, key, rf->key_size);
out_free_key:
	kvfree(key);
	return err;
}

/* ---- Hash maps: batches --------------------------------------------- */

/*
 * A batch of no elements, once its own checks have passed, does nothing
 * and succeeds, as BPF's batches do: out_count 0, and a walk's cursor
 * where it was (the other ops' cursor is 0).
 */
static int rcumap_batch_empty(struct rcumap_ucmd *ucmd)
{
	struct rcumap_batch *cmd = ucmd->cmd;

	cmd->out_count = 0;
	cmd->out_cursor = cmd->cursor;
	return rcumap_ucmd_respond(ucmd);
}

/*
 * Checks common to the three batch ops, after their own, for a batch of
 * at least one element: its arrays fit in the address space.
 */
static int rcumap_batch_check(const struct rcumap_file *rf,
			      const struct rcumap_batch *cmd)
{
	int err;

	err = rcumap_check_array(cmd->keys, cmd->count, rf->key_size);
	if (!err)
		err = rcumap_check_array(cmd->values, cmd->count,
					 rf->value_stride);
	return err;
}

/*
 * Before element @i of a batch: after the first, give up the CPU if asked
 * to, and stop early if the caller is being killed (the elements done so
 * far are reported in out_count).
 */
static int rcumap_batch_next(u32 i)
{
	if (!i)
		return 0;
	cond_resched();
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/* Copy element @i of a walking batch, @key and @value, out. */
static int rcumap_batch_copy_out(const struct rcumap_file *rf,
				 const struct rcumap_batch *cmd, u32 i,
				 const void *key, const void *value)
{
	u32 ks = rf->key_size, vs = rf->value_stride;

	return rcumap_copy_out(cmd->keys + (u64)i * ks, key, ks) ?:
	       rcumap_copy_out(cmd->values + (u64)i * vs, value, vs);
}

/*
 * Before BATCH_LOOKUP_AND_DELETE deletes element @i: fault its key and
 * value slots in writable, so that the copy-out after the delete cannot
 * fail but for a concurrent munmap().
 */
static int rcumap_batch_probe(const struct rcumap_file *rf,
			      const struct rcumap_batch *cmd, u32 i)
{
	u32 ks = rf->key_size, vs = rf->value_stride;

	return rcumap_probe_writable(cmd->keys + (u64)i * ks, ks) ?:
	       rcumap_probe_writable(cmd->values + (u64)i * vs, vs);
}

/*
 * BATCH_LOOKUP with RCUMAP_WALK_ORDERED: the cursor is a key, the one at
 * after_key (none: from the first key), then each key delivered in turn.
 * Each step writes the entry after the cursor over the cursor in @key; a
 * walk that stops there (a fault, a signal) reports the entries
 * delivered, and user space resumes after the last of them.  Sets
 * out_count whatever happens.
 */
static int rcumap_batch_lookup_ordered(struct rcumap_file *rf,
				       struct rcumap_batch *cmd, void *key,
				       void *value, bool delete)
{
	u32 ks = rf->key_size, vs = rf->value_stride;
	struct rcumap_hash_cursor c;
	u32 i = 0, n;
	int err = 0;

	cmd->out_count = 0;
	if (cmd->after_key) {
		err = rcumap_copy_in(key, cmd->after_key, ks);
		if (err)
			return err;
	}
	rcumap_hash_cursor_init(&c, cmd->after_key ? key : NULL, key, ks,
				RCUMAP_CURSOR_AFTER_KEY);
	for (n = 0; i < cmd->count; n++) {
		err = rcumap_batch_next(n);
		if (!err && delete)
			err = rcumap_batch_probe(rf, cmd, i);
		if (err)
			break;
		err = rcumap_walk_step(rf, &c, key,
				       vs && !delete ? value : NULL);
		if (err)
			break;
		if (delete) {
			err = rf->ops->lookup_and_delete(rf, key, value);
			/* Deleted by someone else since: the walk goes on. */
			if (err == -ENOENT)
				continue;
		}
		if (!err)
			err = rcumap_batch_copy_out(rf, cmd, i, key, value);
		if (err)
			break;
		i++;
	}
	cmd->out_count = i;
	return err;
}

/*
 * BATCH_LOOKUP and BATCH_LOOKUP_AND_DELETE (@delete): one walk, positional
 * or ordered, that copies out each entry it finds and, for the second,
 * deletes it.  An entry is deleted only once the user memory its key and
 * value go to has been faulted in writable (rcumap_batch_probe()), and
 * with lookup_and_delete(), which copies the value the key had as it went:
 * so the entry delivered is the one deleted, and only a concurrent
 * munmap() or mprotect() of the arrays can lose one (as with
 * LOOKUP_AND_DELETE).  An entry deleted by someone else between the walk
 * step and our delete is skipped.  A positional walk that deleted the
 * entry at its position resumes at that position, where the entry after
 * it now is.
 */
static int rcumap_batch_walk(struct rcumap_file *rf, struct rcumap_ucmd *ucmd,
			     bool delete)
{
	struct rcumap_batch *cmd = ucmd->cmd;
	u32 vs = rf->value_stride;
	bool ordered = cmd->flags & RCUMAP_WALK_ORDERED;
	void *key, *value;
	u64 pos, next;
	u32 i = 0, n;
	int err;

	if (cmd->flags & ~RCUMAP_WALK_ORDERED)
		return -EOPNOTSUPP;
	if (ordered ? cmd->cursor : cmd->after_key)
		return -EINVAL;
	if (!cmd->count)
		return rcumap_batch_empty(ucmd);
	err = rcumap_batch_check(rf, cmd);
	if (err)
		return err;
	key = rcumap_kv_alloc(rf, &value);
	if (!key) {
		cmd->out_count = 0;
		cmd->out_cursor = cmd->cursor;
		return rcumap_ucmd_respond(ucmd) ?: -ENOMEM;
	}

	if (ordered) {
		err = rcumap_batch_lookup_ordered(rf, cmd, key, value, delete);
		kvfree(key);
		cmd->out_cursor = 0;
		if (err == -ENOENT && cmd->out_count)
			err = 0;
		return rcumap_ucmd_respond(ucmd) ?: err;
	}

	/*
	 * One entry at a time: rcumap_hash_walk() copies it into the bounce
	 * buffers under the RCU read lock, and we copy it out after.  @pos
	 * moves past an entry only once it is in user memory, so that
	 * out_cursor resumes at the first entry not delivered.
	 */
	pos = cmd->cursor;
	for (n = 0; i < cmd->count; n++) {
		err = rcumap_batch_next(n);
		if (!err && delete)
			err = rcumap_batch_probe(rf, cmd, i);
		if (err)
			break;
		next = pos;
		err = rf->ops->walk(rf, &next, key,
				    vs && !delete ? value : NULL);
		/*
		 * A walk step ends early, having moved @next past a run of
		 * empty buckets, so that no RCU read-side section covers more
		 * than RCUMAP_HASH_WALK_BUCKETS of them: reschedule between
		 * two steps, as between two elements.
		 */
		while (err == -EAGAIN) {
			pos = next;
			cond_resched();
			err = fatal_signal_pending(current) ? -EINTR :
			      rf->ops->walk(rf, &next, key,
					    vs && !delete ? value : NULL);
		}
		if (err) {
			/* The end of the table: resume there. */
			pos = next;
			break;
		}
		if (delete) {
			err = rf->ops->lookup_and_delete(rf, key, value);
			/*
			 * Gone either way: the entries after it in its bucket
			 * moved down one place, to where @next - 1 points.
			 */
			if (!err || err == -ENOENT)
				next--;
			if (err == -ENOENT) {
				pos = next;
				continue;
			}
		}
		if (!err)
			err = rcumap_batch_copy_out(rf, cmd, i, key, value);
		if (err)
			break;
		pos = next;
		i++;
	}
	kvfree(key);

	cmd->out_count = i;
	cmd->out_cursor = pos;
	/* Entries delivered before the end are a success; the next call ends. */
	if (err == -ENOENT && i)
		err = 0;
	return rcumap_ucmd_respond(ucmd) ?: err;
}

static int rcumap_ioc_batch_lookup(struct rcumap_file *rf,
				   struct rcumap_ucmd *ucmd)
{
	return rcumap_batch_walk(rf, ucmd, false);
}

static int rcumap_ioc_batch_lookup_and_delete(struct rcumap_file *rf,
					      struct rcumap_ucmd *ucmd)
{
	return rcumap_batch_walk(rf, ucmd, true);
}

static int rcumap_ioc_batch_update(struct rcumap_file *rf,
				   struct rcumap_ucmd *ucmd)
{
	struct rcumap_batch *cmd = ucmd->cmd;
	u32 ks = rf->key_size, vs = rf->value_stride;
	void *key, *value;
	u32 i;
	int err;

	if (cmd->flags > RCUMAP_UPDATE_EXIST)
		return -EOPNOTSUPP;
	if (cmd->cursor || cmd->after_key)
		return -EINVAL;
	if (!cmd->count)
		return rcumap_batch_empty(ucmd);
	err = rcumap_batch_check(rf, cmd);
	if (err)
		return err;
	/* No element was tried: say so, as the UAPI promises out_count. */
	key = rcumap_kv_alloc(rf, &value);
	if (!key) {
		cmd->out_count = 0;
		return rcumap_ucmd_respond(ucmd) ?: -ENOMEM;
	}

	for (i = 0; i < cmd->count; i++) {
		err = rcumap_batch_next(i);
		if (!err)
			err = rcumap_copy_in(key, cmd->keys + (u64)i * ks, ks);
		if (!err)
			err = rcumap_copy_in(value, cmd->values + (u64)i * vs,
					     vs);
		if (!err)
			err = rf->ops->update(rf, key, value, cmd->flags);
		if (err)
			break;
	}
	kvfree(key);

	cmd->out_count = i;
	cmd->out_cursor = 0;
	return rcumap_ucmd_respond(ucmd) ?: rcumap_hash_errno(err);
}

static int rcumap_ioc_batch_delete(struct rcumap_file *rf,
				   struct rcumap_ucmd *ucmd)
{
	struct rcumap_batch *cmd = ucmd->cmd;
	u32 ks = rf->key_size;
	struct rcumap_del_key key;	/* like DELETE: never ENOMEM */
	u32 i;
	int err;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (cmd->values || cmd->cursor || cmd->after_key)
		return -EINVAL;
	if (!cmd->count)
		return rcumap_batch_empty(ucmd);
	err = rcumap_batch_check(rf, cmd);
	if (err)
		return err;

	for (i = 0; i < cmd->count; i++) {
		err = rcumap_batch_next(i);
		if (err)
			break;
		/* A long key's buffer is held for one element at a time. */
		err = rcumap_del_key_get(rf, &key, cmd->keys + (u64)i * ks);
		if (err)
			break;
		err = rcumap_hash_delete(rf->keys, key.bytes);
		rcumap_del_key_put(rf, &key);
		if (err)
			break;
	}

	cmd->out_count = i;
	cmd->out_cursor = 0;
	return rcumap_ucmd_respond(ucmd) ?: err;
}

/*
 * RESIZE: rcumap_hash_resize() rounds the count up to a power of two and
 * gets there by doublings or halvings while the map stays in use.  If an
 * allocation fails on the way, every key and value is still there, but
 * the bucket count may be part-way (a step or more from where it was);
 * the UAPI says so, and the next resize finishes the step.
 */
/*
 * LOOKUP_BULK: the keys in groups of at most RCUMAP_BULK_GROUP, and of
 * about RCUMAP_BULK_BYTES of keys and values (at least one key), through
 * one bounce buffer for the call.  For each group: copy its keys in, look
 * them up (the type's @lookup_bulk holds the RCU read lock for 16 keys at
 * a time), copy its statuses and the values of the keys found out.  The
 * cost of a call is @count lookups and copies; between groups it gives up
 * the CPU if asked to and stops if the caller is being killed.
 */
#define RCUMAP_BULK_GROUP	64
#define RCUMAP_BULK_BYTES	SZ_64K

/* Copy out the values of the keys of a group that were found. */
static int rcumap_bulk_copy_values(u64 uvalues, const void *values, u32 n,
				   u32 vs, const unsigned long *found)
{
	unsigned int start, end;
	int err = 0;

	/* A run of keys found is one copy. */
	for_each_set_bitrange(start, end, found, n) {
		err = rcumap_copy_out(uvalues + (u64)start * vs,
				      values + (size_t)start * vs,
				      (end - start) * vs);
		if (err)
			break;
	}
	return err;
}

static int rcumap_ioc_lookup_bulk(struct rcumap_file *rf,
				  struct rcumap_ucmd *ucmd)
{
	struct rcumap_lookup_bulk *cmd = ucmd->cmd;
	u32 ks = rf->key_size, vs = rf->value_stride;
	DECLARE_BITMAP(found, RCUMAP_BULK_GROUP);
	u32 status[RCUMAP_BULK_GROUP];
	u32 done = 0, hits = 0, group, n, i;
	void *keys, *values;
	int err;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	err = rcumap_check_array(cmd->keys, cmd->count, ks);
	if (!err)
		err = rcumap_check_array(cmd->values, cmd->count, vs);
	if (!err)
		err = rcumap_check_array(cmd->status, cmd->count,
					 sizeof(*status));
	if (err || !cmd->count)
		goto out;

	group = clamp_t(u64, RCUMAP_BULK_BYTES / ((u64)ks + vs), 1,
			RCUMAP_BULK_GROUP);
	keys = kvmalloc(array_size(group, (size_t)ks + vs), RCUMAP_BOUNCE_GFP);
	if (!keys) {
		err = -ENOMEM;
		goto out;
	}
	values = keys + (size_t)group * ks;

	for (done = 0; done < cmd->count; done += n) {
		u32 group_hits;

		err = rcumap_batch_next(done);
		if (err)
			break;
		n = min(group, cmd->count - done);
		err = rcumap_copy_in(keys, cmd->keys + (u64)done * ks, n * ks);
		if (err)
			break;
		group_hits = rf->ops->lookup_bulk(rf, keys, n, values, found);
		for (i = 0; i < n; i++)
			status[i] = test_bit(i, found) ? 0 : ENOENT;
		err = rcumap_copy_out(cmd->status + (u64)done * sizeof(*status),
				      status, n * sizeof(*status));
		if (!err)
			err = rcumap_bulk_copy_values(cmd->values +
						      (u64)done * vs, values,
						      n, vs, found);
		if (err)
			break;
		hits += group_hits;
	}
	kvfree(keys);
out:
	cmd->out_count = done;
	cmd->out_found = hits;
	return rcumap_ucmd_respond(ucmd) ?: err;
}

static int rcumap_ioc_resize(struct rcumap_file *rf, struct rcumap_ucmd *ucmd)
{
	const struct rcumap_resize *cmd = ucmd->cmd;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!cmd->nr_buckets || cmd->nr_buckets > RCUMAP_MAX_BUCKETS)
		return -EINVAL;
	/* An LRU map also stays as dense as its CREATE had to be. */
	if (rf->ops->max_buckets &&
	    cmd->nr_buckets >
	    rf->ops->max_buckets(rcumap_hash_max_entries(rf->keys)))
		return -EINVAL;
	return rcumap_hash_resize(rf->keys, cmd->nr_buckets);
}

/*
 * BUCKET_STATS: at most RCUMAP_STATS_MAX_BUDGET buckets, under one RCU read
 * lock, into a histogram on the stack that goes to user space only whole
 * (see rcumap_hash_bucket_stats() for the cost: the budget plus the keys
 * of the buckets visited).  Writes nothing on an error.
 */
static int rcumap_ioc_bucket_stats(struct rcumap_file *rf,
				   struct rcumap_ucmd *ucmd)
{
	struct rcumap_bucket_stats *cmd = ucmd->cmd;
	u32 hist[RCUMAP_STATS_MAX_HIST] = {};
	u32 cursor = cmd->cursor, longest = 0;
	int nr;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (!cmd->nr_hist || cmd->nr_hist > RCUMAP_STATS_MAX_HIST ||
	    !cmd->budget || cmd->budget > RCUMAP_STATS_MAX_BUDGET)
		return -EINVAL;
	nr = rcumap_hash_bucket_stats(rf->keys, &cursor, cmd->budget, hist,
				      cmd->nr_hist, &longest);
	if (nr < 0)
		return nr;
	/* Nothing visited: the walk is over, or the table shrank under it. */
	if (cmd->cursor >= nr)
		return -ENOENT;
	if (rcumap_copy_out(cmd->hist, hist, cmd->nr_hist * sizeof(*hist)))
		return -EFAULT;
	cmd->out_cursor = cursor;
	cmd->out_nr_buckets = nr;
	cmd->out_longest = longest;
	return rcumap_ucmd_respond(ucmd);
}

/* ---- Process tables ------------------------------------------------- */

static int rcumap_ioc_ptab_insert(struct rcumap_file *rf,
				  struct rcumap_ucmd *ucmd)
{
	struct rcumap_ptab_insert *cmd = ucmd->cmd;
	struct rcumap_ptab_node *node;
	struct rcumap_ptab_obj *obj;
	u64 id;
	int err;

	if (cmd->flags)
		return -EOPNOTSUPP;
	obj = kmalloc(rcumap_ptab_obj_size(rf), GFP_KERNEL_ACCOUNT);
	if (!obj)
		return -ENOMEM;
	/* Not yet visible to anyone: the value can be filled in place. */
	err = rcumap_copy_in(obj->value, cmd->value, rf->value_size);
	if (err)
		goto out_free_obj;
	err = rcumap_ptab_insert(rf->ptab, &obj->node, &id);
	if (err) {
		/* Ids run out after 2^63 inserts: report that as full too. */
		if (err == -EOVERFLOW)
			err = -ENOSPC;
		goto out_free_obj;
	}

	cmd->out_id = id;
	err = rcumap_ucmd_respond(ucmd);
	if (err) {
		/*
		 * User space cannot learn the id: take the entry out again,
		 * unless a guess of the id already did.  Readers may have
		 * found it meanwhile, so it is freed after a grace period.
		 */
		node = rcumap_ptab_remove(rf->ptab, id);
		if (node)
			kfree_rcu(rcumap_ptab_obj(node), rcu);
	}
	return err;

out_free_obj:
	kfree(obj);
	return err;
}

static int rcumap_ioc_ptab_lookup(struct rcumap_file *rf,
				  struct rcumap_ucmd *ucmd)
{
	const struct rcumap_ptab_elem *cmd = ucmd->cmd;
	struct rcumap_ptab_node *node;
	void *value;
	int err = 0;

	if (cmd->flags)
		return -EOPNOTSUPP;
	value = kmalloc(rf->value_size, GFP_KERNEL_ACCOUNT);
	if (!value)
		return -ENOMEM;

	rcu_read_lock();
	/*
	 * @node stays valid until rcu_read_unlock() even if it is removed
	 * meanwhile: whoever removes it frees it with kfree_rcu(), after a
	 * grace period that waits for this read-side critical section.  Its
	 * value never changes after the insert that published it.
	 */
	node = rcumap_ptab_lookup(rf->ptab, cmd->id);
	if (node)
		memcpy(value, rcumap_ptab_obj(node)->value, rf->value_size);
	rcu_read_unlock();

	if (!node)
		err = -ENOENT;
	else
		err = rcumap_copy_out(cmd->value, value, rf->value_size);
	kfree(value);
	return err;
}

static int rcumap_ioc_ptab_remove(struct rcumap_file *rf,
				  struct rcumap_ucmd *ucmd)
{
	const struct rcumap_ptab_elem *cmd = ucmd->cmd;
	struct rcumap_ptab_node *node;
	struct rcumap_ptab_obj *obj;
	int err = 0;

	if (cmd->flags)
		return -EOPNOTSUPP;
	/* A value removed but not delivered would be lost: check first. */
	if (cmd->value) {
		err = rcumap_probe_writable(cmd->value, rf->value_size);
		if (err)
			return err;
	}
	node = rcumap_ptab_remove(rf->ptab, cmd->id);
	if (!node)
		return -ENOENT;
	/*
	 * The entry is ours now: no new reader can find it, and it is freed
	 * only by the kfree_rcu() below, so we may read it outside the RCU
	 * read lock.  Readers that found it earlier only read it too.
	 */
	obj = rcumap_ptab_obj(node);
	if (cmd->value)
		err = rcumap_copy_out(cmd->value, obj->value, rf->value_size);
	kfree_rcu(obj, rcu);
	return err;
}

static int rcumap_ioc_ptab_next(struct rcumap_file *rf,
				struct rcumap_ucmd *ucmd)
{
	struct rcumap_ptab_next *cmd = ucmd->cmd;
	struct rcumap_ptab_node *node;
	u64 id = cmd->id;
	void *value;
	int err;

	if (cmd->flags)
		return -EOPNOTSUPP;
	value = kmalloc(rf->value_size, GFP_KERNEL_ACCOUNT);
	if (!value)
		return -ENOMEM;

	rcu_read_lock();
	/* As in rcumap_ioc_ptab_lookup(): valid until rcu_read_unlock(). */
	node = rcumap_ptab_next(rf->ptab, &id);
	if (node)
		memcpy(value, rcumap_ptab_obj(node)->value, rf->value_size);
	rcu_read_unlock();

	if (!node) {
		err = -ENOENT;
		goto out_free_value;
	}
	if (cmd->value) {
		err = rcumap_copy_out(cmd->value, value, rf->value_size);
		if (err)
			goto out_free_value;
	}
	cmd->out_id = id;
	err = rcumap_ucmd_respond(ucmd);
out_free_value:
	kfree(value);
	return err;
}

/* ---- Read-only files ------------------------------------------------ */

/*
 * DUP_RDONLY: a new read-only file of @rf's map (rcumap_file_open_rdonly()
 * says how the map's lifetime is shared).  The descriptor is reserved
 * first and installed last, once user space has been told its number, so
 * that a fault leaves nothing behind: the file is released by fput(),
 * which drops the reference it took.
 */
static int rcumap_ioc_dup_rdonly(struct rcumap_file *rf,
				 struct rcumap_ucmd *ucmd)
{
	struct rcumap_dup_rdonly *cmd = ucmd->cmd;
	struct file *filp;
	int fd, err;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	filp = rcumap_file_open_rdonly(rf);
	if (IS_ERR(filp)) {
		err = PTR_ERR(filp);
		goto out_put_fd;
	}
	cmd->out_fd = fd;
	err = rcumap_ucmd_respond(ucmd);
	if (err)
		goto out_fput;
	fd_install(fd, filp);
	return 0;

out_fput:
	fput(filp);
out_put_fd:
	put_unused_fd(fd);
	return err;
}

/* ---- Dispatch ------------------------------------------------------- */

/*
 * What an op needs of the file: one of the first four, the map it must
 * hold, and RCUMAP_NEEDS_WRITE if it may run only on a file opened with
 * write access (everything but reading the map: the UAPI's "Read-only
 * files").
 */
enum rcumap_op_needs {
	RCUMAP_NEEDS_NO_MAP,	/* CREATE: checks for itself */
	RCUMAP_NEEDS_MAP,	/* a map of any type */
	RCUMAP_NEEDS_HASH,	/* a hash-like map: HASH, PERCPU_HASH, LRU_HASH */
	RCUMAP_NEEDS_PTAB,
	RCUMAP_NEEDS_MAP_MASK = 3,
	RCUMAP_NEEDS_WRITE = 4,	/* -EPERM without FMODE_WRITE */
};

struct rcumap_ioctl_op {
	unsigned int size;	/* of the struct */
	unsigned int min_size;	/* of its first version */
	unsigned int ioctl_num;
	unsigned int needs;	/* enum rcumap_op_needs */
	/* Of an out_count written 0 before anything else (batches), or 0. */
	unsigned int out_count_offset;
	int (*execute)(struct rcumap_file *rf, struct rcumap_ucmd *ucmd);
};

#define __RCUMAP_IOCTL_OP(_name, _fn, _struct, _last, _needs, _count)	\
	[RCUMAP_CMD_##_name - RCUMAP_CMD_BASE] = {			\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(_struct) >		\
					  sizeof(union rcumap_ucmd_buffer)), \
		.min_size = offsetofend(_struct, _last),		\
		.ioctl_num = RCUMAP_IOC_##_name,			\
		.needs = _needs,					\
		.out_count_offset = _count,				\
		.execute = _fn,						\
	}

/* The op RCUMAP_IOC_<_name>, at index RCUMAP_CMD_<_name> - RCUMAP_CMD_BASE. */
#define RCUMAP_IOCTL_OP(_name, _fn, _struct, _last, _needs)		\
	__RCUMAP_IOCTL_OP(_name, _fn, _struct, _last, _needs, 0)

/*
 * A batch op: its out_count is written 0 before anything can fail, and is
 * part of its first version, so that every size accepted reaches it.
 */
#define RCUMAP_IOCTL_BATCH_OP(_name, _fn, _needs)			\
	__RCUMAP_IOCTL_OP(_name, _fn, struct rcumap_batch, out_count,	\
			  _needs, offsetof(struct rcumap_batch, out_count))

#define W	RCUMAP_NEEDS_WRITE

static const struct rcumap_ioctl_op rcumap_ioctl_ops[] = {
	RCUMAP_IOCTL_OP(CREATE, rcumap_ioc_create,
			struct rcumap_create, __reserved,
			RCUMAP_NEEDS_NO_MAP | W),
	RCUMAP_IOCTL_OP(INFO, rcumap_ioc_info,
			struct rcumap_info, out_bytes_used, RCUMAP_NEEDS_MAP),
	RCUMAP_IOCTL_OP(LOOKUP, rcumap_ioc_lookup,
			struct rcumap_elem, value, RCUMAP_NEEDS_HASH),
	RCUMAP_IOCTL_OP(UPDATE, rcumap_ioc_update,
			struct rcumap_elem, value, RCUMAP_NEEDS_HASH | W),
	RCUMAP_IOCTL_OP(DELETE, rcumap_ioc_delete,
			struct rcumap_elem, value, RCUMAP_NEEDS_HASH | W),
	RCUMAP_IOCTL_OP(LOOKUP_AND_DELETE,
			rcumap_ioc_lookup_and_delete,
			struct rcumap_elem, value, RCUMAP_NEEDS_HASH | W),
	RCUMAP_IOCTL_OP(GET_NEXT_KEY, rcumap_ioc_get_next_key,
			struct rcumap_get_next_key, next_key,
			RCUMAP_NEEDS_HASH),
	RCUMAP_IOCTL_BATCH_OP(BATCH_LOOKUP, rcumap_ioc_batch_lookup,
			      RCUMAP_NEEDS_HASH),
	RCUMAP_IOCTL_BATCH_OP(BATCH_UPDATE, rcumap_ioc_batch_update,
			      RCUMAP_NEEDS_HASH | W),
	RCUMAP_IOCTL_BATCH_OP(BATCH_DELETE, rcumap_ioc_batch_delete,
			      RCUMAP_NEEDS_HASH | W),
	RCUMAP_IOCTL_OP(PTAB_INSERT, rcumap_ioc_ptab_insert,
			struct rcumap_ptab_insert, out_id,
			RCUMAP_NEEDS_PTAB | W),
	RCUMAP_IOCTL_OP(PTAB_LOOKUP, rcumap_ioc_ptab_lookup,
			struct rcumap_ptab_elem, value, RCUMAP_NEEDS_PTAB),
	RCUMAP_IOCTL_OP(PTAB_REMOVE, rcumap_ioc_ptab_remove,
			struct rcumap_ptab_elem, value, RCUMAP_NEEDS_PTAB | W),
	RCUMAP_IOCTL_OP(PTAB_NEXT, rcumap_ioc_ptab_next,
			struct rcumap_ptab_next, out_id, RCUMAP_NEEDS_PTAB),
	RCUMAP_IOCTL_OP(RESIZE, rcumap_ioc_resize,
			struct rcumap_resize, __reserved,
			RCUMAP_NEEDS_HASH | W),
	RCUMAP_IOCTL_OP(BUCKET_STATS, rcumap_ioc_bucket_stats,
			struct rcumap_bucket_stats, out_longest,
			RCUMAP_NEEDS_HASH),
	RCUMAP_IOCTL_OP(DUP_RDONLY, rcumap_ioc_dup_rdonly,
			struct rcumap_dup_rdonly, __reserved,
			RCUMAP_NEEDS_MAP | W),
	__RCUMAP_IOCTL_OP(LOOKUP_BULK, rcumap_ioc_lookup_bulk,
			  struct rcumap_lookup_bulk, __reserved,
			  RCUMAP_NEEDS_HASH,
			  offsetof(struct rcumap_lookup_bulk, out_count)),
	RCUMAP_IOCTL_BATCH_OP(BATCH_LOOKUP_AND_DELETE,
			      rcumap_ioc_batch_lookup_and_delete,
			      RCUMAP_NEEDS_HASH | W),
};

#undef W

/*
 * Every command of the UAPI has its op.  A hole in the table would have
 * ioctl_num 0, which no command in its range equals: ENOTTY.
 */
static_assert(ARRAY_SIZE(rcumap_ioctl_ops) ==
	      RCUMAP_CMD_BATCH_LOOKUP_AND_DELETE - RCUMAP_CMD_BASE + 1);
/* No struct is larger than what the dispatcher lets user space give. */
static_assert(sizeof(union rcumap_ucmd_buffer) <= RCUMAP_MAX_STRUCT_SIZE);

/*
 * -EPERM if @needs write access and @filp was not opened with it, else
 * -EINVAL unless @rf holds the map @needs.  Write access first: the file's
 * mode alone decides, whether or not it holds a map.
 */
static int rcumap_check_needs(const struct file *filp,
			      const struct rcumap_file *rf, unsigned int needs)
{
	u32 type;

	if ((needs & RCUMAP_NEEDS_WRITE) && !(filp->f_mode & FMODE_WRITE))
		return -EPERM;
	type = rcumap_file_map_type(rf);
	switch (needs & RCUMAP_NEEDS_MAP_MASK) {
	case RCUMAP_NEEDS_NO_MAP:
		return 0;
	case RCUMAP_NEEDS_MAP:
		return type ? 0 : -EINVAL;
	case RCUMAP_NEEDS_HASH:
		/* A hash-like map is one with a table of keys. */
		return type && rf->keys ? 0 : -EINVAL;
	case RCUMAP_NEEDS_PTAB:
		return type == RCUMAP_MAP_PTAB ? 0 : -EINVAL;
	}
	return -EINVAL;
}

/**
 * rcumap_ioctl() - The ioctl entry point of /dev/rcumap.
 * @filp: An open file of the device.
 * @cmd: One of the RCUMAP_IOC_* numbers of include/uapi/linux/rcumap.h.
 * @arg: User pointer to the op's struct, which starts with its size.
 *
 * The common path of every op: find it in the dispatch table, read the
 * size user space gives (at most RCUMAP_MAX_STRUCT_SIZE), copy the struct
 * in with copy_struct_from_user() (zero-extended if user space knows a
 * shorter struct, checked for a zero tail if a longer one), zero a batch's
 * out_count in user memory, check that the file may run the op (write
 * access) and holds the map the op needs, then run the op.  Ops with
 * out_* fields copy the struct back as far as both sizes reach; none
 * copies back a byte it did not get from user space or write itself.
 *
 * Context: Process context.  May sleep.  Takes the locks of the op (see
 * the top of this file).
 * Return: 0 on success, -ENOTTY for an unknown @cmd, -EFAULT if the struct
 * cannot be read or written, -EINVAL if its size is below the op's first
 * version or the file does not hold the map the op needs, -E2BIG if its
 * size is above RCUMAP_MAX_STRUCT_SIZE or its tail past the struct the
 * kernel knows is not zero, -EPERM if the op changes the map (or makes a
 * map or a file) and @filp was opened without write access, or the error
 * of the op, as include/uapi/linux/rcumap.h lists them.
 */
long rcumap_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct rcumap_file *rf = filp->private_data;
	const struct rcumap_ioctl_op *op;
	union rcumap_ucmd_buffer buf;
	struct rcumap_ucmd ucmd;
	unsigned int nr = _IOC_NR(cmd);
	int err;

	if (nr < RCUMAP_CMD_BASE ||
	    nr - RCUMAP_CMD_BASE >= ARRAY_SIZE(rcumap_ioctl_ops))
		return -ENOTTY;
	op = &rcumap_ioctl_ops[nr - RCUMAP_CMD_BASE];
	if (op->ioctl_num != cmd)
		return -ENOTTY;

	ucmd.ubuffer = (void __user *)arg;
	err = get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer);
	if (err)
		return err;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;
	/*
	 * Before copy_struct_from_user(), which reads every byte past our
	 * struct to check that it is zero: at most a page of them.
	 */
	if (ucmd.user_size > RCUMAP_MAX_STRUCT_SIZE)
		return -E2BIG;
	/* Zeroed, so that no response can carry stale stack bytes. */
	memset(&buf, 0, sizeof(buf));
	err = copy_struct_from_user(&buf, op->size, ucmd.ubuffer,
				    ucmd.user_size);
	if (err)
		return err;
	ucmd.kernel_size = op->size;
	ucmd.cmd = &buf;

	/*
	 * A batch's out_count says how far it went, on an error too: 0 from
	 * here on, before anything else can fail, in user memory and in our
	 * copy (which the handler overwrites once elements are tried).  The
	 * user's size reaches it (it is in the first version).
	 */
	if (op->out_count_offset) {
		if (put_user(0U, (u32 __user *)(ucmd.ubuffer +
						op->out_count_offset)))
			return -EFAULT;
		*(u32 *)((u8 *)&buf + op->out_count_offset) = 0;
	}

	err = rcumap_check_needs(filp, rf, op->needs);
	if (err)
		return err;
	return op->execute(rf, &ucmd);
}

/**
 * rcumap_file_destroy_map() - Destroy the map of the last file that held it.
 * @rf: The files' state.
 *
 * A hash-like map is destroyed whole, by its own layer (a per-CPU map's
 * areas and an LRU map's tags go with it); a process table is first
 * emptied, each entry freed with kfree_rcu().  The memory goes back after
 * a grace period, which module exit waits for.  Does nothing if the file
 * never got a map.
 *
 * Called only from the release() that drops the last reference to @rf
 * (rcumap_file_put()): no file that holds @rf is left, so no ioctl is
 * running on one and none can start, nothing else uses the map, and only
 * readers that are still inside an RCU read-side critical section can
 * hold a pointer into it, which is what the deferred frees wait for.
 *
 * Context: Process context.  May sleep.
 */
void rcumap_file_destroy_map(struct rcumap_file *rf)
{
	/* The ops are set whenever the type is (see rcumap_ioc_create()). */
	if (rf->map_type)
		rf->ops->destroy(rf);
	kvfree(rf->del_key);
}
