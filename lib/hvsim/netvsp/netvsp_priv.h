/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Private state of the hvsim netvsp NIC model. Everything runs on the host
 * thread (see hvsim_dev.h): no locking except the NIC registry the switch
 * port uses to find its peer.
 *
 * Files: nv_common.c (log, NVSP send, NIC registry), netvsp_dev.c (ops
 * table, per-NIC state, dispatch), nvsp_host.c
 * (NVSP control), rndis_host.c (RNDIS control, OIDs), rxbuf.c (receive
 * sections, transfer-page delivery), txpath.c (send-buffer / GPA sends,
 * aggregates, TX offloads), offload.c (checksums, VLAN, LSO), rss_host.c
 * (RSS state and steering), ports.c / port_gen.c / port_pcap.c (what sits
 * behind the NIC), misbehave.c (what a test asks the host to get wrong).
 */

#ifndef HVSIM_NETVSP_PRIV_H
#define HVSIM_NETVSP_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hv_clock.h"
#include "hvsim_dev.h"
#include "hvsim_netvsp.h"
#include "ndis.h"
#include "nvsp.h"
#include "rndis.h"
#include "rss.h"
#include "vmb_pkt.h"

#define NV_MAX_QUEUES		64
/** Ranges per transfer-page packet: a vSwitch batches hundreds. */
#define NV_RX_BATCH_MAX		256
/** Sections kept back from data so control responses always find one. */
#define NV_RX_CTRL_RESERVE	16
/** Room for the RNDIS header in a receive section, ahead of the frame, and
 * the unusable tail openvmm keeps (protocol.rst 5.5). */
#define NV_RX_SEC_HEADROOM	256
#define NV_RX_SEC_TAIL		36
/** Room data batches leave free in the host -> guest ring (at most a
 * quarter of it) so completions of guest requests always fit: otherwise a
 * guest whose ring towards the host is full of requests and receive
 * completions, and a host whose ring towards the guest is full of frames,
 * wait for each other. */
#define NV_RX_RING_RESERVE	8192
/** Section size of the send buffer (Hyper-V and openvmm). */
#define NV_SEND_SECTION_SIZE	6144
/** Largest RNDIS request (send-buffer bytes + GPA ranges) accepted: an LSO
 * frame of 64 KiB plus headers, with slack. */
#define NV_TX_MAX_BYTES		(128u * 1024u)
/** Largest GPA-direct extended header accepted. */
#define NV_TX_MAX_EXT		(16u * 1024u)
/** Largest RNDIS control response. */
#define NV_CTRL_MAX		512
/** Responses and indications waiting for a section or ring room. */
#define NV_CTRL_QUEUE		32
/** Aggregated packets per request the host announces (INIT_CMPLT), unless
 * a test asks for fewer (hvsim_netvsp_rndis_agg()). */
#define NV_RNDIS_MAX_PKTS	8
#define NV_RNDIS_ALIGN_SHIFT	3
/** max_transfer_size announced: "big" as openvmm. */
#define NV_RNDIS_MAX_XFER	0xEFFFFFFFu
/** Log lines per NIC for data-path errors before going quiet. */
#define NV_LOG_BUDGET		32

/** Receive-section states. */
enum {
	NV_SEC_FREE = 0,
	NV_SEC_FILLING,		/**< in a batch not yet sent */
	NV_SEC_INFLIGHT,	/**< sent, waiting for the guest's completion */
};

/** PACKET_MSG header and PPIs of a received frame, built once per PPI set
 * with lib/netvsp's builder; per frame only the values are patched. */
struct nv_rx_tmpl {
	uint8_t hdr[sizeof(struct rndis_packet) + 4 * RNDIS_PPI_U32_SIZE];
	uint32_t len;		/**< header + PPIs: where the frame starts */
	uint32_t csum_at, vlan_at, hash_at, hinfo_at;	/**< PPI values */
};

/** Template index bits. */
#define NV_TMPL_VLAN	1
#define NV_TMPL_HASH	2

