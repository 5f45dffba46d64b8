/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Receive path: the guest's receive buffer cut into sections, a LIFO stack
 * of free sections, and delivery by transfer-page packets (type 7) that
 * batch up to NV_RX_BATCH_MAX sections. A section is written only while it
 * is free or part of the batch being built; it becomes free again only
 * when the guest completes the transfer-page packet that carried it, whose
 * transaction id is the batch's first section index (< section count, as
 * DPDK needs). Control responses and indications use single-section
 * packets with channel_type 1 on the primary and may use the reserve of
 * NV_RX_CTRL_RESERVE sections data never takes.
 */

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hv_wire.h"
#include "netvsp_priv.h"

/* Bytes of RNDIS header and PPIs ahead of a received frame at most:
 * 44-byte header, checksum, VLAN, hash value and hash info PPIs. */
#define NV_RX_MSG_OVERHEAD	(sizeof(struct rndis_packet) + \
				 4 * RNDIS_PPI_U32_SIZE)

/* Append a u32 PPI to a template; returns where its value sits. */
static uint32_t
nv_tmpl_ppi(struct nv_rx_tmpl *t, uint32_t type)
{
	struct rndis_packet h;

	memcpy(&h, t->hdr, sizeof(h));
	if (rndis_packet_add_ppi_u32(t->hdr, sizeof(t->hdr), type, 0) != 0)
		return 0;
	return h.msg_len + (uint32_t)sizeof(struct rndis_ppi);
}

static int
nv_tmpl_build(struct nv_rx_tmpl *t, unsigned int kind)
{
	int off;

	memset(t, 0, sizeof(*t));
	if (rndis_packet_begin(t->hdr, sizeof(t->hdr)) != 0)
		return -EINVAL;
	t->csum_at = nv_tmpl_ppi(t, RNDIS_PPI_CSUM);
	if (kind & NV_TMPL_VLAN)
		t->vlan_at = nv_tmpl_ppi(t, RNDIS_PPI_VLAN);
	if (kind & NV_TMPL_HASH) {
		t->hash_at = nv_tmpl_ppi(t, RNDIS_PPI_HASH_VALUE);
		t->hinfo_at = nv_tmpl_ppi(t, RNDIS_PPI_HASH_INFO);
	}
	/* A placeholder frame length: patched per frame. */
	off = rndis_packet_end(t->hdr, sizeof(t->hdr), 0, 0, 0);
	if (off <= 0 || t->csum_at == 0)
		return -EINVAL;
	t->len = (uint32_t)off;
	return 0;
}

static inline void
nv_put_u32(uint8_t *p, uint32_t at, uint32_t v)
{
	memcpy(p + at, &v, sizeof(v));
}

int
nv_rxbuf_connect(struct netvsp_dev *d, struct nv_chan *ch, uint32_t gpadl,
		 uint16_t id, uint32_t *sec_size, uint32_t *sec_count)
{
	struct nv_rxbuf *rx = &d->rx;
	uint64_t len = 0, count;
	uint32_t frame, sec, i;
	void *base;

	base = hvsim_gpadl_map(ch->c, gpadl, &len);
	if (base == NULL) {
		nv_log(d, "receive buffer GPADL 0x%x unknown", gpadl);
		return -ENOENT;
	}
	/* Room for the RNDIS header, the largest frame (the port's MTU or
	 * what the guest announced, whichever is larger) and openvmm's
	 * unusable tail; rounded up to a cache line so a small frame touches
	 * as few lines as possible. */
	frame = d->cfg.mtu + 14;
	if (d->ndis_mtu > frame)
		frame = d->ndis_mtu;
	sec = (NV_RX_SEC_HEADROOM + frame + NV_RX_SEC_TAIL + 63) & ~63u;
	sec = nv_hostile_recv_section(d, len, sec);
	count = len / sec;
	if (count > UINT32_MAX / 2)
		count = UINT32_MAX / 2;
	if (count <= NV_RX_CTRL_RESERVE) {
		nv_log(d, "receive buffer of %llu bytes too small for %u-byte "
		       "sections", (unsigned long long)len, sec);
		return -ENOSPC;
	}
	rx->free = malloc(count * sizeof(*rx->free));
	rx->next = malloc(count * sizeof(*rx->next));
	rx->state = calloc(count, 1);
	rx->owner = calloc(count, 1);
	if (rx->free == NULL || rx->next == NULL || rx->state == NULL ||
	    rx->owner == NULL) {
		nv_rxbuf_revoke(d);
		return -ENOMEM;
	}
	/* Stack top = section 0, so sections are used in address order
	 * while the buffer is cold. */
	for (i = 0; i < count; i++)
		rx->free[i] = (uint32_t)(count - 1 - i);
	rx->n_free = (uint32_t)count;
	rx->base = base;
	rx->size = len;
	rx->gpadl = gpadl;
	rx->id = id;
	rx->sec_size = sec;
	rx->sec_count = (uint32_t)count;
	nvsp_encode_rndis_pkt(rx->nvsp_data, sizeof(rx->nvsp_data),
			      NVSP_RNDIS_CHAN_DATA, NVSP_SECTION_NONE, 0);
	nvsp_encode_rndis_pkt(rx->nvsp_ctrl, sizeof(rx->nvsp_ctrl),
			      NVSP_RNDIS_CHAN_CONTROL, NVSP_SECTION_NONE, 0);
	for (i = 0; i < 4; i++)
		if (nv_tmpl_build(&rx->tmpl[i], i) != 0) {
			nv_rxbuf_revoke(d);
			return -EINVAL;
		}
	rx->on = true;
	*sec_size = sec;
	*sec_count = (uint32_t)count;
	nv_log(d, "receive buffer: %u sections of %u bytes (id 0x%x)",
	       rx->sec_count, sec, id);
	return 0;
}

