/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Device arguments (-a hvbus:<GUID>,key=value,...): each key written once,
 * below, with its default and accepted range; the parser, its error text
 * and the driver's parameter string all come from that list.
 */

#include <rte_dev.h>

#include "hvn.h"
#include "hvnet_devargs.h"

/* key, default, min, max, step, help (plain decimal literals: see
 * hvnet_devargs.h). Each key is a field of struct hvn_devargs. */
#define HVN_DEVARGS(U32, NAME)						\
	U32(tx_copybreak, 512, 0, 4096, 0,				\
	    "bytes; smaller frames are copied into the send buffer")	\
	U32(rx_copybreak, 65535, 0, 65535, 0,				\
	    "bytes; larger frames are not copied but attached to the "	\
	    "receive buffer (above 9014: never)")			\
	U32(rx_ring_size, 1048576, 16384, 67108864, 4096,		\
	    "bytes per host-to-guest ring")				\
	U32(tx_ring_size, 1048576, 16384, 67108864, 4096,		\
	    "bytes per guest-to-host ring")				\
	U32(recv_buf_mb, 16, 1, 128, 0, "MiB of receive buffer")	\
	U32(send_buf_mb, 16, 1, 128, 0, "MiB of send buffer")		\
	U32(latency, 0, 0, 256, 0,					\
	    "N > 0: publish every N packets, 0: once per burst")	\
	U32(persist, 1, 0, 1, 0, "1: keep the port across a rescind")	\
	U32(tx_channels, 1, 0, 1, 0,					\
	    "1: tx queues on channels of their own")			\
	NAME(vf, "ethdev name", "the VF port to take over")

#define HVNET_DEVARGS_STRUCT struct hvn_devargs
static const struct hvnet_devarg hvn_devarg_rows[] = {
	HVN_DEVARGS(HVNET_DEVARG_U32_ROW, HVNET_DEVARG_NAME_ROW)
};

int
hvn_devargs_parse(const struct rte_devargs *da, struct hvn_devargs *out)
{
	const struct hvnet_devargs_spec spec = {
		.who = "hvnet",
		.logtype = hvn_logtype_init,
		.rows = hvn_devarg_rows,
		.n_rows = RTE_DIM(hvn_devarg_rows),
	};

	return hvnet_devargs_parse(&spec, da != NULL ? da->args : NULL, out);
}

RTE_PMD_REGISTER_PARAM_STRING(HVN_DRIVER_NAME,
	HVN_DEVARGS(HVNET_DEVARG_U32_PARAM, HVNET_DEVARG_NAME_PARAM));
