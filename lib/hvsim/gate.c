/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Hook gates: a test arms a step for a NIC; when the host reaches that step
 * the NIC is held until the test releases it. Holding is all a gate does:
 * the filter (filter.c) queues a held NIC's channel messages, the ring
 * engine skips its rings, and a device returns -EAGAIN. Gates sit at the
 * bottom because every layer above reaches steps: channel management
 * (offer, GPADL created), the filter (open, close received) and the device
 * model (NVSP init, RNDIS init, subchannels, VF switch).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hvsim_base.h"

static const char *const hvsim_step_names[HVSIM_STEP_COUNT] = {
	[HVSIM_STEP_OFFER_SENT] = "offer",
	[HVSIM_STEP_GPADL_CREATED] = "gpadl",
	[HVSIM_STEP_OPEN_RECEIVED] = "open",
	[HVSIM_STEP_NVSP_INIT] = "nvsp-init",
	[HVSIM_STEP_RNDIS_INIT] = "rndis-init",
	[HVSIM_STEP_SUBCHAN_REQ] = "subchan",
	[HVSIM_STEP_CLOSE_RECEIVED] = "close",
	[HVSIM_STEP_VF_SWITCH] = "vf-switch",
};

const char *
hvsim_step_name(enum hvsim_step s)
{
	return (unsigned int)s < HVSIM_STEP_COUNT ? hvsim_step_names[s] : "?";
}

int
hvsim_step_parse(const char *s, enum hvsim_step *out)
{
	unsigned int i;

	for (i = 0; i < HVSIM_STEP_COUNT; i++) {
		if (strcmp(s, hvsim_step_names[i]) == 0) {
			*out = (enum hvsim_step)i;
			return 0;
		}
	}
	return -EINVAL;
}

void
hvsim_gate_init(struct hvsim_gate *g, struct hvsim_log *lg,
		unsigned int n_nics)
{
	memset(g, 0, sizeof(*g));
	g->lg = lg;
	g->n_nics = n_nics;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
}

void
hvsim_gate_fini(struct hvsim_gate *g)
{
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->cond);
}

int
hvsim_gate_arm(struct hvsim_gate *g, unsigned int nic, enum hvsim_step step)
{
	struct hvsim_gate_nic *n;
	int rc = 0;

	if (nic >= g->n_nics || (unsigned int)step >= HVSIM_STEP_COUNT)
		return -EINVAL;
	n = &g->nic[nic];
	pthread_mutex_lock(&g->lock);
	if (n->state != HVSIM_GATE_IDLE) {
		rc = -EBUSY;
	} else {
		n->step = step;
		__atomic_store_n(&n->state, HVSIM_GATE_ARMED,
				 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

int
hvsim_gate_wait(struct hvsim_gate *g, unsigned int nic, unsigned int ms)
{
	struct hvsim_gate_nic *n;
	struct timespec ts;
	int rc = 0;

	if (nic >= g->n_nics)
		return -EINVAL;
	n = &g->nic[nic];
	/* The condition variable keeps the default clock. */
	hv_deadline_ts(CLOCK_REALTIME, ms, &ts);
	pthread_mutex_lock(&g->lock);
	while (n->state == HVSIM_GATE_ARMED && rc == 0)
		rc = pthread_cond_timedwait(&g->cond, &g->lock, &ts);
	if (n->state == HVSIM_GATE_HELD)
		rc = 0;
	else if (n->state == HVSIM_GATE_IDLE)
		rc = -ENOENT;	/* never armed, or released meanwhile */
	else
		rc = -ETIMEDOUT;
	pthread_mutex_unlock(&g->lock);
	return rc;
}

int
hvsim_gate_release(struct hvsim_gate *g, unsigned int nic)
{
	struct hvsim_gate_nic *n;

	if (nic >= g->n_nics)
		return -EINVAL;
	n = &g->nic[nic];
	pthread_mutex_lock(&g->lock);
	__atomic_store_n(&n->state, HVSIM_GATE_IDLE, __ATOMIC_RELEASE);
	__atomic_store_n(&n->drain, true, __ATOMIC_RELEASE);
	__atomic_store_n(&n->held, false, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	return 0;
}

bool
hvsim_gate_reached(struct hvsim_gate *g, unsigned int nic,
		   enum hvsim_step step)
{
	struct hvsim_gate_nic *n;
	bool hit = false;

	if (nic >= g->n_nics)
		return false;
	n = &g->nic[nic];
	pthread_mutex_lock(&g->lock);
	if (n->state == HVSIM_GATE_ARMED && n->step == step) {
		__atomic_store_n(&n->state, HVSIM_GATE_HELD, __ATOMIC_RELEASE);
		__atomic_store_n(&n->held, true, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&g->cond);
		hit = true;
	} else if (n->state == HVSIM_GATE_HELD && n->step == step) {
		hit = true;
	}
	pthread_mutex_unlock(&g->lock);
	if (hit)
		HVSIM_INFO(g->lg, "nic%u: held at %s", nic,
			   hvsim_step_name(step));
	return hit;
}

bool
hvsim_gate_hit(struct hvsim_gate *g, unsigned int nic, enum hvsim_step step)
{
	if (nic >= g->n_nics)
		return false;
	/* Cheap unlocked look first: no hook armed is the common case. */
	if (__atomic_load_n(&g->nic[nic].state, __ATOMIC_RELAXED) ==
	    HVSIM_GATE_IDLE)
		return false;
	return hvsim_gate_reached(g, nic, step);
}

bool
hvsim_gate_held(const struct hvsim_gate *g, unsigned int nic)
{
	return nic < g->n_nics &&
	       __atomic_load_n(&g->nic[nic].held, __ATOMIC_ACQUIRE);
}

bool
hvsim_gate_draining(const struct hvsim_gate *g, unsigned int nic)
{
	return nic < g->n_nics &&
	       __atomic_load_n(&g->nic[nic].drain, __ATOMIC_ACQUIRE);
}

void
hvsim_gate_drained(struct hvsim_gate *g, unsigned int nic)
{
	if (nic < g->n_nics)
		__atomic_store_n(&g->nic[nic].drain, false, __ATOMIC_RELEASE);
}

void
hvsim_gate_describe(struct hvsim_gate *g, unsigned int nic, char *out,
		    size_t len)
{
	const struct hvsim_gate_nic *n;

	if (nic >= g->n_nics) {
		snprintf(out, len, "none -");
		return;
	}
	n = &g->nic[nic];
	pthread_mutex_lock(&g->lock);
	snprintf(out, len, "%s %s",
		 n->state == HVSIM_GATE_HELD ? "held" :
		 n->state == HVSIM_GATE_ARMED ? "armed" : "idle",
		 n->state == HVSIM_GATE_IDLE ? "-" : hvsim_step_name(n->step));
	pthread_mutex_unlock(&g->lock);
}
