/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Fake hvsim core (see fake_core.h): the functions hvsim_dev.h promises a
 * device model, over plain memory.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_core.h"
#include "vmb_pkt.h"

struct fc_pkt {
	struct fc_pkt *next;
	struct hvsim_pkt p;
	uint8_t buf[];
};

struct hvsim_chan {
	struct fc *f;
	uint16_t subidx;
	bool open;
	bool failed;
	uint8_t *q;		/**< host -> guest packets, ring layout */
	size_t q_len, q_rd, q_cap;
	struct fc_pkt *in_head, *in_tail;	/**< guest -> host */
	unsigned int in_n;
};

struct fc_gpadl {
	void *mem;
	size_t len;
};

struct hvsim {
	struct hvsim_chan ch[FC_MAX_CHAN];
	void *dev;
	uint8_t *arena;
	size_t arena_size, arena_used;
	struct fc_gpadl gpadl[16];
	unsigned int n_gpadl;
	unsigned int offered;
	uint32_t room;
	bool hook[HVSIM_STEP_COUNT];
	unsigned int proto_errors, log_lines, violations;
	bool verbose;
};

struct fc {
	struct hvsim h;
};

int
hvsim_chan_send(struct hvsim_chan *c, uint16_t type, uint16_t flags,
		uint64_t xid, const void *ext, uint32_t ext_len,
		const struct iovec *iov, unsigned int iovcnt)
{
	struct vmb_pkt_desc desc;
	uint32_t plen = 0, ext8, total, i;
	size_t used;
	uint8_t *p;

	if (!c->open)
		return -ENODEV;
	for (i = 0; i < iovcnt; i++)
		plen += (uint32_t)iov[i].iov_len;
	ext8 = (ext_len + 7) & ~7u;
	total = (VMB_PKT_DESC_SIZE + ext8 + plen + 7) & ~7u;
	used = c->q_len - c->q_rd;
	/* Ring rule: never fill completely; the trailer counts too. */
	if (used + total + VMB_PKT_TRAILER_SIZE >= c->f->h.room)
		return -EAGAIN;
	if (c->q_rd == c->q_len) {
		c->q_rd = 0;
		c->q_len = 0;
	}
	if (c->q_len + total > c->q_cap) {
		size_t cap = c->q_cap ? c->q_cap * 2 : 65536;

		while (cap < c->q_len + total)
			cap *= 2;
		p = realloc(c->q, cap);
		if (p == NULL)
			return -ENOMEM;
		c->q = p;
		c->q_cap = cap;
	}
	p = c->q + c->q_len;
	memset(p, 0, total);
	desc.type = type;
	desc.data_offset8 = (uint16_t)((VMB_PKT_DESC_SIZE + ext8) / 8);
	desc.length8 = (uint16_t)(total / 8);
	desc.flags = flags;
	desc.xid = xid;
	memcpy(p, &desc, sizeof(desc));
	if (ext_len)
		memcpy(p + VMB_PKT_DESC_SIZE, ext, ext_len);
	p += VMB_PKT_DESC_SIZE + ext8;
	for (i = 0; i < iovcnt; i++) {
		memcpy(p, iov[i].iov_base, iov[i].iov_len);
		p += iov[i].iov_len;
	}
	c->q_len += total;
	return 0;
}

int
hvsim_chan_send_buf(struct hvsim_chan *c, uint16_t type, uint64_t xid,
		    const void *buf, uint32_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf,
			     .iov_len = len };

	return hvsim_chan_send(c, type, 0, xid, NULL, 0, &iov, 1);
}

void
hvsim_chan_batch_begin(struct hvsim_chan *c)
{
	(void)c;
}

void
hvsim_chan_batch_end(struct hvsim_chan *c)
{
	(void)c;
}

void
hvsim_chan_batch_publish(struct hvsim_chan *c)
{
	(void)c;
}

uint32_t
hvsim_chan_room(const struct hvsim_chan *c)
{
	size_t used = c->q_len - c->q_rd;

	return used + 64 >= c->f->h.room ? 0 :
		(uint32_t)(c->f->h.room - used - 64);
}

