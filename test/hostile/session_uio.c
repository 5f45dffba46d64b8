/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * A guest session on the uio backend (session.h, hs_uio_session()): the
 * bus's real uio backend and net_hvnet in a guest process of their own,
 * against hvsim behind its uio_hv_generic face in this one - the layout
 * hvsim-uio and the fidelity tests use, without a kernel or a namespace.
 *
 * Why a second process and not the sim backend: on the sim backend every
 * ring has a GPADL, so a channel torn down while OPENING waits for the
 * host's GPADL_TORNDOWN and is freed later, outside the rescind handler.
 * Rings a kernel opened (uio) have none: the teardown a rescind starts
 * completes inside the handler (issue 15, 1b), and OPENCHANNEL goes
 * unanswered exactly when the kernel rescinded the channel between its
 * offer and the open. Only the uio backend reaches that path, so it runs
 * here for real. The face finds its guest by the process that maps a
 * node, and reads guest memory across processes: hence the child, which
 * is this program again (re-executed, so that EAL starts fresh in it
 * whatever this process already runs).
 *
 * The kernel's timing is what the input chooses: which channel the host
 * rescinds (a subchannel, or the device with its primary) and when -
 * after the guest's Nth look at the node once the channel is in sysfs.
 * The guest's uio backend reads its node on every control-loop tick and
 * at every OPENCHANNEL it answers, so counting those reads (inotify)
 * steps the rescind through the guest's protocol: before the offer,
 * between the offer and the open (OPENCHANNEL unanswered), after it.
 * The rest of the host is honest.
 */

#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <rte_bus.h>
#include <rte_dev.h>

#include "pmd_test.h"
#include "hvsim_uio.h"
#include "session.h"

#define HU_ENV		"HOSTILE_UIO_GUEST"
#define HU_COV_ENV	"HOSTILE_UIO_COV"
#define HU_NIC		"69737668-006d-494e-8043-00155d000000"
#define HU_POOL		8191
#define HU_DESC		256
#define HU_NONE		~0u	/* no channel to rescind */

/* Frame sizes the guest sends, in turn. */
static const uint32_t hu_sizes[] = { 60, 300, 1000, 1514 };
/* The whole guest, EAL start to exit: beyond it, stuck. */
#define HU_GUEST_MS	(2 * HS_STEP_MS)

/*
 * libFuzzer's coverage counters (-fsanitize=fuzzer: inline 8-bit counters
 * in one section). The guest runs in another process, where libFuzzer
 * cannot see what it reached: it hands its counters back through a
 * shared file and the host adds them to its own, so the fuzzer steers by
 * the guest's code too. Absent (weak, NULL) in builds without them.
 */
extern uint8_t __start___sancov_cntrs[] __attribute__((weak));
extern uint8_t __stop___sancov_cntrs[] __attribute__((weak));

static size_t
hu_cov_len(void)
{
	if (__start___sancov_cntrs == NULL || __stop___sancov_cntrs == NULL)
		return 0;
	return (size_t)(__stop___sancov_cntrs - __start___sancov_cntrs);
}

/* ---- the guest (child) ---- */

static const char *hu_step;	/* atomic */
static uint64_t hu_deadline;	/* atomic */

static void *
hu_watchdog(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t d = __atomic_load_n(&hu_deadline, __ATOMIC_ACQUIRE);

		if (d != 0 && pt_ms() > d) {
			fprintf(stderr, "hostile uio: guest step \"%s\" is "
				"stuck past %u ms\n",
				__atomic_load_n(&hu_step, __ATOMIC_RELAXED),
				HS_STEP_MS);
			abort();
		}
		usleep(50 * 1000);
	}
	return NULL;
}

static void
hu_set_step(const char *name)
{
	__atomic_store_n(&hu_step, name, __ATOMIC_RELAXED);
	__atomic_store_n(&hu_deadline, pt_ms() + HS_STEP_MS, __ATOMIC_RELEASE);
}

