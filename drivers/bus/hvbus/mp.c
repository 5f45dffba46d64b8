/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Multi-process: a secondary process learns the primary's hvbus devices
 * over EAL's rte_mp channel, so that drivers can attach to what the
 * primary probed (ethdev's shared port data). The primary answers from
 * a list function the bus passes in; this file calls nothing of the bus.
 *
 * One request, "hvbus_mp", asks for the devices from an index on; the
 * answer holds as many as fit one message and the total, so a secondary
 * asks until it has them all.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_string_fns.h>

#include "hvbus_state.h"

#define HVBUS_MP_NAME		"hvbus_mp"
#define HVBUS_MP_TIMEOUT_S	5
#define HVBUS_MP_VERSION	1u

struct hvbus_mp_req {
	uint32_t version;
	uint32_t start;
};

struct hvbus_mp_rsp {
	uint32_t version;
	int32_t status;
	uint32_t total;
	uint32_t count;
	struct hvbus_mp_dev dev[];
};

#define HVBUS_MP_PER_MSG \
	((RTE_MP_MAX_PARAM_LEN - sizeof(struct hvbus_mp_rsp)) / \
	 sizeof(struct hvbus_mp_dev))

static hvbus_mp_list_fn *mp_list;

static int
hvbus_mp_answer(const struct rte_mp_msg *msg, const void *peer)
{
	struct hvbus_mp_req req;
	struct rte_mp_msg reply;
	struct hvbus_mp_rsp *rsp = (struct hvbus_mp_rsp *)reply.param;

	memset(&reply, 0, sizeof(reply));
	strlcpy(reply.name, HVBUS_MP_NAME, sizeof(reply.name));
	reply.len_param = sizeof(*rsp);
	rsp->version = HVBUS_MP_VERSION;
	if (msg->len_param != sizeof(req)) {
		rsp->status = -EINVAL;
		return rte_mp_reply(&reply, peer);
	}
	memcpy(&req, msg->param, sizeof(req));
	if (req.version != HVBUS_MP_VERSION) {
		rsp->status = -EPROTONOSUPPORT;
		return rte_mp_reply(&reply, peer);
	}
	rsp->count = mp_list(rsp->dev, req.start, HVBUS_MP_PER_MSG,
			     &rsp->total);
	reply.len_param = (int)(sizeof(*rsp) +
				rsp->count * sizeof(rsp->dev[0]));
	return rte_mp_reply(&reply, peer);
}

int
hvbus_mp_serve(hvbus_mp_list_fn *fn)
{
	int rc;

	mp_list = fn;
	rc = rte_mp_action_register(HVBUS_MP_NAME, hvbus_mp_answer);
	/* ENOTSUP: EAL runs without multi-process (--no-shconf, in-memory):
	 * there is nobody to answer. */
	if (rc < 0 && rte_errno != ENOTSUP && rte_errno != EEXIST)
		return -rte_errno;
	return 0;
}

void
hvbus_mp_unserve(void)
{
	if (mp_list != NULL)
		rte_mp_action_unregister(HVBUS_MP_NAME);
	mp_list = NULL;
}

/* One page of the primary's list, from @p start. */
static int
hvbus_mp_ask(uint32_t start, struct hvbus_mp_dev *out, uint32_t *count,
	     uint32_t *total)
{
	struct hvbus_mp_req req = { HVBUS_MP_VERSION, start };
	struct timespec ts = { HVBUS_MP_TIMEOUT_S, 0 };
	const struct hvbus_mp_rsp *rsp;
	struct rte_mp_reply reply;
	struct rte_mp_msg msg;
	int rc = 0;

	memset(&msg, 0, sizeof(msg));
	strlcpy(msg.name, HVBUS_MP_NAME, sizeof(msg.name));
	msg.len_param = sizeof(req);
	memcpy(msg.param, &req, sizeof(req));
	if (rte_mp_request_sync(&msg, &reply, &ts) < 0)
		return -rte_errno;
	if (reply.nb_received != 1) {
		rc = -ENOENT;	/* a primary without hvbus: no answer */
		goto out;
	}
	rsp = (const struct hvbus_mp_rsp *)reply.msgs[0].param;
	if (reply.msgs[0].len_param < (int)sizeof(*rsp) ||
	    rsp->version != HVBUS_MP_VERSION) {
		rc = -EPROTO;
		goto out;
	}
	if (rsp->status != 0) {
		rc = rsp->status;
		goto out;
	}
	if (rsp->count > HVBUS_MP_PER_MSG ||
	    reply.msgs[0].len_param != (int)(sizeof(*rsp) +
				     rsp->count * sizeof(rsp->dev[0]))) {
		rc = -EPROTO;
		goto out;
	}
	memcpy(out, rsp->dev, rsp->count * sizeof(rsp->dev[0]));
	*count = rsp->count;
	*total = rsp->total;
out:
	free(reply.msgs);
	return rc;
}

int
hvbus_mp_fetch(struct hvbus_mp_dev **out, unsigned int *n)
{
	struct hvbus_mp_dev *all = NULL, *grown;
	uint32_t got = 0, count, total = 0;
	int rc;

	*out = NULL;
	*n = 0;
	do {
		grown = realloc(all, (got + HVBUS_MP_PER_MSG) * sizeof(*all));
		if (grown == NULL) {
			free(all);
			return -ENOMEM;
		}
		all = grown;
		rc = hvbus_mp_ask(got, all + got, &count, &total);
		if (rc < 0) {
			free(all);
			return rc;
		}
		got += count;
		/* A list that changed between two pages ends the walk; the
		 * devices seen so far are what the secondary gets. */
	} while (count != 0 && got < total);
	*out = all;
	*n = got;
	return 0;
}
