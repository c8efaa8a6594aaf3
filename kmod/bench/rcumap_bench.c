// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_bench.ko: rcumap's maps against the kernel's own peers, side by
 * side in one run.
 *
 * Loading the module runs the whole benchmark from module init and prints
 * one line per measurement; the module then stays loaded, idle, until it
 * is removed.  If any operation failed, init returns -EIO instead.
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

/* ---- Parameters ------------------------------------------------------- */

static unsigned int entries[BENCH_MAX_LIST] = { 1024, 65536, 1048576 };
static int nr_entries = 3;
module_param_array(entries, uint, &nr_entries, 0444);
MODULE_PARM_DESC(entries,
		 "Hash table sizes in entries, each measured with every mix (default 1024,65536,1048576)");

static unsigned int mem_entries[BENCH_MAX_LIST] = { 1024, 65536, 1048576 };
static int nr_mem_entries = 3;
module_param_array(mem_entries, uint, &nr_mem_entries, 0444);
MODULE_PARM_DESC(mem_entries,
		 "Hash table sizes whose memory is measured, filled but not timed, unless already in entries (default 1024,65536,1048576)");

static unsigned int ptab_entries[BENCH_MAX_LIST] = { 65536 };
static int nr_ptab_entries = 1;
module_param_array(ptab_entries, uint, &nr_ptab_entries, 0444);
MODULE_PARM_DESC(ptab_entries,
		 "Live ids in each process table benchmark (default 65536)");

static unsigned int key_size = 8;
module_param(key_size, uint, 0444);
MODULE_PARM_DESC(key_size, "Hash table key size in bytes, 4 to 64 (default 8)");

static unsigned int value_size = 8;
module_param(value_size, uint, 0444);
MODULE_PARM_DESC(value_size,
		 "Hash table value size in bytes, 0 to 512 (default 8)");

static unsigned int threads[BENCH_MAX_LIST];
static int nr_threads;
module_param_array(threads, uint, &nr_threads, 0444);
MODULE_PARM_DESC(threads,
		 "Thread counts to measure, each at most the online CPUs (default 1 to the online CPUs)");

static unsigned int ms = 500;
module_param(ms, uint, 0444);
MODULE_PARM_DESC(ms, "Duration of each measurement in milliseconds (default 500)");

static unsigned int rounds = 1;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds,
		 "Times each measurement is repeated, implementations interleaved (default 1)");

static unsigned int read_pct[BENCH_MAX_LIST] = { 100, 99, 90, 70 };
static int nr_read_pct = 4;
module_param_array(read_pct, uint, &nr_read_pct, 0444);
MODULE_PARM_DESC(read_pct,
		 "Hash table mixes, as percent lookups; the rest are updates (default 100,99,90,70)");

static unsigned int ptab_read_pct = 90;
module_param(ptab_read_pct, uint, 0444);
MODULE_PARM_DESC(ptab_read_pct,
		 "Percent lookups of the process tables' mixed workload (default 90)");

static unsigned int resize_entries[BENCH_MAX_LIST] = { 16384 };
static int nr_resize_entries = 1;
module_param_array(resize_entries, uint, &nr_resize_entries, 0444);
MODULE_PARM_DESC(resize_entries,
		 "Keys in each table of the resize benchmark (default 16384)");

static unsigned int resize_ms = 1000;
module_param(resize_ms, uint, 0444);
MODULE_PARM_DESC(resize_ms,
		 "Duration of each lookup measurement of the resize benchmark, ms (default 1000)");

static unsigned int counter_keys = 16;
module_param(counter_keys, uint, 0444);
MODULE_PARM_DESC(counter_keys,
		 "Per-CPU counter benchmark (impl=counter): keys in the hot set (default 16)");

static unsigned int lru_entries = 65536;
module_param(lru_entries, uint, 0444);
MODULE_PARM_DESC(lru_entries,
		 "LRU benchmark (impl=lru): keys in each table (default 65536)");

static unsigned int worst_entries = 4096;
module_param(worst_entries, uint, 0444);
MODULE_PARM_DESC(worst_entries,
		 "Worst-case benchmark (map=worst): max_entries of its hash tables, a multiple of 64 (default 4096)");

static unsigned int worst_value_size[BENCH_MAX_LIST] = { 8 };
static int nr_worst_value_size = 1;
module_param_array(worst_value_size, uint, &nr_worst_value_size, 0444);
MODULE_PARM_DESC(worst_value_size,
		 "Worst-case benchmark: value sizes in bytes, each measured in turn (default 8)");

static unsigned int worst_samples = 16384;
module_param(worst_samples, uint, 0444);
MODULE_PARM_DESC(worst_samples,
		 "Worst-case benchmark: most latency samples per operation and geometry (default 16384)");

static unsigned int worst_delay_us = 3;
module_param(worst_delay_us, uint, 0444);
MODULE_PARM_DESC(worst_delay_us,
		 "Worst-case benchmark: length of the udelay() control operation, us, at most 1000 (default 3)");

static unsigned int worst_ms = 20000;
module_param(worst_ms, uint, 0444);
MODULE_PARM_DESC(worst_ms,
		 "Worst-case benchmark: most time per value size for the latency samples, ms (default 20000)");

static char *bench_maps = "hash,ptab,mem,resize,worst";
module_param_named(map, bench_maps, charp, 0444);
MODULE_PARM_DESC(map,
		 "Comma-separated map types to run: hash, ptab, mem, resize, worst (default hash,ptab,mem,resize,worst)");

static char *bench_impls = "all";
module_param_named(impl, bench_impls, charp, 0444);
MODULE_PARM_DESC(impl,
		 "Comma-separated implementations to run, or all: rcumap, rhashtable, spinlock, rwlock, bucketlock, floor, xarray, idr; counter, lru: the per-CPU and LRU hash benchmarks (map=hash) (default all)");

/* Is @name in the comma-separated @list? */
static bool bench_listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	if (!strcmp(list, "all"))
		return true;
	while (*p) {
		const char *end = strchrnul(p, ',');

		if (end - p == len && !strncmp(p, name, len))
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

/* ---- Keys, hashes, random numbers ------------------------------------- */

static inline u32 bench_key_stride(void)
{
	return ALIGN(key_size, 8);
}

static inline void bench_make_key(void *key, u32 index)
{
	if (key_size >= 8)
		*(u64 *)key = index;
	else
		*(u32 *)key = index;
}

/* Both keys are 8-byte aligned. */
static __always_inline bool bench_key_equal(const void *a, const void *b)
{
	switch (key_size) {
	case 4:
		return *(const u32 *)a == *(const u32 *)b;
	case 8:
		return *(const u64 *)a == *(const u64 *)b;
	default:
		return !memcmp(a, b, key_size);
	}
}

/* The hash rcumap uses, so that the peers that hash alike pay alike. */
static __always_inline u32 bench_hash(const void *key, u32 seed)
{
	switch (key_size) {
	case 4:
		return jhash_1word(*(const u32 *)key, seed);
	case 8:
		return jhash_2words(((const u32 *)key)[0], ((const u32 *)key)[1],
				    seed);
	default:
		return jhash(key, key_size, seed);
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

/* Bytes an allocation of @size made by kvmalloc() takes, as @p shows. */
static size_t bench_kv_bytes(const void *p, size_t size)
{
	if (!p)
		return 0;
	return is_vmalloc_addr(p) ? PAGE_ALIGN(size) :
				    kmalloc_size_roundup(size);
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

static int bench_thread_fn(void *arg)
{
	struct bench_thread *t = arg;
	struct bench_run *run = t->run;

	/* Pairs with complete_all(): start_ns and deadline_ns are set. */
	wait_for_completion(&run->start);
	run->work(t);
	t->ns = ktime_get_ns() - run->start_ns;
	if (atomic_dec_and_test(&run->running))
		complete(&run->done);

	/* bench_run_threads() reaps every thread with kthread_stop(). */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* The @n-th online CPU, counting from 0. */
static unsigned int bench_cpu(unsigned int n)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		if (!n--)
			return cpu;
	}
	return cpumask_first(cpu_online_mask);
}

/*
 * Run @run->work on @run->nr_threads kthreads, one per CPU, for @ms
 * milliseconds, and fill in each thread's counters.  The threads are all
 * created, bound and waiting before any is released.
 *
 * Return: 0, or the error of kthread_create(); then nothing ran.
 */
static int bench_run_threads(struct bench_run *run)
{
	u32 i, n = run->nr_threads;
	int err = 0;

	init_completion(&run->start);
	init_completion(&run->done);
	atomic_set(&run->running, n);
	for (i = 0; i < n; i++) {
		struct bench_thread *t = &run->t[i];
		struct task_struct *task;

		task = kthread_create(bench_thread_fn, t, "rcumap_bench/%u", i);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			break;
		}
		kthread_bind(task, bench_cpu(i));
		t->task = task;
	}
	if (err) {
		/* Never woken: kthread_stop() makes them exit unrun. */
		while (i--)
			kthread_stop(run->t[i].task);
		return err;
	}
	for (i = 0; i < n; i++)
		wake_up_process(run->t[i].task);

	run->start_ns = ktime_get_ns();
	run->deadline_ns = run->start_ns +
			   (u64)(run->ms ?: ms) * NSEC_PER_MSEC;
	complete_all(&run->start);
	wait_for_completion(&run->done);
	for (i = 0; i < n; i++)
		kthread_stop(run->t[i].task);
	return 0;
}

/* Reset @n threads for a new measurement of @run. */
static void bench_threads_init(struct bench_run *run, struct bench_thread *t,
			       u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].run = run;
		t[i].index = i;
		t[i].rng = get_random_u64() | 1;
		t[i].pending = U32_MAX;
		memset(t[i].value, 0x5a, sizeof(t[i].value));
	}
	run->t = t;
	run->nr_threads = n;
}

/* Print one measurement; return its error count. */
static u64 bench_report(const struct bench_run *run, const char *map_name,
			const char *workload, const char *impl_name,
			u32 round, bool expect_hits_all)
{
	u64 ops = 0, ns = 0, rate = 0, errors = 0;
	u32 i;

	for (i = 0; i < run->nr_threads; i++) {
		const struct bench_thread *t = &run->t[i];

		ops += t->ops;
		errors += t->errors;
		ns = max(ns, t->ns);
		if (t->ns)
			rate += div64_u64(t->ops * NSEC_PER_SEC, t->ns);
		/* A workload of lookups only must find every key. */
		if (expect_hits_all && t->hits != t->ops)
			errors += t->ops - t->hits;
	}
	pr_info("RCUMAP_BENCH,%s,%s,%s,%u,%u,%u,%llu,%llu,%llu,%llu\n",
		map_name, workload, impl_name, run->entries, run->nr_threads,
		round, ops, ns, rate, errors);
	if (errors)
		pr_err("%s %s %s: %llu errors\n", map_name, workload, impl_name,
		       errors);
	return errors;
}

/* ---- Hash tables: the common loop ------------------------------------- */

/* Keys owned by thread @t: index mod threads == t->index. */
static inline u32 bench_own_key(const struct bench_thread *t, u32 r)
{
	u32 n = t->run->nr_threads;
	u32 owned = (t->run->entries - t->index + n - 1) / n;

	return bench_below(r, owned) * n + t->index;
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
			if (t->pending != U32_MAX) {
				bench_make_key(t->key, t->pending);
				if (insert(map, t->key, t->value))
					t->errors++;
				else
					t->pending = U32_MAX;
			} else {
				u32 k = bench_own_key(t, r >> 32);

				bench_make_key(t->key, k);
				if (remove(map, t->key))
					t->errors++;
				else
					t->pending = k;
			}
		}
		ops += BENCH_BATCH;
		cond_resched();
	} while (ktime_get_ns() < run->deadline_ns);
	t->ops = ops;

	/* Leave the table full for the next measurement (not timed). */
	if (t->pending != U32_MAX) {
		bench_make_key(t->key, t->pending);
		if (insert(map, t->key, t->value))
			t->errors++;
	}
}

/**
 * struct bench_hash_impl - A hash table under test.
 * @name: Its name in the output.
 * @single: Unsynchronized: measured with one thread only.
 * @create: Make an empty table for @entries keys.
 * @destroy: Free a table and everything in it.  No thread uses it.
 * @insert: Insert a key that is not present (used to fill the table).
 * @bytes: Memory the table and its entries take.
 * @settle: If not NULL, called once the table is filled: wait for
 *	background work (rhashtable's resizing) to finish.
 * @work: The thread loop, bench_hash_loop() with the table's functions.
 */
struct bench_hash_impl {
	const char *name;
	bool single;
	void *(*create)(u32 entries);
	void (*destroy)(void *map);
	int (*insert)(void *map, const void *key, const void *value);
	size_t (*bytes)(void *map, u32 entries);
	void (*settle)(void *map);
	void (*work)(struct bench_thread *t);
};

/* ---- Hash: rcumap ----------------------------------------------------- */

static void *bench_rcumap_create(u32 nr)
{
	struct rcumap_hash_params params = {
		.key_size = key_size,
		.value_size = value_size,
		.max_entries = nr,
	};

	return rcumap_hash_create(&params, GFP_KERNEL);
}

static void bench_rcumap_destroy(void *map)
{
	rcumap_hash_destroy(map);
}

static __always_inline bool bench_rcumap_lookup(void *map, const void *key,
						void *value)
{
	const void *v;

	rcu_read_lock();
	v = rcumap_hash_lookup(map, key);
	if (v)
		memcpy(value, v, value_size);
	rcu_read_unlock();
	return v;
}

static int bench_rcumap_insert(void *map, const void *key, const void *value)
{
	return rcumap_hash_update(map, key, value, RCUMAP_NOEXIST, GFP_KERNEL);
}

