/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: the possible CPUs are the configured ones, all online,
 * numbered from 0.  A mask is only ever cpu_online_mask or
 * cpu_possible_mask, the same set.
 */
#ifndef _NATIVE_LINUX_CPUMASK_H
#define _NATIVE_LINUX_CPUMASK_H

unsigned int native_possible_cpus(void);
#define num_possible_cpus()	native_possible_cpus()
#define num_online_cpus()	native_possible_cpus()
#define nr_cpu_ids		native_possible_cpus()

struct cpumask;
#define cpu_online_mask		((const struct cpumask *)NULL)
#define cpu_possible_mask	((const struct cpumask *)NULL)
#define cpumask_nth(n, mask)	((unsigned int)(n))

#define cpu_online(cpu)		((unsigned int)(cpu) < native_possible_cpus())
#define cpu_possible(cpu)	cpu_online(cpu)

#define for_each_possible_cpu(cpu)					\
	for ((cpu) = 0; (cpu) < (int)native_possible_cpus(); (cpu)++)
#define for_each_online_cpu(cpu)	for_each_possible_cpu(cpu)

/* The CPU the current task runs on: see linux/sched.h. */
int native_processor_id(void);
#define raw_smp_processor_id()	native_processor_id()
#define smp_processor_id()	native_processor_id()

#endif /* _NATIVE_LINUX_CPUMASK_H */
