/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rcumap generational process table: a fixed-size table that maps 64-bit
 * ids to caller-owned objects, after Erlang/OTP's process table.
 *
 * The table is intrusive: callers embed a struct rcumap_ptab_node in their
 * object, and the table stores a pointer to that node in one of its slots.
 * Lookups load the slot once under rcu_read_lock(), check the node's id and
 * write no shared memory.  Inserts and removes take no lock: free slots are
 * bits of a lock-free bitmap, and an insert takes the one nearest after the
 * last id handed out.  The table never frees an object; remove hands it
 * back, and the caller frees it after an RCU grace period.
 *
 * See Documentation/rcumap-ptab.rst for the design and the locking table.
 */
#ifndef _LINUX_RCUMAP_PTAB_H
#define _LINUX_RCUMAP_PTAB_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/limits.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct rcumap_ptab;

/*
 * Smallest and largest capacity a table accepts; a capacity must also be a
 * power of two.  The minimum is one full cache line of slots on any
 * architecture (L1_CACHE_BYTES / sizeof(void *) is at most 64).  The maximum
 * is Erlang's, and costs a pointer and a bit per slot: 1 GiB and 16 MiB on
 * 64-bit.
 */
#define RCUMAP_PTAB_MIN_CAPACITY	64U
#define RCUMAP_PTAB_MAX_CAPACITY	SZ_128M

/*
 * Largest id a table hands out.  Ids fit in an s64 (and a loff_t); an
 * insert that would need a larger id fails with -EOVERFLOW.
 */
#define RCUMAP_PTAB_ID_MAX		((u64)S64_MAX)

/**
 * struct rcumap_ptab_node - The part of an object that a table links to.
 * @id: The object's id while it is in a table.  Set by the table before
 *	the object becomes visible and never changed while it is in the
 *	table; read it with rcumap_ptab_node_id().  Callers must not write it.
 *
 * Embed this in the object and use container_of() to get from the node
 * returned by rcumap_ptab_lookup() to the object.  A node is in at most one
 * table at a time.
 */
struct rcumap_ptab_node {
	u64 id;
};

/**
 * rcumap_ptab_node_id() - The id of a node found in a table.
 * @node: Node returned by a lookup, an iteration or an insert.
 *
 * Context: Any context.
 * Return: The id under which @node was last inserted.
 */
static inline u64 rcumap_ptab_node_id(const struct rcumap_ptab_node *node)
{
	return READ_ONCE(node->id);
}

struct rcumap_ptab *rcumap_ptab_create(u32 capacity, gfp_t gfp);
void rcumap_ptab_destroy(struct rcumap_ptab *t);

int __must_check rcumap_ptab_insert(struct rcumap_ptab *t,
				    struct rcumap_ptab_node *node, u64 *id);
int __must_check rcumap_ptab_insert_with(struct rcumap_ptab *t,
					 struct rcumap_ptab_node *node,
					 void (*init)(struct rcumap_ptab_node *node,
						      u64 id, void *arg),
					 void *arg, u64 *id);
struct rcumap_ptab_node *rcumap_ptab_lookup(const struct rcumap_ptab *t,
					    u64 id);
struct rcumap_ptab_node *rcumap_ptab_remove(struct rcumap_ptab *t, u64 id);

u32 rcumap_ptab_count(const struct rcumap_ptab *t);
u32 rcumap_ptab_capacity(const struct rcumap_ptab *t);
size_t rcumap_ptab_bytes_used(const struct rcumap_ptab *t);

/* ---- Iteration ------------------------------------------------------ */

struct rcumap_ptab_node *rcumap_ptab_next(const struct rcumap_ptab *t,
					  u64 *id);
struct rcumap_ptab_node *rcumap_ptab_next_below(const struct rcumap_ptab *t,
						u64 *id, u64 end);
u64 rcumap_ptab_id_end(const struct rcumap_ptab *t);
struct rcumap_ptab_node *rcumap_ptab_slot_next(const struct rcumap_ptab *t,
					       u32 *slot);

/* State of an rcumap_ptab_for_each() walk. */
struct __rcumap_ptab_walk {
	const struct rcumap_ptab *table;
	u64 *pos;
	u64 end;
};

static inline struct __rcumap_ptab_walk
__rcumap_ptab_walk_start(const struct rcumap_ptab *t, u64 *pos)
{
	*pos = 0;
	return (struct __rcumap_ptab_walk){ .table = t, .pos = pos,
					    .end = rcumap_ptab_id_end(t) };
}

/**
 * rcumap_ptab_for_each() - Walk the objects of a table in id order.
 * @t: Table.
 * @id: u64 variable; holds the id of @node in the loop body.
 * @node: struct rcumap_ptab_node pointer; the current object.
 *
 * Weakly consistent, like rcumap_ptab_next(): every object that is in the
 * table for the whole walk is visited exactly once; objects inserted or
 * removed meanwhile may be visited or not.  The walk ends at the ids
 * handed out when it started (rcumap_ptab_id_end()), so it ends however
 * many inserts run meanwhile.  The caller holds an RCU read lock across
 * the whole loop.  A long walk that should not hold it that long calls
 * rcumap_ptab_next_below() itself and drops the lock between calls.
 *
 * Context: The caller must hold an RCU read lock.
 */
#define rcumap_ptab_for_each(t, id, node)				\
	for (struct __rcumap_ptab_walk __w = __rcumap_ptab_walk_start((t), &(id)); \
	     ((node) = rcumap_ptab_next_below(__w.table, __w.pos, __w.end)) != NULL; \
	     (*__w.pos)++)

/* ---- For the KUnit tests only --------------------------------------- */

#if IS_ENABLED(CONFIG_KUNIT)
u32 rcumap_ptab_kunit_ix_to_slot(u32 capacity, u32 ix);
void rcumap_ptab_kunit_set_next_id(struct rcumap_ptab *t, u64 next_id);
struct rcumap_ptab_node *
rcumap_ptab_kunit_next_below(const struct rcumap_ptab *t, u64 *id, u64 end,
			     u64 *loads);
#endif

#endif /* _LINUX_RCUMAP_PTAB_H */
