/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: the part of KUnit that the suites of kunit/ use, so that
 * the same suites run in user space (kunit.c has the runner and main()).
 * It includes what the kernel's kunit/test.h brings in that they rely on.
 *
 * A case runs in the runner's thread; KUNIT_ASSERT_*() and kunit_skip()
 * leave it with longjmp(), after which the suite's .exit runs, as the
 * kernel's runner does when a case's kthread exits.  KUNIT_EXPECT_*() may
 * be called from any thread; KUNIT_ASSERT_*() only from the case's own.
 * Comparisons evaluate each side once, in the type it has, as KUnit does;
 * failures print both sides as integers (pointers for the _PTR_ ones).
 */
#ifndef _NATIVE_KUNIT_TEST_H
#define _NATIVE_KUNIT_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/types.h>

#define KUNIT_PARAM_DESC_SIZE	128

enum kunit_status {
	KUNIT_SUCCESS,
	KUNIT_FAILURE,
	KUNIT_SKIPPED,
};

/**
 * struct kunit - One run of one case (or of one parameter of a case).
 * @priv: For the suite's .init, the case and .exit to share.
 * @param_value: The parameter of a parameterised case, else NULL.
 * @name: The case's name.
 * @status: Failed or skipped; set by the runner and the macros below.
 * @status_comment: Why it was skipped.
 * @native: The runner's own state (allocations, where to jump).
 */
struct kunit {
	void *priv;
	const void *param_value;
	const char *name;
	enum kunit_status status;
	char status_comment[256];
	struct native_kunit_run *native;
};

/**
 * struct kunit_case - One case of a suite.
 * @run_case: The case.
 * @name: Its name.
 * @generate_params: For a parameterised case, the generator: given the
 *	previous parameter (NULL at first) it returns the next one (NULL
 *	when done) and writes its description to the buffer.
 * @slow: KUNIT_CASE_SLOW(): the runner says so and times it.
 */
struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	const void *(*generate_params)(const void *prev, char *desc);
	bool slow;
};

#define KUNIT_CASE(fn)			{ .run_case = fn, .name = #fn }
#define KUNIT_CASE_SLOW(fn)		{ .run_case = fn, .name = #fn, .slow = true }
#define KUNIT_CASE_PARAM(fn, gen)	\
	{ .run_case = fn, .name = #fn, .generate_params = gen }

/**
 * struct kunit_suite - A named list of cases with their set-up.
 * @name: Suite name.
 * @suite_init: Run once before the cases; non-zero fails them all.
 * @suite_exit: Run once after them.
 * @init: Run before each case (each parameter); non-zero fails it.
 * @exit: Run after each case, also one that failed an assertion.
 * @test_cases: The cases, ended by an empty one.
 */
struct kunit_suite {
	const char name[256];
	int (*suite_init)(struct kunit_suite *suite);
	void (*suite_exit)(struct kunit_suite *suite);
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
};

/* ---- Registration: kunit_test_suites() as a constructor ------------ */

void native_kunit_register(struct kunit_suite **suites);

#define __NK_CAT2(a, b)	a##b
#define __NK_CAT(a, b)	__NK_CAT2(a, b)
#define kunit_test_suites(...)						\
	static struct kunit_suite *__NK_CAT(__nk_suites_, __LINE__)[] =	\
		{ __VA_ARGS__, NULL };					\
	static void __attribute__((constructor))			\
	__NK_CAT(__nk_register_, __LINE__)(void)			\
	{								\
		native_kunit_register(__NK_CAT(__nk_suites_, __LINE__));\
	}
#define kunit_test_suite(suite)	kunit_test_suites(&(suite))

/* ---- Parameters ----------------------------------------------------- */

#define KUNIT_ARRAY_PARAM(name, array, get_desc)			\
static const void *name##_gen_params(const void *prev, char *desc)	\
{									\
	__typeof__((array)[0]) *__next = prev ?				\
		((__typeof__(__next))prev) + 1 : (array);		\
	void (*__get_desc)(__typeof__(__next), char *) = get_desc;	\
									\
	if (__next - (array) >= (long)ARRAY_SIZE(array))		\
		return NULL;						\
	if (__get_desc)							\
		__get_desc(__next, desc);				\
	return __next;							\
}

/* ---- Memory that dies with the case --------------------------------- */

void *kunit_kmalloc_array(struct kunit *test, size_t n, size_t size,
			  gfp_t gfp);
void kunit_kfree(struct kunit *test, const void *ptr);

static inline void *kunit_kmalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	return kunit_kmalloc_array(test, 1, size, gfp);
}

static inline void *kunit_kzalloc(struct kunit *test, size_t size, gfp_t gfp)
{
	return kunit_kmalloc(test, size, gfp | __GFP_ZERO);
}

static inline void *kunit_kcalloc(struct kunit *test, size_t n, size_t size,
				  gfp_t gfp)
{
	return kunit_kmalloc_array(test, n, size, gfp | __GFP_ZERO);
}

