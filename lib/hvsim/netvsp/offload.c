/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * What a NIC does for the guest on frames: IPv4 header, TCP and UDP
 * checksums on transmit (as the checksum PPI asks), their verification on
 * receive (for the receive checksum PPI), TCP segmentation of LSO frames
 * (each segment goes where the caller says) and the 802.1Q tag put back
 * for a wire-format copy. Frame bytes come from the guest: every header
 * length is checked against the frame before use. Nothing here sends: the
 * functions work on frames only.
 *
 * Sums are taken over 16-bit words in memory order; a ones' complement
 * sum is byte-order independent, so the folded result stored with a
 * plain memcpy is already in network order.
 */

#include <errno.h>
#include <string.h>

#include "hv_wire.h"
#include "netvsp_priv.h"

#define TCP_FIN		0x01
#define TCP_PSH		0x08
#define TCP_CWR		0x80
/* LSO bounds: segments per frame, smallest MSS accepted. */
#define NV_LSO_MAX_SEGS	1024
#define NV_LSO_MIN_MSS	64

uint32_t
nv_csum_partial(const void *buf, uint32_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = sum;
	uint32_t w;
	uint16_t h;

	while (len >= 4) {
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		len -= 2;
	}
	if (len != 0) {
		/* A trailing odd byte is the high byte of a zero-padded
		 * word in network order: the low byte in memory order. */
		acc += *p;
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t
nv_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint32_t
nv_l3_offset(const uint8_t *frame, uint32_t len, uint16_t *etype)
{
	uint32_t off = 14;
	uint16_t et;

	if (len < 14)
		return 0;
	et = hv_get_be16(frame + 12);
	if (et == HV_ETHERTYPE_VLAN || et == HV_ETHERTYPE_QINQ) {
		if (len < 18)
			return 0;
		et = hv_get_be16(frame + 16);
		off = 18;
	}
	*etype = et;
	return off;
}

/* Where the L4 header of an IP packet at @p l3 starts, its protocol and the
 * L4 length the IP header announces (bounded by the frame). */
struct nv_l4 {
	bool v6;
	uint32_t l3, l4, l4_len, ihl;
	uint8_t proto;
};

static int
nv_parse_l4(const uint8_t *f, uint32_t len, struct nv_l4 *x)
{
	uint16_t et;
	uint32_t l3 = nv_l3_offset(f, len, &et), end;

	if (l3 == 0)
		return -EINVAL;
	x->l3 = l3;
	if (et == HV_ETHERTYPE_IPV4) {
		uint32_t tot;

		if (len - l3 < 20 || (f[l3] >> 4) != 4)
			return -EINVAL;
		x->v6 = false;
		x->ihl = (uint32_t)(f[l3] & 0xf) * 4;
		tot = hv_get_be16(f + l3 + 2);
		if (x->ihl < 20 || tot < x->ihl || tot > len - l3)
			return -EINVAL;
		x->proto = f[l3 + 9];
		x->l4 = l3 + x->ihl;
		x->l4_len = tot - x->ihl;
		/* Fragments carry no complete L4 header to checksum. */
		if (hv_get_be16(f + l3 + 6) & 0x3fff)
			x->proto = 0;
		return 0;
	}
	if (et == HV_ETHERTYPE_IPV6) {
		uint32_t pos = l3 + 40;
		uint8_t nh;

		if (len - l3 < 40 || (f[l3] >> 4) != 6)
			return -EINVAL;
		x->v6 = true;
		x->ihl = 40;
		end = l3 + 40 + hv_get_be16(f + l3 + 4);
		if (end > len)
			return -EINVAL;
		nh = f[l3 + 6];
		/* Hop-by-hop, routing, destination options. */
		while (nh == 0 || nh == 43 || nh == 60) {
			if (end - pos < 8)
				return -EINVAL;
			nh = f[pos];
			pos += ((uint32_t)f[pos + 1] + 1) * 8;
			if (pos > end)
				return -EINVAL;
		}
		x->proto = nh;
		x->l4 = pos;
		x->l4_len = end - pos;
		return 0;
	}
	return -EINVAL;
}

/* Pseudo-header sum for an L4 checksum. */
static uint32_t
nv_pseudo(const uint8_t *f, const struct nv_l4 *x)
{
	uint8_t tail[4] = { 0, x->proto, 0, 0 };
	uint32_t sum;

	hv_put_be16(tail + 2, (uint16_t)x->l4_len);
	if (x->v6)
		sum = nv_csum_partial(f + x->l3 + 8, 32, 0);
	else
		sum = nv_csum_partial(f + x->l3 + 12, 8, 0);
	/* {0, proto, length}: the IPv4 layout; for IPv6 the 32-bit length
	 * and next-header fields sum to the same words (lengths < 64 KiB). */
	return nv_csum_partial(tail, 4, sum);
}

/* Fill the L4 checksum at @p field_off (from the L4 start). */
static void
nv_l4_fill(uint8_t *f, const struct nv_l4 *x, uint32_t field_off, bool udp)
{
	uint16_t c;

	memset(f + x->l4 + field_off, 0, 2);
	c = (uint16_t)~nv_csum_fold(nv_csum_partial(f + x->l4, x->l4_len,
						    nv_pseudo(f, x)));
	if (udp && c == 0)
		c = 0xffff;	/* 0 means "no checksum" for UDP */
	memcpy(f + x->l4 + field_off, &c, 2);
}

static void
nv_ip4_fill(uint8_t *f, const struct nv_l4 *x)
{
	uint16_t c;

	memset(f + x->l3 + 10, 0, 2);
	c = (uint16_t)~nv_csum_fold(nv_csum_partial(f + x->l3, x->ihl, 0));
	memcpy(f + x->l3 + 10, &c, 2);
}

int
nv_tx_csum(uint8_t *frame, uint32_t len, uint32_t ppi)
{
	struct nv_l4 x;
	uint32_t good = 0;

	if ((ppi & (RNDIS_TXCSUM_TCP | RNDIS_TXCSUM_UDP | RNDIS_TXCSUM_IP_HDR))
	    == 0)
		return 0;
	if (nv_parse_l4(frame, len, &x) != 0)
		return -EINVAL;
	if ((ppi & RNDIS_TXCSUM_IPV4) && x.v6)
		return -EINVAL;
	if ((ppi & RNDIS_TXCSUM_IPV6) && !x.v6)
		return -EINVAL;
	if (ppi & RNDIS_TXCSUM_IP_HDR) {
		if (x.v6)
			return -EINVAL;
		nv_ip4_fill(frame, &x);
		good |= RNDIS_RXCSUM_IP_OK;
	}
	if (ppi & RNDIS_TXCSUM_TCP) {
		if (x.proto != HV_IPPROTO_TCP || x.l4_len < 20)
			return -EINVAL;
		nv_l4_fill(frame, &x, 16, false);
		good |= RNDIS_RXCSUM_TCP_OK;
	} else if (ppi & RNDIS_TXCSUM_UDP) {
		if (x.proto != HV_IPPROTO_UDP || x.l4_len < 8)
			return -EINVAL;
		nv_l4_fill(frame, &x, 6, true);
		good |= RNDIS_RXCSUM_UDP_OK;
	}
	return (int)good;
}

uint32_t
nv_rx_csum_verify(const struct netvsp_dev *d, const uint8_t *frame,
		  uint32_t len)
{
	const struct nv_offload *o = &d->off;
	uint32_t res = 0;
	struct nv_l4 x;
	bool tcp_on, udp_on;

	if (nv_parse_l4(frame, len, &x) != 0)
		return 0;
	if (!x.v6 && o->rx_ip4)
		res |= nv_csum_fold(nv_csum_partial(frame + x.l3, x.ihl, 0))
			== 0xffff ? RNDIS_RXCSUM_IP_OK : RNDIS_RXCSUM_IP_FAILED;
	tcp_on = x.v6 ? o->rx_tcp6 : o->rx_tcp4;
	udp_on = x.v6 ? o->rx_udp6 : o->rx_udp4;
	if (x.proto == HV_IPPROTO_TCP && tcp_on && x.l4_len >= 20) {
		res |= nv_csum_fold(nv_csum_partial(frame + x.l4, x.l4_len,
						    nv_pseudo(frame, &x)))
			== 0xffff ? RNDIS_RXCSUM_TCP_OK :
			RNDIS_RXCSUM_TCP_FAILED;
	} else if (x.proto == HV_IPPROTO_UDP && udp_on && x.l4_len >= 8) {
		uint16_t c;

		memcpy(&c, frame + x.l4 + 6, 2);
		if (c == 0 && !x.v6)
			res |= RNDIS_RXCSUM_UDP_OK;	/* no checksum */
		else
			res |= nv_csum_fold(nv_csum_partial(frame + x.l4,
					x.l4_len, nv_pseudo(frame, &x)))
				== 0xffff ? RNDIS_RXCSUM_UDP_OK :
				RNDIS_RXCSUM_UDP_FAILED;
	}
	return res;
}

int
nv_tx_lso(struct netvsp_dev *d, const struct nv_frame *f, uint32_t ppi,
	  nv_frame_out_t out_fn)
{
	uint32_t mss = ppi & RNDIS_LSO2_MSS_MASK, hdr, thl, payload, done;
	uint32_t tcp_off = (ppi >> RNDIS_LSO2_TCP_OFF_SHIFT) &
		RNDIS_LSO2_TCP_OFF_MASK;
	const uint8_t *in = f->data;
	uint32_t seq, i, nseg;
	uint16_t ip_id;
	struct nv_l4 x;

	if (nv_parse_l4(in, f->len, &x) != 0 || x.proto != HV_IPPROTO_TCP ||
	    x.v6 != !!(ppi & RNDIS_LSO2_IPV6) || x.l4_len < 20)
		return -EINVAL;
	if (tcp_off != 0 && tcp_off != x.l4)
		return -EINVAL;
	thl = (uint32_t)(in[x.l4 + 12] >> 4) * 4;
	if (thl < 20 || thl > x.l4_len)
		return -EINVAL;
	hdr = x.l4 + thl;
	payload = x.l4_len - thl;
	if (mss < NV_LSO_MIN_MSS || payload / mss >= NV_LSO_MAX_SEGS)
		return -EINVAL;
	nseg = payload == 0 ? 1 : (payload + mss - 1) / mss;
	seq = hv_get_be32(in + x.l4 + 4);
	ip_id = x.v6 ? 0 : hv_get_be16(in + x.l3 + 4);

	for (i = 0, done = 0; i < nseg; i++) {
		uint32_t seg = payload - done < mss ? payload - done : mss;
		uint8_t *out = d->segbuf;
		struct nv_frame sf = *f;
		struct nv_l4 sx = x;
		uint32_t s = seq + done;

		memcpy(out, in, hdr);
		memcpy(out + hdr, in + hdr + done, seg);
		sx.l4_len = thl + seg;
		if (x.v6) {
			hv_put_be16(out + x.l3 + 4,
				    (uint16_t)(x.l4 - x.l3 - 40 + sx.l4_len));
		} else {
			hv_put_be16(out + x.l3 + 2,
				    (uint16_t)(x.ihl + sx.l4_len));
			hv_put_be16(out + x.l3 + 4, (uint16_t)(ip_id + i));
			nv_ip4_fill(out, &sx);
		}
		hv_put_be32(out + x.l4 + 4, s);
		if (i + 1 != nseg)
			out[x.l4 + 13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (i != 0)
			out[x.l4 + 13] &= (uint8_t)~TCP_CWR;
		nv_l4_fill(out, &sx, 16, false);
		sf.data = out;
		sf.len = hdr + seg;
		sf.csum_good = RNDIS_RXCSUM_TCP_OK |
			(x.v6 ? 0 : RNDIS_RXCSUM_IP_OK);
		out_fn(d, &sf);
		done += seg;
	}
	return 0;
}

uint32_t
nv_frame_tagged(const struct nv_frame *f, uint8_t *out, uint32_t cap)
{
	uint32_t len = f->len;

	if (!f->has_vlan) {
		if (len > cap)
			len = cap;
		memcpy(out, f->data, len);
		return len;
	}
	if (len < 12 || len + 4 > cap)
		return 0;
	memcpy(out, f->data, 12);
	out[12] = 0x81;
	out[13] = 0x00;
	out[14] = (uint8_t)(f->vlan_tci >> 8);
	out[15] = (uint8_t)f->vlan_tci;
	memcpy(out + 16, f->data + 12, len - 12);
	return len + 4;
}
