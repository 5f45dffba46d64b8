/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * VMBus ring buffer, both roles, over caller-provided memory.
 *
 * A ring is one 4 KiB header page (struct vmb_ring_hdr) and a data area. The
 * side that writes a ring calls vmb_ring_stage()/vmb_ring_publish() (or
 * vmb_ring_write()); the side that reads it calls vmb_ring_peek(),
 * vmb_ring_read()/vmb_ring_skip() and vmb_ring_commit(). Guest and host use
 * the same code; a struct vmb_ring is one side's private view of one ring
 * and is used by one thread at a time (single producer, single consumer:
 * no compare-and-swap anywhere).
 *
 * Memory ordering (the peer runs concurrently on another CPU or VM):
 * - writer: packet bytes are stored, then write_index is stored with
 *   release semantics, so a reader that acquire-loads the index sees the
 *   bytes. Publishing is separate from staging so a burst pays for one
 *   index store and one full barrier.
 * - reader: packet bytes are copied out, then read_index is stored with
 *   release semantics, so the writer cannot overwrite bytes still being
 *   copied.
 * - signal decisions need a store->load barrier (x86 reorders a store with
 *   a later load): the writer orders its write_index store before loading
 *   interrupt_mask/read_index; the reader orders its read_index store
 *   before loading pending_send_sz, and its interrupt_mask clear before
 *   re-reading write_index. One vmb_smp_mb() per publish/commit/unmask,
 *   never per packet.
 *
 * Hardening: indices are read from shared memory once into locals and
 * validated (< data size, multiple of 8) before use; descriptors are copied
 * out and validated from the copy; a packet is copied out using only the
 * validated length. Any inconsistency marks the ring broken: the call and
 * every later one return -EBADMSG and stats.errors counts the event. The
 * writer never re-reads its own write_index from shared memory.
 */

#ifndef VMB_RING_H
#define VMB_RING_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmb_pkt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define vmb_likely(x)	__builtin_expect(!!(x), 1)
#define vmb_unlikely(x)	__builtin_expect(!!(x), 0)

/** Size of the ring header page. */
#define VMB_RING_HDR_SIZE	4096u
/** Largest data area this library accepts (keeps all arithmetic in u32/int). */
#define VMB_RING_MAX_DATA	(1u << 30)
/** Smallest data area: one minimal packet plus the free slot. */
#define VMB_RING_MIN_DATA	32u
/** feature_bits bit 0: pending_send_sz is honoured. */
#define VMB_RING_FEAT_PENDING_SZ	0x1u

/** Shared ring header page, layout fixed by the protocol. */
struct vmb_ring_hdr {
	uint32_t write_index;		/**< written by the ring's writer */
	uint32_t read_index;		/**< written by the ring's reader */
	uint32_t interrupt_mask;	/**< reader: non-zero = don't signal */
	uint32_t pending_send_sz;	/**< writer: free bytes it waits for */
	uint32_t reserved1[12];
	uint32_t feature_bits;		/**< VMB_RING_FEAT_* */
	uint8_t reserved2[4028];
};

_Static_assert(sizeof(struct vmb_ring_hdr) == VMB_RING_HDR_SIZE,
	       "ring header is one page");
_Static_assert(offsetof(struct vmb_ring_hdr, feature_bits) == 0x40,
	       "feature_bits at 0x40");

/** Per-ring counters (plain u64, updated by the owning thread only). */
struct vmb_ring_stats {
	uint64_t errors;	/**< corruption events (ring then broken) */
	uint64_t bad_index;	/**< peer index out of range / misaligned */
	uint64_t bad_desc;	/**< descriptor lengths, type or flags bad */
	uint64_t too_big;	/**< descriptor longer than max_pkt */
	uint64_t full;		/**< stage refused for lack of space */
	uint64_t signals;	/**< signal decisions that said "signal" */
};

