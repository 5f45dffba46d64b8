/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * The VMBus monitor page (protocol.rst 2.8): a guest channel offered with
 * monitor_allocated rings the host's doorbell by setting bit (id % 32) of
 * trigger group (id / 32)'s pending word in the child-to-parent monitor
 * page named by INITIATE_CONTACT; the host clears the bits it has seen.
 * The same layout serves the guest that sets bits and the host that takes
 * them.
 */

#ifndef VMB_MONITOR_H
#define VMB_MONITOR_H

#include <stdint.h>

/** Monitor ids an offer may carry: 0 .. VMB_MONITOR_IDS - 1. */
#define VMB_MONITOR_IDS		128
/** Trigger groups of 32 ids each. */
#define VMB_MONITOR_GROUPS	(VMB_MONITOR_IDS / 32)

/** The pending word of trigger group @p group in a monitor page: the
 * groups are {pending u32, armed u32} pairs from byte 8. */
static inline uint32_t *
vmb_monitor_pending(void *page, unsigned int group)
{
	return (uint32_t *)((uint8_t *)page + 8 + 8 * group);
}

/** The pending word that carries monitor id @p id, and its bit. */
static inline uint32_t *
vmb_monitor_word(void *page, uint8_t id)
{
	return vmb_monitor_pending(page, id / 32u);
}

static inline uint32_t
vmb_monitor_bit(uint8_t id)
{
	return 1u << (id % 32u);
}

#endif /* VMB_MONITOR_H */
