// SPDX-License-Identifier: GPL-2.0
/*
 * The out-of-line half of the native build's kernel shim (the headers are
 * in include/): the allocator, warnings, random numbers, the workqueue
 * behind queue_rcu_work(), RCU thread registration, the ThreadSanitizer
 * annotations of grace periods, tasks and kthreads, per-CPU memory,
 * module parameters, and what kmod/main.c does at module load and
 * unload.
 */
#include <linux/bug.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
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
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "native.h"
#include "../../kmod/hash_internal.h"

#ifdef NATIVE_TSAN
#include <sanitizer/tsan_interface.h>
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(NATIVE_ASAN)
#include <sanitizer/asan_interface.h>
#define native_poison(p, n)	ASAN_POISON_MEMORY_REGION(p, n)
#define native_unpoison(p, n)	ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define native_poison(p, n)	do { } while (0)
#define native_unpoison(p, n)	do { } while (0)
#endif

long native_warnings;
bool native_warn_fatal;
__thread int native_locks_held;
__thread int native_atomic_depth;

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
	if (native_atomic_depth)
		native_bug(file, line, "might sleep with preemption or BHs off");
}

void native_preempt_disable(void)
{
	rcu_read_lock();
	native_atomic_depth++;
}

void native_preempt_enable(void)
{
	native_atomic_depth--;
	rcu_read_unlock();
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
static __thread unsigned int fail_per_million;
static __thread bool fail_nowait_only;
static __thread u64 fail_rng;

void native_fail_alloc_nth(unsigned int nth)
{
	current->fail_nth = nth;
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
	struct task_struct *task = current;

	if (task->fail_nth && !--task->fail_nth)
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

struct kvfree_rcu_off {
	struct rcu_head head;
	void *obj;
};

static void kvfree_rcu_off_cb(struct rcu_head *head)
{
	struct kvfree_rcu_off *k = container_of(head, struct kvfree_rcu_off,
						head);

	native_tsan_after_gp();
	kvfree(k->obj);
	free(k);
}

void native_kvfree_rcu_off(struct rcu_head *head, size_t offset)
{
	struct kvfree_rcu_off *k = malloc(sizeof(*k));

	if (!k)
		abort();
	k->obj = (char *)head - offset;
	call_rcu(&k->head, kvfree_rcu_off_cb);
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

/* ---- Tasks and kthreads -------------------------------------------- */

/*
 * The kthread side of a task.  Under @lock: @woken, @should_stop (also
 * read without it, atomically).  @task must stay first: current of a
 * kthread points at it.
 */
struct native_kthread {
	struct task_struct task;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool woken;
	bool should_stop;
	int (*threadfn)(void *data);
	void *data;
	int ret;
};

static __thread struct task_struct *current_task;
static __thread struct task_struct thread_task;
static unsigned int next_cpu;

static int pick_cpu(void)
{
	return __atomic_fetch_add(&next_cpu, 1, __ATOMIC_RELAXED) %
	       native_possible_cpus();
}

struct task_struct *native_current(void)
{
	if (unlikely(!current_task)) {
		thread_task.cpu = pick_cpu();
		current_task = &thread_task;
	}
	return current_task;
}

int native_processor_id(void)
{
	return native_current()->cpu;
}

static void *kthread_main(void *arg)
{
	struct native_kthread *k = arg;
	bool run;

	current_task = &k->task;
	pthread_mutex_lock(&k->lock);
	while (!k->woken)
		pthread_cond_wait(&k->cond, &k->lock);
	run = !k->should_stop;
	pthread_mutex_unlock(&k->lock);
	/* As in the kernel, a thread stopped before it ran never runs. */
	k->ret = run ? k->threadfn(k->data) : -EINTR;
	/*
	 * One that returned by itself before kthread_stop() is gone, as in
	 * the kernel: stopping it now would be a use after free.
	 */
	pthread_mutex_lock(&k->lock);
	run = k->should_stop;
	pthread_mutex_unlock(&k->lock);
	if (!run) {
		pthread_detach(k->thread);
		pthread_mutex_destroy(&k->lock);
		pthread_cond_destroy(&k->cond);
		free(k);
	}
	return NULL;
}

static struct task_struct *kthread_new(int (*threadfn)(void *data),
				       void *data, int cpu)
{
	struct native_kthread *k = calloc(1, sizeof(*k));

	if (!k)
		return ERR_PTR(-ENOMEM);
	k->task.cpu = cpu;
	k->task.kthread = k;
	k->threadfn = threadfn;
	k->data = data;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->cond, NULL);
	if (native_thread_create(&k->thread, kthread_main, k)) {
		free(k);
		return ERR_PTR(-EAGAIN);
	}
	return &k->task;
}

struct task_struct *kthread_create(int (*threadfn)(void *data), void *data,
				   const char *namefmt, ...)
{
	might_sleep();
	return kthread_new(threadfn, data, pick_cpu());
}

struct task_struct *kthread_create_on_cpu(int (*threadfn)(void *data),
					  void *data, unsigned int cpu,
					  const char *namefmt)
{
	might_sleep();
	return kthread_new(threadfn, data, cpu % native_possible_cpus());
}

/* Before wake_up_process(), as in the kernel. */
void kthread_bind(struct task_struct *task, unsigned int cpu)
{
	task->cpu = cpu % native_possible_cpus();
}

/* Only kthreads are ever woken here. */
bool wake_up_process(struct task_struct *task)
{
	struct native_kthread *k = task->kthread;
	bool was;

	if (!k)
		return false;
	pthread_mutex_lock(&k->lock);
	was = k->woken;
	k->woken = true;
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
	return !was;
}

bool kthread_should_stop(void)
{
	struct native_kthread *k = native_current()->kthread;

	return k && __atomic_load_n(&k->should_stop, __ATOMIC_ACQUIRE);
}

int kthread_stop(struct task_struct *task)
{
	struct native_kthread *k = task->kthread;
	int ret;

	might_sleep();
	pthread_mutex_lock(&k->lock);
	__atomic_store_n(&k->should_stop, true, __ATOMIC_RELEASE);
	k->woken = true;
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
	pthread_join(k->thread, NULL);
	ret = k->ret;
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->cond);
	free(k);
	return ret;
}

static u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Starts at an arbitrary value, as in the kernel; it wraps in 49 days. */
unsigned long native_jiffies(void)
{
	return (unsigned long)(monotonic_ns() / (1000000000ULL / HZ)) +
	       0x7fff0000UL;
}

long schedule_timeout_uninterruptible(long timeout)
{
	might_sleep();
	usleep((useconds_t)timeout * (1000000 / HZ));
	return 0;
}

void schedule(void)
{
	might_sleep();
	sched_yield();
}

/* ---- Per-CPU memory ------------------------------------------------- */

/*
 * CPU 0's objects are carved out of the first unit by size class (powers
 * of two from 8 bytes to PCPU_MIN_UNIT_SIZE), each class with a free list
 * threaded through CPU 0's copies of its free objects; pcpu_class[] has
 * the class of each object, by its offset / 8.  Under pcpu_lock.
 */
#define PCPU_CLASSES	13	/* 8 << 12 == PCPU_MIN_UNIT_SIZE */

static pthread_mutex_t pcpu_lock = PTHREAD_MUTEX_INITIALIZER;
static char *pcpu_base;
static size_t pcpu_used;
static void *pcpu_free[PCPU_CLASSES];
static unsigned char *pcpu_class;

static void pcpu_poison(void *p, size_t size, bool poison)
{
	unsigned int cpu;

	for (cpu = 0; cpu < native_possible_cpus(); cpu++) {
		if (poison)
			native_poison(per_cpu_ptr(p, cpu), size);
		else
			native_unpoison(per_cpu_ptr(p, cpu), size);
	}
}

void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp)
{
	unsigned int class = 0, cpu;
	void *p;

	might_alloc(gfp);
	if (!size || size > PCPU_MIN_UNIT_SIZE || align > PAGE_SIZE)
		return NULL;
	if (should_fail(gfp))
		return NULL;
	while ((8UL << class) < size || (8UL << class) < align)
		class++;
	pthread_mutex_lock(&pcpu_lock);
	if (!pcpu_base) {
		pcpu_base = mmap(NULL, NATIVE_PCPU_UNIT * native_possible_cpus(),
				 PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				 -1, 0);
		pcpu_class = calloc(NATIVE_PCPU_UNIT / 8, 1);
		if (pcpu_base == MAP_FAILED || !pcpu_class)
			abort();
		native_poison(pcpu_base,
			      NATIVE_PCPU_UNIT * native_possible_cpus());
	}
	p = pcpu_free[class];
	if (p) {
		native_unpoison(p, sizeof(void *));
		pcpu_free[class] = *(void **)p;
	} else {
		pcpu_used = ALIGN(pcpu_used, 8UL << class);
		if (pcpu_used + (8UL << class) > NATIVE_PCPU_UNIT) {
			pthread_mutex_unlock(&pcpu_lock);
			return NULL;
		}
		p = pcpu_base + pcpu_used;
		pcpu_used += 8UL << class;
	}
	pcpu_class[((char *)p - pcpu_base) / 8] = class;
	pthread_mutex_unlock(&pcpu_lock);
	pcpu_poison(p, 8UL << class, false);
	for (cpu = 0; cpu < native_possible_cpus(); cpu++)
		memset(per_cpu_ptr(p, cpu), 0, 8UL << class);
	pcpu_poison(p, 8UL << class, true);
	pcpu_poison(p, size, false);
#ifdef NATIVE_DEBUG
	__atomic_fetch_add(&allocs_live, 1, __ATOMIC_RELAXED);
#endif
	return p;
}

