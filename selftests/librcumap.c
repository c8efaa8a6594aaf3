// SPDX-License-Identifier: GPL-2.0
/*
 * librcumap.c - tests of librcumap (tools/lib/rcumap/) against the real
 * /dev/rcumap: every call, the errnos each returns (and that errno agrees
 * with the return), options structs of an older and a newer size, threads
 * sharing one descriptor, and the per-CPU layout.
 *
 * Unlike rcumap.c, which holds the device to its UAPI, this holds the
 * library to librcumap(3): what a program linked with -lrcumap sees.  A
 * test never reaches past the library to the ioctls, except for an
 * oracle (INFO's out_nr_cpus for the per-CPU count).
 *
 * Conventions: @fd is a descriptor of a map the test made; keys are __u64
 * key numbers unless a test says otherwise; EXPECT_ERR(e, call) expects
 * call to return -e and leave errno e.
 */
#include <pthread.h>
#include <sys/resource.h>

#include <rcumap/rcumap.h>

#include "common.h"

#define EXPECT_ERR(_errno, _call) do {					\
	int __ret;							\
	errno = 0;							\
	__ret = (_call);						\
	EXPECT_EQ(-(_errno), __ret);					\
	EXPECT_EQ(_errno, errno);					\
} while (0)

/* A HASH map of __u64 keys and values, and @n keys k with value k * 10. */
static int hash64(__u32 max_entries, __u32 n)
{
	int fd = rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, max_entries, NULL);
	__u64 k, v;

	for (k = 0; fd >= 0 && k < n; k++) {
		v = k * 10;
		if (rcumap_map_update_elem(fd, &k, &v, RCUMAP_UPDATE_NOEXIST))
			return -1;
	}
	return fd;
}

static __u32 info_count(int fd)
{
	struct rcumap_info info;
	__u32 len = sizeof(info);

	return rcumap_map_info(fd, &info, &len) ? ~0U : info.out_count;
}

/* The lowest free descriptor: what the next open() would return. */
static int next_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

/* ---- Making a map --------------------------------------------------------- */

TEST(create_every_type_and_info)
{
	static const struct {
		__u32 type, key_size, value_size, max_entries;
	} shapes[] = {
		{ RCUMAP_MAP_HASH, 8, 16, 128 },
		{ RCUMAP_MAP_HASH, RCUMAP_MAX_KEY_SIZE, 0, 4 },
		{ RCUMAP_MAP_PERCPU_HASH, 4, 12, 32 },
		{ RCUMAP_MAP_LRU_HASH, 4, 4, 64 },
		{ RCUMAP_MAP_PTAB, 0, RCUMAP_MAX_VALUE_SIZE, RCUMAP_MIN_CAPACITY },
	};
	struct rcumap_info info;
	__u32 len;
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_LEN(shapes); i++) {
		fd = rcumap_map_create(shapes[i].type, shapes[i].key_size,
				       shapes[i].value_size,
				       shapes[i].max_entries, NULL);
		ASSERT_LE(0, fd) TH_LOG("shape %zu: %s", i, strerror(errno));
		EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
		EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
		memset(&info, 0xa5, sizeof(info));
		len = sizeof(info);
		ASSERT_EQ(0, rcumap_map_info(fd, &info, &len));
		EXPECT_EQ(sizeof(info), len);
		EXPECT_EQ(shapes[i].type, info.out_map_type);
		EXPECT_EQ(shapes[i].key_size, info.out_key_size);
		EXPECT_EQ(shapes[i].value_size, info.out_value_size);
		EXPECT_EQ(shapes[i].max_entries, info.out_max_entries);
		EXPECT_EQ(0, info.out_count);
		EXPECT_EQ(0, info.flags);
		EXPECT_EQ(0, info.__reserved);
		EXPECT_EQ(rcumap_value_stride(shapes[i].type,
					      shapes[i].value_size),
			  info.out_value_stride);
		close(fd);
	}
}

/*
 * INFO of an older caller (a struct that ends before out_nr_cpus) gets
 * nothing past its end; a newer one (a longer struct, zero tail) works and
 * hears how much of it this header describes.  Lengths the kernel refuses
 * and those the library cannot use are errors.
 */
TEST(info_lengths)
{
	__u32 old = offsetofend(struct rcumap_info, out_bytes_used), len;
	__u8 raw[sizeof(struct rcumap_info) + 64];
	struct rcumap_info *info = (void *)raw;
	int fd = hash64(64, 3);

	ASSERT_LE(0, fd);
	memset(raw, 0xa5, sizeof(raw));
	len = old;
	ASSERT_EQ(0, rcumap_map_info(fd, info, &len));
	EXPECT_EQ(old, len);
	EXPECT_EQ(3, info->out_count);
	EXPECT_TRUE(all_bytes(raw + old, 0xa5, sizeof(raw) - old));

	memset(raw, 0xa5, sizeof(raw));
	len = sizeof(raw);
	ASSERT_EQ(0, rcumap_map_info(fd, info, &len));
	EXPECT_EQ(sizeof(*info), len);
	EXPECT_EQ(3, info->out_count);
	EXPECT_LT(0, info->out_nr_cpus);
	EXPECT_TRUE(all_bytes(raw + sizeof(*info), 0, sizeof(raw) - sizeof(*info)));

	len = old - 1;
	EXPECT_ERR(EINVAL, rcumap_map_info(fd, info, &len));
	len = 2;
	EXPECT_ERR(EINVAL, rcumap_map_info(fd, info, &len));
	EXPECT_ERR(EINVAL, rcumap_map_info(fd, NULL, &len));
	EXPECT_ERR(EINVAL, rcumap_map_info(fd, info, NULL));
	{
		__u8 *big = calloc(1, RCUMAP_MAX_STRUCT_SIZE + 1);

		ASSERT_NE(NULL, big);
		len = RCUMAP_MAX_STRUCT_SIZE + 1;
		EXPECT_ERR(E2BIG, rcumap_map_info(fd, (void *)big, &len));
		free(big);
	}
	close(fd);
}

