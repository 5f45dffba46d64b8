/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#ifndef HV_NETVSP_PRIVATE_H
#define HV_NETVSP_PRIVATE_H

/*
 * Unaligned little-endian accessors for wire buffers. The public headers
 * assert a little-endian host, so a plain memcpy is the conversion; going
 * through memcpy keeps each field a single, well-defined read.
 */

#include <stdint.h>
#include <string.h>

static inline uint32_t
netvsp_get32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint16_t
netvsp_get16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
netvsp_put32(void *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* Overflow-safe "[off, off + len) lies inside [0, size)". */
static inline int
netvsp_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

#endif /* HV_NETVSP_PRIVATE_H */
