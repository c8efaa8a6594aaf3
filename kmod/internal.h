/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between the files of rcumap.ko, never seen by its users.
 */
#ifndef _RCUMAP_INTERNAL_H
#define _RCUMAP_INTERNAL_H

#include <linux/workqueue.h>

/*
 * Tables are freed from this workqueue after a grace period
 * (queue_rcu_work()), in process context so that a large table does not
 * hold up softirq.  Module exit waits for it with rcu_barrier() followed by
 * destroy_workqueue().
 */
extern struct workqueue_struct *rcumap_wq;

#endif /* _RCUMAP_INTERNAL_H */
