/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: round_up() and friends live in linux/kernel.h. */
#include <linux/kernel.h>
