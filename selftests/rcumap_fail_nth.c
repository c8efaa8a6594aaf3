// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_fail_nth.c - allocation failures in every ioctl of /dev/rcumap
 * that may allocate.
 *
 * For one ioctl and n = 1, 2, ...: make a map in a known state, write n to
 * /proc/self/task/<tid>/fail-nth, run the ioctl once, read fail-nth back
 * (0: the n-th fault point was hit and failed) and disarm it.  Then:
 *  - the ioctl returned 0 or ENOMEM (DELETE and LOOKUP_AND_DELETE: only 0;
 *    the header says they never fail for lack of memory);
 *  - ENOMEM came only when the fault was injected;
 *  - the map holds exactly what it should: the state after the ioctl if it
 *    succeeded, the state before it if it failed (for a batch, the first
 *    out_count elements applied and no others), checked by lookups, INFO's
 *    count and a walk.
 * The sweep ends at the first n whose call succeeded without the fault
 * having been injected (fail-nth reads back non-zero).  A success with
 * fail-nth at 0 means the failure was absorbed (kmemleak's own metadata,
 * kfree_rcu()'s page cache, ...): the sweep goes on.
 *
 * The guest's init arms fault injection so that only fail-nth makes
 * anything fail, sleeping (GFP_KERNEL) allocations included.  Before each
 * sweep the ioctl runs once unarmed, so that the pages of code and stack
 * it needs are already there: a page fault during the armed call would
 * take the injected failure in user space.
 */
#include "common.h"

#define FN_MAX_N	2000	/* a sweep longer than this does not end */
#define FN_KEYS		8	/* keys or entries a map starts with */
#define FN_NEW		100	/* the first key number an op adds */

static const struct shape fn_hash = {
	.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 32,
	.max_entries = 64,
};

static const struct shape fn_ptab = {
	.type = RCUMAP_MAP_PTAB, .value_size = 32, .max_entries = 64,
};

/*
 * Entries out of line (a key and a value of more than 128 bytes): an
 * update allocates an element, then a bucket; a key of more than 256
 * bytes goes through the map's own buffer on its way to a delete, which
 * CREATE allocates.
 */
static const struct shape fn_elems = {
	.type = RCUMAP_MAP_HASH, .key_size = 300, .value_size = 4096,
	.max_entries = 64,
};

/* Values above 4096 bytes: LOOKUP_AND_DELETE's buffer may fail. */
static const struct shape fn_bigval = {
	.type = RCUMAP_MAP_HASH, .key_size = 8, .value_size = 8192,
	.max_entries = 64,
};

/* The largest value of the shapes above, for the buffers of a sweep. */
#define FN_MAX_VALUE	8192

/* ---- fail-nth ------------------------------------------------------------ */

static int fail_nth_open(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	return open(path, O_RDWR | O_CLOEXEC);
}

static int fail_nth_write(int fnfd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fnfd, buf, len, 0) == len ? 0 : -1;
}

/*
 * Read what is left of the countdown (0: the fault was injected), then
 * disarm.  -1 if either fails.
 */
