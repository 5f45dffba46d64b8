/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Channels as the kernel opens and closes them: the ring GPADL and open
 * of a primary or subchannel, and the node's open and release, as
 * uio_hv_generic does them, asked for by the shim through each node's
 * request page (uio_kpage.h). The face binds
 * with the primary open, as older kernels did; from there on the primary
 * is closed when the last guest process lets go of the node and opened
 * again, on a fresh ring GPADL, at the next open - what DPDK's netvsc
 * relies on when it closes and reopens the node to change the MTU.
 *
 * At the release the subchannels go first, and for good: Hyper-V takes a
 * NIC's subchannels back when its primary closes (Linux's netvsc waits
 * for new offers after reopening, and DPDK for new relids in sysfs), so
 * the core drops them, their directories leave sysfs, and a later grant
 * offers new ones with new relids.
 */

#include <errno.h>
#include <string.h>

#include "uio_priv.h"

uint32_t
uio_gpadl_next(struct hvsim_uio *u)
{
	return u->next_gpadl++;
}

/* Reset both ring headers as the guest kernel does before OPENCHANNEL:
 * indices zero, pending_send_sz supported (DPDK looks at bit 0).
 */
static void
uio_ring_headers(uint8_t *ring, uint64_t half)
{
	vmb_ring_hdr_reset(ring, VMB_RING_FEAT_PENDING_SZ);
	vmb_ring_hdr_reset(ring + half, VMB_RING_FEAT_PENDING_SZ);
}

int
uio_chan_open(struct hvsim_uio *u, struct uio_chan *ch, uint8_t *host,
	      uint64_t gpa)
{
	uint64_t ring = 2ull * u->cfg.ring_size;
	int rc;

	uio_ring_headers(host, u->cfg.ring_size);
	ch->gpadl = uio_gpadl_next(u);
	rc = hvsim_preopen_gpadl(u->h, ch->c, ch->gpadl, gpa, ring);
	if (rc == 0)
		rc = hvsim_preopen_open(u->h, ch->c, ch->gpadl,
					u->cfg.ring_size / VMB_PAGE_SIZE);
	return rc;
}

static void
uio_release(struct hvsim_uio *u, struct uio_nic *n)
{
	unsigned int q;

	/* What the session reached: the close below resets it. */
	hvsim_nic_stats(u->h, n->idx, &n->before_release);
	n->releases++;
	for (q = 1; q < HVSIM_MAX_QUEUES; q++) {
		struct uio_chan *ch = &n->ch[q];

		if (ch->c == NULL)
			continue;
		uio_tree_chan_remove(u, n, ch);
		hvsim_preopen_drop(u->h, ch->c);
		ch->c = NULL;
		ch->published = false;
		ch->relid = 0;
	}
	hvsim_preopen_close(u->h, n->ch[0].c);
	n->closed = true;
	uio_log(u, "nic%u: node released: primary closed, subchannels gone",
		n->idx);
}

static int
uio_reopen(struct hvsim_uio *u, struct uio_nic *n)
{
	int rc;

	if (!n->closed)
		return 0;
	rc = uio_chan_open(u, &n->ch[0], n->file.host, n->file.gpa);
	if (rc < 0) {
		uio_err(u, "nic%u: reopening the primary: %s", n->idx,
			strerror(-rc));
		return rc;
	}
	n->closed = false;
	uio_log(u, "nic%u: node opened again: primary relid %u open",
		n->idx, n->ch[0].relid);
	return 0;
}

static int
uio_holder_find(const struct uio_nic *n, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < n->n_holders; i++)
		if (n->holders[i] == pid)
			return (int)i;
	return -1;
}

/* One request of the guest process @p pid. */
static int
uio_kop(struct hvsim_uio *u, struct uio_nic *n, uint32_t op, pid_t pid)
{
	int i = uio_holder_find(n, pid);

	if (pid <= 0)
		return -EINVAL;
	switch (op) {
	case UIO_KOP_OPEN:
		if (i < 0) {
			if (n->n_holders == UIO_HOLDERS)
				return -EMFILE;
			n->holders[n->n_holders++] = pid;
		}
		return uio_reopen(u, n);
	case UIO_KOP_RELEASE:
		if (i < 0)
			return -EBADF;
		n->holders[i] = n->holders[--n->n_holders];
		if (n->n_holders == 0 && !n->closed)
			uio_release(u, n);
		return 0;
	default:
		return -EINVAL;
	}
}

int
uio_kpage_poll(struct hvsim_uio *u)
{
	unsigned int i;
	int work = 0;

	for (i = 0; i < u->n_nics; i++) {
		struct uio_nic *n = &u->nic[i];
		struct uio_kpage *k = n->kpage;
		uint32_t seq = __atomic_load_n(&k->req_seq, __ATOMIC_ACQUIRE);
		int rc;

		if (seq == n->kpage_seen)
			continue;
		n->kpage_seen = seq;
		rc = uio_kop(u, n, __atomic_load_n(&k->op, __ATOMIC_RELAXED),
			     (pid_t)__atomic_load_n(&k->pid, __ATOMIC_RELAXED));
		__atomic_store_n(&k->result, rc, __ATOMIC_RELAXED);
		__atomic_store_n(&k->ack_seq, seq, __ATOMIC_RELEASE);
		work++;
	}
	return work;
}

unsigned int
hvsim_uio_releases(const struct hvsim_uio *u, unsigned int nic,
		   struct hvsim_nic_stats *before)
{
	if (nic >= u->n_nics)
		return 0;
	if (before != NULL && u->nic[nic].releases != 0)
		*before = u->nic[nic].before_release;
	return u->nic[nic].releases;
}

int
hvsim_uio_rescind(struct hvsim_uio *u, unsigned int nic, unsigned int sub)
{
	struct uio_nic *n;
	struct uio_chan *ch;

	if (nic >= u->n_nics || sub >= HVSIM_MAX_QUEUES)
		return -EINVAL;
	n = &u->nic[nic];
	if (sub == 0) {
		if (!n->dir_made)
			return -ENOENT;
		/* The device goes with its primary: the kernel removes the
		 * directory and the node, the guest's open node stays. */
		uio_tree_remove(u, n);
		uio_log(u, "nic%u: rescinded: device directory and node gone",
			n->idx);
		return 0;
	}
	ch = &n->ch[sub];
	if (ch->c == NULL || !ch->published)
		return -ENOENT;
	uio_tree_chan_remove(u, n, ch);
	hvsim_preopen_drop(u->h, ch->c);
	uio_log(u, "nic%u: subchannel %u relid %u rescinded", n->idx, sub,
		ch->relid);
	ch->c = NULL;
	ch->published = false;
	ch->relid = 0;
	return 0;
}

uint32_t
hvsim_uio_published(const struct hvsim_uio *u, unsigned int nic,
		    unsigned int sub)
{
	const struct uio_nic *n;

	if (nic >= u->n_nics || sub >= HVSIM_MAX_QUEUES)
		return 0;
	n = &u->nic[nic];
	if (sub == 0)
		return n->dir_made ? n->ch[0].relid : 0;
	return n->ch[sub].c != NULL && n->ch[sub].published ?
	       n->ch[sub].relid : 0;
}
