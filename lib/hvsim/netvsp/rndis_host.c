/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * RNDIS host: INITIALIZE, QUERY (the OIDs netvsc guests ask for, with the
 * values a Hyper-V vSwitch port gives), SET (packet filter, offload and RSS
 * parameters, configuration parameters, addresses), KEEPALIVE, RESET and
 * HALT, plus status indications. Responses leave through the control
 * queue of rxbuf.c, after the NVSP completion of the request (txpath.c
 * sends that first: stock DPDK fails a request that finds a stray
 * completion behind its response).
 */

#include <errno.h>
#include <string.h>

#include "netvsp_priv.h"

#define NV_VENDOR_ID		0x0000155Du
#define NV_BUFFER_SPACE		262144u
/* MAC options: copy lookahead, transfers not pend, no loopback, 802.1p,
 * 802.1Q. */
#define NV_MAC_OPTIONS		(0x1u | 0x4u | 0x8u | 0x40u | 0x200u)
#define NV_LSO_MAX_SIZE		0xF53Cu
#define NV_LSO_MIN_SEGS		2u

static const uint32_t nv_query_oids[] = {
	RNDIS_OID_GEN_SUPPORTED_LIST,
	RNDIS_OID_GEN_HARDWARE_STATUS,
	RNDIS_OID_GEN_MEDIA_SUPPORTED,
	RNDIS_OID_GEN_MEDIA_IN_USE,
	RNDIS_OID_GEN_MAXIMUM_LOOKAHEAD,
	RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE,
	RNDIS_OID_GEN_LINK_SPEED,
	RNDIS_OID_GEN_TRANSMIT_BUFFER_SPACE,
	RNDIS_OID_GEN_RECEIVE_BUFFER_SPACE,
	RNDIS_OID_GEN_TRANSMIT_BLOCK_SIZE,
	RNDIS_OID_GEN_RECEIVE_BLOCK_SIZE,
	RNDIS_OID_GEN_VENDOR_ID,
	RNDIS_OID_GEN_VENDOR_DESCRIPTION,
	RNDIS_OID_GEN_CURRENT_PACKET_FILTER,
	RNDIS_OID_GEN_CURRENT_LOOKAHEAD,
	RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE,
	RNDIS_OID_GEN_MAC_OPTIONS,
	RNDIS_OID_GEN_MEDIA_CONNECT_STATUS,
	RNDIS_OID_GEN_MAXIMUM_SEND_PACKETS,
	RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES,
	RNDIS_OID_GEN_XMIT_OK,
	RNDIS_OID_GEN_RCV_OK,
	RNDIS_OID_GEN_XMIT_ERROR,
	RNDIS_OID_GEN_RCV_ERROR,
	RNDIS_OID_GEN_RCV_NO_BUFFER,
	RNDIS_OID_GEN_FRIENDLY_NAME,
	RNDIS_OID_GEN_BYTES_RCV,
	RNDIS_OID_GEN_BYTES_XMIT,
	RNDIS_OID_802_3_PERMANENT_ADDRESS,
	RNDIS_OID_802_3_CURRENT_ADDRESS,
	RNDIS_OID_802_3_MAXIMUM_LIST_SIZE,
	RNDIS_OID_TCP_OFFLOAD_CURRENT_CONFIG,
	RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
};

void
nv_rndis_reset(struct netvsp_dev *d)
{
	d->rndis_up = false;
	nv_mb_rndis_agg(d, &d->agg_max, &d->agg_shift);
	d->filter = 0;
	d->guest_max_xfer = 0;
	d->ctrl_head = 0;
	d->ctrl_n = 0;
	/* The device comes up with every offload on; guests then set what
	 * they want through TCP_OFFLOAD_PARAMETERS. */
	memset(&d->off, 1, sizeof(d->off));
	/* Except RSC: the guest must have said it can take fragments. */
	d->off.rsc4 = false;
	d->off.rsc6 = false;
	d->coalesce = NULL;
	nv_rss_reset(d);
	memcpy(d->mac, d->perm_mac, 6);
	d->rx_gen++;
}

static uint32_t
nv_frame_size(const struct netvsp_dev *d)
{
	return d->cfg.mtu + 14;
}

/* The offload object: hardware capabilities, or with @p current the
 * subset enabled now. */
