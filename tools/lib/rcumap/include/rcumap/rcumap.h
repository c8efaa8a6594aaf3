/* SPDX-License-Identifier: GPL-2.0 */
/*
 * librcumap - the maps of /dev/rcumap from C, shaped like libbpf's
 * low-level map calls (tools/lib/bpf/bpf.h).
 *
 * A program that uses bpf_map_update_elem(fd, key, value, flags) moves to
 * rcumap by renaming: rcumap_map_update_elem(fd, key, value, flags).  Every
 * call returns 0 (or a file descriptor, or a count where it says so) on
 * success, and a negative errno on failure, with errno set to the same
 * value, as libbpf 1.0 does.  The errnos are rcumap's, not BPF's, where
 * the two differ; librcumap(3) has the table.
 *
 * Calls that may grow take a struct of options, size first, made with
 * LIBRCUMAP_OPTS():
 *
 *	LIBRCUMAP_OPTS(rcumap_create_opts, opts, .map_flags = RCUMAP_CREATE_RESIZE);
 *	int fd = rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 1024, &opts);
 *
 * A program built against an older header passes a shorter struct: the
 * fields it does not know take their defaults.  One built against a newer
 * header passes a longer one: fields this library does not know must be
 * zero, else the call fails with -E2BIG (a @sz below sizeof(size_t) is
 * -EINVAL).  NULL opts means every default.
 *
 * The library keeps no state (but the number of possible CPUs, once read),
 * takes no lock and allocates nothing: every call may run in any thread,
 * on a descriptor other threads use too.  See librcumap(3) and
 * Documentation/librcumap.rst.
 */
#ifndef __RCUMAP_RCUMAP_H
#define __RCUMAP_RCUMAP_H

#include <stddef.h>
#include <string.h>

#include <linux/types.h>
#include <linux/rcumap.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LIBRCUMAP_API
#define LIBRCUMAP_API __attribute__((visibility("default")))
#endif

#define LIBRCUMAP_MAJOR_VERSION	0
#define LIBRCUMAP_MINOR_VERSION	1

/* The device rcumap_map_create() opens unless its opts name another. */
#define RCUMAP_DEV_PATH		"/dev/rcumap"

/*
 * LIBRCUMAP_OPTS(TYPE, NAME, ...) - declare struct TYPE NAME, every byte
 * zero (padding included), .sz set, then the fields given, as LIBBPF_OPTS.
 */
#define LIBRCUMAP_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = ({						\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE) {						\
			.sz = sizeof(struct TYPE),			\
			__VA_ARGS__					\
		};							\
	})

/* ---- Making a map ------------------------------------------------------- */

/**
 * struct rcumap_create_opts - options of rcumap_map_create()
 * @sz: sizeof(struct rcumap_create_opts)
 * @map_flags: enum rcumap_create_flags (hash-like maps); default 0
 * @nr_buckets: HASH: the bucket count, 0 for the default (see struct
 *              rcumap_create); default 0
 * @dev_path: The device rcumap_map_create() opens; default RCUMAP_DEV_PATH.
 *            rcumap_map_create_fd() does not use it
 */
struct rcumap_create_opts {
	size_t sz;
	__u32 map_flags;
	__u32 nr_buckets;
	const char *dev_path;
	size_t :0;
};

/*
 * Open the device (read-write, close-on-exec) and make a map in it: the
 * new descriptor, or a negative errno.  @key_size is 0 for a PTAB map,
 * @max_entries its capacity.
 */
LIBRCUMAP_API int rcumap_map_create(enum rcumap_map_type map_type,
				    __u32 key_size, __u32 value_size,
				    __u32 max_entries,
				    const struct rcumap_create_opts *opts);
/* Make the map of @fd, an open file of the device that has none: 0. */
LIBRCUMAP_API int rcumap_map_create_fd(int fd, enum rcumap_map_type map_type,
				       __u32 key_size, __u32 value_size,
				       __u32 max_entries,
				       const struct rcumap_create_opts *opts);
