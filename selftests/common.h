/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the /dev/rcumap selftests: the binaries of one concern
 * each (rcumap_lengths.c, rcumap_dev.c, rcumap_hash.c, rcumap_ptab.c,
 * rcumap_percpu.c, rcumap_lru.c, rcumap_mp.c), rcumap_fail_nth.c and
 * librcumap.c.
 *
 * Conventions: @fd is an open file of /dev/rcumap; @n is the index a test
 * key is made from (make_key()), @ver the version a test value is made from
 * (make_value()); a struct shape describes the map a test made.
 *
 * For every ioctl there is a _test_cmd_<op>() that returns 0 or -errno,
 * and two wrappers for use in a TEST_F() body whose fixture has an "fd"
 * member: test_cmd_<op>(...) asserts success, test_err_<op>(errno, ...)
 * expects that errno.  A test then reads as a list of expectations.
 *
 * The _test_cmd_<op>() helpers call librcumap (tools/lib/rcumap), as a
 * program would.  Where a test holds the device to what the library hides
 * (fields the kernel must leave alone on an error), it calls the ioctl
 * itself: the tests over every ioctl in rcumap_lengths.c (length, flags,
 * pointers), the _raw_batch_*() helpers below, which fill out_count and
 * out_cursor with UNTOUCHED* first, and _test_cmd_bucket_stats(), one raw
 * call of BUCKET_STATS (the library walks the whole table).
 */
#ifndef RCUMAP_SELFTEST_COMMON_H
#define RCUMAP_SELFTEST_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/rcumap.h>
#include <rcumap/rcumap.h>

#include "kselftest_harness.h"

#define RCUMAP_DEV	"/dev/rcumap"
#define PAGE		4096UL

#define U64_PTR(p)	((__u64)(uintptr_t)(p))
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define offsetofend(T, m)	(offsetof(T, m) + sizeof(((T *)0)->m))

/*
 * The largest key and value of the fixtures' shapes, for buffers on the
 * stack.  The UAPI's limits are megabytes (RCUMAP_MAX_KEY_VALUE_SIZE):
 * the tests of larger keys and values allocate their buffers.
 */
#define TEST_MAX_KEY	4112	/* the kernel's BPF map tests' key */
#define TEST_MAX_VALUE	4096

/* Fill for fields the kernel must not have written. */
#define UNTOUCHED32	0xdeadbeefU
#define UNTOUCHED64	0xdeadbeefdeadbeefULL

/* What a test made: CREATE's parameters. */
struct shape {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 nr_buckets;
};

static inline int rcumap_open(void)
{
	return open(RCUMAP_DEV, O_RDWR | O_CLOEXEC);
}

/* A file of the device opened without write access: it can never write. */
static inline int rcumap_open_rdonly(void)
{
	return open(RCUMAP_DEV, O_RDONLY | O_CLOEXEC);
}

/* 0, or -errno.  A positive return (never documented) is passed through. */
static inline int rcumap_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* ---- Helpers, one per ioctl --------------------------------------------- */

static inline int _test_cmd_create_flags(int fd, __u32 flags, __u32 type,
					 __u32 key_size, __u32 value_size,
					 __u32 max_entries, __u32 nr_buckets)
{
	LIBRCUMAP_OPTS(rcumap_create_opts, opts, .map_flags = flags,
		       .nr_buckets = nr_buckets);

	return rcumap_map_create_fd(fd, type, key_size, value_size,
				    max_entries, &opts);
}

static inline int _test_cmd_create(int fd, __u32 type, __u32 key_size,
				   __u32 value_size, __u32 max_entries,
				   __u32 nr_buckets)
{
	return _test_cmd_create_flags(fd, 0, type, key_size, value_size,
				      max_entries, nr_buckets);
}

static inline int _test_cmd_create_shape_flags(int fd, const struct shape *s,
					       __u32 flags)
{
	return _test_cmd_create_flags(fd, flags, s->type, s->key_size,
				      s->value_size, s->max_entries,
				      s->nr_buckets);
}

static inline int _test_cmd_create_shape(int fd, const struct shape *s)
{
	return _test_cmd_create_shape_flags(fd, s, 0);
}

static inline int _test_cmd_info(int fd, struct rcumap_info *info)
{
	__u32 len = sizeof(*info);

	return rcumap_map_info(fd, info, &len);
}

static inline int _test_cmd_lookup(int fd, const void *key, void *value)
{
	return rcumap_map_lookup_elem(fd, key, value);
}

static inline int _test_cmd_update(int fd, const void *key, const void *value,
				   __u32 flags)
{
	return rcumap_map_update_elem(fd, key, value, flags);
}