static void
nv_offload_caps(const struct netvsp_dev *d, struct ndis_offload *o,
		bool current)
{
	const struct nv_offload *f = &d->off;
	uint32_t ip4 = NDIS_TXCSUM_CAP_IP4_OPTS | NDIS_TXCSUM_CAP_TCP4_OPTS;
	uint32_t ip6 = NDIS_TXCSUM_CAP_IP6_EXT | NDIS_TXCSUM_CAP_TCP6_OPTS;

	memset(o, 0, sizeof(*o));
	o->ip4_tx_encap = NDIS_OFFLOAD_ENCAP_8023;
	o->ip4_rx_encap = NDIS_OFFLOAD_ENCAP_8023;
	o->ip6_tx_encap = NDIS_OFFLOAD_ENCAP_8023;
	o->ip6_rx_encap = NDIS_OFFLOAD_ENCAP_8023;
	o->ip4_tx_flags = ip4 |
		(!current || f->tx_tcp4 ? NDIS_TXCSUM_CAP_TCP4 : 0) |
		(!current || f->tx_udp4 ? NDIS_TXCSUM_CAP_UDP4 : 0) |
		(!current || f->tx_ip4 ? NDIS_TXCSUM_CAP_IP4 : 0);
	o->ip4_rx_flags = ip4 |
		(!current || f->rx_tcp4 ? NDIS_TXCSUM_CAP_TCP4 : 0) |
		(!current || f->rx_udp4 ? NDIS_TXCSUM_CAP_UDP4 : 0) |
		(!current || f->rx_ip4 ? NDIS_TXCSUM_CAP_IP4 : 0);
	o->ip6_tx_flags = ip6 |
		(!current || f->tx_tcp6 ? NDIS_TXCSUM_CAP_TCP6 : 0) |
		(!current || f->tx_udp6 ? NDIS_TXCSUM_CAP_UDP6 : 0);
	o->ip6_rx_flags = ip6 |
		(!current || f->rx_tcp6 ? NDIS_TXCSUM_CAP_TCP6 : 0) |
		(!current || f->rx_udp6 ? NDIS_TXCSUM_CAP_UDP6 : 0);
	if (!current || f->lso4) {
		o->lsov2_ip4_encap = NDIS_OFFLOAD_ENCAP_8023;
		o->lsov2_ip4_max_size = NV_LSO_MAX_SIZE;
		o->lsov2_ip4_min_segs = NV_LSO_MIN_SEGS;
	}
	/* RSC only in a revision 3 object (offset 144). */
	o->rsc_ip4 = !current || f->rsc4;
	o->rsc_ip6 = !current || f->rsc6;
	if (!current || f->lso6) {
		o->lsov2_ip6_encap = NDIS_OFFLOAD_ENCAP_8023;
		o->lsov2_ip6_max_size = NV_LSO_MAX_SIZE;
		o->lsov2_ip6_min_segs = NV_LSO_MIN_SEGS;
		o->lsov2_ip6_flags = NDIS_LSOV2_CAP_IP6_EXT |
			NDIS_LSOV2_CAP_TCP6_OPTS;
	}
}

/* Revision of an offload object: what the guest's query header asks
 * for, else what its NDIS version implies (156 bytes for 6.30). */
static uint8_t
nv_offload_rev(const struct netvsp_dev *d, const uint8_t *in, uint32_t len)
{
	struct ndis_obj_hdr h;

	if (len >= sizeof(h)) {
		memcpy(&h, in, sizeof(h));
		if (h.type == NDIS_OBJTYPE_OFFLOAD && h.revision >= 1 &&
		    h.revision <= NDIS_OFFLOAD_REV_3)
			return h.revision;
	}
	if (d->ndis_ver >= NVSP_NDIS_VERSION_6_30 || d->ndis_ver == 0)
		return NDIS_OFFLOAD_REV_3;
	return NDIS_OFFLOAD_REV_2;
}

/* UTF-16LE copy of an ASCII string; returns bytes written. */
static uint32_t
nv_utf16(uint8_t *out, const char *s)
{
	uint32_t n = 0;

	do {
		out[n++] = (uint8_t)*s;
		out[n++] = 0;
	} while (*s++ != '\0');
	return n;
}

