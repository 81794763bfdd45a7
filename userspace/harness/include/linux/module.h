/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shim: a native program is one "module".  module_init() functions run
 * from a constructor, before main(), so that what they set up (the node
 * kmem_cache) exists before any test; a failing one is recorded as a
 * problem.  module_exit() functions are registered and run by
 * shim_module_exit_all() (see shim/shim.h), which the test programs call
 * before their verdict, so that kmem_cache_destroy() leak reports count
 * (or, failing that, at exit()).
 */
#ifndef _SHIM_LINUX_MODULE_H
#define _SHIM_LINUX_MODULE_H

#include <linux/compiler.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kernel.h>

void shim_module_init(const char *name, int (*fn)(void));
void shim_module_register_exit(const char *name, void (*fn)(void));

#define module_init(fn)							\
	static void __attribute__((__constructor__))			\
	__PASTE(__shim_module_init_, fn)(void)				\
	{								\
		shim_module_init(#fn, fn);				\
	}								\
	extern int __shim_module_decl

#define module_exit(fn)							\
	static void __attribute__((__constructor__))			\
	__PASTE(__shim_module_exit_, fn)(void)				\
	{								\
		shim_module_register_exit(#fn, fn);			\
	}								\
	extern int __shim_module_decl

#define MODULE_LICENSE(s)	extern int __shim_module_decl
#define MODULE_DESCRIPTION(s)	extern int __shim_module_decl
#define MODULE_AUTHOR(s)	extern int __shim_module_decl
#define MODULE_IMPORT_NS(s)	extern int __shim_module_decl

#endif /* _SHIM_LINUX_MODULE_H */
