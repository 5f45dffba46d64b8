/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * The hostile host's choices without a host (lib/hvsim/hostile.c): the
 * spec parser, one seed giving one sequence of choices, a class that is
 * off drawing nothing (so turning a class off does not shift the others'
 * choices less than it must), a fuzzer's bytes driving the choices and
 * running out into an honest host, and a log line for every choice that
 * fires.
 */

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hvsim_hostile.h"

static unsigned int log_lines;
static char last_line[256];

static void
cap_log(void *arg, enum hvsim_log_level level, const char *name,
	const char *msg)
{
	(void)arg;
	(void)level;
	(void)name;
	log_lines++;
	snprintf(last_line, sizeof(last_line), "%s", msg);
}

static void
test_parse(void)
{
	static const char *const bad[] = {
		"", "x", "-3", "1,", "1,bogus", "1;sizes", "1,sizes,,cmplt",
	};
	char err[256];
	uint64_t seed = 99;
	uint32_t cls = 99;
	unsigned int i;

	CHECK_EQ(hvsim_hostile_parse("42", &seed, &cls, err, sizeof(err)), 0);
	CHECK_EQ(seed, 42);
	CHECK_EQ(cls, HVSIM_HOSTILE_ALL);
	CHECK_EQ(hvsim_hostile_parse("0x10,sizes:twice+silent", &seed, &cls,
				     err, sizeof(err)), 0);
	CHECK_EQ(seed, 16);
	CHECK_EQ(cls, (1u << HVSIM_HOSTILE_SIZES) |
		 (1u << HVSIM_HOSTILE_TWICE) | (1u << HVSIM_HOSTILE_SILENT));
	CHECK_EQ(hvsim_hostile_parse("7,all", &seed, &cls, err, sizeof(err)),
		 0);
	CHECK_EQ(cls, HVSIM_HOSTILE_ALL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		seed = 5;
		cls = 5;
		err[0] = '\0';
		CHECK(hvsim_hostile_parse(bad[i], &seed, &cls, err,
					  sizeof(err)) < 0, "'%s'", bad[i]);
		CHECK(seed == 5 && cls == 5, "'%s' changed the output",
		      bad[i]);
		CHECK(strstr(err, "SEED[,CLASS...]") != NULL, "'%s': %s",
		      bad[i], err);
	}
	for (i = 0; i < HVSIM_HOSTILE_COUNT; i++) {
		char spec[64];

		snprintf(spec, sizeof(spec), "1,%s",
			 hvsim_hostile_class_name(i));
		CHECK_EQ(hvsim_hostile_parse(spec, &seed, &cls, err,
					     sizeof(err)), 0);
		CHECK_EQ(cls, 1u << i);
	}
	CHECK(hvsim_hostile_class_name(HVSIM_HOSTILE_COUNT) == NULL, "name");
}

/* 64 choices of @p hs as a string of digits. */
static void
run(struct hvsim_hostile *hs, char *out)
{
	unsigned int i;

	for (i = 0; i < 64; i++) {
		bool fire = hvsim_hostile_roll(hs, (enum hvsim_hostile_class)
					       (i % HVSIM_HOSTILE_COUNT), 2,
					       "choice %u", i);

		out[i] = (char)('0' + (fire ? 1 + hvsim_hostile_pick(hs, 9) :
				       0));
	}
	out[64] = '\0';
}

