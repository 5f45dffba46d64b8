/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Test guest, VMBus part: version negotiation, offers, GPADLs, open/close,
 * release, unload, and the guest side of a channel's rings (lib/vmbus).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest_priv.h"
#include "vmb_gpadl.h"

/* ---- channel management ---- */

int
hvsim_guest_contact(struct hvsim_guest *g, uint32_t version)
{
	union vmb_msg m;
	int rc;

	rc = guest_send(g, &m, vmb_msg_encode_initiate_contact(&m, version, 0,
			0, hvsim_guest_gpa(g, g->mon1),
			hvsim_guest_gpa(g, g->mon2)));
	if (rc < 0)
		return rc;
	rc = hvsim_guest_wait_msg(g, VMB_MSG_VERSION_RESPONSE, UINT32_MAX, &m,
				  0);
	if (rc < 0)
		return rc;
	return m.version_response.version_supported == 1;
}

int
hvsim_guest_connect_vmbus(struct hvsim_guest *g, uint32_t max)
{
	static const uint32_t vers[] = {
		VMB_VERSION_IRON, VMB_VERSION_WIN10_RS5, VMB_VERSION_WIN10_RS4,
		VMB_VERSION_WIN10_V5, VMB_VERSION_WIN10_RS3, VMB_VERSION_WIN10,
		VMB_VERSION_WIN8_1, VMB_VERSION_WIN8,
	};
	unsigned int i;
	int rc;

	for (i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		if (max != 0 && vers[i] > max)
			continue;
		rc = hvsim_guest_contact(g, vers[i]);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return (int)vers[i];
	}
	return -EPROTONOSUPPORT;
}

int
hvsim_guest_request_offers(struct hvsim_guest *g)
{
	unsigned int before = g->noffers;
	union vmb_msg m;
	int rc;

	rc = guest_send(g, &m, vmb_msg_encode_hdr(&m, VMB_MSG_REQUESTOFFERS));
	if (rc < 0)
		return rc;
	rc = hvsim_guest_wait_msg(g, VMB_MSG_ALLOFFERS_DELIVERED, UINT32_MAX,
				  NULL, 0);
	if (rc < 0)
		return rc;
	/* Offers stay queued too; tests look at the table instead. */
	while (guest_take(g, VMB_MSG_OFFERCHANNEL, UINT32_MAX, NULL) >= 0)
		;
	return (int)(g->noffers - before);
}

unsigned int
hvsim_guest_offer_count(const struct hvsim_guest *g)
{
	return g->noffers;
}

const struct hvsim_guest_offer *
hvsim_guest_offer(const struct hvsim_guest *g, unsigned int i)
{
	return i < g->noffers ? &g->offers[i] : NULL;
}

const struct hvsim_guest_offer *
hvsim_guest_find_nic(struct hvsim_guest *g, unsigned int nic, uint16_t subidx)
{
	struct vmb_guid want;
	unsigned int i;

	hvsim_nic_instance_guid(nic, want.b);
	for (i = g->noffers; i-- > 0;) {
		const struct hvsim_guest_offer *o = &g->offers[i];

		if (!o->released && o->subidx == subidx &&
		    vmb_guid_equal(&o->instance, &want))
			return o;
	}
	return NULL;
}

const struct hvsim_guest_offer *
hvsim_guest_find_relid(struct hvsim_guest *g, uint32_t relid)
{
	return guest_offer_by_relid(g, relid);
}

const struct hvsim_guest_offer *
hvsim_guest_wait_offer(struct hvsim_guest *g, unsigned int nic,
		       uint16_t subidx, uint32_t not_relid, unsigned int ms)
{
	uint64_t end = guest_now_ms() + guest_ms(ms);
	const struct hvsim_guest_offer *o;

	for (;;) {
		o = hvsim_guest_find_nic(g, nic, subidx);
		if (o != NULL && o->relid != not_relid && !o->rescinded) {
			guest_take(g, VMB_MSG_OFFERCHANNEL, o->relid, NULL);
			return o;
		}
		if (guest_now_ms() >= end || guest_rx(g, 5) < 0)
			return NULL;
	}
}

int
hvsim_guest_wait_rescind(struct hvsim_guest *g, uint32_t relid,
			 unsigned int ms)
{
	int rc = hvsim_guest_wait_msg(g, VMB_MSG_RESCIND_CHANNELOFFER, relid,
				      NULL, ms);

	return rc < 0 ? rc : 0;
}

