/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Channel messages: encode/decode round trip of every type, rejection of
 * each type one byte short of its minimum, and GPADL split/reassembly with
 * every way the assembler must refuse a guest.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vmb_gpadl.h"
#include "vmb_msg.h"

/* Decode @m as sent (@len) and check type and the short-by-one reject. */
static void
roundtrip(const union vmb_msg *m, int len, uint32_t type, union vmb_msg *out)
{
	union vmb_msg scratch;

	CHECK_EQ(len, vmb_msg_table[type].size);
	CHECK_EQ(vmb_msg_decode(m, (uint32_t)len, out), type);
	CHECK(memcmp(out, m, (size_t)len) == 0);
	CHECK_EQ(vmb_msg_decode(m, vmb_msg_table[type].min_len - 1, &scratch),
		 vmb_msg_table[type].min_len - 1 < 8 ? -EMSGSIZE : -EBADMSG);
}

static void
test_roundtrip(void)
{
	static const uint32_t hdr_only[] = {
		VMB_MSG_REQUESTOFFERS, VMB_MSG_ALLOFFERS_DELIVERED,
		VMB_MSG_UNLOAD, VMB_MSG_UNLOAD_RESPONSE,
	};
	static const uint32_t relid_only[] = {
		VMB_MSG_RESCIND_CHANNELOFFER, VMB_MSG_CLOSECHANNEL,
		VMB_MSG_RELID_RELEASED, VMB_MSG_CLOSE_RESERVED_RESPONSE,
	};
	struct vmb_offer_params op = {
		.chn_flags = VMB_OFFER_ENUMERATE_DEVICE,
		.sub_channel_index = 3, .child_relid = 17, .monitor_id = 99,
		.monitor_allocated = 1, .is_dedicated_interrupt = 1,
		.connection_id = 0x2011,
	};
	union vmb_msg m, o;
	unsigned int i;
	int len;

	for (i = 0; i < 4; i++) {
		len = vmb_msg_encode_hdr(&m, hdr_only[i]);
		CHECK_EQ(len, 8);
		/* 8 is also the minimum: 7 is not even a header. */
		CHECK_EQ(vmb_msg_decode(&m, (uint32_t)len, &o), hdr_only[i]);
		CHECK_EQ(vmb_msg_decode(&m, 7, &o), -EMSGSIZE);
	}
	CHECK_EQ(vmb_msg_encode_hdr(&m, VMB_MSG_OPENCHANNEL), -EINVAL);
	for (i = 0; i < 4; i++) {
		len = vmb_msg_encode_relid(&m, relid_only[i], 42);
		roundtrip(&m, len, relid_only[i], &o);
		CHECK_EQ(o.relid.child_relid, 42);
	}
	CHECK_EQ(vmb_msg_encode_relid(&m, VMB_MSG_UNLOAD, 1), -EINVAL);

	op.if_type = vmb_guid_netvsc;
	vmb_guid_parse("01234567-89ab-cdef-0123-456789abcdef", &op.if_instance);
	len = vmb_msg_encode_offer(&m, &op);
	roundtrip(&m, len, VMB_MSG_OFFERCHANNEL, &o);
	CHECK(vmb_guid_equal(&o.offer.if_type, &vmb_guid_netvsc));
	CHECK(vmb_guid_equal(&o.offer.if_instance, &op.if_instance));
	CHECK_EQ(o.offer.child_relid, 17);
	CHECK_EQ(o.offer.sub_channel_index, 3);
	CHECK_EQ(o.offer.monitor_id, 99);
	CHECK_EQ(o.offer.monitor_allocated, 1);
	CHECK_EQ(o.offer.is_dedicated_interrupt, 1);
	CHECK_EQ(o.offer.connection_id, 0x2011);
	CHECK_EQ(o.offer.chn_flags, VMB_OFFER_ENUMERATE_DEVICE);
	CHECK_EQ(m.raw[184], 17);	/* relid on the wire at 184 */
	op.monitor_id = 128;
	CHECK_EQ(vmb_msg_encode_offer(&m, &op), -EINVAL);

	len = vmb_msg_encode_open(&m, 5, 6, 0xe1e10, 1, 257);
	roundtrip(&m, len, VMB_MSG_OPENCHANNEL, &o);
	CHECK_EQ(o.open.child_relid, 5);
	CHECK_EQ(o.open.openid, 6);
	CHECK_EQ(o.open.ring_gpadl, 0xe1e10);
	CHECK_EQ(o.open.target_vp, 1);
	CHECK_EQ(o.open.downstream_page_offset, 257);
	CHECK_EQ(o.open.guest_conn_id, 0);	/* zero-filled past 148 */

	len = vmb_msg_encode_open_result(&m, 5, 6, 0xc0000001u);
	roundtrip(&m, len, VMB_MSG_OPENCHANNEL_RESULT, &o);
	CHECK_EQ(o.open_result.status, 0xc0000001u);
	CHECK_EQ(o.open_result.openid, 6);

	len = vmb_msg_encode_gpadl_created(&m, 5, 0xe1e11, 0x8000ffffu);
	roundtrip(&m, len, VMB_MSG_GPADL_CREATED, &o);
	CHECK_EQ(o.gpadl_created.gpadl, 0xe1e11);
	CHECK_EQ(o.gpadl_created.status, 0x8000ffffu);

	len = vmb_msg_encode_gpadl_teardown(&m, 5, 0xe1e11);
	roundtrip(&m, len, VMB_MSG_GPADL_TEARDOWN, &o);
	CHECK_EQ(o.gpadl_teardown.child_relid, 5);
	CHECK_EQ(o.gpadl_teardown.gpadl, 0xe1e11);

	len = vmb_msg_encode_gpadl_torndown(&m, 0xe1e11);
	roundtrip(&m, len, VMB_MSG_GPADL_TORNDOWN, &o);
	CHECK_EQ(o.gpadl_torndown.gpadl, 0xe1e11);

	len = vmb_msg_encode_initiate_contact(&m, VMB_VERSION_IRON, 0, 0,
					      0x10000, 0x11000);
	roundtrip(&m, len, VMB_MSG_INITIATE_CONTACT, &o);
	CHECK_EQ(o.initiate_contact.version_requested, VMB_VERSION_IRON);
	CHECK_EQ(o.initiate_contact.msg_sint, VMB_SINT);
	CHECK_EQ(o.initiate_contact.monitor_page1, 0x10000);
	CHECK_EQ(o.initiate_contact.monitor_page2, 0x11000);
	len = vmb_msg_encode_initiate_contact(&m, VMB_VERSION_WIN8, 0,
					      0x20000, 0, 0);
	CHECK_EQ(vmb_msg_decode(&m, (uint32_t)len, &o),
		 VMB_MSG_INITIATE_CONTACT);
	CHECK_EQ(o.initiate_contact.interrupt_page, 0x20000);
	CHECK_EQ(vmb_msg_encode_initiate_contact(&m, VMB_VERSION_IRON, 0, 0,
						 0x10000, 0), -EINVAL);

	len = vmb_msg_encode_version_response(&m, 1, VMB_CONN_OK, 4);
	roundtrip(&m, len, VMB_MSG_VERSION_RESPONSE, &o);
	CHECK_EQ(o.version_response.version_supported, 1);
	CHECK_EQ(o.version_response.msg_conn_id, 4);
	CHECK_EQ(o.version_response.supported_features, 0);

	len = vmb_msg_encode_modify(&m, 9, 3);
	roundtrip(&m, len, VMB_MSG_MODIFYCHANNEL, &o);
	CHECK_EQ(o.modify.target_vp, 3);
	len = vmb_msg_encode_modify_response(&m, 9, -5);
	roundtrip(&m, len, VMB_MSG_MODIFYCHANNEL_RESPONSE, &o);
	CHECK_EQ(o.modify_response.status, -5);
}

