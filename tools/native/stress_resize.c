// SPDX-License-Identifier: GPL-2.0
/*
 * The resize worker of kmod/hash.c beside explicit resizes, for plain,
 * TSan and ASan builds.
 *
 * Churners insert and then delete their own keys (CHURNERS * CHURN_KEYS
 * in all), so that the load of a resizable table keeps crossing both
 * thresholds and the inserts and deletes keep queueing the worker.
 * Meanwhile a resizer calls rcumap_hash_resize() to a random power of two
 * from 1 to 4096, several steps away as often as not, and after each one
 * that returned 0 checks, until its next one, what the worker may do:
 *
 *  floor:   the table never has fewer buckets than the resize asked for
 *           (the worker does not undo it, and shrinks no lower);
 *  load:    it grows past that only under load: the worker doubles n
 *           buckets only when there are more than 2n entries, so it never
 *           makes more than MAX_GROWN buckets (2n < CHURNERS * CHURN_KEYS);
 *  no F_SHRINK: it never loses buckets at all.
 *
 * It looks while the churners run, then stops them, waits for the worker
 * (rcumap_hash_barrier()) and looks again.  At the end the table must hold
 * exactly the keys the churners think it holds.
 *
 * Usage: stress_resize [seconds]
 */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/rcumap_hash.h>
#include <linux/rcupdate.h>

#include "harness.h"

#define CHURNERS	2
#define CHURN_KEYS	512
#define MAX_EXPLICIT	4096
/* The largest n with more than 2n entries is 511: the worker makes 512. */
#define MAX_GROWN	512

static struct rcumap_hash *table;
static u32 flags;
static bool stop, pause_churn;
static int paused;
static long errors;

#define FAIL(...) do {							\
	fprintf(stderr, __VA_ARGS__);					\
	__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);		\
} while (0)

