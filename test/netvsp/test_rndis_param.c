/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/* RNDIS configuration parameters: the NetworkAddress encoder against
 * hand-written wire bytes, and the decoders on good and malformed input. */

#include <errno.h>
#include <string.h>

#include "check.h"
#include "hv_wire.h"
#include "rndis.h"

/* UTF-16LE of an ASCII string at @p at; returns the bytes written. */
static uint32_t
utf16(uint8_t *at, const char *s)
{
	uint32_t n = 0;

	for (; *s != '\0'; s++) {
		at[n++] = (uint8_t)*s;
		at[n++] = 0;
	}
	return n;
}

/* A parameter built field by field: name at 20, value right after. */
static uint32_t
build(uint8_t *b, const char *name, uint32_t type, const char *value)
{
	uint32_t nl, vl;

	nl = utf16(b + 20, name);
	vl = utf16(b + 20 + nl, value);
	hv_put_le32(b, 20);
	hv_put_le32(b + 4, nl);
	hv_put_le32(b + 8, type);
	hv_put_le32(b + 12, 20 + nl);
	hv_put_le32(b + 16, vl);
	return 20 + nl + vl;
}

static void
test_encode(void)
{
	static const uint8_t mac[6] = { 0x00, 0x15, 0x5d, 0x0a, 0xbc, 0x01 };
	uint8_t want[256], b[128], out[6];
	uint32_t len;

	len = build(want, "NetworkAddress", 2, "00155D0ABC01");
	CHECK_EQ(len, 72);
	CHECK_EQ(RNDIS_NETADDR_PARAM_LEN, 72);
	memset(b, 0x55, sizeof(b));
	CHECK_EQ(rndis_netaddr_encode(b, sizeof(b), mac), 72);
	CHECK(memcmp(b, want, 72) == 0, "wire bytes");
	CHECK_EQ(b[72], 0x55);	/* nothing written past the parameter */
	CHECK_EQ(rndis_netaddr_encode(b, 71, mac), -ENOBUFS);
	CHECK_EQ(rndis_netaddr_encode(NULL, 72, mac), -ENOBUFS);

	/* Round trip, and a few addresses with every nibble value. */
	memset(out, 0, sizeof(out));
	CHECK_EQ(rndis_netaddr_parse(b, 72, out), 0);
	CHECK(memcmp(out, mac, 6) == 0);
	{
		static const uint8_t m2[6] = { 0xfe, 0xdc, 0xba, 0x98, 0x76,
					       0x54 };

		CHECK_EQ(rndis_netaddr_encode(b, sizeof(b), m2), 72);
		CHECK_EQ(rndis_netaddr_parse(b, 72, out), 0);
		CHECK(memcmp(out, m2, 6) == 0);
	}
}

static void
test_parse_good(void)
{
	static const uint8_t mac[6] = { 0x02, 0xab, 0xcd, 0xef, 0x00, 0x9f };
	struct rndis_cfg_param p;
	uint8_t b[256], out[6];
	uint32_t len;

	/* Lower case digits, keyword in another case. */
	len = build(b, "networkADDRESS", 2, "02abcdef009f");
	CHECK_EQ(rndis_netaddr_parse(b, len, out), 0);
	CHECK(memcmp(out, mac, 6) == 0);
	/* One trailing NUL. */
	len = build(b, "NetworkAddress", 2, "02ABCDEF009F");
	b[len] = 0;
	b[len + 1] = 0;
	hv_put_le32(b + 16, 26);
	CHECK_EQ(rndis_netaddr_parse(b, len + 2, out), 0);
	CHECK(memcmp(out, mac, 6) == 0);
	/* Value before the name, with a gap: offsets are honoured. */
	memset(b, 0, sizeof(b));
	utf16(b + 40, "02ABCDEF009F");
	utf16(b + 80, "NetworkAddress");
	hv_put_le32(b, 80);
	hv_put_le32(b + 4, 28);
	hv_put_le32(b + 8, 2);
	hv_put_le32(b + 12, 40);
	hv_put_le32(b + 16, 24);
	CHECK_EQ(rndis_netaddr_parse(b, 108, out), 0);
	CHECK(memcmp(out, mac, 6) == 0);

	/* Another parameter: well-formed, not ours. */
	len = build(b, "*JumboPacket", 0, "");
	CHECK_EQ(rndis_cfg_param_parse(b, len, &p), 0);
	CHECK_EQ(p.type, 0);
	CHECK_EQ(p.name_off, 20);
	CHECK_EQ(p.name_len, 24);
	CHECK_EQ(p.value_len, 0);
	CHECK(rndis_cfg_param_name_is(b, &p, "*jumbopacket"));
	CHECK(!rndis_cfg_param_name_is(b, &p, "NetworkAddress"));
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -ENOENT);
	/* A name that only starts like ours. */
	len = build(b, "NetworkAddressX", 2, "02ABCDEF009F");
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -ENOENT);
	len = build(b, "NetworkAddres", 2, "02ABCDEF009F");
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -ENOENT);
}

