/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Receive segment coalescing, as the vSwitch does it for a guest that
 * enabled it (NVSP 6.1, NDIS_CONFIG's RSC bit, rsc_ip4/rsc_ip6 in the
 * offload parameters; protocol.rst 5.3, 6.4, 6.7): consecutive TCP
 * segments of one flow bound for one channel become one TCP packet
 * (headers of the first, payloads in sequence, IP length and checksums
 * made whole). Too big for one receive section, it goes out as fragments,
 * one per section, in consecutive ranges of one transfer-page packet; each
 * fragment is an RNDIS PACKET whose packet-info-id PPI says first, middle
 * or last; the first also carries the checksum and hash PPIs. A unit of
 * one segment goes out as the plain frame it was.
 *
 * What is coalesced: IPv4 without options or fragmentation, or IPv6 with
 * TCP as the next header; flags ACK (and PSH, which ends the unit); some
 * payload; a TCP checksum the host knows to be good; the same addresses,
 * ports, acknowledgement number and TCP options as the unit, and the
 * sequence number that continues it. Anything else ends the unit first.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hv_wire.h"
#include "netvsp_priv.h"

/* Largest coalesced frame: the IPv4 total length field's limit. */
#define NV_RSC_BUF	(HV_ETH_HLEN + 65535u)
/* Most fragments in a unit, the guest's limit (protocol.rst 5.5). */
#define NV_RSC_MAX_FRAGS	562u

#define TCP_FIN	0x01
#define TCP_SYN	0x02
#define TCP_RST	0x04
#define TCP_PSH	0x08
#define TCP_ACK	0x10

/* A segment's layout, when it is one RSC may take. */
struct nv_seg {
	bool v6;
	uint32_t l4, hdr, payload, seq;
	uint8_t flags;
};

static bool
nv_rsc_parse(const struct netvsp_dev *d, const uint8_t *f, uint32_t len,
	     uint32_t csum, struct nv_seg *s)
{
	uint32_t l3 = HV_ETH_HLEN, l4, end, thl;

	if (len < l3 + 20 || !(csum & RNDIS_RXCSUM_TCP_OK))
		return false;
	switch (hv_get_be16(f + 12)) {
	case HV_ETHERTYPE_IPV4:
		if (!d->off.rsc4 || f[l3] != 0x45 || f[l3 + 9] != HV_IPPROTO_TCP ||
		    (hv_get_be16(f + l3 + 6) & 0x3fff) != 0)
			return false;
		end = l3 + hv_get_be16(f + l3 + 2);
		l4 = l3 + 20;
		s->v6 = false;
		break;
	case HV_ETHERTYPE_IPV6:
		if (!d->off.rsc6 || len < l3 + 40 || (f[l3] >> 4) != 6 ||
		    f[l3 + 6] != HV_IPPROTO_TCP)
			return false;
		end = l3 + 40 + hv_get_be16(f + l3 + 4);
		l4 = l3 + 40;
		s->v6 = true;
		break;
	default:
		return false;
	}
	if (end > len || end < l4 + 20)
		return false;
	thl = (uint32_t)(f[l4 + 12] >> 4) * 4;
	s->flags = f[l4 + 13];
	if (thl < 20 || l4 + thl >= end || !(s->flags & TCP_ACK) ||
	    (s->flags & ~(TCP_ACK | TCP_PSH)) != 0)
		return false;
	s->l4 = l4;
	s->hdr = l4 + thl;
	s->payload = end - s->hdr;
	s->seq = hv_get_be32(f + l4 + 4);
	return true;
}

/* Same flow, next in sequence, room left. */
static bool
nv_rsc_fits(const struct nv_rsc *r, const uint8_t *f, const struct nv_seg *s)
{
	const uint8_t *u = r->buf;

	if (r->len == 0 || s->v6 != r->v6 || s->hdr != r->hdr ||
	    s->seq != r->next_seq || r->len + s->payload > NV_RSC_BUF)
		return false;
	/* IPv4: TOS, TTL and addresses; IPv6: class, flow, hop limit and
	 * addresses. Then ports, acknowledgement and options. */
	if (!s->v6 ? (u[15] != f[15] || u[22] != f[22] ||
		      memcmp(u + 26, f + 26, 8) != 0) :
		     (memcmp(u + 14, f + 14, 4) != 0 || u[21] != f[21] ||
		      memcmp(u + 22, f + 22, 32) != 0))
		return false;
	return memcmp(u + s->l4, f + s->l4, 4) == 0 &&
		memcmp(u + s->l4 + 8, f + s->l4 + 8, 4) == 0 &&
		memcmp(u + s->l4 + 20, f + s->l4 + 20, s->hdr - s->l4 - 20) ==
		0;
}

