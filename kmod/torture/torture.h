/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of rcumap_torture.ko share: main.c (the module, and the
 * keys, values and walk helpers of both tests), the torture (torture.c
 * runs rounds, readers and workers; torture_hash.c, torture_ptab.c,
 * torture_lru.c and torture_percpu.c hold what the workers and readers do
 * to each map, and the end-of-round checks) and the differential check
 * (diff.c runs the streams and holds the reference hash table; diff_hash.c,
 * diff_ptab.c, diff_lru.c and diff_percpu.c each compare one map with its
 * reference).
 *
 * Conventions, in every file: @r is a torture round, @w a worker, @rd a
 * reader, @d a differential stream; @rnd a caller-owned random state; a
 * key id names a key (tt_make_key()); @ks and @vs are a table's key and
 * value size.
 */
#ifndef _RCUMAP_TORTURE_H
#define _RCUMAP_TORTURE_H

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
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/rbtree.h>
#include <linux/rcumap_hash.h>
#include <linux/rcumap_hash_lru.h>
#include <linux/rcumap_hash_percpu.h>
#include <linux/rcumap_ptab.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timer.h>

/*
 * Largest key and value of a torture shape, in bytes (one CPU's value for
 * a per-CPU table): readers and workers keep them in fixed buffers, some
 * on the stack.  The differential check's buffers follow the maps' own
 * limits (RCUMAP_HASH_MAX_KEY_SIZE, RCUMAP_HASH_MAX_VALUE_SIZE).
 */
#define TT_MAX_KEY	64
#define TT_MAX_VALUE	256

#define TT_MAX_THREADS	256
#define TT_MAX_REPORTS	20

/* ---- Shared by both tests: main.c ----------------------------------- */

__printf(1, 2) void tt_fail(const char *fmt, ...);

/* A number below @n (0 if @n is 0); the bias does not matter here. */
static inline u32 tt_rand(struct rnd_state *rnd, u32 n)
{
	return n ? prandom_u32_state(rnd) % n : 0;
}

static inline u64 tt_rand64(struct rnd_state *rnd)
{
	return (u64)prandom_u32_state(rnd) << 32 | prandom_u32_state(rnd);
}

static inline void tt_seed(struct rnd_state *rnd, u64 base, u64 stream)
{
	prandom_seed_state(rnd, base ^ (stream * 0x9e3779b97f4a7c15ULL));
}

void tt_make_key(u8 *key, u32 ks, u32 salt, u32 id);
bool tt_key_id(const u8 *key, u32 ks, u32 salt, u32 *id);

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

void tt_make_value(void *buf, u32 vs, u32 key_id, u32 writer, u64 version);
bool tt_value_whole(const void *buf, u32 vs, u32 key_id);

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

/* What an update in a valid @mode returns for a key @present or not. */
static inline int tt_update_want(u32 mode, bool present)
{
	if (mode == RCUMAP_NOEXIST)
		return present ? -EEXIST : 0;
	if (mode == RCUMAP_EXIST)
		return present ? 0 : -ENOENT;
	return 0;
}

int tt_walk(const struct rcumap_hash *h, u64 *pos, void *key, void *value);
struct rcumap_hash_params tt_hash_params(const struct tt_hash_shape *s,
					 rcumap_hash_free_t free_value,
					 void *free_priv);
u32 tt_min_order(const struct tt_hash_shape *s);
u32 tt_roomy_order(const struct tt_hash_shape *s);
bool tt_key_after(const struct rcumap_hash *h, const u8 *a, const u8 *b,
		  u32 ks);

/* The id of the node at @node, for messages; -1 for none. */
static inline s64 tt_node_id(const void *node)
{
	return node ? (s64)rcumap_ptab_node_id(node) : -1;
}

/* ---- The torture: torture*.c ---------------------------------------- */

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

static inline u64 tt_obj_check(u32 owner, u64 seq)
{
	return ((u64)owner << 40 ^ seq) * 0xc4ceb9fe1a85ec53ULL + 1;
}

/*
 * What a free callback is owed: every value a successful update stored,
 * and every value the callback was given, counted and summed by their
 * check words.  After the destroy and rcumap_hash_barrier() the two must
 * be equal: each value freed once.
 */
struct tt_owed {
	atomic_long_t stored;
	atomic_long_t freed;
	atomic64_t stored_sum;
	atomic64_t freed_sum;
};

/*
 * A round's LRU and per-CPU tables (torture_lru.c, torture_percpu.c).
 * Every key of both is owned: key id w + k * workers belongs to worker w.
 */
