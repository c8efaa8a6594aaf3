/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: allocation flags.  Only their meaning matters here: may the
 * allocation sleep (checked by might_alloc() in debug builds), and must
 * the memory be zeroed.
 */
#ifndef _NATIVE_LINUX_GFP_H
#define _NATIVE_LINUX_GFP_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/sched.h>

#define __GFP_DIRECT_RECLAIM	0x001U
#define __GFP_KSWAPD_RECLAIM	0x002U
#define __GFP_IO		0x004U
#define __GFP_FS		0x008U
#define __GFP_ZERO		0x010U
#define __GFP_NOWARN		0x020U
#define __GFP_ACCOUNT		0x040U
#define __GFP_NORETRY		0x080U
#define __GFP_HIGH		0x100U
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)

#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return gfp & __GFP_DIRECT_RECLAIM;
}

#define might_alloc(gfp) do {						\
	if (gfpflags_allow_blocking(gfp))				\
		might_sleep();						\
} while (0)

#endif /* _NATIVE_LINUX_GFP_H */
