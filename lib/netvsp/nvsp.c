/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * NVSP encoders and validating decoders. One table gives, per message
 * type, the bytes a receiver needs and the first version that knows the
 * type; nvsp_decode() applies it once, the specific validators build on it.
 */

#include <errno.h>
#include <string.h>

#include "nvsp.h"
#include "netvsp_private.h"

const uint32_t nvsp_guest_versions[NVSP_GUEST_VERSION_COUNT] = {
	NVSP_VERSION_61, NVSP_VERSION_6, NVSP_VERSION_5,
	NVSP_VERSION_4, NVSP_VERSION_2, NVSP_VERSION_1,
};

struct nvsp_type_desc {
	uint32_t type;
	uint32_t min_len;	/* bytes up to the last field a receiver reads */
	uint32_t min_ver;
};

static const struct nvsp_type_desc nvsp_types[] = {
	{ NVSP_TYPE_INIT, 12, NVSP_VERSION_1 },
	{ NVSP_TYPE_INIT_CMPLT, 16, NVSP_VERSION_1 },
	{ NVSP_TYPE_NDIS_VERSION, 12, NVSP_VERSION_1 },
	{ NVSP_TYPE_RECV_BUF, 10, NVSP_VERSION_1 },
	{ NVSP_TYPE_RECV_BUF_CMPLT, 28, NVSP_VERSION_1 },
	{ NVSP_TYPE_REVOKE_RECV_BUF, 6, NVSP_VERSION_1 },
	{ NVSP_TYPE_SEND_BUF, 10, NVSP_VERSION_1 },
	{ NVSP_TYPE_SEND_BUF_CMPLT, 12, NVSP_VERSION_1 },
	{ NVSP_TYPE_REVOKE_SEND_BUF, 6, NVSP_VERSION_1 },
	{ NVSP_TYPE_RNDIS_PKT, 16, NVSP_VERSION_1 },
	{ NVSP_TYPE_RNDIS_PKT_CMPLT, 8, NVSP_VERSION_1 },
	{ NVSP_TYPE_NDIS_CONFIG, 20, NVSP_VERSION_2 },
	{ NVSP_TYPE_VF_ASSOC, 12, NVSP_VERSION_4 },
	{ NVSP_TYPE_SWITCH_DATA_PATH, 8, NVSP_VERSION_4 },
	{ NVSP_TYPE_UPLINK_CONNECT, 8, NVSP_VERSION_4 },
	{ NVSP_TYPE_OID_QUERY_EX, 12, NVSP_VERSION_5 },
	{ NVSP_TYPE_OID_QUERY_EX_CMPLT, 12, NVSP_VERSION_5 },
	{ NVSP_TYPE_SUBCHANNEL, 12, NVSP_VERSION_5 },
	{ NVSP_TYPE_SEND_TABLE, 12, NVSP_VERSION_5 },
	{ 135, 4, NVSP_VERSION_6 },	/* PD_API, unused by netvsc */
	{ 136, 4, NVSP_VERSION_6 },	/* PD_POST_BATCH, unused */
};

static const struct nvsp_type_desc *
nvsp_type_find(uint32_t type)
{
	size_t i;

	for (i = 0; i < sizeof(nvsp_types) / sizeof(nvsp_types[0]); i++)
		if (nvsp_types[i].type == type)
			return &nvsp_types[i];
	return NULL;
}

int
nvsp_version_known(uint32_t version)
{
	int i;

	for (i = 0; i < NVSP_GUEST_VERSION_COUNT; i++)
		if (nvsp_guest_versions[i] == version)
			return 1;
	return 0;
}

uint32_t
nvsp_type_min_version(uint32_t type)
{
	const struct nvsp_type_desc *d = nvsp_type_find(type);

	return d ? d->min_ver : 0;
}

int
nvsp_decode(const void *buf, size_t len, union nvsp_msg *msg)
{
	const struct nvsp_type_desc *d;
	uint32_t type;

	if (len < sizeof(struct nvsp_hdr))
		return -EBADMSG;
	type = hv_get_le32(buf);
	d = nvsp_type_find(type);
	if (d == NULL)
		return -ENOMSG;
	if (len < d->min_len)
		return -EBADMSG;
	if (msg != NULL) {
		size_t n = len < sizeof(*msg) ? len : sizeof(*msg);

		memset(msg, 0, sizeof(*msg));
		memcpy(msg, buf, n);
		/* The type checked above, not a second read of the buffer. */
		msg->hdr.type = type;
	}
	return (int)type;
}

