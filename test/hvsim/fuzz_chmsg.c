/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * libFuzzer target: hvsim's channel-message handling fed arbitrary frames
 * from a guest, in-process, no threads (the guest pumps hvsim_poll()).
 *
 * Input: byte 0 selects a prologue (bit 0: negotiate + request offers,
 * bit 1: also open nic0's channel), then records [ctl u8][len u8][len
 * bytes], each sent as one channel-message frame. ctl bit 0 writes nic0's
 * relid at offset 8, bit 1 the ring GPADL handle at offset 12 (so the
 * fuzzer reaches state beyond "unknown relid"), bit 2 rescinds nic0
 * first, bit 3 re-offers it, bit 4 toggles a hook at step len % 8.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "echo_dev.h"
#include "hvsim.h"
#include "hvsim_guest.h"

static void
drain(struct hvsim_guest *g)
{
	char b[512];
	int fd = hvsim_guest_socket(g);

	while (fd >= 0 && recv(fd, b, sizeof(b), MSG_DONTWAIT) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct hvsim_guest_offer *o = NULL;
	struct hvsim_guest_chan *c = NULL;
	struct hvsim_config cfg;
	struct hvsim_guest *g;
	struct hvsim *h;
	uint8_t msg[256];
	uint32_t relid = 0, gpadl = 0;
	bool hooked = false;
	size_t pos = 1;

	if (size < 1)
		return 0;
	hvsim_config_init(&cfg, 2);
	cfg.dev_ops = &echo_dev_ops;
	cfg.name = "fuzz";
	h = hvsim_create(&cfg);
	if (h == NULL || hvsim_guest_create(&g, 1 << 20) < 0)
		abort();
	hvsim_guest_set_pump(g, h);
	if (hvsim_guest_attach_embedded(g, h) != 0)
		abort();
	if (data[0] & 1) {
		if (hvsim_guest_connect_vmbus(g, 0) <= 0 ||
		    hvsim_guest_request_offers(g) != 2)
			abort();
		o = hvsim_guest_find_nic(g, 0, 0);
		relid = o->relid;
		if ((data[0] & 2) && hvsim_guest_chan_open(g, relid, 2, &c) == 0)
			gpadl = c->gpadl;
	}
	drain(g);
	while (pos + 2 <= size) {
		uint8_t ctl = data[pos], len = data[pos + 1];

		pos += 2;
		if (len > size - pos)
			len = (uint8_t)(size - pos);
		memcpy(msg, data + pos, len);
		pos += len;
		if ((ctl & 1) && len >= 12)
			memcpy(msg + 8, &relid, 4);
		if ((ctl & 2) && len >= 16)
			memcpy(msg + 12, &gpadl, 4);
		if (ctl & 4)
			hvsim_rescind(h, 0, 0);
		if (ctl & 8)
			hvsim_reoffer(h, 0);
		if (ctl & 16) {
			if (hooked)
				hvsim_hook_release(h, 0);
			else
				hvsim_hook_arm(h, 0, (enum hvsim_step)(len % 8));
			hooked = !hooked;
		}
		if (hvsim_guest_send_raw(g, msg, len) < 0)
			break;
		hvsim_poll(h);
		if (ctl & 32)
			hvsim_poll(h);
		drain(g);
	}
	if (hooked)
		hvsim_hook_release(h, 0);
	hvsim_poll(h);
	hvsim_guest_chan_forget(g, c);
	hvsim_guest_destroy(g);
	hvsim_poll(h);		/* the disconnect and its checks */
	hvsim_destroy(h);
	return 0;
}
