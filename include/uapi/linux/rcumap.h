/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rcumap user API: the ioctls of /dev/rcumap.
 *
 * One open file of /dev/rcumap holds one map.  The first ioctl on a new
 * file must be RCUMAP_IOC_CREATE; the map lives until the last reference
 * to the file is closed (share it by fork() or SCM_RIGHTS).
 *
 * Read-only files.  A file opened without write access (O_RDONLY) may
 * only read a map: RCUMAP_IOC_INFO, _LOOKUP, _LOOKUP_BULK, _GET_NEXT_KEY,
 * _BATCH_LOOKUP, _BUCKET_STATS, _PTAB_LOOKUP and _PTAB_NEXT.  Every other
 * ioctl on it fails with EPERM, CREATE included: such a file never gets a
 * map of its own.  To share a map read-only, its owner (a file with write
 * access) makes a read-only file of the same map with
 * RCUMAP_IOC_DUP_RDONLY and passes that on; the map lives until the last
 * file that holds it is closed.  (Reopening the device, through
 * /proc/self/fd or otherwise, gives a new file without a map.)  A file
 * opened O_WRONLY may do everything an O_RDWR one may.
 *
 * Every ioctl takes a pointer to a struct that starts with "__u32 size",
 * the size of the struct as user space knows it.  The kernel accepts any
 * size from the struct's first version up to RCUMAP_MAX_STRUCT_SIZE (4096,
 * the smallest page size; larger is E2BIG, as bpf(2), clone3() and
 * openat2() cap theirs, so that no ioctl scans more user memory than that
 * for zeroes): bytes it does not know must be zero (else E2BIG), bytes
 * user space did not send read as zero, and fields the kernel writes
 * (named out_*) are written only as far as @size reaches.  Fields named
 * __reserved must be zero.  The struct is checked (EFAULT, EINVAL, E2BIG)
 * before the file's access (EPERM), and that before the map (EINVAL).
 *
 * Errors, the same for every ioctl:
 *  ENOTTY     unknown ioctl number
 *  EINVAL     @size below the struct's first version, a bad value (a size
 *             of 0 where one is needed, a capacity out of range, a hash
 *             op on a ptab map or the reverse, any op but CREATE before
 *             CREATE, flags that are known but do not go together or not
 *             with this map type)
 *  E2BIG      non-zero bytes past the end of the struct the kernel knows,
 *             or @size above RCUMAP_MAX_STRUCT_SIZE; at CREATE, a key or
 *             value size above its limit (as BPF says it)
 *  EPERM      an ioctl that changes the map (or makes one, or a file)
 *             on a file opened without write access
 *  EOPNOTSUPP an unknown flag or a non-zero __reserved field
 *  EFAULT     a bad user pointer
 *  EBUSY      CREATE on a file that already holds a map
 *  ENOENT     no such key or id; the end of a walk
 *  EEXIST     the key is present (RCUMAP_NOEXIST)
 *  ENOSPC     the map is full (an LRU_HASH map only if eviction gave
 *             up; see struct rcumap_elem)
 *  EOVERFLOW  count * element size overflows (cannot happen with today's
 *             limits: a __u32 count of elements of at most 4 MiB of key
 *             or value, or 8192 * 32 KiB of per-CPU values); an array
 *             that wraps around the address space is EFAULT
 *  ENOMEM     out of memory; the map is unchanged (for RCUMAP_IOC_RESIZE:
 *             its keys and values; see there.  For an LRU_HASH UPDATE,
 *             see UPDATE below)
 *  EMFILE     RCUMAP_IOC_DUP_RDONLY: no free file descriptor
 *  ENFILE     RCUMAP_IOC_DUP_RDONLY: the system's limit of open files
 *
 * Hash-like maps are the HASH, PERCPU_HASH and LRU_HASH types: every op
 * documented for HASH maps works on all three, and the PTAB ops fail on
 * them with EINVAL.
 *
 * Value buffers.  Every value a hash-like op reads or writes, and every
 * element of the value array of a batch, takes out_value_stride bytes of
 * RCUMAP_IOC_INFO: value_size for HASH and LRU_HASH maps, and for
 * PERCPU_HASH maps out_nr_cpus values (one per possible CPU, in the
 * order of the CPU numbers), each value_size bytes followed by zero
 * padding up to round_up(value_size, 8) bytes: BPF's layout for per-CPU
 * maps.  The kernel ignores the padding of the values it reads and zeroes
 * it in the values it writes.
 */
#ifndef _UAPI_LINUX_RCUMAP_H
#define _UAPI_LINUX_RCUMAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define RCUMAP_TYPE	'r'

