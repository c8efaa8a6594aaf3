// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap.c - selftests of /dev/rcumap against the contract in
 * include/uapi/linux/rcumap.h.
 *
 * Fixtures:
 *   rcumap_dev   an open file without a map: CREATE, lifetime, and the
 *                tests run over every ioctl (length, flags, pointers,
 *                wrong map type, unknown numbers), driven by ops[] below
 *   rcumap_hash  a HASH map, in variants of key and value size
 *   rcumap_ptab  a PTAB map, in variants of value size and capacity
 *   rcumap_percpu a PERCPU_HASH map, in variants of key and value size
 *   rcumap_lru   an LRU_HASH map, in variants of key and value size
 *   rcumap_mp    processes sharing one map file, readers and writers
 *   rcumap_owalk ordered walks while another process churns keys and
 *                resizes the map
 *
 * Every test expects one documented behaviour; nothing is skipped.  The
 * binary ends with the line "N passed, N failed" (common.h).
 */
#include <signal.h>

#include "common.h"

/* ---- Maps of a test's shape ---------------------------------------------- */

/* Key @n at version @ver, inserted or replaced as @flags says. */
static int put(int fd, const struct shape *s, __u64 n, __u32 ver, __u32 flags)
{
	__u8 k[TEST_MAX_KEY], v[TEST_MAX_VALUE];

	make_key(k, s->key_size, n);
	make_value(v, s->value_size, n, ver);
	return _test_cmd_update(fd, k, v, flags);
}

static int del(int fd, const struct shape *s, __u64 n)
{
	__u8 k[TEST_MAX_KEY];

	make_key(k, s->key_size, n);
	return _test_cmd_delete(fd, k);
}

/*
 * 0 if key @n holds version @ver, the error of LOOKUP if it fails, and
 * -EBADMSG if it returns another value or writes past value_size.
 */
static int check(int fd, const struct shape *s, __u64 n, __u32 ver)
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

/* INFO's out_count, or -errno. */
static long long count_of(int fd)
{
	struct rcumap_info info;
	int ret = _test_cmd_info(fd, &info);

	return ret ? (long long)ret : (long long)info.out_count;
}

/* A new file holding a map of shape @s made with CREATE's @flags. */
static int open_map_flags(const struct shape *s, __u32 flags)
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

static int open_map(const struct shape *s)
{
	return open_map_flags(s, 0);
}

/*
 * Write @len bytes of @src into fresh read-only memory; ro_free() it.
 * Two pages, so that it cannot fill a struct badmem's one-page hole.
 */
static void *ro_copy(const void *src, size_t len)
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

static void ro_free(void *p)
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
static int stats_walk(int fd, __u32 budget, __u32 nr_hist, struct stats *st)
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
static struct stats stats_check_still(struct __test_metadata *_metadata,
				      int fd, __u32 budget)
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

/* ---- Every ioctl, for the tests run over all of them -------------------- */

/*
 * The map an op runs on (struct env): a HASH map of 8-byte keys and values
 * holding keys 1 to 4, or a PTAB map of 8-byte values holding two entries,
 * or (CREATE) a file without a map.  Each op's fill() makes a struct that
 * succeeds on that map; its delta is what the op does to the state
 * state_of() reads (-1 for no map, else INFO's count).
 */
enum need { NEED_NONE, NEED_HASH, NEED_PTAB };

#define ENV_KS		8
#define ENV_VS		8
#define ENV_MAX		16
#define ENV_CAP		64
#define ENV_KEYS	4

struct env {
	int fd;
	__u8 key[ENV_KS], newkey[ENV_KS], val[ENV_VS];
	__u8 out[ENV_VS], outkey[ENV_KS];
	__u8 bkeys[2][ENV_KS], bvals[2][ENV_VS];
	__u8 lkeys[8][ENV_KS], lvals[8][ENV_VS];
	__u64 ids[2];
	__u32 hist[8];
};

static const struct shape env_hash = {
	.type = RCUMAP_MAP_HASH, .key_size = ENV_KS, .value_size = ENV_VS,
	.max_entries = ENV_MAX,
};

static const struct shape env_ptab = {
	.type = RCUMAP_MAP_PTAB, .value_size = ENV_VS, .max_entries = ENV_CAP,
};

static void fill_create(struct env *e, void *p)
{
	struct rcumap_create *c = p;

	(void)e;
	c->map_type = env_hash.type;
	c->key_size = env_hash.key_size;
	c->value_size = env_hash.value_size;
	c->max_entries = env_hash.max_entries;
}

static void fill_info(struct env *e, void *p)
{
	(void)e;
	(void)p;
}

static void fill_lookup(struct env *e, void *p)
{
	struct rcumap_elem *c = p;

	make_key(e->key, ENV_KS, 1);
	c->key = U64_PTR(e->key);
	c->value = U64_PTR(e->out);
}

static void fill_update(struct env *e, void *p)
{
	struct rcumap_elem *c = p;

	make_key(e->newkey, ENV_KS, 100);
	make_value(e->val, ENV_VS, 100, 0);
	c->key = U64_PTR(e->newkey);
	c->value = U64_PTR(e->val);
}

static void fill_delete(struct env *e, void *p)
{
	struct rcumap_elem *c = p;

	make_key(e->key, ENV_KS, 1);
	c->key = U64_PTR(e->key);
}

static void fill_get_next_key(struct env *e, void *p)
{
	struct rcumap_get_next_key *c = p;

	c->next_key = U64_PTR(e->outkey);
}

static void fill_batch_lookup(struct env *e, void *p)
{
	struct rcumap_batch *c = p;

	c->keys = U64_PTR(e->lkeys);
	c->values = U64_PTR(e->lvals);
	c->count = ARRAY_LEN(e->lkeys);
}

static void fill_batch_update(struct env *e, void *p)
{
	struct rcumap_batch *c = p;
	int i;

	for (i = 0; i < 2; i++) {
		make_key(e->bkeys[i], ENV_KS, 100 + i);
		make_value(e->bvals[i], ENV_VS, 100 + i, 0);
	}
	c->keys = U64_PTR(e->bkeys);
	c->values = U64_PTR(e->bvals);
	c->count = 2;
}

static void fill_batch_delete(struct env *e, void *p)
{
	struct rcumap_batch *c = p;
	int i;

	for (i = 0; i < 2; i++)
		make_key(e->bkeys[i], ENV_KS, 1 + i);
	c->keys = U64_PTR(e->bkeys);
	c->count = 2;
}

static void fill_resize(struct env *e, void *p)
{
	struct rcumap_resize *c = p;

	(void)e;
	c->nr_buckets = 4 * ENV_MAX;
}

static void fill_bucket_stats(struct env *e, void *p)
{
	struct rcumap_bucket_stats *c = p;

	c->hist = U64_PTR(e->hist);
	c->nr_hist = ARRAY_LEN(e->hist);
	c->budget = RCUMAP_STATS_MAX_BUDGET;
}

static void fill_dup_rdonly(struct env *e, void *p)
{
	(void)e;
	(void)p;
}

static void fill_ptab_insert(struct env *e, void *p)
{
	struct rcumap_ptab_insert *c = p;

	make_value(e->val, ENV_VS, 100, 0);
	c->value = U64_PTR(e->val);
}

static void fill_ptab_elem(struct env *e, void *p)
{
	struct rcumap_ptab_elem *c = p;

	c->id = e->ids[0];
	c->value = U64_PTR(e->out);
}

static void fill_ptab_next(struct env *e, void *p)
{
	struct rcumap_ptab_next *c = p;

	c->value = U64_PTR(e->out);
}

#define offsetofend(T, m)	(offsetof(T, m) + sizeof(((T *)0)->m))

struct op {
	const char *name;
	unsigned long ioc;
	__u32 size;		/* sizeof the struct */
	__u32 min_size;		/* its first version: up to its last field */
	enum need need;
	bool writes;		/* EPERM on a file without write access */
	__u32 known_flags;	/* flag bits the op accepts */
	int delta;		/* change of state_of() on success */
	bool has_out;		/* the kernel writes out_* fields */
	void (*fill)(struct env *e, void *cmd);
};

#define OP(_name, _struct, _last, _need, _w, _flags, _delta, _out, _fill) \
	{								\
		.name = #_name,						\
		.ioc = RCUMAP_IOC_##_name,				\
		.size = sizeof(struct _struct),				\
		.min_size = offsetofend(struct _struct, _last),		\
		.need = _need,						\
		.writes = _w,						\
		.known_flags = _flags,					\
		.delta = _delta,					\
		.has_out = _out,					\
		.fill = _fill,						\
	}

/* UPDATE's modes take flag bits 0 and 1 (NOEXIST 1, EXIST 2). */
#define UPDATE_FLAG_BITS	3U

enum {
	OP_CREATE, OP_INFO, OP_LOOKUP, OP_UPDATE, OP_DELETE,
	OP_LOOKUP_AND_DELETE, OP_GET_NEXT_KEY, OP_BATCH_LOOKUP,
	OP_BATCH_UPDATE, OP_BATCH_DELETE, OP_PTAB_INSERT, OP_PTAB_LOOKUP,
	OP_PTAB_REMOVE, OP_PTAB_NEXT, OP_RESIZE, OP_BUCKET_STATS,
	OP_DUP_RDONLY, NR_OPS
};

/* The writes column of ops[]: R may run on a read-only file, W may not. */
#define R	false
#define W	true

#define CREATE_FLAG_BITS	(RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK)
#define WALK_FLAG_BITS		RCUMAP_WALK_ORDERED

static const struct op ops[NR_OPS] = {
	[OP_CREATE] = OP(CREATE, rcumap_create, __reserved, NEED_NONE, W,
			 CREATE_FLAG_BITS, 1, false, fill_create),
	[OP_INFO] = OP(INFO, rcumap_info, out_bytes_used, NEED_HASH, R,
		       0, 0, true, fill_info),
	[OP_LOOKUP] = OP(LOOKUP, rcumap_elem, value, NEED_HASH, R,
			 0, 0, false, fill_lookup),
	[OP_UPDATE] = OP(UPDATE, rcumap_elem, value, NEED_HASH, W,
			 UPDATE_FLAG_BITS, 1, false, fill_update),
	[OP_DELETE] = OP(DELETE, rcumap_elem, value, NEED_HASH, W,
			 0, -1, false, fill_delete),
	[OP_LOOKUP_AND_DELETE] = OP(LOOKUP_AND_DELETE, rcumap_elem, value,
				    NEED_HASH, W, 0, -1, false, fill_lookup),
	[OP_GET_NEXT_KEY] = OP(GET_NEXT_KEY, rcumap_get_next_key, next_key,
			       NEED_HASH, R, WALK_FLAG_BITS, 0, false,
			       fill_get_next_key),
	[OP_BATCH_LOOKUP] = OP(BATCH_LOOKUP, rcumap_batch, out_count,
			       NEED_HASH, R, WALK_FLAG_BITS, 0, true,
			       fill_batch_lookup),
	[OP_BATCH_UPDATE] = OP(BATCH_UPDATE, rcumap_batch, out_count,
			       NEED_HASH, W, UPDATE_FLAG_BITS, 2, true,
			       fill_batch_update),
	[OP_BATCH_DELETE] = OP(BATCH_DELETE, rcumap_batch, out_count,
			       NEED_HASH, W, 0, -2, true, fill_batch_delete),
	[OP_PTAB_INSERT] = OP(PTAB_INSERT, rcumap_ptab_insert, out_id,
			      NEED_PTAB, W, 0, 1, true, fill_ptab_insert),
	[OP_PTAB_LOOKUP] = OP(PTAB_LOOKUP, rcumap_ptab_elem, value,
			      NEED_PTAB, R, 0, 0, false, fill_ptab_elem),
	[OP_PTAB_REMOVE] = OP(PTAB_REMOVE, rcumap_ptab_elem, value,
			      NEED_PTAB, W, 0, -1, false, fill_ptab_elem),
	[OP_PTAB_NEXT] = OP(PTAB_NEXT, rcumap_ptab_next, out_id,
			    NEED_PTAB, R, 0, 0, true, fill_ptab_next),
	[OP_RESIZE] = OP(RESIZE, rcumap_resize, __reserved, NEED_HASH, W,
			 0, 0, false, fill_resize),
	[OP_BUCKET_STATS] = OP(BUCKET_STATS, rcumap_bucket_stats, out_longest,
			       NEED_HASH, R, 0, 0, true, fill_bucket_stats),
	/* Any map: NEED_HASH is the one the tests over every op make. */
	[OP_DUP_RDONLY] = OP(DUP_RDONLY, rcumap_dup_rdonly, __reserved,
			     NEED_HASH, W, 0, 0, true, fill_dup_rdonly),
};

#undef R
#undef W

/* -1 if the file has no map (INFO fails with EINVAL), else INFO's count. */
static long long state_of(int fd)
{
	long long c = count_of(fd);

	return c == -EINVAL ? -1 : c;
}

/* A fresh file holding what @need asks for; 0 or -errno. */
static int env_open(struct env *e, enum need need)
{
	__u8 v[ENV_VS];
	int i, ret;

	memset(e, 0, sizeof(*e));
	e->fd = rcumap_open();
	if (e->fd < 0)
		return -errno;
	if (need == NEED_HASH) {
		ret = _test_cmd_create_shape(e->fd, &env_hash);
		for (i = 1; !ret && i <= ENV_KEYS; i++)
			ret = put(e->fd, &env_hash, i, 0, RCUMAP_UPDATE_ANY);
	} else if (need == NEED_PTAB) {
		ret = _test_cmd_create_shape(e->fd, &env_ptab);
		for (i = 0; !ret && i < 2; i++) {
			make_value(v, ENV_VS, 1 + i, 0);
			ret = _test_cmd_ptab_insert(e->fd, v, &e->ids[i]);
		}
	} else {
		ret = 0;
	}
	if (ret)
		close(e->fd);
	return ret;
}

static void env_close(struct env *e)
{
	close(e->fd);
}

/*
 * Fill @buf with @op's struct for @e, its size field set to @size, and
 * run it.  @buf must hold at least op->size bytes (more if @size is
 * larger: what lies past op->size is left as the caller set it).
 */
static void op_fill(struct env *e, const struct op *op, void *buf)
{
	memset(buf, 0, op->size);
	op->fill(e, buf);
}

static int op_run(struct env *e, const struct op *op, void *buf, __u32 size)
{
	*(__u32 *)buf = size;
	return rcumap_ioctl(e->fd, op->ioc, buf);
}

/* Where an op's flags live: right after size in every struct. */
static __u32 *op_flags(void *buf)
{
	return (__u32 *)buf + 1;
}

#define OPLOG(op)	TH_LOG("op %s", (op)->name)

/*
 * The bytes of @op's struct that two runs on two maps made alike must
 * agree on: all but the size field and what may depend on a map's hash
 * seed or id counter.
 */
