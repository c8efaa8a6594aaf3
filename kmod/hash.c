// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap bucket-swap hash table.
 *
 * Conventions: @h is a table, @tbl its array of buckets, @b a bucket,
 * @key points at h->key_size bytes, @hash is a key's hash as stored in a
 * bucket (31 bits; %RCUMAP_HASH_DEAD marks a deleted entry).
 *
 * A bucket is an array of entries that is never changed once it has been
 * published, with one exception: when delete cannot allocate, it marks the
 * entry dead in place (see __rcumap_hash_remove()).  Layout of a bucket of
 * @nr entries:
 *
 *	struct rcumap_bucket	rcu_head, nr
 *	u32 hash[nr]		scanned first, so that a miss costs no key loads
 *	(padding to 8 bytes)
 *	entry[nr]		inline: key, padded to 8 bytes, then the value;
 *				indirect: a pointer to the entry's element
 *
 * A table whose key and value, padded, take more than
 * %RCUMAP_HASH_INLINE_MAX bytes is "indirect": each entry of a bucket is
 * a pointer to an element, a separate allocation holding the key (padded
 * to 8 bytes) and the value, which is never changed once published either.
 * An update then copies pointers, not its neighbours' keys and values; see
 * "Out-of-line entries" below.  rcumap_entry_key() and rcumap_entry_value()
 * hide the difference from everything but the lookup fast path.
 *
 * A table with a free callback (rcumap_hash_params.free_value) or indirect
 * entries gives each bucket a struct rcumap_bucket_tail after its entries,
 * where readers never look; see rcumap_bucket_retire().
 *
 * Locking: lookups take nothing but the RCU read lock and write nothing
 * shared.  Updates take the lock of the key's bucket (one of tbl->locks,
 * shared by every bucket whose index has the same low bits) with BH
 * disabled, inside an RCU read-side critical section that keeps @tbl alive.
 * Functions named __rcumap_hash_*() expect that lock held.
 *
 * Online resize: a resize (one at a time, under h->resize_mutex) moves
 * the buckets of h->tbl to tbl->future one by one, leaving RCUMAP_MOVED
 * behind; readers and updaters that meet the marker follow tbl->future.
 * Lock order: h->resize_mutex, an old table's bucket lock, a new table's
 * bucket lock (only a shrinking resize holds two).  See "Online resize".
 */
#include <linux/rcumap_hash.h>

#include <linux/bitops.h>
#include <linux/bitrev.h>
#include <linux/cache.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/jhash.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/prefetch.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <asm/unaligned.h>

#include "hash_internal.h"

#define RCUMAP_HASH_LIVE_MASK	0x7fffffffU
#define RCUMAP_HASH_DEAD	U32_MAX

/* Lock stripes per possible CPU; more buckets than this share locks. */
#define RCUMAP_LOCKS_PER_CPU	64

struct rcumap_bucket {
	struct rcu_head rcu;
	u32 nr;
	u32 hash[];
};

/*
 * After the entries of a bucket of a table with a free callback or with
 * indirect entries (h->tail).  The updater that retires the bucket fills
 * it in and hands @rcu to call_rcu(): the callback needs the table (@h)
 * and which live entry left with the replacement (@gone), and finds the
 * bucket from @nr.
 */
struct rcumap_bucket_tail {
	struct rcu_head rcu;
	struct rcumap_hash *h;
	u32 nr;
	u32 gone;	/* RCUMAP_BUCKET_NONE_GONE: only dead entries left */
	bool dead_kept;	/* the replacement kept the dead entries */
};

#define RCUMAP_BUCKET_NONE_GONE	U32_MAX

/*
 * A bucket array.  While a resize moves its buckets to @future, a bucket
 * already moved holds RCUMAP_MOVED, and never changes again.  @future is
 * set before the first bucket is moved and then never changes; the table
 * is freed a grace period after h->tbl stops pointing at it.
 */
struct rcumap_hash_table {
	u32 mask;
	u32 lock_mask;
	spinlock_t *locks;	/* bucket i is under locks[i & lock_mask] */
	struct rcumap_hash_table __rcu *future;
	struct rcumap_bucket __rcu *buckets[];
};

/*
 * The forwarding marker of a bucket that a resize has moved to the table's
 * future.  It has no entries, so a lookup that does not know about it
 * finds nothing in it; every reader checks for it on its miss path, and
 * every updater under the bucket lock.  It is never retired.
 */
static struct rcumap_bucket rcumap_moved_bucket;
#define RCUMAP_MOVED	(&rcumap_moved_bucket)

struct rcumap_hash {
	/* Read by every lookup; never written after creation. */
	struct rcumap_hash_table __rcu *tbl;
	u32 key_size;
	/*
	 * What rcumap_hash_lookup() picks its path by: the key size of an
	 * inline table, 0 for an indirect one (which takes the general path),
	 * so that telling the two apart costs the fast paths nothing.
	 */
	u32 lookup_ks;
	u32 value_size;
	u32 key_stride;		/* key_size rounded up to 8 */
	u32 entry_size;		/* bytes of an entry in a bucket */
	u32 elem_size;		/* indirect: bytes of an element; inline: 0 */
	u32 seed;
	u32 max_entries;
	bool indirect;		/* entries are pointers to elements */
	bool tail;		/* buckets carry a struct rcumap_bucket_tail */
	gfp_t remove_gfp;	/* for delete's smaller bucket */
	bool destroyed;		/* by rcumap_hash_destroy(); stops a resize early */
	rcumap_hash_free_t free_value;	/* may be NULL */
	void *free_priv;
	u32 flags;		/* RCUMAP_HASH_F_* */
	u32 min_buckets;	/* automatic shrinks stop here */
	gfp_t resize_gfp;	/* for a resize's tables and buckets */
	struct mem_cgroup *memcg;	/* charged for them, or NULL */
	/* Serialises resizes; held across a whole one, which may sleep. */
	struct mutex resize_mutex;
	struct delayed_work resize_work;
	unsigned long resize_backoff;	/* jiffies; under resize_mutex */

	/*
	 * Written by every insert and delete: kept off the readers' line.
	 * @bytes is what rcumap_hash_bytes_used() reports past the struct:
	 * the bucket arrays, every published bucket and every element that
	 * a published bucket holds (dead entries' included), as allocated.
	 * A replace that keeps its bucket's and its element's size does not
	 * touch it.
	 */
	atomic_t count ____cacheline_aligned_in_smp;
	atomic64_t bytes;

	struct rcu_work free_work;
};

/*
 * Accessors for every __rcu pointer of the table, each named for what
 * protects it.
 *
 * rcumap_hash_tbl(): the bucket array.  Readers and updaters alike hold
 * the RCU read lock (any flavour) across their use of it.
 */
static inline struct rcumap_hash_table *
rcumap_hash_tbl(const struct rcumap_hash *h)
{
	return rcu_dereference_check(h->tbl, rcu_read_lock_any_held());
}

/*
 * rcumap_hash_tbl_resizer(): the bucket array, loaded under
 * h->resize_mutex by a resize, which alone replaces it, or by the destroy
 * work (rcumap_hash_free_work()), which takes the mutex as a resize would.
 */
static inline struct rcumap_hash_table *
rcumap_hash_tbl_resizer(const struct rcumap_hash *h)
{
	return rcu_dereference_protected(h->tbl,
					 lockdep_is_held(&h->resize_mutex));
}

/*
 * rcumap_table_future(): where a resize moves @tbl's buckets.  Loaded by
 * readers and updaters under an RCU read lock, which keeps both tables
 * alive (see rcumap_hash_migrate()).
 */
static inline struct rcumap_hash_table *
rcumap_table_future(const struct rcumap_hash_table *tbl)
{
	return rcu_dereference_check(tbl->future, rcu_read_lock_any_held());
}

/* The same, loaded under h->resize_mutex (a resize or the destroy work). */
static inline struct rcumap_hash_table *
rcumap_table_future_resizer(const struct rcumap_hash *h,
			    const struct rcumap_hash_table *tbl)
{
	return rcu_dereference_protected(tbl->future,
					 lockdep_is_held(&h->resize_mutex));
}

static inline spinlock_t *rcumap_bucket_lock(const struct rcumap_hash_table *tbl,
					     u32 hash)
{
	return &tbl->locks[hash & tbl->lock_mask];
}

/* A bucket, loaded by a reader inside an RCU read-side critical section. */
static inline struct rcumap_bucket *
rcumap_bucket_rcu(const struct rcumap_hash_table *tbl, u32 hash)
{
	return rcu_dereference_check(tbl->buckets[hash & tbl->mask],
				     rcu_read_lock_any_held());
}

/* A bucket, loaded by an updater that holds its lock. */
static inline struct rcumap_bucket *
rcumap_bucket_locked(const struct rcumap_hash_table *tbl, u32 hash)
{
	return rcu_dereference_protected(tbl->buckets[hash & tbl->mask],
			lockdep_is_held(rcumap_bucket_lock(tbl, hash)));
}

/*
 * Bucket @i of @tbl, loaded by the destroy work: no updater runs any more
 * (rcumap_hash_destroy()'s contract), and no resize while it holds
 * h->resize_mutex, so nothing else can replace the bucket.
 */
static inline struct rcumap_bucket *
rcumap_bucket_destroyer(const struct rcumap_hash *h,
			const struct rcumap_hash_table *tbl, u32 i)
{
	return rcu_dereference_protected(tbl->buckets[i],
					 lockdep_is_held(&h->resize_mutex));
}

/*
 * Where a reader goes from @tbl after a bucket load found RCUMAP_MOVED:
 * the table's future.
 *
 * A resize publishes the new buckets (and, before them, @future) and only
 * then, with the release of rcu_assign_pointer(), RCUMAP_MOVED.  The
 * marker is a fixed address, so no address dependency orders the loads
 * that follow its load: smp_rmb() does, pairing with that release, and a
 * reader that saw the marker sees @future and every bucket published
 * before it.  The caller's RCU read lock keeps every table of the chain
 * alive: each is freed a grace period after it stops being current.
 */
static inline const struct rcumap_hash_table *
rcumap_table_past_marker(const struct rcumap_hash_table *tbl)
{
	/* Pairs with the release that published RCUMAP_MOVED. */
	smp_rmb();
	return rcumap_table_future(tbl);
}

/*
 * Slow path of every reader whose bucket load from @tbl for @hash found
 * RCUMAP_MOVED: follow the table's future (more than once, if a second
 * resize has started) to the bucket that holds @hash now.  *@tblp becomes
 * the table it was found in.
 */
static noinline struct rcumap_bucket *
rcumap_bucket_follow(const struct rcumap_hash_table **tblp, u32 hash)
{
	const struct rcumap_hash_table *tbl = *tblp;
	struct rcumap_bucket *b;

	do {
		tbl = rcumap_table_past_marker(tbl);
		b = rcumap_bucket_rcu(tbl, hash);
	} while (b == RCUMAP_MOVED);
	*tblp = tbl;
	return b;
}

/*
 * The bucket that holds @hash now, resize or not, and in *@tblp (if not
 * NULL) the table it was found in.  The caller holds an RCU read lock.
 */
static struct rcumap_bucket *rcumap_bucket_get(const struct rcumap_hash *h,
					       u32 hash,
					       const struct rcumap_hash_table **tblp)
{
	const struct rcumap_hash_table *tbl = rcumap_hash_tbl(h);
	struct rcumap_bucket *b = rcumap_bucket_rcu(tbl, hash);

	if (unlikely(b == RCUMAP_MOVED))
		b = rcumap_bucket_follow(&tbl, hash);
	if (tblp)
		*tblp = tbl;
	return b;
}

/*
 * Lock the bucket that holds @hash now and return it; *@tblp and *@lockp
 * say which table it is in and which lock is held.  A bucket that a resize
 * has moved never changes again, so an updater that finds RCUMAP_MOVED
 * under the lock unlocks and goes on to the table's future: the resize
 * stored the marker under this lock, after @future and the new buckets,
 * so the lock orders them before what we load next.  The caller holds an
 * RCU read lock, which keeps every table of the chain alive.
 */
static struct rcumap_bucket *
rcumap_bucket_lock_get(const struct rcumap_hash *h, u32 hash,
		       struct rcumap_hash_table **tblp, spinlock_t **lockp)
	__acquires(*lockp)
{
	struct rcumap_hash_table *tbl = rcumap_hash_tbl(h);

	for (;;) {
		spinlock_t *lock = rcumap_bucket_lock(tbl, hash);
		struct rcumap_bucket *b;

		spin_lock_bh(lock);
		b = rcumap_bucket_locked(tbl, hash);
		if (likely(b != RCUMAP_MOVED)) {
			*tblp = tbl;
			*lockp = lock;
			return b;
		}
		spin_unlock_bh(lock);
		tbl = rcumap_table_future(tbl);
	}
}

/*
 * The hash and the key compare take the key size @ks as an argument so
 * that the lookup fast path can pass a constant 4 or 8 and have every
 * switch below resolved at compile time.
 */
static __always_inline u32 rcumap_hash_key_ks(const struct rcumap_hash *h,
					      const void *key, u32 ks)
{
	return rcumap_jhash_key(key, ks, h->seed) & RCUMAP_HASH_LIVE_MASK;
}

static inline u32 rcumap_hash_key(const struct rcumap_hash *h, const void *key)
{
	return rcumap_hash_key_ks(h, key, h->key_size);
}

/* Stored keys are 8-byte aligned; @key, the caller's, may be anything. */
static __always_inline bool rcumap_key_equal_ks(const void *stored,
						const void *key, u32 ks)
{
	switch (ks) {
	case 4:
		return *(const u32 *)stored == get_unaligned((const u32 *)key);
	case 8:
		return *(const u64 *)stored == get_unaligned((const u64 *)key);
	default:
		return !memcmp(stored, key, ks);
	}
}

static inline size_t rcumap_bucket_entries_offset(u32 nr)
{
	return ALIGN(offsetof(struct rcumap_bucket, hash) + nr * sizeof(u32), 8);
}

static inline size_t rcumap_bucket_size(const struct rcumap_hash *h, u32 nr)
{
	return rcumap_bucket_entries_offset(nr) + (size_t)nr * h->entry_size;
}

/*
 * ---- Entries ----
 *
 * The bytes entry @i of @b takes in the bucket (its "slot"): the key and
 * value themselves in an inline table, a pointer to the entry's element in
 * an indirect one.  Everything but the lookup fast path reaches keys and
 * values through rcumap_entry_key() and rcumap_entry_value().
 */
