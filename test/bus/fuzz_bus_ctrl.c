/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * libFuzzer target for hvbus's control plane: the message handlers and the
 * channel / GPADL state machines, driven without threads by a script the
 * fuzzer writes - host messages (raw bytes, or well-formed offers,
 * rescinds and answers aimed at what is outstanding), driver requests
 * (open, close, GPADLs), grace periods and deadlines.
 *
 * A fake backend checks what the bus sends: every message is well formed,
 * RELID_RELEASED only follows a rescind of that relid, no message names a
 * relid after its release (until the host offers it again), and no memory
 * is freed while the host may still use it (a GPADL over it that the host
 * has neither refused nor confirmed torn down, nor forgotten with the
 * release of its relid). The script may also make one send fail (a host
 * whose socket stays full), which can leave a GPADL half sent.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvbus_private.h"

#define FZ_RELIDS	16
#define FZ_MAX_MEM	512
#define FZ_MAX_REQ	512
#define FZ_MAX_GPADL	512

/* A GPADL as the host sees it: from GPADL_HEADER until refused or torn. */
struct fz_gpadl {
	uint32_t handle;
	uint32_t relid;
	uint64_t start, end;	/* guest addresses covered */
	bool live;
};

static struct {
	bool rescinded[VMB_MAX_RELID];	/* host rescinded it */
	bool released[VMB_MAX_RELID];	/* bus released it */
	void *mem[FZ_MAX_MEM];
	size_t mem_len[FZ_MAX_MEM];
	struct hvbus_req *req[FZ_MAX_REQ];
	unsigned int n_req;
	struct fz_gpadl gpadl[FZ_MAX_GPADL];
	unsigned int n_gpadl;
	unsigned int fail_in;	/* this many sends from now, one fails */
} fz;

static void
fz_gpadl_gone(uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < fz.n_gpadl; i++)
		if (fz.gpadl[i].live && fz.gpadl[i].handle == handle)
			fz.gpadl[i].live = false;
}

/* The bus described memory to the host: remember the range. */
static void
fz_gpadl_header(const union vmb_msg *m)
{
	const struct vmb_msg_gpadl_header *g = &m->gpadl_header;
	uint64_t w[2];
	unsigned int i;

	for (i = 0; i < fz.n_gpadl; i++)
		if (fz.gpadl[i].live && fz.gpadl[i].handle == g->gpadl)
			abort();	/* handle reused while the host has it */
	if (fz.n_gpadl == FZ_MAX_GPADL)
		return;
	/* Word 0: byte_count | byte_offset << 32; word 1: first PFN. */
	memcpy(w, g->range_words, sizeof(w));
	fz.gpadl[fz.n_gpadl].handle = g->gpadl;
	fz.gpadl[fz.n_gpadl].relid = g->child_relid;
	fz.gpadl[fz.n_gpadl].start = w[1] << 12;
	fz.gpadl[fz.n_gpadl].end = (w[1] << 12) + (uint32_t)w[0];
	fz.gpadl[fz.n_gpadl].live = true;
	fz.n_gpadl++;
}

static const struct vmb_guid fz_other_class = { { 0x42 } };

static uint32_t
fz_msg_relid(const union vmb_msg *m, int type)
{
	switch (type) {
	case VMB_MSG_OPENCHANNEL:
		return m->open.child_relid;
	case VMB_MSG_CLOSECHANNEL:
	case VMB_MSG_RELID_RELEASED:
		return m->relid.child_relid;
	case VMB_MSG_GPADL_HEADER:
		return m->gpadl_header.child_relid;
	case VMB_MSG_GPADL_TEARDOWN:
		return m->gpadl_teardown.child_relid;
	default:
		return 0;
	}
}

