/*
 * hash.pml - rcumap's bucket-swap protocol (kmod/hash.c), checked with spin.
 *
 * One table with one bucket and its lock, two keys, two writers, a few
 * readers.  A bucket is an object from a small pool; each of its entries
 * points to an element, an object from a second pool that holds the
 * entry's key and value.  An update allocates a new element, then a
 * bucket, fills the bucket from the current one (the neighbours' element
 * pointers are copied, so buckets that follow one another share them)
 * plus its edit, publishes it by a pointer store and retires the old one;
 * delete may instead mark an entry dead in place when it cannot allocate.
 * A replace keeps the dead entries, an insert or a remove leaves them
 * out.  When a retired bucket's grace period ends, the elements that left
 * the table with it are freed: the replaced or removed entry's, and the
 * dead entries' unless the replacement kept them.  Readers enter an RCU
 * read-side critical section, load the table and bucket pointers, find an
 * entry, load its element and hold it for a while.  When the writers are
 * done the owner destroys the table, with readers possibly still inside,
 * and everything still in it is freed after a grace period.
 *
 * The elements stand for both things that leave a table with an entry
 * (rcumap_entry_release()): the element of an entry of a table whose
 * entries are out of line, and the value handed to the free callback of
 * a table with one (freeing what the value points to, e.g. per-CPU
 * memory).  Both are shared by the buckets that follow one another and
 * must be let go of exactly once, after the grace period of the bucket
 * they left with.
 *
 * RCU is modelled by what a grace period promises: retiring an object
 * records who is inside a read-side critical section at that moment, and
 * the object is freed only once each of them has left; it is freed as
 * soon as that happens (the most hostile reclaimer: a later free could
 * only hide a bug).  A reader that enters later cannot reach the object:
 * it was unpublished first.  Freed buckets and elements go back to their
 * pools and are reused.
 *
 * Safety, checked by assertions:
 *   - no reader (nor a writer's unlocked look, nor a delete copying the
 *     value out) inside its critical section holds a freed bucket or
 *     element, or a bucket that points to a freed element: checked when
 *     an object is freed, and when a pointer to one is loaded or read
 *     through;
 *   - no element is freed while the published bucket points to it (live
 *     or dead), and none is freed twice;
 *   - no reader ever sees a bucket or an element that is not fully built,
 *     and a bucket's entries do not change under a reader;
 *   - no bucket holds more than BMAX entries, live or dead;
 *   - the final contents are what the last writes made, and once every
 *     task is done, every bucket and every element is free (no leak).
 *
 * Variants (-D on the spin command line, see model/check.sh):
 *   BROKEN_FREE      free a retired bucket at once, without a grace
 *                    period: spin must find a reader holding a freed
 *                    bucket.
 *   BROKEN_PUBLISH   publish the new bucket before filling it: spin must
 *                    find a reader that sees a half-built bucket.
 *   BROKEN_DEAD_KEPT a replace retires the old bucket as if it had left
 *                    the dead entries out: spin must find a dead entry's
 *                    element freed while the new bucket still holds it.
 *   BROKEN_DEAD_LEAK an insert or a remove retires the old bucket as if
 *                    the new one had kept the dead entries: spin must
 *                    find an element still allocated when all is done.
 *   BROKEN_OBJ_FREE  free the elements that leave with a bucket at once,
 *                    without a grace period: spin must find a reader
 *                    holding a freed element.
 *   BROKEN_BOUND     check the bucket bound only in the unlocked look,
 *                    not again under the lock (with BMAX 1): spin must
 *                    find a bucket of more than BMAX entries.
 *   SPLIT_READ       a reader loads the element pointer in a step of its
 *                    own, after the bucket pointer (see reader).
 *   NREADERS         readers (default 2, at most 6)
 *   NREADS           lookups per reader (default 2)
 *   NOPS             operations per writer (default 2)
 *   BMAX             entries a bucket may hold (RCUMAP_HASH_BUCKET_MAX):
 *                    2 (default; no insert is ever refused with 2 keys,
 *                    but dead entries sit beside live ones) or 1 (an
 *                    insert beside a live key is refused; no dead
 *                    entries, since a delete that is not the last
 *                    needs a neighbour)
 *
 * See Documentation/rcumap-model.rst for how this maps onto kmod/hash.c.
 */

