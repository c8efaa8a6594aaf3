/*
 * ptab.pml - the free-slot bitmap of rcumap's process table (kmod/ptab.c),
 * checked with spin.
 *
 * A table of C slots, in NW bitmap words of WB bits, each word its own
 * group with a counter of free slots (in the code a group is 64 words;
 * one word per group here makes the skipping matter at this size).  An
 * insert reserves room in count, reads next_id, and claims the free slot
 * nearest at or after next_id % C (next-fit): one lap of the bitmap,
 * skipping words whose group counter is zero, taking a bit with an atomic
 * test-and-clear, then taking one off the counter.  Its id is the
 * smallest at or above next_id that names the slot; a cmpxchg loop moves
 * next_id past it, and gives the slot back (and starts again) if another
 * insert's id overtook it.  Then it publishes its node in the slot.  A
 * remove loads the slot, checks the node's id, empties the slot with a
 * cmpxchg, adds one to the group counter, sets the bit, and gives its
 * reservation back.  Lookups load the slot and compare the node's id.
 *
 * Workers insert and remove, their own ids and a shared one that they
 * race for; a reader looks up the ids where it matters: one just removed,
 * the id that will reuse its slot, one just published.
 *
 * Safety, checked by assertions:
 *   - no id is handed out twice, and an id is above every id returned by
 *     an insert that finished before its insert began;
 *   - an insert publishes only into an empty slot, and only one insert
 *     holds a slot's bit (a bit is never set twice);
 *   - a group counter never counts fewer free slots than its bits show
 *     (an insert that skips a group skips no free slot), and is below the
 *     group's size while a node of the group is published (a walk that
 *     skips a group skips no object);
 *   - a stale id never matches: once the id's remove has emptied its
 *     slot, a lookup misses, whatever occupies the slot now or later;
 *   - a live id always matches: while the id is published, a lookup
 *     finds its node;
 *   - of removes racing for one id, exactly one gets the node.
 * Lock-freedom (no insert waits for another thread) is argued in
 * kmod/ptab.c, not checked here.
 *
 * Variants (-D on the spin command line, see model/check.sh):
 *   BROKEN_CLAIM  the claim without its atomic test-and-clear (test, then
 *                 clear): spin must find two inserts sharing a slot.
 *   BROKEN_FREE   the remove sets the bit before it adds to the group
 *                 counter: spin must find a counter below its free bits.
 *   NWORKERS      workers (default 2, at most 3)
 *   NROUNDS       insert/remove rounds per worker (default 2)
 *   NLOOKUPS      lookups of the reader (default 2)
 *
 * See Documentation/rcumap-model.rst for how this maps onto kmod/ptab.c.
 */

#ifndef NWORKERS
#define NWORKERS	2
#endif
#ifndef NROUNDS
#define NROUNDS		2
#endif
#ifndef NLOOKUPS
#define NLOOKUPS	2
#endif

#define WB		2		/* bits per bitmap word */
#define NW		2		/* words, one group each */
#define C		(WB * NW)	/* capacity */
#define MASK		(C - 1)
#define NNODES		(NWORKERS * NROUNDS)
#define MAXID		32		/* every id the model can reach is below */
#define NONE		255

/* Id states, for the assertions only. */
#define I_NEVER		0
#define I_TAKEN		1	/* an insert is between its claim and publish */
#define I_LIVE		2	/* published */
#define I_GONE		3	/* a remove emptied its slot */

byte slots[C];			/* node, or NONE */
byte nodeid[NNODES];		/* the id an insert gave the node */
byte fw[NW];			/* free bitmap: bit b of word w is slot w*WB+b */
byte gfree[NW];			/* group counters */
byte count;			/* reservations */
byte next_id;			/* every id handed out is below */

byte status[MAXID];
byte removed[MAXID];		/* removes that returned the node */
byte returned = NONE;		/* largest id returned by a finished insert */
byte shared_id = NONE;		/* an id every worker may try to remove */
byte last_live = NONE;		/* the id published last */
byte last_gone = NONE;		/* the id removed last */

/* Set bits of a word. */
#define POP(x)		(((x) & 1) + (((x) >> 1) & 1))

