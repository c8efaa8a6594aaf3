/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run of rcumap's KUnit stress cases: kthreads created, released
 * together, left to run for the suite's run time, stopped; the errors
 * they recorded with stress_fail() then fail the case.  What the threads
 * do and what they check is each suite's own.
 *
 * Static inline, like fail_nth.h, rather than a kunit/stress.c: the five
 * suites are one module, so a .c file would save a few hundred bytes of
 * object code at the price of two global symbols (with kernel-doc) and a
 * Kbuild entry, for helpers only these suites call.
 */
#ifndef _RCUMAP_KUNIT_STRESS_H
#define _RCUMAP_KUNIT_STRESS_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/sched.h>

/* What the threads of a stress case found wrong: how often, and first. */
struct stress_errors {
	atomic_t count;
	char first[160];
};

/* Record an error; only the first one's message is kept. */
static inline __printf(2, 3) void stress_fail(struct stress_errors *err,
					      const char *fmt, ...)
{
	va_list args;

	if (atomic_inc_return(&err->count) != 1)
		return;
	va_start(args, fmt);
	vsnprintf(err->first, sizeof(err->first), fmt, args);
	va_end(args);
}

/**
 * struct stress_run - The threads of a stress case.
 * @name: The threads are named "@name/<index>".
 * @fn: Thread function.  It must loop until kthread_should_stop(): a
 *	thread that returns earlier may be gone before kthread_stop().
 * @args: Array of @nr thread arguments of @size bytes each; thread i is
 *	passed @args + i * @size.
 * @size: Size of one element of @args.
 * @nr: Number of threads.
 * @ms: How long they run, in milliseconds.
 * @bind: Bind thread i to online CPU i % num_online_cpus(), so that
 *	every CPU runs its share; otherwise the scheduler places them.
 * @err: Where the threads record errors with stress_fail().
 */
struct stress_run {
	const char *name;
	int (*fn)(void *arg);
	void *args;
	size_t size;
	u32 nr;
	unsigned int ms;
	bool bind;
	struct stress_errors *err;
};

/*
 * Create all the threads of @run, release them together, let them run for
 * @run->ms and stop them; then fail @test (and end it) if a thread could
 * not be created, and fail it if the threads recorded an error.  Either
 * every thread ran, or none did.
 */
static inline void stress_run(struct kunit *test, const struct stress_run *run)
{
	struct task_struct **task = kunit_kcalloc(test, run->nr, sizeof(*task),
						  GFP_KERNEL);
	u32 i, started;

	KUNIT_ASSERT_NOT_NULL(test, task);
	for (started = 0; started < run->nr; started++) {
		task[started] = kthread_create(run->fn,
					       run->args + started * run->size,
					       "%s/%u", run->name, started);
		if (IS_ERR(task[started]))
			break;
		if (run->bind)
			kthread_bind(task[started],
				     cpumask_nth(started % num_online_cpus(),
						 cpu_online_mask));
	}
	/* Threads run until kthread_stop(), so their tasks stay valid. */
	if (started == run->nr) {
		for (i = 0; i < run->nr; i++)
			wake_up_process(task[i]);
		msleep(run->ms);
	}
	for (i = 0; i < started; i++)
		kthread_stop(task[i]);
	KUNIT_ASSERT_EQ_MSG(test, started, run->nr, "kthread_create failed");
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&run->err->count), 0,
			    "first error: %s", run->err->first);
}

#endif /* _RCUMAP_KUNIT_STRESS_H */
