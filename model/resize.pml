/*
 * resize.pml - the online resize of rcumap's hash table (kmod/hash.c),
 * checked with spin.
 *
 * A table of one bucket grows to two while writers update and delete and
 * readers look up.  The resizer links the new table to the old one
 * (tbl->future), moves the old bucket's entries into fresh buckets of the
 * new table, publishes them, and only then replaces the old bucket by the
 * MOVED marker and retires it.  Once every bucket has moved, h->tbl is
 * switched to the new table and the old one is retired.
 *
 * A reader loads h->tbl and the key's bucket; if the bucket is MOVED it
 * follows tbl->future and loads the key's bucket there.  A writer takes
 * the key's bucket lock and looks at the bucket under it; if it is MOVED
 * it drops the lock and goes on in tbl->future.
 *
 * RCU is modelled as in hash.pml: retiring records who is inside a
 * read-side critical section, and the object is freed as soon as each of
 * them has left.
 *
 * Safety, checked by assertions:
 *   - nobody inside a read-side critical section holds a freed bucket or
 *     table (checked at every free and at every load);
 *   - key 0 is present from start to end (writers only replace its value),
 *     so every lookup of it finds it, whatever the resize is doing;
 *   - a bucket a reader sees is completely built and its values do not
 *     change under the reader;
 *   - at the end the table holds exactly what the last writes made, every
 *     key in the bucket its hash selects, and the count is exact.
 *
 * Variants (-D on the spin command line, see model/check.sh):
 *   BROKEN_MARK_FIRST  store MOVED before publishing the new buckets: a
 *                      reader must find key 0 missing.
 *   BROKEN_NO_RECHECK  a writer does not look at the bucket again under
 *                      the lock, so it may rebuild a bucket that has
 *                      moved: an update is lost.
 *   BROKEN_TBL_FREE    free the old table when h->tbl is switched, without
 *                      a grace period: a reader holds a freed table.
 *   NREADERS           readers (default 2)
 *   NOPS               operations per writer (default 1)
 *
 * See Documentation/rcumap-model.rst for how this maps onto kmod/hash.c.
 */

#ifndef NREADERS
#define NREADERS	2
#endif
#ifndef NOPS
#define NOPS		1
#endif

#define NKEYS		2
#define NOBJ		6		/* buckets in the pool */
#define NONE		255		/* no bucket: empty */
#define MOVED		254		/* the static marker bucket */
#define NTASKS		(NREADERS + 3)	/* readers, two writers, resizer */
#define RESIZER		(NREADERS + 2)

/* Tables: T0 has one bucket (slot 0), T1 two (slots 1 and 2). */
#define T0		0
#define T1		1
#define NTBL		2
#define SLOT(t, k)	((t) == T0 -> 0 : 1 + (k))

/* Object states, for buckets and tables alike. */
#define S_FREE		0
#define S_INIT		1
#define S_LIVE		2
#define S_RETIRED	3

byte state[NOBJ];
bool filled[NOBJ];
bool present[NOBJ * NKEYS];
byte val[NOBJ * NKEYS];
#define E(o, k)		((o) * NKEYS + (k))

byte tstate[NTBL];
byte slot[3] = NONE;		/* tbl->buckets[] of T0, then T1 */
byte future = NONE;		/* T0's tbl->future */
byte htbl = T0;			/* h->tbl */
bool lock[3];			/* the bucket locks, one per slot */

bool inside[NTASKS];
byte held[NTASKS];		/* a bucket, or NONE */
byte held_tbl[NTASKS];		/* a table, or NONE */
byte waitfor[NOBJ];		/* bitmask over tasks, buckets */
byte twaitfor[NTBL];		/* and tables */

byte want_val[NKEYS];		/* 0: absent */
byte next_val = 2;
byte done;