static void
nv_rsc_start(struct nv_rsc *r, const uint8_t *f, const struct nv_seg *s,
	     uint32_t csum, uint32_t hash, uint32_t htype)
{
	memcpy(r->buf, f, s->hdr + s->payload);
	r->len = s->hdr + s->payload;
	r->segs = 1;
	r->l4 = s->l4;
	r->hdr = s->hdr;
	r->v6 = s->v6;
	r->next_seq = s->seq + s->payload;
	r->csum = csum;
	r->hash = hash;
	r->htype = htype;
}

int
nv_rsc_add(struct netvsp_dev *d, struct nv_chan *ch, const uint8_t *data,
	   uint32_t len, uint32_t csum, uint32_t hash, uint32_t htype)
{
	struct nv_rsc *r = &ch->rsc;
	struct nv_seg s;

	if (!nv_rsc_parse(d, data, len, csum, &s)) {
		nv_rsc_flush(d, ch);
		return 1;
	}
	if (r->buf == NULL) {
		r->buf = malloc(NV_RSC_BUF);
		if (r->buf == NULL)
			return 1;
	}
	if (nv_rsc_fits(r, data, &s)) {
		memcpy(r->buf + r->len, data + s.hdr, s.payload);
		r->len += s.payload;
		r->segs++;
		r->next_seq += s.payload;
		/* The latest window and a PSH are the unit's. */
		memcpy(r->buf + r->l4 + 14, data + s.l4 + 14, 2);
		r->buf[r->l4 + 13] |= s.flags & TCP_PSH;
	} else {
		nv_rsc_flush(d, ch);
		nv_rsc_start(r, data, &s, csum, hash, htype);
	}
	if (s.flags & TCP_PSH)
		nv_rsc_flush(d, ch);
	return 0;
}

/* Headers of the coalesced packet made whole: lengths, checksums. */
static uint32_t
nv_rsc_finish(struct nv_rsc *r)
{
	uint8_t *u = r->buf;
	int good;

	if (r->v6)
		hv_put_be16(u + HV_ETH_HLEN + 4,
			    (uint16_t)(r->len - HV_ETH_HLEN - 40));
	else
		hv_put_be16(u + HV_ETH_HLEN + 2,
			    (uint16_t)(r->len - HV_ETH_HLEN));
	good = nv_tx_csum(u, r->len, (r->v6 ? RNDIS_TXCSUM_IPV6 :
				      RNDIS_TXCSUM_IPV4 | RNDIS_TXCSUM_IP_HDR) |
			  RNDIS_TXCSUM_TCP);
	return good > 0 ? (uint32_t)good & r->csum : 0;
}

/* Fragment @p k of @p n: its packet-info-id flags, spoiled on request. */
static uint32_t
nv_rsc_flags(uint32_t k, uint32_t n, uint32_t mangle)
{
	uint32_t fl = RNDIS_PKTINFO_MULTI_SUBALLOC;

	if (k == 0 && mangle != HVSIM_RSC_NO_FIRST + 1)
		fl |= RNDIS_PKTINFO_FIRST_FRAG;
	if (k == 1 && mangle == HVSIM_RSC_TWO_FIRST + 1)
		fl |= RNDIS_PKTINFO_FIRST_FRAG;
	if (k == n - 1 && mangle != HVSIM_RSC_NO_LAST + 1)
		fl |= RNDIS_PKTINFO_LAST_FRAG;
	return fl;
}

/* Bytes of frame one fragment holds: the section less header and PPIs. */
static uint32_t
nv_rsc_room(const struct netvsp_dev *d, bool first, uint32_t htype)
{
	uint32_t ppis = first ? (htype != 0 ? 4 : 2) : 1;
	uint32_t over = (uint32_t)sizeof(struct rndis_packet) +
		ppis * (uint32_t)RNDIS_PPI_U32_SIZE;

	return d->rx.sec_size > over ? d->rx.sec_size - over : 0;
}

