/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * GPADL table of the host (protocol.rst 3.6): lib/vmbus assembles headers
 * and bodies; this file checks that every page lies in the guest's arena,
 * keeps the established GPADLs with a host view when their pages are
 * contiguous, tracks the ones still being built, and remembers torn-down
 * handles so that a later use is named as such. It decides what the host
 * owes the guest (GPADL_CREATED and its status, whether a TORNDOWN is due)
 * and records violations; sending, and telling the device, is the caller's.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_wire.h"

int
hvsim_gpadls_init(struct hvsim_gpadls *t, struct hvsim_log *lg,
		  const struct hvsim_mem *mem, const struct hvsim_ids *ids)
{
	memset(t, 0, sizeof(*t));
	t->lg = lg;
	t->mem = mem;
	t->ids = ids;
	t->tab = calloc(HVSIM_GPADL_MAX, sizeof(*t->tab));
	if (t->tab == NULL)
		return -ENOMEM;
	return vmb_gpadl_asm_init(&t->gasm, HVSIM_GPADL_PENDING_MAX,
				  VMB_GPADL_MAX_PFN);
}

void
hvsim_gpadls_fini(struct hvsim_gpadls *t)
{
	if (t->tab != NULL)
		hvsim_gpadls_reset(t);
	vmb_gpadl_asm_fini(&t->gasm);
	free(t->tab);
	t->tab = NULL;
}

void
hvsim_gpadls_reset(struct hvsim_gpadls *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		vmb_gpadl_free(t->tab[i].g);
	t->n = 0;
	t->n_prog = 0;
	t->gone_n = 0;
	t->gone_pos = 0;
	vmb_gpadl_asm_fini(&t->gasm);
	vmb_gpadl_asm_init(&t->gasm, HVSIM_GPADL_PENDING_MAX,
			   VMB_GPADL_MAX_PFN);
}

struct hvsim_gpadl *
hvsim_gpadl_find(struct hvsim_gpadls *t, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->tab[i].handle == handle)
			return &t->tab[i];
	return NULL;
}

struct hvsim_gpadl *
hvsim_gpadl_of(struct hvsim_gpadls *t, uint32_t relid)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (t->tab[i].relid == relid)
			return &t->tab[i];
	return NULL;
}

bool
hvsim_gpadl_was_torn(const struct hvsim_gpadls *t, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < t->gone_n; i++)
		if (t->gone_live[i] && t->gone[i] == handle)
			return true;
	return false;
}

static void
hvsim_gpadl_remember(struct hvsim_gpadls *t, uint32_t handle)
{
	t->gone[t->gone_pos] = handle;
	t->gone_live[t->gone_pos] = true;
	t->gone_pos = (t->gone_pos + 1) % HVSIM_GPADL_HISTORY;
	if (t->gone_n < HVSIM_GPADL_HISTORY)
		t->gone_n++;
}

/* A handle may be reused by the guest once torn down: forget the old use. */
static void
hvsim_gpadl_forget(struct hvsim_gpadls *t, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < t->gone_n; i++)
		if (t->gone[i] == handle)
			t->gone_live[i] = false;
}

/* ---- GPADLs being built (for hooks and rescinds) ---- */

static struct hvsim_gpadl_prog *
hvsim_gprog_find(struct hvsim_gpadls *t, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < t->n_prog; i++)
		if (t->prog[i].handle == handle)
			return &t->prog[i];
	return NULL;
}

static void
hvsim_gprog_del(struct hvsim_gpadls *t, uint32_t handle)
{
	struct hvsim_gpadl_prog *p = hvsim_gprog_find(t, handle);

	if (p != NULL)
		*p = t->prog[--t->n_prog];
}

