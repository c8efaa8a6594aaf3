// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the shim itself: that it computes what the kernel computes
 * (jhash known answers, taken from the kernel's linux/jhash.h), allocates
 * as SLUB does, and orders RCU callbacks after grace periods.
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
	rcu_barrier();
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
	native_exit();
	return harness_done("test_shim");
}
