/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * libFuzzer target: NVSP messages as a guest or host receives them. The
 * first byte picks the NVSP version (send-table placement) and the buffer
 * sizes the validators check against; the rest is the message.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nvsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t table[NVSP_SEND_TABLE_SIZE];
	struct nvsp_recv_buf_info info;
	union nvsp_msg m;
	uint32_t ver, v;
	uint64_t bufsz;
	uint8_t *msg;
	int rc;

	if (size < 1)
		return 0;
	ver = nvsp_guest_versions[data[0] % NVSP_GUEST_VERSION_COUNT];
	bufsz = (uint64_t)1 << (data[0] >> 3);
	/* An exact-size heap copy so ASan sees any read past the message. */
	size--;
	msg = malloc(size ? size : 1);
	if (msg == NULL)
		return 0;
	memcpy(msg, data + 1, size);

	rc = nvsp_decode(msg, size, &m);
	if (rc > 0 && nvsp_type_min_version((uint32_t)rc) == 0)
		abort();	/* decode accepted a type the table lacks */
	if (nvsp_check_recv_buf_cmplt(msg, size, bufsz, &info) == 0 &&
	    (uint64_t)info.section_size * info.section_count > bufsz)
		abort();
	if (nvsp_check_send_buf_cmplt(msg, size, bufsz, &v) == 0 &&
	    (v < NVSP_MIN_SECTION_SIZE || v % 4 != 0 || v > bufsz))
		abort();
	if (nvsp_check_subchannel_cmplt(msg, size, 8, &v) == 0 && v > 8)
		abort();
	nvsp_parse_send_table(msg, size, ver, table);
	free(msg);
	return 0;
}
