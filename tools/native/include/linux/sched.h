/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: scheduling points.  might_sleep() checks, in debug builds,
 * that the caller holds neither the RCU read lock nor a spinlock.
 */
#ifndef _NATIVE_LINUX_SCHED_H
#define _NATIVE_LINUX_SCHED_H

void native_might_sleep(const char *file, int line);

#ifdef NATIVE_DEBUG
#define might_sleep()		native_might_sleep(__FILE__, __LINE__)
#else
#define might_sleep()		do { } while (0)
#endif
#define cond_resched()		({ might_sleep(); 0; })

#endif /* _NATIVE_LINUX_SCHED_H */