static bool load_flag(const bool *flag)
{
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

static void store_flag(bool *flag, bool v)
{
	__atomic_store_n(flag, v, __ATOMIC_RELEASE);
}

struct churner {
	int index;
	pthread_t thread;
	u32 present;	/* its keys in the table: 0 or CHURN_KEYS at a turn */
	u64 ops;
};

/* Wait while the resizer looks at a quiet table. */
static void churn_pause(void)
{
	if (!load_flag(&pause_churn))
		return;
	__atomic_fetch_add(&paused, 1, __ATOMIC_SEQ_CST);
	while (load_flag(&pause_churn))
		usleep(50);
	__atomic_fetch_sub(&paused, 1, __ATOMIC_SEQ_CST);
}

static void *churner_fn(void *arg)
{
	struct churner *c = arg;
	u32 first = c->index * CHURN_KEYS, key;
	int err;

	while (!load_flag(&stop)) {
		bool insert = !c->present;

		for (key = first; key < first + CHURN_KEYS; key++) {
			u64 value = mix64(key, 1);

			do {
				churn_pause();
				if (insert)
					err = rcumap_hash_update(table, &key,
								 &value,
								 RCUMAP_NOEXIST,
								 GFP_KERNEL);
				else
					err = rcumap_hash_delete(table, &key);
				/*
				 * An insert into a full bucket grows the table
				 * once and tries again; the resizer may shrink
				 * it in between, and then the insert says
				 * -ENOSPC, as documented: try again (the
				 * resizer goes back to many buckets, and stops).
				 */
			} while (insert && err == -ENOSPC);
			if (err)
				FAIL("churner %d: %s key %u: %d\n", c->index,
				     insert ? "insert" : "delete", key, err);
			c->ops++;
		}
		c->present = insert ? CHURN_KEYS : 0;
	}
	return NULL;
}

struct resizer {
	u64 resizes;
	u64 looks;
	u64 moved;	/* looks that found the worker had moved the table */
	u64 refused;	/* shrinks the bucket bound refused */
};

/*
 * The table after rcumap_hash_resize(@asked) returned 0, when it had
 * @last buckets at the previous look.
 */
static u32 look(struct resizer *r, u32 asked, u32 last, const char *when)
{
	u32 n = rcumap_hash_nr_buckets(table);

	r->looks++;
	if (n != asked)
		r->moved++;
	if (n < asked)
		FAIL("%s: resized to %u, the worker left %u buckets\n", when,
		     asked, n);
	if (n > asked && n > MAX_GROWN)
		FAIL("%s: resized to %u, the worker grew it to %u without load\n",
		     when, asked, n);
	if (!(flags & RCUMAP_HASH_F_SHRINK) && n < last)
		FAIL("%s: no F_SHRINK, but the worker shrank %u buckets to %u\n",
		     when, last, n);
	return n;
}

static void resizer_run(struct resizer *r, double seconds)
{
	double end = now_seconds() + seconds;
	u64 rng = 0x5eed;

	while (now_seconds() < end) {
		u32 asked, n;
		int err, i;

		/*
		 * Mostly from a few buckets to thousands and back, which
		 * takes several steps while the load is far out of range at
		 * one end: then the worker is busy when the resize starts.
		 */
		if (rnd_below(&rng, 4) == 0)
			asked = 1U << rnd_below(&rng, 13);
		else if (r->resizes % 2)
			asked = 1U << rnd_below(&rng, 5);
		else
			asked = 1024U << rnd_below(&rng, 3);

		n = rcumap_hash_nr_buckets(table);
		err = rcumap_hash_resize(table, asked);
		r->resizes++;
		/*
		 * The bucket bound refuses a shrink whose merged buckets would
		 * not fit: the table, the floor and the worker are as before.
		 */
		/*
		 * A shrink the bucket bound refuses changes nothing.  A
		 * shrink of the table as it is now: the worker may have grown
		 * it since @n was read.
		 */
		if (err == -ENOSPC &&
		    (asked < n || asked < rcumap_hash_nr_buckets(table))) {
			r->refused++;
			continue;
		}
		if (err) {
			FAIL("resize to %u: %d\n", asked, err);
			continue;
		}
		n = look(r, asked, asked, "at once");
		/* While the churners keep queueing the worker. */
		for (i = 0; i < 8; i++) {
			usleep(100);
			n = look(r, asked, n, "with churn");
		}
		/* Quiet: whatever the worker was going to do is done. */
		store_flag(&pause_churn, true);
		while (__atomic_load_n(&paused, __ATOMIC_SEQ_CST) != CHURNERS)
			usleep(50);
		rcumap_hash_barrier();
		look(r, asked, n, "after the worker");
		store_flag(&pause_churn, false);
	}
}

static void run(u32 table_flags, double seconds)
{
	struct rcumap_hash_params p = {
		.key_size = sizeof(u32),
		.value_size = sizeof(u64),
		.max_entries = CHURNERS * CHURN_KEYS,
		.flags = table_flags,
	};
	struct churner c[CHURNERS];
	long live = native_allocs_live();
	struct resizer r = { 0 };
	u32 key, expected = 0;
	u64 value, ops = 0;
	int i;

	table = rcumap_hash_create(&p, GFP_KERNEL);
	if (IS_ERR(table))
		abort();
	flags = table_flags;
	stop = false;
	pause_churn = false;
	for (i = 0; i < CHURNERS; i++) {
		c[i].index = i;
		c[i].present = 0;
		c[i].ops = 0;
		if (native_thread_create(&c[i].thread, churner_fn, &c[i]))
			abort();
	}
	resizer_run(&r, seconds);
	store_flag(&stop, true);
	for (i = 0; i < CHURNERS; i++) {
		pthread_join(c[i].thread, NULL);
		ops += c[i].ops;
	}
	rcumap_hash_barrier();

	/* Quiescent: the table holds exactly what the churners think. */
	for (key = 0; key < CHURNERS * CHURN_KEYS; key++) {
		bool present = c[key / CHURN_KEYS].present;
		int err = rcumap_hash_lookup_copy(table, &key, &value);

		if (err != (present ? 0 : -ENOENT))
			FAIL("final state of key %u: %d\n", key, err);
		else if (!err && value != mix64(key, 1))
			FAIL("final value of key %u is wrong\n", key);
		expected += present;
	}
	if (rcumap_hash_count(table) != expected)
		FAIL("final count %u, expected %u\n", rcumap_hash_count(table),
		     expected);
	/* Or the worker never ran beside the resizes, and nothing was tried. */
	if (!r.moved)
		FAIL("the worker never moved the table\n");
	printf("# flags %#x: %llu resizes (%llu shrinks refused by the bucket bound), %llu looks, %llu found the worker's moves, %llu churn ops\n",
	       table_flags, (unsigned long long)r.resizes,
	       (unsigned long long)r.refused,
	       (unsigned long long)r.looks, (unsigned long long)r.moved,
	       (unsigned long long)ops);
	rcumap_hash_destroy(table);
	native_barrier();
	if (live >= 0 && native_allocs_live() != live)
		FAIL("%ld allocations leaked\n", native_allocs_live() - live);
}

int main(int argc, char **argv)
{
	static const u32 table_flags[] = {
		RCUMAP_HASH_F_RESIZE,
		RCUMAP_HASH_F_RESIZE | RCUMAP_HASH_F_SHRINK,
	};
	double seconds = argc > 1 ? atof(argv[1]) : 3;
	size_t i;

	native_init();
	for (i = 0; i < ARRAY_SIZE(table_flags); i++) {
		long before = errors;

		run(table_flags[i], seconds / ARRAY_SIZE(table_flags));
		printf("%s %zu - the worker beside explicit resizes, flags %#x\n",
		       errors == before ? "ok" : "not ok", i + 1,
		       table_flags[i]);
	}
	native_exit();
	if (native_warnings)
		FAIL("%ld warnings\n", native_warnings);
	printf("# stress_resize: %ld errors\n", errors);
	return errors ? 1 : 0;
}
