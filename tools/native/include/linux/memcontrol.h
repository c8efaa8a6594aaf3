/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: there are no memory cgroups; what the kernel does without
 * CONFIG_MEMCG.
 */
#ifndef _NATIVE_LINUX_MEMCONTROL_H
#define _NATIVE_LINUX_MEMCONTROL_H

struct mem_cgroup;
struct mm_struct;

static inline struct mem_cgroup *get_mem_cgroup_from_mm(struct mm_struct *mm)
{
	(void)mm;
	return NULL;
}

static inline void mem_cgroup_put(struct mem_cgroup *memcg)
{
	(void)memcg;
}

#endif /* _NATIVE_LINUX_MEMCONTROL_H */