TEST(create_errors)
{
	LIBRCUMAP_OPTS(rcumap_create_opts, bad_flag, .map_flags = 1U << 7);
	LIBRCUMAP_OPTS(rcumap_create_opts, shrink, .map_flags = RCUMAP_CREATE_SHRINK);
	LIBRCUMAP_OPTS(rcumap_create_opts, nodev, .dev_path = "/nonexistent/rcumap");
	LIBRCUMAP_OPTS(rcumap_create_opts, null, .dev_path = "/dev/null");
	int free_fd = next_fd();

	EXPECT_ERR(EINVAL, rcumap_map_create(0, 8, 8, 64, NULL));
	EXPECT_ERR(EINVAL, rcumap_map_create(99, 8, 8, 64, NULL));
	EXPECT_ERR(EINVAL, rcumap_map_create(RCUMAP_MAP_HASH, 0, 8, 64, NULL));
	/* Too big is E2BIG, as with BPF, once nothing else is wrong. */
	EXPECT_ERR(E2BIG, rcumap_map_create(RCUMAP_MAP_HASH,
					    RCUMAP_MAX_KEY_SIZE + 1, 0, 64, NULL));
	EXPECT_ERR(E2BIG, rcumap_map_create(RCUMAP_MAP_HASH, 8,
					    RCUMAP_MAX_KEY_VALUE_SIZE - 7, 64,
					    NULL));
	EXPECT_ERR(E2BIG, rcumap_map_create(RCUMAP_MAP_PERCPU_HASH, 8,
					    RCUMAP_MAX_PERCPU_VALUE_SIZE + 1, 64,
					    NULL));
	EXPECT_ERR(EINVAL, rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 0, NULL));
	EXPECT_ERR(EINVAL, rcumap_map_create(RCUMAP_MAP_PERCPU_HASH, 8, 0, 8, NULL));
	EXPECT_ERR(EINVAL, rcumap_map_create(RCUMAP_MAP_PTAB, 0, 8,
					     RCUMAP_MIN_CAPACITY + 1, NULL));
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 64, &bad_flag));
	EXPECT_ERR(EINVAL, rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 64, &shrink));
	EXPECT_ERR(ENOENT, rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 64, &nodev));
	EXPECT_ERR(ENOTTY, rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 64, &null));
	/* Every failure closed what it opened. */
	EXPECT_EQ(free_fd, next_fd());
}

TEST(create_on_open_file)
{
	LIBRCUMAP_OPTS(rcumap_create_opts, opts, .nr_buckets = 100,
		       .dev_path = "/nonexistent: create_fd does not open");
	struct rcumap_info info;
	__u32 len = sizeof(info);
	int fd = open(RCUMAP_DEV_PATH, O_RDWR | O_CLOEXEC);
	int ro = open(RCUMAP_DEV_PATH, O_RDONLY | O_CLOEXEC);
	int p[2];

	ASSERT_LE(0, fd);
	ASSERT_LE(0, ro);
	ASSERT_EQ(0, pipe(p));
	EXPECT_ERR(EINVAL, rcumap_map_info(fd, &info, &len));
	ASSERT_EQ(0, rcumap_map_create_fd(fd, RCUMAP_MAP_HASH, 8, 8, 256, &opts));
	ASSERT_EQ(0, rcumap_map_info(fd, &info, &len));
	EXPECT_EQ(128, info.out_nr_buckets);
	EXPECT_ERR(EBUSY, rcumap_map_create_fd(fd, RCUMAP_MAP_HASH, 8, 8, 256, NULL));
	EXPECT_ERR(EPERM, rcumap_map_create_fd(ro, RCUMAP_MAP_HASH, 8, 8, 256, NULL));
	EXPECT_ERR(ENOTTY, rcumap_map_create_fd(p[0], RCUMAP_MAP_HASH, 8, 8, 256, NULL));
	close(p[0]);
	close(p[1]);
	EXPECT_ERR(EBADF, rcumap_map_create_fd(p[0], RCUMAP_MAP_HASH, 8, 8, 256, NULL));
	EXPECT_ERR(EBADF, rcumap_map_lookup_elem(p[0], &len, &len));
	close(ro);
	close(fd);
}

/* ---- Options of an older and a newer size --------------------------------- */

/* What a program built against a newer header might pass. */
struct create_opts_next {
	struct rcumap_create_opts base;
	__u64 future;
};

struct batch_opts_next {
	struct rcumap_batch_opts base;
	__u64 future;
};

/*
 * An older caller's struct ends early: the library must not read past @sz
 * (the bytes there are garbage that would fail the call) and takes the
 * defaults.  A newer caller's fields must be zero: non-zero is E2BIG.
 */
TEST(create_opts_sizes)
{
	struct create_opts_next o;
	struct rcumap_info info;
	__u32 len = sizeof(info);
	int fd;

	memset(&o, 0xa5, sizeof(o));
	o.base.sz = offsetofend(struct rcumap_create_opts, map_flags);
	o.base.map_flags = RCUMAP_CREATE_RESIZE;
	fd = rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 256, &o.base);
	ASSERT_LE(0, fd) TH_LOG("older opts: %s", strerror(errno));
	ASSERT_EQ(0, rcumap_map_info(fd, &info, &len));
	EXPECT_EQ(RCUMAP_CREATE_RESIZE, info.out_create_flags);
	close(fd);

	o.base.sz = sizeof(size_t);	/* the first version of every opts */
	fd = rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 256, &o.base);
	ASSERT_LE(0, fd) TH_LOG("sz only: %s", strerror(errno));
	ASSERT_EQ(0, rcumap_map_info(fd, &info, &len));
	EXPECT_EQ(0, info.out_create_flags);
	EXPECT_EQ(256, info.out_nr_buckets);
	close(fd);

	memset(&o, 0, sizeof(o));
	o.base.sz = sizeof(o);
	o.base.nr_buckets = 16;
	fd = rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 256, &o.base);
	ASSERT_LE(0, fd) TH_LOG("newer opts, zero tail: %s", strerror(errno));
	ASSERT_EQ(0, rcumap_map_info(fd, &info, &len));
	EXPECT_EQ(16, info.out_nr_buckets);
	close(fd);
	fd = open(RCUMAP_DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_EQ(0, rcumap_map_create_fd(fd, RCUMAP_MAP_HASH, 8, 8, 256, &o.base));
	close(fd);

	o.future = 1;
	EXPECT_ERR(E2BIG, rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 256, &o.base));
	fd = open(RCUMAP_DEV_PATH, O_RDWR | O_CLOEXEC);
	EXPECT_ERR(E2BIG, rcumap_map_create_fd(fd, RCUMAP_MAP_HASH, 8, 8, 256, &o.base));
	/* Refused before the kernel saw it: the file still has no map. */
	EXPECT_EQ(0, rcumap_map_create_fd(fd, RCUMAP_MAP_HASH, 8, 8, 256, NULL));
	close(fd);
	o.future = 0;
	o.base.sz = sizeof(size_t) - 1;
	EXPECT_ERR(EINVAL, rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 256, &o.base));
	o.base.sz = RCUMAP_MAX_STRUCT_SIZE + 1;
	EXPECT_ERR(E2BIG, rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 256, &o.base));
}

