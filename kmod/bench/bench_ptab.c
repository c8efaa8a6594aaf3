// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_ptab under test (map=ptab, impl "rcumap"): lookups and updates
 * take no lock; lookups run under the RCU read lock.
 */
#include "bench.h"

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

const struct bench_ops bench_rptab_ops = {
	.name = "rcumap",
	.create = bench_rptab_create,
	.destroy = bench_rptab_destroy,
	.work = bench_rptab_work,
	.id_insert = bench_rptab_insert,
	.id_remove = bench_rptab_remove,
};
