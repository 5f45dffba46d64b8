/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * libFuzzer target: hvsim's ring engine and ring checker against a guest
 * that writes anything into its rings and indices. One open channel to
 * the echo device, host pumped in-process.
 *
 * Input: byte 0 picks the ring size (2..9 pages per direction), then
 * records [op u8] + arguments:
 *   op % 4 == 0: [off u16][len u8][len bytes] raw bytes into the
 *                guest->host data area at off (wrapping);
 *   op % 4 == 1: [u32] guest->host write_index;
 *   op % 4 == 2: [u32] host->guest read_index;
 *   op % 4 == 3: [len u8][len bytes] a well-formed in-band packet.
 * After each record the host runs one iteration and the guest reads what
 * it can from the host->guest ring.
 */

#include <stdlib.h>
#include <string.h>

#include "echo_dev.h"
#include "hvsim.h"
#include "hvsim_guest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
take(const uint8_t *data, size_t size, size_t *pos, void *out, size_t n)
{
	if (n > size - *pos)
		return -1;
	memcpy(out, data + *pos, n);
	*pos += n;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct hvsim_guest_offer *o;
	struct hvsim_guest_chan *c;
	struct hvsim_config cfg;
	struct hvsim_guest *g;
	struct hvsim *h;
	uint8_t buf[4096], pkt[256];
	size_t pos = 1;

	if (size < 1)
		return 0;
	hvsim_config_init(&cfg, 1);
	cfg.dev_ops = &echo_dev_ops;
	cfg.name = "fuzz-ring";
	h = hvsim_create(&cfg);
	if (h == NULL || hvsim_guest_create(&g, 1 << 20) < 0)
		abort();
	hvsim_guest_set_pump(g, h);
	if (hvsim_guest_attach_embedded(g, h) != 0 ||
	    hvsim_guest_connect_vmbus(g, 0) <= 0 ||
	    hvsim_guest_request_offers(g) != 1)
		abort();
	o = hvsim_guest_find_nic(g, 0, 0);
	if (hvsim_guest_chan_open(g, o->relid, 2 + data[0] % 8, &c) != 0)
		abort();
	while (pos < size) {
		uint8_t op = data[pos++], len = 0;
		uint16_t off;
		uint32_t v;

		switch (op % 4) {
		case 0:
			if (take(data, size, &pos, &off, 2) < 0 ||
			    take(data, size, &pos, &len, 1) < 0 ||
			    take(data, size, &pos, pkt, len) < 0)
				goto out;
			if (len > 0)
				vmb_ring_put(&c->tx, off % c->tx.size, pkt,
					     len < c->tx.size ? len : 1);
			break;
		case 1:
			if (take(data, size, &pos, &v, 4) < 0)
				goto out;
			__atomic_store_n(&c->tx.hdr->write_index, v,
					 __ATOMIC_RELEASE);
			break;
		case 2:
			if (take(data, size, &pos, &v, 4) < 0)
				goto out;
			__atomic_store_n(&c->rx.hdr->read_index, v,
					 __ATOMIC_RELEASE);
			break;
		case 3:
			if (take(data, size, &pos, &len, 1) < 0 ||
			    take(data, size, &pos, pkt, len) < 0)
				goto out;
			hvsim_guest_chan_send(c, VMB_PKT_DATA_INBAND, op & 1,
					      op, NULL, 0, pkt, len);
			break;
		}
		hvsim_poll(h);
		while (vmb_ring_read(&c->rx, buf, sizeof(buf)) > 0)
			;
		vmb_ring_commit(&c->rx);
	}
out:
	hvsim_guest_chan_forget(g, c);
	hvsim_guest_destroy(g);
	hvsim_poll(h);
	hvsim_destroy(h);
	return 0;
}