/* The copies of the static per-CPU section, one per CPU, made on first use. */
static char *pcpu_static;
static pthread_once_t pcpu_static_once = PTHREAD_ONCE_INIT;

static void pcpu_static_init(void)
{
	size_t size = __stop_native_percpu - __start_native_percpu;

	pcpu_static = calloc(native_possible_cpus(), size);
	if (!pcpu_static)
		abort();
}

void *native_static_per_cpu_ptr(const void *ptr, unsigned int cpu)
{
	size_t size = __stop_native_percpu - __start_native_percpu;

	pthread_once(&pcpu_static_once, pcpu_static_init);
	return pcpu_static + cpu * size +
	       ((const char *)ptr - __start_native_percpu);
}

void free_percpu(void __percpu *ptr)
{
	unsigned int class;

	if (!ptr)
		return;
	pthread_mutex_lock(&pcpu_lock);
	class = pcpu_class[((char *)ptr - pcpu_base) / 8];
	pcpu_poison(ptr, 8UL << class, false);
	*(void **)ptr = pcpu_free[class];
	pcpu_free[class] = ptr;
	pcpu_poison(ptr, 8UL << class, true);
	pthread_mutex_unlock(&pcpu_lock);
#ifdef NATIVE_DEBUG
	__atomic_fetch_sub(&allocs_live, 1, __ATOMIC_RELAXED);
#endif
}