static int bench_rcumap_remove(void *map, const void *key)
{
	return rcumap_hash_delete(map, key);
}

static size_t bench_rcumap_bytes(void *map, u32 nr)
{
	return rcumap_hash_bytes_used(map);
}

static void bench_rcumap_work(struct bench_thread *t)
{
	bench_hash_loop(t, bench_rcumap_lookup, bench_rcumap_insert,
			bench_rcumap_remove);
}

/* ---- Hash: rhashtable ------------------------------------------------- */

/*
 * An rhashtable object: the key at @data, the value after it at the next
 * 8-byte boundary.  Readers find objects under the RCU read lock, so a
 * removed object is freed with kfree_rcu().
 */
struct bench_rht_obj {
	struct rhash_head node;
	struct rcu_head rcu;
	u8 data[] __aligned(8);
};

struct bench_rht {
	struct rhashtable ht;
	struct rhashtable_params params;
};

/*
 * With 8-byte keys (the default) the table runs on constant parameters,
 * as a kernel user with a fixed key would write it: the hash (the default,
 * jhash2()) and the key compare are inlined.  Other key sizes go through
 * the same functions with the run-time parameters.
 */
static const struct rhashtable_params bench_rht_params8 = {
	.key_len = 8,
	.key_offset = offsetof(struct bench_rht_obj, data),
	.head_offset = offsetof(struct bench_rht_obj, node),
};

static inline size_t bench_rht_obj_size(void)
{
	return sizeof(struct bench_rht_obj) + bench_key_stride() + value_size;
}

static void *__bench_rht_create(u32 nr, bool shrink)
{
	struct bench_rht *r = kzalloc(sizeof(*r), GFP_KERNEL);
	int err;

	if (!r)
		return ERR_PTR(-ENOMEM);
	r->params = bench_rht_params8;
	r->params.key_len = key_size;
	r->params.automatic_shrinking = shrink;
	/* A u16: 1M keys start at 64K and grow while the table fills. */
	r->params.nelem_hint = min_t(u32, nr, U16_MAX);
	err = rhashtable_init(&r->ht, &r->params);
	if (err) {
		kfree(r);
		return ERR_PTR(err);
	}
	return r;
}

static void *bench_rht_create(u32 nr)
{
	return __bench_rht_create(nr, false);
}

/* For the resize benchmark: rhashtable shrinks only if asked to. */
static void *bench_rht_create_shrinking(u32 nr)
{
	return __bench_rht_create(nr, true);
}

static void bench_rht_free_obj(void *ptr, void *arg)
{
	kfree(ptr);
}

static void bench_rht_destroy(void *map)
{
	struct bench_rht *r = map;

	/* No thread runs: no reader can hold an object any more. */
	rhashtable_free_and_destroy(&r->ht, bench_rht_free_obj, NULL);
	kfree(r);
}

static __always_inline bool
__bench_rht_lookup(struct bench_rht *r, const void *key, void *value,
		   const struct rhashtable_params params)
{
	struct bench_rht_obj *obj;

	/*
	 * rhashtable_lookup_fast() is rhashtable_lookup() in its own RCU
	 * read-side section; the value is copied out, so the section must
	 * cover the copy too.
	 */
	rcu_read_lock();
	obj = rhashtable_lookup(&r->ht, key, params);
	if (obj)
		memcpy(value, obj->data + bench_key_stride(), value_size);
	rcu_read_unlock();
	return obj;
}

static __always_inline int
__bench_rht_insert(struct bench_rht *r, const void *key, const void *value,
		   const struct rhashtable_params params)
{
	struct bench_rht_obj *obj = kmalloc(bench_rht_obj_size(), GFP_KERNEL);
	int err;

	if (!obj)
		return -ENOMEM;
	memset(obj->data, 0, bench_key_stride());
	memcpy(obj->data, key, key_size);
	memcpy(obj->data + bench_key_stride(), value, value_size);
	err = rhashtable_lookup_insert_fast(&r->ht, &obj->node, params);
	if (err)
		kfree(obj);
	return err;
}

static __always_inline int
__bench_rht_remove(struct bench_rht *r, const void *key,
		   const struct rhashtable_params params)
{
	struct bench_rht_obj *obj;
	int err = -ENOENT;

	rcu_read_lock();
	obj = rhashtable_lookup(&r->ht, key, params);
	if (obj)
		err = rhashtable_remove_fast(&r->ht, &obj->node, params);
	rcu_read_unlock();
	/*
	 * Unlinked: no new lookup finds @obj.  Lookups that found it are in
	 * RCU read-side sections that began before the removal, and
	 * kfree_rcu() waits for them.
	 */
	if (!err)
		kfree_rcu(obj, rcu);
	return err;
}

static __always_inline bool bench_rht_lookup8(void *map, const void *key,
					      void *value)
{
	return __bench_rht_lookup(map, key, value, bench_rht_params8);
}

static int bench_rht_insert8(void *map, const void *key, const void *value)
{
	return __bench_rht_insert(map, key, value, bench_rht_params8);
}

static int bench_rht_remove8(void *map, const void *key)
{
	return __bench_rht_remove(map, key, bench_rht_params8);
}

static __always_inline bool bench_rht_lookup(void *map, const void *key,
					     void *value)
{
	struct bench_rht *r = map;

	return __bench_rht_lookup(r, key, value, r->params);
}

static int bench_rht_insert(void *map, const void *key, const void *value)
{
	struct bench_rht *r = map;

	return __bench_rht_insert(r, key, value, r->params);
}

static int bench_rht_remove(void *map, const void *key)
{
	struct bench_rht *r = map;

	return __bench_rht_remove(r, key, r->params);
}

static void bench_rht_work(struct bench_thread *t)
{
	if (key_size == 8)
		bench_hash_loop(t, bench_rht_lookup8, bench_rht_insert8,
				bench_rht_remove8);
	else
		bench_hash_loop(t, bench_rht_lookup, bench_rht_insert,
				bench_rht_remove);
}

static int bench_rht_fill_insert(void *map, const void *key,
				 const void *value)
{
	return key_size == 8 ? bench_rht_insert8(map, key, value) :
			       bench_rht_insert(map, key, value);
}

/* Wait until the table has grown to its size: resizing runs in a work. */
static void bench_rht_settle(void *map)
{
	struct bench_rht *r = map;

	while (flush_work(&r->ht.run_work))
		;
}

static size_t bench_rht_bytes(void *map, u32 nr)
{
	struct bench_rht *r = map;
	const struct bucket_table *tbl;
	size_t size, bytes;

	/*
	 * The bucket table as rhashtable allocates it (kvzalloc() of the
	 * header and the bucket pointers), then one object per entry.
	 */
	rcu_read_lock();
	tbl = rcu_dereference(r->ht.tbl);
	size = struct_size(tbl, buckets, tbl->size);
	bytes = bench_kv_bytes(tbl, size);
	rcu_read_unlock();
	return bytes + kmalloc_size_roundup(sizeof(*r)) +
	       (size_t)atomic_read(&r->ht.nelems) *
	       kmalloc_size_roundup(bench_rht_obj_size());
}

/* ---- Hash: hlist tables under a spinlock, an rwlock, bucket locks ----- */

/*
 * The table a kernel engineer writes in ten minutes: one hlist per bucket,
 * a node per entry with the key and value inline.  Readers take a lock
 * too, so a removed node is freed at once.  Three ways to lock it:
 *	BENCH_SPINLOCK		one spinlock for everything
 *	BENCH_RWLOCK		one rwlock: lookups read_lock() it
 *	BENCH_BUCKETLOCK	a spinlock per bucket
 */
enum bench_lock {
	BENCH_SPINLOCK,
	BENCH_RWLOCK,
	BENCH_BUCKETLOCK,
};

struct bench_hnode {
	struct hlist_node node;
	u8 data[] __aligned(8);
};

struct bench_hlist {
	struct hlist_head *heads;
	spinlock_t *locks;	/* BENCH_BUCKETLOCK: one per bucket */
	u32 mask;
	u32 seed;
	atomic_t count;
	spinlock_t lock;	/* BENCH_SPINLOCK */
	rwlock_t rwlock;	/* BENCH_RWLOCK */
};

static inline size_t bench_hnode_size(void)
{
	return sizeof(struct bench_hnode) + bench_key_stride() + value_size;
}

static void bench_hlist_free(struct bench_hlist *m)
{
	kvfree(m->locks);
	kvfree(m->heads);
	kfree(m);
}

static void *bench_hlist_create(u32 nr, enum bench_lock kind)
{
	u32 nr_buckets = roundup_pow_of_two(nr);
	struct bench_hlist *m = kzalloc(sizeof(*m), GFP_KERNEL);
	u32 i;

	if (!m)
		return ERR_PTR(-ENOMEM);
	m->heads = kvcalloc(nr_buckets, sizeof(*m->heads), GFP_KERNEL);
	if (!m->heads)
		goto out_free;
	if (kind == BENCH_BUCKETLOCK) {
		m->locks = kvmalloc_array(nr_buckets, sizeof(*m->locks),
					  GFP_KERNEL);
		if (!m->locks)
			goto out_free;
		for (i = 0; i < nr_buckets; i++)
			spin_lock_init(&m->locks[i]);
	}
	spin_lock_init(&m->lock);
	rwlock_init(&m->rwlock);
	m->mask = nr_buckets - 1;
	m->seed = get_random_u32();
	return m;

out_free:
	bench_hlist_free(m);
	return ERR_PTR(-ENOMEM);
}

static void *bench_spin_create(u32 nr)
{
	return bench_hlist_create(nr, BENCH_SPINLOCK);
}

static void *bench_rw_create(u32 nr)
{
	return bench_hlist_create(nr, BENCH_RWLOCK);
}

static void *bench_bucket_create(u32 nr)
{
	return bench_hlist_create(nr, BENCH_BUCKETLOCK);
}

static void bench_hlist_destroy(void *map)
{
	struct bench_hlist *m = map;
	struct bench_hnode *n;
	struct hlist_node *tmp;
	u32 i;

	/* No thread runs: nothing else can see the nodes. */
	for (i = 0; i <= m->mask; i++) {
		hlist_for_each_entry_safe(n, tmp, &m->heads[i], node)
			kfree(n);
		if (!(i % 1024))
			cond_resched();
	}
	bench_hlist_free(m);
}

static __always_inline void bench_hlist_lock(struct bench_hlist *m, u32 b,
					     enum bench_lock kind, bool write)
{
	switch (kind) {
	case BENCH_SPINLOCK:
		spin_lock(&m->lock);
		break;
	case BENCH_RWLOCK:
		if (write)
			write_lock(&m->rwlock);
		else
			read_lock(&m->rwlock);
		break;
	case BENCH_BUCKETLOCK:
		spin_lock(&m->locks[b]);
		break;
	}
}

static __always_inline void bench_hlist_unlock(struct bench_hlist *m, u32 b,
					       enum bench_lock kind, bool write)
{
	switch (kind) {
	case BENCH_SPINLOCK:
		spin_unlock(&m->lock);
		break;
	case BENCH_RWLOCK:
		if (write)
			write_unlock(&m->rwlock);
		else
			read_unlock(&m->rwlock);
		break;
	case BENCH_BUCKETLOCK:
		spin_unlock(&m->locks[b]);
		break;
	}
}

/* The node of @key in bucket @b, or NULL.  The caller holds its lock. */
static __always_inline struct bench_hnode *
bench_hlist_find(struct bench_hlist *m, u32 b, const void *key)
{
	struct bench_hnode *n;

	hlist_for_each_entry(n, &m->heads[b], node) {
		if (bench_key_equal(n->data, key))
			return n;
	}
	return NULL;
}

static __always_inline bool bench_hlist_lookup(void *map, const void *key,
					       void *value,
					       enum bench_lock kind)
{
	struct bench_hlist *m = map;
	u32 b = bench_hash(key, m->seed) & m->mask;
	struct bench_hnode *n;

	bench_hlist_lock(m, b, kind, false);
	n = bench_hlist_find(m, b, key);
	if (n)
		memcpy(value, n->data + bench_key_stride(), value_size);
	bench_hlist_unlock(m, b, kind, false);
	return n;
}

static __always_inline int bench_hlist_insert(void *map, const void *key,
					      const void *value,
					      enum bench_lock kind)
{
	struct bench_hlist *m = map;
	u32 b = bench_hash(key, m->seed) & m->mask;
	struct bench_hnode *n = kmalloc(bench_hnode_size(), GFP_KERNEL);
	int err = 0;

	if (!n)
		return -ENOMEM;
	memset(n->data, 0, bench_key_stride());
	memcpy(n->data, key, key_size);
	memcpy(n->data + bench_key_stride(), value, value_size);
	bench_hlist_lock(m, b, kind, true);
	if (bench_hlist_find(m, b, key))
		err = -EEXIST;
	else
		hlist_add_head(&n->node, &m->heads[b]);
	bench_hlist_unlock(m, b, kind, true);
	if (err)
		kfree(n);
	else
		atomic_inc(&m->count);
	return err;
}

static __always_inline int bench_hlist_remove(void *map, const void *key,
					      enum bench_lock kind)
{
	struct bench_hlist *m = map;
	u32 b = bench_hash(key, m->seed) & m->mask;
	struct bench_hnode *n;

	bench_hlist_lock(m, b, kind, true);
	n = bench_hlist_find(m, b, key);
	if (n)
		hlist_del(&n->node);
	bench_hlist_unlock(m, b, kind, true);
	if (!n)
		return -ENOENT;
	/* Readers hold the lock: none can be looking at @n now. */
	kfree(n);
	atomic_dec(&m->count);
	return 0;
}

