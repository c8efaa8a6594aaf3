// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap_torture: a torture test and a differential check of the rcumap
 * maps, in the style of rcutorture and lib/test_rhashtable.c.
 *
 * Loading the module runs both, prints one summary line and returns 0 if
 * they found nothing; if they found a mismatch, insmod fails with -EIO
 * and every mismatch (the first %TT_MAX_REPORTS of them) is in the log
 * with the seed that reproduces the run.  Kernel reports (KASAN, lockdep,
 * KCSAN, kmemleak, RCU stalls) are left to the guest's log scan.
 *
 * Torture (tt_*): for @duration seconds, rounds of a few hundred ms each.
 * A round creates a hash table and a process table of a random shape,
 * runs the worker threads (bound round-robin to the online CPUs) through
 * a random mix of every operation of both maps, stops them, checks the
 * final contents against what the workers know, and destroys both tables
 * while the readers may still be inside them.  Workers own disjoint hash
 * keys and their own process-table objects, so they check every return
 * code and value of their own operations exactly; a slice of the keys and
 * a shared pool of objects are contested by all workers, and only their
 * counts can be checked.  Readers (one thread per online CPU, and a timer
 * of each that reads from softirq) run across rounds, find the current
 * tables under RCU and check that every value and object they see is
 * whole and does not change while they hold it.
 *
 * Differential (df_*): one stream per online CPU, each a single thread
 * that applies its share of @diff_ops random operations to each map, and
 * the same operations to a reference map of our own (a chained hash table
 * under a mutex, and an array of slots under a mutex), and compares every
 * return code, value and id, and, at the end of every phase and of each
 * table's life, the whole contents.  A stream's operations depend only on
 * @seed, its number and its share: a mismatch ("diff STREAM MAP op N") is
 * reproduced by loading the module with the same seed and diff_ops on as
 * many CPUs, with duration=0.  It runs alongside the torture.
 *
 * Conventions: @r is a torture round, @w a worker, @rd a reader, @d a
 * differential stream; @rnd a caller-owned random state; a key id names a
 * key (tt_make_key()); @ks and @vs are a table's key and value size.
 *
 * Locking: the maps take their own.  The reference maps each have a
 * mutex.  A round's tables are reached by workers through @w->r, set
 * before the workers are created and valid until they are stopped, and
 * by readers through tt.cur (tt_round_rcu()) under the RCU read lock; a
 * round is freed with kfree_rcu() after tt.cur stops pointing to it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/rbtree.h>
#include <linux/rcumap_hash.h>
#include <linux/rcumap_ptab.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timer.h>

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
		 "Differential operations on each map, 0 for none (default 100000)");

static unsigned long long seed;
module_param(seed, ullong, 0444);
MODULE_PARM_DESC(seed, "Random seed, 0 for a random one; printed either way");

#define TT_MAX_THREADS	256
#define TT_MAX_REPORTS	20

static atomic_t tt_mismatches = ATOMIC_INIT(0);

/* Count a mismatch and print the first few. */
static __printf(1, 2) void tt_fail(const char *fmt, ...)
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

/* ---- Random numbers, keys and values -------------------------------- */

/* A number below @n (0 if @n is 0); the bias does not matter here. */
static u32 tt_rand(struct rnd_state *rnd, u32 n)
{
	return n ? prandom_u32_state(rnd) % n : 0;
}

static u64 tt_rand64(struct rnd_state *rnd)
{
	return (u64)prandom_u32_state(rnd) << 32 | prandom_u32_state(rnd);
}

static void tt_seed(struct rnd_state *rnd, u64 base, u64 stream)
{
	prandom_seed_state(rnd, base ^ (stream * 0x9e3779b97f4a7c15ULL));
}

/*
 * The key of key id @id in a table of key size @ks and salt @salt: the id
 * in the first four bytes (as many as fit, little-endian), then a pattern
 * of the id and the salt.  @id must fit in @ks bytes.
 */
static void tt_make_key(u8 *key, u32 ks, u32 salt, u32 id)
{
	u32 i;

	for (i = 0; i < ks; i++)
		key[i] = i < 4 ? (u8)(id >> (8 * i)) :
				 (u8)(id * 167 + i * 29 + salt);
}

/* The key id of @key, if it is a key tt_make_key() makes. */
static bool tt_key_id(const u8 *key, u32 ks, u32 salt, u32 *id)
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

/*
 * A torture value: who wrote it, for which key, which version, a check
 * word of the three and a fill pattern of the check word up to the value
 * size.  A reader that sees any other bytes has seen a torn, stale or
 * freed value.
 */
struct tt_value {
	u32 key_id;
	u32 writer;
	u64 version;
	u64 check;
	u8 fill[];
};

static u64 tt_value_check(u32 key_id, u32 writer, u64 version)
{
	return (((u64)key_id << 32 | writer) * 0x9e3779b97f4a7c15ULL) ^
	       (version * 0xff51afd7ed558ccdULL) ^ 0x5bd1e995;
}

static u8 tt_fill_byte(u64 check, u32 i)
{
	return (u8)(check >> (8 * (i & 7))) ^ (u8)i;
}

static void tt_make_value(void *buf, u32 vs, u32 key_id, u32 writer,
			  u64 version)
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

static bool tt_value_whole(const void *buf, u32 vs, u32 key_id)
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

/* ---- Torture: shapes, rounds and threads ---------------------------- */

/* Largest key and value of a torture shape: readers keep them on stack. */
#define TT_MAX_KEY	64
#define TT_MAX_VALUE	256

/* The shape of a hash table, of a torture round or a differential stream. */
struct tt_hash_shape {
	u32 key_size;
	u32 value_size;
	u32 max_entries;
	u32 nr_buckets;
	u32 keys;	/* key ids in use; above max_entries means "fills up" */
	u32 flags;	/* RCUMAP_HASH_F_*: the table resizes itself */
};

#define TT_GROW		RCUMAP_HASH_F_RESIZE
#define TT_SHRINK	(RCUMAP_HASH_F_RESIZE | RCUMAP_HASH_F_SHRINK)

/*
 * rcumap_hash_walk(), going on past the runs of empty buckets that end a
 * step with -EAGAIN (each must still move the position forward).
 */
