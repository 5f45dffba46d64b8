/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Channels and GPADLs that exist before the host hears a guest message
 * (preopen.c), for a face that stands in for a guest kernel doing channel
 * management itself (the uio face, uio/): a connection without a
 * transport, memory the face owns as the arena, and channels already open
 * on it. Private to lib/hvsim: the face's way into the core, nothing else.
 *
 * All calls run with the host held: no host thread (hvsim_start() refuses
 * while a face is attached), or between hvsim_poll() iterations of the
 * same thread.
 */

#ifndef HVSIM_PREOPEN_H
#define HVSIM_PREOPEN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hvsim.h"
#include "hvsim_dev.h"

/* The host is fresh: no guest, no listen socket, no host thread, not
 * connected - what hvsim_preopen_attach() needs.
 */
bool hvsim_preopen_ready(const struct hvsim *h);
/* The host's configuration (NICs, queues). */
const struct hvsim_config *hvsim_preopen_config(const struct hvsim *h);
/* Attach the face's memory: -EBUSY unless the host is fresh. */
int hvsim_preopen_attach(struct hvsim *h, uint8_t *arena, uint64_t gpa,
			 uint64_t size);
/* The guest process whose other memory (GPA-direct) the host reads. */
void hvsim_preopen_set_pid(struct hvsim *h, pid_t pid);
/* Offer NIC @p nic's primary: same rules as an offer on the wire. */
struct hvsim_chan *hvsim_preopen_offer(struct hvsim *h, unsigned int nic);
/* A subchannel the device offered (grant) that is not open yet. */
struct hvsim_chan *hvsim_preopen_pending(struct hvsim *h, unsigned int nic);
int hvsim_preopen_gpadl(struct hvsim *h, struct hvsim_chan *c,
			uint32_t handle, uint64_t gpa, uint64_t len);
int hvsim_preopen_open(struct hvsim *h, struct hvsim_chan *c,
		       uint32_t ring_gpadl, uint32_t split_page);
/* The guest kernel closed @p c: CLOSECHANNEL and the teardown of its ring
 * GPADL, as uio_hv_generic does at the device node's last close. The
 * channel stays offered; hvsim_preopen_open() opens it again on a new
 * ring GPADL. -EALREADY when it is not open.
 */
int hvsim_preopen_close(struct hvsim *h, struct hvsim_chan *c);
/* Subchannel @p c is gone: rescinded by the host and its relid released
 * by the guest kernel (Hyper-V takes a NIC's subchannels back when the
 * primary closes). Its GPADLs go with it; a later grant offers new ones.
 */
void hvsim_preopen_drop(struct hvsim *h, struct hvsim_chan *c);
/* Give the channel up without a word to the guest (the face reports it). */
void hvsim_preopen_fail(struct hvsim_chan *c);
/* The channel was given up, or the host stopped it (corrupt ring). */
bool hvsim_preopen_failed(const struct hvsim_chan *c);
void hvsim_preopen_detach(struct hvsim *h);
/* The monitor id the offer of @p c carries. */
uint8_t hvsim_chan_monitor_id(const struct hvsim_chan *c);

#endif /* HVSIM_PREOPEN_H */
