// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gomem-consumer: read the producer's messages in place.
 *
 *   gomem-producer [N] | gomem-consumer
 *
 * Reads "MSG <seq> <offset> <length>" lines (then "END") on stdin, then opens
 * /dev/gomem read-only (a consumer session: it may map read-only and read
 * statistics, nothing else), maps the arena window read-only, and checks
 * each message where the producer wrote it: magic, sequence number,
 * length and CRC-32.  The text is printed straight from the shared
 * mapping: no read(), no memcpy.  Exits non-zero if any message is wrong.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "demo.h"

#define WHO "[consumer]"
#define MAX_LINES 1002

int main(void)
{
	const char *dev = getenv("GOMEM_DEV") ? getenv("GOMEM_DEV") :
			  "/dev/gomem";
	struct gomem_info in;
	struct gomem_alloc a = { .size = 64 };
	struct gomem_stats s;
	unsigned char *win;
	char line[256], *lines[MAX_LINES];
	int nlines = 0, fd, good = 0, bad = 0, expect = 0;
	bool ended = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Collect the producer's announcements first, so that its report
	 * and ours do not interleave on a shared terminal.
	 */
	while (nlines < MAX_LINES && fgets(line, sizeof(line), stdin)) {
		lines[nlines] = strdup(line);
		if (!strcmp(lines[nlines++], "END\n"))
			break;
	}
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf(WHO " FAILED: open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	if (ioctl(fd, GOMEM_IOC_INFO, &in)) {
		printf(WHO " FAILED: GOMEM_IOC_INFO: %s\n", strerror(errno));
		return 1;
	}
	win = mmap(NULL, in.map_size, PROT_READ, MAP_SHARED, fd, 0);
	if (win == MAP_FAILED) {
		printf(WHO " FAILED: mmap: %s\n", strerror(errno));
		return 1;
	}
	printf("\n" WHO " --- open /dev/gomem read-only and map the arena "
	       "read-only ---\n");
	demo_print_info(stdout, WHO, &in);
	printf(WHO " allocating from this session: %s\n",
	       ioctl(fd, GOMEM_IOC_ALLOC, &a) ? strerror(errno) :
	       "succeeded (unexpected!)");
	printf(WHO " mapping it writable: %s\n",
	       mmap(NULL, in.page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    0) == MAP_FAILED ? strerror(errno) :
	       "succeeded (unexpected!)");

	printf("\n" WHO " --- read each message where the producer wrote it "
	       "---\n");
	for (int l = 0; l < nlines; l++) {
		unsigned long long off, len;
		const struct demo_msg *m;
		int seq;

		snprintf(line, sizeof(line), "%s", lines[l]);

		if (!strcmp(line, "END\n")) {
			ended = true;
			break;
		}
		if (sscanf(line, "MSG %d %llu %llu", &seq, &off, &len) != 3) {
			printf(WHO " unexpected line: %s", line);
			bad++;
			continue;
		}
		if (off + len > in.map_size || len < sizeof(*m)) {
			printf(WHO " #%d: bad region %llu+%llu\n", seq, off, len);
			bad++;
			continue;
		}
		m = (const struct demo_msg *)(win + off);	/* in place */
		if (m->magic != DEMO_MAGIC || m->seq != (uint32_t)seq ||
		    sizeof(*m) + m->len > len ||
		    demo_crc32(m->text, m->len) != m->crc) {
			printf(WHO " #%d at %llu: CORRUPT (magic %08x seq %u "
			       "len %u)\n", seq, off, m->magic, m->seq, m->len);
			bad++;
			continue;
		}
		if (seq != expect)
			printf(WHO " #%d arrived out of order\n", seq);
		expect = seq + 1;
		printf(WHO " #%d @%-6llu crc %08x ok: \"%.*s\"\n", seq, off,
		       m->crc, (int)m->len, m->text);
		good++;
	}
	if (!ioctl(fd, GOMEM_IOC_STATS, &s)) {
		printf(WHO " statistics as a read-only session sees them:\n");
		demo_print_stats(stdout, WHO, &s);
	}
	printf(WHO " %d message(s) verified in place, %d bad%s; 0 bytes "
	       "copied\n", good, bad, ended ? "" : ", and no END (producer "
	       "died?)");
	fflush(stdout);
	/* Closing the pipe tells the producer it may free the regions. */
	close(0);
	munmap(win, in.map_size);
	close(fd);
	return bad || !ended || !good;
}
