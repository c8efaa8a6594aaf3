/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: BIT(). */
#ifndef _NATIVE_LINUX_BITS_H
#define _NATIVE_LINUX_BITS_H

#define BIT(nr)		(1UL << (nr))

#endif /* _NATIVE_LINUX_BITS_H */
