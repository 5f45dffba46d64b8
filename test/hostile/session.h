/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * One guest session against a hostile host: the real hvbus and net_hvnet
 * in this process, the embedded hvsim choosing badly from a seed (suite
 * hostile) or from a fuzzer's bytes (fuzz_session). A session offers the
 * NIC, lets the bus probe it, configures 1-4 queue pairs, sends and
 * receives, has the host rescind and re-offer it under traffic, then
 * closes and removes the port; an honest host then takes the NIC back so
 * the next session starts clean. The guest must survive whatever the host
 * did: each step ends within its deadline (a watchdog aborts otherwise),
 * every mbuf comes back to the pool, the sanitizers stay quiet, and the
 * guest breaks no protocol rule: no checker verdict, and no request the
 * host had to refuse (a frame past its send section, for one).
 */

#ifndef HOSTILE_SESSION_H
#define HOSTILE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hvsim;
struct rte_mempool;

struct hs_result {
	bool probed;		/* a port existed */
	bool started;		/* it started */
	bool recovered;		/* link up again after the re-offer */
	unsigned int queues;
	uint64_t tx, rx;	/* frames sent and received */
	uint64_t tries;		/* things the hostile host tried */
	unsigned int violations;	/* new checker verdicts (must be 0) */
	uint64_t tx_bad;	/* guest requests the host refused (must be 0) */
	unsigned int leaked;	/* mbufs not back in the pool (must be 0) */
	uint64_t ms;
};

/* EAL with one embedded hvsim NIC; quiet logs unless @p verbose. The NIC
 * is taken back at once, so that every session starts with an offer.
 * Returns the host, or NULL. */
struct hvsim *hs_init(const char *prog, bool verbose);

/*
 * One session of @p queues queue pairs (1-4; 0: from @p seed): hostile
 * classes @p classes chosen from @p seed, or (with @p input) from those
 * bytes. Returns 0 when the guest survived, -1 (with a line on stderr
 * naming the step and the seed) when a check failed.
 */
int hs_session(struct hvsim *h, uint64_t seed, uint32_t classes,
	       unsigned int queues, const uint8_t *input, size_t len,
	       struct hs_result *res);

/*
 * Frames both ways on each of the first @p nq queues of @p port for
 * @p ms: bursts from @p mp whose sizes cycle through the @p nsizes of
 * @p sizes. What tx and rx took adds to @p res (unless NULL).
 */
void hs_traffic(uint16_t port, unsigned int nq, unsigned int ms,
		struct rte_mempool *mp, const uint32_t *sizes,
		unsigned int nsizes, struct hs_result *res);

/* Traffic per phase and the wait for the link after the re-offer, in ms
 * (300 and 3000 unless set): a fuzzer runs shorter sessions. */
void hs_set_pace(unsigned int traffic_ms, unsigned int link_ms);

/*
 * One session on the uio backend (session_uio.c): the guest - the bus's
 * uio backend and net_hvnet, @p queues queue pairs (1-4) - in a child
 * process, against hvsim behind its uio_hv_generic face here; @p input
 * chooses which channel the host rescinds and at which step. Same rules
 * and return as hs_session(). Needs no EAL in this process.
 */
int hs_uio_session(unsigned int queues, const uint8_t *input, size_t len,
		   struct hs_result *res, bool verbose);

/* In main() or LLVMFuzzerInitialize(), before anything else: when this
 * process is the guest hs_uio_session() started, run it and exit. */
void hs_uio_guest_check(const char *prog);

/* Deadline of one session step (the watchdog's limit). */
#define HS_STEP_MS	30000u

#endif /* HOSTILE_SESSION_H */