static size_t bench_hlist_bytes(void *map, u32 nr)
{
	struct bench_hlist *m = map;
	size_t buckets = (size_t)m->mask + 1;

	return kmalloc_size_roundup(sizeof(*m)) +
	       bench_kv_bytes(m->heads, buckets * sizeof(*m->heads)) +
	       bench_kv_bytes(m->locks, buckets * sizeof(*m->locks)) +
	       (size_t)atomic_read(&m->count) *
	       kmalloc_size_roundup(bench_hnode_size());
}

/* One set of table functions per kind of lock, the kind a constant. */
#define BENCH_HLIST_FUNCS(_name, _kind)					\
static const enum bench_lock bench_##_name##_kind = _kind;		\
static __always_inline bool bench_##_name##_lookup(void *map,		\
						   const void *key,	\
						   void *value)		\
{									\
	return bench_hlist_lookup(map, key, value, bench_##_name##_kind); \
}									\
static int bench_##_name##_insert(void *map, const void *key,		\
				  const void *value)			\
{									\
	return bench_hlist_insert(map, key, value, bench_##_name##_kind); \
}									\
static int bench_##_name##_remove(void *map, const void *key)		\
{									\
	return bench_hlist_remove(map, key, bench_##_name##_kind);	\
}									\
static void bench_##_name##_work(struct bench_thread *t)		\
{									\
	bench_hash_loop(t, bench_##_name##_lookup,			\
			bench_##_name##_insert,				\
			bench_##_name##_remove);			\
}

BENCH_HLIST_FUNCS(spin, BENCH_SPINLOCK)
BENCH_HLIST_FUNCS(rw, BENCH_RWLOCK)
BENCH_HLIST_FUNCS(bucket, BENCH_BUCKETLOCK)

/* ---- Hash: the unsynchronized floor ----------------------------------- */

/*
 * Open addressing with linear probing, at most half full, no locks, no
 * RCU: what a lookup costs when nothing is shared.  Only ever used by one
 * thread.  A slot is a tag (the hash with the top bit set; 0 is empty),
 * then the key and the value, each 8-byte aligned.  Deletion shifts the
 * rest of the probe run back, so there are no tombstones.
 */
struct bench_open {
	u8 *slots;
	size_t slot_size;
	u32 mask;
	u32 seed;
	u32 count;
};

#define BENCH_OPEN_USED		0x80000000U

static inline u32 *bench_open_tag(const struct bench_open *o, u32 i)
{
	return (u32 *)(o->slots + (size_t)i * o->slot_size);
}

static inline u8 *bench_open_key(const struct bench_open *o, u32 i)
{
	return o->slots + (size_t)i * o->slot_size + 8;
}

static void *bench_open_create(u32 nr)
{
	struct bench_open *o = kzalloc(sizeof(*o), GFP_KERNEL);
	u32 nr_slots = roundup_pow_of_two(max(2 * nr, 2U));

	if (!o)
		return ERR_PTR(-ENOMEM);
	o->slot_size = 8 + bench_key_stride() + ALIGN(value_size, 8);
	o->slots = kvcalloc(nr_slots, o->slot_size, GFP_KERNEL);
	if (!o->slots) {
		kfree(o);
		return ERR_PTR(-ENOMEM);
	}
	o->mask = nr_slots - 1;
	o->seed = get_random_u32();
	return o;
}

static void bench_open_destroy(void *map)
{
	struct bench_open *o = map;

	kvfree(o->slots);
	kfree(o);
}

/* The slot of @key, or the empty slot that ends its probe run. */
static __always_inline u32 bench_open_find(const struct bench_open *o,
					   const void *key, u32 tag,
					   bool *found)
{
	u32 i = tag & o->mask;

	for (;; i = (i + 1) & o->mask) {
		u32 t = *bench_open_tag(o, i);

		if (!t) {
			*found = false;
			return i;
		}
		if (t == tag && bench_key_equal(bench_open_key(o, i), key)) {
			*found = true;
			return i;
		}
	}
}

static __always_inline bool bench_open_lookup(void *map, const void *key,
					      void *value)
{
	const struct bench_open *o = map;
	u32 tag = bench_hash(key, o->seed) | BENCH_OPEN_USED;
	bool found;
	u32 i = bench_open_find(o, key, tag, &found);

	if (found)
		memcpy(value, bench_open_key(o, i) + bench_key_stride(),
		       value_size);
	return found;
}

static int bench_open_insert(void *map, const void *key, const void *value)
{
	struct bench_open *o = map;
	u32 tag = bench_hash(key, o->seed) | BENCH_OPEN_USED;
	bool found;
	u32 i = bench_open_find(o, key, tag, &found);

	if (found)
		return -EEXIST;
	if (o->count >= (o->mask + 1) / 2)
		return -E2BIG;
	*bench_open_tag(o, i) = tag;
	memcpy(bench_open_key(o, i), key, key_size);
	memcpy(bench_open_key(o, i) + bench_key_stride(), value, value_size);
	o->count++;
	return 0;
}

static int bench_open_remove(void *map, const void *key)
{
	struct bench_open *o = map;
	u32 tag = bench_hash(key, o->seed) | BENCH_OPEN_USED;
	bool found;
	u32 hole = bench_open_find(o, key, tag, &found);
	u32 j = hole;

	if (!found)
		return -ENOENT;
	/*
	 * Move back every later entry of the run that may live in the
	 * hole: one whose home slot is not cyclically in (hole, j].
	 */
	for (;;) {
		u32 t, home;

		j = (j + 1) & o->mask;
		t = *bench_open_tag(o, j);
		if (!t)
			break;
		home = t & o->mask;
		if (((j - home) & o->mask) < ((j - hole) & o->mask))
			continue;
		memcpy(bench_open_tag(o, hole), bench_open_tag(o, j),
		       o->slot_size);
		hole = j;
	}
	*bench_open_tag(o, hole) = 0;
	o->count--;
	return 0;
}

static size_t bench_open_bytes(void *map, u32 nr)
{
	struct bench_open *o = map;
	size_t size = ((size_t)o->mask + 1) * o->slot_size;

	return kmalloc_size_roundup(sizeof(*o)) + bench_kv_bytes(o->slots, size);
}

static void bench_open_work(struct bench_thread *t)
{
	bench_hash_loop(t, bench_open_lookup, bench_open_insert,
			bench_open_remove);
}

static const struct bench_hash_impl bench_hash_impls[] = {
	{
		.name = "rcumap",
		.create = bench_rcumap_create,
		.destroy = bench_rcumap_destroy,
		.insert = bench_rcumap_insert,
		.bytes = bench_rcumap_bytes,
		.work = bench_rcumap_work,
	}, {
		.name = "rhashtable",
		.create = bench_rht_create,
		.destroy = bench_rht_destroy,
		.insert = bench_rht_fill_insert,
		.bytes = bench_rht_bytes,
		.settle = bench_rht_settle,
		.work = bench_rht_work,
	}, {
		.name = "spinlock",
		.create = bench_spin_create,
		.destroy = bench_hlist_destroy,
		.insert = bench_spin_insert,
		.bytes = bench_hlist_bytes,
		.work = bench_spin_work,
	}, {
		.name = "rwlock",
		.create = bench_rw_create,
		.destroy = bench_hlist_destroy,
		.insert = bench_rw_insert,
		.bytes = bench_hlist_bytes,
		.work = bench_rw_work,
	}, {
		.name = "bucketlock",
		.create = bench_bucket_create,
		.destroy = bench_hlist_destroy,
		.insert = bench_bucket_insert,
		.bytes = bench_hlist_bytes,
		.work = bench_bucket_work,
	}, {
		.name = "floor",
		.single = true,
		.create = bench_open_create,
		.destroy = bench_open_destroy,
		.insert = bench_open_insert,
		.bytes = bench_open_bytes,
		.work = bench_open_work,
	},
};

#define BENCH_NR_HASH	ARRAY_SIZE(bench_hash_impls)

/* ---- Hash: driving it ------------------------------------------------- */

/* Make a table of @impl with keys 0 to @nr - 1, with @create. */
static void *bench_hash_fill_with(const struct bench_hash_impl *hi,
				  void *(*create)(u32 nr), u32 nr)
{
	u8 key[BENCH_MAX_KEY_SIZE] __aligned(8) = {};
	u8 value[BENCH_MAX_VALUE_SIZE] __aligned(8);
	void *m = create(nr);
	u32 i;
	int err;

	if (IS_ERR(m))
		return m;
	memset(value, 0x5a, sizeof(value));
	for (i = 0; i < nr; i++) {
		bench_make_key(key, i);
		err = hi->insert(m, key, value);
		if (err) {
			pr_err("%s: insert %u of %u: %d\n", hi->name, i, nr, err);
			hi->destroy(m);
			return ERR_PTR(err);
		}
		if (!(i % 256))
			cond_resched();
	}
	if (hi->settle)
		hi->settle(m);
	return m;
}

/* Make a table of @impl with keys 0 to @nr - 1. */
static void *bench_hash_fill(const struct bench_hash_impl *hi, u32 nr)
{
	return bench_hash_fill_with(hi, hi->create, nr);
}

static const char *bench_mix_name(u32 pct, char *buf, size_t len)
{
	if (pct >= 100)
		return "lookup";
	snprintf(buf, len, "%u-%u", pct, 100 - pct);
	return buf;
}

static u32 bench_thread_count(int i)
{
	return nr_threads ? threads[i] : i + 1;
}

static int bench_nr_thread_counts(void)
{
	return nr_threads ?: num_online_cpus();
}

/*
 * Measure every table in @maps with one mix (@pct percent lookups) and
 * @n threads, one table after the other.
 */
static int bench_hash_point(void **maps, struct bench_run *run,
			    struct bench_thread *t, u32 pct, u32 n, u32 round,
			    u64 *errors)
{
	const char *mix_name;
	char buf[16];
	int i, err;

	mix_name = bench_mix_name(pct, buf, sizeof(buf));
	run->read_thresh = div_u64((u64)min(pct, 100U) << 32, 100);
	for (i = 0; i < BENCH_NR_HASH; i++) {
		const struct bench_hash_impl *hi = &bench_hash_impls[i];

		if (!maps[i] || (hi->single && n > 1))
			continue;
		bench_threads_init(run, t, n);
		run->map = maps[i];
		run->work = hi->work;
		err = bench_run_threads(run);
		if (err)
			return err;
		*errors += bench_report(run, "hash", mix_name, hi->name, round,
					pct >= 100);
	}
	return 0;
}

/* Fill every table of @nr keys, print its memory, run every mix on it. */
static int bench_hash_size(u32 nr, bool timed, struct bench_thread *t)
{
	void *maps[BENCH_NR_HASH] = {};
	struct bench_run run = {};
	u64 errors = 0;
	int i, mix, tc, err = 0;
	u32 round;

	for (i = 0; i < BENCH_NR_HASH; i++) {
		const struct bench_hash_impl *hi = &bench_hash_impls[i];
		u64 start = ktime_get_ns();

		if (!bench_listed(bench_impls, hi->name))
			continue;
		maps[i] = bench_hash_fill(hi, nr);
		if (IS_ERR(maps[i])) {
			err = PTR_ERR(maps[i]);
			maps[i] = NULL;
			goto out_destroy;
		}
		pr_info("RCUMAP_MEM,hash,%s,%u,%zu\n", hi->name, nr,
			hi->bytes(maps[i], nr));
		pr_info("filled %s with %u keys in %llu ms\n", hi->name, nr,
			div_u64(ktime_get_ns() - start, NSEC_PER_MSEC));
	}
	if (!timed)
		goto out_destroy;

	run.entries = nr;
	/* Rounds outermost: a burst of load on the host hits one round. */
	for (round = 0; round < rounds && !err; round++) {
		for (mix = 0; mix < nr_read_pct && !err; mix++) {
			for (tc = 0; tc < bench_nr_thread_counts() && !err;
			     tc++)
				err = bench_hash_point(maps, &run, t,
						       read_pct[mix],
						       bench_thread_count(tc),
						       round, &errors);
		}
	}
out_destroy:
	for (i = 0; i < BENCH_NR_HASH; i++) {
		if (maps[i])
			bench_hash_impls[i].destroy(maps[i]);
	}
	/* Let the freed tables go before the next size is filled. */
	rcu_barrier();
	if (!err && errors)
		err = -EIO;
	return err;
}

/* ---- Hash: lookups while the table resizes ---------------------------- */

/*
 * Thread 0 resizes the table (or, for the baseline, sleeps to the
 * deadline); threads 1 to N-1 look up present keys.  Only the lookups
 * are reported, so both measurements have the same readers on the same
 * CPUs.
 *
 * rcumap: rcumap_hash_resize() back and forth between N/4 and 4N
 * buckets, without a pause: each call is four x2 or /2 steps, each
 * moving every entry.  rhashtable cannot be told to resize: its own
 * worker (on system_wq) grows it above 75% load and, with
 * automatic_shrinking, shrinks it below 30%.  So thread 0 inserts 3N
 * keys that no reader looks up and deletes them again, without a pause;
 * the table goes from 2N to 8N buckets and back each time (nelem_hint N
 * makes it 2N to start with).  Its readers also pay for that churn
 * (longer chains until the worker catches up, the shared count), which
 * rcumap's readers do not: the two "with resize" numbers are each
 * table's lookups under continuous resizing, driven the only way each
 * can be, not the same work.
 */
static void bench_idle(struct bench_thread *t)
{
	while (ktime_get_ns() < t->run->deadline_ns)
		usleep_range(1000, 2000);
}

static void bench_resize_work(struct bench_thread *t)
{
	struct bench_run *run = t->run;

	if (t->index)
		run->lookups(t);
	else
		run->side(t);
}

static void bench_rcumap_resizer(struct bench_thread *t)
{
	struct bench_run *run = t->run;
	u32 lo = max(run->entries / 4, 1U);
	u32 hi = min_t(u32, run->entries * 4, RCUMAP_HASH_MAX_BUCKETS);
	bool up = true;

	do {
		if (rcumap_hash_resize(run->map, up ? hi : lo))
			t->errors++;
		else
			t->ops++;
		up = !up;
	} while (ktime_get_ns() < run->deadline_ns);
}

static void bench_rht_churner(struct bench_thread *t)
{
	struct bench_run *run = t->run;
	u32 n = run->entries, i, done;

	do {
		for (done = 0, i = n; i < 4 * n; i++, done++) {
			bench_make_key(t->key, i);
			if (bench_rht_fill_insert(run->map, t->key, t->value)) {
				t->errors++;
				break;
			}
			if (!(i % 64))
				cond_resched();
		}
		/* Always delete them all: the table goes back to N keys. */
		for (i = n; i < n + done; i++) {
			bench_make_key(t->key, i);
			if (key_size == 8 ? bench_rht_remove8(run->map, t->key) :
			    bench_rht_remove(run->map, t->key))
				t->errors++;
			if (!(i % 64))
				cond_resched();
		}
		t->ops++;
	} while (ktime_get_ns() < run->deadline_ns && !t->errors);
}

/*
 * What a resize costs rcumap: from N to 2N buckets and back, four times,
 * with nothing else running; every step moves all N entries, and its
 * time includes the synchronize_rcu() before the old array is freed.
 */
static int bench_rcumap_resize_cost(void *map, u32 nr, u32 round)
{
	u64 start, ns, moved = 8ULL * nr;
	int i, err;

	err = rcumap_hash_resize(map, nr);
	start = ktime_get_ns();
	for (i = 0; i < 4 && !err; i++) {
		err = rcumap_hash_resize(map, 2 * nr);
		if (!err)
			err = rcumap_hash_resize(map, nr);
	}
	ns = ktime_get_ns() - start;
	if (err) {
		pr_err("resize cost: %d\n", err);
		return err;
	}
	pr_info("RCUMAP_BENCH,hash,resize-cost,rcumap,%u,1,%u,%llu,%llu,%llu,0\n",
		nr, round, moved, ns, div64_u64(moved * NSEC_PER_SEC, ns ?: 1));
	return 0;
}

struct bench_resize_impl {
	const char *name;	/* as in bench_hash_impls[] */
	void *(*create)(u32 nr);
	void (*side)(struct bench_thread *t);
};

static const struct bench_resize_impl bench_resize_impls[] = {
	{ "rcumap", bench_rcumap_create, bench_rcumap_resizer },
	{ "rhashtable", bench_rht_create_shrinking, bench_rht_churner },
};

static const struct bench_hash_impl *bench_hash_impl_named(const char *name)
{
	int i;

	for (i = 0; i < BENCH_NR_HASH; i++) {
		if (!strcmp(bench_hash_impls[i].name, name))
			return &bench_hash_impls[i];
	}
	return NULL;
}

/*
 * For each round and each table: fill @nr keys, measure lookups with
 * thread 0 idle ("lookup-still"), then with thread 0 resizing
 * ("lookup-resize"), then (rcumap) the cost of a resize.
 */
static int bench_resize_size(u32 nr, struct bench_thread *t)
{
	u32 n = num_online_cpus(), round;
	struct bench_run run = {}, view;
	u64 errors = 0;
	int i, mode, err = 0;

	if (n < 2) {
		pr_info("resize benchmark: needs 2 CPUs\n");
		return 0;
	}
	run.entries = nr;
	run.ms = resize_ms;
	run.read_thresh = 1ULL << 32;
	run.work = bench_resize_work;
	for (round = 0; round < rounds && !err; round++) {
		for (i = 0; i < ARRAY_SIZE(bench_resize_impls) && !err; i++) {
			const struct bench_resize_impl *ri =
				&bench_resize_impls[i];
			const struct bench_hash_impl *hi =
				bench_hash_impl_named(ri->name);
			void *map;

			if (!bench_listed(bench_impls, ri->name))
				continue;
			map = bench_hash_fill_with(hi, ri->create, nr);
			if (IS_ERR(map)) {
				err = PTR_ERR(map);
				break;
			}
			run.map = map;
			run.lookups = hi->work;
			for (mode = 0; mode < 2 && !err; mode++) {
				bench_threads_init(&run, t, n);
				run.side = mode ? ri->side : bench_idle;
				err = bench_run_threads(&run);
				if (err)
					break;
				/* Report the readers only: threads 1 to n-1. */
				view = run;
				view.t = run.t + 1;
				view.nr_threads = n - 1;
				errors += bench_report(&view, "hash",
						       mode ? "lookup-resize" :
						       "lookup-still", ri->name,
						       round, true);
				errors += t[0].errors;
				if (mode)
					pr_info("resize: %s, %u keys, round %u: thread 0 did %llu %s in %u ms, %llu errors\n",
						ri->name, nr, round, t[0].ops,
						i ? "insert/delete cycles" :
						"resizes", resize_ms,
						t[0].errors);
			}
			if (!err && hi->settle)
				hi->settle(map);
			if (!err && !strcmp(ri->name, "rcumap"))
				err = bench_rcumap_resize_cost(map, nr, round);
			hi->destroy(map);
			rcu_barrier();
		}
	}
	if (!err && errors)
		err = -EIO;
	return err;
}

/* ---- Hash variants: per-CPU counters ---------------------------------- */

/*
 * Every thread increments the counter of a random key of a small hot set
 * (counter_keys keys, 8 bytes each, whatever key_size says), each key
 * shared by all CPUs:
 *
 * "percpu": rcumap_percpu_hash_lookup() under the RCU read lock, then
 * this_cpu_inc() on the key's per-CPU area; no CPU writes a line another
 * CPU writes.
 *
 * "atomic": rcumap_hash_lookup() under the RCU read lock, then
 * atomic64_inc() of the key's counter.  rcumap_hash values must not be
 * written, so the value is a pointer to the counter, which has a cache
 * line of its own; all CPUs write that line.
 *
 * "rht-atomic": rhashtable_lookup() under the RCU read lock, then
 * atomic64_inc() of the counter embedded in the object (one cache line
 * per object), the usual rhashtable pattern.
 *
 * No key is added or removed while the threads run; after each
 * measurement the counters must sum to the increments the threads made.
 */
struct bench_counter {
	atomic64_t count;
} ____cacheline_aligned_in_smp;

/* rcumap_hash + atomic64_t: the table and the counters its values name. */
struct bench_atomic {
	struct rcumap_hash *h;
	struct bench_counter *c;
	u32 nr;
};

struct bench_rht_ctr {
	struct rhash_head node;
	u64 key;
	atomic64_t count;
} ____cacheline_aligned_in_smp;

static const struct rhashtable_params bench_rht_ctr_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct bench_rht_ctr, key),
	.head_offset = offsetof(struct bench_rht_ctr, node),
};

/**
 * struct bench_counter_impl - A counter table under test.
 * @name: Its name in the output.
 * @create: Make a table of @nr keys, 0 to @nr - 1, counters at zero.
 * @destroy: Free it.  No thread uses it.
 * @sum: The sum of every key's counter.
 * @work: The thread loop.
 */
struct bench_counter_impl {
	const char *name;
	void *(*create)(u32 nr);
	void (*destroy)(void *map);
	u64 (*sum)(void *map, u32 nr);
	void (*work)(struct bench_thread *t);
};

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

static void *bench_percpu_create(u32 nr)
{
	struct rcumap_hash_params params = {
		.key_size = sizeof(u64),
		.value_size = sizeof(u64),
		.max_entries = nr,
	};
	struct rcumap_percpu_hash *ph;
	void *zeros;
	u64 key;
	int err = 0;

	ph = rcumap_percpu_hash_create(&params, GFP_KERNEL);
	if (IS_ERR(ph))
		return ph;
	zeros = kvzalloc(rcumap_percpu_hash_values_size(ph), GFP_KERNEL);
	if (!zeros) {
		err = -ENOMEM;
		goto out_destroy;
	}
	for (key = 0; key < nr && !err; key++)
		err = rcumap_percpu_hash_update(ph, &key, zeros, RCUMAP_NOEXIST,
						GFP_KERNEL);
	kvfree(zeros);
	if (!err)
		return ph;
out_destroy:
	rcumap_percpu_hash_destroy(ph);
	return ERR_PTR(err);
}

static void bench_percpu_destroy(void *map)
{
	rcumap_percpu_hash_destroy(map);
}

static u64 bench_percpu_sum(void *map, u32 nr)
{
	u64 key, sum = 0;
	int cpu;

	rcu_read_lock();
	for (key = 0; key < nr; key++) {
		u64 __percpu *area = rcumap_percpu_hash_lookup(map, &key);

		if (!area)
			continue;
		for_each_possible_cpu(cpu)
			sum += *per_cpu_ptr(area, cpu);
	}
	rcu_read_unlock();
	return sum;
}

static __always_inline bool bench_percpu_inc(void *map, u64 key)
{
	u64 __percpu *area;

	rcu_read_lock();
	area = rcumap_percpu_hash_lookup(map, &key);
	if (area)
		this_cpu_inc(*area);
	rcu_read_unlock();
	return area;
}

static void bench_percpu_work(struct bench_thread *t)
{
	bench_counter_loop(t, bench_percpu_inc);
}

static void bench_atomic_destroy(void *map)
{
	struct bench_atomic *a = map;

	/* No thread runs: nothing can reach a counter any more. */
	rcumap_hash_destroy(a->h);
	kfree(a->c);
	kfree(a);
}

static void *bench_atomic_create(u32 nr)
{
	struct rcumap_hash_params params = {
		.key_size = sizeof(u64),
		.value_size = sizeof(struct bench_counter *),
		.max_entries = nr,
	};
	struct bench_atomic *a = kzalloc(sizeof(*a), GFP_KERNEL);
	u64 key;
	int err = 0;

	if (!a)
		return ERR_PTR(-ENOMEM);
	a->nr = nr;
	a->c = kcalloc(nr, sizeof(*a->c), GFP_KERNEL);
	a->h = rcumap_hash_create(&params, GFP_KERNEL);
	if (IS_ERR(a->h)) {
		err = PTR_ERR(a->h);
		a->h = NULL;
	} else if (!a->c) {
		err = -ENOMEM;
	}
	for (key = 0; key < nr && !err; key++) {
		struct bench_counter *c = &a->c[key];

		err = rcumap_hash_update(a->h, &key, &c, RCUMAP_NOEXIST,
					 GFP_KERNEL);
	}
	if (!err)
		return a;
	if (a->h)
		rcumap_hash_destroy(a->h);
	kfree(a->c);
	kfree(a);
	return ERR_PTR(err);
}

static u64 bench_atomic_sum(void *map, u32 nr)
{
	struct bench_atomic *a = map;
	u64 sum = 0;
	u32 i;

	for (i = 0; i < a->nr; i++)
		sum += atomic64_read(&a->c[i].count);
	return sum;
}

static __always_inline bool bench_atomic_inc(void *map, u64 key)
{
	struct bench_atomic *a = map;
	struct bench_counter *c;
	const void *v;

	rcu_read_lock();
	v = rcumap_hash_lookup(a->h, &key);
	if (v) {
		memcpy(&c, v, sizeof(c));
		atomic64_inc(&c->count);
	}
	rcu_read_unlock();
	return v;
}

static void bench_atomic_work(struct bench_thread *t)
{
	bench_counter_loop(t, bench_atomic_inc);
}

static void bench_rht_ctr_destroy(void *map)
{
	struct rhashtable *ht = map;

	/* No thread runs: no reader can hold an object any more. */
	rhashtable_free_and_destroy(ht, bench_rht_free_obj, NULL);
	kfree(ht);
}

static void *bench_rht_ctr_create(u32 nr)
{
	struct rhashtable *ht = kzalloc(sizeof(*ht), GFP_KERNEL);
	u64 key;
	int err;

	if (!ht)
		return ERR_PTR(-ENOMEM);
	err = rhashtable_init(ht, &bench_rht_ctr_params);
	if (err) {
		kfree(ht);
		return ERR_PTR(err);
	}
	for (key = 0; key < nr && !err; key++) {
		struct bench_rht_ctr *obj = kzalloc(sizeof(*obj), GFP_KERNEL);

		if (!obj) {
			err = -ENOMEM;
			break;
		}
		obj->key = key;
		err = rhashtable_lookup_insert_fast(ht, &obj->node,
						    bench_rht_ctr_params);
		if (err)
			kfree(obj);
	}
	if (err) {
		bench_rht_ctr_destroy(ht);
		return ERR_PTR(err);
	}
	return ht;
}

static u64 bench_rht_ctr_sum(void *map, u32 nr)
{
	struct bench_rht_ctr *obj;
	u64 key, sum = 0;

	rcu_read_lock();
	for (key = 0; key < nr; key++) {
		obj = rhashtable_lookup(map, &key, bench_rht_ctr_params);
		if (obj)
			sum += atomic64_read(&obj->count);
	}
	rcu_read_unlock();
	return sum;
}

static __always_inline bool bench_rht_ctr_inc(void *map, u64 key)
{
	struct bench_rht_ctr *obj;

	rcu_read_lock();
	obj = rhashtable_lookup(map, &key, bench_rht_ctr_params);
	if (obj)
		atomic64_inc(&obj->count);
	rcu_read_unlock();
	return obj;
}

static void bench_rht_ctr_work(struct bench_thread *t)
{
	bench_counter_loop(t, bench_rht_ctr_inc);
}

static const struct bench_counter_impl bench_counter_impls[] = {
	{ "percpu", bench_percpu_create, bench_percpu_destroy,
	  bench_percpu_sum, bench_percpu_work },
	{ "atomic", bench_atomic_create, bench_atomic_destroy,
	  bench_atomic_sum, bench_atomic_work },
	{ "rht-atomic", bench_rht_ctr_create, bench_rht_ctr_destroy,
	  bench_rht_ctr_sum, bench_rht_ctr_work },
};

#define BENCH_NR_COUNTER	ARRAY_SIZE(bench_counter_impls)

/*
 * Make every counter table, then, in each round and at each thread
 * count, measure them one after the other ("counter", "inc").
 */
static int bench_counter_run(u32 nr, struct bench_thread *t)
{
	void *maps[BENCH_NR_COUNTER] = {};
	struct bench_run run = {};
	u64 errors = 0, expect[BENCH_NR_COUNTER] = {};
	int i, tc, err = 0;
	u32 round, j;

	for (i = 0; i < BENCH_NR_COUNTER; i++) {
		maps[i] = bench_counter_impls[i].create(nr);
		if (IS_ERR(maps[i])) {
			err = PTR_ERR(maps[i]);
			maps[i] = NULL;
			pr_err("counter %s: %d\n", bench_counter_impls[i].name,
			       err);
			goto out_destroy;
		}
	}
	run.entries = nr;
	for (round = 0; round < rounds && !err; round++) {
		for (tc = 0; tc < bench_nr_thread_counts() && !err; tc++) {
			for (i = 0; i < BENCH_NR_COUNTER; i++) {
				bench_threads_init(&run, t,
						   bench_thread_count(tc));
				run.map = maps[i];
				run.work = bench_counter_impls[i].work;
				err = bench_run_threads(&run);
				if (err)
					break;
				errors += bench_report(&run, "counter", "inc",
						       bench_counter_impls[i].name,
						       round, true);
				for (j = 0; j < run.nr_threads; j++)
					expect[i] += t[j].hits;
			}
		}
	}
	/* Every increment made must be in the counters. */
	for (i = 0; i < BENCH_NR_COUNTER && !err; i++) {
		u64 sum = bench_counter_impls[i].sum(maps[i], nr);

		if (sum != expect[i]) {
			pr_err("counter %s: counters sum to %llu, %llu increments made\n",
			       bench_counter_impls[i].name, sum, expect[i]);
			errors++;
		}
	}
out_destroy:
	for (i = 0; i < BENCH_NR_COUNTER; i++) {
		if (maps[i])
			bench_counter_impls[i].destroy(maps[i]);
	}
	rcu_barrier();
	if (!err && errors)
		err = -EIO;
	return err;
}

/* ---- Hash variants: LRU ----------------------------------------------- */

/*
 * Lookups ("lru", "lookup"): random keys of a full table of N keys, by
 * rcumap_lru_hash_lookup() ("lru"), which marks the key used on this CPU,
 * and by rcumap_hash_lookup() on an rcumap_hash of the same shape
 * ("rcumap"); both run bench_hash_loop() with lookups only and copy the
 * value out under the RCU read lock, as the "hash" lookups do.  The ratio
 * is the cost of the recency tags.
 *
 * Inserts with eviction ("lru", "insert-evict", "lru"): every thread
 * inserts keys never inserted before (from @run->key_base up, disjoint per
 * thread) with rcumap_lru_hash_update() into a second LRU table of N keys,
 * kept full, so that each insert evicts a key.
 * With more inserters between their insert and their eviction than the
 * LRU's slack, an insert may fail with -E2BIG, as documented, if the other
 * inserters take the room of each of its evictions; such inserts count as
 * operations, not as errors, and are printed apart.
 */
static void *bench_lru_create(u32 nr)
{
	struct rcumap_lru_hash_params params = {
		.hash = {
			.key_size = key_size,
			.value_size = value_size,
			.max_entries = nr,
		},
	};
	u8 key[BENCH_MAX_KEY_SIZE] __aligned(8) = {};
	u8 value[BENCH_MAX_VALUE_SIZE] __aligned(8);
	struct rcumap_lru_hash *lru;
	u32 i;
	int err = 0;

	lru = rcumap_lru_hash_create(&params, GFP_KERNEL);
	if (IS_ERR(lru))
		return lru;
	memset(value, 0x5a, sizeof(value));
	for (i = 0; i < nr && !err; i++) {
		bench_make_key(key, i);
		err = rcumap_lru_hash_update(lru, key, value, RCUMAP_NOEXIST,
					     GFP_KERNEL);
		if (!(i % 256))
			cond_resched();
	}
	if (!err)
		return lru;
	pr_err("lru: insert %u of %u: %d\n", i, nr, err);
	rcumap_lru_hash_destroy(lru);
	return ERR_PTR(err);
}

static __always_inline bool bench_lru_lookup(void *map, const void *key,
					     void *value)
{
	const void *v;

	rcu_read_lock();
	v = rcumap_lru_hash_lookup(map, key);
	if (v)
		memcpy(value, v, value_size);
	rcu_read_unlock();
	return v;
}

static int bench_lru_insert(void *map, const void *key, const void *value)
{
	return rcumap_lru_hash_update(map, key, value, RCUMAP_NOEXIST,
				      GFP_KERNEL);
}

static int bench_lru_remove(void *map, const void *key)
{
	return rcumap_lru_hash_delete(map, key);
}

/* The loop of the "hash" tables, with lookups only (read_thresh 2^32). */
static void bench_lru_lookup_work(struct bench_thread *t)
{
	bench_hash_loop(t, bench_lru_lookup, bench_lru_insert,
			bench_lru_remove);
}

static void bench_lru_evict_work(struct bench_thread *t)
{
	struct bench_run *run = t->run;
	u32 n = run->nr_threads, k = run->key_base + t->index;
	u64 ops = 0;
	u32 i;

	do {
		for (i = 0; i < BENCH_BATCH; i++, k += n) {
			int err;

			bench_make_key(t->key, k);
			err = rcumap_lru_hash_update(run->map, t->key, t->value,
						     RCUMAP_NOEXIST, GFP_KERNEL);
			/* -E2BIG: the others took the room; see above. */
			if (!err)
				t->hits++;
			else if (err != -E2BIG)
				t->errors++;
		}
		ops += BENCH_BATCH;
		cond_resched();
	} while (ktime_get_ns() < run->deadline_ns);
	t->ops = ops;
}

static int bench_lru_run(u32 nr, struct bench_thread *t)
{
	const struct bench_hash_impl *hi = bench_hash_impl_named("rcumap");
	struct rcumap_lru_hash_stats stats;
	struct bench_run run = {};
	void *lru, *evict, *plain;
	u64 errors = 0, most, full;
	int tc, err = 0;
	u32 round, j;

	lru = bench_lru_create(nr);
	if (IS_ERR(lru))
		return PTR_ERR(lru);
	evict = bench_lru_create(nr);
	if (IS_ERR(evict)) {
		err = PTR_ERR(evict);
		goto out_destroy_lru;
	}
	plain = bench_hash_fill(hi, nr);
	if (IS_ERR(plain)) {
		err = PTR_ERR(plain);
		goto out_destroy_evict;
	}
	run.entries = nr;
	run.key_base = nr;
	/* Both lookup loops: lookups only. */
	run.read_thresh = 1ULL << 32;
	for (round = 0; round < rounds && !err; round++) {
		for (tc = 0; tc < bench_nr_thread_counts() && !err; tc++) {
			u32 n = bench_thread_count(tc);

			bench_threads_init(&run, t, n);
			run.map = lru;
			run.work = bench_lru_lookup_work;
			err = bench_run_threads(&run);
			if (err)
				break;
			errors += bench_report(&run, "lru", "lookup", "lru",
					       round, true);

			bench_threads_init(&run, t, n);
			run.map = plain;
			run.work = hi->work;
			err = bench_run_threads(&run);
			if (err)
				break;
			errors += bench_report(&run, "lru", "lookup", "rcumap",
					       round, true);

			/* A table of its own: the lookups' keys stay. */
			bench_threads_init(&run, t, n);
			run.map = evict;
			run.work = bench_lru_evict_work;
			err = bench_run_threads(&run);
			if (err)
				break;
			errors += bench_report(&run, "lru", "insert-evict",
					       "lru", round, false);
			for (j = 0, full = 0; j < n; j++)
				full += t[j].ops - t[j].hits - t[j].errors;
			if (full)
				pr_info("lru insert-evict, %u thr, round %u: %llu inserts gave up with -E2BIG\n",
					n, round, full);
			/* Thread j inserted key_base + j + i * n, i < ops. */
			for (j = 0, most = 0; j < n; j++)
				most = max(most, t[j].ops);
			run.key_base += (u32)most * n;
		}
	}
	rcumap_lru_hash_get_stats(evict, &stats);
	pr_info("lru: %u keys: %llu evictions, %llu forced, %llu second chances, %u keys left\n",
		nr, stats.evictions, stats.forced, stats.second_chances,
		rcumap_lru_hash_count(evict));
	hi->destroy(plain);
out_destroy_evict:
	rcumap_lru_hash_destroy(evict);
out_destroy_lru:
	rcumap_lru_hash_destroy(lru);
	rcu_barrier();
	if (!err && errors)
		err = -EIO;
	return err;
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

/**
 * struct bench_ptab_impl - A process table under test.
 * @name: Its name in the output.
 * @create: Make an empty table for @entries live ids.
 * @destroy: Free an empty table.
 * @insert: Insert @obj; set *@id.
 * @remove: Remove the object of @id and return it, or NULL.
 * @work: The thread loop, bench_ptab_loop() with the table's functions.
 */
struct bench_ptab_impl {
	const char *name;
	void *(*create)(u32 entries);
	void (*destroy)(void *map);
	int (*insert)(void *map, struct bench_pobj *obj, u64 *id);
	struct bench_pobj *(*remove)(void *map, u64 id);
	void (*work)(struct bench_thread *t);
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

/* rcumap_ptab: lookups and updates take no lock. */

static void *bench_rptab_create(u32 nr)
{
	return rcumap_ptab_create(roundup_pow_of_two(max(2 * nr,
							 RCUMAP_PTAB_MIN_CAPACITY)),
				  GFP_KERNEL);
}

static void bench_rptab_destroy(void *map)
{
	rcumap_ptab_destroy(map);
}

static __always_inline bool bench_rptab_lookup(void *map, u64 id, u64 *value)
{
	struct rcumap_ptab_node *node;

	rcu_read_lock();
	node = rcumap_ptab_lookup(map, id);
	if (node)
		*value = READ_ONCE(container_of(node, struct bench_pobj,
						node)->value);
	rcu_read_unlock();
	return node;
}

static int bench_rptab_insert(void *map, struct bench_pobj *obj, u64 *id)
{
	u64 new_id;
	int err = rcumap_ptab_insert(map, &obj->node, &new_id);

	if (!err)
		WRITE_ONCE(*id, new_id);
	return err;
}

static struct bench_pobj *bench_rptab_remove(void *map, u64 id)
{
	struct rcumap_ptab_node *node = rcumap_ptab_remove(map, id);

	return node ? container_of(node, struct bench_pobj, node) : NULL;
}

static void bench_rptab_work(struct bench_thread *t)
{
	bench_ptab_loop(t, bench_rptab_lookup, bench_rptab_insert,
			bench_rptab_remove);
}

/* XArray: the xa_lock (a spinlock) inside xa_alloc_cyclic() and xa_erase(). */

struct bench_xa {
	struct xarray xa;
	u32 next;
};

static void *bench_xa_create(u32 nr)
{
	struct bench_xa *x = kzalloc(sizeof(*x), GFP_KERNEL);

	if (!x)
		return ERR_PTR(-ENOMEM);
	xa_init_flags(&x->xa, XA_FLAGS_ALLOC);
	return x;
}

static void bench_xa_destroy(void *map)
{
	struct bench_xa *x = map;

	xa_destroy(&x->xa);
	kfree(x);
}

static __always_inline bool bench_xa_lookup(void *map, u64 id, u64 *value)
{
	struct bench_xa *x = map;
	struct bench_pobj *obj;

	/* xa_load() takes the RCU read lock itself; the copy needs it too. */
	rcu_read_lock();
	obj = xa_load(&x->xa, id);
	if (obj)
		*value = READ_ONCE(obj->value);
	rcu_read_unlock();
	return obj;
}

static int bench_xa_insert(void *map, struct bench_pobj *obj, u64 *id)
{
	struct bench_xa *x = map;
	u32 new_id;
	int err;

	err = xa_alloc_cyclic(&x->xa, &new_id, obj, xa_limit_31b, &x->next,
			      GFP_KERNEL);
	if (err < 0)
		return err;
	WRITE_ONCE(*id, new_id);
	return 0;
}

static struct bench_pobj *bench_xa_remove(void *map, u64 id)
{
	struct bench_xa *x = map;

	return xa_erase(&x->xa, id);
}

static void bench_xa_work(struct bench_thread *t)
{
	bench_ptab_loop(t, bench_xa_lookup, bench_xa_insert, bench_xa_remove);
}

/*
 * IDR as the pid allocator uses it: lookups under the RCU read lock,
 * allocation and removal under a spinlock, memory preloaded outside it.
 */
struct bench_idr {
	struct idr idr;
	spinlock_t lock;	/* serialises idr_alloc_cyclic(), idr_remove() */
};

static void *bench_idr_create(u32 nr)
{
	struct bench_idr *d = kzalloc(sizeof(*d), GFP_KERNEL);

	if (!d)
		return ERR_PTR(-ENOMEM);
	idr_init(&d->idr);
	spin_lock_init(&d->lock);
	return d;
}

static void bench_idr_destroy(void *map)
{
	struct bench_idr *d = map;

	idr_destroy(&d->idr);
	kfree(d);
}

static __always_inline bool bench_idr_lookup(void *map, u64 id, u64 *value)
{
	struct bench_idr *d = map;
	struct bench_pobj *obj;

	rcu_read_lock();
	obj = idr_find(&d->idr, id);
	if (obj)
		*value = READ_ONCE(obj->value);
	rcu_read_unlock();
	return obj;
}

static int bench_idr_insert(void *map, struct bench_pobj *obj, u64 *id)
{
	struct bench_idr *d = map;
	int new_id;

	idr_preload(GFP_KERNEL);
	spin_lock(&d->lock);
	new_id = idr_alloc_cyclic(&d->idr, obj, 0, 0, GFP_NOWAIT);
	spin_unlock(&d->lock);
	idr_preload_end();
	if (new_id < 0)
		return new_id;
	WRITE_ONCE(*id, new_id);
	return 0;
}

static struct bench_pobj *bench_idr_remove(void *map, u64 id)
{
	struct bench_idr *d = map;
	struct bench_pobj *obj;

	spin_lock(&d->lock);
	obj = idr_remove(&d->idr, id);
	spin_unlock(&d->lock);
	return obj;
}

static void bench_idr_work(struct bench_thread *t)
{
	bench_ptab_loop(t, bench_idr_lookup, bench_idr_insert,
			bench_idr_remove);
}

static const struct bench_ptab_impl bench_ptab_impls[] = {
	{
		.name = "rcumap",
		.create = bench_rptab_create,
		.destroy = bench_rptab_destroy,
		.insert = bench_rptab_insert,
		.remove = bench_rptab_remove,
		.work = bench_rptab_work,
	}, {
		.name = "xarray",
		.create = bench_xa_create,
		.destroy = bench_xa_destroy,
		.insert = bench_xa_insert,
		.remove = bench_xa_remove,
		.work = bench_xa_work,
	}, {
		.name = "idr",
		.create = bench_idr_create,
		.destroy = bench_idr_destroy,
		.insert = bench_idr_insert,
		.remove = bench_idr_remove,
		.work = bench_idr_work,
	},
};

#define BENCH_NR_PTAB	ARRAY_SIZE(bench_ptab_impls)

/* Remove and free every live object, then destroy the table. */
static void bench_ptab_free(const struct bench_ptab_impl *pi,
			    struct bench_pmap *pm, u32 live)
{
	u32 i;

	for (i = 0; i < live; i++) {
		struct bench_pobj *obj = pi->remove(pm->map, pm->ids[i]);

		/* No thread runs, but kfree_rcu() costs nothing here. */
		if (obj)
			kfree_rcu(obj, rcu);
		if (!(i % 256))
			cond_resched();
	}
	pi->destroy(pm->map);
	kvfree(pm->ids);
	pm->map = NULL;
}

static int bench_ptab_fill(const struct bench_ptab_impl *pi,
			   struct bench_pmap *pm, u32 nr)
{
	u32 i;
	int err;

	pm->entries = nr;
	pm->ids = kvcalloc(nr, sizeof(*pm->ids), GFP_KERNEL);
	if (!pm->ids)
		return -ENOMEM;
	pm->map = pi->create(nr);
	if (IS_ERR(pm->map)) {
		err = PTR_ERR(pm->map);
		goto out_free_ids;
	}
	for (i = 0; i < nr; i++) {
		struct bench_pobj *obj = kmalloc(sizeof(*obj), GFP_KERNEL);

		err = -ENOMEM;
		if (obj) {
			obj->value = i;
			err = pi->insert(pm->map, obj, &pm->ids[i]);
			if (err)
				kfree(obj);
		}
		if (err) {
			pr_err("%s: insert %u of %u: %d\n", pi->name, i, nr,
			       err);
			bench_ptab_free(pi, pm, i);
			return err;
		}
		if (!(i % 256))
			cond_resched();
	}
	return 0;

out_free_ids:
	kvfree(pm->ids);
	pm->map = NULL;
	return err;
}

enum bench_ptab_workload {
	BENCH_PTAB_LOOKUP,	/* lookups of live ids */
	BENCH_PTAB_CHURN,	/* remove an id, insert an object */
	BENCH_PTAB_MIXED,	/* ptab_read_pct lookups, the rest churn */
	BENCH_PTAB_HOT,		/* every CPU looks up one id */
	BENCH_PTAB_NR_WORKLOADS,
};

static const char *const bench_ptab_workloads[] = {
	[BENCH_PTAB_LOOKUP] = "lookup",
	[BENCH_PTAB_CHURN] = "churn",
	[BENCH_PTAB_MIXED] = "mixed",
	[BENCH_PTAB_HOT] = "hot",
};

/* Measure every table in @pms with workload @w and @n threads. */
static int bench_ptab_point(struct bench_pmap *pms, struct bench_run *run,
			    struct bench_thread *t, int w, u32 n, u32 round,
			    u64 *errors)
{
	u32 pct = w == BENCH_PTAB_MIXED ? min(ptab_read_pct, 100U) :
		  w == BENCH_PTAB_CHURN ? 0 : 100;
	int i, err;

	run->read_thresh = div_u64((u64)pct << 32, 100);
	run->hot = w == BENCH_PTAB_HOT;
	for (i = 0; i < BENCH_NR_PTAB; i++) {
		if (!pms[i].map)
			continue;
		bench_threads_init(run, t, n);
		run->map = &pms[i];
		run->work = bench_ptab_impls[i].work;
		err = bench_run_threads(run);
		if (err)
			return err;
		*errors += bench_report(run, "ptab", bench_ptab_workloads[w],
					bench_ptab_impls[i].name, round,
					pct >= 100);
	}
	return 0;
}

static int bench_ptab_size(u32 nr, struct bench_thread *t)
{
	struct bench_pmap pms[BENCH_NR_PTAB] = {};
	struct bench_run run = {};
	u64 errors = 0;
	int i, w, tc, err = 0;
	u32 round;

	for (i = 0; i < BENCH_NR_PTAB; i++) {
		if (!bench_listed(bench_impls, bench_ptab_impls[i].name))
			continue;
		err = bench_ptab_fill(&bench_ptab_impls[i], &pms[i], nr);
		if (err)
			goto out_free;
	}

	run.entries = nr;
	/* Rounds outermost: a burst of load on the host hits one round. */
	for (round = 0; round < rounds && !err; round++) {
		for (w = 0; w < BENCH_PTAB_NR_WORKLOADS && !err; w++) {
			for (tc = 0; tc < bench_nr_thread_counts() && !err;
			     tc++)
				err = bench_ptab_point(pms, &run, t, w,
						       bench_thread_count(tc),
						       round, &errors);
		}
	}
out_free:
	for (i = 0; i < BENCH_NR_PTAB; i++) {
		if (pms[i].map)
			bench_ptab_free(&bench_ptab_impls[i], &pms[i], nr);
	}
	rcu_barrier();
	if (!err && errors)
		err = -EIO;
	return err;
}

/*
 * The cost of rcumap_ptab after churn with random frees, one thread: ids
 * used per insert, and a whole walk in id order per object returned (in
 * ns, and in loads of group counters, bitmap words and slots where the
 * KUnit hook that counts them is built in; -1 otherwise), once right
 * after the table was filled (every live id of one generation: the
 * typical walk) and once after the churn.  Reported, not judged;
 * kunit/ptab_kunit.c asserts the targets.  Part of map=worst.
 */
#define BENCH_PTAB_COST_CHURN	8	/* warm-up: this many x capacity */

struct bench_cost_obj {
	struct rcumap_ptab_node node;
};

/* Replace @times random objects: remove one, insert it again. */
static int bench_ptab_churn(struct rcumap_ptab *pt, struct bench_cost_obj *objs,
			    u64 *ids, u32 n, u64 times, u64 *rng)
{
	u64 i;

	for (i = 0; i < times; i++) {
		u32 j = bench_rand(rng) % n;

		/* No reader anywhere: the node may go back in at once. */
		if (rcumap_ptab_remove(pt, ids[j]) != &objs[j].node ||
		    rcumap_ptab_insert(pt, &objs[j].node, &ids[j]))
			return -EIO;
		if (!(i % 4096))
			cond_resched();
	}
	return 0;
}

/*
 * Walk all of @pt in id order, as a caller would, one rcumap_ptab_next()
 * per object; set *@ns_per_obj and *@loads_x100 (loads per object x 100,
 * or -1 without the KUnit hook).  Return: the objects walked.
 */
static u32 bench_ptab_walk(struct rcumap_ptab *pt, u64 *ns_per_obj,
			   s64 *loads_x100)
{
	struct rcumap_ptab_node *node;
	u32 walked = 0;
	u64 id, ns;

	ns = ktime_get_ns();
	for (id = 0;; id++) {
		rcu_read_lock();
		node = rcumap_ptab_next(pt, &id);
		rcu_read_unlock();
		if (!node)
			break;
		walked++;
	}
	ns = ktime_get_ns() - ns;
	*ns_per_obj = div_u64(ns, max(walked, 1U));
	*loads_x100 = -1;
#if IS_ENABLED(CONFIG_KUNIT)
	{
		u64 loads = 0;

		rcu_read_lock();
		for (id = 0;
		     rcumap_ptab_kunit_next_below(pt, &id, U64_MAX, &loads);
		     id++)
			;
		rcu_read_unlock();
		*loads_x100 = div_u64(loads * 100, max(walked, 1U));
	}
#endif
	return walked;
}

static int bench_ptab_cost(u32 capacity, u32 pct)
{
	u32 n = (u32)div_u64((u64)capacity * pct, 100), i;
	s64 loads_x100, fresh_loads_x100;
	struct bench_cost_obj *objs;
	struct rcumap_ptab *pt;
	u64 rng = 0x9e3779b97f4a7c15ULL, *ids, before, used, ns, fresh_ns;
	int err = -ENOMEM;

	pt = rcumap_ptab_create(capacity, GFP_KERNEL);
	if (IS_ERR(pt))
		return PTR_ERR(pt);
	objs = kvcalloc(n, sizeof(*objs), GFP_KERNEL);
	ids = kvcalloc(n, sizeof(*ids), GFP_KERNEL);
	if (!objs || !ids)
		goto out_free;
	memset(ids, 0xff, n * sizeof(*ids));	/* U64_MAX: not inserted */
	for (i = 0; i < n; i++) {
		err = rcumap_ptab_insert(pt, &objs[i].node, &ids[i]);
		if (err)
			goto out_drain;
	}
	if (bench_ptab_walk(pt, &fresh_ns, &fresh_loads_x100) != n) {
		err = -EIO;
		goto out_drain;
	}
	err = bench_ptab_churn(pt, objs, ids, n,
			       (u64)BENCH_PTAB_COST_CHURN * capacity, &rng);
	if (err)
		goto out_drain;
	before = rcumap_ptab_id_end(pt);
	err = bench_ptab_churn(pt, objs, ids, n, capacity, &rng);
	if (err)
		goto out_drain;
	used = rcumap_ptab_id_end(pt) - before;

	if (bench_ptab_walk(pt, &ns, &loads_x100) != n)
		err = -EIO;
	pr_info("RCUMAP_PTAB_COST,%u,%u,%llu,%llu,%lld,%llu,%lld\n", capacity,
		pct, div_u64(used * 100, capacity), ns, loads_x100, fresh_ns,
		fresh_loads_x100);
out_drain:
	for (i = 0; i < n; i++) {
		if (ids[i] != U64_MAX && !rcumap_ptab_remove(pt, ids[i]))
			err = -EIO;
	}
out_free:
	kvfree(ids);
	kvfree(objs);
	rcumap_ptab_destroy(pt);
	return err;
}

/* ---- Worst case: the bucket bound at work ----------------------------- */

/*
 * map=worst: the latency of single operations in a table of the worst
 * geometry a caller can create, beside the same operations in a table of
 * the default geometry, interleaved in one run: one thread on one CPU,
 * the others idle.  8-byte keys; the value size is worst_value_size.
 *
 * Typical: max_entries N (worst_entries), one bucket per entry (the
 * default), filled with N random keys.  Worst: the fewest buckets the
 * bound allows, rcumap_hash_buckets_for(N) = N / 64, filled by inserting
 * random keys and skipping those refused with -ENOSPC until it holds N:
 * then every bucket holds %RCUMAP_HASH_BUCKET_MAX keys and every operation
 * meets a bucket at the bound.  Any caller that may insert can do that;
 * it needs no test hook.
 *
 * The LRU tables: typical, max_entries N with the default geometry and
 * tags; worst, max_entries N - 1 in the same N / 64 buckets, so that the
 * one free place is the one the last eviction left, and a caller finds it
 * by trying keys until one is not refused with -ENOSPC (only the insert
 * that goes in is timed).  Two tables of each: "lru", whose keys are
 * never looked up (the hand evicts the first key it meets), and
 * "lru-used", with 16 N tags per CPU and every key looked up again before
 * the hand comes round (the new key at once, all of them every
 * N / 130 inserts), so that every eviction first passes
 * %RCUMAP_LRU_SCAN_LIMIT used keys, clearing their tags: the most work
 * one eviction does.
 *
 * Each operation is timed alone, ktime_get_ns() before and after.  Two
 * controls show what the measurement adds: "clock" times nothing, the
 * cost of the clock included in every sample, and "delay" times
 * udelay(worst_delay_us), a busy wait of a fixed length with no variance
 * of its own, so that its tail is what interrupts and the host (which
 * may deschedule the vCPU's thread) add to an operation of that length.
 * A sample is flagged if the thread was switched out during it (its
 * context switch counts moved: preempted by a worker, or asleep in an
 * allocation), and if its CPU took an interrupt or ran softirqs (the
 * CPU's counts moved; the thread is bound to it); each cell also reports
 * the p99, p99.9 and maximum of its quiet samples, those with neither.
 * What is left in a quiet sample is the operation and whatever the host
 * took from the vCPU meanwhile, which the guest cannot see.
 *
 * The operations run in passes: in each, a chunk of BENCH_WORST_CHUNK
 * samples of every operation, in the typical and then in the worst table,
 * until worst_samples samples or worst_ms have gone by; both geometries of
 * an operation have the same number of samples.
 */
#define BENCH_WORST_CHUNK	16
/* Present and new keys have bit 63 clear, keys that must miss have it set. */
#define BENCH_WORST_ABSENT	BIT_ULL(63)

enum bench_worst_op {
	BENCH_WORST_CLOCK,
	BENCH_WORST_DELAY,
	BENCH_WORST_HIT,
	BENCH_WORST_MISS,
	BENCH_WORST_REPLACE,
	BENCH_WORST_DELETE,
	BENCH_WORST_INSERT,	/* sampled with BENCH_WORST_DELETE */
	BENCH_WORST_LRU,
	BENCH_WORST_LRU_USED,
	BENCH_WORST_NR_OPS,
};

static const char *const bench_worst_ops[] = {
	[BENCH_WORST_CLOCK] = "clock",
	[BENCH_WORST_DELAY] = "delay",
	[BENCH_WORST_HIT] = "hit",
	[BENCH_WORST_MISS] = "miss",
	[BENCH_WORST_REPLACE] = "replace",
	[BENCH_WORST_DELETE] = "delete",
	[BENCH_WORST_INSERT] = "insert",
	[BENCH_WORST_LRU] = "lru",
	[BENCH_WORST_LRU_USED] = "lru-used",
};

static const char *const bench_worst_geos[] = { "typical", "worst" };

/*
 * A sample's flags: the thread was switched out during the operation; its
 * CPU took an interrupt or ran softirqs.  The rest is the latency in ns.
 */
#define BENCH_WORST_SWITCHED	BIT(31)
#define BENCH_WORST_INTERRUPTED	BIT(30)
#define BENCH_WORST_FLAGS	(BENCH_WORST_SWITCHED | BENCH_WORST_INTERRUPTED)
#define BENCH_WORST_NS_MASK	(BENCH_WORST_INTERRUPTED - 1)

/**
 * struct bench_worst_cell - The samples of one operation in one geometry.
 * @ns: Latencies in ns (at most %BENCH_WORST_NS_MASK), each with its
 *	%BENCH_WORST_FLAGS.
 * @n: Samples taken.
 * @switched: Samples with %BENCH_WORST_SWITCHED.
 * @interrupted: Samples with %BENCH_WORST_INTERRUPTED.
 * @quiet: Samples with neither.
 * @errors: Operations that failed, and lookups that did not find what
 *	they had to.
 */
struct bench_worst_cell {
	u32 *ns;
	u32 n;
	u32 switched;
	u32 interrupted;
	u32 quiet;
	u64 errors;
};

/*
 * When a sample started: the clock, the thread's context switches and its
 * CPU's interrupts and softirqs.
 */
struct bench_worst_stamp {
	u64 t0;
	unsigned long csw;
	unsigned long irqs;
};

/**
 * struct bench_worst_geo - The tables of one geometry.
 * @h: Hash table, full.
 * @keys: The keys in @h (always the same ones).
 * @lru: LRU tables, full: [0] keys never looked up, [1] all looked up.
 * @since_mark: Inserts into @lru[1] since all its keys were looked up.
 */
struct bench_worst_geo {
	struct rcumap_hash *h;
	u64 *keys;
	struct rcumap_lru_hash *lru[2];
	u32 since_mark;
};

/**
 * struct bench_worst - One value size of the worst-case benchmark.
 * @geo: [0] typical, [1] worst.
 * @cell: Samples, per operation and geometry.
 * @value_size: Bytes per value.
 * @value: A value to store.
 * @out: Where lookups copy the value.
 * @rng: Random numbers, for keys.
 */
struct bench_worst {
	struct bench_worst_geo geo[2];
	struct bench_worst_cell cell[BENCH_WORST_NR_OPS][2];
	u32 value_size;
	u8 *value;
	u8 *out;
	u64 rng;
};

static inline u64 bench_worst_key(struct bench_worst *w)
{
	return bench_rand(&w->rng) & ~BENCH_WORST_ABSENT;
}

/*
 * Random keys to try for one insert: in the worst LRU table one bucket in
 * N / 64 has room, so 64 times that many fail with probability e^-64.
 */
static inline u32 bench_worst_tries(void)
{
	return 64 * rcumap_hash_buckets_for(worst_entries);
}

static inline unsigned long bench_worst_csw(void)
{
	return READ_ONCE(current->nvcsw) + READ_ONCE(current->nivcsw);
}

/*
 * Interrupts and softirqs this CPU has handled: the generic counts, and on
 * x86 the local APIC's timer, rescheduling and call-function vectors,
 * which bypass them.  The thread is bound to its CPU, so the CPU is the
 * same before and after an operation.
 */
static unsigned long bench_worst_irqs(void)
{
	unsigned int cpu = raw_smp_processor_id(), i;
	unsigned long sum = kstat_cpu_irqs_sum(cpu);

	for (i = 0; i < NR_SOFTIRQS; i++)
		sum += kstat_softirqs_cpu(i, cpu);
#ifdef CONFIG_X86_LOCAL_APIC
	sum += per_cpu(irq_stat, cpu).apic_timer_irqs;
#endif
#if defined(CONFIG_X86) && defined(CONFIG_SMP)
	sum += per_cpu(irq_stat, cpu).irq_resched_count +
	       per_cpu(irq_stat, cpu).irq_call_count;
#endif
	return sum;
}

static inline void bench_worst_start(struct bench_worst_stamp *s)
{
	s->csw = bench_worst_csw();
	s->irqs = bench_worst_irqs();
	s->t0 = ktime_get_ns();
}

/* Take the sample begun at @s; the counters are read outside the timing. */
static void bench_worst_record(struct bench_worst_cell *c,
			       const struct bench_worst_stamp *s)
{
	u64 ns = ktime_get_ns() - s->t0;
	u32 sample = min_t(u64, ns, BENCH_WORST_NS_MASK);

	if (bench_worst_csw() != s->csw) {
		sample |= BENCH_WORST_SWITCHED;
		c->switched++;
	}
	if (bench_worst_irqs() != s->irqs) {
		sample |= BENCH_WORST_INTERRUPTED;
		c->interrupted++;
	}
	if (!(sample & BENCH_WORST_FLAGS))
		c->quiet++;
	c->ns[c->n++] = sample;
}

static int bench_worst_hash_insert(void *map, const void *key,
				   const void *value)
{
	return rcumap_hash_update(map, key, value, RCUMAP_NOEXIST, GFP_KERNEL);
}

static u32 bench_worst_hash_count(void *map)
{
	return rcumap_hash_count(map);
}

static int bench_worst_lru_insert(void *map, const void *key,
				  const void *value)
{
	return rcumap_lru_hash_update(map, key, value, RCUMAP_NOEXIST,
				      GFP_KERNEL);
}

static u32 bench_worst_lru_count(void *map)
{
	return rcumap_lru_hash_count(map);
}

/*
 * Insert random keys into @map until it holds @target, skipping keys
 * whose bucket is full (-ENOSPC) and, unlikely, keys already there;
 * store them in @keys if not NULL.
 */
static int bench_worst_fill(struct bench_worst *w, void *map,
			    int (*insert)(void *map, const void *key,
					  const void *value),
			    u32 (*count)(void *map), u32 target, u64 *keys)
{
	u64 tries = 0, key;
	u32 n = 0;
	int err;

	while (count(map) < target) {
		if (++tries > (u64)bench_worst_tries() * target)
			return -ENOSPC;
		key = bench_worst_key(w);
		err = insert(map, &key, w->value);
		if (err == -ENOSPC || err == -EEXIST)
			continue;
		if (err)
			return err;
		if (keys)
			keys[n] = key;
		if (!(++n % 256))
			cond_resched();
	}
	return 0;
}

/* The longest bucket of @h; *@at_bound: buckets of RCUMAP_HASH_BUCKET_MAX keys. */
static noinline_for_stack u32
bench_worst_longest(const struct rcumap_hash *h, u32 *at_bound)
{
	u32 hist[RCUMAP_HASH_BUCKET_MAX + 1] = {}, cursor = 0, longest = 0;
	int nr;

	do {
		nr = rcumap_hash_bucket_stats(h, &cursor, 1024, hist,
					      ARRAY_SIZE(hist), &longest);
		cond_resched();
	} while (nr > 0 && cursor < nr);
	*at_bound = hist[RCUMAP_HASH_BUCKET_MAX];
	return longest;
}

/* Look up every key of @lru: each is marked used on this CPU. */
static void bench_worst_mark_all(struct rcumap_lru_hash *lru)
{
	u64 key;
	u32 n = 0;
	int err;

	for (err = rcumap_lru_hash_walk_after(lru, NULL, &key, NULL); !err;
	     err = rcumap_lru_hash_walk_after(lru, &key, &key, NULL)) {
		rcu_read_lock();
		rcumap_lru_hash_lookup(lru, &key);
		rcu_read_unlock();
		if (!(++n % 256))
			cond_resched();
	}
}

static int bench_worst_setup(struct bench_worst *w, int g)
{
	struct bench_worst_geo *geo = &w->geo[g];
	u32 n = worst_entries, buckets = rcumap_hash_buckets_for(n), used;
	struct rcumap_lru_hash_params lp = {
		.hash = {
			.key_size = sizeof(u64),
			.value_size = w->value_size,
			.max_entries = g ? n - 1 : n,
			.nr_buckets = g ? buckets : 0,
		},
	};
	struct rcumap_hash_params hp = lp.hash;
	u32 longest, at_bound;
	int err;

	hp.max_entries = n;
	geo->keys = kvcalloc(n, sizeof(*geo->keys), GFP_KERNEL);
	if (!geo->keys)
		return -ENOMEM;
	geo->h = rcumap_hash_create(&hp, GFP_KERNEL);
	if (IS_ERR(geo->h)) {
		err = PTR_ERR(geo->h);
		geo->h = NULL;
		return err;
	}
	err = bench_worst_fill(w, geo->h, bench_worst_hash_insert,
			       bench_worst_hash_count, n, geo->keys);
	if (err)
		return err;
	for (used = 0; used < 2; used++) {
		lp.nr_tags = used ? min_t(u32, 16 * n, RCUMAP_LRU_MAX_TAGS) : 0;
		geo->lru[used] = rcumap_lru_hash_create(&lp, GFP_KERNEL);
		if (IS_ERR(geo->lru[used])) {
			err = PTR_ERR(geo->lru[used]);
			geo->lru[used] = NULL;
			return err;
		}
		err = bench_worst_fill(w, geo->lru[used],
				       bench_worst_lru_insert,
				       bench_worst_lru_count,
				       lp.hash.max_entries, NULL);
		if (err)
			return err;
		if (used)
			bench_worst_mark_all(geo->lru[used]);
	}
	longest = bench_worst_longest(geo->h, &at_bound);
	pr_info("worst: %s, %u-byte values: %u keys in %u buckets, longest %u, %u at the bound\n",
		bench_worst_geos[g], w->value_size, rcumap_hash_count(geo->h),
		rcumap_hash_nr_buckets(geo->h), longest, at_bound);
	return 0;
}

static void bench_worst_teardown(struct bench_worst *w)
{
	struct rcumap_lru_hash_stats st;
	int g, used;

	for (g = 0; g < 2; g++) {
		struct bench_worst_geo *geo = &w->geo[g];

		for (used = 0; used < 2; used++) {
			if (!geo->lru[used])
				continue;
			rcumap_lru_hash_get_stats(geo->lru[used], &st);
			pr_info("worst: %s %s, %u-byte values: %llu evictions, %llu forced, %llu second chances\n",
				bench_worst_geos[g],
				bench_worst_ops[BENCH_WORST_LRU + used],
				w->value_size, st.evictions, st.forced,
				st.second_chances);
			rcumap_lru_hash_destroy(geo->lru[used]);
		}
		rcumap_hash_destroy(geo->h);
		kvfree(geo->keys);
	}
}

/* One lookup of @key in @h, timed into @c; must find it iff @present. */
static void bench_worst_lookup(struct bench_worst *w, struct bench_worst_cell *c,
			       struct rcumap_hash *h, u64 key, bool present)
{
	struct bench_worst_stamp st;
	const void *v;

	bench_worst_start(&st);
	rcu_read_lock();
	v = rcumap_hash_lookup(h, &key);
	if (v)
		memcpy(w->out, v, w->value_size);
	rcu_read_unlock();
	bench_worst_record(c, &st);
	if (!v != !present)
		c->errors++;
}

/* An insert of a new key into a full LRU table, timed into @c. */
static void bench_worst_lru(struct bench_worst *w, struct bench_worst_cell *c,
			    struct bench_worst_geo *geo, bool used)
{
	struct rcumap_lru_hash *lru = geo->lru[used];
	struct bench_worst_stamp st = {};
	int err = -ENOSPC;
	u32 tries;
	u64 key;

	/* Worst geometry: one bucket has room; try keys until one fits. */
	for (tries = 0; tries < bench_worst_tries(); tries++) {
		key = bench_worst_key(w);
		bench_worst_start(&st);
		err = rcumap_lru_hash_update(lru, &key, w->value,
					     RCUMAP_NOEXIST, GFP_KERNEL);
		if (err != -ENOSPC && err != -EEXIST)
			break;
	}
	if (err) {
		c->errors++;
		return;
	}
	bench_worst_record(c, &st);
	if (!used)
		return;
	/* Keep every key ahead of the hand used (see above). */
	rcu_read_lock();
	rcumap_lru_hash_lookup(lru, &key);
	rcu_read_unlock();
	if (++geo->since_mark >= max(worst_entries / 130, 1U)) {
		bench_worst_mark_all(lru);
		geo->since_mark = 0;
	}
}

/* One sample of @op in geometry @g (two for a delete and its insert). */
static void bench_worst_step(struct bench_worst *w, int op, int g)
{
	struct bench_worst_cell *c = &w->cell[op][g];
	struct bench_worst_geo *geo = &w->geo[g];
	u64 key = geo->keys[bench_below(bench_rand(&w->rng), worst_entries)];
	struct bench_worst_stamp st;

	switch (op) {
	case BENCH_WORST_CLOCK:
		bench_worst_start(&st);
		bench_worst_record(c, &st);
		break;
	case BENCH_WORST_DELAY:
		bench_worst_start(&st);
		udelay(worst_delay_us);
		bench_worst_record(c, &st);
		break;
	case BENCH_WORST_HIT:
		bench_worst_lookup(w, c, geo->h, key, true);
		break;
	case BENCH_WORST_MISS:
		bench_worst_lookup(w, c, geo->h,
				   bench_rand(&w->rng) | BENCH_WORST_ABSENT,
				   false);
		break;
	case BENCH_WORST_REPLACE:
		w->value[0]++;
		bench_worst_start(&st);
		if (rcumap_hash_update(geo->h, &key, w->value, RCUMAP_EXIST,
				       GFP_KERNEL))
			c->errors++;
		bench_worst_record(c, &st);
		break;
	case BENCH_WORST_DELETE:
		bench_worst_start(&st);
		if (rcumap_hash_delete(geo->h, &key))
			c->errors++;
		bench_worst_record(c, &st);
		c = &w->cell[BENCH_WORST_INSERT][g];
		bench_worst_start(&st);
		if (rcumap_hash_update(geo->h, &key, w->value, RCUMAP_NOEXIST,
				       GFP_KERNEL))
			c->errors++;
		bench_worst_record(c, &st);
		break;
	case BENCH_WORST_LRU:
	case BENCH_WORST_LRU_USED:
		bench_worst_lru(w, c, geo, op == BENCH_WORST_LRU_USED);
		break;
	}
}

/* Order samples by latency, whatever their flag. */
static int bench_worst_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a & BENCH_WORST_NS_MASK;
	u32 y = *(const u32 *)b & BENCH_WORST_NS_MASK;

	return x < y ? -1 : x > y;
}

/*
 * The sample of rank ceil(@q / 1000 * m) among the m samples of the
 * sorted @c, all of them or (@quiet) those without flags; 0 if there are
 * none.  O(n).
 */
static u32 bench_worst_pct(const struct bench_worst_cell *c, u32 q, bool quiet)
{
	u32 m = quiet ? c->quiet : c->n, rank, i;
	u32 skip = quiet ? BENCH_WORST_FLAGS : 0;

	if (!m)
		return 0;
	rank = clamp_t(u32, DIV_ROUND_UP_ULL((u64)m * q, 1000), 1, m);
	for (i = 0; i < c->n; i++) {
		if (c->ns[i] & skip)
			continue;
		if (!--rank)
			return c->ns[i] & BENCH_WORST_NS_MASK;
	}
	return 0;
}

/* Sort and print one cell; return its errors. */
static u64 bench_worst_report(struct bench_worst *w, int op, int g)
{
	struct bench_worst_cell *c = &w->cell[op][g];
	u64 sum = 0;
	u32 i;

	if (!c->n)
		return c->errors + 1;
	sort(c->ns, c->n, sizeof(*c->ns), bench_worst_cmp, NULL);
	for (i = 0; i < c->n; i++)
		sum += c->ns[i] & BENCH_WORST_NS_MASK;
	pr_info("RCUMAP_LAT,%s,%s,%u,%u,%u,%llu,%u,%u,%u,%u,%llu,%u,%u,%u,%u,%u,%u\n",
		bench_worst_ops[op], bench_worst_geos[g], worst_entries,
		w->value_size, c->n, div_u64(sum, c->n),
		bench_worst_pct(c, 500, false), bench_worst_pct(c, 990, false),
		bench_worst_pct(c, 999, false), bench_worst_pct(c, 1000, false),
		c->errors, c->switched, c->interrupted, c->quiet,
		bench_worst_pct(c, 990, true), bench_worst_pct(c, 999, true),
		bench_worst_pct(c, 1000, true));
	pr_info("RCUMAP_BENCH,worst,%s-v%u,%s,%u,1,0,%u,%llu,%llu,%llu\n",
		bench_worst_ops[op], w->value_size, bench_worst_geos[g],
		worst_entries, c->n, sum,
		div64_u64((u64)c->n * NSEC_PER_SEC, sum ?: 1), c->errors);
	if (c->errors)
		pr_err("worst %s %s: %llu errors\n", bench_worst_ops[op],
		       bench_worst_geos[g], c->errors);
	return c->errors;
}

/* The thread: passes over every operation, until the samples or time end. */
static void bench_worst_work(struct bench_thread *t)
{
	struct bench_worst *w = t->run->map;
	u64 deadline = ktime_get_ns() + (u64)worst_ms * NSEC_PER_MSEC;
	int op, g, i;

	while (w->cell[0][0].n + BENCH_WORST_CHUNK <= worst_samples &&
	       ktime_get_ns() < deadline) {
		for (op = 0; op < BENCH_WORST_NR_OPS; op++) {
			if (op == BENCH_WORST_INSERT)
				continue;
			for (g = 0; g < 2; g++) {
				for (i = 0; i < BENCH_WORST_CHUNK; i++)
					bench_worst_step(w, op, g);
				cond_resched();
			}
		}
		t->ops++;
		/* Large values: let the retired buckets go. */
		if (w->value_size > 512)
			synchronize_rcu();
	}
}

static int bench_worst_size(u32 vsize, struct bench_thread *t)
{
	struct bench_run run = {};
	struct bench_worst *w;
	u64 errors = 0, start = ktime_get_ns();
	int op, g, err = -ENOMEM;

	w = kvzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->value_size = vsize;
	w->rng = get_random_u64() | 1;
	w->value = kzalloc(vsize + 1, GFP_KERNEL);
	w->out = kzalloc(vsize + 1, GFP_KERNEL);
	if (!w->value || !w->out)
		goto out_free;
	for (op = 0; op < BENCH_WORST_NR_OPS; op++) {
		for (g = 0; g < 2; g++) {
			w->cell[op][g].ns = kvcalloc(worst_samples, sizeof(u32),
						     GFP_KERNEL);
			if (!w->cell[op][g].ns)
				goto out_free;
		}
	}
	err = 0;
	for (g = 0; g < 2 && !err; g++) {
		err = bench_worst_setup(w, g);
		if (err)
			pr_err("worst: %s setup, %u-byte values: %d\n",
			       bench_worst_geos[g], vsize, err);
	}
	if (err)
		goto out_teardown;
	pr_info("worst: %u-byte values: tables filled in %llu ms\n", vsize,
		div_u64(ktime_get_ns() - start, NSEC_PER_MSEC));

	run.entries = worst_entries;
	run.map = w;
	run.work = bench_worst_work;
	bench_threads_init(&run, t, 1);
	start = ktime_get_ns();
	err = bench_run_threads(&run);
	if (err)
		goto out_teardown;
	pr_info("worst: %u-byte values: %llu passes in %llu ms\n", vsize,
		t[0].ops, div_u64(ktime_get_ns() - start, NSEC_PER_MSEC));
	for (op = 0; op < BENCH_WORST_NR_OPS; op++) {
		for (g = 0; g < 2; g++)
			errors += bench_worst_report(w, op, g);
	}
	if (errors)
		err = -EIO;
out_teardown:
	bench_worst_teardown(w);
out_free:
	for (op = 0; op < BENCH_WORST_NR_OPS; op++) {
		for (g = 0; g < 2; g++)
			kvfree(w->cell[op][g].ns);
	}
	kfree(w->out);
	kfree(w->value);
	kvfree(w);
	rcu_barrier();
	return err;
}

/* ---- Module ----------------------------------------------------------- */

static bool bench_in(const unsigned int *list, int n, unsigned int v)
{
	int i;

	for (i = 0; i < n; i++) {
		if (list[i] == v)
			return true;
	}
	return false;
}

static int bench_check_params(void)
{
	int i;

	if (key_size < 4 || key_size > BENCH_MAX_KEY_SIZE ||
	    value_size > BENCH_MAX_VALUE_SIZE || !ms || !resize_ms || !rounds) {
		pr_err("key_size 4..%u, value_size 0..%u, ms, resize_ms and rounds > 0\n",
		       BENCH_MAX_KEY_SIZE, BENCH_MAX_VALUE_SIZE);
		return -EINVAL;
	}
	for (i = 0; i < nr_threads; i++) {
		if (!threads[i] || threads[i] > num_online_cpus()) {
			pr_err("threads: 1 to %u each\n", num_online_cpus());
			return -EINVAL;
		}
	}
	for (i = 0; i < nr_entries; i++) {
		if (entries[i] < 1 || entries[i] > BENCH_MAX_ENTRIES)
			goto bad_entries;
	}
	for (i = 0; i < nr_mem_entries; i++) {
		if (mem_entries[i] < 1 || mem_entries[i] > BENCH_MAX_ENTRIES)
			goto bad_entries;
	}
	for (i = 0; i < nr_ptab_entries; i++) {
		if (ptab_entries[i] < 1 || ptab_entries[i] > BENCH_MAX_ENTRIES)
			goto bad_entries;
	}
	if (!counter_keys || counter_keys > BENCH_MAX_ENTRIES ||
	    !lru_entries || lru_entries > BENCH_MAX_ENTRIES)
		goto bad_entries;
	for (i = 0; i < nr_resize_entries; i++) {
		if (resize_entries[i] < 4 ||
		    resize_entries[i] > BENCH_MAX_ENTRIES / 4)
			goto bad_entries;
	}
	for (i = 0; i < nr_worst_value_size; i++) {
		if (worst_value_size[i] > RCUMAP_HASH_MAX_VALUE_SIZE) {
			pr_err("worst_value_size: 0 to %u each\n",
			       RCUMAP_HASH_MAX_VALUE_SIZE);
			return -EINVAL;
		}
	}
	if (worst_entries < 2 * RCUMAP_HASH_BUCKET_MAX ||
	    worst_entries > BENCH_MAX_ENTRIES ||
	    worst_entries % RCUMAP_HASH_BUCKET_MAX ||
	    worst_samples < BENCH_WORST_CHUNK || !worst_ms ||
	    worst_delay_us > 1000) {
		pr_err("worst_entries: a multiple of %u, %u to %u; worst_samples >= %u; worst_ms > 0; worst_delay_us <= 1000\n",
		       RCUMAP_HASH_BUCKET_MAX, 2 * RCUMAP_HASH_BUCKET_MAX,
		       BENCH_MAX_ENTRIES, BENCH_WORST_CHUNK);
		return -EINVAL;
	}
	return 0;

bad_entries:
	pr_err("entries: 1 to %u each (resize_entries: 4 to %u)\n",
	       BENCH_MAX_ENTRIES, BENCH_MAX_ENTRIES / 4);
	return -EINVAL;
}

static int __init rcumap_bench_init(void)
{
	struct bench_thread *t;
	int i, err;

	err = bench_check_params();
	if (err)
		return err;
	t = kcalloc(num_online_cpus(), sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;

	pr_info("RCUMAP_BENCH_CONFIG,%u,%u,%u,%u\n", key_size, value_size, ms,
		num_online_cpus());
	if (bench_listed(bench_maps, "hash")) {
		for (i = 0; i < nr_entries && !err; i++)
			err = bench_hash_size(entries[i], true, t);
	}
	if (bench_listed(bench_maps, "hash") &&
	    bench_listed(bench_impls, "counter") && !err)
		err = bench_counter_run(counter_keys, t);
	if (bench_listed(bench_maps, "hash") &&
	    bench_listed(bench_impls, "lru") && !err)
		err = bench_lru_run(lru_entries, t);
	if (bench_listed(bench_maps, "mem")) {
		for (i = 0; i < nr_mem_entries && !err; i++) {
			if (bench_listed(bench_maps, "hash") &&
			    bench_in(entries, nr_entries, mem_entries[i]))
				continue;
			err = bench_hash_size(mem_entries[i], false, t);
		}
	}
	if (bench_listed(bench_maps, "ptab")) {
		for (i = 0; i < nr_ptab_entries && !err; i++)
			err = bench_ptab_size(ptab_entries[i], t);
	}
	if (bench_listed(bench_maps, "resize")) {
		for (i = 0; i < nr_resize_entries && !err; i++)
			err = bench_resize_size(resize_entries[i], t);
	}
	if (bench_listed(bench_maps, "worst")) {
		for (i = 0; i < nr_worst_value_size && !err; i++)
			err = bench_worst_size(worst_value_size[i], t);
		for (i = 0; i < 4 && !err; i++)
			err = bench_ptab_cost(i < 2 ? 4096 : 65536,
					      i % 2 ? 90 : 50);
	}
	kfree(t);
	pr_info("RCUMAP_BENCH_DONE,%d\n", err);
	return err;
}

static void __exit rcumap_bench_exit(void)
{
	/* Objects still waiting in kfree_rcu() need no code of ours. */
	rcu_barrier();
}

module_init(rcumap_bench_init);
module_exit(rcumap_bench_exit);

MODULE_DESCRIPTION("Benchmark of rcumap's maps against the kernel's peers");
MODULE_LICENSE("GPL");
