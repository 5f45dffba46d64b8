/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Telemetry: /hvbus/channels answers with the connection state, the bus
 * counters, pending retirements and one entry per relid the bus holds:
 *   "relid_<n>": { device, subidx, state, rescinded, gpadls, open }
 * (DPDK telemetry nests containers one level deep, hence the flat keys).
 * Read under hvbus.lock, which the control thread takes for every change.
 */

#include <stdio.h>

#include <rte_telemetry.h>

#include "hvbus_state.h"
#include "hvnet_compat.h"

static const char *const state_names[] = {
	[HVBUS_CS_OFFERED] = "offered",
	[HVBUS_CS_GPADL] = "gpadl",
	[HVBUS_CS_OPENING] = "opening",
	[HVBUS_CS_OPEN] = "open",
	[HVBUS_CS_RETIRING] = "retiring",
	[HVBUS_CS_CLOSING] = "closing",
};

static void
tel_offer(struct rte_tel_data *d, const struct hvbus_offer *o)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	char key[32];

	if (c == NULL)
		return;
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_string(c, "device",
				     o->dev != NULL ? o->dev->name : "-");
	rte_tel_data_add_dict_int(c, "subidx", o->subidx);
	rte_tel_data_add_dict_string(c, "state", state_names[o->state]);
	rte_tel_data_add_dict_int(c, "rescinded", o->rescinded);
	rte_tel_data_add_dict_int(c, "gpadls", (int)o->gpadls);
	rte_tel_data_add_dict_int(c, "grace_period", o->in_grace);
	snprintf(key, sizeof(key), "relid_%u", o->relid);
	if (rte_tel_data_add_dict_container(d, key, c, 0) != 0)
		rte_tel_data_free(c);
}

static int
tel_channels(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_hvbus_device *dev;
	struct epoch_stats es = { 0 };
	unsigned int ndev = 0, nprobed = 0;
	uint32_t relid;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	if (hvbus.dom != NULL)
		epoch_stats_get(hvbus.dom, &es);
	pthread_mutex_lock(&hvbus.lock);
	rte_tel_data_add_dict_string(d, "backend", hvbus.cfg.backend);
	rte_tel_data_add_dict_int(d, "connected", hvbus.connected);
	hvnet_tel_dict_add_uint(d, "version", hvbus.version);
	TAILQ_FOREACH(dev, &hvbus.devs, next) {
		ndev++;
		nprobed += dev->device.driver != NULL;
	}
	rte_tel_data_add_dict_int(d, "devices", (int)ndev);
	rte_tel_data_add_dict_int(d, "probed", (int)nprobed);
	hvnet_tel_dict_add_uint(d, "retiring", hvbus.retiring);
	hvnet_tel_dict_add_uint(d, "epoch_pending", es.pending);
	hvnet_tel_dict_add_uint(d, "epoch_readers", es.readers);
	hvnet_tel_dict_add_uint(d, "epoch_barrier_fallbacks",
				es.barrier_fallbacks);
	hvnet_tel_dict_add_uint(d, "epoch_barrier_failures",
				es.barrier_failures);
	hvnet_tel_dict_add_uint(d, "msgs", hvbus.st.msgs);
	hvnet_tel_dict_add_uint(d, "bad_msgs", hvbus.st.bad_msgs);
	hvnet_tel_dict_add_uint(d, "unknown_relid", hvbus.st.unknown_relid);
	hvnet_tel_dict_add_uint(d, "offers", hvbus.st.offers);
	hvnet_tel_dict_add_uint(d, "rescinds", hvbus.st.rescinds);
	hvnet_tel_dict_add_uint(d, "released", hvbus.st.released);
	hvnet_tel_dict_add_uint(d, "deadlines", hvbus.st.deadlines);
	hvnet_tel_dict_add_uint(d, "send_errors", hvbus.st.send_errors);
	for (relid = 1; relid < VMB_MAX_RELID; relid++)
		if (hvbus.relid_tab[relid] != NULL)
			tel_offer(d, hvbus.relid_tab[relid]);
	pthread_mutex_unlock(&hvbus.lock);
	return 0;
}

void
hvbus_telemetry_register(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	rte_telemetry_register_cmd("/hvbus/channels", tel_channels,
		"hvbus devices, channels and their states, pending "
		"retirements. No parameters");
}
