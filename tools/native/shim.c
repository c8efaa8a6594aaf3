// SPDX-License-Identifier: GPL-2.0
/*
 * The out-of-line half of the native build's kernel shim (the headers are
 * in include/): the allocator, warnings, random numbers, the workqueue
 * behind queue_rcu_work(), RCU thread registration, the ThreadSanitizer
 * annotations of grace periods, and what kmod/main.c does at module load
 * and unload.
 */
#include <linux/bug.h>
#include <linux/cpumask.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "native.h"
#include "../../kmod/hash_internal.h"

#ifdef NATIVE_TSAN
#include <sanitizer/tsan_interface.h>
#endif

long native_warnings;
bool native_warn_fatal;
__thread int native_locks_held;

/* ---- Warnings and bugs --------------------------------------------- */

void native_warn(const char *file, int line, const char *cond)
{
	fprintf(stderr, "WARNING: %s:%d: %s\n", file, line, cond);
	__atomic_fetch_add(&native_warnings, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&native_warn_fatal, __ATOMIC_RELAXED))
		abort();
}

void native_bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "BUG: %s:%d: %s\n", file, line, cond);
	abort();
}

void native_rcu_misuse(const char *file, int line, const char *what)
{
	fprintf(stderr, "BUG: %s:%d: RCU misuse: %s\n", file, line, what);
	abort();
}

void native_might_sleep(const char *file, int line)
{
	if (rcu_read_lock_held())
		native_bug(file, line, "might sleep inside rcu_read_lock()");
	if (native_locks_held)
		native_bug(file, line, "might sleep with a spinlock held");
}

unsigned int native_possible_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n > 0 ? n : 1;
}

/* ---- Random numbers ------------------------------------------------ */

static bool random_fixed;
static u64 random_state;

void native_random_seed(u64 seed)
{
	random_state = seed;
	random_fixed = true;
}

u64 get_random_u64(void)
{
	u64 v, z;

	if (random_fixed) {
		/* splitmix64 */
		z = __atomic_add_fetch(&random_state, 0x9e3779b97f4a7c15ULL,
				       __ATOMIC_RELAXED);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		return z ^ (z >> 31);
	}
	while (getrandom(&v, sizeof(v), 0) != sizeof(v))
		;
	return v;
}

u32 get_random_u32(void)
{
	return (u32)get_random_u64();
}

/* ---- Allocator ----------------------------------------------------- */

#ifdef NATIVE_DEBUG
static long allocs_live;
#endif
static __thread unsigned int fail_nth;
static __thread unsigned int fail_per_million;
static __thread bool fail_nowait_only;
static __thread u64 fail_rng;

void native_fail_alloc_nth(unsigned int nth)
{
	fail_nth = nth;
}

void native_fail_alloc_rate(unsigned int per_million, bool nowait_only)
{
	fail_per_million = per_million;
	fail_nowait_only = nowait_only;
	if (!fail_rng)
		fail_rng = get_random_u64() | 1;
}

long native_allocs_live(void)
{
#ifdef NATIVE_DEBUG
	return __atomic_load_n(&allocs_live, __ATOMIC_RELAXED);
#else
	return -1;
#endif
}

static bool should_fail(gfp_t gfp)
{
	if (fail_nth && !--fail_nth)
		return true;
	if (fail_per_million &&
	    !(fail_nowait_only && gfpflags_allow_blocking(gfp))) {
		fail_rng ^= fail_rng << 13;
		fail_rng ^= fail_rng >> 7;
		fail_rng ^= fail_rng << 17;
		return fail_rng % 1000000 < fail_per_million;
	}
	return false;
}

/* The kmalloc cache sizes of SLUB with 4 KiB pages, then whole pages. */
size_t kmalloc_size_roundup(size_t size)
{
	size_t s;

	if (size <= 8)
		return 8;
	if (size > 64 && size <= 96)
		return 96;
	if (size > 128 && size <= 192)
		return 192;
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return roundup_pow_of_two(size);
	for (s = PAGE_SIZE; s < size; s <<= 1)
		;
	return s;
}

