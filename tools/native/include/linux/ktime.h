/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: ktime_get*() from CLOCK_MONOTONIC. */
#ifndef _NATIVE_LINUX_KTIME_H
#define _NATIVE_LINUX_KTIME_H

#include <time.h>
#include <linux/jiffies.h>
#include <linux/types.h>

typedef s64 ktime_t;

static inline u64 ktime_get_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#define ktime_get()		((ktime_t)ktime_get_ns())
#define ktime_sub(a, b)		((a) - (b))
#define ktime_to_ns(t)		((s64)(t))
#define ktime_to_us(t)		((s64)(t) / 1000)
#define ktime_to_ms(t)		((s64)(t) / 1000000)

#endif /* _NATIVE_LINUX_KTIME_H */
