/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * --vdev=hvbus_sim: the vdev that stands for the simulator. Its name is what
 * selects the backend (config.c reads its device argument at scan time);
 * registering it lets EAL parse the argument and dpdk-pmdinfo.py show the
 * keys. The backend registers itself with the bus here too.
 */

#include <bus_vdev_driver.h>

#include "hvbus_state.h"
#include "sim.h"

static int
sim_vdev_probe(struct rte_vdev_device *vdev)
{
	return hvbus_backend_vdev_probe(&hvbus_sim_ops,
					rte_vdev_device_name(vdev));
}

/* The backend stops with the bus (rte_eal_cleanup), not with its vdev. */
static int
sim_vdev_remove(struct rte_vdev_device *vdev)
{
	RTE_SET_USED(vdev);
	return 0;
}

static struct rte_vdev_driver sim_vdev = {
	.probe = sim_vdev_probe,
	.remove = sim_vdev_remove,
};

RTE_PMD_REGISTER_VDEV(hvbus_sim, sim_vdev);
RTE_PMD_REGISTER_PARAM_STRING(hvbus_sim,
	HVBUS_SIM_KEYS(HVNET_DEVARG_U32_PARAM, HVNET_DEVARG_NAME_PARAM,
		       HVNET_DEVARG_LIST_PARAM)
	HVBUS_BUS_KEYS(HVNET_DEVARG_U32_PARAM, HVNET_DEVARG_NAME_PARAM));

RTE_INIT(hvbus_sim_register)
{
	hvbus_backend_register(&hvbus_sim_ops);
}