void
nv_rxbuf_revoke(struct netvsp_dev *d)
{
	struct nv_rxbuf *rx = &d->rx;
	unsigned int i;

	for (i = 0; i < NV_MAX_QUEUES; i++)
		if (d->ch[i] != NULL)
			d->ch[i]->n_rng = 0;
	free(rx->free);
	free(rx->next);
	free(rx->state);
	free(rx->owner);
	memset(rx, 0, sizeof(*rx));
}

uint32_t
nv_rx_sec_get(struct netvsp_dev *d, bool control)
{
	struct nv_rxbuf *rx = &d->rx;
	uint32_t sec;

	if (rx->n_free <= (control ? 0 : NV_RX_CTRL_RESERVE))
		return UINT32_MAX;
	sec = rx->free[--rx->n_free];
	rx->state[sec] = NV_SEC_FILLING;
	rx->next[sec] = NV_SEC_END;
	if (rx->n_free != 0) {
		/* The guest's CPU read the next section last: ask for its
		 * first lines (header, PPIs, a small frame) for writing now,
		 * so that fetching them overlaps this frame's work instead of
		 * filling the store buffer at the next one (perf.rst, issue
		 * 16 item 4: 2/3 of the section write at four queues). */
		const uint8_t *q = rx->base +
			(uint64_t)rx->free[rx->n_free - 1] * rx->sec_size;

		__builtin_prefetch(q, 1, 3);
		__builtin_prefetch(q + 64, 1, 3);
		__builtin_prefetch(q + 128, 1, 3);
	}
	return sec;
}

/* Return every section of the list starting at @p sec to the free stack. */
static uint32_t
nv_rx_free_list(struct nv_rxbuf *rx, uint32_t sec)
{
	uint32_t n = 0;

	while (sec != NV_SEC_END && n < rx->sec_count) {
		uint32_t next = rx->next[sec];

		rx->state[sec] = NV_SEC_FREE;
		rx->free[rx->n_free++] = sec;
		sec = next;
		n++;
	}
	return n;
}

void
nv_rx_batch_add(struct netvsp_dev *d, struct nv_chan *ch, uint32_t sec,
		uint32_t len)
{
	struct vmb_xfer_range *r = &ch->rng[ch->n_rng];

	r->len = len;
	r->offset = sec * d->rx.sec_size;
	ch->rng_pkts++;
	if (ch->n_rng++ == 0)
		ch->head = sec;
	else
		d->rx.next[ch->tail] = sec;
	ch->tail = sec;
	if (ch->n_rng == NV_RX_BATCH_MAX)
		nv_rx_flush(d, ch);
	else if (d->cfg.rx_publish != 0 && ch->n_rng >= d->cfg.rx_publish &&
		 nv_rx_flush(d, ch) == 0)
		/* The guest may start on these while the iteration goes on
		 * (a failed flush retries at the next frame). */
		hvsim_chan_batch_publish(ch->c);
}

