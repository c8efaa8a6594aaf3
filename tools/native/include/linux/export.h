/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: an export is just a redeclaration. */
#ifndef _NATIVE_LINUX_EXPORT_H
#define _NATIVE_LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)	extern __typeof__(sym) sym
#define EXPORT_SYMBOL_GPL(sym)	extern __typeof__(sym) sym
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	extern __typeof__(sym) sym

#endif /* _NATIVE_LINUX_EXPORT_H */