/** One side's private view of one ring. Treat the fields as opaque. */
struct vmb_ring {
	struct vmb_ring_hdr *hdr;
	uint8_t *data;
	uint32_t size;		/**< data area bytes */
	uint32_t max_pkt;	/**< reader: largest length8 * 8 accepted */
	uint32_t type_mask;	/**< reader: VMB_PKT_TYPE_BIT()s accepted */
	uint32_t broken;	/**< non-zero once corruption was seen */
	/* writer side */
	uint32_t wr_pos;	/**< end of staged packets */
	uint32_t wr_pub;	/**< write_index last published */
	uint32_t wr_rd;		/**< read_index last seen (validated) */
	uint32_t wr_need;	/**< bytes the last refused packet needed */
	uint32_t wr_pending;	/**< we set pending_send_sz */
	/* reader side */
	uint32_t rd_pos;	/**< next packet to read */
	uint32_t rd_pub;	/**< read_index last published */
	uint32_t rd_w;		/**< write_index last seen (validated) */
	uint32_t rd_peeked;	/**< bytes of the peeked packet incl. trailer */
	struct vmb_ring_stats stats;
};

/** A piece of payload for vmb_ring_stage(). */
struct vmb_iov {
	const void *base;
	uint32_t len;
};

/** Kinds of corruption, for vmb_ring_corrupt(). */
enum vmb_ring_err {
	VMB_RING_ERR_INDEX,
	VMB_RING_ERR_DESC,
	VMB_RING_ERR_TOO_BIG,
};

/**
 * Zero a ring header page and set its feature bits. Done once by whoever
 * owns the ring memory (the guest, before OPENCHANNEL).
 */
void vmb_ring_hdr_reset(void *hdr, uint32_t feature_bits);

/**
 * Attach to a ring: header page @p hdr, data area @p data of @p data_size
 * bytes (multiple of 8, VMB_RING_MIN_DATA..VMB_RING_MAX_DATA). Reads and
 * validates both indices from the header. Reader limits default to
 * max_pkt = data_size - 16 and VMB_PKT_TYPES_NETVSC.
 *
 * @return 0, -EINVAL (bad size/pointers), -EBADMSG (indices invalid).
 */
int vmb_ring_init(struct vmb_ring *r, void *hdr, void *data,
		  uint32_t data_size);

/**
 * vmb_ring_init() over one contiguous area: header page then data pages.
 * @p len must be a multiple of 4096 and at least two pages.
 */
int vmb_ring_init_mem(struct vmb_ring *r, void *mem, size_t len);

/**
 * Reader limits: packets longer than @p max_pkt bytes (length8 * 8) or of a
 * type not in @p type_mask are corruption.
 *
 * @return 0, or -EINVAL if max_pkt < 16 or type_mask is 0.
 */
int vmb_ring_set_limits(struct vmb_ring *r, uint32_t max_pkt,
			uint32_t type_mask);

/** Record corruption: count it, mark the ring broken. Returns -EBADMSG. */
int vmb_ring_corrupt(struct vmb_ring *r, enum vmb_ring_err kind)
	__attribute__((cold));

/** Reader's pending_send_sz check after a commit (see vmb_ring_commit()). */
int vmb_ring_reader_signal(struct vmb_ring *r, uint32_t freed);
/** The same without the barrier, for a caller that has just paid one. */
int vmb_ring_reader_check(struct vmb_ring *r, uint32_t freed);

/**
 * Writer blocked (vmb_ring_stage() returned -EAGAIN): store the space it
 * needs in pending_send_sz, then re-check.
 *
 * @return 1 if space appeared meanwhile (retry now), 0 to wait for the
 *   reader's signal, -EBADMSG. The next publish clears pending_send_sz.
 */
int vmb_ring_wait_prepare(struct vmb_ring *r);

/** Writer gives up waiting: clear pending_send_sz. */
void vmb_ring_wait_cancel(struct vmb_ring *r);

/**
 * Compiler barrier: values copied out of shared memory before it are not
 * re-read from shared memory after it (no compiler-made double fetch).
 */
#define vmb_compiler_barrier()	__asm__ volatile("" ::: "memory")