enum {
	RCUMAP_CMD_BASE = 0x80,
	RCUMAP_CMD_CREATE = RCUMAP_CMD_BASE,
	RCUMAP_CMD_INFO,
	RCUMAP_CMD_LOOKUP,
	RCUMAP_CMD_UPDATE,
	RCUMAP_CMD_DELETE,
	RCUMAP_CMD_LOOKUP_AND_DELETE,
	RCUMAP_CMD_GET_NEXT_KEY,
	RCUMAP_CMD_BATCH_LOOKUP,
	RCUMAP_CMD_BATCH_UPDATE,
	RCUMAP_CMD_BATCH_DELETE,
	RCUMAP_CMD_PTAB_INSERT,
	RCUMAP_CMD_PTAB_LOOKUP,
	RCUMAP_CMD_PTAB_REMOVE,
	RCUMAP_CMD_PTAB_NEXT,
	RCUMAP_CMD_RESIZE,
	RCUMAP_CMD_BUCKET_STATS,
	RCUMAP_CMD_DUP_RDONLY,
	RCUMAP_CMD_LOOKUP_BULK,
	RCUMAP_CMD_BATCH_LOOKUP_AND_DELETE,
};

/* The largest @size of any ioctl struct the kernel reads: E2BIG above. */
#define RCUMAP_MAX_STRUCT_SIZE	4096

/**
 * enum rcumap_map_type - kinds of map
 * @RCUMAP_MAP_HASH: bucket-swap hash table of fixed-size keys and values
 * @RCUMAP_MAP_PTAB: generational process table: the kernel picks the id
 * @RCUMAP_MAP_PERCPU_HASH: hash table whose keys have one value per
 *                          possible CPU, like BPF_MAP_TYPE_PERCPU_HASH:
 *                          user space reads and writes all of them at
 *                          once (see "Value buffers" above)
 * @RCUMAP_MAP_LRU_HASH: hash table that makes room for a new key, when it
 *                       holds max_entries keys, by evicting an
 *                       approximately least recently looked-up key, like
 *                       BPF_MAP_TYPE_LRU_HASH
 */
enum rcumap_map_type {
	RCUMAP_MAP_HASH = 1,
	RCUMAP_MAP_PTAB = 2,
	RCUMAP_MAP_PERCPU_HASH = 3,
	RCUMAP_MAP_LRU_HASH = 4,
};

/*
 * Limits of a map made through /dev/rcumap.  "HASH" means every hash-like
 * type.  Keys and values may be as large as BPF allows in its hash maps:
 * every key and value size that bpf(2) takes for a hash map on x86_64 (a
 * sum below 4 MiB less its 48-byte element header; per CPU, values of up
 * to 32 KiB), CREATE takes too.  Above a limit CREATE fails with E2BIG.
 *
 * HASH and LRU_HASH: key_size from 1 to RCUMAP_MAX_KEY_SIZE and value_size
 * from 0, at most RCUMAP_MAX_KEY_VALUE_SIZE together.
 * PERCPU_HASH: key_size from 1 to RCUMAP_MAX_KEY_VALUE_SIZE - 8 (the map
 * keeps an 8-byte pointer with each key) and value_size, per CPU, from 1
 * to RCUMAP_MAX_PERCPU_VALUE_SIZE (BPF's limit, on the value rounded up to
 * 8, which it is): a value buffer takes up to nr_cpus * 32 KiB, and each
 * key as much kernel memory.
 * PTAB: value_size from 1 to RCUMAP_MAX_VALUE_SIZE.
 */
#define RCUMAP_MAX_KEY_VALUE_SIZE	(1U << 22)	/* HASH: key + value */
#define RCUMAP_MAX_KEY_SIZE		(1U << 22)	/* HASH */
#define RCUMAP_MAX_PERCPU_VALUE_SIZE	(1U << 15)	/* PERCPU_HASH */
#define RCUMAP_MAX_VALUE_SIZE		4096		/* PTAB */
#define RCUMAP_MAX_ENTRIES	(1U << 24)	/* HASH */
#define RCUMAP_MAX_BUCKETS	(1U << 22)	/* HASH */
/*
 * HASH: no insert makes a bucket hold more keys than this (ENOSPC), and a
 * map without RCUMAP_CREATE_RESIZE has at least max_entries /
 * RCUMAP_BUCKET_MAX buckets, rounded up (EINVAL at CREATE and RESIZE).
 */
#define RCUMAP_BUCKET_MAX	64
#define RCUMAP_MIN_CAPACITY	64		/* PTAB */
#define RCUMAP_MAX_CAPACITY	(1U << 22)	/* PTAB */

