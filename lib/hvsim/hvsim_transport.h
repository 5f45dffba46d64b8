/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * hvsim guest transport: how a guest (hvbus's sim backend, or a test guest)
 * talks to an hvsim host. It stands in for the SynIC message slots and the
 * hypervisor's shared memory, nothing more:
 *
 * - a Unix SOCK_SEQPACKET connection, one frame per datagram;
 * - the guest's first frame is HELLO carrying, with SCM_RIGHTS, the memfd of
 *   its memory arena; both sides map it. Create it with MFD_ALLOW_SEALING:
 *   the host seals it against shrinking (F_SEAL_SHRINK) so that a guest
 *   cannot fault the host's accesses. Guest physical addresses are guest
 *   virtual addresses (IOVA as VA): a GPA inside [arena_gpa, arena_gpa +
 *   arena_size) is read through the shared mapping, any other GPA through
 *   process_vm_readv() on the guest pid (or directly when the host runs
 *   embedded in the guest's process). The host reads as the pid the
 *   kernel reports for the socket peer (SO_PEERCRED), never as the pid the
 *   guest claims; under Yama ptrace_scope 1 a guest in another process
 *   must allow it (prctl(PR_SET_PTRACER, host pid)) or keep packet data in
 *   the arena;
 * - after HELLO_ACK every frame carries exactly one VMBus channel-management
 *   message (header + body, at most 240 bytes) in its real wire layout;
 * - ring doorbells are not frames: the guest sets its monitor-page pending
 *   bits (INITIATE_CONTACT names the monitor pages, inside the arena) and the
 *   host polls them and the rings, as Hyper-V does for a polling DPDK guest;
 * - a guest in another process may also lend the memory its packet buffers
 *   live in: a MEM frame carries, with SCM_RIGHTS, a file descriptor and
 *   where in it a run of guest addresses lies. The host maps it read-only
 *   and reads GPA-direct ranges inside it with a copy instead of a
 *   process_vm_readv() call each (Hyper-V maps all of the guest's memory).
 *   Lend only memory that stays at its addresses until the guest
 *   disconnects; regions are never taken back;
 * - with HVSIM_HELLO_F_SINT the HELLO carries a second descriptor, an
 *   eventfd: the guest's interrupt line. The host adds 1 to it whenever
 *   the ring protocol says to signal the guest (a host->guest ring went
 *   from empty to not empty while its interrupt_mask was clear), as
 *   Hyper-V raises the guest's VMBus SINT. Which channel is not said.
 *
 * All fields are little-endian, packed.
 */

#ifndef HVSIM_TRANSPORT_H
#define HVSIM_TRANSPORT_H

#include <stdint.h>

#define HVSIM_TRANSPORT_MAGIC	0x4d535648u	/* "HVSM" */
#define HVSIM_TRANSPORT_VERSION	1u
/** Largest frame: header plus one 240-byte channel message. */
#define HVSIM_FRAME_MAX		(8 + 240)

enum hvsim_frame_kind {
	HVSIM_FRAME_HELLO = 1,		/**< guest -> host, carries the arena memfd */
	HVSIM_FRAME_HELLO_ACK = 2,	/**< host -> guest */
	HVSIM_FRAME_CHMSG = 3,		/**< one VMBus channel message, either way */
	HVSIM_FRAME_MEM = 4,		/**< guest -> host, lends memory, one fd */
};

struct hvsim_frame_hdr {
	uint32_t kind;		/**< enum hvsim_frame_kind */
	uint32_t len;		/**< payload bytes after this header */
} __attribute__((packed));

struct hvsim_hello {
	uint32_t magic;		/**< HVSIM_TRANSPORT_MAGIC */
	uint32_t version;	/**< HVSIM_TRANSPORT_VERSION */
	uint64_t arena_gpa;	/**< guest address of the arena's first byte */
	uint64_t arena_size;	/**< bytes, multiple of 4096 */
	uint32_t pid;		/**< guest pid for process_vm_readv */
	uint32_t flags;		/**< HVSIM_HELLO_F_* */
} __attribute__((packed));

/** The host runs in the guest's process: any GPA may be dereferenced. */
#define HVSIM_HELLO_F_SAME_PROCESS	0x1u
/** A second descriptor follows the memfd: the guest's interrupt eventfd. */
#define HVSIM_HELLO_F_SINT		0x2u

/** At most this many MEM frames per connection; more are refused. */
#define HVSIM_MEM_REGIONS	8

/** MEM: guest addresses [gpa, gpa + size) are bytes [offset, offset +
 * size) of the descriptor that comes with it (all multiples of 4096). */
struct hvsim_mem_region_msg {
	uint64_t gpa;
	uint64_t size;
	uint64_t offset;
} __attribute__((packed));

struct hvsim_hello_ack {
	uint32_t magic;
	uint32_t version;
	int32_t status;		/**< 0, or a negative errno */
	uint32_t reserved;
} __attribute__((packed));

#endif /* HVSIM_TRANSPORT_H */