/** Full memory barrier, cheapest form (a locked add to the stack on x86). */
static inline void
vmb_smp_mb(void)
{
#if defined(__x86_64__)
	/* Any locked RMW is a full barrier on x86 and costs less than mfence;
	 * -128 keeps clear of data the compiler may hold in the red zone
	 * (adding 0 leaves it intact anyway).
	 */
	__asm__ volatile("lock addl $0, -128(%%rsp)" ::: "memory", "cc");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Copy into the data area at @p pos, wrapping; returns the new position.
 * Callers guarantee len < size.
 */
static inline uint32_t
vmb_ring_put(struct vmb_ring *r, uint32_t pos, const void *src, uint32_t len)
{
	uint32_t room = r->size - pos;

	if (vmb_likely(len < room)) {
		memcpy(r->data + pos, src, len);
		return pos + len;
	}
	memcpy(r->data + pos, src, room);
	memcpy(r->data, (const uint8_t *)src + room, len - room);
	return len - room;
}

/* Copy out of the data area at @p pos, wrapping. Callers guarantee
 * pos < size and len < size.
 */
static inline void
vmb_ring_get(const struct vmb_ring *r, uint32_t pos, void *dst, uint32_t len)
{
	uint32_t room = r->size - pos;

	if (vmb_likely(len <= room)) {
		memcpy(dst, r->data + pos, len);
		return;
	}
	memcpy(dst, r->data + pos, room);
	memcpy((uint8_t *)dst + room, r->data, len - room);
}

/* Free bytes seen by the writer for a read index @p rd. */
static inline uint32_t
vmb_ring_wr_free(const struct vmb_ring *r, uint32_t rd)
{
	return rd > r->wr_pos ? rd - r->wr_pos : r->size - r->wr_pos + rd;
}

/**
 * Writer: stage one packet without publishing it. Total ring bytes are
 * 16 + @p ext_len + payload rounded up to 8, plus the 8-byte trailer; the
 * packet goes in only if strictly more space than that is free (the ring is
 * never filled completely, so full and empty stay distinguishable).
 *
 * @param ext      extended header (see vmb_pkt.h encoders), may be NULL
 * @param ext_len  its length, a multiple of 8
 * @param iov      payload pieces, concatenated
 * @return 0; -EAGAIN when it does not fit now (stats.full counted; see
 *   vmb_ring_wait_prepare()); -EMSGSIZE if it can never be described;
 *   -EINVAL for a bad @p ext_len; -EBADMSG on a broken ring.
 */
static inline int
vmb_ring_stage(struct vmb_ring *r, uint16_t type, uint16_t flags,
	       uint64_t xid, const void *ext, uint32_t ext_len,
	       const struct vmb_iov *iov, unsigned int iovcnt)
{
	struct vmb_pkt_desc d;
	uint64_t payload = 0;
	uint64_t trailer;
	uint32_t pktlen, total, pos, start, pad;
	uint8_t tail[16] = { 0 };
	unsigned int i;

	if (vmb_unlikely(r->broken))
		return -EBADMSG;
	if (vmb_unlikely(ext_len & 7))
		return -EINVAL;
	for (i = 0; i < iovcnt; i++)
		payload += iov[i].len;
	if (vmb_unlikely(payload + ext_len > VMB_PKT_MAX_LEN - VMB_PKT_DESC_SIZE))
		return -EMSGSIZE;
	pktlen = (uint32_t)(VMB_PKT_DESC_SIZE + ext_len + payload + 7) & ~7u;
	total = pktlen + VMB_PKT_TRAILER_SIZE;

	if (vmb_unlikely(vmb_ring_wr_free(r, r->wr_rd) <= total)) {
		/* The cached read index is stale-but-safe (the reader only
		 * frees space); look at the live one only when short.
		 */
		uint32_t rd = __atomic_load_n(&r->hdr->read_index,
					      __ATOMIC_ACQUIRE);

		if (vmb_unlikely(rd >= r->size || (rd & 7)))
			return vmb_ring_corrupt(r, VMB_RING_ERR_INDEX);
		r->wr_rd = rd;
		if (vmb_ring_wr_free(r, rd) <= total) {
			r->wr_need = total;
			r->stats.full++;
			return -EAGAIN;
		}
	}

	d.type = type;
	d.data_offset8 = (uint16_t)((VMB_PKT_DESC_SIZE + ext_len) >> 3);
	d.length8 = (uint16_t)(pktlen >> 3);
	d.flags = flags;
	d.xid = xid;
	start = r->wr_pos;
	pos = vmb_ring_put(r, start, &d, sizeof(d));
	if (ext_len)
		pos = vmb_ring_put(r, pos, ext, ext_len);
	for (i = 0; i < iovcnt; i++)
		if (iov[i].len)
			pos = vmb_ring_put(r, pos, iov[i].base, iov[i].len);
	/* Zero padding and the trailer (start index << 32) in one copy. */
	pad = pktlen - (uint32_t)(VMB_PKT_DESC_SIZE + ext_len + payload);
	trailer = (uint64_t)start << 32;
	memcpy(tail + pad, &trailer, sizeof(trailer));
	r->wr_pos = vmb_ring_put(r, pos, tail, pad + VMB_PKT_TRAILER_SIZE);
	return 0;
}

/**
 * vmb_ring_stage() with one contiguous payload. Inlined: when the cached
 * read index shows room and the packet does not wrap (nearly always), the
 * packet is written with a few fixed-size stores; callers pass constant
 * lengths, so the copies compile to moves. Anything else takes the
 * general path, which does every check again.
 */
static inline __attribute__((always_inline)) int
vmb_ring_stage_buf(struct vmb_ring *r, uint16_t type, uint16_t flags,
		   uint64_t xid, const void *ext, uint32_t ext_len,
		   const void *payload, uint32_t len)
{
	struct vmb_iov iov = { payload, len };
	uint32_t body = VMB_PKT_DESC_SIZE + ext_len + len;
	uint32_t pktlen = (body + 7) & ~7u;
	uint32_t total = pktlen + VMB_PKT_TRAILER_SIZE;
	uint32_t start = r->wr_pos;

	if (vmb_likely(!r->broken && !(ext_len & 7) &&
		       len <= VMB_PKT_MAX_LEN && body <= VMB_PKT_MAX_LEN &&
		       vmb_ring_wr_free(r, r->wr_rd) > total &&
		       total < r->size - start)) {
		struct vmb_pkt_desc d = {
			.type = type,
			.data_offset8 = (uint16_t)((VMB_PKT_DESC_SIZE +
						    ext_len) >> 3),
			.length8 = (uint16_t)(pktlen >> 3),
			.flags = flags,
			.xid = xid,
		};
		uint64_t trailer = (uint64_t)start << 32;
		uint8_t *p = r->data + start;

		memcpy(p, &d, sizeof(d));
		if (ext_len != 0)
			memcpy(p + VMB_PKT_DESC_SIZE, ext, ext_len);
		memcpy(p + VMB_PKT_DESC_SIZE + ext_len, payload, len);
		memset(p + body, 0, pktlen - body);
		memcpy(p + pktlen, &trailer, sizeof(trailer));
		r->wr_pos = start + total;
		return 0;
	}
	return vmb_ring_stage(r, type, flags, xid, ext, ext_len, &iov, 1);
}

/**
 * Writer: a run of packets written where they will lie, without a copy
 * (vmb_ring_span_open() ... vmb_ring_span_close()). The room is taken
 * once: from the write position up to the cached read index when it is
 * ahead, else up to the ring's end (the free space, size - pos + rd, is
 * larger still), none on a broken ring. A packet goes in while it and its
 * trailer fit strictly inside what is left (one compare), so no packet
 * crosses the ring's end or reaches its reader; when one does not, the
 * caller closes the span and stages the rest with vmb_ring_stage(), which
 * decides with every check (the live read index, the wrap, a refusal).
 * Until the span is closed nothing is staged, and until the next publish
 * nothing is visible. The fields are the caller's to keep in registers.
 */
struct vmb_ring_span {
	uint8_t *data;
	uint32_t pos;	/**< where the next packet's descriptor goes */
	uint32_t end;	/**< the room ends before this offset */
};

static inline __attribute__((always_inline)) void
vmb_ring_span_open(const struct vmb_ring *r, struct vmb_ring_span *s)
{
	uint32_t pos = r->wr_pos, rd = r->wr_rd;

	s->data = r->data;
	s->pos = pos;
	s->end = vmb_unlikely(r->broken) ? pos : rd > pos ? rd : r->size;
}

/**
 * Writer: the place of the span's next packet when one of @p pktlen bytes
 * (descriptor included, a multiple of 8, at most VMB_PKT_MAX_LEN: the
 * caller's constant) fits; else NULL. The caller writes the whole packet -
 * descriptor, extended header, payload and its zero padding - then calls
 * vmb_ring_span_produce().
 */
static inline __attribute__((always_inline)) uint8_t *
vmb_ring_span_reserve(const struct vmb_ring_span *s, uint32_t pktlen)
{
	if (vmb_likely(pktlen + VMB_PKT_TRAILER_SIZE < s->end - s->pos))
		return s->data + s->pos;
	return NULL;
}

/**
 * Writer: the packet of @p pktlen bytes written at the span's place is
 * complete (its trailer written); the next one goes after it. @p pktlen is
 * at most the length reserved.
 */
static inline __attribute__((always_inline)) void
vmb_ring_span_produce(struct vmb_ring_span *s, uint32_t pktlen)
{
	uint64_t trailer = (uint64_t)s->pos << 32;

	memcpy(s->data + s->pos + pktlen, &trailer, sizeof(trailer));
	s->pos += pktlen + VMB_PKT_TRAILER_SIZE;
}

/** Writer: the span's packets are staged, to go out at the next publish. */
static inline __attribute__((always_inline)) void
vmb_ring_span_close(struct vmb_ring *r, const struct vmb_ring_span *s)
{
	r->wr_pos = s->pos;
}

/**
 * Writer: the place for one packet of @p pktlen bytes written where it
 * will lie: a span of one packet (vmb_ring_span_reserve()'s rule), NULL
 * when it does not fit. The caller writes the whole packet, then calls
 * vmb_ring_produce(); until then nothing is staged.
 */
static inline __attribute__((always_inline)) uint8_t *
vmb_ring_reserve(struct vmb_ring *r, uint32_t pktlen)
{
	struct vmb_ring_span s;

	vmb_ring_span_open(r, &s);
	return vmb_ring_span_reserve(&s, pktlen);
}

/**
 * Writer: the packet of @p pktlen bytes written at vmb_ring_reserve()'s
 * place is staged (its trailer written), to go out at the next publish.
 * @p pktlen is at most the length reserved.
 */
static inline __attribute__((always_inline)) void
vmb_ring_produce(struct vmb_ring *r, uint32_t pktlen)
{
	struct vmb_ring_span s = { r->data, r->wr_pos, 0 };

	vmb_ring_span_produce(&s, pktlen);
	vmb_ring_span_close(r, &s);
}

/**
 * Writer: publish every staged packet with one write_index store and decide
 * whether to signal the reader: only if its interrupt_mask is clear and the
 * ring was empty before this batch (read_index equals the previously
 * published write_index). Clears pending_send_sz if we had set it.
 * Costs nothing when nothing was staged.
 *
 * @return 1 = signal the peer, 0 = don't.
 */
static inline int
vmb_ring_publish(struct vmb_ring *r)
{
	uint32_t old = r->wr_pub;

	if (r->wr_pos == old)
		return 0;
	/* Release: the packet bytes are visible before the index. */
	__atomic_store_n(&r->hdr->write_index, r->wr_pos, __ATOMIC_RELEASE);
	r->wr_pub = r->wr_pos;
	if (vmb_unlikely(r->wr_pending)) {
		__atomic_store_n(&r->hdr->pending_send_sz, 0,
				 __ATOMIC_RELAXED);
		r->wr_pending = 0;
	}
	/* Store->load: the reader clears its mask then re-reads write_index;
	 * we store write_index then read the mask. The barrier on both sides
	 * guarantees one of us sees the other's store (no lost wakeup).
	 */
	vmb_smp_mb();
	if (__atomic_load_n(&r->hdr->interrupt_mask, __ATOMIC_RELAXED))
		return 0;
	if (__atomic_load_n(&r->hdr->read_index, __ATOMIC_RELAXED) != old)
		return 0;
	r->stats.signals++;
	return 1;
}

/**
 * Writer: stage and publish one packet.
 *
 * @return 1 = signal, 0 = don't, negative errno as vmb_ring_stage().
 */
static inline int
vmb_ring_write(struct vmb_ring *r, uint16_t type, uint16_t flags,
	       uint64_t xid, const void *ext, uint32_t ext_len,
	       const struct vmb_iov *iov, unsigned int iovcnt)
{
	int rc = vmb_ring_stage(r, type, flags, xid, ext, ext_len, iov, iovcnt);

	if (rc < 0)
		return rc;
	return vmb_ring_publish(r);
}

/* Reader: bytes between our position and the write index last seen. */
static inline uint32_t
vmb_ring_rd_avail(const struct vmb_ring *r)
{
	uint32_t w = r->rd_w, p = r->rd_pos;

	return w >= p ? w - p : r->size - p + w;
}

/* Reader: load the live write index once and validate it. */
static inline int
vmb_ring_rd_refresh(struct vmb_ring *r)
{
	/* Acquire pairs with the writer's release: the packet bytes up to
	 * this index are visible once we have seen the index.
	 */
	uint32_t w = __atomic_load_n(&r->hdr->write_index, __ATOMIC_ACQUIRE);

	if (vmb_unlikely(w >= r->size || (w & 7)))
		return vmb_ring_corrupt(r, VMB_RING_ERR_INDEX);
	r->rd_w = w;
	return 0;
}

/**
 * Reader: copy the next packet's descriptor into @p d and validate it
 * (data_offset8 >= 2, length8 >= data_offset8, whole packet and trailer
 * inside the published bytes, length <= max_pkt, known type and flags).
 * The live write index is loaded only when the last one seen is used up.
 *
 * @return the packet length in bytes (length8 * 8, trailer excluded),
 *   -EAGAIN when empty, -EBADMSG on corruption.
 *
 * vmb_ring_peek_inline() is the same, always inlined: for a loop that
 * reads many small packets (completions), where the call and the
 * descriptor's round trip through memory cost as much as the checks.
 */
static inline __attribute__((always_inline)) int
vmb_ring_peek_inline(struct vmb_ring *r, struct vmb_pkt_desc *d)
{
	uint32_t avail, len;
	int rc;

	if (vmb_unlikely(r->broken))
		return -EBADMSG;
	avail = vmb_ring_rd_avail(r);
	if (avail == 0) {
		rc = vmb_ring_rd_refresh(r);
		if (rc < 0)
			return rc;
		avail = vmb_ring_rd_avail(r);
		if (avail == 0)
			return -EAGAIN;
	}
	/* Published indices sit on packet boundaries and the smallest
	 * packet takes 24 bytes, so less than that is a lying writer.
	 */
	if (vmb_unlikely(avail < VMB_PKT_DESC_SIZE + VMB_PKT_TRAILER_SIZE))
		return vmb_ring_corrupt(r, VMB_RING_ERR_INDEX);
	vmb_ring_get(r, r->rd_pos, d, sizeof(*d));
	/* Validate and use only the copy, never the ring bytes again. */
	vmb_compiler_barrier();
	len = (uint32_t)d->length8 * 8;
	if (vmb_unlikely(d->data_offset8 < 2 || d->length8 < d->data_offset8 ||
		     len > avail - VMB_PKT_TRAILER_SIZE ||
		     d->type >= 32 ||
		     !(r->type_mask & VMB_PKT_TYPE_BIT(d->type)) ||
		     (d->flags & ~VMB_PKT_FLAGS_KNOWN)))
		return vmb_ring_corrupt(r, VMB_RING_ERR_DESC);
	if (vmb_unlikely(len > r->max_pkt))
		return vmb_ring_corrupt(r, VMB_RING_ERR_TOO_BIG);
	r->rd_peeked = len + VMB_PKT_TRAILER_SIZE;
	return (int)len;
}

static inline int
vmb_ring_peek(struct vmb_ring *r, struct vmb_pkt_desc *d)
{
	return vmb_ring_peek_inline(r, d);
}

/**
 * Reader: take the packets that follow as long as each one's descriptor
 * starts with the 8 bytes @p word (type, data offset, length, flags) - the
 * same bytes as a packet vmb_ring_peek() accepted on this ring, so every
 * check on them holds - and lies whole in the bytes last seen published,
 * its descriptor not across the ring's end; at most @p max. Their
 * transaction ids in @p xid[], the packets stepped over (nothing peeked
 * before). For a reader of many packets of one shape (completions): per
 * packet one compare for the descriptor's checks, no peek then skip, the
 * room counted down. The write index is not loaded.
 *
 * @return packets taken; 0: nothing consumed, vmb_ring_peek() decides on
 *   the next one (empty, another shape, a lying writer, a broken ring).
 */
static inline __attribute__((always_inline)) uint32_t
vmb_ring_take_like(struct vmb_ring *r, uint64_t word, uint64_t *xid,
		   uint32_t max)
{
	const uint32_t total = (uint32_t)(word >> 32 & 0xffff) * 8 +
		VMB_PKT_TRAILER_SIZE;
	const uint32_t size = r->size;
	const uint8_t *data = r->data;
	uint32_t p = r->rd_pos, n, end, i;
	uint64_t w, x;

	if (vmb_unlikely(r->broken || p + VMB_PKT_DESC_SIZE > size))
		return 0;
	/* How many could follow, worked out once: whole in the bytes seen
	 * published, and each descriptor before the ring's end (packet j
	 * starts at p + j * total, the first one's descriptor fits). The
	 * loop then has one compare per packet and no wrap. */
	n = vmb_ring_rd_avail(r) / total;
	end = (size - p - VMB_PKT_DESC_SIZE) / total + 1;
	if (n > end)
		n = end;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		memcpy(&w, data + p, sizeof(w));
		memcpy(&x, data + p + 8, sizeof(x));
		/* Compare and use only these copies. */
		vmb_compiler_barrier();
		if (w != word)
			break;
		xid[i] = x;
		p += total;
	}
	/* Only the last packet may end at or past the ring's end. */
	if (p >= size)
		p -= size;
	r->rd_pos = p;
	return i;
}