uint16_t
hvsim_chan_subidx(const struct hvsim_chan *c)
{
	return c->subidx;
}

uint32_t
hvsim_chan_relid(const struct hvsim_chan *c)
{
	return 100u + c->subidx;
}

void *
hvsim_gpadl_map(struct hvsim_chan *c, uint32_t gpadl, uint64_t *len)
{
	struct hvsim *h = &c->f->h;

	if (gpadl == 0 || gpadl > h->n_gpadl)
		return NULL;
	*len = h->gpadl[gpadl - 1].len;
	return h->gpadl[gpadl - 1].mem;
}

int
hvsim_gpa_read(struct hvsim *h, uint64_t pfn, uint32_t off, void *dst,
	       uint32_t len)
{
	uint64_t base = (uint64_t)(uintptr_t)h->arena, gpa;

	if (pfn > (UINT64_MAX >> 12))
		return -EFAULT;
	gpa = (pfn << 12) + off;
	if (gpa < base || gpa - base > h->arena_size ||
	    len > h->arena_size - (gpa - base))
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)gpa, len);
	return 0;
}

int
hvsim_offer_subchannels(struct hvsim *h, unsigned int nic, unsigned int n)
{
	(void)nic;
	if (n >= FC_MAX_CHAN)
		return -EINVAL;
	if (n > h->offered)
		h->offered = n;
	return 0;
}

bool
hvsim_hook_hit(struct hvsim *h, unsigned int nic, enum hvsim_step step)
{
	(void)nic;
	return step < HVSIM_STEP_COUNT && h->hook[step];
}

/* The fake core is an honest host: hostile mode is the real core's. */
bool
hvsim_dev_hostile(struct hvsim *h, enum hvsim_hostile_class c,
		  uint32_t one_in, const char *fmt, ...)
{
	(void)h;
	(void)c;
	(void)one_in;
	(void)fmt;
	return false;
}

const uint32_t *
hvsim_dev_hostile_classes(const struct hvsim *h)
{
	static const uint32_t honest;

	(void)h;
	return &honest;
}

uint32_t
hvsim_dev_hostile_pick(struct hvsim *h, uint32_t n)
{
	(void)h;
	(void)n;
	return 0;
}

void
hvsim_dev_hostile_rescind(struct hvsim *h, unsigned int nic)
{
	(void)h;
	(void)nic;
}

