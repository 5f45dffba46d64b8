/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The host's send indirection table (protocol.rst 4 and 5.3): the 16
 * channels the host wants each hash bucket's frames sent on. The driver
 * does not steer by it (the application picks the tx queue of every
 * burst); it keeps the table per port for rte_pmd_hvnet_send_table_get()
 * and telemetry.
 *
 * The table's one writer is channel 0's reader of the moment (rx queue 0
 * or the control path, handed over with ctl_owned); any thread may read
 * it. A sequence count keeps the 16 entries consistent: the writer pays
 * two fences per host message (rare: once per session), readers retry.
 */

#include <errno.h>
#include <string.h>

#include <rte_pause.h>

#include "hvn.h"

/* Reads that met a writer before a reader gives up: the writer holds the
 * count odd for 17 stores, so this is never reached but by a writer that
 * died mid-update. */
#define HVN_SEND_TBL_TRIES	100000u

static void
hvn_send_table_store(struct hvn_send_tbl *t, const uint32_t *chan,
		     uint32_t present)
{
	uint32_t s = __atomic_load_n(&t->seq, __ATOMIC_RELAXED), i;

	__atomic_store_n(&t->seq, s + 1, __ATOMIC_RELAXED);
	/* The odd count is visible before any entry changes. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
		__atomic_store_n(&t->chan[i], chan != NULL ? chan[i] : 0,
				 __ATOMIC_RELAXED);
	__atomic_store_n(&t->present, present, __ATOMIC_RELAXED);
	__atomic_store_n(&t->seq, s + 2, __ATOMIC_RELEASE);
}

int
hvn_send_table_read(const struct hvn_send_tbl *t,
		    uint32_t chan[NVSP_SEND_TABLE_SIZE])
{
	uint32_t s, i, present, tries;

	for (tries = 0; tries < HVN_SEND_TBL_TRIES; tries++) {
		s = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		if (s & 1) {
			rte_pause();
			continue;
		}
		for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
			chan[i] = __atomic_load_n(&t->chan[i],
						  __ATOMIC_RELAXED);
		present = __atomic_load_n(&t->present, __ATOMIC_RELAXED);
		/* The copies are done before the count is read again. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&t->seq, __ATOMIC_RELAXED) == s)
			return present ? 0 : -ENOENT;
	}
	return -EBUSY;
}

/* A new session: the last one's table no longer applies. */
void
hvn_send_table_clear(struct hvn_dev *hv)
{
	hvn_send_table_store(&hv->send_tbl, NULL, 0);
}

/*
 * Count and placement checked by nvsp_parse_send_table() (the table
 * inside the message, after its fixed part); each entry must be a channel
 * number a device can have at all. Which channels the port has open
 * changes with its configuration, so that is decided when the table is
 * read, not here. A refused table leaves the previous one in place.
 */
int
hvn_send_table_msg(struct hvn_dev *hv, const uint8_t *msg, uint32_t len)
{
	struct hvn_send_tbl *t = &hv->send_tbl;
	uint32_t chan[NVSP_SEND_TABLE_SIZE], i;
	const char *why = NULL;
	int rc;

	if (hv->nvsp_ver < nvsp_type_min_version(NVSP_TYPE_SEND_TABLE)) {
		rc = -EPROTO;
		why = "before NVSP 5";
	} else {
		rc = nvsp_parse_send_table(msg, len, hv->nvsp_ver, chan);
		if (rc != 0)
			why = "entry count or offset outside the message";
	}
	for (i = 0; rc == 0 && i < NVSP_SEND_TABLE_SIZE; i++)
		if (chan[i] >= HVN_MAX_QUEUES) {
			rc = -ERANGE;
			why = "channel number out of range";
		}
	if (rc != 0) {
		t->bad++;
		HVN_LOG_LIMITED(&hv->host_log, ERR, driver, "port %u: host's "
				"send table refused (%s); the previous one "
				"stays", hv->port_id, why);
		return rc;
	}
	hvn_send_table_store(t, chan, 1);
	t->updates++;
	HVN_LOG_LIMITED(&hv->host_log, INFO, driver, "port %u: host sent its "
			"send table", hv->port_id);
	return 0;
}

/* The tx queue that sends on channel @p c: the inverse of
 * hvn_txq_chan(), or for a channel without one, c modulo @p ntx. */
static uint16_t
hvn_send_table_txq(const struct hvn_dev *hv, uint16_t ntx, uint32_t c)
{
	if (hv->tx_split && c >= hv->nq && c - hv->nq < ntx)
		return (uint16_t)(c - hv->nq);
	if (!hv->tx_split && c < ntx)
		return (uint16_t)c;
	return (uint16_t)(c % ntx);
}

/* The table as tx queues of a port with @p ntx of them (ntx > 0). */
int
hvn_send_table_txqs(const struct hvn_dev *hv, uint16_t ntx,
		    uint16_t txq[NVSP_SEND_TABLE_SIZE],
		    uint32_t chan[NVSP_SEND_TABLE_SIZE])
{
	uint32_t c[NVSP_SEND_TABLE_SIZE], i;
	int rc;

	rc = hvn_send_table_read(&hv->send_tbl, c);
	if (rc != 0)
		return rc;
	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++) {
		txq[i] = hvn_send_table_txq(hv, ntx, c[i]);
		if (chan != NULL)
			chan[i] = c[i];
	}
	return 0;
}