#ifndef NREADERS
#define NREADERS	2
#endif
#ifndef NOPS
#define NOPS		2
#endif
#ifndef NREADS
#define NREADS		2
#endif
#ifndef BMAX
#define BMAX		2
#endif

#define NKEYS		2
#define NOBJ		4		/* buckets in the pool */
#define NELEM		4		/* elements in the pool */
#define TBL		NOBJ		/* the table is object NOBJ */
#define NONE		255
#define NTASKS		(NREADERS + 2)	/* readers, then the two writers */

/* Object states, of buckets and of elements. */
#define S_FREE		0	/* in the allocator */
#define S_INIT		1	/* allocated by a writer, not yet published */
#define S_LIVE		2	/* published (an element: its bucket was) */
#define S_RETIRED	3	/* unpublished, waiting for a grace period */

byte state[NOBJ + 1];
bool filled[NOBJ];		/* every field written */
byte ent[NOBJ * NKEYS];		/* entry (bucket, key): an element, or NONE */
bool dead[NOBJ * NKEYS];	/* hash word overwritten with DEAD in place */
byte gone[NOBJ];		/* retired: the key that left with it, or NONE */
bool dead_kept[NOBJ];		/* retired: its replacement kept dead entries */
#define E(o, k)		((o) * NKEYS + (k))
#define LIVE(o, k)	(ent[E(o, k)] != NONE && !dead[E(o, k)])

byte estate[NELEM];		/* S_FREE, S_INIT or S_LIVE */

byte bucket = NONE;		/* tbl->buckets[0] */
bool table_published = true;	/* h->tbl: readers can find the table */
bool lock;			/* the bucket lock */

/* RCU: who is inside, what each holds, whom each retired object awaits. */
bool inside[NTASKS];
byte held[NTASKS];		/* a bucket, or NONE */
byte held_elem[NTASKS];		/* an element, or NONE */
bool held_tbl[NTASKS];		/* the table */
byte waitfor[NOBJ + 1];		/* bitmask over tasks */
byte writers_done;
byte readers_done;

/* The element the writers believe holds each key, for the final check. */
byte want[NKEYS];

/*
 * The one property of a free: nobody inside a read-side critical section
 * holds bucket (or table) @o.
 */
inline unheld(o)
{
	f = 0;
	do
	:: f < NTASKS ->
		assert(!(inside[f] && held[f] == o));
		assert(!(inside[f] && held_tbl[f] && o == TBL));
		f++
	:: f == NTASKS -> break
	od;
	f = 0
}

/*
 * Free bucket (or table) @o.  The contents are forgotten, so that equal
 * states compare equal.
 */
inline free_obj(o)
{
	unheld(o);
	state[o] = S_FREE;
	waitfor[o] = 0;
	if
	:: o < NOBJ ->
		filled[o] = false;
		ent[E(o, 0)] = NONE;
		ent[E(o, 1)] = NONE;
		dead[E(o, 0)] = false;
		dead[E(o, 1)] = false;
		gone[o] = NONE;
		dead_kept[o] = false
	:: else -> skip
	fi
}

/* Does bucket @b (or NONE) point to element @e? */
#define POINTS(b, e)	((b) != NONE &&					\
			 (ent[E(b, 0)] == (e) || ent[E(b, 1)] == (e)))

/*
 * Free element @e, which left the table with bucket @from (or was never
 * published: @from is NONE).  Nobody inside a read-side critical section
 * holds it, or holds a bucket that points to it (and could load the
 * pointer later: a reader that matched the entry's hash word before a
 * delete marked it dead goes on to its element); the published bucket
 * does not point to it; and it is not free already.
 */
inline free_elem(e, from)
{
	assert(estate[e] != S_FREE);
	assert(!(from != bucket && POINTS(bucket, e)));
	f = 0;
	do
	:: f < NTASKS ->
		assert(!(inside[f] && held_elem[f] == e));
		assert(!(inside[f] && POINTS(held[f], e)));
		f++
	:: f == NTASKS -> break
	od;
	f = 0;
	estate[e] = S_FREE
}

/*
 * rcumap_bucket_release(): let go of the elements of bucket @o that left
 * the table with it: @gone, and the dead ones unless the replacement kept
 * them; with @all, every one (destroy).
 */
