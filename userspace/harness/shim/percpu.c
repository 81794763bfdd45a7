// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Shim: per-CPU data, see include/linux/percpu.h. */
#include <linux/percpu.h>

unsigned int nr_cpu_ids = SHIM_NR_CPUS;

static unsigned int next_cpu;
static __thread unsigned int this_cpu_plus_one;

unsigned int shim_this_cpu(void)
{
	if (!this_cpu_plus_one)
		this_cpu_plus_one = __atomic_fetch_add(&next_cpu, 1,
						       __ATOMIC_RELAXED) %
				    SHIM_NR_CPUS + 1;
	return this_cpu_plus_one - 1;
}
