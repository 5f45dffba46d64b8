/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvsim-uio: run one guest command against hvsim behind a Linux
 * uio_hv_generic face.
 *
 *   hvsim-uio [options] -- COMMAND [ARG...]
 *
 * Enters a private mount namespace (uio_ns.c), lays out the face of every
 * NIC, starts COMMAND in its own process group (with the uio shim in
 * LD_PRELOAD when --shim names it), serves it until it exits or the
 * deadline passes, then kills whatever is left of its process group,
 * prints the NICs' counters and the checker's verdict, and exits with the
 * guest's status (124 at the deadline, 3 when only the checker failed,
 * 77 when no namespace could be made). Stock net_netvsc spins through
 * SIGINT while an NVSP request is unanswered: the deadline uses SIGKILL.
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hv_clock.h"
#include "hvsim_uio.h"
#include "hvsim_uio_app.h"

/*
 * Idle policy. The guest's doorbell is a bit in shared memory: nothing
 * can end a nanosleep() when it is set, so a napping host answers a
 * doorbell only when it wakes - about 200 us on this VM whatever the
 * requested length (timer slack and the scheduler), where Hyper-V's
 * host reacts within microseconds. While the guest runs traffic the host
 * therefore keeps polling for --spin-us after its last work; only then
 * does it nap, in steps doubling up to APP_SLEEP_MAX. "Runs traffic":
 * the host was busy at least 1/APP_BUSY_SHARE of the last epoch
 * (APP_EPOCH_NS). A guest under valgrind sends work every few hundred
 * microseconds and keeps the host busy about 1 %: it gets the short
 * window (APP_SPIN_SHORT_NS), as does a test waiting for something
 * else, so suites at load 20 do not pay a spinning CPU for them
 * (perf.rst, the host's idle policy).
 */
#define APP_SPIN_US_DEF	1000
#define APP_SPIN_US_MAX	(60u * 1000 * 1000)
#define APP_SPIN_SHORT_NS	20000
#define APP_EPOCH_NS	(10 * 1000 * 1000)
#define APP_BUSY_SHARE	16
#define APP_SLEEP_MIN	2000
#define APP_SLEEP_MAX	50000

static volatile sig_atomic_t app_signal;
/* Set by SIGCHLD: a child may have exited, waitpid() is worth a call
 * (not a system call in every idle iteration). */
static volatile sig_atomic_t app_child;

struct app_opts {
	unsigned int nics;
	unsigned int queues;
	unsigned int rx_publish;
	unsigned int spin_us;
	unsigned int timeout_s;
	const char *shim;
	const char *ctl;
	const char *sysfs;
	const char *dev;
	bool no_ns;
	bool verbose;
	struct hvsim_uio_config ucfg;
};

static void
app_usage(FILE *f)
{
	fprintf(f,
		"usage: hvsim-uio [options] -- COMMAND [ARG...]\n"
		"  --nics N         synthetic NICs (1..16, default 1)\n"
		"  --queues N       RSS queues each NIC offers (default 8)\n"
		"  --ring-kib N     ring size per direction (default 2048)\n"
		"  --recv-kib N     receive buffer (default 16384)\n"
		"  --send-kib N     send buffer (default 16384)\n"
		"  --rx-publish N   send and publish a channel's received\n"
		"                   frames every N (1..255; default 0: once\n"
		"                   per host iteration)\n"
		"  --spin-us N      while the guest runs traffic, keep\n"
		"                   polling N us after the last work before\n"
		"                   napping (default 1000, up to 60000000)\n"
		"  --no-monitor     channels without monitor ids (no monitor_id\n"
		"                   in sysfs; the guest signals through the\n"
		"                   interrupt page and the node's irqcontrol)\n"
		"  --timeout SEC    SIGKILL the guest after SEC (default 60)\n"
		"  --shim PATH      LD_PRELOAD this uio shim into the guest\n"
		"  --ctl PATH       hvsim control socket (\"hvsim ctl PATH link\n"
		"                   nic0 down\" ...)\n"
		"  --no-namespace   use the current namespace (with --sysfs and\n"
		"                   --dev pointing at scratch directories)\n"
		"  --sysfs DIR      sysfs root (default /sys)\n"
		"  --dev DIR        device root (default /dev)\n"
		"  --verbose        log face and host events\n");
}