/* A new read-only (and close-on-exec) descriptor of @fd's map. */
LIBRCUMAP_API int rcumap_map_dup_rdonly(int fd);
/*
 * RCUMAP_IOC_INFO into @info, whose size the caller gives in *@info_len
 * (sizeof(*info)): the library zeroes that much first.  On success
 * *@info_len is the bytes of it that this header's struct rcumap_info
 * describes; fields a kernel does not know read 0.
 */
LIBRCUMAP_API int rcumap_map_info(int fd, struct rcumap_info *info,
				  __u32 *info_len);
/* RCUMAP_IOC_RESIZE: hash-like maps. */
LIBRCUMAP_API int rcumap_map_resize(int fd, __u32 nr_buckets);

/* ---- Hash-like maps: one element ------------------------------------- */

/*
 * BPF's calls.  A value is a value buffer: value_size bytes, or for a
 * PERCPU_HASH map rcumap_value_stride() bytes, every CPU's value.  It may
 * be NULL when value_size is 0.  @flags of update: RCUMAP_UPDATE_ANY,
 * _NOEXIST or _EXIST (BPF_ANY, BPF_NOEXIST, BPF_EXIST); of the _flags
 * variants: 0, the only flags rcumap has there.
 */
LIBRCUMAP_API int rcumap_map_lookup_elem(int fd, const void *key, void *value);
LIBRCUMAP_API int rcumap_map_lookup_elem_flags(int fd, const void *key,
					       void *value, __u64 flags);
LIBRCUMAP_API int rcumap_map_update_elem(int fd, const void *key,
					 const void *value, __u64 flags);
LIBRCUMAP_API int rcumap_map_delete_elem(int fd, const void *key);
LIBRCUMAP_API int rcumap_map_delete_elem_flags(int fd, const void *key,
					       __u64 flags);
LIBRCUMAP_API int rcumap_map_lookup_and_delete_elem(int fd, const void *key,
						    void *value);
LIBRCUMAP_API int rcumap_map_lookup_and_delete_elem_flags(int fd,
							  const void *key,
							  void *value,
							  __u64 flags);
/*
 * The key after @key (NULL: the first key) into @next_key; -ENOENT after
 * the last.  BPF's semantics: a @key no longer in the map restarts the
 * walk.  The _ordered variant walks in the map's own order instead, from
 * whatever @key is, present or not: every key present for the whole walk
 * comes exactly once, deletes and resizes notwithstanding.
 */
LIBRCUMAP_API int rcumap_map_get_next_key(int fd, const void *key,
					  void *next_key);
LIBRCUMAP_API int rcumap_map_get_next_key_ordered(int fd, const void *key,
						  void *next_key);

/* ---- Hash-like maps: batches ------------------------------------------- */

/**
 * struct rcumap_batch_opts - options of the batch calls
 * @sz: sizeof(struct rcumap_batch_opts)
 * @elem_flags: rcumap_map_update_batch(): the update mode of every element
 *              (RCUMAP_UPDATE_*).  The others: 0
 * @flags: rcumap_map_lookup_batch(): 0 or RCUMAP_WALK_ORDERED.  The
 *         others: 0
 */
struct rcumap_batch_opts {
	size_t sz;
	__u64 elem_flags;
	__u64 flags;
	size_t :0;
};

/*
 * The bytes of an in_batch/out_batch token of a map of @key_size: a
 * positional walk's token is an 8-byte cursor, an ordered walk's the last
 * key returned.
 */
#define RCUMAP_BATCH_TOKEN_SIZE(key_size) ((key_size) > 8 ? (size_t)(key_size) : (size_t)8)

/*
 * Up to *@count entries into @keys and @values, resuming where @in_batch
 * says (NULL: from the start); the token to resume from goes to
 * @out_batch (which may be @in_batch).  *@count becomes the number
 * returned.  0 while there are entries, -ENOENT with *@count 0 once the
 * walk is over.
 */
LIBRCUMAP_API int rcumap_map_lookup_batch(int fd, void *in_batch,
					  void *out_batch, void *keys,
					  void *values, __u32 *count,
					  const struct rcumap_batch_opts *opts);
