/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: atomic_t, atomic64_t, xchg/cmpxchg and barriers on the
 * compiler's __atomic builtins, with the orderings of
 * Documentation/atomic_t.txt: plain reads, sets and void RMW operations
 * are relaxed; value-returning RMW operations and a successful cmpxchg are
 * fully ordered (seq_cst here, a locked instruction on x86 as in the
 * kernel); a failed try_cmpxchg is relaxed.
 */
#ifndef _NATIVE_LINUX_ATOMIC_H
#define _NATIVE_LINUX_ATOMIC_H

#include <stdbool.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/barrier.h>

#define __NATIVE_RLX	__ATOMIC_RELAXED
#define __NATIVE_MB	__ATOMIC_SEQ_CST

#define __NATIVE_ATOMIC_OPS(pfx, type)					\
static inline type pfx##_read(const pfx##_t *v)				\
{									\
	return __atomic_load_n(&v->counter, __NATIVE_RLX);		\
}									\
static inline type pfx##_read_acquire(const pfx##_t *v)			\
{									\
	return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE);		\
}									\
static inline void pfx##_set(pfx##_t *v, type i)			\
{									\
	__atomic_store_n(&v->counter, i, __NATIVE_RLX);			\
}									\
static inline void pfx##_set_release(pfx##_t *v, type i)		\
{									\
	__atomic_store_n(&v->counter, i, __ATOMIC_RELEASE);		\
}									\
static inline void pfx##_add(type i, pfx##_t *v)			\
{									\
	__atomic_fetch_add(&v->counter, i, __NATIVE_RLX);		\
}									\
static inline void pfx##_sub(type i, pfx##_t *v)			\
{									\
	__atomic_fetch_sub(&v->counter, i, __NATIVE_RLX);		\
}									\
static inline void pfx##_inc(pfx##_t *v)				\
{									\
	pfx##_add(1, v);						\
}									\
static inline void pfx##_dec(pfx##_t *v)				\
{									\
	pfx##_sub(1, v);						\
}									\
static inline type pfx##_add_return(type i, pfx##_t *v)			\
{									\
	return __atomic_add_fetch(&v->counter, i, __NATIVE_MB);		\
}									\
static inline type pfx##_sub_return(type i, pfx##_t *v)			\
{									\
	return __atomic_sub_fetch(&v->counter, i, __NATIVE_MB);		\
}									\
static inline type pfx##_inc_return(pfx##_t *v)				\
{									\
	return pfx##_add_return(1, v);					\
}									\
static inline type pfx##_dec_return(pfx##_t *v)				\
{									\
	return pfx##_sub_return(1, v);					\
}									\
static inline bool pfx##_dec_and_test(pfx##_t *v)			\
{									\
	return pfx##_dec_return(v) == 0;				\
}									\
static inline type pfx##_fetch_add(type i, pfx##_t *v)			\
{									\
	return __atomic_fetch_add(&v->counter, i, __NATIVE_MB);		\
}									\
static inline type pfx##_fetch_sub(type i, pfx##_t *v)			\
{									\
	return __atomic_fetch_sub(&v->counter, i, __NATIVE_MB);		\
}									\
static inline type pfx##_fetch_inc(pfx##_t *v)				\
{									\
	return pfx##_fetch_add(1, v);					\
}									\
static inline type pfx##_fetch_dec(pfx##_t *v)				\
{									\
	return pfx##_fetch_sub(1, v);					\
}									\
static inline type pfx##_fetch_or(type i, pfx##_t *v)			\
{									\
	return __atomic_fetch_or(&v->counter, i, __NATIVE_MB);		\
}									\
static inline type pfx##_fetch_andnot(type i, pfx##_t *v)		\
{									\
	return __atomic_fetch_and(&v->counter, ~i, __NATIVE_MB);	\
}									\
static inline type pfx##_xchg(pfx##_t *v, type new)			\
{									\
	return __atomic_exchange_n(&v->counter, new, __NATIVE_MB);	\
}									\
static inline bool pfx##_try_cmpxchg(pfx##_t *v, type *old, type new)	\
{									\
	return __atomic_compare_exchange_n(&v->counter, old, new, false,\
					   __NATIVE_MB, __NATIVE_RLX);	\
}									\
static inline type pfx##_cmpxchg(pfx##_t *v, type old, type new)	\
{									\
	pfx##_try_cmpxchg(v, &old, new);				\
	return old;							\
}									\
static inline bool pfx##_add_unless(pfx##_t *v, type a, type u)	\
{									\
	type c = pfx##_read(v);						\
									\
	do {								\
		if (c == u)						\
			return false;					\
	} while (!pfx##_try_cmpxchg(v, &c, c + a));			\
	return true;							\
}									\
static inline bool pfx##_inc_not_zero(pfx##_t *v)			\
{									\
	return pfx##_add_unless(v, 1, 0);				\
}

__NATIVE_ATOMIC_OPS(atomic, int)
__NATIVE_ATOMIC_OPS(atomic64, s64)
__NATIVE_ATOMIC_OPS(atomic_long, long)

#define ATOMIC_INIT(i)		{ (i) }
#define ATOMIC64_INIT(i)	{ (i) }
#define ATOMIC_LONG_INIT(i)	{ (i) }

/* On plain scalars and pointers. */
#define xchg(ptr, new)	__atomic_exchange_n((ptr), (new), __NATIVE_MB)

#define try_cmpxchg(ptr, oldp, new)					\
	__atomic_compare_exchange_n((ptr), (oldp), (new), false,	\
				    __NATIVE_MB, __NATIVE_RLX)

#define cmpxchg(ptr, old, new) ({					\
	__typeof__(*(ptr)) __old = (old);				\
	__typeof__(*(ptr)) __new = (new);				\
	__atomic_compare_exchange_n((ptr), &__old, __new, false,	\
				    __NATIVE_MB, __NATIVE_RLX);		\
	__old;								\
})

#endif /* _NATIVE_LINUX_ATOMIC_H */
