/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * Suite hostile: guest sessions (session.h) against hvsim in hostile mode,
 * one per seed, all in one process.
 *
 *   test_hostile [-v] CLASS[+CLASS...] SEED...
 *
 * Each session must end with the guest intact (see session.h); at the end
 * every class named must have fired at least once over the seeds, so a
 * seed list that stops reaching a class fails instead of passing empty.
 * A failing seed is replayed alone with the same command line (or with
 * the hvsim daemon: hvsim --hostile SEED,CLASS...).
 */

#include <getopt.h>

#include "pmd_test.h"
#include "session.h"

int
main(int argc, char **argv)
{
	uint64_t before[HVSIM_HOSTILE_COUNT], seed, s;
	struct hs_result r;
	bool verbose = false;
	uint32_t classes;
	struct hvsim *h;
	char err[320], spec[256];
	unsigned int c, failed = 0, n = 0;
	int i;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = true;
		argv++;
		argc--;
	}
	REQUIRE(argc >= 3, "usage: test_hostile [-v] CLASS[+CLASS...] SEED...");
	snprintf(spec, sizeof(spec), "0,%s", argv[1]);
	REQUIRE(hvsim_hostile_parse(spec, &seed, &classes, err,
				    sizeof(err)) == 0, "%s", err);
	h = hs_init(argv[0], verbose);
	REQUIRE(h != NULL, "EAL with the embedded hvsim");
	for (c = 0; c < HVSIM_HOSTILE_COUNT; c++)
		before[c] = hvsim_hostile_tries(h, c);
	for (i = 2; i < argc; i++) {
		char *end;

		s = strtoull(argv[i], &end, 0);
		REQUIRE(*end == '\0', "seed '%s'", argv[i]);
		printf("hostile: seed %llu, classes %s\n",
		       (unsigned long long)s, argv[1]);
		fflush(stdout);
		if (hs_session(h, s, classes, 0, NULL, 0, &r) != 0)
			failed++;
		n++;
		printf("hostile: seed %llu: probed %d started %d queues %u "
		       "recovered %d tx %llu rx %llu tries %llu violations %u "
		       "refused %llu %llu ms\n", (unsigned long long)s,
		       r.probed, r.started, r.queues, r.recovered,
		       (unsigned long long)r.tx, (unsigned long long)r.rx,
		       (unsigned long long)r.tries, r.violations,
		       (unsigned long long)r.tx_bad, (unsigned long long)r.ms);
		fflush(stdout);
	}
	CHECK_EQ(failed, 0);
	for (c = 0; c < HVSIM_HOSTILE_COUNT; c++) {
		uint64_t t = hvsim_hostile_tries(h, c) - before[c];

		if (!(classes & (1u << c)))
			continue;
		printf("hostile: class %s fired %llu times over %u seeds\n",
		       hvsim_hostile_class_name(c), (unsigned long long)t, n);
		CHECK(t > 0, "class %s never fired: the seeds miss it",
		      hvsim_hostile_class_name(c));
	}
	rte_eal_cleanup();
	return check_exit("hostile");
}
