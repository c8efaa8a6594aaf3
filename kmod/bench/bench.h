/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rcumap_bench.ko: rcumap's maps against the kernel's own peers, side by
 * side in one run.  What its files share.
 *
 * The files: main.c (the module parameters, module init, which runs every
 * benchmark asked for), harness.c (the kthreads, their start and stop,
 * the timing and the result lines), the scenarios (run_hash.c: hash
 * tables, memory, resizing, per-CPU counters, LRU; run_ptab.c: process
 * tables; worst.c: single-operation latency and the process table's
 * costs), and one file per table under test, each behind a struct
 * bench_ops: bench_rcumap.c (rcumap_hash, and the "atomic" counter
 * table), bench_lru.c, bench_percpu.c, bench_ptab.c (rcumap's maps),
 * bench_rhashtable.c, bench_hlist.c (spinlock, rwlock, bucketlock),
 * bench_floor.c, bench_xarray.c, bench_idr.c (the peers).
 *
 * Hash tables: rcumap_hash against rhashtable, a table of hlists under
 * one spinlock, the same under one rwlock, the same with a spinlock per
 * bucket, and an unsynchronized open-addressing table driven by one
 * thread as the cost floor.  Process tables: rcumap_ptab against
 * XArray (xa_alloc_cyclic(), xa_load(), xa_erase()) and IDR under a
 * spinlock, the pid allocator's pattern (idr_alloc_cyclic(), idr_find(),
 * idr_remove()).  The hash variants: per-CPU counters in
 * rcumap_percpu_hash against an atomic64_t per key reached through
 * rcumap_hash or rhashtable (map "counter"), and rcumap_lru_hash lookups
 * against rcumap_hash lookups, and its inserts with eviction (map "lru").
 *
 * Conventions: @t is one benchmark thread, @run the measurement it takes
 * part in, @map the table under test (what the implementation's create
 * returned), @key points at key_size bytes and @value at value_size bytes.
 * A key is made from an index below the table's entry count: the index,
 * as a u32 or u64, then zeros.
 *
 * Threads: one kthread per CPU in use, bound to it, created and woken
 * before the measurement and held at a completion; module init releases
 * them all at once and each runs to the same deadline in batches, calling
 * cond_resched() between batches.  A thread counts its own operations; the
 * sums are taken when all have finished.  Updating threads touch disjoint
 * key spaces (index mod threads), so no update ever fails for a reason
 * other than memory.
 *
 * Locking: every implementation takes its own locks; the peers' are
 * described where they are defined.  Module init runs everything in
 * process context.
 *
 * Output, to the kernel log at KERN_INFO, for the host to collect:
 *	RCUMAP_BENCH_CONFIG,key_size,value_size,ms,cpus
 *	RCUMAP_BENCH,map,workload,impl,entries,threads,round,ops,ns,ops_per_sec,errors
 *	RCUMAP_MEM,map,impl,entries,bytes
 *	RCUMAP_PTAB_COST,capacity,full_pct,ids_per_insert_x100,
 *		walk_ns_per_obj,walk_loads_per_obj_x100,
 *		fresh_walk_ns_per_obj,fresh_walk_loads_per_obj_x100
 *	RCUMAP_LAT,op,geometry,entries,value_size,samples,mean_ns,p50_ns,
 *		p99_ns,p999_ns,max_ns,errors,switched,interrupted,quiet,
 *		quiet_p99_ns,quiet_p999_ns,quiet_max_ns
 *	RCUMAP_BENCH_DONE,error
 * ns is the longest any thread ran; ops_per_sec sums each thread's own
 * rate; errors counts operations that failed and lookups of keys that
 * had to be present but were not.
 */
#ifndef _RCUMAP_BENCH_H
#define _RCUMAP_BENCH_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rcumap_hash.h>
#include <linux/rcumap_hash_lru.h>
#include <linux/rcumap_hash_percpu.h>
#include <linux/rcumap_ptab.h>

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/jhash.h>
#include <linux/kernel_stat.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable.h>
#include <linux/sizes.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

