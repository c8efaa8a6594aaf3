// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrent stress test of kmod/ptab.c, for plain, TSan and ASan builds.
 *
 * Churn: writers insert objects (initialised by the insert's init
 * callback) and remove their own, freeing them with call_rcu(); a freed
 * object is poisoned first, so a reader that still sees it after a grace
 * period notices even without ASan.  Each writer checks that its ids
 * strictly increase and map to free slots; all ids handed out are checked
 * for uniqueness at the end.  Readers look up recent ids, and random ones,
 * and check that whatever they find carries the id they asked for and an
 * intact payload.  An iterator checks that rcumap_ptab_for_each() goes up
 * in id order over intact objects (a walk is cut off after twice the
 * capacity: with inserts going on it may otherwise never end).
 *
 * Then a race with an exact answer: several threads remove the same ids,
 * and each id must be removed exactly once.
 *
 * Usage: stress_ptab [seconds]
 */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/processor.h>
#include <linux/rcumap_ptab.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "harness.h"

#define WRITERS		2
#define READERS		2
#define RECENT		1024
#define POISON		0x6b6b6b6b6b6b6b6bULL
#define MAX_LOGGED	(1 << 21)

struct obj {
	struct rcumap_ptab_node node;
	u64 id;
	u64 payload[3];
	struct rcu_head rcu;
};

static struct rcumap_ptab *table;
static u32 capacity;
static bool stop;
static long errors;
static u64 recent[RECENT];	/* ids recently handed out, for readers */

#define FAIL(...) do {							\
	fprintf(stderr, __VA_ARGS__);					\
	__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);		\
} while (0)

static bool running(void)
{
	return !__atomic_load_n(&stop, __ATOMIC_RELAXED);
}

static void init_obj(struct rcumap_ptab_node *node, u64 id, void *arg)
{
	struct obj *o = container_of(node, struct obj, node);
	int i;

	o->id = id;
	for (i = 0; i < 3; i++)
		o->payload[i] = mix64(id, i);
}

/* Check an object found under @id; the caller holds the RCU read lock. */
static void check_obj(const struct rcumap_ptab_node *node, u64 id)
{
	const struct obj *o = container_of(node, struct obj, node);
	int i;

	if (rcumap_ptab_node_id(node) != id || o->id != id)
		FAIL("asked for id %llu, found %llu (%llu)\n",
		     (unsigned long long)id,
		     (unsigned long long)rcumap_ptab_node_id(node),
		     (unsigned long long)o->id);
	for (i = 0; i < 3; i++) {
		if (o->payload[i] == POISON) {
			FAIL("id %llu: object freed under a reader\n",
			     (unsigned long long)id);
			return;
		}
		if (o->payload[i] != mix64(o->id, i))
			FAIL("id %llu: payload corrupt\n", (unsigned long long)id);
	}
}

static void free_obj(struct rcu_head *head)
{
	struct obj *o = container_of(head, struct obj, rcu);

	/* Readers could only see this if the grace period were broken. */
	o->payload[0] = o->payload[1] = o->payload[2] = POISON;
	kfree(o);
}

struct writer {
	int index;
	pthread_t thread;
	u64 *own;		/* live ids of this writer */
	u32 nr_own;
	u64 *logged;		/* every id it was given */
	u32 nr_logged;
	u64 inserts, removes, full;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	u64 rng = 0x51ed27 * (w->index + 1), last = 0;
	u32 target = capacity / WRITERS + capacity / 8;

	while (running()) {
		bool insert = w->nr_own < target / 2 ||
			      (w->nr_own < target && rnd_below(&rng, 2));

		if (insert) {
			struct obj *o = kzalloc(sizeof(*o), GFP_KERNEL);
			u64 id;
			int err;

			if (!o)
				abort();
			err = rcumap_ptab_insert_with(table, &o->node, init_obj,
						      NULL, &id);
			if (err) {
				if (err != -ENOSPC)
					FAIL("insert: %d\n", err);
				w->full++;
				kfree(o);
				continue;
			}
			if (w->inserts && id <= last)
				FAIL("ids went from %llu to %llu\n",
				     (unsigned long long)last,
				     (unsigned long long)id);
			last = id;
			w->inserts++;
			w->own[w->nr_own++] = id;
			if (w->nr_logged < MAX_LOGGED)
				w->logged[w->nr_logged++] = id;
			__atomic_store_n(&recent[rnd_below(&rng, RECENT)], id,
					 __ATOMIC_RELAXED);
		} else if (w->nr_own) {
			u32 i = rnd_below(&rng, w->nr_own);
			u64 id = w->own[i];
			struct rcumap_ptab_node *node;

			node = rcumap_ptab_remove(table, id);
			if (!node) {
				FAIL("remove of own id %llu missed\n",
				     (unsigned long long)id);
				continue;
			}
			if (rcumap_ptab_remove(table, id))
				FAIL("id %llu removed twice\n",
				     (unsigned long long)id);
			w->own[i] = w->own[--w->nr_own];
			w->removes++;
			call_rcu(&container_of(node, struct obj, node)->rcu,
				 free_obj);
		}
	}
	return NULL;
}