static inline int _test_cmd_delete(int fd, const void *key)
{
	return rcumap_map_delete_elem(fd, key);
}

static inline int _test_cmd_lookup_and_delete(int fd, const void *key,
					      void *value)
{
	return rcumap_map_lookup_and_delete_elem(fd, key, value);
}

static inline int _test_cmd_get_next_key(int fd, const void *key,
					 void *next_key)
{
	return rcumap_map_get_next_key(fd, key, next_key);
}

/* GET_NEXT_KEY with RCUMAP_WALK_ORDERED: the key after @key, or the first. */
static inline int _test_cmd_next_key_ordered(int fd, const void *key,
					     void *next_key)
{
	return rcumap_map_get_next_key_ordered(fd, key, next_key);
}

/* GET_NEXT_KEY with @flags 0 or RCUMAP_WALK_ORDERED. */
static inline int _test_cmd_get_next_key_flags(int fd, const void *key,
					       void *next_key, __u32 flags)
{
	return flags & RCUMAP_WALK_ORDERED ?
	       _test_cmd_next_key_ordered(fd, key, next_key) :
	       _test_cmd_get_next_key(fd, key, next_key);
}

/*
 * BATCH_LOOKUP by position from @cursor: @out_count (and @out_cursor, the
 * walk's token) are written whatever the call returns.
 */
static inline int _test_cmd_batch_lookup(int fd, void *keys, void *values,
					 __u64 cursor, __u32 count,
					 __u64 *out_cursor, __u32 *out_count)
{
	__u64 token = cursor;
	int ret = rcumap_map_lookup_batch(fd, &token, &token, keys, values,
					  &count, NULL);

	if (out_cursor)
		*out_cursor = token;
	if (out_count)
		*out_count = count;
	return ret;
}

/*
 * BATCH_LOOKUP with RCUMAP_WALK_ORDERED: up to @count entries after the
 * key at @after_key (NULL: from the first key).  out_count as above.
 */
static inline int _test_cmd_batch_lookup_ordered(int fd, void *keys,
						 void *values,
						 const void *after_key,
						 __u32 count, __u32 *out_count)
{
	LIBRCUMAP_OPTS(rcumap_batch_opts, opts, .flags = RCUMAP_WALK_ORDERED);
	__u8 token[RCUMAP_BATCH_TOKEN_SIZE(RCUMAP_MAX_KEY_SIZE)];
	int ret = rcumap_map_lookup_batch(fd, (void *)after_key, token, keys,
					  values, &count, &opts);

	if (out_count)
		*out_count = count;
	return ret;
}

static inline int _test_cmd_batch_update(int fd, const void *keys,
					 const void *values, __u32 count,
					 __u32 flags, __u32 *out_count)
{
	LIBRCUMAP_OPTS(rcumap_batch_opts, opts, .elem_flags = flags);
	int ret = rcumap_map_update_batch(fd, keys, values, &count, &opts);

	if (out_count)
		*out_count = count;
	return ret;
}

static inline int _test_cmd_batch_delete(int fd, const void *keys,
					 __u32 count, __u32 *out_count)
{
	int ret = rcumap_map_delete_batch(fd, keys, &count, NULL);

	if (out_count)
		*out_count = count;
	return ret;
}

/*
 * The raw batch ioctls, for the tests of what the kernel writes: they
 * return out_count through @out_count even when the ioctl fails (the
 * contract says it is written then too); it reads UNTOUCHED32 if the
 * kernel did not write it.
 */
static inline int _raw_batch_lookup(int fd, void *keys, void *values,
				    __u64 cursor, __u32 count,
				    __u64 *out_cursor, __u32 *out_count)
{
	struct rcumap_batch cmd = {
		.size = sizeof(cmd),
		.keys = U64_PTR(keys),
		.values = U64_PTR(values),
		.cursor = cursor,
		.out_cursor = UNTOUCHED64,
		.count = count,
		.out_count = UNTOUCHED32,
	};
	int ret = rcumap_ioctl(fd, RCUMAP_IOC_BATCH_LOOKUP, &cmd);

	if (out_cursor)
		*out_cursor = cmd.out_cursor;
	if (out_count)
		*out_count = cmd.out_count;
	return ret;
}

static inline int _raw_batch_lookup_ordered(int fd, void *keys, void *values,
					    const void *after_key, __u32 count,
					    __u32 *out_count)
{
	struct rcumap_batch cmd = {
		.size = sizeof(cmd),
		.flags = RCUMAP_WALK_ORDERED,
		.keys = U64_PTR(keys),
		.values = U64_PTR(values),
		.out_cursor = UNTOUCHED64,
		.count = count,
		.out_count = UNTOUCHED32,
		.after_key = U64_PTR(after_key),
	};
	int ret = rcumap_ioctl(fd, RCUMAP_IOC_BATCH_LOOKUP, &cmd);

	if (out_count)
		*out_count = cmd.out_count;
	return ret;
}

