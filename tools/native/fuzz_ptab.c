// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/ptab.c: the input picks a capacity, then is
 * read as a sequence of operations, each checked against a model of what
 * rcumap_ptab.h promises: which ids are live, and that an insert takes
 * the free slot nearest after the last id handed out (next-fit), so it
 * returns the smallest id at or above every id handed out so far that
 * maps to a free slot.  Jumps to the end of the id space reach
 * -EOVERFLOW.
 *
 * Input: capacity byte, then per operation an opcode byte and two
 * argument bytes.
 */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/rcumap_ptab.h>
#include <linux/rcupdate.h>

#include <string.h>

#include "fuzz.h"

#define MAX_CAPACITY	256

struct obj {
	struct rcumap_ptab_node node;
	u64 cookie;
};

struct model {
	u32 capacity, count;
	u64 next_id;			/* above every id handed out */
	struct obj *live[MAX_CAPACITY];	/* per slot: the object, or NULL */
	u64 last_id[MAX_CAPACITY];	/* per slot: the last id it had */
};

/* The id the next insert returns: next-fit from next_id. */
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

static void init_obj(struct rcumap_ptab_node *node, u64 id, void *arg)
{
	struct obj *o = container_of(node, struct obj, node);

	CHECK(rcumap_ptab_node_id(node) == id);
	o->cookie = id ^ *(u64 *)arg;
}

/* Any id, biased towards the interesting ones. */
static u64 pick_id(const struct model *m, u8 a, u8 b)
{
	u32 ix = b % m->capacity;

	switch (a % 6) {
	case 0:		/* whatever is in the slot now */
	case 1:
		return m->live[ix] ? m->live[ix]->node.id : m->last_id[ix];
	case 2:		/* the slot's previous or next generation */
		return m->last_id[ix] + (a & 8 ? m->capacity : -(u64)m->capacity);
	case 3:		/* near the newest ids */
		return m->next_id + b - 128;
	case 4:		/* the end of the id space */
		return RCUMAP_PTAB_ID_MAX - b + 64;
	default:
		return (u64)a << 56 | (u64)b << 8 | a;
	}
}

static void check_all(struct rcumap_ptab *t, const struct model *m)
{
	struct rcumap_ptab_node *node;
	u64 id, prev = 0, n = 0;

	CHECK(rcumap_ptab_count(t) == m->count);
	rcu_read_lock();
	rcumap_ptab_for_each(t, id, node) {
		CHECK(!n || id > prev);
		CHECK(m->live[id & (m->capacity - 1)] ==
		      container_of(node, struct obj, node));
		CHECK(rcumap_ptab_node_id(node) == id);
		prev = id;
		n++;
	}
	rcu_read_unlock();
	CHECK(n == m->count);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	native_fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct model m;
	struct rcumap_ptab *t;
	size_t i;
	u32 ix;

	if (size < 1)
		return 0;
	memset(&m, 0, sizeof(m));
	m.capacity = RCUMAP_PTAB_MIN_CAPACITY << (data[0] % 3);
	t = rcumap_ptab_create(m.capacity, GFP_KERNEL);
	CHECK(!IS_ERR(t));
	for (ix = 0; ix < m.capacity; ix++)
		m.last_id[ix] = ix;

	for (i = 1; i + 3 <= size; i += 3) {
		u8 op = data[i], a = data[i + 1], b = data[i + 2];

		switch (op % 8) {
		case 0: case 1: case 2: {	/* insert */
			struct obj *o = calloc(1, sizeof(*o));
			u64 salt = a, id = 0xbad, want = model_next_fit(&m);
			int err;

			CHECK(o);
			err = op & 0x10 ?
				rcumap_ptab_insert(t, &o->node, &id) :
				rcumap_ptab_insert_with(t, &o->node, init_obj,
							&salt, &id);
			if (m.count == m.capacity) {
				CHECK(err == -ENOSPC && id == 0xbad);
				free(o);
				break;
			}
			if (err) {
				CHECK(err == -EOVERFLOW && id == 0xbad);
				CHECK(want > RCUMAP_PTAB_ID_MAX);
				free(o);
				break;
			}
			ix = id & (m.capacity - 1);
			CHECK(!m.live[ix]);
			CHECK(id == want);
			CHECK(id <= RCUMAP_PTAB_ID_MAX);
			CHECK(op & 0x10 || o->cookie == (id ^ salt));
			m.live[ix] = o;
			m.last_id[ix] = id;
			m.next_id = id + 1;
			m.count++;
			break;
		}
		case 3: case 4: {		/* remove */
			u64 id = pick_id(&m, a, b);
			struct obj *want = m.live[id & (m.capacity - 1)];
			struct rcumap_ptab_node *node;

			if (want && want->node.id != id)
				want = NULL;
			node = rcumap_ptab_remove(t, id);
			CHECK(node == (want ? &want->node : NULL));
			if (node) {
				ix = id & (m.capacity - 1);
				m.live[ix] = NULL;
				m.count--;
				/* No reader anywhere: it may go at once. */
				free(want);
			}
			break;
		}
		case 5: {			/* lookup and next */
			u64 id = pick_id(&m, a, b), from = id, best = U64_MAX;
			struct obj *want = m.live[id & (m.capacity - 1)];
			struct rcumap_ptab_node *node;

			if (want && want->node.id != id)
				want = NULL;
			for (ix = 0; ix < m.capacity; ix++)
				if (m.live[ix] && m.live[ix]->node.id >= from &&
				    m.live[ix]->node.id < best)
					best = m.live[ix]->node.id;
			rcu_read_lock();
			CHECK(rcumap_ptab_lookup(t, id) ==
			      (want ? &want->node : NULL));
			node = rcumap_ptab_next(t, &id);
			CHECK(node ? id == best &&
				     rcumap_ptab_node_id(node) == best :
				     best == U64_MAX && id == from);
			rcu_read_unlock();
			break;
		}
		case 6: {			/* jump ahead in the id space */
			u64 to = RCUMAP_PTAB_ID_MAX - (u64)a * m.capacity - b;

			if (to > m.next_id) {
				rcumap_ptab_kunit_set_next_id(t, to);
				m.next_id = to;
			}
			break;
		}
		default:
			check_all(t, &m);
			break;
		}
	}
	check_all(t, &m);
	for (ix = 0; ix < m.capacity; ix++) {
		if (!m.live[ix])
			continue;
		CHECK(rcumap_ptab_remove(t, m.live[ix]->node.id) ==
		      &m.live[ix]->node);
		free(m.live[ix]);
	}
	rcumap_ptab_destroy(t);
	native_fuzz_reclaim();
	return 0;
}