static inline void *rcumap_entry_slot(const struct rcumap_hash *h,
				      const struct rcumap_bucket *b, u32 i)
{
	return (void *)b + rcumap_bucket_entries_offset(b->nr) +
	       (size_t)i * h->entry_size;
}

/*
 * The element of entry @i of @b, in an indirect table.  The pointer is
 * written before the bucket is published and never after, so a plain load
 * reads it; the element was written before it, and the release of the
 * bucket's rcu_assign_pointer() orders both before any reader's
 * rcu_dereference() of the bucket, from which the loads of the pointer and
 * then of the element's bytes depend by address.
 */
static inline void *rcumap_entry_elem(const struct rcumap_hash *h,
				      const struct rcumap_bucket *b, u32 i)
{
	return *(void **)rcumap_entry_slot(h, b, i);
}

/* The key of a slot at @slot: in place, or in the element it points to. */
static inline void *rcumap_slot_key(const struct rcumap_hash *h, void *slot)
{
	return h->indirect ? *(void **)slot : slot;
}

/* Where the key of entry @i of @b is: 8-byte aligned, h->key_size bytes. */
static inline void *rcumap_entry_key(const struct rcumap_hash *h,
				     const struct rcumap_bucket *b, u32 i)
{
	return rcumap_slot_key(h, rcumap_entry_slot(h, b, i));
}

/* Where the value of entry @i of @b is: h->value_size bytes. */
static inline void *rcumap_entry_value(const struct rcumap_hash *h,
				       const struct rcumap_bucket *b, u32 i)
{
	return rcumap_entry_key(h, b, i) + h->key_stride;
}

/*
 * Index of @key in @b, or -1.  The hash word is read with READ_ONCE()
 * because delete may mark it dead under a reader (and only that word).
 * @ks is h->key_size, or the same value as a constant.
 */
static __always_inline int rcumap_bucket_find_ks(const struct rcumap_hash *h,
						 const struct rcumap_bucket *b,
						 u32 hash, const void *key,
						 u32 ks)
{
	void *entries;
	u32 i, nr;

	if (!b)
		return -1;
	nr = b->nr;
	entries = (void *)b + rcumap_bucket_entries_offset(nr);
	for (i = 0; i < nr; i++) {
		if (READ_ONCE(b->hash[i]) == hash &&
		    rcumap_key_equal_ks(rcumap_slot_key(h, entries +
						       (size_t)i * h->entry_size),
				       key, ks))
			return i;
	}
	return -1;
}

static inline int rcumap_bucket_find(const struct rcumap_hash *h,
				     const struct rcumap_bucket *b,
				     u32 hash, const void *key)
{
	return rcumap_bucket_find_ks(h, b, hash, key, h->key_size);
}

static u32 rcumap_bucket_live(const struct rcumap_bucket *b)
{
	u32 i, live = 0;

	if (!b)
		return 0;
	for (i = 0; i < b->nr; i++)
		live += READ_ONCE(b->hash[i]) != RCUMAP_HASH_DEAD;
	return live;
}

/*
 * Entries of the bucket that replaces @b after an update that found the
 * key at @idx (or not, -1): a replace keeps every entry, dead ones
 * included (see rcumap_bucket_fill()); an insert keeps the live ones and
 * adds one.
 */
static u32 rcumap_bucket_need(const struct rcumap_bucket *b, int idx)
{
	return idx >= 0 ? b->nr : rcumap_bucket_live(b) + 1;
}

/* Bytes to allocate for a bucket of @nr entries, tail included. */
static inline size_t rcumap_bucket_alloc_size(const struct rcumap_hash *h,
					      u32 nr)
{
	return rcumap_bucket_size(h, nr) +
	       (h->tail ? sizeof(struct rcumap_bucket_tail) : 0);
}

static inline struct rcumap_bucket_tail *
rcumap_bucket_tail(const struct rcumap_hash *h, struct rcumap_bucket *b)
{
	return (void *)b + rcumap_bucket_size(h, b->nr);
}

static struct rcumap_bucket *rcumap_bucket_alloc(const struct rcumap_hash *h,
						 u32 nr, gfp_t gfp)
{
	return kvmalloc(rcumap_bucket_alloc_size(h, nr), gfp);
}

/* What the allocator hands out for @size bytes at @p, kvmalloc()ed. */
static s64 rcumap_alloc_bytes(const void *p, size_t size)
{
	return is_vmalloc_addr(p) ? PAGE_ALIGN(size) : kmalloc_size_roundup(size);
}

/*
 * Bytes that bucket @b counts for in h->bytes: what the allocator hands
 * out for it (slab rounding, or whole pages).  A function of @b's final
 * @nr and address, so that what publishing @b adds, retiring it takes
 * away exactly.  Its elements count apart: rcumap_elem_bytes().
 */
static s64 rcumap_bucket_bytes(const struct rcumap_hash *h,
			       const struct rcumap_bucket *b)
{
	if (!b || b == RCUMAP_MOVED)
		return 0;
	return rcumap_alloc_bytes(b, rcumap_bucket_alloc_size(h, b->nr));
}

/*
 * ---- Out-of-line entries ----
 *
 * An indirect table's entry is a pointer to an element: one kvmalloc()
 * of h->elem_size bytes, the key (padded to 8) then the value, made by
 * the update that inserts the key or replaces its value, with the
 * caller's gfp (memcg charging included), and never written once the
 * bucket that holds its pointer is published.  A bucket update copies
 * the pointers of its neighbours, 8 bytes each, never their elements: so
 * an update copies its own element, plus a hash word and a pointer per
 * neighbour, whatever the key and value sizes.  A lookup that hits loads
 * one more cache line (the element) than in an inline table; a miss scans
 * the hash words as before and loads no element.
 *
 * Lifetime of an element.  Buckets that follow one another share the
 * elements of the entries that stay: a replace, an insert or a remove
 * copies every other entry's pointer into the new bucket, and a resize
 * copies the live ones into the new table's.  The element of an entry
 * leaves the table when the first bucket that no longer holds it is
 * published: the replaced or removed entry's (@gone), and the dead
 * entries' when the new bucket drops them (an insert, a remove, a
 * resize; a replace keeps them, dead, in place).  Those are exactly the
 * entries rcumap_bucket_retire() is told about, and the free callback
 * already needed them, so the same path frees them: the retired bucket
 * goes to call_rcu() with its tail, and rcumap_bucket_free_rcu() frees
 * those elements, after the free callback has seen them, before it
 * frees the bucket.
 *
 * Why the free waits long enough.  Once the new bucket is published, no
 * bucket reachable from the table holds the element: the old bucket was
 * the only published one that did (the bucket slot was its only
 * reference, and it now holds the new bucket, which does not hold the
 * element), and updaters reach buckets only through the slot, under the
 * lock the publishing updater held, so none can copy the pointer on.  So
 * no reader can find the element any more; every reader that did found
 * it through the old bucket, loaded with rcu_dereference() inside an RCU
 * read-side critical section that began before the publication.  The
 * element is freed by an RCU callback queued after the publication,
 * after a grace period, which waits for every such section to end.  A
 * delete that marks an entry dead in place (no memory) publishes nothing:
 * the element stays with its bucket, as values in an inline table do,
 * until the bucket is rebuilt without it.  Destroy frees the elements of
 * every bucket still in the table, after a grace period and after
 * rcu_barrier() (rcumap_hash_free_work()).
 */

/* Bytes that element @e counts for in h->bytes, as allocated. */
static s64 rcumap_elem_bytes(const struct rcumap_hash *h, const void *e)
{
	return rcumap_alloc_bytes(e, h->elem_size);
}

/*
 * A new element holding @key and @value, for an indirect table, or NULL.
 * Allocated with the caller's @gfp, and charged as its bucket is; nobody
 * else sees it until its bucket is published, which orders these stores
 * before it (see rcumap_entry_elem()).  A failure is the update's -ENOMEM,
 * with no warning: elements may be megabytes.
 */
static void *rcumap_elem_new(const struct rcumap_hash *h, const void *key,
			     const void *value, gfp_t gfp)
{
	void *e = kvmalloc(h->elem_size, gfp | __GFP_NOWARN);

	if (e) {
		memcpy(e, key, h->key_size);
		if (h->value_size)
			memcpy(e + h->key_stride, value, h->value_size);
	}
	return e;
}

/* Did entry @i of @b leave the table with @b: @gone, or dead and dropped? */
static inline bool rcumap_entry_leaves(const struct rcumap_bucket *b, u32 i,
				       u32 gone, bool dead_kept)
{
	return i == gone ||
	       (!dead_kept && READ_ONCE(b->hash[i]) == RCUMAP_HASH_DEAD);
}

/*
 * Bytes of the elements that leave the table when @b is replaced (see
 * rcumap_entry_leaves()); 0 in an inline table.  Under @b's bucket lock,
 * or on a bucket nobody can reach, so that no entry turns dead meanwhile.
 */
static s64 rcumap_bucket_lost_bytes(const struct rcumap_hash *h,
				    const struct rcumap_bucket *b, u32 gone,
				    bool dead_kept)
{
	s64 bytes = 0;
	u32 i;

	if (!h->indirect || !b || b == RCUMAP_MOVED)
		return 0;
	for (i = 0; i < b->nr; i++) {
		if (rcumap_entry_leaves(b, i, gone, dead_kept))
			bytes += rcumap_elem_bytes(h, rcumap_entry_elem(h, b, i));
	}
	return bytes;
}

/*
 * Account for @new replacing @old (either may be NULL) in h->bytes, with
 * @elems the bytes of elements that came in less those that left.
 */
static void rcumap_hash_charge(struct rcumap_hash *h,
			       const struct rcumap_bucket *old,
			       const struct rcumap_bucket *new, s64 elems)
{
	s64 delta = elems;

	/*
	 * A replace, the common update, keeps the entry count, and a bucket's
	 * bytes depend only on that and on which allocator it came from: it
	 * computes no bucket sizes (and in an inline table writes nothing).
	 */
	if (!old || !new || old == RCUMAP_MOVED || new == RCUMAP_MOVED ||
	    old->nr != new->nr || is_vmalloc_addr(old) != is_vmalloc_addr(new))
		delta += rcumap_bucket_bytes(h, new) - rcumap_bucket_bytes(h, old);
	if (delta)
		atomic64_add(delta, &h->bytes);
}

enum rcumap_edit {
	RCUMAP_EDIT_INSERT,	/* append @key with @value */
	RCUMAP_EDIT_REPLACE,	/* give entry @idx the value @value */
	RCUMAP_EDIT_REMOVE,	/* leave entry @idx out */
};

/*
 * Fill @new, which has room for @nr entries, with the entries of @old
 * edited as @edit says.  Entries keep their order.  An insert or a remove
 * leaves the dead entries out (the bucket changes shape anyway); a
 * replace keeps them, dead, where they are, so that a value update moves
 * no key and a positional walk (rcumap_hash_walk()) is not thrown off by
 * it.  In an indirect table the inserted or replaced entry gets @elem,
 * which already holds @key and @value, and every other entry's slot is
 * its pointer: nothing else is copied.  @new is not yet visible to
 * anyone, so plain stores suffice; the release in rcu_assign_pointer()
 * orders them before the publication.
 */
static void rcumap_bucket_fill(const struct rcumap_hash *h,
			       struct rcumap_bucket *new, u32 nr,
			       const struct rcumap_bucket *old,
			       enum rcumap_edit edit, int idx, u32 hash,
			       const void *key, const void *value, void *elem)
{
	u32 i, n = 0;

	new->nr = nr;
	for (i = 0; old && i < old->nr; i++) {
		u32 old_hash = READ_ONCE(old->hash[i]);

		if ((old_hash == RCUMAP_HASH_DEAD &&
		     edit != RCUMAP_EDIT_REPLACE) ||
		    (edit == RCUMAP_EDIT_REMOVE && i == idx))
			continue;
		new->hash[n] = old_hash;
		if (edit == RCUMAP_EDIT_REPLACE && i == idx && h->indirect) {
			*(void **)rcumap_entry_slot(h, new, n) = elem;
		} else {
			memcpy(rcumap_entry_slot(h, new, n),
			       rcumap_entry_slot(h, old, i), h->entry_size);
			if (edit == RCUMAP_EDIT_REPLACE && i == idx)
				memcpy(rcumap_entry_value(h, new, n), value,
				       h->value_size);
		}
		n++;
	}
	if (edit == RCUMAP_EDIT_INSERT) {
		new->hash[n] = hash;
		if (h->indirect) {
			*(void **)rcumap_entry_slot(h, new, n) = elem;
		} else {
			memcpy(rcumap_entry_key(h, new, n), key, h->key_size);
			memcpy(rcumap_entry_value(h, new, n), value,
			       h->value_size);
		}
		n++;
	}
	WARN_ON_ONCE(n != nr);
}

/*
 * Replace @old by @new (which may be NULL: the bucket is empty).  The
 * caller retires @old with rcumap_bucket_retire() once it has dropped the
 * bucket lock.  @elems is what the change does to the bytes of elements
 * (see rcumap_hash_charge()).
 *
 * Publish: @new is complete before rcu_assign_pointer(), whose release
 * ordering makes every store into it (and into the element it brings, if
 * any) visible to any reader whose rcu_dereference() loads the new
 * pointer.
 */
static void __rcumap_hash_publish(struct rcumap_hash *h,
				  struct rcumap_hash_table *tbl, u32 hash,
				  struct rcumap_bucket *old,
				  struct rcumap_bucket *new, s64 elems)
	__must_hold(rcumap_bucket_lock(tbl, hash))
{
	lockdep_assert_held(rcumap_bucket_lock(tbl, hash));
	rcu_assign_pointer(tbl->buckets[hash & tbl->mask], new);
	rcumap_hash_charge(h, old, new, elems);
}

/*
 * Let go of entry @i of @b, which has left the table: hand its value to
 * the free callback, if any, then free its element, if the table is
 * indirect.  The key and value stay readable until the callback returns.
 */
static void rcumap_entry_release(const struct rcumap_hash *h,
				 struct rcumap_bucket *b, u32 i)
{
	if (h->free_value)
		h->free_value(h->free_priv, rcumap_entry_key(h, b, i),
			      rcumap_entry_value(h, b, i));
	if (h->indirect)
		kvfree(rcumap_entry_elem(h, b, i));
}

/*
 * Let go of every entry of @b that is not in the table any more: @gone,
 * and the dead ones unless @dead_kept (a replace carried them into the
 * new bucket, whose retirement lets go of them).  With @gone ==
 * RCUMAP_BUCKET_NONE_GONE only dead entries count; with @all every entry
 * does (destroy).
 */
