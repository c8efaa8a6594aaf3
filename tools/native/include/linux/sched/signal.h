/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: no task is ever killed in the middle of a kernel call, so
 * a resize always runs to its end.
 */
#ifndef _NATIVE_LINUX_SCHED_SIGNAL_H
#define _NATIVE_LINUX_SCHED_SIGNAL_H

#include <linux/sched.h>

/* There is no "current" here: the argument is never evaluated. */
#define fatal_signal_pending(task)	false

#endif /* _NATIVE_LINUX_SCHED_SIGNAL_H */
