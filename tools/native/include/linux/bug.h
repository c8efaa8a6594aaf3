/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: BUG and WARN.  A warning prints where it fired and counts
 * in native_warnings, which the tests require to stay 0; BUG aborts.
 */
#ifndef _NATIVE_LINUX_BUG_H
#define _NATIVE_LINUX_BUG_H

#include <stdbool.h>
#include <linux/compiler.h>

#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")

void native_warn(const char *file, int line, const char *cond);
void __attribute__((__noreturn__))
native_bug(const char *file, int line, const char *cond);

#define WARN_ON(cond) ({						\
	int __ret_warn = !!(cond);					\
	if (unlikely(__ret_warn))					\
		native_warn(__FILE__, __LINE__, #cond);			\
	__ret_warn;							\
})

#define WARN_ON_ONCE(cond) ({						\
	static bool __warned;						\
	int __ret_warn_once = !!(cond);					\
	if (unlikely(__ret_warn_once) &&				\
	    !__atomic_exchange_n(&__warned, true, __ATOMIC_RELAXED))	\
		native_warn(__FILE__, __LINE__, #cond);			\
	__ret_warn_once;						\
})

#define BUG_ON(cond) do {						\
	if (unlikely(cond))						\
		native_bug(__FILE__, __LINE__, #cond);			\
} while (0)

#endif /* _NATIVE_LINUX_BUG_H */
