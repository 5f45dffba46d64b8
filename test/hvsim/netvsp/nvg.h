/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * nvg: the guest side of NVSP and RNDIS for hvsim's netvsp tests and
 * benchmarks, written on lib/netvsp's codecs and lib/vmbus's packet
 * formats. It does what a netvsc guest does (version walk, buffers, RNDIS
 * init/query/set, subchannels, RSS, sends through the send buffer or GPA
 * ranges, receive-batch completions) and checks what the host sends the
 * way a hardened guest would. It runs over any transport given as a
 * struct nvg_io: the fake core (device-level tests, fuzzing) or the
 * hvsim test guest (through the real VMBus host core).
 */

#ifndef NVG_H
#define NVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ndis.h"
#include "nvsp.h"
#include "rndis.h"

#define NVG_MAX_Q	64
#define NVG_PKT_MAX	(64u * 1024u)

struct nvg_io {
	void *ctx;
	int (*send)(void *ctx, unsigned int q, uint16_t type, uint16_t flags,
		    uint64_t xid, const void *ext, uint32_t ext_len,
		    const void *data, uint32_t len);
	/** Next host packet of @p q (descriptor first): length, 0 if none
	 * within @p ms, negative on error. */
	int (*recv)(void *ctx, unsigned int q, void *buf, uint32_t cap,
		    unsigned int ms);
	void *(*alloc)(void *ctx, size_t len);
	uint64_t (*gpa)(void *ctx, const void *p);
	int (*gpadl)(void *ctx, void *mem, size_t len, uint32_t *handle);
	/** Wait for the offers of subchannels 1..n and open them. */
	int (*open_subs)(void *ctx, unsigned int n, unsigned int ms);
};

/** One received frame. */
typedef void (*nvg_frame_cb)(void *arg, unsigned int q, const uint8_t *frame,
			     uint32_t len, const struct rndis_pkt_info *pi);

struct nvg_opts {
	uint32_t max_nvsp;	/**< highest NVSP version to try, 0 = 6.1 */
	uint64_t ndis_caps;	/**< NDIS_CONFIG capabilities */
	uint32_t ndis_frame;	/**< NDIS_CONFIG largest frame, 0 = 1514 */
	size_t rx_len;		/**< receive buffer, 0 = 2 MiB */
	size_t sb_len;		/**< send buffer, 0 = 1 MiB */
};

/** How nvg_send() carries the RNDIS bytes. */
enum nvg_mode {
	NVG_SENDBUF,	/**< in-band, one send-buffer section */
	NVG_GPA,	/**< GPA-direct, page-buffer ranges */
};

/** A frame to send and its per-packet info (0 / -1 = none). */
struct nvg_tx {
	const uint8_t *frame;
	uint32_t len;
	uint32_t csum;		/**< transmit checksum PPI value */
	uint32_t lso;		/**< LSOv2 PPI value */
	int32_t vlan_tci;	/**< -1: no VLAN PPI */
};

struct nvg {
	struct nvg_io io;
	uint32_t nvsp_ver;
	uint8_t *rxbuf;
	size_t rx_len;
	uint32_t sec_size, sec_count;
	uint8_t *sb;
	size_t sb_len;
	uint32_t sb_sec_size, sb_sec_count;
	uint8_t *page;		/**< control / GPA send staging */
	size_t page_len;
	uint8_t mac[6];
	unsigned int nq;
	uint32_t req_id;
	uint64_t xid;
	struct rndis_init_info init;

	/* last completion seen */
	uint8_t cmplt[64];
	uint32_t cmplt_len;
	uint64_t cmplt_xid;
	bool cmplt_ready;
	/* last RNDIS response seen, and whether the NVSP completion of its
	 * request came first (what stock DPDK needs) */
	uint8_t resp[1024];
	uint32_t resp_len;
	bool resp_ready;
	uint64_t ctrl_xid;
	bool ctrl_cmplt_seen;
	unsigned int order_errors;

	/* notifications */
	uint32_t send_table[NVSP_SEND_TABLE_SIZE];
	unsigned int send_tables;
	uint32_t vf_allocated, vf_serial;
	unsigned int vf_msgs;
	uint32_t last_indication;
	unsigned int indications;

	/* receive side */
	nvg_frame_cb on_frame;
	void *cb_arg;
	bool hold;		/**< keep receive completions back */
	uint64_t held[4096];
	unsigned int n_held;
	uint64_t rx_frames, rx_batches, rx_ranges_max, rx_bad;
	uint64_t tx_done, tx_failed;
	uint64_t q_frames[NVG_MAX_Q];

	uint8_t pkt[NVG_PKT_MAX];
	uint8_t msg[NVG_PKT_MAX];
};

/** Negotiate NVSP, connect both buffers, initialise RNDIS, read the MAC. */
int nvg_init(struct nvg *g, const struct nvg_io *io,
	     const struct nvg_opts *opts);
/** Free nothing (memory belongs to the transport); clears the struct. */
void nvg_fini(struct nvg *g);

/** Handle one host packet of @p q if one comes within @p ms: 1, 0, <0. */
int nvg_poll(struct nvg *g, unsigned int q, unsigned int ms);
/** Poll every open queue until nothing arrives for @p idle_ms. */
int nvg_drain(struct nvg *g, unsigned int idle_ms);
/** Complete the receive batches held back while g->hold was set. */
int nvg_release(struct nvg *g);

/** NVSP request on @p q with RC, wait for its completion into @p out. */
int nvg_nvsp_req(struct nvg *g, unsigned int q, const void *msg,
		 uint32_t len, void *out, uint32_t cap);
/** NVSP message without RC (no completion expected). */
int nvg_nvsp_post(struct nvg *g, unsigned int q, const void *msg,
		  uint32_t len);

/** RNDIS control request; waits for the response into g->resp.
 * @return the response length or a negative errno. */
int nvg_rndis_req(struct nvg *g, const void *msg, uint32_t len,
		  enum nvg_mode mode);
/** QUERY @p oid; @p out gets min(cap, data) bytes. Returns the RNDIS
 * status (>= 0 as uint32) or a negative errno; *olen the data length. */
int64_t nvg_query(struct nvg *g, uint32_t oid, const void *in, uint32_t in_len,
		  void *out, uint32_t cap, uint32_t *olen);
/** SET @p oid. Returns the RNDIS status or a negative errno. */
int64_t nvg_set(struct nvg *g, uint32_t oid, const void *data, uint32_t len);
int64_t nvg_set_filter(struct nvg *g, uint32_t filter);
/** RSS over the open queues with @p key; @p table of @p n entries. */
int64_t nvg_set_rss(struct nvg *g, const uint8_t *key, const uint32_t *table,
		    uint32_t n, uint32_t hash_info);

/** Request @p n subchannels and open the granted ones. Returns granted. */
int nvg_subchannels(struct nvg *g, uint32_t n);

/** Send @p n frames aggregated in one request on @p q; waits for the
 * completion. Returns its NVSP status or a negative errno. */
int nvg_send(struct nvg *g, unsigned int q, const struct nvg_tx *tx,
	     unsigned int n, enum nvg_mode mode);
/** Send raw RNDIS bytes (may be malformed) as a data request. */
int nvg_send_raw(struct nvg *g, unsigned int q, const void *rndis,
		 uint32_t len, enum nvg_mode mode);

#endif /* NVG_H */