static int
app_parse(int argc, char **argv, struct app_opts *o)
{
	static const struct option lo[] = {
		{ "nics", required_argument, NULL, 'n' },
		{ "queues", required_argument, NULL, 'q' },
		{ "ring-kib", required_argument, NULL, 'r' },
		{ "recv-kib", required_argument, NULL, 'R' },
		{ "send-kib", required_argument, NULL, 'S' },
		{ "rx-publish", required_argument, NULL, 'P' },
		{ "spin-us", required_argument, NULL, 'u' },
		{ "no-monitor", no_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 't' },
		{ "shim", required_argument, NULL, 'p' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "no-namespace", no_argument, NULL, 'N' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "dev", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->nics = 1;
	o->queues = 8;
	o->timeout_s = 60;
	o->spin_us = APP_SPIN_US_DEF;
	hvsim_uio_config_init(&o->ucfg);
	while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		unsigned long v = optarg != NULL ? strtoul(optarg, NULL, 0) : 0;

		switch (c) {
		case 'n': o->nics = (unsigned int)v; break;
		case 'q': o->queues = (unsigned int)v; break;
		case 'r': o->ucfg.ring_size = (uint32_t)(v * 1024); break;
		case 'R': o->ucfg.recv_size = (uint32_t)(v * 1024); break;
		case 'S': o->ucfg.send_size = (uint32_t)(v * 1024); break;
		case 'P': o->rx_publish = (unsigned int)v; break;
		case 'u':
			o->spin_us = v > APP_SPIN_US_MAX ? APP_SPIN_US_MAX + 1 :
				     (unsigned int)v;
			break;
		case 'M': o->ucfg.no_monitor = true; break;
		case 't': o->timeout_s = (unsigned int)v; break;
		case 'p': o->shim = optarg; break;
		case 'c': o->ctl = optarg; break;
		case 'N': o->no_ns = true; break;
		case 's': o->sysfs = optarg; break;
		case 'd': o->dev = optarg; break;
		case 'v': o->verbose = true; break;
		case 'h': app_usage(stdout); exit(0);
		default: app_usage(stderr); return -EINVAL;
		}
	}
	if (optind >= argc || o->nics < 1 || o->nics > 16 || o->queues < 1 ||
	    o->queues > 64 || o->timeout_s == 0 || o->rx_publish > 255 ||
	    o->spin_us > APP_SPIN_US_MAX) {
		app_usage(stderr);
		return -EINVAL;
	}
	if (o->sysfs != NULL)
		o->ucfg.sysfs_root = o->sysfs;
	if (o->dev != NULL)
		o->ucfg.dev_root = o->dev;
	return optind;
}

static void
app_on_signal(int sig)
{
	app_signal = sig;
}

static void
app_on_child(int sig)
{
	(void)sig;
	app_child = 1;
}

static void
app_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = app_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = app_on_child;
	/* Restarted: host calls (reads of /proc, ...) need not expect EINTR. */
	sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
}

/* Child: its own process group, killed if we die, the shim preloaded. */
static pid_t
app_spawn(const struct app_opts *o, char **argv)
{
	pid_t parent = getpid(), pid;

	pid = fork();
	if (pid != 0)
		return pid;
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if (o->shim != NULL) {
		const char *old = getenv("LD_PRELOAD");
		char buf[4096];

		snprintf(buf, sizeof(buf), "%s%s%s", o->shim,
			 old != NULL && old[0] ? ":" : "", old ? old : "");
		setenv("LD_PRELOAD", buf, 1);
		/* A sanitizer-built guest refuses to start when a preloaded
		 * library comes before its runtime; the shim has none. */
		old = getenv("ASAN_OPTIONS");
		snprintf(buf, sizeof(buf), "%s%sverify_asan_link_order=0",
			 old != NULL ? old : "", old != NULL && old[0] ? ":" : "");
		setenv("ASAN_OPTIONS", buf, 1);
	}
	if (o->sysfs != NULL)
		setenv("HVSIM_UIO_SYSFS", o->sysfs, 1);
	if (o->dev != NULL)
		setenv("HVSIM_UIO_DEV", o->dev, 1);
	execvp(argv[0], argv);
	fprintf(stderr, "hvsim-uio: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Kill the guest's group and reap every child we still have (we are a
 * subreaper: its orphans came to us).
 */
static void
app_reap_all(pid_t pgid)
{
	int i;

	kill(-pgid, SIGKILL);
	for (i = 0; i < 200; i++) {
		pid_t p = waitpid(-1, NULL, WNOHANG);

		if (p < 0 && errno == ECHILD)
			return;
		if (p == 0) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			/* Orphans that left the group: kill them too. */
			kill(-pgid, SIGKILL);
			nanosleep(&ts, NULL);
		}
	}
	fprintf(stderr, "hvsim-uio: warning: children left after 2 s\n");
}