/** Receive buffer: sections, the free stack, per-batch section lists. */
struct nv_rxbuf {
	uint8_t *base;
	uint64_t size;
	uint32_t gpadl;
	uint16_t id;
	bool on;
	uint32_t sec_size;
	uint32_t sec_count;
	uint32_t n_free;
	uint32_t *free;		/**< LIFO: the warmest section is reused first */
	uint32_t *next;		/**< next section of the same batch */
	uint8_t *state;		/**< NV_SEC_* */
	uint8_t *owner;		/**< channel index of an in-flight batch head */
	/* NVSP SEND_RNDIS_PKT bodies of data and control transfer-page
	 * packets: the same for every packet, built once. */
	uint8_t nvsp_data[NVSP_MSG_SIZE];
	uint8_t nvsp_ctrl[NVSP_MSG_SIZE];
	struct nv_rx_tmpl tmpl[4];	/**< by NV_TMPL_* */
};

#define NV_SEC_END	UINT32_MAX

struct nv_sendbuf {
	const uint8_t *base;
	uint64_t size;
	uint32_t gpadl;
	uint32_t sec_size;
	uint32_t sec_count;
	bool on;
};

/** One open channel (primary = index 0). */
/**
 * The coalescing unit of one channel (rsc.c): the first segment's
 * headers, then every segment's payload; it lives until the end of the
 * host iteration that started it, or until a segment does not fit it.
 */
struct nv_rsc {
	uint8_t *buf;		/**< NV_RSC_BUF bytes, allocated on first use */
	uint32_t len;		/**< frame bytes so far; 0: no unit */
	uint32_t segs;
	uint32_t l4, hdr;	/**< TCP header offset, headers' length */
	bool v6;
	uint32_t next_seq;	/**< the sequence number that continues it */
	uint32_t csum;		/**< RNDIS_RXCSUM_* of its segments */
	uint32_t hash, htype;
	uint16_t pkt_id;
};

struct nv_chan {
	struct hvsim_chan *c;
	uint16_t idx;
	bool batching;		/**< hvsim_chan_batch_begin() active */
	/** Still open when its primary closed (a host rescind of the
	 *  primary alone): its session is gone. */
	bool orphaned;
	uint32_t room_max;	/**< largest ring room seen: ~ the ring size */
	/* the data batch being built */
	uint32_t n_rng;
	uint32_t head;		/**< first section: the transaction id */
	uint32_t tail;
	uint64_t rng_bytes;
	uint32_t rng_pkts;	/**< frames in it (an RSC unit is one) */
	struct nv_rsc rsc;
	struct vmb_xfer_range rng[NV_RX_BATCH_MAX];
	uint8_t ext[sizeof(struct vmb_xfer_hdr) +
		    NV_RX_BATCH_MAX * sizeof(struct vmb_xfer_range)];
};

/** Frame metadata between the TX path, the ports and the RX path. */
struct nv_frame {
	uint8_t *data;		/**< Ethernet frame without the 802.1Q tag
				 *   when has_vlan is set */
	uint32_t len;
	uint16_t vlan_tci;
	bool has_vlan;
	uint32_t csum_good;	/**< RNDIS_RXCSUM_*_OK known to hold */
	uint16_t src_queue;	/**< channel the guest sent it on */
};

struct nv_rss {
	bool enabled;
	uint32_t hash_info;	/**< function | NDIS_HASH_* types */
	uint32_t table_len;
	uint32_t mask;		/**< table_len - 1 when a power of two, else 0 */
	uint32_t table[NDIS_RSS_TABLE_MAX];
	uint8_t key[NDIS_RSS_KEY_SIZE];
	struct hv_rss_tbl tbl;	/**< Toeplitz table of key */
};

/** Current offload settings (NDIS_OFFLOAD_PARAM_* per field). */
struct nv_offload {
	bool rx_ip4, rx_tcp4, rx_udp4, rx_tcp6, rx_udp6;
	bool tx_ip4, tx_tcp4, tx_udp4, tx_tcp6, tx_udp6;
	bool lso4, lso6;
	bool rsc4, rsc6;	/**< receive segment coalescing (rsc.c) */
};


struct nv_gen;
struct nv_pcap;

/** A data completion kept back (hvsim_netvsp_hold_cmplt()). */
struct nv_held {
	uint64_t xid;
	uint16_t chan;		/**< channel index the request came on */
};

