/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * What every part of the netvsp model uses and that uses none of them: the
 * NIC's log lines, the NVSP send helper, and the registry of NICs the
 * switch port finds its peer in.
 */

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "netvsp_priv.h"

/* NICs of every host in this process, for the switch port's peer lookup.
 * Created and destroyed from the owner's thread, looked up from the host
 * thread: a mutex, never taken on the data path after the peer is cached. */
static pthread_mutex_t nv_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct netvsp_dev *nv_reg_head;

void
nv_log(struct netvsp_dev *d, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hvsim_log(d->h, HVSIM_LOG_INFO, "nic%u: %s", d->nic, buf);
}

void
nv_log_dp(struct netvsp_dev *d, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (d->log_budget == 0)
		return;
	d->log_budget--;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hvsim_log(d->h, HVSIM_LOG_INFO, "nic%u: %s%s", d->nic, buf,
		  d->log_budget == 0 ? " (further data-path errors not logged)" :
		  "");
}

struct netvsp_dev *
nv_dev_lookup(struct hvsim *h, unsigned int nic)
{
	struct netvsp_dev *d;

	pthread_mutex_lock(&nv_reg_lock);
	for (d = nv_reg_head; d != NULL; d = d->reg_next)
		if (d->h == h && d->nic == nic)
			break;
	pthread_mutex_unlock(&nv_reg_lock);
	return d;
}

int
nv_send_nvsp(struct nv_chan *ch, uint16_t type, uint64_t xid,
	     const void *msg, uint32_t len)
{
	return hvsim_chan_send_buf(ch->c, type, xid, msg, len);
}

void
nv_dev_register(struct netvsp_dev *d)
{
	pthread_mutex_lock(&nv_reg_lock);
	d->reg_next = nv_reg_head;
	nv_reg_head = d;
	pthread_mutex_unlock(&nv_reg_lock);
}

void
nv_dev_unregister(struct netvsp_dev *d)
{
	struct netvsp_dev **pp;

	pthread_mutex_lock(&nv_reg_lock);
	for (pp = &nv_reg_head; *pp != NULL; pp = &(*pp)->reg_next)
		if (*pp == d) {
			*pp = d->reg_next;
			break;
		}
	pthread_mutex_unlock(&nv_reg_lock);
}
