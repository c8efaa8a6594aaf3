// SPDX-License-Identifier: GPL-2.0
/*
 * Native throughput benchmark: one measurement per run, one CSV line out.
 *
 *   bench hash WORKLOAD IMPL THREADS SECONDS RUN
 *	WORKLOAD: lookup (100% lookups of present keys),
 *		  99-1 (intern table: 10,000 keys, 1% replace a value),
 *		  70-30 (module map: keys 0..199, about half present; 30%
 *		  writes, half insert-or-replace, half delete)
 *	IMPL: rcumap, rculfhash, mutex, rwlock
 *   bench ptab WORKLOAD IMPL THREADS SECONDS RUN
 *	WORKLOAD: 99-1 or 70-30 (lookups of live ids; writes remove one
 *		  object and insert a new one), 8192 objects in 16384 slots
 *	IMPL: rcumap, mutex
 *
 * Output: map,workload,impl,threads,run,seconds,ops,mops.  Threads are
 * pinned one per CPU, released together and stopped together; every
 * thread runs the same mix.  bench.sh runs the whole matrix.
 */
#define _GNU_SOURCE
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/rcumap_hash.h>
#include <linux/rcumap_ptab.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "harness.h"

/* ---- rcumap's maps behind the benchmark interfaces ---------------------- */

static void *rcumap_kv_create(u32 nr_buckets, u32 max_entries)
{
	struct rcumap_hash_params p = {
		.key_size = 8,
		.value_size = 8,
		.max_entries = max_entries,
		.nr_buckets = nr_buckets,
	};
	struct rcumap_hash *h = rcumap_hash_create(&p, GFP_KERNEL);

	if (IS_ERR(h))
		abort();
	return h;
}

static void rcumap_kv_destroy(void *map)
{
	rcumap_hash_destroy(map);
}

static bool rcumap_kv_lookup(void *map, u64 key, u64 *value)
{
	const u64 *v;

	rcu_read_lock();
	v = rcumap_hash_lookup(map, &key);
	if (v)
		*value = *v;
	rcu_read_unlock();
	return v;
}

static void rcumap_kv_update(void *map, u64 key, u64 value)
{
	if (rcumap_hash_update(map, &key, &value, RCUMAP_ANY, GFP_KERNEL))
		abort();
}

static void rcumap_kv_remove(void *map, u64 key)
{
	rcumap_hash_delete(map, &key);
}

static const struct kv_impl kv_rcumap = {
	.name = "rcumap",
	.create = rcumap_kv_create,
	.destroy = rcumap_kv_destroy,
	.lookup = rcumap_kv_lookup,
	.update = rcumap_kv_update,
	.remove = rcumap_kv_remove,
};

struct ptab_obj {
	struct rcumap_ptab_node node;
	u64 payload;
	struct rcu_head rcu;
};

static void *rcumap_id_create(u32 capacity)
{
	struct rcumap_ptab *t = rcumap_ptab_create(capacity, GFP_KERNEL);

	if (IS_ERR(t))
		abort();
	return t;
}

static void ptab_obj_free(struct rcu_head *head)
{
	kfree(container_of(head, struct ptab_obj, rcu));
}

static bool rcumap_id_remove(void *table, u64 id)
{
	struct rcumap_ptab_node *node = rcumap_ptab_remove(table, id);

	if (!node)
		return false;
	call_rcu(&container_of(node, struct ptab_obj, node)->rcu,
		 ptab_obj_free);
	return true;
}

/* bench.c has removed every object by the time it destroys a table. */
static void rcumap_id_destroy(void *table)
{
	rcumap_ptab_destroy(table);
}

static void init_payload(struct rcumap_ptab_node *node, u64 id, void *arg)
{
	container_of(node, struct ptab_obj, node)->payload = *(u64 *)arg;
}

static bool rcumap_id_insert(void *table, u64 payload, u64 *id)
{
	struct ptab_obj *o = kmalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		abort();
	if (!rcumap_ptab_insert_with(table, &o->node, init_payload, &payload,
				     id))
		return true;
	kfree(o);
	return false;
}

static bool rcumap_id_lookup(void *table, u64 id, u64 *payload)
{
	struct rcumap_ptab_node *node;

	rcu_read_lock();
	node = rcumap_ptab_lookup(table, id);
	if (node)
		*payload = container_of(node, struct ptab_obj, node)->payload;
	rcu_read_unlock();
	return node;
}

static const struct id_impl id_rcumap = {
	.name = "rcumap",
	.create = rcumap_id_create,
	.destroy = rcumap_id_destroy,
	.insert = rcumap_id_insert,
	.lookup = rcumap_id_lookup,
	.remove = rcumap_id_remove,
};

/* ---- Workloads ------------------------------------------------------- */

#define INTERN_KEYS	10000
#define MODULE_KEYS	200
#define PTAB_CAPACITY	16384
#define PTAB_OBJECTS	8192

enum workload { LOOKUP, W99_1, W70_30 };

static const struct kv_impl *kv;
static const struct id_impl *idt;
static void *map;
static enum workload workload;
static bool go, stop;
static u64 ptab_ids[PTAB_OBJECTS];
static u64 sink;

/* Spread small integers over 64 bits, as real keys would be. */
static u64 key_of(u64 i)
{
	return i * 0x9e3779b97f4a7c15ULL + 1;
}

