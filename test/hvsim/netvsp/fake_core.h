/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * A stand-in for hvsim's VMBus host core, for device-level tests, the fuzz
 * target and the instruction-count benchmark of the netvsp model: it
 * implements the core side of hvsim_dev.h (channel sends into in-memory
 * queues with a configurable ring capacity, GPADL maps and GPA reads over
 * a private arena, subchannel offers, hooks) and drives hvsim_netvsp_ops
 * directly, with no rings, sockets or threads. Linked instead of the real
 * core, never with it.
 */

#ifndef FAKE_CORE_H
#define FAKE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvsim.h"
#include "hvsim_dev.h"
#include "hvsim_netvsp.h"
#include "nvg.h"

#define FC_MAX_CHAN	64

struct fc;

/** Create a fake host with one NIC configured by @p nic_cfg (NULL:
 * defaults) and its primary channel open. */
struct fc *fc_create(const struct hvsim_nic_config *nic_cfg,
		     size_t arena_size);
void fc_destroy(struct fc *f);
void *fc_dev(struct fc *f);
/** Guest-side transport for nvg over this fake host (synchronous: a
 * receive with nothing queued pumps the device once). */
void fc_nvg_io(struct fc *f, struct nvg_io *io);

/** Page-aligned, zeroed arena memory; its GPA is its address. */
void *fc_alloc(struct fc *f, size_t len);
/** Register @p len bytes at @p mem as a GPADL; returns the handle. */
uint32_t fc_gpadl(struct fc *f, void *mem, size_t len);

/** Queue a guest -> host packet on channel @p q and process what can be. */
int fc_send(struct fc *f, unsigned int q, uint16_t type, uint16_t flags,
	    uint64_t xid, const void *ext, uint32_t ext_len, const void *data,
	    uint32_t len);
/** Pop the next host -> guest packet of @p q (descriptor first, padded
 * like a ring packet). Returns its length, 0 if none, -ENOSPC. */
int fc_recv(struct fc *f, unsigned int q, void *buf, uint32_t cap);
/** One host iteration: pending guest packets, then the device's poll. */
int fc_pump(struct fc *f);

/** Subchannels the device asked the core to offer. */
unsigned int fc_offered(const struct fc *f);
/** Open subchannels 1..n (after fc_offered() >= n). */
int fc_open_subs(struct fc *f, unsigned int n);
/** Limit the host -> guest queue of every channel to @p bytes. */
/** The host stops channel @p q: the device's chan_close. */
int fc_close(struct fc *f, unsigned int q);
void fc_set_room(struct fc *f, uint32_t bytes);
/** Make hvsim_hook_hit() fire for @p step until cleared. */
void fc_hook(struct fc *f, int step, bool on);
/** Packets the device refused with a protocol error (channel failed). */
unsigned int fc_proto_errors(const struct fc *f);
/** Log lines the device wrote. */
unsigned int fc_log_lines(const struct fc *f);
/** Guest packets still waiting in the ring of @p q (-EAGAIN'd). */
unsigned int fc_pending(const struct fc *f, unsigned int q);
/** Forget the queued host -> guest packets of every channel. */
void fc_drain(struct fc *f);

#endif /* FAKE_CORE_H */
