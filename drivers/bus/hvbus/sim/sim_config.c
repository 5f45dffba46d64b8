/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The simulator's settings: --vdev=hvbus_sim,key=value,... (sim_vdev.c)
 * selects the sim backend with its keys (HVBUS_SIM_KEYS) and the bus's.
 * Nothing runs unless the command line asks for it: the bus starts the
 * backend at scan time from the device argument.
 *
 *   --vdev=hvbus_sim                              one NIC, reflecting
 *   --vdev=hvbus_sim,nics=2,port=[gen,len=60],port=[1:sink]
 *   --vdev=hvbus_sim,socket=/run/hvsim.sock       an hvsim daemon
 */

#include <errno.h>
#include <string.h>

#include "hvbus_state.h"
#include "sim.h"

/* The table's bound on nics= is a literal (it is printed as written). */
_Static_assert(HVSIM_MAX_NICS == 16, "HVBUS_SIM_KEYS: nics up to 16");

struct hvbus_sim_conf hvbus_sim_conf;

#define HVNET_DEVARGS_STRUCT struct hvbus_sim_conf
static const struct hvnet_devarg sim_rows[] = {
	HVBUS_BUS_KEYS(HVNET_DEVARG_U32_ROW, HVNET_DEVARG_NAME_ROW)
	HVBUS_SIM_KEYS(HVNET_DEVARG_U32_ROW, HVNET_DEVARG_NAME_ROW,
		       HVNET_DEVARG_LIST_ROW)
};
#undef HVNET_DEVARGS_STRUCT

struct hvnet_devargs_spec hvbus_sim_spec = {
	.who = "hvbus_sim",
	.rows = sim_rows,
	.n_rows = RTE_DIM(sim_rows),
};

/*
 * What one key alone cannot say: every port spec must apply to the NICs
 * configured (nics= may come after port=), port= is for a host in this
 * process, and hostile= is parsed into its seed and classes.
 */
int
hvbus_sim_check(void)
{
	struct hvbus_sim_conf *sc = &hvbus_sim_conf;
	char spec[HVNET_DEVARG_LIST_LEN], err[320];
	struct hvsim_config hc;
	unsigned int i;

	if (sc->socket[0] != '\0' && sc->port.n > 0) {
		HVBUS_LOG(ERR, "hvbus_sim: devarg port: sets up a host in this "
			  "process; an hvsim daemon (socket=) takes --port");
		return -EINVAL;
	}
	hvsim_config_init(&hc, sc->nics);
	for (i = 0; i < sc->port.n; i++) {
		strcpy(spec, sc->port.v[i]);
		if (hvsim_port_parse(&hc, spec, err, sizeof(err)) < 0) {
			HVBUS_LOG(ERR, "hvbus_sim: devarg port=[%s]: %s; "
				  "accepted %s", sc->port.v[i], err,
				  hvsim_port_spec_help);
			return -EINVAL;
		}
	}
	sc->hostile_seed = 0;
	sc->hostile_classes = 0;
	if (sc->hostile[0] != '\0' &&
	    hvsim_hostile_parse(sc->hostile, &sc->hostile_seed,
				&sc->hostile_classes, err, sizeof(err)) < 0) {
		HVBUS_LOG(ERR, "hvbus_sim: devarg hostile=%s: %s", sc->hostile,
			  err);
		return -EINVAL;
	}
	return 0;
}
