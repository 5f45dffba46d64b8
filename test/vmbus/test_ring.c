/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Ring buffer unit tests: framing and wrap-around at every start offset,
 * space accounting, signal decisions on both sides, and every corruption
 * the reader and writer must detect.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vmb_ring.h"

/* CHECK_EQ with a note printed on failure. */
#define CHECK_EQ_M(a, b, fmt, ...) do {					\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	CHECK(a_ == b_, "%lld != %lld: " fmt, a_, b_, __VA_ARGS__);	\
} while (0)

#define DSIZE 256u

struct mem {
	struct vmb_ring_hdr hdr;
	uint8_t data[DSIZE];
};

static struct mem *
mem_new(uint32_t start, uint32_t features)
{
	size_t sz = (sizeof(struct mem) + 4095) & ~(size_t)4095;
	struct mem *m = aligned_alloc(4096, sz);

	REQUIRE(m != NULL);
	memset(m->data, 0xa5, sizeof(m->data));
	vmb_ring_hdr_reset(&m->hdr, features);
	m->hdr.write_index = start;
	m->hdr.read_index = start;
	return m;
}

/* Writer and reader views of the same ring. */
static void
views(struct mem *m, struct vmb_ring *w, struct vmb_ring *r)
{
	REQUIRE(vmb_ring_init(w, &m->hdr, m->data, DSIZE) == 0);
	REQUIRE(vmb_ring_init(r, &m->hdr, m->data, DSIZE) == 0);
}

static void
fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7 + 1);
}

static void
test_init(void)
{
	struct mem *m = mem_new(0, 0);
	struct vmb_ring r;
	static uint8_t big[3 * 4096];

	CHECK_EQ(vmb_ring_init(&r, &m->hdr, m->data, 100), -EINVAL);
	CHECK_EQ(vmb_ring_init(&r, &m->hdr, m->data, 24), -EINVAL);
	CHECK_EQ(vmb_ring_init(&r, NULL, m->data, DSIZE), -EINVAL);
	CHECK_EQ(vmb_ring_init_mem(&r, big, 4096), -EINVAL);
	CHECK_EQ(vmb_ring_init_mem(&r, big, 3 * 4096 - 8), -EINVAL);
	CHECK_EQ(vmb_ring_init_mem(&r, big, sizeof(big)), 0);
	CHECK_EQ(r.size, 2 * 4096);
	CHECK(r.data == big + 4096);
	m->hdr.write_index = DSIZE;
	CHECK_EQ(vmb_ring_init(&r, &m->hdr, m->data, DSIZE), -EBADMSG);
	CHECK_EQ(r.stats.bad_index, 1);
	m->hdr.write_index = 0;
	m->hdr.read_index = 12;
	CHECK_EQ(vmb_ring_init(&r, &m->hdr, m->data, DSIZE), -EBADMSG);
	CHECK_EQ(vmb_ring_set_limits(&r, 8, 1), -EINVAL);
	CHECK_EQ(vmb_ring_set_limits(&r, 64, 0), -EINVAL);
	free(m);
}

/* One packet written at @start with @ext_len/@len, read back and checked. */
static void
roundtrip_at(uint32_t start, uint32_t ext_len, uint32_t len)
{
	struct mem *m = mem_new(start, 0);
	struct vmb_ring w, r;
	uint8_t ext[64], pay[DSIZE], out[DSIZE];
	struct vmb_iov iov[3];
	struct vmb_pkt_desc d;
	uint32_t pktlen = (16 + ext_len + len + 7) & ~7u;
	uint32_t a = len / 3, b = len / 2 - len / 3;
	uint64_t trailer;
	uint32_t tpos, i;
	int n;

	views(m, &w, &r);
	fill(ext, ext_len, start);
	fill(pay, len, start + 1);
	iov[0] = (struct vmb_iov){ pay, a };
	iov[1] = (struct vmb_iov){ pay + a, b };
	iov[2] = (struct vmb_iov){ pay + a + b, len - a - b };
	CHECK_EQ(vmb_ring_write(&w, VMB_PKT_DATA_INBAND, VMB_PKT_FLAG_RC,
				0x1122334455667788ull + start, ext, ext_len,
				iov, 3), 1);
	CHECK_EQ(m->hdr.write_index, (start + pktlen + 8) % DSIZE);
	/* Trailer: the start index in the upper half, wherever it wrapped. */
	tpos = (start + pktlen) % DSIZE;
	vmb_ring_get(&r, tpos, &trailer, 8);
	CHECK_EQ_M(trailer, (uint64_t)start << 32, "start %u", start);

	n = vmb_ring_peek(&r, &d);
	CHECK_EQ(n, pktlen);
	CHECK_EQ(d.type, VMB_PKT_DATA_INBAND);
	CHECK_EQ(d.data_offset8, (16 + ext_len) / 8);
	CHECK_EQ(d.length8, pktlen / 8);
	CHECK_EQ(d.flags, VMB_PKT_FLAG_RC);
	CHECK(d.xid == 0x1122334455667788ull + start);
	memset(out, 0, sizeof(out));
	n = vmb_ring_read(&r, out, sizeof(out));
	CHECK_EQ(n, pktlen);
	CHECK(memcmp(out, &d, 16) == 0);
	CHECK(memcmp(out + 16, ext, ext_len) == 0, "ext at start %u", start);
	CHECK(memcmp(out + 16 + ext_len, pay, len) == 0,
	      "payload at start %u len %u", start, len);
	for (i = 16 + ext_len + len; i < pktlen; i++)
		CHECK_EQ(out[i], 0);
	CHECK_EQ(vmb_ring_peek(&r, &d), -EAGAIN);
	CHECK_EQ(m->hdr.read_index, start);	/* deferred */
	CHECK_EQ(vmb_ring_commit(&r), 0);
	CHECK_EQ(m->hdr.read_index, m->hdr.write_index);
	CHECK_EQ(r.stats.errors + w.stats.errors, 0);
	free(m);
}

