/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * hvsim_guest: a minimal VMBus guest for tests and benchmarks of hvsim.
 *
 * README - a typical test:
 *
 *   struct hvsim_config cfg;
 *   hvsim_config_init(&cfg, 1);
 *   struct hvsim *h = hvsim_create(&cfg);
 *   struct hvsim_guest *g;
 *   hvsim_guest_create(&g, 0);                // memfd arena, default size
 *   hvsim_start(h);                           // or hvsim_guest_set_pump(g, h)
 *   hvsim_guest_attach_embedded(g, h);        // socketpair + HELLO
 *   hvsim_guest_connect_vmbus(g, 0);          // INITIATE_CONTACT, fallback
 *   hvsim_guest_request_offers(g);            // offers + ALLOFFERS_DELIVERED
 *   const struct hvsim_guest_offer *o = hvsim_guest_find_nic(g, 0, 0);
 *   struct hvsim_guest_chan *c;
 *   hvsim_guest_chan_open(g, o->relid, 16, &c); // ring GPADL + OPEN
 *   hvsim_guest_chan_send(c, VMB_PKT_DATA_INBAND, VMB_PKT_FLAG_RC, 1,
 *                         NULL, 0, buf, len);
 *   hvsim_guest_chan_recv(c, pkt, sizeof(pkt), 0);
 *   hvsim_guest_chan_close(g, c);             // CLOSE + ring teardown
 *   hvsim_guest_unload(g);
 *   hvsim_guest_destroy(g);
 *   hvsim_destroy(h);
 *
 * Every blocking helper waits at most the timeout given (0 = the default,
 * HVSIM_GUEST_TIMEOUT_MS) and returns -ETIMEDOUT rather than hang. Host
 * messages are read in the background of every wait: offers and rescinds
 * update the offer table, everything else queues until a wait consumes it
 * (hvsim_guest_wait_msg()). "Guest physical" addresses are the guest's
 * virtual addresses (IOVA as VA) of its arena (hvsim_guest_alloc(),
 * hvsim_guest_gpa()). Raw senders exist for negative tests. Not thread
 * safe: one thread drives one guest.
 */

#ifndef HVSIM_GUEST_H
#define HVSIM_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvsim.h"
#include "vmb_msg.h"
#include "vmb_ring.h"

#define HVSIM_GUEST_TIMEOUT_MS	3000
#define HVSIM_GUEST_ARENA_DEFAULT	(32u << 20)
#define HVSIM_GUEST_MAX_OFFERS	512

struct hvsim_guest;

/** One offer as the guest saw it. */
struct hvsim_guest_offer {
	uint32_t relid;
	uint16_t subidx;
	uint8_t monitor_id;
	bool monitor_allocated;
	struct vmb_guid if_type;
	struct vmb_guid instance;
	bool rescinded;		/**< RESCIND_CHANNELOFFER received */
	bool released;		/**< we sent RELID_RELEASED */
};

/** An open channel: the ring GPADL and both rings, guest side. */
struct hvsim_guest_chan {
	struct hvsim_guest *g;
	uint32_t relid;
	uint32_t gpadl;
	uint8_t monitor_id;
	bool monitor_allocated;
	void *mem;		/**< ring pages in the arena */
	size_t mem_len;
	uint32_t page_off;	/**< host->guest ring starts here */
	struct vmb_ring tx;	/**< guest -> host: we write */
	struct vmb_ring rx;	/**< host -> guest: we read */
	uint64_t signals;	/**< monitor bits we set */
};

/* ---- arena and connection ---- */

/** Create a guest with a memfd arena of @p arena_size bytes (0 = default). */
int hvsim_guest_create(struct hvsim_guest **gp, size_t arena_size);
/** Close the connection and free everything (no messages sent). */
void hvsim_guest_destroy(struct hvsim_guest *g);

/** Embedded host: socketpair, hvsim_attach(h, ..., true), HELLO/ACK. */
int hvsim_guest_attach_embedded(struct hvsim_guest *g, struct hvsim *h);
/** Daemon: connect to @p path (retrying until the timeout), HELLO/ACK. */
int hvsim_guest_connect_path(struct hvsim_guest *g, const char *path,
			     unsigned int ms);
/** Use @p fd (connected to a host) as the guest socket; HELLO is next. */
void hvsim_guest_adopt_socket(struct hvsim_guest *g, int fd);
/** Connected socket, without HELLO (for transport-level negative tests). */
int hvsim_guest_socket(const struct hvsim_guest *g);
/** Send HELLO with the arena memfd and wait for HELLO_ACK's status. */
int hvsim_guest_hello(struct hvsim_guest *g, bool same_process);
/** Let every wait run hvsim_poll(@p h) itself (a host without thread). */
void hvsim_guest_set_pump(struct hvsim_guest *g, struct hvsim *h);
/** Let ring waits poll without sleeping, as a PMD's lcore does (a host on
 * its own thread and CPU; without a pump only). */
void hvsim_guest_set_spin(struct hvsim_guest *g, bool spin);
/** Close the socket (the host sees a disconnect). */
void hvsim_guest_disconnect(struct hvsim_guest *g);

/** @p bytes (rounded up to pages) of zeroed, page-aligned arena memory. */
void *hvsim_guest_alloc(struct hvsim_guest *g, size_t bytes);
void hvsim_guest_free(struct hvsim_guest *g, void *p, size_t bytes);
/** Guest physical address of arena memory @p p. */
uint64_t hvsim_guest_gpa(const struct hvsim_guest *g, const void *p);
/** Arena base and size (for tests that forge addresses). */
void *hvsim_guest_arena(const struct hvsim_guest *g, size_t *len);

/* ---- raw messages ---- */

