// SPDX-License-Identifier: GPL-2.0
/*
 * The peers rcumap is measured against, in user space:
 *
 *  - "mutex" and "rwlock": a chained hash table under one pthread mutex or
 *    one pthread rwlock, the plain way to share a map between threads;
 *  - "rculfhash": liburcu's lock-free resizable RCU hash table, the
 *    best-known user-space RCU hash table, with the same hash function and
 *    bucket count as rcumap (resizing off);
 *  - "mutex" slot array for the process table: slots of (id, object) and a
 *    free list under one mutex, ids made of a generation and a slot index.
 */
#include <linux/jhash.h>
#include <linux/kernel.h>
#include <linux/rcupdate.h>

#include <pthread.h>
#include <stdlib.h>
#include <urcu/rculfhash.h>

#include "bench.h"

#define SEED	0x5eed

/* ---- Chained hash table under one lock ------------------------------- */

struct chain_node {
	struct chain_node *next;
	u64 key, value;
};

struct chain_table {
	union {
		pthread_mutex_t mutex;
		pthread_rwlock_t rwlock;
	};
	u32 mask;
	struct chain_node *buckets[];
};

static void *chain_create(u32 nr_buckets, bool rw)
{
	struct chain_table *t = calloc(1, sizeof(*t) +
				       nr_buckets * sizeof(t->buckets[0]));

	if (!t)
		abort();
	if (rw)
		pthread_rwlock_init(&t->rwlock, NULL);
	else
		pthread_mutex_init(&t->mutex, NULL);
	t->mask = nr_buckets - 1;
	return t;
}

static void chain_destroy(void *map)
{
	struct chain_table *t = map;
	u32 i;

	for (i = 0; i <= t->mask; i++) {
		struct chain_node *n = t->buckets[i], *next;

		for (; n; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(t);
}

static struct chain_node **chain_find(struct chain_table *t, u64 key)
{
	struct chain_node **pp = &t->buckets[bench_hash(key, SEED) & t->mask];

	while (*pp && (*pp)->key != key)
		pp = &(*pp)->next;
	return pp;
}

static bool chain_lookup(struct chain_table *t, u64 key, u64 *value)
{
	struct chain_node *n = *chain_find(t, key);

	if (n)
		*value = n->value;
	return n;
}

/* Insert or replace in place; the new node is allocated outside the lock. */
static void chain_update(struct chain_table *t, u64 key, u64 value,
			 struct chain_node **spare)
{
	struct chain_node **pp = chain_find(t, key);

	if (*pp) {
		(*pp)->value = value;
		return;
	}
	(*spare)->key = key;
	(*spare)->value = value;
	(*spare)->next = NULL;
	*pp = *spare;
	*spare = NULL;
}

static struct chain_node *chain_unlink(struct chain_table *t, u64 key)
{
	struct chain_node **pp = chain_find(t, key), *n = *pp;

	if (n)
		*pp = n->next;
	return n;
}

static void *mutex_create(u32 nr_buckets, u32 max_entries)
{
	return chain_create(nr_buckets, false);
}

static bool mutex_lookup(void *map, u64 key, u64 *value)
{
	struct chain_table *t = map;
	bool found;

	pthread_mutex_lock(&t->mutex);
	found = chain_lookup(t, key, value);
	pthread_mutex_unlock(&t->mutex);
	return found;
}

static void mutex_update(void *map, u64 key, u64 value)
{
	struct chain_node *spare = malloc(sizeof(*spare));
	struct chain_table *t = map;

	pthread_mutex_lock(&t->mutex);
	chain_update(t, key, value, &spare);
	pthread_mutex_unlock(&t->mutex);
	free(spare);
}

static void mutex_remove(void *map, u64 key)
{
	struct chain_table *t = map;
	struct chain_node *n;

	pthread_mutex_lock(&t->mutex);
	n = chain_unlink(t, key);
	pthread_mutex_unlock(&t->mutex);
	free(n);
}

const struct kv_impl kv_mutex = {
	.name = "mutex",
	.create = mutex_create,
	.destroy = chain_destroy,
	.lookup = mutex_lookup,
	.update = mutex_update,
	.remove = mutex_remove,
};

static void *rwlock_create(u32 nr_buckets, u32 max_entries)
{
	return chain_create(nr_buckets, true);
}

static bool rwlock_lookup(void *map, u64 key, u64 *value)
{
	struct chain_table *t = map;
	bool found;

	pthread_rwlock_rdlock(&t->rwlock);
	found = chain_lookup(t, key, value);
	pthread_rwlock_unlock(&t->rwlock);
	return found;
}

static void rwlock_update(void *map, u64 key, u64 value)
{
	struct chain_node *spare = malloc(sizeof(*spare));
	struct chain_table *t = map;

	pthread_rwlock_wrlock(&t->rwlock);
	chain_update(t, key, value, &spare);
	pthread_rwlock_unlock(&t->rwlock);
	free(spare);
}

static void rwlock_remove(void *map, u64 key)
{
	struct chain_table *t = map;
	struct chain_node *n;

	pthread_rwlock_wrlock(&t->rwlock);
	n = chain_unlink(t, key);
	pthread_rwlock_unlock(&t->rwlock);
	free(n);
}

const struct kv_impl kv_rwlock = {
	.name = "rwlock",
	.create = rwlock_create,
	.destroy = chain_destroy,
	.lookup = rwlock_lookup,
	.update = rwlock_update,
	.remove = rwlock_remove,
};

/* ---- liburcu's rculfhash -------------------------------------------- */

struct lfht_entry {
	struct cds_lfht_node node;
	u64 key, value;
	struct rcu_head rcu;
};

static int lfht_match(struct cds_lfht_node *node, const void *key)
{
	return container_of(node, struct lfht_entry, node)->key ==
	       *(const u64 *)key;
}

static void lfht_free(struct rcu_head *head)
{
	free(container_of(head, struct lfht_entry, rcu));
}

static void *lfht_create(u32 nr_buckets, u32 max_entries)
{
	struct cds_lfht *ht = cds_lfht_new_flavor(nr_buckets, nr_buckets,
						  nr_buckets, 0,
						  &urcu_memb_flavor, NULL);

	if (!ht)
		abort();
	return ht;
}

static void lfht_destroy(void *map)
{
	struct cds_lfht *ht = map;
	struct cds_lfht_iter iter;
	struct lfht_entry *e;

	rcu_read_lock();
	cds_lfht_for_each_entry(ht, &iter, e, node) {
		if (!cds_lfht_del(ht, &e->node))
			call_rcu(&e->rcu, lfht_free);
	}
	rcu_read_unlock();
	if (cds_lfht_destroy(ht, NULL))
		abort();
}

static bool lfht_lookup(void *map, u64 key, u64 *value)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	rcu_read_lock();
	cds_lfht_lookup(map, bench_hash(key, SEED), lfht_match, &key, &iter);
	node = cds_lfht_iter_get_node(&iter);
	if (node)
		*value = container_of(node, struct lfht_entry, node)->value;
	rcu_read_unlock();
	return node;
}

/* Insert or replace: a new node replaces the old one, as in rcumap. */
static void lfht_update(void *map, u64 key, u64 value)
{
	struct lfht_entry *e = malloc(sizeof(*e));
	struct cds_lfht_node *old;

	e->key = key;
	e->value = value;
	cds_lfht_node_init(&e->node);
	rcu_read_lock();
	old = cds_lfht_add_replace(map, bench_hash(key, SEED), lfht_match,
				   &key, &e->node);
	rcu_read_unlock();
	if (old)
		call_rcu(&container_of(old, struct lfht_entry, node)->rcu,
			 lfht_free);
}

static void lfht_remove(void *map, u64 key)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	rcu_read_lock();
	cds_lfht_lookup(map, bench_hash(key, SEED), lfht_match, &key, &iter);
	node = cds_lfht_iter_get_node(&iter);
	if (node && !cds_lfht_del(map, node))
		call_rcu(&container_of(node, struct lfht_entry, node)->rcu,
			 lfht_free);
	rcu_read_unlock();
}

