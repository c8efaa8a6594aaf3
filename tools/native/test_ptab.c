// SPDX-License-Identifier: GPL-2.0
/*
 * Functional tests of kmod/ptab.c, single-threaded, through
 * include/linux/rcumap_ptab.h only: id assignment and reuse, stale ids,
 * iteration order, the end of the id space, and a long random sequence
 * checked against a model of the table's documented promises.
 */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/rcumap_ptab.h>
#include <linux/rcupdate.h>

#include "harness.h"

struct obj {
	struct rcumap_ptab_node node;
	u64 id_seen_by_init;
	bool visible_during_init;
	struct rcumap_ptab *table;
};

static struct obj *to_obj(struct rcumap_ptab_node *node)
{
	return node ? container_of(node, struct obj, node) : NULL;
}

static void destroy_and_check(struct rcumap_ptab *t, long live_before)
{
	rcumap_ptab_destroy(t);
	native_barrier();
	if (live_before >= 0)
		EXPECT_EQ(native_allocs_live(), live_before);
}

static void create_rejects_bad_capacity(void)
{
	static const u32 bad[] = { 0, 1, 32, 63, 65, 96, 1000,
				   RCUMAP_PTAB_MAX_CAPACITY * 2U, U32_MAX };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT(rcumap_ptab_create(bad[i], GFP_KERNEL) == ERR_PTR(-EINVAL));
}

static void create_fails_cleanly_without_memory(void)
{
	long live = native_allocs_live();
	struct rcumap_ptab *t;
	unsigned int nth;

	for (nth = 1; nth <= 8; nth++) {
		native_fail_alloc_nth(nth);
		t = rcumap_ptab_create(64, GFP_KERNEL);
		native_fail_alloc_nth(0);
		if (!IS_ERR(t)) {
			destroy_and_check(t, live);
			break;
		}
		EXPECT(t == ERR_PTR(-ENOMEM));
		if (live >= 0)
			EXPECT_EQ(native_allocs_live(), live);
	}
	EXPECT(nth > 1);
}

static void first_inserts_get_ids_in_order(void)
{
	long live = native_allocs_live();
	struct rcumap_ptab *t = rcumap_ptab_create(64, GFP_KERNEL);
	struct obj objs[65];
	u64 id = 0;
	u32 i;

	ASSERT(!IS_ERR(t));
	EXPECT_EQ(rcumap_ptab_capacity(t), 64);
	/* A slot pointer and a free bit per slot. */
	EXPECT(rcumap_ptab_bytes_used(t) >= 64 * sizeof(void *) + 64 / 8);
	for (i = 0; i < 64; i++) {
		EXPECT_EQ(rcumap_ptab_insert(t, &objs[i].node, &id), 0);
		EXPECT_EQ(id, i);
		EXPECT_EQ(rcumap_ptab_node_id(&objs[i].node), i);
	}
	id = 12345;
	EXPECT_EQ(rcumap_ptab_insert(t, &objs[64].node, &id), -ENOSPC);
	EXPECT_EQ(id, 12345);
	EXPECT_EQ(rcumap_ptab_count(t), 64);
	rcu_read_lock();
	for (i = 0; i < 64; i++)
		EXPECT(rcumap_ptab_lookup(t, i) == &objs[i].node);
	EXPECT(rcumap_ptab_lookup(t, 64) == NULL);
	rcu_read_unlock();
	for (i = 0; i < 64; i++)
		EXPECT(rcumap_ptab_remove(t, i) == &objs[i].node);
	EXPECT_EQ(rcumap_ptab_count(t), 0);
	/* The objects are on the stack: wait for readers before returning. */
	synchronize_rcu();
	destroy_and_check(t, live);
}