static inline int _raw_batch_update(int fd, const void *keys,
				    const void *values, __u32 count,
				    __u32 flags, __u32 *out_count)
{
	struct rcumap_batch cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.keys = U64_PTR(keys),
		.values = U64_PTR(values),
		.count = count,
		.out_count = UNTOUCHED32,
	};
	int ret = rcumap_ioctl(fd, RCUMAP_IOC_BATCH_UPDATE, &cmd);

	if (out_count)
		*out_count = cmd.out_count;
	return ret;
}

static inline int _raw_batch_delete(int fd, const void *keys, __u32 count,
				    __u32 *out_count)
{
	struct rcumap_batch cmd = {
		.size = sizeof(cmd),
		.keys = U64_PTR(keys),
		.count = count,
		.out_count = UNTOUCHED32,
	};
	int ret = rcumap_ioctl(fd, RCUMAP_IOC_BATCH_DELETE, &cmd);

	if (out_count)
		*out_count = cmd.out_count;
	return ret;
}

/*
 * RCUMAP_IOC_LOOKUP_BULK, raw: out_count and out_found come back through
 * @out_count and @out_found whatever the ioctl returns (UNTOUCHED32 where
 * the kernel did not write them).
 */
static inline int _raw_lookup_bulk(int fd, const void *keys, void *values,
				   __u32 *status, __u32 count,
				   __u32 *out_count, __u32 *out_found)
{
	struct rcumap_lookup_bulk cmd = {
		.size = sizeof(cmd),
		.keys = U64_PTR(keys),
		.values = U64_PTR(values),
		.status = U64_PTR(status),
		.count = count,
		.out_count = UNTOUCHED32,
		.out_found = UNTOUCHED32,
	};
	int ret = rcumap_ioctl(fd, RCUMAP_IOC_LOOKUP_BULK, &cmd);

	if (out_count)
		*out_count = cmd.out_count;
	if (out_found)
		*out_found = cmd.out_found;
	return ret;
}

/* The same through librcumap, as a program calls it. */
static inline int _test_cmd_lookup_bulk(int fd, const void *keys,
					void *values, __u32 *status,
					__u32 count, __u32 *out_count,
					__u32 *out_found)
{
	int ret = rcumap_map_lookup_bulk(fd, keys, values, status, &count,
					 out_found, NULL);

	if (out_count)
		*out_count = count;
	return ret;
}

/*
 * BATCH_LOOKUP_AND_DELETE through librcumap: @token is the walk's token
 * (RCUMAP_BATCH_TOKEN_SIZE() bytes), @started whether it holds one yet.
 */
static inline int _test_cmd_batch_lookup_and_delete(int fd, void *token,
						    bool started, bool ordered,
						    void *keys, void *values,
						    __u32 count,
						    __u32 *out_count)
{
	LIBRCUMAP_OPTS(rcumap_batch_opts, opts,
		       .flags = ordered ? RCUMAP_WALK_ORDERED : 0);
	int ret = rcumap_map_lookup_and_delete_batch(fd, started ? token : NULL,
						     token, keys, values,
						     &count, &opts);

	if (out_count)
		*out_count = count;
	return ret;
}

/* The new entry's id in *@out_id; UNTOUCHED64 if none was made. */
static inline int _test_cmd_ptab_insert(int fd, const void *value,
					__u64 *out_id)
{
	if (out_id)
		*out_id = UNTOUCHED64;
	return rcumap_map_ptab_insert(fd, value, out_id);
}

static inline int _test_cmd_ptab_lookup(int fd, __u64 id, void *value)
{
	return rcumap_map_ptab_lookup(fd, id, value);
}

static inline int _test_cmd_ptab_remove(int fd, __u64 id, void *value)
{
	return rcumap_map_ptab_remove(fd, id, value);
}

/* The entry's id in *@out_id; UNTOUCHED64 if none was found. */
static inline int _test_cmd_ptab_next(int fd, __u64 id, void *value,
				      __u64 *out_id)
{
	if (out_id)
		*out_id = UNTOUCHED64;
	return rcumap_map_ptab_next(fd, id, out_id, value);
}

static inline int _test_cmd_resize(int fd, __u32 nr_buckets)
{
	return rcumap_map_resize(fd, nr_buckets);
}

/*
 * BUCKET_STATS from @cursor, one raw call: @cmd is the struct as the kernel
 * left it (its out_* fields read UNTOUCHED32 where the kernel did not write
 * them).
 */
