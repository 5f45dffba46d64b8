/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * net_hvnet's control layer: exchanges with the host on channel 0
 * (hvn_ctl.c), NVSP and RNDIS set-up (hvn_nvsp.c, hvn_rndis.c), RSS, the
 * VF, and queue set-up (hvn_queue.c). Above the datapath (hvn_rxtx.h),
 * below the port (hvn_port.h): nothing here calls up into the port's
 * session or event handling.
 */

#ifndef HVN_CTL_H
#define HVN_CTL_H

#include "hvn_rxtx.h"

/* hvn_ctl.c: control-channel exchange on channel 0. */
int hvn_ctl_init(struct hvn_dev *hv);
void hvn_ctl_fini(struct hvn_dev *hv);
int hvn_ctl_acquire(struct hvn_dev *hv);
void hvn_ctl_release(struct hvn_dev *hv);
int hvn_ctl_send(struct hvn_dev *hv, uint16_t type, uint16_t flags,
		 uint64_t xid, const void *msg, uint32_t len);
int hvn_ctl_send_ext(struct hvn_dev *hv, uint16_t type, uint16_t flags,
		     uint64_t xid, const void *ext, uint32_t ext_len,
		     const void *msg, uint32_t len);
int hvn_ctl_wait(struct hvn_dev *hv, unsigned int timeout_ms);
int hvn_txq_drain(struct hvn_dev *hv, uint16_t q, unsigned int ms);
void hvn_rxq_settle(struct hvn_dev *hv, struct hvn_rxq *rxq);
/* No burst still uses what was unpublished before the call: 0; or after
 * HVN_CTL_TIMEOUT_MS, late(arg) runs once it is so (-EINPROGRESS), or
 * without @p late -ETIMEDOUT. */
int hvn_grace_period(struct hvn_dev *hv, hvbus_work_fn_t *late, void *arg);
int hvn_ctl_hold(struct hvn_dev *hv);
void hvn_ctl_unhold(struct hvn_dev *hv);

/* hvn_vf.c */
int hvn_vf_init(struct hvn_dev *hv);
void hvn_vf_fini(struct hvn_dev *hv);
void hvn_vf_poll(struct hvn_dev *hv);
void hvn_vf_start(struct hvn_dev *hv);
void hvn_vf_stop(struct hvn_dev *hv);
void hvn_vf_gone(struct hvn_dev *hv);
void hvn_vf_session_reset(struct hvn_dev *hv);

/* hvn_nvsp.c */
int hvn_nvsp_attach(struct hvn_dev *hv);
void hvn_nvsp_detach(struct hvn_dev *hv);
int hvn_nvsp_subchannels(struct hvn_dev *hv, uint32_t want,
			 uint32_t *granted);

/* hvn_rndis.c */
int hvn_rndis_init(struct hvn_dev *hv);
int hvn_rndis_halt(struct hvn_dev *hv);
int hvn_rndis_query(struct hvn_dev *hv, uint32_t oid, const void *in,
		    uint32_t in_len, void *out, uint32_t *out_len);
int hvn_rndis_set(struct hvn_dev *hv, uint32_t oid, const void *in,
		  uint32_t len);
int hvn_rndis_query_link(struct hvn_dev *hv);
int hvn_rndis_set_filter(struct hvn_dev *hv, uint32_t filter);
/* NetworkAddress: 0, -EPERM / -ENOTSUP when the host refuses, or the
 * exchange's errno. */
int hvn_rndis_set_mac(struct hvn_dev *hv, const struct rte_ether_addr *mac);
/* Re-apply the application's MAC after a re-attach. */
int hvn_mac_restore(struct hvn_dev *hv);
int hvn_rndis_offload_setup(struct hvn_dev *hv);
int hvn_rndis_rsc(struct hvn_dev *hv, bool on);
uint32_t hvn_filter_of(bool promisc, bool allmulti);

/* hvn_rss.c */
void hvn_rss_defaults(struct hvn_dev *hv, uint16_t nq);
int hvn_rss_apply(struct hvn_dev *hv, uint16_t nq);
int hvn_rss_hash_update(struct rte_eth_dev *dev,
			struct rte_eth_rss_conf *conf);
int hvn_rss_hash_conf_get(struct rte_eth_dev *dev,
			  struct rte_eth_rss_conf *conf);
int hvn_rss_reta_update(struct rte_eth_dev *dev,
			struct rte_eth_rss_reta_entry64 *reta, uint16_t size);
int hvn_rss_reta_query(struct rte_eth_dev *dev,
		       struct rte_eth_rss_reta_entry64 *reta, uint16_t size);
#define HVN_RSS_OFFLOAD_ALL (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | \
			     RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_TCP)

/* hvn_queue.c: set-up, release and the slow per-queue operations. */
int hvn_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb,
		       unsigned int socket, const struct rte_eth_rxconf *conf,
		       struct rte_mempool *mp);
int hvn_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb,
		       unsigned int socket, const struct rte_eth_txconf *conf);
void hvn_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
void hvn_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid);
void hvn_rxq_flush(struct hvn_rxq *rxq);
bool hvn_txq_flush(struct hvn_txq *txq);
int hvn_queues_fit(struct hvn_dev *hv);
int hvn_tx_done_cleanup(void *q, uint32_t free_cnt);
int hvn_rx_descriptor_status(void *q, uint16_t offset);
int hvn_tx_descriptor_status(void *q, uint16_t offset);
void hvn_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid,
		      struct rte_eth_rxq_info *qinfo);
void hvn_txq_info_get(struct rte_eth_dev *dev, uint16_t qid,
		      struct rte_eth_txq_info *qinfo);
hvnet_rx_queue_count_t hvn_rx_queue_count(void *q);

#endif /* HVN_CTL_H */
