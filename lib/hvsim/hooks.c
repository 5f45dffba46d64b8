/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Deterministic hooks: a test arms a step for a NIC; when the host reaches
 * it, the NIC is held - its channel messages queue here in arrival order
 * and its rings are not polled - until the test releases it, while other
 * NICs and host-initiated actions (a rescind placed at that very point)
 * go on. hook_state is shared with the test's thread (hook_lock); held is
 * written under the lock and read by the host thread without it.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hvsim_priv.h"

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

int
hvsim_hook_arm(struct hvsim *h, unsigned int nic, enum hvsim_step step)
{
	struct hvsim_nic *n;
	int rc = 0;

	if (nic >= h->cfg.n_nics || (unsigned int)step >= HVSIM_STEP_COUNT)
		return -EINVAL;
	n = &h->nic[nic];
	pthread_mutex_lock(&h->hook_lock);
	if (n->hook_state != HVSIM_HOOK_IDLE) {
		rc = -EBUSY;
	} else {
		n->hook_step = step;
		__atomic_store_n(&n->hook_state, HVSIM_HOOK_ARMED,
				 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&h->hook_lock);
	return rc;
}

int
hvsim_hook_wait(struct hvsim *h, unsigned int nic, unsigned int ms)
{
	struct hvsim_nic *n;
	struct timespec ts;
	int rc = 0;

	if (nic >= h->cfg.n_nics)
		return -EINVAL;
	n = &h->nic[nic];
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->hook_lock);
	while (n->hook_state == HVSIM_HOOK_ARMED && rc == 0)
		rc = pthread_cond_timedwait(&h->hook_cond, &h->hook_lock, &ts);
	if (n->hook_state == HVSIM_HOOK_HELD)
		rc = 0;
	else if (n->hook_state == HVSIM_HOOK_IDLE)
		rc = -ENOENT;	/* never armed, or released meanwhile */
	else
		rc = -ETIMEDOUT;
	pthread_mutex_unlock(&h->hook_lock);
	return rc;
}

int
hvsim_hook_release(struct hvsim *h, unsigned int nic)
{
	struct hvsim_nic *n;

	if (nic >= h->cfg.n_nics)
		return -EINVAL;
	n = &h->nic[nic];
	pthread_mutex_lock(&h->hook_lock);
	__atomic_store_n(&n->hook_state, HVSIM_HOOK_IDLE, __ATOMIC_RELEASE);
	__atomic_store_n(&n->drain, true, __ATOMIC_RELEASE);
	__atomic_store_n(&n->held, false, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&h->hook_cond);
	pthread_mutex_unlock(&h->hook_lock);
	return 0;
}

/* The host reached @p step on @p n: hold it if that step is armed. */
bool
hvsim_hook_core(struct hvsim *h, struct hvsim_nic *n, enum hvsim_step step)
{
	bool hit = false;

	pthread_mutex_lock(&h->hook_lock);
	if (n->hook_state == HVSIM_HOOK_ARMED && n->hook_step == step) {
		__atomic_store_n(&n->hook_state, HVSIM_HOOK_HELD,
				 __ATOMIC_RELEASE);
		__atomic_store_n(&n->held, true, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&h->hook_cond);
		hit = true;
	} else if (n->hook_state == HVSIM_HOOK_HELD && n->hook_step == step) {
		hit = true;
	}
	pthread_mutex_unlock(&h->hook_lock);
	if (hit)
		HVSIM_INFO(&h->log, "nic%u: held at %s", n->idx,
			   hvsim_step_name(step));
	return hit;
}

bool
hvsim_hook_hit(struct hvsim *h, unsigned int nic, enum hvsim_step step)
{
	if (nic >= h->cfg.n_nics)
		return false;
	/* Cheap unlocked look first: no hook armed is the common case. */
	if (__atomic_load_n(&h->nic[nic].hook_state, __ATOMIC_RELAXED) ==
	    HVSIM_HOOK_IDLE)
		return false;
	return hvsim_hook_core(h, &h->nic[nic], step);
}

int
hvsim_hold_push(struct hvsim *h, struct hvsim_nic *n, const union vmb_msg *m,
		uint32_t len, uint64_t rx_seq, uint64_t rx_ns, bool front)
{
	struct hvsim_held *e;

	if (n->hq_len >= HVSIM_HOLD_MAX) {
		hvsim_log_error(&h->log, "nic%u: %u messages held, dropping %s",
				n->idx, n->hq_len, vmb_msg_name(m->hdr.type));
		return -ENOBUFS;
	}
	e = malloc(sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->rx_seq = rx_seq;
	e->rx_ns = rx_ns;
	e->len = len;
	memcpy(&e->m, m, sizeof(e->m));
	if (front) {
		e->next = n->hq_head;
		n->hq_head = e;
		if (n->hq_tail == NULL)
			n->hq_tail = e;
	} else {
		e->next = NULL;
		if (n->hq_tail != NULL)
			n->hq_tail->next = e;
		else
			n->hq_head = e;
		n->hq_tail = e;
	}
	n->hq_len++;
	return 0;
}

static struct hvsim_held *
hvsim_hold_pop(struct hvsim_nic *n)
{
	struct hvsim_held *e = n->hq_head;

	if (e == NULL)
		return NULL;
	n->hq_head = e->next;
	if (n->hq_head == NULL)
		n->hq_tail = NULL;
	n->hq_len--;
	return e;
}

/* Replay what released NICs had queued, in order, until one holds again. */
int
hvsim_hold_replay(struct hvsim *h)
{
	unsigned int i;
	int work = 0;

	for (i = 0; i < h->cfg.n_nics; i++) {
		struct hvsim_nic *n = &h->nic[i];
		struct hvsim_held *e;

		if (!__atomic_load_n(&n->drain, __ATOMIC_ACQUIRE))
			continue;
		while (!__atomic_load_n(&n->held, __ATOMIC_ACQUIRE) &&
		       (e = hvsim_hold_pop(n)) != NULL) {
			hvsim_chmsg_decoded(h, &e->m, e->len, e->rx_seq,
					    e->rx_ns);
			free(e);
			work++;
			if (h->dead_why != NULL || h->fd < 0)
				break;
		}
		if (n->hq_head == NULL)
			__atomic_store_n(&n->drain, false, __ATOMIC_RELEASE);
	}
	return work;
}

struct hvsim_nic *
hvsim_hold_find_gpadl(struct hvsim *h, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < h->cfg.n_nics; i++) {
		const struct hvsim_held *e;

		for (e = h->nic[i].hq_head; e != NULL; e = e->next)
			if (e->m.hdr.type == VMB_MSG_GPADL_HEADER &&
			    e->m.gpadl_header.gpadl == handle)
				return &h->nic[i];
	}
	return NULL;
}

void
hvsim_hold_flush(struct hvsim *h, struct hvsim_nic *n)
{
	struct hvsim_held *e;

	while ((e = hvsim_hold_pop(n)) != NULL)
		free(e);
}