static bool op_same(const struct op *op, const void *a, const void *b)
{
	size_t skip_off = op->size, skip_len = 0;

	if (op->ioc == RCUMAP_IOC_PTAB_INSERT) {
		skip_off = offsetof(struct rcumap_ptab_insert, out_id);
		skip_len = 8;
	} else if (op->ioc == RCUMAP_IOC_BATCH_LOOKUP) {
		skip_off = offsetof(struct rcumap_batch, out_cursor);
		skip_len = 8;
	} else if (op->ioc == RCUMAP_IOC_INFO) {
		/* Bucket sizes, so memory, follow where the keys hash to. */
		skip_off = offsetof(struct rcumap_info, out_bytes_used);
		skip_len = 8;
	} else if (op->ioc == RCUMAP_IOC_BUCKET_STATS) {
		/* So does the longest bucket. */
		skip_off = offsetof(struct rcumap_bucket_stats, out_longest);
		skip_len = 4;
	} else if (op->ioc == RCUMAP_IOC_DUP_RDONLY) {
		/* Earlier runs' descriptors are still open. */
		skip_off = offsetof(struct rcumap_dup_rdonly, out_fd);
		skip_len = 4;
	}
	/* Past the size field, which differs by design. */
	a = (const __u8 *)a + 4;
	b = (const __u8 *)b + 4;
	skip_off -= 4;
	return !memcmp(a, b, skip_off) &&
	       !memcmp((const __u8 *)a + skip_off + skip_len,
		       (const __u8 *)b + skip_off + skip_len,
		       op->size - 4 - skip_off - skip_len);
}

/*
 * Sizes above RCUMAP_MAX_STRUCT_SIZE: E2BIG whatever the tail holds.  The
 * largest run past any buffer: with the struct right before a hole, the
 * kernel would fault (EFAULT) had it read any byte past the struct.
 */
static const __u32 too_big[] = {
	RCUMAP_MAX_STRUCT_SIZE + 1, RCUMAP_MAX_STRUCT_SIZE + 8, 2 * PAGE,
	1U << 20, 1U << 31, ~0U,
};

/*
 * The length rules of the header for one ioctl: below the first version
 * EINVAL; a longer struct, up to RCUMAP_MAX_STRUCT_SIZE, with a non-zero
 * tail E2BIG, with a zero tail the same result as the exact size; above
 * that E2BIG, zero tail or not, without reading the tail; the failures
 * change nothing, and the kernel writes nothing past the struct it knows.
 */
static void length_test(struct __test_metadata *_metadata, const struct op *op,
			const struct badmem *bad)
{
	const __u32 tails[] = { 8, 1, 64, RCUMAP_MAX_STRUCT_SIZE - op->size };
	static __u8 exact[PAGE], buf[2 * PAGE];
	long long before;
	struct env e;
	__u8 *p;
	__u32 size;
	size_t i;
	int want;

	/* The exact size: the reference. */
	ASSERT_EQ(0, env_open(&e, op->need));
	before = state_of(e.fd);
	op_fill(&e, op, exact);
	want = op_run(&e, op, exact, op->size);
	ASSERT_EQ(0, want);
	EXPECT_EQ(before + op->delta, state_of(e.fd));
	env_close(&e);

	/* Longer, with a zero tail: the same, on a map made alike. */
	for (i = 0; i < ARRAY_LEN(tails); i++) {
		size = op->size + tails[i];
		ASSERT_EQ(0, env_open(&e, op->need));
		before = state_of(e.fd);
		memset(buf, 0, sizeof(buf));
		op_fill(&e, op, buf);
		EXPECT_EQ(want, op_run(&e, op, buf, size))
			TH_LOG("size %u, zero tail", size);
		EXPECT_EQ(size, *(__u32 *)buf);
		EXPECT_TRUE(op_same(op, exact, buf))
			TH_LOG("size %u: struct differs", size);
		EXPECT_TRUE(all_bytes(buf + op->size, 0, sizeof(buf) - op->size))
			TH_LOG("size %u: kernel wrote past the struct", size);
		EXPECT_EQ(before + op->delta, state_of(e.fd));
		env_close(&e);
	}

	/* Longer, with a non-zero byte in the tail: E2BIG, nothing done. */
	ASSERT_EQ(0, env_open(&e, op->need));
	before = state_of(e.fd);
	for (i = 0; i < ARRAY_LEN(tails); i++) {
		__u32 pos[] = { 0, tails[i] - 1 };
		size_t j;

		size = op->size + tails[i];
		for (j = 0; j < ARRAY_LEN(pos); j++) {
			memset(buf, 0, sizeof(buf));
			op_fill(&e, op, buf);
			buf[op->size + pos[j]] = j ? 0x80 : 0x01;
			EXPECT_EQ(-E2BIG, op_run(&e, op, buf, size))
				TH_LOG("size %u, tail byte %u set", size, pos[j]);
			EXPECT_EQ(before, state_of(e.fd));
		}
	}

	/* Above RCUMAP_MAX_STRUCT_SIZE: E2BIG, the tail unread, nothing done. */
	for (i = 0; i < ARRAY_LEN(too_big); i++) {
		memset(buf, 0, sizeof(buf));
		op_fill(&e, op, buf);
		EXPECT_EQ(-E2BIG, op_run(&e, op, buf, too_big[i]))
			TH_LOG("size %u, zero tail", too_big[i]);
		p = badmem_at_end(bad, op->size);
		op_fill(&e, op, p);
		EXPECT_EQ(-E2BIG, op_run(&e, op, p, too_big[i]))
			TH_LOG("size %u, struct before a hole", too_big[i]);
		EXPECT_EQ(before, state_of(e.fd));
	}

	/* Below the first version: EINVAL, nothing done. */
	for (size = 0; size < op->min_size; size += size < 8 ? 1 : 4) {
		memset(buf, 0, sizeof(buf));
		op_fill(&e, op, buf);
		EXPECT_EQ(-EINVAL, op_run(&e, op, buf, size))
			TH_LOG("size %u", size);
	}
	memset(buf, 0, sizeof(buf));
	op_fill(&e, op, buf);
	EXPECT_EQ(-EINVAL, op_run(&e, op, buf, op->min_size - 1))
		TH_LOG("size %u: one byte short", op->min_size - 1);
	EXPECT_EQ(before, state_of(e.fd));
	env_close(&e);
}

FIXTURE(rcumap_dev) {
	int fd;
	struct badmem bad;
};

FIXTURE_SETUP(rcumap_dev)
{
	self->fd = rcumap_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", RCUMAP_DEV, strerror(errno));
	ASSERT_EQ(0, badmem_init(&self->bad));
}

FIXTURE_TEARDOWN(rcumap_dev)
{
	close(self->fd);
}

#define LENGTH_TEST(_name, _op)					\
	TEST_F(rcumap_dev, length_##_name)				\
	{								\
		length_test(_metadata, &ops[_op], &self->bad);		\
	}

LENGTH_TEST(create, OP_CREATE)
LENGTH_TEST(info, OP_INFO)
LENGTH_TEST(lookup, OP_LOOKUP)
LENGTH_TEST(update, OP_UPDATE)
LENGTH_TEST(delete, OP_DELETE)
LENGTH_TEST(lookup_and_delete, OP_LOOKUP_AND_DELETE)
LENGTH_TEST(get_next_key, OP_GET_NEXT_KEY)
LENGTH_TEST(batch_lookup, OP_BATCH_LOOKUP)
LENGTH_TEST(batch_update, OP_BATCH_UPDATE)
LENGTH_TEST(batch_delete, OP_BATCH_DELETE)
LENGTH_TEST(ptab_insert, OP_PTAB_INSERT)
LENGTH_TEST(ptab_lookup, OP_PTAB_LOOKUP)
LENGTH_TEST(ptab_remove, OP_PTAB_REMOVE)
LENGTH_TEST(ptab_next, OP_PTAB_NEXT)
LENGTH_TEST(resize, OP_RESIZE)
LENGTH_TEST(bucket_stats, OP_BUCKET_STATS)
LENGTH_TEST(dup_rdonly, OP_DUP_RDONLY)

/* Every flag bit an op does not know: EOPNOTSUPP, nothing done. */
TEST_F(rcumap_dev, unknown_flags_eopnotsupp)
{
	__u8 buf[256];
	long long before;
	struct env e;
	int i, bit;

	for (i = 0; i < NR_OPS; i++) {
		const struct op *op = &ops[i];

		ASSERT_EQ(0, env_open(&e, op->need));
		before = state_of(e.fd);
		for (bit = 0; bit < 32; bit++) {
			if (op->known_flags & (1U << bit))
				continue;
			op_fill(&e, op, buf);
			*op_flags(buf) = 1U << bit;
			EXPECT_EQ(-EOPNOTSUPP, op_run(&e, op, buf, op->size))
				TH_LOG("op %s, flag bit %d", op->name, bit);
		}
		EXPECT_EQ(before, state_of(e.fd)) OPLOG(op);
		env_close(&e);
	}
}

/*
 * UPDATE's flags are a mode: NOEXIST and EXIST together name no mode.
 * Either a bad value (EINVAL) or an unknown flag (EOPNOTSUPP), and
 * nothing done.
 */
TEST_F(rcumap_dev, update_both_modes_rejected)
{
	static const int which[] = { OP_UPDATE, OP_BATCH_UPDATE };
	__u8 buf[256];
	long long before;
	struct env e;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_LEN(which); i++) {
		const struct op *op = &ops[which[i]];

		ASSERT_EQ(0, env_open(&e, op->need));
		before = state_of(e.fd);
		op_fill(&e, op, buf);
		*op_flags(buf) = RCUMAP_UPDATE_NOEXIST | RCUMAP_UPDATE_EXIST;
		ret = op_run(&e, op, buf, op->size);
		EXPECT_TRUE(ret == -EINVAL || ret == -EOPNOTSUPP)
			TH_LOG("op %s: got %d", op->name, ret);
		EXPECT_EQ(before, state_of(e.fd)) OPLOG(op);
		env_close(&e);
	}
}

static const __u32 reserved_junk[] = { 1, 0x80, 1U << 31, ~0U };

TEST_F(rcumap_dev, create_reserved_eopnotsupp)
{
	struct rcumap_create c;
	struct env e;
	size_t i;

	memset(&e, 0, sizeof(e));
	for (i = 0; i < ARRAY_LEN(reserved_junk); i++) {
		e.fd = self->fd;
		op_fill(&e, &ops[OP_CREATE], &c);
		c.__reserved = reserved_junk[i];
		EXPECT_EQ(-EOPNOTSUPP, op_run(&e, &ops[OP_CREATE], &c, sizeof(c)))
			TH_LOG("__reserved %#x", reserved_junk[i]);
		EXPECT_EQ(-1, state_of(self->fd));
	}
	/* Nothing was made: CREATE still works on this file. */
	test_cmd_create(RCUMAP_MAP_HASH, 8, 8, 16, 0);
}

/* INFO's __reserved is an input that must be 0: EOPNOTSUPP, nothing written. */
TEST_F(rcumap_dev, info_reserved_eopnotsupp)
{
	struct rcumap_info info;
	size_t i;

	test_cmd_create(RCUMAP_MAP_HASH, 8, 8, 16, 0);
	for (i = 0; i < ARRAY_LEN(reserved_junk); i++) {
		memset(&info, 0xa5, sizeof(info));
		info.size = sizeof(info);
		info.flags = 0;
		info.__reserved = reserved_junk[i];
		EXPECT_EQ(-EOPNOTSUPP,
			  rcumap_ioctl(self->fd, RCUMAP_IOC_INFO, &info))
			TH_LOG("__reserved %#x", reserved_junk[i]);
		EXPECT_EQ(0xa5a5a5a5, info.out_map_type);
		EXPECT_EQ(reserved_junk[i], info.__reserved);
	}
	test_cmd_info(&info);
	EXPECT_EQ(0, info.__reserved);
}

/* RESIZE's __reserved must be 0: EOPNOTSUPP, the map as it was. */
TEST_F(rcumap_dev, resize_reserved_eopnotsupp)
{
	struct rcumap_info before, after;
	struct rcumap_resize rc;
	struct env e;
	size_t i;

	ASSERT_EQ(0, env_open(&e, NEED_HASH));
	ASSERT_EQ(0, _test_cmd_info(e.fd, &before));
	for (i = 0; i < ARRAY_LEN(reserved_junk); i++) {
		op_fill(&e, &ops[OP_RESIZE], &rc);
		rc.__reserved = reserved_junk[i];
		EXPECT_EQ(-EOPNOTSUPP, op_run(&e, &ops[OP_RESIZE], &rc, sizeof(rc)))
			TH_LOG("__reserved %#x", reserved_junk[i]);
	}
	ASSERT_EQ(0, _test_cmd_info(e.fd, &after));
	EXPECT_EQ(before.out_nr_buckets, after.out_nr_buckets);
	EXPECT_EQ(ENV_KEYS, after.out_count);
	/* The same struct with __reserved 0 does resize. */
	op_fill(&e, &ops[OP_RESIZE], &rc);
	EXPECT_EQ(0, op_run(&e, &ops[OP_RESIZE], &rc, sizeof(rc)));
	ASSERT_EQ(0, _test_cmd_info(e.fd, &after));
	EXPECT_EQ(rc.nr_buckets, after.out_nr_buckets);
	env_close(&e);
}

/* Every ioctl but CREATE on a file without a map: EINVAL. */
TEST_F(rcumap_dev, ops_before_create_einval)
{
	__u8 buf[256];
	struct env e;
	int i;

	memset(&e, 0, sizeof(e));
	e.fd = self->fd;
	for (i = 0; i < NR_OPS; i++) {
		if (i == OP_CREATE)
			continue;
		op_fill(&e, &ops[i], buf);
		EXPECT_EQ(-EINVAL, op_run(&e, &ops[i], buf, ops[i].size))
			OPLOG(&ops[i]);
	}
	test_cmd_create(RCUMAP_MAP_PTAB, 0, 8, 64, 0);
	EXPECT_EQ(0, state_of(self->fd));
}

/* Hash ops on a PTAB map and PTAB ops on a HASH map: EINVAL. */
TEST_F(rcumap_dev, ops_on_wrong_map_einval)
{
	__u8 buf[256];
	long long before;
	struct env e;
	int i, type;

	for (type = NEED_HASH; type <= NEED_PTAB; type++) {
		ASSERT_EQ(0, env_open(&e, type));
		before = state_of(e.fd);
		for (i = 0; i < NR_OPS; i++) {
			const struct op *op = &ops[i];

			if (op->need == NEED_NONE || op->ioc == RCUMAP_IOC_INFO ||
			    op->ioc == RCUMAP_IOC_DUP_RDONLY ||
			    op->need == (enum need)type)
				continue;
			op_fill(&e, op, buf);
			EXPECT_EQ(-EINVAL, op_run(&e, op, buf, op->size))
				TH_LOG("op %s on a %s map", op->name,
				       type == NEED_HASH ? "HASH" : "PTAB");
		}
		EXPECT_EQ(before, state_of(e.fd));
		env_close(&e);
	}
}

