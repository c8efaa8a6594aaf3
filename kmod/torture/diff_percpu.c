// SPDX-License-Identifier: GPL-2.0
/*
 * The differential check of the per-CPU hash table
 * (include/linux/rcumap_hash_percpu.h) against the reference hash table
 * of diff.c, whose value is every CPU's value in the table's values
 * layout: num_possible_cpus() values, each padded with zeroes to a
 * multiple of 8 bytes.  Updates are given random padding, which the
 * table must ignore; every copy out must have zero padding.  An in-place
 * lookup is compared CPU by CPU through per_cpu_ptr().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "torture.h"

static const struct tt_hash_shape df_percpu_shapes[] = {
	{ 4, 8, 64, 1, 80, 0 },
	{ 8, 1, 256, 0, 320, 0 },	/* one-byte values: 7 bytes of padding */
	{ 3, 13, 300, 16, 400, 0 },
	{ 16, 64, 128, 4, 160, 0 },
	{ 5, 24, 512, 0, 640, TT_GROW },
};

/* A table's values buffers: misaligned input, expected, output. */
struct df_values {
	size_t size;		/* rcumap_percpu_hash_values_size() */
	u32 stride;
	u8 *in;
	u8 *want;
	u8 *out;
};

/*
 * Random values for every CPU in @dv->in, padding included, and in
 * @dv->want the same with zero padding: what the table must give back.
 */
static void df_percpu_values(struct df *d, const struct tt_hash_shape *s,
			     struct df_values *dv)
{
	size_t off;

	dv->in = dv->out + dv->size + tt_rand(&d->rnd, DF_MISALIGN);
	prandom_bytes_state(&d->rnd, dv->in, dv->size);
	memcpy(dv->want, dv->in, dv->size);
	for (off = 0; off < dv->size; off += dv->stride)
		memset(dv->want + off + s->value_size, 0,
		       dv->stride - s->value_size);
}

static int df_percpu_step(const void *map, struct rcumap_hash_cursor *c,
			  void *key, void *value)
{
	return rcumap_percpu_hash_cursor_next(map, c, key, value);
}

static struct df_cursor_map df_percpu_cursor(const struct tt_hash_shape *s,
					     struct rcumap_percpu_hash *ph,
					     struct df_values *dv)
{
	return (struct df_cursor_map){
		.name = "percpu",
		.step = df_percpu_step,
		.map = ph,
		.s = s,
		.vs = dv->size,
		.value = dv->out,
	};
}

/* Every key, in order, with every CPU's value (diff.c). */
static void df_percpu_compare(struct df *d, const struct tt_hash_shape *s,
			      struct rcumap_percpu_hash *ph,
			      struct ref_hash *ref, struct df_values *dv)
{
	struct df_cursor_map m = df_percpu_cursor(s, ph, dv);

	df_cursor_compare(d, &m, ref, rcumap_percpu_hash_count(ph));
}

/* Does every CPU's value in @pptr equal its value in @values? */
static bool df_percpu_area_is(void __percpu *pptr,
			      const struct tt_hash_shape *s,
			      const struct df_values *dv, const u8 *values)
{
	size_t off = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		if (memcmp(per_cpu_ptr(pptr, cpu), values + off, s->value_size))
			return false;
		off += dv->stride;
	}
	return true;
}

/* An in-place lookup, CPU by CPU, against the reference's values. */
static int df_percpu_lookup(struct rcumap_percpu_hash *ph, const u8 *key,
			    const struct tt_hash_shape *s,
			    const struct df_values *dv)
{
	void __percpu *pptr;
	int err;

	rcu_read_lock();
	pptr = rcumap_percpu_hash_lookup(ph, key);
	err = !pptr ? -ENOENT : df_percpu_area_is(pptr, s, dv, dv->want) ? 0 : 1;
	rcu_read_unlock();
	return err;
}

/*
 * Replace a present key's values (GFP_ATOMIC) while holding its area
 * under the RCU read lock: the held area must keep the old values, since
 * an update publishes a new area and leaves the old one as it was.
 */
static void df_percpu_update_held(struct df *d, const struct tt_hash_shape *s,
				  struct rcumap_percpu_hash *ph,
				  struct ref_hash *ref, struct df_values *dv,
				  const u8 *key)
{
	void __percpu *pptr;
	bool kept = true;
	int err;

	if (ref_lookup(ref, key, dv->out))
		return;
	df_percpu_values(d, s, dv);
	rcu_read_lock();
	pptr = rcumap_percpu_hash_lookup(ph, key);
	err = pptr ? rcumap_percpu_hash_update(ph, key, dv->in, RCUMAP_EXIST,
					       GFP_ATOMIC | __GFP_NOWARN) :
		     -ENOENT;
	if (pptr)
		kept = df_percpu_area_is(pptr, s, dv, dv->out);
	rcu_read_unlock();
	if (!err)
		ref_update(ref, key, dv->want, RCUMAP_EXIST);
	if ((err && err != -ENOMEM) || !kept)
		df_fail(d, "percpu", s, "update of a held key", key, err, 0);
}

/* A resize to a random size (as df_hash_resize()), then a full compare. */
static void df_percpu_resize(struct df *d, const struct tt_hash_shape *s,
			     struct rcumap_percpu_hash *ph,
			     struct ref_hash *ref, struct df_values *dv)
{
	u32 max_order = ilog2(roundup_pow_of_two(2 * s->max_entries));
	u32 nr = rcumap_percpu_hash_nr_buckets(ph);
	int order = ilog2(nr) + tt_rand(&d->rnd, 5) - 2;
	u32 target = 1U << clamp_t(int, order, tt_roomy_order(s), max_order);
	int err;