static void
test_wrap_every_start(void)
{
	static const uint32_t lens[][2] = {
		{ 0, 0 }, { 0, 1 }, { 0, 7 }, { 0, 8 }, { 8, 13 },
		{ 16, 40 }, { 0, 100 }, { 24, 150 }, { 0, DSIZE - 32 },
	};
	uint32_t start, i;

	for (start = 0; start < DSIZE; start += 8)
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			roundtrip_at(start, lens[i][0], lens[i][1]);
}

static void
test_full_empty(void)
{
	struct mem *m = mem_new(0, 0);
	struct vmb_ring w, r;
	struct vmb_pkt_desc d;
	uint8_t pay[DSIZE], out[DSIZE];
	int rc;

	views(m, &w, &r);
	CHECK_EQ(vmb_ring_peek(&r, &d), -EAGAIN);
	CHECK_EQ(vmb_ring_avail(&r), 0);
	fill(pay, sizeof(pay), 3);
	/* total == data size can never fit: full would look empty. */
	CHECK_EQ(vmb_ring_stage_buf(&w, 6, 0, 1, NULL, 0, pay, DSIZE - 24),
		 -EAGAIN);
	CHECK_EQ(w.stats.full, 1);
	CHECK_EQ(w.wr_need, DSIZE);
	/* The largest packet: total = size - 8. */
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 2, NULL, 0,
				&(struct vmb_iov){ pay, DSIZE - 32 }, 1), 1);
	CHECK_EQ(vmb_ring_avail(&r), DSIZE - 8);
	/* 8 bytes free: not even a minimal packet. */
	CHECK_EQ(vmb_ring_stage_buf(&w, 6, 0, 3, NULL, 0, NULL, 0), -EAGAIN);
	CHECK_EQ(w.stats.full, 2);
	rc = vmb_ring_read(&r, out, sizeof(out));
	CHECK_EQ(rc, DSIZE - 16);
	CHECK(memcmp(out + 16, pay, DSIZE - 32) == 0);
	CHECK_EQ(vmb_ring_commit(&r), 0);
	CHECK_EQ(vmb_ring_avail(&r), 0);
	free(m);
}

/* Strictly more free space than the packet: exact fit is refused. */
static void
test_one_slot_free(void)
{
	struct mem *m = mem_new(64, 0);
	struct vmb_ring w, r;
	uint8_t pay[DSIZE] = { 0 };

	views(m, &w, &r);
	/* Use 128 bytes: 104 payload + 16 descriptor + 8 trailer. */
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 0, NULL, 0,
				&(struct vmb_iov){ pay, 104 }, 1), 1);
	/* 128 free. A packet of total 128 must be refused... */
	CHECK_EQ(vmb_ring_stage_buf(&w, 6, 0, 0, NULL, 0, pay, 104), -EAGAIN);
	/* ...one of 120 fits, leaving exactly 8. */
	CHECK_EQ(vmb_ring_stage_buf(&w, 6, 0, 0, NULL, 0, pay, 96), 0);
	CHECK_EQ(vmb_ring_publish(&w), 0);	/* was not empty */
	CHECK_EQ(vmb_ring_avail(&r), DSIZE - 8);
	CHECK_EQ(vmb_ring_stage_buf(&w, 6, 0, 0, NULL, 0, NULL, 0), -EAGAIN);
	free(m);
}

static void
test_bad_args(void)
{
	struct mem *m = mem_new(0, 0);
	struct vmb_ring w, r;
	uint8_t ext[16] = { 0 };

	views(m, &w, &r);
	CHECK_EQ(vmb_ring_stage_buf(&w, 6, 0, 0, ext, 12, NULL, 0), -EINVAL);
	CHECK_EQ(vmb_ring_stage(&w, 6, 0, 0, NULL, 0,
				&(struct vmb_iov){ ext, 0xffffffffu }, 1),
		 -EMSGSIZE);
	CHECK_EQ(vmb_ring_stage(&w, 6, 0, 0, NULL, 0,
				&(struct vmb_iov){ ext, VMB_PKT_MAX_LEN - 15 },
				1), -EMSGSIZE);
	CHECK_EQ(vmb_ring_publish(&w), 0);
	CHECK_EQ(m->hdr.write_index, 0);
	CHECK_EQ(vmb_ring_skip(&r), -EINVAL);
	CHECK_EQ(w.stats.errors, 0);
	free(m);
}

