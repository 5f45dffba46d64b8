/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Basic and extended statistics from the per-queue counters (each owned
 * by its polling lcore; read here without stopping it, as DPDK drivers
 * do) and the control path's counters.
 */

#include <stdio.h>
#include <string.h>

#include "hvn.h"

struct hvn_xstat_name {
	const char *name;
	size_t off;
};

#define HVN_QS(f) { #f, offsetof(struct hvn_qstats, f) }

static const struct hvn_xstat_name hvn_rxq_xstats[] = {
	HVN_QS(packets), HVN_QS(bytes), HVN_QS(errors), HVN_QS(dropped),
	HVN_QS(nombuf), HVN_QS(ctl), HVN_QS(vf_packets), HVN_QS(vf_bytes),
	HVN_QS(budget_cut), HVN_QS(bad_cmplt), HVN_QS(lro),
	HVN_QS(zc), HVN_QS(zc_capped),
};

static const struct hvn_xstat_name hvn_txq_xstats[] = {
	HVN_QS(packets), HVN_QS(bytes), HVN_QS(errors), HVN_QS(dropped),
	HVN_QS(ring_full), HVN_QS(copied), HVN_QS(gpa), HVN_QS(vf_packets),
	HVN_QS(vf_bytes), HVN_QS(bad_cmplt), HVN_QS(budget_cut),
};

#define HVN_N_RXQ_XSTATS RTE_DIM(hvn_rxq_xstats)
#define HVN_N_TXQ_XSTATS RTE_DIM(hvn_txq_xstats)
/* Port-wide: the control path's counters, then the VF's share of the
 * traffic (already counted in the basic stats) and its state. */
static const char *const hvn_dev_xstats[] = {
	"ctl_rx_dropped_packets", "ctl_bad_host_messages",
	"vf_rx_packets", "vf_rx_bytes", "vf_tx_packets", "vf_tx_bytes",
	"vf_active", "vf_switches", "ctl_budget_cut", "log_suppressed",
	"host_buffers_parked", "rx_zc_buffers_kept", "rx_zc_tables_kept",
};
#define HVN_N_DEV_XSTATS RTE_DIM(hvn_dev_xstats)

static unsigned int
hvn_xstats_count(const struct rte_eth_dev *dev)
{
	return HVN_N_DEV_XSTATS +
		dev->data->nb_rx_queues * HVN_N_RXQ_XSTATS +
		dev->data->nb_tx_queues * HVN_N_TXQ_XSTATS;
}

/* The stats_get op (HVNET_ETH_STATS_GET in hvn_ethdev.c); qs may be NULL. */
int
hvn_stats_fill(struct rte_eth_dev *dev, struct rte_eth_stats *st,
	       struct hvnet_queue_stats *qs)
{
	unsigned int i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct hvn_rxq *q = dev->data->rx_queues[i];

		if (q == NULL)
			continue;
		st->ipackets += q->st.packets;
		st->ibytes += q->st.bytes;
		st->ierrors += q->st.errors;
		st->imissed += q->st.dropped;
		st->rx_nombuf += q->st.nombuf;
		if (qs != NULL && i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			qs->q_ipackets[i] = q->st.packets;
			qs->q_ibytes[i] = q->st.bytes;
			qs->q_errors[i] = q->st.errors;
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct hvn_txq *q = dev->data->tx_queues[i];

		if (q == NULL)
			continue;
		st->opackets += q->st.packets;
		st->obytes += q->st.bytes;
		st->oerrors += q->st.errors + q->st.dropped;
		if (qs != NULL && i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			qs->q_opackets[i] = q->st.packets;
			qs->q_obytes[i] = q->st.bytes;
		}
	}
	return 0;
}

