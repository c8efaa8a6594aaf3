// SPDX-License-Identifier: GPL-2.0
/*
 * XArray under test (map=ptab, impl "xarray"): xa_alloc_cyclic(),
 * xa_load(), xa_erase(); the xa_lock (a spinlock) is taken inside
 * xa_alloc_cyclic() and xa_erase().
 */
#include "bench.h"

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

const struct bench_ops bench_xarray_ops = {
	.name = "xarray",
	.create = bench_xa_create,
	.destroy = bench_xa_destroy,
	.work = bench_xa_work,
	.id_insert = bench_xa_insert,
	.id_remove = bench_xa_remove,
};