void
hvsim_violation(struct hvsim *h, const char *fmt, ...)
{
	va_list ap;

	h->violations++;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
hvsim_log(struct hvsim *h, enum hvsim_log_level level, const char *fmt, ...)
{
	va_list ap;

	h->log_lines++;
	if (!h->verbose && level > HVSIM_LOG_NOTICE)
		return;
	va_start(ap, fmt);
	fputs("[host] ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- test side ---- */

struct fc *
fc_create(const struct hvsim_nic_config *nic_cfg, size_t arena_size)
{
	struct hvsim_nic_config cfg;
	struct fc *f = calloc(1, sizeof(*f));
	unsigned int i;

	if (f == NULL)
		return NULL;
	if (nic_cfg != NULL) {
		cfg = *nic_cfg;
	} else {
		memset(&cfg, 0, sizeof(cfg));
		cfg.mtu = 1500;
		cfg.max_queues = 8;
		cfg.link_speed_mbps = 100000;
	}
	f->h.verbose = getenv("FC_VERBOSE") != NULL;
	f->h.room = 1u << 20;
	f->h.arena_size = arena_size;
	f->h.arena = aligned_alloc(4096, arena_size);
	if (f->h.arena == NULL)
		goto fail;
	memset(f->h.arena, 0, arena_size);
	for (i = 0; i < FC_MAX_CHAN; i++) {
		f->h.ch[i].f = f;
		f->h.ch[i].subidx = (uint16_t)i;
	}
	f->h.dev = hvsim_netvsp_ops.create(&f->h, 0, &cfg);
	if (f->h.dev == NULL)
		goto fail;
	f->h.ch[0].open = true;
	if (hvsim_netvsp_ops.chan_open(f->h.dev, &f->h.ch[0], 0) != 0)
		goto fail;
	return f;
fail:
	fc_destroy(f);
	return NULL;
}

static void
fc_chan_free(struct hvsim_chan *c)
{
	while (c->in_head != NULL) {
		struct fc_pkt *n = c->in_head->next;

		free(c->in_head);
		c->in_head = n;
	}
	free(c->q);
	c->q = NULL;
}

void
fc_destroy(struct fc *f)
{
	unsigned int i;

	if (f == NULL)
		return;
	if (f->h.dev != NULL) {
		for (i = FC_MAX_CHAN; i-- > 0;)
			if (f->h.ch[i].open)
				hvsim_netvsp_ops.chan_close(f->h.dev,
							    &f->h.ch[i]);
		hvsim_netvsp_ops.destroy(f->h.dev);
	}
	for (i = 0; i < FC_MAX_CHAN; i++)
		fc_chan_free(&f->h.ch[i]);
	free(f->h.arena);
	free(f);
}

void *
fc_dev(struct fc *f)
{
	return f->h.dev;
}

void *
fc_alloc(struct fc *f, size_t len)
{
	size_t need = (len + 4095) & ~(size_t)4095;
	void *p;

	if (need > f->h.arena_size - f->h.arena_used)
		return NULL;
	p = f->h.arena + f->h.arena_used;
	f->h.arena_used += need;
	return p;
}

uint32_t
fc_gpadl(struct fc *f, void *mem, size_t len)
{
	if (f->h.n_gpadl == 16)
		return 0;
	f->h.gpadl[f->h.n_gpadl].mem = mem;
	f->h.gpadl[f->h.n_gpadl].len = len;
	return ++f->h.n_gpadl;
}

static void
fc_process(struct fc *f, struct hvsim_chan *c)
{
	while (c->in_head != NULL && c->open) {
		struct fc_pkt *k = c->in_head;
		int rc = 0;

		if (!c->failed)
			rc = hvsim_netvsp_ops.packet(f->h.dev, c, &k->p);
		if (rc == -EAGAIN)
			return;
		if (rc < 0) {
			/* The real core fails the channel here; keep feeding
			 * it so the fuzzer reaches later states too. */
			f->h.proto_errors++;
		}
		c->in_head = k->next;
		if (c->in_head == NULL)
			c->in_tail = NULL;
		c->in_n--;
		free(k);
	}
}

int
fc_pump(struct fc *f)
{
	unsigned int i;

	for (i = 0; i < FC_MAX_CHAN; i++)
		if (f->h.ch[i].open)
			fc_process(f, &f->h.ch[i]);
	return hvsim_netvsp_ops.poll(f->h.dev);
}

int
fc_send(struct fc *f, unsigned int q, uint16_t type, uint16_t flags,
	uint64_t xid, const void *ext, uint32_t ext_len, const void *data,
	uint32_t len)
{
	struct hvsim_chan *c;
	uint32_t ext8 = (ext_len + 7) & ~7u, len8 = (len + 7) & ~7u;
	struct fc_pkt *k;

	if (q >= FC_MAX_CHAN || !f->h.ch[q].open)
		return -ENODEV;
	c = &f->h.ch[q];
	k = calloc(1, sizeof(*k) + ext8 + len8);
	if (k == NULL)
		return -ENOMEM;
	if (ext_len)
		memcpy(k->buf, ext, ext_len);
	if (len)
		memcpy(k->buf + ext8, data, len);
	k->p.type = type;
	k->p.flags = flags;
	k->p.xid = xid;
	k->p.ext = k->buf;
	k->p.ext_len = ext8;
	k->p.data = k->buf + ext8;
	k->p.data_len = len8;
	if (c->in_tail != NULL)
		c->in_tail->next = k;
	else
		c->in_head = k;
	c->in_tail = k;
	c->in_n++;
	fc_process(f, c);
	return 0;
}

int
fc_recv(struct fc *f, unsigned int q, void *buf, uint32_t cap)
{
	struct hvsim_chan *c;
	struct vmb_pkt_desc desc;
	uint32_t len;

	if (q >= FC_MAX_CHAN)
		return -ENODEV;
	c = &f->h.ch[q];
	if (c->q_rd == c->q_len)
		return 0;
	memcpy(&desc, c->q + c->q_rd, sizeof(desc));
	len = desc.length8 * 8u;
	if (len > cap)
		return -ENOSPC;
	memcpy(buf, c->q + c->q_rd, len);
	c->q_rd += len;
	return (int)len;
}

unsigned int
fc_offered(const struct fc *f)
{
	return f->h.offered;
}

int
fc_open_subs(struct fc *f, unsigned int n)
{
	unsigned int i;
	int rc;

	if (n > f->h.offered)
		return -ENOENT;
	for (i = 1; i <= n; i++) {
		if (f->h.ch[i].open)
			continue;
		f->h.ch[i].open = true;
		rc = hvsim_netvsp_ops.chan_open(f->h.dev, &f->h.ch[i],
						(uint16_t)i);
		if (rc != 0) {
			f->h.ch[i].open = false;
			return rc;
		}
	}
	return 0;
}

int
fc_close(struct fc *f, unsigned int q)
{
	if (q >= FC_MAX_CHAN || !f->h.ch[q].open)
		return -ENODEV;
	f->h.ch[q].open = false;
	hvsim_netvsp_ops.chan_close(f->h.dev, &f->h.ch[q]);
	return 0;
}

void
fc_set_room(struct fc *f, uint32_t bytes)
{
	f->h.room = bytes;
}

void
fc_hook(struct fc *f, int step, bool on)
{
	if (step >= 0 && step < HVSIM_STEP_COUNT)
		f->h.hook[step] = on;
}

unsigned int
fc_proto_errors(const struct fc *f)
{
	return f->h.proto_errors;
}

unsigned int
fc_log_lines(const struct fc *f)
{
	return f->h.log_lines;
}

unsigned int
fc_pending(const struct fc *f, unsigned int q)
{
	return q < FC_MAX_CHAN ? f->h.ch[q].in_n : 0;
}

void
fc_drain(struct fc *f)
{
	unsigned int i;

	for (i = 0; i < FC_MAX_CHAN; i++)
		f->h.ch[i].q_rd = f->h.ch[i].q_len;
}

/* ---- nvg transport over the fake core ---- */

static int
fc_io_send(void *ctx, unsigned int q, uint16_t type, uint16_t flags,
	   uint64_t xid, const void *ext, uint32_t ext_len, const void *data,
	   uint32_t len)
{
	return fc_send(ctx, q, type, flags, xid, ext, ext_len, data, len);
}

static int
fc_io_recv(void *ctx, unsigned int q, void *buf, uint32_t cap,
	   unsigned int ms)
{
	int n = fc_recv(ctx, q, buf, cap);

	(void)ms;
	if (n == 0) {
		fc_pump(ctx);
		n = fc_recv(ctx, q, buf, cap);
	}
	return n;
}

static void *
fc_io_alloc(void *ctx, size_t len)
{
	return fc_alloc(ctx, len);
}

/* The fake arena is in our process: guest addresses are pointers. */
static uint64_t
fc_io_gpa(void *ctx, const void *p)
{
	(void)ctx;
	return (uint64_t)(uintptr_t)p;
}

static int
fc_io_gpadl(void *ctx, void *mem, size_t len, uint32_t *handle)
{
	*handle = fc_gpadl(ctx, mem, len);
	return *handle ? 0 : -ENOSPC;
}

static int
fc_io_open_subs(void *ctx, unsigned int n, unsigned int ms)
{
	(void)ms;
	return fc_open_subs(ctx, n);
}

void
fc_nvg_io(struct fc *f, struct nvg_io *io)
{
	*io = (struct nvg_io){
		.ctx = f, .send = fc_io_send, .recv = fc_io_recv,
		.alloc = fc_io_alloc, .gpa = fc_io_gpa,
		.gpadl = fc_io_gpadl, .open_subs = fc_io_open_subs,
	};
}