static inline int _test_cmd_bucket_stats(int fd, __u32 *hist, __u32 nr_hist,
					 __u32 budget, __u32 cursor,
					 struct rcumap_bucket_stats *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->size = sizeof(*cmd);
	cmd->hist = U64_PTR(hist);
	cmd->nr_hist = nr_hist;
	cmd->budget = budget;
	cmd->cursor = cursor;
	cmd->out_cursor = UNTOUCHED32;
	cmd->out_nr_buckets = UNTOUCHED32;
	cmd->out_longest = UNTOUCHED32;
	return rcumap_ioctl(fd, RCUMAP_IOC_BUCKET_STATS, cmd);
}

/* DUP_RDONLY: the new descriptor in *@out_fd (-1 if none was made). */
static inline int _test_cmd_dup_rdonly(int fd, int *out_fd)
{
	int ret = rcumap_map_dup_rdonly(fd);

	if (out_fd)
		*out_fd = ret < 0 ? -1 : ret;
	return ret < 0 ? ret : 0;
}

/* ---- Wrappers for TEST_F() bodies (use self->fd) ------------------------ */

#define test_cmd_create(...) \
	ASSERT_EQ(0, _test_cmd_create(self->fd, __VA_ARGS__))
#define test_err_create(_errno, ...) \
	EXPECT_EQ(-(_errno), _test_cmd_create(self->fd, __VA_ARGS__))
#define test_cmd_create_shape(s) \
	ASSERT_EQ(0, _test_cmd_create_shape(self->fd, s))
#define test_err_create_shape(_errno, s) \
	EXPECT_EQ(-(_errno), _test_cmd_create_shape(self->fd, s))
#define test_cmd_create_shape_flags(s, flags) \
	ASSERT_EQ(0, _test_cmd_create_shape_flags(self->fd, s, flags))
#define test_cmd_info(info) \
	ASSERT_EQ(0, _test_cmd_info(self->fd, info))
#define test_err_info(_errno, info) \
	EXPECT_EQ(-(_errno), _test_cmd_info(self->fd, info))
#define test_cmd_lookup(key, value) \
	ASSERT_EQ(0, _test_cmd_lookup(self->fd, key, value))
#define test_err_lookup(_errno, key, value) \
	EXPECT_EQ(-(_errno), _test_cmd_lookup(self->fd, key, value))
#define test_cmd_update(key, value, flags) \
	ASSERT_EQ(0, _test_cmd_update(self->fd, key, value, flags))
#define test_err_update(_errno, key, value, flags) \
	EXPECT_EQ(-(_errno), _test_cmd_update(self->fd, key, value, flags))
#define test_cmd_delete(key) \
	ASSERT_EQ(0, _test_cmd_delete(self->fd, key))
#define test_err_delete(_errno, key) \
	EXPECT_EQ(-(_errno), _test_cmd_delete(self->fd, key))
#define test_cmd_lookup_and_delete(key, value) \
	ASSERT_EQ(0, _test_cmd_lookup_and_delete(self->fd, key, value))
#define test_err_lookup_and_delete(_errno, key, value) \
	EXPECT_EQ(-(_errno), _test_cmd_lookup_and_delete(self->fd, key, value))
#define test_cmd_get_next_key(key, next) \
	ASSERT_EQ(0, _test_cmd_get_next_key(self->fd, key, next))
#define test_err_get_next_key(_errno, key, next) \
	EXPECT_EQ(-(_errno), _test_cmd_get_next_key(self->fd, key, next))
#define test_cmd_lookup_bulk(...) \
	ASSERT_EQ(0, _test_cmd_lookup_bulk(self->fd, __VA_ARGS__))
#define test_cmd_batch_lookup(...) \
	ASSERT_EQ(0, _test_cmd_batch_lookup(self->fd, __VA_ARGS__))
#define test_err_batch_lookup(_errno, ...) \
	EXPECT_EQ(-(_errno), _test_cmd_batch_lookup(self->fd, __VA_ARGS__))
#define test_cmd_batch_update(...) \
	ASSERT_EQ(0, _test_cmd_batch_update(self->fd, __VA_ARGS__))
#define test_err_batch_update(_errno, ...) \
	EXPECT_EQ(-(_errno), _test_cmd_batch_update(self->fd, __VA_ARGS__))
#define test_cmd_batch_delete(...) \
	ASSERT_EQ(0, _test_cmd_batch_delete(self->fd, __VA_ARGS__))
#define test_err_batch_delete(_errno, ...) \
	EXPECT_EQ(-(_errno), _test_cmd_batch_delete(self->fd, __VA_ARGS__))