inline release(o, all)
{
	j = 0;
	do
	:: j < NKEYS ->
		if
		:: ent[E(o, j)] != NONE &&
		   (all || j == gone[o] || (!dead_kept[o] && dead[E(o, j)])) ->
			free_elem(ent[E(o, j)], o)
		:: else -> skip
		fi;
		j++
	:: j == NKEYS -> break
	od;
	j = 0
}

/*
 * The grace period of @o has ended: rcumap_bucket_free_rcu() lets go of
 * what left with the bucket and frees it; the table takes its bucket with
 * it, and every element that bucket holds (rcumap_hash_free_work()).
 * BROKEN_OBJ_FREE has let go of the elements already.
 */
inline reclaim(o)
{
	if
	:: o == TBL && bucket != NONE ->
		release(bucket, true);
		free_obj(bucket)
	:: o < NOBJ ->
		unheld(o);
#ifndef BROKEN_OBJ_FREE
		release(o, false)
#else
		skip
#endif
	:: else -> skip
	fi;
	free_obj(o)
}

/*
 * rcu_read_unlock(), and the end of holding anything: the grace periods
 * that waited only for @me end, and their objects are freed.
 */
inline rcu_exit_body(me)
{
	inside[me] = false;
	held[me] = NONE;
	held_elem[me] = NONE;
	held_tbl[me] = false;
	i = 0;
	do
	:: i <= NOBJ ->
		if
		:: waitfor[i] & (1 << me) ->
			waitfor[i] = waitfor[i] & ~(1 << me);
			if
			:: waitfor[i] == 0 -> reclaim(i)
			:: else -> skip
			fi
		:: else -> skip
		fi;
		i++
	:: i > NOBJ -> break
	od;
	i = 0
}

/*
 * call_rcu() / kvfree_rcu() of bucket @o, which leaves with key @g (or
 * NONE) and, unless @keep, its dead entries: a grace period starts, which
 * waits for everyone inside now.  BROKEN_FREE frees at once instead;
 * BROKEN_OBJ_FREE lets go of the elements at once.
 */
inline retire_body(o, g, keep)
{
	gone[o] = g;
	dead_kept[o] = keep;
#ifdef BROKEN_OBJ_FREE
	release(o, false);
#endif
#ifdef BROKEN_FREE
	reclaim(o)
#else
	state[o] = S_RETIRED;
	waitfor[o] = 0;
	i = 0;
	do
	:: i < NTASKS ->
		if
		:: inside[i] -> waitfor[o] = waitfor[o] | (1 << i)
		:: else -> skip
		fi;
		i++
	:: i == NTASKS -> break
	od;
	i = 0;
	if
	:: waitfor[o] == 0 -> reclaim(o)
	:: else -> skip
	fi
#endif
}

/* What a reader may touch: published or retired, never free or unbuilt. */
inline check_readable(o)
{
	assert(state[o] == S_LIVE || state[o] == S_RETIRED);
	assert(filled[o])
}

/* An element a reader may touch: built and published, not yet freed. */
inline check_elem(e)
{
	assert(estate[e] == S_LIVE)
}

/*
 * kvmalloc() of a bucket: the first free object (which one does not
 * matter, and a fixed choice keeps the state space small), or NONE when
 * the pool is empty.  An update that cannot allocate returns -ENOMEM
 * having changed nothing; a delete that cannot then marks the entry dead
 * instead.
 */
inline alloc_first(o)
{
	o = 0;
	do
	:: o < NOBJ && state[o] != S_FREE -> o++
	:: o < NOBJ && state[o] == S_FREE ->
		state[o] = S_INIT;
		break
	:: o == NOBJ -> o = NONE; break
	od
}

/*
 * rcumap_elem_new(): the first free element, filled with the key and
 * value before anyone can see it (one step), or NONE.
 */
inline alloc_elem(e)
{
	e = 0;
	do
	:: e < NELEM && estate[e] != S_FREE -> e++
	:: e < NELEM && estate[e] == S_FREE ->
		estate[e] = S_INIT;
		break
	:: e == NELEM -> e = NONE; break
	od
}

/*
 * rcumap_bucket_fill(): copy the entries of @old, element pointers and
 * dead marks, the dead ones only if @keep (a replace), then give key @k
 * the element @el (NONE: leave it out, a remove).  Nobody can see @new
 * yet, so this is one step; BROKEN_PUBLISH publishes first and fills
 * field by field, so that a reader can see the bucket half built.  The
 * bound: no bucket is built with more than BMAX entries, live or dead.
 */
