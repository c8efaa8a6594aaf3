/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: just enough workqueue for queue_rcu_work() and the delayed
 * works of resizes.  An rcu_work runs its function on the workqueue's
 * worker thread once the grace period has passed, as in the kernel: so a
 * work may call rcu_barrier() (the destroy work of a table with a free
 * callback or out-of-line entries does), and rcu_barrier() alone does not
 * wait for the work to finish: rcumap_hash_barrier() (rcu_barrier(), then
 * flush_workqueue()) does.
 */
#ifndef _NATIVE_LINUX_WORKQUEUE_H
#define _NATIVE_LINUX_WORKQUEUE_H

#include <stdbool.h>
#include <time.h>
#include <linux/kernel.h>
#include <linux/rcupdate.h>

struct workqueue_struct;
struct work_struct;

typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;
};

struct rcu_work {
	struct work_struct work;
	struct rcu_head rcu;
	struct workqueue_struct *wq;
	struct rcu_work *next;	/* on the worker's queue */
};

/*
 * A delayed work runs on a thread of its own, registered with RCU, once
 * its delay (in jiffies, HZ a second) has passed, at @due; never twice at
 * once, as in the kernel.  @state says whether it is pending, running or
 * being cancelled; both are under a lock in shim.c.
 */
struct delayed_work {
	struct work_struct work;
	struct timespec due;
	int state;
};

#define HZ			1000

#define WQ_UNBOUND		(1 << 1)
#define WQ_MEM_RECLAIM		(1 << 3)

#define INIT_WORK(w, f)		((w)->func = (f))
#define INIT_RCU_WORK(rw, f)	INIT_WORK(&(rw)->work, (f))

static inline struct rcu_work *to_rcu_work(struct work_struct *work)
{
	return container_of(work, struct rcu_work, work);
}

#define INIT_DELAYED_WORK(dw, f) do {					\
	INIT_WORK(&(dw)->work, (f));					\
	(dw)->state = 0;						\
} while (0)

static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return container_of(work, struct delayed_work, work);
}

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
			unsigned long delay);
bool delayed_work_pending(struct delayed_work *dw);
bool cancel_delayed_work_sync(struct delayed_work *dw);

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags,
					 int max_active, ...);
void destroy_workqueue(struct workqueue_struct *wq);
bool queue_rcu_work(struct workqueue_struct *wq, struct rcu_work *rwork);
void flush_workqueue(struct workqueue_struct *wq);

#endif /* _NATIVE_LINUX_WORKQUEUE_H */
