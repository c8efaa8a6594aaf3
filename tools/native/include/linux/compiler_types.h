/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: attributes and sparse annotations (these are empty).
 * Included into every file by the Makefile, as the kernel's build does
 * with its own compiler_types.h.
 */
#ifndef _NATIVE_LINUX_COMPILER_TYPES_H
#define _NATIVE_LINUX_COMPILER_TYPES_H

#ifndef __rcu
#define __rcu
#endif
#define __user
#define __force
#define __iomem
#define __percpu
#define __must_check		__attribute__((__warn_unused_result__))
#ifndef __always_inline		/* glibc has the same */
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define noinline		__attribute__((__noinline__))
#define __maybe_unused		__attribute__((__unused__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __packed		__attribute__((__packed__))
#define fallthrough		__attribute__((__fallthrough__))
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))

#endif /* _NATIVE_LINUX_COMPILER_TYPES_H */