TEST(batch_opts_sizes)
{
	__u64 keys[4] = { 100, 101, 102, 103 }, vals[4] = { 1, 2, 3, 4 };
	struct batch_opts_next o;
	__u32 n;
	int fd = hash64(64, 0);

	ASSERT_LE(0, fd);
	/* Older: sz only.  The garbage after it would be an unknown mode. */
	memset(&o, 0xa5, sizeof(o));
	o.base.sz = sizeof(size_t);
	n = 4;
	EXPECT_EQ(0, rcumap_map_update_batch(fd, keys, vals, &n, &o.base));
	EXPECT_EQ(4, n);
	/* Newer, zero tail: the mode it gives applies. */
	memset(&o, 0, sizeof(o));
	o.base.sz = sizeof(o);
	o.base.elem_flags = RCUMAP_UPDATE_NOEXIST;
	n = 4;
	EXPECT_ERR(EEXIST, rcumap_map_update_batch(fd, keys, vals, &n, &o.base));
	EXPECT_EQ(0, n);
	/* Newer, a field this library does not know: nothing is done. */
	o.base.elem_flags = RCUMAP_UPDATE_ANY;
	o.future = 1;
	n = 4;
	EXPECT_ERR(E2BIG, rcumap_map_delete_batch(fd, keys, &n, &o.base));
	EXPECT_EQ(0, n);
	EXPECT_EQ(4, info_count(fd));
	n = 4;
	EXPECT_ERR(E2BIG, rcumap_map_lookup_batch(fd, NULL, keys, keys, vals, &n, &o.base));
	o.future = 0;
	o.base.sz = 1;
	EXPECT_ERR(EINVAL, rcumap_map_update_batch(fd, keys, vals, &n, &o.base));
	close(fd);
}

/* ---- One element ---------------------------------------------------------- */

TEST(elem_calls_and_errnos)
{
	LIBRCUMAP_OPTS(rcumap_create_opts, opts, .nr_buckets = 1);
	struct badmem bad;
	__u64 k = 5, v = 0, w;
	int fd = rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 4, &opts);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, badmem_init(&bad));
	EXPECT_ERR(ENOENT, rcumap_map_lookup_elem(fd, &k, &v));
	EXPECT_ERR(ENOENT, rcumap_map_update_elem(fd, &k, &v, RCUMAP_UPDATE_EXIST));
	v = 50;
	EXPECT_EQ(0, rcumap_map_update_elem(fd, &k, &v, RCUMAP_UPDATE_NOEXIST));
	EXPECT_ERR(EEXIST, rcumap_map_update_elem(fd, &k, &v, RCUMAP_UPDATE_NOEXIST));
	v = 51;
	EXPECT_EQ(0, rcumap_map_update_elem(fd, &k, &v, RCUMAP_UPDATE_EXIST));
	EXPECT_EQ(0, rcumap_map_lookup_elem(fd, &k, &w));
	EXPECT_EQ(51, w);
	EXPECT_EQ(0, rcumap_map_lookup_elem_flags(fd, &k, &w, 0));
	EXPECT_EQ(51, w);
	/* Unknown modes and flags: the kernel's EOPNOTSUPP, or above 32 bits ours. */
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_update_elem(fd, &k, &v,
						      RCUMAP_UPDATE_NOEXIST | RCUMAP_UPDATE_EXIST));
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_update_elem(fd, &k, &v, 1ULL << 32));
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_lookup_elem_flags(fd, &k, &w, 1));
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_lookup_elem_flags(fd, &k, &w, 1ULL << 40));
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_delete_elem_flags(fd, &k, 1));
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_lookup_and_delete_elem_flags(fd, &k, &w, 1));
	EXPECT_EQ(1, info_count(fd));
	/* Bad pointers: EFAULT, nothing lost. */
	EXPECT_ERR(EFAULT, rcumap_map_lookup_elem(fd, bad.unmapped, &w));
	EXPECT_ERR(EFAULT, rcumap_map_lookup_elem(fd, &k, bad.ro));
	EXPECT_ERR(EFAULT, rcumap_map_update_elem(fd, &k, NULL, RCUMAP_UPDATE_ANY));
	EXPECT_ERR(EFAULT, rcumap_map_lookup_and_delete_elem(fd, &k, bad.unmapped));
	EXPECT_EQ(1, info_count(fd));
	/* A full map: ENOSPC, not BPF's E2BIG. */
	for (k = 100; k < 103; k++)
		EXPECT_EQ(0, rcumap_map_update_elem(fd, &k, &k, RCUMAP_UPDATE_ANY));
	EXPECT_ERR(ENOSPC, rcumap_map_update_elem(fd, &k, &k, RCUMAP_UPDATE_ANY));
	/* Delete, lookup-and-delete. */
	k = 5;
	w = 0;
	EXPECT_EQ(0, rcumap_map_lookup_and_delete_elem(fd, &k, &w));
	EXPECT_EQ(51, w);
	EXPECT_ERR(ENOENT, rcumap_map_lookup_and_delete_elem_flags(fd, &k, &w, 0));
	k = 100;
	EXPECT_EQ(0, rcumap_map_delete_elem(fd, &k));
	EXPECT_ERR(ENOENT, rcumap_map_delete_elem(fd, &k));
	k = 101;
	EXPECT_EQ(0, rcumap_map_delete_elem_flags(fd, &k, 0));
	EXPECT_EQ(1, info_count(fd));
	close(fd);
}

