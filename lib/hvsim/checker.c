/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Invariant rules on the ring indices the guest owns (protocol.rst 9):
 * pure functions that look at a ring and what the host saw of it last and
 * give a verdict with a reason. They never act: the ring engine fails the
 * channel and records the violation. Rules about messages live where each
 * message is handled, rules about what a leaving guest must have cleaned
 * up with the tables that know (gpadl.c, offers.c).
 */

#include <errno.h>
#include <stdio.h>

#include "hvsim_wire.h"

/* Unread bytes between index @p from and @p to on a ring of @p size. */
static uint32_t
hvsim_ring_dist(uint32_t from, uint32_t to, uint32_t size)
{
	return to >= from ? to - from : size - from + to;
}

void
hvsim_check_out_init(struct hvsim_out_shadow *s, const struct vmb_ring *r)
{
	s->rd_seen = r->wr_rd;
	s->lib_rd = r->wr_rd;
}

/*
 * guest->host ring: the guest owns write_index. Relative to our read
 * position, the unread byte count can only grow (the guest appends), until
 * we consume. Fewer unread bytes than we already saw means the index went
 * back, or wrapped past our read position.
 */
int
hvsim_check_in_ring(const struct vmb_ring *r, char *why, size_t len)
{
	uint32_t w = __atomic_load_n(&r->hdr->write_index, __ATOMIC_ACQUIRE);
	uint32_t seen, now;

	if (r->broken)
		return 0;	/* already failed by the reader */
	if (w >= r->size || (w & 7)) {
		snprintf(why, len, "guest->host write_index out of range or "
			 "misaligned");
		return -EBADMSG;
	}
	seen = hvsim_ring_dist(r->rd_pos, r->rd_w, r->size);
	now = hvsim_ring_dist(r->rd_pos, w, r->size);
	if (now < seen) {
		snprintf(why, len, "guest->host write_index moved back from "
			 "%u to %u (host read at %u)", r->rd_w, w, r->rd_pos);
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
hvsim_check_out_ring(const struct vmb_ring *r, struct hvsim_out_shadow *s,
		     char *why, size_t len)
{
	uint32_t rd = __atomic_load_n(&r->hdr->read_index, __ATOMIC_ACQUIRE);
	uint32_t before, now;

	if (r->broken)
		return 0;
	if (rd >= r->size || (rd & 7)) {
		snprintf(why, len, "host->guest read_index out of range or "
			 "misaligned");
		return -EBADMSG;
	}
	/* lib/vmbus may have looked at the index after us (ring full). */
	if (r->wr_rd != s->lib_rd) {
		s->lib_rd = r->wr_rd;
		s->rd_seen = r->wr_rd;
	}
	before = hvsim_ring_dist(s->rd_seen, r->wr_pub, r->size);
	now = hvsim_ring_dist(rd, r->wr_pub, r->size);
	if (now > before) {
		snprintf(why, len, "host->guest read_index moved from %u to "
			 "%u: backwards or past the write index %u",
			 s->rd_seen, rd, r->wr_pub);
		return -EBADMSG;
	}
	s->rd_seen = rd;
	return 0;
}
