/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Ring engine of the host (protocol.rst 2 and 8.2): attach the two
 * rings of an opened channel, poll every open guest->host ring, hand each
 * packet (copied out first) to the device model, publish read indices once
 * per batch, write host->guest packets for the device, and watch the
 * guest's monitor-page bits. A publish the ring protocol says to signal
 * (protocol.rst 2.7: the guest unmasked the ring and it was empty) raises
 * the guest's interrupt line, if the guest gave one; a polling guest keeps
 * its rings masked and is never signalled.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_chan.h"

/* Packets handled per channel per round, so that one busy channel cannot
 * starve the others or the control messages.
 */
#define HVSIM_RING_BUDGET	64
/* Rounds over the channels per iteration while one still has more: up to
 * 512 requests per channel, as many frames (at 8 per request) as the
 * generator may send in an iteration (NV_GEN_BUDGET), so a forwarding
 * guest's send ring does not fill behind a host busy generating. In
 * rounds, not in one 512-deep pass: a guest answers within the pass, and
 * the receive completions of channel 0 would wait behind channel 1's sends
 * reflected into sections they should have freed (every receive section
 * in use with 384 frames in flight).
 */
#define HVSIM_RING_ROUNDS	8
#define HVSIM_IOV_MAX		32

static bool
hvsim_pages_contig(const uint64_t *pfns, uint32_t from, uint32_t to)
{
	uint32_t i;

	for (i = from + 1; i < to; i++)
		if (pfns[i] != pfns[i - 1] + 1)
			return false;
	return true;
}

int
hvsim_ring_open(struct hvsim_chan *c, const struct hvsim_gpadl *g,
		uint32_t page_off)
{
	struct hvsim_log *lg = c->rings->lg;
	const struct vmb_gpadl *vg = g->g;
	uint8_t *in_mem, *out_mem;
	uint32_t npfn = vg->npfn;
	int rc;

	/* One range, offset 0, whole pages (openvmm's rule), split into two
	 * rings of at least two pages each.
	 */
	if (vg->byte_offset != 0 ||
	    (uint64_t)vg->byte_count != (uint64_t)npfn * VMB_PAGE_SIZE ||
	    page_off < 2 || page_off > npfn || npfn - page_off < 2) {
		hvsim_log_violation(lg, "OPENCHANNEL relid %u: ring GPADL "
				    "%#x (%u pages, offset %u, %u bytes) "
				    "cannot be split at page %u", c->relid,
				    g->handle, npfn, vg->byte_offset,
				    vg->byte_count, page_off);
		return -EINVAL;
	}
	if (!hvsim_pages_contig(vg->pfns, 0, page_off) ||
	    !hvsim_pages_contig(vg->pfns, page_off, npfn)) {
		hvsim_log_error(lg, "OPENCHANNEL relid %u: ring pages of "
				"GPADL %#x are not contiguous in the arena "
				"(unsupported)", c->relid, g->handle);
		return -ENOTSUP;
	}
	in_mem = hvsim_mem_ptr(c->rings->mem, vg->pfns[0] << VMB_PAGE_SHIFT,
			       (uint64_t)page_off * VMB_PAGE_SIZE);
	out_mem = hvsim_mem_ptr(c->rings->mem,
				vg->pfns[page_off] << VMB_PAGE_SHIFT,
				(uint64_t)(npfn - page_off) * VMB_PAGE_SIZE);
	if (in_mem == NULL || out_mem == NULL)
		return -EFAULT;
	rc = vmb_ring_init_mem(&c->in, in_mem,
			       (size_t)page_off * VMB_PAGE_SIZE);
	if (rc == 0)
		rc = vmb_ring_init_mem(&c->out, out_mem,
				       (size_t)(npfn - page_off) * VMB_PAGE_SIZE);
	if (rc < 0) {
		hvsim_log_violation(lg, "OPENCHANNEL relid %u: ring "
				    "headers of GPADL %#x invalid (%s)",
				    c->relid, g->handle, strerror(-rc));
		return rc;
	}
	vmb_ring_set_limits(&c->in, c->in.size - 16 < HVSIM_PKT_MAX ?
			    c->in.size - 16 : HVSIM_PKT_MAX,
			    VMB_PKT_TYPES_NETVSC);
	hvsim_check_out_init(&c->out_seen, &c->out);
	c->pend_len = 0;
	c->batching = false;
	c->in_masked = false;
	memset(&c->st, 0, sizeof(c->st));
	return 0;
}