/* A map of value_size 0 takes NULL values. */
TEST(zero_sized_values)
{
	__u32 k = 7;
	int fd = rcumap_map_create(RCUMAP_MAP_HASH, 4, 0, 8, NULL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, rcumap_map_update_elem(fd, &k, NULL, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(0, rcumap_map_lookup_elem(fd, &k, NULL));
	EXPECT_EQ(0, rcumap_map_lookup_and_delete_elem(fd, &k, NULL));
	EXPECT_ERR(ENOENT, rcumap_map_lookup_elem(fd, &k, NULL));
	close(fd);
}

/* The wrong kind of map, or none: EINVAL. */
TEST(wrong_map_einval)
{
	int h = hash64(64, 1), p = rcumap_map_create(RCUMAP_MAP_PTAB, 0, 8, 64, NULL);
	int none = open(RCUMAP_DEV_PATH, O_RDWR | O_CLOEXEC);
	__u64 k = 0, v, id;
	__u32 hist[4], n = 1;

	ASSERT_LE(0, h);
	ASSERT_LE(0, p);
	ASSERT_LE(0, none);
	EXPECT_ERR(EINVAL, rcumap_map_lookup_elem(p, &k, &v));
	EXPECT_ERR(EINVAL, rcumap_map_get_next_key(p, NULL, &k));
	EXPECT_ERR(EINVAL, rcumap_map_lookup_batch(p, NULL, &v, &k, &v, &n, NULL));
	EXPECT_ERR(EINVAL, rcumap_map_resize(p, 64));
	EXPECT_ERR(EINVAL, rcumap_map_bucket_stats(p, hist, 4, NULL, NULL));
	EXPECT_ERR(EINVAL, rcumap_map_ptab_insert(h, &v, &id));
	EXPECT_ERR(EINVAL, rcumap_map_ptab_next(h, 0, &id, &v));
	EXPECT_ERR(EINVAL, rcumap_map_update_elem(none, &k, &v, 0));
	EXPECT_ERR(EINVAL, rcumap_map_dup_rdonly(none));
	close(none);
	close(p);
	close(h);
}

/* ---- Walks ------------------------------------------------------------------ */

#define WALK_N	40

TEST(get_next_key_both_walks)
{
	__u64 k, next, first;
	int seen[WALK_N], fd = hash64(WALK_N, WALK_N), ret, i, mode;
	struct badmem bad;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, badmem_init(&bad));
	for (mode = 0; mode < 2; mode++) {
		int (*next_key)(int, const void *, void *) = mode ?
			rcumap_map_get_next_key_ordered : rcumap_map_get_next_key;

		memset(seen, 0, sizeof(seen));
		for (ret = next_key(fd, NULL, &next); !ret;
		     ret = next_key(fd, &k, &next)) {
			ASSERT_LT(next, WALK_N);
			seen[next]++;
			k = next;
		}
		EXPECT_EQ(-ENOENT, ret);
		EXPECT_EQ(ENOENT, errno);
		for (i = 0; i < WALK_N; i++)
			EXPECT_EQ(1, seen[i]) TH_LOG("mode %d key %d", mode, i);
		EXPECT_ERR(EFAULT, next_key(fd, NULL, bad.ro));
		EXPECT_ERR(EFAULT, next_key(fd, bad.unmapped, &next));
	}
	/*
	 * From a key not in the map: BPF's walk starts again at the first key,
	 * the ordered walk goes on after it.
	 */
	ASSERT_EQ(0, rcumap_map_get_next_key(fd, NULL, &first));
	k = 1000;
	ASSERT_EQ(0, rcumap_map_get_next_key(fd, &k, &next));
	EXPECT_EQ(first, next);
	ASSERT_EQ(0, rcumap_map_get_next_key_ordered(fd, NULL, &first));
	ASSERT_EQ(0, rcumap_map_get_next_key_ordered(fd, &first, &next));
	k = first;
	ASSERT_EQ(0, rcumap_map_delete_elem(fd, &k));
	ASSERT_EQ(0, rcumap_map_get_next_key_ordered(fd, &first, &k));
	EXPECT_EQ(next, k);
	close(fd);
}

/*
 * A walk of @fd with rcumap_map_lookup_batch(), @count at a time, @flags as
 * the opts say; seen[k] counts key k.  The token is one buffer, passed as
 * in_batch and out_batch at once.  0 or the error that ended it early.
 */
static int batch_walk(int fd, __u64 flags, __u32 count, int *seen, int n,
		      __u32 *calls)
{
	LIBRCUMAP_OPTS(rcumap_batch_opts, opts, .flags = flags);
	__u64 keys[16], vals[16], token[RCUMAP_BATCH_TOKEN_SIZE(8) / 8];
	void *in = NULL;
	__u32 got, i;
	int ret;

	memset(seen, 0, n * sizeof(*seen));
	*calls = 0;
	for (;;) {
		got = count;
		ret = rcumap_map_lookup_batch(fd, in, token, keys, vals, &got, &opts);
		if (ret)
			return ret == -ENOENT && !got ? 0 : ret;
		if (!got || got > count || ++*calls > (__u32)n + 1)
			return -EPROTO;
		for (i = 0; i < got; i++) {
			if (keys[i] >= (__u64)n || vals[i] != keys[i] * 10)
				return -EBADMSG;
			seen[keys[i]]++;
		}
		/* An ordered walk's token is the last key it returned. */
		if ((flags & RCUMAP_WALK_ORDERED) && token[0] != keys[got - 1])
			return -EBADMSG;
		in = token;
	}
}

TEST(lookup_batch_both_walks)
{
	int seen[WALK_N], fd = hash64(WALK_N, WALK_N), i, mode;
	__u32 count, calls;

	ASSERT_LE(0, fd);
	for (mode = 0; mode < 2; mode++) {
		for (count = 1; count <= 16; count += 5) {
			EXPECT_EQ(0, batch_walk(fd, mode ? RCUMAP_WALK_ORDERED : 0,
						count, seen, WALK_N, &calls))
				TH_LOG("mode %d count %u", mode, count);
			for (i = 0; i < WALK_N; i++)
				EXPECT_EQ(1, seen[i]) TH_LOG("mode %d count %u key %d",
							     mode, count, i);
			EXPECT_LE((WALK_N + count - 1) / count, calls);
		}
	}
	close(fd);
}

/* An ordered walk resumes after any key, in the map or not. */
TEST(lookup_batch_ordered_token_is_a_key)
{
	LIBRCUMAP_OPTS(rcumap_batch_opts, opts, .flags = RCUMAP_WALK_ORDERED);
	__u64 first, second, keys[2], vals[2], token = 0xdeadbeef;
	int fd = hash64(WALK_N, WALK_N);
	__u32 n = 1;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rcumap_map_get_next_key_ordered(fd, NULL, &first));
	ASSERT_EQ(0, rcumap_map_get_next_key_ordered(fd, &first, &second));
	ASSERT_EQ(0, rcumap_map_delete_elem(fd, &first));
	ASSERT_EQ(0, rcumap_map_lookup_batch(fd, &first, &token, keys, vals, &n, &opts));
	EXPECT_EQ(1, n);
	EXPECT_EQ(second, keys[0]);
	EXPECT_EQ(second, token);
	close(fd);
}