int
nv_rx_flush(struct netvsp_dev *d, struct nv_chan *ch)
{
	struct nv_rxbuf *rx = &d->rx;
	struct iovec iov = { .iov_base = rx->nvsp_data,
			     .iov_len = sizeof(rx->nvsp_data) };
	struct hvsim_queue_stats *qs = &d->stats.q[ch->idx];
	uint32_t room, reserve;
	int elen, rc;

	if (ch->n_rng == 0)
		return 0;
	elen = vmb_xfer_encode(ch->ext, sizeof(ch->ext), rx->id, ch->rng,
			       ch->n_rng);
	if (elen < 0)
		return elen;
	if (nv_hostile_on(d, HVSIM_HOSTILE_XFER))
		nv_hostile_xfer(d, ch->ext, (uint32_t)elen);
	room = hvsim_chan_room(ch->c);
	if (room > ch->room_max)
		ch->room_max = room;
	reserve = ch->room_max / 4;
	if (reserve > NV_RX_RING_RESERVE)
		reserve = NV_RX_RING_RESERVE;
	if (room < (uint32_t)elen + sizeof(rx->nvsp_data) + reserve)
		return -EAGAIN;	/* kept for a later poll */
	rc = hvsim_chan_send(ch->c, VMB_PKT_DATA_XFER_PAGES, VMB_PKT_FLAG_RC,
			     ch->head, ch->ext, (uint32_t)elen, &iov, 1);
	if (rc == -EAGAIN)
		return rc;	/* the guest drains its ring: retry later */
	if (rc != 0) {
		/* Channel going away: the frames are lost. */
		d->stats.rx_dropped += ch->rng_pkts;
		nv_rx_free_list(rx, ch->head);
		ch->n_rng = 0;
		ch->rng_bytes = 0;
		ch->rng_pkts = 0;
		return rc;
	}
	rx->state[ch->head] = NV_SEC_INFLIGHT;
	rx->owner[ch->head] = (uint8_t)ch->idx;
	qs->rx_pkts += ch->rng_pkts;
	qs->rx_bytes += ch->rng_bytes;
	d->stats.rx_pkts += ch->rng_pkts;
	d->stats.rx_bytes += ch->rng_bytes;
	d->stats.rx_batches++;
	ch->n_rng = 0;
	ch->rng_bytes = 0;
	ch->rng_pkts = 0;
	return 0;
}

void
nv_rx_complete(struct netvsp_dev *d, struct nv_chan *ch, uint64_t xid,
	       const struct hvsim_pkt *p)
{
	struct nv_rxbuf *rx = &d->rx;

	if (xid & (1ull << 63))
		return;	/* a completion of one of our own in-band messages */
	if (!rx->on) {
		/* Completions racing a revoke: the sections are gone. */
		return;
	}
	if (xid >= rx->sec_count || rx->state[xid] != NV_SEC_INFLIGHT ||
	    rx->owner[xid] != ch->idx) {
		d->stats.tx_bad++;
		nv_log_dp(d, "completion for unknown receive id %llu on "
			  "channel %u ignored", (unsigned long long)xid,
			  ch->idx);
		return;
	}
	if (p->data_len >= sizeof(struct nvsp_rndis_pkt_cmplt)) {
		struct nvsp_rndis_pkt_cmplt c;

		memcpy(&c, p->data, sizeof(c));
		if (c.type == NVSP_TYPE_RNDIS_PKT_CMPLT &&
		    c.status != NVSP_STATUS_SUCCESS)
			nv_log_dp(d, "guest failed receive batch %llu "
				  "(status %u)", (unsigned long long)xid,
				  c.status);
	}
	nv_rx_free_list(rx, (uint32_t)xid);
}

void
nv_rx_chan_drop(struct netvsp_dev *d, struct nv_chan *ch)
{
	struct nv_rxbuf *rx = &d->rx;
	uint32_t i;

	if (!rx->on)
		return;
	if (ch->n_rng != 0) {
		d->stats.rx_dropped += ch->rng_pkts;
		nv_rx_free_list(rx, ch->head);
		ch->n_rng = 0;
		ch->rng_pkts = 0;
		ch->rng_bytes = 0;
	}
	ch->rsc.len = 0;
	for (i = 0; i < rx->sec_count; i++)
		if (rx->state[i] == NV_SEC_INFLIGHT && rx->owner[i] == ch->idx)
			nv_rx_free_list(rx, i);
}

struct nv_chan *
nv_rx_chan(struct netvsp_dev *d, uint32_t q)
{
	if (q < NV_MAX_QUEUES && d->ch[q] != NULL)
		return d->ch[q];
	return d->ch[0];
}

/* ---- control messages (responses, indications) ---- */