static int
fz_send(struct hvbus_backend *be, const void *msg, uint32_t len)
{
	union vmb_msg m;
	uint32_t relid;
	int type;

	(void)be;
	type = vmb_msg_decode(msg, len, &m);
	if (type < 0)
		abort();	/* the bus sent a malformed message */
	if (fz.fail_in > 0 && --fz.fail_in == 0)
		return -ENOBUFS;	/* never reached the host */
	relid = fz_msg_relid(&m, type);
	if (relid >= VMB_MAX_RELID)
		abort();
	if (relid != 0 && fz.released[relid])
		abort();	/* names a released relid */
	if (type == VMB_MSG_RELID_RELEASED) {
		unsigned int i;

		if (!fz.rescinded[relid])
			abort();	/* released without a rescind */
		fz.released[relid] = true;
		/* The host forgets every GPADL of the relid. */
		for (i = 0; i < fz.n_gpadl; i++)
			if (fz.gpadl[i].relid == relid)
				fz.gpadl[i].live = false;
	}
	if (type == VMB_MSG_GPADL_HEADER)
		fz_gpadl_header(&m);
	return 0;
}

static void *
fz_mem_alloc(struct hvbus_backend *be, size_t len)
{
	unsigned int i;

	(void)be;
	len = (len + 4095) & ~(size_t)4095;
	if (len > (8u << 20))
		return NULL;
	for (i = 0; i < FZ_MAX_MEM; i++)
		if (fz.mem[i] == NULL) {
			fz.mem[i] = aligned_alloc(4096, len);
			if (fz.mem[i] != NULL)
				memset(fz.mem[i], 0, len);
			fz.mem_len[i] = len;
			return fz.mem[i];
		}
	return NULL;
}

static void
fz_mem_free(struct hvbus_backend *be, void *va, size_t len)
{
	unsigned int i;

	(void)be;
	len = (len + 4095) & ~(size_t)4095;
	for (i = 0; i < fz.n_gpadl; i++)
		if (fz.gpadl[i].live &&
		    fz.gpadl[i].start < (uint64_t)(uintptr_t)va + len &&
		    fz.gpadl[i].end > (uint64_t)(uintptr_t)va)
			abort();	/* the host may still use it */
	for (i = 0; i < FZ_MAX_MEM; i++)
		if (fz.mem[i] == va) {
			if (fz.mem_len[i] != len)
				abort();	/* freed with another size */
			free(va);
			fz.mem[i] = NULL;
			return;
		}
	abort();	/* not ours, or freed twice */
}

static uint64_t
fz_gpa(struct hvbus_backend *be, const void *va)
{
	(void)be;
	return (uint64_t)(uintptr_t)va;
}

static const struct hvbus_backend_ops fz_ops = {
	.name = "fuzz",
	.send = fz_send,
	.mem_alloc = fz_mem_alloc,
	.mem_free = fz_mem_free,
	.gpa = fz_gpa,
};

static uint8_t fz_mon[2][4096] __attribute__((aligned(4096)));

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rte_log_set_level(hvbus_logtype, RTE_LOG_EMERG);
	pthread_cond_init(&hvbus.cond, NULL);
	pthread_cond_init(&hvbus.work_cond, NULL);
	return 0;
}

static void
fz_setup(void)
{
	fz.n_gpadl = 0;
	fz.fail_in = 0;
	memset(&fz.rescinded, 0, sizeof(fz.rescinded));
	memset(&fz.released, 0, sizeof(fz.released));
	memset(&hvbus.cfg, 0, sizeof(hvbus.cfg));
	hvbus.cfg.timeout_ms = 1000;
	hvbus.cfg.ring_size = 8192;
	hvbus.be.ops = &fz_ops;
	hvbus.be.fd = 0;
	hvbus.be.mon_parent = fz_mon[0];
	hvbus.be.mon_child = fz_mon[1];
	hvbus.connected = true;
	hvbus.next_gpadl = 0x10000;
	if (hvbus_retire_init() < 0)
		abort();
}

