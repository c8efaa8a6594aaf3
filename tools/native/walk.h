/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The native hash tests' positional walk: rcumap_hash_walk(), going on
 * past the runs of empty buckets that end a step with -EAGAIN.
 * (kunit/hash_kunit.c's hash_walk_pauses_in_empty_runs checks the
 * -EAGAIN steps themselves.)
 */
#ifndef _NATIVE_WALK_H
#define _NATIVE_WALK_H

#include <errno.h>
#include <linux/rcumap_hash.h>

static inline int walk_next(const struct rcumap_hash *h, u64 *pos, void *key,
			    void *value)
{
	int err;

	do {
		err = rcumap_hash_walk(h, pos, key, value);
	} while (err == -EAGAIN);
	return err;
}

#endif /* _NATIVE_WALK_H */
