// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrent stress test of kmod/hash.c, for plain, TSan and ASan builds.
 *
 * Churn: writers own disjoint keys (id % writers), so each knows exactly
 * what its keys hold and checks every result; they insert, replace and
 * delete with allocation failures injected.  Readers look keys up inside
 * rcu_read_lock() and check each value they see: it names its key, all of
 * its words agree (never half an update), it does not change while they
 * hold it, and a key's version never goes backwards.  A walker runs
 * get_next_key(), walk() and the ordered walk_after() (which must never
 * return a key twice) meanwhile, and a resizer changes the bucket count
 * without pause.  At the end the table must hold exactly what the writers
 * think.
 *
 * Then two races with exact answers: takers that lookup_and_delete the same
 * keys (each key taken once), and fillers that insert into a table with
 * max_entries slots (exactly max_entries succeed).
 *
 * Usage: stress_hash [seconds]
 */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/rcumap_hash.h>
#include <linux/processor.h>
#include <linux/rcupdate.h>

#include "harness.h"
#include "walk.h"

#define NR_IDS		1024
#define MAX_WORDS	32

struct config {
	u32 key_size, value_size, nr_buckets;
};

static const struct config configs[] = {
	{ 8, 32, 64 },		/* long buckets, the jhash_2words path */
	{ 13, 24, 1024 },	/* short buckets, jhash() and memcmp() */
	/* Two keys short of the bound per bucket on average: some fill up. */
	{ 4, 64, 2 * NR_IDS / RCUMAP_HASH_BUCKET_MAX },
	/* Out of line (more than RCUMAP_HASH_INLINE_MAX bytes): elements. */
	{ 16, 200, 64 },
};

static struct rcumap_hash *table;
static const struct config *cfg;
static bool stop;
static int nr_writers;
static long errors;

#define FAIL(...) do {							\
	fprintf(stderr, __VA_ARGS__);					\
	__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);		\
} while (0)

static void make_key(u8 *key, u32 id)
{
	u32 i;

	for (i = 0; i < cfg->key_size; i++)
		key[i] = i < 4 ? id >> (8 * i) : (u8)(id * 7 + i);
}

static void make_value(u64 *value, u32 id, u64 version)
{
	u32 i, n = cfg->value_size / 8;

	value[0] = id;
	value[1] = version;
	for (i = 2; i < n; i++)
		value[i] = mix64(id, version * MAX_WORDS + i);
}

/* Check a value seen for @id; returns its version, or 0 if corrupt. */
static u64 check_value(const u64 *value, u32 id)
{
	u64 want[MAX_WORDS];

	make_value(want, id, value[1]);
	if (memcmp(value, want, cfg->value_size)) {
		FAIL("value of key %u is corrupt: %llx %llx %llx\n", id,
		     (unsigned long long)value[0], (unsigned long long)value[1],
		     (unsigned long long)value[2]);
		return 0;
	}
	return value[1];
}

static bool running(void)
{
	return !__atomic_load_n(&stop, __ATOMIC_RELAXED);
}

struct writer {
	int index;
	pthread_t thread;
	bool present[NR_IDS];
	u64 version[NR_IDS];
	u64 ops;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	u64 rng = 0x9e3779b9 * (w->index + 1), value[MAX_WORDS], got[MAX_WORDS];
	u8 key[16];

