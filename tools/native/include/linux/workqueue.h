/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: just enough workqueue for queue_rcu_work().  An rcu_work
 * runs its function in liburcu's call_rcu thread, once the grace period
 * has passed, so rcu_barrier() also waits for it to finish.
 */
#ifndef _NATIVE_LINUX_WORKQUEUE_H
#define _NATIVE_LINUX_WORKQUEUE_H

#include <stdbool.h>
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
};

#define WQ_UNBOUND		(1 << 1)
#define WQ_MEM_RECLAIM		(1 << 3)

#define INIT_WORK(w, f)		((w)->func = (f))
#define INIT_RCU_WORK(rw, f)	INIT_WORK(&(rw)->work, (f))

static inline struct rcu_work *to_rcu_work(struct work_struct *work)
{
	return container_of(work, struct rcu_work, work);
}

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags,
					 int max_active, ...);
void destroy_workqueue(struct workqueue_struct *wq);
bool queue_rcu_work(struct workqueue_struct *wq, struct rcu_work *rwork);
void flush_workqueue(struct workqueue_struct *wq);

#endif /* _NATIVE_LINUX_WORKQUEUE_H */