/* ---------------------------------------------------------------------- */
/* Encoders: a zeroed 40-byte message with its fields filled in. */

static union nvsp_msg *
nvsp_start(void *buf, size_t size, uint32_t type)
{
	union nvsp_msg *m = buf;

	if (buf == NULL || size < NVSP_MSG_SIZE)
		return NULL;
	memset(m, 0, NVSP_MSG_SIZE);
	m->hdr.type = type;
	return m;
}

int
nvsp_encode_init(void *buf, size_t size, uint32_t version)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_INIT);

	if (m == NULL)
		return -ENOBUFS;
	m->init.min_ver = version;
	m->init.max_ver = version;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_ndis_config(void *buf, size_t size, uint32_t mtu, uint64_t caps)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_NDIS_CONFIG);

	if (m == NULL)
		return -ENOBUFS;
	m->ndis_config.mtu = mtu;
	m->ndis_config.caps = caps;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_ndis_version(void *buf, size_t size, uint32_t ndis_version)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_NDIS_VERSION);

	if (m == NULL)
		return -ENOBUFS;
	m->ndis_version.major = ndis_version >> 16;
	m->ndis_version.minor = ndis_version & 0xFFFF;
	return NVSP_MSG_SIZE;
}

static int
nvsp_encode_buf_conn(void *buf, size_t size, uint32_t type, uint32_t gpadl,
		     uint16_t id)
{
	union nvsp_msg *m = nvsp_start(buf, size, type);

	if (m == NULL)
		return -ENOBUFS;
	m->buf_conn.gpadl = gpadl;
	m->buf_conn.id = id;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_recv_buf(void *buf, size_t size, uint32_t gpadl, uint16_t id)
{
	return nvsp_encode_buf_conn(buf, size, NVSP_TYPE_RECV_BUF, gpadl, id);
}

int
nvsp_encode_send_buf(void *buf, size_t size, uint32_t gpadl, uint16_t id)
{
	return nvsp_encode_buf_conn(buf, size, NVSP_TYPE_SEND_BUF, gpadl, id);
}

static int
nvsp_encode_revoke(void *buf, size_t size, uint32_t type, uint16_t id)
{
	union nvsp_msg *m = nvsp_start(buf, size, type);

	if (m == NULL)
		return -ENOBUFS;
	m->buf_revoke.id = id;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_revoke_recv_buf(void *buf, size_t size, uint16_t id)
{
	return nvsp_encode_revoke(buf, size, NVSP_TYPE_REVOKE_RECV_BUF, id);
}

int
nvsp_encode_revoke_send_buf(void *buf, size_t size, uint16_t id)
{
	return nvsp_encode_revoke(buf, size, NVSP_TYPE_REVOKE_SEND_BUF, id);
}

int
nvsp_encode_subchannel_req(void *buf, size_t size, uint32_t num)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_SUBCHANNEL);

	if (m == NULL)
		return -ENOBUFS;
	m->subchannel_req.op = NVSP_SUBCHAN_OP_ALLOCATE;
	m->subchannel_req.num_subchannels = num;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_switch_data_path(void *buf, size_t size, uint32_t active)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_SWITCH_DATA_PATH);

	if (m == NULL)
		return -ENOBUFS;
	m->switch_data_path.active = active;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_rndis_pkt(void *buf, size_t size, uint32_t channel_type,
		      uint32_t section_index, uint32_t section_size)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_RNDIS_PKT);

	if (m == NULL)
		return -ENOBUFS;
	m->rndis_pkt.channel_type = channel_type;
	m->rndis_pkt.section_index = section_index;
	m->rndis_pkt.section_size = section_size;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_rndis_pkt_cmplt(void *buf, size_t size, uint32_t status)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_RNDIS_PKT_CMPLT);

	if (m == NULL)
		return -ENOBUFS;
	m->rndis_pkt_cmplt.status = status;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_init_cmplt(void *buf, size_t size, uint32_t status,
		       uint32_t max_mdl_chain_len)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_INIT_CMPLT);

	if (m == NULL)
		return -ENOBUFS;
	/* Deprecated field; openvmm's value for every version above 1. */
	m->init_cmplt.negotiated_ver = 0xFFFFFFFFu;
	m->init_cmplt.max_mdl_chain_len = max_mdl_chain_len;
	m->init_cmplt.status = status;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_recv_buf_cmplt(void *buf, size_t size, uint32_t status,
			   uint32_t section_size, uint32_t section_count)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_RECV_BUF_CMPLT);

	if (m == NULL)
		return -ENOBUFS;
	m->recv_buf_cmplt.status = status;
	m->recv_buf_cmplt.num_sections = 1;
	m->recv_buf_cmplt.section.offset = 0;
	m->recv_buf_cmplt.section.sub_alloc_size = section_size;
	m->recv_buf_cmplt.section.num_sub_allocs = section_count;
	m->recv_buf_cmplt.section.end_offset =
		(uint32_t)((uint64_t)section_size * section_count);
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_send_buf_cmplt(void *buf, size_t size, uint32_t status,
			   uint32_t section_size)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_SEND_BUF_CMPLT);

	if (m == NULL)
		return -ENOBUFS;
	m->send_buf_cmplt.status = status;
	m->send_buf_cmplt.section_size = section_size;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_subchannel_cmplt(void *buf, size_t size, uint32_t status,
			     uint32_t granted)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_SUBCHANNEL);

	if (m == NULL)
		return -ENOBUFS;
	m->subchannel_cmplt.status = status;
	m->subchannel_cmplt.num_subchannels = granted;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_oid_query_ex_cmplt(void *buf, size_t size, uint32_t status)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_OID_QUERY_EX_CMPLT);

	if (m == NULL)
		return -ENOBUFS;
	m->oid_query_ex_cmplt.status = status;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_vf_assoc(void *buf, size_t size, uint32_t allocated,
		     uint32_t serial)
{
	union nvsp_msg *m = nvsp_start(buf, size, NVSP_TYPE_VF_ASSOC);

	if (m == NULL)
		return -ENOBUFS;
	m->vf_assoc.allocated = allocated;
	m->vf_assoc.serial = serial;
	return NVSP_MSG_SIZE;
}

