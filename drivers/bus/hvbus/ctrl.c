/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The control thread: the only thread that talks to the host and the only
 * mutator of offers, channels and GPADLs.
 *
 * It sleeps in epoll on two fds: the backend's (host messages) and an
 * eventfd other threads poke after queueing a request. Every host message
 * is copied and validated by vmb_msg_decode() (type known, length at least
 * vmb_msg_table[type].min_len) exactly once, here, and then goes through
 * one dispatch table indexed by type; a handler may trust the length.
 *
 * Nothing here waits for the host. An operation that needs an answer
 * (version, GPADL, open, teardown, unload) records what it waits for and a
 * deadline and returns to the loop; the answer, a rescind or the deadline
 * moves it on. That is what keeps a rescind from queueing behind an OPEN
 * the host will never answer.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "hv_clock.h"
#include "hvbus_private.h"

/* Idle wake-up: how often deadlines are looked at without any event. */
#define CTRL_TICK_MS		50
/* Messages handled per wake-up before requests get their turn. */
#define CTRL_MSG_BURST		64

/* Versions offered, newest first; one INITIATE_CONTACT each. */
static const uint32_t ctrl_versions[] = {
	VMB_VERSION_IRON, VMB_VERSION_WIN10_RS5, VMB_VERSION_WIN10_RS4,
	VMB_VERSION_WIN10_V5, VMB_VERSION_WIN10_RS3, VMB_VERSION_WIN10,
};

/* ---- connection: version negotiation, offers, unload ---- */

static int
ctrl_contact(void)
{
	union vmb_msg m;
	uint64_t mon1, mon2;
	int len;

	mon1 = mon2 = 0;
	if (hvbus.be.mon_parent != NULL && hvbus.be.mon_child != NULL) {
		mon1 = hvbus.be.ops->gpa(&hvbus.be, hvbus.be.mon_parent);
		mon2 = hvbus.be.ops->gpa(&hvbus.be, hvbus.be.mon_child);
	}
	len = vmb_msg_encode_initiate_contact(&m,
			ctrl_versions[hvbus.version_idx], 0, 0, mon1, mon2);
	return hvbus_send(&m, len);
}

static void
ctrl_connect_done(int rc)
{
	struct hvbus_req *req = hvbus.connect_req;

	hvbus.connect_req = NULL;
	hvbus_req_complete(req, rc);
}

static void
ctrl_req_connect(struct hvbus_req *req)
{
	int rc;

	if (hvbus.connect_req != NULL || hvbus.connected) {
		hvbus_req_complete(req, -EALREADY);
		return;
	}
	hvbus.connect_req = req;
	hvbus.version_idx = 0;
	hvbus.connect_deadline = hvbus_deadline_ns(1);
	rc = ctrl_contact();
	if (rc < 0)
		ctrl_connect_done(rc);
}

static void
ctrl_on_version(const union vmb_msg *m, uint32_t len)
{
	const struct vmb_msg_version_response *v = &m->version_response;
	union vmb_msg r;
	int rc;

	RTE_SET_USED(len);
	if (hvbus.connect_req == NULL || hvbus.connected) {
		hvbus_bad_msg(VMB_MSG_VERSION_RESPONSE, "not negotiating");
		return;
	}
	if (v->version_supported == 1 && v->connection_state == VMB_CONN_OK) {
		hvbus.connected = true;
		hvbus.version = ctrl_versions[hvbus.version_idx];
		HVBUS_LOG(INFO, "VMBus version %u.%u", hvbus.version >> 16,
			  hvbus.version & 0xffff);
		rc = hvbus_send(&r, vmb_msg_encode_hdr(&r,
						      VMB_MSG_REQUESTOFFERS));
		if (rc < 0)
			ctrl_connect_done(rc);
		return;
	}
	if (v->version_supported == 1 || v->connection_state != VMB_CONN_OK) {
		HVBUS_LOG(ERR, "host refused the connection (state %u)",
			  v->connection_state);
		ctrl_connect_done(-ECONNREFUSED);
		return;
	}
	if (++hvbus.version_idx >= (int)RTE_DIM(ctrl_versions)) {
		HVBUS_LOG(ERR, "host supports none of our VMBus versions");
		ctrl_connect_done(-EPROTONOSUPPORT);
		return;
	}
	rc = ctrl_contact();
	if (rc < 0)
		ctrl_connect_done(rc);
}

