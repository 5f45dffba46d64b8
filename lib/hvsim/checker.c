/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Invariant checker: records every protocol violation of the guest (one
 * report line each) so that a test or the daemon can fail the run. The
 * rules that need state live here: at unload/disconnect, rescinded relids
 * never released and GPADLs never torn down; on every ring poll, indices
 * the guest owns that moved in a way no correct guest can move them.
 * Per-message rules are checked where the message is handled.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_priv.h"

unsigned int
hvsim_violations(const struct hvsim *h)
{
	return hvsim_log_violations(&((struct hvsim *)(uintptr_t)h)->log);
}

size_t
hvsim_report(const struct hvsim *h, char *buf, size_t len)
{
	return hvsim_log_report(&((struct hvsim *)(uintptr_t)h)->log, buf, len);
}

/* At UNLOAD, a reconnect or the guest's disconnect: what a guest that
 * leaves must have cleaned up (grace: a guest still connected when the
 * host stops is not judged).
 */
void
hvsim_check_unload(struct hvsim *h, const char *when)
{
	unsigned int i;

	for (i = 0; i < HVSIM_RELID_LIMIT; i++) {
		struct hvsim_chan *c = h->relid_tab[i];

		if (c != NULL && c->rescinded)
			hvsim_log_violation(&h->log, "relid %u (nic%u sub %u) "
					    "rescinded but never released "
					    "before %s", c->relid, c->nic->idx,
					    c->subidx, when);
	}
	if (hvsim_gpadl_leak_check(h) > 0)
		HVSIM_INFO(&h->log, "GPADLs leaked at %s", when);
}

/* Unread bytes between index @p from and @p to on a ring of @p size. */
static uint32_t
hvsim_ring_dist(uint32_t from, uint32_t to, uint32_t size)
{
	return to >= from ? to - from : size - from + to;
}

/*
 * guest->host ring: the guest owns write_index. Relative to our read
 * position, the unread byte count can only grow (the guest appends), until
 * we consume. Fewer unread bytes than we already saw means the index went
 * back, or wrapped past our read position.
 */
int
hvsim_check_in_ring(struct hvsim_chan *c)
{
	struct vmb_ring *r = &c->in;
	uint32_t w = __atomic_load_n(&r->hdr->write_index, __ATOMIC_ACQUIRE);
	uint32_t seen, now;

	if (r->broken)
		return 0;	/* already failed by the reader */
	if (w >= r->size || (w & 7)) {
		hvsim_chan_fail(c, "guest->host write_index out of range or "
				"misaligned", 0);
		return -EBADMSG;
	}
	seen = hvsim_ring_dist(r->rd_pos, r->rd_w, r->size);
	now = hvsim_ring_dist(r->rd_pos, w, r->size);
	if (now < seen) {
		char why[128];

		snprintf(why, sizeof(why), "guest->host write_index moved "
			 "back from %u to %u (host read at %u)", r->rd_w, w,
			 r->rd_pos);
		hvsim_chan_fail(c, why, 0);
		return -EBADMSG;
	}
	return 0;
}

/*
 * host->guest ring: the guest owns read_index and may only move it towards
 * our published write index. More unread bytes than at the last look means
 * it went back; past our write index shows the same way (the distance
 * wraps to nearly the ring size).
 */
int
hvsim_check_out_ring(struct hvsim_chan *c)
{
	struct vmb_ring *r = &c->out;
	uint32_t rd = __atomic_load_n(&r->hdr->read_index, __ATOMIC_ACQUIRE);
	uint32_t before, now;

	if (r->broken)
		return 0;
	if (rd >= r->size || (rd & 7)) {
		hvsim_chan_fail(c, "host->guest read_index out of range or "
				"misaligned", 0);
		return -EBADMSG;
	}
	/* lib/vmbus may have looked at the index after us (ring full). */
	if (r->wr_rd != c->out_lib_rd) {
		c->out_lib_rd = r->wr_rd;
		c->out_rd_seen = r->wr_rd;
	}
	before = hvsim_ring_dist(c->out_rd_seen, r->wr_pub, r->size);
	now = hvsim_ring_dist(rd, r->wr_pub, r->size);
	if (now > before) {
		char why[128];

		snprintf(why, sizeof(why), "host->guest read_index moved from "
			 "%u to %u: backwards or past the write index %u",
			 c->out_rd_seen, rd, r->wr_pub);
		hvsim_chan_fail(c, why, 0);
		return -EBADMSG;
	}
	c->out_rd_seen = rd;
	return 0;
}
