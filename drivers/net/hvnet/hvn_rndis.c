/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * RNDIS control: INITIALIZE, QUERY, SET, HALT. A request is written into
 * the send buffer's control section and sent as SEND_RNDIS_PKT (control
 * channel type) with a control transaction id; the host completes the NVSP
 * request, and the RNDIS answer arrives separately through the receive
 * buffer, matched by its request id (never 0).
 */

#include <errno.h>
#include <string.h>

#include "hvn_ctl.h"

static uint32_t
hvn_rndis_next_id(struct hvn_dev *hv)
{
	if (++hv->rndis_id == 0)
		hv->rndis_id = 1;
	return hv->rndis_id;
}

/*
 * Send one RNDIS control message: from the send buffer's control section
 * when it fits, else GPA-direct from the control path's own page (the host
 * chooses the section size: 68 bytes is legal and holds no RSS table).
 */
static int
hvn_rndis_send(struct hvn_dev *hv, const void *msg, uint32_t len)
{
	struct vmb_gpa_pb pb;
	uint8_t ext[32];
	union nvsp_msg m;
	int ext_len;

	if (hv->txbuf == NULL)
		return -EINVAL;
	if (len <= hv->tx_sec_size) {
		memcpy(hv->txbuf + (size_t)hv->ctl_sec * hv->tx_sec_size, msg,
		       len);
		nvsp_encode_rndis_pkt(&m, sizeof(m), NVSP_RNDIS_CHAN_CONTROL,
				      hv->ctl_sec, len);
		return hvn_ctl_send(hv, VMB_PKT_DATA_INBAND, VMB_PKT_FLAG_RC,
				    hv->w.xid, &m, NVSP_MSG_SIZE);
	}
	if (len > HVN_CTL_BIG_MAX)
		return -EINVAL;
	memcpy(hv->ctl_big, msg, len);
	pb.len = len;
	pb.offset = (uint32_t)(hv->ctl_big_iova & (VMB_PAGE_SIZE - 1));
	pb.pfn = hv->ctl_big_iova >> VMB_PAGE_SHIFT;
	ext_len = vmb_gpa_pb_encode(ext, sizeof(ext), &pb, 1);
	if (ext_len < 0)
		return ext_len;
	nvsp_encode_rndis_pkt(&m, sizeof(m), NVSP_RNDIS_CHAN_CONTROL,
			      NVSP_SECTION_NONE, 0);
	return hvn_ctl_send_ext(hv, VMB_PKT_DATA_GPA_DIRECT, VMB_PKT_FLAG_RC,
				hv->w.xid, ext, (uint32_t)ext_len, &m,
				NVSP_MSG_SIZE);
}

/* Caller holds the control path. @p req_id 0: no RNDIS answer expected. */
static int
hvn_rndis_exec(struct hvn_dev *hv, const void *msg, uint32_t len,
	       uint32_t req_id)
{
	union nvsp_msg m;
	int rc;

	memset(&hv->w, 0, sizeof(hv->w));
	hv->w.xid = HVN_XID_CTL | ++hv->ctl_seq;
	hv->w.rndis_id = req_id;
	rc = hvn_rndis_send(hv, msg, len);
	if (rc == 0)
		rc = hvn_ctl_wait(hv, HVN_CTL_TIMEOUT_MS);
	hv->w.xid = 0;
	hv->w.rndis_id = 0;
	if (rc != 0)
		return rc;
	if (nvsp_decode(hv->w.cmplt, hv->w.cmplt_len, &m) !=
	    NVSP_TYPE_RNDIS_PKT_CMPLT ||
	    m.rndis_pkt_cmplt.status != NVSP_STATUS_SUCCESS)
		return -EIO;
	return 0;
}

int
hvn_rndis_init(struct hvn_dev *hv)
{
	uint8_t buf[64];
	uint32_t id;
	int rc, n;

	rc = hvn_ctl_acquire(hv);
	if (rc != 0)
		return rc;
	id = hvn_rndis_next_id(hv);
	n = rndis_encode_init(buf, sizeof(buf), id, RNDIS_GUEST_MAX_XFER);
	rc = n < 0 ? n : hvn_rndis_exec(hv, buf, (uint32_t)n, id);
	if (rc == 0) {
		rc = rndis_parse_init_cmplt(hv->w.resp, hv->w.resp_len,
					    &hv->rinit);
		if (rc == 0 && hv->rinit.req_id != id)
			rc = -EPROTO;
	}
	hvn_ctl_release(hv);
	if (rc != 0)
		PMD_INIT_LOG(ERR, "RNDIS INITIALIZE failed: %d", rc);
	return rc;
}