int
hvsim_guest_gpadl_send(struct hvsim_guest *g, uint32_t relid, const void *mem,
		       size_t len, uint32_t *handle)
{
	uint32_t npfn = (uint32_t)((len + VMB_PAGE_SIZE - 1) / VMB_PAGE_SIZE);
	uint64_t *pfns;
	union vmb_msg m;
	int count, i, rc = 0;

	count = vmb_gpadl_msg_count(npfn);
	if (count < 0)
		return count;
	pfns = malloc(sizeof(*pfns) * npfn);
	if (pfns == NULL)
		return -ENOMEM;
	for (i = 0; i < (int)npfn; i++)
		pfns[i] = (hvsim_guest_gpa(g, mem) >> VMB_PAGE_SHIFT) + i;
	*handle = g->next_gpadl++;
	for (i = 0; i < count && rc >= 0; i++)
		rc = guest_send(g, &m, vmb_gpadl_build(&m, relid, *handle, pfns,
						       npfn, (uint32_t)i));
	free(pfns);
	return rc;
}

int
hvsim_guest_gpadl_create(struct hvsim_guest *g, uint32_t relid,
			 const void *mem, size_t len, uint32_t *handle)
{
	union vmb_msg m;
	uint64_t end = guest_now_ms() + HVSIM_GUEST_TIMEOUT_MS;
	int rc;

	rc = hvsim_guest_gpadl_send(g, relid, mem, len, handle);
	if (rc < 0)
		return rc;
	/* GPADL_CREATED carries relid and handle; match both. */
	while (guest_now_ms() < end) {
		rc = hvsim_guest_wait_msg(g, VMB_MSG_GPADL_CREATED, relid, &m,
					  (unsigned int)(end - guest_now_ms()) + 1);
		if (rc < 0)
			return rc;
		if (m.gpadl_created.gpadl == *handle)
			return m.gpadl_created.status == 0 ? 0 : -EIO;
	}
	return -ETIMEDOUT;
}

int
hvsim_guest_gpadl_teardown(struct hvsim_guest *g, uint32_t relid,
			   uint32_t handle)
{
	union vmb_msg m;
	int rc;

	rc = guest_send(g, &m, vmb_msg_encode_gpadl_teardown(&m, relid, handle));
	if (rc < 0)
		return rc;
	rc = hvsim_guest_wait_msg(g, VMB_MSG_GPADL_TORNDOWN, handle, NULL, 0);
	return rc < 0 ? rc : 0;
}

int
hvsim_guest_open_send(struct hvsim_guest *g, uint32_t relid, uint32_t gpadl,
		      uint32_t page_off)
{
	union vmb_msg m;

	return guest_send(g, &m, vmb_msg_encode_open(&m, relid, relid, gpadl,
						     0, page_off));
}

int
hvsim_guest_chan_open(struct hvsim_guest *g, uint32_t relid,
		      uint32_t ring_pages, struct hvsim_guest_chan **cp)
{
	const struct hvsim_guest_offer *o = guest_offer_by_relid(g, relid);
	struct hvsim_guest_chan *c;
	union vmb_msg m;
	uint8_t *tx_mem;
	int rc;

	*cp = NULL;
	if (ring_pages < 2)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->g = g;
	c->relid = relid;
	if (o != NULL) {
		c->monitor_id = o->monitor_id;
		c->monitor_allocated = o->monitor_allocated;
	}
	c->mem_len = (size_t)ring_pages * 2 * VMB_PAGE_SIZE;
	c->mem = hvsim_guest_alloc(g, c->mem_len);
	if (c->mem == NULL) {
		free(c);
		return -ENOMEM;
	}
	c->page_off = ring_pages;
	tx_mem = c->mem;
	vmb_ring_hdr_reset(tx_mem, VMB_RING_FEAT_PENDING_SZ);
	vmb_ring_hdr_reset(tx_mem + (size_t)ring_pages * VMB_PAGE_SIZE,
			   VMB_RING_FEAT_PENDING_SZ);
	rc = vmb_ring_init_mem(&c->tx, tx_mem, (size_t)ring_pages * VMB_PAGE_SIZE);
	if (rc == 0)
		rc = vmb_ring_init_mem(&c->rx, tx_mem + (size_t)ring_pages *
				       VMB_PAGE_SIZE,
				       (size_t)ring_pages * VMB_PAGE_SIZE);
	if (rc == 0)
		rc = hvsim_guest_gpadl_create(g, relid, c->mem, c->mem_len,
					      &c->gpadl);
	if (rc == 0)
		rc = hvsim_guest_open_send(g, relid, c->gpadl, c->page_off);
	if (rc == 0)
		rc = hvsim_guest_wait_msg(g, VMB_MSG_OPENCHANNEL_RESULT, relid,
					  &m, 0);
	if (rc >= 0 && m.open_result.status != 0)
		rc = -EIO;
	if (rc < 0) {
		/* The GPADL, if made, stays: the caller decides (tests of
		 * failed opens tear it down themselves via c->gpadl).
		 */
		hvsim_guest_free(g, c->mem, c->mem_len);
		free(c);
		return rc;
	}
	*cp = c;
	return 0;
}