inline fill_fields(new, old, k, el, keep)
{
	j = 0;
	do
	:: j < NKEYS ->
		if
		:: j != k && old != NONE && ent[E(old, j)] != NONE &&
		   (keep || !dead[E(old, j)]) ->
			ent[E(new, j)] = ent[E(old, j)];
			dead[E(new, j)] = dead[E(old, j)]
		:: else ->
			ent[E(new, j)] = NONE;
			dead[E(new, j)] = false
		fi;
		j++
	:: j == NKEYS -> break
	od;
	j = 0;
	ent[E(new, k)] = el;
	dead[E(new, k)] = false;
	filled[new] = true;
	assert(LIVE(new, 0) + LIVE(new, 1) <= BMAX);
	assert((ent[E(new, 0)] != NONE) + (ent[E(new, 1)] != NONE) <= BMAX)
}

/*
 * __rcumap_hash_publish(): rcu_assign_pointer() of @new, which brings
 * its element @el (or none) into the table.  The old bucket is now the
 * writer's alone: it retires it later, after dropping the lock and
 * leaving its own read-side critical section (rcumap_bucket_retire()),
 * saying which key left with it (@g) and whether @new kept its dead
 * entries (@keep).
 */
inline publish_body(new, old, el, g, keep)
{
	bucket = new;
	if
	:: new != NONE -> state[new] = S_LIVE
	:: else -> skip
	fi;
	if
	:: el != NONE -> estate[el] = S_LIVE
	:: else -> skip
	fi;
	retired = old;
	rgone = g;
	rkeep = keep
}

/* rcumap_bucket_retire(), after the lock is dropped. */
inline retire_replaced()
{
	if
	:: retired != NONE -> retire_body(retired, rgone, rkeep)
	:: else -> skip
	fi;
	retired = NONE;
	rgone = NONE;
	rkeep = false
}

/* The number of live entries of @o other than key @k. */
inline others_live(o, k, n)
{
	n = 0;
	j = 0;
	do
	:: j < NKEYS ->
		if
		:: j != k && o != NONE && LIVE(o, j) -> n++
		:: else -> skip
		fi;
		j++
	:: j == NKEYS -> break
	od;
	j = 0
}

/*
 * What the retire is told about the dead entries: that the new bucket
 * kept them if it did.  BROKEN_DEAD_KEPT tells it that they left with
 * the old bucket, though a replace copied them; BROKEN_DEAD_LEAK that
 * they stayed, though an insert or a remove dropped them.
 */
#if defined(BROKEN_DEAD_KEPT)
#define RETIRE_KEEPS(keep)	false
#elif defined(BROKEN_DEAD_LEAK)
#define RETIRE_KEEPS(keep)	true
#else
#define RETIRE_KEEPS(keep)	(keep)
#endif

/*
 * The bucket lock serialises updaters, and what one does under it is
 * seen by the others only through the bucket pointer and the dead marks:
 * its whole critical section (read the bucket, build the new one,
 * publish) is one step.  BROKEN_PUBLISH spreads it out: it publishes
 * first and fills field by field, so that a reader can see the bucket
 * half built.
 */
#ifdef BROKEN_PUBLISH
#define locked(body)		atomic { !lock -> lock = true };	\
				body;					\
				lock = false
#define build_and_publish(new, old, k, el, g, keep)			\
	publish_body(new, old, el, g, RETIRE_KEEPS(keep));		\
	fill_fields(new, old, k, el, keep)
#else
#define locked(body)		atomic { !lock -> lock = true; body; lock = false }
#define build_and_publish(new, old, k, el, g, keep)			\
	fill_fields(new, old, k, el, keep);				\
	publish_body(new, old, el, g, RETIRE_KEEPS(keep))
#endif

/*
 * rcumap_hash_update(): an unlocked look under RCU (a pointer load, then
 * a read through it: the hash words and, for a match, the key in its
 * element) that answers -ENOSPC at once if the key is new and the bucket
 * full; then allocate the element and the bucket, lock, decide again
 * from the locked bucket and publish, or give up (-ENOSPC: the bucket
 * filled up meanwhile).  Whatever was allocated and not published is
 * freed after the unlock.
 */
