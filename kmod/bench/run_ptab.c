// SPDX-License-Identifier: GPL-2.0
/*
 * The process table scenario of rcumap_bench.ko (map=ptab): lookups,
 * churn, a mix of both, and lookups of one hot id, at every thread count.
 */
#include "bench.h"

/* Process tables, in the order they are measured and reported. */
static const struct bench_ops *const bench_ptab_tables[] = {
	&bench_rptab_ops,
	&bench_xarray_ops,
	&bench_idr_ops,
};

#define BENCH_NR_PTAB	ARRAY_SIZE(bench_ptab_tables)

/* Remove and free every live object, then destroy the table. */
static void bench_ptab_free(const struct bench_ops *pi,
			    struct bench_pmap *pm, u32 live)
{
	u32 i;

	for (i = 0; i < live; i++) {
		struct bench_pobj *obj = pi->id_remove(pm->map, pm->ids[i]);

		/* No thread runs, but kfree_rcu() costs nothing here. */
		if (obj)
			kfree_rcu(obj, rcu);
		if (!(i % 256))
			cond_resched();
	}
	pi->destroy(pm->map);
	kvfree(pm->ids);
	pm->map = NULL;
}

static int bench_ptab_fill(const struct bench_ops *pi,
			   struct bench_pmap *pm, u32 nr)
{
	u32 i;
	int err;

	pm->entries = nr;
	pm->ids = kvcalloc(nr, sizeof(*pm->ids), GFP_KERNEL);
	if (!pm->ids)
		return -ENOMEM;
	pm->map = pi->create(nr);
	if (IS_ERR(pm->map)) {
		err = PTR_ERR(pm->map);
		goto out_free_ids;
	}
	for (i = 0; i < nr; i++) {
		struct bench_pobj *obj = kmalloc(sizeof(*obj), GFP_KERNEL);

		err = -ENOMEM;
		if (obj) {
			obj->value = i;
			err = pi->id_insert(pm->map, obj, &pm->ids[i]);
			if (err)
				kfree(obj);
		}
		if (err) {
			pr_err("%s: insert %u of %u: %d\n", pi->name, i, nr,
			       err);
			bench_ptab_free(pi, pm, i);
			return err;
		}
		if (!(i % 256))
			cond_resched();
	}
	return 0;

out_free_ids:
	kvfree(pm->ids);
	pm->map = NULL;
	return err;
}

enum bench_ptab_workload {
	BENCH_PTAB_LOOKUP,	/* lookups of live ids */
	BENCH_PTAB_CHURN,	/* remove an id, insert an object */
	BENCH_PTAB_MIXED,	/* ptab_read_pct lookups, the rest churn */
	BENCH_PTAB_HOT,		/* every CPU looks up one id */
	BENCH_PTAB_NR_WORKLOADS,
};

static const char *const bench_ptab_workloads[] = {
	[BENCH_PTAB_LOOKUP] = "lookup",
	[BENCH_PTAB_CHURN] = "churn",
	[BENCH_PTAB_MIXED] = "mixed",
	[BENCH_PTAB_HOT] = "hot",
};

/* Measure every table in @pms with workload @w and @n threads. */
static int bench_ptab_point(struct bench_pmap *pms, struct bench_run *run,
			    struct bench_thread *t, int w, u32 n, u32 round,
			    u64 *errors)
{
	u32 pct = w == BENCH_PTAB_MIXED ? min(bench_ptab_read_pct, 100U) :
		  w == BENCH_PTAB_CHURN ? 0 : 100;
	int i, err;

	run->read_thresh = div_u64((u64)pct << 32, 100);
	run->hot = w == BENCH_PTAB_HOT;
	for (i = 0; i < BENCH_NR_PTAB; i++) {
		if (!pms[i].map)
			continue;
		bench_threads_init(run, t, n);
		run->map = &pms[i];
		run->work = bench_ptab_tables[i]->work;
		err = bench_run_threads(run);
		if (err)
			return err;
		*errors += bench_report(run, "ptab", bench_ptab_workloads[w],
					bench_ptab_tables[i]->name, round,
					pct >= 100);
	}
	return 0;
}

int bench_ptab_size(u32 nr, struct bench_thread *t)
{
	struct bench_pmap pms[BENCH_NR_PTAB] = {};
	struct bench_run run = {};
	u64 errors = 0;
	int i, w, tc, err = 0;
	u32 round;

	for (i = 0; i < BENCH_NR_PTAB; i++) {
		if (!bench_listed(bench_impls, bench_ptab_tables[i]->name))
			continue;
		err = bench_ptab_fill(bench_ptab_tables[i], &pms[i], nr);
		if (err)
			goto out_free;
	}

	run.entries = nr;
	/* Rounds outermost: a burst of load on the host hits one round. */
	for (round = 0; round < bench_rounds && !err; round++) {
		for (w = 0; w < BENCH_PTAB_NR_WORKLOADS && !err; w++) {
			for (tc = 0; tc < bench_nr_thread_counts() && !err;
			     tc++)
				err = bench_ptab_point(pms, &run, t, w,
						       bench_thread_count(tc),
						       round, &errors);
		}
	}
out_free:
	for (i = 0; i < BENCH_NR_PTAB; i++) {
		if (pms[i].map)
			bench_ptab_free(bench_ptab_tables[i], &pms[i], nr);
	}
	rcu_barrier();
	if (!err && errors)
		err = -EIO;
	return err;
}