void
hvsim_chan_fail(struct hvsim_chan *c, const char *why, int err)
{
	if (c->failed)
		return;
	if (err != 0)
		hvsim_log_violation(c->rings->lg, "nic%u sub %u relid %u: %s "
				    "(%s): channel stopped", c->nic->idx,
				    c->subidx, c->relid, why,
				    strerror(err < 0 ? -err : err));
	else
		hvsim_log_violation(c->rings->lg, "nic%u sub %u relid %u: %s: "
				    "channel stopped", c->nic->idx, c->subidx,
				    c->relid, why);
	/* The device hears of it from the ring loop, never from inside one
	 * of its own callbacks (hvsim_chan_send() may be why we are here).
	 */
	c->failed = true;
}

/* Hand the packet in pkt_buf to the device. 0 done, -EAGAIN deferred,
 * other negative: the channel failed.
 */
static int
hvsim_chan_deliver(struct hvsim_chan *c, uint32_t len)
{
	struct vmb_pkt_view v;
	struct hvsim_pkt p;
	int rc;

	rc = vmb_pkt_parse(c->pkt_buf, len, &v);
	if (rc < 0) {
		hvsim_chan_fail(c, "malformed packet", rc);
		return rc;
	}
	p.type = v.desc.type;
	p.flags = v.desc.flags;
	p.xid = v.desc.xid;
	p.ext = v.ext;
	p.ext_len = v.ext_len;
	p.data = v.payload;
	p.data_len = v.payload_len;
	rc = c->rings->ops->packet(c->nic->dev, c, &p);
	if (rc == -EAGAIN)
		return rc;
	if (rc < 0) {
		hvsim_chan_fail(c, "device rejected a packet", rc);
		return rc;
	}
	c->st.tx_pkts++;
	c->st.tx_bytes += len;
	return 0;
}

/* The checker's rules on the indices the guest owns; a broken one fails
 * the channel.
 */
static int
hvsim_chan_check(struct hvsim_chan *c)
{
	char why[128];

	if (hvsim_check_in_ring(&c->in, why, sizeof(why)) < 0 ||
	    hvsim_check_out_ring(&c->out, &c->out_seen, why, sizeof(why)) < 0) {
		hvsim_chan_fail(c, why, 0);
		return -EBADMSG;
	}
	return 0;
}

/*
 * Hostile mode: indices the host owns run away or go backwards. After a
 * write_index that lies the host abandons the channel without blaming the
 * guest (no violation): what it wrote is no longer a ring the checker can
 * judge. A read_index that lies is put right at the next poll.
 */
static void
hvsim_hostile_ring(struct hvsim_chan *c)
{
	struct hvsim_hostile *hs = c->rings->hostile;
	struct vmb_ring_hdr *oh = c->out.hdr, *ih = c->in.hdr;
	uint32_t kind, w, r;

	if (!hvsim_hostile_roll(hs, HVSIM_HOSTILE_RING, 128, "nic%u sub %u: "
				"ring indices that lie", c->nic->idx, c->subidx))
		return;
	w = __atomic_load_n(&oh->write_index, __ATOMIC_RELAXED);
	r = __atomic_load_n(&ih->read_index, __ATOMIC_RELAXED);
	kind = hvsim_hostile_pick(hs, 7);
	switch (kind) {
	case 0:		/* runs ahead into what was never written */
		w = (w + c->out.size / 2) % c->out.size & ~7u;
		break;
	case 1:		/* past the end of the data area */
		w = c->out.size + 8 * hvsim_hostile_pick(hs, 64);
		break;
	case 2:		/* backwards: takes back what it published */
		w = (w + c->out.size - 8 * (1 + hvsim_hostile_pick(hs, 8))) %
		    c->out.size;
		break;
	case 3:		/* not a multiple of 8 */
		w |= 4;
		break;
	case 4:
		r = c->in.size + 8 * hvsim_hostile_pick(hs, 64);
		break;
	case 5:		/* backwards: unreads what the guest sent */
		r = (r + c->in.size - 8) % c->in.size;
		break;
	default:	/* ahead of what the guest wrote */
		r = (__atomic_load_n(&ih->write_index, __ATOMIC_RELAXED) + 64) %
		    c->in.size;
		break;
	}
	if (kind >= 4) {
		hvsim_log_msg(c->rings->lg, HVSIM_LOG_NOTICE, "nic%u sub %u: "
			      "lie %u: read_index %u (of %u) until the next "
			      "poll", c->nic->idx, c->subidx, kind, r,
			      c->in.size);
		__atomic_store_n(&ih->read_index, r, __ATOMIC_RELEASE);
		c->rd_lie = true;
		return;
	}
	hvsim_log_msg(c->rings->lg, HVSIM_LOG_NOTICE, "nic%u sub %u: lie %u: "
		      "write_index %u (of %u); channel abandoned",
		      c->nic->idx, c->subidx, kind, w, c->out.size);
	__atomic_store_n(&oh->write_index, w, __ATOMIC_RELEASE);
	c->failed = true;
	/* Without its primary the device has no session: the host drops
	 * the NIC's subchannels too rather than blame the guest for
	 * using them. */
	if (c->subidx == 0) {
		unsigned int i;

		for (i = 1; i < HVSIM_MAX_QUEUES; i++)
			if (c->nic->chan[i] != NULL)
				c->nic->chan[i]->failed = true;
	}
}

