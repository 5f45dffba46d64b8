/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * RNDIS control messages: request and completion encoders, completion and
 * indication parsers for the guest, the request parser for the host. Data
 * packets live in rndis_pkt.c.
 */

#include <errno.h>
#include <string.h>

#include "rndis.h"
#include "netvsp_private.h"

/* ---------------------------------------------------------------------- */
/* Encoders. */

static int
rndis_encode_id_msg(void *buf, size_t size, uint32_t type, uint32_t req_id)
{
	struct rndis_req_id_msg m = {
		.type = type, .msg_len = sizeof(m), .req_id = req_id,
	};

	if (buf == NULL || size < sizeof(m))
		return -ENOBUFS;
	memcpy(buf, &m, sizeof(m));
	return sizeof(m);
}

int
rndis_encode_init(void *buf, size_t size, uint32_t req_id,
		  uint32_t max_xfer_size)
{
	struct rndis_init_req m = {
		.type = RNDIS_MSG_INIT, .msg_len = sizeof(m), .req_id = req_id,
		.major = RNDIS_VERSION_MAJOR, .minor = RNDIS_VERSION_MINOR,
		.max_xfer_size = max_xfer_size,
	};

	if (buf == NULL || size < sizeof(m))
		return -ENOBUFS;
	memcpy(buf, &m, sizeof(m));
	return sizeof(m);
}

static int
rndis_encode_info_req(void *buf, size_t size, uint32_t type, uint32_t req_id,
		      uint32_t oid, const void *info, uint32_t len)
{
	struct rndis_query_req m;

	if (len != 0 && info == NULL)
		return -EINVAL;
	if (buf == NULL || size < sizeof(m) || len > size - sizeof(m) ||
	    len > UINT32_MAX - sizeof(m))
		return -ENOBUFS;
	m.type = type;
	m.msg_len = sizeof(m) + len;
	m.req_id = req_id;
	m.oid = oid;
	m.info_buflen = len;
	m.info_buf_offset = sizeof(m) - RNDIS_HDR_SIZE;
	m.device_vc_handle = 0;
	memcpy(buf, &m, sizeof(m));
	if (len != 0)
		memcpy((uint8_t *)buf + sizeof(m), info, len);
	return (int)(sizeof(m) + len);
}

int
rndis_encode_query(void *buf, size_t size, uint32_t req_id, uint32_t oid,
		   const void *info, uint32_t len)
{
	return rndis_encode_info_req(buf, size, RNDIS_MSG_QUERY, req_id, oid,
				     info, len);
}

int
rndis_encode_set(void *buf, size_t size, uint32_t req_id, uint32_t oid,
		 const void *info, uint32_t len)
{
	return rndis_encode_info_req(buf, size, RNDIS_MSG_SET, req_id, oid,
				     info, len);
}

int
rndis_encode_halt(void *buf, size_t size, uint32_t req_id)
{
	return rndis_encode_id_msg(buf, size, RNDIS_MSG_HALT, req_id);
}

int
rndis_encode_keepalive(void *buf, size_t size, uint32_t req_id)
{
	return rndis_encode_id_msg(buf, size, RNDIS_MSG_KEEPALIVE, req_id);
}

int
rndis_encode_reset(void *buf, size_t size)
{
	struct rndis_reset_req m = {
		.type = RNDIS_MSG_RESET, .msg_len = sizeof(m),
	};

	if (buf == NULL || size < sizeof(m))
		return -ENOBUFS;
	memcpy(buf, &m, sizeof(m));
	return sizeof(m);
}

int
rndis_encode_init_cmplt(void *buf, size_t size,
			const struct rndis_init_info *info)
{
	struct rndis_init_cmplt m = {
		.type = RNDIS_MSG_INIT_CMPLT, .msg_len = sizeof(m),
		.req_id = info->req_id, .status = info->status,
		.major = info->major, .minor = info->minor,
		.device_flags = info->device_flags, .medium = info->medium,
		.max_pkts_per_msg = info->max_pkts_per_msg,
		.max_xfer_size = info->max_xfer_size,
		.align_shift = info->align_shift,
	};

	if (buf == NULL || size < sizeof(m))
		return -ENOBUFS;
	memcpy(buf, &m, sizeof(m));
	return sizeof(m);
}

