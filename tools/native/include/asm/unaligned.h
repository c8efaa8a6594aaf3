/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: unaligned loads and stores, through packed structs. */
#ifndef _NATIVE_ASM_UNALIGNED_H
#define _NATIVE_ASM_UNALIGNED_H

#define get_unaligned(ptr) ({						\
	const struct { __typeof__(*(ptr)) v; }				\
		__attribute__((__packed__)) *__pu = (const void *)(ptr);\
	__pu->v;							\
})

#define put_unaligned(val, ptr) do {					\
	struct { __typeof__(*(ptr)) v; }				\
		__attribute__((__packed__)) *__pu = (void *)(ptr);	\
	__pu->v = (val);						\
} while (0)

#endif /* _NATIVE_ASM_UNALIGNED_H */