static long fail_nth_read_disarm(int fnfd)
{
	char buf[24] = { 0 };
	ssize_t len = pread(fnfd, buf, sizeof(buf) - 1, 0);

	if (fail_nth_write(fnfd, 0) || len <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* ---- A map and what it should hold ------------------------------------------ */

#define MODEL_MAX	32

/*
 * The expected contents: HASH key @num[i] at version @ver[i] if
 * @present[i]; PTAB entry @id[i] holding the value of @num[i], @ver[i].
 */
struct model {
	__u32 n;
	__u64 num[MODEL_MAX];
	__u32 ver[MODEL_MAX];
	__u64 id[MODEL_MAX];
	bool present[MODEL_MAX];
};

struct ctx {
	int fd;
	const struct shape *s;
	struct model before;		/* what setup made */
	__u8 key[TEST_MAX_KEY];
	__u8 val[FN_MAX_VALUE];
	__u8 out[FN_MAX_VALUE];
	__u8 keys[16 * 300];		/* 16 keys of a shape above */
	__u8 vals[16 * 32];		/* 16 of fn_hash's values */
	__u64 out_id, out_cursor;
	__u32 out_count;
	__u32 nr_buckets;		/* setup_hash_walked(): INFO's */
	long long order[FN_KEYS];	/* and the ordered walk's keys */
	char why[160];			/* what check() found wrong */
};

static void model_add(struct model *m, __u64 num, __u32 ver, __u64 id,
		      bool present)
{
	m->num[m->n] = num;
	m->ver[m->n] = ver;
	m->id[m->n] = id;
	m->present[m->n] = present;
	m->n++;
}

static int model_find(const struct model *m, __u64 num)
{
	__u32 i;

	for (i = 0; i < m->n; i++)
		if (m->num[i] == num)
			return i;
	return -1;
}

#define WHY(c, fmt, ...)						\
	({								\
		snprintf((c)->why, sizeof((c)->why), fmt, ##__VA_ARGS__); \
		-1;							\
	})

static int check_hash(struct ctx *c, const struct model *m)
{
	__u8 k[TEST_MAX_KEY], v[FN_MAX_VALUE];
	__u32 i, live = 0;
	long long cnt;
	int ret;

	for (i = 0; i < m->n; i++) {
		make_key(k, c->s->key_size, m->num[i]);
		ret = _test_cmd_lookup(c->fd, k, v);
		if (m->present[i] && ret)
			return WHY(c, "key %llu: LOOKUP %d, want it present",
				   (unsigned long long)m->num[i], ret);
		if (!m->present[i] && ret != -ENOENT)
			return WHY(c, "key %llu: LOOKUP %d, want ENOENT",
				   (unsigned long long)m->num[i], ret);
		if (m->present[i] &&
		    !value_is(v, c->s->value_size, m->num[i], m->ver[i]))
			return WHY(c, "key %llu: value is not version %u",
				   (unsigned long long)m->num[i], m->ver[i]);
		live += m->present[i];
	}
	cnt = -1;
	{
		struct rcumap_info info;

		if (!_test_cmd_info(c->fd, &info))
			cnt = info.out_count;
	}
	if (cnt != live)
		return WHY(c, "INFO count %lld, want %u", cnt, live);
	return 0;
}

static int check_ptab(struct ctx *c, const struct model *m)
{
	__u8 v[TEST_MAX_VALUE];
	__u32 i, live = 0, walked = 0;
	struct rcumap_info info;
	__u64 id, got;
	int ret, j;

	for (i = 0; i < m->n; i++) {
		ret = _test_cmd_ptab_lookup(c->fd, m->id[i], v);
		if (m->present[i] &&
		    (ret || !value_is(v, c->s->value_size, m->num[i], m->ver[i])))
			return WHY(c, "id %llu: PTAB_LOOKUP %d or wrong value",
				   (unsigned long long)m->id[i], ret);
		if (!m->present[i] && ret != -ENOENT)
			return WHY(c, "id %llu: PTAB_LOOKUP %d, want ENOENT",
				   (unsigned long long)m->id[i], ret);
		live += m->present[i];
	}
	/* The walk finds the live entries and nothing else. */
	for (id = 0; !_test_cmd_ptab_next(c->fd, id, v, &got); id = got + 1) {
		for (j = 0; j < (int)m->n; j++)
			if (m->present[j] && m->id[j] == got)
				break;
		if (j == (int)m->n)
			return WHY(c, "PTAB_NEXT found id %llu, not in the model",
				   (unsigned long long)got);
		if (++walked > live)
			return WHY(c, "PTAB_NEXT walk too long");
	}
	if (walked != live)
		return WHY(c, "PTAB_NEXT walked %u entries, want %u", walked, live);
	if (_test_cmd_info(c->fd, &info) || info.out_count != live)
		return WHY(c, "INFO count %u, want %u", info.out_count, live);
	return 0;
}

/* ---- Setups: a fresh map in a known state --------------------------------- */

static int setup_none(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = rcumap_open();
	return c->fd < 0 ? -errno : 0;
}

/* A map of shape @s holding keys 0..FN_KEYS - 1 at version 0. */
static int setup_hash_shape(struct ctx *c, const struct shape *s)
{
	__u32 i;
	int ret = setup_none(c);

	c->s = s;
	if (!ret)
		ret = _test_cmd_create_shape(c->fd, c->s);
	for (i = 0; !ret && i < FN_KEYS; i++) {
		make_key(c->key, c->s->key_size, i);
		make_value(c->val, c->s->value_size, i, 0);
		ret = _test_cmd_update(c->fd, c->key, c->val, RCUMAP_UPDATE_ANY);
		model_add(&c->before, i, 0, 0, true);
	}
	return ret;
}

static int setup_hash(struct ctx *c)
{
	return setup_hash_shape(c, &fn_hash);
}

static int setup_elems(struct ctx *c)
{
	return setup_hash_shape(c, &fn_elems);
}

static int setup_bigval(struct ctx *c)
{
	return setup_hash_shape(c, &fn_bigval);
}

/*
 * The key numbers of an ordered walk by GET_NEXT_KEY, into @order (room
 * for FN_KEYS); how many, or -errno.
 */
static int ordered_keys(struct ctx *c, long long *order)
{
	__u8 cur[TEST_MAX_KEY], next[TEST_MAX_KEY];
	int n = 0, ret;

	for (;;) {
		ret = _test_cmd_next_key_ordered(c->fd, n ? cur : NULL, next);
		if (ret == -ENOENT)
			return n;
		if (ret)
			return ret;
		if (n == FN_KEYS)
			return -E2BIG;
		order[n++] = key_index(next, c->s->key_size);
		memcpy(cur, next, c->s->key_size);
	}
}

/* setup_hash(), and the bucket count and key order it ended up with. */
static int setup_hash_walked(struct ctx *c)
{
	struct rcumap_info info;
	int ret = setup_hash(c);

	if (!ret)
		ret = _test_cmd_info(c->fd, &info);
	if (!ret)
		c->nr_buckets = info.out_nr_buckets;
	if (!ret)
		ret = ordered_keys(c, c->order) == FN_KEYS ? 0 : -EBADMSG;
	return ret;
}

/* PTAB map holding FN_KEYS entries, values of 0..FN_KEYS - 1 at version 0. */
static int setup_ptab(struct ctx *c)
{
	__u64 id = 0;
	__u32 i;
	int ret = setup_none(c);

	c->s = &fn_ptab;
	if (!ret)
		ret = _test_cmd_create_shape(c->fd, c->s);
	for (i = 0; !ret && i < FN_KEYS; i++) {
		make_value(c->val, c->s->value_size, i, 0);
		ret = _test_cmd_ptab_insert(c->fd, c->val, &id);
		model_add(&c->before, i, 0, id, true);
	}
	return ret;
}

/* ---- The ioctls under test, and what each must leave behind -------------- */

static const struct shape fn_hash_big = {
	.type = RCUMAP_MAP_HASH, .key_size = 16, .value_size = 128,
	.max_entries = 4096, .nr_buckets = 4096,
};

static const struct shape fn_ptab_big = {
	.type = RCUMAP_MAP_PTAB, .value_size = 128, .max_entries = 16384,
};

/*
 * After CREATE of @s: on success the map is there, empty and usable; on
 * ENOMEM there is no map, and a CREATE now succeeds.
 */
static int check_create(struct ctx *c, int ret, const struct shape *s)
{
	struct rcumap_info info;
	__u64 id;
	int err;

	if (ret) {
		err = _test_cmd_info(c->fd, &info);
		if (err != -EINVAL)
			return WHY(c, "INFO after a failed CREATE: %d", err);
		err = _test_cmd_create_shape(c->fd, s);
		if (err)
			return WHY(c, "CREATE after a failed CREATE: %d", err);
	}
	err = _test_cmd_info(c->fd, &info);
	if (err || info.out_map_type != s->type ||
	    info.out_key_size != s->key_size ||
	    info.out_value_size != s->value_size ||
	    info.out_max_entries != s->max_entries || info.out_count)
		return WHY(c, "INFO %d or fields wrong", err);
	make_key(c->key, s->key_size, 1);
	make_value(c->val, s->value_size, 1, 0);
	if (s->type == RCUMAP_MAP_HASH)
		err = _test_cmd_update(c->fd, c->key, c->val, RCUMAP_UPDATE_ANY);
	else
		err = _test_cmd_ptab_insert(c->fd, c->val, &id);
	if (err)
		return WHY(c, "first insertion into the new map: %d", err);
	if (_test_cmd_info(c->fd, &info) || info.out_count != 1)
		return WHY(c, "INFO count %u after one insertion", info.out_count);
	return 0;
}

static int op_create_hash(struct ctx *c)
{
	return _test_cmd_create_shape(c->fd, &fn_hash);
}

static int chk_create_hash(struct ctx *c, int ret)
{
	return check_create(c, ret, &fn_hash);
}

static int op_create_hash_big(struct ctx *c)
{
	return _test_cmd_create_shape(c->fd, &fn_hash_big);
}

static int chk_create_hash_big(struct ctx *c, int ret)
{
	return check_create(c, ret, &fn_hash_big);
}

static int op_create_elems(struct ctx *c)
{
	return _test_cmd_create_shape(c->fd, &fn_elems);
}

static int chk_create_elems(struct ctx *c, int ret)
{
	return check_create(c, ret, &fn_elems);
}

static int op_create_ptab(struct ctx *c)
{
	return _test_cmd_create_shape(c->fd, &fn_ptab);
}

static int chk_create_ptab(struct ctx *c, int ret)
{
	return check_create(c, ret, &fn_ptab);
}

static int op_create_ptab_big(struct ctx *c)
{
	return _test_cmd_create_shape(c->fd, &fn_ptab_big);
}

static int chk_create_ptab_big(struct ctx *c, int ret)
{
	return check_create(c, ret, &fn_ptab_big);
}

/* UPDATE of key @num to version 1 with @flags. */
static int update(struct ctx *c, __u64 num, __u32 flags)
{
	make_key(c->key, c->s->key_size, num);
	make_value(c->val, c->s->value_size, num, 1);
	return _test_cmd_update(c->fd, c->key, c->val, flags);
}

static int op_insert_any(struct ctx *c)
{
	return update(c, FN_NEW, RCUMAP_UPDATE_ANY);
}

static int op_insert_noexist(struct ctx *c)
{
	return update(c, FN_NEW, RCUMAP_UPDATE_NOEXIST);
}

static int chk_insert(struct ctx *c, int ret)
{
	struct model m = c->before;

	model_add(&m, FN_NEW, 1, 0, ret == 0);
	return check_hash(c, &m);
}

static int op_replace_any(struct ctx *c)
{
	return update(c, 3, RCUMAP_UPDATE_ANY);
}

static int op_replace_exist(struct ctx *c)
{
	return update(c, 3, RCUMAP_UPDATE_EXIST);
}

static int chk_replace(struct ctx *c, int ret)
{
	struct model m = c->before;

	if (!ret)
		m.ver[model_find(&m, 3)] = 1;
	return check_hash(c, &m);
}

/*
 * 16 elements at version 1, alternately a new key (FN_NEW + i / 2) and a
 * key the map holds (i / 2).
 */
#define BATCH_N	16

static __u64 batch_num(__u32 i)
{
	return i % 2 ? i / 2 : FN_NEW + i / 2;
}

static int op_batch_update(struct ctx *c)
{
	__u32 i;

	for (i = 0; i < BATCH_N; i++) {
		make_key(c->keys + i * c->s->key_size, c->s->key_size,
			 batch_num(i));
		make_value(c->vals + i * c->s->value_size, c->s->value_size,
			   batch_num(i), 1);
	}
	return _test_cmd_batch_update(c->fd, c->keys, c->vals, BATCH_N,
				      RCUMAP_UPDATE_ANY, &c->out_count);
}

static int chk_batch_update(struct ctx *c, int ret)
{
	struct model m = c->before;
	__u32 i, done = ret ? c->out_count : BATCH_N;

	/* out_count: the elements done, whatever the error. */
	if (c->out_count > BATCH_N || (!ret && c->out_count != BATCH_N))
		return WHY(c, "out_count %#x after %d", c->out_count, ret);
	for (i = 0; i < BATCH_N; i++) {
		if (i % 2)
			m.ver[model_find(&m, batch_num(i))] = i < done;
		else
			model_add(&m, batch_num(i), 1, 0, i < done);
	}
	return check_hash(c, &m);
}

static int op_lookup(struct ctx *c)
{
	make_key(c->key, c->s->key_size, 3);
	return _test_cmd_lookup(c->fd, c->key, c->out);
}

static int chk_lookup(struct ctx *c, int ret)
{
	if (!ret && !value_is(c->out, c->s->value_size, 3, 0))
		return WHY(c, "LOOKUP returned a wrong value");
	return check_hash(c, &c->before);
}

static int op_delete(struct ctx *c)
{
	make_key(c->key, c->s->key_size, 3);
	return _test_cmd_delete(c->fd, c->key);
}

static int chk_delete(struct ctx *c, int ret)
{
	struct model m = c->before;

	if (!ret)
		m.present[model_find(&m, 3)] = false;
	return check_hash(c, &m);
}

static int op_lookup_and_delete(struct ctx *c)
{
	make_key(c->key, c->s->key_size, 3);
	return _test_cmd_lookup_and_delete(c->fd, c->key, c->out);
}

static int chk_lookup_and_delete(struct ctx *c, int ret)
{
	if (!ret && !value_is(c->out, c->s->value_size, 3, 0))
		return WHY(c, "LOOKUP_AND_DELETE returned a wrong value");
	return chk_delete(c, ret);
}

static int op_get_next_key(struct ctx *c)
{
	return _test_cmd_get_next_key(c->fd, NULL, c->out);
}

static int chk_get_next_key(struct ctx *c, int ret)
{
	long long n = key_index(c->out, c->s->key_size);

	if (!ret && (n < 0 || n >= FN_KEYS))
		return WHY(c, "GET_NEXT_KEY returned a foreign key");
	return check_hash(c, &c->before);
}

static int op_batch_lookup(struct ctx *c)
{
	return _test_cmd_batch_lookup(c->fd, c->keys, c->vals, 0, 4,
				      &c->out_cursor, &c->out_count);
}

static int chk_batch_lookup(struct ctx *c, int ret)
{
	long long n;
	__u32 i;

	if (!ret && (c->out_count < 1 || c->out_count > 4))
		return WHY(c, "BATCH_LOOKUP out_count %u", c->out_count);
	for (i = 0; !ret && i < c->out_count; i++) {
		n = key_index(c->keys + i * c->s->key_size, c->s->key_size);
		if (n < 0 || n >= FN_KEYS ||
		    !value_is(c->vals + i * c->s->value_size,
			      c->s->value_size, n, 0))
			return WHY(c, "BATCH_LOOKUP returned a wrong entry");
	}
	return check_hash(c, &c->before);
}

static int op_batch_delete(struct ctx *c)
{
	__u32 i;

	for (i = 0; i < 4; i++)
		make_key(c->keys + i * c->s->key_size, c->s->key_size, i);
	return _test_cmd_batch_delete(c->fd, c->keys, 4, &c->out_count);
}

static int chk_batch_delete(struct ctx *c, int ret)
{
	struct model m = c->before;
	__u32 i, done = ret ? c->out_count : 4;

	if (c->out_count > 4 || (!ret && c->out_count != 4))
		return WHY(c, "out_count %#x after %d", c->out_count, ret);
	for (i = 0; i < done; i++)
		m.present[model_find(&m, i)] = false;
	return check_hash(c, &m);
}

static int op_info(struct ctx *c)
{
	struct rcumap_info info;

	return _test_cmd_info(c->fd, &info);
}

static int chk_info(struct ctx *c, int ret)
{
	return check_hash(c, &c->before);
}

/* CREATE of a hash map that resizes by itself; INFO reports its flags. */
#define FN_AUTO	(RCUMAP_CREATE_RESIZE | RCUMAP_CREATE_SHRINK)

static int op_create_hash_auto(struct ctx *c)
{
	return _test_cmd_create_flags(c->fd, FN_AUTO, fn_hash.type,
				      fn_hash.key_size, fn_hash.value_size,
				      fn_hash.max_entries, 0);
}

static int chk_create_hash_auto(struct ctx *c, int ret)
{
	struct rcumap_info info;
	int err;

	if (ret) {
		err = _test_cmd_info(c->fd, &info);
		if (err != -EINVAL)
			return WHY(c, "INFO after a failed CREATE: %d", err);
		err = op_create_hash_auto(c);
		if (err)
			return WHY(c, "CREATE after a failed CREATE: %d", err);
	}
	err = _test_cmd_info(c->fd, &info);
	if (err || info.out_create_flags != FN_AUTO)
		return WHY(c, "INFO %d, flags %#x", err, info.out_create_flags);
	return check_create(c, 0, &fn_hash);
}

/*
 * RESIZE: on success the new bucket count.  On ENOMEM the steps (each a
 * doubling or a halving) done before the failure stay done: the count is
 * the old one or a step between it and the new one, never the new one.
 * Either way every key, its value, the count and the order of the ordered
 * walk are exactly as before.
 */
static int check_resize(struct ctx *c, int ret, __u32 nr_buckets)
{
	__u32 lo = c->nr_buckets < nr_buckets ? c->nr_buckets : nr_buckets;
	__u32 hi = c->nr_buckets ^ nr_buckets ^ lo, nb;
	long long order[FN_KEYS];
	struct rcumap_info info;
	int n, i;

	if (_test_cmd_info(c->fd, &info))
		return WHY(c, "INFO failed");
	nb = info.out_nr_buckets;
	if (!ret && nb != nr_buckets)
		return WHY(c, "%u buckets after success, want %u", nb,
			   nr_buckets);
	if (ret && (nb & (nb - 1) || nb < lo || nb > hi || nb == nr_buckets))
		return WHY(c, "%u buckets after ENOMEM, from %u to %u", nb,
			   c->nr_buckets, nr_buckets);
	n = ordered_keys(c, order);
	if (n != FN_KEYS)
		return WHY(c, "the ordered walk returned %d keys", n);
	for (i = 0; i < FN_KEYS; i++)
		if (order[i] != c->order[i])
			return WHY(c, "the ordered walk changed at key %d", i);
	return check_hash(c, &c->before);
}

static int op_resize_up(struct ctx *c)
{
	return _test_cmd_resize(c->fd, 1024);
}

static int chk_resize_up(struct ctx *c, int ret)
{
	return check_resize(c, ret, 1024);
}

static int op_resize_down(struct ctx *c)
{
	return _test_cmd_resize(c->fd, 2);
}

static int chk_resize_down(struct ctx *c, int ret)
{
	return check_resize(c, ret, 2);
}

/* Ordered GET_NEXT_KEY from the first key. */
static int op_get_next_key_ordered(struct ctx *c)
{
	return _test_cmd_next_key_ordered(c->fd, NULL, c->out);
}

static int chk_get_next_key_ordered(struct ctx *c, int ret)
{
	if (!ret && key_index(c->out, c->s->key_size) != c->order[0])
		return WHY(c, "ordered GET_NEXT_KEY: not the first key");
	return check_hash(c, &c->before);
}

/*
 * Ordered BATCH_LOOKUP of 4 after the second key: on success the next 4
 * keys of the order with their values; on ENOMEM out_count is written
 * too, and what it counts is right.
 */
static int op_batch_lookup_ordered(struct ctx *c)
{
	make_key(c->key, c->s->key_size, c->order[1]);
	return _test_cmd_batch_lookup_ordered(c->fd, c->keys, c->vals, c->key,
					      4, &c->out_count);
}

static int chk_batch_lookup_ordered(struct ctx *c, int ret)
{
	__u32 i;

	if (c->out_count > 4 || (!ret && c->out_count != 4))
		return WHY(c, "ordered BATCH_LOOKUP: out_count %#x after %d",
			   c->out_count, ret);
	for (i = 0; i < c->out_count; i++) {
		long long n = key_index(c->keys + i * c->s->key_size,
					c->s->key_size);

		if (n != c->order[2 + i] ||
		    !value_is(c->vals + i * c->s->value_size,
			      c->s->value_size, n, 0))
			return WHY(c, "ordered BATCH_LOOKUP: entry %u wrong", i);
	}
	return check_hash(c, &c->before);
}

static int op_ptab_insert(struct ctx *c)
{
	make_value(c->val, c->s->value_size, FN_NEW, 1);
	return _test_cmd_ptab_insert(c->fd, c->val, &c->out_id);
}

static int chk_ptab_insert(struct ctx *c, int ret)
{
	struct model m = c->before;

	if (!ret) {
		if (c->out_id <= m.id[m.n - 1])
			return WHY(c, "new id %llu not above %llu",
				   (unsigned long long)c->out_id,
				   (unsigned long long)m.id[m.n - 1]);
		model_add(&m, FN_NEW, 1, c->out_id, true);
	}
	return check_ptab(c, &m);
}

static int op_ptab_lookup(struct ctx *c)
{
	return _test_cmd_ptab_lookup(c->fd, c->before.id[3], c->out);
}

static int chk_ptab_lookup(struct ctx *c, int ret)
{
	if (!ret && !value_is(c->out, c->s->value_size, 3, 0))
		return WHY(c, "PTAB_LOOKUP returned a wrong value");
	return check_ptab(c, &c->before);
}

static int op_ptab_remove(struct ctx *c)
{
	return _test_cmd_ptab_remove(c->fd, c->before.id[3], c->out);
}

static int chk_ptab_remove(struct ctx *c, int ret)
{
	struct model m = c->before;

	if (!ret) {
		if (!value_is(c->out, c->s->value_size, 3, 0))
			return WHY(c, "PTAB_REMOVE returned a wrong value");
		m.present[3] = false;
	}
	return check_ptab(c, &m);
}

static int op_ptab_next(struct ctx *c)
{
	return _test_cmd_ptab_next(c->fd, 0, c->out, &c->out_id);
}

static int chk_ptab_next(struct ctx *c, int ret)
{
	if (!ret && (c->out_id != c->before.id[0] ||
		     !value_is(c->out, c->s->value_size, 0, 0)))
		return WHY(c, "PTAB_NEXT returned a wrong entry");
	return check_ptab(c, &c->before);
}

/* ---- PERCPU_HASH and LRU_HASH maps ------------------------------------------- */

/* Room for the value buffers of up to FN_MAX_CPUS possible CPUs. */
#define FN_MAX_CPUS	512

static const struct shape fn_percpu = {
	.type = RCUMAP_MAP_PERCPU_HASH, .key_size = 8, .value_size = 8,
	.max_entries = 64,
};

/* Keys the inner table keeps out of line, with their area pointers. */
static const struct shape fn_percpu_bigkey = {
	.type = RCUMAP_MAP_PERCPU_HASH, .key_size = 300, .value_size = 8,
	.max_entries = 64,
};

static __u64 pc_buf[FN_MAX_CPUS], pc_out[FN_MAX_CPUS];
static __u32 pc_cpus;

/* INFO's out_count, or -errno. */
static long long count_of_fd(int fd)
{
	struct rcumap_info info;
	int ret = _test_cmd_info(fd, &info);

	return ret ? (long long)ret : (long long)info.out_count;
}
/* CPU @cpu's value of key @num at @ver. */
static __u64 pc_value(__u64 num, __u32 ver, __u32 cpu)
{
	return num << 32 | (__u64)ver << 16 | cpu;
}

static int pc_update(struct ctx *c, __u64 num, __u32 ver, __u32 flags)
{
	__u32 cpu;

	for (cpu = 0; cpu < pc_cpus; cpu++)
		pc_buf[cpu] = pc_value(num, ver, cpu);
	make_key(c->key, c->s->key_size, num);
	return _test_cmd_update(c->fd, c->key, pc_buf, flags);
}

/* A PERCPU_HASH map of @s holding keys 0..FN_KEYS - 1 at version 0. */
static int setup_percpu_shape(struct ctx *c, const struct shape *s)
{
	struct rcumap_info info;
	__u32 i;
	int ret = setup_none(c);

	c->s = s;
	if (!ret)
		ret = _test_cmd_create_shape(c->fd, c->s);
	if (!ret)
		ret = _test_cmd_info(c->fd, &info);
	if (!ret && (info.out_nr_cpus > FN_MAX_CPUS ||
		     info.out_value_stride != 8 * info.out_nr_cpus))
		ret = -ERANGE;
	if (!ret)
		pc_cpus = info.out_nr_cpus;
	for (i = 0; !ret && i < FN_KEYS; i++) {
		ret = pc_update(c, i, 0, RCUMAP_UPDATE_ANY);
		model_add(&c->before, i, 0, 0, true);
	}
	return ret;
}

static int setup_percpu(struct ctx *c)
{
	return setup_percpu_shape(c, &fn_percpu);
}

static int setup_percpu_bigkey(struct ctx *c)
{
	return setup_percpu_shape(c, &fn_percpu_bigkey);
}

/* Every key of @m as it says, every CPU's value, and INFO's count. */
static int check_percpu(struct ctx *c, const struct model *m)
{
	__u32 i, cpu, live = 0;
	long long count;
	int ret;

	for (i = 0; i < m->n; i++) {
		make_key(c->key, c->s->key_size, m->num[i]);
		ret = _test_cmd_lookup(c->fd, c->key, pc_out);
		if (ret != (m->present[i] ? 0 : -ENOENT))
			return WHY(c, "key %llu: lookup %d",
				   (unsigned long long)m->num[i], ret);
		if (ret)
			continue;
		live++;
		for (cpu = 0; cpu < pc_cpus; cpu++)
			if (pc_out[cpu] != pc_value(m->num[i], m->ver[i], cpu))
				return WHY(c, "key %llu: CPU %u's value wrong",
					   (unsigned long long)m->num[i], cpu);
	}
	count = count_of_fd(c->fd);
	if (count != live)
		return WHY(c, "INFO count %lld, want %u", count, live);
	return 0;
}

static int op_percpu_insert(struct ctx *c)
{
	return pc_update(c, FN_NEW, 1, RCUMAP_UPDATE_NOEXIST);
}

static int chk_percpu_insert(struct ctx *c, int ret)
{
	struct model m = c->before;

	model_add(&m, FN_NEW, 1, 0, ret == 0);
	return check_percpu(c, &m);
}

static int op_percpu_replace(struct ctx *c)
{
	return pc_update(c, 3, 1, RCUMAP_UPDATE_ANY);
}

static int chk_percpu_replace(struct ctx *c, int ret)
{
	struct model m = c->before;

	if (!ret)
		m.ver[model_find(&m, 3)] = 1;
	return check_percpu(c, &m);
}

/* May fail with ENOMEM (its value buffer), but then deletes nothing. */
static int op_percpu_lookup_and_delete(struct ctx *c)
{
	make_key(c->key, c->s->key_size, 3);
	return _test_cmd_lookup_and_delete(c->fd, c->key, pc_out);
}

static int chk_percpu_lookup_and_delete(struct ctx *c, int ret)
{
	struct model m = c->before;
	__u32 cpu;

	if (!ret) {
		for (cpu = 0; cpu < pc_cpus; cpu++)
			if (pc_out[cpu] != pc_value(3, 0, cpu))
				return WHY(c, "CPU %u's value wrong", cpu);
		m.present[3] = false;
	}
	return check_percpu(c, &m);
}

static const struct shape fn_lru = {
	.type = RCUMAP_MAP_LRU_HASH, .key_size = 8, .value_size = 32,
	.max_entries = FN_KEYS,
};

/* LRU_HASH map full with keys 0..FN_KEYS - 1 at version 0. */
static int setup_lru_full(struct ctx *c)
{
	__u32 i;
	int ret = setup_none(c);

	c->s = &fn_lru;
	if (!ret)
		ret = _test_cmd_create_shape(c->fd, c->s);
	for (i = 0; !ret && i < FN_KEYS; i++) {
		make_key(c->key, c->s->key_size, i);
		make_value(c->val, c->s->value_size, i, 0);
		ret = _test_cmd_update(c->fd, c->key, c->val,
				       RCUMAP_UPDATE_NOEXIST);
		model_add(&c->before, i, 0, 0, true);
	}
	return ret;
}

static int op_lru_insert_full(struct ctx *c)
{
	return update(c, FN_NEW, RCUMAP_UPDATE_NOEXIST);
}

/*
 * An insert into a full LRU map inserts, then evicts one other key.  If
 * the insert fails for lack of memory it has evicted nothing (the header
 * says so): the new key is absent and every other key is there.  If it
 * succeeds, the new key is there and exactly one other key is gone.  Every
 * key left is intact either way, and the count is back at max_entries.
 */
static int chk_lru_insert_full(struct ctx *c, int ret)
{
	__u8 v[TEST_MAX_VALUE];
	__u32 i, gone = 0;
	long long count;
	int r;

	for (i = 0; i < FN_KEYS; i++) {
		make_key(c->key, c->s->key_size, i);
		r = _test_cmd_lookup(c->fd, c->key, v);
		if (r == -ENOENT) {
			gone++;
			continue;
		}
		if (r || !value_is(v, c->s->value_size, i, 0))
			return WHY(c, "key %u: lookup %d or wrong value", i, r);
	}
	make_key(c->key, c->s->key_size, FN_NEW);
	r = _test_cmd_lookup(c->fd, c->key, v);
	if (r != (ret ? -ENOENT : 0) ||
	    (!r && !value_is(v, c->s->value_size, FN_NEW, 1)))
		return WHY(c, "new key: lookup %d after %d", r, ret);
	if (gone != !ret)
		return WHY(c, "%u keys evicted after %d", gone, ret);
	count = count_of_fd(c->fd);
	if (count != FN_KEYS - gone + !ret)
		return WHY(c, "INFO count %lld, %u evicted, ret %d", count,
			   gone, ret);
	return 0;
}

/* ---- The sweep --------------------------------------------------------------- */

struct sweep {
	int (*setup)(struct ctx *c);
	int (*op)(struct ctx *c);
	int (*check)(struct ctx *c, int ret);
	bool never_enomem;	/* the header says it cannot fail so */
	bool allocates;		/* it must allocate: some n must fail */
};

/*
 * Sweeps of an op that must allocate, at most, until one of its calls
 * fails with ENOMEM.  The fault-injection sites a call passes are not all
 * the op's own: a call_rcu() may refill the debug-objects pool, vmalloc()
 * may refill its caches, and how many of those a call meets changes from
 * one call to the next.  So a sweep, which fails the nth site of call n,
 * can step over the one site whose failure is not absorbed (seen once:
 * fail_nth.elems_insert, 0 ENOMEM in 7 calls; 1 in 8 the next run).
 * Every call of every sweep is checked alike; only the "some call failed"
 * check, which says that fail-nth works at all, gets another sweep.
 */
#define FN_SWEEPS	3

static void run_sweep(struct __test_metadata *_metadata, int fnfd,
		      const struct sweep *sw)
{
	unsigned int n, pass, enomem = 0, absorbed = 0, bad = 0;
	bool ret_ok, state_ok;
	struct ctx c;
	long left;
	int ret;

	/* Unarmed: it works, and its code and stack pages are in. */
	ASSERT_EQ(0, sw->setup(&c));
	ASSERT_EQ(0, fail_nth_read_disarm(fnfd));
	ret = sw->op(&c);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, sw->check(&c, ret)) TH_LOG("unarmed: %s", c.why);
	close(c.fd);

	for (pass = 0; pass < FN_SWEEPS && !bad &&
	     (!pass || (sw->allocates && !enomem)); pass++) {
		for (n = 1; n <= FN_MAX_N; n++) {
			ASSERT_EQ(0, sw->setup(&c)) TH_LOG("n %u: setup", n);
			ASSERT_EQ(0, fail_nth_write(fnfd, n));
			ret = sw->op(&c);
			left = fail_nth_read_disarm(fnfd);
			ASSERT_LE(0, left);

			/* 0, or ENOMEM where allowed and only from the fault. */
			ret_ok = !ret || (ret == -ENOMEM && !sw->never_enomem && !left);
			state_ok = !sw->check(&c, ret);
			close(c.fd);
			EXPECT_TRUE(ret_ok)
				TH_LOG("n %u: got %d, fail-nth left %ld", n, ret, left);
			EXPECT_TRUE(state_ok)
				TH_LOG("n %u, ret %d: %s", n, ret, c.why);
			enomem += ret == -ENOMEM;
			absorbed += !ret && !left;
			if (!ret && left > 0)
				break;
			/* Go on past a bad call to see the rest, up to a point. */
			if ((!ret_ok || !state_ok) && ++bad == 5) {
				TH_LOG("giving up after %u bad calls", bad);
				break;
			}
		}
	}
	EXPECT_GE(FN_MAX_N, n) TH_LOG("the sweep did not end");
	if (sw->allocates) {
		EXPECT_LT(0, enomem) TH_LOG("no call failed: is fail-nth working?");
	}
	ksft_print_msg("%s: %u sweep(s), the last of %u calls: %u ENOMEM, %u absorbed failures, %u bad\n",
		       _metadata->name, pass, n, enomem, absorbed, bad);
}

FIXTURE(fail_nth) {
	int fnfd;
};

FIXTURE_SETUP(fail_nth)
{
	self->fnfd = fail_nth_open();
	ASSERT_LE(0, self->fnfd)
		TH_LOG("no fail-nth (CONFIG_FAULT_INJECTION?): %s", strerror(errno));
}

FIXTURE_TEARDOWN(fail_nth)
{
	close(self->fnfd);
}

#define SWEEP(_name, _setup, _check, _never_enomem, _allocates)		\
	TEST_F_TIMEOUT(fail_nth, _name, 120)				\
	{								\
		static const struct sweep sw = {			\
			.setup = _setup,				\
			.op = op_##_name,				\
			.check = _check,				\
			.never_enomem = _never_enomem,			\
			.allocates = _allocates,			\
		};							\
		run_sweep(_metadata, self->fnfd, &sw);			\
	}

SWEEP(create_hash, setup_none, chk_create_hash, false, true)
SWEEP(create_hash_big, setup_none, chk_create_hash_big, false, true)
SWEEP(create_ptab, setup_none, chk_create_ptab, false, true)
SWEEP(create_ptab_big, setup_none, chk_create_ptab_big, false, true)
SWEEP(insert_any, setup_hash, chk_insert, false, true)
SWEEP(insert_noexist, setup_hash, chk_insert, false, true)
SWEEP(replace_any, setup_hash, chk_replace, false, false)
SWEEP(replace_exist, setup_hash, chk_replace, false, false)
SWEEP(batch_update, setup_hash, chk_batch_update, false, true)
SWEEP(ptab_insert, setup_ptab, chk_ptab_insert, false, true)
SWEEP(lookup, setup_hash, chk_lookup, false, false)
SWEEP(delete, setup_hash, chk_delete, true, false)
SWEEP(lookup_and_delete, setup_hash, chk_lookup_and_delete, true, false)
SWEEP(get_next_key, setup_hash, chk_get_next_key, false, false)
SWEEP(batch_lookup, setup_hash, chk_batch_lookup, false, false)
SWEEP(batch_delete, setup_hash, chk_batch_delete, false, false)
SWEEP(info, setup_hash, chk_info, false, false)
SWEEP(ptab_lookup, setup_ptab, chk_ptab_lookup, false, false)
SWEEP(ptab_remove, setup_ptab, chk_ptab_remove, false, false)
SWEEP(ptab_next, setup_ptab, chk_ptab_next, false, false)
SWEEP(create_hash_auto, setup_none, chk_create_hash_auto, false, true)
SWEEP(resize_up, setup_hash_walked, chk_resize_up, false, true)
SWEEP(resize_down, setup_hash_walked, chk_resize_down, false, true)
SWEEP(get_next_key_ordered, setup_hash_walked, chk_get_next_key_ordered,
      false, true)
SWEEP(batch_lookup_ordered, setup_hash_walked, chk_batch_lookup_ordered,
      false, true)
SWEEP(percpu_insert, setup_percpu, chk_percpu_insert, false, true)
SWEEP(percpu_replace, setup_percpu, chk_percpu_replace, false, true)
SWEEP(percpu_lookup_and_delete, setup_percpu, chk_percpu_lookup_and_delete,
      false, true)
SWEEP(lru_insert_full, setup_lru_full, chk_lru_insert_full, false, true)

/*
 * Out of line: a failed element or bucket leaves the map as it was, and
 * the deletes of long keys still never fail for lack of memory.
 */
#define op_elems_insert		op_insert_noexist
#define op_elems_replace	op_replace_exist
#define op_elems_delete		op_delete
#define op_elems_lookup_and_delete	op_lookup_and_delete
#define op_elems_batch_delete	op_batch_delete
#define op_elems_lookup		op_lookup
#define op_bigval_lookup_and_delete	op_lookup_and_delete
#define op_percpu_bigkey_insert	op_percpu_insert
#define op_percpu_bigkey_replace	op_percpu_replace
#define op_percpu_bigkey_lookup_and_delete	op_percpu_lookup_and_delete
/*
 * A buffer or element above a page is kvmalloc()ed: when its kmalloc()
 * fails, vmalloc() takes over, so the failure is absorbed.  Only the
 * sweeps that reach a small allocation (the bucket of an insert) must see
 * ENOMEM; the others must leave the map right whatever fails.
 */
SWEEP(create_elems, setup_none, chk_create_elems, false, true)
SWEEP(elems_insert, setup_elems, chk_insert, false, true)
SWEEP(elems_replace, setup_elems, chk_replace, false, false)
SWEEP(elems_delete, setup_elems, chk_delete, true, false)
SWEEP(elems_lookup_and_delete, setup_elems, chk_lookup_and_delete, true,
      false)
SWEEP(elems_batch_delete, setup_elems, chk_batch_delete, true, false)
SWEEP(elems_lookup, setup_elems, chk_lookup, false, false)
SWEEP(bigval_lookup_and_delete, setup_bigval, chk_lookup_and_delete, false,
      false)
SWEEP(percpu_bigkey_insert, setup_percpu_bigkey, chk_percpu_insert, false,
      true)
SWEEP(percpu_bigkey_replace, setup_percpu_bigkey, chk_percpu_replace, false,
      true)
SWEEP(percpu_bigkey_lookup_and_delete, setup_percpu_bigkey,
      chk_percpu_lookup_and_delete, false, true)

RCUMAP_SELFTEST_MAIN
