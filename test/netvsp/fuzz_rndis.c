/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * libFuzzer target: every RNDIS parser. The first byte selects the parser
 * (and the aggregation limits); the rest is the received range. Results
 * are checked against the bounds the parsers promise. Selector 3 also
 * reads the bytes as a configuration parameter (a SET's info buffer).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rndis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_pkt(const struct rndis_pkt_info *pi, size_t len)
{
	if (pi->msg_len > len || pi->frame_off > pi->msg_len ||
	    pi->frame_len > pi->msg_len - pi->frame_off ||
	    pi->frame_len < RNDIS_MIN_FRAME_LEN)
		abort();
}

static void
fuzz_agg(const uint8_t *msg, size_t len, uint8_t sel)
{
	struct rndis_agg_iter it;
	struct rndis_pkt_info pi;
	size_t off, prev_end = 0;
	uint32_t n = 0;
	int rc;

	rndis_agg_init(&it, msg, len, 1u + (sel & 0x3F), 1u << (sel >> 6));
	while ((rc = rndis_agg_next(&it, &pi, &off)) == 1) {
		if (off != prev_end || off > len)
			abort();
		check_pkt(&pi, len - off);
		prev_end = off + pi.msg_len;
		n++;
	}
	if (n > 1u + (sel & 0x3F))
		abort();
	if (rc == 0 && prev_end != len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rndis_query_result q;
	struct rndis_indication ind;
	struct rndis_init_info init;
	struct rndis_request req;
	struct rndis_pkt_info pi;
	struct rndis_cfg_param cp;
	uint32_t type, id, st;
	uint8_t mac[6];
	uint8_t *msg;
	uint8_t sel;
	size_t len;

	if (size < 1)
		return 0;
	sel = data[0];
	len = size - 1;
	msg = malloc(len ? len : 1);
	if (msg == NULL)
		return 0;
	memcpy(msg, data + 1, len);

	switch (sel % 4) {
	case 0:
		if (rndis_parse_packet(msg, len, &pi) == 0)
			check_pkt(&pi, len);
		break;
	case 1:
		fuzz_agg(msg, len, sel);
		break;
	case 2:
		rndis_parse_cmplt_id(msg, len, &type, &id);
		rndis_parse_init_cmplt(msg, len, &init);
		if (rndis_parse_query_cmplt(msg, len, &q) == 0 &&
		    q.data_len != 0 &&
		    (q.data_off < 24 || q.data_off > len ||
		     q.data_len > len - q.data_off))
			abort();
		rndis_parse_status_cmplt(msg, len, RNDIS_MSG_SET_CMPLT, &id,
					 &st);
		rndis_parse_status_cmplt(msg, len, RNDIS_MSG_KEEPALIVE_CMPLT,
					 &id, &st);
		if (rndis_parse_indicate(msg, len, &ind) == 0 &&
		    ind.buf_len != 0 &&
		    (ind.buf_off > len || ind.buf_len > len - ind.buf_off))
			abort();
		break;
	default:
		/* The same bytes as a SET's info buffer: a config parameter. */
		if (rndis_cfg_param_parse(msg, len, &cp) == 0 &&
		    (cp.name_off < 20 || cp.name_off > len ||
		     cp.name_len > len - cp.name_off ||
		     cp.value_off < 20 || cp.value_off > len ||
		     cp.value_len > len - cp.value_off))
			abort();
		rndis_netaddr_parse(msg, len, mac);
		rndis_parse_hdr(msg, len, &type, &st);
		if (rndis_parse_request(msg, len, &req) == 0 &&
		    req.info_len != 0 &&
		    (req.info_off < 28 || req.info_off > req.msg_len ||
		     req.info_len > req.msg_len - req.info_off ||
		     req.msg_len > len))
			abort();
		break;
	}
	free(msg);
	return 0;
}
