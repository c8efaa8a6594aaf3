// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_hash.c - selftests of HASH maps: element ioctls,
 * GET_NEXT_KEY, batches, bucket statistics, ordered walks and RESIZE.
 *
 * Fixture:
 *   rcumap_hash  a HASH map, in variants of key and value size
 *
 * Every test expects one documented behaviour; nothing is skipped.  The
 * binary ends with the line "N passed, N failed" (common.h).
 */
#include "common.h"

/* ---- HASH maps --------------------------------------------------------------- */

FIXTURE(rcumap_hash) {
	int fd;
	struct shape s;
	struct badmem bad;
};

FIXTURE_VARIANT(rcumap_hash) {
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 nr_buckets;
};

FIXTURE_VARIANT_ADD(rcumap_hash, k4v4) {
	.key_size = 4, .value_size = 4, .max_entries = 128,
};

FIXTURE_VARIANT_ADD(rcumap_hash, k8v8) {
	.key_size = 8, .value_size = 8, .max_entries = 128,
};

FIXTURE_VARIANT_ADD(rcumap_hash, k16v64) {
	.key_size = 16, .value_size = 64, .max_entries = 128,
};

FIXTURE_VARIANT_ADD(rcumap_hash, k64v256) {
	.key_size = 64, .value_size = 256, .max_entries = 64,
};

/* Odd key size, no value, fewer buckets than entries. */
FIXTURE_VARIANT_ADD(rcumap_hash, k3v0) {
	.key_size = 3, .value_size = 0, .max_entries = 64, .nr_buckets = 16,
};

FIXTURE_VARIANT_ADD(rcumap_hash, k256v4096) {
	.key_size = 256, .value_size = 4096,
	.max_entries = 32, .nr_buckets = 8,
};

FIXTURE_SETUP(rcumap_hash)
{
	self->s = (struct shape){
		.type = RCUMAP_MAP_HASH,
		.key_size = variant->key_size,
		.value_size = variant->value_size,
		.max_entries = variant->max_entries,
		.nr_buckets = variant->nr_buckets,
	};
	self->fd = rcumap_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", RCUMAP_DEV, strerror(errno));
	test_cmd_create_shape(&self->s);
	ASSERT_EQ(0, badmem_init(&self->bad));
}

FIXTURE_TEARDOWN(rcumap_hash)
{
	close(self->fd);
}

TEST_F(rcumap_hash, info_tracks_count_and_bytes)
{
	struct rcumap_info info;
	__u64 bytes0, bytes1;

	test_cmd_info(&info);
	EXPECT_EQ(RCUMAP_MAP_HASH, info.out_map_type);
	EXPECT_EQ(KS, info.out_key_size);
	EXPECT_EQ(VS, info.out_value_size);
	EXPECT_EQ(MAXE, info.out_max_entries);
	if (self->s.nr_buckets) {
		EXPECT_EQ(self->s.nr_buckets, info.out_nr_buckets);
	} else {
		EXPECT_LE(MAXE, info.out_nr_buckets);
	}
	EXPECT_EQ(0, info.out_count);
	bytes0 = info.out_bytes_used;
	EXPECT_LT(0, bytes0);

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, MAXE / 2, 0));
	test_cmd_info(&info);
	EXPECT_EQ(MAXE / 2, info.out_count);
	bytes1 = info.out_bytes_used;
	EXPECT_LT(bytes0, bytes1);
	/* Every entry holds at least its key and value. */
	EXPECT_LE(bytes0 + (__u64)(MAXE / 2) * (KS + VS), bytes1);

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, MAXE, 0));
	test_cmd_info(&info);
	EXPECT_EQ(MAXE, info.out_count);
	EXPECT_LT(bytes1, info.out_bytes_used);

	ASSERT_EQ(0, del(self->fd, &self->s, 0));
	EXPECT_EQ(MAXE - 1, count_of(self->fd));
}

TEST_F(rcumap_hash, update_any_inserts_and_replaces)
{
	EXPECT_EQ(-ENOENT, check(self->fd, &self->s, 5, 0));
	ASSERT_EQ(0, put(self->fd, &self->s, 5, 0, RCUMAP_UPDATE_ANY));
	EXPECT_EQ(0, check(self->fd, &self->s, 5, 0));
	EXPECT_EQ(1, count_of(self->fd));
	ASSERT_EQ(0, put(self->fd, &self->s, 5, 1, RCUMAP_UPDATE_ANY));
	if (VS) {
		EXPECT_EQ(-EBADMSG, check(self->fd, &self->s, 5, 0));
	}
	EXPECT_EQ(0, check(self->fd, &self->s, 5, 1));
	EXPECT_EQ(1, count_of(self->fd));
}

TEST_F(rcumap_hash, update_noexist)
{
	ASSERT_EQ(0, put(self->fd, &self->s, 9, 0, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(-EEXIST, put(self->fd, &self->s, 9, 1, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(0, check(self->fd, &self->s, 9, 0));
	EXPECT_EQ(1, count_of(self->fd));
	ASSERT_EQ(0, del(self->fd, &self->s, 9));
	EXPECT_EQ(0, put(self->fd, &self->s, 9, 2, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(0, check(self->fd, &self->s, 9, 2));
}

TEST_F(rcumap_hash, update_exist)
{
	EXPECT_EQ(-ENOENT, put(self->fd, &self->s, 3, 0, RCUMAP_UPDATE_EXIST));
	EXPECT_EQ(-ENOENT, check(self->fd, &self->s, 3, 0));
	EXPECT_EQ(0, count_of(self->fd));
	ASSERT_EQ(0, put(self->fd, &self->s, 3, 0, RCUMAP_UPDATE_ANY));
	EXPECT_EQ(0, put(self->fd, &self->s, 3, 1, RCUMAP_UPDATE_EXIST));
	EXPECT_EQ(0, check(self->fd, &self->s, 3, 1));
	EXPECT_EQ(1, count_of(self->fd));
	ASSERT_EQ(0, del(self->fd, &self->s, 3));
	EXPECT_EQ(-ENOENT, put(self->fd, &self->s, 3, 2, RCUMAP_UPDATE_EXIST));
	EXPECT_EQ(0, count_of(self->fd));
}

TEST_F(rcumap_hash, lookup_and_delete_absent_enoent)
{
	__u8 k[TEST_MAX_KEY], v[TEST_MAX_VALUE];

	make_key(k, KS, 1);
	test_err_lookup(ENOENT, k, v);
	test_err_delete(ENOENT, k);
	test_err_lookup_and_delete(ENOENT, k, v);
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, 4, 0));
	make_key(k, KS, 4);
	test_err_lookup(ENOENT, k, v);
	test_err_delete(ENOENT, k);
	test_err_lookup_and_delete(ENOENT, k, v);
	EXPECT_EQ(4, count_of(self->fd));
}

TEST_F(rcumap_hash, delete_removes_one_key)
{
	int i;

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, 8, 0));
	ASSERT_EQ(0, del(self->fd, &self->s, 3));
	EXPECT_EQ(-ENOENT, check(self->fd, &self->s, 3, 0));
	EXPECT_EQ(-ENOENT, del(self->fd, &self->s, 3));
	EXPECT_EQ(7, count_of(self->fd));
	for (i = 0; i < 8; i++)
		if (i != 3) {
			EXPECT_EQ(0, check(self->fd, &self->s, i, 0))
				TH_LOG("key %d", i);
		}
}

TEST_F(rcumap_hash, lookup_and_delete_returns_value)
{
	__u8 k[TEST_MAX_KEY], v[TEST_MAX_VALUE + 64];

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, 8, 0));
	ASSERT_EQ(0, put(self->fd, &self->s, 6, 7, RCUMAP_UPDATE_EXIST));
	make_key(k, KS, 6);
	memset(v, 0xa5, sizeof(v));
	test_cmd_lookup_and_delete(k, v);
	EXPECT_TRUE(value_is(v, VS, 6, 7));
	EXPECT_TRUE(all_bytes(v + VS, 0xa5, 64));
	EXPECT_EQ(-ENOENT, check(self->fd, &self->s, 6, 7));
	test_err_lookup_and_delete(ENOENT, k, v);
	EXPECT_EQ(7, count_of(self->fd));
	EXPECT_EQ(0, check(self->fd, &self->s, 5, 0));
}

/*
 * A full map: a new key gets ENOSPC and changes nothing; keys already in
 * it can still be replaced; a delete makes room for exactly one.
 */
TEST_F(rcumap_hash, full_map_enospc)
{
	__u32 i;

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, MAXE, 0));
	EXPECT_EQ(MAXE, count_of(self->fd));
	EXPECT_EQ(-ENOSPC, put(self->fd, &self->s, MAXE, 0, RCUMAP_UPDATE_ANY));
	EXPECT_EQ(-ENOSPC, put(self->fd, &self->s, MAXE + 1, 0,
			       RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(-ENOENT, check(self->fd, &self->s, MAXE, 0));
	EXPECT_EQ(-ENOENT, check(self->fd, &self->s, MAXE + 1, 0));
	EXPECT_EQ(MAXE, count_of(self->fd));

	/* Replacing is no insertion. */
	EXPECT_EQ(0, put(self->fd, &self->s, 0, 1, RCUMAP_UPDATE_ANY));
	EXPECT_EQ(0, put(self->fd, &self->s, 1, 1, RCUMAP_UPDATE_EXIST));
	EXPECT_EQ(-EEXIST, put(self->fd, &self->s, 2, 1, RCUMAP_UPDATE_NOEXIST));
	for (i = 0; i < MAXE; i++) {
		EXPECT_EQ(0, check(self->fd, &self->s, i, i < 2))
			TH_LOG("key %u", i);
	}

	ASSERT_EQ(0, del(self->fd, &self->s, 5));
	EXPECT_EQ(0, put(self->fd, &self->s, MAXE, 0, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(-ENOSPC, put(self->fd, &self->s, MAXE + 1, 0,
			       RCUMAP_UPDATE_ANY));
	EXPECT_EQ(MAXE, count_of(self->fd));
	EXPECT_EQ(0, check(self->fd, &self->s, MAXE, 0));
}

/* LOOKUP, LOOKUP_AND_DELETE and GET_NEXT_KEY write their size, no more. */
TEST_F(rcumap_hash, outputs_exact_size)
{
	__u8 k[TEST_MAX_KEY], out[TEST_MAX_VALUE + 64];

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, 3, 0));
	EXPECT_EQ(0, check(self->fd, &self->s, 1, 0));

	memset(out, 0xa5, sizeof(out));
	test_cmd_get_next_key(NULL, out);
	EXPECT_LE(0, key_index(out, KS));
	EXPECT_GT(3, key_index(out, KS));
	EXPECT_TRUE(all_bytes(out + KS, 0xa5, 64));

	make_key(k, KS, 2);
	memset(out, 0xa5, sizeof(out));
	test_cmd_lookup_and_delete(k, out);
	EXPECT_TRUE(value_is(out, VS, 2, 0));
	EXPECT_TRUE(all_bytes(out + VS, 0xa5, 64));
}

/* ---- GET_NEXT_KEY ---------------------------------------------------------- */

/*
 * Walk with GET_NEXT_KEY from the first key; count in @seen[0..@n) how
 * often each key was returned.  Returns the number of steps, or -1 if a
 * key that is none of 0..@n - 1 came back or the walk did not end.
 */
static long gnk_walk(int fd, const struct shape *s, __u32 n, __u32 *seen)
{
	__u8 cur[TEST_MAX_KEY], next[TEST_MAX_KEY];
	long steps = 0;
	long long idx;
	bool first = true;
	int ret;

	memset(seen, 0, n * sizeof(*seen));
	for (;;) {
		ret = _test_cmd_get_next_key(fd, first ? NULL : cur, next);
		if (ret == -ENOENT)
			return steps;
		if (ret)
			return -1;
		idx = key_index(next, s->key_size);
		if (idx < 0 || idx >= n || ++steps > 2L * n + 2)
			return -1;
		seen[idx]++;
		memcpy(cur, next, s->key_size);
		first = false;
	}
}

TEST_F(rcumap_hash, get_next_key_walks_every_key_once)
{
	__u32 seen[256], i, n = MAXE;
	__u8 next[TEST_MAX_KEY];

	ASSERT_GE(ARRAY_LEN(seen), n);
	test_err_get_next_key(ENOENT, NULL, next);
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, n, 0));
	EXPECT_EQ(n, gnk_walk(self->fd, &self->s, n, seen));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(1, seen[i]) TH_LOG("key %u", i);
	}

	/* With holes. */
	for (i = 0; i < n; i += 3) {
		ASSERT_EQ(0, del(self->fd, &self->s, i));
	}
	EXPECT_EQ(n - (n + 2) / 3, gnk_walk(self->fd, &self->s, n, seen));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(i % 3 ? 1 : 0, seen[i]) TH_LOG("key %u", i);
	}
}

