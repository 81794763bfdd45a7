// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem-producer: write messages into regions of the shared gomem arena
 * and tell a consumer where they are.
 *
 *   gomem-producer [N] | gomem-consumer
 *
 * For each of N messages (default 8) the producer allocates a region with
 * GOMEM_IOC_ALLOC, writes the message into it through its mmap() of
 * /dev/gomem, and prints "MSG <seq> <offset> <length>" on stdout.  The
 * consumer maps the same arena read-only and reads each message in place.
 * Only the (offset, length) pairs go through the pipe; the bytes never do.
 *
 * When the consumer is done (it closes the pipe), the producer frees the
 * tail of one big region and keeps its header (a partial free), then
 * frees everything, showing the arena's statistics at each step.  Its
 * own report goes to stderr, so that stdout stays the channel.
 *
 *   gomem-producer --share N PIPE...
 *
 * The hand-off demo: N frames of 64 KiB, each shared with one share token
 * good for one claim per PIPE (GOMEM_IOC_SHARE); "FRAME <seq> <token>
 * <crc>" goes into every PIPE (a FIFO a gomem-consumer --claim reads).  A
 * session's unclaimed tokens die with it, so the producer waits until every
 * claim is taken (its session has no outstanding token), says so, and then
 * holds its frames until it is killed: the consumers' references keep them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demo.h"

#define WHO "[producer]"

static const char *dev = "/dev/gomem";