static int tt_walk(const struct rcumap_hash *h, u64 *pos, void *key,
		   void *value)
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
static struct rcumap_hash_params tt_hash_params(const struct tt_hash_shape *s,
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

static const struct tt_hash_shape tt_hash_shapes[] = {
	{ 8, 24, 1024, 64, 1024, 0 },	/* many keys per bucket */
	{ 4, 64, RCUMAP_HASH_BUCKET_MAX, 1, 80, 0 },	/* one bucket, at the bound, often full */
	{ 13, 40, 2048, 0, 1536, 0 },	/* odd key size, default buckets */
	{ 64, 256, 512, 16, 640, 0 },	/* long keys and values, full */
	{ 2, 24, 4096, 256, 4096, 0 },	/* two-byte keys */
	{ 8, 24, 4096, 4, 3072, TT_SHRINK },	/* grows from 4, shrinks back */
	{ 16, 32, 1024, 1, 1280, TT_GROW },	/* grows from one bucket, full */
};

/*
 * The fewest buckets, as a power of two, a table of shape @s may be
 * resized to: a fixed table must hold max_entries within the bound.
 */
static u32 tt_min_order(const struct tt_hash_shape *s)
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
static u32 tt_roomy_order(const struct tt_hash_shape *s)
{
	if (s->flags)
		return 0;
	return order_base_2(DIV_ROUND_UP(s->max_entries, 8));
}

/* Largest key id count of any shape: the size of the walkers' bitmaps. */
#define TT_MAX_KEYS	4096

/*
 * Ops of a worker between two flips of its fill and drain phases, in the
 * rounds of a shrinking shape: filling grows the table, draining empties
 * the worker's keys so that the table shrinks again.
 */
#define TT_PHASE_OPS	128

/* What the free callback writes over a value before it is freed. */
#define TT_POISON	0x6b

static const u32 tt_ptab_capacities[] = { 64, 256, 4096 };

#define TT_RECENT	256		/* ids shared with the readers */
#define TT_SHARED	32		/* process-table objects anyone removes */
#define TT_STALE	16		/* removed ids a worker remembers */
#define TT_ID_NONE	U64_MAX		/* never an id: ids fit in an s64 */
#define TT_SHARED_OWNER	U32_MAX
#define TT_PENDING	4		/* rounds between two barriers */

/* A process-table object of the torture. */
struct tt_obj {
	struct rcumap_ptab_node node;
	struct rcu_head rcu;
	u32 owner;	/* worker number, or TT_SHARED_OWNER */
	u32 index;	/* in the owner's array, or in tt_round.shared */
	u64 seq;
	u64 check;	/* tt_obj_check(owner, seq) */
	u64 id_copy;	/* TT_ID_NONE, then the id (READ_ONCE) */
	u32 seen;	/* pass number of the round check */
};

static u64 tt_obj_check(u32 owner, u64 seq)
{
	return ((u64)owner << 40 ^ seq) * 0xc4ceb9fe1a85ec53ULL + 1;
}

/* The tables of one round, and what the workers share about them. */
struct tt_round {
	struct rcu_head rcu;
	struct rcumap_hash *h;
	struct rcumap_ptab *t;
	const struct tt_hash_shape *shape;
	u32 nr;			/* round number */
	u32 salt;
	u32 owned_per_worker;	/* key ids w + k * workers, k below this */
	u32 owned_keys;		/* key ids below this are owned */
	u32 keys;		/* key ids from owned_keys up are contested */
	u32 capacity;
	u32 ptab_quota;		/* objects a worker owns at most */
	atomic_long_t contested_in;
	atomic_long_t contested_out;
	atomic_long_t shared_in;
	atomic_long_t shared_out;
	atomic64_t shared[TT_SHARED];	/* ids, or TT_ID_NONE */
	atomic64_t recent[TT_RECENT];	/* ids recently inserted */
	atomic_t recent_pos;
	/*
	 * Online resize: the initial bucket count, whether a resizer thread
	 * forces resizes to random sizes up to 2^@resize_order buckets all
	 * round, and how many it did.
	 */
	u32 init_buckets;
	bool resizer;
	u32 resize_order;
	struct task_struct *resizer_task;
	unsigned long resizes;
	unsigned long resize_nomem;
	unsigned long resize_nofit;	/* shrinks refused by the bucket bound */
	/*
	 * The free callback: every value a successful update stored, and
	 * every value the callback was given, counted and summed by their
	 * check words.  After the destroy and rcumap_hash_barrier() the two
	 * must be equal: each value freed once.
	 */
	atomic_long_t stored;
	atomic_long_t freed;
	atomic64_t stored_sum;
	atomic64_t freed_sum;
};

struct tt_stats {
	unsigned long ops;
	unsigned long hash_ops;
	unsigned long ptab_ops;
	unsigned long full;	/* -E2BIG and -ENOSPC */
	unsigned long nomem;	/* GFP_ATOMIC updates that got -ENOMEM */
	unsigned long ordered_walks;	/* whole ordered walks */
	unsigned long ordered_keys;	/* keys they returned */
	unsigned long grew;	/* the resize worker seen growing the table */
	unsigned long shrank;	/* ... and shrinking it */
};

struct tt_worker {
	struct task_struct *task;
	struct tt_round *r;	/* set before the thread starts */
	u32 nr;
	struct rnd_state rnd;
	u64 next_version;
	u64 *version;		/* of each owned key, 0 if absent */
	struct tt_obj **objs;	/* owned process-table objects */
	u32 nr_objs;
	u64 last_id;		/* of this worker's last insert, or NONE */
	u64 stale[TT_STALE];
	u32 nr_stale;
	u64 next_seq;
	u8 key[TT_MAX_KEY] __aligned(8);
	u8 value[TT_MAX_VALUE] __aligned(8);
	u8 value2[TT_MAX_VALUE] __aligned(8);
	u8 prev_key[TT_MAX_KEY] __aligned(8);
	unsigned long *seen;	/* key ids an ordered walk returned */
	u32 last_buckets;	/* bucket count at the last info op */
	u32 phase_ops;		/* ops left in this fill or drain phase */
	bool draining;
	u32 sweep;		/* next owned key a drain looks at */
	struct tt_stats stats;
};

struct tt_reader {
	struct task_struct *task;
	struct timer_list timer;
	u32 nr;
	struct rnd_state rnd;		/* the thread's */
	struct rnd_state timer_rnd;	/* the timer's */
	unsigned long reads;
	unsigned long timer_reads;
};

static struct {
	u64 seed;
	u32 nr_workers;
	u32 nr_readers;
	u32 max_owned;		/* largest owned_per_worker of any shape */
	u32 max_quota;		/* largest ptab_quota of any capacity */
	struct tt_worker *workers;
	struct tt_reader *readers;
	struct tt_round __rcu *cur;
	bool stop_timers;
	u32 rounds;
	u32 pass;
	struct rnd_state rnd;	/* the controller's */
	/*
	 * What each reader thread, reader timer and worker holds: the value
	 * a lookup returned, from the lookup until it leaves its RCU
	 * read-side section, else NULL.  The free callback checks that no
	 * slot holds the value it is given.
	 */
	const void **held;
	u32 nr_held;
	unsigned long resizes;
	unsigned long resize_nomem;
	unsigned long resize_nofit;
	unsigned long resize_rounds;
	unsigned long values_freed;
	/* Destroyed rounds whose free callbacks are yet to be counted. */
	struct tt_round *pending[TT_PENDING];
	u32 nr_pending;
} tt;

/* Slots of tt.held: reader threads, then their timers, then workers. */
static const void **tt_held_slot(u32 kind, u32 nr)
{
	return &tt.held[kind * tt.nr_readers + nr];
}

#define TT_HELD_READER	0
#define TT_HELD_TIMER	1
#define TT_HELD_WORKER	2

/*
 * The current round, loaded by a reader inside an RCU read-side critical
 * section (a thread's, or its timer's in softirq); only the controller
 * changes tt.cur, between rounds.
 */
static struct tt_round *tt_round_rcu(void)
{
	return rcu_dereference_check(tt.cur, rcu_read_lock_any_held());
}

static u32 tt_cpu(u32 i)
{
	return cpumask_nth(i % num_online_cpus(), cpu_online_mask);
}

/* ---- Torture: what readers check ------------------------------------ */

/*
 * Check the value at @v, found for key id @key_id, and that it does not
 * change while the caller holds it.  The caller holds the RCU read lock.
 */
static void tt_check_held_value(const struct tt_round *r, const void *v,
				u32 key_id, u8 *copy, bool hold)
{
	u32 vs = r->shape->value_size;

	memcpy(copy, v, vs);
	if (!memchr_inv(copy, TT_POISON, min_t(u32, vs, sizeof(u64)))) {
		tt_fail("round %u: a reader holds a poisoned (freed) value of key id %u",
			r->nr, key_id);
		return;
	}
	if (!tt_value_whole(copy, vs, key_id)) {
		tt_fail("round %u: torn value for key id %u (writer %u, version %llu)",
			r->nr, key_id, ((struct tt_value *)copy)->writer,
			((struct tt_value *)copy)->version);
		return;
	}
	if (hold)
		udelay(2);
	else
		cpu_relax();
	if (memcmp(copy, v, vs))
		tt_fail("round %u: value of key id %u changed under a reader",
			r->nr, key_id);
}

/* The id of the node at @node, for messages; -1 for none. */
static s64 tt_node_id(const void *node)
{
	return node ? (s64)rcumap_ptab_node_id(node) : -1;
}

/* A process-table object found under @id must be whole and have @id. */
static void tt_check_obj(const struct tt_round *r,
			 struct rcumap_ptab_node *node, u64 id, const char *what)
{
	struct tt_obj *o = container_of(node, struct tt_obj, node);
	u64 node_id = rcumap_ptab_node_id(node);
	u64 id_copy = READ_ONCE(o->id_copy);

	if (node_id != id || o->check != tt_obj_check(o->owner, o->seq) ||
	    (id_copy != TT_ID_NONE && id_copy != id))
		tt_fail("round %u: %s of id %llu found id %llu, owner %u, id copy %llu",
			r->nr, what, id, node_id, o->owner, id_copy);
}

static u64 tt_recent_id(struct tt_round *r, struct rnd_state *rnd)
{
	return (u64)atomic64_read(&r->recent[tt_rand(rnd, TT_RECENT)]);
}

/*
 * One read of the current round, under the RCU read lock the caller
 * holds: a hash lookup, a walk step, a process-table lookup or walk step.
 * @hold says whether the caller may spin a little while holding what it
 * found (not from the timer); *@held says which value it holds.
 */
static void tt_read_once(struct tt_round *r, struct rnd_state *rnd, u8 *key,
			 u8 *value, bool hold, const void **held)
{
	u32 ks = r->shape->key_size, vs = r->shape->value_size;
	struct rcumap_ptab_node *node;
	u32 key_id, slot;
	u64 id, start, pos;
	void *v;

	switch (tt_rand(rnd, 6)) {
	case 0:
	case 1:
		key_id = tt_rand(rnd, r->keys);
		tt_make_key(key, ks, r->salt, key_id);
		v = rcumap_hash_lookup(r->h, key);
		if (v) {
			WRITE_ONCE(*held, v);
			tt_check_held_value(r, v, key_id, value, hold);
			WRITE_ONCE(*held, NULL);
		}
		break;
	case 2:
		pos = (u64)tt_rand(rnd, 64) << 32;
		if (!tt_walk(r->h, &pos, key, value) &&
		    (!tt_key_id(key, ks, r->salt, &key_id) ||
		     key_id >= r->keys || !tt_value_whole(value, vs, key_id)))
			tt_fail("round %u: reader's walk found a bad entry",
				r->nr);
		break;
	case 3:
		id = tt_recent_id(r, rnd);
		node = rcumap_ptab_lookup(r->t, id);
		if (node) {
			tt_check_obj(r, node, id, "reader's lookup");
			if (hold)
				udelay(2);
			tt_check_obj(r, node, id, "reader's held lookup");
		}
		break;
	case 4:
		start = tt_recent_id(r, rnd);
		if (start == TT_ID_NONE)
			start = 0;
		start -= min_t(u64, start, tt_rand(rnd, 8));
		id = start;
		node = rcumap_ptab_next(r->t, &id);
		if (node) {
			if (id < start)
				tt_fail("round %u: next from %llu went back to %llu",
					r->nr, start, id);
			tt_check_obj(r, node, id, "reader's next");
		}
		break;
	default:
		slot = tt_rand(rnd, r->capacity);
		node = rcumap_ptab_slot_next(r->t, &slot);
		if (node)
			tt_check_obj(r, node, rcumap_ptab_node_id(node),
				     "reader's slot walk");
		break;
	}
}

static void tt_timer_fn(struct timer_list *timer)
{
	struct tt_reader *rd = from_timer(rd, timer, timer);
	u8 key[TT_MAX_KEY] __aligned(8);
	u8 value[TT_MAX_VALUE] __aligned(8);
	struct tt_round *r;
	int i;

	rcu_read_lock();
	r = tt_round_rcu();
	for (i = 0; r && i < 4; i++)
		tt_read_once(r, &rd->timer_rnd, key, value, false,
			     tt_held_slot(TT_HELD_TIMER, rd->nr));
	rcu_read_unlock();
	rd->timer_reads++;
	if (!READ_ONCE(tt.stop_timers))
		mod_timer(&rd->timer, jiffies + 1);
}

static int tt_reader_fn(void *arg)
{
	struct tt_reader *rd = arg;
	u8 key[TT_MAX_KEY] __aligned(8);
	u8 value[TT_MAX_VALUE] __aligned(8);
	struct tt_round *r;

	mod_timer(&rd->timer, jiffies + 1);
	while (!kthread_should_stop()) {
		rcu_read_lock();
		r = tt_round_rcu();
		if (r)
			tt_read_once(r, &rd->rnd, key, value, true,
				     tt_held_slot(TT_HELD_READER, rd->nr));
		rcu_read_unlock();
		rd->reads++;
		cond_resched();
	}
	return 0;
}

/* ---- Torture: workers, hash table ----------------------------------- */

/* The k-th key id that worker @w owns. */
static u32 tt_owned_id(const struct tt_worker *w, u32 k)
{
	return w->nr + k * tt.nr_workers;
}

static const char *const tt_mode_name[] = { "ANY", "NOEXIST", "EXIST" };

/* A successful update stored the value in @w->value: the callback owes it. */
static void tt_note_stored(struct tt_round *r, const void *value)
{
	atomic_long_inc(&r->stored);
	atomic64_add((s64)((const struct tt_value *)value)->check,
		     &r->stored_sum);
}

/* Read key @k of @w back and compare it with what @w knows. */
static void tt_hash_read_back(struct tt_worker *w, u32 k, const char *after)
{
	struct tt_round *r = w->r;
	u32 key_id = tt_owned_id(w, k);
	int err;

	err = rcumap_hash_lookup_copy(r->h, w->key, w->value2);
	if (err != (w->version[k] ? 0 : -ENOENT))
		tt_fail("round %u: worker %u: key id %u after %s: lookup %d, version %llu",
			r->nr, w->nr, key_id, after, err, w->version[k]);
	else if (!err &&
		 (!tt_value_whole(w->value2, r->shape->value_size, key_id) ||
		  ((struct tt_value *)w->value2)->version != w->version[k]))
		tt_fail("round %u: worker %u: key id %u after %s: version %llu, want %llu",
			r->nr, w->nr, key_id, after,
			((struct tt_value *)w->value2)->version, w->version[k]);
}

static void tt_hash_update(struct tt_worker *w, u32 mode, bool bh)
{
	struct tt_round *r = w->r;
	u32 k = tt_rand(&w->rnd, r->owned_per_worker);
	u32 key_id = tt_owned_id(w, k);
	bool present = w->version[k];
	u64 version = ++w->next_version;
	int err, want;

	tt_make_key(w->key, r->shape->key_size, r->salt, key_id);
	tt_make_value(w->value, r->shape->value_size, key_id, w->nr, version);
	if (bh) {
		/* As from softirq: no sleeping, the allocation may fail. */
		local_bh_disable();
		err = rcumap_hash_update(r->h, w->key, w->value, mode,
					 GFP_ATOMIC | __GFP_NOWARN);
		local_bh_enable();
	} else {
		err = rcumap_hash_update(r->h, w->key, w->value, mode,
					 GFP_KERNEL);
	}
	if (mode == RCUMAP_NOEXIST)
		want = present ? -EEXIST : 0;
	else if (mode == RCUMAP_EXIST)
		want = present ? 0 : -ENOENT;
	else
		want = 0;

	if (!err) {
		w->version[k] = version;
		tt_note_stored(r, w->value);
	} else if (err == -E2BIG && !present && !want) {
		w->stats.full++;	/* the other workers filled it */
	} else if (err == -ENOSPC && !present && !want && r->shape->flags) {
		/* A full bucket of a table whose worker is behind. */
		w->stats.full++;
	} else if (err == -ENOMEM && bh) {
		w->stats.nomem++;
	} else if (err != want) {
		tt_fail("round %u: worker %u: update %s of key id %u (%s): %d, want %d",
			r->nr, w->nr, tt_mode_name[mode], key_id,
			present ? "present" : "absent", err, want);
	}
	if (!err && want)
		tt_fail("round %u: worker %u: update %s of key id %u (%s) succeeded, want %d",
			r->nr, w->nr, tt_mode_name[mode], key_id,
			present ? "present" : "absent", want);
	tt_hash_read_back(w, k, "update");
}

/* Delete owned key @k, or a random one if @k is U32_MAX. */
static void tt_hash_delete(struct tt_worker *w, bool take, u32 k)
{
	struct tt_round *r = w->r;
	u32 key_id;

	if (k == U32_MAX)
		k = tt_rand(&w->rnd, r->owned_per_worker);
	key_id = tt_owned_id(w, k);
	u64 version = w->version[k];
	int err;

	tt_make_key(w->key, r->shape->key_size, r->salt, key_id);
	if (take)
		err = rcumap_hash_lookup_and_delete(r->h, w->key, w->value);
	else
		err = rcumap_hash_delete(r->h, w->key);
	if (err != (version ? 0 : -ENOENT))
		tt_fail("round %u: worker %u: %s of key id %u (version %llu): %d",
			r->nr, w->nr, take ? "lookup_and_delete" : "delete",
			key_id, version, err);
	if (!err && take &&
	    (!tt_value_whole(w->value, r->shape->value_size, key_id) ||
	     ((struct tt_value *)w->value)->version != version))
		tt_fail("round %u: worker %u: take of key id %u: version %llu, want %llu",
			r->nr, w->nr, key_id,
			((struct tt_value *)w->value)->version, version);
	if (!err)
		w->version[k] = 0;
	tt_hash_read_back(w, k, take ? "lookup_and_delete" : "delete");
}

/* A lookup of an owned key, holding the value under the RCU read lock. */
static void tt_hash_lookup_owned(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 k = tt_rand(&w->rnd, r->owned_per_worker);
	u32 key_id = tt_owned_id(w, k);
	struct tt_value *v;

	tt_make_key(w->key, r->shape->key_size, r->salt, key_id);
	rcu_read_lock();
	v = rcumap_hash_lookup(r->h, w->key);
	WRITE_ONCE(*tt_held_slot(TT_HELD_WORKER, w->nr), v);
	if (!v != !w->version[k])
		tt_fail("round %u: worker %u: lookup of key id %u: %s, version %llu",
			r->nr, w->nr, key_id, v ? "found" : "not found",
			w->version[k]);
	else if (v && v->version != w->version[k])
		tt_fail("round %u: worker %u: lookup of key id %u: version %llu, want %llu",
			r->nr, w->nr, key_id, v->version, w->version[k]);
	if (v)
		tt_check_held_value(r, v, key_id, w->value, true);
	WRITE_ONCE(*tt_held_slot(TT_HELD_WORKER, w->nr), NULL);
	rcu_read_unlock();
}

/* Contested keys: any worker inserts, replaces and deletes them. */
static void tt_hash_contested(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 key_id = r->owned_keys + tt_rand(&w->rnd, r->keys - r->owned_keys);
	u32 ks = r->shape->key_size, vs = r->shape->value_size;
	u32 op = tt_rand(&w->rnd, 5);
	int err;

	if (r->owned_keys == r->keys)
		return;		/* a shrinking shape: no contested keys */
	tt_make_key(w->key, ks, r->salt, key_id);
	tt_make_value(w->value, vs, key_id, w->nr, ++w->next_version);
	switch (op) {
	case 0:
	case 1:
		err = rcumap_hash_update(r->h, w->key, w->value,
					 op ? RCUMAP_NOEXIST : RCUMAP_EXIST,
					 GFP_KERNEL);
		if (!err)
			tt_note_stored(r, w->value);
		if (!err && op)
			atomic_long_inc(&r->contested_in);
		else if ((err == -E2BIG ||
			  (err == -ENOSPC && r->shape->flags)) && op)
			w->stats.full++;
		else if (err && err != (op ? -EEXIST : -ENOENT))
			tt_fail("round %u: worker %u: contested update of key id %u: %d",
				r->nr, w->nr, key_id, err);
		break;
	case 2:
		err = rcumap_hash_delete(r->h, w->key);
		if (!err)
			atomic_long_inc(&r->contested_out);
		else if (err != -ENOENT)
			tt_fail("round %u: worker %u: contested delete of key id %u: %d",
				r->nr, w->nr, key_id, err);
		break;
	case 3:
		err = rcumap_hash_lookup_and_delete(r->h, w->key, w->value2);
		if (!err) {
			atomic_long_inc(&r->contested_out);
			if (!tt_value_whole(w->value2, vs, key_id))
				tt_fail("round %u: worker %u: contested take of key id %u: torn",
					r->nr, w->nr, key_id);
		} else if (err != -ENOENT) {
			tt_fail("round %u: worker %u: contested lookup_and_delete of key id %u: %d",
				r->nr, w->nr, key_id, err);
		}
		break;
	default:
		err = rcumap_hash_lookup_copy(r->h, w->key, w->value2);
		if (!err && !tt_value_whole(w->value2, vs, key_id))
			tt_fail("round %u: worker %u: contested lookup of key id %u: torn value",
				r->nr, w->nr, key_id);
		else if (err && err != -ENOENT)
			tt_fail("round %u: worker %u: contested lookup of key id %u: %d",
				r->nr, w->nr, key_id, err);
		break;
	}
}

/* A few steps of a walk, positional or BPF style, while others update. */
static void tt_hash_walk(struct tt_worker *w, bool positional)
{
	struct tt_round *r = w->r;
	u32 ks = r->shape->key_size, vs = r->shape->value_size;
	u32 i, key_id, steps = 1 + tt_rand(&w->rnd, 32);
	u64 pos = 0, before;
	bool from_key = tt_rand(&w->rnd, 2);
	int err = 0;

	if (positional && from_key)
		pos = (u64)tt_rand(&w->rnd, 2 * rcumap_hash_nr_buckets(r->h))
		      << 32 | tt_rand(&w->rnd, 4);
	if (!positional && from_key)
		tt_make_key(w->key, ks, r->salt, tt_rand(&w->rnd, r->keys));
	for (i = 0; i < steps && !err; i++) {
		if (positional) {
			before = pos;
			err = tt_walk(r->h, &pos, w->key, w->value);
			if (!err && pos <= before)
				tt_fail("round %u: walk went from %llx back to %llx",
					r->nr, before, pos);
		} else {
			err = rcumap_hash_get_next_key(r->h,
						       i || from_key ? w->key :
						       NULL, w->value2);
			if (!err)
				memcpy(w->key, w->value2, ks);
		}
		if (err) {
			if (err != -ENOENT)
				tt_fail("round %u: walk step: %d", r->nr, err);
			break;
		}
		if (!tt_key_id(w->key, ks, r->salt, &key_id) ||
		    key_id >= r->keys)
			tt_fail("round %u: walk returned a key never inserted",
				r->nr);
		else if (positional && !tt_value_whole(w->value, vs, key_id))
			tt_fail("round %u: walk returned a torn value for key id %u",
				r->nr, key_id);
	}
}

/* Does @b come after @a in @h's walk order (position, then bytes)? */
static bool tt_key_after(const struct rcumap_hash *h, const u8 *a,
			 const u8 *b, u32 ks)
{
	u32 pa = rcumap_hash_key_pos(h, a), pb = rcumap_hash_key_pos(h, b);

	return pb > pa || (pb == pa && memcmp(b, a, ks) > 0);
}

/*
 * One step of an ordered walk of @h from @after (NULL: from the start)
 * into @key, and into @value unless it is NULL: through
 * rcumap_hash_walk_after() or rcumap_hash_next_key_after(), so that the
 * callers exercise both.
 */
static int tt_ordered_step(const struct rcumap_hash *h, const void *after,
			   void *key, void *value)
{
	if (value)
		return rcumap_hash_walk_after(h, after, key, value);
	return rcumap_hash_next_key_after(h, after, key);
}

/*
 * A few steps of an ordered walk from a random key id's key, present or
 * not, while others update and resize: every key returned comes strictly
 * after the one before, the first strictly after the cursor (a walk from
 * a key that is absent must go on from where it would be, not restart).
 */
static void tt_hash_ordered_steps(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 ks = r->shape->key_size, vs = r->shape->value_size;
	u32 i, key_id, steps = 1 + tt_rand(&w->rnd, 16);
	bool with_value = tt_rand(&w->rnd, 2);
	int err;

	tt_make_key(w->prev_key, ks, r->salt, tt_rand(&w->rnd, r->keys));
	for (i = 0; i < steps; i++) {
		err = tt_ordered_step(r->h, w->prev_key, w->key,
				      with_value ? w->value : NULL);
		if (err) {
			if (err != -ENOENT)
				tt_fail("round %u: ordered walk step: %d",
					r->nr, err);
			return;
		}
		if (!tt_key_id(w->key, ks, r->salt, &key_id) ||
		    key_id >= r->keys) {
			tt_fail("round %u: ordered walk returned a key never inserted",
				r->nr);
			return;
		}
		if (!tt_key_after(r->h, w->prev_key, w->key, ks))
			tt_fail("round %u: ordered walk step %u went back to key id %u",
				r->nr, i, key_id);
		if (with_value && !tt_value_whole(w->value, vs, key_id))
			tt_fail("round %u: ordered walk returned a torn value for key id %u",
				r->nr, key_id);
		memcpy(w->prev_key, w->key, ks);
	}
}

/*
 * A whole ordered walk, from NULL to -ENOENT, while the other workers
 * update and the table is resized.  Our own keys are frozen for the walk
 * (only we change them), so each one present must come exactly once and
 * none absent may come; no key at all may come twice (w->seen), and each
 * comes strictly after the one before.  Now and then the walk deletes an
 * owned key it has just returned and goes on from it, absent.
 */
static void tt_hash_ordered_walk(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 ks = r->shape->key_size, vs = r->shape->value_size;
	bool with_value = tt_rand(&w->rnd, 2);
	bool deletes = !tt_rand(&w->rnd, 4);
	u32 n = 0, key_id, k;
	int err;

	bitmap_zero(w->seen, r->keys);
	err = tt_ordered_step(r->h, NULL, w->key, with_value ? w->value : NULL);
	while (!err) {
		bool own;

		if (!tt_key_id(w->key, ks, r->salt, &key_id) ||
		    key_id >= r->keys) {
			tt_fail("round %u: worker %u: whole walk: a key never inserted",
				r->nr, w->nr);
			return;
		}
		if (test_and_set_bit(key_id, w->seen)) {
			tt_fail("round %u: worker %u: whole walk: key id %u twice",
				r->nr, w->nr, key_id);
			return;
		}
		if (n && !tt_key_after(r->h, w->prev_key, w->key, ks))
			tt_fail("round %u: worker %u: whole walk went back at key id %u",
				r->nr, w->nr, key_id);
		own = key_id < r->owned_keys && key_id % tt.nr_workers == w->nr;
		k = key_id / tt.nr_workers;
		if (own && !w->version[k])
			tt_fail("round %u: worker %u: whole walk: its absent key id %u",
				r->nr, w->nr, key_id);
		if (with_value &&
		    (!tt_value_whole(w->value, vs, key_id) ||
		     (own && ((struct tt_value *)w->value)->version !=
			     w->version[k])))
			tt_fail("round %u: worker %u: whole walk: wrong value, key id %u",
				r->nr, w->nr, key_id);
		memcpy(w->prev_key, w->key, ks);
		/* The cursor's own key gone: the walk goes on from its place. */
		if (deletes && own && w->version[k] && !tt_rand(&w->rnd, 8))
			tt_hash_delete(w, false, k);
		if (++n > r->keys) {
			tt_fail("round %u: worker %u: whole walk does not end",
				r->nr, w->nr);
			return;
		}
		err = tt_ordered_step(r->h, w->prev_key, w->key,
				      with_value ? w->value : NULL);
		if (!(n % 32))
			cond_resched();
	}
	if (err != -ENOENT)
		tt_fail("round %u: worker %u: whole walk: %d", r->nr,
			w->nr, err);
	for (k = 0; k < r->owned_per_worker; k++) {
		key_id = tt_owned_id(w, k);
		if (w->version[k] && !test_bit(key_id, w->seen))
			tt_fail("round %u: worker %u: whole walk skipped its key id %u",
				r->nr, w->nr, key_id);
	}
	w->stats.ordered_walks++;
	w->stats.ordered_keys += n;
}

/*
 * The accessors.  The bucket count is fixed only in a table that does
 * not resize itself and has no resizer: else it is a power of two, never
 * below the initial count if only the table's own worker resizes it.
 * The worker's grows and shrinks are counted where they are seen.
 */
static void tt_hash_info(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 nr = rcumap_hash_nr_buckets(r->h);
	u32 lo = r->resizer ? 1 : r->init_buckets;
	u32 hi = r->resizer || r->shape->flags ? RCUMAP_HASH_MAX_BUCKETS :
						 r->init_buckets;

	if (rcumap_hash_count(r->h) > r->shape->max_entries ||
	    !is_power_of_2(nr) || nr < lo || nr > hi ||
	    rcumap_hash_bytes_used(r->h) < lo * sizeof(void *) ||
	    rcumap_hash_key_size(r->h) != r->shape->key_size ||
	    rcumap_hash_value_size(r->h) != r->shape->value_size ||
	    rcumap_hash_max_entries(r->h) != r->shape->max_entries)
		tt_fail("round %u: info: count %u, buckets %u (%u to %u), bytes %zu",
			r->nr, rcumap_hash_count(r->h), nr, lo, hi,
			rcumap_hash_bytes_used(r->h));
	if (r->shape->flags && !r->resizer && w->last_buckets) {
		w->stats.grew += nr > w->last_buckets;
		w->stats.shrank += nr < w->last_buckets;
	}
	w->last_buckets = nr;
}

/* ---- Torture: workers, process table -------------------------------- */

static void tt_note_recent(struct tt_round *r, u64 id)
{
	u32 pos = (u32)atomic_inc_return(&r->recent_pos) % TT_RECENT;

	atomic64_set(&r->recent[pos], (s64)id);
}

struct tt_init_arg {
	struct tt_round *r;
	bool called;
};

/* Runs before the object is visible: the table must not find it yet. */
static void tt_obj_init(struct rcumap_ptab_node *node, u64 id, void *arg)
{
	struct tt_init_arg *a = arg;
	struct tt_obj *o = container_of(node, struct tt_obj, node);

	a->called = true;
	WRITE_ONCE(o->id_copy, id);
	rcu_read_lock();
	if (rcumap_ptab_node_id(node) != id ||
	    rcumap_ptab_lookup(a->r->t, id) == node)
		tt_fail("round %u: init of id %llu: node id %llu, or visible already",
			a->r->nr, id, rcumap_ptab_node_id(node));
	rcu_read_unlock();
}

static struct tt_obj *tt_obj_new(struct tt_worker *w, u32 owner)
{
	struct tt_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return NULL;
	o->owner = owner;
	o->seq = ++w->next_seq;
	o->check = tt_obj_check(owner, o->seq);
	o->id_copy = TT_ID_NONE;
	return o;
}

/* Insert @o, plainly or with an init callback; 0 or the error. */
static int tt_obj_insert(struct tt_worker *w, struct tt_obj *o, u64 *id)
{
	struct tt_init_arg arg = { .r = w->r };
	struct tt_round *r = w->r;
	bool with = tt_rand(&w->rnd, 2);
	int err;

	if (with)
		err = rcumap_ptab_insert_with(r->t, &o->node, tt_obj_init, &arg,
					      id);
	else
		err = rcumap_ptab_insert(r->t, &o->node, id);
	if (err) {
		if (err != -ENOSPC || arg.called)
			tt_fail("round %u: worker %u: insert: %d%s", r->nr,
				w->nr, err, arg.called ? ", init called" : "");
		w->stats.full++;
		return err;
	}
	if (with != arg.called || rcumap_ptab_node_id(&o->node) != *id)
		tt_fail("round %u: worker %u: insert of id %llu: init %s, node id %llu",
			r->nr, w->nr, *id, arg.called ? "called" : "not called",
			rcumap_ptab_node_id(&o->node));
	/* Ids of one thread's inserts increase; never handed out twice. */
	if (w->last_id != TT_ID_NONE && *id <= w->last_id)
		tt_fail("round %u: worker %u: id %llu after id %llu", r->nr,
			w->nr, *id, w->last_id);
	w->last_id = *id;
	if (!with)
		WRITE_ONCE(o->id_copy, *id);
	tt_note_recent(r, *id);
	return 0;
}

static void tt_ptab_remember_stale(struct tt_worker *w, u64 id)
{
	w->stale[w->nr_stale++ % TT_STALE] = id;
}

static void tt_ptab_check_stale(struct tt_worker *w, u64 id)
{
	struct tt_round *r = w->r;
	struct rcumap_ptab_node *node;

	rcu_read_lock();
	node = rcumap_ptab_lookup(r->t, id);
	if (node)
		tt_fail("round %u: worker %u: removed id %llu found again (node id %llu)",
			r->nr, w->nr, id, rcumap_ptab_node_id(node));
	rcu_read_unlock();
	node = rcumap_ptab_remove(r->t, id);
	if (node)
		tt_fail("round %u: worker %u: removed id %llu removed again (node id %llu)",
			r->nr, w->nr, id, rcumap_ptab_node_id(node));
}

/* Try one of the ids this worker removed again: it must miss. */
static void tt_ptab_stale_again(struct tt_worker *w)
{
	u32 nr = min_t(u32, w->nr_stale, TT_STALE);

	tt_ptab_check_stale(w, w->stale[tt_rand(&w->rnd, nr)]);
}

static void tt_ptab_remove_owned(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 i = tt_rand(&w->rnd, w->nr_objs);
	struct tt_obj *o = w->objs[i];
	u64 id = rcumap_ptab_node_id(&o->node);
	struct rcumap_ptab_node *node;

	node = rcumap_ptab_remove(r->t, id);
	w->objs[i] = w->objs[--w->nr_objs];
	w->objs[i]->index = i;
	if (node != &o->node) {
		/* It may still be in the table: leak it rather than free it. */
		tt_fail("round %u: worker %u: remove of its id %llu returned id %lld",
			r->nr, w->nr, id, tt_node_id(node));
		return;
	}
	kfree_rcu(o, rcu);
	tt_ptab_remember_stale(w, id);
	tt_ptab_check_stale(w, id);
}

static void tt_ptab_insert_owned(struct tt_worker *w)
{
	struct tt_obj *o;
	u64 id;

	if (w->nr_objs == w->r->ptab_quota) {
		tt_ptab_remove_owned(w);
		return;
	}
	o = tt_obj_new(w, w->nr);
	if (!o)
		return;
	if (tt_obj_insert(w, o, &id)) {
		kfree(o);	/* never visible */
		return;
	}
	o->index = w->nr_objs;
	w->objs[w->nr_objs++] = o;
}

static void tt_ptab_lookup_owned(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	struct tt_obj *o = w->objs[tt_rand(&w->rnd, w->nr_objs)];
	u64 id = rcumap_ptab_node_id(&o->node);
	struct rcumap_ptab_node *node;

	rcu_read_lock();
	node = rcumap_ptab_lookup(r->t, id);
	if (node != &o->node)
		tt_fail("round %u: worker %u: lookup of its id %llu returned id %lld",
			r->nr, w->nr, id, tt_node_id(node));
	else
		tt_check_obj(r, node, id, "owner's lookup");
	rcu_read_unlock();
}

/* Shared objects: one worker inserts, any worker may remove. */
static void tt_ptab_shared(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	u32 i = tt_rand(&w->rnd, TT_SHARED);
	struct rcumap_ptab_node *node;
	struct tt_obj *o;
	u64 id;

	id = (u64)atomic64_read(&r->shared[i]);
	if (id == TT_ID_NONE) {
		o = tt_obj_new(w, TT_SHARED_OWNER);
		if (!o)
			return;
		if (tt_obj_insert(w, o, &id)) {
			kfree(o);
			return;
		}
		o->index = i;
		if (atomic64_cmpxchg(&r->shared[i], (s64)TT_ID_NONE, (s64)id) ==
		    (s64)TT_ID_NONE) {
			atomic_long_inc(&r->shared_in);
			return;
		}
		/* Someone else filled the place: nobody else knows @id. */
		node = rcumap_ptab_remove(r->t, id);
		if (node != &o->node) {
			tt_fail("round %u: worker %u: remove of unshared id %llu returned id %lld",
				r->nr, w->nr, id, tt_node_id(node));
			return;
		}
		kfree_rcu(o, rcu);
		return;
	}
	/* Of all the workers that try this, exactly one gets the object. */
	node = rcumap_ptab_remove(r->t, id);
	if (!node)
		return;
	o = container_of(node, struct tt_obj, node);
	tt_check_obj(r, node, id, "shared remove");
	if (o->owner != TT_SHARED_OWNER ||
	    atomic64_cmpxchg(&r->shared[i], (s64)id,
			     (s64)TT_ID_NONE) != (s64)id)
		tt_fail("round %u: worker %u: shared id %llu: owner %u, or removed twice",
			r->nr, w->nr, id, o->owner);
	atomic_long_inc(&r->shared_out);
	kfree_rcu(o, rcu);
}

/*
 * A few steps of a walk by slot, or by id (up to rcumap_ptab_id_end() or
 * without a bound), or, in a small table, a whole rcumap_ptab_for_each().
 */
static void tt_ptab_walk(struct tt_worker *w, bool by_slot)
{
	struct tt_round *r = w->r;
	struct rcumap_ptab_node *node;
	u64 id, prev = 0, end;
	u32 i, slot;

	rcu_read_lock();
	if (by_slot) {
		slot = tt_rand(&w->rnd, r->capacity);
		for (i = 0; i < 8 && slot < r->capacity; i++, slot++) {
			u32 before = slot;

			node = rcumap_ptab_slot_next(r->t, &slot);
			if (!node)
				break;
			if (slot < before || slot >= r->capacity)
				tt_fail("round %u: slot walk from %u to %u",
					r->nr, before, slot);
			tt_check_obj(r, node, rcumap_ptab_node_id(node),
				     "slot walk");
		}
	} else if (r->capacity <= 256 && !tt_rand(&w->rnd, 8)) {
		/*
		 * A whole walk: it ends however many inserts run meanwhile,
		 * below the id end it read when it started, which is below
		 * the one we read after it.
		 */
		i = 0;
		rcumap_ptab_for_each(r->t, id, node) {
			if (i++ && id <= prev)
				tt_fail("round %u: for_each: id %llu after %llu",
					r->nr, id, prev);
			tt_check_obj(r, node, id, "for_each");
			prev = id;
		}
		end = rcumap_ptab_id_end(r->t);
		if (i && prev >= end)
			tt_fail("round %u: for_each returned id %llu, id end %llu",
				r->nr, prev, end);
	} else {
		id = tt_recent_id(r, &w->rnd);
		id = id == TT_ID_NONE ? 0 : id - min_t(u64, id, 4);
		end = tt_rand(&w->rnd, 2) ? rcumap_ptab_id_end(r->t) : U64_MAX;
		prev = 0;
		for (i = 0; i < 8; i++, id++) {
			u64 start = id;

			node = rcumap_ptab_next_below(r->t, &id, end);
			if (!node)
				break;
			if (id < start || id >= end || (i && id <= prev))
				tt_fail("round %u: id walk from %llu: %llu after %llu, end %llu",
					r->nr, start, id, prev, end);
			tt_check_obj(r, node, id, "id walk");
			prev = id;
		}
	}
	rcu_read_unlock();
}

static void tt_ptab_lookup_other(struct tt_worker *w)
{
	struct tt_round *r = w->r;
	struct rcumap_ptab_node *node;
	u64 id = tt_recent_id(r, &w->rnd);

	if (tt_rand(&w->rnd, 4) == 0)
		id += (u64)r->capacity * (1 + tt_rand(&w->rnd, 3));
	rcu_read_lock();
	node = rcumap_ptab_lookup(r->t, id);
	if (node)
		tt_check_obj(r, node, id, "worker's lookup");
	rcu_read_unlock();
}

/* ---- Torture: the worker loop --------------------------------------- */

/*
 * In a round of a shrinking shape, a worker alternates between filling
 * its keys and draining them: while it drains, its updates and deletes
 * all become deletes of its next present key.  Returns true if it did
 * one.
 */
static bool tt_hash_drain(struct tt_worker *w, u32 op)
{
	struct tt_round *r = w->r;
	u32 i;

	if (!(r->shape->flags & RCUMAP_HASH_F_SHRINK))
		return false;
	if (!w->phase_ops--) {
		w->phase_ops = TT_PHASE_OPS;
		w->draining = !w->draining;
	}
	if (!w->draining || op >= 28)
		return false;
	for (i = 0; i < r->owned_per_worker; i++) {
		u32 k = w->sweep++ % r->owned_per_worker;

		if (w->version[k]) {
			tt_hash_delete(w, op & 1, k);
			break;
		}
	}
	return true;
}

static void tt_worker_op(struct tt_worker *w)
{
	u32 op = tt_rand(&w->rnd, 100);

	w->stats.ops++;
	if (op < 55)
		w->stats.hash_ops++;
	else
		w->stats.ptab_ops++;

	if (tt_hash_drain(w, op))
		return;
	if (op < 8)
		tt_hash_update(w, RCUMAP_ANY, false);
	else if (op < 13)
		tt_hash_update(w, RCUMAP_NOEXIST, false);
	else if (op < 17)
		tt_hash_update(w, RCUMAP_EXIST, false);
	else if (op < 19)
		tt_hash_update(w, tt_rand(&w->rnd, 3), true);
	else if (op < 24)
		tt_hash_delete(w, false, U32_MAX);
	else if (op < 28)
		tt_hash_delete(w, true, U32_MAX);
	else if (op < 37)
		tt_hash_lookup_owned(w);
	else if (op < 46)
		tt_hash_contested(w);
	else if (op < 49 && !tt_rand(&w->rnd, 12))
		tt_hash_ordered_walk(w);
	else if (op < 49 && tt_rand(&w->rnd, 2))
		tt_hash_ordered_steps(w);
	else if (op < 49)
		tt_hash_walk(w, false);
	else if (op < 52)
		tt_hash_walk(w, true);
	else if (op < 55)
		tt_hash_info(w);
	else if (op < 67)
		tt_ptab_insert_owned(w);
	else if (op < 77 && w->nr_objs)
		tt_ptab_remove_owned(w);
	else if (op < 77)
		tt_ptab_insert_owned(w);
	else if (op < 80 && w->nr_stale)
		tt_ptab_stale_again(w);
	else if (op < 85 && w->nr_objs)
		tt_ptab_lookup_owned(w);
	else if (op < 89)
		tt_ptab_lookup_other(w);
	else if (op < 94)
		tt_ptab_shared(w);
	else if (op < 97)
		tt_ptab_walk(w, false);
	else
		tt_ptab_walk(w, true);
}

static int tt_worker_fn(void *arg)
{
	struct tt_worker *w = arg;

	while (!kthread_should_stop()) {
		tt_worker_op(w);
		cond_resched();
	}
	return 0;
}

/* ---- Torture: rounds ------------------------------------------------ */

/*
 * Keys each worker owns: seven eighths of the keys are owned, the rest
 * contested; in a shrinking shape all are owned, so that a drain can
 * empty the table.
 */
static u32 tt_owned_per_worker(const struct tt_hash_shape *s)
{
	u32 owned = s->flags & RCUMAP_HASH_F_SHRINK ? s->keys : s->keys * 7 / 8;

	return owned / tt.nr_workers;
}

/*
 * The free callback of the round's hash table (@priv is the round, which
 * is freed only after rcumap_hash_barrier()).  The value must be one that
 * a successful update stored, whole, and no reader, timer or worker may
 * hold it: a grace period has passed since it left the table, so every
 * one that found it has left its read-side section and cleared its slot.
 * Then it is poisoned, for a reader that still looks to see.
 */
static void tt_free_value(void *priv, const void *key, void *value)
{
	struct tt_round *r = priv;
	u32 ks = r->shape->key_size, vs = r->shape->value_size, key_id, i;

	if (!tt_key_id(key, ks, r->salt, &key_id) || key_id >= r->keys ||
	    !tt_value_whole(value, vs, key_id)) {
		tt_fail("round %u: free callback: bad key or torn value",
			r->nr);
	} else {
		atomic_long_inc(&r->freed);
		atomic64_add((s64)((struct tt_value *)value)->check,
			     &r->freed_sum);
	}
	for (i = 0; i < tt.nr_held; i++) {
		if (READ_ONCE(tt.held[i]) == value)
			tt_fail("round %u: free callback for key id %u while holder %u holds it",
				r->nr, key_id, i);
	}
	memset(value, TT_POISON, vs);
}

/*
 * Force resizes until stopped: each to a random power of two up to four
 * times larger or smaller than now (so that each resize is a few steps,
 * and stopping the thread does not wait for a long one), between 1 and
 * 2^@r->resize_order buckets.
 */
static int tt_resizer_fn(void *arg)
{
	struct tt_round *r = arg;
	struct rnd_state rnd;
	u32 order, target;
	int err;

	tt_seed(&rnd, tt.seed, 4000 + r->nr);
	while (!kthread_should_stop()) {
		order = ilog2(rcumap_hash_nr_buckets(r->h)) + tt_rand(&rnd, 5);
		order = clamp_t(int, (int)order - 2, tt_roomy_order(r->shape),
				r->resize_order);
		target = 1U << order;
		err = rcumap_hash_resize(r->h, target);
		if (err == -ENOMEM) {
			r->resize_nomem++;
		} else if (err == -ENOSPC &&
			   target < rcumap_hash_nr_buckets(r->h)) {
			/* Two buckets to merge do not fit in one: refused. */
			r->resize_nofit++;
		} else if (err) {
			tt_fail("round %u: resize to %u buckets: %d", r->nr,
				target, err);
		} else {
			r->resizes++;
			/* Nobody else resizes a table without flags. */
			if (!r->shape->flags &&
			    rcumap_hash_nr_buckets(r->h) != target)
				tt_fail("round %u: resized to %u buckets, has %u",
					r->nr, target,
					rcumap_hash_nr_buckets(r->h));
		}
		cond_resched();
	}
	return 0;
}

static struct tt_round *tt_round_new(u32 nr)
{
	const struct tt_hash_shape *s =
		&tt_hash_shapes[tt_rand(&tt.rnd, ARRAY_SIZE(tt_hash_shapes))];
	struct rcumap_hash_params params;
	struct tt_round *r;
	u32 i;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return ERR_PTR(-ENOMEM);
	params = tt_hash_params(s, tt_free_value, r);
	r->nr = nr;
	r->shape = s;
	r->salt = prandom_u32_state(&tt.rnd);
	r->owned_per_worker = tt_owned_per_worker(s);
	r->owned_keys = r->owned_per_worker * tt.nr_workers;
	r->keys = s->keys;
	r->capacity = tt_ptab_capacities[tt_rand(&tt.rnd,
					ARRAY_SIZE(tt_ptab_capacities))];
	/* A little more than a fair share: the table fills up sometimes. */
	r->ptab_quota = max(1U, r->capacity * 5 / 4 / tt.nr_workers);
	for (i = 0; i < TT_SHARED; i++)
		atomic64_set(&r->shared[i], (s64)TT_ID_NONE);
	for (i = 0; i < TT_RECENT; i++)
		atomic64_set(&r->recent[i], (s64)TT_ID_NONE);
	/*
	 * Two rounds in three of a fixed shape have a resizer, one in two of
	 * the growing shape (whose worker must be seen at work alone, too),
	 * none of the shrinking one, where the worker alone grows and
	 * shrinks the table as the workers fill and drain it; up to twice as
	 * many buckets as keys.
	 */
	if (!s->flags)
		r->resizer = tt_rand(&tt.rnd, 3);
	else if (!(s->flags & RCUMAP_HASH_F_SHRINK))
		r->resizer = tt_rand(&tt.rnd, 2);
	r->resize_order = ilog2(roundup_pow_of_two(2 * s->keys));

	r->h = rcumap_hash_create(&params, GFP_KERNEL);
	if (IS_ERR(r->h))
		goto out_free_round;
	r->init_buckets = rcumap_hash_nr_buckets(r->h);
	r->t = rcumap_ptab_create(r->capacity, GFP_KERNEL);
	if (IS_ERR(r->t))
		goto out_destroy_hash;
	return r;

out_destroy_hash:
	rcumap_hash_destroy(r->h);
	r->h = NULL;
out_free_round:
	tt_fail("round %u: cannot create the tables", nr);
	kfree(r);
	return ERR_PTR(-ENOMEM);
}

/*
 * Check a round's tables against what its stopped workers know: every
 * owned key and object, the contested counts, walks that must return
 * exactly the live set.  Readers may still be reading.
 */
static void tt_round_check_hash(struct tt_round *r)
{
	u32 ks = r->shape->key_size, vs = r->shape->value_size;
	u8 *key = tt.workers[0].key, *value = tt.workers[0].value;
	u8 *prev = tt.workers[0].prev_key;
	unsigned long *seen;
	long contested = 0, expected = 0, found;
	u32 i, k, key_id, tries, walk;
	u64 pos;
	int err;

	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_worker *w = &tt.workers[i];

		for (k = 0; k < r->owned_per_worker; k++) {
			tt_make_key(w->key, ks, r->salt, tt_owned_id(w, k));
			tt_hash_read_back(w, k, "the round");
			expected += !!w->version[k];
		}
	}
	for (key_id = r->owned_keys; key_id < r->keys; key_id++) {
		tt_make_key(key, ks, r->salt, key_id);
		err = rcumap_hash_lookup_copy(r->h, key, value);
		if (!err && !tt_value_whole(value, vs, key_id))
			tt_fail("round %u: contested key id %u torn", r->nr,
				key_id);
		contested += !err;
	}
	if (contested != atomic_long_read(&r->contested_in) -
			 atomic_long_read(&r->contested_out))
		tt_fail("round %u: %ld contested keys, but %ld inserted and %ld deleted",
			r->nr, contested, atomic_long_read(&r->contested_in),
			atomic_long_read(&r->contested_out));
	expected += contested;
	if (rcumap_hash_count(r->h) != expected)
		tt_fail("round %u: count %u, want %ld", r->nr,
			rcumap_hash_count(r->h), expected);

	seen = bitmap_zalloc(r->keys, GFP_KERNEL);
	if (!seen)
		return;
	/*
	 * Positional walk: every key exactly once.  Not across a resize,
	 * though, and the table's own resize worker may still be at work
	 * (a delete at the end of the round queued it): in a table with
	 * flags, a walk that fails is tried again, after a pause, up to ten
	 * times, until the worker has reached its size.
	 */
	for (tries = 0; tries < 10; tries++) {
		bool bad = false;

		if (tries)
			msleep(20 * tries);
		bitmap_zero(seen, r->keys);
		found = 0;
		pos = 0;
		while (!tt_walk(r->h, &pos, key, value)) {
			if (!tt_key_id(key, ks, r->salt, &key_id) ||
			    key_id >= r->keys ||
			    !tt_value_whole(value, vs, key_id)) {
				tt_fail("round %u: walk: bad key", r->nr);
				break;
			}
			if (test_and_set_bit(key_id, seen)) {
				bad = true;
				break;
			}
			found++;
		}
		if (!bad && found == expected)
			break;
		if (!r->shape->flags || tries == 9) {
			tt_fail("round %u: walk found %ld keys, want %ld%s",
				r->nr, found, expected,
				bad ? ", and a key twice" : "");
			break;
		}
	}
	/* Ordered walks, of keys or of keys and values: exact in any case. */
	for (walk = 0; walk < 2; walk++) {
		bitmap_zero(seen, r->keys);
		found = 0;
		err = tt_ordered_step(r->h, NULL, key, walk ? value : NULL);
		while (!err) {
			if (!tt_key_id(key, ks, r->salt, &key_id) ||
			    key_id >= r->keys ||
			    test_and_set_bit(key_id, seen) ||
			    (walk && !tt_value_whole(value, vs, key_id)) ||
			    (found && !tt_key_after(r->h, prev, key, ks))) {
				tt_fail("round %u: ordered walk: bad, repeated or backward key",
					r->nr);
				break;
			}
			found++;
			memcpy(prev, key, ks);
			err = tt_ordered_step(r->h, prev, key,
					      walk ? value : NULL);
		}
		if (found != expected)
			tt_fail("round %u: ordered walk%s found %ld keys, want %ld",
				r->nr, walk ? " with values" : "", found,
				expected);
	}
	/* And the same with get_next_key(). */
	bitmap_zero(seen, r->keys);
	found = 0;
	err = rcumap_hash_get_next_key(r->h, NULL, key);
	while (!err) {
		if (!tt_key_id(key, ks, r->salt, &key_id) ||
		    key_id >= r->keys || test_and_set_bit(key_id, seen)) {
			tt_fail("round %u: get_next_key: bad or repeated key",
				r->nr);
			break;
		}
		found++;
		err = rcumap_hash_get_next_key(r->h, key, value);
		memcpy(key, value, ks);
	}
	if (found != expected)
		tt_fail("round %u: get_next_key found %ld keys, want %ld",
			r->nr, found, expected);
	bitmap_free(seen);
}

