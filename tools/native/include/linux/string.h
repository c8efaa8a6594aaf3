/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: the C library's string functions. */
#ifndef _NATIVE_LINUX_STRING_H
#define _NATIVE_LINUX_STRING_H

#include <string.h>

#endif /* _NATIVE_LINUX_STRING_H */
