// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libgomem-test: the tests of libgomem and gomemctl, run in the QEMU VM
 * beside gomem-e2e and with the same protocol.
 *
 *   libgomem-test --list      one case name per line
 *   libgomem-test --all       run every case
 *   libgomem-test --host      run only the cases that need no /dev/gomem
 *                             (on the development machine: make check)
 *   libgomem-test CASE...     run the named cases
 *
 * Each case runs in a forked child in its own process group, with a
 * timeout: a crash, a signal or a hang is that case's FAIL.  Output:
 * "GOMEM-CASE <name> PASS" or "GOMEM-CASE <name> FAIL <reason>" per case,
 * then "N passed, N failed".  Exit status 0 only if every case passed.
 *
 * Environment: GOMEM_DEV (default /dev/gomem), GOMEM_CASE_TIMEOUT (seconds,
 * default 60), GOMEM_CTL (gomemctl; default: next to this program, else
 * ../../cli/build/gomemctl from it), GOMEM_DEBUGFS_BLOCKS (default
 * /sys/kernel/debug/gomem/default/blocks).
 *
 * The cases share the arena with whatever else runs, one after another:
 * each takes its own baseline and checks differences only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gomem.h>

#include "../../tests/case_runner.h"
#include "cxx_unit.h"

/* ------------------------------------------------------------------ */
/* Reporting                                                           */
/* ------------------------------------------------------------------ */

static const char *g_dev = GOMEM_DEFAULT_PATH;
static char g_self[4096];

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond))						\
			fail_at(__LINE__, __VA_ARGS__);			\
	} while (0)

/* An int call that must return exactly @want (0, a count or -Exxx). */
#define CHECK_RET(expr, want)						\
	do {								\
		long long r_ = (expr), w_ = (want);			\
		CHECK(r_ == w_, "%s = %lld (%s), want %lld (%s)", #expr, \
		      r_, r_ < 0 ? gomem_errname((int)r_) : "-", w_,	\
		      w_ < 0 ? gomem_errname((int)w_) : "-");		\
	} while (0)

/* A pointer call that must fail with errno @want. */
#define CHECK_NULL_ERRNO(expr, want)					\
	do {								\
		void *p_;						\
		errno = 0;						\
		p_ = (void *)(expr);					\
		CHECK(!p_ && errno == (want), "%s = %p, errno %s; want NULL, %s", \
		      #expr, p_, gomem_errname(errno), gomem_errname(want)); \
	} while (0)

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/*
 * A handle without the region cache (each alloc and free an ioctl, as the
 * cases before 1.2.0 expect), or with it when @flags has CACHE_ON.
 */
#define CACHE_ON	0x10000
static struct gomem *must_open(int flags)
{
	struct gomem *g;

	flags = flags & CACHE_ON ? flags & ~CACHE_ON : flags | GOMEM_LIB_NOCACHE;
	g = gomem_open(g_dev, flags);

	CHECK(g, "gomem_open(%s, %d): %s", g_dev, flags, gomem_errname(errno));
	return g;
}

static struct gomem_stats must_stats(struct gomem *g)
{
	struct gomem_stats st;

	CHECK_RET(gomem_stats(g, &st), 0);
	return st;
}

static struct gomem_info must_info(struct gomem *g)
{
	struct gomem_info in;

	CHECK_RET(gomem_info(g, &in), 0);
	return in;
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

static void fill(void *p, size_t n, unsigned int seed)
{
	unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		c[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 8));
}

/* Index of the first byte that differs from fill(), or -1. */
static long check_fill(const void *p, size_t n, unsigned int seed)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i] != (unsigned char)(seed * 131 + i * 7 + (i >> 8)))
			return (long)i;
	return -1;
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

static int count_fds(void)
{
	char path[64];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (!access(path, F_OK))
			n++;
	}
	return n;
}

static void exit_with_signal(int sig)
{
	_exit(100 + sig);
}

/*
 * Run @fn in a child.  Return: the signal (SIGSEGV, SIGBUS) it caught, 0
 * if it returned, -1 otherwise.  The handler keeps the kernel's
 * "segfault at" line off the console.
 */