/* Mark @node seen in this pass; false if it is not one we know of. */
static bool tt_round_mark(struct tt_round *r, struct rcumap_ptab_node *node)
{
	struct tt_obj *o = container_of(node, struct tt_obj, node);
	u64 id = rcumap_ptab_node_id(node);

	if (o->seen == tt.pass)
		return false;
	o->seen = tt.pass;
	if (o->owner == TT_SHARED_OWNER)
		return o->index < TT_SHARED &&
		       (u64)atomic64_read(&r->shared[o->index]) == id;
	return o->owner < tt.nr_workers &&
	       o->index < tt.workers[o->owner].nr_objs &&
	       tt.workers[o->owner].objs[o->index] == o;
}

static void tt_round_check_ptab(struct tt_round *r)
{
	u32 i, owned = 0, shared = 0, expected, found, slot;
	struct rcumap_ptab_node *node;
	u64 id, prev;

	for (i = 0; i < tt.nr_workers; i++)
		owned += tt.workers[i].nr_objs;
	for (i = 0; i < TT_SHARED; i++)
		shared += atomic64_read(&r->shared[i]) != (s64)TT_ID_NONE;
	expected = owned + shared;
	if (rcumap_ptab_count(r->t) != expected)
		tt_fail("round %u: ptab count %u, want %u", r->nr,
			rcumap_ptab_count(r->t), expected);
	if (atomic_long_read(&r->shared_in) -
	    atomic_long_read(&r->shared_out) != shared)
		tt_fail("round %u: %u shared objects, but %ld inserted and %ld removed",
			r->nr, shared, atomic_long_read(&r->shared_in),
			atomic_long_read(&r->shared_out));

	tt.pass++;
	found = 0;
	prev = 0;
	rcu_read_lock();
	rcumap_ptab_for_each(r->t, id, node) {
		if ((found && id <= prev) || !tt_round_mark(r, node)) {
			tt_fail("round %u: id walk: id %llu unknown, repeated or out of order",
				r->nr, id);
			break;
		}
		prev = id;
		found++;
	}
	rcu_read_unlock();
	if (found != expected)
		tt_fail("round %u: id walk found %u objects, want %u", r->nr,
			found, expected);

	tt.pass++;
	found = 0;
	rcu_read_lock();
	for (slot = 0; (node = rcumap_ptab_slot_next(r->t, &slot)); slot++) {
		if (!tt_round_mark(r, node)) {
			tt_fail("round %u: slot walk: object unknown or repeated",
				r->nr);
			break;
		}
		found++;
	}
	rcu_read_unlock();
	if (found != expected)
		tt_fail("round %u: slot walk found %u objects, want %u", r->nr,
			found, expected);
}

