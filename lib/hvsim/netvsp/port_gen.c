/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Generator / sink port. The generator sends UDP/IPv4 frames of one size
 * over a number of flows (source address and port vary, so RSS spreads
 * them), paced to a rate or as fast as the guest frees receive sections.
 * Each flow's whole receive-section image (RNDIS header, PPIs, frame) is
 * built once per configuration change; per packet the host copies the
 * image into a section, stamps the send time into the payload and patches
 * the UDP checksum incrementally: no parsing, hashing or division on the
 * hot path. The sink counts what the guest sends and, for frames carrying
 * the generator's stamp (a guest that bounces them back), the round-trip
 * latency.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hv_wire.h"
#include "netvsp_priv.h"

#define NV_GEN_MAX_FLOWS	4096
/* Frames per host iteration when not paced: enough to fill big batches on
 * every queue, small enough to keep the host responsive. */
#define NV_GEN_BUDGET		4096
/* Frames of the generator the guest may hold at once: like a NIC's receive
 * ring, it bounds how far the guest's transmit completions queue behind
 * generated frames in the host -> guest ring (the ring is FIFO). */
#define NV_GEN_INFLIGHT		4096
/* Payload: magic, send time (ns), then a fill pattern. */
static const uint8_t nv_gen_magic[8] = { 'H', 'V', 'S', 'I', 'M', 'G', 'E',
					 'N' };
#define NV_GEN_L3		HV_ETH_HLEN
#define NV_GEN_L4		(NV_GEN_L3 + HV_IPV4_MIN_HLEN)
#define NV_GEN_PAYLOAD		(NV_GEN_L4 + HV_UDP_HLEN)
#define NV_GEN_TS_OFF		(NV_GEN_PAYLOAD + 8)
#define NV_GEN_MIN_FRAME	(NV_GEN_TS_OFF + 8)
/* Bytes 12-14 of its frames read as one little-endian word: ethertype
 * 08 00 (IPv4), version 4 with a 20-byte header (0x45). */
#define NV_GEN_ETH_IP45		0x450008u

struct nv_gen_flow {
	uint32_t queue;
	uint32_t img_len;
	uint32_t ts_off;	/**< in the image */
	uint32_t csum_off;
	uint32_t base_sum;	/**< UDP sum with a zero timestamp */
};

struct nv_gen {
	struct hvsim_gen_config cfg;
	uint32_t n_flows;
	uint32_t next;
	uint32_t stride;
	uint8_t *img;
	struct nv_gen_flow *flow;
	uint8_t *frame;
	bool built;
	bool too_big_logged;
	uint32_t built_gen;
	uint64_t sent;
	uint64_t tokens;
	uint64_t acc;		/**< pacing remainder, pps x ns */
	uint64_t last_ns;
	/* sink */
	uint64_t lat_n, lat_sum, lat_min, lat_max;
	/* closed loop (cfg.window) */
	uint64_t back;		/**< our frames the sink saw */
	uint64_t lost;		/**< written off: never came back */
	uint64_t stall_ns;	/**< window full since, 0 = not full */
	uint64_t stall_back;	/**< back when it filled */
};

/* A full window without progress for this long: what is out is lost
 * (unless the configuration says otherwise). */
#define NV_GEN_WINDOW_STALL_MS	200u

