/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: IS_ENABLED(CONFIG_FOO) is 1 if CONFIG_FOO is defined to 1,
 * else 0, usable in #if and in C alike.  Included into every file by the
 * Makefile, as the kernel's build does with its own kconfig.h.
 */
#ifndef _NATIVE_LINUX_KCONFIG_H
#define _NATIVE_LINUX_KCONFIG_H

#define __native_second_arg(ignored, val, ...)	val
#define __native_enabled_1			0,
#define __native_is_enabled3(junk_or_empty)	\
	__native_second_arg(junk_or_empty 1, 0, 0)
#define __native_is_enabled2(val)	__native_is_enabled3(__native_enabled_##val)
#define IS_ENABLED(option)		__native_is_enabled2(option)
#define IS_BUILTIN(option)		IS_ENABLED(option)

#endif /* _NATIVE_LINUX_KCONFIG_H */
