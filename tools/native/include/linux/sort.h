/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: sort() is qsort(); the swap function must be NULL. */
#ifndef _NATIVE_LINUX_SORT_H
#define _NATIVE_LINUX_SORT_H

#include <stdlib.h>
#include <linux/bug.h>

static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *),
			void (*swap)(void *, void *, int))
{
	BUG_ON(swap);
	qsort(base, num, size, cmp);
}

#endif /* _NATIVE_LINUX_SORT_H */
