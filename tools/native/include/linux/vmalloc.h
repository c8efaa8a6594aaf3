/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: see linux/mm.h and linux/slab.h. */
#include <linux/mm.h>
