/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * GPADL table of the host (hyperv-protocol.md 2.6): lib/vmbus assembles
 * headers and bodies; this file checks that every page lies in the guest's
 * arena, keeps the established GPADLs with a host view when their pages
 * are contiguous, answers GPADL_CREATED / GPADL_TORNDOWN, and remembers
 * torn-down handles so a later use is named as such by the checker.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_priv.h"

int
hvsim_gpadl_init(struct hvsim *h)
{
	h->gpadl = calloc(HVSIM_GPADL_MAX, sizeof(*h->gpadl));
	if (h->gpadl == NULL)
		return -ENOMEM;
	return vmb_gpadl_asm_init(&h->gasm, HVSIM_GPADL_PENDING_MAX,
				  VMB_GPADL_MAX_PFN);
}

void
hvsim_gpadl_fini(struct hvsim *h)
{
	if (h->gpadl != NULL)
		hvsim_gpadl_drop_all(h);
	vmb_gpadl_asm_fini(&h->gasm);
	free(h->gpadl);
	h->gpadl = NULL;
}

struct hvsim_gpadl *
hvsim_gpadl_find(struct hvsim *h, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < h->n_gpadl; i++)
		if (h->gpadl[i].handle == handle)
			return &h->gpadl[i];
	return NULL;
}

bool
hvsim_gpadl_was_torn(const struct hvsim *h, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < h->gpadl_gone_n; i++)
		if (h->gpadl_gone_live[i] && h->gpadl_gone[i] == handle)
			return true;
	return false;
}

static void
hvsim_gpadl_remember(struct hvsim *h, uint32_t handle)
{
	h->gpadl_gone[h->gpadl_gone_pos] = handle;
	h->gpadl_gone_live[h->gpadl_gone_pos] = true;
	h->gpadl_gone_pos = (h->gpadl_gone_pos + 1) % HVSIM_GPADL_HISTORY;
	if (h->gpadl_gone_n < HVSIM_GPADL_HISTORY)
		h->gpadl_gone_n++;
}

/* A handle may be reused by the guest once torn down: forget the old use. */
static void
hvsim_gpadl_forget(struct hvsim *h, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < h->gpadl_gone_n; i++)
		if (h->gpadl_gone[i] == handle)
			h->gpadl_gone_live[i] = false;
}

/* ---- GPADLs in progress (for hooks and rescinds) ---- */

static struct hvsim_gpadl_prog *
hvsim_gprog_find(struct hvsim *h, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < h->n_gprog; i++)
		if (h->gprog[i].handle == handle)
			return &h->gprog[i];
	return NULL;
}

static void
hvsim_gprog_del(struct hvsim *h, uint32_t handle)
{
	struct hvsim_gpadl_prog *p = hvsim_gprog_find(h, handle);

	if (p != NULL)
		*p = h->gprog[--h->n_gprog];
}

