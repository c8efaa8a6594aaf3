/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: linux/prefetch.h, as the compiler's prefetch for reading. */
#ifndef _NATIVE_LINUX_PREFETCH_H
#define _NATIVE_LINUX_PREFETCH_H

#define prefetch(x)	__builtin_prefetch(x)

#endif /* _NATIVE_LINUX_PREFETCH_H */
