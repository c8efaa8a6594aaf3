// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_torture: a torture test and a differential check of the rcumap
 * maps, in the style of rcutorture and lib/test_rhashtable.c.  This file
 * is the module, and the keys, values and walk helpers both tests use.
 *
 * Loading the module runs both, prints one summary line and returns 0 if
 * they found nothing; if they found a mismatch, insmod fails with -EIO
 * and every mismatch (the first %TT_MAX_REPORTS of them) is in the log
 * with the seed that reproduces the run.  Kernel reports (KASAN, lockdep,
 * KCSAN, kmemleak, RCU stalls) are left to the guest's log scan.
 *
 * Torture (tt_*, torture*.c): for @duration seconds, rounds of a few
 * hundred ms each.  A round creates a hash table, a process table, an
 * LRU hash table and a per-CPU hash table of random shapes, runs the
 * worker threads (bound round-robin to the online CPUs) through a random
 * mix of every operation of the maps, stops them, checks the final
 * contents against what the workers know, and destroys the tables while
 * the readers may still be inside them.  Workers own disjoint keys and
 * their own process-table objects, so they check every return code and
 * value of their own operations exactly (up to evictions, in the LRU
 * table); a slice of the hash table's keys and a shared pool of objects
 * are contested by all workers, and only their counts can be checked.
 * Readers (one thread per online CPU, and a timer of each that reads
 * from softirq) run across rounds, find the current tables under RCU and
 * check that every value and object they see is whole and does not
 * change while they hold it.
 *
 * Differential (df_*, diff*.c): one stream per online CPU, each a single
 * thread that applies its share of @diff_ops random operations to each
 * of the hash table and the process table, a tenth of that to each of
 * the LRU and per-CPU tables, and the same operations to a reference map
 * of our own (a chained hash table under a mutex, and an array of slots
 * under a mutex), and compares every return code, value and id, and, at
 * the end of every phase and of each table's life, the whole contents.
 * A stream's operations depend only on @seed, its number and its share:
 * a mismatch ("diff STREAM MAP op N") is reproduced by loading the module
 * with the same seed and diff_ops on as many CPUs, with duration=0 (the
 * LRU table's evictions also depend on where the stream's thread ran).
 * It runs alongside the torture.
 *
 * Locking: the maps take their own.  The reference maps each have a
 * mutex.  A round's tables are reached by workers through @w->r, set
 * before the workers are created and valid until they are stopped, and
 * by readers through tt.cur (tt_round_rcu()) under the RCU read lock; a
 * round is freed with kfree_rcu() after tt.cur stops pointing to it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/moduleparam.h>

#include "torture.h"

static unsigned int duration = 10;
module_param(duration, uint, 0444);
MODULE_PARM_DESC(duration, "Seconds of torture, 0 for none (default 10)");

static unsigned int threads;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads,
		 "Torture workers, 0 for two per online CPU (default 0); one reader per online CPU comes on top");

static unsigned long diff_ops = 100000;
module_param(diff_ops, ulong, 0444);
MODULE_PARM_DESC(diff_ops,
		 "Differential operations on the hash and process tables, a tenth on the LRU and per-CPU ones, 0 for none (default 100000)");

static unsigned long long seed;
module_param(seed, ullong, 0444);
MODULE_PARM_DESC(seed, "Random seed, 0 for a random one; printed either way");

static atomic_t tt_mismatches = ATOMIC_INIT(0);

/* Count a mismatch and print the first few. */
void tt_fail(const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (atomic_inc_return(&tt_mismatches) > TT_MAX_REPORTS)
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("mismatch: %pV\n", &vaf);
	va_end(args);
}

/*
 * The key of key id @id in a table of key size @ks and salt @salt: the id
 * in the first four bytes (as many as fit, little-endian), then a pattern
 * of the id and the salt.  @id must fit in @ks bytes.
 */
void tt_make_key(u8 *key, u32 ks, u32 salt, u32 id)
{
	u32 i;

	for (i = 0; i < ks; i++)
		key[i] = i < 4 ? (u8)(id >> (8 * i)) :
				 (u8)(id * 167 + i * 29 + salt);
}

/* The key id of @key, if it is a key tt_make_key() makes. */
bool tt_key_id(const u8 *key, u32 ks, u32 salt, u32 *id)
{
	u32 i, v = 0;

	for (i = 0; i < min(ks, 4U); i++)
		v |= (u32)key[i] << (8 * i);
	for (i = 4; i < ks; i++) {
		if (key[i] != (u8)(v * 167 + i * 29 + salt))
			return false;
	}
	*id = v;
	return true;
}

static u64 tt_value_check(u32 key_id, u32 writer, u64 version)
{
	return (((u64)key_id << 32 | writer) * 0x9e3779b97f4a7c15ULL) ^
	       (version * 0xff51afd7ed558ccdULL) ^ 0x5bd1e995;
}

static u8 tt_fill_byte(u64 check, u32 i)
{
	return (u8)(check >> (8 * (i & 7))) ^ (u8)i;
}

void tt_make_value(void *buf, u32 vs, u32 key_id, u32 writer, u64 version)
{
	struct tt_value *v = buf;
	u32 i;

	v->key_id = key_id;
	v->writer = writer;
	v->version = version;
	v->check = tt_value_check(key_id, writer, version);
	for (i = 0; i < vs - sizeof(*v); i++)
		v->fill[i] = tt_fill_byte(v->check, i);
}