int
hvn_stats_reset(struct rte_eth_dev *dev)
{
	struct hvn_dev *hv = dev->data->dev_private;
	unsigned int i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct hvn_rxq *q = dev->data->rx_queues[i];

		if (q != NULL) {
			memset(&q->st, 0, sizeof(q->st));
			q->log_lim.suppressed = 0;
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct hvn_txq *q = dev->data->tx_queues[i];

		if (q != NULL) {
			memset(&q->st, 0, sizeof(q->st));
			q->log_lim.suppressed = 0;
		}
	}
	hv->ctl_rx_dropped = 0;
	hv->ctl_bad = 0;
	hv->ctl_budget_cut = 0;
	hv->bufs_parked = 0;
	hv->host_log.suppressed = 0;
	hv->vf_switches = 0;
	return 0;
}

static void
hvn_dev_xstats_values(struct rte_eth_dev *dev, uint64_t *v)
{
	struct hvn_dev *hv = dev->data->dev_private;
	unsigned int i;

	memset(v, 0, HVN_N_DEV_XSTATS * sizeof(*v));
	v[0] = hv->ctl_rx_dropped;
	v[1] = hv->ctl_bad;
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct hvn_rxq *q = dev->data->rx_queues[i];

		if (q != NULL) {
			v[2] += q->st.vf_packets;
			v[3] += q->st.vf_bytes;
			v[9] += q->log_lim.suppressed;
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct hvn_txq *q = dev->data->tx_queues[i];

		if (q != NULL) {
			v[4] += q->st.vf_packets;
			v[5] += q->st.vf_bytes;
			v[9] += q->log_lim.suppressed;
		}
	}
	v[6] = __atomic_load_n(&hv->vf, __ATOMIC_RELAXED) != NULL;
	v[7] = hv->vf_switches;
	v[8] = hv->ctl_budget_cut;
	v[9] = hv->host_log.suppressed;
	v[10] = hv->bufs_parked;
	/* Kept for good: what they count is still allocated, so a reset
	 * leaves them. */
	v[11] = hv->zc_bufs_kept;
	v[12] = hv->zc_tables_kept;
}

int
hvn_xstats_get_names(struct rte_eth_dev *dev,
		     struct rte_eth_xstat_name *names, unsigned int n)
{
	unsigned int total = hvn_xstats_count(dev), k = 0, q, i;

	if (names == NULL || n < total)
		return (int)total;
	for (i = 0; i < HVN_N_DEV_XSTATS; i++)
		snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s",
			 hvn_dev_xstats[i]);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		for (i = 0; i < HVN_N_RXQ_XSTATS; i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE,
				 "rx_q%u_%s", q, hvn_rxq_xstats[i].name);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		for (i = 0; i < HVN_N_TXQ_XSTATS; i++)
			snprintf(names[k++].name, RTE_ETH_XSTATS_NAME_SIZE,
				 "tx_q%u_%s", q, hvn_txq_xstats[i].name);
	return (int)total;
}

int
hvn_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
	       unsigned int n)
{
	unsigned int total = hvn_xstats_count(dev), k = 0, q, i;
	uint64_t dv[HVN_N_DEV_XSTATS];

	if (xs == NULL || n < total)
		return (int)total;
	hvn_dev_xstats_values(dev, dv);
	for (i = 0; i < HVN_N_DEV_XSTATS; i++) {
		xs[k].id = k;
		xs[k++].value = dv[i];
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct hvn_rxq *rq = dev->data->rx_queues[q];

		for (i = 0; i < HVN_N_RXQ_XSTATS; i++) {
			xs[k].id = k;
			xs[k++].value = rq == NULL ? 0 : *(const uint64_t *)
				((const uint8_t *)&rq->st +
				 hvn_rxq_xstats[i].off);
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct hvn_txq *tq = dev->data->tx_queues[q];

		for (i = 0; i < HVN_N_TXQ_XSTATS; i++) {
			xs[k].id = k;
			xs[k++].value = tq == NULL ? 0 : *(const uint64_t *)
				((const uint8_t *)&tq->st +
				 hvn_txq_xstats[i].off);
		}
	}
	return (int)total;
}
