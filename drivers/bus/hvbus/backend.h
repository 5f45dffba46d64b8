/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The interface between hvbus's control thread and where VMBus channel
 * messages and host-shared memory come from.
 *
 * The sim backend is a message pipe: the control thread itself speaks VMBus
 * channel management over it (as a guest kernel does) and allocates shared
 * memory from the backend's arena.
 *
 * The uio backend (uio/uio_backend.c) sits on Linux uio_hv_generic, where
 * the kernel owns channel management: it plays the host for the control
 * thread, turning sysfs into offers and rescinds and answering the bus's
 * messages for the kernel, so the state machines stay the same. Rings and
 * buffers are the kernel's (ring_mem(), kernel_buf()); sysfs and /dev
 * roots are settings, so tests lay out a fake tree.
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
	/**
	 * Send one channel message, without waiting: a backend may queue
	 * what the host cannot take yet (in order) and send it from flush().
	 * @return 0 or negative errno.
	 */
	int (*send)(struct hvbus_backend *be, const void *msg, uint32_t len);
	/**
	 * Optional: send what send() queued, without waiting.
	 * @return messages still queued (> 0: call again once be->fd is
	 *   writable), 0, or negative errno.
	 */
	int (*flush)(struct hvbus_backend *be);
	/** Host-shared memory, page aligned, zeroed. NULL when exhausted. */
	void *(*mem_alloc)(struct hvbus_backend *be, size_t len);
	void (*mem_free)(struct hvbus_backend *be, void *va, size_t len);
	/** Guest physical address of @p va (4 KiB page numbers = gpa >> 12). */
	uint64_t (*gpa)(struct hvbus_backend *be, const void *va);
	/*
	 * Optional, for backends whose kernel opened the channels: the ring
	 * memory of @p relid (tx half then rx half, headers initialised).
	 * When set, open skips mem_alloc() and the GPADL and never frees it.
	 */
	int (*ring_mem)(struct hvbus_backend *be, uint32_t relid, void **va,
			size_t *len);
	/*
	 * Optional: driver buffer number @p idx (0 receive, 1 send) that the
	 * kernel already shared with the host on primary @p relid, with its
	 * GPADL handle. When set, hvbus_gpadl_create() hands these out.
	 */
	int (*kernel_buf)(struct hvbus_backend *be, uint32_t relid,
			  unsigned int idx, void **va, size_t *len,
			  uint32_t *handle);
	/** Optional: called on every control-loop iteration. */
	void (*tick)(struct hvbus_backend *be);
};

struct hvbus_backend {
	const struct hvbus_backend_ops *ops;
	int fd;			/**< readable when messages wait */
	void *mon_parent;	/**< monitor page 1: parent -> child */
	void *mon_child;	/**< monitor page 2: child -> parent (signals) */
	void *priv;		/**< backend's own state */
};

extern const struct hvbus_backend_ops hvbus_sim_ops;
extern const struct hvbus_backend_ops hvbus_uio_ops;

#endif /* HVBUS_BACKEND_H */
