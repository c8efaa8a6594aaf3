/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small test harness for the native tests: EXPECT*() record a failure
 * and go on, ASSERT*() give up on the test case; run_case() prints one TAP
 * line per case; harness_done() prints the totals and returns the exit
 * status, failing also if any WARN_ON*() fired or memory was leaked.
 */
#ifndef _NATIVE_HARNESS_H
#define _NATIVE_HARNESS_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>

#include "native.h"

static int harness_failures, harness_cases, harness_cases_failed;
static jmp_buf harness_bail;

#define EXPECT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "  %s:%d: expected %s\n", __FILE__,	\
			__LINE__, #cond);				\
		harness_failures++;					\
	}								\
} while (0)

#define EXPECT_EQ(a, b) do {						\
	long long __a = (long long)(a), __b = (long long)(b);		\
	if (__a != __b) {						\
		fprintf(stderr, "  %s:%d: %s == %s: %lld != %lld\n",	\
			__FILE__, __LINE__, #a, #b, __a, __b);		\
		harness_failures++;					\
	}								\
} while (0)

#define ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "  %s:%d: assertion %s\n", __FILE__,	\
			__LINE__, #cond);				\
		harness_failures++;					\
		longjmp(harness_bail, 1);				\
	}								\
} while (0)

static inline void run_case(const char *name, void (*fn)(void))
{
	int before = harness_failures;
	long warn_before = native_warnings;

	if (!setjmp(harness_bail))
		fn();
	if (native_warnings != warn_before) {
		fprintf(stderr, "  %ld unexpected warning(s)\n",
			native_warnings - warn_before);
		harness_failures++;
	}
	harness_cases++;
	if (harness_failures != before)
		harness_cases_failed++;
	printf("%s %d - %s\n", harness_failures == before ? "ok" : "not ok",
	       harness_cases, name);
	fflush(stdout);
}

#define RUN(fn)	run_case(#fn, fn)

static inline int harness_done(const char *prog)
{
	printf("# %s: %d of %d cases passed\n", prog,
	       harness_cases - harness_cases_failed, harness_cases);
	return harness_cases_failed ? 1 : 0;
}

/* xorshift64*: a fast per-thread generator; @s must not start at 0. */
static inline u64 rnd_next(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static inline u64 rnd_below(u64 *s, u64 n)
{
	return (u64)(((unsigned __int128)rnd_next(s) * n) >> 64);
}

static inline double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A well-mixed 64-bit function of two words, for test payloads. */
static inline u64 mix64(u64 a, u64 b)
{
	u64 z = a * 0x9e3779b97f4a7c15ULL + b + 0x632be59bd9b4e019ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif /* _NATIVE_HARNESS_H */