/** Most completions held at once; beyond it they are sent as usual. */
#define NV_HELD_MAX		16384

/**
 * Misbehaviour a test asked for (misbehave.c, hvsim_netvsp.h). The
 * caller's words are read and written with atomics; a request (release
 * held completions, send junk) is published by bumping req after its
 * parameters, and finished by the host thread storing done = req.
 */
struct nv_misbehave {
	uint32_t send_sec;	/**< caller: section size to announce, 0 = normal */
	uint32_t agg;		/**< caller: max packets | align shift << 16,
				 *   0 = normal */
	uint32_t hold;		/**< caller: keep data completions */
	uint32_t held_n;	/**< host: completions held, for the caller */
	uint32_t req, done;	/**< request sequence numbers */
	uint32_t rq_what;	/**< NV_MB_RELEASE or NV_MB_JUNK + kind */
	uint32_t rq_chan, rq_count;
	bool rq_keep;
	uint8_t rq_msg[HVSIM_SEND_TABLE_MSG_MAX];	/**< NV_MB_TABLE */
	uint32_t rq_msg_len;
	uint32_t rsc_mangle;	/**< caller: enum hvsim_netvsp_rsc_mangle + 1
				 *   for the next RSC unit, taken by the host */
	int32_t rq_result;	/**< host: the request's result */
	/* host thread only */
	uint32_t busy;		/**< request being worked on, 0 = none */
	uint32_t pos, left, sent;
	struct nv_held *held;	/**< NV_HELD_MAX entries, allocated on hold */
};

/** What the hostile host keeps between two of its choices. */
struct nv_hostile {
	uint64_t stale_xid;	/**< a completion sent before, to replay */
	uint16_t stale_chan;
	bool stale_set;
};

#define NV_MB_RELEASE		1u
#define NV_MB_TABLE		2u
#define NV_MB_JUNK		16u

struct netvsp_dev {
	struct hvsim *h;
	unsigned int nic;
	struct hvsim_nic_config cfg;
	uint8_t mac[6];		/**< current (NetworkAddress may change it) */
	uint8_t perm_mac[6];
	uint32_t max_queues;
	uint32_t log_budget;

	struct nv_chan *ch[NV_MAX_QUEUES];
	uint32_t n_open;
	uint32_t ch_end;	/**< 1 + highest open channel index */

	/* NVSP */
	uint32_t nvsp_ver;	/**< 0 until INIT succeeded */
	uint32_t ndis_ver;
	uint32_t ndis_mtu;	/**< L2 frame size from NDIS_CONFIG, 0 if none */
	uint64_t ndis_caps;
	struct nv_rxbuf rx;
	struct nv_sendbuf sb;
	uint32_t subch_granted;
	bool send_table_due;
	bool datapath_vf;

	/* RNDIS */
	bool rndis_up;
	uint32_t agg_max;	/**< packets per request announced (<= 8) */
	uint32_t agg_shift;	/**< alignment announced, log2 */
	uint32_t filter;
	uint32_t guest_max_xfer;
	struct nv_offload off;
	struct nv_rss rss;
	uint32_t rx_gen;	/**< bumped when RSS, offloads or MAC change:
				 *   the generator rebuilds its frames */
	uint8_t ctrl_q[NV_CTRL_QUEUE][NV_CTRL_MAX];
	uint32_t ctrl_len[NV_CTRL_QUEUE];
	uint32_t ctrl_head, ctrl_n;

	/* link and VF */
	bool link_up;
	bool vf_present;
	uint32_t vf_serial;
	bool vf_msg_due;	/**< association state changed */
	bool vf_announced;	/**< the guest was told allocated = 1 */
	uint32_t vf_announced_serial;	/**< ... with this serial */

	/* ports */
	struct netvsp_dev *peer;	/**< switch port, found on first use */
	struct nv_gen *gen;
	struct nv_pcap *pcap;
	uint64_t now_ns;	/**< clock of the current poll */
	uint64_t tx_now_ns;	/**< clock of the current send request, read
				 *   lazily by the sink (0 = not yet) */