int
nvsp_encode_empty_cmplt(void *buf, size_t size)
{
	return nvsp_start(buf, size, 0) ? NVSP_MSG_SIZE : -ENOBUFS;
}

int
nvsp_encode_send_table(void *buf, size_t size, uint32_t table_offset,
		       const uint32_t table[NVSP_SEND_TABLE_SIZE])
{
	const uint32_t tbl_bytes = NVSP_SEND_TABLE_SIZE * sizeof(uint32_t);
	struct nvsp_send_table hdr;
	uint8_t *p = buf;
	uint32_t i;

	if (table_offset < sizeof(hdr) || table_offset % 4 != 0 ||
	    table_offset > UINT32_MAX - tbl_bytes)
		return -EINVAL;
	if (buf == NULL || size < (size_t)table_offset + tbl_bytes)
		return -ENOBUFS;
	memset(p, 0, table_offset);
	hdr.type = NVSP_TYPE_SEND_TABLE;
	hdr.count = NVSP_SEND_TABLE_SIZE;
	hdr.offset = table_offset;
	memcpy(p, &hdr, sizeof(hdr));
	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
		hv_put_le32(p + table_offset + 4 * i, table[i]);
	return (int)(table_offset + tbl_bytes);
}

/* ---------------------------------------------------------------------- */
/* Specific validators. */

static int
nvsp_expect(const void *buf, size_t len, uint32_t type, union nvsp_msg *m)
{
	int rc = nvsp_decode(buf, len, m);

	if (rc < 0)
		return rc == -ENOMSG ? -EBADMSG : rc;
	return (uint32_t)rc == type ? 0 : -EBADMSG;
}

int
nvsp_check_recv_buf_cmplt(const void *buf, size_t len, uint64_t buf_size,
			  struct nvsp_recv_buf_info *info)
{
	const struct nvsp_recv_buf_section *s;
	union nvsp_msg m;
	uint64_t total;
	int rc;

