/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: branch hints, barrier() and the ONCE accessors.
 *
 * READ_ONCE()/WRITE_ONCE() are relaxed atomic accesses: the same single
 * load or store the kernel emits, and visible as atomics to
 * ThreadSanitizer.
 */
#ifndef _NATIVE_LINUX_COMPILER_H
#define _NATIVE_LINUX_COMPILER_H

#include <linux/compiler_types.h>

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define barrier()		__asm__ __volatile__("" : : : "memory")

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

#endif /* _NATIVE_LINUX_COMPILER_H */
