// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the rcumap generational process table, through its public
 * API (include/linux/rcumap_ptab.h) and its two KUnit-only hooks.
 *
 * Suites:
 *  rcumap_ptab        - capacities, ids and generations, stale ids, the
 *                       init callback, iteration, the slot mapping, the
 *                       end of the id space, frees deferred past readers.
 *  rcumap_ptab_fault  - allocation failures injected with fail-nth:
 *                       create fails cleanly.
 *  rcumap_ptab_stress - insert, lookup, remove and walk on every CPU to a
 *                       deadline, checking every id and every object seen.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/cache.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/rcumap_ptab.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "fail_nth.h"
#include "stress.h"
#ifdef RCUMAP_NATIVE
#include "native.h"	/* tools/native: native_warnings */
#endif

static unsigned int ptab_stress_ms = 3000;
module_param(ptab_stress_ms, uint, 0444);
MODULE_PARM_DESC(ptab_stress_ms, "Run time of each rcumap_ptab_stress case in ms (default 3000)");

#define OBJ_MAGIC	0x6f626a5f70746162ULL

/* A test object: its node and a check word derived from its id. */
struct obj {
	struct rcumap_ptab_node node;
	u64 check;
};

static struct obj *to_obj(struct rcumap_ptab_node *node)
{
	return node ? container_of(node, struct obj, node) : NULL;
}

static struct rcumap_ptab *new_ptab(struct kunit *test, u32 capacity)
{
	struct rcumap_ptab *t = rcumap_ptab_create(capacity, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	return t;
}

/* Insert @o, expecting success; returns its id. */
static u64 insert_ok(struct kunit *test, struct rcumap_ptab *t, struct obj *o)
{
	u64 id = U64_MAX;

	KUNIT_ASSERT_EQ(test, rcumap_ptab_insert(t, &o->node, &id), 0);
	KUNIT_EXPECT_EQ(test, rcumap_ptab_node_id(&o->node), id);
	return id;
}

/* rcumap_ptab_lookup() under the RCU read lock, for single-threaded tests. */
static struct obj *lookup(struct rcumap_ptab *t, u64 id)
{
	struct obj *o;

	rcu_read_lock();
	o = to_obj(rcumap_ptab_lookup(t, id));
	rcu_read_unlock();
	return o;
}

/*
 * rcumap_ptab_next() under the RCU read lock, for single-threaded tests:
 * the node may only be compared, not used.
 */
static struct rcumap_ptab_node *next(struct rcumap_ptab *t, u64 *id)
{
	struct rcumap_ptab_node *node;

	rcu_read_lock();
	node = rcumap_ptab_next(t, id);
	rcu_read_unlock();
	return node;
}

/*
 * No KUNIT_*() inside an RCU read-side critical section: a failed
 * expectation allocates its message with GFP_KERNEL.
 */

/* ---- Creation --------------------------------------------------------- */

static const u32 bad_capacities[] = {
	0, 1, 2, RCUMAP_PTAB_MIN_CAPACITY / 2, RCUMAP_PTAB_MIN_CAPACITY - 1,
	RCUMAP_PTAB_MIN_CAPACITY + 1, 96, 1000, RCUMAP_PTAB_MAX_CAPACITY + 1,
	RCUMAP_PTAB_MAX_CAPACITY * 2, U32_MAX,
};

static void capacity_desc(const u32 *capacity, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "capacity=%u", *capacity);
}

KUNIT_ARRAY_PARAM(bad_capacity, bad_capacities, capacity_desc);

static void ptab_create_rejects_bad_capacity(struct kunit *test)
{
	u32 capacity = *(const u32 *)test->param_value;

	KUNIT_EXPECT_EQ(test, PTR_ERR(rcumap_ptab_create(capacity, GFP_KERNEL)),
			-EINVAL);
}

/* ---- Filling and emptying ------------------------------------------- */

/* The minimum, a few in between and a large one (16 MiB of table). */
static const u32 fill_capacities[] = {
	RCUMAP_PTAB_MIN_CAPACITY, 128, 4096, 1U << 20,
};

KUNIT_ARRAY_PARAM(fill_capacity, fill_capacities, capacity_desc);

/*
 * A new table hands out 0, 1, 2, ... until it is full, then -ENOSPC
 * without touching the node; a walk sees every id in order; removing
 * everything returns each object once and empties the table.
 */
static void ptab_fill_until_full_then_enospc(struct kunit *test)
{
	u32 cap = *(const u32 *)test->param_value;
	struct rcumap_ptab *t = new_ptab(test, cap);
	struct obj *objs = kvcalloc(cap + 1, sizeof(*objs), GFP_KERNEL);
	struct rcumap_ptab_node *node;
	u32 i, bad = 0;
	u64 id, walked = 0;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_EXPECT_EQ(test, rcumap_ptab_capacity(t), cap);
	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), 0U);
	/* A slot pointer and a free bit per slot. */
	KUNIT_EXPECT_GE(test, rcumap_ptab_bytes_used(t),
			(size_t)cap * sizeof(void *) + cap / 8);

	for (i = 0; i < cap; i++) {
		if (rcumap_ptab_insert(t, &objs[i].node, &id) || id != i)
			bad++;
		if (!(i % 4096))
			cond_resched();
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "inserts that failed or skipped an id");
	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), cap);

	objs[cap].node.id = 12345;
	id = 777;
	KUNIT_EXPECT_EQ(test, rcumap_ptab_insert(t, &objs[cap].node, &id),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, id, 777ULL);
	KUNIT_EXPECT_EQ(test, objs[cap].node.id, 12345ULL);
	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), cap);
	KUNIT_EXPECT_NULL(test, lookup(t, cap));

	rcu_read_lock();
	rcumap_ptab_for_each(t, id, node) {
		if (id != walked || node != &objs[id].node)
			bad++;
		walked++;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, walked, (u64)cap);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "walk out of order");

	for (i = 0; i < cap; i++) {
		if (rcumap_ptab_remove(t, i) != &objs[i].node || lookup(t, i))
			bad++;
		if (!(i % 4096))
			cond_resched();
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "lookups or removes that went wrong");
	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), 0U);
	rcumap_ptab_destroy(t);
	/* No reader can hold an object: no grace period is needed. */
	kvfree(objs);
}

/* ---- Ids and generations ---------------------------------------------- */

/* Fill a table of @cap objects from @objs; ids are 0 .. cap - 1. */
static void fill(struct kunit *test, struct rcumap_ptab *t, struct obj *objs,
		 u32 cap)
{
	u32 i;

	for (i = 0; i < cap; i++)
		KUNIT_ASSERT_EQ(test, insert_ok(test, t, &objs[i]), (u64)i);
}

/* Remove every object, as a caller would before destroying the table. */
static void drain(struct kunit *test, struct rcumap_ptab *t)
{
	struct rcumap_ptab_node *node;
	u32 bad = 0;
	u64 id;

	rcu_read_lock();
	rcumap_ptab_for_each(t, id, node)
		bad += rcumap_ptab_remove(t, id) != node;
	rcu_read_unlock();
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "removes during a walk that failed");
	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), 0U);
}

/*
 * In a full table the only free slot is the one just emptied, and it comes
 * back with its old id plus the capacity, generation after generation.
 */
static const u64 reuse_picks[] = { 0, 17, RCUMAP_PTAB_MIN_CAPACITY - 1 };

static void reuse_pick_desc(const u64 *pick, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "id %llu", *pick);
}

KUNIT_ARRAY_PARAM(reuse_pick, reuse_picks, reuse_pick_desc);

