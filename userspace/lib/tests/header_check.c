/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * gomem.h on its own, compiled as strict C99 (-pedantic) and as C++11
 * (-pedantic): it must need nothing else, and clash with nothing.  A
 * program's own u8 and u64 must survive the reader header's mapping.
 */
typedef unsigned char u8;
#define u64 "the program's own u64 macro"

#include <gomem.h>
#include <gomem.h>	/* twice: include guards */

static const char *program_u64 = u64;

int gomem_header_check(void);
int gomem_header_check(void)
{
	struct gomem_mem m;
	struct gomem_reader r;
	struct gomem_region reg = { 0, 0, 0 };
	u8 own = 1;

	gomem_mem_init(&m, 0, 0);
	gomem_reader_init(&r, &m);
	return (int)gomem_reader_remaining(&r) + reg.result + own +
	       (program_u64[0] == 't' ? 0 : 1);
}
