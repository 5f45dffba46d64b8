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
 *
 * Backends register themselves (hvbus_backend_register(), from a
 * constructor); the sim backend lives in a plugin of its own. A backend
 * is chosen by its device argument, --vdev=<vdev>,key=value,... (its own
 * keys and the bus's, one table, hvnet_devargs.h), or, with none given,
 * by detect().
 */

#ifndef HVBUS_BACKEND_H
#define HVBUS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvnet_devargs.h"

/*
 * Keys of the whole bus: rows of every backend's table (hvnet_devargs.h),
 * so every backend's settings struct has these fields; config.c copies
 * them into struct hvbus_config.
 */
#define HVBUS_BUS_KEYS(U32, NAME) \
	U32(timeout_ms, 5000, 10, 600000, 1, \
	    "ms the host has for each answer") \
	U32(ring_size, 262144, 8192, 67108864, 4096, \
	    "bytes per ring direction when a driver asks for the default")

struct hvbus_config;
struct hvbus_backend;

struct hvbus_backend_ops {
	const char *name;
	/** The vdev name whose device argument selects it, "hvbus_sim". */
	const char *vdev;
	/** Its keys, HVBUS_BUS_KEYS among them (who: the vdev name). */
	struct hvnet_devargs_spec *spec;
	/** The settings struct @p spec fills. */
	void *conf;
	/**
	 * Optional: checks across keys, and what follows from them, once
	 * all are read or defaulted (logged). 0 or -EINVAL.
	 */
	int (*check)(void);
	/**
	 * Optional: without a device argument the bus takes the first
	 * backend whose detect() finds devices for it on this machine.
	 */
	bool (*detect)(void);
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
	/**
	 * Optional: EAL's memory is up (the first probe): offer the host
	 * the memory packet buffers live in, so that it reads GPA-direct
	 * ranges without a system call each. Failing costs speed only.
	 */
	void (*lend_mem)(struct hvbus_backend *be);
	/** Optional: called on every control-loop iteration. */
	void (*tick)(struct hvbus_backend *be);
	/**
	 * Optional, with be->intr_fd: the host signalled (intr_fd is
	 * readable). Consume it and name the primary relids of the devices
	 * signalled in @p relids (at most @p max); 0 when the backend cannot
	 * tell (any device may have been).
	 * @return how many relids, or 0.
	 */
	unsigned int (*intr)(struct hvbus_backend *be, uint32_t *relids,
			     unsigned int max);
};

struct hvbus_backend {
	const struct hvbus_backend_ops *ops;
	int fd;			/**< readable when messages wait */
	int intr_fd;		/**< -1, or readable when the host signalled */
	void *mon_parent;	/**< monitor page 1: parent -> child */
	void *mon_child;	/**< monitor page 2: child -> parent (signals) */
	void *priv;		/**< backend's own state */
};

extern const struct hvbus_backend_ops hvbus_uio_ops;

/**
 * Make @p ops available to the bus; called from a constructor, before
 * EAL scans the bus. 0, -ENOSPC, or -EINVAL for a table without the
 * bus's keys.
 */
int hvbus_backend_register(const struct hvbus_backend_ops *ops);

/**
 * Probe of a backend's vdev: the bus started that backend at scan time
 * from this device argument, or it did not (then logged why); 0 or
 * -ENODEV. Device arguments of backends act at start-up only.
 */
int hvbus_backend_vdev_probe(const struct hvbus_backend_ops *ops,
			     const char *name);

#endif /* HVBUS_BACKEND_H */