int
rndis_encode_query_cmplt(void *buf, size_t size, uint32_t req_id,
			 uint32_t status, const void *data, uint32_t len)
{
	struct rndis_query_cmplt m;

	if (len != 0 && data == NULL)
		return -EINVAL;
	if (buf == NULL || size < sizeof(m) || len > size - sizeof(m) ||
	    len > UINT32_MAX - sizeof(m))
		return -ENOBUFS;
	m.type = RNDIS_MSG_QUERY_CMPLT;
	m.msg_len = sizeof(m) + len;
	m.req_id = req_id;
	m.status = status;
	m.info_buflen = len;
	/* Where the data would start; guests check it even when empty. */
	m.info_buf_offset = sizeof(m) - RNDIS_HDR_SIZE;
	memcpy(buf, &m, sizeof(m));
	if (len != 0)
		memcpy((uint8_t *)buf + sizeof(m), data, len);
	return (int)(sizeof(m) + len);
}

static int
rndis_encode_status_cmplt(void *buf, size_t size, uint32_t type,
			  uint32_t req_id, uint32_t status)
{
	struct rndis_status_cmplt m = {
		.type = type, .msg_len = sizeof(m), .req_id = req_id,
		.status = status,
	};

	if (buf == NULL || size < sizeof(m))
		return -ENOBUFS;
	memcpy(buf, &m, sizeof(m));
	return sizeof(m);
}

int
rndis_encode_set_cmplt(void *buf, size_t size, uint32_t req_id,
		       uint32_t status)
{
	return rndis_encode_status_cmplt(buf, size, RNDIS_MSG_SET_CMPLT,
					 req_id, status);
}

int
rndis_encode_keepalive_cmplt(void *buf, size_t size, uint32_t req_id,
			     uint32_t status)
{
	return rndis_encode_status_cmplt(buf, size, RNDIS_MSG_KEEPALIVE_CMPLT,
					 req_id, status);
}

int
rndis_encode_reset_cmplt(void *buf, size_t size, uint32_t status,
			 uint32_t addressing_reset)
{
	struct rndis_reset_cmplt m = {
		.type = RNDIS_MSG_RESET_CMPLT, .msg_len = sizeof(m),
		.status = status, .addressing_reset = addressing_reset,
	};

	if (buf == NULL || size < sizeof(m))
		return -ENOBUFS;
	memcpy(buf, &m, sizeof(m));
	return sizeof(m);
}

int
rndis_encode_indicate(void *buf, size_t size, uint32_t status,
		      const void *data, uint32_t len)
{
	struct rndis_indicate m;

	if (len != 0 && data == NULL)
		return -EINVAL;
	if (buf == NULL || size < sizeof(m) || len > size - sizeof(m) ||
	    len > UINT32_MAX - sizeof(m))
		return -ENOBUFS;
	m.type = RNDIS_MSG_INDICATE;
	m.msg_len = sizeof(m) + len;
	m.status = status;
	m.status_buflen = len;
	m.status_buf_offset = len ? sizeof(m) - RNDIS_HDR_SIZE : 0;
	memcpy(buf, &m, sizeof(m));
	if (len != 0)
		memcpy((uint8_t *)buf + sizeof(m), data, len);
	return (int)(sizeof(m) + len);
}

/* ---------------------------------------------------------------------- */
/* Parsers. Each copies the fixed part once, then validates the copy. */

int
rndis_parse_hdr(const void *buf, size_t len, uint32_t *type,
		uint32_t *msg_len)
{
	struct rndis_msg_hdr h;

	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, buf, sizeof(h));
	if (h.msg_len < sizeof(h) || h.msg_len > len)
		return -EBADMSG;
	if (type != NULL)
		*type = h.type;
	if (msg_len != NULL)
		*msg_len = h.msg_len;
	return 0;
}

/*
 * Copy the fixed part of a message whose header was read once as
 * (@type, @msg_len) and which must be at least @min bytes long. Bytes of
 * @out beyond msg_len are zero; the header in @out is the one checked.
 */
