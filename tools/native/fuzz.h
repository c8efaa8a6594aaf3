/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the libFuzzer targets: set-up, reclaim and CHECK().
 *
 * Tables a fuzz input destroys are freed after a grace period.  Waiting
 * for one after every input would cap the fuzzers at a hundred or so
 * inputs a second (a call_rcu thread sleeps 10 ms between batches), so
 * native_barrier() runs every NATIVE_FUZZ_RECLAIM inputs (a fuzzer may
 * define it lower before including this),
 * and then nothing may be left allocated: a leak check that, unlike
 * libFuzzer's own (run them with -detect_leaks=0), understands deferred
 * frees.
 */
#ifndef _NATIVE_FUZZ_H
#define _NATIVE_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <linux/rcumap_hash.h>
#include <linux/rcupdate.h>

#include "native.h"

#ifndef NATIVE_FUZZ_RECLAIM
#define NATIVE_FUZZ_RECLAIM	4096
#endif

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
			__LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

static long fuzz_live_at_start;

static inline void native_fuzz_init(void)
{
	native_init();
	native_warn_fatal = true;
	fuzz_live_at_start = native_allocs_live();
}

static inline void native_fuzz_reclaim(void)
{
	static unsigned int inputs;

	if (++inputs % NATIVE_FUZZ_RECLAIM)
		return;
	native_barrier();
	if (fuzz_live_at_start >= 0 &&
	    native_allocs_live() != fuzz_live_at_start) {
		fprintf(stderr, "%ld allocations leaked over the last %d inputs\n",
			native_allocs_live() - fuzz_live_at_start,
			NATIVE_FUZZ_RECLAIM);
		abort();
	}
}

/*
 * The keys of the fuzzers: key @id (below 256) is @id followed by fixed
 * bytes, so that a key read back from a table names its id, or is not a
 * key that was ever written (-1).
 */
static inline void fuzz_make_key(u8 *key, u32 key_size, u32 id)
{
	u32 i;

	key[0] = id;
	for (i = 1; i < key_size; i++)
		key[i] = (u8)(i * 29 + 3);
}

static inline int fuzz_key_id(const u8 *key, u32 key_size, u32 nr_ids)
{
	u8 want[64];

	fuzz_make_key(want, key_size, key[0]);
	if (key[0] >= nr_ids || memcmp(key, want, key_size))
		return -1;
	return key[0];
}

/*
 * What an update in @mode must return, single-threaded, for a key that is
 * @present or not, in a table that is @full (never, for the LRU table).
 */
static inline int fuzz_update_want(u32 mode, bool present, bool full)
{
	if (mode > RCUMAP_EXIST)
		return -EINVAL;
	if (mode == RCUMAP_NOEXIST && present)
		return -EEXIST;
	if (mode == RCUMAP_EXIST && !present)
		return -ENOENT;
	if (!present && full)
		return -E2BIG;
	return 0;
}

/*
 * A hash-like table's two walks, get_next_key() and the positional one,
 * each as (table, key or pos, key, value) wrappers around its API.
 */
struct fuzz_walks {
	int (*get_next_key)(const void *map, const void *key, void *next);
	int (*walk)(const void *map, u64 *pos, void *key, void *value);
};

/*
 * The model of a hash-like table: of keys 0 to @nr_ids - 1, which are
 * @present, and each one's value at @values + id * @stride, @value_size
 * bytes of it compared.
 */
struct fuzz_model {
	u32 nr_ids, count, key_size;
	const bool *present;
	const u8 *values;
	size_t stride, value_size;
};

/*
 * Both walks return every key of the model exactly once, and the
 * positional one its value; nothing else.  @buf holds a value.
 */
static inline void fuzz_check_walks(const struct fuzz_walks *w,
				    const void *map,
				    const struct fuzz_model *m, u8 *buf)
{
	u8 key[64], next[64], seen[256] = { 0 };
	u32 n = 0, id;
	u64 pos = 0;
	int err, k;

	err = w->get_next_key(map, NULL, next);
	while (!err) {
		k = fuzz_key_id(next, m->key_size, m->nr_ids);
		CHECK(k >= 0 && m->present[k] && !(seen[k] & 1));
		seen[k] |= 1;
		CHECK(++n <= m->count);
		memcpy(key, next, m->key_size);
		err = w->get_next_key(map, key, next);
	}
	CHECK(err == -ENOENT && n == m->count);
	n = 0;
	do {
		err = w->walk(map, &pos, key, buf);
		if (err)
			continue;
		k = fuzz_key_id(key, m->key_size, m->nr_ids);
		CHECK(k >= 0 && m->present[k] && !(seen[k] & 2));
		CHECK(!memcmp(buf, m->values + k * m->stride, m->value_size));
		seen[k] |= 2;
		CHECK(++n <= m->count);
	} while (!err || err == -EAGAIN);
	CHECK(err == -ENOENT && n == m->count);
	for (id = 0; id < m->nr_ids; id++)
		CHECK(!m->present[id] || seen[id] == 3);
}

#endif /* _NATIVE_FUZZ_H */