/* BPF: a key that is not in the map restarts the walk at the first key. */
TEST_F(rcumap_hash, get_next_key_restarts_after_delete)
{
	__u8 first[TEST_MAX_KEY], second[TEST_MAX_KEY];
	__u8 next[TEST_MAX_KEY], k[TEST_MAX_KEY];
	__u32 n = MAXE < 20 ? MAXE : 20;

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, n, 0));
	test_cmd_get_next_key(NULL, first);
	ASSERT_LE(0, key_index(first, KS));
	test_cmd_get_next_key(first, second);
	EXPECT_NE(0, memcmp(first, second, KS));

	/* Delete the current key: its next is the new first key. */
	test_cmd_delete(first);
	test_cmd_get_next_key(NULL, k);
	test_cmd_get_next_key(first, next);
	EXPECT_EQ(0, memcmp(k, next, KS));

	/* So is the next of a key never in the map. */
	make_key(k, KS, n + 1000);
	test_cmd_get_next_key(k, next);
	test_cmd_get_next_key(NULL, k);
	EXPECT_EQ(0, memcmp(k, next, KS));

	/* The usual way to empty a map: delete the first key till none. */
	for (__u32 i = 0; i < n; i++) {
		if (_test_cmd_get_next_key(self->fd, NULL, k))
			break;
		test_cmd_delete(k);
	}
	test_err_get_next_key(ENOENT, NULL, k);
	EXPECT_EQ(0, count_of(self->fd));
}

/* Fetch the next key, then delete the current one: every key goes. */
TEST_F(rcumap_hash, get_next_key_delete_behind)
{
	__u8 cur[TEST_MAX_KEY], next[TEST_MAX_KEY];
	__u32 steps = 0, n = MAXE;
	int ret;

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, n, 0));
	test_cmd_get_next_key(NULL, cur);
	for (;;) {
		ret = _test_cmd_get_next_key(self->fd, cur, next);
		test_cmd_delete(cur);
		ASSERT_GE(n, ++steps);
		if (ret == -ENOENT)
			break;
		ASSERT_EQ(0, ret);
		memcpy(cur, next, KS);
	}
	EXPECT_EQ(n, steps);
	EXPECT_EQ(0, count_of(self->fd));
}

/* ---- BATCH_LOOKUP -------------------------------------------------------- */

struct walk {
	__u32 entries;	/* returned */
	__u32 calls;	/* that returned entries */
	__u32 dups;	/* keys returned more than once */
	__u32 bad;	/* foreign keys, wrong values, writes past count */
};

/*
 * Walk with BATCH_LOOKUP from @cursor, @count at a time, to ENOENT.  Key i
 * must hold version @ver[i] (all 0 if @ver is NULL) and be below @n;
 * @seen[i] counts its returns.  Returns 0, or the first unexpected error.
 */
static int batch_walk(int fd, const struct shape *s, __u64 cursor,
		      __u32 count, __u32 n, const __u32 *ver, __u32 *seen,
		      struct walk *w)
{
	size_t ksz = (size_t)count * s->key_size + 64;
	size_t vsz = (size_t)count * s->value_size + 64;
	__u8 *keys = malloc(ksz), *vals = malloc(vsz);
	__u32 out_count, i;
	__u64 out_cursor;
	long long idx;
	int ret = 0;

	memset(w, 0, sizeof(*w));
	memset(seen, 0, n * sizeof(*seen));
	if (!keys || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		memset(keys, 0xa5, ksz);
		memset(vals, 0xa5, vsz);
		ret = _test_cmd_batch_lookup(fd, keys, vals, cursor, count,
					     &out_cursor, &out_count);
		if (ret == -ENOENT) {
			w->bad += out_count != 0;
			ret = 0;
			break;
		}
		if (ret)
			break;
		/* Progress: every call short of the end returns something. */
		if (out_count == 0 || out_count > count ||
		    ++w->calls > n + 1) {
			ret = -EPROTO;
			break;
		}
		for (i = 0; i < out_count; i++) {
			const __u8 *k = keys + (size_t)i * s->key_size;
			const __u8 *v = vals + (size_t)i * s->value_size;

			idx = key_index(k, s->key_size);
			if (idx < 0 || idx >= n ||
			    !value_is(v, s->value_size, idx, ver ? ver[idx] : 0)) {
				w->bad++;
				continue;
			}
			w->dups += seen[idx]++ != 0;
			w->entries++;
		}
		w->bad += !all_bytes(keys + (size_t)count * s->key_size, 0xa5, 64);
		w->bad += !all_bytes(vals + (size_t)count * s->value_size, 0xa5, 64);
		cursor = out_cursor;
	}
out:
	free(keys);
	free(vals);
	return ret;
}

/*
 * Expect that a walk returned every key 0..@_n - 1 once, except those for
 * which @_gone, an expression of the key number __i, is true.
 */
#define EXPECT_WALK(_w, _seen, _n, _gone)				\
	do {								\
		__u32 __i, __miss = 0;					\
		for (__i = 0; __i < (_n); __i++)			\
			__miss += (_seen)[__i] != !(_gone);		\
		EXPECT_EQ(0, __miss);					\
		EXPECT_EQ(0, (_w).dups);				\
		EXPECT_EQ(0, (_w).bad);					\
	} while (0)

TEST_F(rcumap_hash, batch_lookup_returns_each_entry_once)
{
	__u32 counts[] = { 1, 2, 3, 7, MAXE - 1, MAXE, MAXE + 5 };
	__u32 seen[256], ver[256], i, n = MAXE;
	struct walk w;

	ASSERT_GE(ARRAY_LEN(seen), n);
	ASSERT_EQ(0, batch_walk(self->fd, &self->s, 0, 4, n, NULL, seen, &w));
	EXPECT_EQ(0, w.entries);

	for (i = 0; i < n; i++) {
		ver[i] = i * 7 + 1;
		ASSERT_EQ(0, put(self->fd, &self->s, i, ver[i], RCUMAP_UPDATE_ANY));
	}
	for (i = 0; i < ARRAY_LEN(counts); i++) {
		ASSERT_EQ(0, batch_walk(self->fd, &self->s, 0, counts[i], n,
					ver, seen, &w))
			TH_LOG("count %u", counts[i]);
		EXPECT_EQ(n, w.entries) TH_LOG("count %u", counts[i]);
		EXPECT_WALK(w, seen, n, 0);
	}

	/* With holes. */
	for (i = 1; i < n; i += 2) {
		ASSERT_EQ(0, del(self->fd, &self->s, i));
	}
	ASSERT_EQ(0, batch_walk(self->fd, &self->s, 0, 3, n, ver, seen, &w));
	EXPECT_EQ(n - n / 2, w.entries);
	EXPECT_WALK(w, seen, n, __i & 1);
}

/*
 * Every entry in one bucket, as many as the bucket bound allows, more of
 * them than @count: the walk still makes progress and returns each once
 * (BPF's batch fails with ENOSPC).  The 65th key is refused.
 */
TEST_F(rcumap_hash, batch_lookup_one_bucket)
{
	struct shape s = self->s;
	__u32 counts[] = { 1, 7, 63, RCUMAP_BUCKET_MAX, 200 };
	__u32 seen[200], i, n = RCUMAP_BUCKET_MAX;
	struct rcumap_info info;
	struct walk w;
	int fd;

	s.max_entries = RCUMAP_BUCKET_MAX;
	s.nr_buckets = 1;
	fd = open_map(&s);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, _test_cmd_info(fd, &info));
	EXPECT_EQ(1, info.out_nr_buckets);
	ASSERT_EQ(0, fill_keys(fd, &s, n, 0));
	for (i = 0; i < ARRAY_LEN(counts); i++) {
		ASSERT_EQ(0, batch_walk(fd, &s, 0, counts[i], n, NULL, seen, &w))
			TH_LOG("count %u", counts[i]);
		EXPECT_EQ(n, w.entries) TH_LOG("count %u", counts[i]);
		EXPECT_WALK(w, seen, n, 0);
	}
	for (i = 0; i < n; i += 3) {
		ASSERT_EQ(0, del(fd, &s, i));
	}
	ASSERT_EQ(0, batch_walk(fd, &s, 0, 7, n, NULL, seen, &w));
	EXPECT_EQ(n - (n + 2) / 3, w.entries);
	EXPECT_WALK(w, seen, n, __i % 3 == 0);
	close(fd);
}

