/* SPDX-License-Identifier: GPL-2.0 */
/* Native build: lockdep checks live with the locks, in linux/spinlock.h. */
#include <linux/spinlock.h>
