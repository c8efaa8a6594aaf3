/*
 * ptab.pml - the free-id ring of rcumap's process table (kmod/ptab.c),
 * checked with spin.
 *
 * A table of C slots.  The ring holds, for every free slot, the next id
 * that slot will have; an insert reserves room in count, takes an id out
 * of the ring (fetch-and-increment of alloc_pos, then xchg of the entry
 * with EMPTY), raises it past next_id in steps of C (a cmpxchg loop on
 * next_id), and publishes its node in slot id % C.  A remove loads the
 * slot, checks the node's id, empties the slot with a cmpxchg, puts
 * id + C back into the ring (fetch-and-increment of free_pos, then a
 * cmpxchg of the entry from EMPTY) and gives its reservation back.
 * Lookups load the slot and compare the node's id.
 *
 * Workers insert and remove, their own ids and a shared one that they
 * race for; a reader looks up the ids where it matters: one just removed,
 * the id that will reuse its slot, one just published.
 *
 * Safety, checked by assertions:
 *   - no id is handed out twice, and ids increase;
 *   - an insert publishes only into an empty slot, and a ring store
 *     never overwrites an id (no slot ever has two ids, none loses its);
 *   - a stale id never matches: once the id's remove has emptied its
 *     slot, a lookup misses, whatever occupies the slot now or later;
 *   - a live id always matches: while the id is published, a lookup
 *     finds its node;
 *   - of removes racing for one id, exactly one gets the node.
 *
 * Variants (-D on the spin command line, see model/check.sh):
 *   BROKEN_PUT   the ring put without its cmpxchg (test, then store): spin
 *                must find an id overwritten in the ring.
 *   BROKEN_TAKE  the ring take without its xchg (load, then store EMPTY):
 *                spin must find two inserts sharing a slot.
 *   NWORKERS     workers (default 2, at most 3)
 *   NROUNDS      insert/remove rounds per worker (default 2)
 *   NLOOKUPS     lookups of the reader (default 2)
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

#define C		2		/* capacity: slots and ring entries */
#define MASK		(C - 1)
#define NNODES		(NWORKERS * NROUNDS)
#define MAXID		16		/* every id the model can reach is below */
#define EMPTY		255		/* RCUMAP_PTAB_RING_EMPTY */
#define NONE		255

/* Id states, for the assertions only. */
#define I_NEVER		0
#define I_TAKEN		1	/* an insert is between its take and publish */
#define I_LIVE		2	/* published */
#define I_GONE		3	/* a remove emptied its slot */

byte slots[C];			/* node, or NONE */
byte nodeid[NNODES];		/* the id an insert gave the node */
byte ring[C];			/* next id of a free slot, or EMPTY */
/*
 * The cursors count up for ever and wrap at 2^32, a multiple of C: only
 * their value modulo C (the ring entry) matters, so that is all we keep.
 */
byte alloc_pos;
byte free_pos;
byte count;			/* reservations */
byte next_id;			/* every id handed out is below */

byte status[MAXID];
byte removed[MAXID];		/* removes that returned the node */
byte shared_id = NONE;		/* an id every worker may try to remove */
byte last_live = NONE;		/* the id published last */
byte last_gone = NONE;		/* the id removed last */
byte workers_done;

/*
 * rcumap_ptab_ring_take(): lock-free, skipping entries not refilled yet.
 * Each step is one atomic instruction of the code, with the local work
 * after it folded in.
 */
inline ring_take(rid)
{
	do
	:: d_step { pos = alloc_pos; alloc_pos = (alloc_pos + 1) & MASK };
#ifdef BROKEN_TAKE
		rid = ring[pos & MASK];
		ring[pos & MASK] = EMPTY;
#else
		d_step { rid = ring[pos & MASK]; ring[pos & MASK] = EMPTY };
#endif
		if
		:: rid != EMPTY -> break
		:: else -> skip
		fi
	od;
	pos = 0
}

