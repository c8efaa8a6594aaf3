/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: powers of two.  Arguments must be non-zero, as in the kernel. */
#ifndef _NATIVE_LINUX_LOG2_H
#define _NATIVE_LINUX_LOG2_H

#include <stdbool.h>

#define ilog2(n)	((int)(63 - __builtin_clzll((unsigned long long)(n))))
#define roundup_pow_of_two(n) \
	((n) <= 1 ? 1UL : 1UL << (64 - __builtin_clzll((unsigned long long)(n) - 1)))
#define rounddown_pow_of_two(n)	(1UL << ilog2(n))

static inline bool is_power_of_2(unsigned long n)
{
	return n && !(n & (n - 1));
}

#endif /* _NATIVE_LINUX_LOG2_H */