/* ---- Module parameters ---------------------------------------------- */

#define MAX_PARAMS	32

static struct {
	const char *name;
	void *var;
	size_t size;
	bool is_bool;
} params[MAX_PARAMS];
static unsigned int nr_params;

void native_param_register(const char *name, void *var, size_t size,
			   bool is_bool)
{
	if (nr_params == MAX_PARAMS)
		abort();
	params[nr_params].name = name;
	params[nr_params].var = var;
	params[nr_params].size = size;
	params[nr_params].is_bool = is_bool;
	nr_params++;
}

int native_param_set(const char *arg)
{
	const char *eq = strchr(arg, '=');
	unsigned long long v;
	unsigned int i;
	char *end;

	if (!eq)
		return -EINVAL;
	for (i = 0; i < nr_params; i++) {
		if (strlen(params[i].name) != (size_t)(eq - arg) ||
		    strncmp(params[i].name, arg, eq - arg))
			continue;
		errno = 0;
		v = strtoull(eq + 1, &end, 0);
		if (errno || end == eq + 1 || *end)
			return -EINVAL;
		if (params[i].is_bool)
			v = !!v;
		if (params[i].size == 8)
			*(u64 *)params[i].var = v;
		else if (params[i].size == 4)
			*(u32 *)params[i].var = v;
		else if (params[i].size == 2)
			*(u16 *)params[i].var = v;
		else
			*(u8 *)params[i].var = v;
		return 0;
	}
	return -EINVAL;
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