void
hvsim_guest_chan_forget(struct hvsim_guest *g, struct hvsim_guest_chan *c)
{
	if (c == NULL)
		return;
	hvsim_guest_free(g, c->mem, c->mem_len);
	free(c);
}

int
hvsim_guest_chan_close(struct hvsim_guest *g, struct hvsim_guest_chan *c)
{
	union vmb_msg m;
	int rc;

	rc = guest_send(g, &m, vmb_msg_encode_relid(&m, VMB_MSG_CLOSECHANNEL,
						    c->relid));
	if (rc == 0)
		rc = hvsim_guest_gpadl_teardown(g, c->relid, c->gpadl);
	hvsim_guest_chan_forget(g, c);
	return rc;
}

int
hvsim_guest_release(struct hvsim_guest *g, uint32_t relid)
{
	struct hvsim_guest_offer *o = guest_offer_by_relid(g, relid);
	union vmb_msg m;
	int rc;

	rc = guest_send(g, &m, vmb_msg_encode_relid(&m, VMB_MSG_RELID_RELEASED,
						    relid));
	if (rc == 0 && o != NULL)
		o->released = true;
	return rc;
}

int
hvsim_guest_unload(struct hvsim_guest *g)
{
	union vmb_msg m;
	unsigned int i;
	int rc;

	rc = guest_send(g, &m, vmb_msg_encode_hdr(&m, VMB_MSG_UNLOAD));
	if (rc < 0)
		return rc;
	rc = hvsim_guest_wait_msg(g, VMB_MSG_UNLOAD_RESPONSE, UINT32_MAX,
				  NULL, 0);
	if (rc < 0)
		return rc;
	/* The host forgot every relid. */
	for (i = 0; i < g->noffers; i++)
		g->offers[i].released = true;
	return 0;
}

/* ---- rings ---- */

int
hvsim_guest_chan_send(struct hvsim_guest_chan *c, uint16_t type,
		      uint16_t flags, uint64_t xid, const void *ext,
		      uint32_t ext_len, const void *data, uint32_t len)
{
	struct vmb_iov iov = { data, len };
	int rc;

	rc = vmb_ring_write(&c->tx, type, flags, xid, ext, ext_len, &iov,
			    len ? 1 : 0);
	if (rc == 1 && c->monitor_allocated && c->g->mon2 != NULL) {
		/* Doorbell: trigger_group[id / 32].pending bit id % 32. */
		uint32_t *pend = (uint32_t *)(c->g->mon2 + 8 +
					      8 * (c->monitor_id / 32));

		__atomic_fetch_or(pend, 1u << (c->monitor_id % 32),
				  __ATOMIC_RELEASE);
		c->signals++;
	}
	return rc < 0 ? rc : 0;
}

int
hvsim_guest_chan_recv(struct hvsim_guest_chan *c, void *buf, uint32_t cap,
		      unsigned int ms)
{
	uint64_t end = guest_now_ms() + guest_ms(ms);
	int n;

	for (;;) {
		n = vmb_ring_read(&c->rx, buf, cap);
		if (n != -EAGAIN) {
			vmb_ring_commit(&c->rx);
			return n;
		}
		if (guest_now_ms() >= end)
			return -ETIMEDOUT;
		if (c->g->pump != NULL)
			hvsim_poll(c->g->pump);
		else if (!c->g->spin)
			usleep(50);
	}
}
