/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * net_hvnet private definitions: the device, its queues, and the functions
 * the files of the driver share. Protocol constants come from lib/netvsp
 * (nvsp.h, rndis.h, ndis.h) and lib/vmbus; none is defined here again.
 */

#ifndef HVN_H
#define HVN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>
#include <ethdev_driver.h>

#include "rte_bus_hvbus.h"
#include "epoch.h"
#include "vmb_pkt.h"
#include "vmb_ring.h"
#include "nvsp.h"
#include "rndis.h"
#include "ndis.h"
#include "hvn_rxparse.h"

#define HVN_DRIVER_NAME		net_hvnet
#define HVN_MAX_QUEUES		HVBUS_MAX_CHAN
#define HVN_RETA_SIZE		NDIS_RSS_TABLE_MAX
#define HVN_MAX_MTU		9000u
#define HVN_MIN_MTU		RTE_ETHER_MIN_MTU
/* L2 frame size given to the host in NDIS_CONFIG: jumbo frames fit. */
#define HVN_NDIS_FRAME		(HVN_MAX_MTU + RTE_ETHER_HDR_LEN)

/* Transaction ids. Control requests set this bit plus a sequence number;
 * transmit requests never do (hvn_txd.h); receive completions echo the
 * host's id. */
#define HVN_XID_CTL		(UINT64_C(1) << 63)

#define HVN_CTL_TIMEOUT_MS	5000u
/* Largest RNDIS control message (the RSS parameters are about 600
 * bytes); one that does not fit the host's send-buffer section goes
 * GPA-direct from a buffer of this size, one page. */
#define HVN_CTL_BIG_MAX		4096u
/* Largest ring packet the driver copies out: a transfer-page packet with
 * the 562 ranges RSC allows, plus its NVSP body. */
#define HVN_RX_PKT_MAX		8192u
/* Frames the control path took off channel 0 for rx queue 0 while it
 * owned it (hvn_rx_ctl_frames()). */
#define HVN_RX_HELD		1024u
/*
 * Budgets of the loops the host feeds: ring packets one call reads at
 * most, whatever they are (frames, completions, messages, packets too big
 * to copy, packets carrying no frame). A host that keeps write_index
 * moving then cannot hold a burst or the control caller; what is left
 * waits for the next call, and each cut is counted (budget_cut).
 *
 * Rx burst: a transfer-page packet carries frames by the hundred, so a
 * burst that stops for its budget has met mostly other traffic (a shared
 * channel's tx completions, one per descriptor); 256 packets is ~20 us of
 * work and still several bursts' worth of completions.
 */
#define HVN_RX_RING_BUDGET	256u
/* Tx burst, own channel: completions reaped before sending. Twice the
 * largest burst DPDK applications use (256), so descriptors come back
 * faster than a burst takes them. */
#define HVN_TX_REAP_BUDGET	512u
/* Control path: packets per poll of a channel; the caller checks its
 * deadline between polls. */
#define HVN_CTL_POLL_BUDGET	64u
/* Room for the RNDIS header and PPIs of one transmitted packet. */
#define HVN_TX_HDR_SIZE		256u
/* RNDIS header + hash-value PPI of a frame without offloads. */
#define HVN_TX_TMPL_SIZE	60u
/* Most that hvn_tx_hdr() writes ahead of a frame: the RNDIS header and
 * the hash-value, VLAN and checksum-or-LSO PPIs. A send-buffer section
 * holds a copied frame of at most its size less this. */
#define HVN_TX_HDR_MAX	((uint32_t)sizeof(struct rndis_packet) + \
			 3u * (uint32_t)RNDIS_PPI_U32_SIZE)
/* Zero-copy receive: the share of the receive sections the application
 * may hold (1/DIV). */
#define HVN_ZC_HOLD_DIV		2u
/* Page ranges per GPA-direct packet (header + split segments). */
#define HVN_TX_MAX_PB		64u

extern int hvn_logtype_init;
extern int hvn_logtype_driver;
extern int hvn_logtype_rx;
extern int hvn_logtype_tx;

