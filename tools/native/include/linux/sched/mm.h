/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: remote memcg charging, a no-op without memory cgroups. */
#ifndef _NATIVE_LINUX_SCHED_MM_H
#define _NATIVE_LINUX_SCHED_MM_H

#include <linux/memcontrol.h>

static inline struct mem_cgroup *set_active_memcg(struct mem_cgroup *memcg)
{
	(void)memcg;
	return NULL;
}

#endif /* _NATIVE_LINUX_SCHED_MM_H */