static void rcumap_bucket_release(const struct rcumap_hash *h,
				  struct rcumap_bucket *b, u32 gone,
				  bool dead_kept, bool all)
{
	u32 i;

	for (i = 0; i < b->nr; i++) {
		if (all || rcumap_entry_leaves(b, i, gone, dead_kept))
			rcumap_entry_release(h, b, i);
	}
}

/*
 * RCU callback of a retired bucket of a table with a tail.  A grace
 * period has passed since the bucket's pointer was replaced, so no reader
 * holds it or any value or element that left with it (see
 * rcumap_bucket_retire() and "Out-of-line entries"), and no updater can
 * reach it to mark an entry dead: its hash words are final.  @h is alive:
 * rcumap_hash_free_work() waits for this callback with rcu_barrier()
 * before it frees @h.
 */
static void rcumap_bucket_free_rcu(struct rcu_head *head)
{
	struct rcumap_bucket_tail *tail =
		container_of(head, struct rcumap_bucket_tail, rcu);
	const struct rcumap_hash *h = tail->h;
	struct rcumap_bucket *b = (void *)tail - rcumap_bucket_size(h, tail->nr);

	rcumap_bucket_release(h, b, tail->gone, tail->dead_kept, false);
	kvfree(b);
}

/* Does any entry leave the table with @b (see rcumap_entry_leaves())? */
static bool rcumap_bucket_loses(const struct rcumap_bucket *b, u32 gone,
				bool dead_kept)
{
	u32 i;

	if (gone != RCUMAP_BUCKET_NONE_GONE)
		return true;
	for (i = 0; !dead_kept && i < b->nr; i++) {
		if (READ_ONCE(b->hash[i]) == RCUMAP_HASH_DEAD)
			return true;
	}
	return false;
}

/*
 * Retire a bucket that __rcumap_hash_publish() replaced (or NULL).  Entry
 * @gone (or none: RCUMAP_BUCKET_NONE_GONE) and, unless @dead_kept, the
 * dead entries of @old did not make it into the replacement: a table with
 * a free callback gets one call for each of them, and an indirect table
 * frees their elements, after the grace period.
 *
 * From the moment its pointer was replaced, no new reader can reach @old:
 * the bucket slot was its only published reference, and updaters reach it
 * only through that slot under the bucket lock, which the replacing
 * updater held.  So that updater is its only owner and may retire it
 * after dropping the lock (which keeps the lock hold time short).  A
 * reader that loaded @old earlier did so inside an RCU read-side critical
 * section that began before the replacement, and kvfree_rcu() (or
 * call_rcu()) frees @old only after a grace period, which waits for every
 * such section to end.
 */
static void rcumap_bucket_retire(struct rcumap_hash *h,
				 struct rcumap_bucket *old, u32 gone,
				 bool dead_kept)
{
	struct rcumap_bucket_tail *tail;

	if (!old)
		return;
	/*
	 * No callback and no element to free: an inline table without a
	 * callback, or nothing left with @old (an insert into a bucket
	 * without dead entries, say).  The hash words of @old are final:
	 * no updater can reach it any more.
	 */
	if (likely(!h->tail) || !rcumap_bucket_loses(old, gone, dead_kept)) {
		kvfree_rcu(old, rcu);
		return;
	}
	/*
	 * The tail lies past the entries, where no reader looks: writing it
	 * races with nothing.
	 */
	tail = rcumap_bucket_tail(h, old);
	tail->h = h;
	tail->nr = old->nr;
	tail->gone = gone;
	tail->dead_kept = dead_kept;
	call_rcu(&tail->rcu, rcumap_bucket_free_rcu);
}

/*
 * Remove entry @idx of @old, the current bucket for @hash.  This cannot
 * fail: if no smaller bucket can be had without sleeping, the entry's hash
 * word is overwritten with %RCUMAP_HASH_DEAD in place.  A single aligned
 * word store is atomic for readers: each one either matched the old hash
 * before the store (and so ran before the delete, reading a key and value
 * that are never changed or freed under it) or sees a hash no key can
 * have.  The dead entry's memory (its element, in an indirect table) is
 * reclaimed when the bucket is next rebuilt (and, in a table with a free
 * callback, its value is handed to the callback when that bucket is
 * retired).  Returns the bucket the caller must retire, with entry @idx
 * gone, or NULL.
 */
static struct rcumap_bucket *
__rcumap_hash_remove(struct rcumap_hash *h, struct rcumap_hash_table *tbl,
		     u32 hash, struct rcumap_bucket *old, int idx)
	__must_hold(rcumap_bucket_lock(tbl, hash))
{
	u32 live = rcumap_bucket_live(old) - 1;
	struct rcumap_bucket *new = NULL;

	lockdep_assert_held(rcumap_bucket_lock(tbl, hash));
	atomic_dec(&h->count);
	if (live) {
		new = rcumap_bucket_alloc(h, live, h->remove_gfp);
		if (!new) {
			WRITE_ONCE(old->hash[idx], RCUMAP_HASH_DEAD);
			return NULL;
		}
		rcumap_bucket_fill(h, new, live, old, RCUMAP_EDIT_REMOVE, idx,
				   0, NULL, NULL, NULL);
	}
	__rcumap_hash_publish(h, tbl, hash, old, new,
			      -rcumap_bucket_lost_bytes(h, old, idx, false));
	return old;
}

/* Bytes of a bucket array and its locks, for h->bytes. */
static s64 rcumap_table_bytes(const struct rcumap_hash_table *tbl)
{
	return struct_size(tbl, buckets, tbl->mask + 1) +
	       (tbl->lock_mask + 1) * sizeof(*tbl->locks);
}

static void rcumap_hash_table_free(struct rcumap_hash_table *tbl)
{
	kvfree(tbl->locks);
	kvfree(tbl);
}

static struct rcumap_hash_table *rcumap_hash_table_alloc(u32 nr_buckets,
							 gfp_t gfp)
{
	u32 nr_locks = min_t(u32, nr_buckets,
			     roundup_pow_of_two(num_possible_cpus() *
						RCUMAP_LOCKS_PER_CPU));
	struct rcumap_hash_table *tbl;
	u32 i;

	tbl = kvzalloc(struct_size(tbl, buckets, nr_buckets), gfp);
	if (!tbl)
		return NULL;
	tbl->locks = kvmalloc_array(nr_locks, sizeof(*tbl->locks), gfp);
	if (!tbl->locks) {
		kvfree(tbl);
		return NULL;
	}
	for (i = 0; i < nr_locks; i++)
		spin_lock_init(&tbl->locks[i]);
	tbl->mask = nr_buckets - 1;
	tbl->lock_mask = nr_locks - 1;
	return tbl;
}

/* ---- Online resize ------------------------------------------------- */

/*
 * Automatic resizes (RCUMAP_HASH_F_RESIZE, RCUMAP_HASH_F_SHRINK): grow x2
 * when there are more than RCUMAP_GROW_LOAD entries per bucket, shrink /2
 * when there are fewer than one per RCUMAP_SHRINK_DIV buckets.  A resize
 * leaves the load between the two, so the table does not flap.
 */
#define RCUMAP_GROW_LOAD	2
#define RCUMAP_SHRINK_DIV	8
/* Back-off of the resize worker after an allocation failure. */
#define RCUMAP_RESIZE_BACKOFF_MIN	(HZ / 10)
#define RCUMAP_RESIZE_BACKOFF_MAX	(10 * HZ)

/*
 * The bucket count an automatic resize of @n buckets wants, or 0.  Only
 * the worker acts on it, under h->resize_mutex; rcumap_hash_check_size()
 * asks without the mutex, only to decide whether to queue the worker, and
 * may race with an explicit resize that moves h->min_buckets.
 */
static u32 rcumap_hash_auto_size(const struct rcumap_hash *h, u32 n)
{
	u32 count = atomic_read(&h->count);

	if (!(h->flags & RCUMAP_HASH_F_RESIZE))
		return 0;
	if ((u64)count > (u64)n * RCUMAP_GROW_LOAD &&
	    n < RCUMAP_HASH_MAX_BUCKETS)
		return n * 2;
	if ((h->flags & RCUMAP_HASH_F_SHRINK) &&
	    n > READ_ONCE(h->min_buckets) && count < n / RCUMAP_SHRINK_DIV)
		return n / 2;
	return 0;
}

/*
 * After an insert or a delete, under the RCU read lock: queue the resize
 * worker if the table wants another size.  Never resizes here: lookups
 * and updates never wait for a resize.  The pending test is a plain read,
 * so that a burst of inserts past the threshold does not hammer the work's
 * bits, and it leaves a worker that is backing off alone.
 */
static void rcumap_hash_check_size(struct rcumap_hash *h)
{
	if (likely(!h->flags))
		return;
	if (rcumap_hash_auto_size(h, rcumap_hash_tbl(h)->mask + 1) &&
	    !delayed_work_pending(&h->resize_work))
		queue_delayed_work(rcumap_wq, &h->resize_work, 0);
}

static void rcumap_bucket_copy_entry(const struct rcumap_hash *h,
				     struct rcumap_bucket *dst, u32 n,
				     const struct rcumap_bucket *src, u32 i,
				     u32 hash)
{
	dst->hash[n] = hash;
	memcpy(rcumap_entry_slot(h, dst, n), rcumap_entry_slot(h, src, i),
	       h->entry_size);
}

/* Live entries of @b that go to the low (@nr[0]) and high half of a split. */
static void rcumap_bucket_split_count(const struct rcumap_bucket *b, u32 n,
				      u32 *nr)
{
	u32 i;

	nr[0] = 0;
	nr[1] = 0;
	for (i = 0; b && i < b->nr; i++) {
		u32 hash = READ_ONCE(b->hash[i]);

		if (hash != RCUMAP_HASH_DEAD)
			nr[!!(hash & n)]++;
	}
}

/*
 * Move bucket @i of @old to @new, which has twice as many buckets: its live
 * entries go to buckets @i and @i + n of @new, in their order.
 *
 * Only the resize writes those two buckets of @new until bucket @i of @old
 * holds RCUMAP_MOVED (every key that hashes to them hashes to bucket @i
 * of @old), so they need no lock; bucket @i's lock keeps updaters out of
 * the old bucket.  The new buckets are complete, and published, before the
 * marker: see rcumap_bucket_follow() and rcumap_bucket_lock_get().
 */
static int rcumap_migrate_split(struct rcumap_hash *h,
				struct rcumap_hash_table *old,
				struct rcumap_hash_table *new, u32 i)
{
	spinlock_t *lock = rcumap_bucket_lock(old, i);
	struct rcumap_bucket *b, *part[2] = { NULL, NULL };
	u32 n = old->mask + 1, room[2], nr[2], fill[2] = { 0, 0 }, k;

	rcu_read_lock();
	b = rcumap_bucket_rcu(old, i);
	rcumap_bucket_split_count(b, n, room);
	rcu_read_unlock();
	if (b == RCUMAP_MOVED)
		return 0;	/* by an earlier, interrupted, resize */

	for (;;) {
		for (k = 0; k < 2; k++) {
			if (room[k] && !part[k]) {
				part[k] = rcumap_bucket_alloc(h, room[k],
							      h->resize_gfp);
				if (!part[k])
					goto out_nomem;
			}
		}
		spin_lock_bh(lock);
		b = rcumap_bucket_locked(old, i);
		rcumap_bucket_split_count(b, n, nr);
		if (nr[0] <= room[0] && nr[1] <= room[1])
			break;
		/* The bucket grew since we looked: try again, bigger. */
		spin_unlock_bh(lock);
		for (k = 0; k < 2; k++) {
			if (nr[k] > room[k]) {
				kvfree(part[k]);
				part[k] = NULL;
				room[k] = nr[k];
			}
		}
	}

	for (k = 0; k < 2; k++) {
		if (nr[k])
			part[k]->nr = nr[k];
	}
	for (k = 0; b && k < b->nr; k++) {
		u32 hash = READ_ONCE(b->hash[k]);
		u32 half = !!(hash & n);

		if (hash != RCUMAP_HASH_DEAD)
			rcumap_bucket_copy_entry(h, part[half], fill[half]++,
						 b, k, hash);
	}
	rcu_assign_pointer(new->buckets[i], nr[0] ? part[0] : NULL);
	rcu_assign_pointer(new->buckets[i + n], nr[1] ? part[1] : NULL);
	rcu_assign_pointer(old->buckets[i], RCUMAP_MOVED);
	/*
	 * Under the lock: once it is dropped, updaters may retire the parts.
	 * The live entries' elements moved with them; the dead ones' leave.
	 */
	rcumap_hash_charge(h, b, nr[0] ? part[0] : NULL,
			   -rcumap_bucket_lost_bytes(h, b, RCUMAP_BUCKET_NONE_GONE,
						     false));
	rcumap_hash_charge(h, NULL, nr[1] ? part[1] : NULL, 0);
	spin_unlock_bh(lock);
	/*
	 * The marker replaced @b's only published reference, under its
	 * lock: we own @b, and retire it like any updater.  Its live entries
	 * are in @new, so only its dead ones go to the free callback (and
	 * their elements are freed).
	 */
	rcumap_bucket_retire(h, b, RCUMAP_BUCKET_NONE_GONE, false);
	for (k = 0; k < 2; k++) {
		if (!nr[k])
			kvfree(part[k]);
	}
	return 0;

out_nomem:
	kvfree(part[0]);
	kvfree(part[1]);
	return -ENOMEM;
}

/*
 * Move bucket @i of @old to @new, which has half as many buckets: its live
 * entries join those of bucket @j = @i & new->mask, which may already hold
 * the entries of @i's partner and be changed by updaters that came through
 * the partner's marker; so bucket @j is rebuilt under its lock, taken
 * inside @i's (lock order: old table, then new table).
 */
static int rcumap_migrate_merge(struct rcumap_hash *h,
				struct rcumap_hash_table *old,
				struct rcumap_hash_table *new, u32 i)
{
	u32 j = i & new->mask, room, need, k, n = 0;
	spinlock_t *olock = rcumap_bucket_lock(old, i);
	spinlock_t *nlock = rcumap_bucket_lock(new, j);
	struct rcumap_bucket *b, *nb, *m = NULL;

	rcu_read_lock();
	b = rcumap_bucket_rcu(old, i);
	nb = rcumap_bucket_rcu(new, j);
	room = rcumap_bucket_live(b);
	room = room ? room + rcumap_bucket_live(nb) : 0;
	rcu_read_unlock();
	if (b == RCUMAP_MOVED)
		return 0;	/* by an earlier, interrupted, resize */

