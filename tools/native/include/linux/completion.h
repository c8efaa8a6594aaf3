/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: a completion is a counter under a mutex and a condvar. */
#ifndef _NATIVE_LINUX_COMPLETION_H
#define _NATIVE_LINUX_COMPLETION_H

#include <pthread.h>
#include <linux/sched.h>

struct completion {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int done;
};

static inline void init_completion(struct completion *x)
{
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->cond, NULL);
	x->done = 0;
}

#define DECLARE_COMPLETION_ONSTACK(name)				\
	struct completion name = {					\
		PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0	\
	}

static inline void complete(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	x->done++;
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

static inline void complete_all(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	x->done = -1U / 2;
	pthread_cond_broadcast(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

static inline void wait_for_completion(struct completion *x)
{
	might_sleep();
	pthread_mutex_lock(&x->lock);
	while (!x->done)
		pthread_cond_wait(&x->cond, &x->lock);
	x->done--;
	pthread_mutex_unlock(&x->lock);
}

static inline bool completion_done(struct completion *x)
{
	bool done;

	pthread_mutex_lock(&x->lock);
	done = x->done;
	pthread_mutex_unlock(&x->lock);
	return done;
}

#endif /* _NATIVE_LINUX_COMPLETION_H */
