/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: pages.  Nothing is ever vmalloc()ed: see linux/slab.h. */
#ifndef _NATIVE_LINUX_MM_H
#define _NATIVE_LINUX_MM_H

#include <stdbool.h>
#include <linux/kernel.h>
#include <linux/slab.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_ALIGN(x)		ALIGN(x, PAGE_SIZE)

static inline bool is_vmalloc_addr(const void *ptr)
{
	(void)ptr;
	return false;
}

#endif /* _NATIVE_LINUX_MM_H */