static void ptab_remove_then_insert_reuses_slot_with_id_plus_capacity(struct kunit *test)
{
	const u32 cap = RCUMAP_PTAB_MIN_CAPACITY;
	u64 id = *(const u64 *)test->param_value;
	struct rcumap_ptab *t = new_ptab(test, cap);
	struct obj *objs = kunit_kcalloc(test, cap, sizeof(*objs), GFP_KERNEL);
	struct obj *o;
	u32 gen;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	fill(test, t, objs, cap);
	o = &objs[id];
	for (gen = 1; gen <= 3; gen++) {
		KUNIT_EXPECT_PTR_EQ(test, rcumap_ptab_remove(t, id), &o->node);
		KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), cap - 1);
		KUNIT_EXPECT_EQ(test, insert_ok(test, t, o), id + cap);
		KUNIT_EXPECT_NULL(test, lookup(t, id));
		KUNIT_EXPECT_PTR_EQ(test, lookup(t, id + cap), o);
		KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), cap);
		id += cap;
	}
	drain(test, t);
	rcumap_ptab_destroy(t);
}

/*
 * A removed id misses lookup and remove, before and after its slot is
 * reused, and a remove of it leaves the slot's new occupant alone.
 */
static void ptab_stale_id_lookup_and_remove_miss(struct kunit *test)
{
	const u32 cap = RCUMAP_PTAB_MIN_CAPACITY;
	struct rcumap_ptab *t = new_ptab(test, cap);
	struct obj *objs = kunit_kcalloc(test, cap + 1, sizeof(*objs),
					 GFP_KERNEL);
	u64 stale, reused;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	stale = insert_ok(test, t, &objs[cap]);
	KUNIT_EXPECT_PTR_EQ(test, rcumap_ptab_remove(t, stale),
			    &objs[cap].node);
	KUNIT_EXPECT_NULL(test, lookup(t, stale));
	KUNIT_EXPECT_NULL(test, rcumap_ptab_remove(t, stale));
	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), 0U);

	/* Fill the table: some object now sits in the stale id's slot. */
	for (i = 0; i < cap; i++)
		insert_ok(test, t, &objs[i]);
	reused = stale + cap;
	KUNIT_ASSERT_NOT_NULL(test, lookup(t, reused));
	KUNIT_EXPECT_EQ(test, rcumap_ptab_node_id(&lookup(t, reused)->node),
			reused);

	KUNIT_EXPECT_NULL(test, lookup(t, stale));
	KUNIT_EXPECT_NULL(test, rcumap_ptab_remove(t, stale));
	KUNIT_EXPECT_NOT_NULL(test, lookup(t, reused));
	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), cap);

	/* Ids not handed out yet miss too, whatever their slot holds. */
	KUNIT_EXPECT_NULL(test, lookup(t, reused + cap));
	KUNIT_EXPECT_NULL(test, rcumap_ptab_remove(t, reused + cap));
	KUNIT_EXPECT_NULL(test, lookup(t, RCUMAP_PTAB_ID_MAX));
	KUNIT_EXPECT_NULL(test, lookup(t, U64_MAX));
	KUNIT_EXPECT_NULL(test, rcumap_ptab_remove(t, U64_MAX));
	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), cap);
	drain(test, t);
	rcumap_ptab_destroy(t);
}

struct init_record {
	struct rcumap_ptab *t;
	u32 calls;
	u64 id;
	u64 node_id;
	bool visible;
};

static void record_init(struct rcumap_ptab_node *node, u64 id, void *arg)
{
	struct init_record *r = arg;

	r->calls++;
	r->id = id;
	r->node_id = rcumap_ptab_node_id(node);
	rcu_read_lock();
	r->visible = !!rcumap_ptab_lookup(r->t, id);
	rcu_read_unlock();
	to_obj(node)->check = OBJ_MAGIC ^ id;
}

/*
 * The init callback runs once, knows the id (as does the node) and runs
 * before any lookup can find the object; a failed insert does not call it.
 */
static void ptab_insert_with_sees_id_before_visible(struct kunit *test)
{
	const u32 cap = RCUMAP_PTAB_MIN_CAPACITY;
	struct rcumap_ptab *t = new_ptab(test, cap);
	struct obj *objs = kunit_kcalloc(test, cap + 1, sizeof(*objs),
					 GFP_KERNEL);
	struct init_record r = { .t = t };
	struct obj *found;
	u64 id = U64_MAX;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < cap; i++) {
		KUNIT_ASSERT_EQ(test, rcumap_ptab_insert_with(t, &objs[i].node,
							      record_init, &r,
							      &id), 0);
		KUNIT_EXPECT_EQ(test, r.calls, i + 1);
		KUNIT_EXPECT_EQ(test, r.id, id);
		KUNIT_EXPECT_EQ(test, r.node_id, id);
		KUNIT_EXPECT_FALSE(test, r.visible);
		found = lookup(t, id);
		KUNIT_EXPECT_PTR_EQ(test, found, &objs[i]);
		if (found)
			KUNIT_EXPECT_EQ(test, found->check, OBJ_MAGIC ^ id);
	}
	KUNIT_EXPECT_EQ(test, rcumap_ptab_insert_with(t, &objs[cap].node,
						      record_init, &r, &id),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, r.calls, cap);
	drain(test, t);
	rcumap_ptab_destroy(t);
}

/*
 * Ids increase in insert order whatever order slots are freed in, because
 * an insert takes the free slot nearest after the last id handed out
 * (next-fit): with ids 0..63 taken, freeing 3 then 0 gives the next
 * inserts 64 (slot 0) and 67 (slot 3), not the slot freed first.  Then,
 * with 64 and 5 freed, the next insert takes slot 5 (69, ahead of 68) and
 * the one after goes round to slot 0 (128), the smallest id above 69 of a
 * free slot.
 */