/**
 * enum rcumap_create_flags - flags of RCUMAP_IOC_CREATE, hash-like maps
 *                            only
 * @RCUMAP_CREATE_RESIZE: Grow the bucket array, online, when the map has
 *                        more than two keys a bucket on average.  With
 *                        @nr_buckets 0 the map starts at 64 buckets
 *                        (@max_entries rounded up to a power of two, if
 *                        @max_entries is below 64) instead of at one
 *                        bucket per entry
 * @RCUMAP_CREATE_SHRINK: Also shrink it when the map has fewer than one
 *                        key per eight buckets, never below the bucket
 *                        count it was created with, or the one the last
 *                        successful RCUMAP_IOC_RESIZE set.  Needs
 *                        RCUMAP_CREATE_RESIZE
 *
 * The map resizes itself in the background, some time after the update
 * that calls for it (out_nr_buckets of RCUMAP_IOC_INFO shows when), one
 * doubling or halving at a time.  Readers never wait for a resize, and a
 * resize never loses or repeats a key for RCUMAP_IOC_LOOKUP or an ordered
 * walk.  Its memory is charged to the memory cgroup the map was created
 * in.  Without these flags the bucket count stays as created unless
 * RCUMAP_IOC_RESIZE changes it.
 */
enum rcumap_create_flags {
	RCUMAP_CREATE_RESIZE = 1 << 0,
	RCUMAP_CREATE_SHRINK = 1 << 1,
};

/**
 * struct rcumap_create - ioctl(RCUMAP_IOC_CREATE)
 * @size: sizeof(struct rcumap_create)
 * @flags: HASH: enum rcumap_create_flags.  PTAB: 0
 * @map_type: One of enum rcumap_map_type
 * @key_size: HASH: bytes per key, 1 to RCUMAP_MAX_KEY_SIZE (PERCPU_HASH:
 *            to RCUMAP_MAX_KEY_VALUE_SIZE - 8).  PTAB: 0
 * @value_size: Bytes per value, HASH and LRU_HASH: 0 to
 *              RCUMAP_MAX_KEY_VALUE_SIZE - @key_size.  PERCPU_HASH: bytes
 *              per CPU's value, 1 to RCUMAP_MAX_PERCPU_VALUE_SIZE.  PTAB:
 *              1 to RCUMAP_MAX_VALUE_SIZE.  A size above its limit is
 *              E2BIG, a size of 0 where one is needed EINVAL
 * @max_entries: HASH: most keys, 1 to RCUMAP_MAX_ENTRIES.  PTAB:
 *               the capacity, a power of two from RCUMAP_MIN_CAPACITY
 *               to RCUMAP_MAX_CAPACITY
 * @nr_buckets: HASH: bucket count, at most RCUMAP_MAX_BUCKETS (rounded up
 *              to a power of two), or 0 for the default of one bucket per
 *              entry, up to RCUMAP_MAX_BUCKETS.  Without
 *              RCUMAP_CREATE_RESIZE, at least @max_entries /
 *              RCUMAP_BUCKET_MAX (after rounding).  LRU_HASH: also at most
 *              @max_entries rounded up to a power of two (eviction scans
 *              the buckets).  PTAB: 0
 * @__reserved: Must be 0
 *
 * Makes the map of this file.  Its memory is charged to the memory cgroup
 * of the caller (of CREATE for the map itself, of each update for what the
 * update allocates).
 */
struct rcumap_create {
	__u32 size;
	__u32 flags;
	__u32 map_type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 nr_buckets;
	__u32 __reserved;
};

#define RCUMAP_IOC_CREATE	_IO(RCUMAP_TYPE, RCUMAP_CMD_CREATE)

/**
 * struct rcumap_info - ioctl(RCUMAP_IOC_INFO)
 * @size: sizeof(struct rcumap_info)
 * @flags: Must be 0
 * @out_map_type: enum rcumap_map_type
 * @out_key_size: Key size (0 for PTAB)
 * @out_value_size: Value size
 * @out_max_entries: HASH: most keys.  PTAB: capacity
 * @out_nr_buckets: HASH: bucket count.  PTAB: 0
 * @out_count: Entries in the map now
 * @out_bytes_used: Kernel memory the map uses now, in bytes
 * @out_create_flags: The enum rcumap_create_flags the map was created with
 *                    (0 for PTAB)
 * @__reserved: Must be 0
 * @out_nr_cpus: The number of possible CPUs (for every map type): the
 *               number of values in a PERCPU_HASH value buffer.  Fixed
 *               while the system runs
 * @out_value_stride: Bytes of one value buffer of this map (see "Value
 *                    buffers" above): PERCPU_HASH: out_nr_cpus *
 *                    round_up(out_value_size, 8).  Others: out_value_size
 *
 * @out_nr_cpus and @out_value_stride came later: a caller whose @size
 * ends before them gets the rest.
 */