/* Reader: step over @p bytes (packet + trailer). */
static inline void
vmb_ring_rd_advance(struct vmb_ring *r, uint32_t bytes)
{
	uint32_t pos = r->rd_pos + bytes;

	if (pos >= r->size)
		pos -= r->size;
	r->rd_pos = pos;
	r->rd_peeked = 0;
}

/**
 * Reader: copy the next packet (descriptor included) into @p buf and step
 * over it. The descriptor in @p buf is the validated copy, the rest is
 * copied using only the validated length, so the packet in @p buf is
 * self-consistent whatever the peer does to the ring meanwhile. The read
 * index is not published until vmb_ring_commit().
 *
 * @return packet length in bytes; -EAGAIN empty; -ENOBUFS when @p cap is
 *   too small (the packet stays, vmb_ring_skip() drops it); -EBADMSG.
 */
static inline int
vmb_ring_read(struct vmb_ring *r, void *buf, uint32_t cap)
{
	struct vmb_pkt_desc d;
	uint32_t pos;
	int n;

	n = vmb_ring_peek(r, &d);
	if (n < 0)
		return n;
	if (vmb_unlikely((uint32_t)n > cap))
		return -ENOBUFS;
	memcpy(buf, &d, sizeof(d));
	pos = r->rd_pos + VMB_PKT_DESC_SIZE;
	if (pos >= r->size)
		pos -= r->size;
	vmb_ring_get(r, pos, (uint8_t *)buf + VMB_PKT_DESC_SIZE,
		     (uint32_t)n - VMB_PKT_DESC_SIZE);
	vmb_ring_rd_advance(r, (uint32_t)n + VMB_PKT_TRAILER_SIZE);
	return n;
}

