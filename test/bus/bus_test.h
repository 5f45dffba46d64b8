/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Shared helpers of the hvbus tests: EAL start-up with the embedded hvsim,
 * a test driver that records what the bus tells it, and an NVSP INIT
 * round trip that proves a channel's rings work end to end.
 */

#ifndef HVBUS_BUS_TEST_H
#define HVBUS_BUS_TEST_H

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_eal.h>

#include "hv_clock.h"
#include "check.h"
#include "rte_bus_hvbus.h"
#include "sim.h"
#include "hvsim.h"
#include "hvsim_transport.h"
#include "vmb_msg.h"
#include "vmb_pkt.h"

#define BT_MAX_DEV	16

struct bt_state {
	pthread_mutex_t lock;
	struct rte_hvbus_device *dev[BT_MAX_DEV];
	unsigned int n_probed;
	unsigned int n_removed;
	unsigned int ev[3];		/* per enum hvbus_event */
	unsigned int ev_sub[3];		/* last subidx per event */
	bool hold_events;		/* bt_event() waits while set */
};

static struct bt_state bt = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int
bt_probe(struct rte_hvbus_driver *drv, struct rte_hvbus_device *dev)
{
	(void)drv;
	pthread_mutex_lock(&bt.lock);
	if (bt.n_probed < BT_MAX_DEV)
		bt.dev[bt.n_probed] = dev;
	bt.n_probed++;
	pthread_mutex_unlock(&bt.lock);
	return 0;
}

static int
bt_remove(struct rte_hvbus_device *dev)
{
	unsigned int i;

	for (i = 0; i < HVBUS_MAX_CHAN; i++)
		hvbus_chan_close(dev, (uint16_t)i);
	pthread_mutex_lock(&bt.lock);
	bt.n_removed++;
	pthread_mutex_unlock(&bt.lock);
	return 0;
}

static void
bt_event(struct rte_hvbus_device *dev, enum hvbus_event ev, uint16_t subidx)
{
	(void)dev;
	/* A driver slow in its callback (the work thread waits here). */
	while (__atomic_load_n(&bt.hold_events, __ATOMIC_ACQUIRE))
		usleep(200);
	pthread_mutex_lock(&bt.lock);
	if ((unsigned int)ev < 3) {
		bt.ev[ev]++;
		bt.ev_sub[ev] = subidx;
	}
	pthread_mutex_unlock(&bt.lock);
}

static struct rte_hvbus_driver bt_drv = {
	.class_id = &vmb_guid_netvsc,
	.probe = bt_probe,
	.remove = bt_remove,
	.event = bt_event,
};

RTE_PMD_REGISTER_HVBUS(hvbus_test_drv, bt_drv);

static inline unsigned int
bt_get(const unsigned int *p)
{
	unsigned int v;

	pthread_mutex_lock(&bt.lock);
	v = *p;
	pthread_mutex_unlock(&bt.lock);
	return v;
}

static inline uint64_t
bt_ms(void)
{
	return hv_now_ms();
}