static void
ctrl_on_offers_done(const union vmb_msg *m, uint32_t len)
{
	RTE_SET_USED(m);
	RTE_SET_USED(len);
	if (hvbus.connect_req == NULL || !hvbus.connected) {
		hvbus_bad_msg(VMB_MSG_ALLOFFERS_DELIVERED, "not requested");
		return;
	}
	ctrl_connect_done(0);
}

static void
ctrl_on_unload_response(const union vmb_msg *m, uint32_t len)
{
	RTE_SET_USED(m);
	RTE_SET_USED(len);
	if (!hvbus.unload_sent) {
		hvbus_bad_msg(VMB_MSG_UNLOAD_RESPONSE, "no UNLOAD sent");
		return;
	}
	hvbus.connected = false;
	if (hvbus.shutdown_req != NULL) {
		hvbus_req_complete(hvbus.shutdown_req, 0);
		hvbus.shutdown_req = NULL;
	}
	__atomic_store_n(&hvbus.ctrl_stop, true, __ATOMIC_RELEASE);
}

/* Shutdown: close everything, wait until the host has confirmed every
 * teardown and every rescinded relid is released, then UNLOAD.
 */
static void
ctrl_shutdown_step(uint64_t now)
{
	union vmb_msg m;

	if (hvbus.shutdown_req == NULL)
		return;
	if (now > hvbus.shutdown_deadline) {
		HVBUS_LOG(ERR, "shutdown: host did not confirm in time, "
			  "leaving anyway");
		hvbus.st.deadlines++;
		hvbus_req_complete(hvbus.shutdown_req, -ETIMEDOUT);
		hvbus.shutdown_req = NULL;
		__atomic_store_n(&hvbus.ctrl_stop, true, __ATOMIC_RELEASE);
		return;
	}
	/* Without a host there is nobody to wait for. */
	if (!hvbus.connected) {
		hvbus_req_complete(hvbus.shutdown_req, 0);
		hvbus.shutdown_req = NULL;
		__atomic_store_n(&hvbus.ctrl_stop, true, __ATOMIC_RELEASE);
		return;
	}
	if (hvbus.unload_sent || !hvbus_chan_idle())
		return;
	if (hvbus_send(&m, vmb_msg_encode_hdr(&m, VMB_MSG_UNLOAD)) == 0)
		hvbus.unload_sent = true;
	else
		hvbus.connected = false;	/* finish on the next step */
}

static void
ctrl_req_shutdown(struct hvbus_req *req)
{
	if (hvbus.shutdown_req != NULL) {
		hvbus_req_complete(req, -EALREADY);
		return;
	}
	hvbus.shutting_down = true;
	hvbus.shutdown_req = req;
	hvbus.shutdown_deadline = hvbus_deadline_ns(2);
	hvbus_chan_close_all();
}

/* ---- dispatch ---- */

typedef void (hvbus_msg_fn)(const union vmb_msg *m, uint32_t len);

/*
 * Host -> guest messages we act on. A NULL entry is a type the host has no
 * business sending us (guest -> host types, unused features): rejected.
 * Lengths were checked against vmb_msg_table[type].min_len by
 * vmb_msg_decode() before the handler is called.
 */
static hvbus_msg_fn *const ctrl_dispatch[VMB_MSG_COUNT] = {
	[VMB_MSG_OFFERCHANNEL] = hvbus_on_offer,
	[VMB_MSG_RESCIND_CHANNELOFFER] = hvbus_on_rescind,
	[VMB_MSG_ALLOFFERS_DELIVERED] = ctrl_on_offers_done,
	[VMB_MSG_OPENCHANNEL_RESULT] = hvbus_on_open_result,
	[VMB_MSG_GPADL_CREATED] = hvbus_on_gpadl_created,
	[VMB_MSG_GPADL_TORNDOWN] = hvbus_on_gpadl_torndown,
	[VMB_MSG_VERSION_RESPONSE] = ctrl_on_version,
	[VMB_MSG_UNLOAD_RESPONSE] = ctrl_on_unload_response,
};

