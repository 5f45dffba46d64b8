/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * GPADL_HEADER/GPADL_BODY construction (guest) and reassembly (host).
 *
 * The range data of a GPADL is a stream of u64 words: per range one word
 * {byte_count u32, byte_offset u32}, then one word per page it spans. The
 * header carries range_buflen (bytes of that stream) and the first words;
 * bodies carry the rest, named only by the GPADL handle.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmb_gpadl.h"
#include "vmb_pkt.h"

/* Fixed part of GPADL_HEADER / GPADL_BODY before their words. */
#define HDR_FIXED	20u
#define BODY_FIXED	16u

struct vmb_gpadl_asm_slot {
	uint32_t used;
	uint32_t relid;
	uint32_t handle;
	uint16_t rangecount;
	uint32_t nwords;	/* announced */
	uint32_t have;		/* received */
	uint64_t *words;
};

int
vmb_gpadl_msg_count(uint32_t npfn)
{
	if (npfn == 0 || npfn > VMB_GPADL_MAX_PFN)
		return -EINVAL;
	if (npfn <= VMB_GPADL_HDR_MAX_PFN)
		return 1;
	return 1 + (int)((npfn - VMB_GPADL_HDR_MAX_PFN +
			  VMB_GPADL_BODY_MAX_PFN - 1) / VMB_GPADL_BODY_MAX_PFN);
}

int
vmb_gpadl_build(union vmb_msg *m, uint32_t relid, uint32_t handle,
		const uint64_t *pfns, uint32_t npfn, uint32_t idx)
{
	int count = vmb_gpadl_msg_count(npfn);
	uint32_t first, k;
	uint64_t range;

	if (count < 0 || idx >= (uint32_t)count)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (idx == 0) {
		k = npfn < VMB_GPADL_HDR_MAX_PFN ? npfn : VMB_GPADL_HDR_MAX_PFN;
		m->hdr.type = VMB_MSG_GPADL_HEADER;
		m->gpadl_header.child_relid = relid;
		m->gpadl_header.gpadl = handle;
		m->gpadl_header.range_buflen = (uint16_t)(8 + 8 * npfn);
		m->gpadl_header.rangecount = 1;
		/* One range at byte offset 0 covering every page. */
		range = (uint64_t)npfn * VMB_PAGE_SIZE;
		memcpy(&m->raw[HDR_FIXED], &range, 8);
		memcpy(&m->raw[HDR_FIXED + 8], pfns, (size_t)k * 8);
		return (int)(HDR_FIXED + 8 + 8 * k);
	}
	first = VMB_GPADL_HDR_MAX_PFN + (idx - 1) * VMB_GPADL_BODY_MAX_PFN;
	k = npfn - first;
	if (k > VMB_GPADL_BODY_MAX_PFN)
		k = VMB_GPADL_BODY_MAX_PFN;
	m->hdr.type = VMB_MSG_GPADL_BODY;
	m->gpadl_body.msgnumber = 0;
	m->gpadl_body.gpadl = handle;
	memcpy(&m->raw[BODY_FIXED], pfns + first, (size_t)k * 8);
	return (int)(BODY_FIXED + 8 * k);
}

void
vmb_gpadl_free(struct vmb_gpadl *g)
{
	if (g == NULL)
		return;
	free(g->words);
	free(g);
}

int
vmb_gpadl_asm_init(struct vmb_gpadl_asm *a, uint32_t max_pending,
		   uint32_t max_pfns)
{
	memset(a, 0, sizeof(*a));
	if (max_pending == 0 || max_pfns == 0)
		return -EINVAL;
	a->slots = calloc(max_pending, sizeof(*a->slots));
	if (a->slots == NULL)
		return -ENOMEM;
	a->max_pending = max_pending;
	a->max_pfns = max_pfns;
	return 0;
}

static void
slot_drop(struct vmb_gpadl_asm_slot *s)
{
	free(s->words);
	memset(s, 0, sizeof(*s));
}

void
vmb_gpadl_asm_fini(struct vmb_gpadl_asm *a)
{
	uint32_t i;

	if (a->slots == NULL)
		return;
	for (i = 0; i < a->max_pending; i++)
		slot_drop(&a->slots[i]);
	free(a->slots);
	a->slots = NULL;
}

static struct vmb_gpadl_asm_slot *
slot_find(struct vmb_gpadl_asm *a, uint32_t handle)
{
	uint32_t i;

	for (i = 0; i < a->max_pending; i++)
		if (a->slots[i].used && a->slots[i].handle == handle)
			return &a->slots[i];
	return NULL;
}

uint32_t
vmb_gpadl_asm_drop_relid(struct vmb_gpadl_asm *a, uint32_t relid)
{
	uint32_t i, n = 0;

	for (i = 0; i < a->max_pending; i++) {
		if (a->slots[i].used && a->slots[i].relid == relid) {
			slot_drop(&a->slots[i]);
			n++;
		}
	}
	return n;
}

uint32_t
vmb_gpadl_asm_pending(const struct vmb_gpadl_asm *a)
{
	uint32_t i, n = 0;

	for (i = 0; i < a->max_pending; i++)
		n += a->slots[i].used != 0;
	return n;
}

/*
 * Walk the ranges of a complete word stream: each range's PFN count must
 * follow from its byte offset and count, and the ranges must use up the
 * stream exactly.
 */
static int
ranges_check(const uint64_t *w, uint32_t nwords, uint16_t rangecount)
{
	uint32_t pos = 0, r;

	for (r = 0; r < rangecount; r++) {
		uint32_t count, offset;
		uint64_t span;

		if (pos >= nwords)
			return -EBADMSG;
		count = (uint32_t)w[pos];
		offset = (uint32_t)(w[pos] >> 32);
		if (count == 0 || offset >= VMB_PAGE_SIZE)
			return -EBADMSG;
		span = ((uint64_t)offset + count + VMB_PAGE_SIZE - 1) >>
			VMB_PAGE_SHIFT;
		if (span > nwords - pos - 1)
			return -EBADMSG;
		pos += 1 + (uint32_t)span;
	}
	return pos == nwords ? 0 : -EBADMSG;
}

