// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libgomem from C++: this file includes <gomem.h> and calls the library
 * (C++11, -pedantic, no exceptions, no RTTI, nothing from libstdc++, so it
 * links into the static C test program).  The struct and function of the
 * same name (struct gomem_stats and gomem_stats()) are used the way C++
 * allows, as with struct stat and stat().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gomem.h>

#include "cxx_unit.h"

namespace {

class Session {
public:
	explicit Session(const char *dev) : g_(gomem_open(dev, 0)) {}
	~Session() { gomem_close(g_); }
	struct gomem *get() const { return g_; }

private:
	Session(const Session &);
	Session &operator=(const Session &);
	struct gomem *g_;
};

template <typename T>
bool same(T a, T b)
{
	return a == b;
}

int failed(char *why, size_t len, const char *what, int err)
{
	snprintf(why, len, "C++: %s (%s)", what, gomem_errname(err));
	return -1;
}

int reader_part(char *why, size_t len)
{
	unsigned char a[] = { 0x01, 0x02, 0x96 };
	unsigned char b[] = { 0x01, 'x', 'y' };
	struct gomem_mem m;
	struct gomem_reader r;
	__u64 v = 0;
	int err;

	gomem_mem_init(&m, 8, 0);
	if ((err = gomem_mem_push(&m, a, sizeof(a))) ||
	    (err = gomem_mem_push(&m, b, sizeof(b))))
		return failed(why, len, "gomem_mem_push", err);
	gomem_reader_init(&r, &m);
	if ((err = gomem_reader_read_be(&r, 2, &v)) || !same<__u64>(v, 0x0102))
		return failed(why, len, "read_be", err);
	/* 0x96 0x01 is ULEB128 150, across the two segments. */
	if ((err = gomem_reader_read_uleb128(&r, &v)) || !same<__u64>(v, 150))
		return failed(why, len, "read_uleb128", err);
	if (!same<size_t>(gomem_reader_remaining(&r), 2))
		return failed(why, len, "remaining", 0);
	gomem_mem_destroy(&m);
	return 0;
}

int device_part(const char *dev, char *why, size_t len)
{
	Session s(dev);
	struct gomem *g = s.get();
	struct gomem_stats st;
	struct gomem_region regs[3];
	int err;

	if (!g)
		return failed(why, len, "gomem_open", errno);
	if ((err = gomem_stats(g, &st)))
		return failed(why, len, "gomem_stats", err);
	char *p = static_cast<char *>(gomem_alloc(g, 100, 64, 0));
	if (!p)
		return failed(why, len, "gomem_alloc", errno);
	memcpy(p, "c++", 4);
	int64_t off = gomem_offset(g, p);
	if (off < 0 || gomem_ptr(g, static_cast<uint64_t>(off)) != p)
		return failed(why, len, "offset round trip", static_cast<int>(off));
	/* Hand-off: share, claim (its own token), release, cancel. */
	uint64_t tok = 0;
	size_t size = 0;
	if ((err = gomem_share(g, p, 0, 2, &tok)) || !tok)
		return failed(why, len, "gomem_share", err);
	const char *q = static_cast<const char *>(gomem_claim(g, tok, &size));
	if (q != p || size < 100)
		return failed(why, len, "gomem_claim", errno);
	if ((err = gomem_release(g, q)))
		return failed(why, len, "gomem_release", err);
	if ((err = gomem_cancel(g, tok)))
		return failed(why, len, "gomem_cancel", err);
	if ((err = gomem_free(g, p, 100)))
		return failed(why, len, "gomem_free", err);
	for (int i = 0; i < 3; i++) {
		regs[i].ptr = 0;
		regs[i].size = 64u << i;
		regs[i].result = 1;
	}
	if ((err = gomem_alloc_batch(g, regs, 3, 0, 0)) != 3)
		return failed(why, len, "gomem_alloc_batch", err);
	if ((err = gomem_free_batch(g, regs, 3)) != 3)
		return failed(why, len, "gomem_free_batch", err);
	struct gomem_recyclable *r = gomem_recyclable_new(g);
	void *ptrs[5];
	if (!r)
		return failed(why, len, "gomem_recyclable_new", errno);
	err = gomem_recyclable_alloc_n(r, 256, 5, ptrs);
	if (!err)
		err = gomem_recyclable_recycle(r) == 5 ? 0 : -EPROTO;
	gomem_recyclable_destroy(r);
	if (err)
		return failed(why, len, "recyclable", err);
	return 0;
}

} // namespace

extern "C" int gomem_cxx_unit(const char *dev, char *why, size_t len)
{
	int err = reader_part(why, len);

	if (!err && dev)
		err = device_part(dev, why, len);
	return err;
}