static void
test_writer_signal(void)
{
	struct mem *m = mem_new(0, 0);
	struct vmb_ring w, r;
	uint8_t out[DSIZE];
	int i;

	views(m, &w, &r);
	/* Batch: nothing visible until publish; one signal for three. */
	for (i = 0; i < 3; i++)
		CHECK_EQ(vmb_ring_stage_buf(&w, 6, 0, i, NULL, 0, "abc", 3), 0);
	CHECK_EQ(m->hdr.write_index, 0);
	CHECK_EQ(vmb_ring_avail(&r), 0);
	CHECK_EQ(vmb_ring_publish(&w), 1);
	CHECK_EQ(m->hdr.write_index, 3 * 32);
	CHECK_EQ(vmb_ring_publish(&w), 0);	/* nothing staged */
	/* Not empty before: no signal. */
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 9, NULL, 0, NULL, 0), 0);
	/* Reader drains; consumed but unpublished still counts as busy. */
	while (vmb_ring_read(&r, out, sizeof(out)) > 0)
		;
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 9, NULL, 0, NULL, 0), 0);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 16);
	CHECK_EQ(vmb_ring_commit(&r), 0);
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 9, NULL, 0, NULL, 0), 1);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 16);
	CHECK_EQ(vmb_ring_commit(&r), 0);
	/* Masked reader: never signalled; unmask finds the data. */
	vmb_ring_intr_mask(&r);
	CHECK_EQ(m->hdr.interrupt_mask, 1);
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 9, NULL, 0, NULL, 0), 0);
	CHECK_EQ(vmb_ring_intr_unmask(&r), 24);
	CHECK_EQ(m->hdr.interrupt_mask, 0);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 16);
	CHECK_EQ(vmb_ring_commit(&r), 0);
	CHECK_EQ(vmb_ring_intr_unmask(&r), 0);
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 9, NULL, 0, NULL, 0), 1);
	CHECK_EQ(w.stats.signals, 3);
	free(m);
}

/* Fill the ring with 64-byte packets (56 + trailer... 64 total each). */
static int
fill_ring(struct vmb_ring *w, uint32_t *count)
{
	uint8_t pay[40] = { 0 };
	int rc;

	*count = 0;
	while ((rc = vmb_ring_stage_buf(w, 6, 0, *count, NULL, 0, pay,
					sizeof(pay))) == 0)
		(*count)++;
	vmb_ring_publish(w);
	return rc;
}

static void
test_pending_send_sz(void)
{
	struct mem *m = mem_new(0, VMB_RING_FEAT_PENDING_SZ);
	struct vmb_ring w, r;
	uint8_t out[DSIZE];
	uint32_t n;

	views(m, &w, &r);
	/* 256 bytes, 64 per packet: three fit (the fourth would fill it). */
	CHECK_EQ(fill_ring(&w, &n), -EAGAIN);
	CHECK_EQ(n, 3);
	CHECK_EQ(w.wr_need, 64);
	CHECK_EQ(vmb_ring_wait_prepare(&w), 0);
	CHECK_EQ(m->hdr.pending_send_sz, 64);
	/* Free 64 -> 128: crosses 64, signal once. */
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 56);
	CHECK_EQ(vmb_ring_commit(&r), 1);
	/* 128 -> 192: already above, no second signal. */
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 56);
	CHECK_EQ(vmb_ring_commit(&r), 0);
	/* The writer's next publish clears pending_send_sz. */
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 0, NULL, 0,
				&(struct vmb_iov){ out, 40 }, 1), 0);
	CHECK_EQ(m->hdr.pending_send_sz, 0);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 56);
	CHECK_EQ(vmb_ring_commit(&r), 0);	/* pss 0: no signal */

	/* Space that appears between -EAGAIN and wait_prepare. */
	CHECK_EQ(fill_ring(&w, &n), -EAGAIN);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 56);
	CHECK_EQ(vmb_ring_commit(&r), 0);
	CHECK_EQ(vmb_ring_wait_prepare(&w), 1);
	vmb_ring_wait_cancel(&w);
	CHECK_EQ(m->hdr.pending_send_sz, 0);

	/* A batched commit over the threshold signals once. */
	while (vmb_ring_read(&r, out, sizeof(out)) > 0)
		;
	CHECK_EQ(vmb_ring_commit(&r), 0);
	CHECK_EQ(fill_ring(&w, &n), -EAGAIN);
	CHECK_EQ(vmb_ring_wait_prepare(&w), 0);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 56);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 56);
	CHECK_EQ(vmb_ring_commit(&r), 1);

	/* Feature bit clear: the reader never signals. */
	m->hdr.feature_bits = 0;
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 0, NULL, 0, NULL, 0), 0);
	CHECK_EQ(fill_ring(&w, &n), -EAGAIN);
	CHECK_EQ(vmb_ring_wait_prepare(&w), 0);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 56);
	CHECK_EQ(vmb_ring_commit(&r), 0);
	CHECK_EQ(r.stats.errors + w.stats.errors, 0);
	free(m);
}

/*
 * One thread reading ring A and writing ring B (a channel's two rings):
 * vmb_ring_commit_publish() gives the same decisions as vmb_ring_commit()
 * of A plus vmb_ring_publish() of B.
 */
