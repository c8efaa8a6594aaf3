// SPDX-License-Identifier: GPL-2.0
/*
 * The native KUnit runner: main() of the programs that link one of the
 * suites of kunit/ (see include/kunit/test.h for the macros).  It runs
 * every registered suite and case in order, each parameter of a
 * parameterised case as a subtest, and prints KTAP as the kernel does.
 * Besides its own expectations, a case fails natively if it makes a
 * WARN_ON*() fire, and a suite fails if, once every grace period and
 * work has passed, it leaves map memory allocated (debug builds).
 *
 *   hash_kunit [-l] [name=value]... [suite[.case] glob]...
 *
 * "name=value" sets a module parameter (e.g. stress_ms=1000); the globs
 * (fnmatch(3)) pick cases by "suite.case"; -l lists the cases.
 *
 * Cases that cannot run in user space are listed in native_skips[] with
 * the reason; they are reported as skipped, never left out.
 */
#include <kunit/test.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>

#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "native.h"

/*
 * The cases that stay kernel-only, by "suite.case" glob, with the
 * reason.  Keep it short: a case belongs here only if what it checks
 * does not exist in user space.
 */
static const struct {
	const char *glob;
	const char *reason;
} native_skips[] = {
	{ NULL, NULL }
};

/* One run of a case: its allocations and where an assertion jumps to. */
struct native_kunit_run {
	jmp_buf bail;
	pthread_t thread;
	pthread_mutex_t lock;
	void **allocs;
	size_t nr_allocs, max_allocs;
};

#define MAX_SUITES	16

static struct kunit_suite *suites[MAX_SUITES];
static unsigned int nr_suites;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

void native_kunit_register(struct kunit_suite **list)
{
	for (; *list; list++) {
		if (nr_suites == MAX_SUITES)
			abort();
		suites[nr_suites++] = *list;
	}
}

/* ---- Memory that dies with the case --------------------------------- */

void *kunit_kmalloc_array(struct kunit *test, size_t n, size_t size,
			  gfp_t gfp)
{
	struct native_kunit_run *run = test->native;
	size_t bytes;
	void **grown;
	void *p;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	p = (gfp & __GFP_ZERO) ? calloc(1, bytes ?: 1) : malloc(bytes ?: 1);
	if (!p)
		return NULL;
	pthread_mutex_lock(&run->lock);
	if (run->nr_allocs == run->max_allocs) {
		run->max_allocs = run->max_allocs * 2 + 16;
		grown = realloc(run->allocs,
				run->max_allocs * sizeof(*run->allocs));
		if (!grown)
			abort();
		run->allocs = grown;
	}
	run->allocs[run->nr_allocs++] = p;
	pthread_mutex_unlock(&run->lock);
	return p;
}

void kunit_kfree(struct kunit *test, const void *ptr)
{
	struct native_kunit_run *run = test->native;
	size_t i;

	if (!ptr)
		return;
	pthread_mutex_lock(&run->lock);
	for (i = 0; i < run->nr_allocs; i++) {
		if (run->allocs[i] != ptr)
			continue;
		run->allocs[i] = run->allocs[--run->nr_allocs];
		free((void *)ptr);
		break;
	}
	pthread_mutex_unlock(&run->lock);
}

static void free_allocs(struct native_kunit_run *run)
{
	while (run->nr_allocs)
		free(run->allocs[--run->nr_allocs]);
	free(run->allocs);
	run->allocs = NULL;
	run->max_allocs = 0;
}

/* ---- Reporting ------------------------------------------------------ */

static void mark_failed(struct kunit *test)
{
	__atomic_store_n(&test->status, KUNIT_FAILURE, __ATOMIC_RELAXED);
}

void native_kunit_fail(struct kunit *test, const char *file, int line,
		       const char *what)
{
	mark_failed(test);
	pthread_mutex_lock(&print_lock);
	printf("    # %s: %s:%d: %s\n", test->name, file, line, what);
	pthread_mutex_unlock(&print_lock);
}

void native_kunit_fail_cmp(struct kunit *test, const char *file, int line,
			   const char *left, const char *op,
			   const char *right, long long lv, long long rv)
{
	mark_failed(test);
	pthread_mutex_lock(&print_lock);
	printf("    # %s: %s:%d: expected %s %s %s, but\n"
	       "    #   %s == %lld (%#llx)\n    #   %s == %lld (%#llx)\n",
	       test->name, file, line, left, op, right, left, lv, lv, right,
	       rv, rv);
	pthread_mutex_unlock(&print_lock);
}

