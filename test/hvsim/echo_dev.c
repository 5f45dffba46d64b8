/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "echo_dev.h"
#include "vmb_pkt.h"

struct echo_totals echo_totals;

struct echo_dev {
	struct hvsim *h;
	unsigned int nic;
	bool link_up;
	uint64_t pkts, bytes;
	unsigned int open;
};

static void *
echo_create(struct hvsim *h, unsigned int nic,
	    const struct hvsim_nic_config *cfg)
{
	struct echo_dev *d = calloc(1, sizeof(*d));

	if (d != NULL) {
		d->h = h;
		d->nic = nic;
		d->link_up = true;
	}
	return d;
}

static void
echo_destroy(void *dev)
{
	free(dev);
}

static int
echo_chan_open(void *dev, struct hvsim_chan *c, uint16_t subidx)
{
	struct echo_dev *d = dev;

	d->open++;
	echo_totals.opens++;
	return 0;
}

static void
echo_chan_close(void *dev, struct hvsim_chan *c)
{
	struct echo_dev *d = dev;

	d->open--;
	echo_totals.closes++;
}

static int
echo_packet(void *dev, struct hvsim_chan *c, const struct hvsim_pkt *p)
{
	struct echo_dev *d = dev;
	struct iovec iov = { (void *)(uintptr_t)p->data, p->data_len };
	int rc;

	if (p->type != VMB_PKT_DATA_INBAND)
		return 0;	/* completions from the guest: nothing to do */
	if (p->data_len >= 4 && memcmp(p->data, "FAIL", 4) == 0)
		return -EPROTO;
	if (p->data_len >= 4 && memcmp(p->data, "HOLD", 4) == 0 &&
	    hvsim_hook_hit(d->h, d->nic, HVSIM_STEP_NVSP_INIT))
		return -EAGAIN;
	/* Room for both packets or neither: never half an answer. */
	if (hvsim_chan_room(c) < p->data_len + 64)
		return -EAGAIN;
	hvsim_chan_batch_begin(c);
	rc = hvsim_chan_send(c, VMB_PKT_DATA_INBAND, 0, p->xid, NULL, 0,
			     &iov, 1);
	if (rc == 0 && (p->flags & VMB_PKT_FLAG_RC))
		rc = hvsim_chan_send(c, VMB_PKT_COMPLETION, 0, p->xid, NULL, 0,
				     NULL, 0);
	hvsim_chan_batch_end(c);
	if (rc < 0)
		return rc;
	d->pkts++;
	d->bytes += p->data_len;
	echo_totals.packets++;
	return 0;
}

static int
echo_poll(void *dev)
{
	return 0;
}

static void
echo_reset(void *dev)
{
	echo_totals.resets++;
}

static void
echo_stats(void *dev, struct hvsim_nic_stats *st)
{
	struct echo_dev *d = dev;

	st->tx_pkts = d->pkts;
	st->tx_bytes = d->bytes;
	st->rx_pkts = d->pkts;
	st->rx_bytes = d->bytes;
	st->link_up = d->link_up;
}

static int
echo_set_link(void *dev, bool up)
{
	struct echo_dev *d = dev;

	d->link_up = up;
	return 0;
}

static int
echo_vf(void *dev, bool add, uint32_t serial)
{
	return -ENOTSUP;
}

static void
echo_gpadl_teardown(void *dev, uint32_t gpadl)
{
	echo_totals.gpadl_teardowns++;
}

const struct hvsim_dev_ops echo_dev_ops = {
	.create = echo_create,
	.destroy = echo_destroy,
	.chan_open = echo_chan_open,
	.chan_close = echo_chan_close,
	.packet = echo_packet,
	.poll = echo_poll,
	.reset = echo_reset,
	.stats = echo_stats,
	.set_link = echo_set_link,
	.vf = echo_vf,
	.gpadl_teardown = echo_gpadl_teardown,
};
