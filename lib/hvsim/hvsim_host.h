/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Layer 6 of the hvsim core, the top: the host loop and what drives it.
 *
 *   host.c     create/destroy, attach/listen, the host iteration, the
 *              host thread and its idle back-off
 *   command.c  the host lock, and calls from other threads (chaos, hooks,
 *              statistics) queued for the host thread, with the public API
 *              on top of them
 *   ctl.c      the control socket: one command per line
 *
 * Layer 5, between this and channel management, is the device model
 * (netvsp/, behind hvsim_dev.h); this layer only picks its ops table.
 */

#ifndef HVSIM_HOST_H
#define HVSIM_HOST_H

#include <pthread.h>
#include <stdbool.h>

#include "hvsim_core.h"
#include "hvsim_netvsp.h"

enum hvsim_cmd_kind {
	HVSIM_CMD_RESCIND,
	HVSIM_CMD_REOFFER,
	HVSIM_CMD_LINK,
	HVSIM_CMD_VF,
	HVSIM_CMD_STATS,
	HVSIM_CMD_MAC_LOCK,
	HVSIM_CMD_HOSTILE,
	HVSIM_CMD_SIGNAL,
};

struct hvsim_cmd {
	struct hvsim_cmd *next;
	enum hvsim_cmd_kind kind;
	unsigned int nic;
	unsigned int sub;
	bool flag;
	uint32_t val;
	struct hvsim_nic_stats *st;
	uint64_t seed;			/* HVSIM_CMD_HOSTILE */
	const uint8_t *input;
	size_t input_len;
	int result;
	bool done;
};

struct hvsim_ctl;

/* The host loop's state (struct hvsim's loop). */
struct hvsim_loop {
	pthread_t thread;
	bool stop;		/* atomic: set by hvsim_stop() */
	pthread_mutex_t poll_lock;	/* one iteration at a time */
	pthread_mutex_t cmd_lock;
	pthread_cond_t cmd_cond;
	struct hvsim_cmd *cmd_head, *cmd_tail;
	struct hvsim_ctl *ctl;
	bool quit_requested;	/* "quit" on the control socket */
	/* The host thread's iterations, those that found nothing to do,
	 * and its sleeps (hvsim_nic_stats): who waits for whom. busy_ns:
	 * time inside the iterations that found work - a busy iteration
	 * can last milliseconds, so idle iterations say little of time. */
	uint64_t polls, polls_idle, sleeps, busy_ns;
};

/* command.c */
/* Serialise an owner call with the host thread; false when called from
 * inside a host iteration (nothing to take).
 */
bool hvsim_host_lock(struct hvsim *h);
void hvsim_host_unlock(struct hvsim *h, bool locked);
/* True while this thread runs an iteration of @p h. */
bool hvsim_host_self(const struct hvsim *h);
int hvsim_cmd_exec(struct hvsim *h, struct hvsim_cmd *cmd);
/* Run the queued commands (host thread). Returns how many. */
int hvsim_cmd_run(struct hvsim *h);
/* Fail the commands still queued when the thread stops. */
void hvsim_cmd_flush(struct hvsim *h);

/* ctl.c */
int hvsim_ctl_open(struct hvsim *h, const char *path);
int hvsim_ctl_poll(struct hvsim *h);
void hvsim_ctl_close(struct hvsim *h);

#endif /* HVSIM_HOST_H */