static void
nv_put_u64(uint8_t *out, uint32_t *len, uint64_t v)
{
	memcpy(out, &v, sizeof(v));
	*len = sizeof(v);
}

/* Fill @p out with the value of @p oid; returns an RNDIS status. */
static uint32_t
nv_query(struct netvsp_dev *d, uint32_t oid, const uint8_t *in,
	 uint32_t in_len, uint8_t *out, uint32_t *len)
{
	const struct hvsim_nic_stats *s = &d->stats;
	uint32_t v;
	int n;

	switch (oid) {
	case RNDIS_OID_GEN_SUPPORTED_LIST:
		memcpy(out, nv_query_oids, sizeof(nv_query_oids));
		*len = sizeof(nv_query_oids);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_GEN_HARDWARE_STATUS:
	case RNDIS_OID_GEN_MEDIA_SUPPORTED:
	case RNDIS_OID_GEN_MEDIA_IN_USE:
		v = 0;	/* ready; 802.3 */
		break;
	case RNDIS_OID_GEN_MAXIMUM_LOOKAHEAD:
	case RNDIS_OID_GEN_MAXIMUM_FRAME_SIZE:
	case RNDIS_OID_GEN_CURRENT_LOOKAHEAD:
		v = d->cfg.mtu;
		break;
	case RNDIS_OID_GEN_LINK_SPEED:
		v = rndis_link_speed_from_mbps(d->cfg.link_speed_mbps);
		break;
	case RNDIS_OID_GEN_TRANSMIT_BUFFER_SPACE:
	case RNDIS_OID_GEN_RECEIVE_BUFFER_SPACE:
		v = NV_BUFFER_SPACE;
		break;
	case RNDIS_OID_GEN_TRANSMIT_BLOCK_SIZE:
	case RNDIS_OID_GEN_RECEIVE_BLOCK_SIZE:
	case RNDIS_OID_GEN_MAXIMUM_TOTAL_SIZE:
		v = nv_frame_size(d);
		break;
	case RNDIS_OID_GEN_VENDOR_ID:
		v = NV_VENDOR_ID;
		break;
	case RNDIS_OID_GEN_VENDOR_DESCRIPTION:
		*len = sizeof("Microsoft Corporation");
		memcpy(out, "Microsoft Corporation", *len);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_GEN_CURRENT_PACKET_FILTER:
		v = d->filter;
		break;
	case RNDIS_OID_GEN_MAC_OPTIONS:
		v = NV_MAC_OPTIONS;
		break;
	case RNDIS_OID_GEN_MEDIA_CONNECT_STATUS:
		v = d->link_up ? RNDIS_MEDIA_STATE_CONNECTED :
			RNDIS_MEDIA_STATE_DISCONNECTED;
		break;
	case RNDIS_OID_GEN_MAXIMUM_SEND_PACKETS:
		v = d->agg_max;
		break;
	case RNDIS_OID_802_3_MAXIMUM_LIST_SIZE:
		v = 0;
		break;
	case RNDIS_OID_GEN_XMIT_OK:
		nv_put_u64(out, len, s->tx_pkts);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_GEN_RCV_OK:
		nv_put_u64(out, len, s->rx_pkts);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_GEN_XMIT_ERROR:
		nv_put_u64(out, len, s->tx_bad);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_GEN_RCV_ERROR:
		nv_put_u64(out, len, 0);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_GEN_RCV_NO_BUFFER:
		nv_put_u64(out, len, s->rx_dropped);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_GEN_BYTES_RCV:
		nv_put_u64(out, len, s->rx_bytes);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_GEN_BYTES_XMIT:
		nv_put_u64(out, len, s->tx_bytes);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_GEN_FRIENDLY_NAME:
		/* What Hyper-V reports unless the admin renamed the port
		 * (Linux then keeps its own name). */
		*len = nv_utf16(out, "Network Adapter");
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_802_3_PERMANENT_ADDRESS:
		memcpy(out, d->perm_mac, 6);
		*len = 6;
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_802_3_CURRENT_ADDRESS:
		memcpy(out, d->mac, 6);
		*len = 6;
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_GEN_RECEIVE_SCALE_CAPABILITIES: {
		struct ndis_rss_caps caps = {
			.caps = NDIS_RSS_CAP_TOEPLITZ | NDIS_RSS_CAP_TCP_IPV4 |
				NDIS_RSS_CAP_TCP_IPV6 |
				NDIS_RSS_CAP_TCP_IPV6_EX | NDIS_RSS_CAP_MSIX,
			.num_int_msgs = d->max_queues,
			.num_queues = d->max_queues,
			.num_ind_entries = NDIS_RSS_TABLE_MAX,
		};
		uint8_t rev = NDIS_RSS_CAPS_REV_2;

		if (in_len >= 2 && in[0] == NDIS_OBJTYPE_RSS_CAPS &&
		    in[1] == NDIS_RSS_CAPS_REV_1)
			rev = NDIS_RSS_CAPS_REV_1;
		n = ndis_rss_caps_encode(out, NV_CTRL_MAX, &caps, rev);
		if (n < 0)
			return RNDIS_STATUS_FAILURE;
		*len = (uint32_t)n;
		return RNDIS_STATUS_SUCCESS;
	}
	case RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES:
	case RNDIS_OID_TCP_OFFLOAD_CURRENT_CONFIG: {
		struct ndis_offload o;

		nv_offload_caps(d, &o,
				oid == RNDIS_OID_TCP_OFFLOAD_CURRENT_CONFIG);
		n = ndis_offload_encode(out, NV_CTRL_MAX, &o,
					nv_offload_rev(d, in, in_len));
		if (n < 0)
			return RNDIS_STATUS_FAILURE;
		*len = (uint32_t)n;
		return RNDIS_STATUS_SUCCESS;
	}
	default:
		*len = 0;
		return RNDIS_STATUS_NOT_SUPPORTED;
	}
	memcpy(out, &v, sizeof(v));
	*len = sizeof(v);
	return RNDIS_STATUS_SUCCESS;
}