/* One NIC's session and counters; @p what: "" or "... before ...: ". */
static void
app_nic_line(unsigned int i, const char *what,
	     const struct hvsim_nic_stats *st)
{
	fprintf(stderr, "hvsim-uio: nic%u: %snvsp 0x%x ndis 0x%x link %s "
		"rss %s filter 0x%x channels %u tx %llu (%llu bytes, "
		"%llu bad) rx %llu (%llu bytes, %llu dropped)\n", i, what,
		st->nvsp_version, st->ndis_version,
		st->link_up ? "up" : "down",
		st->rss_enabled ? "on" : "off", st->packet_filter,
		st->n_queues, (unsigned long long)st->tx_pkts,
		(unsigned long long)st->tx_bytes,
		(unsigned long long)st->tx_bad,
		(unsigned long long)st->rx_pkts,
		(unsigned long long)st->rx_bytes,
		(unsigned long long)st->rx_dropped);
}

/* Where the host thread's time went asleep (perf.rst, the 4-queue
 * analysis); its time in iterations that found work is hvsim's
 * host_busy_ns, the rest is idle spinning. */
struct app_time {
	uint64_t sleep_ns;
};

static void
app_report(struct hvsim *h, struct hvsim_uio *u, unsigned int nics,
	   const struct app_time *t)
{
	struct hvsim_nic_stats st;
	struct rusage ru;
	unsigned int i, q, n;
	char what[64];

	/* This thread is the host's: how often others took its CPU. */
	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		memset(&ru, 0, sizeof(ru));

	for (i = 0; i < nics; i++) {
		if (hvsim_nic_stats(h, i, &st) != 0)
			continue;
		app_nic_line(i, "", &st);
		/* A released node ended its session (and a 23.11+ guest
		 * releases it at exit): what that session reached. */
		n = hvsim_uio_releases(u, i, NULL);
		if (n != 0) {
			struct hvsim_nic_stats before;

			hvsim_uio_releases(u, i, &before);
			snprintf(what, sizeof(what), "released %u times, "
				 "before the last: ", n);
			app_nic_line(i, what, &before);
		}
		for (q = 0; q < st.n_queues && q < 64; q++)
			fprintf(stderr, "hvsim-uio: nic%u q%u: tx %llu rx %llu\n",
				i, q, (unsigned long long)st.q[q].tx_pkts,
				(unsigned long long)st.q[q].rx_pkts);
		/* Who waited for whom (perf.rst, the 4-queue analysis):
		 * frames per request, per transfer-page packet, per busy
		 * iteration follow from these. */
		fprintf(stderr, "hvsim-uio: nic%u: tx_requests %llu "
			"rx_batches %llu ring_polls %llu ring_polls_empty "
			"%llu\n", i, (unsigned long long)st.tx_requests,
			(unsigned long long)st.rx_batches,
			(unsigned long long)st.ring_polls,
			(unsigned long long)st.ring_polls_empty);
		if (i == 0)
			fprintf(stderr, "hvsim-uio: host: polls %llu "
				"polls_idle %llu sleeps %llu busy_us %llu "
				"sleep_us %llu preempted %ld\n",
				(unsigned long long)st.host_polls,
				(unsigned long long)st.host_polls_idle,
				(unsigned long long)st.host_sleeps,
				(unsigned long long)(st.host_busy_ns / 1000),
				(unsigned long long)(t->sleep_ns / 1000),
				ru.ru_nivcsw);
	}
	fprintf(stderr, "hvsim-uio: doorbells %llu, interrupt-page doorbells "
		"%llu\n", (unsigned long long)hvsim_uio_doorbells(u),
		(unsigned long long)hvsim_uio_int_doorbells(u));
}

