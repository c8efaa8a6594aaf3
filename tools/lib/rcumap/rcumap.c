// SPDX-License-Identifier: GPL-2.0
/*
 * librcumap - the calls of include/rcumap/rcumap.h, each one or a few
 * ioctls of /dev/rcumap (include/uapi/linux/rcumap.h).
 *
 * Conventions: every exported call returns through err(), so that a
 * negative return and errno always agree.  The ioctl structs live on the
 * stack and are sized by this build's header: a newer kernel reads them
 * zero-extended, an older one accepts them as long as the fields it does
 * not know are zero, which is all this library ever sends there.  Nothing
 * here allocates, locks, or keeps state between calls, except the number
 * of possible CPUs (rcumap_num_possible_cpus()).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <rcumap/rcumap.h>

#define U64_PTR(p)	((__u64)(uintptr_t)(p))

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/* A negative errno out, in errno too; anything else as it is. */
static int err(int ret)
{
	if (ret < 0)
		errno = -ret;
	return ret;
}

/* 0, or -errno. */
static int rioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) < 0 ? -errno : 0;
}

/* ---- Options ------------------------------------------------------------- */

/*
 * Check a caller's opts struct against the @known bytes of it this
 * library understands: @sz at least holds itself, and every byte past
 * @known (a newer caller's fields) is zero.  Capped as the kernel caps its
 * structs, so that a wild @sz is refused rather than scanned.
 */
static int opts_check(const void *opts, size_t known)
{
	const unsigned char *p = opts;
	size_t sz, i;

	if (!opts)
		return 0;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(size_t))
		return -EINVAL;
	if (sz > RCUMAP_MAX_STRUCT_SIZE)
		return -E2BIG;
	for (i = known; i < sz; i++)
		if (p[i])
			return -E2BIG;
	return 0;
}

#define OPTS_CHECK(opts, type, last) \
	opts_check(opts, offsetofend(struct type, last))
/* @field of @opts if the caller's struct reaches it, else @def. */
#define OPTS_GET(opts, type, field, def)				\
	((opts) && (opts)->sz >= offsetofend(struct type, field) ?	\
	 (opts)->field : (def))

/* A __u64 flags argument that the ioctl's __u32 field must hold. */
static int flags32(__u64 flags, __u32 *out)
{
	if (flags > UINT32_MAX)
		return -EOPNOTSUPP;	/* an unknown flag, as the kernel says */
	*out = (__u32)flags;
	return 0;
}

/* ---- Making a map ------------------------------------------------------- */

static int create_fd(int fd, enum rcumap_map_type map_type, __u32 key_size,
		     __u32 value_size, __u32 max_entries,
		     const struct rcumap_create_opts *opts)
{
	struct rcumap_create c;
	int ret = OPTS_CHECK(opts, rcumap_create_opts, dev_path);

	if (ret)
		return ret;
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = OPTS_GET(opts, rcumap_create_opts, map_flags, 0);
	c.map_type = map_type;
	c.key_size = key_size;
	c.value_size = value_size;
	c.max_entries = max_entries;
	c.nr_buckets = OPTS_GET(opts, rcumap_create_opts, nr_buckets, 0);
	return rioctl(fd, RCUMAP_IOC_CREATE, &c);
}

int rcumap_map_create_fd(int fd, enum rcumap_map_type map_type,
			 __u32 key_size, __u32 value_size, __u32 max_entries,
			 const struct rcumap_create_opts *opts)
{
	return err(create_fd(fd, map_type, key_size, value_size, max_entries,
			     opts));
}

