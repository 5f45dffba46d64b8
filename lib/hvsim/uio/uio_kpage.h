/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The page after the last uio map of a face's node file: where the shim
 * (in the guest) asks the face (the host) for the two file operations of
 * a uio node that a regular file does not have. uio_hv_generic opens the
 * primary channel at the first open of /dev/uioN and closes it,
 * subchannels first, at the last release (the last descriptor closed and
 * the last mapping gone); DPDK's netvsc closes and reopens the node to
 * change the MTU. The guest's open and close wait for the answer, as they
 * wait for the kernel's. No map index reaches this page: the shim maps
 * only maps 0 to 4 by index.
 *
 * Protocol: the shim takes "busy" (0 -> its pid), writes op and pid,
 * then bumps req_seq; the face handles a req_seq it has not answered,
 * writes result and then sets ack_seq = req_seq; the shim reads result
 * and clears "busy". Every field is read and written atomically; the
 * face trusts none of them (an unknown op gets -EINVAL).
 */

#ifndef HVSIM_UIO_KPAGE_H
#define HVSIM_UIO_KPAGE_H

#include <stdint.h>

#define UIO_KPAGE_MAGIC		0x6b706731u	/* "kpg1" */

enum uio_kop {
	UIO_KOP_OPEN = 1,	/* first reference of a guest process */
	UIO_KOP_RELEASE = 2,	/* its last reference gone */
};

struct uio_kpage {
	uint32_t magic;		/* face: UIO_KPAGE_MAGIC once serving */
	uint32_t busy;		/* shim: pid of the requester, 0 = free */
	uint32_t req_seq;	/* shim: bumped after op and pid */
	uint32_t op;		/* shim: enum uio_kop */
	uint32_t pid;		/* shim: the requesting process */
	uint32_t ack_seq;	/* face: req_seq answered, after result */
	int32_t result;		/* face: 0 or a negative errno */
};

#endif /* HVSIM_UIO_KPAGE_H */