/* "Any value is safe": a made-up cursor returns real entries or ENOENT. */
TEST_F(rcumap_hash, batch_lookup_any_cursor)
{
	const __u64 cursors[] = {
		1, 2, 3, 0xff, 1ULL << 20, 1ULL << 32, (1ULL << 32) - 1,
		0x7fffffffffffffffULL, 1ULL << 63, ~0ULL, ~0ULL - 1,
		mix64(1), mix64(2), mix64(3),
	};
	__u32 seen[256], n = MAXE / 2;
	struct walk w;
	size_t i;

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, n, 0));
	for (i = 0; i < ARRAY_LEN(cursors); i++) {
		ASSERT_EQ(0, batch_walk(self->fd, &self->s, cursors[i], 5, n,
					NULL, seen, &w))
			TH_LOG("cursor %#llx", (unsigned long long)cursors[i]);
		EXPECT_EQ(0, w.bad) TH_LOG("cursor %#llx",
					   (unsigned long long)cursors[i]);
		EXPECT_GE(n, w.entries);
	}
	/* Still whole. */
	ASSERT_EQ(0, batch_walk(self->fd, &self->s, 0, 5, n, NULL, seen, &w));
	EXPECT_EQ(n, w.entries);
	EXPECT_WALK(w, seen, n, 0);
}

/* ---- BATCH_UPDATE and BATCH_DELETE --------------------------------------- */

struct batch_buf {
	__u8 *keys, *vals;
};

/* Keys @first..@first + @n - 1 at version @ver, in arrays for a batch. */
static int batch_make(struct batch_buf *b, const struct shape *s, __u64 first,
		      __u32 n, __u32 ver)
{
	__u32 i;

	b->keys = calloc(n, s->key_size);
	b->vals = calloc(n, s->value_size ? s->value_size : 1);
	if (!b->keys || !b->vals)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		make_key(b->keys + (size_t)i * s->key_size, s->key_size,
			 first + i);
		make_value(b->vals + (size_t)i * s->value_size, s->value_size,
			   first + i, ver);
	}
	return 0;
}

static void batch_free(struct batch_buf *b)
{
	free(b->keys);
	free(b->vals);
}

TEST_F(rcumap_hash, batch_update_all)
{
	__u32 n = MAXE / 2, out, i;
	struct batch_buf b;

	ASSERT_EQ(0, batch_make(&b, &self->s, 0, n, 1));
	test_cmd_batch_update(b.keys, b.vals, n, RCUMAP_UPDATE_NOEXIST, &out);
	EXPECT_EQ(n, out);
	EXPECT_EQ(n, count_of(self->fd));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, check(self->fd, &self->s, i, 1)) TH_LOG("key %u", i);
	}
	batch_free(&b);

	ASSERT_EQ(0, batch_make(&b, &self->s, 0, n, 2));
	test_cmd_batch_update(b.keys, b.vals, n, RCUMAP_UPDATE_EXIST, &out);
	EXPECT_EQ(n, out);
	test_cmd_batch_update(b.keys, b.vals, 1, RCUMAP_UPDATE_ANY, &out);
	EXPECT_EQ(1, out);
	EXPECT_EQ(n, count_of(self->fd));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, check(self->fd, &self->s, i, 2)) TH_LOG("key %u", i);
	}
	batch_free(&b);
}

/*
 * A batch stops at the first element that fails: out_count elements were
 * applied, that element's error comes back, nothing after it is done.
 */
TEST_F(rcumap_hash, batch_update_stops_at_first_error)
{
	__u32 n = 16, mid = 6, out, i;
	struct batch_buf b;
	int fd;

	ASSERT_EQ(0, batch_make(&b, &self->s, 0, n, 1));

	/* NOEXIST meets a present key. */
	ASSERT_EQ(0, put(self->fd, &self->s, mid, 0, RCUMAP_UPDATE_ANY));
	test_err_batch_update(EEXIST, b.keys, b.vals, n,
			      RCUMAP_UPDATE_NOEXIST, &out);
	EXPECT_EQ(mid, out);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(i < mid ? 0 : i == mid ? 0 : -ENOENT,
			  check(self->fd, &self->s, i, i == mid ? 0 : 1))
			TH_LOG("key %u", i);
	}
	EXPECT_EQ(mid + 1, count_of(self->fd));

	/* EXIST meets an absent key: mid + 1. */
	test_err_batch_update(ENOENT, b.keys, b.vals, n, RCUMAP_UPDATE_EXIST,
			      &out);
	EXPECT_EQ(mid + 1, out);
	for (i = 0; i <= mid; i++) {
		EXPECT_EQ(0, check(self->fd, &self->s, i, 1)) TH_LOG("key %u", i);
	}
	EXPECT_EQ(mid + 1, count_of(self->fd));

	/* ANY meets a full map after two insertions. */
	fd = open_map(&self->s);
	ASSERT_LE(0, fd);
	for (i = 0; i < MAXE - 2; i++) {
		ASSERT_EQ(0, put(fd, &self->s, 1000 + i, 0, RCUMAP_UPDATE_ANY));
	}
	EXPECT_EQ(-ENOSPC, _test_cmd_batch_update(fd, b.keys, b.vals, 5,
						  RCUMAP_UPDATE_ANY, &out));
	EXPECT_EQ(2, out);
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(i < 2 ? 0 : -ENOENT, check(fd, &self->s, i, 1))
			TH_LOG("key %u", i);
	}
	EXPECT_EQ(MAXE, count_of(fd));
	close(fd);
	batch_free(&b);
}

/*
 * A key array that runs into unmapped memory at element @j: EFAULT, and
 * exactly the first out_count (at most @j) elements done.
 */
TEST_F(rcumap_hash, batch_update_fault_midway)
{
	__u32 j = 3, n = 8, out, i;
	struct batch_buf b;
	__u8 *keys, *vals;

	ASSERT_EQ(0, batch_make(&b, &self->s, 0, n, 1));
	/* Element j's first byte is mapped, its last is not. */
	keys = badmem_at_end(&self->bad, (size_t)j * KS + 1);
	memcpy(keys, b.keys, (size_t)j * KS + 1);
	test_err_batch_update(EFAULT, keys, b.vals, n, RCUMAP_UPDATE_ANY, &out);
	EXPECT_GE(j, out);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(i < out ? 0 : -ENOENT, check(self->fd, &self->s, i, 1))
			TH_LOG("key %u, out_count %u", i, out);
	}
	EXPECT_EQ(out, count_of(self->fd));

	if (VS) {
		j = VS * 3 < 2 * PAGE ? 3 : 1;
		vals = badmem_at_end(&self->bad, (size_t)j * VS + 1);
		memcpy(vals, b.vals, (size_t)j * VS + 1);
		for (i = 0; i < n; i++)
			del(self->fd, &self->s, i);
		ASSERT_EQ(0, count_of(self->fd));
		test_err_batch_update(EFAULT, b.keys, vals, n,
				      RCUMAP_UPDATE_ANY, &out);
		EXPECT_GE(j, out);
		for (i = 0; i < n; i++) {
			EXPECT_EQ(i < out ? 0 : -ENOENT,
				  check(self->fd, &self->s, i, 1))
				TH_LOG("key %u, out_count %u", i, out);
		}
	}
	batch_free(&b);
}

TEST_F(rcumap_hash, batch_delete)
{
	__u32 n = 16, mid = 5, out, i;
	struct batch_buf b;

	ASSERT_EQ(0, batch_make(&b, &self->s, 0, n, 0));
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, n, 0));
	test_cmd_batch_delete(b.keys, 4, &out);
	EXPECT_EQ(4, out);
	EXPECT_EQ(n - 4, count_of(self->fd));

	/* Key mid is gone: stop there. */
	ASSERT_EQ(0, del(self->fd, &self->s, mid));
	test_err_batch_delete(ENOENT, b.keys + 4 * KS, n - 4, &out);
	EXPECT_EQ(mid - 4, out);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(i <= mid ? -ENOENT : 0, check(self->fd, &self->s, i, 0))
			TH_LOG("key %u", i);
	}

	test_cmd_batch_delete(b.keys + (mid + 1) * KS, n - mid - 1, &out);
	EXPECT_EQ(n - mid - 1, out);
	EXPECT_EQ(0, count_of(self->fd));
	batch_free(&b);
}

/*
 * Fields a mode does not use must be 0 (a bad value, EINVAL): cursor for
 * BATCH_UPDATE and BATCH_DELETE, values for BATCH_DELETE, value for
 * DELETE.  count must not be 0.  Nothing is done.
 */
TEST_F(rcumap_hash, unused_fields_must_be_zero)
{
	struct rcumap_batch bc;
	struct rcumap_elem ec;
	struct batch_buf b;
	__u32 i;

	ASSERT_EQ(0, batch_make(&b, &self->s, 0, 4, 0));
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, 2, 0));

	memset(&bc, 0, sizeof(bc));
	bc.size = sizeof(bc);
	bc.keys = U64_PTR(b.keys);
	bc.values = U64_PTR(b.vals);
	bc.count = 4;
	bc.cursor = 1;
	EXPECT_EQ(-EINVAL, rcumap_ioctl(self->fd, RCUMAP_IOC_BATCH_UPDATE, &bc));
	bc.count = 2;
	bc.values = 0;
	EXPECT_EQ(-EINVAL, rcumap_ioctl(self->fd, RCUMAP_IOC_BATCH_DELETE, &bc));
	bc.cursor = 0;
	bc.values = U64_PTR(b.vals);
	EXPECT_EQ(-EINVAL, rcumap_ioctl(self->fd, RCUMAP_IOC_BATCH_DELETE, &bc));

	memset(&ec, 0, sizeof(ec));
	ec.size = sizeof(ec);
	ec.key = U64_PTR(b.keys);
	ec.value = U64_PTR(b.vals);
	EXPECT_EQ(-EINVAL, rcumap_ioctl(self->fd, RCUMAP_IOC_DELETE, &ec));

	/* A batch of no elements does nothing, as in BPF. */
	test_cmd_batch_lookup(b.keys, b.vals, 0, 0, NULL, NULL);
	test_cmd_batch_update(b.keys, b.vals, 0, 0, NULL);
	test_cmd_batch_delete(b.keys, 0, NULL);

	EXPECT_EQ(2, count_of(self->fd));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(i < 2 ? 0 : -ENOENT, check(self->fd, &self->s, i, 0));
	}
	batch_free(&b);
}

/*
 * Arrays whose end lies past the top of the address space (count *
 * element size added to the pointer wraps): refused with EOVERFLOW or
 * EFAULT, nothing done.  (count * size itself always fits in 64 bits:
 * count is a __u32 and sizes are at most 4096.)
 */