	rc = nvsp_expect(buf, len, NVSP_TYPE_RECV_BUF_CMPLT, &m);
	if (rc < 0)
		return rc;
	if (m.recv_buf_cmplt.status != NVSP_STATUS_SUCCESS)
		return -ECONNREFUSED;
	s = &m.recv_buf_cmplt.section;
	if (m.recv_buf_cmplt.num_sections != 1 || s->offset != 0 ||
	    s->sub_alloc_size < NVSP_MIN_SECTION_SIZE ||
	    s->num_sub_allocs == 0)
		return -EINVAL;
	/* Both factors are below 2^32, so the product cannot wrap. */
	total = (uint64_t)s->sub_alloc_size * s->num_sub_allocs;
	if (total > buf_size)
		return -EINVAL;
	if (info != NULL) {
		info->section_size = s->sub_alloc_size;
		info->section_count = s->num_sub_allocs;
	}
	return 0;
}

int
nvsp_check_send_buf_cmplt(const void *buf, size_t len, uint64_t buf_size,
			  uint32_t *section_size)
{
	union nvsp_msg m;
	uint32_t sz;
	int rc;

	rc = nvsp_expect(buf, len, NVSP_TYPE_SEND_BUF_CMPLT, &m);
	if (rc < 0)
		return rc;
	if (m.send_buf_cmplt.status != NVSP_STATUS_SUCCESS)
		return -ECONNREFUSED;
	sz = m.send_buf_cmplt.section_size;
	if (sz == 0 || sz % 4 != 0 || sz < NVSP_MIN_SECTION_SIZE ||
	    sz > buf_size)
		return -EINVAL;
	if (section_size != NULL)
		*section_size = sz;
	return 0;
}

int
nvsp_check_subchannel_cmplt(const void *buf, size_t len, uint32_t requested,
			    uint32_t *granted)
{
	union nvsp_msg m;
	int rc;

	rc = nvsp_expect(buf, len, NVSP_TYPE_SUBCHANNEL, &m);
	if (rc < 0)
		return rc;
	if (m.subchannel_cmplt.status != NVSP_STATUS_SUCCESS)
		return -ECONNREFUSED;
	if (m.subchannel_cmplt.num_subchannels > requested)
		return -EINVAL;
	if (granted != NULL)
		*granted = m.subchannel_cmplt.num_subchannels;
	return 0;
}

/* Linux: old hosts put the table at 40 whatever the offset field says. */
#define NVSP_SEND_TABLE_BUGGY_OFFSET	40
#define NVSP_SEND_TABLE_BUGGY_MIN_LEN	(4 + 36 + 64)

int
nvsp_parse_send_table(const void *buf, size_t len, uint32_t version,
		      uint32_t table[NVSP_SEND_TABLE_SIZE])
{
	const size_t tbl_bytes = NVSP_SEND_TABLE_SIZE * sizeof(uint32_t);
	const uint8_t *p = buf;
	union nvsp_msg m;
	size_t off;
	uint32_t i;
	int rc;

	rc = nvsp_expect(buf, len, NVSP_TYPE_SEND_TABLE, &m);
	if (rc < 0)
		return rc;
	if (m.send_table.count != NVSP_SEND_TABLE_SIZE)
		return -EINVAL;
	if (version <= NVSP_VERSION_6 && len >= NVSP_SEND_TABLE_BUGGY_MIN_LEN)
		off = NVSP_SEND_TABLE_BUGGY_OFFSET;
	else
		off = m.send_table.offset;
	if (off < sizeof(struct nvsp_send_table) ||
	    !netvsp_range_ok(off, tbl_bytes, len))
		return -EINVAL;
	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
		table[i] = hv_get_le32(p + off + 4 * i);
	return 0;
}

int
nvsp_check_send_section(uint32_t index, uint32_t size, uint32_t section_size,
			uint32_t section_count)
{
	if (index == NVSP_SECTION_NONE)
		return size == 0 ? 0 : -EINVAL;
	if (index >= section_count || size > section_size)
		return -EINVAL;
	return 0;
}