void *native_kmalloc(size_t size, gfp_t gfp, size_t max_size)
{
	size_t align;
	void *p;

	might_alloc(gfp);
	if (!size)
		return (void *)16;	/* ZERO_SIZE_PTR */
	if (size > max_size || should_fail(gfp))
		return NULL;
	align = kmalloc_size_roundup(size);
	align &= -align;
	if (align > PAGE_SIZE)
		align = PAGE_SIZE;
	if (posix_memalign(&p, align, size))
		return NULL;
	if (gfp & __GFP_ZERO)
		memset(p, 0, size);
#ifdef NATIVE_DEBUG
	__atomic_fetch_add(&allocs_live, 1, __ATOMIC_RELAXED);
#endif
	return p;
}

void native_kfree(const void *ptr)
{
	if ((unsigned long)ptr <= 16)
		return;
#ifdef NATIVE_DEBUG
	__atomic_fetch_sub(&allocs_live, 1, __ATOMIC_RELAXED);
#endif
	free((void *)ptr);
}

/* ---- RCU ------------------------------------------------------------ */

void native_kvfree_rcu_cb(struct rcu_head *head)
{
	native_tsan_after_gp();
	kvfree(head);
}

#ifdef NATIVE_TSAN
/*
 * One sync object stands for "every read-side critical section that has
 * ended": readers release it as they leave, and whoever runs after a
 * grace period acquires it.
 */
static char gp_sync;

void native_tsan_reader_done(void)
{
	__tsan_release(&gp_sync);
}

void native_tsan_after_gp(void)
{
	__tsan_acquire(&gp_sync);
}

/* The real callback rides along with a head of our own. */
struct tsan_rcu_head {
	struct rcu_head head;
	struct rcu_head *user_head;
	rcu_callback_t func;
};

static void tsan_rcu_trampoline(struct rcu_head *head)
{
	struct tsan_rcu_head *t = container_of(head, struct tsan_rcu_head, head);
	struct rcu_head *user_head;
	rcu_callback_t func;

	__tsan_acquire(&gp_sync);
	user_head = t->user_head;
	func = t->func;
	free(t);
	func(user_head);
}

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	struct tsan_rcu_head *t = malloc(sizeof(*t));

	if (!t)
		abort();
	t->user_head = head;
	t->func = func;
	__tsan_release(&gp_sync);
	urcu_memb_call_rcu(&t->head, tsan_rcu_trampoline);
}
#endif

void native_thread_register(void)
{
	urcu_memb_register_thread();
}

void native_thread_unregister(void)
{
	urcu_memb_unregister_thread();
}

struct thread_start {
	void *(*fn)(void *);
	void *arg;
};

static void *registered_thread(void *p)
{
	struct thread_start start = *(struct thread_start *)p;
	void *ret;

	free(p);
	native_thread_register();
	ret = start.fn(start.arg);
	native_thread_unregister();
	return ret;
}

int native_thread_create(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	struct thread_start *start = malloc(sizeof(*start));
	int err;

	if (!start)
		return ENOMEM;
	start->fn = fn;
	start->arg = arg;
	err = pthread_create(thread, NULL, registered_thread, start);
	if (err)
		free(start);
	return err;
}

/* ---- Workqueue ------------------------------------------------------ */

/*
 * A workqueue is one worker thread, registered with RCU, that runs the
 * rcu_works queued on it in order, each once its grace period has passed,
 * as a kworker would: not in liburcu's call_rcu thread, so that a work
 * may itself wait for callbacks with rcu_barrier() (the destroy work of a
 * table with a free callback or out-of-line entries does).  Under @lock:
 * @head, @tail, @busy and @stop.
 */
struct workqueue_struct {
	unsigned int flags;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct rcu_work *head, *tail;	/* past their grace period */
	bool busy;			/* the worker is running a work */
	bool stop;
	pthread_t worker;
};