inline free_bucket(o)
{
	f = 0;
	do
	:: f < NTASKS -> assert(!(inside[f] && held[f] == o)); f++
	:: else -> break
	od;
	f = 0;
	state[o] = S_FREE;
	waitfor[o] = 0;
	filled[o] = false;
	present[E(o, 0)] = false;
	present[E(o, 1)] = false;
	val[E(o, 0)] = 0;
	val[E(o, 1)] = 0
}

inline free_table(t)
{
	f = 0;
	do
	:: f < NTASKS -> assert(!(inside[f] && held_tbl[f] == t)); f++
	:: else -> break
	od;
	f = 0;
	tstate[t] = S_FREE;
	twaitfor[t] = 0
}

/* rcu_read_unlock(): grace periods that waited only for @me end. */
inline rcu_exit_body(me)
{
	inside[me] = false;
	held[me] = NONE;
	held_tbl[me] = NONE;
	i = 0;
	do
	:: i < NOBJ ->
		if
		:: waitfor[i] & (1 << me) ->
			waitfor[i] = waitfor[i] & ~(1 << me);
			if
			:: waitfor[i] == 0 -> free_bucket(i)
			:: else -> skip
			fi
		:: else -> skip
		fi;
		i++
	:: else -> break
	od;
	i = 0;
	do
	:: i < NTBL ->
		if
		:: twaitfor[i] & (1 << me) ->
			twaitfor[i] = twaitfor[i] & ~(1 << me);
			if
			:: twaitfor[i] == 0 -> free_table(i)
			:: else -> skip
			fi
		:: else -> skip
		fi;
		i++
	:: else -> break
	od;
	i = 0
}

/* kvfree_rcu() of bucket @o: wait for everyone inside now. */
inline retire_bucket(o)
{
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
	:: else -> break
	od;
	i = 0;
	if
	:: waitfor[o] == 0 -> free_bucket(o)
	:: else -> skip
	fi
}

/* The old table's bucket array goes after a grace period. */
inline retire_table(t)
{
#ifdef BROKEN_TBL_FREE
	free_table(t)
#else
	tstate[t] = S_RETIRED;
	twaitfor[t] = 0;
	i = 0;
	do
	:: i < NTASKS ->
		if
		:: inside[i] -> twaitfor[t] = twaitfor[t] | (1 << i)
		:: else -> skip
		fi;
		i++
	:: else -> break
	od;
	i = 0;
	if
	:: twaitfor[t] == 0 -> free_table(t)
	:: else -> skip
	fi
#endif
}

inline check_table(t)
{
	assert(tstate[t] == S_LIVE || tstate[t] == S_RETIRED)
}

inline check_bucket(o)
{
	assert(state[o] == S_LIVE || state[o] == S_RETIRED);
	assert(filled[o])
}

/* kvmalloc() of a bucket: the first free one; NONE when there is none. */
inline alloc_bucket(o)
{
	o = 0;
	do
	:: o < NOBJ && state[o] != S_FREE -> o++
	:: o < NOBJ && state[o] == S_FREE -> state[o] = S_INIT; break
	:: o == NOBJ -> o = NONE; break
	od
}

/*
 * rcumap_bucket_fill() for a writer: the entries of @old (NONE: none)
 * with key @k set to @v (0: removed).  Nobody sees @new yet: one step.
 */
inline fill_edit(new, old, k, v)
{
	j = 0;
	do
	:: j < NKEYS ->
		if
		:: old != NONE && present[E(old, j)] ->
			present[E(new, j)] = true;
			val[E(new, j)] = val[E(old, j)]
		:: else -> skip
		fi;
		j++
	:: else -> break
	od;
	j = 0;
	present[E(new, k)] = (v != 0);
	val[E(new, k)] = v;
	filled[new] = true
}

/*
 * The resizer's fill: the entries of @old whose hash selects slot @s of
 * the new table (key k goes to slot 1 + k).
 */
inline fill_split(new, old, s)
{
	present[E(new, s - 1)] = present[E(old, s - 1)];
	val[E(new, s - 1)] = val[E(old, s - 1)];
	filled[new] = true
}