static void stale_ids_miss_after_reuse(void)
{
	long live = native_allocs_live();
	struct rcumap_ptab *t = rcumap_ptab_create(64, GFP_KERNEL);
	struct obj a, b, c;
	u64 ida, idb, idc;

	ASSERT(!IS_ERR(t));
	EXPECT_EQ(rcumap_ptab_insert(t, &a.node, &ida), 0);
	EXPECT(rcumap_ptab_remove(t, ida) == &a.node);
	EXPECT(rcumap_ptab_remove(t, ida) == NULL);
	synchronize_rcu();
	/* Fill every other slot so that ida's slot comes round again. */
	do {
		EXPECT_EQ(rcumap_ptab_insert(t, &b.node, &idb), 0);
		if ((idb & 63) == (ida & 63))
			break;
		EXPECT(rcumap_ptab_remove(t, idb) == &b.node);
		synchronize_rcu();
	} while (idb < 1000);
	EXPECT_EQ(idb & 63, ida & 63);
	EXPECT(idb >= ida + 64);
	rcu_read_lock();
	EXPECT(rcumap_ptab_lookup(t, ida) == NULL);
	EXPECT(rcumap_ptab_lookup(t, idb) == &b.node);
	rcu_read_unlock();
	EXPECT(rcumap_ptab_remove(t, ida) == NULL);
	EXPECT(rcumap_ptab_remove(t, idb + 64) == NULL);
	EXPECT(rcumap_ptab_remove(t, idb) == &b.node);
	EXPECT_EQ(rcumap_ptab_insert(t, &c.node, &idc), 0);
	EXPECT(idc > idb);
	EXPECT(rcumap_ptab_remove(t, idc) == &c.node);
	synchronize_rcu();
	destroy_and_check(t, live);
}

static void init_obj(struct rcumap_ptab_node *node, u64 id, void *arg)
{
	struct obj *o = to_obj(node);

	o->id_seen_by_init = id;
	rcu_read_lock();
	o->visible_during_init = rcumap_ptab_lookup(o->table, id) != NULL;
	rcu_read_unlock();
	*(int *)arg += 1;
}

static void insert_with_initialises_before_publishing(void)
{
	long live = native_allocs_live();
	struct rcumap_ptab *t = rcumap_ptab_create(64, GFP_KERNEL);
	struct obj o = { .table = t };
	int calls = 0;
	u64 id = 99;

	ASSERT(!IS_ERR(t));
	EXPECT_EQ(rcumap_ptab_insert_with(t, &o.node, init_obj, &calls, &id), 0);
	EXPECT_EQ(calls, 1);
	EXPECT_EQ(o.id_seen_by_init, id);
	EXPECT(!o.visible_during_init);
	EXPECT(rcumap_ptab_remove(t, id) == &o.node);
	synchronize_rcu();
	destroy_and_check(t, live);
}

static void running_out_of_ids_fails_cleanly(void)
{
	long live = native_allocs_live();
	struct rcumap_ptab *t = rcumap_ptab_create(64, GFP_KERNEL);
	static struct obj objs[64], extra;
	int calls = 0;
	u64 id = 0, i;

	ASSERT(!IS_ERR(t));
	/* The last 64 ids, one per slot, end with RCUMAP_PTAB_ID_MAX. */
	rcumap_ptab_kunit_set_next_id(t, RCUMAP_PTAB_ID_MAX - 63);
	for (i = 0; i < 64; i++) {
		EXPECT_EQ(rcumap_ptab_insert(t, &objs[i].node, &id), 0);
		EXPECT_EQ(id, RCUMAP_PTAB_ID_MAX - 63 + i);
	}
	EXPECT(rcumap_ptab_remove(t, RCUMAP_PTAB_ID_MAX) == &objs[63].node);
	id = 7;
	EXPECT_EQ(rcumap_ptab_insert_with(t, &extra.node, init_obj, &calls, &id),
		  -EOVERFLOW);
	EXPECT_EQ(id, 7);
	EXPECT_EQ(calls, 0);
	EXPECT_EQ(rcumap_ptab_count(t), 63);
	rcu_read_lock();
	EXPECT(rcumap_ptab_lookup(t, RCUMAP_PTAB_ID_MAX - 1) == &objs[62].node);
	EXPECT(rcumap_ptab_lookup(t, RCUMAP_PTAB_ID_MAX) == NULL);
	id = RCUMAP_PTAB_ID_MAX;
	EXPECT(rcumap_ptab_next(t, &id) == NULL);
	id = U64_MAX;
	EXPECT(rcumap_ptab_next(t, &id) == NULL);
	EXPECT(rcumap_ptab_lookup(t, U64_MAX) == NULL);
	rcu_read_unlock();
	for (i = 0; i < 63; i++)
		EXPECT(rcumap_ptab_remove(t, RCUMAP_PTAB_ID_MAX - 63 + i) ==
		       &objs[i].node);
	/* Still out of ids. */
	EXPECT_EQ(rcumap_ptab_insert(t, &extra.node, &id), -EOVERFLOW);
	EXPECT_EQ(rcumap_ptab_count(t), 0);
	synchronize_rcu();
	destroy_and_check(t, live);
}

