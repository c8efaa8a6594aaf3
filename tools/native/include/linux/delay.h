/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: sleeping for a while. */
#ifndef _NATIVE_LINUX_DELAY_H
#define _NATIVE_LINUX_DELAY_H

#include <unistd.h>
#include <linux/sched.h>

static inline void msleep(unsigned int ms)
{
	might_sleep();
	usleep(ms * 1000UL);
}

#define ssleep(s)		msleep((s) * 1000)
#define usleep_range(min, max)	usleep(min)
#define udelay(us)		usleep(us)
#define mdelay(ms)		usleep((ms) * 1000UL)

#endif /* _NATIVE_LINUX_DELAY_H */
