/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * hvsim behind a Linux uio_hv_generic face. For every NIC of an hvsim host
 * the face lays out what the kernel driver uio_hv_generic would show a
 * userspace VMBus driver after bind - the sysfs device directory
 * (class_id, device_id, id, monitor_id, numa_node, uio/uioN/maps,
 * channels/<relid>) and the /dev/uioN node - and plays that kernel's part:
 * the primary channel is open, its ring, receive and send buffer GPADLs
 * exist, subchannels the device grants are opened and published in sysfs,
 * monitor-page (without monitor ids: interrupt-page) doorbells are taken.
 * Behind it runs hvsim's own netvsp
 * model, the same code hvnet's sim backend talks to.
 *
 * Memory: each /dev/uioN and each subchannel ring is a sealed memfd
 * (it cannot be shrunk under the host) published as a symlink to
 * /proc/<host pid>/fd/<n>. The maps of a uioN file lie end to end in index
 * order, each rounded up to a page; the LD_PRELOAD shim (shim/) turns
 * the uio rule "mmap offset = map index * page size" into those offsets.
 * Guest packet memory (GPA = guest VA, IOVA as VA) is read with
 * process_vm_readv() from the process that maps the uio node.
 *
 * Not thread-safe: one thread calls hvsim_uio_poll() (it runs the host's
 * iterations too; do not also call hvsim_start()).
 */

#ifndef HVSIM_UIO_H
#define HVSIM_UIO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hvsim.h"

struct hvsim_uio;

struct hvsim_uio_config {
	const char *sysfs_root;	/**< holds bus/vmbus/devices; default /sys */
	const char *dev_root;	/**< holds uioN; default /dev (DPDK opens
				 *   /dev/uioN, other roots are for tests) */
	unsigned int uio_base;	/**< N of the first NIC's uioN, default 0 */
	uint32_t ring_size;	/**< bytes per direction, default 2 MiB */
	uint32_t recv_size;	/**< receive buffer, default 16 MiB */
	uint32_t send_size;	/**< send buffer, default 16 MiB */
	bool no_monitor;	/**< channels without a monitor id: no
				 *   monitor_id in sysfs, as Linux shows a
				 *   channel the host offered unmonitored;
				 *   the guest signals through the interrupt
				 *   page and the uio node's irqcontrol */
};

/** Defaults as uio_hv_generic of a recent kernel. */
void hvsim_uio_config_init(struct hvsim_uio_config *cfg);

/**
 * Lay out the face of every NIC of @p h and open their primaries. @p h
 * must be fresh: no guest attached, no listen socket, no host thread.
 * Returns NULL and sets errno on failure (the message says what).
 */
struct hvsim_uio *hvsim_uio_create(struct hvsim *h,
				   const struct hvsim_uio_config *cfg);

/**
 * One iteration: find or re-check the guest process, take doorbells, run
 * one host iteration, publish subchannels the device granted. Returns the
 * work done (0 when idle: back off), <0 on a fatal error.
 */
int hvsim_uio_poll(struct hvsim_uio *u);

/** The guest process found mapping a uio node, 0 when none (yet). */
pid_t hvsim_uio_guest_pid(const struct hvsim_uio *u);

/** Doorbells taken from the monitor pages so far. */
uint64_t hvsim_uio_doorbells(const struct hvsim_uio *u);

/** Doorbells taken from the interrupt pages (channels without a monitor
 * id) so far. */
uint64_t hvsim_uio_int_doorbells(const struct hvsim_uio *u);

/**
 * How often NIC @p nic's node was released (its last guest reference
 * gone: primary closed, subchannels rescinded); @p before, when not NULL
 * and there was one, gets the NIC's counters just before the last
 * release (the close resets the session they describe).
 */
unsigned int hvsim_uio_releases(const struct hvsim_uio *u, unsigned int nic,
				struct hvsim_nic_stats *before);

/**
 * The host rescinds a channel of NIC @p nic, as the guest kernel then
 * shows it: subchannel @p sub (> 0) leaves sysfs (channels/<relid>) and
 * is released in the host at once; the primary (@p sub 0) takes the whole
 * device directory and node with it (its channel stays open in the host:
 * nothing but the kernel could close it). Same thread as hvsim_uio_poll().
 * 0, -ENOENT when that channel is not published (any more), -EINVAL.
 */
int hvsim_uio_rescind(struct hvsim_uio *u, unsigned int nic, unsigned int sub);

/** Relid of subchannel @p sub of NIC @p nic when it is published in sysfs
 * (primary: while the device is), else 0. */
uint32_t hvsim_uio_published(const struct hvsim_uio *u, unsigned int nic,
			     unsigned int sub);

/** Remove the tree and the nodes, close every channel, unmap. The host
 * stays and can be destroyed afterwards. */
void hvsim_uio_destroy(struct hvsim_uio *u);

#endif /* HVSIM_UIO_H */
