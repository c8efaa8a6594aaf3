// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_percpu.c - selftests of PERCPU_HASH maps.
 *
 * Fixture:
 *   rcumap_percpu a PERCPU_HASH map, in variants of key and value size
 *
 * Every test expects one documented behaviour; nothing is skipped.  The
 * binary ends with the line "N passed, N failed" (common.h).
 */
#include "common.h"

/* ---- PERCPU_HASH maps ------------------------------------------------------ */

/*
 * The number of possible CPUs, from /sys/devices/system/cpu/possible (a
 * list of ranges such as "0-3,8"), as libbpf reads it; -1 if unreadable.
 */
static int possible_cpus(void)
{
	char buf[256], *p = buf, *end;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	long lo, hi;
	int n = 0;

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	while (*p && *p != '\n') {
		lo = strtol(p, &end, 10);
		if (end == p)
			return -1;
		hi = lo;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			p = end;
		}
		n += hi - lo + 1;
		if (*p == ',')
			p++;
	}
	return n;
}

#define ROUND8(x)	(((x) + 7U) & ~7U)

FIXTURE(rcumap_percpu) {
	int fd;
	struct shape s;
	__u32 nr_cpus;
	__u32 stride;		/* one CPU's value: ROUND8(value_size) */
	__u32 vbuf;		/* a value buffer: nr_cpus * stride */
	__u8 *a, *b;		/* value buffers, with 64 bytes of slack */
};

FIXTURE_VARIANT(rcumap_percpu) {
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
};

FIXTURE_VARIANT_ADD(rcumap_percpu, k4v4) {
	.key_size = 4, .value_size = 4, .max_entries = 64,
};

FIXTURE_VARIANT_ADD(rcumap_percpu, k8v12) {
	.key_size = 8, .value_size = 12, .max_entries = 64,
};

FIXTURE_VARIANT_ADD(rcumap_percpu, k3v8) {
	.key_size = 3, .value_size = 8, .max_entries = 32,
};

FIXTURE_VARIANT_ADD(rcumap_percpu, k256v4096) {
	.key_size = 256, .value_size = 4096,
	.max_entries = 16,
};

/* The kernel's BPF map tests' key, BPF's largest per-CPU value. */
FIXTURE_VARIANT_ADD(rcumap_percpu, k4112v32768) {
	.key_size = 4112, .value_size = RCUMAP_MAX_PERCPU_VALUE_SIZE,
	.max_entries = 8,
};

FIXTURE_SETUP(rcumap_percpu)
{
	int n = possible_cpus();

	ASSERT_LT(0, n);
	self->s = (struct shape){
		.type = RCUMAP_MAP_PERCPU_HASH,
		.key_size = variant->key_size,
		.value_size = variant->value_size,
		.max_entries = variant->max_entries,
	};
	self->nr_cpus = n;
	self->stride = ROUND8(variant->value_size);
	self->vbuf = self->nr_cpus * self->stride;
	self->a = malloc(self->vbuf + 64);
	self->b = malloc(self->vbuf + 64);
	ASSERT_TRUE(self->a && self->b);
	self->fd = rcumap_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", RCUMAP_DEV, strerror(errno));
	test_cmd_create_shape(&self->s);
}

FIXTURE_TEARDOWN(rcumap_percpu)
{
	close(self->fd);
	free(self->a);
	free(self->b);
}

/*
 * The value buffer of key @n at version @ver: CPU c's value is make_value()
 * of key n * 1000 + c, and its padding is @pad.
 */
static void pc_make(const struct shape *s, __u32 nr_cpus, void *buf, __u64 n,
		    __u32 ver, int pad)
{
	__u32 stride = ROUND8(s->value_size), c;
	__u8 *p = buf;

	for (c = 0; c < nr_cpus; c++, p += stride) {
		make_value(p, s->value_size, n * 1000 + c, ver);
		memset(p + s->value_size, pad, stride - s->value_size);
	}
}

static int pc_put(int fd, const struct shape *s, __u32 nr_cpus, void *buf,
		  __u64 n, __u32 ver, __u32 flags)
{
	__u8 k[TEST_MAX_KEY];

	make_key(k, s->key_size, n);
	/* Non-zero padding: the kernel must ignore it. */
	pc_make(s, nr_cpus, buf, n, ver, 0x5a);
	return _test_cmd_update(fd, k, buf, flags);
}

