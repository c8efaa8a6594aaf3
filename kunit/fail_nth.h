/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fail-nth for rcumap's KUnit suites: fail the nth allocation (more
 * exactly, the nth fault-injection site) the current task passes, as
 * /proc/self/fail-nth does (Documentation/fault-injection/).  The
 * guest's init makes failslab and fail_page_alloc consider sleeping
 * allocations too.  Every site counts, not only rcumap's allocations: a
 * test that needs to know which allocation failed must tell by what the
 * map did, not by fail_nth_fired() alone.
 */
#ifndef _RCUMAP_KUNIT_FAIL_NTH_H
#define _RCUMAP_KUNIT_FAIL_NTH_H

#include <kunit/test.h>
#include <linux/sched.h>

/* Fail the @nth fault-injection site the current task passes from now. */
static inline void fail_nth_arm(unsigned int nth)
{
#ifdef CONFIG_FAULT_INJECTION
	current->fail_nth = nth;
#endif
}

/* Disarm; true if the armed failure was injected. */
static inline bool fail_nth_fired(void)
{
#ifdef CONFIG_FAULT_INJECTION
	bool fired = current->fail_nth == 0;

	current->fail_nth = 0;
	return fired;
#else
	return false;
#endif
}

/* The .init of every fault suite: they need fault injection. */
static inline int fail_nth_suite_init(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_FAULT_INJECTION))
		kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
	return 0;
}

#endif /* _RCUMAP_KUNIT_FAIL_NTH_H */