TEST(batch_errnos)
{
	LIBRCUMAP_OPTS(rcumap_batch_opts, noexist, .elem_flags = RCUMAP_UPDATE_NOEXIST);
	LIBRCUMAP_OPTS(rcumap_batch_opts, walk_in_update, .flags = RCUMAP_WALK_ORDERED);
	LIBRCUMAP_OPTS(rcumap_batch_opts, mode_in_lookup, .elem_flags = RCUMAP_UPDATE_ANY + 1);
	LIBRCUMAP_OPTS(rcumap_batch_opts, bad_walk, .flags = 1U << 5);
	LIBRCUMAP_OPTS(rcumap_batch_opts, bad_mode, .elem_flags = 7);
	__u64 keys[4] = { 100, 1, 2, 3 }, vals[4] = { 1000, 10, 20, 30 }, token;
	struct badmem bad;
	__u32 n;
	int fd = hash64(8, 3);	/* keys 0, 1, 2 */

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, badmem_init(&bad));
	/* Update: the first element that fails stops the batch. */
	n = 4;
	EXPECT_ERR(EEXIST, rcumap_map_update_batch(fd, keys, vals, &n, &noexist));
	EXPECT_EQ(1, n);
	EXPECT_EQ(4, info_count(fd));
	n = 4;
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_update_batch(fd, keys, vals, &n, &walk_in_update));
	EXPECT_EQ(0, n);
	n = 4;
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_update_batch(fd, keys, vals, &n, &bad_mode));
	EXPECT_EQ(0, n);
	/* No elements: nothing done, no error, as in BPF. */
	n = 0;
	EXPECT_EQ(0, rcumap_map_update_batch(fd, keys, vals, &n, NULL));
	EXPECT_EQ(0, n);
	EXPECT_ERR(EINVAL, rcumap_map_update_batch(fd, keys, vals, NULL, NULL));
	n = 4;
	EXPECT_ERR(EFAULT, rcumap_map_update_batch(fd, bad.unmapped, vals, &n, NULL));
	EXPECT_EQ(0, n);
	/* Delete: stops at the first absent key. */
	keys[1] = 50;
	n = 4;
	EXPECT_ERR(ENOENT, rcumap_map_delete_batch(fd, keys, &n, NULL));
	EXPECT_EQ(1, n);
	n = 4;
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_delete_batch(fd, keys, &n, &noexist));
	EXPECT_EQ(0, n);
	n = 4;
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_delete_batch(fd, keys, &n, &walk_in_update));
	n = 0;
	EXPECT_EQ(0, rcumap_map_delete_batch(fd, keys, &n, NULL));
	EXPECT_EQ(0, n);
	EXPECT_EQ(3, info_count(fd));	/* 0, 1 and 2 once more, 100 gone */
	/* Lookup. */
	n = 0;
	token = 7;
	EXPECT_EQ(0, rcumap_map_lookup_batch(fd, NULL, &token, keys, vals, &n, NULL));
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, token);	/* in_batch NULL: the walk starts at 0, stays there */
	n = 4;
	EXPECT_ERR(EINVAL, rcumap_map_lookup_batch(fd, NULL, NULL, keys, vals, &n, NULL));
	EXPECT_ERR(EINVAL, rcumap_map_lookup_batch(fd, NULL, &token, keys, vals, NULL, NULL));
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_lookup_batch(fd, NULL, &token, keys, vals, &n,
						       &mode_in_lookup));
	n = 4;
	EXPECT_ERR(EOPNOTSUPP, rcumap_map_lookup_batch(fd, NULL, &token, keys, vals, &n,
						       &bad_walk));
	n = 4;
	EXPECT_ERR(EFAULT, rcumap_map_lookup_batch(fd, NULL, &token, bad.ro, vals, &n, NULL));
	EXPECT_EQ(0, n);
	n = 4;
	EXPECT_ERR(EFAULT, rcumap_map_lookup_batch(fd, bad.unmapped, &token, keys, vals, &n,
						   &walk_in_update));
	EXPECT_EQ(0, n);
	close(fd);
}

/* The positional token after the end: ENOENT again, count 0. */
TEST(lookup_batch_end)
{
	__u64 keys[8], vals[8], token;
	__u32 n = 8;
	int fd = hash64(8, 2);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rcumap_map_lookup_batch(fd, NULL, &token, keys, vals, &n, NULL));
	EXPECT_EQ(2, n);
	n = 8;
	EXPECT_ERR(ENOENT, rcumap_map_lookup_batch(fd, &token, &token, keys, vals, &n, NULL));
	EXPECT_EQ(0, n);
	n = 8;
	EXPECT_ERR(ENOENT, rcumap_map_lookup_batch(fd, &token, &token, keys, vals, &n, NULL));
	EXPECT_EQ(0, n);
	close(fd);
}

/* ---- RESIZE and bucket statistics ---------------------------------------- */

