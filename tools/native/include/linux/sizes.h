/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: the SZ_* constants rcumap uses. */
#ifndef _NATIVE_LINUX_SIZES_H
#define _NATIVE_LINUX_SIZES_H

#define SZ_1K		0x00000400
#define SZ_4K		0x00001000
#define SZ_32K		0x00008000
#define SZ_64K		0x00010000
#define SZ_128K		0x00020000
#define SZ_256K		0x00040000
#define SZ_512K		0x00080000
#define SZ_1M		0x00100000
#define SZ_4M		0x00400000
#define SZ_16M		0x01000000
#define SZ_128M		0x08000000
#define SZ_1G		0x40000000

#endif /* _NATIVE_LINUX_SIZES_H */
