/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvsim host lifecycle and the host loop. One thread (hvsim_start()) or the
 * owner (hvsim_poll()) runs every host iteration; calls from other threads
 * (chaos, statistics) are queued as commands and executed by that thread,
 * so the VMBus state and the device models need no locks.
 */

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hvsim_priv.h"

/* Idle back-off: spin this long after the last work, then sleep in steps
 * doubling up to the cap (short enough to keep guest round trips low,
 * long enough that an idle host does not burn a core). Rings and monitor
 * pages have no fd to wait on, hence the cap; a channel message from the
 * guest ends the sleep at once (hvsim_idle_wait()).
 */
#define HVSIM_SPIN_NS		20000
#define HVSIM_SLEEP_MIN_NS	2000
#define HVSIM_SLEEP_MAX_NS	50000

uint64_t
hvsim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- device interface: what a model logs goes through the host's log ---- */

void
hvsim_log(struct hvsim *h, enum hvsim_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hvsim_log_vmsg(&h->log, level, fmt, ap);
	va_end(ap);
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

void
hvsim_config_init(struct hvsim_config *cfg, unsigned int n_nics)
{
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->n_nics = n_nics;
	cfg->name = "hvsim";
	cfg->log_level = HVSIM_LOG_NOTICE;
	for (i = 0; i < HVSIM_MAX_NICS; i++) {
		struct hvsim_nic_config *n = &cfg->nic[i];

		n->mtu = 1500;
		n->max_queues = 8;
		n->link_speed_mbps = 100000;
		n->port.kind = HVSIM_PORT_REFLECT;
		n->port.peer = i;
		n->port.gen.frame_len = 60;
		n->port.gen.flows = 1;
	}
}

static int
hvsim_config_check(const struct hvsim_config *cfg)
{
	unsigned int i;

	if (cfg->n_nics < 1 || cfg->n_nics > HVSIM_MAX_NICS)
		return -EINVAL;
	for (i = 0; i < cfg->n_nics; i++) {
		const struct hvsim_nic_config *n = &cfg->nic[i];

		if (n->max_queues < 1 || n->max_queues > HVSIM_MAX_QUEUES)
			return -EINVAL;
		if (n->port.kind == HVSIM_PORT_SWITCH &&
		    n->port.peer >= cfg->n_nics)
			return -EINVAL;
	}
	return 0;
}

/* Instance GUID of NIC @p idx: fixed, so that a re-offer, a new guest or a
 * new host run all see the same device identity.
 */
void
hvsim_nic_instance_guid(unsigned int idx, uint8_t guid[16])
{
	static const uint8_t base[16] = {
		0x68, 0x76, 0x73, 0x69, 0x6d, 0x00, 0x4e, 0x49,
		0x80, 0x43, 0x00, 0x15, 0x5d, 0x00, 0x00, 0x00,
	};

	memcpy(guid, base, sizeof(base));
	guid[15] = (uint8_t)idx;
}

static void hvsim_free(struct hvsim *h);

struct hvsim *
hvsim_create(const struct hvsim_config *cfg)
{
	struct hvsim *h;
	unsigned int i;
	int rc;

	if (cfg == NULL || hvsim_config_check(cfg) < 0) {
		errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->cfg = *cfg;
	if (h->cfg.name == NULL)
		h->cfg.name = "hvsim";
	h->cfg.ctl_path = NULL;	/* owned copy below via hvsim_ctl_open */
	h->ops = cfg->dev_ops != NULL ? cfg->dev_ops : &hvsim_netvsp_ops;
	hvsim_log_init(&h->log, &h->cfg);
	h->rescind_grace_ms = cfg->rescind_grace_ms ? cfg->rescind_grace_ms :
			      HVSIM_RESCIND_GRACE_MS;
	h->fd = -1;
	h->listen_fd = -1;
	h->next_relid = 1;
	pthread_mutex_init(&h->hook_lock, NULL);
	pthread_cond_init(&h->hook_cond, NULL);
	pthread_mutex_init(&h->poll_lock, NULL);
	pthread_mutex_init(&h->cmd_lock, NULL);
	pthread_cond_init(&h->cmd_cond, NULL);

	if (hvsim_gpadl_init(h) < 0)
		goto fail;
	for (i = 0; i < cfg->n_nics; i++) {
		struct hvsim_nic *n = &h->nic[i];

		n->idx = i;
		n->present = true;
		hvsim_nic_instance_guid(i, n->instance.b);
		n->dev = h->ops->create(h, i, &cfg->nic[i]);
		if (n->dev == NULL) {
			hvsim_log_error(&h->log, "nic%u: device model refused "
					"to start", i);
			goto fail;
		}
	}
	if (cfg->ctl_path != NULL) {
		rc = hvsim_ctl_open(h, cfg->ctl_path);
		if (rc < 0) {
			hvsim_log_error(&h->log, "control socket %s: %s",
					cfg->ctl_path, strerror(-rc));
			goto fail;
		}
	}
	return h;
fail:
	hvsim_free(h);
	errno = EINVAL;
	return NULL;
}

int
hvsim_iterate(struct hvsim *h)
{
	struct hvsim_cmd *cmd;
	unsigned int i;
	int work = 0, rc;

	/* Commands first: a test that rescinds expects it to precede any
	 * guest message that arrives after the call.
	 */
	pthread_mutex_lock(&h->cmd_lock);
	while ((cmd = h->cmd_head) != NULL) {
		h->cmd_head = cmd->next;
		if (h->cmd_head == NULL)
			h->cmd_tail = NULL;
		pthread_mutex_unlock(&h->cmd_lock);
		rc = hvsim_cmd_exec(h, cmd);
		hvsim_transport_reap(h);
		pthread_mutex_lock(&h->cmd_lock);
		cmd->result = rc;
		cmd->done = true;
		work++;
	}
	pthread_cond_broadcast(&h->cmd_cond);
	pthread_mutex_unlock(&h->cmd_lock);

	rc = hvsim_transport_poll(h);
	if (rc > 0)
		work += rc;
	work += hvsim_hold_replay(h);
	hvsim_transport_reap(h);
	work += hvsim_monitor_poll(h);
	work += hvsim_ring_poll_all(h);
	for (i = 0; i < h->cfg.n_nics; i++) {
		rc = h->ops->poll(h->nic[i].dev);
		if (rc > 0)
			work += rc;
	}
	hvsim_transport_reap(h);
	if (h->ctl != NULL)
		work += hvsim_ctl_poll(h);
	hvsim_transport_reap(h);
	return work;
}

/* The host whose iteration this thread is running: calls into the public
 * API from inside it (control socket, device callbacks) run directly.
 */
static __thread struct hvsim *hvsim_self;

bool
hvsim_host_lock(struct hvsim *h)
{
	if (hvsim_self == h)
		return false;
	pthread_mutex_lock(&h->poll_lock);
	return true;
}

void
hvsim_host_unlock(struct hvsim *h, bool locked)
{
	if (locked)
		pthread_mutex_unlock(&h->poll_lock);
}

int
hvsim_poll(struct hvsim *h)
{
	int rc;

	pthread_mutex_lock(&h->poll_lock);
	hvsim_self = h;
	rc = hvsim_iterate(h);
	hvsim_self = NULL;
	pthread_mutex_unlock(&h->poll_lock);
	return rc;
}

/* Sleep @p ns, or less if the guest sends a channel message meanwhile. */
static void
hvsim_idle_wait(struct hvsim *h, uint64_t ns)
{
	struct timespec ts = { 0, (long)ns };
	struct pollfd pfd = { .fd = -1, .events = POLLIN };

	/* The fd changes only under poll_lock (attach, disconnect). While
	 * replies are queued the host reads no requests: a readable socket
	 * would not be work then, so just sleep.
	 */
	pthread_mutex_lock(&h->poll_lock);
	if (h->txq.count == 0)
		pfd.fd = h->fd;
	pthread_mutex_unlock(&h->poll_lock);
	if (pfd.fd < 0 || ppoll(&pfd, 1, &ts, NULL) < 0)
		nanosleep(&ts, NULL);
}

static void *
hvsim_thread(void *arg)
{
	struct hvsim *h = arg;
	uint64_t last_work = hvsim_now_ns();
	uint64_t sleep_ns = HVSIM_SLEEP_MIN_NS;

	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		uint64_t now;

		if (hvsim_poll(h) > 0) {
			last_work = hvsim_now_ns();
			sleep_ns = HVSIM_SLEEP_MIN_NS;
			continue;
		}
		now = hvsim_now_ns();
		if (now - last_work < HVSIM_SPIN_NS)
			continue;
		hvsim_idle_wait(h, sleep_ns);
		if (sleep_ns < HVSIM_SLEEP_MAX_NS)
			sleep_ns *= 2;
		if (sleep_ns > HVSIM_SLEEP_MAX_NS)
			sleep_ns = HVSIM_SLEEP_MAX_NS;
	}
	return NULL;
}

int
hvsim_start(struct hvsim *h)
{
	int rc;

	if (h->running)
		return -EALREADY;
	__atomic_store_n(&h->stop, false, __ATOMIC_RELEASE);
	h->running = true;
	rc = pthread_create(&h->thread, NULL, hvsim_thread, h);
	if (rc != 0) {
		h->running = false;
		return -rc;
	}
	/* A name for top, perf and schedstat readers; failure is harmless. */
	(void)pthread_setname_np(h->thread, "hvsim-host");
	return 0;
}

/* Commands still queued when the thread stops are failed, not lost. */
static void
hvsim_cmd_flush(struct hvsim *h)
{
	struct hvsim_cmd *cmd;

	pthread_mutex_lock(&h->cmd_lock);
	while ((cmd = h->cmd_head) != NULL) {
		h->cmd_head = cmd->next;
		cmd->result = -ESHUTDOWN;
		cmd->done = true;
	}
	h->cmd_tail = NULL;
	pthread_cond_broadcast(&h->cmd_cond);
	pthread_mutex_unlock(&h->cmd_lock);
}

void
hvsim_stop(struct hvsim *h)
{
	if (h == NULL)
		return;
	if (h->running) {
		__atomic_store_n(&h->stop, true, __ATOMIC_RELEASE);
		pthread_join(h->thread, NULL);
		h->running = false;
	}
	hvsim_cmd_flush(h);
	if (h->fd >= 0) {
		/* The host leaves, not the guest: nothing the guest still
		 * holds is its fault, so no at-unload checks.
		 */
		hvsim_reset_connection(h, "host stopped", false);
		hvsim_disconnect(h, "host stopped");
	}
}

static void
hvsim_free(struct hvsim *h)
{
	unsigned int i;

	hvsim_ctl_close(h);
	if (h->listen_fd >= 0) {
		close(h->listen_fd);
		if (h->listen_path != NULL)
			unlink(h->listen_path);
	}
	free(h->listen_path);
	for (i = 0; i < HVSIM_MAX_NICS; i++) {
		hvsim_hold_flush(h, &h->nic[i]);
		if (h->nic[i].dev != NULL)
			h->ops->destroy(h->nic[i].dev);
	}
	hvsim_gpadl_fini(h);
	hvsim_txq_free(h);
	hvsim_log_fini(&h->log);
	pthread_mutex_destroy(&h->hook_lock);
	pthread_cond_destroy(&h->hook_cond);
	pthread_mutex_destroy(&h->poll_lock);
	pthread_mutex_destroy(&h->cmd_lock);
	pthread_cond_destroy(&h->cmd_cond);
	free(h);
}

void
hvsim_destroy(struct hvsim *h)
{
	if (h == NULL)
		return;
	hvsim_stop(h);
	hvsim_free(h);
}

bool
hvsim_quit_requested(const struct hvsim *h)
{
	return __atomic_load_n(&h->quit_requested, __ATOMIC_ACQUIRE);
}

/* Run @p cmd on the host thread and wait for it; without a host thread,
 * run it here between two hvsim_poll() iterations.
 */
static int
hvsim_cmd_submit(struct hvsim *h, struct hvsim_cmd *cmd)
{
	int rc;

	cmd->done = false;
	cmd->next = NULL;
	if (hvsim_self == h)
		return hvsim_cmd_exec(h, cmd);
	if (!h->running) {
		pthread_mutex_lock(&h->poll_lock);
		hvsim_self = h;
		rc = hvsim_cmd_exec(h, cmd);
		hvsim_self = NULL;
		pthread_mutex_unlock(&h->poll_lock);
		return rc;
	}
	pthread_mutex_lock(&h->cmd_lock);
	if (h->cmd_tail != NULL)
		h->cmd_tail->next = cmd;
	else
		h->cmd_head = cmd;
	h->cmd_tail = cmd;
	while (!cmd->done)
		pthread_cond_wait(&h->cmd_cond, &h->cmd_lock);
	pthread_mutex_unlock(&h->cmd_lock);
	return cmd->result;
}

static int
hvsim_nic_check(const struct hvsim *h, unsigned int nic)
{
	return nic < h->cfg.n_nics ? 0 : -EINVAL;
}

int
hvsim_cmd_exec(struct hvsim *h, struct hvsim_cmd *cmd)
{
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
		return h->ops->set_link(n->dev, cmd->flag);
	case HVSIM_CMD_VF:
		return h->ops->vf(n->dev, cmd->flag, cmd->val);
	case HVSIM_CMD_MAC_LOCK:
		if (h->ops->mac_lock == NULL)
			return -ENOTSUP;
		return h->ops->mac_lock(n->dev, cmd->flag);
	case HVSIM_CMD_STATS:
		memset(cmd->st, 0, sizeof(*cmd->st));
		h->ops->stats(n->dev, cmd->st);
		cmd->st->rescinds = n->rescinds;
		cmd->st->reoffers = n->reoffers;
		cmd->st->released = n->released;
		cmd->st->rescind_ns = n->rescind_ns;
		cmd->st->released_ns = n->released_ns;
		return 0;
	}
	return -EINVAL;
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
hvsim_nic_stats(struct hvsim *h, unsigned int nic, struct hvsim_nic_stats *st)
{
	struct hvsim_cmd c = { .kind = HVSIM_CMD_STATS, .nic = nic,
			       .st = st };

	if (st == NULL)
		return -EINVAL;
	return hvsim_cmd_submit(h, &c);
}
