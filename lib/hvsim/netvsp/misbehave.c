/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Deliberate misbehaviour for tests of the guest's defences
 * (hvsim_netvsp.h): announced section sizes, held and replayed data
 * completions, unsolicited messages. The caller's thread only stores
 * request words; the host thread does the work in netvsp_poll(), so the
 * model keeps its single-threaded state.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv_wire.h"
#include "netvsp_priv.h"
#include "hvsim_netvsp.h"

#define NV_JUNK_XID	0x4a554e4b00000000ull	/* "JUNK" */

uint32_t
nv_mb_send_section(const struct netvsp_dev *d)
{
	uint32_t s = __atomic_load_n(&d->mb.send_sec, __ATOMIC_RELAXED);

	return s != 0 ? s : NV_SEND_SECTION_SIZE;
}

void
nv_mb_rndis_agg(const struct netvsp_dev *d, uint32_t *max_pkts,
		uint32_t *shift)
{
	uint32_t a = __atomic_load_n(&d->mb.agg, __ATOMIC_RELAXED);

	*max_pkts = (a & 0xffff) != 0 ? (a & 0xffff) : NV_RNDIS_MAX_PKTS;
	*shift = (a >> 16) != 0 ? (a >> 16) : NV_RNDIS_ALIGN_SHIFT;
}

bool
nv_mb_hold(struct netvsp_dev *d, const struct nv_chan *ch,
	   const struct hvsim_pkt *p)
{
	struct nv_misbehave *mb = &d->mb;

	if (!__atomic_load_n(&mb->hold, __ATOMIC_RELAXED) ||
	    !(p->flags & VMB_PKT_FLAG_RC))
		return false;
	if (mb->held == NULL)
		mb->held = malloc(NV_HELD_MAX * sizeof(*mb->held));
	if (mb->held == NULL || mb->held_n == NV_HELD_MAX)
		return false;
	mb->held[mb->held_n].xid = p->xid;
	mb->held[mb->held_n].chan = ch->idx;
	__atomic_store_n(&mb->held_n, mb->held_n + 1, __ATOMIC_RELEASE);
	return true;
}

/* The first rq_count held completions (0: all); -EAGAIN when a ring is
 * full (the rest goes out at the next poll). Without rq_keep they are
 * no longer held afterwards. */
static int
nv_mb_release(struct netvsp_dev *d, struct nv_misbehave *mb)
{
	uint8_t buf[NVSP_MSG_SIZE];
	uint32_t n = mb->held_n;
	int rc;

	if (mb->rq_count != 0 && mb->rq_count < n)
		n = mb->rq_count;
	nvsp_encode_rndis_pkt_cmplt(buf, sizeof(buf), NVSP_STATUS_SUCCESS);
	for (; mb->pos < n; mb->pos++) {
		const struct nv_held *e = &mb->held[mb->pos];
		struct nv_chan *ch = e->chan < NV_MAX_QUEUES ?
			d->ch[e->chan] : NULL;

		if (ch == NULL)
			continue;
		rc = nv_send_nvsp(ch, VMB_PKT_COMPLETION, e->xid, buf,
				  sizeof(buf));
		if (rc == -EAGAIN)
			return rc;
		if (rc == 0)
			mb->sent++;
	}
	if (!mb->rq_keep) {
		memmove(mb->held, mb->held + n,
			(mb->held_n - n) * sizeof(mb->held[0]));
		__atomic_store_n(&mb->held_n, mb->held_n - n,
				 __ATOMIC_RELEASE);
	}
	return (int)mb->sent;
}