/* True if @buf is key @n's value buffer at @ver, padding zeroed. */
static bool pc_is(const struct shape *s, __u32 nr_cpus, const void *buf,
		  __u64 n, __u32 ver, __u8 *scratch)
{
	pc_make(s, nr_cpus, scratch, n, ver, 0);
	return !memcmp(buf, scratch, nr_cpus * ROUND8(s->value_size));
}

/*
 * INFO: the type, the per-CPU value size, the number of possible CPUs and
 * the stride of a value buffer; the older sizes of the struct still work
 * and get nothing past their end.
 */
TEST_F(rcumap_percpu, info_reports_cpus_and_stride)
{
	struct rcumap_info info;
	__u8 raw[sizeof(info) + 8];
	__u32 old_sizes[] = {
		offsetofend(struct rcumap_info, out_bytes_used),
		offsetofend(struct rcumap_info, __reserved),
		offsetofend(struct rcumap_info, out_nr_cpus),
	};
	size_t i;

	test_cmd_info(&info);
	EXPECT_EQ(RCUMAP_MAP_PERCPU_HASH, info.out_map_type);
	EXPECT_EQ(self->s.key_size, info.out_key_size);
	EXPECT_EQ(self->s.value_size, info.out_value_size);
	EXPECT_EQ(self->s.max_entries, info.out_max_entries);
	EXPECT_EQ(self->nr_cpus, info.out_nr_cpus);
	EXPECT_EQ(self->vbuf, info.out_value_stride);
	EXPECT_EQ(0, info.out_count);
	EXPECT_EQ(56, sizeof(info));

	for (i = 0; i < ARRAY_LEN(old_sizes); i++) {
		memset(raw, 0xa5, sizeof(raw));
		memset(raw, 0, old_sizes[i]);
		*(__u32 *)raw = old_sizes[i];
		EXPECT_EQ(0, rcumap_ioctl(self->fd, RCUMAP_IOC_INFO, raw))
			TH_LOG("size %u", old_sizes[i]);
		EXPECT_EQ(RCUMAP_MAP_PERCPU_HASH,
			  ((struct rcumap_info *)raw)->out_map_type);
		EXPECT_TRUE(all_bytes(raw + old_sizes[i], 0xa5,
				      sizeof(raw) - old_sizes[i]))
			TH_LOG("size %u: written past it", old_sizes[i]);
	}
	/* One element per stride: INFO of a HASH map says value_size. */
	{
		int fd = rcumap_open();

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, _test_cmd_create(fd, RCUMAP_MAP_HASH, 8, 12, 4, 0));
		ASSERT_EQ(0, _test_cmd_info(fd, &info));
		EXPECT_EQ(12, info.out_value_stride);
		EXPECT_EQ(self->nr_cpus, info.out_nr_cpus);
		close(fd);
	}
}

/*
 * UPDATE and LOOKUP move every CPU's value at once, in BPF's layout: the
 * padding user space sends is ignored, the padding it gets is zero, and
 * nothing past the value buffer is written.
 */