/* Hostile mode: the host's interrupt mask on the guest's ring and its
 * pending-send size on its own ring say what they like. */
static void
hvsim_hostile_intr(struct hvsim_chan *c)
{
	static const uint32_t mask[] = { 0, 1, 2, 0xffffffffu };
	struct hvsim_hostile *hs = c->rings->hostile;
	uint32_t kind, v;

	if (!hvsim_hostile_roll(hs, HVSIM_HOSTILE_INTR, 32, "nic%u sub %u: "
				"interrupt-mask game", c->nic->idx, c->subidx))
		return;
	kind = hvsim_hostile_pick(hs, 5);
	switch (kind) {
	case 0:		/* its mask on the guest's ring, any value */
		v = hvsim_hostile_pick_of(hs, mask, 4);
		__atomic_store_n(&c->in.hdr->interrupt_mask, v,
				 __ATOMIC_RELEASE);
		c->in_masked = v != 0;
		break;
	case 1:		/* waits for more room than the ring has */
		v = c->out.size + 4096 * hvsim_hostile_pick(hs, 4);
		__atomic_store_n(&c->out.hdr->pending_send_sz, v,
				 __ATOMIC_RELEASE);
		break;
	case 2:
		v = 1 + hvsim_hostile_pick(hs, 64);
		__atomic_store_n(&c->out.hdr->pending_send_sz, v,
				 __ATOMIC_RELEASE);
		break;
	case 3:		/* the guest's own mask on the ring it reads */
		v = hvsim_hostile_pick_of(hs, mask, 4);
		__atomic_store_n(&c->out.hdr->interrupt_mask, v,
				 __ATOMIC_RELEASE);
		break;
	default:	/* takes the pending-send feature back */
		v = hvsim_hostile_pick(hs, 2) ? 0 : 0xffffffffu;
		__atomic_store_n(&c->out.hdr->feature_bits, v,
				 __ATOMIC_RELEASE);
		break;
	}
	hvsim_log_msg(c->rings->lg, HVSIM_LOG_NOTICE, "nic%u sub %u: "
		      "interrupt game %u: 0x%x", c->nic->idx, c->subidx, kind,
		      v);
}