static int
nv_ctrl_send_one(struct netvsp_dev *d, const void *msg, uint32_t len)
{
	struct nv_rxbuf *rx = &d->rx;
	struct iovec iov = { .iov_base = rx->nvsp_ctrl,
			     .iov_len = sizeof(rx->nvsp_ctrl) };
	struct vmb_xfer_range r;
	uint8_t ext[sizeof(struct vmb_xfer_hdr) + sizeof(r)];
	uint32_t sec;
	int elen, rc;

	if (!rx->on || d->ch[0] == NULL)
		return -ENOBUFS;
	if (len > rx->sec_size)
		return -EMSGSIZE;
	sec = nv_rx_sec_get(d, true);
	if (sec == UINT32_MAX)
		return -ENOBUFS;
	memcpy(nv_rx_sec_ptr(d, sec), msg, len);
	r.len = len;
	r.offset = sec * rx->sec_size;
	elen = vmb_xfer_encode(ext, sizeof(ext), rx->id, &r, 1);
	rc = elen < 0 ? elen :
		hvsim_chan_send(d->ch[0]->c, VMB_PKT_DATA_XFER_PAGES,
				VMB_PKT_FLAG_RC, sec, ext, (uint32_t)elen,
				&iov, 1);
	if (rc != 0) {
		nv_rx_free_list(rx, sec);
		return rc;
	}
	rx->state[sec] = NV_SEC_INFLIGHT;
	rx->owner[sec] = 0;
	return 0;
}

int
nv_ctrl_queue(struct netvsp_dev *d, const void *msg, uint32_t len)
{
	uint32_t slot;

	if (len > NV_CTRL_MAX)
		return -EMSGSIZE;
	/* Keep order: nothing overtakes an earlier queued message. */
	if (d->ctrl_n == 0 && nv_ctrl_send_one(d, msg, len) == 0)
		return 0;
	if (d->ctrl_n == NV_CTRL_QUEUE) {
		nv_log(d, "control queue full: message of %u bytes lost", len);
		return -ENOSPC;
	}
	slot = (d->ctrl_head + d->ctrl_n) % NV_CTRL_QUEUE;
	memcpy(d->ctrl_q[slot], msg, len);
	d->ctrl_len[slot] = len;
	d->ctrl_n++;
	return 0;
}

int
nv_ctrl_flush(struct netvsp_dev *d)
{
	int n = 0;

	while (d->ctrl_n != 0) {
		uint32_t h = d->ctrl_head;

		if (nv_ctrl_send_one(d, d->ctrl_q[h], d->ctrl_len[h]) != 0)
			break;
		d->ctrl_head = (h + 1) % NV_CTRL_QUEUE;
		d->ctrl_n--;
		n++;
	}
	return n;
}

/* ---- data delivery ---- */

bool
nv_rx_filter_pass(const struct netvsp_dev *d, const uint8_t *dst)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint32_t f = d->filter;

	if (f & RNDIS_PACKET_FILTER_PROMISCUOUS)
		return true;
	if (dst[0] & 1) {
		if (memcmp(dst, bcast, 6) == 0)
			return (f & RNDIS_PACKET_FILTER_BROADCAST) != 0;
		/* No multicast list on the synthetic path: the MULTICAST
		 * bit passes every group, as ALL_MULTICAST does. */
		return (f & (RNDIS_PACKET_FILTER_MULTICAST |
			     RNDIS_PACKET_FILTER_ALL_MULTICAST)) != 0;
	}
	return (f & RNDIS_PACKET_FILTER_DIRECTED) &&
		memcmp(dst, d->mac, 6) == 0;
}

/* Of the checksums the host itself filled in (TX offload, LSO), the
 * results the guest asked to hear about (TCP_OFFLOAD_PARAMETERS): with its
 * receive checksum offload off it is told nothing, as nv_rx_csum_verify()
 * tells it nothing. */
static uint32_t
nv_rx_csum_known(const struct netvsp_dev *d, const uint8_t *frame,
		 uint32_t len, uint32_t good)
{
	const struct nv_offload *o = &d->off;
	uint16_t et = 0;
	bool v6;

	if (nv_l3_offset(frame, len, &et) == 0)
		return 0;
	v6 = et == HV_ETHERTYPE_IPV6;
	return good & ((!v6 && o->rx_ip4 ? RNDIS_RXCSUM_IP_OK : 0) |
		       ((v6 ? o->rx_tcp6 : o->rx_tcp4) ?
			RNDIS_RXCSUM_TCP_OK : 0) |
		       ((v6 ? o->rx_udp6 : o->rx_udp4) ?
			RNDIS_RXCSUM_UDP_OK : 0));
}

