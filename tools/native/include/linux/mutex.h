/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: struct mutex is a pthread mutex.  Debug builds record the
 * owner, so that lockdep_is_held() (linux/spinlock.h) really checks.
 */
#ifndef _NATIVE_LINUX_MUTEX_H
#define _NATIVE_LINUX_MUTEX_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/sched.h>

extern __thread int native_locks_held;

struct mutex {
	pthread_mutex_t raw;
#ifdef NATIVE_DEBUG
	const void *owner;
#endif
};

#ifdef NATIVE_DEBUG
#define mutex_init(m)	do {						\
	pthread_mutex_init(&(m)->raw, NULL);				\
	(m)->owner = NULL;						\
} while (0)
#else
#define mutex_init(m)		pthread_mutex_init(&(m)->raw, NULL)
#endif
#define mutex_destroy(m)	pthread_mutex_destroy(&(m)->raw)

static inline bool native_mutex_is_held(const struct mutex *m)
{
#ifdef NATIVE_DEBUG
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) ==
	       &native_locks_held;
#else
	(void)m;
	return true;
#endif
}

static inline void native_mutex_acquired(struct mutex *m)
{
#ifdef NATIVE_DEBUG
	__atomic_store_n(&m->owner, &native_locks_held, __ATOMIC_RELAXED);
#else
	(void)m;
#endif
}

static inline void mutex_lock(struct mutex *m)
{
	might_sleep();
	pthread_mutex_lock(&m->raw);
	native_mutex_acquired(m);
}

/* No task is killed here (see linux/sched/signal.h): never -EINTR. */
static inline int __must_check mutex_lock_killable(struct mutex *m)
{
	mutex_lock(m);
	return 0;
}

static inline bool mutex_trylock(struct mutex *m)
{
	if (pthread_mutex_trylock(&m->raw))
		return false;
	native_mutex_acquired(m);
	return true;
}

static inline void mutex_unlock(struct mutex *m)
{
#ifdef NATIVE_DEBUG
	__atomic_store_n(&m->owner, NULL, __ATOMIC_RELAXED);
#endif
	pthread_mutex_unlock(&m->raw);
}

#endif /* _NATIVE_LINUX_MUTEX_H */
