// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_bench.ko: its parameters, and module init, which runs every
 * benchmark asked for.
 *
 * Loading the module runs the whole benchmark from module init and prints
 * one line per measurement (see bench.h); the module then stays loaded,
 * idle, until it is removed.  If any operation failed, init returns -EIO
 * instead.
 */
#include "bench.h"

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

unsigned int bench_key_size = 8;
module_param_named(key_size, bench_key_size, uint, 0444);
MODULE_PARM_DESC(key_size, "Hash table key size in bytes, 4 to 64 (default 8)");

unsigned int bench_value_size = 8;
module_param_named(value_size, bench_value_size, uint, 0444);
MODULE_PARM_DESC(value_size,
		 "Hash table value size in bytes, 0 to 512 (default 8)");

unsigned int bench_threads[BENCH_MAX_LIST];
int bench_nr_threads;
module_param_array_named(threads, bench_threads, uint, &bench_nr_threads, 0444);
MODULE_PARM_DESC(threads,
		 "Thread counts to measure, each at most the online CPUs (default 1 to the online CPUs)");

unsigned int bench_ms = 500;
module_param_named(ms, bench_ms, uint, 0444);
MODULE_PARM_DESC(ms, "Duration of each measurement in milliseconds (default 500)");

unsigned int bench_rounds = 1;
module_param_named(rounds, bench_rounds, uint, 0444);
MODULE_PARM_DESC(rounds,
		 "Times each measurement is repeated, implementations interleaved (default 1)");

unsigned int bench_read_pct[BENCH_MAX_LIST] = { 100, 99, 90, 70 };
int bench_nr_read_pct = 4;
module_param_array_named(read_pct, bench_read_pct, uint, &bench_nr_read_pct,
			 0444);
MODULE_PARM_DESC(read_pct,
		 "Hash table mixes, as percent lookups; the rest are updates (default 100,99,90,70)");

unsigned int bench_ptab_read_pct = 90;
module_param_named(ptab_read_pct, bench_ptab_read_pct, uint, 0444);
MODULE_PARM_DESC(ptab_read_pct,
		 "Percent lookups of the process tables' mixed workload (default 90)");

static unsigned int resize_entries[BENCH_MAX_LIST] = { 16384 };
static int nr_resize_entries = 1;
module_param_array(resize_entries, uint, &nr_resize_entries, 0444);
MODULE_PARM_DESC(resize_entries,
		 "Keys in each table of the resize benchmark (default 16384)");

unsigned int bench_resize_ms = 1000;
module_param_named(resize_ms, bench_resize_ms, uint, 0444);
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

unsigned int bench_worst_entries = 4096;
module_param_named(worst_entries, bench_worst_entries, uint, 0444);
MODULE_PARM_DESC(worst_entries,
		 "Worst-case benchmark (map=worst): max_entries of its hash tables, a multiple of 64 (default 4096)");

static unsigned int worst_value_size[BENCH_MAX_LIST] = { 8 };
static int nr_worst_value_size = 1;
module_param_array(worst_value_size, uint, &nr_worst_value_size, 0444);
MODULE_PARM_DESC(worst_value_size,
		 "Worst-case benchmark: value sizes in bytes, each measured in turn (default 8)");

unsigned int bench_worst_samples = 16384;
module_param_named(worst_samples, bench_worst_samples, uint, 0444);
MODULE_PARM_DESC(worst_samples,
		 "Worst-case benchmark: most latency samples per operation and geometry (default 16384)");

unsigned int bench_worst_delay_us = 3;
module_param_named(worst_delay_us, bench_worst_delay_us, uint, 0444);
MODULE_PARM_DESC(worst_delay_us,
		 "Worst-case benchmark: length of the udelay() control operation, us, at most 1000 (default 3)");

unsigned int bench_worst_ms = 20000;
module_param_named(worst_ms, bench_worst_ms, uint, 0444);
MODULE_PARM_DESC(worst_ms,
		 "Worst-case benchmark: most time per value size for the latency samples, ms (default 20000)");

static char *bench_maps = "hash,ptab,mem,resize,worst";
module_param_named(map, bench_maps, charp, 0444);
MODULE_PARM_DESC(map,
		 "Comma-separated map types to run: hash, ptab, mem, resize, worst (default hash,ptab,mem,resize,worst)");

char *bench_impls = "all";
module_param_named(impl, bench_impls, charp, 0444);
MODULE_PARM_DESC(impl,
		 "Comma-separated implementations to run, or all: rcumap, rhashtable, spinlock, rwlock, bucketlock, floor, xarray, idr; counter, lru: the per-CPU and LRU hash benchmarks (map=hash) (default all)");

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

	if (bench_key_size < 4 || bench_key_size > BENCH_MAX_KEY_SIZE ||
	    bench_value_size > BENCH_MAX_VALUE_SIZE || !bench_ms ||
	    !bench_resize_ms || !bench_rounds) {
		pr_err("key_size 4..%u, value_size 0..%u, ms, resize_ms and rounds > 0\n",
		       BENCH_MAX_KEY_SIZE, BENCH_MAX_VALUE_SIZE);
		return -EINVAL;
	}
	for (i = 0; i < bench_nr_threads; i++) {
		if (!bench_threads[i] || bench_threads[i] > num_online_cpus()) {
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
	if (bench_worst_entries < 2 * RCUMAP_HASH_BUCKET_MAX ||
	    bench_worst_entries > BENCH_MAX_ENTRIES ||
	    bench_worst_entries % RCUMAP_HASH_BUCKET_MAX ||
	    bench_worst_samples < BENCH_WORST_CHUNK || !bench_worst_ms ||
	    bench_worst_delay_us > 1000) {
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

	pr_info("RCUMAP_BENCH_CONFIG,%u,%u,%u,%u\n", bench_key_size,
		bench_value_size, bench_ms, num_online_cpus());
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
