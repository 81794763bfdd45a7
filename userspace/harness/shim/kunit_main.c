// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Runner for the KUnit suites linked into the program.  Prints KTAP, then
 * exactly one last line "N passed, N failed" (cases; each parameter of a
 * parameterised case counts).  Exits non-zero if a case failed, a shim
 * problem (WARN, leak in a destroyed cache, failed module_init) occurred
 * anywhere, or no case ran.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "kunit.h"
#include "shim.h"

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--suite GLOB[.CASEGLOB]] [--seed N]\n"
		"  --suite  run only matching suites (and cases)\n"
		"  --seed   seed of get_random_u32() (default %llu)\n",
		prog, (unsigned long long)shim_random_initial_seed());
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kunit_totals tot = { 0 };
	u64 seed = shim_random_initial_seed();
	const char *filter = NULL;
	unsigned long problems;
	char *end;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt_long(argc, argv, "s:r:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			filter = optarg;
			break;
		case 'r':
			seed = strtoull(optarg, &end, 0);
			if (*end || !*optarg) {
				usage(argv[0]);
				return 2;
			}
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind != argc) {
		usage(argv[0]);
		return 2;
	}

	kunit_shim_run(filter, seed, &tot);
	shim_module_exit_all();

	problems = shim_problems();
	if (problems)
		printf("# FAILED: %lu shim problem(s): WARN, leak or failed module_init\n",
		       problems);
	if (!tot.passed && !tot.failed)
		printf("# FAILED: no test case ran\n");
	if (tot.skipped)
		printf("# %lu skipped\n", tot.skipped);
	printf("%lu passed, %lu failed\n", tot.passed, tot.failed);
	return tot.failed || problems || (!tot.passed && !tot.failed);
}