/**
 * Reader: step over the packet returned by the last successful
 * vmb_ring_peek(), using the length validated then.
 *
 * @return 0, or -EINVAL when nothing is peeked.
 */
static inline int
vmb_ring_skip(struct vmb_ring *r)
{
	if (vmb_unlikely(r->rd_peeked == 0))
		return -EINVAL;
	vmb_ring_rd_advance(r, r->rd_peeked);
	return 0;
}

/**
 * Reader: publish the read index after a batch of reads/skips and decide
 * whether to signal the writer: only if the ring's feature bit 0 is set
 * and this commit moved free space across the writer's pending_send_sz.
 * Costs nothing when nothing was read.
 *
 * @return 1 = signal the peer, 0 = don't, -EBADMSG.
 */
static inline int
vmb_ring_commit(struct vmb_ring *r)
{
	uint32_t freed;

	if (r->rd_pos == r->rd_pub)
		return 0;
	freed = r->rd_pos > r->rd_pub ? r->rd_pos - r->rd_pub :
		r->size - r->rd_pub + r->rd_pos;
	/* Release: our copies out of the ring complete before the writer
	 * may reuse the space.
	 */
	__atomic_store_n(&r->hdr->read_index, r->rd_pos, __ATOMIC_RELEASE);
	r->rd_pub = r->rd_pos;
	if (vmb_likely(!(__atomic_load_n(&r->hdr->feature_bits, __ATOMIC_RELAXED) &
		     VMB_RING_FEAT_PENDING_SZ)))
		return 0;
	return vmb_ring_reader_signal(r, freed);
}

