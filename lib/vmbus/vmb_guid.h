/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * VMBus GUIDs in wire byte order.
 *
 * Hyper-V puts GUIDs on the wire in the Windows mixed-endian layout: the
 * first u32 and the next two u16 fields little-endian, the last 8 bytes as
 * written. struct vmb_guid holds exactly the wire bytes, so it can be
 * memcpy'd into and out of messages; parse/format convert from and to the
 * usual text form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
 */

#ifndef VMB_GUID_H
#define VMB_GUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A GUID as its 16 wire bytes. */
struct vmb_guid {
	uint8_t b[16];
};

/** Length of the text form including the terminating NUL. */
#define VMB_GUID_STRLEN 37

/** netvsc (synthetic NIC) class GUID f8615163-df3e-46c5-913f-f2d2f965ed0e. */
extern const struct vmb_guid vmb_guid_netvsc;

/**
 * Parse the text form (case-insensitive, no braces) into wire bytes.
 *
 * @return 0, or -EINVAL when @p s is not exactly a GUID.
 */
int vmb_guid_parse(const char *s, struct vmb_guid *g);

/**
 * Format wire bytes as lower-case text.
 *
 * @return 0, or -ENOSPC when @p len < VMB_GUID_STRLEN.
 */
int vmb_guid_format(const struct vmb_guid *g, char *buf, size_t len);

/** True when both GUIDs are equal. */
static inline bool
vmb_guid_equal(const struct vmb_guid *a, const struct vmb_guid *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

/** Total order over the wire bytes (memcmp semantics), for sorting. */
static inline int
vmb_guid_cmp(const struct vmb_guid *a, const struct vmb_guid *b)
{
	return memcmp(a->b, b->b, sizeof(a->b));
}

#ifdef __cplusplus
}
#endif

#endif /* VMB_GUID_H */