struct tt_vround {
	struct rcumap_lru_hash *lru;
	struct rcumap_percpu_hash *pc;
	const struct tt_hash_shape *lru_shape;
	const struct tt_hash_shape *pc_shape;
	u32 lru_owned;		/* LRU keys a worker owns */
	u32 pc_owned;		/* per-CPU keys a worker owns */
	u32 pc_stride;		/* a CPU's value in a values buffer */
	struct tt_owed lru_owed;	/* the LRU table's free callback */
	bool resizer;		/* a thread resizes both all round */
	struct task_struct *resizer_task;
	unsigned long resizes;
};

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
	struct tt_owed owed;	/* by the hash table's free callback */
	struct tt_vround v;
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
	unsigned long lru_ops;
	unsigned long lru_evicted;	/* own LRU keys found evicted */
	unsigned long pc_ops;
	unsigned long cursor_walks;	/* whole walks of LRU, per-CPU tables */
	unsigned long cursor_keys;	/* keys they returned */
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
	/* The LRU table: 0 for a key absent for sure, else its last version. */
	u64 *lru_version;
	/* ... and the table's evictions before that version was written. */
	u64 *lru_evictions;
	u64 *pc_version;	/* of each owned per-CPU key, 0 if absent */
	u8 *values;		/* all CPUs' values of a per-CPU key */
	u8 *values2;
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

struct tt_state {
	u64 seed;
	u32 nr_workers;
	u32 nr_readers;
	u32 max_owned;		/* largest owned_per_worker of any shape */
	u32 max_quota;		/* largest ptab_quota of any capacity */
	u32 max_lru_owned;	/* largest lru_owned of any LRU shape */
	u32 max_pc_owned;	/* largest pc_owned of any per-CPU shape */
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
	unsigned long vresizes;		/* of LRU and per-CPU tables */
	unsigned long lru_values_freed;
	unsigned long lru_evictions;	/* the LRU tables' own count */
	/* Destroyed rounds whose free callbacks are yet to be counted. */
	struct tt_round *pending[TT_PENDING];
	u32 nr_pending;
};

extern struct tt_state tt;

#define TT_HELD_READER	0
#define TT_HELD_TIMER	1
#define TT_HELD_WORKER	2

/* Slots of tt.held: reader threads, then their timers, then workers. */
static inline const void **tt_held_slot(u32 kind, u32 nr)
{
	return &tt.held[kind * tt.nr_readers + nr];
}

int tt_run(u64 seed, unsigned int duration, unsigned int threads);
u32 tt_owned_per_worker(const struct tt_hash_shape *s);

/*
 * An ordered walk of an LRU or per-CPU table through its cursor_next():
 * @step is that function, @map the table, @h its inner table (whose
 * order the walk follows), @keys the key ids in use; @check is called
 * for every key returned with its key id and value.
 */
struct tt_cursor_walk {
	int (*step)(const void *map, struct rcumap_hash_cursor *c, void *key,
		    void *value);
	bool (*check)(struct tt_worker *w, u32 key_id, const void *value);
	const void *map;
	const struct rcumap_hash *h;
	u32 ks;
	u32 salt;
	u32 keys;
	void *value;
};

long tt_cursor_walk(struct tt_worker *w, const struct tt_cursor_walk *cw,
		    const u8 *from, u32 max_keys, const char *what);

/* torture_hash.c */
extern const struct tt_hash_shape tt_hash_shapes[];
extern const size_t tt_nr_hash_shapes;
void tt_check_held_value(const struct tt_round *r, u32 vs, const void *v,
			 u32 key_id, u8 *copy, bool hold);
void tt_owe(struct tt_owed *owed, const void *value);
void tt_owed_free(struct tt_round *r, const struct tt_hash_shape *s, u32 keys,
		  struct tt_owed *owed, const void *key, void *value);
void tt_hash_read_once(struct tt_round *r, struct rnd_state *rnd, u32 op,
		       u8 *key, u8 *value, bool hold, const void **held);
u32 tt_owned_id(const struct tt_worker *w, u32 k);
void tt_hash_update(struct tt_worker *w, u32 mode, bool bh);
void tt_hash_delete(struct tt_worker *w, bool take, u32 k);
void tt_hash_lookup_owned(struct tt_worker *w);
void tt_hash_contested(struct tt_worker *w);
void tt_hash_walk(struct tt_worker *w, bool positional);
void tt_hash_ordered_steps(struct tt_worker *w);
void tt_hash_ordered_walk(struct tt_worker *w);
void tt_hash_info(struct tt_worker *w);
void tt_free_value(void *priv, const void *key, void *value);
int tt_resizer_fn(void *arg);
void tt_round_check_hash(struct tt_round *r);

/* torture_ptab.c */
extern const u32 tt_ptab_capacities[];
extern const size_t tt_nr_ptab_capacities;
void tt_ptab_read_once(struct tt_round *r, struct rnd_state *rnd, u32 op,
		       bool hold);
void tt_ptab_insert_owned(struct tt_worker *w);
void tt_ptab_remove_owned(struct tt_worker *w);
void tt_ptab_stale_again(struct tt_worker *w);
void tt_ptab_lookup_owned(struct tt_worker *w);
void tt_ptab_lookup_other(struct tt_worker *w);
void tt_ptab_shared(struct tt_worker *w);
void tt_ptab_walk(struct tt_worker *w, bool by_slot);
void tt_round_check_ptab(struct tt_round *r);
void tt_round_drain(struct tt_round *r);

