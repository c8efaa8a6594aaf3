/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: random numbers from getrandom(2). */
#ifndef _NATIVE_LINUX_RANDOM_H
#define _NATIVE_LINUX_RANDOM_H

#include <linux/types.h>

u32 get_random_u32(void);
u64 get_random_u64(void);

#endif /* _NATIVE_LINUX_RANDOM_H */