/* ---- Reporting ------------------------------------------------------ */

/* Print "file:line: what" as the failure of @test (thread-safe). */
void native_kunit_fail(struct kunit *test, const char *file, int line,
		       const char *what);
/* The same with both sides of a failed comparison. */
void native_kunit_fail_cmp(struct kunit *test, const char *file, int line,
			   const char *left, const char *op,
			   const char *right, long long lv, long long rv);
void native_kunit_fail_ptr(struct kunit *test, const char *file, int line,
			   const char *left, const char *op,
			   const char *right, const void *lv, const void *rv);
/* The optional message of a _MSG() macro, after the failure. */
void native_kunit_msg(struct kunit *test, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* End the case: after a failed assertion, or from kunit_skip(). */
void __attribute__((noreturn)) native_kunit_bail(struct kunit *test);
void native_kunit_info(struct kunit *test, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void native_kunit_mark_skipped(struct kunit *test, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define kunit_info(test, fmt, ...)	native_kunit_info(test, fmt, ##__VA_ARGS__)
#define kunit_warn(test, fmt, ...)	native_kunit_info(test, fmt, ##__VA_ARGS__)
#define kunit_err(test, fmt, ...)	native_kunit_info(test, fmt, ##__VA_ARGS__)

#define kunit_mark_skipped(test, fmt, ...)				\
	native_kunit_mark_skipped(test, fmt, ##__VA_ARGS__)
#define kunit_skip(test, fmt, ...) do {					\
	native_kunit_mark_skipped(test, fmt, ##__VA_ARGS__);		\
	native_kunit_bail(test);					\
} while (0)

/*
 * The bodies: @assert is 0 for EXPECT, 1 for ASSERT; the trailing
 * arguments are the _MSG() macros' format and arguments, glued to "" so
 * that the plain macros pass an empty format.
 */
#define __NK_END(test, assert, ...) do {				\
	native_kunit_msg(test, "" __VA_ARGS__);				\
	if (assert)							\
		native_kunit_bail(test);				\
} while (0)

#define __NK_TRUE(test, assert, cond, text, ...) do {			\
	if (!(cond)) {							\
		native_kunit_fail(test, __FILE__, __LINE__, text);	\
		__NK_END(test, assert, ##__VA_ARGS__);			\
	}								\
} while (0)

#define __NK_CMP(test, assert, left, op, right, ...) do {		\
	const __typeof__(left) __nk_l = (left);				\
	const __typeof__(right) __nk_r = (right);			\
									\
	if (!(__nk_l op __nk_r)) {					\
		native_kunit_fail_cmp(test, __FILE__, __LINE__, #left,	\
				      #op, #right, (long long)__nk_l,	\
				      (long long)__nk_r);		\
		__NK_END(test, assert, ##__VA_ARGS__);			\
	}								\
} while (0)

#define __NK_PTR(test, assert, left, op, right, ...) do {		\
	const void *__nk_l = (left);					\
	const void *__nk_r = (right);					\
									\
	if (!(__nk_l op __nk_r)) {					\
		native_kunit_fail_ptr(test, __FILE__, __LINE__, #left,	\
				      #op, #right, __nk_l, __nk_r);	\
		__NK_END(test, assert, ##__VA_ARGS__);			\
	}								\
} while (0)

#define __NK_NOT_ERR_OR_NULL(test, assert, ptr, ...) do {		\
	const void *__nk_p = (ptr);					\
									\
	if (IS_ERR_OR_NULL(__nk_p)) {					\
		native_kunit_fail_ptr(test, __FILE__, __LINE__, #ptr,	\
				      "is not an error or NULL, but is",\
				      "", __nk_p, NULL);		\
		__NK_END(test, assert, ##__VA_ARGS__);			\
	}								\
} while (0)

#define KUNIT_FAIL(test, fmt, ...) do {					\
	native_kunit_fail(test, __FILE__, __LINE__, "failed");		\
	native_kunit_msg(test, fmt, ##__VA_ARGS__);			\
} while (0)

#define KUNIT_EXPECT_TRUE(t, c)		__NK_TRUE(t, 0, c, "expected " #c " to be true")
#define KUNIT_EXPECT_FALSE(t, c)	__NK_TRUE(t, 0, !(c), "expected " #c " to be false")
#define KUNIT_ASSERT_TRUE(t, c)		__NK_TRUE(t, 1, c, "expected " #c " to be true")
#define KUNIT_ASSERT_FALSE(t, c)	__NK_TRUE(t, 1, !(c), "expected " #c " to be false")
#define KUNIT_EXPECT_TRUE_MSG(t, c, ...)	__NK_TRUE(t, 0, c, "expected " #c " to be true", __VA_ARGS__)
#define KUNIT_EXPECT_FALSE_MSG(t, c, ...)	__NK_TRUE(t, 0, !(c), "expected " #c " to be false", __VA_ARGS__)
#define KUNIT_ASSERT_TRUE_MSG(t, c, ...)	__NK_TRUE(t, 1, c, "expected " #c " to be true", __VA_ARGS__)
#define KUNIT_ASSERT_FALSE_MSG(t, c, ...)	__NK_TRUE(t, 1, !(c), "expected " #c " to be false", __VA_ARGS__)

#define KUNIT_EXPECT_EQ(t, l, r)	__NK_CMP(t, 0, l, ==, r)
#define KUNIT_EXPECT_NE(t, l, r)	__NK_CMP(t, 0, l, !=, r)
#define KUNIT_EXPECT_LT(t, l, r)	__NK_CMP(t, 0, l, <, r)
#define KUNIT_EXPECT_LE(t, l, r)	__NK_CMP(t, 0, l, <=, r)
#define KUNIT_EXPECT_GT(t, l, r)	__NK_CMP(t, 0, l, >, r)
#define KUNIT_EXPECT_GE(t, l, r)	__NK_CMP(t, 0, l, >=, r)
#define KUNIT_ASSERT_EQ(t, l, r)	__NK_CMP(t, 1, l, ==, r)
#define KUNIT_ASSERT_NE(t, l, r)	__NK_CMP(t, 1, l, !=, r)
#define KUNIT_ASSERT_LT(t, l, r)	__NK_CMP(t, 1, l, <, r)
#define KUNIT_ASSERT_LE(t, l, r)	__NK_CMP(t, 1, l, <=, r)
#define KUNIT_ASSERT_GT(t, l, r)	__NK_CMP(t, 1, l, >, r)
#define KUNIT_ASSERT_GE(t, l, r)	__NK_CMP(t, 1, l, >=, r)
#define KUNIT_EXPECT_EQ_MSG(t, l, r, ...)	__NK_CMP(t, 0, l, ==, r, __VA_ARGS__)
#define KUNIT_EXPECT_NE_MSG(t, l, r, ...)	__NK_CMP(t, 0, l, !=, r, __VA_ARGS__)
#define KUNIT_EXPECT_LT_MSG(t, l, r, ...)	__NK_CMP(t, 0, l, <, r, __VA_ARGS__)
#define KUNIT_EXPECT_LE_MSG(t, l, r, ...)	__NK_CMP(t, 0, l, <=, r, __VA_ARGS__)
#define KUNIT_EXPECT_GT_MSG(t, l, r, ...)	__NK_CMP(t, 0, l, >, r, __VA_ARGS__)
#define KUNIT_EXPECT_GE_MSG(t, l, r, ...)	__NK_CMP(t, 0, l, >=, r, __VA_ARGS__)
#define KUNIT_ASSERT_EQ_MSG(t, l, r, ...)	__NK_CMP(t, 1, l, ==, r, __VA_ARGS__)
#define KUNIT_ASSERT_NE_MSG(t, l, r, ...)	__NK_CMP(t, 1, l, !=, r, __VA_ARGS__)
#define KUNIT_ASSERT_LT_MSG(t, l, r, ...)	__NK_CMP(t, 1, l, <, r, __VA_ARGS__)
#define KUNIT_ASSERT_LE_MSG(t, l, r, ...)	__NK_CMP(t, 1, l, <=, r, __VA_ARGS__)
#define KUNIT_ASSERT_GT_MSG(t, l, r, ...)	__NK_CMP(t, 1, l, >, r, __VA_ARGS__)
#define KUNIT_ASSERT_GE_MSG(t, l, r, ...)	__NK_CMP(t, 1, l, >=, r, __VA_ARGS__)

#define KUNIT_EXPECT_PTR_EQ(t, l, r)	__NK_PTR(t, 0, l, ==, r)
#define KUNIT_EXPECT_PTR_NE(t, l, r)	__NK_PTR(t, 0, l, !=, r)
#define KUNIT_ASSERT_PTR_EQ(t, l, r)	__NK_PTR(t, 1, l, ==, r)
#define KUNIT_ASSERT_PTR_NE(t, l, r)	__NK_PTR(t, 1, l, !=, r)
#define KUNIT_EXPECT_NULL(t, p)		__NK_PTR(t, 0, p, ==, NULL)
#define KUNIT_EXPECT_NOT_NULL(t, p)	__NK_PTR(t, 0, p, !=, NULL)
#define KUNIT_ASSERT_NULL(t, p)		__NK_PTR(t, 1, p, ==, NULL)
#define KUNIT_ASSERT_NOT_NULL(t, p)	__NK_PTR(t, 1, p, !=, NULL)
#define KUNIT_EXPECT_NOT_ERR_OR_NULL(t, p)	__NK_NOT_ERR_OR_NULL(t, 0, p)
#define KUNIT_ASSERT_NOT_ERR_OR_NULL(t, p)	__NK_NOT_ERR_OR_NULL(t, 1, p)

#endif /* _NATIVE_KUNIT_TEST_H */