	for (;;) {
		if (room && !m) {
			m = rcumap_bucket_alloc(h, room, h->resize_gfp);
			if (!m)
				return -ENOMEM;
		}
		spin_lock_bh(olock);
		spin_lock_nested(nlock, SINGLE_DEPTH_NESTING);
		b = rcumap_bucket_locked(old, i);
		nb = rcumap_bucket_locked(new, j);
		need = rcumap_bucket_live(b);
		need = need ? need + rcumap_bucket_live(nb) : 0;
		if (need <= room)
			break;
		spin_unlock(nlock);
		spin_unlock_bh(olock);
		kvfree(m);
		m = NULL;
		room = need;
	}

	if (need) {
		m->nr = need;
		for (k = 0; nb && k < nb->nr; k++) {
			u32 hash = READ_ONCE(nb->hash[k]);

			if (hash != RCUMAP_HASH_DEAD)
				rcumap_bucket_copy_entry(h, m, n++, nb, k, hash);
		}
		for (k = 0; b && k < b->nr; k++) {
			u32 hash = READ_ONCE(b->hash[k]);

			if (hash != RCUMAP_HASH_DEAD)
				rcumap_bucket_copy_entry(h, m, n++, b, k, hash);
		}
		WARN_ON_ONCE(n != need);
		rcu_assign_pointer(new->buckets[j], m);
	}
	rcu_assign_pointer(old->buckets[i], RCUMAP_MOVED);
	/* Under the locks: once they are dropped, updaters may retire @m. */
	rcumap_hash_charge(h, b, NULL,
			   -rcumap_bucket_lost_bytes(h, b, RCUMAP_BUCKET_NONE_GONE,
						     false));
	if (need)
		rcumap_hash_charge(h, nb, m,
				   -rcumap_bucket_lost_bytes(h, nb,
							     RCUMAP_BUCKET_NONE_GONE,
							     false));
	spin_unlock(nlock);
	spin_unlock_bh(olock);
	/*
	 * @b (and @nb, if @m replaced it) lost their only published
	 * reference under their locks: we own them and retire them like any
	 * updater.  Their live entries are in @m; their dead ones go to the
	 * free callback, and their elements are freed.
	 */
	rcumap_bucket_retire(h, b, RCUMAP_BUCKET_NONE_GONE, false);
	if (need)
		rcumap_bucket_retire(h, nb, RCUMAP_BUCKET_NONE_GONE, false);
	else
		kvfree(m);
	return 0;
}

/*
 * Move every bucket of @old (the current table) to @new (its future), then
 * make @new current and free @old.  On -ENOMEM the buckets moved so far
 * stay moved: readers and updaters follow their markers, and the next
 * resize goes on from there.
 */
static int rcumap_hash_migrate(struct rcumap_hash *h,
			       struct rcumap_hash_table *old,
			       struct rcumap_hash_table *new)
{
	bool grow = new->mask > old->mask;
	u32 i;
	int err;

	lockdep_assert_held(&h->resize_mutex);
	for (i = 0; i <= old->mask; i++) {
		/*
		 * A step over millions of buckets takes a while: let a caller
		 * that is being killed go (the worker gets no signals), and
		 * stop the worker on a table that is being destroyed
		 * (rcumap_hash_free_work() waits for it, and frees a
		 * half-moved table as well as any other).  Between two buckets
		 * the table is in a state that every reader, updater and the
		 * free work handle.
		 */
		if (fatal_signal_pending(current))
			return -EINTR;
		if (READ_ONCE(h->destroyed))
			return -ECANCELED;
		err = grow ? rcumap_migrate_split(h, old, new, i) :
			     rcumap_migrate_merge(h, old, new, i);
		if (err)
			return err;
		cond_resched();
	}
	rcu_assign_pointer(h->tbl, new);
	atomic64_sub(rcumap_table_bytes(old), &h->bytes);
	/*
	 * Lifetime of @old.  h->tbl no longer points at it, and nothing else
	 * does (the previous table, if any, was freed when @old became
	 * current).  Readers and updaters that loaded it did so inside an RCU
	 * read-side critical section (of any flavour) and may still follow
	 * its markers; synchronize_rcu() waits for every one of them.  Every
	 * bucket slot holds the static marker, so only the array and the
	 * locks are freed.
	 */
	synchronize_rcu();
	rcumap_hash_table_free(old);
	return 0;
}

/*
 * May @tbl (the current table, with no future) shrink to half its
 * buckets?  A shrink merges bucket i with bucket i + n/2; it starts only
 * if every such pair holds at most RCUMAP_HASH_BUCKET_MAX live keys.
 * While it runs, inserts still never make a bucket longer than
 * RCUMAP_HASH_BUCKET_MAX, so a merged bucket holds at most
 * RCUMAP_HASH_BUCKET_HARD_MAX entries: the bound holds through shrinks.
 * O(buckets) loads, under h->resize_mutex, in RCU read-side sections of
 * 1024 buckets each.
 */
static bool rcumap_hash_may_shrink(struct rcumap_hash *h,
				   const struct rcumap_hash_table *tbl)
	__must_hold(&h->resize_mutex)
{
	u32 i, j, half = (tbl->mask + 1) / 2;
	bool fits = true;

	lockdep_assert_held(&h->resize_mutex);
	for (i = 0; fits && i < half; i += 1024) {
		rcu_read_lock();
		for (j = i; fits && j < min(i + 1024, half); j++)
			fits = rcumap_bucket_live(rcumap_bucket_rcu(tbl, j)) +
			       rcumap_bucket_live(rcumap_bucket_rcu(tbl, j + half)) <=
			       RCUMAP_HASH_BUCKET_MAX;
		rcu_read_unlock();
		cond_resched();
	}
	return fits;
}

/*
 * Go to @nr_buckets (a power of two) by steps of x2 or /2, finishing first
 * a step that an error interrupted.  Returns as rcumap_hash_resize().
 */
static int __rcumap_hash_resize(struct rcumap_hash *h, u32 nr_buckets)
	__must_hold(&h->resize_mutex)
{
	struct mem_cgroup *old_memcg;
	int err = 0;

	lockdep_assert_held(&h->resize_mutex);
	old_memcg = set_active_memcg(h->memcg);
	for (;;) {
		struct rcumap_hash_table *tbl = rcumap_hash_tbl_resizer(h);
		struct rcumap_hash_table *new = rcumap_table_future_resizer(h, tbl);
		u32 n = tbl->mask + 1;

		if (!new) {
			if (n == nr_buckets)
				break;
			if (n > nr_buckets && !rcumap_hash_may_shrink(h, tbl)) {
				err = -ENOSPC;
				break;
			}
			new = rcumap_hash_table_alloc(n < nr_buckets ? n * 2 : n / 2,
						      h->resize_gfp);
			if (!new) {
				err = -ENOMEM;
				break;
			}
			/* Initialised (all empty) before it is published. */
			rcu_assign_pointer(tbl->future, new);
			atomic64_add(rcumap_table_bytes(new), &h->bytes);
		}
		err = rcumap_hash_migrate(h, tbl, new);
		if (err)
			break;
	}
	set_active_memcg(old_memcg);
	return err;
}

/*
 * An insert into a resizable table found its key's bucket full, with the
 * table of @n buckets past its growth threshold: the resize worker has
 * not kept up.  Grow it here, one step, if it still has @n buckets; the
 * floor of rcumap_hash_resize() is not moved (this is the worker's job,
 * done early).  The caller may sleep.  Costs what a resize step costs:
 * O(n) bucket moves and a grace period.
 */
static int rcumap_hash_grow(struct rcumap_hash *h, u32 n)
{
	int err = 0;

	mutex_lock(&h->resize_mutex);
	if (rcumap_hash_tbl_resizer(h)->mask + 1 == n)
		err = __rcumap_hash_resize(h, n * 2);
	mutex_unlock(&h->resize_mutex);
	return err;
}

/**
 * rcumap_hash_resize() - Change the bucket count of a table.
 * @h: Table.
 * @nr_buckets: New bucket count, rounded up to a power of two, 1 to
 *	%RCUMAP_HASH_MAX_BUCKETS.
 *
 * Moves the entries to a new bucket array while lookups and updates go
 * on: readers never wait, an updater waits at most for the bucket lock
 * while its bucket is moved.  The count, every key and every value are
 * unchanged; no value is handed to the free callback (entries that were
 * already dead are).  The table goes by steps of x2 or /2, each a new
 * array; a step that an error interrupted is finished first.  Each step
 * visits every bucket of the array it leaves, so a resize costs the sum of
 * the bucket counts it goes through plus the entries, even in a nearly
 * empty table; a fatal signal interrupts it between two buckets, or while
 * it waits for a resize in progress (one at a time: at worst a step of the
 * table's own worker, or another caller's whole resize).  Allocations are
 * charged like the table's own (see rcumap_hash_create()).
 *
 * Works on any table.  On a table that resizes itself
 * (%RCUMAP_HASH_F_RESIZE) the size asked for is also the table's new
 * floor, as if it had been created with it: once this returns 0, the
 * worker never takes the table below @nr_buckets (with
 * %RCUMAP_HASH_F_SHRINK it shrinks back to it, not below; without, it
 * never shrinks), and grows it past @nr_buckets only when the entries
 * call for it (more than 2 per bucket), as it would have anyway.  So a
 * table sized ahead of a burst of inserts stays that size when they are
 * deleted, and a table shrunk to save memory grows back only under load;
 * to let it shrink further, resize it again.  The worker decides each of
 * its steps under the same mutex as this, from the table as it is: it
 * never finishes a decision taken before this call.
 *
 * The bucket bound holds across resizes: a table without
 * %RCUMAP_HASH_F_RESIZE cannot go below rcumap_hash_buckets_for() of its
 * max_entries, and a step that halves the table starts only if every two
 * buckets it merges hold at most %RCUMAP_HASH_BUCKET_MAX keys together.
 *
 * Context: Process context.  May sleep (waits for grace periods).  Must
 * not race with rcumap_hash_destroy().
 * Return: 0 if the table has @nr_buckets buckets, -EINVAL if @nr_buckets
 * is 0 or too large, or too small for max_entries in a table without
 * %RCUMAP_HASH_F_RESIZE, -ENOSPC if the keys in the table do not fit in
 * fewer buckets within the bound, -ENOMEM if an array or bucket could not
 * be allocated, -EINTR if the caller got a fatal signal.  After an error
 * no entry is lost and the floor is unchanged, but the table may be left
 * part-way through a step, which its users cannot see (but it holds two
 * bucket arrays); the next resize, explicit or by the worker, finishes
 * that step first.
 */
int rcumap_hash_resize(struct rcumap_hash *h, u32 nr_buckets)
{
	int err;

	if (!nr_buckets || nr_buckets > RCUMAP_HASH_MAX_BUCKETS)
		return -EINVAL;
	nr_buckets = roundup_pow_of_two(nr_buckets);
	if (!(h->flags & RCUMAP_HASH_F_RESIZE) &&
	    nr_buckets < rcumap_hash_buckets_for(h->max_entries))
		return -EINVAL;

	if (mutex_lock_killable(&h->resize_mutex))
		return -EINTR;
	err = __rcumap_hash_resize(h, nr_buckets);
	/* Read without the mutex by rcumap_hash_check_size(), a hint. */
	if (!err)
		WRITE_ONCE(h->min_buckets, nr_buckets);
	mutex_unlock(&h->resize_mutex);
	return err;
}
EXPORT_SYMBOL_GPL(rcumap_hash_resize);

/*
 * Where the worker takes the table next, decided under h->resize_mutex
 * from the table as it is: the end of a step that an error interrupted,
 * or one step towards what rcumap_hash_auto_size() wants; 0: nowhere.
 */
static u32 rcumap_hash_worker_target(const struct rcumap_hash *h)
	__must_hold(&h->resize_mutex)
{
	const struct rcumap_hash_table *tbl = rcumap_hash_tbl_resizer(h);
	const struct rcumap_hash_table *future = rcumap_table_future_resizer(h, tbl);

	return future ? future->mask + 1 :
			rcumap_hash_auto_size(h, tbl->mask + 1);
}

/*
 * The resize worker, on rcumap_wq: finishes an interrupted step, then
 * steps the table towards the size rcumap_hash_auto_size() wants.  It
 * decides and takes each step in one hold of h->resize_mutex, so that no
 * explicit resize comes between the two, and drops the mutex between
 * steps, so that an explicit resize waits for one step at most.  After
 * an allocation failure it tries again later, backing off up to
 * RCUMAP_RESIZE_BACKOFF_MAX.  rcumap_hash_free_work() cancels it (and
 * waits for it) before freeing the table.
 */
static void rcumap_hash_resize_work(struct work_struct *work)
{
	struct rcumap_hash *h = container_of(to_delayed_work(work),
					     struct rcumap_hash, resize_work);
	u32 target;
	int err;

	for (;;) {
		/* A kworker gets no signals: nothing to be killable for. */
		mutex_lock(&h->resize_mutex);
		target = rcumap_hash_worker_target(h);
		err = target ? __rcumap_hash_resize(h, target) : 0;
		if (!target || err)
			break;
		mutex_unlock(&h->resize_mutex);
		cond_resched();
	}
	/* A table being destroyed is left alone. */
	if (err && err != -ECANCELED) {
		queue_delayed_work(rcumap_wq, &h->resize_work, h->resize_backoff);
		h->resize_backoff = min(h->resize_backoff * 2,
					(unsigned long)RCUMAP_RESIZE_BACKOFF_MAX);
	} else {
		h->resize_backoff = RCUMAP_RESIZE_BACKOFF_MIN;
	}
	mutex_unlock(&h->resize_mutex);
}

/* How a table stores its entries: see rcumap_hash_create_layout(). */
enum rcumap_layout {
	RCUMAP_LAYOUT_AUTO,	/* by size: RCUMAP_HASH_INLINE_MAX */
	RCUMAP_LAYOUT_INLINE,
	RCUMAP_LAYOUT_INDIRECT,
};

/*
 * rcumap_hash_create(), with the layout forced for the tests and the
 * measurements that compare the two at one size; otherwise an entry whose
 * key and value, each padded to 8 bytes, take more than
 * %RCUMAP_HASH_INLINE_MAX bytes goes out of line (Documentation/rcumap.rst,
 * "Out-of-line entries", says why there).
 */
static struct rcumap_hash *
rcumap_hash_create_layout(const struct rcumap_hash_params *params, gfp_t gfp,
			  enum rcumap_layout layout)
{
	struct rcumap_hash_table *tbl;
	struct rcumap_hash *h;
	u32 nr_buckets, inline_size;

