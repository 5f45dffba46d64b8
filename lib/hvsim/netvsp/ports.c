/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * What sits behind a NIC (struct hvsim_port_config): frames the guest sends
 * go to the port; the port may also originate frames towards the guest
 * (generator, pcap in). Reflect and switch need no state of their own.
 */

#include <errno.h>
#include <string.h>

#include "netvsp_priv.h"

int
nv_port_init(struct netvsp_dev *d)
{
	const struct hvsim_port_config *pc = &d->cfg.port;

	switch (pc->kind) {
	case HVSIM_PORT_REFLECT:
		return 0;
	case HVSIM_PORT_SWITCH:
		if (pc->peer == d->nic) {
			nv_log(d, "switch port cannot peer with itself");
			return -EINVAL;
		}
		return 0;
	case HVSIM_PORT_GEN_SINK:
		return nv_gen_init(d, &pc->gen);
	case HVSIM_PORT_PCAP:
		return nv_pcap_init(d, pc->pcap_in, pc->pcap_out);
	default:
		nv_log(d, "unknown port kind %d", (int)pc->kind);
		return -EINVAL;
	}
}

void
nv_port_fini(struct netvsp_dev *d)
{
	nv_gen_fini(d);
	nv_pcap_fini(d);
}

static void
nv_port_switch(struct netvsp_dev *d, const struct nv_frame *f)
{
	struct nv_frame pf = *f;

	if (d->peer == NULL) {
		d->peer = nv_dev_lookup(d->h, d->cfg.port.peer);
		if (d->peer == NULL) {
			d->stats.tx_bad++;
			nv_log_dp(d, "switch peer nic%u does not exist",
				  d->cfg.port.peer);
			return;
		}
	}
	/* The peer's own RSS picks its queue; without RSS its primary. */
	pf.src_queue = 0;
	nv_rx_deliver(d->peer, &pf);
}

void
nv_port_tx(struct netvsp_dev *d, const struct nv_frame *f)
{
	switch (d->cfg.port.kind) {
	case HVSIM_PORT_REFLECT: {
		struct nv_frame rf = *f;

		/* Like any received frame: RSS picks the channel, without
		 * RSS the primary (never "the channel it came from": a tx
		 * channel the indirection table does not name). */
		rf.src_queue = 0;
		nv_rx_deliver(d, &rf);
		break;
	}
	case HVSIM_PORT_SWITCH:
		nv_port_switch(d, f);
		break;
	case HVSIM_PORT_GEN_SINK:
		nv_gen_sink(d, (const uint8_t *const *)&f->data, &f->len, 1);
		break;
	case HVSIM_PORT_PCAP:
		nv_pcap_write(d, f);
		break;
	}
}

int
nv_port_poll(struct netvsp_dev *d)
{
	switch (d->cfg.port.kind) {
	case HVSIM_PORT_GEN_SINK:
		return nv_gen_poll(d);
	case HVSIM_PORT_PCAP:
		return nv_pcap_poll(d);
	default:
		return 0;
	}
}