static void
test_decode_rejects(void)
{
	union vmb_msg m, o;
	uint32_t t;

	memset(&m, 0, sizeof(m));
	CHECK_EQ(vmb_msg_decode(&m, 8, &o), -ENOMSG);	/* INVALID */
	m.hdr.type = VMB_MSG_COUNT;
	CHECK_EQ(vmb_msg_decode(&m, 240, &o), -ENOMSG);
	m.hdr.type = 0xffffffffu;
	CHECK_EQ(vmb_msg_decode(&m, 240, &o), -ENOMSG);
	m.hdr.type = VMB_MSG_UNLOAD;
	CHECK_EQ(vmb_msg_decode(&m, 241, &o), -EMSGSIZE);
	CHECK_EQ(vmb_msg_decode(&m, 0, &o), -EMSGSIZE);
	CHECK_EQ(vmb_msg_decode(&m, 240, &o), VMB_MSG_UNLOAD);
	/* Every type: the minimum passes, one byte less does not. */
	for (t = 1; t < VMB_MSG_COUNT; t++) {
		CHECK(vmb_msg_table[t].min_len >= 8);
		CHECK(vmb_msg_table[t].min_len <= VMB_MSG_MAX_SIZE);
		CHECK(vmb_msg_table[t].size >= vmb_msg_table[t].min_len);
		memset(&m, 0, sizeof(m));
		m.hdr.type = t;
		CHECK_EQ(vmb_msg_decode(&m, vmb_msg_table[t].min_len, &o), t);
		if (vmb_msg_table[t].min_len > 8)
			CHECK_EQ(vmb_msg_decode(&m, vmb_msg_table[t].min_len - 1,
						&o), -EBADMSG);
		CHECK(strcmp(vmb_msg_name(t), "UNKNOWN") != 0);
	}
	CHECK(strcmp(vmb_msg_name(VMB_MSG_COUNT), "UNKNOWN") == 0);
	CHECK(strcmp(vmb_msg_name(VMB_MSG_OFFERCHANNEL), "OFFERCHANNEL") == 0);
	/* Hardened-guest minimums. */
	CHECK_EQ(vmb_msg_table[VMB_MSG_OFFERCHANNEL].min_len, 196);
	CHECK_EQ(vmb_msg_table[VMB_MSG_RESCIND_CHANNELOFFER].min_len, 12);
	CHECK_EQ(vmb_msg_table[VMB_MSG_OPENCHANNEL_RESULT].min_len, 20);
	CHECK_EQ(vmb_msg_table[VMB_MSG_GPADL_CREATED].min_len, 20);
	CHECK_EQ(vmb_msg_table[VMB_MSG_GPADL_TORNDOWN].min_len, 12);
	CHECK_EQ(vmb_msg_table[VMB_MSG_VERSION_RESPONSE].min_len, 16);
}

