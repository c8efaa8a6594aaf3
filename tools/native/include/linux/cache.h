/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: x86-64 cache geometry. */
#ifndef _NATIVE_LINUX_CACHE_H
#define _NATIVE_LINUX_CACHE_H

#define L1_CACHE_SHIFT			6
#define L1_CACHE_BYTES			(1 << L1_CACHE_SHIFT)
#define SMP_CACHE_BYTES			L1_CACHE_BYTES
#define ____cacheline_aligned		__attribute__((__aligned__(SMP_CACHE_BYTES)))
#define ____cacheline_aligned_in_smp	____cacheline_aligned

#endif /* _NATIVE_LINUX_CACHE_H */