	/* Half a percent of all allocations fail: -ENOMEM or dead entries. */
	native_fail_alloc_rate(5000, false);
	while (running()) {
		u32 id = rnd_below(&rng, NR_IDS / nr_writers) * nr_writers +
			 w->index;
		u32 op = rnd_below(&rng, 20);
		bool present = w->present[id];
		int err;

		make_key(key, id);
		w->ops++;
		if (op < 10) {
			u32 mode = op < 6 ? RCUMAP_ANY : op < 8 ? RCUMAP_NOEXIST :
				   RCUMAP_EXIST;

			make_value(value, id, w->version[id] + 1);
			err = rcumap_hash_update(table, key, value, mode,
						 GFP_KERNEL);
			if (err == -ENOMEM || (err == -ENOSPC && !present &&
					       mode != RCUMAP_EXIST)) {
				/* Unchanged (or the bucket is full): check below. */
			} else if (mode == RCUMAP_NOEXIST && present) {
				if (err != -EEXIST)
					FAIL("NOEXIST on present key: %d\n", err);
			} else if (mode == RCUMAP_EXIST && !present) {
				if (err != -ENOENT)
					FAIL("EXIST on absent key: %d\n", err);
			} else if (err) {
				FAIL("update failed: %d\n", err);
			} else {
				w->version[id]++;
				w->present[id] = true;
			}
		} else if (op < 15) {
			err = rcumap_hash_delete(table, key);
			if (err != (present ? 0 : -ENOENT))
				FAIL("delete: %d, present %d\n", err, present);
			w->present[id] = false;
		} else if (op < 17) {
			err = rcumap_hash_lookup_and_delete(table, key, got);
			if (err != (present ? 0 : -ENOENT))
				FAIL("lookup_and_delete: %d, present %d\n", err,
				     present);
			if (!err && check_value(got, id) != w->version[id])
				FAIL("lookup_and_delete: stale value\n");
			w->present[id] = false;
		} else {
			err = rcumap_hash_lookup_copy(table, key, got);
			if (err != (w->present[id] ? 0 : -ENOENT))
				FAIL("lookup_copy by owner: %d\n", err);
			if (!err && check_value(got, id) != w->version[id])
				FAIL("lookup_copy by owner: stale value\n");
		}
	}
	native_fail_alloc_rate(0, false);
	return NULL;
}

struct reader {
	pthread_t thread;
	u64 last_version[NR_IDS];
	u64 ops, hits;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	u64 rng = (u64)(unsigned long)r | 1, copy[MAX_WORDS];
	u8 key[16];

	while (running()) {
		u32 id = rnd_below(&rng, NR_IDS);
		const u64 *v;

		make_key(key, id);
		r->ops++;
		rcu_read_lock();
		v = rcumap_hash_lookup(table, key);
		if (v) {
			u64 version = check_value(v, id);

			r->hits++;
			if (version < r->last_version[id])
				FAIL("key %u went back from version %llu to %llu\n",
				     id, (unsigned long long)r->last_version[id],
				     (unsigned long long)version);
			r->last_version[id] = version;
			memcpy(copy, v, cfg->value_size);
			/* Give writers time to replace and delete it. */
			if (!(r->ops & 15)) {
				int i;

				for (i = 0; i < 200; i++)
					cpu_relax();
				if (memcmp(copy, v, cfg->value_size))
					FAIL("value of key %u changed under a reader\n",
					     id);
			}
		}
		rcu_read_unlock();
		if (!(r->ops & 63) && !rcumap_hash_lookup_copy(table, key, copy))
			check_value(copy, id);
	}
	return NULL;
}

static u32 key_id(const u8 *key)
{
	u32 id = 0, i;

	for (i = 0; i < 4 && i < cfg->key_size; i++)
		id |= (u32)key[i] << (8 * i);
	return id;
}

static void *walker_fn(void *arg)
{
	u64 *walks = arg, value[MAX_WORDS];
	u8 key[16], next[16], seen[NR_IDS];

	while (running()) {
		u32 steps = 0;
		u64 pos = 0;
		int err;

		err = rcumap_hash_get_next_key(table, NULL, next);
		while (!err && steps++ < 2 * NR_IDS) {
			if (key_id(next) >= NR_IDS)
				FAIL("get_next_key returned a stranger\n");
			memcpy(key, next, cfg->key_size);
			err = rcumap_hash_get_next_key(table, key, next);
		}
		while (!walk_next(table, &pos, key, value)) {
			if (key_id(key) >= NR_IDS || key_id(key) != value[0])
				FAIL("walk returned a stranger\n");
			else
				check_value(value, key_id(key));
		}
		memset(seen, 0, sizeof(seen));
		err = rcumap_hash_walk_after(table, NULL, next, value);
		while (!err) {
			u32 id = key_id(next);

			if (id >= NR_IDS || id != value[0] || seen[id]++) {
				FAIL("walk_after returned a stranger or a key twice\n");
				break;
			}
			check_value(value, id);
			memcpy(key, next, cfg->key_size);
			err = rcumap_hash_walk_after(table, key, next, value);
		}
		if (rcumap_hash_count(table) > NR_IDS)
			FAIL("count above the number of keys\n");
		rcumap_hash_bytes_used(table);
		(*walks)++;
	}
	return NULL;
}