	struct hvsim_nic_stats stats;
	struct nv_misbehave mb;
	/* RSC while the guest has it on (rsc.c's nv_rsc_add), else NULL:
	 * passed down so that the receive path calls nothing above it. */
	int (*coalesce)(struct netvsp_dev *d, struct nv_chan *ch,
			const uint8_t *data, uint32_t len, uint32_t csum,
			uint32_t hash, uint32_t htype);
	struct nv_hostile hostile;
	const uint32_t *hostile_classes;	/**< hvsim_dev_hostile_classes() */

	uint8_t *txbuf;		/**< gathered RNDIS request (private copy) */
	uint8_t *segbuf;	/**< LSO segment scratch */
	uint8_t *gpabuf;	/**< GPA-direct descriptor + ranges copy */
	struct netvsp_dev *reg_next;
};

/* ---- nv_common.c ---- */
void nv_log(struct netvsp_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Data-path log: quiet after NV_LOG_BUDGET lines. */
void nv_log_dp(struct netvsp_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** The NIC @p nic of host @p h, for the switch port; NULL if none. */
struct netvsp_dev *nv_dev_lookup(struct hvsim *h, unsigned int nic);
void nv_dev_register(struct netvsp_dev *d);
void nv_dev_unregister(struct netvsp_dev *d);
/** Send an NVSP message in-band or as a completion on @p ch. */
int nv_send_nvsp(struct nv_chan *ch, uint16_t type, uint64_t xid,
		 const void *msg, uint32_t len);

/* ---- netvsp_dev.c ---- */
/** Forget the guest's session (primary closed or rescinded). */
void nv_session_reset(struct netvsp_dev *d);

/* ---- nvsp_host.c ---- */
int nv_nvsp_inband(struct netvsp_dev *d, struct nv_chan *ch,
		   const struct hvsim_pkt *p);
/** Send what became due: indirection table, VF association. */
int nv_nvsp_poll(struct netvsp_dev *d);

/* ---- rndis_host.c ---- */
void nv_rndis_reset(struct netvsp_dev *d);
/** A control request (private copy in @p msg); the 108 completion was
 * already sent. */
void nv_rndis_control(struct netvsp_dev *d, const uint8_t *msg, uint32_t len);
/** Validate a control request enough to choose the NVSP status. */
uint32_t nv_rndis_control_status(struct netvsp_dev *d, const uint8_t *msg,
				 uint32_t len);
/** Queue an INDICATE_STATUS. */
void nv_rndis_indicate(struct netvsp_dev *d, uint32_t status,
		       const void *buf, uint32_t len);

/* ---- rxbuf.c ---- */
int nv_rxbuf_connect(struct netvsp_dev *d, struct nv_chan *ch, uint32_t gpadl,
		     uint16_t id, uint32_t *sec_size, uint32_t *sec_count);
void nv_rxbuf_revoke(struct netvsp_dev *d);
/** Take a free section; @p control may dip into the reserve. UINT32_MAX
 * when none. */
uint32_t nv_rx_sec_get(struct netvsp_dev *d, bool control);
static inline uint8_t *
nv_rx_sec_ptr(const struct netvsp_dev *d, uint32_t sec)
{
	return d->rx.base + (uint64_t)sec * d->rx.sec_size;
}
/** Add a filled section of @p len bytes to @p ch's data batch (flushes a
 * full batch). */
void nv_rx_batch_add(struct netvsp_dev *d, struct nv_chan *ch, uint32_t sec,
		     uint32_t len);
/** Send @p ch's data batch. 0, or -EAGAIN (kept for the next poll). */
int nv_rx_flush(struct netvsp_dev *d, struct nv_chan *ch);
/** The guest completed transfer-page packet @p xid on @p ch. */
void nv_rx_complete(struct netvsp_dev *d, struct nv_chan *ch, uint64_t xid,
		    const struct hvsim_pkt *p);
/** Free the sections of batches in flight on (or being built for) @p ch. */
void nv_rx_chan_drop(struct netvsp_dev *d, struct nv_chan *ch);
/** Queue a control message (response / indication) for the primary. */
int nv_ctrl_queue(struct netvsp_dev *d, const void *msg, uint32_t len);
/** Send queued control messages; returns how many went out. */
int nv_ctrl_flush(struct netvsp_dev *d);
/** Deliver one frame to the guest: filter, RSS, PPIs. 0, -ENOBUFS (no
 * section: retry later or drop), -EPERM (filtered / not ready). */
int nv_rx_deliver(struct netvsp_dev *d, const struct nv_frame *f);
/** Write one frame into a section of @p ch's batch (the frame fits). */
int nv_rx_put(struct netvsp_dev *d, struct nv_chan *ch, const uint8_t *data,
	      uint32_t len, bool strip, bool vlan, uint16_t tci, uint32_t csum,
	      uint32_t hash, uint32_t htype);

/* ---- rsc.c ---- */
/** Coalesce a frame into @p ch's unit: 0 taken, 1 not a frame to
 * coalesce (the unit went out first, so order holds). */
int nv_rsc_add(struct netvsp_dev *d, struct nv_chan *ch, const uint8_t *data,
	       uint32_t len, uint32_t csum, uint32_t hash, uint32_t htype);
/** Deliver @p ch's unit, if any, into its batch. */
void nv_rsc_flush(struct netvsp_dev *d, struct nv_chan *ch);
/** Forget @p ch's unit and free its buffer (channel closing). */
void nv_rsc_fini(struct nv_chan *ch);
/** Packet-filter check of a destination MAC. */
bool nv_rx_filter_pass(const struct netvsp_dev *d, const uint8_t *dst);
/** True when the guest can take data (RNDIS up, filter set, buffer on). */
static inline bool
nv_rx_ready(const struct netvsp_dev *d)
{
	return d->rx.on && d->rndis_up && d->filter != 0 && d->ch[0] != NULL;
}
/** Channel for queue @p q: open, else the primary. */
struct nv_chan *nv_rx_chan(struct netvsp_dev *d, uint32_t q);

/* ---- txpath.c ---- */
int nv_tx_request(struct netvsp_dev *d, struct nv_chan *ch,
		  const struct hvsim_pkt *p, const struct nvsp_rndis_pkt *req);

/* ---- nv_hostile.c: hostile mode's choices (hvsim_dev_hostile()) ---- */
/** Send-buffer sections of a buffer of @p len bytes: what to @p announce
 * and what to @p use (both come in honest). */
void nv_hostile_send_section(struct netvsp_dev *d, uint64_t len,
			     uint32_t *announce, uint32_t *use);
/** Receive-buffer section size the host uses instead of @p sec. */
uint32_t nv_hostile_recv_section(struct netvsp_dev *d, uint64_t len,
				 uint32_t sec);
/** Make the encoded RECV_BUF_CMPLT @p msg lie about the layout. */
void nv_hostile_recv_layout(struct netvsp_dev *d, void *msg);

/** Make the transfer-page packet extension @p ext (@p elen bytes, encoded)
 * lie: ranges that overlap or run off the buffer, a wrong count or set. */
void nv_hostile_xfer(struct netvsp_dev *d, uint8_t *ext, uint32_t elen);
/** Make the RNDIS packet @p p (@p len bytes, in its receive section) lie
 * about its lengths and PPI list. */
void nv_hostile_rndis_pkt(struct netvsp_dev *d, uint8_t *p, uint32_t len);
/** Send the completion of data request @p xid on @p ch - or twice, after a
 * forged or out-of-range one, with a stale one, or never. */
int nv_hostile_cmplt(struct netvsp_dev *d, struct nv_chan *ch, uint64_t xid,
		     const void *msg, uint32_t len);

/** Class @p c of hostile mode on: a test on a fast path, no call. */
static inline bool
nv_hostile_on(const struct netvsp_dev *d, enum hvsim_hostile_class c)
{
	return (*d->hostile_classes & (1u << c)) != 0;
}

/* ---- misbehave.c ---- */
/** Send-buffer section size to announce. */
uint32_t nv_mb_send_section(const struct netvsp_dev *d);
/** Packets per request and alignment (log2) to announce at RNDIS INIT. */
void nv_mb_rndis_agg(const struct netvsp_dev *d, uint32_t *max_pkts,
		     uint32_t *shift);
/** Keep the completion of data request @p p on @p ch instead of sending
 * it: true when kept. */
bool nv_mb_hold(struct netvsp_dev *d, const struct nv_chan *ch,
		const struct hvsim_pkt *p);
/** Work on a pending request; returns the work done. */
int nv_mb_poll(struct netvsp_dev *d);
void nv_mb_fini(struct netvsp_dev *d);

/* ---- offload.c ---- */
/** Offset of the L3 header (after at most one in-frame 802.1Q tag) and
 * its ethertype; 0 if the frame is too short. */
uint32_t nv_l3_offset(const uint8_t *frame, uint32_t len, uint16_t *etype);
/** Compute the checksums a transmit checksum PPI asks for, in place.
 * Returns the RNDIS_RXCSUM_*_OK bits now known good, or -EINVAL. */
int nv_tx_csum(uint8_t *frame, uint32_t len, uint32_t ppi);
/** Verify a frame's IPv4 / TCP / UDP checksums (RNDIS_RXCSUM_* result). */
uint32_t nv_rx_csum_verify(const struct netvsp_dev *d, const uint8_t *frame,
			   uint32_t len);
/** Where nv_tx_lso() hands each segment (the port, for the transmit path). */
typedef void (*nv_frame_out_t)(struct netvsp_dev *d, const struct nv_frame *f);
/** Split an LSO frame into MSS-sized frames, each handed to @p out. */
int nv_tx_lso(struct netvsp_dev *d, const struct nv_frame *f, uint32_t ppi,
	      nv_frame_out_t out);
/** Build the frame with its 802.1Q tag back in (for pcap / sink). Returns
 * the length written to @p out (at most @p cap). */
uint32_t nv_frame_tagged(const struct nv_frame *f, uint8_t *out, uint32_t cap);
/** 16-bit ones' complement sum helpers (host byte order result). */
uint32_t nv_csum_partial(const void *buf, uint32_t len, uint32_t sum);
uint16_t nv_csum_fold(uint32_t sum);

/* ---- rss_host.c ---- */
void nv_rss_reset(struct netvsp_dev *d);
/** SET RECEIVE_SCALE_PARAMETERS; returns an RNDIS status. */
uint32_t nv_rss_set(struct netvsp_dev *d, const uint8_t *obj, uint32_t len);
/** Queue for a frame; fills hash/type when RSS applies. */
uint32_t nv_rss_pick(const struct netvsp_dev *d, const uint8_t *frame,
		     uint32_t len, uint32_t *hash, uint32_t *type);
static inline uint32_t
nv_rss_queue(const struct nv_rss *r, uint32_t hash)
{
	if (r->mask != 0)
		return r->table[hash & r->mask];
	return hv_rss_indirect(r->table, r->table_len, hash);
}

/* ---- ports.c ---- */
int nv_port_init(struct netvsp_dev *d);
void nv_port_fini(struct netvsp_dev *d);
/** A frame the guest sent. */
void nv_port_tx(struct netvsp_dev *d, const struct nv_frame *f);
/** Work of the port on a host iteration (generator, pcap in). */
int nv_port_poll(struct netvsp_dev *d);

/* ---- port_gen.c ---- */
int nv_gen_init(struct netvsp_dev *d, const struct hvsim_gen_config *cfg);
void nv_gen_fini(struct netvsp_dev *d);
int nv_gen_poll(struct netvsp_dev *d);
/** @p n frames (@p data, @p len) reached the sink: latency of ours. */
void nv_gen_sink(struct netvsp_dev *d, const uint8_t *const *data,
		 const uint32_t *len, uint32_t n);
void nv_gen_stats(const struct netvsp_dev *d, struct hvsim_nic_stats *st);

/* ---- port_pcap.c ---- */
int nv_pcap_init(struct netvsp_dev *d, const char *in, const char *out);
void nv_pcap_fini(struct netvsp_dev *d);
int nv_pcap_poll(struct netvsp_dev *d);
void nv_pcap_write(struct netvsp_dev *d, const struct nv_frame *f);

#endif /* HVSIM_NETVSP_PRIV_H */
