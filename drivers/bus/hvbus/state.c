/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The bus's state and log type, in a file of their own below every other
 * (hvbus_state.h): each file logs and reads the state, and none has to
 * reach up into the bus glue (hvbus.c) for them.
 */

#include "hvbus_state.h"

RTE_LOG_REGISTER_DEFAULT(hvbus_logtype, NOTICE);

struct hvbus_state hvbus = {
	/* Recursive: a driver's event callback (run under it) may lead to
	 * rte_dev_remove() of its own device on the same thread.
	 */
	.probe_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.devs = TAILQ_HEAD_INITIALIZER(hvbus.devs),
	.drivers = TAILQ_HEAD_INITIALIZER(hvbus.drivers),
	.gpadls = TAILQ_HEAD_INITIALIZER(hvbus.gpadls),
	.reqs = TAILQ_HEAD_INITIALIZER(hvbus.reqs),
	.work = TAILQ_HEAD_INITIALIZER(hvbus.work),
	.be = { .fd = -1, .intr_fd = -1 },
	.epfd = -1,
	.evfd = -1,
};