/*
 * The host went away: every channel is as good as rescinded. Fail them
 * (queues see NULL, drivers hear HVBUS_EV_RESCIND); their memory stays
 * until the backend closes, since nobody can confirm a teardown now.
 */
static void
ctrl_host_gone(void)
{
	uint32_t relid;

	HVBUS_LOG(ERR, "host connection lost");
	epoll_ctl(hvbus.epfd, EPOLL_CTL_DEL, hvbus.be.fd, NULL);
	hvbus.connected = false;
	hvbus.host_gone = true;
	if (hvbus.connect_req != NULL)
		ctrl_connect_done(-EPIPE);
	for (relid = 1; relid < VMB_MAX_RELID; relid++)
		if (hvbus.relid_tab[relid] != NULL)
			hvbus_offer_fail(hvbus.relid_tab[relid],
					 "host connection lost");
}

/* Validate and dispatch one message as received from the backend. */
void
hvbus_ctrl_dispatch(const void *buf, uint32_t len)
{
	union vmb_msg m;
	int type;

	hvbus.st.msgs++;
	type = vmb_msg_decode(buf, len, &m);
	if (type < 0) {
		uint32_t t = 0;

		/* For the log only: the type as sent, if any. */
		if (len >= 4)
			memcpy(&t, buf, sizeof(t));
		hvbus_bad_msg(t, "%u bytes: %s", len, strerror(-type));
		return;
	}
	if (ctrl_dispatch[type] == NULL) {
		hvbus_bad_msg((uint32_t)type, "not a host message");
		return;
	}
	ctrl_dispatch[type](&m, len);
}

static void
ctrl_drain_msgs(void)
{
	uint8_t buf[VMB_MSG_MAX_SIZE];
	int i, len;

	for (i = 0; i < CTRL_MSG_BURST; i++) {
		len = hvbus.be.ops->recv(&hvbus.be, buf, sizeof(buf));
		if (len == -EAGAIN)
			return;
		if (len == -EPIPE) {
			ctrl_host_gone();
			return;
		}
		if (len < 0) {
			hvbus.st.msgs++;
			hvbus_bad_msg(0, "malformed frame");
			continue;
		}
		hvbus_ctrl_dispatch(buf, (uint32_t)len);
	}
}

static void
ctrl_take_reqs(void)
{
	struct hvbus_req *req;
	uint64_t v;

	if (read(hvbus.evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		HVBUS_LOG(WARNING, "eventfd read: %s", strerror(errno));
	for (;;) {
		pthread_mutex_lock(&hvbus.lock);
		req = TAILQ_FIRST(&hvbus.reqs);
		if (req != NULL)
			TAILQ_REMOVE(&hvbus.reqs, req, next);
		pthread_mutex_unlock(&hvbus.lock);
		if (req == NULL)
			return;
		if (hvbus.ctrl_stop) {
			hvbus_req_complete(req, -ESHUTDOWN);
			continue;
		}
		if (!hvbus.connected && req->type != HVBUS_REQ_CONNECT &&
		    req->type != HVBUS_REQ_SHUTDOWN) {
			hvbus_req_complete(req, -ENOTCONN);
			continue;
		}
		if (hvbus.shutting_down && req->type != HVBUS_REQ_SHUTDOWN &&
		    req->type != HVBUS_REQ_CLOSE &&
		    req->type != HVBUS_REQ_GPADL_DESTROY) {
			hvbus_req_complete(req, -ESHUTDOWN);
			continue;
		}
		switch (req->type) {
		case HVBUS_REQ_CONNECT:
			ctrl_req_connect(req);
			break;
		case HVBUS_REQ_OPEN:
			hvbus_req_open(req);
			break;
		case HVBUS_REQ_CLOSE:
			hvbus_req_close(req);
			break;
		case HVBUS_REQ_GPADL_CREATE:
			hvbus_req_gpadl_create(req);
			break;
		case HVBUS_REQ_GPADL_DESTROY:
			hvbus_req_gpadl_destroy(req);
			break;
		case HVBUS_REQ_SHUTDOWN:
			ctrl_req_shutdown(req);
			break;
		}
	}
}

static void
ctrl_deadlines(uint64_t now)
{
	if (hvbus.connect_req != NULL && now > hvbus.connect_deadline) {
		HVBUS_LOG(ERR, "host did not finish connecting in %u ms",
			  hvbus.cfg.timeout_ms);
		hvbus.st.deadlines++;
		ctrl_connect_done(-ETIMEDOUT);
	}
	hvbus_chan_deadlines(now);
	hvbus_gpadl_deadlines(now);
}

/*
 * epoll with a timeout finer than epoll_wait()'s milliseconds: a grace
 * period waits for bursts of a few microseconds, and a millisecond per
 * re-check was most of the rescind-to-release time.
 */
static int
ctrl_wait(struct epoll_event *ev, int max, uint64_t timeout_ns)
{
	static bool no_pwait2;
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000u),
		.tv_nsec = (long)(timeout_ns % 1000000000u),
	};
	int n;

	if (!no_pwait2) {
		n = epoll_pwait2(hvbus.epfd, ev, max, &ts, NULL);
		if (n >= 0 || errno != ENOSYS)
			return n;
		no_pwait2 = true;	/* kernel before 5.11 */
	}
	return epoll_wait(hvbus.epfd, ev, max,
			  (int)((timeout_ns + 999999u) / 1000000u));
}