/* Take every object out of @r's process table; free them after readers. */
static void tt_round_drain(struct tt_round *r)
{
	struct rcumap_ptab_node *node;
	struct tt_obj *o;
	u32 i, j;
	u64 id;

	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_worker *w = &tt.workers[i];

		for (j = 0; j < w->nr_objs; j++) {
			o = w->objs[j];
			node = rcumap_ptab_remove(r->t,
						  rcumap_ptab_node_id(&o->node));
			if (node != &o->node)
				tt_fail("round %u: drain of worker %u's object failed",
					r->nr, i);
			else
				kfree_rcu(o, rcu);
		}
		w->nr_objs = 0;
	}
	for (i = 0; i < TT_SHARED; i++) {
		id = (u64)atomic64_read(&r->shared[i]);
		if (id == TT_ID_NONE)
			continue;
		node = rcumap_ptab_remove(r->t, id);
		if (!node) {
			tt_fail("round %u: drain of shared id %llu failed",
				r->nr, id);
			continue;
		}
		kfree_rcu(container_of(node, struct tt_obj, node), rcu);
	}
	if (rcumap_ptab_count(r->t))
		tt_fail("round %u: %u objects left after the drain", r->nr,
			rcumap_ptab_count(r->t));
}

static void tt_stop_workers(u32 started)
{
	u32 i;

	for (i = 0; i < started; i++)
		kthread_stop(tt.workers[i].task);
}

