/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: kernel RCU on liburcu's memb flavour (urcu-memb).
 *
 * Read-side critical sections, grace periods, call_rcu() and rcu_barrier()
 * are liburcu's, inlined with _LGPL_SOURCE; every thread that reads must be
 * registered with it (see native_thread_register() in native.h; debug
 * builds check).  Holding a
 * spinlock does not delay a grace period here, unlike in a kernel without
 * preemptible RCU, so rcu_read_lock_any_held() means rcu_read_lock() only.
 *
 * The pointer accessors are __atomic builtins: rcu_dereference*() an
 * acquire load (the same plain load on x86 as the kernel's dependency
 * ordering), rcu_assign_pointer() a release store.  They are what
 * ThreadSanitizer understands.  ThreadSanitizer does not know that a grace
 * period orders every earlier read-side critical section before the
 * callbacks that follow it, so TSan builds tell it: every
 * rcu_read_unlock() and call_rcu() releases one sync object, and every
 * callback, synchronize_rcu() and rcu_barrier() acquires it.
 *
 * Debug builds (NATIVE_DEBUG) check the conditions of
 * rcu_dereference_check() and rcu_dereference_protected() as lockdep does.
 */
#ifndef _NATIVE_LINUX_RCUPDATE_H
#define _NATIVE_LINUX_RCUPDATE_H

#include <urcu/urcu-memb.h>
/* liburcu's own spellings of these would shadow the kernel's. */
#undef rcu_dereference
#undef rcu_assign_pointer
#undef rcu_set_pointer
#undef rcu_cmpxchg_pointer
#undef rcu_xchg_pointer

#include <stdbool.h>
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/types.h>

typedef void (*rcu_callback_t)(struct rcu_head *head);

/* NATIVE_TSAN: see linux/compiler.h. */
#ifdef NATIVE_TSAN
void native_tsan_reader_done(void);
void native_tsan_after_gp(void);
#else
static inline void native_tsan_reader_done(void) { }
static inline void native_tsan_after_gp(void) { }
#endif

void __attribute__((__noreturn__))
native_rcu_misuse(const char *file, int line, const char *what);

static inline bool rcu_read_lock_held(void)
{
	return urcu_memb_read_ongoing();
}
#define rcu_read_lock_bh_held()		rcu_read_lock_held()
#define rcu_read_lock_sched_held()	rcu_read_lock_held()
#define rcu_read_lock_any_held()	rcu_read_lock_held()

static inline void rcu_read_lock(void)
{
#if defined(NATIVE_DEBUG) && defined(_LGPL_SOURCE)
	if (!URCU_TLS(urcu_memb_reader).registered)
		native_rcu_misuse(__FILE__, __LINE__,
				  "rcu_read_lock() in an unregistered thread");
#endif
	urcu_memb_read_lock();
}

static inline void rcu_read_unlock(void)
{
	native_tsan_reader_done();
	urcu_memb_read_unlock();
}

#define rcu_read_lock_bh()	rcu_read_lock()
#define rcu_read_unlock_bh()	rcu_read_unlock()
#define rcu_read_lock_sched()	rcu_read_lock()
#define rcu_read_unlock_sched()	rcu_read_unlock()

#ifdef NATIVE_DEBUG
#define __native_rcu_check(c, what) do {				\
	if (!(c))							\
		native_rcu_misuse(__FILE__, __LINE__, what);		\
} while (0)
#else
#define __native_rcu_check(c, what)	((void)sizeof(!(c)))
#endif

#define RCU_INITIALIZER(v)	(v)
#define unrcu_pointer(p)	(p)

#define rcu_access_pointer(p)	__atomic_load_n(&(p), __ATOMIC_RELAXED)

#define rcu_dereference_raw(p)	__atomic_load_n(&(p), __ATOMIC_ACQUIRE)

#define rcu_dereference_check(p, c) ({					\
	__native_rcu_check((c) || rcu_read_lock_held(),			\
			   "rcu_dereference_check(" #p ", " #c ")");	\
	rcu_dereference_raw(p);						\
})

#define rcu_dereference_protected(p, c) ({				\
	__native_rcu_check(c, "rcu_dereference_protected(" #p ", " #c ")");\
	__atomic_load_n(&(p), __ATOMIC_RELAXED);			\
})

#define rcu_dereference(p)		rcu_dereference_check(p, 0)
#define rcu_dereference_bh(p)		rcu_dereference_check(p, 0)
#define rcu_dereference_sched(p)	rcu_dereference_check(p, 0)
#define rcu_dereference_bh_check(p, c)	rcu_dereference_check(p, c)

#define rcu_assign_pointer(p, v) do {					\
	__typeof__(p) __native_v = (v);					\
	__atomic_store_n(&(p), __native_v, __ATOMIC_RELEASE);		\
} while (0)

#define RCU_INIT_POINTER(p, v) do {					\
	__typeof__(p) __native_v = (v);					\
	__atomic_store_n(&(p), __native_v, __ATOMIC_RELAXED);		\
} while (0)

#define rcu_replace_pointer(rp, p, c) ({				\
	__typeof__(rp) __native_old = rcu_dereference_protected(rp, c);\
	rcu_assign_pointer(rp, p);					\
	__native_old;							\
})

static inline void synchronize_rcu(void)
{
	might_sleep();
	urcu_memb_synchronize_rcu();
	native_tsan_after_gp();
}

static inline void rcu_barrier(void)
{
	might_sleep();
	urcu_memb_barrier();
	native_tsan_after_gp();
}

#ifdef NATIVE_TSAN
void call_rcu(struct rcu_head *head, rcu_callback_t func);
#else
static inline void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	urcu_memb_call_rcu(head, func);
}
#endif

/* Frees the object that starts with @head; see kvfree_rcu(). */
void native_kvfree_rcu_cb(struct rcu_head *head);

/*
 * Frees the object @offset bytes before @head after a grace period.  The
 * kernel encodes the offset in the callback; liburcu has no room for it,
 * so this allocates a small record for it (and aborts if it cannot).
 */
void native_kvfree_rcu_off(struct rcu_head *head, size_t offset);

/* An rcu_head at the start of the object needs nothing more. */
#define kvfree_rcu(ptr, rhf) do {					\
	if (offsetof(__typeof__(*(ptr)), rhf) == 0)			\
		call_rcu(&(ptr)->rhf, native_kvfree_rcu_cb);		\
	else								\
		native_kvfree_rcu_off(&(ptr)->rhf,			\
				offsetof(__typeof__(*(ptr)), rhf));	\
} while (0)
#define kfree_rcu(ptr, rhf)	kvfree_rcu(ptr, rhf)

#endif /* _NATIVE_LINUX_RCUPDATE_H */
