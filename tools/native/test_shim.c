// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the shim itself: that it computes what the kernel computes
 * (jhash known answers, taken from the kernel's linux/jhash.h), allocates
 * as SLUB does, orders RCU callbacks after grace periods, and runs a
 * delayed work as a kernel workqueue does: never beside itself, again
 * after the run that a queue during it found, and never after a cancel
 * has returned.
 */
#include <linux/atomic.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <asm/unaligned.h>

#include <limits.h>
#include <pthread.h>

#include "harness.h"

static void jhash_matches_the_kernel(void)
{
	static const char fox[] = "The quick brown fox jumps over the lazy dog";
	static const u32 words[5] = { 1, 2, 3, 4, 5 };

	EXPECT_EQ(jhash("", 0, 0), 0xdeadbeef);
	EXPECT_EQ(jhash("abcdefghijklm", 13, 1), 0x8675b9c8);
	EXPECT_EQ(jhash(fox, 43, 0), 0x64a2cd46);
	EXPECT_EQ(jhash(fox, 12, 7), 0x66469bfe);
	EXPECT_EQ(jhash(fox, 1, 0), 0x789c5f5c);
	EXPECT_EQ(jhash2(words, 5, 9), 0xe05dc66e);
	EXPECT_EQ(jhash_1word(1, 0), 0x72a82a9b);
	EXPECT_EQ(jhash_2words(1, 2, 3), 0x252781b5);
	EXPECT_EQ(jhash_2words(0xdeadbeef, 0, 0), 0xcbf70fc7);
	EXPECT_EQ(jhash_3words(1, 2, 3, 4), 0x8103143f);
}

static void is_enabled_reads_defines(void)
{
#define CONFIG_NATIVE_TEST_ON 1
	EXPECT_EQ(IS_ENABLED(CONFIG_NATIVE_TEST_ON), 1);
	EXPECT_EQ(IS_ENABLED(CONFIG_NATIVE_TEST_OFF), 0);
#if !IS_ENABLED(CONFIG_NATIVE_TEST_ON) || IS_ENABLED(CONFIG_NATIVE_TEST_OFF)
	EXPECT(0);
#endif
}

static void kmalloc_aligns_like_slub(void)
{
	static const size_t sizes[] = { 1, 8, 24, 40, 64, 65, 96, 100, 192,
					256, 1000, 4096, 8192, 9000, 100000 };
	long live = native_allocs_live();
	size_t i;

	EXPECT_EQ(kmalloc_size_roundup(1), 8);
	EXPECT_EQ(kmalloc_size_roundup(65), 96);
	EXPECT_EQ(kmalloc_size_roundup(97), 128);
	EXPECT_EQ(kmalloc_size_roundup(129), 192);
	EXPECT_EQ(kmalloc_size_roundup(193), 256);
	EXPECT_EQ(kmalloc_size_roundup(8192), 8192);
	EXPECT_EQ(kmalloc_size_roundup(8193), 16384);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t r = kmalloc_size_roundup(sizes[i]);
		size_t align = min(r & -r, (size_t)PAGE_SIZE);
		u8 *p = kzalloc(sizes[i], GFP_KERNEL);
		size_t j;

		ASSERT(p);
		EXPECT_EQ((unsigned long)p % align, 0);
		for (j = 0; j < sizes[i]; j++)
			EXPECT_EQ(p[j], 0);
		kfree(p);
	}
	EXPECT(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL) == NULL);
	EXPECT(kvmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL) == NULL);
	EXPECT_EQ(native_allocs_live(), live);
}

static void allocation_failures_are_injected(void)
{
	void *p;

	native_fail_alloc_nth(2);
	p = kmalloc(8, GFP_KERNEL);
	EXPECT(p);
	kfree(p);
	EXPECT(kmalloc(8, GFP_KERNEL) == NULL);
	p = kmalloc(8, GFP_KERNEL);
	EXPECT(p);
	kfree(p);

	native_fail_alloc_rate(1000000, true);
	EXPECT(kmalloc(8, GFP_NOWAIT) == NULL);
	p = kmalloc(8, GFP_KERNEL);
	EXPECT(p);
	kfree(p);
	native_fail_alloc_rate(0, false);
}