/*
 * Every value a destroyed round stored has been handed to the free
 * callback once: as the old value of a replace, by a delete, or by the
 * destroy.  After rcumap_hash_barrier() no callback of those rounds runs
 * any more, and the rounds (the callbacks' @priv) may go.  One barrier
 * for several rounds: it waits for every pending RCU callback, which in
 * a debug guest can take most of a second.
 */
static void tt_rounds_settle(void)
{
	u32 i;

	if (!tt.nr_pending)
		return;
	rcumap_hash_barrier();
	for (i = 0; i < tt.nr_pending; i++) {
		struct tt_round *r = tt.pending[i];

		if (atomic_long_read(&r->stored) !=
		    atomic_long_read(&r->freed) ||
		    atomic64_read(&r->stored_sum) !=
		    atomic64_read(&r->freed_sum))
			tt_fail("round %u: %ld values stored, %ld freed (sums %llx, %llx)",
				r->nr, atomic_long_read(&r->stored),
				atomic_long_read(&r->freed),
				(u64)atomic64_read(&r->stored_sum),
				(u64)atomic64_read(&r->freed_sum));
		tt.values_freed += atomic_long_read(&r->freed);
		kfree_rcu(r, rcu);
	}
	tt.nr_pending = 0;
}

/* One round: create, run the workers for @ms, stop, check, destroy. */
static int tt_round_run(u32 nr, unsigned int ms)
{
	struct tt_round *r;
	u32 i, started;
	int err = 0;

	r = tt_round_new(nr);
	if (IS_ERR(r))
		return PTR_ERR(r);
	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_worker *w = &tt.workers[i];

		w->r = r;
		w->nr_objs = 0;
		w->nr_stale = 0;
		w->last_id = TT_ID_NONE;
		memset(w->version, 0, tt.max_owned * sizeof(*w->version));
		w->last_buckets = 0;
		w->phase_ops = TT_PHASE_OPS;
		w->draining = false;
		w->sweep = 0;
	}
	/* Readers find the new round from here on (tt.cur was NULL). */
	rcu_assign_pointer(tt.cur, r);

	for (started = 0; started < tt.nr_workers; started++) {
		struct tt_worker *w = &tt.workers[started];

		w->task = kthread_create(tt_worker_fn, w, "rcumap_tw/%u",
					 started);
		if (IS_ERR(w->task)) {
			err = PTR_ERR(w->task);
			tt_fail("round %u: cannot start worker %u", nr, started);
			break;
		}
		kthread_bind(w->task, tt_cpu(started));
	}
	if (!err && r->resizer) {
		r->resizer_task = kthread_create(tt_resizer_fn, r,
						 "rcumap_tz/%u", nr);
		if (IS_ERR(r->resizer_task)) {
			err = PTR_ERR(r->resizer_task);
			r->resizer_task = NULL;
			tt_fail("round %u: cannot start the resizer", nr);
		}
	}
	if (!err) {
		for (i = 0; i < tt.nr_workers; i++)
			wake_up_process(tt.workers[i].task);
		if (r->resizer_task)
			wake_up_process(r->resizer_task);
		msleep(ms);
	}
	/* Joins the workers: everything they did is visible from here. */
	tt_stop_workers(started);
	if (r->resizer_task) {
		kthread_stop(r->resizer_task);
		tt.resizes += r->resizes;
		tt.resize_nomem += r->resize_nomem;
		tt.resize_nofit += r->resize_nofit;
		tt.resize_rounds++;
	}

	if (!err) {
		tt_round_check_hash(r);
		tt_round_check_ptab(r);
	}

	/*
	 * Destroy with readers possibly inside: first make the round
	 * unreachable, then destroy the tables, whose memory the maps free
	 * after a grace period, as the objects and the round are freed.
	 */
	rcu_assign_pointer(tt.cur, NULL);
	tt_round_drain(r);
	rcumap_ptab_destroy(r->t);
	rcumap_hash_destroy(r->h);
	tt.pending[tt.nr_pending++] = r;
	if (tt.nr_pending == TT_PENDING)
		tt_rounds_settle();
	return err;
}

static void tt_free_workers(void)
{
	u32 i;

	for (i = 0; tt.workers && i < tt.nr_workers; i++) {
		kfree(tt.workers[i].version);
		kfree(tt.workers[i].objs);
		bitmap_free(tt.workers[i].seen);
	}
	kfree(tt.workers);
	tt.workers = NULL;
	kfree(tt.held);
	tt.held = NULL;
}

static int tt_alloc_workers(void)
{
	u32 i;

	tt.max_owned = 0;
	for (i = 0; i < ARRAY_SIZE(tt_hash_shapes); i++) {
		const struct tt_hash_shape *s = &tt_hash_shapes[i];

		if (s->key_size > TT_MAX_KEY || s->value_size > TT_MAX_VALUE ||
		    s->value_size < sizeof(struct tt_value) ||
		    s->keys > TT_MAX_KEYS ||
		    (s->key_size < 4 && s->keys > 1U << (8 * s->key_size)))
			return -EINVAL;
		tt.max_owned = max(tt.max_owned,
				   tt_owned_per_worker(s));
	}
	tt.max_quota = 0;
	for (i = 0; i < ARRAY_SIZE(tt_ptab_capacities); i++)
		tt.max_quota = max(tt.max_quota, max(1U, tt_ptab_capacities[i] *
						     5 / 4 / tt.nr_workers));
	tt.workers = kcalloc(tt.nr_workers, sizeof(*tt.workers), GFP_KERNEL);
	if (!tt.workers)
		return -ENOMEM;
	tt.nr_held = 2 * tt.nr_readers + tt.nr_workers;
	tt.held = kcalloc(tt.nr_held, sizeof(*tt.held), GFP_KERNEL);
	if (!tt.held) {
		tt_free_workers();
		return -ENOMEM;
	}
	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_worker *w = &tt.workers[i];

		w->nr = i;
		tt_seed(&w->rnd, tt.seed, 1000 + i);
		w->version = kcalloc(max(tt.max_owned, 1U), sizeof(u64),
				     GFP_KERNEL);
		w->objs = kcalloc(tt.max_quota, sizeof(*w->objs), GFP_KERNEL);
		w->seen = bitmap_zalloc(TT_MAX_KEYS, GFP_KERNEL);
		if (!w->version || !w->objs || !w->seen) {
			tt_free_workers();
			return -ENOMEM;
		}
	}
	return 0;
}

static void tt_stop_readers(u32 started)
{
	u32 i;

	WRITE_ONCE(tt.stop_timers, true);
	for (i = 0; i < started; i++) {
		kthread_stop(tt.readers[i].task);
		del_timer_sync(&tt.readers[i].timer);
	}
}

static int tt_start_readers(void)
{
	u32 i;

	tt.readers = kcalloc(tt.nr_readers, sizeof(*tt.readers), GFP_KERNEL);
	if (!tt.readers)
		return -ENOMEM;
	for (i = 0; i < tt.nr_readers; i++) {
		struct tt_reader *rd = &tt.readers[i];

		rd->nr = i;
		tt_seed(&rd->rnd, tt.seed, 2000 + i);
		tt_seed(&rd->timer_rnd, tt.seed, 3000 + i);
		timer_setup(&rd->timer, tt_timer_fn, 0);
		rd->task = kthread_create(tt_reader_fn, rd, "rcumap_tr/%u", i);
		if (IS_ERR(rd->task)) {
			int err = PTR_ERR(rd->task);

			tt_stop_readers(i);
			kfree(tt.readers);
			return err;
		}
		kthread_bind(rd->task, tt_cpu(i));
		wake_up_process(rd->task);
	}
	return 0;
}

/* The whole torture: rounds until @duration seconds have passed. */
static int tt_run(void)
{
	unsigned long end = jiffies + duration * HZ;
	struct tt_stats sum = {};
	unsigned long reads = 0, timer_reads = 0;
	int err;
	u32 i;

	tt.nr_workers = threads ?: 2 * num_online_cpus();
	tt.nr_readers = num_online_cpus();
	tt_seed(&tt.rnd, tt.seed, 1);
	err = tt_alloc_workers();
	if (err)
		return err;
	err = tt_start_readers();
	if (err)
		goto out_free_workers;

	while (time_before(jiffies, end)) {
		unsigned int left = jiffies_to_msecs(end - jiffies);
		unsigned int ms = min(left, 200 + tt_rand(&tt.rnd, 800));

		err = tt_round_run(tt.rounds, max(ms, 50U));
		if (err)
			break;
		tt.rounds++;
	}
	tt_rounds_settle();

	tt_stop_readers(tt.nr_readers);
	for (i = 0; i < tt.nr_readers; i++) {
		reads += tt.readers[i].reads;
		timer_reads += tt.readers[i].timer_reads;
	}
	kfree(tt.readers);
	for (i = 0; i < tt.nr_workers; i++) {
		struct tt_stats *s = &tt.workers[i].stats;

		sum.ops += s->ops;
		sum.hash_ops += s->hash_ops;
		sum.ptab_ops += s->ptab_ops;
		sum.full += s->full;
		sum.nomem += s->nomem;
		sum.ordered_walks += s->ordered_walks;
		sum.ordered_keys += s->ordered_keys;
		sum.grew += s->grew;
		sum.shrank += s->shrank;
	}
	pr_info("torture: %u rounds, %u workers and %u readers, %lu ops (%lu hash, %lu ptab; %lu full, %lu atomic -ENOMEM), %lu reads, %lu timer reads\n",
		tt.rounds, tt.nr_workers, tt.nr_readers, sum.ops, sum.hash_ops,
		sum.ptab_ops, sum.full, sum.nomem, reads, timer_reads);
	pr_info("torture: %lu forced resizes in %lu rounds (%lu -ENOMEM, %lu shrinks refused by the bucket bound), resize worker seen growing %lu and shrinking %lu times, %lu whole ordered walks of %lu keys, %lu values freed by the callback\n",
		tt.resizes, tt.resize_rounds, tt.resize_nomem, tt.resize_nofit,
		sum.grew,
		sum.shrank, sum.ordered_walks, sum.ordered_keys,
		tt.values_freed);
	if (!err && (!sum.hash_ops || !sum.ptab_ops || !reads || !tt.rounds))
		tt_fail("torture: some kind of operation never ran");
out_free_workers:
	tt_free_workers();
	return err;
}

/* ---- Differential: the reference maps ------------------------------- */

#define REF_HASH_HEADS	256

struct ref_entry {
	struct hlist_node node;
	struct rb_node order;	/* in ref_hash.order */
	u32 pos;		/* rcumap_hash_key_pos() of the key */
	u32 seen;
	u8 data[];	/* the key, then the value */
};

/*
 * A chained hash table under a mutex: slow, simple, obviously right.  Its
 * entries are also in a tree sorted in the walk order of the table under
 * test: by the position rcumap_hash_key_pos() gives each key (the one
 * thing about the order only the table knows: it hashes with its own
 * seed), then by the key's bytes.  The order of the ordered walks is
 * taken from the tree, not from the table's buckets.
 */
struct ref_hash {
	struct mutex lock;	/* serialises every operation */
	u32 key_size;
	u32 value_size;
	u32 max_entries;
	u32 count;
	const struct rcumap_hash *h;	/* for rcumap_hash_key_pos() */
	struct rb_root order;
	struct hlist_head heads[REF_HASH_HEADS];
};

/* Walk order: <0, 0 or >0 as (@pos, @key) is before, at or after @e. */
static int ref_order_cmp(const struct ref_hash *ref, u32 pos, const u8 *key,
			 const struct ref_entry *e)
{
	if (pos != e->pos)
		return pos < e->pos ? -1 : 1;
	return memcmp(key, e->data, ref->key_size);
}

