/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: jiffies counted from CLOCK_MONOTONIC, HZ a second. */
#ifndef _NATIVE_LINUX_JIFFIES_H
#define _NATIVE_LINUX_JIFFIES_H

#include <linux/types.h>

#ifndef HZ
#define HZ			1000
#endif

unsigned long native_jiffies(void);
#define jiffies			native_jiffies()

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)
#define time_before_eq(a, b)	time_after_eq(b, a)

static inline unsigned long msecs_to_jiffies(unsigned int ms)
{
	return (unsigned long)ms * HZ / 1000;
}

static inline unsigned int jiffies_to_msecs(unsigned long j)
{
	return j * 1000 / HZ;
}

#endif /* _NATIVE_LINUX_JIFFIES_H */