/*
 * A writer: rcumap_hash_update() or rcumap_hash_delete() of key @k to
 * value @v (0: delete).  In the read-side critical section throughout;
 * the part under the bucket lock is one step.
 */
inline write(me, k, v)
{
	d_step {
		inside[me] = true;
		t = htbl;
		held_tbl[me] = t;
		check_table(t)
	};
	/* The unlocked look, which sizes the allocation. */
	d_step {
		look = slot[SLOT(t, k)];
		alloc_bucket(new)
	};
	if
	:: new == NONE -> skip	/* -ENOMEM: nothing changed */
	:: else ->
		do
		:: atomic {
			!lock[SLOT(t, k)] -> lock[SLOT(t, k)] = true;
			old = slot[SLOT(t, k)];
#ifdef BROKEN_NO_RECHECK
			/* Trusts its unlocked look instead. */
			if
			:: look != MOVED -> old = look
			:: else -> skip
			fi;
#endif
			if
			:: old == MOVED ->
				/* Moved: unlock, go on in the new table. */
				lock[SLOT(t, k)] = false;
				t = future;
				held_tbl[me] = t;
				check_table(t);
				look = slot[SLOT(t, k)]
			:: else ->
				if
				:: old != NONE -> check_bucket(old)
				:: else -> skip
				fi;
				fill_edit(new, old, k, v);
				if
				:: v == 0 && !present[E(new, 1 - k)] ->
					/* The bucket is empty now. */
					free_bucket(new);
					slot[SLOT(t, k)] = NONE
				:: else ->
					state[new] = S_LIVE;
					slot[SLOT(t, k)] = new
				fi;
				want_val[k] = v;
				lock[SLOT(t, k)] = false;
				break
			fi
		   }
		od;
		skip;	/* (break lands here, not inside a d_step) */
		/* rcumap_bucket_retire(), after the unlock. */
		d_step {
			if
			:: old != NONE && old != MOVED &&
			   state[old] == S_LIVE -> retire_bucket(old)
			:: else -> skip
			fi
		}
	fi;
	d_step {
		rcu_exit_body(me);
		old = NONE;
		new = NONE;
		look = NONE;
		t = 0
	}
}

proctype writer(byte me; byte k)
{
	byte t, old = NONE, new = NONE, look = NONE, n, i, j, f;

	n = 0;
	do
	:: n < NOPS ->
		/* Key 0 is only ever replaced; key 1 comes and goes. */
		if
		:: k == 0 -> write(me, 0, next_val)
		:: k == 1 && want_val[1] == 0 -> write(me, 1, next_val)
		:: k == 1 && want_val[1] != 0 -> write(me, 1, 0)
		fi;
		d_step { next_val++ };
		n++
	:: else -> break
	od;
	done++
}

/*
 * A reader: rcumap_hash_lookup() of key @k and a caller that holds the
 * value and reads it again.
 */
proctype reader(byte me; byte k)
{
	byte t, b, v, i, f;

	d_step {
		inside[me] = true;
		t = htbl;
		held_tbl[me] = t;
		check_table(t)
	};
	d_step {
		b = slot[SLOT(t, k)];
		if
		:: b == MOVED ->
			/* Moved: the new buckets were published before. */
			assert(future != NONE);
			t = future;
			held_tbl[me] = t;
			check_table(t);
			b = slot[SLOT(t, k)]
		:: else -> skip
		fi;
		assert(b != MOVED);
		if
		:: b != NONE -> check_bucket(b); held[me] = b
		:: else -> skip
		fi;
		/* Key 0 is present for the whole run: it must be found. */
		assert(k != 0 || (b != NONE && present[E(b, 0)]));
		if
		:: b != NONE && present[E(b, k)] -> v = val[E(b, k)]
		:: else -> v = 0
		fi
	};
	/* Later, still inside: the value is still there and unchanged. */
	d_step {
		if
		:: b != NONE ->
			check_bucket(b);
			assert(!present[E(b, k)] || val[E(b, k)] == v)
		:: else -> skip
		fi
	};
	d_step { rcu_exit_body(me) }
}