/* NDIS_OFFLOAD_PARAM_* of one checksum field into its TX / RX switches. */
static void
nv_csum_param(uint8_t v, bool *tx, bool *rx)
{
	switch (v) {
	case NDIS_OFFLOAD_PARAM_TX_RX_OFF:
		*tx = false;
		*rx = false;
		break;
	case NDIS_OFFLOAD_PARAM_TX_ON_RX_OFF:
		*tx = true;
		*rx = false;
		break;
	case NDIS_OFFLOAD_PARAM_RX_ON_TX_OFF:
		*tx = false;
		*rx = true;
		break;
	case NDIS_OFFLOAD_PARAM_TX_RX_ON:
		*tx = true;
		*rx = true;
		break;
	default:	/* no change */
		break;
	}
}

static void
nv_lso_param(uint8_t v, bool *on)
{
	if (v == NDIS_OFFLOAD_PARAM_OFF)
		*on = false;
	else if (v == NDIS_OFFLOAD_PARAM_ON)
		*on = true;
}

static uint32_t
nv_set_offload(struct netvsp_dev *d, const uint8_t *in, uint32_t len)
{
	struct ndis_offload_params p;
	struct nv_offload *o = &d->off;

	if (ndis_offload_params_decode(in, len, &p) < 0) {
		nv_log(d, "bad offload parameters (%u bytes)", len);
		return RNDIS_STATUS_INVALID_DATA;
	}
	nv_csum_param(p.ip4_csum, &o->tx_ip4, &o->rx_ip4);
	nv_csum_param(p.tcp4_csum, &o->tx_tcp4, &o->rx_tcp4);
	nv_csum_param(p.udp4_csum, &o->tx_udp4, &o->rx_udp4);
	nv_csum_param(p.tcp6_csum, &o->tx_tcp6, &o->rx_tcp6);
	nv_csum_param(p.udp6_csum, &o->tx_udp6, &o->rx_udp6);
	nv_lso_param(p.lsov2_ip4, &o->lso4);
	nv_lso_param(p.lsov2_ip6, &o->lso6);
	/* RSC needs NVSP 6.1 and the guest's RSC bit in NDIS_CONFIG. */
	if ((p.rsc_ip4 == NDIS_OFFLOAD_PARAM_ON ||
	     p.rsc_ip6 == NDIS_OFFLOAD_PARAM_ON) &&
	    (d->nvsp_ver < NVSP_VERSION_61 ||
	     !(d->ndis_caps & NVSP_NDIS_CAP_RSC))) {
		nv_log(d, "RSC asked for without NVSP 6.1 and the RSC "
		       "capability: left off");
	} else {
		nv_lso_param(p.rsc_ip4, &o->rsc4);
		nv_lso_param(p.rsc_ip6, &o->rsc6);
	}
	d->coalesce = o->rsc4 || o->rsc6 ? nv_rsc_add : NULL;
	d->rx_gen++;
	return RNDIS_STATUS_SUCCESS;
}