static int
nv_mb_junk_one(struct netvsp_dev *d, struct nv_chan *ch, uint32_t kind,
	       uint32_t n)
{
	uint8_t buf[NVSP_MSG_SIZE];

	switch (kind) {
	case HVSIM_JUNK_VF_ASSOC_BAD:
		nvsp_encode_vf_assoc(buf, sizeof(buf), 2, 0);
		break;
	case HVSIM_JUNK_SWITCH_NOTICE:
		nvsp_encode_switch_data_path(buf, sizeof(buf),
					     NVSP_DATAPATH_VF);
		break;
	case HVSIM_JUNK_CMPLT:
		nvsp_encode_rndis_pkt_cmplt(buf, sizeof(buf),
					    NVSP_STATUS_SUCCESS);
		return nv_send_nvsp(ch, VMB_PKT_COMPLETION, NV_JUNK_XID + n,
				    buf, sizeof(buf));
	default:
		return -EINVAL;
	}
	(void)d;
	return nv_send_nvsp(ch, VMB_PKT_DATA_INBAND, NV_JUNK_XID + n, buf,
			    sizeof(buf));
}

static int
nv_mb_junk(struct netvsp_dev *d, struct nv_misbehave *mb)
{
	struct nv_chan *ch = mb->rq_chan < NV_MAX_QUEUES ?
		d->ch[mb->rq_chan] : NULL;
	int rc;

	if (ch == NULL)
		return -ENODEV;
	while (mb->left != 0) {
		rc = nv_mb_junk_one(d, ch, mb->rq_what - NV_MB_JUNK,
				    mb->sent);
		if (rc != 0)
			return rc;
		mb->left--;
		mb->sent++;
	}
	return 0;
}

int
nv_mb_poll(struct netvsp_dev *d)
{
	struct nv_misbehave *mb = &d->mb;
	uint32_t req = __atomic_load_n(&mb->req, __ATOMIC_ACQUIRE);
	int rc;

	if (req == __atomic_load_n(&mb->done, __ATOMIC_RELAXED))
		return 0;
	if (mb->busy != req) {
		mb->busy = req;
		mb->pos = 0;
		mb->sent = 0;
		mb->left = mb->rq_count;
	}
	if (mb->rq_what == NV_MB_RELEASE)
		rc = mb->held_n == 0 ? 0 : nv_mb_release(d, mb);
	else if (mb->rq_what == NV_MB_TABLE)
		rc = d->ch[0] == NULL ? -ENODEV :
			nv_send_nvsp(d->ch[0], VMB_PKT_DATA_INBAND,
				     NV_JUNK_XID, mb->rq_msg, mb->rq_msg_len);
	else
		rc = nv_mb_junk(d, mb);
	if (rc == -EAGAIN)
		return 1;
	mb->rq_result = rc;
	mb->busy = 0;
	__atomic_store_n(&mb->done, req, __ATOMIC_RELEASE);
	return 1;
}

void
nv_mb_fini(struct netvsp_dev *d)
{
	free(d->mb.held);
	d->mb.held = NULL;
}

/* ---- the caller's side ---- */

static struct netvsp_dev *
nv_mb_dev(struct hvsim *h, unsigned int nic)
{
	return h != NULL ? nv_dev_lookup(h, nic) : NULL;
}

/* Publish a request and wait up to @p ms for the host to finish it. */
static int
nv_mb_request(struct netvsp_dev *d, uint32_t what, uint32_t chan,
	      uint32_t count, bool keep, unsigned int ms)
{
	struct nv_misbehave *mb = &d->mb;
	uint64_t end = hv_now_ns() + (uint64_t)ms * 1000000u;
	struct timespec ts = { 0, 200000 };
	uint32_t req;

	/* The host reads these only after it saw the new req. */
	mb->rq_what = what;
	mb->rq_chan = chan;
	mb->rq_count = count;
	mb->rq_keep = keep;
	req = __atomic_load_n(&mb->req, __ATOMIC_RELAXED) + 1;
	if (req == 0)
		req = 1;
	__atomic_store_n(&mb->req, req, __ATOMIC_RELEASE);
	while (__atomic_load_n(&mb->done, __ATOMIC_ACQUIRE) != req) {
		if (hv_now_ns() > end)
			return -ETIMEDOUT;
		nanosleep(&ts, NULL);
	}
	return mb->rq_result;
}

