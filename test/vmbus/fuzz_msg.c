/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * libFuzzer target: a stream of channel messages from a hostile peer,
 * through the decoder and, for GPADL messages, the host-side assembler.
 * Input: repeated {u8 length, length bytes}. Every completed GPADL is
 * checked for internal consistency; ASan reports leaks of unfinished ones.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmb_gpadl.h"
#include "vmb_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmb_gpadl_asm a;
	struct vmb_gpadl *g;
	union vmb_msg m;
	size_t pos = 0;
	uint32_t len, frel, fh;
	int type, rc;

	if (vmb_gpadl_asm_init(&a, 4, 600) < 0)
		abort();
	while (pos < size) {
		len = data[pos++];
		if (len > size - pos)
			len = (uint32_t)(size - pos);
		type = vmb_msg_decode(data + pos, len, &m);
		pos += len;
		if (type < 0)
			continue;
		if (len < vmb_msg_table[type].min_len)
			abort();
		(void)vmb_msg_name((uint32_t)type);
		if (type != VMB_MSG_GPADL_HEADER && type != VMB_MSG_GPADL_BODY)
			continue;
		rc = vmb_gpadl_asm_feed(&a, &m, len, &g, &frel, &fh);
		if (rc < 0 || g == NULL)
			continue;
		if (g->npfn == 0 || g->npfn > 600 || g->nwords < g->npfn + 1 ||
		    g->rangecount == 0 || g->byte_offset >= 4096 ||
		    g->pfns != g->words + 1)
			abort();
		/* Touch every word: ASan checks the allocation size. */
		for (len = 0; len < g->nwords; len++)
			frel += (uint32_t)g->words[len];
		vmb_gpadl_free(g);
	}
	vmb_gpadl_asm_fini(&a);
	return 0;
}
