/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: per-CPU memory.  As in the kernel, CPU n's copy of every
 * per-CPU object sits at the same distance from CPU 0's copy: a per-CPU
 * pointer is CPU 0's copy, and per_cpu_ptr(p, n) adds n units.  shim.c
 * reserves num_possible_cpus() units of address space, hands out CPU 0's
 * objects from the first one and touches only what is used.
 *
 * The this_cpu ops act on the copy of the current task's CPU (see
 * linux/sched.h).  Several threads may share a CPU here, so they are
 * relaxed atomics where the kernel only disables preemption.
 * AddressSanitizer builds poison freed objects in every unit.
 */
#ifndef _NATIVE_LINUX_PERCPU_H
#define _NATIVE_LINUX_PERCPU_H

#include <linux/cache.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/sched.h>
#include <linux/types.h>

/* Bytes between two CPUs' copies of an object. */
#define NATIVE_PCPU_UNIT	(64UL << 20)
/* The largest object, as the kernel's PCPU_MIN_UNIT_SIZE. */
#define PCPU_MIN_UNIT_SIZE	(32UL << 10)

void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp);
void free_percpu(void __percpu *ptr);

#define __alloc_percpu(size, align)					\
	__alloc_percpu_gfp(size, align, GFP_KERNEL)
#define alloc_percpu_gfp(type, gfp)					\
	((type __percpu *)__alloc_percpu_gfp(sizeof(type),		\
					     __alignof__(type), gfp))
#define alloc_percpu(type)	alloc_percpu_gfp(type, GFP_KERNEL)

/*
 * Static per-CPU variables (DEFINE_PER_CPU()) are in their own section;
 * shim.c keeps the copies of that section, one per CPU, elsewhere.
 */
#define DEFINE_PER_CPU(type, name)					\
	__attribute__((__section__("native_percpu"))) __typeof__(type) name
#define DECLARE_PER_CPU(type, name)	extern __typeof__(type) name
extern char __start_native_percpu[] __attribute__((__weak__));
extern char __stop_native_percpu[] __attribute__((__weak__));
void *native_static_per_cpu_ptr(const void *ptr, unsigned int cpu);

static inline void *native_per_cpu_ptr(const void *ptr, unsigned int cpu)
{
	if (likely((unsigned long)ptr - (unsigned long)__start_native_percpu >=
		   (unsigned long)(__stop_native_percpu -
				   __start_native_percpu)))
		return (char *)ptr + (unsigned long)cpu * NATIVE_PCPU_UNIT;
	return native_static_per_cpu_ptr(ptr, cpu);
}

#define per_cpu_ptr(ptr, cpu)						\
	((__typeof__(ptr))native_per_cpu_ptr(ptr, cpu))
#define raw_cpu_ptr(ptr)	per_cpu_ptr(ptr, raw_smp_processor_id())
#define this_cpu_ptr(ptr)	raw_cpu_ptr(ptr)
#define get_cpu_ptr(ptr)	({ preempt_disable(); this_cpu_ptr(ptr); })
#define put_cpu_ptr(ptr)	preempt_enable()

#define this_cpu_read(pcp)						\
	__atomic_load_n(this_cpu_ptr(&(pcp)), __ATOMIC_RELAXED)
#define this_cpu_write(pcp, val)					\
	__atomic_store_n(this_cpu_ptr(&(pcp)), (val), __ATOMIC_RELAXED)
#define this_cpu_add(pcp, val)						\
	((void)__atomic_fetch_add(this_cpu_ptr(&(pcp)), (val),		\
				  __ATOMIC_RELAXED))
#define this_cpu_sub(pcp, val)	this_cpu_add(pcp, -(val))
#define this_cpu_inc(pcp)	this_cpu_add(pcp, 1)
#define this_cpu_dec(pcp)	this_cpu_sub(pcp, 1)
#define this_cpu_add_return(pcp, val)					\
	__atomic_add_fetch(this_cpu_ptr(&(pcp)), (val), __ATOMIC_RELAXED)
#define this_cpu_inc_return(pcp)	this_cpu_add_return(pcp, 1)
#define __this_cpu_read(pcp)	this_cpu_read(pcp)
#define __this_cpu_write(pcp, val)	this_cpu_write(pcp, val)
#define __this_cpu_add(pcp, val)	this_cpu_add(pcp, val)
#define __this_cpu_inc(pcp)	this_cpu_inc(pcp)

#endif /* _NATIVE_LINUX_PERCPU_H */