/* Limits of the parameters. */
#define BENCH_MAX_KEY_SIZE	64
#define BENCH_MAX_VALUE_SIZE	512
#define BENCH_MAX_LIST		8
#define BENCH_MAX_ENTRIES	SZ_4M

/* Operations between two looks at the clock. */
#define BENCH_BATCH		64

/*
 * Worst-case benchmark: samples of each operation taken in one go; the
 * least worst_samples there can be.
 */
#define BENCH_WORST_CHUNK	16

/* ---- Parameters: main.c ----------------------------------------------- */

extern unsigned int bench_key_size;
extern unsigned int bench_value_size;
extern unsigned int bench_threads[BENCH_MAX_LIST];
extern int bench_nr_threads;
extern unsigned int bench_ms;
extern unsigned int bench_rounds;
extern unsigned int bench_read_pct[BENCH_MAX_LIST];
extern int bench_nr_read_pct;
extern unsigned int bench_ptab_read_pct;
extern unsigned int bench_resize_ms;
extern unsigned int bench_worst_entries;
extern unsigned int bench_worst_samples;
extern unsigned int bench_worst_delay_us;
extern unsigned int bench_worst_ms;
extern char *bench_impls;

/* ---- Keys, hashes, random numbers ------------------------------------- */

static inline u32 bench_key_stride(void)
{
	return ALIGN(bench_key_size, 8);
}

static inline void bench_make_key(void *key, u32 index)
{
	if (bench_key_size >= 8)
		*(u64 *)key = index;
	else
		*(u32 *)key = index;
}

/* Both keys are 8-byte aligned. */
static __always_inline bool bench_key_equal(const void *a, const void *b)
{
	switch (bench_key_size) {
	case 4:
		return *(const u32 *)a == *(const u32 *)b;
	case 8:
		return *(const u64 *)a == *(const u64 *)b;
	default:
		return !memcmp(a, b, bench_key_size);
	}
}

/* The hash rcumap uses, so that the peers that hash alike pay alike. */
static __always_inline u32 bench_hash(const void *key, u32 seed)
{
	switch (bench_key_size) {
	case 4:
		return jhash_1word(*(const u32 *)key, seed);
	case 8:
		return jhash_2words(((const u32 *)key)[0], ((const u32 *)key)[1],
				    seed);
	default:
		return jhash(key, bench_key_size, seed);
	}
}

/* xorshift64*: cheap, and good enough to pick keys. */
static inline u64 bench_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* A number below @n from 32 random bits, without a division. */
static inline u32 bench_below(u32 r, u32 n)
{
	return (u32)(((u64)r * n) >> 32);
}

/* ---- Threads ---------------------------------------------------------- */

struct bench_run;

/**
 * struct bench_thread - One benchmark kthread and what it counted.
 * @task: The kthread.
 * @run: The measurement it takes part in.
 * @index: 0 to the number of threads - 1; the thread's key space.
 * @rng: State of its random numbers.
 * @ops: Operations it completed.
 * @ns: Time from the release to its last operation.
 * @hits: Lookups that found their key.
 * @errors: Operations that failed.
 * @pending: A key index it deleted and will insert next, or %U32_MAX.
 * @sink: Values read, summed, so that no read is optimised away.
 * @key: Key buffer.
 * @value: Value buffer.
 */
struct bench_thread {
	struct task_struct *task;
	struct bench_run *run;
	u32 index;
	u64 rng;
	u64 ops;
	u64 ns;
	u64 hits;
	u64 errors;
	u32 pending;
	u64 sink;
	u8 key[BENCH_MAX_KEY_SIZE] __aligned(8);
	u8 value[BENCH_MAX_VALUE_SIZE] __aligned(8);
} ____cacheline_aligned_in_smp;