TEST(resize_and_bucket_stats)
{
	LIBRCUMAP_OPTS(rcumap_create_opts, grows, .map_flags = RCUMAP_CREATE_RESIZE);
	__u32 hist[RCUMAP_STATS_MAX_HIST], nb, longest, i, top = 0;
	__u64 keys = 0, buckets = 0, k;
	struct rcumap_info info;
	__u32 len = sizeof(info);
	int fd = hash64(1024, 500);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rcumap_map_resize(fd, 1000));
	ASSERT_EQ(0, rcumap_map_info(fd, &info, &len));
	EXPECT_EQ(1024, info.out_nr_buckets);
	/* The whole table, one counter per length. */
	ASSERT_EQ(0, rcumap_map_bucket_stats(fd, hist, RCUMAP_STATS_MAX_HIST, &nb, &longest));
	EXPECT_EQ(1024, nb);
	for (i = 0; i < RCUMAP_STATS_MAX_HIST; i++) {
		buckets += hist[i];
		keys += (__u64)i * hist[i];
		if (hist[i])
			top = i;
	}
	EXPECT_EQ(nb, buckets);
	EXPECT_EQ(500, keys);
	EXPECT_EQ(top, longest);
	/* Two counters: empty buckets and the others. */
	ASSERT_EQ(0, rcumap_map_bucket_stats(fd, hist, 2, NULL, NULL));
	EXPECT_EQ(1024, hist[0] + hist[1]);
	EXPECT_ERR(EINVAL, rcumap_map_bucket_stats(fd, hist, 0, NULL, NULL));
	EXPECT_ERR(EINVAL, rcumap_map_bucket_stats(fd, hist, RCUMAP_STATS_MAX_HIST + 1,
						   NULL, NULL));
	EXPECT_ERR(EINVAL, rcumap_map_bucket_stats(fd, NULL, 4, NULL, NULL));
	/* Resize: 0 and below the bucket bound of a fixed map are EINVAL. */
	EXPECT_ERR(EINVAL, rcumap_map_resize(fd, 0));
	EXPECT_ERR(EINVAL, rcumap_map_resize(fd, 1024 / RCUMAP_BUCKET_MAX / 2));
	close(fd);
	/* A map that may resize: a shrink that overfills a bucket is ENOSPC. */
	fd = rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 1024, &grows);
	ASSERT_LE(0, fd);
	for (k = 0; k < 2 * RCUMAP_BUCKET_MAX; k++)
		ASSERT_EQ(0, rcumap_map_update_elem(fd, &k, &k, RCUMAP_UPDATE_ANY));
	EXPECT_ERR(ENOSPC, rcumap_map_resize(fd, 1));
	EXPECT_EQ(2 * RCUMAP_BUCKET_MAX, info_count(fd));
	close(fd);
}

/* ---- Read-only descriptors ------------------------------------------------- */