static int
hvsim_chan_poll(struct hvsim_chan *c)
{
	int work = 0, n, rc;

	if (c->rd_lie) {
		/* What the host really read, after a hostile lie. */
		__atomic_store_n(&c->in.hdr->read_index, c->in.rd_pub,
				 __ATOMIC_RELEASE);
		c->rd_lie = false;
	}
	/* Neither guest index moved since the last look, all was read and
	 * nothing is deferred: the checker's rules hold as they did and
	 * there is nothing to read. Two loads instead of the checks, for
	 * each idle channel of a busy host every iteration. */
	if (!c->in_masked && c->pend_len == 0 && c->in.rd_pos == c->in.rd_w &&
	    !c->in.broken && !c->out.broken &&
	    c->out.wr_rd == c->out_seen.lib_rd &&
	    __atomic_load_n(&c->in.hdr->write_index, __ATOMIC_ACQUIRE) ==
	    c->in.rd_w &&
	    __atomic_load_n(&c->out.hdr->read_index, __ATOMIC_ACQUIRE) ==
	    c->out_seen.rd_seen)
		return 0;
	if (hvsim_chan_check(c) < 0)
		return 1;
	if (c->pend_len != 0) {
		rc = hvsim_chan_deliver(c, c->pend_len);
		if (rc == -EAGAIN)
			return 0;
		c->pend_len = 0;
		if (rc < 0)
			return 1;
		work++;
	}
	/* Idle and unmasked: one load of write_index, no store, so an idle
	 * host does not pull the header's cache line away from the guest.
	 */
	if (!c->in_masked) {
		n = vmb_ring_avail(&c->in);
		if (n == 0)
			return work;
		if (n < 0) {
			hvsim_chan_fail(c, "guest->host ring corrupt", n);
			return work + 1;
		}
		/* Mask while draining: the guest need not signal a host
		 * that is looking anyway (protocol.rst 2.7).
		 */
		vmb_ring_intr_mask(&c->in);
		c->in_masked = true;
	}
	while (work < HVSIM_RING_BUDGET && !c->failed &&
	       !hvsim_gate_held(c->rings->gate, c->nic->idx)) {
		n = vmb_ring_read(&c->in, c->pkt_buf, HVSIM_PKT_MAX);
		if (n == -EAGAIN) {
			/* Idle: unmask, then look again for a packet that
			 * arrived while the guest believed us masked.
			 */
			rc = vmb_ring_intr_unmask(&c->in);
			c->in_masked = false;
			if (rc == 0)
				break;
			if (rc < 0) {
				n = rc;
			} else {
				vmb_ring_intr_mask(&c->in);
				c->in_masked = true;
				continue;
			}
		}
		if (n < 0) {
			hvsim_chan_fail(c, "guest->host ring corrupt", n);
			break;
		}
		rc = hvsim_chan_deliver(c, (uint32_t)n);
		/* Drawn per packet, so that a seed meets the same packets;
		 * an honest host only tests a word. */
		if (rc == 0 && !c->failed &&
		    hvsim_hostile_any(c->rings->hostile)) {
			hvsim_hostile_intr(c);
			hvsim_hostile_ring(c);
		}
		if (rc == -EAGAIN) {
			/* Keep the copy; the slot in the ring is released,
			 * but nothing more is read until it is handled.
			 */
			c->pend_len = (uint32_t)n;
			break;
		}
		work++;
		if (rc < 0)
			break;
	}
	if (!c->rd_lie)
		vmb_ring_commit(&c->in);
	return work;
}

int
hvsim_rings_poll(struct hvsim_rings *r)
{
	unsigned int i, q, round;
	bool more = true;
	int work = 0;

	if (r->n_open == 0)
		return 0;
	for (round = 0; more && round < HVSIM_RING_ROUNDS; round++) {
		more = false;
		for (i = 0; i < r->n_nics; i++) {
			struct hvsim_nic *n = &r->nic[i];

			if (hvsim_gate_held(r->gate, i))
				continue;
			for (q = 0; q < n->chan_end; q++) {
				struct hvsim_chan *c = n->chan[q];
				int w;

				if (c == NULL || !c->open)
					continue;
				if (c->failed) {
					hvsim_chan_close_dev(c);
					continue;
				}
				w = hvsim_chan_poll(c);
				n->ring_polls++;
				n->ring_polls_empty += w == 0;
				work += w;
				more |= w >= HVSIM_RING_BUDGET;
			}
		}
	}
	return work;
}

int
hvsim_monitor_poll(struct hvsim_rings *r)
{
	unsigned int g;
	int work = 0;

	if (r->mon_child == NULL)
		return 0;
	/* The guest sets bits, we clear the ones we saw; the rings are
	 * polled regardless, so a bit only says "work is coming, do not
	 * back off".
	 */
	for (g = 0; g < VMB_MONITOR_GROUPS; g++) {
		uint32_t *pend = vmb_monitor_pending(r->mon_child, g);
		uint32_t v = __atomic_load_n(pend, __ATOMIC_ACQUIRE);

		if (v == 0)
			continue;
		__atomic_fetch_and(pend, ~v, __ATOMIC_ACQ_REL);
		work += __builtin_popcount(v);
	}
	return work;
}