static void *wq_worker(void *arg)
{
	struct workqueue_struct *wq = arg;
	struct rcu_work *rwork;

	pthread_mutex_lock(&wq->lock);
	for (;;) {
		while (!wq->head && !wq->stop)
			pthread_cond_wait(&wq->cond, &wq->lock);
		if (!wq->head)
			break;
		rwork = wq->head;
		wq->head = rwork->next;
		if (!wq->head)
			wq->tail = NULL;
		wq->busy = true;
		pthread_mutex_unlock(&wq->lock);
		/* The grace period ended before the callback queued it. */
		native_tsan_after_gp();
		rwork->work.func(&rwork->work);
		pthread_mutex_lock(&wq->lock);
		wq->busy = false;
		pthread_cond_broadcast(&wq->cond);
	}
	pthread_mutex_unlock(&wq->lock);
	return NULL;
}

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags,
					 int max_active, ...)
{
	struct workqueue_struct *wq = calloc(1, sizeof(*wq));

	(void)fmt;
	(void)max_active;
	if (!wq)
		return NULL;
	wq->flags = flags;
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->cond, NULL);
	if (native_thread_create(&wq->worker, wq_worker, wq)) {
		free(wq);
		return NULL;
	}
	return wq;
}

/* Wait for the rcu_works handed to the worker so far. */
static void wq_drain(struct workqueue_struct *wq)
{
	pthread_mutex_lock(&wq->lock);
	while (wq->head || wq->busy)
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}

/*
 * As in the kernel, the caller has waited for the rcu_works' grace periods
 * (rcu_barrier()); the works themselves are run before the worker stops.
 */
void destroy_workqueue(struct workqueue_struct *wq)
{
	wq_drain(wq);
	pthread_mutex_lock(&wq->lock);
	wq->stop = true;
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
	pthread_join(wq->worker, NULL);
	free(wq);
}

/* In the call_rcu thread, after the grace period: hand over to the worker. */
static void rcu_work_queue(struct rcu_head *head)
{
	struct rcu_work *rwork = container_of(head, struct rcu_work, rcu);
	struct workqueue_struct *wq = rwork->wq;

	native_tsan_after_gp();
	rwork->next = NULL;
	pthread_mutex_lock(&wq->lock);
	if (wq->tail)
		wq->tail->next = rwork;
	else
		wq->head = rwork;
	wq->tail = rwork;
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
}

bool queue_rcu_work(struct workqueue_struct *wq, struct rcu_work *rwork)
{
	rwork->wq = wq;
	call_rcu(&rwork->rcu, rcu_work_queue);
	return true;
}

/*
 * Delayed works, with the kernel's guarantees: a work is never run twice
 * at once; queued while it runs, it is pending again and runs once more
 * after that run (once its new delay has passed); queueing a pending work
 * does nothing; cancel_delayed_work_sync() drops a pending run and waits
 * for the one in progress.
 *
 * A work that is pending or running has one thread, which waits out the
 * delay, runs the function, and loops while the work was queued again
 * meanwhile.  One lock and one condition variable serve every work: the
 * state changes are rare.  Under dw_lock: a work's @state and @due, and
 * dw_active.
 */
#define DW_PENDING	1	/* its function will run, at @due */
#define DW_RUNNING	2	/* its function is running */
#define DW_CANCELING	4	/* in cancel_delayed_work_sync(): not queued */

static pthread_mutex_t dw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dw_cond = PTHREAD_COND_INITIALIZER;
static int dw_active;	/* threads of works pending or running */

/* Under dw_lock; atomic because delayed_work_pending() reads it without. */
static void dw_set_state(struct delayed_work *dw, int state)
{
	__atomic_store_n(&dw->state, state, __ATOMIC_RELAXED);
}