/*
 * The struct pointer itself: NULL, an unmapped page, a struct whose size
 * field is readable but whose rest is not, and a longer struct whose
 * zero tail runs off the mapping.  EFAULT, nothing done.  The same struct
 * ending right at the hole works.
 */
TEST_F(rcumap_dev, arg_pointer_efault)
{
	long long before;
	struct env e;
	__u8 *p;
	int i;

	for (i = 0; i < NR_OPS; i++) {
		const struct op *op = &ops[i];

		ASSERT_EQ(0, env_open(&e, op->need));
		before = state_of(e.fd);
		EXPECT_EQ(-EFAULT, rcumap_ioctl(e.fd, op->ioc, NULL)) OPLOG(op);
		EXPECT_EQ(-EFAULT, rcumap_ioctl(e.fd, op->ioc, self->bad.unmapped))
			OPLOG(op);

		p = badmem_at_end(&self->bad, 4);
		*(__u32 *)p = op->size;
		EXPECT_EQ(-EFAULT, rcumap_ioctl(e.fd, op->ioc, p)) OPLOG(op);

		p = badmem_at_end(&self->bad, op->size);
		op_fill(&e, op, p);
		EXPECT_EQ(-EFAULT, op_run(&e, op, p, op->size + 8)) OPLOG(op);
		EXPECT_EQ(before, state_of(e.fd)) OPLOG(op);

		op_fill(&e, op, p);
		EXPECT_EQ(0, op_run(&e, op, p, op->size)) OPLOG(op);
		EXPECT_EQ(before + op->delta, state_of(e.fd)) OPLOG(op);
		env_close(&e);
	}
}

/*
 * A struct in a read-only page: the ops that write out_* fields fail with
 * EFAULT, having changed nothing; the others never write their struct and
 * work.  A PTAB_INSERT whose id cannot be written leaves no entry behind,
 * a DUP_RDONLY no descriptor, and a batch does nothing, since its
 * out_count is written first.
 */
TEST_F(rcumap_dev, readonly_struct)
{
	__u8 buf[256];
	long long before;
	struct env e;
	void *ro;
	int i;

	for (i = 0; i < NR_OPS; i++) {
		const struct op *op = &ops[i];

		ASSERT_EQ(0, env_open(&e, op->need));
		before = state_of(e.fd);
		op_fill(&e, op, buf);
		*(__u32 *)buf = op->size;
		ro = ro_copy(buf, op->size);
		ASSERT_NE(NULL, ro);
		if (op->has_out) {
			int next_fd = dup(e.fd);

			ASSERT_LE(0, next_fd);
			close(next_fd);
			EXPECT_EQ(-EFAULT, rcumap_ioctl(e.fd, op->ioc, ro))
				OPLOG(op);
			EXPECT_EQ(before, state_of(e.fd)) OPLOG(op);
			/* No descriptor was left behind: the lowest is free. */
			EXPECT_EQ(next_fd, dup(e.fd)) OPLOG(op);
			close(next_fd);
		} else {
			EXPECT_EQ(0, rcumap_ioctl(e.fd, op->ioc, ro)) OPLOG(op);
			EXPECT_EQ(before + op->delta, state_of(e.fd)) OPLOG(op);
		}
		ro_free(ro);
		env_close(&e);
	}
}

/* Numbers that are no ioctl of the device: ENOTTY, with or without a map. */
TEST_F(rcumap_dev, unknown_ioctl_enotty)
{
	const unsigned long bad[] = {
		_IO(RCUMAP_TYPE, RCUMAP_CMD_BASE - 1),
		_IO(RCUMAP_TYPE, RCUMAP_CMD_DUP_RDONLY + 1),
		_IO(RCUMAP_TYPE, 0xff),
		_IO(RCUMAP_TYPE, 0),
		_IO('x', RCUMAP_CMD_CREATE),
		_IO('x', RCUMAP_CMD_INFO),
		_IOWR(RCUMAP_TYPE, RCUMAP_CMD_CREATE, struct rcumap_create),
		_IOR(RCUMAP_TYPE, RCUMAP_CMD_INFO, struct rcumap_info),
		_IOW(RCUMAP_TYPE, RCUMAP_CMD_UPDATE, struct rcumap_elem),
		RCUMAP_IOC_INFO | (8U << _IOC_SIZESHIFT),
	};
	struct rcumap_info info;
	int pass;
	size_t i;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < ARRAY_LEN(bad); i++) {
			memset(&info, 0, sizeof(info));
			info.size = sizeof(info);
			EXPECT_EQ(-ENOTTY, rcumap_ioctl(self->fd, bad[i], &info))
				TH_LOG("ioctl %#lx, %s map", bad[i],
				       pass ? "with" : "without");
		}
		if (!pass) {
			test_cmd_create(RCUMAP_MAP_HASH, 8, 8, 16, 0);
		}
	}
}

/* ---- CREATE and INFO ------------------------------------------------------ */

/*
 * Keys and values past BPF's limits (RCUMAP_MAX_KEY_VALUE_SIZE together;
 * RCUMAP_MAX_PERCPU_VALUE_SIZE per CPU) are E2BIG, the smallest refused
 * included, and leave the file without a map; create_limits_and_info
 * takes the largest accepted.
 */
TEST_F(rcumap_dev, create_too_big_e2big)
{
	enum { H = RCUMAP_MAP_HASH, L = RCUMAP_MAP_LRU_HASH,
	       C = RCUMAP_MAP_PERCPU_HASH };
	static const struct shape big[] = {
		{ H, RCUMAP_MAX_KEY_SIZE + 1, 0, 16, 0 },
		{ H, RCUMAP_MAX_KEY_SIZE, 1, 16, 0 },
		{ H, 1, RCUMAP_MAX_KEY_VALUE_SIZE, 16, 0 },
		{ H, 4112, RCUMAP_MAX_KEY_VALUE_SIZE - 4112 + 1, 16, 0 },
		{ H, ~0U, 8, 16, 0 },
		{ H, 8, ~0U, 16, 0 },
		{ H, ~0U, ~0U, 16, 0 },
		{ L, RCUMAP_MAX_KEY_SIZE + 1, 0, 16, 0 },
		{ L, 8, RCUMAP_MAX_KEY_VALUE_SIZE - 7, 16, 0 },
		{ L, 8, ~0U, 16, 0 },
		/* Per CPU: the value rounded up to 8, at most 32 KiB. */
		{ C, 8, RCUMAP_MAX_PERCPU_VALUE_SIZE + 1, 16, 0 },
		{ C, 8, RCUMAP_MAX_PERCPU_VALUE_SIZE + 8, 16, 0 },
		{ C, 8, ~0U, 16, 0 },
		{ C, RCUMAP_MAX_KEY_VALUE_SIZE - 7, 8, 16, 0 },
		{ C, RCUMAP_MAX_KEY_SIZE, 8, 16, 0 },
		{ C, ~0U, 8, 16, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(big); i++) {
		EXPECT_EQ(-E2BIG, _test_cmd_create_shape(self->fd, &big[i]))
			TH_LOG("type %u key %u value %u", big[i].type,
			       big[i].key_size, big[i].value_size);
		EXPECT_EQ(-1, state_of(self->fd));
	}
	test_cmd_create(RCUMAP_MAP_HASH, 8, 8, 16, 0);
}

TEST_F(rcumap_dev, create_bad_params_einval)
{
	enum { H = RCUMAP_MAP_HASH, P = RCUMAP_MAP_PTAB };
	static const struct shape bad[] = {
		{ 0, 8, 8, 16, 0 },
		{ 5, 8, 8, 16, 0 },
		/* PERCPU_HASH: a value per CPU, so not 0 bytes */
		{ RCUMAP_MAP_PERCPU_HASH, 8, 0, 16, 0 },
		{ RCUMAP_MAP_PERCPU_HASH, 0, 8, 16, 0 },
		{ RCUMAP_MAP_PERCPU_HASH, 8, 8, 0, 0 },
		/* EINVAL comes before E2BIG */
		{ RCUMAP_MAP_PERCPU_HASH, ~0U, 0, 16, 0 },
		{ RCUMAP_MAP_PERCPU_HASH, ~0U, ~0U, 0, 0 },
		/* LRU_HASH: as HASH */
		{ RCUMAP_MAP_LRU_HASH, 0, 8, 16, 0 },
		{ RCUMAP_MAP_LRU_HASH, 8, 8, 0, 0 },
		{ RCUMAP_MAP_LRU_HASH, ~0U, ~0U, 0, 0 },
		{ RCUMAP_MAP_LRU_HASH, 8, 8, 16, RCUMAP_MAX_BUCKETS + 1 },
		/* LRU_HASH: no more buckets than max_entries, to a power of 2 */
		{ RCUMAP_MAP_LRU_HASH, 8, 8, 16, 17 },
		{ RCUMAP_MAP_LRU_HASH, 8, 8, 1, 2 },
		{ RCUMAP_MAP_LRU_HASH, 8, 8, 100, 256 },
		{ ~0U, 8, 8, 16, 0 },
		/* HASH: key size, entries, buckets */
		{ H, 0, 8, 16, 0 },
		{ H, 0, ~0U, 16, 0 },
		{ H, 8, 8, 0, 0 },
		{ H, ~0U, ~0U, 0, 0 },
		{ H, ~0U, 8, 16, RCUMAP_MAX_BUCKETS + 1 },
		{ H, 8, 8, RCUMAP_MAX_ENTRIES + 1, 1 },
		{ H, 8, 8, ~0U, 1 },
		{ H, 8, 8, 16, RCUMAP_MAX_BUCKETS + 1 },
		{ H, 8, 8, 16, 1U << 31 },
		{ H, 8, 8, 16, ~0U },
		/* Too few buckets to hold max_entries within the bound. */
		{ H, 8, 8, RCUMAP_BUCKET_MAX + 1, 1 },
		{ H, 8, 8, 100, 1 },
		{ H, 8, 8, RCUMAP_MAX_ENTRIES, 1 },
		{ H, 8, 8, RCUMAP_MAX_ENTRIES,
		  RCUMAP_MAX_ENTRIES / RCUMAP_BUCKET_MAX / 2 },
		{ RCUMAP_MAP_PERCPU_HASH, 8, 8, 1000, 8 },
		/* PTAB: no key, value size, capacity, no buckets */
		{ P, 8, 8, 64, 0 },
		{ P, 0, 0, 64, 0 },
		{ P, 0, RCUMAP_MAX_VALUE_SIZE + 1, 64, 0 },
		{ P, 0, 8, 0, 0 },
		{ P, 0, 8, RCUMAP_MIN_CAPACITY / 2, 0 },
		{ P, 0, 8, RCUMAP_MIN_CAPACITY - 1, 0 },
		{ P, 0, 8, RCUMAP_MIN_CAPACITY + 1, 0 },
		{ P, 0, 8, 96, 0 },
		{ P, 0, 8, RCUMAP_MAX_CAPACITY * 2, 0 },
		{ P, 0, 8, ~0U, 0 },
		{ P, 0, 8, 64, 1 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		EXPECT_EQ(-EINVAL, _test_cmd_create_shape(self->fd, &bad[i]))
			TH_LOG("type %u key %u value %u entries %u buckets %u",
			       bad[i].type, bad[i].key_size, bad[i].value_size,
			       bad[i].max_entries, bad[i].nr_buckets);
		/* A failed CREATE leaves the file without a map. */
		EXPECT_EQ(-1, state_of(self->fd));
	}
	test_cmd_create(RCUMAP_MAP_HASH, 8, 8, 16, 0);
}

/*
 * Shapes at the limits, and what INFO says of each: the sizes given, the
 * bucket count rounded up to a power of two (or one per entry), nothing
 * in it, some memory in use.
 */
TEST_F(rcumap_dev, create_limits_and_info)
{
	enum { H = RCUMAP_MAP_HASH, P = RCUMAP_MAP_PTAB };
	static const struct {
		struct shape s;
		__u32 buckets_lo, buckets_hi;	/* out_nr_buckets range */
	} good[] = {
		{ { H, 1, 0, 1, 0 }, 1, 1 },
		/* The largest keys and values, as BPF allows them. */
		{ { H, RCUMAP_MAX_KEY_SIZE, 0, 4, 0 }, 4, 7 },
		{ { H, 1, RCUMAP_MAX_KEY_VALUE_SIZE - 1, 4, 0 }, 4, 7 },
		{ { H, 4112, RCUMAP_MAX_KEY_VALUE_SIZE - 4112, 4, 0 }, 4, 7 },
		{ { H, 4112, 256 << 10, 4, 0 }, 4, 7 },
		{ { RCUMAP_MAP_LRU_HASH, 8, RCUMAP_MAX_KEY_VALUE_SIZE - 8, 4, 0 },
		  4, 7 },
		{ { RCUMAP_MAP_PERCPU_HASH, 8, RCUMAP_MAX_PERCPU_VALUE_SIZE, 4, 0 },
		  4, 7 },
		{ { RCUMAP_MAP_PERCPU_HASH, 8, RCUMAP_MAX_PERCPU_VALUE_SIZE - 7, 4,
		    0 }, 4, 7 },
		{ { RCUMAP_MAP_PERCPU_HASH, RCUMAP_MAX_KEY_VALUE_SIZE - 8, 1, 4, 0 },
		  4, 7 },
		{ { H, 8, 8, 100, 2 }, 2, 2 },
		{ { H, 8, 8, 100, 64 }, 64, 64 },
		{ { H, 8, 8, 100, 0 }, 100, 199 },
		{ { H, 8, 8, 16, 1000 }, 1024, 1024 },
		{ { H, 8, 8, RCUMAP_BUCKET_MAX, 1 }, 1, 1 },
		{ { H, 8, 8, RCUMAP_MAX_ENTRIES,
		    RCUMAP_MAX_ENTRIES / RCUMAP_BUCKET_MAX },
		  RCUMAP_MAX_ENTRIES / RCUMAP_BUCKET_MAX,
		  RCUMAP_MAX_ENTRIES / RCUMAP_BUCKET_MAX },
		{ { P, 0, 1, RCUMAP_MIN_CAPACITY, 0 }, 0, 0 },
		{ { P, 0, RCUMAP_MAX_VALUE_SIZE, RCUMAP_MIN_CAPACITY, 0 }, 0, 0 },
		{ { P, 0, 8, 4096, 0 }, 0, 0 },
	};
	struct rcumap_info info;
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_LEN(good); i++) {
		const struct shape *s = &good[i].s;

		fd = open_map(s);
		ASSERT_LE(0, fd) TH_LOG("shape %zu", i);
		ASSERT_EQ(0, _test_cmd_info(fd, &info));
		EXPECT_EQ(sizeof(info), info.size);
		EXPECT_EQ(0, info.flags);
		EXPECT_EQ(s->type, info.out_map_type);
		EXPECT_EQ(s->key_size, info.out_key_size);
		EXPECT_EQ(s->value_size, info.out_value_size);
		EXPECT_EQ(s->max_entries, info.out_max_entries);
		EXPECT_LE(good[i].buckets_lo, info.out_nr_buckets)
			TH_LOG("shape %zu", i);
		EXPECT_GE(good[i].buckets_hi, info.out_nr_buckets)
			TH_LOG("shape %zu", i);
		EXPECT_EQ(0, info.out_count);
		EXPECT_LT(0, info.out_bytes_used);
		close(fd);
	}
}

/*
 * Keys and values as large as BPF allows, through every hash ioctl: the
 * kernel's BPF map tests' 4,112-byte keys with 256 KiB values, a key and a
 * value of RCUMAP_MAX_KEY_VALUE_SIZE bytes together every way round, and
 * BPF's largest per-CPU value.  Two keys go in (each as large), come back
 * whole from LOOKUP, both walks and both batch lookups, are replaced one
 * by UPDATE and one by BATCH_UPDATE, and leave by LOOKUP_AND_DELETE and
 * BATCH_DELETE; INFO counts their memory.
 */
TEST_F_TIMEOUT(rcumap_dev, largest_keys_and_values_round_trip, 120)
{
	static const struct shape shapes[] = {
		{ RCUMAP_MAP_HASH, 4112, 256 << 10, 4, 0 },
		{ RCUMAP_MAP_LRU_HASH, 4112, 256 << 10, 2, 0 },
		{ RCUMAP_MAP_HASH, 1, RCUMAP_MAX_KEY_VALUE_SIZE - 1, 2, 1 },
		{ RCUMAP_MAP_HASH, RCUMAP_MAX_KEY_SIZE, 0, 2, 1 },
		{ RCUMAP_MAP_HASH, RCUMAP_MAX_KEY_VALUE_SIZE / 2,
		  RCUMAP_MAX_KEY_VALUE_SIZE / 2, 2, 1 },
		{ RCUMAP_MAP_PERCPU_HASH, 4112, RCUMAP_MAX_PERCPU_VALUE_SIZE, 2, 0 },
	};
	struct rcumap_info info;
	__u32 out, i, v;
	size_t sh;

	for (sh = 0; sh < ARRAY_LEN(shapes); sh++) {
		const struct shape *s = &shapes[sh];
		int fd = open_map(s);
		size_t ks = s->key_size, vs, n;
		__u8 *keys, *vals, *out_keys, *out_vals;
		__u64 cursor = 0;
		long long idx;

		ASSERT_LE(0, fd) TH_LOG("shape %zu", sh);
		ASSERT_EQ(0, _test_cmd_info(fd, &info));
		vs = info.out_value_stride;
		keys = calloc(2, ks);
		vals = calloc(2, vs + 64);
		out_keys = calloc(2, ks);
		out_vals = calloc(2, vs + 64);
		ASSERT_TRUE(keys && vals && out_keys && out_vals);
		for (i = 0; i < 2; i++) {
			make_key(keys + i * ks, ks, i + 1);
			for (v = 0; v < vs; v++)
				vals[i * vs + v] = (__u8)(i * 31 + v * 7 + 1);
			if (s->type == RCUMAP_MAP_PERCPU_HASH)
				EXPECT_EQ(0, vs % 8);
			ASSERT_EQ(0, _test_cmd_update(fd, keys + i * ks,
						      vals + i * vs,
						      RCUMAP_UPDATE_NOEXIST))
				TH_LOG("shape %zu, key %u", sh, i);
		}
		EXPECT_EQ(2, count_of(fd));
		ASSERT_EQ(0, _test_cmd_info(fd, &info));
		EXPECT_LT(2ULL * (ks + vs), info.out_bytes_used)
			TH_LOG("shape %zu: %llu bytes", sh,
			       (unsigned long long)info.out_bytes_used);

		for (i = 0; i < 2; i++) {
			memset(out_vals, 0xa5, vs + 64);
			EXPECT_EQ(0, _test_cmd_lookup(fd, keys + i * ks, out_vals));
			EXPECT_EQ(0, memcmp(out_vals, vals + i * vs, vs))
				TH_LOG("shape %zu, key %u", sh, i);
			EXPECT_TRUE(all_bytes(out_vals + vs, 0xa5, 64));
		}
		/* GET_NEXT_KEY, both modes: two keys, then ENOENT. */
		for (i = 0; i < 2; i++) {
			__u32 flags = i ? RCUMAP_WALK_ORDERED : 0;

			ASSERT_EQ(0, _test_cmd_get_next_key_flags(fd, NULL,
								  out_keys,
								  flags));
			ASSERT_EQ(0, _test_cmd_get_next_key_flags(fd, out_keys,
								  out_keys + ks,
								  flags));
			EXPECT_EQ(-ENOENT,
				  _test_cmd_get_next_key_flags(fd, out_keys + ks,
							       out_keys, flags));
			idx = key_index(out_keys + ks, ks);
			EXPECT_TRUE(idx == 1 || idx == 2) TH_LOG("shape %zu", sh);
		}
		/* Both batch lookups, one element a call. */
		for (n = 0; !_test_cmd_batch_lookup(fd, out_keys, out_vals,
						    cursor, 1, &cursor, &out);
		     n++) {
			ASSERT_EQ(1, out);
			idx = key_index(out_keys, ks);
			ASSERT_TRUE(idx == 1 || idx == 2);
			EXPECT_EQ(0, memcmp(out_vals, vals + (idx - 1) * vs, vs));
		}
		EXPECT_EQ(2, n);
		EXPECT_EQ(0, _test_cmd_batch_lookup_ordered(fd, out_keys,
							    out_vals, NULL, 2,
							    &out));
		EXPECT_EQ(2, out);

		/* Replace one by UPDATE, both by BATCH_UPDATE. */
		if (vs)
			vals[0] ^= 0xff;
		EXPECT_EQ(0, _test_cmd_update(fd, keys, vals,
					      RCUMAP_UPDATE_EXIST));
		if (vs) {
			vals[vs - 1] ^= 0x0f;
			vals[vs] ^= 0xf0;
		}
		EXPECT_EQ(0, _test_cmd_batch_update(fd, keys, vals, 2,
						    RCUMAP_UPDATE_EXIST, &out));
		EXPECT_EQ(2, out);
		EXPECT_EQ(2, count_of(fd));

		/* Out: one with its value, the other by BATCH_DELETE. */
		memset(out_vals, 0, vs);
		EXPECT_EQ(0, _test_cmd_lookup_and_delete(fd, keys + ks, out_vals));
		EXPECT_EQ(0, memcmp(out_vals, vals + vs, vs));
		EXPECT_EQ(0, _test_cmd_batch_delete(fd, keys, 1, &out));
		EXPECT_EQ(1, out);
		EXPECT_EQ(-ENOENT, _test_cmd_delete(fd, keys));
		EXPECT_EQ(-ENOENT, _test_cmd_lookup(fd, keys + ks, out_vals));
		EXPECT_EQ(0, count_of(fd));
		close(fd);
		free(keys);
		free(vals);
		free(out_keys);
		free(out_vals);
	}
}

/*
 * CREATE's flags: RESIZE and RESIZE | SHRINK make a hash map, and INFO
 * reports them, with or without a bucket count; no flags reports 0, and
 * so does a process table.
 */
TEST_F(rcumap_dev, create_flags_reported_by_info)
{
	static const __u32 flags[] = {
		0, RCUMAP_CREATE_RESIZE,
		RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK,
	};
	static const __u32 buckets[] = { 0, 64 };
	struct rcumap_info info;
	struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 8,
		.max_entries = 256,
	};
	size_t i, j;
	int fd, k;

	for (i = 0; i < ARRAY_LEN(flags); i++) {
		for (j = 0; j < ARRAY_LEN(buckets); j++) {
			s.nr_buckets = buckets[j];
			fd = open_map_flags(&s, flags[i]);
			ASSERT_LE(0, fd) TH_LOG("flags %#x buckets %u", flags[i],
						buckets[j]);
			ASSERT_EQ(0, _test_cmd_info(fd, &info));
			EXPECT_EQ(flags[i], info.out_create_flags);
			EXPECT_EQ(0, info.__reserved);
			EXPECT_EQ(RCUMAP_MAP_HASH, info.out_map_type);
			EXPECT_EQ(256, info.out_max_entries);
			if (buckets[j]) {
				EXPECT_EQ(buckets[j], info.out_nr_buckets);
			}
			/* A working map. */
			for (k = 0; k < 16; k++) {
				EXPECT_EQ(0, put(fd, &s, k, 1, RCUMAP_UPDATE_NOEXIST));
			}
			for (k = 0; k < 16; k++) {
				EXPECT_EQ(0, check(fd, &s, k, 1));
			}
			EXPECT_EQ(16, count_of(fd));
			close(fd);
		}
	}
	test_cmd_create(RCUMAP_MAP_PTAB, 0, 8, 64, 0);
	test_cmd_info(&info);
	EXPECT_EQ(0, info.out_create_flags);
}