struct rcumap_info {
	__u32 size;
	__u32 flags;
	__u32 out_map_type;
	__u32 out_key_size;
	__u32 out_value_size;
	__u32 out_max_entries;
	__u32 out_nr_buckets;
	__u32 out_count;
	__aligned_u64 out_bytes_used;
	__u32 out_create_flags;
	__u32 __reserved;
	__u32 out_nr_cpus;
	__u32 out_value_stride;
};

#define RCUMAP_IOC_INFO		_IO(RCUMAP_TYPE, RCUMAP_CMD_INFO)

/**
 * enum rcumap_update_flags - the mode of RCUMAP_IOC_UPDATE
 * @RCUMAP_UPDATE_ANY: Insert or replace
 * @RCUMAP_UPDATE_NOEXIST: Insert only; EEXIST if the key is present
 * @RCUMAP_UPDATE_EXIST: Replace only; ENOENT if the key is absent
 *
 * The values of BPF_ANY, BPF_NOEXIST and BPF_EXIST.
 */
enum rcumap_update_flags {
	RCUMAP_UPDATE_ANY = 0,
	RCUMAP_UPDATE_NOEXIST = 1,
	RCUMAP_UPDATE_EXIST = 2,
};

/**
 * struct rcumap_elem - ioctl(RCUMAP_IOC_LOOKUP, _UPDATE, _DELETE,
 *                      _LOOKUP_AND_DELETE), hash-like maps only
 * @size: sizeof(struct rcumap_elem)
 * @flags: UPDATE: enum rcumap_update_flags.  Others: 0
 * @key: Pointer to the key (key_size bytes)
 * @value: LOOKUP, LOOKUP_AND_DELETE: where the value buffer is written.
 *         UPDATE: the new value buffer.  DELETE: must be 0.  May be 0 if
 *         value_size is 0.  A value buffer is out_value_stride bytes of
 *         RCUMAP_IOC_INFO (every CPU's value for PERCPU_HASH)
 *
 * LOOKUP: ENOENT if the key is absent.  On an LRU_HASH map a LOOKUP that
 * finds the key marks it used; nothing else does (no UPDATE, walk or
 * batch).
 *
 * UPDATE: EEXIST, ENOENT as the mode says, ENOSPC if the key is new and
 * the map holds max_entries keys, or its bucket holds RCUMAP_BUCKET_MAX
 * keys (a map made with RCUMAP_CREATE_RESIZE first grows, if its load
 * calls for it; see Documentation/rcumap.rst, "Bucket length").  An
 * LRU_HASH map instead inserts, then evicts a key not looked up lately, so
 * an UPDATE that fails with ENOMEM has evicted nothing.  Meanwhile other
 * callers may see the count above max_entries, by at most 2 per possible
 * CPU.  Only when that many inserts race does one evict first; then it
 * returns ENOSPC if 8 evictions in a row made no room: other inserters
 * took it, or each eviction stopped, after a bounded number of steps, in
 * a stretch of empty buckets (the next one goes on from there).  On that
 * path an UPDATE that fails (ENOSPC, ENOMEM) may have evicted
 * keys.  A PERCPU_HASH UPDATE replaces every CPU's value at once.
 *
 * DELETE and LOOKUP_AND_DELETE: ENOENT if the key is absent; they never
 * fail for lack of memory, except LOOKUP_AND_DELETE on a PERCPU_HASH map,
 * or on a map whose values take more than 4096 bytes, which may fail with
 * ENOMEM (before it deletes anything) since its value buffer may be large.
 * DELETE and LOOKUP_AND_DELETE of keys of more than 256 bytes take their
 * turn, one caller at a time per map, to pass the key through memory the
 * map set aside at CREATE; a fatal signal interrupts that wait (EINTR).
 */
struct rcumap_elem {
	__u32 size;
	__u32 flags;
	__aligned_u64 key;
	__aligned_u64 value;
};

#define RCUMAP_IOC_LOOKUP	_IO(RCUMAP_TYPE, RCUMAP_CMD_LOOKUP)
#define RCUMAP_IOC_UPDATE	_IO(RCUMAP_TYPE, RCUMAP_CMD_UPDATE)
#define RCUMAP_IOC_DELETE	_IO(RCUMAP_TYPE, RCUMAP_CMD_DELETE)
#define RCUMAP_IOC_LOOKUP_AND_DELETE \
	_IO(RCUMAP_TYPE, RCUMAP_CMD_LOOKUP_AND_DELETE)