static void
test_commit_publish(void)
{
	struct mem *ma = mem_new(0, VMB_RING_FEAT_PENDING_SZ);
	struct mem *mb = mem_new(0, 0);
	struct vmb_ring aw, ar, bw, br;
	uint8_t out[DSIZE];
	uint32_t n;

	views(ma, &aw, &ar);
	views(mb, &bw, &br);
	/* Nothing read, nothing staged: nothing to do. */
	CHECK_EQ(vmb_ring_commit_publish(&ar, &bw), 0);
	/* Only staged, B empty before: the writer's rule signals. */
	CHECK_EQ(vmb_ring_stage_buf(&bw, 6, 0, 1, NULL, 0, "abc", 3), 0);
	CHECK_EQ(vmb_ring_commit_publish(&ar, &bw), 1);
	CHECK_EQ(mb->hdr.write_index, 32);
	/* B not empty before: no signal for more. */
	CHECK_EQ(vmb_ring_stage_buf(&bw, 6, 0, 2, NULL, 0, "abc", 3), 0);
	CHECK_EQ(vmb_ring_commit_publish(&ar, &bw), 0);
	CHECK_EQ(mb->hdr.write_index, 64);
	/* Only read, A's writer waits for 64 bytes: the reader's rule
	 * signals once, on the crossing; the read index is published. */
	CHECK_EQ(fill_ring(&aw, &n), -EAGAIN);
	CHECK_EQ(vmb_ring_wait_prepare(&aw), 0);
	CHECK_EQ(vmb_ring_read(&ar, out, sizeof(out)), 56);
	CHECK_EQ(vmb_ring_commit_publish(&ar, &bw), 1);
	CHECK_EQ(ma->hdr.read_index, 64);
	CHECK_EQ(vmb_ring_read(&ar, out, sizeof(out)), 56);
	CHECK_EQ(vmb_ring_commit_publish(&ar, &bw), 0);
	/* Both: either rule is enough. B drained by its reader first. */
	while (vmb_ring_read(&br, out, sizeof(out)) > 0)
		;
	CHECK_EQ(vmb_ring_commit(&br), 0);
	CHECK_EQ(vmb_ring_read(&ar, out, sizeof(out)), 56);
	CHECK_EQ(vmb_ring_stage_buf(&bw, 6, 0, 3, NULL, 0, "abc", 3), 0);
	CHECK_EQ(vmb_ring_commit_publish(&ar, &bw), 1);
	CHECK_EQ(ma->hdr.read_index, 192);
	CHECK_EQ(mb->hdr.write_index, 96);
	/* A masked reader of B gets no signal from the writer's rule. */
	vmb_ring_intr_mask(&br);
	while (vmb_ring_read(&br, out, sizeof(out)) > 0)
		;
	CHECK_EQ(vmb_ring_commit(&br), 0);
	CHECK_EQ(vmb_ring_stage_buf(&bw, 6, 0, 4, NULL, 0, "abc", 3), 0);
	CHECK_EQ(vmb_ring_commit_publish(&ar, &bw), 0);
	CHECK_EQ(ar.stats.errors + bw.stats.errors, 0);
	free(ma);
	free(mb);
}

static void
test_small_buffer_skip(void)
{
	struct mem *m = mem_new(0, 0);
	struct vmb_ring w, r;
	struct vmb_pkt_desc d;
	uint8_t out[DSIZE];

	views(m, &w, &r);
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 1, NULL, 0,
				&(struct vmb_iov){ out, 100 }, 1), 1);
	CHECK_EQ(vmb_ring_write(&w, 0xB, 0, 2, NULL, 0, NULL, 0), 0);
	CHECK_EQ(vmb_ring_read(&r, out, 64), -ENOBUFS);
	CHECK_EQ(vmb_ring_peek(&r, &d), 120);
	CHECK_EQ(vmb_ring_skip(&r), 0);
	CHECK_EQ(vmb_ring_skip(&r), -EINVAL);
	CHECK_EQ(vmb_ring_read(&r, out, 64), 16);
	memcpy(&d, out, sizeof(d));
	CHECK_EQ(d.type, VMB_PKT_COMPLETION);
	CHECK(d.xid == 2);
	CHECK_EQ(r.stats.errors, 0);
	free(m);
}

/* The peer rewrites a descriptor after we validated it: skip must use the
 * length seen at peek time, not re-read the ring.
 */
static void
test_skip_after_tamper(void)
{
	struct mem *m = mem_new(0, 0);
	struct vmb_ring w, r;
	struct vmb_pkt_desc d;
	uint8_t out[DSIZE];
	uint16_t huge = 0xfff0;

	views(m, &w, &r);
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 1, NULL, 0,
				&(struct vmb_iov){ out, 40 }, 1), 1);
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 2, NULL, 0, NULL, 0), 0);
	CHECK_EQ(vmb_ring_peek(&r, &d), 56);
	memcpy(&m->data[4], &huge, 2);		/* length8 of packet 1 */
	CHECK_EQ(vmb_ring_skip(&r), 0);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 16);
	memcpy(&d, out, sizeof(d));
	CHECK(d.xid == 2);
	CHECK_EQ(r.stats.errors, 0);
	free(m);
}