static void spreading_is_a_bijection(void)
{
	u32 capacity, ix;

	for (capacity = RCUMAP_PTAB_MIN_CAPACITY; capacity <= 1U << 16;
	     capacity <<= 1) {
		u8 *hit = calloc(capacity, 1);

		for (ix = 0; ix < capacity; ix++) {
			u32 slot = rcumap_ptab_kunit_ix_to_slot(capacity, ix);

			if (slot >= capacity || hit[slot]++) {
				EXPECT(slot < capacity && hit[slot] == 1);
				break;
			}
		}
		free(hit);
	}
}

/*
 * The model: which ids are live, and the smallest id the table may hand
 * out next.
 */
struct model {
	u32 capacity;
	struct obj **live;	/* per slot index ix: the object, or NULL */
	u64 next_id;
	u32 count;
};

/*
 * What insert must return, single-threaded: the id of the free slot
 * nearest at or after next_id in id order (next-fit), the smallest id at
 * or above next_id of any free slot.
 */
static u64 model_next_fit(const struct model *m)
{
	u64 best = U64_MAX;
	u32 ix;

	for (ix = 0; ix < m->capacity; ix++) {
		u64 id = m->next_id + ((ix - (u32)m->next_id) &
				       (m->capacity - 1));

		if (!m->live[ix] && id < best)
			best = id;
	}
	return best;
}