static void ptab_ids_increase_when_frees_come_back_out_of_order(struct kunit *test)
{
	const u32 cap = RCUMAP_PTAB_MIN_CAPACITY;
	struct rcumap_ptab *t = new_ptab(test, cap);
	struct obj *objs = kunit_kcalloc(test, cap, sizeof(*objs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	fill(test, t, objs, cap);
	KUNIT_EXPECT_PTR_EQ(test, rcumap_ptab_remove(t, 3), &objs[3].node);
	KUNIT_EXPECT_PTR_EQ(test, rcumap_ptab_remove(t, 0), &objs[0].node);
	KUNIT_EXPECT_EQ(test, insert_ok(test, t, &objs[3]), (u64)cap);
	KUNIT_EXPECT_EQ(test, insert_ok(test, t, &objs[0]), 3ULL + cap);
	KUNIT_EXPECT_PTR_EQ(test, lookup(t, cap), &objs[3]);
	KUNIT_EXPECT_NULL(test, lookup(t, 0));
	KUNIT_EXPECT_NULL(test, lookup(t, 3));

	KUNIT_EXPECT_PTR_EQ(test, rcumap_ptab_remove(t, cap), &objs[3].node);
	KUNIT_EXPECT_PTR_EQ(test, rcumap_ptab_remove(t, 5), &objs[5].node);
	KUNIT_EXPECT_EQ(test, insert_ok(test, t, &objs[5]), 5ULL + cap);
	KUNIT_EXPECT_EQ(test, insert_ok(test, t, &objs[3]), 2ULL * cap);
	KUNIT_EXPECT_PTR_EQ(test, lookup(t, 2 * cap), &objs[3]);
	KUNIT_EXPECT_NULL(test, lookup(t, cap));
	drain(test, t);
	rcumap_ptab_destroy(t);
}

/* ---- Iteration ------------------------------------------------------- */

#define WALK_OBJS	256
#define WALK_NONE	U64_MAX

/* Smallest id at or above @from in @ids (WALK_NONE: not in the table). */
static u64 model_next(const u64 *ids, u32 n, u64 from)
{
	u64 best = WALK_NONE;
	u32 i;

	for (i = 0; i < n; i++)
		if (ids[i] != WALK_NONE && ids[i] >= from && ids[i] < best)
			best = ids[i];
	return best;
}

/*
 * After random removes and re-inserts over several generations, a walk
 * returns exactly the objects in the table, in increasing id order, and
 * rcumap_ptab_next() from any id finds the smallest id at or above it.
 */
static void ptab_iteration_returns_exactly_the_live_set(struct kunit *test)
{
	const u32 cap = WALK_OBJS;
	struct rcumap_ptab *t = new_ptab(test, cap);
	struct obj *objs = kunit_kcalloc(test, cap, sizeof(*objs), GFP_KERNEL);
	u64 *ids = kunit_kcalloc(test, cap, sizeof(*ids), GFP_KERNEL);
	unsigned long *seen = kunit_kcalloc(test, BITS_TO_LONGS(cap),
					    sizeof(long), GFP_KERNEL);
	struct rcumap_ptab_node *node;
	struct rnd_state rnd;
	u32 i, round, live = 0, walked = 0, bad = 0;
	u64 id, prev, from;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_ASSERT_NOT_NULL(test, ids);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	prandom_seed_state(&rnd, 42);
	for (i = 0; i < cap; i++)
		ids[i] = insert_ok(test, t, &objs[i]);
	for (round = 0; round < 5; round++) {
		for (i = 0; i < cap; i++) {
			if (ids[i] == WALK_NONE || prandom_u32_state(&rnd) % 2)
				continue;
			KUNIT_ASSERT_PTR_EQ(test, rcumap_ptab_remove(t, ids[i]),
					    &objs[i].node);
			ids[i] = WALK_NONE;
		}
		for (i = 0; i < cap; i++)
			if (ids[i] == WALK_NONE && prandom_u32_state(&rnd) % 3)
				ids[i] = insert_ok(test, t, &objs[i]);
	}
	for (i = 0; i < cap; i++)
		live += ids[i] != WALK_NONE;
	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), live);

	rcu_read_lock();
	prev = 0;
	rcumap_ptab_for_each(t, id, node) {
		struct obj *o = to_obj(node);
		size_t n = o - objs;

		if (o < objs || n >= cap || ids[n] != id ||
		    (walked && id <= prev) || __test_and_set_bit(n, seen))
			bad++;
		prev = id;
		walked++;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "walk returned a wrong object");
	KUNIT_EXPECT_EQ(test, walked, live);

	/* From every id up to past the last one, and from the very top. */
	for (from = 0; from <= prev + 2 * cap; from++) {
		u64 want = model_next(ids, cap, from);

		id = from;
		node = next(t, &id);
		if (want == WALK_NONE ? node || id != from :
		    !node || id != want || to_obj(node) < objs ||
		    to_obj(node) - objs >= cap || ids[to_obj(node) - objs] != want)
			bad++;
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "rcumap_ptab_next() missed the next id");
	id = RCUMAP_PTAB_ID_MAX + 1;
	KUNIT_EXPECT_NULL(test, next(t, &id));
	KUNIT_EXPECT_EQ(test, id, RCUMAP_PTAB_ID_MAX + 1);

	drain(test, t);
	id = 0;
	KUNIT_EXPECT_NULL(test, next(t, &id));
	KUNIT_EXPECT_EQ(test, id, 0ULL);
	rcumap_ptab_destroy(t);
}

/*
 * Two objects whose ids are many capacities apart: finding the second
 * takes a full pass over the slots rather than stopping early.
 */
static void ptab_next_finds_ids_more_than_a_capacity_apart(struct kunit *test)
{
	const u32 cap = RCUMAP_PTAB_MIN_CAPACITY;
	struct rcumap_ptab *t = new_ptab(test, cap);
	struct obj *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct obj *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	u64 ida, idb = 0, id;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	ida = insert_ok(test, t, a);
	for (i = 0; i < 20 * cap; i++) {
		idb = insert_ok(test, t, b);
		if (i + 1 < 20 * cap)
			KUNIT_ASSERT_PTR_EQ(test, rcumap_ptab_remove(t, idb),
					    &b->node);
	}
	KUNIT_EXPECT_GT(test, idb, ida + 10 * cap);
	id = ida + 1;
	KUNIT_EXPECT_PTR_EQ(test, next(t, &id), &b->node);
	KUNIT_EXPECT_EQ(test, id, idb);
	drain(test, t);
	rcumap_ptab_destroy(t);
}

/* ---- Cost after churn ------------------------------------------------ */

#define COST_CAPACITY	4096
#define COST_CHURN	(8 * COST_CAPACITY)	/* warm-up replacements */

struct cost_params {
	u32 pct;		/* occupancy */
	u32 max_ids_x100;	/* ids per insert, times 100, at most */
};

/*
 * The targets of issue 14; a next-fit model measured 1.25 and 5.2, the
 * table itself 1.26 and 5.18 (Documentation/rcumap-ptab.rst).
 */
static const struct cost_params cost_params[] = {
	{ 50, 130 },
	{ 90, 600 },
};

static void cost_desc(const struct cost_params *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u%% full, at most %u.%02u ids per insert",
		 p->pct, p->max_ids_x100 / 100, p->max_ids_x100 % 100);
}

KUNIT_ARRAY_PARAM(cost, cost_params, cost_desc);

/* The @n objects of a churned table and their ids. */
struct churn {
	struct rcumap_ptab *t;
	struct obj *objs;
	u64 *ids;
	u32 n;
	struct rnd_state rnd;
};

/*
 * Replace random objects of @c (remove one, insert it again) @times times:
 * random frees, with a fixed seed.
 */
static void churn_random(struct kunit *test, struct churn *c, u32 times)
{
	u32 i;

	for (i = 0; i < times; i++) {
		u32 j = prandom_u32_state(&c->rnd) % c->n;

		/* No reader anywhere: the node may go back in at once. */
		KUNIT_ASSERT_PTR_EQ(test, rcumap_ptab_remove(c->t, c->ids[j]),
				    &c->objs[j].node);
		KUNIT_ASSERT_EQ(test, rcumap_ptab_insert(c->t, &c->objs[j].node,
							 &c->ids[j]), 0);
		if (!(i % 4096))
			cond_resched();
	}
}

/*
 * A table of COST_CAPACITY slots filled to @pct percent, then warmed up
 * with COST_CHURN random replacements: the steady state of random frees.
 */
static void churn_start(struct kunit *test, struct churn *c, u32 pct)
{
	u32 i;

	c->t = new_ptab(test, COST_CAPACITY);
	c->n = COST_CAPACITY * pct / 100;
	c->objs = kunit_kcalloc(test, c->n, sizeof(*c->objs), GFP_KERNEL);
	c->ids = kunit_kcalloc(test, c->n, sizeof(*c->ids), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->objs);
	KUNIT_ASSERT_NOT_NULL(test, c->ids);
	prandom_seed_state(&c->rnd, 14);
	for (i = 0; i < c->n; i++)
		c->ids[i] = insert_ok(test, c->t, &c->objs[i]);
	churn_random(test, c, COST_CHURN);
}

/*
 * With random frees, an insert takes the free slot nearest after the last
 * id (next-fit), so ids advance by about one per insert, not by half the
 * capacity: after a warm-up of random replacements, COST_CAPACITY more use
 * at most the targeted ids per insert.  A deterministic count: one thread,
 * a fixed seed.
 */