	err = rcumap_percpu_hash_resize(ph, target);
	nr = rcumap_percpu_hash_nr_buckets(ph);
	if (err && err != -ENOMEM && !(err == -ENOSPC && target < nr))
		tt_fail("diff %u percpu op %lu: resize to %u buckets: %d",
			d->nr, d->op, target, err);
	else if (!err && !s->flags && nr != target)
		tt_fail("diff %u percpu op %lu: resized to %u buckets, has %u",
			d->nr, d->op, target, nr);
	d->resizes += !err;
	df_percpu_compare(d, s, ph, ref, dv);
}

static void df_percpu_op(struct df *d, const struct tt_hash_shape *s,
			 u32 salt, struct rcumap_percpu_hash *ph,
			 struct ref_hash *ref, struct df_values *dv)
{
	u32 op = tt_rand(&d->rnd, 1000), mode;
	u8 *key;
	int err, want;

	if (!tt_rand(&d->rnd, DF_RESIZE_EVERY))
		df_percpu_resize(d, s, ph, ref, dv);
	key = df_pick_key(d, s, salt, d->key);
	if (op >= 900) {
		struct df_cursor_map m = df_percpu_cursor(s, ph, dv);

		df_cursor_ordered(d, &m, ref, tt_rand(&d->rnd, 8) ? key : NULL);
	} else if (op < 400 && tt_rand(&d->rnd, 100) < d->fill) {
		mode = tt_rand(&d->rnd, 100);
		mode = mode < 2 ? 3 + tt_rand(&d->rnd, 1000) :
		       mode < 50 ? RCUMAP_ANY :
		       mode < 75 ? RCUMAP_NOEXIST : RCUMAP_EXIST;
		df_percpu_values(d, s, dv);
		want = ref_update(ref, key, dv->want, mode);
		err = rcumap_percpu_hash_update(ph, key, dv->in, mode,
						GFP_KERNEL);
		d->full += want == -E2BIG;
		if (err != want)
			df_fail(d, "percpu", s, "update", key, err, want);
	} else if (op < 400 && tt_rand(&d->rnd, 2)) {
		want = ref_take(ref, key, NULL);
		err = rcumap_percpu_hash_delete(ph, key);
		if (err != want)
			df_fail(d, "percpu", s, "delete", key, err, want);
	} else if (op < 400) {
		want = ref_take(ref, key, dv->want);
		err = rcumap_percpu_hash_lookup_and_delete(ph, key, dv->out);
		if (err != want || (!err && memcmp(dv->out, dv->want, dv->size)))
			df_fail(d, "percpu", s, "lookup_and_delete", key, err,
				want);
	} else if (op < 650) {
		want = ref_lookup(ref, key, dv->want);
		err = rcumap_percpu_hash_lookup_copy(ph, key, dv->out);
		if (err != want || (!err && memcmp(dv->out, dv->want, dv->size)))
			df_fail(d, "percpu", s, "lookup_copy", key, err, want);
	} else if (op < 700) {
		df_percpu_update_held(d, s, ph, ref, dv, key);
	} else {
		want = ref_lookup(ref, key, dv->want);
		err = df_percpu_lookup(ph, key, s, dv);
		if (err != want)
			df_fail(d, "percpu", s, "lookup", key, err, want);
	}
	if (rcumap_percpu_hash_count(ph) != ref->count)
		tt_fail("diff %u percpu op %lu: count %u, want %u", d->nr,
			d->op, rcumap_percpu_hash_count(ph), ref->count);
}

/*
 * One table's life: create, @ops operations, compare, destroy.  Its
 * values are per-CPU areas, counted by the module at the end (main.c).
 */
void df_percpu_table(struct df *d, unsigned long ops)
{
	const struct tt_hash_shape *s =
		&df_percpu_shapes[tt_rand(&d->rnd,
					  ARRAY_SIZE(df_percpu_shapes))];
	struct rcumap_hash_params params = tt_hash_params(s, NULL, NULL);
	u32 salt = prandom_u32_state(&d->rnd);
	unsigned long end = d->op + ops, phase_end = 0;
	struct rcumap_percpu_hash *ph;
	struct df_values dv = {};
	struct ref_hash *ref;

	if (!df_shape_fits(s)) {
		d->op = end;
		return;
	}
	ph = rcumap_percpu_hash_create(&params, GFP_KERNEL);
	if (IS_ERR(ph)) {
		tt_fail("diff: per-CPU create: %ld", PTR_ERR(ph));
		d->op = end;
		return;
	}
	dv.size = rcumap_percpu_hash_values_size(ph);
	dv.stride = dv.size / num_possible_cpus();
	if (dv.stride != round_up(s->value_size, 8))
		tt_fail("diff: per-CPU values size %zu for value size %u",
			dv.size, s->value_size);
	ref = ref_hash_new(s->key_size, dv.size, s->max_entries,
			   rcumap_percpu_hash_table(ph));
	/* @out, then @in at a random offset after it. */
	dv.out = kmalloc(2 * dv.size + DF_MISALIGN, GFP_KERNEL);
	dv.want = kmalloc(dv.size, GFP_KERNEL);
	if (!ref || !dv.out || !dv.want) {
		tt_fail("diff: no memory for the reference");
		d->op = end;
		goto out_free;
	}
	d->pc_tables++;
	for (; d->op < end; d->op++) {
		if (d->op >= phase_end) {
			if (phase_end)
				df_percpu_compare(d, s, ph, ref, &dv);
			df_new_phase(d, &phase_end);
		}
		df_percpu_op(d, s, salt, ph, ref, &dv);
		d->pc_ops++;
		cond_resched();
	}
	df_percpu_compare(d, s, ph, ref, &dv);
out_free:
	rcumap_percpu_hash_destroy(ph);
	kfree(dv.out);
	kfree(dv.want);
	if (ref)
		ref_hash_free(ref);
}