/* Write one frame into a section of @p ch's batch. */
static inline __attribute__((always_inline)) int
nv_rx_write(struct netvsp_dev *d, struct nv_chan *ch, const uint8_t *data,
	    uint32_t len, bool strip, bool vlan, uint16_t tci, uint32_t csum,
	    uint32_t hash, uint32_t htype)
{
	uint32_t flen = strip ? len - 4 : len, sec, off;
	const struct nv_rx_tmpl *t;
	uint8_t *p;

	if (ch->n_rng == NV_RX_BATCH_MAX && nv_rx_flush(d, ch) != 0) {
		d->stats.rx_dropped++;
		return -ENOBUFS;
	}
	sec = nv_rx_sec_get(d, false);
	if (sec == UINT32_MAX) {
		d->stats.rx_dropped++;
		return -ENOBUFS;
	}
	t = &d->rx.tmpl[(vlan ? NV_TMPL_VLAN : 0) |
			(htype != 0 ? NV_TMPL_HASH : 0)];
	p = nv_rx_sec_ptr(d, sec);
	/* The size check above keeps header + frame inside the section. */
	memcpy(p, t->hdr, t->len);
	off = t->len;
	nv_put_u32(p, offsetof(struct rndis_packet, msg_len), off + flen);
	nv_put_u32(p, offsetof(struct rndis_packet, data_len), flen);
	nv_put_u32(p, t->csum_at, csum);
	if (vlan)
		nv_put_u32(p, t->vlan_at, rndis_vlan_from_tci(tci));
	if (htype != 0) {
		nv_put_u32(p, t->hash_at, hash);
		nv_put_u32(p, t->hinfo_at, NDIS_HASH_FUNCTION_TOEPLITZ | htype);
	}
	if (strip) {
		memcpy(p + off, data, 12);
		memcpy(p + off + 12, data + 16, len - 16);
	} else {
		memcpy(p + off, data, flen);
	}
	ch->rng_bytes += flen;
	if (nv_hostile_on(d, HVSIM_HOSTILE_RNDIS))
		nv_hostile_rndis_pkt(d, p, off + flen);
	nv_rx_batch_add(d, ch, sec, off + flen);
	return 0;
}

int
nv_rx_put(struct netvsp_dev *d, struct nv_chan *ch, const uint8_t *data,
	  uint32_t len, bool strip, bool vlan, uint16_t tci, uint32_t csum,
	  uint32_t hash, uint32_t htype)
{
	return nv_rx_write(d, ch, data, len, strip, vlan, tci, csum, hash,
			   htype);
}

int
nv_rx_deliver(struct netvsp_dev *d, const struct nv_frame *f)
{
	uint32_t q = f->src_queue, hash = 0, htype = 0, csum, flen;
	uint32_t size = d->rx.sec_size;
	const uint8_t *data = f->data;
	bool vlan = f->has_vlan, strip = false;
	uint16_t tci = f->vlan_tci;
	struct nv_chan *ch;

	if (!nv_rx_ready(d) || f->len < 14) {
		d->stats.rx_dropped++;
		return -EPERM;
	}
	if (!nv_rx_filter_pass(d, data))
		return -EPERM;
	/* The guest gets the tag in a PPI, never in the frame. */
	if (!vlan && f->len >= HV_ETH_HLEN + HV_VLAN_HLEN &&
	    hv_get_be16(data + 12) == HV_ETHERTYPE_VLAN) {
		tci = hv_get_be16(data + 14);
		vlan = true;
		strip = true;
	}
	flen = strip ? f->len - 4 : f->len;
	if (flen > size - NV_RX_MSG_OVERHEAD) {
		d->stats.rx_dropped++;
		nv_log_dp(d, "frame of %u bytes exceeds the %u-byte section",
			  flen, size);
		return -EPERM;
	}
	if (d->rss.enabled)
		q = nv_rss_pick(d, data, f->len, &hash, &htype);
	ch = nv_rx_chan(d, q);
	csum = f->csum_good != 0 ?
		nv_rx_csum_known(d, data, f->len, f->csum_good) : 0;
	if (csum == 0)
		csum = nv_rx_csum_verify(d, data, f->len);
	/* Tagged frames are never coalesced: the unit has one tag PPI. */
	if (d->coalesce != NULL && !vlan &&
	    d->coalesce(d, ch, data, f->len, csum, hash, htype) == 0)
		return 0;
	return nv_rx_write(d, ch, data, f->len, strip, vlan, tci, csum, hash,
			   htype);
}