/*
 * SHRINK needs RESIZE, and a process table takes no flags: EINVAL.  An
 * unknown bit is EOPNOTSUPP, known bits beside it or not.  Nothing is
 * made either way.
 */
TEST_F(rcumap_dev, create_flags_rejected)
{
	enum { H = RCUMAP_MAP_HASH, P = RCUMAP_MAP_PTAB };
	static const struct {
		__u32 flags, type, key_size;
		int err;
	} bad[] = {
		{ RCUMAP_CREATE_SHRINK, H, 8, EINVAL },
		{ RCUMAP_CREATE_RESIZE, P, 0, EINVAL },
		{ RCUMAP_CREATE_SHRINK, P, 0, EINVAL },
		{ RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK, P, 0, EINVAL },
		{ RCUMAP_CREATE_RESIZE | 4, H, 8, EOPNOTSUPP },
		{ RCUMAP_CREATE_SHRINK | (1U << 31), H, 8, EOPNOTSUPP },
		{ RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK | 8, H, 8,
		  EOPNOTSUPP },
		{ RCUMAP_CREATE_RESIZE | 4, P, 0, EOPNOTSUPP },
	};
	struct rcumap_info info;
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		test_err_create_flags(bad[i].err, bad[i].flags, bad[i].type,
				      bad[i].key_size, 8, 64, 0)
			TH_LOG("flags %#x type %u", bad[i].flags, bad[i].type);
		EXPECT_EQ(-1, state_of(self->fd));
	}
	test_cmd_create_flags(RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK,
			      RCUMAP_MAP_HASH, 8, 8, 64, 0);
	test_cmd_info(&info);
	EXPECT_EQ(RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK,
		  info.out_create_flags);
}

/*
 * Poll INFO's bucket count, for at most @secs seconds, until it is above
 * @than (@above) or below it (!@above).  A map that resizes by itself
 * may do so later than the update that calls for it; how much later is
 * no part of the contract, so the wait is long and nothing is timed.
 * Returns the last bucket count seen, or -errno.
 */
static long long wait_buckets(int fd, bool above, __u32 than, double secs)
{
	double deadline = now_s() + secs;
	struct rcumap_info info;
	int ret;

	for (;;) {
		ret = _test_cmd_info(fd, &info);
		if (ret)
			return ret;
		if (above ? info.out_nr_buckets > than :
			    info.out_nr_buckets < than)
			return info.out_nr_buckets;
		if (now_s() > deadline)
			return info.out_nr_buckets;
		usleep(10000);
	}
}

#define AUTO_WAIT_S	60.0

/*
 * A map made with RCUMAP_CREATE_RESIZE grows by itself as keys come in,
 * and keeps every key; one made without it keeps its bucket count.
 */
TEST_F_TIMEOUT(rcumap_dev, auto_resize_grows, 180)
{
	struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 16,
		.max_entries = 1024, .nr_buckets = 4,
	};
	/* A fixed map needs 1024 / RCUMAP_BUCKET_MAX buckets: give it 64. */
	struct shape fixed = { .type = RCUMAP_MAP_HASH, .key_size = 8,
			       .value_size = 16, .max_entries = 1024,
			       .nr_buckets = 64 };
	struct rcumap_info info;
	long long nb;
	int fd, i;

	ASSERT_EQ(0, _test_cmd_create_shape_flags(self->fd, &s,
						  RCUMAP_CREATE_RESIZE));
	fd = open_map(&fixed);
	ASSERT_LE(0, fd);
	for (i = 0; i < 1024; i++) {
		ASSERT_EQ(0, put(self->fd, &s, i, 2, RCUMAP_UPDATE_NOEXIST));
		ASSERT_EQ(0, put(fd, &fixed, i, 2, RCUMAP_UPDATE_NOEXIST));
	}
	nb = wait_buckets(self->fd, true, 4, AUTO_WAIT_S);
	EXPECT_LT(4, nb) TH_LOG("256 keys a bucket, and no growth");
	ksft_print_msg("%s: 1024 keys: %lld buckets (made with 4)\n",
		       _metadata->name, nb);
	test_cmd_info(&info);
	EXPECT_EQ(1024, info.out_count);
	EXPECT_EQ(RCUMAP_CREATE_RESIZE, info.out_create_flags);
	for (i = 0; i < 1024; i++) {
		EXPECT_EQ(0, check(self->fd, &s, i, 2)) TH_LOG("key %d", i);
	}
	/* The map without the flag never resizes by itself. */
	ASSERT_EQ(0, _test_cmd_info(fd, &info));
	EXPECT_EQ(64, info.out_nr_buckets);
	EXPECT_EQ(1024, info.out_count);
	close(fd);
}

/*
 * With RCUMAP_CREATE_SHRINK too, a map that grew shrinks back once most
 * keys are gone, never below the bucket count it was made with, and
 * keeps the keys that are left.
 */
TEST_F_TIMEOUT(rcumap_dev, auto_resize_shrinks, 180)
{
	struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 16,
		.max_entries = 1024, .nr_buckets = 4,
	};
	long long grown, nb;
	int i;

	ASSERT_EQ(0, _test_cmd_create_shape_flags(self->fd, &s,
						  RCUMAP_CREATE_RESIZE |
						  RCUMAP_CREATE_SHRINK));
	for (i = 0; i < 1024; i++) {
		ASSERT_EQ(0, put(self->fd, &s, i, 3, RCUMAP_UPDATE_NOEXIST));
	}
	grown = wait_buckets(self->fd, true, 4, AUTO_WAIT_S);
	ASSERT_LT(4, grown) TH_LOG("256 keys a bucket, and no growth");
	/* Let it finish growing: at most two keys a bucket. */
	grown = wait_buckets(self->fd, true, 1024 / 2 - 1, AUTO_WAIT_S);
	for (i = 4; i < 1024; i++) {
		ASSERT_EQ(0, del(self->fd, &s, i));
	}
	nb = wait_buckets(self->fd, false, grown, AUTO_WAIT_S);
	EXPECT_GT(grown, nb) TH_LOG("4 keys in %lld buckets, and no shrink", nb);
	EXPECT_LE(4, nb);
	ksft_print_msg("%s: 1024 keys: %lld buckets; 4 keys: %lld buckets\n",
		       _metadata->name, grown, nb);
	EXPECT_EQ(4, count_of(self->fd));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, check(self->fd, &s, i, 3)) TH_LOG("key %d", i);
	}
}

