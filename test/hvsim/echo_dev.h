/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * A trivial device model for testing the hvsim core without netvsp: every
 * in-band packet comes back as an in-band packet with the same payload and
 * transaction id (plus a completion when RC is set). Payloads starting
 * with "HOLD" pass through hvsim_hook_hit(NVSP_INIT); "FAIL" is refused.
 */

#ifndef HVSIM_TEST_ECHO_DEV_H
#define HVSIM_TEST_ECHO_DEV_H

#include "hvsim_dev.h"

extern const struct hvsim_dev_ops echo_dev_ops;

/* Per-process totals across all echo devices, for assertions. */
struct echo_totals {
	/* Written by the host thread, read by the test's. */
	_Atomic unsigned int opens, closes, resets, packets, gpadl_teardowns;
};
extern struct echo_totals echo_totals;

#endif