static void ptab_ids_per_insert_after_random_frees(struct kunit *test)
{
	const struct cost_params *p = test->param_value;
	struct churn c;
	u64 before, used;

	churn_start(test, &c, p->pct);
	before = rcumap_ptab_id_end(c.t);
	churn_random(test, &c, COST_CAPACITY);
	used = rcumap_ptab_id_end(c.t) - before;
	KUNIT_EXPECT_LE(test, used * 100, (u64)p->max_ids_x100 * COST_CAPACITY);
	kunit_info(test, "%llu.%02llu ids per insert\n", used / COST_CAPACITY,
		   used * 100 / COST_CAPACITY % 100);
	drain(test, c.t);
	rcumap_ptab_destroy(c.t);
}

/* Loads per object of a whole id-order walk, at most (measured 9.2). */
#define COST_WALK_LOADS	12

/*
 * After churn at 50% occupancy, a whole walk in id order loads at most
 * COST_WALK_LOADS group counters, bitmap words and slots per object it
 * returns, counted through the KUnit hook (the ring allocator's ids made
 * that 0.72 x capacity, about 2,900 here).  It still returns exactly the
 * objects in the table, in increasing id order.
 */
static void ptab_walk_cost_per_object_after_churn(struct kunit *test)
{
	struct rcumap_ptab_node *node;
	u64 id, prev = 0, loads = 0;
	u32 walked = 0, bad = 0;
	struct churn c;

	churn_start(test, &c, 50);
	rcu_read_lock();
	for (id = 0;
	     (node = rcumap_ptab_kunit_next_below(c.t, &id, U64_MAX, &loads));
	     id++) {
		struct obj *o = to_obj(node);

		if (o < c.objs || o - c.objs >= c.n || c.ids[o - c.objs] != id ||
		    (walked && id <= prev))
			bad++;
		prev = id;
		walked++;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "walk returned a wrong object");
	KUNIT_EXPECT_EQ(test, walked, c.n);
	KUNIT_EXPECT_LE(test, loads, (u64)COST_WALK_LOADS * c.n);
	kunit_info(test, "%llu loads for %u objects\n", loads, c.n);
	drain(test, c.t);
	rcumap_ptab_destroy(c.t);
}

/* ---- The slot mapping ------------------------------------------------- */

static const u32 map_capacities[] = {
	RCUMAP_PTAB_MIN_CAPACITY, 128, 1024, 1U << 20, RCUMAP_PTAB_MAX_CAPACITY,
};

KUNIT_ARRAY_PARAM(map_capacity, map_capacities, capacity_desc);

/* Capacities up to this are checked at every ix, larger ones sampled. */
#define MAP_EXHAUSTIVE	SZ_1M

/*
 * The mapping from ix (allocation order) to slot puts ix in cache line
 * ix mod lines, at position ix / lines within it, so that consecutive
 * allocations land in different cache lines; that makes it a bijection,
 * which the test also checks directly for every capacity up to 2^20.  Only
 * the low bits of an id matter.  Above 2^20 (the maximum capacity takes
 * ten seconds in an emulated guest) every 61st ix is checked, and every ix
 * of the first and last 64K.
 */
static void ptab_slot_mapping_spreads_over_cache_lines(struct kunit *test)
{
	const u32 cap = *(const u32 *)test->param_value;
	const u32 per_line = L1_CACHE_BYTES / sizeof(struct rcumap_ptab_node *);
	const u32 lines = cap / per_line;
	const bool every = cap <= MAP_EXHAUSTIVE;
	unsigned long *used = NULL;
	u32 ix, slot, prev = 0, bad = 0, first_bad = 0, checked = 0;

	KUNIT_ASSERT_GE(test, lines, 2U);
	if (every) {
		used = kvcalloc(BITS_TO_LONGS(cap), sizeof(long), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, used);
	}
	for (ix = 0; ix < cap; ix++) {
		if (!every && ix >= SZ_64K && ix < cap - SZ_64K && ix % 61)
			continue;
		slot = rcumap_ptab_kunit_ix_to_slot(cap, ix);
		if (slot >= cap || slot / per_line != ix % lines ||
		    slot % per_line != ix / lines ||
		    (used && __test_and_set_bit(slot, used)) ||
		    (every && ix && slot / per_line == prev / per_line) ||
		    (!(ix % 4099) &&
		     rcumap_ptab_kunit_ix_to_slot(cap, ix + cap) != slot)) {
			if (!bad++)
				first_bad = ix;
		}
		prev = slot;
		checked++;
		if (!(checked % 65536))
			cond_resched();
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "first bad ix %u (slot %u)",
			    first_bad,
			    rcumap_ptab_kunit_ix_to_slot(cap, first_bad));
	/* cap distinct slots below cap: every slot is used exactly once. */
	if (used)
		KUNIT_EXPECT_TRUE(test, bitmap_full(used, cap));
	kvfree(used);
}

/* ---- The end of the id space ----------------------------------------- */

/*
 * Near %RCUMAP_PTAB_ID_MAX only the slots whose next id still fits can be
 * used; the others fail with -EOVERFLOW and change nothing.  Walks stop at
 * the top id.
 */
static void ptab_ids_run_out_with_eoverflow(struct kunit *test)
{
	const u32 cap = RCUMAP_PTAB_MIN_CAPACITY;
	const u64 top = RCUMAP_PTAB_ID_MAX;
	struct rcumap_ptab *t = new_ptab(test, cap);
	struct obj *objs = kunit_kcalloc(test, 3 * cap, sizeof(*objs),
					 GFP_KERNEL);
	struct rcumap_ptab_node *node;
	u32 i, ok = 0, overflow = 0, walked = 0;
	u64 id, ids[3] = { 0 }, seen[4] = { 0 };
	int err;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	rcumap_ptab_kunit_set_next_id(t, top - 2);
	for (i = 0; i < 3 * cap; i++) {
		err = rcumap_ptab_insert(t, &objs[i].node, &id);
		if (!err && ok < ARRAY_SIZE(ids))
			ids[ok] = id;
		ok += !err;
		overflow += err == -EOVERFLOW;
	}
	KUNIT_EXPECT_EQ(test, ok, 3U);
	KUNIT_EXPECT_EQ(test, overflow, 3 * cap - 3);
	KUNIT_EXPECT_EQ(test, ids[0], top - 2);
	KUNIT_EXPECT_EQ(test, ids[1], top - 1);
	KUNIT_EXPECT_EQ(test, ids[2], top);
	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), 3U);

	rcu_read_lock();
	rcumap_ptab_for_each(t, id, node)
		seen[walked++ % ARRAY_SIZE(seen)] = id;
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, walked, 3U);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, seen[i], ids[i]);
	KUNIT_EXPECT_NOT_NULL(test, lookup(t, top));

	drain(test, t);
	KUNIT_EXPECT_EQ(test, rcumap_ptab_insert(t, &objs[0].node, &id),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), 0U);
	rcumap_ptab_destroy(t);
}

/* ---- Grace periods ---------------------------------------------------- */

struct rcu_obj {
	struct rcumap_ptab_node node;
	u64 check;
	struct rcu_head rcu;
};

/*
 * A reader that found an object may go on using it after it is removed
 * and handed to kfree_rcu(), until the reader's critical section ends
 * (KASAN reports it if the object is freed early).
 */