/* "SYSFS DEVROOT QUEUES TRAFFIC_MS VERBOSE" from the environment. */
static int
hu_guest(const char *prog, const char *spec)
{
	static char prefix[64], vdev[600];
	char sysfs[256], devroot[256];
	unsigned int nq, traffic_ms, verbose;
	char *argv[] = {
		(char *)(uintptr_t)prog, (char *)"--no-huge", (char *)"-m",
		(char *)"512", (char *)"--no-pci", (char *)"--no-shconf",
		(char *)"--no-telemetry", (char *)"-l", (char *)"0", prefix,
		(char *)"--log-level=*:crit", vdev, NULL,
	};
	struct rte_mempool *mp;
	struct rte_eth_dev_info info;
	pthread_t wd;
	uint16_t port;
	unsigned int in_use;

	if (sscanf(spec, "%255s %255s %u %u %u", sysfs, devroot, &nq,
		   &traffic_ms, &verbose) != 5 || nq < 1 || nq > 4)
		return 2;
	if (verbose)
		argv[10] = (char *)"--log-level=bus.hvbus.*:info";
	snprintf(prefix, sizeof(prefix), "--file-prefix=hsuio%d",
		 (int)getpid());
	/* Answers that never come cost the bus this long each. */
	snprintf(vdev, sizeof(vdev), "--vdev=hvbus_uio,sysfs=%s,devroot=%s,"
		 "uio_offsets=linear,timeout_ms=300", sysfs, devroot);
	if (pthread_create(&wd, NULL, hu_watchdog, NULL) != 0)
		return 2;
	pthread_detach(wd);
	hu_set_step("EAL, scan and probe");
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "hostile uio: guest EAL failed\n");
		return 2;
	}
	mp = rte_pktmbuf_pool_create("hsu", HU_POOL, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (mp == NULL)
		return 2;
	/* No port: the host took the device before the probe got it. */
	if (rte_eth_dev_get_port_by_name(HU_NIC, &port) == 0) {
		hu_set_step("configure and start");
		if (pt_port_start(port, (uint16_t)nq, mp, 0, 0, HU_DESC) == 0) {
			hu_set_step("traffic");
			hs_traffic(port, nq, traffic_ms, mp, hu_sizes,
				   RTE_DIM(hu_sizes), NULL);
		}
		hu_set_step("stop, close, remove");
		info.device = NULL;
		rte_eth_dev_info_get(port, &info);
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
		if (info.device != NULL)
			rte_dev_remove(info.device);
	}
	in_use = rte_mempool_in_use_count(mp);
	if (in_use != 0) {
		fprintf(stderr, "hostile uio: %u mbufs not back in the pool\n",
			in_use);
		return 3;
	}
	hu_set_step("EAL cleanup");
	rte_eal_cleanup();
	return 0;
}

void
hs_uio_guest_check(const char *prog)
{
	const char *spec = getenv(HU_ENV), *cov = getenv(HU_COV_ENV);
	size_t n = hu_cov_len();
	int rc, fd;

	if (spec == NULL)
		return;
	rc = hu_guest(prog, spec);
	/* Same executable, same counter layout: copied as they are. */
	fd = cov != NULL ? atoi(cov) : -1;
	if (fd >= 0 && n > 0 && pwrite(fd, __start___sancov_cntrs, n, 0) !=
	    (ssize_t)n)
		fprintf(stderr, "hostile uio: coverage not handed back\n");
	_exit(rc);
}

/* ---- the host (this process) ---- */

static int
hu_rm(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	remove(path);
	return 0;
}

static pid_t
hu_spawn(const char *root, unsigned int nq, unsigned int traffic_ms,
	 bool verbose, int cov_fd)
{
	char spec[700], exe[PATH_MAX], cov[16];
	pid_t parent = getpid(), pid;
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	snprintf(spec, sizeof(spec), "%s/sys/bus/vmbus/devices %s/dev %u %u %d",
		 root, root, nq, traffic_ms, verbose ? 1 : 0);
	pid = fork();
	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	setenv(HU_ENV, spec, 1);
	snprintf(cov, sizeof(cov), "%d", cov_fd);
	setenv(HU_COV_ENV, cov, 1);
	execl(exe, exe, (char *)NULL);
	_exit(127);
}

/* Reads of the node so far: inotify coalesces a run of them that nobody
 * read in between, so this counts the guest's looks at least as often as
 * the host polls - enough to step through them. */
static unsigned int
hu_reads(int in)
{
	char buf[4096] __attribute__((aligned(8)));
	unsigned int k = 0;
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < n) {
			const struct inotify_event *e =
				(const void *)(buf + off);

			k += (e->mask & IN_ACCESS) != 0;
			off += (ssize_t)sizeof(*e) + e->len;
		}
	}
	return k;
}

/* The guest's counters into ours (saturating): what it reached counts. */
static void
hu_cov_merge(int fd, size_t len)
{
	uint8_t *g;
	size_t i;

	if (fd < 0 || len == 0)
		return;
	g = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (g == MAP_FAILED)
		return;
	for (i = 0; i < len; i++) {
		unsigned int v = __start___sancov_cntrs[i] + g[i];

		__start___sancov_cntrs[i] = (uint8_t)(v > 255 ? 255 : v);
	}
	munmap(g, len);
}

int
hs_uio_session(unsigned int queues, const uint8_t *input, size_t len,
	       struct hs_result *res, bool verbose)
{
	char root[] = "/tmp/hostile-uio-XXXXXX", path[PATH_MAX + 32];
	char sysroot[PATH_MAX], devroot[PATH_MAX];
	struct hvsim_uio_config ucfg;
	struct hvsim_nic_stats st;
	struct hvsim_config hc;
	struct hvsim_uio *u = NULL;
	struct hvsim *h = NULL;
	unsigned int sel, target, when, reads = 0;
	uint64_t t0 = pt_ms(), end, sleep_us = 20;
	bool armed = false, done = false;
	int in = -1, cov_fd = -1, status = 0, rc = -1;
	size_t cov_len = 0;
	pid_t guest = -1;