#define test_cmd_create_flags(...) \
	ASSERT_EQ(0, _test_cmd_create_flags(self->fd, __VA_ARGS__))
#define test_err_create_flags(_errno, ...) \
	EXPECT_EQ(-(_errno), _test_cmd_create_flags(self->fd, __VA_ARGS__))
#define test_cmd_next_key_ordered(key, next) \
	ASSERT_EQ(0, _test_cmd_next_key_ordered(self->fd, key, next))
#define test_err_next_key_ordered(_errno, key, next) \
	EXPECT_EQ(-(_errno), _test_cmd_next_key_ordered(self->fd, key, next))
#define test_cmd_batch_lookup_ordered(...) \
	ASSERT_EQ(0, _test_cmd_batch_lookup_ordered(self->fd, __VA_ARGS__))
#define test_err_batch_lookup_ordered(_errno, ...) \
	EXPECT_EQ(-(_errno), _test_cmd_batch_lookup_ordered(self->fd, __VA_ARGS__))
#define test_cmd_resize(nr_buckets) \
	ASSERT_EQ(0, _test_cmd_resize(self->fd, nr_buckets))
#define test_err_resize(_errno, nr_buckets) \
	EXPECT_EQ(-(_errno), _test_cmd_resize(self->fd, nr_buckets))
#define test_cmd_ptab_insert(value, out_id) \
	ASSERT_EQ(0, _test_cmd_ptab_insert(self->fd, value, out_id))
#define test_err_ptab_insert(_errno, value, out_id) \
	EXPECT_EQ(-(_errno), _test_cmd_ptab_insert(self->fd, value, out_id))
#define test_cmd_ptab_lookup(id, value) \
	ASSERT_EQ(0, _test_cmd_ptab_lookup(self->fd, id, value))
#define test_err_ptab_lookup(_errno, id, value) \
	EXPECT_EQ(-(_errno), _test_cmd_ptab_lookup(self->fd, id, value))
#define test_cmd_ptab_remove(id, value) \
	ASSERT_EQ(0, _test_cmd_ptab_remove(self->fd, id, value))
#define test_err_ptab_remove(_errno, id, value) \
	EXPECT_EQ(-(_errno), _test_cmd_ptab_remove(self->fd, id, value))
#define test_cmd_ptab_next(id, value, out_id) \
	ASSERT_EQ(0, _test_cmd_ptab_next(self->fd, id, value, out_id))
#define test_err_ptab_next(_errno, id, value, out_id) \
	EXPECT_EQ(-(_errno), _test_cmd_ptab_next(self->fd, id, value, out_id))
#define test_cmd_bucket_stats(...) \
	ASSERT_EQ(0, _test_cmd_bucket_stats(self->fd, __VA_ARGS__))
#define test_err_bucket_stats(_errno, ...) \
	EXPECT_EQ(-(_errno), _test_cmd_bucket_stats(self->fd, __VA_ARGS__))
#define test_cmd_dup_rdonly(out_fd) \
	ASSERT_EQ(0, _test_cmd_dup_rdonly(self->fd, out_fd))
#define test_err_dup_rdonly(_errno, out_fd) \
	EXPECT_EQ(-(_errno), _test_cmd_dup_rdonly(self->fd, out_fd))

/* ---- Test keys and values ----------------------------------------------- */

