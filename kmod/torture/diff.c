// SPDX-License-Identifier: GPL-2.0
/*
 * The differential check's streams, and the reference hash table that the
 * hash, LRU and per-CPU comparisons share.  Each map's comparison is in
 * diff_<map>.c.
 *
 * Locking: every operation of a reference takes its mutex; a stream is a
 * single thread, so the mutex only keeps lockdep's eye on the reference.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "torture.h"

/* ---- The reference hash table --------------------------------------- */

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
struct ref_entry *ref_order_next(struct ref_hash *ref, const u8 *key)
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

struct ref_entry *ref_find(struct ref_hash *ref, const u8 *key)
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
int ref_update(struct ref_hash *ref, const u8 *key, const u8 *value, u32 mode)
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

int ref_take(struct ref_hash *ref, const u8 *key, u8 *value)
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
int ref_lookup(struct ref_hash *ref, const u8 *key, u8 *value)
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

/*
 * A new empty reference for a table of key size @ks, value size @vs and
 * @max_entries, whose walk order is that of @h; NULL without memory.
 */
struct ref_hash *ref_hash_new(u32 ks, u32 vs, u32 max_entries,
			      const struct rcumap_hash *h)
{
	struct ref_hash *ref = kzalloc(sizeof(*ref), GFP_KERNEL);
	u32 i;

	if (!ref)
		return NULL;
	mutex_init(&ref->lock);
	ref->key_size = ks;
	ref->value_size = vs;
	ref->max_entries = max_entries;
	ref->h = h;
	ref->order = RB_ROOT;
	for (i = 0; i < REF_HASH_HEADS; i++)
		INIT_HLIST_HEAD(&ref->heads[i]);
	return ref;
}

void ref_hash_free(struct ref_hash *ref)
{
	ref_hash_clear(ref);
	mutex_destroy(&ref->lock);
	kfree(ref);
}

/* ---- Helpers of the comparisons ------------------------------------- */