	if ((params->flags & ~(RCUMAP_HASH_F_RESIZE | RCUMAP_HASH_F_SHRINK)) ||
	    ((params->flags & RCUMAP_HASH_F_SHRINK) &&
	     !(params->flags & RCUMAP_HASH_F_RESIZE)) ||
	    !params->key_size || !params->max_entries ||
	    params->max_entries > RCUMAP_HASH_MAX_ENTRIES ||
	    params->nr_buckets > RCUMAP_HASH_MAX_BUCKETS)
		return ERR_PTR(-EINVAL);
	/* BPF's rule: a key and a value too big together are -E2BIG. */
	if (params->key_size > RCUMAP_HASH_MAX_KEY_SIZE ||
	    params->value_size > RCUMAP_HASH_MAX_VALUE_SIZE ||
	    (u64)params->key_size + params->value_size >
	    RCUMAP_HASH_MAX_KEY_VALUE_SIZE)
		return ERR_PTR(-E2BIG);

	nr_buckets = params->nr_buckets;
	if (!nr_buckets && (params->flags & RCUMAP_HASH_F_RESIZE))
		nr_buckets = min_t(u32, params->max_entries,
				   RCUMAP_HASH_RESIZE_MIN_BUCKETS);
	else if (!nr_buckets)
		nr_buckets = min_t(u32, params->max_entries,
				   RCUMAP_HASH_MAX_BUCKETS);
	nr_buckets = roundup_pow_of_two(nr_buckets);
	/* A fixed table must hold max_entries within the bucket bound. */
	if (!(params->flags & RCUMAP_HASH_F_RESIZE) &&
	    nr_buckets < rcumap_hash_buckets_for(params->max_entries))
		return ERR_PTR(-EINVAL);

	h = kzalloc(sizeof(*h), gfp);
	if (!h)
		return ERR_PTR(-ENOMEM);
	tbl = rcumap_hash_table_alloc(nr_buckets, gfp);
	if (!tbl) {
		kfree(h);
		return ERR_PTR(-ENOMEM);
	}

	h->key_size = params->key_size;
	h->value_size = params->value_size;
	h->key_stride = ALIGN(params->key_size, 8);
	/* At most 4 MiB + 8: no overflow. */
	inline_size = h->key_stride + ALIGN(params->value_size, 8);
	h->indirect = layout == RCUMAP_LAYOUT_INDIRECT ||
		      (layout == RCUMAP_LAYOUT_AUTO &&
		       inline_size > RCUMAP_HASH_INLINE_MAX);
	if (h->indirect) {
		h->entry_size = sizeof(void *);
		h->elem_size = h->key_stride + params->value_size;
		h->lookup_ks = 0;
	} else {
		h->entry_size = inline_size;
		h->lookup_ks = params->key_size;
	}
	h->tail = h->indirect || params->free_value;
	h->max_entries = params->max_entries;
	/*
	 * Delete cannot sleep or fail, but what it allocates is charged
	 * like an update's when the table is (to the deleting task's memory
	 * cgroup), or a delete would swap a charged bucket for an uncharged
	 * one.
	 */
	h->remove_gfp = GFP_NOWAIT | __GFP_NOWARN | (gfp & __GFP_ACCOUNT);
	h->free_value = params->free_value;
	h->free_priv = params->free_priv;
	h->flags = params->flags;
	h->min_buckets = nr_buckets;
	/*
	 * A resize runs in a worker (or in whoever calls rcumap_hash_resize()),
	 * not in the creator: charge it to the memory cgroup that this
	 * allocation with @gfp would be charged to, as BPF maps do.
	 */
	h->resize_gfp = GFP_KERNEL | __GFP_NOWARN | (gfp & __GFP_ACCOUNT);
	if (gfp & __GFP_ACCOUNT)
		h->memcg = get_mem_cgroup_from_mm(NULL);
	mutex_init(&h->resize_mutex);
	INIT_DELAYED_WORK(&h->resize_work, rcumap_hash_resize_work);
	h->resize_backoff = RCUMAP_RESIZE_BACKOFF_MIN;
	h->seed = get_random_u32();
	atomic_set(&h->count, 0);
	atomic64_set(&h->bytes, rcumap_table_bytes(tbl));
	/* @h is not yet visible to anyone: no ordering is needed. */
	RCU_INIT_POINTER(h->tbl, tbl);
	return h;
}

/**
 * rcumap_hash_create() - Create a hash table.
 * @params: Key size, value size, capacity and bucket count of the table.
 * @gfp: Allocation flags for the table itself (e.g. %GFP_KERNEL_ACCOUNT).
 *
 * If @gfp has %__GFP_ACCOUNT, so do the allocations of deletes, which
 * otherwise use %GFP_NOWAIT: the smaller bucket a delete builds is charged
 * to the deleting task's memory cgroup, as an update's bucket is charged
 * to the updating task's (which passes its own flags).
 *
 * Each table gets its own random hash seed.  Every bucket starts empty.
 * A table whose key and value, each rounded up to 8 bytes, take more than
 * %RCUMAP_HASH_INLINE_MAX bytes keeps them out of its buckets, in one
 * element per entry, so that an update copies a pointer per neighbour
 * rather than its key and value (see rcumap_hash_update()).
 *
 * With %RCUMAP_HASH_F_RESIZE in @params->flags the table grows (and with
 * %RCUMAP_HASH_F_SHRINK also shrinks, never below its initial size or that
 * of the last explicit resize) in a worker; see rcumap_hash_resize().  A
 * resize charges its allocations to the memory cgroup that @gfp charges
 * here (if @gfp has %__GFP_ACCOUNT: the task's, or the active remote one),
 * whichever task runs it.
 *
 * Context: Process context if @gfp allows sleeping.
 * Return: The new table, ERR_PTR(-EINVAL) if the key size is 0, or the
 * capacity, the bucket count or the flags are out of range (a table
 * without %RCUMAP_HASH_F_RESIZE needs rcumap_hash_buckets_for() buckets),
 * ERR_PTR(-E2BIG) if the key, the value or the two together are larger
 * than %RCUMAP_HASH_MAX_KEY_SIZE, %RCUMAP_HASH_MAX_VALUE_SIZE or
 * %RCUMAP_HASH_MAX_KEY_VALUE_SIZE, or ERR_PTR(-ENOMEM).
 */
struct rcumap_hash *rcumap_hash_create(const struct rcumap_hash_params *params,
				       gfp_t gfp)
{
	return rcumap_hash_create_layout(params, gfp, RCUMAP_LAYOUT_AUTO);
}
EXPORT_SYMBOL_GPL(rcumap_hash_create);

static void rcumap_hash_free_work(struct work_struct *work)
{
	struct rcumap_hash *h = container_of(to_rcu_work(work),
					     struct rcumap_hash, free_work);
	/*
	 * A grace period has passed since rcumap_hash_destroy(), and its
	 * caller guaranteed that nothing could find @h any more: every
	 * reader that had found it has left its read-side critical section.
	 */
	struct rcumap_hash_table *tbl, *next;
	u32 i;

	/*
	 * No update runs or will, so nothing queues the resize worker any
	 * more; it may still be queued (or backing off) or running.  Wait
	 * for it: it frees tables and retires buckets.  Not under
	 * h->resize_mutex: the worker takes it, so waiting for the worker
	 * while holding it could wait for ever.
	 */
	cancel_delayed_work_sync(&h->resize_work);
	/*
	 * Buckets retired before the destroy may still wait for their grace
	 * period, and their callbacks use @h.
	 */
	if (h->tail)
		rcu_barrier();
	/*
	 * Take the table as a resize does, as rhashtable's destroy takes its
	 * mutex, so that every load below names the lock that keeps the
	 * arrays still.  Nobody else can want it now: the worker is stopped
	 * for good (cancel_delayed_work_sync() returned, and nothing
	 * queues it again), and no explicit resize may run
	 * (rcumap_hash_destroy()'s contract); so this never waits, and
	 * holding it across the frees below, which may sleep, is allowed.
	 */
	mutex_lock(&h->resize_mutex);
	/*
	 * A resize that an allocation failure interrupted leaves the table
	 * and its future, each bucket in exactly one of them (the other
	 * holds RCUMAP_MOVED or nothing).
	 */
	for (tbl = rcumap_hash_tbl_resizer(h); tbl; tbl = next) {
		next = rcumap_table_future_resizer(h, tbl);
		for (i = 0; i <= tbl->mask; i++) {
			struct rcumap_bucket *b = rcumap_bucket_destroyer(h, tbl, i);

			/* Elements may be megabytes each: yield per bucket. */
			if (h->indirect || !(i % 1024))
				cond_resched();
			if (!b || b == RCUMAP_MOVED)
				continue;
			/*
			 * Every entry, dead or alive: each element is in
			 * exactly one bucket still in the table, or was freed
			 * by the callback of the bucket it left with.
			 */
			if (h->tail)
				rcumap_bucket_release(h, b,
						      RCUMAP_BUCKET_NONE_GONE,
						      false, true);
			kvfree(b);
		}
		rcumap_hash_table_free(tbl);
	}
	mutex_unlock(&h->resize_mutex);
	mem_cgroup_put(h->memcg);
	mutex_destroy(&h->resize_mutex);
	kfree(h);
}

/**
 * rcumap_hash_destroy() - Destroy a hash table and every entry in it.
 * @h: Table, or NULL.
 *
 * The caller must make sure that no update (rcumap_hash_resize() included)
 * is running or will start and that no new reader can find @h.  Readers
 * that found @h earlier may still be inside their RCU read-side critical
 * sections: @h and its entries are freed only after a grace period, from
 * a workqueue.  A resize that the table is doing itself stops between two
 * buckets, and that work first cancels or waits for it; it is also where
 * the free callback, if any, runs for every value still in the table.
 * rcumap_hash_barrier() waits for it.
 *
 * Context: Any context.
 */
void rcumap_hash_destroy(struct rcumap_hash *h)
{
	if (!h)
		return;
	/*
	 * Read by a resize worker that may be running, so that it stops
	 * early (see rcumap_hash_migrate()); not a lock: the destroy work
	 * waits for the worker, then takes h->resize_mutex.
	 */
	WRITE_ONCE(h->destroyed, true);
	INIT_RCU_WORK(&h->free_work, rcumap_hash_free_work);
	queue_rcu_work(rcumap_wq, &h->free_work);
}
EXPORT_SYMBOL_GPL(rcumap_hash_destroy);

/**
 * rcumap_hash_barrier() - Wait for every free callback of destroyed tables.
 *
 * Free callbacks (&rcumap_hash_params.free_value) run after a grace period,
 * some of them after rcumap_hash_destroy() has returned.  Once this
 * returns, every callback of every table destroyed before the call has
 * run and the tables are freed: a module that passed a callback calls it
 * before it frees the callback's @free_priv and in its exit path, as it
 * would call rcu_barrier() for its own call_rcu() callbacks.
 *
 * Context: Process context.  May sleep.
 */
void rcumap_hash_barrier(void)
{
	/*
	 * Every destroy queued an rcu_work: after rcu_barrier() each of them
	 * is on the workqueue (and every bucket retired before it has been
	 * freed), and the flush waits for them to finish.
	 */
	rcu_barrier();
	flush_workqueue(rcumap_wq);
}
EXPORT_SYMBOL_GPL(rcumap_hash_barrier);

/*
 * The lookup of a key whose bucket has been moved by a resize: out of line,
 * so that the fast path below keeps its shape.
 */
static noinline void *rcumap_hash_lookup_moved(const struct rcumap_hash *h,
					       const void *key, u32 hash)
{
	struct rcumap_bucket *b = rcumap_bucket_get(h, hash, NULL);
	int idx = rcumap_bucket_find(h, b, hash, key);

	return idx < 0 ? NULL : rcumap_entry_value(h, b, idx);
}

static __always_inline void *rcumap_hash_lookup_ks(const struct rcumap_hash *h,
						   const void *key, u32 ks)
{
	u32 hash = rcumap_hash_key_ks(h, key, ks);
	struct rcumap_bucket *b = rcumap_bucket_rcu(rcumap_hash_tbl(h), hash);
	void *entries;
	u32 i, nr;

	if (!b)
		return NULL;
	/* As rcumap_bucket_find_ks(), but keeping the entry's address. */
	nr = b->nr;
	entries = (void *)b + rcumap_bucket_entries_offset(nr);
	for (i = 0; i < nr; i++, entries += h->entry_size) {
		if (READ_ONCE(b->hash[i]) == hash &&
		    rcumap_key_equal_ks(entries, key, ks))
			return entries + ALIGN(ks, 8);
	}
	/*
	 * RCUMAP_MOVED has no entries: checking for it on the miss path
	 * costs hits nothing.
	 */
	if (unlikely(b == RCUMAP_MOVED))
		return rcumap_hash_lookup_moved(h, key, hash);
	return NULL;
}

/*
 * The lookup of an indirect table: the hash words as ever, then the key
 * in the element of each entry whose hash matches, one dependent load
 * more than inline.  Resize markers are followed by rcumap_bucket_get().
 */
static void *rcumap_hash_lookup_indirect(const struct rcumap_hash *h,
					 const void *key)
{
	u32 hash = rcumap_hash_key(h, key);
	struct rcumap_bucket *b = rcumap_bucket_get(h, hash, NULL);
	int idx = rcumap_bucket_find(h, b, hash, key);

	return idx < 0 ? NULL : rcumap_entry_value(h, b, idx);
}

static noinline void *rcumap_hash_lookup_any(const struct rcumap_hash *h,
					     const void *key)
{
	if (h->indirect)
		return rcumap_hash_lookup_indirect(h, key);
	return rcumap_hash_lookup_ks(h, key, h->key_size);
}

/**
 * rcumap_hash_lookup() - Find the value stored for a key.
 * @h: Table.
 * @key: Key to look for.
 *
 * The returned value must not be written: other readers may be looking at
 * it.  It stays valid, and never changes, until the caller leaves its RCU
 * read-side critical section, even if the key is updated or deleted
 * meanwhile; a later lookup then finds the new state.
 *
 * Context: Any context.  The caller must hold an RCU read lock
 * (rcu_read_lock(), rcu_read_lock_bh() or preemption disabled).
 * Return: The value for @key, or %NULL if @key is not in the table.
 */
void *rcumap_hash_lookup(const struct rcumap_hash *h, const void *key)
{
	/*
	 * The common key sizes get a copy of the lookup specialised for
	 * them, in inline tables; the others, and indirect tables (whose
	 * h->lookup_ks is 0), go out of line, so that the fast paths stay
	 * leaf functions with few registers to save.
	 */
	if (likely(h->lookup_ks == 8))
		return rcumap_hash_lookup_ks(h, key, 8);
	if (h->lookup_ks == 4)
		return rcumap_hash_lookup_ks(h, key, 4);
	return rcumap_hash_lookup_any(h, key);
}
EXPORT_SYMBOL_GPL(rcumap_hash_lookup);

