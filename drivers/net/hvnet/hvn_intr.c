/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Rx interrupts (intr_conf.rxq): rx queue k sleeps on the bus's eventfd of
 * channel k (hvbus_intr_fd()), which the bus writes when the host signals
 * that channel - the host signals only while the channel's rx ring is
 * unmasked and only when it goes from empty to not empty (protocol.rst
 * 2.7). Enabling therefore arms the bus's wake first, then unmasks the
 * ring, then looks once more: data that came before the unmask, or frames
 * and completions the queue still holds, would never be signalled, so the
 * queue wakes itself. Disabling masks the ring again, so a polling queue
 * costs the host no signals.
 *
 * Both run on the queue's polling lcore (the ring is reached inside the
 * queue's own reader section, as a burst does); neither is on the burst
 * path.
 */

#include <errno.h>

#include <rte_interrupts.h>

#include "hvn.h"

void
hvn_intr_free(struct rte_eth_dev *dev)
{
	struct hvn_dev *hv = dev->data->dev_private;

	if (hv->intr == NULL)
		return;
	/* Out of every epoll set the application put the queues in. */
	rte_intr_free_epoll_fd(hv->intr);
	rte_intr_vec_list_free(hv->intr);
	rte_intr_instance_free(hv->intr);
	hv->intr = NULL;
	dev->intr_handle = NULL;
}

/* One vector per rx queue, each the eventfd of the queue's channel. */
int
hvn_intr_setup(struct rte_eth_dev *dev)
{
	struct hvn_dev *hv = dev->data->dev_private;
	uint16_t nq = dev->data->nb_rx_queues, q;
	struct rte_intr_handle *h;
	int fd, rc = -ENOMEM;

	hvn_intr_free(dev);
	if (!dev->data->dev_conf.intr_conf.rxq)
		return 0;
	h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (h == NULL)
		goto fail;
	/* VDEV: EAL's epoll callback reads efd_counter_size bytes, the
	 * whole eventfd counter, to reset it. */
	if (rte_intr_type_set(h, RTE_INTR_HANDLE_VDEV) != 0 ||
	    rte_intr_efd_counter_size_set(h, sizeof(uint64_t)) != 0 ||
	    rte_intr_nb_efd_set(h, nq) != 0 ||
	    rte_intr_max_intr_set(h, nq + 1) != 0 ||
	    rte_intr_vec_list_alloc(h, "hvn_intr_vec", nq) != 0) {
		rc = -EINVAL;
		goto fail;
	}
	for (q = 0; q < nq; q++) {
		fd = hvbus_intr_fd(hv->hdev, q);
		if (fd < 0) {
			rc = fd;
			goto fail;
		}
		if (rte_intr_efds_index_set(h, q, fd) != 0 ||
		    rte_intr_vec_list_index_set(h, q,
				RTE_INTR_VEC_RXTX_OFFSET + q) != 0) {
			rc = -EINVAL;
			goto fail;
		}
	}
	hv->intr = h;
	dev->intr_handle = h;
	return 0;
fail:
	PMD_DRV_LOG(ERR, "port %u: rx interrupts for %u queues: %d",
		    hv->port_id, nq, rc);
	if (h != NULL) {
		rte_intr_vec_list_free(h);
		rte_intr_instance_free(h);
	}
	return rc;
}

static struct hvn_rxq *
hvn_intr_rxq(struct rte_eth_dev *dev, uint16_t q)
{
	struct hvn_dev *hv = dev->data->dev_private;

	if (hv->intr == NULL || q >= dev->data->nb_rx_queues)
		return NULL;
	return dev->data->rx_queues[q];
}

int
hvn_rx_intr_enable(struct rte_eth_dev *dev, uint16_t q)
{
	struct hvn_dev *hv = dev->data->dev_private;
	struct hvn_rxq *rxq = hvn_intr_rxq(dev, q);
	struct hvbus_chan *chan;
	int rc, avail = 0;

	if (rxq == NULL)
		return -EINVAL;
	rc = hvbus_intr_arm(hv->hdev, q, true);
	if (rc != 0)
		return rc;
	epoch_reader_enter(&rxq->rd);
	chan = hvbus_chan_get(rxq->slot);
	/* No channel (rescinded): the bus wakes the queue when a new one
	 * opens in its slot. */
	if (chan != NULL)
		avail = vmb_ring_intr_unmask(&chan->rx);
	epoch_reader_exit(&rxq->rd);
	/* Data the host will not signal, a broken ring (the burst says
	 * so), frames or completions the queue holds: poll again now. */
	if (avail != 0 || rxq->held_n != 0 || rxq->cur_n != 0 ||
	    rxq->npend != 0)
		hvbus_intr_kick(hv->hdev, q);
	return 0;
}

int
hvn_rx_intr_disable(struct rte_eth_dev *dev, uint16_t q)
{
	struct hvn_dev *hv = dev->data->dev_private;
	struct hvn_rxq *rxq = hvn_intr_rxq(dev, q);
	struct hvbus_chan *chan;

	if (rxq == NULL)
		return -EINVAL;
	hvbus_intr_arm(hv->hdev, q, false);
	epoch_reader_enter(&rxq->rd);
	chan = hvbus_chan_get(rxq->slot);
	if (chan != NULL)
		vmb_ring_intr_mask(&chan->rx);
	epoch_reader_exit(&rxq->rd);
	return 0;
}