TEST(dup_rdonly)
{
	__u64 k = 1, v, keys[4], vals[4], token;
	__u32 hist[4], n = 4;
	int fd = hash64(64, 4), ro, fd2;
	struct rlimit rl;

	ASSERT_LE(0, fd);
	ro = rcumap_map_dup_rdonly(fd);
	ASSERT_LE(0, ro);
	EXPECT_NE(fd, ro);
	EXPECT_EQ(O_RDONLY, fcntl(ro, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(FD_CLOEXEC, fcntl(ro, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, rcumap_map_lookup_elem(ro, &k, &v));
	EXPECT_EQ(10, v);
	EXPECT_EQ(0, rcumap_map_get_next_key(ro, NULL, &k));
	EXPECT_EQ(0, rcumap_map_lookup_batch(ro, NULL, &token, keys, vals, &n, NULL));
	EXPECT_EQ(0, rcumap_map_bucket_stats(ro, hist, 4, NULL, NULL));
	EXPECT_ERR(EPERM, rcumap_map_update_elem(ro, &k, &v, 0));
	EXPECT_ERR(EPERM, rcumap_map_delete_elem(ro, &k));
	EXPECT_ERR(EPERM, rcumap_map_lookup_and_delete_elem(ro, &k, &v));
	n = 4;
	EXPECT_ERR(EPERM, rcumap_map_update_batch(ro, keys, vals, &n, NULL));
	EXPECT_EQ(0, n);
	n = 4;
	EXPECT_ERR(EPERM, rcumap_map_delete_batch(ro, keys, &n, NULL));
	EXPECT_ERR(EPERM, rcumap_map_resize(ro, 128));
	EXPECT_ERR(EPERM, rcumap_map_dup_rdonly(ro));
	EXPECT_ERR(EPERM, rcumap_map_create_fd(ro, RCUMAP_MAP_HASH, 8, 8, 8, NULL));
	EXPECT_EQ(4, info_count(ro));
	/* The map outlives the descriptor that made it. */
	close(fd);
	k = 3;
	EXPECT_EQ(0, rcumap_map_lookup_elem(ro, &k, &v));
	EXPECT_EQ(30, v);
	close(ro);

	/* No descriptor left: EMFILE, from the dup and from create's open. */
	fd2 = hash64(64, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_cur = fd2 + 1;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	/* Fill any hole below the limit. */
	do
		fd = dup(0);
	while (fd >= 0);
	EXPECT_ERR(EMFILE, rcumap_map_dup_rdonly(fd2));
	EXPECT_ERR(EMFILE, rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, 8, NULL));
	close(fd2);
}

/* ---- Process tables --------------------------------------------------------- */

TEST(ptab_calls)
{
	__u64 id, ids[RCUMAP_MIN_CAPACITY], v, next, last = 0;
	int fd = rcumap_map_create(RCUMAP_MAP_PTAB, 0, 8, RCUMAP_MIN_CAPACITY, NULL);
	struct badmem bad;
	__u32 i, walked;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, badmem_init(&bad));
	for (i = 0; i < RCUMAP_MIN_CAPACITY; i++) {
		v = 1000 + i;
		ASSERT_EQ(0, rcumap_map_ptab_insert(fd, &v, &ids[i]));
		if (i)
			EXPECT_LT(last, ids[i]);
		last = ids[i];
	}
	v = 1;
	EXPECT_ERR(ENOSPC, rcumap_map_ptab_insert(fd, &v, &id));
	EXPECT_ERR(ENOSPC, rcumap_map_ptab_insert(fd, &v, NULL));
	EXPECT_EQ(0, rcumap_map_ptab_lookup(fd, ids[3], &v));
	EXPECT_EQ(1003, v);
	EXPECT_ERR(EFAULT, rcumap_map_ptab_lookup(fd, ids[3], bad.ro));
	EXPECT_EQ(0, rcumap_map_ptab_remove(fd, ids[3], &v));
	EXPECT_EQ(1003, v);
	EXPECT_EQ(0, rcumap_map_ptab_remove(fd, ids[4], NULL));
	EXPECT_ERR(ENOENT, rcumap_map_ptab_lookup(fd, ids[3], &v));
	EXPECT_ERR(ENOENT, rcumap_map_ptab_remove(fd, ids[4], NULL));
	/* A freed slot gives a new, larger id. */
	v = 7;
	ASSERT_EQ(0, rcumap_map_ptab_insert(fd, &v, NULL));
	ASSERT_EQ(0, rcumap_map_ptab_next(fd, last + 1, &id, &v));
	EXPECT_EQ(7, v);
	/* The walk in id order: every entry once, values included. */
	walked = 0;
	for (id = 0; !rcumap_map_ptab_next(fd, id, &next, &v); id = next + 1) {
		EXPECT_LE(id, next);
		walked++;
	}
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(RCUMAP_MIN_CAPACITY - 1, walked);
	EXPECT_EQ(0, rcumap_map_ptab_next(fd, 0, NULL, NULL));
	EXPECT_ERR(ENOENT, rcumap_map_ptab_next(fd, next + 1, &id, NULL));
	close(fd);
}

/* ---- Per-CPU values --------------------------------------------------------- */

/* The possible CPUs: the kernel's count, the library's, and the strides. */
TEST(percpu_helpers)
{
	static const __u32 sizes[] = { 1, 4, 8, 12, RCUMAP_MAX_VALUE_SIZE };
	struct rcumap_info info;
	__u32 len;
	size_t i;
	int cpus = rcumap_num_possible_cpus(), fd;

	ASSERT_LT(0, cpus);
	EXPECT_EQ(cpus, rcumap_num_possible_cpus());
	for (i = 0; i < ARRAY_LEN(sizes); i++) {
		fd = rcumap_map_create(RCUMAP_MAP_PERCPU_HASH, 4, sizes[i], 4, NULL);
		ASSERT_LE(0, fd);
		len = sizeof(info);
		ASSERT_EQ(0, rcumap_map_info(fd, &info, &len));
		EXPECT_EQ(cpus, info.out_nr_cpus);
		EXPECT_EQ(info.out_value_stride,
			  rcumap_value_stride(RCUMAP_MAP_PERCPU_HASH, sizes[i]));
		EXPECT_EQ((long)cpus * ((sizes[i] + 7) & ~7U),
			  rcumap_value_stride(RCUMAP_MAP_PERCPU_HASH, sizes[i]));
		EXPECT_EQ(sizes[i], rcumap_value_stride(RCUMAP_MAP_HASH, sizes[i]));
		EXPECT_EQ(sizes[i], rcumap_value_stride(RCUMAP_MAP_LRU_HASH, sizes[i]));
		EXPECT_EQ(sizes[i], rcumap_value_stride(RCUMAP_MAP_PTAB, sizes[i]));
		close(fd);
	}
}

#define PC_THREADS	8

static void *pc_count(void *arg)
{
	pthread_barrier_t *b = arg;

	pthread_barrier_wait(b);
	return (void *)(long)rcumap_num_possible_cpus();
}

/* The first read of the count, by many threads at once: one answer. */
TEST(percpu_count_first_read_races)
{
	pthread_t t[PC_THREADS];
	pthread_barrier_t b;
	void *got[PC_THREADS];
	int i;

	ASSERT_EQ(0, pthread_barrier_init(&b, NULL, PC_THREADS));
	for (i = 0; i < PC_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, pc_count, &b));
	for (i = 0; i < PC_THREADS; i++)
		ASSERT_EQ(0, pthread_join(t[i], &got[i]));
	for (i = 0; i < PC_THREADS; i++) {
		EXPECT_LT(0, (long)got[i]);
		EXPECT_EQ((long)got[0], (long)got[i]);
	}
	EXPECT_EQ((long)got[0], rcumap_num_possible_cpus());
}

/*
 * A value buffer is one value_size value per possible CPU, each padded to
 * 8 bytes: the library's stride lays it out, the kernel keeps every CPU's
 * value, ignores the padding it gets and zeroes the padding it gives.
 */
TEST(percpu_layout)
{
	const __u32 vs = 12, slot = 16;
	long stride = rcumap_value_stride(RCUMAP_MAP_PERCPU_HASH, vs);
	int cpus = rcumap_num_possible_cpus(), fd, c;
	__u8 *in, *out, *batch;
	__u32 k = 9, keys[2], n = 2, kb[2] = { 1, 2 };
	__u64 token;

	ASSERT_LT(0, cpus);
	ASSERT_EQ((long)cpus * slot, stride);
	in = malloc(stride);
	out = malloc(stride + 8);
	batch = malloc(2 * stride);
	ASSERT_TRUE(in && out && batch);
	fd = rcumap_map_create(RCUMAP_MAP_PERCPU_HASH, 4, vs, 8, NULL);
	ASSERT_LE(0, fd);
	for (c = 0; c < cpus; c++) {
		memset(in + c * slot, c + 1, vs);
		memset(in + c * slot + vs, 0x5a, slot - vs);	/* padding */
	}
	ASSERT_EQ(0, rcumap_map_update_elem(fd, &k, in, RCUMAP_UPDATE_NOEXIST));
	memset(out, 0xa5, stride + 8);
	ASSERT_EQ(0, rcumap_map_lookup_elem(fd, &k, out));
	for (c = 0; c < cpus; c++) {
		EXPECT_TRUE(all_bytes(out + c * slot, c + 1, vs)) TH_LOG("cpu %d", c);
		EXPECT_TRUE(all_bytes(out + c * slot + vs, 0, slot - vs)) TH_LOG("cpu %d", c);
	}
	EXPECT_TRUE(all_bytes(out + stride, 0xa5, 8));
	/* Batches: one value buffer per element, stride bytes apart. */
	memcpy(batch, in, stride);
	memcpy(batch + stride, in, stride);
	ASSERT_EQ(0, rcumap_map_update_batch(fd, kb, batch, &n, NULL));
	ASSERT_EQ(2, n);
	EXPECT_EQ(0, rcumap_map_delete_elem(fd, &k));
	memset(batch, 0xa5, 2 * stride);
	n = 2;
	ASSERT_EQ(0, rcumap_map_lookup_batch(fd, NULL, &token, keys, batch, &n, NULL));
	ASSERT_EQ(2, n);
	for (c = 0; c < 2 * cpus; c++) {
		int cpu = c % cpus;

		EXPECT_TRUE(all_bytes(batch + c * slot, cpu + 1, vs)) TH_LOG("slot %d", c);
		EXPECT_TRUE(all_bytes(batch + c * slot + vs, 0, slot - vs));
	}
	close(fd);
	free(in);
	free(out);
	free(batch);
}

/* ---- Threads sharing one descriptor ----------------------------------------- */

#define MT_THREADS	4
#define MT_KEYS		256	/* each thread's own keys */
#define MT_ROUNDS	40

struct mt {
	int fd;
	int index;
	pthread_barrier_t *start;
	int errors;		/* calls that did not do what they should */
	int bad_reads;		/* reads of a key or value no one wrote */
};

/* Key @i of thread @t, and its value at @round. */
static __u64 mt_key(int t, int i)
{
	return (__u64)t << 32 | i;
}

static __u64 mt_value(__u64 key, int round)
{
	return key * 1000003 + round;
}

/*
 * Rounds of every write call on the thread's own keys (so that each
 * result is known), with lookups, both walks and batch lookups of the
 * whole map, whose results are only checked for consistency (a key some
 * thread owns, a value it wrote some round).
 */
static void *mt_worker(void *arg)
{
	LIBRCUMAP_OPTS(rcumap_batch_opts, exist, .elem_flags = RCUMAP_UPDATE_EXIST);
	LIBRCUMAP_OPTS(rcumap_batch_opts, ordered, .flags = RCUMAP_WALK_ORDERED);
	__u64 keys[MT_KEYS], vals[MT_KEYS], k, v, next, token;
	struct mt *m = arg;
	int r, i, ret;
	__u32 n;

	pthread_barrier_wait(m->start);
	for (r = 1; r <= MT_ROUNDS; r++) {
		for (i = 0; i < MT_KEYS; i++) {
			keys[i] = mt_key(m->index, i);
			vals[i] = mt_value(keys[i], r);
		}
		/* Round r: every key at r, by one call each or by a batch. */
		if (r % 2) {
			for (i = 0; i < MT_KEYS; i++)
				m->errors += !!rcumap_map_update_elem(m->fd, &keys[i],
								      &vals[i],
								      RCUMAP_UPDATE_EXIST);
		} else {
			n = MT_KEYS;
			m->errors += !!rcumap_map_update_batch(m->fd, keys, vals, &n, &exist);
			m->errors += n != MT_KEYS;
		}
		for (i = 0; i < MT_KEYS; i += 7) {
			m->errors += rcumap_map_lookup_elem(m->fd, &keys[i], &v) ||
				     v != vals[i];
			/* Out and back in, with its value. */
			m->errors += rcumap_map_lookup_and_delete_elem(m->fd, &keys[i], &v) ||
				     v != vals[i];
			m->errors += rcumap_map_lookup_elem(m->fd, &keys[i], &v) != -ENOENT;
			m->errors += !!rcumap_map_update_elem(m->fd, &keys[i], &vals[i],
							      RCUMAP_UPDATE_NOEXIST);
		}
		/* Others' keys: whatever round they are at, a value they wrote. */
		k = mt_key((m->index + 1) % MT_THREADS, r % MT_KEYS);
		ret = rcumap_map_lookup_elem(m->fd, &k, &v);
		m->bad_reads += ret ? ret != -ENOENT :
				(v - k * 1000003) > MT_ROUNDS;
		/* An ordered walk of a bit of the map, and a batch of it. */
		for (ret = rcumap_map_get_next_key_ordered(m->fd, NULL, &next), i = 0;
		     !ret && i < 32; i++) {
			m->bad_reads += (next >> 32) >= MT_THREADS ||
					(next & 0xffffffff) >= MT_KEYS;
			k = next;
			ret = rcumap_map_get_next_key_ordered(m->fd, &k, &next);
		}
		m->errors += ret && ret != -ENOENT;
		n = MT_KEYS;
		ret = rcumap_map_lookup_batch(m->fd, NULL, &token, keys, vals, &n, &ordered);
		m->errors += !!ret;
		for (i = 0; !ret && i < (int)n; i++)
			m->bad_reads += (keys[i] >> 32) >= MT_THREADS ||
					(vals[i] - keys[i] * 1000003) > MT_ROUNDS;
	}
	return NULL;
}

TEST(threads_share_one_fd)
{
	struct mt m[MT_THREADS];
	pthread_t tid[MT_THREADS];
	pthread_barrier_t start;
	int fd, t, i;
	__u64 k, v;

	fd = rcumap_map_create(RCUMAP_MAP_HASH, 8, 8, MT_THREADS * MT_KEYS, NULL);
	ASSERT_LE(0, fd);
	for (t = 0; t < MT_THREADS; t++) {
		for (i = 0; i < MT_KEYS; i++) {
			k = mt_key(t, i);
			v = mt_value(k, 0);
			ASSERT_EQ(0, rcumap_map_update_elem(fd, &k, &v, RCUMAP_UPDATE_NOEXIST));
		}
	}
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, MT_THREADS));
	for (t = 0; t < MT_THREADS; t++) {
		m[t] = (struct mt){ .fd = fd, .index = t, .start = &start };
		ASSERT_EQ(0, pthread_create(&tid[t], NULL, mt_worker, &m[t]));
	}
	for (t = 0; t < MT_THREADS; t++) {
		ASSERT_EQ(0, pthread_join(tid[t], NULL));
		EXPECT_EQ(0, m[t].errors) TH_LOG("thread %d", t);
		EXPECT_EQ(0, m[t].bad_reads) TH_LOG("thread %d", t);
	}
	/* Every key at the last round. */
	EXPECT_EQ(MT_THREADS * MT_KEYS, info_count(fd));
	for (t = 0; t < MT_THREADS; t++) {
		for (i = 0; i < MT_KEYS; i++) {
			k = mt_key(t, i);
			ASSERT_EQ(0, rcumap_map_lookup_elem(fd, &k, &v));
			EXPECT_EQ(mt_value(k, MT_ROUNDS), v) TH_LOG("thread %d key %d", t, i);
		}
	}
	close(fd);
}

/* An LRU map through the library: a full map evicts instead of failing. */
TEST(lru_evicts)
{
	int fd = rcumap_map_create(RCUMAP_MAP_LRU_HASH, 8, 8, 8, NULL);
	__u64 k, v;

	ASSERT_LE(0, fd);
	for (k = 0; k < 32; k++)
		EXPECT_EQ(0, rcumap_map_update_elem(fd, &k, &k, RCUMAP_UPDATE_NOEXIST));
	/* With no update running, at most max_entries keys. */
	EXPECT_GE(8, info_count(fd));
	EXPECT_LT(0, info_count(fd));
	for (k = 0, v = 0; !rcumap_map_get_next_key(fd, v ? &k : NULL, &k); v++)
		;
	EXPECT_EQ(info_count(fd), v);
	close(fd);
}

RCUMAP_SELFTEST_MAIN
