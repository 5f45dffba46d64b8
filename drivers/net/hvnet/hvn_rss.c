/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * RSS: the key, the 128-entry indirection table (entries are queue =
 * channel indexes) and the hash types, given to the host with
 * OID_GEN_RECEIVE_SCALE_PARAMETERS: first "disable", then the real table,
 * as the host expects.
 */

#include <errno.h>
#include <string.h>

#include "hvn_ctl.h"
#include "rss.h"

void
hvn_rss_defaults(struct hvn_dev *hv, uint16_t nq)
{
	unsigned int i;

	/* The mlx5 key, so a VF and the synthetic path hash alike. */
	memcpy(hv->rss_key, hv_rss_key_dpdk, sizeof(hv->rss_key));
	for (i = 0; i < HVN_RETA_SIZE; i++)
		hv->reta[i] = (uint16_t)(i % nq);
	hv->rss_hf = HVN_RSS_OFFLOAD_ALL;
}

static uint32_t
hvn_rss_hash_info(uint64_t hf)
{
	uint32_t h = NDIS_HASH_FUNCTION_TOEPLITZ;

	if (hf & RTE_ETH_RSS_IPV4)
		h |= NDIS_HASH_IPV4;
	if (hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP)
		h |= NDIS_HASH_TCP_IPV4;
	if (hf & RTE_ETH_RSS_IPV6)
		h |= NDIS_HASH_IPV6;
	if (hf & RTE_ETH_RSS_NONFRAG_IPV6_TCP)
		h |= NDIS_HASH_TCP_IPV6;
	return h;
}

static int
hvn_rss_send(struct hvn_dev *hv, const struct ndis_rss_params *p)
{
	uint8_t buf[NDIS_RSS_PARAMS_FULL_SIZE];
	int n = ndis_rss_params_encode(buf, sizeof(buf), p);

	if (n < 0)
		return n;
	return hvn_rndis_set(hv, RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS, buf,
			     (uint32_t)n);
}

int
hvn_rss_apply(struct hvn_dev *hv, uint16_t nq)
{
	struct ndis_rss_params p;
	uint16_t live[HVN_MAX_QUEUES];
	unsigned int i, nlive = 0;
	int rc;

	if (hv->nvsp_ver < NVSP_VERSION_5)
		return 0;
	memset(&p, 0, sizeof(p));
	p.flags = NDIS_RSS_FLAG_DISABLE;
	p.hash_info = hvn_rss_hash_info(hv->rss_hf);
	p.table_len = HVN_RETA_SIZE;
	memcpy(p.key, hv->rss_key, sizeof(p.key));
	rc = hvn_rss_send(hv, &p);
	if (rc != 0 || !hv->rss_on || nq < 2 || hv->rss_hf == 0)
		return rc;
	p.flags = 0;
	/* Channel 0 is never in chan_lost: nlive >= 1. */
	for (i = 0; i < nq; i++)
		if (!(hv->chan_lost >> i & 1))
			live[nlive++] = (uint16_t)i;
	for (i = 0; i < HVN_RETA_SIZE; i++) {
		uint16_t q = hv->reta[i] < nq ? hv->reta[i] : 0;

		/* A lost channel's share is spread over the live ones. */
		if (hv->chan_lost >> q & 1)
			q = live[i % nlive];
		p.table[i] = q;
	}
	return hvn_rss_send(hv, &p);
}

int
hvn_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	struct hvn_dev *hv = dev->data->dev_private;
	uint8_t key[NDIS_RSS_KEY_SIZE];
	uint64_t hf = hv->rss_hf;
	int rc;

	if (conf->rss_hf & ~HVN_RSS_OFFLOAD_ALL)
		return -EINVAL;
	if (conf->rss_key != NULL && conf->rss_key_len != NDIS_RSS_KEY_SIZE)
		return -EINVAL;
	memcpy(key, hv->rss_key, sizeof(key));
	if (conf->rss_key != NULL)
		memcpy(hv->rss_key, conf->rss_key, NDIS_RSS_KEY_SIZE);
	hv->rss_hf = conf->rss_hf;
	if (!hv->started)
		return 0;
	rc = hvn_rss_apply(hv, dev->data->nb_rx_queues);
	if (rc != 0) {
		memcpy(hv->rss_key, key, sizeof(key));
		hv->rss_hf = hf;
	}
	return rc;
}

int
hvn_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	struct hvn_dev *hv = dev->data->dev_private;

	if (conf->rss_key != NULL) {
		if (conf->rss_key_len < NDIS_RSS_KEY_SIZE)
			return -EINVAL;
		memcpy(conf->rss_key, hv->rss_key, NDIS_RSS_KEY_SIZE);
	}
	conf->rss_key_len = NDIS_RSS_KEY_SIZE;
	conf->rss_hf = hv->rss_hf;
	return 0;
}

int
hvn_rss_reta_update(struct rte_eth_dev *dev,
		    struct rte_eth_rss_reta_entry64 *reta, uint16_t size)
{
	struct hvn_dev *hv = dev->data->dev_private;
	uint16_t old[HVN_RETA_SIZE];
	unsigned int i, g, s;
	int rc;

	if (size != HVN_RETA_SIZE)
		return -EINVAL;
	memcpy(old, hv->reta, sizeof(old));
	for (i = 0; i < size; i++) {
		g = i / RTE_ETH_RETA_GROUP_SIZE;
		s = i % RTE_ETH_RETA_GROUP_SIZE;
		if (!(reta[g].mask & (UINT64_C(1) << s)))
			continue;
		if (reta[g].reta[s] >= dev->data->nb_rx_queues) {
			memcpy(hv->reta, old, sizeof(old));
			return -EINVAL;
		}
		hv->reta[i] = reta[g].reta[s];
	}
	if (!hv->started)
		return 0;
	rc = hvn_rss_apply(hv, dev->data->nb_rx_queues);
	if (rc != 0)
		memcpy(hv->reta, old, sizeof(old));
	return rc;
}

int
hvn_rss_reta_query(struct rte_eth_dev *dev,
		   struct rte_eth_rss_reta_entry64 *reta, uint16_t size)
{
	struct hvn_dev *hv = dev->data->dev_private;
	unsigned int i, g, s;

	if (size != HVN_RETA_SIZE)
		return -EINVAL;
	for (i = 0; i < size; i++) {
		g = i / RTE_ETH_RETA_GROUP_SIZE;
		s = i % RTE_ETH_RETA_GROUP_SIZE;
		if (reta[g].mask & (UINT64_C(1) << s))
			reta[g].reta[s] = hv->reta[i];
	}
	return 0;
}
