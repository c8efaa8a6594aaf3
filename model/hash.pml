/*
 * hash.pml - rcumap's bucket-swap protocol (kmod/hash.c), checked with spin.
 *
 * One table with one bucket and its lock, two keys, two writers, a few
 * readers.  A bucket is an object from a small pool: a writer allocates
 * one, fills it from the current bucket plus its edit, publishes it by a
 * pointer store and retires the old one; delete may instead mark an entry
 * dead in place when it cannot allocate.  Readers enter an RCU read-side
 * critical section, load the table and bucket pointers once, read an entry
 * and hold its value for a while.  When the writers are done the owner
 * destroys the table, with readers possibly still inside.
 *
 * RCU is modelled by what a grace period promises: retiring an object
 * records who is inside a read-side critical section at that moment, and
 * the object is freed only once each of them has left; it is freed as
 * soon as that happens (the most hostile reclaimer: a later free could
 * only hide a bug).  A reader that enters later cannot reach the object:
 * it was unpublished first.  A freed bucket goes back to the pool and is
 * reused.
 *
 * Safety, checked by assertions:
 *   - no reader (nor a writer's unlocked look) inside its critical
 *     section ever holds a freed object: checked when an object is freed,
 *     and when a pointer to one is loaded or read through;
 *   - no reader ever sees a bucket that is not fully built, and a value
 *     a reader holds does not change under it;
 *   - the final contents are what the last writes made.
 *
 * Variants (-D on the spin command line, see model/check.sh):
 *   BROKEN_FREE     free a retired bucket at once, without a grace period:
 *                   spin must find a reader holding a freed bucket.
 *   BROKEN_PUBLISH  publish the new bucket before filling it: spin must
 *                   find a reader that sees a half-built bucket.
 *   NREADERS        readers (default 2, at most 6)
 *   NREADS          lookups per reader (default 2)
 *   NOPS            operations per writer (default 2)
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

#define NKEYS		2
#define NOBJ		4		/* buckets in the pool */
#define TBL		NOBJ		/* the table is object NOBJ */
#define NONE		255
#define NTASKS		(NREADERS + 2)	/* readers, then the two writers */

/* Object states. */
#define S_FREE		0	/* in the allocator */
#define S_INIT		1	/* allocated by a writer, not yet published */
#define S_LIVE		2	/* published */
#define S_RETIRED	3	/* unpublished, waiting for a grace period */

byte state[NOBJ + 1];
bool filled[NOBJ];		/* every field written */
bool present[NOBJ * NKEYS];	/* entry (bucket, key) */
bool dead[NOBJ * NKEYS];	/* hash word overwritten with DEAD in place */
byte val[NOBJ * NKEYS];
#define E(o, k)		((o) * NKEYS + (k))

byte bucket = NONE;		/* tbl->buckets[0] */
bool table_published = true;	/* h->tbl: readers can find the table */
bool lock;			/* the bucket lock */

/* RCU: who is inside, what each holds, whom each retired object awaits. */
bool inside[NTASKS];
byte held[NTASKS];		/* a bucket, or NONE */
bool held_tbl[NTASKS];		/* the table */
byte waitfor[NOBJ + 1];		/* bitmask over tasks */
byte writers_done;

/* What the writers believe the map holds, for the final check. */
bool want_present[NKEYS];
byte want_val[NKEYS];
byte next_val = 1;

/*
 * Free @o.  The one property: nobody inside a read-side critical section
 * holds what is being freed.  The contents are forgotten, so that equal
 * states compare equal.
 */
inline free_obj(o)
{
	f = 0;
	do
	:: f < NTASKS ->
		assert(!(inside[f] && held[f] == o));
		assert(!(inside[f] && held_tbl[f] && o == TBL));
		f++
	:: f == NTASKS -> break
	od;
	f = 0;
	state[o] = S_FREE;
	waitfor[o] = 0;
	if
	:: o < NOBJ ->
		filled[o] = false;
		present[E(o, 0)] = false;
		present[E(o, 1)] = false;
		dead[E(o, 0)] = false;
		dead[E(o, 1)] = false;
		val[E(o, 0)] = 0;
		val[E(o, 1)] = 0
	:: else -> skip
	fi
}

/*
 * The grace period of @o has ended: free it.  The table takes its bucket
 * with it (rcumap_hash_free_work()).
 */