void
hvsim_chan_close_dev(struct hvsim_chan *c)
{
	if (!c->dev_open)
		return;
	c->dev_open = false;
	c->rings->ops->chan_close(c->nic->dev, c);
}

/* ---- device interface ---- */

/* Publish what was written for the guest; signal it if that is due. */
static void
hvsim_chan_publish(struct hvsim_chan *c)
{
	if (vmb_ring_publish(&c->out) == 1)
		hvsim_transport_signal(c->rings->tp);
}

int
hvsim_chan_send(struct hvsim_chan *c, uint16_t type, uint16_t flags,
		uint64_t xid, const void *ext, uint32_t ext_len,
		const struct iovec *iov, unsigned int iovcnt)
{
	struct vmb_iov v[HVSIM_IOV_MAX];
	uint64_t bytes = 0;
	unsigned int i;
	int rc;

	if (!c->open || c->failed)
		return -ENODEV;
	if (iovcnt > HVSIM_IOV_MAX)
		return -EINVAL;
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > UINT32_MAX)
			return -EMSGSIZE;
		v[i].base = iov[i].iov_base;
		v[i].len = (uint32_t)iov[i].iov_len;
		bytes += iov[i].iov_len;
	}
	rc = vmb_ring_stage(&c->out, type, flags, xid, ext, ext_len, v, iovcnt);
	if (rc == -EBADMSG) {
		hvsim_chan_fail(c, "host->guest ring read_index corrupt", rc);
		return -ENODEV;
	}
	if (rc < 0)
		return rc;
	c->st.rx_pkts++;
	c->st.rx_bytes += bytes;
	if (!c->batching)
		hvsim_chan_publish(c);
	return 0;
}

int
hvsim_chan_send_buf(struct hvsim_chan *c, uint16_t type, uint64_t xid,
		    const void *buf, uint32_t len)
{
	int rc;

	if (!c->open || c->failed)
		return -ENODEV;
	/* A completion per guest request: the inlined no-wrap write, the
	 * general one only on wrap, a full ring or an error. */
	rc = vmb_ring_stage_buf(&c->out, type, 0, xid, NULL, 0, buf, len);
	if (rc == -EBADMSG) {
		hvsim_chan_fail(c, "host->guest ring read_index corrupt", rc);
		return -ENODEV;
	}
	if (rc < 0)
		return rc;
	c->st.rx_pkts++;
	c->st.rx_bytes += len;
	if (!c->batching)
		hvsim_chan_publish(c);
	return 0;
}

void
hvsim_chan_batch_begin(struct hvsim_chan *c)
{
	c->batching = true;
}

void
hvsim_chan_batch_end(struct hvsim_chan *c)
{
	c->batching = false;
	if (c->open && !c->failed)
		hvsim_chan_publish(c);
}

void
hvsim_chan_batch_publish(struct hvsim_chan *c)
{
	if (c->open && !c->failed)
		hvsim_chan_publish(c);
}

uint32_t
hvsim_chan_room(const struct hvsim_chan *c)
{
	const struct vmb_ring *r = &c->out;
	uint32_t rd, free_b, overhead;

	if (!c->open || c->failed)
		return 0;
	rd = __atomic_load_n(&r->hdr->read_index, __ATOMIC_ACQUIRE);
	if (rd >= r->size || (rd & 7))
		return 0;
	free_b = vmb_ring_wr_free(r, rd);
	/* Descriptor + trailer, and the ring is never filled completely. */
	overhead = VMB_PKT_DESC_SIZE + VMB_PKT_TRAILER_SIZE + 8;
	if (free_b <= overhead)
		return 0;
	return (free_b - overhead) & ~7u;
}

uint16_t
hvsim_chan_subidx(const struct hvsim_chan *c)
{
	return c->subidx;
}

uint32_t
hvsim_chan_relid(const struct hvsim_chan *c)
{
	return c->relid;
}

void *
hvsim_gpadl_map(struct hvsim_chan *c, uint32_t gpadl, uint64_t *len)
{
	const struct hvsim_chan *prim = c->nic->chan[0];

	/* A subchannel uses the buffers its primary established. */
	return hvsim_gpadl_view(c->rings->gpadls, gpadl, c->relid,
				prim != NULL ? prim->relid : 0, len);
}
