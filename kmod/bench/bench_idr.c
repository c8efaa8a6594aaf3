// SPDX-License-Identifier: GPL-2.0
/*
 * IDR under test (map=ptab, impl "idr"), as the pid allocator uses it:
 * idr_alloc_cyclic(), idr_find(), idr_remove().
 */
#include "bench.h"

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

const struct bench_ops bench_idr_ops = {
	.name = "idr",
	.create = bench_idr_create,
	.destroy = bench_idr_destroy,
	.work = bench_idr_work,
	.id_insert = bench_idr_insert,
	.id_remove = bench_idr_remove,
};
