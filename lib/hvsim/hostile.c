/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The hostile host's choices (hvsim_hostile.h): class names and the spec
 * parser, one xoshiro256** PRNG per host seeded through splitmix64, or a
 * fuzzer's bytes read in order. Runs on the host thread only, except the
 * tries counter.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvsim_hostile.h"

static const char *const hvsim_hostile_names[HVSIM_HOSTILE_COUNT] = {
	[HVSIM_HOSTILE_SIZES] = "sizes",
	[HVSIM_HOSTILE_CMPLT] = "cmplt",
	[HVSIM_HOSTILE_XFER] = "xfer",
	[HVSIM_HOSTILE_RNDIS] = "rndis",
	[HVSIM_HOSTILE_RING] = "ring",
	[HVSIM_HOSTILE_INTR] = "intr",
	[HVSIM_HOSTILE_RELID] = "relid",
	[HVSIM_HOSTILE_DUPOFFER] = "dupoffer",
	[HVSIM_HOSTILE_RESCIND] = "rescind",
	[HVSIM_HOSTILE_SILENT] = "silent",
	[HVSIM_HOSTILE_TWICE] = "twice",
};

/* Firings per class between two resets, 0 = no limit. */
static const uint32_t hvsim_hostile_budget[HVSIM_HOSTILE_COUNT] = {
	[HVSIM_HOSTILE_RESCIND] = 3,
	[HVSIM_HOSTILE_DUPOFFER] = 4,
	[HVSIM_HOSTILE_RELID] = 4,
};

const char hvsim_hostile_help[] =
	"SEED[,CLASS...] - SEED decimal or 0x hex; CLASS one of sizes, "
	"cmplt, xfer, rndis, ring, intr, relid, dupoffer, rescind, silent, "
	"twice, all (the default)";

const char *
hvsim_hostile_class_name(unsigned int c)
{
	return c < HVSIM_HOSTILE_COUNT ? hvsim_hostile_names[c] : NULL;
}

static int
hostile_class_lookup(const char *s, size_t len, uint32_t *mask)
{
	unsigned int i;

	if (len == 3 && strncmp(s, "all", 3) == 0) {
		*mask = HVSIM_HOSTILE_ALL;
		return 0;
	}
	for (i = 0; i < HVSIM_HOSTILE_COUNT; i++)
		if (strlen(hvsim_hostile_names[i]) == len &&
		    strncmp(s, hvsim_hostile_names[i], len) == 0) {
			*mask = 1u << i;
			return 0;
		}
	return -EINVAL;
}

