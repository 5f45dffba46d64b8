/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Calls from other threads: the host lock that serialises an owner's call
 * with the host thread, and commands - chaos (rescind, re-offer, link, VF,
 * MAC lock) and statistics are queued and run by the host thread between
 * two iterations, so they act in order with the guest's messages and need
 * no lock on the VMBus state; each call returns once the host has acted.
 * Without a host thread the caller runs the command itself, holding the
 * host. Hooks and the checker's report have locks of their own and are
 * answered directly.
 */

#include <errno.h>
#include <string.h>

#include "hvsim_host.h"

/* The host whose iteration this thread is running: calls into the public
 * API from inside it (control socket, device callbacks) run directly.
 */
static __thread const struct hvsim *hvsim_self;

bool
hvsim_host_self(const struct hvsim *h)
{
	return hvsim_self == h;
}

bool
hvsim_host_lock(struct hvsim *h)
{
	if (hvsim_self == h)
		return false;
	pthread_mutex_lock(&h->loop->poll_lock);
	hvsim_self = h;
	return true;
}

void
hvsim_host_unlock(struct hvsim *h, bool locked)
{
	if (!locked)
		return;
	hvsim_self = NULL;
	pthread_mutex_unlock(&h->loop->poll_lock);
}

static int
hvsim_nic_check(const struct hvsim *h, unsigned int nic)
{
	return nic < h->cfg.n_nics ? 0 : -EINVAL;
}

int
hvsim_cmd_exec(struct hvsim *h, struct hvsim_cmd *cmd)
{
	const struct hvsim_dev_ops *ops = h->rings.ops;
	struct hvsim_nic *n;

	if (hvsim_nic_check(h, cmd->nic) < 0)
		return -EINVAL;
	n = &h->nic[cmd->nic];
	switch (cmd->kind) {
	case HVSIM_CMD_RESCIND:
		return hvsim_do_rescind(h, cmd->nic, cmd->sub);
	case HVSIM_CMD_REOFFER:
		return hvsim_do_reoffer(h, cmd->nic, cmd->sub);
	case HVSIM_CMD_LINK:
		return ops->set_link(n->dev, cmd->flag);
	case HVSIM_CMD_VF:
		return ops->vf(n->dev, cmd->flag, cmd->val);
	case HVSIM_CMD_MAC_LOCK:
		if (ops->mac_lock == NULL)
			return -ENOTSUP;
		return ops->mac_lock(n->dev, cmd->flag);
	case HVSIM_CMD_HOSTILE:
		hvsim_filter_send_withheld(&h->filter);
		return hvsim_hostile_reset(&h->hostile, cmd->seed, cmd->val,
					   cmd->input, cmd->input_len);
	case HVSIM_CMD_SIGNAL:
		/* No ring behind it: a host that signals without cause. */
		while (cmd->val-- > 0)
			hvsim_transport_signal(&h->tp);
		return 0;
	case HVSIM_CMD_STATS:
		memset(cmd->st, 0, sizeof(*cmd->st));
		ops->stats(n->dev, cmd->st);
		cmd->st->rescinds = n->rescinds;
		cmd->st->reoffers = n->reoffers;
		cmd->st->released = n->released;
		cmd->st->rescind_ns = n->rescind_ns;
		cmd->st->released_ns = n->released_ns;
		cmd->st->offered = n->present;
		cmd->st->relids_held = hvsim_relids_of(&h->ids, cmd->nic);
		cmd->st->guest_signals = h->tp.signals;
		cmd->st->host_polls = h->loop->polls;
		cmd->st->host_polls_idle = h->loop->polls_idle;
		cmd->st->host_sleeps = h->loop->sleeps;
		cmd->st->host_busy_ns = h->loop->busy_ns;
		cmd->st->gpa_reads_lent = h->mem.reads_lent;
		cmd->st->gpa_reads_peer = h->mem.reads_peer;
		cmd->st->ring_polls = n->ring_polls;
		cmd->st->ring_polls_empty = n->ring_polls_empty;
		return 0;
	}
	return -EINVAL;
}

int
hvsim_cmd_run(struct hvsim *h)
{
	struct hvsim_loop *l = h->loop;
	struct hvsim_cmd *cmd;
	int work = 0, rc;

	/* Every iteration asks, commands are rare: one load, not the lock
	 * and a broadcast (108 instructions an iteration). A command queued
	 * just after the look waits one iteration, as one queued just after
	 * the lock was released always did. */
	if (__atomic_load_n(&l->cmd_head, __ATOMIC_ACQUIRE) == NULL)
		return 0;
	pthread_mutex_lock(&l->cmd_lock);
	while ((cmd = l->cmd_head) != NULL) {
		__atomic_store_n(&l->cmd_head, cmd->next, __ATOMIC_RELAXED);
		if (l->cmd_head == NULL)
			l->cmd_tail = NULL;
		pthread_mutex_unlock(&l->cmd_lock);
		rc = hvsim_cmd_exec(h, cmd);
		hvsim_reap(h);
		pthread_mutex_lock(&l->cmd_lock);
		cmd->result = rc;
		cmd->done = true;
		work++;
	}
	pthread_cond_broadcast(&l->cmd_cond);
	pthread_mutex_unlock(&l->cmd_lock);
	return work;
}

