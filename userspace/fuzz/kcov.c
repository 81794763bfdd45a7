// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KCOV coverage of gomem.ko for gomem-fuzz (see kcov.h).
 *
 * Every thread that calls cov_thread_start() gets its own KCOV buffer in
 * KCOV_TRACE_PC mode: the kernel appends the return address of every
 * instrumented point it passes in that thread's system calls and faults.
 * cov_thread_collect() keeps those inside gomem.ko's text sections (the
 * only module in the VM) as (section, offset) pairs in a hash table that a
 * MAP_SHARED mapping, made before any fork, gives every process of the
 * run.  The section bases come from /sys/module/gomem/sections.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kcov.h"

#define KCOV_INIT_TRACE		_IOR('c', 1, unsigned long)
#define KCOV_ENABLE		_IO('c', 100)
#define KCOV_TRACE_PC		0

#define COV_WORDS		(1UL << 16)	/* per-thread buffer, PCs */
#define COV_SLOTS		(1U << 16)	/* shared table */
#define COV_SECTIONS		32

struct cov_section {
	char name[48];
	uint64_t base;
};

/* Shared by every process: the table and its fill. */
struct cov_shared {
	uint64_t slot[COV_SLOTS];	/* (section + 1) << 32 | offset; 0 free */
	uint64_t used, dropped, threads, failed;
};

static struct cov_section sections[COV_SECTIONS];
static int nsections;
static struct cov_shared *shared;
static uint64_t lo = UINT64_MAX, hi;

static __thread uint64_t *area;
static __thread int cov_fd = -1;
static __thread pid_t cov_tid;

static int cov_on(void)
{
	return shared != NULL;
}

__attribute__((constructor)) static void cov_init(void)
{
	const char *e = getenv("GOMEM_FUZZ_KCOV");
	struct dirent *d;
	DIR *dir;

	if (!e || strcmp(e, "1"))
		return;
	dir = opendir("/sys/module/gomem/sections");
	if (!dir) {
		fprintf(stderr, "gomem-fuzz: kcov: no /sys/module/gomem/sections: coverage off\n");
		return;
	}
	while ((d = readdir(dir)) && nsections < COV_SECTIONS) {
		char path[320];
		unsigned long long a;
		FILE *f;

		if (!strstr(d->d_name, "text") || strstr(d->d_name, "init") ||
		    strlen(d->d_name) >= sizeof(sections[0].name))
			continue;
		snprintf(path, sizeof(path), "/sys/module/gomem/sections/%s", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llx", &a) == 1 && a) {
			strcpy(sections[nsections].name, d->d_name);
			sections[nsections].base = a;
			if (a < lo)
				lo = a;
			if (a > hi)
				hi = a;
			nsections++;
		}
		fclose(f);
	}
	closedir(dir);
	if (!nsections) {
		fprintf(stderr, "gomem-fuzz: kcov: no text section addresses: coverage off\n");
		return;
	}
	/* Past the last section's base: at most what a module may span. */
	hi += 1UL << 22;
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		shared = NULL;
}

void cov_thread_start(void)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	void *m;

	if (!cov_on())
		return;
	if (cov_fd >= 0 && cov_tid == tid)
		return;
	/* A forked child inherits its parent's buffer, not its tracing. */
	if (cov_fd >= 0) {
		munmap(area, COV_WORDS * sizeof(uint64_t));
		close(cov_fd);
		area = NULL;
		cov_fd = -1;
	}
	cov_tid = tid;
	cov_fd = open("/sys/kernel/debug/kcov", O_RDWR | O_CLOEXEC);
	if (cov_fd < 0)
		goto failed;
	if (ioctl(cov_fd, KCOV_INIT_TRACE, COV_WORDS))
		goto failed;
	m = mmap(NULL, COV_WORDS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
		 MAP_SHARED, cov_fd, 0);
	if (m == MAP_FAILED)
		goto failed;
	area = m;
	if (ioctl(cov_fd, KCOV_ENABLE, KCOV_TRACE_PC)) {
		munmap(area, COV_WORDS * sizeof(uint64_t));
		area = NULL;
		goto failed;
	}
	__atomic_store_n(&area[0], 0, __ATOMIC_RELAXED);
	__atomic_fetch_add(&shared->threads, 1, __ATOMIC_RELAXED);
	return;
failed:
	/* Fault injection may refuse it; that thread goes uncounted. */
	if (cov_fd >= 0)
		close(cov_fd);
	cov_fd = -1;
	__atomic_fetch_add(&shared->failed, 1, __ATOMIC_RELAXED);
}

static void cov_insert(uint64_t key)
{
	uint32_t h = (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> 40) & (COV_SLOTS - 1);
	uint32_t i;

	for (i = 0; i < COV_SLOTS; i++, h = (h + 1) & (COV_SLOTS - 1)) {
		uint64_t cur = __atomic_load_n(&shared->slot[h], __ATOMIC_RELAXED);

		if (cur == key)
			return;
		if (!cur) {
			uint64_t zero = 0;

			if (__atomic_compare_exchange_n(&shared->slot[h], &zero, key, 0,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
				__atomic_fetch_add(&shared->used, 1, __ATOMIC_RELAXED);
				return;
			}
			if (zero == key)
				return;
		}
	}
	__atomic_fetch_add(&shared->dropped, 1, __ATOMIC_RELAXED);
}

void cov_thread_collect(void)
{
	uint64_t n, i, pc;
	int s, best;

	if (!cov_on() || !area || cov_tid != (pid_t)syscall(SYS_gettid))
		return;
	n = __atomic_load_n(&area[0], __ATOMIC_RELAXED);
	if (n > COV_WORDS - 1)
		n = COV_WORDS - 1;
	for (i = 1; i <= n; i++) {
		pc = area[i];
		if (pc < lo || pc >= hi)
			continue;
		best = -1;
		for (s = 0; s < nsections; s++)
			if (sections[s].base <= pc &&
			    (best < 0 || sections[s].base > sections[best].base))
				best = s;
		if (best >= 0)
			cov_insert((uint64_t)(best + 1) << 32 | (pc - sections[best].base));
	}
	__atomic_store_n(&area[0], 0, __ATOMIC_RELAXED);
}

void cov_report(void)
{
	int s, k;
	uint32_t i;

	if (!cov_on())
		return;
	printf("GOMEM-KCOV threads %llu failed %llu points %llu dropped %llu\n",
	       (unsigned long long)shared->threads, (unsigned long long)shared->failed,
	       (unsigned long long)shared->used, (unsigned long long)shared->dropped);
	for (s = 0; s < nsections; s++) {
		k = 0;
		for (i = 0; i < COV_SLOTS; i++) {
			uint64_t v = shared->slot[i];

			if (!v || (int)(v >> 32) != s + 1)
				continue;
			if (k % 16 == 0)
				printf("%sGOMEM-KCOV %s", k ? "\n" : "", sections[s].name);
			printf(" %llx", (unsigned long long)(v & 0xffffffffU));
			k++;
		}
		if (k)
			printf("\n");
	}
	fflush(stdout);
}