TEST_F(rcumap_hash, batch_array_wraps)
{
	__u8 *top = (__u8 *)(uintptr_t)(~0ULL - 15);
	struct batch_buf b;
	__u32 out;
	int ret;

	ASSERT_EQ(0, batch_make(&b, &self->s, 0, 4, 0));
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, 2, 0));

	ret = _test_cmd_batch_lookup(self->fd, top, b.vals, 0, ~0U, NULL, &out);
	EXPECT_TRUE(ret == -EOVERFLOW || ret == -EFAULT) TH_LOG("got %d", ret);
	ret = _test_cmd_batch_update(self->fd, top, b.vals, ~0U,
				     RCUMAP_UPDATE_ANY, &out);
	EXPECT_TRUE(ret == -EOVERFLOW || ret == -EFAULT) TH_LOG("got %d", ret);
	if (VS) {
		ret = _test_cmd_batch_update(self->fd, b.keys, top, ~0U,
					     RCUMAP_UPDATE_ANY, &out);
		EXPECT_TRUE(ret == -EOVERFLOW || ret == -EFAULT)
			TH_LOG("got %d", ret);
	}
	ret = _test_cmd_batch_delete(self->fd, top, ~0U, &out);
	EXPECT_TRUE(ret == -EOVERFLOW || ret == -EFAULT) TH_LOG("got %d", ret);
	EXPECT_EQ(2, count_of(self->fd));
	batch_free(&b);
}

/*
 * A batch that fails before its first element still writes out_count: 0,
 * over the garbage the caller left there (UNTOUCHED32, see common.h), so
 * that an EFAULT (or any error) says how far the batch went.  Raw ioctls:
 * the library would report 0 whether the kernel wrote it or not.
 */
TEST_F(rcumap_hash, batch_error_out_count_zero)
{
	__u8 *top = (__u8 *)(uintptr_t)(~0ULL - 15);
	struct batch_buf b;
	__u64 cursor;
	__u32 out;
	int ret;

	ASSERT_EQ(0, batch_make(&b, &self->s, 0, 4, 0));
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, 2, 0));

	/* EFAULT (or EOVERFLOW) from arrays that wrap, before element 0. */
	ret = _raw_batch_lookup(self->fd, top, b.vals, 0, ~0U, NULL, &out);
	EXPECT_TRUE(ret == -EOVERFLOW || ret == -EFAULT) TH_LOG("got %d", ret);
	EXPECT_EQ(0, out);
	ret = _raw_batch_update(self->fd, top, b.vals, ~0U, RCUMAP_UPDATE_ANY,
				&out);
	EXPECT_TRUE(ret == -EOVERFLOW || ret == -EFAULT) TH_LOG("got %d", ret);
	EXPECT_EQ(0, out);
	ret = _raw_batch_delete(self->fd, top, ~0U, &out);
	EXPECT_TRUE(ret == -EOVERFLOW || ret == -EFAULT) TH_LOG("got %d", ret);
	EXPECT_EQ(0, out);

	/* EFAULT at element 0: no key, no after_key. */
	EXPECT_EQ(-EFAULT, _raw_batch_update(self->fd, self->bad.unmapped,
					     b.vals, 4, RCUMAP_UPDATE_ANY, &out));
	EXPECT_EQ(0, out);
	EXPECT_EQ(-EFAULT, _raw_batch_delete(self->fd, NULL, 4, &out));
	EXPECT_EQ(0, out);
	EXPECT_EQ(-EFAULT, _raw_batch_lookup_ordered(self->fd, b.keys, b.vals,
						     self->bad.unmapped, 4,
						     &out));
	EXPECT_EQ(0, out);
	EXPECT_EQ(-EFAULT, _raw_batch_lookup(self->fd, self->bad.unmapped,
					     b.vals, 0, 4, NULL, &out));
	EXPECT_EQ(0, out);

	/* No elements: no error (BPF's rule), out_count 0, the cursor kept. */
	EXPECT_EQ(0, _raw_batch_lookup(self->fd, b.keys, b.vals, 5, 0, &cursor,
				       &out));
	EXPECT_EQ(0, out);
	EXPECT_EQ(5, cursor);
	EXPECT_EQ(0, _raw_batch_update(self->fd, b.keys, b.vals, 0,
				       RCUMAP_UPDATE_ANY, &out));
	EXPECT_EQ(0, out);
	EXPECT_EQ(0, _raw_batch_delete(self->fd, b.keys, 0, &out));
	EXPECT_EQ(0, out);
	/* The other errors before element 0. */
	EXPECT_EQ(-EOPNOTSUPP, _raw_batch_update(self->fd, b.keys, b.vals, 4,
						 1U << 7, &out));
	EXPECT_EQ(0, out);

	EXPECT_EQ(2, count_of(self->fd));
	EXPECT_EQ(0, check(self->fd, &self->s, 0, 0));
	EXPECT_EQ(0, check(self->fd, &self->s, 1, 0));
	batch_free(&b);
}

/*
 * Bucket statistics of a map that is not being changed, empty, with one
 * key, half full and full, walked in chunks of several sizes: every
 * bucket and every key counted once; one key makes one bucket of length 1.
 */
TEST_F(rcumap_hash, bucket_stats_count_every_bucket_and_key)
{
	static const __u32 budgets[] = { 1, 3, 64, RCUMAP_STATS_MAX_BUDGET };
	const __u32 fills[] = { 0, 1, MAXE / 2, MAXE };
	struct stats st;
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(fills); i++) {
		ASSERT_EQ(0, fill_keys(self->fd, &self->s, fills[i], 0));
		for (j = 0; j < ARRAY_LEN(budgets); j++)
			st = stats_check_still(_metadata, self->fd, budgets[j]);
		if (fills[i] == 0) {
			EXPECT_EQ(0, st.longest);
			EXPECT_EQ(st.nr_buckets, st.hist[0]);
		} else if (fills[i] == 1) {
			EXPECT_EQ(1, st.longest);
			EXPECT_EQ(1, st.hist[1]);
			EXPECT_EQ(st.nr_buckets - 1, st.hist[0]);
		}
	}
}

/* With fewer counters, the last one counts every longer bucket. */
TEST_F(rcumap_hash, bucket_stats_last_counter_takes_the_rest)
{
	struct stats full, st;
	__u32 nr_hist, i, rest;

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, MAXE, 0));
	ASSERT_EQ(0, stats_walk(self->fd, 5, RCUMAP_STATS_MAX_HIST, &full));
	for (nr_hist = 1; nr_hist <= 4; nr_hist++) {
		ASSERT_EQ(0, stats_walk(self->fd, 5, nr_hist, &st));
		for (i = 0; i + 1 < nr_hist; i++)
			EXPECT_EQ(full.hist[i], st.hist[i]) TH_LOG("%u", i);
		for (rest = 0; i < RCUMAP_STATS_MAX_HIST; i++)
			rest += full.hist[i];
		EXPECT_EQ(rest, st.hist[nr_hist - 1]) TH_LOG("nr_hist %u", nr_hist);
		EXPECT_EQ(full.longest, st.longest);
	}
}

/*
 * Hostile BUCKET_STATS: counters 0 or too many, budget 0 or too large
 * (EINVAL), a cursor at or past the end (ENOENT), a histogram that
 * cannot be written (EFAULT).  None writes an out_* field or a counter,
 * and the map is unchanged.  A histogram that ends right at a hole works.
 */
TEST_F(rcumap_hash, bucket_stats_bad_input)
{
	static const __u32 bad_nr[] = { 0, RCUMAP_STATS_MAX_HIST + 1, ~0U };
	static const __u32 bad_budget[] = {
		0, RCUMAP_STATS_MAX_BUDGET + 1, ~0U,
	};
	__u32 hist[RCUMAP_STATS_MAX_HIST], nb, *h;
	struct rcumap_bucket_stats c;
	struct rcumap_info info;
	size_t i;

#define EXPECT_UNWRITTEN()						\
	do {								\
		EXPECT_EQ(UNTOUCHED32, c.out_cursor);			\
		EXPECT_EQ(UNTOUCHED32, c.out_nr_buckets);		\
		EXPECT_EQ(UNTOUCHED32, c.out_longest);			\
		EXPECT_TRUE(all_bytes(hist, 0xa5, sizeof(hist)));	\
	} while (0)

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, 8, 0));
	test_cmd_info(&info);
	nb = info.out_nr_buckets;
	memset(hist, 0xa5, sizeof(hist));
	for (i = 0; i < ARRAY_LEN(bad_nr); i++) {
		test_err_bucket_stats(EINVAL, hist, bad_nr[i], 1, 0, &c);
		EXPECT_UNWRITTEN();
	}
	for (i = 0; i < ARRAY_LEN(bad_budget); i++) {
		test_err_bucket_stats(EINVAL, hist, 4, bad_budget[i], 0, &c);
		EXPECT_UNWRITTEN();
	}
	test_err_bucket_stats(ENOENT, hist, 4, 1, nb, &c);
	EXPECT_UNWRITTEN();
	test_err_bucket_stats(ENOENT, hist, 4, 1, ~0U, &c);
	EXPECT_UNWRITTEN();

	test_err_bucket_stats(EFAULT, NULL, 4, 1, 0, &c);
	EXPECT_UNWRITTEN();
	test_err_bucket_stats(EFAULT, (__u32 *)self->bad.unmapped, 4, 1, 0, &c);
	EXPECT_UNWRITTEN();
	test_err_bucket_stats(EFAULT, (__u32 *)self->bad.ro, 4, 1, 0, &c);
	EXPECT_UNWRITTEN();
	h = badmem_straddle(&self->bad, 4 * sizeof(*h));
	test_err_bucket_stats(EFAULT, h, 4, 1, 0, &c);
	EXPECT_UNWRITTEN();
	EXPECT_TRUE(all_bytes(self->bad.ro, 0, PAGE));

	h = badmem_at_end(&self->bad, 4 * sizeof(*h));
	test_cmd_bucket_stats(h, 4, 1, nb - 1, &c);
	EXPECT_EQ(nb, c.out_cursor);
	EXPECT_EQ(nb, c.out_nr_buckets);
	EXPECT_EQ(1, h[0] + h[1] + h[2] + h[3]);
#undef EXPECT_UNWRITTEN

	EXPECT_EQ(8, count_of(self->fd));
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(0, check(self->fd, &self->s, i, 0)) TH_LOG("key %zu", i);
	}
}

/*
 * Key and value pointers: NULL, unmapped, straddling the end of a
 * mapping, read-only where the kernel writes.  EFAULT, and a failed
 * insertion or deletion leaves the map as it was.  Read-only input is
 * fine, and with value_size 0 a NULL value is too.
 */