/**
 * enum rcumap_walk_flags - how GET_NEXT_KEY and BATCH_LOOKUP walk
 * @RCUMAP_WALK_ORDERED: Walk in the map's own order of keys: the next key
 *                       is the first one after the given key in that
 *                       order, whether or not the given key is still in
 *                       the map.  A walk never restarts, and every key
 *                       present for the whole walk is returned exactly
 *                       once, even if other keys, the walk's own key
 *                       among them, are deleted or the map resizes
 *
 * The order is fixed for the life of the map but is not the order of the
 * key bytes; it depends on the map's random hash seed.
 */
enum rcumap_walk_flags {
	RCUMAP_WALK_ORDERED = 1 << 0,
};

/**
 * struct rcumap_get_next_key - ioctl(RCUMAP_IOC_GET_NEXT_KEY), hash-like
 *                              maps only
 * @size: sizeof(struct rcumap_get_next_key)
 * @flags: 0 or RCUMAP_WALK_ORDERED
 * @key: Pointer to the current key, or 0 for the first key
 * @next_key: Where the next key is written
 *
 * Without flags, BPF's semantics: if @key is no longer in the map, the
 * walk restarts from the first key, so a walk that races with deletes
 * may return keys twice.  With RCUMAP_WALK_ORDERED it does not (see enum
 * rcumap_walk_flags).  ENOENT after the last key.  Across a long run of
 * empty buckets the kernel reschedules every 64 buckets, and returns
 * EINTR if a fatal signal is pending.
 */
struct rcumap_get_next_key {
	__u32 size;
	__u32 flags;
	__aligned_u64 key;
	__aligned_u64 next_key;
};

#define RCUMAP_IOC_GET_NEXT_KEY	_IO(RCUMAP_TYPE, RCUMAP_CMD_GET_NEXT_KEY)

/**
 * struct rcumap_batch - ioctl(RCUMAP_IOC_BATCH_LOOKUP, _BATCH_UPDATE,
 *                       _BATCH_DELETE, _BATCH_LOOKUP_AND_DELETE),
 *                       hash-like maps only
 * @size: sizeof(struct rcumap_batch)
 * @flags: BATCH_UPDATE: enum rcumap_update_flags for every element.
 *         BATCH_LOOKUP and BATCH_LOOKUP_AND_DELETE: 0 or
 *         RCUMAP_WALK_ORDERED.  BATCH_DELETE: 0
 * @keys: Array of @count keys (written by BATCH_LOOKUP and
 *        BATCH_LOOKUP_AND_DELETE)
 * @values: Array of @count value buffers, out_value_stride bytes apart
 *          (written by BATCH_LOOKUP and BATCH_LOOKUP_AND_DELETE, read by
 *          BATCH_UPDATE); must be 0 for BATCH_DELETE
 * @cursor: BATCH_LOOKUP(_AND_DELETE) without flags: where the walk
 *          resumes, 0 to start; any value is safe.  Otherwise must be 0
 * @out_cursor: BATCH_LOOKUP(_AND_DELETE) without flags: the @cursor for
 *              the next call
 * @count: Elements in @keys and @values
 * @out_count: Elements processed
 * @after_key: BATCH_LOOKUP(_AND_DELETE) with RCUMAP_WALK_ORDERED: pointer
 *             to the key the walk resumes after (the last key of the
 *             previous call), or 0 to start.  Otherwise must be 0
 *
 * A positional walk (no flags) is exact for a map that is not being
 * changed; across a resize it may miss or repeat keys, and a map made
 * with RCUMAP_CREATE_RESIZE may resize itself a while after its last
 * update: walk such maps in order.  An ordered walk
 * is exact for every key present for the whole walk (see enum
 * rcumap_walk_flags), at the cost of passing the last key back.
 *
 * BATCH_LOOKUP copies out up to @count entries from @cursor on.  It makes
 * progress whatever @count is (a bucket larger than @count is returned
 * over several calls), and a walk from 0 to ENOENT returns every entry of
 * a map that is not being changed exactly once.  It returns ENOENT, with
 * @out_count 0, once the walk is over.
 *
 * A @count of 0 does nothing and succeeds, as BPF's batches do, once the
 * other fields have passed their checks: @out_count 0, @out_cursor
 * @cursor.
 *
 * BATCH_LOOKUP_AND_DELETE is BATCH_LOOKUP that deletes every entry it
 * returns, as BPF_MAP_LOOKUP_AND_DELETE_BATCH does: the value returned is
 * the one the key had when it was deleted, and an entry deleted by
 * another caller meanwhile is not returned.  It deletes an entry only
 * once the places its key and value go to have been checked writable, so
 * an EFAULT loses nothing (only a concurrent munmap() or mprotect() of the
 * arrays can still lose the entry being copied).  @out_count entries were
 * returned and deleted.  ENOMEM, before anything is done, if the kernel
 * cannot allocate the key and value buffer of the batch.
 *
 * BATCH_UPDATE and BATCH_DELETE apply the elements in order and stop at
 * the first that fails: @out_count elements succeeded, and the ioctl
 * returns that element's error (0 if all succeeded).
 *
 * @out_count is written whatever the ioctl returns, once @size and the
 * tail past the known struct have been accepted (that is, on any error but
 * EINVAL or E2BIG for @size, or EFAULT reading the struct): first 0,
 * before anything else is done (so an error before any element, EPERM,
 * EINVAL, EOPNOTSUPP, ENOMEM or EFAULT, leaves it 0), then, if elements
 * were tried, the count that succeeded (BATCH_LOOKUP: that were copied
 * out).  An EFAULT is thus never ambiguous: @out_count says how far the
 * batch went.  If even the first write of @out_count faults, the ioctl
 * fails with EFAULT having done nothing; only a concurrent munmap() or
 * mprotect() of the struct can make the last write fail after elements
 * were done.
 */
