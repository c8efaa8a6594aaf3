/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Native build: branch hints, barrier() and the ONCE accessors.
 *
 * READ_ONCE()/WRITE_ONCE() are relaxed atomic accesses: the same single
 * load or store the kernel emits, and visible as atomics to
 * ThreadSanitizer.
 */
#ifndef _NATIVE_LINUX_COMPILER_H
#define _NATIVE_LINUX_COMPILER_H

#include <linux/compiler_types.h>

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define barrier()		__asm__ __volatile__("" : : : "memory")

#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

/*
 * data_race(expr): a deliberately racy access, which KCSAN ignores in
 * the kernel and ThreadSanitizer here.  @expr must have a value.
 */
/* NATIVE_TSAN: a ThreadSanitizer build (gcc or clang). */
#if defined(__SANITIZE_THREAD__)
#define NATIVE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NATIVE_TSAN 1
#endif
#endif

#ifdef NATIVE_TSAN
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
#define data_race(expr) ({						\
	__typeof__(expr) __v;						\
	AnnotateIgnoreReadsBegin(__FILE__, __LINE__);			\
	AnnotateIgnoreWritesBegin(__FILE__, __LINE__);			\
	__v = (expr);							\
	AnnotateIgnoreWritesEnd(__FILE__, __LINE__);			\
	AnnotateIgnoreReadsEnd(__FILE__, __LINE__);			\
	__v;								\
})
#else
#define data_race(expr)		(expr)
#endif

#endif /* _NATIVE_LINUX_COMPILER_H */
