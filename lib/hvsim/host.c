/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * hvsim host lifecycle and the host loop. One thread (hvsim_start()) or the
 * owner (hvsim_poll()) runs every host iteration; calls from other threads
 * (chaos, statistics) are queued as commands and executed by that thread
 * (command.c), so the VMBus state and the device models need no locks.
 * An iteration walks the layers top down: commands, the transport through
 * the filter into channel management, the rings, the device models, the
 * control socket; a connection that died on the way is torn down between
 * steps, never inside one (handlers may still hold channel pointers).
 */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hvsim_host.h"

/* Idle back-off: spin this long after the last work, then sleep in steps
 * doubling up to the cap (short enough to keep guest round trips low,
 * long enough that an idle host does not burn a core). Rings and monitor
 * pages have no fd to wait on, hence the cap; a channel message from the
 * guest ends the sleep at once (hvsim_idle_wait()).
 */
#define HVSIM_SPIN_NS		20000
#define HVSIM_SLEEP_MIN_NS	2000
#define HVSIM_SLEEP_MAX_NS	50000
/* Channel messages handled per iteration: enough to drain an offer
 * burst's replies, few enough that rings are polled between control
 * bursts.
 */
#define HVSIM_RX_BURST		64

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

static void
hvsim_free(struct hvsim *h)
{
	struct hvsim_loop *l = h->loop;

	if (l != NULL) {
		hvsim_ctl_close(h);
		pthread_mutex_destroy(&l->poll_lock);
		pthread_mutex_destroy(&l->cmd_lock);
		pthread_cond_destroy(&l->cmd_cond);
		free(l);
	}
	hvsim_core_fini(h);
	free(h);
}

