/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: scheduling points and tasks.  might_sleep() checks, in
 * debug builds, that the caller holds neither the RCU read lock nor a
 * spinlock and is not in a preempt_disable() or local_bh_disable()
 * section.
 *
 * Every thread is a task: "current" is its struct task_struct, made on
 * first use for threads that kthread_create() did not start.  A task's
 * CPU is a number below num_possible_cpus(): the one kthread_bind() gave
 * it, else one handed out round-robin when the thread first asks.  Only
 * this_cpu ops and raw_smp_processor_id() look at it.
 */
#ifndef _NATIVE_LINUX_SCHED_H
#define _NATIVE_LINUX_SCHED_H

#include <stdbool.h>
#include <linux/processor.h>
#include <linux/types.h>

/**
 * struct task_struct - A thread, as far as the shim knows it.
 * @cpu: What raw_smp_processor_id() returns in it.
 * @fail_nth: Fail the @fail_nth-th allocation from now (0: none); see
 *	native_fail_alloc_nth() and kunit/fail_nth.h.
 * @kthread: The kthread shim's state, NULL for other threads.
 */
struct task_struct {
	int cpu;
	unsigned int fail_nth;
	struct native_kthread *kthread;
};

struct task_struct *native_current(void);
#define current			native_current()

void native_might_sleep(const char *file, int line);

/*
 * preempt_disable() and local_bh_disable() nest, and might_sleep()
 * complains inside them.  In the kernel such a section is also an RCU
 * read-side critical section; here it takes the RCU read lock to be one.
 */
extern __thread int native_atomic_depth;
void native_preempt_disable(void);
void native_preempt_enable(void);
#define preempt_disable()	native_preempt_disable()
#define preempt_enable()	native_preempt_enable()
#define in_atomic()		(native_atomic_depth > 0)

bool wake_up_process(struct task_struct *task);
long schedule_timeout_uninterruptible(long timeout);
#define schedule_timeout_interruptible(t) schedule_timeout_uninterruptible(t)
#define schedule_timeout_idle(t)	schedule_timeout_uninterruptible(t)
void schedule(void);

#ifdef NATIVE_DEBUG
#define might_sleep()		native_might_sleep(__FILE__, __LINE__)
#else
#define might_sleep()		do { } while (0)
#endif
#define cond_resched()		({ might_sleep(); 0; })

#endif /* _NATIVE_LINUX_SCHED_H */
