/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: min(), max(), min_t() live in the shim's linux/kernel.h. */
#ifndef _NATIVE_LINUX_MINMAX_H
#define _NATIVE_LINUX_MINMAX_H

#include <linux/kernel.h>

#endif /* _NATIVE_LINUX_MINMAX_H */