/* The resize worker: rcumap_hash_resize() from one bucket to two. */
proctype resizer()
{
	byte me = RESIZER, old, n0, n1, i, j, f;

	/* The new table, linked from the old one, readers never see empty. */
	d_step { tstate[T1] = S_INIT; future = T1 };
	d_step { inside[me] = true; held_tbl[me] = T0 };
	/* Buckets are allocated outside the lock; retried until they come. */
	do
	:: d_step { alloc_bucket(n0) };
	   if :: n0 != NONE -> break :: else -> skip fi
	od;
	skip;
	do
	:: d_step { alloc_bucket(n1) };
	   if :: n1 != NONE -> break :: else -> skip fi
	od;
	skip;
	/* Lock the old bucket and the new ones (old first). */
	atomic { !lock[0] && !lock[1] && !lock[2] ->
		lock[0] = true; lock[1] = true; lock[2] = true
	};
	d_step {
		old = slot[0];
		if
		:: old != NONE ->
			check_bucket(old);
			fill_split(n0, old, 1);
			fill_split(n1, old, 2)
		:: else -> skip
		fi;
		/* Empty halves are no bucket at all. */
		if
		:: old != NONE && present[E(n0, 0)] -> state[n0] = S_LIVE
		:: else -> free_bucket(n0); n0 = NONE
		fi;
		if
		:: old != NONE && present[E(n1, 1)] -> state[n1] = S_LIVE
		:: else -> free_bucket(n1); n1 = NONE
		fi
	};
#ifdef BROKEN_MARK_FIRST
	slot[0] = MOVED;
	tstate[T1] = S_LIVE;
#else
	/* rcu_assign_pointer() of the new buckets, then of the marker. */
	d_step { tstate[T1] = S_LIVE; slot[1] = n0 };
	slot[2] = n1;
	slot[0] = MOVED;
#endif
	d_step { lock[0] = false; lock[1] = false; lock[2] = false };
	d_step {
		if
		:: old != NONE -> retire_bucket(old)
		:: else -> skip
		fi
	};
	/* Every bucket has moved: switch h->tbl, retire the old table. */
	htbl = T1;
	d_step { rcu_exit_body(me) };
	d_step { retire_table(T0) };
	d_step { done++ }
}

init {
	byte r;

	/* The table starts with both keys in its one bucket. */
	d_step {
		tstate[T0] = S_LIVE;
		state[0] = S_LIVE;
		filled[0] = true;
		present[E(0, 0)] = true;
		val[E(0, 0)] = 1;
		present[E(0, 1)] = true;
		val[E(0, 1)] = 1;
		slot[0] = 0;
		want_val[0] = 1;
		want_val[1] = 1;
		r = 0;
		do
		:: r < NTASKS -> held[r] = NONE; held_tbl[r] = NONE; r++
		:: else -> break
		od;
		r = 0
	};
	atomic {
		r = 0;
		do
		:: r < NREADERS -> run reader(r, r % NKEYS); r++
		:: else -> break
		od;
		run writer(NREADERS, 0);
		run writer(NREADERS + 1, 1);
		run resizer()
	};
	/* The writers and the resizer are done: check the final table. */
	(done == 3);
	d_step {
		assert(htbl == T1);
		assert(slot[0] == MOVED);
		r = 0;
		do
		:: r < NKEYS ->
			if
			:: want_val[r] == 0 -> assert(slot[1 + r] == NONE || !present[E(slot[1 + r], r)])
			:: else ->
				assert(slot[1 + r] != NONE);
				assert(present[E(slot[1 + r], r)]);
				assert(val[E(slot[1 + r], r)] == want_val[r]);
				/* Each key only in the bucket its hash selects. */
				assert(!present[E(slot[1 + r], 1 - r)])
			fi;
			r++
		:: else -> break
		od
	}
}