int
hvn_rndis_halt(struct hvn_dev *hv)
{
	uint8_t buf[32];
	int rc, n;

	rc = hvn_ctl_acquire(hv);
	if (rc != 0)
		return rc;
	n = rndis_encode_halt(buf, sizeof(buf), hvn_rndis_next_id(hv));
	rc = n < 0 ? n : hvn_rndis_exec(hv, buf, (uint32_t)n, 0);
	hvn_ctl_release(hv);
	return rc;
}

static int
hvn_rndis_query_locked(struct hvn_dev *hv, uint32_t oid, const void *in,
		       uint32_t in_len, void *out, uint32_t *out_len)
{
	struct rndis_query_result res;
	uint8_t buf[256];
	uint32_t id = hvn_rndis_next_id(hv);
	int rc, n;

	n = rndis_encode_query(buf, sizeof(buf), id, oid, in, in_len);
	if (n < 0)
		return n;
	rc = hvn_rndis_exec(hv, buf, (uint32_t)n, id);
	if (rc != 0)
		return rc;
	rc = rndis_parse_query_cmplt(hv->w.resp, hv->w.resp_len, &res);
	if (rc != 0 || res.req_id != id)
		return -EPROTO;
	if (res.status != RNDIS_STATUS_SUCCESS)
		return res.status == RNDIS_STATUS_NOT_SUPPORTED ? -ENOTSUP :
			-EIO;
	n = (int)RTE_MIN(res.data_len, *out_len);
	memcpy(out, hv->w.resp + res.data_off, (size_t)n);
	*out_len = (uint32_t)n;
	return 0;
}

int
hvn_rndis_query(struct hvn_dev *hv, uint32_t oid, const void *in,
		uint32_t in_len, void *out, uint32_t *out_len)
{
	int rc = hvn_ctl_acquire(hv);

	if (rc != 0)
		return rc;
	rc = hvn_rndis_query_locked(hv, oid, in, in_len, out, out_len);
	hvn_ctl_release(hv);
	return rc;
}

/* One SET exchange: 0 with the host's RNDIS @p status, or the errno of
 * the exchange itself. */
static int
hvn_rndis_set_status(struct hvn_dev *hv, uint32_t oid, const void *in,
		     uint32_t len, uint32_t *status)
{
	uint8_t buf[1024];
	uint32_t id, rid;
	int rc, n;

	rc = hvn_ctl_acquire(hv);
	if (rc != 0)
		return rc;
	id = hvn_rndis_next_id(hv);
	n = rndis_encode_set(buf, sizeof(buf), id, oid, in, len);
	rc = n < 0 ? n : hvn_rndis_exec(hv, buf, (uint32_t)n, id);
	if (rc == 0 &&
	    (rndis_parse_status_cmplt(hv->w.resp, hv->w.resp_len,
				      RNDIS_MSG_SET_CMPLT, &rid, status) != 0 ||
	     rid != id))
		rc = -EPROTO;
	hvn_ctl_release(hv);
	return rc;
}

int
hvn_rndis_set(struct hvn_dev *hv, uint32_t oid, const void *in, uint32_t len)
{
	uint32_t status;
	int rc = hvn_rndis_set_status(hv, oid, in, len, &status);

	if (rc == 0 && status != RNDIS_STATUS_SUCCESS)
		rc = status == RNDIS_STATUS_NOT_SUPPORTED ? -ENOTSUP : -EIO;
	return rc;
}

int
hvn_rndis_set_mac(struct hvn_dev *hv, const struct rte_ether_addr *mac)
{
	uint8_t param[RNDIS_NETADDR_PARAM_LEN];
	uint32_t status;
	int rc, n;

	n = rndis_netaddr_encode(param, sizeof(param), mac->addr_bytes);
	if (n < 0)
		return n;
	rc = hvn_rndis_set_status(hv, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER,
				  param, (uint32_t)n, &status);
	if (rc != 0)
		return rc;
	if (status == RNDIS_STATUS_SUCCESS)
		return 0;
	/* A vSwitch port that forbids MAC changes answers with a failure;
	 * the NIC keeps its address either way. */
	PMD_DRV_LOG(ERR, "port %u: the host refused MAC "
		    RTE_ETHER_ADDR_PRT_FMT " (RNDIS status 0x%08x)",
		    hv->port_id, RTE_ETHER_ADDR_BYTES(mac), status);
	return status == RNDIS_STATUS_NOT_SUPPORTED ? -ENOTSUP : -EPERM;
}

