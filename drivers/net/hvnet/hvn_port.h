/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * net_hvnet's port layer, on top: the operations table, probe and remove
 * (hvn_ops.c) over the ethdev operations (hvn_ethdev.c) and the host's
 * rescind and re-offer events (hvn_persist.c), all over the port's host
 * session (hvn_session.c).
 */

#ifndef HVN_PORT_H
#define HVN_PORT_H

#include "hvn_ctl.h"

/* hvn_session.c: attach to and detach from the host, the op lock. */
void hvn_op_lock_take(void);
void hvn_op_lock_give(void);
void hvn_link_report(struct hvn_dev *hv);
int hvn_attach_host(struct hvn_dev *hv);
int hvn_detach_host(struct hvn_dev *hv);
void hvn_session_clear(struct hvn_dev *hv);
int hvn_open_subchannels(struct hvn_dev *hv, uint16_t nq, bool keep);
int hvn_attach(struct hvn_dev *hv);
void hvn_detach(struct hvn_dev *hv);

/* hvn_ethdev.c: the ethdev operations; hvn_ops.c serializes them. */
int hvn_dev_configure(struct rte_eth_dev *dev);
int hvn_dev_start(struct rte_eth_dev *dev);
int hvn_dev_stop(struct rte_eth_dev *dev);
int hvn_dev_close(struct rte_eth_dev *dev);
int hvn_dev_reset(struct rte_eth_dev *dev);
int hvn_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info);
int hvn_link_update(struct rte_eth_dev *dev, int wait);
int hvn_promisc_enable(struct rte_eth_dev *dev);
int hvn_promisc_disable(struct rte_eth_dev *dev);
int hvn_allmulti_enable(struct rte_eth_dev *dev);
int hvn_allmulti_disable(struct rte_eth_dev *dev);
int hvn_mtu_set(struct rte_eth_dev *dev, uint16_t mtu);
int hvn_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac);

/* hvn_persist.c: rescind, re-offer and subchannel events. */
void hvn_event(struct rte_hvbus_device *hdev, enum hvbus_event ev,
	       uint16_t subidx);

/* hvn_mp.c: a secondary process attaches to the primary's port. */
int hvn_mp_probe(struct rte_hvbus_device *hdev);

#endif /* HVN_PORT_H */
