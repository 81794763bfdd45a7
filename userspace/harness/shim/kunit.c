// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit shim: suite registry, case runner and KTAP output, following
 * lib/kunit/test.c.  Besides its own expectations, a case fails when it
 * triggers a shim problem (a WARN, say) or ends with more slab objects
 * live than it started with.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kunit/test.h>

#include "kunit.h"
#include "shim.h"

#define KUNIT_SHIM_MAX_SUITES	64

static struct kunit_suite *suites[KUNIT_SHIM_MAX_SUITES];
static size_t nr_suites;

void __kunit_register_suites(struct kunit_suite **s, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		if (nr_suites == KUNIT_SHIM_MAX_SUITES) {
			shim_problem("too many KUnit suites (%s)", s[i]->name);
			return;
		}
		suites[nr_suites++] = s[i];
	}
}

/* Allocations of kunit_kmalloc() and friends, freed after the case. */
struct kunit_alloc {
	struct kunit_alloc *next;
	max_align_t data[];
};

void *kunit_kmalloc_array(struct kunit *test, size_t n, size_t size,
			  gfp_t gfp)
{
	struct kunit_alloc *a;
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes) ||
	    bytes > SIZE_MAX - sizeof(*a))
		return NULL;
	a = malloc(sizeof(*a) + bytes);
	if (!a)
		return NULL;
	if (gfp & __GFP_ZERO)
		memset(a->data, 0, bytes);
	a->next = test->allocs;
	test->allocs = a;
	return a->data;
}

void kunit_kfree(struct kunit *test, const void *ptr)
{
	struct kunit_alloc **p, *a;

	if (!ptr)
		return;
	for (p = &test->allocs; (a = *p); p = &a->next) {
		if ((const void *)a->data == ptr) {
			*p = a->next;
			free(a);
			return;
		}
	}
	shim_problem("kunit_kfree(%p): not allocated by this case", ptr);
}

static void kunit_free_all(struct kunit *test)
{
	struct kunit_alloc *a;

	while ((a = test->allocs)) {
		test->allocs = a->next;
		free(a);
	}
}

static void kunit_indent(const struct kunit *test)
{
	printf("%*s", test->indent, "");
}

void kunit_log_line(struct kunit *test, const char *fmt, ...)
{
	va_list ap;

	kunit_indent(test);
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void kunit_mark_skipped(struct kunit *test, const char *fmt, ...)
{
	va_list ap;

	test->skipped = true;
	va_start(ap, fmt);
	vsnprintf(test->status_comment, sizeof(test->status_comment), fmt, ap);
	va_end(ap);
}

void __kunit_abort(struct kunit *test)
{
	longjmp(*test->abort, 1);
}

/* Paths arrive as the compiler saw them: drop the leading "../"s. */
static const char *kunit_short_path(const char *file)
{
	while (!strncmp(file, "../", 3))
		file += 3;
	return file;
}

/*
 * Print one failure: "# file:line: <what>", then the message, if any.
 * Failures the runner finds itself (WARN, leak) have no @file.
 */
static void kunit_vfail(struct kunit *test, const char *file, int line,
			bool assert, const char *what, const char *fmt,
			va_list ap)
{
	char where[300] = "";

	test->failed = true;
	if (file)
		snprintf(where, sizeof(where), "%s:%d: ",
			 kunit_short_path(file), line);
	if (what) {
		kunit_indent(test);
		printf("# %s%s%s\n", where, what,
		       assert ? " (assertion: case stopped)" : "");
	}
	if (fmt) {
		kunit_indent(test);
		printf("# %s", what ? "" : where);
		vprintf(fmt, ap);
		printf("\n");
	}
	fflush(stdout);
	if (assert)
		__kunit_abort(test);
}

void __kunit_fail(struct kunit *test, const char *file, int line,
		  bool assert, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kunit_vfail(test, file, line, assert, what, fmt, ap);
	va_end(ap);
}

/* "x == 3 (0x3)"; nothing when the expression is that very literal. */
static void kunit_describe_int(char *buf, size_t len, const char *expr,
			       long long v)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", v);
	if (!strcmp(expr, num))
		buf[0] = '\0';
	else
		snprintf(buf, len, "%s == %lld (0x%llx)", expr, v,
			 (unsigned long long)v);
}