/*
 * rcumap_ptab_free_ix(): counter first, then the bit (fully ordered
 * fetch_or), so the counter never counts fewer free slots than the bits.
 */
inline free_ix(ix)
{
#ifdef BROKEN_FREE
	d_step {
		assert((fw[(ix) / WB] & (1 << ((ix) % WB))) == 0);
		fw[(ix) / WB] = fw[(ix) / WB] | (1 << ((ix) % WB))
	};
	gfree[(ix) / WB]++;
#else
	gfree[(ix) / WB]++;
	d_step {
		assert((fw[(ix) / WB] & (1 << ((ix) % WB))) == 0);
		fw[(ix) / WB] = fw[(ix) / WB] | (1 << ((ix) % WB))
	};
#endif
}

/*
 * rcumap_ptab_claim_ix(): one lap of the words from the word of @from
 * (its bits from @from up first, below @from last), skipping a word whose
 * counter is zero, taking the lowest free bit with a test-and-clear.
 * @ix is the slot, or NONE if the lap found none.
 */
inline claim_ix(from, ix)
{
	k = 0;
	ix = NONE;
	do
	:: k > NW -> break
	:: else ->
		w = (from / WB + k) % NW;
		if
		:: k == 0 -> mask = 3 - ((1 << (from % WB)) - 1)
		:: k == NW -> mask = (1 << (from % WB)) - 1
		:: else -> mask = 3
		fi;
		d_step {
			skipw = gfree[w] == 0;
			/* A skipped group hides no free slot. */
			assert(gfree[w] >= POP(fw[w]))
		};
		if
		:: skipw -> skip
		:: else ->
			bits = fw[w] & mask;
			do
			:: bits == 0 -> break
			:: else ->
				b = ((bits & 1) -> 0 : 1);
#ifdef BROKEN_CLAIM
				got = (fw[w] & (1 << b)) != 0;
				if
				:: got -> fw[w] = fw[w] & ~(1 << b)
				:: else -> skip
				fi;
#else
				d_step {
					got = (fw[w] & (1 << b)) != 0;
					fw[w] = fw[w] & ~(1 << b)
				};
#endif
				if
				:: got ->
					d_step {
						assert(gfree[w] > 0);
						gfree[w]--
					};
					ix = w * WB + b;
					break
				:: else ->
					/* Taken first by another: look above. */
					mask = mask & ~((1 << (b + 1)) - 1);
					bits = fw[w] & mask
				fi
			od
		fi;
		if
		:: ix != NONE -> break
		:: else -> k++
		fi
	od;
	k = 0; w = 0; mask = 0; bits = 0; b = 0; got = false; skipw = false
}

/*
 * rcumap_ptab_claim(): a slot and the smallest id at or above next_id that
 * names it; next_id moved past it with a cmpxchg loop, the slot given back
 * if an id above it was handed out meanwhile.
 */
inline claim(id)
{
	next = next_id;
	do
	:: claim_ix(next % C, ix);
		if
		:: ix == NONE -> next = next_id
		:: else ->
			id = next + ((ix + C - next % C) % C);
			assert(id < MAXID);
			seen = next;
			do
			:: d_step {
				if
				:: next_id == seen ->
					next_id = id + 1;
					done = true
				:: else -> seen = next_id
				fi
			   };
				if
				:: done -> break
				:: !done && seen > id -> break
				:: else -> skip
				fi
			od;
			if
			:: done ->
				done = false;
				d_step {
					assert(status[id] == I_NEVER);	/* once */
					/* Above what finished before us. */
					assert(floor == NONE || id > floor);
					status[id] = I_TAKEN
				};
				break
			:: else ->
				/* Overtaken: give the slot back, start again. */
				free_ix(ix);
				next = seen
			fi
		fi
	od;
	ix = 0; next = 0; seen = 0
}