static int in_child(void (*fn)(void *), void *arg)
{
	int st = 0;
	pid_t pid = fork();

	CHECK(pid >= 0, "fork: %s", gomem_errname(errno));
	if (!pid) {
		signal(SIGSEGV, exit_with_signal);
		signal(SIGBUS, exit_with_signal);
		fn(arg);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid: %s", gomem_errname(errno));
	if (!WIFEXITED(st))
		return -1;
	if (WEXITSTATUS(st) > 100)
		return WEXITSTATUS(st) - 100;
	return WEXITSTATUS(st) ? -1 : 0;
}

/* ---- running gomemctl ---- */

static char g_ctl[4096];

static const char *ctl_path(void)
{
	char dir[4096], *d;

	if (g_ctl[0])
		return g_ctl;
	if (getenv("GOMEM_CTL")) {
		snprintf(g_ctl, sizeof(g_ctl), "%s", getenv("GOMEM_CTL"));
		return g_ctl;
	}
	snprintf(dir, sizeof(dir), "%s", g_self);
	d = dirname(dir);
	/* In the VM: /bin.  In the tree: lib/build or lib/build/CC. */
	snprintf(g_ctl, sizeof(g_ctl), "%s/gomemctl", d);
	if (access(g_ctl, X_OK))
		snprintf(g_ctl, sizeof(g_ctl), "%s/../../cli/build/gomemctl", d);
	if (access(g_ctl, X_OK)) {
		char base[256];

		snprintf(base, sizeof(base), "%s", strrchr(d, '/') ? strrchr(d, '/') + 1 : d);
		snprintf(g_ctl, sizeof(g_ctl), "%s/../../../cli/build/%s/gomemctl", d, base);
	}
	CHECK(!access(g_ctl, X_OK), "no gomemctl next to %s nor in ../cli/build "
	      "(set GOMEM_CTL)", g_self);
	return g_ctl;
}

struct run {
	int status;		/* exit code, or 128 + signal */
	char out[16384];
	char err[4096];
};

/* Run gomemctl with @args (NULL-terminated), capturing both outputs. */
static void run_ctl(struct run *r, const char *const *args)
{
	const char *argv[32];
	int po[2], pe[2], st;
	size_t no = 0, ne = 0;
	int n = 0, open_fds = 2;
	double end = now_s() + 60;
	pid_t pid;

	argv[n++] = ctl_path();
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	CHECK(!pipe2(po, O_CLOEXEC) && !pipe2(pe, O_CLOEXEC), "pipe: %s",
	      gomem_errname(errno));
	pid = fork();
	CHECK(pid >= 0, "fork: %s", gomem_errname(errno));
	if (!pid) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	while (open_fds && now_s() < end) {
		struct pollfd pfd[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
		ssize_t k;

		if (poll(pfd, 2, 1000) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			char *buf = i ? r->err : r->out;
			size_t cap = i ? sizeof(r->err) : sizeof(r->out);
			size_t *len = i ? &ne : &no;
			char junk[512];

			if (!(pfd[i].revents & (POLLIN | POLLHUP)) || pfd[i].fd < 0)
				continue;
			if (*len < cap - 1)
				k = read(pfd[i].fd, buf + *len, cap - 1 - *len);
			else
				k = read(pfd[i].fd, junk, sizeof(junk));
			if (k <= 0) {
				close(i ? pe[0] : po[0]);
				if (i)
					pe[0] = -1;
				else
					po[0] = -1;
				open_fds--;
			} else if (*len < cap - 1) {
				*len += k;
			}
		}
	}
	if (open_fds)
		kill(pid, SIGKILL);
	if (po[0] >= 0)
		close(po[0]);
	if (pe[0] >= 0)
		close(pe[0]);
	r->out[no] = 0;
	r->err[ne] = 0;
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid: %s", gomem_errname(errno));
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	CHECK(!open_fds, "%s %s: still running after 60s", argv[0], argv[1]);
	CHECK(r->status != 127, "exec %s failed", argv[0]);
}

#define RUN_CTL(r, ...)							\
	do {								\
		const char *const a_[] = { __VA_ARGS__, NULL };		\
		run_ctl(r, a_);						\
	} while (0)

/* The unsigned number after "key": in a JSON text; false if absent. */
static bool json_u64(const char *text, const char *key, uint64_t *v)
{
	char pat[128];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(text, pat);
	if (!p)
		return false;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	*v = strtoull(p, NULL, 10);
	return true;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ------------------------------------------------------------------ */
/* Cases that need no device                                           */
/* ------------------------------------------------------------------ */

static void case_errname_and_version(void)
{
	CHECK(!strcmp(gomem_errname(ENOMEM), "ENOMEM"), "ENOMEM");
	CHECK(!strcmp(gomem_errname(-EINVAL), "EINVAL"), "-EINVAL");
	CHECK(!strcmp(gomem_errname(-EPERM), "EPERM"), "-EPERM");
	CHECK(!strcmp(gomem_errname(ENODATA), "ENODATA"), "ENODATA");
	CHECK(!strcmp(gomem_errname(99999), "E?"), "unknown: %s",
	      gomem_errname(99999));
	CHECK(!strcmp(gomem_version(), GOMEM_LIB_VERSION), "version %s",
	      gomem_version());
}

static void case_open_errors_set_errno(void)
{
	int fds = count_fds();

	CHECK_NULL_ERRNO(gomem_open(NULL, 0x100), EINVAL);
	CHECK_NULL_ERRNO(gomem_open(NULL, -1), EINVAL);
	CHECK_NULL_ERRNO(gomem_open("/nonexistent/gomem", 0), ENOENT);
	CHECK_NULL_ERRNO(gomem_open("/nonexistent/gomem", GOMEM_LIB_READONLY),
			 ENOENT);
	/* Not a gomem device: INFO is refused, nothing is left open. */
	CHECK_NULL_ERRNO(gomem_open("/dev/null", 0), ENOTTY);
	CHECK_NULL_ERRNO(gomem_open("/dev/zero", GOMEM_LIB_READONLY), ENOTTY);
	CHECK(count_fds() == fds, "%d fds open, %d before", count_fds(), fds);
}

static void case_null_handles_allowed(void)
{
	CHECK_RET(gomem_close(NULL), 0);
	gomem_recyclable_destroy(NULL);
	CHECK_NULL_ERRNO(gomem_recyclable_new(NULL), EINVAL);
}

struct walk_acc {
	size_t bytes;
	int calls;
};

static int walk_fn(void *arg, void *data, size_t len)
{
	struct walk_acc *a = arg;

	(void)data;
	a->bytes += len;
	a->calls++;
	return 0;
}

static void clip_fn(void *arg, void *data, size_t len)
{
	walk_fn(arg, data, len);
}

/* Every reader and memory function, through libgomem's exports. */
static void case_reader_every_function(void)
{
	unsigned char a[] = { 0x12, 0x34, 0x56 }, b[] = { 0x78, 0xE5, 0x8E },
		      c[] = { 0x26, 'h', 'i', '!' };
	unsigned char buf[8], cp[8];
	struct gomem_seg segs[2] = { { b, sizeof(b) }, { c, sizeof(c) } };
	struct gomem_mem m, m2, one;
	struct gomem_reader r;
	struct walk_acc acc = { 0, 0 };
	void *view, *data;
	size_t len;
	__u64 v;
	__u8 u;

	gomem_mem_init(&m, 16, 0);
	CHECK_RET(gomem_mem_reserve(&m, 8, 0), 0);
	CHECK_RET(gomem_mem_reserve(&m, 100, 0), -ENOSPC);
	CHECK_RET(gomem_mem_push(&m, a, sizeof(a)), 0);
	CHECK_RET(gomem_mem_push(&m, NULL, 1), -EINVAL);
	CHECK_RET(gomem_mem_push_many(&m, segs, 2), 0);
	CHECK(gomem_mem_count(&m) == 3 && gomem_mem_size(&m) == 10,
	      "count %u size %zu", gomem_mem_count(&m), gomem_mem_size(&m));
	CHECK(gomem_mem_segs(&m)[1].data == b, "segs");

	gomem_reader_init(&r, &m);
	CHECK_RET(gomem_reader_read_u8(&r, &u), 0);
	CHECK(u == 0x12, "u8 %x", u);
	CHECK_RET(gomem_reader_read_be(&r, 3, &v), 0);
	CHECK(v == 0x345678, "be %llx", (unsigned long long)v);
	/* E5 8E 26: ULEB128 624485, across two segments. */
	CHECK_RET(gomem_reader_read_uleb128(&r, &v), 0);
	CHECK(v == 624485, "uleb128 %llu", (unsigned long long)v);
	CHECK(gomem_reader_offset(&r) == 7 && gomem_reader_remaining(&r) == 3,
	      "offset %zu", gomem_reader_offset(&r));
	CHECK_RET(gomem_reader_read_bytes(&r, 2, cp, &view), 0);
	CHECK(view == c + 1, "read_bytes: view %p, want %p", view, (void *)(c + 1));
	CHECK_RET(gomem_reader_unread(&r, 6), 0);
	CHECK_RET(gomem_reader_read(&r, buf, 4), 0);
	CHECK(!memcmp(buf, "\x78\xE5\x8E\x26", 4), "read");
	CHECK_RET(gomem_reader_read(&r, buf, 5), -ENODATA);
	CHECK(gomem_reader_offset(&r) == 7, "moved on -ENODATA");
	CHECK_RET(gomem_reader_skip(&r, 1), 0);
	CHECK_RET(gomem_reader_current(&r, &data, &len), 0);
	CHECK(data == c + 2 && len == 2, "current %p %zu", data, len);
	CHECK_RET(gomem_reader_walk_n(&r, 1, walk_fn, &acc), 0);
	CHECK(acc.bytes == 1, "walk_n %zu", acc.bytes);
	CHECK_RET(gomem_reader_pop(&r, &data, &len), 0);
	CHECK(data == c + 3 && len == 1, "pop %p %zu", data, len);
	gomem_reader_unread(&r, 10);
	acc.bytes = 0;
	CHECK_RET(gomem_reader_walk(&r, walk_fn, &acc), 0);
	CHECK(acc.bytes == 10, "walk %zu", acc.bytes);
	gomem_reader_unread(&r, 10);
	CHECK_RET(gomem_reader_skip(&r, 4), 0);
	acc.bytes = 0;
	CHECK(gomem_reader_clip_front(&r, clip_fn, &acc) == 4 &&
	      acc.bytes == 4 && gomem_mem_size(&m) == 6,
	      "clip_front: %zu bytes in callbacks, size %zu", acc.bytes,
	      gomem_mem_size(&m));
	gomem_reader_move_to_end(&r);
	CHECK(gomem_reader_remaining(&r) == 0, "move_to_end");

	/* Memory-level functions. */
	acc.bytes = 0;
	acc.calls = 0;
	CHECK_RET(gomem_mem_walk(&m, walk_fn, &acc), 0);
	CHECK(acc.bytes == 6, "mem_walk %zu", acc.bytes);
	acc.bytes = 0;
	CHECK_RET(gomem_mem_walk_at(&m, 1, 3, walk_fn, &acc), 0);
	CHECK(acc.bytes == 3, "walk_at %zu", acc.bytes);
	CHECK_RET(gomem_mem_copy_out(&m, 0, buf, 6), 0);
	CHECK(!memcmp(buf, "\xE5\x8E\x26" "hi!", 6), "copy_out");
	CHECK_RET(gomem_mem_copy_in(&m, 3, "HI", 2), 0);
	CHECK(c[1] == 'H' && c[2] == 'I', "copy_in wrote %c%c", c[1], c[2]);
	CHECK_RET(gomem_mem_copy_out(&m, 5, buf, 2), -ENODATA);
	CHECK_RET(gomem_mem_init_buf(&one, buf, 6), 0);
	CHECK_RET(gomem_mem_copy_out(&m, 0, buf, 6), 0);
	CHECK(gomem_mem_equal(&m, &one), "mem_equal");
	gomem_mem_init(&m2, 32, 0);
	CHECK_RET(gomem_mem_append(&m2, &m), 0);
	CHECK(gomem_mem_size(&m2) == 6 && gomem_mem_equal(&m, &m2), "append");
	CHECK_RET(gomem_mem_update(&m2, 0, a, 1), 0);
	CHECK(gomem_mem_size(&m2) == 6 - gomem_mem_segs(&m)[0].len + 1,
	      "update: size %zu", gomem_mem_size(&m2));
	gomem_mem_reset(&m2);
	CHECK(gomem_mem_size(&m2) == 0 && gomem_mem_count(&m2) == 0, "reset");
	/* Grow the segment array past the inline ones: malloc underneath. */
	for (int i = 0; i < 12; i++)
		CHECK_RET(gomem_mem_push(&m2, a, 1), 0);
	gomem_mem_destroy(&m2);
	gomem_mem_destroy(&one);
	gomem_mem_destroy(&m);
}

static void case_cxx_translation_unit(void)
{
	char why[256] = "";

	CHECK(!gomem_cxx_unit(NULL, why, sizeof(why)), "%s", why);
}

static void case_ctl_usage_and_open_errors(void)
{
	static const char *const cmds[] = { "info", "stats", "blocks", "map",
					     "trim", "alloc", "bench" };
	struct run r;

	RUN_CTL(&r, "--help");
	CHECK(r.status == 0 && strstr(r.out, "usage"), "--help: %d %s", r.status, r.out);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		RUN_CTL(&r, cmds[i], "--help");
		CHECK(r.status == 0 && strstr(r.out, "usage: gomemctl") &&
		      strstr(r.out, cmds[i]), "%s --help: status %d, out '%s'",
		      cmds[i], r.status, r.out);
		RUN_CTL(&r, "help", cmds[i]);
		CHECK(r.status == 0 && strstr(r.out, cmds[i]), "help %s", cmds[i]);
	}
	/* Usage errors: exit 2, a message on stderr, nothing on stdout. */
	{
		const char *const bad[][4] = {
			{ NULL }, { "bogus" }, { "alloc" }, { "info", "--bogus" },
			{ "alloc", "12ZB" }, { "alloc", "4096", "extra" },
			{ "bench", "--iterations" }, { "map", "--width", "x" },
			{ "--dev" }, { "blocks", "--regions" },
			{ "stats", "--regions", "x" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			const char *a[5] = { bad[i][0], bad[i][1], bad[i][2],
					     bad[i][3], NULL };

			run_ctl(&r, a);
			CHECK(r.status == 2 && r.err[0] && !r.out[0],
			      "gomemctl %s %s %s: status %d, stderr '%s', stdout '%s'",
			      a[0] ? a[0] : "", a[1] ? a[1] : "", a[2] ? a[2] : "",
			      r.status, r.err, r.out);
		}
	}
	/* Operational errors: exit 1, one line naming the errno. */
	RUN_CTL(&r, "--dev", "/nonexistent/gomem", "info");
	CHECK(r.status == 1 && count_lines(r.err) == 1 &&
	      strstr(r.err, "gomemctl: info: ") &&
	      strstr(r.err, "ENOENT (No such file or directory)"),
	      "info on a missing device: status %d, stderr '%s'", r.status, r.err);
	RUN_CTL(&r, "stats", "--dev", "/dev/null");
	CHECK(r.status == 1 && strstr(r.err, "ENOTTY"),
	      "stats on /dev/null: status %d, stderr '%s'", r.status, r.err);
	RUN_CTL(&r, "blocks", "--file", "/nonexistent/blocks");
	CHECK(r.status == 1 && count_lines(r.err) == 1 && strstr(r.err, "ENOENT"),
	      "blocks --file missing: status %d, stderr '%s'", r.status, r.err);
	RUN_CTL(&r, "map", "--file", "/nonexistent/blocks");
	CHECK(r.status == 1 && strstr(r.err, "ENOENT"),
	      "map --file missing: status %d, stderr '%s'", r.status, r.err);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f && fputs(text, f) >= 0 && !fclose(f), "write %s: %s", path,
	      gomem_errname(errno));
}

/* blocks and map read who holds what from a regions file (debugfs's, or
 * --regions), and do without one. */
static void case_ctl_blocks_map_show_holds(void)
{
	char dir[] = "/tmp/libgomem-test.XXXXXX", bl[64], rg[64], bad[64];
	struct run r;

	CHECK(mkdtemp(dir), "mkdtemp: %s", gomem_errname(errno));
	snprintf(bl, sizeof(bl), "%s/blocks", dir);
	snprintf(rg, sizeof(rg), "%s/regions", dir);
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	/* 256 KiB: [0, 64K) owned, [64K, 128K) free, [128K, 176K) orphaned,
	 * [176K, 192K) shared, [192K, 256K) free; a free second chunk. */
	write_file(bl, "chunk 0 262144 free_bytes 131072 blocks 2\n"
		   "  free 65536 65536\n  free 196608 65536\n"
		   "chunk 1048576 131072 free_bytes 131072 blocks 1\n"
		   "  free 0 131072\n");
	write_file(rg, "region 0 65536 id 1 owner 3 refs 0 claims 0 tokens 0\n"
		   "region 131072 49152 id 5 owner 0 refs 1 claims 1 tokens 0 pins 7\n"
		   "region 180224 16384 id 2 owner 3 refs 2 claims 3 tokens 1\n");
	write_file(bad, "region 0 65536 id 1 owner\n");

	RUN_CTL(&r, "blocks", "--file", bl, "--regions", rg);
	CHECK(r.status == 0 && strstr(r.out, "3 live regions, 2 shared: 3 references "
				      "(4 claims), 1 tokens; 1 orphaned") &&
	      strstr(r.out, "shared      0x2c000 -        0x30000  16.0 KiB, id 2, "
		     "owner 3, 2 refs (3 claims), 1 tokens") &&
	      strstr(r.out, "orphan      0x20000 -        0x2c000  48.0 KiB, id 5, "
		     "no owner, 1 refs (1 claims), 0 tokens") &&
	      !strstr(r.out, "id 1,"), "blocks with regions: %d '%s' '%s'",
	      r.status, r.out, r.err);
	RUN_CTL(&r, "blocks", "--file", bl, "--regions", rg, "--json");
	CHECK(r.status == 0 && strstr(r.out, "\"holds\": {\"regions\": 3, "
				      "\"shared\": 2, \"orphans\": 1, \"orphan_bytes\": 49152, "
				      "\"refs\": 3, \"claims\": 4, \"tokens\": 1}") &&
	      strstr(r.out, "{\"offset\": 131072, \"size\": 49152, \"id\": 5, "
		     "\"owner\": 0, \"refs\": 1, \"claims\": 1, \"tokens\": 0}"),
	      "blocks --json with regions: %d '%s'", r.status, r.out);
	/* 16 KiB cells: three orphaned, one shared; 32 KiB cells: the cell
	 * with both shows the orphan. */
	RUN_CTL(&r, "map", "--file", bl, "--regions", rg, "--width", "16");
	CHECK(r.status == 0 && strstr(r.out, "|####....OOOS....|") &&
	      strstr(r.out, "|................|") && strstr(r.out, ", 2 shared\n") &&
	      strstr(r.out, "holds: 3 live regions"),
	      "map with regions: %d '%s'", r.status, r.out);
	RUN_CTL(&r, "map", "--file", bl, "--regions", rg, "--width", "8");
	CHECK(r.status == 0 && strstr(r.out, "|##..OO..|"),
	      "map with regions, 8 cells: %d '%s'", r.status, r.out);
	/* No regions file: the blocks alone, as before. */
	RUN_CTL(&r, "map", "--file", bl, "--width", "16");
	CHECK(r.status == 0 && strstr(r.out, "|####....####....|") &&
	      !strstr(r.out, "holds") && !strstr(r.out, "'S'"),
	      "map without regions: %d '%s'", r.status, r.out);
	RUN_CTL(&r, "blocks", "--file", bl, "--json");
	CHECK(r.status == 0 && !strstr(r.out, "\"regions\"") &&
	      !strstr(r.out, "\"holds\""), "blocks --json without regions: '%s'",
	      r.out);
	/* A regions file asked for must be there, and make sense. */
	RUN_CTL(&r, "blocks", "--file", bl, "--regions", "/nonexistent/regions");
	CHECK(r.status == 1 && count_lines(r.err) == 1 && strstr(r.err, "ENOENT") &&
	      !r.out[0], "missing --regions: %d '%s'", r.status, r.err);
	RUN_CTL(&r, "map", "--file", bl, "--regions", bad);
	CHECK(r.status == 1 && count_lines(r.err) == 1 && strstr(r.err, "EBADMSG") &&
	      strstr(r.err, "line 1"), "bad regions file: %d '%s'", r.status, r.err);
	unlink(bl);
	unlink(rg);
	unlink(bad);
	rmdir(dir);
}

/* arenas: the table and JSON of an arenas file; a file not there or not
 * understood is exit status 1 naming the errno. */
static void case_ctl_arenas_table_and_errors(void)
{
	char dir[] = "/tmp/libgomem-test.XXXXXX", ar[64], bad[64];
	struct run r;

	CHECK(mkdtemp(dir), "mkdtemp: %s", gomem_errname(errno));
	snprintf(ar, sizeof(ar), "%s/arenas", dir);
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	write_file(ar, "default device sessions 3 refs 1 capacity 1048576 in_use 12288 max_size 67108864\n"
		   "private-7 private sessions 2 refs 4 capacity 262144 in_use 0 max_size 4194304\n"
		   "named-video named sessions 0 refs 1 capacity 65536 in_use 0 max_size 1048576\n");
	write_file(bad, "default device sessions 3 refs 1 capacity 1048576\n");
	RUN_CTL(&r, "arenas", "--file", ar);
	CHECK(r.status == 0 && strstr(r.out, "NAME             KIND     SESSIONS   REFS") &&
	      strstr(r.out, "default          device          3      1      1.0 MiB     12.0 KiB     64.0 MiB\n") &&
	      strstr(r.out, "private-7        private         2      4    256.0 KiB          0 B      4.0 MiB\n") &&
	      strstr(r.out, "named-video      named           0      1     64.0 KiB          0 B      1.0 MiB\n") &&
	      strstr(r.out, "3 arenas, 1 private, 1 named\n"), "arenas: %d '%s' '%s'",
	      r.status, r.out, r.err);
	RUN_CTL(&r, "arenas", "--file", ar, "--json");
	CHECK(r.status == 0 && strstr(r.out, "{\"name\": \"private-7\", \"kind\": \"private\", "
				      "\"sessions\": 2, \"refs\": 4, \"capacity\": 262144, "
				      "\"in_use\": 0, \"max_size\": 4194304}") &&
	      strstr(r.out, "\"count\": 3, \"private\": 1, \"named\": 1}"),
	      "arenas --json: %d '%s'",
	      r.status, r.out);
	RUN_CTL(&r, "arenas", "--file", "/nonexistent/arenas");
	CHECK(r.status == 1 && count_lines(r.err) == 1 && strstr(r.err, "ENOENT") &&
	      !r.out[0], "arenas, file missing: %d '%s'", r.status, r.err);
	RUN_CTL(&r, "arenas", "--file", bad);
	CHECK(r.status == 1 && strstr(r.err, "EBADMSG") && strstr(r.err, "line 1"),
	      "arenas, bad file: %d '%s'", r.status, r.err);
	RUN_CTL(&r, "arenas", "--arena", "default");
	CHECK(r.status == 2, "arenas --arena: %d '%s'", r.status, r.err);
	unlink(ar);
	unlink(bad);
	rmdir(dir);
}

/* ------------------------------------------------------------------ */
/* Cases on the device                                                 */
/* ------------------------------------------------------------------ */

static void case_open_info_close(void)
{
	struct gomem *g = must_open(0);
	struct gomem_info in = must_info(g);
	int fd = gomem_fd(g), fl;

	CHECK(in.abi_version == GOMEM_ABI_VERSION, "abi %u", in.abi_version);
	CHECK(in.page_size == (unsigned int)sysconf(_SC_PAGESIZE), "page %u",
	      in.page_size);
	CHECK(in.map_size == gomem_map_size(g) && in.map_size >= in.max_size,
	      "map_size %llu, lib %llu, max_size %llu",
	      (unsigned long long)in.map_size,
	      (unsigned long long)gomem_map_size(g),
	      (unsigned long long)in.max_size);
	CHECK(!(in.session_flags & GOMEM_SESSION_READONLY) && !gomem_readonly(g),
	      "read-write session looks read-only");
	CHECK(gomem_base(g) && ((uintptr_t)gomem_base(g) % in.page_size) == 0,
	      "base %p", gomem_base(g));
	CHECK(fd >= 0, "fd %d", fd);
	fl = fcntl(fd, F_GETFD);
	CHECK(fl >= 0 && (fl & FD_CLOEXEC), "fd flags %d: not close-on-exec", fl);
	CHECK_RET(gomem_close(g), 0);
	CHECK(fcntl(fd, F_GETFD) < 0 && errno == EBADF, "fd %d still open", fd);
}

static void case_stats_track_session(void)
{
	struct gomem *g = must_open(0);
	struct gomem_info in = must_info(g);
	struct gomem_stats s0 = must_stats(g), s1, s2;
	void *p = gomem_alloc(g, 1000, 0, 0);

	CHECK(p, "alloc: %s", gomem_errname(errno));
	s1 = must_stats(g);
	CHECK(s1.session_regions == s0.session_regions + 1 &&
	      s1.session_in_use == s0.session_in_use + round_up(1000, in.granule),
	      "session %llu regions %llu bytes, before %llu %llu",
	      (unsigned long long)s1.session_regions,
	      (unsigned long long)s1.session_in_use,
	      (unsigned long long)s0.session_regions,
	      (unsigned long long)s0.session_in_use);
	CHECK(s1.allocs == s0.allocs + 1 && s1.sessions >= 1, "allocs");
	CHECK_RET(gomem_free(g, p, 1000), 0);
	s2 = must_stats(g);
	CHECK(s2.session_regions == s0.session_regions &&
	      s2.session_in_use == s0.session_in_use && s2.frees == s1.frees + 1,
	      "after free: %llu regions", (unsigned long long)s2.session_regions);
	gomem_close(g);
}

static void case_alloc_zeroed_aligned_writable(void)
{
	static const size_t sizes[] = { 1, 100, 4096, 5000, 65536 };
	static const size_t aligns[] = { 0, 8, 64, 4096 };
	struct gomem *g = must_open(0);
	struct gomem_info in = must_info(g);
	char *base = gomem_base(g), *held[5][4];

	/*
	 * Held until the end: a zeroed region may show the session's own old
	 * bytes, so one freed here could come back with the last pattern.
	 */
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t j = 0; j < sizeof(aligns) / sizeof(aligns[0]); j++) {
			size_t n = sizes[i], al = aligns[j];
			char *p = gomem_alloc(g, n, al, 0);

			CHECK(p, "alloc(%zu, %zu): %s", n, al, gomem_errname(errno));
			CHECK(p >= base && (uint64_t)(p - base) + n <= gomem_map_size(g),
			      "%p outside the mapping", (void *)p);
			CHECK((uint64_t)(p - base) % (al ? al : in.granule) == 0 &&
			      (uintptr_t)p % (al ? al : in.granule) == 0,
			      "alloc(%zu, %zu) at offset %td", n, al, p - base);
			CHECK(all_zero(p, n), "alloc(%zu) not zeroed", n);
			fill(p, n, (unsigned int)(i * 7 + j));
			CHECK(check_fill(p, n, (unsigned int)(i * 7 + j)) < 0, "readback");
			held[i][j] = p;
		}
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (size_t j = 0; j < sizeof(aligns) / sizeof(aligns[0]); j++)
			CHECK_RET(gomem_free(g, held[i][j], sizes[i]), 0);
	/* NOZERO is accepted; the bytes are whatever they were. */
	{
		char *p = gomem_alloc(g, 256, 0, GOMEM_ALLOC_NOZERO);

		CHECK(p, "alloc NOZERO: %s", gomem_errname(errno));
		memset(p, 0xAB, 256);
		CHECK_RET(gomem_free(g, p, 256), 0);
	}
	gomem_close(g);
}

static void case_alloc_errors_null_errno(void)
{
	struct gomem *g = must_open(0);
	struct gomem_info in = must_info(g);
	struct gomem_stats s0 = must_stats(g), s1;

	CHECK_NULL_ERRNO(gomem_alloc(g, 0, 0, 0), EINVAL);
	CHECK_NULL_ERRNO(gomem_alloc(g, 64, 3, 0), EINVAL);
	CHECK_NULL_ERRNO(gomem_alloc(g, 64, 2 * (size_t)in.page_size, 0), EINVAL);
	CHECK_NULL_ERRNO(gomem_alloc(g, 64, 0, 0x80), EINVAL);
	CHECK_NULL_ERRNO(gomem_alloc(g, in.max_size + 1, 0, 0), EINVAL);
	CHECK_NULL_ERRNO(gomem_alloc(g, SIZE_MAX, 0, 0), EINVAL);
	s1 = must_stats(g);
	CHECK(s1.session_regions == s0.session_regions, "a failed alloc left a region");
	gomem_close(g);
}

static void case_alloc_until_enomem(void)
{
	struct gomem *g = must_open(0);
	struct gomem_info in = must_info(g);
	struct gomem_stats s0 = must_stats(g), s1;
	uint64_t piece = in.max_chunk, limit = in.max_size / piece * 2 + 8;
	void **ptrs = calloc(limit, sizeof(*ptrs));
	uint64_t n = 0;

	CHECK(ptrs, "calloc");
	for (;;) {
		CHECK(n < limit, "%llu allocations of %llu bytes and no ENOMEM",
		      (unsigned long long)n, (unsigned long long)piece);
		errno = 0;
		ptrs[n] = gomem_alloc(g, piece, 0, GOMEM_ALLOC_NOZERO);
		if (!ptrs[n])
			break;
		n++;
	}
	CHECK(errno == ENOMEM, "allocation %llu failed with %s, want ENOMEM",
	      (unsigned long long)n, gomem_errname(errno));
	CHECK(n * piece <= in.max_size, "%llu bytes held, max_size %llu",
	      (unsigned long long)(n * piece), (unsigned long long)in.max_size);
	/* The last byte of each region is reachable. */
	for (uint64_t i = 0; i < n; i++)
		((char *)ptrs[i])[piece - 1] = 1;
	for (uint64_t i = 0; i < n; i++)
		CHECK_RET(gomem_free(g, ptrs[i], piece), 0);
	s1 = must_stats(g);
	CHECK(s1.session_in_use == s0.session_in_use, "leaked");
	CHECK(s1.failed_allocs > s0.failed_allocs, "failed_allocs not counted");
	gomem_trim(g, NULL);
	free(ptrs);
	gomem_close(g);
}

static void case_ptr_offset_round_trip(void)
{
	struct gomem *g = must_open(0);
	char *base = gomem_base(g), stack = 0;
	uint64_t ms = gomem_map_size(g);
	char *p = gomem_alloc(g, 300, 0, 0);
	int64_t off;

	CHECK(p, "alloc: %s", gomem_errname(errno));
	off = gomem_offset(g, p);
	CHECK(off >= 0 && (uint64_t)off < ms && base + off == p, "offset %lld",
	      (long long)off);
	CHECK(gomem_ptr(g, (uint64_t)off) == p, "ptr(offset(p)) != p");
	CHECK(gomem_offset(g, base) == 0, "offset(base)");
	CHECK(gomem_offset(g, base + ms - 1) == (int64_t)(ms - 1), "last byte");
	CHECK(gomem_ptr(g, 0) == base && gomem_ptr(g, ms - 1) == base + ms - 1,
	      "ptr at the edges");
	CHECK_NULL_ERRNO(gomem_ptr(g, ms), EINVAL);
	CHECK_NULL_ERRNO(gomem_ptr(g, UINT64_MAX), EINVAL);
	CHECK_RET(gomem_offset(g, base + ms), -EINVAL);
	CHECK_RET(gomem_offset(g, base - 1), -EINVAL);
	CHECK_RET(gomem_offset(g, NULL), -EINVAL);
	CHECK_RET(gomem_offset(g, &stack), -EINVAL);
	CHECK_RET(gomem_free(g, p, 300), 0);
	gomem_close(g);
}

static void case_lib_partial_free_head_middle_tail(void)
{
	struct gomem *g = must_open(0);
	struct gomem_info in = must_info(g);
	uint64_t gr = in.granule, n = 16 * gr;
	struct gomem_stats s0 = must_stats(g), s;
	char *p = gomem_alloc(g, n, 0, 0), stack = 0;

	CHECK(p, "alloc: %s", gomem_errname(errno));
	fill(p, n, 5);
	CHECK_RET(gomem_free(g, p + 6 * gr, 4 * gr), 0);	/* middle */
	CHECK_RET(gomem_free(g, p, 2 * gr), 0);		/* head */
	CHECK_RET(gomem_free(g, p + 14 * gr, 2 * gr), 0);	/* tail */
	s = must_stats(g);
	CHECK(s.session_in_use == s0.session_in_use + 8 * gr, "in use %llu",
	      (unsigned long long)(s.session_in_use - s0.session_in_use));
	/* What is left is untouched. */
	{
		char *want = malloc(n);

		CHECK(want, "malloc");
		fill(want, n, 5);
		CHECK(!memcmp(p + 2 * gr, want + 2 * gr, 4 * gr) &&
		      !memcmp(p + 10 * gr, want + 10 * gr, 4 * gr),
		      "the parts kept changed");
		free(want);
	}
	CHECK_RET(gomem_free(g, p + 6 * gr, 4 * gr), -EINVAL);	/* again */
	CHECK_RET(gomem_free(g, p + 5 * gr, 2 * gr), -EINVAL);	/* overlaps */
	CHECK_RET(gomem_free(g, NULL, 16), -EINVAL);
	CHECK_RET(gomem_free(g, &stack, 1), -EINVAL);
	CHECK_RET(gomem_free(g, (char *)gomem_base(g) + gomem_map_size(g), 1),
		  -EINVAL);
	CHECK_RET(gomem_free(g, p + 2 * gr, 4 * gr), 0);
	CHECK_RET(gomem_free(g, p + 10 * gr, 4 * gr), 0);
	s = must_stats(g);
	CHECK(s.session_in_use == s0.session_in_use &&
	      s.session_regions == s0.session_regions, "not all freed");
	gomem_close(g);
}

static void case_free_rest_keeps_head(void)
{
	struct gomem *g = must_open(0);
	struct gomem_info in = must_info(g);
	uint64_t gr = in.granule, n = 64 * gr;
	struct gomem_stats s0 = must_stats(g), s;
	char *p = gomem_alloc(g, n, 0, 0), *q;

	CHECK(p, "alloc: %s", gomem_errname(errno));
	fill(p, n, 9);
	CHECK_RET(gomem_free_rest(g, p, n, n + 1), -EINVAL);
	CHECK_RET(gomem_free_rest(g, p, n, n), 0);	/* nothing to free */
	s = must_stats(g);
	CHECK(s.session_in_use == s0.session_in_use + n, "keep all freed some");
	CHECK_RET(gomem_free_rest(g, p, n, 3 * gr - 1), 0);
	s = must_stats(g);
	CHECK(s.session_in_use == s0.session_in_use + 3 * gr, "kept %llu, want %llu",
	      (unsigned long long)(s.session_in_use - s0.session_in_use),
	      (unsigned long long)(3 * gr));
	CHECK(check_fill(p, 3 * gr, 9) < 0, "head changed");
	CHECK_RET(gomem_free_rest(g, p, n, 3 * gr), -EINVAL);	/* tail gone */
	CHECK_RET(gomem_free_rest(g, p, 3 * gr, 0), 0);		/* all */
	s = must_stats(g);
	CHECK(s.session_in_use == s0.session_in_use, "free_rest keep 0");
	CHECK_RET(gomem_free_rest(g, NULL, 10, 0), -EINVAL);
	q = gomem_alloc(g, gr, 0, 0);
	CHECK(q, "alloc: %s", gomem_errname(errno));
	CHECK_RET(gomem_free_rest(g, q, gr, 1), 0);	/* one granule: kept */
	CHECK_RET(gomem_free(g, q, gr), 0);
	gomem_close(g);
}

struct pipe_pair {
	int to_parent[2];
	int to_child[2];
};

static void other_session_child(void *arg)
{
	struct pipe_pair *pp = arg;
	struct gomem *g = gomem_open(g_dev, GOMEM_LIB_NOCACHE);
	char *p, c;
	uint64_t off;

	if (!g)
		_exit(10);
	p = gomem_alloc(g, 4096, 0, 0);
	if (!p)
		_exit(11);
	fill(p, 4096, 77);
	off = (uint64_t)gomem_offset(g, p);
	if (write(pp->to_parent[1], &off, sizeof(off)) != sizeof(off))
		_exit(12);
	if (read(pp->to_child[0], &c, 1) != 1)
		_exit(13);
	_exit(gomem_free(g, p, 4096) ? 14 : 0);
}

static void case_lib_free_other_session_eperm(void)
{
	struct gomem *g = must_open(0);
	struct pipe_pair pp;
	uint64_t off;
	pid_t pid;
	int st;
	char *p;

	CHECK(!pipe(pp.to_parent) && !pipe(pp.to_child), "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid)
		other_session_child(&pp);
	CHECK(read(pp.to_parent[0], &off, sizeof(off)) == sizeof(off),
	      "no offset from the child");
	p = gomem_ptr(g, off);
	CHECK(p, "ptr(%llu): %s", (unsigned long long)off, gomem_errname(errno));
	CHECK(check_fill(p, 4096, 77) < 0, "the other session's bytes differ");
	CHECK_RET(gomem_free(g, p, 4096), -EPERM);
	CHECK_RET(gomem_free_rest(g, p, 4096, 100), -EPERM);
	{
		struct gomem_region r = { p, 4096, 0 };

		CHECK_RET(gomem_free_batch(g, &r, 1), 0);
		CHECK(r.result == -EPERM, "batch entry %d", r.result);
	}
	CHECK(write(pp.to_child[1], "x", 1) == 1, "write");
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
	gomem_close(g);
}

/* The peer: another program (exec'd), its own session and mapping. */
static int peer_main(int argc, char **argv)
{
	uint64_t off, len;
	unsigned int seed;
	struct gomem *g;
	char line[64], *p, *q;

	if (argc != 5)
		return 2;
	off = strtoull(argv[2], NULL, 0);
	len = strtoull(argv[3], NULL, 0);
	seed = (unsigned int)strtoul(argv[4], NULL, 0);
	g = gomem_open(g_dev, GOMEM_LIB_NOCACHE);
	if (!g) {
		printf("ERR open %s\n", gomem_errname(errno));
		return 1;
	}
	p = gomem_ptr(g, off);
	if (!p || check_fill(p, len, seed) >= 0) {
		printf("ERR the parent's region differs at %ld\n",
		       p ? check_fill(p, len, seed) : -2L);
		return 1;
	}
	q = gomem_alloc(g, len, 0, 0);
	if (!q) {
		printf("ERR alloc %s\n", gomem_errname(errno));
		return 1;
	}
	fill(q, len, seed + 1);
	printf("OFFSET %lld BASE %p\n", (long long)gomem_offset(g, q),
	       gomem_base(g));
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	if (gomem_free(g, q, len)) {
		printf("ERR free\n");
		return 1;
	}
	printf("FREED\n");
	return gomem_close(g) ? 1 : 0;
}

static void case_offsets_across_processes(void)
{
	struct gomem *g = must_open(0);
	size_t len = 3 * 4096 + 123;
	char *p = gomem_alloc(g, len, 0, 0), *q, line[256], arg[3][32];
	struct gomem_stats s0, s1;
	int in[2], out[2], st;
	long long qoff;
	FILE *f;
	pid_t pid;

	CHECK(p, "alloc: %s", gomem_errname(errno));
	fill(p, len, 31);
	s0 = must_stats(g);
	snprintf(arg[0], sizeof(arg[0]), "%lld", (long long)gomem_offset(g, p));
	snprintf(arg[1], sizeof(arg[1]), "%zu", len);
	snprintf(arg[2], sizeof(arg[2]), "%u", 31);
	CHECK(!pipe(in) && !pipe(out), "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(g_self, g_self, "--peer", arg[0], arg[1], arg[2], (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	f = fdopen(out[0], "r");
	CHECK(f && fgets(line, sizeof(line), f), "no line from the peer");
	CHECK(sscanf(line, "OFFSET %lld", &qoff) == 1, "peer: %s", line);
	q = gomem_ptr(g, (uint64_t)qoff);
	CHECK(q && check_fill(q, len, 32) < 0, "the peer's region differs here");
	s1 = must_stats(g);
	CHECK(s1.sessions >= s0.sessions + 1 || s1.sessions >= 2,
	      "sessions %llu", (unsigned long long)s1.sessions);
	/* Not ours: we may read it, not free it. */
	CHECK_RET(gomem_free(g, q, len), -EPERM);
	CHECK(write(in[1], "go\n", 3) == 3, "write");
	CHECK(fgets(line, sizeof(line), f) && !strncmp(line, "FREED", 5),
	      "peer: %s", line);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
	      "peer status %#x", st);
	fclose(f);
	close(in[1]);
	CHECK_RET(gomem_free(g, p, len), 0);
	gomem_close(g);
}

static void write_ro(void *arg)
{
	*(volatile char *)arg = 1;
}

static void case_readonly_consumer(void)
{
	struct gomem *g = must_open(0), *c = must_open(GOMEM_LIB_READONLY);
	struct gomem_info in = must_info(c);
	struct gomem_region r = { NULL, 64, 0 };
	struct gomem_release rel;
	char *p = gomem_alloc(g, 5000, 0, 0), *cp;
	int st;

	CHECK(p, "alloc: %s", gomem_errname(errno));
	fill(p, 5000, 3);
	CHECK(gomem_readonly(c) && (in.session_flags & GOMEM_SESSION_READONLY),
	      "consumer not read-only");
	must_stats(c);
	cp = gomem_ptr(c, (uint64_t)gomem_offset(g, p));
	CHECK(cp && check_fill(cp, 5000, 3) < 0, "consumer reads other bytes");
	memset(p, 0x5A, 10);	/* live: the same pages */
	CHECK(cp[9] == 0x5A, "consumer does not see the producer's write");
	CHECK_NULL_ERRNO(gomem_alloc(c, 64, 0, 0), EBADF);
	CHECK_RET(gomem_free(c, cp, 5000), -EBADF);
	CHECK_RET(gomem_trim(c, &rel), -EBADF);
	CHECK_RET(gomem_recycle_all(c, &rel), -EBADF);
	CHECK_RET(gomem_alloc_batch(c, &r, 1, 0, 0), -EBADF);
	CHECK(r.result == -EBADF && !r.ptr, "entry %d", r.result);
	r.ptr = cp;
	CHECK_RET(gomem_free_batch(c, &r, 1), -EBADF);
	{
		struct gomem_recyclable *rc = gomem_recyclable_new(c);
		void *ptrs[2];

		CHECK(rc, "recyclable_new");
		CHECK_NULL_ERRNO(gomem_recyclable_alloc(rc, 64), EBADF);
		CHECK_RET(gomem_recyclable_alloc_n(rc, 64, 2, ptrs), -EBADF);
		CHECK(gomem_recyclable_count(rc) == 0, "count");
		gomem_recyclable_destroy(rc);
	}
	/* The mapping is read-only: a write is SIGSEGV. */
	st = in_child(write_ro, cp);
	CHECK(st == SIGSEGV, "write through the read-only mapping: %d, want "
	      "SIGSEGV", st);
	CHECK_RET(gomem_free(g, p, 5000), 0);
	gomem_close(c);
	gomem_close(g);
}

static int cmp_region(const void *a, const void *b)
{
	const struct gomem_region *x = a, *y = b;

	return (uintptr_t)x->ptr < (uintptr_t)y->ptr ? -1 :
	       (uintptr_t)x->ptr > (uintptr_t)y->ptr;
}

static void check_disjoint(struct gomem *g, struct gomem_region *r, size_t n)
{
	struct gomem_info in = must_info(g);

	qsort(r, n, sizeof(*r), cmp_region);
	for (size_t i = 0; i + 1 < n; i++)
		CHECK((char *)r[i].ptr + round_up(r[i].size, in.granule) <=
		      (char *)r[i + 1].ptr, "regions %zu and %zu overlap", i, i + 1);
}

static void case_batch_alloc_free(void)
{
	struct gomem *g = must_open(0);
	struct gomem_stats s0 = must_stats(g), s;
	struct gomem_region r[100];
	size_t n = sizeof(r) / sizeof(r[0]);

	CHECK_RET(gomem_alloc_batch(g, r, 0, 0, 0), 0);
	CHECK_RET(gomem_free_batch(g, r, 0), 0);
	for (size_t i = 0; i < n; i++) {
		r[i].ptr = NULL;
		r[i].size = 16 + i * 40;
		r[i].result = 1;
	}
	CHECK_RET(gomem_alloc_batch(g, r, n, 0, 0), (long long)n);
	for (size_t i = 0; i < n; i++) {
		CHECK(r[i].result == 0 && r[i].ptr, "entry %zu: %d", i, r[i].result);
		CHECK(gomem_offset(g, r[i].ptr) >= 0, "entry %zu outside", i);
		CHECK(all_zero(r[i].ptr, r[i].size), "entry %zu not zeroed", i);
		fill(r[i].ptr, r[i].size, (unsigned int)i);
	}
	for (size_t i = 0; i < n; i++)
		CHECK(check_fill(r[i].ptr, r[i].size, (unsigned int)i) < 0,
		      "entry %zu overwritten", i);
	s = must_stats(g);
	CHECK(s.session_regions == s0.session_regions + n, "regions %llu",
	      (unsigned long long)(s.session_regions - s0.session_regions));
	check_disjoint(g, r, n);
	CHECK_RET(gomem_free_batch(g, r, n), (long long)n);
	for (size_t i = 0; i < n; i++)
		CHECK(r[i].result == 0, "free entry %zu: %d", i, r[i].result);
	s = must_stats(g);
	CHECK(s.session_regions == s0.session_regions &&
	      s.session_in_use == s0.session_in_use, "batch free left regions");

	/* Alignment and NOZERO apply to every entry. */
	for (size_t i = 0; i < 8; i++)
		r[i].size = 100;
	CHECK_RET(gomem_alloc_batch(g, r, 8, 4096, GOMEM_ALLOC_NOZERO), 8);
	for (size_t i = 0; i < 8; i++)
		CHECK(gomem_offset(g, r[i].ptr) % 4096 == 0, "entry %zu unaligned", i);
	CHECK_RET(gomem_free_batch(g, r, 8), 8);
	gomem_close(g);
}

static void case_batch_larger_than_kernel_max(void)
{
	struct gomem *g = must_open(0);
	struct gomem_stats s0 = must_stats(g), s;
	size_t n = GOMEM_BATCH_MAX + 476;
	struct gomem_region *r = calloc(n, sizeof(*r));

	CHECK(r, "calloc");
	for (size_t i = 0; i < n; i++)
		r[i].size = 64;
	CHECK_RET(gomem_alloc_batch(g, r, n, 0, 0), (long long)n);
	s = must_stats(g);
	CHECK(s.session_regions == s0.session_regions + n, "regions");
	check_disjoint(g, r, n);
	CHECK_RET(gomem_free_batch(g, r, n), (long long)n);
	s = must_stats(g);
	CHECK(s.session_regions == s0.session_regions, "left regions");
	free(r);
	gomem_close(g);
}

static void case_batch_per_entry_results(void)
{
	struct gomem *g = must_open(0);
	struct gomem_stats s0 = must_stats(g), s;
	struct gomem_region r[4];
	char stack = 0;

	/* One bad size: that entry fails, the others do not. */
	for (int i = 0; i < 4; i++) {
		r[i].ptr = &stack;
		r[i].size = i == 2 ? 0 : 128;
		r[i].result = 1;
	}
	CHECK_RET(gomem_alloc_batch(g, r, 4, 0, 0), 3);
	CHECK(r[2].result == -EINVAL && !r[2].ptr, "entry 2: %d %p", r[2].result,
	      r[2].ptr);
	CHECK(!r[0].result && !r[1].result && !r[3].result, "good entries failed");
	/* A bad alignment or unknown flags fail the call as a whole. */
	{
		struct gomem_region b[2] = { { NULL, 64, 1 }, { NULL, 64, 1 } };
		struct gomem_info in = must_info(g);

		CHECK_RET(gomem_alloc_batch(g, b, 2, 3, 0), -EINVAL);
		CHECK(b[0].result == -EINVAL && b[1].result == -EINVAL &&
		      !b[0].ptr && !b[1].ptr, "entries with a bad alignment");
		CHECK_RET(gomem_alloc_batch(g, b, 2, 2 * (size_t)in.page_size, 0),
			  -EINVAL);
		b[0].result = b[1].result = 1;
		CHECK_RET(gomem_alloc_batch(g, b, 2, 0, 0x80), -EINVAL);
		CHECK(b[0].result == -EINVAL && b[1].result == -EINVAL &&
		      !b[0].ptr && !b[1].ptr, "entries of a refused call");
	}
	/* Free: entry 1 twice, a pointer outside the mapping, and NULL. */
	{
		struct gomem_region f[6] = {
			{ r[0].ptr, 128, 1 }, { r[1].ptr, 128, 1 },
			{ r[1].ptr, 128, 1 }, { &stack, 1, 1 },
			{ NULL, 1, 1 }, { r[3].ptr, 128, 1 },
		};

		CHECK_RET(gomem_free_batch(g, f, 6), 3);
		CHECK(!f[0].result && !f[1].result && !f[5].result,
		      "good frees failed: %d %d %d", f[0].result, f[1].result,
		      f[5].result);
		CHECK(f[2].result == -EINVAL && f[3].result == -EINVAL &&
		      f[4].result == -EINVAL, "bad frees: %d %d %d", f[2].result,
		      f[3].result, f[4].result);
	}
	s = must_stats(g);
	CHECK(s.session_regions == s0.session_regions, "left regions");
	gomem_close(g);
}

static void case_recyclable_batches(void)
{
	struct gomem *g = must_open(0);
	struct gomem_stats s0 = must_stats(g), s;
	struct gomem_recyclable *r = gomem_recyclable_new(g);
	void *ptrs[300], *one[10], *ext;
	uint64_t bytes = 0;

	CHECK(r, "recyclable_new: %s", gomem_errname(errno));
	CHECK(gomem_recyclable_count(r) == 0 && gomem_recyclable_bytes(r) == 0,
	      "new list not empty");
	for (int i = 0; i < 10; i++) {
		one[i] = gomem_recyclable_alloc(r, 100 + i);
		CHECK(one[i], "recyclable_alloc: %s", gomem_errname(errno));
		fill(one[i], 100 + i, i);
		bytes += 100 + i;
	}
	CHECK_RET(gomem_recyclable_alloc_n(r, 128, 300, ptrs), 0);
	bytes += 300 * 128;
	for (int i = 0; i < 300; i++) {
		CHECK(ptrs[i] && gomem_offset(g, ptrs[i]) >= 0, "ptr %d", i);
		fill(ptrs[i], 128, 1000 + i);
	}
	for (int i = 0; i < 10; i++)
		CHECK(check_fill(one[i], 100 + i, i) < 0, "region %d overwritten", i);
	ext = gomem_alloc(g, 4000, 0, 0);
	CHECK(ext, "alloc");
	CHECK_RET(gomem_recyclable_add(r, ext, 4000), 0);
	bytes += 4000;
	CHECK_RET(gomem_recyclable_add(r, NULL, 10), -EINVAL);
	CHECK_RET(gomem_recyclable_add(r, ext, 0), -EINVAL);
	CHECK(gomem_recyclable_count(r) == 311 && gomem_recyclable_bytes(r) == bytes,
	      "count %zu bytes %llu", gomem_recyclable_count(r),
	      (unsigned long long)gomem_recyclable_bytes(r));
	s = must_stats(g);
	CHECK(s.session_regions == s0.session_regions + 311, "regions %llu",
	      (unsigned long long)(s.session_regions - s0.session_regions));
	CHECK_RET(gomem_recyclable_recycle(r), 311);
	CHECK(gomem_recyclable_count(r) == 0 && gomem_recyclable_bytes(r) == 0,
	      "list not empty after recycle");
	s = must_stats(g);
	CHECK(s.session_regions == s0.session_regions &&
	      s.session_in_use == s0.session_in_use, "recycle left regions");
	CHECK_RET(gomem_recyclable_recycle(r), 0);	/* empty: nothing */

	/* All or nothing: a bad size allocates nothing. */
	CHECK_RET(gomem_recyclable_alloc_n(r, 0, 5, ptrs), -EINVAL);
	CHECK(gomem_recyclable_count(r) == 0 && !ptrs[0], "alloc_n failure kept some");
	CHECK_RET(gomem_recyclable_alloc_n(r, 64, 0, ptrs), 0);
	CHECK_NULL_ERRNO(gomem_recyclable_alloc(r, 0), EINVAL);

	/* A region freed by hand: recycle reports it and frees the rest. */
	CHECK_RET(gomem_recyclable_alloc_n(r, 256, 3, ptrs), 0);
	CHECK_RET(gomem_free(g, ptrs[1], 256), 0);
	CHECK_RET(gomem_recyclable_recycle(r), -EINVAL);
	CHECK(gomem_recyclable_count(r) == 0, "list not empty");
	s = must_stats(g);
	CHECK(s.session_regions == s0.session_regions, "regions left");

	/* Reused, then destroyed: destroy recycles. */
	CHECK_RET(gomem_recyclable_alloc_n(r, 512, 40, ptrs), 0);
	gomem_recyclable_destroy(r);
	s = must_stats(g);
	CHECK(s.session_regions == s0.session_regions &&
	      s.session_in_use == s0.session_in_use, "destroy left regions");
	gomem_close(g);
}

/* Allocate what cannot fit in the chunks there are: the arena grows. */
static void *alloc_grow(struct gomem *g, size_t *size)
{
	struct gomem_info in = must_info(g);
	struct gomem_stats s = must_stats(g);
	void *p;

	*size = s.largest_free + in.granule;
	if (*size > in.max_chunk)
		*size = in.max_chunk;
	if (*size <= s.largest_free)	/* a chunk of max_chunk is free */
		*size = in.max_chunk + in.granule;
	p = gomem_alloc(g, *size, 0, GOMEM_ALLOC_NOZERO);
	CHECK(p, "alloc(%zu) to grow: %s", *size, gomem_errname(errno));
	return p;
}

static void case_mapping_stable_across_growth(void)
{
	struct gomem *g = must_open(0);
	struct gomem_stats s0, s1;
	char *base = gomem_base(g), *p, *q;
	size_t qn;

	gomem_trim(g, NULL);
	p = gomem_alloc(g, 1000, 0, 0);
	CHECK(p, "alloc: %s", gomem_errname(errno));
	fill(p, 1000, 44);
	s0 = must_stats(g);
	q = alloc_grow(g, &qn);
	s1 = must_stats(g);
	CHECK(s1.grows > s0.grows && s1.chunks > s0.chunks,
	      "no growth: grows %llu -> %llu", (unsigned long long)s0.grows,
	      (unsigned long long)s1.grows);
	CHECK(gomem_base(g) == base && check_fill(p, 1000, 44) < 0,
	      "the old region moved or changed");
	/* The mapping made at open reaches the new chunk, first to last. */
	q[0] = 1;
	q[qn - 1] = 2;
	CHECK(q[0] == 1 && q[qn - 1] == 2, "new chunk not writable");
	CHECK_RET(gomem_free(g, q, qn), 0);
	CHECK_RET(gomem_free(g, p, 1000), 0);
	gomem_close(g);
}

static void touch(void *arg)
{
	(void)*(volatile char *)arg;
}

static void case_recycle_all_and_trim(void)
{
	struct gomem *g = must_open(0);
	struct gomem_info in = must_info(g);
	struct gomem_stats s0, s1, s2;
	struct gomem_release rel = { 1, 1 };
	size_t qn;
	char *q, *p[5];
	uint64_t want = 0;
	int st;

	CHECK_RET(gomem_recycle_all(g, &rel), 0);
	CHECK(rel.count == 0 && rel.bytes == 0, "a new session recycled %llu",
	      (unsigned long long)rel.count);
	gomem_trim(g, NULL);
	for (int i = 0; i < 5; i++) {
		p[i] = gomem_alloc(g, 1000 * (i + 1), 0, 0);
		CHECK(p[i], "alloc");
		want += round_up(1000 * (i + 1), in.granule);
	}
	q = alloc_grow(g, &qn);
	want += round_up(qn, in.granule);
	s0 = must_stats(g);
	CHECK_RET(gomem_recycle_all(g, &rel), 0);
	CHECK(rel.count == 6 && rel.bytes == want, "recycled %llu regions %llu "
	      "bytes, want 6, %llu", (unsigned long long)rel.count,
	      (unsigned long long)rel.bytes, (unsigned long long)want);
	s1 = must_stats(g);
	CHECK(s1.session_regions == 0 && s1.session_in_use == 0, "session not empty");
	CHECK_RET(gomem_trim(g, &rel), 0);
	CHECK_RET(gomem_trim(g, NULL), 0);
	s2 = must_stats(g);
	CHECK(s2.chunks + rel.count == s1.chunks &&
	      s2.trimmed >= s1.trimmed + rel.count &&
	      s2.capacity + rel.bytes == s1.capacity,
	      "trim released %llu chunks %llu bytes; chunks %llu -> %llu",
	      (unsigned long long)rel.count, (unsigned long long)rel.bytes,
	      (unsigned long long)s1.chunks, (unsigned long long)s2.chunks);
	if (s0.sessions == 1) {
		/* Nobody else holds anything: the grown chunk went back,
		 * and the pointer into it is SIGBUS now. */
		CHECK(rel.count >= 1, "trim released nothing");
		st = in_child(touch, q);
		CHECK(st == SIGBUS, "touching a trimmed chunk: %d, want SIGBUS",
		      st);
	}
	gomem_close(g);
}

static void case_close_returns_regions(void)
{
	struct gomem *w = must_open(GOMEM_LIB_READONLY), *g;
	struct gomem_stats s0 = must_stats(w), s1, s2;
	struct gomem_recyclable *r;
	void *ptrs[20];

	g = must_open(0);
	r = gomem_recyclable_new(g);
	CHECK(gomem_alloc(g, 10000, 0, 0) && gomem_alloc(g, 100, 0, 0), "alloc");
	CHECK(r && !gomem_recyclable_alloc_n(r, 64, 20, ptrs), "alloc_n");
	s1 = must_stats(w);
	CHECK(s1.in_use > s0.in_use && s1.sessions == s0.sessions + 1,
	      "open: in_use %llu (was %llu), sessions %llu (was %llu)",
	      (unsigned long long)s1.in_use, (unsigned long long)s0.in_use,
	      (unsigned long long)s1.sessions, (unsigned long long)s0.sessions);
	/* No destroy of r: close alone gives everything back. */
	CHECK_RET(gomem_close(g), 0);
	s2 = must_stats(w);
	CHECK(s2.in_use == s0.in_use && s2.sessions == s0.sessions,
	      "after close: in_use %llu (was %llu), sessions %llu (was %llu)",
	      (unsigned long long)s2.in_use, (unsigned long long)s0.in_use,
	      (unsigned long long)s2.sessions, (unsigned long long)s0.sessions);
	/* r is left alone: destroying it after gomem_close(g) is not allowed
	 * (it would recycle through a closed handle); the process exits. */
	gomem_close(w);
}

struct thr {
	struct gomem *g;
	int id;
	int errors;
	char why[128];
};

static void *thread_fn(void *arg)
{
	struct thr *t = arg;

	for (int i = 0; i < 2000 && !t->errors; i++) {
		size_t n = 64 + (size_t)(i % 7) * 96;
		char *p = gomem_alloc(t->g, n, 0, 0);

		if (!p) {
			snprintf(t->why, sizeof(t->why), "alloc: %s", gomem_errname(errno));
			t->errors++;
			break;
		}
		fill(p, n, t->id * 10000 + i);
		sched_yield();
		if (check_fill(p, n, t->id * 10000 + i) >= 0) {
			snprintf(t->why, sizeof(t->why), "bytes changed");
			t->errors++;
		}
		if (gomem_free(t->g, p, n)) {
			snprintf(t->why, sizeof(t->why), "free failed");
			t->errors++;
		}
	}
	return NULL;
}

static void case_threads_share_handle(void)
{
	struct gomem *g = must_open(0);
	struct gomem_stats s0 = must_stats(g), s;
	pthread_t th[4];
	struct thr t[4];

	for (int i = 0; i < 4; i++) {
		t[i] = (struct thr){ .g = g, .id = i + 1 };
		CHECK(!pthread_create(&th[i], NULL, thread_fn, &t[i]), "pthread_create");
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 4; i++)
		CHECK(!t[i].errors, "thread %d: %s", i, t[i].why);
	s = must_stats(g);
	CHECK(s.session_regions == s0.session_regions &&
	      s.session_in_use == s0.session_in_use, "threads left regions");
	gomem_close(g);
}

static void case_fork_child_shares_handle(void)
{
	struct gomem *g = must_open(0);
	char *p = gomem_alloc(g, 8192, 0, 0), *q = gomem_alloc(g, 100, 0, 0);
	struct gomem_stats s0, s;
	pid_t pid;
	int st;

	CHECK(p && q, "alloc");
	s0 = must_stats(g);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		/* Same session, same mapping: write, and free the parent's. */
		fill(p, 8192, 66);
		_exit(gomem_free(g, q, 100) ? 1 : 0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
	      "child status %#x", st);
	CHECK(check_fill(p, 8192, 66) < 0, "the child's write is not seen");
	s = must_stats(g);
	CHECK(s.session_regions == s0.session_regions - 1, "child's free not seen");
	CHECK_RET(gomem_free(g, p, 8192), 0);
	gomem_close(g);
}

static void case_cxx_device_round_trip(void)
{
	char why[256] = "";

	CHECK(!gomem_cxx_unit(g_dev, why, sizeof(why)), "%s", why);
}

/* ---- hand-off: share tokens, claims, references ---- */

/* FNV-1a: a frame's checksum, computed by whoever wrote it and checked by
 * whoever reads it. */
static uint32_t sum32(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint32_t h = 2166136261u;

	while (n--) {
		h ^= *c++;
		h *= 16777619u;
	}
	return h;
}

#define CHECK_STAT(st, field, want)					\
	CHECK((st).field == (uint64_t)(want), "%s = %llu, want %llu",	\
	      #st "." #field, (unsigned long long)(st).field,		\
	      (unsigned long long)(want))

static void case_share_claim_maps_shared_range(void)
{
	struct gomem *g = must_open(0), *c = must_open(GOMEM_LIB_READONLY);
	struct gomem_info in = must_info(g);
	uint64_t n = 3 * (uint64_t)in.page_size, rn = round_up(n, in.granule);
	struct gomem_stats g0 = must_stats(g), c0 = must_stats(c), s;
	char *p = gomem_alloc(g, n, 0, 0), *q, *q2;
	uint64_t tok = 0;
	size_t size = 0;

	CHECK(p, "alloc: %s", gomem_errname(errno));
	fill(p, n, 21);
	/* A range inside the region, not aligned: 5000 bytes at +100. */
	CHECK_RET(gomem_share(g, p + 100, 5000, 2, &tok), 0);
	CHECK(tok != 0, "token 0");
	s = must_stats(g);
	CHECK_STAT(s, session_tokens, g0.session_tokens + 1);
	CHECK_STAT(s, tokens, g0.tokens + 1);
	CHECK_STAT(s, in_use, g0.in_use + rn);

	q = gomem_claim(c, tok, &size);
	CHECK(q, "claim: %s", gomem_errname(errno));
	CHECK(q == (char *)gomem_base(c) + gomem_offset(g, p) + 100 && size == 5000,
	      "claim gave offset %lld size %zu, want %lld and 5000",
	      (long long)gomem_offset(c, q), size,
	      (long long)gomem_offset(g, p) + 100);
	CHECK(!memcmp(q, p + 100, 5000), "the claimed range reads other bytes");
	memset(p + 100, 0x77, 16);	/* the same pages, live */
	CHECK(q[15] == 0x77, "the claimer does not see the owner's write");
	s = must_stats(c);
	CHECK_STAT(s, session_refs, c0.session_refs + 1);
	CHECK_STAT(s, session_ref_bytes, c0.session_ref_bytes + rn);
	CHECK_STAT(s, refs, c0.refs + 1);
	CHECK_STAT(s, tokens, c0.tokens + 1);	/* one claim left */

	/* The second claim, by the same session: one reference, two claims;
	 * the token is used up. */
	q2 = gomem_claim(c, tok, NULL);
	CHECK(q2 == q, "second claim %p, first %p", (void *)q2, (void *)q);
	s = must_stats(c);
	CHECK_STAT(s, session_refs, c0.session_refs + 1);
	CHECK_STAT(s, tokens, c0.tokens);
	CHECK_STAT(must_stats(g), session_tokens, g0.session_tokens);
	CHECK_NULL_ERRNO(gomem_claim(c, tok, &size), ENOENT);
	CHECK_NULL_ERRNO(gomem_claim(g, tok, &size), ENOENT);

	/* A release per claim, then none. */
	CHECK_RET(gomem_release(c, q + 4999), 0);
	CHECK_STAT(must_stats(c), session_refs, c0.session_refs + 1);
	CHECK_RET(gomem_release(c, q), 0);
	CHECK_STAT(must_stats(c), session_refs, c0.session_refs);
	CHECK_RET(gomem_release(c, q), -EINVAL);
	CHECK_RET(gomem_free(g, p, n), 0);
	s = must_stats(g);
	CHECK_STAT(s, in_use, g0.in_use);
	CHECK_STAT(s, refs, g0.refs);
	CHECK_STAT(s, tokens, g0.tokens);
	gomem_close(c);
	gomem_close(g);
}

/* What a producer child sends: its frame's token, offset, size, sum. */
struct frame_msg {
	uint64_t token;
	uint64_t offset;
	uint64_t size;
	uint32_t sum;
	uint32_t pad;
};

/*
 * A producer in a child process with its own session: a frame of @size
 * bytes shared for @claims claims, announced on @fd; then it waits to be
 * killed (@wait) or exits at once without freeing anything.
 */
static pid_t start_producer(int fd, size_t size, uint32_t claims, bool wait)
{
	pid_t pid = fork();

	CHECK(pid >= 0, "fork: %s", gomem_errname(errno));
	if (!pid) {
		struct gomem *g = gomem_open(g_dev, GOMEM_LIB_NOCACHE);
		struct frame_msg m = { 0, 0, size, 0, 0 };
		char *p;

		if (!g)
			_exit(10);
		p = gomem_alloc(g, size, 0, 0);
		if (!p)
			_exit(11);
		fill(p, size, 99);
		m.sum = sum32(p, size);
		m.offset = (uint64_t)gomem_offset(g, p);
		if (gomem_share(g, p, 0, claims, &m.token))
			_exit(12);
		if (write(fd, &m, sizeof(m)) != sizeof(m))
			_exit(13);
		while (wait)
			pause();
		_exit(0);	/* the kernel reclaims the session */
	}
	return pid;
}

static struct frame_msg read_frame_msg(int fd)
{
	struct frame_msg m;

	CHECK(read(fd, &m, sizeof(m)) == sizeof(m), "no frame from the producer");
	return m;
}

static void case_claimed_frame_survives_producer_kill(void)
{
	struct gomem *a = must_open(GOMEM_LIB_READONLY), *b = must_open(0);
	struct gomem_info in = must_info(a);
	size_t n = 65536, rn = round_up(n, in.granule);
	struct gomem_stats s0 = must_stats(a), s1, s2;
	struct frame_msg m;
	char *pa, *pb;
	size_t sa = 0, sb = 0;
	int fds[2], st;
	pid_t pid;

	CHECK(!pipe(fds), "pipe");
	pid = start_producer(fds[1], n, 2, true);
	m = read_frame_msg(fds[0]);
	pa = gomem_claim(a, m.token, &sa);
	pb = gomem_claim(b, m.token, &sb);
	CHECK(pa && pb, "claims: %p %p (%s)", (void *)pa, (void *)pb,
	      gomem_errname(errno));
	CHECK(sa == n && sb == n && gomem_offset(a, pa) == (int64_t)m.offset &&
	      gomem_offset(b, pb) == (int64_t)m.offset,
	      "claims gave sizes %zu %zu", sa, sb);
	s1 = must_stats(a);
	CHECK_STAT(s1, in_use, s0.in_use + rn);
	CHECK_STAT(s1, refs, s0.refs + 2);
	CHECK_STAT(s1, tokens, s0.tokens);	/* both claims taken */
	CHECK_STAT(s1, orphans, s0.orphans);

	/* kill -9: the producer's session goes, its frame stays, ownerless. */
	CHECK(!kill(pid, SIGKILL), "kill: %s", gomem_errname(errno));
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	      WTERMSIG(st) == SIGKILL, "producer status %#x", st);
	s2 = must_stats(a);
	CHECK_STAT(s2, sessions, s0.sessions);
	CHECK_STAT(s2, in_use, s0.in_use + rn);
	CHECK_STAT(s2, orphans, s0.orphans + 1);
	CHECK_STAT(s2, orphan_bytes, s0.orphan_bytes + rn);
	CHECK_STAT(s2, refs, s0.refs + 2);
	CHECK(sum32(pa, n) == m.sum && check_fill(pa, n, 99) < 0 &&
	      sum32(pb, n) == m.sum, "the frame changed after the producer died");

	/* The last holder to let go returns it. */
	CHECK_RET(gomem_release(a, pa), 0);
	s2 = must_stats(a);
	CHECK_STAT(s2, in_use, s0.in_use + rn);
	CHECK_STAT(s2, orphans, s0.orphans + 1);
	CHECK(sum32(pb, n) == m.sum, "the frame changed while b holds it");
	CHECK_RET(gomem_release(b, pb), 0);
	s2 = must_stats(a);
	CHECK_STAT(s2, in_use, s0.in_use);
	CHECK_STAT(s2, orphans, s0.orphans);
	CHECK_STAT(s2, orphan_bytes, s0.orphan_bytes);
	CHECK_STAT(s2, refs, s0.refs);
	close(fds[0]);
	close(fds[1]);
	gomem_close(b);
	gomem_close(a);
}

static void case_unclaimed_token_dies_with_its_maker(void)
{
	struct gomem *c = must_open(GOMEM_LIB_READONLY);
	struct gomem_info in = must_info(c);
	struct gomem_stats s0 = must_stats(c), s;
	struct frame_msg m1, m2;
	size_t size = 0;
	char *p;
	int fds[2], st;
	pid_t pid;

	CHECK(!pipe(fds), "pipe");
	/* Never claimed: the frame goes with its producer. */
	pid = start_producer(fds[1], 8192, 1, false);
	m1 = read_frame_msg(fds[0]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
	      "producer status %#x", st);
	CHECK_NULL_ERRNO(gomem_claim(c, m1.token, &size), ENOENT);
	s = must_stats(c);
	CHECK_STAT(s, in_use, s0.in_use);
	CHECK_STAT(s, tokens, s0.tokens);
	/* Claimed once of two: the reference keeps the frame, the second
	 * claim went with the producer. */
	pid = start_producer(fds[1], 8192, 2, true);
	m2 = read_frame_msg(fds[0]);
	CHECK(m2.token != m1.token, "a token value came back");
	p = gomem_claim(c, m2.token, &size);
	CHECK(p && size == 8192, "claim: %s", gomem_errname(errno));
	kill(pid, SIGKILL);
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	CHECK_NULL_ERRNO(gomem_claim(c, m2.token, &size), ENOENT);
	s = must_stats(c);
	CHECK_STAT(s, in_use, s0.in_use + round_up(8192, in.granule));
	CHECK_STAT(s, tokens, s0.tokens);
	CHECK(sum32(p, 8192) == m2.sum, "the frame changed");
	CHECK_RET(gomem_release(c, p), 0);
	CHECK_STAT(must_stats(c), in_use, s0.in_use);
	close(fds[0]);
	close(fds[1]);
	gomem_close(c);
}

static void case_cancel_withdraws_token(void)
{
	struct gomem *g = must_open(0), *c = must_open(GOMEM_LIB_READONLY);
	struct gomem_stats s0 = must_stats(g), s;
	char *p = gomem_alloc(g, 4096, 0, 0), *q;
	uint64_t t1, t2;

	CHECK(p, "alloc: %s", gomem_errname(errno));
	CHECK_RET(gomem_share(g, p, 0, 3, &t1), 0);
	q = gomem_claim(c, t1, NULL);
	CHECK(q, "claim: %s", gomem_errname(errno));
	CHECK_RET(gomem_cancel(c, t1), -EPERM);		/* not c's token */
	CHECK_RET(gomem_cancel(g, t1), 0);
	CHECK_NULL_ERRNO(gomem_claim(c, t1, NULL), ENOENT);
	CHECK_RET(gomem_cancel(g, t1), -ENOENT);
	s = must_stats(g);
	CHECK_STAT(s, tokens, s0.tokens);
	CHECK_STAT(s, session_tokens, s0.session_tokens);
	CHECK_STAT(s, refs, s0.refs + 1);		/* the claim stands */
	/* A read-only session cancels its own token. */
	CHECK_RET(gomem_share(c, q, 0, 1, &t2), 0);
	CHECK(t2 != t1, "the same token twice");
	CHECK_RET(gomem_cancel(g, t2), -EPERM);
	CHECK_RET(gomem_cancel(c, t2), 0);
	CHECK_RET(gomem_cancel(c, 0), -ENOENT);
	CHECK_RET(gomem_cancel(c, t1 ^ 1), -ENOENT);
	/* Cancel left the region with its owner and c's reference. */
	CHECK_RET(gomem_free(g, p, 4096), 0);
	CHECK_STAT(must_stats(g), in_use, s0.in_use + 4096);
	CHECK_RET(gomem_release(c, q), 0);
	s = must_stats(g);
	CHECK_STAT(s, in_use, s0.in_use);
	CHECK_STAT(s, tokens, s0.tokens);
	CHECK_STAT(s, refs, s0.refs);
	gomem_close(c);
	gomem_close(g);
}

static void case_shared_region_freed_only_whole(void)
{
	struct gomem *g = must_open(0), *c = must_open(0);
	struct gomem_info in = must_info(g);
	uint64_t gr = in.granule, n = 16 * gr;
	struct gomem_stats s0 = must_stats(g), s;
	char *p = gomem_alloc(g, n, 0, 0), *q;
	uint64_t tok;

	CHECK(p, "alloc: %s", gomem_errname(errno));
	fill(p, n, 8);
	CHECK_RET(gomem_share(g, p + 4 * gr, 4 * gr, 1, &tok), 0);
	/* The token alone makes it shared: no part of it may go. */
	CHECK_RET(gomem_free(g, p + 12 * gr, 4 * gr), -EBUSY);
	CHECK_RET(gomem_free(g, p, gr), -EBUSY);
	CHECK_RET(gomem_free_rest(g, p, n, gr), -EBUSY);
	CHECK_STAT(must_stats(g), in_use, s0.in_use + n);
	q = gomem_claim(c, tok, NULL);
	CHECK(q == (char *)gomem_base(c) + gomem_offset(g, p) + 4 * gr,
	      "claim: %p (%s)", (void *)q, gomem_errname(errno));
	/* The holder by reference may not free it (it releases it). */
	CHECK_RET(gomem_free(c, q, 4 * gr), -EPERM);
	{
		struct gomem_region r = { q, 4 * gr, 1 };

		CHECK_RET(gomem_free_batch(c, &r, 1), 0);
		CHECK(r.result == -EPERM, "free_batch by the holder: %d", r.result);
	}
	/* The owner frees it whole: its hold goes, the bytes stay. */
	CHECK_RET(gomem_free(g, p, n), 0);
	s = must_stats(g);
	CHECK_STAT(s, session_regions, s0.session_regions);
	CHECK_STAT(s, session_in_use, s0.session_in_use);
	CHECK_STAT(s, in_use, s0.in_use + n);
	CHECK_STAT(s, orphans, s0.orphans + 1);
	CHECK_STAT(s, orphan_bytes, s0.orphan_bytes + n);
	CHECK_RET(gomem_free(g, p, n), -EPERM);	/* no longer its own */
	CHECK(check_fill(p, n, 8) < 0, "the bytes changed after the owner let go");
	/* Nor is it handed to a new allocation meanwhile. */
	{
		char *o = gomem_alloc(g, n, 0, 0);

		CHECK(o && (o + n <= p || o >= p + n), "a new region %p overlaps "
		      "the held one %p", (void *)o, (void *)p);
		CHECK_RET(gomem_free(g, o, n), 0);
	}
	CHECK_RET(gomem_release(c, q), 0);
	s = must_stats(g);
	CHECK_STAT(s, in_use, s0.in_use);
	CHECK_STAT(s, orphans, s0.orphans);
	gomem_close(c);
	gomem_close(g);
}

static void case_handoff_errors_change_nothing(void)
{
	struct gomem *g = must_open(0), *o = must_open(0);
	struct gomem_info in = must_info(g);
	char *p = gomem_alloc(g, 4096, 0, 0), *oq = gomem_alloc(o, 4096, 0, 0);
	char *op = oq ? gomem_ptr(g, (uint64_t)gomem_offset(o, oq)) : NULL;
	char *freed = gomem_alloc(g, in.granule, 0, 0);
	char *base = gomem_base(g), stack = 0;
	struct gomem_stats s0, s;
	uint64_t tok = 0;

	CHECK(p && op && freed, "alloc: %s", gomem_errname(errno));
	CHECK_RET(gomem_free(g, freed, in.granule), 0);
	s0 = must_stats(g);
	CHECK_RET(gomem_share(g, p, 0, 0, &tok), -EINVAL);	/* no claims */
	CHECK_RET(gomem_share(g, p, 0, 1, NULL), -EINVAL);
	CHECK_RET(gomem_share(g, NULL, 0, 1, &tok), -EINVAL);
	CHECK_RET(gomem_share(g, &stack, 0, 1, &tok), -EINVAL);
	CHECK_RET(gomem_share(g, base + gomem_map_size(g), 0, 1, &tok), -EINVAL);
	CHECK_RET(gomem_share(g, p, 4097, 1, &tok), -EINVAL);	/* past its end */
	CHECK_RET(gomem_share(g, p + 4000, 200, 1, &tok), -EINVAL);
	CHECK_RET(gomem_share(g, freed, 0, 1, &tok), -EINVAL);	/* free space */
	CHECK_RET(gomem_share(g, op, 0, 1, &tok), -EPERM);	/* another's */
	CHECK_RET(gomem_share(g, op, 1, 1, &tok), -EPERM);
	CHECK(tok == 0, "a failed share wrote the token");
	CHECK_NULL_ERRNO(gomem_claim(g, 0, NULL), ENOENT);
	CHECK_NULL_ERRNO(gomem_claim(g, 0x123456789abcdefULL, NULL), ENOENT);
	CHECK_RET(gomem_release(g, p), -EINVAL);		/* its own region */
	CHECK_RET(gomem_release(g, op), -EINVAL);		/* not held */
	CHECK_RET(gomem_release(g, NULL), -EINVAL);
	CHECK_RET(gomem_release(g, &stack), -EINVAL);
	CHECK_RET(gomem_cancel(g, 1), -ENOENT);
	s = must_stats(g);
	CHECK_STAT(s, in_use, s0.in_use);
	CHECK_STAT(s, session_tokens, 0);
	CHECK_STAT(s, session_refs, 0);
	CHECK_STAT(s, tokens, s0.tokens);
	CHECK_STAT(s, refs, s0.refs);
	CHECK_RET(gomem_free(g, p, 4096), 0);
	CHECK_RET(gomem_free(o, oq, 4096), 0);
	gomem_close(o);
	gomem_close(g);
}

static void case_lib_release_batch_results(void)
{
	struct gomem *g = must_open(0), *c = must_open(GOMEM_LIB_READONLY);
	struct gomem_stats s0 = must_stats(c), s;
	struct gomem_region r[7];
	char *p[3], *q[3], stack = 0;
	uint64_t tok;

	CHECK_RET(gomem_release_batch(c, r, 0), 0);
	for (int i = 0; i < 3; i++) {
		p[i] = gomem_alloc(g, 1000, 0, 0);
		CHECK(p[i], "alloc: %s", gomem_errname(errno));
		CHECK_RET(gomem_share(g, p[i], 0, i == 1 ? 2 : 1, &tok), 0);
		q[i] = gomem_claim(c, tok, NULL);
		CHECK(q[i], "claim %d: %s", i, gomem_errname(errno));
		if (i == 1)
			CHECK(gomem_claim(c, tok, NULL) == q[1], "second claim");
	}
	CHECK_STAT(must_stats(c), session_refs, s0.session_refs + 3);
	/* q[1] twice (two claims) then a third time; a pointer outside the
	 * mapping and NULL (not sent); a byte inside q[2], not its start. */
	r[0] = (struct gomem_region){ q[0], 0, 1 };
	r[1] = (struct gomem_region){ q[1], 0, 1 };
	r[2] = (struct gomem_region){ q[1] + 10, 999, 1 };
	r[3] = (struct gomem_region){ q[1], 0, 1 };
	r[4] = (struct gomem_region){ &stack, 0, 1 };
	r[5] = (struct gomem_region){ NULL, 0, 1 };
	r[6] = (struct gomem_region){ q[2] + 999, 0, 1 };
	CHECK_RET(gomem_release_batch(c, r, 7), 4);
	CHECK(!r[0].result && !r[1].result && !r[2].result && !r[6].result,
	      "good releases: %d %d %d %d", r[0].result, r[1].result,
	      r[2].result, r[6].result);
	CHECK(r[3].result == -EINVAL && r[4].result == -EINVAL &&
	      r[5].result == -EINVAL, "bad releases: %d %d %d", r[3].result,
	      r[4].result, r[5].result);
	s = must_stats(c);
	CHECK_STAT(s, session_refs, s0.session_refs);
	CHECK_STAT(s, refs, s0.refs);
	/* Regions of the owner are not released (they are freed). */
	r[0] = (struct gomem_region){ p[0], 0, 1 };
	CHECK_RET(gomem_release_batch(g, r, 1), 0);
	CHECK(r[0].result == -EINVAL, "release of an owned region: %d", r[0].result);
	for (int i = 0; i < 3; i++)
		CHECK_RET(gomem_free(g, p[i], 1000), 0);
	CHECK_STAT(must_stats(c), in_use, s0.in_use);
	gomem_close(c);
	gomem_close(g);
}

/* More claims than one GOMEM_IOC_RELEASE_BATCH call of the library takes. */
static void case_release_batch_many(void)
{
	struct gomem *g = must_open(0), *c = must_open(GOMEM_LIB_READONLY);
	struct gomem_stats s0 = must_stats(c), s;
	size_t n = 300;
	struct gomem_region *r = calloc(n, sizeof(*r));
	struct gomem_region *a = calloc(n, sizeof(*a));

	CHECK(r && a, "calloc");
	for (size_t i = 0; i < n; i++)
		a[i].size = 64;
	CHECK_RET(gomem_alloc_batch(g, a, n, 0, 0), (long long)n);
	for (size_t i = 0; i < n; i++) {
		uint64_t tok;

		CHECK_RET(gomem_share(g, a[i].ptr, 0, 1, &tok), 0);
		r[i].ptr = gomem_claim(c, tok, &r[i].size);
		CHECK(r[i].ptr && r[i].size == 64, "claim %zu: %s", i,
		      gomem_errname(errno));
	}
	CHECK_STAT(must_stats(c), session_refs, s0.session_refs + n);
	CHECK_RET(gomem_release_batch(c, r, n), (long long)n);
	s = must_stats(c);
	CHECK_STAT(s, session_refs, s0.session_refs);
	CHECK_RET(gomem_free_batch(g, a, n), (long long)n);
	CHECK_STAT(must_stats(c), in_use, s0.in_use);
	free(a);
	free(r);
	gomem_close(c);
	gomem_close(g);
}

/*
 * gomem_share_batch() and gomem_claim_batch(): each request its own
 * result, failed ones change nothing (tokens and ranges left as they
 * were, statistics as before), a token of two claims claimed twice in one
 * batch and a third time -ENOENT.
 */
static void case_lib_share_claim_batch_results(void)
{
	struct gomem *g = must_open(0), *c = must_open(GOMEM_LIB_READONLY);
	struct gomem_stats s0 = must_stats(c), s;
	struct gomem_share_req sr[5];
	struct gomem_claim_req cr[6];
	struct gomem_region r[4];
	char *p, stack = 0;

	CHECK_RET(gomem_share_batch(g, sr, 0), 0);
	CHECK_RET(gomem_claim_batch(c, cr, 0), 0);
	p = gomem_alloc(g, 1000, 0, 0);
	CHECK(p, "alloc: %s", gomem_errname(errno));
	for (int i = 0; i < 1000; i++)
		p[i] = (char)i;
	memset(sr, 0, sizeof(sr));
	sr[0] = (struct gomem_share_req){ p, 0, 1, 1, 7 };
	sr[1] = (struct gomem_share_req){ p + 100, 50, 2, 1, 7 };
	sr[2] = (struct gomem_share_req){ p, 0, 0, 1, 7 };	/* claims 0 */
	sr[3] = (struct gomem_share_req){ &stack, 0, 1, 1, 7 };
	sr[4] = (struct gomem_share_req){ p + 10, 5000, 1, 1, 7 };
	CHECK_RET(gomem_share_batch(g, sr, 5), 2);
	CHECK(!sr[0].result && !sr[1].result, "good shares: %d %d",
	      sr[0].result, sr[1].result);
	CHECK(sr[2].result == -EINVAL && sr[3].result == -EINVAL &&
	      sr[4].result == -EINVAL, "bad shares: %d %d %d", sr[2].result,
	      sr[3].result, sr[4].result);
	CHECK(sr[0].token && sr[1].token && sr[0].token != sr[1].token &&
	      sr[0].token != 7 && sr[2].token == 7 && sr[4].token == 7,
	      "tokens");
	CHECK_STAT(must_stats(g), session_tokens, 2);
	cr[0] = (struct gomem_claim_req){ sr[1].token, NULL, 0, 1 };
	cr[1] = (struct gomem_claim_req){ sr[0].token, NULL, 0, 1 };
	cr[2] = (struct gomem_claim_req){ sr[1].token, NULL, 0, 1 };
	cr[3] = (struct gomem_claim_req){ sr[1].token, NULL, 0, 1 };
	cr[4] = (struct gomem_claim_req){ 0, &stack, 9, 1 };
	cr[5] = (struct gomem_claim_req){ sr[0].token, NULL, 0, 1 };
	CHECK_RET(gomem_claim_batch(c, cr, 6), 3);
	CHECK(!cr[0].result && !cr[1].result && !cr[2].result,
	      "good claims: %d %d %d", cr[0].result, cr[1].result,
	      cr[2].result);
	CHECK(cr[3].result == -ENOENT && cr[4].result == -ENOENT &&
	      cr[5].result == -ENOENT, "spent tokens: %d %d %d",
	      cr[3].result, cr[4].result, cr[5].result);
	CHECK(cr[0].size == 50 && cr[1].size == 1000 && cr[2].size == 50,
	      "sizes %zu %zu %zu", cr[0].size, cr[1].size, cr[2].size);
	CHECK(!cr[3].ptr && !cr[4].ptr && !cr[4].size, "failed claims' ranges");
	CHECK(cr[0].ptr && ((const char *)cr[0].ptr)[0] == (char)100 &&
	      cr[1].ptr && ((const char *)cr[1].ptr)[999] == (char)999,
	      "claimed bytes");
	s = must_stats(c);
	CHECK_STAT(s, session_refs, s0.session_refs + 1);
	CHECK_STAT(s, tokens, s0.tokens);
	CHECK_STAT(must_stats(g), session_tokens, 0);
	/* Three claims, three releases; then the owner frees it. */
	for (int i = 0; i < 3; i++)
		r[i] = (struct gomem_region){ cr[i].ptr, 0, 1 };
	CHECK_RET(gomem_release_batch(c, r, 3), 3);
	CHECK_STAT(must_stats(c), session_refs, s0.session_refs);
	CHECK_RET(gomem_free(g, p, 1000), 0);
	CHECK_STAT(must_stats(c), in_use, s0.in_use);
	gomem_close(c);
	gomem_close(g);
}

/* More than one library call's worth (256) of shares and claims. */
static void case_share_claim_batch_many(void)
{
	struct gomem *g = must_open(0), *c = must_open(GOMEM_LIB_READONLY);
	struct gomem_stats s0 = must_stats(c);
	size_t n = 300;
	struct gomem_region *a = calloc(n, sizeof(*a));
	struct gomem_share_req *sr = calloc(n, sizeof(*sr));
	struct gomem_claim_req *cr = calloc(n, sizeof(*cr));
	struct gomem_region *r = calloc(n, sizeof(*r));

	CHECK(a && sr && cr && r, "calloc");
	for (size_t i = 0; i < n; i++)
		a[i].size = 64;
	CHECK_RET(gomem_alloc_batch(g, a, n, 0, 0), (long long)n);
	for (size_t i = 0; i < n; i++) {
		memset(a[i].ptr, (int)(i & 0xff), 64);
		sr[i] = (struct gomem_share_req){ a[i].ptr, 0, 1, 1, 0 };
	}
	CHECK_RET(gomem_share_batch(g, sr, n), (long long)n);
	CHECK_RET(gomem_free_batch(g, a, n), (long long)n);
	for (size_t i = 0; i < n; i++)
		cr[i].token = sr[i].token;
	CHECK_RET(gomem_claim_batch(c, cr, n), (long long)n);
	for (size_t i = 0; i < n; i++) {
		CHECK(cr[i].ptr && cr[i].size == 64 &&
		      ((const unsigned char *)cr[i].ptr)[63] == (i & 0xff),
		      "claim %zu", i);
		r[i] = (struct gomem_region){ cr[i].ptr, 0, 1 };
	}
	CHECK_STAT(must_stats(c), session_refs, s0.session_refs + n);
	CHECK_RET(gomem_release_batch(c, r, n), (long long)n);
	CHECK_STAT(must_stats(c), in_use, s0.in_use);
	free(r);
	free(cr);
	free(sr);
	free(a);
	gomem_close(c);
	gomem_close(g);
}

/* A pipeline stage forwards a frame it holds only by reference. */
static void case_holder_by_reference_forwards_frame(void)
{
	struct gomem *g = must_open(0), *stage = must_open(GOMEM_LIB_READONLY),
		     *sink = must_open(GOMEM_LIB_READONLY);
	struct gomem_stats s0 = must_stats(g), s;
	char *p = gomem_alloc(g, 2048, 0, 0), *q, *r;
	uint64_t t1, t2;
	size_t size;

	CHECK(p, "alloc: %s", gomem_errname(errno));
	fill(p, 2048, 4);
	CHECK_RET(gomem_share(g, p, 0, 1, &t1), 0);
	q = gomem_claim(stage, t1, NULL);
	CHECK(q, "stage claim: %s", gomem_errname(errno));
	CHECK_RET(gomem_share(stage, q + 1024, 0, 1, &t2), 0);	/* to the end */
	CHECK_RET(gomem_free(g, p, 2048), 0);
	CHECK_RET(gomem_release(stage, q), 0);
	/* Only the stage's token holds it now. */
	s = must_stats(g);
	CHECK_STAT(s, in_use, s0.in_use + 2048);
	CHECK_STAT(s, tokens, s0.tokens + 1);
	CHECK_STAT(s, refs, s0.refs);
	r = gomem_claim(sink, t2, &size);
	CHECK(r && size == 1024 && gomem_offset(sink, r) == gomem_offset(g, p) + 1024,
	      "sink claim: %p size %zu (%s)", (void *)r, size, gomem_errname(errno));
	CHECK(check_fill(r - 1024, 2048, 4) < 0, "the forwarded frame changed");
	CHECK_RET(gomem_release(sink, r), 0);
	s = must_stats(g);
	CHECK_STAT(s, in_use, s0.in_use);
	CHECK_STAT(s, tokens, s0.tokens);
	gomem_close(sink);
	gomem_close(stage);
	gomem_close(g);
}

static void case_claim_own_token(void)
{
	struct gomem *g = must_open(0);
	struct gomem_stats s0 = must_stats(g), s;
	char *p = gomem_alloc(g, 512, 0, 0), *q;
	uint64_t tok;

	CHECK(p, "alloc: %s", gomem_errname(errno));
	CHECK_RET(gomem_share(g, p, 0, 1, &tok), 0);
	q = gomem_claim(g, tok, NULL);
	CHECK(q == p, "claim of its own token: %p, region %p", (void *)q, (void *)p);
	s = must_stats(g);
	CHECK_STAT(s, session_regions, s0.session_regions + 1);
	CHECK_STAT(s, session_refs, s0.session_refs + 1);
	/* It owns it and holds it by reference: free ends the first hold,
	 * release the second. */
	CHECK_RET(gomem_free(g, p, 512), 0);
	CHECK_STAT(must_stats(g), in_use, s0.in_use + 512);
	CHECK_RET(gomem_release(g, q), 0);
	s = must_stats(g);
	CHECK_STAT(s, in_use, s0.in_use);
	CHECK_STAT(s, session_refs, s0.session_refs);
	gomem_close(g);
}

/* A spent token never names a later region at the same offset. */
static void case_spent_token_never_names_later_region(void)
{
	struct gomem *g = must_open(0), *c = must_open(GOMEM_LIB_READONLY);
	uint64_t tok[8];
	char *p;

	for (int i = 0; i < 8; i++) {
		p = gomem_alloc(g, 256, 0, 0);
		CHECK(p, "alloc: %s", gomem_errname(errno));
		CHECK_RET(gomem_share(g, p, 0, 1, &tok[i]), 0);
		for (int j = 0; j < i; j++)
			CHECK(tok[j] != tok[i], "token %d came back as %d", j, i);
		CHECK(gomem_claim(c, tok[i], NULL) == (char *)gomem_base(c) +
		      gomem_offset(g, p), "claim %d", i);
		CHECK_RET(gomem_release(c, (char *)gomem_base(c) + gomem_offset(g, p)), 0);
		CHECK_RET(gomem_free(g, p, 256), 0);
		/* Every earlier token, at this offset or not, is spent. */
		for (int j = 0; j <= i; j++)
			CHECK_NULL_ERRNO(gomem_claim(c, tok[j], NULL), ENOENT);
	}
	gomem_close(c);
	gomem_close(g);
}

static void case_close_drops_references_and_tokens(void)
{
	struct gomem *w = must_open(GOMEM_LIB_READONLY), *g, *c;
	struct gomem_stats s0 = must_stats(w), s;
	uint64_t t1, t2;
	char *p;

	g = must_open(0);
	c = must_open(GOMEM_LIB_READONLY);
	p = gomem_alloc(g, 3000, 0, 0);
	CHECK(p, "alloc: %s", gomem_errname(errno));
	CHECK_RET(gomem_share(g, p, 0, 1, &t1), 0);
	CHECK_RET(gomem_share(g, p, 0, 5, &t2), 0);
	CHECK(gomem_claim(c, t1, NULL), "claim: %s", gomem_errname(errno));
	CHECK(gomem_claim(c, t2, NULL), "claim: %s", gomem_errname(errno));
	s = must_stats(w);
	CHECK_STAT(s, refs, s0.refs + 1);
	CHECK_STAT(s, tokens, s0.tokens + 1);
	/* The owner goes first: its region and its token with it. */
	CHECK_RET(gomem_close(g), 0);
	s = must_stats(w);
	CHECK_STAT(s, tokens, s0.tokens);
	CHECK_STAT(s, orphans, s0.orphans + 1);
	CHECK(s.in_use > s0.in_use, "the claimed region went with its owner");
	/* Then the holder by reference (two claims): nothing is left. */
	CHECK_RET(gomem_close(c), 0);
	s = must_stats(w);
	CHECK_STAT(s, in_use, s0.in_use);
	CHECK_STAT(s, refs, s0.refs);
	CHECK_STAT(s, orphans, s0.orphans);
	CHECK_STAT(s, sessions, s0.sessions);
	gomem_close(w);
}

/* The hand-off example of docs/libgomem.md (build/example-handoff.c with
 * its main() renamed) runs as the document says. */
int gomem_example_handoff_main(void);

static void case_doc_handoff_example_runs(void)
{
	struct gomem *w = must_open(GOMEM_LIB_READONLY);
	struct gomem_stats s0 = must_stats(w), s;
	char out[2048];
	const char *a, *b, *gone;
	size_t n = 0;
	ssize_t k;
	int p[2], st;
	pid_t pid;

	CHECK(!strcmp(g_dev, GOMEM_DEFAULT_PATH), "the example opens %s, the "
	      "test's device is %s", GOMEM_DEFAULT_PATH, g_dev);
	CHECK(!pipe(p), "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		int ret;

		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		/* The consumers the example forks return here too. */
		ret = gomem_example_handoff_main();
		fflush(stdout);
		_exit(ret);
	}
	close(p[1]);
	while (n < sizeof(out) - 1 &&
	       (k = read(p[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = 0;
	close(p[0]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
	      "the example's status %#x, output '%s'", st, out);
	a = strstr(out, "consumer A: 65536 bytes, checksum ok\n");
	b = strstr(out, "consumer B: 65536 bytes, checksum ok\n");
	gone = strstr(out, "producer: gone\n");
	CHECK(a && b && gone && gone < a && gone < b && count_lines(out) == 3,
	      "the example printed '%s'", out);
	s = must_stats(w);
	CHECK_STAT(s, in_use, s0.in_use);
	CHECK_STAT(s, refs, s0.refs);
	CHECK_STAT(s, tokens, s0.tokens);
	CHECK_STAT(s, orphans, s0.orphans);
	CHECK_STAT(s, sessions, s0.sessions);
	gomem_close(w);
}

/* ---- gomemctl on the device ---- */

static void case_ctl_info_stats_json(void)
{
	struct gomem *g = must_open(GOMEM_LIB_READONLY);
	struct gomem_info in = must_info(g);
	struct run r;
	uint64_t v;

	RUN_CTL(&r, "--dev", g_dev, "info", "--json");
	CHECK(r.status == 0, "info --json: %d %s", r.status, r.err);
	CHECK(json_u64(r.out, "abi_version", &v) && v == GOMEM_ABI_VERSION &&
	      json_u64(r.out, "map_size", &v) && v == in.map_size &&
	      json_u64(r.out, "granule", &v) && v == in.granule &&
	      strstr(r.out, "\"policy\":"), "info --json: %s", r.out);
	RUN_CTL(&r, "info");
	CHECK(r.status == 0 && strstr(r.out, "map_size"), "info: %d %s", r.status,
	      r.out);
	RUN_CTL(&r, "stats", "--json");
	CHECK(r.status == 0 && json_u64(r.out, "capacity", &v) &&
	      json_u64(r.out, "sessions", &v) && v >= 2,
	      "stats --json: %d %s", r.status, r.out);
	RUN_CTL(&r, "stats");
	CHECK(r.status == 0 && strstr(r.out, "in_use"), "stats: %s", r.out);
	gomem_close(g);
}

static void case_ctl_blocks_and_map(void)
{
	struct gomem *g = must_open(0);
	struct gomem_info in = must_info(g);
	struct gomem_stats s;
	struct run r;
	char *p[8];
	uint64_t v;
	int bars = 0;

	/* Some fragmentation to draw. */
	for (int i = 0; i < 8; i++)
		CHECK((p[i] = gomem_alloc(g, 16 * in.granule, 0, 0)), "alloc");
	for (int i = 0; i < 8; i += 2)
		CHECK_RET(gomem_free(g, p[i], 16 * in.granule), 0);
	s = must_stats(g);
	RUN_CTL(&r, "blocks");
	CHECK(r.status == 0 && strstr(r.out, "chunk"), "blocks: %d %s %s",
	      r.status, r.out, r.err);
	RUN_CTL(&r, "blocks", "--json");
	CHECK(r.status == 0 && strstr(r.out, "\"chunks\":") &&
	      json_u64(r.out, "free_bytes", &v),
	      "blocks --json: %d %s", r.status, r.out);
	RUN_CTL(&r, "map", "--width", "40");
	CHECK(r.status == 0, "map: %d %s", r.status, r.err);
	for (char *l = r.out; (l = strstr(l, "|")); l++) {
		char *e = strchr(l + 1, '|'), *nl = strchr(l, '\n');

		if (e && (!nl || e < nl) && e - l - 1 == 40) {
			bars++;
			l = e;
		}
	}
	CHECK(bars >= (int)s.chunks, "map drew %d bars of 40 for %llu chunks:\n%s",
	      bars, (unsigned long long)s.chunks, r.out);
	CHECK(strchr(r.out, '#') && strchr(r.out, '.'), "map shows no used or no "
	      "free cells:\n%s", r.out);
	gomem_close(g);
}

#define DEBUGFS_REGIONS "/sys/kernel/debug/gomem/default/regions"

/* Does a map bar ("|...|") of @out have the cell @ch? */
static bool bar_has(const char *out, char ch)
{
	for (const char *l = strchr(out, '|'); l; l = strchr(l + 1, '|')) {
		const char *e = strchr(l + 1, '|'), *nl = strchr(l, '\n');

		if (!e || (nl && nl < e))
			continue;
		if (memchr(l + 1, ch, (size_t)(e - l - 1)))
			return true;
		l = e;
	}
	return false;
}

/* stats (text and JSON) counts references, tokens and orphans; blocks and
 * map show the holds when the module has a debugfs regions file. */
static void case_ctl_stats_and_blocks_show_holds(void)
{
	struct gomem *g = must_open(0), *c = must_open(GOMEM_LIB_READONLY);
	struct gomem_info in = must_info(g);
	size_t n = 8 * (size_t)in.page_size;
	char *p = gomem_alloc(g, n, 0, 0), want[160];
	struct gomem_stats s;
	struct run r;
	uint64_t tok, v;

	CHECK(p, "alloc: %s", gomem_errname(errno));
	CHECK_RET(gomem_share(g, p, 0, 2, &tok), 0);
	CHECK(gomem_claim(c, tok, NULL), "claim: %s", gomem_errname(errno));
	CHECK_RET(gomem_free(g, p, n), 0);	/* an orphan: c and the token hold it */
	s = must_stats(g);
	CHECK(s.refs >= 1 && s.tokens >= 1 && s.orphans >= 1, "stats %llu %llu %llu",
	      (unsigned long long)s.refs, (unsigned long long)s.tokens,
	      (unsigned long long)s.orphans);
	RUN_CTL(&r, "stats", "--json");
	CHECK(r.status == 0, "stats --json: %d %s", r.status, r.err);
	CHECK(json_u64(r.out, "refs", &v) && v == s.refs &&
	      json_u64(r.out, "tokens", &v) && v == s.tokens &&
	      json_u64(r.out, "orphans", &v) && v == s.orphans &&
	      json_u64(r.out, "orphan_bytes", &v) && v == s.orphan_bytes &&
	      json_u64(r.out, "session_refs", &v) && v == 0 &&
	      json_u64(r.out, "session_ref_bytes", &v) && v == 0 &&
	      json_u64(r.out, "session_tokens", &v) && v == 0 &&
	      json_u64(r.out, "session_regions", &v) && v == 0,
	      "stats --json: %s (lib: refs %llu tokens %llu orphans %llu)", r.out,
	      (unsigned long long)s.refs, (unsigned long long)s.tokens,
	      (unsigned long long)s.orphans);
	RUN_CTL(&r, "stats");
	snprintf(want, sizeof(want), "\norphans        %llu (",
		 (unsigned long long)s.orphans);
	CHECK(r.status == 0 && strstr(r.out, want) && strstr(r.out, "\nrefs ") &&
	      strstr(r.out, "\ntokens ") && strstr(r.out, "\norphan_bytes ") &&
	      strstr(r.out, "\nsession        in_use 0, regions 0, refs 0"),
	      "stats: '%s'", r.out);

	RUN_CTL(&r, "blocks");
	CHECK(r.status == 0, "blocks: %d %s", r.status, r.err);
	snprintf(want, sizeof(want), "orphan %#12llx - %#14llx",
		 (unsigned long long)gomem_offset(g, p),
		 (unsigned long long)(gomem_offset(g, p) + n));
	if (!access(DEBUGFS_REGIONS, R_OK)) {
		CHECK(strstr(r.out, want) && strstr(r.out, "no owner, 1 refs (1 claims), "
						    "1 tokens") && strstr(r.out, " live regions, "),
		      "blocks shows no orphan '%s':\n%s", want, r.out);
		RUN_CTL(&r, "map");
		CHECK(r.status == 0 && bar_has(r.out, 'O') && strstr(r.out, "\nholds: "),
		      "map shows no holds:\n%s", r.out);
	} else {
		/* A module without the file: blocks and map as before. */
		CHECK(!strstr(r.out, "live regions") && !strstr(r.out, "orphan"),
		      "blocks shows holds without " DEBUGFS_REGIONS ":\n%s", r.out);
	}
	CHECK_RET(gomem_cancel(g, tok), 0);
	CHECK_RET(gomem_release(c, (char *)gomem_base(c) + gomem_offset(g, p)), 0);
	gomem_close(c);
	gomem_close(g);
}

static void case_ctl_alloc_hold(void)
{
	struct gomem *w = must_open(GOMEM_LIB_READONLY);
	struct gomem_stats s0 = must_stats(w), s1, s2;
	int out[2], st;
	char line[512] = "";
	uint64_t off = 0, v;
	size_t n = 0;
	pid_t pid;
	char *p;
	double end;

	CHECK(!pipe(out), "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid) {
		dup2(out[1], 1);
		execl(ctl_path(), ctl_path(), "--dev", g_dev, "alloc", "12345",
		      "--hold", "--json", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	while (n < sizeof(line) - 1 && !strchr(line, '\n')) {
		ssize_t k = read(out[0], line + n, sizeof(line) - 1 - n);

		if (k <= 0)
			break;
		n += k;
		line[n] = 0;
	}
	CHECK(json_u64(line, "offset", &off) && json_u64(line, "size", &v) &&
	      v == 12345, "alloc --hold --json printed '%s'", line);
	s1 = must_stats(w);
	CHECK(s1.sessions == s0.sessions + 1 && s1.in_use >= s0.in_use + 12345,
	      "held: sessions %llu in_use +%lld", (unsigned long long)s1.sessions,
	      (long long)(s1.in_use - s0.in_use));
	p = gomem_ptr(w, off);
	CHECK(p && all_zero(p, 12345), "held region not readable or not zero");
	/* Still holding a moment later. */
	usleep(300000);
	CHECK(waitpid(pid, &st, WNOHANG) == 0, "gomemctl alloc --hold exited");
	kill(pid, SIGINT);
	end = now_s() + 10;
	while (waitpid(pid, &st, WNOHANG) == 0 && now_s() < end)
		usleep(20000);
	CHECK(now_s() < end, "gomemctl alloc --hold ignored SIGINT");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x after SIGINT", st);
	s2 = must_stats(w);
	CHECK(s2.sessions == s0.sessions && s2.in_use == s0.in_use,
	      "region not released after SIGINT");
	close(out[0]);
	gomem_close(w);
}

static void case_ctl_errors_exit_1(void)
{
	struct gomem *g = must_open(GOMEM_LIB_READONLY);
	struct gomem_info in = must_info(g);
	char big[32];
	struct run r;

	RUN_CTL(&r, "alloc", "0");
	CHECK(r.status == 1 && count_lines(r.err) == 1 &&
	      strstr(r.err, "gomemctl: alloc: EINVAL (Invalid argument)"),
	      "alloc 0: status %d, stderr '%s'", r.status, r.err);
	snprintf(big, sizeof(big), "%llu", (unsigned long long)in.max_size + 1);
	RUN_CTL(&r, "alloc", big);
	CHECK(r.status == 1 && strstr(r.err, "EINVAL"), "alloc %s: %d %s", big,
	      r.status, r.err);
	RUN_CTL(&r, "alloc", "4096", "--align", "3");
	CHECK(r.status == 1 && strstr(r.err, "EINVAL"), "alloc --align 3: %d %s",
	      r.status, r.err);
	gomem_close(g);
}

static void case_ctl_trim_and_bench(void)
{
	struct run r;
	uint64_t v;

	RUN_CTL(&r, "trim", "--json");
	CHECK(r.status == 0 && json_u64(r.out, "chunks", &v) &&
	      json_u64(r.out, "bytes", &v), "trim --json: %d %s %s", r.status,
	      r.out, r.err);
	RUN_CTL(&r, "trim");
	CHECK(r.status == 0 && strstr(r.out, "released"), "trim: %s", r.out);
	RUN_CTL(&r, "bench", "--iterations", "2000", "--rounds", "2", "--json");
	CHECK(r.status == 0 && json_u64(r.out, "iterations", &v) && v == 2000 &&
	      strstr(r.out, "\"pair_vs_two_null\":") &&
	      strstr(r.out, "\"batch64_vs_single\":") &&
	      json_u64(r.out, "share_cycle_ns", &v) && v > 0 &&
	      strstr(r.out, "\"share_cycle_vs_pair\":") &&
	      json_u64(r.out, "cached_cycle_ns", &v) && v > 0 &&
	      strstr(r.out, "\"cached_cycle_vs_null\":"),
	      "bench --json: %d %s %s", r.status, r.out, r.err);
	RUN_CTL(&r, "bench", "--iterations", "1000", "--rounds", "1");
	CHECK(r.status == 0 && strstr(r.out, "getppid") &&
	      strstr(r.out, "share+claim+release cycle") &&
	      strstr(r.out, "x an alloc+free pair") &&
	      strstr(r.out, "libgomem cached alloc+free"), "bench: %d %s", r.status,
	      r.out);
}

/* ------------------------------------------------------------------ */
/* The region cache (since 1.2.0)                                      */
/* ------------------------------------------------------------------ */

/*
 * A steady alloc/free loop with the cache on reaches the device only to
 * refill once: the kernel's counters of allocations and frees hardly move
 * over 20000 cycles, and the cache says it served them.
 */
static void case_cache_steady_loop_no_ioctls(void)
{
	struct gomem *g = must_open(CACHE_ON);
	struct gomem_stats s0, s1;
	struct gomem_cache_stats cs;
	uint64_t ioctls;

	for (unsigned int size = 64; size <= 4096; size *= 64) {
		void *p = gomem_alloc(g, size, 0, 0);

		CHECK(p, "alloc %u: %s", size, gomem_errname(errno));
		CHECK_RET(gomem_free(g, p, size), 0);
		s0 = must_stats(g);
		for (int i = 0; i < 20000; i++) {
			p = gomem_alloc(g, size, 0, 0);
			CHECK(p, "alloc %d: %s", i, gomem_errname(errno));
			((volatile char *)p)[0] = 1;
			((volatile char *)p)[size - 1] = 2;
			CHECK_RET(gomem_free(g, p, size), 0);
		}
		s1 = must_stats(g);
		ioctls = (s1.allocs - s0.allocs) + (s1.frees - s0.frees);
		CHECK(ioctls == 0, "%llu regions went through the device in "
		      "20000 cached cycles of %u bytes",
		      (unsigned long long)ioctls, size);
	}
	CHECK_RET(gomem_cache_info(g, &cs), 0);
	CHECK(cs.hits >= 40000 && cs.threads == 1 && cs.regions > 0,
	      "cache: %llu hits, %llu threads, %llu regions",
	      (unsigned long long)cs.hits, (unsigned long long)cs.threads,
	      (unsigned long long)cs.regions);
	printf("# cache: %llu hits, %llu refills, %llu regions held\n",
	       (unsigned long long)cs.hits, (unsigned long long)cs.refills,
	       (unsigned long long)cs.regions);
	CHECK_RET(gomem_close(g), 0);
}

/*
 * The cache never shows another session's old bytes: a refill over them
 * hands out zeroes, its granule-rounded tail too.  A region the cache
 * hands out again holds zeroes or this session's own old bytes, as the
 * device's zeroed allocations do (the kernel skips zeroing a session's
 * own freed bytes); with NOZERO too.
 */
static void case_cache_never_shows_others_bytes(void)
{
	struct gomem *dirty = must_open(0), *g;
	struct gomem_info in;
	unsigned char *p, *q, *ptrs_keep[200];
	size_t n = 1000, rn;
	void *big;

	/* Another session leaves old bytes in free memory. */
	in = must_info(dirty);
	rn = round_up(n, in.granule);
	big = gomem_alloc(dirty, 256 << 10, 0, 0);
	CHECK(big, "alloc: %s", gomem_errname(errno));
	memset(big, 0xee, 256 << 10);
	CHECK_RET(gomem_free(dirty, big, 256 << 10), 0);

	g = must_open(CACHE_ON);
	for (int round = 0; round < 3; round++) {
		p = gomem_alloc(g, n, 0, 0);
		CHECK(p, "alloc: %s", gomem_errname(errno));
		for (size_t i = 0; i < rn; i++)
			CHECK(round ? p[i] == 0xab : !p[i], "round %d: byte "
			      "%zu of a cached region is %#x", round, i, p[i]);
		memset(p, 0xab, rn);
		CHECK_RET(gomem_free(g, p, n), 0);
	}
	/* More than a bin: refills over the other session's bytes. */
	for (int k = 0; k < 200; k++) {
		q = gomem_alloc(g, 64, 0, k % 2 ? GOMEM_ALLOC_NOZERO : 0);
		CHECK(q, "alloc: %s", gomem_errname(errno));
		for (size_t i = 0; i < 64; i++)
			CHECK(q[i] != 0xee, "a cached region shows another "
			      "session's byte %#x", q[i]);
		ptrs_keep[k] = q;
	}
	for (int k = 0; k < 200; k++)
		CHECK_RET(gomem_free(g, ptrs_keep[k], 64), 0);
	/* The region comes back: NOZERO keeps this session's bytes. */
	q = gomem_alloc(g, n, 0, GOMEM_ALLOC_NOZERO);
	CHECK(q == p, "the cache did not hand back %p (got %p)", (void *)p,
	      (void *)q);
	CHECK(q[0] == 0xab && q[rn - 1] == 0xab, "NOZERO lost the bytes");
	CHECK_RET(gomem_free(g, q, n), 0);
	CHECK_RET(gomem_close(g), 0);
	CHECK_RET(gomem_close(dirty), 0);
}

/*
 * What the cache did not hand out, whole, is the device's to judge: a
 * double free is -EINVAL (the region sits in the cache), a part of a
 * cached region -EINVAL, sharing it -EINVAL; another session's region
 * -EPERM.
 */
static void case_cache_double_free_einval(void)
{
	struct gomem *g = must_open(CACHE_ON), *o = must_open(0);
	struct gomem_stats s0, s1;
	uint64_t tok;
	char *p, *x;

	p = gomem_alloc(g, 4096, 0, 0);
	CHECK(p, "alloc: %s", gomem_errname(errno));
	CHECK_RET(gomem_free(g, p, 4096), 0);
	s0 = must_stats(g);
	CHECK_RET(gomem_free(g, p, 4096), -EINVAL);
	CHECK_RET(gomem_free(g, p + 1024, 1024), -EINVAL);
	CHECK_RET(gomem_share(g, p, 64, 1, &tok), -EINVAL);
	s1 = must_stats(g);
	CHECK(s1.session_regions == s0.session_regions &&
	      s1.frees == s0.frees, "a refused free changed the session");
	x = gomem_alloc(o, 4096, 0, 0);
	CHECK(x, "alloc: %s", gomem_errname(errno));
	/* The same region through g's own mapping. */
	CHECK_RET(gomem_free(g, gomem_ptr(g, (uint64_t)gomem_offset(o, x)),
			     4096), -EPERM);
	CHECK_RET(gomem_free(o, x, 4096), 0);
	CHECK_RET(gomem_close(o), 0);
	CHECK_RET(gomem_close(g), 0);
}

/*
 * A shared region never enters a cache: the producer frees a frame it
 * shared and allocates the same size many times; it never gets the
 * frame's bytes back while a consumer holds it, and the consumer reads
 * them intact.
 */
static void case_cache_never_takes_shared_region(void)
{
	struct gomem *p = must_open(CACHE_ON), *c = must_open(GOMEM_LIB_READONLY);
	size_t n = 4096, got;
	uint64_t tok;
	char *f, *r;

	/* A cycle first, so the frame is a region the cache handed out. */
	f = gomem_alloc(p, n, 0, 0);
	CHECK(f, "alloc: %s", gomem_errname(errno));
	CHECK_RET(gomem_free(p, f, n), 0);
	f = gomem_alloc(p, n, 0, 0);
	CHECK(f, "alloc: %s", gomem_errname(errno));
	fill(f, n, 5);
	CHECK_RET(gomem_share(p, f, 0, 1, &tok), 0);
	r = gomem_claim(c, tok, &got);
	CHECK(r && got == n, "claim: %s", gomem_errname(errno));
	CHECK_RET(gomem_free(p, f, n), 0);
	for (int i = 0; i < 200; i++) {
		char *q = gomem_alloc(p, n, 0, 0);

		CHECK(q, "alloc %d: %s", i, gomem_errname(errno));
		CHECK(q != f, "alloc %d handed out the shared frame", i);
		memset(q, 0x5a, n);
		CHECK_RET(gomem_free(p, q, n), 0);
	}
	CHECK(check_fill(r, n, 5) < 0, "the consumer's frame changed at %ld",
	      check_fill(r, n, 5));
	CHECK_RET(gomem_release(c, r), 0);
	CHECK_RET(gomem_close(c), 0);
	CHECK_RET(gomem_close(p), 0);
}

/*
 * gomem_trim() and gomem_close() give the cached regions back; a thread's
 * exit gives back its own; gomem_recycle_all() leaves none behind.
 */
static void *cache_thread_cycle(void *arg)
{
	struct gomem *g = arg;

	for (int i = 0; i < 100; i++) {
		void *p = gomem_alloc(g, 512, 0, 0);

		if (!p || gomem_free(g, p, 512))
			return (void *)1;
	}
	return NULL;
}

static void case_cache_trim_close_thread_exit_give_back(void)
{
	struct gomem *g = must_open(CACHE_ON), *o = must_open(0);
	struct gomem_cache_stats cs;
	struct gomem_stats s0, s;
	pthread_t t;
	void *ret;
	void *p;

	s0 = must_stats(o);
	p = gomem_alloc(g, 256, 0, 0);
	CHECK(p, "alloc: %s", gomem_errname(errno));
	CHECK_RET(gomem_free(g, p, 256), 0);
	s = must_stats(g);
	CHECK(s.session_regions > 0, "nothing cached");
	CHECK_RET(gomem_trim(g, NULL), 0);
	s = must_stats(g);
	CHECK(s.session_regions == 0, "trim left %llu regions in the cache",
	      (unsigned long long)s.session_regions);

	CHECK(!pthread_create(&t, NULL, cache_thread_cycle, g), "thread");
	CHECK(!pthread_join(t, &ret) && !ret, "the thread failed");
	CHECK_RET(gomem_cache_info(g, &cs), 0);
	s = must_stats(g);
	/* The main thread's cache (emptied by the trim) is left. */
	CHECK(cs.threads == 1 && cs.regions == 0 && s.session_regions == 0,
	      "after the thread's exit: %llu thread caches, %llu regions "
	      "cached, %llu in the session", (unsigned long long)cs.threads,
	      (unsigned long long)cs.regions,
	      (unsigned long long)s.session_regions);

	p = gomem_alloc(g, 256, 0, 0);
	CHECK(p, "alloc: %s", gomem_errname(errno));
	CHECK_RET(gomem_recycle_all(g, NULL), 0);
	CHECK_RET(gomem_cache_info(g, &cs), 0);
	CHECK(cs.regions == 0, "recycle left %llu cached",
	      (unsigned long long)cs.regions);
	p = gomem_alloc(g, 256, 0, 0);
	CHECK(p, "alloc after recycle: %s", gomem_errname(errno));
	CHECK_RET(gomem_free(g, p, 256), 0);
	CHECK_RET(gomem_close(g), 0);
	s = must_stats(o);
	CHECK(s.in_use == s0.in_use, "close left %llu bytes in use",
	      (unsigned long long)(s.in_use - s0.in_use));
	CHECK_RET(gomem_close(o), 0);
}

/*
 * A fork()ed child shares the session, not the parent's cache: none of
 * the regions the parent's cache holds is handed out in the child, and
 * the parent still has them.
 */
static void case_cache_fork_child_gets_none_of_parents(void)
{
	struct gomem *g = must_open(CACHE_ON);
	struct gomem_cache_stats cs;
	void *mine[8];
	int st;
	pid_t pid;

	for (int i = 0; i < 8; i++) {
		mine[i] = gomem_alloc(g, 128, 0, 0);
		CHECK(mine[i], "alloc: %s", gomem_errname(errno));
	}
	for (int i = 0; i < 8; i++)
		CHECK_RET(gomem_free(g, mine[i], 128), 0);
	CHECK_RET(gomem_cache_info(g, &cs), 0);
	CHECK(cs.regions >= 8, "%llu cached", (unsigned long long)cs.regions);
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		for (int k = 0; k < 64; k++) {
			void *q = gomem_alloc(g, 128, 0, 0);

			if (!q)
				_exit(2);
			for (int i = 0; i < 8; i++)
				if (q == mine[i])
					_exit(1);
		}
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child %s",
	      WIFEXITED(st) && WEXITSTATUS(st) == 1 ?
	      "got a region of the parent's cache" : "failed");
	for (int i = 0; i < 8; i++) {
		void *q = gomem_alloc(g, 128, 0, 0);

		CHECK(q, "alloc: %s", gomem_errname(errno));
	}
	CHECK_RET(gomem_cache_info(g, &cs), 0);
	CHECK(cs.hits >= 8, "the parent's cache was lost (%llu hits)",
	      (unsigned long long)cs.hits);
	CHECK_RET(gomem_close(g), 0);
}

/* ---- private arenas (1.4.0) ---- */

#define ARENA_MAX	(4ULL << 20)
#define ARENA_SESSION	(1ULL << 20)

static bool cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl >= 0 && (fl & FD_CLOEXEC);
}

/* A private arena of 4 MiB, 1 MiB per session, through a device handle;
 * its descriptor (close-on-exec).  *@id: its arena_id. */
static int must_arena(uint32_t *id)
{
	struct gomem_arena_params p = {
		.initial_size = 256 << 10, .max_chunk = 1 << 20,
		.max_size = ARENA_MAX, .max_session_bytes = ARENA_SESSION,
		.policy = GOMEM_POLICY_AVL_ABI, .source = GOMEM_SOURCE_VMALLOC,
	};
	struct gomem *d = must_open(0);
	struct gomem_info in;
	int afd = gomem_arena_create(d, &p, GOMEM_LIB_CLOEXEC);

	CHECK(afd >= 0, "gomem_arena_create: %s", gomem_errname(afd));
	CHECK_RET(gomem_close(d), 0);	/* the arena does not need it */
	CHECK_RET(gomem_arena_info(afd, &in), 0);
	if (id)
		*id = in.arena_id;
	return afd;
}

static struct gomem *must_arena_open(int afd, int flags)
{
	struct gomem *g = gomem_arena_open(afd, flags);

	CHECK(g, "gomem_arena_open(%d, %d): %s", afd, flags, gomem_errname(errno));
	return g;
}

/* debugfs's gomem/arenas line of private arena @id: 1 listed (its in_use
 * in *@in_use), 0 not listed, -1 no debugfs here. */
static int arena_line(uint32_t id, uint64_t *in_use)
{
	char name[32], line[512];
	unsigned long long v;
	FILE *f = fopen("/sys/kernel/debug/gomem/arenas", "r");
	int found = 0;

	if (!f)
		return -1;
	snprintf(name, sizeof(name), "private-%u ", id);
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, " in_use ");

		if (strncmp(line, name, strlen(name)))
			continue;
		found = 1;
		CHECK(p && sscanf(p, " in_use %llu", &v) == 1, "arenas: '%s'", line);
		if (in_use)
			*in_use = v;
	}
	fclose(f);
	return found;
}

/* Create, describe, open, allocate, write and read back through the
 * handle; the descriptors' close-on-exec as asked. */
static void case_arena_create_open_alloc_round_trip(void)
{
	struct gomem_arena_params defaults = { 0 };
	struct gomem *d = must_open(0), *dro = must_open(GOMEM_LIB_READONLY);
	struct gomem_info di = must_info(d), ai, hi;
	struct gomem_stats s;
	struct gomem *a;
	int fds0 = count_fds(), afd, fd2;
	unsigned char back[8192];
	uint32_t id;
	char *p;

	afd = must_arena(&id);
	CHECK(cloexec(afd), "GOMEM_LIB_CLOEXEC: the descriptor is not close-on-exec");
	CHECK_RET(gomem_arena_info(afd, &ai), 0);
	CHECK(ai.abi_version == GOMEM_ABI_VERSION &&
	      ai.arena_kind == GOMEM_ARENA_KIND_PRIVATE && ai.arena_id &&
	      ai.arena_id != di.arena_id && ai.max_size == ARENA_MAX &&
	      ai.max_chunk == 1 << 20 && ai.initial_size == 256 << 10 &&
	      ai.max_session_bytes == ARENA_SESSION &&
	      ai.policy == GOMEM_POLICY_AVL_ABI &&
	      !(ai.session_flags & GOMEM_SESSION_READONLY),
	      "arena info: kind %u id %u (device's %u) max_size %llu max_chunk "
	      "%llu initial %llu session bytes %llu policy %u flags %u",
	      ai.arena_kind, ai.arena_id, di.arena_id,
	      (unsigned long long)ai.max_size, (unsigned long long)ai.max_chunk,
	      (unsigned long long)ai.initial_size,
	      (unsigned long long)ai.max_session_bytes, ai.policy,
	      ai.session_flags);

	a = must_arena_open(afd, GOMEM_LIB_NOCACHE);
	hi = must_info(a);
	CHECK(hi.arena_kind == GOMEM_ARENA_KIND_PRIVATE && hi.arena_id == id &&
	      gomem_map_size(a) == hi.map_size && !gomem_readonly(a) &&
	      cloexec(gomem_fd(a)), "handle: kind %u id %u (want %u), readonly %d, "
	      "cloexec %d", hi.arena_kind, hi.arena_id, id, gomem_readonly(a),
	      cloexec(gomem_fd(a)));
	p = gomem_alloc(a, sizeof(back), 0, 0);
	CHECK(p, "alloc in the arena: %s", gomem_errname(errno));
	CHECK(all_zero(p, sizeof(back)), "a new region is not zeroed");
	fill(p, sizeof(back), 41);
	/* Read back through the session's read(2), not only the mapping. */
	CHECK(pread(gomem_fd(a), back, sizeof(back), gomem_offset(a, p)) ==
	      (ssize_t)sizeof(back), "pread: %s", gomem_errname(errno));
	CHECK(check_fill(back, sizeof(back), 41) < 0, "pread read other bytes");
	s = must_stats(a);
	CHECK(s.in_use >= sizeof(back) && s.session_regions == 1 && s.sessions == 1,
	      "arena stats: in_use %llu regions %llu sessions %llu",
	      (unsigned long long)s.in_use, (unsigned long long)s.session_regions,
	      (unsigned long long)s.sessions);
	/* The per-session byte limit is the arena's, not the device's. */
	CHECK_NULL_ERRNO(gomem_alloc(a, ARENA_SESSION, 0, 0), EDQUOT);
	CHECK_RET(gomem_free(a, p, sizeof(back)), 0);

	/* Without GOMEM_LIB_CLOEXEC it survives exec; NULL params: defaults. */
	fd2 = gomem_arena_create(d, NULL, 0);
	CHECK(fd2 >= 0 && !cloexec(fd2), "create(NULL, 0): %d, cloexec %d",
	      fd2, fd2 >= 0 && cloexec(fd2));
	CHECK_RET(gomem_arena_info(fd2, &ai), 0);
	CHECK(ai.max_size == di.max_size && ai.arena_id != id,
	      "default arena: max_size %llu (device %llu), id %u",
	      (unsigned long long)ai.max_size, (unsigned long long)di.max_size,
	      ai.arena_id);
	close(fd2);
	fd2 = gomem_arena_create(d, &defaults, GOMEM_LIB_CLOEXEC);
	CHECK(fd2 >= 0, "create(zero params): %s", gomem_errname(fd2));
	close(fd2);
	CHECK_RET(gomem_arena_create(d, NULL, GOMEM_LIB_READONLY), -EINVAL);
	CHECK_RET(gomem_arena_create(dro, NULL, 0), -EBADF);
	defaults.policy = 7;
	CHECK_RET(gomem_arena_create(d, &defaults, 0), -EINVAL);
	/* Not an arena descriptor: a session of the device. */
	CHECK_NULL_ERRNO(gomem_arena_open(gomem_fd(d), 0), ENOTTY);
	CHECK_NULL_ERRNO(gomem_arena_open(afd, 0x100), EINVAL);
	CHECK_NULL_ERRNO(gomem_arena_open(-1, 0), EBADF);
	CHECK_RET(gomem_arena_dup(gomem_fd(d), 0), -ENOTTY);

	CHECK_RET(gomem_close(a), 0);
	close(afd);
	CHECK(arena_line(id, NULL) != 1, "private-%u still listed after its "
	      "last handle and descriptor closed", id);
	CHECK(count_fds() == fds0, "%d descriptors left open", count_fds() - fds0);
	CHECK_RET(gomem_close(d), 0);
	CHECK_RET(gomem_close(dro), 0);
}

/* A second handle on the arena sees the first's bytes and tokens; the
 * device's handle (another arena) sees neither. */
static void case_arena_second_handle_sees_bytes_device_does_not(void)
{
	struct gomem *d = must_open(0), *a1, *a2;
	struct gomem_stats d0, d1, s;
	uint64_t token;
	size_t got;
	int64_t off;
	int afd;
	char *p, *q;

	d0 = must_stats(d);
	afd = must_arena(NULL);
	a1 = must_arena_open(afd, GOMEM_LIB_NOCACHE);
	a2 = must_arena_open(afd, GOMEM_LIB_NOCACHE);
	CHECK(gomem_base(a1) != gomem_base(a2), "two handles, one mapping");
	p = gomem_alloc(a1, 3 * 4096, 0, 0);
	CHECK(p, "alloc: %s", gomem_errname(errno));
	fill(p, 3 * 4096, 7);
	off = gomem_offset(a1, p);
	CHECK(off >= 0, "offset %lld", (long long)off);
	q = gomem_ptr(a2, (uint64_t)off);
	CHECK(q && check_fill(q, 3 * 4096, 7) < 0, "the second handle does not "
	      "see the first's bytes (first differs at %ld)",
	      q ? check_fill(q, 3 * 4096, 7) : -2L);
	s = must_stats(a2);
	CHECK(s.sessions == 2 && s.in_use >= 3 * 4096 && s.session_regions == 0,
	      "arena stats from the second handle: sessions %llu in_use %llu "
	      "its regions %llu", (unsigned long long)s.sessions,
	      (unsigned long long)s.in_use, (unsigned long long)s.session_regions);
	d1 = must_stats(d);
	CHECK(d1.in_use == d0.in_use && d1.sessions == d0.sessions,
	      "the device's arena changed: in_use %llu -> %llu, sessions %llu -> %llu",
	      (unsigned long long)d0.in_use, (unsigned long long)d1.in_use,
	      (unsigned long long)d0.sessions, (unsigned long long)d1.sessions);
	/* A token is good in its arena only. */
	CHECK_RET(gomem_share(a1, p, 4096, 2, &token), 0);
	CHECK_NULL_ERRNO(gomem_claim(d, token, NULL), ENOENT);
	q = gomem_claim(a2, token, &got);
	CHECK(q == gomem_ptr(a2, (uint64_t)off) && got == 4096,
	      "claim in the arena: %p (want %p), %zu bytes: %s", (void *)q,
	      gomem_ptr(a2, (uint64_t)off), got, gomem_errname(errno));
	CHECK_RET(gomem_release(a2, q), 0);
	CHECK_RET(gomem_cancel(a1, token), 0);
	/* The device's handle cannot free the arena's region. */
	CHECK(gomem_free(d, gomem_ptr(d, (uint64_t)off), 3 * 4096) < 0,
	      "the device freed a region of the private arena's");
	CHECK(check_fill(p, 3 * 4096, 7) < 0, "the arena's bytes changed");
	CHECK_RET(gomem_free(a1, p, 3 * 4096), 0);
	CHECK_RET(gomem_close(a1), 0);
	CHECK_RET(gomem_close(a2), 0);
	close(afd);
	CHECK_RET(gomem_close(d), 0);
}

/* A read-only descriptor opens read-only handles only, which allocate
 * nothing, and derives no writable descriptor. */
static void case_arena_readonly_descriptor_stays_readonly(void)
{
	struct gomem *w, *r;
	struct gomem_info in;
	int afd, ro, ro2;
	char *p, *q;

	afd = must_arena(NULL);
	w = must_arena_open(afd, GOMEM_LIB_NOCACHE);
	p = gomem_alloc(w, 4096, 0, 0);
	CHECK(p, "alloc: %s", gomem_errname(errno));
	fill(p, 4096, 9);
	ro = gomem_arena_dup(afd, GOMEM_LIB_READONLY | GOMEM_LIB_CLOEXEC);
	CHECK(ro >= 0 && cloexec(ro), "dup read-only: %d (%s)", ro,
	      gomem_errname(ro));
	CHECK_RET(gomem_arena_info(ro, &in), 0);
	CHECK(in.session_flags & GOMEM_SESSION_READONLY,
	      "a read-only descriptor's info: session_flags %#x", in.session_flags);
	CHECK_RET(gomem_arena_dup(ro, 0), -EBADF);
	CHECK_RET(gomem_arena_dup(ro, GOMEM_LIB_CLOEXEC), -EBADF);
	CHECK_RET(gomem_arena_dup(afd, GOMEM_LIB_NOCACHE), -EINVAL);
	ro2 = gomem_arena_dup(ro, GOMEM_LIB_READONLY);
	CHECK(ro2 >= 0 && !cloexec(ro2), "dup of read-only, read-only: %d (%s)",
	      ro2, gomem_errname(ro2));
	CHECK_RET(gomem_arena_info(ro2, &in), 0);
	CHECK(in.session_flags & GOMEM_SESSION_READONLY, "derived: %#x",
	      in.session_flags);
	close(ro2);
	CHECK_NULL_ERRNO(gomem_arena_open(ro, 0), EBADF);
	CHECK_NULL_ERRNO(gomem_arena_open(ro, GOMEM_LIB_NOCACHE), EBADF);
	r = must_arena_open(ro, GOMEM_LIB_READONLY);
	CHECK(gomem_readonly(r), "the handle is not read-only");
	q = gomem_ptr(r, (uint64_t)gomem_offset(w, p));
	CHECK(q && check_fill(q, 4096, 9) < 0, "the reader does not see the bytes");
	CHECK_NULL_ERRNO(gomem_alloc(r, 4096, 0, 0), EBADF);
	CHECK_RET(gomem_free(r, q, 4096), -EBADF);
	CHECK_RET(gomem_arena_create(r, NULL, 0), -EBADF);
	CHECK(in_child(write_ro, q) == SIGSEGV, "a read-only handle's mapping "
	      "took a write");
	CHECK_RET(gomem_close(r), 0);
	CHECK_RET(gomem_close(w), 0);
	close(ro);
	close(afd);
}

/* The child that gets the arena over the socket: 0 read the bytes. */
static int arena_recv_child(int sock)
{
	struct gomem_info in;
	struct gomem *g;
	uint64_t off;
	uint32_t id;
	int fd;
	char *p;

	fd = gomem_arena_recv(sock);
	if (fd < 0)
		return 10;
	if (!cloexec(fd))
		return 11;
	if (read(sock, &off, sizeof(off)) != sizeof(off) ||
	    read(sock, &id, sizeof(id)) != sizeof(id))
		return 12;
	if (gomem_arena_info(fd, &in) || in.arena_id != id ||
	    !(in.session_flags & GOMEM_SESSION_READONLY))
		return 13;
	if (gomem_arena_open(fd, 0) || errno != EBADF)
		return 14;	/* read-only was sent */
	g = gomem_arena_open(fd, GOMEM_LIB_READONLY);
	if (!g)
		return 15;
	close(fd);	/* the handle keeps the arena */
	p = gomem_ptr(g, off);
	if (!p || check_fill(p, 8192, 23) >= 0)
		return 16;
	return gomem_close(g) ? 18 : 0;
}

/* The descriptor travels over a socketpair to a child forked before the
 * arena existed; it opens its own handle and reads the bytes.  A socket
 * that brings no gomem descriptor is an error, and leaks nothing. */
static void case_arena_send_recv_across_fork(void)
{
	static const char *const why[] = {
		[10] = "recv failed", [11] = "not close-on-exec",
		[12] = "no offset", [13] = "another arena, or writable",
		[14] = "a writable handle from a read-only descriptor",
		[15] = "open failed", [16] = "other bytes", [18] = "close",
	};
	struct gomem *a;
	int sv[2], sv2[2], pfd[2], afd, ro, st, fds0, k;
	uint32_t id;
	uint64_t off;
	char *p;
	pid_t pid;

	CHECK(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
	      "socketpair: %s", gomem_errname(errno));
	pid = fork();
	CHECK(pid >= 0, "fork: %s", gomem_errname(errno));
	if (!pid) {
		close(sv[0]);
		_exit(arena_recv_child(sv[1]));
	}
	close(sv[1]);
	afd = must_arena(&id);
	a = must_arena_open(afd, 0);
	p = gomem_alloc(a, 8192, 0, 0);
	CHECK(p, "alloc: %s", gomem_errname(errno));
	fill(p, 8192, 23);
	off = (uint64_t)gomem_offset(a, p);
	ro = gomem_arena_dup(afd, GOMEM_LIB_READONLY | GOMEM_LIB_CLOEXEC);
	CHECK(ro >= 0, "dup: %s", gomem_errname(ro));
	CHECK_RET(gomem_arena_send(sv[0], ro), 0);
	close(ro);	/* in flight, the message holds it */
	CHECK(write(sv[0], &off, sizeof(off)) == sizeof(off) &&
	      write(sv[0], &id, sizeof(id)) == sizeof(id), "write");
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	k = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	CHECK(k == 0, "the child: %s (status %d)",
	      k > 0 && k < 19 && why[k] ? why[k] : "died", k);
	CHECK_RET(gomem_free(a, p, 8192), 0);
	close(sv[0]);

	/* What does not come from gomem_arena_send(), with a gomem
	 * descriptor, is refused, and closed. */
	fds0 = count_fds();
	CHECK(!socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv2) &&
	      !pipe2(pfd, O_CLOEXEC), "socketpair, pipe: %s", gomem_errname(errno));
	fds0 += 4;
	CHECK_RET(gomem_arena_send(sv2[0], pfd[0]), 0);
	CHECK_RET(gomem_arena_recv(sv2[1]), -ENOTTY);
	CHECK(write(sv2[0], "A", 1) == 1, "write");
	CHECK_RET(gomem_arena_recv(sv2[1]), -EBADMSG);
	CHECK(count_fds() == fds0, "recv left %d descriptors open",
	      count_fds() - fds0);
	CHECK_RET(gomem_arena_send(pfd[1], afd), -ENOTSOCK);
	close(sv2[0]);
	CHECK_RET(gomem_arena_recv(sv2[1]), -ECONNRESET);
	close(sv2[1]);
	close(pfd[0]);
	close(pfd[1]);
	CHECK_RET(gomem_close(a), 0);
	close(afd);
}

/* The region cache works on a private arena's handle (on by default):
 * a steady loop is served from it; trim, close and a thread's exit give
 * everything back, down to an arena with nothing in use. */
static void case_arena_cache_gives_everything_back(void)
{
	struct gomem_cache_stats cs;
	struct gomem_stats s;
	struct gomem *a, *w;
	uint64_t in_use = 1;
	uint32_t id;
	int afd, st, k;
	void *p;
	pid_t pid;

	afd = must_arena(&id);
	a = must_arena_open(afd, 0);
	w = must_arena_open(afd, GOMEM_LIB_READONLY);
	for (int i = 0; i < 200; i++) {
		p = gomem_alloc(a, 256, 0, 0);
		CHECK(p, "alloc %d: %s", i, gomem_errname(errno));
		/* Zeroes, or this session's own old bytes (the device's
		 * promise, which the cache keeps). */
		for (int k = 0; k < 256; k++)
			CHECK(!((char *)p)[k] || ((char *)p)[k] == 0x5a,
			      "alloc %d: byte %d is %#x", i, k, ((char *)p)[k]);
		memset(p, 0x5a, 256);
		CHECK_RET(gomem_free(a, p, 256), 0);
	}
	CHECK_RET(gomem_cache_info(a, &cs), 0);
	CHECK(cs.hits >= 190 && cs.refills >= 1 && cs.regions > 0,
	      "cache on the arena: %llu hits, %llu refills, %llu cached",
	      (unsigned long long)cs.hits, (unsigned long long)cs.refills,
	      (unsigned long long)cs.regions);
	s = must_stats(w);
	CHECK(s.in_use > 0, "the arena shows nothing cached");
	CHECK_RET(gomem_trim(a, NULL), 0);
	s = must_stats(w);
	CHECK(s.in_use == 0, "after trim the arena has %llu bytes in use",
	      (unsigned long long)s.in_use);
	/* A fork()ed child shares the session, not the cache. */
	pid = fork();
	CHECK(pid >= 0, "fork: %s", gomem_errname(errno));
	if (!pid) {
		p = gomem_alloc(a, 256, 0, 0);
		_exit(p ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
	      "the fork()ed child's alloc: status %#x", st);
	CHECK_RET(gomem_recycle_all(a, NULL), 0);	/* the child's refill */
	s = must_stats(w);
	CHECK(s.in_use == 0, "after recycle the arena has %llu bytes in use",
	      (unsigned long long)s.in_use);
	p = gomem_alloc(a, 256, 0, 0);
	CHECK(p, "alloc: %s", gomem_errname(errno));
	CHECK_RET(gomem_free(a, p, 256), 0);	/* cached, not trimmed */
	CHECK_RET(gomem_close(a), 0);
	s = must_stats(w);
	CHECK(s.in_use == 0 && s.sessions == 1,
	      "after close: in_use %llu, sessions %llu",
	      (unsigned long long)s.in_use, (unsigned long long)s.sessions);
	/* debugfs says so too, where there is one. */
	k = arena_line(id, &in_use);
	CHECK(k != 0, "private-%u not in gomem/arenas", id);
	CHECK(k < 0 || in_use == 0, "gomem/arenas: private-%u in_use %llu", id,
	      (unsigned long long)in_use);
	CHECK_RET(gomem_close(w), 0);
	close(afd);
}

/* arenas lists the device's arena and a private one from debugfs, with
 * the private one's sessions. */
static void case_ctl_arenas_lists_private(void)
{
	struct gomem *a, *b;
	char name[128], *l;
	struct run r;
	uint32_t id;
	int afd;

	afd = must_arena(&id);
	a = must_arena_open(afd, GOMEM_LIB_NOCACHE);
	b = must_arena_open(afd, GOMEM_LIB_READONLY);
	CHECK(gomem_alloc(a, 8192, 0, 0), "alloc: %s", gomem_errname(errno));
	RUN_CTL(&r, "arenas");
	CHECK(r.status == 0 && strstr(r.out, "\ndefault          device "),
	      "arenas: %d '%s' '%s'", r.status, r.out, r.err);
	snprintf(name, sizeof(name), "\nprivate-%u ", id);
	l = strstr(r.out, name);
	CHECK(l && !strncmp(l + 18, "private         2      3 ", 25) &&
	      strstr(l, "      4.0 MiB\n"), "private-%u: sessions 2, refs 3 (a "
	      "descriptor, two sessions), max 4 MiB wanted:\n%s", id, r.out);
	/* Its own debugfs directory: blocks and map of that arena. */
	snprintf(name, sizeof(name), "private-%u", id);
	RUN_CTL(&r, "blocks", "--arena", name, "--json");
	CHECK(r.status == 0 && strstr(r.out, "\"chunks\""), "blocks --arena %s: "
	      "%d '%s' '%s'", name, r.status, r.out, r.err);
	RUN_CTL(&r, "stats", "--arena", name, "--json");
	CHECK(r.status == 0 && strstr(r.out, "\"in_use\": 8192,") &&
	      strstr(r.out, "\"sessions\": 2,"), "stats --arena %s: %d '%s' '%s'",
	      name, r.status, r.out, r.err);
	RUN_CTL(&r, "stats", "--arena", "private-0");
	CHECK(r.status == 1 && strstr(r.err, "ENOENT"), "stats --arena private-0: "
	      "%d '%s'", r.status, r.err);
	RUN_CTL(&r, "map", "--arena", name);
	CHECK(r.status == 0 && strchr(r.out, '#'), "map --arena %s: %d '%s' '%s'",
	      name, r.status, r.out, r.err);
	RUN_CTL(&r, "arenas", "--json");
	snprintf(name, sizeof(name), "{\"name\": \"private-%u\", \"kind\": \"private\", "
		 "\"sessions\": 2, \"refs\": 3, ", id);
	CHECK(r.status == 0 && strstr(r.out, name) &&
	      strstr(r.out, "\"kind\": \"device\""), "arenas --json: %d '%s'",
	      r.status, r.out);
	CHECK_RET(gomem_close(a), 0);
	CHECK_RET(gomem_close(b), 0);
	close(afd);
	RUN_CTL(&r, "arenas");
	snprintf(name, sizeof(name), "\nprivate-%u ", id);
	CHECK(r.status == 0 && !strstr(r.out, name), "private-%u still listed "
	      "when all is closed:\n%s", id, r.out);
}

/*
 * gomemctl create and remove: a named arena made through configfs with
 * the geometry asked, listed by arenas, opened by its node; bad keys are
 * usage errors, refused geometry and duplicates operation errors that
 * leave nothing behind; remove takes the node away.
 */
static void case_ctl_create_remove_named(void)
{
	char name[32], dev[64], dir[128], want[96];
	struct gomem_info in;
	struct gomem *g;
	struct stat sb;
	struct run r;

	snprintf(name, sizeof(name), "lt-%d", getpid() % 100000);
	snprintf(dev, sizeof(dev), "/dev/gomem-%s", name);
	snprintf(dir, sizeof(dir), "/sys/kernel/config/gomem/%s", name);
	RUN_CTL(&r, "create", name, "initial_size=65536", "colour=blue");
	CHECK(r.status == 2 && stat(dir, &sb) && errno == ENOENT,
	      "create with a bad key: %d '%s'", r.status, r.err);
	RUN_CTL(&r, "create", name, "initial_size=1048576", "max_chunk=65536");
	CHECK(r.status == 1 && strstr(r.err, "EINVAL") && stat(dir, &sb) &&
	      errno == ENOENT, "create with refused geometry: %d '%s'",
	      r.status, r.err);
	RUN_CTL(&r, "create", name, "initial_size=65536", "max_chunk=131072",
		"max_size=1048576", "policy=avl", "max_session_bytes=524288");
	snprintf(want, sizeof(want), "%s\n", dev);
	CHECK(r.status == 0 && !strcmp(r.out, want), "create: %d '%s' '%s'",
	      r.status, r.out, r.err);
	RUN_CTL(&r, "create", name);
	CHECK(r.status == 1 && strstr(r.err, "EEXIST"), "create twice: %d '%s'",
	      r.status, r.err);
	RUN_CTL(&r, "arenas");
	snprintf(want, sizeof(want), "\nnamed-%s", name);
	CHECK(r.status == 0 && strstr(r.out, want) && strstr(r.out, " named "),
	      "arenas: %d '%s'", r.status, r.out);
	g = gomem_open(dev, GOMEM_LIB_NOCACHE);
	CHECK(g, "gomem_open %s: %s", dev, gomem_errname(errno));
	in = must_info(g);
	CHECK(in.arena_kind == GOMEM_ARENA_KIND_NAMED && in.initial_size == 65536 &&
	      in.max_chunk == 131072 && in.max_size == 1048576 &&
	      in.policy == GOMEM_POLICY_AVL_ABI && in.max_session_bytes == 524288,
	      "named arena's INFO: kind %u geometry %llu/%llu/%llu policy %u",
	      in.arena_kind, (unsigned long long)in.initial_size,
	      (unsigned long long)in.max_chunk, (unsigned long long)in.max_size,
	      in.policy);
	CHECK(gomem_alloc(g, 4096, 0, 0), "alloc: %s", gomem_errname(errno));
	RUN_CTL(&r, "remove", name);
	CHECK(r.status == 0 && stat(dev, &sb) && errno == ENOENT,
	      "remove: %d '%s'", r.status, r.err);
	RUN_CTL(&r, "remove", name);
	CHECK(r.status == 1 && strstr(r.err, "ENOENT"), "remove twice: %d '%s'",
	      r.status, r.err);
	/* The open handle keeps its arena. */
	CHECK(gomem_alloc(g, 4096, 0, 0), "alloc after remove: %s",
	      gomem_errname(errno));
	CHECK_RET(gomem_close(g), 0);
}

/* ------------------------------------------------------------------ */
/* Runner                                                              */
/* ------------------------------------------------------------------ */

#define C(n, h) { #n, case_##n, 0, h }
static const struct gomem_case cases[] = {
	C(errname_and_version, true),
	C(open_errors_set_errno, true),
	C(null_handles_allowed, true),
	C(reader_every_function, true),
	C(cxx_translation_unit, true),
	C(ctl_usage_and_open_errors, true),
	C(ctl_blocks_map_show_holds, true),
	C(ctl_arenas_table_and_errors, true),
	C(open_info_close, false),
	C(stats_track_session, false),
	C(alloc_zeroed_aligned_writable, false),
	C(alloc_errors_null_errno, false),
	C(alloc_until_enomem, false),
	C(ptr_offset_round_trip, false),
	C(lib_partial_free_head_middle_tail, false),
	C(free_rest_keeps_head, false),
	C(lib_free_other_session_eperm, false),
	C(offsets_across_processes, false),
	C(readonly_consumer, false),
	C(batch_alloc_free, false),
	C(batch_larger_than_kernel_max, false),
	C(batch_per_entry_results, false),
	C(recyclable_batches, false),
	C(mapping_stable_across_growth, false),
	C(recycle_all_and_trim, false),
	C(close_returns_regions, false),
	C(threads_share_handle, false),
	C(fork_child_shares_handle, false),
	C(cxx_device_round_trip, false),
	C(share_claim_maps_shared_range, false),
	C(claimed_frame_survives_producer_kill, false),
	C(unclaimed_token_dies_with_its_maker, false),
	C(cancel_withdraws_token, false),
	C(shared_region_freed_only_whole, false),
	C(handoff_errors_change_nothing, false),
	C(lib_release_batch_results, false),
	C(release_batch_many, false),
	C(lib_share_claim_batch_results, false),
	C(share_claim_batch_many, false),
	C(holder_by_reference_forwards_frame, false),
	C(claim_own_token, false),
	C(spent_token_never_names_later_region, false),
	C(close_drops_references_and_tokens, false),
	C(doc_handoff_example_runs, false),
	C(ctl_info_stats_json, false),
	C(ctl_blocks_and_map, false),
	C(ctl_stats_and_blocks_show_holds, false),
	C(ctl_alloc_hold, false),
	C(ctl_errors_exit_1, false),
	C(ctl_trim_and_bench, false),
	C(cache_steady_loop_no_ioctls, false),
	C(cache_never_shows_others_bytes, false),
	C(cache_double_free_einval, false),
	C(cache_never_takes_shared_region, false),
	C(cache_trim_close_thread_exit_give_back, false),
	C(cache_fork_child_gets_none_of_parents, false),
	C(arena_create_open_alloc_round_trip, false),
	C(arena_second_handle_sees_bytes_device_does_not, false),
	C(arena_readonly_descriptor_stays_readonly, false),
	C(arena_send_recv_across_fork, false),
	C(arena_cache_gives_everything_back, false),
	C(ctl_arenas_lists_private, false),
	C(ctl_create_remove_named, false),
};
#undef C
#define NCASES (int)(sizeof(cases) / sizeof(cases[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: libgomem-test --list | --all | --host | CASE...\n"
		"  env: GOMEM_DEV GOMEM_CASE_TIMEOUT GOMEM_CTL\n");
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (getenv("GOMEM_DEV"))
		g_dev = getenv("GOMEM_DEV");
	n = readlink("/proc/self/exe", g_self, sizeof(g_self) - 1);
	if (n > 0)
		g_self[n] = 0;
	else
		snprintf(g_self, sizeof(g_self), "%s", argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--peer"))
		return peer_main(argc, argv);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	return case_main(cases, NCASES, argc, argv, case_default_timeout());
}