int
main(int argc, char **argv)
{
	struct app_opts o;
	struct hvsim_config hc;
	struct hvsim *h;
	struct hvsim_uio *u;
	uint64_t deadline, last_work, spin_ns, sleep_ns = APP_SLEEP_MIN;
	uint64_t epoch_start, epoch_busy = 0;
	bool streaming = false;
	struct app_time t = { 0 };
	unsigned int i, viol;
	int first, status = 0, rc = 0;
	bool exited = false, timed_out = false;
	pid_t guest;

	first = app_parse(argc, argv, &o);
	if (first < 0)
		return 2;
	if (!o.no_ns && hvsim_uio_ns_enter() < 0)
		return errno == EPERM ? HVSIM_UIO_EXIT_SKIP : 1;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	app_signals();

	hvsim_config_init(&hc, o.nics);
	hc.name = "uio";
	hc.log_level = o.verbose ? HVSIM_LOG_DEBUG : HVSIM_LOG_NOTICE;
	hc.ctl_path = o.ctl;
	for (i = 0; i < o.nics; i++) {
		hc.nic[i].max_queues = o.queues;
		hc.nic[i].rx_publish = o.rx_publish;
	}
	h = hvsim_create(&hc);
	if (h == NULL) {
		fprintf(stderr, "hvsim-uio: cannot create the host\n");
		return 1;
	}
	u = hvsim_uio_create(h, &o.ucfg);
	if (u == NULL) {
		hvsim_destroy(h);
		return 1;
	}
	guest = app_spawn(&o, argv + first);
	if (guest < 0) {
		fprintf(stderr, "hvsim-uio: fork: %s\n", strerror(errno));
		hvsim_uio_destroy(u);
		hvsim_destroy(h);
		return 1;
	}
	setpgid(guest, guest);	/* also here: no race with our kill */
	spin_ns = (uint64_t)o.spin_us * 1000;
	deadline = hv_now_ns() + (uint64_t)o.timeout_s * HV_NS_PER_SEC;
	last_work = hv_now_ns();
	epoch_start = last_work;
	while (!exited && !app_signal) {
		uint64_t now, start = hv_now_ns();
		int w = hvsim_uio_poll(u);
		pid_t p;

		if (w < 0) {
			fprintf(stderr, "hvsim-uio: host failed: %s\n",
				strerror(-w));
			break;
		}
		now = hv_now_ns();
		if (now - epoch_start >= APP_EPOCH_NS) {
			streaming = epoch_busy * APP_BUSY_SHARE >=
				    now - epoch_start;
			epoch_start = now;
			epoch_busy = 0;
		}
		if (w > 0) {
			epoch_busy += now - start;
			last_work = now;
			sleep_ns = APP_SLEEP_MIN;
			continue;
		}
		if (app_child) {
			/* Cleared first: an exit after the call sets it
			 * again. Orphans that came to us wait for
			 * app_reap_all(). */
			app_child = 0;
			p = waitpid(guest, &status, WNOHANG);
			if (p == guest) {
				exited = true;
				break;
			}
		}
		if (now > deadline) {
			timed_out = true;
			break;
		}
		if (now - last_work < (streaming || spin_ns < APP_SPIN_SHORT_NS ?
					spin_ns : APP_SPIN_SHORT_NS))
			continue;
		struct timespec ts = { 0, (long)sleep_ns };

		hvsim_note_sleep(h);
		nanosleep(&ts, NULL);
		t.sleep_ns += hv_now_ns() - now;
		sleep_ns = sleep_ns * 2 > APP_SLEEP_MAX ? APP_SLEEP_MAX :
			   sleep_ns * 2;
	}
	if (!exited) {
		/* The guest before the host: it may be spinning on a reply. */
		kill(-guest, SIGKILL);
		if (waitpid(guest, &status, 0) == guest)
			exited = true;
	}
	app_reap_all(guest);
	app_report(h, u, o.nics, &t);
	hvsim_uio_destroy(u);
	viol = hvsim_violations(h);
	if (viol > 0) {
		size_t n = hvsim_report(h, NULL, 0);
		char *buf = malloc(n + 1);

		if (buf != NULL) {
			hvsim_report(h, buf, n + 1);
			fprintf(stderr, "%s", buf);
			free(buf);
		}
	}
	fprintf(stderr, "hvsim-uio: checker: %u violations\n", viol);
	hvsim_destroy(h);

	if (timed_out) {
		fprintf(stderr, "hvsim-uio: guest killed after %u s\n",
			o.timeout_s);
		rc = HVSIM_UIO_EXIT_TIMEOUT;
	} else if (app_signal) {
		fprintf(stderr, "hvsim-uio: stopped by signal %d\n",
			(int)app_signal);
		rc = 128 + app_signal;
	} else if (exited && WIFEXITED(status)) {
		rc = WEXITSTATUS(status);
		fprintf(stderr, "hvsim-uio: guest exit %d\n", rc);
	} else if (exited && WIFSIGNALED(status)) {
		rc = 128 + WTERMSIG(status);
		fprintf(stderr, "hvsim-uio: guest killed by signal %d\n",
			WTERMSIG(status));
	}
	if (rc == 0 && viol > 0)
		rc = HVSIM_UIO_EXIT_CHECKER;
	return rc;
}