void native_kunit_fail_ptr(struct kunit *test, const char *file, int line,
			   const char *left, const char *op,
			   const char *right, const void *lv, const void *rv)
{
	mark_failed(test);
	pthread_mutex_lock(&print_lock);
	printf("    # %s: %s:%d: expected %s %s %s, but\n"
	       "    #   %s == %p\n    #   %s == %p\n", test->name, file, line,
	       left, op, right, left, lv, right, rv);
	pthread_mutex_unlock(&print_lock);
}

static void vprint(struct kunit *test, const char *fmt, va_list args)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, args);
	buf[strcspn(buf, "\n")] = 0;
	pthread_mutex_lock(&print_lock);
	printf("    # %s: %s\n", test->name, buf);
	pthread_mutex_unlock(&print_lock);
}

void native_kunit_msg(struct kunit *test, const char *fmt, ...)
{
	va_list args;

	if (!*fmt)
		return;
	va_start(args, fmt);
	vprint(test, fmt, args);
	va_end(args);
}

void native_kunit_info(struct kunit *test, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vprint(test, fmt, args);
	va_end(args);
}

void native_kunit_mark_skipped(struct kunit *test, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(test->status_comment, sizeof(test->status_comment), fmt,
		  args);
	va_end(args);
	if (test->status != KUNIT_FAILURE)
		test->status = KUNIT_SKIPPED;
}

void native_kunit_bail(struct kunit *test)
{
	if (!pthread_equal(pthread_self(), test->native->thread)) {
		fprintf(stderr, "%s: KUNIT_ASSERT or kunit_skip outside the case's thread\n",
			test->name);
		abort();
	}
	longjmp(test->native->bail, 1);
}

/* ---- Running -------------------------------------------------------- */

static char **globs;
static int nr_globs;

static bool selected(const char *suite, const char *name)
{
	char full[512];
	int i;

	if (!nr_globs)
		return true;
	snprintf(full, sizeof(full), "%s.%s", suite, name);
	for (i = 0; i < nr_globs; i++)
		if (!fnmatch(globs[i], full, 0) || !fnmatch(globs[i], suite, 0))
			return true;
	return false;
}

static const char *skip_reason(const char *suite, const char *name)
{
	char full[512];
	size_t i;

	snprintf(full, sizeof(full), "%s.%s", suite, name);
	for (i = 0; native_skips[i].glob; i++)
		if (!fnmatch(native_skips[i].glob, full, 0))
			return native_skips[i].reason;
	return NULL;
}

/*
 * Run one case (or one parameter of it) with the suite's init and exit;
 * fill in @test's status.
 */
static void run_one(struct kunit_suite *suite, struct kunit_case *c,
		    struct kunit *test)
{
	struct native_kunit_run run = { .thread = pthread_self() };
	long warnings = native_warnings;
	bool inited = false;

	pthread_mutex_init(&run.lock, NULL);
	test->native = &run;
	if (!setjmp(run.bail)) {
		if (suite->init && suite->init(test)) {
			native_kunit_fail(test, __FILE__, __LINE__,
					  "the suite's init failed");
		} else {
			inited = true;
			c->run_case(test);
		}
	}
	if (inited && suite->exit && !setjmp(run.bail))
		suite->exit(test);
	current->fail_nth = 0;
	if (native_warnings != warnings)
		native_kunit_fail(test, __FILE__, __LINE__,
				  "a WARN_ON fired during the case");
	free_allocs(&run);
	pthread_mutex_destroy(&run.lock);
	test->native = NULL;
}

static const char *status_text(const struct kunit *test)
{
	return test->status == KUNIT_FAILURE ? "not ok" : "ok";
}

static void print_result(int indent, int nr, const char *name,
			 const struct kunit *test)
{
	printf("%*s%s %d %s", indent, "", status_text(test), nr, name);
	if (test->status == KUNIT_SKIPPED)
		printf(" # SKIP %s", test->status_comment);
	printf("\n");
	fflush(stdout);
}

struct totals {
	int pass, fail, skip;
};

static void count(struct totals *t, const struct kunit *test)
{
	if (test->status == KUNIT_FAILURE)
		t->fail++;
	else if (test->status == KUNIT_SKIPPED)
		t->skip++;
	else
		t->pass++;
}

/*
 * One case: a parameterised one as a subtest per parameter.  The totals
 * count each parameter, as the kernel's do.
 */
static void run_kunit_case(struct kunit_suite *suite, struct kunit_case *c, int nr,
		     struct totals *t)
{
	struct kunit test = { .name = c->name };
	const char *reason = skip_reason(suite->name, c->name);
	double start = now_seconds();
	char desc[KUNIT_PARAM_DESC_SIZE];
	const void *param;
	int n = 0;