int rcumap_map_create(enum rcumap_map_type map_type, __u32 key_size,
		      __u32 value_size, __u32 max_entries,
		      const struct rcumap_create_opts *opts)
{
	const char *path;
	int fd, ret;

	ret = OPTS_CHECK(opts, rcumap_create_opts, dev_path);
	if (ret)
		return err(ret);
	path = OPTS_GET(opts, rcumap_create_opts, dev_path, NULL);
	fd = open(path ? path : RCUMAP_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return err(-errno);
	ret = create_fd(fd, map_type, key_size, value_size, max_entries, opts);
	if (ret) {
		close(fd);
		return err(ret);
	}
	return fd;
}

int rcumap_map_dup_rdonly(int fd)
{
	struct rcumap_dup_rdonly d;
	int ret;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.out_fd = -1;
	ret = rioctl(fd, RCUMAP_IOC_DUP_RDONLY, &d);
	return err(ret ? ret : d.out_fd);
}

int rcumap_map_info(int fd, struct rcumap_info *info, __u32 *info_len)
{
	__u32 len;
	int ret;

	if (!info || !info_len)
		return err(-EINVAL);
	len = *info_len;
	if (len < sizeof(info->size))
		return err(-EINVAL);
	memset(info, 0, len);
	info->size = len;
	ret = rioctl(fd, RCUMAP_IOC_INFO, info);
	if (ret)
		return err(ret);
	if (len > sizeof(*info))
		*info_len = sizeof(*info);
	return 0;
}

int rcumap_map_resize(int fd, __u32 nr_buckets)
{
	struct rcumap_resize r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.nr_buckets = nr_buckets;
	return err(rioctl(fd, RCUMAP_IOC_RESIZE, &r));
}

/* ---- Hash-like maps: one element ------------------------------------- */

static int elem(int fd, unsigned long request, const void *key,
		const void *value, __u64 flags)
{
	struct rcumap_elem e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.size = sizeof(e);
	ret = flags32(flags, &e.flags);
	if (ret)
		return err(ret);
	e.key = U64_PTR(key);
	e.value = U64_PTR(value);
	return err(rioctl(fd, request, &e));
}

int rcumap_map_lookup_elem(int fd, const void *key, void *value)
{
	return elem(fd, RCUMAP_IOC_LOOKUP, key, value, 0);
}

int rcumap_map_lookup_elem_flags(int fd, const void *key, void *value,
				 __u64 flags)
{
	return elem(fd, RCUMAP_IOC_LOOKUP, key, value, flags);
}

int rcumap_map_update_elem(int fd, const void *key, const void *value,
			   __u64 flags)
{
	return elem(fd, RCUMAP_IOC_UPDATE, key, value, flags);
}

int rcumap_map_delete_elem(int fd, const void *key)
{
	return elem(fd, RCUMAP_IOC_DELETE, key, NULL, 0);
}

int rcumap_map_delete_elem_flags(int fd, const void *key, __u64 flags)
{
	return elem(fd, RCUMAP_IOC_DELETE, key, NULL, flags);
}

int rcumap_map_lookup_and_delete_elem(int fd, const void *key, void *value)
{
	return elem(fd, RCUMAP_IOC_LOOKUP_AND_DELETE, key, value, 0);
}

int rcumap_map_lookup_and_delete_elem_flags(int fd, const void *key,
					    void *value, __u64 flags)
{
	return elem(fd, RCUMAP_IOC_LOOKUP_AND_DELETE, key, value, flags);
}

static int get_next(int fd, const void *key, void *next, __u32 flags)
{
	struct rcumap_get_next_key g;

	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	g.flags = flags;
	g.key = U64_PTR(key);
	g.next_key = U64_PTR(next);
	return err(rioctl(fd, RCUMAP_IOC_GET_NEXT_KEY, &g));
}

int rcumap_map_get_next_key(int fd, const void *key, void *next_key)
{
	return get_next(fd, key, next_key, 0);
}

int rcumap_map_get_next_key_ordered(int fd, const void *key, void *next_key)
{
	return get_next(fd, key, next_key, RCUMAP_WALK_ORDERED);
}

/* ---- Hash-like maps: batches ------------------------------------------- */

/*
 * The batch struct of a call, or an error: opts checked, @count there, and
 * the flags field each op does not use zero (-EOPNOTSUPP: a flag the op
 * does not have).  An error leaves *@count 0: no element was tried.
 */
static int batch_start(struct rcumap_batch *b, __u32 *count,
		       const struct rcumap_batch_opts *opts, bool elem_flags)
{
	int ret = OPTS_CHECK(opts, rcumap_batch_opts, flags);
	__u64 flags, eflags;

	if (!count)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	b->size = sizeof(*b);
	b->count = *count;
	flags = OPTS_GET(opts, rcumap_batch_opts, flags, 0);
	eflags = OPTS_GET(opts, rcumap_batch_opts, elem_flags, 0);
	if (!ret && (elem_flags ? flags : eflags))
		ret = -EOPNOTSUPP;
	if (!ret)
		ret = flags32(elem_flags ? eflags : flags, &b->flags);
	if (ret)
		*count = 0;
	return ret;
}

/* BATCH_LOOKUP and BATCH_LOOKUP_AND_DELETE: the walks. */
static int batch_walk(int fd, unsigned long request, void *in_batch,
		      void *out_batch, void *keys, void *values, __u32 *count,
		      const struct rcumap_batch_opts *opts)
{
	struct rcumap_batch b;
	struct rcumap_info info;
	bool ordered;
	int ret;

	ret = batch_start(&b, count, opts, false);
	if (ret)
		return err(ret);
	if (!out_batch) {
		*count = 0;
		return err(-EINVAL);
	}
	ordered = b.flags & RCUMAP_WALK_ORDERED;
	b.keys = U64_PTR(keys);
	b.values = U64_PTR(values);
	if (ordered)
		b.after_key = U64_PTR(in_batch);
	else if (in_batch)
		memcpy(&b.cursor, in_batch, sizeof(b.cursor));
	/* Unless the kernel says otherwise, the walk is where it was. */
	b.out_cursor = b.cursor;
	ret = rioctl(fd, request, &b);
	*count = b.out_count;
	if (!ordered) {
		memcpy(out_batch, &b.out_cursor, sizeof(b.out_cursor));
		return err(ret);
	}
	/*
	 * An ordered walk resumes after the last key returned; copying it
	 * takes the key size, which only INFO knows (no state is kept).
	 */
	if (b.out_count && b.out_count <= b.count) {
		int ret2;

		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		ret2 = rioctl(fd, RCUMAP_IOC_INFO, &info);
		if (ret2)
			return err(ret ? ret : ret2);
		memmove(out_batch, (unsigned char *)keys +
			(size_t)(b.out_count - 1) * info.out_key_size,
			info.out_key_size);
	}
	return err(ret);
}

int rcumap_map_lookup_batch(int fd, void *in_batch, void *out_batch,
			    void *keys, void *values, __u32 *count,
			    const struct rcumap_batch_opts *opts)
{
	return batch_walk(fd, RCUMAP_IOC_BATCH_LOOKUP, in_batch, out_batch,
			  keys, values, count, opts);
}

int rcumap_map_lookup_and_delete_batch(int fd, void *in_batch,
				       void *out_batch, void *keys,
				       void *values, __u32 *count,
				       const struct rcumap_batch_opts *opts)
{
	return batch_walk(fd, RCUMAP_IOC_BATCH_LOOKUP_AND_DELETE, in_batch,
			  out_batch, keys, values, count, opts);
}

/* BATCH_UPDATE and BATCH_DELETE: elements in order, to the first failure. */
static int batch_elems(int fd, unsigned long request, const void *keys,
		       const void *values, __u32 *count,
		       const struct rcumap_batch_opts *opts)
{
	struct rcumap_batch b;
	int ret;

	ret = batch_start(&b, count, opts, true);
	if (ret)
		return err(ret);
	b.keys = U64_PTR(keys);
	b.values = U64_PTR(values);
	ret = rioctl(fd, request, &b);
	*count = b.out_count;
	return err(ret);
}

int rcumap_map_lookup_bulk(int fd, const void *keys, void *values,
			   __u32 *status, __u32 *count, __u32 *found,
			   const struct rcumap_batch_opts *opts)
{
	struct rcumap_lookup_bulk l;
	struct rcumap_batch b;
	int ret;

	if (found)
		*found = 0;
	/* The batch's checks of @count and @opts; its flags must be 0. */
	ret = batch_start(&b, count, opts, false);
	if (!ret && b.flags)
		ret = -EOPNOTSUPP;
	if (ret) {
		if (count)
			*count = 0;
		return err(ret);
	}
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.keys = U64_PTR(keys);
	l.values = U64_PTR(values);
	l.status = U64_PTR(status);
	l.count = *count;
	ret = rioctl(fd, RCUMAP_IOC_LOOKUP_BULK, &l);
	*count = l.out_count;
	if (found)
		*found = l.out_found;
	return err(ret);
}

int rcumap_map_update_batch(int fd, const void *keys, const void *values,
			    __u32 *count, const struct rcumap_batch_opts *opts)
{
	return batch_elems(fd, RCUMAP_IOC_BATCH_UPDATE, keys, values, count,
			   opts);
}

int rcumap_map_delete_batch(int fd, const void *keys, __u32 *count,
			    const struct rcumap_batch_opts *opts)
{
	return batch_elems(fd, RCUMAP_IOC_BATCH_DELETE, keys, NULL, count, opts);
}

int rcumap_map_bucket_stats(int fd, __u32 *hist, __u32 nr_hist,
			    __u32 *nr_buckets, __u32 *longest)
{
	__u32 part[RCUMAP_STATS_MAX_HIST], cursor = 0, nb = 0, top = 0, i;
	struct rcumap_bucket_stats c;
	int ret;

	if (!hist || !nr_hist || nr_hist > RCUMAP_STATS_MAX_HIST)
		return err(-EINVAL);
	memset(hist, 0, nr_hist * sizeof(*hist));
	do {
		memset(&c, 0, sizeof(c));
		c.size = sizeof(c);
		c.hist = U64_PTR(part);
		c.nr_hist = nr_hist;
		c.budget = RCUMAP_STATS_MAX_BUDGET;
		c.cursor = cursor;
		ret = rioctl(fd, RCUMAP_IOC_BUCKET_STATS, &c);
		/* ENOENT past 0: the table shrank under the cursor. */
		if (ret == -ENOENT && cursor)
			return err(-EAGAIN);
		if (ret)
			return err(ret);
		if (cursor && c.out_nr_buckets != nb)
			return err(-EAGAIN);
		nb = c.out_nr_buckets;
		for (i = 0; i < nr_hist; i++)
			hist[i] += part[i];
		if (c.out_longest > top)
			top = c.out_longest;
		cursor = c.out_cursor;
	} while (cursor < nb);
	if (nr_buckets)
		*nr_buckets = nb;
	if (longest)
		*longest = top;
	return 0;
}

/* ---- Process tables ------------------------------------------------------ */

int rcumap_map_ptab_insert(int fd, const void *value, __u64 *id)
{
	struct rcumap_ptab_insert p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.value = U64_PTR(value);
	ret = rioctl(fd, RCUMAP_IOC_PTAB_INSERT, &p);
	if (!ret && id)
		*id = p.out_id;
	return err(ret);
}

static int ptab_elem(int fd, unsigned long request, __u64 id, void *value)
{
	struct rcumap_ptab_elem p;

	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.id = id;
	p.value = U64_PTR(value);
	return err(rioctl(fd, request, &p));
}

int rcumap_map_ptab_lookup(int fd, __u64 id, void *value)
{
	return ptab_elem(fd, RCUMAP_IOC_PTAB_LOOKUP, id, value);
}

int rcumap_map_ptab_remove(int fd, __u64 id, void *value)
{
	return ptab_elem(fd, RCUMAP_IOC_PTAB_REMOVE, id, value);
}

int rcumap_map_ptab_next(int fd, __u64 id, __u64 *next_id, void *value)
{
	struct rcumap_ptab_next n;
	int ret;

	memset(&n, 0, sizeof(n));
	n.size = sizeof(n);
	n.id = id;
	n.value = U64_PTR(value);
	ret = rioctl(fd, RCUMAP_IOC_PTAB_NEXT, &n);
	if (!ret && next_id)
		*next_id = n.out_id;
	return err(ret);
}

/* ---- Per-CPU values ------------------------------------------------------ */

/*
 * A cpulist ("0-3,8,10-11\n"), one character at a time, so that it can be
 * read in chunks without allocating.  @cur is the number being read (-1:
 * none yet), @lo the start of a range, @total the CPUs counted so far.
 */
struct cpulist {
	long total, lo, cur;
	bool range;	/* after a '-' */
	bool comma;	/* after a ',': an item must follow */
};

static int cpulist_feed(struct cpulist *l, char ch)
{
	if (ch >= '0' && ch <= '9') {
		if (l->cur > (INT_MAX - 9) / 10)
			return -ERANGE;
		l->cur = (l->cur < 0 ? 0 : l->cur * 10) + (ch - '0');
		return 0;
	}
	if (ch == '-') {
		if (l->cur < 0 || l->range)
			return -EINVAL;
		l->lo = l->cur;
		l->cur = -1;
		l->range = true;
		return 0;
	}
	if (ch != ',' && ch != '\n')
		return -EINVAL;
	if (l->cur < 0) {
		/* Only a line's end may come without an item: "0-3\n" EOF. */
		if (ch == ',' || l->range || l->comma)
			return -EINVAL;
		return 0;
	}
	if (!l->range)
		l->lo = l->cur;
	if (l->cur < l->lo)
		return -EINVAL;
	l->total += l->cur - l->lo + 1;
	if (l->total > INT_MAX)
		return -ERANGE;
	l->cur = -1;
	l->range = false;
	l->comma = ch == ',';
	return 0;
}

/* The CPUs of the cpulist file @fd: the number, or a negative errno. */
static long count_cpulist(int fd)
{
	struct cpulist l = { .cur = -1 };
	char buf[256];
	ssize_t n, i;
	int ret;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			break;
		for (i = 0; i < n; i++) {
			ret = cpulist_feed(&l, buf[i]);
			if (ret)
				return ret;
		}
	}
	/* The end of the file ends the last item too. */
	ret = cpulist_feed(&l, '\n');
	if (ret)
		return ret;
	return l.total ? l.total : -EINVAL;
}

int rcumap_num_possible_cpus(void)
{
	static int cpus;	/* 0 until read; then fixed while we run */
	long n = __atomic_load_n(&cpus, __ATOMIC_RELAXED);
	int fd;

	if (n > 0)
		return (int)n;
	fd = open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err(-errno);
	n = count_cpulist(fd);
	close(fd);
	if (n < 0)
		return err((int)n);
	/* Two threads may both read it: they store the same number. */
	__atomic_store_n(&cpus, (int)n, __ATOMIC_RELAXED);
	return (int)n;
}

long rcumap_value_stride(enum rcumap_map_type map_type, __u32 value_size)
{
	unsigned long long stride = value_size;
	int cpus;

	if (map_type == RCUMAP_MAP_PERCPU_HASH) {
		cpus = rcumap_num_possible_cpus();
		if (cpus < 0)
			return cpus;
		stride = ((stride + 7) & ~7ULL) * cpus;
	}
	/* At most 2^32 * 2^31: only a 32-bit long may not hold it. */
	if (stride > LONG_MAX)
		return err(-EOVERFLOW);
	return (long)stride;
}