/* How long to sleep: until the next grace period re-check while one is
 * pending, the idle tick otherwise.
 */
static uint64_t
ctrl_timeout_ns(void)
{
	if (hvbus.retiring > 0 || hvbus.reclaim_pending > 0) {
		if (hvbus.reclaim_wait_ns < HVBUS_RECLAIM_MIN_NS)
			hvbus.reclaim_wait_ns = HVBUS_RECLAIM_MIN_NS;
		return hvbus.reclaim_wait_ns;
	}
	return CTRL_TICK_MS * 1000000ull;
}

/* be->fd is also watched for room to write (ctrl_flush()). */
static bool ctrl_pollout;

/*
 * Messages the backend queued because the host's socket was full go out
 * as the host drains it; while any wait, the loop also wakes when be->fd
 * becomes writable. Nothing here waits for the host either.
 */
static void
ctrl_flush(void)
{
	struct epoll_event ev = { .data.fd = hvbus.be.fd };
	bool want;

	if (hvbus.be.ops->flush == NULL || hvbus.host_gone)
		return;
	/* An error means the connection broke: recv() reports it. */
	want = hvbus.be.ops->flush(&hvbus.be) > 0;
	if (want == ctrl_pollout)
		return;
	ev.events = EPOLLIN | (want ? EPOLLOUT : 0);
	if (epoll_ctl(hvbus.epfd, EPOLL_CTL_MOD, hvbus.be.fd, &ev) == 0)
		ctrl_pollout = want;
}

static void
ctrl_reclaim(void)
{
	if (hvbus.retiring == 0 && hvbus.reclaim_pending == 0)
		return;
	if (hvbus_retire_poll() > 0) {
		/* Readers still inside a burst: look again a bit later. */
		hvbus.reclaim_wait_ns *= 2;
		if (hvbus.reclaim_wait_ns > HVBUS_RECLAIM_MAX_NS)
			hvbus.reclaim_wait_ns = HVBUS_RECLAIM_MAX_NS;
	} else {
		hvbus.reclaim_wait_ns = HVBUS_RECLAIM_MIN_NS;
	}
}

/* The host signalled: the devices the backend can name, else every one
 * (intr.c wakes only armed channels with data). */
static void
ctrl_host_signal(void)
{
	uint32_t relids[16];
	unsigned int n, i;

	n = hvbus.be.ops->intr(&hvbus.be, relids, RTE_DIM(relids));
	if (n == 0) {
		hvbus_intr_host_signal(NULL);
		return;
	}
	for (i = 0; i < n && i < RTE_DIM(relids); i++) {
		struct hvbus_offer *o = relids[i] < VMB_MAX_RELID ?
			hvbus.relid_tab[relids[i]] : NULL;

		if (o != NULL && o->dev != NULL)
			hvbus_intr_host_signal(o->dev);
	}
}