inline reclaim(o)
{
	if
	:: o == TBL && bucket != NONE -> free_obj(bucket)
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

inline rcu_exit(me)
{
	d_step { rcu_exit_body(me) }
}

/*
 * kvfree_rcu() / queue_rcu_work(): a grace period starts, which waits for
 * everyone inside now.  BROKEN_FREE frees at once instead.
 */
inline retire_body(o)
{
#ifdef BROKEN_FREE
	free_obj(o)
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

/*
 * kvmalloc(): the first free object (which one does not matter, and a
 * fixed choice keeps the state space small), or NONE when the pool is
 * empty.  An update that cannot allocate returns -ENOMEM having changed
 * nothing; a delete that cannot then marks the entry dead instead.
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
 * rcumap_bucket_fill(): copy the live entries of @old, then apply the
 * edit: @v != 0 sets key @k to @v, @v == 0 leaves it out.  Nobody can see
 * @new yet, so this is one step; BROKEN_PUBLISH publishes first and fills
 * field by field, so that a reader can see the bucket half built.
 */
inline fill_fields(new, old, k, v)
{
	j = 0;
	do
	:: j < NKEYS ->
		if
		:: old != NONE && present[E(old, j)] && !dead[E(old, j)] ->
			present[E(new, j)] = true;
			val[E(new, j)] = val[E(old, j)]
		:: else ->
			present[E(new, j)] = false;
			val[E(new, j)] = 0
		fi;
		dead[E(new, j)] = false;
		j++
	:: j == NKEYS -> break
	od;
	j = 0;
	present[E(new, k)] = (v != 0);
	val[E(new, k)] = v;
	filled[new] = true
}

/*
 * __rcumap_hash_publish(): rcu_assign_pointer() of @new.  The old bucket
 * is now the writer's alone: it retires it later, after dropping the lock
 * and leaving its own read-side critical section (rcumap_bucket_retire()).
 */
inline publish_body(new, old)
{
	bucket = new;
	if
	:: new != NONE -> state[new] = S_LIVE
	:: else -> skip
	fi;
	retired = old
}

/* rcumap_bucket_retire(): kvfree_rcu() of what the writer replaced. */
inline retire_replaced()
{
	d_step {
		if
		:: retired != NONE -> retire_body(retired)
		:: else -> skip
		fi;
		retired = NONE
	}
}

/* The number of live entries of @o other than key @k. */
inline others_live(o, k, n)
{
	n = 0;
	j = 0;
	do
	:: j < NKEYS ->
		if
		:: j != k && o != NONE && present[E(o, j)] &&
		   !dead[E(o, j)] -> n++
		:: else -> skip
		fi;
		j++
	:: j == NKEYS -> break
	od;
	j = 0
}

/*
 * The bucket lock serialises updaters, and what one does under it is
 * seen by the others only through the bucket pointer and the dead marks:
 * its whole critical section (read the bucket, build the new one,
 * publish, retire) is one step.  BROKEN_PUBLISH spreads it out: it
 * publishes first and fills field by field, so that a reader can see the
 * bucket half built.
 */
#ifdef BROKEN_PUBLISH
#define locked(body)		atomic { !lock -> lock = true };	\
				body;					\
				lock = false
#define build_and_publish(new, old, k, v)				\
	publish_body(new, old);						\
	fill_fields(new, old, k, v)
#else
#define locked(body)		atomic { !lock -> lock = true; body; lock = false }
#define build_and_publish(new, old, k, v)				\
	fill_fields(new, old, k, v);					\
	publish_body(new, old)
#endif

/*
 * rcumap_hash_update(): an unlocked look under RCU to size the new
 * bucket (a pointer load, then a read through it), then allocate, lock,
 * rebuild from the locked bucket and publish.
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
	d_step {
		if
		:: cur != NONE -> check_readable(cur)
		:: else -> skip
		fi;
		rcu_exit_body(me);
		cur = 0;
		/* kvmalloc(), outside the RCU read lock */
		alloc_first(new)
	};
	if
	:: new == NONE -> skip			/* -ENOMEM: nothing changed */
	:: else ->
		locked(
			inside[me] = true;
			old = bucket;
			/* Values 1, 2, 3, 1...: enough to see one change. */
			v = next_val;
			next_val = next_val % 3 + 1;
			build_and_publish(new, old, k, v);
			want_present[k] = true;
			want_val[k] = v;
			rcu_exit_body(me)
		);
		retire_replaced();
		d_step { old = 0; new = 0; v = 0 }
	fi
}

/*
 * rcumap_hash_delete() / lookup_and_delete(): under the lock, publish a
 * bucket without the key, or none if it was the last, or, if no smaller
 * bucket can be had (GFP_NOWAIT), mark the entry dead in place: one word
 * store into a published bucket.
 */
inline delete(me, k)
{
	locked(
		inside[me] = true;
		old = bucket;
		found = old != NONE && present[E(old, k)] && !dead[E(old, k)];
		others_live(old, k, n);
		if
		:: found && n == 0 ->
			publish_body(NONE, old)
		:: found && n > 0 ->
			if
			:: alloc_first(new)
			:: new = NONE		/* GFP_NOWAIT failed */
			fi;
			if
			:: new == NONE ->
				dead[E(old, k)] = true
			:: else ->
				build_and_publish(new, old, k, 0)
			fi
		:: else -> skip			/* -ENOENT */
		fi;
		if
		:: found -> want_present[k] = false
		:: else -> skip
		fi;
		rcu_exit_body(me)
	);
	retire_replaced();
	d_step { old = 0; new = 0; n = 0; found = false }
}

proctype writer(byte me)
{
	byte cur, old, new, v, n, k, op, i, j, f;
	byte retired = NONE;	/* what this writer has to retire */
	bool found;

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
 * rcumap_hash_lookup() and a caller that holds the value: load the table
 * and the bucket once, find the key, read the value; later read it again.
 */
proctype reader(byte me)
{
	byte b, k, v, i, j, n, f;
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
					found = present[E(b, k)] &&
						!dead[E(b, k)];
					v = val[E(b, k)]
				:: else -> skip
				fi
			:: else -> skip	/* the table is gone: not found */
			fi
		};
		/* ... the caller uses the value, then reads it again ... */
		if
		:: found ->
			atomic {
				check_readable(b);
				assert(val[E(b, k)] == v)
			}
		:: else -> skip
		fi;
		d_step {
			rcu_exit_body(me);
			b = 0; k = 0; v = 0; found = false
		};
		n++
	:: n == NREADS -> break
	od
}

/*
 * The owner: once the writers are done, check the contents, then
 * rcumap_hash_destroy(): unpublish the table, and free it with its
 * bucket after a grace period.
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
			:: b != NONE && present[E(b, j)] && !dead[E(b, j)] ->
				assert(want_present[j] &&
				       val[E(b, j)] == want_val[j])
			:: else ->
				assert(!want_present[j])
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
	}
}

init
{
	byte i;

	atomic {
		state[TBL] = S_LIVE;
		i = 0;
		do
		:: i < NTASKS -> held[i] = NONE; i++
		:: i == NTASKS -> break
		od;
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