static int
rndis_copy_checked(const void *buf, uint32_t type, uint32_t msg_len,
		   size_t min, void *out, size_t out_size)
{
	if (msg_len < min)
		return -EBADMSG;
	memset(out, 0, out_size);
	memcpy(out, buf, msg_len < out_size ? msg_len : out_size);
	memcpy(out, &type, sizeof(type));
	memcpy((uint8_t *)out + 4, &msg_len, sizeof(msg_len));
	return 0;
}

static int
rndis_copy_fixed(const void *buf, size_t len, uint32_t want_type,
		 size_t min, void *out, size_t out_size)
{
	uint32_t type, msg_len;
	int rc;

	rc = rndis_parse_hdr(buf, len, &type, &msg_len);
	if (rc < 0)
		return rc;
	if (type != want_type)
		return -EBADMSG;
	return rndis_copy_checked(buf, type, msg_len, min, out, out_size);
}

int
rndis_parse_cmplt_id(const void *buf, size_t len, uint32_t *type,
		     uint32_t *req_id)
{
	uint32_t t, msg_len;
	int rc;

	rc = rndis_parse_hdr(buf, len, &t, &msg_len);
	if (rc < 0)
		return rc;
	if (!(t & RNDIS_MSG_CMPLT))
		return -EBADMSG;
	if (type != NULL)
		*type = t;
	if (t == RNDIS_MSG_RESET_CMPLT) {
		if (req_id != NULL)
			*req_id = 0;
		return 0;
	}
	if (msg_len - RNDIS_HDR_SIZE < sizeof(uint32_t))
		return -EBADMSG;
	if (req_id != NULL)
		*req_id = hv_get_le32((const uint8_t *)buf + RNDIS_HDR_SIZE);
	return 0;
}

/* DPDK reads the first 48 bytes of INIT_CMPLT and no further. */
#define RNDIS_INIT_CMPLT_MIN	offsetof(struct rndis_init_cmplt, af_list_size)

int
rndis_parse_init_cmplt(const void *buf, size_t len,
		       struct rndis_init_info *info)
{
	struct rndis_init_cmplt m;
	int rc;

	rc = rndis_copy_fixed(buf, len, RNDIS_MSG_INIT_CMPLT,
			      RNDIS_INIT_CMPLT_MIN, &m, sizeof(m));
	if (rc < 0)
		return rc;
	info->req_id = m.req_id;
	info->status = m.status;
	info->major = m.major;
	info->minor = m.minor;
	info->device_flags = m.device_flags;
	info->medium = m.medium;
	info->max_xfer_size = m.max_xfer_size;
	/* Clamp what would otherwise become a shift count or a loop bound. */
	info->align_shift = m.align_shift;
	if (info->align_shift < RNDIS_ALIGN_SHIFT_MIN)
		info->align_shift = RNDIS_ALIGN_SHIFT_MIN;
	if (info->align_shift > RNDIS_ALIGN_SHIFT_MAX)
		info->align_shift = RNDIS_ALIGN_SHIFT_MAX;
	info->max_pkts_per_msg = m.max_pkts_per_msg;
	if (info->max_pkts_per_msg == 0)
		info->max_pkts_per_msg = 1;
	if (info->max_pkts_per_msg > RNDIS_MAX_AGG_PKTS)
		info->max_pkts_per_msg = RNDIS_MAX_AGG_PKTS;
	return m.status == RNDIS_STATUS_SUCCESS ? 0 : -ECONNREFUSED;
}

int
rndis_parse_query_cmplt(const void *buf, size_t len,
			struct rndis_query_result *res)
{
	struct rndis_query_cmplt m;
	int rc;

	rc = rndis_copy_fixed(buf, len, RNDIS_MSG_QUERY_CMPLT, sizeof(m),
			      &m, sizeof(m));
	if (rc < 0)
		return rc;
	res->req_id = m.req_id;
	res->status = m.status;
	res->data_off = 0;
	res->data_len = 0;
	if (m.info_buflen == 0)
		return 0;
	if (m.info_buf_offset < sizeof(m) - RNDIS_HDR_SIZE ||
	    !netvsp_range_ok(m.info_buf_offset, m.info_buflen,
			     m.msg_len - RNDIS_HDR_SIZE))
		return -EINVAL;
	res->data_off = m.info_buf_offset + RNDIS_HDR_SIZE;
	res->data_len = m.info_buflen;
	return 0;
}

