// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_lengths.c - the tests of /dev/rcumap run over every ioctl,
 * driven by one table of them (ops[] below): struct length, unknown
 * flags, reserved fields, ioctls before CREATE and on the wrong map type,
 * bad pointers, read-only structs, unknown numbers, read-only files.
 *
 * Fixture:
 *   rcumap_dev   an open file without a map; each test makes the maps
 *                it runs the ops on (struct env)
 *
 * Every test expects one documented behaviour; nothing is skipped.  The
 * binary ends with the line "N passed, N failed" (common.h).
 */
#include "common.h"

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
	__u32 status[8];
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

/* Keys 1 to 4 (all present) and 9 (absent): out_found is 4. */
static void fill_lookup_bulk(struct env *e, void *p)
{
	struct rcumap_lookup_bulk *c = p;
	int i;

	for (i = 0; i < 5; i++)
		make_key(e->lkeys[i], ENV_KS, i < 4 ? 1 + i : 9);
	c->keys = U64_PTR(e->lkeys);
	c->values = U64_PTR(e->lvals);
	c->status = U64_PTR(e->status);
	c->count = 5;
}

static void fill_batch_lookup_and_delete(struct env *e, void *p)
{
	struct rcumap_batch *c = p;

	c->keys = U64_PTR(e->lkeys);
	c->values = U64_PTR(e->lvals);
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
	OP_DUP_RDONLY, OP_LOOKUP_BULK, OP_BATCH_LOOKUP_AND_DELETE, NR_OPS
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
	[OP_LOOKUP_BULK] = OP(LOOKUP_BULK, rcumap_lookup_bulk, __reserved,
			      NEED_HASH, R, 0, 0, true, fill_lookup_bulk),
	[OP_BATCH_LOOKUP_AND_DELETE] = OP(BATCH_LOOKUP_AND_DELETE, rcumap_batch,
					  out_count, NEED_HASH, W,
					  WALK_FLAG_BITS, -2, true,
					  fill_batch_lookup_and_delete),
};

#undef R
#undef W

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
	} else if (op->ioc == RCUMAP_IOC_BATCH_LOOKUP ||
		   op->ioc == RCUMAP_IOC_BATCH_LOOKUP_AND_DELETE) {
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
LENGTH_TEST(lookup_bulk, OP_LOOKUP_BULK)
LENGTH_TEST(batch_lookup_and_delete, OP_BATCH_LOOKUP_AND_DELETE)

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
		_IO(RCUMAP_TYPE, RCUMAP_CMD_BATCH_LOOKUP_AND_DELETE + 1),
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
				     op->ioc == RCUMAP_IOC_BATCH_DELETE ||
				     op->ioc == RCUMAP_IOC_BATCH_LOOKUP_AND_DELETE;

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

RCUMAP_SELFTEST_MAIN