	memset(res, 0, sizeof(*res));
	res->queues = queues;
	/* Byte 0 mod 5: the channel (0 none, 1-3 that subchannel, 4 the
	 * device with its primary); byte 1 mod 8: at the guest's how
	 * manyth look at the node (1-8) after the channel appeared in
	 * sysfs - offer, open and the first ticks after it lie there. */
	sel = len > 0 ? input[0] % 5 : 0;
	target = sel == 4 ? 0 : sel >= 1 ? sel : HU_NONE;
	when = 1 + (len > 1 ? input[1] % 8 : 0);
	if (mkdtemp(root) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/sys", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/dev", root);
	mkdir(path, 0700);

	hvsim_config_init(&hc, 1);
	hc.name = "uio";
	hc.nic[0].max_queues = 4;
	hc.log_level = verbose ? HVSIM_LOG_INFO : HVSIM_LOG_ERR;
	h = hvsim_create(&hc);
	hvsim_uio_config_init(&ucfg);
	snprintf(sysroot, sizeof(sysroot), "%s/sys", root);
	snprintf(devroot, sizeof(devroot), "%s/dev", root);
	ucfg.sysfs_root = sysroot;
	ucfg.dev_root = devroot;
	ucfg.ring_size = 256 * 1024;
	/* Buffers as the kernel's defaults (what net_hvnet asks for). */
	if (h != NULL)
		u = hvsim_uio_create(h, &ucfg);
	if (u == NULL) {
		fprintf(stderr, "hostile uio: the face: %s\n",
			strerror(errno));
		goto out;
	}
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	snprintf(path, sizeof(path), "%s/dev/uio0", root);
	if (in < 0 || inotify_add_watch(in, path, IN_ACCESS) < 0) {
		fprintf(stderr, "hostile uio: inotify on %s: %s\n", path,
			strerror(errno));
		goto out;
	}
	/* Not close-on-exec: the guest inherits it. */
	cov_len = hu_cov_len();
	cov_fd = cov_len > 0 ? memfd_create("hostile-uio-cov", 0) : -1;
	if (cov_fd >= 0 && ftruncate(cov_fd, (off_t)cov_len) < 0) {
		close(cov_fd);
		cov_fd = -1;
	}
	guest = hu_spawn(root, queues, 200, verbose, cov_fd);
	if (guest < 0)
		goto out;
	end = pt_ms() + HU_GUEST_MS;
	while (!done) {
		int w = hvsim_uio_poll(u);
		unsigned int k = hu_reads(in);

		if (w < 0) {
			fprintf(stderr, "hostile uio: host failed: %s\n",
				strerror(-w));
			break;
		}
		if (target != HU_NONE && !armed &&
		    hvsim_uio_published(u, 0, target) != 0) {
			armed = true;
			reads = 0;
			k = 0;
		}
		reads += k;
		if (armed && reads >= when) {
			if (hvsim_uio_rescind(u, 0, target) == 0)
				res->tries++;
			target = HU_NONE;
		}
		if (waitpid(guest, &status, WNOHANG) == guest) {
			done = true;
			break;
		}
		if (pt_ms() > end) {
			fprintf(stderr, "hostile uio: guest stuck past %u ms\n",
				HU_GUEST_MS);
			kill(guest, SIGKILL);
			waitpid(guest, &status, 0);
			goto out;
		}
		if (w > 0 || k > 0) {
			sleep_us = 20;
			continue;
		}
		usleep((useconds_t)sleep_us);
		sleep_us = sleep_us * 2 > 500 ? 500 : sleep_us * 2;
	}
	if (!done)
		goto out;
	hu_cov_merge(cov_fd, cov_len);
	res->probed = true;
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "hostile uio: guest killed by signal %d\n",
			WTERMSIG(status));
		goto out;
	}
	if (WEXITSTATUS(status) != 0) {
		fprintf(stderr, "hostile uio: guest exit %d\n",
			WEXITSTATUS(status));
		goto out;
	}
	rc = 0;
	res->violations = hvsim_violations(h);
	if (hvsim_nic_stats(h, 0, &st) == 0) {
		res->tx_bad = st.tx_bad;
		res->tx = st.tx_pkts;
		res->rx = st.rx_pkts;
	}
	if (res->violations != 0 || res->tx_bad != 0) {
		fprintf(stderr, "hostile uio: the guest broke the protocol: %u "
			"checker verdicts, %llu requests refused\n",
			res->violations, (unsigned long long)res->tx_bad);
		rc = -1;
	}
out:
	if (in >= 0)
		close(in);
	if (cov_fd >= 0)
		close(cov_fd);
	hvsim_uio_destroy(u);
	if (h != NULL)
		hvsim_destroy(h);
	nftw(root, hu_rm, 16, FTW_DEPTH | FTW_PHYS);
	res->ms = pt_ms() - t0;
	return rc;
}
