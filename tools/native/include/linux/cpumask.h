/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: the possible CPUs are the configured ones. */
#ifndef _NATIVE_LINUX_CPUMASK_H
#define _NATIVE_LINUX_CPUMASK_H

unsigned int native_possible_cpus(void);
#define num_possible_cpus()	native_possible_cpus()

#endif /* _NATIVE_LINUX_CPUMASK_H */