/* Wait until *p >= want, at most ms milliseconds. */
static inline int
bt_wait(const unsigned int *p, unsigned int want, unsigned int ms)
{
	uint64_t end = bt_ms() + ms;

	while (bt_get(p) < want) {
		if (bt_ms() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return 0;
}

/* EAL with the backend device argument --vdev=@p vdev. */
static inline int
bt_eal_init_vdev(const char *prog, const char *vdev)
{
	static char prefix[64], vdevarg[640];
	const char *base = strrchr(prog, '/');
	char *argv[] = {
		(char *)(uintptr_t)prog, (char *)"--no-huge", (char *)"-m",
		(char *)"512", (char *)"--no-pci", (char *)"--no-shconf",
		(char *)"--log-level=bus.hvbus:info", prefix, vdevarg, NULL,
	};

	/* Own runtime directory: parallel runs do not share a telemetry
	 * socket.
	 */
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s%d",
		 base != NULL ? base + 1 : prog, (int)getpid());
	snprintf(vdevarg, sizeof(vdevarg), "--vdev=%s", vdev);
	return rte_eal_init(RTE_DIM(argv) - 1, argv);
}

/* EAL with the simulator: @p nics NICs and the keys @p args. */
static inline int
bt_eal_init_args(const char *prog, const char *nics, const char *args)
{
	static char vdev[600];

	snprintf(vdev, sizeof(vdev), "hvbus_sim,nics=%s,%s", nics, args);
	return bt_eal_init_vdev(prog, vdev);
}

static inline int
bt_eal_init(const char *prog, const char *nics)
{
	/* Short deadlines: a test that relies on one fails fast. */
	return bt_eal_init_args(prog, nics, "timeout_ms=2000,ring_size=65536");
}

/* An NVSP message: type and two words, padded to 40 bytes. */
struct bt_nvsp_msg {
	uint32_t type;
	uint32_t w1;
	uint32_t w2;
	uint8_t pad[28];
} __attribute__((packed));

/*
 * Send @m in-band with RC on @c and wait (bounded) for the completion
 * echoing @xid; copy its first 16 payload bytes into @out (4 words).
 * Other packets (indications) are skipped. Returns 0 or a negative errno.
 */
static inline int
bt_nvsp_req(struct hvbus_chan *c, uint64_t xid, const struct bt_nvsp_msg *m,
	    uint32_t out[4])
{
	struct vmb_iov iov = { m, sizeof(*m) };
	uint8_t buf[2048];
	const struct vmb_pkt_desc *d = (const void *)buf;
	uint64_t end;
	int rc;

	rc = vmb_ring_write(&c->tx, VMB_PKT_DATA_INBAND, VMB_PKT_FLAG_RC, xid,
			    NULL, 0, &iov, 1);
	if (rc < 0)
		return rc;
	if (rc == 1)
		hvbus_chan_signal(c);
	end = bt_ms() + 3000;
	for (;;) {
		rc = vmb_ring_read(&c->rx, buf, sizeof(buf));
		if (rc >= 0) {
			if (vmb_ring_commit(&c->rx) == 1)
				hvbus_chan_signal(c);
			if (d->type == VMB_PKT_COMPLETION && d->xid == xid)
				break;
			continue;
		}
		if (rc != -EAGAIN)
			return rc;
		if (bt_ms() > end)
			return -ETIMEDOUT;
		usleep(200);
	}
	if ((uint32_t)rc < (uint32_t)d->data_offset8 * 8 + 16)
		return -EBADMSG;
	memcpy(out, buf + d->data_offset8 * 8, 16);
	return 0;
}

/* NVSP INIT 6.1 round trip: returns the NVSP status (1 = success). */
static inline int
bt_nvsp_init(struct hvbus_chan *c, uint64_t xid)
{
	struct bt_nvsp_msg m = { .type = 1, .w1 = 0x00060001u,
				 .w2 = 0x00060001u };
	uint32_t out[4];
	int rc = bt_nvsp_req(c, xid, &m, out);

	if (rc < 0)
		return rc;
	if (out[0] != 2)	/* INIT_COMPLETE */
		return -EBADMSG;
	return (int)out[3];
}

/* Wait until the embedded host counted @want releases for @nic. */
static inline int
bt_wait_released(struct hvsim *h, unsigned int nic, uint64_t want,
		 unsigned int ms)
{
	struct hvsim_nic_stats st;
	uint64_t end = bt_ms() + ms;

	for (;;) {
		if (hvsim_nic_stats(h, nic, &st) == 0 && st.released >= want)
			return st.released == want ? 0 : -EEXIST;
		if (bt_ms() > end)
			return -ETIMEDOUT;
		usleep(2000);
	}
}

static inline void
bt_report(struct hvsim *h)
{
	char buf[4096];

	if (h != NULL && hvsim_violations(h) != 0) {
		hvsim_report(h, buf, sizeof(buf));
		fprintf(stderr, "hvsim report:\n%s\n", buf);
	}
}

/*
 * Ask the telemetry socket of this process for @cmd, as dpdk-telemetry.py
 * would. Returns the answer's length (NUL-terminated in @buf) or -errno.
 */
static inline int
bt_telemetry(const char *cmd, char *buf, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd, rc;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	if (recv(fd, buf, len - 1, 0) <= 0)	/* greeting */
		goto fail;
	if (send(fd, cmd, strlen(cmd), 0) != (ssize_t)strlen(cmd))
		goto fail;
	n = recv(fd, buf, len - 1, 0);
	if (n <= 0)
		goto fail;
	buf[n] = '\0';
	close(fd);
	return (int)n;
fail:
	rc = errno ? -errno : -EIO;
	close(fd);
	return rc;
}

/*
 * For a test that plays the host over the sim transport: a Unix SEQPACKET
 * socket listening at @dir/host.sock, @dir made from its mkdtemp()
 * template, the address in @sa. Returns the socket.
 */
static inline int
bt_host_listen(char *dir, struct sockaddr_un *sa)
{
	int fd;

	REQUIRE(mkdtemp(dir) != NULL);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/host.sock", dir);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	REQUIRE(fd >= 0 && bind(fd, (struct sockaddr *)sa, sizeof(*sa)) == 0 &&
		listen(fd, 1) == 0);
	return fd;
}

/*
 * The host's side of the sim transport: wait up to @ms for one frame from
 * the guest. Returns the channel message's type (decoded into @m, its
 * length in @len), 0 when nothing usable came, -1 when the guest hung up.
 */
static inline int
bt_host_recv(int fd, int ms, union vmb_msg *m, uint32_t *len)
{
	uint8_t buf[HVSIM_FRAME_MAX + 16];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	const size_t fh = sizeof(struct hvsim_frame_hdr);
	ssize_t n;
	int type;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0)
		return -1;
	if ((size_t)n <= fh)
		return 0;
	*len = (uint32_t)((size_t)n - fh);
	type = vmb_msg_decode(buf + fh, *len, m);
	return type > 0 ? type : 0;
}

/* Value of integer field "@key" in a telemetry JSON answer, -1 if absent. */
static inline long long
bt_json_int(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	return p != NULL ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

#endif /* HVBUS_BUS_TEST_H */