struct rcumap_batch {
	__u32 size;
	__u32 flags;
	__aligned_u64 keys;
	__aligned_u64 values;
	__aligned_u64 cursor;
	__aligned_u64 out_cursor;
	__u32 count;
	__u32 out_count;
	__aligned_u64 after_key;
};

#define RCUMAP_IOC_BATCH_LOOKUP	_IO(RCUMAP_TYPE, RCUMAP_CMD_BATCH_LOOKUP)
#define RCUMAP_IOC_BATCH_UPDATE	_IO(RCUMAP_TYPE, RCUMAP_CMD_BATCH_UPDATE)
#define RCUMAP_IOC_BATCH_DELETE	_IO(RCUMAP_TYPE, RCUMAP_CMD_BATCH_DELETE)
#define RCUMAP_IOC_BATCH_LOOKUP_AND_DELETE \
	_IO(RCUMAP_TYPE, RCUMAP_CMD_BATCH_LOOKUP_AND_DELETE)

/**
 * struct rcumap_ptab_insert - ioctl(RCUMAP_IOC_PTAB_INSERT), PTAB only
 * @size: sizeof(struct rcumap_ptab_insert)
 * @flags: Must be 0
 * @value: Pointer to the value (value_size bytes)
 * @out_id: The new entry's id
 *
 * Ids grow in insertion order; a removed id is never handed out again.
 * ENOSPC if every slot is taken.
 */
struct rcumap_ptab_insert {
	__u32 size;
	__u32 flags;
	__aligned_u64 value;
	__aligned_u64 out_id;
};

#define RCUMAP_IOC_PTAB_INSERT	_IO(RCUMAP_TYPE, RCUMAP_CMD_PTAB_INSERT)

/**
 * struct rcumap_ptab_elem - ioctl(RCUMAP_IOC_PTAB_LOOKUP, _PTAB_REMOVE),
 *                           PTAB only
 * @size: sizeof(struct rcumap_ptab_elem)
 * @flags: Must be 0
 * @id: The entry's id
 * @value: LOOKUP: where the value is written.  REMOVE: where the removed
 *         value is written, or 0
 *
 * ENOENT if no entry has @id (it was never handed out, or was removed).
 */
struct rcumap_ptab_elem {
	__u32 size;
	__u32 flags;
	__aligned_u64 id;
	__aligned_u64 value;
};

#define RCUMAP_IOC_PTAB_LOOKUP	_IO(RCUMAP_TYPE, RCUMAP_CMD_PTAB_LOOKUP)
#define RCUMAP_IOC_PTAB_REMOVE	_IO(RCUMAP_TYPE, RCUMAP_CMD_PTAB_REMOVE)

/**
 * struct rcumap_ptab_next - ioctl(RCUMAP_IOC_PTAB_NEXT), PTAB only
 * @size: sizeof(struct rcumap_ptab_next)
 * @flags: Must be 0
 * @id: Where the walk is: the entry returned has the smallest id >= @id
 * @value: Where that entry's value is written, or 0
 * @out_id: That entry's id; pass @out_id + 1 as @id to go on
 *
 * Walks in id order.  Every entry present for the whole walk is returned
 * exactly once.  ENOENT when no entry has an id >= @id.
 */
struct rcumap_ptab_next {
	__u32 size;
	__u32 flags;
	__aligned_u64 id;
	__aligned_u64 value;
	__aligned_u64 out_id;
};

#define RCUMAP_IOC_PTAB_NEXT	_IO(RCUMAP_TYPE, RCUMAP_CMD_PTAB_NEXT)

