/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/**
 * @file
 * The netvsp NIC model behind hvsim's synthetic NICs: its device ops
 * (hvsim_dev.h, the default of hvsim_config.dev_ops), and its deliberate
 * misbehaviour, for tests of a guest's defences against its host: odd
 * parameters the protocol allows, and late, replayed or unexpected
 * messages. Each misbehaviour call may come from any thread (one caller
 * per NIC at a time); the host thread acts on it at its next iteration.
 * Nothing of that is used unless a test asks for it. The model's state is
 * private to this folder (netvsp_priv.h).
 */

#ifndef HVSIM_NETVSP_H
#define HVSIM_NETVSP_H

#include <stdbool.h>
#include <stdint.h>

#include "hvsim_dev.h"

struct hvsim;

extern const struct hvsim_dev_ops hvsim_netvsp_ops;

/**
 * Announce send-buffer sections of @p size bytes at the guest's next
 * send-buffer connect (a new session: reset or re-offer); 0 restores the
 * normal 6144. The host then checks the guest's requests against that size.
 *
 * @return 0, -EINVAL (size not a multiple of 4, or below 68), -ENODEV.
 */
int hvsim_netvsp_send_section(struct hvsim *h, unsigned int nic,
			      uint32_t size);

/**
 * Announce at most @p max_pkts RNDIS packets per request and a
 * 2^@p align_shift alignment at the guest's next RNDIS INITIALIZE (a new
 * session: reset or re-offer); 0 restores the normal 8 and 3. The host
 * then refuses requests beyond what it announced, as before with its
 * defaults (INVALID_RNDIS_PKT, counted in tx_bad).
 *
 * @return 0, -EINVAL (more than 8 packets, shift outside 2..12), -ENODEV.
 */
int hvsim_netvsp_rndis_agg(struct hvsim *h, unsigned int nic,
			   uint32_t max_pkts, uint32_t align_shift);

/**
 * Keep (@p hold) the completions of the guest's data requests instead of
 * sending them; the frames still go to the port. Control requests are
 * completed as usual. Held completions survive a rescind and re-offer.
 *
 * @return 0, -ENODEV.
 */
int hvsim_netvsp_hold_cmplt(struct hvsim *h, unsigned int nic, bool hold);

/** Completions held now, or -ENODEV. */
int hvsim_netvsp_held_cmplt(struct hvsim *h, unsigned int nic);

/**
 * Send the first @p count held completions (0: all), in the order held, on
 * the channel with the index each request came on - whichever session that
 * channel belongs to now: late completions after a rescind and re-offer.
 * With @p keep they stay held, so a later call sends them again: replayed
 * completions. Those whose channel index is not open are not sent. Waits
 * up to @p ms for the host to write them.
 *
 * @return completions written, -ETIMEDOUT, -ENODEV.
 */
int hvsim_netvsp_release_cmplt(struct hvsim *h, unsigned int nic,
			       unsigned int count, bool keep, unsigned int ms);

/** Unsolicited host messages hvsim_netvsp_junk() can send. */
enum hvsim_netvsp_junk {
	/** NVSP VF_ASSOCIATION with allocated = 2 (only 0 and 1 exist). */
	HVSIM_JUNK_VF_ASSOC_BAD,
	/** NVSP SWITCH_DATA_PATH from the host (a notice Linux ignores). */
	HVSIM_JUNK_SWITCH_NOTICE,
	/** A completion naming transaction id 0x4a554e4b00000000 + n. */
	HVSIM_JUNK_CMPLT,
};

/**
 * Send @p count messages of @p kind in-band (completions as completions) on
 * channel @p chan, as fast as the ring takes them. Waits up to @p ms for
 * the host to write them all.
 *
 * @return 0, -ETIMEDOUT, -EINVAL, -ENODEV.
 */
int hvsim_netvsp_junk(struct hvsim *h, unsigned int nic, unsigned int chan,
		      enum hvsim_netvsp_junk kind, uint32_t count,
		      unsigned int ms);

/** Ways to spoil the next RSC unit (hvsim_netvsp_rsc_mangle()). */
enum hvsim_netvsp_rsc_mangle {
	HVSIM_RSC_NO_FIRST,	/**< its first fragment marked middle */
	HVSIM_RSC_NO_LAST,	/**< its last fragment marked middle */
	HVSIM_RSC_TWO_FIRST,	/**< its second fragment marked first */
	HVSIM_RSC_SPLIT,	/**< its fragments in two transfer-page packets */
	HVSIM_RSC_BAD_LEN,	/**< the IP length 8 more than the bytes sent */
	HVSIM_RSC_TINY_FIRST,	/**< 20 bytes in the first fragment */
};

/**
 * Spoil the next RSC unit (two or more coalesced segments) the NIC
 * delivers, @p kind: RSC per-packet info a guest must refuse.
 *
 * @return 0, -EINVAL, -ENODEV.
 */
int hvsim_netvsp_rsc_mangle(struct hvsim *h, unsigned int nic,
			    enum hvsim_netvsp_rsc_mangle kind);

/** Longest message hvsim_netvsp_send_table() sends. */
#define HVSIM_SEND_TABLE_MSG_MAX	256u

/**
 * Send a SEND_INDIRECTION_TABLE in-band on the primary now, its fields as
 * given: @p count in the count field, @p offset in the offset field and
 * the 16 entries of @p table there, the message @p len bytes long
 * (entries past its end left out). Legal tables and the sizes and
 * offsets a guest must refuse alike. Waits up to @p ms for the host to
 * write it.
 *
 * @return 0, -EINVAL (@p len below 12 or above HVSIM_SEND_TABLE_MSG_MAX),
 *         -ETIMEDOUT, -ENODEV (no such NIC, or its primary is not open).
 */
int hvsim_netvsp_send_table(struct hvsim *h, unsigned int nic,
			    const uint32_t table[16], uint32_t count,
			    uint32_t offset, uint32_t len, unsigned int ms);

#endif /* HVSIM_NETVSP_H */