int
hvsim_netvsp_rndis_agg(struct hvsim *h, unsigned int nic, uint32_t max_pkts,
		       uint32_t align_shift)
{
	struct netvsp_dev *d = nv_mb_dev(h, nic);

	if (d == NULL)
		return -ENODEV;
	if (max_pkts > NV_RNDIS_MAX_PKTS ||
	    (align_shift != 0 && (align_shift < RNDIS_ALIGN_SHIFT_MIN ||
				  align_shift > RNDIS_ALIGN_SHIFT_MAX)))
		return -EINVAL;
	__atomic_store_n(&d->mb.agg, max_pkts | align_shift << 16,
			 __ATOMIC_RELAXED);
	return 0;
}

int
hvsim_netvsp_send_section(struct hvsim *h, unsigned int nic, uint32_t size)
{
	struct netvsp_dev *d = nv_mb_dev(h, nic);

	if (d == NULL)
		return -ENODEV;
	if (size != 0 && (size % 4 != 0 || size < NVSP_MIN_SECTION_SIZE))
		return -EINVAL;
	__atomic_store_n(&d->mb.send_sec, size, __ATOMIC_RELAXED);
	return 0;
}

int
hvsim_netvsp_hold_cmplt(struct hvsim *h, unsigned int nic, bool hold)
{
	struct netvsp_dev *d = nv_mb_dev(h, nic);

	if (d == NULL)
		return -ENODEV;
	__atomic_store_n(&d->mb.hold, hold, __ATOMIC_RELAXED);
	return 0;
}

int
hvsim_netvsp_held_cmplt(struct hvsim *h, unsigned int nic)
{
	struct netvsp_dev *d = nv_mb_dev(h, nic);

	if (d == NULL)
		return -ENODEV;
	return (int)__atomic_load_n(&d->mb.held_n, __ATOMIC_ACQUIRE);
}

int
hvsim_netvsp_release_cmplt(struct hvsim *h, unsigned int nic,
			   unsigned int count, bool keep, unsigned int ms)
{
	struct netvsp_dev *d = nv_mb_dev(h, nic);

	if (d == NULL)
		return -ENODEV;
	return nv_mb_request(d, NV_MB_RELEASE, 0, count, keep, ms);
}

int
hvsim_netvsp_junk(struct hvsim *h, unsigned int nic, unsigned int chan,
		  enum hvsim_netvsp_junk kind, uint32_t count, unsigned int ms)
{
	struct netvsp_dev *d = nv_mb_dev(h, nic);

	if (d == NULL)
		return -ENODEV;
	if (chan >= NV_MAX_QUEUES || (unsigned int)kind > HVSIM_JUNK_CMPLT)
		return -EINVAL;
	return nv_mb_request(d, NV_MB_JUNK + (uint32_t)kind, chan, count,
			     false, ms);
}

int
hvsim_netvsp_send_table(struct hvsim *h, unsigned int nic,
			const uint32_t table[16], uint32_t count,
			uint32_t offset, uint32_t len, unsigned int ms)
{
	struct netvsp_dev *d = nv_mb_dev(h, nic);
	uint8_t *m;
	uint32_t i;

	if (d == NULL)
		return -ENODEV;
	if (len < sizeof(struct nvsp_send_table) ||
	    len > HVSIM_SEND_TABLE_MSG_MAX)
		return -EINVAL;
	/* The host reads the message only after it saw the new request. */
	m = d->mb.rq_msg;
	memset(m, 0, sizeof(d->mb.rq_msg));
	hv_put_le32(m, NVSP_TYPE_SEND_TABLE);
	hv_put_le32(m + 4, count);
	hv_put_le32(m + 8, offset);
	for (i = 0; i < 16; i++)
		if (offset <= len && (len - offset) / 4 > i)
			hv_put_le32(m + offset + 4 * i, table[i]);
	d->mb.rq_msg_len = len;
	return nv_mb_request(d, NV_MB_TABLE, 0, 0, false, ms);
}
