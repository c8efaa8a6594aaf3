/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the native build's tests, fuzzers and benchmarks call around the
 * kernel code: start-up, RCU thread registration, allocation failure
 * injection and the warning count.  Implemented in shim.c.
 */
#ifndef _NATIVE_NATIVE_H
#define _NATIVE_NATIVE_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/types.h>

/*
 * native_init() does what rcumap's module init does (kmod/main.c) and
 * registers the calling thread with RCU; native_exit() does what module
 * exit does: rcu_barrier(), so that every table destroyed so far is freed,
 * then unregisters.
 */
void native_init(void);
void native_exit(void);

/*
 * Wait for every RCU callback queued so far and every rcu_work they hand
 * to rcumap_wq, as rcumap_hash_barrier() does: what a leak check after a
 * destroy needs (rcu_barrier() alone leaves the destroy works running).
 */
void native_barrier(void);

/* The workqueue of kmod/main.c, made by native_init(). */
struct workqueue_struct;
extern struct workqueue_struct *rcumap_wq;

/* Every thread that enters an RCU read-side critical section registers. */
void native_thread_register(void);
void native_thread_unregister(void);
/* pthread_create() for a thread that is registered while @fn runs. */
int native_thread_create(pthread_t *thread, void *(*fn)(void *), void *arg);

/*
 * WARN_ON*() calls seen so far.  With native_warn_fatal set, the first one
 * aborts (the fuzzers do that).
 */
extern long native_warnings;
extern bool native_warn_fatal;

/*
 * Allocation failures, for the calling thread only: the @nth allocation
 * from now fails (1: the next one; 0: none), and/or each allocation fails
 * with probability @per_million / 10^6, only those that may not sleep if
 * @nowait_only.
 */
void native_fail_alloc_nth(unsigned int nth);
void native_fail_alloc_rate(unsigned int per_million, bool nowait_only);
/* kmalloc()ed blocks not yet freed, in debug builds; -1 elsewhere. */
long native_allocs_live(void);

/* Make get_random_u32() a fixed sequence from @seed (for the fuzzers). */
void native_random_seed(u64 seed);

#endif /* _NATIVE_NATIVE_H */