/*
 * rcumap_map_lookup_batch() that deletes each entry it returns, as
 * bpf_map_lookup_and_delete_batch() does; an entry is deleted only once
 * the places its key and value go to are known to be writable, so an
 * EFAULT loses nothing.  Since LIBRCUMAP_0.2.
 */
LIBRCUMAP_API int rcumap_map_lookup_and_delete_batch(int fd, void *in_batch,
						     void *out_batch,
						     void *keys, void *values,
						     __u32 *count,
						     const struct rcumap_batch_opts *opts);
/*
 * *@count elements in order, stopping at the first that fails: then
 * *@count is the number that succeeded and the call returns that
 * element's error.
 */
LIBRCUMAP_API int rcumap_map_update_batch(int fd, const void *keys,
					  const void *values, __u32 *count,
					  const struct rcumap_batch_opts *opts);
LIBRCUMAP_API int rcumap_map_delete_batch(int fd, const void *keys,
					  __u32 *count,
					  const struct rcumap_batch_opts *opts);

/*
 * Look up *@count given keys (key_size bytes each, one after the other)
 * in one call.  For each key found its value buffer in @values is
 * written and its @status is 0; for a key not in the map, its status is
 * ENOENT and its value buffer is left alone.  Neither is an error of the
 * call.  *@count becomes the number of keys looked up, and *@found (if
 * not NULL) how many of them were found.  Returns 0, or the error that
 * stopped the call after the first *@count keys.  @opts: its flags and
 * elem_flags must be 0.  Since LIBRCUMAP_0.2.
 */
LIBRCUMAP_API int rcumap_map_lookup_bulk(int fd, const void *keys,
					 void *values, __u32 *status,
					 __u32 *count, __u32 *found,
					 const struct rcumap_batch_opts *opts);

/*
 * How long the buckets are: @hist[i] buckets hold i keys (the last of
 * @nr_hist counters, 1 to RCUMAP_STATS_MAX_HIST, every longer one), in
 * one walk of RCUMAP_IOC_BUCKET_STATS over the whole table.  The bucket
 * count and the longest bucket go to *@nr_buckets and *@longest (either
 * may be NULL).  -EAGAIN if the map resized under the walk: try again.
 */
LIBRCUMAP_API int rcumap_map_bucket_stats(int fd, __u32 *hist, __u32 nr_hist,
					  __u32 *nr_buckets, __u32 *longest);

/* ---- Process tables ------------------------------------------------------ */

/* A new entry holding @value; its id into *@id (may be NULL). */
LIBRCUMAP_API int rcumap_map_ptab_insert(int fd, const void *value, __u64 *id);
LIBRCUMAP_API int rcumap_map_ptab_lookup(int fd, __u64 id, void *value);
/* @value receives the removed value, or is NULL. */
LIBRCUMAP_API int rcumap_map_ptab_remove(int fd, __u64 id, void *value);
/*
 * The entry with the smallest id >= @id: its id into *@next_id (go on
 * from *@next_id + 1), its value into @value (may be NULL).  -ENOENT when
 * there is none.
 */
LIBRCUMAP_API int rcumap_map_ptab_next(int fd, __u64 id, __u64 *next_id,
				       void *value);

/* ---- Per-CPU values ------------------------------------------------------ */

/*
 * The number of possible CPUs, from /sys/devices/system/cpu/possible (as
 * libbpf_num_possible_cpus()): a PERCPU_HASH value buffer holds that many
 * values.  Read once, then remembered.
 */
LIBRCUMAP_API int rcumap_num_possible_cpus(void);
/*
 * The bytes of one value buffer of a map of @map_type and @value_size:
 * PERCPU_HASH: rcumap_num_possible_cpus() * round_up(@value_size, 8).
 * Others: @value_size.  What RCUMAP_IOC_INFO's out_value_stride says.
 */
LIBRCUMAP_API long rcumap_value_stride(enum rcumap_map_type map_type,
				       __u32 value_size);

#ifdef __cplusplus
}
#endif

#endif /* __RCUMAP_RCUMAP_H */