/** Send one channel message frame of @p len bytes (not validated). */
int hvsim_guest_send_raw(struct hvsim_guest *g, const void *msg, uint32_t len);
/** Send a frame of any kind (transport tests). */
int hvsim_guest_send_frame(struct hvsim_guest *g, uint32_t kind,
			   const void *payload, uint32_t len);
/** The same with descriptor @p fd attached (SCM_RIGHTS), none if < 0. */
int hvsim_guest_send_frame_fd(struct hvsim_guest *g, uint32_t kind,
			      const void *payload, uint32_t len, int fd);
/**
 * Wait for the next queued host message of @p type (0 = any) naming
 * @p relid (UINT32_MAX = any; for GPADL_TORNDOWN the handle), and remove it
 * from the queue into @p out.
 * @return its length, or -ETIMEDOUT, -ENOTCONN.
 */
int hvsim_guest_wait_msg(struct hvsim_guest *g, uint32_t type, uint32_t relid,
			 union vmb_msg *out, unsigned int ms);
/** Read what the host sent for @p ms; true if a message of @p type (0 =
 * any) arrived and is queued. Used to show that no reply comes. */
bool hvsim_guest_expect_none(struct hvsim_guest *g, uint32_t type,
			     uint32_t relid, unsigned int ms);
/** Drop every queued message. */
void hvsim_guest_flush(struct hvsim_guest *g);

/* ---- VMBus channel management ---- */

/** INITIATE_CONTACT at @p version. @return 1 accepted, 0 refused, <0. */
int hvsim_guest_contact(struct hvsim_guest *g, uint32_t version);
/** Try 5.3 down to 2.4, or only versions <= @p max when non-zero.
 * @return the negotiated version (> 0) or a negative errno. */
int hvsim_guest_connect_vmbus(struct hvsim_guest *g, uint32_t max);
/** REQUESTOFFERS, wait for ALLOFFERS_DELIVERED. @return offers received. */
int hvsim_guest_request_offers(struct hvsim_guest *g);

unsigned int hvsim_guest_offer_count(const struct hvsim_guest *g);
const struct hvsim_guest_offer *hvsim_guest_offer(const struct hvsim_guest *g,
						  unsigned int i);
/** Latest offer of hvsim NIC @p nic, subchannel @p subidx, not released. */
const struct hvsim_guest_offer *hvsim_guest_find_nic(struct hvsim_guest *g,
						     unsigned int nic,
						     uint16_t subidx);
const struct hvsim_guest_offer *hvsim_guest_find_relid(struct hvsim_guest *g,
						       uint32_t relid);
/** Wait until @p pred-like conditions: a new offer of @p nic/@p subidx
 * appears (different relid than @p not_relid). */
const struct hvsim_guest_offer *hvsim_guest_wait_offer(struct hvsim_guest *g,
						       unsigned int nic,
						       uint16_t subidx,
						       uint32_t not_relid,
						       unsigned int ms);
/** Wait for the rescind of @p relid. 0 or -ETIMEDOUT. */
int hvsim_guest_wait_rescind(struct hvsim_guest *g, uint32_t relid,
			     unsigned int ms);

/** Send a GPADL (header + bodies) for @p len bytes of arena memory at
 * @p mem on @p relid, without waiting. *handle gets the handle used. */
int hvsim_guest_gpadl_send(struct hvsim_guest *g, uint32_t relid,
			   const void *mem, size_t len, uint32_t *handle);
/** Same, then wait for GPADL_CREATED. @return 0, -EIO (failure status). */
int hvsim_guest_gpadl_create(struct hvsim_guest *g, uint32_t relid,
			     const void *mem, size_t len, uint32_t *handle);
/** GPADL_TEARDOWN and wait for GPADL_TORNDOWN. */
int hvsim_guest_gpadl_teardown(struct hvsim_guest *g, uint32_t relid,
			       uint32_t handle);

/**
 * Open @p relid with two rings of @p ring_pages pages each (header page
 * included): ring GPADL, OPENCHANNEL, wait for the result.
 * @return 0; -EIO with the status in *cp == NULL when the host refused.
 */
int hvsim_guest_chan_open(struct hvsim_guest *g, uint32_t relid,
			  uint32_t ring_pages, struct hvsim_guest_chan **cp);
/** OPENCHANNEL only (ring GPADL already made), no wait. */
int hvsim_guest_open_send(struct hvsim_guest *g, uint32_t relid,
			  uint32_t gpadl, uint32_t page_off);
/** CLOSECHANNEL, ring GPADL teardown, free the rings. */
int hvsim_guest_chan_close(struct hvsim_guest *g, struct hvsim_guest_chan *c);
/** Free the guest side of a channel without any message (rescinded). */
void hvsim_guest_chan_forget(struct hvsim_guest *g, struct hvsim_guest_chan *c);
/** RELID_RELEASED for @p relid. */
int hvsim_guest_release(struct hvsim_guest *g, uint32_t relid);
/** UNLOAD, wait for UNLOAD_RESPONSE. */
int hvsim_guest_unload(struct hvsim_guest *g);

/* ---- rings ---- */

/** Write one packet to the guest->host ring (signals via the monitor
 * page when lib/vmbus says so). @return 0, -EAGAIN (full), <0. */
int hvsim_guest_chan_send(struct hvsim_guest_chan *c, uint16_t type,
			  uint16_t flags, uint64_t xid, const void *ext,
			  uint32_t ext_len, const void *data, uint32_t len);
/** Read one host->guest packet (descriptor included) into @p buf, waiting
 * up to @p ms. @return its length, -ETIMEDOUT, -EBADMSG. */
int hvsim_guest_chan_recv(struct hvsim_guest_chan *c, void *buf, uint32_t cap,
			  unsigned int ms);

#endif /* HVSIM_GUEST_H */