#define HVN_LOG(level, type, fmt, ...)					\
	rte_log(RTE_LOG_ ## level, hvn_logtype_ ## type,		\
		"hvnet: " fmt "\n", ##__VA_ARGS__)
#define PMD_INIT_LOG(level, fmt, ...) HVN_LOG(level, init, fmt, ##__VA_ARGS__)
#define PMD_DRV_LOG(level, fmt, ...) HVN_LOG(level, driver, fmt, ##__VA_ARGS__)

/*
 * Lines per second one source of datapath messages may log: a message the
 * host sends per ring packet must not flood the log. What is held back is
 * counted (xstat log_suppressed).
 */
#define HVN_LOG_PER_SEC		5u

struct hvn_log_limit {
	uint64_t window_end;	/* timer cycles */
	uint32_t left;		/* lines left in this window */
	uint64_t suppressed;
};

/* hvn_base.c. True when a line may go out now; called only where one
 * would. */
bool hvn_log_allow(struct hvn_log_limit *l);
bool hvn_is_hvnet(const struct rte_eth_dev *eth);
/* The host broke a queue's ring: logged once per queue (@p logged). */
void hvn_ring_broken(bool *logged, uint16_t port, const char *dir,
		     uint16_t qid, int rc);

#define HVN_LOG_LIMITED(lim, level, type, fmt, ...) do {		\
	if (rte_log_can_log(hvn_logtype_ ## type, RTE_LOG_ ## level) &&	\
	    hvn_log_allow(lim))						\
		HVN_LOG(level, type, fmt, ##__VA_ARGS__);		\
} while (0)

/*
 * "The control path owns channel 0", handed between the control path and
 * queue 0's lcores: stored with release by the side that gives the rings
 * away, loaded with acquire by the side that takes them, so the ring state
 * one side left is what the other sees (Arm needs the pairing; on x86 both
 * are plain moves). A struct, so that a plain access does not compile.
 */
struct hvn_handoff {
	uint8_t owned;
};

static inline bool
hvn_handoff_get(const struct hvn_handoff *h)
{
	return __atomic_load_n(&h->owned, __ATOMIC_ACQUIRE) != 0;
}

/* The same load as a word (non-zero: owned), for an idle test that ors
 * several words together. */
static inline uint32_t
hvn_handoff_word(const struct hvn_handoff *h)
{
	return __atomic_load_n(&h->owned, __ATOMIC_ACQUIRE);
}

static inline void
hvn_handoff_set(struct hvn_handoff *h, bool owned)
{
	__atomic_store_n(&h->owned, owned, __ATOMIC_RELEASE);
}

/* Devargs (hvn_devargs.c). */
struct hvn_devargs {
	uint32_t tx_copybreak;	/* bytes; smaller frames are copied */
	uint32_t rx_copybreak;	/* bytes; larger frames are attached */
	uint32_t rx_ring_size;	/* bytes per host->guest ring */
	uint32_t tx_ring_size;	/* bytes per guest->host ring */
	uint32_t recv_buf_mb;
	uint32_t send_buf_mb;
	uint32_t latency;	/* N > 0: publish every N packets, 0: per burst */
	uint32_t persist;	/* keep the port across a rescind */
	uint32_t tx_channels;	/* 1: tx queues on channels of their own */
	char vf[RTE_ETH_NAME_MAX_LEN];	/* VF port to take over; "" = by MAC */
};

int hvn_devargs_parse(const struct rte_devargs *da, struct hvn_devargs *out);

/* Per-queue counters, plain u64 owned by the polling lcore. */
struct hvn_qstats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;	/* malformed host input, bad frames */
	uint64_t dropped;	/* rx: no mbuf / too big; tx: rescinded */
	uint64_t nombuf;
	uint64_t ring_full;	/* tx: ring or descriptors exhausted */
	uint64_t copied;	/* tx: sent from a send-buffer section */
	uint64_t gpa;		/* tx: sent as GPA-direct page ranges */
	uint64_t ctl;		/* rx: control messages/indications seen */
	uint64_t bad_cmplt;	/* completions naming no request in flight */
	uint64_t budget_cut;	/* bursts that stopped at their budget */
	uint64_t vf_packets;	/* of packets/bytes: through the VF */
	uint64_t vf_bytes;
	uint64_t lro;		/* rx: packets the host coalesced (RSC) */
	uint64_t zc;		/* rx: frames attached, not copied */
	uint64_t zc_capped;	/* rx: packets copied: hold cap reached */
};

/* Transmit descriptor: one NVSP request in flight. */
struct hvn_txd {
	/* What the request holds until its completion, one word
	 * (hvn_txd.h): an mbuf, tagged when fast free lets it go back
	 * without a look, or a send-buffer section. Meaningful only while
	 * the request is in flight. */
	uintptr_t own;
	/* The page range of its RNDIS header area as a frame without
	 * offloads uses it (HVN_TX_TMPL_SIZE bytes): the area holds the
	 * queue's template between requests (hvn_txd.h). */
	struct vmb_gpa_pb hdr_pb;
	/* Transaction id of the request in flight, HVN_TXID_NONE when free
	 * (which is also the descriptor's state). Written by the queue's
	 * lcore, read by a shared channel's completer (atomic loads and
	 * stores, relaxed). */
	uint64_t xid;
	/* Completer only: the last id it handed over, so a repeated
	 * completion cannot fill the ring. */
	uint64_t handed;
	uint64_t next;		/* the id of its next request */
} __rte_aligned(64);	/* one line each; its index a shift away */

/*
 * Completed transaction ids, from the reader of channel k's rx ring (rx
 * queue k's burst, or the control path while it owns channel 0) to tx
 * queue k, which alone decides whether they free a descriptor. Single
 * producer, single consumer: plain loads and stores with acquire/release
 * on the indices, no read-modify-write.
 */
struct hvn_cring {
	uint64_t *ids;
	uint32_t mask;
	uint32_t prod __rte_cache_aligned;	/* written by the completer */
	uint32_t cons_seen;			/* the completer's copy */
	uint32_t cons __rte_cache_aligned;	/* written by tx */
};

struct hvn_dev;

/*
 * The VF port a running port forwards through (hvn_vf.c). Bursts reach it
 * only through hvn_dev.vf, loaded inside their reader section; the control
 * side unpublishes it and stops the port after a grace period.
 */
struct hvn_vf {
	uint16_t port_id;
	uint16_t nq;
};

/* Control side of the VF, shared with queued work items (hvn_vf.c). */
struct hvn_vf_ctl;

struct hvn_txq {
	/* Hot line: what every burst reads first. */
	struct epoch_reader rd;
	struct hvbus_chan *const *slot;
	struct hvn_handoff ctl_owned;	/* control path owns channel 0 */
	uint16_t qid;
	uint16_t port_id;
	struct hvn_dev *hv;
	rte_spinlock_t *lock;		/* channel's tx-ring writer lock */
	uint32_t bound_seq;		/* open_seq of the channel bound to */
	volatile uint8_t unbind;	/* set after a rescind's grace period */
	bool own_chan;			/* reads its channel's completions */
	uint32_t session;		/* in every transaction id; new at set-up
					 * and at every unbind */

	struct hvn_txd *txd;
	uint32_t ndesc;
	uint32_t *free_desc;		/* stack of free descriptor ids */
	uint32_t nfree;
	uint32_t *free_sec;		/* stack of free send-buffer sections */
	uint32_t nfree_sec;
	uint32_t sec_cap;		/* room in free_sec */
	uint32_t copybreak;
	/* Send aggregation, from the host's RNDIS INITIALIZE_CMPLT: packets
	 * per request, alignment - 1, bytes per request (<= a section). */
	uint32_t agg_max;
	uint32_t agg_align;
	uint32_t agg_bytes;
	uint32_t pub_every;		/* latency devarg, 0 = once per burst */
	uint8_t *hdrs;			/* HVN_TX_HDR_SIZE per descriptor */
	uint8_t *sbuf;			/* send buffer */
	uint32_t sec_size;
	uint32_t sec_first, sec_n;	/* this queue's sections */
	uint64_t offloads;
	/* RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE: the application promises one
	 * pool, direct mbufs, one reference each. */
	bool fast_free;
	bool broken_logged;
	struct hvn_cring cr;
	uint8_t *pkt;			/* own channel: HVN_RX_PKT_MAX copy */
	uint64_t cmplt_like;		/* own channel: hvn_tx_reap() */
	uint8_t tmpl[64] __rte_aligned(16);	/* hvn_tx_tmpl_init() */
	struct hvn_qstats st;
	struct hvn_log_limit log_lim;
};

/*
 * Zero-copy receive (hvn_zc.c): frames of at least rx_copybreak bytes are
 * attached to their mbufs where they lie in the receive buffer, and the
 * host gets the transfer-page packet that carried them back only once the
 * application has freed every one. One slot per such packet, in the order
 * the packets were read; one shared-info per attached range (a host may
 * name a section twice: storage per range never collides).
 */
struct hvn_zc_rel;

/* In hvn_zc_slot.freed: the slot's frames left out are counted in its
 * release record, and each free gives one back to it (hvn_zc.c). */
#define HVN_ZC_ORPHAN		(UINT32_C(1) << 31)

struct hvn_zc_slot {
	/* Frames of the packet freed, and HVN_ZC_ORPHAN: the only field
	 * another lcore writes (an atomic add in the mbuf's free callback,
	 * an atomic or by the control path). */
	uint32_t freed;
	uint32_t given;		/* frames attached */
	uint16_t nsec;		/* ranges, kept from the host until done */
	uint8_t rc;		/* the host asked for a completion */
	uint8_t open;		/* the packet's ranges are still being taken */
	uint32_t sh_end;	/* shared-info index after its last */
	uint64_t xid;
	/* The release record of the receive buffer its frames are in. */
	struct hvn_zc_rel *rel;
};

/*
 * What frees a session's receive buffer once nothing uses it, whoever is
 * last: the session (refs holds HVN_ZC_REL_BIAS until its buffers are
 * retired) or a frame still attached to it then (one each, given back by
 * its free callback, on any lcore). Allocated with the buffer, its work
 * item too, so the last free allocates nothing (hvn_zc.c).
 */
struct hvn_zc_rel {
	int64_t refs;
	struct hvbus_work *work;	/* queued by the last one */
	uint32_t gpadl;
	uint16_t port_id;
};

struct hvn_zc {
	struct hvn_zc_slot *slot;	/* NULL: zero-copy off for the queue */
	struct rte_mbuf_ext_shared_info *sh;
	uint32_t mask;			/* slots and shared-infos - 1 */
	uint32_t prod, cons;		/* slots read, slots completed */
	uint32_t sh_prod, sh_cons;
	uint32_t live;			/* first slot of the bound session */
	uint32_t secs;			/* ranges held by slots not completed */
	uint32_t cap;			/* most secs: then frames are copied */
	uint32_t min_ml;		/* messages shorter are copied */
	rte_iova_t iova;		/* the receive buffer's */
	struct hvn_zc_rel *rel;		/* and its release record */
};

struct hvn_rxq {
	struct epoch_reader rd;
	struct hvbus_chan *const *slot;
	struct hvn_handoff ctl_owned;
	uint16_t qid;
	uint16_t port_id;
	struct hvn_dev *hv;
	rte_spinlock_t *lock;
	uint32_t bound_seq;		/* open_seq of the channel bound to */
	volatile uint8_t unbind;	/* set after a rescind's grace period */
	/* Read by every idle poll, next to the fields above (see the
	 * comments of held, cur and pend_xid below). */
	uint32_t held_n;
	uint32_t cur_n;
	uint32_t npend;
	uint32_t zc_n;			/* slots not completed */

	struct hvn_txq *txq;		/* tx queue k: gets our completions */
	const uint8_t *rxbuf;
	struct hvn_rx_limits lim;
	struct hvn_rx_layout lay;	/* the host's last data layout */
	struct rte_mempool *mp;
	uint16_t nb_desc;
	uint64_t offloads;
	uint64_t ol_keep;		/* RTE_MBUF_F_EXTERNAL: pinned pool */
	uint32_t mbuf_room;		/* data room after the headroom */
	/* A received mbuf's data_off (0 here), refcnt, nb_segs and port,
	 * stored as one word (hvn_rx.c). */
	uint64_t rearm;
	/* Copy with 32-byte moves (hvn_rx.c): AVX2 there and allowed. */
	bool copy_v32;
	/* The transfer-page packet in progress, when cur_n (its range
	 * count) is not 0: validated once when read, its copy in pkt; the
	 * next burst goes on at range cur_i, and its completion (cur_xid,
	 * if the host asked: cur_rc) is owed once the last range is taken.
	 * Until then the host does not get those sections back. */
	struct hvn_xfer cur;
	uint32_t cur_i;
	bool cur_rc;
	uint64_t cur_xid;
	/* Its zero-copy slot, NULL when its frames are copied. */
	struct hvn_zc_slot *cur_slot;
	bool zc_on;			/* attach in this session */
	uint32_t zc_copybreak;		/* rx_copybreak */
	struct hvn_zc zc;
	/* Rx queue 0 only: frames the control path met while it owned
	 * channel 0, for the next bursts (HVN_RX_HELD). */
	struct rte_mbuf **held;
	uint32_t held_head;
	/* Receive completions that found the tx ring full. Room for one per
	 * receive section, the most the host can have outstanding, so the rx
	 * ring is read even while completions cannot be sent: a guest that
	 * stopped reading until it could complete would deadlock with a host
	 * that stops reading until it can write its tx completions. */
	uint64_t *pend_xid;
	uint32_t *pend_st;
	uint32_t pend_cap;
	uint8_t *pkt;			/* HVN_RX_PKT_MAX ring copy */
	bool broken_logged;
	/* RSC: the fragments so far of the packet the host coalesced
	 * (hvn_lro.c), never across transfer-page packets (but across
	 * bursts, with the packet in progress). */
	struct rte_mbuf *lro_head, *lro_tail;
	uint32_t lro_frags;
	uint8_t *scratch;		/* one receive section (scatter) */
	uint32_t scratch_size;
	struct hvn_qstats st;
	struct hvn_log_limit log_lim;
};

/*
 * The host's send indirection table (hvn_sendtbl.c): one writer, channel
 * 0's reader; any thread reads it through the sequence count.
 */
struct hvn_send_tbl {
	uint32_t seq;			/* odd while being written */
	uint32_t present;		/* the host sent one this session */
	uint32_t chan[NVSP_SEND_TABLE_SIZE];
	uint64_t updates;		/* tables taken */
	uint64_t bad;			/* tables refused */
};

/* The control path's view of an outstanding request. */
struct hvn_ctl_wait {
	uint64_t xid;			/* NVSP completion awaited, 0 none */
	bool got_cmplt;
	uint8_t cmplt[NVSP_MSG_SIZE];
	uint32_t cmplt_len;
	uint32_t rndis_id;		/* RNDIS response awaited, 0 none */
	bool got_resp;
	uint8_t resp[1024];
	uint32_t resp_len;
};

/* hvn_dev.vf_host fields. */
#define HVN_VF_ALLOCATED	(UINT64_C(1) << 32)
#define HVN_VF_SEQ_ONE		(UINT64_C(1) << 33)

struct hvn_dev {
	struct rte_hvbus_device *hdev;
	struct rte_eth_dev *eth;
	uint16_t port_id;
	struct hvn_devargs da;

	uint32_t nvsp_ver;
	uint32_t ndis_ver;
	/* Receive buffer */
	uint8_t *rxbuf;
	size_t rxbuf_size;
	uint32_t rxbuf_gpadl;
	bool rxbuf_conn;
	struct hvn_rx_limits rxlim;
	/* Send buffer; its last section is the control section. */
	uint8_t *txbuf;
	size_t txbuf_size;
	uint32_t txbuf_gpadl;
	bool txbuf_conn;
	uint32_t tx_sec_size;
	uint32_t tx_sec_count;
	uint32_t ctl_sec;

	struct rndis_init_info rinit;
	struct rte_ether_addr mac;	/* what the host has */
	struct rte_ether_addr mac_set;	/* the application's; zero if none */
	uint32_t mtu;
	uint32_t max_mtu;
	uint32_t link_up;		/* atomics: rx burst updates them */
	uint32_t link_mbps;
	uint32_t lsc_pending;
	uint32_t max_queues;		/* from RSS capabilities */
	struct ndis_offload hwcaps;
	bool hwcaps_ok;
	uint64_t rx_offload_capa;
	uint64_t tx_offload_capa;
	uint32_t filter_set;		/* what the host has */

	uint8_t rss_key[NDIS_RSS_KEY_SIZE];
	uint16_t reta[HVN_RETA_SIZE];
	uint64_t rss_hf;
	bool rss_on;
	bool rsc_on;			/* the host coalesces (LRO) */

	uint16_t nchan;			/* channels open: primary + subs */
	uint16_t nsub_granted;
	uint16_t nsub_asked;
	/* Tx queue k on channel nq + k (its own rings: no writer shared
	 * with rx queue k), or on channel k behind chan_lock[k] when the
	 * host grants fewer than 2 * nq channels or tx_channels=0. */
	bool tx_split;
	uint16_t nq;			/* queue pairs configured */
	bool started;
	bool accepting;			/* rx queue 0 takes control-path frames */
	bool closed;
	bool gone;			/* primary rescinded */
	rte_spinlock_t chan_lock[HVN_MAX_QUEUES];
	/* Subchannels the host took away (bit k = channel k): RSS steers
	 * around them until they come back. */
	uint64_t chan_lost;
	/* Channels whose close the host never confirmed (bit k = channel
	 * k): it may still read what their tx queues sent, which they keep
	 * until a new channel opens in that slot (the bus opens one only
	 * once the old one is torn down or rescinded). */
	uint64_t chan_held;
	uint64_t reattaches;		/* re-offers survived */

	/* Control path */
	pthread_mutex_t ctl_lock;
	bool ctl_held;			/* re-attach owns channel 0 throughout */
	struct epoch_reader ctl_rd;
	bool ctl_rd_attached;
	uint32_t rndis_id;
	uint32_t ctl_seq;
	struct hvn_ctl_wait w;
	uint8_t *ctl_pkt;		/* ring packet copy, HVN_RX_PKT_MAX */
	uint8_t *ctl_big;		/* control message sent GPA-direct */
	rte_iova_t ctl_big_iova;
	uint8_t *ctl_msg;		/* one receive section copy */
	uint64_t ctl_rx_dropped;	/* data frames seen by the control path */
	uint64_t ctl_bad;
	uint64_t ctl_budget_cut;	/* channel polls cut at their budget */
	uint64_t bufs_parked;		/* sessions whose buffers outlived
					 * their grace period's wait */
	/* Zero-copy: slot tables of released queues whose frames the
	 * application still held (kept for good), and receive buffers whose
	 * free waited for frames still held (the last one freed them). */
	uint32_t zc_tables_kept;
	uint64_t zc_bufs_kept;
	/* The receive buffer's release record (NULL: frames are copied in
	 * this session). */
	struct hvn_zc_rel *zc_rel;
	uint32_t tx_sessions;		/* last tx queue session given */
	/* Host messages on channel 0 (one reader at a time, handed over
	 * with ctl_owned). */
	struct hvn_log_limit host_log;
	struct hvn_send_tbl send_tbl;
	struct rte_intr_handle *intr;	/* rx interrupts (hvn_intr.c) */

	/* VF (hvn_vf.c). vf: what bursts forward through, on a line of its
	 * own (read every burst, written twice per VF lifetime). vf_host:
	 * the host's last association message, written by channel 0's
	 * reader, read by the LSC alarm. */
	struct hvn_vf *vf __rte_cache_aligned;
	/* Sequence number (bits 33..63, bumped by every message and by a
	 * new session, never restarted), allocated (bit 32), serial (bits
	 * 0..31); 0: nothing heard yet. */
	uint64_t vf_host __rte_cache_aligned;
	uint64_t vf_host_seen;		/* LSC alarm only */
	struct hvn_vf_ctl *vfc;
	uint64_t vf_switches;		/* data path switched to a VF */
};

/* The channel tx queue @p q sends on. */
static inline uint16_t
hvn_txq_chan(const struct hvn_dev *hv, uint16_t q)
{
	return hv->tx_split ? (uint16_t)(hv->nq + q) : q;
}

/* hvn_notify.c: the host's link indications, VF association and send
 * table, recorded by channel 0's reader for the control side. */
void hvn_notify_link(struct hvn_dev *hv, const uint8_t *msg, uint32_t len);
int hvn_notify_vf(struct hvn_dev *hv, const uint8_t *msg, uint32_t len);
int hvn_notify_nvsp(struct hvn_dev *hv, const uint8_t *msg, uint32_t len);

/* hvn_intr.c: rx interrupts. */
int hvn_intr_setup(struct rte_eth_dev *dev);
void hvn_intr_free(struct rte_eth_dev *dev);
int hvn_rx_intr_enable(struct rte_eth_dev *dev, uint16_t q);
int hvn_rx_intr_disable(struct rte_eth_dev *dev, uint16_t q);

/* hvn_sendtbl.c: the host's send table. */
int hvn_send_table_msg(struct hvn_dev *hv, const uint8_t *msg, uint32_t len);
int hvn_send_table_read(const struct hvn_send_tbl *t,
			uint32_t chan[NVSP_SEND_TABLE_SIZE]);
void hvn_send_table_clear(struct hvn_dev *hv);
int hvn_send_table_txqs(const struct hvn_dev *hv, uint16_t ntx,
			uint16_t txq[NVSP_SEND_TABLE_SIZE],
			uint32_t chan[NVSP_SEND_TABLE_SIZE]);

/* hvn_stats.c */
int hvn_stats_fill(struct rte_eth_dev *dev, struct rte_eth_stats *st,
		   struct hvnet_queue_stats *qs);
int hvn_stats_reset(struct rte_eth_dev *dev);
int hvn_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
		   unsigned int n);
int hvn_xstats_get_names(struct rte_eth_dev *dev,
			 struct rte_eth_xstat_name *names, unsigned int n);

#endif /* HVN_H */