TEST_F(rcumap_percpu, round_trip_every_cpu)
{
	__u8 k[TEST_MAX_KEY];
	__u64 n;

	for (n = 0; n < 8; n++)
		ASSERT_EQ(0, pc_put(self->fd, &self->s, self->nr_cpus, self->a,
				    n, 1, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(8, count_of(self->fd));
	for (n = 0; n < 8; n++) {
		make_key(k, KS, n);
		memset(self->b, 0xa5, self->vbuf + 64);
		test_cmd_lookup(k, self->b);
		EXPECT_TRUE(pc_is(&self->s, self->nr_cpus, self->b, n, 1,
				  self->a)) TH_LOG("key %llu", (unsigned long long)n);
		EXPECT_TRUE(all_bytes(self->b + self->vbuf, 0xa5, 64));
	}
	/* Replace one: every CPU's value changes, the others stay. */
	ASSERT_EQ(0, pc_put(self->fd, &self->s, self->nr_cpus, self->a, 3, 2,
			    RCUMAP_UPDATE_EXIST));
	make_key(k, KS, 3);
	test_cmd_lookup(k, self->b);
	EXPECT_TRUE(pc_is(&self->s, self->nr_cpus, self->b, 3, 2, self->a));
	make_key(k, KS, 4);
	test_cmd_lookup(k, self->b);
	EXPECT_TRUE(pc_is(&self->s, self->nr_cpus, self->b, 4, 1, self->a));
	EXPECT_EQ(-EEXIST, pc_put(self->fd, &self->s, self->nr_cpus, self->a,
				  3, 3, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(-ENOENT, pc_put(self->fd, &self->s, self->nr_cpus, self->a,
				  100, 3, RCUMAP_UPDATE_EXIST));
	make_key(k, KS, 100);
	test_err_lookup(ENOENT, k, self->b);
	EXPECT_EQ(8, count_of(self->fd));
}

TEST_F(rcumap_percpu, lookup_and_delete_returns_every_cpu)
{
	__u8 k[TEST_MAX_KEY];

	ASSERT_EQ(0, pc_put(self->fd, &self->s, self->nr_cpus, self->a, 7, 1,
			    RCUMAP_UPDATE_ANY));
	make_key(k, KS, 7);
	memset(self->b, 0xa5, self->vbuf + 64);
	test_cmd_lookup_and_delete(k, self->b);
	EXPECT_TRUE(pc_is(&self->s, self->nr_cpus, self->b, 7, 1, self->a));
	EXPECT_TRUE(all_bytes(self->b + self->vbuf, 0xa5, 64));
	EXPECT_EQ(0, count_of(self->fd));
	test_err_lookup_and_delete(ENOENT, k, self->b);
	test_err_delete(ENOENT, k);
	ASSERT_EQ(0, pc_put(self->fd, &self->s, self->nr_cpus, self->a, 7, 1,
			    RCUMAP_UPDATE_ANY));
	test_cmd_delete(k);
	EXPECT_EQ(0, count_of(self->fd));
}

/*
 * LOOKUP_BULK returns every CPU's value of each key found, in value
 * buffers a stride apart, and ENOENT for the others; the lookup-and-delete
 * batch returns them too, and empties the map.
 */
TEST_F(rcumap_percpu, lookup_bulk_and_lookup_and_delete_batch)
{
	__u32 n = 6, m = n + 2, status[8], out, found, i, seen = 0;
	__u8 token[RCUMAP_BATCH_TOKEN_SIZE(TEST_MAX_KEY)];
	__u8 *keys = calloc(m, KS), *vals = malloc((size_t)m * self->vbuf);
	bool started = false;
	int ret;

	ASSERT_TRUE(keys && vals);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, pc_put(self->fd, &self->s, self->nr_cpus, self->a,
				    i, 1, RCUMAP_UPDATE_NOEXIST));
	for (i = 0; i < m; i++)
		make_key(keys + (size_t)i * KS, KS, i);
	memset(vals, 0xa5, (size_t)m * self->vbuf);
	test_cmd_lookup_bulk(keys, vals, status, m, &out, &found);
	EXPECT_EQ(m, out);
	EXPECT_EQ(n, found);
	for (i = 0; i < m; i++) {
		const __u8 *v = vals + (size_t)i * self->vbuf;

		EXPECT_EQ(i < n ? 0 : ENOENT, status[i]) TH_LOG("key %u", i);
		if (i < n) {
			EXPECT_TRUE(pc_is(&self->s, self->nr_cpus, v, i, 1,
					  self->a)) TH_LOG("key %u", i);
		} else {
			EXPECT_TRUE(all_bytes(v, 0xa5, self->vbuf))
				TH_LOG("key %u", i);
		}
	}

	memset(token, 0, sizeof(token));
	do {
		ret = _test_cmd_batch_lookup_and_delete(self->fd, token, started,
							false, keys, vals, 4,
							&out);
		started = true;
		ASSERT_TRUE(!ret || ret == -ENOENT) TH_LOG("got %d", ret);
		for (i = 0; i < out; i++) {
			long long k = key_index(keys + (size_t)i * KS, KS);

			ASSERT_LE(0, k);
			ASSERT_GT(n, k);
			EXPECT_TRUE(pc_is(&self->s, self->nr_cpus,
					  vals + (size_t)i * self->vbuf, k, 1,
					  self->a)) TH_LOG("key %lld", k);
		}
		seen += out;
	} while (!ret && seen <= n);
	EXPECT_EQ(-ENOENT, ret);
	EXPECT_EQ(n, seen);
	EXPECT_EQ(0, count_of(self->fd));
	free(keys);
	free(vals);
}

/* A PERCPU_HASH map is not an LRU one: a full map says ENOSPC. */
TEST_F(rcumap_percpu, full_map_enospc)
{
	__u64 n;

	for (n = 0; n < MAXE; n++)
		ASSERT_EQ(0, pc_put(self->fd, &self->s, self->nr_cpus, self->a,
				    n, 1, RCUMAP_UPDATE_ANY));
	EXPECT_EQ(-ENOSPC, pc_put(self->fd, &self->s, self->nr_cpus, self->a,
				  MAXE, 1, RCUMAP_UPDATE_ANY));
	EXPECT_EQ(MAXE, count_of(self->fd));
	/* Replacing a key of a full map needs no room. */
	EXPECT_EQ(0, pc_put(self->fd, &self->s, self->nr_cpus, self->a, 0, 2,
			    RCUMAP_UPDATE_ANY));
}

/*
 * BATCH_UPDATE, BATCH_LOOKUP (positional and ordered), GET_NEXT_KEY and
 * BATCH_DELETE: value arrays of one value buffer per element.
 */
TEST_F(rcumap_percpu, batches_and_walks)
{
	__u32 n = MAXE / 2, out, i, got = 0, seen[64] = { 0 };
	__u8 *keys = calloc(MAXE, KS), *vals = calloc(MAXE, self->vbuf);
	__u8 k[TEST_MAX_KEY], nk[TEST_MAX_KEY];
	__u64 cursor = 0;
	long long idx;
	int ret;

	ASSERT_TRUE(keys && vals);
	for (i = 0; i < n; i++) {
		make_key(keys + i * KS, KS, i);
		pc_make(&self->s, self->nr_cpus, vals + (size_t)i * self->vbuf,
			i, 4, 0x33);
	}
	test_cmd_batch_update(keys, vals, n, 0, &out);
	EXPECT_EQ(n, out);
	EXPECT_EQ(n, count_of(self->fd));

	/* Positional, three elements a call. */
	memset(keys, 0, (size_t)MAXE * KS);
	for (;;) {
		memset(vals, 0xa5, (size_t)MAXE * self->vbuf);
		ret = _test_cmd_batch_lookup(self->fd, keys, vals, cursor, 3,
					     &cursor, &out);
		if (ret == -ENOENT)
			break;
		ASSERT_EQ(0, ret);
		for (i = 0; i < out; i++) {
			idx = key_index(keys + i * KS, KS);
			ASSERT_TRUE(idx >= 0 && idx < n);
			seen[idx]++;
			EXPECT_TRUE(pc_is(&self->s, self->nr_cpus,
					  vals + (size_t)i * self->vbuf, idx, 4,
					  self->a)) TH_LOG("key %lld", idx);
		}
		EXPECT_TRUE(all_bytes(vals + (size_t)out * self->vbuf, 0xa5,
				      self->vbuf));
		got += out;
	}
	EXPECT_EQ(n, got);
	for (i = 0; i < n; i++)
		EXPECT_EQ(1, seen[i]) TH_LOG("key %u", i);

	/* Ordered, all at once. */
	test_cmd_batch_lookup_ordered(keys, vals, NULL, MAXE, &out);
	EXPECT_EQ(n, out);
	for (i = 0; i < out; i++) {
		idx = key_index(keys + i * KS, KS);
		ASSERT_TRUE(idx >= 0 && idx < n);
		EXPECT_TRUE(pc_is(&self->s, self->nr_cpus,
				  vals + (size_t)i * self->vbuf, idx, 4,
				  self->a));
	}

	/* GET_NEXT_KEY, both modes. */
	for (int mode = 0; mode < 2; mode++) {
		got = 0;
		int (*next_key)(int, const void *, void *) =
			mode ? _test_cmd_next_key_ordered : _test_cmd_get_next_key;

		ret = next_key(self->fd, NULL, nk);
		while (!ret) {
			got++;
			memcpy(k, nk, KS);
			ret = next_key(self->fd, k, nk);
		}
		EXPECT_EQ(-ENOENT, ret);
		EXPECT_EQ(n, got) TH_LOG("mode %d", mode);
	}

	/* RESIZE keeps every CPU's value. */
	test_cmd_resize(2);
	test_cmd_resize(128);
	for (i = 0; i < n; i++) {
		make_key(k, KS, i);
		test_cmd_lookup(k, self->b);
		EXPECT_TRUE(pc_is(&self->s, self->nr_cpus, self->b, i, 4,
				  self->a));
	}

	for (i = 0; i < n; i++)
		make_key(keys + i * KS, KS, i);
	test_cmd_batch_delete(keys, n, &out);
	EXPECT_EQ(n, out);
	EXPECT_EQ(0, count_of(self->fd));
	free(keys);
	free(vals);
}

/*
 * The process-table ops are not for hash-like maps: EINVAL, as on HASH;
 * and a value buffer pointer that is short of a whole value buffer faults
 * before anything changes.
 */
TEST_F(rcumap_percpu, ptab_ops_einval_and_short_buffer_efault)
{
	__u8 k[TEST_MAX_KEY], *p, *end;
	size_t len;
	__u64 id;

	test_err_ptab_insert(EINVAL, self->a, &id);
	test_err_ptab_lookup(EINVAL, 0, self->a);
	test_err_ptab_remove(EINVAL, 0, NULL);
	test_err_ptab_next(EINVAL, 0, NULL, &id);

	/* The last 8 bytes of the value buffer on an unmapped page. */
	p = mmap(NULL, self->vbuf + 2 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	len = (self->vbuf + PAGE - 1) / PAGE * PAGE;
	end = p + len;
	ASSERT_EQ(0, munmap(end, PAGE));
	ASSERT_EQ(0, pc_put(self->fd, &self->s, self->nr_cpus, self->a, 1, 1,
			    RCUMAP_UPDATE_ANY));
	make_key(k, KS, 1);
	test_err_lookup_and_delete(EFAULT, k, end - self->vbuf + 8);
	EXPECT_EQ(1, count_of(self->fd));
	test_err_lookup(EFAULT, k, end - self->vbuf + 8);
	make_key(k, KS, 2);
	memcpy(end - self->vbuf + 8, self->a, self->vbuf - 8);
	test_err_update(EFAULT, k, end - self->vbuf + 8, 0);
	EXPECT_EQ(1, count_of(self->fd));
	munmap(p, len);
	munmap(end + PAGE, self->vbuf + 2 * PAGE - len - PAGE);
}

/* CREATE's flags apply: a self-resizing per-CPU map grows. */
TEST_F(rcumap_percpu, create_flags_apply)
{
	struct rcumap_info info;
	int fd = rcumap_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, _test_cmd_create_flags(fd, RCUMAP_CREATE_RESIZE |
					    RCUMAP_CREATE_SHRINK,
					    RCUMAP_MAP_PERCPU_HASH, 8, 8,
					    1024, 0));
	ASSERT_EQ(0, _test_cmd_info(fd, &info));
	EXPECT_EQ(RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK,
		  info.out_create_flags);
	EXPECT_EQ(64, info.out_nr_buckets);
	EXPECT_EQ(-EINVAL, _test_cmd_create_flags(rcumap_open(),
						  RCUMAP_CREATE_SHRINK,
						  RCUMAP_MAP_PERCPU_HASH, 8, 8,
						  16, 0));
	close(fd);
}

/* The keys of a per-CPU map, not its values, fill its buckets. */
TEST_F(rcumap_percpu, bucket_stats_count_every_bucket_and_key)
{
	__u32 i;

	for (i = 0; i < self->s.max_entries / 2; i++) {
		ASSERT_EQ(0, pc_put(self->fd, &self->s, self->nr_cpus, self->a,
				    i, 0, RCUMAP_UPDATE_NOEXIST));
	}
	stats_check_still(_metadata, self->fd, 5);
}

RCUMAP_SELFTEST_MAIN
