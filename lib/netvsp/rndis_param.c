/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * RNDIS configuration parameters (OID_GEN_RNDIS_CONFIG_PARAMETER): the
 * generic header check, and the one parameter netvsc guests send,
 * "NetworkAddress", which changes the NIC's current MAC address.
 */

#include <errno.h>
#include <string.h>

#include "rndis.h"
#include "netvsp_private.h"

#define NETADDR_DIGITS	12

int
rndis_cfg_param_parse(const void *buf, size_t len, struct rndis_cfg_param *p)
{
	const size_t hdr = sizeof(struct rndis_cfg_param_hdr);
	struct rndis_cfg_param_hdr h;

	if (buf == NULL || len < hdr)
		return -EBADMSG;
	memcpy(&h, buf, hdr);
	/* Name and value come after the header: a parameter that points
	 * back into its own header is garbage, not a clever encoding. */
	if (h.name_offset < hdr || h.value_offset < hdr ||
	    !netvsp_range_ok(h.name_offset, h.name_len, len) ||
	    !netvsp_range_ok(h.value_offset, h.value_len, len))
		return -EINVAL;
	if (h.name_len == 0 || (h.name_len & 1) != 0)
		return -EINVAL;
	if ((h.type == RNDIS_CFG_PARAM_STRING ||
	     h.type == RNDIS_CFG_PARAM_MULTI_STRING) && (h.value_len & 1) != 0)
		return -EINVAL;
	p->type = h.type;
	p->name_off = h.name_offset;
	p->name_len = h.name_len;
	p->value_off = h.value_offset;
	p->value_len = h.value_len;
	return 0;
}

static uint16_t
ascii_lower(uint16_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint16_t)(c + ('a' - 'A')) : c;
}

int
rndis_cfg_param_name_is(const void *buf, const struct rndis_cfg_param *p,
			const char *name)
{
	const uint8_t *n = (const uint8_t *)buf + p->name_off;
	size_t i, chars = strlen(name);

	if (p->name_len != 2 * chars)
		return 0;
	for (i = 0; i < chars; i++)
		if (ascii_lower(hv_get_le16(n + 2 * i)) !=
		    ascii_lower((uint8_t)name[i]))
			return 0;
	return 1;
}

static void
put_utf16(uint8_t *out, const char *s, size_t chars)
{
	size_t i;

	for (i = 0; i < chars; i++) {
		out[2 * i] = (uint8_t)s[i];
		out[2 * i + 1] = 0;
	}
}

int
rndis_netaddr_encode(void *buf, size_t size, const uint8_t mac[6])
{
	static const char hex[] = "0123456789ABCDEF";
	const size_t name_chars = sizeof(RNDIS_NETADDR_NAME) - 1;
	struct rndis_cfg_param_hdr h;
	char digits[NETADDR_DIGITS];
	uint8_t *b = buf;
	unsigned int i;

	if (buf == NULL || mac == NULL || size < RNDIS_NETADDR_PARAM_LEN)
		return -ENOBUFS;
	h.name_offset = sizeof(h);
	h.name_len = 2 * name_chars;
	h.type = RNDIS_CFG_PARAM_STRING;
	h.value_offset = h.name_offset + h.name_len;
	h.value_len = 2 * NETADDR_DIGITS;
	for (i = 0; i < 6; i++) {
		digits[2 * i] = hex[mac[i] >> 4];
		digits[2 * i + 1] = hex[mac[i] & 0xF];
	}
	memcpy(b, &h, sizeof(h));
	put_utf16(b + h.name_offset, RNDIS_NETADDR_NAME, name_chars);
	put_utf16(b + h.value_offset, digits, NETADDR_DIGITS);
	return RNDIS_NETADDR_PARAM_LEN;
}

int
rndis_netaddr_parse(const void *buf, size_t len, uint8_t mac[6])
{
	struct rndis_cfg_param p;
	const uint8_t *v;
	uint8_t out[6];
	unsigned int i;
	int rc;

	rc = rndis_cfg_param_parse(buf, len, &p);
	if (rc != 0)
		return rc;
	if (!rndis_cfg_param_name_is(buf, &p, RNDIS_NETADDR_NAME))
		return -ENOENT;
	if (p.type != RNDIS_CFG_PARAM_STRING)
		return -EINVAL;
	v = (const uint8_t *)buf + p.value_off;
	/* Twelve digits; a C-string-minded guest may add one NUL. */
	if (p.value_len == 2 * (NETADDR_DIGITS + 1)) {
		if (hv_get_le16(v + 2 * NETADDR_DIGITS) != 0)
			return -EINVAL;
	} else if (p.value_len != 2 * NETADDR_DIGITS) {
		return -EINVAL;
	}
	for (i = 0; i < NETADDR_DIGITS; i++) {
		int d = hv_hex_digit(hv_get_le16(v + 2 * i));

		if (d < 0)
			return -EINVAL;
		if ((i & 1) == 0)
			out[i / 2] = (uint8_t)(d << 4);
		else
			out[i / 2] |= (uint8_t)d;
	}
	memcpy(mac, out, sizeof(out));
	return 0;
}