/* rcumap_ptab_ring_put(): lock-free, skipping entries not taken yet. */
inline ring_put(id)
{
	do
	:: d_step { pos = free_pos; free_pos = (free_pos + 1) & MASK };
#ifdef BROKEN_PUT
		if
		:: ring[pos & MASK] == EMPTY ->
			d_step {
				assert(ring[pos & MASK] == EMPTY);
				ring[pos & MASK] = id;
				pos = 0
			};
			break
		:: else -> skip
		fi
#else
		d_step {
			if
			:: ring[pos & MASK] == EMPTY ->
				ring[pos & MASK] = id;
				done = true
			:: else -> skip
			fi;
			pos = 0
		};
		if
		:: done -> done = false; break
		:: else -> skip
		fi
#endif
	od
}

/*
 * rcumap_ptab_claim_id(): raise @rid past next_id in steps of C, with a
 * cmpxchg loop on next_id; on success the id is ours: check it.
 */
inline claim_id(rid, id)
{
	do
	:: d_step {
		next = next_id;
		id = rid;
		if
		:: id < next -> id = id + ((next - id + C - 1) / C) * C
		:: else -> skip
		fi
	   };
		d_step {
			if
			:: next_id == next ->
				next_id = id + 1;
				assert(id < MAXID);
				assert(status[id] == I_NEVER);	/* once */
				assert(id >= last);	/* increasing */
				last = id + 1;
				status[id] = I_TAKEN;
				done = true
			:: else -> skip
			fi;
			next = 0
		};
		if
		:: done -> done = false; break
		:: else -> skip
		fi
	od;
	rid = 0
}

/* rcumap_ptab_insert() of node @nd: its id in @id, or NONE if full. */
inline insert(nd, id)
{
	d_step {
		if
		:: count < C -> count++; ok = true
		:: else -> ok = false
		fi
	};
	if
	:: ok ->
		ok = false;
		ring_take(rid);
		claim_id(rid, id);
		/* Publish: the slot must be ours alone. */
		d_step {
			nodeid[nd] = id;
			assert(slots[id & MASK] == NONE);
			slots[id & MASK] = nd;
			status[id] = I_LIVE;
			last_live = id
		}
	:: else -> id = NONE			/* -ENOSPC */
	fi
}

/* rcumap_ptab_remove(@id): true in @got if this call took the node. */
inline remove(id, got)
{
	d_step {
		got = false;
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
				got = true
			:: else -> skip
			fi;
			nd = 0;
			ok = false
		};
		if
		:: got ->
			ring_put(id + C);
			count--
		:: else -> skip
		fi
	:: else -> nd = 0
	fi
}

proctype worker(byte me)
{
	byte id, other, rid, pos, next, nd, r, last;
	bool ok, done, got;

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
				:: other != NONE -> remove(other, got)
				:: else -> skip
				fi
			:: skip
			fi;
			remove(id, got);
			/* Now it is stale: it must not be found or removed. */
			remove(id, got);
			assert(!got)
		:: else -> skip
		fi;
		id = 0;
		other = 0;
		r++
	:: r == NROUNDS -> break
	od;
	workers_done++
}

/*
 * rcumap_ptab_lookup(): load the slot, compare the node's id.  A node's
 * id is written before it is published and never changes while it can be
 * found (nodes are not reused here; the code reuses one only a grace
 * period after its removal), so the lookup is one step, and the state of
 * the id at that step says what it must return.
 */
proctype reader()
{
	byte id, nd, n;
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
			id = 0; nd = 0; hit = false
		};
		n++
	:: n == NLOOKUPS -> break
	od
}

init
{
	byte i;

	atomic {
		/* rcumap_ptab_create(): the ring holds 0 .. C - 1. */
		i = 0;
		do
		:: i < C -> slots[i] = NONE; ring[i] = i; i++
		:: i == C -> break
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