/**
 * struct rcumap_resize - ioctl(RCUMAP_IOC_RESIZE), hash-like maps only
 * @size: sizeof(struct rcumap_resize)
 * @flags: Must be 0
 * @nr_buckets: The new bucket count, 1 to RCUMAP_MAX_BUCKETS, rounded up
 *              to a power of two
 * @__reserved: Must be 0
 *
 * Resizes the bucket array now, while other users of the map go on:
 * lookups never wait and never miss a key present for the whole resize,
 * and ordered walks stay exact.  The map gets there by doubling or
 * halving its bucket count, one step at a time, and the call returns when
 * it is done.  Each step visits every bucket it leaves, empty or not: the
 * call costs the sum of the bucket counts on the way (from
 * RCUMAP_MAX_BUCKETS to 1, about 2 * RCUMAP_MAX_BUCKETS bucket visits)
 * plus the keys, whatever the map holds.  A fatal signal interrupts it.
 * A map made with RCUMAP_CREATE_RESIZE may later resize again by itself,
 * but after a success never below @nr_buckets, and above it only while it
 * holds more than two keys a bucket.
 * The memory is charged to the memory cgroup the map was created in.
 *
 * EINVAL if @nr_buckets is 0 or above RCUMAP_MAX_BUCKETS, or, for an
 * LRU_HASH map, above its max_entries rounded up to a power of two (as at
 * CREATE), or, for a map without RCUMAP_CREATE_RESIZE, below max_entries /
 * RCUMAP_BUCKET_MAX (as at CREATE).  ENOSPC if a halving step would merge
 * two buckets holding more than RCUMAP_BUCKET_MAX keys together (refused
 * before that step moves anything).  ENOMEM if an allocation failed on the
 * way, EINTR on a fatal signal: every key and value is still there and
 * unchanged, but the bucket count may be left part-way, at a step between
 * the old count and @nr_buckets; a later RESIZE goes on from there.
 */
struct rcumap_resize {
	__u32 size;
	__u32 flags;
	__u32 nr_buckets;
	__u32 __reserved;
};

#define RCUMAP_IOC_RESIZE	_IO(RCUMAP_TYPE, RCUMAP_CMD_RESIZE)

/*
 * Limits of struct rcumap_bucket_stats: more counters than a bucket of a
 * map of the device has keys (so the last one never mixes two lengths),
 * and a budget that keeps one call's RCU read-side critical section short.
 */
#define RCUMAP_STATS_MAX_HIST	128
#define RCUMAP_STATS_MAX_BUDGET	(1U << 14)

/**
 * struct rcumap_bucket_stats - ioctl(RCUMAP_IOC_BUCKET_STATS), hash-like
 *                              maps only; allowed on a read-only file
 * @size: sizeof(struct rcumap_bucket_stats)
 * @flags: Must be 0
 * @hist: Pointer to an array of @nr_hist __u32: for each length i below
 *        @nr_hist - 1, the number of buckets visited by this call that
 *        hold i keys; the last element counts those holding @nr_hist - 1
 *        keys or more.  Written whole on success, never on an error
 * @nr_hist: Elements of @hist, 1 to RCUMAP_STATS_MAX_HIST
 * @budget: Most buckets this call visits, 1 to RCUMAP_STATS_MAX_BUDGET
 * @cursor: The first bucket to visit: 0 to start, then the @out_cursor of
 *          the previous call.  Any value is safe
 * @out_cursor: Where the next call resumes: @cursor plus the buckets
 *              visited
 * @out_nr_buckets: The bucket count of the table visited: the walk is over
 *                  when @out_cursor reaches it
 * @out_longest: The most keys in one bucket among those visited (0 if
 *               they are all empty)
 *
 * A histogram of the bucket lengths of a hash-like map, in chunks of at
 * most @budget buckets, so that no call holds the RCU read lock for long:
 * the caller adds up the @hist of the calls from @cursor 0 until
 * @out_cursor equals @out_nr_buckets, and takes the largest @out_longest.
 * The length of a bucket is the number of keys in it (a PERCPU_HASH
 * map's keys, not its values).  One call costs @budget bucket loads plus
 * one load per key in the buckets visited; nothing is written to the map,
 * and no lock but the RCU read lock is taken.
 *
 * On a map that is not being changed, the sum of the @hist of a whole walk
 * is @out_nr_buckets, the sum of i * @hist[i] (with @nr_hist above the
 * longest length) is INFO's out_count, and the largest @out_longest is
 * the longest bucket.  A map being changed gives a histogram of buckets
 * read at different times.  While a resize moves the keys to a new bucket
 * array, a call counts the buckets of the array being left, which is what
 * @out_nr_buckets reports: a bucket already moved counts the keys that
 * were in it, wherever they are now.  If @out_nr_buckets changes between
 * two calls, the map resized meanwhile and the histogram mixes two arrays:
 * start again from 0 for one of a single size.
 *
 * EINVAL if @nr_hist or @budget is out of range.  ENOENT, writing
 * nothing, if @cursor is at or past the bucket count (the walk is over, or
 * the map shrank since the cursor was given).  EFAULT if @hist cannot be
 * written.
 */
