// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_percpu_hash under test (map=hash, impl=counter, "percpu"):
 * rcumap_percpu_hash_lookup() under the RCU read lock, then this_cpu_inc()
 * on the key's per-CPU area; no CPU writes a line another CPU writes.
 */
#include "bench.h"

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

const struct bench_ops bench_percpu_ops = {
	.name = "percpu",
	.create = bench_percpu_create,
	.destroy = bench_percpu_destroy,
	.work = bench_percpu_work,
	.sum = bench_percpu_sum,
};
