/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * sim backend: hvbus speaks VMBus channel management with an hvsim host
 * over a SOCK_SEQPACKET socket (hvsim_transport.h). The host is a daemon
 * named by the key socket=, or, when none is named, an hvsim embedded in
 * this process on its own thread, attached to one end of a socketpair,
 * its NICs' ports set by the port= keys (sim_config.c). When
 * the bus shuts the embedded host down it logs each NIC's frame counters,
 * so what the host generated and received can be compared with the
 * application's figures (make demo does).
 *
 * Shared memory is the arena (arena.c): its memfd goes to the host with
 * HELLO, and guest physical addresses are our virtual addresses, which is
 * what EAL's IOVA-as-VA mode gives the datapath too. So does an eventfd,
 * the guest's interrupt line: the host writes it when it signals us
 * (be->intr_fd, relayed to drivers by intr.c).
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hvbus_state.h"
#include "hvsim_transport.h"
#include "sim.h"

/*
 * Frames the socket had no room for, oldest first (sim_send()). Bound: a
 * GPADL of the largest size is 293 frames; a host that has not read a
 * thousand messages is not draining its socket, and the send that would
 * overflow fails its exchange at once.
 */
#define SIM_OUTQ_FRAMES	1024

struct sim_frame {
	uint32_t len;
	uint8_t b[HVSIM_FRAME_MAX];
};

struct sim_state {
	struct hvbus_arena arena;
	struct sim_frame *outq;	/* ring of SIM_OUTQ_FRAMES */
	unsigned int out_head, out_len;
	struct hvsim *h;	/* embedded host, or NULL */
	int sint_fd;		/* eventfd the host signals us through */
	unsigned int n_nics;
	/* the port specs parsed in place: pcap file names point here */
	struct hvnet_devarg_list ports;
	enum hvsim_port_kind kind[HVSIM_MAX_NICS];
};

static struct sim_state sim;
static int sim_exit_violations = -1;

/* The embedded host's messages have a logtype of their own, so that
 * --log-level=bus.hvbus.sim:LEVEL filters them like any other DPDK
 * component's.
 */
RTE_LOG_REGISTER(hvbus_sim_logtype, bus.hvbus.sim, NOTICE);

static void
sim_log(void *arg, enum hvsim_log_level level, const char *name,
	const char *msg)
{
	static const uint32_t to_rte[] = {
		[HVSIM_LOG_ERR] = RTE_LOG_ERR,
		[HVSIM_LOG_WARNING] = RTE_LOG_WARNING,
		[HVSIM_LOG_NOTICE] = RTE_LOG_NOTICE,
		[HVSIM_LOG_INFO] = RTE_LOG_INFO,
		[HVSIM_LOG_DEBUG] = RTE_LOG_DEBUG,
	};

	RTE_SET_USED(arg);
	rte_log(level <= HVSIM_LOG_DEBUG ? to_rte[level] : RTE_LOG_DEBUG,
		hvbus_sim_logtype, "hvsim[%s]: %s\n", name, msg);
}

/* The host formats only what the logtype's level lets through (as it is
 * when the bus starts the host; rte_log filters again on every line).
 */
static enum hvsim_log_level
sim_log_level(void)
{
	int l = rte_log_get_level(hvbus_sim_logtype);

	if (l >= (int)RTE_LOG_DEBUG)
		return HVSIM_LOG_DEBUG;
	if (l >= (int)RTE_LOG_INFO)
		return HVSIM_LOG_INFO;
	if (l >= (int)RTE_LOG_NOTICE)
		return HVSIM_LOG_NOTICE;
	if (l >= (int)RTE_LOG_WARNING)
		return HVSIM_LOG_WARNING;
	return HVSIM_LOG_ERR;
}

struct hvsim *
hvbus_sim_hvsim(void)
{
	return sim.h;
}

int
hvbus_sim_exit_violations(void)
{
	return sim_exit_violations;
}

/* The backend the simulator serves (test-only look-ups). */
static struct hvbus_backend *sim_be;

size_t
hvbus_sim_arena_in_use(void)
{
	struct hvbus_backend *be = sim.arena.base != NULL ? sim_be : NULL;
	size_t n, mon = 0;

	if (be == NULL)
		return 0;
	n = hvbus_arena_in_use(&sim.arena);
	/* The monitor pages are the bus's own, for its whole life. */
	if (be->mon_parent != NULL)
		mon += VMB_PAGE_SIZE;
	if (be->mon_child != NULL)
		mon += VMB_PAGE_SIZE;
	return n >= mon ? n - mon : 0;
}

