// SPDX-License-Identifier: GPL-2.0
/*
 * The harness of rcumap_bench.ko: the kthreads of a measurement, created,
 * bound and released together, run to one deadline and stopped; the
 * result line of a measurement; what every scenario needs besides.
 */
#include "bench.h"

/* Is @name in the comma-separated @list? */
bool bench_listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	if (!strcmp(list, "all"))
		return true;
	while (*p) {
		const char *end = strchrnul(p, ',');

		if (end - p == len && !strncmp(p, name, len))
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

/* Bytes an allocation of @size made by kvmalloc() takes, as @p shows. */
size_t bench_kv_bytes(const void *p, size_t size)
{
	if (!p)
		return 0;
	return is_vmalloc_addr(p) ? PAGE_ALIGN(size) :
				    kmalloc_size_roundup(size);
}

static int bench_thread_fn(void *arg)
{
	struct bench_thread *t = arg;
	struct bench_run *run = t->run;

	/* Pairs with complete_all(): start_ns and deadline_ns are set. */
	wait_for_completion(&run->start);
	run->work(t);
	t->ns = ktime_get_ns() - run->start_ns;
	if (atomic_dec_and_test(&run->running))
		complete(&run->done);

	/* bench_run_threads() reaps every thread with kthread_stop(). */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* The @n-th online CPU, counting from 0. */
static unsigned int bench_cpu(unsigned int n)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		if (!n--)
			return cpu;
	}
	return cpumask_first(cpu_online_mask);
}

/*
 * Run @run->work on @run->nr_threads kthreads, one per CPU, for @ms
 * milliseconds, and fill in each thread's counters.  The threads are all
 * created, bound and waiting before any is released.
 *
 * Return: 0, or the error of kthread_create(); then nothing ran.
 */
int bench_run_threads(struct bench_run *run)
{
	u32 i, n = run->nr_threads;
	int err = 0;

	init_completion(&run->start);
	init_completion(&run->done);
	atomic_set(&run->running, n);
	for (i = 0; i < n; i++) {
		struct bench_thread *t = &run->t[i];
		struct task_struct *task;

		task = kthread_create(bench_thread_fn, t, "rcumap_bench/%u", i);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			break;
		}
		kthread_bind(task, bench_cpu(i));
		t->task = task;
	}
	if (err) {
		/* Never woken: kthread_stop() makes them exit unrun. */
		while (i--)
			kthread_stop(run->t[i].task);
		return err;
	}
	for (i = 0; i < n; i++)
		wake_up_process(run->t[i].task);

	run->start_ns = ktime_get_ns();
	run->deadline_ns = run->start_ns +
			   (u64)(run->ms ?: bench_ms) * NSEC_PER_MSEC;
	complete_all(&run->start);
	wait_for_completion(&run->done);
	for (i = 0; i < n; i++)
		kthread_stop(run->t[i].task);
	return 0;
}

/* Reset @n threads for a new measurement of @run. */
void bench_threads_init(struct bench_run *run, struct bench_thread *t, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].run = run;
		t[i].index = i;
		t[i].rng = get_random_u64() | 1;
		t[i].pending = U32_MAX;
		memset(t[i].value, 0x5a, sizeof(t[i].value));
	}
	run->t = t;
	run->nr_threads = n;
}

/* Print one measurement; return its error count. */
u64 bench_report(const struct bench_run *run, const char *map_name,
		 const char *workload, const char *impl_name, u32 round,
		 bool expect_hits_all)
{
	u64 ops = 0, ns = 0, rate = 0, errors = 0;
	u32 i;

	for (i = 0; i < run->nr_threads; i++) {
		const struct bench_thread *t = &run->t[i];

		ops += t->ops;
		errors += t->errors;
		ns = max(ns, t->ns);
		if (t->ns)
			rate += div64_u64(t->ops * NSEC_PER_SEC, t->ns);
		/* A workload of lookups only must find every key. */
		if (expect_hits_all && t->hits != t->ops)
			errors += t->ops - t->hits;
	}
	pr_info("RCUMAP_BENCH,%s,%s,%s,%u,%u,%u,%llu,%llu,%llu,%llu\n",
		map_name, workload, impl_name, run->entries, run->nr_threads,
		round, ops, ns, rate, errors);
	if (errors)
		pr_err("%s %s %s: %llu errors\n", map_name, workload, impl_name,
		       errors);
	return errors;
}

/* The thread count of the @i-th measurement point: threads=, or i + 1. */
u32 bench_thread_count(int i)
{
	return bench_nr_threads ? bench_threads[i] : i + 1;
}

int bench_nr_thread_counts(void)
{
	return bench_nr_threads ?: num_online_cpus();
}

/* Make a table of @ops with @create, holding keys 0 to @nr - 1. */
void *bench_hash_fill(const struct bench_ops *ops,
		      void *(*create)(u32 entries), u32 nr)
{
	u8 key[BENCH_MAX_KEY_SIZE] __aligned(8) = {};
	u8 value[BENCH_MAX_VALUE_SIZE] __aligned(8);
	void *m = create(nr);
	u32 i;
	int err;

	if (IS_ERR(m))
		return m;
	memset(value, 0x5a, sizeof(value));
	for (i = 0; i < nr; i++) {
		bench_make_key(key, i);
		err = ops->insert(m, key, value);
		if (err) {
			pr_err("%s: insert %u of %u: %d\n", ops->name, i, nr,
			       err);
			ops->destroy(m);
			return ERR_PTR(err);
		}
		if (!(i % 256))
			cond_resched();
	}
	if (ops->settle)
		ops->settle(m);
	return m;
}
