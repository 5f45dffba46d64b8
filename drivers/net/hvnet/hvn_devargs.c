/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Device arguments (-a hvbus:<GUID>,key=value,...), each parsed by one
 * small function that says exactly what is wrong with a bad value.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_kvargs.h>

#include "hvn.h"

#define HVN_ARG_TX_COPYBREAK	"tx_copybreak"
#define HVN_ARG_RX_RING		"rx_ring_size"
#define HVN_ARG_TX_RING		"tx_ring_size"
#define HVN_ARG_RECV_BUF	"recv_buf_mb"
#define HVN_ARG_SEND_BUF	"send_buf_mb"
#define HVN_ARG_LATENCY		"latency"
#define HVN_ARG_PERSIST		"persist"
#define HVN_ARG_VF		"vf"
#define HVN_ARG_TX_CHAN		"tx_channels"

static const char *const hvn_valid_args[] = {
	HVN_ARG_TX_COPYBREAK, HVN_ARG_RX_RING, HVN_ARG_TX_RING,
	HVN_ARG_RECV_BUF, HVN_ARG_SEND_BUF, HVN_ARG_LATENCY, HVN_ARG_PERSIST,
	HVN_ARG_VF, HVN_ARG_TX_CHAN, NULL,
};

struct hvn_arg_range {
	uint32_t *out;
	uint32_t min, max, multiple;
};

static int
hvn_arg_u32(const char *key, const char *value, void *opaque)
{
	const struct hvn_arg_range *r = opaque;
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 0);
	if (errno != 0 || end == value || *end != '\0' || value[0] == '-') {
		PMD_INIT_LOG(ERR, "devarg %s=%s: not a number", key, value);
		return -EINVAL;
	}
	if (v < r->min || v > r->max) {
		PMD_INIT_LOG(ERR, "devarg %s=%s: must be %u..%u", key, value,
			     r->min, r->max);
		return -ERANGE;
	}
	if (r->multiple > 1 && v % r->multiple != 0) {
		PMD_INIT_LOG(ERR, "devarg %s=%s: must be a multiple of %u",
			     key, value, r->multiple);
		return -EINVAL;
	}
	*r->out = (uint32_t)v;
	return 0;
}

static int
hvn_arg(struct rte_kvargs *kv, const char *key, uint32_t *out, uint32_t min,
	uint32_t max, uint32_t multiple)
{
	struct hvn_arg_range r = { out, min, max, multiple };

	if (rte_kvargs_count(kv, key) > 1) {
		PMD_INIT_LOG(ERR, "devarg %s given more than once", key);
		return -EINVAL;
	}
	/* rte_kvargs_process() says -1 whatever the handler said. */
	return rte_kvargs_process(kv, key, hvn_arg_u32, &r) == 0 ? 0 : -EINVAL;
}

/* vf=<ethdev name>: the port the driver takes over as its VF. */
static int
hvn_arg_name(const char *key, const char *value, void *opaque)
{
	char *out = opaque;
	size_t len = strlen(value);

	if (len == 0 || len >= RTE_ETH_NAME_MAX_LEN) {
		PMD_INIT_LOG(ERR, "devarg %s=%s: an ethdev name of 1..%u "
			     "characters", key, value, RTE_ETH_NAME_MAX_LEN - 1);
		return -EINVAL;
	}
	memcpy(out, value, len + 1);
	return 0;
}

int
hvn_devargs_parse(const struct rte_devargs *da, struct hvn_devargs *out)
{
	struct rte_kvargs *kv;
	int rc;

	out->tx_copybreak = 512;
	out->rx_ring_size = 1024 * 1024;
	out->tx_ring_size = 1024 * 1024;
	out->recv_buf_mb = 16;
	out->send_buf_mb = 16;
	out->latency = 0;
	out->persist = 1;
	out->tx_channels = 1;
	out->vf[0] = '\0';
	if (da == NULL || da->args == NULL || da->args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(da->args, hvn_valid_args);
	if (kv == NULL) {
		PMD_INIT_LOG(ERR, "bad devargs \"%s\" (known: tx_copybreak, "
			     "rx_ring_size, tx_ring_size, recv_buf_mb, "
			     "send_buf_mb, latency, persist, vf, tx_channels)",
			     da->args);
		return -EINVAL;
	}
	rc = hvn_arg(kv, HVN_ARG_TX_COPYBREAK, &out->tx_copybreak, 0, 4096, 0);
	if (rc == 0)
		rc = hvn_arg(kv, HVN_ARG_RX_RING, &out->rx_ring_size, 16384,
			     64u << 20, 4096);
	if (rc == 0)
		rc = hvn_arg(kv, HVN_ARG_TX_RING, &out->tx_ring_size, 16384,
			     64u << 20, 4096);
	if (rc == 0)
		rc = hvn_arg(kv, HVN_ARG_RECV_BUF, &out->recv_buf_mb, 1, 128, 0);
	if (rc == 0)
		rc = hvn_arg(kv, HVN_ARG_SEND_BUF, &out->send_buf_mb, 1, 128, 0);
	if (rc == 0)
		rc = hvn_arg(kv, HVN_ARG_LATENCY, &out->latency, 0, 256, 0);
	if (rc == 0)
		rc = hvn_arg(kv, HVN_ARG_PERSIST, &out->persist, 0, 1, 0);
	if (rc == 0)
		rc = hvn_arg(kv, HVN_ARG_TX_CHAN, &out->tx_channels, 0, 1, 0);
	if (rc == 0 && rte_kvargs_count(kv, HVN_ARG_VF) > 1) {
		PMD_INIT_LOG(ERR, "devarg vf given more than once");
		rc = -EINVAL;
	}
	if (rc == 0 && rte_kvargs_process(kv, HVN_ARG_VF, hvn_arg_name,
					  out->vf) != 0)
		rc = -EINVAL;
	rte_kvargs_free(kv);
	return rc;
}