/**
 * struct bench_run - One measurement: a workload, a map, some threads.
 * @work: What each thread runs until the deadline.
 * @side: Resize benchmark: what thread 0 runs (resizes, or nothing).
 * @lookups: Resize benchmark: what the other threads run.
 * @ms: Duration, if not @ms (the module parameter).
 * @map: The map under test.
 * @nr_threads: Threads taking part.
 * @entries: Keys (or ids) in the map.
 * @read_thresh: A random u32 below this picks a lookup; 2^32 for all.
 * @hot: Process tables: every lookup is of the first id.
 * @key_base: LRU inserts: the first key index not inserted yet.
 * @start_ns: When the threads were released.
 * @deadline_ns: When they stop.
 * @start: Completed to release the threads.
 * @done: Completed by the last thread to finish.
 * @running: Threads not yet finished.
 * @t: The threads.
 */
struct bench_run {
	void (*work)(struct bench_thread *t);
	void (*side)(struct bench_thread *t);
	void (*lookups)(struct bench_thread *t);
	u32 ms;
	void *map;
	u32 nr_threads;
	u32 entries;
	u64 read_thresh;
	bool hot;
	u32 key_base;
	u64 start_ns;
	u64 deadline_ns;
	struct completion start;
	struct completion done;
	atomic_t running;
	struct bench_thread *t;
};

/* ---- Hash tables: the common loop ------------------------------------- */

/* Keys owned by thread @t: index mod threads == t->index. */
static inline u32 bench_own_key(const struct bench_thread *t, u32 r)
{
	u32 n = t->run->nr_threads;
	u32 owned = (t->run->entries - t->index + n - 1) / n;

	return bench_below(r, owned) * n + t->index;
}

/* Insert back the thread's key that is out of the table, if one is. */
static __always_inline void
bench_hash_put_back(struct bench_thread *t,
		    int (*insert)(void *map, const void *key,
				  const void *value))
{
	if (t->pending == U32_MAX)
		return;
	bench_make_key(t->key, t->pending);
	if (insert(t->run->map, t->key, t->value))
		t->errors++;
	else
		t->pending = U32_MAX;
}

/*
 * The update of bench_hash_loop(), @r its random draw: insert back the
 * thread's key that is out of the table, or else delete one of its own
 * keys, so that the table stays full to within one key per thread.
 */
static __always_inline void
bench_hash_write(struct bench_thread *t, u64 r,
		 int (*insert)(void *map, const void *key, const void *value),
		 int (*remove)(void *map, const void *key))
{
	if (t->pending != U32_MAX) {
		bench_hash_put_back(t, insert);
	} else {
		u32 k = bench_own_key(t, r >> 32);

		bench_make_key(t->key, k);
		if (remove(t->run->map, t->key))
			t->errors++;
		else
			t->pending = k;
	}
}

/*
 * The loop every hash table runs: lookups of random keys, and updates of
 * the thread's own keys, alternately deleting one and inserting it back,
 * so that the table stays full to within one key per thread.  Called
 * with constant function pointers, which the compiler turns into direct
 * (usually inlined) calls.
 */
static __always_inline void
bench_hash_loop(struct bench_thread *t,
		bool (*lookup)(void *map, const void *key, void *value),
		int (*insert)(void *map, const void *key, const void *value),
		int (*remove)(void *map, const void *key))
{
	struct bench_run *run = t->run;
	void *map = run->map;
	u64 ops = 0;
	u32 i;

	do {
		for (i = 0; i < BENCH_BATCH; i++) {
			u64 r = bench_rand(&t->rng);

			if ((u32)r < run->read_thresh) {
				bench_make_key(t->key,
					       bench_below(r >> 32, run->entries));
				t->hits += lookup(map, t->key, t->value);
				continue;
			}
			bench_hash_write(t, r, insert, remove);
		}
		ops += BENCH_BATCH;
		cond_resched();
	} while (ktime_get_ns() < run->deadline_ns);
	t->ops = ops;

	/* Leave the table full for the next measurement (not timed). */
	bench_hash_put_back(t, insert);
}

/* ---- Counter tables --------------------------------------------------- */

