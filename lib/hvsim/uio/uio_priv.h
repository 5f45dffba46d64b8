/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Private state of the uio face: uio_mem.c (the arena and the memfd
 * regions mapped into it), uio_tree.c (sysfs and /dev entries),
 * uio_face.c (NICs, subchannels, doorbells, the guest process) above
 * uio_life.c (channel opens, the node's open and release asked for by the
 * shim), uio_log.c (log lines) under all.
 */

#ifndef HVSIM_UIO_PRIV_H
#define HVSIM_UIO_PRIV_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "hv_clock.h"
#include "hvsim_preopen.h"
#include "hvsim_uio.h"
#include "uio_kpage.h"
#include "vmb_guid.h"
#include "vmb_monitor.h"
#include "vmb_pkt.h"
#include "vmb_ring.h"

/* uio_hv_generic's five maps, in index order. */
enum {
	UIO_MAP_RINGS,
	UIO_MAP_INT_PAGE,
	UIO_MAP_MONITOR,
	UIO_MAP_RECV,
	UIO_MAP_SEND,
	UIO_MAP_COUNT
};

/* Guest "physical" address of the arena's first byte. Above every user
 * virtual address (47 bits), so a GPA-direct range naming real guest
 * memory (IOVA = VA) can never fall into it by accident.
 */
#define UIO_ARENA_GPA		(1ull << 48)
/* First GPADL handle the "kernel" hands out (the value a Linux guest
 * showed in the feasibility study; any nonzero value works).
 */
#define UIO_GPADL_FIRST		0xe1e10u

/* Guest processes holding a node at once (a primary and secondaries). */
#define UIO_HOLDERS		16

/* A memfd mapped into the arena. */
struct uio_region {
	int fd;
	uint8_t *host;
	uint64_t gpa;
	uint64_t size;
};

struct uio_chan {
	struct hvsim_chan *c;
	struct uio_region mem;	/* subchannels: the ring file (kept for
				 * the next subchannel of this index) */
	uint32_t relid;
	uint32_t gpadl;
	uint8_t monitor_id;
	bool published;		/* channels/<relid>/ring in place */
};

struct uio_nic {
	unsigned int idx;
	unsigned int uio_num;
	char guid[VMB_GUID_STRLEN];
	char dir[PATH_MAX];	/* sysfs device directory */
	char node[PATH_MAX];	/* /dev/uioN */
	struct uio_region file;	/* what /dev/uioN names */
	ino_t file_ino;		/* its inode, to find it in /proc/<pid>/maps */
	uint64_t map_off[UIO_MAP_COUNT];
	uint64_t map_size[UIO_MAP_COUNT];
	uint32_t gpadl_recv, gpadl_send;
	uint64_t kpage_off;	/* the page after the maps */
	struct uio_kpage *kpage;	/* ... in the host's view */
	uint32_t kpage_seen;	/* last req_seq answered */
	pid_t holders[UIO_HOLDERS];	/* processes that opened the node */
	unsigned int n_holders;
	bool closed;		/* released: primary closed, subs gone */
	unsigned int releases;
	struct hvsim_nic_stats before_release;	/* at the last one */
	uint8_t *int_page;	/* map1 in the host's view */
	uint8_t *monitor;	/* map2 in the host's view */
	bool node_made, dir_made;
	struct uio_chan ch[HVSIM_MAX_QUEUES];	/* by subchannel index */
	unsigned int ch_end;	/* above every index ever published: the
				 * doorbell loops' bound */
};

struct hvsim_uio {
	struct hvsim *h;
	struct hvsim_uio_config cfg;
	char sysfs_root[PATH_MAX];
	char dev_root[PATH_MAX];
	uint8_t *arena;
	uint64_t arena_size;
	uint64_t arena_used;
	uint32_t next_gpadl;
	unsigned int n_nics;
	struct uio_nic *nic;
	pid_t guest;
	uint64_t next_scan_ns;
	uint64_t next_alive_ns;
	uint64_t doorbells;
	uint64_t int_bells;	/* interrupt-page bits of our relids */
	uint64_t foreign_bells;	/* bits of monitor ids or relids not ours */
};

/* uio_mem.c */
int uio_arena_reserve(struct hvsim_uio *u, uint64_t size);
void uio_arena_release(struct hvsim_uio *u);
int uio_region_new(struct hvsim_uio *u, const char *name, uint64_t size,
		   struct uio_region *r);
void uio_region_close(struct uio_region *r);
/* "/proc/<our pid>/fd/<fd>": what the published names point to. */
int uio_region_link_target(const struct uio_region *r, char *buf,
			   size_t len);

/* uio_life.c */
int uio_kpage_poll(struct hvsim_uio *u);
uint32_t uio_gpadl_next(struct hvsim_uio *u);
/* Ring GPADL + open of channel @p ch whose ring lies at @p host / @p gpa
 * (headers reset first). */
int uio_chan_open(struct hvsim_uio *u, struct uio_chan *ch, uint8_t *host,
		  uint64_t gpa);

/* uio_tree.c */
int uio_tree_nic(struct hvsim_uio *u, struct uio_nic *n);
int uio_tree_chan_dir(struct hvsim_uio *u, struct uio_nic *n,
		      struct uio_chan *ch, unsigned int sub);
int uio_tree_chan_ring(struct hvsim_uio *u, struct uio_nic *n,
		       struct uio_chan *ch, const struct uio_region *ring);
void uio_tree_remove(struct hvsim_uio *u, struct uio_nic *n);
/* channels/<relid> of a subchannel that is gone. */
void uio_tree_chan_remove(struct hvsim_uio *u, struct uio_nic *n,
			  struct uio_chan *ch);

/* uio_log.c */
void uio_log(struct hvsim_uio *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void uio_err(struct hvsim_uio *u, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* HVSIM_UIO_PRIV_H */