const char *df_shape_str(const struct tt_hash_shape *s, char *buf,
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
u8 *df_pick_key(struct df *d, const struct tt_hash_shape *s, u32 salt,
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
void df_fail(struct df *d, const char *map, const struct tt_hash_shape *s,
	     const char *op, const u8 *key, int got, int want)
{
	char shape[64];

	tt_fail("diff %u %s op %lu (%s): %s of key %*phN: got %d, want %d%s",
		d->nr, map, d->op, df_shape_str(s, shape, sizeof(shape)), op,
		(int)min(s->key_size, 16U), key, got, want,
		got == want ? ", but not the right value" : "");
}

/*
 * One step of @m's cursor_next() from @c, going on past -EAGAIN: each
 * moves on by RCUMAP_HASH_WALK_BUCKETS buckets, so there are at most as
 * many as such runs in the largest table.
 */
static int df_cursor_step(const struct df_cursor_map *m,
			  struct rcumap_hash_cursor *c, u8 *key)
{
	u32 again = 0;
	int err;

	do {
		err = m->step(m->map, c, key, m->value);
	} while (err == -EAGAIN &&
		 ++again <= RCUMAP_HASH_MAX_BUCKETS / RCUMAP_HASH_WALK_BUCKETS);
	return err;
}

/*
 * Compare the whole contents of @m: an ordered walk with its cursor
 * returns every key of the reference, in the reference's order, with the
 * reference's latest value, and nothing else; @count (the table's count)
 * is the reference's.
 */
void df_cursor_compare(struct df *d, const struct df_cursor_map *m,
		       struct ref_hash *ref, u32 count)
{
	u32 ks = m->s->key_size, n = 0;
	struct rcumap_hash_cursor c;
	struct rb_node *next;
	struct ref_entry *want;
	int err;

	d->compares++;
	mutex_lock(&ref->lock);
	next = rb_first(&ref->order);
	rcumap_hash_cursor_init(&c, NULL, d->key, ks, RCUMAP_CURSOR_AFTER_KEY);
	while (!(err = df_cursor_step(m, &c, d->key))) {
		want = next ? rb_entry(next, struct ref_entry, order) : NULL;
		if (!want || memcmp(d->key, want->data, ks) ||
		    memcmp(m->value, want->data + ks, m->vs)) {
			tt_fail("diff %u %s op %lu: walk: key %*phN %s",
				d->nr, m->name, d->op, (int)min(ks, 16U),
				d->key, !want ? "past the reference's last" :
				memcmp(d->key, want->data, ks) ?
				"is not the reference's next" :
				"has not the reference's value");
			break;
		}
		n++;
		next = rb_next(next);
	}
	if (n != ref->count || (err && err != -ENOENT))
		tt_fail("diff %u %s op %lu: walk returned %u of %u keys (%d)",
			d->nr, m->name, d->op, n, ref->count, err);
	if (count != ref->count)
		tt_fail("diff %u %s op %lu: count %u, want %u", d->nr, m->name,
			d->op, count, ref->count);
	mutex_unlock(&ref->lock);
}

/*
 * One step of @m's cursor from @key (NULL: from the start), present or
 * absent: exactly the reference's first key after it in walk order, with
 * its value, or -ENOENT.
 */
void df_cursor_ordered(struct df *d, const struct df_cursor_map *m,
		       struct ref_hash *ref, const u8 *key)
{
	u32 ks = m->s->key_size;
	struct rcumap_hash_cursor c;
	struct ref_entry *want;
	int err;

	mutex_lock(&ref->lock);
	want = ref_order_next(ref, key);
	rcumap_hash_cursor_init(&c, key, d->key2, ks, RCUMAP_CURSOR_AFTER_KEY);
	err = df_cursor_step(m, &c, d->key2);
	if (err != (want ? 0 : -ENOENT) ||
	    (want && (memcmp(d->key2, want->data, ks) ||
		      memcmp(m->value, want->data + ks, m->vs))))
		df_fail(d, m->name, m->s, "cursor_next", key ?: d->key2, err,
			want ? 0 : -ENOENT);
	mutex_unlock(&ref->lock);
}

/* A new phase: how full the table is to get, from empty to overfull. */
void df_new_phase(struct df *d, unsigned long *phase_end)
{
	static const u32 fills[] = { 10, 30, 50, 70, 95 };

	d->fill = fills[tt_rand(&d->rnd, ARRAY_SIZE(fills))];
	*phase_end = d->op + 500 + tt_rand(&d->rnd, 5000);
}

/* ---- The streams ---------------------------------------------------- */

/*
 * The share of the LRU and per-CPU tables, of a stream's share of each of
 * the hash table and the process table: an LRU insert into a full table
 * looks for its victim in the reference, a per-CPU update allocates a
 * per-CPU area, and the two together must not make the short run of
 * make check much longer.
 */
#define DF_VSHARE_DIV	10

static int df_thread_fn(void *arg)
{
	struct df *d = arg;

	/*
	 * Tables of 5,000 to 100,000 operations (a tenth of that for the
	 * LRU and per-CPU tables), each map in turn, until each map has had
	 * its share: the map with the fewest tables so far that has some
	 * share left goes next.
	 */
	for (;;) {
		unsigned long ops = 5000 + tt_rand(&d->rnd, 95000);
		unsigned long left[] = {
			d->share - d->hash_ops, d->share - d->ptab_ops,
			d->vshare - d->lru_ops, d->vshare - d->pc_ops,
		};
		unsigned long tables[] = {
			d->hash_tables, d->ptab_tables, d->lru_tables,
			d->pc_tables,
		};
		int i, next = -1;

		for (i = 0; i < ARRAY_SIZE(left); i++) {
			if (left[i] && (next < 0 || tables[i] < tables[next]))
				next = i;
		}
		if (next < 0)
			break;
		if (next >= 2)
			ops /= DF_VSHARE_DIV;
		ops = min(ops, left[next]);
		switch (next) {
		case 0:
			df_hash_table(d, ops);
			break;
		case 1:
			df_ptab_table(d, ops);
			break;
		case 2:
			df_lru_table(d, ops);
			break;
		default:
			df_percpu_table(d, ops);
			break;
		}
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

/* Does shape @s fit the stream's buffers?  A failure if not. */
bool df_shape_fits(const struct tt_hash_shape *s)
{
	if (s->key_size <= DF_MAX_SIZE && s->value_size <= DF_MAX_SIZE)
		return true;
	tt_fail("diff: a shape of %u-byte keys and %u-byte values does not fit the buffers",
		s->key_size, s->value_size);
	return false;
}

/*
 * Start stream @nr of the differential, for @share ops on the hash table
 * and on the process table, a tenth of that on each of the others.
 */
static int df_start(struct df *d, u64 seed, u32 nr, unsigned long share)
{
	const size_t ksz = DF_MAX_SIZE + DF_MISALIGN;
	const size_t vsz = DF_MAX_SIZE + DF_MISALIGN;

	d->nr = nr;
	d->share = share;
	d->vshare = share / DF_VSHARE_DIV;
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
	tt_seed(&d->rnd, seed, 7 + nr);
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
 * tables, its own reference maps and its share of @ops on each map,
 * running alongside whatever the caller runs until df_stop().
 */
struct df *df_run(u64 seed, unsigned long ops, u32 *nr_streams)
{
	u32 n = num_online_cpus(), i;
	struct df *streams;
	int err;

	streams = kcalloc(n, sizeof(*streams), GFP_KERNEL);
	if (!streams)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < n; i++) {
		err = df_start(&streams[i], seed, i, ops / n + (i < ops % n));
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

/* Wait for the streams, print their summary; returns the ops they did. */
unsigned long df_stop(struct df *streams, u32 n)
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
		sum.lru_ops += d->lru_ops;
		sum.lru_tables += d->lru_tables;
		sum.pc_ops += d->pc_ops;
		sum.pc_tables += d->pc_tables;
		sum.evicted += d->evicted;
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
	pr_info("diff: %lu LRU ops on %lu tables (%lu keys evicted), %lu per-CPU ops on %lu tables\n",
		sum.lru_ops, sum.lru_tables, sum.evicted, sum.pc_ops,
		sum.pc_tables);
	kfree(streams);
	return sum.hash_ops + sum.ptab_ops + sum.lru_ops + sum.pc_ops;
}