static void atomics_follow_the_kernel(void)
{
	atomic_t a = ATOMIC_INIT(3);
	atomic64_t b = ATOMIC64_INIT(-1);
	s64 old = 5;

	EXPECT(!atomic_add_unless(&a, 1, 3));
	EXPECT(atomic_add_unless(&a, 2, 4));
	EXPECT_EQ(atomic_read(&a), 5);
	EXPECT_EQ(atomic_fetch_inc(&a), 5);
	EXPECT_EQ(atomic_dec_return(&a), 5);
	EXPECT_EQ(atomic64_xchg(&b, 7), -1);
	EXPECT(!atomic64_try_cmpxchg(&b, &old, 9));
	EXPECT_EQ(old, 7);
	EXPECT(atomic64_try_cmpxchg(&b, &old, 9));
	EXPECT_EQ(atomic64_read(&b), 9);
}

static void unaligned_access_works(void)
{
	u8 buf[16] = { 0 };

	put_unaligned(0x0102030405060708ULL, (u64 *)(buf + 1));
	EXPECT_EQ(get_unaligned((const u64 *)(buf + 1)), 0x0102030405060708ULL);
	EXPECT_EQ(buf[1], 8);
	EXPECT_EQ(get_unaligned((const u32 *)(buf + 3)), 0x03040506);
}

static void log2_helpers(void)
{
	EXPECT_EQ(ilog2(1), 0);
	EXPECT_EQ(ilog2(64), 6);
	EXPECT_EQ(ilog2(65), 6);
	EXPECT_EQ(roundup_pow_of_two(1), 1);
	EXPECT_EQ(roundup_pow_of_two(3), 4);
	EXPECT_EQ(roundup_pow_of_two(4), 4);
	EXPECT_EQ(roundup_pow_of_two(1U << 31) , 1UL << 31);
	EXPECT(is_power_of_2(64));
	EXPECT(!is_power_of_2(0));
	EXPECT(!is_power_of_2(96));
}

static void spinlock_knows_its_owner(void)
{
	spinlock_t lock;

	spin_lock_init(&lock);
#ifdef NATIVE_DEBUG
	EXPECT(!lockdep_is_held(&lock));
#endif
	spin_lock_bh(&lock);
	EXPECT(lockdep_is_held(&lock));
	spin_unlock_bh(&lock);
#ifdef NATIVE_DEBUG
	EXPECT(!lockdep_is_held(&lock));
#endif
}

struct cb_probe {
	struct rcu_head rcu;
	int *flag;
};

static void cb_probe_fn(struct rcu_head *head)
{
	struct cb_probe *p = container_of(head, struct cb_probe, rcu);

	__atomic_store_n(p->flag, 1, __ATOMIC_RELEASE);
	kfree(p);
}

static void callbacks_wait_for_readers(void)
{
	struct cb_probe *p = kmalloc(sizeof(*p), GFP_KERNEL);
	int flag = 0, i;

	ASSERT(p);
	p->flag = &flag;
	rcu_read_lock();
	EXPECT(rcu_read_lock_held());
	call_rcu(&p->rcu, cb_probe_fn);
	/* No grace period can end while this reader is inside. */
	for (i = 0; i < 20; i++) {
		usleep(1000);
		EXPECT_EQ(__atomic_load_n(&flag, __ATOMIC_ACQUIRE), 0);
	}
	rcu_read_unlock();
	EXPECT(!rcu_read_lock_held());
	rcu_barrier();
	EXPECT_EQ(__atomic_load_n(&flag, __ATOMIC_ACQUIRE), 1);
}

struct work_probe {
	struct rcu_work rwork;
	int ran;
};

static void work_probe_fn(struct work_struct *work)
{
	struct work_probe *p = container_of(to_rcu_work(work),
					    struct work_probe, rwork);

	__atomic_store_n(&p->ran, 1, __ATOMIC_RELEASE);
}

static void rcu_work_runs_after_a_grace_period(void)
{
	struct work_probe p = { .ran = 0 };

	INIT_RCU_WORK(&p.rwork, work_probe_fn);
	EXPECT(queue_rcu_work(rcumap_wq, &p.rwork));
	native_barrier();
	EXPECT_EQ(__atomic_load_n(&p.ran, __ATOMIC_ACQUIRE), 1);
}

static void kvfree_rcu_frees(void)
{
	struct cb_probe *p = kmalloc(sizeof(*p), GFP_KERNEL);
	long live = native_allocs_live();

	ASSERT(p);
	kvfree_rcu(p, rcu);
	rcu_barrier();
	if (live >= 0)
		EXPECT_EQ(native_allocs_live(), live - 1);
}

