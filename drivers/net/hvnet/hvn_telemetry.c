/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Telemetry: /hvnet/ports lists every net_hvnet port with what it
 * negotiated with the host and the control path's counters (the datapath
 * counters are in the ethdev xstats). Values are read without stopping
 * anyone: a snapshot, as the ethdev telemetry commands give.
 */

#include <stdio.h>

#include <rte_telemetry.h>

#include "hvn.h"
#include "hvnet_compat.h"

/* The host's send table as channel numbers, if it sent one. */
static void
hvn_tel_send_table(struct rte_tel_data *d, const struct hvn_dev *hv)
{
	uint32_t chan[NVSP_SEND_TABLE_SIZE], i;
	struct rte_tel_data *a;

	hvnet_tel_dict_add_uint(d, "send_table_updates",
				hv->send_tbl.updates);
	hvnet_tel_dict_add_uint(d, "send_table_refused", hv->send_tbl.bad);
	if (hvn_send_table_read(&hv->send_tbl, chan) != 0)
		return;
	a = rte_tel_data_alloc();
	if (a == NULL)
		return;
	hvnet_tel_start_uint_array(a);
	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
		hvnet_tel_array_add_uint(a, chan[i]);
	rte_tel_data_add_dict_container(d, "send_table", a, 0);
}

static void
hvn_tel_port(struct rte_tel_data *d, const struct hvn_dev *hv)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "device", hv->hdev->name);
	hvnet_tel_dict_add_uint(d, "nvsp_version", hv->nvsp_ver);
	hvnet_tel_dict_add_uint(d, "ndis_version", hv->ndis_ver);
	hvnet_tel_dict_add_uint(d, "channels", hv->nchan);
	hvnet_tel_dict_add_uint(d, "tx_own_channels", hv->tx_split);
	hvnet_tel_dict_add_uint(d, "max_queues", hv->max_queues);
	hvnet_tel_dict_add_uint(d, "started", hv->started);
	hvnet_tel_dict_add_uint(d, "gone", hv->gone);
	hvnet_tel_dict_add_uint(d, "link_up",
		__atomic_load_n(&hv->link_up, __ATOMIC_RELAXED));
	hvnet_tel_dict_add_uint(d, "link_mbps",
		__atomic_load_n(&hv->link_mbps, __ATOMIC_RELAXED));
	hvnet_tel_dict_add_uint(d, "packet_filter", hv->filter_set);
	hvnet_tel_dict_add_uint(d, "rss", hv->rss_on);
	hvnet_tel_dict_add_uint(d, "host_offloads", hv->hwcaps_ok);
	hvnet_tel_dict_add_uint(d, "recv_sections", hv->rxlim.sec_count);
	hvnet_tel_dict_add_uint(d, "recv_section_size", hv->rxlim.sec_size);
	hvnet_tel_dict_add_uint(d, "send_sections", hv->tx_sec_count);
	hvnet_tel_dict_add_uint(d, "send_section_size", hv->tx_sec_size);
	hvnet_tel_dict_add_uint(d, "ctl_rx_dropped", hv->ctl_rx_dropped);
	hvnet_tel_dict_add_uint(d, "ctl_bad", hv->ctl_bad);
	hvnet_tel_dict_add_uint(d, "ctl_budget_cut", hv->ctl_budget_cut);
	hvnet_tel_dict_add_uint(d, "host_buffers_parked", hv->bufs_parked);
	/* Bit k: channel k's close never confirmed, its frames kept. */
	hvnet_tel_dict_add_uint(d, "channels_held", hv->chan_held);
	hvn_tel_send_table(d, hv);
}

static int
hvn_tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint16_t port;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	RTE_ETH_FOREACH_DEV(port) {
		struct rte_eth_dev *eth = &rte_eth_devices[port];
		struct rte_tel_data *p;
		char name[32];

		if (!hvn_is_hvnet(eth))
			continue;
		p = rte_tel_data_alloc();
		if (p == NULL)
			return -ENOMEM;
		hvn_tel_port(p, eth->data->dev_private);
		snprintf(name, sizeof(name), "port_%u", port);
		rte_tel_data_add_dict_container(d, name, p, 0);
	}
	return 0;
}

RTE_INIT(hvn_telemetry_init)
{
	rte_telemetry_register_cmd("/hvnet/ports", hvn_tel_ports,
		"net_hvnet ports: host negotiation and control-path counters. "
		"No parameters");
}
