/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Identifiers the host hands out (protocol.rst 3.5): instance GUIDs,
 * relids and monitor ids. Relids go
 * round robin, so that one comes back only after all others: a stale
 * reference in a guest then names a free relid, not a new channel. A relid
 * is free again only once the guest released it (or the connection ended).
 */

#include <errno.h>
#include <string.h>

#include "hvsim_base.h"

void
hvsim_ids_init(struct hvsim_ids *ids)
{
	memset(ids, 0, sizeof(*ids));
	ids->next = 1;
}

void
hvsim_ids_reset(struct hvsim_ids *ids)
{
	memset(ids->chan, 0, sizeof(ids->chan));
	memset(ids->released, 0, sizeof(ids->released));
	memset(ids->monitor_used, 0, sizeof(ids->monitor_used));
}

uint32_t
hvsim_relid_alloc(struct hvsim_ids *ids)
{
	unsigned int tries;

	for (tries = 0; tries < HVSIM_RELID_LIMIT - 1; tries++) {
		uint32_t r = ids->next;

		ids->next = r + 1 >= HVSIM_RELID_LIMIT ? 1 : r + 1;
		if (ids->chan[r] == NULL)
			return r;
	}
	return 0;
}

uint32_t
hvsim_relid_reuse(const struct hvsim_ids *ids)
{
	uint32_t r;

	for (r = 1; r < HVSIM_RELID_LIMIT; r++)
		if (ids->released[r] && ids->chan[r] == NULL)
			return r;
	return 0;
}

void
hvsim_relid_bind(struct hvsim_ids *ids, uint32_t relid, struct hvsim_chan *c,
		 unsigned int nic)
{
	ids->chan[relid] = c;
	ids->nic[relid] = (uint8_t)nic;
	ids->released[relid] = 0;
}

void
hvsim_relid_unbind(struct hvsim_ids *ids, uint32_t relid, bool released)
{
	ids->chan[relid] = NULL;
	ids->released[relid] = released;
}

struct hvsim_chan *
hvsim_relid_chan(const struct hvsim_ids *ids, uint32_t relid)
{
	return relid < HVSIM_RELID_LIMIT ? ids->chan[relid] : NULL;
}

int
hvsim_relid_nic(const struct hvsim_ids *ids, uint32_t relid)
{
	if (hvsim_relid_chan(ids, relid) == NULL)
		return -1;
	return ids->nic[relid];
}

bool
hvsim_relid_released(const struct hvsim_ids *ids, uint32_t relid)
{
	return relid < HVSIM_RELID_LIMIT && ids->chan[relid] == NULL &&
	       ids->released[relid];
}

int
hvsim_monitor_alloc(struct hvsim_ids *ids)
{
	unsigned int i;

	for (i = 0; i < VMB_MONITOR_IDS; i++) {
		if (!ids->monitor_used[i]) {
			ids->monitor_used[i] = true;
			return (int)i;
		}
	}
	return -ENOSPC;
}

void
hvsim_monitor_free(struct hvsim_ids *ids, uint8_t id)
{
	if (id < VMB_MONITOR_IDS)
		ids->monitor_used[id] = false;
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

uint32_t
hvsim_relids_of(const struct hvsim_ids *ids, unsigned int nic)
{
	uint32_t r, n = 0;

	for (r = 1; r < HVSIM_RELID_LIMIT; r++)
		n += ids->chan[r] != NULL && ids->nic[r] == nic;
	return n;
}