/* rcumap_ptab_insert() of node @nd: its id in @id, or NONE if full. */
inline insert(nd, id)
{
	floor = returned;
	d_step {
		if
		:: count < C -> count++; ok = true
		:: else -> ok = false
		fi
	};
	if
	:: ok ->
		ok = false;
		claim(id);
		/* Publish: the slot must be ours alone. */
		d_step {
			nodeid[nd] = id;
			assert(slots[id & MASK] == NONE);
			slots[id & MASK] = nd;
			status[id] = I_LIVE;
			last_live = id;
			if
			:: returned == NONE || id > returned -> returned = id
			:: else -> skip
			fi
		}
	:: else -> id = NONE			/* -ENOSPC */
	fi;
	floor = 0
}

/* rcumap_ptab_remove(@id): true in @got_node if this call took the node. */
inline remove(id, got_node)
{
	d_step {
		got_node = false;
		nd = slots[id & MASK];
		ok = nd != NONE && nodeid[nd] == id
	};
	if
	:: ok ->
		d_step {
			if
			:: slots[id & MASK] == nd ->
				slots[id & MASK] = NONE;
				status[id] = I_GONE;
				last_gone = id;
				removed[id]++;
				assert(removed[id] == 1);
				got_node = true
			:: else -> skip
			fi;
			nd = 0;
			ok = false
		};
		if
		:: got_node ->
			free_ix(id & MASK);
			count--
		:: else -> skip
		fi
	:: else -> nd = 0
	fi
}

proctype worker(byte me)
{
	byte id, other, nd, r, ix, next, seen, floor, k, w, mask, bits, b;
	bool ok, done, got, got_node, skipw;

	r = 0;
	do
	:: r < NROUNDS ->
		insert(me * NROUNDS + r, id);
		if
		:: id != NONE ->
			if
			:: shared_id = id	/* let the others race for it */
			:: skip
			fi;
			/* Remove our id, or race for the shared one first. */
			if
			:: other = shared_id;
				if
				:: other != NONE -> remove(other, got_node)
				:: else -> skip
				fi
			:: skip
			fi;
			remove(id, got_node);
			/* Now it is stale: it must not be found or removed. */
			remove(id, got_node);
			assert(!got_node)
		:: else -> skip
		fi;
		id = 0;
		other = 0;
		r++
	:: r == NROUNDS -> break
	od
}

/*
 * rcumap_ptab_lookup(): load the slot, compare the node's id.  A node's
 * id is written before it is published and never changes while it can be
 * found (nodes are not reused here; the code reuses one only a grace
 * period after its removal), so the lookup is one step, and the state of
 * the id at that step says what it must return.  The same step checks
 * what a walk relies on to skip a group: a group whose counter says all
 * free has no published node.
 */
proctype reader()
{
	byte id, nd, n, w;
	bool hit;

	n = 0;
	do
	:: n < NLOOKUPS ->
		/*
		 * Ids worth looking up: one just removed (its slot is about
		 * to be reused), the id that will reuse it, one just
		 * published.
		 */
		atomic {
			if
			:: id = last_gone
			:: id = last_gone + C
			:: id = last_live
			fi;
			if
			:: id >= MAXID -> id = 0
			:: else -> skip
			fi;
			nd = slots[id & MASK];
			hit = nd != NONE && nodeid[nd] == id;
			/* A stale id never matches; a live one always does. */
			assert(!hit || status[id] != I_GONE);
			assert(hit || status[id] != I_LIVE);
			w = 0;
			do
			:: w < NW ->
				assert(gfree[w] >= POP(fw[w]));
				assert(gfree[w] < WB ||
				       (slots[w * WB] == NONE &&
					slots[w * WB + 1] == NONE));
				w++
			:: w == NW -> break
			od;
			id = 0; nd = 0; hit = false; w = 0
		};
		n++
	:: n == NLOOKUPS -> break
	od
}

init
{
	byte i;

	atomic {
		/* rcumap_ptab_create(): every slot free. */
		i = 0;
		do
		:: i < C -> slots[i] = NONE; i++
		:: i == C -> break
		od;
		i = 0;
		do
		:: i < NW -> fw[i] = 3; gfree[i] = WB; i++
		:: i == NW -> break
		od;
		i = 0;
		do
		:: i < NWORKERS -> run worker(i); i++
		:: i == NWORKERS -> break
		od;
		i = 0;
		run reader()
	}
}