static void
test_sequence(struct hvsim_log *lg)
{
	struct hvsim_hostile a, b;
	char sa[65], sb[65], sc[65];
	unsigned int fired = 0, i;

	hvsim_hostile_init(&a, lg, 1234, HVSIM_HOSTILE_ALL);
	hvsim_hostile_init(&b, lg, 1234, HVSIM_HOSTILE_ALL);
	log_lines = 0;
	run(&a, sa);
	run(&b, sb);
	CHECK(strcmp(sa, sb) == 0, "same seed: %s vs %s", sa, sb);
	for (i = 0; i < 64; i++)
		fired += sa[i] != '0';
	CHECK(fired > 8 && fired < 56, "one in two fired %u of 64", fired);
	CHECK_EQ(log_lines, 2 * fired);
	CHECK_EQ(a.tries, fired);
	CHECK(strstr(last_line, "hostile ") == last_line &&
	      strstr(last_line, ": choice ") != NULL, "%s", last_line);
	/* Another seed, another run; the first seed again, the first run. */
	CHECK_EQ(hvsim_hostile_reset(&b, 1235, HVSIM_HOSTILE_ALL, NULL, 0), 0);
	run(&b, sc);
	CHECK(strcmp(sa, sc) != 0, "seed 1235 repeats 1234: %s", sc);
	CHECK_EQ(hvsim_hostile_reset(&b, 1234, HVSIM_HOSTILE_ALL, NULL, 0), 0);
	run(&b, sc);
	CHECK(strcmp(sa, sc) == 0, "reset to 1234: %s vs %s", sa, sc);
	/* An honest host draws nothing and fires nothing. */
	CHECK_EQ(hvsim_hostile_reset(&b, 1234, 0, NULL, 0), 0);
	log_lines = 0;
	run(&b, sc);
	CHECK(strspn(sc, "0") == 64, "honest host fired: %s", sc);
	CHECK_EQ(log_lines, 0);
	hvsim_hostile_fini(&a);
	hvsim_hostile_fini(&b);
}

static void
test_input(struct hvsim_log *lg)
{
	/* Fires below 256 / one_in (128 for one in two); a pick takes one
	 * byte for up to 256 values. */
	static const uint8_t in[] = { 0, 7, 200, 127, 128, 255, 3 };
	struct hvsim_hostile hs;
	uint8_t big[8];

	hvsim_hostile_init(&hs, lg, 0, HVSIM_HOSTILE_ALL);
	CHECK_EQ(hvsim_hostile_reset(&hs, 0, 1u << HVSIM_HOSTILE_RING, in,
				     sizeof(in)), 0);
	CHECK(!hvsim_hostile_roll(&hs, HVSIM_HOSTILE_SIZES, 2, "off"), "off");
	CHECK(hvsim_hostile_roll(&hs, HVSIM_HOSTILE_RING, 2, "b0"), "b0");
	CHECK_EQ(hvsim_hostile_pick(&hs, 5), 2);	/* 7 % 5 */
	CHECK(!hvsim_hostile_roll(&hs, HVSIM_HOSTILE_RING, 2, "b2"), "b2");
	CHECK(hvsim_hostile_roll(&hs, HVSIM_HOSTILE_RING, 2, "b3"), "b3");
	CHECK(!hvsim_hostile_roll(&hs, HVSIM_HOSTILE_RING, 2, "b4"), "b4");
	CHECK(!hvsim_hostile_roll(&hs, HVSIM_HOSTILE_RING, 1 << 9, "b5"),
	      "one in 512 never fires from a byte");
	CHECK(hvsim_hostile_roll(&hs, HVSIM_HOSTILE_RING, 1, "b6"), "b6");
	/* Run out: an honest host from here on. */
	CHECK(!hvsim_hostile_roll(&hs, HVSIM_HOSTILE_RING, 1, "end"), "end");
	CHECK_EQ(hvsim_hostile_pick(&hs, 100), 0);
	/* The input is copied: the caller's buffer may go. */
	memset(big, 0, sizeof(big));
	CHECK_EQ(hvsim_hostile_reset(&hs, 0, 1u << HVSIM_HOSTILE_RING, big,
				     sizeof(big)), 0);
	memset(big, 0xff, sizeof(big));
	CHECK(hvsim_hostile_roll(&hs, HVSIM_HOSTILE_RING, 2, "copy"), "copy");
	/* Wide picks take four bytes. */
	CHECK_EQ(hvsim_hostile_pick(&hs, 1u << 20), 0);
	hvsim_hostile_fini(&hs);
}

int
main(void)
{
	struct hvsim_config cfg;
	struct hvsim_log lg;

	hvsim_config_init(&cfg, 1);
	cfg.log_fn = cap_log;
	hvsim_log_init(&lg, &cfg);
	test_parse();
	test_sequence(&lg);
	test_input(&lg);
	hvsim_log_fini(&lg);
	return check_exit("hvsim_hostile_prng");
}