/*
 * After a re-attach the host's new session starts from its own address:
 * put the application's back (the re-attach path calls this once RNDIS
 * is up). On refusal the port keeps the host's address and forgets the
 * application's, so ethdev and the host agree.
 */
int
hvn_mac_restore(struct hvn_dev *hv)
{
	int rc;

	if (rte_is_zero_ether_addr(&hv->mac_set) ||
	    rte_is_same_ether_addr(&hv->mac_set, &hv->mac))
		return 0;
	rc = hvn_rndis_set_mac(hv, &hv->mac_set);
	if (rc != 0) {
		PMD_DRV_LOG(WARNING, "port %u: MAC " RTE_ETHER_ADDR_PRT_FMT
			    " not restored after re-attach (%d); the host's "
			    "address stays", hv->port_id,
			    RTE_ETHER_ADDR_BYTES(&hv->mac_set), rc);
		memset(&hv->mac_set, 0, sizeof(hv->mac_set));
		return rc;
	}
	rte_ether_addr_copy(&hv->mac_set, &hv->mac);
	return 0;
}

static int
hvn_rndis_query_u32(struct hvn_dev *hv, uint32_t oid, uint32_t *v)
{
	uint32_t len = sizeof(*v);
	int rc = hvn_rndis_query(hv, oid, NULL, 0, v, &len);

	if (rc == 0 && len != sizeof(*v))
		rc = -EPROTO;
	return rc;
}

int
hvn_rndis_query_link(struct hvn_dev *hv)
{
	uint32_t st, speed;
	int rc;

	rc = hvn_rndis_query_u32(hv, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, &st);
	if (rc != 0)
		return rc;
	__atomic_store_n(&hv->link_up, st == RNDIS_MEDIA_STATE_CONNECTED,
			 __ATOMIC_RELEASE);
	rc = hvn_rndis_query_u32(hv, RNDIS_OID_GEN_LINK_SPEED, &speed);
	if (rc != 0)
		return rc;
	__atomic_store_n(&hv->link_mbps, rndis_link_speed_mbps(speed),
			 __ATOMIC_RELEASE);
	return 0;
}

int
hvn_rndis_set_filter(struct hvn_dev *hv, uint32_t filter)
{
	int rc = hvn_rndis_set(hv, RNDIS_OID_GEN_CURRENT_PACKET_FILTER,
			       &filter, sizeof(filter));

	if (rc == 0)
		hv->filter_set = filter;
	return rc;
}

/* Query what the host offloads, enable checksum and LSO on its side and
 * derive the DPDK capabilities we report and implement. */