struct rcumap_bucket_stats {
	__u32 size;
	__u32 flags;
	__aligned_u64 hist;
	__u32 nr_hist;
	__u32 budget;
	__u32 cursor;
	__u32 out_cursor;
	__u32 out_nr_buckets;
	__u32 out_longest;
};

#define RCUMAP_IOC_BUCKET_STATS	_IO(RCUMAP_TYPE, RCUMAP_CMD_BUCKET_STATS)

/**
 * struct rcumap_dup_rdonly - ioctl(RCUMAP_IOC_DUP_RDONLY), any map type
 * @size: sizeof(struct rcumap_dup_rdonly)
 * @flags: Must be 0
 * @out_fd: The new file descriptor (close-on-exec)
 * @__reserved: Must be 0
 *
 * Makes a new open file, read-only, that holds this file's map: the way to
 * let another process read a map but not change it (see "Read-only files"
 * above), as BPF_MAP_GET_FD_BY_ID with BPF_F_RDONLY does for BPF maps.
 * The map lives until the last file that holds it is closed, whichever
 * that is.  The new file is open for reading only, and cannot get write
 * access back: an ioctl that needs it fails there with EPERM, DUP_RDONLY
 * included (pass a read-only file itself on instead).
 *
 * EINVAL before CREATE.  EMFILE if the process has no free descriptor,
 * ENFILE or ENOMEM if the file cannot be made.  If @out_fd cannot be
 * written (EFAULT), no descriptor is left behind.
 */
struct rcumap_dup_rdonly {
	__u32 size;
	__u32 flags;
	__s32 out_fd;
	__u32 __reserved;
};

#define RCUMAP_IOC_DUP_RDONLY	_IO(RCUMAP_TYPE, RCUMAP_CMD_DUP_RDONLY)

/**
 * struct rcumap_lookup_bulk - ioctl(RCUMAP_IOC_LOOKUP_BULK), hash-like
 *                             maps only
 * @size: sizeof(struct rcumap_lookup_bulk)
 * @flags: Must be 0
 * @keys: Array of @count keys, key_size bytes each, one after the other
 * @values: Array of @count value buffers, out_value_stride bytes apart:
 *          the buffer of each key found is written, the others are not
 * @status: Array of @count __u32, one per key: 0 if the key was found,
 *          ENOENT if it is not in the map
 * @count: Keys in @keys
 * @out_count: Keys looked up, whose status (and value, if found) were
 *             written
 * @out_found: How many of them were found
 * @__reserved: Must be 0
 *
 * Looks up @count given keys, finding what @count RCUMAP_IOC_LOOKUPs
 * would (on an LRU_HASH map each key found is marked used, as LOOKUP
 * marks it), in one call and faster: the kernel hashes a group of keys
 * and fetches their buckets together, so that their cache misses overlap.
 * A key that is not in the map is no error: its status says so.  A key
 * may appear more than once.  Each value is one its key held at some
 * moment during the call.  BPF has no such call: its batch lookup is a
 * walk of the map, not a lookup of given keys.
 *
 * The keys are looked up in order, in groups; the kernel reschedules
 * between groups and returns EINTR if a fatal signal is pending.
 * @out_count is written as struct rcumap_batch's is: 0 before anything
 * can fail, then, whatever the call returns, the number of keys from the
 * first whose status (and value, if found) were written; @out_found is
 * written with it once the struct, the map and the arrays' lengths have
 * been accepted.  Statuses and values of the keys of the group that
 * failed, past @out_count, may have been written too.  EFAULT if an array
 * cannot be read or written; ENOMEM, with @out_count 0, if the kernel's
 * buffer for a group cannot be allocated.  A @count of 0 does nothing and
 * succeeds.
 */
struct rcumap_lookup_bulk {
	__u32 size;
	__u32 flags;
	__aligned_u64 keys;
	__aligned_u64 values;
	__aligned_u64 status;
	__u32 count;
	__u32 out_count;
	__u32 out_found;
	__u32 __reserved;
};

#define RCUMAP_IOC_LOOKUP_BULK	_IO(RCUMAP_TYPE, RCUMAP_CMD_LOOKUP_BULK)

#endif /* _UAPI_LINUX_RCUMAP_H */