static void die(const char *what)
{
	fprintf(stderr, WHO " FAILED: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct gomem_stats stats(int fd)
{
	struct gomem_stats s;

	if (ioctl(fd, GOMEM_IOC_STATS, &s))
		die("GOMEM_IOC_STATS");
	return s;
}

static void heading(const char *h)
{
	fprintf(stderr, "\n" WHO " --- %s ---\n", h);
}

static const char *const words[] = {
	"zero-copy", "shared", "arena", "regions", "mmap", "ioctl",
	"sessions", "chunks", "treap", "pages",
};

/* gomem-producer --share N PIPE...: see the top of the file. */
static int share_main(int n, int npipes, char **pipes)
{
	struct gomem_stats s;
	struct gomem_info in;
	unsigned char *win;
	FILE *out[8];
	int fd;

	if (n < 1 || n > 64 || npipes < 1 || npipes > 8) {
		fprintf(stderr, "usage: gomem-producer --share N (1..64) PIPE... (1..8)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(dev);
	if (ioctl(fd, GOMEM_IOC_INFO, &in))
		die("GOMEM_IOC_INFO");
	win = mmap(NULL, in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (win == MAP_FAILED)
		die("mmap");
	for (int k = 0; k < npipes; k++) {
		out[k] = fopen(pipes[k], "w");
		if (!out[k])
			die(pipes[k]);
		setvbuf(out[k], NULL, _IOLBF, 0);
	}
	for (int i = 0; i < n; i++) {
		struct gomem_alloc a = { .size = DEMO_FRAME_SIZE,
					 .flags = GOMEM_ALLOC_NOZERO };
		struct gomem_share sh = { 0 };
		struct demo_frame *f;

		if (ioctl(fd, GOMEM_IOC_ALLOC, &a))
			die("GOMEM_IOC_ALLOC");
		f = (struct demo_frame *)(win + a.offset);
		f->len = DEMO_FRAME_SIZE - sizeof(*f);
		for (size_t k = 0; k < f->len; k++)
			f->payload[k] = demo_frame_byte(i, k);
		f->seq = i;
		f->crc = demo_crc32(f->payload, f->len);
		f->magic = DEMO_FRAME_MAGIC;
		/* One token, one claim per consumer: it holds the frame too. */
		sh.offset = a.offset;
		sh.claims = npipes;
		if (ioctl(fd, GOMEM_IOC_SHARE, &sh))
			die("GOMEM_IOC_SHARE");
		for (int k = 0; k < npipes; k++)
			fprintf(out[k], "FRAME %d %llu %u\n", i,
				(unsigned long long)sh.token, f->crc);
		printf(WHO " frame %d: 64 KiB at offset %#llx, crc %08x; token "
		       "%016llx (%d claims) sent\n", i,
		       (unsigned long long)a.offset, f->crc,
		       (unsigned long long)sh.token, npipes);
	}
	/* Until every claim is taken: unclaimed tokens would die with us. */
	for (int t = 0;; t++) {
		if (ioctl(fd, GOMEM_IOC_STATS, &s))
			die("GOMEM_IOC_STATS");
		if (!s.session_tokens)
			break;
		if (t == 6000) {
			fprintf(stderr, WHO " FAILED: %llu token(s) still not "
				"claimed in full after 60 s\n",
				(unsigned long long)s.session_tokens);
			return 1;
		}
		usleep(10000);
	}
	printf(WHO " every frame claimed by every consumer; holding my %llu "
	       "regions until killed\n", (unsigned long long)s.session_regions);
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 8, fd;
	struct gomem_info in;
	struct gomem_stats s0, s1, s2;
	unsigned long long *offs, *lens, rec, rec_size = 16384, keep = 64;
	unsigned char *win;
	struct stat st;
	bool piped;

	if (getenv("GOMEM_DEV"))
		dev = getenv("GOMEM_DEV");
	if (argc > 1 && !strcmp(argv[1], "--share"))
		return share_main(argc > 2 ? atoi(argv[2]) : 0, argc - 3, argv + 3);
	if (n < 1 || n > 1000) {
		fprintf(stderr, "usage: gomem-producer [N (1..1000)] | "
			"gomem-consumer\n");
		return 2;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	piped = !fstat(1, &st) && S_ISFIFO(st.st_mode);

	heading("open /dev/gomem: a read-write session");
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(dev);
	if (ioctl(fd, GOMEM_IOC_INFO, &in))
		die("GOMEM_IOC_INFO");
	demo_print_info(stderr, WHO, &in);
	s0 = stats(fd);
	fprintf(stderr, WHO " statistics before:\n");
	demo_print_stats(stderr, WHO, &s0);

	/* One mapping of the whole window reaches every region, even those
	 * in chunks the arena adds later.
	 */
	win = mmap(NULL, in.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (win == MAP_FAILED)
		die("mmap");

	heading("allocate a region per message and write the message into it");
	offs = calloc(n, sizeof(*offs));
	lens = calloc(n, sizeof(*lens));
	for (int i = 0; i < n; i++) {
		char text[512];
		int len = snprintf(text, sizeof(text),
				   "message %d of %d from producer pid %d:", i + 1,
				   n, getpid());
		struct gomem_alloc a = { 0 };
		struct demo_msg *m;

		for (int w = 0; w <= i % 6; w++)
			len += snprintf(text + len, sizeof(text) - len, " %s",
					words[(i + w) % 10]);
		a.size = sizeof(*m) + len;
		if (ioctl(fd, GOMEM_IOC_ALLOC, &a))
			die("GOMEM_IOC_ALLOC");
		m = (struct demo_msg *)(win + a.offset);
		memcpy(m->text, text, len);	/* straight into shared memory */
		m->seq = i;
		m->len = len;
		m->crc = demo_crc32(m->text, len);
		m->magic = DEMO_MAGIC;
		offs[i] = a.offset;
		lens[i] = a.size;
		fprintf(stderr, WHO " #%d -> region at offset %6llu, %3llu bytes,"
			" crc %08x\n", i, offs[i], lens[i], m->crc);
	}
	s1 = stats(fd);
	fprintf(stderr, WHO " statistics with %d messages held:\n", n);
	demo_print_stats(stderr, WHO, &s1);

	heading("send only (offset, length) to the consumer; it reads in place");
	for (int i = 0; i < n; i++)
		printf("MSG %d %llu %llu\n", i, offs[i], lens[i]);
	printf("END\n");
	fflush(stdout);
	if (piped) {
		/* The regions must live until the consumer has read them:
		 * wait for it to close its end of the pipe.
		 */
		struct pollfd p = { .fd = 1, .events = 0 };

		if (poll(&p, 1, 60000) <= 0)
			fprintf(stderr, WHO " the consumer did not finish in "
				"60 s\n");
	} else {
		fprintf(stderr, WHO " (stdout is not a pipe: run "
			"'gomem-producer %d | gomem-consumer' to see the "
			"consumer)\n", n);
	}

	heading("partial free: keep a record's 64-byte header, free the rest");
	{
		struct gomem_alloc a = { .size = rec_size };
		struct gomem_free f;

		if (ioctl(fd, GOMEM_IOC_ALLOC, &a))
			die("GOMEM_IOC_ALLOC record");
		rec = a.offset;
		snprintf((char *)win + rec, keep, "RECORD header: 16 KiB body "
			 "follows");
		memset(win + rec + keep, 'x', rec_size - keep);
		s1 = stats(fd);
		fprintf(stderr, WHO " record region [%llu, %llu), %llu bytes;"
			" statistics:\n", rec, rec + rec_size, rec_size);
		demo_print_stats(stderr, WHO, &s1);
		f.offset = rec + keep;
		f.size = rec_size - keep;
		if (ioctl(fd, GOMEM_IOC_FREE, &f))
			die("GOMEM_IOC_FREE (partial)");
		s2 = stats(fd);
		fprintf(stderr, WHO " freed [%llu, %llu): %llu bytes back to "
			"the arena, the header stays:\n", f.offset,
			f.offset + f.size, (unsigned long long)f.size);
		demo_print_stats(stderr, WHO, &s2);
		fprintf(stderr, WHO " in use: %llu -> %llu (-%llu); header "
			"still reads \"%s\"\n",
			(unsigned long long)s1.in_use,
			(unsigned long long)s2.in_use,
			(unsigned long long)(s1.in_use - s2.in_use),
			(char *)win + rec);
		/* Freeing it again is refused: the bytes are not allocated. */
		if (ioctl(fd, GOMEM_IOC_FREE, &f) == 0 || errno != EINVAL)
			die("a second free of the tail was not refused");
		fprintf(stderr, WHO " freeing the same tail again: %s "
			"(refused, nothing changes)\n", strerror(EINVAL));
	}

	heading("free everything this session holds (GOMEM_IOC_RECYCLE)");
	{
		struct gomem_release r;

		if (ioctl(fd, GOMEM_IOC_RECYCLE, &r))
			die("GOMEM_IOC_RECYCLE");
		s2 = stats(fd);
		fprintf(stderr, WHO " recycled %llu regions, %llu bytes:\n",
			(unsigned long long)r.count,
			(unsigned long long)r.bytes);
		demo_print_stats(stderr, WHO, &s2);
		fprintf(stderr, WHO " in use is back to %llu bytes, as before "
			"the producer started (%llu)\n",
			(unsigned long long)s2.in_use,
			(unsigned long long)s0.in_use);
	}
	munmap(win, in.map_size);
	close(fd);
	return s2.in_use == s0.in_use ? 0 : 1;
}