/* Build all messages of a GPADL, feed them to @a, return the result. */
static struct vmb_gpadl *
gpadl_roundtrip(struct vmb_gpadl_asm *a, uint32_t handle, uint32_t npfn,
		const uint64_t *pfns)
{
	struct vmb_gpadl *g = NULL;
	union vmb_msg m, o;
	int count = vmb_gpadl_msg_count(npfn);
	int i, len, rc;

	for (i = 0; i < count; i++) {
		len = vmb_gpadl_build(&m, 7, handle, pfns, npfn, (uint32_t)i);
		CHECK(len > 0 && len <= VMB_MSG_MAX_SIZE, "len %d", len);
		CHECK_EQ(vmb_msg_decode(&m, (uint32_t)len, &o),
			 i == 0 ? VMB_MSG_GPADL_HEADER : VMB_MSG_GPADL_BODY);
		if (i == 0) {
			CHECK_EQ(o.gpadl_header.range_buflen, 8 + 8 * npfn);
			CHECK_EQ(o.gpadl_header.rangecount, 1);
		}
		rc = vmb_gpadl_asm_feed(a, &o, (uint32_t)len, &g, NULL, NULL);
		CHECK_EQ(rc, 0);
		CHECK((g != NULL) == (i == count - 1), "msg %d of %d", i, count);
	}
	return g;
}

