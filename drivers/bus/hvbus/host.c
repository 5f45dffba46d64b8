/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * What every protocol layer above needs to reach the host and the control
 * thread: sending a channel message, the deadline of a host answer, the
 * rejection of a bad host message, and requests other threads post to the
 * control thread and wait on. The control thread's loop (ctrl.c) takes
 * the requests and hands them to the layers that carry them out.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hv_clock.h"
#include "hvbus_host.h"

uint64_t
hvbus_deadline_ns(unsigned int answers)
{
	return hv_now_ns() +
		(uint64_t)answers * hvbus.cfg.timeout_ms * HV_NS_PER_MS;
}

/* The control thread ends every request by the deadlines of its host
 * answers; this second on top only covers the thread noticing. */
#define HVBUS_REQ_SLACK_MS	1000u

unsigned int
hvbus_answers_ms(unsigned int answers)
{
	return answers * hvbus.cfg.timeout_ms + HVBUS_REQ_SLACK_MS;
}

bool
hvbus_on_ctrl_thread(void)
{
	return hvbus.ctrl_running &&
		rte_thread_equal(rte_thread_self(), hvbus.ctrl_tid);
}

void
hvbus_bad_msg(uint32_t type, const char *fmt, ...)
{
	uint64_t bit = 1ull << (type % 64);
	char buf[256];
	va_list ap;

	hvbus.st.bad_msgs++;
	/* A hostile or broken host could flood us: one line per message
	 * type, the counter tells the rest.
	 */
	if (hvbus.log_once & bit)
		return;
	hvbus.log_once |= bit;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	HVBUS_LOG(ERR, "host message %s rejected: %s (further ones of this "
		  "type are only counted)", vmb_msg_name(type), buf);
}

int
hvbus_send(union vmb_msg *m, int len)
{
	static bool failing;
	int rc;

	if (len < 0)
		return len;
	if (hvbus.be.ops == NULL || hvbus.be.fd < 0 || hvbus.host_gone)
		return -ENOTCONN;
	rc = hvbus.be.ops->send(&hvbus.be, m, (uint32_t)len);
	if (rc == 0) {
		failing = false;
		return 0;
	}
	hvbus.st.send_errors++;
	/* A host that stops reading fails every send: one line per run of
	 * failures, the counter tells the rest.
	 */
	if (!failing)
		HVBUS_LOG(ERR, "sending %s failed: %s (until one goes out, "
			  "further failures are only counted)",
			  vmb_msg_name(m->hdr.type), strerror(-rc));
	failing = true;
	return rc;
}

/* Wake the control thread (from any thread). */
void
hvbus_ctrl_kick(void)
{
	uint64_t one = 1;

	if (hvbus.evfd >= 0 && write(hvbus.evfd, &one, sizeof(one)) < 0)
		HVBUS_LOG(WARNING, "cannot wake the control thread: %s",
			  strerror(errno));
}

struct hvbus_req *
hvbus_req_new(enum hvbus_req_type type)
{
	struct hvbus_req *req = calloc(1, sizeof(*req));

	if (req != NULL) {
		req->type = type;
		req->refs = 1;
	}
	return req;
}

void
hvbus_req_put(struct hvbus_req *req)
{
	bool last;

	if (req == NULL)
		return;
	pthread_mutex_lock(&hvbus.lock);
	last = --req->refs == 0;
	pthread_mutex_unlock(&hvbus.lock);
	if (last)
		free(req);
}

void
hvbus_req_complete(struct hvbus_req *req, int result)
{
	if (req == NULL)
		return;
	pthread_mutex_lock(&hvbus.lock);
	req->result = result;
	req->done = true;
	pthread_cond_broadcast(&hvbus.cond);
	pthread_mutex_unlock(&hvbus.lock);
	hvbus_req_put(req);	/* the control thread's reference */
}

/*
 * Post @req and wait for it. The control thread always completes a request
 * by its own deadline (the host answered, a rescind aborted it, or time
 * ran out), so @timeout_ms here is only a guard against a stuck thread.
 * The caller still holds its reference and drops it with hvbus_req_put().
 */
int
hvbus_req_run(struct hvbus_req *req, unsigned int timeout_ms)
{
	struct timespec ts;
	int rc = 0;

	if (hvbus_on_ctrl_thread())
		return -EDEADLK;
	hv_deadline_ts(CLOCK_MONOTONIC, timeout_ms, &ts);
	pthread_mutex_lock(&hvbus.lock);
	if (!hvbus.ctrl_running || hvbus.ctrl_stop) {
		pthread_mutex_unlock(&hvbus.lock);
		return -ENODEV;
	}
	req->refs++;
	TAILQ_INSERT_TAIL(&hvbus.reqs, req, next);
	pthread_mutex_unlock(&hvbus.lock);
	hvbus_ctrl_kick();
	pthread_mutex_lock(&hvbus.lock);
	while (!req->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&hvbus.cond, &hvbus.lock, &ts);
	if (!req->done) {
		req->abandoned = true;
		rc = -ETIMEDOUT;
	} else {
		rc = req->result;
	}
	pthread_mutex_unlock(&hvbus.lock);
	if (rc == -ETIMEDOUT && !req->done)
		HVBUS_LOG(ERR, "control thread did not answer in %u ms",
			  timeout_ms);
	return rc;
}
