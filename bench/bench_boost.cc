// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The peer users pick for allocating inside a premapped shared segment:
 * Boost.Interprocess managed_shared_memory (its default rbtree best-fit
 * allocator under an interprocess mutex), the buffer cycle of
 * bench_cache.c: allocate, touch the first and last byte, deallocate;
 * "zeroed" adds the memset gomem's default promise costs.  Prints lines
 * "cache boost SIZE ROW NS" as bench_cache does (best of 5 runs).
 */
#include <boost/interprocess/managed_shared_memory.hpp>
#include <boost/version.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <unistd.h>

namespace bip = boost::interprocess;

static double now()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile unsigned char sink;

static double run(bip::managed_shared_memory &seg, size_t size, bool zero,
		  long cycles)
{
	double t0 = now();

	for (long i = 0; i < cycles; i++) {
		unsigned char *p = static_cast<unsigned char *>(seg.allocate(size));

		if (zero)
			memset(p, 0, size);
		p[0] = 1;
		p[size - 1] = 2;
		sink = p[0];
		seg.deallocate(p);
	}
	return (now() - t0) / cycles;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 4096, 65536 };
	long cycles = 2000000;
	std::string name = "gomem-bench-boost-" + std::to_string(getpid());

	if (argc == 3 && !strcmp(argv[1], "--cycles"))
		cycles = atol(argv[2]);
	bip::shared_memory_object::remove(name.c_str());
	{
		bip::managed_shared_memory seg(bip::create_only, name.c_str(),
					       64u << 20);

		for (size_t s : sizes) {
			long n = s >= 65536 ? cycles / 8 : cycles;
			double best[2] = { 1e18, 1e18 }, t;

			run(seg, s, false, 1000);
			for (int r = 0; r < 5; r++) {
				t = run(seg, s, false, n);
				best[0] = t < best[0] ? t : best[0];
				t = run(seg, s, true, n);
				best[1] = t < best[1] ? t : best[1];
			}
			printf("cache boost %zu boost-ipc %.2f\n", s, best[0]);
			printf("cache boost %zu boost-ipc-zeroed %.2f\n", s, best[1]);
		}
	}
	bip::shared_memory_object::remove(name.c_str());
	fprintf(stderr, "boost %d.%d.%d\n", BOOST_VERSION / 100000,
		BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100);
	return 0;
}