int
hvsim_hostile_parse(const char *spec, uint64_t *seed, uint32_t *classes,
		    char *err, size_t errlen)
{
	const char *p;
	char *end;
	unsigned long long v;
	uint32_t mask = 0, one;
	size_t len;

	if (spec == NULL || *spec == '\0') {
		snprintf(err, errlen, "empty hostile spec; want %s",
			 hvsim_hostile_help);
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(spec, &end, 0);
	if (errno != 0 || end == spec || (*end != '\0' && *end != ',' &&
					  *end != ':' && *end != '+') ||
	    spec[0] == '-') {
		snprintf(err, errlen, "bad seed in \"%s\"; want %s", spec,
			 hvsim_hostile_help);
		return -EINVAL;
	}
	for (p = end; *p != '\0'; p += len) {
		p++;
		len = strcspn(p, ",:+");
		if (hostile_class_lookup(p, len, &one) < 0) {
			snprintf(err, errlen, "unknown hostile class \"%.*s\"; "
				 "want %s", (int)len, p, hvsim_hostile_help);
			return -EINVAL;
		}
		mask |= one;
	}
	*seed = v;
	*classes = mask != 0 ? mask : HVSIM_HOSTILE_ALL;
	return 0;
}

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
hostile_next(struct hvsim_hostile *hs)
{
	uint64_t *s = hs->s;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* @p nbytes (1..4) of randomness: from the input while it lasts (then
 * false: no more choices), else from the PRNG.
 */
static bool
hostile_draw(struct hvsim_hostile *hs, unsigned int nbytes, uint32_t *out)
{
	uint32_t v = 0;
	unsigned int i;

	if (hs->input == NULL) {
		*out = (uint32_t)(hostile_next(hs) >> 32);
		return true;
	}
	if (hs->input_pos >= hs->input_len)
		return false;
	for (i = 0; i < nbytes && hs->input_pos < hs->input_len; i++)
		v |= (uint32_t)hs->input[hs->input_pos++] << (8 * i);
	*out = v;
	return true;
}

static void
hostile_seed(struct hvsim_hostile *hs, uint64_t seed)
{
	uint64_t x = seed;
	unsigned int i;

	for (i = 0; i < 4; i++)
		hs->s[i] = splitmix64(&x);
}

static void
hostile_announce(struct hvsim_hostile *hs)
{
	char names[160];
	size_t off = 0;
	unsigned int i;

	if (hs->classes == 0)
		return;
	names[0] = '\0';
	for (i = 0; i < HVSIM_HOSTILE_COUNT && off < sizeof(names); i++)
		if (hs->classes & (1u << i))
			off += (size_t)snprintf(names + off, sizeof(names) - off,
						"%s%s", off ? "," : "",
						hvsim_hostile_names[i]);
	if (hs->input != NULL)
		hvsim_log_msg(hs->lg, HVSIM_LOG_NOTICE, "hostile mode: %zu "
			      "input bytes, classes %s", hs->input_len, names);
	else
		hvsim_log_msg(hs->lg, HVSIM_LOG_NOTICE, "hostile mode: seed "
			      "%llu, classes %s (replay: --hostile %llu,%s)",
			      (unsigned long long)hs->seed, names,
			      (unsigned long long)hs->seed, names);
}

void
hvsim_hostile_init(struct hvsim_hostile *hs, struct hvsim_log *lg,
		   uint64_t seed, uint32_t classes)
{
	memset(hs, 0, sizeof(*hs));
	hs->lg = lg;
	hs->seed = seed;
	hs->classes = classes & HVSIM_HOSTILE_ALL;
	hostile_seed(hs, seed);
	hostile_announce(hs);
}

void
hvsim_hostile_fini(struct hvsim_hostile *hs)
{
	free(hs->input);
	hs->input = NULL;
}

int
hvsim_hostile_reset(struct hvsim_hostile *hs, uint64_t seed,
		    uint32_t classes, const uint8_t *input, size_t len)
{
	uint8_t *copy = NULL;

	if (input != NULL) {
		copy = malloc(len != 0 ? len : 1);
		if (copy == NULL)
			return -ENOMEM;
		memcpy(copy, input, len);
	}
	free(hs->input);
	hs->input = copy;
	hs->input_len = len;
	hs->input_pos = 0;
	hs->seed = seed;
	hs->classes = classes & HVSIM_HOSTILE_ALL;
	hs->rescind_nics = 0;
	memset(hs->used, 0, sizeof(hs->used));
	hostile_seed(hs, seed);
	hostile_announce(hs);
	return 0;
}

bool
hvsim_hostile_vroll(struct hvsim_hostile *hs, enum hvsim_hostile_class c,
		    uint32_t one_in, const char *fmt, va_list ap)
{
	char what[200];
	uint32_t r;
	uint64_t n;

	if (!hvsim_hostile_on(hs, c) ||
	    (hvsim_hostile_budget[c] != 0 &&
	     hs->used[c] >= hvsim_hostile_budget[c]) ||
	    !hostile_draw(hs, 1, &r))
		return false;
	/* A byte of input decides on its own (fire below 256 / one_in),
	 * so a fuzzer's mutation of one byte flips one choice. */
	if (hs->input != NULL ? r * (one_in != 0 ? one_in : 1) >= 256 :
	    one_in > 1 && r % one_in != 0)
		return false;
	hs->used[c]++;
	n = __atomic_add_fetch(&hs->tries, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&hs->tries_by[c], 1, __ATOMIC_RELAXED);
	vsnprintf(what, sizeof(what), fmt, ap);
	hvsim_log_msg(hs->lg, HVSIM_LOG_NOTICE, "hostile %s #%llu: %s",
		      hvsim_hostile_names[c], (unsigned long long)n, what);
	return true;
}

bool
hvsim_hostile_roll(struct hvsim_hostile *hs, enum hvsim_hostile_class c,
		   uint32_t one_in, const char *fmt, ...)
{
	va_list ap;
	bool fire;

	/* Asked per packet: off costs a test, not a draw. */
	if (!hvsim_hostile_on(hs, c))
		return false;
	va_start(ap, fmt);
	fire = hvsim_hostile_vroll(hs, c, one_in, fmt, ap);
	va_end(ap);
	return fire;
}

uint32_t
hvsim_hostile_pick(struct hvsim_hostile *hs, uint32_t n)
{
	uint32_t r;

	if (n <= 1 || !hostile_draw(hs, n <= 256 ? 1 : 4, &r))
		return 0;
	return r % n;
}

uint32_t
hvsim_hostile_pick_of(struct hvsim_hostile *hs, const uint32_t *vals,
		      unsigned int n)
{
	return n != 0 ? vals[hvsim_hostile_pick(hs, n)] : 0;
}
