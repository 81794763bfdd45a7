/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: the part of KUnit (include/kunit/test.h) that gomem's suites use,
 * for native programs.  Suites register from a constructor; the runner
 * (shim/kunit_main.c) prints KTAP like the kernel.  An ASSERT failure
 * leaves the case through longjmp(), as the kernel's leaves its kthread.
 *
 * Comparisons keep the kernel's semantics (each side evaluated once into a
 * variable of its own type, then compared with the usual conversions), so
 * the kernel's lack of -Wsign-compare is mirrored inside the macros only.
 */
#ifndef _SHIM_KUNIT_TEST_H
#define _SHIM_KUNIT_TEST_H

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/types.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#define KUNIT_PARAM_DESC_SIZE	128

struct kunit_alloc;

/**
 * struct kunit - one running test case
 * @priv: for the suite's init/exit and the case to share a fixture
 * @param_value: current parameter of a parameterised case, else NULL
 * @param_index: index of @param_value
 *
 * The remaining fields belong to the shim.
 */
struct kunit {
	void *priv;
	const void *param_value;
	int param_index;

	const char *name;
	int indent;
	bool failed;
	bool skipped;
	char status_comment[256];
	jmp_buf *abort;
	struct kunit_alloc *allocs;
};

/**
 * struct kunit_case - one test case
 * @run_case: the test function
 * @name: its name, printed in the KTAP output
 * @generate_params: for parameterised cases: returns the parameter after
 *                   @prev (NULL: the first), NULL when done; may write a
 *                   description of it to @desc
 */
struct kunit_case {
	void (*run_case)(struct kunit *test);
	const char *name;
	const void *(*generate_params)(const void *prev, char *desc);
};

/**
 * struct kunit_suite - a named set of cases
 * @name: suite name
 * @suite_init: runs once before the cases; non-zero fails every case
 * @suite_exit: runs once after the cases
 * @init: runs before each case; non-zero fails the case
 * @exit: runs after each case, even one that failed an assertion
 * @test_cases: array ending with an empty entry
 */
struct kunit_suite {
	const char name[256];
	int (*suite_init)(struct kunit_suite *suite);
	void (*suite_exit)(struct kunit_suite *suite);
	int (*init)(struct kunit *test);
	void (*exit)(struct kunit *test);
	struct kunit_case *test_cases;
};

