/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * net_hvnet's port layer, on top: the ethdev operations, probe and remove
 * (hvn_ethdev.c) and the host's rescind and re-offer events (hvn_persist.c).
 */

#ifndef HVN_PORT_H
#define HVN_PORT_H

#include "hvn_ctl.h"

/* hvn_ethdev.c */
uint32_t hvn_filter_of(bool promisc, bool allmulti);
void hvn_link_report(struct hvn_dev *hv);
void hvn_op_lock_take(void);
void hvn_op_lock_give(void);
int hvn_attach_host(struct hvn_dev *hv);
int hvn_detach_host(struct hvn_dev *hv);
void hvn_session_clear(struct hvn_dev *hv);
int hvn_open_subchannels(struct hvn_dev *hv, uint16_t nq, bool keep);

/* hvn_persist.c: rescind, re-offer and subchannel events. */
void hvn_event(struct rte_hvbus_device *hdev, enum hvbus_event ev,
	       uint16_t subidx);

#endif /* HVN_PORT_H */