static void
fz_teardown(void)
{
	struct rte_hvbus_device *dev;
	unsigned int i;
	uint32_t relid;

	/* Let every retired channel through its grace period (no readers:
	 * each call completes one).
	 */
	for (i = 0; i < 1000 && hvbus.retiring > 0; i++)
		hvbus_retire_poll();
	if (hvbus.retiring > 0)
		abort();
	hvbus_retire_fini();
	hvbus_work_stop();
	hvbus_gpadl_free_all();
	for (relid = 0; relid < VMB_MAX_RELID; relid++) {
		struct hvbus_offer *o = hvbus.relid_tab[relid];

		if (o == NULL)
			continue;
		free(o->chan);
		free(o);
		hvbus.relid_tab[relid] = NULL;
	}
	while ((dev = TAILQ_FIRST(&hvbus.devs)) != NULL) {
		TAILQ_REMOVE(&hvbus.devs, dev, next);
		free(dev->priv);
		free(dev);
	}
	for (i = 0; i < FZ_MAX_MEM; i++) {
		free(fz.mem[i]);
		fz.mem[i] = NULL;
	}
	for (i = 0; i < fz.n_req; i++)
		free(fz.req[i]);
	fz.n_req = 0;
	memset(&hvbus.st, 0, sizeof(hvbus.st));
	hvbus.log_once = 0;
	hvbus.next_openid = 0;
}

static struct rte_hvbus_device *
fz_dev(uint8_t k)
{
	struct rte_hvbus_device *dev;
	unsigned int n = 0;

	TAILQ_FOREACH(dev, &hvbus.devs, next)
		n++;
	if (n == 0)
		return NULL;
	k %= n;
	TAILQ_FOREACH(dev, &hvbus.devs, next)
		if (k-- == 0)
			return dev;
	return NULL;
}

static struct hvbus_gpadl *
fz_gpadl(uint8_t k)
{
	struct hvbus_gpadl *g;
	unsigned int n = 0;

	TAILQ_FOREACH(g, &hvbus.gpadls, next)
		n++;
	if (n == 0)
		return NULL;
	k %= n;
	TAILQ_FOREACH(g, &hvbus.gpadls, next)
		if (k-- == 0)
			return g;
	return NULL;
}

/* A request as a driver thread would post it; we keep a reference. */
static struct hvbus_req *
fz_req(enum hvbus_req_type type, struct rte_hvbus_device *dev)
{
	struct hvbus_req *req;

	if (fz.n_req == FZ_MAX_REQ || dev == NULL)
		return NULL;
	req = hvbus_req_new(type);
	if (req == NULL)
		return NULL;
	req->refs = 2;
	req->dev = dev;
	fz.req[fz.n_req++] = req;
	return req;
}

/*
 * Hand bytes to the bus as a host message. Whatever their origin (raw
 * fuzzer bytes too), a well-formed rescind of a relid the bus holds makes
 * that relid releasable, and an offer of a released relid is a reuse.
 */
static void
fz_dispatch(const void *buf, uint32_t len)
{
	union vmb_msg m;
	uint32_t relid;
	int type = vmb_msg_decode(buf, len, &m);

	if (type == VMB_MSG_GPADL_CREATED && m.gpadl_created.status != 0) {
		fz_gpadl_gone(m.gpadl_created.gpadl);
	} else if (type == VMB_MSG_GPADL_TORNDOWN) {
		fz_gpadl_gone(m.gpadl_torndown.gpadl);
	} else if (type == VMB_MSG_RESCIND_CHANNELOFFER) {
		relid = m.relid.child_relid;
		if (relid < VMB_MAX_RELID && hvbus.relid_tab[relid] != NULL)
			fz.rescinded[relid] = true;
	} else if (type == VMB_MSG_OFFERCHANNEL) {
		relid = m.offer.child_relid;
		if (relid < VMB_MAX_RELID && fz.released[relid]) {
			fz.released[relid] = false;
			fz.rescinded[relid] = false;
		}
	}
	hvbus_ctrl_dispatch(buf, len);
}

static void
fz_host(const union vmb_msg *m, int len)
{
	if (len > 0)
		fz_dispatch(m, (uint32_t)len);
}