/* The loop of every counter table: @inc finds a key and counts one. */
static __always_inline void
bench_counter_loop(struct bench_thread *t, bool (*inc)(void *map, u64 key))
{
	struct bench_run *run = t->run;
	void *map = run->map;
	u64 ops = 0;
	u32 i;

	do {
		for (i = 0; i < BENCH_BATCH; i++) {
			u64 r = bench_rand(&t->rng);

			t->hits += inc(map, bench_below(r >> 32, run->entries));
		}
		ops += BENCH_BATCH;
		cond_resched();
	} while (ktime_get_ns() < run->deadline_ns);
	t->ops = ops;
}

/* ---- Process tables --------------------------------------------------- */

/*
 * An object in a process table.  Lookups read @value under the RCU read
 * lock, so a removed object is freed with kfree_rcu() in every table.
 */
struct bench_pobj {
	struct rcumap_ptab_node node;	/* rcumap_ptab only */
	struct rcu_head rcu;
	u64 value;
};

/**
 * struct bench_pmap - A process table and the ids live in it.
 * @map: The table.
 * @ids: @entries live ids: threads look up any, and replace their own
 *	(index mod threads) with WRITE_ONCE().
 * @entries: Number of live ids.
 */
struct bench_pmap {
	void *map;
	u64 *ids;
	u32 entries;
};

/*
 * The loop every process table runs: lookups of random live ids (of the
 * first id only, for the hot workload), and churn: remove one of the
 * thread's own ids, insert a new object, remember its id.  A churn
 * counts as one operation.
 */
static __always_inline void
bench_ptab_loop(struct bench_thread *t,
		bool (*lookup)(void *map, u64 id, u64 *value),
		int (*insert)(void *map, struct bench_pobj *obj, u64 *id),
		struct bench_pobj *(*remove)(void *map, u64 id))
{
	struct bench_run *run = t->run;
	struct bench_pmap *pm = run->map;
	u64 ops = 0, value;
	u32 i;

	do {
		for (i = 0; i < BENCH_BATCH; i++) {
			u64 r = bench_rand(&t->rng);
			struct bench_pobj *obj;
			u32 k;

			if ((u32)r < run->read_thresh) {
				k = run->hot ? 0 : bench_below(r >> 32,
							       pm->entries);
				if (lookup(pm->map, READ_ONCE(pm->ids[k]),
					   &value)) {
					t->hits++;
					t->sink += value;
				}
				continue;
			}
			k = bench_own_key(t, r >> 32);
			obj = remove(pm->map, pm->ids[k]);
			if (!obj) {
				t->errors++;
				continue;
			}
			/* Lookups may have found it: wait for them. */
			kfree_rcu(obj, rcu);
			obj = kmalloc(sizeof(*obj), GFP_KERNEL);
			if (!obj) {
				t->errors++;
				continue;
			}
			obj->value = r;
			if (insert(pm->map, obj, &pm->ids[k])) {
				kfree(obj);
				t->errors++;
			}
		}
		ops += BENCH_BATCH;
		cond_resched();
	} while (ktime_get_ns() < run->deadline_ns);
	t->ops = ops;
}

/* ---- The tables under test ------------------------------------------- */

/**
 * struct bench_ops - A table under test, as one scenario drives it.
 * @name: Its name in the output (the impl field).
 * @single: Unsynchronized: measured with one thread only.
 * @create: Make a table for @entries keys or ids: empty (hash and process
 *	tables), or holding keys 0 to @entries - 1 at zero (counter tables).
 * @destroy: Free a table and everything in it.  No thread uses it.
 * @work: The thread loop: bench_hash_loop(), bench_counter_loop() or
 *	bench_ptab_loop() with the table's own functions, which the compiler
 *	inlines into it.
 *
 * Hash tables (map=hash and mem, the LRU's lookups, map=resize):
 * @insert: Insert a key that is not present (used to fill the table).
 * @bytes: Memory the table and its entries take.
 * @settle: If not NULL, called once the table is filled: wait for
 *	background work (rhashtable's resizing) to finish.
 * @resize: If not NULL, the table is in the resize benchmark, and this is
 *	what thread 0 runs to keep it resizing.
 * @resize_what: What one of @resize's operations is, for the log.
 * @create_resizing: If not NULL, @create for the resize benchmark.
 * @resize_cost: If not NULL, measure what a resize costs, alone, on a
 *	table of @entries keys, and print it.
 * @report: If not NULL, print what the table counted (LRU evictions).
 *
 * Counter tables (map=hash, impl=counter):
 * @sum: The sum of every key's counter.
 *
 * Process tables (map=ptab):
 * @id_insert: Insert @obj; set *@id.
 * @id_remove: Remove the object of @id and return it, or NULL.
 */
