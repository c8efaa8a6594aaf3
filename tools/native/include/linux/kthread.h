/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: kthreads are pthreads registered with RCU.
 * kthread_create() makes a thread that waits for wake_up_process();
 * kthread_stop() asks it to stop (kthread_should_stop() turns true),
 * starts it if it never ran (then @threadfn is not called, as in the
 * kernel), waits for it and returns what @threadfn returned.  A thread
 * whose @threadfn returns before kthread_stop() is called frees its task,
 * as the kernel's exits: it must not be stopped then.
 */
#ifndef _NATIVE_LINUX_KTHREAD_H
#define _NATIVE_LINUX_KTHREAD_H

#include <linux/err.h>
#include <linux/sched.h>

struct task_struct *kthread_create(int (*threadfn)(void *data), void *data,
				   const char *namefmt, ...)
	__attribute__((format(printf, 3, 4)));
struct task_struct *kthread_create_on_cpu(int (*threadfn)(void *data),
					  void *data, unsigned int cpu,
					  const char *namefmt);
void kthread_bind(struct task_struct *task, unsigned int cpu);
int kthread_stop(struct task_struct *task);
bool kthread_should_stop(void);

#define kthread_run(threadfn, data, namefmt, ...) ({			\
	struct task_struct *__k =					\
		kthread_create(threadfn, data, namefmt, ##__VA_ARGS__);	\
	if (!IS_ERR(__k))						\
		wake_up_process(__k);					\
	__k;								\
})

#endif /* _NATIVE_LINUX_KTHREAD_H */