/* ---- Delayed works -------------------------------------------------- */

/*
 * A delayed work that counts its runs and the instances of it inside its
 * function at once.  Run k (from 1) returns only once @release >= k, so a
 * test holds a run inside for as long as it needs.
 */
struct dw_probe {
	struct delayed_work dw;
	int runs;		/* runs started */
	int done;		/* runs finished */
	int inside;		/* runs inside the function now */
	int max_inside;
	int release;
	int dwell_us;		/* how long each run stays inside */
};

static int dw_load(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

static void dw_store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

static void dw_probe_fn(struct work_struct *work)
{
	struct dw_probe *p = container_of(to_delayed_work(work),
					  struct dw_probe, dw);
	int run = __atomic_add_fetch(&p->runs, 1, __ATOMIC_SEQ_CST);
	int inside = __atomic_add_fetch(&p->inside, 1, __ATOMIC_SEQ_CST);
	int max = dw_load(&p->max_inside);

	while (inside > max &&
	       !__atomic_compare_exchange_n(&p->max_inside, &max, inside, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
	while (dw_load(&p->release) < run)
		usleep(100);
	if (p->dwell_us)
		usleep(p->dwell_us);
	__atomic_sub_fetch(&p->inside, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&p->done, 1, __ATOMIC_SEQ_CST);
}

static void dw_probe_init(struct dw_probe *p, int release)
{
	memset(p, 0, sizeof(*p));
	p->release = release;
	INIT_DELAYED_WORK(&p->dw, dw_probe_fn);
}

/*
 * Wait for *@p to reach @want.  The bound only keeps a broken shim from
 * hanging the test: a correct one gets there in microseconds.
 */
static bool dw_wait_for(const int *p, int want)
{
	int i;

	for (i = 0; i < 600000 && dw_load(p) < want; i++)
		usleep(100);
	return dw_load(p) >= want;
}

/*
 * Queued again while it runs, a work is pending and runs once more after
 * the run in progress, never beside it; queued again while pending, it is
 * not queued twice.  The pause before the first run is released is not
 * needed by a correct shim: it only gives a broken one, which would start
 * the second run at once, the time to do it.
 */
static void delayed_work_requeued_while_running_runs_after(void)
{
	struct dw_probe p;

	dw_probe_init(&p, 0);
	EXPECT(queue_delayed_work(rcumap_wq, &p.dw, 0));
	ASSERT(dw_wait_for(&p.runs, 1));
	EXPECT(!delayed_work_pending(&p.dw));
	EXPECT(queue_delayed_work(rcumap_wq, &p.dw, 0));
	EXPECT(delayed_work_pending(&p.dw));
	EXPECT(!queue_delayed_work(rcumap_wq, &p.dw, 0));
	usleep(20000);
	EXPECT_EQ(dw_load(&p.runs), 1);
	dw_store(&p.release, 1);
	EXPECT(dw_wait_for(&p.runs, 2));
	dw_store(&p.release, 2);
	flush_workqueue(rcumap_wq);
	EXPECT_EQ(dw_load(&p.runs), 2);
	EXPECT_EQ(dw_load(&p.done), 2);
	EXPECT_EQ(dw_load(&p.max_inside), 1);
	EXPECT(!delayed_work_pending(&p.dw));
}

struct dw_hammer {
	struct dw_probe *p;
	int queued;
};

static void *dw_hammer_fn(void *arg)
{
	struct dw_hammer *h = arg;
	int i;

	for (i = 0; i < 2000; i++) {
		if (queue_delayed_work(rcumap_wq, &h->p->dw, 0))
			h->queued++;
		usleep(20);
	}
	return NULL;
}

/*
 * Three threads queue one work without pause, as the updaters of a table
 * queue its resize worker: it is never inside its function twice at
 * once, and it runs exactly once per queue that returned true.
 */
static void delayed_work_never_runs_beside_itself(void)
{
	struct dw_hammer h[3];
	struct dw_probe p;
	pthread_t t[3];
	int i, queued = 0;

	dw_probe_init(&p, INT_MAX);
	p.dwell_us = 100;
	for (i = 0; i < 3; i++) {
		h[i].p = &p;
		h[i].queued = 0;
		ASSERT(!native_thread_create(&t[i], dw_hammer_fn, &h[i]));
	}
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		queued += h[i].queued;
	}
	flush_workqueue(rcumap_wq);
	EXPECT_EQ(dw_load(&p.max_inside), 1);
	EXPECT(queued >= 1);
	EXPECT_EQ(dw_load(&p.runs), queued);
	EXPECT_EQ(dw_load(&p.done), dw_load(&p.runs));
	printf("# %d queued, %d runs\n", queued, dw_load(&p.runs));
}

struct dw_cancel {
	struct dw_probe *p;
	bool ret;
	int returned;
	int inside_at_return;
	int runs_at_return;
};

static void *dw_cancel_fn(void *arg)
{
	struct dw_cancel *c = arg;

	c->ret = cancel_delayed_work_sync(&c->p->dw);
	dw_store(&c->inside_at_return, dw_load(&c->p->inside));
	dw_store(&c->runs_at_return, dw_load(&c->p->runs));
	dw_store(&c->returned, 1);
	return NULL;
}

/*
 * A cancel of a work that is running and queued again waits for the run
 * in progress, drops the pending one (and says it was pending), and
 * returns with nothing inside the function; the work can be queued again
 * afterwards.  As above, the pauses only give a broken shim the time to
 * show itself.
 */
static void cancel_waits_for_the_run_and_drops_the_pending_one(void)
{
	struct dw_cancel c = { 0 };
	struct dw_probe p;
	pthread_t t;

	dw_probe_init(&p, 0);
	c.p = &p;
	EXPECT(queue_delayed_work(rcumap_wq, &p.dw, 0));
	ASSERT(dw_wait_for(&p.runs, 1));
	EXPECT(queue_delayed_work(rcumap_wq, &p.dw, 0));
	usleep(20000);
	ASSERT(!native_thread_create(&t, dw_cancel_fn, &c));
	usleep(20000);
	EXPECT_EQ(dw_load(&c.returned), 0);
	EXPECT(!queue_delayed_work(rcumap_wq, &p.dw, 0));
	dw_store(&p.release, 1);
	EXPECT(dw_wait_for(&c.returned, 1));
	/* Let whatever a broken shim still runs finish before we look. */
	dw_store(&p.release, INT_MAX);
	pthread_join(t, NULL);
	flush_workqueue(rcumap_wq);
	EXPECT(c.ret);
	EXPECT_EQ(c.inside_at_return, 0);
	EXPECT_EQ(c.runs_at_return, 1);
	EXPECT_EQ(dw_load(&p.runs), 1);
	EXPECT(!delayed_work_pending(&p.dw));

	EXPECT(queue_delayed_work(rcumap_wq, &p.dw, 0));
	flush_workqueue(rcumap_wq);
	EXPECT_EQ(dw_load(&p.runs), 2);
	EXPECT_EQ(dw_load(&p.max_inside), 1);
}

/*
 * A cancel of a work that waits out its delay returns at once, says it
 * was pending, and the work never runs; a cancel of an idle work says it
 * was not.
 */
static void cancel_drops_a_delayed_work(void)
{
	struct dw_probe p;

	dw_probe_init(&p, INT_MAX);
	EXPECT(!cancel_delayed_work_sync(&p.dw));
	EXPECT(queue_delayed_work(rcumap_wq, &p.dw, 3600 * HZ));
	EXPECT(delayed_work_pending(&p.dw));
	EXPECT(cancel_delayed_work_sync(&p.dw));
	EXPECT(!delayed_work_pending(&p.dw));
	flush_workqueue(rcumap_wq);
	EXPECT_EQ(dw_load(&p.runs), 0);
}

int main(void)
{
	native_init();
	RUN(jhash_matches_the_kernel);
	RUN(is_enabled_reads_defines);
	RUN(kmalloc_aligns_like_slub);
	RUN(allocation_failures_are_injected);
	RUN(atomics_follow_the_kernel);
	RUN(unaligned_access_works);
	RUN(log2_helpers);
	RUN(spinlock_knows_its_owner);
	RUN(callbacks_wait_for_readers);
	RUN(rcu_work_runs_after_a_grace_period);
	RUN(kvfree_rcu_frees);
	RUN(delayed_work_requeued_while_running_runs_after);
	RUN(delayed_work_never_runs_beside_itself);
	RUN(cancel_waits_for_the_run_and_drops_the_pending_one);
	RUN(cancel_drops_a_delayed_work);
	native_exit();
	return harness_done("test_shim");
}