static int
sim_connect_daemon(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(fd);
		HVBUS_LOG(ERR, "cannot connect to hvsim at %s: %s", path,
			  strerror(-rc));
		return rc;
	}
	return fd;
}

static int
sim_start_embedded(const struct hvbus_sim_conf *sc)
{
	struct hvsim_config hc;
	char err[256];
	unsigned int i;
	int sv[2], rc;

	hvsim_config_init(&hc, sc->nics);
	hc.name = "hvbus-embedded";
	hc.log_fn = sim_log;
	hc.log_level = sim_log_level();
	hc.hostile_seed = sc->hostile_seed;
	hc.hostile_classes = sc->hostile_classes;
	sim.ports = sc->port;
	for (i = 0; i < sim.ports.n; i++) {
		/* sim_config.c checked them already; the same parser. */
		if (hvsim_port_parse(&hc, sim.ports.v[i], err,
				     sizeof(err)) < 0) {
			HVBUS_LOG(ERR, "port=%s: %s", sc->port.v[i], err);
			return -EINVAL;
		}
	}
	sim.n_nics = hc.n_nics;
	for (i = 0; i < hc.n_nics && i < RTE_DIM(sim.kind); i++)
		sim.kind[i] = hc.nic[i].port.kind;
	sim.h = hvsim_create(&hc);
	if (sim.h == NULL) {
		rc = errno ? -errno : -EINVAL;
		HVBUS_LOG(ERR, "cannot create the embedded hvsim (%u NICs): %s",
			  sc->nics, strerror(-rc));
		return rc;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = hvsim_attach(sim.h, sv[1], true);
	if (rc < 0) {
		close(sv[0]);
		close(sv[1]);
		goto fail;
	}
	rc = hvsim_start(sim.h);
	if (rc < 0) {
		close(sv[0]);
		goto fail;
	}
	HVBUS_LOG(INFO, "embedded hvsim started with %u NIC(s)", sc->nics);
	return sv[0];
fail:
	HVBUS_LOG(ERR, "cannot start the embedded hvsim: %s", strerror(-rc));
	hvsim_destroy(sim.h);
	sim.h = NULL;
	return rc;
}

/* Wait up to @ms for @fd to become readable. */
static int
sim_wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc;

	do {
		rc = poll(&p, 1, ms);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	return rc == 0 ? -ETIMEDOUT : 0;
}

static int
sim_hello(struct hvbus_backend *be, const struct hvbus_config *cfg)
{
	struct {
		struct hvsim_frame_hdr fh;
		struct hvsim_hello hi;
	} __attribute__((packed)) out;
	struct {
		struct hvsim_frame_hdr fh;
		struct hvsim_hello_ack ack;
	} __attribute__((packed)) in;
	int fds[2] = { sim.arena.memfd, sim.sint_fd };
	ssize_t n;
	int rc;

	memset(&out, 0, sizeof(out));
	out.fh.kind = HVSIM_FRAME_HELLO;
	out.fh.len = sizeof(out.hi);
	out.hi.magic = HVSIM_TRANSPORT_MAGIC;
	out.hi.version = HVSIM_TRANSPORT_VERSION;
	out.hi.arena_gpa = (uint64_t)(uintptr_t)sim.arena.base;
	out.hi.arena_size = sim.arena.size;
	out.hi.pid = (uint32_t)getpid();
	out.hi.flags = (sim.h != NULL ? HVSIM_HELLO_F_SAME_PROCESS : 0) |
		HVSIM_HELLO_F_SINT;
	rc = hvbus_sim_send_fds(be->fd, &out, sizeof(out), fds, 2);
	if (rc < 0)
		return rc;
	rc = sim_wait_readable(be->fd, (int)cfg->timeout_ms);
	if (rc < 0) {
		HVBUS_LOG(ERR, "hvsim did not answer HELLO: %s", strerror(-rc));
		return rc;
	}
	n = recv(be->fd, &in, sizeof(in), MSG_DONTWAIT);
	if (n != (ssize_t)sizeof(in) || in.fh.kind != HVSIM_FRAME_HELLO_ACK ||
	    in.fh.len != sizeof(in.ack) ||
	    in.ack.magic != HVSIM_TRANSPORT_MAGIC) {
		HVBUS_LOG(ERR, "hvsim sent a malformed HELLO_ACK");
		return -EPROTO;
	}
	if (in.ack.status != 0) {
		HVBUS_LOG(ERR, "hvsim refused HELLO: %s",
			  strerror(-in.ack.status));
		return in.ack.status < 0 ? in.ack.status : -EPROTO;
	}
	return 0;
}

static void sim_close(struct hvbus_backend *be);

static int
sim_open(struct hvbus_backend *be, const struct hvbus_config *cfg)
{
	const struct hvbus_sim_conf *sc = &hvbus_sim_conf;
	int rc;

	memset(&sim, 0, sizeof(sim));
	be->fd = -1;
	sim.sint_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (sim.sint_fd < 0)
		return -errno;
	be->intr_fd = sim.sint_fd;
	sim.outq = calloc(SIM_OUTQ_FRAMES, sizeof(*sim.outq));
	if (sim.outq == NULL) {
		rc = -ENOMEM;
		goto fail_early;
	}
	rc = hvbus_arena_create(&sim.arena, (size_t)sc->arena_mb << 20);
	if (rc < 0) {
		HVBUS_LOG(ERR, "cannot create a %u MiB arena: %s",
			  sc->arena_mb, strerror(-rc));
		free(sim.outq);
		sim.outq = NULL;
		goto fail_early;
	}
	be->priv = &sim;
	sim_be = be;
	/* Monitor pages go to the host in INITIATE_CONTACT; the second is
	 * where channels set their doorbell bits.
	 */
	be->mon_parent = hvbus_arena_alloc(&sim.arena, VMB_PAGE_SIZE);
	be->mon_child = hvbus_arena_alloc(&sim.arena, VMB_PAGE_SIZE);
	if (be->mon_parent == NULL || be->mon_child == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if (sc->socket[0] != '\0')
		rc = sim_connect_daemon(sc->socket);
	else
		rc = sim_start_embedded(sc);
	if (rc < 0)
		goto fail;
	be->fd = rc;
	rc = sim_hello(be, cfg);
	if (rc < 0)
		goto fail;
	HVBUS_LOG(INFO, "sim backend up (%s, arena %llu MiB)",
		  sc->socket[0] != '\0' ? sc->socket : "embedded hvsim",
		  (unsigned long long)(sim.arena.size >> 20));
	return 0;
fail:
	sim_close(be);
	return rc;
fail_early:
	close(sim.sint_fd);
	sim.sint_fd = -1;
	be->intr_fd = -1;
	return rc;
}

/* One line per NIC that moved frames; "to_guest" counts what the host
 * delivered, "from_guest" what the guest sent it. */
static void
sim_log_counters(void)
{
	static const char *const kinds[] = {
		[HVSIM_PORT_REFLECT] = "reflect",
		[HVSIM_PORT_SWITCH] = "switch",
		[HVSIM_PORT_GEN_SINK] = "gen/sink",
		[HVSIM_PORT_PCAP] = "pcap",
	};
	struct hvsim_nic_stats st;
	unsigned int i;

	for (i = 0; i < sim.n_nics && i < RTE_DIM(sim.kind); i++) {
		if (hvsim_nic_stats(sim.h, i, &st) != 0 ||
		    (st.rx_pkts == 0 && st.tx_pkts == 0))
			continue;
		HVBUS_LOG(NOTICE, "embedded hvsim nic%u (%s port): "
			  "to_guest=%" PRIu64 " dropped=%" PRIu64
			  " from_guest=%" PRIu64 " bad=%" PRIu64, i,
			  kinds[sim.kind[i]], st.rx_pkts, st.rx_dropped,
			  st.tx_pkts, st.tx_bad);
	}
}

static void
sim_close(struct hvbus_backend *be)
{
	if (be->fd >= 0)
		close(be->fd);
	be->fd = -1;
	if (sim.h != NULL) {
		char report[1024];

		hvsim_stop(sim.h);
		sim_log_counters();
		sim_exit_violations = (int)hvsim_violations(sim.h);
		if (sim_exit_violations > 0) {
			hvsim_report(sim.h, report, sizeof(report));
			HVBUS_LOG(ERR, "embedded hvsim found %d protocol "
				  "violation(s):\n%s", sim_exit_violations,
				  report);
		}
		hvsim_destroy(sim.h);
		sim.h = NULL;
	}
	/* The host has let go of the memory (stopped, or its socket is
	 * closed), and nothing of ours points into it any more.
	 */
	hvbus_arena_destroy(&sim.arena);
	/* What the host never read goes with the connection. */
	free(sim.outq);
	sim.outq = NULL;
	sim.out_len = 0;
	be->mon_parent = NULL;
	be->mon_child = NULL;
	be->priv = NULL;
	if (sim.sint_fd >= 0)
		close(sim.sint_fd);
	sim.sint_fd = -1;
	be->intr_fd = -1;
}

/* The host signalled: reset the line; it does not say for which device. */
static unsigned int
sim_intr(struct hvbus_backend *be, uint32_t *relids, unsigned int max)
{
	uint64_t n;

	RTE_SET_USED(be);
	RTE_SET_USED(relids);
	RTE_SET_USED(max);
	if (read(sim.sint_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		HVBUS_LOG(WARNING, "interrupt eventfd: %s", strerror(errno));
	return 0;
}

static int
sim_recv(struct hvbus_backend *be, void *buf, uint32_t cap)
{
	uint8_t frame[HVSIM_FRAME_MAX + 1];
	struct hvsim_frame_hdr fh;
	ssize_t n;

	n = recv(be->fd, frame, sizeof(frame), MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return -EAGAIN;
		return -EPIPE;
	}
	if (n == 0)
		return -EPIPE;
	if ((size_t)n < sizeof(fh))
		return -EPROTO;
	memcpy(&fh, frame, sizeof(fh));
	if (fh.kind != HVSIM_FRAME_CHMSG || fh.len != (size_t)n - sizeof(fh) ||
	    fh.len == 0 || fh.len > cap)
		return -EPROTO;
	memcpy(buf, frame + sizeof(fh), fh.len);
	return (int)fh.len;
}

/* One frame, without waiting: 0, -EAGAIN (no room now) or -EPIPE. */
static int
sim_send_frame(int fd, const struct sim_frame *f)
{
	ssize_t n;

	do {
		n = send(fd, f->b, f->len, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)f->len)
		return 0;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == ENOBUFS))
		return -EAGAIN;
	return -EPIPE;		/* a datagram is sent whole or not at all */
}

/*
 * Never waits: the control thread must go on handling the host's
 * messages, rescinds included, while a host that is slow to read (or
 * will not read) has a full socket. What the socket cannot take now
 * waits in order in the out queue, which the control loop drains when
 * the socket is writable (sim_flush()); the exchange it belongs to ends
 * by the host's answer or by its own deadline, as ever. Only a full
 * queue fails a send.
 */
static int
sim_send(struct hvbus_backend *be, const void *msg, uint32_t len)
{
	struct hvsim_frame_hdr fh = { .kind = HVSIM_FRAME_CHMSG, .len = len };
	struct sim_frame *f;
	int rc;

	if (len > HVSIM_FRAME_MAX - sizeof(fh))
		return -EMSGSIZE;
	if (sim.out_len == SIM_OUTQ_FRAMES)
		return -ENOBUFS;
	/* Build in the queue's next slot; it stays there only if needed. */
	f = &sim.outq[(sim.out_head + sim.out_len) % SIM_OUTQ_FRAMES];
	memcpy(f->b, &fh, sizeof(fh));
	memcpy(f->b + sizeof(fh), msg, len);
	f->len = (uint32_t)sizeof(fh) + len;
	if (sim.out_len == 0) {
		rc = sim_send_frame(be->fd, f);
		if (rc != -EAGAIN)
			return rc;
	}
	sim.out_len++;
	return 0;
}

/* Send what waits; the number of frames still waiting, or -EPIPE. */
static int
sim_flush(struct hvbus_backend *be)
{
	int rc;

	while (sim.out_len > 0) {
		rc = sim_send_frame(be->fd, &sim.outq[sim.out_head]);
		if (rc == -EAGAIN)
			break;
		if (rc < 0)
			return rc;
		sim.out_head = (sim.out_head + 1) % SIM_OUTQ_FRAMES;
		sim.out_len--;
	}
	return (int)sim.out_len;
}

static void *
sim_mem_alloc(struct hvbus_backend *be, size_t len)
{
	RTE_SET_USED(be);
	return hvbus_arena_alloc(&sim.arena, len);
}

static void
sim_mem_free(struct hvbus_backend *be, void *va, size_t len)
{
	RTE_SET_USED(be);
	hvbus_arena_free(&sim.arena, va, len);
}

static void
sim_lend_mem(struct hvbus_backend *be)
{
	/* An embedded host reads our addresses directly. */
	if (sim.h == NULL && be->fd >= 0)
		hvbus_sim_lend_mem(be->fd);
}

static uint64_t
sim_gpa(struct hvbus_backend *be, const void *va)
{
	RTE_SET_USED(be);
	return (uint64_t)(uintptr_t)va;
}

const struct hvbus_backend_ops hvbus_sim_ops = {
	.name = "sim",
	.vdev = "hvbus_sim",
	.spec = &hvbus_sim_spec,
	.conf = &hvbus_sim_conf,
	.check = hvbus_sim_check,
	.open = sim_open,
	.close = sim_close,
	.recv = sim_recv,
	.send = sim_send,
	.flush = sim_flush,
	.mem_alloc = sim_mem_alloc,
	.mem_free = sim_mem_free,
	.gpa = sim_gpa,
	.intr = sim_intr,
	.lend_mem = sim_lend_mem,
};