inline update(me, k)
{
	atomic {
		inside[me] = true;
		cur = bucket;
		held[me] = cur;
		if
		:: cur != NONE -> check_readable(cur)
		:: else -> skip
		fi
	};
	atomic {
		if
		:: cur != NONE ->
			check_readable(cur);
			if
			:: LIVE(cur, k) -> check_elem(ent[E(cur, k)])
			:: else -> skip
			fi
		:: else -> skip
		fi;
		found = cur != NONE && LIVE(cur, k);
		others_live(cur, k, n);
		rcu_exit_body(me);
		cur = 0;
		if
		:: !found && n >= BMAX -> skip		/* -ENOSPC */
		:: else ->
			/* kvmalloc()s, outside the RCU read lock */
			alloc_elem(el);
			if
			:: el != NONE ->
				if
				:: alloc_first(new)
				:: new = NONE	/* as if the pool were empty */
				fi;
				if
				:: new == NONE -> free_elem(el, NONE); el = NONE
				:: else -> skip
				fi
			:: else -> skip
			fi
		fi;
		found = false;
		n = 0
	};
	if
	:: new == NONE -> skip			/* nothing changed */
	:: else ->
		locked(
			inside[me] = true;
			old = bucket;
			found = old != NONE && LIVE(old, k);
			others_live(old, k, n);
			if
#ifndef BROKEN_BOUND
			:: !found && n >= BMAX -> skip	/* -ENOSPC */
#endif
			:: found ->
				build_and_publish(new, old, k, el, k, true);
				want[k] = el;
				new = NONE;
				el = NONE
			:: else ->
				build_and_publish(new, old, k, el, NONE, false);
				want[k] = el;
				new = NONE;
				el = NONE
			fi;
			rcu_exit_body(me)
		);
		d_step {
			retire_replaced();
			/* kvfree() of what was not published */
			if
			:: new != NONE -> free_obj(new)
			:: else -> skip
			fi;
			if
			:: el != NONE -> free_elem(el, NONE)
			:: else -> skip
			fi;
			old = 0; new = NONE; el = NONE; n = 0; found = false
		}
	fi
}

/*
 * rcumap_hash_take(): under the lock, publish a bucket without the key,
 * or none if it was the last, or, if no smaller bucket can be had
 * (GFP_NOWAIT), mark the entry dead in place: one word store into a
 * published bucket.  Then, after the unlock and still inside the
 * read-side critical section, copy the value out of the key's element
 * (lookup_and_delete), leave the section, and retire the old bucket.
 */
inline delete(me, k)
{
	locked(
		inside[me] = true;
		old = bucket;
		found = old != NONE && LIVE(old, k);
		others_live(old, k, n);
		if
		:: found ->
			held_elem[me] = ent[E(old, k)];
			want[k] = NONE
		:: else -> skip			/* -ENOENT */
		fi;
		if
		:: found && n == 0 ->
			publish_body(NONE, old, NONE, k, RETIRE_KEEPS(false))
		:: found && n > 0 ->
			if
			:: alloc_first(new)
			:: new = NONE		/* GFP_NOWAIT failed */
			fi;
			if
			:: new == NONE ->
				dead[E(old, k)] = true
			:: else ->
				build_and_publish(new, old, k, NONE, k, false);
				new = NONE
			fi
		:: else -> skip
		fi
	);
	d_step {
		if
		:: found -> check_elem(held_elem[me])
		:: else -> skip
		fi;
		rcu_exit_body(me);
		retire_replaced();
		old = 0; new = NONE; n = 0; found = false
	}
}

proctype writer(byte me)
{
	byte cur, old, n, k, op, i, j, f;
	byte new = NONE, el = NONE;
	byte retired = NONE, rgone = NONE;	/* what this writer retires */
	bool found, rkeep;

	op = 0;
	do
	:: op < NOPS ->
		if
		:: k = 0
		:: k = 1
		fi;
		if
		:: update(me, k)
		:: delete(me, k)
		fi;
		op++
	:: op == NOPS -> break
	od;
	writers_done++
}

/*
 * A reader that matched key k's hash word in bucket b loads the entry's
 * element pointer and reads the value through it.  The entry may have
 * been marked dead since the match: the reader goes on all the same.
 */
inline load_elem()
{
	check_readable(b);
	e = ent[E(b, k)];
	held_elem[me] = e;
	check_elem(e)
}