void __kunit_fail_int(struct kunit *test, const char *file, int line,
		      bool assert, const char *left, const char *op,
		      const char *right, long long lv, long long rv,
		      const char *fmt, ...)
{
	char what[1024], l[400], r[400];
	va_list ap;

	kunit_describe_int(l, sizeof(l), left, lv);
	kunit_describe_int(r, sizeof(r), right, rv);
	snprintf(what, sizeof(what), "expected %s %s %s, but %s%s%s",
		 left, op, right, l, *l && *r ? ", " : "", r);
	va_start(ap, fmt);
	kunit_vfail(test, file, line, assert, what, fmt, ap);
	va_end(ap);
}

void __kunit_fail_ptr(struct kunit *test, const char *file, int line,
		      bool assert, const char *left, const char *op,
		      const char *right, const void *lv, const void *rv,
		      const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	snprintf(what, sizeof(what), "expected %s %s %s, but %s == %p, %s == %p",
		 left, op, right, left, lv, right, rv);
	va_start(ap, fmt);
	kunit_vfail(test, file, line, assert, what, fmt, ap);
	va_end(ap);
}

void __kunit_fail_str(struct kunit *test, const char *file, int line,
		      bool assert, const char *left, const char *op,
		      const char *right, const char *lv, const char *rv,
		      const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	snprintf(what, sizeof(what),
		 "expected %s %s %s, but %s == \"%s\", %s == \"%s\"",
		 left, op, right, left, lv, right, rv);
	va_start(ap, fmt);
	kunit_vfail(test, file, line, assert, what, fmt, ap);
	va_end(ap);
}

/* FNV-1a, to give every case its own reproducible random stream. */
static u64 kunit_hash(u64 h, const char *s)
{
	if (!h)
		h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (u8)*s) * 0x100000001b3ULL;
	return h;
}

static u64 kunit_case_seed(u64 seed, const struct kunit_suite *suite,
			   const struct kunit_case *c, int param_index)
{
	char idx[16];
	u64 h;

	snprintf(idx, sizeof(idx), "#%d", param_index);
	h = kunit_hash(0, suite->name);
	h = kunit_hash(h, c->name);
	h = kunit_hash(h, idx);
	return h ^ seed;
}

/* Run one case (one parameter of it); print nothing but its failures. */
static void kunit_run_one(struct kunit_suite *suite, struct kunit_case *c,
			  struct kunit *test, u64 seed)
{
	unsigned long problems = shim_problems();
	unsigned long live = shim_slab_live_total();
	volatile bool init_ok = false;
	jmp_buf abort_case;

	shim_random_seed(kunit_case_seed(seed, suite, c, test->param_index));
	test->abort = &abort_case;
	if (!setjmp(abort_case)) {
		int err = suite->init ? suite->init(test) : 0;

		if (err) {
			__kunit_fail(test, NULL, 0, false,
				     "suite init failed", "error %d", err);
		} else {
			init_ok = true;
			c->run_case(test);
		}
	}
	if (init_ok && suite->exit && !setjmp(abort_case))
		suite->exit(test);
	shim_slab_fail_reset();
	kunit_free_all(test);
	if (shim_problems() != problems)
		__kunit_fail(test, NULL, 0, false,
			     "shim problem during the case (WARN, leak or bad free)",
			     "%lu problem(s), see the PROBLEM lines above",
			     shim_problems() - problems);
	if (shim_slab_live_total() > live)
		__kunit_fail(test, NULL, 0, false,
			     "slab objects leaked by the case",
			     "%lu live before, %lu after",
			     live, shim_slab_live_total());
}

static void kunit_print_result(int indent, bool failed, bool skipped,
			       unsigned long nr, const char *name,
			       const char *comment)
{
	printf("%*s%s %lu %s", indent, "", failed ? "not ok" : "ok", nr, name);
	if (skipped && !failed)
		printf(" # SKIP %s", comment);
	printf("\n");
	fflush(stdout);
}

static void kunit_count(struct kunit_totals *tot, const struct kunit *test)
{
	if (test->failed)
		tot->failed++;
	else if (test->skipped)
		tot->skipped++;
	else
		tot->passed++;
}