static void ref_order_insert(struct ref_hash *ref, struct ref_entry *e)
{
	struct rb_node **link = &ref->order.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (ref_order_cmp(ref, e->pos, e->data,
				  rb_entry(parent, struct ref_entry, order)) < 0)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&e->order, parent, link);
	rb_insert_color(&e->order, &ref->order);
}

/* The first entry strictly after @key in walk order, or the first entry. */
static struct ref_entry *ref_order_next(struct ref_hash *ref, const u8 *key)
{
	struct rb_node *n = ref->order.rb_node;
	struct ref_entry *best = NULL;
	u32 pos;

	lockdep_assert_held(&ref->lock);
	if (!key) {
		n = rb_first(&ref->order);
		return n ? rb_entry(n, struct ref_entry, order) : NULL;
	}
	pos = rcumap_hash_key_pos(ref->h, key);
	while (n) {
		struct ref_entry *e = rb_entry(n, struct ref_entry, order);

		if (ref_order_cmp(ref, pos, key, e) < 0) {
			best = e;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

static u32 ref_hash_head(const u8 *key, u32 ks)
{
	u32 h = 2166136261U, i;

	for (i = 0; i < ks; i++)
		h = (h ^ key[i]) * 16777619U;
	return h % REF_HASH_HEADS;
}

static struct ref_entry *ref_find(struct ref_hash *ref, const u8 *key)
{
	struct ref_entry *e;

	lockdep_assert_held(&ref->lock);
	hlist_for_each_entry(e, &ref->heads[ref_hash_head(key, ref->key_size)],
			     node) {
		if (!memcmp(e->data, key, ref->key_size))
			return e;
	}
	return NULL;
}

/* rcumap_hash_update()'s contract, for the reference. */
static int ref_update(struct ref_hash *ref, const u8 *key, const u8 *value,
		      u32 mode)
{
	struct ref_entry *e;
	int err = 0;

	if (mode > RCUMAP_EXIST)
		return -EINVAL;
	mutex_lock(&ref->lock);
	e = ref_find(ref, key);
	if (e && mode == RCUMAP_NOEXIST) {
		err = -EEXIST;
	} else if (!e && mode == RCUMAP_EXIST) {
		err = -ENOENT;
	} else if (e) {
		memcpy(e->data + ref->key_size, value, ref->value_size);
	} else if (ref->count == ref->max_entries) {
		err = -E2BIG;
	} else {
		e = kmalloc(struct_size(e, data, ref->key_size +
					ref->value_size), GFP_KERNEL);
		if (!e) {
			err = -ENOMEM;
		} else {
			e->seen = 0;
			memcpy(e->data, key, ref->key_size);
			memcpy(e->data + ref->key_size, value, ref->value_size);
			hlist_add_head(&e->node,
				       &ref->heads[ref_hash_head(key,
							ref->key_size)]);
			e->pos = rcumap_hash_key_pos(ref->h, key);
			ref_order_insert(ref, e);
			ref->count++;
		}
	}
	mutex_unlock(&ref->lock);
	return err;
}

static int ref_take(struct ref_hash *ref, const u8 *key, u8 *value)
{
	struct ref_entry *e;

	mutex_lock(&ref->lock);
	e = ref_find(ref, key);
	if (e) {
		if (value)
			memcpy(value, e->data + ref->key_size, ref->value_size);
		hlist_del(&e->node);
		rb_erase(&e->order, &ref->order);
		kfree(e);
		ref->count--;
	}
	mutex_unlock(&ref->lock);
	return e ? 0 : -ENOENT;
}

/* 0 and the value, or -ENOENT. */
static int ref_lookup(struct ref_hash *ref, const u8 *key, u8 *value)
{
	struct ref_entry *e;

	mutex_lock(&ref->lock);
	e = ref_find(ref, key);
	if (e && value)
		memcpy(value, e->data + ref->key_size, ref->value_size);
	mutex_unlock(&ref->lock);
	return e ? 0 : -ENOENT;
}

static void ref_hash_clear(struct ref_hash *ref)
{
	struct ref_entry *e;
	struct hlist_node *tmp;
	u32 i;

	mutex_lock(&ref->lock);
	for (i = 0; i < REF_HASH_HEADS; i++) {
		hlist_for_each_entry_safe(e, tmp, &ref->heads[i], node) {
			hlist_del(&e->node);
			kfree(e);
		}
	}
	ref->order = RB_ROOT;
	ref->count = 0;
	mutex_unlock(&ref->lock);
}

struct ref_slot {
	void *obj;	/* the live object of this slot, or NULL */
	u64 id;		/* its id, or the last id the slot had */
	bool used;	/* the slot has had an id */
	u32 seen;
};

/*
 * The process table's reference: an array of slots under a mutex, id
 * modulo capacity giving the slot, and the id rules of the contract.
 */
struct ref_ptab {
	struct mutex lock;	/* serialises every operation */
	u32 capacity;
	u32 count;
	u64 inserts;
	u64 next_id;	/* every id handed out is below */
	u32 *live;	/* slots of live objects, @count of them */
	u32 *live_pos;	/* where each slot is in @live */
	struct ref_slot slot[];
};

/* ---- Differential: the hash table ----------------------------------- */

static const struct tt_hash_shape df_hash_shapes[] = {
	{ 4, 8, 64, 1, 80, 0 },
	{ 8, 0, 512, 0, 640, 0 },
	{ 3, 13, 300, 16, 400, 0 },
	{ 16, 64, 1024, 64, 1200, 0 },	/* the bucket bound wants 16 at least */
	{ 1, 1, 200, 8, 256, 0 },
	{ 256, 4096, 24, 2, 32, 0 },
	{ 12, 24, 2000, 2048, 2500, 0 },
	{ 8, 8, 4096, 256, 4096, 0 },
	{ 8, 16, 2048, 2, 2560, TT_SHRINK },
	{ 5, 8, 512, 0, 640, TT_GROW },
};

/*
 * One operation in this many forces a resize (then a full compare).  In
 * the debug guest a resize step, which waits for a grace period, costs as
 * much as a few hundred other operations.
 */
#define DF_RESIZE_EVERY	10000

static const u32 df_ptab_capacities[] = { 64, 128, 1024 };

/*
 * Buffers hold the largest key or value of a differential shape (each
 * buffer serves as either), DF_MAX_SIZE bytes, plus an offset.
 */
#define DF_MAX_SIZE	4096
#define DF_MISALIGN	8

struct df {
	u32 nr;			/* stream number */
	struct rnd_state rnd;
	unsigned long share;	/* operations to do on each map */
	unsigned long start;	/* jiffies */
	u32 ms;			/* how long it took */
	unsigned long op;	/* number of the current operation */
	unsigned long hash_ops;
	unsigned long ptab_ops;
	unsigned long hash_tables;
	unsigned long ptab_tables;
	unsigned long full;
	unsigned long compares;
	u32 pass;
	u32 fill;		/* percent of inserts in the current phase */
	unsigned long resizes;
	unsigned long stored;	/* values the current table stored */
	atomic_long_t freed;	/* ... and its free callback was given */
	unsigned long values_freed;
	struct task_struct *task;
	struct completion done;
	u8 *key, *key2, *value, *value2, *value3;
};

static const char *df_shape_str(const struct tt_hash_shape *s, char *buf,
				size_t len)
{
	snprintf(buf, len, "ks %u vs %u max %u buckets %u flags %u",
		 s->key_size, s->value_size, s->max_entries, s->nr_buckets,
		 s->flags);
	return buf;
}

/*
 * A key to operate on: usually one of the shape's key ids, sometimes
 * random bytes, sometimes a key id's key with one byte past the id
 * changed (same start, different key).  Written at a random offset of
 * @buf, to exercise unaligned keys; returns that pointer.
 */
static u8 *df_pick_key(struct df *d, const struct tt_hash_shape *s, u32 salt,
		       u8 *buf)
{
	u8 *key = buf + tt_rand(&d->rnd, DF_MISALIGN);
	u32 pick = tt_rand(&d->rnd, 20);

	if (pick == 0) {
		prandom_bytes_state(&d->rnd, key, s->key_size);
	} else {
		tt_make_key(key, s->key_size, salt, tt_rand(&d->rnd, s->keys));
		if (pick == 1 && s->key_size > 4)
			key[4 + tt_rand(&d->rnd, s->key_size - 4)] ^=
				1 + tt_rand(&d->rnd, 255);
	}
	return key;
}

/* @got == @want: the return code was right, the value or key was not. */
static void df_hash_fail(struct df *d, const struct tt_hash_shape *s,
			 const char *op, const u8 *key, int got, int want)
{
	char shape[64];

	tt_fail("diff %u hash op %lu (%s): %s of key %*phN: got %d, want %d%s",
		d->nr, d->op, df_shape_str(s, shape, sizeof(shape)), op,
		(int)min(s->key_size, 16U), key, got, want,
		got == want ? ", but not the right value" : "");
}

/*
 * Compare the whole contents: a positional walk, a get_next_key() walk,
 * and a next_key_after() walk or a walk_after() walk (in turns) must each
 * return every key of the reference exactly once, with its value where
 * they give it, the last two in the reference's walk order; the counts
 * must agree.
 * A table with flags may be resized by its worker at any moment, and a
 * positional walk is exact only while the table keeps its size: there it
 * is left out.
 */
static void df_hash_compare(struct df *d, const struct tt_hash_shape *s,
			    struct rcumap_hash *h, struct ref_hash *ref)
{
	static const char *const names[] = {
		"positional", "get_next_key", "next_key_after", "walk_after",
	};
	u32 ks = s->key_size, vs = s->value_size;
	struct ref_entry *e, *want;
	struct rb_node *next;
	u32 n, steps;
	u64 pos = 0;
	int err, walk;

	d->compares++;
	mutex_lock(&ref->lock);
	for (walk = s->flags ? 1 : 0; walk < 4; walk++) {
		bool values = walk == 0 || walk == 3;

		/* The two ordered walks take turns: each costs a seek a key. */
		if (walk == 2 + (d->compares & 1))
			continue;
		d->pass++;
		n = 0;
		steps = 0;
		next = rb_first(&ref->order);
		switch (walk) {
		case 0:
			err = tt_walk(h, &pos, d->key, d->value);
			break;
		case 1:
			err = rcumap_hash_get_next_key(h, NULL, d->key);
			break;
		case 2:
			err = rcumap_hash_next_key_after(h, NULL, d->key);
			break;
		default:
			err = rcumap_hash_walk_after(h, NULL, d->key, d->value);
			break;
		}
		while (!err) {
			e = ref_find(ref, d->key);
			want = next ? rb_entry(next, struct ref_entry, order) :
				      NULL;
			if (!e || e->seen == d->pass ||
			    (values && memcmp(e->data + ks, d->value, vs)) ||
			    (walk && e != want)) {
				tt_fail("diff %u hash op %lu: %s walk: key %*phN %s",
					d->nr, d->op, names[walk],
					(int)min(ks, 16U), d->key,
					!e ? "is not in the reference" :
					e->seen == d->pass ? "came twice" :
					e != want && walk ? "is out of order" :
					"has the wrong value");
				break;
			}
			e->seen = d->pass;
			n++;
			if (walk)
				next = rb_next(next);
			if (++steps > ref->count)
				break;
			memcpy(d->key2, d->key, ks);
			switch (walk) {
			case 0:
				err = tt_walk(h, &pos, d->key, d->value);
				break;
			case 1:
				err = rcumap_hash_get_next_key(h, d->key2,
							       d->key);
				break;
			case 2:
				err = rcumap_hash_next_key_after(h, d->key2,
								 d->key);
				break;
			default:
				err = rcumap_hash_walk_after(h, d->key2, d->key,
							     d->value);
				break;
			}
		}
		if (n != ref->count || (err && err != -ENOENT))
			tt_fail("diff %u hash op %lu: %s walk returned %u of %u keys (%d)",
				d->nr, d->op, names[walk], n, ref->count, err);
	}
	if (rcumap_hash_count(h) != ref->count)
		tt_fail("diff %u hash op %lu: count %u, want %u", d->nr, d->op,
			rcumap_hash_count(h), ref->count);
	mutex_unlock(&ref->lock);
}

/*
 * One step of an ordered walk, next_key_after() or walk_after(), from
 * NULL, a present key or an absent one (random bytes, or a key id's key
 * with a byte changed): it must return exactly the reference's first key
 * after the cursor in walk order (never the first key, as a restart
 * would), and its value.  Sometimes the cursor and the result share the
 * buffer, as the API allows.
 */
static void df_hash_ordered(struct df *d, const struct tt_hash_shape *s,
			    u32 salt, struct rcumap_hash *h,
			    struct ref_hash *ref)
{
	u32 ks = s->key_size, vs = s->value_size;
	bool from_null = !tt_rand(&d->rnd, 8);
	u8 *key = from_null ? NULL : df_pick_key(d, s, salt, d->key);
	bool with_value = tt_rand(&d->rnd, 2);
	u8 *out = d->key2;
	struct ref_entry *want;
	int err;

	u8 cursor[16];
	char shape[64];

	mutex_lock(&ref->lock);
	want = ref_order_next(ref, key);
	if (key)
		memcpy(cursor, key, min(ks, 16U));
	if (key && !tt_rand(&d->rnd, 4)) {
		memcpy(out, key, ks);
		key = out;
	}
	err = tt_ordered_step(h, key, out, with_value ? d->value : NULL);
	if (err != (want ? 0 : -ENOENT) ||
	    (want && memcmp(out, want->data, ks)) ||
	    (want && with_value && memcmp(d->value, want->data + ks, vs)))
		tt_fail("diff %u hash op %lu (%s): %s from %s%*phN: %d, key %*phN, want %*phN%s",
			d->nr, d->op, df_shape_str(s, shape, sizeof(shape)),
			with_value ? "walk_after" : "next_key_after",
			key ? "key " : "NULL", key ? (int)min(ks, 16U) : 0,
			cursor, err, err ? 0 : (int)min(ks, 16U), out,
			want ? (int)min(ks, 16U) : 0, want ? want->data : out,
			want ? "" : " (-ENOENT)");
	mutex_unlock(&ref->lock);
}

/*
 * Resize to a random power of two up to four times larger or smaller
 * than now (one to twice max_entries buckets), or try a bad size, then
 * compare the whole contents: a resize changes nothing a user can see
 * but the bucket count.
 */
static void df_hash_resize(struct df *d, const struct tt_hash_shape *s,
			   struct rcumap_hash *h, struct ref_hash *ref)
{
	u32 max_order = ilog2(roundup_pow_of_two(2 * s->max_entries));
	int order = ilog2(rcumap_hash_nr_buckets(h)) + tt_rand(&d->rnd, 5) - 2;
	u32 target = 1U << clamp_t(int, order, tt_roomy_order(s), max_order);
	int err, want = 0;

	switch (tt_rand(&d->rnd, 16)) {
	case 0:
		target = 0;
		want = -EINVAL;
		break;
	case 1:
		target = RCUMAP_HASH_MAX_BUCKETS + 1;
		want = -EINVAL;
		break;
	case 2:
		/* Below what holds max_entries within the bucket bound. */
		if (tt_min_order(s)) {
			target = (1U << tt_min_order(s)) / 2;
			want = -EINVAL;
		}
		break;
	}
	err = rcumap_hash_resize(h, target);
	if (err == -ENOMEM && !want)
		return;
	/* A shrink that two buckets would not fit in is refused, changing nothing. */
	if (err == -ENOSPC && !want && target < rcumap_hash_nr_buckets(h)) {
		df_hash_compare(d, s, h, ref);
		return;
	}
	if (err != want)
		tt_fail("diff %u hash op %lu: resize to %u buckets: %d, want %d",
			d->nr, d->op, target, err, want);
	else if (!err && !s->flags && rcumap_hash_nr_buckets(h) != target)
		tt_fail("diff %u hash op %lu: resized to %u buckets, has %u",
			d->nr, d->op, target, rcumap_hash_nr_buckets(h));
	d->resizes += !err;
	df_hash_compare(d, s, h, ref);
}

static void df_hash_get_next_key(struct df *d, const struct tt_hash_shape *s,
				 u32 salt, struct rcumap_hash *h,
				 struct ref_hash *ref)
{
	bool from_null = !tt_rand(&d->rnd, 8);
	u8 *key = from_null ? NULL : df_pick_key(d, s, salt, d->key);
	bool present = key && !ref_lookup(ref, key, NULL);
	int err, err0;

	err = rcumap_hash_get_next_key(h, key, d->key2);
	if (!ref->count) {
		if (err != -ENOENT)
			df_hash_fail(d, s, "get_next_key (empty)",
				     key ?: d->key2, err, -ENOENT);
		return;
	}
	if (!present) {
		/* From an absent key, as from NULL: the first key. */
		err0 = rcumap_hash_get_next_key(h, NULL, d->value3);
		if (err || err0 || memcmp(d->key2, d->value3, s->key_size) ||
		    ref_lookup(ref, d->key2, NULL))
			df_hash_fail(d, s, "get_next_key (from absent)",
				     key ?: d->key2, err ?: err0, 0);
		return;
	}
	if (err == -ENOENT)
		return;		/* the last key: the full compare checks it */
	if (err || !memcmp(d->key2, key, s->key_size) ||
	    ref_lookup(ref, d->key2, NULL))
		df_hash_fail(d, s, "get_next_key (from present)", key, err, 0);
}

static void df_hash_walk_at(struct df *d, const struct tt_hash_shape *s,
			    struct rcumap_hash *h, struct ref_hash *ref)
{
	u32 buckets = rcumap_hash_nr_buckets(h);
	bool with_value = tt_rand(&d->rnd, 4);
	u64 pos, before;
	int err;

	switch (tt_rand(&d->rnd, 3)) {
	case 0:
		pos = tt_rand64(&d->rnd);
		break;
	case 1:
		pos = (u64)tt_rand(&d->rnd, buckets + 2) << 32;
		break;
	default:
		pos = (u64)tt_rand(&d->rnd, buckets) << 32 |
		      tt_rand(&d->rnd, 4);
		break;
	}
	before = pos;
	err = tt_walk(h, &pos, d->key2, with_value ? d->value : NULL);
	if (err == -ENOENT) {
		/*
		 * Resuming where a walk ended ends it again, unless the
		 * table's worker grew it meanwhile.
		 */
		if (s->flags)
			return;
		before = pos;
		err = tt_walk(h, &pos, d->key2, NULL);
		if (err != -ENOENT)
			tt_fail("diff %u hash op %lu: walk resumed at its end %llx: %d",
				d->nr, d->op, before, err);
		return;
	}
	if (err || pos <= before ||
	    ref_lookup(ref, d->key2, d->value2) ||
	    (with_value && memcmp(d->value, d->value2, s->value_size)))
		tt_fail("diff %u hash op %lu: walk from %llx to %llx: %d, key %*phN",
			d->nr, d->op, before, pos, err,
			(int)min(s->key_size, 16U), d->key2);
}

static void df_hash_op(struct df *d, const struct tt_hash_shape *s, u32 salt,
		       struct rcumap_hash *h, struct ref_hash *ref)
{
	u32 vs = s->value_size, op = tt_rand(&d->rnd, 1000);
	u8 *value = d->value + tt_rand(&d->rnd, DF_MISALIGN);
	u8 *key;
	u32 mode;
	int err, want;
	void *v;

	if (!tt_rand(&d->rnd, DF_RESIZE_EVERY))
		df_hash_resize(d, s, h, ref);
	/* Inserts and deletes in proportion to the phase's fill rate. */
	if (op < 400) {
		key = df_pick_key(d, s, salt, d->key);
		if (tt_rand(&d->rnd, 100) < d->fill) {
			mode = tt_rand(&d->rnd, 100);
			mode = mode < 2 ? 3 + tt_rand(&d->rnd, 1000) :
			       mode < 50 ? RCUMAP_ANY :
			       mode < 75 ? RCUMAP_NOEXIST : RCUMAP_EXIST;
			prandom_bytes_state(&d->rnd, value, vs);
			want = ref_update(ref, key, value, mode);
			err = rcumap_hash_update(h, key, value, mode,
						 GFP_KERNEL);
			d->full += want == -E2BIG;
			d->stored += !err;
			if (err != want)
				df_hash_fail(d, s, "update", key, err, want);
		} else if (tt_rand(&d->rnd, 2)) {
			want = ref_take(ref, key, NULL);
			err = rcumap_hash_delete(h, key);
			if (err != want)
				df_hash_fail(d, s, "delete", key, err, want);
		} else {
			want = ref_take(ref, key, d->value2);
			err = rcumap_hash_lookup_and_delete(h, key, value);
			if (err != want ||
			    (!err && memcmp(value, d->value2, vs)))
				df_hash_fail(d, s, "lookup_and_delete", key,
					     err, want);
		}
	} else if (op < 650) {
		key = df_pick_key(d, s, salt, d->key);
		want = ref_lookup(ref, key, d->value2);
		err = rcumap_hash_lookup_copy(h, key, value);
		if (err != want || (!err && memcmp(value, d->value2, vs)))
			df_hash_fail(d, s, "lookup_copy", key, err, want);
	} else if (op < 800) {
		key = df_pick_key(d, s, salt, d->key);
		want = ref_lookup(ref, key, d->value2);
		rcu_read_lock();
		v = rcumap_hash_lookup(h, key);
		err = v ? (memcmp(v, d->value2, vs) ? 1 : 0) : -ENOENT;
		rcu_read_unlock();
		if (err != want)
			df_hash_fail(d, s, "lookup", key, err, want);
	} else if (op < 860) {
		df_hash_get_next_key(d, s, salt, h, ref);
	} else if (op < 920) {
		df_hash_ordered(d, s, salt, h, ref);
	} else if (op < 999) {
		df_hash_walk_at(d, s, h, ref);
	} else {
		/* O(buckets): rarely.  The worker may resize meanwhile. */
		u32 nr = s->flags ? 1 : rcumap_hash_nr_buckets(h);

		if (rcumap_hash_bytes_used(h) < (size_t)nr * sizeof(void *))
			tt_fail("diff %u hash op %lu: bytes_used %zu", d->nr, d->op,
				rcumap_hash_bytes_used(h));
	}
	if (rcumap_hash_count(h) != ref->count)
		tt_fail("diff %u hash op %lu: count %u, want %u", d->nr, d->op,
			rcumap_hash_count(h), ref->count);
}

/* A new phase: how full the table is to get, from empty to overfull. */
static void df_new_phase(struct df *d, unsigned long *phase_end)
{
	static const u32 fills[] = { 10, 30, 50, 70, 95 };

	d->fill = fills[tt_rand(&d->rnd, ARRAY_SIZE(fills))];
	*phase_end = d->op + 500 + tt_rand(&d->rnd, 5000);
}

/* The free callback of a stream's table: @priv is the stream. */
static void df_free_value(void *priv, const void *key, void *value)
{
	struct df *d = priv;

	atomic_long_inc(&d->freed);
}

/*
 * One table's life: create, @ops operations, compare, destroy; then every
 * value a successful update stored must have reached the free callback.
 */
static void df_hash_table(struct df *d, unsigned long ops)
{
	const struct tt_hash_shape *s =
		&df_hash_shapes[tt_rand(&d->rnd, ARRAY_SIZE(df_hash_shapes))];
	struct rcumap_hash_params params = tt_hash_params(s, df_free_value, d);
	u32 salt = prandom_u32_state(&d->rnd);
	unsigned long end = d->op + ops, phase_end = 0;
	struct rcumap_hash *h;
	struct ref_hash *ref;
	u32 i;

	ref = kzalloc(sizeof(*ref), GFP_KERNEL);
	if (!ref) {
		tt_fail("diff: no memory for the reference");
		d->op = end;
		return;
	}
	mutex_init(&ref->lock);
	ref->key_size = s->key_size;
	ref->value_size = s->value_size;
	ref->max_entries = s->max_entries;
	for (i = 0; i < REF_HASH_HEADS; i++)
		INIT_HLIST_HEAD(&ref->heads[i]);

	h = rcumap_hash_create(&params, GFP_KERNEL);
	if (IS_ERR(h)) {
		tt_fail("diff: hash create: %ld", PTR_ERR(h));
		d->op = end;
		goto out_free_ref;
	}
	ref->h = h;
	ref->order = RB_ROOT;
	d->stored = 0;
	atomic_long_set(&d->freed, 0);
	d->hash_tables++;
	for (; d->op < end; d->op++) {
		if (d->op >= phase_end) {
			if (phase_end)
				df_hash_compare(d, s, h, ref);
			df_new_phase(d, &phase_end);
		}
		df_hash_op(d, s, salt, h, ref);
		d->hash_ops++;
		cond_resched();
	}
	df_hash_compare(d, s, h, ref);
	rcumap_hash_destroy(h);
	rcumap_hash_barrier();
	if (atomic_long_read(&d->freed) != d->stored)
		tt_fail("diff %u hash op %lu: %lu values stored, %ld freed",
			d->nr, d->op, d->stored, atomic_long_read(&d->freed));
	d->values_freed += atomic_long_read(&d->freed);
out_free_ref:
	ref_hash_clear(ref);
	mutex_destroy(&ref->lock);
	kfree(ref);
}

/* ---- Differential: the process table -------------------------------- */

struct df_obj {
	struct rcumap_ptab_node node;
	struct rcu_head rcu;
	u64 tag;
};

struct df_init_arg {
	struct rcumap_ptab *t;
	u64 id;
	bool called;
	bool visible;
};

static void df_obj_init(struct rcumap_ptab_node *node, u64 id, void *arg)
{
	struct df_init_arg *a = arg;

	a->called = true;
	a->id = id;
	rcu_read_lock();
	a->visible = rcumap_ptab_lookup(a->t, id) == node ||
		     rcumap_ptab_node_id(node) != id;
	rcu_read_unlock();
}

static void ref_ptab_add(struct ref_ptab *ref, u32 slot, void *obj, u64 id)
{
	ref->slot[slot].obj = obj;
	ref->slot[slot].id = id;
	ref->slot[slot].used = true;
	ref->live_pos[slot] = ref->count;
	ref->live[ref->count++] = slot;
	ref->next_id = max(ref->next_id, id + 1);
	ref->inserts++;
}

static void ref_ptab_del(struct ref_ptab *ref, u32 slot)
{
	u32 at = ref->live_pos[slot], last = ref->live[--ref->count];

	ref->live[at] = last;
	ref->live_pos[last] = at;
	ref->slot[slot].obj = NULL;
}

static bool ref_ptab_live(const struct ref_ptab *ref, u64 id)
{
	const struct ref_slot *rs = &ref->slot[id & (ref->capacity - 1)];

	return rs->obj && rs->id == id;
}

/* The smallest live id in [@start, @end), which next_below() must find. */
static const struct ref_slot *ref_ptab_next(const struct ref_ptab *ref,
					    u64 start, u64 end)
{
	const struct ref_slot *best = NULL;
	u32 i;

	for (i = 0; i < ref->capacity; i++) {
		const struct ref_slot *rs = &ref->slot[i];

		if (rs->obj && rs->id >= start && rs->id < end &&
		    (!best || rs->id < best->id))
			best = rs;
	}
	return best;
}

/* @got and @want are nodes (or NULL); they are told apart by their ids. */
static void df_ptab_fail(struct df *d, struct ref_ptab *ref, const char *op,
			 u64 id, const void *got, const void *want)
{
	tt_fail("diff %u ptab op %lu (cap %u): %s of id %llu: got id %lld, want %lld%s",
		d->nr, d->op, ref->capacity, op, id, tt_node_id(got),
		tt_node_id(want), got && got == want ? " (same node)" : "");
}

static void df_ptab_insert(struct df *d, struct rcumap_ptab *t,
			   struct ref_ptab *ref)
{
	struct df_init_arg arg = { .t = t };
	bool with = tt_rand(&d->rnd, 3) == 0;
	u64 id = TT_ID_NONE, end = rcumap_ptab_id_end(t);
	struct ref_slot *rs;
	struct df_obj *o;
	u32 slot;
	int err;

	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return;
	o->tag = tt_rand64(&d->rnd);
	if (with)
		err = rcumap_ptab_insert_with(t, &o->node, df_obj_init, &arg,
					      &id);
	else
		err = rcumap_ptab_insert(t, &o->node, &id);

	mutex_lock(&ref->lock);
	if (ref->count == ref->capacity) {
		if (err != -ENOSPC || arg.called || id != TT_ID_NONE)
			tt_fail("diff %u ptab op %lu (capacity %u): insert into a full table: %d",
				d->nr, d->op, ref->capacity, err);
		d->full++;
		goto out_unlock;
	}
	if (err) {
		tt_fail("diff %u ptab op %lu (capacity %u): insert: %d", d->nr, d->op,
			ref->capacity, err);
		goto out_unlock;
	}
	slot = id & (ref->capacity - 1);
	rs = &ref->slot[slot];
	/*
	 * The contract: ids increase; the first capacity inserts get 0, 1,
	 * 2, ...; an id goes to a free slot, and a reused slot's id is at
	 * least its last id plus the capacity; init sees the id first; the
	 * id is at or above the id end read before.
	 */
	if (id < ref->next_id || id < end || rs->obj ||
	    (ref->inserts < ref->capacity && id != ref->inserts) ||
	    (rs->used && id < rs->id + ref->capacity) ||
	    rcumap_ptab_node_id(&o->node) != id ||
	    with != arg.called || (with && (arg.id != id || arg.visible)))
		tt_fail("diff %u ptab op %lu: insert %llu: %llu, %s, %llu < %llu, %d%d",
			d->nr, d->op, ref->inserts, id,
			rs->obj ? "taken" : "free", rs->id, ref->next_id,
			arg.called, arg.visible);
	if (rs->obj) {
		/* Keep the reference sane: forget the one it had. */
		ref_ptab_del(ref, slot);
	}
	ref_ptab_add(ref, slot, o, id);
	o = NULL;
out_unlock:
	mutex_unlock(&ref->lock);
	kfree(o);	/* never visible */
}

/* Remember removed ids, to try them again later. */
#define DF_STALE	64

static void df_ptab_remove(struct df *d, struct rcumap_ptab *t,
			   struct ref_ptab *ref, u64 *stale, u32 *nr_stale)
{
	struct rcumap_ptab_node *node;
	void *want = NULL;
	u64 id;

	mutex_lock(&ref->lock);
	if (ref->count && tt_rand(&d->rnd, 5))
		id = ref->slot[ref->live[tt_rand(&d->rnd, ref->count)]].id;
	else if (*nr_stale && tt_rand(&d->rnd, 2))
		id = stale[tt_rand(&d->rnd, min_t(u32, *nr_stale, DF_STALE))];
	else
		id = tt_rand64(&d->rnd) % (ref->next_id + 2 * ref->capacity);
	if (ref_ptab_live(ref, id)) {
		want = ref->slot[id & (ref->capacity - 1)].obj;
		ref_ptab_del(ref, id & (ref->capacity - 1));
		stale[(*nr_stale)++ % DF_STALE] = id;
	}
	mutex_unlock(&ref->lock);

	node = rcumap_ptab_remove(t, id);
	if ((void *)node != want) {
		df_ptab_fail(d, ref, "remove", id, node, want);
		return;	/* leak rather than free what may be in a table */
	}
	if (node)
		kfree_rcu(container_of(node, struct df_obj, node), rcu);
}

static u64 df_ptab_any_id(struct df *d, struct ref_ptab *ref, u64 *stale,
			  u32 nr_stale)
{
	switch (tt_rand(&d->rnd, 6)) {
	case 0:
		if (!nr_stale)
			return 0;
		return stale[tt_rand(&d->rnd, min_t(u32, nr_stale, DF_STALE))];
	case 1:
		return tt_rand64(&d->rnd);
	case 2:
		return RCUMAP_PTAB_ID_MAX + tt_rand(&d->rnd, 3) - 1;
	case 3:
		return ref->count ?
		       ref->slot[ref->live[tt_rand(&d->rnd, ref->count)]].id +
		       ref->capacity * (u64)(1 + tt_rand(&d->rnd, 2)) : 0;
	default:
		return tt_rand64(&d->rnd) % (ref->next_id + 2 * ref->capacity);
	}
}

/*
 * Compare the whole contents: a walk by slot and, if @by_id, a walk by id
 * must each return exactly the reference's objects; the counts must
 * agree.  The walk by id costs O(objects * capacity) in a table whose ids
 * are far apart: it is not done at every phase of a large table.
 */
static void df_ptab_compare(struct df *d, struct rcumap_ptab *t,
			    struct ref_ptab *ref, bool by_id)
{
	struct rcumap_ptab_node *node;
	u32 n = 0, slot;
	u64 id, prev = 0;

	d->compares++;
	mutex_lock(&ref->lock);
	if (!by_id)
		goto by_slot;
	rcu_read_lock();
	rcumap_ptab_for_each(t, id, node) {
		if ((n && id <= prev) || !ref_ptab_live(ref, id) ||
		    ref->slot[id & (ref->capacity - 1)].obj != (void *)node) {
			df_ptab_fail(d, ref, "for_each", id, node, NULL);
			break;
		}
		prev = id;
		n++;
	}
	rcu_read_unlock();
	if (n != ref->count)
		tt_fail("diff %u ptab op %lu: id walk found %u of %u", d->nr, d->op, n,
			ref->count);

by_slot:
	d->pass++;
	n = 0;
	rcu_read_lock();
	for (slot = 0; (node = rcumap_ptab_slot_next(t, &slot)); slot++) {
		u64 nid = rcumap_ptab_node_id(node);
		struct ref_slot *rs = &ref->slot[nid & (ref->capacity - 1)];

		if (!ref_ptab_live(ref, nid) || rs->obj != (void *)node ||
		    rs->seen == d->pass) {
			df_ptab_fail(d, ref, "slot walk", nid, node, rs->obj);
			break;
		}
		rs->seen = d->pass;
		n++;
	}
	rcu_read_unlock();
	if (n != ref->count || rcumap_ptab_count(t) != ref->count)
		tt_fail("diff %u ptab op %lu: slot walk found %u, count %u, want %u",
			d->nr, d->op, n, rcumap_ptab_count(t), ref->count);
	mutex_unlock(&ref->lock);
}

static void df_ptab_op(struct df *d, struct rcumap_ptab *t,
		       struct ref_ptab *ref, u64 *stale, u32 *nr_stale)
{
	u32 op = tt_rand(&d->rnd, 1000);
	struct rcumap_ptab_node *node;
	const struct ref_slot *rs;
	u64 id, start, end;
	void *want;
	u32 slot;

	if (op < 550) {
		if (tt_rand(&d->rnd, 100) < d->fill)
			df_ptab_insert(d, t, ref);
		else
			df_ptab_remove(d, t, ref, stale, nr_stale);
	} else if (op < 900) {
		mutex_lock(&ref->lock);
		id = df_ptab_any_id(d, ref, stale, *nr_stale);
		if (ref->count && tt_rand(&d->rnd, 2))
			id = ref->slot[ref->live[tt_rand(&d->rnd,
							 ref->count)]].id;
		want = ref_ptab_live(ref, id) ?
		       ref->slot[id & (ref->capacity - 1)].obj : NULL;
		mutex_unlock(&ref->lock);
		rcu_read_lock();
		node = rcumap_ptab_lookup(t, id);
		rcu_read_unlock();
		if ((void *)node != want)
			df_ptab_fail(d, ref, "lookup", id, node, want);
	} else if (op < 950) {
		mutex_lock(&ref->lock);
		start = df_ptab_any_id(d, ref, stale, *nr_stale);
		if (tt_rand(&d->rnd, 2))
			start -= min_t(u64, start, tt_rand(&d->rnd, 3));
		/* No bound, the bound of the ids handed out, or any. */
		switch (tt_rand(&d->rnd, 3)) {
		case 0:
			end = U64_MAX;
			break;
		case 1:
			end = rcumap_ptab_id_end(t);
			break;
		default:
			end = start + tt_rand(&d->rnd, 2 * ref->capacity);
			break;
		}
		rs = ref_ptab_next(ref, start, end);
		id = start;
		rcu_read_lock();
		node = end == U64_MAX ? rcumap_ptab_next(t, &id) :
		       rcumap_ptab_next_below(t, &id, end);
		rcu_read_unlock();
		if ((void *)node != (rs ? rs->obj : NULL) ||
		    id != (rs ? rs->id : start))
			df_ptab_fail(d, ref, end == U64_MAX ? "next" :
				     "next_below", start, node,
				     rs ? rs->obj : NULL);
		mutex_unlock(&ref->lock);
	} else {
		mutex_lock(&ref->lock);
		slot = tt_rand(&d->rnd, ref->capacity + 1);
		rcu_read_lock();
		node = rcumap_ptab_slot_next(t, &slot);
		rcu_read_unlock();
		if (node && !ref_ptab_live(ref, rcumap_ptab_node_id(node)))
			df_ptab_fail(d, ref, "slot_next", slot, node, NULL);
		mutex_unlock(&ref->lock);
	}
	if (rcumap_ptab_count(t) != ref->count)
		tt_fail("diff %u ptab op %lu: count %u, want %u", d->nr, d->op,
			rcumap_ptab_count(t), ref->count);
	/* Every id handed out is below the bound. */
	if (rcumap_ptab_id_end(t) < ref->next_id)
		tt_fail("diff %u ptab op %lu: id end %llu, but id %llu was handed out",
			d->nr, d->op, rcumap_ptab_id_end(t), ref->next_id - 1);
}

static void df_ptab_table(struct df *d, unsigned long ops)
{
	u32 cap = df_ptab_capacities[tt_rand(&d->rnd,
					     ARRAY_SIZE(df_ptab_capacities))];
	unsigned long end = d->op + ops, phase_end = 0;
	struct rcumap_ptab_node *node;
	struct rcumap_ptab *t;
	struct ref_ptab *ref;
	u32 nr_stale = 0;
	u64 *stale;

	ref = kvzalloc(struct_size(ref, slot, cap), GFP_KERNEL);
	stale = kcalloc(DF_STALE, sizeof(*stale), GFP_KERNEL);
	if (ref) {
		ref->live = kcalloc(cap, sizeof(u32), GFP_KERNEL);
		ref->live_pos = kcalloc(cap, sizeof(u32), GFP_KERNEL);
	}
	if (!ref || !stale || !ref->live || !ref->live_pos) {
		tt_fail("diff: no memory for the reference");
		d->op = end;
		goto out_free_ref;
	}
	mutex_init(&ref->lock);
	ref->capacity = cap;

	t = rcumap_ptab_create(cap, GFP_KERNEL);
	if (IS_ERR(t)) {
		tt_fail("diff: ptab create: %ld", PTR_ERR(t));
		d->op = end;
		goto out_destroy_mutex;
	}
	d->ptab_tables++;
	for (; d->op < end; d->op++) {
		if (d->op >= phase_end) {
			if (phase_end)
				df_ptab_compare(d, t, ref, cap <= 128);
			df_new_phase(d, &phase_end);
		}
		df_ptab_op(d, t, ref, stale, &nr_stale);
		d->ptab_ops++;
		cond_resched();
	}
	df_ptab_compare(d, t, ref, true);

	/* Empty it through the reference, then destroy. */
	while (ref->count) {
		u32 slot = ref->live[ref->count - 1];
		u64 id = ref->slot[slot].id;
		void *want = ref->slot[slot].obj;

		ref_ptab_del(ref, slot);
		node = rcumap_ptab_remove(t, id);
		if ((void *)node != want)
			df_ptab_fail(d, ref, "drain", id, node, want);
		else
			kfree_rcu(container_of(node, struct df_obj, node), rcu);
	}
	if (rcumap_ptab_count(t))
		tt_fail("diff ptab: %u objects left after the drain",
			rcumap_ptab_count(t));
	else
		rcumap_ptab_destroy(t);
out_destroy_mutex:
	mutex_destroy(&ref->lock);
out_free_ref:
	if (ref) {
		kfree(ref->live);
		kfree(ref->live_pos);
	}
	kvfree(ref);
	kfree(stale);
}

static int df_thread_fn(void *arg)
{
	struct df *d = arg;

	/*
	 * Tables of 5,000 to 100,000 operations, hash and process table in
	 * turn, until each map has had its share.
	 */
	while (d->hash_ops < d->share || d->ptab_ops < d->share) {
		unsigned long ops = 5000 + tt_rand(&d->rnd, 95000);
		bool hash = d->ptab_ops >= d->share ||
			    (d->hash_ops < d->share &&
			     d->hash_tables <= d->ptab_tables);

		if (hash)
			df_hash_table(d, min(ops, d->share - d->hash_ops));
		else
			df_ptab_table(d, min(ops, d->share - d->ptab_ops));
	}
	d->ms = jiffies_to_msecs(jiffies - d->start);
	complete(&d->done);
	/* Stay until kthread_stop(): the caller owns our task and @d. */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static void df_free(struct df *d)
{
	kfree(d->key);
	kfree(d->key2);
	kfree(d->value);
	kfree(d->value2);
	kfree(d->value3);
}

/* Start stream @nr of the differential, for @share ops on each map. */
static int df_start(struct df *d, u32 nr, unsigned long share)
{
	const size_t ksz = DF_MAX_SIZE + DF_MISALIGN;
	const size_t vsz = DF_MAX_SIZE + DF_MISALIGN;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(df_hash_shapes); i++) {
		if (df_hash_shapes[i].key_size > DF_MAX_SIZE ||
		    df_hash_shapes[i].value_size > DF_MAX_SIZE)
			return -EINVAL;
	}
	d->nr = nr;
	d->share = share;
	d->key = kmalloc(ksz, GFP_KERNEL);
	d->key2 = kmalloc(ksz, GFP_KERNEL);
	d->value = kmalloc(vsz, GFP_KERNEL);
	d->value2 = kmalloc(vsz, GFP_KERNEL);
	d->value3 = kmalloc(vsz, GFP_KERNEL);
	if (!d->key || !d->key2 || !d->value || !d->value2 || !d->value3) {
		df_free(d);
		return -ENOMEM;
	}
	/* The stream's operations depend on the seed, @nr and @share only. */
	tt_seed(&d->rnd, tt.seed, 7 + nr);
	init_completion(&d->done);
	d->start = jiffies;
	d->task = kthread_run(df_thread_fn, d, "rcumap_diff/%u", nr);
	if (IS_ERR(d->task)) {
		df_free(d);
		return PTR_ERR(d->task);
	}
	return 0;
}

/* Wait for a stream without looking hung to the kernel, and free it. */
static void df_finish(struct df *d)
{
	while (!wait_for_completion_timeout(&d->done, 10 * HZ))
		;
	kthread_stop(d->task);
	df_free(d);
}

/*
 * The differential check: one stream per online CPU, each with its own
 * tables, its own reference maps and its share of @diff_ops on each map,
 * running alongside whatever the caller runs until df_stop().
 */
static struct df *df_run(u32 *nr_streams)
{
	u32 n = num_online_cpus(), i;
	struct df *streams;
	int err;

	streams = kcalloc(n, sizeof(*streams), GFP_KERNEL);
	if (!streams)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < n; i++) {
		err = df_start(&streams[i], i,
			       diff_ops / n + (i < diff_ops % n));
		if (err) {
			while (i--)
				df_finish(&streams[i]);
			kfree(streams);
			return ERR_PTR(err);
		}
	}
	*nr_streams = n;
	return streams;
}

static void df_stop(struct df *streams, u32 n)
{
	struct df sum = {};
	u32 i, ms = 0;

	for (i = 0; i < n; i++) {
		struct df *d = &streams[i];

		df_finish(d);
		sum.hash_ops += d->hash_ops;
		sum.hash_tables += d->hash_tables;
		sum.ptab_ops += d->ptab_ops;
		sum.ptab_tables += d->ptab_tables;
		sum.full += d->full;
		sum.compares += d->compares;
		sum.resizes += d->resizes;
		sum.values_freed += d->values_freed;
		ms = max(ms, d->ms);
	}
	pr_info("diff: %u streams, %lu hash ops on %lu tables, %lu ptab ops on %lu tables, %lu full, %lu full compares, %lu resizes, %lu values freed, %u ms\n",
		n, sum.hash_ops, sum.hash_tables, sum.ptab_ops,
		sum.ptab_tables, sum.full, sum.compares, sum.resizes,
		sum.values_freed, ms);
	kfree(streams);
}

/* ---- Module --------------------------------------------------------- */

static int __init rcumap_torture_init(void)
{
	unsigned long start = jiffies;
	struct df *streams = NULL;
	u32 nr_streams = 0;
	int err = 0;

	if (threads > TT_MAX_THREADS) {
		pr_err("threads=%u: at most %u\n", threads, TT_MAX_THREADS);
		return -EINVAL;
	}
	tt.seed = seed ?: get_random_u64();
	pr_info("seed=%llu duration=%u threads=%u diff_ops=%lu on %u CPUs\n",
		tt.seed, duration, threads, diff_ops, num_online_cpus());

	if (diff_ops) {
		streams = df_run(&nr_streams);
		if (IS_ERR(streams))
			return PTR_ERR(streams);
	}
	if (duration)
		err = tt_run();
	if (streams)
		df_stop(streams, nr_streams);
	/* Every object and round freed with kfree_rcu() is gone after this. */
	rcu_barrier();

	if (!err && atomic_read(&tt_mismatches))
		err = -EIO;
	pr_info("%s: seed=%llu, %d mismatches, %u rounds, %lu diff ops, %u s (%d)\n",
		err ? "FAIL" : "PASS", tt.seed, atomic_read(&tt_mismatches),
		tt.rounds, 2 * diff_ops,
		jiffies_to_msecs(jiffies - start) / 1000, err);
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
