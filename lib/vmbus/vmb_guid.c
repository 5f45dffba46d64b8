/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

#include <errno.h>
#include <stdio.h>

#include "hv_wire.h"
#include "vmb_guid.h"

/* f8615163-df3e-46c5-913f-f2d2f965ed0e in wire (mixed-endian) order. */
const struct vmb_guid vmb_guid_netvsc = { {
	0x63, 0x51, 0x61, 0xf8, 0x3e, 0xdf, 0xc5, 0x46,
	0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e,
} };

/*
 * Text position of each wire byte. The first three groups are little-endian
 * on the wire, so their bytes appear reversed in the text.
 */
static const uint8_t guid_text_pos[16] = {
	6, 4, 2, 0,		/* u32, LE */
	11, 9,			/* u16, LE */
	16, 14,			/* u16, LE */
	19, 21,			/* 8 bytes as-is */
	24, 26, 28, 30, 32, 34,
};

int
vmb_guid_parse(const char *s, struct vmb_guid *g)
{
	struct vmb_guid tmp;
	unsigned int i;

	for (i = 0; i < VMB_GUID_STRLEN - 1; i++) {
		if (s[i] == '\0')
			return -EINVAL;
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
		} else if (hv_hex_digit((unsigned char)s[i]) < 0) {
			return -EINVAL;
		}
	}
	if (s[VMB_GUID_STRLEN - 1] != '\0')
		return -EINVAL;
	for (i = 0; i < 16; i++) {
		unsigned int p = guid_text_pos[i];

		tmp.b[i] = (uint8_t)(hv_hex_digit((unsigned char)s[p]) << 4 |
				     hv_hex_digit((unsigned char)s[p + 1]));
	}
	*g = tmp;
	return 0;
}

int
vmb_guid_format(const struct vmb_guid *g, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i;

	if (len < VMB_GUID_STRLEN)
		return -ENOSPC;
	memset(buf, '-', VMB_GUID_STRLEN - 1);
	for (i = 0; i < 16; i++) {
		unsigned int p = guid_text_pos[i];

		buf[p] = hex[g->b[i] >> 4];
		buf[p + 1] = hex[g->b[i] & 0xf];
	}
	buf[VMB_GUID_STRLEN - 1] = '\0';
	return 0;
}
