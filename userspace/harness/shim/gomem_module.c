// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The harness's stand-in for gomem_dev.c's module init and exit, which
 * need the real kernel: create the range allocators' node cache and the
 * ownership layer's record caches before main() and destroy them
 * (reporting leaked objects) at exit.
 */
#include "gomem_owner.h"
#include "gomem_range.h"
#include "shim.h"

static void __attribute__((constructor)) shim_gomem_init(void)
{
	if (gomem_range_cache_init())
		shim_problem("gomem_range_cache_init failed");
	if (gomem_owner_cache_init())
		shim_problem("gomem_owner_cache_init failed");
}

static void __attribute__((destructor)) shim_gomem_exit(void)
{
	gomem_owner_cache_exit();
	gomem_range_cache_exit();
}
