/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Layer 1 of the hvsim core: three independent pieces on top of layer 0,
 * each with a state of its own and no knowledge of the others.
 *
 *   transport.c  the guest socket: takes HELLO, returns channel-message
 *                frames, queues what the guest does not read yet
 *   gpadl.c      the GPADL table: assembly, checks, lookups, teardown
 *                bookkeeping (it answers nothing itself: it says what the
 *                host owes the guest)
 *   checker.c    pure invariant rules on ring indices: a verdict and a
 *                reason, never an action
 *
 * Nothing here sends a channel message of its own accord or touches a
 * channel object.
 */

#ifndef HVSIM_WIRE_H
#define HVSIM_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "hvsim_base.h"
#include "hvsim_hostile.h"
#include "hvsim_transport.h"
#include "vmb_gpadl.h"
#include "vmb_ring.h"

/* ---- transport.c ---- */

/* Frames queued towards a guest that does not read its socket. */
#define HVSIM_TXQ_MAX		8192

struct hvsim_txq {
	uint8_t (*buf)[HVSIM_FRAME_MAX];
	uint16_t *len;
	unsigned int head, count;
};

struct hvsim_transport {
	int fd;			/* -1: no guest */
	int listen_fd;
	char *listen_path;
	bool attach_same_process;
	bool hello_done;
	pid_t peer_pid;		/* SO_PEERCRED of the guest socket */
	struct hvsim_txq txq;
	const char *dead_why;	/* the connection failed: tear it down */
	uint64_t rx_seq;	/* channel-message frames received */
	int sint_fd;		/* guest's interrupt eventfd, -1: none */
	uint64_t signals;	/* times the guest was signalled */
};

void hvsim_transport_init(struct hvsim_transport *t);
/* Signal the guest (its interrupt eventfd), if it gave one. */
void hvsim_transport_signal(struct hvsim_transport *t);
/* Close the listen socket and free the queue (the guest must be gone). */
void hvsim_transport_fini(struct hvsim_transport *t);
int hvsim_transport_attach(struct hvsim_transport *t, struct hvsim_log *lg,
			   int fd, bool same_process);
int hvsim_transport_listen(struct hvsim_transport *t, struct hvsim_log *lg,
			   const char *path);
/* Accept a waiting guest, flush queued frames. Returns the work done. */
int hvsim_transport_pump(struct hvsim_transport *t, struct hvsim_log *lg);
/*
 * The next channel message into @p buf (@p cap >= HVSIM_FRAME_MAX) and
 * its length into @p len. HELLO is handled here (the arena lands in
 * @p mem). Returns 1 for a message, 0 when a transport frame was handled,
 * -EAGAIN when there is nothing to read (or reading waits for queued
 * replies), another negative errno when the connection is gone
 * (hvsim_transport_dead() says why).
 */
int hvsim_transport_recv(struct hvsim_transport *t, struct hvsim_mem *mem,
			 struct hvsim_log *lg, void *buf, uint32_t cap,
			 uint32_t *len);
/* Send one channel message; queued when the socket is full. */
int hvsim_transport_send(struct hvsim_transport *t, struct hvsim_log *lg,
			 const void *msg, uint32_t len);
/* Why the connection must be torn down, NULL while it is fine. */
const char *hvsim_transport_dead(const struct hvsim_transport *t);
bool hvsim_transport_up(const struct hvsim_transport *t);
/* The socket to wait on when idle, -1 when waiting on it is useless. */
int hvsim_transport_wait_fd(const struct hvsim_transport *t);
/* Close the guest connection (the listen socket stays). */
void hvsim_transport_close(struct hvsim_transport *t);

/* ---- gpadl.c ---- */

/* GPADLs in progress / established per connection; a guest asking for
 * more gets failures, never unbounded allocation.
 */
#define HVSIM_GPADL_PENDING_MAX	64
#define HVSIM_GPADL_MAX		4096
/* Torn-down handles remembered to name "used after teardown". */
#define HVSIM_GPADL_HISTORY	256

/* An established GPADL. */
struct hvsim_gpadl {
	uint32_t handle;
	uint32_t relid;
	struct vmb_gpadl *g;
	uint8_t *host;		/* contiguous host view, NULL if scattered */
	uint64_t len;
	bool ring;		/* the ring of an open channel */
	bool teardown_pending;	/* TORNDOWN owed once that channel closes */
};

/* A GPADL whose header arrived and whose bodies are still coming. */
struct hvsim_gpadl_prog {
	uint32_t handle;
	uint32_t relid;
	bool fail;		/* rescinded meanwhile: answer with failure */
};

