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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_priv.h"

/* Report size cap: a guest looping on a bad message must not eat memory. */
#define HVSIM_REPORT_MAX	(256 * 1024)

void
hvsim_violation(struct hvsim *h, const char *fmt, ...)
{
	char line[320];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (hvsim_err_ratelimit(h))
		fprintf(stderr, "hvsim[%s]: VIOLATION: %s\n",
			h->cfg.name != NULL ? h->cfg.name : "host", line);
	if (h->cfg.checker_off)
		return;
	pthread_mutex_lock(&h->chk_lock);
	h->violations++;
	n = strlen(line);
	if (h->report_len + n + 2 > h->report_cap &&
	    h->report_cap < HVSIM_REPORT_MAX) {
		size_t cap = h->report_cap ? h->report_cap * 2 : 4096;
		char *p;

		while (cap < h->report_len + n + 2)
			cap *= 2;
		p = realloc(h->report, cap);
		if (p != NULL) {
			h->report = p;
			h->report_cap = cap;
		}
	}
	if (h->report_len + n + 2 <= h->report_cap) {
		memcpy(h->report + h->report_len, line, n);
		h->report_len += n;
		h->report[h->report_len++] = '\n';
		h->report[h->report_len] = '\0';
	}
	pthread_mutex_unlock(&h->chk_lock);
}

unsigned int
hvsim_violations(const struct hvsim *h)
{
	struct hvsim *mh = (struct hvsim *)(uintptr_t)h;
	unsigned int v;

	pthread_mutex_lock(&mh->chk_lock);
	v = h->violations;
	pthread_mutex_unlock(&mh->chk_lock);
	return v;
}

size_t
hvsim_report(const struct hvsim *h, char *buf, size_t len)
{
	struct hvsim *mh = (struct hvsim *)(uintptr_t)h;
	size_t n;

	pthread_mutex_lock(&mh->chk_lock);
	n = h->report_len;
	if (buf != NULL && len > 0) {
		size_t k = n < len - 1 ? n : len - 1;

		if (k > 0)
			memcpy(buf, h->report, k);
		buf[k] = '\0';
	}
	pthread_mutex_unlock(&mh->chk_lock);
	return n;
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
			hvsim_violation(h, "relid %u (nic%u sub %u) rescinded "
					"but never released before %s", c->relid,
					c->nic->idx, c->subidx, when);
	}
	if (hvsim_gpadl_leak_check(h) > 0)
		hvsim_log(h, "GPADLs leaked at %s", when);
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
