/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * netvsp NIC device model: the ops table the hvsim core calls. This first
 * version only lets the core link; the protocol arrives in later commits.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_dev.h"

struct netvsp_dev {
	struct hvsim *h;
	unsigned int nic;
	struct hvsim_nic_config cfg;
	bool link_up;
};

static void *
netvsp_create(struct hvsim *h, unsigned int nic,
	      const struct hvsim_nic_config *cfg)
{
	struct netvsp_dev *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->h = h;
	d->nic = nic;
	d->cfg = *cfg;
	d->link_up = true;
	return d;
}

static void
netvsp_destroy(void *dev)
{
	free(dev);
}

static int
netvsp_chan_open(void *dev, struct hvsim_chan *c, uint16_t subidx)
{
	return 0;
}

static void
netvsp_chan_close(void *dev, struct hvsim_chan *c)
{
}

static int
netvsp_packet(void *dev, struct hvsim_chan *c, const struct hvsim_pkt *p)
{
	/* Not implemented yet: refuse rather than pretend. */
	return -ENOTSUP;
}

static int
netvsp_poll(void *dev)
{
	return 0;
}

static void
netvsp_reset(void *dev)
{
}

static void
netvsp_stats(void *dev, struct hvsim_nic_stats *st)
{
	struct netvsp_dev *d = dev;

	memset(st, 0, sizeof(*st));
	st->link_up = d->link_up;
}

static int
netvsp_set_link(void *dev, bool up)
{
	struct netvsp_dev *d = dev;

	d->link_up = up;
	return 0;
}

static int
netvsp_vf(void *dev, bool add, uint32_t serial)
{
	return -ENOTSUP;
}

const struct hvsim_dev_ops hvsim_netvsp_ops = {
	.create = netvsp_create,
	.destroy = netvsp_destroy,
	.chan_open = netvsp_chan_open,
	.chan_close = netvsp_chan_close,
	.packet = netvsp_packet,
	.poll = netvsp_poll,
	.reset = netvsp_reset,
	.stats = netvsp_stats,
	.set_link = netvsp_set_link,
	.vf = netvsp_vf,
};