/**
 * rcumap_hash_lookup_copy() - Copy out the value stored for a key.
 * @h: Table.
 * @key: Key to look for.
 * @value: Buffer of the table's value size.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: 0 if @value was filled in, -ENOENT if @key is not in the table.
 */
int rcumap_hash_lookup_copy(const struct rcumap_hash *h, const void *key,
			    void *value)
{
	void *v;
	int err = -ENOENT;

	rcu_read_lock();
	v = rcumap_hash_lookup(h, key);
	if (v) {
		memcpy(value, v, h->value_size);
		err = 0;
	}
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_GPL(rcumap_hash_lookup_copy);

/*
 * ---- Bulk lookup ----
 *
 * rcumap_hash_lookup_bulk() looks keys up in groups of
 * RCUMAP_HASH_BULK_GROUP, in three passes over a group: hash every key and
 * prefetch its bucket pointer; load every bucket pointer and prefetch the
 * bucket; then scan the buckets.  A lookup in a large table costs two
 * dependent cache misses (the bucket array, then the bucket); one at a time
 * they add up, while the passes let the misses of a whole group overlap, as
 * DPDK's rte_hash_lookup_bulk() does.  The scan is rcumap_hash_lookup()'s,
 * so a bulk lookup finds exactly what that many single lookups would.
 */
#define RCUMAP_HASH_BULK_GROUP	16

/* Bring the start of @b (its header, hash words, first entries) in. */
static inline void rcumap_bucket_prefetch(const struct rcumap_bucket *b)
{
	prefetch(b);
	prefetch((const void *)b + L1_CACHE_BYTES);
}

static __always_inline u32
rcumap_hash_lookup_group_ks(const struct rcumap_hash *h, const void *keys,
			    u32 n, void **values, u32 ks)
{
	const struct rcumap_hash_table *tbl = rcumap_hash_tbl(h);
	struct rcumap_bucket *b[RCUMAP_HASH_BULK_GROUP];
	u32 hash[RCUMAP_HASH_BULK_GROUP];
	u32 i, found = 0;

	for (i = 0; i < n; i++) {
		hash[i] = rcumap_hash_key_ks(h, keys + (size_t)i * ks, ks);
		prefetch(&tbl->buckets[hash[i] & tbl->mask]);
	}
	for (i = 0; i < n; i++) {
		b[i] = rcumap_bucket_rcu(tbl, hash[i]);
		if (b[i])
			rcumap_bucket_prefetch(b[i]);
	}
	for (i = 0; i < n; i++) {
		const void *key = keys + (size_t)i * ks;
		const struct rcumap_hash_table *t = tbl;
		int idx;

		if (unlikely(b[i] == RCUMAP_MOVED))
			b[i] = rcumap_bucket_follow(&t, hash[i]);
		idx = rcumap_bucket_find_ks(h, b[i], hash[i], key, ks);
		values[i] = idx < 0 ? NULL : rcumap_entry_value(h, b[i], idx);
		found += idx >= 0;
	}
	return found;
}

static noinline u32 rcumap_hash_lookup_group_any(const struct rcumap_hash *h,
						 const void *keys, u32 n,
						 void **values)
{
	return rcumap_hash_lookup_group_ks(h, keys, n, values, h->key_size);
}

/**
 * rcumap_hash_lookup_bulk() - Find the values stored for several keys.
 * @h: Table.
 * @keys: @n keys of the table's key size, one after the other, unaligned
 *	and unpadded.
 * @n: How many keys.
 * @values: Array of @n pointers: @values[i] is set to the value of the
 *	i-th key, or to %NULL if it is not in the table.
 *
 * Finds what @n calls of rcumap_hash_lookup() would, in the same order,
 * but hashes the keys of a group first and prefetches their buckets before
 * it scans any, so that the cache misses of many keys overlap (see "Bulk
 * lookup" above): in a table larger than the caches this is faster than
 * single lookups.  The values are valid, and never change, until the
 * caller leaves its RCU read-side critical section, as rcumap_hash_lookup()
 * says.  A key may appear more than once.
 *
 * Its cost is @n lookups, all in the caller's read-side critical section:
 * the caller bounds @n (rcumap_hash_lookup_bulk_copy() takes the RCU read
 * lock for one group at a time).
 *
 * Context: Any context.  The caller must hold an RCU read lock
 * (rcu_read_lock(), rcu_read_lock_bh() or preemption disabled).
 * Return: How many of the @n keys were found.
 */
u32 rcumap_hash_lookup_bulk(const struct rcumap_hash *h, const void *keys,
			    u32 n, void **values)
{
	u32 ks = h->key_size, found = 0;

	while (n) {
		u32 g = min_t(u32, n, RCUMAP_HASH_BULK_GROUP);

		/* The same paths, for the same reasons, as a single lookup. */
		if (likely(h->lookup_ks == 8))
			found += rcumap_hash_lookup_group_ks(h, keys, g,
							     values, 8);
		else if (h->lookup_ks == 4)
			found += rcumap_hash_lookup_group_ks(h, keys, g,
							     values, 4);
		else
			found += rcumap_hash_lookup_group_any(h, keys, g,
							      values);
		keys += (size_t)g * ks;
		values += g;
		n -= g;
	}
	return found;
}
EXPORT_SYMBOL_GPL(rcumap_hash_lookup_bulk);

/**
 * rcumap_hash_lookup_bulk_copy() - Copy out the values of several keys.
 * @h: Table.
 * @keys: @n keys, as rcumap_hash_lookup_bulk() takes them.
 * @n: How many keys.
 * @values: Buffer of @n values of the table's value size, one after the
 *	other: the i-th is filled in if the i-th key is found, else left
 *	alone.
 * @found: Bitmap of @n bits: bit i is set if the i-th key was found,
 *	cleared if not.
 *
 * As rcumap_hash_lookup_bulk(), copying each value out.  The RCU read lock
 * is taken for one group of keys at a time, so the read-side critical
 * sections this makes are short whatever @n is; each value is one that
 * the key held at some moment during the call.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: How many of the @n keys were found.
 */
u32 rcumap_hash_lookup_bulk_copy(const struct rcumap_hash *h, const void *keys,
				 u32 n, void *values, unsigned long *found)
{
	void *v[RCUMAP_HASH_BULK_GROUP];
	u32 done, hits = 0;

	for (done = 0; done < n; ) {
		u32 g = min_t(u32, n - done, RCUMAP_HASH_BULK_GROUP);
		u32 i;

		rcu_read_lock();
		hits += rcumap_hash_lookup_bulk(h, keys + (size_t)done *
						h->key_size, g, v);
		for (i = 0; i < g; i++) {
			if (!v[i]) {
				__clear_bit(done + i, found);
				continue;
			}
			memcpy(values + (size_t)(done + i) * h->value_size,
			       v[i], h->value_size);
			__set_bit(done + i, found);
		}
		rcu_read_unlock();
		done += g;
	}
	return hits;
}
EXPORT_SYMBOL_GPL(rcumap_hash_lookup_bulk_copy);

/**
 * rcumap_hash_update() - Insert a key or replace its value.
 * @h: Table.
 * @key: Key.
 * @value: Value of the table's value size; copied into the table.
 * @mode: %RCUMAP_ANY, %RCUMAP_NOEXIST or %RCUMAP_EXIST.
 * @gfp: Allocation flags for the key's new bucket (and element).
 *
 * Builds a new bucket holding the update and publishes it; readers see
 * either the old value or the new one, never a mixture.  On any error the
 * table is unchanged.
 *
 * An insert never makes a bucket hold more than %RCUMAP_HASH_BUCKET_MAX
 * keys: into a full bucket it fails with -ENOSPC.  In a resizable table
 * whose load has passed the growth threshold (the worker is behind), a
 * caller whose @gfp may sleep first grows the table by one step itself.
 *
 * Cost: O(%RCUMAP_HASH_BUCKET_HARD_MAX) under the bucket lock (a scan and
 * a copy of the bucket); plus, at most once, a resize step when a
 * resizable table grows here.  The copy is bounded in bytes too: an
 * inline entry takes at most %RCUMAP_HASH_INLINE_MAX bytes, and a table
 * with larger ones copies a pointer per neighbour, the new key and value
 * going into an element allocated and filled before the lock is taken.
 *
 * Context: Process or softirq context, interrupts enabled; may sleep if
 * @gfp allows.  Takes and releases the RCU read lock and the bucket lock
 * (and the resize mutex, if it grows the table).
 * Return: 0 on success, -EINVAL if @mode is unknown, -EEXIST if @mode is
 * %RCUMAP_NOEXIST and @key is present, -ENOENT if @mode is %RCUMAP_EXIST
 * and @key is absent, -E2BIG if @key is new and the table already holds
 * max_entries keys, -ENOSPC if @key is new and its bucket already holds
 * %RCUMAP_HASH_BUCKET_MAX keys, -ENOMEM if the new bucket (or element)
 * cannot be allocated.
 */
int rcumap_hash_update(struct rcumap_hash *h, const void *key,
		       const void *value, u32 mode, gfp_t gfp)
{
	int err = rcumap_hash_update_slack(h, key, value, mode, gfp, 0);

	return err < 0 ? err : 0;
}
EXPORT_SYMBOL_GPL(rcumap_hash_update);

/* Is the table at @limit keys (or past it)? */
static bool rcumap_hash_count_at(const struct rcumap_hash *h, u32 limit)
{
	return (u32)atomic_read(&h->count) >= limit;
}

/* Count one more key unless the count is already at @limit (or past it). */
static bool rcumap_hash_count_inc_below(struct rcumap_hash *h, u32 limit)
{
	int c = atomic_read(&h->count);

	do {
		if ((u32)c >= limit)
			return false;
	} while (!atomic_try_cmpxchg(&h->count, &c, c + 1));
	return true;
}

/*
 * rcumap_hash_update(), except that an insert may take the count up to
 * max_entries + @extra, and that success is 1 for an insert and 0 for a
 * replace.  For the LRU layer (kmod/hash_lru.c), which inserts first and
 * then evicts if the insert took the table past max_entries, so that an
 * insert that fails has evicted nothing.
 */
int rcumap_hash_update_slack(struct rcumap_hash *h, const void *key,
			     const void *value, u32 mode, gfp_t gfp, u32 extra)
{
	u32 hash = rcumap_hash_key(h, key);
	struct rcumap_bucket *old, *new, *retired = NULL;
	struct rcumap_hash_table *tbl;
	spinlock_t *lock;	/* the key's bucket lock */
	u32 room, nr, n = 0, gone = RCUMAP_BUCKET_NONE_GONE;
	void *elem = NULL;	/* indirect: the new key and value */
	bool grown = false;
	s64 elems;
	int idx, err;

	if (mode > RCUMAP_EXIST)
		return -EINVAL;
	might_alloc(gfp);

again:
	/*
	 * Size the new bucket from an unlocked look at the current one.  If
	 * that look already decides the outcome, stop here: the answer was
	 * true at the moment of the look.
	 */
	rcu_read_lock();
	old = rcumap_bucket_get(h, hash, NULL);
	idx = rcumap_bucket_find(h, old, hash, key);
	room = rcumap_bucket_need(old, idx);
	rcu_read_unlock();
	if (idx >= 0 && mode == RCUMAP_NOEXIST)
		return -EEXIST;
	if (idx < 0 && mode == RCUMAP_EXIST)
		return -ENOENT;
	if (idx < 0 && room > RCUMAP_HASH_BUCKET_MAX) {
		if (rcumap_hash_count_at(h, h->max_entries + extra))
			return -E2BIG;
		n = rcumap_hash_nr_buckets(h);
		goto out_full;
	}

	/*
	 * An indirect table's key and value go into their own element, the
	 * only copy of them the update makes, outside the lock.
	 */
	if (h->indirect) {
		elem = rcumap_elem_new(h, key, value, gfp);
		if (!elem)
			return -ENOMEM;
	}
	for (;;) {
		new = rcumap_bucket_alloc(h, room, gfp);
		if (!new) {
			kvfree(elem);
			return -ENOMEM;
		}

		rcu_read_lock();
		old = rcumap_bucket_lock_get(h, hash, &tbl, &lock);
		idx = rcumap_bucket_find(h, old, hash, key);
		nr = rcumap_bucket_need(old, idx);
		if (nr <= room)
			break;
		/* The bucket grew since we looked: try again, bigger. */
		spin_unlock_bh(lock);
		rcu_read_unlock();
		kvfree(new);
		room = nr;
	}

	if (idx >= 0 && mode == RCUMAP_NOEXIST) {
		err = -EEXIST;
		goto out_unlock;
	}
	if (idx < 0 && mode == RCUMAP_EXIST) {
		err = -ENOENT;
		goto out_unlock;
	}
	/*
	 * The bound on bucket length (see rcumap_hash_buckets_for()); a
	 * table that is full as well says so first.
	 */
	if (idx < 0 && nr > RCUMAP_HASH_BUCKET_MAX) {
		n = tbl->mask + 1;
		err = rcumap_hash_count_at(h, h->max_entries + extra) ?
		      -E2BIG : -ENOSPC;
		goto out_unlock;
	}
	if (idx < 0 && !rcumap_hash_count_inc_below(h, h->max_entries + extra)) {
		err = -E2BIG;
		goto out_unlock;
	}
	rcumap_bucket_fill(h, new, nr, old,
			   idx < 0 ? RCUMAP_EDIT_INSERT : RCUMAP_EDIT_REPLACE,
			   idx, hash, key, value, elem);
	gone = idx < 0 ? RCUMAP_BUCKET_NONE_GONE : idx;
	/*
	 * The element that came in, less those that leave: the replaced
	 * one, or the dead ones an insert drops.
	 */
	elems = elem ? rcumap_elem_bytes(h, elem) -
		       rcumap_bucket_lost_bytes(h, old, gone, idx >= 0) : 0;
	__rcumap_hash_publish(h, tbl, hash, old, new, elems);
	retired = old;
	new = NULL;
	elem = NULL;
	err = idx < 0;
out_unlock:
	spin_unlock_bh(lock);
	if (err > 0)
		rcumap_hash_check_size(h);
	rcu_read_unlock();
	/* A replace carried @old's dead entries over; an insert did not. */
	rcumap_bucket_retire(h, retired, gone, idx >= 0);
	/* Never published, if still ours: nobody else has seen them. */
	kvfree(new);
	kvfree(elem);
	elem = NULL;
	if (err != -ENOSPC)
		return err;
out_full:
	/*
	 * The key's bucket holds RCUMAP_HASH_BUCKET_MAX keys.  With random
	 * keys that happens only in a resizable table whose worker has
	 * fallen behind a burst of inserts (at the load where it grows, two
	 * per bucket, a bucket of 64 is far beyond any chance): then a
	 * caller that may sleep grows the table itself, once, and tries
	 * again.  Below that load the keys collide: growing would not help,
	 * so the insert fails and the table stays as it is.
	 */
	if (!grown && (h->flags & RCUMAP_HASH_F_RESIZE) &&
	    gfpflags_allow_blocking(gfp) && n < RCUMAP_HASH_MAX_BUCKETS &&
	    (u64)atomic_read(&h->count) > (u64)n * RCUMAP_GROW_LOAD) {
		grown = true;
		err = rcumap_hash_grow(h, n);
		if (!err)
			goto again;
	}
	return -ENOSPC;
}

/*
 * Delete @key, first copying its value to @value if that is not NULL.
 * Never allocates with anything but GFP_NOWAIT, and never fails for lack
 * of memory.
 */
static int rcumap_hash_take(struct rcumap_hash *h, const void *key, void *value)
{
	u32 hash = rcumap_hash_key(h, key);
	struct rcumap_bucket *old, *retired = NULL;
	struct rcumap_hash_table *tbl;
	spinlock_t *lock;	/* the key's bucket lock */
	const void *src = NULL;
	int idx, err = -ENOENT;

	rcu_read_lock();
	old = rcumap_bucket_lock_get(h, hash, &tbl, &lock);
	idx = rcumap_bucket_find(h, old, hash, key);
	if (idx >= 0) {
		src = rcumap_entry_value(h, old, idx);
		retired = __rcumap_hash_remove(h, tbl, hash, old, idx);
		err = 0;
	}
	spin_unlock_bh(lock);
	/*
	 * Copy the value out after the lock, which thus never covers a
	 * copy of more than a bucket's pointers (values may be megabytes).
	 * It is ours alone to copy: the remove under the lock made this the
	 * one call that took the key.  It is still there: it lives in @old
	 * or in @old's element, which leave the table only once @old is
	 * retired, below, and are freed after a grace period that cannot
	 * end before our rcu_read_unlock(); and it never changes.
	 */
	if (src && value)
		memcpy(value, src, h->value_size);
	if (!err)
		rcumap_hash_check_size(h);
	rcu_read_unlock();
	rcumap_bucket_retire(h, retired, idx, false);
	return err;
}

/**
 * rcumap_hash_delete() - Delete a key.
 * @h: Table.
 * @key: Key to delete.
 *
 * Delete never fails for lack of memory: when no smaller bucket can be
 * allocated without sleeping, the entry is marked dead in place and its
 * memory is reclaimed by the bucket's next update.  Readers that found the
 * entry before the delete may go on using its value until they leave
 * their RCU read-side critical section.
 *
 * Context: Process or softirq context, interrupts enabled.  Takes and
 * releases the RCU read lock and the bucket lock.
 * Return: 0 if @key was deleted, -ENOENT if it was not in the table.
 */
int rcumap_hash_delete(struct rcumap_hash *h, const void *key)
{
	return rcumap_hash_take(h, key, NULL);
}
EXPORT_SYMBOL_GPL(rcumap_hash_delete);

/**
 * rcumap_hash_lookup_and_delete() - Delete a key and return its value.
 * @h: Table.
 * @key: Key to delete.
 * @value: Buffer of the table's value size for the deleted value.
 *
 * Atomic: of two concurrent calls for the same key, exactly one returns
 * the value.  Like rcumap_hash_delete(), never fails for lack of memory.
 *
 * Context: Process or softirq context, interrupts enabled.  Takes and
 * releases the RCU read lock and the bucket lock.
 * Return: 0 if @key was deleted and @value filled in, -ENOENT if @key was
 * not in the table.
 */
int rcumap_hash_lookup_and_delete(struct rcumap_hash *h, const void *key,
				  void *value)
{
	return rcumap_hash_take(h, key, value);
}
EXPORT_SYMBOL_GPL(rcumap_hash_lookup_and_delete);

/* ---- Ordered walks ---------------------------------------------------- */

/*
 * Walk order: keys are ordered by their stored hash with its bits reversed
 * (the key's "position"), then by memcmp() of the key bytes.  A bucket
 * array of 2^n buckets indexes by the low n bits of the hash, which are
 * the high n bits of the position: at every table size, each bucket holds
 * exactly one contiguous range of positions, [i << (32 - n), (i + 1) <<
 * (32 - n)) for the bucket whose index reversed in n bits is i.  So the
 * key after a cursor is the smallest key after it in the bucket that holds
 * the cursor's position, or else the smallest key of the next non-empty
 * range; each step can look at a table of a different size.
 */
static inline u32 rcumap_hash_pos(u32 hash)
{
	return bitrev32(hash);
}

/*
 * The bucket that holds the keys whose hash is @hash, and in @mask the mask
 * that gives the range of positions it is complete for.  The caller holds
 * an RCU read lock.
 *
 * Without a resize, that is the table's mask.  A bucket reached through a
 * marker is complete only for the range of the bucket that forwarded to
 * it: after a split, the new bucket's range is the smaller one; after a
 * merge, the new bucket holds the forwarding bucket's range and its
 * partner's, but the partner's entries only once the partner has moved
 * too.  So the largest mask along the way gives the range.
 */
static struct rcumap_bucket *
rcumap_bucket_of(const struct rcumap_hash *h, u32 hash, u32 *mask)
{
	const struct rcumap_hash_table *tbl = rcumap_hash_tbl(h);
	struct rcumap_bucket *b = rcumap_bucket_rcu(tbl, hash);
	u32 m = tbl->mask;

	while (unlikely(b == RCUMAP_MOVED)) {
		tbl = rcumap_table_past_marker(tbl);
		b = rcumap_bucket_rcu(tbl, hash);
		m = max(m, tbl->mask);
	}
	*mask = m;
	return b;
}

/* Key order within one position: memcmp() of the key bytes. */
static inline int rcumap_key_cmp(const struct rcumap_hash *h, const void *a,
				 const void *b)
{
	return memcmp(a, b, h->key_size);
}

/**
 * rcumap_hash_cursor_next() - One bounded step of an ordered walk.
 * @h: Table.
 * @c: Cursor: ``{ RCUMAP_CURSOR_START }`` to start; advanced by each step.
 * @key: Buffer of the table's key size.  With @c at
 *	%RCUMAP_CURSOR_AFTER_KEY or %RCUMAP_CURSOR_AFTER_KEY_OR_START it
 *	holds the cursor's key; a step that returns 0 writes the next key
 *	over it.
 * @value: Buffer of the table's value size for the next key's value, from
 *	the same snapshot as the key, or %NULL.
 *
 * Keys come in one fixed total order: their position (rcumap_hash_key_pos(),
 * the hash with its bits reversed), then their bytes, whatever the table's
 * bucket count.  A walk from %RCUMAP_CURSOR_START to -ENOENT returns every
 * key that is in the table for the whole walk exactly once and never
 * returns a key twice, even when keys (the cursor's included) are deleted
 * or inserted, or the table is resized, between steps.  A key inserted or
 * deleted during the walk may or may not be returned.
 *
 * A step reads the bucket holding the cursor's position (see "Walk order"
 * above) as one snapshot and returns the smallest key after the cursor in
 * it, or moves on to the start of the next range.  A key present all along
 * is in that snapshot, and positions only grow, so no key is skipped or
 * repeated.
 *
 * Cost: one step visits at most %RCUMAP_HASH_WALK_BUCKETS ranges (buckets,
 * each of at most %RCUMAP_HASH_BUCKET_HARD_MAX entries) in one RCU
 * read-side critical section.  Past that many empty ones it returns
 * -EAGAIN with @c at the next range (%RCUMAP_CURSOR_AT_POS) and @key
 * untouched, so that a caller that may sleep can reschedule before the
 * next step: a sparse table of 4M buckets would otherwise cost 4M loads in
 * one section.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: 0 if @key (and @value) were filled in, -ENOENT at the end of the
 * walk (@c is then at %RCUMAP_CURSOR_END), -EAGAIN if the step stopped in
 * a run of empty buckets (call again with the same @c).
 */
int rcumap_hash_cursor_next(const struct rcumap_hash *h,
			    struct rcumap_hash_cursor *c, void *key,
			    void *value)
{
	const void *after = NULL;
	bool or_start = false;
	u32 pos = 0, ranges = 0;
	int err;

	switch (c->state) {
	case RCUMAP_CURSOR_START:
		break;
	case RCUMAP_CURSOR_AFTER_KEY_OR_START:
		or_start = true;
		fallthrough;
	case RCUMAP_CURSOR_AFTER_KEY:
		after = key;
		pos = rcumap_hash_pos(rcumap_hash_key(h, key));
		break;
	case RCUMAP_CURSOR_AT_POS:
		pos = c->pos;
		break;
	default:
		return -ENOENT;
	}

	rcu_read_lock();
	for (;;) {
		const struct rcumap_bucket *b;
		const void *best_key = NULL;
		u32 i, mask, shift, best = 0, best_pos = 0;
		bool seen_after = false;

		b = rcumap_bucket_of(h, rcumap_hash_pos(pos), &mask);
		/* The range the snapshot is complete for: [pos's prefix]. */
		shift = 32 - ilog2(mask + 1);
		for (i = 0; b && i < b->nr; i++) {
			u32 hash = READ_ONCE(b->hash[i]);
			const void *k = rcumap_entry_key(h, b, i);
			u32 p;

			if (hash == RCUMAP_HASH_DEAD)
				continue;
			p = rcumap_hash_pos(hash);
			if (p < pos ||
			    (shift < 32 && (p >> shift) != (pos >> shift)))
				continue;
			if (after && p == pos) {
				int cmp = rcumap_key_cmp(h, k, after);

				seen_after |= !cmp;
				if (cmp <= 0)
					continue;
			}
			if (!best_key || p < best_pos ||
			    (p == best_pos && rcumap_key_cmp(h, k, best_key) < 0)) {
				best_key = k;
				best_pos = p;
				best = i;
			}
		}
		if (best_key && (!or_start || seen_after)) {
			if (value)
				memcpy(value, rcumap_entry_value(h, b, best),
				       h->value_size);
			/* @key may be @after: written last. */
			memcpy(key, best_key, h->key_size);
			c->state = RCUMAP_CURSOR_AFTER_KEY;
			c->pos = best_pos;
			err = 0;
			break;
		}
		if (or_start && !seen_after) {
			/* The cursor's key is gone: BPF starts again. */
			pos = 0;
		} else if (shift < 32 && (pos >> shift) != (U32_MAX >> shift)) {
			/* The next range: every key in it is after the cursor. */
			pos = ((pos >> shift) + 1) << shift;
		} else {
			c->state = RCUMAP_CURSOR_END;
			err = -ENOENT;
			break;
		}
		after = NULL;
		or_start = false;
		/* Here @after is NULL: the cursor is a position. */
		if (++ranges == RCUMAP_HASH_WALK_BUCKETS) {
			c->state = RCUMAP_CURSOR_AT_POS;
			c->pos = pos;
			err = -EAGAIN;
			break;
		}
	}
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_GPL(rcumap_hash_cursor_next);

/*
 * A whole ordered step, @after to @key: the steps of rcumap_hash_cursor_next()
 * one after another, each in its own RCU read-side critical section.
 */
static int rcumap_hash_step(const struct rcumap_hash *h, const void *after,
			    void *key, void *value, u32 state)
{
	struct rcumap_hash_cursor c;
	int err;

	rcumap_hash_cursor_init(&c, after, key, h->key_size, state);
	do {
		err = rcumap_hash_cursor_next(h, &c, key, value);
	} while (err == -EAGAIN);
	return err;
}

/**
 * rcumap_hash_get_next_key() - Walk the keys of a table, BPF style.
 * @h: Table.
 * @key: Current key, or %NULL to start the walk.
 * @next_key: Buffer of the table's key size for the key after @key; may
 *	be @key.
 *
 * Keys are returned in the walk order of rcumap_hash_cursor_next(), which
 * does not depend on the bucket count, so a resize between two steps
 * neither repeats nor skips keys.  As with BPF's bpf_map_get_next_key(),
 * if @key is no longer in the table the walk starts again from the first
 * key; rcumap_hash_walk_after() is the variant that does not.
 *
 * Cost: the steps of rcumap_hash_cursor_next(), each in its own RCU
 * read-side critical section, until one finds a key: up to one load per
 * bucket of the table in a table with a long run of empty buckets.  A
 * caller that may sleep and wants to reschedule in such a run calls
 * rcumap_hash_cursor_next() itself.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: 0 if @next_key was filled in, -ENOENT if @key was the last key
 * (or the table is empty).
 */
int rcumap_hash_get_next_key(const struct rcumap_hash *h, const void *key,
			     void *next_key)
{
	return rcumap_hash_step(h, key, next_key, NULL,
				RCUMAP_CURSOR_AFTER_KEY_OR_START);
}
EXPORT_SYMBOL_GPL(rcumap_hash_get_next_key);

/**
 * rcumap_hash_walk_after() - Ordered walk that never restarts.
 * @h: Table.
 * @after: Cursor: the last key returned, or %NULL to start the walk.  It
 *	need not be in the table (any more).
 * @key: Buffer of the table's key size for the first key after @after;
 *	may be @after.
 * @value: Buffer of the table's value size for its value, copied from the
 *	same snapshot as the key, or %NULL to walk the keys alone.
 *
 * One whole step of rcumap_hash_cursor_next(), with its guarantees, from
 * a key cursor; the cost is that of rcumap_hash_get_next_key().  With a
 * %NULL @value, it is rcumap_hash_get_next_key() without the restart.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: 0 if @key (and @value) were filled in, -ENOENT if no key follows
 * @after.
 */
int rcumap_hash_walk_after(const struct rcumap_hash *h, const void *after,
			   void *key, void *value)
{
	return rcumap_hash_step(h, after, key, value, RCUMAP_CURSOR_AFTER_KEY);
}
EXPORT_SYMBOL_GPL(rcumap_hash_walk_after);

/**
 * rcumap_hash_key_pos() - Where a key falls in the ordered walk.
 * @h: Table.
 * @key: Any key, in the table or not.
 *
 * The order of rcumap_hash_walk_after() is: increasing position, and
 * keys of equal position in memcmp() order of their bytes.  This gives
 * the position, so that a caller (a test's reference map, say) can sort
 * keys the way the table walks them.  It depends on the table's seed and
 * on nothing else: not on the bucket count, not on what the table holds.
 *
 * A test hook, exported in the RCUMAP_TESTING namespace.
 *
 * Context: Any context.
 * Return: The position of @key in @h's walk order.
 */
u32 rcumap_hash_key_pos(const struct rcumap_hash *h, const void *key)
{
	return rcumap_hash_pos(rcumap_hash_key(h, key));
}
EXPORT_SYMBOL_NS_GPL(rcumap_hash_key_pos, RCUMAP_TESTING);

/*
 * A positional walk inside bucket @idx of @tbl: the entries are counted
 * from 0 in bucket order and the first live one at or after @w->start is
 * returned in @w->b and @w->i, with @w->seen its count + 1.
 *
 * Once a resize has moved the bucket, it stands for the entries that came
 * from it: after a split, those of the two new buckets one after the
 * other; after a merge, those of the merged bucket whose hash has
 * @fmask-bits @fidx (dead entries there cannot be told apart, and are not
 * counted).  The moves of a second resize are followed the same way; at
 * most two resizes can complete inside one RCU read-side critical section,
 * so the recursion stays shallow.
 */
struct rcumap_walk_pos {
	u32 start;
	u32 seen;
	const struct rcumap_bucket *b;
	u32 i;
};

static bool rcumap_walk_vbucket(const struct rcumap_hash *h,
				const struct rcumap_hash_table *tbl, u32 idx,
				u32 fmask, u32 fidx, struct rcumap_walk_pos *w)
{
	const struct rcumap_bucket *b = rcumap_bucket_rcu(tbl, idx);
	u32 i;

	if (unlikely(b == RCUMAP_MOVED)) {
		const struct rcumap_hash_table *future;

		future = rcumap_table_past_marker(tbl);
		if (future->mask > tbl->mask)
			return rcumap_walk_vbucket(h, future, idx, fmask, fidx, w) ||
			       rcumap_walk_vbucket(h, future, idx + tbl->mask + 1,
						   fmask, fidx, w);
		if (!fmask) {
			fmask = tbl->mask;
			fidx = idx;
		}
		return rcumap_walk_vbucket(h, future, idx & future->mask,
					   fmask, fidx, w);
	}
	for (i = 0; b && i < b->nr; i++) {
		u32 hash = READ_ONCE(b->hash[i]);

		if (fmask && (hash == RCUMAP_HASH_DEAD ||
			      (hash & fmask) != fidx))
			continue;
		if (w->seen++ < w->start || hash == RCUMAP_HASH_DEAD)
			continue;
		w->b = b;
		w->i = i;
		return true;
	}
	return false;
}

/**
 * rcumap_hash_walk() - Copy out the next entry of a positional walk.
 * @h: Table.
 * @pos: Walk position: 0 to start.  Advanced past the entry returned.
 * @key: Buffer of the table's key size.
 * @value: Buffer of the table's value size, or %NULL.
 *
 * The batch form of a walk: a position is a bucket index and an index
 * within that bucket, so a walk makes progress however long a bucket is.
 * In a table that is not being updated, a walk from 0 returns every entry
 * exactly once.  Concurrent inserts and deletes may make it miss or repeat
 * entries of the buckets they change (a replace moves no entry).  A
 * position is only meaningful for one bucket count: a walk across a
 * resize may miss or repeat entries (rcumap_hash_walk_after() does not).
 * Any value of @pos is safe to pass.
 *
 * Cost: one call visits at most %RCUMAP_HASH_WALK_BUCKETS buckets, each
 * of at most %RCUMAP_HASH_BUCKET_HARD_MAX entries, in one RCU read-side
 * critical section; a run of empty buckets longer than that ends the call
 * with -EAGAIN, so that a caller that may sleep can reschedule between
 * two calls (a sparse table of 4M buckets would otherwise be one section
 * of 4M loads).
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: 0 if @key (and @value) were filled in, -ENOENT at the end of
 * the table, -EAGAIN if %RCUMAP_HASH_WALK_BUCKETS buckets in a row were
 * empty (@pos has moved past them, and the walk goes on from there).
 */
int rcumap_hash_walk(const struct rcumap_hash *h, u64 *pos, void *key,
		     void *value)
{
	const struct rcumap_hash_table *tbl;
	const struct rcumap_bucket *b;
	u64 bucket = *pos >> 32;
	u32 i = (u32)*pos, visited = 0;
	int err = -ENOENT;

	rcu_read_lock();
	tbl = rcumap_hash_tbl(h);
	for (; bucket <= tbl->mask; bucket++, i = 0) {
		struct rcumap_walk_pos w = { .start = i };

		if (visited++ == RCUMAP_HASH_WALK_BUCKETS) {
			err = -EAGAIN;
			break;
		}
		if (!rcumap_walk_vbucket(h, tbl, bucket, 0, 0, &w))
			continue;
		b = w.b;
		memcpy(key, rcumap_entry_key(h, b, w.i), h->key_size);
		if (value)
			memcpy(value, rcumap_entry_value(h, b, w.i),
			       h->value_size);
		*pos = bucket << 32 | w.seen;
		err = 0;
		goto out;
	}
	*pos = bucket << 32;
out:
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_GPL(rcumap_hash_walk);

/**
 * rcumap_hash_nr_buckets() - Bucket count of a table.
 * @h: Table.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: The number of buckets.
 */
u32 rcumap_hash_nr_buckets(const struct rcumap_hash *h)
{
	u32 nr;

	rcu_read_lock();
	nr = rcumap_hash_tbl(h)->mask + 1;
	rcu_read_unlock();
	return nr;
}
EXPORT_SYMBOL_GPL(rcumap_hash_nr_buckets);

/**
 * rcumap_hash_bytes_used() - Memory a table uses.
 * @h: Table.
 *
 * Counts the table, its bucket array and locks, and every bucket as
 * allocated (slab rounding included), dead entries included; buckets
 * waiting for their grace period after being replaced are not counted.
 * During a resize, both bucket arrays count.  O(1): updates keep the sum
 * as they publish buckets.
 *
 * Context: Any context.
 * Return: The number of bytes.
 */
size_t rcumap_hash_bytes_used(const struct rcumap_hash *h)
{
	return kmalloc_size_roundup(sizeof(*h)) + atomic64_read(&h->bytes);
}
EXPORT_SYMBOL_GPL(rcumap_hash_bytes_used);

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * For the KUnit tests only, on a table that no update changes meanwhile:
 * rcumap_hash_bytes_used() computed the slow way, by visiting every
 * bucket and every element, and in *@longest the most entries (live or
 * dead) that one bucket holds.  O(buckets) in one RCU read-side critical
 * section.
 */
size_t rcumap_hash_kunit_walk_bytes(const struct rcumap_hash *h, u32 *longest)
{
	const struct rcumap_hash_table *tbl;
	size_t bytes = kmalloc_size_roundup(sizeof(*h));
	u32 i, j, max = 0;

	rcu_read_lock();
	for (tbl = rcumap_hash_tbl(h); tbl; tbl = rcumap_table_future(tbl)) {
		bytes += rcumap_table_bytes(tbl);
		for (i = 0; i <= tbl->mask; i++) {
			const struct rcumap_bucket *b = rcumap_bucket_rcu(tbl, i);

			bytes += rcumap_bucket_bytes(h, b);
			if (!b || b == RCUMAP_MOVED)
				continue;
			max = max(max, b->nr);
			/* Every element, dead entries' too. */
			for (j = 0; h->indirect && j < b->nr; j++)
				bytes += rcumap_elem_bytes(h,
							   rcumap_entry_elem(h, b, j));
		}
	}
	rcu_read_unlock();
	*longest = max;
	return bytes;
}
EXPORT_SYMBOL_GPL(rcumap_hash_kunit_walk_bytes);

/*
 * For the KUnit tests and the native measurements only: rcumap_hash_create()
 * with the entries inline (@indirect false) or out of line (true) whatever
 * their size, so that the two layouts can be compared at one size and the
 * indirect one tested with small keys.
 */
struct rcumap_hash *
rcumap_hash_kunit_create(const struct rcumap_hash_params *params, gfp_t gfp,
			 bool indirect)
{
	return rcumap_hash_create_layout(params, gfp, indirect ?
				    RCUMAP_LAYOUT_INDIRECT :
				    RCUMAP_LAYOUT_INLINE);
}
EXPORT_SYMBOL_GPL(rcumap_hash_kunit_create);

/* For the KUnit tests only: does @h keep its entries out of line? */
bool rcumap_hash_kunit_indirect(const struct rcumap_hash *h)
{
	return h->indirect;
}
EXPORT_SYMBOL_GPL(rcumap_hash_kunit_indirect);
#endif

/**
 * rcumap_hash_count() - Number of keys in a table.
 * @h: Table.
 *
 * O(1).  With updates running concurrently the answer is a snapshot that
 * may already be out of date.
 *
 * Context: Any context.
 * Return: The number of keys.
 */
u32 rcumap_hash_count(const struct rcumap_hash *h)
{
	return atomic_read(&h->count);
}
EXPORT_SYMBOL_GPL(rcumap_hash_count);

/**
 * rcumap_hash_key_size() - Key size of a table.
 * @h: Table.
 *
 * Context: Any context.
 * Return: The key size in bytes.
 */
u32 rcumap_hash_key_size(const struct rcumap_hash *h)
{
	return h->key_size;
}
EXPORT_SYMBOL_GPL(rcumap_hash_key_size);

/**
 * rcumap_hash_value_size() - Value size of a table.
 * @h: Table.
 *
 * Context: Any context.
 * Return: The value size in bytes.
 */
u32 rcumap_hash_value_size(const struct rcumap_hash *h)
{
	return h->value_size;
}
EXPORT_SYMBOL_GPL(rcumap_hash_value_size);

/**
 * rcumap_hash_max_entries() - Capacity of a table.
 * @h: Table.
 *
 * Context: Any context.
 * Return: The most keys the table holds.
 */
u32 rcumap_hash_max_entries(const struct rcumap_hash *h)
{
	return h->max_entries;
}
EXPORT_SYMBOL_GPL(rcumap_hash_max_entries);

/* ---- Statistics ---- */

/*
 * The live keys that bucket @idx of @tbl holds, or, once a resize has
 * moved it, the live keys that came from it, wherever they are now (the
 * same virtual bucket as rcumap_walk_vbucket()'s): after a split, those
 * of the two buckets it went to; after a merge, those of the merged bucket
 * whose hash has @fmask-bits @fidx (@fmask 0: every key).
 *
 * The caller holds an RCU read lock, which keeps every table of the chain
 * alive (see rcumap_bucket_follow()).  The chain is short: the caller's
 * @tbl was current inside that read-side critical section, and a resize
 * step that replaces it waits for a grace period (rcumap_hash_migrate())
 * before the next step can give the new table a future of its own, so
 * only @tbl's buckets can hold RCUMAP_MOVED here and the recursion is one
 * level deep.  Costs one load per entry of the buckets it reads.
 */
static u32 rcumap_stats_bucket_len(const struct rcumap_hash_table *tbl,
				   u32 idx, u32 fmask, u32 fidx)
{
	const struct rcumap_bucket *b = rcumap_bucket_rcu(tbl, idx);
	const struct rcumap_hash_table *future;
	u32 i, len = 0;

	if (unlikely(b == RCUMAP_MOVED)) {
		future = rcumap_table_past_marker(tbl);
		if (future->mask > tbl->mask)
			return rcumap_stats_bucket_len(future, idx, fmask, fidx) +
			       rcumap_stats_bucket_len(future,
						       idx + tbl->mask + 1,
						       fmask, fidx);
		if (!fmask) {
			fmask = tbl->mask;
			fidx = idx;
		}
		return rcumap_stats_bucket_len(future, idx & future->mask,
					       fmask, fidx);
	}
	for (i = 0; b && i < b->nr; i++) {
		u32 hash = READ_ONCE(b->hash[i]);

		if (hash != RCUMAP_HASH_DEAD && (hash & fmask) == fidx)
			len++;
	}
	return len;
}

/**
 * rcumap_hash_bucket_stats() - Add a range of bucket lengths to a histogram.
 * @h: Table.
 * @cursor: The first bucket to visit; advanced past the buckets visited.
 * @budget: Most buckets to visit.
 * @hist: Histogram of @nr_hist counters: a bucket of @len live keys adds
 *	one to @hist[min(@len, @nr_hist - 1)].
 * @nr_hist: Counters in @hist, at least 1.
 * @longest: Raised to the length of the longest bucket visited.
 *
 * Visits the buckets of the current bucket array from *@cursor on, at most
 * @budget of them and none past its end, inside one RCU read-side critical
 * section, and adds their lengths to @hist and @longest (which the caller
 * initialises).  A caller walks the whole table in chunks, from 0 until
 * *@cursor reaches the bucket count returned, dropping the RCU read lock
 * between chunks, so that no chunk holds it for long.
 *
 * On a table that is not being changed, a whole walk counts every bucket
 * once and every key once.  While a resize moves the keys to a new bucket
 * array, the buckets counted are those of the array being left (whose
 * count this returns): a bucket already moved counts the keys that came
 * from it, wherever they are now.  A walk whose chunks return different
 * bucket counts crossed a resize and mixes the two arrays.
 *
 * Worst case: @budget bucket loads, plus one load per entry of the buckets
 * visited, plus, for a bucket a shrinking resize has merged, one per entry
 * of the merged bucket (each read at most twice per call).  Allocates
 * nothing, writes nothing shared, takes no lock but the RCU read lock.
 *
 * Context: Any context.  Takes and releases the RCU read lock.
 * Return: The bucket count of the array visited (nothing is visited if
 * *@cursor is at or past it), or -EINVAL if @nr_hist is 0.
 */
int rcumap_hash_bucket_stats(const struct rcumap_hash *h, u32 *cursor,
			     u32 budget, u32 *hist, u32 nr_hist, u32 *longest)
{
	const struct rcumap_hash_table *tbl;
	u32 i, end, nr;

	if (!nr_hist)
		return -EINVAL;
	rcu_read_lock();
	tbl = rcumap_hash_tbl(h);
	nr = tbl->mask + 1;
	i = *cursor;
	end = i < nr ? i + min(budget, nr - i) : i;
	for (; i < end; i++) {
		u32 len = rcumap_stats_bucket_len(tbl, i, 0, 0);

		hist[min(len, nr_hist - 1)]++;
		*longest = max(*longest, len);
	}
	rcu_read_unlock();
	*cursor = end;
	/* At most RCUMAP_HASH_MAX_BUCKETS: a positive int. */
	return nr;
}
EXPORT_SYMBOL_GPL(rcumap_hash_bucket_stats);