static void
test_gpadl_split(void)
{
	static const uint32_t counts[] = {
		1, 2, 25, 26, 27, 28, 53, 54, 55, 82, 83, 256, 7936,
		VMB_GPADL_MAX_PFN,
	};
	static uint64_t pfns[VMB_GPADL_MAX_PFN + 1];
	struct vmb_gpadl_asm a;
	struct vmb_gpadl *g;
	union vmb_msg m;
	unsigned int i;
	uint32_t k;

	for (k = 0; k < VMB_GPADL_MAX_PFN + 1; k++)
		pfns[k] = 0x100000 + k * 3;
	CHECK_EQ(vmb_gpadl_msg_count(0), -EINVAL);
	CHECK_EQ(vmb_gpadl_msg_count(1), 1);
	CHECK_EQ(vmb_gpadl_msg_count(26), 1);
	CHECK_EQ(vmb_gpadl_msg_count(27), 2);
	CHECK_EQ(vmb_gpadl_msg_count(54), 2);
	CHECK_EQ(vmb_gpadl_msg_count(55), 3);
	CHECK_EQ(vmb_gpadl_msg_count(VMB_GPADL_MAX_PFN + 1), -EINVAL);
	CHECK_EQ(vmb_gpadl_build(&m, 1, 1, pfns, 0, 0), -EINVAL);
	CHECK_EQ(vmb_gpadl_build(&m, 1, 1, pfns, 26, 1), -EINVAL);
	CHECK_EQ(vmb_gpadl_build(&m, 1, 1, pfns, 27, 1), 16 + 8);
	CHECK_EQ(vmb_gpadl_build(&m, 1, 1, pfns, 27, 0), 236);
	CHECK_EQ(vmb_gpadl_build(&m, 1, 1, pfns, 54, 1), 240);

	REQUIRE(vmb_gpadl_asm_init(&a, 4, VMB_GPADL_MAX_PFN) == 0);
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		g = gpadl_roundtrip(&a, 0xe1e10 + i, counts[i], pfns);
		CHECK(g != NULL, "npfn %u", counts[i]);
		if (g == NULL)
			continue;
		CHECK_EQ(g->relid, 7);
		CHECK_EQ(g->handle, 0xe1e10 + i);
		CHECK_EQ(g->rangecount, 1);
		CHECK_EQ(g->npfn, counts[i]);
		CHECK_EQ(g->byte_offset, 0);
		CHECK_EQ(g->byte_count, counts[i] * 4096ull);
		CHECK_EQ(g->nwords, counts[i] + 1);
		CHECK(memcmp(g->pfns, pfns, counts[i] * 8ull) == 0,
		      "npfn %u", counts[i]);
		vmb_gpadl_free(g);
	}
	CHECK_EQ(vmb_gpadl_asm_pending(&a), 0);
	CHECK_EQ(a.stats.completed, sizeof(counts) / sizeof(counts[0]));
	vmb_gpadl_asm_fini(&a);
	vmb_gpadl_free(NULL);
}