struct bench_ops {
	const char *name;
	bool single;
	void *(*create)(u32 entries);
	void (*destroy)(void *map);
	void (*work)(struct bench_thread *t);

	int (*insert)(void *map, const void *key, const void *value);
	size_t (*bytes)(void *map, u32 entries);
	void (*settle)(void *map);
	void (*resize)(struct bench_thread *t);
	const char *resize_what;
	void *(*create_resizing)(u32 entries);
	int (*resize_cost)(void *map, u32 entries, u32 round);
	void (*report)(void *map, u32 entries);

	u64 (*sum)(void *map, u32 entries);

	int (*id_insert)(void *map, struct bench_pobj *obj, u64 *id);
	struct bench_pobj *(*id_remove)(void *map, u64 id);
};

/* Hash tables, in the order they are measured. */
extern const struct bench_ops bench_rcumap_ops;		/* bench_rcumap.c */
extern const struct bench_ops bench_rcumap_bulk_ops;	/* bench_rcumap.c */
extern const struct bench_ops bench_rht_ops;		/* bench_rhashtable.c */
extern const struct bench_ops bench_spinlock_ops;	/* bench_hlist.c */
extern const struct bench_ops bench_rwlock_ops;		/* bench_hlist.c */
extern const struct bench_ops bench_bucketlock_ops;	/* bench_hlist.c */
extern const struct bench_ops bench_floor_ops;		/* bench_floor.c */

/* The LRU hash table: lookups, and inserts with eviction (bench_lru.c). */
extern const struct bench_ops bench_lru_ops;
extern const struct bench_ops bench_lru_evict_ops;

/* Counter tables. */
extern const struct bench_ops bench_percpu_ops;		/* bench_percpu.c */
extern const struct bench_ops bench_atomic_ops;		/* bench_rcumap.c */
extern const struct bench_ops bench_rht_atomic_ops;	/* bench_rhashtable.c */

/* Process tables. */
extern const struct bench_ops bench_rptab_ops;		/* bench_ptab.c */
extern const struct bench_ops bench_xarray_ops;		/* bench_xarray.c */
extern const struct bench_ops bench_idr_ops;		/* bench_idr.c */

/* ---- The harness: harness.c ------------------------------------------ */

bool bench_listed(const char *list, const char *name);
size_t bench_kv_bytes(const void *p, size_t size);
u32 bench_thread_count(int i);
int bench_nr_thread_counts(void);
void bench_threads_init(struct bench_run *run, struct bench_thread *t, u32 n);
int bench_run_threads(struct bench_run *run);
u64 bench_report(const struct bench_run *run, const char *map_name,
		 const char *workload, const char *impl_name, u32 round,
		 bool expect_hits_all);
void *bench_hash_fill(const struct bench_ops *ops,
		      void *(*create)(u32 entries), u32 nr);

/* ---- The scenarios ---------------------------------------------------- */

int bench_hash_size(u32 nr, bool timed, struct bench_thread *t);
int bench_resize_size(u32 nr, struct bench_thread *t);
int bench_counter_run(u32 nr, struct bench_thread *t);
int bench_lru_run(u32 nr, struct bench_thread *t);
int bench_ptab_size(u32 nr, struct bench_thread *t);
int bench_ptab_cost(u32 capacity, u32 pct);
int bench_worst_size(u32 vsize, struct bench_thread *t);

#endif /* _RCUMAP_BENCH_H */