#define KUNIT_CASE(test_name)						\
	{ .run_case = test_name, .name = #test_name }

#define KUNIT_CASE_PARAM(test_name, gen_params)				\
	{ .run_case = test_name, .name = #test_name,			\
	  .generate_params = gen_params }

#define KUNIT_ARRAY_PARAM(name, array, get_desc)			\
	static const void *name##_gen_params(const void *prev, char *desc) \
	{								\
		__typeof__((array)[0]) *__next =			\
			prev ? ((__typeof__(__next))prev) + 1 : (array); \
		void (*__get_desc)(__typeof__(__next), char *) = get_desc; \
		if ((size_t)(__next - (array)) < ARRAY_SIZE((array))) {	\
			if (__get_desc)					\
				__get_desc(__next, desc);		\
			return __next;					\
		}							\
		return NULL;						\
	}								\
	extern int __kunit_shim_decl

#define KUNIT_ARRAY_PARAM_DESC(name, array, desc_member)		\
	static const void *name##_gen_params(const void *prev, char *desc) \
	{								\
		__typeof__((array)[0]) *__next =			\
			prev ? ((__typeof__(__next))prev) + 1 : (array); \
		if ((size_t)(__next - (array)) < ARRAY_SIZE((array))) {	\
			snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s",	\
				 __next->desc_member);			\
			return __next;					\
		}							\
		return NULL;						\
	}								\
	extern int __kunit_shim_decl

void __kunit_register_suites(struct kunit_suite **suites, size_t nr);

#define __kunit_test_suites(id, ...)					\
	static struct kunit_suite *id##_array[] = { __VA_ARGS__ };	\
	static void __attribute__((__constructor__)) id##_register(void) \
	{								\
		__kunit_register_suites(id##_array, ARRAY_SIZE(id##_array)); \
	}								\
	extern int __kunit_shim_decl

/* One more expansion, so that __COUNTER__ is a number before pasting. */
#define ___kunit_test_suites(id, ...)	__kunit_test_suites(id, __VA_ARGS__)
#define kunit_test_suites(...)						\
	___kunit_test_suites(__PASTE(__kunit_suites_, __COUNTER__), __VA_ARGS__)
#define kunit_test_suite(suite)	kunit_test_suites(&suite)

/* Memory freed when the case ends, whatever way it ends. */
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

__printf(2, 3) void kunit_log_line(struct kunit *test, const char *fmt, ...);

#define kunit_info(test, fmt, ...)	kunit_log_line(test, fmt, ##__VA_ARGS__)
#define kunit_warn(test, fmt, ...)	kunit_log_line(test, fmt, ##__VA_ARGS__)
#define kunit_err(test, fmt, ...)	kunit_log_line(test, fmt, ##__VA_ARGS__)

__printf(2, 3) void kunit_mark_skipped(struct kunit *test,
				       const char *fmt, ...);
__attribute__((__noreturn__)) void __kunit_abort(struct kunit *test);

#define kunit_skip(test, fmt, ...)					\
	do {								\
		kunit_mark_skipped(test, fmt, ##__VA_ARGS__);		\
		__kunit_abort(test);					\
	} while (0)

/*
 * Failure reporting.  @fmt may be NULL (no message); the _MSG macros
 * type-check their format through __kunit_check_fmt().
 */
void __kunit_fail(struct kunit *test, const char *file, int line,
		  bool assert, const char *what, const char *fmt, ...);
void __kunit_fail_int(struct kunit *test, const char *file, int line,
		      bool assert, const char *left, const char *op,
		      const char *right, long long lv, long long rv,
		      const char *fmt, ...);
void __kunit_fail_ptr(struct kunit *test, const char *file, int line,
		      bool assert, const char *left, const char *op,
		      const char *right, const void *lv, const void *rv,
		      const char *fmt, ...);
void __kunit_fail_str(struct kunit *test, const char *file, int line,
		      bool assert, const char *left, const char *op,
		      const char *right, const char *lv, const char *rv,
		      const char *fmt, ...);

static inline __printf(1, 2) void __kunit_check_fmt(const char *fmt, ...)
{
}

#define __KUNIT_NO_SIGN_COMPARE(expr)					\
	({								\
		bool __kunit_ok;					\
		_Pragma("GCC diagnostic push")				\
		_Pragma("GCC diagnostic ignored \"-Wsign-compare\"")	\
		__kunit_ok = (expr);					\
		_Pragma("GCC diagnostic pop")				\
		__kunit_ok;						\
	})

#define __KUNIT_INT(test, assert, left, op, right, fmt, ...)		\
	do {								\
		const __typeof__(left) __left = (left);			\
		const __typeof__(right) __right = (right);		\
		if (!__KUNIT_NO_SIGN_COMPARE(__left op __right))	\
			__kunit_fail_int(test, __FILE__, __LINE__, assert, \
					 #left, #op, #right,		\
					 (long long)__left,		\
					 (long long)__right,		\
					 fmt, ##__VA_ARGS__);		\
	} while (0)

#define __KUNIT_PTR(test, assert, left, op, right, fmt, ...)		\
	do {								\
		const void *__left = (left);				\
		const void *__right = (right);				\
		if (!(__left op __right))				\
			__kunit_fail_ptr(test, __FILE__, __LINE__, assert, \
					 #left, #op, #right, __left,	\
					 __right, fmt, ##__VA_ARGS__);	\
	} while (0)

#define __KUNIT_STR(test, assert, left, op, right, fmt, ...)		\
	do {								\
		const char *__left = (left);				\
		const char *__right = (right);				\
		if (!(strcmp(__left, __right) op 0))			\
			__kunit_fail_str(test, __FILE__, __LINE__, assert, \
					 #left, #op, #right, __left,	\
					 __right, fmt, ##__VA_ARGS__);	\
	} while (0)

#define __KUNIT_BOOL(test, assert, cond, want, fmt, ...)		\
	do {								\
		if ((bool)(cond) != (bool)(want))			\
			__kunit_fail(test, __FILE__, __LINE__, assert,	\
				     (want) ? "expected " #cond " to be true, but is false" \
					    : "expected " #cond " to be false, but is true", \
				     fmt, ##__VA_ARGS__);		\
	} while (0)

#define KUNIT_SUCCEED(test)	do { (void)(test); } while (0)

#define KUNIT_FAIL(test, fmt, ...)					\
	do {								\
		__kunit_check_fmt(fmt, ##__VA_ARGS__);			\
		__kunit_fail(test, __FILE__, __LINE__, false, NULL,	\
			     fmt, ##__VA_ARGS__);			\
	} while (0)

#define KUNIT_ASSERT_FAILURE(test, fmt, ...)				\
	do {								\
		__kunit_check_fmt(fmt, ##__VA_ARGS__);			\
		__kunit_fail(test, __FILE__, __LINE__, true, NULL,	\
			     fmt, ##__VA_ARGS__);			\
	} while (0)

/* Expectations and assertions, with and without a message. */
#define __KUNIT_MSG(kind, test, assert, a, b, c, fmt, ...)		\
	do {								\
		__kunit_check_fmt(fmt, ##__VA_ARGS__);			\
		kind(test, assert, a, b, c, fmt, ##__VA_ARGS__);	\
	} while (0)

#define KUNIT_EXPECT_EQ(t, l, r)	__KUNIT_INT(t, false, l, ==, r, NULL)
#define KUNIT_EXPECT_NE(t, l, r)	__KUNIT_INT(t, false, l, !=, r, NULL)
#define KUNIT_EXPECT_LT(t, l, r)	__KUNIT_INT(t, false, l, <, r, NULL)
#define KUNIT_EXPECT_LE(t, l, r)	__KUNIT_INT(t, false, l, <=, r, NULL)
#define KUNIT_EXPECT_GT(t, l, r)	__KUNIT_INT(t, false, l, >, r, NULL)
#define KUNIT_EXPECT_GE(t, l, r)	__KUNIT_INT(t, false, l, >=, r, NULL)
#define KUNIT_ASSERT_EQ(t, l, r)	__KUNIT_INT(t, true, l, ==, r, NULL)
#define KUNIT_ASSERT_NE(t, l, r)	__KUNIT_INT(t, true, l, !=, r, NULL)
#define KUNIT_ASSERT_LT(t, l, r)	__KUNIT_INT(t, true, l, <, r, NULL)
#define KUNIT_ASSERT_LE(t, l, r)	__KUNIT_INT(t, true, l, <=, r, NULL)
#define KUNIT_ASSERT_GT(t, l, r)	__KUNIT_INT(t, true, l, >, r, NULL)
#define KUNIT_ASSERT_GE(t, l, r)	__KUNIT_INT(t, true, l, >=, r, NULL)

#define KUNIT_EXPECT_EQ_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_INT, t, false, l, ==, r, __VA_ARGS__)
#define KUNIT_EXPECT_NE_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_INT, t, false, l, !=, r, __VA_ARGS__)
#define KUNIT_EXPECT_LT_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_INT, t, false, l, <, r, __VA_ARGS__)
#define KUNIT_EXPECT_LE_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_INT, t, false, l, <=, r, __VA_ARGS__)
#define KUNIT_EXPECT_GT_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_INT, t, false, l, >, r, __VA_ARGS__)
#define KUNIT_EXPECT_GE_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_INT, t, false, l, >=, r, __VA_ARGS__)
#define KUNIT_ASSERT_EQ_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_INT, t, true, l, ==, r, __VA_ARGS__)
#define KUNIT_ASSERT_NE_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_INT, t, true, l, !=, r, __VA_ARGS__)
#define KUNIT_ASSERT_LT_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_INT, t, true, l, <, r, __VA_ARGS__)
#define KUNIT_ASSERT_LE_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_INT, t, true, l, <=, r, __VA_ARGS__)
#define KUNIT_ASSERT_GT_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_INT, t, true, l, >, r, __VA_ARGS__)
#define KUNIT_ASSERT_GE_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_INT, t, true, l, >=, r, __VA_ARGS__)

#define KUNIT_EXPECT_PTR_EQ(t, l, r)	__KUNIT_PTR(t, false, l, ==, r, NULL)
#define KUNIT_EXPECT_PTR_NE(t, l, r)	__KUNIT_PTR(t, false, l, !=, r, NULL)
#define KUNIT_ASSERT_PTR_EQ(t, l, r)	__KUNIT_PTR(t, true, l, ==, r, NULL)
#define KUNIT_ASSERT_PTR_NE(t, l, r)	__KUNIT_PTR(t, true, l, !=, r, NULL)
#define KUNIT_EXPECT_PTR_EQ_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_PTR, t, false, l, ==, r, __VA_ARGS__)
#define KUNIT_EXPECT_PTR_NE_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_PTR, t, false, l, !=, r, __VA_ARGS__)
#define KUNIT_ASSERT_PTR_EQ_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_PTR, t, true, l, ==, r, __VA_ARGS__)
#define KUNIT_ASSERT_PTR_NE_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_PTR, t, true, l, !=, r, __VA_ARGS__)

#define KUNIT_EXPECT_NULL(t, p)		__KUNIT_PTR(t, false, p, ==, NULL, NULL)
#define KUNIT_EXPECT_NOT_NULL(t, p)	__KUNIT_PTR(t, false, p, !=, NULL, NULL)
#define KUNIT_ASSERT_NULL(t, p)		__KUNIT_PTR(t, true, p, ==, NULL, NULL)
#define KUNIT_ASSERT_NOT_NULL(t, p)	__KUNIT_PTR(t, true, p, !=, NULL, NULL)
#define KUNIT_EXPECT_NULL_MSG(t, p, ...) __KUNIT_MSG(__KUNIT_PTR, t, false, p, ==, NULL, __VA_ARGS__)
#define KUNIT_EXPECT_NOT_NULL_MSG(t, p, ...) __KUNIT_MSG(__KUNIT_PTR, t, false, p, !=, NULL, __VA_ARGS__)
#define KUNIT_ASSERT_NULL_MSG(t, p, ...) __KUNIT_MSG(__KUNIT_PTR, t, true, p, ==, NULL, __VA_ARGS__)
#define KUNIT_ASSERT_NOT_NULL_MSG(t, p, ...) __KUNIT_MSG(__KUNIT_PTR, t, true, p, !=, NULL, __VA_ARGS__)

#define KUNIT_EXPECT_STREQ(t, l, r)	__KUNIT_STR(t, false, l, ==, r, NULL)
#define KUNIT_EXPECT_STRNEQ(t, l, r)	__KUNIT_STR(t, false, l, !=, r, NULL)
#define KUNIT_ASSERT_STREQ(t, l, r)	__KUNIT_STR(t, true, l, ==, r, NULL)
#define KUNIT_ASSERT_STRNEQ(t, l, r)	__KUNIT_STR(t, true, l, !=, r, NULL)
#define KUNIT_EXPECT_STREQ_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_STR, t, false, l, ==, r, __VA_ARGS__)
#define KUNIT_EXPECT_STRNEQ_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_STR, t, false, l, !=, r, __VA_ARGS__)
#define KUNIT_ASSERT_STREQ_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_STR, t, true, l, ==, r, __VA_ARGS__)
#define KUNIT_ASSERT_STRNEQ_MSG(t, l, r, ...) __KUNIT_MSG(__KUNIT_STR, t, true, l, !=, r, __VA_ARGS__)

#define KUNIT_EXPECT_TRUE(t, c)		__KUNIT_BOOL(t, false, c, true, NULL)
#define KUNIT_EXPECT_FALSE(t, c)	__KUNIT_BOOL(t, false, c, false, NULL)
#define KUNIT_ASSERT_TRUE(t, c)		__KUNIT_BOOL(t, true, c, true, NULL)
#define KUNIT_ASSERT_FALSE(t, c)	__KUNIT_BOOL(t, true, c, false, NULL)
#define KUNIT_EXPECT_TRUE_MSG(t, c, fmt, ...)				\
	do {								\
		__kunit_check_fmt(fmt, ##__VA_ARGS__);			\
		__KUNIT_BOOL(t, false, c, true, fmt, ##__VA_ARGS__);	\
	} while (0)
#define KUNIT_EXPECT_FALSE_MSG(t, c, fmt, ...)				\
	do {								\
		__kunit_check_fmt(fmt, ##__VA_ARGS__);			\
		__KUNIT_BOOL(t, false, c, false, fmt, ##__VA_ARGS__);	\
	} while (0)
#define KUNIT_ASSERT_TRUE_MSG(t, c, fmt, ...)				\
	do {								\
		__kunit_check_fmt(fmt, ##__VA_ARGS__);			\
		__KUNIT_BOOL(t, true, c, true, fmt, ##__VA_ARGS__);	\
	} while (0)
#define KUNIT_ASSERT_FALSE_MSG(t, c, fmt, ...)				\
	do {								\
		__kunit_check_fmt(fmt, ##__VA_ARGS__);			\
		__KUNIT_BOOL(t, true, c, false, fmt, ##__VA_ARGS__);	\
	} while (0)

#endif /* _SHIM_KUNIT_TEST_H */
