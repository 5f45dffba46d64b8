/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * GPADL (guest physical address descriptor list) messages.
 *
 * Guest side: vmb_gpadl_build() turns a PFN list into one GPADL_HEADER
 * (first 26 PFNs) and as many GPADL_BODY messages (28 PFNs each) as needed,
 * describing a single range at byte offset 0 as every known guest does.
 *
 * Host side: struct vmb_gpadl_asm collects headers and bodies of several
 * GPADLs in progress, keyed by handle, and hands out a validated PFN list
 * when the last word has arrived. It owns at most @c max_pending GPADLs of
 * at most @c max_pfns PFNs, so a hostile guest cannot make it allocate
 * without bound.
 */

#ifndef VMB_GPADL_H
#define VMB_GPADL_H

#include <stdint.h>

#include "vmb_msg.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest PFN count a single-range GPADL can carry (range_buflen is u16). */
#define VMB_GPADL_MAX_PFN	((0xffffu - 8u) / 8u)

/**
 * Number of messages (header + bodies) needed for @p npfn PFNs.
 *
 * @return >= 1, or -EINVAL for 0 or more than VMB_GPADL_MAX_PFN PFNs.
 */
int vmb_gpadl_msg_count(uint32_t npfn);

/**
 * Build message @p idx (0 = GPADL_HEADER, 1.. = GPADL_BODY) of the GPADL
 * @p handle on channel @p relid for one range of @p npfn pages at byte
 * offset 0 (byte_count = npfn * 4096).
 *
 * @return the message length, or -EINVAL (bad count or index).
 */
int vmb_gpadl_build(union vmb_msg *m, uint32_t relid, uint32_t handle,
		    const uint64_t *pfns, uint32_t npfn, uint32_t idx);

/** A completed GPADL. Owned by the caller; release with vmb_gpadl_free(). */
struct vmb_gpadl {
	uint32_t relid;
	uint32_t handle;
	uint16_t rangecount;
	uint32_t nwords;	/**< range_buflen / 8 */
	uint64_t *words;	/**< all ranges as received */
	/* The first range, decoded (the only one all known guests send). */
	uint32_t byte_count;
	uint32_t byte_offset;
	uint32_t npfn;
	const uint64_t *pfns;	/**< points into words */
};

/** Release a GPADL returned by the assembler (NULL-safe). */
void vmb_gpadl_free(struct vmb_gpadl *g);

/** Why the assembler refused a message. */
struct vmb_gpadl_asm_stats {
	uint64_t completed;
	uint64_t bad_msg;	/**< malformed header/body, bad ranges */
	uint64_t dup_handle;	/**< header for a handle already in progress */
	uint64_t unknown_handle; /**< body for no GPADL in progress */
	uint64_t overflow;	/**< body with more words than announced */
	uint64_t too_big;	/**< more PFNs than max_pfns */
	uint64_t no_slot;	/**< more than max_pending in progress */
};

struct vmb_gpadl_asm_slot;

/** Host-side assembler of GPADLs in progress. */
struct vmb_gpadl_asm {
	struct vmb_gpadl_asm_slot *slots;
	uint32_t max_pending;
	uint32_t max_pfns;
	struct vmb_gpadl_asm_stats stats;
};

/**
 * @return 0, -EINVAL (zero limits), -ENOMEM.
 */
int vmb_gpadl_asm_init(struct vmb_gpadl_asm *a, uint32_t max_pending,
		       uint32_t max_pfns);

/** Drop everything in progress and free the table. */
void vmb_gpadl_asm_fini(struct vmb_gpadl_asm *a);

/**
 * Feed one decoded GPADL_HEADER or GPADL_BODY (from vmb_msg_decode(); @p len
 * is the received length).
 *
 * @param[out] done  set to a completed GPADL (caller owns it) when this
 *   message was the last piece, else NULL.
 * @param[out] failed_relid, failed_handle  on a refused message that named a
 *   GPADL the host should answer with a failing GPADL_CREATED, the relid and
 *   handle to put in it; *failed_handle is left alone otherwise. May be NULL.
 * @return 0 (accepted, maybe @p done), -EBADMSG (malformed; any GPADL in
 *   progress under that handle is dropped), -EEXIST (duplicate handle; the
 *   one in progress stays), -ENOENT (body for an unknown handle), -EOVERFLOW
 *   (more PFNs than announced; dropped), -E2BIG (more than max_pfns),
 *   -ENOSPC (too many in progress), -ENOMEM, -EINVAL (not a GPADL message).
 */
int vmb_gpadl_asm_feed(struct vmb_gpadl_asm *a, const union vmb_msg *m,
		       uint32_t len, struct vmb_gpadl **done,
		       uint32_t *failed_relid, uint32_t *failed_handle);

/**
 * Drop every GPADL in progress on @p relid (channel released or rescinded).
 *
 * @return how many were dropped.
 */
uint32_t vmb_gpadl_asm_drop_relid(struct vmb_gpadl_asm *a, uint32_t relid);

/** Number of GPADLs in progress. */
uint32_t vmb_gpadl_asm_pending(const struct vmb_gpadl_asm *a);

#ifdef __cplusplus
}
#endif

#endif /* VMB_GPADL_H */