int
hvn_rndis_offload_setup(struct hvn_dev *hv)
{
	uint8_t rev = hv->ndis_ver >= NVSP_NDIS_VERSION_6_30 ?
		NDIS_OFFLOAD_REV_3 : NDIS_OFFLOAD_REV_1;
	struct ndis_offload_params p;
	struct ndis_obj_hdr h = {
		.type = NDIS_OBJTYPE_OFFLOAD,
		.revision = rev,
		.size = ndis_offload_size(rev),
	};
	struct ndis_offload *o = &hv->hwcaps;
	uint8_t buf[NDIS_OFFLOAD_SIZE_REV_3 + 16];
	uint32_t len = sizeof(buf);
	uint8_t prev;
	int rc, n;

	hv->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
		RTE_ETH_TX_OFFLOAD_VLAN_INSERT |
		RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	hv->rx_offload_capa = RTE_ETH_RX_OFFLOAD_VLAN_STRIP |
		RTE_ETH_RX_OFFLOAD_SCATTER | RTE_ETH_RX_OFFLOAD_RSS_HASH;
	rc = hvn_rndis_query(hv, RNDIS_OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES,
			     &h, sizeof(h), buf, &len);
	if (rc != 0 || ndis_offload_decode(buf, len, o) < 0) {
		PMD_INIT_LOG(INFO, "no offload capabilities from the host "
			     "(%d): checksums and TSO stay in software", rc);
		return 0;
	}
	hv->hwcaps_ok = true;
	memset(&p, 0, sizeof(p));
	if (o->ip4_tx_flags & NDIS_TXCSUM_CAP_IP4)
		hv->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	if ((o->ip4_tx_flags & NDIS_TXCSUM_CAP_TCP4) &&
	    (o->ip6_tx_flags & NDIS_TXCSUM_CAP_TCP6))
		hv->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	if ((o->ip4_tx_flags & NDIS_TXCSUM_CAP_UDP4) &&
	    (o->ip6_tx_flags & NDIS_TXCSUM_CAP_UDP6))
		hv->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	if (o->lsov2_ip4_max_size != 0 && o->lsov2_ip6_max_size != 0)
		hv->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
	if (o->ip4_rx_flags & NDIS_TXCSUM_CAP_IP4)
		hv->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	if (o->ip4_rx_flags & NDIS_TXCSUM_CAP_TCP4)
		hv->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	if (o->ip4_rx_flags & NDIS_TXCSUM_CAP_UDP4)
		hv->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	/* RSC: NVSP 6.1 and a host that coalesces IPv4 or IPv6. */
	if (hv->nvsp_ver >= NVSP_VERSION_61 && (o->rsc_ip4 || o->rsc_ip6))
		hv->rx_offload_capa |= RTE_ETH_RX_OFFLOAD_TCP_LRO;

	p.ip4_csum = NDIS_OFFLOAD_PARAM_TX_RX_ON;
	p.tcp4_csum = NDIS_OFFLOAD_PARAM_TX_RX_ON;
	p.udp4_csum = NDIS_OFFLOAD_PARAM_TX_RX_ON;
	p.tcp6_csum = NDIS_OFFLOAD_PARAM_TX_RX_ON;
	p.udp6_csum = NDIS_OFFLOAD_PARAM_TX_RX_ON;
	if (hv->tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO) {
		p.lsov2_ip4 = NDIS_OFFLOAD_PARAM_ON;
		p.lsov2_ip6 = NDIS_OFFLOAD_PARAM_ON;
	}
	prev = hv->ndis_ver >= NVSP_NDIS_VERSION_6_30 ?
		NDIS_OFFLOAD_PARAMS_REV_3 : NDIS_OFFLOAD_PARAMS_REV_2;
	n = ndis_offload_params_encode(buf, sizeof(buf), &p, prev);
	if (n < 0)
		return n;
	rc = hvn_rndis_set(hv, RNDIS_OID_TCP_OFFLOAD_PARAMETERS, buf,
			   (uint32_t)n);
	if (rc != 0) {
		PMD_INIT_LOG(WARNING, "host refused offload parameters (%d)",
			     rc);
		hv->tx_offload_capa &= RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
			RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
		hv->rx_offload_capa &= RTE_ETH_RX_OFFLOAD_VLAN_STRIP |
			RTE_ETH_RX_OFFLOAD_SCATTER |
			RTE_ETH_RX_OFFLOAD_RSS_HASH;
	}
	return 0;
}

/*
 * Ask the host to coalesce TCP segments (RSC), or to stop: offload
 * parameters that change nothing but the RSC fields, for the IP versions
 * the host can coalesce.
 */
int
hvn_rndis_rsc(struct hvn_dev *hv, bool on)
{
	uint8_t v = on ? NDIS_OFFLOAD_PARAM_ON : NDIS_OFFLOAD_PARAM_OFF;
	struct ndis_offload_params p;
	uint8_t buf[NDIS_OFFLOAD_PARAMS_SIZE_REV_3];
	int rc, n;

	if (on == hv->rsc_on)
		return 0;
	if (on && !(hv->rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO))
		return -ENOTSUP;
	memset(&p, 0, sizeof(p));
	p.rsc_ip4 = hv->hwcaps.rsc_ip4 ? v : NDIS_OFFLOAD_PARAM_NO_CHANGE;
	p.rsc_ip6 = hv->hwcaps.rsc_ip6 ? v : NDIS_OFFLOAD_PARAM_NO_CHANGE;
	n = ndis_offload_params_encode(buf, sizeof(buf), &p,
				       NDIS_OFFLOAD_PARAMS_REV_3);
	if (n < 0)
		return n;
	rc = hvn_rndis_set(hv, RNDIS_OID_TCP_OFFLOAD_PARAMETERS, buf,
			   (uint32_t)n);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "port %u: host refused to %s RSC (LRO): %d",
			    hv->port_id, on ? "start" : "stop", rc);
		return rc;
	}
	hv->rsc_on = on;
	return 0;
}

/* The packet filter for the port's promiscuous and all-multicast modes. */
static const uint32_t hvn_filter_normal = RNDIS_PACKET_FILTER_DIRECTED |
	RNDIS_PACKET_FILTER_MULTICAST | RNDIS_PACKET_FILTER_BROADCAST;

uint32_t
hvn_filter_of(bool promisc, bool allmulti)
{
	if (promisc)
		return RNDIS_PACKET_FILTER_PROMISCUOUS;
	if (allmulti)
		return hvn_filter_normal | RNDIS_PACKET_FILTER_ALL_MULTICAST;
	return hvn_filter_normal;
}