TEST_F(rcumap_hash, user_pointers_efault)
{
	__u8 k[TEST_MAX_KEY], v[TEST_MAX_VALUE];
	__u8 *hole = self->bad.unmapped, *ro = self->bad.ro;
	__u8 *kstr = badmem_straddle(&self->bad, KS);
	__u8 *vstr = VS ? badmem_straddle(&self->bad, VS) : NULL;
	__u8 *kro;
	__u32 out;
	int ret;
	void *bad_keys[] = { NULL, hole, kstr };
	size_t i;

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, 4, 0));
	make_key(k, KS, 1);
	make_value(v, VS, 9, 0);
	memcpy(kstr, k, 1);

	for (i = 0; i < ARRAY_LEN(bad_keys); i++) {
		test_err_lookup(EFAULT, bad_keys[i], v) TH_LOG("key %zu", i);
		test_err_update(EFAULT, bad_keys[i], v, RCUMAP_UPDATE_ANY)
			TH_LOG("key %zu", i);
		test_err_delete(EFAULT, bad_keys[i]) TH_LOG("key %zu", i);
		test_err_lookup_and_delete(EFAULT, bad_keys[i], v)
			TH_LOG("key %zu", i);
		test_err_batch_update(EFAULT, bad_keys[i], v, 1,
				      RCUMAP_UPDATE_ANY, &out)
			TH_LOG("key %zu", i);
		EXPECT_EQ(0, out);
		test_err_batch_delete(EFAULT, bad_keys[i], 1, &out)
			TH_LOG("key %zu", i);
		EXPECT_EQ(0, out);
		/* NULL is the first key for GET_NEXT_KEY. */
		if (bad_keys[i]) {
			test_err_get_next_key(EFAULT, bad_keys[i], k)
				TH_LOG("key %zu", i);
		}
		/* From the first key: there is a next key to write. */
		test_err_get_next_key(EFAULT, NULL, bad_keys[i]) TH_LOG("key %zu", i);
		test_err_batch_lookup(EFAULT, bad_keys[i], v, 0, 1, NULL, NULL)
			TH_LOG("key %zu", i);
	}
	/* Outputs in a read-only page. */
	test_err_get_next_key(EFAULT, NULL, ro);
	test_err_batch_lookup(EFAULT, ro, v, 0, 1, NULL, NULL);
	EXPECT_EQ(4, count_of(self->fd));

	/* Keys in a read-only page are fine. */
	kro = ro_copy(k, KS);
	ASSERT_NE(NULL, kro);
	test_cmd_lookup(kro, v);
	/* Key 1 may be the last one: ENOENT is fine, EFAULT is not. */
	ret = _test_cmd_get_next_key(self->fd, kro, k);
	EXPECT_TRUE(ret == 0 || ret == -ENOENT) TH_LOG("got %d", ret);
	make_key(k, KS, 1);

	if (VS) {
		void *bad_vals[] = { NULL, hole, vstr };

		for (i = 0; i < ARRAY_LEN(bad_vals); i++) {
			test_err_lookup(EFAULT, k, bad_vals[i]) TH_LOG("value %zu", i);
			make_key(k, KS, 50);
			test_err_update(EFAULT, k, bad_vals[i], RCUMAP_UPDATE_ANY)
				TH_LOG("value %zu", i);
			test_err_batch_update(EFAULT, k, bad_vals[i], 1,
					      RCUMAP_UPDATE_ANY, &out)
				TH_LOG("value %zu", i);
			EXPECT_EQ(0, out);
			make_key(k, KS, 1);
			test_err_update(EFAULT, k, bad_vals[i], RCUMAP_UPDATE_ANY)
				TH_LOG("value %zu", i);
			test_err_batch_lookup(EFAULT, k, bad_vals[i], 0, 1,
					      NULL, NULL)
				TH_LOG("value %zu", i);
		}
		test_err_lookup(EFAULT, k, ro);
		test_err_batch_lookup(EFAULT, v, ro, 0, 1, NULL, NULL);
		EXPECT_EQ(4, count_of(self->fd));
		EXPECT_EQ(-ENOENT, check(self->fd, &self->s, 50, 0));
		EXPECT_EQ(0, check(self->fd, &self->s, 1, 0));
		/* Where the kernel would write the value it deleted. */
		test_err_lookup_and_delete(EFAULT, k, ro);
	} else {
		/* No value: NULL is a fine value pointer. */
		test_cmd_lookup(k, NULL);
		make_key(k, KS, 50);
		test_cmd_update(k, NULL, RCUMAP_UPDATE_NOEXIST);
		test_cmd_batch_lookup(v, NULL, 0, 4, NULL, &out);
		EXPECT_LE(1, out);
		EXPECT_GE(4, out);
		test_cmd_lookup_and_delete(k, NULL);
		EXPECT_EQ(4, count_of(self->fd));
	}
	ro_free(kro);
}

/* ---- Ordered walks ------------------------------------------------------------ */

/*
 * Run between the steps of an ordered walk, with the key the next step
 * resumes after (NULL before the first step) and the steps made so far;
 * a non-zero return ends the walk with that error.
 */
typedef int (*owalk_hook_t)(void *arg, const void *after, __u32 step);

/*
 * One ordered walk: with GET_NEXT_KEY if @batch is 0, else with
 * BATCH_LOOKUP of @batch entries a call, from the first key to ENOENT.
 * The key numbers come back in @order (room for @max; a longer walk is an
 * error, so @max bounds it).  Values of keys below @check_below must be
 * version @ver[n] (0 if @ver is NULL).
 */
struct owalk {
	__u32 batch;
	owalk_hook_t hook;
	void *arg;
	const __u32 *ver;
	__u32 check_below;
	__u32 max;
	long long *order;
	__u32 n;	/* keys returned */
	__u32 bad;	/* foreign keys, wrong values, writes past count */
};

/* 0, or the first unexpected error (-EPROTO: no progress, too long). */
static int owalk_run(int fd, const struct shape *s, struct owalk *w)
{
	__u32 count = w->batch ? w->batch : 1, ks = s->key_size;
	__u32 vs = s->value_size, out, i, calls = 0;
	size_t ksz = (size_t)count * ks + 64, vsz = (size_t)count * vs + 64;
	__u8 *keys = malloc(ksz), *vals = malloc(vsz);
	__u8 after[TEST_MAX_KEY];
	bool started = false;
	long long idx;
	int ret = 0;

	w->n = 0;
	w->bad = 0;
	if (!keys || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (w->hook) {
			ret = w->hook(w->arg, started ? after : NULL, calls);
			if (ret)
				break;
		}
		memset(keys, 0xa5, ksz);
		memset(vals, 0xa5, vsz);
		if (w->batch) {
			ret = _test_cmd_batch_lookup_ordered(fd, keys, vals,
							     started ? after : NULL,
							     count, &out);
		} else {
			ret = _test_cmd_next_key_ordered(fd, started ? after : NULL,
							 keys);
			out = !ret;
		}
		if (ret == -ENOENT) {
			w->bad += out != 0;
			ret = 0;
			break;
		}
		if (ret)
			break;
		if (out == 0 || out > count || ++calls > w->max + 1) {
			ret = -EPROTO;
			break;
		}
		for (i = 0; i < out; i++) {
			const __u8 *k = keys + (size_t)i * ks;
			const __u8 *v = vals + (size_t)i * vs;

			idx = key_index(k, ks);
			if (idx < 0) {
				w->bad++;
				continue;
			}
			if (w->batch && idx < w->check_below &&
			    !value_is(v, vs, idx, w->ver ? w->ver[idx] : 0))
				w->bad++;
			if (w->n == w->max) {
				ret = -EPROTO;
				goto out;
			}
			w->order[w->n++] = idx;
		}
		w->bad += !all_bytes(keys + (size_t)count * ks, 0xa5, 64);
		if (w->batch)
			w->bad += !all_bytes(vals + (size_t)count * vs, 0xa5, 64);
		memcpy(after, keys + (size_t)(out - 1) * ks, ks);
		started = true;
	}
out:
	free(keys);
	free(vals);
	return ret;
}

/* Key numbers below this are what the ordered-walk tests use. */
#define OW_KEYS		512

/*
 * @pos[n]: where key n is in the reference order @ref of @nref keys, -1
 * if it is not there.
 */
static void owalk_positions(const long long *ref, __u32 nref, int *pos)
{
	__u32 i;

	for (i = 0; i < OW_KEYS; i++)
		pos[i] = -1;
	for (i = 0; i < nref; i++)
		if (ref[i] >= 0 && ref[i] < OW_KEYS)
			pos[ref[i]] = i;
}

/*
 * How a walk @w went against the reference order (@pos, from
 * owalk_positions()): @back counts keys that came at or before the one
 * before them in that order (a restart or a repeat), @foreign keys not in
 * it at all.
 */
struct owalk_check {
	__u32 back, foreign;
};

static struct owalk_check owalk_against(const struct owalk *w, const int *pos)
{
	struct owalk_check c = { 0, 0 };
	int last = -1;
	__u32 i;

	for (i = 0; i < w->n; i++) {
		int p = w->order[i] < OW_KEYS ? pos[w->order[i]] : -1;

		if (p < 0) {
			c.foreign++;
			continue;
		}
		c.back += p <= last;
		last = p;
	}
	return c;
}

/* The ordered walk by GET_NEXT_KEY of a quiet map, as a reference. */
static int owalk_reference(int fd, const struct shape *s, long long *ref,
			   __u32 *nref)
{
	struct owalk w = { .max = OW_KEYS, .order = ref };
	int ret = owalk_run(fd, s, &w);

	*nref = w.n;
	return ret ?: (w.bad ? -EBADMSG : 0);
}

static const __u32 owalk_batches[] = { 0, 1, 2, 3, 7, 64, OW_KEYS };

/*
 * Every key once, in one order, the same each time: GET_NEXT_KEY walks
 * and BATCH_LOOKUP walks of every batch size agree, with holes too.
 */
TEST_F(rcumap_hash, ordered_walks_same_order_each_key_once)
{
	long long ref[OW_KEYS], order[OW_KEYS];
	__u32 ver[OW_KEYS], nref, i, j, n = MAXE;
	struct owalk w = {
		.ver = ver, .check_below = OW_KEYS, .max = OW_KEYS,
		.order = order,
	};
	__u8 next[TEST_MAX_KEY];
	int pos[OW_KEYS], pass;

	ASSERT_GE(OW_KEYS, n);
	test_err_next_key_ordered(ENOENT, NULL, next);
	w.batch = 4;
	ASSERT_EQ(0, owalk_run(self->fd, &self->s, &w));
	EXPECT_EQ(0, w.n);
	for (i = 0; i < n; i++) {
		ver[i] = 3 * i + 1;
		ASSERT_EQ(0, put(self->fd, &self->s, i, ver[i], RCUMAP_UPDATE_ANY));
	}
	for (pass = 0; pass < 2; pass++) {
		ASSERT_EQ(0, owalk_reference(self->fd, &self->s, ref, &nref));
		EXPECT_EQ(pass ? n - n / 2 : n, nref);
		owalk_positions(ref, nref, pos);
		for (i = 0; i < n; i++) {
			EXPECT_EQ(pass && (i & 1), pos[i] < 0) TH_LOG("key %u", i);
		}
		for (i = 0; i < ARRAY_LEN(owalk_batches); i++) {
			w.batch = owalk_batches[i];
			ASSERT_EQ(0, owalk_run(self->fd, &self->s, &w))
				TH_LOG("batch %u", w.batch);
			EXPECT_EQ(0, w.bad) TH_LOG("batch %u", w.batch);
			ASSERT_EQ(nref, w.n) TH_LOG("batch %u", w.batch);
			for (j = 0; j < nref; j++) {
				EXPECT_EQ(ref[j], order[j])
					TH_LOG("batch %u, key %u of %u", w.batch,
					       j, nref);
			}
		}
		/* Then again with holes. */
		for (i = 1; !pass && i < n; i += 2) {
			ASSERT_EQ(0, del(self->fd, &self->s, i));
		}
	}
}