static void ptab_removed_object_stays_readable_until_grace_period(struct kunit *test)
{
	struct rcumap_ptab *t = new_ptab(test, RCUMAP_PTAB_MIN_CAPACITY);
	struct rcu_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);
	struct rcumap_ptab_node *node, *removed = NULL, *again = NULL;
	u64 id, node_id = 0, check = 0;

	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_ASSERT_EQ(test, rcumap_ptab_insert(t, &o->node, &id), 0);
	o = NULL;
	rcu_read_lock();
	node = rcumap_ptab_lookup(t, id);
	if (node) {
		struct rcu_obj *found = container_of(node, struct rcu_obj,
						     node);

		WRITE_ONCE(found->check, OBJ_MAGIC ^ id);
		removed = rcumap_ptab_remove(t, id);
		if (removed == node)
			kfree_rcu(found, rcu);
		again = rcumap_ptab_lookup(t, id);
		node_id = rcumap_ptab_node_id(node);
		check = READ_ONCE(found->check);
	}
	rcu_read_unlock();
	KUNIT_EXPECT_NOT_NULL(test, node);
	KUNIT_EXPECT_PTR_EQ(test, removed, node);
	KUNIT_EXPECT_NULL(test, again);
	KUNIT_EXPECT_EQ(test, node_id, id);
	KUNIT_EXPECT_EQ(test, check, OBJ_MAGIC ^ id);
	rcumap_ptab_destroy(t);
}

/*
 * A reader that found the table before it was destroyed may go on using
 * it until its critical section ends (KASAN reports it if the table is
 * freed early).
 */
static void ptab_destroy_waits_for_readers(struct kunit *test)
{
	const u32 cap = RCUMAP_PTAB_MIN_CAPACITY;
	struct rcumap_ptab *t = new_ptab(test, cap);
	struct obj *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	struct rcumap_ptab_node *found, *removed, *after, *walked;
	u64 id, from = 0;
	u32 capacity;

	KUNIT_ASSERT_NOT_NULL(test, o);
	id = insert_ok(test, t, o);
	rcu_read_lock();
	found = rcumap_ptab_lookup(t, id);
	removed = rcumap_ptab_remove(t, id);
	rcumap_ptab_destroy(t);
	after = rcumap_ptab_lookup(t, id);
	walked = rcumap_ptab_next(t, &from);
	capacity = rcumap_ptab_capacity(t);
	rcu_read_unlock();
	KUNIT_EXPECT_PTR_EQ(test, found, &o->node);
	KUNIT_EXPECT_PTR_EQ(test, removed, &o->node);
	KUNIT_EXPECT_NULL(test, after);
	KUNIT_EXPECT_NULL(test, walked);
	KUNIT_EXPECT_EQ(test, capacity, cap);
	/* The object was found under the read lock: wait before kunit frees it. */
	synchronize_rcu();
}

/*
 * A slot-order walk returns every live object exactly once, however far
 * apart their ids are (here ids span several generations).
 */
static void ptab_slot_walk_returns_exactly_the_live_set(struct kunit *test)
{
	const u32 cap = 64;
	struct rcumap_ptab *t = new_ptab(test, cap);
	struct obj *objs = kunit_kcalloc(test, 2 * cap, sizeof(*objs), GFP_KERNEL);
	DECLARE_BITMAP(seen, 2 * 64) = {};
	struct rcumap_ptab_node *node;
	u32 i, slot, walked = 0, bad = 0;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	fill(test, t, objs, cap);
	/* Free every third object, and give some of their slots new ones. */
	for (i = 0; i < cap; i += 3)
		KUNIT_ASSERT_PTR_EQ(test, rcumap_ptab_remove(t, i), &objs[i].node);
	for (i = 0; i < cap / 6; i++)
		insert_ok(test, t, &objs[cap + i]);

	rcu_read_lock();
	for (slot = 0; (node = rcumap_ptab_slot_next(t, &slot)); slot++) {
		u32 o = to_obj(node) - objs;

		if (o >= 2 * cap || __test_and_set_bit(o, seen) ||
		    (o < cap && !(o % 3)) || (o >= cap && o >= cap + cap / 6))
			bad++;
		walked++;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, bad, 0U);
	KUNIT_EXPECT_EQ(test, walked, rcumap_ptab_count(t));
	drain(test, t);
	rcumap_ptab_destroy(t);
}

/*
 * A walk ends at the ids handed out when it began: a body that replaces
 * every object it visits (each new one with a higher id) still ends, after
 * visiting exactly the objects that were there at the start.
 */
static void ptab_walk_ends_despite_inserts(struct kunit *test)
{
	const u32 n = 8;
	struct rcumap_ptab *t = new_ptab(test, 64);
	struct obj *objs = kunit_kcalloc(test, 2 * n, sizeof(*objs), GFP_KERNEL);
	struct rcumap_ptab_node *node;
	u32 visited = 0, fresh = 0, bad = 0;
	u64 id, new_id;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	fill(test, t, objs, n);
	rcu_read_lock();
	rcumap_ptab_for_each(t, id, node) {
		if (id >= n || rcumap_ptab_remove(t, id) != node)
			bad++;
		if (fresh < n &&
		    rcumap_ptab_insert(t, &objs[n + fresh++].node, &new_id))
			bad++;
		if (++visited > 4 * n)
			break;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, bad, 0U);
	KUNIT_EXPECT_EQ(test, visited, n);
	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), n);
	drain(test, t);
	rcumap_ptab_destroy(t);
}

/*
 * The model of a table for random operations: per slot index, the live
 * object or NULL; the smallest id the table may hand out next; a pool of
 * objects to insert, and which are in use.
 */
struct promise_model {
	u32 cap;
	struct obj **live;
	struct obj *pool;
	bool *used;
	u32 next_obj;
	u64 next_id;
	u32 count;
};

/*
 * What insert must return, single-threaded: the id of the free slot
 * nearest at or after next_id in id order (next-fit), the smallest id at
 * or above next_id of any free slot.
 */
static u64 promise_next_fit(const struct promise_model *m)
{
	u64 best = U64_MAX;
	u32 ix;

	for (ix = 0; ix < m->cap; ix++) {
		u64 id = m->next_id + ((ix - (u32)m->next_id) & (m->cap - 1));

		if (!m->live[ix] && id < best)
			best = id;
	}
	return best;
}

static void promise_insert(struct kunit *test, struct rcumap_ptab *t,
			   struct promise_model *m)
{
	u64 want = promise_next_fit(m), id = 0;
	struct obj *o;
	u32 ix;
	int err;

	while (m->used[m->next_obj])
		m->next_obj = (m->next_obj + 1) % m->cap;
	o = &m->pool[m->next_obj];
	err = rcumap_ptab_insert(t, &o->node, &id);
	if (err) {
		KUNIT_EXPECT_EQ(test, err, -EOVERFLOW);
		KUNIT_EXPECT_GT(test, want, RCUMAP_PTAB_ID_MAX);
		return;
	}
	ix = id & (m->cap - 1);
	KUNIT_EXPECT_NULL(test, m->live[ix]);
	KUNIT_EXPECT_EQ(test, id, want);
	KUNIT_EXPECT_LE(test, id, RCUMAP_PTAB_ID_MAX);
	m->used[o - m->pool] = true;
	m->live[ix] = o;
	m->next_id = id + 1;
	m->count++;
}

/*
 * Remove the live id of a random slot, or any id of that slot from the
 * last generations (stale, current or never handed out): only the live
 * id removes its object.  No reader holds a removed object, so it may be
 * inserted again at once.
 */
static void promise_remove(struct kunit *test, struct rcumap_ptab *t,
			   struct promise_model *m, struct rnd_state *rnd)
{
	u32 ix = prandom_u32_state(rnd) % m->cap;
	u64 id = ix + m->cap * (m->next_id / m->cap -
				prandom_u32_state(rnd) % 3 + 1);
	struct rcumap_ptab_node *node;
	bool hit;