struct hvsim *
hvsim_create(const struct hvsim_config *cfg)
{
	struct hvsim_config c;
	struct hvsim_loop *l;
	struct hvsim *h;
	int rc;

	if (cfg == NULL || hvsim_config_check(cfg) < 0) {
		errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	l = calloc(1, sizeof(*l));
	if (h == NULL || l == NULL) {
		free(h);
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->poll_lock, NULL);
	pthread_mutex_init(&l->cmd_lock, NULL);
	pthread_cond_init(&l->cmd_cond, NULL);
	h->loop = l;
	c = *cfg;
	if (c.dev_ops == NULL)
		c.dev_ops = &hvsim_netvsp_ops;
	if (hvsim_core_init(h, &c) < 0)
		goto fail;
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

/* Guest channel messages, through the filter into channel management. */
static int
hvsim_messages(struct hvsim *h)
{
	struct hvsim_msg_ctx ctx;
	union vmb_msg m;
	uint32_t len;
	int work = 0, i, rc;

	for (i = 0; i < HVSIM_RX_BURST; i++) {
		rc = hvsim_filter_next(&h->filter, &m, &len, &ctx);
		if (rc < 0 || rc == HVSIM_FILTER_IDLE)
			break;
		work++;
		if (rc == HVSIM_FILTER_MSG)
			hvsim_chan_dispatch(h, &m, len, &ctx);
		hvsim_hostile_act(h);
		if (hvsim_transport_dead(&h->tp) != NULL)
			break;
	}
	return work;
}

static int
hvsim_iterate(struct hvsim *h)
{
	unsigned int i;
	int work, rc;

	/* Commands first: a test that rescinds expects it to precede any
	 * guest message that arrives after the call.
	 */
	work = hvsim_cmd_run(h);
	work += hvsim_transport_pump(&h->tp, &h->log);
	hvsim_reap(h);
	work += hvsim_messages(h);
	hvsim_reap(h);
	work += hvsim_monitor_poll(&h->rings);
	work += hvsim_rings_poll(&h->rings);
	for (i = 0; i < h->cfg.n_nics; i++) {
		rc = h->rings.ops->poll(h->nic[i].dev);
		if (rc > 0)
			work += rc;
	}
	work += hvsim_hostile_act(h);
	hvsim_reap(h);
	if (h->loop->ctl != NULL)
		work += hvsim_ctl_poll(h);
	hvsim_reap(h);
	return work;
}

int
hvsim_poll(struct hvsim *h)
{
	bool locked = hvsim_host_lock(h);
	uint64_t t0 = hv_now_ns();
	int rc;

	rc = hvsim_iterate(h);
	/* Read by statistics commands, which run inside an iteration. */
	h->loop->polls++;
	if (rc <= 0)
		h->loop->polls_idle++;
	else
		h->loop->busy_ns += hv_now_ns() - t0;
	hvsim_host_unlock(h, locked);
	return rc;
}

void
hvsim_note_sleep(struct hvsim *h)
{
	bool locked = hvsim_host_lock(h);

	h->loop->sleeps++;
	hvsim_host_unlock(h, locked);
}

int
hvsim_attach(struct hvsim *h, int fd, bool same_process)
{
	bool locked;
	int rc;

	if (h == NULL)
		return -EINVAL;
	locked = hvsim_host_lock(h);
	rc = h->preopened ? -EBUSY :
	     hvsim_transport_attach(&h->tp, &h->log, fd, same_process);
	hvsim_host_unlock(h, locked);
	return rc;
}

int
hvsim_listen(struct hvsim *h, const char *path)
{
	bool locked;
	int rc;

	if (h == NULL)
		return -EINVAL;
	locked = hvsim_host_lock(h);
	rc = h->preopened ? -EBUSY :
	     hvsim_transport_listen(&h->tp, &h->log, path);
	hvsim_host_unlock(h, locked);
	return rc;
}

/* Sleep @p ns, or less if the guest sends a channel message meanwhile. */
static void
hvsim_idle_wait(struct hvsim *h, uint64_t ns)
{
	struct timespec ts = { 0, (long)ns };
	struct pollfd pfd = { .fd = -1, .events = POLLIN };

	/* The fd changes only under poll_lock (attach, disconnect). */
	pthread_mutex_lock(&h->loop->poll_lock);
	pfd.fd = hvsim_transport_wait_fd(&h->tp);
	pthread_mutex_unlock(&h->loop->poll_lock);
	if (pfd.fd < 0 || ppoll(&pfd, 1, &ts, NULL) < 0)
		nanosleep(&ts, NULL);
}

static void *
hvsim_thread(void *arg)
{
	struct hvsim *h = arg;
	uint64_t last_work = hv_now_ns();
	uint64_t sleep_ns = HVSIM_SLEEP_MIN_NS;

	while (!__atomic_load_n(&h->loop->stop, __ATOMIC_ACQUIRE)) {
		uint64_t now;

		if (hvsim_poll(h) > 0) {
			last_work = hv_now_ns();
			sleep_ns = HVSIM_SLEEP_MIN_NS;
			continue;
		}
		now = hv_now_ns();
		if (now - last_work < HVSIM_SPIN_NS)
			continue;
		hvsim_note_sleep(h);
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
	/* A face drives the host from its own loop (hvsim_uio_poll()). */
	if (h->preopened)
		return -EBUSY;
	__atomic_store_n(&h->loop->stop, false, __ATOMIC_RELEASE);
	h->running = true;
	rc = pthread_create(&h->loop->thread, NULL, hvsim_thread, h);
	if (rc != 0) {
		h->running = false;
		return -rc;
	}
	/* A name for top, perf and schedstat readers; failure is harmless. */
	(void)pthread_setname_np(h->loop->thread, "hvsim-host");
	return 0;
}

void
hvsim_stop(struct hvsim *h)
{
	if (h == NULL)
		return;
	if (h->running) {
		__atomic_store_n(&h->loop->stop, true, __ATOMIC_RELEASE);
		pthread_join(h->loop->thread, NULL);
		h->running = false;
	}
	hvsim_cmd_flush(h);
	if (hvsim_transport_up(&h->tp)) {
		/* The host leaves, not the guest: nothing the guest still
		 * holds is its fault, so no at-unload checks.
		 */
		hvsim_reset_connection(h, "host stopped", false);
		hvsim_disconnect(h, "host stopped");
	}
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
	return __atomic_load_n(&h->loop->quit_requested, __ATOMIC_ACQUIRE);
}
