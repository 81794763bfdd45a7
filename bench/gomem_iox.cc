// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * make bench, part 4: iceoryx (Debian's 2.0.3) as a peer, beside
 * gomem-peers (which holds the other rows; this program is separate
 * because Debian ships iceoryx's libraries shared only).
 *
 *   gomem-iox [--cycles N] [--roudi PATH --config FILE] [--part cycle|handoff]
 *             [--size BYTES]
 *
 * With --roudi it starts that iox-roudi with the configuration FILE (the
 * mempools the four sizes need, bench/iceoryx-roudi.toml) and stops it at
 * the end; without, a RouDi must be running.  For each size (64 B, 4 KiB,
 * 64 KiB, 1 MiB) it forks a publisher and a subscriber process, each with
 * its own runtime:
 *
 *   buffer cycle  the publisher loans a chunk (UntypedPublisher::loan),
 *                 writes its first and last byte and releases it unpublished
 *                 (release): "peer iceoryx SIZE NS UNITS -1"
 *   hand-off      the publisher loans, writes every byte, publishes; the
 *                 subscriber takes, reads every byte (checksum, verified)
 *                 and releases.  16 in flight: the subscriber's queue holds
 *                 16 (BLOCK_PRODUCER; the publisher WAIT_FOR_CONSUMER, which
 *                 iceoryx 2.0 does by retrying, spinning); the subscriber
 *                 spins on take() a while, then waits in a WaitSet on
 *                 HAS_DATA: "peer-handoff iceoryx SIZE NS UNITS -1"
 *
 * NS is per cycle or message, UNITS in null system calls (getppid) of the
 * same run.  System calls are not counted here (iceoryx makes them inside
 * its libraries): -1; make -C bench peers counts them natively with
 * strace -f -c (peers_strace.sh).
 */
#include <iceoryx_hoofs/log/logmanager.hpp>
#include <iceoryx_posh/popo/untyped_publisher.hpp>
#include <iceoryx_posh/popo/untyped_subscriber.hpp>
#include <iceoryx_posh/popo/wait_set.hpp>
#include <iceoryx_posh/runtime/posh_runtime.hpp>
#include <iceoryx_versions.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <sys/wait.h>

#include "peers.h"

#define INFLIGHT	16
#define SPINS		2000
/* Messages before the clock starts, as in gomem_handoff.cc. */
#define WARM		(2 * INFLIGHT)

struct shared {
	std::atomic<int> sub_ready;
	std::atomic<int> go;
	double cycle_ns;
	double t_warm, t_end;
	long bad;
};

static iox::capro::ServiceDescription service(size_t size)
{
	std::string s = std::to_string(size);

	return { "gomem", "handoff",
		 iox::capro::IdString_t(iox::cxx::TruncateToCapacity, s.c_str()) };
}

static void init_runtime(const char *role, size_t size)
{
	std::string n = std::string("gomem-iox-") + role + "-" +
			std::to_string(size) + "-" + std::to_string(getpid());

	iox::runtime::PoshRuntime::initRuntime(
		iox::RuntimeName_t(iox::cxx::TruncateToCapacity, n.c_str()));
}

/*
 * The two sides return (not _exit()) so that the runtime's destructor, at
 * exit(), tells RouDi this process is gone.
 */
static int subscriber(struct shared *sh, size_t size, long msgs)
{
	iox::popo::SubscriberOptions o;
	long bad = 0;

	init_runtime("sub", size);
	o.queueCapacity = INFLIGHT;
	o.queueFullPolicy = iox::popo::QueueFullPolicy::BLOCK_PRODUCER;
	iox::popo::UntypedSubscriber sub(service(size), o);
	iox::popo::WaitSet<> ws;

	if (ws.attachState(sub, iox::popo::SubscriberState::HAS_DATA).has_error())
		return 3;
	while (sub.getSubscriptionState() != iox::SubscribeState::SUBSCRIBED)
		usleep(1000);
	sh->sub_ready.store(1);
	for (long i = 0; i < msgs;) {
		auto r = sub.take();

		if (r.has_error()) {
			int k;

			for (k = 0; k < SPINS && !sub.hasData(); k++)
				__builtin_ia32_pause();
			if (k == SPINS)
				ws.wait();
			continue;
		}
		bad += check(r.value(), size, (uint64_t)i);
		sub.release(r.value());
		if (++i == WARM)
			sh->t_warm = now();
	}
	sh->t_end = now();
	sh->bad = bad;
	ws.detachState(sub, iox::popo::SubscriberState::HAS_DATA);
	return 0;
}

static int publisher(struct shared *sh, size_t size, long msgs, long cycles)
{
	iox::popo::PublisherOptions o;
	double t0;

	init_runtime("pub", size);
	o.subscriberTooSlowPolicy = iox::popo::ConsumerTooSlowPolicy::WAIT_FOR_CONSUMER;
	iox::popo::UntypedPublisher pub(service(size), o);

	/* The buffer cycle: loan, touch, release unpublished. */
	for (int pass = 0; pass < 2; pass++) {
		long n = pass ? cycles : 100;

		t0 = now();
		for (long i = 0; i < n; i++) {
			auto r = pub.loan((uint32_t)size);
			unsigned char *p;

			if (r.has_error())
				return 4;
			p = static_cast<unsigned char *>(r.value());
			p[0] = 1;
			p[size - 1] = 2;
			pub.release(r.value());
		}
	}
	sh->cycle_ns = (now() - t0) / cycles;
	while (!sh->sub_ready.load() || !pub.hasSubscribers())
		usleep(1000);
	for (long i = 0; i < msgs; i++) {
		auto r = pub.loan((uint32_t)size);

		if (r.has_error())
			return 5;
		fill(r.value(), size, (uint64_t)i);
		pub.publish(r.value());
	}
	/* Stay until the subscriber has everything. */
	while (!sh->go.load())
		usleep(1000);
	return 0;
}

static bool wait_ok(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       !WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	/* The first run warms RouDi and the pools up, unreported. */
	static const size_t sizes[] = { 64, 64, 4096, 65536, 1 << 20 };
	const char *roudi = NULL, *config = NULL, *part = NULL;
	long cycles = 20000, only = 0;
	pid_t rd = -1;
	int ret = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--cycles"))
			cycles = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--roudi"))
			roudi = argv[i + 1];
		else if (!strcmp(argv[i], "--config"))
			config = argv[i + 1];
		else if (!strcmp(argv[i], "--part"))
			part = argv[i + 1];
		else if (!strcmp(argv[i], "--size"))
			only = atol(argv[i + 1]);
		else
			argc = -1;
	}
	if (argc < 0 || argc % 2 == 0 || cycles < 1 || (roudi && !config)) {
		fprintf(stderr, "usage: gomem-iox [--cycles N] [--roudi PATH --config FILE] [--part cycle|handoff] [--size BYTES]\n");
		return 2;
	}
	iox::log::LogManager::GetLogManager().SetDefaultLogLevel(
		iox::log::LogLevel::kError);
	printf("peer-info iceoryx %d.%d.%d\n", ICEORYX_VERSION_MAJOR,
	       ICEORYX_VERSION_MINOR, ICEORYX_VERSION_PATCH);
	fflush(stdout);
	if (roudi) {
		rd = fork();
		if (rd == 0) {
			dup2(2, 1);	/* its chatter is not ours */
			execl(roudi, roudi, "-c", config, "-l", "error",
			      (char *)NULL);
			perror(roudi);
			_exit(127);
		}
	}
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t s = sizes[k];
		long n = s >= (1 << 20) ? cycles / 20 :
			 s >= 65536 ? cycles / 4 : cycles;
		struct shared *sh;
		double nul, t;
		pid_t sub, pub;
		void *v;

		if (only && (k == 0 || s != (size_t)only))
			continue;
		n = k == 0 ? 200 : n < 4 * INFLIGHT ? 4 * INFLIGHT : n;
		nul = null_ns(n);
		v = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (v == MAP_FAILED) {
			perror("mmap");
			ret = 1;
			break;
		}
		sh = new (v) shared();
		sub = fork();
		if (sub == 0)
			exit(subscriber(sh, s, n));
		pub = fork();
		if (pub == 0)
			exit(publisher(sh, s, n, n));
		if (!wait_ok(sub)) {
			fprintf(stderr, "gomem-iox: the subscriber failed\n");
			kill(pub, SIGKILL);
			waitpid(pub, NULL, 0);
			ret = 1;
			break;
		}
		sh->go.store(1);
		if (!wait_ok(pub) || sh->bad) {
			fprintf(stderr, "gomem-iox: the publisher failed or %ld messages read wrong\n",
				sh->bad);
			ret = 1;
			break;
		}
		nul = (nul + null_ns(n)) / 2;
		t = (sh->t_end - sh->t_warm) / (n - WARM);
		if (k > 0 && (!part || !strcmp(part, "cycle")))
			printf("peer iceoryx %zu %.1f %.3f -1\n", s, sh->cycle_ns,
			       sh->cycle_ns / nul);
		if (k > 0 && (!part || !strcmp(part, "handoff")))
			printf("peer-handoff iceoryx %zu %.1f %.3f -1\n", s, t,
			       t / nul);
		fflush(stdout);
		munmap(v, sizeof(*sh));
	}
	if (rd > 0) {
		kill(rd, SIGTERM);
		waitpid(rd, NULL, 0);
	}
	return ret;
}