/*
 * GEN_RNDIS_CONFIG_PARAMETER (lib/netvsp decodes it). "NetworkAddress"
 * changes the current MAC, unless the port is locked (a vSwitch port that
 * forbids MAC spoofing): then the guest hears FAILURE and keeps its old
 * address. Multicast and all-zero addresses are invalid data. Other
 * parameters are accepted and ignored, as a vSwitch does.
 */
static uint32_t
nv_set_config_param(struct netvsp_dev *d, const uint8_t *in, uint32_t len)
{
	static const uint8_t zero[6];
	uint8_t mac[6];
	int rc;

	rc = rndis_netaddr_parse(in, len, mac);
	if (rc == -ENOENT)
		return RNDIS_STATUS_SUCCESS;
	if (rc == -EBADMSG)
		return RNDIS_STATUS_INVALID_LENGTH;
	if (rc != 0 || (mac[0] & 1) != 0 || memcmp(mac, zero, 6) == 0) {
		nv_log(d, "NetworkAddress refused: malformed or not a unicast "
		       "address (%u bytes)", len);
		return RNDIS_STATUS_INVALID_DATA;
	}
	if (d->cfg.mac_locked) {
		nv_log(d, "NetworkAddress refused: MAC changes are locked");
		return RNDIS_STATUS_FAILURE;
	}
	memcpy(d->mac, mac, 6);
	/* The generator rebuilds its frames for the new destination. */
	d->rx_gen++;
	nv_log(d, "MAC set to %02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
	       mac[2], mac[3], mac[4], mac[5]);
	return RNDIS_STATUS_SUCCESS;
}

static uint32_t
nv_set(struct netvsp_dev *d, uint32_t oid, const uint8_t *in, uint32_t len)
{
	uint32_t v;

	switch (oid) {
	case RNDIS_OID_GEN_CURRENT_PACKET_FILTER:
		if (len < sizeof(v))
			return RNDIS_STATUS_INVALID_LENGTH;
		memcpy(&v, in, sizeof(v));
		d->filter = v;
		nv_log(d, "packet filter 0x%x", v);
		return RNDIS_STATUS_SUCCESS;
	case RNDIS_OID_TCP_OFFLOAD_PARAMETERS:
		return nv_set_offload(d, in, len);
	case RNDIS_OID_GEN_RECEIVE_SCALE_PARAMETERS:
		return nv_rss_set(d, in, len);
	case RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER:
		return nv_set_config_param(d, in, len);
	case RNDIS_OID_GEN_NETWORK_LAYER_ADDRESSES:
	case RNDIS_OID_GEN_CURRENT_LOOKAHEAD:
	case RNDIS_OID_802_3_MULTICAST_LIST:
		/* Accepted; nothing on the synthetic path depends on them. */
		return RNDIS_STATUS_SUCCESS;
	default:
		return RNDIS_STATUS_NOT_SUPPORTED;
	}
}

uint32_t
nv_rndis_control_status(struct netvsp_dev *d, const uint8_t *msg,
			uint32_t len)
{
	struct rndis_request req;

	return rndis_parse_request(msg, len, &req) == 0 ?
		NVSP_STATUS_SUCCESS : NVSP_STATUS_INVALID_RNDIS_PKT;
}

