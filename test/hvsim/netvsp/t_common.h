/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Helpers shared by the netvsp NIC model test programs: frame builders
 * with their own checksum code (independent of the host's, so a host bug
 * cannot hide), a capture of what the guest receives, and set-up /
 * tear-down of a NIC with its guest. Included once per test program
 * (check.h keeps its counters per program).
 */

#ifndef T_COMMON_H
#define T_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "rss.h"
#include "tenv.h"
#include "vmb_pkt.h"

static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 };

/* ---- frames (independent checksum code: catches host bugs) ---- */

static inline uint16_t
t_sum(const uint8_t *p, uint32_t len, uint32_t acc)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

static inline uint16_t
t_l4_sum(const uint8_t *f, uint32_t l3, uint8_t proto, uint32_t l4len)
{
	uint32_t acc = t_sum(f + l3 + 12, 8, 0);

	acc += proto + l4len;
	return t_sum(f + l3 + 20, l4len, acc);
}

/* IPv4 frame to @p dst: UDP (proto 17) or TCP (6) with @p plen payload
 * bytes derived from @p seed; valid checksums unless @p bad. */
static inline uint32_t
t_frame(uint8_t *f, const uint8_t *dst, uint8_t proto, uint32_t src_ip,
	uint16_t sport, uint16_t dport, uint32_t plen, uint8_t seed, bool bad)
{
	uint32_t l4len = (proto == 6 ? 20 : 8) + plen, i, c;

	memcpy(f, dst, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(f + 14, 0, 20);
	f[14] = 0x45;
	f[16] = (uint8_t)((20 + l4len) >> 8);
	f[17] = (uint8_t)(20 + l4len);
	f[22] = 64;
	f[23] = proto;
	f[26] = (uint8_t)(src_ip >> 24);
	f[27] = (uint8_t)(src_ip >> 16);
	f[28] = (uint8_t)(src_ip >> 8);
	f[29] = (uint8_t)src_ip;
	f[30] = 192;
	f[31] = 168;
	f[32] = 0;
	f[33] = 1;
	c = ~t_sum(f + 14, 20, 0) & 0xffff;
	f[24] = (uint8_t)(c >> 8);
	f[25] = (uint8_t)c;
	memset(f + 34, 0, l4len - plen);
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[36] = (uint8_t)(dport >> 8);
	f[37] = (uint8_t)dport;
	if (proto == 6) {
		f[46] = 0x50;	/* data offset 5 */
		f[47] = 0x18;	/* ACK | PSH */
		f[48] = 0xff;
	} else {
		f[38] = (uint8_t)(l4len >> 8);
		f[39] = (uint8_t)l4len;
	}
	for (i = 0; i < plen; i++)
		f[34 + l4len - plen + i] = (uint8_t)(seed + i * 7);
	c = ~t_l4_sum(f, 14, proto, l4len) & 0xffff;
	if (proto == 17 && c == 0)
		c = 0xffff;
	if (bad)
		c ^= 0x5a5a;
	f[34 + (proto == 6 ? 16 : 6)] = (uint8_t)(c >> 8);
	f[34 + (proto == 6 ? 17 : 7)] = (uint8_t)c;
	return 34 + l4len;
}

static inline bool
t_csum_ok(const uint8_t *f, uint32_t len)
{
	uint32_t tot = (uint32_t)(f[16] << 8 | f[17]);

	if (len < 34 || tot + 14 > len || t_sum(f + 14, 20, 0) != 0xffff)
		return false;
	return t_l4_sum(f, 14, f[23], tot - 20) == 0xffff;
}

/* ---- receive capture ---- */

#define T_MAX_RX	4096
struct t_rx {
	unsigned int n;
	unsigned int q[T_MAX_RX];
	uint32_t len[T_MAX_RX];
	struct rndis_pkt_info pi[T_MAX_RX];
	uint8_t *data[T_MAX_RX];
};

static inline void
t_on_frame(void *arg, unsigned int q, const uint8_t *frame, uint32_t len,
	   const struct rndis_pkt_info *pi)
{
	struct t_rx *r = arg;

	if (r->n == T_MAX_RX)
		return;
	r->q[r->n] = q;
	r->len[r->n] = len;
	r->pi[r->n] = *pi;
	r->data[r->n] = malloc(len);
	memcpy(r->data[r->n], frame, len);
	r->n++;
}

static inline void
t_rx_reset(struct t_rx *r)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		free(r->data[i]);
	r->n = 0;
}

static struct t_rx rx;

/* A NIC up to a set packet filter, its guest on @p g. */
static inline struct tenv *
t_up(struct nvg *g, const struct hvsim_nic_config *cfg, uint64_t caps,
		  uint32_t filter)
{
	struct nvg_opts o = { .ndis_caps = caps };
	struct hvsim_nic_config def;
	struct tenv *e;

	if (cfg == NULL) {
		memset(&def, 0, sizeof(def));
		def.mtu = 1500;
		def.max_queues = 8;
		def.link_speed_mbps = 100000;
		cfg = &def;
	}
	e = tenv_create(1, cfg);
	REQUIRE(e != NULL);
	REQUIRE(nvg_init(g, tenv_io(e, 0), &o) == 0);
	if (filter != 0)
		REQUIRE(nvg_set_filter(g, filter) == RNDIS_STATUS_SUCCESS);
	t_rx_reset(&rx);
	g->on_frame = t_on_frame;
	g->cb_arg = &rx;
	return e;
}

static inline void
t_down(struct nvg *g, struct tenv *e)
{
	CHECK_EQ(g->rx_bad, 0);
	CHECK_EQ(g->order_errors, 0);
	nvg_fini(g);
	CHECK_EQ(tenv_destroy(e), 0);
	t_rx_reset(&rx);
}

static struct nvg G;

/* ---- tests ---- */

/* Send @p n frames of @p len and check they come back intact. */
static inline void
t_reflect(struct nvg *g, uint32_t len, unsigned int n, enum nvg_mode mode)
{
	static uint8_t f[8][9100];
	struct nvg_tx tx[8];
	unsigned int i;

	t_rx_reset(&rx);
	for (i = 0; i < n; i++) {
		tx[i] = (struct nvg_tx){ .frame = f[i], .vlan_tci = -1 };
		tx[i].len = t_frame(f[i], g->mac, 17, 0x0a000001 + i, 1000,
				    2000, len - 42, (uint8_t)(i * 31 + len),
				    false);
	}
	CHECK_EQ(nvg_send(g, 0, tx, n, mode), NVSP_STATUS_SUCCESS);
	nvg_drain(g, 20);
	CHECK_EQ(rx.n, n);
	for (i = 0; i < rx.n && i < n; i++) {
		CHECK_EQ(rx.len[i], tx[i].len);
		CHECK(memcmp(rx.data[i], f[i], tx[i].len) == 0,
		      "payload of frame %u (%u bytes, mode %d)", i, len, mode);
	}
}

#endif /* T_COMMON_H */