int
hvsim_gpadl_building(const struct hvsim_gpadls *t, uint32_t handle,
		     uint32_t *relid)
{
	unsigned int i;

	for (i = 0; i < t->n_prog; i++) {
		if (t->prog[i].handle == handle) {
			*relid = t->prog[i].relid;
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- establishment ---- */

static void
hvsim_gpadl_owe(struct hvsim_gpadl_answer *a, uint32_t relid, uint32_t handle,
		uint32_t status)
{
	a->due = true;
	a->relid = relid;
	a->handle = handle;
	a->status = status;
}

/* Check every page of a completed GPADL and find a contiguous host view. */
static int
hvsim_gpadl_pages(struct hvsim_gpadls *t, const struct vmb_gpadl *g,
		  uint8_t **host)
{
	uint32_t i;
	bool contig = true;

	*host = NULL;
	for (i = 0; i < g->npfn; i++) {
		uint64_t pfn = g->pfns[i];

		if (pfn > (UINT64_MAX >> VMB_PAGE_SHIFT) ||
		    hvsim_mem_ptr(t->mem, pfn << VMB_PAGE_SHIFT,
				  VMB_PAGE_SIZE) == NULL) {
			hvsim_log_violation(t->lg, "GPADL %#x page %u (pfn "
					    "%#llx) is outside the guest arena",
					    g->handle, i,
					    (unsigned long long)pfn);
			return -EFAULT;
		}
		if (i > 0 && pfn != g->pfns[i - 1] + 1)
			contig = false;
	}
	if (contig)
		*host = (uint8_t *)hvsim_mem_ptr(t->mem,
						 g->pfns[0] << VMB_PAGE_SHIFT,
						 (uint64_t)g->npfn *
						 VMB_PAGE_SIZE) +
			g->byte_offset;
	return 0;
}

static void
hvsim_gpadl_insert(struct hvsim_gpadls *t, struct vmb_gpadl *g,
		   uint8_t *host, uint64_t len)
{
	struct hvsim_gpadl *e = &t->tab[t->n++];

	memset(e, 0, sizeof(*e));
	e->handle = g->handle;
	e->relid = g->relid;
	e->g = g;
	e->host = host;
	e->len = len;
	hvsim_gpadl_forget(t, g->handle);
}

static void
hvsim_gpadl_complete(struct hvsim_gpadls *t, struct vmb_gpadl *g, bool fail,
		     struct hvsim_gpadl_answer *a)
{
	uint8_t *host;

	if (hvsim_relid_chan(t->ids, g->relid) == NULL) {
		/* Released while the bodies were coming: nobody to answer. */
		vmb_gpadl_free(g);
		return;
	}
	if (fail) {
		HVSIM_INFO(t->lg, "GPADL %#x completed after relid %u was "
			   "rescinded: failing it", g->handle, g->relid);
		goto fail;
	}
	if (hvsim_gpadl_find(t, g->handle) != NULL) {
		hvsim_log_violation(t->lg, "GPADL handle %#x already in use",
				    g->handle);
		goto fail;
	}
	if (g->rangecount != 1) {
		hvsim_log_error(t->lg, "GPADL %#x has %u ranges; this host "
				"supports one", g->handle, g->rangecount);
		goto fail;
	}
	if (hvsim_gpadl_pages(t, g, &host) < 0)
		goto fail;
	if (t->n == HVSIM_GPADL_MAX) {
		hvsim_log_error(t->lg, "GPADL table full (%u): failing %#x",
				HVSIM_GPADL_MAX, g->handle);
		goto fail;
	}
	HVSIM_DEBUG(t->lg, "GPADL %#x on relid %u: %u pages%s", g->handle,
		    g->relid, g->npfn, host != NULL ? "" : " (scattered)");
	hvsim_gpadl_owe(a, g->relid, g->handle, 0);
	hvsim_gpadl_insert(t, g, host, g->byte_count);
	return;
fail:
	hvsim_gpadl_owe(a, g->relid, g->handle, VMB_GPADL_STATUS_FAIL);
	vmb_gpadl_free(g);
}

/* Why the assembler refused a GPADL message. */
static const char *
hvsim_gpadl_refusal(int rc)
{
	switch (rc) {
	case -EEXIST:
		return "handle already in progress";
	case -ENOENT:
		return "no such GPADL in progress";
	case -EOVERFLOW:
		return "more pages than announced";
	case -E2BIG:
		return "too many pages";
	case -ENOSPC:
		return "too many GPADLs in progress";
	default:
		return strerror(-rc);
	}
}

void
hvsim_gpadl_feed(struct hvsim_gpadls *t, const union vmb_msg *m, uint32_t len,
		 struct hvsim_gpadl_answer *a)
{
	bool header = m->hdr.type == VMB_MSG_GPADL_HEADER;
	uint32_t handle = header ? m->gpadl_header.gpadl : m->gpadl_body.gpadl;
	uint32_t frelid = 0, fhandle = 0;
	struct hvsim_gpadl_prog *p;
	struct vmb_gpadl *done = NULL;
	bool fail = false;
	int rc;

	memset(a, 0, sizeof(*a));
	rc = vmb_gpadl_asm_feed(&t->gasm, m, len, &done, &frelid, &fhandle);
	if (rc < 0) {
		hvsim_log_violation(t->lg, "%s for GPADL %#x refused: %s",
				    vmb_msg_name(m->hdr.type), handle,
				    hvsim_gpadl_refusal(rc));
		/* The assembler dropped the GPADL on a bad body. */
		if (!header && rc != -ENOENT)
			hvsim_gprog_del(t, handle);
		if (fhandle != 0 || frelid != 0)
			hvsim_gpadl_owe(a, frelid, fhandle,
					VMB_GPADL_STATUS_FAIL);
		return;
	}
	p = hvsim_gprog_find(t, handle);
	if (done == NULL) {
		/* Header accepted, bodies to come. */
		if (header && p == NULL && t->n_prog < HVSIM_GPADL_PENDING_MAX) {
			p = &t->prog[t->n_prog++];
			p->handle = handle;
			p->relid = m->gpadl_header.child_relid;
			p->fail = false;
		}
		return;
	}
	if (p != NULL) {
		fail = p->fail;
		hvsim_gprog_del(t, handle);
	}
	hvsim_gpadl_complete(t, done, fail, a);
}

/* ---- teardown ---- */

int
hvsim_gpadl_teardown(struct hvsim_gpadls *t, uint32_t relid, uint32_t handle)
{
	struct hvsim_gpadl *e = hvsim_gpadl_find(t, handle);
	uint32_t prelid;

	if (e == NULL) {
		if (hvsim_gpadl_building(t, handle, &prelid) == 0)
			hvsim_log_violation(t->lg, "GPADL_TEARDOWN of GPADL "
					    "%#x still in progress", handle);
		else if (hvsim_gpadl_was_torn(t, handle))
			hvsim_log_violation(t->lg, "GPADL_TEARDOWN of GPADL "
					    "%#x after its teardown", handle);
		else
			hvsim_log_violation(t->lg, "GPADL_TEARDOWN of unknown "
					    "GPADL %#x", handle);
		return -EINVAL;
	}
	if (e->relid != relid) {
		hvsim_log_violation(t->lg, "GPADL_TEARDOWN of GPADL %#x on "
				    "relid %u; it belongs to relid %u", handle,
				    relid, e->relid);
		return -EINVAL;
	}
	if (e->teardown_pending) {
		hvsim_log_violation(t->lg, "GPADL_TEARDOWN of GPADL %#x twice",
				    handle);
		return -EINVAL;
	}
	if (e->ring) {
		/* The host keeps using a ring until the channel closes;
		 * TORNDOWN follows the close.
		 */
		hvsim_log_violation(t->lg, "GPADL_TEARDOWN of GPADL %#x, the "
				    "ring of open relid %u", handle, e->relid);
		e->teardown_pending = true;
		return 1;
	}
	return 0;
}

void
hvsim_gpadl_remove(struct hvsim_gpadls *t, uint32_t handle)
{
	struct hvsim_gpadl *e = hvsim_gpadl_find(t, handle);

	if (e == NULL)
		return;
	vmb_gpadl_free(e->g);
	*e = t->tab[--t->n];
	hvsim_gpadl_remember(t, handle);
}

bool
hvsim_gpadl_ring_closed(struct hvsim_gpadls *t, uint32_t handle)
{
	struct hvsim_gpadl *e = hvsim_gpadl_find(t, handle);

	if (e == NULL || !e->ring)
		return false;
	e->ring = false;
	return e->teardown_pending;
}

void
hvsim_gpadl_rescinded(struct hvsim_gpadls *t, uint32_t relid)
{
	unsigned int i;

	for (i = 0; i < t->n_prog; i++)
		if (t->prog[i].relid == relid)
			t->prog[i].fail = true;
}

void
hvsim_gpadl_drop_building(struct hvsim_gpadls *t, uint32_t relid)
{
	unsigned int i = 0;

	vmb_gpadl_asm_drop_relid(&t->gasm, relid);
	while (i < t->n_prog) {
		if (t->prog[i].relid == relid)
			t->prog[i] = t->prog[--t->n_prog];
		else
			i++;
	}
}

unsigned int
hvsim_gpadl_leak_check(struct hvsim_gpadls *t)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->n; i++, n++)
		hvsim_log_violation(t->lg, "GPADL %#x (relid %u, %u pages) "
				    "never torn down", t->tab[i].handle,
				    t->tab[i].relid, t->tab[i].g->npfn);
	for (i = 0; i < t->n_prog; i++, n++)
		hvsim_log_violation(t->lg, "GPADL %#x (relid %u) left "
				    "half-built", t->prog[i].handle,
				    t->prog[i].relid);
	return n;
}

int
hvsim_gpadl_add(struct hvsim_gpadls *t, uint32_t relid, uint32_t handle,
		uint64_t gpa, uint64_t len)
{
	struct vmb_gpadl *g;
	uint32_t npfn, i;
	uint8_t *host;

	if (handle == 0 || len == 0 || len > UINT32_MAX ||
	    (gpa % VMB_PAGE_SIZE) != 0 || (len % VMB_PAGE_SIZE) != 0)
		return -EINVAL;
	if (hvsim_gpadl_find(t, handle) != NULL)
		return -EEXIST;
	if (t->n == HVSIM_GPADL_MAX)
		return -ENOSPC;
	host = hvsim_mem_ptr(t->mem, gpa, len);
	if (host == NULL)
		return -EFAULT;
	npfn = (uint32_t)(len / VMB_PAGE_SIZE);
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	/* The range as a GPADL header would carry it: one word of
	 * (byte_count, byte_offset = 0), then the page numbers.
	 */
	g->words = malloc(((size_t)npfn + 1) * 8);
	if (g->words == NULL) {
		free(g);
		return -ENOMEM;
	}
	g->words[0] = len;
	for (i = 0; i < npfn; i++)
		g->words[1 + i] = (gpa >> VMB_PAGE_SHIFT) + i;
	g->relid = relid;
	g->handle = handle;
	g->rangecount = 1;
	g->nwords = npfn + 1;
	g->byte_count = (uint32_t)len;
	g->byte_offset = 0;
	g->npfn = npfn;
	g->pfns = &g->words[1];
	hvsim_gpadl_insert(t, g, host, len);
	HVSIM_DEBUG(t->lg, "pre-established GPADL %#x on relid %u: %u pages",
		    handle, relid, npfn);
	return 0;
}

void *
hvsim_gpadl_view(struct hvsim_gpadls *t, uint32_t handle, uint32_t relid,
		 uint32_t primary_relid, uint64_t *len)
{
	struct hvsim_gpadl *e = hvsim_gpadl_find(t, handle);

	if (e == NULL) {
		if (hvsim_gpadl_was_torn(t, handle))
			hvsim_log_violation(t->lg, "GPADL %#x used after its "
					    "teardown", handle);
		return NULL;
	}
	if (e->relid != relid && e->relid != primary_relid) {
		hvsim_log_violation(t->lg, "relid %u uses GPADL %#x of relid "
				    "%u", relid, handle, e->relid);
		return NULL;
	}
	if (e->teardown_pending || e->host == NULL)
		return NULL;
	if (len != NULL)
		*len = e->len;
	return e->host;
}