	if (reason) {
		test.status = KUNIT_SKIPPED;
		snprintf(test.status_comment, sizeof(test.status_comment),
			 "native: %s", reason);
	} else if (!c->generate_params) {
		run_one(suite, c, &test);
	} else {
		printf("        KTAP version 1\n        # Subtest: %s\n",
		       c->name);
		memset(desc, 0, sizeof(desc));
		for (param = c->generate_params(NULL, desc); param;
		     param = c->generate_params(param, desc)) {
			struct kunit ptest = {
				.name = c->name, .param_value = param,
			};

			n++;
			run_one(suite, c, &ptest);
			if (!desc[0])
				snprintf(desc, sizeof(desc), "param-%d", n - 1);
			print_result(8, n, desc, &ptest);
			count(t, &ptest);
			if (ptest.status == KUNIT_FAILURE)
				test.status = KUNIT_FAILURE;
			memset(desc, 0, sizeof(desc));
		}
		printf("        1..%d\n", n);
	}
	if (c->slow || now_seconds() - start >= 1)
		printf("    # %s: %s%.1f s\n", c->name,
		       c->slow ? "slow, " : "", now_seconds() - start);
	print_result(4, nr, c->name, &test);
	if (!n)
		count(t, &test);
}

static bool run_suite(struct kunit_suite *suite, int nr, struct totals *all)
{
	struct totals t = { 0 };
	struct kunit_case *c;
	long live;
	int n = 0, cases = 0;
	bool failed;

	for (c = suite->test_cases; c->run_case; c++)
		cases += selected(suite->name, c->name);
	if (!cases)
		return true;
	printf("    KTAP version 1\n    # Subtest: %s\n    1..%d\n",
	       suite->name, cases);
	native_barrier();
	live = native_allocs_live();
	if (suite->suite_init && suite->suite_init(suite)) {
		printf("    # %s: suite_init failed\n", suite->name);
		t.fail = cases;
	} else {
		for (c = suite->test_cases; c->run_case; c++)
			if (selected(suite->name, c->name))
				run_kunit_case(suite, c, ++n, &t);
		if (suite->suite_exit)
			suite->suite_exit(suite);
	}
	native_barrier();
	failed = t.fail;
	if (native_allocs_live() != live) {
		printf("    # %s: %ld allocations leaked\n", suite->name,
		       native_allocs_live() - live);
		failed = true;
	}
	printf("# %s: pass:%d fail:%d skip:%d total:%d\n", suite->name,
	       t.pass, t.fail, t.skip, t.pass + t.fail + t.skip);
	printf("%s %d %s\n", failed ? "not ok" : "ok", nr, suite->name);
	fflush(stdout);
	all->pass += t.pass;
	all->fail += t.fail;
	all->skip += t.skip;
	return !failed;
}

int main(int argc, char **argv)
{
	struct totals all = { 0 };
	bool list = false, ok = true;
	unsigned int i;
	int nr = 0, arg;

	globs = calloc(argc, sizeof(*globs));
	for (arg = 1; arg < argc; arg++) {
		if (!strcmp(argv[arg], "-l")) {
			list = true;
		} else if (strchr(argv[arg], '=')) {
			if (native_param_set(argv[arg])) {
				fprintf(stderr, "%s: unknown parameter or bad value: %s\n",
					argv[0], argv[arg]);
				return 2;
			}
		} else {
			globs[nr_globs++] = argv[arg];
		}
	}
	if (list) {
		for (i = 0; i < nr_suites; i++) {
			struct kunit_case *c;

			for (c = suites[i]->test_cases; c->run_case; c++)
				if (selected(suites[i]->name, c->name))
					printf("%s.%s\n", suites[i]->name,
					       c->name);
		}
		return 0;
	}
	native_init();
	printf("KTAP version 1\n1..");
	for (i = 0; i < nr_suites; i++) {
		struct kunit_case *c;

		for (c = suites[i]->test_cases; c->run_case; c++)
			if (selected(suites[i]->name, c->name)) {
				nr++;
				break;
			}
	}
	printf("%d\n", nr);
	nr = 0;
	for (i = 0; i < nr_suites; i++) {
		struct kunit_case *c;

		for (c = suites[i]->test_cases; c->run_case; c++)
			if (selected(suites[i]->name, c->name))
				break;
		if (c->run_case)
			ok &= run_suite(suites[i], ++nr, &all);
	}
	native_exit();
	printf("# Totals: pass:%d fail:%d skip:%d total:%d\n", all.pass,
	       all.fail, all.skip, all.pass + all.fail + all.skip);
	free(globs);
	return ok && !all.fail ? 0 : 1;
}
