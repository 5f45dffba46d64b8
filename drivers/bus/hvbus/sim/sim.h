/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * sim backend internals: its settings, the memfd arena and, for tests,
 * access to the embedded hvsim.
 */

#ifndef HVBUS_SIM_H
#define HVBUS_SIM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "hvnet_devargs.h"
#include "hvsim.h"

struct hvbus_backend_ops;

/*
 * The keys of --vdev=hvbus_sim (rows of hvnet_devargs.h; the bus's keys,
 * HVBUS_BUS_KEYS, come with them). port and hostile take the syntax of
 * hvsim's --port and --hostile, one parser each in lib/hvsim; nics' upper
 * bound is HVSIM_MAX_NICS (checked at build time).
 */
#define HVBUS_SIM_KEYS(U32, NAME, LIST) \
	U32(nics, 1, 1, 16, 1, "NICs the simulated host offers") \
	LIST(port, "[NIC:]KIND[,OPT=VAL...]", \
	     "what sits behind the NICs, applied in order") \
	NAME(socket, "path", \
	     "an hvsim daemon to use instead of a host in this process") \
	U32(arena_mb, 256, 1, 65536, 1, \
	    "MiB of guest memory shared with the host") \
	NAME(hostile, "SEED[:CLASS...]", "makes the host a hostile one")

struct hvbus_sim_conf {
	uint32_t timeout_ms;
	uint32_t ring_size;
	uint32_t nics;
	struct hvnet_devarg_list port;
	char socket[108];	/* sun_path */
	uint32_t arena_mb;
	char hostile[128];
	/* from hostile= (hvsim_hostile_parse()); 0 classes: not hostile */
	uint64_t hostile_seed;
	uint32_t hostile_classes;
};

/* sim_config.c: the settings, their table, checks across them. */
extern struct hvbus_sim_conf hvbus_sim_conf;
extern struct hvnet_devargs_spec hvbus_sim_spec;
int hvbus_sim_check(void);

/* sim_backend.c */
extern const struct hvbus_backend_ops hvbus_sim_ops;

struct hvbus_extent {
	size_t off;
	size_t len;
};

/* Host-shared memory: one memfd mapped once, carved into page runs. */
struct hvbus_arena {
	int memfd;
	uint8_t *base;
	size_t size;
	pthread_mutex_t lock;
	struct hvbus_extent *free;	/* sorted by offset, coalesced */
	unsigned int n_free;
	unsigned int cap;
	size_t in_use;
};

int hvbus_arena_create(struct hvbus_arena *a, size_t size);
void hvbus_arena_destroy(struct hvbus_arena *a);
/* Page-aligned, zeroed memory of @len bytes (rounded up to 4 KiB). */
void *hvbus_arena_alloc(struct hvbus_arena *a, size_t len);
void hvbus_arena_free(struct hvbus_arena *a, void *va, size_t len);
size_t hvbus_arena_in_use(struct hvbus_arena *a);

/* sim_sendfd.c: @p len bytes as one frame on @p sock with @p n (1 or 2)
 * descriptors (SCM_RIGHTS), without waiting: 0 or a negative errno. */
int hvbus_sim_send_fds(int sock, const void *buf, size_t len, const int *fds,
		       unsigned int n);
/* sim_lend.c: lend EAL's memory to the daemon on @p sock (MEM frames). */
void hvbus_sim_lend_mem(int sock);

struct hvsim;

/*
 * Test-only: the embedded hvsim of the running bus, NULL when the bus
 * talks to a daemon or did not start. Valid until rte_eal_cleanup().
 */
struct hvsim *hvbus_sim_hvsim(void);

/*
 * Test-only: violations the embedded hvsim's checker counted when the bus
 * shut it down (after UNLOAD), -1 if it was never shut down.
 */
int hvbus_sim_exit_violations(void);

/*
 * Test-only: bytes of the shared-memory arena allocated now for devices
 * (rings, GPADL buffers; not the bus's two monitor pages), 0 when the
 * simulator backend is not running or holds nothing for a device. A
 * buffer freed twice, or never, shows here.
 */
size_t hvbus_sim_arena_in_use(void);

#endif /* HVBUS_SIM_H */