struct reader {
	pthread_t thread;
	u64 ops, hits;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	u64 rng = (u64)(unsigned long)r | 1;

	while (running()) {
		u64 id = __atomic_load_n(&recent[rnd_below(&rng, RECENT)],
					 __ATOMIC_RELAXED);
		struct rcumap_ptab_node *node;

		if (!(r->ops & 3))
			id = rnd_below(&rng, id + capacity);
		r->ops++;
		rcu_read_lock();
		node = rcumap_ptab_lookup(table, id);
		if (node) {
			r->hits++;
			check_obj(node, id);
			if (!(r->ops & 15)) {
				int i;

				for (i = 0; i < 200; i++)
					cpu_relax();
				check_obj(node, id);
			}
		}
		rcu_read_unlock();
	}
	return NULL;
}

static void *iterator_fn(void *arg)
{
	u64 *walks = arg;

	while (running()) {
		struct rcumap_ptab_node *node;
		u64 id, prev = 0, n = 0;

		rcu_read_lock();
		rcumap_ptab_for_each(table, id, node) {
			if (n && id <= prev)
				FAIL("for_each went from %llu to %llu\n",
				     (unsigned long long)prev,
				     (unsigned long long)id);
			check_obj(node, id);
			prev = id;
			/*
			 * Under steady inserts a walk can chase the newest
			 * ids for ever: stop it after two tables' worth.
			 */
			if (++n == 2 * capacity || !running())
				break;
		}
		rcu_read_unlock();
		if (rcumap_ptab_count(table) > capacity)
			FAIL("more objects than slots\n");
		(*walks)++;
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void churn(double seconds)
{
	struct writer w[WRITERS] = { 0 };
	struct reader r[READERS] = { 0 };
	u64 walks = 0, reads = 0, hits = 0, inserts = 0, full = 0, *all;
	long live = native_allocs_live();
	u32 nr_all = 0, i, j;
	pthread_t iterator;

	table = rcumap_ptab_create(capacity, GFP_KERNEL);
	if (IS_ERR(table))
		abort();
	memset(recent, 0, sizeof(recent));
	stop = false;
	for (i = 0; i < WRITERS; i++) {
		w[i].index = i;
		w[i].own = calloc(capacity, sizeof(u64));
		w[i].logged = malloc(MAX_LOGGED * sizeof(u64));
		native_thread_create(&w[i].thread, writer_fn, &w[i]);
	}
	for (i = 0; i < READERS; i++)
		native_thread_create(&r[i].thread, reader_fn, &r[i]);
	native_thread_create(&iterator, iterator_fn, &walks);
	usleep(seconds * 1e6);
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	for (i = 0; i < READERS; i++) {
		pthread_join(r[i].thread, NULL);
		reads += r[i].ops;
		hits += r[i].hits;
	}
	pthread_join(iterator, NULL);
	for (i = 0; i < WRITERS; i++)
		pthread_join(w[i].thread, NULL);

	/* Quiescent: exactly the writers' live ids are in the table. */
	for (i = 0; i < WRITERS; i++) {
		inserts += w[i].inserts;
		full += w[i].full;
		nr_all += w[i].nr_logged;
	}
	all = malloc((nr_all + 1) * sizeof(u64));
	nr_all = 0;
	for (i = 0; i < WRITERS; i++) {
		memcpy(all + nr_all, w[i].logged, w[i].nr_logged * sizeof(u64));
		nr_all += w[i].nr_logged;
	}
	qsort(all, nr_all, sizeof(u64), cmp_u64);
	for (i = 1; i < nr_all; i++)
		if (all[i] == all[i - 1])
			FAIL("id %llu handed out twice\n",
			     (unsigned long long)all[i]);
	free(all);
	j = 0;
	for (i = 0; i < WRITERS; i++) {
		u32 k;

		for (k = 0; k < w[i].nr_own; k++) {
			struct rcumap_ptab_node *node =
				rcumap_ptab_remove(table, w[i].own[k]);

			if (!node)
				FAIL("live id %llu missing\n",
				     (unsigned long long)w[i].own[k]);
			else
				call_rcu(&container_of(node, struct obj,
						       node)->rcu, free_obj);
			j++;
		}
		free(w[i].own);
		free(w[i].logged);
	}
	if (rcumap_ptab_count(table) != 0)
		FAIL("%u objects left over\n", rcumap_ptab_count(table));
	/* Next-fit under contention: ids used per insert (no bound here). */
	printf("# capacity %u: %llu inserts (%llu refused: full), %.2f ids per insert, %llu reads (%llu hits), %llu walks\n",
	       capacity, (unsigned long long)inserts, (unsigned long long)full,
	       inserts ? (double)rcumap_ptab_id_end(table) / inserts : 0.0,
	       (unsigned long long)reads, (unsigned long long)hits,
	       (unsigned long long)walks);
	rcumap_ptab_destroy(table);
	native_barrier();
	if (live >= 0 && native_allocs_live() != live)
		FAIL("%ld allocations leaked\n", native_allocs_live() - live);
}

/* ---- Contested removes ----------------------------------------------- */

static u64 *contested_ids;
static u8 *removed;

static void *remover_fn(void *arg)
{
	long index = (long)arg;
	u32 i;

	for (i = 0; i < capacity; i++) {
		u32 k = index & 1 ? i : capacity - 1 - i;
		struct rcumap_ptab_node *node;

		node = rcumap_ptab_remove(table, contested_ids[k]);
		if (!node)
			continue;
		if (rcumap_ptab_node_id(node) != contested_ids[k])
			FAIL("removed the wrong object\n");
		if (__atomic_fetch_add(&removed[k], 1, __ATOMIC_RELAXED))
			FAIL("id %llu removed twice\n",
			     (unsigned long long)contested_ids[k]);
		call_rcu(&container_of(node, struct obj, node)->rcu, free_obj);
	}
	return NULL;
}

static void contested_removes(void)
{
	long live = native_allocs_live();
	pthread_t t[4];
	u32 i, total = 0;
	long k;

	table = rcumap_ptab_create(capacity, GFP_KERNEL);
	if (IS_ERR(table))
		abort();
	contested_ids = calloc(capacity, sizeof(u64));
	removed = calloc(capacity, 1);
	for (i = 0; i < capacity; i++) {
		struct obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

		if (!o || rcumap_ptab_insert_with(table, &o->node, init_obj,
						  NULL, &contested_ids[i]))
			abort();
	}
	for (k = 0; k < 4; k++)
		native_thread_create(&t[k], remover_fn, (void *)k);
	for (k = 0; k < 4; k++)
		pthread_join(t[k], NULL);
	for (i = 0; i < capacity; i++)
		total += removed[i];
	if (total != capacity || rcumap_ptab_count(table))
		FAIL("removed %u of %u\n", total, capacity);
	free(contested_ids);
	free(removed);
	rcumap_ptab_destroy(table);
	native_barrier();
	if (live >= 0 && native_allocs_live() != live)
		FAIL("%ld allocations leaked\n", native_allocs_live() - live);
}

int main(int argc, char **argv)
{
	static const u32 capacities[] = { 64, 4096 };
	double seconds = argc > 1 ? atof(argv[1]) : 3;
	size_t c;

	native_init();
	for (c = 0; c < ARRAY_SIZE(capacities); c++) {
		long before = errors;

		capacity = capacities[c];
		churn(seconds / ARRAY_SIZE(capacities));
		contested_removes();
		printf("%s %zu - churn and contested removes, capacity %u\n",
		       errors == before ? "ok" : "not ok", c + 1, capacity);
	}
	native_exit();
	if (native_warnings)
		FAIL("%ld warnings\n", native_warnings);
	printf("# stress_ptab: %ld errors\n", errors);
	return errors ? 1 : 0;
}
