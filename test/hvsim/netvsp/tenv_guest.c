/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Test environment over the real hvsim host: an embedded host pumped by
 * the test guest's waits (one thread, deterministic) or, with
 * TENV_THREADED=1 in the environment, running on its own host thread as
 * hvbus uses it; VMBus connected, one open primary channel per NIC;
 * subchannels opened on request. Teardown closes everything the way a
 * guest does and reports the host checker's violations.
 *
 * TENV_CPUS=H,G (threaded only) places the two as make perf places hvsim
 * and testpmd's forwarding lcore: the host thread on CPU H, the guest on
 * CPU G, polling its rings without sleeping as a PMD's lcore does.
 */

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv_clock.h"
#include "hvsim_guest.h"
#include "tenv.h"

const char tenv_name[] = "hvsim host + test guest";
const bool tenv_checks_gpa = false;

#define TG_RING_PAGES	64
#define TG_ARENA	(96u << 20)
#define TG_MAX_GPADL	8

struct tnic {
	struct tenv *e;
	unsigned int nic;
	uint32_t relid;
	struct hvsim_guest_chan *ch[NVG_MAX_Q];
	uint32_t gpadl[TG_MAX_GPADL];
	unsigned int n_gpadl;
	struct nvg_io io;
};

struct tenv {
	struct hvsim *h;
	struct hvsim_guest *g;
	bool threaded;
	unsigned int n;
	struct tnic nic[16];
};

static int
tg_send(void *ctx, unsigned int q, uint16_t type, uint16_t flags,
	uint64_t xid, const void *ext, uint32_t ext_len, const void *data,
	uint32_t len)
{
	struct tnic *t = ctx;

	if (q >= NVG_MAX_Q || t->ch[q] == NULL)
		return -ENODEV;
	return hvsim_guest_chan_send(t->ch[q], type, flags, xid, ext, ext_len,
				     data, len);
}

static int
tg_recv(void *ctx, unsigned int q, void *buf, uint32_t cap, unsigned int ms)
{
	struct tnic *t = ctx;
	int n;

	if (q >= NVG_MAX_Q || t->ch[q] == NULL)
		return -ENODEV;
	/* 0 means "the default timeout" to the test guest: poll briefly. */
	n = hvsim_guest_chan_recv(t->ch[q], buf, cap, ms ? ms : 1);
	return n == -ETIMEDOUT ? 0 : n;
}

static void *
tg_alloc(void *ctx, size_t len)
{
	struct tnic *t = ctx;

	return hvsim_guest_alloc(t->e->g, len);
}

static uint64_t
tg_gpa(void *ctx, const void *p)
{
	struct tnic *t = ctx;

	return hvsim_guest_gpa(t->e->g, p);
}

static int
tg_gpadl(void *ctx, void *mem, size_t len, uint32_t *handle)
{
	struct tnic *t = ctx;
	int rc;

	if (t->n_gpadl == TG_MAX_GPADL)
		return -ENOSPC;
	rc = hvsim_guest_gpadl_create(t->e->g, t->relid, mem, len, handle);
	if (rc == 0)
		t->gpadl[t->n_gpadl++] = *handle;
	return rc;
}

