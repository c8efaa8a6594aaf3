/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: struct mutex is a pthread mutex. */
#ifndef _NATIVE_LINUX_MUTEX_H
#define _NATIVE_LINUX_MUTEX_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/sched.h>

struct mutex {
	pthread_mutex_t raw;
};

#define mutex_init(m)		pthread_mutex_init(&(m)->raw, NULL)
#define mutex_destroy(m)	pthread_mutex_destroy(&(m)->raw)

static inline void mutex_lock(struct mutex *m)
{
	might_sleep();
	pthread_mutex_lock(&m->raw);
}

static inline bool mutex_trylock(struct mutex *m)
{
	return !pthread_mutex_trylock(&m->raw);
}

static inline void mutex_unlock(struct mutex *m)
{
	pthread_mutex_unlock(&m->raw);
}

#endif /* _NATIVE_LINUX_MUTEX_H */
