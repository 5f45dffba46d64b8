/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * sim backend internals: the memfd arena and, for tests, access to the
 * embedded hvsim.
 */

#ifndef HVBUS_SIM_H
#define HVBUS_SIM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

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

#endif /* HVBUS_SIM_H */