/* The walk after a key never in the map: a tail of the order, no error. */
TEST_F(rcumap_hash, ordered_walk_after_absent_key)
{
	__u8 k[TEST_MAX_KEY], next[TEST_MAX_KEY];
	__u32 nref, out, i, n = MAXE / 2, probe, start;
	long long ref[OW_KEYS], idx;
	__u8 *keys, *vals;
	int pos[OW_KEYS], ret;

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, n, 0));
	ASSERT_EQ(0, owalk_reference(self->fd, &self->s, ref, &nref));
	ASSERT_EQ(n, nref);
	owalk_positions(ref, nref, pos);
	keys = malloc((size_t)nref * KS);
	vals = malloc((size_t)nref * VS + 1);
	ASSERT_NE(NULL, keys);
	ASSERT_NE(NULL, vals);
	for (probe = n; probe < n + 16; probe++) {
		make_key(k, KS, probe);
		/* GET_NEXT_KEY: the first key of the tail, or ENOENT. */
		ret = _test_cmd_next_key_ordered(self->fd, k, next);
		ASSERT_TRUE(ret == 0 || ret == -ENOENT) TH_LOG("got %d", ret);
		if (ret) {
			start = nref;
		} else {
			idx = key_index(next, KS);
			ASSERT_LE(0, idx);
			ASSERT_GT(n, idx);
			start = pos[idx];
		}
		/* BATCH_LOOKUP: that whole tail, in order. */
		ret = _test_cmd_batch_lookup_ordered(self->fd, keys, vals, k,
						     nref, &out);
		EXPECT_EQ(start == nref ? -ENOENT : 0, ret);
		ASSERT_EQ(nref - start, out) TH_LOG("probe %u", probe);
		for (i = 0; i < out; i++) {
			EXPECT_EQ(ref[start + i],
				  key_index(keys + (size_t)i * KS, KS))
				TH_LOG("probe %u, key %u", probe, i);
		}
	}
	free(keys);
	free(vals);
}

/* Passed to the hooks below. */
struct owalk_churn {
	int fd;
	const struct shape *s;
	const long long *ref;	/* the reference order */
	__u32 nref;
	const int *pos;		/* from owalk_positions() */
	bool deleted[OW_KEYS];
	bool gone_before[OW_KEYS];	/* deleted before the walk came to it */
	bool del_own, del_ahead, resize;
	__u32 resizes;
	int err;
};

/*
 * Bucket counts the hooks resize to, in turn: up, down, odd ones (rounded
 * up), a step or a few from one to the next.  Every step of a resize
 * waits for a grace period, so the hook resizes every OWALK_RESIZE_EVERY
 * steps of the walk, not at each.
 */
static const __u32 owalk_sizes[] = { 8, 16, 3, 32, 100, 16, 2, 1, 64 };
#define OWALK_RESIZE_EVERY	4

/*
 * Between steps: delete the key the walk resumes after and the key two
 * places ahead of it in the reference order, and resize the map.
 */
static int owalk_churn_hook(void *arg, const void *after, __u32 step)
{
	struct owalk_churn *c = arg;
	long long idx;
	int p, ret;

	if (c->resize && step % OWALK_RESIZE_EVERY == 0) {
		__u32 size = owalk_sizes[c->resizes % ARRAY_LEN(owalk_sizes)];

		/* Far from the bucket bound for max_entries keys. */
		if (size < c->s->max_entries / 16)
			size = c->s->max_entries / 16;
		ret = _test_cmd_resize(c->fd, size);
		if (ret)
			return ret;
		c->resizes++;
	}
	if (!after)
		return 0;
	idx = key_index(after, c->s->key_size);
	if (idx < 0 || idx >= OW_KEYS || c->pos[idx] < 0)
		return -EBADMSG;
	if (c->del_own && !c->deleted[idx]) {
		ret = del(c->fd, c->s, idx);
		if (ret)
			return ret;
		c->deleted[idx] = true;
	}
	p = c->pos[idx] + 2;
	if (c->del_ahead && p < (int)c->nref && !c->deleted[c->ref[p]]) {
		ret = del(c->fd, c->s, c->ref[p]);
		if (ret)
			return ret;
		c->deleted[c->ref[p]] = true;
		c->gone_before[c->ref[p]] = true;
	}
	return 0;
}

/*
 * Run ordered walks of every batch size with @hook's churn between the
 * steps, on the keys 0..n - 1 put back before each walk: the walk must
 * go forward in the reference order (never restart, never repeat), and
 * return every key that was not deleted before it came, exactly once.
 */
static void owalk_churn_test(struct __test_metadata *_metadata, int fd,
			     const struct shape *s, bool del_own,
			     bool del_ahead, bool resize)
{
	long long ref[OW_KEYS], order[OW_KEYS];
	__u32 nref, i, j, n = s->max_entries, returned;
	struct owalk_churn c;
	struct owalk_check oc;
	int pos[OW_KEYS];
	struct owalk w = {
		.hook = owalk_churn_hook, .arg = &c, .check_below = OW_KEYS,
		.max = OW_KEYS, .order = order,
	};
	bool seen[OW_KEYS];

	ASSERT_GE(OW_KEYS, n);
	ASSERT_EQ(0, fill_keys(fd, s, n, 0));
	ASSERT_EQ(0, owalk_reference(fd, s, ref, &nref));
	ASSERT_EQ(n, nref);
	owalk_positions(ref, nref, pos);
	for (i = 0; i < ARRAY_LEN(owalk_batches); i++) {
		memset(&c, 0, sizeof(c));
		c.fd = fd;
		c.s = s;
		c.ref = ref;
		c.nref = nref;
		c.pos = pos;
		c.del_own = del_own;
		c.del_ahead = del_ahead;
		c.resize = resize;
		ASSERT_EQ(0, fill_keys(fd, s, n, 0));
		w.batch = owalk_batches[i];
		ASSERT_EQ(0, owalk_run(fd, s, &w)) TH_LOG("batch %u", w.batch);
		EXPECT_EQ(0, w.bad) TH_LOG("batch %u", w.batch);
		oc = owalk_against(&w, pos);
		EXPECT_EQ(0, oc.back) TH_LOG("batch %u: went back", w.batch);
		EXPECT_EQ(0, oc.foreign) TH_LOG("batch %u", w.batch);
		memset(seen, 0, sizeof(seen));
		for (j = 0; j < w.n; j++)
			if (order[j] >= 0 && order[j] < OW_KEYS)
				seen[order[j]] = true;
		/*
		 * Keys never deleted all came; keys deleted before the walk
		 * came to them did not (the walk's own keys were deleted
		 * after they came).
		 */
		for (j = 0, returned = 0; j < n; j++) {
			if (!c.deleted[j]) {
				EXPECT_TRUE(seen[j])
					TH_LOG("batch %u: key %u missing", w.batch, j);
			}
			if (c.gone_before[j]) {
				EXPECT_FALSE(seen[j])
					TH_LOG("batch %u: deleted key %u came", w.batch, j);
			}
			returned += seen[j];
		}
		EXPECT_EQ(w.n, returned);
		if (resize) {
			EXPECT_LT(0, c.resizes);
		}
	}
	/* The order itself never changed. */
	ASSERT_EQ(0, fill_keys(fd, s, n, 0));
	w.hook = NULL;
	w.batch = 0;
	ASSERT_EQ(0, owalk_run(fd, s, &w));
	ASSERT_EQ(nref, w.n);
	for (j = 0; j < nref; j++) {
		EXPECT_EQ(ref[j], order[j]) TH_LOG("key %u of %u", j, nref);
	}
}

/*
 * The cursor's own key and a key ahead of it are deleted between steps:
 * the walk goes on after the deleted key (BPF's would restart), never
 * returns a deleted key, and returns every other key once.
 */
TEST_F(rcumap_hash, ordered_walk_survives_deletes)
{
	owalk_churn_test(_metadata, self->fd, &self->s, true, true, false);
}

/* RESIZE, up and down, between every two steps: still every key once. */
TEST_F_TIMEOUT(rcumap_hash, ordered_walk_survives_resize, 180)
{
	owalk_churn_test(_metadata, self->fd, &self->s, false, false, true);
}

/* Both at once. */
TEST_F_TIMEOUT(rcumap_hash, ordered_walk_survives_deletes_and_resize, 180)
{
	owalk_churn_test(_metadata, self->fd, &self->s, true, true, true);
}

/*
 * Fields of the other kind of walk must be 0 (EINVAL): cursor for an
 * ordered BATCH_LOOKUP, after_key for a positional one and for
 * BATCH_UPDATE and BATCH_DELETE.  Bad pointers are EFAULT, and an
 * ordered BATCH_LOOKUP reports out_count 0 then.  Nothing changes.
 */
TEST_F(rcumap_hash, ordered_walk_fields_and_pointers)
{
	__u8 k[TEST_MAX_KEY], next[TEST_MAX_KEY];
	__u8 *hole = self->bad.unmapped, *ro = self->bad.ro;
	struct rcumap_batch bc;
	struct batch_buf b;
	__u32 out, i;

	ASSERT_EQ(0, batch_make(&b, &self->s, 0, 4, 0));
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, 2, 0));
	make_key(k, KS, 0);

	memset(&bc, 0, sizeof(bc));
	bc.size = sizeof(bc);
	bc.keys = U64_PTR(b.keys);
	bc.values = U64_PTR(b.vals);
	bc.count = 4;
	bc.flags = RCUMAP_WALK_ORDERED;
	bc.cursor = 1;
	bc.out_count = UNTOUCHED32;
	EXPECT_EQ(-EINVAL, rcumap_ioctl(self->fd, RCUMAP_IOC_BATCH_LOOKUP, &bc));
	bc.flags = 0;
	bc.cursor = 0;
	bc.after_key = U64_PTR(k);
	EXPECT_EQ(-EINVAL, rcumap_ioctl(self->fd, RCUMAP_IOC_BATCH_LOOKUP, &bc));
	EXPECT_EQ(-EINVAL, rcumap_ioctl(self->fd, RCUMAP_IOC_BATCH_UPDATE, &bc));
	bc.values = 0;
	EXPECT_EQ(-EINVAL, rcumap_ioctl(self->fd, RCUMAP_IOC_BATCH_DELETE, &bc));

	/* after_key and next_key pointers. */
	test_err_batch_lookup_ordered(EFAULT, b.keys, b.vals, hole, 4, &out);
	EXPECT_EQ(0, out);
	test_err_batch_lookup_ordered(EFAULT, b.keys, b.vals,
				      badmem_straddle(&self->bad, KS), 4, &out);
	EXPECT_EQ(0, out);
	test_err_next_key_ordered(EFAULT, hole, next);
	test_err_next_key_ordered(EFAULT, NULL, hole);
	test_err_next_key_ordered(EFAULT, NULL, ro);
	test_err_batch_lookup_ordered(EFAULT, ro, b.vals, NULL, 4, &out);
	EXPECT_EQ(0, out);
	test_cmd_batch_lookup_ordered(b.keys, b.vals, NULL, 0, &out);
	EXPECT_EQ(0, out);

	EXPECT_EQ(2, count_of(self->fd));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(i < 2 ? 0 : -ENOENT, check(self->fd, &self->s, i, 0));
	}
	batch_free(&b);
}