	if (m->live[ix] && prandom_u32_state(rnd) % 2)
		id = m->live[ix]->node.id;
	hit = m->live[ix] && m->live[ix]->node.id == id;
	node = rcumap_ptab_remove(t, id);
	KUNIT_EXPECT_PTR_EQ(test, node, hit ? &m->live[ix]->node : NULL);
	if (node) {
		m->used[to_obj(node) - m->pool] = false;
		m->live[ix] = NULL;
		m->count--;
	}
}

/* next() from a random id finds the smallest live id at or above it. */
static void promise_next(struct kunit *test, struct rcumap_ptab *t,
			 struct promise_model *m, struct rnd_state *rnd)
{
	u64 want = U64_MAX, from, id;
	struct rcumap_ptab_node *node;
	u32 ix;

	from = m->next_id > 2 * m->cap ?
		m->next_id - prandom_u32_state(rnd) % (2 * m->cap) :
		prandom_u32_state(rnd) % (m->next_id + 1);
	for (ix = 0; ix < m->cap; ix++)
		if (m->live[ix] && m->live[ix]->node.id >= from &&
		    m->live[ix]->node.id < want)
			want = m->live[ix]->node.id;
	id = from;
	rcu_read_lock();
	node = rcumap_ptab_next(t, &id);
	KUNIT_EXPECT_EQ(test, node ? id : U64_MAX, want);
	if (node)
		KUNIT_EXPECT_EQ(test, rcumap_ptab_node_id(node), id);
	KUNIT_EXPECT_PTR_EQ(test, rcumap_ptab_lookup(t, from),
			    want == from ? &m->live[from & (m->cap - 1)]->node :
			    NULL);
	rcu_read_unlock();
}

static const u32 promise_capacities[] = { RCUMAP_PTAB_MIN_CAPACITY, 128, 1024 };

KUNIT_ARRAY_PARAM(promise_capacity, promise_capacities, capacity_desc);

/*
 * A long random sequence of inserts, removes (of live, stale and future
 * ids), lookups and next() calls, checked against a model of the table's
 * promises: next-fit ids, exact lookups, the end of the id space (the
 * next id jumps near it part way through).  Then a walk returns every
 * live object once, in id order.
 */
static void ptab_random_ops_keep_the_promises(struct kunit *test)
{
	const u32 cap = *(const u32 *)test->param_value;
	struct rcumap_ptab *t = new_ptab(test, cap);
	struct promise_model m = { .cap = cap };
	struct rcumap_ptab_node *node;
	u64 id, prev = 0, seen = 0;
	struct rnd_state rnd;
	bool first = true;
	u32 i, op, ix;

	m.live = kunit_kcalloc(test, cap, sizeof(*m.live), GFP_KERNEL);
	m.pool = kunit_kcalloc(test, cap, sizeof(*m.pool), GFP_KERNEL);
	m.used = kunit_kcalloc(test, cap, sizeof(*m.used), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, m.live && m.pool && m.used);
	prandom_seed_state(&rnd, 0xabcdef + cap);
	for (i = 0; i < 20000; i++) {
		if (i == 12000) {
			m.next_id = RCUMAP_PTAB_ID_MAX - 3 * cap;
			rcumap_ptab_kunit_set_next_id(t, m.next_id);
		}
		op = prandom_u32_state(&rnd) % 10;
		if (op < 5 && m.count < cap * 9 / 10)
			promise_insert(test, t, &m);
		else if (op < 8)
			promise_remove(test, t, &m, &rnd);
		else
			promise_next(test, t, &m, &rnd);
		KUNIT_EXPECT_EQ(test, rcumap_ptab_count(t), m.count);
		cond_resched();
	}
	rcu_read_lock();
	rcumap_ptab_for_each(t, id, node) {
		KUNIT_EXPECT_TRUE(test, first || id > prev);
		KUNIT_EXPECT_PTR_EQ(test, m.live[id & (cap - 1)], to_obj(node));
		first = false;
		prev = id;
		seen++;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, seen, (u64)m.count);
	for (ix = 0; ix < cap; ix++)
		if (m.live[ix])
			KUNIT_EXPECT_PTR_EQ(test,
					    rcumap_ptab_remove(t, m.live[ix]->node.id),
					    &m.live[ix]->node);
	rcumap_ptab_destroy(t);
}

/*
 * In a large, nearly empty table, next() skips the groups of slots that
 * are all free and finds the one object far ahead, and nothing past the
 * last one; destroying NULL does nothing.
 */
static void ptab_next_skips_free_groups(struct kunit *test)
{
	const u32 cap = 1U << 16;
	struct rcumap_ptab *t = new_ptab(test, cap);
	struct obj *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct obj *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	u64 ida, idb, id;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	ida = insert_ok(test, t, a);
	rcumap_ptab_kunit_set_next_id(t, cap - 1000);
	idb = insert_ok(test, t, b);
	KUNIT_EXPECT_EQ(test, ida, 0ULL);
	KUNIT_EXPECT_EQ(test, idb, (u64)cap - 1000);
	id = ida + 1;
	KUNIT_EXPECT_PTR_EQ(test, next(t, &id), &b->node);
	KUNIT_EXPECT_EQ(test, id, idb);
	id = idb + 1;
	KUNIT_EXPECT_NULL(test, next(t, &id));
	drain(test, t);
	rcumap_ptab_destroy(t);
	rcumap_ptab_destroy(NULL);
}

#ifdef RCUMAP_NATIVE
/*
 * Native only (tools/native): destroying a table that still holds objects
 * is a caller's bug, which rcumap_ptab_destroy() reports with a WARN.  A
 * kernel test must not make a WARN fire (panic_on_warn); the native shim
 * counts them instead, so this checks that exactly one fired.
 */
static void ptab_destroy_nonempty_warns(struct kunit *test)
{
	struct rcumap_ptab *t = new_ptab(test, 64);
	struct obj *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	long before = native_warnings;
	u64 id;

	KUNIT_ASSERT_NOT_NULL(test, o);
	KUNIT_ASSERT_EQ(test, rcumap_ptab_insert(t, &o->node, &id), 0);
	rcumap_ptab_destroy(t);
	KUNIT_EXPECT_EQ(test, native_warnings - before, 1L);
	/* The warning was the expected result, not a failure of the case. */
	native_warnings = before;
}
#endif

static struct kunit_case rcumap_ptab_cases[] = {
	KUNIT_CASE_PARAM(ptab_create_rejects_bad_capacity,
			 bad_capacity_gen_params),
	KUNIT_CASE_PARAM(ptab_fill_until_full_then_enospc,
			 fill_capacity_gen_params),
	KUNIT_CASE_PARAM(ptab_remove_then_insert_reuses_slot_with_id_plus_capacity,
			 reuse_pick_gen_params),
	KUNIT_CASE(ptab_stale_id_lookup_and_remove_miss),
	KUNIT_CASE(ptab_insert_with_sees_id_before_visible),
	KUNIT_CASE(ptab_ids_increase_when_frees_come_back_out_of_order),
	KUNIT_CASE(ptab_iteration_returns_exactly_the_live_set),
	KUNIT_CASE(ptab_slot_walk_returns_exactly_the_live_set),
	KUNIT_CASE(ptab_walk_ends_despite_inserts),
	KUNIT_CASE(ptab_next_finds_ids_more_than_a_capacity_apart),
	KUNIT_CASE_PARAM(ptab_ids_per_insert_after_random_frees,
			 cost_gen_params),
	KUNIT_CASE(ptab_walk_cost_per_object_after_churn),
	KUNIT_CASE_PARAM(ptab_slot_mapping_spreads_over_cache_lines,
			 map_capacity_gen_params),
	KUNIT_CASE(ptab_ids_run_out_with_eoverflow),
	KUNIT_CASE(ptab_removed_object_stays_readable_until_grace_period),
	KUNIT_CASE(ptab_destroy_waits_for_readers),
	KUNIT_CASE_PARAM(ptab_random_ops_keep_the_promises,
			 promise_capacity_gen_params),
	KUNIT_CASE(ptab_next_skips_free_groups),
#ifdef RCUMAP_NATIVE
	KUNIT_CASE(ptab_destroy_nonempty_warns),
#endif
	{}
};

