// SPDX-License-Identifier: GPL-2.0
/*
 * rcumap module entry points: set-up and tear-down shared by both maps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>

#include "dev.h"
#include "hash_internal.h"

struct workqueue_struct *rcumap_wq;

static int __init rcumap_init(void)
{
	int err;

	rcumap_wq = alloc_workqueue("rcumap", WQ_UNBOUND, 0);
	if (!rcumap_wq)
		return -ENOMEM;
	/* Last: from here on, user space can make maps. */
	err = rcumap_dev_init();
	if (err)
		goto out_destroy_wq;
	return 0;

out_destroy_wq:
	destroy_workqueue(rcumap_wq);
	return err;
}

static void __exit rcumap_exit(void)
{
	/*
	 * First: no file of /dev/rcumap is open (each holds a module
	 * reference), and from here on none can be.
	 */
	rcumap_dev_exit();
	/*
	 * Every table destroyed so far has queued an rcu_work.  rcu_barrier()
	 * waits until each of their grace periods has ended and the work is
	 * queued; destroy_workqueue() then runs it to completion.  Buckets
	 * retired with kfree_rcu() need no code of ours to be freed.
	 */
	rcu_barrier();
	destroy_workqueue(rcumap_wq);
}

module_init(rcumap_init);
module_exit(rcumap_exit);

MODULE_DESCRIPTION("Concurrent maps with lock-free RCU readers");
MODULE_LICENSE("GPL");
MODULE_VERSION(RCUMAP_VERSION);
