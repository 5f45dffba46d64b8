/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The test as a hostile host on one channel's host -> guest ring: it
 * writes packets into the guest's ring memory exactly as the host would
 * (lib/vmbus's writer over the same pages), or keeps write_index moving so
 * the ring is never empty. hvsim's own view of that ring is left behind:
 * use it only on channels hvsim has no reason to write to afterwards (no
 * traffic steered there, no requests outstanding).
 */

#ifndef HOSTILE_RING_H
#define HOSTILE_RING_H

#include <pthread.h>

#include <ethdev_driver.h>

#include "rte_bus_hvbus.h"
#include "nvsp.h"
#include "vmb_ring.h"

/* Kinds of packets a host can feed a loop with that carry no frame. */
enum hr_kind {
	HR_CMPLT,	/* completion naming no request */
	HR_INBAND,	/* in-band NVSP message of an unknown type */
	HR_BIG,		/* in-band, larger than the guest copies (ENOBUFS) */
	HR_NOFRAME,	/* transfer pages whose range holds no RNDIS message */
	HR_KINDS
};

/* HR_BIG packets take 12288 ring bytes: they tile a ring whose data area
 * is a multiple of three pages, as the 1 MiB default (255 pages) is. */
#define HR_BIG_BYTES	12288u

#define HR_MAX_PKTS	4096u

struct hr_ring {
	struct vmb_ring w;		/* writer view of the guest's rx ring */
	uint32_t n;			/* packets written by hr_fill() */
	uint32_t end[HR_MAX_PKTS];	/* ring offset after packet i */
};

/* Channel @p k of @p port's device (the test's process is the guest). */
static inline struct hvbus_chan *
hr_chan(uint16_t port, uint16_t k)
{
	struct rte_hvbus_device *hd =
		RTE_DEV_TO_HVBUS(rte_eth_devices[port].device);

	return hd->chan_slot[k];
}

static inline uint32_t
hr_read_index(const struct hvbus_chan *c)
{
	return __atomic_load_n(&c->rx.hdr->read_index, __ATOMIC_ACQUIRE);
}

/* Stage one packet of @p kind on @p w. */
static inline int
hr_stage(struct vmb_ring *w, enum hr_kind kind, uint64_t n)
{
	static uint8_t big[HR_BIG_BYTES - 24];
	uint8_t msg[NVSP_MSG_SIZE] = { 0 };
	uint8_t ext[16] = { 0 };
	struct vmb_xfer_hdr xh = { .pageset_id = VMB_XFER_PAGESET_NETVSC,
				   .range_count = 1 };
	struct vmb_xfer_range rg = { .len = 4, .offset = 0 };
	struct vmb_iov iov = { msg, sizeof(msg) };
	uint64_t xid = 0x4a554e4b00000000ull + n;

	switch (kind) {
	case HR_CMPLT:
		nvsp_encode_rndis_pkt_cmplt(msg, sizeof(msg),
					    NVSP_STATUS_SUCCESS);
		return vmb_ring_stage(w, VMB_PKT_COMPLETION, 0, xid, NULL, 0,
				      &iov, 1);
	case HR_INBAND:
		memset(msg, 0xff, 4);	/* NVSP type 0xffffffff */
		return vmb_ring_stage(w, VMB_PKT_DATA_INBAND, 0, xid, NULL, 0,
				      &iov, 1);
	case HR_BIG:
		iov.base = big;
		iov.len = sizeof(big);
		return vmb_ring_stage(w, VMB_PKT_DATA_INBAND, 0, xid, NULL, 0,
				      &iov, 1);
	case HR_NOFRAME:
		/* A range of 4 bytes: too short for an RNDIS header. */
		memcpy(ext, &xh, sizeof(xh));
		memcpy(ext + sizeof(xh), &rg, sizeof(rg));
		nvsp_encode_rndis_pkt(msg, sizeof(msg), NVSP_RNDIS_CHAN_DATA,
				      NVSP_SECTION_NONE, 0);
		return vmb_ring_stage(w, VMB_PKT_DATA_XFER_PAGES, 0, xid, ext,
				      sizeof(ext), &iov, 1);
	default:
		return -EINVAL;
	}
}

/* Write @p n packets, kinds cycling through @p kinds, into channel @p c's
 * rx ring as a well-behaved host would (room permitting) and publish
 * them; r->end[] records where each ends. Returns packets written. */
static inline uint32_t
hr_fill(struct hr_ring *r, struct hvbus_chan *c, const enum hr_kind *kinds,
	unsigned int nkinds, uint32_t n)
{
	uint32_t i;

	if (vmb_ring_init(&r->w, c->rx.hdr, c->rx.data, c->rx.size) != 0)
		return 0;
	for (i = 0; i < n && i < HR_MAX_PKTS; i++) {
		if (hr_stage(&r->w, kinds[i % nkinds], i) != 0)
			break;
		r->end[i] = r->w.wr_pos;
	}
	r->n = i;
	vmb_ring_publish(&r->w);
	return i;
}

/* A host that keeps the ring full for ever: every slot holds a valid
 * packet of one kind, and write_index follows the guest's read index
 * (one packet behind it), so whatever the guest consumes is there again.
 */
struct hr_flood {
	struct hvbus_chan *c;
	enum hr_kind kind;
	uint32_t pkt_bytes;
	uint32_t stop;
	uint64_t moves;
	pthread_t tid;
};

/* Move write_index to one packet behind the guest's read index. */
static inline void
hr_flood_move(struct hr_flood *f)
{
	struct vmb_ring_hdr *hdr = f->c->rx.hdr;
	uint32_t size = f->c->rx.size;
	uint32_t rd = __atomic_load_n(&hdr->read_index, __ATOMIC_ACQUIRE);

	__atomic_store_n(&hdr->write_index, (rd + size - f->pkt_bytes) % size,
			 __ATOMIC_RELEASE);
	__atomic_fetch_add(&f->moves, 1, __ATOMIC_RELAXED);
}

/* The host's own thread, on any CPU: it moves the index while the guest
 * reads, too. */
static void *
hr_flood_main(void *arg)
{
	struct hr_flood *f = arg;
	cpu_set_t all;
	int i;

	CPU_ZERO(&all);
	for (i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	pthread_setaffinity_np(pthread_self(), sizeof(all), &all);
	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
		hr_flood_move(f);
		sched_yield();
	}
	return NULL;
}

/* Tile channel @p c's rx ring with packets of @p kind, starting at the
 * guest's read position (nothing reads the ring meanwhile), and start
 * moving write_index. */
static inline int
hr_flood_start(struct hr_flood *f, struct hvbus_chan *c, enum hr_kind kind)
{
	static uint8_t scratch[VMB_RING_HDR_SIZE + 2 * HR_BIG_BYTES];
	struct vmb_ring img;
	uint32_t size = c->rx.size, rd = hr_read_index(c), off, i, len;

	vmb_ring_hdr_reset(scratch, 0);
	if (vmb_ring_init(&img, scratch, scratch + VMB_RING_HDR_SIZE,
			  sizeof(scratch) - VMB_RING_HDR_SIZE) != 0 ||
	    hr_stage(&img, kind, 0) != 0)
		return -EINVAL;
	len = img.wr_pos;
	if (size % len != 0)
		return -EINVAL;
	for (off = 0; off < size; off += len)
		for (i = 0; i < len; i++)
			c->rx.data[(rd + off + i) % size] =
				scratch[VMB_RING_HDR_SIZE + i];
	memset(f, 0, sizeof(*f));
	f->c = c;
	f->kind = kind;
	f->pkt_bytes = len;
	hr_flood_move(f);
	return pthread_create(&f->tid, NULL, hr_flood_main, f) == 0 ? 0 :
		-EAGAIN;
}

static inline void
hr_flood_stop(struct hr_flood *f)
{
	__atomic_store_n(&f->stop, 1, __ATOMIC_RELEASE);
	pthread_join(f->tid, NULL);
}

#endif /* HOSTILE_RING_H */