/*
 * rcumap_hash_lookup() and a caller that holds the value: load the table
 * and the bucket once, find the key, load its element pointer and read
 * the value; later read it again.  Loading the bucket and loading the
 * element are one step, unless SPLIT_READ: free_elem() asserts that no
 * reader holds a bucket that points to an element being freed, which is
 * what a reader between the two loads needs, so the one step loses
 * nothing and SPLIT_READ, which costs up to twice the states, only
 * confirms it.
 */
proctype reader(byte me)
{
	byte b, k, e, i, j, n, f;
	bool found;

	n = 0;
	do
	:: n < NREADS ->
		atomic {
			if
			:: k = 0
			:: k = 1
			fi;
			inside[me] = true;
			if
			:: table_published ->
				held_tbl[me] = true;
				assert(state[TBL] == S_LIVE);
				b = bucket;
				held[me] = b;
				if
				:: b != NONE ->
					check_readable(b);
					found = LIVE(b, k);
#ifndef SPLIT_READ
					if
					:: found -> load_elem()
					:: else -> skip
					fi
#endif
				:: else -> skip
				fi
			:: else -> skip	/* the table is gone: not found */
			fi
		};
#ifdef SPLIT_READ
		if
		:: found -> atomic { load_elem() }
		:: else -> skip
		fi;
#endif
		/* ... the caller uses the value, then reads it again ... */
		if
		:: found ->
			atomic {
				check_readable(b);
				assert(ent[E(b, k)] == e);
				check_elem(e)
			}
		:: else -> skip
		fi;
		d_step {
			rcu_exit_body(me);
			b = 0; k = 0; e = 0; found = false
		};
		n++
	:: n == NREADS -> break
	od;
	readers_done++
}

/*
 * The owner: once the writers are done, check the contents, then
 * rcumap_hash_destroy(): unpublish the table, and free it with its
 * bucket and the bucket's elements after a grace period.  Once every
 * task is done, nothing may be left allocated.
 */
proctype owner()
{
	byte b, i, j, f;

	writers_done == 2;
	d_step {
		b = bucket;
		j = 0;
		do
		:: j < NKEYS ->
			if
			:: b != NONE && LIVE(b, j) ->
				assert(ent[E(b, j)] == want[j])
			:: else ->
				assert(want[j] == NONE)
			fi;
			j++
		:: j == NKEYS -> break
		od;
		b = 0;
		j = 0
	};
	d_step {
		table_published = false;
		i = 0;
		/* The table is retired like a bucket: TBL, not a bucket. */
		state[TBL] = S_RETIRED;
		waitfor[TBL] = 0;
		do
		:: i < NTASKS ->
			if
			:: inside[i] -> waitfor[TBL] = waitfor[TBL] | (1 << i)
			:: else -> skip
			fi;
			i++
		:: i == NTASKS -> break
		od;
		i = 0;
		if
		:: waitfor[TBL] == 0 -> reclaim(TBL)
		:: else -> skip
		fi
	};
	/* No leak: every bucket and every element has been freed. */
	readers_done == NREADERS && state[TBL] == S_FREE;
	d_step {
		i = 0;
		do
		:: i < NOBJ -> assert(state[i] == S_FREE); i++
		:: i == NOBJ -> break
		od;
		i = 0;
		do
		:: i < NELEM -> assert(estate[i] == S_FREE); i++
		:: i == NELEM -> break
		od;
		i = 0
	}
}

init
{
	byte i;

	atomic {
		state[TBL] = S_LIVE;
		i = 0;
		do
		:: i < NOBJ * NKEYS -> ent[i] = NONE; i++
		:: i == NOBJ * NKEYS -> break
		od;
		i = 0;
		do
		:: i < NOBJ -> gone[i] = NONE; i++
		:: i == NOBJ -> break
		od;
		i = 0;
		do
		:: i < NTASKS -> held[i] = NONE; held_elem[i] = NONE; i++
		:: i == NTASKS -> break
		od;
		want[0] = NONE;
		want[1] = NONE;
		i = 0;
		do
		:: i < NREADERS -> run reader(i); i++
		:: i == NREADERS -> break
		od;
		i = 0;
		run writer(NREADERS);
		run writer(NREADERS + 1);
		run owner()
	}
}