/*
 * A RESIZE whose caller is killed part-way.  A child resizes a map of
 * 2^20 buckets down to 16 (the fewest its 1000 keys may have) and back
 * up, without end, and is killed 1 s in.
 * RESIZE is killable, so the child dies inside a call, between two
 * buckets, and the map is left part-way: at a bucket count strictly
 * between the two, or at 2^20 with a second array being filled.  A RESIZE
 * that could not be interrupted would always finish its call first and
 * leave the map exactly at 16 or 2^20 buckets with one array.  (Each call
 * takes some 10-20 s in the debug guest and well under a second on real
 * hardware; the child spends all but a few microseconds of its life in
 * one, so the kill lands in one at any speed.)  The map, which the parent
 * shares, keeps every key and value, takes updates, and the next RESIZE
 * finishes the step under way.
 */
TEST_F_TIMEOUT(rcumap_dev, resize_killed_keeps_every_key, 300)
{
	const __u32 from = 1U << 20, to = 16;
	struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 16,
		.max_entries = 1000, .nr_buckets = from,
	};
	struct rcumap_info info;
	__u64 whole, second = from / 2 * sizeof(void *);
	int status, i, go[2];
	char c = 0;
	pid_t pid;

	test_cmd_create_shape(&s);
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, put(self->fd, &s, i, 4, RCUMAP_UPDATE_NOEXIST));
	}
	test_cmd_info(&info);
	whole = info.out_bytes_used;
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct rcumap_resize r = { .size = sizeof(r) };

		if (write(go[1], &c, 1) != 1)
			_exit(1);
		for (;;) {
			r.nr_buckets = r.nr_buckets == to ? from : to;
			ioctl(self->fd, RCUMAP_IOC_RESIZE, &r);
		}
	}
	ASSERT_EQ(1, read(go[0], &c, 1));
	usleep(1000 * 1000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(go[0]);
	close(go[1]);

	test_cmd_info(&info);
	ksft_print_msg("%s: killed at %u buckets, %llu bytes (%llu whole)\n",
		       _metadata->name, info.out_nr_buckets,
		       (unsigned long long)info.out_bytes_used,
		       (unsigned long long)whole);
	EXPECT_TRUE((info.out_nr_buckets > to && info.out_nr_buckets < from) ||
		    (info.out_nr_buckets == from &&
		     info.out_bytes_used >= whole + second))
		TH_LOG("not part-way: the RESIZE ran to its end after SIGKILL");
	EXPECT_EQ(1000, info.out_count);
	for (i = 0; i < 1000; i++) {
		EXPECT_EQ(0, check(self->fd, &s, i, 4)) TH_LOG("key %d", i);
	}
	/*
	 * BUCKET_STATS counts the buckets of the array being left, and in
	 * those already moved the keys that came from them: still every
	 * bucket and every key once.
	 */
	stats_check_still(_metadata, self->fd, RCUMAP_STATS_MAX_BUDGET);
	/* Updates and deletes work in the half-moved map. */
	EXPECT_EQ(0, del(self->fd, &s, 7));
	EXPECT_EQ(0, put(self->fd, &s, 7, 5, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(0, check(self->fd, &s, 7, 5));
	/* The next RESIZE finishes the step under way, then goes on. */
	test_cmd_resize(from);
	test_cmd_info(&info);
	EXPECT_EQ(from, info.out_nr_buckets);
	EXPECT_GT(whole + second, info.out_bytes_used)
		TH_LOG("a second array is still held");
	EXPECT_EQ(1000, info.out_count);
	for (i = 0; i < 1000; i++) {
		EXPECT_EQ(0, check(self->fd, &s, i, i == 7 ? 5 : 4))
			TH_LOG("key %d", i);
	}
}

/* ---- Read-only files ------------------------------------------------------ */

/* True if a run of @op may change @e's map: then it is checked for EPERM. */
static bool op_applies(const struct op *op, enum need need)
{
	return op->need == NEED_NONE || op->need == need ||
	       op->ioc == RCUMAP_IOC_INFO || op->ioc == RCUMAP_IOC_DUP_RDONLY;
}

/*
 * A read-only file of a map (DUP_RDONLY of the file that made it): every
 * op that writes fails with EPERM, CREATE included (the file has a map,
 * so without the check CREATE would say EBUSY), a batch's out_count reads
 * 0 after it, and the map is unchanged, keys and values; every op that
 * reads works.  The new file is read-only and close-on-exec.
 */
TEST_F(rcumap_dev, readonly_file_refuses_writes)
{
	__u8 buf[256], v[ENV_VS];
	long long before;
	struct env e, r;
	int i, need, rofd;

	for (need = NEED_HASH; need <= NEED_PTAB; need++) {
		ASSERT_EQ(0, env_open(&e, need));
		before = state_of(e.fd);
		ASSERT_EQ(0, _test_cmd_dup_rdonly(e.fd, &rofd));
		ASSERT_LE(0, rofd);
		EXPECT_EQ(O_RDONLY, fcntl(rofd, F_GETFL) & O_ACCMODE);
		EXPECT_EQ(FD_CLOEXEC, fcntl(rofd, F_GETFD) & FD_CLOEXEC);
		r = e;
		r.fd = rofd;
		for (i = 0; i < NR_OPS; i++) {
			const struct op *op = &ops[i];
			struct rcumap_batch *b = (void *)buf;
			int want = op->writes ? -EPERM : 0;
			bool batch = op->ioc == RCUMAP_IOC_BATCH_UPDATE ||
				     op->ioc == RCUMAP_IOC_BATCH_DELETE;

			if (!op_applies(op, need))
				continue;
			op_fill(&r, op, buf);
			if (batch)
				b->out_count = UNTOUCHED32;
			EXPECT_EQ(want, op_run(&r, op, buf, op->size)) OPLOG(op);
			if (batch)
				EXPECT_EQ(0, b->out_count) OPLOG(op);
			EXPECT_EQ(before, state_of(e.fd)) OPLOG(op);
		}
		/* The map as env_open() made it. */
		for (i = 1; need == NEED_HASH && i <= ENV_KEYS; i++)
			EXPECT_EQ(0, check(e.fd, &env_hash, i, 0)) TH_LOG("key %d", i);
		for (i = 0; need == NEED_PTAB && i < 2; i++) {
			EXPECT_EQ(0, _test_cmd_ptab_lookup(e.fd, e.ids[i], v));
			EXPECT_TRUE(value_is(v, ENV_VS, 1 + i, 0)) TH_LOG("id %d", i);
		}
		close(rofd);
		env_close(&e);
	}
}

/*
 * The device opened O_RDONLY: a file that can never hold a map.  CREATE
 * and every other op that writes is EPERM (before any check of the map),
 * every op that reads EINVAL (no map), and the file still has no map.
 */
TEST_F(rcumap_dev, rdonly_open_cannot_create)
{
	__u8 buf[256];
	struct env e;
	int i;

	memset(&e, 0, sizeof(e));
	e.fd = rcumap_open_rdonly();
	ASSERT_LE(0, e.fd);
	for (i = 0; i < NR_OPS; i++) {
		const struct op *op = &ops[i];

		op_fill(&e, op, buf);
		EXPECT_EQ(op->writes ? -EPERM : -EINVAL,
			  op_run(&e, op, buf, op->size)) OPLOG(op);
	}
	EXPECT_EQ(-1, state_of(e.fd));
	close(e.fd);
}

/*
 * The map lives as long as any file that holds it: the owner closed, two
 * read-only files still read every key; the last one closed frees it
 * (kmemleak in the debug guest would see a map that outlived them).  A
 * read-only file cannot make more (EPERM), nor can a file without a map
 * (EINVAL).
 */
TEST_F(rcumap_dev, dup_rdonly_outlives_owner)
{
	const struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 16,
		.max_entries = 64,
	};
	int ro[2], fd, i, j;

	test_err_dup_rdonly(EINVAL, &fd);
	EXPECT_EQ(-1, fd);
	test_cmd_create_shape(&s);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, put(self->fd, &s, i, 3, RCUMAP_UPDATE_NOEXIST));
	}
	test_cmd_dup_rdonly(&ro[0]);
	test_cmd_dup_rdonly(&ro[1]);
	EXPECT_NE(ro[0], ro[1]);
	EXPECT_EQ(-EPERM, _test_cmd_dup_rdonly(ro[0], &fd));
	EXPECT_EQ(-1, fd);

	close(self->fd);
	self->fd = rcumap_open();
	for (j = 0; j < 2; j++) {
		EXPECT_EQ(10, count_of(ro[j]));
		for (i = 0; i < 10; i++) {
			EXPECT_EQ(0, check(ro[j], &s, i, 3)) TH_LOG("key %d", i);
		}
		EXPECT_EQ(-EPERM, del(ro[j], &s, 0));
		close(ro[j]);
	}
}

/*
 * A table of 2^15 buckets, two calls at the largest budget: every bucket
 * and every key counted once.
 */
TEST_F(rcumap_dev, bucket_stats_max_budget)
{
	const struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 8,
		.max_entries = 1000, .nr_buckets = 1U << 15,
	};
	struct stats st;
	int i;

	test_cmd_create_shape(&s);
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, put(self->fd, &s, i, 0, RCUMAP_UPDATE_NOEXIST));
	}
	st = stats_check_still(_metadata, self->fd, RCUMAP_STATS_MAX_BUDGET);
	EXPECT_EQ(2, st.calls);
}

/*
 * Ordered walks across the sparsest map there is: one key in
 * RCUMAP_MAX_BUCKETS buckets.  The kernel crosses the empty buckets in
 * steps of 64, each in its own RCU read-side section, carrying a position
 * between steps; every walk still finds the key once and ends with ENOENT.
 */
TEST_F(rcumap_dev, ordered_walks_cross_a_sparse_map)
{
	const struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 8,
		.max_entries = 4, .nr_buckets = RCUMAP_MAX_BUCKETS,
	};
	__u8 key[8], next[8], keys[4 * 8], vals[4 * 8];
	__u32 out;

	test_cmd_create_shape(&s);
	ASSERT_EQ(0, put(self->fd, &s, 7, 1, RCUMAP_UPDATE_NOEXIST));
	make_key(key, 8, 7);
	ASSERT_EQ(0, _test_cmd_get_next_key(self->fd, NULL, next));
	EXPECT_EQ(0, memcmp(key, next, 8));
	EXPECT_EQ(-ENOENT, _test_cmd_get_next_key(self->fd, key, next));
	ASSERT_EQ(0, _test_cmd_next_key_ordered(self->fd, NULL, next));
	EXPECT_EQ(0, memcmp(key, next, 8));
	EXPECT_EQ(-ENOENT, _test_cmd_next_key_ordered(self->fd, key, next));
	/* BPF style: a key that is not there starts the walk again. */
	make_key(next, 8, 8);
	ASSERT_EQ(0, _test_cmd_get_next_key(self->fd, next, next));
	EXPECT_EQ(0, memcmp(key, next, 8));
	ASSERT_EQ(0, _test_cmd_batch_lookup_ordered(self->fd, keys, vals, NULL,
						    4, &out));
	ASSERT_EQ(1, out);
	EXPECT_EQ(0, memcmp(key, keys, 8));
	EXPECT_EQ(-ENOENT, _test_cmd_batch_lookup_ordered(self->fd, keys, vals,
							  key, 4, &out));
	EXPECT_EQ(0, out);
}

TEST_F(rcumap_dev, create_twice_ebusy)
{
	struct rcumap_info info;
	int fd2;

	test_cmd_create(RCUMAP_MAP_HASH, 8, 16, 16, 0);
	test_err_create(EBUSY, RCUMAP_MAP_HASH, 8, 16, 16, 0);
	test_err_create(EBUSY, RCUMAP_MAP_HASH, 4, 4, 32, 0);
	test_err_create(EBUSY, RCUMAP_MAP_PTAB, 0, 8, 64, 0);
	test_cmd_info(&info);
	EXPECT_EQ(RCUMAP_MAP_HASH, info.out_map_type);
	EXPECT_EQ(16, info.out_value_size);

	fd2 = rcumap_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, _test_cmd_create(fd2, RCUMAP_MAP_PTAB, 0, 8, 64, 0));
	EXPECT_EQ(-EBUSY, _test_cmd_create(fd2, RCUMAP_MAP_PTAB, 0, 8, 64, 0));
	EXPECT_EQ(-EBUSY, _test_cmd_create(fd2, RCUMAP_MAP_HASH, 8, 8, 16, 0));
	ASSERT_EQ(0, _test_cmd_info(fd2, &info));
	EXPECT_EQ(RCUMAP_MAP_PTAB, info.out_map_type);
	close(fd2);
}

/* Processes sharing one file race to CREATE: one wins, the rest EBUSY. */
TEST_F(rcumap_dev, create_race_one_wins)
{
	enum { NPROC = 4 };
	struct rcumap_info info;
	int go[2], i, status, won = 0, busy = 0;
	pid_t pid[NPROC];
	char c = 0;

	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < NPROC; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i]) {
			int ret;

			close(go[1]);
			if (read(go[0], &c, 1) != 0)
				_exit(3);
			/* Child i asks for value size 8 * (i + 1). */
			ret = _test_cmd_create(self->fd, RCUMAP_MAP_HASH, 8,
					       8 * (i + 1), 16, 0);
			_exit(ret == 0 ? 0 : ret == -EBUSY ? 1 : 2);
		}
	}
	close(go[0]);
	close(go[1]);		/* EOF: all go */
	for (i = 0; i < NPROC; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_GE(1, WEXITSTATUS(status)) TH_LOG("child %d", i);
		if (WEXITSTATUS(status) == 0)
			won = i + 1;
		busy += WEXITSTATUS(status) == 1;
	}
	EXPECT_EQ(NPROC - 1, busy);
	ASSERT_NE(0, won);
	test_cmd_info(&info);
	EXPECT_EQ(8 * won, info.out_value_size);
}

/* ---- Lifetime -------------------------------------------------------------- */

