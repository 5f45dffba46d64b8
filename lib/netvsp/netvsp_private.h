/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#ifndef HV_NETVSP_PRIVATE_H
#define HV_NETVSP_PRIVATE_H

/* Wire-field accessors (hv_get_le32() and friends) and the range check the
 * decoders share. */

#include <stdint.h>

#include "hv_wire.h"

/* Overflow-safe "[off, off + len) lies inside [0, size)". */
static inline int
netvsp_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

#endif /* HV_NETVSP_PRIVATE_H */
