/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Channel-management messages: the type table, the one decode/validate
 * entry, and encoders. Layout checks below pin every struct to the offsets
 * of the protocol (protocol.rst 3.3).
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "vmb_msg.h"

#define OFF(t, f, o) _Static_assert(offsetof(t, f) == (o), #t "." #f)
#define SIZE(t, s) _Static_assert(sizeof(t) == (s), "sizeof " #t)

SIZE(struct vmb_msg_hdr, 8);
SIZE(struct vmb_guid, 16);
SIZE(struct vmb_msg_offer, 196);
OFF(struct vmb_msg_offer, if_type, 8);
OFF(struct vmb_msg_offer, if_instance, 24);
OFF(struct vmb_msg_offer, chn_flags, 56);
OFF(struct vmb_msg_offer, mmio_megabytes, 58);
OFF(struct vmb_msg_offer, user_defined, 60);
OFF(struct vmb_msg_offer, sub_channel_index, 180);
OFF(struct vmb_msg_offer, child_relid, 184);
OFF(struct vmb_msg_offer, monitor_id, 188);
OFF(struct vmb_msg_offer, monitor_allocated, 189);
OFF(struct vmb_msg_offer, is_dedicated_interrupt, 190);
OFF(struct vmb_msg_offer, connection_id, 192);
SIZE(struct vmb_msg_relid, 12);
SIZE(struct vmb_msg_open, 156);
OFF(struct vmb_msg_open, child_relid, 8);
OFF(struct vmb_msg_open, openid, 12);
OFF(struct vmb_msg_open, ring_gpadl, 16);
OFF(struct vmb_msg_open, target_vp, 20);
OFF(struct vmb_msg_open, downstream_page_offset, 24);
OFF(struct vmb_msg_open, user_data, 28);
OFF(struct vmb_msg_open, guest_conn_id, 148);
OFF(struct vmb_msg_open, guest_event_flag, 152);
OFF(struct vmb_msg_open, flags, 154);
SIZE(struct vmb_msg_open_result, 20);
OFF(struct vmb_msg_open_result, status, 16);
SIZE(struct vmb_msg_gpadl_header, 236);
OFF(struct vmb_msg_gpadl_header, child_relid, 8);
OFF(struct vmb_msg_gpadl_header, gpadl, 12);
OFF(struct vmb_msg_gpadl_header, range_buflen, 16);
OFF(struct vmb_msg_gpadl_header, rangecount, 18);
OFF(struct vmb_msg_gpadl_header, range_words, 20);
SIZE(struct vmb_msg_gpadl_body, 240);
OFF(struct vmb_msg_gpadl_body, msgnumber, 8);
OFF(struct vmb_msg_gpadl_body, gpadl, 12);
OFF(struct vmb_msg_gpadl_body, pfn, 16);
SIZE(struct vmb_msg_gpadl_created, 20);
OFF(struct vmb_msg_gpadl_created, status, 16);
SIZE(struct vmb_msg_gpadl_teardown, 16);
SIZE(struct vmb_msg_gpadl_torndown, 12);
SIZE(struct vmb_msg_initiate_contact, 56);
OFF(struct vmb_msg_initiate_contact, version_requested, 8);
OFF(struct vmb_msg_initiate_contact, target_vcpu, 12);
OFF(struct vmb_msg_initiate_contact, interrupt_page, 16);
OFF(struct vmb_msg_initiate_contact, msg_sint, 16);
OFF(struct vmb_msg_initiate_contact, msg_vtl, 17);
OFF(struct vmb_msg_initiate_contact, feature_flags, 20);
OFF(struct vmb_msg_initiate_contact, monitor_page1, 24);
OFF(struct vmb_msg_initiate_contact, monitor_page2, 32);
OFF(struct vmb_msg_initiate_contact, client_id, 40);
SIZE(struct vmb_msg_version_response, 40);
OFF(struct vmb_msg_version_response, version_supported, 8);
OFF(struct vmb_msg_version_response, connection_state, 9);
OFF(struct vmb_msg_version_response, msg_conn_id, 12);
OFF(struct vmb_msg_version_response, supported_features, 16);
OFF(struct vmb_msg_version_response, monitor_page1, 24);
OFF(struct vmb_msg_version_response, monitor_page2, 32);
SIZE(struct vmb_msg_open_reserved, 28);
SIZE(struct vmb_msg_close_reserved, 20);
SIZE(struct vmb_msg_tl_connect, 56);
OFF(struct vmb_msg_tl_connect, host_service, 24);
SIZE(struct vmb_msg_modify, 16);
OFF(struct vmb_msg_modify, target_vp, 12);
SIZE(struct vmb_msg_modify_response, 16);
OFF(struct vmb_msg_modify_response, status, 12);
SIZE(union vmb_msg, VMB_MSG_MAX_SIZE);

/*
 * min_len: what a receiver needs before touching any field it uses (the
 * hardened-guest minimums: offer 196, rescind 12, open result 20, GPADL
 * created 20, torndown 12, version response 16). size: what we send.
 */