const struct kv_impl kv_lfht = {
	.name = "rculfhash",
	.create = lfht_create,
	.destroy = lfht_destroy,
	.lookup = lfht_lookup,
	.update = lfht_update,
	.remove = lfht_remove,
};

/* ---- Slot array under one mutex --------------------------------------- */

struct slot_obj {
	u64 id, payload;
};

struct slot_table {
	pthread_mutex_t mutex;
	u32 capacity, nr_free;
	u32 *free_ix;
	u64 *next_id;		/* per slot: the id it gives out next */
	struct slot_obj **objs;
};

static void *slots_create(u32 capacity)
{
	struct slot_table *t = calloc(1, sizeof(*t));
	u32 i;

	if (!t)
		abort();
	pthread_mutex_init(&t->mutex, NULL);
	t->capacity = capacity;
	t->free_ix = malloc(capacity * sizeof(*t->free_ix));
	t->next_id = malloc(capacity * sizeof(*t->next_id));
	t->objs = calloc(capacity, sizeof(*t->objs));
	if (!t->free_ix || !t->next_id || !t->objs)
		abort();
	for (i = 0; i < capacity; i++) {
		t->free_ix[i] = capacity - 1 - i;
		t->next_id[i] = i;
	}
	t->nr_free = capacity;
	return t;
}

static void slots_destroy(void *table)
{
	struct slot_table *t = table;

	free(t->free_ix);
	free(t->next_id);
	free(t->objs);
	free(t);
}

static bool slots_insert(void *table, u64 payload, u64 *id)
{
	struct slot_obj *o = malloc(sizeof(*o));
	struct slot_table *t = table;
	u32 ix;

	pthread_mutex_lock(&t->mutex);
	if (!t->nr_free) {
		pthread_mutex_unlock(&t->mutex);
		free(o);
		return false;
	}
	ix = t->free_ix[--t->nr_free];
	o->id = t->next_id[ix];
	o->payload = payload;
	t->next_id[ix] += t->capacity;
	t->objs[ix] = o;
	*id = o->id;
	pthread_mutex_unlock(&t->mutex);
	return true;
}

static bool slots_lookup(void *table, u64 id, u64 *payload)
{
	struct slot_table *t = table;
	struct slot_obj *o;

	pthread_mutex_lock(&t->mutex);
	o = t->objs[id & (t->capacity - 1)];
	if (o && o->id == id)
		*payload = o->payload;
	else
		o = NULL;
	pthread_mutex_unlock(&t->mutex);
	return o;
}

static bool slots_remove(void *table, u64 id)
{
	struct slot_table *t = table;
	u32 ix = id & (t->capacity - 1);
	struct slot_obj *o;

	pthread_mutex_lock(&t->mutex);
	o = t->objs[ix];
	if (o && o->id == id) {
		t->objs[ix] = NULL;
		t->free_ix[t->nr_free++] = ix;
	} else {
		o = NULL;
	}
	pthread_mutex_unlock(&t->mutex);
	if (!o)
		return false;
	free(o);
	return true;
}

const struct id_impl id_mutex = {
	.name = "mutex",
	.create = slots_create,
	.destroy = slots_destroy,
	.insert = slots_insert,
	.lookup = slots_lookup,
	.remove = slots_remove,
};
