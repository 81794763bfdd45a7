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
 *
 *   gomem-consumer --claim NAME < PIPE
 *
 * The hand-off demo: reads "FRAME <seq> <token> <crc>" lines (from a
 * gomem-producer --share) and claims each token (GOMEM_IOC_CLAIM) as it
 * comes, so that its read-only session holds every frame by reference.
 * At the end of its input (the producer's end of the pipe closed: it is
 * gone) it waits for SIGUSR1, so that the demo can show the arena first,
 * then checks every frame in place (magic, sequence number, the CRC-32 of
 * its bytes against the one that came through the pipe) and releases
 * them: consumer A one GOMEM_IOC_RELEASE each, any other name all in one
 * GOMEM_IOC_RELEASE_BATCH.  Exits non-zero if a frame is wrong or a call
 * fails.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "demo.h"

#define WHO "[consumer]"
#define MAX_LINES 1002

#define MAX_FRAMES 64

/* gomem-consumer --claim NAME: see the top of the file. */
static int claim_main(const char *name)
{
	const char *dev = getenv("GOMEM_DEV") ? getenv("GOMEM_DEV") :
			  "/dev/gomem";
	struct gomem_batch_entry e[MAX_FRAMES];
	struct {
		unsigned long long offset, size;
		unsigned int seq, crc;
	} fr[MAX_FRAMES];
	struct gomem_stats st;
	struct gomem_info in;
	unsigned char *win;
	char line[256];
	int n = 0, bad = 0, fd, sig;
	sigset_t usr1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Blocked from the start: the go may come before we wait for it. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, GOMEM_IOC_INFO, &in)) {
		printf("[consumer %s] FAILED: open %s: %s\n", name, dev, strerror(errno));
		return 1;
	}
	win = mmap(NULL, in.map_size, PROT_READ, MAP_SHARED, fd, 0);
	if (win == MAP_FAILED) {
		printf("[consumer %s] FAILED: mmap: %s\n", name, strerror(errno));
		return 1;
	}
	while (n < MAX_FRAMES && fgets(line, sizeof(line), stdin)) {
		struct gomem_claim c = { 0 };
		unsigned long long tok;
		unsigned int seq, crc;

		if (sscanf(line, "FRAME %u %llu %u", &seq, &tok, &crc) != 3) {
			printf("[consumer %s] unexpected line: %s", name, line);
			bad++;
			continue;
		}
		c.token = tok;
		if (ioctl(fd, GOMEM_IOC_CLAIM, &c)) {
			printf("[consumer %s] frame %u: claim of token %016llx: "
			       "%s\n", name, seq, tok, strerror(errno));
			bad++;
			continue;
		}
		fr[n].offset = c.offset;
		fr[n].size = c.size;
		fr[n].seq = seq;
		fr[n].crc = crc;
		n++;
		printf("[consumer %s] frame %u: claimed token %016llx: %llu bytes "
		       "at offset %#llx\n", name, seq, tok,
		       (unsigned long long)c.size, (unsigned long long)c.offset);
	}
	printf("[consumer %s] end of the pipe: the producer is gone; holding "
	       "%d frame(s) by reference\n", name, n);
	fflush(stdout);
	sigwait(&usr1, &sig);

	for (int i = 0; i < n; i++) {
		const struct demo_frame *f =
			(const struct demo_frame *)(win + fr[i].offset);
		bool ok = fr[i].size == DEMO_FRAME_SIZE &&
			  f->magic == DEMO_FRAME_MAGIC && f->seq == fr[i].seq &&
			  f->len == DEMO_FRAME_SIZE - sizeof(*f) &&
			  demo_crc32(f->payload, f->len) == fr[i].crc;

		printf("[consumer %s] frame %u at %#llx: crc %08x %s\n", name,
		       fr[i].seq, fr[i].offset, fr[i].crc,
		       ok ? "intact" : "CORRUPT");
		bad += !ok;
	}
	if (!strcmp(name, "A")) {
		int done = 0;

		for (int i = 0; i < n; i++) {
			struct gomem_ref r = { .offset = fr[i].offset };

			if (ioctl(fd, GOMEM_IOC_RELEASE, &r)) {
				printf("[consumer %s] GOMEM_IOC_RELEASE: %s\n",
				       name, strerror(errno));
				bad++;
			} else {
				done++;
			}
		}
		printf("[consumer %s] released %d frame(s), one GOMEM_IOC_RELEASE "
		       "each\n", name, done);
	} else if (n) {
		struct gomem_batch b = { .entries = (uintptr_t)e, .count = n };

		memset(e, 0, sizeof(e));
		for (int i = 0; i < n; i++)
			e[i].offset = fr[i].offset;
		if (ioctl(fd, GOMEM_IOC_RELEASE_BATCH, &b) || b.done != (unsigned int)n) {
			printf("[consumer %s] GOMEM_IOC_RELEASE_BATCH: %s, %u of %d "
			       "released\n", name, strerror(errno), b.done, n);
			bad++;
		} else {
			printf("[consumer %s] released %d frame(s) in one "
			       "GOMEM_IOC_RELEASE_BATCH\n", name, n);
		}
	}
	/* Released, not merely left to our exit: the session holds nothing. */
	if (ioctl(fd, GOMEM_IOC_STATS, &st) || st.session_refs) {
		printf("[consumer %s] still holding %llu reference(s)\n", name,
		       (unsigned long long)st.session_refs);
		bad++;
	}
	munmap(win, in.map_size);
	close(fd);
	return bad || !n;
}

int main(int argc, char **argv)
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

	if (argc == 3 && !strcmp(argv[1], "--claim"))
		return claim_main(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: gomem-producer [N] | gomem-consumer\n"
			"       gomem-consumer --claim NAME < PIPE\n");
		return 2;
	}
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