/* A parameterised case is a subtest with one result per parameter. */
static bool kunit_run_case(struct kunit_suite *suite, struct kunit_case *c,
			   unsigned long nr, u64 seed,
			   struct kunit_totals *suite_tot)
{
	struct kunit_totals tot = { 0 };
	char desc[KUNIT_PARAM_DESC_SIZE];
	const void *param;
	struct kunit test;
	int idx = 0;

	if (!c->generate_params) {
		test = (struct kunit) { .name = c->name, .indent = 4 };
		kunit_run_one(suite, c, &test, seed);
		kunit_count(suite_tot, &test);
		kunit_print_result(4, test.failed, test.skipped, nr, c->name,
				   test.status_comment);
		return !test.failed;
	}

	printf("        KTAP version 1\n        # Subtest: %s\n", c->name);
	desc[0] = '\0';
	for (param = c->generate_params(NULL, desc); param;
	     param = c->generate_params(param, desc)) {
		test = (struct kunit) {
			.name = c->name,
			.indent = 8,
			.param_value = param,
			.param_index = idx,
		};
		if (!desc[0])
			snprintf(desc, sizeof(desc), "param-%d", idx);
		kunit_run_one(suite, c, &test, seed);
		kunit_count(&tot, &test);
		kunit_count(suite_tot, &test);
		kunit_print_result(8, test.failed, test.skipped, idx + 1,
				   desc, test.status_comment);
		desc[0] = '\0';
		idx++;
	}
	printf("    # %s: pass:%lu fail:%lu skip:%lu total:%d\n", c->name,
	       tot.passed, tot.failed, tot.skipped, idx);
	kunit_print_result(4, tot.failed, !tot.failed && !tot.passed && idx,
			   nr, c->name, "all parameters skipped");
	return !tot.failed;
}

static bool kunit_match(const char *glob, const char *name)
{
	return !glob || !fnmatch(glob, name, 0);
}

void kunit_shim_run(const char *filter, u64 seed, struct kunit_totals *all)
{
	char suite_glob[256] = "", *case_glob = NULL;
	unsigned long nr_run = 0, nr_cases;
	struct kunit_case *c;
	size_t i;

	if (filter) {
		snprintf(suite_glob, sizeof(suite_glob), "%s", filter);
		case_glob = strchr(suite_glob, '.');
		if (case_glob)
			*case_glob++ = '\0';
	}
	for (i = 0; i < nr_suites; i++)
		nr_run += kunit_match(filter ? suite_glob : NULL,
				      suites[i]->name);

	printf("KTAP version 1\n1..%lu\n", nr_run);
	printf("# get_random_u32() seed %llu\n", (unsigned long long)seed);
	nr_run = 0;
	for (i = 0; i < nr_suites; i++) {
		struct kunit_suite *suite = suites[i];
		struct kunit_totals tot = { 0 };
		bool ok = true;
		int err = 0;

		if (!kunit_match(filter ? suite_glob : NULL, suite->name))
			continue;
		nr_cases = 0;
		for (c = suite->test_cases; c->run_case; c++)
			nr_cases += kunit_match(case_glob, c->name);
		printf("    KTAP version 1\n    # Subtest: %s\n    1..%lu\n",
		       suite->name, nr_cases);
		if (suite->suite_init)
			err = suite->suite_init(suite);
		nr_cases = 0;
		for (c = suite->test_cases; c->run_case; c++) {
			if (!kunit_match(case_glob, c->name))
				continue;
			nr_cases++;
			if (err) {
				printf("    # suite_init failed: %d\n", err);
				kunit_print_result(4, true, false, nr_cases,
						   c->name, "");
				tot.failed++;
				ok = false;
				continue;
			}
			ok &= kunit_run_case(suite, c, nr_cases, seed, &tot);
		}
		if (suite->suite_exit && !err)
			suite->suite_exit(suite);
		printf("# %s: pass:%lu fail:%lu skip:%lu total:%lu\n",
		       suite->name, tot.passed, tot.failed, tot.skipped,
		       tot.passed + tot.failed + tot.skipped);
		kunit_print_result(0, !ok, !tot.passed && !tot.failed && nr_cases,
				   ++nr_run, suite->name, "all cases skipped");
		all->passed += tot.passed;
		all->failed += tot.failed;
		all->skipped += tot.skipped;
	}
	printf("# Totals: pass:%lu fail:%lu skip:%lu total:%lu\n",
	       all->passed, all->failed, all->skipped,
	       all->passed + all->failed + all->skipped);
}