static void *resizer_fn(void *arg)
{
	u64 *resizes = arg, rnd = 1;

	while (running()) {
		/*
		 * 32 to 1024 buckets.  A shrink may find two buckets that do
		 * not fit in one within the bound; nothing else may fail.
		 */
		u32 nr = 32U << (mix64(rnd++, 99) % 6);
		u32 before = rcumap_hash_nr_buckets(table);
		int err = rcumap_hash_resize(table, nr);

		if (err == -ENOSPC && nr < before)
			continue;
		if (err)
			FAIL("resize to %u: %d\n", nr, err);
		else if (rcumap_hash_nr_buckets(table) != nr)
			FAIL("resize to %u left %u buckets\n", nr,
			     rcumap_hash_nr_buckets(table));
		(*resizes)++;
	}
	return NULL;
}

static void churn(double seconds, int readers, int writers)
{
	struct writer *w = calloc(writers, sizeof(*w));
	struct reader *r = calloc(readers, sizeof(*r));
	u64 walks = 0, reads = 0, hits = 0, writes = 0, value[MAX_WORDS];
	struct rcumap_hash_params p = {
		.key_size = cfg->key_size,
		.value_size = cfg->value_size,
		.max_entries = NR_IDS,
		.nr_buckets = cfg->nr_buckets,
	};
	long live = native_allocs_live();
	pthread_t walker, resizer;
	u64 resizes = 0;
	u32 id, expected = 0;
	u8 key[16];
	int i;

	table = rcumap_hash_create(&p, GFP_KERNEL);
	if (IS_ERR(table))
		abort();
	nr_writers = writers;
	stop = false;
	for (i = 0; i < writers; i++) {
		w[i].index = i;
		native_thread_create(&w[i].thread, writer_fn, &w[i]);
	}
	for (i = 0; i < readers; i++)
		native_thread_create(&r[i].thread, reader_fn, &r[i]);
	native_thread_create(&walker, walker_fn, &walks);
	native_thread_create(&resizer, resizer_fn, &resizes);
	usleep(seconds * 1e6);
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	for (i = 0; i < writers; i++) {
		pthread_join(w[i].thread, NULL);
		writes += w[i].ops;
	}
	for (i = 0; i < readers; i++) {
		pthread_join(r[i].thread, NULL);
		reads += r[i].ops;
		hits += r[i].hits;
	}
	pthread_join(walker, NULL);
	pthread_join(resizer, NULL);

	/* Quiescent: the table is exactly what the writers think. */
	for (id = 0; id < NR_IDS; id++) {
		struct writer *o = &w[id % writers];
		int err;

		make_key(key, id);
		err = rcumap_hash_lookup_copy(table, key, value);
		if (err != (o->present[id] ? 0 : -ENOENT))
			FAIL("final state of key %u: %d\n", id, err);
		if (!err && check_value(value, id) != o->version[id])
			FAIL("final value of key %u is stale\n", id);
		expected += o->present[id];
	}
	if (rcumap_hash_count(table) != expected)
		FAIL("final count %u, expected %u\n", rcumap_hash_count(table),
		     expected);
	printf("# key %u value %u buckets %u: %llu writes, %llu reads (%llu hits), %llu walks, %llu resizes\n",
	       cfg->key_size, cfg->value_size, cfg->nr_buckets,
	       (unsigned long long)writes, (unsigned long long)reads,
	       (unsigned long long)hits, (unsigned long long)walks,
	       (unsigned long long)resizes);
	rcumap_hash_destroy(table);
	native_barrier();
	if (live >= 0 && native_allocs_live() != live)
		FAIL("%ld allocations leaked\n", native_allocs_live() - live);
	free(w);
	free(r);
}

/* ---- Exact races -------------------------------------------------- */

static u8 taken[NR_IDS];
static u64 taker_wins[4];