struct worker {
	pthread_t thread;
	int cpu;
	u64 ops;
} __attribute__((__aligned__(64)));

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *hash_worker(void *arg)
{
	struct worker *w = arg;
	u64 rng = 0x1234567 * (w->cpu + 1) | 1, ops = 0, acc = 0, v;
	u32 write_pct = workload == W70_30 ? 30 : workload == W99_1 ? 1 : 0;
	u32 nr_keys = workload == W70_30 ? MODULE_KEYS : INTERN_KEYS;

	pin(w->cpu);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		int i;

		for (i = 0; i < 64; i++) {
			u64 r = rnd_next(&rng);
			u64 key = key_of((r >> 8) % nr_keys);

			if ((r & 0xff) * 100 >= write_pct * 256) {
				if (kv->lookup(map, key, &v))
					acc += v;
			} else if (workload == W70_30 && (r & 0x100)) {
				kv->remove(map, key);
			} else {
				kv->update(map, key, r);
			}
		}
		ops += 64;
	}
	w->ops = ops;
	__atomic_fetch_add(&sink, acc, __ATOMIC_RELAXED);
	return NULL;
}

static void *ptab_worker(void *arg)
{
	struct worker *w = arg;
	u64 rng = 0x7654321 * (w->cpu + 1) | 1, ops = 0, acc = 0, v;
	u32 write_pct = workload == W70_30 ? 30 : 1;

	pin(w->cpu);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		int i;

		for (i = 0; i < 64; i++) {
			u64 r = rnd_next(&rng);
			u32 k = (r >> 8) % PTAB_OBJECTS;
			u64 id = __atomic_load_n(&ptab_ids[k], __ATOMIC_RELAXED);

			if ((r & 0xff) * 100 >= write_pct * 256) {
				if (idt->lookup(map, id, &v))
					acc += v;
			} else if (idt->remove(map, id)) {
				/* Only the thread that removed it refills. */
				if (!idt->insert(map, r, &id))
					abort();
				__atomic_store_n(&ptab_ids[k], id,
						 __ATOMIC_RELAXED);
			}
		}
		ops += 64;
	}
	w->ops = ops;
	__atomic_fetch_add(&sink, acc, __ATOMIC_RELAXED);
	return NULL;
}

static const char *const workload_names[] = {
	[LOOKUP] = "lookup", [W99_1] = "99-1", [W70_30] = "70-30",
};

static void usage(void)
{
	fprintf(stderr, "usage: bench hash|ptab lookup|99-1|70-30 IMPL THREADS SECONDS RUN\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct kv_impl *const kvs[] = {
		&kv_rcumap, &kv_lfht, &kv_mutex, &kv_rwlock,
	};
	static const struct id_impl *const ids[] = { &id_rcumap, &id_mutex };
	int threads, nr_cpus = native_possible_cpus(), i;
	bool is_hash;
	double seconds, t0, t1;
	struct worker *w;
	u64 total = 0;
	size_t k;

	if (argc != 7)
		usage();
	is_hash = !strcmp(argv[1], "hash");
	if (!is_hash && strcmp(argv[1], "ptab"))
		usage();
	for (k = 0; k < ARRAY_SIZE(workload_names); k++)
		if (!strcmp(argv[2], workload_names[k]))
			workload = k;
	if (strcmp(argv[2], workload_names[workload]) ||
	    (!is_hash && workload == LOOKUP))
		usage();
	for (k = 0; is_hash && k < ARRAY_SIZE(kvs); k++)
		if (!strcmp(argv[3], kvs[k]->name))
			kv = kvs[k];
	for (k = 0; !is_hash && k < ARRAY_SIZE(ids); k++)
		if (!strcmp(argv[3], ids[k]->name))
			idt = ids[k];
	threads = atoi(argv[4]);
	seconds = atof(argv[5]);
	if ((is_hash ? !kv : !idt) || threads < 1 || seconds <= 0)
		usage();

	native_init();
	if (is_hash) {
		u32 nr = workload == W70_30 ? MODULE_KEYS : INTERN_KEYS;
		u32 max = 2 * nr, nr_buckets = roundup_pow_of_two(max);
		u64 key;

		map = kv->create(nr_buckets, max);
		for (key = 0; key < nr; key += workload == W70_30 ? 2 : 1)
			kv->update(map, key_of(key), key);
	} else {
		map = idt->create(PTAB_CAPACITY);
		for (k = 0; k < PTAB_OBJECTS; k++)
			if (!idt->insert(map, k, &ptab_ids[k]))
				abort();
	}

	w = aligned_alloc(64, threads * sizeof(*w));
	for (i = 0; i < threads; i++) {
		w[i].cpu = i % nr_cpus;
		native_thread_create(&w[i].thread,
				     is_hash ? hash_worker : ptab_worker, &w[i]);
	}
	usleep(20000);
	t0 = now_seconds();
	__atomic_store_n(&go, true, __ATOMIC_RELEASE);
	usleep(seconds * 1e6);
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	t1 = now_seconds();
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].thread, NULL);
		total += w[i].ops;
	}
	printf("%s,%s,%s,%d,%s,%.3f,%llu,%.3f\n", argv[1], argv[2], argv[3],
	       threads, argv[6], t1 - t0, (unsigned long long)total,
	       total / (t1 - t0) / 1e6);
	if (is_hash) {
		kv->destroy(map);
	} else {
		/*
		 * Not with rcumap_ptab_for_each(): after churn, its walk costs
		 * O(objects * capacity).
		 */
		for (k = 0; k < PTAB_OBJECTS; k++)
			idt->remove(map, ptab_ids[k]);
		idt->destroy(map);
	}
	native_exit();
	free(w);
	return 0;
}