static void random_ops_keep_the_promises(void)
{
	static const u32 capacities[] = { 64, 128, 1024 };
	size_t c;

	for (c = 0; c < ARRAY_SIZE(capacities); c++) {
		long live = native_allocs_live();
		u32 cap = capacities[c];
		struct rcumap_ptab *t = rcumap_ptab_create(cap, GFP_KERNEL);
		struct model m = { .capacity = cap };
		u64 rng = 0xabcdef + c, ix, i;

		ASSERT(!IS_ERR(t));
		m.live = calloc(cap, sizeof(*m.live));

		for (i = 0; i < 50000; i++) {
			u32 op = rnd_below(&rng, 10);
			u64 id = 0;

			if (i == 30000) {
				/* Jump towards the end of the id space. */
				m.next_id = RCUMAP_PTAB_ID_MAX - 3 * cap;
				rcumap_ptab_kunit_set_next_id(t, m.next_id);
			}
			if (op < 5 && m.count < cap * 9 / 10) {
				struct obj *o = calloc(1, sizeof(*o));
				u64 want = model_next_fit(&m);
				int err = rcumap_ptab_insert(t, &o->node, &id);

				if (err) {
					EXPECT_EQ(err, -EOVERFLOW);
					EXPECT(want > RCUMAP_PTAB_ID_MAX);
					free(o);
					continue;
				}
				ix = id & (cap - 1);
				EXPECT(!m.live[ix]);
				EXPECT_EQ(id, want);
				EXPECT(id <= RCUMAP_PTAB_ID_MAX);
				m.live[ix] = o;
				m.next_id = id + 1;
				m.count++;
			} else if (op < 8) {
				struct rcumap_ptab_node *node;

				bool hit;

				/*
				 * The live id of a slot, or any id of the slot
				 * from the last generations: stale, current or
				 * never handed out.
				 */
				ix = rnd_below(&rng, cap);
				id = ix + cap * (m.next_id / cap -
						 rnd_below(&rng, 3) + 1);
				if (m.live[ix] && rnd_below(&rng, 2))
					id = m.live[ix]->node.id;
				hit = m.live[ix] && m.live[ix]->node.id == id;
				node = rcumap_ptab_remove(t, id);
				EXPECT(node == (hit ? &m.live[ix]->node : NULL));
				if (node) {
					m.live[ix] = NULL;
					m.count--;
					/* No reader can hold it: free at once. */
					free(to_obj(node));
				}
			} else {
				struct rcumap_ptab_node *node;
				u64 want = U64_MAX, from;

				from = m.next_id > 2 * cap ?
					m.next_id - rnd_below(&rng, 2 * cap) :
					rnd_below(&rng, m.next_id + 1);
				for (ix = 0; ix < cap; ix++)
					if (m.live[ix] && m.live[ix]->node.id >= from &&
					    m.live[ix]->node.id < want)
						want = m.live[ix]->node.id;
				id = from;
				rcu_read_lock();
				node = rcumap_ptab_next(t, &id);
				EXPECT(node ? id == want : want == U64_MAX);
				if (node)
					EXPECT_EQ(rcumap_ptab_node_id(node), id);
				EXPECT(rcumap_ptab_lookup(t, from) ==
				       (want == from ?
					&m.live[from & (cap - 1)]->node : NULL));
				rcu_read_unlock();
			}
			EXPECT_EQ(rcumap_ptab_count(t), m.count);
		}

		/* for_each visits every live object once, in id order. */
		{
			struct rcumap_ptab_node *node;
			u64 id, prev = 0, seen = 0;
			bool first = true;

			rcu_read_lock();
			rcumap_ptab_for_each(t, id, node) {
				EXPECT(first || id > prev);
				EXPECT(m.live[id & (cap - 1)] == to_obj(node));
				first = false;
				prev = id;
				seen++;
			}
			rcu_read_unlock();
			EXPECT_EQ(seen, m.count);
		}
		for (ix = 0; ix < cap; ix++) {
			if (!m.live[ix])
				continue;
			EXPECT(rcumap_ptab_remove(t, m.live[ix]->node.id) ==
			       &m.live[ix]->node);
			free(m.live[ix]);
		}
		free(m.live);
		destroy_and_check(t, live);
	}
}

static void destroying_a_full_table_warns(void)
{
	long live = native_allocs_live();
	struct rcumap_ptab *t = rcumap_ptab_create(64, GFP_KERNEL);
	static struct obj o;
	u64 id;

	ASSERT(!IS_ERR(t));
	EXPECT_EQ(rcumap_ptab_insert(t, &o.node, &id), 0);
	fprintf(stderr, "# a warning from rcumap_ptab_destroy() follows\n");
	destroy_and_check(t, live);
	EXPECT_EQ(native_warnings, 1);
	native_warnings = 0;
}

int main(void)
{
	native_init();
	RUN(create_rejects_bad_capacity);
	RUN(create_fails_cleanly_without_memory);
	RUN(first_inserts_get_ids_in_order);
	RUN(stale_ids_miss_after_reuse);
	RUN(insert_with_initialises_before_publishing);
	RUN(running_out_of_ids_fails_cleanly);
	RUN(spreading_is_a_bijection);
	RUN(random_ops_keep_the_promises);
	RUN(destroying_a_full_table_warns);
	native_exit();
	return harness_done("test_ptab");
}
