/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: BIT(), BIT_ULL(). */
#ifndef _NATIVE_LINUX_BITS_H
#define _NATIVE_LINUX_BITS_H

#define BIT(nr)		(1UL << (nr))
#define BIT_ULL(nr)	(1ULL << (nr))

#endif /* _NATIVE_LINUX_BITS_H */