static uint32_t
ctrl_main(void *arg)
{
	struct epoll_event ev[4];
	int n, i;

	RTE_SET_USED(arg);
	while (!__atomic_load_n(&hvbus.ctrl_stop, __ATOMIC_ACQUIRE)) {
		n = ctrl_wait(ev, RTE_DIM(ev), ctrl_timeout_ns());
		for (i = 0; i < n; i++) {
			if (ev[i].data.fd == hvbus.be.fd) {
				if (ev[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
					ctrl_drain_msgs();
			} else if (ev[i].data.fd == hvbus.be.intr_fd) {
				ctrl_host_signal();
			} else if (ev[i].data.fd == hvbus.evfd) {
				ctrl_take_reqs();
				/* A kick may also mean "something retired". */
				hvbus.reclaim_pending++;
			}
		}
		if (hvbus.be.ops->tick != NULL)
			hvbus.be.ops->tick(&hvbus.be);
		ctrl_reclaim();
		ctrl_deadlines(hv_now_ns());
		ctrl_shutdown_step(hv_now_ns());
		ctrl_flush();
	}
	/* Anything posted after the stop decision fails at once. */
	pthread_mutex_lock(&hvbus.lock);
	__atomic_store_n(&hvbus.ctrl_stop, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&hvbus.lock);
	ctrl_take_reqs();
	return 0;
}

int
hvbus_ctrl_start(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int rc;

	hvbus.ctrl_stop = false;
	ctrl_pollout = false;
	hvbus.epfd = epoll_create1(EPOLL_CLOEXEC);
	hvbus.evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (hvbus.epfd < 0 || hvbus.evfd < 0) {
		rc = -errno;
		goto fail;
	}
	ev.data.fd = hvbus.be.fd;
	if (epoll_ctl(hvbus.epfd, EPOLL_CTL_ADD, hvbus.be.fd, &ev) < 0) {
		rc = -errno;
		goto fail;
	}
	ev.data.fd = hvbus.evfd;
	if (epoll_ctl(hvbus.epfd, EPOLL_CTL_ADD, hvbus.evfd, &ev) < 0) {
		rc = -errno;
		goto fail;
	}
	ev.data.fd = hvbus.be.intr_fd;
	if (hvbus.be.intr_fd >= 0 && hvbus.be.ops->intr != NULL &&
	    epoll_ctl(hvbus.epfd, EPOLL_CTL_ADD, hvbus.be.intr_fd, &ev) < 0) {
		rc = -errno;
		goto fail;
	}
	/* ctrl_running before the thread runs: hvbus_req_run() and
	 * hvbus_on_ctrl_thread() read it; ctrl_tid is written by the
	 * create call before the thread can look at it through them.
	 */
	hvbus.ctrl_running = true;
	rc = hvnet_ctrl_thread_create(&hvbus.ctrl_tid, "hvbus-ctrl",
				      ctrl_main, NULL);
	if (rc != 0) {
		hvbus.ctrl_running = false;
		goto fail;
	}
	return 0;
fail:
	HVBUS_LOG(ERR, "cannot start the control thread: %s", strerror(-rc));
	if (hvbus.epfd >= 0)
		close(hvbus.epfd);
	if (hvbus.evfd >= 0)
		close(hvbus.evfd);
	hvbus.epfd = hvbus.evfd = -1;
	return rc;
}

/* Shut the connection down cleanly (everything closed and released, then
 * UNLOAD) and stop the thread.
 */
void
hvbus_ctrl_stop(void)
{
	struct hvbus_req *req;
	int rc = -ENOMEM;

	if (!hvbus.ctrl_running)
		return;
	req = hvbus_req_new(HVBUS_REQ_SHUTDOWN);
	if (req != NULL) {
		rc = hvbus_req_run(req, hvbus_answers_ms(4));
		hvbus_req_put(req);
	}
	if (rc < 0)
		HVBUS_LOG(WARNING, "shutdown: %s", strerror(-rc));
	pthread_mutex_lock(&hvbus.lock);
	__atomic_store_n(&hvbus.ctrl_stop, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&hvbus.lock);
	rte_thread_join(hvbus.ctrl_tid, NULL);
	hvbus.ctrl_running = false;
	close(hvbus.epfd);
	close(hvbus.evfd);
	hvbus.epfd = hvbus.evfd = -1;
}