static inline __u64 mix64(__u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/*
 * Key number @n: its first min(8, @key_size) bytes are @n little-endian,
 * the rest a pattern of @n, so that a key read back can be checked whole.
 */
static inline void make_key(void *buf, __u32 key_size, __u64 n)
{
	__u8 *p = buf;
	__u32 i;

	for (i = 0; i < key_size; i++)
		p[i] = i < 8 ? (__u8)(n >> (8 * i)) :
			       (__u8)(mix64(n * 4099 + i) >> 56);
}

/*
 * The number of a key made by make_key(), or -1 if @buf is not one.  Of
 * any size: the key is checked byte by byte as make_key() makes it.
 */
static inline long long key_index(const void *buf, __u32 key_size)
{
	const __u8 *p = buf;
	__u64 n = 0;
	__u32 i;

	for (i = 0; i < key_size && i < 8; i++)
		n |= (__u64)p[i] << (8 * i);
	for (i = 8; i < key_size; i++)
		if (p[i] != (__u8)(mix64(n * 4099 + i) >> 56))
			return -1;
	return (long long)n;
}

static inline __u32 fnv1a(const __u8 *p, size_t len)
{
	__u32 h = 2166136261U;

	while (len--) {
		h ^= *p++;
		h *= 16777619U;
	}
	return h;
}

/*
 * The value of key @n at version @ver.  From 16 bytes up it is
 * self-checking: @n (8 bytes), @ver (4), a pattern of both, and an FNV-1a
 * checksum of everything before it (last 4 bytes), so that a reader that
 * does not know the version can still tell a torn or foreign value.
 */
static inline void make_value(void *buf, __u32 value_size, __u64 n, __u32 ver)
{
	__u8 *p = buf;
	__u32 i, start = 0, end = value_size;

	if (value_size >= 16) {
		memcpy(p, &n, 8);
		memcpy(p + 8, &ver, 4);
		start = 12;
		end = value_size - 4;
	}
	for (i = start; i < end; i++)
		p[i] = (__u8)(mix64(n * 65537 + ver * 257 + i) >> 56);
	if (value_size >= 16) {
		__u32 sum = fnv1a(p, end);

		memcpy(p + end, &sum, 4);
	}
}

/*
 * Whether @buf is what make_value() makes, of any size: checked byte by
 * byte, the checksum over the bytes as they are checked.
 */
static inline bool value_is(const void *buf, __u32 value_size, __u64 n,
			    __u32 ver)
{
	const __u8 *p = buf;
	__u32 i, start = 0, end = value_size, sum = 2166136261U;
	__u8 b;

	if (value_size >= 16) {
		if (memcmp(p, &n, 8) || memcmp(p + 8, &ver, 4))
			return false;
		for (i = 0; i < 12; i++) {
			sum ^= p[i];
			sum *= 16777619U;
		}
		start = 12;
		end = value_size - 4;
	}
	for (i = start; i < end; i++) {
		b = (__u8)(mix64(n * 65537 + ver * 257 + i) >> 56);
		if (p[i] != b)
			return false;
		sum ^= b;
		sum *= 16777619U;
	}
	return value_size < 16 || !memcmp(p + end, &sum, 4);
}

/*
 * Check a self-checking value (value_size >= 16) of key @n without knowing
 * its version; return the version, or -1 if the value is not intact.
 */
static inline long long value_check(const void *buf, __u32 value_size,
				    __u64 n)
{
	const __u8 *p = buf;
	__u32 ver, sum;
	__u64 got;

	if (value_size < 16)
		return -1;
	memcpy(&got, p, 8);
	memcpy(&ver, p + 8, 4);
	memcpy(&sum, p + value_size - 4, 4);
	if (got != n || sum != fnv1a(p, value_size - 4))
		return -1;
	if (!value_is(buf, value_size, n, ver))
		return -1;
	return ver;
}

/* The next number of an xorshift64 generator of state @s (not 0). */
static inline __u64 rnd(__u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* True if @len bytes at @p all equal @c. */
static inline bool all_bytes(const void *p, int c, size_t len)
{
	const __u8 *b = p;

	while (len--)
		if (*b++ != (__u8)c)
			return false;
	return true;
}

/* ---- Bad memory for EFAULT tests ----------------------------------------- */

/*
 * Four pages: two read-write ones, a hole (unmapped), a read-only one.
 * @rw_end: the end of the read-write pages, the start of the hole.
 * @unmapped: the hole (== @rw_end).  @ro: the zeroed read-only page.
 *
 * A one-page mmap() would likely land in the hole: every mapping these
 * tests make after badmem_init() is at least two pages long, and
 * badmem_hole_ok() says whether the hole is still one.
 */
struct badmem {
	__u8 *rw_end;
	__u8 *ro;
	__u8 *unmapped;
};

/* True if the page at @p is not mapped (msync() says ENOMEM then). */
static inline bool page_unmapped(void *p)
{
	return msync(p, PAGE, MS_ASYNC) && errno == ENOMEM;
}

static inline bool badmem_hole_ok(const struct badmem *b)
{
	return page_unmapped(b->unmapped);
}

static inline int badmem_init(struct badmem *b)
{
	__u8 *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	memset(p, 0, 4 * PAGE);
	if (munmap(p + 2 * PAGE, PAGE) || mprotect(p + 3 * PAGE, PAGE, PROT_READ))
		return -1;
	b->rw_end = p + 2 * PAGE;
	b->unmapped = b->rw_end;
	b->ro = p + 3 * PAGE;
	return badmem_hole_ok(b) ? 0 : -1;
}

/* A buffer of @len bytes (at most 2 pages) that ends right at the hole. */
static inline void *badmem_at_end(const struct badmem *b, size_t len)
{
	return b->rw_end - len;
}

/* A buffer of @len bytes (>= 1) whose last byte is in the hole. */
static inline void *badmem_straddle(const struct badmem *b, size_t len)
{
	return b->rw_end - len + 1;
}

/* ---- Maps of a test's shape ---------------------------------------------- */

/* In a TEST_F() body whose fixture holds the map's struct shape as "s". */
#define KS	(self->s.key_size)
#define VS	(self->s.value_size)
#define MAXE	(self->s.max_entries)

/* Key @n at version @ver, inserted or replaced as @flags says. */
static inline int put(int fd, const struct shape *s, __u64 n, __u32 ver,
		      __u32 flags)
{
	__u8 k[TEST_MAX_KEY], v[TEST_MAX_VALUE];

	make_key(k, s->key_size, n);
	make_value(v, s->value_size, n, ver);
	return _test_cmd_update(fd, k, v, flags);
}

static inline int del(int fd, const struct shape *s, __u64 n)
{
	__u8 k[TEST_MAX_KEY];

	make_key(k, s->key_size, n);
	return _test_cmd_delete(fd, k);
}

/*
 * 0 if key @n holds version @ver, the error of LOOKUP if it fails, and
 * -EBADMSG if it returns another value or writes past value_size.
 */
static inline int check(int fd, const struct shape *s, __u64 n, __u32 ver)
{
	__u8 k[TEST_MAX_KEY], v[TEST_MAX_VALUE + 64];
	int ret;

	make_key(k, s->key_size, n);
	memset(v, 0xa5, sizeof(v));
	ret = _test_cmd_lookup(fd, k, v);
	if (ret)
		return ret;
	if (!value_is(v, s->value_size, n, ver) ||
	    !all_bytes(v + s->value_size, 0xa5, 64))
		return -EBADMSG;
	return 0;
}

/* Keys 0 to @n - 1 at version @ver. */
static inline int fill_keys(int fd, const struct shape *s, __u64 n, __u32 ver)
{
	__u64 i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = put(fd, s, i, ver, RCUMAP_UPDATE_ANY);
		if (ret)
			return ret;
	}
	return 0;
}

/* Insert the value of number @n, version @ver; its id into @id. */
static inline int pins(int fd, const struct shape *s, __u64 n, __u32 ver,
			__u64 *id)
{
	__u8 v[TEST_MAX_VALUE];

	make_value(v, s->value_size, n, ver);
	return _test_cmd_ptab_insert(fd, v, id);
}

/* 0 if @id holds the value of @n, @ver; LOOKUP's error; -EBADMSG. */
static inline int pcheck(int fd, const struct shape *s, __u64 id, __u64 n,
			 __u32 ver)
{
	__u8 v[TEST_MAX_VALUE + 64];
	int ret;

	memset(v, 0xa5, sizeof(v));
	ret = _test_cmd_ptab_lookup(fd, id, v);
	if (ret)
		return ret;
	if (!value_is(v, s->value_size, n, ver) ||
	    !all_bytes(v + s->value_size, 0xa5, 64))
		return -EBADMSG;
	return 0;
}

/* INFO's out_count, or -errno. */
static inline long long count_of(int fd)
{
	struct rcumap_info info;
	int ret = _test_cmd_info(fd, &info);

	return ret ? (long long)ret : (long long)info.out_count;
}

/* -1 if the file has no map (INFO fails with EINVAL), else INFO's count. */
static inline long long state_of(int fd)
{
	long long c = count_of(fd);

	return c == -EINVAL ? -1 : c;
}

/* A new file holding a map of shape @s made with CREATE's @flags. */
static inline int open_map_flags(const struct shape *s, __u32 flags)
{
	int fd = rcumap_open();

	if (fd < 0)
		return -errno;
	if (_test_cmd_create_shape_flags(fd, s, flags)) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline int open_map(const struct shape *s)
{
	return open_map_flags(s, 0);
}

/*
 * Write @len bytes of @src into fresh read-only memory; ro_free() it.
 * Two pages, so that it cannot fill a struct badmem's one-page hole.
 */
static inline void *ro_copy(const void *src, size_t len)
{
	void *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, src, len);
	if (mprotect(p, 2 * PAGE, PROT_READ))
		return NULL;
	return p;
}

static inline void ro_free(void *p)
{
	munmap(p, 2 * PAGE);
}

/* ---- Bucket statistics ---------------------------------------------------- */

/*
 * What a whole BUCKET_STATS walk adds up to: the histogram summed over the
 * calls, the largest out_longest, the bucket count, and the calls made.
 */
struct stats {
	__u32 hist[RCUMAP_STATS_MAX_HIST];
	__u32 nr_buckets;
	__u32 longest;
	__u32 calls;
};

/*
 * Walk from cursor 0 in chunks of @budget with @nr_hist counters, holding
 * each call to the header: out_cursor advances by min(@budget, what is
 * left), the chunk's histogram counts that many buckets and the kernel
 * writes no counter past @nr_hist, the bucket count stays put (no test
 * resizes while it walks), and the call at the end is ENOENT and writes
 * nothing.  0, the -errno of a call that failed otherwise, or -EBADMSG if
 * a call broke a rule.
 */
static inline int stats_walk(int fd, __u32 budget, __u32 nr_hist,
			     struct stats *st)
{
	__u32 hist[RCUMAP_STATS_MAX_HIST + 1], cursor = 0, i, step;
	struct rcumap_bucket_stats c;
	__u64 sum;
	int ret;

	memset(st, 0, sizeof(*st));
	for (;;) {
		memset(hist, 0xa5, sizeof(hist));
		ret = _test_cmd_bucket_stats(fd, hist, nr_hist, budget, cursor,
					     &c);
		if (ret == -ENOENT && st->calls && cursor == st->nr_buckets) {
			if (c.out_cursor != UNTOUCHED32 ||
			    c.out_nr_buckets != UNTOUCHED32 ||
			    c.out_longest != UNTOUCHED32 ||
			    !all_bytes(hist, 0xa5, sizeof(hist)))
				return -EBADMSG;
			return 0;
		}
		if (ret)
			return ret;
		if (st->calls && c.out_nr_buckets != st->nr_buckets)
			return -EBADMSG;
		st->nr_buckets = c.out_nr_buckets;
		if (cursor >= st->nr_buckets)
			return -EBADMSG;
		step = st->nr_buckets - cursor < budget ?
		       st->nr_buckets - cursor : budget;
		if (c.out_cursor != cursor + step)
			return -EBADMSG;
		sum = 0;
		for (i = 0; i < nr_hist; i++) {
			sum += hist[i];
			st->hist[i] += hist[i];
		}
		if (sum != step ||
		    !all_bytes(hist + nr_hist, 0xa5,
			       sizeof(hist) - nr_hist * sizeof(*hist)))
			return -EBADMSG;
		if (c.out_longest > st->longest)
			st->longest = c.out_longest;
		st->calls++;
		cursor = c.out_cursor;
	}
}

/*
 * What a whole walk must give on a map that is not being changed: every
 * bucket counted once, every key once (the sum of i * hist[i]), and the
 * longest bucket at the top of the histogram.  Returns the walk.
 */
static inline struct stats
stats_check_still(struct __test_metadata *_metadata, int fd, __u32 budget)
{
	struct rcumap_info info;
	__u64 buckets = 0, keys = 0;
	struct stats st;
	__u32 i, top = 0;

	EXPECT_EQ(0, stats_walk(fd, budget, RCUMAP_STATS_MAX_HIST, &st))
		TH_LOG("budget %u", budget);
	EXPECT_EQ(0, _test_cmd_info(fd, &info));
	for (i = 0; i < RCUMAP_STATS_MAX_HIST; i++) {
		buckets += st.hist[i];
		keys += (__u64)i * st.hist[i];
		if (st.hist[i])
			top = i;
	}
	/* Else the last counter would hold buckets of several lengths. */
	EXPECT_GT(RCUMAP_STATS_MAX_HIST - 1, st.longest);
	EXPECT_EQ(info.out_nr_buckets, st.nr_buckets) TH_LOG("budget %u", budget);
	EXPECT_EQ(st.nr_buckets, buckets) TH_LOG("budget %u", budget);
	EXPECT_EQ(info.out_count, keys) TH_LOG("budget %u", budget);
	EXPECT_EQ(top, st.longest) TH_LOG("budget %u", budget);
	EXPECT_EQ((st.nr_buckets + budget - 1) / budget, st.calls)
		TH_LOG("budget %u", budget);
	return st;
}

/* ---- Time ----------------------------------------------------------------- */

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- main() with the closing "N passed, N failed" line -------------------- */

static pid_t rcumap_main_pid;

static void rcumap_print_summary(void)
{
	unsigned int passed, failed;

	/* Test children _exit(); only the harness process reports. */
	if (getpid() != rcumap_main_pid)
		return;
	passed = ksft_get_pass_cnt() + ksft_get_xfail_cnt();
	/* A skipped test counts as failed: nothing may skip to look green. */
	failed = ksft_get_fail_cnt() + ksft_get_error_cnt() +
		 ksft_get_xpass_cnt() + ksft_get_xskip_cnt();
	printf("%u passed, %u failed\n", passed, failed);
	fflush(stdout);
}

#define RCUMAP_SELFTEST_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		rcumap_main_pid = getpid();				\
		setvbuf(stdout, NULL, _IOLBF, 0);			\
		atexit(rcumap_print_summary);				\
		return test_harness_run(argc, argv);			\
	}

#endif /* RCUMAP_SELFTEST_COMMON_H */