/* Completions of one shape, taken by comparing their first descriptor
 * word with one a peek accepted: the run stops at another shape, at
 * @max, at the end of what was published and at a descriptor across the
 * ring's end (each left to vmb_ring_peek()).
 */
static void
test_take_like(void)
{
	struct mem *m = mem_new(0, 0);
	struct vmb_ring w, r;
	struct vmb_pkt_desc d;
	uint8_t pay[16] = { 0 };
	uint64_t like, xid[8];
	uint32_t i;

	views(m, &w, &r);
	/* 24 + 8 bytes each, then one 8 bytes longer (another length8). */
	for (i = 1; i <= 3; i++)
		CHECK_EQ(vmb_ring_write(&w, VMB_PKT_COMPLETION, 0, i, NULL, 0,
					&(struct vmb_iov){ pay, 8 }, 1) >= 0, 1);
	CHECK_EQ(vmb_ring_write(&w, VMB_PKT_COMPLETION, 0, 4, NULL, 0,
				&(struct vmb_iov){ pay, 16 }, 1) >= 0, 1);
	for (i = 5; i <= 7; i++)
		CHECK_EQ(vmb_ring_write(&w, VMB_PKT_COMPLETION, 0, i, NULL, 0,
					&(struct vmb_iov){ pay, 8 }, 1) >= 0, 1);
	CHECK_EQ(vmb_ring_peek(&r, &d), 24);
	memcpy(&like, &d, sizeof(like));
	CHECK_EQ(vmb_ring_skip(&r), 0);
	CHECK_EQ(vmb_ring_take_like(&r, like, xid, 8), 2);
	CHECK(xid[0] == 2 && xid[1] == 3);
	/* Another length: nothing taken, the peek decides. */
	CHECK_EQ(vmb_ring_take_like(&r, like, xid, 8), 0);
	CHECK_EQ(vmb_ring_peek(&r, &d), 32);
	CHECK(d.xid == 4);
	CHECK_EQ(vmb_ring_skip(&r), 0);
	CHECK_EQ(vmb_ring_take_like(&r, like, xid, 1), 1);
	CHECK(xid[0] == 5);
	CHECK_EQ(vmb_ring_take_like(&r, like, xid, 8), 2);
	CHECK(xid[0] == 6 && xid[1] == 7);
	/* Empty as last seen: the write index is not loaded. */
	CHECK_EQ(vmb_ring_take_like(&r, like, xid, 8), 0);
	CHECK_EQ(vmb_ring_commit(&r), 0);
	CHECK_EQ(m->hdr.read_index, m->hdr.write_index);
	/* Published but not yet seen by the reader: left to the peek. */
	CHECK_EQ(vmb_ring_write(&w, VMB_PKT_COMPLETION, 0, 8, NULL, 0,
				&(struct vmb_iov){ pay, 8 }, 1) >= 0, 1);
	CHECK_EQ(vmb_ring_take_like(&r, like, xid, 8), 0);
	CHECK_EQ(vmb_ring_peek(&r, &d), 24);
	CHECK(d.xid == 8);
	CHECK_EQ(vmb_ring_skip(&r), 0);
	CHECK_EQ(r.stats.errors, 0);
	free(m);

	/* A descriptor across the ring's end is not read by the run. */
	m = mem_new(DSIZE - 8, 0);
	views(m, &w, &r);
	for (i = 1; i <= 3; i++)
		CHECK_EQ(vmb_ring_write(&w, VMB_PKT_COMPLETION, 0, i, NULL, 0,
					&(struct vmb_iov){ pay, 8 }, 1) >= 0, 1);
	CHECK_EQ(vmb_ring_peek(&r, &d), 24);	/* refresh the write index */
	CHECK_EQ(vmb_ring_take_like(&r, like, xid, 8), 0);
	CHECK_EQ(vmb_ring_skip(&r), 0);
	CHECK(d.xid == 1);
	CHECK_EQ(vmb_ring_take_like(&r, like, xid, 8), 2);
	CHECK(xid[0] == 2 && xid[1] == 3);
	CHECK_EQ(r.stats.errors, 0);
	free(m);

	/* A run ends with the last packet whose descriptor is before the
	 * ring's end (its body across it: 16 bytes left there); the next
	 * run starts past the wrap. */
	m = mem_new(DSIZE - 3 * 32 - 16, 0);
	views(m, &w, &r);
	for (i = 1; i <= 5; i++)
		CHECK_EQ(vmb_ring_write(&w, VMB_PKT_COMPLETION, 0, i, NULL, 0,
					&(struct vmb_iov){ pay, 8 }, 1) >= 0, 1);
	CHECK_EQ(vmb_ring_peek(&r, &d), 24);
	CHECK_EQ(vmb_ring_skip(&r), 0);
	CHECK_EQ(vmb_ring_take_like(&r, like, xid, 8), 3);
	CHECK(xid[0] == 2 && xid[1] == 3 && xid[2] == 4);
	CHECK_EQ(r.rd_pos, 16);
	CHECK_EQ(vmb_ring_take_like(&r, like, xid, 8), 1);
	CHECK(xid[0] == 5);
	CHECK_EQ(vmb_ring_take_like(&r, like, xid, 8), 0);
	CHECK_EQ(r.stats.errors, 0);
	free(m);
}