/* torture_lru.c, torture_percpu.c */
extern const struct tt_hash_shape tt_lru_shapes[];
extern const size_t tt_nr_lru_shapes;
int tt_lru_create(struct tt_round *r, const struct tt_hash_shape *s);
void tt_lru_read_once(struct tt_round *r, struct rnd_state *rnd, u8 *key,
		      u8 *value, bool hold, const void **held);
void tt_lru_op(struct tt_worker *w);
int tt_lru_resize(struct tt_round *r, struct rnd_state *rnd);
void tt_round_check_lru(struct tt_round *r);
void tt_lru_settle(struct tt_round *r);

extern const struct tt_hash_shape tt_percpu_shapes[];
extern const size_t tt_nr_percpu_shapes;
int tt_percpu_create(struct tt_round *r, const struct tt_hash_shape *s);
void tt_percpu_read_once(struct tt_round *r, struct rnd_state *rnd, u8 *key,
			 u8 *value, bool hold);
void tt_percpu_op(struct tt_worker *w);
int tt_percpu_resize(struct tt_round *r, struct rnd_state *rnd);
void tt_round_check_percpu(struct tt_round *r);

/* ---- The differential check: diff*.c -------------------------------- */

#define REF_HASH_HEADS	256

/* An entry of a reference hash table. */
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

/*
 * One operation in this many forces a resize (then a full compare).  In
 * the debug guest a resize step, which waits for a grace period, costs as
 * much as a few hundred other operations.
 */
#define DF_RESIZE_EVERY	10000

/*
 * Buffers hold the largest key or value of a differential shape (each
 * buffer serves as either), DF_MAX_SIZE bytes, plus an offset; a shape
 * that does not fit fails its table (df_shape_fits()).  Not the maps'
 * own limits, which go up to megabytes.
 */
#define DF_MAX_SIZE	4096
#define DF_MISALIGN	8

struct df {
	u32 nr;			/* stream number */
	struct rnd_state rnd;
	unsigned long share;	/* operations to do on each map */
	unsigned long vshare;	/* ... on the LRU and per-CPU tables */
	unsigned long start;	/* jiffies */
	u32 ms;			/* how long it took */
	unsigned long op;	/* number of the current operation */
	unsigned long hash_ops;
	unsigned long ptab_ops;
	unsigned long hash_tables;
	unsigned long ptab_tables;
	unsigned long lru_ops;
	unsigned long lru_tables;
	unsigned long pc_ops;
	unsigned long pc_tables;
	unsigned long evicted;	/* keys the LRU tables evicted */
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

/* diff.c */
struct ref_hash *ref_hash_new(u32 ks, u32 vs, u32 max_entries,
			      const struct rcumap_hash *h);
void ref_hash_free(struct ref_hash *ref);
struct ref_entry *ref_order_next(struct ref_hash *ref, const u8 *key);
struct ref_entry *ref_find(struct ref_hash *ref, const u8 *key);
int ref_update(struct ref_hash *ref, const u8 *key, const u8 *value, u32 mode);
int ref_take(struct ref_hash *ref, const u8 *key, u8 *value);
int ref_lookup(struct ref_hash *ref, const u8 *key, u8 *value);
const char *df_shape_str(const struct tt_hash_shape *s, char *buf,
			 size_t len);
u8 *df_pick_key(struct df *d, const struct tt_hash_shape *s, u32 salt,
		u8 *buf);
void df_new_phase(struct df *d, unsigned long *phase_end);
bool df_shape_fits(const struct tt_hash_shape *s);
void df_fail(struct df *d, const char *map, const struct tt_hash_shape *s,
	     const char *op, const u8 *key, int got, int want);

/*
 * A table the differential walks with its cursor_next() (LRU, per-CPU):
 * @step is that function and @map the table; @vs the size of what it
 * copies out for a key, into @value (the reference's value size).
 */
struct df_cursor_map {
	const char *name;
	int (*step)(const void *map, struct rcumap_hash_cursor *c, void *key,
		    void *value);
	const void *map;
	const struct tt_hash_shape *s;
	size_t vs;
	u8 *value;
};

void df_cursor_compare(struct df *d, const struct df_cursor_map *m,
		       struct ref_hash *ref, u32 count);
void df_cursor_ordered(struct df *d, const struct df_cursor_map *m,
		       struct ref_hash *ref, const u8 *key);
struct df *df_run(u64 seed, unsigned long ops, u32 *nr_streams);
unsigned long df_stop(struct df *streams, u32 n);

/* diff_hash.c, diff_ptab.c, diff_lru.c, diff_percpu.c */
void df_hash_table(struct df *d, unsigned long ops);
void df_ptab_table(struct df *d, unsigned long ops);
void df_lru_table(struct df *d, unsigned long ops);
void df_percpu_table(struct df *d, unsigned long ops);

#endif /* _RCUMAP_TORTURE_H */