static struct kunit_suite rcumap_ptab_suite = {
	.name = "rcumap_ptab",
	.test_cases = rcumap_ptab_cases,
};

/* ---- Allocation failures ---------------------------------------------- */

/*
 * Capacities whose arrays fit in a page: kvmalloc() does not fall back to
 * vmalloc() for them, whose failures print a warning.
 */
static const u32 fault_capacities[] = { RCUMAP_PTAB_MIN_CAPACITY, 512 };

KUNIT_ARRAY_PARAM(fault_capacity, fault_capacities, capacity_desc);

/*
 * Sweep fail-nth over create: every injected failure gives -ENOMEM and
 * leaks nothing (kmemleak checks), and the table that is finally created
 * works.
 */
static void ptab_create_alloc_failure_is_clean(struct kunit *test)
{
	const u32 cap = *(const u32 *)test->param_value;
	struct obj *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	struct rcumap_ptab *t = NULL;
	u32 nth, failures = 0;
	u64 id;

	KUNIT_ASSERT_NOT_NULL(test, o);
	for (nth = 1; nth < 100; nth++) {
		fail_nth_arm(nth);
		t = rcumap_ptab_create(cap, GFP_KERNEL);
		if (!fail_nth_fired())
			break;
		if (IS_ERR(t)) {
			KUNIT_EXPECT_EQ(test, PTR_ERR(t), -ENOMEM);
			failures++;
		} else {
			rcumap_ptab_destroy(t);
		}
		t = NULL;
	}
	KUNIT_EXPECT_GT(test, failures, 0U);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	KUNIT_EXPECT_EQ(test, rcumap_ptab_insert(t, &o->node, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 0ULL);
	KUNIT_EXPECT_PTR_EQ(test, rcumap_ptab_remove(t, id), &o->node);
	rcumap_ptab_destroy(t);
}

static struct kunit_case rcumap_ptab_fault_cases[] = {
	KUNIT_CASE_PARAM(ptab_create_alloc_failure_is_clean,
			 fault_capacity_gen_params),
	{}
};

static struct kunit_suite rcumap_ptab_fault_suite = {
	.name = "rcumap_ptab_fault",
	.init = fail_nth_suite_init,
	.test_cases = rcumap_ptab_fault_cases,
};

/* ---- Concurrency ------------------------------------------------------ */

/*
 * Every thread inserts, looks up and removes its own objects, and looks up
 * ids the others have handed out.  Threads never hold a lock, so all of
 * them run through the ring, the slots and the id counter at once.  Every
 * object carries a check word, set by the init callback before the object
 * becomes visible, that names its id.  The threads check as they go:
 *  - every id an insert returns is above every id returned by inserts
 *    that finished before it started, on any CPU (and so above this
 *    thread's previous one);
 *  - a lookup of any id returns nothing or an object inserted under that
 *    very id, whole; a lookup or remove of an id this thread removed
 *    misses, although its slot is being reused all the time;
 *  - a walk is in increasing id order and returns each of this thread's
 *    objects (which stay put during its walk) exactly once.  Every thread
 *    walks at least once: one that reaches the deadline without having
 *    walked walks then, while the others may still be running, so the
 *    check does not depend on how fast a walk is on the machine.
 * They record the ids they get; after the run the test checks that no id
 * was handed out twice.  Removed objects go to kfree_rcu(): KASAN reports
 * any reader that touches one after it is freed.
 */
#define STRESS_OWN		48	/* objects a thread holds at most */
#define STRESS_LOG		BIT(18)		/* ids a thread records */
#define STRESS_RECENT		256	/* ids shared for lookups */
#define STRESS_WALK_EVERY	256	/* iterations between walks */

struct stress_obj {
	struct rcumap_ptab_node node;
	u64 check;
	struct rcu_head rcu;
};

struct ptab_stress {
	struct rcumap_ptab *t;
	struct stress_errors err;
	atomic64_t max_returned;	/* largest id an insert has returned */
	atomic64_t recent[STRESS_RECENT];
	atomic_long_t inserts;
	atomic_long_t full;
	atomic_long_t hits;
	atomic_long_t walks;
};

struct ptab_stress_thread {
	struct ptab_stress *s;
	u32 nr;
	u32 nr_own;
	struct stress_obj *own[STRESS_OWN];
	u64 own_id[STRESS_OWN];
	u64 *log;
	u32 logged;
	u32 walks;
	struct rnd_state rnd;
};

static void stress_init(struct rcumap_ptab_node *node, u64 id, void *arg)
{
	WRITE_ONCE(container_of(node, struct stress_obj, node)->check,
		   OBJ_MAGIC ^ id);
}

/* A lookup hit must be an object inserted under @id, whole. */
static void stress_check_hit(struct ptab_stress *s, struct rcumap_ptab_node *node,
			     u64 id, const char *what)
{
	struct stress_obj *o = container_of(node, struct stress_obj, node);
	u64 node_id = rcumap_ptab_node_id(node);
	u64 check = READ_ONCE(o->check);

	if (node_id != id || check != (OBJ_MAGIC ^ id))
		stress_fail(&s->err, "%s of id %llu found object of id %llu (check %llx)",
			    what, id, node_id, check ^ OBJ_MAGIC);
}

static void stress_insert(struct ptab_stress_thread *st)
{
	struct ptab_stress *s = st->s;
	struct stress_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);
	s64 before, max;
	u64 id;
	int err;

	if (!o)
		return;
	before = atomic64_read(&s->max_returned);
	err = rcumap_ptab_insert_with(s->t, &o->node, stress_init, NULL, &id);
	if (err) {
		/* Never visible to anyone: no grace period needed. */
		kfree(o);
		if (err == -ENOSPC)
			atomic_long_inc(&s->full);
		else
			stress_fail(&s->err, "thread %u: insert: %d", st->nr,
				    err);
		return;
	}
	if ((s64)id <= before)
		stress_fail(&s->err,
			    "thread %u: id %llu, but %lld was returned before the insert began",
			    st->nr, id, before);
	max = atomic64_read(&s->max_returned);
	while (max < (s64)id &&
	       !atomic64_try_cmpxchg(&s->max_returned, &max, (s64)id))
		;
	if (st->log && st->logged < STRESS_LOG)
		st->log[st->logged++] = id;
	st->own[st->nr_own] = o;
	st->own_id[st->nr_own++] = id;
	atomic64_set(&s->recent[prandom_u32_state(&st->rnd) % STRESS_RECENT],
		     (s64)id);
	atomic_long_inc(&s->inserts);
}

