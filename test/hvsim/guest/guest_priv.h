/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/* Internals shared by the test guest's files (hvsim_guest.c: arena,
 * transport, message queue; guest_vmbus.c: channel management, rings).
 */

#ifndef HVSIM_GUEST_PRIV_H
#define HVSIM_GUEST_PRIV_H

#include "hvsim_guest.h"

#define GUEST_QMAX	1024
/* Linux starts its GPADL handles here; handy to recognise in logs. */
#define GUEST_GPADL_BASE	0xE1E10u

struct guest_qmsg {
	uint32_t len;
	union vmb_msg m;
};

struct hvsim_guest {
	int memfd;
	uint8_t *arena;
	size_t arena_size;
	uint8_t *pages_used;	/* one byte per page */
	size_t npages;
	int fd;
	struct hvsim *pump;
	bool spin;		/* ring waits never sleep */
	uint8_t *mon1, *mon2;
	uint32_t next_gpadl;
	struct guest_qmsg q[GUEST_QMAX];
	unsigned int qlen;
	struct hvsim_guest_offer offers[HVSIM_GUEST_MAX_OFFERS];
	unsigned int noffers;
};

uint64_t guest_now_ms(void);
unsigned int guest_ms(unsigned int ms);
struct hvsim_guest_offer *guest_offer_by_relid(struct hvsim_guest *g,
						uint32_t relid);
int guest_rx(struct hvsim_guest *g, unsigned int ms);
int guest_take(struct hvsim_guest *g, uint32_t type, uint32_t relid,
	       union vmb_msg *out);
int guest_send(struct hvsim_guest *g, const union vmb_msg *m, int len);

#endif /* HVSIM_GUEST_PRIV_H */
