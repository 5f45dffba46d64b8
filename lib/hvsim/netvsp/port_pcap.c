/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * pcap port: frames from a capture file go to the guest (in file order,
 * as fast as it takes them, once), frames the guest sends are appended to
 * another capture file with their 802.1Q tag back in. The classic libpcap
 * file format is read and written here directly (24-byte file header,
 * 16-byte record headers; microsecond or nanosecond, either byte order on
 * input; microsecond, host order on output), so lib/hvsim does not link
 * libpcap. Output goes through a large stdio buffer: no syscall per frame.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netvsp_priv.h"

#define PCAP_MAGIC_US		0xa1b2c3d4u
#define PCAP_MAGIC_NS		0xa1b23c4du
#define PCAP_LINKTYPE_ETHERNET	1
#define PCAP_SNAPLEN		65535u
#define NV_PCAP_OUT_BUF		(1u << 20)
#define NV_PCAP_BURST		256
/* Flush the output at most this often while frames keep coming. */
#define NV_PCAP_FLUSH_NS	100000000u

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
} __attribute__((packed));

struct pcap_rec_hdr {
	uint32_t sec;
	uint32_t frac;		/**< usec or nsec */
	uint32_t caplen;
	uint32_t len;
} __attribute__((packed));

struct nv_pcap {
	FILE *in;
	FILE *out;
	bool swap;
	bool pending;		/**< buf holds a frame not delivered yet */
	uint32_t pend_len;
	uint64_t in_frames, out_frames, flushed_frames;
	uint64_t last_flush_ns;
	uint8_t buf[PCAP_SNAPLEN];
	uint8_t tagged[PCAP_SNAPLEN + 4];
};

static uint32_t
nv_pcap_u32(const struct nv_pcap *pc, uint32_t v)
{
	return pc->swap ? __builtin_bswap32(v) : v;
}

static int
nv_pcap_open_in(struct netvsp_dev *d, struct nv_pcap *pc, const char *path)
{
	struct pcap_file_hdr fh;

	pc->in = fopen(path, "rb");
	if (pc->in == NULL) {
		nv_log(d, "pcap input %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fread(&fh, sizeof(fh), 1, pc->in) != 1)
		goto bad;
	if (fh.magic == PCAP_MAGIC_US || fh.magic == PCAP_MAGIC_NS)
		pc->swap = false;
	else if (fh.magic == __builtin_bswap32(PCAP_MAGIC_US) ||
		 fh.magic == __builtin_bswap32(PCAP_MAGIC_NS))
		pc->swap = true;
	else
		goto bad;
	if (nv_pcap_u32(pc, fh.linktype) != PCAP_LINKTYPE_ETHERNET) {
		nv_log(d, "pcap input %s: link type %u is not Ethernet", path,
		       nv_pcap_u32(pc, fh.linktype));
		return -EINVAL;
	}
	return 0;
bad:
	nv_log(d, "pcap input %s: not a pcap file", path);
	return -EINVAL;
}

static int
nv_pcap_open_out(struct netvsp_dev *d, struct nv_pcap *pc, const char *path)
{
	struct pcap_file_hdr fh = {
		.magic = PCAP_MAGIC_US,
		.major = 2,
		.minor = 4,
		.snaplen = PCAP_SNAPLEN,
		.linktype = PCAP_LINKTYPE_ETHERNET,
	};

	pc->out = fopen(path, "wb");
	if (pc->out == NULL) {
		nv_log(d, "pcap output %s: %s", path, strerror(errno));
		return -errno;
	}
	setvbuf(pc->out, NULL, _IOFBF, NV_PCAP_OUT_BUF);
	if (fwrite(&fh, sizeof(fh), 1, pc->out) != 1 || fflush(pc->out) != 0)
		return -EIO;
	return 0;
}

int
nv_pcap_init(struct netvsp_dev *d, const char *in, const char *out)
{
	struct nv_pcap *pc;
	int rc = 0;

	pc = calloc(1, sizeof(*pc));
	if (pc == NULL)
		return -ENOMEM;
	d->pcap = pc;
	if (in != NULL)
		rc = nv_pcap_open_in(d, pc, in);
	if (rc == 0 && out != NULL)
		rc = nv_pcap_open_out(d, pc, out);
	if (rc != 0)
		nv_pcap_fini(d);
	return rc;
}

void
nv_pcap_fini(struct netvsp_dev *d)
{
	struct nv_pcap *pc = d->pcap;

	if (pc == NULL)
		return;
	if (pc->in != NULL)
		fclose(pc->in);
	if (pc->out != NULL)
		fclose(pc->out);
	free(pc);
	d->pcap = NULL;
}

/* Read the next record into pc->buf; false at the end or on a bad file. */
static bool
nv_pcap_read(struct netvsp_dev *d, struct nv_pcap *pc)
{
	struct pcap_rec_hdr rh;
	uint32_t cap;

	if (fread(&rh, sizeof(rh), 1, pc->in) != 1)
		goto done;
	cap = nv_pcap_u32(pc, rh.caplen);
	if (cap > PCAP_SNAPLEN) {
		nv_log(d, "pcap input: record of %u bytes, file ends here",
		       cap);
		goto done;
	}
	if (cap != 0 && fread(pc->buf, cap, 1, pc->in) != 1)
		goto done;
	pc->pend_len = cap;
	pc->pending = true;
	return true;
done:
	nv_log(d, "pcap input: %llu frames read, end of file",
	       (unsigned long long)pc->in_frames);
	fclose(pc->in);
	pc->in = NULL;
	return false;
}

int
nv_pcap_poll(struct netvsp_dev *d)
{
	struct nv_pcap *pc = d->pcap;
	int n = 0;

	if (pc == NULL)
		return 0;
	if (pc->out != NULL && pc->out_frames != pc->flushed_frames &&
	    d->now_ns - pc->last_flush_ns > NV_PCAP_FLUSH_NS) {
		fflush(pc->out);
		pc->flushed_frames = pc->out_frames;
		pc->last_flush_ns = d->now_ns;
	}
	if (!nv_rx_ready(d))
		return 0;
	while (n < NV_PCAP_BURST && (pc->pending ||
				     (pc->in != NULL && nv_pcap_read(d, pc)))) {
		struct nv_frame f = { .data = pc->buf, .len = pc->pend_len };

		/* Keep the frame for the next iteration rather than drop it
		 * when the guest holds every section. */
		if (d->rx.n_free <= NV_RX_CTRL_RESERVE)
			break;
		nv_rx_deliver(d, &f);
		pc->pending = false;
		pc->in_frames++;
		n++;
	}
	return n;
}

void
nv_pcap_write(struct netvsp_dev *d, const struct nv_frame *f)
{
	struct nv_pcap *pc = d->pcap;
	struct pcap_rec_hdr rh;
	struct timespec ts;
	uint32_t len;

	if (pc == NULL || pc->out == NULL)
		return;
	len = nv_frame_tagged(f, pc->tagged, sizeof(pc->tagged));
	if (len > PCAP_SNAPLEN)
		len = PCAP_SNAPLEN;
	clock_gettime(CLOCK_REALTIME, &ts);
	rh.sec = (uint32_t)ts.tv_sec;
	rh.frac = (uint32_t)(ts.tv_nsec / 1000);
	rh.caplen = len;
	rh.len = len;
	if (fwrite(&rh, sizeof(rh), 1, pc->out) != 1 ||
	    fwrite(pc->tagged, len, 1, pc->out) != 1) {
		d->stats.tx_bad++;
		nv_log_dp(d, "pcap output write failed");
		return;
	}
	pc->out_frames++;
}