static void *delayed_work_thread(void *arg)
{
	struct delayed_work *dw = arg;

	pthread_mutex_lock(&dw_lock);
	for (;;) {
		/* Pending: wait out the delay, or a cancel. */
		while (!(dw->state & DW_CANCELING) &&
		       pthread_cond_timedwait(&dw_cond, &dw_lock,
					      &dw->due) != ETIMEDOUT)
			;
		if (dw->state & DW_CANCELING) {
			dw_set_state(dw, dw->state & ~DW_PENDING);
			break;
		}
		/* Clear pending before running: the function may queue it again. */
		dw_set_state(dw, (dw->state & ~DW_PENDING) | DW_RUNNING);
		pthread_mutex_unlock(&dw_lock);
		dw->work.func(&dw->work);
		pthread_mutex_lock(&dw_lock);
		dw_set_state(dw, dw->state & ~DW_RUNNING);
		if (!(dw->state & DW_PENDING))
			break;
		/* Queued while it ran: this thread runs it again. */
	}
	/*
	 * Idle: the next queue_delayed_work() starts another thread, and a
	 * cancel may return, after which @dw may be freed: no access to it
	 * once dw_lock is dropped.
	 */
	dw_active--;
	pthread_cond_broadcast(&dw_cond);
	pthread_mutex_unlock(&dw_lock);
	return NULL;
}

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
			unsigned long delay)
{
	unsigned long ms = delay * 1000 / HZ;
	pthread_t thread;
	bool idle;

	(void)wq;
	pthread_mutex_lock(&dw_lock);
	if (dw->state & (DW_PENDING | DW_CANCELING)) {
		pthread_mutex_unlock(&dw_lock);
		return false;
	}
	clock_gettime(CLOCK_REALTIME, &dw->due);
	dw->due.tv_sec += ms / 1000;
	dw->due.tv_nsec += (ms % 1000) * 1000000;
	if (dw->due.tv_nsec >= 1000000000) {
		dw->due.tv_sec++;
		dw->due.tv_nsec -= 1000000000;
	}
	/* A running work's thread sees the pending bit when the run ends. */
	idle = !(dw->state & DW_RUNNING);
	dw_set_state(dw, dw->state | DW_PENDING);
	if (idle)
		dw_active++;
	pthread_mutex_unlock(&dw_lock);
	if (idle) {
		if (native_thread_create(&thread, delayed_work_thread, dw))
			abort();
		pthread_detach(thread);
	}
	return true;
}

bool delayed_work_pending(struct delayed_work *dw)
{
	return __atomic_load_n(&dw->state, __ATOMIC_RELAXED) & DW_PENDING;
}

/*
 * Drop a pending run, wait for the one in progress; meanwhile the work
 * cannot be queued.  True if it was pending.
 */
bool cancel_delayed_work_sync(struct delayed_work *dw)
{
	bool pending;

	might_sleep();
	pthread_mutex_lock(&dw_lock);
	pending = dw->state & DW_PENDING;
	dw_set_state(dw, dw->state | DW_CANCELING);
	pthread_cond_broadcast(&dw_cond);
	while (dw->state & (DW_PENDING | DW_RUNNING))
		pthread_cond_wait(&dw_cond, &dw_lock);
	dw_set_state(dw, dw->state & ~DW_CANCELING);
	pthread_mutex_unlock(&dw_lock);
	return pending;
}

/*
 * The rcu_works whose grace period has passed (rcu_barrier() before this
 * makes that all of them, as rcumap_hash_barrier() does) and the delayed
 * works, delays included (the kernel would not wait for a timer), are
 * waited for.
 */
void flush_workqueue(struct workqueue_struct *wq)
{
	might_sleep();
	wq_drain(wq);
	pthread_mutex_lock(&dw_lock);
	while (dw_active)
		pthread_cond_wait(&dw_cond, &dw_lock);
	pthread_mutex_unlock(&dw_lock);
}

bool native_mutex_held(const struct mutex *m)
{
	return native_mutex_is_held(m);
}

/* ---- Module load and unload (kmod/main.c) -------------------------- */

struct workqueue_struct *rcumap_wq;

void native_init(void)
{
	native_thread_register();
	rcumap_wq = alloc_workqueue("rcumap", WQ_UNBOUND, 0);
	if (!rcumap_wq)
		abort();
}

void native_barrier(void)
{
	rcu_barrier();
	flush_workqueue(rcumap_wq);
}

void native_exit(void)
{
	rcu_barrier();
	destroy_workqueue(rcumap_wq);
	rcumap_wq = NULL;
	native_thread_unregister();
}