/* A packet written in place: reserve() gives the place only when the
 * packet and its trailer fit before both the reader and the ring's end
 * (strictly: the ring is never filled), produce() stages it; what the
 * reader gets is what vmb_ring_stage() would have written. Elsewhere
 * reserve() says no and vmb_ring_stage() decides.
 */
static void
test_reserve(void)
{
	struct mem *m = mem_new(0, 0);
	struct vmb_ring w, r;
	struct vmb_pkt_desc d;
	uint8_t out[DSIZE], *p;
	uint64_t word = vmb_pkt_desc_word(6, 2, 5, VMB_PKT_FLAG_RC), x = 77;
	uint32_t i;

	views(m, &w, &r);
	p = vmb_ring_reserve(&w, 40);
	CHECK(p == m->data);
	memcpy(p, &word, 8);
	memcpy(p + 8, &x, 8);
	fill(p + 16, 24, 3);
	CHECK_EQ(m->hdr.write_index, 0);
	vmb_ring_produce(&w, 40);
	CHECK_EQ(w.wr_pos, 48);
	CHECK_EQ(vmb_ring_publish(&w), 1);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 40);
	memcpy(&d, out, sizeof(d));
	CHECK(d.type == 6 && d.data_offset8 == 2 && d.length8 == 5 &&
	      d.flags == VMB_PKT_FLAG_RC && d.xid == 77);
	for (i = 0; i < 24; i++)
		CHECK_EQ(out[16 + i], (uint8_t)(3 * 31 + i * 7 + 1));
	CHECK_EQ(vmb_ring_commit(&r), 0);
	/* Trailer: the packet's start in the upper half. */
	memcpy(&x, m->data + 40, 8);
	CHECK(x == 0);
	/* At 48: 208 bytes to the end. 200 + 8 is not strictly less. */
	CHECK(vmb_ring_reserve(&w, 200) == NULL);
	CHECK(vmb_ring_reserve(&w, 192) == m->data + 48);
	free(m);

	/* The reader ahead of the writer (cached read index): room up to
	 * it, strictly. */
	m = mem_new(0, 0);
	views(m, &w, &r);
	for (i = 0; i < 6; i++)
		CHECK_EQ(vmb_ring_stage(&w, 6, 0, i, NULL, 0,
					&(struct vmb_iov){ out, 16 }, 1), 0);
	CHECK_EQ(vmb_ring_publish(&w), 1);	/* 6 x 40: write at 240 */
	for (i = 0; i < 3; i++)
		CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 32);
	CHECK_EQ(vmb_ring_commit(&r), 0);	/* read at 120 */
	/* Near the end, and the read index not seen yet: no. */
	CHECK(vmb_ring_reserve(&w, 8) == NULL);
	CHECK_EQ(vmb_ring_stage(&w, 6, 0, 9, NULL, 0,
				&(struct vmb_iov){ out, 16 }, 1), 0);
	CHECK_EQ(w.wr_pos, 24);			/* wrapped, read index seen */
	CHECK(vmb_ring_reserve(&w, 88) == NULL);	/* 24 + 96 = 120 */
	CHECK(vmb_ring_reserve(&w, 80) == m->data + 24);
	CHECK_EQ(r.stats.errors + w.stats.errors, 0);
	free(m);
}

/* Packet @p i of a span test: 40 bytes, its xid i, its body seeded by i. */
static void
span_put(struct vmb_ring_span *s, uint32_t i)
{
	uint64_t word = vmb_pkt_desc_word(6, 2, 5, VMB_PKT_FLAG_RC);
	uint64_t x = i;
	uint8_t *p = vmb_ring_span_reserve(s, 40);

	REQUIRE(p != NULL);
	memcpy(p, &word, 8);
	memcpy(p + 8, &x, 8);
	fill(p + 16, 24, i);
	vmb_ring_span_produce(s, 40);
}

static void
span_get(struct vmb_ring *r, uint32_t i)
{
	struct vmb_pkt_desc d;
	uint8_t out[DSIZE] = { 0 };
	uint32_t k;

	CHECK_EQ(vmb_ring_read(r, out, sizeof(out)), 40);
	memcpy(&d, out, sizeof(d));
	CHECK(d.type == 6 && d.length8 == 5 && d.xid == i);
	for (k = 0; k < 24; k++)
		CHECK_EQ(out[16 + k], (uint8_t)(i * 31 + k * 7 + 1));
}

/* A run of packets written in place: the room taken once (up to the end,
 * or strictly below the reader), nothing staged before the close, the
 * packets read back in order with their trailers; none on a broken
 * ring. */