/* The map lives while any file reference does: the child keeps it. */
TEST_F(rcumap_dev, map_outlives_parent_close)
{
	static const struct shape s = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 32,
		.max_entries = 64,
	};
	int go[2], status, i;
	pid_t pid;
	char c;

	test_cmd_create_shape(&s);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, put(self->fd, &s, i, 1, RCUMAP_UPDATE_NOEXIST));
	}
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int bad = 0;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(10);
		/* The parent has closed its reference now. */
		for (i = 0; i < 10; i++)
			bad += check(self->fd, &s, i, 1) != 0;
		bad += put(self->fd, &s, 10, 1, RCUMAP_UPDATE_NOEXIST) != 0;
		bad += del(self->fd, &s, 0) != 0;
		bad += count_of(self->fd) != 10;
		close(self->fd);
		_exit(bad ? 11 : 0);
	}
	close(go[0]);
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
	/* The parent's file is gone; a new one has no map. */
	c = 1;
	ASSERT_EQ(1, write(go[1], &c, 1));
	close(go[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(rcumap_dev, map_follows_dup)
{
	static const struct shape s = {
		.type = RCUMAP_MAP_PTAB, .value_size = 24, .max_entries = 64,
	};
	__u8 v[24], out[24];
	__u64 id;
	int fd2;

	test_cmd_create_shape(&s);
	make_value(v, s.value_size, 7, 3);
	test_cmd_ptab_insert(v, &id);
	fd2 = dup(self->fd);
	ASSERT_LE(0, fd2);
	close(self->fd);
	self->fd = fd2;
	test_cmd_ptab_lookup(id, out);
	EXPECT_TRUE(value_is(out, s.value_size, 7, 3));
	EXPECT_EQ(1, count_of(self->fd));
}

/* Each open() is its own map. */
TEST_F(rcumap_dev, maps_are_per_open)
{
	static const struct shape a = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 8,
		.max_entries = 16,
	};
	static const struct shape b = {
		.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 16,
		.max_entries = 16,
	};
	int fd2 = rcumap_open();

	ASSERT_LE(0, fd2);
	test_cmd_create_shape(&a);
	EXPECT_EQ(-1, state_of(fd2));
	ASSERT_EQ(0, _test_cmd_create_shape(fd2, &b));
	ASSERT_EQ(0, put(self->fd, &a, 1, 1, RCUMAP_UPDATE_ANY));
	ASSERT_EQ(0, put(fd2, &b, 2, 2, RCUMAP_UPDATE_ANY));
	EXPECT_EQ(0, check(self->fd, &a, 1, 1));
	EXPECT_EQ(-ENOENT, check(self->fd, &a, 2, 2));
	EXPECT_EQ(0, check(fd2, &b, 2, 2));
	EXPECT_EQ(-ENOENT, check(fd2, &b, 1, 1));
	close(fd2);
	EXPECT_EQ(0, check(self->fd, &a, 1, 1));
}

/*
 * Close maps that still hold entries, many of them: the release path
 * frees them (the guest's kmemleak scan and KASAN watch it), and a new
 * map afterwards works.
 */
TEST_F(rcumap_dev, close_full_maps)
{
	static const struct shape h = {
		.type = RCUMAP_MAP_HASH, .key_size = 16, .value_size = 100,
		.max_entries = 512, .nr_buckets = 64,
	};
	static const struct shape p = {
		.type = RCUMAP_MAP_PTAB, .value_size = 100, .max_entries = 512,
	};
	__u8 v[100];
	int round, fd, i;
	__u64 id;

	for (round = 0; round < 3; round++) {
		fd = open_map(&h);
		ASSERT_LE(0, fd);
		for (i = 0; i < 512; i++) {
			ASSERT_EQ(0, put(fd, &h, i, round, RCUMAP_UPDATE_ANY));
		}
		EXPECT_EQ(512, count_of(fd));
		close(fd);

		fd = open_map(&p);
		ASSERT_LE(0, fd);
		for (i = 0; i < 512; i++) {
			make_value(v, sizeof(v), i, round);
			ASSERT_EQ(0, _test_cmd_ptab_insert(fd, v, &id));
		}
		EXPECT_EQ(512, count_of(fd));
		close(fd);
	}
	test_cmd_create_shape(&h);
	EXPECT_EQ(0, count_of(self->fd));
}

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

/* Keys 0 to @n - 1 at version @ver. */
static int fill_keys(int fd, const struct shape *s, __u64 n, __u32 ver)
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

#define KS	(self->s.key_size)
#define VS	(self->s.value_size)
#define MAXE	(self->s.max_entries)

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
	int ret;

	ASSERT_EQ(0, batch_make(&b, &self->s, 0, n, 1));
	/* Element j's first byte is mapped, its last is not. */
	keys = badmem_at_end(&self->bad, (size_t)j * KS + 1);
	memcpy(keys, b.keys, (size_t)j * KS + 1);
	ret = _test_cmd_batch_update(self->fd, keys, b.vals, n,
				     RCUMAP_UPDATE_ANY, &out);
	EXPECT_EQ(-EFAULT, ret);
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
		ret = _test_cmd_batch_update(self->fd, b.keys, vals, n,
					     RCUMAP_UPDATE_ANY, &out);
		EXPECT_EQ(-EFAULT, ret);
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

/* ---- PTAB maps --------------------------------------------------------------- */

FIXTURE(rcumap_ptab) {
	int fd;
	struct shape s;
	struct badmem bad;
};

FIXTURE_VARIANT(rcumap_ptab) {
	__u32 value_size;
	__u32 capacity;
};

FIXTURE_VARIANT_ADD(rcumap_ptab, v1_c64) {
	.value_size = 1, .capacity = 64,
};

FIXTURE_VARIANT_ADD(rcumap_ptab, v8_c64) {
	.value_size = 8, .capacity = 64,
};

FIXTURE_VARIANT_ADD(rcumap_ptab, v64_c128) {
	.value_size = 64, .capacity = 128,
};

FIXTURE_VARIANT_ADD(rcumap_ptab, v4096_c64) {
	.value_size = RCUMAP_MAX_VALUE_SIZE, .capacity = 64,
};

FIXTURE_SETUP(rcumap_ptab)
{
	self->s = (struct shape){
		.type = RCUMAP_MAP_PTAB,
		.value_size = variant->value_size,
		.max_entries = variant->capacity,
	};
	self->fd = rcumap_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", RCUMAP_DEV, strerror(errno));
	test_cmd_create_shape(&self->s);
	ASSERT_EQ(0, badmem_init(&self->bad));
}

FIXTURE_TEARDOWN(rcumap_ptab)
{
	close(self->fd);
}

#define CAP	(self->s.max_entries)

/* Insert the value of number @n, version @ver; its id into @id. */
static int pins(int fd, const struct shape *s, __u64 n, __u32 ver, __u64 *id)
{
	__u8 v[TEST_MAX_VALUE];

	make_value(v, s->value_size, n, ver);
	return _test_cmd_ptab_insert(fd, v, id);
}

/* 0 if @id holds the value of @n, @ver; LOOKUP's error; -EBADMSG. */
static int pcheck(int fd, const struct shape *s, __u64 id, __u64 n, __u32 ver)
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

TEST_F(rcumap_ptab, info_fields)
{
	struct rcumap_info info;
	__u64 bytes0, id;

	test_cmd_info(&info);
	EXPECT_EQ(RCUMAP_MAP_PTAB, info.out_map_type);
	EXPECT_EQ(0, info.out_key_size);
	EXPECT_EQ(self->s.value_size, info.out_value_size);
	EXPECT_EQ(CAP, info.out_max_entries);
	EXPECT_EQ(0, info.out_nr_buckets);
	EXPECT_EQ(0, info.out_count);
	bytes0 = info.out_bytes_used;
	EXPECT_LT(0, bytes0);
	ASSERT_EQ(0, pins(self->fd, &self->s, 0, 0, &id));
	ASSERT_EQ(0, pins(self->fd, &self->s, 1, 0, &id));
	test_cmd_info(&info);
	EXPECT_EQ(2, info.out_count);
	EXPECT_LE(bytes0 + 2 * self->s.value_size, info.out_bytes_used);
}

/* Ids grow; every entry reads back; a full table says ENOSPC. */
TEST_F(rcumap_ptab, insert_until_full)
{
	__u64 ids[4096], id;
	__u32 i;

	ASSERT_GE(ARRAY_LEN(ids), CAP);
	for (i = 0; i < CAP; i++) {
		ASSERT_EQ(0, pins(self->fd, &self->s, i, 0, &ids[i]))
			TH_LOG("entry %u", i);
		if (i) {
			EXPECT_LT(ids[i - 1], ids[i]);
		}
	}
	EXPECT_EQ(CAP, count_of(self->fd));
	EXPECT_EQ(-ENOSPC, pins(self->fd, &self->s, CAP, 0, &id));
	EXPECT_EQ(-ENOSPC, pins(self->fd, &self->s, CAP, 0, &id));
	EXPECT_EQ(CAP, count_of(self->fd));
	for (i = 0; i < CAP; i++) {
		EXPECT_EQ(0, pcheck(self->fd, &self->s, ids[i], i, 0))
			TH_LOG("entry %u", i);
	}
}

TEST_F(rcumap_ptab, remove_then_lookup_enoent)
{
	__u8 v[TEST_MAX_VALUE + 64];
	__u64 a, b;

	ASSERT_EQ(0, pins(self->fd, &self->s, 1, 4, &a));
	ASSERT_EQ(0, pins(self->fd, &self->s, 2, 4, &b));
	memset(v, 0xa5, sizeof(v));
	test_cmd_ptab_remove(a, v);
	EXPECT_TRUE(value_is(v, self->s.value_size, 1, 4));
	EXPECT_TRUE(all_bytes(v + self->s.value_size, 0xa5, 64));
	test_err_ptab_lookup(ENOENT, a, v);
	test_err_ptab_remove(ENOENT, a, v);
	test_err_ptab_remove(ENOENT, a, NULL);
	EXPECT_EQ(0, pcheck(self->fd, &self->s, b, 2, 4));
	/* Without a value pointer. */
	test_cmd_ptab_remove(b, NULL);
	test_err_ptab_lookup(ENOENT, b, v);
	EXPECT_EQ(0, count_of(self->fd));
}

/* Ids never handed out find nothing. */
TEST_F(rcumap_ptab, unknown_id_enoent)
{
	__u8 v[TEST_MAX_VALUE];
	const __u64 probe[] = { 1, 2, 1000, 1ULL << 32, 1ULL << 63, ~0ULL };
	__u64 id, got;
	size_t i;

	ASSERT_EQ(0, pins(self->fd, &self->s, 1, 0, &id));
	for (i = 0; i < ARRAY_LEN(probe); i++) {
		if (probe[i] == id)
			continue;
		test_err_ptab_lookup(ENOENT, probe[i], v)
			TH_LOG("id %#llx", (unsigned long long)probe[i]);
		test_err_ptab_remove(ENOENT, probe[i], v)
			TH_LOG("id %#llx", (unsigned long long)probe[i]);
	}
	for (i = 1; i <= 3; i++) {
		test_err_ptab_lookup(ENOENT, id + i, v);
		test_err_ptab_lookup(ENOENT, id + i * CAP, v);
		if (id >= i) {
			test_err_ptab_lookup(ENOENT, id - i, v);
		}
	}
	test_err_ptab_next(ENOENT, id + 1, v, &got);
	EXPECT_EQ(1, count_of(self->fd));
}

/*
 * A slot freed and taken again: the new entry has a new, larger id, and
 * the old id finds nothing (it does not see the slot's new tenant).
 */
TEST_F(rcumap_ptab, stale_id_misses_after_reuse)
{
	__u8 v[TEST_MAX_VALUE];
	__u64 ids[4096], old, fresh, last;
	__u32 i, round;

	for (i = 0; i < CAP; i++) {
		ASSERT_EQ(0, pins(self->fd, &self->s, i, 0, &ids[i]));
	}
	last = ids[CAP - 1];
	for (round = 0; round < 3 * CAP; round++) {
		i = (round * 7) % CAP;
		old = ids[i];
		test_cmd_ptab_remove(old, NULL);
		ASSERT_EQ(0, pins(self->fd, &self->s, i, round + 1, &fresh))
			TH_LOG("round %u", round);
		EXPECT_LT(last, fresh);
		last = fresh;
		ids[i] = fresh;
		test_err_ptab_lookup(ENOENT, old, v) TH_LOG("round %u", round);
		test_err_ptab_remove(ENOENT, old, v) TH_LOG("round %u", round);
		EXPECT_EQ(0, pcheck(self->fd, &self->s, fresh, i, round + 1));
		EXPECT_EQ(-ENOSPC, pins(self->fd, &self->s, 0, 0, &fresh));
	}
	EXPECT_EQ(CAP, count_of(self->fd));
}

/* PTAB_NEXT returns exactly the live entries, in increasing id order. */
TEST_F(rcumap_ptab, next_walks_live_set)
{
	__u8 v[TEST_MAX_VALUE + 64];
	__u64 ids[4096], id, got;
	bool live[4096];
	__u32 i, found, steps;

	test_err_ptab_next(ENOENT, 0, v, &got);
	for (i = 0; i < CAP; i++) {
		ASSERT_EQ(0, pins(self->fd, &self->s, i, 3, &ids[i]));
		live[i] = true;
	}
	for (i = 0; i < CAP; i += 3) {
		test_cmd_ptab_remove(ids[i], NULL);
		live[i] = false;
	}

	/* With values, then without. */
	for (int pass = 0; pass < 2; pass++) {
		id = 0;
		found = 0;
		steps = 0;
		i = 0;
		for (;;) {
			memset(v, 0xa5, sizeof(v));
			if (_test_cmd_ptab_next(self->fd, id, pass ? NULL : v,
						&got))
				break;
			ASSERT_GE(CAP, ++steps);
			ASSERT_LE(id, got);
			/* The next live entry, in insertion (id) order. */
			while (i < CAP && !live[i])
				i++;
			ASSERT_GT(CAP, i);
			EXPECT_EQ(ids[i], got);
			if (!pass) {
				EXPECT_TRUE(value_is(v, self->s.value_size, i, 3));
				EXPECT_TRUE(all_bytes(v + self->s.value_size,
						      0xa5, 64));
			}
			found++;
			i++;
			id = got + 1;
		}
		test_err_ptab_next(ENOENT, id, v, &got);
		EXPECT_EQ(CAP - (CAP + 2) / 3, found);
	}

	/* From a removed id: the next live one. */
	test_cmd_ptab_next(ids[3], v, &got);
	EXPECT_EQ(ids[4], got);
	test_err_ptab_next(ENOENT, ids[CAP - 1] + 1, v, &got);
	test_err_ptab_next(ENOENT, ~0ULL, v, &got);
}

TEST_F(rcumap_ptab, user_pointers_efault)
{
	__u8 *vstr = badmem_straddle(&self->bad, self->s.value_size);
	void *bad_vals[] = { NULL, self->bad.unmapped, vstr, self->bad.ro };
	__u64 id, got;
	size_t i;

	ASSERT_EQ(0, pins(self->fd, &self->s, 5, 0, &id));
	/* Inputs: a read-only value is fine. */
	for (i = 0; i < ARRAY_LEN(bad_vals) - 1; i++) {
		test_err_ptab_insert(EFAULT, bad_vals[i], &got)
			TH_LOG("value %zu", i);
	}
	EXPECT_EQ(1, count_of(self->fd));
	test_cmd_ptab_insert(self->bad.ro, &got);
	test_cmd_ptab_remove(got, NULL);

	/* Outputs; NULL means "no value" for PTAB_NEXT. */
	for (i = 0; i < ARRAY_LEN(bad_vals); i++) {
		test_err_ptab_lookup(EFAULT, id, bad_vals[i]) TH_LOG("value %zu", i);
		if (bad_vals[i]) {
			test_err_ptab_next(EFAULT, 0, bad_vals[i], &got)
				TH_LOG("value %zu", i);
		}
	}
	EXPECT_EQ(1, count_of(self->fd));
	EXPECT_EQ(0, pcheck(self->fd, &self->s, id, 5, 0));
}

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
		ASSERT_EQ(0, _test_cmd_lookup(self->fd, k, self->b));
		EXPECT_TRUE(pc_is(&self->s, self->nr_cpus, self->b, n, 1,
				  self->a)) TH_LOG("key %llu", (unsigned long long)n);
		EXPECT_TRUE(all_bytes(self->b + self->vbuf, 0xa5, 64));
	}
	/* Replace one: every CPU's value changes, the others stay. */
	ASSERT_EQ(0, pc_put(self->fd, &self->s, self->nr_cpus, self->a, 3, 2,
			    RCUMAP_UPDATE_EXIST));
	make_key(k, KS, 3);
	ASSERT_EQ(0, _test_cmd_lookup(self->fd, k, self->b));
	EXPECT_TRUE(pc_is(&self->s, self->nr_cpus, self->b, 3, 2, self->a));
	make_key(k, KS, 4);
	ASSERT_EQ(0, _test_cmd_lookup(self->fd, k, self->b));
	EXPECT_TRUE(pc_is(&self->s, self->nr_cpus, self->b, 4, 1, self->a));
	EXPECT_EQ(-EEXIST, pc_put(self->fd, &self->s, self->nr_cpus, self->a,
				  3, 3, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(-ENOENT, pc_put(self->fd, &self->s, self->nr_cpus, self->a,
				  100, 3, RCUMAP_UPDATE_EXIST));
	make_key(k, KS, 100);
	EXPECT_EQ(-ENOENT, _test_cmd_lookup(self->fd, k, self->b));
	EXPECT_EQ(8, count_of(self->fd));
}

TEST_F(rcumap_percpu, lookup_and_delete_returns_every_cpu)
{
	__u8 k[TEST_MAX_KEY];

	ASSERT_EQ(0, pc_put(self->fd, &self->s, self->nr_cpus, self->a, 7, 1,
			    RCUMAP_UPDATE_ANY));
	make_key(k, KS, 7);
	memset(self->b, 0xa5, self->vbuf + 64);
	ASSERT_EQ(0, _test_cmd_lookup_and_delete(self->fd, k, self->b));
	EXPECT_TRUE(pc_is(&self->s, self->nr_cpus, self->b, 7, 1, self->a));
	EXPECT_TRUE(all_bytes(self->b + self->vbuf, 0xa5, 64));
	EXPECT_EQ(0, count_of(self->fd));
	EXPECT_EQ(-ENOENT, _test_cmd_lookup_and_delete(self->fd, k, self->b));
	EXPECT_EQ(-ENOENT, _test_cmd_delete(self->fd, k));
	ASSERT_EQ(0, pc_put(self->fd, &self->s, self->nr_cpus, self->a, 7, 1,
			    RCUMAP_UPDATE_ANY));
	EXPECT_EQ(0, _test_cmd_delete(self->fd, k));
	EXPECT_EQ(0, count_of(self->fd));
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
	ASSERT_EQ(0, _test_cmd_batch_update(self->fd, keys, vals, n, 0, &out));
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
	ASSERT_EQ(0, _test_cmd_batch_lookup_ordered(self->fd, keys, vals, NULL,
						    MAXE, &out));
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
	EXPECT_EQ(0, _test_cmd_resize(self->fd, 2));
	EXPECT_EQ(0, _test_cmd_resize(self->fd, 128));
	for (i = 0; i < n; i++) {
		make_key(k, KS, i);
		ASSERT_EQ(0, _test_cmd_lookup(self->fd, k, self->b));
		EXPECT_TRUE(pc_is(&self->s, self->nr_cpus, self->b, i, 4,
				  self->a));
	}

	for (i = 0; i < n; i++)
		make_key(keys + i * KS, KS, i);
	ASSERT_EQ(0, _test_cmd_batch_delete(self->fd, keys, n, &out));
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

	EXPECT_EQ(-EINVAL, _test_cmd_ptab_insert(self->fd, self->a, &id));
	EXPECT_EQ(-EINVAL, _test_cmd_ptab_lookup(self->fd, 0, self->a));
	EXPECT_EQ(-EINVAL, _test_cmd_ptab_remove(self->fd, 0, NULL));
	EXPECT_EQ(-EINVAL, _test_cmd_ptab_next(self->fd, 0, NULL, &id));

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
	EXPECT_EQ(-EFAULT, _test_cmd_lookup_and_delete(self->fd, k,
						       end - self->vbuf + 8));
	EXPECT_EQ(1, count_of(self->fd));
	EXPECT_EQ(-EFAULT, _test_cmd_lookup(self->fd, k, end - self->vbuf + 8));
	make_key(k, KS, 2);
	memcpy(end - self->vbuf + 8, self->a, self->vbuf - 8);
	EXPECT_EQ(-EFAULT, _test_cmd_update(self->fd, k, end - self->vbuf + 8,
					    0));
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

/* ---- LRU_HASH maps ---------------------------------------------------------- */

FIXTURE(rcumap_lru) {
	int fd;
	struct shape s;
};

FIXTURE_VARIANT(rcumap_lru) {
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 nr_buckets;
	__u32 flags;
};

FIXTURE_VARIANT_ADD(rcumap_lru, k8v8) {
	.key_size = 8, .value_size = 8, .max_entries = 64,
};

FIXTURE_VARIANT_ADD(rcumap_lru, k4v0_b8) {
	.key_size = 4, .value_size = 0, .max_entries = 64, .nr_buckets = 8,
};

FIXTURE_VARIANT_ADD(rcumap_lru, k16v64_resize) {
	.key_size = 16, .value_size = 64, .max_entries = 128,
	.flags = RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK,
};

FIXTURE_SETUP(rcumap_lru)
{
	self->s = (struct shape){
		.type = RCUMAP_MAP_LRU_HASH,
		.key_size = variant->key_size,
		.value_size = variant->value_size,
		.max_entries = variant->max_entries,
		.nr_buckets = variant->nr_buckets,
	};
	self->fd = rcumap_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", RCUMAP_DEV, strerror(errno));
	ASSERT_EQ(0, _test_cmd_create_shape_flags(self->fd, &self->s,
						  variant->flags));
}

FIXTURE_TEARDOWN(rcumap_lru)
{
	close(self->fd);
}

TEST_F(rcumap_lru, info_and_update_modes)
{
	struct rcumap_info info;

	test_cmd_info(&info);
	EXPECT_EQ(RCUMAP_MAP_LRU_HASH, info.out_map_type);
	EXPECT_EQ(KS, info.out_key_size);
	EXPECT_EQ(VS, info.out_value_size);
	EXPECT_EQ(VS, info.out_value_stride);
	EXPECT_EQ(MAXE, info.out_max_entries);
	EXPECT_EQ(variant->flags, info.out_create_flags);
	EXPECT_LT(0, info.out_bytes_used);

	EXPECT_EQ(0, put(self->fd, &self->s, 1, 0, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(-EEXIST, put(self->fd, &self->s, 1, 1, RCUMAP_UPDATE_NOEXIST));
	EXPECT_EQ(-ENOENT, put(self->fd, &self->s, 2, 1, RCUMAP_UPDATE_EXIST));
	EXPECT_EQ(0, put(self->fd, &self->s, 1, 2, RCUMAP_UPDATE_EXIST));
	EXPECT_EQ(0, check(self->fd, &self->s, 1, 2));
	EXPECT_EQ(1, count_of(self->fd));
	EXPECT_EQ(0, del(self->fd, &self->s, 1));
	EXPECT_EQ(-ENOENT, del(self->fd, &self->s, 1));
	EXPECT_EQ(0, count_of(self->fd));
}

/*
 * 4 * max_entries new keys, by UPDATE then by BATCH_UPDATE: no insert
 * fails, the count never exceeds max_entries and stays there once
 * reached, and the key just inserted is always there (eviction never
 * takes the key its own insert put in).  Which older key goes is the
 * CLOCK hand's choice: a batch may evict keys of its own.
 */
TEST_F(rcumap_lru, insert_four_times_max_never_fails)
{
	__u64 n;

	for (n = 0; n < 4 * MAXE; n++) {
		ASSERT_EQ(0, put(self->fd, &self->s, n, 0,
				 RCUMAP_UPDATE_NOEXIST)) TH_LOG("key %llu",
								(unsigned long long)n);
		ASSERT_EQ(n < MAXE ? n + 1 : MAXE, count_of(self->fd));
		EXPECT_EQ(0, check(self->fd, &self->s, n, 0));
	}
	/* Batches evict too. */
	{
		__u8 keys[8][TEST_MAX_KEY], vals[8][64];
		__u8 *kp = malloc(8 * KS), *vp = malloc(8 * (VS ? VS : 1));
		__u32 out, i;

		ASSERT_TRUE(kp && vp);
		for (i = 0; i < 8; i++) {
			make_key(keys[i], KS, 10000 + i);
			make_value(vals[i], VS, 10000 + i, 0);
			memcpy(kp + i * KS, keys[i], KS);
			memcpy(vp + i * VS, vals[i], VS);
		}
		EXPECT_EQ(0, _test_cmd_batch_update(self->fd, kp, VS ? vp : NULL,
						    8, 0, &out));
		EXPECT_EQ(8, out);
		EXPECT_EQ(MAXE, count_of(self->fd));
		EXPECT_EQ(0, check(self->fd, &self->s, 10000 + 7, 0));
		free(kp);
		free(vp);
	}
}

#define LRU_HOT_EVERY	16

/*
 * Fill the map, then insert 4 * max_entries new keys, looking up every
 * 16th key of the first fill before each insert (as the KUnit case
 * lru_recently_used_keys_survive does in the kernel).  Deterministic: the
 * looked-up keys have their tags set at every eviction, the CLOCK hand
 * passes at most max_entries / 16 of them in a row (fewer than its scan
 * limit of 64), so it always evicts a key never looked up; after its
 * first turn, well within 4 * max_entries evictions, no key of the first
 * fill but the looked-up ones is left.  Walks (GET_NEXT_KEY, both
 * BATCH_LOOKUPs) over the whole map before each insert mark nothing.
 */
TEST_F(rcumap_lru, looked_up_keys_survive_walked_keys_do_not)
{
	__u8 k[TEST_MAX_KEY], nk[TEST_MAX_KEY];
	__u8 *keys = malloc((size_t)MAXE * KS);
	__u8 *vals = malloc((size_t)MAXE * (VS ? VS : 1));
	__u32 out, hot_left = 0, cold_left = 0;
	__u64 n, i, cursor;
	int ret;

	ASSERT_TRUE(keys && vals);
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, MAXE, 0));
	for (i = 0; i < 4 * MAXE; i++) {
		for (n = 0; n < MAXE; n += LRU_HOT_EVERY)
			ASSERT_EQ(0, check(self->fd, &self->s, n, 0));
		if (!(i % 8)) {
			/* Touch every key by every walk: no mark. */
			ret = _test_cmd_get_next_key(self->fd, NULL, nk);
			while (!ret) {
				memcpy(k, nk, KS);
				ret = _test_cmd_get_next_key(self->fd, k, nk);
			}
			ASSERT_EQ(-ENOENT, ret);
			ASSERT_EQ(0, _test_cmd_batch_lookup_ordered(self->fd, keys,
								    VS ? vals : NULL,
								    NULL, MAXE,
								    &out));
			ASSERT_EQ(MAXE, out);
			cursor = 0;
			do {
				ret = _test_cmd_batch_lookup(self->fd, keys,
							     VS ? vals : NULL,
							     cursor, MAXE,
							     &cursor, &out);
			} while (!ret);
			ASSERT_EQ(-ENOENT, ret);
		}
		ASSERT_EQ(0, put(self->fd, &self->s, 100000 + i, 0,
				 RCUMAP_UPDATE_NOEXIST));
		ASSERT_EQ(MAXE, count_of(self->fd));
	}
	for (n = 0; n < MAXE; n++) {
		ret = check(self->fd, &self->s, n, 0);
		if (n % LRU_HOT_EVERY)
			cold_left += !ret;
		else
			hot_left += !ret;
	}
	EXPECT_EQ(0, cold_left);
	EXPECT_EQ(MAXE / LRU_HOT_EVERY, hot_left);
	free(keys);
	free(vals);
}

/*
 * PTAB ops: EINVAL, as on HASH.  RESIZE works and keeps every key, up to
 * max_entries rounded up to a power of two buckets.
 */
TEST_F(rcumap_lru, ptab_ops_einval_resize_works)
{
	__u8 v[8] = { 0 };
	__u64 id, n;

	EXPECT_EQ(-EINVAL, _test_cmd_ptab_insert(self->fd, v, &id));
	EXPECT_EQ(-EINVAL, _test_cmd_ptab_lookup(self->fd, 0, v));
	EXPECT_EQ(-EINVAL, _test_cmd_ptab_remove(self->fd, 0, NULL));
	EXPECT_EQ(-EINVAL, _test_cmd_ptab_next(self->fd, 0, NULL, &id));
	ASSERT_EQ(0, fill_keys(self->fd, &self->s, MAXE, 1));
	/* Few buckets, but far from the bucket bound for MAXE keys. */
	EXPECT_EQ(0, _test_cmd_resize(self->fd, MAXE / 16));
	/* max_entries is a power of two here: the most buckets allowed. */
	EXPECT_EQ(0, _test_cmd_resize(self->fd, MAXE));
	EXPECT_EQ(-EINVAL, _test_cmd_resize(self->fd, MAXE + 1));
	EXPECT_EQ(-EINVAL, _test_cmd_resize(self->fd, RCUMAP_MAX_BUCKETS));
	EXPECT_EQ(-EINVAL, _test_cmd_resize(self->fd, 0));
	for (n = 0; n < MAXE; n++)
		EXPECT_EQ(0, check(self->fd, &self->s, n, 1));
	EXPECT_EQ(MAXE, count_of(self->fd));
}

/* ---- Several processes on one map ----------------------------------------- */

#define MP_WRITERS	2
#define MP_READERS	2
#define MP_PROCS	(MP_WRITERS + MP_READERS)
#define MP_KEYS		128	/* HASH: keys, writer w owns k % MP_WRITERS == w */
#define MP_STABLE	32	/* PTAB: entries no one removes */
#define MP_LIVE		32	/* PTAB: most entries a writer holds */
#define MP_SECONDS	2.0

/* What the processes tell the parent, in MAP_SHARED memory. */
struct mp_shared {
	__u32 ver[MP_KEYS];		/* HASH: last version of each key */
	__u8 present[MP_KEYS];		/* HASH: whether it is in the map */
	__u64 stable[MP_STABLE];	/* PTAB: ids of the stable entries */
	__u64 live[MP_WRITERS][MP_LIVE];	/* PTAB: each writer's entries */
	__u32 nlive[MP_WRITERS];
	__u64 ops[MP_PROCS];		/* calls made, to show progress */
	char why[MP_PROCS][160];	/* the first thing that went wrong */
};

static __u64 rnd(__u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define MP_FAIL(_sh, _me, fmt, ...)					\
	do {								\
		snprintf((_sh)->why[_me], sizeof((_sh)->why[_me]),	\
			 fmt, ##__VA_ARGS__);				\
		return 1;						\
	} while (0)

/* HASH writer @w: every result is known, as no one else writes its keys. */
static int mp_hash_writer(int fd, const struct shape *s, struct mp_shared *sh,
			  int w, double deadline)
{
	__u8 k[TEST_MAX_KEY], v[TEST_MAX_VALUE];
	__u64 seed = 0x9e3779b97f4a7c15ULL * (w + 1), ops = 0;
	__u32 key, r;
	int ret, want;

	while (now_s() < deadline) {
		key = (rnd(&seed) % (MP_KEYS / MP_WRITERS)) * MP_WRITERS + w;
		r = rnd(&seed) % 10;
		make_key(k, s->key_size, key);
		if (sh->present[key] && r < 5) {
			ret = put(fd, s, key, ++sh->ver[key], RCUMAP_UPDATE_ANY);
			want = 0;
		} else if (sh->present[key] && r < 7) {
			ret = put(fd, s, key, ++sh->ver[key], RCUMAP_UPDATE_EXIST);
			want = 0;
		} else if (sh->present[key] && r < 8) {
			ret = put(fd, s, key, sh->ver[key] + 1,
				  RCUMAP_UPDATE_NOEXIST);
			want = -EEXIST;
		} else if (sh->present[key] && r < 9) {
			ret = _test_cmd_delete(fd, k);
			want = 0;
			sh->present[key] = 0;
		} else if (sh->present[key]) {
			ret = _test_cmd_lookup_and_delete(fd, k, v);
			want = 0;
			sh->present[key] = 0;
			if (!ret && !value_is(v, s->value_size, key, sh->ver[key]))
				MP_FAIL(sh, w, "writer %d: key %u: deleted value not version %u",
					w, key, sh->ver[key]);
		} else if (r < 5) {
			ret = put(fd, s, key, ++sh->ver[key],
				  RCUMAP_UPDATE_NOEXIST);
			want = 0;
			sh->present[key] = 1;
		} else if (r < 7) {
			ret = put(fd, s, key, sh->ver[key] + 1,
				  RCUMAP_UPDATE_EXIST);
			want = -ENOENT;
		} else if (r < 8) {
			ret = _test_cmd_delete(fd, k);
			want = -ENOENT;
		} else {
			ret = put(fd, s, key, ++sh->ver[key], RCUMAP_UPDATE_ANY);
			want = 0;
			sh->present[key] = 1;
		}
		if (ret != want)
			MP_FAIL(sh, w, "writer %d: key %u, op %u: got %d, want %d",
				w, key, r, ret, want);
		/* Read your own write. */
		ret = check(fd, s, key, sh->ver[key]);
		if (ret != (sh->present[key] ? 0 : -ENOENT))
			MP_FAIL(sh, w, "writer %d: key %u: lookup after op %u: %d",
				w, key, r, ret);
		ops++;
	}
	sh->ops[w] = ops;
	return 0;
}

/*
 * HASH reader: every value it finds is whole and belongs to its key, and
 * a key's version never goes back; walks return only real keys.
 */
static int mp_hash_reader(int fd, const struct shape *s, struct mp_shared *sh,
			  int me, double deadline)
{
	__u8 k[TEST_MAX_KEY], v[TEST_MAX_VALUE];
	__u8 keys[16 * 64], vals[16 * 256];
	__u64 seed = 0x2545f4914f6cdd1dULL * (me + 1), ops = 0, cursor;
	__u32 seen[MP_KEYS] = { 0 }, key, out, i, calls;
	long long ver, idx;
	int ret;

	if (s->key_size > 64 || s->value_size > 256)
		MP_FAIL(sh, me, "reader: shape too large for its buffers");
	while (now_s() < deadline) {
		switch (rnd(&seed) % 8) {
		default:
			key = rnd(&seed) % MP_KEYS;
			make_key(k, s->key_size, key);
			ret = _test_cmd_lookup(fd, k, v);
			if (ret == -ENOENT)
				break;
			if (ret)
				MP_FAIL(sh, me, "reader: key %u: LOOKUP %d", key, ret);
			ver = value_check(v, s->value_size, key);
			if (ver < 0)
				MP_FAIL(sh, me, "reader: key %u: torn or foreign value", key);
			if (ver < seen[key])
				MP_FAIL(sh, me, "reader: key %u: version %lld after %u",
					key, ver, seen[key]);
			seen[key] = ver;
			break;
		case 6:
			cursor = 0;
			for (calls = 0; calls < 4 * MP_KEYS; calls++) {
				ret = _test_cmd_batch_lookup(fd, keys, vals, cursor,
							     16, &cursor, &out);
				if (ret == -ENOENT)
					break;
				if (ret || out > 16)
					MP_FAIL(sh, me, "reader: BATCH_LOOKUP %d, out_count %u",
						ret, out);
				for (i = 0; i < out; i++) {
					idx = key_index(keys + i * s->key_size,
							s->key_size);
					if (idx < 0 || idx >= MP_KEYS ||
					    value_check(vals + i * s->value_size,
							s->value_size, idx) < 0)
						MP_FAIL(sh, me, "reader: BATCH_LOOKUP: bad entry");
				}
			}
			break;
		case 7:
			ret = _test_cmd_get_next_key(fd, NULL, k);
			/* Deletes behind it restart it: bound the walk. */
			for (calls = 0; !ret && calls < 2 * MP_KEYS; calls++) {
				idx = key_index(k, s->key_size);
				if (idx < 0 || idx >= MP_KEYS)
					MP_FAIL(sh, me, "reader: GET_NEXT_KEY: foreign key");
				memcpy(v, k, s->key_size);
				ret = _test_cmd_get_next_key(fd, v, k);
			}
			if (ret && ret != -ENOENT)
				MP_FAIL(sh, me, "reader: GET_NEXT_KEY %d", ret);
			break;
		}
		ops++;
	}
	sh->ops[me] = ops;
	return 0;
}

/* PTAB writer @w: inserts and removes entries of its own. */
static int mp_ptab_writer(int fd, const struct shape *s, struct mp_shared *sh,
			  int w, double deadline)
{
	__u8 v[TEST_MAX_VALUE];
	__u64 seed = 0x9e3779b97f4a7c15ULL * (w + 1), ops = 0, seq = 0, id;
	__u64 num[MP_LIVE], *live = sh->live[w];
	__u32 *n = &sh->nlive[w], i;
	int ret;

	while (now_s() < deadline) {
		if (*n < MP_LIVE && (*n == 0 || rnd(&seed) % 2)) {
			num[*n] = ((__u64)(w + 1) << 32) | seq++;
			ret = pins(fd, s, num[*n], 1, &id);
			if (ret)
				MP_FAIL(sh, w, "writer %d: PTAB_INSERT %d", w, ret);
			if (*n && id <= live[*n - 1])
				MP_FAIL(sh, w, "writer %d: id %llu after %llu", w,
					(unsigned long long)id,
					(unsigned long long)live[*n - 1]);
			live[(*n)++] = id;
		} else {
			i = rnd(&seed) % *n;
			id = live[i];
			ret = _test_cmd_ptab_remove(fd, id, v);
			if (ret || !value_is(v, s->value_size, num[i], 1))
				MP_FAIL(sh, w, "writer %d: PTAB_REMOVE %d or wrong value",
					w, ret);
			ret = _test_cmd_ptab_lookup(fd, id, v);
			if (ret != -ENOENT)
				MP_FAIL(sh, w, "writer %d: removed id found: %d", w, ret);
			/* Keep live[] in id order. */
			memmove(&live[i], &live[i + 1], (*n - i - 1) * sizeof(*live));
			memmove(&num[i], &num[i + 1], (*n - i - 1) * sizeof(*num));
			(*n)--;
		}
		ops++;
	}
	sh->ops[w] = ops;
	return 0;
}

/*
 * PTAB reader: lookups of the stable entries, and PTAB_NEXT walks, which
 * must be in id order, hold only whole values, and return every stable
 * entry (present for the whole walk) exactly once.
 */
static int mp_ptab_reader(int fd, const struct shape *s, struct mp_shared *sh,
			  int me, double deadline)
{
	__u8 v[TEST_MAX_VALUE];
	__u64 seed = 0x2545f4914f6cdd1dULL * (me + 1), ops = 0, id, got, num;
	__u32 i, stable_seen, steps;
	int ret;

	while (now_s() < deadline) {
		if (rnd(&seed) % 4) {
			i = rnd(&seed) % MP_STABLE;
			ret = _test_cmd_ptab_lookup(fd, sh->stable[i], v);
			if (ret || !value_is(v, s->value_size, 1000 + i, 0))
				MP_FAIL(sh, me, "reader: stable entry %u: %d", i, ret);
		} else {
			id = 0;
			stable_seen = 0;
			for (steps = 0;; steps++) {
				ret = _test_cmd_ptab_next(fd, id, v, &got);
				if (ret == -ENOENT)
					break;
				if (ret || got < id || steps > s->max_entries * 4)
					MP_FAIL(sh, me, "reader: PTAB_NEXT %d at id %llu",
						ret, (unsigned long long)id);
				memcpy(&num, v, 8);
				if (value_check(v, s->value_size, num) < 0)
					MP_FAIL(sh, me, "reader: PTAB_NEXT: torn value");
				for (i = 0; i < MP_STABLE; i++)
					stable_seen += sh->stable[i] == got;
				id = got + 1;
			}
			if (stable_seen != MP_STABLE)
				MP_FAIL(sh, me, "reader: walk saw %u of %u stable entries",
					stable_seen, MP_STABLE);
		}
		ops++;
	}
	sh->ops[me] = ops;
	return 0;
}

FIXTURE(rcumap_mp) {
	int fd;
	struct shape s;
	struct mp_shared *sh;
};

FIXTURE_VARIANT(rcumap_mp) {
	struct shape s;
};

FIXTURE_VARIANT_ADD(rcumap_mp, hash_k8v64) {
	.s = { RCUMAP_MAP_HASH, 8, 64, 2 * MP_KEYS, 0 },
};

/* Four buckets: every update contends with others for its bucket. */
FIXTURE_VARIANT_ADD(rcumap_mp, hash_k16v256_b4) {
	.s = { RCUMAP_MAP_HASH, 16, 256, 2 * MP_KEYS, 4 },
};

FIXTURE_VARIANT_ADD(rcumap_mp, ptab_v64) {
	.s = { RCUMAP_MAP_PTAB, 0, 64, 2 * MP_KEYS, 0 },
};

FIXTURE_SETUP(rcumap_mp)
{
	self->s = variant->s;
	self->fd = rcumap_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", RCUMAP_DEV, strerror(errno));
	test_cmd_create_shape(&self->s);
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
}

FIXTURE_TEARDOWN(rcumap_mp)
{
	close(self->fd);
}

/*
 * Writers and readers in separate processes sharing the file, for
 * MP_SECONDS; then the map must hold exactly what the writers last wrote.
 */
TEST_F_TIMEOUT(rcumap_mp, readers_and_writers, 120)
{
	const struct shape *s = &self->s;
	struct mp_shared *sh = self->sh;
	bool hash = s->type == RCUMAP_MAP_HASH;
	pid_t pid[MP_PROCS];
	double deadline;
	__u32 i, w, live;
	__u64 id, got;
	int status, p;

	if (hash) {
		for (i = 0; i < MP_KEYS; i++) {
			ASSERT_EQ(0, put(self->fd, s, i, 0, RCUMAP_UPDATE_NOEXIST));
			sh->present[i] = 1;
		}
	} else {
		for (i = 0; i < MP_STABLE; i++) {
			ASSERT_EQ(0, pins(self->fd, s, 1000 + i, 0, &sh->stable[i]));
		}
	}

	deadline = now_s() + MP_SECONDS;
	for (p = 0; p < MP_PROCS; p++) {
		pid[p] = fork();
		ASSERT_LE(0, pid[p]);
		if (pid[p])
			continue;
		if (p < MP_WRITERS)
			_exit(hash ? mp_hash_writer(self->fd, s, sh, p, deadline) :
				     mp_ptab_writer(self->fd, s, sh, p, deadline));
		_exit(hash ? mp_hash_reader(self->fd, s, sh, p, deadline) :
			     mp_ptab_reader(self->fd, s, sh, p, deadline));
	}
	for (p = 0; p < MP_PROCS; p++) {
		ASSERT_EQ(pid[p], waitpid(pid[p], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("process %d: %s", p, sh->why[p]);
		EXPECT_LT(0, sh->ops[p]) TH_LOG("process %d made no progress", p);
		ksft_print_msg("%s: process %d made %llu calls\n", _metadata->name,
			       p, (unsigned long long)sh->ops[p]);
	}

	/* Quiet now: exactly the writers' last word. */
	if (hash) {
		for (i = 0, live = 0; i < MP_KEYS; i++) {
			EXPECT_EQ(sh->present[i] ? 0 : -ENOENT,
				  check(self->fd, s, i, sh->ver[i]))
				TH_LOG("key %u", i);
			live += sh->present[i];
		}
		EXPECT_EQ(live, count_of(self->fd));
	} else {
		live = MP_STABLE;
		for (w = 0; w < MP_WRITERS; w++)
			live += sh->nlive[w];
		EXPECT_EQ(live, count_of(self->fd));
		for (id = 0, i = 0; !_test_cmd_ptab_next(self->fd, id, NULL, &got);
		     id = got + 1, i++) {
			bool known = false;
			__u32 j;

			for (j = 0; j < MP_STABLE; j++)
				known |= sh->stable[j] == got;
			for (w = 0; w < MP_WRITERS; w++)
				for (j = 0; j < sh->nlive[w]; j++)
					known |= sh->live[w][j] == got;
			EXPECT_TRUE(known) TH_LOG("id %llu", (unsigned long long)got);
			ASSERT_GE(live, i);
		}
		EXPECT_EQ(live, i);
	}
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
	ASSERT_EQ(0, _test_cmd_create_shape_flags(self->fd, &self->s,
						  variant->flags));
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

/* ---- Bucket statistics of the layered maps -------------------------------- */

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

TEST_F(rcumap_lru, bucket_stats_count_every_bucket_and_key)
{
	__u32 i;

	/* No more than max_entries: nothing is evicted meanwhile. */
	for (i = 0; i < self->s.max_entries; i++) {
		ASSERT_EQ(0, put(self->fd, &self->s, i, 0, RCUMAP_UPDATE_NOEXIST));
	}
	stats_check_still(_metadata, self->fd, 5);
}

RCUMAP_SELFTEST_MAIN
