/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: spinlock_t is a pthread spinlock, four bytes and a busy
 * wait as in the kernel.  The _bh and _irq variants are the plain ones:
 * there are no interrupts here.
 *
 * Debug builds (NATIVE_DEBUG) also record the owner, so that
 * lockdep_is_held() and lockdep_assert_held() really check, and count the
 * locks each thread holds, so that might_sleep() can complain.
 */
#ifndef _NATIVE_LINUX_SPINLOCK_H
#define _NATIVE_LINUX_SPINLOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/bug.h>
#include <linux/atomic.h>
#include <linux/compiler.h>

typedef struct {
	pthread_spinlock_t raw;
#ifdef NATIVE_DEBUG
	const void *owner;
#endif
} spinlock_t;

/* Number of spinlocks the current thread holds (debug builds). */
extern __thread int native_locks_held;

static inline void spin_lock_init(spinlock_t *lock)
{
	pthread_spin_init(&lock->raw, PTHREAD_PROCESS_PRIVATE);
#ifdef NATIVE_DEBUG
	lock->owner = NULL;
#endif
}

static inline bool native_spin_is_held(spinlock_t *lock)
{
#ifdef NATIVE_DEBUG
	return __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) ==
	       &native_locks_held;
#else
	(void)lock;
	return true;
#endif
}

static inline void spin_lock(spinlock_t *lock)
{
	pthread_spin_lock(&lock->raw);
#ifdef NATIVE_DEBUG
	__atomic_store_n(&lock->owner, &native_locks_held, __ATOMIC_RELAXED);
	native_locks_held++;
#endif
}

static inline bool spin_trylock(spinlock_t *lock)
{
	if (pthread_spin_trylock(&lock->raw))
		return false;
#ifdef NATIVE_DEBUG
	__atomic_store_n(&lock->owner, &native_locks_held, __ATOMIC_RELAXED);
	native_locks_held++;
#endif
	return true;
}

static inline void spin_unlock(spinlock_t *lock)
{
#ifdef NATIVE_DEBUG
	BUG_ON(!native_spin_is_held(lock));
	__atomic_store_n(&lock->owner, NULL, __ATOMIC_RELAXED);
	native_locks_held--;
#endif
	pthread_spin_unlock(&lock->raw);
}

#define spin_lock_bh(lock)		spin_lock(lock)
#define spin_unlock_bh(lock)		spin_unlock(lock)
#define spin_lock_irq(lock)		spin_lock(lock)
#define spin_unlock_irq(lock)		spin_unlock(lock)
#define spin_lock_irqsave(lock, flags)	\
	do { (flags) = 0; spin_lock(lock); } while (0)
#define spin_unlock_irqrestore(lock, flags) \
	do { (void)(flags); spin_unlock(lock); } while (0)

/* Lock classes: one level of nesting, which spinlocks ignore here. */
#define SINGLE_DEPTH_NESTING		1
#define spin_lock_nested(lock, subclass)	spin_lock(lock)

struct mutex;
bool native_mutex_held(const struct mutex *m);

/* Spinlocks and mutexes (linux/mutex.h) both record their owner. */
#define lockdep_is_held(lock) _Generic((lock),				\
	struct mutex *: native_mutex_held,				\
	const struct mutex *: native_mutex_held,			\
	default: native_spin_is_held)(lock)
#ifdef NATIVE_DEBUG
#define lockdep_assert_held(lock)	BUG_ON(!lockdep_is_held(lock))
#else
#define lockdep_assert_held(lock)	do { (void)(lock); } while (0)
#endif

/* No softirqs here: a bottom-half section only forbids sleeping. */
#include <linux/sched.h>
#define local_bh_disable()	preempt_disable()
#define local_bh_enable()	preempt_enable()

#endif /* _NATIVE_LINUX_SPINLOCK_H */