/* ---- RESIZE ------------------------------------------------------------------ */

/*
 * RESIZE up, down, to odd counts (rounded up to a power of two) and back:
 * the bucket count is what was asked, and every key, value and the count
 * stay, as does the ordered walk's order.
 */
TEST_F(rcumap_hash, resize_keeps_every_key)
{
	/* Raised to MAXE / 16, keeping MAXE keys far from the bucket bound. */
	static const __u32 sizes[] = {
		1, 2, 1024, 3, 5, 1000, 64, 1U << 16, 1, 7, 16,
	};
	long long ref[OW_KEYS], order[OW_KEYS];
	struct owalk w = { .max = OW_KEYS, .order = order };
	__u32 ver[OW_KEYS], nref, i, j, want, n = MAXE;
	struct rcumap_info info;

	for (i = 0; i < n; i++) {
		ver[i] = i + 5;
		ASSERT_EQ(0, put(self->fd, &self->s, i, ver[i], RCUMAP_UPDATE_ANY));
	}
	ASSERT_EQ(0, owalk_reference(self->fd, &self->s, ref, &nref));
	for (i = 0; i < ARRAY_LEN(sizes); i++) {
		__u32 size = sizes[i] < MAXE / 16 ? MAXE / 16 : sizes[i];

		test_cmd_resize(size);
		for (want = 1; want < size; want <<= 1)
			;
		test_cmd_info(&info);
		EXPECT_EQ(want, info.out_nr_buckets) TH_LOG("asked %u", sizes[i]);
		EXPECT_EQ(n, info.out_count);
		for (j = 0; j < n; j++) {
			EXPECT_EQ(0, check(self->fd, &self->s, j, ver[j]))
				TH_LOG("%u buckets: key %u", sizes[i], j);
		}
		ASSERT_EQ(0, owalk_run(self->fd, &self->s, &w));
		ASSERT_EQ(nref, w.n);
		for (j = 0; j < nref; j++) {
			EXPECT_EQ(ref[j], order[j]) TH_LOG("%u buckets", sizes[i]);
		}
		/* The map still takes updates and deletes. */
		ASSERT_EQ(0, del(self->fd, &self->s, i % n));
		ASSERT_EQ(0, put(self->fd, &self->s, i % n, ver[i % n],
				 RCUMAP_UPDATE_NOEXIST));
	}
}

/* Bucket counts out of range: EINVAL, the map as it was. */
TEST_F(rcumap_hash, resize_bad_values_einval)
{
	static const __u32 bad[] = {
		0, RCUMAP_MAX_BUCKETS + 1, RCUMAP_MAX_BUCKETS * 2, 1U << 31,
		~0U,
	};
	struct rcumap_info before, after;
	__u32 i, n = MAXE / 2;

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, n, 1));
	test_cmd_info(&before);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		test_err_resize(EINVAL, bad[i]) TH_LOG("%u buckets", bad[i]);
	}
	/* Fewer buckets than max_entries needs within the bucket bound. */
	for (i = 1; i * RCUMAP_BUCKET_MAX < MAXE; i *= 2) {
		test_err_resize(EINVAL, i) TH_LOG("%u buckets", i);
	}
	test_cmd_info(&after);
	EXPECT_EQ(before.out_nr_buckets, after.out_nr_buckets);
	EXPECT_EQ(n, after.out_count);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, check(self->fd, &self->s, i, 1)) TH_LOG("key %u", i);
	}
}

/* ---- LOOKUP_BULK and BATCH_LOOKUP_AND_DELETE ------------------------------ */

/*
 * The queries of the bulk tests: keys 0 to 2 * @n + 2 in a scrambled
 * order, the first @n present, the rest absent, and query 5 repeating
 * query 2.  Returns how many queries: 2 * @n + 3.
 */
static __u32 bulk_queries(__u8 *keys, __u32 ks, __u32 n)
{
	__u32 m = 2 * n + 3, i;

	for (i = 0; i < m; i++)
		make_key(keys + (size_t)i * ks, ks, (i * 7) % m);
	memcpy(keys + 5 * (size_t)ks, keys + 2 * (size_t)ks, ks);
	return m;
}

/* Which key query @i of bulk_queries() asks for. */
static __u32 bulk_query_key(__u32 i, __u32 n)
{
	__u32 m = 2 * n + 3;

	return i == 5 ? (2 * 7) % m : (i * 7) % m;
}

/*
 * Every key gets its status, 0 with its value or ENOENT with its value
 * buffer untouched; a missing key fails nothing; out_found counts the
 * keys found, a repeated one each time.
 */
TEST_F(rcumap_hash, lookup_bulk_reports_each_key)
{
	__u32 n = MAXE / 2, m, i, out, found, want = 0;
	__u32 status[3 * 256 + 3];
	__u8 *keys, *vals;

	ASSERT_GE(ARRAY_LEN(status), 2 * n + 3);
	keys = calloc(2 * n + 3, KS);
	vals = malloc((size_t)(2 * n + 3) * (VS + 1));
	ASSERT_NE(NULL, keys);
	ASSERT_NE(NULL, vals);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, put(self->fd, &self->s, i, i + 1, RCUMAP_UPDATE_ANY));
	m = bulk_queries(keys, KS, n);
	memset(vals, 0xa5, (size_t)m * VS);
	memset(status, 0xa5, sizeof(status));
	test_cmd_lookup_bulk(keys, VS ? vals : NULL, status, m, &out, &found);
	EXPECT_EQ(m, out);
	for (i = 0; i < m; i++) {
		__u32 k = bulk_query_key(i, n);
		const __u8 *v = vals + (size_t)i * VS;

		if (k < n) {
			want++;
			EXPECT_EQ(0, status[i]) TH_LOG("query %u, key %u", i, k);
			EXPECT_TRUE(value_is(v, VS, k, k + 1))
				TH_LOG("query %u, key %u", i, k);
		} else {
			EXPECT_EQ(ENOENT, status[i]) TH_LOG("query %u, key %u", i, k);
			EXPECT_TRUE(all_bytes(v, 0xa5, VS))
				TH_LOG("query %u, key %u: a miss wrote its value", i, k);
		}
	}
	EXPECT_EQ(want, found);
	/* Nothing past the last status was written. */
	EXPECT_EQ(0xa5a5a5a5, status[m]);
	EXPECT_EQ(n, count_of(self->fd));
	free(keys);
	free(vals);
}

/*
 * Bad arguments: EOPNOTSUPP for flags and __reserved, EFAULT for arrays
 * that cannot be read or written, out_count saying how far the call went
 * (never past a key whose status was not written), and the map unchanged.
 * No keys at all: nothing done, no error.
 */
TEST_F(rcumap_hash, lookup_bulk_bad_arguments)
{
	__u32 n = 8, j = 5, out, found, status[8], i;
	struct rcumap_lookup_bulk cmd;
	int ret;
	struct batch_buf b;
	__u8 *p;

	ASSERT_EQ(0, batch_make(&b, &self->s, 0, n, 0));
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, n, 0));

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.keys = U64_PTR(b.keys);
	cmd.values = U64_PTR(b.vals);
	cmd.status = U64_PTR(status);
	cmd.count = n;
	cmd.flags = 1;
	EXPECT_EQ(-EOPNOTSUPP, rcumap_ioctl(self->fd, RCUMAP_IOC_LOOKUP_BULK, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, rcumap_ioctl(self->fd, RCUMAP_IOC_LOOKUP_BULK, &cmd));

	EXPECT_EQ(0, _raw_lookup_bulk(self->fd, b.keys, b.vals, status, 0,
				      &out, &found));
	EXPECT_EQ(0, out);
	EXPECT_EQ(0, found);

	/* Key j cannot be read: keys before it may have been looked up. */
	p = badmem_at_end(&self->bad, (size_t)j * KS + 1);
	memcpy(p, b.keys, (size_t)j * KS + 1);
	EXPECT_EQ(-EFAULT, _raw_lookup_bulk(self->fd, p, b.vals, status, n,
					    &out, &found));
	EXPECT_GE(j, out);
	EXPECT_EQ(out, found);
	for (i = 0; i < out; i++)
		EXPECT_EQ(0, status[i]) TH_LOG("key %u", i);

	/* Statuses that cannot be written: nothing counts as done. */
	EXPECT_EQ(-EFAULT, _raw_lookup_bulk(self->fd, b.keys, b.vals,
					    (__u32 *)self->bad.ro, n, &out,
					    &found));
	EXPECT_EQ(0, out);
	EXPECT_EQ(-EFAULT, _raw_lookup_bulk(self->fd, b.keys, b.vals, NULL, n,
					    &out, &found));
	EXPECT_EQ(0, out);
	if (VS) {
		EXPECT_EQ(-EFAULT, _raw_lookup_bulk(self->fd, b.keys,
						    self->bad.ro, status, n,
						    &out, &found));
		EXPECT_EQ(0, out);
	}
	/* Arrays that wrap around the address space. */
	p = (__u8 *)(uintptr_t)(~0ULL - 15);
	ret = _raw_lookup_bulk(self->fd, p, b.vals, status, ~0U, &out, &found);
	EXPECT_TRUE(ret == -EOVERFLOW || ret == -EFAULT) TH_LOG("got %d", ret);
	EXPECT_EQ(0, out);

	for (i = 0; i < n; i++)
		EXPECT_EQ(0, check(self->fd, &self->s, i, 0)) TH_LOG("key %u", i);
	EXPECT_EQ(n, count_of(self->fd));
	batch_free(&b);
}

/*
 * BATCH_LOOKUP_AND_DELETE, positional and ordered, at several counts,
 * drains the map: every key comes back once with its value, and is gone.
 */