static void
test_span(void)
{
	struct mem *m = mem_new(0, 0);
	struct vmb_ring_span s;
	struct vmb_ring w, r;
	uint8_t out[DSIZE] = { 0 };
	uint64_t x;
	uint32_t i;

	views(m, &w, &r);
	vmb_ring_span_open(&w, &s);
	/* 48 bytes each with the trailer, strictly inside the ring: at
	 * 192, 48 + 8 fits and 56 + 8 (to 256) does not; at 240 nothing. */
	for (i = 0; i < 4; i++)
		span_put(&s, i);
	CHECK(vmb_ring_span_reserve(&s, 56) == NULL);
	CHECK(vmb_ring_span_reserve(&s, 48) == m->data + 192);
	span_put(&s, 4);
	CHECK(vmb_ring_span_reserve(&s, 8) == NULL);
	CHECK_EQ(w.wr_pos, 0);
	vmb_ring_span_close(&w, &s);
	CHECK_EQ(w.wr_pos, 240);
	CHECK_EQ(m->hdr.write_index, 0);
	CHECK_EQ(vmb_ring_publish(&w), 1);
	for (i = 0; i < 5; i++) {
		memcpy(&x, m->data + i * 48 + 40, 8);
		CHECK(x == (uint64_t)(i * 48) << 32);
		span_get(&r, i);
	}
	CHECK_EQ(vmb_ring_commit(&r), 0);
	/* Read at 240: the rest of the ring goes to vmb_ring_stage(). */
	vmb_ring_span_open(&w, &s);
	CHECK(vmb_ring_span_reserve(&s, 8) == NULL);
	CHECK_EQ(vmb_ring_stage(&w, 6, 0, 9, NULL, 0,
				&(struct vmb_iov){ out, 16 }, 1), 0);
	CHECK_EQ(w.wr_pos, 24);			/* wrapped, read index seen */
	CHECK_EQ(vmb_ring_publish(&w), 1);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 32);
	CHECK_EQ(vmb_ring_commit(&r), 0);	/* read at 24 */
	/* Writer at 24 and the reader there too: up to the end, 4 fit. */
	vmb_ring_span_open(&w, &s);
	for (i = 10; i < 14; i++)
		span_put(&s, i);
	CHECK(vmb_ring_span_reserve(&s, 40) == NULL);	/* 216 + 48 > 256 */
	vmb_ring_span_close(&w, &s);
	CHECK_EQ(vmb_ring_publish(&w), 1);
	for (i = 10; i < 12; i++)
		span_get(&r, i);
	CHECK_EQ(vmb_ring_commit(&r), 0);	/* read at 120 */
	/* The writer at 216 stages a packet to the ring's end (40 bytes:
	 * back to 0); the reader is ahead at 120: two packets of 48, and
	 * no third (144); at 96, 8 + 8 fits and 16 + 8 (to 120) does not. */
	CHECK_EQ(vmb_ring_stage(&w, 6, 0, 20, NULL, 0,
				&(struct vmb_iov){ out, 16 }, 1), 0);
	CHECK_EQ(w.wr_pos, 0);
	vmb_ring_span_open(&w, &s);
	span_put(&s, 21);
	span_put(&s, 22);
	CHECK(vmb_ring_span_reserve(&s, 40) == NULL);
	CHECK(vmb_ring_span_reserve(&s, 16) == NULL);
	CHECK(vmb_ring_span_reserve(&s, 8) == m->data + 96);
	vmb_ring_span_close(&w, &s);
	CHECK_EQ(vmb_ring_publish(&w), 0);	/* reader had not caught up */
	for (i = 12; i < 14; i++)
		span_get(&r, i);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 32);
	span_get(&r, 21);
	span_get(&r, 22);
	CHECK_EQ(vmb_ring_commit(&r), 0);
	CHECK_EQ(r.stats.errors + w.stats.errors, 0);
	/* A broken ring gives no room. */
	w.broken = 1;
	vmb_ring_span_open(&w, &s);
	CHECK(vmb_ring_span_reserve(&s, 8) == NULL);
	CHECK(vmb_ring_reserve(&w, 8) == NULL);
	free(m);
}

/* A fresh view picks up where the previous owner of the ring stopped. */
static void
test_reattach(void)
{
	struct mem *m = mem_new(0, 0);
	struct vmb_ring w, r, w2, r2;
	uint8_t out[DSIZE];

	views(m, &w, &r);
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 1, NULL, 0, NULL, 0), 1);
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 2, NULL, 0, NULL, 0), 0);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 16);
	CHECK_EQ(vmb_ring_commit(&r), 0);
	views(m, &w2, &r2);
	CHECK_EQ(vmb_ring_read(&r2, out, sizeof(out)), 16);
	CHECK(((struct vmb_pkt_desc *)out)->xid == 2);
	CHECK_EQ(vmb_ring_write(&w2, 6, 0, 3, NULL, 0, NULL, 0), 0);
	CHECK_EQ(vmb_ring_read(&r2, out, sizeof(out)), 16);
	CHECK(((struct vmb_pkt_desc *)out)->xid == 3);
	free(m);
}

enum corrupt_what {
	C_WIDX_RANGE, C_WIDX_ALIGN, C_AVAIL_8, C_DOFF_SMALL, C_LEN_LT_DOFF,
	C_LEN_BEYOND, C_TOO_BIG, C_TYPE_MASK, C_TYPE_HUGE, C_FLAGS,
	C_COUNT
};

/* Corrupt one thing in a ring holding one valid packet; the reader must
 * fail with -EBADMSG, count exactly one error of the right kind, and stay
 * failed.
 */