bool tt_value_whole(const void *buf, u32 vs, u32 key_id)
{
	const struct tt_value *v = buf;
	u32 i;

	if (v->key_id != key_id ||
	    v->check != tt_value_check(key_id, v->writer, v->version))
		return false;
	for (i = 0; i < vs - sizeof(*v); i++) {
		if (v->fill[i] != tt_fill_byte(v->check, i))
			return false;
	}
	return true;
}

/*
 * rcumap_hash_walk(), going on past the runs of empty buckets that end a
 * step with -EAGAIN (each must still move the position forward).
 */
int tt_walk(const struct rcumap_hash *h, u64 *pos, void *key, void *value)
{
	u64 before;
	int err;

	do {
		before = *pos;
		err = rcumap_hash_walk(h, pos, key, value);
		if (err == -EAGAIN && *pos <= before) {
			tt_fail("walk: -EAGAIN from %llx left it at %llx",
				before, *pos);
			return -EINVAL;
		}
	} while (err == -EAGAIN);
	return err;
}

/* What rcumap_hash_create() is given for a table of shape @s. */
struct rcumap_hash_params tt_hash_params(const struct tt_hash_shape *s,
					 rcumap_hash_free_t free_value,
					 void *free_priv)
{
	return (struct rcumap_hash_params){
		.key_size = s->key_size,
		.value_size = s->value_size,
		.max_entries = s->max_entries,
		.nr_buckets = s->nr_buckets,
		.flags = s->flags,
		.free_value = free_value,
		.free_priv = free_priv,
	};
}

/*
 * The fewest buckets, as a power of two, a table of shape @s may be
 * resized to: a fixed table must hold max_entries within the bound.
 */
u32 tt_min_order(const struct tt_hash_shape *s)
{
	if (s->flags)
		return 0;
	return order_base_2(rcumap_hash_buckets_for(s->max_entries));
}

/*
 * The fewest buckets, as a power of two, that the resizers pick for a
 * fixed table of shape @s: 8 keys a bucket at max_entries, where no
 * bucket of random keys comes near the bound.  Between this and
 * tt_min_order() the rule allows the size, but an insert may meet a full
 * bucket (-ENOSPC) by chance, which neither the round workers nor the
 * differential's reference expect from a fixed table.
 */
u32 tt_roomy_order(const struct tt_hash_shape *s)
{
	if (s->flags)
		return 0;
	return order_base_2(DIV_ROUND_UP(s->max_entries, 8));
}

/* Does @b come after @a in @h's walk order (position, then bytes)? */
bool tt_key_after(const struct rcumap_hash *h, const u8 *a, const u8 *b,
		  u32 ks)
{
	u32 pa = rcumap_hash_key_pos(h, a), pb = rcumap_hash_key_pos(h, b);

	return pb > pa || (pb == pa && memcmp(b, a, ks) > 0);
}

/* ---- Module --------------------------------------------------------- */

static int __init rcumap_torture_init(void)
{
	long areas = rcumap_percpu_hash_nr_areas();
	unsigned long start = jiffies, ops = 0;
	struct df *streams = NULL;
	u32 nr_streams = 0, rounds = 0;
	int err = 0;
	u64 s;

	if (threads > TT_MAX_THREADS) {
		pr_err("threads=%u: at most %u\n", threads, TT_MAX_THREADS);
		return -EINVAL;
	}
	s = seed ?: get_random_u64();
	pr_info("seed=%llu duration=%u threads=%u diff_ops=%lu on %u CPUs\n",
		s, duration, threads, diff_ops, num_online_cpus());

	if (diff_ops) {
		streams = df_run(s, diff_ops, &nr_streams);
		if (IS_ERR(streams))
			return PTR_ERR(streams);
	}
	if (duration) {
		err = tt_run(s, duration, threads);
		rounds = tt.rounds;
	}
	if (streams)
		ops = df_stop(streams, nr_streams);
	/* Every object and round freed with kfree_rcu() is gone after this. */
	rcu_barrier();
	/*
	 * Every per-CPU table of both tests is destroyed; after the barrier
	 * every area an update allocated has been freed.  kmemleak never
	 * reports a per-CPU object, so this is the leak check.
	 */
	rcumap_hash_barrier();
	if (rcumap_percpu_hash_nr_areas() != areas)
		tt_fail("per-CPU areas: %ld before, %ld after every table is gone",
			areas, rcumap_percpu_hash_nr_areas());

	if (!err && atomic_read(&tt_mismatches))
		err = -EIO;
	pr_info("%s: seed=%llu, %d mismatches, %u rounds, %lu diff ops, %u s (%d)\n",
		err ? "FAIL" : "PASS", s, atomic_read(&tt_mismatches),
		rounds, ops, jiffies_to_msecs(jiffies - start) / 1000, err);
	return err;
}

static void __exit rcumap_torture_exit(void)
{
}

module_init(rcumap_torture_init);
module_exit(rcumap_torture_exit);

MODULE_DESCRIPTION("Torture and differential tests of the rcumap maps");
MODULE_LICENSE("GPL");
/* rcumap_hash_key_pos(): the reference map sorts keys in walk order. */
MODULE_IMPORT_NS(RCUMAP_TESTING);
