/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The interface between hvbus's control thread and where VMBus channel
 * messages and host-shared memory come from.
 *
 * The sim backend is a message pipe: the control thread itself speaks VMBus
 * channel management over it (as a guest kernel does) and allocates shared
 * memory from the backend's arena. A uio backend (Linux uio_hv_generic, the
 * kernel owns channel management) would synthesize OFFERCHANNEL /
 * RESCIND_CHANNELOFFER messages from sysfs and uevents on the same fd and
 * answer open/close/GPADL locally, so the control thread's state machines
 * stay the same; it is not written yet.
 */

#ifndef HVBUS_BACKEND_H
#define HVBUS_BACKEND_H

#include <stddef.h>
#include <stdint.h>

struct hvbus_config;
struct hvbus_backend;

struct hvbus_backend_ops {
	const char *name;
	/**
	 * Connect: set up shared memory, reach the host, do the
	 * transport-level handshake (blocking, bounded by @p timeout_ms).
	 * Afterwards be->fd is readable when messages wait.
	 */
	int (*open)(struct hvbus_backend *be, const struct hvbus_config *cfg);
	/** Disconnect and free everything (the arena included). */
	void (*close)(struct hvbus_backend *be);
	/**
	 * Receive one channel message into @p buf (at least 240 bytes).
	 * @return its length (> 0), -EAGAIN when none waits, -EPIPE when the
	 *   host went away, -EPROTO for a malformed frame (logged).
	 */
	int (*recv)(struct hvbus_backend *be, void *buf, uint32_t cap);
	/** Send one channel message. @return 0 or negative errno. */
	int (*send)(struct hvbus_backend *be, const void *msg, uint32_t len);
	/** Host-shared memory, page aligned, zeroed. NULL when exhausted. */
	void *(*mem_alloc)(struct hvbus_backend *be, size_t len);
	void (*mem_free)(struct hvbus_backend *be, void *va, size_t len);
	/** Guest physical address of @p va (4 KiB page numbers = gpa >> 12). */
	uint64_t (*gpa)(struct hvbus_backend *be, const void *va);
};

struct hvbus_backend {
	const struct hvbus_backend_ops *ops;
	int fd;			/**< readable when messages wait */
	void *mon_parent;	/**< monitor page 1: parent -> child */
	void *mon_child;	/**< monitor page 2: child -> parent (signals) */
	void *priv;		/**< backend's own state */
};

extern const struct hvbus_backend_ops hvbus_sim_ops;

#endif /* HVBUS_BACKEND_H */