const struct vmb_msg_info vmb_msg_table[VMB_MSG_COUNT] = {
	[VMB_MSG_INVALID] = { "INVALID", 0, 0 },
	[VMB_MSG_OFFERCHANNEL] = { "OFFERCHANNEL", 196, 196 },
	[VMB_MSG_RESCIND_CHANNELOFFER] = { "RESCIND_CHANNELOFFER", 12, 12 },
	[VMB_MSG_REQUESTOFFERS] = { "REQUESTOFFERS", 8, 8 },
	[VMB_MSG_ALLOFFERS_DELIVERED] = { "ALLOFFERS_DELIVERED", 8, 8 },
	[VMB_MSG_OPENCHANNEL] = { "OPENCHANNEL", 148, 148 },
	[VMB_MSG_OPENCHANNEL_RESULT] = { "OPENCHANNEL_RESULT", 20, 20 },
	[VMB_MSG_CLOSECHANNEL] = { "CLOSECHANNEL", 12, 12 },
	/* Header plus the first range word; PFNs are checked by the
	 * GPADL assembler against range_buflen.
	 */
	[VMB_MSG_GPADL_HEADER] = { "GPADL_HEADER", 28, 28 },
	[VMB_MSG_GPADL_BODY] = { "GPADL_BODY", 16, 16 },
	[VMB_MSG_GPADL_CREATED] = { "GPADL_CREATED", 20, 20 },
	[VMB_MSG_GPADL_TEARDOWN] = { "GPADL_TEARDOWN", 16, 16 },
	[VMB_MSG_GPADL_TORNDOWN] = { "GPADL_TORNDOWN", 12, 12 },
	[VMB_MSG_RELID_RELEASED] = { "RELID_RELEASED", 12, 12 },
	[VMB_MSG_INITIATE_CONTACT] = { "INITIATE_CONTACT", 40, 40 },
	[VMB_MSG_VERSION_RESPONSE] = { "VERSION_RESPONSE", 16, 16 },
	[VMB_MSG_UNLOAD] = { "UNLOAD", 8, 8 },
	[VMB_MSG_UNLOAD_RESPONSE] = { "UNLOAD_RESPONSE", 8, 8 },
	[VMB_MSG_OPEN_RESERVED_CHANNEL] = { "OPEN_RESERVED_CHANNEL", 28, 28 },
	[VMB_MSG_CLOSE_RESERVED_CHANNEL] = { "CLOSE_RESERVED_CHANNEL", 20, 20 },
	[VMB_MSG_CLOSE_RESERVED_RESPONSE] = { "CLOSE_RESERVED_RESPONSE", 12, 12 },
	[VMB_MSG_TL_CONNECT_REQUEST] = { "TL_CONNECT_REQUEST", 40, 40 },
	[VMB_MSG_MODIFYCHANNEL] = { "MODIFYCHANNEL", 16, 16 },
	/* Layout not used by this project: header only. */
	[VMB_MSG_TL_CONNECT_RESULT] = { "TL_CONNECT_RESULT", 8, 8 },
	[VMB_MSG_MODIFYCHANNEL_RESPONSE] = { "MODIFYCHANNEL_RESPONSE", 16, 16 },
};

const char *
vmb_msg_name(uint32_t type)
{
	return type < VMB_MSG_COUNT ? vmb_msg_table[type].name : "UNKNOWN";
}

int
vmb_msg_decode(const void *src, uint32_t len, union vmb_msg *out)
{
	uint32_t type;

	if (len < sizeof(struct vmb_msg_hdr) || len > VMB_MSG_MAX_SIZE)
		return -EMSGSIZE;
	/* Copy first, then look only at the copy: the sender may still be
	 * changing the source (no double fetch of the type).
	 */
	memcpy(out->raw, src, len);
	memset(out->raw + len, 0, VMB_MSG_MAX_SIZE - len);
	/* Keep the compiler from reading the type from @src instead. */
	__asm__ volatile("" ::: "memory");
	type = out->hdr.type;
	if (type == VMB_MSG_INVALID || type >= VMB_MSG_COUNT)
		return -ENOMSG;
	if (len < vmb_msg_table[type].min_len)
		return -EBADMSG;
	return (int)type;
}

static int
msg_start(union vmb_msg *m, uint32_t type)
{
	memset(m, 0, sizeof(*m));
	m->hdr.type = type;
	return vmb_msg_table[type].size;
}

int
vmb_msg_encode_hdr(union vmb_msg *m, uint32_t type)
{
	if (type != VMB_MSG_REQUESTOFFERS &&
	    type != VMB_MSG_ALLOFFERS_DELIVERED &&
	    type != VMB_MSG_UNLOAD && type != VMB_MSG_UNLOAD_RESPONSE)
		return -EINVAL;
	return msg_start(m, type);
}