static void stress_remove(struct ptab_stress_thread *st)
{
	struct ptab_stress *s = st->s;
	u32 i = prandom_u32_state(&st->rnd) % st->nr_own;
	struct stress_obj *o = st->own[i];
	u64 id = st->own_id[i];
	struct rcumap_ptab_node *node;

	node = rcumap_ptab_remove(s->t, id);
	st->own[i] = st->own[--st->nr_own];
	st->own_id[i] = st->own_id[st->nr_own];
	if (node != &o->node) {
		/* Forget @o (it may still be in the table: leak it). */
		stress_fail(&s->err, "thread %u: remove of its id %llu returned %p, not %p",
			    st->nr, id, node, &o->node);
		return;
	}
	kfree_rcu(o, rcu);

	/* The id is stale now; its slot may already hold someone else. */
	rcu_read_lock();
	node = rcumap_ptab_lookup(s->t, id);
	if (node)
		stress_fail(&s->err, "thread %u: removed id %llu still found (id %llu)",
			    st->nr, id, rcumap_ptab_node_id(node));
	rcu_read_unlock();
	if (rcumap_ptab_remove(s->t, id))
		stress_fail(&s->err, "thread %u: removed id %llu removed again",
			    st->nr, id);
}

static void stress_lookup(struct ptab_stress_thread *st)
{
	struct ptab_stress *s = st->s;
	u64 id = atomic64_read(&s->recent[prandom_u32_state(&st->rnd) %
					  STRESS_RECENT]);
	struct rcumap_ptab_node *node;
	u32 i;

	rcu_read_lock();
	node = rcumap_ptab_lookup(s->t, id);
	if (node) {
		stress_check_hit(s, node, id, "lookup");
		atomic_long_inc(&s->hits);
	}
	if (st->nr_own) {
		i = prandom_u32_state(&st->rnd) % st->nr_own;
		node = rcumap_ptab_lookup(s->t, st->own_id[i]);
		if (node != &st->own[i]->node)
			stress_fail(&s->err, "thread %u: lookup of its id %llu returned %p, not %p",
				    st->nr, st->own_id[i], node,
				    &st->own[i]->node);
	}
	rcu_read_unlock();
}

static void stress_walk(struct ptab_stress_thread *st)
{
	struct ptab_stress *s = st->s;
	struct rcumap_ptab_node *node;
	u64 id, prev = 0, end = rcumap_ptab_id_end(s->t);
	u32 mine = 0, i;
	bool first = true;

	/*
	 * Drop the read lock between steps: the walk's state is just @id.
	 * It stops at the ids handed out when it began (all of this
	 * thread's objects are below), so it ends however fast the others
	 * insert.
	 */
	for (id = 0;; id++) {
		rcu_read_lock();
		node = rcumap_ptab_next_below(s->t, &id, end);
		if (!node) {
			rcu_read_unlock();
			break;
		}
		stress_check_hit(s, node, id, "walk");
		if (!first && id <= prev)
			stress_fail(&s->err, "walk went from id %llu to %llu",
				    prev, id);
		for (i = 0; i < st->nr_own; i++)
			mine += st->own_id[i] == id && node == &st->own[i]->node;
		rcu_read_unlock();
		prev = id;
		first = false;
	}
	if (mine != st->nr_own)
		stress_fail(&s->err, "thread %u: walk found %u of its %u objects",
			    st->nr, mine, st->nr_own);
	st->walks++;
	atomic_long_inc(&s->walks);
}

static int stress_thread_fn(void *arg)
{
	struct ptab_stress_thread *st = arg;
	u32 iter = 0;

	/* Freed by the test, after the run. */
	st->log = kvmalloc_array(STRESS_LOG, sizeof(*st->log), GFP_KERNEL);
	if (!st->log)
		stress_fail(&st->s->err, "thread %u: no memory for its id log",
			    st->nr);
	prandom_seed_state(&st->rnd, 0x9e3779b97f4a7c15ULL * (st->nr + 1));
	while (!kthread_should_stop()) {
		u32 op = prandom_u32_state(&st->rnd) % 8;

		if (++iter % STRESS_WALK_EVERY == 0)
			stress_walk(st);
		else if (op < 3 && st->nr_own < STRESS_OWN)
			stress_insert(st);
		else if (op < 5 && st->nr_own)
			stress_remove(st);
		else
			stress_lookup(st);
		cond_resched();
	}
	if (!st->walks)
		stress_walk(st);
	while (st->nr_own)
		stress_remove(st);
	return 0;
}

struct stress_params {
	u32 per_cpu;
	u32 capacity;
};

/* The minimum capacity fills up (-ENOSPC) and reuses every slot often. */
static const struct stress_params stress_params[] = {
	{ 2, RCUMAP_PTAB_MIN_CAPACITY },
	{ 2, 4096 },
};

static void stress_desc(const struct stress_params *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u threads per CPU, capacity %u",
		 p->per_cpu, p->capacity);
}

KUNIT_ARRAY_PARAM(stress, stress_params, stress_desc);

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void ptab_concurrent_ids_unique_increasing_and_never_misattributed(struct kunit *test)
{
	const struct stress_params *p = test->param_value;
	const u32 nr = p->per_cpu * num_online_cpus();
	struct ptab_stress *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	struct ptab_stress_thread *st = kunit_kcalloc(test, nr, sizeof(*st),
						      GFP_KERNEL);
	u32 i, total = 0, dups = 0, unwalked = 0;
	bool checked = false;
	u64 *all;

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, st);
	s->t = new_ptab(test, p->capacity);
	atomic64_set(&s->max_returned, -1);
	for (i = 0; i < STRESS_RECENT; i++)
		atomic64_set(&s->recent[i], -1);
	for (i = 0; i < nr; i++) {
		st[i].s = s;
		st[i].nr = i;
	}
	stress_run(test, &(struct stress_run){
		.name = "rcumap_pt", .fn = stress_thread_fn,
		.args = st, .size = sizeof(*st), .nr = nr,
		.ms = ptab_stress_ms, .bind = true, .err = &s->err,
	});
	for (i = 0; i < nr; i++) {
		total += st[i].logged;
		unwalked += !st[i].walks;
	}

	all = kvmalloc_array(total ?: 1, sizeof(*all), GFP_KERNEL);
	if (all) {
		u32 n = 0;

		for (i = 0; i < nr; i++) {
			memcpy(all + n, st[i].log, st[i].logged * sizeof(*all));
			n += st[i].logged;
		}
		sort(all, n, sizeof(*all), cmp_u64, NULL);
		for (i = 1; i < n; i++)
			dups += all[i] == all[i - 1];
		kvfree(all);
		checked = true;
	}
	for (i = 0; i < nr; i++)
		kvfree(st[i].log);

	KUNIT_EXPECT_EQ(test, rcumap_ptab_count(s->t), 0U);
	rcumap_ptab_destroy(s->t);
	KUNIT_EXPECT_TRUE_MSG(test, checked, "no memory to check the ids");
	KUNIT_EXPECT_EQ_MSG(test, dups, 0U, "ids handed out twice");
	KUNIT_EXPECT_GT(test, total, 0U);
	KUNIT_EXPECT_GT(test, atomic_long_read(&s->hits), 0L);
	KUNIT_EXPECT_EQ_MSG(test, unwalked, 0U, "threads that never walked");
	kunit_info(test, "%ld inserts (%u ids checked for uniqueness), last id %lld, %ld full, %ld lookup hits, %ld walks\n",
		   atomic_long_read(&s->inserts), total,
		   atomic64_read(&s->max_returned), atomic_long_read(&s->full),
		   atomic_long_read(&s->hits), atomic_long_read(&s->walks));
}

static struct kunit_case rcumap_ptab_stress_cases[] = {
	KUNIT_CASE_PARAM(ptab_concurrent_ids_unique_increasing_and_never_misattributed,
			 stress_gen_params),
	{}
};

static struct kunit_suite rcumap_ptab_stress_suite = {
	.name = "rcumap_ptab_stress",
	.test_cases = rcumap_ptab_stress_cases,
};

kunit_test_suites(&rcumap_ptab_suite, &rcumap_ptab_fault_suite,
		  &rcumap_ptab_stress_suite);
