// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_mp.c - selftests of one map shared by several processes.
 *
 * Fixtures:
 *   rcumap_mp    processes sharing one map file, readers and writers
 *   rcumap_owalk ordered walks while another process churns keys and
 *                resizes the map
 *
 * Every test expects one documented behaviour; nothing is skipped.  The
 * binary ends with the line "N passed, N failed" (common.h).
 */
#include "common.h"

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

RCUMAP_SELFTEST_MAIN