/**
 * One thread that reads @p rx and writes @p tx (a channel's two rings, as
 * one burst does): vmb_ring_commit() of @p rx and vmb_ring_publish() of
 * @p tx with a single store->load barrier for both signal decisions (each
 * rule needs its own index store ordered before its loads; one barrier
 * after both stores orders both). Costs nothing when neither moved.
 *
 * @return 1 = signal the peer (either rule), 0 = don't, -EBADMSG (the
 *   reader's check met a corrupt write index and nothing else asks for a
 *   signal).
 */
static inline int
vmb_ring_commit_publish(struct vmb_ring *rx, struct vmb_ring *tx)
{
	uint32_t old = tx->wr_pub, freed = 0;
	int rchk = 0, wchk = 0, sig = 0, rc;

	if (rx->rd_pos != rx->rd_pub) {
		freed = rx->rd_pos > rx->rd_pub ? rx->rd_pos - rx->rd_pub :
			rx->size - rx->rd_pub + rx->rd_pos;
		__atomic_store_n(&rx->hdr->read_index, rx->rd_pos,
				 __ATOMIC_RELEASE);
		rx->rd_pub = rx->rd_pos;
		rchk = !!(__atomic_load_n(&rx->hdr->feature_bits,
					  __ATOMIC_RELAXED) &
			  VMB_RING_FEAT_PENDING_SZ);
	}
	if (tx->wr_pos != old) {
		__atomic_store_n(&tx->hdr->write_index, tx->wr_pos,
				 __ATOMIC_RELEASE);
		tx->wr_pub = tx->wr_pos;
		if (vmb_unlikely(tx->wr_pending)) {
			__atomic_store_n(&tx->hdr->pending_send_sz, 0,
					 __ATOMIC_RELAXED);
			tx->wr_pending = 0;
		}
		wchk = 1;
	}
	if (!rchk && !wchk)
		return 0;
	vmb_smp_mb();
	if (wchk &&
	    !__atomic_load_n(&tx->hdr->interrupt_mask, __ATOMIC_RELAXED) &&
	    __atomic_load_n(&tx->hdr->read_index, __ATOMIC_RELAXED) == old) {
		tx->stats.signals++;
		sig = 1;
	}
	if (rchk) {
		rc = vmb_ring_reader_check(rx, freed);
		if (rc != 0 && sig == 0)
			sig = rc;
	}
	return sig;
}