static int
nv_rsc_frag(struct netvsp_dev *d, struct nv_chan *ch, const struct nv_rsc *r,
	    uint32_t pos, uint32_t n_bytes, uint32_t k, uint32_t flags,
	    uint32_t csum)
{
	uint32_t sec = nv_rx_sec_get(d, false), size = d->rx.sec_size;
	uint8_t *p;
	int off;

	if (sec == UINT32_MAX)
		return -ENOBUFS;
	p = nv_rx_sec_ptr(d, sec);
	if (rndis_packet_begin(p, size) != 0 ||
	    (k == 0 && rndis_packet_add_ppi_u32(p, size, RNDIS_PPI_CSUM,
						csum) != 0) ||
	    (k == 0 && r->htype != 0 &&
	     (rndis_packet_add_ppi_u32(p, size, RNDIS_PPI_HASH_VALUE,
				       r->hash) != 0 ||
	      rndis_packet_add_ppi_u32(p, size, RNDIS_PPI_HASH_INFO,
				       NDIS_HASH_FUNCTION_TOEPLITZ |
				       r->htype) != 0)) ||
	    rndis_packet_add_ppi_u32(p, size, RNDIS_PPI_PKTINFO_ID,
				     RNDIS_PKTINFO_ID_VERSION | flags << 8 |
				     (uint32_t)r->pkt_id << 16) != 0)
		return -EINVAL;
	off = rndis_packet_end(p, size, 0, n_bytes, 0);
	if (off < 0)
		return off;
	memcpy(p + off, r->buf + pos, n_bytes);
	ch->rng_bytes += n_bytes;
	nv_rx_batch_add(d, ch, sec, (uint32_t)off + n_bytes);
	return 0;
}

void
nv_rsc_flush(struct netvsp_dev *d, struct nv_chan *ch)
{
	struct nv_rsc *r = &ch->rsc;
	uint32_t mangle, csum, first, mid, n, k, pos, take;

	if (r->len == 0)
		return;
	if (r->segs == 1) {
		r->len = 0;
		nv_rx_put(d, ch, r->buf, r->len, false, false, 0, r->csum,
			  r->hash, r->htype);
		return;
	}
	mangle = __atomic_exchange_n(&d->mb.rsc_mangle, 0, __ATOMIC_ACQ_REL);
	csum = nv_rsc_finish(r);
	if (mangle == HVSIM_RSC_BAD_LEN + 1)
		hv_put_be16(r->buf + HV_ETH_HLEN + (r->v6 ? 4 : 2),
			    (uint16_t)(hv_get_be16(r->buf + HV_ETH_HLEN +
						   (r->v6 ? 4 : 2)) + 8));
	first = nv_rsc_room(d, true, r->htype);
	mid = nv_rsc_room(d, false, 0);
	if (mangle == HVSIM_RSC_TINY_FIRST + 1)
		first = 20;
	if (first == 0 || mid == 0)
		goto drop;
	n = 1 + (r->len > first ? (r->len - first + mid - 1) / mid : 0);
	if (n > NV_RSC_MAX_FRAGS || n > NV_RX_BATCH_MAX ||
	    d->rx.n_free < n + NV_RX_CTRL_RESERVE)
		goto drop;
	/* All fragments in one transfer-page packet: make room first. */
	if (ch->n_rng + n > NV_RX_BATCH_MAX && nv_rx_flush(d, ch) != 0)
		goto drop;
	r->pkt_id++;
	for (k = 0, pos = 0; k < n; k++, pos += take) {
		take = k == 0 ? first : mid;
		if (take > r->len - pos)
			take = r->len - pos;
		if (nv_rsc_frag(d, ch, r, pos, take, k,
				nv_rsc_flags(k, n, mangle), csum) != 0)
			goto drop;
		if (k == 0 && mangle == HVSIM_RSC_SPLIT + 1)
			nv_rx_flush(d, ch);
	}
	/* One packet, not n: the batch counted each fragment. */
	ch->rng_pkts -= n - 1;
	d->stats.rsc_pkts++;
	d->stats.rsc_segs += r->segs;
	d->stats.rsc_frags += n;
	r->len = 0;
	return;
drop:
	/* Fragments already in the batch go out; the guest drops the
	 * incomplete unit. */
	d->stats.rx_dropped++;
	r->len = 0;
}

void
nv_rsc_fini(struct nv_chan *ch)
{
	free(ch->rsc.buf);
	memset(&ch->rsc, 0, sizeof(ch->rsc));
}

int
hvsim_netvsp_rsc_mangle(struct hvsim *h, unsigned int nic,
			enum hvsim_netvsp_rsc_mangle kind)
{
	struct netvsp_dev *d = h != NULL ? nv_dev_lookup(h, nic) : NULL;

	if (d == NULL)
		return -ENODEV;
	if ((unsigned int)kind > HVSIM_RSC_TINY_FIRST)
		return -EINVAL;
	__atomic_store_n(&d->mb.rsc_mangle, (uint32_t)kind + 1,
			 __ATOMIC_RELEASE);
	return 0;
}
