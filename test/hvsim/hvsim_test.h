/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Shared set-up of the hvsim core tests: a host with the echo device
 * behind N NICs, a test guest attached in embedded mode, either with the
 * host thread running or pumped by the guest (deterministic).
 */

#ifndef HVSIM_TEST_H
#define HVSIM_TEST_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "echo_dev.h"
#include "hvsim.h"
#include "hvsim_guest.h"

struct tenv {
	struct hvsim *h;
	struct hvsim_guest *g;
};

/* @p threaded: run the host thread; else the guest pumps hvsim_poll(). */
static inline void
tenv_up(struct tenv *t, unsigned int nics, bool threaded,
	unsigned int grace_ms)
{
	struct hvsim_config cfg;

	hvsim_config_init(&cfg, nics);
	cfg.dev_ops = &echo_dev_ops;
	cfg.name = "test";
	cfg.rescind_grace_ms = grace_ms;
	t->h = hvsim_create(&cfg);
	REQUIRE(t->h != NULL, "hvsim_create");
	REQUIRE(hvsim_guest_create(&t->g, 0) == 0, "guest create");
	if (threaded)
		REQUIRE(hvsim_start(t->h) == 0, "hvsim_start");
	else
		hvsim_guest_set_pump(t->g, t->h);
	REQUIRE(hvsim_guest_attach_embedded(t->g, t->h) == 0, "attach");
}

/* Connected at the newest version, offers collected. */
static inline void
tenv_connect(struct tenv *t)
{
	REQUIRE(hvsim_guest_connect_vmbus(t->g, 0) > 0, "connect vmbus");
	REQUIRE(hvsim_guest_request_offers(t->g) >= 0, "request offers");
}

/* Let the host process what the guest sent (threaded or pumped): the
 * guest reads for 30 ms, then waits until the host has finished two
 * iterations with nothing to do since, at most 1 s - 30 ms alone was a
 * guess a loaded machine beat (a threaded host not yet scheduled left a
 * violation uncounted). The statistics command runs at an iteration's
 * start; the idle ones after it began after everything sent before.
 */
static inline void
tenv_settle(struct tenv *t)
{
	struct hvsim_nic_stats st;
	uint64_t idle0;
	unsigned int i;

	hvsim_guest_expect_none(t->g, UINT32_MAX, UINT32_MAX, 30);
	if (hvsim_nic_stats(t->h, 0, &st) != 0)
		return;
	idle0 = st.host_polls_idle;
	for (i = 0; i < 100; i++) {
		if (hvsim_nic_stats(t->h, 0, &st) != 0 ||
		    st.host_polls_idle >= idle0 + 2)
			return;
		hvsim_guest_expect_none(t->g, UINT32_MAX, UINT32_MAX, 10);
	}
}

static inline unsigned int
tenv_violations(struct tenv *t)
{
	tenv_settle(t);
	return hvsim_violations(t->h);
}

/* True when the checker report mentions @p what. */
static inline bool
tenv_reported(struct tenv *t, const char *what)
{
	char rep[8192];

	tenv_settle(t);
	hvsim_report(t->h, rep, sizeof(rep));
	return strstr(rep, what) != NULL;
}

static inline void
tenv_down(struct tenv *t)
{
	hvsim_guest_destroy(t->g);
	hvsim_destroy(t->h);
	t->g = NULL;
	t->h = NULL;
}

#endif /* HVSIM_TEST_H */