static void
corrupt_case(enum corrupt_what what)
{
	struct mem *m = mem_new(DSIZE - 8, 0);	/* descriptor wraps too */
	struct vmb_ring w, r;
	struct vmb_pkt_desc d;
	uint8_t out[DSIZE];
	uint64_t *kind = &r.stats.bad_desc;
	uint16_t v;

	views(m, &w, &r);
	CHECK_EQ(vmb_ring_write(&w, 6, 0, 1, NULL, 0,
				&(struct vmb_iov){ out, 40 }, 1), 1);
	/* Descriptor bytes 0-7 sit at DSIZE-8, the xid wraps to 0. */
	switch (what) {
	case C_WIDX_RANGE:
		m->hdr.write_index = DSIZE + 64;
		kind = &r.stats.bad_index;
		break;
	case C_WIDX_ALIGN:
		m->hdr.write_index = 60;
		kind = &r.stats.bad_index;
		break;
	case C_AVAIL_8:
		m->hdr.write_index = 0;
		kind = &r.stats.bad_index;
		break;
	case C_DOFF_SMALL:
		v = 1;
		memcpy(&m->data[DSIZE - 6], &v, 2);
		break;
	case C_LEN_LT_DOFF:
		v = 3;
		memcpy(&m->data[DSIZE - 6], &v, 2);
		v = 2;
		memcpy(&m->data[DSIZE - 4], &v, 2);
		break;
	case C_LEN_BEYOND:
		v = 8;	/* 64 bytes + trailer > 64 published */
		memcpy(&m->data[DSIZE - 4], &v, 2);
		break;
	case C_TOO_BIG:
		vmb_ring_set_limits(&r, 48, VMB_PKT_TYPES_NETVSC);
		kind = &r.stats.too_big;
		break;
	case C_TYPE_MASK:
		v = VMB_PKT_SYNCH;
		memcpy(&m->data[DSIZE - 8], &v, 2);
		break;
	case C_TYPE_HUGE:
		v = 0x8006;
		memcpy(&m->data[DSIZE - 8], &v, 2);
		break;
	case C_FLAGS:
		v = 0x2;
		memcpy(&m->data[DSIZE - 2], &v, 2);
		break;
	default:
		break;
	}
	CHECK_EQ_M(vmb_ring_read(&r, out, sizeof(out)), -EBADMSG, "case %d",
		 what);
	CHECK_EQ_M(r.stats.errors, 1, "case %d", what);
	CHECK_EQ_M(*kind, 1, "case %d", what);
	CHECK_EQ(vmb_ring_peek(&r, &d), -EBADMSG);
	CHECK_EQ(vmb_ring_avail(&r), -EBADMSG);
	CHECK_EQ(vmb_ring_intr_unmask(&r), -EBADMSG);
	CHECK_EQ_M(r.stats.errors, 1, "sticky, counted once: case %d", what);
	free(m);
}

static void
test_corrupt_reader(void)
{
	int i;

	for (i = 0; i < C_COUNT; i++)
		corrupt_case(i);
}

static void
test_corrupt_writer(void)
{
	struct mem *m = mem_new(0, VMB_RING_FEAT_PENDING_SZ);
	struct vmb_ring w, r;
	uint8_t out[DSIZE];
	uint32_t n;

	/* Bad read_index met when the writer runs short of space. */
	views(m, &w, &r);
	m->hdr.read_index = 4;
	CHECK_EQ(fill_ring(&w, &n), -EBADMSG);
	CHECK_EQ(w.stats.bad_index, 1);
	CHECK_EQ(vmb_ring_stage_buf(&w, 6, 0, 0, NULL, 0, NULL, 0), -EBADMSG);
	CHECK_EQ(vmb_ring_wait_prepare(&w), -EBADMSG);
	CHECK_EQ(w.stats.errors, 1);

	/* ...and in wait_prepare. */
	m->hdr.read_index = 0;
	m->hdr.write_index = 0;
	views(m, &w, &r);
	CHECK_EQ(fill_ring(&w, &n), -EAGAIN);
	m->hdr.read_index = DSIZE;
	CHECK_EQ(vmb_ring_wait_prepare(&w), -EBADMSG);
	CHECK_EQ(w.stats.bad_index, 1);

	/* Reader meets a bad write_index in its pending_send_sz check. */
	m->hdr.read_index = 0;
	m->hdr.write_index = 0;
	views(m, &w, &r);
	CHECK_EQ(fill_ring(&w, &n), -EAGAIN);
	CHECK_EQ(vmb_ring_wait_prepare(&w), 0);
	CHECK_EQ(vmb_ring_read(&r, out, sizeof(out)), 56);
	m->hdr.write_index = 3;
	CHECK_EQ(vmb_ring_commit(&r), -EBADMSG);
	CHECK_EQ(r.stats.bad_index, 1);
	free(m);
}

int
main(void)
{
	test_init();
	test_wrap_every_start();
	test_full_empty();
	test_one_slot_free();
	test_bad_args();
	test_writer_signal();
	test_pending_send_sz();
	test_commit_publish();
	test_small_buffer_skip();
	test_skip_after_tamper();
	test_take_like();
	test_reserve();
	test_span();
	test_reattach();
	test_corrupt_reader();
	test_corrupt_writer();
	return check_exit("test_ring");
}
