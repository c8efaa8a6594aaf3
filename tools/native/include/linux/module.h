/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: a module's metadata is dropped; its parameters are
 * registered at start-up so that the program (kunit.c) can set them from
 * its command line as "name=value".
 */
#ifndef _NATIVE_LINUX_MODULE_H
#define _NATIVE_LINUX_MODULE_H

#include <linux/export.h>
#include <linux/moduleparam.h>

#define MODULE_LICENSE(s)
#define MODULE_DESCRIPTION(s)
#define MODULE_AUTHOR(s)
#define MODULE_VERSION(s)
#define MODULE_IMPORT_NS(ns)

#endif /* _NATIVE_LINUX_MODULE_H */