int
vmb_msg_encode_relid(union vmb_msg *m, uint32_t type, uint32_t relid)
{
	int len;

	if (type != VMB_MSG_RESCIND_CHANNELOFFER &&
	    type != VMB_MSG_CLOSECHANNEL &&
	    type != VMB_MSG_RELID_RELEASED &&
	    type != VMB_MSG_CLOSE_RESERVED_RESPONSE)
		return -EINVAL;
	len = msg_start(m, type);
	m->relid.child_relid = relid;
	return len;
}

int
vmb_msg_encode_offer(union vmb_msg *m, const struct vmb_offer_params *p)
{
	int len;

	if (p->monitor_id >= 128)
		return -EINVAL;
	len = msg_start(m, VMB_MSG_OFFERCHANNEL);
	m->offer.if_type = p->if_type;
	m->offer.if_instance = p->if_instance;
	m->offer.chn_flags = p->chn_flags;
	m->offer.sub_channel_index = p->sub_channel_index;
	m->offer.child_relid = p->child_relid;
	m->offer.monitor_id = p->monitor_id;
	m->offer.monitor_allocated = p->monitor_allocated;
	m->offer.is_dedicated_interrupt = p->is_dedicated_interrupt;
	m->offer.connection_id = p->connection_id;
	return len;
}

int
vmb_msg_encode_open(union vmb_msg *m, uint32_t relid, uint32_t openid,
		    uint32_t ring_gpadl, uint32_t target_vp,
		    uint32_t downstream_page_offset)
{
	int len = msg_start(m, VMB_MSG_OPENCHANNEL);

	m->open.child_relid = relid;
	m->open.openid = openid;
	m->open.ring_gpadl = ring_gpadl;
	m->open.target_vp = target_vp;
	m->open.downstream_page_offset = downstream_page_offset;
	return len;
}

int
vmb_msg_encode_open_result(union vmb_msg *m, uint32_t relid, uint32_t openid,
			   uint32_t status)
{
	int len = msg_start(m, VMB_MSG_OPENCHANNEL_RESULT);

	m->open_result.child_relid = relid;
	m->open_result.openid = openid;
	m->open_result.status = status;
	return len;
}

int
vmb_msg_encode_gpadl_created(union vmb_msg *m, uint32_t relid,
			     uint32_t gpadl, uint32_t status)
{
	int len = msg_start(m, VMB_MSG_GPADL_CREATED);

	m->gpadl_created.child_relid = relid;
	m->gpadl_created.gpadl = gpadl;
	m->gpadl_created.status = status;
	return len;
}

int
vmb_msg_encode_gpadl_teardown(union vmb_msg *m, uint32_t relid,
			      uint32_t gpadl)
{
	int len = msg_start(m, VMB_MSG_GPADL_TEARDOWN);

	m->gpadl_teardown.child_relid = relid;
	m->gpadl_teardown.gpadl = gpadl;
	return len;
}

int
vmb_msg_encode_gpadl_torndown(union vmb_msg *m, uint32_t gpadl)
{
	int len = msg_start(m, VMB_MSG_GPADL_TORNDOWN);

	m->gpadl_torndown.gpadl = gpadl;
	return len;
}

int
vmb_msg_encode_initiate_contact(union vmb_msg *m, uint32_t version,
				uint32_t target_vcpu, uint64_t interrupt_page,
				uint64_t monitor_page1, uint64_t monitor_page2)
{
	int len;

	/* Hosts refuse one monitor page without the other. */
	if ((monitor_page1 == 0) != (monitor_page2 == 0))
		return -EINVAL;
	len = msg_start(m, VMB_MSG_INITIATE_CONTACT);
	m->initiate_contact.version_requested = version;
	m->initiate_contact.target_vcpu = target_vcpu;
	if (version >= VMB_VERSION_WIN10_V5)
		m->initiate_contact.msg_sint = VMB_SINT;
	else
		m->initiate_contact.interrupt_page = interrupt_page;
	m->initiate_contact.monitor_page1 = monitor_page1;
	m->initiate_contact.monitor_page2 = monitor_page2;
	return len;
}

int
vmb_msg_encode_version_response(union vmb_msg *m, uint8_t supported,
				uint8_t state, uint32_t msg_conn_id)
{
	int len = msg_start(m, VMB_MSG_VERSION_RESPONSE);

	m->version_response.version_supported = supported;
	m->version_response.connection_state = state;
	m->version_response.msg_conn_id = msg_conn_id;
	return len;
}

int
vmb_msg_encode_modify(union vmb_msg *m, uint32_t relid, uint32_t target_vp)
{
	int len = msg_start(m, VMB_MSG_MODIFYCHANNEL);

	m->modify.child_relid = relid;
	m->modify.target_vp = target_vp;
	return len;
}

int
vmb_msg_encode_modify_response(union vmb_msg *m, uint32_t relid,
			       int32_t status)
{
	int len = msg_start(m, VMB_MSG_MODIFYCHANNEL_RESPONSE);

	m->modify_response.child_relid = relid;
	m->modify_response.status = status;
	return len;
}
