// SPDX-License-Identifier: GPL-2.0
/*
 * Hash tables of hlists under test (map=hash and mem, impl "spinlock",
 * "rwlock" and "bucketlock").
 */
#include "bench.h"

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
	return sizeof(struct bench_hnode) + bench_key_stride() + bench_value_size;
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
		memcpy(value, n->data + bench_key_stride(), bench_value_size);
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
	memcpy(n->data, key, bench_key_size);
	memcpy(n->data + bench_key_stride(), value, bench_value_size);
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

/*
 * One table under test per kind of lock: its functions, the kind a
 * constant in each, and its ops.
 */
#define BENCH_HLIST(_name, _kind)					\
static const enum bench_lock bench_##_name##_kind = _kind;		\
static void *bench_##_name##_create(u32 nr)				\
{									\
	return bench_hlist_create(nr, bench_##_name##_kind);		\
}									\
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
}									\
const struct bench_ops bench_##_name##_ops = {				\
	.name = #_name,							\
	.create = bench_##_name##_create,				\
	.destroy = bench_hlist_destroy,					\
	.work = bench_##_name##_work,					\
	.insert = bench_##_name##_insert,				\
	.bytes = bench_hlist_bytes,					\
}

BENCH_HLIST(spinlock, BENCH_SPINLOCK);
BENCH_HLIST(rwlock, BENCH_RWLOCK);
BENCH_HLIST(bucketlock, BENCH_BUCKETLOCK);