static int
tg_open_subs(void *ctx, unsigned int n, unsigned int ms)
{
	struct tnic *t = ctx;
	unsigned int i;
	int rc;

	for (i = 1; i <= n && i < NVG_MAX_Q; i++) {
		const struct hvsim_guest_offer *o;

		if (t->ch[i] != NULL)
			continue;
		o = hvsim_guest_wait_offer(t->e->g, t->nic, (uint16_t)i, 0,
					   ms);
		if (o == NULL)
			return -ETIMEDOUT;
		rc = hvsim_guest_chan_open(t->e->g, o->relid, TG_RING_PAGES,
					   &t->ch[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Pin the calling thread to @p cpu. */
static int
tg_pin(unsigned int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : -errno;
}

/* TENV_CPUS=H,G: -> *host, *guest; 0 when unset, -EINVAL when malformed. */
static int
tg_cpus(unsigned int *host, unsigned int *guest)
{
	const char *s = getenv("TENV_CPUS");
	char *end;

	if (s == NULL || *s == '\0')
		return 0;
	*host = (unsigned int)strtoul(s, &end, 10);
	if (end == s || *end != ',')
		return -EINVAL;
	s = end + 1;
	*guest = (unsigned int)strtoul(s, &end, 10);
	if (end == s || *end != '\0' || *host >= CPU_SETSIZE ||
	    *guest >= CPU_SETSIZE)
		return -EINVAL;
	return 1;
}

struct tenv *
tenv_create(unsigned int n, const struct hvsim_nic_config *cfg)
{
	struct hvsim_config hc;
	struct tenv *e;
	unsigned int i;

	if (n == 0 || n > 16)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	hvsim_config_init(&hc, n);
	for (i = 0; cfg != NULL && i < n; i++)
		hc.nic[i] = cfg[i];
	hc.name = "netvsp-test";
	e->n = n;
	e->h = hvsim_create(&hc);
	if (e->h == NULL || hvsim_guest_create(&e->g, TG_ARENA) != 0)
		goto fail;
	/* Running before the HELLO: its answer needs the host. */
	e->threaded = getenv("TENV_THREADED") != NULL &&
		strcmp(getenv("TENV_THREADED"), "0") != 0;
	if (e->threaded) {
		unsigned int hcpu = 0, gcpu = 0;
		int pin = tg_cpus(&hcpu, &gcpu);

		/* The host thread inherits the mask it is created with. */
		if (pin < 0 || (pin > 0 && tg_pin(hcpu) != 0) ||
		    hvsim_start(e->h) != 0 || (pin > 0 && tg_pin(gcpu) != 0))
			goto fail;
		hvsim_guest_set_spin(e->g, pin > 0);
	} else {
		hvsim_guest_set_pump(e->g, e->h);
	}
	if (hvsim_guest_attach_embedded(e->g, e->h) != 0)
		goto fail;
	if (hvsim_guest_connect_vmbus(e->g, 0) <= 0 ||
	    hvsim_guest_request_offers(e->g) < (int)n)
		goto fail;
	for (i = 0; i < n; i++) {
		struct tnic *t = &e->nic[i];
		const struct hvsim_guest_offer *o =
			hvsim_guest_find_nic(e->g, i, 0);

		if (o == NULL)
			goto fail;
		t->e = e;
		t->nic = i;
		t->relid = o->relid;
		if (hvsim_guest_chan_open(e->g, o->relid, TG_RING_PAGES,
					  &t->ch[0]) != 0)
			goto fail;
		t->io = (struct nvg_io){
			.ctx = t, .send = tg_send, .recv = tg_recv,
			.alloc = tg_alloc, .gpa = tg_gpa, .gpadl = tg_gpadl,
			.open_subs = tg_open_subs,
		};
	}
	return e;
fail:
	fprintf(stderr, "tenv: host or guest set-up failed\n");
	if (e->g != NULL)
		hvsim_guest_destroy(e->g);
	if (e->h != NULL)
		hvsim_destroy(e->h);
	free(e);
	return NULL;
}

int
tenv_destroy(struct tenv *e)
{
	char report[2048];
	unsigned int i, k, v;

	for (i = 0; i < e->n; i++) {
		struct tnic *t = &e->nic[i];

		/* Subchannels first, then the primary, then the buffers. */
		for (k = NVG_MAX_Q; k-- > 0;)
			if (t->ch[k] != NULL)
				hvsim_guest_chan_close(e->g, t->ch[k]);
		for (k = 0; k < t->n_gpadl; k++)
			hvsim_guest_gpadl_teardown(e->g, t->relid,
						   t->gpadl[k]);
	}
	hvsim_guest_unload(e->g);
	v = hvsim_violations(e->h);
	if (v != 0) {
		hvsim_report(e->h, report, sizeof(report));
		fprintf(stderr, "host checker: %u violation(s)\n%s\n", v,
			report);
	}
	hvsim_guest_destroy(e->g);
	hvsim_destroy(e->h);
	free(e);
	return (int)v;
}

const struct nvg_io *
tenv_io(struct tenv *e, unsigned int nic)
{
	return nic < e->n ? &e->nic[nic].io : NULL;
}

int
tenv_set_link(struct tenv *e, unsigned int nic, bool up)
{
	return hvsim_set_link(e->h, nic, up);
}

int
tenv_vf(struct tenv *e, unsigned int nic, bool add, uint32_t serial)
{
	return hvsim_vf(e->h, nic, add, serial);
}

int
tenv_stats(struct tenv *e, unsigned int nic, struct hvsim_nic_stats *st)
{
	return hvsim_nic_stats(e->h, nic, st);
}

int
tenv_proto_errors(struct tenv *e)
{
	(void)e;
	return -1;	/* the core fails the channel; not counted here */
}

int
tenv_rescind_primary(struct tenv *e, unsigned int nic)
{
	struct tnic *t = &e->nic[nic];
	unsigned int k;
	int rc;

	rc = hvsim_rescind(e->h, nic, HVSIM_RESCIND_PRIMARY_ONLY);
	if (rc == 0)
		rc = hvsim_guest_wait_rescind(e->g, t->relid, 0);
	if (rc != 0)
		return rc;
	/* The guest's part, as Linux does it: the buffers' GPADLs torn
	 * down (still answered after a rescind), then the relid released. */
	for (k = 0; k < t->n_gpadl; k++)
		hvsim_guest_gpadl_teardown(e->g, t->relid, t->gpadl[k]);
	t->n_gpadl = 0;
	hvsim_guest_chan_forget(e->g, t->ch[0]);
	t->ch[0] = NULL;
	return hvsim_guest_release(e->g, t->relid);
}

int
tenv_set_room(struct tenv *e, uint32_t bytes)
{
	(void)e;
	(void)bytes;
	return -ENOTSUP;
}

int
tenv_hook(struct tenv *e, unsigned int nic, enum hvsim_step step, bool on)
{
	return on ? hvsim_hook_arm(e->h, nic, step) :
		hvsim_hook_release(e->h, nic);
}

void
tenv_idle(struct tenv *e, unsigned int ms)
{
	uint64_t end;

	if (e->threaded) {
		struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

		nanosleep(&ts, NULL);
		return;
	}
	end = hv_now_ms() + ms;
	do
		hvsim_poll(e->h);
	while (hv_now_ms() < end);
}
