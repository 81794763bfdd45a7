// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Shim module_init()/module_exit() (see include/linux/module.h). */
#include <stdio.h>
#include <unistd.h>

#include <linux/module.h>

#include "shim.h"

#define SHIM_MAX_MODULE_EXITS	16

static struct {
	const char *name;
	void (*fn)(void);
} exits[SHIM_MAX_MODULE_EXITS];
static int nr_exits;
static bool exited;

void shim_module_init(const char *name, int (*fn)(void))
{
	int err = fn();

	if (err)
		shim_problem("module_init %s() failed: %d", name, err);
}

void shim_module_register_exit(const char *name, void (*fn)(void))
{
	if (nr_exits == SHIM_MAX_MODULE_EXITS) {
		shim_problem("too many module_exit() functions (%s)", name);
		return;
	}
	exits[nr_exits].name = name;
	exits[nr_exits].fn = fn;
	nr_exits++;
}

void shim_module_exit_all(void)
{
	int i;

	if (exited)
		return;
	exited = true;
	for (i = nr_exits - 1; i >= 0; i--)
		exits[i].fn();
}

/*
 * For programs that never call shim_module_exit_all() (the fuzzer): run
 * the exits at exit(), and turn a problem they find into a failing status.
 */
static void __attribute__((__destructor__)) shim_module_exit_late(void)
{
	unsigned long problems = shim_problems();

	if (exited)
		return;
	shim_module_exit_all();
	if (shim_problems() != problems) {
		fflush(stdout);
		_exit(1);
	}
}