static void
nv_rndis_init(struct netvsp_dev *d, const struct rndis_request *req,
	      uint8_t *out)
{
	struct rndis_init_info ii = {
		.req_id = req->req_id,
		.status = RNDIS_STATUS_SUCCESS,
		.major = RNDIS_VERSION_MAJOR,
		.minor = RNDIS_VERSION_MINOR,
		.device_flags = RNDIS_DEVICE_FLAG_CONNECTIONLESS,
		.medium = RNDIS_MEDIUM_802_3,
		.max_xfer_size = NV_RNDIS_MAX_XFER,
	};
	int n;

	/* What is announced here is what the send path enforces. */
	nv_mb_rndis_agg(d, &d->agg_max, &d->agg_shift);
	ii.max_pkts_per_msg = d->agg_max;
	ii.align_shift = d->agg_shift;

	if (d->rndis_up) {
		/* openvmm: a second INITIALIZE is an error. */
		nv_log(d, "second RNDIS INITIALIZE refused");
		ii.status = RNDIS_STATUS_FAILURE;
	} else if (req->major != RNDIS_VERSION_MAJOR) {
		nv_log(d, "RNDIS version %u.%u refused", req->major,
		       req->minor);
		ii.status = RNDIS_STATUS_BAD_VERSION;
	}
	n = rndis_encode_init_cmplt(out, NV_CTRL_MAX, &ii);
	if (n > 0)
		nv_ctrl_queue(d, out, (uint32_t)n);
	if (ii.status == RNDIS_STATUS_SUCCESS) {
		d->rndis_up = true;
		d->guest_max_xfer = req->max_xfer_size;
		nv_log(d, "RNDIS initialised (guest max transfer %u)",
		       req->max_xfer_size);
	}
}

void
nv_rndis_control(struct netvsp_dev *d, const uint8_t *msg, uint32_t len)
{
	uint8_t out[NV_CTRL_MAX], data[NV_CTRL_MAX];
	struct rndis_request req;
	uint32_t status, dlen = 0;
	int n;

	if (rndis_parse_request(msg, len, &req) != 0) {
		nv_log(d, "malformed RNDIS control message type 0x%x "
		       "(%u bytes) dropped", req.type, len);
		return;
	}
	if (!d->rndis_up && req.type != RNDIS_MSG_INIT &&
	    req.type != RNDIS_MSG_HALT) {
		nv_log(d, "RNDIS message 0x%x before INITIALIZE", req.type);
		status = RNDIS_STATUS_ADAPTER_NOT_READY;
	} else {
		status = RNDIS_STATUS_SUCCESS;
	}

	switch (req.type) {
	case RNDIS_MSG_INIT:
		nv_rndis_init(d, &req, out);
		return;
	case RNDIS_MSG_HALT:
		/* No reply; the data path stops until a new session. */
		d->rndis_up = false;
		d->filter = 0;
		nv_log(d, "RNDIS halted");
		return;
	case RNDIS_MSG_QUERY:
		if (status == RNDIS_STATUS_SUCCESS)
			status = nv_query(d, req.oid, msg + req.info_off,
					  req.info_len, data, &dlen);
		if (status == RNDIS_STATUS_NOT_SUPPORTED)
			nv_log(d, "query of unsupported OID 0x%08x", req.oid);
		n = rndis_encode_query_cmplt(out, sizeof(out), req.req_id,
					     status, data, dlen);
		break;
	case RNDIS_MSG_SET:
		d->stats.rndis_sets++;
		if (status == RNDIS_STATUS_SUCCESS)
			status = nv_set(d, req.oid, msg + req.info_off,
					req.info_len);
		if (status != RNDIS_STATUS_SUCCESS)
			nv_log(d, "set of OID 0x%08x: status 0x%08x", req.oid,
			       status);
		n = rndis_encode_set_cmplt(out, sizeof(out), req.req_id,
					   status);
		break;
	case RNDIS_MSG_KEEPALIVE:
		n = rndis_encode_keepalive_cmplt(out, sizeof(out), req.req_id,
						 status);
		break;
	case RNDIS_MSG_RESET:
		/* Settings survive a reset: addressing_reset 0. */
		n = rndis_encode_reset_cmplt(out, sizeof(out), status, 0);
		break;
	default:
		return;
	}
	if (n > 0)
		nv_ctrl_queue(d, out, (uint32_t)n);
}

void
nv_rndis_indicate(struct netvsp_dev *d, uint32_t status, const void *buf,
		  uint32_t len)
{
	uint8_t out[NV_CTRL_MAX];
	int n;

	n = rndis_encode_indicate(out, sizeof(out), status, buf, len);
	if (n > 0)
		nv_ctrl_queue(d, out, (uint32_t)n);
}