static void *taker_fn(void *arg)
{
	long index = (long)arg;
	u64 rng = 77 + index, value[MAX_WORDS];
	u32 start = rnd_below(&rng, NR_IDS), i;
	u8 key[16];

	for (i = 0; i < NR_IDS; i++) {
		u32 id = (start + (index & 1 ? i : NR_IDS - i)) % NR_IDS;

		make_key(key, id);
		if (rcumap_hash_lookup_and_delete(table, key, value))
			continue;
		if (check_value(value, id) != 1)
			FAIL("taker got a wrong value\n");
		if (__atomic_fetch_add(&taken[id], 1, __ATOMIC_RELAXED))
			FAIL("key %u taken twice\n", id);
		taker_wins[index]++;
	}
	return NULL;
}

static u64 filler_wins[4];

static void *filler_fn(void *arg)
{
	long index = (long)arg;
	u64 value[MAX_WORDS];
	u32 id;
	u8 key[16];

	for (id = 0; id < NR_IDS; id++) {
		u32 k = (id * 7 + index * 3) % NR_IDS;
		int err;

		make_key(key, k);
		make_value(value, k, 1);
		err = rcumap_hash_update(table, key, value, RCUMAP_NOEXIST,
					 GFP_KERNEL);
		if (!err)
			filler_wins[index]++;
		else if (err != -EEXIST && err != -E2BIG && err != -ENOSPC)
			FAIL("filler: %d\n", err);
	}
	return NULL;
}

static void races(void)
{
	struct rcumap_hash_params p = {
		.key_size = cfg->key_size,
		.value_size = cfg->value_size,
		.max_entries = NR_IDS,
		.nr_buckets = cfg->nr_buckets,
	};
	long live = native_allocs_live();
	u64 value[MAX_WORDS], wins = 0;
	pthread_t t[4];
	u8 key[16];
	long i;
	u32 id;

	table = rcumap_hash_create(&p, GFP_KERNEL);
	if (IS_ERR(table))
		abort();
	for (id = 0; id < NR_IDS; id++) {
		make_key(key, id);
		make_value(value, id, 1);
		if (rcumap_hash_update(table, key, value, RCUMAP_NOEXIST,
				       GFP_KERNEL))
			FAIL("set-up insert failed\n");
	}
	memset(taken, 0, sizeof(taken));
	memset(taker_wins, 0, sizeof(taker_wins));
	for (i = 0; i < 4; i++)
		native_thread_create(&t[i], taker_fn, (void *)i);
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		wins += taker_wins[i];
	}
	if (wins != NR_IDS || rcumap_hash_count(table) != 0)
		FAIL("takers took %llu of %u keys, %u left\n",
		     (unsigned long long)wins, NR_IDS, rcumap_hash_count(table));
	rcumap_hash_destroy(table);

	p.max_entries = NR_IDS / 3;
	table = rcumap_hash_create(&p, GFP_KERNEL);
	if (IS_ERR(table))
		abort();
	memset(filler_wins, 0, sizeof(filler_wins));
	for (i = 0; i < 4; i++)
		native_thread_create(&t[i], filler_fn, (void *)i);
	wins = 0;
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		wins += filler_wins[i];
	}
	if (wins != p.max_entries || rcumap_hash_count(table) != p.max_entries)
		FAIL("fillers inserted %llu, count %u, max_entries %u\n",
		     (unsigned long long)wins, rcumap_hash_count(table),
		     p.max_entries);
	rcumap_hash_destroy(table);
	native_barrier();
	if (live >= 0 && native_allocs_live() != live)
		FAIL("%ld allocations leaked\n", native_allocs_live() - live);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3;
	size_t c;

	native_init();
	for (c = 0; c < ARRAY_SIZE(configs); c++) {
		long before = errors;

		cfg = &configs[c];
		churn(seconds / ARRAY_SIZE(configs), 2, 2);
		races();
		printf("%s %zu - churn and races, key %u value %u buckets %u\n",
		       errors == before ? "ok" : "not ok", c + 1,
		       cfg->key_size, cfg->value_size, cfg->nr_buckets);
	}
	native_exit();
	if (native_warnings)
		FAIL("%ld warnings\n", native_warnings);
	printf("# stress_hash: %ld errors\n", errors);
	return errors ? 1 : 0;
}
