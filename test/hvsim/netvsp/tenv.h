/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Test environment of the netvsp tests: a host with NICs and a guest
 * transport to each. Two implementations with the same interface:
 * tenv_fake.c (the device driven directly through a fake core) and
 * tenv_guest.c (the real hvsim host and its test guest), so the same
 * tests run at both levels.
 */

#ifndef TENV_H
#define TENV_H

#include <stdbool.h>
#include <stdint.h>

#include "hvsim.h"
#include "nvg.h"

struct tenv;

/** Name of the environment, for messages. */
extern const char tenv_name[];
/** False when a GPA outside guest memory would be dereferenced as is (the
 * embedded host trusts same-process addresses). */
extern const bool tenv_checks_gpa;

/** A host with @p n NICs (@p cfg[i]); NULL when unsupported here. */
struct tenv *tenv_create(unsigned int n, const struct hvsim_nic_config *cfg);
/** Tear down; returns the host checker's violations (0 = clean). */
int tenv_destroy(struct tenv *e);
/** The guest transport to NIC @p nic (its primary channel open). */
const struct nvg_io *tenv_io(struct tenv *e, unsigned int nic);
int tenv_set_link(struct tenv *e, unsigned int nic, bool up);
int tenv_vf(struct tenv *e, unsigned int nic, bool add, uint32_t serial);
int tenv_stats(struct tenv *e, unsigned int nic, struct hvsim_nic_stats *st);
/** Guest packets the host treated as protocol errors (the channel
 * failed); -1 when the environment cannot tell. */
int tenv_proto_errors(struct tenv *e);
/** Arm (@p on) or release a host hook of NIC @p nic at @p step. */
/** The host rescinds @p nic's primary channel alone: the subchannels stay
 * open, the NIC's session ends. */
int tenv_rescind_primary(struct tenv *e, unsigned int nic);
int tenv_hook(struct tenv *e, unsigned int nic, enum hvsim_step step,
	      bool on);
/** Limit the host -> guest rings to @p bytes (0: back to normal);
 * -ENOTSUP where the ring size is the guest's choice. */
int tenv_set_room(struct tenv *e, uint32_t bytes);
/** Let the host run a while without guest traffic. */
void tenv_idle(struct tenv *e, unsigned int ms);

#endif /* TENV_H */