TEST_F(rcumap_hash, batch_lookup_and_delete_drains_the_map)
{
	static const __u32 counts[] = { 1, 3, 7, 64 };
	__u8 token[RCUMAP_BATCH_TOKEN_SIZE(TEST_MAX_KEY)];
	__u32 n = MAXE, seen[256], c, i, got, total;
	__u8 *keys, *vals;
	int ordered, ret;

	ASSERT_GE(ARRAY_LEN(seen), n);
	keys = calloc(64, KS);
	vals = calloc(64, VS + 1);
	ASSERT_NE(NULL, keys);
	ASSERT_NE(NULL, vals);
	for (ordered = 0; ordered < 2; ordered++) {
		for (c = 0; c < ARRAY_LEN(counts); c++) {
			bool started = false;

			ASSERT_EQ(0, fill_keys(self->fd, &self->s, n, c + 1));
			memset(seen, 0, sizeof(seen));
			memset(token, 0, sizeof(token));
			total = 0;
			do {
				ret = _test_cmd_batch_lookup_and_delete(
					self->fd, token, started, ordered,
					keys, VS ? vals : NULL, counts[c], &got);
				started = true;
				ASSERT_TRUE(!ret || ret == -ENOENT) TH_LOG("got %d", ret);
				ASSERT_GE(counts[c], got);
				for (i = 0; i < got; i++) {
					long long k = key_index(keys + (size_t)i * KS,
								KS);

					ASSERT_LE(0, k);
					ASSERT_GT(n, k);
					seen[k]++;
					EXPECT_TRUE(value_is(vals + (size_t)i * VS,
							     VS, k, c + 1))
						TH_LOG("key %lld", k);
				}
				total += got;
			} while (!ret && total <= n);
			EXPECT_EQ(-ENOENT, ret);
			EXPECT_EQ(n, total) TH_LOG("count %u, %s", counts[c],
						   ordered ? "ordered" : "positional");
			for (i = 0; i < n; i++)
				EXPECT_EQ(1, seen[i]) TH_LOG("key %u", i);
			EXPECT_EQ(0, count_of(self->fd));
		}
	}
	free(keys);
	free(vals);
}

/*
 * A value slot (with no values, a key slot) that cannot be written stops
 * the batch before the entry that would go there is deleted: out_count
 * entries were returned and deleted, every other key is still in the map
 * with its value.
 */
TEST_F(rcumap_hash, batch_lookup_and_delete_fault_loses_nothing)
{
	__u32 n = 16, j, out, i, k;
	__u8 *keys, *vals = NULL, *gone;
	size_t slot = VS ? VS : KS;
	int ret;

	gone = calloc(n, 1);
	ASSERT_NE(NULL, gone);
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, n, 7));
	j = slot * 3 < 2 * PAGE ? 3 : 1;
	/* Slot j's first byte is mapped, its last is not. */
	if (VS) {
		keys = calloc(n, KS);
		ASSERT_NE(NULL, keys);
		vals = badmem_at_end(&self->bad, (size_t)j * VS + 1);
	} else {
		keys = badmem_at_end(&self->bad, (size_t)j * KS + 1);
	}
	{
		struct rcumap_batch cmd = {
			.size = sizeof(cmd),
			.keys = U64_PTR(keys),
			.values = U64_PTR(vals),
			.count = n,
			.out_count = UNTOUCHED32,
		};

		ret = rcumap_ioctl(self->fd, RCUMAP_IOC_BATCH_LOOKUP_AND_DELETE,
				   &cmd);
		out = cmd.out_count;
	}
	EXPECT_EQ(-EFAULT, ret);
	EXPECT_EQ(j, out);
	for (i = 0; i < out; i++) {
		long long kn = key_index(keys + (size_t)i * KS, KS);

		ASSERT_LE(0, kn);
		ASSERT_GT(n, kn);
		gone[kn] = 1;
		EXPECT_TRUE(!VS || value_is(vals + (size_t)i * VS, VS, kn, 7));
	}
	for (k = 0; k < n; k++)
		EXPECT_EQ(gone[k] ? -ENOENT : 0, check(self->fd, &self->s, k, 7))
			TH_LOG("key %u", k);
	EXPECT_EQ(n - out, count_of(self->fd));
	if (VS)
		free(keys);
	free(gone);
}

/* ---- Ordered walks while another process churns and resizes -------------- */

#define OWC_STABLE	96	/* keys 0..95: in the map the whole time */
#define OWC_KEYS	256	/* keys 96..255: inserted and deleted */
#define OWC_SECONDS	2.0

/* What the churning child tells the parent, in MAP_SHARED memory. */
struct owc_shared {
	__u64 ops, resizes;
	char why[160];
};

/*
 * The child: insert, replace and delete keys OWC_STABLE..OWC_KEYS - 1,
 * and every few operations resize the map one step (a doubling or a
 * halving, between 16 and 1024 buckets, 16 keeping OWC_KEYS far from the
 * bucket bound: one step at a time, so that there
 * are many of them, each of them waiting for a grace period), until
 * @deadline.
 */
static int owc_churn(int fd, const struct shape *s, struct owc_shared *sh,
		     double deadline)
{
	__u64 seed = 0x853c49e6748fea9bULL, ops = 0, resizes = 0;
	__u32 key, shift = 4;
	int ret;

	while (now_s() < deadline) {
		key = OWC_STABLE + rnd(&seed) % (OWC_KEYS - OWC_STABLE);
		if (rnd(&seed) % 2) {
			ret = put(fd, s, key, ops, RCUMAP_UPDATE_ANY);
			if (ret) {
				snprintf(sh->why, sizeof(sh->why),
					 "child: UPDATE of key %u: %d", key, ret);
				return 1;
			}
		} else {
			ret = del(fd, s, key);
			if (ret && ret != -ENOENT) {
				snprintf(sh->why, sizeof(sh->why),
					 "child: DELETE of key %u: %d", key, ret);
				return 1;
			}
		}
		if (rnd(&seed) % 8 == 0) {
			if (shift == 4 || (shift < 10 && rnd(&seed) % 2))
				shift++;
			else
				shift--;
			ret = _test_cmd_resize(fd, 1U << shift);
			if (ret) {
				snprintf(sh->why, sizeof(sh->why),
					 "child: RESIZE: %d", ret);
				return 1;
			}
			resizes++;
		}
		ops++;
	}
	sh->ops = ops;
	sh->resizes = resizes;
	return 0;
}

FIXTURE(rcumap_owalk) {
	int fd;
	struct shape s;
	struct owc_shared *sh;
};

FIXTURE_VARIANT(rcumap_owalk) {
	struct shape s;
	__u32 flags;	/* CREATE's */
};

FIXTURE_VARIANT_ADD(rcumap_owalk, k8v16) {
	.s = { RCUMAP_MAP_HASH, 8, 16, OWC_KEYS, 0 },
};

/* Sixteen buckets to start with: long buckets, and resizes from the walk's. */
FIXTURE_VARIANT_ADD(rcumap_owalk, k16v64_b16) {
	.s = { RCUMAP_MAP_HASH, 16, 64, OWC_KEYS, 16 },
};

/* A map that also resizes by itself, and values of 0 bytes. */
FIXTURE_VARIANT_ADD(rcumap_owalk, k8v0_auto) {
	.s = { RCUMAP_MAP_HASH, 8, 0, OWC_KEYS, 2 },
	.flags = RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK,
};

FIXTURE_SETUP(rcumap_owalk)
{
	self->s = variant->s;
	self->fd = rcumap_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", RCUMAP_DEV, strerror(errno));
	test_cmd_create_shape_flags(&self->s, variant->flags);
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
}

FIXTURE_TEARDOWN(rcumap_owalk)
{
	close(self->fd);
}

/*
 * Ordered walks, by GET_NEXT_KEY and by BATCH_LOOKUP of several sizes,
 * while a child process churns the other keys and resizes the map: every
 * walk returns each stable key exactly once, in the order of a walk of
 * the quiet map, and no key twice.
 */
TEST_F_TIMEOUT(rcumap_owalk, walk_while_churn_and_resize, 120)
{
	static const __u32 batches[] = { 0, 1, 5, 16, 64 };
	long long ref[OW_KEYS], order[OW_KEYS];
	struct owalk w = {
		.check_below = OWC_STABLE, .max = OW_KEYS, .order = order,
	};
	__u32 seen[OWC_KEYS], nref, i, walks = 0, bad_walks = 0;
	__u64 seed = 0x2545f4914f6cdd1dULL;
	struct owalk_check oc;
	int pos[OW_KEYS], status;
	double deadline;
	pid_t pid;

	ASSERT_EQ(0, fill_keys(self->fd, &self->s, OWC_STABLE, 0));
	ASSERT_EQ(0, owalk_reference(self->fd, &self->s, ref, &nref));
	ASSERT_EQ(OWC_STABLE, nref);
	owalk_positions(ref, nref, pos);

	deadline = now_s() + OWC_SECONDS;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(owc_churn(self->fd, &self->s, self->sh, deadline));

	while (now_s() < deadline && bad_walks < 5) {
		w.batch = batches[rnd(&seed) % ARRAY_LEN(batches)];
		EXPECT_EQ(0, owalk_run(self->fd, &self->s, &w))
			TH_LOG("walk %u, batch %u", walks, w.batch);
		memset(seen, 0, sizeof(seen));
		for (i = 0; i < w.n; i++)
			if (order[i] >= 0 && order[i] < OWC_KEYS)
				seen[order[i]]++;
		oc = owalk_against(&w, pos);
		for (i = 0; i < OWC_KEYS; i++) {
			EXPECT_GE(1, seen[i])
				TH_LOG("walk %u, batch %u: key %u %u times",
				       walks, w.batch, i, seen[i]);
			if (i < OWC_STABLE) {
				EXPECT_EQ(1, seen[i])
					TH_LOG("walk %u, batch %u: stable key %u %u times",
					       walks, w.batch, i, seen[i]);
			}
		}
		EXPECT_EQ(0, oc.back) TH_LOG("walk %u, batch %u: out of order",
					     walks, w.batch);
		EXPECT_EQ(0, w.bad) TH_LOG("walk %u, batch %u", walks, w.batch);
		bad_walks += w.bad || oc.back || oc.foreign > OWC_KEYS - OWC_STABLE;
		walks++;
	}

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("%s", self->sh->why);
	EXPECT_LT(0, self->sh->resizes);
	EXPECT_LT(1, walks);
	ksft_print_msg("%s: %u walks while the child made %llu changes and %llu resizes\n",
		       _metadata->name, walks, (unsigned long long)self->sh->ops,
		       (unsigned long long)self->sh->resizes);
	for (i = 0; i < OWC_STABLE; i++) {
		EXPECT_EQ(0, check(self->fd, &self->s, i, 0)) TH_LOG("key %u", i);
	}
}

RCUMAP_SELFTEST_MAIN