static void
fz_offer(const uint8_t *p)
{
	static const uint8_t inst_base[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct vmb_offer_params op = { 0 };
	union vmb_msg m;
	uint32_t relid = p[0] % FZ_RELIDS;

	op.if_type = (p[3] & 1) ? fz_other_class : vmb_guid_netvsc;
	memcpy(op.if_instance.b, inst_base, 16);
	op.if_instance.b[15] = p[2] % 3;
	op.sub_channel_index = p[1] % 4;
	op.child_relid = relid;
	op.monitor_id = p[0] % 128;
	op.monitor_allocated = 1;
	fz_host(&m, vmb_msg_encode_offer(&m, &op));
}

static void
fz_rescind(uint8_t r)
{
	union vmb_msg m;
	uint32_t relid = r % FZ_RELIDS;

	fz_host(&m, vmb_msg_encode_relid(&m, VMB_MSG_RESCIND_CHANNELOFFER,
					 relid));
}

static void
fz_answer(const uint8_t *p)
{
	struct hvbus_offer *o = hvbus.relid_tab[p[1] % FZ_RELIDS];
	struct hvbus_gpadl *g = fz_gpadl(p[1]);
	uint32_t status = (p[2] & 1) ? 0 : 0xC0000001u;
	union vmb_msg m;

	switch (p[0] % 4) {
	case 0:
		if (g != NULL)
			fz_host(&m, vmb_msg_encode_gpadl_created(&m,
				g->offer != NULL ? g->offer->relid : p[3],
				g->handle, status));
		break;
	case 1:
		if (o != NULL)
			fz_host(&m, vmb_msg_encode_open_result(&m, o->relid,
				(p[2] & 2) ? o->openid : p[3], status));
		break;
	case 2:
		if (g != NULL)
			fz_host(&m, vmb_msg_encode_gpadl_torndown(&m,
								  g->handle));
		break;
	default:
		fz_host(&m, vmb_msg_encode_hdr(&m, VMB_MSG_UNLOAD_RESPONSE));
		break;
	}
}

static void
fz_request(const uint8_t *p)
{
	struct rte_hvbus_device *dev = fz_dev(p[1]);
	struct hvbus_gpadl *g;
	struct hvbus_req *req;

	switch (p[0] % 4) {
	case 0:
		req = fz_req(HVBUS_REQ_OPEN, dev);
		if (req == NULL)
			return;
		req->subidx = p[2] % 5;
		req->tx_size = (p[3] & 1) ? 0 : 4096u * (1 + p[3] % 5);
		req->rx_size = (p[3] & 2) ? 0 : 8192;
		hvbus_req_open(req);
		break;
	case 1:
		req = fz_req(HVBUS_REQ_CLOSE, dev);
		if (req == NULL)
			return;
		req->subidx = p[2] % 5;
		hvbus_req_close(req);
		break;
	case 2:
		req = fz_req(HVBUS_REQ_GPADL_CREATE, dev);
		if (req == NULL)
			return;
		req->len = (size_t)(p[2] % 40) * 4096 + p[3];
		hvbus_req_gpadl_create(req);
		break;
	default:
		g = fz_gpadl(p[2]);
		req = fz_req(HVBUS_REQ_GPADL_DESTROY, dev);
		if (req == NULL)
			return;
		req->handle = g != NULL ? g->handle : p[3];
		hvbus_req_gpadl_destroy(req);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t p[4];
	size_t n;

	fz_setup();
	while (size > 0) {
		uint8_t op = data[0];

		data++;
		size--;
		if (op % 8 == 0) {
			/* Raw host message: a length byte, then bytes. */
			n = size > 0 ? data[0] : 0;
			if (size > 0) {
				data++;
				size--;
			}
			if (n > size)
				n = size;
			fz_dispatch(data, (uint32_t)n);
			data += n;
			size -= n;
			continue;
		}
		memset(p, 0, sizeof(p));
		n = size < sizeof(p) ? size : sizeof(p);
		memcpy(p, data, n);
		data += n;
		size -= n;
		switch (op % 8) {
		case 1:
		case 2:
			fz_offer(p);
			break;
		case 3:
			fz_rescind(p[0]);
			break;
		case 4:
		case 5:
			fz_answer(p);
			break;
		case 6:
			fz_request(p);
			break;
		default:
			/* Time passes: grace periods end, deadlines fire. */
			hvbus_retire_poll();
			if (p[0] & 1) {
				hvbus_chan_deadlines(UINT64_MAX - 1);
				hvbus_gpadl_deadlines(UINT64_MAX - 1);
			}
			/* The host's socket will be full for one send. */
			if (p[0] & 2)
				fz.fail_in = 1 + p[1] % 16;
			break;
		}
	}
	fz_teardown();
	return 0;
}