/** Reader: ask the writer not to signal (we are polling / draining). */
static inline void
vmb_ring_intr_mask(struct vmb_ring *r)
{
	__atomic_store_n(&r->hdr->interrupt_mask, 1, __ATOMIC_RELAXED);
}

/**
 * Reader: allow signals again, then re-check for data that arrived while
 * masked (the writer did not signal for it).
 *
 * @return bytes available (> 0: keep draining), or -EBADMSG.
 */
static inline int
vmb_ring_intr_unmask(struct vmb_ring *r)
{
	int rc;

	__atomic_store_n(&r->hdr->interrupt_mask, 0, __ATOMIC_RELAXED);
	/* Store->load: pairs with the barrier in vmb_ring_publish(). */
	vmb_smp_mb();
	if (vmb_unlikely(r->broken))
		return -EBADMSG;
	rc = vmb_ring_rd_refresh(r);
	if (rc < 0)
		return rc;
	return (int)vmb_ring_rd_avail(r);
}

/**
 * Reader: bytes waiting (loads the live write index).
 *
 * @return bytes (0 = empty), or -EBADMSG.
 */
static inline int
vmb_ring_avail(struct vmb_ring *r)
{
	int rc;

	if (vmb_unlikely(r->broken))
		return -EBADMSG;
	rc = vmb_ring_rd_refresh(r);
	if (rc < 0)
		return rc;
	return (int)vmb_ring_rd_avail(r);
}

#ifdef __cplusplus
}
#endif

#endif /* VMB_RING_H */