int
rndis_parse_status_cmplt(const void *buf, size_t len, uint32_t type,
			 uint32_t *req_id, uint32_t *status)
{
	struct rndis_status_cmplt m;
	int rc;

	if (type != RNDIS_MSG_SET_CMPLT && type != RNDIS_MSG_KEEPALIVE_CMPLT &&
	    type != RNDIS_MSG_SET_EX_CMPLT)
		return -EINVAL;
	rc = rndis_copy_fixed(buf, len, type, sizeof(m), &m, sizeof(m));
	if (rc < 0)
		return rc;
	if (req_id != NULL)
		*req_id = m.req_id;
	if (status != NULL)
		*status = m.status;
	return 0;
}

int
rndis_parse_indicate(const void *buf, size_t len,
		     struct rndis_indication *ind)
{
	struct rndis_indicate m;
	int rc;

	rc = rndis_copy_fixed(buf, len, RNDIS_MSG_INDICATE, sizeof(m),
			      &m, sizeof(m));
	if (rc < 0)
		return rc;
	memset(ind, 0, sizeof(*ind));
	ind->status = m.status;
	if (m.status_buflen != 0) {
		/* Bounded by the range, not msg_len: old hosts omit it there. */
		if (m.status_buf_offset < sizeof(m) - RNDIS_HDR_SIZE ||
		    !netvsp_range_ok(m.status_buf_offset, m.status_buflen,
				     len - RNDIS_HDR_SIZE))
			return -EINVAL;
		ind->buf_off = m.status_buf_offset + RNDIS_HDR_SIZE;
		ind->buf_len = m.status_buflen;
	}
	if (m.status == RNDIS_STATUS_LINK_SPEED_CHANGE) {
		if (ind->buf_len < sizeof(uint32_t))
			return -EINVAL;
		ind->link_speed =
			hv_get_le32((const uint8_t *)buf + ind->buf_off);
	}
	return 0;
}

int
rndis_parse_request(const void *buf, size_t len, struct rndis_request *req)
{
	union {
		struct rndis_init_req init;
		struct rndis_req_id_msg id;
		struct rndis_query_req info;
	} m;
	uint32_t type, msg_len;
	int rc;

	rc = rndis_parse_hdr(buf, len, &type, &msg_len);
	if (rc < 0)
		return rc;
	memset(req, 0, sizeof(*req));
	req->type = type;
	req->msg_len = msg_len;
	switch (type) {
	case RNDIS_MSG_INIT:
		rc = rndis_copy_checked(buf, type, msg_len, sizeof(m.init), &m,
					sizeof(m));
		if (rc < 0)
			return rc;
		req->req_id = m.init.req_id;
		req->major = m.init.major;
		req->minor = m.init.minor;
		req->max_xfer_size = m.init.max_xfer_size;
		return 0;
	case RNDIS_MSG_HALT:
	case RNDIS_MSG_KEEPALIVE:
		rc = rndis_copy_checked(buf, type, msg_len, sizeof(m.id), &m,
					sizeof(m));
		if (rc < 0)
			return rc;
		req->req_id = m.id.req_id;
		return 0;
	case RNDIS_MSG_RESET:
		return msg_len < sizeof(struct rndis_reset_req) ? -EBADMSG : 0;
	case RNDIS_MSG_QUERY:
	case RNDIS_MSG_SET:
		rc = rndis_copy_checked(buf, type, msg_len, sizeof(m.info), &m,
					sizeof(m));
		if (rc < 0)
			return rc;
		req->req_id = m.info.req_id;
		req->oid = m.info.oid;
		if (m.info.info_buflen == 0)
			return 0;
		if (m.info.info_buf_offset <
		    sizeof(m.info) - RNDIS_HDR_SIZE ||
		    !netvsp_range_ok(m.info.info_buf_offset,
				     m.info.info_buflen,
				     msg_len - RNDIS_HDR_SIZE))
			return -EINVAL;
		req->info_off = m.info.info_buf_offset + RNDIS_HDR_SIZE;
		req->info_len = m.info.info_buflen;
		return 0;
	default:
		return -ENOTSUP;
	}
}