struct hvsim_gpadls {
	struct hvsim_log *lg;
	const struct hvsim_mem *mem;
	const struct hvsim_ids *ids;
	struct vmb_gpadl_asm gasm;
	struct hvsim_gpadl *tab;	/* n used */
	unsigned int n;
	struct hvsim_gpadl_prog prog[HVSIM_GPADL_PENDING_MAX];
	unsigned int n_prog;
	uint32_t gone[HVSIM_GPADL_HISTORY];	/* torn-down handles */
	bool gone_live[HVSIM_GPADL_HISTORY];	/* not reused since */
	unsigned int gone_pos, gone_n;
};

/* A GPADL_CREATED the host owes the guest. */
struct hvsim_gpadl_answer {
	bool due;
	uint32_t relid;
	uint32_t handle;
	uint32_t status;	/* 0 or VMB_GPADL_STATUS_FAIL */
};

int hvsim_gpadls_init(struct hvsim_gpadls *t, struct hvsim_log *lg,
		      const struct hvsim_mem *mem,
		      const struct hvsim_ids *ids);
void hvsim_gpadls_fini(struct hvsim_gpadls *t);
/* Forget everything, silently (connection reset). */
void hvsim_gpadls_reset(struct hvsim_gpadls *t);
/* A GPADL_HEADER or GPADL_BODY whose relid the caller checked; @p a says
 * whether and how to answer.
 */
void hvsim_gpadl_feed(struct hvsim_gpadls *t, const union vmb_msg *m,
		      uint32_t len, struct hvsim_gpadl_answer *a);
struct hvsim_gpadl *hvsim_gpadl_find(struct hvsim_gpadls *t,
				     uint32_t handle);
bool hvsim_gpadl_was_torn(const struct hvsim_gpadls *t, uint32_t handle);
/* The relid of a GPADL still being built, -ENOENT when none. */
int hvsim_gpadl_building(const struct hvsim_gpadls *t, uint32_t handle,
			 uint32_t *relid);
/* GPADL_TEARDOWN of @p handle on @p relid: 0 when it may go now, 1 when
 * deferred to the close of the channel whose ring it is, -EINVAL when
 * refused (each rule broken is a violation).
 */
int hvsim_gpadl_teardown(struct hvsim_gpadls *t, uint32_t relid,
			 uint32_t handle);
/* Forget @p handle and remember it was torn down. */
void hvsim_gpadl_remove(struct hvsim_gpadls *t, uint32_t handle);
/* The channel whose ring @p handle is closed: true when a teardown is owed
 * now.
 */
bool hvsim_gpadl_ring_closed(struct hvsim_gpadls *t, uint32_t handle);
/* @p relid was rescinded: GPADLs still being built will fail. */
void hvsim_gpadl_rescinded(struct hvsim_gpadls *t, uint32_t relid);
/* Forget the GPADLs @p relid is building; hvsim_gpadl_of() then finds
 * its established ones one by one.
 */
void hvsim_gpadl_drop_building(struct hvsim_gpadls *t, uint32_t relid);
struct hvsim_gpadl *hvsim_gpadl_of(struct hvsim_gpadls *t, uint32_t relid);
/* One violation per GPADL left established or half-built. */
unsigned int hvsim_gpadl_leak_check(struct hvsim_gpadls *t);
/* A GPADL that exists before any message (pre-opened channels). */
int hvsim_gpadl_add(struct hvsim_gpadls *t, uint32_t relid, uint32_t handle,
		    uint64_t gpa, uint64_t len);
/* Host view of @p handle for a device on @p relid (or, subchannels, on
 * its primary @p primary_relid); NULL when unusable.
 */
void *hvsim_gpadl_view(struct hvsim_gpadls *t, uint32_t handle,
		       uint32_t relid, uint32_t primary_relid, uint64_t *len);

/* ---- checker.c ---- */

/* What the host last saw of the guest-owned read index of its outgoing
 * ring.
 */
struct hvsim_out_shadow {
	uint32_t rd_seen;
	uint32_t lib_rd;
};

void hvsim_check_out_init(struct hvsim_out_shadow *s, const struct vmb_ring *r);
/* 0, or -EBADMSG with the reason in @p why. */
int hvsim_check_in_ring(const struct vmb_ring *r, char *why, size_t len);
int hvsim_check_out_ring(const struct vmb_ring *r, struct hvsim_out_shadow *s,
			 char *why, size_t len);

#endif /* HVSIM_WIRE_H */