int
hvsim_gpadl_prog_relid(const struct hvsim *h, uint32_t handle, uint32_t *relid)
{
	unsigned int i;

	for (i = 0; i < h->n_gprog; i++) {
		if (h->gprog[i].handle == handle) {
			*relid = h->gprog[i].relid;
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- establishment ---- */

static void
hvsim_gpadl_reply(struct hvsim *h, uint32_t relid, uint32_t handle,
		  uint32_t status)
{
	union vmb_msg r;
	int len = vmb_msg_encode_gpadl_created(&r, relid, handle, status);

	if (len > 0)
		hvsim_send_msg(h, &r, len);
}

/* Check every page of a completed GPADL and find a contiguous host view. */
static int
hvsim_gpadl_pages(struct hvsim *h, const struct vmb_gpadl *g, uint8_t **host)
{
	uint32_t i;
	bool contig = true;

	*host = NULL;
	for (i = 0; i < g->npfn; i++) {
		uint64_t pfn = g->pfns[i];

		if (pfn > (UINT64_MAX >> VMB_PAGE_SHIFT) ||
		    hvsim_arena_ptr(h, pfn << VMB_PAGE_SHIFT,
				    VMB_PAGE_SIZE) == NULL) {
			hvsim_log_violation(&h->log, "GPADL %#x page %u (pfn "
					    "%#llx) is outside the guest "
					    "arena", g->handle, i,
					    (unsigned long long)pfn);
			return -EFAULT;
		}
		if (i > 0 && pfn != g->pfns[i - 1] + 1)
			contig = false;
	}
	if (contig)
		*host = (uint8_t *)hvsim_arena_ptr(h, g->pfns[0] << VMB_PAGE_SHIFT,
						   (uint64_t)g->npfn *
						   VMB_PAGE_SIZE) +
			g->byte_offset;
	return 0;
}

static void
hvsim_gpadl_complete(struct hvsim *h, struct vmb_gpadl *g, bool fail)
{
	struct hvsim_gpadl *e;
	struct hvsim_chan *c;
	uint8_t *host;

	c = g->relid < HVSIM_RELID_LIMIT ? h->relid_tab[g->relid] : NULL;
	if (c == NULL) {
		/* Released while the bodies were coming: nobody to answer. */
		vmb_gpadl_free(g);
		return;
	}
	if (fail) {
		HVSIM_INFO(&h->log, "GPADL %#x completed after relid %u was "
			   "rescinded: failing it", g->handle, g->relid);
		goto fail;
	}
	if (hvsim_gpadl_find(h, g->handle) != NULL) {
		hvsim_log_violation(&h->log, "GPADL handle %#x already in use",
				    g->handle);
		goto fail;
	}
	if (g->rangecount != 1) {
		hvsim_log_error(&h->log, "GPADL %#x has %u ranges; this host "
				"supports one", g->handle, g->rangecount);
		goto fail;
	}
	if (hvsim_gpadl_pages(h, g, &host) < 0)
		goto fail;
	if (h->n_gpadl == HVSIM_GPADL_MAX) {
		hvsim_log_error(&h->log, "GPADL table full (%u): failing %#x",
				HVSIM_GPADL_MAX, g->handle);
		goto fail;
	}
	e = &h->gpadl[h->n_gpadl++];
	memset(e, 0, sizeof(*e));
	e->handle = g->handle;
	e->relid = g->relid;
	e->g = g;
	e->host = host;
	e->len = g->byte_count;
	hvsim_gpadl_forget(h, g->handle);
	HVSIM_DEBUG(&h->log, "GPADL %#x on relid %u: %u pages%s", g->handle,
		    g->relid, g->npfn, host != NULL ? "" : " (scattered)");
	hvsim_gpadl_reply(h, g->relid, g->handle, 0);
	hvsim_hook_core(h, c->nic, HVSIM_STEP_GPADL_CREATED);
	return;
fail:
	hvsim_gpadl_reply(h, g->relid, g->handle, HVSIM_GPADL_FAIL);
	vmb_gpadl_free(g);
}

void
hvsim_gpadl_msg(struct hvsim *h, const union vmb_msg *m, uint32_t len)
{
	bool header = m->hdr.type == VMB_MSG_GPADL_HEADER;
	uint32_t handle = header ? m->gpadl_header.gpadl : m->gpadl_body.gpadl;
	uint32_t frelid = 0, fhandle = 0;
	struct hvsim_gpadl_prog *p;
	struct vmb_gpadl *done = NULL;
	bool fail = false;
	int rc;

	if (header) {
		struct hvsim_chan *c;

		c = hvsim_chan_by_relid(h, m->gpadl_header.child_relid,
					"GPADL_HEADER");
		if (c == NULL)
			return;
	}
	rc = vmb_gpadl_asm_feed(&h->gasm, m, len, &done, &frelid, &fhandle);
	if (rc < 0) {
		hvsim_log_violation(&h->log, "%s for GPADL %#x refused: %s",
				    vmb_msg_name(m->hdr.type), handle,
				    rc == -EEXIST ? "handle already in progress" : rc == -ENOENT ? "no such GPADL in progress" : rc == -EOVERFLOW ? "more pages than announced" : rc == -E2BIG ? "too many pages" : rc == -ENOSPC ? "too many GPADLs in progress" : strerror(-rc));
		/* The assembler dropped the GPADL on a bad body. */
		if (!header && rc != -ENOENT)
			hvsim_gprog_del(h, handle);
		if (fhandle != 0 || frelid != 0)
			hvsim_gpadl_reply(h, frelid, fhandle, HVSIM_GPADL_FAIL);
		return;
	}
	p = hvsim_gprog_find(h, handle);
	if (done == NULL) {
		/* Header accepted, bodies to come. */
		if (header && p == NULL && h->n_gprog < HVSIM_GPADL_PENDING_MAX) {
			p = &h->gprog[h->n_gprog++];
			p->handle = handle;
			p->relid = m->gpadl_header.child_relid;
			p->fail = false;
		}
		return;
	}
	if (p != NULL) {
		fail = p->fail;
		hvsim_gprog_del(h, handle);
	}
	hvsim_gpadl_complete(h, done, fail);
}

/* ---- teardown ---- */

static void
hvsim_gpadl_remove(struct hvsim *h, struct hvsim_gpadl *e, bool reply)
{
	struct hvsim_chan *c;
	uint32_t handle = e->handle;
	union vmb_msg r;
	int len;

	c = e->relid < HVSIM_RELID_LIMIT ? h->relid_tab[e->relid] : NULL;
	/* The device drops its mapping before the guest may free it. */
	if (c != NULL && h->ops->gpadl_teardown != NULL)
		h->ops->gpadl_teardown(c->nic->dev, handle);
	vmb_gpadl_free(e->g);
	*e = h->gpadl[--h->n_gpadl];
	hvsim_gpadl_remember(h, handle);
	if (reply) {
		len = vmb_msg_encode_gpadl_torndown(&r, handle);
		hvsim_send_msg(h, &r, len);
	}
}

void
hvsim_gpadl_teardown_msg(struct hvsim *h, const union vmb_msg *m)
{
	const struct vmb_msg_gpadl_teardown *t = &m->gpadl_teardown;
	struct hvsim_gpadl *e;
	struct hvsim_chan *c;
	uint32_t relid;

	c = hvsim_chan_by_relid(h, t->child_relid, "GPADL_TEARDOWN");
	if (c == NULL)
		return;
	e = hvsim_gpadl_find(h, t->gpadl);
	if (e == NULL) {
		if (hvsim_gpadl_prog_relid(h, t->gpadl, &relid) == 0)
			hvsim_log_violation(&h->log, "GPADL_TEARDOWN of GPADL "
					    "%#x still in progress", t->gpadl);
		else if (hvsim_gpadl_was_torn(h, t->gpadl))
			hvsim_log_violation(&h->log, "GPADL_TEARDOWN of GPADL "
					    "%#x after its teardown", t->gpadl);
		else
			hvsim_log_violation(&h->log, "GPADL_TEARDOWN of "
					    "unknown GPADL %#x", t->gpadl);
		return;
	}
	if (e->relid != t->child_relid) {
		hvsim_log_violation(&h->log, "GPADL_TEARDOWN of GPADL %#x on "
				    "relid %u; it belongs to relid %u",
				    t->gpadl, t->child_relid, e->relid);
		return;
	}
	if (e->teardown_pending) {
		hvsim_log_violation(&h->log, "GPADL_TEARDOWN of GPADL %#x "
				    "twice", t->gpadl);
		return;
	}
	if (e->ring_of != NULL) {
		/* The host keeps using a ring until the channel closes;
		 * TORNDOWN follows the close.
		 */
		hvsim_log_violation(&h->log, "GPADL_TEARDOWN of GPADL %#x, the "
				    "ring of open relid %u", t->gpadl,
				    e->relid);
		e->teardown_pending = true;
		return;
	}
	hvsim_gpadl_remove(h, e, true);
}

void
hvsim_gpadl_ring_closed(struct hvsim *h, struct hvsim_chan *c)
{
	unsigned int i;

	for (i = 0; i < h->n_gpadl; i++) {
		struct hvsim_gpadl *e = &h->gpadl[i];

		if (e->ring_of != c)
			continue;
		e->ring_of = NULL;
		if (e->teardown_pending)
			hvsim_gpadl_remove(h, e, true);
		return;
	}
}

void
hvsim_gpadl_rescinded(struct hvsim *h, uint32_t relid)
{
	unsigned int i;

	for (i = 0; i < h->n_gprog; i++)
		if (h->gprog[i].relid == relid)
			h->gprog[i].fail = true;
}

void
hvsim_gpadl_drop_relid(struct hvsim *h, uint32_t relid)
{
	unsigned int i = 0;

	vmb_gpadl_asm_drop_relid(&h->gasm, relid);
	while (i < h->n_gprog) {
		if (h->gprog[i].relid == relid)
			h->gprog[i] = h->gprog[--h->n_gprog];
		else
			i++;
	}
	i = 0;
	while (i < h->n_gpadl) {
		if (h->gpadl[i].relid == relid)
			hvsim_gpadl_remove(h, &h->gpadl[i], false);
		else
			i++;
	}
}

unsigned int
hvsim_gpadl_leak_check(struct hvsim *h)
{
	unsigned int i, n = 0;

	for (i = 0; i < h->n_gpadl; i++, n++)
		hvsim_log_violation(&h->log, "GPADL %#x (relid %u, %u pages) "
				    "never torn down", h->gpadl[i].handle,
				    h->gpadl[i].relid, h->gpadl[i].g->npfn);
	for (i = 0; i < h->n_gprog; i++, n++)
		hvsim_log_violation(&h->log, "GPADL %#x (relid %u) left "
				    "half-built", h->gprog[i].handle,
				    h->gprog[i].relid);
	return n;
}

void
hvsim_gpadl_drop_all(struct hvsim *h)
{
	unsigned int i;

	for (i = 0; i < h->n_gpadl; i++)
		vmb_gpadl_free(h->gpadl[i].g);
	h->n_gpadl = 0;
	h->n_gprog = 0;
	h->gpadl_gone_n = 0;
	h->gpadl_gone_pos = 0;
	vmb_gpadl_asm_fini(&h->gasm);
	vmb_gpadl_asm_init(&h->gasm, HVSIM_GPADL_PENDING_MAX,
			   VMB_GPADL_MAX_PFN);
}

void *
hvsim_gpadl_map(struct hvsim_chan *c, uint32_t gpadl, uint64_t *len)
{
	struct hvsim *h = c->h;
	struct hvsim_gpadl *e = hvsim_gpadl_find(h, gpadl);
	struct hvsim_chan *prim = c->nic->chan[0];

	if (e == NULL) {
		if (hvsim_gpadl_was_torn(h, gpadl))
			hvsim_log_violation(&h->log, "GPADL %#x used after its "
					    "teardown", gpadl);
		return NULL;
	}
	if (e->relid != c->relid &&
	    (prim == NULL || e->relid != prim->relid)) {
		hvsim_log_violation(&h->log, "relid %u uses GPADL %#x of relid "
				    "%u", c->relid, gpadl, e->relid);
		return NULL;
	}
	if (e->teardown_pending || e->host == NULL)
		return NULL;
	if (len != NULL)
		*len = e->len;
	return e->host;
}