/* Turn a finished slot into a struct vmb_gpadl; the slot is released. */
static int
slot_finish(struct vmb_gpadl_asm *a, struct vmb_gpadl_asm_slot *s,
	    struct vmb_gpadl **done)
{
	struct vmb_gpadl *g;

	if (ranges_check(s->words, s->nwords, s->rangecount) < 0) {
		a->stats.bad_msg++;
		slot_drop(s);
		return -EBADMSG;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		slot_drop(s);
		return -ENOMEM;
	}
	g->relid = s->relid;
	g->handle = s->handle;
	g->rangecount = s->rangecount;
	g->nwords = s->nwords;
	g->words = s->words;
	g->byte_count = (uint32_t)s->words[0];
	g->byte_offset = (uint32_t)(s->words[0] >> 32);
	g->npfn = (uint32_t)(((uint64_t)g->byte_offset + g->byte_count +
			      VMB_PAGE_SIZE - 1) >> VMB_PAGE_SHIFT);
	g->pfns = &s->words[1];
	s->words = NULL;
	slot_drop(s);
	a->stats.completed++;
	*done = g;
	return 0;
}

static int
feed_header(struct vmb_gpadl_asm *a, const struct vmb_msg_gpadl_header *h,
	    uint32_t len, struct vmb_gpadl **done)
{
	struct vmb_gpadl_asm_slot *s = NULL;
	uint32_t hwords, nwords, i;

	if (len < HDR_FIXED + 8 || len > VMB_MSG_MAX_SIZE ||
	    (len - HDR_FIXED) % 8) {
		a->stats.bad_msg++;
		return -EBADMSG;
	}
	hwords = (len - HDR_FIXED) / 8;
	nwords = h->range_buflen / 8u;
	if (h->range_buflen % 8 || h->rangecount == 0 ||
	    h->rangecount >= nwords || hwords > nwords) {
		a->stats.bad_msg++;
		return -EBADMSG;
	}
	if (slot_find(a, h->gpadl) != NULL) {
		a->stats.dup_handle++;
		return -EEXIST;
	}
	if (nwords - h->rangecount > a->max_pfns) {
		a->stats.too_big++;
		return -E2BIG;
	}
	for (i = 0; i < a->max_pending; i++) {
		if (!a->slots[i].used) {
			s = &a->slots[i];
			break;
		}
	}
	if (s == NULL) {
		a->stats.no_slot++;
		return -ENOSPC;
	}
	s->words = malloc((size_t)nwords * 8);
	if (s->words == NULL)
		return -ENOMEM;
	s->used = 1;
	s->relid = h->child_relid;
	s->handle = h->gpadl;
	s->rangecount = h->rangecount;
	s->nwords = nwords;
	s->have = hwords;
	memcpy(s->words, (const uint8_t *)h + HDR_FIXED, (size_t)hwords * 8);
	if (s->have == s->nwords)
		return slot_finish(a, s, done);
	return 0;
}

static int
feed_body(struct vmb_gpadl_asm *a, const struct vmb_msg_gpadl_body *b,
	  uint32_t len, struct vmb_gpadl **done, uint32_t *failed_relid,
	  uint32_t *failed_handle)
{
	struct vmb_gpadl_asm_slot *s;
	uint32_t k;

	s = slot_find(a, b->gpadl);
	if (s == NULL) {
		a->stats.unknown_handle++;
		return -ENOENT;
	}
	/* From here on the GPADL is known: tell the caller whom to fail. */
	if (failed_relid != NULL)
		*failed_relid = s->relid;
	if (failed_handle != NULL)
		*failed_handle = s->handle;
	if (len <= BODY_FIXED || len > VMB_MSG_MAX_SIZE ||
	    (len - BODY_FIXED) % 8) {
		a->stats.bad_msg++;
		slot_drop(s);
		return -EBADMSG;
	}
	k = (len - BODY_FIXED) / 8;
	if (k > s->nwords - s->have) {
		a->stats.overflow++;
		slot_drop(s);
		return -EOVERFLOW;
	}
	memcpy(&s->words[s->have], (const uint8_t *)b + BODY_FIXED,
	       (size_t)k * 8);
	s->have += k;
	if (s->have == s->nwords)
		return slot_finish(a, s, done);
	return 0;
}

int
vmb_gpadl_asm_feed(struct vmb_gpadl_asm *a, const union vmb_msg *m,
		   uint32_t len, struct vmb_gpadl **done,
		   uint32_t *failed_relid, uint32_t *failed_handle)
{
	*done = NULL;
	if (len < sizeof(struct vmb_msg_hdr) || len > VMB_MSG_MAX_SIZE)
		return -EINVAL;
	if (m->hdr.type == VMB_MSG_GPADL_HEADER) {
		if (len >= HDR_FIXED) {
			if (failed_relid != NULL)
				*failed_relid = m->gpadl_header.child_relid;
			if (failed_handle != NULL)
				*failed_handle = m->gpadl_header.gpadl;
		}
		return feed_header(a, &m->gpadl_header, len, done);
	}
	if (m->hdr.type == VMB_MSG_GPADL_BODY) {
		if (len < BODY_FIXED) {
			a->stats.bad_msg++;
			return -EBADMSG;
		}
		return feed_body(a, &m->gpadl_body, len, done, failed_relid,
				 failed_handle);
	}
	return -EINVAL;
}