void
hvsim_cmd_flush(struct hvsim *h)
{
	struct hvsim_loop *l = h->loop;
	struct hvsim_cmd *cmd;

	pthread_mutex_lock(&l->cmd_lock);
	while ((cmd = l->cmd_head) != NULL) {
		__atomic_store_n(&l->cmd_head, cmd->next, __ATOMIC_RELAXED);
		cmd->result = -ESHUTDOWN;
		cmd->done = true;
	}
	l->cmd_tail = NULL;
	pthread_cond_broadcast(&l->cmd_cond);
	pthread_mutex_unlock(&l->cmd_lock);
}

/* Run @p cmd on the host thread and wait for it; without a host thread,
 * run it here between two hvsim_poll() iterations.
 */
static int
hvsim_cmd_submit(struct hvsim *h, struct hvsim_cmd *cmd)
{
	struct hvsim_loop *l = h->loop;
	bool locked;
	int rc;

	cmd->done = false;
	cmd->next = NULL;
	if (hvsim_host_self(h))
		return hvsim_cmd_exec(h, cmd);
	if (!h->running) {
		locked = hvsim_host_lock(h);
		rc = hvsim_cmd_exec(h, cmd);
		hvsim_host_unlock(h, locked);
		return rc;
	}
	pthread_mutex_lock(&l->cmd_lock);
	if (l->cmd_tail != NULL)
		l->cmd_tail->next = cmd;
	else	/* Seen by hvsim_cmd_run()'s look outside the lock. */
		__atomic_store_n(&l->cmd_head, cmd, __ATOMIC_RELEASE);
	l->cmd_tail = cmd;
	while (!cmd->done)
		pthread_cond_wait(&l->cmd_cond, &l->cmd_lock);
	pthread_mutex_unlock(&l->cmd_lock);
	return cmd->result;
}

int
hvsim_rescind(struct hvsim *h, unsigned int nic, unsigned int sub)
{
	struct hvsim_cmd c = { .kind = HVSIM_CMD_RESCIND, .nic = nic,
			       .sub = sub };

	return hvsim_cmd_submit(h, &c);
}

int
hvsim_reoffer(struct hvsim *h, unsigned int nic)
{
	return hvsim_reoffer_sub(h, nic, 0);
}

int
hvsim_reoffer_sub(struct hvsim *h, unsigned int nic, unsigned int sub)
{
	struct hvsim_cmd c = { .kind = HVSIM_CMD_REOFFER, .nic = nic,
			       .sub = sub };

	return hvsim_cmd_submit(h, &c);
}

int
hvsim_set_link(struct hvsim *h, unsigned int nic, bool up)
{
	struct hvsim_cmd c = { .kind = HVSIM_CMD_LINK, .nic = nic,
			       .flag = up };

	return hvsim_cmd_submit(h, &c);
}

int
hvsim_vf(struct hvsim *h, unsigned int nic, bool add, uint32_t serial)
{
	struct hvsim_cmd c = { .kind = HVSIM_CMD_VF, .nic = nic, .flag = add,
			       .val = serial };

	return hvsim_cmd_submit(h, &c);
}

int
hvsim_set_mac_lock(struct hvsim *h, unsigned int nic, bool locked)
{
	struct hvsim_cmd c = { .kind = HVSIM_CMD_MAC_LOCK, .nic = nic,
			       .flag = locked };

	return hvsim_cmd_submit(h, &c);
}

int
hvsim_signal_guest(struct hvsim *h, uint32_t count)
{
	struct hvsim_cmd c = { .kind = HVSIM_CMD_SIGNAL, .val = count };

	return hvsim_cmd_submit(h, &c);
}

int
hvsim_nic_stats(struct hvsim *h, unsigned int nic, struct hvsim_nic_stats *st)
{
	struct hvsim_cmd c = { .kind = HVSIM_CMD_STATS, .nic = nic,
			       .st = st };

	if (st == NULL)
		return -EINVAL;
	return hvsim_cmd_submit(h, &c);
}

/* ---- hooks: the gates have a lock of their own ---- */

int
hvsim_hook_arm(struct hvsim *h, unsigned int nic, enum hvsim_step step)
{
	return hvsim_gate_arm(&h->gate, nic, step);
}

int
hvsim_hook_wait(struct hvsim *h, unsigned int nic, unsigned int ms)
{
	return hvsim_gate_wait(&h->gate, nic, ms);
}

int
hvsim_hook_release(struct hvsim *h, unsigned int nic)
{
	return hvsim_gate_release(&h->gate, nic);
}

int
hvsim_hostile_set(struct hvsim *h, uint64_t seed, uint32_t classes,
		  const uint8_t *input, size_t len)
{
	struct hvsim_cmd c = { .kind = HVSIM_CMD_HOSTILE, .seed = seed,
			       .val = classes, .input = input,
			       .input_len = len };

	if (classes & ~HVSIM_HOSTILE_ALL)
		return -EINVAL;
	return hvsim_cmd_submit(h, &c);
}

uint64_t
hvsim_hostile_tries(struct hvsim *h, unsigned int cls)
{
	if (cls >= HVSIM_HOSTILE_COUNT)
		return __atomic_load_n(&h->hostile.tries, __ATOMIC_RELAXED);
	return __atomic_load_n(&h->hostile.tries_by[cls], __ATOMIC_RELAXED);
}