int
nv_gen_init(struct netvsp_dev *d, const struct hvsim_gen_config *cfg)
{
	struct nv_gen *g;

	if (cfg->frame_len == 0) {
		/* A pure sink: counters and latency only. */
		g = calloc(1, sizeof(*g));
		if (g == NULL)
			return -ENOMEM;
		g->cfg = *cfg;
		g->lat_min = UINT64_MAX;
		d->gen = g;
		return 0;
	}
	if (cfg->frame_len < 60 || cfg->frame_len > 9014) {
		nv_log(d, "generator frame length %u outside 60..9014",
		       cfg->frame_len);
		return -EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	g->cfg = *cfg;
	g->n_flows = cfg->flows == 0 ? 1 : cfg->flows;
	if (g->n_flows > NV_GEN_MAX_FLOWS)
		g->n_flows = NV_GEN_MAX_FLOWS;
	g->stride = (uint32_t)(sizeof(struct rndis_packet) +
			       4 * RNDIS_PPI_U32_SIZE + cfg->frame_len + 63) &
		~63u;
	g->img = aligned_alloc(64, (size_t)g->stride * g->n_flows);
	g->flow = calloc(g->n_flows, sizeof(*g->flow));
	g->frame = malloc(cfg->frame_len);
	if (g->img == NULL || g->flow == NULL || g->frame == NULL) {
		free(g->img);
		free(g->flow);
		free(g->frame);
		free(g);
		return -ENOMEM;
	}
	g->lat_min = UINT64_MAX;
	d->gen = g;
	return 0;
}

void
nv_gen_fini(struct netvsp_dev *d)
{
	struct nv_gen *g = d->gen;

	if (g == NULL)
		return;
	free(g->img);
	free(g->flow);
	free(g->frame);
	free(g);
	d->gen = NULL;
}

/* The frame of flow @p i with a zero timestamp and valid checksums. */
static void
nv_gen_frame(const struct netvsp_dev *d, struct nv_gen *g, uint32_t i)
{
	uint32_t len = g->cfg.frame_len, k;
	uint8_t *f = g->frame;
	uint16_t c;

	memcpy(f, d->mac, 6);
	/* Locally administered source: never one of the host's NICs. */
	f[6] = 0x02;
	f[7] = 0x48;
	f[8] = 0x56;
	f[9] = 0x53;
	f[10] = 0x00;
	f[11] = 0x01;
	hv_put_be16(f + 12, HV_ETHERTYPE_IPV4);
	f[NV_GEN_L3] = 0x45;
	f[NV_GEN_L3 + 1] = 0;
	hv_put_be16(f + NV_GEN_L3 + 2, (uint16_t)(len - NV_GEN_L3));
	hv_put_be16(f + NV_GEN_L3 + 4, (uint16_t)i);
	hv_put_be16(f + NV_GEN_L3 + 6, 0x4000);	/* DF */
	f[NV_GEN_L3 + 8] = 64;
	f[NV_GEN_L3 + 9] = HV_IPPROTO_UDP;
	memset(f + NV_GEN_L3 + 10, 0, 2);
	f[NV_GEN_L3 + 12] = 10;			/* 10.<i>/16 -> 10.255.0.1 */
	f[NV_GEN_L3 + 13] = (uint8_t)(i >> 8);
	f[NV_GEN_L3 + 14] = (uint8_t)i;
	f[NV_GEN_L3 + 15] = 1;
	f[NV_GEN_L3 + 16] = 10;
	f[NV_GEN_L3 + 17] = 255;
	f[NV_GEN_L3 + 18] = 0;
	f[NV_GEN_L3 + 19] = 1;
	c = (uint16_t)~nv_csum_fold(nv_csum_partial(f + NV_GEN_L3, 20, 0));
	memcpy(f + NV_GEN_L3 + 10, &c, 2);
	hv_put_be16(f + NV_GEN_L4, (uint16_t)(1024 + (i & 0x7fff)));
	hv_put_be16(f + NV_GEN_L4 + 2, 5001);
	hv_put_be16(f + NV_GEN_L4 + 4, (uint16_t)(len - NV_GEN_L4));
	memset(f + NV_GEN_L4 + 6, 0, 2);
	memcpy(f + NV_GEN_PAYLOAD, nv_gen_magic, sizeof(nv_gen_magic));
	memset(f + NV_GEN_TS_OFF, 0, 8);
	for (k = NV_GEN_MIN_FRAME; k < len; k++)
		f[k] = (uint8_t)(k + i);
}

/* UDP sum (pseudo-header included) of the frame, folded, not inverted. */
static uint32_t
nv_gen_udp_sum(const struct nv_gen *g)
{
	const uint8_t *f = g->frame;
	uint32_t ulen = g->cfg.frame_len - NV_GEN_L4;
	uint8_t tail[4] = { 0, 17, (uint8_t)(ulen >> 8), (uint8_t)ulen };
	uint32_t sum;

	sum = nv_csum_partial(f + NV_GEN_L3 + 12, 8, 0);
	sum = nv_csum_partial(tail, 4, sum);
	sum = nv_csum_partial(f + NV_GEN_L4, ulen, sum);
	return nv_csum_fold(sum);
}

static int
nv_gen_build(struct netvsp_dev *d, struct nv_gen *g)
{
	uint32_t i, csum, size = g->stride;

	/* The frames are built with valid checksums: claim what the guest
	 * enabled receive checksum offload for. */
	csum = (d->off.rx_ip4 ? RNDIS_RXCSUM_IP_OK : 0) |
		(d->off.rx_udp4 ? RNDIS_RXCSUM_UDP_OK : 0);
	for (i = 0; i < g->n_flows; i++) {
		struct nv_gen_flow *fl = &g->flow[i];
		uint8_t *img = g->img + (size_t)i * size;
		uint32_t hash = 0, type = 0;
		int off;

		nv_gen_frame(d, g, i);
		fl->queue = d->rss.enabled ?
			nv_rss_pick(d, g->frame, g->cfg.frame_len, &hash,
				    &type) : 0;
		rndis_packet_begin(img, size);
		rndis_packet_add_ppi_u32(img, size, RNDIS_PPI_CSUM, csum);
		if (g->cfg.vlan)
			rndis_packet_add_ppi_u32(img, size, RNDIS_PPI_VLAN,
				rndis_vlan_from_tci(g->cfg.vlan_tci));
		if (type != 0) {
			rndis_packet_add_ppi_u32(img, size,
						 RNDIS_PPI_HASH_VALUE, hash);
			rndis_packet_add_ppi_u32(img, size,
				RNDIS_PPI_HASH_INFO,
				NDIS_HASH_FUNCTION_TOEPLITZ | type);
		}
		off = rndis_packet_end(img, size, 0, g->cfg.frame_len, 0);
		if (off < 0)
			return off;
		memcpy(img + off, g->frame, g->cfg.frame_len);
		fl->img_len = (uint32_t)off + g->cfg.frame_len;
		fl->ts_off = (uint32_t)off + NV_GEN_TS_OFF;
		fl->csum_off = (uint32_t)off + NV_GEN_L4 + 6;
		fl->base_sum = nv_gen_udp_sum(g);
	}
	g->built = true;
	g->built_gen = d->rx_gen;
	return 0;
}

/* Closed loop: no more frames out than the window. A guest that drops
 * some would close it for good; after a stall they are written off. */
static uint64_t
nv_gen_window(struct netvsp_dev *d, struct nv_gen *g, uint64_t budget)
{
	uint64_t out = g->sent - g->back - g->lost;
	uint64_t stall_ms = g->cfg.window_stall_ms != 0 ?
		g->cfg.window_stall_ms : NV_GEN_WINDOW_STALL_MS;

	if (out < g->cfg.window) {
		g->stall_ns = 0;
		return budget < g->cfg.window - out ?
			budget : g->cfg.window - out;
	}
	if (g->stall_ns == 0 || g->back != g->stall_back) {
		g->stall_ns = d->now_ns;
		g->stall_back = g->back;
		return 0;
	}
	if (d->now_ns - g->stall_ns < stall_ms * 1000000u)
		return 0;
	g->lost += out;
	g->stall_ns = 0;
	nv_log_dp(d, "generator window: %llu frames never came back to the "
		  "sink, written off", (unsigned long long)out);
	return budget < g->cfg.window ? budget : g->cfg.window;
}

/* How many frames this iteration may send. */
static uint64_t
nv_gen_budget(struct netvsp_dev *d, struct nv_gen *g)
{
	uint64_t budget = NV_GEN_BUDGET, el;

	if (g->cfg.rate_pps != 0) {
		if (g->last_ns == 0)
			g->last_ns = d->now_ns;
		el = d->now_ns - g->last_ns;
		g->last_ns = d->now_ns;
		if (el > 1000000000u)
			el = 1000000000u;
		/* One division per iteration, none per packet; the remainder
		 * carries over so slow iterations do not lose rate. */
		g->acc += el * g->cfg.rate_pps;
		g->tokens += g->acc / 1000000000u;
		g->acc %= 1000000000u;
		/* Burst bound: 1 ms worth, at least one batch. */
		if (g->tokens > g->cfg.rate_pps / 1000 + NV_RX_BATCH_MAX)
			g->tokens = g->cfg.rate_pps / 1000 + NV_RX_BATCH_MAX;
		budget = g->tokens < budget ? g->tokens : budget;
	}
	if (g->cfg.count != 0 && g->cfg.count - g->sent < budget)
		budget = g->cfg.count - g->sent;
	if (g->cfg.window != 0)
		budget = nv_gen_window(d, g, budget);
	return budget;
}

int
nv_gen_poll(struct netvsp_dev *d)
{
	struct nv_gen *g = d->gen;
	uint64_t budget, n = 0, stamp = d->now_ns;
	uint32_t tsum, len;
	uint16_t w[4];

	if (g == NULL || g->cfg.frame_len == 0 || !nv_rx_ready(d) ||
	    !nv_rx_filter_pass(d, d->mac))
		return 0;
	if (g->cfg.frame_len + sizeof(struct rndis_packet) +
	    4 * RNDIS_PPI_U32_SIZE > d->rx.sec_size) {
		if (!g->too_big_logged)
			nv_log(d, "generator frame of %u bytes does not fit "
			       "%u-byte receive sections", g->cfg.frame_len,
			       d->rx.sec_size);
		g->too_big_logged = true;
		return 0;
	}
	if ((!g->built || g->built_gen != d->rx_gen) &&
	    nv_gen_build(d, g) != 0)
		return 0;
	budget = nv_gen_budget(d, g);
	if (d->rx.sec_count - d->rx.n_free >= NV_GEN_INFLIGHT)
		return 0;
	if (budget > NV_GEN_INFLIGHT - (d->rx.sec_count - d->rx.n_free))
		budget = NV_GEN_INFLIGHT - (d->rx.sec_count - d->rx.n_free);
	memcpy(w, &stamp, sizeof(w));
	tsum = (uint32_t)w[0] + w[1] + w[2] + w[3];
	len = g->cfg.frame_len;

	while (n < budget) {
		const struct nv_gen_flow *fl = &g->flow[g->next];
		const uint8_t *img = g->img + (size_t)g->next * g->stride;
		struct nv_chan *ch = nv_rx_chan(d, fl->queue);
		uint32_t sec;
		uint16_t c;
		uint8_t *p;

		if (ch->n_rng == NV_RX_BATCH_MAX && nv_rx_flush(d, ch) != 0)
			break;
		sec = nv_rx_sec_get(d, false);
		if (sec == UINT32_MAX)
			break;
		p = nv_rx_sec_ptr(d, sec);
		memcpy(p, img, fl->img_len);
		memcpy(p + fl->ts_off, &stamp, sizeof(stamp));
		c = (uint16_t)~nv_csum_fold(fl->base_sum + tsum);
		if (c == 0)
			c = 0xffff;
		memcpy(p + fl->csum_off, &c, sizeof(c));
		ch->rng_bytes += len;
		nv_rx_batch_add(d, ch, sec, fl->img_len);
		if (++g->next == g->n_flows)
			g->next = 0;
		n++;
	}
	g->sent += n;
	if (g->cfg.rate_pps != 0)
		g->tokens -= n;
	return (int)(n != 0);
}

/* Send time of frame @p data if the generator made it, else 0. */
static inline uint64_t
nv_gen_stamp(const uint8_t *data, uint32_t len)
{
	uint32_t l3, l4, ihl;
	uint64_t ts, magic;
	uint16_t et;

	/* The generator's own layout first (untagged IPv4, no options):
	 * two byte compares instead of the general header walk. */
	if (len >= NV_GEN_MIN_FRAME &&
	    (hv_get_le32(data + 12) & 0xffffff) == NV_GEN_ETH_IP45) {
		l3 = NV_GEN_L3;
		l4 = NV_GEN_L4;
	} else {
		l3 = nv_l3_offset(data, len, &et);
		if (l3 == 0 || et != HV_ETHERTYPE_IPV4 ||
		    len < l3 + HV_IPV4_MIN_HLEN)
			return 0;
		ihl = (uint32_t)(data[l3] & 0xf) * 4;
		l4 = l3 + ihl;
		if (ihl < HV_IPV4_MIN_HLEN || len < l4 + HV_UDP_HLEN + 16)
			return 0;
	}
	memcpy(&magic, data + l4 + 8, sizeof(magic));
	if (data[l3 + 9] != HV_IPPROTO_UDP ||
	    memcmp(&magic, nv_gen_magic, sizeof(magic)) != 0)
		return 0;
	memcpy(&ts, data + l4 + 16, sizeof(ts));
	return ts;
}

void
nv_gen_sink(struct netvsp_dev *d, const uint8_t *const *data,
	    const uint32_t *len, uint32_t n)
{
	struct nv_gen *g = d->gen;
	uint64_t ts, now, lat_sum, lat_min, lat_max;
	uint64_t ts_sum = 0, ts_min = UINT64_MAX, ts_max = 0;
	uint32_t i, lat_n = 0, back = 0;

	if (g == NULL)
		return;
	/* One clock read per request. Every frame of it has the same
	 * "now", so the latency figures follow from the stamps' sum,
	 * smallest and largest, kept in registers until the end. */
	if (d->tx_now_ns == 0)
		d->tx_now_ns = hv_now_ns();
	now = d->tx_now_ns;
	for (i = 0; i < n; i++) {
		ts = nv_gen_stamp(data[i], len[i]);
		if (ts == 0)
			continue;
		back++;
		if (ts > now)
			continue;
		lat_n++;
		ts_sum += ts;
		ts_min = ts < ts_min ? ts : ts_min;
		ts_max = ts > ts_max ? ts : ts_max;
	}
	g->back += back;
	if (lat_n == 0)
		return;
	lat_sum = lat_n * now - ts_sum;
	lat_min = now - ts_max;
	lat_max = now - ts_min;
	g->lat_n += lat_n;
	g->lat_sum += lat_sum;
	if (lat_min < g->lat_min)
		g->lat_min = lat_min;
	if (lat_max > g->lat_max)
		g->lat_max = lat_max;
}

void
nv_gen_stats(const struct netvsp_dev *d, struct hvsim_nic_stats *st)
{
	const struct nv_gen *g = d->gen;

	if (g == NULL || g->lat_n == 0)
		return;
	st->lat_ns_min = g->lat_min;
	st->lat_ns_max = g->lat_max;
	st->lat_ns_avg = g->lat_sum / g->lat_n;
}
