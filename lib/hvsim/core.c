/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The host object: its layers set up bottom to top and torn down top to
 * bottom, the end of a guest connection (what a leaving guest must have
 * cleaned up is judged here, protocol.rst 9), and the calls of the device
 * interface and of the public API that need the whole host rather than
 * one layer.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_core.h"

int
hvsim_core_init(struct hvsim *h, const struct hvsim_config *cfg)
{
	unsigned int i;
	int rc;

	h->cfg = *cfg;
	if (h->cfg.name == NULL)
		h->cfg.name = "hvsim";
	h->cfg.ctl_path = NULL;	/* the host loop keeps its own copy */
	h->rescind_grace_ms = cfg->rescind_grace_ms ? cfg->rescind_grace_ms :
			      HVSIM_RESCIND_GRACE_MS;
	hvsim_log_init(&h->log, &h->cfg);
	hvsim_ids_init(&h->ids);
	hvsim_gate_init(&h->gate, &h->log, cfg->n_nics);
	hvsim_hostile_init(&h->hostile, &h->log, cfg->hostile_seed,
			   cfg->hostile_classes);
	hvsim_transport_init(&h->tp);
	rc = hvsim_gpadls_init(&h->gpadls, &h->log, &h->mem, &h->ids);
	hvsim_filter_init(&h->filter, &h->log, &h->mem, &h->tp, &h->ids,
			  &h->gpadls, &h->gate, &h->hostile, cfg->n_nics);
	h->rings.lg = &h->log;
	h->rings.mem = &h->mem;
	h->rings.gate = &h->gate;
	h->rings.gpadls = &h->gpadls;
	h->rings.hostile = &h->hostile;
	h->rings.tp = &h->tp;
	h->rings.ops = cfg->dev_ops;
	h->rings.nic = h->nic;
	h->rings.n_nics = cfg->n_nics;
	if (rc < 0)
		return rc;
	for (i = 0; i < cfg->n_nics; i++) {
		struct hvsim_nic *n = &h->nic[i];

		n->idx = i;
		n->present = true;
		hvsim_nic_instance_guid(i, n->instance.b);
		n->dev = h->rings.ops->create(h, i, &cfg->nic[i]);
		if (n->dev == NULL) {
			hvsim_log_error(&h->log, "nic%u: device model refused "
					"to start", i);
			return -EINVAL;
		}
	}
	return 0;
}

/* Undoes hvsim_core_init(), also a partial one; the guest is gone. */
void
hvsim_core_fini(struct hvsim *h)
{
	unsigned int i;

	hvsim_filter_reset(&h->filter);
	for (i = 0; i < HVSIM_MAX_NICS; i++)
		if (h->nic[i].dev != NULL)
			h->rings.ops->destroy(h->nic[i].dev);
	hvsim_gpadls_fini(&h->gpadls);
	hvsim_transport_fini(&h->tp);
	hvsim_gate_fini(&h->gate);
	hvsim_hostile_fini(&h->hostile);
	hvsim_log_fini(&h->log);
}

/* At UNLOAD, a reconnect or the guest's disconnect: what a guest that
 * leaves must have cleaned up (grace: a guest still connected when the
 * host stops is not judged).
 */
static void
hvsim_check_unload(struct hvsim *h, const char *when)
{
	unsigned int i;

	for (i = 0; i < HVSIM_RELID_LIMIT; i++) {
		const struct hvsim_chan *c = hvsim_relid_chan(&h->ids, i);

		if (c != NULL && c->rescinded)
			hvsim_log_violation(&h->log, "relid %u (nic%u sub %u) "
					    "rescinded but never released "
					    "before %s", c->relid, c->nic->idx,
					    c->subidx, when);
	}
	if (hvsim_gpadl_leak_check(&h->gpadls) > 0)
		HVSIM_INFO(&h->log, "GPADLs leaked at %s", when);
}

void
hvsim_reset_connection(struct hvsim *h, const char *why, bool check)
{
	unsigned int i;

	if (check && h->connected)
		hvsim_check_unload(h, why);
	/* GPADLs first: closing the channels then owes no TORNDOWN, and a
	 * reset never sends anything.
	 */
	hvsim_gpadls_reset(&h->gpadls);
	for (i = 0; i < HVSIM_RELID_LIMIT; i++) {
		struct hvsim_chan *c = hvsim_relid_chan(&h->ids, i);

		if (c != NULL)
			hvsim_chan_free(h, c);
	}
	hvsim_filter_reset(&h->filter);
	for (i = 0; i < h->cfg.n_nics; i++) {
		struct hvsim_nic *n = &h->nic[i];

		if (n->reoffer_pending)
			n->present = true;
		n->reoffer_pending = false;
		if (h->connected)
			h->rings.ops->reset(n->dev);
	}
	hvsim_ids_reset(&h->ids);
	h->connected = false;
	h->offers_requested = false;
	h->version = 0;
	h->mon_parent = NULL;
	h->rings.mon_child = NULL;
	h->rings.n_open = 0;
}

void
hvsim_disconnect(struct hvsim *h, const char *why)
{
	if (!hvsim_transport_up(&h->tp)) {
		h->tp.dead_why = NULL;
		return;
	}
	HVSIM_INFO(&h->log, "guest connection closed: %s", why);
	hvsim_reset_connection(h, why, true);
	hvsim_transport_close(&h->tp);
	hvsim_mem_unmap(&h->mem);
	h->mon_parent = NULL;
	h->rings.mon_child = NULL;
}

void
hvsim_reap(struct hvsim *h)
{
	const char *why = hvsim_transport_dead(&h->tp);

	if (why != NULL)
		hvsim_disconnect(h, why);
}

/* ---- device interface (hvsim_dev.h) ---- */

int
hvsim_gpa_read(struct hvsim *h, uint64_t pfn, uint32_t off, void *dst,
	       uint32_t len)
{
	return hvsim_mem_read(&h->mem, pfn, off, dst, len);
}

bool
hvsim_hook_hit(struct hvsim *h, unsigned int nic, enum hvsim_step step)
{
	return hvsim_gate_hit(&h->gate, nic, step);
}

void
hvsim_log(struct hvsim *h, enum hvsim_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hvsim_log_vmsg(&h->log, level, fmt, ap);
	va_end(ap);
}

bool
hvsim_dev_hostile(struct hvsim *h, enum hvsim_hostile_class c,
		  uint32_t one_in, const char *fmt, ...)
{
	va_list ap;
	bool fire;

	/* Asked on fast paths: off costs a test, not a draw. */
	if (!hvsim_hostile_on(&h->hostile, c))
		return false;
	va_start(ap, fmt);
	fire = hvsim_hostile_vroll(&h->hostile, c, one_in, fmt, ap);
	va_end(ap);
	return fire;
}

const uint32_t *
hvsim_dev_hostile_classes(const struct hvsim *h)
{
	return &h->hostile.classes;
}

uint32_t
hvsim_dev_hostile_pick(struct hvsim *h, uint32_t n)
{
	return hvsim_hostile_pick(&h->hostile, n);
}

void
hvsim_dev_hostile_rescind(struct hvsim *h, unsigned int nic)
{
	if (nic < h->cfg.n_nics)
		h->hostile.rescind_nics |= 1u << nic;
}

void
hvsim_violation(struct hvsim *h, const char *fmt, ...)
{
	char line[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	hvsim_log_violation(&h->log, "%s", line);
}

/* ---- public API on the checker's report ---- */

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