static void
test_parse_bad(void)
{
	static const uint8_t keep[6] = { 1, 2, 3, 4, 5, 6 };
	static const char *const bad_values[] = {
		"02ABCDEF009",		/* 11 digits */
		"02ABCDEF009F0",	/* 13 digits */
		"02ABCDEF009G",		/* not hex */
		"02:AB:CD:EF:00:9F",	/* separators */
		"02-AB-CD-EF-00-9F",
		" 2ABCDEF009F",
		"",
	};
	uint8_t b[256], out[6];
	uint32_t len, i;

	memcpy(out, keep, 6);
	/* Shorter than the header. */
	len = build(b, "NetworkAddress", 2, "02ABCDEF009F");
	for (i = 0; i < 20; i++)
		CHECK_EQ(rndis_netaddr_parse(b, i, out), -EBADMSG);
	CHECK_EQ(rndis_netaddr_parse(NULL, 72, out), -EBADMSG);
	/* Truncated: the value runs past the buffer. */
	CHECK_EQ(rndis_netaddr_parse(b, len - 1, out), -EINVAL);
	CHECK_EQ(rndis_netaddr_parse(b, 48, out), -EINVAL);
	/* Offsets and lengths that overflow or point into the header. */
	hv_put_le32(b + 12, 0xFFFFFFF0u);
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	hv_put_le32(b + 12, 48);
	hv_put_le32(b + 16, 0xFFFFFFFFu);
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	hv_put_le32(b + 16, 24);
	hv_put_le32(b, 0xFFFFFFFEu);
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	hv_put_le32(b, 8);
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	hv_put_le32(b, 20);
	hv_put_le32(b + 12, 16);
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	hv_put_le32(b + 12, 48);
	/* Odd or empty name length. */
	hv_put_le32(b + 4, 27);
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	hv_put_le32(b + 4, 0);
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	hv_put_le32(b + 4, 28);
	/* Odd string value length. */
	hv_put_le32(b + 16, 23);
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	hv_put_le32(b + 16, 24);
	CHECK_EQ(rndis_netaddr_parse(b, len, out), 0);	/* restored */
	memcpy(out, keep, 6);
	/* Wrong type: an integer, a binary blob. */
	hv_put_le32(b + 8, 0);
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	hv_put_le32(b + 8, 4);
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	/* A trailing character that is not NUL. */
	len = build(b, "NetworkAddress", 2, "02ABCDEF009F1");
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	/* A digit's high byte set (U+0130 is not '0'). */
	len = build(b, "NetworkAddress", 2, "02ABCDEF009F");
	b[49] = 0x01;
	CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	for (i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		len = build(b, "NetworkAddress", 2, bad_values[i]);
		CHECK_EQ(rndis_netaddr_parse(b, len, out), -EINVAL);
	}
	/* Nothing was written on any failure. */
	CHECK(memcmp(out, keep, 6) == 0, "output untouched on error");
}

int
main(void)
{
	test_encode();
	test_parse_good();
	test_parse_bad();
	return check_exit("netvsp_rndis_param");
}