static void
test_gpadl_refusals(void)
{
	static uint64_t pfns[200];
	struct vmb_gpadl_asm a;
	struct vmb_gpadl *g;
	union vmb_msg h, b, b2;
	uint32_t frel = 0, fh = 0;
	int hl, bl, bl2;

	REQUIRE(vmb_gpadl_asm_init(&a, 2, 100) == 0);
	CHECK_EQ(vmb_gpadl_asm_init(&(struct vmb_gpadl_asm){ 0 }, 0, 1),
		 -EINVAL);
	hl = vmb_gpadl_build(&h, 3, 0x10, pfns, 60, 0);
	bl = vmb_gpadl_build(&b, 3, 0x10, pfns, 60, 1);
	bl2 = vmb_gpadl_build(&b2, 3, 0x10, pfns, 60, 2);

	/* Duplicate handle while in progress. */
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, &frel, &fh), 0);
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, &frel, &fh),
		 -EEXIST);
	CHECK_EQ(fh, 0x10);
	CHECK_EQ(frel, 3);
	CHECK_EQ(a.stats.dup_handle, 1);
	CHECK_EQ(vmb_gpadl_asm_pending(&a), 1);

	/* Body for an unknown handle. */
	b.gpadl_body.gpadl = 0x11;
	fh = 0;
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &b, (uint32_t)bl, &g, &frel, &fh),
		 -ENOENT);
	CHECK_EQ(fh, 0);
	CHECK_EQ(a.stats.unknown_handle, 1);
	b.gpadl_body.gpadl = 0x10;

	/* Overflow: after the 28-PFN body only 6 words remain. */
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &b, (uint32_t)bl, &g, &frel, &fh), 0);
	CHECK(g == NULL);
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &b, (uint32_t)bl, &g, &frel, &fh),
		 -EOVERFLOW);
	CHECK_EQ(fh, 0x10);
	CHECK_EQ(a.stats.overflow, 1);
	CHECK_EQ(vmb_gpadl_asm_pending(&a), 0);
	/* The dropped GPADL's last body now names nobody. */
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &b2, (uint32_t)bl2, &g, &frel, &fh),
		 -ENOENT);

	/* Too many PFNs for this host. */
	hl = vmb_gpadl_build(&h, 3, 0x20, pfns, 101, 0);
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, &frel, &fh),
		 -E2BIG);
	CHECK_EQ(a.stats.too_big, 1);

	/* Table full. */
	hl = vmb_gpadl_build(&h, 3, 0x30, pfns, 30, 0);
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, NULL, NULL), 0);
	h.gpadl_header.gpadl = 0x31;
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, NULL, NULL), 0);
	h.gpadl_header.gpadl = 0x32;
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, NULL, NULL),
		 -ENOSPC);
	CHECK_EQ(a.stats.no_slot, 1);
	CHECK_EQ(vmb_gpadl_asm_drop_relid(&a, 4), 0);
	CHECK_EQ(vmb_gpadl_asm_drop_relid(&a, 3), 2);
	CHECK_EQ(vmb_gpadl_asm_pending(&a), 0);

	/* Malformed headers: each is refused and leaves nothing behind. */
	hl = vmb_gpadl_build(&h, 3, 0x40, pfns, 10, 0);
	h.gpadl_header.range_buflen = 8;	/* no PFN at all */
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, NULL, NULL),
		 -EBADMSG);
	h.gpadl_header.range_buflen = 8 + 8 * 10 + 4;	/* not words */
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, NULL, NULL),
		 -EBADMSG);
	h.gpadl_header.range_buflen = 8 + 8 * 9;	/* header > announced */
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, NULL, NULL),
		 -EBADMSG);
	h.gpadl_header.range_buflen = 8 + 8 * 10;
	h.gpadl_header.rangecount = 0;
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, NULL, NULL),
		 -EBADMSG);
	h.gpadl_header.rangecount = 1;
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl - 4, &g, NULL, NULL),
		 -EBADMSG);
	/* Range says 9 pages but 10 PFNs follow: caught on completion. */
	{
		uint64_t r0 = 9 * 4096;

		memcpy(&h.raw[20], &r0, 8);
		CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, NULL,
					    NULL), -EBADMSG);
		r0 = 10 * 4096 + 1;		/* needs 11 */
		memcpy(&h.raw[20], &r0, 8);
		CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, NULL,
					    NULL), -EBADMSG);
		r0 = (uint64_t)4096 << 32 | 4096;	/* offset >= page */
		memcpy(&h.raw[20], &r0, 8);
		CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, NULL,
					    NULL), -EBADMSG);
		r0 = (uint64_t)100 << 32 | (10 * 4096 - 100);	/* fits */
		memcpy(&h.raw[20], &r0, 8);
		CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, NULL,
					    NULL), 0);
		CHECK(g != NULL && g->byte_offset == 100 && g->npfn == 10);
		vmb_gpadl_free(g);
	}
	/* Two ranges, 3 + 2 pages, in one header. */
	{
		uint64_t w[7] = { 3 * 4096, 1, 2, 3, 2 * 4096, 4, 5 };

		h.gpadl_header.range_buflen = sizeof(w);
		h.gpadl_header.rangecount = 2;
		memcpy(&h.raw[20], w, sizeof(w));
		CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, 20 + sizeof(w), &g, NULL,
					    NULL), 0);
		CHECK(g != NULL && g->rangecount == 2 && g->nwords == 7 &&
		      g->npfn == 3);
		vmb_gpadl_free(g);
		h.gpadl_header.rangecount = 3;	/* third range missing */
		CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, 20 + sizeof(w), &g, NULL,
					    NULL), -EBADMSG);
	}
	/* Malformed body kills the GPADL it names. */
	hl = vmb_gpadl_build(&h, 3, 0x50, pfns, 60, 0);
	bl = vmb_gpadl_build(&b, 3, 0x50, pfns, 60, 1);
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &h, (uint32_t)hl, &g, NULL, NULL), 0);
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &b, (uint32_t)bl - 3, &g, &frel, &fh),
		 -EBADMSG);
	CHECK_EQ(fh, 0x50);
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &b, 16, &g, NULL, NULL), -ENOENT);
	CHECK_EQ(vmb_gpadl_asm_pending(&a), 0);
	/* Not a GPADL message. */
	vmb_msg_encode_hdr(&b, VMB_MSG_UNLOAD);
	CHECK_EQ(vmb_gpadl_asm_feed(&a, &b, 8, &g, NULL, NULL), -EINVAL);
	vmb_gpadl_asm_fini(&a);
}

int
main(void)
{
	test_roundtrip();
	test_decode_rejects();
	test_gpadl_split();
	test_gpadl_refusals();
	return check_exit("test_msg");
}
