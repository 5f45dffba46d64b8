/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The work thread: slow things the control thread must not do itself,
 * in the order they were queued - probing a device offered after start-up
 * and calling drivers' event callbacks. Whether a device has a driver is
 * decided here, under the probe lock, not by the control thread. A driver
 * may call any hvbus API from here (they post to the control thread and
 * wait), which it could not from the control thread.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>

#include "hvbus_dev.h"

void
hvbus_work_post(enum hvbus_work_kind kind, struct rte_hvbus_device *dev,
		enum hvbus_event ev, uint16_t subidx)
{
	struct hvbus_work *w = calloc(1, sizeof(*w));

	if (w == NULL) {
		HVBUS_LOG(ERR, "%s: no memory to queue work", dev->name);
		return;
	}
	w->kind = kind;
	w->dev = dev;
	w->ev = ev;
	w->subidx = subidx;
	pthread_mutex_lock(&hvbus.lock);
	TAILQ_INSERT_TAIL(&hvbus.work, w, next);
	pthread_cond_signal(&hvbus.work_cond);
	pthread_mutex_unlock(&hvbus.lock);
}

struct hvbus_work *
hvbus_work_prepare(struct rte_hvbus_device *dev, hvbus_work_fn_t *fn,
		   void *arg)
{
	struct hvbus_work *w;

	if (dev == NULL || fn == NULL)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->kind = HVBUS_WORK_CALL;
	w->dev = dev;
	w->fn = fn;
	w->arg = arg;
	return w;
}

void
hvbus_work_queue(struct hvbus_work *w)
{
	pthread_mutex_lock(&hvbus.lock);
	TAILQ_INSERT_TAIL(&hvbus.work, w, next);
	pthread_cond_signal(&hvbus.work_cond);
	pthread_mutex_unlock(&hvbus.lock);
}

void
hvbus_work_discard(struct hvbus_work *w)
{
	free(w);
}

int
hvbus_work_call(struct rte_hvbus_device *dev, hvbus_work_fn_t *fn, void *arg)
{
	struct hvbus_work *w;

	if (dev == NULL || fn == NULL)
		return -EINVAL;
	w = hvbus_work_prepare(dev, fn, arg);
	if (w == NULL)
		return -ENOMEM;
	hvbus_work_queue(w);
	return 0;
}

/* Driver work runs under the probe lock, like events: never at the same
 * time as the device's probe or remove. */
static void
work_call(struct hvbus_work *w)
{
	pthread_mutex_lock(&hvbus.probe_lock);
	w->fn(w->dev, w->arg);
	pthread_mutex_unlock(&hvbus.probe_lock);
}

static void
work_event(struct hvbus_work *w)
{
	struct rte_hvbus_device *dev = w->dev;
	const struct rte_hvbus_driver *drv;

	pthread_mutex_lock(&hvbus.probe_lock);
	if (dev->device.driver != NULL) {
		drv = hvbus_drv_of(dev->device.driver);
		if (drv->event != NULL)
			drv->event(dev, w->ev, w->subidx);
		pthread_mutex_unlock(&hvbus.probe_lock);
		return;
	}
	pthread_mutex_unlock(&hvbus.probe_lock);
	/* No driver holds a device offered again: a new probe. */
	if (w->ev == HVBUS_EV_REOFFER &&
	    __atomic_load_n(&hvbus.probe_done, __ATOMIC_ACQUIRE))
		hvbus_probe_one(dev);
}

static uint32_t
work_main(void *arg)
{
	struct hvbus_work *w;

	RTE_SET_USED(arg);
	pthread_mutex_lock(&hvbus.lock);
	while (!hvbus.work_stop) {
		w = TAILQ_FIRST(&hvbus.work);
		if (w == NULL) {
			pthread_cond_wait(&hvbus.work_cond, &hvbus.lock);
			continue;
		}
		TAILQ_REMOVE(&hvbus.work, w, next);
		hvbus.work_busy = true;
		pthread_mutex_unlock(&hvbus.lock);
		if (w->kind == HVBUS_WORK_PROBE)
			hvbus_probe_one(w->dev);
		else if (w->kind == HVBUS_WORK_CALL)
			work_call(w);
		else
			work_event(w);
		free(w);
		pthread_mutex_lock(&hvbus.lock);
		hvbus.work_busy = false;
	}
	pthread_mutex_unlock(&hvbus.lock);
	return 0;
}

int
hvbus_work_start(void)
{
	int rc;

	if (hvbus.work_running)
		return 0;
	hvbus.work_stop = false;
	rc = hvnet_ctrl_thread_create(&hvbus.work_tid, "hvbus-work",
				      work_main, NULL);
	if (rc != 0) {
		HVBUS_LOG(ERR, "cannot start the work thread: %s",
			  strerror(-rc));
		return rc;
	}
	hvbus.work_running = true;
	return 0;
}

void
hvbus_work_stop(void)
{
	struct hvbus_work *w;

	if (hvbus.work_running) {
		pthread_mutex_lock(&hvbus.lock);
		hvbus.work_stop = true;
		pthread_cond_signal(&hvbus.work_cond);
		pthread_mutex_unlock(&hvbus.lock);
		rte_thread_join(hvbus.work_tid, NULL);
		hvbus.work_running = false;
	}
	while ((w = TAILQ_FIRST(&hvbus.work)) != NULL) {
		TAILQ_REMOVE(&hvbus.work, w, next);
		/* Promised to run once: its argument is freed there. */
		if (w->kind == HVBUS_WORK_CALL)
			work_call(w);
		free(w);
	}
}
