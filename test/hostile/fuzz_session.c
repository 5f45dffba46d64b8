/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The hvnet Authors
 */

/*
 * libFuzzer target: whole guest sessions (session.h) of the real hvbus and
 * net_hvnet against hvsim in hostile mode, the input driving every choice
 * the hostile host makes. Input: byte 0 the queue pairs (1-4), bytes 1-2
 * the hostile classes (bit 1 << enum hvsim_hostile_class; 0 = all), the
 * rest the choices in the order the host draws them (hvsim_hostile_set()).
 * When they run out the host turns honest, so a short input still ends in
 * a whole session. A session that breaks one of session.h's rules aborts:
 * a crash for libFuzzer, like a sanitizer report or the watchdog.
 *
 * Bit 7 of byte 0 chooses the bus's backend: clear, the sim backend in
 * this process (above); set, the uio backend in a guest process of its
 * own against hvsim's uio_hv_generic face (session_uio.c: rings the
 * kernel opened, where a rescind while OPENING completes its teardown
 * inside the handler - a path the sim backend's GPADL rings never take),
 * bytes 1-2 choosing which channel the kernel rescinds and when. The
 * guest's crash, sanitizer report or broken rule aborts here.
 */

#include <stdlib.h>

#include "pmd_test.h"
#include "session.h"

static struct hvsim *fz_h;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	hs_uio_guest_check((*argv)[0]);
	fz_h = hs_init((*argv)[0], getenv("HOSTILE_VERBOSE") != NULL);
	if (fz_h == NULL) {
		fprintf(stderr, "fuzz_session: EAL with the embedded hvsim\n");
		exit(1);
	}
	/* Short phases: a session is the unit of work here. */
	hs_set_pace(40, 500);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_result r;
	uint32_t classes;

	if (size < 3)
		return 0;
	if (data[0] & 0x80) {
		if (hs_uio_session(1u + data[0] % 4, data + 1, size - 1, &r,
				   getenv("HOSTILE_VERBOSE") != NULL) != 0)
			abort();
		return 0;
	}
	classes = ((uint32_t)data[1] | (uint32_t)data[2] << 8) &
		  HVSIM_HOSTILE_ALL;
	if (classes == 0)
		classes = HVSIM_HOSTILE_ALL;
	if (hs_session(fz_h, 0, classes, 1u + data[0] % 4, data + 3, size - 3,
		       &r) != 0)
		abort();
	return 0;
}
