/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Hostile choices of the hvsim core (hostile.c), between layer 0 and the
 * wire layer: one PRNG per host and the classes in which it may lie
 * (hvsim.h, enum hvsim_hostile_class). A layer that chooses a value the
 * guest must cope with asks here whether to choose it badly, and which
 * bad value; every choice that fires is logged. Choices are drawn only
 * when the host handles something (a message, a packet, a reply), never
 * while idle, so that a seed replays the same choices for the same guest.
 * Actions a low layer cannot take itself (a rescind) are left here as
 * requests that channel management carries out (offers.c).
 */

#ifndef HVSIM_HOSTILE_H
#define HVSIM_HOSTILE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvsim_base.h"

struct hvsim_hostile {
	struct hvsim_log *lg;
	uint32_t classes;	/* 0: an honest host, nothing is drawn */
	uint64_t seed;
	uint64_t s[4];		/* xoshiro256** state */
	uint8_t *input;		/* the choices as bytes (a fuzzer), or NULL */
	size_t input_len, input_pos;
	uint64_t tries;		/* atomic: read by other threads */
	uint64_t tries_by[HVSIM_HOSTILE_COUNT];	/* the same, per class */
	/* Fired since the last reset, against a budget for the classes
	 * that end a session (a host rescinding at every message would
	 * never let the guest reach the later steps).
	 */
	uint32_t used[HVSIM_HOSTILE_COUNT];
	uint32_t rescind_nics;	/* NICs to rescind at the next iteration */
};

void hvsim_hostile_init(struct hvsim_hostile *hs, struct hvsim_log *lg,
			uint64_t seed, uint32_t classes);
void hvsim_hostile_fini(struct hvsim_hostile *hs);
/* New seed, classes and (optionally, copied) input; -ENOMEM. */
int hvsim_hostile_reset(struct hvsim_hostile *hs, uint64_t seed,
			uint32_t classes, const uint8_t *input, size_t len);

static inline bool
hvsim_hostile_on(const struct hvsim_hostile *hs, enum hvsim_hostile_class c)
{
	return (hs->classes & (1u << c)) != 0;
}

/* Any class on: per-packet callers test this inline before a roll. */
static inline bool
hvsim_hostile_any(const struct hvsim_hostile *hs)
{
	return hs->classes != 0;
}

/*
 * In class @p c, one time in @p one_in (at random): log "hostile CLASS
 * #N: WHAT" and return true; false when the class is off (nothing is
 * drawn then) or the draw says no.
 */
bool hvsim_hostile_roll(struct hvsim_hostile *hs, enum hvsim_hostile_class c,
			uint32_t one_in, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool hvsim_hostile_vroll(struct hvsim_hostile *hs,
			 enum hvsim_hostile_class c, uint32_t one_in,
			 const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
/* A value in 0 .. @p n - 1 (0 when @p n is 0 or the input ran out). */
uint32_t hvsim_hostile_pick(struct hvsim_hostile *hs, uint32_t n);
/* One of @p vals. */
uint32_t hvsim_hostile_pick_of(struct hvsim_hostile *hs, const uint32_t *vals,
			       unsigned int n);

#endif /* HVSIM_HOSTILE_H */
