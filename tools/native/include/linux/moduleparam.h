/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: module_param() registers the variable, by name, with a
 * constructor; native_param_set() sets one from "name=value".  Integer
 * and bool parameters only.
 */
#ifndef _NATIVE_LINUX_MODULEPARAM_H
#define _NATIVE_LINUX_MODULEPARAM_H

#include <linux/types.h>

void native_param_register(const char *name, void *var, size_t size,
			   bool is_bool);
/* 0, or -EINVAL if "name=value" names no parameter or a bad value. */
int native_param_set(const char *arg);

#define module_param(name, type, perm)					\
	static void __attribute__((constructor))			\
	__native_param_##name(void)					\
	{								\
		native_param_register(#name, &(name), sizeof(name),	\
				      __builtin_types_compatible_p(	\
					__typeof__(name), bool));	\
	}
#define MODULE_PARM_DESC(name, desc)

#endif /* _NATIVE_LINUX_MODULEPARAM_H */
